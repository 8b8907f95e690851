//! Idempotency keys for API writes: a client that retries a POST with the same
//! `Idempotency-Key` gets the first answer again, and nothing is written twice. Keys belong to
//! the organisation the caller acts for; the same key with a different body is refused.
//!
//! **Concurrent requests with one key**: every check of a key first takes [`lock`] on it for
//! the rest of the write transaction, so the first request does the work and the others wait
//! for its COMMIT and then find its answer (a replay) — never a unique-constraint failure.
//! SQLite needs nothing more (its write transactions run one at a time); PostgreSQL, where
//! transactions run side by side under READ COMMITTED, takes a transaction-level advisory lock
//! on a hash of the key. Each later statement in READ COMMITTED sees what the first committed.

use sha2::{Digest, Sha256};

use crate::kernel::db::{Conn, ConnExt, Dialect};
use crate::kernel::error::StoreResult;
use crate::{args, now_ms};

/// What a key has seen before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// Never used: do the work, then [`remember`] the answer.
    New,
    /// Used for this very request: answer with what was answered then.
    Replay { status: u16, body: String },
    /// Used for a different request.
    Conflict,
}

pub const MAX_KEY_LEN: usize = 200;

pub fn request_hash(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body);
    hex::encode(h.finalize())
}

/// Serialises the write transactions that use `key` within `scope` (e.g. `org:3`, `forum:7`)
/// until the caller's transaction ends. Call it before looking the key up. Two different keys
/// that hash alike merely wait for each other.
pub fn lock(db: &mut dyn Conn, scope: &str, key: &str) -> StoreResult<()> {
    if db.dialect() == Dialect::Postgres {
        let mut h = Sha256::new();
        h.update(b"brygga-idempotency\0");
        h.update(scope.as_bytes());
        h.update([0]);
        h.update(key.as_bytes());
        let digest = h.finalize();
        let id = i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        db.execute("SELECT pg_advisory_xact_lock($1)", args![id])?;
    }
    Ok(())
}

/// The lock scope of an organisation's keys.
pub fn org_scope(org_id: i64) -> String {
    format!("org:{org_id}")
}

/// Looks the key up, after taking its [`lock`] (so run it in the write transaction that will
/// [`remember`] the answer).
pub fn lookup(db: &mut dyn Conn, org_id: i64, key: &str, hash: &str) -> StoreResult<Seen> {
    lock(db, &org_scope(org_id), key)?;
    let row: Option<(String, i64, String)> = db.map_opt(
        "SELECT request_sha256, status, response FROM idempotency_keys WHERE owner_org_id = $1 AND key = $2",
        args![org_id, key],
        |r| Ok((r.get("request_sha256")?, r.get("status")?, r.get("response")?)),
    )?;
    Ok(match row {
        None => Seen::New,
        Some((h, status, body)) if h == hash => Seen::Replay { status: u16::try_from(status).unwrap_or(200), body },
        Some(_) => Seen::Conflict,
    })
}

/// Stores the answer in the caller's transaction, together with the work it describes.
pub fn remember(db: &mut dyn Conn, org_id: i64, key: &str, hash: &str, status: u16, body: &str) -> StoreResult<()> {
    db.execute(
        "INSERT INTO idempotency_keys (owner_org_id, key, request_sha256, status, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        args![org_id, key, hash, i64::from(status), body, now_ms()],
    )?;
    Ok(())
}

/// What one keyed write answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keyed<T> {
    /// The work was done now: its value and the answer to remember (`status`, JSON `body`).
    Done { value: T, status: u16, body: String },
    /// The key (or the record's own key) was used for this very request: the first answer.
    Replayed { status: u16, body: String },
    /// The key was used for a different request; nothing was done.
    Conflict,
}

/// The Idempotency-Key protocol around one write, in the caller's write transaction — the one
/// place every keyed API command goes through. Without a key, `work` simply runs. With one,
/// the key is locked and looked up: a replay or a conflict stops there; otherwise `work` runs
/// and its answer is remembered together with what it wrote, so a retry after a lost
/// connection gets the same answer and nothing twice.
pub fn once<T>(
    db: &mut dyn Conn,
    org_id: i64,
    key: Option<&str>,
    hash: &str,
    work: impl FnOnce(&mut dyn Conn) -> StoreResult<Keyed<T>>,
) -> StoreResult<Keyed<T>> {
    if let Some(k) = key {
        match lookup(db, org_id, k, hash)? {
            Seen::Replay { status, body } => return Ok(Keyed::Replayed { status, body }),
            Seen::Conflict => return Ok(Keyed::Conflict),
            Seen::New => {}
        }
    }
    let out = work(db)?;
    if let (Some(k), Keyed::Done { status, body, .. }) = (key, &out) {
        remember(db, org_id, k, hash, *status, body)?;
    }
    Ok(out)
}
