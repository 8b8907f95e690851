//! Reminders before an activity plan is due. A half-year's plans are due `plan_due_days` before
//! it starts (the programme's setting); [`REMINDER_DAYS`] before that deadline (14 and 3 days)
//! each working group that has not submitted its plan for the coming half-year is reminded by
//! e-mail, once per group, half-year and reminder:
//!
//! - **Scheduling**: the worker's scheduler calls [`enqueue_due`] every tick; each reminder
//!   whose day has come gets one [`KIND`] job, its dedup key making that once however many
//!   servers try.
//! - **Exactly once**: [`write`] claims the row of `activity_plan_reminders` (its primary key)
//!   before writing the mail, in the same transaction: a job that runs twice mails nobody twice.
//! - **Who**: the convening party's coordinators, and the members' representatives who have an
//!   address (they need not have accounts). The e-mail names the group, the half-year and the
//!   deadline, and links to the group's page; nothing else.
//! - Logs carry ids and counts, never a name or an address.

use std::collections::BTreeSet;

use brygga_domain::account::Email;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

use super::HalfYear;
use crate::args;
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::jobs::{self, NewJob};
use crate::kernel::mail::{self, NewMail, Postmark};

/// The job that writes one group's reminder: payload `{"group_id", "half_year", "days_before"}`.
pub const KIND: &str = "programmes.plan_reminder";

/// Days before the deadline that a reminder goes out.
pub const REMINDER_DAYS: &[i64] = &[14, 3];

fn today_of(now: i64) -> StoreResult<Date> {
    Ok(brygga_domain::time::local(Timestamp::from_millisecond(now).map_err(|e| StoreError::Internal(e.to_string()))?).date())
}

/// The deadline of `half_year`'s activity plans: `due_days` before it starts.
pub fn deadline(half_year: HalfYear, due_days: i64) -> Date {
    half_year.start().checked_sub(due_days.days()).unwrap_or(half_year.start())
}

/// A reminder due: group, coming half-year and days before the deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub group_id: i64,
    pub half_year: String,
    pub days_before: i64,
}

/// The reminders due at `now` and not yet sent: for every working group of a programme whose
/// period covers the coming half-year and that has not submitted that half-year's plan, each
/// reminder day that has come (and the deadline not passed).
pub fn due(db: &mut dyn Conn, now: i64) -> StoreResult<Vec<Due>> {
    let today = today_of(now)?;
    let coming = HalfYear::of(today).next();
    let rows = db.query(
        "SELECT g.id, p.plan_due_days FROM working_groups g JOIN programmes p ON p.id = g.programme_id
         WHERE p.period_from <= $2 AND p.period_to >= $1
           AND NOT EXISTS (SELECT 1 FROM activity_plans ap WHERE ap.group_id = g.id AND ap.half_year = $3 AND ap.state <> 'draft')
         ORDER BY g.id",
        args![coming.start().to_string(), coming.end().to_string(), coming.to_string()],
    )?;
    let mut out = Vec::new();
    for r in rows {
        let (group_id, due_days): (i64, i64) = (r.get("id")?, r.get("plan_due_days")?);
        let deadline = deadline(coming, due_days);
        for d in REMINDER_DAYS {
            let day = deadline.checked_sub(d.days()).unwrap_or(deadline);
            if today < day || today > deadline {
                continue;
            }
            let sent: i64 = db.scalar(
                "SELECT COUNT(*) FROM activity_plan_reminders WHERE group_id = $1 AND half_year = $2 AND days_before = $3",
                args![group_id, coming.to_string(), *d],
            )?;
            if sent == 0 {
                out.push(Due { group_id, half_year: coming.to_string(), days_before: *d });
            }
        }
    }
    Ok(out)
}

/// Enqueues a job for every reminder [`due`]. Safe to call from every server every minute.
pub fn enqueue_due(db: &mut dyn Conn, now: i64) -> StoreResult<Vec<i64>> {
    let mut created = Vec::new();
    for d in due(db, now)? {
        let payload = serde_json::json!({ "group_id": d.group_id, "half_year": d.half_year, "days_before": d.days_before });
        let key = format!("{KIND}:group-{}:{}:{}", d.group_id, d.half_year, d.days_before);
        created.extend(jobs::enqueue(db, &NewJob::new(KIND, payload, now).dedup(key), now)?);
    }
    Ok(created)
}

/// What [`write`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Written {
    /// Outbox messages written now.
    pub queued: Vec<i64>,
    /// True when this reminder had been written before (nothing written now).
    pub already_sent: bool,
}

/// Writes group `group_id`'s reminder `days_before` the deadline of `half_year` to the outbox.
/// Writes nothing when it was written before, or the plan was submitted since the job was
/// queued.
pub fn write(db: &mut dyn Conn, group_id: i64, half_year: &str, days_before: i64, post: &Postmark, now: i64) -> StoreResult<Written> {
    let hy = HalfYear::parse("half_year", half_year).map_err(|e| StoreError::Internal(e.message))?;
    let row = db
        .query(
            "SELECT g.name, g.convener_org_id, p.plan_due_days, p.title FROM working_groups g JOIN programmes p ON p.id = g.programme_id WHERE g.id = $1",
            args![group_id],
        )?
        .into_iter()
        .next()
        .ok_or(StoreError::not_found("working_group"))?;
    let (name, convener, due_days, programme): (String, i64, i64, String) =
        (row.get("name")?, row.get("convener_org_id")?, row.get("plan_due_days")?, row.get("title")?);
    let mut out = Written::default();
    let submitted: i64 = db.scalar(
        "SELECT COUNT(*) FROM activity_plans WHERE group_id = $1 AND half_year = $2 AND state <> 'draft'",
        args![group_id, hy.to_string()],
    )?;
    if submitted > 0 {
        return Ok(out);
    }
    let claimed = db.execute(
        "INSERT INTO activity_plan_reminders (group_id, half_year, days_before, sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        args![group_id, hy.to_string(), days_before, now],
    )?;
    if claimed == 0 {
        out.already_sent = true;
        return Ok(out);
    }
    let mut people: Vec<(Option<i64>, String)> = db.map_all(
        "SELECT u.id, u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.role IN ('administrator', 'coordinator') ORDER BY u.id",
        args![convener],
        |r| Ok((Some(r.get("id")?), r.get("email")?)),
    )?;
    people.extend(db.map_all(
        "SELECT user_id, representative_email FROM working_group_members WHERE group_id = $1 AND representative_email IS NOT NULL ORDER BY id",
        args![group_id],
        |r| Ok((r.get("user_id")?, r.get("representative_email")?)),
    )?);
    let mut seen = BTreeSet::new();
    let deadline = deadline(hy, due_days);
    for (user_id, address) in people {
        let Ok(to) = Email::parse(&address) else { continue };
        if !seen.insert(to.as_str().to_owned()) {
            continue;
        }
        let body = format!(
            "Hej!\n\nArbetsgruppen {name} i {programme} ska lämna in sin aktivitetsplan för {label} senast {deadline}. \
             Planen är inte inlämnad än.\n\nArbetsgruppens sida: {link}\n\n\
             Du får den här påminnelsen för att du är sammankallande eller representant i arbetsgruppen.\n",
            label = hy.label(),
            link = post.link(&format!("/program/grupper/{group_id}")),
        );
        let mail = NewMail {
            kind: "activity_plan_reminder",
            to,
            to_user_id: user_id,
            subject: format!("Påminnelse: aktivitetsplanen för {name}, {hy}, senast {deadline}"),
            body,
            list_unsubscribe: None,
        };
        out.queued.push(mail::enqueue(db, &mail, &post.host, now)?.id);
    }
    Ok(out)
}
