//! The demo's training and events (issue 16, item 5): a course catalogue with tracks per role;
//! a regional conference by Länsstyrelsen Skåne in the past with registrations and attendance
//! from the demo municipalities (some no-shows) and a post-event survey sent with some answers;
//! a basic training this year attended by Trelleborg and Hässleholm but not Ängelholm (so the
//! county's coverage report has a "never attended" list) with a certificate; an upcoming
//! network meeting that is full with a waiting list; and an upcoming digital seminar with free
//! seats for anyone to register. Everything goes through the store's commands, as a user would.

use std::collections::BTreeMap;

use brygga_store::dialogue::events::catalogue::{self, CourseInput, TrackInput};
use brygga_store::dialogue::events::event::{self, EventInput};
use brygga_store::dialogue::events::registrations::{self, EventRegistrationInput};
use brygga_store::dialogue::events::survey::{self, SurveyInput, SurveyQuestionInput};
use brygga_store::kernel::mail::Postmark;
use brygga_store::{Conn, ConnExt, StoreResult, Via, Viewer, args};
use jiff::civil::Date;

/// The county board's coordinator, who organises (see `demo_agreements`).
const ORGANISER: &str = "lansamordnare@lansstyrelsen.example";

fn user(db: &mut dyn Conn, email: &str) -> StoreResult<Viewer> {
    let id: i64 = db.scalar("SELECT id FROM users WHERE email = $1", args![email])?;
    Viewer::for_user(db, id, Via::Web)
}

fn at(d: Date, days: i64, hour: i8) -> String {
    let d = d.checked_add(jiff::Span::new().days(days)).expect("in range");
    format!("{d}T{hour:02}:00")
}

fn course(title: &str, description: &str, level: &str, roles: &[&str], hours: i64) -> CourseInput {
    CourseInput {
        title: title.into(),
        description: description.into(),
        level: Some(level.into()),
        target_roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        duration_hours: Some(hours),
        owner_org_id: None,
    }
}

/// Registers each (e-mail, role, municipality) for the event as the organiser, then marks them
/// (`attended`, `no_show`, or nothing when `None`).
fn take_part(
    db: &mut dyn Conn,
    org: &Viewer,
    post: &Postmark,
    event_id: i64,
    people: &[(&str, &str, &str, Option<&str>)],
) -> StoreResult<Vec<i64>> {
    let mut ids = Vec::new();
    for (email, role, municipality, status) in people {
        let input = EventRegistrationInput {
            email: Some((*email).into()),
            role: Some((*role).into()),
            municipality_code: Some((*municipality).into()),
            ..Default::default()
        };
        let r = registrations::register(db, org, event_id, &input)?;
        if let Some(s) = status {
            registrations::mark(db, org, post, r.id, s)?;
        }
        ids.push(r.id);
    }
    Ok(ids)
}

/// Seeds the catalogue and the events as of `today`.
pub fn seed(db: &mut dyn Conn, today: Date) -> StoreResult<()> {
    let org = user(db, ORGANISER)?;
    let post = Postmark::new("brygga.example", "http://127.0.0.1:8080");

    // The catalogue.
    let caretakers = catalogue::create_course(
        db,
        &org,
        &course(
            "Trygghet i vardagen för fastighetsskötare och parkpersonal",
            "Hur platsers utformning och skötsel påverkar brott och otrygghet, hur man rapporterar det man ser och vart man vänder sig.",
            "basic",
            &["caretaker", "park_staff"],
            3,
        ),
    )?;
    let youth = catalogue::create_course(
        db,
        &org,
        &course(
            "Grundkurs i brottsförebyggande arbete för fritidsledare och skolpersonal",
            "Risk- och skyddsfaktorer, tidiga signaler och samverkan med socialtjänst och polis.",
            "basic",
            &["youth_leader", "school_staff"],
            4,
        ),
    )?;
    let deep = catalogue::create_course(
        db,
        &org,
        &course(
            "Fördjupning: EST, lägesbild och åtgärdsplan",
            "För samordnare, kommunpoliser och EST-forum: att ta fram lägesbilden, prioritera och följa upp åtgärder tillsammans.",
            "deep",
            &["coordinator", "community_police", "est_forum"],
            12,
        ),
    )?;
    catalogue::create_track(
        db,
        &org,
        &TrackInput {
            name: "Grundspår för fastighetsskötare".into(),
            role: "caretaker".into(),
            course_ids: vec![caretakers.id],
            owner_org_id: None,
        },
    )?;
    catalogue::create_track(
        db,
        &org,
        &TrackInput {
            name: "Spår för samordnare".into(),
            role: "coordinator".into(),
            course_ids: vec![youth.id, deep.id],
            owner_org_id: None,
        },
    )?;

    // A regional conference in the past, with attendance and a survey.
    let conference = event::create(
        db,
        &org,
        &EventInput {
            title: "Regional konferens: brottsförebyggande arbete i Skåne".into(),
            description: Some("Länets årliga konferens för kommunernas samordnare, polisen och civilsamhället.".into()),
            kind: Some("conference".into()),
            format: Some("hybrid".into()),
            county_code: Some("12".into()),
            starts_at: at(today, -45, 9),
            ends_at: at(today, -45, 16),
            place: Some("Malmö, Residenset".into()),
            link: Some("https://mote.lansstyrelsen.example/konferens".into()),
            capacity: Some(120),
            status: Some("published".into()),
            ..Default::default()
        },
    )?;
    take_part(
        db,
        &org,
        &post,
        conference.id,
        &[
            ("samordnare@trelleborg.example", "coordinator", "1287", Some("attended")),
            ("kommunpolis@polisen.example", "community_police", "1287", Some("attended")),
            ("fastighet@trelleborgshem.example", "caretaker", "1287", Some("attended")),
            ("samordnare@hassleholm.example", "coordinator", "1293", Some("attended")),
            ("nattvandrare@nattvandrarna.example", "other", "1287", Some("attended")),
            ("samordnare@angelholm.example", "coordinator", "1292", Some("no_show")),
            ("ledare@hassleholmsif.example", "youth_leader", "1293", Some("no_show")),
        ],
    )?;
    survey::define(
        db,
        &org,
        conference.id,
        &SurveyInput {
            questions: vec![
                SurveyQuestionInput { kind: "scale".into(), text: "Hur nöjd är du med konferensen som helhet?".into() },
                SurveyQuestionInput { kind: "scale".into(), text: "Hur användbart var innehållet i ditt arbete?".into() },
                SurveyQuestionInput { kind: "text".into(), text: "Vad tar du med dig hem?".into() },
            ],
        },
    )?;
    survey::send(db, &org, &post, conference.id)?;
    let bodies: Vec<String> = db.scalars("SELECT body_text FROM mail_outbox WHERE subject LIKE 'Vad tyckte du%' ORDER BY id", &[])?;
    let links: Vec<String> = bodies
        .iter()
        .filter_map(|b| b.split("/utvardering/").nth(1).and_then(|t| t.split_whitespace().next()).map(str::to_owned))
        .collect();
    let questions: Vec<i64> = survey::get(db, &org, conference.id)?.map(|s| s.questions.iter().map(|q| q.id).collect()).unwrap_or_default();
    let answers = [
        ("5", "4", "Hur Trelleborg organiserar sitt EST – vi vill prova samma sak."),
        ("4", "4", "Kontakter med grannkommunerna och polisen."),
        ("4", "3", "Metoden för trygghetsvandringar."),
    ];
    for (token, (a, b, text)) in links.iter().zip(answers) {
        if let [q1, q2, q3] = questions[..] {
            let map: BTreeMap<i64, String> = [(q1, a.to_owned()), (q2, b.to_owned()), (q3, text.to_owned())].into_iter().collect();
            survey::answer(db, token, &map)?;
        }
    }

    // A basic training this year: Trelleborg and Hässleholm attend, Ängelholm does not.
    let back = if today.day_of_year() > 21 { -20 } else { 1 - i64::from(today.day_of_year()) };
    let training = event::create(
        db,
        &org,
        &EventInput {
            title: "Grundutbildning: trygghet i vardagen".into(),
            description: Some("Kursen i katalogen, för fastighetsskötare, parkpersonal och fältassistenter i länets kommuner.".into()),
            kind: Some("training".into()),
            format: Some("on_site".into()),
            course_id: Some(caretakers.id),
            county_code: Some("12".into()),
            starts_at: at(today, back, 8),
            ends_at: at(today, back, 11),
            place: Some("Hässleholm, Kulturhuset".into()),
            capacity: Some(30),
            status: Some("published".into()),
            ..Default::default()
        },
    )?;
    take_part(
        db,
        &org,
        &post,
        training.id,
        &[
            ("fastighet@trelleborgshem.example", "caretaker", "1287", Some("attended")),
            ("faltassistent@trelleborg.example", "youth_leader", "1287", Some("attended")),
            ("samordnare@hassleholm.example", "coordinator", "1293", Some("attended")),
            ("samordnare@angelholm.example", "coordinator", "1292", Some("no_show")),
        ],
    )?;

    // An upcoming network meeting, full, with a waiting list.
    let meeting = event::create(
        db,
        &org,
        &EventInput {
            title: "Nätverksträff för EST-samordnare i Skåne".into(),
            description: Some("Erfarenhetsutbyte om lägesbilder och veckoavstämningar.".into()),
            kind: Some("network_meeting".into()),
            format: Some("on_site".into()),
            course_id: Some(deep.id),
            county_code: Some("12".into()),
            starts_at: at(today, 30, 13),
            ends_at: at(today, 30, 16),
            place: Some("Lund, Länsstyrelsens lokaler".into()),
            capacity: Some(2),
            registration_closes_at: Some(at(today, 25, 12)),
            status: Some("published".into()),
            ..Default::default()
        },
    )?;
    for (email, role) in [
        ("samordnare@trelleborg.example", "coordinator"),
        ("samordnare@hassleholm.example", "coordinator"),
        ("samordnare@angelholm.example", "coordinator"),
        ("kommunpolis@polisen.example", "community_police"),
    ] {
        let v = user(db, email)?;
        registrations::register(db, &v, meeting.id, &EventRegistrationInput { role: Some(role.into()), ..Default::default() })?;
    }

    // An upcoming digital seminar with free seats.
    event::create(
        db,
        &org,
        &EventInput {
            title: "Seminarium: trygga idrottsmiljöer för unga".into(),
            description: Some("Hur föreningar, kommun och polis kan samarbeta kring idrottsplatser på kvällstid.".into()),
            kind: Some("seminar".into()),
            format: Some("digital".into()),
            county_code: Some("12".into()),
            starts_at: at(today, 14, 18),
            ends_at: at(today, 14, 20),
            link: Some("https://mote.lansstyrelsen.example/seminarium".into()),
            capacity: Some(200),
            status: Some("published".into()),
            ..Default::default()
        },
    )?;
    Ok(())
}
