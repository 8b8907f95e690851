//! The demo's register of ongoing interventions and its networks (issue 15, items 3 and 5).
//!
//! - **Two that overlap** in Trelleborg: the municipality's "Fotboll fredag kväll för unga i
//!   Centrum" (13–16, this autumn, shared with the forum EST Trelleborg, not discoverable) and
//!   the football club IK Söderslätt Fotboll's "Kvällsfotboll för tonåringar" (14–18, same area
//!   and period, shared only within the club but discoverable). Both owners get a hint: the
//!   municipality learns that the club runs something overlapping and whom to contact; the club
//!   learns only that an overlap exists.
//! - Nattvandrarna's night walks in Trelleborg, summer activities and homework help in
//!   Hässleholm, parent evenings in Ängelholm (public).
//! - A regional **network** — "Nätverket för brottsförebyggande samordnare i Skåne", convened
//!   by Länsstyrelsen Skåne, with the three municipalities, the police and two persons — and a
//!   municipal **reference group** in Trelleborg.
//!
//! Everything goes through the store commands as the people who would do it.

use brygga_domain::{OrgKind, Role};
use brygga_store::accounts::orgs::{self, OrganisationInput};
use brygga_store::accounts::users::{self, NewUserInput};
use brygga_store::actors::interventions::{self, InterventionInput};
use brygga_store::actors::networks::{self, MemberInput, NetworkInput};
use brygga_store::kernel::viewer::Via;
use brygga_store::{Conn, ConnExt, StoreResult, Viewer, args};
use jiff::civil::Date;

use crate::demo::DemoLogin;

/// The football club's name and its administrator's address.
pub const CLUB: &str = "IK Söderslätt Fotboll";
pub const CLUB_ADMIN: &str = "ungdom@iksoderslatt.example";

fn user(db: &mut dyn Conn, email: &str) -> StoreResult<Viewer> {
    let id: i64 = db.scalar("SELECT id FROM users WHERE email = $1", args![email])?;
    Viewer::for_user(db, id, Via::Web)
}

fn org(db: &mut dyn Conn, name: &str) -> StoreResult<Option<i64>> {
    Ok(db.scalar_opt("SELECT id FROM organisations WHERE name = $1", args![name])?)
}

fn area(db: &mut dyn Conn, municipality: &str, name: &str) -> StoreResult<Vec<i64>> {
    Ok(db.scalars("SELECT id FROM areas WHERE municipality_code = $1 AND name = $2", args![municipality, name])?)
}

fn forum(db: &mut dyn Conn, name: &str) -> StoreResult<Option<i64>> {
    Ok(db.scalar_opt("SELECT id FROM forums WHERE name = $1", args![name])?)
}

fn day(d: Date, n: i64) -> String {
    d.checked_add(jiff::Span::new().days(n)).expect("in range").to_string()
}

/// The football club and its administrator (with the password of the other demo accounts).
fn club(db: &mut dyn Conn) -> StoreResult<Option<DemoLogin>> {
    if org(db, CLUB)?.is_none() {
        let input = OrganisationInput {
            name: CLUB.into(),
            kind: OrgKind::CivilSociety.code().into(),
            org_number: None,
            description: Some("Ungdomsfotboll i Trelleborg med lag från 7 till 19 år.".into()),
            website: None,
            public_profile: true,
            municipalities: vec!["1287".into()],
        };
        orgs::create(db, &Viewer::system(), &input.validate()?)?;
    }
    if db.scalar_opt::<i64>("SELECT id FROM users WHERE email = $1", args![CLUB_ADMIN])?.is_some() {
        return Ok(None);
    }
    let hash: Option<String> = db.scalar("SELECT password_hash FROM users WHERE email = $1", args!["samordnare@trelleborg.example"])?;
    let input = NewUserInput {
        email: CLUB_ADMIN.into(),
        name: "Fanny Fotbollsledare".into(),
        password: None,
        org_id: org(db, CLUB)?,
        role: Some(Role::Administrator.code().into()),
        system_admin: false,
    };
    let mut valid = input.validate()?;
    valid.password_hash = hash;
    users::create(db, &Viewer::system(), &valid)?;
    Ok(Some(DemoLogin { email: CLUB_ADMIN, role: "administratör, IK Söderslätt Fotboll (föreningen)" }))
}

struct Seed<'a> {
    by: &'a str,
    owner: &'a str,
    title: &'a str,
    description: &'a str,
    municipality: &'a str,
    area: Option<&'a str>,
    from: i64,
    to: Option<i64>,
    recurrence: &'a str,
    ages: (Option<i64>, Option<i64>),
    themes: &'a [&'a str],
    groups: &'a [&'a str],
    funder: Option<(&'a str, i64, i64)>,
    contact: &'a str,
    visibility: &'a str,
    forum: Option<&'a str>,
    discoverable: bool,
}

/// Seeds the interventions and networks as of `today`. Returns the demo logins it created.
pub fn seed(db: &mut dyn Conn, today: Date) -> StoreResult<Vec<DemoLogin>> {
    let mut logins = Vec::new();
    logins.extend(club(db)?);
    let seeds = [
        Seed {
            by: "samordnare@trelleborg.example",
            owner: "Trelleborgs kommun",
            title: "Fotboll fredag kväll för unga i Centrum",
            description: "Fritidsgården och fältgruppen håller öppen fotboll på konstgräsplanen i Centrum varje fredag kväll, med vuxna på plats och fika efteråt.",
            municipality: "1287",
            area: Some("Centrum"),
            from: -30,
            to: Some(90),
            recurrence: "weekly",
            ages: (Some(13), Some(16)),
            themes: &["idrott", "fritid"],
            groups: &["unga"],
            funder: Some(("Brottsförebyggande rådet", -30, 90)),
            contact: "Fältgruppen, falt@trelleborg.example, 0410-73 30 00",
            visibility: "forum",
            forum: Some("EST Trelleborg"),
            discoverable: false,
        },
        Seed {
            by: CLUB_ADMIN,
            owner: CLUB,
            title: "Kvällsfotboll för tonåringar",
            description: "Spontanfotboll för tonåringar på fredag kväll i Centrum, ledd av föreningens ungdomsledare. Ingen anmälan, ingen avgift.",
            municipality: "1287",
            area: Some("Centrum"),
            from: -14,
            to: Some(90),
            recurrence: "weekly",
            ages: (Some(14), Some(18)),
            themes: &["idrott", "fritid"],
            groups: &["unga"],
            funder: Some(("Allmänna arvsfonden", -14, 350)),
            contact: "Ungdomsansvarig, ungdom@iksoderslatt.example",
            visibility: "organisation",
            forum: None,
            discoverable: true,
        },
        Seed {
            by: "nattvandrare@nattvandrarna.example",
            owner: "Nattvandrarna i Trelleborg",
            title: "Nattvandring fredag och lördag",
            description: "Vuxna i gula västar finns vid resecentrum och på stan under helgerna.",
            municipality: "1287",
            area: Some("Trelleborgs resecentrum"),
            from: -400,
            to: None,
            recurrence: "weekly",
            ages: (None, None),
            themes: &["nattvandring", "trygghet"],
            groups: &["vuxna"],
            funder: None,
            contact: "Nattvandrarna i Trelleborg, trelleborg@nattvandrarna.example",
            visibility: "public",
            forum: None,
            discoverable: true,
        },
        Seed {
            by: "samordnare@hassleholm.example",
            owner: "Hässleholms kommun",
            title: "Sommarlovsaktiviteter för unga",
            description: "Prova-på-aktiviteter, utflykter och sommarjobb för unga under sommarlovet.",
            municipality: "1293",
            area: Some("Centrum"),
            from: 180,
            to: Some(240),
            recurrence: "holidays",
            ages: (Some(13), Some(16)),
            themes: &["fritid", "arbete"],
            groups: &["unga"],
            funder: Some(("Myndigheten för familjerätt och föräldraskapsstöd", 180, 240)),
            contact: "Fritidsenheten, fritid@hassleholm.example",
            visibility: "public",
            forum: None,
            discoverable: true,
        },
        Seed {
            by: "samordnare@angelholm.example",
            owner: "Ängelholms kommun",
            title: "Föräldraträffar om barnens liv på nätet",
            description: "Kvällsträffar för föräldrar om spel, sociala medier och hur man pratar med sina barn om nätet.",
            municipality: "1292",
            area: None,
            from: -60,
            to: Some(120),
            recurrence: "monthly",
            ages: (None, None),
            themes: &["foraldrastod"],
            groups: &["foraldrar"],
            funder: None,
            contact: "Familjecentralen, familj@angelholm.example",
            visibility: "public",
            forum: None,
            discoverable: true,
        },
    ];
    for s in seeds {
        let Some(owner) = org(db, s.owner)? else { continue };
        let v = user(db, s.by)?;
        let areas = match s.area {
            Some(a) => area(db, s.municipality, a)?,
            None => Vec::new(),
        };
        let input = InterventionInput {
            title: s.title.into(),
            description: s.description.into(),
            method: None,
            method_id: None,
            owner_org_id: Some(owner),
            partner_org_ids: Vec::new(),
            municipality_codes: vec![s.municipality.into()],
            area_ids: areas,
            lat: None,
            lon: None,
            period_from: Some(day(today, s.from)),
            period_to: s.to.map(|t| day(today, t)),
            recurrence: Some(s.recurrence.into()),
            age_from: s.ages.0,
            age_to: s.ages.1,
            themes: s.themes.iter().map(|t| (*t).into()).collect(),
            target_groups: s.groups.iter().map(|t| (*t).into()).collect(),
            funder: s.funder.map(|f| f.0.into()),
            funding_from: s.funder.map(|f| day(today, f.1)),
            funding_to: s.funder.map(|f| day(today, f.2)),
            contact: Some(s.contact.into()),
            status: Some(if s.from > 0 { "planned" } else { "ongoing" }.into()),
            visibility: Some(s.visibility.into()),
            forum_id: match s.forum {
                Some(f) => forum(db, f)?,
                None => None,
            },
            discoverable: s.discoverable,
        };
        interventions::create(db, &v, &input)?;
    }

    // The regional network, convened by the county board.
    if let Some(county) = org(db, "Länsstyrelsen Skåne")? {
        let v = user(db, crate::demo_agreements::COUNTY_COORDINATOR)?;
        let n = networks::create(
            db,
            &v,
            &NetworkInput {
                name: "Nätverket för brottsförebyggande samordnare i Skåne".into(),
                kind: Some("network".into()),
                purpose: "Erfarenhetsutbyte, gemensam kompetensutveckling och samordning av insatser mellan kommunernas brottsförebyggande samordnare, polisen och länsstyrelsen.".into(),
                cadence: Some("quarterly".into()),
                owner_org_id: Some(county),
                visibility: Some("public".into()),
                forum_id: None,
            },
        )?;
        let joined = day(today, -700);
        for (name, position) in [
            ("Trelleborgs kommun", "member"),
            ("Hässleholms kommun", "member"),
            ("Ängelholms kommun", "member"),
            ("Polismyndigheten region Syd", "co_opted"),
        ] {
            if let Some(o) = org(db, name)? {
                let m =
                    MemberInput { org_id: Some(o), position: Some(position.into()), joined_on: Some(joined.clone()), ..Default::default() };
                networks::add_member(db, &v, n.id, &m)?;
            }
        }
        for (name, title, org_text, position) in [
            ("Lova Länssamordnare", "Länssamordnare brottsförebyggande arbete", "Länsstyrelsen Skåne", "chair"),
            ("Karin Lund", "Folkhälsostrateg", "Region Skåne", "co_opted"),
        ] {
            let m = MemberInput {
                person_name: Some(name.into()),
                person_title: Some(title.into()),
                organisation_text: Some(org_text.into()),
                position: Some(position.into()),
                joined_on: Some(joined.clone()),
                ..Default::default()
            };
            networks::add_member(db, &v, n.id, &m)?;
        }
    }
    // A municipal reference group, own only.
    if let Some(kommun) = org(db, "Trelleborgs kommun")? {
        let v = user(db, "samordnare@trelleborg.example")?;
        let n = networks::create(
            db,
            &v,
            &NetworkInput {
                name: "Referensgrupp unga i Trelleborg".into(),
                kind: Some("reference_group".into()),
                purpose: "Föreningar och skola ger synpunkter på kommunens insatser för unga innan de startar.".into(),
                cadence: Some("as_needed".into()),
                owner_org_id: Some(kommun),
                visibility: Some("organisation".into()),
                forum_id: None,
            },
        )?;
        for name in ["Nattvandrarna i Trelleborg", "Söderslättsgymnasiet", CLUB] {
            if let Some(o) = org(db, name)? {
                let m = MemberInput { org_id: Some(o), joined_on: Some(day(today, -200)), ..Default::default() };
                networks::add_member(db, &v, n.id, &m)?;
            }
        }
    }
    Ok(logins)
}
