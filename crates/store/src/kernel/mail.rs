//! The e-mail outbox: every message Brygga sends is first written here, in the transaction of
//! the change that caused it (an alert, a digest), together with a [`jobs`] job that sends it.
//!
//! - The **Message-ID** is fixed at enqueue (`<outbox-{id}.{random}@{host}>`). A worker killed
//!   after the SMTP server accepted a message but before it was marked sent sends it again with
//!   the same Message-ID, so the duplicate is recognisable (at-least-once delivery).
//! - A failed send is retried by the job queue with backoff ([`MAX_ATTEMPTS`] attempts span
//!   about five hours, so an SMTP server down for an hour loses nothing); a message that
//!   used them all shows as failed on the operations page until an administrator retries it.
//! - The outbox holds personal data (addresses and text): sent messages are purged after
//!   [`KEEP_SENT_MS`], failed ones after [`KEEP_FAILED_MS`], and erasing an account deletes
//!   every message to it. Logs name the outbox id, never the address or the text.

use brygga_domain::FieldError;
use brygga_domain::account::Email;
use serde::Serialize;

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::jobs::{self, JobState, NewJob};
use crate::{Action, Viewer, args, kernel::access};

/// The job kind that sends one outbox message (`{"outbox_id": …}`).
pub const SEND_KIND: &str = "mail.send";
/// 30 s, 1, 2, 4, 8, 16, 32 min, then hourly: 12 attempts span about five hours.
pub const MAX_ATTEMPTS: i64 = 12;
/// Sent messages are kept this long (to recognise duplicates, to answer "did it go out?").
pub const KEEP_SENT_MS: i64 = 30 * 86_400_000;
/// Failed messages are kept as long as their failed job ([`jobs::KEEP_FAILED_MS`]).
pub const KEEP_FAILED_MS: i64 = jobs::KEEP_FAILED_MS;

/// A message to send.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// What kind of message, for counts and the operations page: `test`, `alert`, `digest`…
    pub kind: &'static str,
    pub to: Email,
    /// The account it goes to, if any: erasing that account deletes the message.
    pub to_user_id: Option<i64>,
    pub subject: String,
    /// Plain text, UTF-8.
    pub body: String,
    /// A one-click unsubscribe URL (RFC 8058): the sender writes `List-Unsubscribe` and
    /// `List-Unsubscribe-Post` headers. Newsletters only.
    pub list_unsubscribe: Option<String>,
}

/// A message written to the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queued {
    pub id: i64,
    pub message_id: String,
    pub job_id: i64,
}

/// Writes `mail` to the outbox with its Message-ID (on `host`, the sender's domain) and the
/// job that sends it, in the caller's transaction.
pub fn enqueue(db: &mut dyn Conn, mail: &NewMail, host: &str, now: i64) -> StoreResult<Queued> {
    enqueue_at(db, mail, host, now, now)
}

/// [`enqueue`] with the send job due at `run_at`: the queue takes the oldest due first, so an
/// earlier `run_at` sends a message ahead of what is already waiting (urgent alerts).
pub fn enqueue_at(db: &mut dyn Conn, mail: &NewMail, host: &str, now: i64, run_at: i64) -> StoreResult<Queued> {
    if mail.subject.trim().is_empty() || mail.subject.contains(['\r', '\n']) {
        return Err(StoreError::Internal("a mail subject must be one non-empty line".into()));
    }
    let host = if host.is_empty() || !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
        return Err(StoreError::Internal("the Message-ID host must be a domain name".into()));
    } else {
        host.to_ascii_lowercase()
    };
    // Unique on its own until the real one replaces it below.
    let placeholder = format!("pending-{}", crate::kernel::secret::random_token(12));
    let id: i64 = db.scalar(
        "INSERT INTO mail_outbox (message_id, kind, recipient, recipient_user_id, subject, body_text, created_at, list_unsubscribe)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        args![
            placeholder,
            mail.kind,
            mail.to.as_str(),
            mail.to_user_id,
            mail.subject.as_str(),
            mail.body.as_str(),
            now,
            mail.list_unsubscribe.as_deref()
        ],
    )?;
    let random: String =
        crate::kernel::secret::random_token(12).chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
    let message_id = format!("<outbox-{id}.{random}@{host}>");
    let job = NewJob::new(SEND_KIND, serde_json::json!({ "outbox_id": id }), now).dedup(send_key(id)).attempts(MAX_ATTEMPTS).at(run_at);
    let job_id = jobs::enqueue(db, &job, now)?.ok_or_else(|| StoreError::Internal(format!("outbox {id} already had a send job")))?;
    db.execute("UPDATE mail_outbox SET message_id = $1, job_id = $2 WHERE id = $3", args![message_id.as_str(), job_id, id])?;
    Ok(Queued { id, message_id, job_id })
}

/// The dedup key of the job that sends outbox message `id`.
pub fn send_key(id: i64) -> String {
    format!("mail:{id}")
}

/// A message as the sender needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: i64,
    pub message_id: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// The one-click unsubscribe URL, for newsletters.
    pub list_unsubscribe: Option<String>,
}

impl FromRow for Outgoing {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            message_id: r.get("message_id")?,
            recipient: r.get("recipient")?,
            subject: r.get("subject")?,
            body: r.get("body_text")?,
            created_at: r.get("created_at")?,
            sent_at: r.get("sent_at")?,
            list_unsubscribe: r.get("list_unsubscribe")?,
        })
    }
}

/// Reads a message for sending; `None` when it was deleted (purged, or its account erased).
pub fn outgoing(db: &mut dyn Conn, id: i64) -> StoreResult<Option<Outgoing>> {
    Ok(db.opt(
        "SELECT id, message_id, recipient, subject, body_text, created_at, sent_at, list_unsubscribe FROM mail_outbox WHERE id = $1",
        args![id],
    )?)
}

/// Records that the SMTP server accepted the message.
pub fn mark_sent(db: &mut dyn Conn, id: i64, now: i64) -> StoreResult<()> {
    db.execute("UPDATE mail_outbox SET sent_at = $2 WHERE id = $1 AND sent_at IS NULL", args![id, now])?;
    Ok(())
}

/// `anna.andersson@trelleborg.se` → `a…@trelleborg.se`: enough for an administrator to tell
/// messages apart, not enough to read the address off the screen.
pub fn mask(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => format!("{}…@{domain}", local.chars().next().unwrap_or('?')),
        None => "…".to_owned(),
    }
}

/// Where an outbox message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    /// Waiting for its first attempt or for a retry.
    Pending,
    Sent,
    /// Every attempt failed (or a permanent error): waits for an administrator.
    Failed,
}

/// One unsent message on the operations page: never the address in full, never the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unsent {
    pub id: i64,
    pub kind: String,
    pub recipient_masked: String,
    pub subject: String,
    pub state: MailState,
    pub attempts: i64,
    pub max_attempts: i64,
    /// When the next attempt is due (pending only).
    pub next_attempt_ms: Option<i64>,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
}

/// The operations page: the queue by kind and state, and every unsent message.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub jobs: Vec<jobs::KindCounts>,
    pub pending: i64,
    pub failed: i64,
    pub sent: i64,
    /// Oldest first, at most [`OVERVIEW_LIMIT`] each.
    pub unsent_pending: Vec<Unsent>,
    pub unsent_failed: Vec<Unsent>,
}

pub const OVERVIEW_LIMIT: usize = 200;

fn unsent(r: &Row) -> Result<Unsent, DbError> {
    let recipient: String = r.get("recipient")?;
    let job_state: Option<String> = r.get("state")?;
    // A message whose job is gone (purged) can only be sent by an administrator's retry.
    let failed = job_state.is_none() || job_state.as_deref() == Some(JobState::Failed.code());
    Ok(Unsent {
        id: r.get("id")?,
        kind: r.get("kind")?,
        recipient_masked: mask(&recipient),
        subject: r.get("subject")?,
        state: if failed { MailState::Failed } else { MailState::Pending },
        attempts: r.get::<Option<i64>>("attempts")?.unwrap_or(0),
        max_attempts: r.get::<Option<i64>>("max_attempts")?.unwrap_or(MAX_ATTEMPTS),
        next_attempt_ms: if failed { None } else { r.get("run_at")? },
        last_error: r.get("last_error")?,
        created_at_ms: r.get("created_at")?,
    })
}

pub fn overview(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Overview> {
    access::require(v, Action::ManageOperations)?;
    let jobs = jobs::counts(db)?;
    let sent: i64 = db.scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL", &[])?;
    let list = |db: &mut dyn Conn, failed: bool| -> StoreResult<Vec<Unsent>> {
        let which = if failed { "(j.id IS NULL OR j.state = 'failed')" } else { "(j.id IS NOT NULL AND j.state <> 'failed')" };
        let sql = format!(
            "SELECT o.id, o.kind, o.recipient, o.subject, j.state, j.attempts, j.max_attempts, j.run_at, j.last_error, o.created_at
             FROM mail_outbox o LEFT JOIN jobs j ON j.id = o.job_id
             WHERE o.sent_at IS NULL AND {which} ORDER BY o.id LIMIT {OVERVIEW_LIMIT}"
        );
        Ok(db.query(&sql, &[])?.iter().map(unsent).collect::<Result<_, _>>()?)
    };
    let unsent_failed = list(db, true)?;
    let unsent_pending = list(db, false)?;
    let failed: i64 = db.scalar(
        "SELECT COUNT(*) FROM mail_outbox o LEFT JOIN jobs j ON j.id = o.job_id WHERE o.sent_at IS NULL AND (j.id IS NULL OR j.state = 'failed')",
        &[],
    )?;
    let unsent_total: i64 = db.scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL", &[])?;
    Ok(Overview { jobs, pending: unsent_total - failed, failed, sent, unsent_pending, unsent_failed })
}

/// Queues a failed message again with all its attempts (a system administrator, from the
/// operations page). Audit-logged with the outbox id.
pub fn retry(db: &mut dyn Conn, v: &Viewer, id: i64, now: i64) -> StoreResult<()> {
    access::require(v, Action::ManageOperations)?;
    let row: Option<(Option<i64>, Option<i64>, Option<String>)> = db.map_opt(
        "SELECT o.sent_at, o.job_id, j.state FROM mail_outbox o LEFT JOIN jobs j ON j.id = o.job_id WHERE o.id = $1",
        args![id],
        |r| Ok((r.get("sent_at")?, r.get("job_id")?, r.get("state")?)),
    )?;
    let Some((sent_at, job_id, state)) = row else { return Err(StoreError::not_found("mail")) };
    let not_failed = || {
        StoreError::invalid(FieldError::new(
            "mail",
            "mail.not_failed",
            "Meddelandet har inte misslyckats: det är skickat eller väntar redan på ett nytt försök.",
        ))
    };
    if sent_at.is_some() || state.as_deref() == Some(JobState::Queued.code()) || state.as_deref() == Some(JobState::Running.code()) {
        return Err(not_failed());
    }
    match (job_id, state) {
        (Some(job), Some(_)) => {
            db.execute(
                "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, updated_at = $2, finished_at = NULL WHERE id = $1 AND state IN ('failed', 'done')",
                args![job, now],
            )?;
        }
        // The job was purged: give the message a new one.
        _ => {
            db.execute("DELETE FROM jobs WHERE dedup_key = $1", args![send_key(id)])?;
            let job = NewJob::new(SEND_KIND, serde_json::json!({ "outbox_id": id }), now).dedup(send_key(id)).attempts(MAX_ATTEMPTS);
            let job_id = jobs::enqueue(db, &job, now)?.ok_or_else(|| StoreError::Internal("send job exists".into()))?;
            db.execute("UPDATE mail_outbox SET job_id = $1 WHERE id = $2", args![job_id, id])?;
        }
    }
    audit::record(db, v, Event::new("mail.retry").record("mail", id))?;
    Ok(())
}

/// Deletes sent messages older than [`KEEP_SENT_MS`] and failed ones older than
/// [`KEEP_FAILED_MS`], then the finished jobs past their keeping time. Returns (messages,
/// jobs) deleted.
pub fn purge(db: &mut dyn Conn, now: i64) -> StoreResult<(u64, u64)> {
    let sent = db.execute("DELETE FROM mail_outbox WHERE sent_at IS NOT NULL AND sent_at < $1", args![now - KEEP_SENT_MS])?;
    let failed = db.execute(
        "DELETE FROM mail_outbox WHERE sent_at IS NULL AND created_at < $1
         AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = mail_outbox.job_id AND j.state IN ('queued', 'running'))",
        args![now - KEEP_FAILED_MS],
    )?;
    let jobs = jobs::purge_finished(db, now)?;
    Ok((sent + failed, jobs))
}

/// Deletes every message to `address` (erasing an account).
pub fn forget_recipient(db: &mut dyn Conn, address: &str) -> StoreResult<u64> {
    Ok(db.execute("DELETE FROM mail_outbox WHERE recipient = $1", args![address])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_outlast_an_smtp_server_down_for_an_hour() {
        let span_ms: i64 = (1..MAX_ATTEMPTS).map(jobs::backoff_ms).sum();
        assert_eq!(span_ms, 303 * 60_000 + 30_000, "about five hours from the first to the last attempt");
        assert!(span_ms > 4 * 3_600_000);
    }

    #[test]
    fn masking_keeps_the_domain_only() {
        assert_eq!(mask("anna.andersson@trelleborg.se"), "a…@trelleborg.se");
        assert_eq!(mask("ingen-snabel-a"), "…");
    }
}

/// What a message written by Brygga needs to know about the installation: the sender's domain
/// (for Message-IDs) and the address people reach Brygga at (for links back into the app).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postmark {
    pub host: String,
    /// `https://brygga.kommun.se`, without a trailing slash.
    pub base_url: String,
}

impl Postmark {
    pub fn new(host: impl Into<String>, base_url: impl Into<String>) -> Self {
        Self { host: host.into(), base_url: base_url.into().trim_end_matches('/').to_owned() }
    }
    /// An absolute link to `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}
