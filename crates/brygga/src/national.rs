//! `brygga generate …`: synthetic data for the benchmarks (BENCHMARKS.md, "Lägesbild").
//!
//! `national-year` fills an empty, migrated database with a synthetic national year: for each
//! of the 290 municipalities a municipality organisation and a housing company, an EST forum
//! with the default checklist, eight places and a coordinator account
//! (`samordnare-KOD@kommun.example`, no password); then about ten million observations over
//! the last 53 ISO weeks (weekly rhythm, seasons, municipalities of very different sizes) and
//! fifty thousand police events. The observations are written through the same bulk path as
//! imports (`observations::create_many`: COPY on PostgreSQL, one prepared statement on SQLite),
//! one transaction per municipality, and the command reports that rate.
//!
//! `import-file` writes a CSV in the shape a survey tool exports (Datum, Tid, Kategori, Plats,
//! Antal, Kommentar) for one municipality of such a database, for `brygga import observations`.
//!
//! Deterministic: the same seed and the same current week give the same data. The data is
//! invented: no real places, people or events.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use brygga_domain::est::DEFAULT_CATEGORIES;
use brygga_domain::geography::{self, MunicipalityCode};
use brygga_domain::geometry::{self, Check, CrsChoice, Shape};
use brygga_domain::time::IsoWeek;
use brygga_import::police_events::parse_police_events;
use brygga_store::accounts::orgs::OrganisationInput;
use brygga_store::accounts::users::NewUserInput;
use brygga_store::forums::forum::ForumInput;
use brygga_store::picture::observations::{self, ValidObservation};
use brygga_store::picture::police_events::{self, EventsFile};
use brygga_store::{
    ConnExt, Store, Via, Viewer, Visibility, accounts::orgs, accounts::users, forums::categories, forums::forum, places::areas,
};
use clap::{Args, Subcommand};
use jiff::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::config::{DbArgs, ServeArgs, Settings};

#[derive(Subcommand)]
pub enum GenerateCommand {
    /// Fyller en tom databas med ett syntetiskt nationellt år för prestandamätningar: 290
    /// kommuner, cirka 10 miljoner observationer, 50 000 polishändelser. Skriver JSON med tider.
    NationalYear(NationalYearArgs),
    /// Skriver en CSV-fil med påhittade observationer (kategorier ur standardlistan, platserna
    /// ”Plats 1” … ”Plats 8” som i national-year), för `brygga import observations`.
    ImportFile(ImportFileArgs),
    /// Skriver en stor antagen åtgärdsplan (mål i träd, indikatorer med månadsvärden, insatser,
    /// avvikelser) för prestandamätningar, i en transaktion. Skriver JSON med planens id.
    Plan(crate::generate_plan::PlanArgs),
    /// Skriver överenskommelser och länsstyrelsens mätningar för alla kommuner i landet (för
    /// länstabellens prestandamätning), i en transaktion. Skriver JSON med antal och tid.
    Agreements(crate::generate_agreements::AgreementsArgs),
    /// Skriver ett stort regionalt program (arbetsgrupper, aktivitetsplaner per halvår med
    /// aktiviteter, styrgruppsmöten, beslut, leveranser) för prestandamätningar av
    /// styrgruppsrapporten, i en transaktion. Skriver JSON med programmets id och halvår.
    Programme(crate::generate_programme::ProgrammeArgs),
    /// Skriver många pågående insatser över landets kommuner (för överlappskontrollens
    /// prestandamätning) i en transaktion och tidmäter sedan överlappskontrollen av ett urval.
    /// Skriver JSON med antal och tider.
    Interventions(crate::generate_interventions::InterventionsArgs),
    /// Skriver en stor publik katalog (föreningar med publik profil, erbjudanden med tider) för
    /// katalogsidans prestandamätning, i en transaktion. Skriver JSON med antal och tid.
    Directory(crate::generate_directory::DirectoryArgs),
    /// Skriver ett syntetiskt sökindex (dokument, läsare, kommuner, termer; svenska ord med
    /// Zipf-fördelning) direkt i indexets tabeller, för sökningens prestandamätning
    /// (`scripts/bench-search`). Skriver JSON med antal, tid och benchmarkens sökord.
    Search(crate::generate_search::SearchArgs),
    /// Skriver ett samråd med många medskick (för prestandamätningen av temaförslaget och den
    /// sammanställda dokumentationen) i en transaktion och tidmäter dem. Skriver JSON.
    Consultation(crate::generate_consultation::ConsultationArgs),
    /// Skriver fem års evenemang med anmälningar för ett län och tidmäter sedan länets
    /// utbildningstäckning (`scripts/bench-events`). Skriver JSON med antal och tider.
    Events(crate::generate_events::EventsArgs),
}

#[derive(Args)]
pub struct NationalYearArgs {
    /// Antal observationer (ungefär; fördelas slumpmässigt).
    #[arg(long, default_value_t = 10_000_000)]
    pub observations: u64,
    /// Antal polishändelser.
    #[arg(long, default_value_t = 50_000)]
    pub police_events: u64,
    /// Slumpfrö: samma frö ger samma data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args)]
pub struct ImportFileArgs {
    /// Filen som ska skrivas.
    #[arg(long)]
    pub out: PathBuf,
    /// Antal rader.
    #[arg(long, default_value_t = 100_000)]
    pub rows: u64,
    /// Slumpfrö.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Places per municipality.
pub const PLACES: usize = 8;
/// Weeks of data, ending with the current week.
const WEEKS: i32 = 53;

/// What `national-year` wrote and how long it took.
#[derive(Debug, Serialize)]
pub struct Generated {
    pub municipalities: usize,
    pub observations: u64,
    pub police_events: u64,
    /// Seconds spent building the organisations, forums, accounts and places.
    pub setup_seconds: f64,
    /// Seconds inside the observation write transactions (bulk insert and commit).
    pub insert_seconds: f64,
    /// Observations per second of `insert_seconds`.
    pub insert_rows_per_second: f64,
    /// Seconds for the whole command.
    pub total_seconds: f64,
}

/// Midnight starting the week's Monday, Swedish time, in milliseconds.
fn monday_ms(week: IsoWeek) -> i64 {
    week.monday().to_zoned(brygga_domain::time::stockholm()).expect("a Monday exists in Stockholm").timestamp().as_millisecond()
}

fn place_name(i: usize) -> String {
    format!("Plats {}", i + 1)
}

/// Relative size of each municipality: a few large, many small (log-normal, as populations).
fn sizes(rng: &mut StdRng, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let g: f64 = (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0;
            (0.9 * g).exp()
        })
        .collect()
}

/// A Poisson draw (Knuth for small means, a rounded normal for large ones).
fn poisson(rng: &mut StdRng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 30.0 {
        let g: f64 = (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0;
        return (mean + g * mean.sqrt()).round().max(0.0) as u64;
    }
    let limit = (-mean).exp();
    let mut k = 0;
    let mut p = rng.random::<f64>();
    while p > limit {
        k += 1;
        p *= rng.random::<f64>();
    }
    k
}

/// The eight places of a municipality: points spread over its rough extent, or around a point
/// in central Sweden where the repository has no extent.
fn place_points(code: &str, index: usize) -> Vec<(f64, f64)> {
    let (lon0, lat0, spread) = match geography::municipality_extent(code) {
        Some(e) => {
            let (lon, lat) = e.center();
            (lon, lat, ((e.max_lon - e.min_lon).min(e.max_lat - e.min_lat)) / 6.0)
        }
        None => (14.0 + (index % 40) as f64 * 0.05, 58.0 + (index / 40) as f64 * 0.1, 0.01),
    };
    (0..PLACES)
        .map(|i| {
            let a = i as f64 * std::f64::consts::TAU / PLACES as f64;
            (lon0 + spread * a.cos() * (1.0 + i as f64) / PLACES as f64, lat0 + spread * a.sin() * (1.0 + i as f64) / PLACES as f64)
        })
        .collect()
}

fn org_input(name: String, kind: &str, code: &str) -> OrganisationInput {
    OrganisationInput {
        name,
        kind: kind.into(),
        org_number: None,
        description: Some("Syntetisk organisation för prestandamätning.".into()),
        website: None,
        public_profile: false,
        municipalities: vec![code.to_owned()],
    }
}

/// Per municipality: the forum, its categories, places and the two reporting viewers.
struct Target {
    code: &'static str,
    forum_id: i64,
    category_ids: Vec<(i64, &'static str)>,
    area_ids: Vec<i64>,
    reporters: Vec<(Viewer, i64)>,
}

fn setup(db: &mut dyn brygga_store::Conn) -> brygga_store::StoreResult<Vec<Target>> {
    let sys = Viewer::system();
    let mut targets = Vec::new();
    for (index, m) in geography::municipalities().iter().enumerate() {
        let code = m.code;
        let kommun = orgs::create(db, &sys, &org_input(format!("Kommunen {} (syntetisk)", m.name), "municipality", code).validate()?)?.id;
        let housing =
            orgs::create(db, &sys, &org_input(format!("Bostäder i {} (syntetisk)", m.name), "housing_company", code).validate()?)?.id;
        let mut reporters = Vec::new();
        for (org, who) in [(kommun, "samordnare"), (housing, "bovard")] {
            let input = NewUserInput {
                email: format!("{who}-{code}@kommun.example"),
                name: format!("{} {}", if who == "samordnare" { "Samordnare" } else { "Bovärd" }, m.name),
                password: None,
                org_id: Some(org),
                role: Some(if who == "samordnare" { "coordinator" } else { "member" }.into()),
                system_admin: false,
            };
            let user = users::create(db, &sys, &input.validate()?)?;
            reporters.push(user.id);
        }
        let forum = ForumInput {
            name: format!("EST {} (syntetisk)", m.name),
            description: Some("Syntetiskt forum för prestandamätning.".into()),
            municipality_code: Some(code.to_owned()),
            convener_org_id: kommun,
            member_org_ids: vec![kommun, housing],
            contact_user_ids: vec![],
        };
        let post = brygga_store::kernel::mail::Postmark::new("brygga.example", "http://127.0.0.1:8080");
        let forum_id = forum::create(db, &sys, &forum.validate()?, &post)?.id;
        brygga_store::forums::consent::accept_all_as_system(db, &sys, forum_id, &[])?;
        let municipality = MunicipalityCode::parse(code).map_err(|e| brygga_store::StoreError::Internal(e.to_string()))?;
        let mut area_ids = Vec::new();
        for (i, (lon, lat)) in place_points(code, index).into_iter().enumerate() {
            let check = Check::municipality(m);
            let valid = geometry::validate(&Shape::Point([lon, lat]), CrsChoice::Wgs84, None, &check)
                .map_err(|e| brygga_store::StoreError::Internal(format!("place {i} in {code}: {e:?}")))?;
            let a = areas::NewArea {
                municipality,
                parent_id: None,
                name: place_name(i),
                kind: "other".into(),
                geometry: valid.geometry,
                owner_org_id: kommun,
            };
            area_ids.push(areas::create(db, &sys, &a)?.id);
        }
        let codes: HashMap<&str, &'static str> = DEFAULT_CATEGORIES.iter().map(|c| (c.code, c.code)).collect();
        let category_ids = categories::list(db, &sys, forum_id, false)?
            .into_iter()
            .filter_map(|c| codes.get(c.code.as_str()).map(|code| (c.id, *code)))
            .collect();
        let reporters = reporters
            .into_iter()
            .zip([kommun, housing])
            .map(|(uid, org)| Ok((Viewer::for_user(db, uid, Via::System)?, org)))
            .collect::<brygga_store::StoreResult<Vec<_>>>()?;
        targets.push(Target { code, forum_id, category_ids, area_ids, reporters });
    }
    Ok(targets)
}

/// Central places (the first) see more.
fn place_weight(i: usize) -> f64 {
    if i == 0 { 2.0 } else { 1.0 / (1.0 + i as f64 * 0.1) }
}

/// Relative frequency and seasonal peak month of a category (amplitude 0.3).
fn profile(code: &str) -> (f64, f64) {
    match code {
        "graffiti" => (3.0, 6.0),
        "littering" => (3.0, 7.0),
        "vandalism" => (2.0, 8.0),
        "broken_lighting" => (1.5, 12.0),
        "youth_gathering" => (2.0, 7.0),
        "fire" => (0.7, 5.0),
        _ => (1.0, 6.0),
    }
}

fn observations_for(rng: &mut StdRng, t: &Target, share: f64, total: u64, now: Timestamp) -> Vec<ValidObservation> {
    let this_week = IsoWeek::of(now);
    let weights: f64 = t.category_ids.iter().map(|(_, c)| profile(c).0).sum();
    let places: f64 = (0..t.area_ids.len()).map(place_weight).sum();
    let per_week = share * total as f64 / f64::from(WEEKS);
    let mut rows = Vec::with_capacity((share * total as f64 * 1.05) as usize);
    for back in (0..WEEKS).rev() {
        let week = this_week.plus(-back);
        let month = f64::from(week.monday().month());
        let monday = monday_ms(week);
        for (category_id, code) in &t.category_ids {
            let (weight, peak) = profile(code);
            let season = 1.0 + 0.3 * ((month - peak) * std::f64::consts::PI / 6.0).cos();
            for (ai, area_id) in t.area_ids.iter().enumerate() {
                let mean = per_week * weight / weights * season * place_weight(ai) / places;
                for _ in 0..poisson(rng, mean) {
                    let at = monday + rng.random_range(0..7 * 24 * 3600 * 1000);
                    if at > now.as_millisecond() {
                        continue;
                    }
                    let (_, org) = &t.reporters[usize::from(rng.random::<f64>() < 0.3)];
                    rows.push(ValidObservation {
                        org_id: *org,
                        visibility: if rng.random::<f64>() < 0.85 {
                            Visibility::Forum { forum_id: t.forum_id }
                        } else {
                            Visibility::Organisation
                        },
                        municipality: t.code.to_owned(),
                        area_id: (rng.random::<f64>() < 0.95).then_some(*area_id),
                        category_id: *category_id,
                        observed_at_ms: at,
                        week,
                        quantity: 1,
                        intensity: None,
                        position: None,
                        note: (rng.random::<f64>() < 0.05).then(|| "Syntetisk anteckning.".to_owned()),
                    });
                }
            }
        }
    }
    rows
}

/// Fifty thousand (or `n`) events in the police API's JSON shape, spread over the year and the
/// country, some filed under a county.
fn police_json(rng: &mut StdRng, n: u64, now: Timestamp) -> Vec<u8> {
    const TYPES: &[&str] = &["Skadegörelse", "Stöld", "Brand", "Misshandel", "Narkotikabrott", "Ordningslagen", "Trafikolycka", "Rån"];
    let munis = geography::municipalities();
    let year_ms = 365 * 24 * 3600 * 1000_i64;
    let events: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let at = Timestamp::from_millisecond(now.as_millisecond() - rng.random_range(0..year_ms)).expect("in range");
            let local = brygga_domain::time::local(at);
            let m = &munis[rng.random_range(0..munis.len())];
            let name = if rng.random::<f64>() < 0.1 { m.county().name.to_owned() } else { m.name.to_owned() };
            let kind = TYPES[rng.random_range(0..TYPES.len())];
            serde_json::json!({
                "id": 1_000_000 + i,
                "datetime": local.strftime("%Y-%m-%d %H:%M:%S %:z").to_string(),
                "name": format!("{}, {kind}, {name}", local.strftime("%d %B %H.%M")),
                "summary": "Syntetisk händelse.",
                "url": format!("/aktuellt/handelser/syntetisk/{i}"),
                "type": kind,
                "location": {"name": name, "gps": "59.3,18.0"}
            })
        })
        .collect();
    serde_json::to_vec(&events).expect("events serialise")
}

pub async fn run(db: &DbArgs, cmd: GenerateCommand) -> anyhow::Result<()> {
    match cmd {
        GenerateCommand::NationalYear(args) => {
            let settings = Settings::resolve(db, &ServeArgs::default())?;
            let store = crate::open(&settings).await?;
            let out = national_year(&store, &args, Timestamp::now()).await?;
            println!("{}", serde_json::to_string(&out)?);
        }
        GenerateCommand::ImportFile(args) => write_import_file(&args, Timestamp::now())?,
        GenerateCommand::Plan(args) => {
            let settings = Settings::resolve(db, &ServeArgs::default())?;
            let store = crate::open(&settings).await?;
            let out = crate::generate_plan::run(&store, &args).await?;
            println!("{}", serde_json::to_string(&out)?);
        }
        GenerateCommand::Agreements(args) => {
            let settings = Settings::resolve(db, &ServeArgs::default())?;
            let store = crate::open(&settings).await?;
            let out = crate::generate_agreements::run(&store, &args).await?;
            println!("{}", serde_json::to_string(&out)?);
        }
        GenerateCommand::Interventions(args) => {
            let settings = Settings::resolve(db, &ServeArgs::default())?;
            let store = crate::open(&settings).await?;
            let out = crate::generate_interventions::run(&store, &args).await?;
            println!("{}", serde_json::to_string(&out)?);
        }
        GenerateCommand::Consultation(args) => {
            let settings = Settings::resolve(db, &ServeArgs::default())?;
            let store = crate::open(&settings).await?;
            let out = crate::generate_consultation::run(&store, &args).await?;
            println!("{}", serde_json::to_string(&out)?);
        }
        GenerateCommand::Events(args) => {
            let settings = Settings::resolve(db, &ServeArgs::default())?;
            let store = crate::open(&settings).await?;
            let out = crate::generate_events::run(&store, &args).await?;
            println!("{}", serde_json::to_string(&out)?);
        }
        GenerateCommand::Search(args) => {
            let settings = Settings::resolve(db, &ServeArgs::default())?;
            let store = crate::open(&settings).await?;
            let out = crate::generate_search::generate(&store, &args).await?;
            println!("{}", serde_json::to_string(&out)?);
        }
        GenerateCommand::Programme(args) => {
            let settings = Settings::resolve(db, &ServeArgs::default())?;
            let store = crate::open(&settings).await?;
            let out = crate::generate_programme::run(&store, &args).await?;
            println!("{}", serde_json::to_string(&out)?);
        }
        GenerateCommand::Directory(args) => {
            let settings = Settings::resolve(db, &ServeArgs::default())?;
            let store = crate::open(&settings).await?;
            let out = crate::generate_directory::run(&store, &args).await?;
            println!("{}", serde_json::to_string(&out)?);
        }
    }
    Ok(())
}

async fn national_year(store: &Store, args: &NationalYearArgs, now: Timestamp) -> anyhow::Result<Generated> {
    let started = Instant::now();
    let existing: i64 = store.read(|db| Ok(db.scalar::<i64>("SELECT COUNT(*) FROM forums", &[])?)).await?;
    anyhow::ensure!(existing == 0, "databasen har redan forum: national-year fyller bara en tom, migrerad databas");
    let targets = store.write(setup).await?;
    let setup_seconds = started.elapsed().as_secs_f64();
    let mut rng = StdRng::seed_from_u64(args.seed);
    let sizes = sizes(&mut rng, targets.len());
    let sum: f64 = sizes.iter().sum();
    let mut written = 0;
    let mut insert_seconds = 0.0;
    for (t, size) in targets.into_iter().zip(sizes) {
        let rows = observations_for(&mut rng, &t, size / sum, args.observations, now);
        let (kommun, housing): (Vec<ValidObservation>, Vec<ValidObservation>) =
            rows.into_iter().partition(|o| o.org_id == t.reporters[0].1);
        let clock = Instant::now();
        written += store
            .write(move |db| {
                let mut n = observations::create_many(db, &t.reporters[0].0, &kommun, "import", None)?;
                n += observations::create_many(db, &t.reporters[1].0, &housing, "import", None)?;
                Ok(n)
            })
            .await?;
        insert_seconds += clock.elapsed().as_secs_f64();
    }
    let bytes = police_json(&mut rng, args.police_events, now);
    let parsed = parse_police_events(&bytes).context("the generated police events must parse")?;
    let summary = store
        .write(move |db| {
            police_events::import(db, &Viewer::system(), None, EventsFile { file_name: None, sha256: "national-year", parsed })
        })
        .await?;
    // Planner statistics, as after any large load.
    store.write(|db| Ok(db.execute_batch("ANALYZE")?)).await?;
    Ok(Generated {
        municipalities: geography::municipalities().len(),
        observations: written,
        police_events: summary.new as u64,
        setup_seconds,
        insert_seconds,
        insert_rows_per_second: written as f64 / insert_seconds,
        total_seconds: started.elapsed().as_secs_f64(),
    })
}

fn write_import_file(args: &ImportFileArgs, now: Timestamp) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let file = std::fs::File::create(&args.out).with_context(|| format!("kan inte skapa {}", args.out.display()))?;
    let mut out = std::io::BufWriter::new(file);
    writeln!(out, "Datum;Tid;Kategori;Plats;Antal;Kommentar")?;
    let this_week = IsoWeek::of(now);
    let tz = brygga_domain::time::stockholm();
    for _ in 0..args.rows {
        let week = this_week.plus(-rng.random_range(1..WEEKS));
        let at = Timestamp::from_millisecond(monday_ms(week) + rng.random_range(0..7 * 24 * 3600 * 1000))?.to_zoned(tz.clone());
        let category = &DEFAULT_CATEGORIES[rng.random_range(0..DEFAULT_CATEGORIES.len())];
        let place = place_name(rng.random_range(0..PLACES));
        let quantity = 1 + u32::from(rng.random::<f64>() < 0.1);
        let note = if rng.random::<f64>() < 0.05 { "Syntetisk anteckning" } else { "" };
        writeln!(out, "{};{};{};{place};{quantity};{note}", at.strftime("%Y-%m-%d"), at.strftime("%H:%M"), category.name)?;
    }
    out.flush()?;
    Ok(())
}
