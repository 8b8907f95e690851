//! Programmes: a regional (or national, or municipal) crime-prevention programme — the
//! programförklaring with its signatories, the handlingsprogram with its development areas
//! (utvecklingsområden), a working group per area with its convening party (sammankallande) and
//! its members (representative, mandate, working time), the working groups' half-yearly
//! activity plans under a quality-assurance workflow, and the county's participation matrix
//! (which municipality takes part in which initiative). The steering group, its meetings and
//! decisions, and the deliverables build on this (`steering`, `deliverables` tables).
//!
//! **Who may read, write and be notified.**
//! - *Read*: a programme and all its records (signatories, areas, groups, members, participation)
//!   are read by the users of the programme's parties — owner ∪ signatories ∪ working-group
//!   member organisations ∪ steering-group member organisations, kept in `programme_parties` by
//!   [`sync_parties`] — and, when the programme is shared with a forum, by that forum's members'
//!   users, and when published by anyone. The rule is [`sharing::programme_readable`] (kernel),
//!   as every other sharing rule. A programme the viewer may not read is not found. A working
//!   group's activity plans are plans-model documents (`action_plans` of kind `activity`) whose
//!   parties are the group's member organisations and the programme's owner, read by the plans
//!   rule ([`sharing::party_record_readable`]).
//! - *Write*: coordinators of the owner manage the programme — declaration, signatories, areas,
//!   groups, members, participation ([`Permission::ManageProgramme`]). Coordinators of a group's
//!   convening party or of a member organisation start, write and submit the group's activity
//!   plan ([`Permission::WriteActivityPlan`]); coordinators of the owner (the county's
//!   coordinators) comment on, quality-assure, return, present and adopt it
//!   ([`Permission::QualityAssure`]). An activity plan's content changes only while its workflow
//!   is at utkast (`plans::Doc::require_draft`).
//! - *Notified*: before a half-year starts (`plan_due_days` and 3 days before), the convening
//!   party's coordinators and the representatives with an address are reminded by e-mail of the
//!   activity plan due, once each (`activity_plan_reminders`, a job). Every change is in the
//!   audit log of the acting organisation and the owner. Representatives' names and addresses are
//!   personal data: never logged, in the GDPR export, erased with the account.
//!
//! **Shape.** This module: the [`Programme`] and [`WorkingGroup`] models and their loaders, the
//! parties, half-years. `programme` (commands on the programme, signatories, areas), `groups`
//! (working groups and members), `activity` (activity plans and their workflow), `reminders`
//! (the job), `overview` (the groups' state at a glance, the load per organisation),
//! `participation` (initiatives and the county matrix) and `transfer` (a programme as JSON).

use std::fmt;

use brygga_domain::FieldError;
use jiff::civil::Date;
use serde::Serialize;

use crate::forums::forum::OrgRef;
use crate::kernel::access::{self, Action as Permission};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::{self, Visibility};
use crate::{Viewer, args};

pub mod activity;
pub mod decisions;
pub mod deliverables;
pub mod groups;
pub mod overview;
pub mod participation;
pub mod programme;
pub mod reminders;
pub mod report;
pub mod steering;
pub mod transfer;

/// A programme: the programförklaring and the handlingsprogram.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Programme {
    pub id: i64,
    pub title: String,
    /// `regional`, `national` or `municipal`.
    pub scope: String,
    pub scope_label: String,
    /// The county of a regional programme (`12` Skåne).
    pub county_code: Option<String>,
    pub county_name: Option<String>,
    /// The municipality of a municipal programme.
    pub municipality_code: Option<String>,
    pub municipality_name: Option<String>,
    pub owner: OrgRef,
    /// The handlingsprogram's period, `2018-01-01`.
    pub period_from: String,
    /// `2020-12-31`.
    pub period_to: String,
    /// The programförklaring's text.
    pub declaration: Option<String>,
    /// The handlingsprogram's text.
    pub action_programme: Option<String>,
    /// Activity plans for a half-year are due this many days before it starts.
    pub plan_due_days: i64,
    /// `organisation` (the parties only), `forum` or `public`.
    pub visibility: String,
    pub forum_id: Option<i64>,
    /// Every party: owner, signatories, working-group and steering-group members.
    pub party_ids: Vec<i64>,
    /// Optimistic lock.
    pub version: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Programme {
    /// Whether the viewer acts for one of the parties.
    pub fn is_party(&self, v: &Viewer) -> bool {
        self.party_ids.iter().any(|o| v.role_in(*o).is_some())
    }
    /// The visibility as the sharing model knows it.
    pub fn sharing(&self) -> Visibility {
        Visibility::from_columns(&self.visibility, self.forum_id).unwrap_or(Visibility::Organisation)
    }
    /// Whether the viewer may manage the programme (pages use it to show forms; the store
    /// decides).
    pub fn manages(&self, v: &Viewer) -> bool {
        access::allowed(v, Permission::ManageProgramme { org: self.owner.id })
    }
    /// Whether the viewer may quality-assure its activity plans.
    pub fn quality_assures(&self, v: &Viewer) -> bool {
        access::allowed(v, Permission::QualityAssure { org: self.owner.id })
    }
}

/// The Swedish word for a scope.
pub fn scope_label(scope: &str) -> &'static str {
    match scope {
        "regional" => "Regionalt",
        "national" => "Nationellt",
        "municipal" => "Kommunalt",
        _ => "Okänt",
    }
}

const SELECT: &str =
    "SELECT p.id, p.title, p.scope, p.county_code, c.name AS county_name, p.municipality_code, m.name AS municipality_name,
        p.owner_org_id, o.name AS owner_name, p.period_from, p.period_to, p.declaration, p.action_programme, p.plan_due_days,
        p.visibility, p.forum_id, p.version, p.created_at, p.updated_at
     FROM programmes p JOIN organisations o ON o.id = p.owner_org_id LEFT JOIN counties c ON c.code = p.county_code
     LEFT JOIN municipalities m ON m.code = p.municipality_code";

impl FromRow for Programme {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let scope: String = r.get("scope")?;
        Ok(Self {
            id: r.get("id")?,
            title: r.get("title")?,
            scope_label: scope_label(&scope).to_owned(),
            scope,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            municipality_code: r.get("municipality_code")?,
            municipality_name: r.get("municipality_name")?,
            owner: OrgRef { id: r.get("owner_org_id")?, name: r.get("owner_name")? },
            period_from: r.get("period_from")?,
            period_to: r.get("period_to")?,
            declaration: r.get("declaration")?,
            action_programme: r.get("action_programme")?,
            plan_due_days: r.get("plan_due_days")?,
            visibility: r.get("visibility")?,
            forum_id: r.get("forum_id")?,
            party_ids: Vec::new(),
            version: r.get("version")?,
            created_at_ms: r.get("created_at")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

/// The programme, if the viewer may read it (one it may not is not found — never "forbidden":
/// that would say it exists).
pub fn load(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Programme> {
    let p = fetch(db, id)?;
    if sharing::can_read_programme(v, &p.party_ids, p.sharing()) { Ok(p) } else { Err(StoreError::not_found("programme")) }
}

/// The programme without the read check (callers have done it, or act for the system).
pub fn fetch(db: &mut dyn Conn, id: i64) -> StoreResult<Programme> {
    let mut p: Programme = db.opt(&format!("{SELECT} WHERE p.id = $1"), args![id])?.ok_or(StoreError::not_found("programme"))?;
    p.party_ids = db.scalars("SELECT org_id FROM programme_parties WHERE programme_id = $1 ORDER BY org_id", args![id])?;
    Ok(p)
}

/// The programme the viewer may manage ([`Permission::ManageProgramme`] for its owner): not
/// found when unreadable, forbidden when readable but not the viewer's to manage.
pub fn load_managed(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Programme> {
    let p = load(db, v, id)?;
    access::require(v, Permission::ManageProgramme { org: p.owner.id })?;
    Ok(p)
}

/// The programmes the viewer may read, newest period first.
pub fn list(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<Programme>> {
    let [orgs, forums] = sharing::readable_args(v);
    let mut items: Vec<Programme> = db.all(
        &format!("{SELECT} WHERE {} ORDER BY p.period_from DESC, p.id DESC", sharing::programme_readable(db.dialect(), "p", 1)),
        &[orgs, forums],
    )?;
    if items.is_empty() {
        return Ok(items);
    }
    let ids: Vec<i64> = items.iter().map(|p| p.id).collect();
    let parties: Vec<(i64, i64)> = db.map_all(
        &format!("SELECT programme_id, org_id FROM programme_parties WHERE {} ORDER BY org_id", db.dialect().in_list("programme_id", 1)),
        &[Value::IntList(ids)],
        |r| Ok((r.get("programme_id")?, r.get("org_id")?)),
    )?;
    for p in &mut items {
        p.party_ids = parties.iter().filter(|x| x.0 == p.id).map(|x| x.1).collect();
    }
    Ok(items)
}

/// Recomputes `programme_parties` = owner ∪ signatories ∪ working-group member organisations ∪
/// conveners ∪ steering-group member organisations. Every command that changes one of these
/// calls it in its transaction (the steering group's commands too).
pub fn sync_parties(db: &mut dyn Conn, programme_id: i64) -> StoreResult<()> {
    db.execute("DELETE FROM programme_parties WHERE programme_id = $1", args![programme_id])?;
    db.execute(
        "INSERT INTO programme_parties (programme_id, org_id)
         SELECT $1, org_id FROM (
            SELECT owner_org_id AS org_id FROM programmes WHERE id = $1
            UNION SELECT org_id FROM programme_signatories WHERE programme_id = $1
            UNION SELECT convener_org_id FROM working_groups WHERE programme_id = $1
            UNION SELECT wm.org_id FROM working_group_members wm JOIN working_groups g ON g.id = wm.group_id WHERE g.programme_id = $1
            UNION SELECT org_id FROM steering_members WHERE programme_id = $1
         ) x",
        args![programme_id],
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Working groups.

/// A member organisation of a working group, its representative and what its employer agreed
/// to. The representative's name and address are personal data (GDPR registry; never logged).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub id: i64,
    pub group_id: i64,
    pub org: OrgRef,
    /// The representative's name; need not have an account.
    pub representative: Option<String>,
    pub representative_email: Option<String>,
    /// The representative's account, when there is one.
    pub user_id: Option<i64>,
    /// The mandate the employer agreed to; `null`: not stated.
    pub mandate: Option<String>,
    /// Hours per month the employer agreed to; `null`: not stated.
    pub hours_per_month: Option<f64>,
    pub joined_on: Option<String>,
    pub left_on: Option<String>,
    /// True when the mandate or the working time is not stated (the evaluation's finding:
    /// shown as a flag wherever the member is).
    pub missing_terms: bool,
}

impl FromRow for Member {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let mandate: Option<String> = r.get("mandate")?;
        let hours: Option<f64> = r.get("hours_per_month")?;
        Ok(Self {
            id: r.get("id")?,
            group_id: r.get("group_id")?,
            org: OrgRef { id: r.get("org_id")?, name: r.get("org_name")? },
            representative: r.get("representative")?,
            representative_email: r.get("representative_email")?,
            user_id: r.get("user_id")?,
            missing_terms: mandate.as_deref().is_none_or(|m| m.trim().is_empty()) || hours.is_none(),
            mandate,
            hours_per_month: hours,
            joined_on: r.get("joined_on")?,
            left_on: r.get("left_on")?,
        })
    }
}

/// A working group of one development area, with its convening party and members.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkingGroup {
    pub id: i64,
    pub programme_id: i64,
    pub area_id: i64,
    pub area_title: String,
    pub area_position: i64,
    pub name: String,
    /// The sammankallande part: invites, sets the agenda, keeps minutes, updates the plan.
    pub convener: OrgRef,
    /// The lineage of the group's activity plans (one version per half-year); `null` until the
    /// first is started.
    pub plan_lineage_id: Option<i64>,
    pub members: Vec<Member>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl WorkingGroup {
    /// The member organisations' ids.
    pub fn member_org_ids(&self) -> Vec<i64> {
        self.members.iter().map(|m| m.org.id).collect()
    }
    /// The members whose mandate or working time is not stated.
    pub fn missing_terms(&self) -> Vec<&Member> {
        self.members.iter().filter(|m| m.missing_terms).collect()
    }
    /// Whether the viewer may write the group's activity plan (pages show forms by it; the store
    /// decides).
    pub fn writes_plan(&self, v: &Viewer) -> bool {
        std::iter::once(self.convener.id)
            .chain(self.members.iter().map(|m| m.org.id))
            .any(|org| access::allowed(v, Permission::WriteActivityPlan { org }))
    }
}

impl FromRow for WorkingGroup {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            programme_id: r.get("programme_id")?,
            area_id: r.get("area_id")?,
            area_title: r.get("area_title")?,
            area_position: r.get("area_position")?,
            name: r.get("name")?,
            convener: OrgRef { id: r.get("convener_org_id")?, name: r.get("convener_name")? },
            plan_lineage_id: r.get("plan_lineage_id")?,
            members: Vec::new(),
            created_at_ms: r.get("created_at")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

const GROUP_SELECT: &str = "SELECT g.id, g.programme_id, g.area_id, a.title AS area_title, a.position AS area_position, g.name,
        g.convener_org_id, o.name AS convener_name, g.plan_lineage_id, g.created_at, g.updated_at
     FROM working_groups g JOIN programme_areas a ON a.id = g.area_id JOIN organisations o ON o.id = g.convener_org_id";

const MEMBER_SELECT: &str = "SELECT wm.id, wm.group_id, wm.org_id, o.name AS org_name, wm.representative, wm.representative_email,
        wm.user_id, wm.mandate, wm.hours_per_month, wm.joined_on, wm.left_on
     FROM working_group_members wm JOIN organisations o ON o.id = wm.org_id";

/// The working groups of a programme (read checked by the caller), in the order of their
/// development areas, with their members; two queries however many groups.
pub fn working_groups(db: &mut dyn Conn, programme_id: i64) -> StoreResult<Vec<WorkingGroup>> {
    let mut groups: Vec<WorkingGroup> =
        db.all(&format!("{GROUP_SELECT} WHERE g.programme_id = $1 ORDER BY a.position, a.id"), args![programme_id])?;
    let members: Vec<Member> = db.all(
        &format!("{MEMBER_SELECT} JOIN working_groups g ON g.id = wm.group_id WHERE g.programme_id = $1 ORDER BY o.name_key, wm.id"),
        args![programme_id],
    )?;
    for g in &mut groups {
        g.members = members.iter().filter(|m| m.group_id == g.id).cloned().collect();
    }
    Ok(groups)
}

/// One working group and its programme, if the viewer may read the programme.
pub fn load_group(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<(Programme, WorkingGroup)> {
    let programme_id: i64 =
        db.scalar_opt("SELECT programme_id FROM working_groups WHERE id = $1", args![id])?.ok_or(StoreError::not_found("working_group"))?;
    let p = load(db, v, programme_id).map_err(|e| match e {
        StoreError::NotFound { .. } => StoreError::not_found("working_group"),
        e => e,
    })?;
    let mut g: WorkingGroup =
        db.opt(&format!("{GROUP_SELECT} WHERE g.id = $1"), args![id])?.ok_or(StoreError::not_found("working_group"))?;
    g.members = db.all(&format!("{MEMBER_SELECT} WHERE wm.group_id = $1 ORDER BY o.name_key, wm.id"), args![id])?;
    Ok((p, g))
}

// ---------------------------------------------------------------------------------------------
// Half-years.

/// A half-year, `2019H1` (January–June) or `2019H2` (July–December): one activity plan version
/// per working group and half-year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HalfYear {
    pub year: i16,
    /// 1 or 2.
    pub half: i8,
}

impl HalfYear {
    /// From `2019H1`; a Swedish message naming `field` otherwise.
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let t = s.trim().to_uppercase();
        let parsed = t.split_once('H').and_then(|(y, h)| {
            let year: i16 = y.parse().ok().filter(|y| (2000..=2100).contains(y))?;
            let half: i8 = h.parse().ok().filter(|h| *h == 1 || *h == 2)?;
            Some(HalfYear { year, half })
        });
        parsed.ok_or_else(|| {
            FieldError::new(
                field,
                "programmes.half_year",
                format!("”{}” är inget halvår. Skriv året och H1 eller H2, till exempel 2019H1 för januari–juni 2019.", s.trim()),
            )
        })
    }
    /// The half-year a date falls in.
    pub fn of(d: Date) -> Self {
        HalfYear { year: d.year(), half: if d.month() <= 6 { 1 } else { 2 } }
    }
    /// The first day.
    pub fn start(self) -> Date {
        Date::new(self.year, if self.half == 1 { 1 } else { 7 }, 1).expect("valid date")
    }
    /// The last day.
    pub fn end(self) -> Date {
        if self.half == 1 { Date::new(self.year, 6, 30) } else { Date::new(self.year, 12, 31) }.expect("valid date")
    }
    pub fn next(self) -> Self {
        if self.half == 1 { HalfYear { year: self.year, half: 2 } } else { HalfYear { year: self.year + 1, half: 1 } }
    }
    /// `första halvåret 2019`.
    pub fn label(self) -> String {
        format!("{} halvåret {}", if self.half == 1 { "första" } else { "andra" }, self.year)
    }
}

impl fmt::Display for HalfYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}H{}", self.year, self.half)
    }
}

// ---------------------------------------------------------------------------------------------
// Choices for forms.

/// Every organisation of the installation, by name (the organisation directory is read by every
/// signed-in user): candidates for signatories, conveners and members.
pub fn organisation_choices(db: &mut dyn Conn) -> StoreResult<Vec<OrgRef>> {
    Ok(db.all("SELECT id, name FROM organisations ORDER BY name_key", &[])?)
}

/// The steering meetings of a programme, newest first: (id, `2027-05-12 Styrgruppsmöte`), for
/// the workflow's "presented at" choice (read checked by the caller).
pub fn meeting_choices(db: &mut dyn Conn, programme_id: i64) -> StoreResult<Vec<(String, String)>> {
    Ok(db.map_all(
        "SELECT id, held_on, title FROM steering_meetings WHERE programme_id = $1 ORDER BY held_on DESC, id DESC",
        args![programme_id],
        |r| Ok((r.get::<i64>("id")?.to_string(), format!("{} {}", r.get::<String>("held_on")?, r.get::<String>("title")?))),
    )?)
}
