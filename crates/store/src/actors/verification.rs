//! Verification reminders: an offer that has not been checked within its interval (verified on,
//! or created, + `verification_interval_days`) is due; the coordinators and administrators of the
//! offering organisation get one e-mail through the outbox per offer and due date. Idempotent:
//! `offer_verification_sends` is claimed in the same transaction as the mail, so a job that runs
//! twice mails nobody twice; marking the offer verified moves the due date, and the next due date
//! reminds again. Ended offers are never due. The scheduler enqueues one [`KIND`] job a day.
//! Logs carry counts only.

use brygga_domain::account::Email;
use jiff::civil::Date;
use serde::Serialize;

use super::offers;
use crate::args;
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::jobs::{self, NewJob};
use crate::kernel::mail::{self, NewMail, Postmark};

pub const KIND: &str = "actors.verification_reminders";

/// Enqueues today's reminder job (from 06:00 Swedish time), once per day however many servers ask.
pub fn enqueue_daily(db: &mut dyn Conn, now: i64) -> StoreResult<Vec<i64>> {
    let ts = jiff::Timestamp::from_millisecond(now).map_err(|e| StoreError::Internal(e.to_string()))?;
    let day = ts.to_zoned(brygga_domain::time::stockholm()).date();
    let due = day
        .at(6, 0, 0, 0)
        .to_zoned(brygga_domain::time::stockholm())
        .map_err(|e| StoreError::Internal(e.to_string()))?
        .timestamp()
        .as_millisecond();
    if now < due {
        return Ok(Vec::new());
    }
    let job = NewJob::new(KIND, serde_json::json!({ "day": day.to_string() }), now).dedup(format!("{KIND}:{day}")).at(due);
    Ok(jobs::enqueue(db, &job, now)?.into_iter().collect())
}

/// What [`write`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Written {
    pub queued: Vec<i64>,
    pub already_sent: usize,
}

/// An offer that may be due: id, organisation, name, organisation's name, verified on, created at,
/// interval in days.
type Candidate = (i64, i64, String, String, Option<String>, i64, i64);

/// Writes every due reminder on `today` to the outbox.
pub fn write(db: &mut dyn Conn, today: Date, post: &Postmark, now: i64) -> StoreResult<Written> {
    let candidates: Vec<Candidate> = db.map_all(
        "SELECT f.id, f.org_id, f.name, o.name AS org_name, f.verified_on, f.created_at, f.verification_interval_days
         FROM offers f JOIN organisations o ON o.id = f.org_id WHERE f.status <> 'ended' ORDER BY f.id",
        &[],
        |r| {
            Ok((
                r.get("id")?,
                r.get("org_id")?,
                r.get("name")?,
                r.get("org_name")?,
                r.get("verified_on")?,
                r.get("created_at")?,
                r.get("verification_interval_days")?,
            ))
        },
    )?;
    let mut out = Written::default();
    for (id, org_id, name, org_name, verified_on, created_at, interval) in candidates {
        let Ok(due) = offers::due_on(verified_on.as_deref(), created_at, interval) else { continue };
        if due > today {
            continue;
        }
        let due_s = due.to_string();
        let people = db.map_all(
            "SELECT u.id, u.name, u.email FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.org_id = $1 AND m.role IN ('administrator', 'coordinator') ORDER BY u.id",
            args![org_id],
            |r| Ok((r.get::<i64>("id")?, r.get::<String>("name")?, r.get::<String>("email")?)),
        )?;
        for (user_id, person, address) in people {
            let Ok(to) = Email::parse(&address) else { continue };
            let claimed = db.execute(
                "INSERT INTO offer_verification_sends (offer_id, due_on, user_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                args![id, due_s.as_str(), user_id, now],
            )?;
            if claimed == 0 {
                out.already_sent += 1;
                continue;
            }
            let since = verified_on.as_deref().map_or_else(|| "lades in".to_owned(), |d| format!("kontrollerades senast {d}"));
            let body = format!(
                "Hej {person}!\n\nErbjudandet ”{name}” från {org_name} {since} och ska kontrolleras var {interval}:e dag. \
                 Det var dags {due_s}.\n\nÖppna erbjudandet, se att tider, plats, ålder och kontaktuppgifter stämmer och tryck på \
                 ”Markera som kontrollerad”: {link}\n\nDu får den här påminnelsen för att du är samordnare eller administratör i {org_name}.\n",
                link = post.link(&format!("/katalog/erbjudanden/{id}")),
            );
            let mail = NewMail {
                kind: "offer_verification",
                to,
                to_user_id: Some(user_id),
                subject: format!("Dags att kontrollera ”{name}” i katalogen"),
                body,
                list_unsubscribe: None,
            };
            let q = mail::enqueue(db, &mail, &post.host, now)?;
            db.execute(
                "UPDATE offer_verification_sends SET outbox_id = $1 WHERE offer_id = $2 AND due_on = $3 AND user_id = $4",
                args![q.id, id, due_s.as_str(), user_id],
            )?;
            out.queued.push(q.id);
        }
    }
    Ok(out)
}
