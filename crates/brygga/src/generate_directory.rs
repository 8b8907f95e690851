//! `brygga generate directory --offers 10000`: a large public directory for the directory page's
//! benchmark (`scripts/bench-directory`, BENCHMARKS.md "Directory (issue 15)").
//!
//! Written with SQL through the store's `Conn` into the tables of migration 0012 (and
//! organisations, claims), in one transaction, on either backend. One organisation with a public
//! profile per 20 offers, spread over the municipalities of Skåne; each offer with 1–3 weekly
//! schedule rows, ages, themes, target groups, a position inside its municipality, free for about
//! half, published for nine in ten (the rest are drafts the directory must leave out). The
//! Friday-evening offers for 13–16 in Hässleholm are a realistic handful. Deterministic for a seed.

use std::time::Instant;

use anyhow::Context;
use brygga_domain::actors::{TARGET_GROUPS, THEMES};
use brygga_store::{Conn, ConnExt, Store, StoreResult, Value};
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

#[derive(Args, Debug, Clone)]
pub struct DirectoryArgs {
    /// Antal erbjudanden.
    #[arg(long, default_value_t = 10_000)]
    pub offers: u64,
    /// Slumpfrö: samma frö ger samma data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// What was written, printed as JSON by the command.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Generated {
    pub organisations: u64,
    pub offers: u64,
    pub published: u64,
    pub schedules: u64,
    pub seconds: f64,
}

pub async fn run(store: &Store, args: &DirectoryArgs) -> anyhow::Result<Generated> {
    anyhow::ensure!((1..=1_000_000).contains(&args.offers), "--offers måste vara mellan 1 och 1 000 000");
    let started = Instant::now();
    let args = args.clone();
    let now = brygga_store::now_ms();
    let mut out = store.write(move |db| write(db, &args, now)).await.context("katalogen kunde inte skrivas")?;
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

/// Writes everything in the caller's transaction.
pub fn write(db: &mut dyn Conn, args: &DirectoryArgs, now: i64) -> StoreResult<Generated> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let municipalities: Vec<(String, String)> =
        brygga_domain::geography::municipalities_in_county("12").map(|m| (m.code.to_owned(), m.name.to_owned())).collect();
    let org_count = args.offers.div_ceil(20);
    let mut orgs: Vec<(i64, String)> = Vec::new();
    for i in 0..org_count {
        // Hässleholm gets a fair share, so the signposting search has something to find.
        let (code, name) = if i % 6 == 0 {
            ("1293".to_owned(), "Hässleholm".to_owned())
        } else {
            municipalities[rng.random_range(0..municipalities.len())].clone()
        };
        let n = format!("Förening {i} i {name} (generated)");
        let id: i64 = db.scalar(
            "INSERT INTO organisations (name, name_key, kind, public_profile, created_at, updated_at) VALUES ($1, $2, 'civil_society', TRUE, $3, $3) RETURNING id",
            &[Value::Text(n.clone()), Value::Text(brygga_store::sort_key(&n)), Value::Int(now)],
        )?;
        db.execute(
            "INSERT INTO organisation_municipalities (org_id, municipality_code, status) VALUES ($1, $2, 'approved')",
            &[Value::Int(id), Value::Text(code.clone())],
        )?;
        db.execute(
            "INSERT INTO directory_profiles (org_id, themes, target_groups, languages, updated_at) VALUES ($1, ',idrott,', ',unga,', ',sv,', $2)",
            &[Value::Int(id), Value::Int(now)],
        )?;
        orgs.push((id, code));
    }
    let words = ["Fotboll", "Läxhjälp", "Öppen hall", "Musikstudio", "Tonårskväll", "Nattvandring", "Dans", "Schack", "Gaming", "Simning"];
    let (mut published, mut schedules) = (0, 0);
    for i in 0..args.offers {
        let (org_id, code) = &orgs[(i / 20) as usize];
        let extent = brygga_domain::geography::municipality_extent(code);
        let (lat, lon) = match extent {
            Some(e) => {
                let (clon, clat) = e.center();
                (clat + rng.random_range(-0.01..0.01), clon + rng.random_range(-0.01..0.01))
            }
            None => (56.0, 13.5),
        };
        let name = format!("{} {i}", words[rng.random_range(0..words.len())]);
        let age_from: i64 = rng.random_range(6..18);
        let age_to = age_from + rng.random_range(2..8);
        let theme = THEMES[rng.random_range(0..THEMES.len())].0;
        let group = TARGET_GROUPS[rng.random_range(0..3)].0;
        let free = rng.random_bool(0.5);
        let is_published = rng.random_bool(0.9);
        published += u64::from(is_published);
        let id: i64 = db.scalar(
            "INSERT INTO offers (org_id, name, name_key, description, age_from, age_to, themes, target_groups, municipality_code, place_name, lat, lon,
                free, cost_text, status, published, verification_interval_days, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'active', $15, 180, 1, $16, $16) RETURNING id",
            &[
                Value::Int(*org_id),
                Value::Text(name.clone()),
                Value::Text(brygga_store::sort_key(&name)),
                Value::Text("Genererat erbjudande för prestandamätning.".into()),
                Value::Int(age_from),
                Value::Int(age_to),
                Value::Text(format!(",{theme},")),
                Value::Text(format!(",{group},")),
                Value::Text(code.clone()),
                Value::Text(format!("Lokal {i}")),
                Value::Real(lat),
                Value::Real(lon),
                Value::Bool(free),
                if free { Value::Null } else { Value::Text("200 kr per termin".into()) },
                Value::Bool(is_published),
                Value::Int(now),
            ],
        )?;
        for _ in 0..rng.random_range(1..=3) {
            let day: i64 = rng.random_range(1..=7);
            let opens: i64 = rng.random_range(9..21);
            let closes = (opens + rng.random_range(1..4)).min(24);
            db.execute(
                "INSERT INTO offer_schedules (offer_id, weekday, opens_at, closes_at) VALUES ($1, $2, $3, $4)",
                &[Value::Int(id), Value::Int(day), Value::Text(format!("{opens:02}:00")), Value::Text(format!("{closes:02}:00"))],
            )?;
            schedules += 1;
        }
    }
    Ok(Generated { organisations: org_count, offers: args.offers, published, schedules, seconds: 0.0 })
}
