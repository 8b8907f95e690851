//! EventRegistration with capacity and a waiting list, cancellation with promotion, and attendance.
//!
//! A signed-in user registers themself with an organisation (one of theirs), a role and a
//! municipality (by default the organisation's first); the organiser's coordinators may register
//! an existing user by e-mail address (also after the deadline, and after the event to record a
//! walk-in's attendance). Over capacity the registration goes on the waiting list
//! with its position — a normal outcome, not an error. A cancellation of a seat gives it to the
//! first on the waiting list, who is told by e-mail (outbox).
//!
//! **Concurrency.** Every command that counts seats first updates the event's row
//! ([`lock_event`]) in the same transaction: on SQLite the write transaction already holds the
//! one write lock (`BEGIN IMMEDIATE`); on PostgreSQL the update takes the row lock, so two
//! registrations for the last seat are counted one after the other and only one gets it.

use std::collections::BTreeMap;

use brygga_domain::account::Email;
use brygga_domain::geography as geo;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::event::{self, Event};
use super::{ATTENDANCE, Coded, MAIL_KIND, OrgRef, ROLES, coded, local_label, pick};
use crate::kernel::access::{Action as Permission, allowed};
use crate::kernel::audit::{self, Event as AuditEvent};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::mail::{self, NewMail, Postmark};
use crate::kernel::sharing;
use crate::{Viewer, args, now_ms, sort_key};

/// What a form or API call sends to register.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventRegistrationInput {
    /// The organisation the person comes from (one of theirs); by default their first.
    #[serde(default)]
    pub org_id: Option<i64>,
    /// A code of [`ROLES`].
    #[serde(default)]
    pub role: Option<String>,
    /// By default the organisation's first municipality.
    #[serde(default)]
    pub municipality_code: Option<String>,
    /// Organisers only: register this existing user instead of oneself.
    #[serde(default)]
    pub email: Option<String>,
}

/// One registration.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventRegistration {
    pub id: i64,
    pub event_id: i64,
    pub event_title: String,
    pub event_starts_at_ms: i64,
    pub user_id: i64,
    pub user_name: String,
    pub org: Option<OrgRef>,
    pub role: Coded,
    pub municipality: Coded,
    /// registered, waiting, attended, no_show or cancelled.
    pub status: Coded,
    /// The place on the waiting list (1 = next), when waiting.
    pub position: Option<i64>,
    /// Set once the person attended a training: the certificate's verification code.
    pub certificate_code: Option<String>,
    pub created_at_ms: i64,
}

impl EventRegistration {
    pub fn is_waiting(&self) -> bool {
        self.status.code == "waiting"
    }
    /// The Swedish sentence that tells the person where they stand.
    pub fn outcome(&self) -> String {
        match (self.status.code.as_str(), self.position) {
            ("waiting", Some(p)) => format!("Evenemanget är fullt — du står som nr {p} på väntelistan."),
            ("registered", _) => "Du är anmäld och har en plats.".to_owned(),
            (_, _) => self.status.label.clone(),
        }
    }
    pub fn event_when(&self) -> String {
        local_label(self.event_starts_at_ms)
    }
}

const SELECT: &str = "SELECT r.id, r.event_id, e.title AS event_title, e.starts_at AS event_starts_at, r.user_id, u.name AS user_name, r.org_id,
        o.name AS org_name, r.role, r.municipality_code, r.status, r.certificate_code, r.created_at,
        CASE WHEN r.status = 'waiting' THEN (SELECT COUNT(*) FROM event_registrations w WHERE w.event_id = r.event_id AND w.status = 'waiting'
            AND (w.queued_at < r.queued_at OR (w.queued_at = r.queued_at AND w.id <= r.id))) END AS position
     FROM event_registrations r JOIN events e ON e.id = r.event_id JOIN users u ON u.id = r.user_id LEFT JOIN organisations o ON o.id = r.org_id";

impl FromRow for EventRegistration {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let role: String = r.get("role")?;
        let status: String = r.get("status")?;
        let m: String = r.get("municipality_code")?;
        let org_id: Option<i64> = r.get("org_id")?;
        let org_name: Option<String> = r.get("org_name")?;
        Ok(Self {
            id: r.get("id")?,
            event_id: r.get("event_id")?,
            event_title: r.get("event_title")?,
            event_starts_at_ms: r.get("event_starts_at")?,
            user_id: r.get("user_id")?,
            user_name: r.get("user_name")?,
            org: org_id.zip(org_name).map(|(id, name)| OrgRef { id, name }),
            role: coded(ROLES, &role),
            municipality: Coded { label: geo::municipality(&m).map_or(m.clone(), |x| x.name.to_owned()), code: m },
            status: coded(ATTENDANCE, &status),
            position: r.get("position")?,
            certificate_code: r.get("certificate_code")?,
            created_at_ms: r.get("created_at")?,
        })
    }
}

pub(crate) fn fetch(db: &mut dyn Conn, id: i64) -> StoreResult<EventRegistration> {
    db.opt(&format!("{SELECT} WHERE r.id = $1"), args![id])?.ok_or(StoreError::not_found("registration"))
}

/// Takes the event's row lock for the rest of the transaction (see the module documentation).
fn lock_event(db: &mut dyn Conn, event_id: i64) -> StoreResult<()> {
    db.execute("UPDATE events SET version = version WHERE id = $1", args![event_id])?;
    Ok(())
}

fn seats_taken(db: &mut dyn Conn, event_id: i64) -> StoreResult<i64> {
    Ok(db.scalar(
        "SELECT COUNT(*) FROM event_registrations WHERE event_id = $1 AND status IN ('registered', 'attended', 'no_show')",
        args![event_id],
    )?)
}

fn refuse(field: &str, code: &'static str, message: impl Into<String>) -> StoreError {
    let mut errs = FieldErrors::new();
    errs.push(FieldError::new(field, code, message));
    StoreError::Invalid(errs)
}

/// Registers the viewer (or, for an organiser, the user with `input.email`) for the event: a
/// seat while there is one, else the waiting list. A second registration of the same person is
/// refused and nothing is written.
pub fn register(db: &mut dyn Conn, v: &Viewer, event_id: i64, input: &EventRegistrationInput) -> StoreResult<EventRegistration> {
    let me = v.user_id().ok_or(StoreError::Forbidden)?;
    let e = event::get(db, v, event_id)?;
    let organiser = allowed(v, Permission::ManageEvents { org: e.organiser.id });
    let other = input.email.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if other.is_some() && !organiser {
        return Err(StoreError::Forbidden);
    }
    if e.status.code != "published" {
        let why = if e.status.code == "cancelled" { "Evenemanget är inställt." } else { "Evenemanget är inte publicerat ännu." };
        return Err(refuse("event_id", "events.not_open", format!("{why} Det går inte att anmäla sig.")));
    }
    let now = now_ms();
    if !organiser && e.registration_closes_at_ms.is_some_and(|c| c < now) {
        return Err(refuse(
            "event_id",
            "events.registration_closed",
            format!(
                "Anmälan stängde {}. Kontakta arrangören, {}, om du ändå vill delta.",
                e.closes().unwrap_or_default(),
                e.organiser.name
            ),
        ));
    }
    if !organiser && e.ends_at_ms < now {
        return Err(refuse("event_id", "events.past", "Evenemanget har redan ägt rum. Det går inte att anmäla sig."));
    }
    let mut errs = FieldErrors::new();
    let user = match other {
        None => Some(me),
        Some(addr) => {
            let found = match Email::parse(addr) {
                Ok(email) => db.scalar_opt::<i64>("SELECT id FROM users WHERE email = $1", args![email.as_str()])?,
                Err(_) => None,
            };
            if found.is_none() {
                errs.push(FieldError::new(
                    "email",
                    "events.unknown_user",
                    format!("Det finns inget konto med adressen ”{addr}”. Kontrollera adressen; personen behöver ett konto i Brygga."),
                ));
            }
            found
        }
    };
    // The person's organisations, with their first municipality.
    let orgs: Vec<(i64, Option<String>)> = match user {
        Some(u) => db.map_all(
            "SELECT m.org_id, (SELECT MIN(om.municipality_code) FROM organisation_municipalities om WHERE om.org_id = m.org_id AND om.status = 'approved') AS first
             FROM memberships m WHERE m.user_id = $1 ORDER BY m.org_id",
            args![u],
            |r| Ok((r.get("org_id")?, r.get("first")?)),
        )?,
        None => Vec::new(),
    };
    let org = match input.org_id {
        Some(o) if orgs.iter().any(|x| x.0 == o) => Some(o),
        Some(_) => {
            errs.push(FieldError::new(
                "org_id",
                "events.not_member",
                "Personen tillhör inte den organisationen. Välj en av personens organisationer.",
            ));
            None
        }
        None => orgs.first().map(|x| x.0),
    };
    let role = pick(&mut errs, "role", input.role.as_deref(), ROLES, None, "roll");
    let municipality = match input.municipality_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(m) => match geo::municipality(m) {
            Some(x) => Some(x.code.to_owned()),
            None => {
                errs.push(FieldError::new(
                    "municipality_code",
                    "events.unknown_municipality",
                    format!("Kommunkoden {m} finns inte. Välj kommunen du arbetar i ur listan."),
                ));
                None
            }
        },
        None => match org.and_then(|o| orgs.iter().find(|x| x.0 == o)).and_then(|x| x.1.clone()) {
            Some(m) => Some(m),
            None => {
                if user.is_some() {
                    errs.push(FieldError::new("municipality_code", "required", "Välj kommunen du arbetar i."));
                }
                None
            }
        },
    };
    errs.into_result()?;
    let user = user.expect("checked");
    lock_event(db, event_id)?;
    let before: Option<(i64, String)> =
        db.map_opt("SELECT id, status FROM event_registrations WHERE event_id = $1 AND user_id = $2", args![event_id, user], |r| {
            Ok((r.get("id")?, r.get("status")?))
        })?;
    if let Some((_, status)) = &before
        && status != "cancelled"
    {
        let msg = if user == me {
            "Du är redan anmäld till det här evenemanget. Din anmälan finns under Mina evenemang."
        } else {
            "Personen är redan anmäld till det här evenemanget."
        };
        return Err(refuse(if user == me { "event_id" } else { "email" }, "events.already_registered", msg));
    }
    let full = match e.capacity {
        Some(c) => seats_taken(db, event_id)? >= c,
        None => false,
    };
    let status = if full { "waiting" } else { "registered" };
    let id = match before {
        Some((id, _)) => {
            db.execute(
                "UPDATE event_registrations SET org_id = $1, role = $2, municipality_code = $3, status = $4, queued_at = $5,
                    registered_by_user_id = $6, certificate_code = NULL, updated_at = $5 WHERE id = $7",
                args![org, role.as_deref(), municipality.as_deref(), status, now, me, id],
            )?;
            id
        }
        None => db.scalar(
            "INSERT INTO event_registrations (event_id, user_id, org_id, role, municipality_code, status, queued_at, registered_by_user_id,
                created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $7) RETURNING id",
            args![event_id, user, org, role.as_deref(), municipality.as_deref(), status, now, me],
        )?,
    };
    let mut orgs_audit = vec![e.organiser.id];
    orgs_audit.extend(org);
    audit::record(db, v, AuditEvent::new("event.register").record("event", event_id).orgs(&orgs_audit))?;
    fetch(db, id)
}

/// The registration, for its person or the event's organiser (otherwise not found).
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<EventRegistration> {
    let r = fetch(db, id)?;
    let e = event::fetch(db, r.event_id)?;
    if v.user_id() == Some(r.user_id) || sharing::organises_event(v, e.organiser.id) {
        Ok(r)
    } else {
        Err(StoreError::not_found("registration"))
    }
}

/// Cancels a registration: by its person, or by the organiser's coordinators. A freed seat goes
/// to the first on the waiting list, who is e-mailed.
pub fn cancel(db: &mut dyn Conn, v: &Viewer, post: &Postmark, id: i64) -> StoreResult<EventRegistration> {
    let r = get(db, v, id)?;
    let e = event::fetch(db, r.event_id)?;
    if v.user_id() != Some(r.user_id) && !allowed(v, Permission::ManageEvents { org: e.organiser.id }) {
        return Err(StoreError::Forbidden);
    }
    set_status(db, v, post, &r, &e, "cancelled")
}

/// Marks attendance (the organiser's coordinators): `registered`, `attended`, `no_show` or
/// `cancelled`. An attended training gets its certificate code.
pub fn mark(db: &mut dyn Conn, v: &Viewer, post: &Postmark, id: i64, status: &str) -> StoreResult<EventRegistration> {
    let r = get(db, v, id)?;
    let e = event::fetch(db, r.event_id)?;
    if !allowed(v, Permission::ManageEvents { org: e.organiser.id }) {
        return Err(StoreError::Forbidden);
    }
    let mut errs = FieldErrors::new();
    let allowed_codes: &[(&str, &str)] =
        &[("registered", "Anmäld"), ("attended", "Deltog"), ("no_show", "Uteblev"), ("cancelled", "Avanmäld")];
    let status = pick(&mut errs, "status", Some(status), allowed_codes, None, "närvaro");
    errs.into_result()?;
    set_status(db, v, post, &r, &e, &status.expect("checked"))
}

fn set_status(
    db: &mut dyn Conn,
    v: &Viewer,
    post: &Postmark,
    r: &EventRegistration,
    e: &Event,
    status: &str,
) -> StoreResult<EventRegistration> {
    lock_event(db, e.id)?;
    let held_seat = matches!(r.status.code.as_str(), "registered" | "attended" | "no_show");
    let takes_seat = matches!(status, "registered" | "attended" | "no_show");
    let full = match e.capacity {
        Some(c) => seats_taken(db, e.id)? >= c,
        None => false,
    };
    if takes_seat && !held_seat && full {
        return Err(refuse("status", "events.full", "Evenemanget är fullt. Avanmäl någon annan först, eller öka antalet platser."));
    }
    let certificate = if status == "attended" && (e.kind.code == "training" || e.course_id.is_some()) {
        Some(r.certificate_code.clone().unwrap_or_else(|| crate::kernel::secret::random_token(12)))
    } else {
        None
    };
    db.execute(
        "UPDATE event_registrations SET status = $1, certificate_code = $2, updated_at = $3 WHERE id = $4",
        args![status, certificate, now_ms(), r.id],
    )?;
    let action = if status == "cancelled" { "event.cancel_registration" } else { "event.attendance" };
    let mut orgs = vec![e.organiser.id];
    orgs.extend(r.org.as_ref().map(|o| o.id));
    audit::record(db, v, AuditEvent::new(action).record("event", e.id).orgs(&orgs))?;
    if held_seat && !takes_seat {
        promote(db, post, e.id)?;
    }
    fetch(db, r.id)
}

/// Gives every free seat to the first on the waiting list and e-mails them (after a
/// cancellation, or when the organiser adds seats). Nothing moves once the event has started.
pub(crate) fn fill_free_seats(db: &mut dyn Conn, event_id: i64) -> StoreResult<Vec<i64>> {
    let e = event::fetch(db, event_id)?;
    if e.starts_at_ms < now_ms() || e.status.code != "published" {
        return Ok(Vec::new());
    }
    let free = match e.capacity {
        Some(c) => (c - seats_taken(db, event_id)?).max(0),
        None => e.waiting,
    };
    let next: Vec<i64> = db
        .scalars("SELECT id FROM event_registrations WHERE event_id = $1 AND status = 'waiting' ORDER BY queued_at, id", args![event_id])?;
    let moved: Vec<i64> = next.into_iter().take(free as usize).collect();
    for id in &moved {
        db.execute("UPDATE event_registrations SET status = 'registered', updated_at = $1 WHERE id = $2", args![now_ms(), *id])?;
    }
    Ok(moved)
}

fn promote(db: &mut dyn Conn, post: &Postmark, event_id: i64) -> StoreResult<()> {
    for id in fill_free_seats(db, event_id)? {
        let r = fetch(db, id)?;
        let email: String = db.scalar("SELECT email FROM users WHERE id = $1", args![r.user_id])?;
        if let Ok(to) = Email::parse(&email) {
            let subject = format!("Du har fått en plats: {}", r.event_title);
            let body = format!(
                "Hej!\n\nEn plats har blivit ledig på ”{}” ({}), och du som stod först på väntelistan har fått den.\n\n\
                 Kan du inte komma? Avanmäl dig så att nästa på listan får platsen:\n{}\n\nHälsningar\nBrygga",
                r.event_title,
                r.event_when(),
                post.link("/mina-evenemang")
            );
            mail::enqueue(
                db,
                &NewMail { kind: MAIL_KIND, to, to_user_id: Some(r.user_id), subject, body, list_unsubscribe: None },
                &post.host,
                now_ms(),
            )?;
        }
    }
    Ok(())
}

/// Counts of participants by one dimension, in Swedish name order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParticipantCount {
    pub label: String,
    pub count: i64,
}

/// The participants of an event as the organiser reads them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventParticipants {
    /// Seat holders by organisation and name, then the waiting list in order, then cancelled.
    pub registrations: Vec<EventRegistration>,
    /// Per attendance status (registered, waiting, attended, no-show, cancelled).
    pub by_status: Vec<ParticipantCount>,
    /// Not cancelled and not waiting, by organisation, role and municipality.
    pub by_org: Vec<ParticipantCount>,
    pub by_role: Vec<ParticipantCount>,
    pub by_municipality: Vec<ParticipantCount>,
}

fn counts<'a>(items: impl Iterator<Item = &'a str>) -> Vec<ParticipantCount> {
    let mut m: BTreeMap<String, (String, i64)> = BTreeMap::new();
    for i in items {
        m.entry(sort_key(i)).or_insert_with(|| (i.to_owned(), 0)).1 += 1;
    }
    m.into_values().map(|(label, count)| ParticipantCount { label, count }).collect()
}

/// The participants (the organiser's users only; others are forbidden, or not found when they
/// may not read the event).
pub fn participants(db: &mut dyn Conn, v: &Viewer, event_id: i64) -> StoreResult<EventParticipants> {
    let e = event::get(db, v, event_id)?;
    if !sharing::organises_event(v, e.organiser.id) {
        return Err(StoreError::Forbidden);
    }
    let mut list: Vec<EventRegistration> = db.all(&format!("{SELECT} WHERE r.event_id = $1"), args![event_id])?;
    let rank = |s: &str| match s {
        "waiting" => 1,
        "cancelled" => 2,
        _ => 0,
    };
    list.sort_by_cached_key(|r| {
        (
            rank(&r.status.code),
            r.position.unwrap_or(0),
            sort_key(r.org.as_ref().map_or("", |o| o.name.as_str())),
            sort_key(&r.user_name),
            r.id,
        )
    });
    let by_status = ATTENDANCE
        .iter()
        .map(|(c, l)| ParticipantCount { label: (*l).to_owned(), count: list.iter().filter(|r| r.status.code == *c).count() as i64 })
        .collect();
    let present: Vec<&EventRegistration> = list.iter().filter(|r| rank(&r.status.code) == 0).collect();
    Ok(EventParticipants {
        by_org: counts(present.iter().map(|r| r.org.as_ref().map_or("Utan organisation", |o| o.name.as_str()))),
        by_role: counts(present.iter().map(|r| r.role.label.as_str())),
        by_municipality: counts(present.iter().map(|r| r.municipality.label.as_str())),
        by_status,
        registrations: list,
    })
}

/// The viewer's own registration for an event, if any.
pub fn mine_for(db: &mut dyn Conn, v: &Viewer, event_id: i64) -> StoreResult<Option<EventRegistration>> {
    let Some(u) = v.user_id() else { return Ok(None) };
    Ok(db.opt(&format!("{SELECT} WHERE r.event_id = $1 AND r.user_id = $2"), args![event_id, u])?)
}

/// Every registration of the viewer, latest event first.
pub fn mine(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<EventRegistration>> {
    let Some(u) = v.user_id() else { return Ok(Vec::new()) };
    Ok(db.all(&format!("{SELECT} WHERE r.user_id = $1 ORDER BY e.starts_at DESC, r.id"), args![u])?)
}

/// The organisations and their first municipality the viewer registers with by default:
/// (org, municipality code).
pub fn defaults(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Option<(i64, Option<String>)>> {
    let Some(org) = v.org_ids().first().copied() else { return Ok(None) };
    let m: Option<String> = db.scalar_opt(
        "SELECT MIN(municipality_code) FROM organisation_municipalities WHERE org_id = $1 AND status = 'approved'",
        args![org],
    )?;
    Ok(Some((org, m)))
}
