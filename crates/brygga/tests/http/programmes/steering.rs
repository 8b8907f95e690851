//! The steering group as people use it: the county coordinator plans a meeting (refused with the
//! typed text kept when wrong), finds the agenda generated from the groups' state, presents the
//! quality-assured plan and adopts it, logs an uppdrag (refused without its owner and due date)
//! and follows it up; a party reads without forms; an outsider gets 404. The API answers the same.

use brygga_domain::time::today;
use brygga_store_tests::stories::{self, SteeringWorld};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Backend, Browser, PASSWORD, TestApp};

pub async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let web = app.browser();
    let r = web.login(email, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login {email}");
    web
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.store().read(move |db| Ok(brygga_store::ConnExt::scalar(db, sql, &[])?)).await.unwrap()
}

async fn the_county_coordinator_presents_a_plan_at_a_meeting_and_logs_a_decision(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w: SteeringWorld = stories::steering_world(app.store()).await;
    let web = signed_in(&app, "samordnare@lansstyrelsen.example").await;
    let page = format!("/program/{}/styrgrupp", w.programme);
    let (status, html) = web.get_html(&page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<label for=\"f-held_on\">"), "real labels");

    // A meeting without a date or title: refused, the typed place kept, nothing written.
    let action = format!("{page}/moten");
    let r =
        web.submit(&page, &action, &[("held_on", ""), ("title", ""), ("location", "Länsstyrelsen i Malmö"), ("status", "planned")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Ange mötesdagen") && html.contains("href=\"#f-held_on\""), "{html}");
    assert!(html.contains("value=\"Länsstyrelsen i Malmö\""));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM steering_meetings").await, 0);
    let t = today().to_string();
    let r = web.submit(&page, &action, &[("held_on", &t), ("title", "Styrgruppsmöte"), ("location", "Malmö"), ("status", "planned")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let meeting = location(&r).split('?').next().unwrap().to_owned();
    assert!(meeting.starts_with("/styrgruppsmoten/"), "{meeting}");

    // The agenda from the groups' state: the plan awaiting a decision, the unmeasurable goal,
    // the deviation without a correction.
    let (status, html) = web.get_html(&meeting).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Våld i nära relationer: aktivitetsplanen för"), "{html}");
    assert!(html.contains("Våld i nära relationer: Målet ”Fler som utsatts söker stöd” går inte att mäta"), "{html}");
    assert!(html.contains("avvikelsen ”Trygghetsvandringen ställdes in” saknar åtgärd"));
    let present = format!("{meeting}/planer/{}/presentera", w.violence_plan);
    assert!(html.contains(&format!("action=\"{present}\"")));
    let r = web.submit(&meeting, &present, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = web.get_html(&meeting).await;
    let adopt = format!("{meeting}/planer/{}/faststall", w.violence_plan);
    assert!(html.contains(&format!("action=\"{adopt}\"")) && !html.contains(&format!("action=\"{present}\"")));
    let r = web.submit(&meeting, &adopt, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = web.get_html(&meeting).await;
    assert!(html.contains("Styrgruppen fastställer Våld i nära relationers aktivitetsplan"), "{html}");

    // An uppdrag without an owner or due date is refused at both fields.
    let log = format!("{meeting}/beslut");
    let r = web
        .submit(
            &meeting,
            &log,
            &[("kind", "assignment"), ("text", "Ta fram mandat för alla medlemmar"), ("owner_org_id", ""), ("due_on", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Ett uppdrag behöver en ansvarig organisation") && html.contains("Ett uppdrag behöver ett slutdatum"), "{html}");
    assert!(html.contains("Ta fram mandat för alla medlemmar</textarea>"), "the text is kept");
    let police = w.polisen.to_string();
    let due = today().checked_add(jiff::Span::new().days(90)).unwrap().to_string();
    let r = web
        .submit(
            &meeting,
            &log,
            &[("kind", "assignment"), ("text", "Ta fram mandat för alla medlemmar"), ("owner_org_id", &police), ("due_on", &due)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let (_, html) = web.get_html(&meeting).await;
    assert!(html.contains("Polisregion Syd") && html.contains(&due));
    let did: i64 = app
        .store()
        .read(|db| Ok(brygga_store::ConnExt::scalar(db, "SELECT id FROM steering_decisions WHERE kind = 'assignment'", &[])?))
        .await
        .unwrap();
    let decision = format!("/styrgruppsbeslut/{did}");
    let r = web.submit(&decision, &decision, &[("status", "cancelled"), ("follow_up", ""), ("closed_on", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Skriv varför beslutet avskrivs"));
    let r = web.submit(&decision, &decision, &[("status", "done"), ("follow_up", "Alla mandat beslutade"), ("closed_on", "")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = web.get_html(&page).await;
    assert!(html.contains("Inga öppna uppdrag."));

    // The police, a party, reads the meeting without forms; an outsider gets 404 everywhere.
    let police = signed_in(&app, "samordnare@polisen.example").await;
    let (status, html) = police.get_html(&meeting).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("Protokollför beslutet") && !html.contains("/dagordning/uppdatera"));
    let r = police.submit(&meeting, &format!("{meeting}/dagordning"), &[("title", "Övrigt")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let outsider = signed_in(&app, "samordnare@kalmar.example").await;
    for path in [page.clone(), meeting.clone(), decision.clone()] {
        assert_eq!(outsider.get_html(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
}

async fn the_api_plans_meetings_logs_decisions_and_follows_them_up(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::steering_world(app.store()).await;
    let api = app.api(&app.token(w.county, w.lansstyrelsen).await);
    let t = today().to_string();
    let (s, r) = api
        .send(Method::POST, &format!("/programmes/{}/steering-meetings", w.programme), json!({"held_on": t, "title": "Styrgruppsmöte"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let mid = r["meeting"]["id"].as_i64().unwrap();
    assert_eq!(r["agenda"][0]["kind"], "plan_decision");
    assert_eq!(r["agenda"][0]["plan_state"], "quality_assured");
    let (s, r) = api.send(Method::POST, &format!("/steering-meetings/{mid}/decisions"), json!({"kind": "assignment", "text": "x"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = r["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["owner_org_id", "due_on"], "{r}");
    let (s, r) = api
        .send(
            Method::POST,
            &format!("/steering-meetings/{mid}/decisions"),
            json!({"kind": "assignment", "text": "Kartlägg stödet", "owner_org_id": w.polisen, "due_on": t}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let did = r["id"].as_i64().unwrap();
    assert_eq!((r["number"].as_i64(), r["near_due"].as_bool()), (Some(1), Some(true)));
    let (s, r) =
        api.send(Method::POST, &format!("/steering-decisions/{did}/follow-up"), json!({"status": "done", "follow_up": "Klart"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["closed_on"], t);
    let (s, r) = api.send(Method::POST, &format!("/steering-meetings/{mid}/plans/{}/present", w.violence_plan), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["agenda"][0]["plan_state"], "presented");
    let (s, r) = api
        .send(
            Method::POST,
            &format!("/programmes/{}/steering-members", w.programme),
            json!({"org_id": w.lansstyrelsen, "role": "chair", "representative": "Landshövding"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, r) = api.get(&format!("/programmes/{}/steering-members", w.programme)).await;
    assert_eq!((s, r[0]["role_label"].as_str()), (StatusCode::OK, Some("Ordförande")));
    let (s, r) = api.get(&format!("/steering-meetings/{mid}")).await;
    assert_eq!(s, StatusCode::OK);
    let item = r["agenda"][1]["id"].as_i64().unwrap();
    let (s, r) = api.send(Method::POST, &format!("/steering-meetings/{mid}/agenda/{item}/move"), json!({"direction": "up"})).await;
    assert_eq!((s, r[0]["id"].as_i64()), (StatusCode::OK, Some(item)));
    let (s, _) = api.send(Method::POST, &format!("/steering-meetings/{mid}/agenda/{item}/move"), json!({"direction": "sideways"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // The police reads and may not write; the outsider finds nothing.
    let police = app.api(&app.token(w.police, w.polisen).await);
    assert_eq!(police.get(&format!("/programmes/{}/steering-decisions", w.programme)).await.0, StatusCode::OK);
    let (s, _) = police.send(Method::POST, &format!("/steering-meetings/{mid}/agenda"), json!({"title": "Övrigt"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let outsider = app.api(&app.token(w.outsider, w.outsider_org).await);
    for path in [
        format!("/steering-meetings/{mid}"),
        format!("/steering-decisions/{did}"),
        format!("/programmes/{}/steering-meetings", w.programme),
    ] {
        assert_eq!(outsider.get(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, _) =
        outsider.send(Method::POST, &format!("/steering-meetings/{mid}/decisions"), json!({"kind": "information", "text": "x"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

crate::both_backends!(
    the_county_coordinator_presents_a_plan_at_a_meeting_and_logs_a_decision,
    the_api_plans_meetings_logs_decisions_and_follows_them_up,
);
