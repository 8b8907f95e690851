//! Demo data for contact persons with roles, and Trelleborg's "vart vänder jag mig" guide
//! (issue 15, items 2 and 4). The counterparts themselves are reference data (shipped for
//! Skåne, `data/geography/counterparts.csv`) and the local police areas come with the demo.
//!
//! The deliberate gap: Trelleborg and Ängelholm have a contact person for violent extremism,
//! Hässleholm has none — the county coordinator's coverage report shows it.

use brygga_domain::geography::MunicipalityCode;
use brygga_store::accounts::contacts::{self, ContactInput};
use brygga_store::actors::guide::{self, EntryInput, GuideInput};
use brygga_store::{Conn, ConnExt, StoreResult, Viewer, args};

/// (organisation, name, title, level, role, municipalities or county).
type ContactSeed = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static [&'static str]);
const CONTACTS: &[ContactSeed] = &[
    ("Trelleborgs kommun", "Tove Lind", "Samordnare mot våldsbejakande extremism", "kommun", "vbe", &["1287"]),
    ("Trelleborgs kommun", "Omar Said", "SSPF-samordnare", "kommun", "sspf", &["1287"]),
    ("Hässleholms kommun", "Hanna Berg", "Brottsförebyggande samordnare", "kommun", "samordnare", &["1293"]),
    ("Hässleholms kommun", "Jonas Ek", "SSPF-samordnare", "kommun", "sspf", &["1293"]),
    ("Ängelholms kommun", "Ängla Samordnare", "Trygghetssamordnare", "kommun", "samordnare", &["1292"]),
    ("Ängelholms kommun", "Erik Holm", "Kontaktperson våldsbejakande extremism", "kommun", "vbe", &["1292"]),
    ("Polisen, lokalpolisområde Trelleborg", "Karim Kommunpolis", "Kommunpolis", "kommun", "kommunpolis", &["1287", "1263", "1233"]),
    ("Polisen, lokalpolisområde Hässleholm", "Petra Nilsson", "Kommunpolis", "kommun", "kommunpolis", &["1293", "1273", "1256"]),
    ("Polisen, lokalpolisområde Ängelholm", "Ali Demir", "Kommunpolis", "kommun", "kommunpolis", &["1292", "1278", "1284", "1257"]),
    ("Länsstyrelsen Skåne", "Linnea Länssamordnare", "Regional samordnare för brottsförebyggande arbete", "lan", "samordnare", &["12"]),
    ("Länsstyrelsen Skåne", "Viktor Regional", "Regional samordnare mot våldsbejakande extremism", "lan", "vbe", &["12"]),
];

/// (concern, who, how, phone, website).
type GuideSeed = (&'static str, &'static str, &'static str, Option<&'static str>, Option<&'static str>);
const TRELLEBORG_GUIDE: &[GuideSeed] = &[
    ("akut", "SOS Alarm", "Ring 112 om någon är i fara eller om ett brott pågår.", Some("112"), None),
    (
        "oro_barn",
        "Socialtjänsten, mottagningen för barn och unga",
        "Gör en orosanmälan om du tror att ett barn far illa. Du kan vara anonym om du inte arbetar med barn. Efter kontorstid: ring socialjouren via 112 vid akut fara.",
        Some("0410-73 30 00"),
        Some("https://www.trelleborg.se/omsorg-och-stod/barn-och-familj/"),
    ),
    (
        "rekrytering",
        "Socialtjänsten och kommunpolisen (SSPF)",
        "Är du orolig för att en ung person dras in i kriminalitet? Kontakta socialtjänsten. Skola, socialtjänst, polis och fritid arbetar tillsammans i SSPF.",
        Some("0410-73 30 00"),
        None,
    ),
    (
        "extremism",
        "Kommunens samordnare mot våldsbejakande extremism",
        "Rådgivning till dig som möter någon som du tror är på väg in i våldsbejakande extremism.",
        Some("0410-73 30 00"),
        None,
    ),
    (
        "extremism",
        "Center mot våldsbejakande extremism (CVE)",
        "Nationell stödtelefon för yrkesverksamma, föreningar och anhöriga.",
        None,
        Some("https://www.cve.se/"),
    ),
    (
        "hot_forening",
        "Polisen",
        "Har föreningen eller någon av era ledare fått hot? Polisanmäl. Berätta också för kommunens föreningskontakt så att ni kan få stöd.",
        Some("114 14"),
        Some("https://polisen.se/"),
    ),
    (
        "tips_polis",
        "Polisen",
        "Lämna tips på telefon eller på polisens webbplats. Du kan vara anonym.",
        Some("114 14"),
        Some("https://polisen.se/tipsa"),
    ),
    (
        "brottsutsatt",
        "Brottsofferjouren",
        "Stöd till dig som utsatts för brott, eller är vittne eller anhörig.",
        Some("116 006"),
        Some("https://www.brottsofferjouren.se/"),
    ),
    (
        "otrygg_plats",
        "Trelleborgs kommun, trygghetsfrågor",
        "Tipsa om platser som känns otrygga: trasig belysning, klotter, skadegörelse. Kommunen tar upp det i den veckovisa lägesbilden.",
        Some("0410-73 30 00"),
        None,
    ),
];

fn org_id(db: &mut dyn Conn, name: &str) -> StoreResult<i64> {
    Ok(db.scalar("SELECT id FROM organisations WHERE name = $1", args![name])?)
}

/// Writes the contact persons and the guide, as the system (demo data).
pub fn seed(db: &mut dyn Conn) -> StoreResult<()> {
    let sys = Viewer::system();
    for (org, name, title, level, role, covers) in CONTACTS {
        let id = org_id(db, org)?;
        let input = ContactInput {
            name: (*name).into(),
            title: Some((*title).into()),
            email: Some(format!(
                "{}@{}.example",
                name.to_lowercase().replace(' ', ".").replace(['ä', 'å'], "a").replace('ö', "o"),
                "kontakt"
            )),
            visibility: "public".into(),
            level: Some((*level).into()),
            role: Some((*role).into()),
            county_code: (*level == "lan").then(|| covers[0].to_owned()),
            municipality_codes: if *level == "kommun" { covers.iter().map(|c| (*c).to_owned()).collect() } else { vec![] },
            ..Default::default()
        };
        contacts::create(db, &sys, id, &input.validate()?)?;
    }
    // Trelleborg's existing coordinator gets her role.
    let trelleborg = org_id(db, "Trelleborgs kommun")?;
    if let Some(sara) = contacts::list_for_org(db, &sys, trelleborg)?.into_iter().find(|c| c.name == "Sara Samordnare") {
        let input = ContactInput {
            name: sara.name.clone(),
            title: sara.title.clone(),
            visibility: "public".into(),
            level: Some("kommun".into()),
            role: Some("samordnare".into()),
            municipality_codes: vec!["1287".into()],
            ..Default::default()
        };
        contacts::update(db, &sys, sara.id, sara.version, &input.validate()?)?;
    }

    // The guide is written by the municipality's coordinator (the system may not: it is the
    // municipality's own text), so act as her.
    let user: i64 = db.scalar("SELECT id FROM users WHERE email = 'samordnare@trelleborg.example'", &[])?;
    let sara = Viewer::for_user(db, user, brygga_store::Via::Cli)?;
    let m = MunicipalityCode::parse("1287").map_err(|e| brygga_store::StoreError::Internal(e.to_string()))?;
    let intro = "Här står vart du vänder dig i Trelleborg när du är orolig för något – som förälder, föreningsledare, granne eller anställd. Guiden tar inte emot ärenden.";
    guide::save(db, &sara, &m, 0, &GuideInput { intro: Some(intro.into()), published: false })?;
    for (concern, who, how, phone, website) in TRELLEBORG_GUIDE {
        let e = EntryInput {
            concern: (*concern).into(),
            who: (*who).into(),
            how: (*how).into(),
            phone: phone.map(str::to_owned),
            email: None,
            website: website.map(str::to_owned),
            org_id: None,
        };
        guide::add_entry(db, &sara, &m, &e.validate()?)?;
    }
    let version = guide::get(db, &sara, &m)?.version;
    guide::save(db, &sara, &m, version, &GuideInput { intro: Some(intro.into()), published: true })?;
    Ok(())
}
