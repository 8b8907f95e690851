//! `brygga generate events`: five years of events for one county, for the coverage report's
//! benchmark (`scripts/bench-events`, BENCHMARKS.md "Training coverage (issue 16)").
//!
//! Written straight into the tables of migration 0018 (and organisations, users) with SQL
//! through the store's `Conn`, in one transaction, on either backend: an organising county
//! board, a pool of participants, `--events-per-year` events a year over `--years` years (kinds
//! at random, two in five trainings), each with `--participants` registrations from the
//! county's municipalities (a few municipalities never come; most participants attended, some
//! no-shows and cancellations). Then the coverage report (`dialogue::events::coverage::report`,
//! the page's and the API's store call, no HTTP) is timed `--runs` times for the last full year
//! and kind training: median and p95. Deterministic for a seed; the content is invented.

use std::time::Instant;

use anyhow::Context;
use brygga_store::dialogue::events::coverage::{self, TrainingCoverageQuery};
use brygga_store::{Conn, ConnExt, Store, StoreResult, Value, Viewer};
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

#[derive(Args, Debug, Clone)]
pub struct EventsArgs {
    /// Länskoden, till exempel 12 (Skåne, 33 kommuner).
    #[arg(long, default_value = "12")]
    pub county: String,
    /// År bakåt med evenemang (det innevarande året medräknat).
    #[arg(long, default_value_t = 5)]
    pub years: i16,
    /// Evenemang per år.
    #[arg(long, default_value_t = 400)]
    pub events_per_year: usize,
    /// Anmälda per evenemang.
    #[arg(long, default_value_t = 30)]
    pub participants: usize,
    /// Hur många gånger täckningsrapporten tidmäts.
    #[arg(long, default_value_t = 20)]
    pub runs: usize,
    /// Slumpfrö: samma frö ger samma data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// What was written and measured, printed as JSON by the command.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Generated {
    pub municipalities: usize,
    pub events: usize,
    pub registrations: usize,
    pub generate_seconds: f64,
    /// The year and kind the report was timed for, and what it answered.
    pub year: i16,
    pub summary: String,
    pub runs: usize,
    pub median_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

const KINDS: [&str; 5] = ["training", "training", "conference", "seminar", "network_meeting"];

pub async fn run(store: &Store, args: &EventsArgs) -> anyhow::Result<Generated> {
    anyhow::ensure!(brygga_domain::geography::county(&args.county).is_some(), "länskoden {} finns inte", args.county);
    anyhow::ensure!((1..=20).contains(&args.years), "--years måste vara mellan 1 och 20");
    anyhow::ensure!((1..=5000).contains(&args.events_per_year), "--events-per-year måste vara mellan 1 och 5000");
    anyhow::ensure!((1..=500).contains(&args.participants), "--participants måste vara mellan 1 och 500");
    anyhow::ensure!((1..=1000).contains(&args.runs), "--runs måste vara mellan 1 och 1000");
    let started = Instant::now();
    let a = args.clone();
    let this_year = brygga_domain::time::today().year();
    let (munis, events, registrations) =
        store.write(move |db| write(db, &a, this_year, brygga_store::now_ms())).await.context("evenemangen kunde inte skrivas")?;
    let generate_seconds = started.elapsed().as_secs_f64();
    let year = this_year - 1;
    let mut times = Vec::with_capacity(args.runs);
    let mut summary = String::new();
    for _ in 0..args.runs {
        let county = args.county.clone();
        let t = Instant::now();
        let r = store
            .read(move |db| coverage::report(db, &Viewer::system(), &county, &TrainingCoverageQuery { year: Some(year), kind: None }))
            .await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        summary = r.summary();
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    Ok(Generated {
        municipalities: munis,
        events,
        registrations,
        generate_seconds,
        year,
        summary,
        runs: args.runs,
        median_ms: pick(0.5),
        p95_ms: pick(0.95),
        max_ms: *times.last().unwrap_or(&0.0),
    })
}

/// Writes everything in the caller's transaction: (municipalities, events, registrations).
pub fn write(db: &mut dyn Conn, args: &EventsArgs, this_year: i16, now: i64) -> StoreResult<(usize, usize, usize)> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let munis: Vec<&str> = brygga_domain::geography::municipalities_in_county(&args.county).map(|m| m.code).collect();
    // A few municipalities never come: the report's "never attended" list is not empty.
    let coming: Vec<&str> = munis.iter().copied().filter(|_| rng.random_bool(0.85)).collect();
    let name = format!("Länsstyrelsen {} (bench events)", args.county);
    let org: i64 = db.scalar(
        "INSERT INTO organisations (name, name_key, kind, created_at, updated_at) VALUES ($1, $2, 'county_board', $3, $3) RETURNING id",
        &[Value::Text(name.clone()), Value::Text(brygga_store::sort_key(&name)), Value::Int(now)],
    )?;
    let pool = (coming.len() * args.participants).max(args.participants);
    let mut users: Vec<(i64, &str)> = Vec::with_capacity(pool);
    for i in 0..pool {
        let id: i64 = db.scalar(
            "INSERT INTO users (email, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
            &[Value::Text(format!("deltagare{i}@bench-events.example")), Value::Text(format!("Deltagare {i}")), Value::Int(now)],
        )?;
        users.push((id, coming[i % coming.len().max(1)]));
    }
    let (mut events, mut registrations) = (0, 0);
    let year_ms = 365 * 86_400_000_i64;
    for y in (this_year - args.years + 1)..=this_year {
        let start = jiff::civil::date(y, 1, 1)
            .to_zoned(brygga_domain::time::stockholm())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or_default();
        for _ in 0..args.events_per_year {
            let kind = KINDS[rng.random_range(0..KINDS.len())];
            let starts = start + rng.random_range(0..year_ms - 86_400_000);
            let id: i64 = db.scalar(
                "INSERT INTO events (organiser_org_id, title, kind, format, county_code, starts_at, ends_at, place, capacity, status, version,
                    created_at, updated_at)
                 VALUES ($1, $2, $3, 'on_site', $4, $5, $6, 'Lokal (bench)', $7, 'published', 1, $8, $8) RETURNING id",
                &[
                    Value::Int(org),
                    Value::Text(format!("Evenemang {events} (bench)")),
                    Value::Text(kind.into()),
                    Value::Text(args.county.clone()),
                    Value::Int(starts),
                    Value::Int(starts + 3 * 3_600_000),
                    Value::Int(args.participants as i64),
                    Value::Int(now),
                ],
            )?;
            events += 1;
            // Distinct participants, in one statement per event.
            let mut chosen: Vec<usize> = Vec::with_capacity(args.participants);
            while chosen.len() < args.participants.min(users.len()) {
                let u = rng.random_range(0..users.len());
                if !chosen.contains(&u) {
                    chosen.push(u);
                }
            }
            let mut sql = "INSERT INTO event_registrations (event_id, user_id, role, municipality_code, status, queued_at, created_at, updated_at) VALUES ".to_owned();
            let mut vals: Vec<Value> = vec![Value::Int(id), Value::Int(starts - 86_400_000)];
            for (i, u) in chosen.iter().enumerate() {
                let status = match rng.random_range(0..100) {
                    0..85 => "attended",
                    85..95 => "no_show",
                    _ => "cancelled",
                };
                let (user, muni) = users[*u];
                let p = vals.len();
                vals.extend([Value::Int(user), Value::Text(muni.into()), Value::Text(status.into())]);
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("($1, ${}, 'coordinator', ${}, ${}, $2, $2, $2)", p + 1, p + 2, p + 3));
            }
            db.execute(&sql, &vals)?;
            registrations += chosen.len();
        }
    }
    Ok((munis.len(), events, registrations))
}
