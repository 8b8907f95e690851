//! The job queue's throughput on PostgreSQL (issue 5: ≥ 1,000 jobs/s with two workers).
//! Run through `scripts/bench-jobs`, which builds this in release mode and records the result.
//!
//! Each run: a fresh database cloned from the migrated template, N no-op jobs enqueued (not
//! timed), then the real workers (`brygga::worker`, the same loop `brygga serve` runs) start
//! and the clock runs until every job is `done`. Prints one JSON line per run and a summary.

use std::time::{Duration, Instant};

use brygga::worker::{self, Handler, HandlerFuture, Handlers, WorkerConfig};
use brygga_store::kernel::jobs::{self, Job, NewJob};
use brygga_store::{ConnExt, Store, now_ms};
use brygga_store_tests::TestDb;

struct Noop;

impl Handler for Noop {
    fn run<'a>(&'a self, _store: &'a Store, _job: &'a Job) -> HandlerFuture<'a> {
        Box::pin(async { Ok(()) })
    }
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (n, runs, workers, batch) = (arg("--jobs", 20_000), arg("--runs", 5), arg("--workers", 2), arg("--batch", 10));
    let mut rates = Vec::new();
    for run in 1..=runs {
        let Some(db) = TestDb::postgres().await else {
            eprintln!("bench-jobs: PostgreSQL unavailable");
            std::process::exit(2);
        };
        let store = db.store().clone();
        store
            .write(move |db| {
                let now = now_ms();
                for i in 0..n {
                    jobs::enqueue(db, &NewJob::new("bench.noop", serde_json::json!({ "i": i }), now), now)?;
                }
                Ok(())
            })
            .await
            .expect("enqueue");
        let config = WorkerConfig { workers, batch, poll: Duration::from_millis(5), schedules: false, ..Default::default() };
        let started = Instant::now();
        let w = worker::spawn(store.clone(), Handlers::default().with("bench.noop", Noop), config, false);
        loop {
            let done: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM jobs WHERE state = 'done'", &[])?)).await.expect("count");
            if done as usize >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let secs = started.elapsed().as_secs_f64();
        w.stop().await;
        let rate = n as f64 / secs;
        println!(
            "{}",
            serde_json::json!({ "run": run, "jobs": n, "workers": workers, "batch": batch, "seconds": secs, "jobs_per_s": rate })
        );
        rates.push(rate);
        drop(store);
        drop(db);
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    println!(
        "{}",
        serde_json::json!({ "summary": true, "jobs": n, "workers": workers, "batch": batch, "runs": runs, "median_jobs_per_s": median, "min": rates[0], "max": rates[rates.len() - 1] })
    );
}
