//! Översikt: what each role needs this week, in one read so that the home page stays thin and
//! an API could serve the same value.
//!
//! - A **coordinator** (of one of a forum's member organisations) gets, per forum: last week's
//!   flags of the joint picture, the overdue actions, the open alerts and — where they manage
//!   the questionnaire — this period's answer rate.
//! - A **reporter** (anyone who may report for an organisation) gets the questionnaires waiting
//!   for their answer and their own latest reports.
//!
//! Everything comes from the read functions the pages use, with the viewer's own rights, so the
//! overview shows nothing those pages would not. The joint picture is the costly part: it is
//! computed only for the viewer's coordinator forums (a handful), never for every forum.

use brygga_domain::Role;
use brygga_domain::time::IsoWeek;
use jiff::Timestamp;
use serde::Serialize;

use crate::forum_work::actions::{self, Filter};
use crate::forum_work::alerts;
use crate::forums::forum::{self, Forum};
use crate::kernel::db::Conn;
use crate::kernel::error::StoreResult;
use crate::kernel::sharing::Scope;
use crate::picture::observations;
use crate::picture::questionnaire;
use crate::picture::weekly::{self, PictureQuery};
use crate::{Action, Viewer, kernel::access};

/// How many of the viewer's own reports the overview lists.
pub const RECENT_REPORTS: usize = 5;

/// Small counts are hidden below this for viewers outside a scope; a coordinator of a member
/// organisation is inside the joint picture and sees exact counts anyway.
const SUPPRESS_BELOW: i64 = 3;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Overview {
    /// The viewer's forums (their organisations are members): (id, name).
    pub forums: Vec<(i64, String)>,
    /// One entry per forum where the viewer coordinates a member organisation.
    pub coordinator: Vec<ForumWeek>,
    /// `None` when the viewer may not report for any organisation.
    pub reporter: Option<ReporterWeek>,
}

/// A coordinator's week in one forum.
#[derive(Debug, Clone, Serialize)]
pub struct ForumWeek {
    pub forum_id: i64,
    pub forum_name: String,
    /// The week the flags are about (last week).
    pub flag_week: IsoWeek,
    /// Flag sentences of the joint picture; `None` for a forum over several municipalities.
    pub flags: Option<Vec<String>>,
    pub overdue_actions: Vec<ActionLine>,
    pub open_alerts: Vec<AlertLine>,
    /// Only where the viewer manages the questionnaire (the status page's rule).
    pub answers: Option<AnswerRate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionLine {
    pub id: i64,
    pub title: String,
    pub responsible: String,
    pub due_on: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlertLine {
    pub id: i64,
    pub title: String,
    pub urgency_label: String,
}

/// Answered / due for the questionnaire's current period.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AnswerRate {
    pub period: IsoWeek,
    pub answered: usize,
    pub due: usize,
}

/// A reporter's week.
#[derive(Debug, Clone, Serialize)]
pub struct ReporterWeek {
    /// Questionnaires waiting for the viewer's answer: (forum id, forum name, period).
    pub questionnaires: Vec<(i64, String, IsoWeek)>,
    /// The viewer's own latest reports, newest first.
    pub recent: Vec<ReportLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportLine {
    pub id: i64,
    pub category_name: String,
    pub area_name: Option<String>,
    pub quantity: i64,
    pub observed_at_ms: i64,
}

/// The viewer's overview at `now`.
pub fn for_viewer(db: &mut dyn Conn, v: &Viewer, now: Timestamp) -> StoreResult<Overview> {
    let forums: Vec<Forum> = forum::list(db, v)?.into_iter().filter(|f| v.forum_ids().contains(&f.id)).collect();
    let mine: Vec<&Forum> = forums.iter().filter(|f| coordinates(v, f)).collect();
    let open = if mine.is_empty() { Vec::new() } else { alerts::open_for(db, v)? };
    let mut coordinator = Vec::new();
    for f in mine {
        let open_alerts = open
            .iter()
            .filter(|a| a.forum_id == f.id)
            .map(|a| AlertLine { id: a.id, title: a.title.clone(), urgency_label: a.urgency_label.clone() })
            .collect();
        coordinator.push(forum_week(db, v, f, open_alerts, now)?);
    }
    let reports = v.org_ids().into_iter().any(|org| access::allowed(v, Action::Report { org }));
    let reporter = if reports { Some(reporter_week(db, v, &forums, now)?) } else { None };
    Ok(Overview { forums: forums.into_iter().map(|f| (f.id, f.name)).collect(), coordinator, reporter })
}

/// Whether the viewer is a coordinator (or administrator) of one of the forum's organisations.
fn coordinates(v: &Viewer, f: &Forum) -> bool {
    std::iter::once(f.convener.id).chain(f.members.iter().map(|m| m.id)).any(|o| v.role_in(o).is_some_and(|r| r <= Role::Coordinator))
}

fn forum_week(db: &mut dyn Conn, v: &Viewer, f: &Forum, open_alerts: Vec<AlertLine>, now: Timestamp) -> StoreResult<ForumWeek> {
    let flag_week = IsoWeek::of(now).plus(-1);
    let flags = match &f.municipality_code {
        Some(m) => {
            let pic = weekly::weekly(db, v, &PictureQuery::new(Scope::Joint { forum_id: f.id }, m.as_str(), flag_week, SUPPRESS_BELOW))?;
            Some(pic.flags.into_iter().map(|fl| fl.sentence).collect())
        }
        None => None,
    };
    let overdue_actions = actions::list(db, v, f.id, &Filter { overdue: true, ..Filter::default() })?
        .into_iter()
        .map(|a| ActionLine { id: a.id, title: a.title, responsible: a.responsible.name, due_on: a.due_on })
        .collect();
    let answers = answer_rate(db, v, f, now)?;
    Ok(ForumWeek { forum_id: f.id, forum_name: f.name.clone(), flag_week, flags, overdue_actions, open_alerts, answers })
}

/// Answered / due this period, counted as the status page counts them: everyone with places
/// to answer for is due.
fn answer_rate(db: &mut dyn Conn, v: &Viewer, f: &Forum, now: Timestamp) -> StoreResult<Option<AnswerRate>> {
    if !access::allowed(v, Action::ManageForum { convener: f.convener.id }) {
        return Ok(None);
    }
    let Some(period) = questionnaire::get(db, f.id)?.and_then(|q| q.period_of(IsoWeek::of(now))) else { return Ok(None) };
    let due: Vec<_> = questionnaire::status(db, v, f.id, period)?.into_iter().filter(|r| r.assigned_areas > 0).collect();
    let answered = due.iter().filter(|r| r.answered_at_ms.is_some()).count();
    Ok(Some(AnswerRate { period, answered, due: due.len() }))
}

fn reporter_week(db: &mut dyn Conn, v: &Viewer, forums: &[Forum], now: Timestamp) -> StoreResult<ReporterWeek> {
    let questionnaires = questionnaire::due_for(db, v, now)?
        .into_iter()
        .filter_map(|(id, week)| forums.iter().find(|f| f.id == id).map(|f| (id, f.name.clone(), week)))
        .collect();
    let recent = observations::mine(db, v, RECENT_REPORTS)?
        .into_iter()
        .map(|o| ReportLine {
            id: o.id,
            category_name: o.category_name,
            area_name: o.area_name,
            quantity: o.quantity,
            observed_at_ms: o.observed_at_ms,
        })
        .collect();
    Ok(ReporterWeek { questionnaires, recent })
}
