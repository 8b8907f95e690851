//! The steering report of a programme for one half-year: every working group's goals and their
//! evaluation checks (the plans model's, reused), its activities done and not done (the measures
//! of the group's activity plan for the half-year, by status), its deviations; the half-year's
//! decisions and their follow-up with the uppdrag still open from before; the deliverables with
//! the check "levererad men inte spridd"; and **the load on each organisation** — how many
//! groups it convenes and how many it staffs, and how many of its members lack a stated mandate
//! or working time (the evaluation's "Länsstyrelsen leads all seven" made visible).
//!
//! **Who.** Whoever may read the programme reads its report ([`super::load`]); the groups'
//! activity plans are read under the programme's rule, not each plan's, so the steering group
//! sees every group. The report changes nothing. A fixed number of queries per group.

use std::collections::BTreeMap;

use brygga_domain::plans::MeasureStatus;
use brygga_domain::time::today;
use jiff::civil::Date;
use serde::Serialize;

use super::decisions::{self, Decision};
use super::deliverables::{self, Deliverable};
use super::steering::{self, GroupPlan, HalfYear, Meeting, OffTrack, SteeringMember};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::StoreResult;
use crate::plans::evaluation::{Analysis, Check};
use crate::plans::followup::{self, FollowUpReport};
use crate::{Viewer, args};

/// The Swedish label of an activity plan's workflow state.
pub fn state_label(state: &str) -> &'static str {
    match state {
        "draft" => "Utkast",
        "submitted" => "Inlämnad",
        "quality_assured" => "Kvalitetssäkrad",
        "presented" => "Presenterad",
        "adopted" => "Fastställd",
        _ => "Okänd",
    }
}

/// The group's activity plan the report reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringReportPlan))]
pub struct ReportPlan {
    pub plan_id: i64,
    pub title: String,
    /// `2019H1`: the half-year's own version, or the latest before it.
    pub half_year: String,
    pub half_year_label: String,
    /// Whether the version is the half-year's own (false: the latest earlier one).
    pub of_the_half_year: bool,
    pub state: String,
    pub state_label: String,
}

/// A goal of a group's plan with its progress and failing checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringReportGoal))]
pub struct ReportGoal {
    pub id: i64,
    pub kind_label: String,
    pub title: String,
    pub depth: usize,
    /// 0…1, from the indicators.
    pub progress: Option<f64>,
    /// The messages of the goal's failing checks.
    pub problems: Vec<String>,
    /// Off track: a failing målanalys check, or progress behind the time.
    pub off_track: bool,
}

/// An activity (a measure of the plan).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringReportActivity))]
pub struct Activity {
    pub id: i64,
    pub title: String,
    pub responsible: String,
    pub status: String,
    pub status_label: String,
    pub end_on: Option<String>,
}

/// A deviation of a group's plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringReportDeviation))]
pub struct ReportDeviation {
    pub id: i64,
    pub what: String,
    pub correction: Option<String>,
}

/// One working group in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringReportGroup))]
pub struct ReportGroup {
    pub group_id: i64,
    pub name: String,
    pub convener: String,
    pub plan: Option<ReportPlan>,
    pub goals: Vec<ReportGoal>,
    /// Every failing check of the plan (all three analyses).
    pub failed_checks: Vec<Check>,
    pub checks_passed: usize,
    pub activities_done: Vec<Activity>,
    pub activities_not_done: Vec<Activity>,
    pub deviations: Vec<ReportDeviation>,
    pub off_track: Vec<OffTrack>,
}

/// The load on one organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringOrgLoad))]
pub struct OrgLoad {
    pub org_id: i64,
    pub name: String,
    /// Groups it convenes (sammankallande).
    pub convenes: usize,
    /// Groups it staffs (is a member of).
    pub staffs: usize,
    /// Its role in the steering group, if any (Swedish label).
    pub steering_role: Option<String>,
    /// Its group memberships without a stated mandate.
    pub without_mandate: usize,
    /// Its group memberships without a stated working time.
    pub without_time: usize,
}

/// The report's totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringReportTotals))]
pub struct Totals {
    pub groups: usize,
    pub groups_without_plan: usize,
    pub goals: usize,
    pub goals_off_track: usize,
    pub checks_failed: usize,
    pub activities: usize,
    pub activities_done: usize,
    pub activities_not_done: usize,
    pub deviations: usize,
    pub decisions: usize,
    pub open_assignments: usize,
    pub overdue_assignments: usize,
    pub deliverables: usize,
    pub undistributed: usize,
}

/// The steering report of a programme for a half-year.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SteeringReport {
    pub programme_id: i64,
    pub programme_title: String,
    /// `2019H1`.
    pub half_year: String,
    pub half_year_label: String,
    pub from: String,
    pub to: String,
    /// `2026-12-06`: the day the report was read (checks and lateness are as of this day).
    pub as_of: String,
    pub steering_group: Vec<SteeringMember>,
    pub meetings: Vec<Meeting>,
    pub groups: Vec<ReportGroup>,
    /// Decisions of the half-year's meetings.
    pub decisions: Vec<Decision>,
    /// Uppdrag from earlier meetings still open.
    pub earlier_open: Vec<Decision>,
    pub deliverables: Vec<Deliverable>,
    pub load: Vec<OrgLoad>,
    /// One sentence on the heaviest load, e.g. `Störst belastning: Länsstyrelsen Skåne är
    /// sammankallande i 7 av 7 arbetsgrupper – alla och medlem i 7.` ([`load_finding`]).
    pub load_finding: Option<String>,
    pub totals: Totals,
}

/// The goals whose progress (values up to `until`) lags: `(goal id, progress)` of every goal.
pub(crate) fn goal_progress(db: &mut dyn Conn, plan_id: i64, until: &str) -> StoreResult<Vec<(i64, Option<f64>)>> {
    let year: i32 = until.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2000);
    Ok(followup::report_of(db, plan_id, year, false)?.goals.into_iter().map(|g| (g.id, g.progress)).collect())
}

fn activity(m: &followup::ReportMeasure) -> Activity {
    Activity {
        id: m.id,
        title: m.title.clone(),
        responsible: m.responsible.clone(),
        status: m.status.clone(),
        status_label: m.status_label.clone(),
        end_on: m.end_on.clone(),
    }
}

fn group_part(db: &mut dyn Conn, g: &GroupPlan, convener: String, half: HalfYear, today: Date) -> StoreResult<ReportGroup> {
    let mut out = ReportGroup {
        group_id: g.group_id,
        name: g.group_name.clone(),
        convener,
        plan: None,
        goals: Vec::new(),
        failed_checks: Vec::new(),
        checks_passed: 0,
        activities_done: Vec::new(),
        activities_not_done: Vec::new(),
        deviations: Vec::new(),
        off_track: Vec::new(),
    };
    let Some(plan_id) = g.plan_id else { return Ok(out) };
    let r: FollowUpReport = followup::report_of(db, plan_id, i32::from(half.year), false)?;
    let hy = g.plan_half_year.clone().unwrap_or_default();
    let state = g.state.clone().unwrap_or_default();
    out.plan = Some(ReportPlan {
        plan_id,
        title: r.title.clone(),
        half_year_label: HalfYear::parse("half_year", &hy).map(HalfYear::label).unwrap_or_else(|_| hy.clone()),
        of_the_half_year: hy == half.to_string(),
        half_year: hy,
        state_label: state_label(&state).to_owned(),
        state,
    });
    let share = match (r.period_from.parse::<Date>(), r.period_to.parse::<Date>()) {
        (Ok(f), Ok(t)) => steering::elapsed(f, t, today),
        _ => 0.0,
    };
    for goal in &r.goals {
        let problems: Vec<&Check> = r.checks.iter().filter(|c| !c.passed && c.target.kind == "goal" && c.target.id == goal.id).collect();
        let failing_goal_check = problems.iter().any(|c| c.analysis == Analysis::Goals);
        let lags = steering::behind(goal.progress, share);
        if failing_goal_check || lags {
            out.off_track.push(OffTrack {
                goal_id: goal.id,
                goal_title: goal.title.clone(),
                reason: match problems.iter().find(|c| c.analysis == Analysis::Goals) {
                    Some(c) => c.message.clone(),
                    None => steering::lag_reason(&goal.title, goal.progress, share),
                },
            });
        }
        out.goals.push(ReportGoal {
            id: goal.id,
            kind_label: goal.kind_label.clone(),
            title: goal.title.clone(),
            depth: goal.depth,
            progress: goal.progress,
            problems: problems.iter().map(|c| c.message.clone()).collect(),
            off_track: failing_goal_check || lags,
        });
    }
    out.checks_passed = r.checks.iter().filter(|c| c.passed).count();
    out.failed_checks = r.checks.into_iter().filter(|c| !c.passed).collect();
    for m in &r.measures {
        if m.status == MeasureStatus::Done.code() {
            out.activities_done.push(activity(m));
        } else {
            out.activities_not_done.push(activity(m));
        }
    }
    out.deviations =
        db.map_all("SELECT id, what, correction FROM plan_deviations WHERE plan_id = $1 ORDER BY created_at, id", args![plan_id], |row| {
            let correction: Option<String> = row.get("correction")?;
            Ok(ReportDeviation { id: row.get("id")?, what: row.get("what")?, correction: correction.filter(|c| !c.trim().is_empty()) })
        })?;
    Ok(out)
}

/// The load on each organisation of the programme: conveners, members and steering members;
/// the heaviest first.
pub(crate) fn load_of(db: &mut dyn Conn, programme_id: i64, steering_group: &[SteeringMember]) -> StoreResult<Vec<OrgLoad>> {
    let mut by: BTreeMap<i64, OrgLoad> = BTreeMap::new();
    let blank = |org_id: i64, name: String| OrgLoad {
        org_id,
        name,
        convenes: 0,
        staffs: 0,
        steering_role: None,
        without_mandate: 0,
        without_time: 0,
    };
    let conveners: Vec<(i64, String, i64)> = db.map_all(
        "SELECT g.convener_org_id, o.name, COUNT(*) AS n FROM working_groups g JOIN organisations o ON o.id = g.convener_org_id
         WHERE g.programme_id = $1 GROUP BY g.convener_org_id, o.name",
        args![programme_id],
        |r| Ok((r.get("convener_org_id")?, r.get("name")?, r.get("n")?)),
    )?;
    for (org, name, n) in conveners {
        by.entry(org).or_insert_with(|| blank(org, name)).convenes = usize::try_from(n).unwrap_or(0);
    }
    let members: Vec<(i64, String, i64, i64, i64)> = db.map_all(
        "SELECT m.org_id, o.name, COUNT(DISTINCT m.group_id) AS n,
                SUM(CASE WHEN m.mandate IS NULL OR TRIM(m.mandate) = '' THEN 1 ELSE 0 END) AS no_mandate,
                SUM(CASE WHEN m.hours_per_month IS NULL THEN 1 ELSE 0 END) AS no_time
         FROM working_group_members m JOIN working_groups g ON g.id = m.group_id JOIN organisations o ON o.id = m.org_id
         WHERE g.programme_id = $1 AND (m.left_on IS NULL OR m.left_on > $2) GROUP BY m.org_id, o.name",
        args![programme_id, today().to_string()],
        |r| Ok((r.get("org_id")?, r.get("name")?, r.get("n")?, r.get("no_mandate")?, r.get("no_time")?)),
    )?;
    for (org, name, n, no_mandate, no_time) in members {
        let e = by.entry(org).or_insert_with(|| blank(org, name));
        e.staffs = usize::try_from(n).unwrap_or(0);
        e.without_mandate = usize::try_from(no_mandate).unwrap_or(0);
        e.without_time = usize::try_from(no_time).unwrap_or(0);
    }
    for s in steering_group {
        by.entry(s.org_id).or_insert_with(|| blank(s.org_id, s.org_name.clone())).steering_role = Some(s.role_label.clone());
    }
    let mut out: Vec<OrgLoad> = by.into_values().collect();
    out.sort_by(|a, b| b.convenes.cmp(&a.convenes).then(b.staffs.cmp(&a.staffs)).then(a.name.cmp(&b.name)));
    Ok(out)
}

/// The sentence on the heaviest load: the organisation that convenes the most groups (then is
/// member of the most), with how many of the groups it convenes and staffs — the evaluation's
/// "Länsstyrelsen leads all seven" as one line. `None` without groups.
pub fn load_finding(load: &[OrgLoad], groups: usize) -> Option<String> {
    let top = load.iter().max_by(|a, b| a.convenes.cmp(&b.convenes).then(a.staffs.cmp(&b.staffs)).then(b.name.cmp(&a.name)))?;
    (groups > 0 && top.convenes + top.staffs > 0).then(|| {
        let all = if top.convenes == groups { " – alla" } else { "" };
        format!(
            "Störst belastning: {} är sammankallande i {} av {} arbetsgrupper{all} och medlem i {}.",
            top.name, top.convenes, groups, top.staffs
        )
    })
}

/// The steering report of programme `programme_id` for `half_year` (`2019H1`).
pub fn report(db: &mut dyn Conn, v: &Viewer, programme_id: i64, half_year: &str) -> StoreResult<SteeringReport> {
    let half = HalfYear::parse("half_year", half_year).map_err(crate::kernel::error::StoreError::invalid)?;
    let p = super::load(db, v, programme_id)?;
    let today = today();
    let steering_group = steering::read_members(db, programme_id)?;
    let meetings: Vec<Meeting> =
        steering::read_meetings(db, programme_id)?.into_iter().filter(|m| m.half_year == half.to_string()).collect();
    let conveners: Vec<(i64, String)> = db.map_all(
        "SELECT g.id, o.name FROM working_groups g JOIN organisations o ON o.id = g.convener_org_id WHERE g.programme_id = $1",
        args![programme_id],
        |r| Ok((r.get("id")?, r.get("name")?)),
    )?;
    let mut groups = Vec::new();
    for g in steering::group_plans(db, programme_id, half)? {
        let convener = conveners.iter().find(|c| c.0 == g.group_id).map(|c| c.1.clone()).unwrap_or_default();
        groups.push(group_part(db, &g, convener, half, today)?);
    }
    let all: Vec<Decision> =
        db.all(&format!("{} WHERE d.programme_id = $1 ORDER BY m.held_on, m.id, d.number", decisions::SELECT), args![programme_id])?;
    let (decisions, earlier): (Vec<Decision>, Vec<Decision>) = all.into_iter().partition(|d| meetings.iter().any(|m| m.id == d.meeting_id));
    let earlier_open: Vec<Decision> =
        earlier.into_iter().filter(|d| d.status == "open" && d.kind == "assignment" && d.meeting_on < half.start().to_string()).collect();
    let deliverables = deliverables::read_all(db, programme_id)?;
    let load = load_of(db, programme_id, &steering_group)?;
    let totals = Totals {
        groups: groups.len(),
        groups_without_plan: groups.iter().filter(|g| g.plan.is_none()).count(),
        goals: groups.iter().map(|g| g.goals.len()).sum(),
        goals_off_track: groups.iter().map(|g| g.off_track.len()).sum(),
        checks_failed: groups.iter().map(|g| g.failed_checks.len()).sum(),
        activities: groups.iter().map(|g| g.activities_done.len() + g.activities_not_done.len()).sum(),
        activities_done: groups.iter().map(|g| g.activities_done.len()).sum(),
        activities_not_done: groups.iter().map(|g| g.activities_not_done.len()).sum(),
        deviations: groups.iter().map(|g| g.deviations.len()).sum(),
        decisions: decisions.len(),
        open_assignments: decisions.iter().chain(&earlier_open).filter(|d| d.kind == "assignment" && d.status == "open").count(),
        overdue_assignments: decisions.iter().chain(&earlier_open).filter(|d| d.overdue).count(),
        deliverables: deliverables.len(),
        undistributed: deliverables.iter().filter(|d| d.undistributed).count(),
    };
    Ok(SteeringReport {
        programme_id,
        programme_title: p.title,
        half_year: half.to_string(),
        half_year_label: half.label(),
        from: half.start().to_string(),
        to: half.end().to_string(),
        as_of: today.to_string(),
        steering_group,
        meetings,
        load_finding: load_finding(&load, groups.len()),
        groups,
        decisions,
        earlier_open,
        deliverables,
        load,
        totals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(name: &str, convenes: usize, staffs: usize) -> OrgLoad {
        OrgLoad { org_id: 1, name: name.into(), convenes, staffs, steering_role: None, without_mandate: 0, without_time: 0 }
    }

    #[test]
    fn the_finding_names_an_organisation_that_convenes_most_groups() {
        assert_eq!(
            load_finding(&[l("Polisregion Syd", 0, 7), l("Länsstyrelsen Skåne", 7, 7)], 7).as_deref(),
            Some("Störst belastning: Länsstyrelsen Skåne är sammankallande i 7 av 7 arbetsgrupper – alla och medlem i 7.")
        );
        assert_eq!(
            load_finding(&[l("A", 3, 6), l("B", 3, 4)], 7).as_deref(),
            Some("Störst belastning: A är sammankallande i 3 av 7 arbetsgrupper och medlem i 6.")
        );
        assert_eq!(load_finding(&[l("A", 0, 0)], 3), None);
        assert_eq!(load_finding(&[], 0), None);
    }
}
