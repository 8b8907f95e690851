//! `brygga generate consultation`: one consultation with many items of input, for the benchmark
//! of its conclusion (`scripts/bench-consultation`, BENCHMARKS.md "Consultations").
//!
//! Written straight into the tables of migration 0017 with SQL through the store's `Conn`, in one
//! transaction, on either backend: an organising police organisation with one user, `--orgs`
//! invited organisations that accepted, four questions, `--items` items of input assembled from
//! phrases of seed 001's themes (so the clustering has real Swedish to work on), a quarter of them
//! anonymous, and a disposition with a link to one of twenty measures of a plan for half of them.
//! Deterministic for a seed; the content is invented.
//!
//! Then it times, `--samples` times each in its own transaction as a page would: the theme
//! suggestion ([`themes::suggest`]: read the items, stem, cluster), and the compiled
//! documentation ([`compiled::preview`]: four queries, attribution applied, link titles resolved
//! once each); and once, publishing it ([`compiled::publish`]: build, freeze as JSON, e-mail).

use std::time::Instant;

use anyhow::Context;
use brygga_store::dialogue::consultations::compiled::{self, PublishInput};
use brygga_store::dialogue::consultations::themes;
use brygga_store::kernel::mail::Postmark;
use brygga_store::{Conn, ConnExt, Store, StoreResult, Via, Viewer, args};
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

#[derive(Args, Debug, Clone)]
pub struct ConsultationArgs {
    /// Antal medskick.
    #[arg(long, default_value_t = 5_000)]
    pub items: usize,
    /// Antal deltagande organisationer.
    #[arg(long, default_value_t = 200)]
    pub orgs: usize,
    /// Antal tidmätningar av temaförslaget och sammanställningen.
    #[arg(long, default_value_t = 7)]
    pub samples: usize,
    /// Slumpfrö: samma frö ger samma data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// What was written and measured, printed as JSON by the command.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Generated {
    pub items: usize,
    pub orgs: usize,
    pub write_seconds: f64,
    pub themes_suggested: usize,
    pub suggest_ms_p50: f64,
    pub suggest_ms_max: f64,
    pub compile_ms_p50: f64,
    pub compile_ms_max: f64,
    pub publish_ms: f64,
    /// The suggestion was the same every time.
    pub deterministic: bool,
}

const OPENINGS: &[&str] = &[
    "Vi ser att",
    "I vår verksamhet märker vi att",
    "Våra ledare berättar att",
    "Föräldrar vi möter säger att",
    "Det är tydligt att",
    "Vi vill lyfta att",
];
const SUBJECTS: &[&str] = &[
    "rekrytering sker via spelplattformar och sociala medier",
    "kriminella nätverk rör sig nära träningsplatser och idrottshallar",
    "skolans frånvaro ökar bland barn med NPF",
    "föräldrar i utsatta områden har låg tillit till myndigheter",
    "flickor syns allt oftare i kriminaliteten",
    "syskon dras in genom att hjälpa familjemedlemmar",
    "unga som sitter häktade saknar stöd efteråt",
    "mentorskap och läxhjälp stärker skolan som skyddsfaktor",
    "vuxennärvaro på kvällar och helger saknas i centrum",
    "polisens omorganisation har försvagat den lokala förankringen",
    "ideella ledare behöver stöd när misstankar uppstår",
    "information om konsekvenser och alternativ når inte unga",
];
const ENDINGS: &[&str] = &[
    "och det behöver tas upp i lägesbilden.",
    "och vi vill vara med i arbetet framåt.",
    "vilket kräver långsiktig finansiering.",
    "och polisen kan stödja oss i det.",
    "så samverkan behöver bli tätare.",
    "och det har pågått länge.",
];

fn pick<'a, T>(rng: &mut StdRng, list: &'a [T]) -> &'a T {
    &list[rng.random_range(0..list.len())]
}

/// Writes the consultation; returns its id and the organiser's user id.
pub fn write(db: &mut dyn Conn, args: &ConsultationArgs, now: i64) -> StoreResult<(i64, i64)> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let org = |db: &mut dyn Conn, name: &str, kind: &str| -> StoreResult<i64> {
        Ok(db.scalar(
            "INSERT INTO organisations (name, name_key, kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
            args![name, brygga_store::sort_key(name), kind, now],
        )?)
    };
    let lead = org(db, &format!("Polisen, mätning {now}"), "police")?;
    let user: i64 = db.scalar(
        "INSERT INTO users (email, name, created_at, updated_at) VALUES ($1, 'Mätning', $2, $2) RETURNING id",
        args![format!("matning-{now}@polisen.example"), now],
    )?;
    db.execute("INSERT INTO memberships (user_id, org_id, role, created_at) VALUES ($1, $2, 'coordinator', $3)", args![user, lead, now])?;
    let consultation: i64 = db.scalar(
        "INSERT INTO consultations (lead_org_id, title, kind, municipality_code, meets_at, input_closes_at, status, created_at, updated_at)
         VALUES ($1, 'Samråd om rekrytering av barn och unga (mätning)', 'round_table', '1287', $2, $2, 'closed', $2, $2) RETURNING id",
        args![lead, now],
    )?;
    db.execute("INSERT INTO consultation_organisers (consultation_id, org_id) VALUES ($1, $2)", args![consultation, lead])?;
    let mut participants = vec![];
    for i in 0..args.orgs {
        let o = org(db, &format!("Förening {i} ({now})"), "civil_society")?;
        db.execute(
            "INSERT INTO consultation_invitations (consultation_id, org_id, invited_at, response) VALUES ($1, $2, $3, 'accepted')",
            args![consultation, o, now],
        )?;
        participants.push(o);
    }
    let mut questions = vec![];
    for (k, text) in [
        "Medskick till polisens lägesbild",
        "Vad kan polisen göra?",
        "Vad kan civilsamhället göra?",
        "Vilka insatser görs bäst tillsammans?",
    ]
    .iter()
    .enumerate()
    {
        questions.push(db.scalar::<i64>(
            "INSERT INTO consultation_questions (consultation_id, position, text) VALUES ($1, $2, $3) RETURNING id",
            args![consultation, k as i64 + 1, *text],
        )?);
    }
    let plan: i64 = db.scalar(
        "INSERT INTO action_plans (lineage_id, version_no, status, title, municipality_code, period_from, period_to, owner_org_id, visibility,
             created_by_user_id, created_at, updated_at)
         VALUES (0, 1, 'draft', 'Åtgärdsplan (mätning)', '1287', '2026-01-01', '2027-12-31', $1, 'organisation', $2, $3, $3) RETURNING id",
        args![lead, user, now],
    )?;
    db.execute("UPDATE action_plans SET lineage_id = id WHERE id = $1", args![plan])?;
    db.execute("INSERT INTO plan_parties (plan_id, org_id) VALUES ($1, $2)", args![plan, lead])?;
    let mut measures = vec![];
    for k in 0..20 {
        measures.push(db.scalar::<i64>(
            "INSERT INTO plan_measures (plan_id, key, title, responsible_org_id, status, basis, position) VALUES ($1, $2, $3, $4, 'planned', 'none', $5) RETURNING id",
            args![plan, format!("m{k}"), format!("Insats {k}"), lead, k as i64 + 1],
        )?);
    }
    for i in 0..args.items {
        let text = format!("{} {} {}", pick(&mut rng, OPENINGS), pick(&mut rng, SUBJECTS), pick(&mut rng, ENDINGS));
        let anonymous = rng.random_range(0..4) == 0;
        let id: i64 = db.scalar(
            "INSERT INTO consultation_inputs (consultation_id, question_id, org_id, author_user_id, entered_by_user_id, stage, attribution,
                 situation_material, text, created_at, updated_at)
             VALUES ($1, $2, $3, NULL, $4, 'during', $5, $6, $7, $8, $8) RETURNING id",
            args![
                consultation,
                *pick(&mut rng, &questions),
                participants[i % participants.len()],
                user,
                if anonymous { "anonymous" } else { "named" },
                i % 5 == 0,
                text,
                now + i as i64
            ],
        )?;
        if i % 2 == 0 {
            db.execute(
                "INSERT INTO consultation_dispositions (input_id, outcome, reason, decided_by_user_id, decided_at) VALUES ($1, $2, 'Tas med i planen.', $3, $4)",
                args![id, *pick(&mut rng, &["adopted", "partly", "not_adopted", "for_information"]), user, now],
            )?;
            db.execute(
                "INSERT INTO consultation_disposition_links (input_id, target_kind, target_id) VALUES ($1, 'measure', $2)",
                args![id, *pick(&mut rng, &measures)],
            )?;
        }
    }
    Ok((consultation, user))
}

fn median_max(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    (ms.get(ms.len() / 2).copied().unwrap_or(0.0), ms.last().copied().unwrap_or(0.0))
}

pub async fn run(store: &Store, args: &ConsultationArgs) -> anyhow::Result<Generated> {
    anyhow::ensure!((1..=100_000).contains(&args.items), "--items måste vara mellan 1 och 100 000");
    anyhow::ensure!((1..=10_000).contains(&args.orgs), "--orgs måste vara mellan 1 och 10 000");
    let started = Instant::now();
    let a = args.clone();
    let (id, user) = store.write(move |db| write(db, &a, brygga_store::now_ms())).await.context("samrådet kunde inte skrivas")?;
    let write_seconds = started.elapsed().as_secs_f64();
    let viewer = store.read(move |db| Viewer::for_user(db, user, Via::Cli)).await?;

    let (mut suggest, mut compile, mut first, mut deterministic) = (vec![], vec![], None, true);
    for _ in 0..args.samples.max(1) {
        let v = viewer.clone();
        let t = Instant::now();
        let s = store.read(move |db| themes::suggest(db, &v, id)).await?;
        suggest.push(t.elapsed().as_secs_f64() * 1000.0);
        match &first {
            None => first = Some(s),
            Some(f) => deterministic &= *f == s,
        }
    }
    let themes_suggested = first.as_ref().map_or(0, |s| s.themes.len());
    // Adopt and confirm the suggestion so that the documentation is themed as it would be.
    let v = viewer.clone();
    store
        .write(move |db| {
            themes::adopt_suggestion(db, &v, id)?;
            db.execute("UPDATE consultation_themes SET confirmed = $1 WHERE consultation_id = $2", args![true, id])?;
            Ok(())
        })
        .await?;
    for _ in 0..args.samples.max(1) {
        let v = viewer.clone();
        let t = Instant::now();
        let doc = store.read(move |db| compiled::preview(db, &v, id)).await?;
        compile.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(doc.counts.items as usize == args.items, "sammanställningen saknar medskick");
    }
    let v = viewer.clone();
    let post = Postmark::new("localhost", "http://127.0.0.1:8080");
    let t = Instant::now();
    store.write(move |db| compiled::publish(db, &v, &post, id, &PublishInput::default())).await?;
    let publish_ms = t.elapsed().as_secs_f64() * 1000.0;
    let (suggest_ms_p50, suggest_ms_max) = median_max(suggest);
    let (compile_ms_p50, compile_ms_max) = median_max(compile);
    Ok(Generated {
        items: args.items,
        orgs: args.orgs,
        write_seconds,
        themes_suggested,
        suggest_ms_p50,
        suggest_ms_max,
        compile_ms_p50,
        compile_ms_max,
        publish_ms,
        deterministic,
    })
}
