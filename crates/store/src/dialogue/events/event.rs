//! Events: conferences, seminars, network meetings and trainings, on site, digital or hybrid,
//! organised by one organisation for a county (and optionally one municipality). Read and
//! written as the module above states (`sharing::event_readable`, `Permission::ManageEvents`).

use brygga_domain::geography as geo;
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::catalogue::acting_org;
use super::{Coded, FORMATS, KINDS, OrgRef, STATUSES, coded, local_label, local_ms, pick, week_label};
use crate::forum_work::actions::clean_text;
use crate::kernel::access::{Action as Permission, allowed};
use crate::kernel::audit::{self, Event as AuditEvent};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::index::{self, Document, Reader};
use crate::kernel::sharing;
use crate::{Viewer, args, now_ms};

pub const TITLE: TextRule = TextRule::line("title", "Evenemangets namn", 200);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 4000).multiline().optional();
pub const PLACE: TextRule = TextRule::line("place", "Platsen", 300).optional();
pub const LINK: TextRule = TextRule::line("link", "Länken", 500).contact_detail().optional();

/// The largest capacity an event takes.
pub const MAX_CAPACITY: i64 = 10_000;

/// What a form or API call sends to create or change an event.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `conference`, `seminar`, `network_meeting` or `training`.
    #[serde(default)]
    pub kind: Option<String>,
    /// `on_site` (default), `digital` or `hybrid`.
    #[serde(default)]
    pub format: Option<String>,
    /// A course of the catalogue this event gives.
    #[serde(default)]
    pub course_id: Option<i64>,
    /// One the viewer manages events for; by default its first. Ignored when editing.
    #[serde(default)]
    pub organiser_org_id: Option<i64>,
    /// `12` (Skåne).
    #[serde(default)]
    pub county_code: Option<String>,
    /// A municipality of that county, or none for the whole county.
    #[serde(default)]
    pub municipality_code: Option<String>,
    /// Swedish local time, `2026-03-12T09:00`.
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub place: Option<String>,
    /// `https://…`, needed when digital or hybrid.
    #[serde(default)]
    pub link: Option<String>,
    /// Empty: no limit.
    #[serde(default)]
    pub capacity: Option<i64>,
    /// Swedish local time; at the latest when the event starts.
    #[serde(default)]
    pub registration_closes_at: Option<String>,
    /// `draft` (default), `published` or `cancelled`.
    #[serde(default)]
    pub status: Option<String>,
}

/// One event, with its seat counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub kind: Coded,
    pub format: Coded,
    pub course_id: Option<i64>,
    pub course_title: Option<String>,
    pub organiser: OrgRef,
    pub county: Coded,
    pub municipality: Option<Coded>,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub place: Option<String>,
    pub link: Option<String>,
    pub capacity: Option<i64>,
    pub registration_closes_at_ms: Option<i64>,
    pub status: Coded,
    /// Registrations holding a seat (registered, attended, no-show).
    pub seats_taken: i64,
    pub waiting: i64,
    pub version: i64,
    pub updated_at_ms: i64,
}

impl Event {
    /// "v. 12".
    pub fn week(&self) -> String {
        week_label(self.starts_at_ms)
    }
    /// "2026-03-12 09:00 – 2026-03-12 16:00".
    pub fn when(&self) -> String {
        format!("{} – {}", local_label(self.starts_at_ms), local_label(self.ends_at_ms))
    }
    pub fn closes(&self) -> Option<String> {
        self.registration_closes_at_ms.map(local_label)
    }
    /// Free seats, `None` when there is no limit.
    pub fn free_seats(&self) -> Option<i64> {
        self.capacity.map(|c| (c - self.seats_taken).max(0))
    }
    pub fn is_full(&self) -> bool {
        self.free_seats() == Some(0)
    }
    pub fn is_draft(&self) -> bool {
        self.status.code == "draft"
    }
}

const SELECT: &str = "SELECT e.id, e.title, e.description, e.kind, e.format, e.course_id, c.title AS course_title, e.organiser_org_id,
        o.name AS organiser_name, e.county_code, e.municipality_code, e.starts_at, e.ends_at, e.place, e.link, e.capacity,
        e.registration_closes_at, e.status, e.version, e.updated_at,
        (SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = e.id AND r.status IN ('registered', 'attended', 'no_show')) AS seats_taken,
        (SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = e.id AND r.status = 'waiting') AS waiting
     FROM events e JOIN organisations o ON o.id = e.organiser_org_id LEFT JOIN courses c ON c.id = e.course_id";

impl FromRow for Event {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("kind")?;
        let format: String = r.get("format")?;
        let status: String = r.get("status")?;
        let county: String = r.get("county_code")?;
        let municipality: Option<String> = r.get("municipality_code")?;
        Ok(Self {
            id: r.get("id")?,
            title: r.get("title")?,
            description: r.get("description")?,
            kind: coded(KINDS, &kind),
            format: coded(FORMATS, &format),
            course_id: r.get("course_id")?,
            course_title: r.get("course_title")?,
            organiser: OrgRef { id: r.get("organiser_org_id")?, name: r.get("organiser_name")? },
            county: Coded { label: geo::county(&county).map_or(county.clone(), |c| c.name.to_owned()), code: county },
            municipality: municipality.map(|m| Coded { label: geo::municipality(&m).map_or(m.clone(), |x| x.name.to_owned()), code: m }),
            starts_at_ms: r.get("starts_at")?,
            ends_at_ms: r.get("ends_at")?,
            place: r.get("place")?,
            link: r.get("link")?,
            capacity: r.get("capacity")?,
            registration_closes_at_ms: r.get("registration_closes_at")?,
            status: coded(STATUSES, &status),
            seats_taken: r.get("seats_taken")?,
            waiting: r.get("waiting")?,
            version: r.get("version")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

/// Without the read check (after a write, the search document, registrations).
pub(crate) fn fetch(db: &mut dyn Conn, id: i64) -> StoreResult<Event> {
    db.opt(&format!("{SELECT} WHERE e.id = $1"), args![id])?.ok_or(StoreError::not_found("event"))
}

/// The event, if the viewer may read it (otherwise not found).
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Event> {
    let e = fetch(db, id)?;
    if sharing::can_read_event(v, e.organiser.id, e.is_draft()) { Ok(e) } else { Err(StoreError::not_found("event")) }
}

/// An event the viewer may change (the organiser's coordinators); one it may read but not
/// change is forbidden, one it may not read not found.
pub(crate) fn load_for_write(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Event> {
    let e = get(db, v, id)?;
    if allowed(v, Permission::ManageEvents { org: e.organiser.id }) { Ok(e) } else { Err(StoreError::Forbidden) }
}

/// Which events a list shows.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
pub struct ListFilter {
    /// Only this county's (`12`).
    #[serde(default)]
    pub county: Option<String>,
    /// Only this kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// Only those not yet ended.
    #[serde(default)]
    pub upcoming: bool,
}

/// The events the viewer may read, soonest first (none for an anonymous visitor).
pub fn list(db: &mut dyn Conn, v: &Viewer, f: &ListFilter) -> StoreResult<Vec<Event>> {
    if !v.is_signed_in() {
        return Ok(Vec::new());
    }
    let mut a: Vec<Value> = vec![sharing::consultation_args(v)];
    let mut sql = format!("{SELECT} WHERE {}", sharing::event_readable(db.dialect(), "e", 1));
    if let Some(c) = f.county.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        a.push(c.into());
        sql += &format!(" AND e.county_code = ${}", a.len());
    }
    if let Some(k) = f.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        a.push(k.into());
        sql += &format!(" AND e.kind = ${}", a.len());
    }
    if f.upcoming {
        a.push(now_ms().into());
        sql += &format!(" AND e.ends_at >= ${}", a.len());
    }
    sql += " ORDER BY e.starts_at, e.id";
    Ok(db.all(&sql, &a)?)
}

struct ValidEvent {
    title: String,
    description: Option<String>,
    kind: String,
    format: String,
    course_id: Option<i64>,
    county: String,
    municipality: Option<String>,
    starts: i64,
    ends: i64,
    place: Option<String>,
    link: Option<String>,
    capacity: Option<i64>,
    closes: Option<i64>,
    status: String,
}

fn prepare(db: &mut dyn Conn, input: &EventInput) -> StoreResult<ValidEvent> {
    let mut errs = FieldErrors::new();
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let description = clean_text(&mut errs, &DESCRIPTION, input.description.as_deref());
    let place = clean_text(&mut errs, &PLACE, input.place.as_deref());
    let link = clean_text(&mut errs, &LINK, input.link.as_deref());
    let kind = pick(&mut errs, "kind", input.kind.as_deref(), KINDS, None, "typ av evenemang");
    let format = pick(&mut errs, "format", input.format.as_deref(), FORMATS, Some("on_site"), "form (på plats, digitalt, hybrid)");
    let status = pick(&mut errs, "status", input.status.as_deref(), STATUSES, Some("draft"), "status");
    if let Some(Some(l)) = &link
        && !(l.starts_with("https://") || l.starts_with("http://"))
    {
        errs.push(FieldError::new("link", "events.link", "Länken måste börja med https://. Klistra in hela adressen till mötet."));
    }
    if matches!(format.as_deref(), Some("digital" | "hybrid")) && matches!(link, Some(None)) {
        errs.push(FieldError::new("link", "required", "Ett digitalt eller hybridevenemang behöver en länk. Fyll i länken till mötet."));
    }
    if matches!(format.as_deref(), Some("on_site" | "hybrid")) && matches!(place, Some(None)) {
        errs.push(FieldError::new("place", "required", "Ange var evenemanget hålls, till exempel lokal och adress."));
    }
    if let Some(c) = input.course_id {
        let n: i64 = db.scalar("SELECT COUNT(*) FROM courses WHERE id = $1", args![c])?;
        if n == 0 {
            errs.push(FieldError::new(
                "course_id",
                "events.unknown_course",
                "Utbildningen finns inte i katalogen. Välj en utbildning ur listan.",
            ));
        }
    }
    let county = match input.county_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errs.push(FieldError::new("county_code", "required", "Välj länet som evenemanget är för."));
            None
        }
        Some(c) => match geo::county(c) {
            Some(c) => Some(c.code.to_owned()),
            None => {
                errs.push(FieldError::new(
                    "county_code",
                    "events.unknown_county",
                    format!("Länskoden {c} finns inte. Välj ett län ur listan."),
                ));
                None
            }
        },
    };
    let municipality = match input.municipality_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(m) => match geo::municipality(m) {
            Some(x) if county.as_deref().is_none_or(|c| c == x.county_code) => Some(x.code.to_owned()),
            Some(x) => {
                errs.push(FieldError::new(
                    "municipality_code",
                    "events.municipality_elsewhere",
                    format!("{} ligger inte i det valda länet. Välj en kommun i länet, eller lämna fältet tomt.", x.name),
                ));
                None
            }
            None => {
                errs.push(FieldError::new(
                    "municipality_code",
                    "events.unknown_municipality",
                    format!("Kommunkoden {m} finns inte. Välj en kommun ur listan."),
                ));
                None
            }
        },
    };
    let starts = if input.starts_at.trim().is_empty() {
        errs.push(FieldError::new("starts_at", "required", "Ange när evenemanget börjar (datum och klockslag)."));
        None
    } else {
        local_ms(&mut errs, "starts_at", &input.starts_at, "start")
    };
    let ends = if input.ends_at.trim().is_empty() {
        errs.push(FieldError::new("ends_at", "required", "Ange när evenemanget slutar (datum och klockslag)."));
        None
    } else {
        local_ms(&mut errs, "ends_at", &input.ends_at, "slut")
    };
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        errs.push(FieldError::new(
            "ends_at",
            "events.time_order",
            "Evenemanget slutar innan det börjar. Välj en sluttid efter starttiden.",
        ));
    }
    let closes = match input.registration_closes_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => local_ms(&mut errs, "registration_closes_at", c, "sista anmälningsdag"),
    };
    if let (Some(c), Some(s)) = (closes, starts)
        && c > s
    {
        errs.push(FieldError::new(
            "registration_closes_at",
            "events.deadline_after_start",
            "Sista anmälningsdag ligger efter starten. Välj en tid före evenemangets start.",
        ));
    }
    let capacity = match input.capacity {
        Some(c) if !(1..=MAX_CAPACITY).contains(&c) => {
            errs.push(FieldError::new(
                "capacity",
                "events.capacity_range",
                format!("Antalet platser ({c}) går inte att använda. Ange mellan 1 och {MAX_CAPACITY}, eller lämna tomt för obegränsat."),
            ));
            None
        }
        other => other,
    };
    errs.into_result()?;
    Ok(ValidEvent {
        title: title.flatten().expect("checked"),
        description: description.expect("checked"),
        kind: kind.expect("checked"),
        format: format.expect("checked"),
        course_id: input.course_id,
        county: county.expect("checked"),
        municipality,
        starts: starts.expect("checked"),
        ends: ends.expect("checked"),
        place: place.expect("checked"),
        link: link.expect("checked"),
        capacity,
        closes,
        status: status.expect("checked"),
    })
}

/// Writes a checked event, without audit or index ([`create`] does both).
fn insert(db: &mut dyn Conn, created_by: Option<i64>, organiser: i64, p: &ValidEvent) -> StoreResult<i64> {
    let now = now_ms();
    Ok(db.scalar(
        "INSERT INTO events (organiser_org_id, title, description, kind, format, course_id, county_code, municipality_code, starts_at, ends_at,
            place, link, capacity, registration_closes_at, status, created_by_user_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $17) RETURNING id",
        args![
            organiser,
            p.title.as_str(),
            p.description.as_deref(),
            p.kind.as_str(),
            p.format.as_str(),
            p.course_id,
            p.county.as_str(),
            p.municipality.as_deref(),
            p.starts,
            p.ends,
            p.place.as_deref(),
            p.link.as_deref(),
            p.capacity,
            p.closes,
            p.status.as_str(),
            created_by,
            now
        ],
    )?)
}

/// Creates an event organised by `input.organiser_org_id` (or the viewer's first organisation
/// it manages events for).
pub fn create(db: &mut dyn Conn, v: &Viewer, input: &EventInput) -> StoreResult<Event> {
    let organiser = acting_org(v, input.organiser_org_id)?;
    let p = prepare(db, input)?;
    let id = insert(db, v.user_id(), organiser, &p)?;
    index::touch(db, "event", id)?;
    audit::record(db, v, AuditEvent::new("event.create").record("event", id).org(organiser))?;
    fetch(db, id)
}

/// Changes an event (the organiser's coordinators). A stale `version` is a conflict. A
/// capacity below the seats already taken is refused: nobody loses a seat by an edit.
pub fn edit(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, input: &EventInput) -> StoreResult<Event> {
    let before = load_for_write(db, v, id)?;
    let p = prepare(db, input)?;
    if let Some(c) = p.capacity
        && c < before.seats_taken
    {
        let mut errs = FieldErrors::new();
        errs.push(FieldError::new(
            "capacity",
            "events.capacity_below_taken",
            format!(
                "{} platser är redan tagna. Ange minst {} platser, eller avanmäl deltagare först.",
                before.seats_taken, before.seats_taken
            ),
        ));
        errs.into_result()?;
    }
    if before.version != version {
        return Err(StoreError::Stale);
    }
    db.execute(
        "UPDATE events SET title = $1, description = $2, kind = $3, format = $4, course_id = $5, county_code = $6, municipality_code = $7,
            starts_at = $8, ends_at = $9, place = $10, link = $11, capacity = $12, registration_closes_at = $13, status = $14,
            version = version + 1, updated_at = $15 WHERE id = $16",
        args![
            p.title.as_str(),
            p.description.as_deref(),
            p.kind.as_str(),
            p.format.as_str(),
            p.course_id,
            p.county.as_str(),
            p.municipality.as_deref(),
            p.starts,
            p.ends,
            p.place.as_deref(),
            p.link.as_deref(),
            p.capacity,
            p.closes,
            p.status.as_str(),
            now_ms(),
            id
        ],
    )?;
    // More seats: the waiting list moves up.
    super::registrations::fill_free_seats(db, id)?;
    index::touch(db, "event", id)?;
    audit::record(db, v, AuditEvent::new("event.update").record("event", id).org(before.organiser.id))?;
    fetch(db, id)
}

/// Lists every event id (the search rebuild).
pub const SEARCH_IDS: &str = "SELECT id FROM events";

/// The search document of an event: published events for every signed-in user, every event
/// for the organiser's users.
pub fn search_document(db: &mut dyn Conn, id: i64) -> StoreResult<Option<Document>> {
    let e = match fetch(db, id) {
        Ok(e) => e,
        Err(StoreError::NotFound { .. }) => return Ok(None),
        Err(err) => return Err(err),
    };
    let mut readers = vec![Reader::Org(e.organiser.id)];
    if e.status.code == "published" {
        readers.push(Reader::SignedIn);
    }
    let mut body = vec![e.kind.label.clone(), e.format.label.clone(), e.organiser.name.clone(), e.county.label.clone()];
    body.extend(e.description.clone());
    body.extend(e.course_title.clone());
    body.extend(e.place.clone());
    Ok(Some(Document {
        kind: "event",
        id,
        title: e.title.clone(),
        body: body.join("\n"),
        municipalities: e.municipality.iter().map(|m| m.code.clone()).collect(),
        path: format!("/evenemang/{id}"),
        readers,
        updated_at_ms: e.updated_at_ms,
    }))
}

/// The organisations the viewer may organise events for, by id and name.
pub fn organiser_choices(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<OrgRef>> {
    let ids: Vec<i64> = v.org_ids().into_iter().filter(|o| allowed(v, Permission::ManageEvents { org: *o })).collect();
    Ok(db.map_all(
        &format!("SELECT id, name FROM organisations WHERE {} ORDER BY id", db.dialect().in_list("id", 1)),
        &[Value::IntList(ids)],
        |r| Ok(OrgRef { id: r.get("id")?, name: r.get("name")? }),
    )?)
}
