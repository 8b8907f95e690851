//! Decisions logged at a steering meeting — information, beslut or uppdrag — numbered per
//! meeting, and their follow-up.
//!
//! An uppdrag (assignment) names the organisation that carries it out and the date it is due
//! (both required: the evaluation found decisions that bound nobody); information and beslut
//! have neither. Every decision is followed up: open, done or cancelled (avskriven, with the
//! reason), a follow-up note, and the day it was closed. An open uppdrag past its due date is
//! *overdue* and flagged wherever decisions are shown; one due within [`NEAR_DUE_DAYS`] is *near
//! due* and goes on the next meeting's agenda.
//!
//! **Who.** Coordinators of the programme's owner log and follow up decisions
//! ([`Permission::ManageProgramme`]); whoever may read the programme reads them (the programme's
//! read rule, [`super::load`]).

use brygga_domain::steering::{DecisionKind, DecisionStatus};
use brygga_domain::text::TextRule;
use brygga_domain::time::{parse_date, today};
use brygga_domain::{FieldError, FieldErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::steering::{self, Meeting};
use crate::forum_work::actions::clean_text;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult, checked_with};
use crate::{Viewer, args, now_ms};

pub const TEXT: TextRule = TextRule::line("text", "Beslutet", 2000).multiline();
pub const FOLLOW_UP: TextRule = TextRule::line("follow_up", "Uppföljningen", 2000).optional().multiline();

/// An open uppdrag due within this many days is near due (on the next agenda).
pub const NEAR_DUE_DAYS: i64 = 30;

/// A decision with its follow-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringDecision))]
pub struct Decision {
    pub id: i64,
    pub programme_id: i64,
    pub meeting_id: i64,
    /// The meeting's date, `2019-05-20`.
    pub meeting_on: String,
    pub meeting_title: String,
    /// Numbered per meeting from 1 (§ 1, § 2 …).
    pub number: i64,
    /// `information`, `decision` or `assignment`.
    pub kind: String,
    pub kind_label: String,
    pub text: String,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    /// The activity plan the decision is about, if any.
    pub plan_id: Option<i64>,
    /// Uppdrag: who carries it out.
    pub owner_org_id: Option<i64>,
    pub owner_org_name: Option<String>,
    /// Uppdrag: when it is due, `2019-09-30`.
    pub due_on: Option<String>,
    /// `open`, `done` or `cancelled`.
    pub status: String,
    pub status_label: String,
    pub follow_up: Option<String>,
    pub closed_on: Option<String>,
    /// An open uppdrag past its due date.
    pub overdue: bool,
    /// An open uppdrag due within [`NEAR_DUE_DAYS`] days.
    pub near_due: bool,
}

pub(crate) const SELECT: &str = "SELECT d.id, d.programme_id, d.meeting_id, m.held_on, m.title AS meeting_title, d.number, d.kind, d.text,
        d.group_id, g.name AS group_name, d.plan_id, d.owner_org_id, o.name AS owner_org_name, d.due_on, d.status, d.follow_up, d.closed_on
     FROM steering_decisions d JOIN steering_meetings m ON m.id = d.meeting_id
     LEFT JOIN working_groups g ON g.id = d.group_id LEFT JOIN organisations o ON o.id = d.owner_org_id";

/// Whether an uppdrag with `status` and `due_on` is overdue, or near due, on `today`.
pub fn due_flags(kind: &str, status: &str, due_on: Option<&str>, today: Date) -> (bool, bool) {
    if kind != DecisionKind::Assignment.code() || status != DecisionStatus::Open.code() {
        return (false, false);
    }
    let Some(due) = due_on.and_then(|d| d.parse::<Date>().ok()) else { return (false, false) };
    let near = today.checked_add(jiff::Span::new().days(NEAR_DUE_DAYS)).unwrap_or(today);
    (due < today, due >= today && due <= near)
}

impl FromRow for Decision {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("kind")?;
        let status: String = r.get("status")?;
        let due_on: Option<String> = r.get("due_on")?;
        let (overdue, near_due) = due_flags(&kind, &status, due_on.as_deref(), today());
        Ok(Self {
            id: r.get("id")?,
            programme_id: r.get("programme_id")?,
            meeting_id: r.get("meeting_id")?,
            meeting_on: r.get("held_on")?,
            meeting_title: r.get("meeting_title")?,
            number: r.get("number")?,
            kind_label: DecisionKind::from_code(&kind)
                .map(|k| k.label().to_owned())
                .ok_or_else(|| DbError::Decode(format!("kind {kind}")))?,
            kind,
            text: r.get("text")?,
            group_id: r.get("group_id")?,
            group_name: r.get("group_name")?,
            plan_id: r.get("plan_id")?,
            owner_org_id: r.get("owner_org_id")?,
            owner_org_name: r.get("owner_org_name")?,
            due_on,
            status_label: DecisionStatus::from_code(&status)
                .map(|k| k.label().to_owned())
                .ok_or_else(|| DbError::Decode(format!("status {status}")))?,
            status,
            follow_up: r.get("follow_up")?,
            closed_on: r.get("closed_on")?,
            overdue,
            near_due,
        })
    }
}

/// The decisions of a programme, newest meeting first, each meeting's in number order.
pub fn for_programme(db: &mut dyn Conn, v: &Viewer, programme_id: i64) -> StoreResult<Vec<Decision>> {
    super::load(db, v, programme_id)?;
    Ok(db.all(&format!("{SELECT} WHERE d.programme_id = $1 ORDER BY m.held_on DESC, m.id DESC, d.number"), args![programme_id])?)
}

/// The decisions of one meeting, in number order.
pub fn for_meeting(db: &mut dyn Conn, v: &Viewer, meeting_id: i64) -> StoreResult<Vec<Decision>> {
    steering::meeting_row(db, v, meeting_id)?;
    Ok(db.all(&format!("{SELECT} WHERE d.meeting_id = $1 ORDER BY d.number"), args![meeting_id])?)
}

/// One decision, if the viewer may read its programme.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Decision> {
    let d: Decision = db.opt(&format!("{SELECT} WHERE d.id = $1"), args![id])?.ok_or(StoreError::not_found("decision"))?;
    super::load(db, v, d.programme_id).map_err(|_| StoreError::not_found("decision"))?;
    Ok(d)
}

/// A decision as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringDecisionInput))]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// `information`, `decision` (beslut) or `assignment` (uppdrag).
    pub kind: String,
    /// What was decided or reported. Required.
    pub text: String,
    /// The working group it concerns (of this programme), if any.
    #[serde(default)]
    pub group_id: Option<i64>,
    /// The activity plan it concerns (of a working group of this programme), if any.
    #[serde(default)]
    pub plan_id: Option<i64>,
    /// Uppdrag only, and required there: the organisation that carries it out (a party of the
    /// programme).
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    /// Uppdrag only, and required there: when it is due, `2019-09-30` (not before the meeting).
    #[serde(default)]
    pub due_on: Option<String>,
}

struct Valid {
    kind: DecisionKind,
    text: String,
    group_id: Option<i64>,
    plan_id: Option<i64>,
    owner_org_id: Option<i64>,
    due_on: Option<String>,
}

fn blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Checks a decision against its meeting and programme, every problem at once.
fn prepare(db: &mut dyn Conn, meeting: &Meeting, input: &DecisionInput) -> StoreResult<Valid> {
    let mut errs = FieldErrors::new();
    let kind = errs.take(DecisionKind::parse(&input.kind));
    let text = clean_text(&mut errs, &TEXT, Some(&input.text));
    if let Some(g) = input.group_id {
        let known: Option<i64> =
            db.scalar_opt("SELECT id FROM working_groups WHERE id = $1 AND programme_id = $2", args![g, meeting.programme_id])?;
        if known.is_none() {
            errs.push(FieldError::new(
                "group_id",
                "steering.group_unknown",
                "Arbetsgruppen finns inte i programmet. Välj en grupp i listan, eller ingen.",
            ));
        }
    }
    if let Some(p) = input.plan_id {
        let known: Option<i64> = db.scalar_opt(
            "SELECT a.plan_id FROM activity_plans a JOIN working_groups g ON g.id = a.group_id WHERE a.plan_id = $1 AND g.programme_id = $2",
            args![p, meeting.programme_id],
        )?;
        if known.is_none() {
            errs.push(FieldError::new(
                "plan_id",
                "steering.plan_unknown",
                "Aktivitetsplanen hör inte till programmet. Välj en plan i listan, eller ingen.",
            ));
        }
    }
    let due = blank(input.due_on.as_deref());
    let assignment = kind == Some(DecisionKind::Assignment);
    let mut due_on = None;
    if assignment {
        match input.owner_org_id {
            None => errs.push(FieldError::new(
                "owner_org_id",
                "steering.owner_required",
                "Ett uppdrag behöver en ansvarig organisation. Välj vilken organisation som ska genomföra uppdraget.",
            )),
            Some(o) => {
                let party: Option<i64> = db.scalar_opt(
                    "SELECT org_id FROM programme_parties WHERE programme_id = $1 AND org_id = $2",
                    args![meeting.programme_id, o],
                )?;
                if party.is_none() {
                    errs.push(FieldError::new(
                        "owner_org_id",
                        "steering.owner_not_party",
                        "Organisationen är inte part i programmet. Välj en av programmets organisationer som ansvarig för uppdraget.",
                    ));
                }
            }
        }
        match due {
            None => errs.push(FieldError::new(
                "due_on",
                "steering.due_required",
                "Ett uppdrag behöver ett slutdatum. Ange när uppdraget ska vara klart, till exempel 2019-09-30.",
            )),
            Some(s) => match parse_date("due_on", s) {
                Err(e) => errs.push(e),
                Ok(d) if d < meeting.held_on_date() => errs.push(FieldError::new(
                    "due_on",
                    "steering.due_before_meeting",
                    format!("Slutdatumet {d} ligger före mötet ({}). Ange ett datum efter mötet.", meeting.held_on),
                )),
                Ok(d) => due_on = Some(d.to_string()),
            },
        }
    } else if kind.is_some() {
        let what = kind.map_or("", |k| k.label()).to_lowercase();
        if input.owner_org_id.is_some() {
            errs.push(FieldError::new(
                "owner_org_id",
                "steering.owner_only_assignment",
                format!("Bara ett uppdrag har en ansvarig organisation. Välj typen uppdrag, eller ta bort den ansvariga från {what}en."),
            ));
        }
        if due.is_some() {
            errs.push(FieldError::new(
                "due_on",
                "steering.due_only_assignment",
                format!("Bara ett uppdrag har ett slutdatum. Välj typen uppdrag, eller ta bort slutdatumet från {what}en."),
            ));
        }
    }
    errs.into_result()?;
    Ok(Valid {
        kind: kind.expect("checked"),
        text: text.flatten().expect("checked"),
        group_id: input.group_id,
        plan_id: input.plan_id,
        owner_org_id: if assignment { input.owner_org_id } else { None },
        due_on,
    })
}

/// Logs a decision at a meeting, numbered next (§ n). `unread` are the door's errors.
pub fn log(db: &mut dyn Conn, v: &Viewer, meeting_id: i64, input: &DecisionInput, unread: FieldErrors) -> StoreResult<Decision> {
    let meeting = steering::meeting_row(db, v, meeting_id)?;
    let owner = steering::require_manage(db, v, meeting.programme_id)?;
    let d = checked_with(unread, prepare(db, &meeting, input))?;
    let id = insert(db, v, &meeting, &d)?;
    audit::record(db, v, Event::new("steering.decision_log").record("steering_meeting", meeting_id).org(owner))?;
    get(db, v, id)
}

fn insert(db: &mut dyn Conn, v: &Viewer, meeting: &Meeting, d: &Valid) -> StoreResult<i64> {
    let number: i64 = db.scalar("SELECT COALESCE(MAX(number), 0) + 1 FROM steering_decisions WHERE meeting_id = $1", args![meeting.id])?;
    let now = now_ms();
    Ok(db.scalar(
        "INSERT INTO steering_decisions (programme_id, meeting_id, number, kind, text, group_id, plan_id, owner_org_id, due_on, status,
            recorded_by_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, $11) RETURNING id",
        args![
            meeting.programme_id,
            meeting.id,
            number,
            d.kind.code(),
            d.text.as_str(),
            d.group_id,
            d.plan_id,
            d.owner_org_id,
            d.due_on.as_deref(),
            v.user_id(),
            now
        ],
    )?)
}

/// Logs a beslut about an activity plan without the checks of a form (the store's own words,
/// when a plan is adopted at a meeting). The caller has checked the permission.
pub(crate) fn log_plan_decision(
    db: &mut dyn Conn,
    v: &Viewer,
    meeting: &Meeting,
    group_id: i64,
    plan_id: i64,
    text: String,
) -> StoreResult<i64> {
    insert(
        db,
        v,
        meeting,
        &Valid { kind: DecisionKind::Decision, text, group_id: Some(group_id), plan_id: Some(plan_id), owner_org_id: None, due_on: None },
    )
}

/// The follow-up of a decision as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = SteeringFollowUpInput))]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    /// `open`, `done` or `cancelled` (avskriven: the follow-up note says why).
    pub status: String,
    #[serde(default)]
    pub follow_up: Option<String>,
    /// When it was closed, `2019-10-02`; today when left out for done or cancelled; must be left
    /// out while open.
    #[serde(default)]
    pub closed_on: Option<String>,
}

/// Records the follow-up of a decision.
pub fn follow_up(db: &mut dyn Conn, v: &Viewer, id: i64, input: &FollowUpInput, unread: FieldErrors) -> StoreResult<Decision> {
    let before = get(db, v, id)?;
    let owner = steering::require_manage(db, v, before.programme_id)?;
    let checked = (|| {
        let mut errs = FieldErrors::new();
        let status = errs.take(DecisionStatus::parse(&input.status));
        let note = clean_text(&mut errs, &FOLLOW_UP, input.follow_up.as_deref());
        let closed = blank(input.closed_on.as_deref());
        let mut closed_on = None;
        match (status, closed) {
            (Some(DecisionStatus::Open), Some(_)) => errs.push(FieldError::new(
                "closed_on",
                "steering.closed_while_open",
                "Ett öppet beslut har inget avslutsdatum. Välj status genomförd eller avskriven, eller ta bort datumet.",
            )),
            (Some(_), Some(s)) => match parse_date("closed_on", s) {
                Err(e) => errs.push(e),
                Ok(d) if d > today() => errs.push(FieldError::new(
                    "closed_on",
                    "steering.closed_future",
                    format!("Avslutsdatumet {d} har inte kommit än. Ange dagens datum eller ett tidigare."),
                )),
                Ok(d) if d.to_string() < before.meeting_on => errs.push(FieldError::new(
                    "closed_on",
                    "steering.closed_before_meeting",
                    format!("Avslutsdatumet {d} ligger före mötet där beslutet fattades ({}).", before.meeting_on),
                )),
                Ok(d) => closed_on = Some(d.to_string()),
            },
            (Some(DecisionStatus::Open), None) | (None, _) => {}
            (Some(_), None) => closed_on = Some(today().to_string()),
        }
        if status == Some(DecisionStatus::Cancelled) && note.as_ref().is_some_and(Option::is_none) {
            errs.push(FieldError::new(
                "follow_up",
                "steering.cancel_reason",
                "Skriv varför beslutet avskrivs, så att styrgruppen kan se det i uppföljningen.",
            ));
        }
        errs.into_result()?;
        Ok((status.expect("checked"), note.flatten(), closed_on))
    })();
    let (status, note, closed_on) = checked_with(unread, checked.map_err(StoreError::Invalid))?;
    db.execute(
        "UPDATE steering_decisions SET status = $1, follow_up = $2, closed_on = $3, updated_at = $4 WHERE id = $5",
        args![status.code(), note.as_deref(), closed_on.as_deref(), now_ms(), id],
    )?;
    audit::record(db, v, Event::new("steering.decision_follow_up").record("steering_meeting", before.meeting_id).org(owner))?;
    get(db, v, id)
}

/// Removes a decision logged by mistake (its number is not reused).
pub fn remove(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let before = get(db, v, id)?;
    let owner = steering::require_manage(db, v, before.programme_id)?;
    db.execute("DELETE FROM steering_decisions WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("steering.decision_remove").record("steering_meeting", before.meeting_id).org(owner))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_open_assignment_is_overdue_or_near_due() {
        let t: Date = "2019-06-01".parse().unwrap();
        assert_eq!(due_flags("assignment", "open", Some("2019-05-31"), t), (true, false));
        assert_eq!(due_flags("assignment", "open", Some("2019-06-01"), t), (false, true));
        assert_eq!(due_flags("assignment", "open", Some("2019-07-01"), t), (false, true));
        assert_eq!(due_flags("assignment", "open", Some("2019-07-02"), t), (false, false));
        assert_eq!(due_flags("assignment", "done", Some("2019-05-31"), t), (false, false));
        assert_eq!(due_flags("decision", "open", Some("2019-05-31"), t), (false, false));
    }
}
