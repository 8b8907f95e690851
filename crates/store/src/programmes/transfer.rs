//! A programme as versioned JSON (`brygga.programme`, docs/PROGRAMME-FORMAT.md): the header,
//! signatories, development areas with their working groups and members, and each group's
//! activity plans as `brygga.plan` documents (the plans model's format) with their half-year and
//! workflow state. Organisations are named, not numbered (ids belong to one installation).
//!
//! Import checks everything and writes nothing on any error (the caller's transaction is rolled
//! back), reporting every problem at once by its place in the file. It creates the programme,
//! signatories, groups and members, and for each group the latest activity plan whose half-year
//! has not ended, as an utkast with its content; earlier half-years and their workflow history
//! stay in the file (they belong to the installation where they were decided).

use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::activity;
use super::groups::{self, GroupInput, MemberInput};
use super::programme::{self, ProgrammeInput, SignatoryInput};
use super::{HalfYear, Programme, load, working_groups};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::plans::transfer::{self as plan_transfer, PlanFile};
use crate::{Viewer, args, sort_key};

pub const FORMAT: &str = "brygga.programme";
pub const FORMAT_VERSION: i64 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgrammeFile {
    /// `brygga.programme`.
    pub format: String,
    /// 1.
    pub version: i64,
    pub programme: ProgrammeHeader,
    #[serde(default)]
    pub signatories: Vec<SignatoryEntry>,
    #[serde(default)]
    pub groups: Vec<GroupEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgrammeHeader {
    pub title: String,
    /// `regional`, `national` or `municipal`.
    pub scope: String,
    #[serde(default)]
    pub county_code: Option<String>,
    #[serde(default)]
    pub municipality_code: Option<String>,
    pub period_from: String,
    pub period_to: String,
    #[serde(default)]
    pub declaration: Option<String>,
    #[serde(default)]
    pub action_programme: Option<String>,
    #[serde(default)]
    pub plan_due_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignatoryEntry {
    /// The organisation's name, as registered in Brygga.
    pub organisation: String,
    #[serde(default)]
    pub signed_by: Option<String>,
    #[serde(default)]
    pub signed_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupEntry {
    pub area_title: String,
    #[serde(default)]
    pub area_description: Option<String>,
    pub name: String,
    /// The convening party's name. Required.
    pub convener: String,
    #[serde(default)]
    pub members: Vec<MemberEntry>,
    #[serde(default)]
    pub plans: Vec<PlanEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberEntry {
    pub organisation: String,
    #[serde(default)]
    pub representative: Option<String>,
    #[serde(default)]
    pub representative_email: Option<String>,
    /// `null`: not stated.
    #[serde(default)]
    pub mandate: Option<String>,
    /// `null`: not stated.
    #[serde(default)]
    pub hours_per_month: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanEntry {
    /// `2019H1`.
    pub half_year: String,
    /// The workflow state in the installation it came from (for reference).
    pub state: String,
    /// The plan as `brygga.plan`.
    pub plan: PlanFile,
}

/// The programme as a file (what the viewer may read: plans it may not read are left out).
pub fn export(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<ProgrammeFile> {
    let p = load(db, v, id)?;
    let signatories = programme::signatories(db, id)?
        .into_iter()
        .map(|s| SignatoryEntry { organisation: s.org.name, signed_by: s.signed_by, signed_on: s.signed_on })
        .collect();
    let mut groups_out = Vec::new();
    for g in working_groups(db, id)? {
        let mut plans = Vec::new();
        for a in activity::for_group(db, g.id)? {
            match plan_transfer::export(db, v, a.plan_id) {
                Ok(plan) => plans.push(PlanEntry { half_year: a.half_year, state: a.state, plan }),
                Err(StoreError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        groups_out.push(GroupEntry {
            area_title: g.area_title.clone(),
            area_description: db.scalar_opt("SELECT description FROM programme_areas WHERE id = $1", args![g.area_id])?.flatten(),
            name: g.name.clone(),
            convener: g.convener.name.clone(),
            members: g
                .members
                .iter()
                .map(|m| MemberEntry {
                    organisation: m.org.name.clone(),
                    representative: m.representative.clone(),
                    representative_email: m.representative_email.clone(),
                    mandate: m.mandate.clone(),
                    hours_per_month: m.hours_per_month,
                })
                .collect(),
            plans,
        });
    }
    Ok(ProgrammeFile {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        programme: ProgrammeHeader {
            title: p.title,
            scope: p.scope,
            county_code: p.county_code,
            municipality_code: p.municipality_code,
            period_from: p.period_from,
            period_to: p.period_to,
            declaration: p.declaration,
            action_programme: p.action_programme,
            plan_due_days: Some(p.plan_due_days),
        },
        signatories,
        groups: groups_out,
    })
}

/// What an import needs besides the file.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgrammeImport {
    /// The owning organisation (the viewer's, a coordinator there); default: the first where the
    /// viewer may manage programmes.
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    /// The file (`{"format": "brygga.programme", "version": 1, …}`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub document: serde_json::Value,
}

/// Moves every error of `e` under `prefix`.
fn under(all: &mut FieldErrors, prefix: &str, e: StoreError) -> StoreResult<()> {
    match e {
        StoreError::Invalid(errs) => {
            for f in errs.0 {
                all.push(FieldError::new(format!("{prefix}.{}", f.field), f.code, f.message));
            }
            Ok(())
        }
        other => Err(other),
    }
}

fn org_by_name(db: &mut dyn Conn, all: &mut FieldErrors, at: &str, name: &str) -> StoreResult<Option<i64>> {
    let id: Option<i64> = db.scalar_opt("SELECT MIN(id) FROM organisations WHERE name_key = $1", args![sort_key(name)])?.flatten();
    if id.is_none() {
        all.push(FieldError::new(
            at,
            "programmes.org_unknown",
            format!("Organisationen ”{name}” finns inte i Brygga. Registrera den först, eller rätta namnet i filen."),
        ));
    }
    Ok(id)
}

/// Reads a file into a new programme. Everything is checked and every problem reported at once;
/// with any, nothing is written (the caller's transaction is rolled back by the error).
pub fn import(db: &mut dyn Conn, v: &Viewer, input: &ProgrammeImport) -> StoreResult<Programme> {
    let file: ProgrammeFile = serde_json::from_value(input.document.clone()).map_err(|e| {
        StoreError::invalid(FieldError::new(
            "document",
            "programmes.file_unreadable",
            format!("Filen går inte att läsa som ett program i Brygga-format: {e}. Exportera programmet på nytt och försök igen."),
        ))
    })?;
    if file.format != FORMAT || file.version != FORMAT_VERSION {
        return Err(StoreError::invalid(FieldError::new(
            "document",
            "programmes.file_format",
            format!("Filen har formatet ”{}” version {}; Brygga läser ”{FORMAT}” version {FORMAT_VERSION}.", file.format, file.version),
        )));
    }
    let mut all = FieldErrors::new();
    let h = &file.programme;
    let header = ProgrammeInput {
        title: h.title.clone(),
        scope: h.scope.clone(),
        county_code: h.county_code.clone(),
        municipality_code: h.municipality_code.clone(),
        owner_org_id: input.owner_org_id,
        period_from: Some(h.period_from.clone()),
        period_to: Some(h.period_to.clone()),
        declaration: h.declaration.clone(),
        action_programme: h.action_programme.clone(),
        plan_due_days: h.plan_due_days,
        ..ProgrammeInput::default()
    };
    let p = match programme::create(db, v, &header) {
        Ok(p) => p,
        Err(e) => {
            under(&mut all, "programme", e)?;
            return Err(StoreError::Invalid(all));
        }
    };
    for (n, s) in file.signatories.iter().enumerate() {
        let at = format!("signatories[{n}]");
        let Some(org) = org_by_name(db, &mut all, &format!("{at}.organisation"), &s.organisation)? else { continue };
        let si = SignatoryInput { org_id: Some(org), signed_by: s.signed_by.clone(), signed_on: s.signed_on.clone() };
        if let Err(e) = programme::set_signatory(db, v, p.id, &si) {
            under(&mut all, &at, e)?;
        }
    }
    let today = brygga_domain::time::today();
    for (n, g) in file.groups.iter().enumerate() {
        let at = format!("groups[{n}]");
        let convener = org_by_name(db, &mut all, &format!("{at}.convener"), &g.convener)?;
        let gi = GroupInput {
            area_title: g.area_title.clone(),
            area_description: g.area_description.clone(),
            name: Some(g.name.clone()),
            convener_org_id: convener,
        };
        let group = match (convener, groups::create(db, v, p.id, &gi)) {
            (Some(_), Ok(group)) => group,
            (_, Err(e)) => {
                under(&mut all, &at, e)?;
                continue;
            }
            (None, Ok(_)) => continue,
        };
        for (k, m) in g.members.iter().enumerate() {
            let mat = format!("{at}.members[{k}]");
            let Some(org) = org_by_name(db, &mut all, &format!("{mat}.organisation"), &m.organisation)? else { continue };
            let mi = MemberInput {
                org_id: Some(org),
                representative: m.representative.clone(),
                representative_email: m.representative_email.clone(),
                user_id: None,
                mandate: m.mandate.clone(),
                hours_per_month: m.hours_per_month.map(|h| h.to_string()),
                joined_on: None,
            };
            let r = if org == group.convener.id {
                let member_id: i64 =
                    db.scalar("SELECT id FROM working_group_members WHERE group_id = $1 AND org_id = $2", args![group.id, org])?;
                groups::edit_member(db, v, member_id, &mi)
            } else {
                groups::add_member(db, v, group.id, &mi)
            };
            if let Err(e) = r {
                under(&mut all, &mat, e)?;
            }
        }
        // The latest half-year that has not ended, as a draft with its content.
        let open = g.plans.iter().enumerate().rfind(|(_, e)| HalfYear::parse("half_year", &e.half_year).is_ok_and(|h| h.end() >= today));
        if let Some((k, e)) = open {
            let pat = format!("{at}.plans[{k}]");
            match activity::start(db, v, group.id, &e.half_year) {
                Ok(a) => plan_transfer::import_content(db, v, a.plan_id, &e.plan, &format!("{pat}.plan."), &mut all)?,
                Err(err) => under(&mut all, &pat, err)?,
            }
        }
    }
    all.into_result()?;
    audit::record(db, v, Event::new("programme.import").record("programme", p.id).org(p.owner.id))?;
    super::fetch(db, p.id)
}
