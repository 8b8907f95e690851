//! Training and events (issue 16, item 5): a course catalogue with tracks per role
//! ([`catalogue`]), events with registration, capacity and a waiting list ([`event`],
//! [`registrations`]), attendance and participants by organisation, role and municipality, the
//! county's coverage report ([`coverage`]), certificates of completion ([`certificates`]) and a
//! post-event survey with anonymous answers ([`survey`]).
//!
//! **Who may read, write and be notified.**
//! - *Courses and tracks*: read by every signed-in user (the catalogue is no secret within the
//!   installation); written by the coordinators and administrators of the owning organisation
//!   ([`Permission::ManageEvents`]).
//! - *Events*: a published or cancelled event is read by every signed-in user; a draft only by
//!   the organiser organisation's users (`sharing::event_readable`). Anonymous visitors read
//!   none. Written (details, status, attendance, the survey, registering others) by the
//!   organiser's coordinators and administrators ([`Permission::ManageEvents`]). Search holds
//!   published events for `signed_in` and every event for the organiser.
//! - *Registrations*: a signed-in user registers themself; the participants list (names,
//!   organisations, roles, municipalities) is read by the organiser's users only
//!   (`sharing::organises_event`); each user reads their own registrations. An unrelated
//!   organisation sees the counts of seats and waiting places, not who.
//! - *Coverage report*: county-board coordinators of the county and system administrators
//!   ([`Permission::ReadEventCoverage`]), the same people who manage the county's contact roles
//!   in issue 15's coverage report. It counts attended participants only, no names.
//! - *Certificates*: the participant and the organiser's users open it; anyone holding the
//!   verification code can confirm it at `/intyg/{code}` (name, course, date, organiser).
//! - *Survey answers*: anonymous by construction — an answer row has no reference to a
//!   participant, a link or a time; the links record only used or unused. SurveyResults are read by
//!   the organiser's users, free texts only from three answers on.
//! - *Notified*: the first on the waiting list by e-mail when a seat frees up; every attended
//!   participant by e-mail with their own survey link when the survey is sent (outbox).

pub mod catalogue;
pub mod certificates;
pub mod coverage;
pub mod event;
pub mod registrations;
pub mod survey;

use brygga_domain::FieldError;
use brygga_domain::FieldErrors;
use jiff::Timestamp;

pub use crate::actors::interventions::{Coded, OrgRef};

/// The mail kind of every message this part sends.
pub const MAIL_KIND: &str = "event";

/// (code, Swedish label) of the kinds of event.
pub const KINDS: &[(&str, &str)] =
    &[("conference", "Konferens"), ("seminar", "Seminarium"), ("network_meeting", "Nätverksträff"), ("training", "Utbildning")];

/// (code, Swedish label) of how an event is held.
pub const FORMATS: &[(&str, &str)] = &[("on_site", "På plats"), ("digital", "Digitalt"), ("hybrid", "Hybrid")];

/// (code, Swedish label) of an event's status.
pub const STATUSES: &[(&str, &str)] = &[("draft", "Utkast"), ("published", "Publicerat"), ("cancelled", "Inställt")];

/// (code, Swedish label) of a course's level.
pub const LEVELS: &[(&str, &str)] = &[("basic", "Grundnivå"), ("deep", "Fördjupning")];

/// (code, Swedish label) of the roles courses target and participants register with.
pub const ROLES: &[(&str, &str)] = &[
    ("caretaker", "Fastighetsskötare"),
    ("park_staff", "Parkpersonal"),
    ("youth_leader", "Fritidsledare"),
    ("school_staff", "Skolpersonal"),
    ("coordinator", "Samordnare"),
    ("community_police", "Kommunpolis"),
    ("est_forum", "EST-forum"),
    ("other", "Annan roll"),
];

/// (code, Swedish label) of a registration's status (the attendance).
pub const ATTENDANCE: &[(&str, &str)] =
    &[("registered", "Anmäld"), ("waiting", "På väntelistan"), ("attended", "Deltog"), ("no_show", "Uteblev"), ("cancelled", "Avanmäld")];

pub fn label_of(list: &[(&'static str, &'static str)], code: &str) -> Option<&'static str> {
    list.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

pub fn coded(list: &[(&'static str, &'static str)], code: &str) -> Coded {
    Coded { code: code.to_owned(), label: label_of(list, code).unwrap_or(code).to_owned() }
}

/// A code of `list`, or a field error naming the choices (`what`: "typ av evenemang").
pub(crate) fn pick(
    errs: &mut FieldErrors,
    field: &str,
    input: Option<&str>,
    list: &[(&'static str, &'static str)],
    default: Option<&'static str>,
    what: &str,
) -> Option<String> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => match default {
            Some(d) => Some(d.to_owned()),
            None => {
                errs.push(FieldError::new(field, "required", format!("Välj {what}.")));
                None
            }
        },
        Some(c) if label_of(list, c).is_some() => Some(c.to_owned()),
        Some(c) => {
            let known: Vec<String> = list.iter().map(|(k, l)| format!("{l} ({k})")).collect();
            errs.push(FieldError::new(
                field,
                "events.unknown_code",
                format!("”{c}” är inte en känd {what}. Välj bland: {}.", known.join(", ")),
            ));
            None
        }
    }
}

/// A local Swedish time as a form or the API sends it (`2026-03-12T09:00` or
/// `2026-03-12 09:00`) in epoch milliseconds; `None` with a field error when it is not one.
pub(crate) fn local_ms(errs: &mut FieldErrors, field: &str, input: &str, what: &str) -> Option<i64> {
    let s = input.trim().replace(' ', "T");
    let parsed = s
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(brygga_domain::time::stockholm()).ok())
        .map(|z| z.timestamp().as_millisecond());
    if parsed.is_none() {
        errs.push(FieldError::new(
            field,
            "events.invalid_time",
            format!("”{}” är ingen giltig tidpunkt för {what}. Skriv datum och klockslag, till exempel 2026-03-12 09:00.", input.trim()),
        ));
    }
    parsed
}

/// `2026-03-12 09:00` in Swedish local time.
pub fn local_label(ms: i64) -> String {
    brygga_domain::time::format_local(Timestamp::from_millisecond(ms).unwrap_or_default())
}

/// `2026-03-12T09:00`, for a form's `datetime-local` field.
pub fn local_input(ms: i64) -> String {
    brygga_domain::time::local(Timestamp::from_millisecond(ms).unwrap_or_default()).strftime("%Y-%m-%dT%H:%M").to_string()
}

/// "v. 12": the ISO week in Europe/Stockholm.
pub fn week_label(ms: i64) -> String {
    format!("v. {}", brygga_domain::time::IsoWeek::of(Timestamp::from_millisecond(ms).unwrap_or_default()).week())
}

/// The first instant of `year` in Swedish local time, in epoch milliseconds.
pub(crate) fn year_start_ms(year: i16) -> i64 {
    jiff::civil::date(year, 1, 1).to_zoned(brygga_domain::time::stockholm()).map(|z| z.timestamp().as_millisecond()).unwrap_or_default()
}
