//! Alert to inbox (issue 5: an alert reaches the inboxes of 50 contact persons on the local SMTP
//! server within 2 s, p95, of being raised). Run through `scripts/bench-alerts`.
//!
//! Per backend (SQLite file, PostgreSQL): a forum whose 50 contact persons are users of its
//! member organisations, the real SMTP test server (`tests/smtp/sink.py`, aiosmtpd), and the
//! real workers with `brygga serve`'s defaults (2 workers, batch 10, 500 ms poll). Each run
//! raises one alert exactly as the web form does (`alerts::prepare` + `alerts::raise` in one
//! write transaction) and times until the 50th message has been written by the SMTP server.
//! Prints one JSON line per alert and a summary with median, p95 and max.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use brygga::worker::{self, Handlers, WorkerConfig};
use brygga_domain::Role;
use brygga_domain::account::Email;
use brygga_mail::{MailConfig, Mailer, SmtpConfig};
use brygga_store::forum_work::alerts::{self, AlertInput};
use brygga_store::kernel::mail::Postmark;
use brygga_store::kernel::viewer::Via;
use brygga_store::{Store, Viewer};
use brygga_store_tests::{TestDb, stories};

const CONTACTS: usize = 50;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Sink {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn start_sink() -> Sink {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(root().join(".venv/bin/python"))
        .arg(root().join("tests/smtp/sink.py"))
        .args(["--port", &port.to_string(), "--dir"])
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run .venv/bin/python tests/smtp/sink.py (scripts/smtp-sink-setup installs it)");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("READY"), "sink said {line:?}");
    Sink { child, dir, port }
}

fn received(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().ends_with(".json")).count())
        .unwrap_or(0)
}

/// Trelleborg's forum with `CONTACTS` contact persons; returns (forum, reporter, area).
async fn seed(store: &Store) -> (i64, i64, i64) {
    let w = stories::est(store).await;
    let mut contacts = Vec::new();
    for i in 0..CONTACTS {
        let org = if i % 2 == 0 { w.kommun } else { w.bostad };
        contacts.push(stories::user(store, &format!("kontakt{i}@trelleborg.se"), org, Role::Member).await);
    }
    stories::set_contacts(store, &w, contacts).await;
    (w.forum, w.reporter, w.stortorget)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

async fn bench(backend: &str, store: &Store, runs: usize) -> Vec<f64> {
    let sink = start_sink();
    let (forum, reporter, area) = seed(store).await;
    let smtp = SmtpConfig::parse(&format!("smtp://127.0.0.1:{}", sink.port)).unwrap();
    let mailer = Mailer::new(MailConfig::new(smtp, Email::parse("brygga@trelleborg.se").unwrap())).unwrap();
    let post = Postmark::new("trelleborg.se", "http://127.0.0.1:8080");
    let config = WorkerConfig { schedules: false, ..Default::default() };
    let workers = worker::spawn(store.clone(), Handlers::standard(Some(mailer), post.clone()), config, false);
    let mut latencies = Vec::new();
    for run in 1..=runs {
        let before = received(sink.dir.path());
        let (post, input) = (
            post.clone(),
            AlertInput {
                title: format!("Stenkastning mot bussar ({run})"),
                urgency: "immediate".into(),
                area_id: Some(area),
                ..Default::default()
            },
        );
        let v = store.read(move |db| Viewer::for_user(db, reporter, Via::Web)).await.unwrap();
        let started = Instant::now();
        store
            .write(move |db| {
                let valid = alerts::prepare(db, &v, forum, &input)?;
                alerts::raise(db, &v, &valid, None, &post)
            })
            .await
            .expect("raise");
        // As the web handlers do after raising.
        store.wake_workers();
        let mut first = None;
        loop {
            let n = received(sink.dir.path()) - before;
            if n > 0 && first.is_none() {
                first = Some(started.elapsed());
            }
            if n >= CONTACTS {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "only {n} of {CONTACTS} messages arrived in 60 s");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let all = started.elapsed().as_secs_f64() * 1000.0;
        println!(
            "{}",
            serde_json::json!({ "backend": backend, "run": run, "contacts": CONTACTS, "first_ms": first.unwrap().as_secs_f64() * 1000.0, "all_ms": all })
        );
        latencies.push(all);
        // Alerts do not come back to back; let the pool settle like between two real ones.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    workers.stop().await;
    latencies
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runs = arg("--runs", 20);
    let mut summary = Vec::new();
    let sqlite = TestDb::sqlite().await;
    summary.push(("sqlite", bench("sqlite", sqlite.store(), runs).await));
    match TestDb::postgres().await {
        Some(pg) => summary.push(("postgres", bench("postgres", pg.store(), runs).await)),
        None => eprintln!("bench-alerts: PostgreSQL unavailable; SQLite only"),
    }
    for (backend, mut xs) in summary {
        xs.sort_by(f64::total_cmp);
        println!(
            "{}",
            serde_json::json!({
                "summary": backend,
                "alerts": xs.len(),
                "contacts": CONTACTS,
                "median_ms": percentile(&xs, 0.5),
                "p95_ms": percentile(&xs, 0.95),
                "max_ms": xs.last(),
                "target_p95_ms": 2000,
            })
        );
    }
}
