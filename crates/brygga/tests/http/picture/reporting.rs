//! Reporting through the phone form and through the API (with idempotency keys).

use brygga_store_tests::stories;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Backend, PASSWORD, TestApp, text_of};

async fn setup(b: Backend) -> Option<(TestApp, stories::Est)> {
    let app = TestApp::spawn(b).await?;
    let est = stories::est(app.store()).await;
    Some((app, est))
}

async fn the_phone_form_reports_in_a_few_taps(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let web = app.browser();
    web.login("falt@trelleborg.se", PASSWORD).await;
    let (status, html) = web.get_html("/rapportera").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("EST Trelleborg"), "the reporter's only forum is chosen");
    assert!(html.contains("Stortorget"));
    let klotter = {
        let doc = scraper::Html::parse_document(&html);
        let sel = scraper::Selector::parse("input[name=category]").unwrap();
        let label = scraper::Selector::parse("label.choice").unwrap();
        doc.select(&label)
            .find(|l| l.text().collect::<String>().contains("Klotter"))
            .and_then(|l| l.select(&sel).next())
            .and_then(|i| i.value().attr("value"))
            .unwrap()
            .to_owned()
    };
    let forum = w.forum.to_string();
    let area = w.stortorget.to_string();
    let r = web
        .submit(
            "/rapportera",
            "/rapportera",
            &[("forum_id", &forum), ("category", &klotter), ("area_id", &area), ("quantity", "3"), ("note", "Nya taggar på fasaden.")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    let (_, html) = web.get_html(&to).await;
    assert!(text_of(&html, ".flash").unwrap().starts_with("Tack! Rapporten är sparad: Klotter vid Stortorget, v."));
    let (_, mine) = web.get_html("/rapportera/mina").await;
    assert!(mine.contains("Nya taggar på fasaden."));
}

async fn personal_data_is_refused_and_can_be_removed(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let web = app.browser();
    web.login("falt@trelleborg.se", PASSWORD).await;
    let forum = w.forum.to_string();
    let note = "Kalle (19811218-9876) ringde från 070-123 45 67";
    let r = web.submit("/rapportera", "/rapportera", &[("forum_id", &forum), ("category", "klotter"), ("note", note)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("personnummer och ett telefonnummer"), "explains what was found");
    assert!(html.contains("Ta bort uppgifterna åt mig"));
    let r =
        web.submit("/rapportera", "/rapportera", &[("forum_id", &forum), ("category", "klotter"), ("note", note), ("redact", "on")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Kalle ([borttaget]) ringde från [borttaget]"), "offers the cleaned text for review");
    assert!(!html.contains("9876") && !html.contains("45 67"));
    let stored: i64 =
        app.store().read(|db| Ok(brygga_store::ConnExt::scalar(db, "SELECT COUNT(*) FROM observations", &[])?)).await.unwrap();
    assert_eq!(stored, 0, "nothing stored until the reporter sends the cleaned text");
}

async fn bad_reports_name_each_field(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let web = app.browser();
    web.login("falt@trelleborg.se", PASSWORD).await;
    let forum = w.forum.to_string();
    let r = web
        .submit(
            "/rapportera",
            "/rapportera",
            &[
                ("forum_id", &forum),
                ("category", ""),
                ("quantity", "många"),
                ("observed_at", "2099-01-01T10:00"),
                ("lat", "55.6"),
                ("lon", "abc"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Välj vad du har sett."), "{html}");
    assert!(html.contains("Antalet ska vara ett heltal"));
    assert!(html.contains("Koordinaten ska vara ett decimaltal"));
    assert!(html.contains("value=\"2099-01-01T10:00\""), "what was typed is kept");
}

async fn api_reports_are_idempotent(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let token = app.token(w.reporter, w.kommun).await;
    let api = app.api(&token);
    let body = json!({"forum_id": w.forum, "category": "graffiti", "area_id": w.stortorget, "observed_at": "2026-11-16T21:30:00+01:00", "quantity": 2});
    let first = api.req(Method::POST, "/observations").header("idempotency-key", "rapport-0001").json(&body).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: serde_json::Value = first.json().await.unwrap();
    assert_eq!(first["week"], "2026-W47");
    for _ in 0..3 {
        let again = api.req(Method::POST, "/observations").header("idempotency-key", "rapport-0001").json(&body).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::CREATED);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        let again: serde_json::Value = again.json().await.unwrap();
        assert_eq!(again["id"], first["id"]);
    }
    // The same key for a different report is refused; a new key stores a new report.
    let other = json!({"forum_id": w.forum, "category": "vandalism"});
    let (s, e) = api.send(Method::POST, "/observations", other.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let r = api.req(Method::POST, "/observations").header("idempotency-key", "rapport-0001").json(&other).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let count: i64 = app.store().read(|db| Ok(brygga_store::ConnExt::scalar(db, "SELECT COUNT(*) FROM observations", &[])?)).await.unwrap();
    assert_eq!(count, 2);

    // Field errors name the field; nothing is written.
    let (s, e) = api
        .send(Method::POST, "/observations", json!({"forum_id": w.forum, "category": "moped", "observed_at": "2099-01-01T00:00:00Z"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|p| p["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["category", "observed_at"]);

    // The joint picture's reports are listed; an outsider's token sees none of them.
    let (s, page) = api.get(&format!("/observations?forum_id={}&from_week=2026-W40", w.forum)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let outsider = app.api(&app.token(w.outsider, w.angelholm).await);
    let (s, _) = outsider.get(&format!("/observations?forum_id={}", w.forum)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = outsider.get(&format!("/observations/{}", first["id"])).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

crate::both_backends!(
    the_phone_form_reports_in_a_few_taps,
    personal_data_is_refused_and_can_be_removed,
    bad_reports_name_each_field,
    api_reports_are_idempotent
);
