//! `brygga generate agreements`: every municipality of the country with agreements and years of
//! county-board assessments, for the county-table benchmark (`scripts/bench-agreements`,
//! BENCHMARKS.md "Agreements").
//!
//! Written straight into the tables of migration 0010 (and organisations, claims) with SQL
//! through the store's `Conn`, in one transaction, on either backend. The county board named by
//! `--org` gets an approved claim on every municipality (it oversees them all). Per municipality:
//! a municipality organisation, a samverkansöverenskommelse for each three-year period back over
//! `--years` (the last one current), a joint medborgarlöfte each year for two in three, and
//! `--snapshots-per-year` frozen snapshots of the county board's assessment against Brygga's
//! default checklist (baseline first, then follow-ups), each with every item. One police
//! organisation per county is the other party. Deterministic for a seed; the content is invented.

use std::time::Instant;

use anyhow::Context;
use brygga_domain::agreements::{Score, score_percent};
use brygga_store::agreements::checklists;
use brygga_store::{Conn, ConnExt, Store, StoreResult, Value};
use clap::Args;
use jiff::civil::Date;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

#[derive(Args, Debug, Clone)]
pub struct AgreementsArgs {
    /// Länsstyrelsens (organisationen av typ county_board) id eller exakta namn.
    #[arg(long)]
    pub org: String,
    /// År bakåt med överenskommelser och bedömningar.
    #[arg(long, default_value_t = 5)]
    pub years: i16,
    /// Mätningar per år och kommun.
    #[arg(long, default_value_t = 2)]
    pub snapshots_per_year: i64,
    /// Slumpfrö: samma frö ger samma data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// What was written, printed as JSON by the command.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Generated {
    pub municipalities: usize,
    pub agreements: usize,
    pub snapshots: usize,
    pub snapshot_items: usize,
    pub seconds: f64,
}

pub async fn run(store: &Store, args: &AgreementsArgs) -> anyhow::Result<Generated> {
    anyhow::ensure!((1..=20).contains(&args.years), "--years måste vara mellan 1 och 20");
    anyhow::ensure!((1..=12).contains(&args.snapshots_per_year), "--snapshots-per-year måste vara mellan 1 och 12");
    let name = args.org.clone();
    let org: Option<(i64, String)> = store
        .read(move |db| {
            let id = match name.parse::<i64>() {
                Ok(id) => db.scalar_opt::<i64>("SELECT id FROM organisations WHERE id = $1", &[Value::Int(id)])?,
                Err(_) => db.scalar_opt::<i64>("SELECT id FROM organisations WHERE name = $1", &[Value::Text(name)])?,
            };
            Ok(match id {
                Some(id) => Some((id, db.scalar("SELECT kind FROM organisations WHERE id = $1", &[Value::Int(id)])?)),
                None => None,
            })
        })
        .await?;
    let (county, kind) =
        org.ok_or_else(|| anyhow::anyhow!("hittar ingen organisation med id eller namn ”{}”; se brygga org list", args.org))?;
    anyhow::ensure!(kind == "county_board", "”{}” är ingen länsstyrelse (typ {kind}); skapa den med --kind county_board", args.org);
    let started = Instant::now();
    let args = args.clone();
    let today = brygga_domain::time::today();
    let mut out = store
        .write(move |db| write(db, &args, county, today, brygga_store::now_ms()))
        .await
        .context("överenskommelserna kunde inte skrivas")?;
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

fn days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).expect("in range")
}

/// Writes everything in the caller's transaction.
pub fn write(db: &mut dyn Conn, args: &AgreementsArgs, county: i64, today: Date, now: i64) -> StoreResult<Generated> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let set = checklists::default_set(db)?;
    let version = checklists::get(db, set)?.latest_version_id;
    let items = checklists::version(db, version)?.items;
    let municipalities: Vec<(String, String, String)> =
        db.map_all("SELECT code, name, county_code FROM municipalities ORDER BY code", &[], |r| {
            Ok((r.get("code")?, r.get("name")?, r.get("county_code")?))
        })?;
    // The county board oversees every municipality.
    for (code, _, _) in &municipalities {
        db.execute(
            "INSERT INTO organisation_municipalities (org_id, municipality_code, status) VALUES ($1, $2, 'approved') ON CONFLICT DO NOTHING",
            &[Value::Int(county), Value::Text(code.clone())],
        )?;
    }
    let mut police: Vec<(String, i64)> = Vec::new();
    let (mut agreements, mut snapshots, mut snapshot_items) = (0, 0, 0);
    let first_year = today.year() - args.years + 1;
    let mut item_rows: Vec<Vec<Value>> = Vec::new();
    for (code, name, county_code) in &municipalities {
        let police_id = match police.iter().find(|p| p.0 == *county_code) {
            Some(p) => p.1,
            None => {
                let n = format!("Polisen län {county_code} (generated)");
                let id: i64 = db.scalar(
                    "INSERT INTO organisations (name, name_key, kind, created_at, updated_at) VALUES ($1, $2, 'police', $3, $3) RETURNING id",
                    &[Value::Text(n.clone()), Value::Text(brygga_store::sort_key(&n)), Value::Int(now)],
                )?;
                police.push((county_code.clone(), id));
                id
            }
        };
        let n = format!("{name} kommun (generated)");
        let kommun: i64 = db.scalar(
            "INSERT INTO organisations (name, name_key, kind, created_at, updated_at) VALUES ($1, $2, 'municipality', $3, $3) RETURNING id",
            &[Value::Text(n.clone()), Value::Text(brygga_store::sort_key(&n)), Value::Int(now)],
        )?;
        db.execute(
            "INSERT INTO organisation_municipalities (org_id, municipality_code, status) VALUES ($1, $2, 'approved')",
            &[Value::Int(kommun), Value::Text(code.clone())],
        )?;
        let mut insert = |db: &mut dyn Conn, kind: &str, title: String, from: Date, to: Date| -> StoreResult<i64> {
            let id: i64 = db.scalar(
                "INSERT INTO agreements (kind, title, municipality_code, period_from, period_to, status, decided_by, decided_on, owner_org_id,
                    visibility, concluded_at, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 'concluded', 'Kommunstyrelsen', $6, $7, 'organisation', $8, 1, $8, $8) RETURNING id",
                &[
                    Value::Text(kind.into()),
                    Value::Text(title),
                    Value::Text(code.clone()),
                    Value::Text(from.to_string()),
                    Value::Text(to.to_string()),
                    Value::Text(days(from, -20).to_string()),
                    Value::Int(kommun),
                    Value::Int(now),
                ],
            )?;
            for org in [kommun, police_id] {
                db.execute(
                    "INSERT INTO agreement_parties (agreement_id, org_id, signed_on) VALUES ($1, $2, $3)",
                    &[Value::Int(id), Value::Int(org), Value::Text(days(from, -10).to_string())],
                )?;
            }
            agreements += 1;
            Ok(id)
        };
        // Samverkansöverenskommelser for three-year periods, the last one current.
        let mut current = 0;
        let mut y = first_year;
        while y <= today.year() {
            let from = Date::new(y, 1, 1).expect("valid");
            let to = Date::new(y + 2, 12, 31).expect("valid");
            current = insert(db, "cooperation_agreement", format!("Samverkansöverenskommelse {name} {y}–{}", y + 2), from, to)?;
            y += 3;
        }
        for y in first_year..=today.year() {
            if rng.random_range(0..3) < 2 {
                let from = Date::new(y, 1, 1).expect("valid");
                insert(db, "citizen_promise", format!("Medborgarlöfte {name} {y}"), from, Date::new(y, 12, 31).expect("valid"))?;
            }
        }
        // The county board's assessment and its snapshots, improving over time.
        let assessment: i64 = db.scalar(
            "INSERT INTO assessments (agreement_id, version_id, assessor_org_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
            &[Value::Int(current), Value::Int(version), Value::Int(county), Value::Int(now)],
        )?;
        let _ = assessment;
        let total = i64::from(args.years) * args.snapshots_per_year;
        for k in 0..total {
            let on = days(Date::new(first_year, 1, 15).expect("valid"), k * 365 / args.snapshots_per_year);
            if on > today {
                break;
            }
            let scores: Vec<Option<Score>> = items
                .iter()
                .map(|_| {
                    let level = rng.random_range(0..total + 4) + k;
                    Some(if level > total + 1 {
                        Score::Met
                    } else if level > total / 2 {
                        Score::Partly
                    } else {
                        Score::NotMet
                    })
                })
                .collect();
            let pct = score_percent(items.iter().zip(&scores).map(|(i, s)| (i.weight, *s)));
            let kind = if k == 0 { "baseline" } else { "follow_up" };
            let sid: i64 = db.scalar(
                "INSERT INTO assessment_snapshots (agreement_id, assessor_org_id, kind, label, taken_on, set_name, version_id, version_no, score_percent, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9) RETURNING id",
                &[
                    Value::Int(current),
                    Value::Int(county),
                    Value::Text(kind.into()),
                    Value::Text(format!("Mätning {}", k + 1)),
                    Value::Text(on.to_string()),
                    Value::Text(checklists::DEFAULT_NAME.into()),
                    Value::Int(version),
                    pct.map_or(Value::Null, Value::Real),
                    Value::Int(now),
                ],
            )?;
            snapshots += 1;
            for (i, (it, s)) in items.iter().zip(&scores).enumerate() {
                item_rows.push(vec![
                    Value::Int(sid),
                    Value::Text(it.key.clone()),
                    Value::Int(i as i64),
                    Value::Text(it.text.clone()),
                    Value::Real(it.weight),
                    s.map_or(Value::Null, |s| Value::Text(s.code().into())),
                    Value::Bool(false),
                ]);
            }
        }
    }
    snapshot_items += item_rows.len();
    db.bulk_insert(
        "snapshot_items",
        &["snapshot_id", "key", "position", "text", "weight", "score", "derived"],
        &mut item_rows.into_iter(),
    )?;
    Ok(Generated { municipalities: municipalities.len(), agreements, snapshots, snapshot_items, seconds: 0.0 })
}
