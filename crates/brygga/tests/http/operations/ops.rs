//! Operations: health, readiness, graceful shutdown, backup, the command line.

use std::process::Command;

use brygga_domain::{OrgKind, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Backend, TestApp};

async fn health_and_readiness(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    assert_eq!(reqwest::get(app.url("/healthz")).await.unwrap().text().await.unwrap(), "ok");
    assert_eq!(reqwest::get(app.url("/readyz")).await.unwrap().status(), StatusCode::OK);
}

/// Requests in flight when shutdown starts are finished and their writes kept.
async fn shutdown_finishes_writes_in_flight(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let org = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let user = app.user("samordnare@trelleborg.se", org, Role::Coordinator).await;
    let token = app.token(user, org).await;
    let api = app.api(&token);
    let mut sent = Vec::new();
    for i in 0..20 {
        let req = api.req(Method::POST, "/organisations").json(&json!({"name": format!("Förening {i}"), "kind": "civil_society"}));
        sent.push(tokio::spawn(async move { req.send().await.map(|r| r.status()) }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let store = app.store().clone();
    let mut app = app;
    let app_stop = tokio::spawn(async move { app.stop().await.map(|_| app) });
    let mut ok = 0;
    for s in sent {
        match s.await.unwrap() {
            Ok(StatusCode::CREATED) => ok += 1,
            Ok(other) => panic!("unexpected status {other}"),
            Err(_) => {} // refused because the server had stopped accepting: never half-done
        }
    }
    let _app = app_stop.await.unwrap().unwrap();
    let stored: i64 = store
        .read(|db| Ok(brygga_store::ConnExt::scalar(db, "SELECT COUNT(*) FROM organisations WHERE name LIKE 'Förening %'", &[])?))
        .await
        .unwrap();
    assert_eq!(stored, ok, "every acknowledged write is stored, and nothing else");
}

fn brygga(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_brygga"));
    cmd.args(args)
        .env_remove("BRYGGA_DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// SIGTERM at any moment of start-up ends `brygga serve` promptly, workers included (it once
/// hung when the signal came before the workers listened for it).
#[test]
fn sigterm_during_start_up_stops_the_server() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (ok, _, err) = brygga(&["--data-dir", data, "migrate"], None);
    assert!(ok, "{err}");
    for attempt in 0..12 {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_brygga"))
            .args(["--data-dir", data, "serve", "--listen", &format!("127.0.0.1:{port}"), "--workers", "2"])
            .env_remove("BRYGGA_DATABASE_URL")
            .env("BRYGGA_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Signal as soon as the port answers: the workers start just after.
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "the server did not start");
            std::thread::sleep(Duration::from_millis(1));
        }
        let pid = child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let stopping = Instant::now();
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if stopping.elapsed() > Duration::from_secs(15) {
                let _ = child.kill();
                panic!("attempt {attempt}: brygga serve still running 15 s after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn command_line_administration_and_backup() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (ok, out, err) = brygga(&["--data-dir", data, "migrate"], None);
    assert!(ok, "{err}");
    assert!(out.contains("0001_foundation"), "{out}");
    let (ok, out, err) = brygga(
        &["--data-dir", data, "org", "add", "--name", "Hässleholms kommun", "--kind", "municipality", "--municipality", "1293"],
        None,
    );
    assert!(ok, "{err}");
    assert!(out.contains("\"name\":\"Hässleholms kommun\""));
    let (ok, _, err) = brygga(&["--data-dir", data, "org", "add", "--name", "Fel", "--kind", "kommun", "--org-number", "123"], None);
    assert!(!ok);
    assert!(err.contains("--kind: Okänd organisationstyp") && err.contains("--org-number: Organisationsnumret ska ha 10 siffror"), "{err}");
    let (ok, out, err) = brygga(
        &[
            "--data-dir",
            data,
            "user",
            "add",
            "--email",
            "hugo@hassleholm.se",
            "--name",
            "Hugo",
            "--org",
            "Hässleholms kommun",
            "--role",
            "coordinator",
        ],
        None,
    );
    assert!(ok, "{err}");
    let created: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(created["password"].as_str().unwrap().len() >= 16, "a generated password is printed once");
    let (ok, _, err) =
        brygga(&["--data-dir", data, "user", "set-password", "--email", "hugo@hassleholm.se", "--password-stdin"], Some("kort\n"));
    assert!(!ok && err.contains("minst 10 tecken"), "{err}");
    let (ok, out, _) = brygga(
        &["--data-dir", data, "user", "set-password", "--email", "hugo@hassleholm.se", "--password-stdin"],
        Some("ett långt och bra lösenord\n"),
    );
    assert!(ok && !out.contains("password"), "{out}");
    let (ok, out, _) = brygga(&["--data-dir", data, "user", "list"], None);
    assert!(ok && out.contains("hugo@hassleholm.se") && out.contains("\"role\":\"coordinator\""), "{out}");

    let backup = dir.path().join("kopia.db");
    let (ok, _, err) = brygga(&["--data-dir", data, "backup", backup.to_str().unwrap()], None);
    assert!(ok, "{err}");
    let (ok, out, _) = brygga(&["--database-url", &format!("sqlite://{}", backup.display()), "org", "list"], None);
    assert!(ok && out.contains("Hässleholms kommun"), "the backup is a working database");
    let (ok, _, err) = brygga(&["--data-dir", data, "backup", backup.to_str().unwrap()], None);
    assert!(!ok && err.contains("already exists"), "{err}");
}

#[test]
fn help_is_written_for_municipal_it() {
    let (ok, out, _) = brygga(&["--help"], None);
    assert!(ok);
    for word in ["serve", "demo", "migrate", "user", "org", "backup", "BRYGGA_DATABASE_URL", "postgres://", "--config"] {
        assert!(out.contains(word), "--help mentions {word}:\n{out}");
    }
    let (ok, out, _) = brygga(&["serve", "--help"], None);
    assert!(ok && out.contains("BRYGGA_LISTEN") && out.contains("0.0.0.0:8080"), "{out}");
    assert!(out.contains("BRYGGA_SMTP_URL") && out.contains("--mail-from") && out.contains("--workers"), "{out}");
    let (ok, out, _) = brygga(&["worker", "--help"], None);
    assert!(ok && out.contains("bakgrundsjobben") && out.contains("smtps://") && out.contains("BRYGGA_WORKERS"), "{out}");
    let (ok, _, err) = brygga(&["--data-dir", "/nonexistent-brygga", "worker", "--smtp-url", "smtp://127.0.0.1:2525"], None);
    assert!(!ok && err.contains("--mail-from"), "{err}");
}

async fn demo_data_loads_and_its_logins_work(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let logins = brygga::demo::seed(app.store(), "demo-lösenord-123").await.unwrap();
    assert!(logins.len() >= 6);
    let web = app.browser();
    let r = web.login("samordnare@trelleborg.example", "demo-lösenord-123").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = web.get_html("/").await;
    assert!(home.contains("EST Trelleborg"));
    let (_, orgs) = web.get_html("/organisationer").await;
    for name in [
        "Trelleborgs kommun",
        "Hässleholms kommun",
        "Ängelholms kommun",
        "Länsstyrelsen Skåne",
        "AB Trelleborgshem",
        "Nattvandrarna i Trelleborg",
    ] {
        assert!(orgs.contains(name), "{name}");
    }
    let areas = app.store().read(brygga_store::places::geography::list_police_areas).await.unwrap();
    assert_eq!(areas.len(), 3);
}

crate::both_backends!(health_and_readiness, shutdown_finishes_writes_in_flight, demo_data_loads_and_its_logins_work);
