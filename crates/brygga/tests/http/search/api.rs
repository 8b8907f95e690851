//! Search through the page and the API: anonymous visitors find public records only, a signed-in
//! user also what their organisation may read, another organisation never the first one's drafts
//! (not in hits, total or facets); bad queries answered 400 with the message at the field, the
//! page re-rendered with the form; facets are links that work without JavaScript.

use brygga_domain::geography::MunicipalityCode;
use brygga_domain::geometry::PlaceGeometry;
use brygga_domain::{OrgKind, Role};
use brygga_store::places::areas::{self, NewArea};
use brygga_store::plans::plan::{self, PlanInput, ShareInput};
use brygga_store_tests::stories::viewer;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Backend, PASSWORD, TestApp, text_of};

fn field<'a>(body: &'a Value, name: &str) -> &'a str {
    body["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == name))
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error at {name}: {body}"))
}

fn titles(body: &Value) -> Vec<String> {
    body["hits"].as_array().unwrap().iter().map(|h| h["title"].as_str().unwrap().to_owned()).collect()
}

async fn plan(app: &TestApp, user: i64, title: &str, publish: bool) -> i64 {
    let v = viewer(app.store(), user).await;
    let input = PlanInput {
        title: title.into(),
        municipality_code: Some("1287".into()),
        period_from: Some("2026-01-01".into()),
        period_to: Some("2026-12-31".into()),
        decided_by: Some("Kommunfullmäktige".into()),
        decided_on: Some("2026-02-24".into()),
        ..PlanInput::default()
    };
    let p = app.store().write(move |db| plan::create(db, &v, &input)).await.unwrap();
    if publish {
        let v = viewer(app.store(), user).await;
        let (id, version) = (p.id, p.version);
        app.store().write(move |db| plan::adopt(db, &v, id, version)).await.unwrap();
        let v = viewer(app.store(), user).await;
        let share = ShareInput { visibility: "public".into(), forum_id: None };
        app.store().write(move |db| plan::share(db, &v, id, &share)).await.unwrap();
    }
    p.id
}

async fn anonymous_get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let r = reqwest::get(app.url(path)).await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn search_page_and_api_respect_sharing_and_refuse_bad_queries(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let angelholm = app.org("Ängelholms kommun", OrgKind::Municipality, &["1292"]).await;
    let coordinator = app.user("samordnare@trelleborg.test", kommun, Role::Coordinator).await;
    let outsider = app.user("samordnare@angelholm.test", angelholm, Role::Coordinator).await;
    let v = viewer(app.store(), coordinator).await;
    app.store()
        .write(move |db| {
            let a = NewArea {
                municipality: MunicipalityCode::parse("1287").unwrap(),
                parent_id: None,
                name: "Ungdomsgården Centrum".into(),
                kind: "centre".into(),
                geometry: PlaceGeometry::point(13.1566, 55.3751),
                owner_org_id: kommun,
            };
            areas::create(db, &v, &a)
        })
        .await
        .unwrap();
    let published = plan(&app, coordinator, "Trygghet kring ungdomsgårdar", true).await;
    plan(&app, coordinator, "Ungdomsgårdar i Söder", false).await;

    // Anonymous, through the API without a token: the published plan only.
    let (status, body) = anonymous_get(&app, "/api/v1/search?q=ungdomsg%C3%A5rd").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(titles(&body), ["Trygghet kring ungdomsgårdar"]);
    assert_eq!(body["total"], 1);
    assert_eq!(body["hits"][0]["path"], format!("/publikt/atgardsplaner/{published}"));
    assert_eq!(body["hits"][0]["kind"], "plan");
    // With the owner's token: the place and the draft too, facets counted over the same.
    let api = app.api(&app.token(coordinator, kommun).await);
    let (status, body) = api.get("/search?q=ungdomsg%C3%A5rdar").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // All score 3 (one title occurrence): by kind, then id.
    assert_eq!(titles(&body), ["Ungdomsgården Centrum", "Trygghet kring ungdomsgårdar", "Ungdomsgårdar i Söder"]);
    assert_eq!(body["total"], 3);
    assert_eq!(body["kinds"][0]["value"], "place");
    assert_eq!(body["kinds"][1]["count"], 2);
    assert_eq!(body["municipalities"][0]["count"], 3);
    let (_, body) = api.get("/search?q=ungdomsg%C3%A5rd&kind=plan&municipality=1287&limit=1").await;
    assert_eq!((titles(&body), body["total"].clone()), (vec!["Trygghet kring ungdomsgårdar".to_owned()], Value::from(2)));
    // Another organisation: never the draft, not even in a count.
    let other = app.api(&app.token(outsider, angelholm).await);
    let (_, body) = other.get("/search?q=ungdomsg%C3%A5rd").await;
    assert_eq!(titles(&body), ["Ungdomsgården Centrum", "Trygghet kring ungdomsgårdar"]);
    assert_eq!(body["total"], 2);
    assert_eq!(body["kinds"].as_array().unwrap().iter().map(|k| k["count"].as_i64().unwrap()).sum::<i64>(), 2);
    // A bad token is refused, not searched anonymously.
    let bad = app.api("brygga_nonsense");
    assert_eq!(bad.get("/search?q=ungdomsg%C3%A5rd").await.0, StatusCode::UNAUTHORIZED);

    // Bad queries: 400, the field named, in Swedish.
    let long = "a".repeat(10_240);
    let (status, body) = api.get(&format!("/search?q={long}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(field(&body, "q").contains("högst 200 tecken"), "{body}");
    let (status, body) = api.get("/search?q=%21%21%21%20...").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(field(&body, "q"), "Skriv minst ett ord att söka på.");
    let (status, body) = api.get("/search?q=och%20att").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(field(&body, "q").starts_with("Skriv minst ett ord att söka på."));
    let (status, body) = api.get("/search").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(field(&body, "q").starts_with("Skriv minst ett ord"));
    let (status, body) = api.get("/search?q=fotboll&kind=hemligt").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(field(&body, "kind").contains("Okänd typ ”hemligt”"));
    let (status, body) = api.get("/search?q=fotboll&municipality=9999").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(field(&body, "municipality").contains("9999"));
    let (status, body) = api.get("/search?q=fotboll&limit=m%C3%A5nga").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(field(&body, "limit").contains("heltal"));

    // The page, anonymous: the search box in the header, public hits with the match marked.
    let web = app.browser();
    let (status, html) = web.get_html("/sok").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"site-search-q\""), "the header's search box");
    assert!(!html.contains("träffar"));
    let (status, html) = web.get_html("/sok?q=Ungdomsg%C3%A5rdarna").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&html, "#hits-title").as_deref(), Some("1 träff"));
    assert!(html.contains("Trygghet kring <mark>ungdomsgårdar</mark>"), "{html}");
    assert!(!html.contains("Ungdomsgården Centrum") && !html.contains("Söder"));
    // Bad input: the form again, the message at the field, 400, never a 500.
    let (status, html) = web.get_html(&format!("/sok?q={long}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("id=\"f-q-error\"") && html.contains("högst 200 tecken"));
    let (status, html) = web.get_html("/sok?q=%3F%3F%3F").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("Skriv minst ett ord att söka på."));
    assert!(html.contains("value=\"???\""), "what was typed stays in the box");
    let (status, _) = web.get_html("/sok?q=fotboll&kind=%3Cscript%3E").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Signed in: more hits, and facets as plain links that narrow and widen.
    let web = app.browser();
    web.login("samordnare@trelleborg.test", PASSWORD).await;
    let (status, html) = web.get_html("/sok?q=ungdomsg%C3%A5rd").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&html, "#hits-title").as_deref(), Some("3 träffar"));
    assert!(html.contains("href=\"/sok?q=ungdomsg%C3%A5rd&#38;kind=plan\""), "{html}");
    let (_, html) = web.get_html("/sok?q=ungdomsg%C3%A5rd&kind=plan").await;
    assert_eq!(text_of(&html, "#hits-title").as_deref(), Some("2 träffar"));
    assert!(html.contains("aria-current=\"true\""));
    assert!(html.contains("Alla typer"));
    assert!(!html.contains("<h3><a href=\"/platser/"));
}

crate::both_backends!(search_page_and_api_respect_sharing_and_refuse_bad_queries);
