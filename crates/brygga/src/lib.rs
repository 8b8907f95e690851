//! The `brygga` program as a library, so tests can start the real server in-process.

pub mod admin;
pub mod config;
pub mod demo;
pub mod demo_agreements;
pub mod demo_consultations;
pub mod demo_contacts;
pub mod demo_directory;
pub mod demo_events;
pub mod demo_interventions;
pub mod demo_knowledge;
pub mod demo_places;
pub mod demo_plans;
pub mod demo_programmes;
pub mod demo_steering;
pub mod demo_work;
pub mod demo_year;
pub mod digest;
pub mod generate_agreements;
pub mod generate_consultation;
pub mod generate_directory;
pub mod generate_events;
pub mod generate_interventions;
pub mod generate_plan;
pub mod generate_programme;
pub mod generate_search;
pub mod harvest;
pub mod import;
pub mod national;
pub mod worker;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use brygga_store::Store;
use brygga_store::accounts::auth::SessionPolicy;
use brygga_store_postgres::PgBackend;
use brygga_store_sqlite::{SqliteBackend, SqliteOptions};
use brygga_web::{AppState, WebConfig};
use tokio::net::TcpListener;

use crate::config::Settings;

/// Opens the database named by `url`: `sqlite://PATH` (also a bare path) or `postgres://…`.
pub async fn connect(url: &str, pg_max_connections: usize) -> anyhow::Result<Store> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store::new(PgBackend::connect(&url, pg_max_connections).context("kan inte ansluta till PostgreSQL")?))
        } else {
            let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(&url);
            // `?synchronous=normal&cache_mib=N` tunes durability and memory (see README).
            let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
            if path.is_empty() {
                anyhow::bail!("databasadressen saknar sökväg; skriv till exempel sqlite://brygga-data/brygga.db");
            }
            let options = SqliteOptions::from_query(query).map_err(|e| anyhow::anyhow!("databasadressen: {e}"))?;
            Ok(Store::new(SqliteBackend::open_with(path, options).with_context(|| format!("kan inte öppna SQLite-databasen {path}"))?))
        }
    })
    .await?
}

/// Opens and migrates the database of `settings`.
pub async fn open(settings: &Settings) -> anyhow::Result<Store> {
    let store = connect(&settings.database_url, settings.pg_max_connections).await?;
    let report = store.migrate().await.context("databasen kunde inte uppdateras")?;
    if !report.applied.is_empty() {
        tracing::info!(applied = ?report.applied, "database migrated");
    }
    Ok(store)
}

pub fn web_config(settings: &Settings) -> WebConfig {
    WebConfig {
        secure_cookies: settings.secure_cookies,
        trust_proxy: settings.trust_proxy,
        session: SessionPolicy { idle_ms: settings.session_idle_minutes * 60_000, absolute_ms: settings.session_max_hours * 3_600_000 },
        suppress_below: settings.suppress_below,
        mail_host: settings.mail_host.clone(),
        mail_configured: settings.mail.is_some(),
        public_url: settings.public_url.clone(),
        ..WebConfig::default()
    }
}

/// A bound, running server.
pub struct Running {
    pub addr: SocketAddr,
    pub handle: tokio::task::JoinHandle<std::io::Result<()>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Running {
    /// Stops accepting connections, lets requests in flight finish, and waits.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.handle.await.unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// Starts serving on `listener` until `stop` is called or the process gets SIGTERM/SIGINT.
pub fn start(listener: TcpListener, store: Store, config: WebConfig) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let app = brygga_web::router(AppState { store, config: Arc::new(config) });
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                tokio::select! {
                    _ = rx => {}
                    _ = shutdown_signal() => {}
                }
                tracing::info!("shutting down: finishing requests in flight");
            })
            .await
    });
    Ok(Running { addr, handle, shutdown: Some(tx) })
}

pub(crate) async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("install SIGTERM handler");
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Starts this process's background workers, if any are configured. With `on_signal` they stop
/// on SIGTERM/SIGINT themselves (`brygga worker`); without, the caller stops them (`brygga serve`
/// does when its web server has seen the signal: one listener, so no signal can be missed).
pub fn start_workers(store: &Store, settings: &Settings, on_signal: bool) -> anyhow::Result<Option<worker::Workers>> {
    if settings.workers == 0 {
        return Ok(None);
    }
    let mailer = match &settings.mail {
        Some(m) => {
            tracing::info!(smtp = %m.smtp.describe(), "e-mail enabled");
            Some(brygga_mail::Mailer::new(m.clone()).map_err(anyhow::Error::msg)?)
        }
        None => {
            tracing::info!("no --smtp-url: e-mail waits in the outbox");
            None
        }
    };
    let config = worker::WorkerConfig { workers: settings.workers, ..Default::default() };
    Ok(Some(worker::spawn(store.clone(), worker::Handlers::standard(mailer, postmark(settings)), config, on_signal)))
}

/// Message-ID domain and link base for e-mail written by this process.
pub fn postmark(settings: &Settings) -> brygga_store::kernel::mail::Postmark {
    brygga_store::kernel::mail::Postmark::new(settings.mail_host.clone(), settings.public_url.clone())
}

/// Sets up logging: `BRYGGA_LOG` (e.g. `info`, `brygga_web=debug`) picks what is logged.
pub fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("BRYGGA_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().flatten_event(true).try_init() } else { builder.compact().try_init() };
}
