//! Times the process evaluation and the follow-up report of a plan of 50 goals, 200 measures and
//! 100 indicators with five years of monthly values, on SQLite and (when reachable) PostgreSQL.
//!
//! `cargo run --release -p brygga-store-tests --example bench_plan_checks [runs]` — prints the
//! median and p95 in milliseconds of `evaluation::evaluate` (the checks, read with a fixed
//! number of queries) and of `followup::report`.

use std::time::Instant;

use brygga_store::plans::{evaluation, followup};
use brygga_store_tests::{TestDb, stories};

fn stats(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let p = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    (p(0.5), p(0.95))
}

async fn run(name: &str, db: &TestDb, runs: usize) {
    let store = db.store();
    let (w, plan) = stories::large_plan(store, 50, 200, 100, 60).await;
    let v = stories::viewer(store, w.coordinator).await;
    let (mut checks, mut reports) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let v2 = v.clone();
        let t = Instant::now();
        let n = store.read(move |db| evaluation::evaluate(db, &v2, plan)).await.unwrap().len();
        checks.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(n > 1000);
        let v2 = v.clone();
        let t = Instant::now();
        store.read(move |db| followup::report(db, &v2, plan, 2026)).await.unwrap();
        reports.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (c50, c95) = stats(checks);
    let (r50, r95) = stats(reports);
    println!("{name}: checks median {c50:.2} ms, p95 {c95:.2} ms; report median {r50:.2} ms, p95 {r95:.2} ms ({runs} runs)");
}

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(30);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let sqlite = TestDb::sqlite().await;
        run("SQLite", &sqlite, runs).await;
        match TestDb::postgres().await {
            Some(pg) => run("PostgreSQL", &pg, runs).await,
            None => println!("PostgreSQL: not reachable, skipped"),
        }
    });
}
