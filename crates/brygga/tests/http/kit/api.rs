//! The JSON API: authentication, the error shape, validation, concurrency, OpenAPI.

use brygga_domain::{OrgKind, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Backend, TestApp};

async fn setup(b: Backend) -> Option<(TestApp, String, i64)> {
    let app = TestApp::spawn(b).await?;
    let org = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let user = app.user("samordnare@trelleborg.se", org, Role::Coordinator).await;
    let token = app.token(user, org).await;
    Some((app, token, org))
}

async fn anonymous_calls_get_401_in_the_error_shape(b: Backend) {
    let Some((app, _, _)) = setup(b).await else { return };
    for path in ["/organisations", "/me", "/forums", "/audit", "/municipalities"] {
        let r = reqwest::get(app.url(&format!("/api/v1{path}"))).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(r.headers()["www-authenticate"], "Bearer realm=\"brygga\"");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "unauthenticated");
        assert!(body["message"].as_str().unwrap().contains("Authorization: Bearer"));
        assert!(body["field"].is_null());
    }
    let bad = app.api("brygga_inte-en-riktig-nyckel");
    let (s, body) = bad.get("/organisations").await;
    assert_eq!((s, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_credentials")));
}

async fn organisations_round_trip(b: Backend) {
    let Some((app, token, org)) = setup(b).await else { return };
    let api = app.api(&token);
    let (s, me) = api.get("/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["memberships"][0]["org_id"], org);

    let (s, created) = api
        .send(
            Method::POST,
            "/organisations",
            json!({"name": "Trelleborgshem", "kind": "housing_company", "municipalities": ["1287"], "org_number": "556036-0793"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["org_number"], "556036-0793");

    // Registering an organisation does not make the caller its editor.
    let r = api
        .req(Method::PUT, &format!("/organisations/{id}"))
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Kapat", "kind": "other"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The caller edits its own organisation.
    let id = org;
    let r = api.req(Method::GET, &format!("/organisations/{id}")).send().await.unwrap();
    assert_eq!(r.headers()["etag"], "\"1\"");

    // Without If-Match: told what to send. With a stale version: 409. With the right one: saved.
    let body =
        json!({"name": "Trelleborgs kommun", "kind": "municipality", "municipalities": ["1287"], "description": "Tryggare Trelleborg"});
    let (s, e) = api.send(Method::PUT, &format!("/organisations/{id}"), body.clone()).await;
    assert_eq!((s, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("If-Match")));
    let r = api.req(Method::PUT, &format!("/organisations/{id}")).header("if-match", "\"1\"").json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let r = api.req(Method::PUT, &format!("/organisations/{id}")).header("if-match", "\"1\"").json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["code"], "conflict");

    let (s, page) = api.get("/organisations?q=trelleborgshem&kind=housing_company&limit=10").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert!(page["next"].is_null());
}

async fn bad_input_names_the_field(b: Backend) {
    let Some((app, token, _)) = setup(b).await else { return };
    let api = app.api(&token);
    let (s, e) = api
        .send(
            Method::POST,
            "/organisations",
            json!({"name": "", "kind": "kommun", "org_number": "212000-1125", "municipalities": ["9999"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["code"], "validation_failed");
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|p| p["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "kind", "org_number", "municipalities"]);
    assert_eq!(e["field"], "name");
    assert_eq!(e["errors"][2]["code"], "org_number.checksum");

    // Unknown fields, wrong types and broken JSON are refused with the path of the problem.
    let (s, e) = api.send(Method::POST, "/organisations", json!({"name": "X", "kind": "other", "colour": "blå"})).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")));
    assert!(e["message"].as_str().unwrap().contains("colour"), "{e}");
    let (s, e) = api.send(Method::POST, "/organisations", json!({"name": "X", "kind": "other", "municipalities": "1287"})).await;
    assert_eq!((s, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("municipalities")));
    let r = api.req(Method::POST, "/organisations").header("content-type", "application/json").body("{\"name\": ").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: serde_json::Value = r.json().await.unwrap();
    assert!(e["message"].as_str().unwrap().contains("inte giltig JSON"));
    let r = api.req(Method::POST, "/organisations").body("name=x").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // A path that is not an id, and a wrong method, keep the error shape.
    let (s, e) = api.get("/organisations/abc").await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (s, e) = api.send(Method::PATCH, "/organisations", json!({})).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(e["code"], "bad_request");
    let (_, list) = api.get("/organisations").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "nothing was written");
}

async fn openapi_is_3_1_and_matches_the_snapshot(b: Backend) {
    let Some((app, _, _)) = setup(b).await else { return };
    let r = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let served: serde_json::Value = r.json().await.unwrap();
    assert_eq!(served["openapi"], "3.1.0");
    let generated = serde_json::to_value(brygga_web::api::openapi()).unwrap();
    assert_eq!(served, generated);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let pretty = serde_json::to_string_pretty(&generated).unwrap() + "\n";
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(path, &pretty).unwrap();
    }
    let snapshot = std::fs::read_to_string(path).expect("docs/openapi.json exists (run with UPDATE_SNAPSHOTS=1 to create it)");
    assert!(snapshot == pretty, "the API changed: review the diff and run the tests with UPDATE_SNAPSHOTS=1 to accept it");
}

crate::both_backends!(
    anonymous_calls_get_401_in_the_error_shape,
    organisations_round_trip,
    bad_input_names_the_field,
    openapi_is_3_1_and_matches_the_snapshot
);
