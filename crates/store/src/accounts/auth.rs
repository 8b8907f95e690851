//! Signing in: argon2id passwords, server-side sessions, personal API tokens, and login rate
//! limiting. Secrets are stored only as hashes: sessions and tokens are high-entropy random
//! strings, so a fast SHA-256 suffices for them; passwords get argon2id.

use brygga_domain::FieldError;
use brygga_domain::text::TextRule;
use serde::Serialize;

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::viewer::{Origin, Via, Viewer};
use crate::{Action, Store, args, kernel::access, now_ms};

pub use crate::kernel::secret::{random_token, sha256_hex};

pub use brygga_domain::account::{hash_password, verify_password};

/// Hashes a password off the async runtime (argon2 is slow on purpose and would stall every
/// other request on the thread). The one way pages, the API and the command line hash.
pub async fn hash_off_runtime(password: String) -> StoreResult<String> {
    off_runtime(move || hash_password(&password).map_err(|e| StoreError::Internal(format!("password hashing failed: {e}")))).await
}

/// Runs slow, CPU-bound account work (hashing and checking passwords) on the blocking pool.
pub(crate) async fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> StoreResult<T> + Send + 'static) -> StoreResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|_| StoreError::Internal("password work panicked".into()))?
}

/// Verified against when the account does not exist, so both cases take the same time.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash_password("brygga-ingen-användare").expect("hash"));

/// Session lifetimes.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// Signed out after this long without a request.
    pub idle_ms: i64,
    /// Signed out this long after signing in, whatever happens.
    pub absolute_ms: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle_ms: 8 * 3600 * 1000, absolute_ms: 7 * 24 * 3600 * 1000 }
    }
}

/// Login attempts allowed before a pause.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_IP: i64 = 30;
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;

/// A new session: the cookie value (shown once, stored hashed) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub user_id: i64,
}

fn retry_after(oldest_ms: i64, now: i64) -> u64 {
    u64::try_from((oldest_ms + FAILURE_WINDOW_MS - now).max(1000) / 1000).unwrap_or(1)
}

/// Failed password checks for the account (by the hash of its normalised e-mail address) and
/// for the address within the window, each as (count, oldest); shared by signing in and by the
/// current-password check on a password change.
fn recent_failures(db: &mut dyn Conn, email_key: &str, ip: Option<&str>) -> StoreResult<[(i64, Option<i64>); 2]> {
    let since = now_ms() - FAILURE_WINDOW_MS;
    let count_since = |r: &Row| Ok((r.get("n")?, r.get("first_at")?));
    let by_account: (i64, Option<i64>) = db.map_one(
        "SELECT COUNT(*) AS n, MIN(at) AS first_at FROM login_failures WHERE email_hash = $1 AND at >= $2",
        args![email_key, since],
        count_since,
    )?;
    let by_ip: (i64, Option<i64>) = db.map_one(
        "SELECT COUNT(*) AS n, MIN(at) AS first_at FROM login_failures WHERE ip = $1 AND at >= $2",
        args![ip, since],
        count_since,
    )?;
    Ok([by_account, by_ip])
}

/// `Some(retry_after_secs)` when either count has reached its limit.
fn blocked(failures: &[(i64, Option<i64>); 2]) -> Option<u64> {
    let now = now_ms();
    failures
        .iter()
        .zip([MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_IP])
        .find(|((count, _), max)| count >= max)
        .map(|((_, oldest), _)| retry_after(oldest.unwrap_or(now), now))
}

/// Checks the signed-in user's current password before a change, throttled exactly like
/// signing in: the same `login_failures` rows (per account and per address) count, a wrong
/// password adds one, and once the limit is reached every attempt — even with the right
/// password — is refused until the window has passed. `Ok(false)` is a wrong password.
pub async fn check_current_password(store: &Store, v: &Viewer, password: &str) -> StoreResult<bool> {
    let user_id = v.user_id().ok_or(StoreError::Forbidden)?;
    let email_key = sha256_hex(&v.email().trim().to_lowercase());
    let ip = v.origin().ip.clone();
    let (key, addr) = (email_key.clone(), ip.clone());
    let (failures, hash) = store
        .read(move |db| {
            let failures = recent_failures(db, &key, addr.as_deref())?;
            let hash: Option<String> = db.scalar("SELECT password_hash FROM users WHERE id = $1", args![user_id])?;
            Ok((failures, hash))
        })
        .await?;
    if let Some(retry_after_secs) = blocked(&failures) {
        let v = v.clone();
        store.write(move |db| audit::record(db, &v, Event::new("password.check_blocked").record("user", user_id))).await?;
        return Err(StoreError::RateLimited { retry_after_secs });
    }
    let password = password.to_owned();
    let ok = off_runtime(move || Ok(hash.is_some_and(|h| verify_password(&password, &h)))).await?;
    if !ok {
        let v = v.clone();
        store
            .write(move |db| {
                db.execute("INSERT INTO login_failures (email_hash, ip, at) VALUES ($1, $2, $3)", args![email_key, ip, now_ms()])?;
                audit::record(db, &v, Event::new("password.check_failed").record("user", user_id))
            })
            .await?;
    }
    Ok(ok)
}

/// Checks an e-mail address and password and opens a session.
pub async fn login(
    store: &Store,
    email: &str,
    password: &str,
    origin: Origin,
    user_agent: Option<String>,
    policy: SessionPolicy,
) -> StoreResult<NewSession> {
    let email_norm = email.trim().to_lowercase();
    let email_key = sha256_hex(&email_norm);
    let (key, ip) = (email_key.clone(), origin.ip.clone());
    let (account, user) = store
        .read(move |db| {
            let failures = recent_failures(db, &key, ip.as_deref())?;
            let user: Option<(i64, Option<String>)> =
                db.map_opt("SELECT id, password_hash FROM users WHERE email = $1", args![email_norm], |r| {
                    Ok((r.get("id")?, r.get("password_hash")?))
                })?;
            Ok((failures, user))
        })
        .await?;
    if let Some(retry_after_secs) = blocked(&account) {
        let v = Viewer::anonymous(origin.clone());
        store.write(move |db| audit::record(db, &v, Event::new("login.blocked"))).await?;
        return Err(StoreError::RateLimited { retry_after_secs });
    }
    let password = password.to_owned();
    let hash = user.as_ref().and_then(|u| u.1.clone());
    let ok = off_runtime(move || {
        Ok(match hash {
            Some(h) => verify_password(&password, &h),
            None => {
                verify_password(&password, &DUMMY_HASH);
                false
            }
        })
    })
    .await?;
    let v = Viewer::anonymous(origin.clone());
    let user_id = match (ok, user) {
        (true, Some((id, _))) => id,
        (_, user) => {
            let ip = origin.ip.clone();
            store
                .write(move |db| {
                    db.execute("INSERT INTO login_failures (email_hash, ip, at) VALUES ($1, $2, $3)", args![email_key, ip, now_ms()])?;
                    let e = Event::new("login.failed");
                    audit::record(
                        db,
                        &v,
                        match user {
                            Some((id, _)) => e.record("user", id),
                            None => e,
                        },
                    )
                })
                .await?;
            return Err(StoreError::InvalidCredentials);
        }
    };
    let session = NewSession { token: random_token(32), csrf: random_token(32), user_id };
    let (token_hash, csrf) = (sha256_hex(&session.token), session.csrf.clone());
    store
        .write(move |db| {
            let now = now_ms();
            db.execute("DELETE FROM login_failures WHERE email_hash = $1 OR at < $2", args![email_key, now - FAILURE_WINDOW_MS])?;
            db.execute("DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2", args![now, now - policy.idle_ms])?;
            db.execute(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
                args![token_hash, user_id, csrf, now, now + policy.absolute_ms, origin.ip.clone(), user_agent.map(|u| u.chars().take(300).collect::<String>())],
            )?;
            db.execute("UPDATE users SET last_login_at = $1 WHERE id = $2", args![now, user_id])?;
            let me = Viewer::load(db, user_id, None, Via::Web, None, origin)?;
            audit::record(db, &me, Event::new("login").record("user", user_id))
        })
        .await?;
    Ok(session)
}

/// What a session cookie turned out to be.
#[derive(Debug, Clone)]
pub enum SessionState {
    Valid {
        viewer: Box<Viewer>,
        csrf: String,
        needs_touch: bool,
    },
    /// It existed but has timed out: tell the user to sign in again.
    Expired,
    Unknown,
}

/// Resolves a session cookie.
pub fn session(db: &mut dyn Conn, token: &str, origin: Origin, policy: SessionPolicy) -> StoreResult<SessionState> {
    let row: Option<(i64, String, i64, i64)> = db.map_opt(
        "SELECT user_id, csrf_token, last_seen_at, expires_at FROM sessions WHERE id_hash = $1",
        args![sha256_hex(token)],
        |r| Ok((r.get("user_id")?, r.get("csrf_token")?, r.get("last_seen_at")?, r.get("expires_at")?)),
    )?;
    let Some((user_id, csrf, last_seen, expires)) = row else {
        return Ok(SessionState::Unknown);
    };
    let now = now_ms();
    if now >= expires || now - last_seen >= policy.idle_ms {
        return Ok(SessionState::Expired);
    }
    let viewer = Viewer::load(db, user_id, None, Via::Web, None, origin)?;
    Ok(SessionState::Valid { viewer: Box::new(viewer), csrf, needs_touch: now - last_seen > 60_000 })
}

/// Records activity on a session (at most once a minute, see [`SessionState::Valid`]).
pub fn touch_session(db: &mut dyn Conn, token: &str) -> StoreResult<()> {
    db.execute("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2", args![now_ms(), sha256_hex(token)])?;
    Ok(())
}

pub fn logout(db: &mut dyn Conn, v: &Viewer, token: &str) -> StoreResult<()> {
    db.execute("DELETE FROM sessions WHERE id_hash = $1", args![sha256_hex(token)])?;
    if let Some(id) = v.user_id() {
        audit::record(db, v, Event::new("logout").record("user", id))?;
    }
    Ok(())
}

/// A personal API token as listed (the secret itself is shown only once, at creation).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenSummary {
    pub id: i64,
    pub name: String,
    /// The first characters, to recognise the token.
    pub prefix: String,
    pub org_id: i64,
    pub org_name: String,
    pub created_at_ms: i64,
    pub last_used_at_ms: Option<i64>,
    pub expires_at_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
}

impl FromRow for TokenSummary {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            name: r.get("name")?,
            prefix: r.get("prefix")?,
            org_id: r.get("org_id")?,
            org_name: r.get("org_name")?,
            created_at_ms: r.get("created_at")?,
            last_used_at_ms: r.get("last_used_at")?,
            expires_at_ms: r.get("expires_at")?,
            revoked_at_ms: r.get("revoked_at")?,
        })
    }
}

/// The SELECT that [`TokenSummary::from_row`] decodes, by the names given here.
const TOKEN_SELECT: &str =
    "SELECT t.id, t.name, t.prefix, t.org_id, o.name AS org_name, t.created_at, t.last_used_at, t.expires_at, t.revoked_at
     FROM api_tokens t JOIN organisations o ON o.id = t.org_id";

pub(crate) fn list_tokens_of(db: &mut dyn Conn, user_id: i64) -> StoreResult<Vec<TokenSummary>> {
    Ok(db.all(&format!("{TOKEN_SELECT} WHERE t.user_id = $1 ORDER BY t.id DESC"), args![user_id])?)
}

/// The viewer's own tokens.
pub fn list_tokens(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<TokenSummary>> {
    list_tokens_of(db, v.user_id().ok_or(StoreError::Forbidden)?)
}

pub const TOKEN_NAME: TextRule = TextRule::line("name", "Namnet på nyckeln", 80);

/// Creates a token acting for `org_id`; returns it with the secret, which is never shown again.
pub fn create_token(
    db: &mut dyn Conn,
    v: &Viewer,
    org_id: i64,
    name: &str,
    valid_days: Option<u32>,
) -> StoreResult<(TokenSummary, String)> {
    let user_id = v.user_id().ok_or(StoreError::Forbidden)?;
    let name = TOKEN_NAME.require(name).map_err(StoreError::invalid)?;
    if !access::allowed(v, Action::CreateToken { org: org_id }) {
        return Err(StoreError::invalid(FieldError::new(
            "org_id",
            "token.org",
            "Du kan bara skapa nycklar för organisationer du är medlem i.",
        )));
    }
    if let Some(d) = valid_days.filter(|d| *d == 0 || *d > 3650) {
        return Err(StoreError::invalid(FieldError::new(
            "valid_days",
            "token.valid_days",
            format!("Giltighetstiden {d} dagar går inte; välj 1–3650 dagar eller ingen gräns."),
        )));
    }
    let secret = format!("brygga_{}", random_token(32));
    let now = now_ms();
    let expires = valid_days.map(|d| now + i64::from(d) * 86_400_000);
    let id: i64 = db.scalar(
        "INSERT INTO api_tokens (user_id, org_id, name, token_hash, prefix, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![user_id, org_id, name, sha256_hex(&secret), secret[..14].to_owned(), now, expires],
    )?;
    audit::record(db, v, Event::new("token.create").record("api_token", id).org(org_id))?;
    let summary = db.one(&format!("{TOKEN_SELECT} WHERE t.id = $1"), args![id])?;
    Ok((summary, secret))
}

/// Revokes one of the viewer's tokens (or, for an organisation administrator, a member's).
pub fn revoke_token(db: &mut dyn Conn, v: &Viewer, token_id: i64) -> StoreResult<()> {
    let row: Option<(i64, i64)> =
        db.map_opt("SELECT user_id, org_id FROM api_tokens WHERE id = $1 AND revoked_at IS NULL", args![token_id], |r| {
            Ok((r.get("user_id")?, r.get("org_id")?))
        })?;
    let Some((owner, org)) = row else {
        return Err(StoreError::not_found("api_token"));
    };
    if v.user_id() != Some(owner) && !access::allowed(v, Action::ManageMembers { org }) {
        return Err(StoreError::not_found("api_token"));
    }
    db.execute("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2", args![now_ms(), token_id])?;
    audit::record(db, v, Event::new("token.revoke").record("api_token", token_id).org(org))
}

/// What a bearer token turned out to be.
#[derive(Debug, Clone)]
pub enum TokenState {
    Valid { viewer: Box<Viewer>, needs_touch: bool },
    Revoked,
    Expired,
    Unknown,
}

struct TokenRow {
    id: i64,
    user_id: i64,
    org_id: i64,
    expires: Option<i64>,
    revoked: Option<i64>,
    last_used: Option<i64>,
}

impl FromRow for TokenRow {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            user_id: r.get("user_id")?,
            org_id: r.get("org_id")?,
            expires: r.get("expires_at")?,
            revoked: r.get("revoked_at")?,
            last_used: r.get("last_used_at")?,
        })
    }
}

/// Resolves a bearer token into a viewer acting for the token's organisation.
pub fn token(db: &mut dyn Conn, secret: &str, origin: Origin) -> StoreResult<TokenState> {
    let row: Option<TokenRow> = db.opt(
        "SELECT id, user_id, org_id, expires_at, revoked_at, last_used_at FROM api_tokens WHERE token_hash = $1",
        args![sha256_hex(secret)],
    )?;
    let Some(TokenRow { id, user_id, org_id, expires, revoked, last_used }) = row else {
        return Ok(TokenState::Unknown);
    };
    let now = now_ms();
    if revoked.is_some() {
        return Ok(TokenState::Revoked);
    }
    if expires.is_some_and(|e| now >= e) {
        return Ok(TokenState::Expired);
    }
    let viewer = Viewer::load(db, user_id, Some(org_id), Via::Api, Some(id), origin)?;
    if viewer.memberships().is_empty() {
        return Ok(TokenState::Revoked);
    }
    Ok(TokenState::Valid { viewer: Box::new(viewer), needs_touch: last_used.is_none_or(|t| now - t > 300_000) })
}

pub fn touch_token(db: &mut dyn Conn, token_id: i64) -> StoreResult<()> {
    db.execute("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", args![now_ms(), token_id])?;
    Ok(())
}
