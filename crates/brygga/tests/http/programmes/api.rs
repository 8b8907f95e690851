//! Programmes over the API: a working group without a convening party refused at its field with
//! nothing written, an outsider reads and writes nothing, the workflow steps in order, and the
//! programme's JSON export imported again (a broken file names its problems, writes nothing).

use brygga_store_tests::stories;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp};

fn message<'a>(e: &'a Value, field: &str) -> &'a str {
    e["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["field"] == field))
        .and_then(|p| p["message"].as_str())
        .unwrap_or_else(|| panic!("no {field} in {e}"))
}

async fn count(app: &TestApp, table: &'static str) -> i64 {
    use brygga_store::ConnExt;
    app.store().read(move |db| Ok(db.scalar(&format!("SELECT COUNT(*) FROM {table}"), &[])?)).await.unwrap()
}

async fn programmes_through_the_api(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::est(app.store()).await;
    let lst = app.org("Länsstyrelsen Skåne", brygga_domain::OrgKind::CountyBoard, &[]).await;
    let county = app.user("lan@lst.test", lst, brygga_domain::Role::Coordinator).await;
    let api = app.api(&app.token(county, lst).await);
    let member = app.api(&app.token(w.coordinator, w.kommun).await);
    let outsider = app.api(&app.token(w.outsider, w.angelholm).await);

    let (s, p) = api
        .send(
            Method::POST,
            "/programmes",
            json!({"title": "Tryggt Skåne", "scope": "regional", "county_code": "12", "period_from": "2026-01-01", "period_to": "2028-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let before = count(&app, "working_groups").await;
    let (s, e) = api.send(Method::POST, &format!("/programmes/{id}/groups"), json!({"area_title": "Skolan"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&e, "convener_org_id").contains("sammankallande part"));
    assert_eq!(count(&app, "working_groups").await, before, "nothing written");
    let (s, g) =
        api.send(Method::POST, &format!("/programmes/{id}/groups"), json!({"area_title": "Skolan", "convener_org_id": w.kommun})).await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    let gid = g["id"].as_i64().unwrap();
    assert_eq!(g["members"][0]["missing_terms"], true, "the convener without terms is flagged");

    // The outsider reads nothing, writes nothing.
    assert_eq!(outsider.get(&format!("/programmes/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(outsider.get(&format!("/working-groups/{gid}")).await.0, StatusCode::NOT_FOUND);
    let (s, _) = outsider.send(Method::POST, &format!("/working-groups/{gid}/members"), json!({"org_id": w.angelholm})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The member organisation (the convener) starts and submits; it cannot quality-assure.
    let (s, a) = member.send(Method::POST, &format!("/working-groups/{gid}/activity-plans"), json!({"half_year": "2027H1"})).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let plan = a["plan_id"].as_i64().unwrap();
    let (s, e) = member.send(Method::POST, &format!("/working-groups/{gid}/activity-plans"), json!({"half_year": "2027H3"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&e, "half_year").contains("H1 eller H2"));
    let (s, e) = api.send(Method::POST, &format!("/activity-plans/{plan}/steps"), json!({"step": "quality_assure"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&e, "step").contains("hoppas över"));
    let (s, v) = member.send(Method::POST, &format!("/activity-plans/{plan}/steps"), json!({"step": "submit"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = member.send(Method::POST, &format!("/activity-plans/{plan}/steps"), json!({"step": "quality_assure"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) =
        api.send(Method::POST, &format!("/activity-plans/{plan}/steps"), json!({"step": "quality_assure", "comment": "Bra plan."})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["plan"]["state"], "quality_assured");
    assert_eq!(v["steps"].as_array().unwrap().last().unwrap()["comment"], "Bra plan.");

    // Export and import: the copy has the group, its convener and the open plan as a draft.
    let (s, file) = api.get(&format!("/programmes/{id}/export")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(file["format"], "brygga.programme");
    let mut broken = file.clone();
    broken["groups"][0]["convener"] = json!("Finns inte AB");
    let before = count(&app, "programmes").await;
    let (s, e) = api.send(Method::POST, "/programmes/import", json!({"document": broken})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&e, "groups[0].convener").contains("Finns inte AB"));
    assert_eq!(count(&app, "programmes").await, before, "nothing written");
    let (s, copy) = api.send(Method::POST, "/programmes/import", json!({"document": file})).await;
    assert_eq!(s, StatusCode::CREATED, "{copy}");
    let (_, o) = api.get(&format!("/programmes/{}", copy["id"])).await;
    assert_eq!(o["groups"][0]["group"]["convener"]["id"], w.kommun);
    assert_eq!(o["groups"][0]["current"]["state"], "draft");
}

crate::both_backends!(programmes_through_the_api);
