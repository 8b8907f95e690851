//! Issue 11, findings 4, 8 and 17 (part), over HTTP: opening a forum for a municipality needs an
//! approved claim there; members and contact persons join by accepting (API and pages); the
//! answers never tell which ids or addresses exist; an alert that reaches nobody says so.

use brygga_domain::{OrgKind, Role};
use brygga_store_tests::stories::{self, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Backend, TestApp};

async fn consent_hassleholm_cannot_open_a_forum_for_trelleborg(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let hassleholm = app.org("Hässleholms kommun", OrgKind::Municipality, &["1293"]).await;
    let coordinator = app.user("samordnare@hassleholm.se", hassleholm, Role::Coordinator).await;
    let api = app.api(&app.token(coordinator, hassleholm).await);
    let (s, e) = api
        .send(Method::POST, "/forums", json!({"name": "Padding Trelleborg", "municipality_code": "1287", "convener_org_id": hassleholm}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["errors"][0]["field"], "municipality_code", "{e}");
    assert_eq!(e["errors"][0]["code"], "forum.municipality_not_claimed", "{e}");
    let (s, e) = api
        .send(Method::POST, "/forums", json!({"name": "EST Hässleholm", "municipality_code": "1293", "convener_org_id": hassleholm}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
}

async fn consent_members_and_contacts_join_by_accepting(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let bostad = app.org("AB Trelleborgshem", OrgKind::HousingCompany, &["1287"]).await;
    let coordinator = app.user("samordnare@trelleborg.se", kommun, Role::Coordinator).await;
    let bostad_admin = app.user("admin@trelleborgshem.se", bostad, Role::Administrator).await;
    let tenant = app.user("vard@trelleborgshem.se", bostad, Role::Member).await;
    let convener = app.api(&app.token(coordinator, kommun).await);

    // Naming a user of another organisation, or an id that does not exist: the same answer.
    let body = |contacts: Vec<i64>| json!({"name": "EST Trelleborg", "municipality_code": "1287", "convener_org_id": kommun, "member_org_ids": [bostad], "contact_user_ids": contacts});
    let (s1, e1) = convener.send(Method::POST, "/forums", body(vec![tenant])).await;
    let (s2, e2) = convener.send(Method::POST, "/forums", body(vec![999_999])).await;
    assert_eq!((s1, s2), (StatusCode::UNPROCESSABLE_ENTITY, StatusCode::UNPROCESSABLE_ENTITY));
    let anon = |e: &serde_json::Value, id: i64| e.to_string().replace(&id.to_string(), "ID");
    assert_eq!(anon(&e1, tenant), anon(&e2, 999_999));

    let (s, f) = convener.send(Method::POST, "/forums", body(vec![])).await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    let fid = f["id"].as_i64().unwrap();
    assert_eq!(f["members"].as_array().unwrap().len(), 1);
    assert_eq!(f["invited"][0]["id"], bostad);

    // The invited organisation sees the invitation, and is not a member yet.
    let admin_api = app.api(&app.token(bostad_admin, bostad).await);
    let (_, me) = admin_api.get("/me").await;
    assert_eq!(me["forum_ids"], json!([]));
    let (_, pending) = admin_api.get("/me/invitations").await;
    assert_eq!(pending["forums"][0]["forum_id"], fid, "{pending}");
    // A member of it cannot answer; an invitation that does not exist answers like one not yours.
    let tenant_api = app.api(&app.token(tenant, bostad).await);
    let path = format!("/forums/{fid}/invitations/{bostad}");
    let (s_t, e_t) = tenant_api.send(Method::POST, &path, json!({"answer": "accept"})).await;
    let (s_x, e_x) =
        tenant_api.send(Method::POST, &format!("/forums/{}/invitations/{bostad}", fid + 1000), json!({"answer": "accept"})).await;
    assert_eq!((s_t, s_x), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(e_t["message"], e_x["message"]);
    let (s, e) = admin_api.send(Method::POST, &path, json!({"answer": "accept"})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
    assert_eq!(admin_api.get("/me").await.1["forum_ids"], json!([fid]));

    // The tenant is asked on the page, and accepts there (no JavaScript: plain forms).
    let (_, f) = convener.get(&format!("/forums/{fid}")).await;
    let version = f["version"].as_i64().unwrap();
    let r = convener
        .req(Method::PUT, &format!("/forums/{fid}"))
        .header("If-Match", format!("\"{version}\""))
        .json(&body(vec![tenant]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, f) = admin_api.get(&format!("/forums/{fid}")).await;
    assert_eq!(f["contacts"], json!([]), "not listed before accepting");
    let web = app.browser();
    assert_eq!(web.login("vard@trelleborgshem.se", PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let (s, html) = web.get_html("/konto").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Vill du vara kontaktperson"), "the account page asks");
    let r = web.submit("/konto", &format!("/forum/{fid}/kontaktperson"), &[("answer", "accept"), ("tillbaka", "konto")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, f) = admin_api.get(&format!("/forums/{fid}")).await;
    assert_eq!(f["contacts"][0]["user_id"], tenant, "{f}");
}

async fn consent_organisation_admins_invite_and_ids_stay_hidden(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let a = app.org("Hässleholms kommun", OrgKind::Municipality, &["1293"]).await;
    let other = app.org("Ängelholms kommun", OrgKind::Municipality, &["1292"]).await;
    let admin = app.user("admin@hassleholm.se", a, Role::Administrator).await;
    let someone = app.user("person@engelholm.se", other, Role::Member).await;
    let api = app.api(&app.token(admin, a).await);
    // Adding an existing account by id and an unknown id: the same 404.
    let (s1, e1) = api.send(Method::PUT, &format!("/users/{someone}/memberships/{a}"), json!({"role": "member"})).await;
    let (s2, e2) = api.send(Method::PUT, &format!("/users/{}/memberships/{a}", 999_999), json!({"role": "member"})).await;
    assert_eq!((s1, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(e1["message"], e2["message"]);
    assert_eq!(api.get(&format!("/users/{someone}")).await.0, StatusCode::NOT_FOUND);
    // Inviting an address with an account and one without: the same answer.
    let (s1, i1) =
        api.send(Method::POST, &format!("/organisations/{a}/invitations"), json!({"email": "person@engelholm.se", "role": "member"})).await;
    let (s2, i2) = api
        .send(Method::POST, &format!("/organisations/{a}/invitations"), json!({"email": "ingen@nowhere.example", "role": "member"}))
        .await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    let strip =
        |v: &serde_json::Value| (v["status"].clone(), v["role"].clone(), v["needs_org_approval"].clone(), v.as_object().unwrap().len());
    assert_eq!(strip(&i1), strip(&i2));
    let (s, e) =
        api.send(Method::POST, &format!("/organisations/{a}/invitations"), json!({"email": "inte en adress", "role": "member"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // The person accepts; then, and only then, a member.
    let person = app.api(&app.token(someone, other).await);
    let id = i1["id"].as_i64().unwrap();
    let (s, e) = person.send(Method::POST, &format!("/membership-invitations/{id}"), json!({"answer": "accept"})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
    assert_eq!(api.get(&format!("/users/{someone}")).await.0, StatusCode::OK);
    let _ = stories::postmark();
}

async fn consent_an_alert_that_reaches_nobody_tells_the_raiser(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let coordinator = app.user("samordnare@trelleborg.se", kommun, Role::Coordinator).await;
    let api = app.api(&app.token(coordinator, kommun).await);
    let (_, f) =
        api.send(Method::POST, "/forums", json!({"name": "EST Trelleborg", "municipality_code": "1287", "convener_org_id": kommun})).await;
    let fid = f["id"].as_i64().unwrap();
    let (s, alert) = api
        .send(
            Method::POST,
            &format!("/forums/{fid}/alerts"),
            json!({"title": "Brand i soprum", "urgency": "immediate", "lat": 55.3751, "lon": 13.1566}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{alert}");
    assert_eq!(alert["recipients"], json!([]));
    assert!(alert["notice"].as_str().unwrap().contains("nådde ingen"), "{alert}");
    let web = app.browser();
    assert_eq!(web.login("samordnare@trelleborg.se", PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let (_, html) = web.get_html(&format!("/larm/{}", alert["id"])).await;
    assert!(html.contains("nådde ingen"), "the page says so too");
}

crate::both_backends!(
    consent_hassleholm_cannot_open_a_forum_for_trelleborg,
    consent_members_and_contacts_join_by_accepting,
    consent_organisation_admins_invite_and_ids_stay_hidden,
    consent_an_alert_that_reaches_nobody_tells_the_raiser,
);
