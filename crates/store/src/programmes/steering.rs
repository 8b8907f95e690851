//! The steering group of a programme: its member organisations (one chairs, one keeps the
//! minutes), its meetings (date, half-year, title, place, planned or held, notes) and each
//! meeting's **agenda generated from the working groups' state**:
//! - activity plans awaiting a decision (quality-assured: to be presented; presented: to be
//!   adopted);
//! - goals off track in each group's current plan: a goal whose målanalys check fails (e.g. not
//!   measurable: no indicator with a baseline and a target) or whose progress lags the time gone
//!   by more than [`BEHIND_MARGIN`];
//! - open deviations (no correction stated);
//! - open uppdrag past or near their due date ([`super::decisions::NEAR_DUE_DAYS`]);
//! - deliverables delivered but not distributed.
//!
//! The coordinator adds, removes and reorders items; [`refresh_agenda`] adds what has come up
//! since, never twice. Presenting a plan at a meeting moves it to `presented`, adopting it there
//! makes the meeting the decision behind it (body, date, reference) and logs the beslut —
//! through the programme's workflow commands ([`super::activity`]).
//!
//! **Who.** Coordinators of the programme's owner write ([`Permission::ManageProgramme`]);
//! whoever may read the programme reads its steering group, meetings and agendas
//! ([`super::load`]). Nobody is notified by e-mail; every change is in the owner's audit log.

use std::collections::HashSet;

use brygga_domain::steering::{AgendaKind, MeetingStatus, SteeringRole};
use brygga_domain::text::TextRule;
use brygga_domain::time::{parse_date, today};
use brygga_domain::{FieldError, FieldErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use super::HalfYear;
use super::activity::{self, StepInput};
use super::decisions::{self, Decision};
use super::deliverables;
use crate::forum_work::actions::clean_text;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult, checked_with};
use crate::plans::evaluation::{self, Analysis};
use crate::{Viewer, args, now_ms};

pub const TITLE: TextRule = TextRule::line("title", "Mötets rubrik", 200);
pub const LOCATION: TextRule = TextRule::line("location", "Platsen", 200).optional();
pub const NOTES: TextRule = TextRule::line("notes", "Anteckningarna", 8000).optional().multiline();
pub const REPRESENTATIVE: TextRule = TextRule::line("representative", "Representanten", 200).optional();
pub const ITEM: TextRule = TextRule::line("title", "Punkten", 500);

/// A goal whose progress lags the share of the plan's period gone by more than this is behind.
pub const BEHIND_MARGIN: f64 = 0.25;

// ---------------------------------------------------------------------------------------------
// Who writes.

/// The programme's owner, when the viewer may manage the programme (coordinators of the owner);
/// not found when the programme is unreadable, forbidden when it is readable but not theirs.
pub fn require_manage(db: &mut dyn Conn, v: &Viewer, programme_id: i64) -> StoreResult<i64> {
    Ok(super::load_managed(db, v, programme_id)?.owner.id)
}

/// Whether the viewer may manage the programme's steering group, decisions and deliverables
/// (pages use it to show or hide forms; the store decides).
pub fn may_manage(db: &mut dyn Conn, v: &Viewer, programme_id: i64) -> StoreResult<bool> {
    Ok(super::load(db, v, programme_id)?.manages(v))
}

// ---------------------------------------------------------------------------------------------
// Members.

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SteeringMember {
    pub org_id: i64,
    pub org_name: String,
    /// The person's title (landshövding, regionpolischef …), not a name.
    pub representative: Option<String>,
    /// `chair`, `member` or `secretary`.
    pub role: String,
    pub role_label: String,
}

impl FromRow for SteeringMember {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let role: String = r.get("role")?;
        Ok(Self {
            org_id: r.get("org_id")?,
            org_name: r.get("org_name")?,
            representative: r.get("representative")?,
            role_label: SteeringRole::from_code(&role)
                .map(|k| k.label().to_owned())
                .ok_or_else(|| DbError::Decode(format!("role {role}")))?,
            role,
        })
    }
}

pub(crate) fn read_members(db: &mut dyn Conn, programme_id: i64) -> StoreResult<Vec<SteeringMember>> {
    Ok(db.all(
        "SELECT s.org_id, o.name AS org_name, s.representative, s.role FROM steering_members s JOIN organisations o ON o.id = s.org_id
         WHERE s.programme_id = $1 ORDER BY CASE s.role WHEN 'chair' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, o.name_key, s.org_id",
        args![programme_id],
    )?)
}

/// The steering group, the chair first.
pub fn members(db: &mut dyn Conn, v: &Viewer, programme_id: i64) -> StoreResult<Vec<SteeringMember>> {
    super::load(db, v, programme_id)?;
    read_members(db, programme_id)
}

/// A steering-group member as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringMemberInput))]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub org_id: i64,
    /// The representative's title, e.g. `Landshövding`.
    #[serde(default)]
    pub representative: Option<String>,
    /// `chair`, `member` or `secretary`.
    pub role: String,
}

/// Adds an organisation to the steering group, or changes its representative and role. One
/// organisation chairs. The organisation becomes a party of the programme.
pub fn set_member(
    db: &mut dyn Conn,
    v: &Viewer,
    programme_id: i64,
    input: &MemberInput,
    unread: FieldErrors,
) -> StoreResult<SteeringMember> {
    let owner = require_manage(db, v, programme_id)?;
    let checked = (|| -> StoreResult<_> {
        let mut errs = FieldErrors::new();
        let role = errs.take(SteeringRole::parse(&input.role));
        let representative = clean_text(&mut errs, &REPRESENTATIVE, input.representative.as_deref());
        let exists: Option<i64> = db.scalar_opt("SELECT id FROM organisations WHERE id = $1", args![input.org_id])?;
        if exists.is_none() {
            errs.push(FieldError::new("org_id", "choice.invalid", "Organisationen finns inte. Välj en organisation i listan."));
        }
        if role == Some(SteeringRole::Chair) {
            let chair: Option<String> = db.scalar_opt(
                "SELECT o.name FROM steering_members s JOIN organisations o ON o.id = s.org_id WHERE s.programme_id = $1 AND s.role = 'chair' AND s.org_id <> $2",
                args![programme_id, input.org_id],
            )?;
            if let Some(c) = chair {
                errs.push(FieldError::new(
                    "role",
                    "steering.one_chair",
                    format!("Styrgruppen har redan en ordförande ({c}). Gör {c} till ledamot först, eller välj en annan roll."),
                ));
            }
        }
        errs.into_result()?;
        Ok((role.expect("checked"), representative.flatten()))
    })();
    let (role, representative) = checked_with(unread, checked)?;
    let updated = db.execute(
        "UPDATE steering_members SET representative = $1, role = $2 WHERE programme_id = $3 AND org_id = $4",
        args![representative.as_deref(), role.code(), programme_id, input.org_id],
    )?;
    if updated == 0 {
        db.execute(
            "INSERT INTO steering_members (programme_id, org_id, representative, role) VALUES ($1, $2, $3, $4)",
            args![programme_id, input.org_id, representative.as_deref(), role.code()],
        )?;
    }
    super::sync_parties(db, programme_id)?;
    audit::record(db, v, Event::new("steering.member_set").record("programme", programme_id).org(owner))?;
    read_members(db, programme_id)?.into_iter().find(|m| m.org_id == input.org_id).ok_or(StoreError::not_found("steering_member"))
}

/// Takes an organisation out of the steering group.
pub fn remove_member(db: &mut dyn Conn, v: &Viewer, programme_id: i64, org_id: i64) -> StoreResult<()> {
    let owner = require_manage(db, v, programme_id)?;
    if db.execute("DELETE FROM steering_members WHERE programme_id = $1 AND org_id = $2", args![programme_id, org_id])? == 0 {
        return Err(StoreError::not_found("steering_member"));
    }
    super::sync_parties(db, programme_id)?;
    audit::record(db, v, Event::new("steering.member_remove").record("programme", programme_id).org(owner))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Meetings.

/// A steering meeting without its agenda.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringMeetingRow))]
pub struct Meeting {
    pub id: i64,
    pub programme_id: i64,
    /// `2019-05-20`.
    pub held_on: String,
    /// `2019H1`.
    pub half_year: String,
    pub half_year_label: String,
    pub title: String,
    pub location: Option<String>,
    /// `planned` or `held`.
    pub status: String,
    pub status_label: String,
    pub notes: Option<String>,
    /// Optimistic lock: send it back when editing.
    pub version: i64,
}

impl Meeting {
    pub fn held_on_date(&self) -> Date {
        self.held_on.parse().unwrap_or_else(|_| today())
    }
    pub fn half(&self) -> HalfYear {
        HalfYear::parse("half_year", &self.half_year).unwrap_or_else(|_| HalfYear::of(self.held_on_date()))
    }
}

const MEETING_SELECT: &str = "SELECT id, programme_id, held_on, half_year, title, location, status, notes, version FROM steering_meetings";

impl FromRow for Meeting {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let status: String = r.get("status")?;
        let half_year: String = r.get("half_year")?;
        Ok(Self {
            id: r.get("id")?,
            programme_id: r.get("programme_id")?,
            held_on: r.get("held_on")?,
            half_year_label: HalfYear::parse("half_year", &half_year).map(HalfYear::label).unwrap_or_else(|_| half_year.clone()),
            half_year,
            title: r.get("title")?,
            location: r.get("location")?,
            status_label: MeetingStatus::from_code(&status)
                .map(|k| k.label().to_owned())
                .ok_or_else(|| DbError::Decode(format!("status {status}")))?,
            status,
            notes: r.get("notes")?,
            version: r.get("version")?,
        })
    }
}

/// A meeting, if the viewer may read its programme (not found otherwise).
pub fn meeting_row(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Meeting> {
    let m: Meeting = db.opt(&format!("{MEETING_SELECT} WHERE id = $1"), args![id])?.ok_or(StoreError::not_found("steering_meeting"))?;
    super::load(db, v, m.programme_id).map_err(|_| StoreError::not_found("steering_meeting"))?;
    Ok(m)
}

/// The meetings of a programme, newest first.
pub fn meetings(db: &mut dyn Conn, v: &Viewer, programme_id: i64) -> StoreResult<Vec<Meeting>> {
    super::load(db, v, programme_id)?;
    read_meetings(db, programme_id)
}

pub(crate) fn read_meetings(db: &mut dyn Conn, programme_id: i64) -> StoreResult<Vec<Meeting>> {
    Ok(db.all(&format!("{MEETING_SELECT} WHERE programme_id = $1 ORDER BY held_on DESC, id DESC"), args![programme_id])?)
}

/// One agenda item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringAgendaItem))]
pub struct AgendaItem {
    pub id: i64,
    pub position: i64,
    /// `plan_decision`, `goal_off_track`, `deviation`, `decision_follow_up`, `deliverable` or
    /// `other` (added by hand).
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub plan_id: Option<i64>,
    /// For a plan item: the plan's workflow state now (`quality_assured`, `presented`, …).
    pub plan_state: Option<String>,
    /// What the item is about: a plan, goal, deviation, decision or deliverable id.
    pub ref_id: Option<i64>,
}

impl FromRow for AgendaItem {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("kind")?;
        Ok(Self {
            id: r.get("id")?,
            position: r.get("position")?,
            kind_label: AgendaKind::from_code(&kind)
                .map(|k| k.label().to_owned())
                .ok_or_else(|| DbError::Decode(format!("kind {kind}")))?,
            kind,
            title: r.get("title")?,
            group_id: r.get("group_id")?,
            group_name: r.get("group_name")?,
            plan_id: r.get("plan_id")?,
            plan_state: r.get("plan_state")?,
            ref_id: r.get("ref_id")?,
        })
    }
}

fn read_agenda(db: &mut dyn Conn, meeting_id: i64) -> StoreResult<Vec<AgendaItem>> {
    Ok(db.all(
        "SELECT i.id, i.position, i.kind, i.title, i.group_id, g.name AS group_name, i.plan_id, a.state AS plan_state, i.ref_id
         FROM steering_agenda_items i LEFT JOIN working_groups g ON g.id = i.group_id LEFT JOIN activity_plans a ON a.plan_id = i.plan_id
         WHERE i.meeting_id = $1 ORDER BY i.position, i.id",
        args![meeting_id],
    )?)
}

/// A meeting with its agenda and decisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringMeeting))]
pub struct MeetingDetail {
    pub meeting: Meeting,
    pub programme_title: String,
    pub agenda: Vec<AgendaItem>,
    pub decisions: Vec<Decision>,
}

/// One meeting with its agenda and decisions.
pub fn meeting(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<MeetingDetail> {
    let m = meeting_row(db, v, id)?;
    let p = super::load(db, v, m.programme_id)?;
    Ok(MeetingDetail {
        agenda: read_agenda(db, id)?,
        decisions: db.all(&format!("{} WHERE d.meeting_id = $1 ORDER BY d.number", decisions::SELECT), args![id])?,
        programme_title: p.title,
        meeting: m,
    })
}

/// A meeting as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringMeetingInput))]
#[serde(deny_unknown_fields)]
pub struct MeetingInput {
    /// `2019-05-20`.
    pub held_on: String,
    /// `2019H1`; the meeting date's half-year when left out.
    #[serde(default)]
    pub half_year: Option<String>,
    pub title: String,
    #[serde(default)]
    pub location: Option<String>,
    /// `planned` (default) or `held` (not for a date ahead).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// When editing: the version read (a stale one is a conflict).
    #[serde(default)]
    pub version: Option<i64>,
}

struct ValidMeeting {
    held_on: Date,
    half: HalfYear,
    title: String,
    location: Option<String>,
    status: MeetingStatus,
    notes: Option<String>,
}

fn prepare_meeting(input: &MeetingInput) -> Result<ValidMeeting, FieldErrors> {
    let mut errs = FieldErrors::new();
    let held_on = if input.held_on.trim().is_empty() {
        errs.push(FieldError::new("held_on", "required", "Ange mötesdagen, till exempel 2019-05-20."));
        None
    } else {
        errs.take(parse_date("held_on", &input.held_on))
    };
    let half = match input.half_year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => errs.take(HalfYear::parse("half_year", s)),
        None => held_on.map(HalfYear::of),
    };
    let status = match input.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => errs.take(MeetingStatus::parse(s)),
        None => Some(MeetingStatus::Planned),
    };
    if let (Some(MeetingStatus::Held), Some(d)) = (status, held_on)
        && d > today()
    {
        errs.push(FieldError::new(
            "status",
            "steering.held_in_future",
            format!("Mötet {d} har inte hållits än. Välj status planerat, eller rätta mötesdagen."),
        ));
    }
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let location = clean_text(&mut errs, &LOCATION, input.location.as_deref());
    let notes = clean_text(&mut errs, &NOTES, input.notes.as_deref());
    errs.into_result()?;
    Ok(ValidMeeting {
        held_on: held_on.expect("checked"),
        half: half.expect("checked"),
        title: title.flatten().expect("checked"),
        location: location.expect("checked"),
        status: status.expect("checked"),
        notes: notes.expect("checked"),
    })
}

/// Plans a meeting (or records one held) and generates its agenda from the groups' state.
pub fn create_meeting(
    db: &mut dyn Conn,
    v: &Viewer,
    programme_id: i64,
    input: &MeetingInput,
    unread: FieldErrors,
) -> StoreResult<MeetingDetail> {
    let owner = require_manage(db, v, programme_id)?;
    let m = checked_with(unread, prepare_meeting(input).map_err(StoreError::Invalid))?;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO steering_meetings (programme_id, held_on, half_year, title, location, status, notes, created_by_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        args![
            programme_id,
            m.held_on.to_string(),
            m.half.to_string(),
            m.title.as_str(),
            m.location.as_deref(),
            m.status.code(),
            m.notes.as_deref(),
            v.user_id(),
            now
        ],
    )?;
    let row = meeting_row(db, v, id)?;
    add_generated(db, &row)?;
    audit::record(db, v, Event::new("steering.meeting_create").record("steering_meeting", id).org(owner))?;
    meeting(db, v, id)
}

/// Changes a meeting's date, half-year, title, place, status and notes.
pub fn update_meeting(db: &mut dyn Conn, v: &Viewer, id: i64, input: &MeetingInput, unread: FieldErrors) -> StoreResult<MeetingDetail> {
    let before = meeting_row(db, v, id)?;
    let owner = require_manage(db, v, before.programme_id)?;
    let m = checked_with(unread, prepare_meeting(input).map_err(StoreError::Invalid))?;
    if let Some(e) = input.version
        && e != before.version
    {
        return Err(StoreError::Stale);
    }
    db.execute(
        "UPDATE steering_meetings SET held_on = $1, half_year = $2, title = $3, location = $4, status = $5, notes = $6, version = version + 1,
            updated_at = $7 WHERE id = $8",
        args![m.held_on.to_string(), m.half.to_string(), m.title.as_str(), m.location.as_deref(), m.status.code(), m.notes.as_deref(), now_ms(), id],
    )?;
    audit::record(db, v, Event::new("steering.meeting_update").record("steering_meeting", id).org(owner))?;
    meeting(db, v, id)
}

/// Deletes a meeting with its agenda and decisions, answering its programme's id; refused when a
/// plan was presented at it.
pub fn delete_meeting(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<i64> {
    let before = meeting_row(db, v, id)?;
    let owner = require_manage(db, v, before.programme_id)?;
    let presented: i64 = db.scalar("SELECT COUNT(*) FROM activity_plans WHERE presented_meeting_id = $1", args![id])?;
    if presented > 0 {
        return Err(StoreError::invalid(FieldError::new(
            "meeting",
            "steering.meeting_in_use",
            "Mötet kan inte tas bort: aktivitetsplaner har presenterats vid det. Ändra mötet i stället.",
        )));
    }
    db.execute("DELETE FROM steering_meetings WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("steering.meeting_delete").record("programme", before.programme_id).org(owner))?;
    Ok(before.programme_id)
}

// ---------------------------------------------------------------------------------------------
// The agenda generated from the groups' state.

/// An agenda item the state calls for.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub kind: AgendaKind,
    pub title: String,
    pub group_id: Option<i64>,
    pub plan_id: Option<i64>,
    pub ref_id: i64,
}

/// A working group with its current activity plan for a half-year: the version of that
/// half-year, else the latest before it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupPlan {
    pub group_id: i64,
    pub group_name: String,
    pub plan_id: Option<i64>,
    pub plan_half_year: Option<String>,
    pub state: Option<String>,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
}

/// Every group of the programme (by area position) with its current plan for `half`. Two
/// queries.
pub(crate) fn group_plans(db: &mut dyn Conn, programme_id: i64, half: HalfYear) -> StoreResult<Vec<GroupPlan>> {
    let groups: Vec<(i64, String)> = db.map_all(
        "SELECT g.id, g.name FROM working_groups g JOIN programme_areas a ON a.id = g.area_id WHERE g.programme_id = $1 ORDER BY a.position, g.id",
        args![programme_id],
        |r| Ok((r.get("id")?, r.get("name")?)),
    )?;
    let plans: Vec<(i64, i64, String, String, String, String)> = db.map_all(
        "SELECT a.group_id, a.plan_id, a.half_year, a.state, p.period_from, p.period_to FROM activity_plans a
         JOIN action_plans p ON p.id = a.plan_id JOIN working_groups g ON g.id = a.group_id
         WHERE g.programme_id = $1 AND a.half_year <= $2 ORDER BY a.half_year, p.version_no",
        args![programme_id, half.to_string()],
        |r| Ok((r.get("group_id")?, r.get("plan_id")?, r.get("half_year")?, r.get("state")?, r.get("period_from")?, r.get("period_to")?)),
    )?;
    Ok(groups
        .into_iter()
        .map(|(group_id, group_name)| {
            let p = plans.iter().rev().find(|p| p.0 == group_id);
            GroupPlan {
                group_id,
                group_name,
                plan_id: p.map(|p| p.1),
                plan_half_year: p.map(|p| p.2.clone()),
                state: p.map(|p| p.3.clone()),
                period_from: p.map(|p| p.4.clone()),
                period_to: p.map(|p| p.5.clone()),
            }
        })
        .collect())
}

/// The share (0…1) of the period `from`…`to` gone by on `today`.
pub fn elapsed(from: Date, to: Date, today: Date) -> f64 {
    if today <= from {
        return 0.0;
    }
    if today >= to {
        return 1.0;
    }
    let total = (to - from).get_days() as f64;
    let gone = (today - from).get_days() as f64;
    if total <= 0.0 { 1.0 } else { (gone / total).clamp(0.0, 1.0) }
}

/// Whether a goal with `progress` is behind when `share` of its period has gone by.
pub fn behind(progress: Option<f64>, share: f64) -> bool {
    progress.is_some_and(|p| p + BEHIND_MARGIN < share)
}

/// A goal off track in a group's plan: the failing målanalys check or the progress that lags.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringOffTrack))]
pub struct OffTrack {
    pub goal_id: i64,
    pub goal_title: String,
    /// What is wrong, in plain Swedish (the check's message, or the progress against the time).
    pub reason: String,
}

/// Why a goal whose progress lags the time gone counts as off track (names the goal, as the
/// checks' messages do).
pub(crate) fn lag_reason(title: &str, progress: Option<f64>, share: f64) -> String {
    format!(
        "Målet ”{title}” har nått {} % av vägen mot målvärdet när {} % av perioden har gått.",
        (progress.unwrap_or(0.0) * 100.0).round(),
        (share * 100.0).round()
    )
}

/// The goals off track in a plan on `today`: each goal with a failing målanalys check, and each
/// goal whose progress lags the plan's period by more than [`BEHIND_MARGIN`].
pub(crate) fn off_track(db: &mut dyn Conn, plan: &GroupPlan, today: Date) -> StoreResult<(Vec<OffTrack>, Vec<evaluation::DeviationIn>)> {
    let Some(plan_id) = plan.plan_id else { return Ok((Vec::new(), Vec::new())) };
    let input = evaluation::read_input(db, plan_id, today)?;
    let checks = evaluation::checks(&input);
    let mut out: Vec<OffTrack> = Vec::new();
    for c in checks.iter().filter(|c| !c.passed && c.analysis == Analysis::Goals && c.target.kind == "goal") {
        if out.iter().any(|o| o.goal_id == c.target.id) {
            continue;
        }
        let title = input.goals.iter().find(|g| g.id == c.target.id).map(|g| g.title.clone()).unwrap_or_default();
        out.push(OffTrack { goal_id: c.target.id, goal_title: title, reason: c.message.clone() });
    }
    if let (Some(from), Some(to)) = (plan.period_from.as_deref(), plan.period_to.as_deref())
        && let (Ok(from), Ok(to)) = (from.parse::<Date>(), to.parse::<Date>())
    {
        let share = elapsed(from, to, today);
        for (goal_id, progress) in super::report::goal_progress(db, plan_id, &to.to_string())? {
            if behind(progress, share) && !out.iter().any(|o| o.goal_id == goal_id) {
                let title = input.goals.iter().find(|g| g.id == goal_id).map(|g| g.title.clone()).unwrap_or_default();
                out.push(OffTrack { goal_id, goal_title: title.clone(), reason: lag_reason(&title, progress, share) });
            }
        }
    }
    let open = input.deviations.into_iter().filter(|d| !d.has_correction).collect();
    Ok((out, open))
}

fn state_label(state: &str) -> &'static str {
    match state {
        "quality_assured" => "kvalitetssäkrad, att presentera och fastställa",
        "presented" => "presenterad, att fastställa",
        _ => "att ta ställning till",
    }
}

/// What the state of the programme's groups puts on the agenda of a meeting for `half` on
/// `today` (meeting `exclude` leaves its own decisions out of the follow-up).
pub fn generate(db: &mut dyn Conn, programme_id: i64, half: HalfYear, exclude: Option<i64>, today: Date) -> StoreResult<Vec<Generated>> {
    let mut out = Vec::new();
    let waiting: Vec<(i64, i64, String, String, String)> = db.map_all(
        "SELECT a.plan_id, a.group_id, g.name, a.half_year, a.state FROM activity_plans a JOIN working_groups g ON g.id = a.group_id
         JOIN programme_areas pa ON pa.id = g.area_id
         WHERE g.programme_id = $1 AND a.state IN ('quality_assured', 'presented') ORDER BY pa.position, a.half_year",
        args![programme_id],
        |r| Ok((r.get("plan_id")?, r.get("group_id")?, r.get("name")?, r.get("half_year")?, r.get("state")?)),
    )?;
    for (plan_id, group_id, name, hy, state) in waiting {
        let label = HalfYear::parse("half_year", &hy).map(HalfYear::label).unwrap_or(hy);
        out.push(Generated {
            kind: AgendaKind::PlanDecision,
            title: format!("{name}: aktivitetsplanen för {label} är {}", state_label(&state)),
            group_id: Some(group_id),
            plan_id: Some(plan_id),
            ref_id: plan_id,
        });
    }
    let mut deviations = Vec::new();
    for g in group_plans(db, programme_id, half)? {
        let (goals, open) = off_track(db, &g, today)?;
        for o in goals {
            out.push(Generated {
                kind: AgendaKind::GoalOffTrack,
                // The reason names the goal (every check's message does).
                title: format!("{}: {}", g.group_name, o.reason),
                group_id: Some(g.group_id),
                plan_id: g.plan_id,
                ref_id: o.goal_id,
            });
        }
        for d in open {
            deviations.push(Generated {
                kind: AgendaKind::Deviation,
                title: format!("{}: avvikelsen ”{}” saknar åtgärd", g.group_name, d.what),
                group_id: Some(g.group_id),
                plan_id: g.plan_id,
                ref_id: d.id,
            });
        }
    }
    out.extend(deviations);
    let open: Vec<Decision> = db.all(
        &format!("{} WHERE d.programme_id = $1 AND d.kind = 'assignment' AND d.status = 'open' ORDER BY d.due_on, d.id", decisions::SELECT),
        args![programme_id],
    )?;
    for d in open.into_iter().filter(|d| Some(d.meeting_id) != exclude) {
        let (overdue, near) = decisions::due_flags(&d.kind, &d.status, d.due_on.as_deref(), today);
        if !(overdue || near) {
            continue;
        }
        let who = d.owner_org_name.clone().unwrap_or_default();
        let due = d.due_on.clone().unwrap_or_default();
        out.push(Generated {
            kind: AgendaKind::DecisionFollowUp,
            title: format!(
                "Uppdrag till {who} från {} § {}, {} {due}: {}",
                d.meeting_on,
                d.number,
                if overdue { "försenat, skulle vara klart" } else { "ska vara klart" },
                d.text
            ),
            group_id: d.group_id,
            plan_id: d.plan_id,
            ref_id: d.id,
        });
    }
    for d in deliverables::read_all(db, programme_id)?.into_iter().filter(|d| d.undistributed) {
        out.push(Generated {
            kind: AgendaKind::Deliverable,
            title: format!(
                "{} ”{}” levererades {} men har inte spridits",
                d.kind_label,
                d.title,
                d.delivered_on.as_deref().unwrap_or_default()
            ),
            group_id: d.group_id,
            plan_id: None,
            ref_id: d.id,
        });
    }
    Ok(out)
}

/// Adds what the state calls for and the agenda does not hold yet; the number added.
fn add_generated(db: &mut dyn Conn, m: &Meeting) -> StoreResult<usize> {
    let have: HashSet<(String, i64)> = read_agenda(db, m.id)?.into_iter().filter_map(|i| Some((i.kind, i.ref_id?))).collect();
    let mut position: i64 = db.scalar("SELECT COALESCE(MAX(position), 0) FROM steering_agenda_items WHERE meeting_id = $1", args![m.id])?;
    let mut added = 0;
    for g in generate(db, m.programme_id, m.half(), Some(m.id), today())? {
        if have.contains(&(g.kind.code().to_owned(), g.ref_id)) {
            continue;
        }
        position += 1;
        added += 1;
        let title: String = g.title.chars().take(500).collect();
        db.execute(
            "INSERT INTO steering_agenda_items (meeting_id, position, kind, title, group_id, plan_id, ref_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![m.id, position, g.kind.code(), title, g.group_id, g.plan_id, g.ref_id],
        )?;
    }
    Ok(added)
}

/// Adds to the agenda what has come up since it was generated (never an item twice); the
/// number of items added.
pub fn refresh_agenda(db: &mut dyn Conn, v: &Viewer, meeting_id: i64) -> StoreResult<usize> {
    let m = meeting_row(db, v, meeting_id)?;
    let owner = require_manage(db, v, m.programme_id)?;
    let n = add_generated(db, &m)?;
    audit::record(db, v, Event::new("steering.agenda_refresh").record("steering_meeting", meeting_id).org(owner))?;
    Ok(n)
}

/// Adds an item of the coordinator's own at the end of the agenda.
pub fn add_item(db: &mut dyn Conn, v: &Viewer, meeting_id: i64, title: &str) -> StoreResult<AgendaItem> {
    let m = meeting_row(db, v, meeting_id)?;
    let owner = require_manage(db, v, m.programme_id)?;
    let mut errs = FieldErrors::new();
    let title = clean_text(&mut errs, &ITEM, Some(title));
    errs.into_result()?;
    let title = title.flatten().expect("checked");
    let position: i64 =
        db.scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM steering_agenda_items WHERE meeting_id = $1", args![meeting_id])?;
    let id: i64 = db.scalar(
        "INSERT INTO steering_agenda_items (meeting_id, position, kind, title) VALUES ($1, $2, 'other', $3) RETURNING id",
        args![meeting_id, position, title.as_str()],
    )?;
    audit::record(db, v, Event::new("steering.agenda_change").record("steering_meeting", meeting_id).org(owner))?;
    read_agenda(db, meeting_id)?.into_iter().find(|i| i.id == id).ok_or(StoreError::not_found("agenda_item"))
}

fn item_of(db: &mut dyn Conn, meeting_id: i64, item_id: i64) -> StoreResult<()> {
    let found: Option<i64> =
        db.scalar_opt("SELECT id FROM steering_agenda_items WHERE id = $1 AND meeting_id = $2", args![item_id, meeting_id])?;
    found.map(|_| ()).ok_or(StoreError::not_found("agenda_item"))
}

/// Removes an item from the agenda.
pub fn remove_item(db: &mut dyn Conn, v: &Viewer, meeting_id: i64, item_id: i64) -> StoreResult<()> {
    let m = meeting_row(db, v, meeting_id)?;
    let owner = require_manage(db, v, m.programme_id)?;
    item_of(db, meeting_id, item_id)?;
    db.execute("DELETE FROM steering_agenda_items WHERE id = $1", args![item_id])?;
    audit::record(db, v, Event::new("steering.agenda_change").record("steering_meeting", meeting_id).org(owner))?;
    Ok(())
}

/// Moves an item one step up (`up`) or down the agenda; the agenda is renumbered 1, 2, 3 …
pub fn move_item(db: &mut dyn Conn, v: &Viewer, meeting_id: i64, item_id: i64, up: bool) -> StoreResult<Vec<AgendaItem>> {
    let m = meeting_row(db, v, meeting_id)?;
    let owner = require_manage(db, v, m.programme_id)?;
    item_of(db, meeting_id, item_id)?;
    let mut ids: Vec<i64> = read_agenda(db, meeting_id)?.into_iter().map(|i| i.id).collect();
    let at = ids.iter().position(|i| *i == item_id).ok_or(StoreError::not_found("agenda_item"))?;
    let to = if up { at.checked_sub(1) } else { Some(at + 1).filter(|t| *t < ids.len()) };
    if let Some(to) = to {
        ids.swap(at, to);
    }
    for (n, id) in ids.iter().enumerate() {
        db.execute("UPDATE steering_agenda_items SET position = $1 WHERE id = $2", args![i64::try_from(n).unwrap_or(0) + 1, *id])?;
    }
    audit::record(db, v, Event::new("steering.agenda_change").record("steering_meeting", meeting_id).org(owner))?;
    read_agenda(db, meeting_id)
}

// ---------------------------------------------------------------------------------------------
// Plans at a meeting.

/// The plan `plan_id` as one of the programme's activity plans: its group and half-year.
fn programme_plan(db: &mut dyn Conn, programme_id: i64, plan_id: i64) -> StoreResult<(i64, String, String)> {
    db.map_opt(
        "SELECT a.group_id, g.name, a.half_year FROM activity_plans a JOIN working_groups g ON g.id = a.group_id WHERE a.plan_id = $1 AND g.programme_id = $2",
        args![plan_id, programme_id],
        |r| Ok((r.get("group_id")?, r.get("name")?, r.get("half_year")?)),
    )?
    .ok_or(StoreError::not_found("plan"))
}

/// Presents a quality-assured activity plan at the meeting (the workflow's `presented`).
pub fn present_plan(db: &mut dyn Conn, v: &Viewer, meeting_id: i64, plan_id: i64) -> StoreResult<MeetingDetail> {
    let m = meeting_row(db, v, meeting_id)?;
    require_manage(db, v, m.programme_id)?;
    programme_plan(db, m.programme_id, plan_id)?;
    activity::step(db, v, plan_id, &StepInput { step: "present".into(), meeting_id: Some(meeting_id), ..StepInput::default() })?;
    meeting(db, v, meeting_id)
}

/// Adopts a presented activity plan at the meeting: the steering group is the decision body,
/// the meeting day the decision date, the meeting and the beslut's number the reference; the
/// beslut is logged.
pub fn adopt_plan(db: &mut dyn Conn, v: &Viewer, meeting_id: i64, plan_id: i64) -> StoreResult<MeetingDetail> {
    let m = meeting_row(db, v, meeting_id)?;
    require_manage(db, v, m.programme_id)?;
    let (group_id, group_name, hy) = programme_plan(db, m.programme_id, plan_id)?;
    let label = HalfYear::parse("half_year", &hy).map(HalfYear::label).unwrap_or(hy);
    let number: i64 = db.scalar("SELECT COALESCE(MAX(number), 0) + 1 FROM steering_decisions WHERE meeting_id = $1", args![meeting_id])?;
    let reference = format!("{} {}, § {number}", m.title, m.held_on);
    // The reference first: adopting checks and freezes the version's decision fields.
    db.execute("UPDATE action_plans SET decision_ref = $1 WHERE id = $2", args![reference.chars().take(200).collect::<String>(), plan_id])?;
    activity::step(
        db,
        v,
        plan_id,
        &StepInput { step: "adopt".into(), meeting_id: Some(meeting_id), decided_on: Some(m.held_on.clone()), ..StepInput::default() },
    )?;
    decisions::log_plan_decision(
        db,
        v,
        &m,
        group_id,
        plan_id,
        format!("Styrgruppen fastställer {group_name}s aktivitetsplan för {label}."),
    )?;
    meeting(db, v, meeting_id)
}

// ---------------------------------------------------------------------------------------------
// What the forms offer.

/// The choices of the steering forms: the programme's working groups, its activity plans (group,
/// half-year, state), its parties (uppdrag owners, recipients) and every organisation the viewer
/// may see (new steering members). Pages use them to fill selects; the store checks the answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choices {
    pub groups: Vec<(i64, String)>,
    pub plans: Vec<(i64, String)>,
    pub parties: Vec<(i64, String)>,
    pub organisations: Vec<(i64, String)>,
}

pub fn choices(db: &mut dyn Conn, v: &Viewer, programme_id: i64) -> StoreResult<Choices> {
    let p = super::load(db, v, programme_id)?;
    let groups = db.map_all(
        "SELECT g.id, g.name FROM working_groups g JOIN programme_areas a ON a.id = g.area_id WHERE g.programme_id = $1 ORDER BY a.position, g.id",
        args![programme_id],
        |r| Ok((r.get("id")?, r.get("name")?)),
    )?;
    let plans = db
        .map_all(
            "SELECT a.plan_id, g.name, a.half_year, a.state FROM activity_plans a JOIN working_groups g ON g.id = a.group_id
             JOIN programme_areas pa ON pa.id = g.area_id WHERE g.programme_id = $1 ORDER BY a.half_year DESC, pa.position",
            args![programme_id],
            |r| Ok((r.get::<i64>("plan_id")?, r.get::<String>("name")?, r.get::<String>("half_year")?, r.get::<String>("state")?)),
        )?
        .into_iter()
        .map(|(id, name, hy, state)| (id, format!("{name}, {hy} ({})", super::report::state_label(&state).to_lowercase())))
        .collect();
    let organisations: Vec<(i64, String)> = crate::accounts::orgs::all(db, v)?.into_iter().map(|o| (o.id, o.name)).collect();
    let mut parties: Vec<(i64, String)> = db.map_all(
        "SELECT o.id, o.name FROM programme_parties pp JOIN organisations o ON o.id = pp.org_id WHERE pp.programme_id = $1 ORDER BY o.name_key",
        args![p.id],
        |r| Ok((r.get("id")?, r.get("name")?)),
    )?;
    parties.dedup();
    Ok(Choices { groups, plans, parties, organisations })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn a_goal_is_behind_when_its_progress_lags_the_time_gone_by() {
        let share = elapsed(d("2019-01-01"), d("2019-06-30"), d("2019-05-01"));
        assert!((0.65..0.67).contains(&share), "{share}");
        assert_eq!(elapsed(d("2019-01-01"), d("2019-06-30"), d("2018-12-01")), 0.0);
        assert_eq!(elapsed(d("2019-01-01"), d("2019-06-30"), d("2020-01-01")), 1.0);
        assert!(behind(Some(0.3), share));
        assert!(!behind(Some(0.5), share));
        assert!(!behind(None, 1.0));
    }
}
