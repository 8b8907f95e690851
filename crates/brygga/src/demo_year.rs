//! A year of demo observations for the three demo forums: a weekly rhythm (more in the
//! evenings and at weekends), seasons (more youth gatherings and fires in summer, more broken
//! lighting in the dark months), quiet holiday weeks, reporters who sometimes have nothing to
//! report, and a few genuine emerging problems that the weekly flags should catch:
//! - Trelleborg: graffiti at Stortorget flares up last week (and goes on this week);
//! - Hässleholm: fires at one place in the last two weeks;
//! - Ängelholm: youth gathering at one place in the last two weeks.
//!
//! (A slow creep at one or two reports a week is, honestly, not distinguishable from chance
//! within a few weeks — see docs/ANALYS.md — so the demo's problems are flare-ups.)
//!
//! Deterministic: the same `now` gives the same data.

use std::collections::HashMap;

use brygga_domain::time::IsoWeek;
use brygga_store::forums::categories::{self, Category};
use brygga_store::picture::observations::{self, ValidObservation};
use brygga_store::{ConnExt, Store, StoreResult, Viewer, Visibility, forums::forum, places::areas};
use jiff::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A reporting organisation in a demo forum, and whom it reports as.
struct Reporter {
    email: &'static str,
    /// Relative share of the forum's reports.
    weight: f64,
    /// Whether it shares with the forum (associations keep theirs mostly to themselves).
    shares: bool,
}

struct ForumPlan {
    forum: &'static str,
    /// Reports per week in an ordinary week.
    per_week: f64,
    reporters: &'static [Reporter],
    emerging: &'static [Emerging],
}

/// A flare-up at an area (by name; "" = the municipality's first place): extra reports in the
/// last complete week and in the current one (as far as it has come).
struct Emerging {
    category: &'static str,
    area: &'static str,
    last_week: u32,
    this_week: u32,
}

const PLANS: &[ForumPlan] = &[
    ForumPlan {
        forum: "EST Trelleborg",
        per_week: 55.0,
        reporters: &[
            Reporter { email: "faltassistent@trelleborg.example", weight: 0.45, shares: true },
            Reporter { email: "fastighet@trelleborgshem.example", weight: 0.30, shares: true },
            Reporter { email: "kommunpolis@polisen.example", weight: 0.15, shares: true },
            Reporter { email: "nattvandrare@nattvandrarna.example", weight: 0.10, shares: false },
        ],
        emerging: &[Emerging { category: "graffiti", area: "Stortorget", last_week: 18, this_week: 12 }],
    },
    ForumPlan {
        forum: "EST Hässleholm",
        per_week: 28.0,
        reporters: &[Reporter { email: "samordnare@hassleholm.example", weight: 1.0, shares: true }],
        emerging: &[Emerging { category: "fire", area: "", last_week: 12, this_week: 6 }],
    },
    ForumPlan {
        forum: "EST Ängelholm",
        per_week: 22.0,
        reporters: &[Reporter { email: "samordnare@angelholm.example", weight: 1.0, shares: true }],
        emerging: &[Emerging { category: "youth_gathering", area: "", last_week: 14, this_week: 8 }],
    },
];

/// Relative frequency of each default category, and its seasonal swing (peak month 1–12, amplitude).
fn category_profile(code: &str) -> (f64, u8, f64) {
    match code {
        "vandalism" => (1.3, 8, 0.3),
        "graffiti" => (1.2, 6, 0.2),
        "littering" => (1.6, 7, 0.4),
        "broken_lighting" => (0.8, 12, 0.8),
        "fire" => (0.3, 7, 0.5),
        "public_disorder" => (0.9, 7, 0.4),
        "youth_gathering" => (1.0, 7, 0.6),
        "drugs" => (0.5, 6, 0.2),
        "threats_violence" => (0.3, 7, 0.2),
        "theft_burglary" => (0.7, 11, 0.3),
        "perceived_insecurity" => (0.6, 12, 0.4),
        _ => (0.3, 6, 0.0),
    }
}

/// Holiday weeks: Christmas–New Year, Easter-ish, and high summer have fewer reports.
fn quiet_factor(week: IsoWeek) -> f64 {
    match week.week() {
        52 | 53 | 1 => 0.35,
        28..=31 => 0.55,
        15 => 0.7,
        _ => 1.0,
    }
}

const NOTES: &[(&str, &str)] = &[
    ("graffiti", "Nya taggar på fasaden mot torget."),
    ("graffiti", "Klotter på elskåpet vid gångvägen."),
    ("vandalism", "Krossad ruta i busskuren."),
    ("littering", "Mycket glas och skräp efter helgen."),
    ("broken_lighting", "Två lyktstolpar släckta längs gångstråket."),
    ("youth_gathering", "Grupp på 10–15 unga, lugnt men sent."),
    ("public_disorder", "Hög musik och bråk vid parkeringen."),
    ("fire", "Brand i papperskorg, släckt av räddningstjänsten."),
    ("drugs", "Misstänkt försäljning bakom biblioteket."),
    ("perceived_insecurity", "Boende säger att de undviker passagen på kvällen."),
];

/// Draws from a Poisson distribution (Knuth; the rates here are small).
fn poisson(rng: &mut StdRng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    let l = (-lambda).exp();
    let (mut k, mut p) = (0u32, 1.0);
    loop {
        p *= rng.random::<f64>();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

/// A time in `week`: evenings and weekends more likely; never after `now`.
fn time_in(rng: &mut StdRng, week: IsoWeek, now: Timestamp) -> Option<Timestamp> {
    for _ in 0..20 {
        let day = if rng.random::<f64>() < 0.4 { 4 + rng.random_range(0..3) } else { rng.random_range(0..7) };
        let hour = if rng.random::<f64>() < 0.6 { 17 + rng.random_range(0..6) } else { 7 + rng.random_range(0..10) };
        let date = week.monday().checked_add(jiff::Span::new().days(day)).ok()?;
        let ts = date.at(hour, rng.random_range(0..60), 0, 0).to_zoned(brygga_domain::time::stockholm()).ok()?.timestamp();
        if ts <= now {
            return Some(ts);
        }
    }
    None
}

/// Seeds 53 weeks up to `now` for the demo forums. Returns the number of observations.
pub async fn seed(store: &Store, now: Timestamp) -> anyhow::Result<u64> {
    let n = store.write(move |db| seed_in(db, now)).await?;
    Ok(n)
}

fn seed_in(db: &mut dyn brygga_store::Conn, now: Timestamp) -> StoreResult<u64> {
    let sys = Viewer::system();
    let mut rng = StdRng::seed_from_u64(20_231_196);
    let this_week = IsoWeek::of(now);
    let mut total = 0;
    for plan in PLANS {
        let Some(forum) = forum::list(db, &sys)?.into_iter().find(|f| f.name == plan.forum) else { continue };
        let Some(muni) = forum.municipality_code.clone() else { continue };
        let cats: Vec<Category> = categories::list(db, &sys, forum.id, false)?;
        let places = areas::list(db, &sys, &muni)?;
        let area_ids: Vec<Option<i64>> = if places.is_empty() { vec![None] } else { places.iter().map(|a| Some(a.id)).collect() };
        let mut reporters = Vec::new();
        for r in plan.reporters {
            let found: Option<i64> = db.scalar_opt("SELECT id FROM users WHERE email = $1", &[r.email.into()])?;
            let Some(uid) = found else { continue };
            let v = Viewer::for_user(db, uid, brygga_store::Via::System)?;
            let Some(org) = v.org_ids().into_iter().find(|o| forum.members.iter().any(|m| m.id == *o)) else { continue };
            reporters.push((r, v, org));
        }
        if reporters.is_empty() {
            continue;
        }
        let total_weight: f64 = reporters.iter().map(|r| r.0.weight).sum();
        let weight_sum: f64 = cats.iter().map(|c| category_profile(&c.code).0).sum();
        let mut rows: HashMap<usize, Vec<ValidObservation>> = HashMap::new();
        for back in (0..=52).rev() {
            let week = this_week.plus(-back);
            let month = f64::from(week.monday().month());
            for c in &cats {
                let (weight, peak_month, amplitude) = category_profile(&c.code);
                let season = 1.0 + amplitude * ((month - f64::from(peak_month)) * std::f64::consts::PI / 6.0).cos();
                let per_area = plan.per_week * weight / weight_sum * season * quiet_factor(week) / area_ids.len() as f64;
                for (ai, area) in area_ids.iter().enumerate() {
                    // Central places see more.
                    let place = if ai == 0 { 1.6 } else { 1.0 / (1.0 + ai as f64 * 0.08) };
                    let mut count = poisson(&mut rng, per_area * place);
                    for e in plan.emerging.iter().filter(|e| e.category == c.code) {
                        let at_place = if e.area.is_empty() { ai == 0 } else { places.get(ai).is_some_and(|a| a.name == e.area) };
                        if at_place {
                            count += match back {
                                0 => e.this_week,
                                1 => e.last_week,
                                _ => 0,
                            };
                        }
                    }
                    for _ in 0..count {
                        let Some(at) = time_in(&mut rng, week, now) else { continue };
                        let pick = rng.random::<f64>() * total_weight;
                        let mut acc = 0.0;
                        let ri = reporters.iter().position(|r| {
                            acc += r.0.weight;
                            pick <= acc
                        });
                        let ri = ri.unwrap_or(0);
                        let (r, _, org) = &reporters[ri];
                        let shared = r.shares || rng.random::<f64>() < 0.3;
                        let note = (rng.random::<f64>() < 0.25)
                            .then(|| NOTES.iter().filter(|(k, _)| *k == c.code).map(|(_, n)| *n).next())
                            .flatten();
                        let intensity = c.intensity_max.map(|max| rng.random_range(1..=max));
                        let quantity = 1;
                        rows.entry(ri).or_default().push(ValidObservation {
                            org_id: *org,
                            visibility: if shared { Visibility::Forum { forum_id: forum.id } } else { Visibility::Organisation },
                            municipality: muni.clone(),
                            area_id: *area,
                            category_id: c.id,
                            observed_at_ms: at.as_millisecond(),
                            week: IsoWeek::of(at),
                            quantity,
                            intensity,
                            position: None,
                            note: note.map(str::to_owned),
                        });
                    }
                }
            }
        }
        for (ri, batch) in rows {
            total += observations::create_many(db, &reporters[ri].1, &batch, "form", None)?;
        }
    }
    Ok(total)
}

/// EST Trelleborg answers a weekly questionnaire (Trelleborg's routine) since eight weeks:
/// the field assistant and the caretaker have their places, have answered most weeks — once
/// with "inget att rapportera" — and this week's answers are still missing, so the reminders show
/// (on the home page, and by e-mail on Thursday at 09:00 when the workers run).
pub async fn seed_questionnaire(store: &Store, now: Timestamp) -> anyhow::Result<()> {
    store
        .write(move |db| {
            let sys = Viewer::system();
            let Some(forum) = forum::list(db, &sys)?.into_iter().find(|f| f.name == "EST Trelleborg") else { return Ok(()) };
            let Some(muni) = forum.municipality_code.clone() else { return Ok(()) };
            let places = areas::list(db, &sys, &muni)?;
            let this_week = IsoWeek::of(now);
            let start = this_week.plus(-8);
            brygga_store::picture::questionnaire::configure(db, &sys, forum.id, 1, start, true)?;
            // E-mail reminders on, at the default time (Thursday 09:00), so the demo shows them configured.
            use brygga_store::picture::questionnaire::ReminderSchedule;
            let reminders =
                ReminderSchedule { email: true, weekday: ReminderSchedule::DEFAULT_WEEKDAY, hour: ReminderSchedule::DEFAULT_HOUR };
            brygga_store::picture::questionnaire::set_reminders(db, &sys, forum.id, reminders)?;
            let assignments: [(&str, &[&str]); 2] =
                [("faltassistent@trelleborg.example", &["Stortorget", "Stadsparken", "Biblioteket"]), ("fastighet@trelleborgshem.example", &["Västra Sorgenfri"])];
            for (email, names) in assignments {
                let found: Option<i64> = db.scalar_opt("SELECT id FROM users WHERE email = $1", &[email.into()])?;
                let Some(uid) = found else { continue };
                let ids: Vec<i64> = places.iter().filter(|a| names.contains(&a.name.as_str())).map(|a| a.id).collect();
                brygga_store::picture::questionnaire::assign(db, &sys, forum.id, uid, &ids)?;
                let v = Viewer::for_user(db, uid, brygga_store::Via::System)?;
                let Some(org) = v.org_ids().first().copied() else { continue };
                for back in 1..=8 {
                    let week = this_week.plus(-back);
                    if back == 5 && email.starts_with("fastighet") {
                        continue; // a missed week
                    }
                    let n: i64 = db.scalar(
                        "SELECT COUNT(*) FROM observations WHERE reporter_user_id = $1 AND week = $2",
                        &[uid.into(), i64::from(week.key()).into()],
                    )?;
                    let sunday = week.monday().checked_add(jiff::Span::new().days(6)).map_err(|e| brygga_store::StoreError::Internal(e.to_string()))?;
                    let at = sunday.at(20, 0, 0, 0).to_zoned(brygga_domain::time::stockholm()).map_err(|e| brygga_store::StoreError::Internal(e.to_string()))?;
                    db.execute(
                        "INSERT INTO weekly_responses (forum_id, user_id, org_id, week, nothing_to_report, observation_count, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        &[forum.id.into(), uid.into(), org.into(), i64::from(week.key()).into(), (n == 0).into(), n.into(), at.timestamp().as_millisecond().into()],
                    )?;
                }
            }
            Ok(())
        })
        .await?;
    Ok(())
}
