//! Interventions and networks through the API and the pages' forms: bad input named at the
//! field in Swedish with nothing written, isolation (404 for another organisation's record,
//! nothing in its lists), the overlap hint of two organisations that reveals only what the
//! viewer may know, the helhetsbild page, and a network's persons hidden from outside readers.

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

async fn count(app: &TestApp) -> (i64, i64) {
    app.store()
        .read(|db| {
            Ok((db.scalar("SELECT COUNT(*) FROM interventions", &[])?, db.scalar("SELECT COUNT(*) FROM intervention_overlaps", &[])?))
        })
        .await
        .unwrap()
}

fn football(owner: i64, title: &str, ages: (i64, i64)) -> Value {
    json!({
        "title": title,
        "description": "Öppen fotboll på konstgräsplanen varje fredag kväll med ledare på plats.",
        "owner_org_id": owner,
        "municipality_codes": ["1287"],
        "period_from": "2026-09-01",
        "period_to": "2026-12-18",
        "age_from": ages.0,
        "age_to": ages.1,
        "themes": ["idrott", "fritid"],
        "target_groups": ["unga"]
    })
}

async fn interventions_through_the_api_and_pages(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let club = app.org("IK Söderslätt Fotboll", OrgKind::CivilSociety, &["1287"]).await;
    let vellinge = app.org("Vellinge kommun", OrgKind::Municipality, &["1233"]).await;
    let coordinator = app.user("samordnare@trelleborg.test", kommun, Role::Coordinator).await;
    let leader = app.user("ledare@iksoderslatt.test", club, Role::Member).await;
    let outsider = app.user("samordnare@vellinge.test", vellinge, Role::Coordinator).await;
    let api = app.api(&app.token(coordinator, kommun).await);
    let club_api = app.api(&app.token(leader, club).await);
    let out_api = app.api(&app.token(outsider, vellinge).await);

    // Bad input: every problem named at its field in Swedish, nothing written.
    let before = count(&app).await;
    let mut bad = football(kommun, "Fotboll fredag kväll för unga i Centrum", (16, 13));
    bad["period_to"] = json!("2026-08-01");
    bad["funding_from"] = json!("2026-12-31");
    bad["funding_to"] = json!("2026-01-01");
    bad["description"] = json!("Ring Anna på 070-123 45 67 eller maila anna.svensson@gmail.com");
    bad["municipality_codes"] = json!(["1233"]);
    let (status, body) = api.send(Method::POST, "/interventions", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field(&body, "period_to").contains("slutar (2026-08-01) innan den börjar"));
    assert!(field(&body, "age_to").contains("lägre än åldern"));
    assert!(field(&body, "funding_to").contains("Finansieringen slutar"));
    assert!(field(&body, "municipality_codes").contains("godkänt anspråk"));
    assert!(!field(&body, "description").is_empty());
    let (status, body) = api.send(Method::POST, "/interventions", json!({"title": "x", "description": "y", "bogus": 1})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(count(&app).await, before);

    // Two overlapping ones: the municipality's (own only) and the club's (own only, discoverable).
    let (status, mine) =
        api.send(Method::POST, "/interventions", football(kommun, "Fotboll fredag kväll för unga i Centrum", (13, 16))).await;
    assert_eq!(status, StatusCode::CREATED, "{mine}");
    let mut theirs = football(club, "Kvällsfotboll för tonåringar", (14, 18));
    theirs["discoverable"] = json!(true);
    theirs["contact"] = json!("ungdom@iksoderslatt.se");
    let (status, theirs) = club_api.send(Method::POST, "/interventions", theirs).await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    // Isolation: each reads only its own; the outsider nothing.
    let (status, _) = api.get(&format!("/interventions/{}", theirs["id"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = out_api.get(&format!("/interventions/{}", mine["id"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = out_api.get("/interventions").await;
    assert_eq!(list, json!([]));
    let (status, _) = club_api.send(Method::DELETE, &format!("/interventions/{}", mine["id"]), json!(null)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The hints: the municipality learns whom to contact, the club only that it exists.
    let (status, hints) = api.get("/interventions/overlaps").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hints.as_array().unwrap().len(), 1, "{hints}");
    assert_eq!(hints[0]["other"], Value::Null);
    assert_eq!(hints[0]["discovered"], json!({"owner_name": "IK Söderslätt Fotboll", "contact": "ungdom@iksoderslatt.se"}));
    assert!(!hints.to_string().contains("Kvällsfotboll"));
    let (_, hints) = club_api.get("/interventions/overlaps").await;
    assert_eq!(hints[0]["other"], Value::Null);
    assert_eq!(hints[0]["discovered"], Value::Null);
    assert!(!hints.to_string().contains("Trelleborgs kommun") && !hints.to_string().contains("Fotboll fredag"));
    let (_, hints) = out_api.get("/interventions/overlaps").await;
    assert_eq!(hints, json!([]));

    // The pages say the same.
    let web = app.browser();
    web.login("samordnare@trelleborg.test", brygga_store_tests::stories::PASSWORD).await;
    let (status, html) = web.get_html("/insatser/overlapp").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("IK Söderslätt Fotboll") && html.contains("ungdom@iksoderslatt.se"), "{html}");
    assert!(!html.contains("Kvällsfotboll"));
    let club_web = app.browser();
    club_web.login("ledare@iksoderslatt.test", brygga_store_tests::stories::PASSWORD).await;
    let (_, html) = club_web.get_html("/insatser/overlapp").await;
    assert!(
        html.contains("Ni har inte tillgång till den") && !html.contains("Trelleborgs kommun") && !html.contains("Fotboll fredag"),
        "{html}"
    );
    assert_eq!(club_web.get(&format!("/insatser/{}", mine["id"])).await.status(), StatusCode::NOT_FOUND);

    // The form: bad input re-rendered with what was typed, then a good one.
    let r = web
        .submit(
            "/insatser/ny",
            "/insatser/ny",
            &[
                ("title", "Läxhjälp på biblioteket"),
                ("description", "Läxhjälp varje tisdag."),
                ("municipality_codes", "1287"),
                ("period_from", "2026-09-01"),
                ("period_to", "2026-01-01"),
                ("recurrence", "weekly"),
                ("status", "ongoing"),
                ("visibility", "organisation"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"Läxhjälp på biblioteket\"") && html.contains("innan den börjar"), "{html}");
    let r = web
        .submit(
            "/insatser/ny",
            "/insatser/ny",
            &[
                ("title", "Läxhjälp på biblioteket"),
                ("description", "Läxhjälp varje tisdag."),
                ("municipality_codes", "1287"),
                ("period_from", "2026-09-01"),
                ("recurrence", "weekly"),
                ("status", "ongoing"),
                ("visibility", "public"),
                ("themes", "laxhjalp"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The helhetsbild lists what the viewer reads, with the map.
    let (status, html) = web.get_html("/insatser/kommun/1287").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Läxhjälp på biblioteket") && html.contains("Fotboll fredag kväll") && !html.contains("Kvällsfotboll"), "{html}");
    assert!(html.contains("<svg"));
    let (_, overview) = out_api.get("/interventions/overview/1287").await;
    let titles: Vec<&str> = overview["interventions"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["Läxhjälp på biblioteket"]);

    // Networks: persons only for the owner and member organisations.
    let (status, n) = api
        .send(Method::POST, "/networks", json!({"name": "Referensgrupp unga", "purpose": "Synpunkter på insatser för unga.", "visibility": "public", "cadence": "as_needed"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{n}");
    let path = format!("/networks/{}/members", n["id"]);
    let (status, body) =
        api.send(Method::POST, &path, json!({"person_name": "Karin Lund", "email": "karin@", "joined_on": "2026-01-01"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&body, "email").contains("E-postadressen"));
    let (status, _) =
        api.send(Method::POST, &path, json!({"person_name": "Karin Lund", "joined_on": "2026-01-01", "position": "chair"})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, seen) = out_api.get(&format!("/networks/{}", n["id"])).await;
    assert_eq!(seen["hidden_persons"], json!(1));
    assert!(!seen.to_string().contains("Karin"));
    let (status, _) = out_api.send(Method::POST, &path, json!({"org_id": vellinge, "joined_on": "2026-01-01"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, html) = web.get_html(&format!("/natverk/{}", n["id"])).await;
    assert!(html.contains("Karin Lund"));
}

/// The demo: Trelleborg's and the football club's football overlap; the municipality learns whom
/// to contact, the club only that an overlap exists; the other demo interventions give no hint.
async fn the_demo_has_two_overlapping_interventions(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let password = "demo-lösenord-123";
    let logins = brygga::demo::seed(app.store(), password).await.unwrap();
    assert!(logins.iter().any(|l| l.email == "ungdom@iksoderslatt.example"), "the club's leader is a demo login");
    let pairs: i64 = app.store().read(|db| Ok(db.scalar("SELECT COUNT(*) FROM intervention_overlaps", &[])?)).await.unwrap();
    assert_eq!(pairs, 1, "exactly the two football interventions overlap");
    let web = app.browser();
    web.login("samordnare@trelleborg.example", password).await;
    let (_, html) = web.get_html("/insatser/overlapp").await;
    assert!(
        html.contains("Fotboll fredag kväll för unga i Centrum")
            && html.contains("IK Söderslätt Fotboll")
            && !html.contains("Kvällsfotboll"),
        "{html}"
    );
    let club = app.browser();
    club.login("ungdom@iksoderslatt.example", password).await;
    let (_, html) = club.get_html("/insatser/overlapp").await;
    assert!(
        html.contains("Kvällsfotboll för tonåringar") && !html.contains("Trelleborgs kommun") && !html.contains("Fotboll fredag"),
        "{html}"
    );
    let (status, html) = web.get_html("/natverk").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Nätverket för brottsförebyggande samordnare i Skåne") && html.contains("Referensgrupp unga i Trelleborg"));
}

crate::both_backends!(interventions_through_the_api_and_pages, the_demo_has_two_overlapping_interventions);
