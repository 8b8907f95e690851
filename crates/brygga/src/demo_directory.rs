//! The demo's directory (issue 15, item 1): associations in Trelleborg, Hässleholm and Ängelholm —
//! a football club, a study association, a faith community, Nattvandrarna and the municipalities'
//! youth centres (fritidsgårdar, ungdomsgårdar) — with public profiles and offers with schedules.
//!
//! - **Hässleholm**: a free Friday-evening football session for 13–16-year-olds (the "done when"
//!   path: an anonymous visitor and a police officer find it), and its near misses — a paid one, one
//!   for 16–20, one on Saturday; homework help, a faith community's teen evening, night walks.
//! - **Trelleborg**: the youth centre's open evenings (verification **overdue**), Nattvandrarna,
//!   a football club's training; one offer not published (it never shows publicly).
//! - **Ängelholm**: the ungdomsgård, a study association's music studio (paid), a church's
//!   teen group.
//!
//! Everything goes through the store commands as the people who would do it: each association
//! has one coordinator (`ledare@….example`, same demo password) who writes its profile and offers.

use brygga_domain::{OrgKind, Role};
use brygga_store::accounts::auth;
use brygga_store::accounts::orgs::{self, OrganisationInput};
use brygga_store::accounts::users::{self, NewUserInput};
use brygga_store::actors::offers::{self, OfferInput, ScheduleInput};
use brygga_store::actors::profile::{self, ProfileInput};
use brygga_store::kernel::viewer::Via;
use brygga_store::{Conn, ConnExt, Store, StoreResult, Viewer, args};
use jiff::civil::Date;

use crate::demo::DemoLogin;

/// The football club's coordinator (the browser test's association user).
pub const CLUB_LEADER: &str = "ledare@hassleholmsif.example";

/// (name, kind, municipality codes, description, coordinator e-mail, coordinator name, website).
type Association = (&'static str, OrgKind, &'static [&'static str], &'static str, &'static str, &'static str, &'static str);

const ASSOCIATIONS: &[Association] = &[
    (
        "Hässleholms IF Fotboll",
        OrgKind::CivilSociety,
        &["1293"],
        "Fotbollsförening för alla åldrar, med öppna pass för unga som inte spelar i lag.",
        CLUB_LEADER,
        "Hanna Ledare",
        "https://hassleholmsif.example",
    ),
    (
        "Studieförbundet Framsteg Nordöstra Skåne",
        OrgKind::CivilSociety,
        &["1293", "1292"],
        "Studiecirklar, läxhjälp och kultur för unga och vuxna.",
        "ledare@framsteg.example",
        "Stig Studieledare",
        "https://framsteg.example",
    ),
    (
        "Hässleholms missionsförsamling",
        OrgKind::CivilSociety,
        &["1293"],
        "Frikyrkoförsamling med öppen tonårsverksamhet.",
        "ledare@missionsforsamlingen.example",
        "Maja Ungdomsledare",
        "https://missionsforsamlingen.example",
    ),
    (
        "Nattvandrarna i Hässleholm",
        OrgKind::CivilSociety,
        &["1293"],
        "Vuxna som nattvandrar i centrum på helgkvällar.",
        "ledare@nattvandrarnahlm.example",
        "Niklas Nattvandrare",
        "https://nattvandrarnahlm.example",
    ),
    (
        "Trelleborgs FF Ungdom",
        OrgKind::CivilSociety,
        &["1287"],
        "Ungdomsfotboll i Trelleborg.",
        "ledare@tffungdom.example",
        "Tobias Tränare",
        "https://tffungdom.example",
    ),
    (
        "Ängelholms församling",
        OrgKind::CivilSociety,
        &["1292"],
        "Församling med konfirmandgrupper och öppet hus för unga.",
        "ledare@angelholmsforsamling.example",
        "Petra Präst",
        "https://angelholmsforsamling.example",
    ),
];

fn viewer(db: &mut dyn Conn, email: &str) -> StoreResult<Viewer> {
    let id: i64 = db.scalar("SELECT id FROM users WHERE email = $1", args![email])?;
    Viewer::for_user(db, id, Via::Web)
}

fn org(db: &mut dyn Conn, name: &str) -> StoreResult<i64> {
    Ok(db.scalar("SELECT id FROM organisations WHERE name = $1", args![name])?)
}

fn day(weekday: i64, opens: &str, closes: &str) -> ScheduleInput {
    ScheduleInput { weekday, opens_at: opens.into(), closes_at: closes.into(), valid_from: None, valid_to: None }
}

/// A published, free offer for `ages` in `municipality` with the organisation's contact e-mail.
#[allow(clippy::too_many_arguments)]
fn offer(
    name: &str,
    description: &str,
    municipality: &str,
    ages: (Option<i64>, Option<i64>),
    themes: &[&str],
    groups: &[&str],
    place: (&str, f64, f64),
    schedules: Vec<ScheduleInput>,
    email: &str,
) -> OfferInput {
    OfferInput {
        name: name.into(),
        description: Some(description.into()),
        age_from: ages.0,
        age_to: ages.1,
        themes: themes.iter().map(|s| s.to_string()).collect(),
        target_groups: groups.iter().map(|s| s.to_string()).collect(),
        municipality_code: municipality.into(),
        place_name: Some(place.0.into()),
        lat: Some(place.1),
        lon: Some(place.2),
        free: true,
        how_to_join: Some("Kom förbi, ingen anmälan behövs. Yrkesverksamma som vill hänvisa någon kan mejla oss.".into()),
        contact_email: Some(email.replace("ledare@", "info@")),
        published: true,
        schedules,
        ..OfferInput::default()
    }
}

/// Creates the associations and their coordinators, publishes their profiles and writes the offers.
pub async fn seed(store: &Store, password: &str, today: Date) -> anyhow::Result<Vec<DemoLogin>> {
    let hash = auth::hash_off_runtime(password.to_owned()).await?;
    Ok(store.write(move |db| write(db, &hash, today)).await?)
}

fn write(db: &mut dyn Conn, hash: &str, today: Date) -> StoreResult<Vec<DemoLogin>> {
    let cli = Viewer::command_line();
    for (name, kind, municipalities, description, email, person, website) in ASSOCIATIONS {
        let input = OrganisationInput {
            name: (*name).into(),
            kind: kind.code().into(),
            description: Some((*description).into()),
            website: Some((*website).into()),
            public_profile: true,
            municipalities: municipalities.iter().map(|m| m.to_string()).collect(),
            ..Default::default()
        };
        let id = orgs::create(db, &cli, &input.validate()?)?.id;
        let user = NewUserInput {
            email: (*email).into(),
            name: (*person).into(),
            password: None,
            org_id: Some(id),
            role: Some(Role::Coordinator.code().into()),
            system_admin: false,
        };
        let mut valid = user.validate()?;
        valid.password_hash = Some(hash.to_owned());
        users::create(db, &cli, &valid)?;
    }
    let profile_of = |themes: &[&str], groups: &[&str], languages: &[&str], email: Option<&str>| ProfileInput {
        themes: themes.iter().map(|s| s.to_string()).collect(),
        target_groups: groups.iter().map(|s| s.to_string()).collect(),
        languages: languages.iter().map(|s| s.to_string()).collect(),
        contact_email: email.map(Into::into),
        public_profile: true,
        ..Default::default()
    };
    let club = org(db, "Hässleholms IF Fotboll")?;
    let framsteg = org(db, "Studieförbundet Framsteg Nordöstra Skåne")?;
    let mission = org(db, "Hässleholms missionsförsamling")?;
    let nv_hlm = org(db, "Nattvandrarna i Hässleholm")?;
    let tff = org(db, "Trelleborgs FF Ungdom")?;
    let church = org(db, "Ängelholms församling")?;
    let nv_tbg = org(db, "Nattvandrarna i Trelleborg")?;
    let hlm_kommun = org(db, "Hässleholms kommun")?;
    let tbg_kommun = org(db, "Trelleborgs kommun")?;
    let agh_kommun = org(db, "Ängelholms kommun")?;

    let leader = viewer(db, CLUB_LEADER)?;
    profile::update(db, &leader, club, &profile_of(&["idrott"], &["barn", "unga"], &["sv", "en"], Some("info@hassleholmsif.example")))?;
    let hall = ("Österåshallen, Hässleholm", 56.1634, 13.7812);
    offers::create(
        db,
        &leader,
        club,
        &offer(
            "Fredagsfotboll i Österåshallen",
            "Spontanfotboll inomhus på fredagskvällar. Ledare finns på plats, ingen förkunskap behövs och du behöver inte vara med i laget.",
            "1293",
            (Some(13), Some(16)),
            &["idrott", "fritid"],
            &["unga"],
            hall,
            vec![day(5, "19:00", "22:00")],
            CLUB_LEADER,
        ),
    )?;
    offers::create(
        db,
        &leader,
        club,
        &OfferInput {
            free: false,
            cost_text: Some("300 kr per termin".into()),
            ..offer(
                "Futsalskola",
                "Träning i futsal med teknikövningar, fredagar under terminen.",
                "1293",
                (Some(13), Some(16)),
                &["idrott"],
                &["unga"],
                hall,
                vec![ScheduleInput {
                    valid_from: Some("2026-08-17".into()),
                    valid_to: Some("2027-06-13".into()),
                    ..day(5, "18:00", "20:00")
                }],
                CLUB_LEADER,
            )
        },
    )?;
    offers::create(
        db,
        &leader,
        club,
        &offer(
            "Knattefotboll",
            "Lek med boll för de yngsta, med föräldrar.",
            "1293",
            (Some(5), Some(8)),
            &["idrott"],
            &["barn", "foraldrar"],
            ("Bokhultets IP, Hässleholm", 56.1504, 13.7491),
            vec![day(6, "10:00", "11:00")],
            CLUB_LEADER,
        ),
    )?;

    let hugo = viewer(db, "samordnare@hassleholm.example")?;
    profile::update(db, &hugo, hlm_kommun, &profile_of(&["fritid", "trygghet"], &["unga"], &["sv", "ar", "so"], None))?;
    let navet = ("Fritidsgården Navet, Hässleholm", 56.1589, 13.7660);
    offers::create(
        db,
        &hugo,
        hlm_kommun,
        &offer(
            "Fritidsgården Navet: fredagskväll 16–20 år",
            "Öppen fritidsgård för äldre tonåringar: biljard, musikstudio och fika. Fritidsledare finns alltid på plats.",
            "1293",
            (Some(16), Some(20)),
            &["fritid"],
            &["unga", "unga_vuxna"],
            navet,
            vec![day(5, "19:00", "23:00")],
            "info@hassleholm.example",
        ),
    )?;
    offers::create(
        db,
        &hugo,
        hlm_kommun,
        &offer(
            "Fritidsgården Navet: lördagsdisco",
            "Disco och spel för mellanstadiet och högstadiet, lördagar.",
            "1293",
            (Some(13), Some(16)),
            &["fritid", "kultur"],
            &["unga"],
            navet,
            vec![day(6, "18:00", "22:00")],
            "info@hassleholm.example",
        ),
    )?;

    let stig = viewer(db, "ledare@framsteg.example")?;
    profile::update(
        db,
        &stig,
        framsteg,
        &profile_of(&["laxhjalp", "kultur", "integration"], &["unga", "nyanlanda"], &["sv", "ar", "fa"], None),
    )?;
    offers::create(
        db,
        &stig,
        framsteg,
        &offer(
            "Läxhjälp på biblioteket",
            "Frivilliga hjälper med läxor i alla ämnen, särskilt matematik och svenska.",
            "1293",
            (Some(12), Some(18)),
            &["laxhjalp"],
            &["unga"],
            ("Hässleholms stadsbibliotek", 56.1581, 13.7649),
            vec![day(2, "15:30", "17:30"), day(4, "15:30", "17:30")],
            "ledare@framsteg.example",
        ),
    )?;
    offers::create(
        db,
        &stig,
        framsteg,
        &OfferInput {
            free: false,
            cost_text: Some("400 kr per termin".into()),
            ..offer(
                "Musikstudion i Ängelholm",
                "Spela i band och spela in egen musik med handledare.",
                "1292",
                (Some(13), Some(19)),
                &["kultur"],
                &["unga"],
                ("Kulturkvarteret, Ängelholm", 56.2428, 12.8622),
                vec![day(3, "17:00", "20:00")],
                "ledare@framsteg.example",
            )
        },
    )?;

    let maja = viewer(db, "ledare@missionsforsamlingen.example")?;
    profile::update(db, &maja, mission, &profile_of(&["tro", "fritid"], &["unga"], &["sv"], None))?;
    offers::create(
        db,
        &maja,
        mission,
        &offer(
            "Tonårskväll",
            "Fika, spel och samtal för tonåringar, onsdagar. Öppet för alla oavsett tro.",
            "1293",
            (Some(13), Some(17)),
            &["tro", "fritid"],
            &["unga"],
            ("Missionskyrkan, Hässleholm", 56.1575, 13.7702),
            vec![day(3, "18:30", "21:00")],
            "ledare@missionsforsamlingen.example",
        ),
    )?;

    let niklas = viewer(db, "ledare@nattvandrarnahlm.example")?;
    profile::update(db, &niklas, nv_hlm, &profile_of(&["nattvandring", "trygghet"], &["unga", "vuxna"], &["sv"], None))?;
    offers::create(
        db,
        &niklas,
        nv_hlm,
        &OfferInput {
            eligibility: Some("Vuxna från 18 år som vill vandra. Ingen anmälan för den som bara vill prata med oss.".into()),
            ..offer(
                "Nattvandring i centrum",
                "Vi går i par genom centrum och vid stationen. Du känner igen oss på de gula jackorna.",
                "1293",
                (Some(18), None),
                &["nattvandring", "trygghet"],
                &["vuxna"],
                ("Stortorget, Hässleholm", 56.1592, 13.7637),
                vec![day(5, "21:00", "24:00"), day(6, "21:00", "24:00")],
                "ledare@nattvandrarnahlm.example",
            )
        },
    )?;

    let tobias = viewer(db, "ledare@tffungdom.example")?;
    profile::update(db, &tobias, tff, &profile_of(&["idrott"], &["barn", "unga"], &["sv"], None))?;
    offers::create(
        db,
        &tobias,
        tff,
        &offer(
            "Öppen träning för 12–15 år",
            "Prova på fotboll utan krav på att spela match.",
            "1287",
            (Some(12), Some(15)),
            &["idrott"],
            &["unga"],
            ("Vångavallen, Trelleborg", 55.3797, 13.1466),
            vec![day(2, "17:30", "19:00")],
            "ledare@tffungdom.example",
        ),
    )?;
    offers::create(
        db,
        &tobias,
        tff,
        &OfferInput {
            published: false,
            ..offer(
                "Sommarfotbollsskola (planeras)",
                "Under planering; publiceras när datumen är klara.",
                "1287",
                (Some(7), Some(12)),
                &["idrott"],
                &["barn"],
                ("Vångavallen, Trelleborg", 55.3797, 13.1466),
                vec![],
                "ledare@tffungdom.example",
            )
        },
    )?;

    let nils = viewer(db, "nattvandrare@nattvandrarna.example")?;
    profile::update(db, &nils, nv_tbg, &profile_of(&["nattvandring", "trygghet"], &["unga", "vuxna"], &["sv"], None))?;
    offers::create(
        db,
        &nils,
        nv_tbg,
        &offer(
            "Nattvandring fredag och lördag",
            "Vuxna på stan i centrum och vid hamnen.",
            "1287",
            (Some(18), None),
            &["nattvandring"],
            &["vuxna"],
            ("Stortorget, Trelleborg", 55.3751, 13.1566),
            vec![day(5, "21:00", "24:00"), day(6, "21:00", "24:00")],
            "info@nattvandrarna.example",
        ),
    )?;

    let sara = viewer(db, "samordnare@trelleborg.example")?;
    profile::update(db, &sara, tbg_kommun, &profile_of(&["fritid", "trygghet"], &["unga"], &["sv", "ar"], None))?;
    let overdue = offers::create(
        db,
        &sara,
        tbg_kommun,
        &OfferInput {
            verification_interval_days: Some(180),
            ..offer(
                "Fritidsgården Ungdomens hus: öppna kvällar",
                "Öppen fritidsgård med café, idrottshall och läxhörna.",
                "1287",
                (Some(13), Some(17)),
                &["fritid"],
                &["unga"],
                ("Ungdomens hus, Trelleborg", 55.3765, 13.1589),
                vec![day(1, "15:00", "21:00"), day(3, "15:00", "21:00"), day(5, "15:00", "23:00")],
                "info@trelleborg.example",
            )
        },
    )?;
    // Checked last 200 days ago with a 180-day interval: its verification is overdue.
    let long_ago = today.checked_sub(jiff::Span::new().days(200)).map_err(|e| brygga_store::StoreError::Internal(e.to_string()))?;
    offers::verify(db, &sara, overdue.id, long_ago)?;

    let angla = viewer(db, "samordnare@angelholm.example")?;
    profile::update(db, &angla, agh_kommun, &profile_of(&["fritid"], &["unga"], &["sv"], None))?;
    offers::create(
        db,
        &angla,
        agh_kommun,
        &offer(
            "Ungdomsgården Kulturkvarteret",
            "Ungdomsgård med scen, spel och fritidsledare.",
            "1292",
            (Some(13), Some(18)),
            &["fritid", "kultur"],
            &["unga"],
            ("Kulturkvarteret, Ängelholm", 56.2428, 12.8622),
            vec![day(4, "15:00", "21:00"), day(5, "15:00", "22:00")],
            "info@angelholm.example",
        ),
    )?;
    let petra = viewer(db, "ledare@angelholmsforsamling.example")?;
    profile::update(db, &petra, church, &profile_of(&["tro"], &["unga"], &["sv"], None))?;
    offers::create(
        db,
        &petra,
        church,
        &offer(
            "Öppet hus för unga",
            "Fika och samtal i församlingshemmet, torsdagar.",
            "1292",
            (Some(14), Some(19)),
            &["tro", "fritid"],
            &["unga"],
            ("Församlingshemmet, Ängelholm", 56.2437, 12.8615),
            vec![day(4, "18:00", "21:00")],
            "ledare@angelholmsforsamling.example",
        ),
    )?;
    Ok(vec![DemoLogin { email: CLUB_LEADER, role: "samordnare, Hässleholms IF Fotboll (katalogen)" }])
}
