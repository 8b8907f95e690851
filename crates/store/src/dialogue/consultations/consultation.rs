//! One consultation: what it is about (kind, purpose, questions), who organises it, its
//! arrangements (time, place, digital option, free-text arrangements that fit civil society),
//! the registration deadline, when input closes, and its status draft → open → closed; the
//! invitations chosen from the directory and their answers; registrations. Rules: the module
//! doc of [`super`].

use std::collections::BTreeMap;

use brygga_domain::geography::MunicipalityCode;
use brygga_domain::text::TextRule;
use brygga_domain::time::{format_local, local};
use brygga_domain::{FieldError, FieldErrors};
use jiff::Timestamp;
use jiff::civil::Weekday;
use serde::{Deserialize, Serialize};

use super::{ATTENDANCES, KINDS, STATUSES, known, label};
use crate::actors::codes::{self, List};
use crate::forum_work::actions::clean_text;
use crate::kernel::access::{Action as Permission, allowed};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::index::{self, Document, Reader};
use crate::kernel::mail::{self, NewMail, Postmark};
use crate::kernel::sharing;
use crate::picture::observations::parse_time;
use crate::{Viewer, args, now_ms, sort_key};

pub const TITLE: TextRule = TextRule::line("title", "Rubriken", 200);
pub const PURPOSE: TextRule = TextRule::line("purpose", "Syftet", 4000).multiline().optional();
pub const PLACE: TextRule = TextRule::line("place", "Platsen", 300).optional();
/// A link to the digital meeting: an address by nature, not personal data.
pub const DIGITAL_LINK: TextRule = TextRule::line("digital_link", "Länken till det digitala mötet", 500).contact_detail().optional();
pub const ARRANGEMENTS: TextRule = TextRule::line("arrangements", "Arrangemangen", 2000).multiline().optional();
pub const QUESTION: TextRule = TextRule::line("questions", "En fråga", 1000).multiline();
pub const NEEDS: TextRule = TextRule::line("needs", "Behoven", 1000).multiline().optional();

/// The most questions one consultation has.
pub const MAX_QUESTIONS: usize = 30;

/// What a form or API call sends to create or change a consultation. Times are local Swedish
/// time, `2025-01-28 17:00` (or RFC 3339).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsultationInput {
    pub title: String,
    /// `dialogue_meeting`, `round_table`, `written` or `survey`.
    pub kind: String,
    #[serde(default)]
    pub purpose: Option<String>,
    /// The municipality it concerns (`1287`), whose lägesbild its flagged input feeds.
    #[serde(default)]
    pub municipality_code: Option<String>,
    #[serde(default)]
    pub meets_at: Option<String>,
    #[serde(default)]
    pub meets_until: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub digital_link: Option<String>,
    #[serde(default)]
    pub arrangements: Option<String>,
    #[serde(default)]
    pub registration_closes_at: Option<String>,
    /// Required: when input can no longer be given.
    #[serde(default)]
    pub input_closes_at: Option<String>,
    /// The questions in order (empty lines are left out).
    #[serde(default)]
    pub questions: Vec<String>,
    /// The organising organisation (one the viewer organises for); by default the viewer's
    /// first. Ignored when editing.
    #[serde(default)]
    pub lead_org_id: Option<i64>,
    /// Co-organising organisations.
    #[serde(default)]
    pub co_organiser_org_ids: Vec<i64>,
}

/// An organisation by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgRef {
    pub id: i64,
    pub name: String,
}

/// An invited organisation and its answer (`accepted`, `declined`, none yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invited {
    pub id: i64,
    pub name: String,
    pub response: Option<String>,
}

/// One question, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Question {
    pub id: i64,
    pub position: i64,
    pub text: String,
}

/// One consultation as the viewer may read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consultation {
    pub id: i64,
    pub lead_org_id: i64,
    pub lead_org_name: String,
    pub title: String,
    pub kind: String,
    pub kind_label: String,
    pub purpose: Option<String>,
    pub municipality_code: Option<String>,
    pub municipality_name: Option<String>,
    pub meets_at: Option<i64>,
    pub meets_until: Option<i64>,
    pub place: Option<String>,
    pub digital_link: Option<String>,
    pub arrangements: Option<String>,
    pub registration_closes_at: Option<i64>,
    pub input_closes_at: i64,
    /// `draft`, `open` or `closed`.
    pub status: String,
    pub status_label: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// The organising organisations' ids (the lead first).
    pub organisers: Vec<i64>,
    pub organiser_names: Vec<OrgRef>,
    pub questions: Vec<Question>,
    pub invited: Vec<Invited>,
    /// Whether the viewer's organisation organises it.
    pub is_organiser: bool,
}

impl Consultation {
    /// Whether the meeting starts at 17:00 or later, or on a weekend (Swedish time): a time
    /// volunteers can come.
    pub fn outside_office_hours(&self) -> bool {
        self.meets_at.is_some_and(outside_office_hours)
    }
    /// Whether input can be given at `now`.
    pub fn accepts_input(&self, now: i64) -> bool {
        self.status == "open" && now < self.input_closes_at
    }
    /// The invited organisations' ids.
    pub fn invited_ids(&self) -> Vec<i64> {
        self.invited.iter().map(|i| i.id).collect()
    }
    /// "2025-01-28 17:00–20:00" or "2025-01-28 17:00", or "Ingen mötestid" (written consultations).
    pub fn time_label(&self) -> String {
        match (self.meets_at, self.meets_until) {
            (Some(a), Some(b)) => {
                let (from, to) = (format_local(ts(a)), format_local(ts(b)));
                match (from.split_once(' '), to.split_once(' ')) {
                    (Some((d1, _)), Some((d2, t2))) if d1 == d2 => format!("{from}–{t2}"),
                    _ => format!("{from} – {to}"),
                }
            }
            (Some(a), None) => format_local(ts(a)),
            _ => "Ingen mötestid".to_owned(),
        }
    }
}

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Whether an instant (epoch ms) is 17:00 or later, or on a Saturday or Sunday, in Sweden.
pub fn outside_office_hours(ms: i64) -> bool {
    let z = local(ts(ms));
    matches!(z.weekday(), Weekday::Saturday | Weekday::Sunday) || z.hour() >= 17
}

const SELECT: &str = "SELECT c.id, c.lead_org_id, o.name AS lead_org_name, c.title, c.kind, c.purpose, c.municipality_code,
        m.name AS municipality_name, c.meets_at, c.meets_until, c.place, c.digital_link, c.arrangements, c.registration_closes_at,
        c.input_closes_at, c.status, c.version, c.created_at, c.updated_at
     FROM consultations c JOIN organisations o ON o.id = c.lead_org_id LEFT JOIN municipalities m ON m.code = c.municipality_code";

impl FromRow for Consultation {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("kind")?;
        let status: String = r.get("status")?;
        Ok(Self {
            id: r.get("id")?,
            lead_org_id: r.get("lead_org_id")?,
            lead_org_name: r.get("lead_org_name")?,
            title: r.get("title")?,
            kind_label: label(KINDS, &kind),
            kind,
            purpose: r.get("purpose")?,
            municipality_code: r.get("municipality_code")?,
            municipality_name: r.get("municipality_name")?,
            meets_at: r.get("meets_at")?,
            meets_until: r.get("meets_until")?,
            place: r.get("place")?,
            digital_link: r.get("digital_link")?,
            arrangements: r.get("arrangements")?,
            registration_closes_at: r.get("registration_closes_at")?,
            input_closes_at: r.get("input_closes_at")?,
            status_label: label(STATUSES, &status),
            status,
            version: r.get("version")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
            organisers: Vec::new(),
            organiser_names: Vec::new(),
            questions: Vec::new(),
            invited: Vec::new(),
            is_organiser: false,
        })
    }
}

/// Fills organisers, questions and invitations of `list` (three queries for the whole list).
fn complete(db: &mut dyn Conn, v: &Viewer, list: &mut [Consultation]) -> StoreResult<()> {
    if list.is_empty() {
        return Ok(());
    }
    let ids = Value::IntList(list.iter().map(|c| c.id).collect());
    let d = db.dialect();
    let mut organisers: BTreeMap<i64, Vec<OrgRef>> = BTreeMap::new();
    for (cid, org) in db.map_all(
        &format!(
            "SELECT co.consultation_id, o.id, o.name FROM consultation_organisers co JOIN organisations o ON o.id = co.org_id WHERE {}",
            d.in_list("co.consultation_id", 1)
        ),
        std::slice::from_ref(&ids),
        |r| Ok((r.get::<i64>("consultation_id")?, OrgRef { id: r.get("id")?, name: r.get("name")? })),
    )? {
        organisers.entry(cid).or_default().push(org);
    }
    let mut questions: BTreeMap<i64, Vec<Question>> = BTreeMap::new();
    for (cid, q) in db.map_all(
        &format!(
            "SELECT consultation_id, id, position, text FROM consultation_questions WHERE {} ORDER BY position",
            d.in_list("consultation_id", 1)
        ),
        std::slice::from_ref(&ids),
        |r| Ok((r.get::<i64>("consultation_id")?, Question { id: r.get("id")?, position: r.get("position")?, text: r.get("text")? })),
    )? {
        questions.entry(cid).or_default().push(q);
    }
    let mut invited: BTreeMap<i64, Vec<Invited>> = BTreeMap::new();
    for (cid, i) in db.map_all(
        &format!(
            "SELECT ci.consultation_id, o.id, o.name, ci.response FROM consultation_invitations ci JOIN organisations o ON o.id = ci.org_id
             WHERE {}",
            d.in_list("ci.consultation_id", 1)
        ),
        &[ids],
        |r| Ok((r.get::<i64>("consultation_id")?, Invited { id: r.get("id")?, name: r.get("name")?, response: r.get("response")? })),
    )? {
        invited.entry(cid).or_default().push(i);
    }
    for c in list.iter_mut() {
        let mut orgs = organisers.remove(&c.id).unwrap_or_default();
        orgs.sort_by_cached_key(|o| (o.id != c.lead_org_id, sort_key(&o.name)));
        c.organisers = orgs.iter().map(|o| o.id).collect();
        c.organiser_names = orgs;
        c.questions = questions.remove(&c.id).unwrap_or_default();
        let mut inv = invited.remove(&c.id).unwrap_or_default();
        inv.sort_by_cached_key(|i| sort_key(&i.name));
        c.invited = inv;
        c.is_organiser = sharing::organises_consultation(v, &c.organisers);
    }
    Ok(())
}

/// Without the read check (the search document, after a write).
pub(crate) fn fetch(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Option<Consultation>> {
    let mut one: Vec<Consultation> = db.all(&format!("{SELECT} WHERE c.id = $1"), args![id])?;
    complete(db, v, &mut one)?;
    Ok(one.pop())
}

/// The consultation, if the viewer may read it (organisers; invited organisations once it is
/// not a draft). The read rule is applied in the query.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Option<Consultation>> {
    let d = db.dialect();
    let mut one: Vec<Consultation> = db.all(
        &format!("{SELECT} WHERE c.id = $1 AND {}", sharing::consultation_readable(d, "c", 2)),
        &[id.into(), sharing::consultation_args(v)],
    )?;
    complete(db, v, &mut one)?;
    Ok(one.pop())
}

/// [`get`], with "not found" for a consultation the viewer may not read.
pub fn require(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Consultation> {
    get(db, v, id)?.ok_or(StoreError::not_found("consultation"))
}

/// The consultations the viewer may read, the latest meeting (or closing time) first.
pub fn list(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<Consultation>> {
    let d = db.dialect();
    let mut list: Vec<Consultation> = db.all(
        &format!(
            "{SELECT} WHERE {} ORDER BY COALESCE(c.meets_at, c.input_closes_at) DESC, c.id DESC",
            sharing::consultation_readable(d, "c", 1)
        ),
        &[sharing::consultation_args(v)],
    )?;
    complete(db, v, &mut list)?;
    Ok(list)
}

/// The organisations the viewer may organise consultations for, by Swedish name.
pub fn organiser_choices(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<OrgRef>> {
    let ids: Vec<i64> = v.org_ids().into_iter().filter(|o| allowed(v, Permission::OrganiseConsultation { org: *o })).collect();
    let mut list =
        db.map_all(&format!("SELECT id, name FROM organisations WHERE {}", db.dialect().in_list("id", 1)), &[Value::IntList(ids)], |r| {
            Ok(OrgRef { id: r.get("id")?, name: r.get("name")? })
        })?;
    list.sort_by_cached_key(|o| sort_key(&o.name));
    Ok(list)
}

/// Every organisation, by Swedish name (the co-organiser choices).
pub fn organisations(db: &mut dyn Conn) -> StoreResult<Vec<OrgRef>> {
    let mut list = db.map_all("SELECT id, name FROM organisations", &[], |r| Ok(OrgRef { id: r.get("id")?, name: r.get("name")? }))?;
    list.sort_by_cached_key(|o| sort_key(&o.name));
    Ok(list)
}

/// A checked input, ready to write.
#[derive(Debug, Clone)]
pub struct ValidConsultation {
    pub lead_org_id: i64,
    pub co_organisers: Vec<i64>,
    pub title: String,
    pub kind: String,
    pub purpose: Option<String>,
    pub municipality_code: Option<String>,
    pub meets_at: Option<i64>,
    pub meets_until: Option<i64>,
    pub place: Option<String>,
    pub digital_link: Option<String>,
    pub arrangements: Option<String>,
    pub registration_closes_at: Option<i64>,
    pub input_closes_at: i64,
    pub questions: Vec<String>,
}

fn opt_time(errs: &mut FieldErrors, field: &str, input: Option<&str>) -> Option<Option<i64>> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => match parse_time(field, s) {
            Ok(t) => Some(Some(t.as_millisecond())),
            Err(e) => {
                errs.push(e);
                None
            }
        },
    }
}

/// Checks an input and reports every problem at once. `before`: the stored consultation when
/// editing (its lead stays).
pub fn prepare(db: &mut dyn Conn, v: &Viewer, input: &ConsultationInput, before: Option<&Consultation>) -> StoreResult<ValidConsultation> {
    let lead = match (before, input.lead_org_id) {
        (Some(b), _) => b.lead_org_id,
        (None, Some(o)) => o,
        (None, None) => {
            v.org_ids().into_iter().find(|o| allowed(v, Permission::OrganiseConsultation { org: *o })).ok_or(StoreError::Forbidden)?
        }
    };
    let may = match before {
        Some(b) => b.organisers.iter().any(|o| allowed(v, Permission::OrganiseConsultation { org: *o })),
        None => allowed(v, Permission::OrganiseConsultation { org: lead }),
    };
    if !may {
        return Err(StoreError::Forbidden);
    }
    let mut errs = FieldErrors::new();
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let purpose = clean_text(&mut errs, &PURPOSE, input.purpose.as_deref());
    let place = clean_text(&mut errs, &PLACE, input.place.as_deref());
    let digital_link = clean_text(&mut errs, &DIGITAL_LINK, input.digital_link.as_deref());
    if let Some(Some(link)) = &digital_link
        && !(link.starts_with("https://") || link.starts_with("http://"))
    {
        errs.push(FieldError::new(
            "digital_link",
            "consultation.link",
            "Länken till det digitala mötet ska börja med https://. Klistra in hela adressen, eller lämna fältet tomt.",
        ));
    }
    let arrangements = clean_text(&mut errs, &ARRANGEMENTS, input.arrangements.as_deref());
    let kind = input.kind.trim();
    if !known(KINDS, kind) {
        errs.push(FieldError::new(
            "kind",
            "consultation.kind",
            "Välj vilket slags samråd det är: dialogmöte, rundabordssamtal, skriftligt samråd eller enkät.",
        ));
    }
    let municipality = match input.municipality_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(m) => match MunicipalityCode::parse(m) {
            Ok(c) => Some(c.as_str().to_owned()),
            Err(e) => {
                errs.push(FieldError::new("municipality_code", "municipality.unknown", e.to_string()));
                None
            }
        },
    };
    let meets_at = opt_time(&mut errs, "meets_at", input.meets_at.as_deref());
    let meets_until = opt_time(&mut errs, "meets_until", input.meets_until.as_deref());
    if let (Some(Some(a)), Some(Some(b))) = (meets_at, meets_until)
        && b < a
    {
        errs.push(FieldError::new(
            "meets_until",
            "consultation.time_order",
            format!("Mötet slutar ({}) innan det börjar ({}). Rätta sluttiden.", format_local(ts(b)), format_local(ts(a))),
        ));
    }
    if (kind == "dialogue_meeting" || kind == "round_table") && matches!(meets_at, Some(None)) {
        errs.push(FieldError::new(
            "meets_at",
            "required",
            "Ett möte behöver en tid. Skriv när mötet börjar, till exempel 2025-01-28 17:00.",
        ));
    }
    let registration = opt_time(&mut errs, "registration_closes_at", input.registration_closes_at.as_deref());
    let closes = match opt_time(&mut errs, "input_closes_at", input.input_closes_at.as_deref()) {
        Some(None) => {
            errs.push(FieldError::new(
                "input_closes_at",
                "required",
                "Ange när medskick senast kan lämnas, till exempel en vecka efter mötet: 2025-02-04 23:59.",
            ));
            None
        }
        other => other.flatten(),
    };
    if let (Some(c), Some(Some(a))) = (closes, meets_at)
        && c < a
    {
        errs.push(FieldError::new(
            "input_closes_at",
            "consultation.closes_before_meeting",
            format!(
                "Medskick stänger ({}) innan mötet börjar ({}). Låt medskicken vara öppna åtminstone till mötet.",
                format_local(ts(c)),
                format_local(ts(a))
            ),
        ));
    }
    let mut questions = Vec::new();
    for q in input.questions.iter().filter(|q| !q.trim().is_empty()) {
        match QUESTION.parse(q) {
            Ok(Some(t)) => questions.push(t),
            Ok(None) => {}
            Err(e) => {
                errs.push(e);
                break;
            }
        }
    }
    if questions.len() > MAX_QUESTIONS {
        errs.push(FieldError::new(
            "questions",
            "consultation.too_many_questions",
            format!("Ett samråd kan ha högst {MAX_QUESTIONS} frågor. Slå ihop eller ta bort några."),
        ));
    }
    let mut co = Vec::new();
    for o in &input.co_organiser_org_ids {
        if *o != lead && !co.contains(o) {
            co.push(*o);
        }
    }
    if !co.is_empty() {
        let n: i64 = db.scalar(
            &format!("SELECT COUNT(*) FROM organisations WHERE {}", db.dialect().in_list("id", 1)),
            &[Value::IntList(co.clone())],
        )?;
        if n != co.len() as i64 {
            errs.push(FieldError::new(
                "co_organiser_org_ids",
                "consultation.unknown_org",
                "En av medarrangörerna finns inte. Välj ur listan.",
            ));
        }
    }
    errs.into_result()?;
    Ok(ValidConsultation {
        lead_org_id: lead,
        co_organisers: co,
        title: title.flatten().expect("checked"),
        kind: kind.to_owned(),
        purpose: purpose.expect("checked"),
        municipality_code: municipality,
        meets_at: meets_at.expect("checked"),
        meets_until: meets_until.expect("checked"),
        place: place.expect("checked"),
        digital_link: digital_link.expect("checked"),
        arrangements: arrangements.expect("checked"),
        registration_closes_at: registration.expect("checked"),
        input_closes_at: closes.expect("checked"),
        questions,
    })
}

fn write_children(db: &mut dyn Conn, id: i64, p: &ValidConsultation) -> StoreResult<()> {
    db.execute("DELETE FROM consultation_organisers WHERE consultation_id = $1", args![id])?;
    db.execute("INSERT INTO consultation_organisers (consultation_id, org_id) VALUES ($1, $2)", args![id, p.lead_org_id])?;
    for o in &p.co_organisers {
        db.execute("INSERT INTO consultation_organisers (consultation_id, org_id) VALUES ($1, $2)", args![id, *o])?;
    }
    // Questions keep their ids where the text at a position is unchanged, so input stays
    // attached; changed positions get the new text; extra positions go.
    let existing: Vec<(i64, i64, String)> =
        db.map_all("SELECT id, position, text FROM consultation_questions WHERE consultation_id = $1 ORDER BY position", args![id], |r| {
            Ok((r.get("id")?, r.get("position")?, r.get("text")?))
        })?;
    for (i, text) in p.questions.iter().enumerate() {
        let pos = i as i64 + 1;
        match existing.iter().find(|(_, p, _)| *p == pos) {
            Some((_, _, t)) if t == text => {}
            Some((qid, _, _)) => {
                db.execute("UPDATE consultation_questions SET text = $1 WHERE id = $2", args![text.as_str(), *qid])?;
            }
            None => {
                db.execute(
                    "INSERT INTO consultation_questions (consultation_id, position, text) VALUES ($1, $2, $3)",
                    args![id, pos, text.as_str()],
                )?;
            }
        }
    }
    db.execute("DELETE FROM consultation_questions WHERE consultation_id = $1 AND position > $2", args![id, p.questions.len() as i64])?;
    Ok(())
}

fn organiser_orgs(c: &Consultation) -> Vec<i64> {
    c.organisers.clone()
}

/// Creates a draft consultation organised by `input.lead_org_id` (coordinators and
/// administrators of it).
pub fn create(db: &mut dyn Conn, v: &Viewer, input: &ConsultationInput) -> StoreResult<Consultation> {
    let p = prepare(db, v, input, None)?;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO consultations (lead_org_id, title, kind, purpose, municipality_code, meets_at, meets_until, place, digital_link,
            arrangements, registration_closes_at, input_closes_at, status, created_by_user_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'draft', $13, 1, $14, $14) RETURNING id",
        args![
            p.lead_org_id,
            p.title.as_str(),
            p.kind.as_str(),
            p.purpose.as_deref(),
            p.municipality_code.as_deref(),
            p.meets_at,
            p.meets_until,
            p.place.as_deref(),
            p.digital_link.as_deref(),
            p.arrangements.as_deref(),
            p.registration_closes_at,
            p.input_closes_at,
            v.user_id(),
            now
        ],
    )?;
    write_children(db, id, &p)?;
    index::touch(db, "consultation", id)?;
    let mut orgs = vec![p.lead_org_id];
    orgs.extend(&p.co_organisers);
    audit::record(db, v, Event::new("consultation.create").record("consultation", id).orgs(&orgs))?;
    fetch(db, v, id)?.ok_or(StoreError::not_found("consultation"))
}

/// Loads a consultation the viewer organises (an organiser's coordinators and administrators);
/// one it may read but not organise is forbidden, one it may not read is not found.
pub fn load_for_organiser(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Consultation> {
    let c = require(db, v, id)?;
    if c.organisers.iter().any(|o| allowed(v, Permission::OrganiseConsultation { org: *o })) { Ok(c) } else { Err(StoreError::Forbidden) }
}

/// Changes a consultation (its organisers). A stale `version` is a conflict.
pub fn edit(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, input: &ConsultationInput) -> StoreResult<Consultation> {
    let before = load_for_organiser(db, v, id)?;
    let p = prepare(db, v, input, Some(&before))?;
    if before.version != version {
        return Err(StoreError::Stale);
    }
    db.execute(
        "UPDATE consultations SET title = $1, kind = $2, purpose = $3, municipality_code = $4, meets_at = $5, meets_until = $6, place = $7,
            digital_link = $8, arrangements = $9, registration_closes_at = $10, input_closes_at = $11, version = version + 1, updated_at = $12
         WHERE id = $13",
        args![
            p.title.as_str(),
            p.kind.as_str(),
            p.purpose.as_deref(),
            p.municipality_code.as_deref(),
            p.meets_at,
            p.meets_until,
            p.place.as_deref(),
            p.digital_link.as_deref(),
            p.arrangements.as_deref(),
            p.registration_closes_at,
            p.input_closes_at,
            now_ms(),
            id
        ],
    )?;
    write_children(db, id, &p)?;
    index::touch(db, "consultation", id)?;
    let mut orgs = organiser_orgs(&before);
    orgs.extend(&p.co_organisers);
    audit::record(db, v, Event::new("consultation.update").record("consultation", id).orgs(&orgs))?;
    fetch(db, v, id)?.ok_or(StoreError::not_found("consultation"))
}

/// Moves a consultation to `status` (`open` or `closed`; a closed one may be reopened, an
/// open one not made a draft again: invited organisations have seen it).
pub fn set_status(db: &mut dyn Conn, v: &Viewer, id: i64, status: &str) -> StoreResult<Consultation> {
    let before = load_for_organiser(db, v, id)?;
    if !matches!(status, "open" | "closed") {
        return Err(StoreError::Invalid(FieldErrors::from(FieldError::new(
            "status",
            "consultation.status",
            "Ett samråd kan öppnas (open) eller avslutas (closed). Ett öppnat samråd blir aldrig utkast igen.",
        ))));
    }
    db.execute("UPDATE consultations SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3", args![status, now_ms(), id])?;
    index::touch(db, "consultation", id)?;
    let mut orgs = organiser_orgs(&before);
    orgs.extend(before.invited_ids());
    audit::record(
        db,
        v,
        Event::new(if status == "open" { "consultation.open" } else { "consultation.close" }).record("consultation", id).orgs(&orgs),
    )?;
    fetch(db, v, id)?.ok_or(StoreError::not_found("consultation"))
}

// ---------------------------------------------------------------------------------------------
// Invitations

/// Which organisations to list as candidates: the directory's filters (municipality, theme,
/// target group). A theme filters by what the organisation's directory profile says; no filter
/// requires crime prevention.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CandidateFilter {
    /// Municipality code, `1287`: organisations with an approved claim there.
    pub kommun: Option<String>,
    /// A theme code of the directory, `idrott`.
    pub tema: Option<String>,
    /// A target-group code of the directory, `unga`.
    pub malgrupp: Option<String>,
}

/// An organisation the organiser may invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    /// The organisation's kind (`civil_society`, `municipality`, …).
    pub kind: String,
    pub invited: bool,
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The organisations matching `f` (every organisation but the organisers), by Swedish name, for
/// the organisers of consultation `id`. Bad filters are field errors under their query names.
pub fn candidates(db: &mut dyn Conn, v: &Viewer, id: i64, f: &CandidateFilter) -> StoreResult<Vec<Candidate>> {
    let c = load_for_organiser(db, v, id)?;
    let mut errs = FieldErrors::new();
    let municipality = present(&f.kommun).and_then(|k| {
        errs.take(
            MunicipalityCode::parse(k)
                .map(|c| c.as_str().to_owned())
                .map_err(|e| FieldError::new("kommun", "municipality.unknown", e.to_string())),
        )
    });
    let theme = present(&f.tema).and_then(|t| errs.take(codes::parse_list("tema", List::Themes, &[t.to_owned()]).map(|mut l| l.remove(0))));
    let group = present(&f.malgrupp)
        .and_then(|t| errs.take(codes::parse_list("malgrupp", List::TargetGroups, &[t.to_owned()]).map(|mut l| l.remove(0))));
    errs.into_result()?;
    let mut sql =
        "SELECT o.id, o.name, o.kind FROM organisations o LEFT JOIN directory_profiles dp ON dp.org_id = o.id WHERE 1 = 1".to_owned();
    let mut a: Vec<Value> = Vec::new();
    if let Some(m) = municipality {
        a.push(m.into());
        sql += &format!(
            " AND EXISTS (SELECT 1 FROM organisation_municipalities om WHERE om.org_id = o.id AND om.status = 'approved' AND om.municipality_code = ${})",
            a.len()
        );
    }
    if let Some(t) = theme {
        a.push(format!("%,{t},%").into());
        sql += &format!(" AND dp.themes LIKE ${}", a.len());
    }
    if let Some(g) = group {
        a.push(format!("%,{g},%").into());
        sql += &format!(" AND dp.target_groups LIKE ${}", a.len());
    }
    let invited = c.invited_ids();
    let mut out: Vec<Candidate> = db
        .map_all(&sql, &a, |r| {
            let id: i64 = r.get("id")?;
            Ok(Candidate { id, name: r.get("name")?, kind: r.get("kind")?, invited: invited.contains(&id) })
        })?
        .into_iter()
        .filter(|o| !c.organisers.contains(&o.id))
        .collect();
    out.sort_by_cached_key(|o| sort_key(&o.name));
    Ok(out)
}

/// Invites `org_ids` (not yet invited, not organisers) and writes one e-mail per coordinator
/// and administrator of each to the outbox: the title, the time and the link, nothing else of
/// the consultation. Returns how many organisations were newly invited.
pub fn invite(db: &mut dyn Conn, v: &Viewer, id: i64, org_ids: &[i64], post: &Postmark) -> StoreResult<usize> {
    let c = load_for_organiser(db, v, id)?;
    if org_ids.is_empty() {
        return Err(StoreError::Invalid(FieldErrors::from(FieldError::new(
            "org_ids",
            "required",
            "Välj minst en organisation att bjuda in. Kryssa i organisationerna i listan.",
        ))));
    }
    let mut new: Vec<i64> = Vec::new();
    for o in org_ids {
        if c.organisers.contains(o) || c.invited.iter().any(|i| i.id == *o) || new.contains(o) {
            continue;
        }
        new.push(*o);
    }
    if !new.is_empty() {
        let n: i64 = db.scalar(
            &format!("SELECT COUNT(*) FROM organisations WHERE {}", db.dialect().in_list("id", 1)),
            &[Value::IntList(new.clone())],
        )?;
        if n != new.len() as i64 {
            return Err(StoreError::Invalid(FieldErrors::from(FieldError::new(
                "org_ids",
                "consultation.unknown_org",
                "En av organisationerna finns inte. Ladda om sidan och välj igen.",
            ))));
        }
    }
    let now = now_ms();
    for o in &new {
        db.execute(
            "INSERT INTO consultation_invitations (consultation_id, org_id, invited_at, invited_by_user_id) VALUES ($1, $2, $3, $4)",
            args![id, *o, now, v.user_id()],
        )?;
        let recipients: Vec<(i64, String)> = db.map_all(
            "SELECT u.id, u.email FROM memberships ms JOIN users u ON u.id = ms.user_id
             WHERE ms.org_id = $1 AND ms.role IN ('administrator', 'coordinator') ORDER BY u.id",
            args![*o],
            |r| Ok((r.get("id")?, r.get("email")?)),
        )?;
        for (uid, email) in recipients {
            let Ok(to) = brygga_domain::account::Email::parse(&email) else { continue };
            let body = format!(
                "Er organisation är inbjuden av {} till samrådet ”{}”.\n\nTid: {}\n\nLäs inbjudan och svara i Brygga: {}\n",
                c.lead_org_name,
                c.title,
                c.time_label(),
                post.link(&format!("/samrad/{id}"))
            );
            mail::enqueue(
                db,
                &NewMail {
                    kind: "consultation_invitation",
                    to,
                    to_user_id: Some(uid),
                    subject: format!("Inbjudan till samråd: {}", c.title),
                    body,
                    list_unsubscribe: None,
                },
                &post.host,
                now,
            )?;
        }
    }
    if !new.is_empty() {
        index::touch(db, "consultation", id)?;
        let mut orgs = organiser_orgs(&c);
        orgs.extend(&new);
        audit::record(db, v, Event::new("consultation.invite").record("consultation", id).orgs(&orgs))?;
    }
    Ok(new.len())
}

/// The invited organisation `org_id` accepts or declines (its coordinators and administrators).
pub fn respond(db: &mut dyn Conn, v: &Viewer, id: i64, org_id: i64, accept: bool) -> StoreResult<Consultation> {
    let c = require(db, v, id)?;
    if !c.invited.iter().any(|i| i.id == org_id) {
        return Err(StoreError::not_found("invitation"));
    }
    if !allowed(v, Permission::AnswerConsultation { org: org_id }) {
        return Err(StoreError::Forbidden);
    }
    let response = if accept { "accepted" } else { "declined" };
    db.execute(
        "UPDATE consultation_invitations SET response = $1, responded_at = $2 WHERE consultation_id = $3 AND org_id = $4",
        args![response, now_ms(), id, org_id],
    )?;
    let mut orgs = organiser_orgs(&c);
    orgs.push(org_id);
    audit::record(db, v, Event::new("consultation.respond").record("consultation", id).orgs(&orgs))?;
    fetch(db, v, id)?.ok_or(StoreError::not_found("consultation"))
}

// ---------------------------------------------------------------------------------------------
// Registrations

/// What a person sends to register.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    /// The invited organisation the person takes part for; by default the viewer's first invited one.
    #[serde(default)]
    pub org_id: Option<i64>,
    /// `on_site`, `digital` or `written`.
    pub attendance: String,
    /// Needs (accessibility, interpretation, food): no personal data.
    #[serde(default)]
    pub needs: Option<String>,
}

/// A person's registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Registration {
    pub id: i64,
    pub consultation_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub attendance: String,
    pub attendance_label: String,
    pub needs: Option<String>,
    pub registered_at: i64,
    pub cancelled_at: Option<i64>,
}

impl FromRow for Registration {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let attendance: String = r.get("attendance")?;
        Ok(Self {
            id: r.get("id")?,
            consultation_id: r.get("consultation_id")?,
            org_id: r.get("org_id")?,
            org_name: r.get("org_name")?,
            attendance_label: label(ATTENDANCES, &attendance),
            attendance,
            needs: r.get("needs")?,
            registered_at: r.get("registered_at")?,
            cancelled_at: r.get("cancelled_at")?,
        })
    }
}

const REG_SELECT: &str =
    "SELECT r.id, r.consultation_id, r.org_id, o.name AS org_name, r.attendance, r.needs, r.registered_at, r.cancelled_at
     FROM consultation_registrations r JOIN organisations o ON o.id = r.org_id";

/// The organisation the viewer takes part for among the invited ones (`wanted`, or its first).
pub(crate) fn participant_org(v: &Viewer, c: &Consultation, wanted: Option<i64>) -> Option<i64> {
    let ok = |o: i64| {
        c.invited.iter().any(|i| i.id == o && i.response.as_deref() != Some("declined"))
            && allowed(v, Permission::TakePartInConsultation { org: o })
    };
    match wanted {
        Some(o) => ok(o).then_some(o),
        None => v.org_ids().into_iter().find(|o| ok(*o)),
    }
}

/// Registers the viewer for an open consultation (again after cancelling: the registration is
/// renewed), for an invited organisation that has not declined.
pub fn register(db: &mut dyn Conn, v: &Viewer, id: i64, input: &RegistrationInput, now: i64) -> StoreResult<Registration> {
    let c = require(db, v, id)?;
    let org = participant_org(v, &c, input.org_id).ok_or(StoreError::Forbidden)?;
    let user = v.user_id().ok_or(StoreError::Forbidden)?;
    let mut errs = FieldErrors::new();
    if c.status != "open" {
        errs.push(FieldError::new("attendance", "consultation.not_open", "Samrådet är inte öppet för anmälan."));
    } else if let Some(deadline) = c.registration_closes_at
        && now > deadline
    {
        errs.push(FieldError::new(
            "attendance",
            "consultation.registration_closed",
            format!("Anmälan stängde {}. Kontakta arrangören om ni ändå vill delta.", format_local(ts(deadline))),
        ));
    }
    if !known(ATTENDANCES, input.attendance.trim()) {
        errs.push(FieldError::new(
            "attendance",
            "consultation.attendance",
            "Välj hur du deltar: på plats, digitalt eller bara skriftligt.",
        ));
    }
    let needs = clean_text(&mut errs, &NEEDS, input.needs.as_deref());
    errs.into_result()?;
    let needs = needs.expect("checked");
    db.execute("DELETE FROM consultation_registrations WHERE consultation_id = $1 AND user_id = $2", args![id, user])?;
    let rid: i64 = db.scalar(
        "INSERT INTO consultation_registrations (consultation_id, org_id, user_id, attendance, needs, registered_at) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id",
        args![id, org, user, input.attendance.trim(), needs.as_deref(), now],
    )?;
    let mut orgs = organiser_orgs(&c);
    orgs.push(org);
    audit::record(db, v, Event::new("consultation.register").record("consultation", id).orgs(&orgs))?;
    Ok(db.one(&format!("{REG_SELECT} WHERE r.id = $1"), args![rid])?)
}

/// Cancels the viewer's registration.
pub fn cancel_registration(db: &mut dyn Conn, v: &Viewer, id: i64, now: i64) -> StoreResult<()> {
    let c = require(db, v, id)?;
    let user = v.user_id().ok_or(StoreError::Forbidden)?;
    let org: Option<i64> = db.scalar_opt(
        "SELECT org_id FROM consultation_registrations WHERE consultation_id = $1 AND user_id = $2 AND cancelled_at IS NULL",
        args![id, user],
    )?;
    let org = org.ok_or(StoreError::not_found("registration"))?;
    db.execute(
        "UPDATE consultation_registrations SET cancelled_at = $1 WHERE consultation_id = $2 AND user_id = $3",
        args![now, id, user],
    )?;
    let mut orgs = organiser_orgs(&c);
    orgs.push(org);
    audit::record(db, v, Event::new("consultation.cancel_registration").record("consultation", id).orgs(&orgs))?;
    Ok(())
}

/// The viewer's own registration, if any.
pub fn my_registration(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Option<Registration>> {
    let Some(user) = v.user_id() else { return Ok(None) };
    Ok(db.opt(&format!("{REG_SELECT} WHERE r.consultation_id = $1 AND r.user_id = $2"), args![id, user])?)
}

/// The registrations of a consultation, for its organisers (forbidden to others).
pub fn registrations(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Vec<Registration>> {
    load_for_organiser(db, v, id)?;
    Ok(db.all(&format!("{REG_SELECT} WHERE r.consultation_id = $1 ORDER BY o.name, r.id"), args![id])?)
}

// ---------------------------------------------------------------------------------------------
// Search

/// Every consultation's id, for rebuilding the index.
pub const SEARCH_IDS: &str = "SELECT id FROM consultations";

/// The search document of a consultation (None when gone): title; purpose and questions as
/// body (input is never indexed: attribution and sharing); read by the organisers, and by the
/// invited organisations once it is not a draft.
pub fn search_document(db: &mut dyn Conn, id: i64) -> StoreResult<Option<Document>> {
    let Some(c) = fetch(db, &Viewer::system(), id)? else { return Ok(None) };
    let mut readers: Vec<Reader> = c.organisers.iter().map(|o| Reader::Org(*o)).collect();
    if c.status != "draft" {
        readers.extend(c.invited.iter().map(|i| Reader::Org(i.id)));
    }
    let mut body: Vec<String> = c.purpose.iter().cloned().collect();
    body.extend(c.questions.iter().map(|q| q.text.clone()));
    body.push(c.lead_org_name.clone());
    Ok(Some(Document {
        kind: "consultation",
        id,
        title: c.title.clone(),
        body: body.join("\n"),
        municipalities: c.municipality_code.iter().cloned().collect(),
        path: format!("/samrad/{id}"),
        readers,
        updated_at_ms: c.updated_at,
    }))
}
