//! Commands on a programme: create and edit the programförklaring and handlingsprogram,
//! signatories, development areas. Every command checks everything first and writes in the
//! caller's transaction, with its audit entry.

use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{Programme, fetch, load_managed, sync_parties};
use crate::forum_work::actions::clean_text;
use crate::forums::forum::OrgRef;
use crate::kernel::access::{self, Action as Permission};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, FromRow};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::{self, Visibility};
use crate::plans::plan::{opt_date, req_date};
use crate::{Viewer, args, now_ms};

pub const TITLE: TextRule = TextRule::line("title", "Programmets namn", 200);
pub const DECLARATION: TextRule = TextRule::line("declaration", "Programförklaringen", 20_000).optional().multiline();
pub const ACTION_PROGRAMME: TextRule = TextRule::line("action_programme", "Handlingsprogrammet", 20_000).optional().multiline();
pub const SIGNED_BY: TextRule = TextRule::line("signed_by", "Undertecknad av (titel)", 200).optional();
pub const AREA_TITLE: TextRule = TextRule::line("area_title", "Utvecklingsområdet", 200);
pub const AREA_DESCRIPTION: TextRule = TextRule::line("area_description", "Beskrivningen", 4000).optional().multiline();

/// A programme as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgrammeInput {
    pub title: String,
    /// `regional` (with `county_code`), `national` or `municipal` (with `municipality_code`).
    pub scope: String,
    #[serde(default)]
    pub county_code: Option<String>,
    #[serde(default)]
    pub municipality_code: Option<String>,
    /// The owning organisation (the viewer's, a coordinator there). When creating only.
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    /// `2018-01-01`.
    #[serde(default)]
    pub period_from: Option<String>,
    /// `2020-12-31`.
    #[serde(default)]
    pub period_to: Option<String>,
    #[serde(default)]
    pub declaration: Option<String>,
    #[serde(default)]
    pub action_programme: Option<String>,
    /// Days before a half-year starts that its activity plans are due (default 30).
    #[serde(default)]
    pub plan_due_days: Option<i64>,
    /// `organisation` (the parties only; default), `forum` or `public`.
    #[serde(default)]
    pub visibility: Option<String>,
    #[serde(default)]
    pub forum_id: Option<i64>,
}

struct Valid {
    title: String,
    scope: &'static str,
    county: Option<String>,
    municipality: Option<String>,
    owner: i64,
    from: Date,
    to: Date,
    declaration: Option<String>,
    action_programme: Option<String>,
    due_days: i64,
    visibility: Visibility,
}

fn prepare(db: &mut dyn Conn, v: &Viewer, input: &ProgrammeInput, before: Option<&Programme>) -> StoreResult<Valid> {
    let owner = match (before, input.owner_org_id) {
        (Some(b), _) => b.owner.id,
        (None, Some(o)) => o,
        (None, None) => {
            v.org_ids().into_iter().find(|o| access::allowed(v, Permission::ManageProgramme { org: *o })).ok_or(StoreError::Forbidden)?
        }
    };
    access::require(v, Permission::ManageProgramme { org: owner })?;
    let mut errs = FieldErrors::new();
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let declaration = clean_text(&mut errs, &DECLARATION, input.declaration.as_deref());
    let action_programme = clean_text(&mut errs, &ACTION_PROGRAMME, input.action_programme.as_deref());
    let nonblank = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let (mut county, mut municipality) = (None, None);
    let scope = match input.scope.trim() {
        "regional" => {
            match nonblank(&input.county_code) {
                None => errs.push(FieldError::new("county_code", "required", "Välj länet som det regionala programmet gäller.")),
                Some(c) => {
                    let n: i64 = db.scalar("SELECT COUNT(*) FROM counties WHERE code = $1", args![c.as_str()])?;
                    if n == 0 {
                        errs.push(FieldError::new(
                            "county_code",
                            "programmes.county_unknown",
                            format!("Länskoden ”{c}” finns inte. Välj ett län i listan."),
                        ));
                    } else {
                        county = Some(c);
                    }
                }
            }
            "regional"
        }
        "municipal" => {
            match nonblank(&input.municipality_code) {
                None => errs.push(FieldError::new("municipality_code", "required", "Välj kommunen som det kommunala programmet gäller.")),
                Some(c) => {
                    let n: i64 = db.scalar("SELECT COUNT(*) FROM municipalities WHERE code = $1", args![c.as_str()])?;
                    if n == 0 {
                        errs.push(FieldError::new(
                            "municipality_code",
                            "programmes.municipality_unknown",
                            format!("Kommunkoden ”{c}” finns inte. Välj en kommun i listan."),
                        ));
                    } else {
                        municipality = Some(c);
                    }
                }
            }
            "municipal"
        }
        "national" => "national",
        other => {
            errs.push(FieldError::new(
                "scope",
                "programmes.scope",
                format!("”{other}” är ingen omfattning. Välj regionalt, nationellt eller kommunalt."),
            ));
            "national"
        }
    };
    let from = req_date(&mut errs, "period_from", input.period_from.as_deref(), "när programperioden börjar");
    let to = req_date(&mut errs, "period_to", input.period_to.as_deref(), "när programperioden slutar");
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errs.push(FieldError::new(
            "period_to",
            "programmes.period_order",
            format!("Programperioden slutar ({t}) före den börjar ({f}). Välj ett slutdatum efter startdatumet."),
        ));
    }
    let due_days = input.plan_due_days.or(before.map(|b| b.plan_due_days)).unwrap_or(30);
    if !(0..=180).contains(&due_days) {
        errs.push(FieldError::new(
            "plan_due_days",
            "programmes.due_days",
            "Ange hur många dagar före halvårets start aktivitetsplanen ska vara klar, mellan 0 och 180.",
        ));
    }
    let kind = input.visibility.as_deref().map(str::trim).filter(|k| !k.is_empty()).unwrap_or("organisation");
    let visibility = sharing::choose(db, &mut errs, kind, input.forum_id, owner, "programmet")?.unwrap_or(Visibility::Organisation);
    errs.into_result()?;
    Ok(Valid {
        title: title.flatten().expect("checked"),
        scope,
        county,
        municipality,
        owner,
        from: from.expect("checked"),
        to: to.expect("checked"),
        declaration: declaration.expect("checked"),
        action_programme: action_programme.expect("checked"),
        due_days,
        visibility,
    })
}

/// Creates a programme owned by the viewer's organisation (its coordinators).
pub fn create(db: &mut dyn Conn, v: &Viewer, input: &ProgrammeInput) -> StoreResult<Programme> {
    let p = prepare(db, v, input, None)?;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO programmes (title, scope, county_code, municipality_code, owner_org_id, period_from, period_to, declaration,
            action_programme, plan_due_days, visibility, forum_id, created_by_user_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14) RETURNING id",
        args![
            p.title.as_str(),
            p.scope,
            p.county.as_deref(),
            p.municipality.as_deref(),
            p.owner,
            p.from.to_string(),
            p.to.to_string(),
            p.declaration.as_deref(),
            p.action_programme.as_deref(),
            p.due_days,
            p.visibility.kind().code(),
            p.visibility.forum_id(),
            v.user_id(),
            now
        ],
    )?;
    sync_parties(db, id)?;
    if let Some(county) = &p.county {
        // A regional programme is an initiative of the county's participation matrix.
        db.execute(
            "INSERT INTO initiatives (county_code, owner_org_id, programme_id, kind, title, starts_on, ends_on, created_at, updated_at)
             VALUES ($1, $2, $3, 'programme', $4, $5, $6, $7, $7)",
            args![county.as_str(), p.owner, id, p.title.as_str(), p.from.to_string(), p.to.to_string(), now],
        )?;
    }
    audit::record(db, v, Event::new("programme.create").record("programme", id).org(p.owner))?;
    fetch(db, id)
}

/// Edits a programme (coordinators of the owner); a stale `version` is a conflict.
pub fn edit(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, input: &ProgrammeInput) -> StoreResult<Programme> {
    let before = load_managed(db, v, id)?;
    let p = prepare(db, v, input, Some(&before))?;
    if before.version != version {
        return Err(StoreError::Stale);
    }
    db.execute(
        "UPDATE programmes SET title = $1, scope = $2, county_code = $3, municipality_code = $4, period_from = $5, period_to = $6,
            declaration = $7, action_programme = $8, plan_due_days = $9, visibility = $10, forum_id = $11, version = version + 1,
            updated_at = $12 WHERE id = $13",
        args![
            p.title.as_str(),
            p.scope,
            p.county.as_deref(),
            p.municipality.as_deref(),
            p.from.to_string(),
            p.to.to_string(),
            p.declaration.as_deref(),
            p.action_programme.as_deref(),
            p.due_days,
            p.visibility.kind().code(),
            p.visibility.forum_id(),
            now_ms(),
            id
        ],
    )?;
    audit::record(db, v, Event::new("programme.update").record("programme", id).org(p.owner))?;
    fetch(db, id)
}

/// Bumps the programme's optimistic lock and `updated_at` (every change of its parts).
pub(crate) fn touch(db: &mut dyn Conn, id: i64) -> StoreResult<()> {
    db.execute("UPDATE programmes SET version = version + 1, updated_at = $2 WHERE id = $1", args![id, now_ms()])?;
    Ok(())
}

/// An organisation that exists, or a field error naming `field`.
pub(crate) fn require_org(
    db: &mut dyn Conn,
    errs: &mut FieldErrors,
    field: &str,
    org: Option<i64>,
    what: &str,
) -> StoreResult<Option<i64>> {
    match org {
        None => {
            errs.push(FieldError::new(field, "required", format!("Välj {what}.")));
            Ok(None)
        }
        Some(o) => {
            let n: i64 = db.scalar("SELECT COUNT(*) FROM organisations WHERE id = $1", args![o])?;
            if n == 0 {
                errs.push(FieldError::new(field, "programmes.org_unknown", format!("Organisationen finns inte. Välj {what} i listan.")));
                Ok(None)
            } else {
                Ok(Some(o))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Signatories.

/// A signatory of the programförklaring.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signatory {
    pub org: OrgRef,
    /// Who signed for the organisation, as a title (`Landshövding`).
    pub signed_by: Option<String>,
    /// `2018-03-12`.
    pub signed_on: Option<String>,
    pub position: i64,
}

impl FromRow for Signatory {
    fn from_row(r: &crate::Row) -> Result<Self, crate::DbError> {
        Ok(Self {
            org: OrgRef { id: r.get("org_id")?, name: r.get("org_name")? },
            signed_by: r.get("signed_by")?,
            signed_on: r.get("signed_on")?,
            position: r.get("position")?,
        })
    }
}

/// The signatories of a programme (read checked by the caller), in signing order.
pub fn signatories(db: &mut dyn Conn, programme_id: i64) -> StoreResult<Vec<Signatory>> {
    Ok(db.all(
        "SELECT s.org_id, o.name AS org_name, s.signed_by, s.signed_on, s.position FROM programme_signatories s
         JOIN organisations o ON o.id = s.org_id WHERE s.programme_id = $1 ORDER BY s.position, o.name_key",
        args![programme_id],
    )?)
}

/// A signatory as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignatoryInput {
    #[serde(default)]
    pub org_id: Option<i64>,
    #[serde(default)]
    pub signed_by: Option<String>,
    /// `2018-03-12`.
    #[serde(default)]
    pub signed_on: Option<String>,
}

/// Adds a signatory, or changes who signed and when for one already there.
pub fn set_signatory(db: &mut dyn Conn, v: &Viewer, programme_id: i64, input: &SignatoryInput) -> StoreResult<Vec<Signatory>> {
    let p = load_managed(db, v, programme_id)?;
    let mut errs = FieldErrors::new();
    let org = require_org(db, &mut errs, "org_id", input.org_id, "den undertecknande organisationen")?;
    let signed_by = clean_text(&mut errs, &SIGNED_BY, input.signed_by.as_deref());
    let signed_on = opt_date(&mut errs, "signed_on", input.signed_on.as_deref());
    errs.into_result()?;
    let (org, signed_by, signed_on) = (org.expect("checked"), signed_by.expect("checked"), signed_on.expect("checked"));
    let updated = db.execute(
        "UPDATE programme_signatories SET signed_by = $1, signed_on = $2 WHERE programme_id = $3 AND org_id = $4",
        args![signed_by.as_deref(), signed_on.map(|d| d.to_string()), programme_id, org],
    )?;
    if updated == 0 {
        let next: i64 =
            db.scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM programme_signatories WHERE programme_id = $1", args![programme_id])?;
        db.execute(
            "INSERT INTO programme_signatories (programme_id, org_id, signed_by, signed_on, position) VALUES ($1, $2, $3, $4, $5)",
            args![programme_id, org, signed_by.as_deref(), signed_on.map(|d| d.to_string()), next],
        )?;
        sync_parties(db, programme_id)?;
    }
    touch(db, programme_id)?;
    audit::record(db, v, Event::new("programme.signatory_set").record("programme", programme_id).org(p.owner.id).org(org))?;
    signatories(db, programme_id)
}

/// Removes a signatory.
pub fn remove_signatory(db: &mut dyn Conn, v: &Viewer, programme_id: i64, org_id: i64) -> StoreResult<Vec<Signatory>> {
    let p = load_managed(db, v, programme_id)?;
    if db.execute("DELETE FROM programme_signatories WHERE programme_id = $1 AND org_id = $2", args![programme_id, org_id])? > 0 {
        sync_parties(db, programme_id)?;
        touch(db, programme_id)?;
        audit::record(db, v, Event::new("programme.signatory_remove").record("programme", programme_id).org(p.owner.id).org(org_id))?;
    }
    signatories(db, programme_id)
}

// ---------------------------------------------------------------------------------------------
// Development areas.

/// A development area (utvecklingsområde) of the handlingsprogram.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Area {
    pub id: i64,
    pub programme_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub position: i64,
}

impl FromRow for Area {
    fn from_row(r: &crate::Row) -> Result<Self, crate::DbError> {
        Ok(Self {
            id: r.get("id")?,
            programme_id: r.get("programme_id")?,
            title: r.get("title")?,
            description: r.get("description")?,
            position: r.get("position")?,
        })
    }
}

/// The development areas of a programme (read checked by the caller), in order.
pub fn areas(db: &mut dyn Conn, programme_id: i64) -> StoreResult<Vec<Area>> {
    Ok(db.all(
        "SELECT id, programme_id, title, description, position FROM programme_areas WHERE programme_id = $1 ORDER BY position, id",
        args![programme_id],
    )?)
}
