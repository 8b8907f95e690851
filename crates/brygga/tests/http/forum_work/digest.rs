//! `brygga digest send`: the real binary writes a forum's weekly digest, sends it through a real
//! SMTP server at once and prints `{"sent":…,"failed":…}`; a second run sends no second copy; with
//! the SMTP server down nothing is lost (the messages wait in the queue for the workers).

use std::time::Duration;

use brygga_store::ConnExt;
use brygga_store_tests::stories;

use crate::both_backends;
use crate::common::{Backend, TestApp};
use crate::smtp::{SmtpSink, free_port};

async fn digest_send(app: &TestApp, port: u16, week: &str) -> serde_json::Value {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_brygga"))
        .args(["--database-url", app.db.url(), "digest", "send", "--forum", "est trelleborg", "--week", week])
        .args(["--smtp-url", &format!("smtp://127.0.0.1:{port}"), "--mail-from", "brygga@trelleborg.se"])
        .args(["--public-url", "https://brygga.trelleborg.se"])
        .env("BRYGGA_LOG", "warn")
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

async fn the_digest_command_sends_once_and_loses_nothing(b: Backend) {
    let Some(sink) = SmtpSink::start().await else { return };
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::est(app.store()).await;
    // SMTP down: every message fails this attempt and stays queued for a retry.
    let down = digest_send(&app, free_port(), "2026-W48").await;
    assert_eq!((down["sent"].as_u64(), down["failed"].as_u64()), (Some(0), Some(5)), "{down}");
    let queued: i64 = app
        .store()
        .read(|db| {
            Ok(db.scalar(
                "SELECT COUNT(*) FROM mail_outbox o JOIN jobs j ON j.id = o.job_id WHERE o.kind = 'digest' AND j.state = 'queued' AND o.sent_at IS NULL",
                &[],
            )?)
        })
        .await
        .unwrap();
    assert_eq!(queued, 5, "failed messages wait for a retry");
    // The server is back: the waiting messages go now, without new copies.
    let sent = digest_send(&app, sink.port, "2026-W48").await;
    assert_eq!((sent["sent"].as_u64(), sent["failed"].as_u64(), sent["week"].as_str()), (Some(5), Some(0), Some("2026-W48")), "{sent}");
    let got = sink.wait_for(5, Duration::from_secs(20)).await;
    let to_member = got.iter().find(|m| m.rcpt_tos == ["vard@trelleborgshem.se"]).expect("the housing company's member got it");
    assert_eq!(to_member.header("Subject"), Some("Veckosammanfattning EST Trelleborg, v. 48 (23–29 nov.)"));
    let body = to_member.body.as_deref().unwrap();
    assert!(body.contains("https://brygga.trelleborg.se/konto/sammanfattning"), "{body}");
    assert!(body.contains(&format!("https://brygga.trelleborg.se/forum/{}/atgarder", w.forum)), "{body}");
    let again = digest_send(&app, sink.port, "2026-W48").await;
    assert_eq!((again["sent"].as_u64(), again["already_sent"].as_u64()), (Some(0), Some(5)), "{again}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 5, "nobody got a second copy");
    // A forum that does not exist is named in the error.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_brygga"))
        .args(["--database-url", app.db.url(), "digest", "send", "--forum", "EST Malmö", "--week", "2026-W48"])
        .args(["--smtp-url", &format!("smtp://127.0.0.1:{}", sink.port), "--mail-from", "brygga@trelleborg.se"])
        .output()
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("EST Malmö") && err.contains("EST Trelleborg"), "{err}");
    sink.stop().await;
}

both_backends!(the_digest_command_sends_once_and_loses_nothing);
