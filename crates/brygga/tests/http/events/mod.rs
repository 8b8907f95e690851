//! Training and events (issue 16, item 5) through the API and the pages: bad input named at
//! the field in Swedish with nothing written; registration with the waiting list (an outcome,
//! not an error) and a second registration refused; participants and attendance for the
//! organiser only; the coverage report for the county's coordinators only; the certificate
//! verified without login; the survey answered once from its link without login; the
//! promotion e-mail through a real SMTP server.

use std::time::Duration;

use brygga::worker::{self, Handlers, WorkerConfig};
use brygga_domain::{OrgKind, Role};
use brygga_store::ConnExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, PASSWORD, TestApp};
use crate::smtp::SmtpSink;

fn field<'a>(body: &'a Value, name: &str) -> &'a str {
    body["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == name))
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error at {name}: {body}"))
}

async fn count(app: &TestApp, table: &'static str) -> i64 {
    app.store().read(move |db| Ok(db.scalar(&format!("SELECT COUNT(*) FROM {table}"), &[])?)).await.unwrap()
}

fn at(days: i64, hour: i8) -> String {
    let d = brygga_domain::time::today().checked_add(jiff::Span::new().days(days)).unwrap();
    format!("{d}T{hour:02}:00")
}

fn training(county_board: i64, capacity: i64, days: i64) -> Value {
    json!({
        "title": "Grundutbildning: trygghet i vardagen",
        "kind": "training",
        "format": "on_site",
        "organiser_org_id": county_board,
        "county_code": "12",
        "starts_at": at(days, 9),
        "ends_at": at(days, 12),
        "place": "Hässleholm, Kulturhuset",
        "capacity": capacity,
        "status": "published"
    })
}

struct World {
    app: TestApp,
    county: i64,
    trelleborg: i64,
    hassleholm: i64,
    stranger: i64,
    organiser: i64,
    sara: i64,
    hugo: i64,
    outsider: i64,
}

async fn world(b: Backend) -> Option<World> {
    let app = TestApp::spawn(b).await?;
    let county = app.org("Länsstyrelsen Skåne", OrgKind::CountyBoard, &["1287", "1293"]).await;
    let trelleborg = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let hassleholm = app.org("Hässleholms kommun", OrgKind::Municipality, &["1293"]).await;
    let stranger = app.org("Vellinge kommun", OrgKind::Municipality, &["1233"]).await;
    let organiser = app.user("lan@lansstyrelsen.test", county, Role::Coordinator).await;
    let sara = app.user("sara@trelleborg.test", trelleborg, Role::Member).await;
    let hugo = app.user("hugo@hassleholm.test", hassleholm, Role::Coordinator).await;
    let outsider = app.user("samordnare@vellinge.test", stranger, Role::Coordinator).await;
    Some(World { app, county, trelleborg, hassleholm, stranger, organiser, sara, hugo, outsider })
}

async fn events_through_the_api_and_pages(b: Backend) {
    let Some(w) = world(b).await else { return };
    let app = &w.app;
    let api = app.api(&app.token(w.organiser, w.county).await);
    let sara_api = app.api(&app.token(w.sara, w.trelleborg).await);
    let hugo_api = app.api(&app.token(w.hugo, w.hassleholm).await);
    let out_api = app.api(&app.token(w.outsider, w.stranger).await);

    // Bad input: every problem at its field in Swedish, nothing written.
    let mut bad = training(w.county, 0, 10);
    bad["ends_at"] = json!(at(9, 9));
    bad["format"] = json!("digital");
    bad["place"] = json!(null);
    let (status, body) = api.send(Method::POST, "/events", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field(&body, "ends_at").contains("slutar innan det börjar"));
    assert!(field(&body, "link").contains("behöver en länk"));
    assert!(field(&body, "capacity").contains("Ange mellan 1"));
    assert_eq!(count(app, "events").await, 0);
    let (status, _) = out_api.send(Method::POST, "/events", training(w.county, 1, 10)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // One seat: Sara gets it, Hugo goes on the waiting list — 201 both, not an error.
    let (status, e) = api.send(Method::POST, "/events", training(w.county, 1, 10)).await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let path = format!("/events/{}/registrations", e["id"]);
    let (status, r) = sara_api.send(Method::POST, &path, json!({"role": "caretaker"})).await;
    assert_eq!(
        (status, r["status"]["code"].as_str(), r["municipality"]["code"].as_str()),
        (StatusCode::CREATED, Some("registered"), Some("1287")),
        "{r}"
    );
    let (status, h) = hugo_api.send(Method::POST, &path, json!({"role": "coordinator"})).await;
    assert_eq!((status, h["status"]["code"].as_str(), h["position"].as_i64()), (StatusCode::CREATED, Some("waiting"), Some(1)), "{h}");
    let (status, body) = sara_api.send(Method::POST, &path, json!({"role": "caretaker"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&body, "event_id").starts_with("Du är redan anmäld"));
    assert_eq!(count(app, "event_registrations").await, 2);
    // With an Idempotency-Key a retry gets the first answer, not "already registered".
    for replayed in [false, true] {
        let r = out_api
            .req(Method::POST, &path)
            .header("Idempotency-Key", "anmalan-1")
            .json(&json!({"role": "coordinator"}))
            .send()
            .await
            .unwrap();
        assert_eq!((r.status(), r.headers().get("idempotent-replayed").is_some()), (StatusCode::CREATED, replayed));
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["position"].as_i64(), Some(2), "{body}");
    }

    // Participants: the organiser only.
    let (status, p) = api.get(&format!("/events/{}/participants", e["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(p["registrations"].as_array().unwrap().len(), 3, "{p}");
    let (status, _) = out_api.get(&format!("/events/{}/participants", e["id"])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = out_api.send(Method::PUT, &format!("/registrations/{}/attendance", r["id"]), json!({"status": "attended"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The pages: Hugo sees his place on the waiting list; the organiser the participants.
    let hugo_web = app.browser();
    hugo_web.login("hugo@hassleholm.test", PASSWORD).await;
    let (status, html) = hugo_web.get_html(&format!("/evenemang/{}", e["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Evenemanget är fullt — du står som nr 1 på väntelistan."), "{html}");
    assert!(!html.contains("sara@trelleborg.test") && !html.contains("Test sara"), "no participants for a participant");
    let org_web = app.browser();
    org_web.login("lan@lansstyrelsen.test", PASSWORD).await;
    let (_, html) = org_web.get_html(&format!("/evenemang/{}", e["id"])).await;
    assert!(html.contains("Deltagare") && html.contains("Test sara@trelleborg.test"), "{html}");
    // A page registration: a member of another municipality registers through the form.
    let out_web = app.browser();
    out_web.login("samordnare@vellinge.test", PASSWORD).await;
    let page = format!("/evenemang/{}", e["id"]);
    let r2 = out_web.submit(&page, &format!("{page}/anmal"), &[("role", "coordinator"), ("municipality_code", "1233")]).await;
    assert_eq!(r2.status(), StatusCode::UNPROCESSABLE_ENTITY, "already registered through the API");
    assert!(r2.text().await.unwrap().contains("Du är redan anmäld"));
    let (status, html) = out_web.get_html("/mina-evenemang").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Grundutbildning: trygghet i vardagen") && html.contains("nr 2"), "{html}");

    // Coverage: the county's coordinators only.
    let (status, _) = hugo_api.get("/counties/12/training-coverage").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, cov) = api.get("/counties/12/training-coverage").await;
    assert_eq!(status, StatusCode::OK, "{cov}");
    assert_eq!((cov["total"].as_i64(), cov["attended_count"].as_i64()), (Some(33), Some(0)));
    let (status, _) = hugo_web.get_html("/lan/12/utbildningstackning").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, html) = org_web.get_html("/lan/12/utbildningstackning").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("0 av 33 kommuner deltog") && html.contains("Trelleborg"), "{html}");
}

/// A past training: attendance, the certificate verified without login, the survey answered
/// once from its link without login.
async fn certificates_and_the_survey_work_without_login(b: Backend) {
    let Some(w) = world(b).await else { return };
    let app = &w.app;
    let api = app.api(&app.token(w.organiser, w.county).await);
    let (_, e) = api.send(Method::POST, "/events", training(w.county, 10, -2)).await;
    let path = format!("/events/{}/registrations", e["id"]);
    let mut regs = Vec::new();
    for email in ["sara@trelleborg.test", "hugo@hassleholm.test"] {
        let (status, r) = api.send(Method::POST, &path, json!({"email": email, "role": "caretaker"})).await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        let (status, r) = api.send(Method::PUT, &format!("/registrations/{}/attendance", r["id"]), json!({"status": "attended"})).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        regs.push(r);
    }
    let code = regs[0]["certificate_code"].as_str().unwrap().to_owned();
    let anon = app.browser();
    let (status, html) = anon.get_html(&format!("/intyg/{code}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Intyget är äkta") && html.contains("Test sara@trelleborg.test"), "{html}");
    let (status, _) = anon.get_html("/intyg/gissning").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let sara_web = app.browser();
    sara_web.login("sara@trelleborg.test", PASSWORD).await;
    let (status, html) = sara_web.get_html(&format!("/mina-evenemang/intyg/{}", regs[0]["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&code));
    let (status, _) = sara_web.get_html(&format!("/mina-evenemang/intyg/{}", regs[1]["id"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not another participant's certificate");

    let (status, s) = api
        .send(
            Method::PUT,
            &format!("/events/{}/survey", e["id"]),
            json!({"questions": [{"kind": "scale", "text": "Hur nöjd är du?"}, {"kind": "text", "text": "Vad tar du med dig?"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let (status, sent) = api.send(Method::POST, &format!("/events/{}/survey/send", e["id"]), json!(null)).await;
    assert_eq!((status, sent["links"].as_i64()), (StatusCode::OK, Some(2)), "{sent}");
    let bodies: Vec<String> = app
        .store()
        .read(|db| Ok(db.scalars("SELECT body_text FROM mail_outbox WHERE subject LIKE 'Vad tyckte du%' ORDER BY id", &[])?))
        .await
        .unwrap();
    let token = bodies[0].split("/utvardering/").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let page = format!("/utvardering/{token}");
    let (status, html) = anon.get_html(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Hur nöjd är du?"), "{html}");
    let scale = format!("q{}", s["questions"][0]["id"]);
    let text = format!("q{}", s["questions"][1]["id"]);
    let origin = app.url("");
    let post = |fields: Vec<(String, String)>| anon_post(&origin, &page, fields);
    let r = post(vec![(scale.clone(), "9".into()), (text.clone(), "Ring 070-123 45 67".into())]).await;
    assert_eq!(r.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.1.contains("från 1 till 5"), "{}", r.1);
    assert_eq!(count(app, "event_survey_responses").await, 0);
    let r = post(vec![(scale.clone(), "4".into()), (text.clone(), "Bra exempel.".into())]).await;
    assert_eq!(r.0, StatusCode::OK);
    assert!(r.1.contains("Tack! Ditt svar är sparat."));
    let r = post(vec![(scale.clone(), "1".into())]).await;
    assert!(r.1.contains("Enkäten är redan besvarad från den här länken"), "{}", r.1);
    assert_eq!(count(app, "event_survey_responses").await, 1);
    let (_, res) = api.get(&format!("/events/{}/survey/results", e["id"])).await;
    assert_eq!((res["response_rate_percent"].as_i64(), res["questions"][1]["texts_suppressed"].as_bool()), (Some(50), Some(true)), "{res}");
    let (status, _) = app.api(&app.token(w.outsider, w.stranger).await).get(&format!("/events/{}/survey/results", e["id"])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn anon_post(origin: &str, page: &str, fields: Vec<(String, String)>) -> (StatusCode, String) {
    let r = reqwest::Client::new()
        .post(format!("{}{page}", origin.trim_end_matches('/')))
        .header("Origin", origin.trim_end_matches('/'))
        .form(&fields)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Cancelling a seat promotes the first on the waiting list, who gets an e-mail through a real
/// SMTP server.
async fn promotion_is_emailed_through_smtp(b: Backend) {
    let Some(sink) = SmtpSink::start().await else { return };
    let Some(w) = world(b).await else { return };
    let app = &w.app;
    let api = app.api(&app.token(w.organiser, w.county).await);
    let sara_api = app.api(&app.token(w.sara, w.trelleborg).await);
    let hugo_api = app.api(&app.token(w.hugo, w.hassleholm).await);
    let (_, e) = api.send(Method::POST, "/events", training(w.county, 1, 10)).await;
    let path = format!("/events/{}/registrations", e["id"]);
    let (_, r) = sara_api.send(Method::POST, &path, json!({"role": "caretaker"})).await;
    let (_, h) = hugo_api.send(Method::POST, &path, json!({"role": "coordinator"})).await;
    assert_eq!(h["status"]["code"], "waiting");
    let (status, c) = sara_api.send(Method::POST, &format!("/registrations/{}/cancel", r["id"]), json!(null)).await;
    assert_eq!((status, c["status"]["code"].as_str()), (StatusCode::OK, Some("cancelled")), "{c}");
    let (_, h) = hugo_api.get(&format!("/registrations/{}", h["id"])).await;
    assert_eq!(h["status"]["code"], "registered");

    let store = app.store().clone();
    let config = WorkerConfig { workers: 2, poll: Duration::from_millis(50), schedules: false, ..Default::default() };
    let workers = worker::spawn(
        store.clone(),
        Handlers::standard(Some(crate::operations::mail::mailer(sink.port)), crate::operations::mail::post()),
        config,
        false,
    );
    let got = sink.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(got[0].rcpt_tos, ["hugo@hassleholm.test"]);
    assert_eq!(got[0].header("Subject"), Some("Du har fått en plats: Grundutbildning: trygghet i vardagen"));
    assert!(got[0].body.as_deref().unwrap().contains("/mina-evenemang"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    workers.stop().await;
    assert_eq!(sink.received().len(), 1);
    sink.stop().await;
}

both_backends!(events_through_the_api_and_pages, certificates_and_the_survey_work_without_login, promotion_is_emailed_through_smtp);
