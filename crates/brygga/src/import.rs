//! `brygga import …`: police events, reported-crime statistics and safety surveys from files,
//! acting as the operator ("kommandorad" in the audit log); observations (EST reports) from a
//! survey tool's or spreadsheet's export, acting as the named account. Each command prints one line of
//! JSON; a file that cannot be read, or is refused as a whole, ends with a message on standard
//! error and a non-zero exit code, and nothing is written.
//!
//! Police events are public data owned by no organisation: without `--org` they are stored
//! like harvested events, without a batch (the same events imported again count as
//! duplicates). With `--org` the file is also recorded as that organisation's import.

use std::path::{Path, PathBuf};

use anyhow::Context;
use brygga_domain::geography;
use brygga_import::police_events::parse_police_events;
use brygga_import::tabular::{ReadOptions, read_table_with};
use brygga_import::{crime_stats, safety_survey};
use brygga_store::picture::imports::{self, Refusal};
use brygga_store::picture::police_events::{self, EventsFile};
use brygga_store::picture::statistics::{self, SurveyTarget};
use brygga_store::{ConnExt, Store, Via, Viewer, Visibility, forums::forum, sort_key};
use clap::Subcommand;

use crate::config::{DbArgs, ServeArgs, Settings};

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Läser in observationer (EST-rapporter) från CSV eller Excel, som guiden i webbgränssnittet
    /// men med kolumnerna gissade ur rubrikerna (Datum, Tid, Kategori, Plats, Antal, Kommentar …).
    /// Allt eller inget; skriver {"batch_id":…,"rows":…}. Filer upp till 512 MB.
    Observations {
        file: PathBuf,
        /// Forumet vars checklista och kommun raderna gäller (id eller exakt namn).
        #[arg(long)]
        forum: String,
        /// Kontot (e-postadress) som importerar; raderna rapporteras av det, med dess rättigheter.
        #[arg(long)]
        user: String,
        /// Organisationen som importerar, om kontot tillhör flera i forumet (id eller exakt namn).
        #[arg(long)]
        org: Option<String>,
        /// Vem som ser raderna: forum (standard) eller organisation.
        #[arg(long)]
        visibility: Option<String>,
    },
    /// Läser in polisens händelser (JSON från polisens API) och skriver
    /// {"read":…,"new":…,"duplicates":…,"rejected":[…]}. Händelser som inte går att läsa listas
    /// i rejected; resten läses in.
    PoliceEvents {
        /// JSON-filen (svaret från polisens /api/events, oförändrat).
        file: PathBuf,
        /// Organisationens id eller exakta namn: filen registreras som dess import. Utan: som
        /// automatisk hämtning, utan organisation.
        #[arg(long)]
        org: Option<String>,
    },
    /// Läser in anmälda brott per kommun, månad och brottstyp (CSV eller Excel som
    /// statistikdatabasen exporterar). Allt eller inget.
    CrimeStats {
        file: PathBuf,
        /// Organisationens id eller exakta namn (den som läser in).
        #[arg(long)]
        org: String,
    },
    /// Läser in en trygghetsmätning: andel otrygga och antal svar per område, fråga och år.
    /// Allt eller inget.
    SafetySurvey {
        file: PathBuf,
        /// Organisationen som äger resultaten (id eller exakt namn).
        #[arg(long)]
        org: String,
        /// Kommunen som mätningen gäller (kod eller namn).
        #[arg(long)]
        municipality: String,
        /// Dela resultaten med forumet (id eller exakt namn). Utan: bara organisationen.
        #[arg(long, conflicts_with = "public")]
        forum: Option<String>,
        /// Gör resultaten publika.
        #[arg(long)]
        public: bool,
    },
}

async fn open(db: &DbArgs) -> anyhow::Result<Store> {
    crate::open(&Settings::resolve(db, &ServeArgs::default())?).await
}

fn read(file: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(file).with_context(|| format!("kan inte läsa {}", file.display()))
}

fn file_name(file: &Path) -> Option<String> {
    file.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// An organisation by id or exact name.
async fn find_org(store: &Store, org: &str) -> anyhow::Result<i64> {
    let key = sort_key(org);
    let wanted = org.trim().parse::<i64>().ok();
    let found: Option<i64> = store
        .read(move |db| {
            Ok(db.scalar_opt("SELECT id FROM organisations WHERE id = $1 OR name_key = $2", &[wanted.unwrap_or(-1).into(), key.into()])?)
        })
        .await?;
    found.ok_or_else(|| anyhow::anyhow!("--org: hittar ingen organisation ”{org}”; se brygga org list"))
}

/// A forum by id or exact name.
async fn find_forum(store: &Store, forum: &str) -> anyhow::Result<i64> {
    let key = sort_key(forum);
    let all = store.read(|db| forum::list(db, &Viewer::command_line())).await?;
    all.iter()
        .find(|f| f.id.to_string() == forum.trim() || sort_key(&f.name) == key)
        .map(|f| f.id)
        .ok_or_else(|| anyhow::anyhow!("--forum: hittar inget forum ”{forum}”"))
}

fn refused(r: Refusal) -> anyhow::Error {
    anyhow::anyhow!("{}", r.message())
}

/// The command line reads larger files than the web wizard (imports::MAX_UPLOAD_BYTES).
pub const MAX_CLI_OBSERVATION_BYTES: usize = 512 * 1024 * 1024;

pub async fn run(db: &DbArgs, cmd: ImportCommand) -> anyhow::Result<()> {
    match cmd {
        ImportCommand::Observations { file, forum, user, org, visibility } => {
            let bytes = read(&file)?;
            let sha = imports::file_sha256(&bytes);
            let name = file_name(&file);
            let n2 = name.clone();
            let table = tokio::task::spawn_blocking(move || {
                read_table_with(&bytes, n2.as_deref(), &ReadOptions { max_bytes: MAX_CLI_OBSERVATION_BYTES })
            })
            .await?
            .map_err(|e| anyhow::anyhow!("{} lästes inte in: {e}", file.display()))?;
            let store = open(db).await?;
            let forum_id = find_forum(&store, &forum).await?;
            let org_id = match org {
                Some(o) => Some(find_org(&store, &o).await?),
                None => None,
            };
            let email = user.trim().to_lowercase();
            let user_id: i64 = store
                .read(move |db| Ok(db.scalar_opt::<i64>("SELECT id FROM users WHERE email = $1", &[email.into()])?))
                .await?
                .ok_or_else(|| anyhow::anyhow!("--user: hittar inget konto med e-postadressen ”{user}”; se brygga user list"))?;
            let settings = imports::ObservationSettings { forum_id, org_id, visibility };
            let mapping = imports::ColumnMapping::guess(&table.headers);
            let done = store
                .write(move |db| {
                    let v = Viewer::for_user(db, user_id, Via::Cli)?;
                    let file = imports::ObservationFile { name: name.as_deref(), sha256: &sha, uploaded_for: None };
                    imports::import_observation_table(db, &v, &settings, &table, &mapping, &file, jiff::Timestamp::now())
                })
                .await?
                .map_err(refused)?;
            println!("{}", serde_json::to_string(&done)?);
        }
        ImportCommand::PoliceEvents { file, org } => {
            let bytes = read(&file)?;
            let sha = imports::file_sha256(&bytes);
            let parsed = tokio::task::spawn_blocking(move || parse_police_events(&bytes))
                .await?
                .with_context(|| format!("{} lästes inte in", file.display()))?;
            let store = open(db).await?;
            let org = match org {
                Some(o) => Some(find_org(&store, &o).await?),
                None => None,
            };
            let name = file_name(&file);
            let summary = store
                .write(move |db| {
                    police_events::import(db, &Viewer::command_line(), org, EventsFile { file_name: name.as_deref(), sha256: &sha, parsed })
                })
                .await?;
            println!("{}", serde_json::to_string(&summary)?);
        }
        ImportCommand::CrimeStats { file, org } => {
            let bytes = read(&file)?;
            let sha = imports::file_sha256(&bytes);
            let name = file_name(&file);
            let n2 = name.clone();
            let stats = tokio::task::spawn_blocking(move || crime_stats::parse_crime_stats(&bytes, n2.as_deref())).await?;
            let stats = stats.map_err(|e| anyhow::anyhow!("{} lästes inte in: {e}", file.display()))?;
            let store = open(db).await?;
            let org = find_org(&store, &org).await?;
            let done = store
                .write(move |db| statistics::import_crime_statistics(db, &Viewer::command_line(), org, name.as_deref(), &sha, &stats))
                .await?
                .map_err(refused)?;
            println!("{}", serde_json::to_string(&done)?);
        }
        ImportCommand::SafetySurvey { file, org, municipality, forum, public } => {
            let m = geography::municipality_by_name(&municipality)
                .ok_or_else(|| {
                    anyhow::anyhow!("--municipality: hittar ingen kommun ”{municipality}”; skriv namnet eller den fyrsiffriga koden")
                })?
                .municipality_code();
            let bytes = read(&file)?;
            let sha = imports::file_sha256(&bytes);
            let name = file_name(&file);
            let n2 = name.clone();
            let survey = tokio::task::spawn_blocking(move || safety_survey::parse_safety_survey(&bytes, n2.as_deref())).await?;
            let survey = survey.map_err(|e| anyhow::anyhow!("{} lästes inte in: {e}", file.display()))?;
            let store = open(db).await?;
            let org = find_org(&store, &org).await?;
            let visibility = match (forum, public) {
                (Some(f), _) => Visibility::Forum { forum_id: find_forum(&store, &f).await? },
                (None, true) => Visibility::Public,
                (None, false) => Visibility::Organisation,
            };
            let target = SurveyTarget { org_id: org, municipality: m, visibility };
            let done = store
                .write(move |db| statistics::import_safety_survey(db, &Viewer::command_line(), &target, name.as_deref(), &sha, &survey))
                .await?
                .map_err(refused)?;
            println!("{}", serde_json::to_string(&done)?);
        }
    }
    Ok(())
}
