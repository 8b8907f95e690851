//! Questionnaire reminders by e-mail: once per period, at the time the convener's coordinators
//! chose (the reminder weekday of the period's first week, at an hour in Europe/Stockholm),
//! everyone who answers for places in the forum and has not answered — nor said "inget att
//! rapportera" — gets one e-mail through the outbox. The home page keeps showing the reminder
//! as before; the e-mail reaches those who do not open Brygga unprompted.
//!
//! - **Scheduling**: the worker's scheduler calls [`enqueue_due`] every tick; a forum whose
//!   reminder time in the current period has come gets one [`KIND`] job, its dedup key
//!   `questionnaire.remind:forum-{id}:{period}` making that once per period however many servers
//!   try. A forum that turns reminders on after the time has passed is reminded at once.
//! - **Exactly once per person, forum and period**: [`write`] claims the row in
//!   `questionnaire_reminder_sends` (its primary key) before it writes the mail, in the same
//!   transaction, so a job that runs twice — or on two workers at once — mails nobody twice.
//! - **Only the person is told, and only that an answer is missing**: the e-mail names the forum
//!   and the period and links to the form; no observation data, no one else's status. Every
//!   e-mail says how to turn reminders off (the account page).
//! - Logs carry the forum id, the period and counts, never a name or an address.

use brygga_domain::account::Email;
use brygga_domain::time::{IsoWeek, week_span};
use jiff::Timestamp;
use jiff::civil::Weekday;
use serde::Serialize;

use crate::args;
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::jobs::{self, NewJob, WeeklyScope};
use crate::kernel::mail::{self, NewMail, Postmark};
use crate::picture::questionnaire::{self, Questionnaire};

/// The job that writes one forum's reminders for one period: payload `{"forum_id", "week"}`,
/// `week` being the period's first week.
pub const KIND: &str = "questionnaire.remind";

/// Where a reminder e-mail tells the person they can turn reminders off.
pub const OPT_OUT_PATH: &str = "/konto/paminnelser";

/// The instant the reminder of `period` falls due: its weekday and hour in Swedish time.
pub fn due_at(q: &Questionnaire, period: IsoWeek) -> StoreResult<i64> {
    let weekday = i8::try_from(q.reminder_weekday)
        .ok()
        .and_then(|d| Weekday::from_monday_one_offset(d).ok())
        .ok_or_else(|| StoreError::Internal(format!("reminder weekday {} of forum {}", q.reminder_weekday, q.forum_id)))?;
    let hour = i8::try_from(q.reminder_hour).map_err(|e| StoreError::Internal(e.to_string()))?;
    jobs::Weekly { kind: KIND, scope: WeeklyScope::PerForum, weekday, hour }.due_in_week(period)
}

/// Enqueues the reminder job of every forum whose reminder time in its current period has come
/// and that has none yet. Safe to call from every server every minute. Returns the new job ids.
pub fn enqueue_due(db: &mut dyn Conn, now: i64) -> StoreResult<Vec<i64>> {
    let today = IsoWeek::of(Timestamp::from_millisecond(now).map_err(|e| StoreError::Internal(e.to_string()))?);
    let mut created = Vec::new();
    for q in questionnaire::with_email_reminders(db)? {
        let forum_id = q.forum_id;
        let Some(period) = q.period_of(today) else { continue };
        let due = due_at(&q, period)?;
        if now < due {
            continue;
        }
        let payload = serde_json::json!({ "forum_id": forum_id, "week": period.to_string() });
        let job = NewJob::new(KIND, payload, now).dedup(jobs::weekly_key(KIND, &format!("forum-{forum_id}"), period)).at(due);
        created.extend(jobs::enqueue(db, &job, now)?);
    }
    Ok(created)
}

/// What [`write`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Written {
    /// Outbox messages written now.
    pub queued: Vec<i64>,
    /// People who already had this period's reminder.
    pub already_sent: usize,
}

/// Who is reminded: people with places to answer for in the forum, still in one of its member
/// organisations with a reporting role, who have neither answered for `period` nor opted out.
const RECIPIENTS: &str = "SELECT DISTINCT u.id, u.name, u.email FROM reporter_areas ra
     JOIN users u ON u.id = ra.user_id
     JOIN memberships m ON m.user_id = u.id AND m.role IN ('reporter', 'member', 'coordinator')
     JOIN forum_members fm ON fm.org_id = m.org_id AND fm.forum_id = ra.forum_id
     WHERE ra.forum_id = $1 AND NOT u.questionnaire_reminder_opt_out
       AND NOT EXISTS (SELECT 1 FROM weekly_responses r WHERE r.forum_id = $1 AND r.user_id = u.id AND r.week = $2)
     ORDER BY u.id";

/// Writes forum `forum_id`'s reminders for `period` to the outbox, at `now` (ms). Writes
/// nothing when the reminders were turned off or the period is over since the job was queued.
pub fn write(db: &mut dyn Conn, forum_id: i64, period: IsoWeek, post: &Postmark, now: i64) -> StoreResult<Written> {
    let forum: Option<String> = db.scalar_opt("SELECT name FROM forums WHERE id = $1", args![forum_id])?;
    let Some(forum_name) = forum else { return Err(StoreError::not_found("forum")) };
    let today = IsoWeek::of(Timestamp::from_millisecond(now).map_err(|e| StoreError::Internal(e.to_string()))?);
    let still_due = questionnaire::get(db, forum_id)?.filter(|q| q.reminder_email).and_then(|q| q.period_of(today)) == Some(period);
    let mut out = Written::default();
    if !still_due {
        return Ok(out);
    }
    let people = db.map_all(RECIPIENTS, args![forum_id, i64::from(period.key())], |r| {
        Ok((r.get::<i64>("id")?, r.get::<String>("name")?, r.get::<String>("email")?))
    })?;
    for (user_id, name, address) in people {
        let Ok(to) = Email::parse(&address) else { continue };
        let claimed = db.execute(
            "INSERT INTO questionnaire_reminder_sends (forum_id, week, user_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            args![forum_id, i64::from(period.key()), user_id, now],
        )?;
        if claimed == 0 {
            out.already_sent += 1;
            continue;
        }
        let mail = reminder(&forum_name, forum_id, period, &name, to, user_id, post);
        let q = mail::enqueue(db, &mail, &post.host, now)?;
        db.execute(
            "UPDATE questionnaire_reminder_sends SET outbox_id = $1 WHERE forum_id = $2 AND week = $3 AND user_id = $4",
            args![q.id, forum_id, i64::from(period.key()), user_id],
        )?;
        out.queued.push(q.id);
    }
    Ok(out)
}

/// The e-mail: that an answer is missing, where to give it, and how to stop these e-mails.
fn reminder(forum_name: &str, forum_id: i64, period: IsoWeek, name: &str, to: Email, user_id: i64, post: &Postmark) -> NewMail {
    let body = format!(
        "Hej {name}!\n\nVeckoenkäten i {forum_name} väntar på ditt svar för {span}. Fyll i vad du har sett på dina platser, \
         eller kryssa i ”Inget att rapportera” om du inte har sett något – då vet forumet att du har tittat.\n\n\
         Svara här: {form}\n\n\
         Du får den här påminnelsen för att du svarar på veckoenkäten i {forum_name} och inte har svarat för perioden än. \
         Vill du inte ha påminnelser med e-post kan du stänga av dem på ditt konto: {opt_out}\n",
        span = week_span(period),
        form = post.link(&format!("/enkat/{forum_id}?vecka={period}")),
        opt_out = post.link(OPT_OUT_PATH),
    );
    NewMail {
        kind: "questionnaire_reminder",
        to,
        to_user_id: Some(user_id),
        subject: format!("Påminnelse: veckoenkäten i {forum_name}, v. {}", period.week()),
        body,
        list_unsubscribe: None,
    }
}
