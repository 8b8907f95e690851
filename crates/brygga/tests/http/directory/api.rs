//! The directory's API twins: public reads without a token, the organisation's writes with one,
//! bad input named by field (422, nothing written), isolation, HSDS import refusing unknown
//! fields and terms, exports.

use brygga_domain::{OrgKind, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Backend, TestApp};

fn offer(name: &str) -> serde_json::Value {
    json!({
        "name": name,
        "description": "Spontanfotboll för unga.",
        "age_from": 13, "age_to": 16,
        "themes": ["idrott"], "target_groups": ["unga"],
        "municipality_code": "1293",
        "place_name": "Österåshallen", "lat": 56.1634, "lon": 13.7812,
        "free": true,
        "contact_email": "info@hif.test",
        "published": true,
        "schedules": [{ "weekday": 5, "opens_at": "19:00", "closes_at": "22:00" }]
    })
}

async fn the_api_twins_read_publicly_and_write_for_the_organisation(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let club = app.org("Hässleholms IF", OrgKind::CivilSociety, &["1293"]).await;
    let other = app.org("Annan förening", OrgKind::CivilSociety, &["1293"]).await;
    let member = app.user("medlem@hif.test", club, Role::Member).await;
    let outsider = app.user("ledare@annan.test", other, Role::Coordinator).await;
    let api = app.api(&app.token(member, club).await);
    let foreign = app.api(&app.token(outsider, other).await);
    let anon = reqwest::Client::new();

    let (status, created) = api.send(Method::POST, &format!("/directory/organisations/{club}/offers"), offer("Fredagsfotboll")).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    // Bad input: every field named, nothing written.
    let mut bad = offer("Fel");
    bad["age_from"] = json!(17);
    bad["schedules"][0]["closes_at"] = json!("18:00");
    bad["schedules"][0]["valid_from"] = json!("2026-12-20");
    bad["schedules"][0]["valid_to"] = json!("2026-08-01");
    bad["municipality_code"] = json!("1287");
    bad["lat"] = serde_json::Value::Null;
    bad["lon"] = serde_json::Value::Null;
    bad["eligibility"] = json!("Mejla kalle.karlsson@gmail.com");
    let (status, body) = api.send(Method::POST, &format!("/directory/organisations/{club}/offers"), bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    for f in ["age_to", "schedules[0].closes_at", "schedules[0].valid_to", "eligibility"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    let mut elsewhere = offer("Fel");
    elsewhere["municipality_code"] = json!("1287");
    elsewhere["lat"] = serde_json::Value::Null;
    elsewhere["lon"] = serde_json::Value::Null;
    let (status, body) = api.send(Method::POST, &format!("/directory/organisations/{club}/offers"), elsewhere).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "municipality_code");
    let (status, body) = api
        .send(
            Method::POST,
            &format!("/directory/organisations/{club}/offers"),
            json!({"name": "x", "municipality_code": "1293", "okänt": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown JSON fields are refused: {body}");

    // Not public until the profile is: the anonymous list is empty, the offer not found.
    let list = |q: &str| anon.get(app.url(&format!("/api/v1/directory/offers{q}"))).send();
    let l: serde_json::Value = list("").await.unwrap().json().await.unwrap();
    assert_eq!(l["total"], 0);
    assert_eq!(anon.get(app.url(&format!("/api/v1/directory/offers/{id}"))).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    // The club publishes its profile.
    let (status, p) = api
        .send(
            Method::PUT,
            &format!("/directory/organisations/{club}"),
            json!({"themes": ["idrott"], "languages": ["sv"], "public_profile": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let l: serde_json::Value = list("?kommun=1293&alder=14&dag=fredag&fran=18:00&till=22:00&gratis=1").await.unwrap().json().await.unwrap();
    assert_eq!(l["total"], 1);
    assert_eq!(l["offers"][0]["name"], "Fredagsfotboll");
    assert!(l["offers"][0]["verified_by"].is_null());
    let r = list("?alder=gammal").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let orgs: serde_json::Value =
        anon.get(app.url("/api/v1/directory/organisations?municipality=1293")).send().await.unwrap().json().await.unwrap();
    assert_eq!(orgs.as_array().unwrap().len(), 1, "only public profiles: {orgs}");
    // Another organisation reads it but cannot change, verify or delete it.
    let (status, _) = foreign.get(&format!("/directory/offers/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let r = foreign
        .req(Method::PUT, &format!("/directory/offers/{id}"))
        .header("If-Match", "\"1\"")
        .json(&offer("Kapad"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (status, _) = foreign.send(Method::POST, &format!("/directory/offers/{id}/verify"), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(foreign.req(Method::DELETE, &format!("/directory/offers/{id}")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let (status, _) = foreign.send(Method::POST, &format!("/directory/organisations/{club}/offers"), offer("Intrång")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The club updates (If-Match) and verifies.
    let mut changed = offer("Fredagsfotboll");
    changed["schedules"][0]["closes_at"] = json!("22:30");
    let r = api.req(Method::PUT, &format!("/directory/offers/{id}")).header("If-Match", "\"1\"").json(&changed).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = api.req(Method::PUT, &format!("/directory/offers/{id}")).header("If-Match", "\"1\"").json(&changed).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "a stale version writes nothing");
    let (status, v) = api.send(Method::POST, &format!("/directory/offers/{id}/verify"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["verified_on"], brygga_domain::time::today().to_string());

    // HSDS: export, import again (updates), unknown field and term refused by name.
    let hsds: serde_json::Value = anon.get(app.url("/api/v1/directory/export.hsds.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(hsds[0]["services"][0]["schedules"][0]["closes_at"], "22:30");
    let (status, done) = api.send(Method::POST, &format!("/directory/organisations/{club}/hsds"), hsds[0].clone()).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["updated"][0], id);
    let mut bad = hsds[0].clone();
    bad["services"][0]["extra"] = json!(true);
    bad["services"][0]["attributes"][0]["taxonomy_term"]["code"] = json!("fotboll");
    let (status, body) = api.send(Method::POST, &format!("/directory/organisations/{club}/hsds"), bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = body.to_string();
    assert!(text.contains("services[0].extra") && text.contains("Termen ”fotboll”"), "{text}");
    let (status, _) = foreign.send(Method::POST, &format!("/directory/organisations/{club}/hsds"), hsds[0].clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // CSV and GeoJSON.
    let r = anon.get(app.url("/api/v1/directory/export.csv")).send().await.unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(r.text().await.unwrap().contains("Fredagsfotboll"));
    let geo: serde_json::Value = anon.get(app.url("/api/v1/directory/export.geojson")).send().await.unwrap().json().await.unwrap();
    assert_eq!(geo["features"].as_array().unwrap().len(), 1);
    // A bad token is refused, not read as anonymous.
    let r = anon.get(app.url("/api/v1/directory/offers")).bearer_auth("fel-nyckel-som-inte-finns-000000").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Deleted: gone for everyone.
    assert_eq!(api.req(Method::DELETE, &format!("/directory/offers/{id}")).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(anon.get(app.url(&format!("/api/v1/directory/offers/{id}"))).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

crate::both_backends!(the_api_twins_read_publicly_and_write_for_the_organisation);
