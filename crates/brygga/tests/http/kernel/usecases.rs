//! Issue 12, item 3: a page and the API are two doors onto one store command, so they refuse
//! the same things with the same field errors — a place, an organisation filter, a
//! municipality typed by name, and an id or week in the address.

use brygga_store_tests::stories::{self, Est};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Api, Backend, Browser, PASSWORD, TestApp, csrf_in};

struct World {
    app: TestApp,
    w: Est,
}

async fn world(b: Backend) -> Option<World> {
    let app = TestApp::spawn(b).await?;
    let w = stories::est(app.store()).await;
    Some(World { app, w })
}

impl World {
    async fn api(&self, user: i64, org: i64) -> Api {
        let token = self.app.token(user, org).await;
        self.app.api(&token)
    }
    async fn browser(&self, email: &str) -> Browser {
        let web = self.app.browser();
        assert_eq!(web.login(email, PASSWORD).await.status(), StatusCode::SEE_OTHER);
        web
    }
}

/// The `value` of the first element matching `selector`.
fn value_of(html: &str, selector: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel).next().and_then(|e| e.value().attr("value")).map(str::to_owned).unwrap_or_else(|| panic!("no {selector}"))
}

/// The first error of an API answer, as (field, code, message).
fn first_error(e: &Value) -> (String, String, String) {
    let first = &e["errors"][0];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    (text(&first["field"]), text(&first["code"]), text(&first["message"]))
}

/// Latitude and longitude swapped (Stortorget in Trelleborg written lon, lat): a report and an
/// alert through the API, and an alert through the page, all refuse it on `lat` as lying
/// outside Sweden, with the hint that the two look swapped.
async fn a_swapped_position_is_refused_alike_by_reports_and_alerts(b: Backend) {
    let Some(x) = world(b).await else { return };
    let w = &x.w;
    let api = x.api(w.reporter, w.kommun).await;
    let (s, report) =
        api.send(Method::POST, "/observations", json!({"forum_id": w.forum, "category": "klotter", "lat": 13.1566, "lon": 55.3751})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    let alert_path = format!("/forums/{}/alerts", w.forum);
    let (s, alert) =
        api.send(Method::POST, &alert_path, json!({"title": "Bråk vid torget", "urgency": "today", "lat": 13.1566, "lon": 55.3751})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{alert}");
    let (field, code, message) = first_error(&alert);
    assert_eq!((field.as_str(), code.as_str()), ("lat", "position.outside_sweden"), "{alert}");
    assert!(message.contains("bytt plats"), "{message}");
    assert_eq!(first_error(&report), first_error(&alert), "one check, one answer");

    let web = x.browser("falt@trelleborg.se").await;
    let page = format!("/forum/{}/larm/nytt", w.forum);
    let (_, html) = web.get_html(&page).await;
    let (csrf, key, org) = (csrf_in(&html), value_of(&html, "input[name=key]"), value_of(&html, "input[name=org_id]"));
    let fields = [
        ("csrf", csrf.as_str()),
        ("key", &key),
        ("org_id", &org),
        ("title", "Bråk vid torget"),
        ("urgency", "today"),
        ("lat", "13.1566"),
        ("lon", "55.3751"),
    ];
    let r = web.post(&page, &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains(&message), "the page shows the same words: {html}");
    let (_, list) = api.get(&alert_path).await;
    assert_eq!(list.as_array().map(Vec::len), Some(0), "nothing raised");
}

/// An organisation outside the forum as the action list's filter: the API answers 422 naming
/// `org_id` (it used to answer an empty list), and the page shows the store's words.
async fn the_action_list_refuses_an_organisation_outside_the_forum(b: Backend) {
    let Some(x) = world(b).await else { return };
    let w = &x.w;
    let api = x.api(w.coordinator, w.kommun).await;
    let (s, e) = api.get(&format!("/forums/{}/actions?org_id={}", w.forum, w.angelholm)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (field, code, message) = first_error(&e);
    assert_eq!((field.as_str(), code.as_str()), ("org_id", "forum.not_member"));
    let (s, _) = api.get(&format!("/forums/{}/actions?org_id={}", w.forum, w.bostad)).await;
    assert_eq!(s, StatusCode::OK, "a member organisation filters");

    let web = x.browser("samordnare@trelleborg.se").await;
    let (s, html) = web.get_html(&format!("/forum/{}/atgarder?organisation={}", w.forum, w.angelholm)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(&message), "{html}");
}

/// The API takes a forum's municipality by name, as the page always did; codes keep working
/// and an unknown name is refused on the field.
async fn a_forum_municipality_may_be_named_in_the_api(b: Backend) {
    let Some(x) = world(b).await else { return };
    let w = &x.w;
    let api = x.api(w.coordinator, w.kommun).await;
    let (s, f) = api
        .send(
            Method::POST,
            "/forums",
            json!({"name": "Trygghet i centrum", "municipality_code": "Trelleborg", "convener_org_id": w.kommun}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    assert_eq!(f["municipality_code"], "1287");
    let (s, f) = api
        .send(Method::POST, "/forums", json!({"name": "Trygghet i hamnen", "municipality_code": "1287", "convener_org_id": w.kommun}))
        .await;
    assert_eq!((s, f["municipality_code"].as_str()), (StatusCode::CREATED, Some("1287")), "{f}");
    let (s, e) =
        api.send(Method::POST, "/forums", json!({"name": "Atlantis", "municipality_code": "Atlantis", "convener_org_id": w.kommun})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(first_error(&e).0, "municipality_code");
}

/// A path that names no id names nothing: 404 on the pages and in the API alike; a bad week is
/// 404 on the pages (the API names the `week` field, see `trust_guard`).
async fn a_bad_id_or_week_in_the_address_is_not_found_everywhere(b: Backend) {
    let Some(x) = world(b).await else { return };
    let w = &x.w;
    let api = x.api(w.coordinator, w.kommun).await;
    for path in ["/actions/abc".to_owned(), "/forums/abc/actions".to_owned()] {
        let (s, e) = api.get(&path).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{path}");
    }
    let web = x.browser("samordnare@trelleborg.se").await;
    for path in [format!("/forum/{}/avstamning/vecka-5", w.forum), "/atgarder/abc".to_owned(), "/platser/1287/abc".to_owned()] {
        assert_eq!(web.get(&path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

both_backends!(
    a_swapped_position_is_refused_alike_by_reports_and_alerts,
    the_action_list_refuses_an_organisation_outside_the_forum,
    a_forum_municipality_may_be_named_in_the_api,
    a_bad_id_or_week_in_the_address_is_not_found_everywhere,
);
