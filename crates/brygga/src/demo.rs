//! `brygga demo`: a fresh data directory with a small, realistic Skåne setup — three
//! municipalities from the source documents (Trelleborg, Hässleholm, Ängelholm), their local
//! police areas, a dozen organisations, a forum per municipality and one account per role.

use std::path::PathBuf;

use anyhow::Context;
use brygga_domain::{OrgKind, Role, geography};
use brygga_store::accounts::contacts::{self, ContactInput};
use brygga_store::accounts::orgs::{self, OrganisationInput};
use brygga_store::accounts::users::{self, NewUserInput};
use brygga_store::forums::forum::{self, ForumInput};
use brygga_store::places::geography::{self as geo, PoliceAreaInput};
use brygga_store::{Store, Viewer, accounts::auth};
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Katalog för demodatabasen; måste vara tom eller saknas. Utan den används en tillfällig
    /// katalog som tas bort när demon avslutas.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Port på 127.0.0.1. 0 väljer en ledig port.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// E-post och bakgrundsjobb som för `brygga serve` (--smtp-url, --mail-from, --workers).
    /// Utan --smtp-url väntar demons e-post i kön och syns på sidan Drift.
    #[command(flatten)]
    pub jobs: crate::config::JobArgs,
}

/// A demo account: what it is for and how to sign in.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: &'static str,
    pub role: &'static str,
}

struct OrgSeed {
    name: &'static str,
    kind: OrgKind,
    org_number: Option<&'static str>,
    municipalities: &'static [&'static str],
    public: bool,
    description: &'static str,
}

const ORGS: &[OrgSeed] = &[
    OrgSeed {
        name: "Trelleborgs kommun",
        kind: OrgKind::Municipality,
        org_number: Some("212000-1124"),
        municipalities: &["Trelleborg"],
        public: true,
        description: "Samordnar det brottsförebyggande arbetet i forumet Tryggare Trelleborg och EST.",
    },
    OrgSeed {
        name: "Hässleholms kommun",
        kind: OrgKind::Municipality,
        org_number: None,
        municipalities: &["Hässleholm"],
        public: true,
        description: "EST drivs av Förebyggandecentrum inom forumet ReAgera.",
    },
    OrgSeed {
        name: "Ängelholms kommun",
        kind: OrgKind::Municipality,
        org_number: None,
        municipalities: &["Ängelholm"],
        public: true,
        description: "Samlar in lägesbilden var tredje vecka.",
    },
    OrgSeed {
        name: "Polisen, lokalpolisområde Trelleborg",
        kind: OrgKind::Police,
        org_number: None,
        municipalities: &["Trelleborg", "Svedala", "Vellinge"],
        public: true,
        description: "Kommunpolisen deltar i EST och medborgarlöften.",
    },
    OrgSeed {
        name: "Polisen, lokalpolisområde Hässleholm",
        kind: OrgKind::Police,
        org_number: None,
        municipalities: &["Hässleholm", "Osby", "Östra Göinge"],
        public: true,
        description: "",
    },
    OrgSeed {
        name: "Polisen, lokalpolisområde Ängelholm",
        kind: OrgKind::Police,
        org_number: None,
        municipalities: &["Ängelholm", "Båstad", "Höganäs", "Örkelljunga"],
        public: true,
        description: "",
    },
    OrgSeed {
        name: "Länsstyrelsen Skåne",
        kind: OrgKind::CountyBoard,
        org_number: Some("202100-2064"),
        municipalities: &["Trelleborg", "Hässleholm", "Ängelholm"],
        public: true,
        description: "Stödjer kommunernas EST-arbete genom Skånes nätverk för EST.",
    },
    OrgSeed {
        name: "AB Trelleborgshem",
        kind: OrgKind::HousingCompany,
        org_number: None,
        municipalities: &["Trelleborg"],
        public: false,
        description: "Fastighetsskötare rapporterar skadegörelse och klotter.",
    },
    OrgSeed {
        name: "Söderslättsgymnasiet",
        kind: OrgKind::School,
        org_number: None,
        municipalities: &["Trelleborg"],
        public: false,
        description: "",
    },
    OrgSeed {
        name: "Nattvandrarna i Trelleborg",
        kind: OrgKind::CivilSociety,
        org_number: None,
        municipalities: &["Trelleborg"],
        public: true,
        description: "Vuxna på stan fredags- och lördagskvällar.",
    },
    OrgSeed {
        name: "Föreningen Trygga Hässleholm",
        kind: OrgKind::CivilSociety,
        org_number: None,
        municipalities: &["Hässleholm"],
        public: false,
        description: "",
    },
    OrgSeed {
        name: "Räddningstjänsten Söderslätt",
        kind: OrgKind::RescueService,
        org_number: None,
        municipalities: &["Trelleborg", "Vellinge"],
        public: false,
        description: "",
    },
];

/// (e-mail, name, organisation, role; system administrator when organisation is empty).
const USERS: &[(&str, &str, &str, Role, &str)] = &[
    ("admin@brygga.example", "Alva Systemadmin", "", Role::Administrator, "systemadministratör"),
    ("samordnare@trelleborg.example", "Sara Samordnare", "Trelleborgs kommun", Role::Coordinator, "samordnare, Trelleborgs kommun"),
    ("admin@trelleborg.example", "Anders Administratör", "Trelleborgs kommun", Role::Administrator, "administratör, Trelleborgs kommun"),
    (
        "kommunpolis@polisen.example",
        "Karim Kommunpolis",
        "Polisen, lokalpolisområde Trelleborg",
        Role::Coordinator,
        "kommunpolis (samordnare), lokalpolisområde Trelleborg",
    ),
    ("fastighet@trelleborgshem.example", "Maria Medlem", "AB Trelleborgshem", Role::Member, "medlem, AB Trelleborgshem"),
    (
        "faltassistent@trelleborg.example",
        "Rasmus Rapportör",
        "Trelleborgs kommun",
        Role::Reporter,
        "rapportör (fältassistent), Trelleborgs kommun",
    ),
    ("lasare@lansstyrelsen.example", "Lena Läsare", "Länsstyrelsen Skåne", Role::Reader, "läsare, Länsstyrelsen Skåne"),
    ("samordnare@hassleholm.example", "Hugo Samordnare", "Hässleholms kommun", Role::Coordinator, "samordnare, Hässleholms kommun"),
    ("samordnare@angelholm.example", "Ängla Samordnare", "Ängelholms kommun", Role::Coordinator, "samordnare, Ängelholms kommun"),
    (
        "nattvandrare@nattvandrarna.example",
        "Nils Nattvandrare",
        "Nattvandrarna i Trelleborg",
        Role::Administrator,
        "administratör, Nattvandrarna i Trelleborg",
    ),
];

/// (forum, municipality, convener, members, contact e-mails).
type ForumSeed = (&'static str, &'static str, &'static str, &'static [&'static str], &'static [&'static str]);

/// Invited to EST Trelleborg but has not answered yet (the demo shows an open invitation).
const PENDING_INVITATION: &str = "Räddningstjänsten Söderslätt";

const FORUMS: &[ForumSeed] = &[
    (
        "EST Trelleborg",
        "Trelleborg",
        "Trelleborgs kommun",
        &[
            "Polisen, lokalpolisområde Trelleborg",
            "AB Trelleborgshem",
            "Söderslättsgymnasiet",
            "Nattvandrarna i Trelleborg",
            "Räddningstjänsten Söderslätt",
        ],
        &["samordnare@trelleborg.example", "kommunpolis@polisen.example"],
    ),
    (
        "EST Hässleholm",
        "Hässleholm",
        "Hässleholms kommun",
        &["Polisen, lokalpolisområde Hässleholm", "Föreningen Trygga Hässleholm"],
        &["samordnare@hassleholm.example"],
    ),
    ("EST Ängelholm", "Ängelholm", "Ängelholms kommun", &["Polisen, lokalpolisområde Ängelholm"], &["samordnare@angelholm.example"]),
];

fn code(name: &str) -> String {
    geography::municipality_by_name(name).unwrap_or_else(|| panic!("demo municipality {name} exists")).code.to_owned()
}

/// Fills an empty, migrated database. Every account gets `password`.
pub async fn seed(store: &Store, password: &str) -> anyhow::Result<Vec<DemoLogin>> {
    let hash = auth::hash_off_runtime(password.to_owned()).await?;
    let mut logins = store
        .write(move |db| {
            let sys = Viewer::system();
            for area in geography::demo_police_areas() {
                let input = PoliceAreaInput {
                    name: area.name.to_owned(),
                    region: area.region.to_owned(),
                    municipality_codes: area.municipality_codes.iter().map(|c| (*c).to_owned()).collect(),
                };
                geo::upsert_police_area(db, &sys, &input.validate()?)?;
            }
            let mut org_ids = std::collections::HashMap::new();
            for o in ORGS {
                let input = OrganisationInput {
                    name: o.name.into(),
                    kind: o.kind.code().into(),
                    org_number: o.org_number.map(Into::into),
                    description: Some(o.description.into()),
                    website: None,
                    public_profile: o.public,
                    municipalities: o.municipalities.iter().map(|m| code(m)).collect(),
                };
                org_ids.insert(o.name, orgs::create(db, &sys, &input.validate()?)?.id);
            }
            let mut user_ids = std::collections::HashMap::new();
            let mut logins = Vec::new();
            for (email, name, org, role, what) in USERS {
                let input = NewUserInput {
                    email: (*email).into(),
                    name: (*name).into(),
                    password: None,
                    org_id: (!org.is_empty()).then(|| org_ids[org]),
                    role: (!org.is_empty()).then(|| role.code().to_owned()),
                    system_admin: org.is_empty(),
                };
                let mut valid = input.validate()?;
                valid.password_hash = Some(hash.clone());
                user_ids.insert(*email, users::create(db, &sys, &valid)?.id);
                logins.push(DemoLogin { email, role: what });
            }
            // Members are invited and contact persons asked, as in real use; the fictional
            // organisations and people then say yes (the system stands in for their answers) —
            // except one invitation left open, to show what an unanswered one looks like.
            let post = brygga_store::kernel::mail::Postmark::new("brygga.example", "http://127.0.0.1:8080");
            for (name, muni, convener, members, contacts) in FORUMS {
                let mut input = ForumInput {
                    name: (*name).into(),
                    description: Some("Veckovis avstämning enligt EST: gemensam lägesbild, riskbedömning och åtgärder.".into()),
                    municipality_code: Some(code(muni)),
                    convener_org_id: org_ids[convener],
                    member_org_ids: members.iter().map(|m| org_ids[m]).collect(),
                    contact_user_ids: vec![],
                };
                let forum = forum::create(db, &sys, &input.validate()?, &post)?;
                let keep_open: Vec<i64> = members.iter().filter(|m| **m == PENDING_INVITATION).map(|m| org_ids[m]).collect();
                brygga_store::forums::consent::accept_all_as_system(db, &sys, forum.id, &keep_open)?;
                if !contacts.is_empty() {
                    input.contact_user_ids = contacts.iter().map(|c| user_ids[c]).collect();
                    let forum = forum::update(db, &sys, forum.id, forum.version, &input.validate()?, &post)?;
                    brygga_store::forums::consent::accept_all_as_system(db, &sys, forum.id, &keep_open)?;
                }
            }
            // The municipalities' places, parents first, owned by the municipality itself.
            let mut place_ids: std::collections::HashMap<(&str, &str), i64> = std::collections::HashMap::new();
            for (muni, name, kind, parent, geometry) in crate::demo_places::demo_areas() {
                let owner = ORGS
                    .iter()
                    .find(|o| o.kind == OrgKind::Municipality && o.municipalities.first().is_some_and(|m| code(m) == muni))
                    .map(|o| org_ids[o.name]);
                let Some(owner_org_id) = owner else { continue };
                let municipality = brygga_domain::geography::MunicipalityCode::parse(muni).expect("demo municipality code");
                let parent_id = parent.and_then(|p| place_ids.get(&(muni, p)).copied());
                let a = brygga_store::places::areas::NewArea {
                    municipality,
                    parent_id,
                    name: name.into(),
                    kind: kind.into(),
                    geometry,
                    owner_org_id,
                };
                place_ids.insert((muni, name), brygga_store::places::areas::create(db, &sys, &a)?.id);
            }
            let est = forum::list(db, &sys)?.into_iter().find(|f| f.name == "EST Trelleborg").map(|f| f.id);
            for (org, name, title, visibility) in [
                ("Trelleborgs kommun", "Sara Samordnare", "Brottsförebyggande samordnare", "public"),
                ("AB Trelleborgshem", "Jonas Fastighetschef", "Fastighetschef", "forum"),
                ("AB Trelleborgshem", "Eva Bovärd", "Bovärd, Västra Sorgenfri", "organisation"),
                ("Nattvandrarna i Trelleborg", "Nils Nattvandrare", "Ordförande", "public"),
            ] {
                let input = ContactInput {
                    name: name.into(),
                    title: Some(title.into()),
                    email: None,
                    phone: None,
                    visibility: visibility.into(),
                    forum_id: (visibility == "forum").then_some(est).flatten(),
                    ..Default::default()
                };
                contacts::create(db, &sys, org_ids[org], &input.validate()?)?;
            }
            Ok(logins)
        })
        .await?;
    let now = jiff::Timestamp::now();
    crate::demo_year::seed(store, now).await?;
    crate::demo_year::seed_questionnaire(store, now).await?;
    crate::demo_work::seed(store, brygga_store::kernel::mail::Postmark::new("brygga.example", "http://127.0.0.1:8080")).await?;
    store.write(move |db| crate::demo_plans::seed_context(db, brygga_domain::time::today())).await?;
    store.write(move |db| crate::demo_plans::seed_documents(db, brygga_domain::time::today())).await?;
    logins.extend(crate::demo_programmes::seed(store, password).await?);
    let logins = [logins, store.write(move |db| crate::demo_agreements::seed(db, brygga_domain::time::today())).await?].concat();
    store.write(move |db| crate::demo_steering::seed(db, brygga_domain::time::today())).await?;
    store.write(crate::demo_contacts::seed).await?;
    let logins = [logins, store.write(move |db| crate::demo_interventions::seed(db, brygga_domain::time::today())).await?].concat();
    let logins = [logins, crate::demo_directory::seed(store, password, brygga_domain::time::today()).await?].concat();
    store
        .write(move |db| {
            let post = crate::demo_consultations::post();
            let seeded = crate::demo_consultations::seed(db, brygga_domain::time::today(), &post)?;
            crate::demo_consultations::conclude(db, &seeded, &post)
        })
        .await?;
    store
        .write(|db| crate::demo_knowledge::seed(db, &brygga_store::kernel::mail::Postmark::new("brygga.example", "http://127.0.0.1:8080")))
        .await?;
    store.write(move |db| crate::demo_events::seed(db, brygga_domain::time::today())).await?;
    // Some demo data is written straight into its tables: the whole search index is rebuilt.
    store.write(brygga_store::search::index::reindex).await?;
    Ok(logins)
}

/// Runs the demo: in a fresh SQLite file (a temporary directory, or `--data-dir`), or in the
/// database of `--database-url` / `BRYGGA_DATABASE_URL` (e.g. an empty PostgreSQL database),
/// which must hold no accounts yet: the demo never mixes its data into a real installation.
pub async fn run(args: DemoArgs, db: &crate::config::DbArgs) -> anyhow::Result<()> {
    crate::init_logging(false);
    let (store, where_, _temp) = if let Some(url) = db.database_url.clone().filter(|u| !u.trim().is_empty()) {
        let settings = crate::config::Settings::resolve(db, &crate::config::ServeArgs::default())?;
        let store = crate::connect(&url, settings.pg_max_connections).await?;
        store.migrate().await?;
        let accounts: i64 = store
            .read(|c| Ok(brygga_store::ConnExt::scalar(c, "SELECT COUNT(*) FROM users", &[])?))
            .await
            .context("kan inte läsa databasen")?;
        if accounts > 0 {
            anyhow::bail!(
                "databasen {} innehåller redan {accounts} konton. Demon lägger bara in sina data i en tom databas: skapa en ny \
                 (till exempel createdb brygga_demo) och ange den med --database-url.",
                store.describe()
            );
        }
        let describe = store.describe();
        (store, describe, None)
    } else {
        let (dir, temp) = match args.data_dir {
            Some(d) => {
                if d.join("brygga.db").exists() {
                    anyhow::bail!(
                        "{} innehåller redan en databas. Demon startar alltid från början: välj en tom katalog eller ta bort den gamla.",
                        d.display()
                    );
                }
                (d, None)
            }
            None => {
                let t = tempfile::Builder::new().prefix("brygga-demo-").tempdir().context("kan inte skapa en tillfällig katalog")?;
                (t.path().to_owned(), Some(t))
            }
        };
        let url = format!("sqlite://{}", dir.join("brygga.db").display());
        let store = crate::connect(&url, 1).await?;
        store.migrate().await?;
        let where_ = format!("{}{}", dir.display(), if temp.is_some() { " (tas bort när demon avslutas)" } else { "" });
        (store, where_, temp)
    };
    let password =
        std::env::var("BRYGGA_DEMO_PASSWORD").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| format!("demo-{}", auth::random_token(9)));
    let logins = seed(&store, &password).await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("port {} är upptagen; välj en annan med --port (0 = valfri ledig)", args.port))?;
    let addr = listener.local_addr()?;
    let mut jobs = args.jobs.clone();
    jobs.public_url = jobs.public_url.or_else(|| Some(format!("http://{addr}")));
    let settings =
        crate::config::Settings::resolve(&crate::config::DbArgs::default(), &crate::config::ServeArgs { jobs, ..Default::default() })?;
    let running = crate::start(listener, store.clone(), crate::web_config(&settings))?;
    let workers = crate::start_workers(&store, &settings, false)?;
    println!("Brygga-demo körs på http://{}/", running.addr);
    println!("Data: {where_}");
    println!("Lösenord för alla demokonton: {password}");
    for l in &logins {
        println!("  {:<38} {}", l.email, l.role);
    }
    println!("Avsluta med Ctrl+C.");
    running.handle.await??;
    if let Some(w) = workers {
        w.stop().await;
    }
    Ok(())
}
