//! Background workers: run the jobs of the durable queue (`brygga_store::kernel::jobs`).
//!
//! `brygga serve` starts them beside the web server; `brygga worker` runs only them. Each of
//! `--workers` tasks loops: claim a few due jobs of the kinds it has handlers for (a short lease
//! of [`WorkerConfig::lease`], renewed every third of it by a heartbeat while the batch is in
//! hand), run each handler, record done or failed (the queue applies the backoff). An idle worker polls every [`WorkerConfig::poll`], or at once when the web layer
//! calls [`Store::wake_workers`] after raising an alert. A scheduler task enqueues the weekly jobs ([`SCHEDULES`]) once a minute; the dedup
//! key makes that safe on every server at once.
//!
//! **Shutdown** (SIGTERM, or [`Workers::stop`]): no new claims; a job already running gets
//! [`WorkerConfig::grace`] to finish and is given back to the queue (`release`) if it does not;
//! claimed jobs not yet started are given back at once. A worker killed outright leaves its jobs
//! to the lease: its heartbeat stops, and another worker (or the restarted server) takes them
//! once the short lease expires, within seconds (at-least-once; a message sent twice carries
//! the same Message-ID).
//!
//! A new kind of background work is a new [`Handler`] registered in [`Handlers::standard`]
//! (and, when weekly, a [`Weekly`] in [`SCHEDULES`]), its kind listed in the store's
//! `brygga_store::JOB_KINDS`; a test below checks the two agree.
//!
//! Logs carry job ids, kinds, attempts, durations and error classes, never payload contents.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use brygga_domain::time::IsoWeek;
use brygga_mail::{Mailer, Outgoing};
use brygga_store::actors::verification as offer_verification;
use brygga_store::agreements::reminders as agreement_reminders;
use brygga_store::kernel::jobs::{self, ClaimRequest, Failure, Job, Weekly, WeeklyScope};
use brygga_store::kernel::mail::Postmark;
use brygga_store::{
    Store, forum_work::digests, kernel::mail, now_ms, picture::questionnaire_reminders, plans::followup as plan_followup,
    programmes::reminders as plan_reminders,
};
use jiff::civil::Weekday;
use tokio::sync::watch;

/// What a handler's failure means for the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    /// Try again after the backoff. The text is an error class and code, never free text.
    Retry(String),
    /// Retrying cannot help: fail the job now.
    Permanent(String),
}

pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + 'a>>;

/// Runs one kind of job.
pub trait Handler: Send + Sync + 'static {
    fn run<'a>(&'a self, store: &'a Store, job: &'a Job) -> HandlerFuture<'a>;
}

/// The handlers a worker has, by job kind.
#[derive(Clone, Default)]
pub struct Handlers(HashMap<&'static str, Arc<dyn Handler>>);

impl Handlers {
    /// Brygga's own: sending e-mail (only with a mailer: without SMTP, messages wait in the
    /// outbox for a worker that has one), the weekly digests (written to the outbox with links
    /// to `post.base_url`) and the weekly purge.
    pub fn standard(mailer: Option<Mailer>, post: Postmark) -> Self {
        let mut h = Self::default();
        if let Some(mailer) = mailer {
            h = h.with(mail::SEND_KIND, SendMail { mailer });
        }
        h.with(PURGE_KIND, Purge)
            .with(digests::KIND, WeeklyDigest { post: post.clone() })
            .with(questionnaire_reminders::KIND, QuestionnaireReminder { post: post.clone() })
            .with(agreement_reminders::KIND, AgreementReminders { post: post.clone() })
            .with(offer_verification::KIND, OfferVerificationReminders { post: post.clone() })
            .with(plan_followup::KIND, RefreshIndicators)
            .with(plan_reminders::KIND, ActivityPlanReminder { post })
            .with(brygga_store::search::REFRESH_KIND, SearchRefresh)
    }

    pub fn with(mut self, kind: &'static str, handler: impl Handler) -> Self {
        self.0.insert(kind, Arc::new(handler));
        self
    }

    pub fn kinds(&self) -> Vec<&'static str> {
        let mut k: Vec<&'static str> = self.0.keys().copied().collect();
        k.sort_unstable();
        k
    }
}

/// Deletes sent e-mail and finished jobs past their keeping time (personal data minimisation).
pub use brygga_store::kernel::jobs::PURGE_KIND;

/// Weekly jobs every server tries to enqueue; the dedup key makes each happen once a week.
pub const SCHEDULES: &[Weekly] = &[
    Weekly { kind: PURGE_KIND, scope: WeeklyScope::Installation, weekday: Weekday::Sunday, hour: 3 },
    // Monday morning: last week's picture and this week's actions, to every forum member.
    Weekly { kind: digests::KIND, scope: WeeklyScope::PerForum, weekday: Weekday::Monday, hour: 7 },
];

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// How many jobs run at once in this process.
    pub workers: usize,
    /// How long a claimed job is this worker's before another may take it, unless renewed:
    /// the worker renews it every third of this while it holds the job.
    pub lease: Duration,
    /// The longest one job may run before it counts as failed (`timeout`) and is retried.
    pub max_run: Duration,
    /// How long to wait when the queue was empty.
    pub poll: Duration,
    /// Jobs claimed per round trip.
    pub batch: usize,
    /// At shutdown, how long a running job may go on before it is given back.
    pub grace: Duration,
    /// Run the weekly schedules.
    pub schedules: bool,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            workers: 2,
            lease: Duration::from_millis(jobs::DEFAULT_LEASE_MS as u64),
            max_run: Duration::from_secs(5 * 60),
            poll: Duration::from_millis(500),
            batch: 10,
            grace: Duration::from_secs(20),
            schedules: true,
        }
    }
}

/// Running workers.
pub struct Workers {
    shutdown: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Workers {
    /// Asks every worker to stop and waits: running jobs finish or are given back.
    pub async fn stop(self) {
        tracing::info!("workers stopping: finishing or giving back the jobs in hand");
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }

    /// Waits until the workers stop (after SIGTERM/SIGINT).
    pub async fn join(self) {
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// `host:pid`, the prefix of every worker's `locked_by`.
fn process_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host}:{}", std::process::id())
}

/// Starts `config.workers` workers (and the scheduler) as tokio tasks. They stop on
/// [`Workers::stop`], or on SIGTERM/SIGINT when `on_signal` is set.
pub fn spawn(store: Store, handlers: Handlers, config: WorkerConfig, on_signal: bool) -> Workers {
    let (tx, rx) = watch::channel(false);
    if on_signal {
        let tx = tx.clone();
        tokio::spawn(async move {
            crate::shutdown_signal().await;
            tracing::info!("workers stopping: finishing or giving back the jobs in hand");
            let _ = tx.send(true);
        });
    }
    let process = process_id();
    let handlers = Arc::new(handlers);
    let mut tasks = Vec::new();
    tracing::info!(workers = config.workers, kinds = ?handlers.kinds(), "workers started");
    for n in 0..config.workers.max(1) {
        let worker = format!("{process}:{n}");
        tasks.push(tokio::spawn(work(store.clone(), handlers.clone(), config.clone(), worker, rx.clone())));
    }
    if config.schedules {
        tasks.push(tokio::spawn(schedule(store, rx)));
    }
    Workers { shutdown: tx, tasks }
}

/// Resolves once shutdown is asked for (the watch guard is dropped before returning).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

async fn schedule(store: Store, mut stop: watch::Receiver<bool>) {
    loop {
        for s in SCHEDULES {
            let s = *s;
            match store.write(move |db| jobs::enqueue_weekly(db, &s, now_ms())).await {
                Ok(created) if !created.is_empty() => tracing::info!(kind = s.kind, jobs = created.len(), "weekly jobs enqueued"),
                Ok(_) => {}
                Err(e) => tracing::warn!(kind = s.kind, error = %e, "weekly jobs could not be enqueued"),
            }
        }
        // Questionnaire reminders fall due at each forum's own hour, so they are checked every tick.
        match store.write(|db| questionnaire_reminders::enqueue_due(db, now_ms())).await {
            Ok(created) if !created.is_empty() => {
                tracing::info!(kind = questionnaire_reminders::KIND, jobs = created.len(), "reminder jobs enqueued")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(kind = questionnaire_reminders::KIND, error = %e, "reminder jobs could not be enqueued"),
        }
        // Activity plan reminders fall due on their day before each half-year's deadline.
        match store.write(|db| plan_reminders::enqueue_due(db, now_ms())).await {
            Ok(created) if !created.is_empty() => {
                tracing::info!(kind = plan_reminders::KIND, jobs = created.len(), "reminder jobs enqueued")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(kind = plan_reminders::KIND, error = %e, "reminder jobs could not be enqueued"),
        }
        // Every night (02:00 Swedish time) each adopted plan's computed indicator values are refreshed.
        match store.write(|db| plan_followup::enqueue_nightly(db, now_ms())).await {
            Ok(created) if !created.is_empty() => tracing::info!(kind = plan_followup::KIND, jobs = created.len(), "refresh jobs enqueued"),
            Ok(_) => {}
            Err(e) => tracing::warn!(kind = plan_followup::KIND, error = %e, "refresh jobs could not be enqueued"),
        }
        // Every day (06:00 Swedish time) agreements ending within 90 and 30 days remind their parties.
        match store.write(|db| agreement_reminders::enqueue_daily(db, now_ms())).await {
            Ok(created) if !created.is_empty() => {
                tracing::info!(kind = agreement_reminders::KIND, jobs = created.len(), "agreement reminder job enqueued")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(kind = agreement_reminders::KIND, error = %e, "agreement reminder job could not be enqueued"),
        }
        // Every day (06:00 Swedish time) directory offers due for verification remind their organisations.
        match store.write(|db| offer_verification::enqueue_daily(db, now_ms())).await {
            Ok(created) if !created.is_empty() => {
                tracing::info!(kind = offer_verification::KIND, jobs = created.len(), "offer verification job enqueued")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(kind = offer_verification::KIND, error = %e, "offer verification job could not be enqueued"),
        }
        // Every tick: when records wait to be indexed, one search refresh job (a query refreshes
        // too, so this only keeps the index warm between searches).
        match store.write(|db| brygga_store::search::enqueue_refresh(db, now_ms())).await {
            Ok(_) => {}
            Err(e) => tracing::warn!(kind = brygga_store::search::REFRESH_KIND, error = %e, "search refresh job could not be enqueued"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = stopped(&mut stop) => return,
        }
    }
}

async fn work(store: Store, handlers: Arc<Handlers>, config: WorkerConfig, worker: String, mut stop: watch::Receiver<bool>) {
    let kinds = handlers.kinds();
    let lease_ms = i64::try_from(config.lease.as_millis()).unwrap_or(i64::MAX);
    while !*stop.borrow() {
        let (w, k, batch) = (worker.clone(), kinds.clone(), config.batch);
        // Listen for a wake-up before looking, so one that comes during the claim is not missed.
        let woken = store.workers_woken();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let claimed =
            store.write(move |db| jobs::claim(db, &ClaimRequest { worker: &w, kinds: &k, limit: batch, lease_ms }, now_ms())).await;
        let claimed = match claimed {
            Ok(jobs) => jobs,
            Err(e) => {
                tracing::warn!(error = %e, "jobs could not be claimed");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            tokio::select! {
                _ = tokio::time::sleep(config.poll) => {}
                _ = &mut woken => {}
                _ = stopped(&mut stop) => {}
            }
            continue;
        }
        let heartbeat = tokio::spawn(heartbeat(store.clone(), worker.clone(), claimed.iter().map(|j| j.id).collect(), config.lease));
        let mut queue = claimed.into_iter();
        let mut finished = Vec::new();
        while let Some(job) = queue.next() {
            if *stop.borrow() {
                release(&store, &worker, std::iter::once(job).chain(queue.by_ref())).await;
                break;
            }
            match run_one(&store, &handlers, job, config.max_run, config.grace, &mut stop).await {
                Ran::Finished(f) => finished.push(f),
                Ran::GiveBack(job) => release(&store, &worker, std::iter::once(job)).await,
            }
        }
        record(&store, &worker, finished).await;
        heartbeat.abort();
    }
    tracing::debug!(worker = %worker, "worker stopped");
}

/// Renews the lease of the jobs in hand every third of the lease, until aborted (after the
/// batch's outcomes are recorded). A renewal that fails (the database is away) is tried again
/// at the next beat; if the database stays away longer than the lease, another worker may
/// take the jobs, and the outcome recorded later says so (`LeaseLost`).
async fn heartbeat(store: Store, worker: String, ids: Vec<i64>, lease: Duration) {
    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
    let every = (lease / 3).max(Duration::from_millis(100));
    loop {
        tokio::time::sleep(every).await;
        let (ids, w) = (ids.clone(), worker.clone());
        match store.write(move |db| jobs::renew(db, &ids, &w, lease_ms, now_ms())).await {
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "job leases could not be renewed"),
        }
    }
}

async fn release(store: &Store, worker: &str, jobs: impl Iterator<Item = Job>) {
    for job in jobs {
        let (id, w) = (job.id, worker.to_owned());
        match store.write(move |db| jobs::release(db, id, &w, now_ms())).await {
            Ok(_) => tracing::info!(job_id = id, kind = %job.kind, "job given back at shutdown"),
            // The lease runs out on its own; another worker takes it then.
            Err(e) => tracing::warn!(job_id = id, error = %e, "job could not be given back"),
        }
    }
}

/// A job that ran, with its outcome and how long it took.
struct Finished {
    job: Job,
    outcome: Result<(), JobError>,
    duration_ms: f64,
}

enum Ran {
    Finished(Finished),
    /// Shutdown came and the grace period ran out: give the job back.
    GiveBack(Job),
}

async fn run_one(
    store: &Store,
    handlers: &Handlers,
    job: Job,
    max_run: Duration,
    grace: Duration,
    stop: &mut watch::Receiver<bool>,
) -> Ran {
    let Some(handler) = handlers.0.get(job.kind.as_str()).cloned() else {
        // claim() only returns kinds we have handlers for.
        return Ran::GiveBack(job);
    };
    let started = Instant::now();
    // The heartbeat keeps the lease while the handler runs; `max_run` bounds a handler that hangs.
    let lease_over = |_| Err(JobError::Retry("timeout".into()));
    let outcome = {
        let run = tokio::time::timeout(max_run, handler.run(store, &job));
        tokio::pin!(run);
        tokio::select! {
            r = &mut run => Some(r.unwrap_or_else(lease_over)),
            _ = stopped(stop) => {
                match tokio::time::timeout(grace, &mut run).await {
                    Ok(r) => Some(r.unwrap_or_else(lease_over)),
                    Err(_) => None,
                }
            }
        }
    };
    match outcome {
        Some(outcome) => Ran::Finished(Finished { job, outcome, duration_ms: started.elapsed().as_secs_f64() * 1000.0 }),
        None => Ran::GiveBack(job),
    }
}

/// How often recording a batch's outcomes is tried while the database is unavailable, and the
/// wait between tries.
const RECORD_TRIES: u32 = 20;
const RECORD_RETRY_WAIT: Duration = Duration::from_millis(500);

/// Records a batch's outcomes in one transaction: done, or failed with backoff. Recording
/// once per batch rather than once per job is what lets the queue run thousands of short jobs
/// a second; if the process dies before this, the batch's jobs run again after their lease
/// (handlers are idempotent: sending e-mail checks `sent_at`, set right after each send).
async fn record(store: &Store, worker: &str, finished: Vec<Finished>) {
    if finished.is_empty() {
        return;
    }
    let (w, now) = (worker.to_owned(), now_ms());
    let outcomes: Vec<(Job, Option<(String, bool)>)> = finished
        .iter()
        .map(|f| {
            let failure = match &f.outcome {
                Ok(()) => None,
                Err(JobError::Retry(c)) => Some((c.clone(), false)),
                Err(JobError::Permanent(c)) => Some((c.clone(), true)),
            };
            (f.job.clone(), failure)
        })
        .collect();
    // A short database outage (a restart, a failover) must not make the batch run twice: try
    // again for a while — the heartbeat keeps the leases meanwhile — before leaving the jobs to
    // their lease.
    let mut tries = 0;
    let recorded = loop {
        let (w, outcomes) = (w.clone(), outcomes.clone());
        let r = store
            .write(move |db| {
                let done: Vec<i64> = outcomes.iter().filter(|(_, f)| f.is_none()).map(|(j, _)| j.id).collect();
                let completed = jobs::complete_many(db, &done, &w, now)?;
                let mut failures = Vec::new();
                for (job, failure) in &outcomes {
                    if let Some((class, permanent)) = failure {
                        failures.push(jobs::fail(db, job, &w, class, *permanent, now)?);
                    }
                }
                Ok((completed, done.len(), failures))
            })
            .await;
        tries += 1;
        match r {
            Err(brygga_store::StoreError::Unavailable(_) | brygga_store::StoreError::OutcomeUnknown(_)) if tries < RECORD_TRIES => {
                tokio::time::sleep(RECORD_RETRY_WAIT).await;
            }
            r => break r,
        }
    };
    let (completed, wanted, failures) = match recorded {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(jobs = finished.len(), error = %e, "job outcomes not recorded; they will run again after their lease");
            return;
        }
    };
    if completed < wanted as u64 {
        tracing::warn!(jobs = wanted as u64 - completed, "jobs done after their lease ran out; another worker may run them again");
    }
    let mut failures = failures.into_iter();
    for f in &finished {
        let (id, kind, attempt, duration_ms) = (f.job.id, f.job.kind.as_str(), f.job.attempts, f.duration_ms);
        let class = match &f.outcome {
            Ok(()) => {
                tracing::debug!(job_id = id, kind, attempt, duration_ms, "job done");
                continue;
            }
            Err(JobError::Retry(c) | JobError::Permanent(c)) => c.as_str(),
        };
        match failures.next() {
            Some(Failure::Retry { at }) => tracing::warn!(
                job_id = id,
                kind,
                attempt,
                error_class = class,
                retry_in_s = (at - now) / 1000,
                duration_ms,
                "job failed, will retry"
            ),
            Some(Failure::GaveUp) => tracing::error!(job_id = id, kind, attempt, error_class = class, "job failed for good"),
            Some(Failure::LeaseLost) | None => tracing::warn!(job_id = id, kind, "job failed after its lease ran out"),
        }
    }
}

/// `mail.send`: sends one outbox message with its fixed Message-ID.
pub struct SendMail {
    pub mailer: Mailer,
}

impl Handler for SendMail {
    fn run<'a>(&'a self, store: &'a Store, job: &'a Job) -> HandlerFuture<'a> {
        Box::pin(async move {
            let id = job.payload["outbox_id"].as_i64().ok_or_else(|| JobError::Permanent("bad_payload".into()))?;
            let Some(m) = store.read(move |db| mail::outgoing(db, id)).await.map_err(|_| JobError::Retry("database".into()))? else {
                // Purged, or the account was erased: nothing left to send.
                tracing::info!(outbox_id = id, "mail no longer in the outbox");
                return Ok(());
            };
            if m.sent_at.is_some() {
                return Ok(());
            }
            let started = Instant::now();
            let out = Outgoing {
                message_id: &m.message_id,
                to: &m.recipient,
                subject: &m.subject,
                body: &m.body,
                created_at_ms: m.created_at,
                list_unsubscribe: m.list_unsubscribe.as_deref(),
            };
            if let Err(e) = self.mailer.send(&out).await {
                tracing::warn!(outbox_id = id, attempt = job.attempts, error_class = e.class, smtp_code = e.code, "mail not sent");
                return Err(if e.permanent { JobError::Permanent(e.to_string()) } else { JobError::Retry(e.to_string()) });
            }
            // If the process dies right here, the job runs again after its lease and the
            // message goes out a second time with the same Message-ID (at-least-once).
            tracing::info!(outbox_id = id, attempt = job.attempts, duration_ms = started.elapsed().as_secs_f64() * 1000.0, "mail sent");
            store.write(move |db| mail::mark_sent(db, id, now_ms())).await.map_err(|_| JobError::Retry("database".into()))
        })
    }
}

/// `maintenance.purge`: the weekly clean-up.
pub struct Purge;

impl Handler for Purge {
    fn run<'a>(&'a self, store: &'a Store, _job: &'a Job) -> HandlerFuture<'a> {
        Box::pin(async move {
            let (messages, jobs) = store.write(|db| mail::purge(db, now_ms())).await.map_err(|_| JobError::Retry("database".into()))?;
            tracing::info!(messages, jobs, "purged old e-mail and jobs");
            Ok(())
        })
    }
}

/// The `{"forum_id", "week"}` payload of the per-forum weekly jobs.
fn forum_week(job: &Job) -> Result<(i64, IsoWeek), JobError> {
    let forum = job.payload["forum_id"].as_i64();
    let week = job.payload["week"].as_str().and_then(|w| IsoWeek::parse(w).ok());
    forum.zip(week).ok_or_else(|| JobError::Permanent("bad_payload".into()))
}

/// What a per-forum outbox job's write came to: done (logged with its counts), nothing to do
/// when the forum was closed since the job was enqueued, or a retry.
fn outbox_written(
    what: &'static str,
    forum: i64,
    week: IsoWeek,
    r: Result<(usize, usize), brygga_store::StoreError>,
) -> Result<(), JobError> {
    match r {
        Ok((queued, already_sent)) => {
            tracing::info!(forum_id = forum, week = %week, queued, already_sent, "{what} written");
            Ok(())
        }
        Err(brygga_store::StoreError::NotFound { .. }) => Ok(()),
        Err(e) => {
            tracing::warn!(forum_id = forum, error = %e, "{what} not written");
            Err(JobError::Retry("database".into()))
        }
    }
}

/// `digest.weekly`: writes one forum's digest of the week before the job's week to the outbox
/// (the send jobs then deliver it). Running twice sends nobody a second copy (`digest_sends`).
pub struct WeeklyDigest {
    pub post: Postmark,
}

impl Handler for WeeklyDigest {
    fn run<'a>(&'a self, store: &'a Store, job: &'a Job) -> HandlerFuture<'a> {
        Box::pin(async move {
            let (forum, week) = forum_week(job)?;
            let week = week.plus(-1);
            let post = self.post.clone();
            let r = store.write(move |db| digests::write(db, forum, week, &post)).await;
            outbox_written("weekly digest", forum, week, r.map(|w| (w.queued.len(), w.already_sent)))
        })
    }
}

/// `questionnaire.remind`: writes one forum's questionnaire reminders for the job's period to the
/// outbox. Running twice mails nobody twice (`questionnaire_reminder_sends`).
pub struct QuestionnaireReminder {
    pub post: Postmark,
}

impl Handler for QuestionnaireReminder {
    fn run<'a>(&'a self, store: &'a Store, job: &'a Job) -> HandlerFuture<'a> {
        Box::pin(async move {
            let (forum, week) = forum_week(job)?;
            let post = self.post.clone();
            let r = store.write(move |db| questionnaire_reminders::write(db, forum, week, &post, now_ms())).await;
            outbox_written("questionnaire reminders", forum, week, r.map(|w| (w.queued.len(), w.already_sent)))
        })
    }
}

/// `programmes.plan_reminder`: writes one working group's reminder before a half-year's
/// activity plan deadline to the outbox. Running twice mails nobody twice
/// (`activity_plan_reminders`). Logs carry ids and counts only.
pub struct ActivityPlanReminder {
    pub post: Postmark,
}

impl Handler for ActivityPlanReminder {
    fn run<'a>(&'a self, store: &'a Store, job: &'a Job) -> HandlerFuture<'a> {
        Box::pin(async move {
            let group = job.payload["group_id"].as_i64().ok_or_else(|| JobError::Permanent("bad_payload".into()))?;
            let days = job.payload["days_before"].as_i64().ok_or_else(|| JobError::Permanent("bad_payload".into()))?;
            let half = job.payload["half_year"].as_str().ok_or_else(|| JobError::Permanent("bad_payload".into()))?.to_owned();
            let post = self.post.clone();
            match store.write(move |db| plan_reminders::write(db, group, &half, days, &post, now_ms())).await {
                Ok(w) => {
                    tracing::info!(
                        group_id = group,
                        days_before = days,
                        queued = w.queued.len(),
                        already_sent = w.already_sent,
                        "activity plan reminder written"
                    );
                    Ok(())
                }
                Err(brygga_store::StoreError::NotFound { .. }) => Ok(()),
                Err(e) => {
                    tracing::warn!(group_id = group, error = %e, "activity plan reminder not written");
                    Err(JobError::Retry("database".into()))
                }
            }
        })
    }
}

/// `agreements.expiry_reminders`: writes the e-mails to the coordinators of the parties of every
/// concluded agreement that ends within 90 or 30 days (once per threshold and person; running
/// twice mails nobody twice: `agreement_reminder_sends`).
pub struct AgreementReminders {
    pub post: Postmark,
}

impl Handler for AgreementReminders {
    fn run<'a>(&'a self, store: &'a Store, _job: &'a Job) -> HandlerFuture<'a> {
        Box::pin(async move {
            let post = self.post.clone();
            let today = brygga_domain::time::today();
            match store.write(move |db| agreement_reminders::write(db, today, &post, now_ms())).await {
                Ok(w) => {
                    tracing::info!(queued = w.queued.len(), already_sent = w.already_sent, "agreement reminders written");
                    Ok(())
                }
                Err(e) => {
                    tracing::warn!(error = %e, "agreement reminders not written");
                    Err(JobError::Retry("database".into()))
                }
            }
        })
    }
}

/// `actors.verification_reminders`: writes the e-mails to the coordinators and administrators of
/// every organisation with a directory offer due for verification (once per offer, due date and
/// person: `offer_verification_sends`).
pub struct OfferVerificationReminders {
    pub post: Postmark,
}

impl Handler for OfferVerificationReminders {
    fn run<'a>(&'a self, store: &'a Store, _job: &'a Job) -> HandlerFuture<'a> {
        Box::pin(async move {
            let post = self.post.clone();
            let today = brygga_domain::time::today();
            match store.write(move |db| offer_verification::write(db, today, &post, now_ms())).await {
                Ok(w) => {
                    tracing::info!(queued = w.queued.len(), already_sent = w.already_sent, "offer verification reminders written");
                    Ok(())
                }
                Err(e) => {
                    tracing::warn!(error = %e, "offer verification reminders not written");
                    Err(JobError::Retry("database".into()))
                }
            }
        })
    }
}

/// `search.refresh`: indexes every record touched since the last refresh (in batches, one write
/// transaction each).
pub struct SearchRefresh;

impl Handler for SearchRefresh {
    fn run<'a>(&'a self, store: &'a Store, _job: &'a Job) -> HandlerFuture<'a> {
        Box::pin(async move {
            let mut indexed = 0;
            loop {
                match store.write(brygga_store::search::index::refresh).await {
                    Ok(n) => {
                        indexed += n;
                        if n < brygga_store::search::index::REFRESH_BATCH as usize {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "search index not refreshed");
                        return Err(JobError::Retry("database".into()));
                    }
                }
            }
            tracing::info!(indexed, "search index refreshed");
            Ok(())
        })
    }
}

/// `plans.refresh_indicators`: recomputes one adopted plan's indicator values from Brygga's data
/// (entered values stay). A plan no longer in force has nothing to do.
pub struct RefreshIndicators;

impl Handler for RefreshIndicators {
    fn run<'a>(&'a self, store: &'a Store, job: &'a Job) -> HandlerFuture<'a> {
        Box::pin(async move {
            let plan = job.payload["plan_id"].as_i64().ok_or_else(|| JobError::Permanent("bad_payload".into()))?;
            match store.write(move |db| plan_followup::refresh_job(db, plan)).await {
                Ok(written) => {
                    tracing::info!(plan_id = plan, written, "indicator values refreshed");
                    Ok(())
                }
                Err(e) => {
                    tracing::warn!(plan_id = plan, error = %e, "indicator values not refreshed");
                    Err(JobError::Retry("database".into()))
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use brygga_domain::account::Email;
    use brygga_mail::{MailConfig, SmtpConfig};

    use super::*;

    fn standard() -> Handlers {
        let smtp = SmtpConfig::parse("smtp://127.0.0.1:2525").expect("smtp url");
        let mailer = Mailer::new(MailConfig::new(smtp, Email::parse("brygga@trelleborg.se").expect("address"))).expect("mailer");
        Handlers::standard(Some(mailer), Postmark::new("trelleborg.se", "https://brygga.trelleborg.se"))
    }

    /// A job kind without a handler would wait in the queue forever; a handler without a kind in
    /// the store's list is work nobody registered.
    #[tokio::test]
    async fn the_standard_handlers_run_exactly_the_store_job_kinds() {
        let mut registered = brygga_store::JOB_KINDS.to_vec();
        registered.sort_unstable();
        assert_eq!(
            standard().kinds(),
            registered,
            "Handlers::standard (crates/brygga/src/worker.rs) and brygga_store::JOB_KINDS (crates/store/src/lib.rs) must name \
             the same job kinds"
        );
    }

    #[tokio::test]
    async fn every_weekly_schedule_has_a_registered_kind_and_a_handler() {
        let handled = standard().kinds();
        for schedule in SCHEDULES {
            assert!(brygga_store::JOB_KINDS.contains(&schedule.kind), "{} is scheduled but not in brygga_store::JOB_KINDS", schedule.kind);
            assert!(handled.contains(&schedule.kind), "{} is scheduled but no standard handler runs it", schedule.kind);
        }
    }
}
