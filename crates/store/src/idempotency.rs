//! Idempotency keys for API writes: a client that retries a POST with the same
//! `Idempotency-Key` gets the first answer again, and nothing is written twice. Keys belong to
//! the organisation the caller acts for; the same key with a different body is refused.

use sha2::{Digest, Sha256};

use crate::db::{Conn, ConnExt};
use crate::error::StoreResult;
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

pub fn lookup(db: &mut dyn Conn, org_id: i64, key: &str, hash: &str) -> StoreResult<Seen> {
    let row: Option<(String, i64, String)> =
        db.opt("SELECT request_sha256, status, response FROM idempotency_keys WHERE owner_org_id = $1 AND key = $2", args![org_id, key])?;
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
