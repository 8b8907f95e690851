//! `brygga generate programme`: one large regional programme for the steering benchmark
//! (`scripts/bench-steering`, BENCHMARKS.md "Steering report").
//!
//! Written straight into the tables of migration 0009 (and the plans tables of 0008) with SQL
//! through the store's `Conn`, in one transaction, on either backend: the programme owned by
//! `--org` with every other organisation in the database as a party; `--groups` development areas
//! each with a working group (the owner convenes three in five, the evaluation's finding) and its
//! members (every third without a stated mandate or working time); for each group one activity
//! plan version per half-year (`--half-years`, ending with the current one) — earlier versions
//! adopted then superseded, the last quality-assured and awaiting the steering group — each with a
//! result goal measured by a manual indicator with half-yearly values, a second result goal
//! without an indicator in every fourth group (unmeasurable), a process goal, its share of the
//! `--activities` in every status, and a deviation; the steering group, two meetings per half-year
//! with generated-looking agendas and five decisions each (every other an uppdrag), and
//! `--deliverables` products, every fifth delivered and never distributed.
//!
//! Deterministic for a seed. The content is invented: no real places, people or events.

use std::time::Instant;

use anyhow::Context;
use brygga_store::plans::new_key;
use brygga_store::programmes::HalfYear;
use brygga_store::{Conn, ConnExt, Store, StoreResult, Value};
use clap::Args;
use jiff::ToSpan;
use jiff::civil::Date;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

#[derive(Args, Debug, Clone)]
pub struct ProgrammeArgs {
    /// Den ägande organisationens id eller exakta namn (alla andra organisationer blir parter).
    #[arg(long)]
    pub org: String,
    /// Antal arbetsgrupper (utvecklingsområden).
    #[arg(long, default_value_t = 10)]
    pub groups: usize,
    /// Antal aktiviteter totalt, fördelade över grupper och halvår.
    #[arg(long, default_value_t = 400)]
    pub activities: usize,
    /// Antal halvår med aktivitetsplaner, till och med innevarande.
    #[arg(long, default_value_t = 4)]
    pub half_years: usize,
    /// Antal leveranser.
    #[arg(long, default_value_t = 20)]
    pub deliverables: usize,
    /// Slumpfrö: samma frö ger samma program.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// What was written, printed as JSON by the command.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GeneratedProgramme {
    pub programme_id: i64,
    /// The half-years with plans, oldest first (`2026H1`).
    pub half_years: Vec<String>,
    pub groups: usize,
    pub plans: usize,
    pub activities: usize,
    pub meetings: usize,
    pub decisions: usize,
    pub deliverables: usize,
    pub seconds: f64,
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

pub async fn run(store: &Store, args: &ProgrammeArgs) -> anyhow::Result<GeneratedProgramme> {
    anyhow::ensure!((1..=100).contains(&args.groups), "--groups måste vara mellan 1 och 100");
    anyhow::ensure!((1..=20).contains(&args.half_years), "--half-years måste vara mellan 1 och 20");
    let name = args.org.clone();
    let owner: Option<i64> = store
        .read(move |db| {
            Ok(match name.parse::<i64>() {
                Ok(id) => db.scalar_opt("SELECT id FROM organisations WHERE id = $1", &[Value::Int(id)])?,
                Err(_) => db.scalar_opt("SELECT id FROM organisations WHERE name = $1", &[text(name)])?,
            })
        })
        .await?;
    let owner = owner.ok_or_else(|| anyhow::anyhow!("hittar ingen organisation med id eller namn ”{}”; se brygga org list", args.org))?;
    let started = Instant::now();
    let today = brygga_domain::time::today();
    let a = args.clone();
    let mut out = store
        .write(move |db| write_programme(db, &a, owner, today, brygga_store::now_ms()))
        .await
        .context("programmet kunde inte skrivas")?;
    store.write(|db| Ok(db.execute_batch("ANALYZE")?)).await?;
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

const STATUSES: [&str; 5] = ["done", "done", "ongoing", "planned", "delayed"];

/// Writes the programme in the caller's transaction (`store.write`).
pub fn write_programme(db: &mut dyn Conn, args: &ProgrammeArgs, owner: i64, today: Date, now: i64) -> StoreResult<GeneratedProgramme> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let current = HalfYear::of(today);
    let mut halves = vec![current];
    while halves.len() < args.half_years {
        let first = halves[0];
        let prev = if first.half == 1 { HalfYear { year: first.year - 1, half: 2 } } else { HalfYear { year: first.year, half: 1 } };
        halves.insert(0, prev);
    }
    let others: Vec<i64> = db.scalars("SELECT id FROM organisations WHERE id <> $1 ORDER BY id", &[Value::Int(owner)])?;
    let programme: i64 = db.scalar(
        "INSERT INTO programmes (title, scope, county_code, owner_org_id, period_from, period_to, declaration, visibility, created_at, updated_at)
         VALUES ($1, 'regional', '12', $2, $3, $4, 'Syntetisk programförklaring för prestandamätning.', 'organisation', $5, $5) RETURNING id",
        &[
            text(format!("Syntetiskt program {}", args.seed)),
            Value::Int(owner),
            text(halves[0].start().to_string()),
            text(current.end().checked_add(1.year()).unwrap_or(current.end()).to_string()),
            Value::Int(now),
        ],
    )?;
    for (i, org) in std::iter::once(owner).chain(others.iter().copied()).enumerate() {
        db.execute(
            "INSERT INTO programme_signatories (programme_id, org_id, signed_by, signed_on, position) VALUES ($1, $2, 'Syntetisk undertecknare', $3, $4)",
            &[Value::Int(programme), Value::Int(org), text(halves[0].start().to_string()), Value::Int(i as i64 + 1)],
        )?;
        db.execute(
            "INSERT INTO steering_members (programme_id, org_id, representative, role) VALUES ($1, $2, 'Syntetisk representant', $3)",
            &[Value::Int(programme), Value::Int(org), text(if i == 0 { "chair" } else { "member" })],
        )?;
    }

    let per_plan = (args.activities / (args.groups * halves.len())).max(1);
    let mut extra = args.activities.saturating_sub(per_plan * args.groups * halves.len());
    let (mut plans, mut activities) = (0, 0);
    let mut group_ids = Vec::new();
    for g in 0..args.groups {
        let area: i64 = db.scalar(
            "INSERT INTO programme_areas (programme_id, title, position) VALUES ($1, $2, $3) RETURNING id",
            &[Value::Int(programme), text(format!("Utvecklingsområde {}", g + 1)), Value::Int(g as i64 + 1)],
        )?;
        let convener = if g % 5 < 3 || others.is_empty() { owner } else { others[g % others.len()] };
        let group: i64 = db.scalar(
            "INSERT INTO working_groups (programme_id, area_id, name, convener_org_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            &[Value::Int(programme), Value::Int(area), text(format!("Arbetsgrupp {}", g + 1)), Value::Int(convener), Value::Int(now)],
        )?;
        group_ids.push(group);
        let mut members = vec![owner];
        members.extend(others.iter().copied().skip(g % others.len().max(1)).take(3));
        if !members.contains(&convener) {
            members.push(convener);
        }
        for (k, org) in members.iter().enumerate() {
            let stated = (g + k) % 3 != 0;
            db.execute(
                "INSERT INTO working_group_members (group_id, org_id, representative, mandate, hours_per_month) VALUES ($1, $2, $3, $4, $5)",
                &[
                    Value::Int(group),
                    Value::Int(*org),
                    text(format!("Representant {}", k + 1)),
                    if stated { text("Beslutar om organisationens medverkan") } else { Value::Null },
                    if stated { Value::from(8.0) } else { Value::Null },
                ],
            )?;
        }
        let mut lineage = 0i64;
        for (n, h) in halves.iter().enumerate() {
            let last = n + 1 == halves.len();
            let status = if last {
                "draft"
            } else if n + 2 == halves.len() {
                "adopted"
            } else {
                "superseded"
            };
            let state = if last { "quality_assured" } else { "adopted" };
            let plan: i64 = db.scalar(
                "INSERT INTO action_plans (lineage_id, version_no, status, title, kind, period_from, period_to, owner_org_id, visibility,
                    decided_by, decided_on, adopted_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'activity', $5, $6, $7, 'organisation', $8, $9, $10, $11, $11) RETURNING id",
                &[
                    Value::Int(lineage),
                    Value::Int(n as i64 + 1),
                    text(status),
                    text(format!("Aktivitetsplan Arbetsgrupp {} {h}", g + 1)),
                    text(h.start().to_string()),
                    text(h.end().to_string()),
                    Value::Int(owner),
                    if last { Value::Null } else { text("Styrgruppen") },
                    if last { Value::Null } else { text(h.start().to_string()) },
                    if last { Value::Null } else { Value::Int(now) },
                    Value::Int(now),
                ],
            )?;
            if lineage == 0 {
                lineage = plan;
                db.execute("UPDATE action_plans SET lineage_id = $1 WHERE id = $1", &[Value::Int(plan)])?;
                db.execute("UPDATE working_groups SET plan_lineage_id = $1 WHERE id = $2", &[Value::Int(plan), Value::Int(group)])?;
            }
            for org in &members {
                db.execute("INSERT INTO plan_parties (plan_id, org_id) VALUES ($1, $2)", &[Value::Int(plan), Value::Int(*org)])?;
            }
            db.execute(
                "INSERT INTO activity_plans (plan_id, group_id, half_year, state, updated_at) VALUES ($1, $2, $3, $4, $5)",
                &[Value::Int(plan), Value::Int(group), text(h.to_string()), text(state), Value::Int(now)],
            )?;
            plans += 1;
            let goal = |db: &mut dyn Conn, key: &str, kind: &str, title: String, pos: i64| -> StoreResult<i64> {
                Ok(db.scalar(
                    "INSERT INTO plan_goals (plan_id, key, kind, title, level, weight, position) VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
                    &[
                        Value::Int(plan),
                        text(key),
                        text(kind),
                        text(title),
                        if kind == "result" { text("organisation") } else { Value::Null },
                        Value::Int(pos),
                    ],
                )?)
            };
            let result = goal(db, "g1", "result", format!("Fler kommuner arbetar enligt metoden (grupp {})", g + 1), 1)?;
            let indicator: i64 = db.scalar(
                "INSERT INTO plan_indicators (plan_id, key, goal_id, name, source, manual_source, unit, direction, baseline_value, baseline_on,
                    target_value, target_on, frequency, position)
                 VALUES ($1, 'i1', $2, 'Andel kommuner', 'manual', 'Arbetsgruppens uppföljning', 'procent', 'increase', 10, $3, 60, $4, 'half_yearly', 1) RETURNING id",
                &[Value::Int(plan), Value::Int(result), text(halves[0].start().to_string()), text(current.end().to_string())],
            )?;
            for (k, hv) in halves.iter().take(n + 1).enumerate() {
                if *hv > current || hv.start() > today {
                    continue;
                }
                db.execute(
                    "INSERT INTO indicator_values (indicator_id, period, value, origin, note, created_at) VALUES ($1, $2, $3, 'entered', 'Syntetiskt', $4)",
                    &[Value::Int(indicator), text(hv.start().to_string()), Value::from(10.0 + 5.0 * k as f64 + rng.random_range(0.0..3.0)), Value::Int(now)],
                )?;
            }
            let mut goals = vec![result];
            if g % 4 == 3 {
                goals.push(goal(db, "g2", "result", "Samverkan blir bättre".into(), 2)?);
            }
            goals.push(goal(db, "g3", "process", "Gruppen möts varje månad".into(), 3)?);
            let count = per_plan + usize::from(extra > 0);
            extra = extra.saturating_sub(1);
            for m in 0..count {
                let status = STATUSES[(m + g + n) % STATUSES.len()];
                let responsible = members[m % members.len()];
                let measure: i64 = db.scalar(
                    "INSERT INTO plan_measures (plan_id, key, title, responsible_org_id, start_on, end_on, status, basis, involvement, position)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'documented_knowledge', 'consulted', $8) RETURNING id",
                    &[
                        Value::Int(plan),
                        text(new_key()),
                        text(format!("Aktivitet {} i grupp {}", m + 1, g + 1)),
                        Value::Int(responsible),
                        text(h.start().to_string()),
                        text(h.end().to_string()),
                        text(status),
                        Value::Int(m as i64 + 1),
                    ],
                )?;
                db.execute(
                    "INSERT INTO measure_goals (measure_id, goal_id) VALUES ($1, $2)",
                    &[Value::Int(measure), Value::Int(goals[m % goals.len()])],
                )?;
                activities += 1;
                if status == "delayed" && m % 2 == 0 {
                    db.execute(
                        "INSERT INTO plan_deviations (plan_id, key, measure_id, what, why, correction, created_at, updated_at)
                         VALUES ($1, $2, $3, 'Aktiviteten försenades', 'Resurser saknades', $4, $5, $5)",
                        &[
                            Value::Int(plan),
                            text(new_key()),
                            Value::Int(measure),
                            if m % 4 == 0 { text("Ny tidplan") } else { Value::Null },
                            Value::Int(now),
                        ],
                    )?;
                }
            }
        }
    }
    let parties: Vec<i64> = std::iter::once(owner).chain(others.iter().copied()).collect();
    for org in &parties {
        db.execute("INSERT INTO programme_parties (programme_id, org_id) VALUES ($1, $2)", &[Value::Int(programme), Value::Int(*org)])?;
    }

    // Two meetings a half-year, five decisions each; agenda items.
    let (mut meetings, mut decisions) = (0, 0);
    for h in &halves {
        for (k, offset) in [(0, 30), (1, 150)] {
            let on = h.start().checked_add(offset.days()).unwrap_or(h.start());
            let held = on <= today;
            let meeting: i64 = db.scalar(
                "INSERT INTO steering_meetings (programme_id, held_on, half_year, title, location, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'Malmö', $5, $6, $6) RETURNING id",
                &[
                    Value::Int(programme),
                    text(on.to_string()),
                    text(h.to_string()),
                    text(format!("Styrgruppsmöte {} {}", k + 1, h)),
                    text(if held { "held" } else { "planned" }),
                    Value::Int(now),
                ],
            )?;
            meetings += 1;
            for (p, g) in group_ids.iter().enumerate().take(6) {
                db.execute(
                    "INSERT INTO steering_agenda_items (meeting_id, position, kind, title, group_id) VALUES ($1, $2, 'other', $3, $4)",
                    &[Value::Int(meeting), Value::Int(p as i64 + 1), text(format!("Lägesrapport från grupp {}", p + 1)), Value::Int(*g)],
                )?;
            }
            for d in 0..5i64 {
                let assignment = d % 2 == 1;
                let due = on.checked_add((60 + d * 10).days()).unwrap_or(on);
                let status = if !assignment || due > today {
                    "open"
                } else if d == 3 {
                    "done"
                } else {
                    "open"
                };
                db.execute(
                    "INSERT INTO steering_decisions (programme_id, meeting_id, number, kind, text, group_id, owner_org_id, due_on, status, closed_on, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
                    &[
                        Value::Int(programme),
                        Value::Int(meeting),
                        Value::Int(d + 1),
                        text(if assignment { "assignment" } else if d == 0 { "information" } else { "decision" }),
                        text(format!("Syntetiskt beslut {} vid möte {}", d + 1, k + 1)),
                        Value::Int(group_ids[(d as usize) % group_ids.len()]),
                        if assignment { Value::Int(parties[(d as usize) % parties.len()]) } else { Value::Null },
                        if assignment { text(due.to_string()) } else { Value::Null },
                        text(status),
                        if status == "done" { text(due.min(today).to_string()) } else { Value::Null },
                        Value::Int(now),
                    ],
                )?;
                decisions += 1;
            }
        }
    }

    // Deliverables; every fifth delivered and never distributed.
    let kinds = ["leaflet", "toolbox", "template", "training", "report", "other"];
    for d in 0..args.deliverables {
        let delivered = today.checked_sub((10 + d as i64 * 7).days()).unwrap_or(today);
        let id: i64 = db.scalar(
            "INSERT INTO deliverables (programme_id, group_id, kind, title, supplier, ordered_on, delivered_on, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'Syntetisk leverantör', $5, $6, $7, $7) RETURNING id",
            &[
                Value::Int(programme),
                Value::Int(group_ids[d % group_ids.len()]),
                text(kinds[d % kinds.len()]),
                text(format!("Produkt {}", d + 1)),
                text(delivered.checked_sub(60.days()).unwrap_or(delivered).to_string()),
                text(delivered.to_string()),
                Value::Int(now),
            ],
        )?;
        if d % 5 != 4 {
            for x in 0..3 {
                db.execute(
                    "INSERT INTO deliverable_distributions (deliverable_id, recipient, recipient_org_id, sent_on, channel, sent_count, opened_count, created_at)
                     VALUES ($1, 'Syntetisk mottagare', $2, $3, 'email', $4, $5, $6)",
                    &[Value::Int(id), Value::Int(parties[x % parties.len()]), text(today.to_string()), Value::Int(30), Value::Int(12), Value::Int(now)],
                )?;
            }
        }
    }
    Ok(GeneratedProgramme {
        programme_id: programme,
        half_years: halves.iter().map(|h| h.to_string()).collect(),
        groups: args.groups,
        plans,
        activities,
        meetings,
        decisions,
        deliverables: args.deliverables,
        seconds: 0.0,
    })
}
