//! Issue 11, findings 10 and 11 (guard): personal data in names and descriptions, bounded
//! weeks and months, the throttled current-password check, the client address behind a proxy,
//! and request logs that hold route templates only.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use brygga_domain::{OrgKind, Role};
use brygga_store::ConnExt;
use brygga_store_tests::{TestDb, stories};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Backend, PASSWORD, TestApp};

async fn count(app: &TestApp, table: &'static str) -> i64 {
    app.store().read(move |db| Ok(db.scalar(&format!("SELECT COUNT(*) FROM {table}"), &[])?)).await.unwrap()
}

/// The one error of a 422 answer: (field, code, message).
fn only_error(body: &serde_json::Value) -> (String, String, String) {
    let errors = body["errors"].as_array().unwrap_or_else(|| panic!("no errors in {body}"));
    assert_eq!(errors.len(), 1, "{body}");
    let e = &errors[0];
    (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned(), e["message"].as_str().unwrap().to_owned())
}

async fn trust_guard_names_with_personal_data_are_refused(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let user = app.user("samordnare@trelleborg.se", kommun, Role::Coordinator).await;
    let api = app.api(&app.token(user, kommun).await);

    // Organisation: personnummer in the name, phone number in the description.
    let (orgs_before, forums_before, areas_before) =
        (count(&app, "organisations").await, count(&app, "forums").await, count(&app, "areas").await);
    let (s, e) = api.send(Method::POST, "/organisations", json!({"name": "Förening 811218-9876", "kind": "civil_society"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (field, code, message) = only_error(&e);
    assert_eq!((field.as_str(), code.as_str()), ("name", "text.personal_data"));
    assert!(message.starts_with("Namnet innehåller ett personnummer.") && message.contains("ta bort"), "{message}");
    let (s, e) = api
        .send(
            Method::POST,
            "/organisations",
            json!({"name": "Förening Norr", "kind": "civil_society", "description": "Ring ０７０-１２３ ４５ ６７"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(only_error(&e).0, "description");
    assert!(only_error(&e).2.starts_with("Beskrivningen innehåller ett telefonnummer."), "{e}");

    // Forum: personnummer in the name, an obfuscated e-mail address in the description.
    let (s, e) = api
        .send(Method::POST, "/forums", json!({"name": "EST 19811218-9876", "municipality_code": "1287", "convener_org_id": kommun}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(only_error(&e).0, "name");
    let (s, e) = api
        .send(
            Method::POST,
            "/forums",
            json!({"name": "EST Trelleborg", "municipality_code": "1287", "convener_org_id": kommun, "description": "Frågor: anna (at) trelleborg.se"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (field, code, message) = only_error(&e);
    assert_eq!((field.as_str(), code.as_str()), ("description", "text.personal_data"));
    assert!(message.contains("en e-postadress"), "{message}");

    // Place: a personnummer in full-width digits.
    let place = |name: &str| json!({"type": "Feature", "properties": {"name": name, "municipality_code": "1287"}, "geometry": {"type": "Point", "coordinates": [13.1566, 55.3751]}});
    let (s, e) = api.send(Method::POST, "/areas", place("Torget ８１１２１８-９８７６")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("personnummer"), "{e}");
    assert_eq!(
        (count(&app, "organisations").await, count(&app, "forums").await, count(&app, "areas").await),
        (orgs_before, forums_before, areas_before)
    );

    // Category: a personnummer in the name is refused; a clean name gets a generated code.
    let (s, forum) =
        api.send(Method::POST, "/forums", json!({"name": "EST Trelleborg", "municipality_code": "1287", "convener_org_id": kommun})).await;
    assert_eq!(s, StatusCode::CREATED, "{forum}");
    let forum_id = forum["id"].as_i64().unwrap();
    let (_, before) = api.get(&format!("/forums/{forum_id}/categories")).await;
    let n_before = before.as_array().map_or(0, Vec::len);
    let (s, e) =
        api.send(Method::POST, &format!("/forums/{forum_id}/categories"), json!({"name": "Klotter 811218-9876", "active": true})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (field, code, message) = only_error(&e);
    assert_eq!((field.as_str(), code.as_str()), ("name", "text.personal_data"));
    assert!(message.starts_with("Namnet innehåller ett personnummer."), "{message}");
    let (s, e) = api
        .send(
            Method::POST,
            &format!("/forums/{forum_id}/categories"),
            json!({"name": "Klotter", "description": "Kontakt anna snabel-a trelleborg.se", "active": true}),
        )
        .await;
    assert_eq!((s, only_error(&e).0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "description"), "{e}");
    let (_, after) = api.get(&format!("/forums/{forum_id}/categories")).await;
    assert_eq!(after.as_array().map_or(0, Vec::len), n_before, "nothing written");
    let (s, c) = api
        .send(Method::POST, &format!("/forums/{forum_id}/categories"), json!({"name": "Skadegörelse på skolgården", "active": true}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let code = c["code"].as_str().unwrap();
    assert!(code.starts_with("kategori_") && !code.contains("skol"), "the code is generated, not taken from the name: {code}");
}

async fn trust_guard_weeks_and_months_out_of_range_are_422(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let user = app.user("samordnare@trelleborg.se", kommun, Role::Coordinator).await;
    let api = app.api(&app.token(user, kommun).await);
    let (s, forum) =
        api.send(Method::POST, "/forums", json!({"name": "EST Trelleborg", "municipality_code": "1287", "convener_org_id": kommun})).await;
    assert_eq!(s, StatusCode::CREATED, "{forum}");
    let f = forum["id"].as_i64().unwrap();
    for week in ["-9999-W01", "9999-W52", "1000-W01"] {
        for (path, field) in [
            (format!("/picture?municipality=1287&week={week}"), "week"),
            (format!("/picture?forum_id={f}&week={week}"), "week"),
            (format!("/observations?forum_id={f}&from_week={week}"), "from_week"),
            (format!("/observations?forum_id={f}&to_week={week}"), "to_week"),
            (format!("/forums/{f}/meetings/{week}"), "week"),
        ] {
            let (s, e) = api.get(&path).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {e}");
            assert_eq!(e["field"], field, "{path}: {e}");
            assert!(e["message"].as_str().unwrap().contains("mellan 1900 och 2100"), "{path}: {e}");
        }
    }
    for month in ["9999-12", "-9999-01", "1000-01"] {
        let (s, e) = api.get(&format!("/forums/{f}/followup?month={month}")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{month}: {e}");
        assert_eq!(e["field"], "month", "{e}");
        let (s, e) = api.get(&format!("/crime-statistics?municipality=1287&from={month}")).await;
        assert_eq!((s, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("from")), "{e}");
    }
    // The pages: a Swedish message, never a 500.
    let web = app.browser();
    assert!(web.login("samordnare@trelleborg.se", PASSWORD).await.status().is_redirection());
    for path in [
        "/lagesbild/kommun/1287?vecka=-9999-W01".to_owned(),
        format!("/lagesbild/forum/{f}?vecka=-9999-W01"),
        format!("/lagesbild/forum/{f}?vecka=9999-W01"),
        format!("/forum/{f}/uppfoljning?manad=9999-12"),
    ] {
        let (s, html) = web.get_html(&path).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(html.contains("2100"), "{path}: the message says which years are allowed");
    }
    let (s, _) = web.get_html(&format!("/forum/{f}/avstamning/-9999-W01")).await;
    assert!(s.is_client_error(), "{s}");
}

async fn trust_guard_current_password_check_is_throttled(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    app.user("falt@trelleborg.se", kommun, Role::Reporter).await;
    let web = app.browser();
    assert!(web.login("falt@trelleborg.se", PASSWORD).await.status().is_redirection());
    let new = "ett helt nytt lösenord 2026";
    let change = |current: &'static str| {
        let web = &web;
        async move {
            web.submit("/konto", "/konto/losenord", &[("current_password", current), ("new_password", new), ("new_password_again", new)])
                .await
        }
    };
    for _ in 0..brygga_store::accounts::auth::MAX_FAILURES_PER_ACCOUNT {
        let r = change("fel lösenord").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("Det nuvarande lösenordet stämmer inte"));
    }
    // Now even the right password is refused for a while, and the password is unchanged.
    let r = change(PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    let hash_ok: bool = {
        let stored: String =
            app.store().read(|db| Ok(db.scalar("SELECT password_hash FROM users WHERE email = 'falt@trelleborg.se'", &[])?)).await.unwrap();
        brygga_store::accounts::auth::verify_password(PASSWORD, &stored)
    };
    assert!(hash_ok, "the password was not changed");
    let blocked = count(&app, "login_failures").await;
    assert_eq!(blocked, brygga_store::accounts::auth::MAX_FAILURES_PER_ACCOUNT);
}

/// `brygga serve` (the real binary) against `db`, behind a trusted proxy, with its log on a pipe.
struct Served {
    child: std::process::Child,
    base: String,
}

impl Served {
    fn start(db: &TestDb) -> Served {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(env!("CARGO_BIN_EXE_brygga"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--workers", "1"])
            .env("BRYGGA_DATABASE_URL", db.url())
            .env("BRYGGA_TRUST_PROXY", "true")
            .env("BRYGGA_LOG", "info")
            .env_remove("BRYGGA_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Served { child, base: format!("http://127.0.0.1:{port}") }
    }

    /// Stops the server (SIGTERM) and returns everything it logged.
    fn stop(self) -> String {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let out = self.child.wait_with_output().unwrap();
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    }
}

async fn trust_guard_logs_hold_route_templates_and_the_proxy_seen_address(b: Backend) {
    let db = match b {
        Backend::Sqlite => TestDb::sqlite().await,
        Backend::Postgres => match TestDb::postgres().await {
            Some(db) => db,
            None => return,
        },
    };
    let store = db.store().clone();
    let kommun = stories::org(&store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let user = stories::user(&store, "samordnare@trelleborg.se", kommun, Role::Coordinator).await;
    let v = stories::viewer(&store, user).await;
    let token = store.write(move |db| brygga_store::accounts::auth::create_token(db, &v, kommun, "test", None)).await.unwrap().1;
    let served = Served::start(&db);
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = |p: &str| format!("{}{p}", served.base);
    // Raw paths with an e-mail address and a personnummer: unmatched, and matched with a parameter.
    for path in [
        "/organisationer/anna.ek@example.se/811218-9876",
        "/anna.ek@example.se",
        "/delad/811218-9876anna.ek@example.se",
        "/api/v1/users/anna.ek@example.se",
        "/api/v1/811218-9876",
    ] {
        let r = client.get(url(path)).bearer_auth(&token).send().await.unwrap();
        assert!(r.status().is_client_error(), "{path}: {}", r.status());
    }
    // Behind the proxy: the client wrote the left entry, the proxy appended the address it saw.
    let r = client
        .post(url("/api/v1/organisations"))
        .bearer_auth(&token)
        .header("x-forwarded-for", "203.0.113.66, 198.51.100.9")
        .json(&json!({"name": "Förening Norr", "kind": "civil_society"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let log = served.stop();
    let ips: Vec<Option<String>> = store
        .read(|db| Ok(db.scalars("SELECT ip FROM audit_log WHERE action = 'organisation.create' AND ip IS NOT NULL", &[])?))
        .await
        .unwrap();
    assert_eq!(ips, [Some("198.51.100.9".to_owned())], "the address the trusted proxy saw, not the client's claim");
    for secret in ["anna.ek", "example.se", "811218", "9876"] {
        assert!(!log.contains(secret), "the log holds {secret:?}:\n{log}");
    }
    assert!(log.contains("unmatched"), "unmatched requests are logged as such:\n{log}");
    assert!(log.contains("/api/v1/users/{id}") && log.contains("/delad/{token}"), "matched requests log their template:\n{log}");
}

crate::both_backends!(
    trust_guard_names_with_personal_data_are_refused,
    trust_guard_weeks_and_months_out_of_range_are_422,
    trust_guard_current_password_check_is_throttled,
    trust_guard_logs_hold_route_templates_and_the_proxy_seen_address,
);
