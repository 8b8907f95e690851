//! The programme at a glance, as the county's coordinators need it: per working group the
//! convener, the members whose mandate or working time is not stated, the current half-year's
//! plan and its state, the goals that fail the plans model's goal checks (an unmeasurable goal:
//! no indicator with baseline and target), the open deviations; and the load on each
//! organisation — how many groups it convenes and staffs (the evaluation's "the county board
//! leads all seven groups", made visible). A fixed number of queries per group.

use serde::Serialize;

use super::activity::{self, ActivityPlan};
use super::programme::{self, Signatory};
use super::{HalfYear, Member, Programme, WorkingGroup, load, working_groups};
use crate::Viewer;
use crate::args;
use crate::forums::forum::OrgRef;
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::plans::evaluation::{self, Analysis};

/// A goal check that fails.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalProblem {
    /// `goal.measurable`, …
    pub code: String,
    pub message: String,
    /// The anchor on the plan page (`mal-12`).
    pub anchor: String,
}

/// One working group's state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupState {
    pub group: WorkingGroup,
    /// Members whose mandate or working time is not stated.
    pub missing_terms: Vec<Member>,
    /// The plan of the current half-year, or else the latest.
    pub current: Option<ActivityPlan>,
    /// Every half-year's plan, oldest first.
    pub plans: Vec<ActivityPlan>,
    /// The current plan's failing goal checks (målanalys); empty when there is no plan or the
    /// viewer may not read it (`checks_readable` false).
    pub goal_problems: Vec<GoalProblem>,
    pub checks_readable: bool,
    /// The current plan's deviations without a stated correction.
    pub open_deviations: i64,
}

/// The load on one organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Load {
    pub org: OrgRef,
    /// Working groups it convenes.
    pub convenes: i64,
    /// Working groups it is a member of (convened ones included).
    pub staffs: i64,
    /// Hours per month its representatives are given, where stated.
    pub hours_per_month: f64,
}

/// The programme page's whole read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Overview {
    pub programme: Programme,
    pub signatories: Vec<Signatory>,
    pub groups: Vec<GroupState>,
    /// Organisations by the number of groups they convene, then staff.
    pub load: Vec<Load>,
    /// The current half-year (`2026H2`).
    pub current_half_year: String,
    /// Whether the viewer may manage the programme / quality-assure its plans.
    pub manages: bool,
    pub quality_assures: bool,
}

/// The overview of programme `id`, if the viewer may read it.
pub fn overview(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Overview> {
    let p = load(db, v, id)?;
    let signatories = programme::signatories(db, id)?;
    let groups = working_groups(db, id)?;
    let all_plans = activity::for_programme(db, id)?;
    let now = HalfYear::of(brygga_domain::time::today()).to_string();
    let mut states = Vec::with_capacity(groups.len());
    for g in groups {
        let plans: Vec<ActivityPlan> = all_plans.iter().filter(|a| a.group_id == g.id).cloned().collect();
        let current = plans.iter().find(|a| a.half_year == now).or(plans.last()).cloned();
        let (mut goal_problems, mut checks_readable, mut open_deviations) = (Vec::new(), false, 0);
        if let Some(c) = &current {
            match evaluation::evaluate(db, v, c.plan_id) {
                Ok(checks) => {
                    checks_readable = true;
                    goal_problems = checks
                        .into_iter()
                        .filter(|k| !k.passed && k.analysis == Analysis::Goals)
                        .map(|k| GoalProblem { code: k.code.to_owned(), message: k.message, anchor: k.target.anchor })
                        .collect();
                    open_deviations =
                        db.scalar("SELECT COUNT(*) FROM plan_deviations WHERE plan_id = $1 AND correction IS NULL", args![c.plan_id])?;
                }
                Err(StoreError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        states.push(GroupState {
            missing_terms: g.missing_terms().into_iter().cloned().collect(),
            group: g,
            current,
            plans,
            goal_problems,
            checks_readable,
            open_deviations,
        });
    }
    let load = load_of(db, id)?;
    Ok(Overview {
        manages: p.manages(v),
        quality_assures: p.quality_assures(v),
        programme: p,
        signatories,
        groups: states,
        load,
        current_half_year: now,
    })
}

/// The load on each organisation of programme `programme_id` (read checked by the caller).
pub fn load_of(db: &mut dyn Conn, programme_id: i64) -> StoreResult<Vec<Load>> {
    let mut rows: Vec<Load> = db.map_all(
        "SELECT o.id, o.name, o.name_key,
            (SELECT COUNT(*) FROM working_groups g WHERE g.programme_id = $1 AND g.convener_org_id = o.id) AS convenes,
            (SELECT COUNT(*) FROM working_group_members wm JOIN working_groups g ON g.id = wm.group_id WHERE g.programme_id = $1 AND wm.org_id = o.id) AS staffs,
            (SELECT COALESCE(SUM(wm.hours_per_month), 0) FROM working_group_members wm JOIN working_groups g ON g.id = wm.group_id
               WHERE g.programme_id = $1 AND wm.org_id = o.id) AS hours
         FROM organisations o WHERE o.id IN (SELECT org_id FROM working_group_members wm JOIN working_groups g ON g.id = wm.group_id WHERE g.programme_id = $1)
            OR o.id IN (SELECT convener_org_id FROM working_groups WHERE programme_id = $1)
         ORDER BY o.name_key",
        args![programme_id],
        |r| {
            Ok(Load {
                org: OrgRef { id: r.get("id")?, name: r.get("name")? },
                convenes: r.get("convenes")?,
                staffs: r.get("staffs")?,
                hours_per_month: r.get::<Option<f64>>("hours")?.unwrap_or(0.0),
            })
        },
    )?;
    rows.sort_by(|a, b| b.convenes.cmp(&a.convenes).then(b.staffs.cmp(&a.staffs)));
    Ok(rows)
}
