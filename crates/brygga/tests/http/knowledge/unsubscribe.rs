//! A newsletter through a real SMTP server: the message carries `List-Unsubscribe` and
//! `List-Unsubscribe-Post`; POSTing the URL (no login, no form token, as a mail client does)
//! unsubscribes; the next issue is not sent to that address.

use std::time::Duration;

use brygga_mail::Outgoing;
use brygga_store::ConnExt;
use brygga_store::dialogue::newsletters::{self, IssueInput, IssueKind, ListInput};
use brygga_store::kernel::mail;
use brygga_store_tests::stories;
use reqwest::StatusCode;

use crate::both_backends;
use crate::common::{Backend, TestApp};
use crate::operations::mail::{mailer, post};
use crate::smtp::SmtpSink;

async fn send_outbox(app: &TestApp, port: u16, ids: Vec<i64>) {
    for id in ids {
        let m = app.store().read(move |db| mail::outgoing(db, id)).await.unwrap().unwrap();
        let out = Outgoing {
            message_id: &m.message_id,
            to: &m.recipient,
            subject: &m.subject,
            body: &m.body,
            created_at_ms: m.created_at,
            list_unsubscribe: m.list_unsubscribe.as_deref(),
        };
        mailer(port).send(&out).await.unwrap();
    }
}

async fn issue(app: &TestApp, user: i64, list: i64, subject: &str) -> Vec<i64> {
    let v = stories::viewer(app.store(), user).await;
    let input = IssueInput { subject: subject.into(), body: "Det här har hänt i centrum.".into() };
    let i = app.store().write(move |db| newsletters::create_issue(db, &v, list, &input, IssueKind::General, None)).await.unwrap();
    let v = stories::viewer(app.store(), user).await;
    app.store().write(move |db| newsletters::send_issue(db, &v, &post(), i.id)).await.unwrap();
    app.store()
        .read(move |db| {
            Ok(db.scalars("SELECT outbox_id FROM newsletter_deliveries WHERE issue_id = $1 ORDER BY outbox_id", &[i.id.into()])?)
        })
        .await
        .unwrap()
}

async fn one_click_unsubscribe_through_a_real_smtp_server(b: Backend) {
    let Some(sink) = SmtpSink::start().await else { return };
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::est(app.store()).await;
    let v = stories::viewer(app.store(), w.coordinator).await;
    let list = app
        .store()
        .write(move |db| newsletters::create_list(db, &v, &ListInput { name: "Trygg i Trelleborg".into(), ..Default::default() }))
        .await
        .unwrap();
    for u in [w.tenant_member, w.association] {
        let v = stories::viewer(app.store(), u).await;
        app.store().write(move |db| newsletters::subscribe_self(db, &v, list.id)).await.unwrap();
    }
    let first = issue(&app, w.coordinator, list.id, "Nyhetsbrev april").await;
    assert_eq!(first.len(), 2);
    send_outbox(&app, sink.port, first).await;
    let got = sink.wait_for(2, Duration::from_secs(20)).await;
    let url = got[0].header("List-Unsubscribe").expect("List-Unsubscribe arrives").trim_matches(['<', '>']).to_owned();
    assert!(url.starts_with("http://brygga.test/nyhetsbrev/avregistrera/"), "{url}");
    assert_eq!(got[0].header("List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
    assert_ne!(got[0].header("List-Unsubscribe"), got[1].header("List-Unsubscribe"), "one token per subscriber");
    let who = got[0].rcpt_tos[0].clone();

    // The GET shows one button and changes nothing.
    let path = url.trim_start_matches("http://brygga.test");
    let (status, html) = app.browser().get_html(path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Avregistrera mig"), "{html}");
    // The mail client's one-click POST: no cookie, no form token.
    let r = reqwest::Client::new()
        .post(app.url(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Du är avregistrerad"));
    let (status, _) = app.browser().get_html("/nyhetsbrev/avregistrera/finnsinte").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The next issue goes to the other subscriber only.
    let second = issue(&app, w.coordinator, list.id, "Nyhetsbrev maj").await;
    assert_eq!(second.len(), 1);
    send_outbox(&app, sink.port, second).await;
    let got = sink.wait_for(3, Duration::from_secs(20)).await;
    let may: Vec<_> = got.iter().filter(|m| m.header("Subject") == Some("Nyhetsbrev maj")).collect();
    assert_eq!(may.len(), 1);
    assert_ne!(may[0].rcpt_tos[0], who, "the unsubscribed address got nothing");
    sink.stop().await;
}

both_backends!(one_click_unsubscribe_through_a_real_smtp_server);
