//! Activity plans (aktivitetsplaner): a working group's plan for a half-year is a version of
//! an åtgärdsplan of kind `activity` in the plans model — its goals, indicators, activities
//! (measures), contributions, deviations, comparison and checks all come from `plans` — with
//! the workflow above the draft state kept in `activity_plans` and every step, with who and
//! when, in `activity_plan_steps`:
//!
//! utkast → inlämnad (the group: convener or member coordinators) → kvalitetssäkrad (the
//! owner's coordinators comment and approve, or return it to utkast with a comment) →
//! presenterad (at a steering meeting) → fastställd (the plans model's adoption of the version,
//! the steering group as the body that decided it).
//!
//! A step out of order is refused with the step that comes next; an activity plan is not
//! submitted (nor started) for a half-year that has ended. The next half-year's plan is started
//! as a new version of the group's lineage, copying every part and keeping keys, so that
//! consecutive half-years compare side by side (`plans::compare`).
//!
//! The workflow state and its steps are programme records (read by the programme's parties,
//! [`super::load`]); the plan's content is read by the plans rule (its parties: the group's
//! member organisations and the programme's owner).

use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{HalfYear, Programme, WorkingGroup, load, load_group};
use crate::forum_work::actions::clean_text;
use crate::forums::forum::OrgRef;
use crate::kernel::access::{self, Action as Permission};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::plans::plan::{self as plan, KIND_ACTIVITY};
use crate::plans::{Doc, DocTable, activity_state_label};
use crate::{Viewer, args, now_ms};

pub const COMMENT: TextRule = TextRule::line("comment", "Kommentaren", 4000).optional().multiline();

/// The workflow states, in order.
pub const STATES: &[&str] = &["draft", "submitted", "quality_assured", "presented", "adopted"];

/// The Swedish label of a state, capitalised (`Inlämnad`).
pub fn state_label(state: &str) -> String {
    let s = activity_state_label(state);
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// One half-year's activity plan of a working group: the plan version and its workflow state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityPlan {
    /// The `action_plans` id: the plan page is `/atgardsplaner/{plan_id}`.
    pub plan_id: i64,
    pub group_id: i64,
    /// `2019H1`.
    pub half_year: String,
    /// `draft`, `submitted`, `quality_assured`, `presented` or `adopted`.
    pub state: String,
    pub state_label: String,
    pub title: String,
    pub version_no: i64,
    /// The plans model's status of the version: `draft`, `adopted` or `superseded`.
    pub status: String,
    pub presented_meeting_id: Option<i64>,
    /// Optimistic lock of the plan version.
    pub version: i64,
    pub updated_at_ms: i64,
}

impl ActivityPlan {
    pub fn half(&self) -> Option<HalfYear> {
        HalfYear::parse("half_year", &self.half_year).ok()
    }
}

impl FromRow for ActivityPlan {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let state: String = r.get("state")?;
        Ok(Self {
            plan_id: r.get("plan_id")?,
            group_id: r.get("group_id")?,
            half_year: r.get("half_year")?,
            state_label: state_label(&state),
            state,
            title: r.get("title")?,
            version_no: r.get("version_no")?,
            status: r.get("status")?,
            presented_meeting_id: r.get("presented_meeting_id")?,
            version: r.get("version")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

const SELECT: &str = "SELECT ap.plan_id, ap.group_id, ap.half_year, ap.state, p.title, p.version_no, p.status, ap.presented_meeting_id,
        p.version, ap.updated_at FROM activity_plans ap JOIN action_plans p ON p.id = ap.plan_id";

/// The activity plans of a group, oldest half-year first (read checked by the caller).
pub fn for_group(db: &mut dyn Conn, group_id: i64) -> StoreResult<Vec<ActivityPlan>> {
    Ok(db.all(&format!("{SELECT} WHERE ap.group_id = $1 ORDER BY ap.half_year, p.version_no"), args![group_id])?)
}

/// The activity plans of every group of a programme (read checked by the caller).
pub fn for_programme(db: &mut dyn Conn, programme_id: i64) -> StoreResult<Vec<ActivityPlan>> {
    Ok(db.all(
        &format!("{SELECT} JOIN working_groups g ON g.id = ap.group_id WHERE g.programme_id = $1 ORDER BY ap.group_id, ap.half_year"),
        args![programme_id],
    )?)
}

/// The workflow of plan version `plan_id`, if it is an activity plan (no read check: the plans
/// page calls it after reading the plan).
pub fn of_plan(db: &mut dyn Conn, plan_id: i64) -> StoreResult<Option<ActivityPlan>> {
    Ok(db.opt(&format!("{SELECT} WHERE ap.plan_id = $1"), args![plan_id])?)
}

/// One step of the workflow.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    pub id: i64,
    /// `created`, `submitted`, `returned`, `commented`, `quality_assured`, `presented`, `adopted`.
    pub step: String,
    pub step_label: String,
    pub comment: Option<String>,
    pub meeting_id: Option<i64>,
    /// The organisation that took the step.
    pub by_org: Option<OrgRef>,
    /// The person who took it (name), when the account still exists.
    pub by_name: Option<String>,
    pub at_ms: i64,
}

/// The Swedish label of a step.
pub fn step_label(step: &str) -> &'static str {
    match step {
        "created" => "Påbörjad",
        "submitted" => "Inlämnad",
        "returned" => "Återskickad till utkast",
        "commented" => "Kommenterad",
        "quality_assured" => "Kvalitetssäkrad",
        "presented" => "Presenterad för styrgruppen",
        "adopted" => "Fastställd",
        _ => "Okänt steg",
    }
}

/// The steps of a plan version, oldest first (read checked by the caller).
pub fn steps(db: &mut dyn Conn, plan_id: i64) -> StoreResult<Vec<Step>> {
    Ok(db.map_all(
        "SELECT s.id, s.step, s.comment, s.meeting_id, s.by_org_id, o.name AS org_name, u.name AS user_name, s.at
         FROM activity_plan_steps s LEFT JOIN organisations o ON o.id = s.by_org_id LEFT JOIN users u ON u.id = s.by_user_id
         WHERE s.plan_id = $1 ORDER BY s.at, s.id",
        args![plan_id],
        |r| {
            let step: String = r.get("step")?;
            let org: Option<i64> = r.get("by_org_id")?;
            Ok(Step {
                id: r.get("id")?,
                step_label: step_label(&step).to_owned(),
                step,
                comment: r.get("comment")?,
                meeting_id: r.get("meeting_id")?,
                by_org: match org {
                    Some(id) => Some(OrgRef { id, name: r.get::<Option<String>>("org_name")?.unwrap_or_default() }),
                    None => None,
                },
                by_name: r.get("user_name")?,
                at_ms: r.get("at")?,
            })
        },
    )?)
}

/// An activity plan with its workflow, group and programme, as the plan's workflow panel and
/// `GET /api/v1/activity-plans/{id}` show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityView {
    pub plan: ActivityPlan,
    pub steps: Vec<Step>,
    pub programme_id: i64,
    pub programme_title: String,
    pub group_id: i64,
    pub group_name: String,
    pub convener: OrgRef,
    /// Every half-year's plan of the group (to compare with).
    pub versions: Vec<ActivityPlan>,
    /// What the viewer may do next: `submit`, `comment`, `quality_assure`, `return`, `present`,
    /// `adopt` (forms are shown by it; the store decides).
    pub allowed_steps: Vec<String>,
}

/// The plan version `plan_id` with its workflow, if the viewer may read the plan.
pub fn get(db: &mut dyn Conn, v: &Viewer, plan_id: i64) -> StoreResult<ActivityView> {
    Doc::load(db, v, DocTable::Plan, plan_id)?;
    let Some(plan) = of_plan(db, plan_id)? else { return Err(StoreError::not_found("activity_plan")) };
    let (p, g) = context(db, plan.group_id)?;
    let allowed_steps = allowed(v, &p, &g, &plan.state).into_iter().map(str::to_owned).collect();
    Ok(ActivityView {
        steps: steps(db, plan_id)?,
        programme_id: p.id,
        programme_title: p.title.clone(),
        group_id: g.id,
        group_name: g.name.clone(),
        convener: g.convener.clone(),
        versions: for_group(db, g.id)?,
        allowed_steps,
        plan,
    })
}

/// The group and programme of a plan, without a read check (the caller read the plan).
fn context(db: &mut dyn Conn, group_id: i64) -> StoreResult<(Programme, WorkingGroup)> {
    let programme_id: i64 = db.scalar("SELECT programme_id FROM working_groups WHERE id = $1", args![group_id])?;
    let p = super::fetch(db, programme_id)?;
    let mut g =
        super::working_groups(db, programme_id)?.into_iter().find(|g| g.id == group_id).ok_or(StoreError::not_found("working_group"))?;
    g.members.retain(|m| m.group_id == group_id);
    Ok((p, g))
}

/// The group's organisations whose coordinators write its plan: the convener and the members.
fn writers(g: &WorkingGroup) -> Vec<i64> {
    let mut orgs: Vec<i64> = std::iter::once(g.convener.id).chain(g.members.iter().map(|m| m.org.id)).collect();
    orgs.sort_unstable();
    orgs.dedup();
    orgs
}

/// The steps the viewer may take from `state`.
fn allowed<'a>(v: &Viewer, p: &Programme, g: &WorkingGroup, state: &str) -> Vec<&'a str> {
    let writes = access::acting_org(v, &writers(g), None, |org| Permission::WriteActivityPlan { org }).is_some();
    let qa = access::allowed(v, Permission::QualityAssure { org: p.owner.id });
    let mut out = Vec::new();
    match state {
        "draft" if writes => out.push("submit"),
        "submitted" if qa => out.extend(["comment", "quality_assure", "return"]),
        "quality_assured" if qa => out.extend(["comment", "present", "return"]),
        "presented" if qa => out.extend(["comment", "adopt"]),
        _ => {}
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Starting a half-year's plan.

/// Starts the activity plan of group `group_id` for `half_year` (`2019H1`), today.
pub fn start(db: &mut dyn Conn, v: &Viewer, group_id: i64, half_year: &str) -> StoreResult<ActivityPlan> {
    start_on(db, v, group_id, half_year, brygga_domain::time::today())
}

/// [`start`] as of `today` (the demo writes earlier half-years with their dates). The first plan
/// of a group is a new åtgärdsplan of kind `activity` whose parties are the group's members and
/// the programme's owner (the owner owns it); every later one is a new version of the same
/// lineage copying every part of the latest, which must be fastställd.
pub fn start_on(db: &mut dyn Conn, v: &Viewer, group_id: i64, half_year: &str, today: Date) -> StoreResult<ActivityPlan> {
    let (p, g) = load_group(db, v, group_id)?;
    // The group's coordinators start it; so may the owner's (the county's coordinators).
    let org = access::acting_org(v, &writers(&g), None, |org| Permission::WriteActivityPlan { org })
        .or_else(|| access::allowed(v, Permission::ManageProgramme { org: p.owner.id }).then_some(p.owner.id))
        .ok_or(StoreError::Forbidden)?;
    let hy = HalfYear::parse("half_year", half_year).map_err(StoreError::invalid)?;
    let mut errs = FieldErrors::new();
    let (pf, pt): (Date, Date) = (
        p.period_from.parse().map_err(|e: jiff::Error| StoreError::Internal(e.to_string()))?,
        p.period_to.parse().map_err(|e: jiff::Error| StoreError::Internal(e.to_string()))?,
    );
    if hy.end() < pf || hy.start() > pt {
        errs.push(FieldError::new(
            "half_year",
            "programmes.half_year_outside",
            format!("{hy} ligger utanför programperioden {} – {}. Välj ett halvår inom perioden.", p.period_from, p.period_to),
        ));
    }
    if hy.end() < today {
        errs.push(ended(hy, today));
    }
    let latest: Option<ActivityPlan> = match g.plan_lineage_id {
        None => None,
        Some(l) => db.opt(&format!("{SELECT} WHERE p.lineage_id = $1 ORDER BY p.version_no DESC LIMIT 1"), args![l])?,
    };
    if let Some(l) = &latest {
        if l.half_year.as_str() >= hy.to_string().as_str() {
            errs.push(FieldError::new(
                "half_year",
                "programmes.half_year_taken",
                format!("Arbetsgruppen har redan en aktivitetsplan för {}. Välj ett senare halvår.", l.half_year),
            ));
        } else if l.status == "draft" {
            errs.push(FieldError::new(
                "half_year",
                "programmes.previous_not_adopted",
                format!(
                    "Aktivitetsplanen för {} är {} och inte fastställd. Nästa halvårs plan bygger på den fastställda planen: för den förra planen genom arbetsflödet först.",
                    l.half_year,
                    activity_state_label(&l.state)
                ),
            ));
        }
    }
    errs.into_result()?;
    let now = now_ms();
    let title = format!("Aktivitetsplan {} {hy}", g.name);
    let title: String = title.chars().take(200).collect();
    let id = match &latest {
        None => {
            let id: i64 = db.scalar(
                "INSERT INTO action_plans (lineage_id, version_no, status, title, kind, municipality_code, period_from, period_to,
                    owner_org_id, visibility, created_by_user_id, version, created_at, updated_at)
                 VALUES (0, 1, 'draft', $1, $2, NULL, $3, $4, $5, 'organisation', $6, 1, $7, $7) RETURNING id",
                args![title.as_str(), KIND_ACTIVITY, hy.start().to_string(), hy.end().to_string(), p.owner.id, v.user_id(), now],
            )?;
            db.execute("UPDATE action_plans SET lineage_id = id WHERE id = $1", args![id])?;
            db.execute("UPDATE working_groups SET plan_lineage_id = $1, updated_at = $2 WHERE id = $3", args![id, now, group_id])?;
            id
        }
        Some(l) => {
            let doc = Doc::load(db, v, DocTable::Plan, l.plan_id)?;
            let id = plan::copy_version(db, v, &doc)?;
            db.execute(
                "UPDATE action_plans SET title = $1, period_from = $2, period_to = $3, decided_by = NULL, decided_on = NULL, decision_ref = NULL
                 WHERE id = $4",
                args![title.as_str(), hy.start().to_string(), hy.end().to_string(), id],
            )?;
            id
        }
    };
    for o in std::iter::once(p.owner.id).chain(writers(&g)) {
        db.execute(
            "INSERT INTO plan_parties (plan_id, org_id) SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM plan_parties WHERE plan_id = $1 AND org_id = $2)",
            args![id, o],
        )?;
    }
    db.execute(
        "INSERT INTO activity_plans (plan_id, group_id, half_year, state, updated_at) VALUES ($1, $2, $3, 'draft', $4)",
        args![id, group_id, hy.to_string(), now],
    )?;
    record_step(db, v, id, "created", None, None, org, now)?;
    audit::record(db, v, Event::new("programme.plan_start").record("plan", id).org(org).org(p.owner.id))?;
    of_plan(db, id)?.ok_or(StoreError::not_found("activity_plan"))
}

fn ended(hy: HalfYear, today: Date) -> FieldError {
    FieldError::new(
        "half_year",
        "programmes.half_year_ended",
        format!(
            "Halvåret {hy} slutade {} och i dag är det {today}. En aktivitetsplan lämnas in före eller under sitt halvår: starta planen för {} i stället.",
            hy.end(),
            HalfYear::of(today).max(hy.next())
        ),
    )
}

#[allow(clippy::too_many_arguments)]
fn record_step(
    db: &mut dyn Conn,
    v: &Viewer,
    plan_id: i64,
    step: &str,
    comment: Option<&str>,
    meeting_id: Option<i64>,
    org: i64,
    now: i64,
) -> StoreResult<()> {
    db.execute(
        "INSERT INTO activity_plan_steps (plan_id, step, comment, meeting_id, by_user_id, by_org_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![plan_id, step, comment, meeting_id, v.user_id(), org, now],
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The workflow.

/// A workflow step as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// `submit` (the group), `comment`, `quality_assure`, `return` (to draft; a comment is
    /// required), `present` (at a steering meeting), `adopt` (the county's coordinators).
    pub step: String,
    /// The quality assurers' comment (required to return a plan).
    #[serde(default)]
    pub comment: Option<String>,
    /// The steering meeting it was presented at (`present`), one of the programme's.
    #[serde(default)]
    pub meeting_id: Option<i64>,
    /// The date the steering group adopted it (`adopt`; default the meeting's date or today).
    #[serde(default)]
    pub decided_on: Option<String>,
    /// The plan version's optimistic lock, as read.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Takes one workflow step today.
pub fn step(db: &mut dyn Conn, v: &Viewer, plan_id: i64, input: &StepInput) -> StoreResult<ActivityView> {
    step_on(db, v, plan_id, input, brygga_domain::time::today())
}

/// [`step`] as of `today` (the demo takes earlier half-years' steps with their dates).
pub fn step_on(db: &mut dyn Conn, v: &Viewer, plan_id: i64, input: &StepInput, today: Date) -> StoreResult<ActivityView> {
    let doc = Doc::load(db, v, DocTable::Plan, plan_id)?;
    let Some(plan) = of_plan(db, plan_id)? else { return Err(StoreError::not_found("activity_plan")) };
    let (p, g) = context(db, plan.group_id)?;
    // The programme must be readable too (it is, for every party of the plan).
    load(db, v, p.id).map_err(|_| StoreError::not_found("activity_plan"))?;
    let (what, from, to) = match input.step.trim() {
        "submit" => ("lämnas in", "draft", "submitted"),
        "comment" => ("kommenteras", "", ""),
        "quality_assure" => ("kvalitetssäkras", "submitted", "quality_assured"),
        "return" => ("skickas tillbaka till utkast", "", "draft"),
        "present" => ("presenteras för styrgruppen", "quality_assured", "presented"),
        "adopt" => ("fastställas", "presented", "adopted"),
        other => {
            return Err(StoreError::invalid(FieldError::new(
                "step",
                "programmes.step_unknown",
                format!(
                    "”{other}” är inget steg i arbetsflödet. Välj lämna in, kommentera, kvalitetssäkra, skicka tillbaka, presentera eller fastställ."
                ),
            )));
        }
    };
    let org = if input.step.trim() == "submit" {
        access::acting_org(v, &writers(&g), None, |org| Permission::WriteActivityPlan { org }).ok_or(StoreError::Forbidden)?
    } else {
        access::require(v, Permission::QualityAssure { org: p.owner.id })?;
        p.owner.id
    };
    if let Some(e) = input.version
        && e != doc.version
    {
        return Err(StoreError::Stale);
    }
    let state = plan.state.as_str();
    let order_ok = match input.step.trim() {
        "comment" => matches!(state, "submitted" | "quality_assured" | "presented"),
        "return" => matches!(state, "submitted" | "quality_assured"),
        _ => state == from,
    };
    if !order_ok {
        return Err(StoreError::invalid(out_of_order(state, what)));
    }
    let mut errs = FieldErrors::new();
    let comment = clean_text(&mut errs, &COMMENT, input.comment.as_deref()).flatten();
    if matches!(input.step.trim(), "comment" | "return") && comment.is_none() && errs.is_empty() {
        errs.push(FieldError::new(
            "comment",
            "required",
            if input.step.trim() == "return" {
                "Skriv en kommentar om vad arbetsgruppen behöver ändra innan planen skickas tillbaka."
            } else {
                "Skriv kommentaren."
            },
        ));
    }
    let hy = plan.half().ok_or_else(|| StoreError::Internal(format!("half-year {}", plan.half_year)))?;
    if input.step.trim() == "submit" && hy.end() < today {
        errs.push(ended(hy, today));
    }
    let mut meeting_date: Option<String> = None;
    if let Some(m) = input.meeting_id {
        meeting_date = db.scalar_opt("SELECT held_on FROM steering_meetings WHERE id = $1 AND programme_id = $2", args![m, p.id])?;
        if meeting_date.is_none() {
            errs.push(FieldError::new(
                "meeting_id",
                "programmes.meeting_unknown",
                "Styrgruppsmötet finns inte i det här programmet. Välj ett av programmets möten.",
            ));
        }
    }
    let decided_on = crate::plans::plan::opt_date(&mut errs, "decided_on", input.decided_on.as_deref());
    errs.into_result()?;
    let now = now_ms();
    let step_code = match input.step.trim() {
        "submit" => "submitted",
        "comment" => "commented",
        "quality_assure" => "quality_assured",
        "return" => "returned",
        "present" => "presented",
        _ => "adopted",
    };
    if input.step.trim() == "adopt" {
        let on = decided_on
            .flatten()
            .map(|d| d.to_string())
            .or(meeting_date.clone())
            .or_else(|| {
                plan.presented_meeting_id
                    .and_then(|m| db.scalar_opt("SELECT held_on FROM steering_meetings WHERE id = $1", args![m]).ok().flatten())
            })
            .unwrap_or_else(|| today.to_string());
        let by: String = format!("Styrgruppen för {}", p.title).chars().take(200).collect();
        db.execute("UPDATE action_plans SET decided_by = $1, decided_on = $2 WHERE id = $3", args![by.as_str(), on.as_str(), plan_id])?;
        let fresh = Doc::load(db, v, DocTable::Plan, plan_id)?;
        plan::adopt_version(db, v, &fresh, p.owner.id, None)?;
    } else {
        doc.touch(db, None)?;
    }
    if !to.is_empty() {
        db.execute(
            "UPDATE activity_plans SET state = $1, presented_meeting_id = COALESCE($2, presented_meeting_id), updated_at = $3 WHERE plan_id = $4",
            args![to, if to == "presented" { input.meeting_id } else { None }, now, plan_id],
        )?;
    }
    record_step(db, v, plan_id, step_code, comment.as_deref(), input.meeting_id, org, now)?;
    let action = match step_code {
        "submitted" => "programme.plan_submit",
        "commented" => "programme.plan_comment",
        "quality_assured" => "programme.plan_quality_assure",
        "returned" => "programme.plan_return",
        "presented" => "programme.plan_present",
        _ => "programme.plan_adopt",
    };
    audit::record(db, v, Event::new(action).record("plan", plan_id).org(org).org(p.owner.id).org(g.convener.id))?;
    get(db, v, plan_id)
}

/// A step out of order: what the plan is, and the step that comes next.
fn out_of_order(state: &str, what: &str) -> FieldError {
    let next = match state {
        "draft" => "att arbetsgruppen lämnar in den",
        "submitted" => "att länets samordnare kvalitetssäkrar den (eller skickar tillbaka den med en kommentar)",
        "quality_assured" => "att den presenteras för styrgruppen",
        "presented" => "att styrgruppen fastställer den",
        _ => "inget: planen är fastställd. Starta nästa halvårs plan från arbetsgruppens sida",
    };
    FieldError::new(
        "step",
        "programmes.step_order",
        format!(
            "Planen är {} och kan inte {what} nu: inget steg i arbetsflödet får hoppas över. Nästa steg är {next}.",
            activity_state_label(state)
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// Members' contributions to an activity.

pub const CONTRIBUTION: TextRule = TextRule::line("contribution", "Bidraget", 1000).optional().multiline();

/// A member organisation's contribution to an activity (a measure of the activity plan).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contribution {
    pub measure_id: i64,
    pub org: OrgRef,
    pub contribution: String,
}

/// The contributions to the activities of plan version `plan_id` (read checked by the caller).
pub fn contributions(db: &mut dyn Conn, plan_id: i64) -> StoreResult<Vec<Contribution>> {
    Ok(db.map_all(
        "SELECT c.measure_id, c.org_id, o.name, c.contribution FROM measure_contributions c JOIN plan_measures m ON m.id = c.measure_id
         JOIN organisations o ON o.id = c.org_id WHERE m.plan_id = $1 ORDER BY m.position, m.id, o.name_key",
        args![plan_id],
        |r| {
            Ok(Contribution {
                measure_id: r.get("measure_id")?,
                org: OrgRef { id: r.get("org_id")?, name: r.get("name")? },
                contribution: r.get("contribution")?,
            })
        },
    )?)
}

/// A contribution as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContributionInput {
    /// The contributing organisation: one of the plan's parties.
    #[serde(default)]
    pub org_id: Option<i64>,
    /// What it contributes (`Två handläggare, 4 timmar i månaden`); empty removes it.
    #[serde(default)]
    pub contribution: Option<String>,
}

/// Sets (or, with an empty text, removes) a party's contribution to an activity of a draft
/// activity plan (coordinators of a party; the workflow must be at utkast).
pub fn set_contribution(db: &mut dyn Conn, v: &Viewer, measure_id: i64, input: &ContributionInput) -> StoreResult<Vec<Contribution>> {
    let plan_id: i64 =
        db.scalar_opt("SELECT plan_id FROM plan_measures WHERE id = $1", args![measure_id])?.ok_or(StoreError::not_found("measure"))?;
    let doc = Doc::load(db, v, DocTable::Plan, plan_id).map_err(|_| StoreError::not_found("measure"))?;
    if !doc.is_activity() {
        return Err(StoreError::invalid(FieldError::new(
            "org_id",
            "programmes.not_activity",
            "Bidrag anges i arbetsgruppers aktivitetsplaner. I en kommuns åtgärdsplan anges samverkanspartner vid insatsen.",
        )));
    }
    let org = doc.acting_party(v, None, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    let mut errs = FieldErrors::new();
    let text = clean_text(&mut errs, &CONTRIBUTION, input.contribution.as_deref());
    match input.org_id {
        None => errs.push(FieldError::new("org_id", "required", "Välj organisationen som bidrar.")),
        Some(o) => {
            if let Err(e) = crate::plans::require_party_org(&doc.parties, o, "org_id", "Organisationen") {
                errs.push(e);
            }
        }
    }
    errs.into_result()?;
    let contributor = input.org_id.expect("checked");
    db.execute("DELETE FROM measure_contributions WHERE measure_id = $1 AND org_id = $2", args![measure_id, contributor])?;
    if let Some(t) = text.flatten() {
        db.execute(
            "INSERT INTO measure_contributions (measure_id, org_id, contribution) VALUES ($1, $2, $3)",
            args![measure_id, contributor, t.as_str()],
        )?;
    }
    doc.touch(db, None)?;
    audit::record(db, v, Event::new("programme.contribution_set").record("plan", plan_id).org(org).org(contributor))?;
    contributions(db, plan_id)
}
