//! The weekly questionnaire (veckoenkät), Trelleborg's EST routine: each reporter answers a
//! checklist of categories × their places once per period (every week, or every third week as
//! in Ängelholm), with an explicit "inget att rapportera" so that silence can be told apart from
//! absence. The convener's coordinators choose the rhythm, assign places and see who has answered.

use brygga_domain::FieldError;
use brygga_domain::time::{IsoWeek, stockholm};
use jiff::Timestamp;
use serde::Serialize;

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::Visibility;
use crate::picture::observations::{self, ValidObservation};
use crate::{Action, Viewer, args, forums::categories, forums::forum, kernel::access, now_ms, places::areas};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Questionnaire {
    pub forum_id: i64,
    /// 1 = every week, 3 = every third week.
    pub every_weeks: i64,
    /// The first week of the rhythm (weeks since it, divisible by `every_weeks`, are due).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub first_week: IsoWeek,
    /// ISO weekday (1 = Monday … 7 = Sunday) of the period's first week when reminders go out.
    pub reminder_weekday: i64,
    pub active: bool,
    /// Whether those who have not answered get one reminder e-mail per period
    /// ([`crate::picture::questionnaire_reminders`]). Off until a coordinator turns it on, so
    /// nobody is mailed by a questionnaire set up before e-mail reminders existed.
    pub reminder_email: bool,
    /// Hour of the day (0–23, Europe/Stockholm) on `reminder_weekday` when the e-mail goes out.
    pub reminder_hour: i64,
}

impl FromRow for Questionnaire {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let first: i64 = r.get("first_week")?;
        Ok(Self {
            forum_id: r.get("forum_id")?,
            every_weeks: r.get("every_weeks")?,
            first_week: IsoWeek::from_key(first).ok_or_else(|| DbError::Decode(format!("week {first}")))?,
            reminder_weekday: r.get("reminder_weekday")?,
            active: r.get("active")?,
            reminder_email: r.get("reminder_email")?,
            reminder_hour: r.get("reminder_hour")?,
        })
    }
}

/// Whole weeks from `a` to `b`.
fn weeks_between(a: IsoWeek, b: IsoWeek) -> i64 {
    (b.monday() - a.monday()).get_days() as i64 / 7
}

impl Questionnaire {
    /// Is `week` a week the reporters answer for?
    pub fn is_due(&self, week: IsoWeek) -> bool {
        let n = weeks_between(self.first_week, week);
        self.active && n >= 0 && n % self.every_weeks == 0
    }

    /// The latest due week at or before `week`.
    pub fn period_of(&self, week: IsoWeek) -> Option<IsoWeek> {
        let n = weeks_between(self.first_week, week);
        (self.active && n >= 0).then(|| self.first_week.plus((n - n % self.every_weeks) as i32))
    }
}

/// The columns [`Questionnaire::from_row`] reads.
const SELECT: &str =
    "SELECT forum_id, every_weeks, first_week, reminder_weekday, active, reminder_email, reminder_hour FROM questionnaires";

pub fn get(db: &mut dyn Conn, forum_id: i64) -> StoreResult<Option<Questionnaire>> {
    Ok(db.opt(&format!("{SELECT} WHERE forum_id = $1"), args![forum_id])?)
}

/// Every active questionnaire with e-mail reminders on, for the reminder scheduler (one query
/// per tick, whatever the number of forums).
pub fn with_email_reminders(db: &mut dyn Conn) -> StoreResult<Vec<Questionnaire>> {
    Ok(db.all(&format!("{SELECT} WHERE active AND reminder_email ORDER BY forum_id"), &[])?)
}

fn require_manage(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<()> {
    let forum = forum::get(db, v, forum_id)?;
    access::require(v, Action::ManageForum { convener: forum.convener.id })
}

/// Turns the questionnaire on or off and sets its rhythm, starting at `first_week`.
pub fn configure(
    db: &mut dyn Conn,
    v: &Viewer,
    forum_id: i64,
    every_weeks: i64,
    first_week: IsoWeek,
    active: bool,
) -> StoreResult<Questionnaire> {
    require_manage(db, v, forum_id)?;
    if !(1..=8).contains(&every_weeks) {
        return Err(StoreError::invalid(FieldError::new(
            "every_weeks",
            "every_weeks.range",
            "Välj hur ofta enkäten ska besvaras: varje vecka upp till var åttonde vecka.",
        )));
    }
    db.execute(
        "INSERT INTO questionnaires (forum_id, every_weeks, first_week, reminder_weekday, active, updated_at) VALUES ($1, $2, $3, 4, $4, $5)
         ON CONFLICT (forum_id) DO UPDATE SET every_weeks = excluded.every_weeks, first_week = excluded.first_week, active = excluded.active, updated_at = excluded.updated_at",
        args![forum_id, every_weeks, i64::from(first_week.key()), active, now_ms()],
    )?;
    audit::record(db, v, Event::new("questionnaire.update").record("forum", forum_id))?;
    Ok(get(db, forum_id)?.expect("just written"))
}

/// When the reminder e-mail goes out, as the coordinators set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderSchedule {
    pub email: bool,
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    pub weekday: i64,
    /// 0–23, Europe/Stockholm.
    pub hour: i64,
}

impl ReminderSchedule {
    /// The default: Thursday (the day the home-page reminder has always used) at 09:00, when
    /// most reporters have started their working day but the week still has days left.
    pub const DEFAULT_WEEKDAY: i64 = 4;
    pub const DEFAULT_HOUR: i64 = 9;

    /// Every wrong field at once, each with how to fix it.
    pub fn validate(&self) -> Result<(), brygga_domain::FieldErrors> {
        let mut errs = brygga_domain::FieldErrors::new();
        if !(1..=7).contains(&self.weekday) {
            errs.push(FieldError::new(
                "reminder_weekday",
                "reminder_weekday.range",
                "Välj en veckodag för påminnelsen, måndag till söndag.",
            ));
        }
        if !(0..=23).contains(&self.hour) {
            errs.push(FieldError::new("reminder_hour", "reminder_hour.range", "Skriv en hel timme mellan 0 och 23, till exempel 9."));
        }
        errs.into_result()
    }
}

/// Sets whether and when the reminder e-mail goes out (the convener's coordinators, like the
/// rest of the settings). The questionnaire must exist: configure it first.
pub fn set_reminders(db: &mut dyn Conn, v: &Viewer, forum_id: i64, r: ReminderSchedule) -> StoreResult<Questionnaire> {
    require_manage(db, v, forum_id)?;
    r.validate().map_err(StoreError::Invalid)?;
    let n = db.execute(
        "UPDATE questionnaires SET reminder_email = $2, reminder_weekday = $3, reminder_hour = $4, updated_at = $5 WHERE forum_id = $1",
        args![forum_id, r.email, r.weekday, r.hour, now_ms()],
    )?;
    if n == 0 {
        return Err(StoreError::invalid(FieldError::new(
            "reminder_email",
            "questionnaire.missing",
            "Forumet har ingen veckoenkät ännu. Spara först hur ofta den ska besvaras.",
        )));
    }
    audit::record(db, v, Event::new("questionnaire.reminders").record("forum", forum_id))?;
    Ok(get(db, forum_id)?.expect("just updated"))
}

/// Which places `user_id` answers for in the forum.
pub fn assigned_areas(db: &mut dyn Conn, forum_id: i64, user_id: i64) -> StoreResult<Vec<i64>> {
    Ok(db.scalars("SELECT area_id FROM reporter_areas WHERE forum_id = $1 AND user_id = $2 ORDER BY area_id", args![forum_id, user_id])?)
}

/// Assigns places to a reporter (replacing earlier ones). The reporter must belong to a member
/// organisation, and the places to the forum's municipality.
pub fn assign(db: &mut dyn Conn, v: &Viewer, forum_id: i64, user_id: i64, area_ids: &[i64]) -> StoreResult<()> {
    require_manage(db, v, forum_id)?;
    let forum = forum::get(db, v, forum_id)?;
    let member: i64 = db.scalar(
        &format!("SELECT COUNT(*) FROM memberships WHERE user_id = $1 AND {}", db.dialect().in_list("org_id", 2)),
        args![user_id, forum.members.iter().map(|m| m.id).collect::<Vec<_>>()],
    )?;
    if member == 0 {
        return Err(StoreError::invalid(FieldError::new(
            "user_id",
            "forum.not_member",
            "Personen tillhör ingen av forumets organisationer.",
        )));
    }
    for &a in area_ids {
        let area = areas::get(db, v, a)?;
        if forum.municipality_code.as_deref().is_some_and(|m| m != area.municipality_code) {
            return Err(StoreError::invalid(FieldError::new(
                "area_ids",
                "area.other_municipality",
                format!("Platsen ”{}” ligger inte i forumets kommun.", area.name),
            )));
        }
    }
    db.execute("DELETE FROM reporter_areas WHERE forum_id = $1 AND user_id = $2", args![forum_id, user_id])?;
    for &a in area_ids {
        db.execute("INSERT INTO reporter_areas (forum_id, user_id, area_id) VALUES ($1, $2, $3)", args![forum_id, user_id, a])?;
    }
    audit::record(db, v, Event::new("questionnaire.assign").record("user", user_id))
}

/// One answered cell: how many times something was seen at a place that period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub category_id: i64,
    /// `None`: somewhere else in the municipality (no specific place).
    pub area_id: Option<i64>,
    pub count: i64,
}

/// A response as submitted.
#[derive(Debug, Clone)]
pub struct Response {
    pub forum_id: i64,
    pub week: IsoWeek,
    pub nothing_to_report: bool,
    pub answers: Vec<Answer>,
    /// Share with the forum (default) or keep within the organisation.
    pub share: bool,
}

pub const MAX_COUNT: i64 = 999;

/// Records a reporter's answer for a period: the observations and the response, together.
pub fn submit(db: &mut dyn Conn, v: &Viewer, r: &Response, now: Timestamp) -> StoreResult<i64> {
    let user = v.user_id().ok_or(StoreError::Forbidden)?;
    let q = get(db, r.forum_id)?
        .filter(|q| q.active)
        .ok_or_else(|| StoreError::invalid(FieldError::new("forum_id", "questionnaire.inactive", "Forumet har ingen aktiv veckoenkät.")))?;
    let forum = forum::get(db, v, r.forum_id)?;
    let org = v
        .org_ids()
        .into_iter()
        .find(|o| forum.members.iter().any(|m| m.id == *o) && access::allowed(v, Action::Report { org: *o }))
        .ok_or_else(|| {
            StoreError::invalid(FieldError::new(
                "forum_id",
                "forum.not_member",
                "Du kan inte svara på enkäten: ingen av dina organisationer rapporterar i forumet.",
            ))
        })?;
    let current = q.period_of(IsoWeek::of(now));
    let previous = current.and_then(|c| q.period_of(c.plus(-1)));
    if Some(r.week) != current && Some(r.week) != previous {
        let due = current.map_or_else(String::new, |c| format!(" Nu gäller v. {}.", c.week()));
        return Err(StoreError::invalid(FieldError::new(
            "week",
            "questionnaire.week",
            format!("Enkäten kan bara besvaras för den aktuella perioden eller den närmast före.{due}"),
        )));
    }
    let answered: Option<i64> = db.scalar_opt(
        "SELECT submitted_at FROM weekly_responses WHERE forum_id = $1 AND user_id = $2 AND week = $3",
        args![r.forum_id, user, i64::from(r.week.key())],
    )?;
    if answered.is_some() {
        return Err(StoreError::invalid(FieldError::new(
            "week",
            "questionnaire.answered",
            format!("Du har redan svarat för v. {}. Ändra enskilda rader under Mina rapporter.", r.week.week()),
        )));
    }
    let given: Vec<&Answer> = r.answers.iter().filter(|a| a.count != 0).collect();
    if let Some(a) = given.iter().find(|a| !(0..=MAX_COUNT).contains(&a.count)) {
        return Err(StoreError::invalid(FieldError::new(
            cell_field(a),
            "count.range",
            format!("Antalet ska vara mellan 0 och {MAX_COUNT}."),
        )));
    }
    match (r.nothing_to_report, given.is_empty()) {
        (true, false) => {
            return Err(StoreError::invalid(FieldError::new(
                "nothing_to_report",
                "questionnaire.contradiction",
                "Du har kryssat i ”Inget att rapportera” men också fyllt i antal. Ta bort det ena.",
            )));
        }
        (false, true) => {
            return Err(StoreError::invalid(FieldError::new(
                "nothing_to_report",
                "questionnaire.empty",
                "Fyll i antal där du har sett något, eller kryssa i ”Inget att rapportera” så att vi vet att du har tittat.",
            )));
        }
        _ => {}
    }
    let mine = assigned_areas(db, r.forum_id, user)?;
    let cats = categories::list(db, v, r.forum_id, false)?;
    let municipality = forum
        .municipality_code
        .clone()
        .ok_or_else(|| StoreError::invalid(FieldError::new("forum_id", "forum.no_municipality", "Forumet saknar kommun.")))?;
    // When: now in the current period, otherwise the Sunday noon ending the period.
    let observed_at = if Some(r.week) == current {
        now
    } else {
        let sunday = r.week.monday().checked_add(jiff::Span::new().days(6)).map_err(|e| StoreError::Internal(e.to_string()))?;
        sunday.at(12, 0, 0, 0).to_zoned(stockholm()).map_err(|e| StoreError::Internal(e.to_string()))?.timestamp()
    };
    let mut rows = Vec::new();
    for a in given {
        if !cats.iter().any(|c| c.id == a.category_id) {
            return Err(StoreError::invalid(FieldError::new(
                cell_field(a),
                "category.unknown",
                "Kategorin finns inte i forumets checklista.",
            )));
        }
        if a.area_id.is_some_and(|id| !mine.contains(&id)) {
            return Err(StoreError::invalid(FieldError::new(
                cell_field(a),
                "area.not_assigned",
                "Platsen hör inte till dina platser i enkäten.",
            )));
        }
        rows.push(ValidObservation {
            org_id: org,
            visibility: if r.share { Visibility::Forum { forum_id: r.forum_id } } else { Visibility::Organisation },
            municipality: municipality.clone(),
            area_id: a.area_id,
            category_id: a.category_id,
            observed_at_ms: observed_at.as_millisecond(),
            week: r.week,
            quantity: a.count,
            intensity: None,
            position: None,
            note: None,
        });
    }
    if !rows.is_empty() {
        observations::create_many(db, v, &rows, "questionnaire", None)?;
    }
    let id: i64 = db.scalar(
        "INSERT INTO weekly_responses (forum_id, user_id, org_id, week, nothing_to_report, observation_count, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![r.forum_id, user, org, i64::from(r.week.key()), r.nothing_to_report, rows.len() as i64, now.as_millisecond()],
    )?;
    audit::record(db, v, Event::new("questionnaire.answer").record("weekly_response", id).org(org))?;
    Ok(id)
}

/// The form field of one cell: `c{category}_a{area}` (`_a0` for no specific place).
pub fn cell_field(a: &Answer) -> String {
    format!("c{}_a{}", a.category_id, a.area_id.unwrap_or(0))
}

/// A reporter's state for a period, for the coordinator's overview.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReporterStatus {
    pub user_id: i64,
    pub name: String,
    pub org_name: String,
    pub answered_at_ms: Option<i64>,
    pub nothing_to_report: bool,
    pub observation_count: i64,
    pub assigned_areas: i64,
}

impl FromRow for ReporterStatus {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            user_id: r.get("user_id")?,
            name: r.get("name")?,
            org_name: r.get("org_name")?,
            answered_at_ms: r.get("submitted_at")?,
            nothing_to_report: r.get::<Option<bool>>("nothing_to_report")?.unwrap_or(false),
            observation_count: r.get::<Option<i64>>("observation_count")?.unwrap_or(0),
            assigned_areas: r.get("assigned_areas")?,
        })
    }
}

/// Who has answered for `week`: every user who reports for a member organisation (reporters
/// and members), whether they answered, and how.
pub fn status(db: &mut dyn Conn, v: &Viewer, forum_id: i64, week: IsoWeek) -> StoreResult<Vec<ReporterStatus>> {
    require_manage(db, v, forum_id)?;
    let forum = forum::get(db, v, forum_id)?;
    let orgs: Vec<i64> = forum.members.iter().map(|m| m.id).collect();
    let sql = format!(
        "SELECT u.id AS user_id, u.name, o.name AS org_name, r.submitted_at, r.nothing_to_report, r.observation_count,
                (SELECT COUNT(*) FROM reporter_areas ra WHERE ra.forum_id = $1 AND ra.user_id = u.id) AS assigned_areas
         FROM memberships m JOIN users u ON u.id = m.user_id JOIN organisations o ON o.id = m.org_id
         LEFT JOIN weekly_responses r ON r.forum_id = $1 AND r.user_id = u.id AND r.week = $2
         WHERE {} AND m.role IN ('reporter', 'member', 'coordinator')
         ORDER BY r.submitted_at IS NULL DESC, o.name_key, u.name",
        db.dialect().in_list("m.org_id", 3)
    );
    Ok(db.all(&sql, args![forum_id, i64::from(week.key()), orgs])?)
}

/// The forums where the viewer has a questionnaire due and unanswered (for the reminder).
pub fn due_for(db: &mut dyn Conn, v: &Viewer, now: Timestamp) -> StoreResult<Vec<(i64, IsoWeek)>> {
    let Some(user) = v.user_id() else { return Ok(vec![]) };
    let mut due = Vec::new();
    for &forum in v.forum_ids() {
        let Some(q) = get(db, forum)? else { continue };
        let Some(week) = q.period_of(IsoWeek::of(now)) else { continue };
        if assigned_areas(db, forum, user)?.is_empty() {
            continue;
        }
        let answered: i64 = db.scalar(
            "SELECT COUNT(*) FROM weekly_responses WHERE forum_id = $1 AND user_id = $2 AND week = $3",
            args![forum, user, i64::from(week.key())],
        )?;
        if answered == 0 {
            due.push((forum, week));
        }
    }
    Ok(due)
}
