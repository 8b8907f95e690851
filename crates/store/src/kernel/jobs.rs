//! The durable job queue: background work (sending e-mail, weekly digests, purging old rows)
//! written to the database in the same transaction as the change that caused it, and run by
//! workers (`brygga serve` and `brygga worker`) at least once.
//!
//! - **Enqueue** ([`enqueue`]): a job has a kind, a JSON payload, the earliest time to run and
//!   an optional `dedup_key`. The key is unique across every job ever kept, so enqueuing the
//!   same logical job twice (a second app server scheduling the same weekly digest, a retried
//!   request) is a no-op: `INSERT … ON CONFLICT DO NOTHING`.
//! - **Claim** ([`claim`]): a worker takes up to `limit` due jobs for a lease, in one
//!   statement. On PostgreSQL the candidates are chosen with `FOR UPDATE SKIP LOCKED`, so
//!   several app servers claiming at once never take the same job and never wait for each
//!   other. On SQLite every write goes through the single writer connection inside
//!   `BEGIN IMMEDIATE`, so the same `UPDATE … RETURNING` without the lock clause is already
//!   exclusive.
//! - **Leases**: a claimed job is `running` until `locked_until`. Leases are short
//!   ([`DEFAULT_LEASE_MS`]) and the worker holding a job renews them while it works ([`renew`],
//!   a heartbeat every third of the lease), so a long job keeps its lease while a killed
//!   worker's jobs come back within seconds: the next claim after the lease puts them back in
//!   the queue (or fails them, when they have used all their attempts, so a job that kills its
//!   worker cannot loop forever).
//! - **Outcome**: [`complete`], or [`fail`] which retries with exponential backoff
//!   ([`backoff_ms`], deterministic: no jitter, `now` is passed in) until `max_attempts`, after
//!   which the job is `failed` and stays visible until an administrator retries it ([`retry`]).
//!   Both only act while the caller still holds the lease.
//! - **Weekly schedules** ([`Weekly`], [`enqueue_weekly`]): "once per ISO week (per forum)"
//!   is a dedup key `kind:scope:YYYY-Www`, so every server may try and one job results.
//!
//! `last_error` holds an error *class* and code chosen by the handler, never a message that
//! could carry an address or free text. Functions here take no [`Viewer`]: they are Brygga's
//! own machinery, called by workers and by store functions that already checked access; the
//! one an administrator triggers, [`retry`], checks it.

use brygga_domain::time::{IsoWeek, stockholm};
use jiff::Timestamp;
use jiff::civil::Weekday;
use serde::Serialize;

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, Dialect, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Action, Viewer, args, kernel::access};

/// The first retry waits this long; each further one twice as long as the one before.
pub const BACKOFF_BASE_MS: i64 = 30_000;
/// No retry waits longer than this.
pub const BACKOFF_MAX_MS: i64 = 3_600_000;
/// How long a claim holds a job unless renewed ([`renew`]). Short, so that the jobs of a
/// worker that died (kill -9, a lost machine) are taken by another within seconds.
pub const DEFAULT_LEASE_MS: i64 = 15_000;
/// Attempts before a job is given up, unless its kind says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 10;
/// Done jobs are kept this long (their dedup keys with them), then purged.
pub const KEEP_DONE_MS: i64 = 30 * 86_400_000;
/// Failed jobs are kept this long, for an administrator to see and retry.
pub const KEEP_FAILED_MS: i64 = 90 * 86_400_000;

/// The weekly maintenance job: deletes sent e-mail and finished jobs past their keeping time
/// ([`crate::kernel::mail::purge`]; personal data minimisation).
pub const PURGE_KIND: &str = "maintenance.purge";

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobState {
    pub const ALL: [JobState; 4] = [JobState::Queued, JobState::Running, JobState::Done, JobState::Failed];

    pub fn code(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A job to put in the queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    /// Enqueuing a second job with the same key does nothing.
    pub dedup_key: Option<String>,
    /// Not before this instant (milliseconds).
    pub run_at: i64,
    pub max_attempts: i64,
}

impl NewJob {
    /// A job to run as soon as a worker is free, with the default number of attempts.
    pub fn new(kind: impl Into<String>, payload: serde_json::Value, now: i64) -> Self {
        Self { kind: kind.into(), payload, dedup_key: None, run_at: now, max_attempts: DEFAULT_MAX_ATTEMPTS }
    }
    pub fn dedup(mut self, key: impl Into<String>) -> Self {
        self.dedup_key = Some(key.into());
        self
    }
    pub fn at(mut self, run_at: i64) -> Self {
        self.run_at = run_at;
        self
    }
    pub fn attempts(mut self, max_attempts: i64) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }
}

/// Puts a job in the queue in the caller's transaction. Returns its id, or `None` when a job
/// with the same dedup key already exists (in any state).
pub fn enqueue(db: &mut dyn Conn, job: &NewJob, now: i64) -> StoreResult<Option<i64>> {
    Ok(db.scalar_opt(
        "INSERT INTO jobs (kind, payload, dedup_key, state, run_at, attempts, max_attempts, created_at, updated_at)
         VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6, $6)
         ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
        args![job.kind.as_str(), job.payload.to_string(), job.dedup_key.as_deref(), job.run_at, job.max_attempts.max(1), now],
    )?)
}

/// A claimed job, as its handler sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub dedup_key: Option<String>,
    /// Including the current one.
    pub attempts: i64,
    pub max_attempts: i64,
    pub locked_until: i64,
}

/// The columns [`Job::from_row`] decodes, by these names (the claims return them).
const JOB_COLUMNS: &str = "id, kind, payload, dedup_key, attempts, max_attempts, locked_until";

impl FromRow for Job {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let payload: String = r.get("payload")?;
        Ok(Self {
            id: r.get("id")?,
            kind: r.get("kind")?,
            payload: serde_json::from_str(&payload).map_err(|e| DbError::Decode(format!("job payload: {e}")))?,
            dedup_key: r.get("dedup_key")?,
            attempts: r.get("attempts")?,
            max_attempts: r.get("max_attempts")?,
            locked_until: r.get::<Option<i64>>("locked_until")?.unwrap_or_default(),
        })
    }
}

/// What a worker asks for.
#[derive(Debug, Clone)]
pub struct ClaimRequest<'a> {
    /// Who holds the lease (host, process and worker number), for `locked_by`.
    pub worker: &'a str,
    /// Only jobs of these kinds: the ones this worker has handlers for.
    pub kinds: &'a [&'a str],
    pub limit: usize,
    pub lease_ms: i64,
}

/// Returns jobs whose lease expired to the queue (or fails them when out of attempts).
/// Returns how many were requeued or failed.
pub fn reclaim_expired(db: &mut dyn Conn, now: i64) -> StoreResult<u64> {
    // On PostgreSQL, rows another server is reclaiming right now are skipped, not waited for.
    let lock = match db.dialect() {
        Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        Dialect::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET
            state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
            finished_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE NULL END,
            locked_by = NULL, locked_until = NULL, last_error = 'lease_expired', run_at = $1, updated_at = $1
         WHERE id IN (SELECT id FROM jobs WHERE state = 'running' AND locked_until <= $1{lock})"
    );
    Ok(db.execute(&sql, args![now])?)
}

/// Claims up to `limit` due jobs for `lease_ms`, oldest due first. Run it in a write
/// transaction of its own (`Store::write`), so the claim commits before the work starts.
pub fn claim(db: &mut dyn Conn, req: &ClaimRequest<'_>, now: i64) -> StoreResult<Vec<Job>> {
    if req.kinds.is_empty() || req.limit == 0 {
        return Ok(Vec::new());
    }
    reclaim_expired(db, now)?;
    let kinds: Vec<String> = (0..req.kinds.len()).map(|i| format!("${}", i + 5)).collect();
    let lock = match db.dialect() {
        Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        Dialect::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1, updated_at = $3
         WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $3 AND kind IN ({}) ORDER BY run_at, id LIMIT $4{lock})
         RETURNING {JOB_COLUMNS}",
        kinds.join(", ")
    );
    let mut params: Vec<Value> = vec![req.worker.into(), (now + req.lease_ms).into(), now.into(), (req.limit as i64).into()];
    params.extend(req.kinds.iter().map(|k| Value::from(*k)));
    let mut jobs: Vec<Job> = db.all(&sql, &params)?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Claims the given jobs, if they are queued (due or not): for a command that sends now what
/// the workers would send later (`brygga digest send`). Jobs another worker holds are left alone.
pub fn claim_ids(db: &mut dyn Conn, ids: &[i64], worker: &str, lease_ms: i64, now: i64) -> StoreResult<Vec<Job>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1, updated_at = $3
         WHERE state = 'queued' AND {}
         RETURNING {JOB_COLUMNS}",
        db.dialect().in_list("id", 4)
    );
    let mut jobs: Vec<Job> = db.all(&sql, &[worker.into(), (now + lease_ms).into(), now.into(), Value::IntList(ids.to_vec())])?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// The heartbeat of a working worker: extends the lease of those of `ids` it still holds to
/// `now + lease_ms`. Returns how many it still held; a job missing from the count was taken by
/// another worker after its lease ran out (this worker was stalled for longer than the lease).
pub fn renew(db: &mut dyn Conn, ids: &[i64], worker: &str, lease_ms: i64, now: i64) -> StoreResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE jobs SET locked_until = $3, updated_at = $4 WHERE {} AND locked_by = $2 AND state = 'running'",
        db.dialect().in_list("id", 1)
    );
    Ok(db.execute(&sql, args![ids, worker, now.saturating_add(lease_ms), now])?)
}

/// Marks a job done. `false` when the worker no longer holds it (its lease expired and
/// another worker took it): the work was done twice, which at-least-once allows.
pub fn complete(db: &mut dyn Conn, id: i64, worker: &str, now: i64) -> StoreResult<bool> {
    let n = db.execute(
        "UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, last_error = NULL, updated_at = $3, finished_at = $3
         WHERE id = $1 AND locked_by = $2 AND state = 'running'",
        args![id, worker, now],
    )?;
    Ok(n == 1)
}

/// Marks several jobs done in one statement (a worker's batch); returns how many it still
/// held. Those it no longer held were taken by another worker after their lease.
pub fn complete_many(db: &mut dyn Conn, ids: &[i64], worker: &str, now: i64) -> StoreResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, last_error = NULL, updated_at = $3, finished_at = $3
         WHERE {} AND locked_by = $2 AND state = 'running'",
        db.dialect().in_list("id", 1)
    );
    Ok(db.execute(&sql, args![ids, worker, now])?)
}

/// The wait before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min, …,
/// never more than an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    let doublings = (attempts.max(1) - 1).min(20) as u32;
    BACKOFF_BASE_MS.saturating_mul(1i64 << doublings).min(BACKOFF_MAX_MS)
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Queued again, to run at this instant.
    Retry { at: i64 },
    /// Out of attempts, or the error was permanent: the job is `failed`.
    GaveUp,
    /// The worker no longer held the job; nothing changed.
    LeaseLost,
}

/// Records a failed attempt: back to the queue after [`backoff_ms`], or `failed` when
/// `permanent` or out of attempts. `error` is a class and code, never free text.
pub fn fail(db: &mut dyn Conn, job: &Job, worker: &str, error: &str, permanent: bool, now: i64) -> StoreResult<Failure> {
    let error: String = error.chars().take(200).collect();
    if permanent || job.attempts >= job.max_attempts {
        let n = db.execute(
            "UPDATE jobs SET state = 'failed', locked_by = NULL, locked_until = NULL, last_error = $3, updated_at = $4, finished_at = $4
             WHERE id = $1 AND locked_by = $2 AND state = 'running'",
            args![job.id, worker, error, now],
        )?;
        return Ok(if n == 1 { Failure::GaveUp } else { Failure::LeaseLost });
    }
    let at = now + backoff_ms(job.attempts);
    let n = db.execute(
        "UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL, last_error = $3, run_at = $4, updated_at = $5
         WHERE id = $1 AND locked_by = $2 AND state = 'running'",
        args![job.id, worker, error, at, now],
    )?;
    Ok(if n == 1 { Failure::Retry { at } } else { Failure::LeaseLost })
}

/// Gives a claimed job back untouched (a worker shutting down before starting it, or giving
/// up on it at the end of the grace period): queued again at once, the attempt not counted.
pub fn release(db: &mut dyn Conn, id: i64, worker: &str, now: i64) -> StoreResult<bool> {
    let n = db.execute(
        "UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL, attempts = attempts - 1, run_at = $3, updated_at = $3
         WHERE id = $1 AND locked_by = $2 AND state = 'running'",
        args![id, worker, now],
    )?;
    Ok(n == 1)
}

/// Queues a failed job again with all its attempts (a system administrator's decision).
pub fn retry(db: &mut dyn Conn, v: &Viewer, id: i64, now: i64) -> StoreResult<()> {
    access::require(v, Action::ManageOperations)?;
    let state: Option<String> = db.scalar_opt("SELECT state FROM jobs WHERE id = $1", args![id])?;
    match state {
        None => return Err(StoreError::not_found("job")),
        Some(s) if s != JobState::Failed.code() => {
            return Err(StoreError::invalid(brygga_domain::FieldError::new(
                "job",
                "job.not_failed",
                "Jobbet har inte misslyckats; det väntar redan, pågår eller är klart.",
            )));
        }
        Some(_) => {}
    }
    db.execute(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, updated_at = $2, finished_at = NULL WHERE id = $1 AND state = 'failed'",
        args![id, now],
    )?;
    audit::record(db, v, Event::new("job.retry").record("job", id))?;
    Ok(())
}

/// How many jobs of each kind are in each state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindCounts {
    pub kind: String,
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub failed: i64,
}

pub fn counts(db: &mut dyn Conn) -> StoreResult<Vec<KindCounts>> {
    let rows: Vec<(String, String, i64)> =
        db.map_all("SELECT kind, state, COUNT(*) AS n FROM jobs GROUP BY kind, state ORDER BY kind, state", &[], |r| {
            Ok((r.get("kind")?, r.get("state")?, r.get("n")?))
        })?;
    let mut out: Vec<KindCounts> = Vec::new();
    for (kind, state, n) in rows {
        if out.last().is_none_or(|c| c.kind != kind) {
            out.push(KindCounts { kind: kind.clone(), queued: 0, running: 0, done: 0, failed: 0 });
        }
        let c = out.last_mut().expect("pushed");
        match JobState::from_code(&state) {
            Some(JobState::Queued) => c.queued = n,
            Some(JobState::Running) => c.running = n,
            Some(JobState::Done) => c.done = n,
            Some(JobState::Failed) => c.failed = n,
            None => return Err(DbError::Decode(format!("job state {state}")).into()),
        }
    }
    Ok(out)
}

/// One job as stored, for tests and the operations page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub run_at: i64,
    pub attempts: i64,
    pub max_attempts: i64,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
}

impl FromRow for JobRow {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            kind: r.get("kind")?,
            state: r.get("state")?,
            run_at: r.get("run_at")?,
            attempts: r.get("attempts")?,
            max_attempts: r.get("max_attempts")?,
            locked_by: r.get("locked_by")?,
            last_error: r.get("last_error")?,
        })
    }
}

pub fn get(db: &mut dyn Conn, id: i64) -> StoreResult<JobRow> {
    db.opt("SELECT id, kind, state, run_at, attempts, max_attempts, locked_by, last_error FROM jobs WHERE id = $1", args![id])?
        .ok_or(StoreError::not_found("job"))
}

/// Deletes done jobs older than [`KEEP_DONE_MS`] and failed ones older than
/// [`KEEP_FAILED_MS`]. Returns how many.
pub fn purge_finished(db: &mut dyn Conn, now: i64) -> StoreResult<u64> {
    Ok(db.execute(
        "DELETE FROM jobs WHERE (state = 'done' AND finished_at < $1) OR (state = 'failed' AND finished_at < $2)",
        args![now - KEEP_DONE_MS, now - KEEP_FAILED_MS],
    )?)
}

/// Which weekly job to enqueue for each target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeeklyScope {
    /// One job for the whole installation.
    Installation,
    /// One job per forum, with `{"forum_id": …}` as payload.
    PerForum,
}

/// A job due once per ISO week, from a weekday and hour in Swedish time on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weekly {
    pub kind: &'static str,
    pub scope: WeeklyScope,
    pub weekday: Weekday,
    /// Hour of the day in Europe/Stockholm (0–23).
    pub hour: i8,
}

impl Weekly {
    /// The instant this week's job falls due (milliseconds), in the week that contains `now`.
    pub fn due_in_week(&self, week: IsoWeek) -> StoreResult<i64> {
        let offset = i64::from(self.weekday.to_monday_zero_offset());
        let date = week.monday().checked_add(jiff::Span::new().days(offset)).map_err(|e| StoreError::Internal(e.to_string()))?;
        let zoned = date.at(self.hour, 0, 0, 0).to_zoned(stockholm()).map_err(|e| StoreError::Internal(e.to_string()))?;
        Ok(zoned.timestamp().as_millisecond())
    }
}

/// The dedup key of a weekly job: `kind:scope:YYYY-Www`.
pub fn weekly_key(kind: &str, scope: &str, week: IsoWeek) -> String {
    format!("{kind}:{scope}:{week}")
}

/// Enqueues `schedule`'s jobs for the ISO week containing `now`, if they are due and not yet
/// enqueued. Safe to call from every server every minute: the dedup key makes it happen once.
/// Returns the ids of the jobs this call created.
pub fn enqueue_weekly(db: &mut dyn Conn, schedule: &Weekly, now: i64) -> StoreResult<Vec<i64>> {
    let ts = Timestamp::from_millisecond(now).map_err(|e| StoreError::Internal(e.to_string()))?;
    let week = IsoWeek::of(ts);
    let due = schedule.due_in_week(week)?;
    if now < due {
        return Ok(Vec::new());
    }
    let targets: Vec<(String, serde_json::Value)> = match schedule.scope {
        WeeklyScope::Installation => vec![("all".to_owned(), serde_json::json!({ "week": week.to_string() }))],
        WeeklyScope::PerForum => db
            .scalars::<i64>("SELECT id FROM forums ORDER BY id", &[])?
            .into_iter()
            .map(|id| (format!("forum-{id}"), serde_json::json!({ "forum_id": id, "week": week.to_string() })))
            .collect(),
    };
    let mut created = Vec::new();
    for (scope, payload) in targets {
        let job = NewJob::new(schedule.kind, payload, now).dedup(weekly_key(schedule.kind, &scope, week)).at(due);
        if let Some(id) = enqueue(db, &job, now)? {
            created.push(id);
        }
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `.rs` file of the store, as (path, text).
    fn store_sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for path in std::fs::read_dir(dir).expect("read src").map(|e| e.expect("dir entry").path()) {
            if path.is_dir() {
                store_sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push((path.display().to_string(), std::fs::read_to_string(&path).expect("read source")));
            }
        }
    }

    /// The value of `const NAME: &str = "…"` anywhere in the store.
    fn const_value<'a>(files: &'a [(String, String)], name: &str) -> Option<&'a str> {
        let needle = format!("const {name}: &str = \"");
        files.iter().find_map(|(_, text)| text.split_once(needle.as_str()).and_then(|(_, rest)| rest.split_once('"')).map(|(v, _)| v))
    }

    /// A job the store enqueues under a kind missing from `crate::JOB_KINDS` would have no
    /// worker: every job the store creates outside this file names a registered kind, through a
    /// const or as a literal. (`enqueue_weekly` here passes its schedule's kind; the worker's
    /// schedules are checked in `crates/brygga/src/worker.rs`.)
    #[test]
    fn every_kind_the_store_enqueues_is_in_job_kinds() {
        let mut files = Vec::new();
        store_sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let mut seen = 0;
        // This file is the queue itself (and this test): its `NewJob::new` passes a schedule's kind.
        for (path, text) in files.iter().filter(|(path, _)| !path.ends_with("kernel/jobs.rs")) {
            for rest in text.split("NewJob::new(").skip(1) {
                let arg = rest.split(',').next().unwrap_or("").trim();
                let kind = match arg.strip_prefix('"') {
                    Some(literal) => Some(literal.trim_end_matches('"')),
                    None => const_value(&files, arg.rsplit("::").next().unwrap_or(arg)),
                };
                seen += 1;
                assert!(
                    kind.is_some_and(|k| crate::JOB_KINDS.contains(&k)),
                    "{path} enqueues jobs of kind `{arg}` ({kind:?}), which is not in brygga_store::JOB_KINDS (crates/store/src/lib.rs)"
                );
            }
        }
        assert!(seen >= 2, "the scan found only {seen} places that enqueue a job");
    }

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        let waits: Vec<i64> = (1..=9).map(|a| backoff_ms(a) / 1000).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff_ms(0), 30_000);
        assert_eq!(backoff_ms(i64::MAX), BACKOFF_MAX_MS);
    }

    #[test]
    fn weekly_jobs_fall_due_in_swedish_time() {
        let w = Weekly { kind: "digest", scope: WeeklyScope::PerForum, weekday: Weekday::Monday, hour: 7 };
        let week = IsoWeek::new(2026, 48).unwrap();
        // Monday 23 November 2026, 07:00 CET = 06:00 UTC.
        let due = w.due_in_week(week).unwrap();
        assert_eq!(Timestamp::from_millisecond(due).unwrap().to_string(), "2026-11-23T06:00:00Z");
        assert_eq!(weekly_key("digest", "forum-3", week), "digest:forum-3:2026-W48");
    }
}
