//! Issue 11, findings 13, 16 and 17 (ops): concurrent requests with one Idempotency-Key, backups
//! killed half-way, the demo on a given database.

use std::process::Command;

use brygga_store::ConnExt;
use brygga_store_tests::stories;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp};

async fn setup(b: Backend) -> Option<(TestApp, stories::Est)> {
    let app = TestApp::spawn(b).await?;
    let est = stories::est(app.store()).await;
    Some((app, est))
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.store().read(move |db| Ok(db.scalar(sql, &[])?)).await.unwrap()
}

/// Sends `n` identical POSTs with one key at once; returns (status, replayed, body) of each.
async fn burst(app: &TestApp, token: &str, path: &str, key: &str, body: Value, n: usize) -> Vec<(StatusCode, bool, Value)> {
    let api = app.api(token);
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let mut tasks = Vec::new();
    for _ in 0..n {
        let req = api.req(Method::POST, path).header("idempotency-key", key).json(&body);
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let r = req.send().await.expect("an answer, not a dropped connection");
            let replayed = r.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
            (r.status(), replayed, r.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

fn assert_one_answer(answers: &[(StatusCode, bool, Value)]) {
    let first = &answers[0].2;
    for (status, _, body) in answers {
        assert_eq!(*status, StatusCode::CREATED, "every answer is the first one's 201: {body}");
        assert_eq!(body, first, "every answer carries the same body");
    }
    assert_eq!(answers.iter().filter(|a| !a.1).count(), 1, "exactly one answer is not a replay");
}

/// Finding 13: 20 concurrent POSTs with one key store one record; all get the same 201.
async fn ops_one_key_sent_twenty_times_at_once_stores_one_report(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let token = app.token(w.reporter, w.kommun).await;
    let body = json!({"forum_id": w.forum, "category": "graffiti", "area_id": w.stortorget, "quantity": 2});
    let answers = burst(&app, &token, "/observations", "samtidig-0001", body, 20).await;
    assert_one_answer(&answers);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM observations").await, 1);
}

async fn ops_one_key_sent_twenty_times_at_once_raises_one_alert(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let token = app.token(w.reporter, w.kommun).await;
    let body = json!({"title": "Stenkastning mot bussar vid Stortorget", "urgency": "immediate", "area_id": w.stortorget});
    let path = format!("/forums/{}/alerts", w.forum);
    let answers = burst(&app, &token, &path, "samtidigt-larm-1", body, 20).await;
    assert_one_answer(&answers);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM alerts").await, 1);
}

fn brygga(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_brygga")).args(args).env_remove("BRYGGA_DATABASE_URL").output().expect("run brygga")
}

/// Finding 16: a backup killed half-way (here by the file-size limit, SIGXFSZ) leaves nothing at
/// the target, and the next backup works although the killed one's temporary file is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ops_a_backup_killed_half_way_leaves_no_file_and_the_next_one_works() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let out = brygga(&["--data-dir", data, "migrate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let target = dir.path().join("kopia.db");
    // 64 blocks of 512 bytes: the migrated database (with the whole geography) is larger.
    let script = format!("ulimit -f 64; exec \"$0\" --data-dir '{data}' backup '{}'", target.display());
    let killed = Command::new("sh").arg("-c").arg(&script).arg(env!("CARGO_BIN_EXE_brygga")).output().unwrap();
    assert!(!killed.status.success(), "the backup was cut off by the size limit");
    assert!(!target.exists(), "a backup killed half-way leaves no file that looks like a database");
    let stale: Vec<_> = std::fs::read_dir(dir.path()).unwrap().filter_map(Result::ok).map(|e| e.file_name()).collect();
    assert!(stale.iter().any(|n| n.to_string_lossy().ends_with(".partial")), "the cut-off copy is a temporary file: {stale:?}");

    let out = brygga(&["--data-dir", data, "backup", target.to_str().unwrap()]);
    assert!(out.status.success(), "the next backup works: {}", String::from_utf8_lossy(&out.stderr));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().filter_map(Result::ok).map(|e| e.file_name()).collect();
    assert!(!left.iter().any(|n| n.to_string_lossy().ends_with(".partial")), "the stale temporary file is gone: {left:?}");
    let url = format!("sqlite://{}", target.display());
    let out = brygga(&["--database-url", &url, "migrate"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["applied"].as_array().unwrap().is_empty(), "the backup is the complete, migrated database: {report}");
}

/// Finding 17: `demo --database-url` puts the demo into that database, and refuses one that
/// already holds accounts.
async fn ops_the_demo_honours_database_url_and_refuses_a_used_database(b: Backend) {
    // An empty database for the demo: a fresh test database's accounts are none yet.
    let Some(app) = TestApp::spawn(b).await else { return };
    let url = app.db.url().to_owned();
    let mut demo = tokio::process::Command::new(env!("CARGO_BIN_EXE_brygga"))
        .args(["demo", "--port", "0", "--workers", "0", "--database-url", &url])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = demo.stdout.take().unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let started = tokio::time::timeout(std::time::Duration::from_secs(300), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("körs på") {
                return true;
            }
        }
        false
    })
    .await;
    demo.kill().await.unwrap();
    assert_eq!(started, Ok(true), "the demo started on the given database");
    assert!(count(&app, "SELECT COUNT(*) FROM users").await > 5, "the demo's accounts are in the given database");
    assert!(count(&app, "SELECT COUNT(*) FROM observations").await > 0, "and its reports");

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_brygga"))
        .args(["demo", "--port", "0", "--workers", "0", "--database-url", &url])
        .output()
        .await
        .unwrap();
    assert!(!out.status.success(), "a database with accounts is refused");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("innehåller redan") && err.contains("--database-url"), "{err}");
}

/// A TCP proxy to PostgreSQL that a test can cut, as if the database went away (the shared
/// PostgreSQL server itself is never stopped).
struct Proxy {
    addr: std::net::SocketAddr,
    tasks: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let tasks = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let inner = tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                let conn = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                inner.lock().unwrap().push(conn);
            }
        });
        tasks.lock().unwrap().push(accept);
        Self { addr, tasks }
    }

    /// The database is gone: no new connections, the open ones are closed.
    fn cut(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

/// Finding 17: with the database gone, every refused write reaches the client as a 503 in the
/// error shape — none as a dropped connection (the token check answered before the body was
/// read, and closing a socket with unread bytes resets the connection, losing the answer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ops_with_the_database_gone_every_write_gets_a_503() {
    let Some(db) = brygga_store_tests::TestDb::postgres().await else { return };
    let w = stories::est(db.store()).await;
    let v = stories::viewer(db.store(), w.reporter).await;
    let org = w.kommun;
    let token = db.store().write(move |c| brygga_store::accounts::auth::create_token(c, &v, org, "test", None)).await.unwrap().1;
    // postgres://user@host:port/name → the same through the proxy.
    let url = db.url().to_owned();
    let (head, rest) = url.split_once('@').unwrap();
    let (hostport, tail) = rest.split_once('/').unwrap();
    let proxy = Proxy::start(hostport.to_owned()).await;
    let proxied = format!("{head}@{}/{tail}", proxy.addr);
    let store =
        tokio::task::spawn_blocking(move || brygga_store::Store::new(brygga_store_postgres::PgBackend::connect(&proxied, 4).unwrap()))
            .await
            .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = brygga::start(listener, store, brygga_web::WebConfig::default()).unwrap();
    let base = format!("http://{}/api/v1/observations", running.addr);
    let client = reqwest::Client::new();
    // A report padded with whitespace to a large (but allowed) body: the client is still
    // sending it when a refusal comes back.
    let report = json!({"forum_id": w.forum, "category": "graffiti", "area_id": w.stortorget}).to_string();
    let body = format!("{report}{}", " ".repeat(1_500_000));
    let r = client.post(&base).bearer_auth(&token).header("content-type", "application/json").body(body.clone()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "through the proxy, the database answers");

    proxy.cut();
    let (mut refused, mut dropped) = (0, Vec::new());
    for _ in 0..10 {
        match client.post(&base).bearer_auth(&token).header("content-type", "application/json").body(body.clone()).send().await {
            Ok(r) => {
                assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
                let e: Value = r.json().await.unwrap();
                assert_eq!(e["code"], "unavailable", "{e}");
                refused += 1;
            }
            Err(e) => dropped.push(e.to_string()),
        }
    }
    assert!(dropped.is_empty(), "{} of 10 refused writes reached the client as a dropped connection: {dropped:?}", dropped.len());
    assert_eq!(refused, 10);
    running.handle.abort();
}

crate::both_backends!(
    ops_one_key_sent_twenty_times_at_once_stores_one_report,
    ops_one_key_sent_twenty_times_at_once_raises_one_alert,
    ops_the_demo_honours_database_url_and_refuses_a_used_database,
);
