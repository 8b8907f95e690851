//! `brygga generate plan`: one large adopted åtgärdsplan for the plan benchmark
//! (`scripts/bench-plans`, BENCHMARKS.md "Plans").
//!
//! Written straight into the tables of migration 0008 with SQL through the store's `Conn`, in one
//! transaction, on either backend: a lägesbild with prioritised problems and causes; the plan
//! (adopted, version 1, decided by Kommunstyrelsen) with its parties; a goal tree (a tenth effect
//! goals, three tenths result goals each under an effect goal, the rest process goals each under
//! a result goal — 5 → 15 → 30 for 50 goals); indicators spread over the result goals with
//! baseline and target, each with `years × 12` monthly values; measures linked to goals and causes,
//! with partners and every status; and deviations on the delayed measures.
//!
//! Deterministic for a seed. The content is invented: no real places, people or events.

use std::time::Instant;

use anyhow::Context;
use brygga_store::plans::new_key;
use brygga_store::{Conn, ConnExt, DbError, Store, StoreResult, Value};
use clap::Args;
use jiff::ToSpan;
use jiff::civil::Date;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

#[derive(Args, Debug, Clone)]
pub struct PlanArgs {
    /// Kommunkod (fyra siffror), till exempel 1287 för Trelleborg.
    #[arg(long)]
    pub municipality: String,
    /// Den ägande organisationens id eller exakta namn.
    #[arg(long)]
    pub org: String,
    /// Antal mål (en tiondel effektmål, tre tiondelar resultatmål, resten processmål).
    #[arg(long, default_value_t = 50)]
    pub goals: usize,
    /// Antal insatser.
    #[arg(long, default_value_t = 200)]
    pub measures: usize,
    /// Antal indikatorer (fördelas över resultatmålen).
    #[arg(long, default_value_t = 100)]
    pub indicators: usize,
    /// År av månadsvärden per indikator.
    #[arg(long, default_value_t = 5)]
    pub years: usize,
    /// Antal avvikelser.
    #[arg(long, default_value_t = 20)]
    pub deviations: usize,
    /// Slumpfrö: samma frö ger samma plan.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// What was written, printed as JSON by the command.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GeneratedPlan {
    pub plan_id: i64,
    pub situation_id: i64,
    pub goals: usize,
    pub effect_goals: usize,
    pub result_goals: usize,
    pub process_goals: usize,
    pub indicators: usize,
    pub indicator_values: u64,
    pub measures: usize,
    pub measure_goals: usize,
    pub measure_causes: usize,
    pub measure_partners: usize,
    pub deviations: usize,
    pub parties: usize,
    pub seconds: f64,
}

const STATUSES: &[&str] = &["planned", "ongoing", "done", "delayed", "ongoing", "done", "cancelled", "ongoing"];
const BASES: &[&str] = &["evaluated_method", "documented_knowledge", "none"];
const INVOLVEMENT: &[&str] = &["co_creators", "consulted", "informed", "passive"];
const LEVELS: &[&str] = &["individual", "group", "area", "organisation", "municipality"];
const SIDES: &[&str] = &["offender", "target", "place"];
const THEMES: &[&str] = &[
    "Klotter och skadegörelse i centrum",
    "Otrygghet vid stationen kvällstid",
    "Inbrott i förråd och källare",
    "Ungdomar i riskmiljöer",
    "Narkotikaförsäljning i parken",
    "Våld i nattlivet",
    "Bedrägerier mot äldre",
];
const UNITS: &[&str] = &["antal", "procent", "antal per 1 000 invånare", "index"];

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn opt_int(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::Int)
}

fn insert_id(db: &mut dyn Conn, sql: &str, args: &[Value]) -> Result<i64, DbError> {
    db.scalar::<i64>(sql, args)
}

fn insert_goal(
    db: &mut dyn Conn,
    plan_id: i64,
    parent: Option<i64>,
    kind: &str,
    level: Option<&str>,
    n: usize,
    position: usize,
) -> Result<i64, DbError> {
    let title = match kind {
        "effect" => format!("Effektmål {}: {}", n + 1, THEMES[n % THEMES.len()].to_lowercase()),
        "result" => format!("Resultatmål {}: minskad förekomst på område {}", n + 1, n % 7 + 1),
        _ => format!("Processmål {}: samverkan och uppföljning {}", n + 1, n + 1),
    };
    insert_id(
        db,
        "INSERT INTO plan_goals (plan_id, key, parent_id, kind, title, description, level, weight, position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        &[
            Value::Int(plan_id),
            text(new_key()),
            opt_int(parent),
            text(kind),
            text(title),
            text("Syntetiskt mål för prestandamätning."),
            level.map_or(Value::Null, text),
            Value::Real(1.0 + (n % 3) as f64),
            Value::Int(position as i64),
        ],
    )
}

/// The organisation's id from its id or exact name, and that the municipality exists.
async fn resolve(store: &Store, municipality: &str, org: &str) -> anyhow::Result<i64> {
    let (code, name) = (municipality.to_owned(), org.to_owned());
    let (known, org_id): (i64, Option<i64>) = store
        .read(move |db| {
            let known = db.scalar::<i64>("SELECT COUNT(*) FROM municipalities WHERE code = $1", &[text(code)])?;
            let by_id = name.parse::<i64>().ok();
            let org_id = match by_id {
                Some(id) => db.scalar_opt::<i64>("SELECT id FROM organisations WHERE id = $1", &[Value::Int(id)])?,
                None => db.scalar_opt::<i64>("SELECT id FROM organisations WHERE name = $1", &[text(name)])?,
            };
            Ok((known, org_id))
        })
        .await?;
    anyhow::ensure!(known == 1, "okänd kommunkod ”{municipality}”: ange fyra siffror, till exempel 1287");
    org_id.ok_or_else(|| anyhow::anyhow!("hittar ingen organisation med id eller namn ”{org}”; se brygga org list"))
}

pub async fn run(store: &Store, args: &PlanArgs) -> anyhow::Result<GeneratedPlan> {
    anyhow::ensure!(args.goals >= 3, "--goals måste vara minst 3 (ett effektmål, ett resultatmål, ett processmål)");
    anyhow::ensure!(args.years >= 1 && args.years <= 20, "--years måste vara mellan 1 och 20");
    let owner = resolve(store, &args.municipality, &args.org).await?;
    let started = Instant::now();
    let today = brygga_domain::time::today();
    let (args, code) = (args.clone(), args.municipality.clone());
    let mut out = store
        .write(move |db| write_plan(db, &args, &code, owner, today, brygga_store::now_ms()))
        .await
        .context("planen kunde inte skrivas")?;
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

/// Writes the plan in the caller's transaction (`store.write`).
pub fn write_plan(db: &mut dyn Conn, args: &PlanArgs, code: &str, owner: i64, today: Date, now: i64) -> StoreResult<GeneratedPlan> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let year = i64::from(today.year());
    let municipality: String =
        db.scalar_opt("SELECT name FROM municipalities WHERE code = $1", &[text(code)])?.unwrap_or_else(|| code.to_owned());

    // The parties: the owner and up to three other organisations working in the municipality.
    let mut parties = vec![owner];
    parties.extend(db.scalars::<i64>(
        "SELECT org_id FROM organisation_municipalities WHERE municipality_code = $1 AND org_id <> $2 ORDER BY org_id LIMIT 3",
        &[text(code), Value::Int(owner)],
    )?);

    // The lägesbild the plan rests on: problems and their causes.
    let situation_id = insert_id(
        db,
        "INSERT INTO situations (lineage_id, version_no, kind, status, title, municipality_code, year, owner_org_id, visibility, \
         decided_by, decided_on, adopted_at, version, created_at, updated_at) \
         VALUES (0, 1, 'situation', 'adopted', $1, $2, $3, $4, 'organisation', 'Kommunstyrelsen', $5, $6, 1, $6, $6) RETURNING id",
        &[
            text(format!("Lägesbild {year} (syntetisk), {municipality}")),
            text(code),
            Value::Int(year),
            Value::Int(owner),
            text(format!("{year}-01-15")),
            Value::Int(now),
        ],
    )?;
    db.execute("UPDATE situations SET lineage_id = id WHERE id = $1", &[Value::Int(situation_id)])?;
    for org in &parties {
        db.execute("INSERT INTO situation_parties (situation_id, org_id) VALUES ($1, $2)", &[Value::Int(situation_id), Value::Int(*org)])?;
    }
    let mut causes = Vec::new();
    let problems = THEMES.len().min(5);
    for (p, theme) in THEMES.iter().take(problems).enumerate() {
        let problem = insert_id(
            db,
            "INSERT INTO situation_problems (situation_id, key, title, description, priority, position) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            &[
                Value::Int(situation_id),
                text(new_key()),
                text(*theme),
                text("Syntetiskt problem för prestandamätning."),
                Value::Int(p as i64 + 1),
            ],
        )?;
        for c in 0..3 {
            causes.push(insert_id(
                db,
                "INSERT INTO problem_causes (problem_id, key, title, triangle_side, influencer, factor, basis, certainty, position) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &[
                    Value::Int(problem),
                    text(new_key()),
                    text(format!("Orsak {} till problem {}", c + 1, p + 1)),
                    text(SIDES[c % SIDES.len()]),
                    text("Fastighetsägare"),
                    text(if c == 2 { "protective" } else { "risk" }),
                    text(["data", "research", "dialogue"][c % 3]),
                    text(["low", "medium", "high"][(p + c) % 3]),
                    Value::Int(c as i64),
                ],
            )?);
        }
    }

    // The plan.
    let (period_from, period_to) = (format!("{year}-01-01"), format!("{}-12-31", year + 1));
    let plan_id = insert_id(
        db,
        "INSERT INTO action_plans (lineage_id, version_no, status, title, municipality_code, period_from, period_to, situation_id, \
         owner_org_id, visibility, decided_by, decided_on, decision_ref, adopted_at, version, created_at, updated_at) \
         VALUES (0, 1, 'adopted', $1, $2, $3, $4, $5, $6, 'organisation', 'Kommunstyrelsen', $7, $8, $9, 1, $9, $9) RETURNING id",
        &[
            text(format!("Åtgärdsplan {year}–{} (syntetisk), {municipality}", year + 1)),
            text(code),
            text(period_from.clone()),
            text(period_to.clone()),
            Value::Int(situation_id),
            Value::Int(owner),
            text(format!("{year}-02-10")),
            text(format!("KS {year}/{}", rng.random_range(100..999))),
            Value::Int(now),
        ],
    )?;
    db.execute("UPDATE action_plans SET lineage_id = id WHERE id = $1", &[Value::Int(plan_id)])?;
    for org in &parties {
        db.execute("INSERT INTO plan_parties (plan_id, org_id) VALUES ($1, $2)", &[Value::Int(plan_id), Value::Int(*org)])?;
    }

    // The goal tree.
    let effects = (args.goals / 10).max(1);
    let results = (args.goals * 3 / 10).max(1);
    let processes = args.goals - effects - results;
    let mut effect_ids = Vec::new();
    for n in 0..effects {
        effect_ids.push(insert_goal(db, plan_id, None, "effect", None, n, n)?);
    }
    let mut result_ids = Vec::new();
    for n in 0..results {
        result_ids.push(insert_goal(db, plan_id, Some(effect_ids[n % effects]), "result", Some(LEVELS[n % LEVELS.len()]), n, effects + n)?);
    }
    let mut process_ids = Vec::new();
    for n in 0..processes {
        process_ids.push(insert_goal(db, plan_id, Some(result_ids[n % results]), "process", None, n, effects + results + n)?);
    }
    for (n, g) in effect_ids.iter().enumerate() {
        let problem: Option<i64> = db.scalar_opt(
            "SELECT id FROM situation_problems WHERE situation_id = $1 AND position = $2",
            &[Value::Int(situation_id), Value::Int((n % problems) as i64 + 1)],
        )?;
        if let Some(problem) = problem {
            db.execute("INSERT INTO goal_problems (goal_id, problem_id) VALUES ($1, $2)", &[Value::Int(*g), Value::Int(problem)])?;
        }
    }

    // Indicators and their monthly values, ending with the current month.
    let months = (args.years * 12) as i64;
    let last = today.first_of_month();
    let first = last.checked_sub((months - 1).months()).map_err(|e| DbError::Other(e.to_string()))?;
    let mut values: Vec<Vec<Value>> = Vec::with_capacity(args.indicators * months as usize);
    for n in 0..args.indicators {
        let decrease = n % 3 != 2;
        let level = rng.random_range(20.0..400.0_f64);
        let series: Vec<f64> = (0..months)
            .map(|m| {
                let trend = if decrease { 1.0 - 0.004 * m as f64 } else { 1.0 + 0.004 * m as f64 };
                let season = 1.0 + 0.15 * ((m % 12) as f64 / 12.0 * std::f64::consts::TAU).sin();
                (level * trend * season * rng.random_range(0.9..1.1)).round()
            })
            .collect();
        let baseline = series[0];
        let target = if decrease { (baseline * 0.8).round() } else { (baseline * 1.2).round() };
        let indicator = insert_id(
            db,
            "INSERT INTO plan_indicators (plan_id, key, goal_id, name, source, manual_source, unit, direction, baseline_value, \
             baseline_on, baseline_computed, baseline_source, target_value, target_on, frequency, position) \
             VALUES ($1, $2, $3, $4, 'manual', $5, $6, $7, $8, $9, $10, $11, $12, $13, 'monthly', $14) RETURNING id",
            &[
                Value::Int(plan_id),
                text(new_key()),
                Value::Int(result_ids[n % results]),
                text(format!("Indikator {}: {}", n + 1, THEMES[n % THEMES.len()].to_lowercase())),
                text("Syntetisk källa (prestandamätning)"),
                text(UNITS[n % UNITS.len()]),
                text(if decrease { "decrease" } else { "increase" }),
                Value::Real(baseline),
                text(first.to_string()),
                Value::Bool(false),
                text("Syntetisk källa (prestandamätning)"),
                Value::Real(target),
                text(period_to.clone()),
                Value::Int(n as i64),
            ],
        )?;
        for (m, v) in series.into_iter().enumerate() {
            let period = first.checked_add((m as i64).months()).map_err(|e| DbError::Other(e.to_string()))?;
            values.push(vec![
                Value::Int(indicator),
                text(period.to_string()),
                Value::Real(v),
                text("entered"),
                text("Syntetisk källa"),
                Value::Null,
                Value::Int(now),
            ]);
        }
    }
    let indicator_values = db.bulk_insert(
        "indicator_values",
        &["indicator_id", "period", "value", "origin", "note", "entered_by_user_id", "created_at"],
        &mut values.into_iter(),
    )?;

    // Measures with goals, causes and partners.
    let (mut measure_goals, mut measure_causes, mut measure_partners) = (0, 0, 0);
    let mut delayed = Vec::new();
    for n in 0..args.measures {
        let status = STATUSES[n % STATUSES.len()];
        let start = year;
        let (start_on, end_on) = (format!("{start}-{:02}-01", n % 12 + 1), format!("{}-{:02}-28", start + 1, n % 12 + 1));
        let responsible = parties[n % parties.len()];
        let measure = insert_id(
            db,
            "INSERT INTO plan_measures (plan_id, key, title, description, responsible_org_id, start_on, end_on, resources, status, \
             status_note, no_police_powers, basis, basis_note, involvement, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            &[
                Value::Int(plan_id),
                text(new_key()),
                text(format!(
                    "Insats {}: {}",
                    n + 1,
                    ["trygghetsvandring", "klottersanering", "belysning", "föräldravandring", "grannsamverkan"][n % 5]
                )),
                text("Syntetisk insats för prestandamätning."),
                Value::Int(responsible),
                text(start_on),
                text(end_on),
                text(format!("{} timmar per månad", 10 + n % 40)),
                text(status),
                if status == "delayed" { text("Försenad i väntan på beslut.") } else { Value::Null },
                Value::Bool(n % 4 != 0),
                text(BASES[n % BASES.len()]),
                if BASES[n % BASES.len()] == "none" { Value::Null } else { text("Brå:s kunskapsöversikt") },
                // Some measures leave the recipients' involvement open, as real plans do.
                if n % 9 == 8 { Value::Null } else { text(INVOLVEMENT[n % INVOLVEMENT.len()]) },
                Value::Int(n as i64),
            ],
        )?;
        if status == "delayed" {
            delayed.push(measure);
        }
        // Most measures serve a process goal and its result goal; every tenth serves nothing yet.
        if n % 10 != 9 {
            let process = process_ids.get(n % processes.max(1)).copied();
            let linked = match process {
                Some(p) => vec![p, result_ids[(n % processes.max(1)) % results]],
                None => vec![result_ids[n % results]],
            };
            for g in linked {
                db.execute("INSERT INTO measure_goals (measure_id, goal_id) VALUES ($1, $2)", &[Value::Int(measure), Value::Int(g)])?;
                measure_goals += 1;
            }
        }
        if n % 7 != 6 && !causes.is_empty() {
            db.execute(
                "INSERT INTO measure_causes (measure_id, cause_id) VALUES ($1, $2)",
                &[Value::Int(measure), Value::Int(causes[n % causes.len()])],
            )?;
            measure_causes += 1;
        }
        for org in parties.iter().filter(|o| **o != responsible).take(1 + n % 2) {
            db.execute("INSERT INTO measure_partners (measure_id, org_id) VALUES ($1, $2)", &[Value::Int(measure), Value::Int(*org)])?;
            measure_partners += 1;
        }
    }

    // Deviations, on the delayed measures first.
    for n in 0..args.deviations {
        let measure = if delayed.is_empty() { None } else { Some(delayed[n % delayed.len()]) };
        db.execute(
            "INSERT INTO plan_deviations (plan_id, key, measure_id, what, why, consequence, correction, decided_by, decided_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            &[
                Value::Int(plan_id),
                text(new_key()),
                opt_int(measure),
                text(format!("Avvikelse {}: insatsen startade senare än planerat", n + 1)),
                text("Personalbrist under sommaren."),
                text("Effekten väntas senare."),
                if n % 4 == 3 { Value::Null } else { text("Ny startmånad och förstärkning från partnern.") },
                text("Styrgruppen"),
                text(format!("{year}-{:02}-15", n % 12 + 1)),
                Value::Int(now),
            ],
        )?;
    }

    Ok(GeneratedPlan {
        plan_id,
        situation_id,
        goals: effects + results + processes,
        effect_goals: effects,
        result_goals: results,
        process_goals: processes,
        indicators: args.indicators,
        indicator_values,
        measures: args.measures,
        measure_goals,
        measure_causes,
        measure_partners,
        deviations: args.deviations,
        parties: parties.len(),
        seconds: 0.0,
    })
}
