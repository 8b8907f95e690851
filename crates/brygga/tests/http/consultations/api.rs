//! Consultations through the API and the pages: the organiser creates, invites and opens; the
//! invited association gives input (anonymous, as lägesbild material) and sees it on "Mina
//! medskick"; the organiser sees "Anonym deltagare"; an unrelated organisation gets 404;
//! personal data and a closed consultation are refused with the Swedish message and nothing
//! written; the form offers to remove the personal data.

use brygga_domain::{OrgKind, Role};
use brygga_store::ConnExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp};

fn field<'a>(body: &'a Value, name: &str) -> &'a str {
    body["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == name))
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error at {name}: {body}"))
}

async fn inputs(app: &TestApp) -> i64 {
    app.store().read(|db| Ok(db.scalar("SELECT COUNT(*) FROM consultation_inputs", &[])?)).await.unwrap()
}

async fn consultations_through_the_api_and_pages(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let police = app.org("Polisen, lokalpolisområde Trelleborg", OrgKind::Police, &["1287"]).await;
    let club = app.org("Hässleholms IF Fotboll", OrgKind::CivilSociety, &["1293"]).await;
    let other = app.org("Vellinge kommun", OrgKind::Municipality, &["1233"]).await;
    let officer = app.user("kommunpolis@polisen.test", police, Role::Coordinator).await;
    let leader = app.user("ledare@hassleholmsif.test", club, Role::Coordinator).await;
    let outsider = app.user("samordnare@vellinge.test", other, Role::Coordinator).await;
    let api = app.api(&app.token(officer, police).await);
    let club_api = app.api(&app.token(leader, club).await);
    let out_api = app.api(&app.token(outsider, other).await);

    // Bad input named at the field.
    let (status, body) = api.send(Method::POST, "/consultations", json!({"title": "", "kind": "fest"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field(&body, "kind").contains("dialogmöte"));
    assert!(field(&body, "input_closes_at").contains("medskick"));
    let good = json!({
        "title": "Samråd med civilsamhället",
        "kind": "dialogue_meeting",
        "purpose": "Medskick till polisens lägesbild.",
        "municipality_code": "1287",
        "meets_at": "2030-01-29 17:00",
        "meets_until": "2030-01-29 20:00",
        "input_closes_at": "2099-02-04 23:59",
        "questions": ["Medskick till polisens lägesbild", "Vilka insatser görs bäst tillsammans?"]
    });
    let (status, c) = api.send(Method::POST, "/consultations", good.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["questions"].as_array().unwrap().len(), 2);
    // Invited to a draft: 404 for the club; the outsider may not list candidates.
    let (status, body) = api.send(Method::POST, &format!("/consultations/{id}/invitations"), json!({"org_ids": [club]})).await;
    assert_eq!((status, body["invited"].as_i64()), (StatusCode::OK, Some(1)), "{body}");
    assert_eq!(club_api.get(&format!("/consultations/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(out_api.get(&format!("/consultations/{id}/candidates")).await.0, StatusCode::NOT_FOUND);
    let (status, _) = api.send(Method::POST, &format!("/consultations/{id}/status"), json!({"status": "open"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(club_api.get(&format!("/consultations/{id}")).await.0, StatusCode::OK);
    assert_eq!(out_api.get(&format!("/consultations/{id}")).await.0, StatusCode::NOT_FOUND);
    let (_, list) = out_api.get("/consultations").await;
    assert_eq!(list.as_array().unwrap().len(), 0);

    // Input: personal data refused with the guard's message, nothing written; then a good one.
    let before = inputs(&app).await;
    let (status, body) =
        club_api.send(Method::POST, &format!("/consultations/{id}/input"), json!({"text": "Ring Anna Svensson på 070-123 45 67."})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field(&body, "text").contains("ta bort dem"), "{body}");
    assert_eq!(out_api.send(Method::POST, &format!("/consultations/{id}/input"), json!({"text": "Hej"})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(inputs(&app).await, before);
    let (status, item) = club_api
        .req(Method::POST, &format!("/consultations/{id}/input"))
        .header("Idempotency-Key", "medskick-1")
        .json(&json!({"text": "Idrottsplatsen används som samlingsplats på kvällarna.", "attribution": "anonymous", "situation_material": true}))
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    assert_eq!(status, StatusCode::CREATED);
    let item: Value = item.json().await.unwrap();
    assert_eq!(item["by"], "Hässleholms IF Fotboll", "the club sees its own name: {item}");
    let (_, seen) = api.get(&format!("/consultations/{id}/input")).await;
    assert_eq!(seen[0]["by"], "Anonym deltagare", "{seen}");
    assert!(!seen.to_string().contains("Hässleholms IF") && seen[0].get("org_id").is_none(), "{seen}");
    let (_, mine) = club_api.get("/consultations/mine").await;
    assert_eq!(mine[0]["items"][0]["outcome"], Value::Null, "{mine}");
    let (_, theirs) = out_api.get("/consultations/mine").await;
    assert_eq!(theirs.as_array().unwrap().len(), 0);

    // Closed: refused with the closing time named, nothing written.
    let (status, _) = api.send(Method::POST, &format!("/consultations/{id}/status"), json!({"status": "closed"})).await;
    assert_eq!(status, StatusCode::OK);
    let n = inputs(&app).await;
    let (status, body) = club_api.send(Method::POST, &format!("/consultations/{id}/input"), json!({"text": "Sent medskick."})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field(&body, "text").contains("stängde för medskick"), "{body}");
    assert_eq!(inputs(&app).await, n);
    let (status, _) = api.send(Method::POST, &format!("/consultations/{id}/status"), json!({"status": "open"})).await;
    assert_eq!(status, StatusCode::OK);

    // The pages say the same.
    let web = app.browser();
    web.login("ledare@hassleholmsif.test", brygga_store_tests::stories::PASSWORD).await;
    let (status, html) = web.get_html(&format!("/samrad/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("utanför kontorstid") && html.contains("Tacka ja"), "{html}");
    let page = format!("/samrad/{id}/medskick");
    let r =
        web.submit(&page, &page, &[("text", "Mejla mig på anna.svensson@gmail.com"), ("attribution", "named"), ("stage", "before")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Ta bort uppgifterna åt mig") && html.contains("anna.svensson@gmail.com"), "the text is kept, removal offered");
    let r = web.submit(&page, &page, &[("text", "Mejla mig på anna.svensson@gmail.com"), ("redact", "on")]).await;
    let html = r.text().await.unwrap();
    assert!(!html.contains("anna.svensson@gmail.com"), "the personal data is removed for the writer to check");
    let r = web
        .submit(&page, &page, &[("text", "Fler vuxna behövs vid stationen på fredagar."), ("attribution", "named"), ("stage", "after")])
        .await;
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    let (_, html) = web.get_html("/mina-medskick").await;
    assert!(html.contains("Fler vuxna behövs vid stationen") && html.contains("Inget besked än"), "{html}");
    let officer_web = app.browser();
    officer_web.login("kommunpolis@polisen.test", brygga_store_tests::stories::PASSWORD).await;
    let (_, html) = officer_web.get_html(&page).await;
    assert!(html.contains("Anonym deltagare") && html.contains("Fler vuxna behövs"), "{html}");
    let (_, html) = officer_web.get_html(&format!("/samrad/{id}/inbjudningar?kommun=1233")).await;
    assert!(html.contains("Vellinge kommun"), "candidates without a crime-prevention theme are listed: {html}");
    let out_web = app.browser();
    out_web.login("samordnare@vellinge.test", brygga_store_tests::stories::PASSWORD).await;
    assert_eq!(out_web.get(&format!("/samrad/{id}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(out_web.get(&page).await.status(), StatusCode::NOT_FOUND);
}

crate::both_backends!(consultations_through_the_api_and_pages);
