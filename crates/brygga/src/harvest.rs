//! Harvesting the police's events: optional, off unless `--police-events-url` is set.
//!
//! The police's rules for their API (polisen.se, "Regler för användning av polisens öppna data
//! och API:er") ask for a User-Agent that says who is calling and how to reach them, HTTPS, at
//! least 10 seconds between calls, at most 60 calls an hour and 1440 a day, and no more calls
//! to a resource that answered 404. So:
//!
//! - one request at start, then one every `interval` (default 15 minutes, i.e. 96 a day; the
//!   configuration refuses less than a minute), and never two requests within [`MIN_GAP`],
//!   retries included;
//! - on errors the wait doubles each time (up to [`MAX_BACKOFF`]), and a `Retry-After` is
//!   honoured; a 404 stops the harvester until the next start;
//! - the User-Agent is `Brygga/<version> (+kontakt: <address>)`; redirects are not followed;
//! - events are upserted by the police's id (history is kept locally: the API only returns the
//!   latest events), as Brygga itself (`Viewer::system`), without a batch;
//! - logs carry counts, statuses and durations, never event text.
//!
//! The client is `reqwest` with rustls: asynchronous like the rest of the server (the task is
//! a tokio task, its sleeps and requests cancel cleanly at shutdown), timeouts and a streamed,
//! capped body read built in, no OpenSSL to install, and already in the workspace for the
//! black-box tests.

use std::time::{Duration, Instant};

use brygga_import::police_events::parse_police_events_with;
use brygga_import::tabular::ReadOptions;
use brygga_store::picture::imports::MAX_UPLOAD_BYTES;
use brygga_store::picture::police_events::{self, EventsFile, ImportSummary};
use brygga_store::{Store, Viewer};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, RETRY_AFTER};

/// Never two requests closer than this (the police's rule).
pub const MIN_GAP: Duration = Duration::from_secs(10);
/// The shortest interval the configuration accepts: 60 calls an hour at most.
pub const MIN_INTERVAL: Duration = Duration::from_secs(60);
/// How often, unless configured: 96 calls a day, far under the daily limit of 1440.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15 * 60);
/// The longest wait after repeated errors.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);
/// A response larger than this is refused (the feed is a few hundred kilobytes).
const MAX_RESPONSE_BYTES: usize = MAX_UPLOAD_BYTES;

/// Where and how often to harvest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarvestConfig {
    pub url: String,
    /// An e-mail address for the User-Agent, so the police can reach the operator.
    pub contact: String,
    /// Between the starts of two requests; at least [`MIN_GAP`] is kept regardless.
    pub interval: Duration,
}

impl HarvestConfig {
    pub fn user_agent(&self) -> String {
        format!("Brygga/{} (+kontakt: {})", env!("CARGO_PKG_VERSION"), self.contact)
    }
}

/// HTTPS, or plain HTTP to this computer only (a local mirror or a test).
pub fn check_url(url: &str) -> Result<(), String> {
    let lower = url.trim().to_ascii_lowercase();
    let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| lower.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/'])));
    if (lower.starts_with("https://") && lower.len() > "https://".len()) || local {
        Ok(())
    } else {
        Err(format!(
            "--police-events-url ”{url}” går inte: polisens API ska anropas över HTTPS, till exempel https://polisen.se/api/events"
        ))
    }
}

/// The wait after `failures` failed requests in a row: the interval, doubled per failure.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    let factor = 2u32.saturating_pow(failures.min(16));
    interval.saturating_mul(factor).min(MAX_BACKOFF).max(MIN_GAP)
}

/// Why a request brought nothing.
#[derive(Debug)]
enum Failure {
    /// 404: the resource is gone; stop.
    Gone,
    /// Try again later; at the earliest after the given time, if the server said.
    Retry { status: Option<u16>, after: Option<Duration>, reason: String },
}

/// Starts harvesting as a tokio task.
pub fn spawn(store: Store, config: HarvestConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(store, config))
}

async fn run(store: Store, config: HarvestConfig) {
    let client = match reqwest::Client::builder()
        .user_agent(config.user_agent())
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "police events harvester could not start");
            return;
        }
    };
    let interval = config.interval.max(MIN_GAP);
    tracing::info!(interval_s = interval.as_secs(), "police events harvester started");
    let mut failures = 0u32;
    let mut last: Option<Instant> = None;
    loop {
        if let Some(t) = last {
            let since = t.elapsed();
            if since < MIN_GAP {
                tokio::time::sleep(MIN_GAP - since).await;
            }
        }
        let started = Instant::now();
        let outcome = harvest_once(&client, &store, &config.url).await;
        // The gap is counted from the end of this request, so the police never see two
        // requests closer than 10 s, whatever the network's delays.
        last = Some(Instant::now());
        let wait = match outcome {
            Ok(s) => {
                failures = 0;
                tracing::info!(
                    read = s.read,
                    new = s.new,
                    duplicates = s.duplicates,
                    rejected = s.rejected.len(),
                    duration_ms = started.elapsed().as_secs_f64() * 1000.0,
                    "police events harvested"
                );
                interval
            }
            Err(Failure::Gone) => {
                tracing::warn!(
                    "the police events URL answered 404 Not Found; harvesting stops until Brygga is restarted with a corrected --police-events-url"
                );
                return;
            }
            Err(Failure::Retry { status, after, reason }) => {
                failures += 1;
                let wait = backoff(interval, failures).max(after.unwrap_or_default());
                tracing::warn!(status, failures, retry_in_s = wait.as_secs(), reason = %reason, "police events harvest failed");
                wait
            }
        };
        tokio::time::sleep(wait.saturating_sub(started.elapsed())).await;
    }
}

async fn harvest_once(client: &reqwest::Client, store: &Store, url: &str) -> Result<ImportSummary, Failure> {
    let retry = |status: Option<u16>, reason: String| Failure::Retry { status, after: None, reason };
    let mut resp = client.get(url).header(ACCEPT, "application/json").send().await.map_err(|e| retry(None, e.without_url().to_string()))?;
    let status = resp.status();
    if status == StatusCode::NOT_FOUND {
        return Err(Failure::Gone);
    }
    if !status.is_success() {
        let after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        return Err(Failure::Retry { status: Some(status.as_u16()), after, reason: format!("HTTP {status}") });
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| retry(Some(status.as_u16()), e.without_url().to_string()))? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(retry(Some(status.as_u16()), "the response is larger than 20 MB".to_owned()));
        }
        body.extend_from_slice(&chunk);
    }
    let parsed = tokio::task::spawn_blocking(move || parse_police_events_with(&body, &ReadOptions { max_bytes: MAX_RESPONSE_BYTES }))
        .await
        .map_err(|e| retry(None, e.to_string()))?
        // The parser's message names line and column, never the events' text.
        .map_err(|e| retry(Some(status.as_u16()), e.to_string()))?;
    store
        .write(move |db| police_events::import(db, &Viewer::system(), None, EventsFile { file_name: None, sha256: "", parsed }))
        .await
        .map_err(|e| retry(None, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let i = Duration::from_secs(900);
        assert_eq!(backoff(i, 1), Duration::from_secs(1800));
        assert_eq!(backoff(i, 2), Duration::from_secs(3600));
        assert_eq!(backoff(i, 10), MAX_BACKOFF);
        assert_eq!(backoff(Duration::from_secs(1), 1), MIN_GAP, "never closer than the police's 10 s");
        assert_eq!(backoff(i, u32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn only_https_or_this_computer() {
        assert!(check_url("https://polisen.se/api/events").is_ok());
        assert!(check_url("http://127.0.0.1:8099/api/events").is_ok());
        assert!(check_url("http://localhost/events").is_ok());
        assert!(check_url("http://polisen.se/api/events").unwrap_err().contains("HTTPS"));
        assert!(check_url("http://localhost.evil.example/").is_err());
        assert!(check_url("ftp://x").is_err());
    }

    #[test]
    fn user_agent_names_the_contact() {
        let c =
            HarvestConfig { url: "https://polisen.se/api/events".into(), contact: "drift@kommun.se".into(), interval: DEFAULT_INTERVAL };
        assert_eq!(c.user_agent(), format!("Brygga/{} (+kontakt: drift@kommun.se)", env!("CARGO_PKG_VERSION")));
    }
}
