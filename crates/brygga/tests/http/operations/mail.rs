//! E-mail through a real SMTP server process (aiosmtpd, see `smtp.rs`), and the workers'
//! shutdown: what arrives, what happens while the server is down, and a resend after a crash.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use brygga::worker::{self, Handler, HandlerFuture, Handlers, WorkerConfig};
use brygga_domain::account::Email;
use brygga_mail::{MailConfig, Mailer, Outgoing, SmtpConfig};
use brygga_store::kernel::jobs::{self, ClaimRequest, NewJob};
use brygga_store::kernel::mail::{self, NewMail, Queued};
use brygga_store::{ConnExt, Store, Viewer, args, now_ms};

use crate::both_backends;
use crate::common::{Backend, PASSWORD, TestApp, text_of};
use crate::smtp::{SmtpSink, free_port};

pub(crate) fn mailer(port: u16) -> Mailer {
    let smtp = SmtpConfig::parse(&format!("smtp://127.0.0.1:{port}")).unwrap();
    Mailer::new(MailConfig::new(smtp, Email::parse("brygga@trelleborg.se").unwrap())).unwrap()
}

pub(crate) fn post() -> mail::Postmark {
    mail::Postmark::new("trelleborg.se", "http://brygga.test")
}

fn fast() -> WorkerConfig {
    WorkerConfig { workers: 2, poll: Duration::from_millis(50), schedules: false, ..Default::default() }
}

async fn enqueue(store: &Store, to: &str) -> Queued {
    let m = NewMail {
        kind: "test",
        to: Email::parse(to).unwrap(),
        to_user_id: None,
        subject: "Larm från EST Trelleborg: brand vid Stortorget".into(),
        body: "Hej!\n\nEn samverkanspart har larmat om en brand vid Stortorget. Öppna Brygga för att kvittera.".into(),
        list_unsubscribe: None,
    };
    store.write(move |db| mail::enqueue(db, &m, "trelleborg.se", now_ms())).await.unwrap()
}

async fn job_row(store: &Store, id: i64) -> jobs::JobRow {
    store.read(move |db| jobs::get(db, id)).await.unwrap()
}

async fn a_message_arrives_with_its_headers_and_message_id(b: Backend) {
    let Some(sink) = SmtpSink::start().await else { return };
    let Some(app) = TestApp::spawn(b).await else { return };
    let store = app.store().clone();
    let q = enqueue(&store, "anna.andersson@trelleborg.se").await;
    let workers = worker::spawn(store.clone(), Handlers::standard(Some(mailer(sink.port)), post()), fast(), false);
    let got = sink.wait_for(1, Duration::from_secs(20)).await;
    let m = &got[0];
    assert_eq!(m.mail_from, "brygga@trelleborg.se");
    assert_eq!(m.rcpt_tos, ["anna.andersson@trelleborg.se"]);
    assert_eq!(m.header("Message-ID"), Some(q.message_id.as_str()));
    assert!(m.data.contains(&format!("Message-ID: {}\r\n", q.message_id)), "the raw header, as sent");
    assert_eq!(m.header("Subject"), Some("Larm från EST Trelleborg: brand vid Stortorget"));
    assert_eq!(m.header("From"), Some("Brygga <brygga@trelleborg.se>"));
    assert_eq!(m.header("Auto-Submitted"), Some("auto-generated"));
    assert!(m.body.as_deref().unwrap().contains("Öppna Brygga för att kvittera."), "{:?}", m.body);
    // Marked sent and the job done, shortly after the server accepted it.
    for _ in 0..100 {
        if job_row(&store, q.job_id).await.state == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(job_row(&store, q.job_id).await.state, "done");
    let ov = store.read(|db| mail::overview(db, &Viewer::command_line())).await.unwrap();
    assert_eq!((ov.sent, ov.pending, ov.failed), (1, 0, 0));
    workers.stop().await;
    assert_eq!(sink.received().len(), 1, "sent once");
    sink.stop().await;
}

async fn smtp_down_loses_nothing(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let store = app.store().clone();
    let port = free_port();
    let q = enqueue(&store, "kommunpolis@polisen.se").await;
    let workers = worker::spawn(store.clone(), Handlers::standard(Some(mailer(port)), post()), fast(), false);
    // Nothing listens: the attempt fails with a connection error and the job waits 30 s.
    let mut row = job_row(&store, q.job_id).await;
    for _ in 0..200 {
        if row.attempts >= 1 && row.state == "queued" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        row = job_row(&store, q.job_id).await;
    }
    assert_eq!((row.state.as_str(), row.attempts, row.last_error.as_deref()), ("queued", 1, Some("connection")));
    assert!(row.run_at >= now_ms() + 20_000, "the retry waits for the backoff");
    let ov = store.read(|db| mail::overview(db, &Viewer::command_line())).await.unwrap();
    assert_eq!((ov.pending, ov.failed, ov.sent), (1, 0, 0), "pending, not lost and not failed");
    assert_eq!(ov.unsent_pending[0].last_error.as_deref(), Some("connection"));
    assert_eq!(ov.unsent_pending[0].recipient_masked, "k…@polisen.se");

    // The server comes up; the backoff passes (moved forward instead of waited for).
    let Some(sink) = SmtpSink::start_on(port).await else { return };
    let id = q.job_id;
    store.write(move |db| Ok(db.execute("UPDATE jobs SET run_at = $1 WHERE id = $2", args![now_ms(), id])?)).await.unwrap();
    let got = sink.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(got[0].header("Message-ID"), Some(q.message_id.as_str()));
    for _ in 0..100 {
        if job_row(&store, q.job_id).await.state == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let row = job_row(&store, q.job_id).await;
    assert_eq!((row.state.as_str(), row.attempts), ("done", 2));
    workers.stop().await;
    assert_eq!(sink.received().len(), 1);
    sink.stop().await;
}

async fn a_resend_after_a_crash_keeps_the_message_id(b: Backend) {
    let Some(sink) = SmtpSink::start().await else { return };
    let Some(app) = TestApp::spawn(b).await else { return };
    let store = app.store().clone();
    let q = enqueue(&store, "trygghetsvard@trelleborgshem.se").await;
    // A worker claims the job with a short lease, hands the message to the SMTP server and
    // dies before recording it.
    let kinds: &'static [&'static str] = &[mail::SEND_KIND];
    let claimed = store
        .write(move |db| jobs::claim(db, &ClaimRequest { worker: "crashed:1:0", kinds, limit: 1, lease_ms: 400 }, now_ms()))
        .await
        .unwrap();
    assert_eq!(claimed[0].id, q.job_id);
    let id = q.id;
    let m = store.read(move |db| mail::outgoing(db, id)).await.unwrap().unwrap();
    let out = Outgoing {
        message_id: &m.message_id,
        to: &m.recipient,
        subject: &m.subject,
        body: &m.body,
        created_at_ms: m.created_at,
        list_unsubscribe: m.list_unsubscribe.as_deref(),
    };
    mailer(sink.port).send(&out).await.unwrap();
    // A live worker takes the job once the lease runs out and sends it again.
    let workers = worker::spawn(store.clone(), Handlers::standard(Some(mailer(sink.port)), post()), fast(), false);
    let got = sink.wait_for(2, Duration::from_secs(20)).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].header("Message-ID"), Some(q.message_id.as_str()));
    assert_eq!(got[1].header("Message-ID"), got[0].header("Message-ID"), "the duplicate is recognisable");
    assert_eq!(got[1].header("Date"), got[0].header("Date"));
    workers.stop().await;
    let row = job_row(&store, q.job_id).await;
    assert_eq!((row.state.as_str(), row.attempts), ("done", 2));
    sink.stop().await;
}

/// The real binary: `brygga worker` sends what is in the outbox and stops cleanly on SIGTERM.
async fn the_worker_command_sends_and_stops_on_sigterm(b: Backend) {
    let Some(sink) = SmtpSink::start().await else { return };
    let Some(app) = TestApp::spawn(b).await else { return };
    let q = enqueue(app.store(), "samordnare@angelholm.se").await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_brygga"))
        .args(["--database-url", app.db.url(), "worker", "--workers", "1", "--mail-from", "brygga@angelholm.se"])
        .args(["--smtp-url", &format!("smtp://127.0.0.1:{}", sink.port)])
        .env("BRYGGA_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let got = sink.wait_for(1, Duration::from_secs(30)).await;
    assert_eq!(got[0].header("Message-ID"), Some(q.message_id.as_str()));
    assert_eq!(got[0].mail_from, "brygga@angelholm.se");
    for _ in 0..100 {
        if job_row(app.store(), q.job_id).await.state == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(job_row(app.store(), q.job_id).await.state, "done");
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait()).await.expect("stops within 30 s").unwrap();
    assert!(status.success(), "exit status {status:?}");
    let mut log = String::new();
    tokio::io::AsyncReadExt::read_to_string(child.stderr.as_mut().unwrap(), &mut log).await.unwrap();
    assert!(log.contains("mail sent") && log.contains("outbox_id"), "{log}");
    assert!(!log.contains("samordnare@angelholm.se"), "the address is never logged: {log}");
    sink.stop().await;
}

/// Takes 300 ms; counts how many runs finished.
struct Slow(Arc<AtomicUsize>);

impl Handler for Slow {
    fn run<'a>(&'a self, _store: &'a Store, _job: &'a jobs::Job) -> HandlerFuture<'a> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }
}

async fn shutdown_finishes_the_running_job_and_gives_back_the_rest(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let store = app.store().clone();
    let ids: Vec<i64> = store
        .write(|db| {
            let now = now_ms();
            (0..3).map(|i| Ok(jobs::enqueue(db, &NewJob::new("test.slow", serde_json::json!({ "i": i }), now), now)?.unwrap())).collect()
        })
        .await
        .unwrap();
    let done = Arc::new(AtomicUsize::new(0));
    let config = WorkerConfig { workers: 1, batch: 10, ..fast() };
    let workers = worker::spawn(store.clone(), Handlers::default().with("test.slow", Slow(done.clone())), config, false);
    // Wait until the worker holds all three and runs the first.
    for _ in 0..200 {
        let running: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM jobs WHERE state = 'running'", &[])?)).await.unwrap();
        if running == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    workers.stop().await;
    assert_eq!(done.load(Ordering::SeqCst), 1, "the job in hand finished within the grace period");
    let first = job_row(&store, ids[0]).await;
    assert_eq!(first.state, "done");
    for id in &ids[1..] {
        let row = job_row(&store, *id).await;
        assert_eq!((row.state.as_str(), row.attempts, row.locked_by), ("queued", 0, None), "given back untouched");
    }
}

async fn admin(app: &TestApp, org: i64) -> i64 {
    let input = brygga_store::accounts::users::NewUserInput {
        email: "drift@trelleborg.se".into(),
        name: "Drift Admin".into(),
        password: Some(PASSWORD.into()),
        org_id: Some(org),
        role: Some("administrator".into()),
        system_admin: true,
    }
    .validate()
    .unwrap();
    app.store().write(move |db| brygga_store::accounts::users::create(db, &Viewer::command_line(), &input)).await.unwrap().id
}

/// The operations page: counts, the failed message masked with its error in Swedish, a retry
/// through the CSRF-protected button, a test message to oneself; nobody else sees it.
async fn the_operations_page_shows_and_retries_failed_mail(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let store = app.store().clone();
    let org = app.org("Trelleborgs kommun", brygga_domain::OrgKind::Municipality, &["1287"]).await;
    admin(&app, org).await;
    app.user("samordnare@trelleborg.se", org, brygga_domain::Role::Administrator).await;
    let q = enqueue(&store, "anna.andersson@trelleborg.se").await;
    let kinds: &'static [&'static str] = &[mail::SEND_KIND];
    let job = store
        .write(move |db| jobs::claim(db, &ClaimRequest { worker: "w", kinds, limit: 1, lease_ms: 60_000 }, now_ms()))
        .await
        .unwrap()
        .remove(0);
    store.write(move |db| jobs::fail(db, &job, "w", "smtp_permanent 550", true, now_ms())).await.unwrap();

    let other = app.browser();
    other.login("samordnare@trelleborg.se", PASSWORD).await;
    assert_eq!(other.get("/drift").await.status(), reqwest::StatusCode::FORBIDDEN);
    let (_, home) = other.get_html("/").await;
    assert!(!home.contains("href=\"/drift\""), "not in an ordinary administrator's menu");

    let web = app.browser();
    web.login("drift@trelleborg.se", PASSWORD).await;
    let (status, page) = web.get_html("/drift").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(page.contains("href=\"/drift\" aria-current=\"page\""), "linked from the admin navigation");
    assert_eq!(text_of(&page, "h1").as_deref(), Some("E-post och bakgrundsjobb"));
    assert!(page.contains("a…@trelleborg.se") && !page.contains("anna.andersson"), "the address is masked");
    assert!(page.contains("SMTP-servern vägrade ta emot meddelandet (svarskod 550)"));
    assert!(!page.contains("Öppna Brygga för att kvittera"), "never the text");
    assert!(page.contains("<th scope=\"col\">Senaste fel</th>"));
    assert!(page.contains("ingen SMTP-server inställd"), "this server has no --smtp-url");

    // Without the CSRF token the retry is refused; with it (the button) the message is pending again.
    let action = format!("/drift/e-post/{}/forsok-igen", q.id);
    assert_eq!(web.post(&action, &[]).await.status(), reqwest::StatusCode::FORBIDDEN);
    let r = web.submit("/drift", &action, &[]).await;
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/drift?klart=nytt-forsok");
    let (_, page) = web.get_html("/drift?klart=nytt-forsok").await;
    assert!(page.contains("Meddelandet skickas igen"));
    assert!(page.contains("Inga misslyckade meddelanden."));
    let row = job_row(&store, q.job_id).await;
    assert_eq!((row.state.as_str(), row.attempts), ("queued", 0));
    let r = web.submit("/drift", &action, &[]).await;
    assert_eq!(r.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY, "only a failed message can be retried");

    let r = web.submit("/drift", "/drift/provmeddelande", &[]).await;
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    let (to, subject): (String, String) = store
        .read(|db| {
            Ok(db.map_one("SELECT recipient, subject FROM mail_outbox ORDER BY id DESC LIMIT 1", &[], |r| {
                Ok((r.get("recipient")?, r.get("subject")?))
            })?)
        })
        .await
        .unwrap();
    assert_eq!((to.as_str(), subject.as_str()), ("drift@trelleborg.se", "Provmeddelande från Brygga"));
    let actions: Vec<String> =
        store.read(|db| Ok(db.scalars("SELECT action FROM audit_log WHERE action LIKE 'mail.%' ORDER BY id", &[])?)).await.unwrap();
    assert_eq!(actions, ["mail.retry", "mail.test"]);
}

both_backends!(
    the_operations_page_shows_and_retries_failed_mail,
    the_worker_command_sends_and_stops_on_sigterm,
    a_message_arrives_with_its_headers_and_message_id,
    smtp_down_loses_nothing,
    a_resend_after_a_crash_keeps_the_message_id,
    shutdown_finishes_the_running_job_and_gives_back_the_rest,
);
