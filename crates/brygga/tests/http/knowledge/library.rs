//! The method library: public reads without login (pages and API), writes only for a county
//! board's coordinator, bad ratings named at the field with nothing written; a plan measure's
//! unknown method refused at the field.

use brygga_domain::{OrgKind, Role};
use brygga_store::ConnExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Backend, TestApp};

fn field<'a>(body: &'a Value, name: &str) -> &'a str {
    body["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == name))
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error at {name}: {body}"))
}

fn gvi() -> Value {
    json!({
        "name": "Group Violence Intervention",
        "short_name": "GVI",
        "description": "Fokuserad avskräckning mot de grupper som driver det grova våldet.",
        "target_groups": ["unga_vuxna"],
        "effect_direction": "reduces",
        "effect_grade": 3,
        "effect_text": "Måttlig minskning enligt systematiska översikter.",
        "sources": [{"title": "Uppföljning av Sluta skjut", "publisher": "Brå", "swedish": true}]
    })
}

async fn the_method_library_is_public_and_written_by_the_county(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let lst = app.org("Länsstyrelsen Skåne", OrgKind::CountyBoard, &["1287"]).await;
    let coordinator = app.user("samordnare@trelleborg.test", kommun, Role::Coordinator).await;
    let county = app.user("samordnare@lst.test", lst, Role::Coordinator).await;
    let api = app.api(&app.token(coordinator, kommun).await);
    let county_api = app.api(&app.token(county, lst).await);
    let count = || async { app.store().read(|db| Ok(db.scalar::<i64>("SELECT COUNT(*) FROM methods", &[])?)).await.unwrap() };

    // The municipality may not write the library.
    let (status, _) = api.send(Method::POST, "/methods", gvi()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Bad ratings are named at their field in Swedish; nothing is written.
    let mut bad = gvi();
    bad["effect_grade"] = json!(7);
    bad["mechanism_grade"] = json!(2);
    let (status, body) = county_api.send(Method::POST, "/methods", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field(&body, "effect_grade").contains("evidensstyrka från 0 till 5"), "{body}");
    assert!(field(&body, "mechanism_text").contains("behöver en kort text"), "{body}");
    assert_eq!(count().await, 0);
    // The county board's coordinator adds it.
    let (status, m) = county_api.send(Method::POST, "/methods", gvi()).await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    let id = m["id"].as_i64().unwrap();
    assert_eq!(m["ratings"][0]["grade_label"], "Måttlig evidens");

    // Anyone reads it, without login: the API and the public pages.
    let anon = reqwest::Client::new();
    let r = anon.get(app.url("/api/v1/methods")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()[0]["short_name"], "GVI");
    let (status, html) = app.browser().get_html(&format!("/metoder/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Group Violence Intervention (GVI)"), "{html}");
    assert!(html.contains("minskar brottsligheten, evidensstyrka 3 av 5"), "{html}");
    let (status, html) = app.browser().get_html("/metoder").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("Lägg till en metod"), "no add button for anonymous");
    let (status, _) = app.browser().get_html("/metoder/9999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A plan measure that names a method that does not exist is refused at the field.
    let (status, plan) = api
        .send(
            Method::POST,
            "/plans",
            json!({"title": "Trygghetsplan", "municipality_code": "1287", "period_from": "2026-01-01", "period_to": "2027-12-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    let pid = plan["id"].as_i64().unwrap();
    let (status, body) = api
        .send(
            Method::POST,
            &format!("/plans/{pid}/measures"),
            json!({"title": "Sluta skjut", "responsible_org_id": kommun, "method_id": 9999}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field(&body, "method_id").contains("finns inte i metodbiblioteket"), "{body}");
    let (status, body) = api
        .send(
            Method::POST,
            &format!("/plans/{pid}/measures"),
            json!({"title": "Sluta skjut", "responsible_org_id": kommun, "method_id": id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["method"]["short_name"], "GVI");
    assert_eq!(body["method"]["effect_grade"], 3);
}

both_backends!(the_method_library_is_public_and_written_by_the_county);
