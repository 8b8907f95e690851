use std::process::ExitCode;

use anyhow::Context;
use brygga::config::{DbArgs, JobArgs, ServeArgs, Settings};
use brygga::{admin, demo};
use clap::{Parser, Subcommand};

/// Brygga — brottsförebyggande samverkan: lägesbild, åtgärder och uppföljning för kommuner,
/// polis och partner.
///
/// Vanligast: `brygga serve` startar servern med en inbyggd SQLite-databas i ./brygga-data.
/// För PostgreSQL: `brygga serve --database-url postgres://brygga@db.example/brygga`.
/// Varje flagga kan också sättas med en miljövariabel (visas inom hakparentes) eller i en
/// TOML-fil som anges med --config.
#[derive(Parser)]
#[command(name = "brygga", version, about, long_about, after_help = "Mer: README.md och docs/ i källkoden.")]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Startar webbservern (webbgränssnitt och API). Uppdaterar databasen först vid behov.
    Serve(ServeArgs),
    /// Kör bara bakgrundsjobben (e-post, veckojobb) utan webbserver. Flera processer kan dela
    /// en PostgreSQL-databas; varje jobb körs av en av dem.
    Worker {
        #[command(flatten)]
        jobs: JobArgs,
        /// Loggformat: text (för människor) eller json (för logginsamling). Standard: text
        #[arg(long, env = "BRYGGA_LOG_FORMAT", value_name = "FORMAT")]
        log_format: Option<String>,
    },
    /// Startar en demo med påhittade data i en ny katalog och skriver ut adress och inloggningar.
    Demo(demo::DemoArgs),
    /// Uppdaterar databasens struktur (görs också automatiskt av serve).
    Migrate,
    /// Hanterar konton.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Hanterar organisationer.
    #[command(subcommand)]
    Org(admin::OrgCommand),
    /// Skriver en konsekvent kopia av SQLite-databasen till FILE (för PostgreSQL: använd pg_dump).
    Backup {
        /// Filen som ska skapas; får inte finnas.
        file: std::path::PathBuf,
    },
    /// Läser in filer: polisens händelser, anmälda brott och trygghetsmätningar; skriver JSON.
    #[command(subcommand)]
    Import(brygga::import::ImportCommand),
    /// Syntetiska data för prestandamätningar (se BENCHMARKS.md); skriver JSON.
    #[command(subcommand)]
    Generate(brygga::national::GenerateCommand),
    /// Sökindexet: bygg om det (`reindex`) eller mät frågor mot det (`bench`); skriver JSON.
    #[command(subcommand)]
    Search(SearchCommand),
    /// Veckosammanfattningar (återkoppling) till forumens medlemmar.
    #[command(subcommand)]
    Digest(brygga::digest::DigestCommand),
    /// Statistisk analys av CSV/GeoJSON-filer; skriver JSON.
    Analys(brygga_analys_cli::AnalysArgs),
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Bygger om hela sökindexet från alla sökbara poster (platser, åtgärder, åtgärdsplaner,
    /// lägesbilder) och tar bort poster som inte längre finns.
    Reindex,
    /// Mäter typiska sökfrågor mot indexet (se scripts/bench-search och BENCHMARKS.md).
    Bench(brygga::generate_search::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Analys(args) = &cli.command {
        let mut out = std::io::stdout().lock();
        return match brygga_analys_cli::run(args, &mut out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("fel: {e}");
                ExitCode::from(2)
            }
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fel: kan inte starta: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fel: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(serve) => {
            let settings = Settings::resolve(&cli.db, &serve)?;
            brygga::init_logging(settings.log_json);
            if let Some(path) = &settings.translations {
                let text = std::fs::read_to_string(path).with_context(|| format!("kan inte läsa {}", path.display()))?;
                brygga_web::kit::i18n::load_catalog(&text).map_err(anyhow::Error::msg)?;
            }
            let started = std::time::Instant::now();
            let store = brygga::open(&settings).await?;
            let listener = tokio::net::TcpListener::bind(settings.listen)
                .await
                .with_context(|| format!("kan inte lyssna på {} — används porten redan? Välj en annan med --listen", settings.listen))?;
            let running = brygga::start(listener, store.clone(), brygga::web_config(&settings))?;
            tracing::info!(addr = %running.addr, database = %store.describe(), startup_ms = started.elapsed().as_secs_f64() * 1000.0, "Brygga is listening");
            let _harvester = settings.harvest.clone().map(|h| brygga::harvest::spawn(store.clone(), h));
            let workers = brygga::start_workers(&store, &settings, false)?;
            running.handle.await??;
            // The web server has seen the signal: now the workers finish or give back their jobs.
            if let Some(w) = workers {
                w.stop().await;
            }
            tracing::info!("stopped");
            Ok(())
        }
        Command::Worker { jobs, log_format } => {
            let serve = ServeArgs { jobs, log_format, ..Default::default() };
            let settings = Settings::resolve(&cli.db, &serve)?;
            brygga::init_logging(settings.log_json);
            if settings.workers == 0 {
                anyhow::bail!("--workers 0: brygga worker behöver minst en arbetare");
            }
            let store = brygga::open(&settings).await?;
            tracing::info!(database = %store.describe(), "Brygga worker running");
            if let Some(w) = brygga::start_workers(&store, &settings, true)? {
                w.join().await;
            }
            tracing::info!("stopped");
            Ok(())
        }
        Command::Demo(args) => demo::run(args, &cli.db).await,
        Command::Migrate => {
            let settings = Settings::resolve(&cli.db, &ServeArgs::default())?;
            let store = brygga::connect(&settings.database_url, settings.pg_max_connections).await?;
            let report = store.migrate().await?;
            println!(
                "{}",
                serde_json::json!({ "database": store.describe(), "applied": report.applied, "already_applied": report.already })
            );
            Ok(())
        }
        Command::User(cmd) => admin::user(&cli.db, cmd).await,
        Command::Import(cmd) => brygga::import::run(&cli.db, cmd).await,
        Command::Org(cmd) => admin::org(&cli.db, cmd).await,
        Command::Digest(cmd) => brygga::digest::run(&cli.db, cmd).await,
        Command::Generate(cmd) => brygga::national::run(&cli.db, cmd).await,
        Command::Search(cmd) => {
            let settings = Settings::resolve(&cli.db, &ServeArgs::default())?;
            let store = brygga::open(&settings).await?;
            match cmd {
                SearchCommand::Reindex => {
                    let started = std::time::Instant::now();
                    let indexed = store.write(brygga_store::search::index::reindex).await?;
                    println!("{}", serde_json::json!({ "indexed": indexed, "seconds": started.elapsed().as_secs_f64() }));
                }
                SearchCommand::Bench(args) => {
                    let timings = brygga::generate_search::bench(&store, &args).await?;
                    println!("{}", serde_json::to_string(&timings)?);
                }
            }
            Ok(())
        }
        Command::Backup { file } => {
            let settings = Settings::resolve(&cli.db, &ServeArgs::default())?;
            let store = brygga::open(&settings).await?;
            store.backup(file.clone()).await.with_context(|| format!("säkerhetskopian {} kunde inte skrivas", file.display()))?;
            println!("{}", serde_json::json!({ "backup": file, "database": store.describe() }));
            Ok(())
        }
        Command::Analys(_) => unreachable!("handled before the runtime starts"),
    }
}
