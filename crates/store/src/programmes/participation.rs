//! Participation: programmes and other initiatives (EST pilots, agreements with a crisis
//! centre, a competence centre joined by 19 municipalities…) and the municipalities taking part,
//! with dates and roles; the county view — a matrix municipality × initiative, and the
//! municipalities that take part in nothing.
//!
//! Read: an initiative of a programme is read as its programme; any other initiative by every
//! signed-in user (which municipality takes part in which initiative is no secret and holds no
//! personal data) — the rule is [`sharing::can_read_initiative`]. Write: coordinators of the
//! owning organisation ([`Permission::ManageProgramme`]).

use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::programme::touch;
use crate::forum_work::actions::clean_text;
use crate::forums::forum::OrgRef;
use crate::kernel::access::{self, Action as Permission};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing;
use crate::places::geography;
use crate::plans::plan::opt_date;
use crate::{Viewer, args, now_ms};

pub const TITLE: TextRule = TextRule::line("title", "Initiativets namn", 200);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 4000).optional().multiline();
pub const ROLE: TextRule = TextRule::line("role", "Rollen", 200).optional();

/// The kinds of initiative, with their Swedish labels.
pub const KINDS: &[(&str, &str)] = &[
    ("programme", "Program"),
    ("est_pilot", "EST-pilot"),
    ("agreement", "Överenskommelse"),
    ("competence_centre", "Kompetenscentrum"),
    ("network", "Nätverk"),
    ("project", "Projekt"),
    ("other", "Annat"),
];

pub fn kind_label(kind: &str) -> &'static str {
    KINDS.iter().find(|k| k.0 == kind).map(|k| k.1).unwrap_or("Annat")
}

/// An initiative municipalities take part in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Initiative {
    pub id: i64,
    pub county_code: Option<String>,
    pub owner: OrgRef,
    pub programme_id: Option<i64>,
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub description: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub participants: Vec<Participant>,
}

impl FromRow for Initiative {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("kind")?;
        Ok(Self {
            id: r.get("id")?,
            county_code: r.get("county_code")?,
            owner: OrgRef { id: r.get("owner_org_id")?, name: r.get("owner_name")? },
            programme_id: r.get("programme_id")?,
            kind_label: kind_label(&kind).to_owned(),
            kind,
            title: r.get("title")?,
            description: r.get("description")?,
            starts_on: r.get("starts_on")?,
            ends_on: r.get("ends_on")?,
            participants: Vec::new(),
        })
    }
}

/// A municipality taking part.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Participant {
    pub initiative_id: i64,
    pub municipality_code: String,
    pub municipality_name: String,
    pub role: Option<String>,
    pub joined_on: Option<String>,
    pub left_on: Option<String>,
}

impl FromRow for Participant {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            initiative_id: r.get("initiative_id")?,
            municipality_code: r.get("municipality_code")?,
            municipality_name: r.get("municipality_name")?,
            role: r.get("role")?,
            joined_on: r.get("joined_on")?,
            left_on: r.get("left_on")?,
        })
    }
}

const SELECT: &str = "SELECT i.id, i.county_code, i.owner_org_id, o.name AS owner_name, i.programme_id, i.kind, i.title, i.description,
        i.starts_on, i.ends_on FROM initiatives i JOIN organisations o ON o.id = i.owner_org_id";

/// Filters `items` to those the viewer may read and fills in their participants.
fn readable(db: &mut dyn Conn, v: &Viewer, items: Vec<Initiative>) -> StoreResult<Vec<Initiative>> {
    let programmes: Vec<i64> = super::list(db, v)?.into_iter().map(|p| p.id).collect();
    let mut items: Vec<Initiative> =
        items.into_iter().filter(|i| sharing::can_read_initiative(v, i.programme_id.map(|p| programmes.contains(&p)))).collect();
    for i in &mut items {
        i.participants = db.all(
            "SELECT ip.initiative_id, ip.municipality_code, m.name AS municipality_name, ip.role, ip.joined_on, ip.left_on
             FROM initiative_participants ip JOIN municipalities m ON m.code = ip.municipality_code WHERE ip.initiative_id = $1 ORDER BY m.name",
            args![i.id],
        )?;
        i.participants.sort_by_cached_key(|p: &Participant| crate::sort_key(&p.municipality_name));
    }
    Ok(items)
}

/// The initiatives of a county the viewer may read, by title.
pub fn list(db: &mut dyn Conn, v: &Viewer, county: &str) -> StoreResult<Vec<Initiative>> {
    let items = db.all(&format!("{SELECT} WHERE i.county_code = $1 ORDER BY i.kind, i.title"), args![county])?;
    readable(db, v, items)
}

/// One initiative, if the viewer may read it.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Initiative> {
    let items = db.all(&format!("{SELECT} WHERE i.id = $1"), args![id])?;
    readable(db, v, items)?.into_iter().next().ok_or(StoreError::not_found("initiative"))
}

/// An initiative as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InitiativeInput {
    pub title: String,
    /// `programme`, `est_pilot`, `agreement`, `competence_centre`, `network`, `project`, `other`.
    pub kind: String,
    /// The county (`12`).
    #[serde(default)]
    pub county_code: Option<String>,
    /// The owning organisation (the viewer's). When creating only.
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub starts_on: Option<String>,
    #[serde(default)]
    pub ends_on: Option<String>,
}

/// Creates an initiative (coordinators of the owner).
pub fn create(db: &mut dyn Conn, v: &Viewer, input: &InitiativeInput) -> StoreResult<Initiative> {
    let owner = match input.owner_org_id {
        Some(o) => o,
        None => {
            v.org_ids().into_iter().find(|o| access::allowed(v, Permission::ManageProgramme { org: *o })).ok_or(StoreError::Forbidden)?
        }
    };
    access::require(v, Permission::ManageProgramme { org: owner })?;
    let mut errs = FieldErrors::new();
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let description = clean_text(&mut errs, &DESCRIPTION, input.description.as_deref());
    if !KINDS.iter().any(|k| k.0 == input.kind.trim()) || input.kind.trim() == "programme" {
        errs.push(FieldError::new(
            "kind",
            "programmes.initiative_kind",
            "Välj vad slags initiativ det är: EST-pilot, överenskommelse, kompetenscentrum, nätverk, projekt eller annat. (Ett program läggs till som program.)",
        ));
    }
    let county = input.county_code.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    match &county {
        None => errs.push(FieldError::new("county_code", "required", "Välj länet som initiativet hör till.")),
        Some(c) => {
            let n: i64 = db.scalar("SELECT COUNT(*) FROM counties WHERE code = $1", args![c.as_str()])?;
            if n == 0 {
                errs.push(FieldError::new(
                    "county_code",
                    "programmes.county_unknown",
                    format!("Länskoden ”{c}” finns inte. Välj ett län i listan."),
                ));
            }
        }
    }
    let starts = opt_date(&mut errs, "starts_on", input.starts_on.as_deref());
    let ends = opt_date(&mut errs, "ends_on", input.ends_on.as_deref());
    if let (Some(Some(s)), Some(Some(e))) = (starts, ends)
        && e < s
    {
        errs.push(FieldError::new(
            "ends_on",
            "programmes.period_order",
            format!("Initiativet slutar ({e}) före det börjar ({s}). Välj ett slutdatum efter startdatumet."),
        ));
    }
    errs.into_result()?;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO initiatives (county_code, owner_org_id, kind, title, description, starts_on, ends_on, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        args![
            county.as_deref(),
            owner,
            input.kind.trim(),
            title.flatten().expect("checked"),
            description.expect("checked"),
            starts.flatten().map(|d| d.to_string()),
            ends.flatten().map(|d| d.to_string()),
            now
        ],
    )?;
    audit::record(db, v, Event::new("initiative.create").record("initiative", id).org(owner))?;
    get(db, v, id)
}

/// The initiative of a regional programme (kind `programme`), created with the programme or
/// found; its participants are the municipalities taking part in the programme.
pub fn of_programme(db: &mut dyn Conn, programme_id: i64) -> StoreResult<Option<i64>> {
    Ok(db.scalar_opt("SELECT MIN(id) FROM initiatives WHERE programme_id = $1", args![programme_id])?.flatten())
}

/// A municipality's participation as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ParticipantInput {
    pub municipality_code: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub joined_on: Option<String>,
    #[serde(default)]
    pub left_on: Option<String>,
}

/// Adds a municipality to an initiative, or changes its role and dates.
pub fn set_participant(db: &mut dyn Conn, v: &Viewer, initiative_id: i64, input: &ParticipantInput) -> StoreResult<Initiative> {
    let i = get(db, v, initiative_id)?;
    access::require(v, Permission::ManageProgramme { org: i.owner.id })?;
    let mut errs = FieldErrors::new();
    let code = input.municipality_code.trim().to_owned();
    let n: i64 = db.scalar("SELECT COUNT(*) FROM municipalities WHERE code = $1", args![code.as_str()])?;
    if n == 0 {
        errs.push(FieldError::new(
            "municipality_code",
            "programmes.municipality_unknown",
            format!("Kommunkoden ”{code}” finns inte. Välj en kommun i listan."),
        ));
    }
    let role = clean_text(&mut errs, &ROLE, input.role.as_deref());
    let joined = opt_date(&mut errs, "joined_on", input.joined_on.as_deref());
    let left = opt_date(&mut errs, "left_on", input.left_on.as_deref());
    if let (Some(Some(j)), Some(Some(l))) = (joined, left)
        && l < j
    {
        errs.push(FieldError::new(
            "left_on",
            "programmes.period_order",
            format!("Kommunen lämnar ({l}) före den går med ({j}). Rätta datumen."),
        ));
    }
    errs.into_result()?;
    let (role, joined, left) = (role.expect("checked"), joined.flatten().map(|d| d.to_string()), left.flatten().map(|d| d.to_string()));
    let updated = db.execute(
        "UPDATE initiative_participants SET role = $1, joined_on = $2, left_on = $3 WHERE initiative_id = $4 AND municipality_code = $5",
        args![role.as_deref(), joined.as_deref(), left.as_deref(), initiative_id, code.as_str()],
    )?;
    if updated == 0 {
        db.execute(
            "INSERT INTO initiative_participants (initiative_id, municipality_code, role, joined_on, left_on) VALUES ($1, $2, $3, $4, $5)",
            args![initiative_id, code.as_str(), role.as_deref(), joined.as_deref(), left.as_deref()],
        )?;
    }
    db.execute("UPDATE initiatives SET updated_at = $1 WHERE id = $2", args![now_ms(), initiative_id])?;
    if let Some(p) = i.programme_id {
        touch(db, p)?;
    }
    audit::record(db, v, Event::new("initiative.participant_set").record("initiative", initiative_id).org(i.owner.id))?;
    get(db, v, initiative_id)
}

/// Takes a municipality out of an initiative.
pub fn remove_participant(db: &mut dyn Conn, v: &Viewer, initiative_id: i64, municipality_code: &str) -> StoreResult<Initiative> {
    let i = get(db, v, initiative_id)?;
    access::require(v, Permission::ManageProgramme { org: i.owner.id })?;
    if db.execute(
        "DELETE FROM initiative_participants WHERE initiative_id = $1 AND municipality_code = $2",
        args![initiative_id, municipality_code],
    )? > 0
    {
        audit::record(db, v, Event::new("initiative.participant_remove").record("initiative", initiative_id).org(i.owner.id))?;
    }
    get(db, v, initiative_id)
}

/// One municipality's row of the county matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatrixRow {
    pub municipality_code: String,
    pub municipality_name: String,
    /// One cell per initiative, in the matrix's order: the role (empty string when taking part
    /// without a stated role), or `null` when not taking part.
    pub cells: Vec<Option<String>>,
    /// How many initiatives it takes part in.
    pub count: usize,
}

/// The county view.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Matrix {
    pub county_code: String,
    pub county_name: String,
    pub initiatives: Vec<Initiative>,
    pub rows: Vec<MatrixRow>,
    /// The municipalities that take part in nothing.
    pub in_nothing: Vec<String>,
}

/// The matrix municipality × initiative of a county (every municipality of the county, by
/// name), over the initiatives the viewer may read.
pub fn matrix(db: &mut dyn Conn, v: &Viewer, county: &str) -> StoreResult<Matrix> {
    let county_name: String =
        db.scalar_opt("SELECT name FROM counties WHERE code = $1", args![county])?.ok_or(StoreError::not_found("county"))?;
    let initiatives = list(db, v, county)?;
    let municipalities = geography::municipalities(db, Some(county))?;
    let mut rows = Vec::with_capacity(municipalities.len());
    let mut in_nothing = Vec::new();
    for (code, name) in municipalities {
        let cells: Vec<Option<String>> = initiatives
            .iter()
            .map(|i| i.participants.iter().find(|p| p.municipality_code == code).map(|p| p.role.clone().unwrap_or_default()))
            .collect();
        let count = cells.iter().filter(|c| c.is_some()).count();
        if count == 0 {
            in_nothing.push(name.clone());
        }
        rows.push(MatrixRow { municipality_code: code, municipality_name: name, cells, count });
    }
    Ok(Matrix { county_code: county.to_owned(), county_name, initiatives, rows, in_nothing })
}
