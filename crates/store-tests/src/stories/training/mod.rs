//! Training and events (issue 16, item 5): bad input at the field with nothing written;
//! capacity, the waiting list and promotion with its e-mail; a second registration refused;
//! two registrations for the last seat; who reads participants and marks attendance (the
//! organiser only); certificates; the anonymous survey (the schema carries no participant link,
//! a link answers once, free texts held back under three answers); the county's coverage report
//! with its never-attended list and who may read it.

use std::collections::BTreeMap;

use brygga_store::dialogue::events::catalogue::{self, CourseInput};
use brygga_store::dialogue::events::certificates;
use brygga_store::dialogue::events::coverage::{self, TrainingCoverageQuery};
use brygga_store::dialogue::events::event::{self, Event, EventInput, ListFilter};
use brygga_store::dialogue::events::registrations::{self, EventRegistration, EventRegistrationInput};
use brygga_store::dialogue::events::survey::{self, SurveyInput, SurveyQuestionInput};

use super::*;

struct World {
    county: i64,
    trelleborg: i64,
    county_coordinator: i64,
    county_member: i64,
    trelleborg_coordinator: i64,
    trelleborg_member: i64,
    hassleholm_coordinator: i64,
    outsider: i64,
    other_county_coordinator: i64,
}

async fn world(store: &Store) -> World {
    let county = org(store, "Länsstyrelsen Skåne", OrgKind::CountyBoard, &["1287", "1293", "1292"]).await;
    let trelleborg = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let hassleholm = org(store, "Hässleholms kommun", OrgKind::Municipality, &["1293"]).await;
    let stranger = org(store, "Föreningen Långt Bort", OrgKind::CivilSociety, &["0180"]).await;
    let other_county = org(store, "Länsstyrelsen Stockholm", OrgKind::CountyBoard, &["0180"]).await;
    World {
        county,
        trelleborg,
        county_coordinator: user(store, "lan@lansstyrelsen.se", county, Role::Coordinator).await,
        county_member: user(store, "handlaggare@lansstyrelsen.se", county, Role::Member).await,
        trelleborg_coordinator: user(store, "samordnare@trelleborg.se", trelleborg, Role::Coordinator).await,
        trelleborg_member: user(store, "fastighet@trelleborg.se", trelleborg, Role::Member).await,
        hassleholm_coordinator: user(store, "samordnare@hassleholm.se", hassleholm, Role::Coordinator).await,
        outsider: user(store, "ordforande@langtbort.se", stranger, Role::Coordinator).await,
        other_county_coordinator: user(store, "lan@stockholm.se", other_county, Role::Coordinator).await,
    }
}

/// `days` from today at `hour`, as a form sends it.
fn at(days: i64, hour: i8) -> String {
    let d = brygga_domain::time::today().checked_add(jiff::Span::new().days(days)).unwrap();
    format!("{d}T{hour:02}:00")
}

fn conference(w: &World, capacity: Option<i64>) -> EventInput {
    EventInput {
        title: "Regional konferens om brottsförebyggande arbete".into(),
        description: Some("Erfarenheter från länets kommuner.".into()),
        kind: Some("conference".into()),
        format: Some("on_site".into()),
        organiser_org_id: Some(w.county),
        county_code: Some("12".into()),
        starts_at: at(30, 9),
        ends_at: at(30, 16),
        place: Some("Malmö, Residenset".into()),
        capacity,
        status: Some("published".into()),
        ..Default::default()
    }
}

async fn create(store: &Store, user: i64, input: EventInput) -> Result<Event, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| event::create(db, &v, &input)).await
}

fn as_role(role: &str) -> EventRegistrationInput {
    EventRegistrationInput { role: Some(role.into()), ..Default::default() }
}

async fn register(store: &Store, user: i64, event_id: i64, input: EventRegistrationInput) -> Result<EventRegistration, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| registrations::register(db, &v, event_id, &input)).await
}

async fn register_other(store: &Store, organiser: i64, event_id: i64, email: &str, role: &str, municipality: &str) -> EventRegistration {
    let input = EventRegistrationInput {
        email: Some(email.into()),
        role: Some(role.into()),
        municipality_code: Some(municipality.into()),
        ..Default::default()
    };
    register(store, organiser, event_id, input).await.unwrap()
}

async fn mark(store: &Store, user: i64, registration: i64, status: &str) -> Result<EventRegistration, StoreError> {
    let v = viewer(store, user).await;
    let status = status.to_owned();
    store.write(move |db| registrations::mark(db, &v, &postmark(), registration, &status)).await
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    store.read(move |db| Ok(db.scalar(sql, &[])?)).await.unwrap()
}

fn code_at(e: &StoreError, field: &str) -> &'static str {
    match e {
        StoreError::Invalid(errs) => errs.get(field).unwrap_or_else(|| panic!("no error at {field}: {errs:?}")).code,
        other => panic!("expected Invalid at {field}, got {other:?}"),
    }
}

fn message_at(e: &StoreError, field: &str) -> String {
    match e {
        StoreError::Invalid(errs) => errs.get(field).unwrap_or_else(|| panic!("no error at {field}: {errs:?}")).message.clone(),
        other => panic!("expected Invalid at {field}, got {other:?}"),
    }
}

/// Every bad field at once, in Swedish, nothing written; a course with personal data in its
/// description is refused by the guard.
pub async fn training_events_refuse_bad_input_at_the_field(store: &Store) {
    let w = world(store).await;
    let mut bad = conference(&w, Some(0));
    bad.title = " ".into();
    bad.kind = Some("party".into());
    bad.format = Some("digital".into());
    bad.county_code = Some("99".into());
    bad.starts_at = at(10, 16);
    bad.ends_at = at(10, 9);
    bad.registration_closes_at = Some("i morgon".into());
    let e = create(store, w.county_coordinator, bad).await.unwrap_err();
    assert_eq!(code_at(&e, "title"), "required");
    assert_eq!(code_at(&e, "kind"), "events.unknown_code");
    assert_eq!(code_at(&e, "link"), "required");
    assert_eq!(code_at(&e, "county_code"), "events.unknown_county");
    assert_eq!(code_at(&e, "ends_at"), "events.time_order");
    assert_eq!(code_at(&e, "registration_closes_at"), "events.invalid_time");
    assert_eq!(code_at(&e, "capacity"), "events.capacity_range");
    assert!(message_at(&e, "ends_at").contains("slutar innan det börjar"));
    let mut elsewhere = conference(&w, None);
    elsewhere.municipality_code = Some("0180".into());
    let e = create(store, w.county_coordinator, elsewhere).await.unwrap_err();
    assert_eq!(code_at(&e, "municipality_code"), "events.municipality_elsewhere");
    assert_eq!(count(store, "SELECT COUNT(*) FROM events").await, 0);

    // A member (not a coordinator) may not organise; nor may anyone for another organisation.
    assert!(matches!(create(store, w.county_member, conference(&w, None)).await, Err(StoreError::Forbidden)));
    assert!(matches!(create(store, w.trelleborg_coordinator, conference(&w, None)).await, Err(StoreError::Forbidden)));

    let v = viewer(store, w.county_coordinator).await;
    let course = CourseInput {
        title: "Trygghetsvandring för fastighetsskötare".into(),
        description: "Ring Anna på 070-123 45 67 för frågor.".into(),
        level: Some("expert".into()),
        target_roles: vec!["caretaker".into()],
        duration_hours: Some(0),
        owner_org_id: None,
    };
    let e = store.write(move |db| catalogue::create_course(db, &v, &course)).await.unwrap_err();
    assert_eq!(code_at(&e, "description"), "text.personal_data");
    assert_eq!(code_at(&e, "level"), "events.unknown_code");
    assert_eq!(code_at(&e, "duration_hours"), "events.duration_range");
    assert_eq!(count(store, "SELECT COUNT(*) FROM courses").await, 0);
}

/// Capacity 2: the third is on the waiting list as number 1 — an outcome, not an error — and
/// the fourth as number 2; the same person again is refused with nothing written; a
/// cancellation gives the seat to number 1, who is e-mailed; two registrations racing for the
/// last seat: exactly one gets it.
pub async fn training_waiting_list_promotes_and_refuses_a_second_registration(store: &Store) {
    let w = world(store).await;
    let e = create(store, w.county_coordinator, conference(&w, Some(2))).await.unwrap();
    let a = register(store, w.trelleborg_coordinator, e.id, as_role("coordinator")).await.unwrap();
    assert_eq!(
        (a.status.code.as_str(), a.municipality.code.as_str(), a.org.as_ref().map(|o| o.id)),
        ("registered", "1287", Some(w.trelleborg))
    );
    let b = register(store, w.hassleholm_coordinator, e.id, as_role("coordinator")).await.unwrap();
    assert_eq!(b.status.code, "registered");
    let c = register(store, w.trelleborg_member, e.id, as_role("caretaker")).await.unwrap();
    assert_eq!((c.status.code.as_str(), c.position), ("waiting", Some(1)));
    assert_eq!(c.outcome(), "Evenemanget är fullt — du står som nr 1 på väntelistan.");
    let d = register_other(store, w.county_coordinator, e.id, "handlaggare@lansstyrelsen.se", "other", "1292").await;
    assert_eq!((d.status.code.as_str(), d.position), ("waiting", Some(2)));

    let rows = count(store, "SELECT COUNT(*) FROM event_registrations").await;
    let again = register(store, w.trelleborg_member, e.id, as_role("caretaker")).await.unwrap_err();
    assert_eq!(code_at(&again, "event_id"), "events.already_registered");
    assert!(message_at(&again, "event_id").starts_with("Du är redan anmäld"));
    assert_eq!(count(store, "SELECT COUNT(*) FROM event_registrations").await, rows);
    // Registering others is for the organiser only.
    let input = EventRegistrationInput { email: Some("lan@stockholm.se".into()), role: Some("other".into()), ..Default::default() };
    assert!(matches!(register(store, w.trelleborg_coordinator, e.id, input).await, Err(StoreError::Forbidden)));

    let mails_before = count(store, "SELECT COUNT(*) FROM mail_outbox").await;
    let v = viewer(store, w.hassleholm_coordinator).await;
    let cancelled = store.write(move |db| registrations::cancel(db, &v, &postmark(), b.id)).await.unwrap();
    assert_eq!(cancelled.status.code, "cancelled");
    let v = viewer(store, w.trelleborg_member).await;
    let promoted = store.read(move |db| registrations::get(db, &v, c.id)).await.unwrap();
    assert_eq!((promoted.status.code.as_str(), promoted.position), ("registered", None));
    let v = viewer(store, w.county_member).await;
    let moved_up = store.read(move |db| registrations::get(db, &v, d.id)).await.unwrap();
    assert_eq!(moved_up.position, Some(1));
    assert_eq!(count(store, "SELECT COUNT(*) FROM mail_outbox").await, mails_before + 1);
    let (to, subject): (String, String) = store
        .read(|db| {
            Ok(db.map_one("SELECT recipient, subject FROM mail_outbox ORDER BY id DESC", &[], |r| {
                Ok((r.get("recipient")?, r.get("subject")?))
            })?)
        })
        .await
        .unwrap();
    assert_eq!(to, "fastighet@trelleborg.se");
    assert!(subject.starts_with("Du har fått en plats"), "{subject}");

    // The cancelled person may register again: a seat is full, so the waiting list.
    let back = register(store, w.hassleholm_coordinator, e.id, as_role("coordinator")).await.unwrap();
    assert_eq!((back.status.code.as_str(), back.position), ("waiting", Some(2)));

    // The last seat, raced.
    let last = create(store, w.county_coordinator, conference(&w, Some(1))).await.unwrap();
    let (x, y) = tokio::join!(
        register(store, w.trelleborg_coordinator, last.id, as_role("coordinator")),
        register(store, w.hassleholm_coordinator, last.id, as_role("coordinator")),
    );
    let mut got: Vec<String> = vec![x.unwrap().status.code, y.unwrap().status.code];
    got.sort();
    assert_eq!(got, vec!["registered".to_owned(), "waiting".to_owned()]);
}

/// An unrelated organisation reads a published event and its seat counts, never its
/// participants; it cannot mark attendance or open a certificate; a draft is not found for it;
/// an anonymous visitor lists nothing. The organiser reads participants by organisation, role
/// and municipality; the participant reads their own registration and certificate.
pub async fn training_participants_are_read_and_marked_by_the_organiser_only(store: &Store) {
    let w = world(store).await;
    let mut input = conference(&w, Some(10));
    input.kind = Some("training".into());
    input.title = "Grundutbildning i situationell prevention".into();
    let e = create(store, w.county_coordinator, input).await.unwrap();
    let a = register(store, w.trelleborg_member, e.id, as_role("caretaker")).await.unwrap();
    let b = register(store, w.hassleholm_coordinator, e.id, as_role("coordinator")).await.unwrap();

    let v = viewer(store, w.outsider).await;
    let seen = store.read(move |db| event::get(db, &v, e.id)).await.unwrap();
    assert_eq!((seen.seats_taken, seen.free_seats()), (2, Some(8)));
    let v = viewer(store, w.outsider).await;
    assert!(matches!(store.read(move |db| registrations::participants(db, &v, e.id)).await, Err(StoreError::Forbidden)));
    let v = viewer(store, w.trelleborg_coordinator).await;
    assert!(matches!(store.read(move |db| registrations::participants(db, &v, e.id)).await, Err(StoreError::Forbidden)));
    assert!(matches!(mark(store, w.outsider, a.id, "attended").await, Err(StoreError::NotFound { .. })));
    // A participant may not mark themself either.
    assert!(matches!(mark(store, w.trelleborg_member, a.id, "attended").await, Err(StoreError::Forbidden)));
    assert_eq!(count(store, "SELECT COUNT(*) FROM event_registrations WHERE status = 'attended'").await, 0);

    let marked = mark(store, w.county_coordinator, a.id, "attended").await.unwrap();
    let code = marked.certificate_code.clone().expect("an attended training has a certificate");
    mark(store, w.county_coordinator, b.id, "no_show").await.unwrap();
    let v = viewer(store, w.county_member).await;
    let p = store.read(move |db| registrations::participants(db, &v, e.id)).await.unwrap();
    assert_eq!(p.registrations.len(), 2);
    let by_org: Vec<(String, i64)> = p.by_org.iter().map(|c| (c.label.clone(), c.count)).collect();
    assert_eq!(by_org, vec![("Hässleholms kommun".to_owned(), 1), ("Trelleborgs kommun".to_owned(), 1)]);
    let by_role: Vec<String> = p.by_role.iter().map(|c| c.label.clone()).collect();
    assert_eq!(by_role, vec!["Fastighetsskötare", "Samordnare"]);
    assert_eq!(p.by_status.iter().find(|c| c.label == "Uteblev").map(|c| c.count), Some(1));

    // The certificate: the participant and the organiser; nobody else; public verification.
    let v = viewer(store, w.trelleborg_member).await;
    let cert = store.read(move |db| certificates::of_registration(db, &v, a.id)).await.unwrap();
    assert_eq!((cert.participant_name.as_str(), cert.organiser_name.as_str()), ("Test fastighet@trelleborg.se", "Länsstyrelsen Skåne"));
    let v = viewer(store, w.county_coordinator).await;
    assert!(store.read(move |db| certificates::of_registration(db, &v, a.id)).await.is_ok());
    for other in [w.outsider, w.trelleborg_coordinator] {
        let v = viewer(store, other).await;
        assert!(matches!(store.read(move |db| certificates::of_registration(db, &v, a.id)).await, Err(StoreError::NotFound { .. })));
    }
    let c2 = code.clone();
    assert_eq!(store.read(move |db| certificates::verify(db, &c2)).await.unwrap().map(|c| c.code), Some(code.clone()));
    assert_eq!(store.read(|db| certificates::verify(db, "gissad-kod")).await.unwrap(), None);
    // Undoing the attendance takes the certificate back.
    mark(store, w.county_coordinator, a.id, "no_show").await.unwrap();
    assert_eq!(store.read(move |db| certificates::verify(db, &code)).await.unwrap(), None);

    // A draft: not found outside the organiser, and not listed; anonymous lists nothing.
    let mut draft = conference(&w, None);
    draft.status = Some("draft".into());
    draft.title = "Hemlig planering".into();
    let d = create(store, w.county_coordinator, draft).await.unwrap();
    let v = viewer(store, w.outsider).await;
    assert!(matches!(store.read(move |db| event::get(db, &v, d.id)).await, Err(StoreError::NotFound { .. })));
    let v = viewer(store, w.outsider).await;
    let titles: Vec<String> =
        store.read(move |db| event::list(db, &v, &ListFilter::default())).await.unwrap().into_iter().map(|e| e.title).collect();
    assert_eq!(titles, vec!["Grundutbildning i situationell prevention"]);
    let v = viewer(store, w.county_member).await;
    assert_eq!(store.read(move |db| event::list(db, &v, &ListFilter::default())).await.unwrap().len(), 2);
    let anon = Viewer::anonymous(Origin::default());
    assert!(store.read(move |db| event::list(db, &anon, &ListFilter::default())).await.unwrap().is_empty());
    assert!(register(store, w.outsider, d.id, as_role("other")).await.is_err());

    // Search: the published event for every signed-in user, the draft for the organiser only.
    let doc = store.read(move |db| event::search_document(db, d.id)).await.unwrap().unwrap();
    assert_eq!(doc.readers, vec![brygga_store::kernel::index::Reader::Org(w.county)]);
    let doc = store.read(move |db| event::search_document(db, e.id)).await.unwrap().unwrap();
    assert!(doc.readers.contains(&brygga_store::kernel::index::Reader::SignedIn));
}

fn survey_links(bodies: &[String]) -> Vec<String> {
    bodies.iter().filter_map(|b| b.split("/utvardering/").nth(1).map(|t| t.split_whitespace().next().unwrap_or("").to_owned())).collect()
}

/// The survey: the answer tables carry no participant, link or time; one link answers once
/// (the second refused in Swedish, nothing written); personal data in a free text is refused;
/// free texts are held back under three answers; the response rate is used links / sent links.
pub async fn training_survey_answers_are_anonymous_and_once_per_link(store: &Store) {
    let w = world(store).await;
    let mut input = conference(&w, None);
    input.starts_at = at(-3, 9);
    input.ends_at = at(-3, 16);
    let e = create(store, w.county_coordinator, input).await.unwrap();
    let people = [
        ("samordnare@trelleborg.se", "1287"),
        ("fastighet@trelleborg.se", "1287"),
        ("samordnare@hassleholm.se", "1293"),
        ("ordforande@langtbort.se", "0180"),
    ];
    for (email, m) in people {
        let r = register_other(store, w.county_coordinator, e.id, email, "other", m).await;
        mark(store, w.county_coordinator, r.id, "attended").await.unwrap();
    }

    let v = viewer(store, w.county_coordinator).await;
    let questions = SurveyInput {
        questions: vec![
            SurveyQuestionInput { kind: "scale".into(), text: "Hur nöjd är du med dagen som helhet?".into() },
            SurveyQuestionInput { kind: "text".into(), text: "Vad tar du med dig hem?".into() },
        ],
    };
    let s = store.write(move |db| survey::define(db, &v, e.id, &questions)).await.unwrap();
    let (scale_q, text_q) = (s.questions[0].id, s.questions[1].id);
    // Another organisation may neither define nor send nor read results.
    let v = viewer(store, w.outsider).await;
    assert!(matches!(store.write(move |db| survey::send(db, &v, &postmark(), e.id)).await, Err(StoreError::Forbidden)));
    let v = viewer(store, w.outsider).await;
    assert!(matches!(store.read(move |db| survey::results(db, &v, e.id)).await, Err(StoreError::Forbidden)));

    let v = viewer(store, w.county_coordinator).await;
    assert_eq!(store.write(move |db| survey::send(db, &v, &postmark(), e.id)).await.unwrap(), 4);
    let v = viewer(store, w.county_coordinator).await;
    let again = store.write(move |db| survey::send(db, &v, &postmark(), e.id)).await.unwrap_err();
    assert_eq!(code_at(&again, "questions"), "events.survey_sent");
    let bodies: Vec<String> = store
        .read(|db| Ok(db.scalars("SELECT body_text FROM mail_outbox WHERE subject LIKE 'Vad tyckte du%' ORDER BY id", &[])?))
        .await
        .unwrap();
    let links = survey_links(&bodies);
    assert_eq!(links.len(), 4);

    let answer = |token: String, scale: &str, text: &str| {
        let mut a = BTreeMap::new();
        a.insert(scale_q, scale.to_owned());
        a.insert(text_q, text.to_owned());
        store.write(move |db| survey::answer(db, &token, &a))
    };
    answer(links[0].clone(), "5", "Hur vi kartlägger otrygga platser.").await.unwrap();
    answer(links[1].clone(), "3", "Kontakter i grannkommunen.").await.unwrap();

    // Twice from one link: refused, nothing written.
    let responses = count(store, "SELECT COUNT(*) FROM event_survey_answers").await;
    let twice = answer(links[0].clone(), "1", "Ändrade mig.").await.unwrap_err();
    assert_eq!(message_at(&twice, "answer"), "Enkäten är redan besvarad från den här länken. Tack för ditt svar!");
    assert!(message_at(&twice, "answer").starts_with("Enkäten är redan besvarad från den här länken"));
    assert_eq!(count(store, "SELECT COUNT(*) FROM event_survey_answers").await, responses);
    // Personal data and a scale outside 1–5: refused, and the link stays unused.
    let bad = answer(links[2].clone(), "7", "Ring mig på 070-123 45 67").await.unwrap_err();
    assert_eq!(code_at(&bad, &format!("q{text_q}")), "text.personal_data");
    assert_eq!(code_at(&bad, &format!("q{scale_q}")), "events.scale");
    assert_eq!(count(store, "SELECT COUNT(*) FROM event_survey_links WHERE used = TRUE").await, 2);

    // Two answers: free texts held back.
    let v = viewer(store, w.county_member).await;
    let r = store.read(move |db| survey::results(db, &v, e.id)).await.unwrap();
    assert_eq!((r.sent_links, r.answered_links, r.response_rate_percent), (4, 2, Some(50)));
    assert_eq!(r.questions[0].average, Some(4.0));
    assert_eq!(r.questions[0].distribution, vec![0, 0, 1, 0, 1]);
    assert!(r.questions[1].texts_suppressed && r.questions[1].texts.is_empty());

    answer(links[2].clone(), "4", "").await.unwrap();
    answer(links[3].clone(), "", "Mer tid till samtal i grupp.").await.unwrap();
    let v = viewer(store, w.county_member).await;
    let r = store.read(move |db| survey::results(db, &v, e.id)).await.unwrap();
    assert_eq!((r.answered_links, r.response_rate_percent, r.responses), (4, Some(100), 4));
    assert_eq!(r.questions[1].answered, 3);
    assert!(!r.questions[1].texts_suppressed);
    assert_eq!(r.questions[1].texts.len(), 3);

    // Anonymous by construction: the answer tables name no user, registration, link or time.
    let columns = |table: &'static str| {
        store.read(move |db| {
            let rows =
                db.map_all(&format!("SELECT * FROM {table}"), &[], |r| Ok(r.iter().map(|(c, _)| c.to_owned()).collect::<Vec<_>>()))?;
            Ok(rows.into_iter().next().unwrap_or_default())
        })
    };
    assert_eq!(columns("event_survey_responses").await.unwrap(), vec!["id", "survey_id"]);
    assert_eq!(columns("event_survey_answers").await.unwrap(), vec!["response_id", "question_id", "scale", "text"]);
    assert_eq!(columns("event_survey_links").await.unwrap(), vec!["id", "survey_id", "token_hash", "used"]);
    // The links keep only a digest of the token.
    let stored: Vec<String> = store.read(|db| Ok(db.scalars("SELECT token_hash FROM event_survey_links", &[])?)).await.unwrap();
    assert!(links.iter().all(|l| !stored.contains(l)));
}

/// Coverage: attended participants per municipality, by kind and year; the municipalities that
/// never attended; no-shows and other counties' events do not count. County-board
/// coordinators of the county and system administrators read it; nobody else.
pub async fn training_coverage_counts_attended_and_lists_who_never_came(store: &Store) {
    let w = world(store).await;
    let year = brygga_domain::time::today().year() - 1;
    let in_year = |month: i8, hour: i8| format!("{year}-{month:02}-15T{hour:02}:00");
    let mut training = conference(&w, None);
    training.kind = Some("training".into());
    training.starts_at = in_year(3, 9);
    training.ends_at = in_year(3, 16);
    let t = create(store, w.county_coordinator, training).await.unwrap();
    let mut conf = conference(&w, None);
    conf.starts_at = in_year(5, 9);
    conf.ends_at = in_year(5, 16);
    let c = create(store, w.county_coordinator, conf).await.unwrap();
    let r1 = register_other(store, w.county_coordinator, t.id, "samordnare@trelleborg.se", "coordinator", "1287").await;
    let r2 = register_other(store, w.county_coordinator, t.id, "fastighet@trelleborg.se", "caretaker", "1287").await;
    let r3 = register_other(store, w.county_coordinator, t.id, "samordnare@hassleholm.se", "coordinator", "1293").await;
    let r4 = register_other(store, w.county_coordinator, c.id, "samordnare@hassleholm.se", "coordinator", "1293").await;
    for r in [&r1, &r2, &r4] {
        mark(store, w.county_coordinator, r.id, "attended").await.unwrap();
    }
    mark(store, w.county_coordinator, r3.id, "no_show").await.unwrap();

    let q = TrainingCoverageQuery { year: Some(year), kind: None };
    let v = viewer(store, w.county_coordinator).await;
    let q2 = q.clone();
    let r = store.read(move |db| coverage::report(db, &v, "12", &q2)).await.unwrap();
    assert_eq!((r.kind.code.as_str(), r.total), ("training", 33));
    assert_eq!(r.attended_count, 1);
    assert_eq!(r.summary(), "1 av 33 kommuner deltog");
    assert_eq!(r.participants, 2);
    let row = |code: &str| r.municipalities.iter().find(|m| m.code == code).unwrap().clone();
    assert_eq!(row("1287").attended, 2);
    assert_eq!(row("1293").attended, 0);
    // Hässleholm came to the conference, not to a training.
    assert_eq!(row("1293").by_kind, vec![1, 0, 0, 0]);
    assert!(r.never_attended.contains(&"Hässleholm".to_owned()));
    assert!(!r.never_attended.contains(&"Trelleborg".to_owned()));
    assert_eq!(r.never_attended.len(), 32);
    assert_eq!(r.years.len(), 5);
    assert_eq!(r.years.last().map(|y| (y.year, y.municipalities_attended, y.participants)), Some((year, 1, 2)));
    let v = viewer(store, w.county_coordinator).await;
    let conf_q = TrainingCoverageQuery { year: Some(year), kind: Some("conference".into()) };
    let r = store.read(move |db| coverage::report(db, &v, "12", &conf_q)).await.unwrap();
    assert_eq!(r.summary(), "1 av 33 kommuner deltog");

    // Who reads: not a member of the county board, not a municipality, not another county's board.
    for u in [w.county_member, w.trelleborg_coordinator, w.outsider, w.other_county_coordinator] {
        let v = viewer(store, u).await;
        let q2 = q.clone();
        assert!(matches!(store.read(move |db| coverage::report(db, &v, "12", &q2)).await, Err(StoreError::Forbidden)), "user {u}");
    }
    let v = viewer(store, w.other_county_coordinator).await;
    let q2 = q.clone();
    assert_eq!(store.read(move |db| coverage::report(db, &v, "01", &q2)).await.unwrap().attended_count, 0);
}
