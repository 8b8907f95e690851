//! Counterparts, contact coverage and the guide through pages and API: public pages without a
//! login, forms that name the field in Swedish and keep what was typed, nothing written on bad
//! input, tokens needed only to write.

use brygga_domain::{OrgKind, Role};
use brygga_store::ConnExt;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, text_of};

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

async fn counterparts_coverage_and_guide_through_pages(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    app.org("Länsstyrelsen Skåne", OrgKind::CountyBoard, &["1287", "1293"]).await;
    app.user("samordnare@trelleborg.test", kommun, Role::Coordinator).await;
    let anonymous = app.browser();

    // Public pages, no login: the divisions shipped for Skåne; unknown codes are 404.
    let (status, html) = anonymous.get_html("/kommuner/1287/motparter").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Södra sjukvårdsregionen") && html.contains("Kriminalvården region Syd"), "{html}");
    assert_eq!(anonymous.get("/kommuner/Trelleborg/motparter").await.status(), StatusCode::OK);
    assert_eq!(anonymous.get("/kommuner/9999/motparter").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(anonymous.get("/motparter/lan/12").await.status(), StatusCode::OK);
    assert_eq!(anonymous.get("/lan/99/kontaktpersoner").await.status(), StatusCode::NOT_FOUND);
    let (status, html) = anonymous.get_html("/lan/12/kontaktpersoner?roll=vbe").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("saknas i 33 av 33 kommuner"), "{html}");

    // A contact person with a role, through the organisation's form: a municipality the
    // organisation does not work in, and a name that is no municipality, are named in Swedish
    // and the form keeps what was typed; nothing is written.
    let sara = app.browser();
    sara.login("samordnare@trelleborg.test", brygga_store_tests::stories::PASSWORD).await;
    let page = format!("/organisationer/{kommun}");
    let action = format!("/organisationer/{kommun}/kontaktpersoner");
    let before = count(&app, "contact_persons").await;
    let mut fields = vec![
        ("name", "Tove Lind"),
        ("title", "Samordnare"),
        ("visibility", "public"),
        ("level", "kommun"),
        ("role", "vbe"),
        ("municipality_codes", "Hässleholm"),
    ];
    let r = sara.submit(&page, &action, &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Organisationen arbetar inte i Hässleholm"), "{html}");
    assert!(html.contains("value=\"Tove Lind\""), "the form keeps the name");
    fields[5] = ("municipality_codes", "Trelleborgx");
    let html = sara.submit(&page, &action, &fields).await.text().await.unwrap();
    assert!(html.contains("Hittar ingen kommun som heter ”Trelleborgx”"), "{html}");
    assert_eq!(count(&app, "contact_persons").await, before);
    fields[5] = ("municipality_codes", "Trelleborg");
    assert_eq!(sara.submit(&page, &action, &fields).await.status(), StatusCode::SEE_OTHER);
    let (_, html) = sara.get_html(&page).await;
    assert!(html.contains("Kontaktperson våldsbejakande extremism, kommun: Trelleborg"), "{html}");
    let (_, html) = anonymous.get_html("/lan/12/kontaktpersoner?roll=vbe").await;
    assert!(html.contains("saknas i 32 av 33 kommuner") && html.contains("Tove Lind"), "{html}");

    // The guide: hidden until published (404, as if it did not exist), written on its page.
    let guide = "/kommuner/1287/vart-vander-jag-mig";
    assert_eq!(anonymous.get(guide).await.status(), StatusCode::NOT_FOUND);
    let (status, html) = sara.get_html(guide).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Spara guiden"));
    let r = sara.submit(guide, guide, &[("version", "0"), ("intro", "Vart du vänder dig i Trelleborg.")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let rows = format!("{guide}/rader");
    let before = count(&app, "concern_guide_entries").await;
    let r = sara
        .submit(
            guide,
            &rows,
            &[("concern", "oro_barn"), ("who", "Socialtjänsten"), ("how", "Fråga efter handläggaren för 19121212-1212."), ("phone", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(text_of(&html, ".error-summary").is_some_and(|t| t.contains("personnummer")), "{html}");
    assert!(html.contains("value=\"Socialtjänsten\""), "keeps what was typed");
    assert_eq!(count(&app, "concern_guide_entries").await, before);
    let r = sara
        .submit(
            guide,
            &rows,
            &[("concern", "oro_barn"), ("who", "Socialtjänsten"), ("how", "Gör en orosanmälan."), ("phone", "0410-73 30 00")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sara.submit(guide, guide, &[("version", "2"), ("intro", "Vart du vänder dig i Trelleborg."), ("published", "on")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = anonymous.get_html(guide).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Oro för ett barn") && html.contains("0410-73 30 00") && !html.contains("Spara guiden"), "{html}");
}

async fn counterparts_and_guides_through_the_api(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let county = app.org("Länsstyrelsen Skåne", OrgKind::CountyBoard, &["1287", "1293"]).await;
    let coordinator = app.user("samordnare@trelleborg.test", kommun, Role::Coordinator).await;
    let county_user = app.user("lan@lst.test", county, Role::Coordinator).await;
    let api = app.api(&app.token(coordinator, kommun).await);
    let lst = app.api(&app.token(county_user, county).await);
    let http = reqwest::Client::new();
    let public = |path: &str| http.get(app.url(&format!("/api/v1{path}")));

    // Reads without a token.
    let roles: Value = public("/contact-roles").send().await.unwrap().json().await.unwrap();
    assert!(roles.as_array().unwrap().iter().any(|r| r["code"] == "vbe"));
    let r = public("/municipalities/1287/counterparts").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::ETAG], "\"1\"");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["health_region"], "Södra sjukvårdsregionen");
    let r = public("/counties/12/counterparts.csv").send().await.unwrap();
    assert!(r.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    assert!(csv.contains("municipality_code;health_region;probation_region;probation_office") && csv.contains("1287;"), "{csv}");
    // The export reads back as an import (the same header, `;` and the BOM accepted).
    assert_eq!(brygga_store::actors::counterparts::parse_csv(&csv).map(|rows| rows.len()).ok(), Some(33));
    let cov: Value = public("/counties/12/contact-coverage?role=vbe").send().await.unwrap().json().await.unwrap();
    assert_eq!(cov["roles"][0]["missing"].as_array().unwrap().len(), 33);
    assert_eq!(public("/counties/99/contact-coverage").send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(public("/municipalities/1287/guide").send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // Writes need a token and the right.
    let r = http.put(app.url("/api/v1/municipalities/1287/counterparts")).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let edit = json!({"health_region": "Södra sjukvårdsregionen", "probation_office": "Frivården Trelleborg"});
    let put = |api: &crate::common::Api, version: &str| {
        api.req(Method::PUT, "/municipalities/1287/counterparts").header(header::IF_MATCH, version).json(&edit).send()
    };
    assert_eq!(put(&api, "\"1\"").await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(put(&lst, "\"5\"").await.unwrap().status(), StatusCode::CONFLICT);
    let r = put(&lst, "\"1\"").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!((body["probation_office"].as_str(), body["version"].as_i64()), (Some("Frivården Trelleborg"), Some(2)));

    // Import: all or nothing, problems by line under `file`.
    let (status, body) = lst
        .send(
            Method::POST,
            "/counterparts/import",
            json!({"csv": "municipality_code,probation_office\n1293,Frivården Hässleholm\n0180,Stockholm\n"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field(&body, "file").contains("Stockholm"));
    let (status, body) = lst
        .send(Method::POST, "/counterparts/import", json!({"csv": "municipality_code,probation_office\n1293,Frivården Hässleholm\n"}))
        .await;
    assert_eq!((status, body["rows"].as_i64()), (StatusCode::OK, Some(1)));
    let (status, body) = lst.send(Method::POST, "/counterparts/import", json!({"csv": "kommun\n1293\n", "extra": 1})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused: {body}");

    // A contact person with a role through the API; then the coverage counts it.
    let (status, body) = api
        .send(
            Method::POST,
            &format!("/organisations/{kommun}/contacts"),
            json!({"name": "Tove Lind", "visibility": "public", "level": "kommun", "role": "vbe", "municipality_codes": ["1293"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field(&body, "municipality_codes").contains("arbetar inte i Hässleholm"));
    let (status, _) = api
        .send(
            Method::POST,
            &format!("/organisations/{kommun}/contacts"),
            json!({"name": "Tove Lind", "visibility": "public", "level": "kommun", "role": "vbe", "municipality_codes": ["1287"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let cov: Value = public("/counties/12/contact-coverage?role=vbe").send().await.unwrap().json().await.unwrap();
    assert_eq!(cov["roles"][0]["missing"].as_array().unwrap().len(), 32);

    // Roles: the county board adds one; a municipality may not.
    let (status, body) = lst.send(Method::POST, "/contact-roles", json!({"label": "Kontaktperson hedersrelaterat våld"})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CREATED, Some("kontaktperson_hedersrelaterat_vald")));
    let (status, _) = api.send(Method::POST, "/contact-roles", json!({"label": "Egen roll"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The guide: create with If-Match "0", add a line, publish; then it reads without a token.
    let (status, _) = lst
        .send(Method::POST, "/municipalities/1287/guide/entries", json!({"concern": "tips_polis", "who": "Polisen", "how": "Tipsa."}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = api
        .req(Method::PUT, "/municipalities/1287/guide")
        .header(header::IF_MATCH, "\"0\"")
        .json(&json!({"intro": "Vart vänder jag mig?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (status, body) = api
        .send(
            Method::POST,
            "/municipalities/1287/guide/entries",
            json!({"concern": "tips_polis", "who": "Polisen", "how": "Ring 070-123 45 67."}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&body, "how").contains("telefonnummer"), "{body}");
    let (status, entry) = api
        .send(
            Method::POST,
            "/municipalities/1287/guide/entries",
            json!({"concern": "tips_polis", "who": "Polisen", "how": "Tipsa.", "phone": "114 14", "website": "https://polisen.se/tipsa"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    let r = api
        .req(Method::PUT, "/municipalities/1287/guide")
        .header(header::IF_MATCH, "\"2\"")
        .json(&json!({"intro": "Vart vänder jag mig?", "published": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let g: Value = public("/municipalities/1287/guide").send().await.unwrap().json().await.unwrap();
    let tips = g["sections"].as_array().unwrap().iter().find(|s| s["concern"] == "tips_polis").unwrap();
    assert_eq!(tips["entries"][0]["phone"], "114 14");
    let (status, _) = lst.send(Method::DELETE, &format!("/guide-entries/{}", entry["id"]), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = api.req(Method::DELETE, &format!("/guide-entries/{}", entry["id"])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

crate::both_backends!(counterparts_coverage_and_guide_through_pages, counterparts_and_guides_through_the_api);
