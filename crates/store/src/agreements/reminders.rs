//! Reminders before an agreement ends: 90 and 30 days before the last day of a concluded
//! agreement, the coordinators of every party get one e-mail through the outbox, once per
//! threshold (a reminder first due when both have passed — an agreement concluded late — is one
//! e-mail, and both thresholds are claimed). Idempotent: `agreement_reminder_sends` is claimed in
//! the same transaction as the mail, keyed by agreement, end date, threshold and person, so a job
//! that runs twice mails nobody twice; a new end date (a prolonged agreement) reminds again.
//! The scheduler enqueues one [`KIND`] job a day (dedup key per day). Logs carry counts only.

use brygga_domain::account::Email;
use jiff::civil::Date;
use serde::Serialize;

use crate::args;
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::jobs::{self, NewJob};
use crate::kernel::mail::{self, NewMail, Postmark};

pub const KIND: &str = "agreements.expiry_reminders";

/// Days before the end at which the parties are reminded, largest first.
pub const THRESHOLDS: &[i64] = &[90, 30];

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

/// Writes every due reminder on `today` to the outbox.
pub fn write(db: &mut dyn Conn, today: Date, post: &Postmark, now: i64) -> StoreResult<Written> {
    let horizon = today.checked_add(jiff::Span::new().days(THRESHOLDS[0])).map_err(|e| StoreError::Internal(e.to_string()))?;
    let due: Vec<(i64, String, String, String)> = db.map_all(
        "SELECT a.id, a.title, a.period_to, m.name AS municipality FROM agreements a JOIN municipalities m ON m.code = a.municipality_code
         WHERE a.status = 'concluded' AND a.period_to >= $1 AND a.period_to <= $2 ORDER BY a.id",
        args![today.to_string(), horizon.to_string()],
        |r| Ok((r.get("id")?, r.get("title")?, r.get("period_to")?, r.get("municipality")?)),
    )?;
    let mut out = Written::default();
    for (id, title, end, municipality) in due {
        let Ok(end_date) = end.parse::<Date>() else { continue };
        let left = (end_date - today).get_days() as i64;
        let reached: Vec<i64> = THRESHOLDS.iter().copied().filter(|t| left <= *t).collect();
        let Some(smallest) = reached.iter().copied().min() else { continue };
        let people = db.map_all(
            "SELECT DISTINCT u.id, u.name, u.email FROM agreement_parties ap JOIN memberships mm ON mm.org_id = ap.org_id
             JOIN users u ON u.id = mm.user_id WHERE ap.agreement_id = $1 AND mm.role IN ('administrator', 'coordinator') ORDER BY u.id",
            args![id],
            |r| Ok((r.get::<i64>("id")?, r.get::<String>("name")?, r.get::<String>("email")?)),
        )?;
        for (user_id, name, address) in people {
            let Ok(to) = Email::parse(&address) else { continue };
            let mut claimed = 0;
            for t in &reached {
                claimed += db.execute(
                    "INSERT INTO agreement_reminder_sends (agreement_id, period_to, days_before, user_id, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    args![id, end.as_str(), *t, user_id, now],
                )?;
            }
            if claimed == 0 {
                out.already_sent += 1;
                continue;
            }
            let body = format!(
                "Hej {name}!\n\nÖverenskommelsen ”{title}” i {municipality} slutar gälla {end}, om {left} dagar. Det är dags att följa upp den \
                 och bestämma om den ska förnyas, revideras eller avslutas.\n\nÖppna överenskommelsen: {link}\n\n\
                 Du får den här påminnelsen för att du är samordnare hos en av parterna. Påminnelser skickas {first} och {second} dagar före slutdatum.\n",
                link = post.link(&format!("/overenskommelser/{id}")),
                first = THRESHOLDS[0],
                second = THRESHOLDS[1],
            );
            let mail = NewMail {
                kind: "agreement_expiry",
                to,
                to_user_id: Some(user_id),
                subject: format!("Påminnelse: ”{title}” slutar gälla om {left} dagar"),
                body,
                list_unsubscribe: None,
            };
            let q = mail::enqueue(db, &mail, &post.host, now)?;
            db.execute(
                "UPDATE agreement_reminder_sends SET outbox_id = $1 WHERE agreement_id = $2 AND period_to = $3 AND days_before = $4 AND user_id = $5",
                args![q.id, id, end.as_str(), smallest, user_id],
            )?;
            out.queued.push(q.id);
        }
    }
    Ok(out)
}
