//! `brygga generate interventions`: many interventions over the country's municipalities, for
//! the overlap benchmark (`scripts/bench-overlap`, BENCHMARKS.md "Interventions: overlap").
//!
//! Written straight into the tables of migration 0013 with SQL through the store's `Conn`, in
//! one transaction, on either backend, in batches of multi-row INSERTs with explicit ids. One
//! generated owner organisation per municipality. Titles and descriptions are assembled from
//! word pools (so stems overlap as real ones do), periods within three years, ages, themes and
//! target groups at random; every intervention's term set is stemmed as the store would.
//! Deterministic for a seed; the content is invented.
//!
//! After writing, the command times the overlap check ([`overlap::check`]: prefilter in SQL,
//! score in Rust) of `--samples` interventions drawn at random, each in its own read
//! transaction as a command would, and reports the times in milliseconds.

use std::time::Instant;

use anyhow::Context;
use brygga_domain::actors::{TARGET_GROUPS, THEMES};
use brygga_domain::words;
use brygga_store::actors::overlap;
use brygga_store::{Conn, ConnExt, Dialect, Store, StoreResult, Value};
use clap::Args;
use jiff::civil::Date;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

#[derive(Args, Debug, Clone)]
pub struct InterventionsArgs {
    /// Antal insatser.
    #[arg(long, default_value_t = 100_000)]
    pub count: usize,
    /// Över hur många kommuner insatserna fördelas (de första i kodordning; 290 = hela landet).
    #[arg(long, default_value_t = 290)]
    pub municipalities: usize,
    /// Antal insatser vars överlappskontroll tidmäts efteråt.
    #[arg(long, default_value_t = 50)]
    pub samples: usize,
    /// Slumpfrö: samma frö ger samma data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// What was written and measured, printed as JSON by the command.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Generated {
    pub interventions: usize,
    pub municipalities: usize,
    pub write_seconds: f64,
    /// Candidates after the SQL prefilter, median over the samples.
    pub candidates_p50: usize,
    /// Hints found per check, median.
    pub hints_p50: usize,
    pub check_ms_p50: f64,
    pub check_ms_p95: f64,
    pub check_ms_max: f64,
}

const ACTIVITIES: &[&str] = &[
    "Fotboll",
    "Kvällsfotboll",
    "Läxhjälp",
    "Nattvandring",
    "Föräldraträffar",
    "Simskola",
    "Kodklubb",
    "Dans",
    "Boxning",
    "Öppen fritidsgård",
    "Samtalsgrupp",
    "Mentorprogram",
    "Sommarjobb",
    "Musikstudio",
    "Friluftsdag",
    "Basket",
    "Gatuidrott",
    "Språkcafé",
];
const WHEN: &[&str] =
    &["fredag kväll", "på lovet", "varje tisdag", "efter skolan", "på helgen", "varje vecka", "på sommarlovet", "på kvällstid"];
const FOR: &[&str] =
    &["för unga", "för tonåringar", "för föräldrar", "för barn", "för unga vuxna", "för nyanlända", "för tjejer", "för killar"];
const WHERE: &[&str] =
    &["i Centrum", "i Östra", "vid skolan", "i parken", "vid resecentrum", "i hamnen", "på biblioteket", "i idrottshallen"];
const SENTENCES: &[&str] = &[
    "Ledare och vuxna finns på plats hela kvällen.",
    "Ingen anmälan och ingen avgift.",
    "Samarbete med skolan och fältgruppen.",
    "Vi bjuder på fika efteråt.",
    "Målet är att minska oro och skapa trygga mötesplatser.",
    "Verksamheten bygger på frivilliga ledare från föreningen.",
    "Unga är med och planerar aktiviteterna.",
    "Föräldrar bjuds in till en träff varje termin.",
    "Insatsen följs upp med enkäter till deltagarna.",
    "Lokalen är tillgänglig och ligger nära bussen.",
];

fn days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).expect("in range")
}

fn pick<'a, T>(rng: &mut StdRng, list: &'a [T]) -> &'a T {
    &list[rng.random_range(0..list.len())]
}

pub async fn run(store: &Store, args: &InterventionsArgs) -> anyhow::Result<Generated> {
    anyhow::ensure!((1..=2_000_000).contains(&args.count), "--count måste vara mellan 1 och 2 000 000");
    anyhow::ensure!((1..=290).contains(&args.municipalities), "--municipalities måste vara mellan 1 och 290");
    let started = Instant::now();
    let a = args.clone();
    let today = brygga_domain::time::today();
    let (first, last, munis) =
        store.write(move |db| write(db, &a, today, brygga_store::now_ms())).await.context("insatserna kunde inte skrivas")?;
    let write_seconds = started.elapsed().as_secs_f64();
    let mut rng = StdRng::seed_from_u64(args.seed ^ 0x5eed);
    let (mut times, mut candidates, mut hints) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..args.samples {
        let id = rng.random_range(first..=last);
        let t = Instant::now();
        let found = store.read(move |db| overlap::check(db, id)).await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        hints.push(found.len());
        candidates.push(store.read(move |db| overlap::candidates(db, id)).await?);
    }
    times.sort_by(f64::total_cmp);
    candidates.sort_unstable();
    hints.sort_unstable();
    let at = |q: f64| times.get(((times.len() as f64 * q).ceil() as usize).saturating_sub(1)).copied().unwrap_or(0.0);
    Ok(Generated {
        interventions: (last - first + 1) as usize,
        municipalities: munis,
        write_seconds,
        candidates_p50: candidates.get(candidates.len() / 2).copied().unwrap_or(0),
        hints_p50: hints.get(hints.len() / 2).copied().unwrap_or(0),
        check_ms_p50: at(0.5),
        check_ms_p95: at(0.95),
        check_ms_max: times.last().copied().unwrap_or(0.0),
    })
}

/// Writes everything in the caller's transaction; returns the first and last id written and
/// the number of municipalities used.
pub fn write(db: &mut dyn Conn, args: &InterventionsArgs, today: Date, now: i64) -> StoreResult<(i64, i64, usize)> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let codes: Vec<String> = db.scalars("SELECT code FROM municipalities ORDER BY code", &[])?;
    let codes: Vec<String> = codes.into_iter().take(args.municipalities).collect();
    let mut owners = Vec::new();
    for code in &codes {
        let n = format!("Insatsägare {code} (generated)");
        let id: i64 = db.scalar(
            "INSERT INTO organisations (name, name_key, kind, created_at, updated_at) VALUES ($1, $2, 'civil_society', $3, $3) RETURNING id",
            &[Value::Text(n.clone()), Value::Text(brygga_store::sort_key(&n)), Value::Int(now)],
        )?;
        db.execute(
            "INSERT INTO organisation_municipalities (org_id, municipality_code, status) VALUES ($1, $2, 'approved')",
            &[Value::Int(id), Value::Text(code.clone())],
        )?;
        owners.push(id);
    }
    let first: i64 = db.scalar::<i64>("SELECT COALESCE(MAX(id), 0) FROM interventions", &[])? + 1;
    const BATCH: usize = 200;
    const COLUMNS: usize = 16;
    let mut id = first;
    let mut left = args.count;
    while left > 0 {
        let n = left.min(BATCH);
        let mut rows = Vec::with_capacity(n);
        let mut values: Vec<Value> = Vec::with_capacity(n * COLUMNS);
        let mut links: Vec<Value> = Vec::with_capacity(n * 2);
        for _ in 0..n {
            let m = rng.random_range(0..codes.len());
            let title =
                format!("{} {} {} {}", pick(&mut rng, ACTIVITIES), pick(&mut rng, WHEN), pick(&mut rng, FOR), pick(&mut rng, WHERE));
            let description = (0..3).map(|_| *pick(&mut rng, SENTENCES)).collect::<Vec<_>>().join(" ");
            let terms = words::term_set(&format!("{title}\n{description}")).join(" ");
            let from = days(today, rng.random_range(-900..365));
            let to = (rng.random_range(0..5) > 0).then(|| days(from, rng.random_range(14..720)));
            let ages = if rng.random_range(0..6) == 0 {
                (None, None)
            } else {
                let a = rng.random_range(6..20);
                (Some(a), Some(a + rng.random_range(1..8)))
            };
            let themes: Vec<&str> = (0..rng.random_range(1..3))
                .map(|_| pick(&mut rng, THEMES).0)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let groups: Vec<&str> = (0..rng.random_range(1..3))
                .map(|_| pick(&mut rng, TARGET_GROUPS).0)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let status = if to.is_some_and(|t| t < today) { "ended" } else { "ongoing" };
            let p = values.len();
            rows.push(format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, 'organisation', ${}, ${}, 1)",
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6,
                p + 7,
                p + 8,
                p + 9,
                p + 10,
                p + 11,
                p + 12,
                p + 13,
                p + 14,
                p + 15,
                p + 16
            ));
            values.extend([
                Value::Int(id),
                Value::Text(title),
                Value::Text(description),
                Value::Int(owners[m]),
                Value::Text(from.to_string()),
                to.map_or(Value::Null, |t| Value::Text(t.to_string())),
                Value::Text("weekly".into()),
                ages.0.map_or(Value::Null, Value::Int),
                ages.1.map_or(Value::Null, Value::Int),
                Value::Text(themes.join(" ")),
                Value::Text(groups.join(" ")),
                Value::Text(terms),
                Value::Text(status.into()),
                Value::Bool(rng.random_range(0..2) == 0),
                Value::Int(now),
                Value::Int(now),
            ]);
            links.extend([Value::Int(id), Value::Text(codes[m].clone())]);
            id += 1;
        }
        db.execute(
            &format!(
                "INSERT INTO interventions (id, title, description, owner_org_id, period_from, period_to, recurrence, age_from, age_to, themes,
                    target_groups, terms, status, discoverable, visibility, created_at, updated_at, version) VALUES {}",
                rows.join(", ")
            ),
            &values,
        )?;
        let link_rows: Vec<String> = (0..n).map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2)).collect();
        db.execute(
            &format!("INSERT INTO intervention_municipalities (intervention_id, municipality_code) VALUES {}", link_rows.join(", ")),
            &links,
        )?;
        left -= n;
    }
    if db.dialect() == Dialect::Postgres {
        db.execute("SELECT setval(pg_get_serial_sequence('interventions', 'id'), (SELECT MAX(id) FROM interventions))", &[])?;
    }
    Ok((first, id - 1, codes.len()))
}
