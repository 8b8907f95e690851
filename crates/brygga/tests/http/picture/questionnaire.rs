//! The weekly questionnaire: silence told apart from "inget att rapportera", one answer per
//! period, the coordinator's overview, reminders.

use std::time::Duration;

use brygga::worker::{self, Handlers, WorkerConfig};
use brygga_domain::time::IsoWeek;
use brygga_store::picture::questionnaire::{self, Response};
use brygga_store::picture::questionnaire_reminders as reminders;
use brygga_store::{ConnExt, now_ms};
use brygga_store_tests::stories;
use reqwest::StatusCode;

use crate::common::{Backend, PASSWORD, TestApp, text_of};
use crate::smtp::SmtpSink;

async fn setup(b: Backend) -> Option<(TestApp, stories::Est)> {
    let app = TestApp::spawn(b).await?;
    let w = stories::est(app.store()).await;
    // Weekly from last week; the reporter answers for Stortorget.
    let v = stories::viewer(app.store(), w.coordinator).await;
    let (f, area, reporter) = (w.forum, w.stortorget, w.reporter);
    let start = IsoWeek::current().plus(-1);
    app.store()
        .write(move |db| {
            questionnaire::configure(db, &v, f, 1, start, true)?;
            questionnaire::assign(db, &v, f, reporter, &[area])
        })
        .await
        .unwrap();
    Some((app, w))
}

async fn reporters_answer_once_per_period_and_can_say_nothing(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let web = app.browser();
    web.login("falt@trelleborg.se", PASSWORD).await;
    let (_, home) = web.get_html("/").await;
    assert!(text_of(&home, ".notice").unwrap().contains("väntar på ditt svar"), "reminded on the overview");

    let page = format!("/enkat/{}", w.forum);
    let (status, html) = web.get_html(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Stortorget") && html.contains("Någon annanstans i kommunen"));

    // Silence is not an answer: an empty form is refused, and so is a contradiction.
    let week = IsoWeek::current().to_string();
    let r = web.submit(&page, &page, &[("week", &week)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("kryssa i ”Inget att rapportera”"));
    let klotter = app
        .store()
        .read({
            let f = w.forum;
            move |db| Ok(brygga_store::forums::categories::resolve(db, f, "klotter")?.unwrap().id)
        })
        .await
        .unwrap();
    let cell = format!("c{klotter}_a{}", w.stortorget);
    let r = web.submit(&page, &page, &[("week", &week), ("nothing_to_report", "on"), (&cell, "2")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = web.submit(&page, &page, &[("week", &week), (&cell, "många")]).await;
    assert!(r.text().await.unwrap().contains("Klotter: skriv ett antal mellan 0 och 999"));

    let r = web.submit(&page, &page, &[("week", &week), (&cell, "3")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (n, q): (i64, i64) = app
        .store()
        .read(|db| {
            Ok(brygga_store::ConnExt::map_one(
                db,
                "SELECT COUNT(*) AS n, CAST(SUM(quantity) AS BIGINT) AS q FROM observations WHERE source = 'questionnaire'",
                &[],
                |r| Ok((r.get("n")?, r.get("q")?)),
            )?)
        })
        .await
        .unwrap();
    assert_eq!((n, q), (1, 3));
    let r = web.submit(&page, &page, &[("week", &week), ("nothing_to_report", "on")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "one answer per period");
    let (_, home) = web.get_html("/").await;
    assert!(text_of(&home, ".notice").is_none(), "no reminder once answered");

    // Last week's period can still be answered — with nothing to report.
    let last = IsoWeek::current().plus(-1).to_string();
    let r = web.submit(&format!("{page}?vecka={last}"), &page, &[("week", &last), ("nothing_to_report", "on")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // But not a period long ago.
    let old = IsoWeek::current().plus(-5).to_string();
    let r = web.submit(&page, &page, &[("week", &old), ("nothing_to_report", "on")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_coordinator_sees_who_has_answered(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let v = stories::viewer(app.store(), w.reporter).await;
    let f = w.forum;
    app.store()
        .write(move |db| {
            let r = Response { forum_id: f, week: IsoWeek::current(), nothing_to_report: true, answers: vec![], share: true };
            questionnaire::submit(db, &v, &r, jiff::Timestamp::now())
        })
        .await
        .unwrap();
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let (status, html) = web.get_html(&format!("/enkat/{}/status", w.forum)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("inget att rapportera"));
    assert!(html.contains("Inte svarat"), "members who have not answered are listed");
    // A reporter may not see the overview.
    let reporter = app.browser();
    reporter.login("falt@trelleborg.se", PASSWORD).await;
    assert_eq!(reporter.get(&format!("/enkat/{}/status", w.forum)).await.status(), StatusCode::FORBIDDEN);
}

async fn every_third_week_like_angelholm(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let v = stories::viewer(app.store(), w.coordinator).await;
    let f = w.forum;
    let start = IsoWeek::parse("2026-W45").unwrap();
    let q = app.store().write(move |db| questionnaire::configure(db, &v, f, 3, start, true)).await.unwrap();
    assert!(q.is_due(start) && !q.is_due(start.plus(1)) && q.is_due(start.plus(3)));
    assert_eq!(q.period_of(start.plus(4)), Some(start.plus(3)));
    assert_eq!(q.period_of(start.plus(-1)), None);
}

/// The coordinator turns e-mail reminders on in the settings form (a wrong day or hour is
/// refused by field, in Swedish); at the chosen time the reporter who has not answered gets one
/// e-mail through a real SMTP server, with a link to the form and to the opt-out; asking again
/// sends nothing; the reporter turns reminders off on the account page.
async fn reminders_arrive_by_email_once_and_can_be_turned_off(b: Backend) {
    let Some(sink) = SmtpSink::start().await else { return };
    let Some((app, w)) = setup(b).await else { return };
    let f = w.forum;
    let (status_page, settings) = (format!("/enkat/{f}/status"), format!("/enkat/{f}/installningar"));
    let start = IsoWeek::current().plus(-1).to_string();
    let coordinator = app.browser();
    coordinator.login("samordnare@trelleborg.se", PASSWORD).await;
    let (_, html) = coordinator.get_html(&status_page).await;
    assert!(html.contains("Påminnelse med e-post") && html.contains(r#"<option value="4" selected"#), "Thursday by default");
    let form = |day: &'static str, hour: &'static str| {
        [
            ("every_weeks", "1"),
            ("first_week", start.as_str()),
            ("active", "on"),
            ("reminder_email", "on"),
            ("reminder_weekday", day),
            ("reminder_hour", hour),
        ]
    };
    let r = coordinator.submit(&status_page, &settings, &form("9", "25")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Välj en veckodag för påminnelsen, måndag till söndag."), "{html}");
    assert!(html.contains("Skriv en hel timme mellan 0 och 23, till exempel 9."));
    // Monday at midnight: this week's reminder is already due.
    let r = coordinator.submit(&status_page, &settings, &form("1", "0")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let q = app.store().read(move |db| questionnaire::get(db, f)).await.unwrap().unwrap();
    assert_eq!((q.reminder_email, q.reminder_weekday, q.reminder_hour), (true, 1, 0));

    // The scheduler's tick enqueues the job; the workers write the reminder and send it. (The
    // fixture's invitations are marked sent first, so that the sink sees only the reminder.)
    let store = app.store().clone();
    store.write(|db| Ok(db.execute("UPDATE mail_outbox SET sent_at = 1", &[])?)).await.unwrap();
    assert_eq!(store.write(|db| reminders::enqueue_due(db, now_ms())).await.unwrap().len(), 1);
    let config = WorkerConfig { workers: 2, poll: Duration::from_millis(50), schedules: false, ..Default::default() };
    let workers = worker::spawn(
        store.clone(),
        Handlers::standard(Some(crate::operations::mail::mailer(sink.port)), crate::operations::mail::post()),
        config,
        false,
    );
    let got = sink.wait_for(1, Duration::from_secs(20)).await;
    let m = &got[0];
    assert_eq!(m.rcpt_tos, ["falt@trelleborg.se"]);
    let week = IsoWeek::current();
    assert_eq!(m.header("Subject"), Some(format!("Påminnelse: veckoenkäten i EST Trelleborg, v. {}", week.week()).as_str()));
    let body = m.body.as_deref().unwrap();
    assert!(body.contains(&format!("http://brygga.test/enkat/{f}?vecka={week}")), "{body}");
    assert!(body.contains("http://brygga.test/konto/paminnelser"), "{body}");
    let message_id: String =
        store.read(|db| Ok(db.scalar("SELECT message_id FROM mail_outbox WHERE kind = 'questionnaire_reminder'", &[])?)).await.unwrap();
    assert_eq!(m.header("Message-ID"), Some(message_id.as_str()));
    // A second tick (or a second server) sends nothing more.
    assert!(store.write(|db| reminders::enqueue_due(db, now_ms())).await.unwrap().is_empty());
    let again = store.write(move |db| reminders::write(db, f, week, &crate::operations::mail::post(), now_ms())).await.unwrap();
    assert!(again.queued.is_empty());
    tokio::time::sleep(Duration::from_millis(300)).await;
    workers.stop().await;
    assert_eq!(sink.received().len(), 1, "one reminder, once");
    sink.stop().await;

    // The link in the e-mail leads to the account page, where the reporter turns them off.
    let reporter = app.browser();
    reporter.login("falt@trelleborg.se", PASSWORD).await;
    let r = reporter.get("/konto/paminnelser").await;
    assert_eq!(r.headers()["location"], "/konto#paminnelser");
    let (_, html) = reporter.get_html("/konto").await;
    assert!(html.contains(r#"name="reminders" value="on" checked"#), "on until turned off");
    let r = reporter.submit("/konto", "/konto/paminnelser", &[]).await;
    assert_eq!(r.headers()["location"], "/konto?klart=paminnelser-av#paminnelser");
    let (_, html) = reporter.get_html("/konto?klart=paminnelser-av").await;
    assert!(html.contains("Du får inte längre påminnelser om veckoenkäten med e-post."));
    assert!(!html.contains(r#"name="reminders" value="on" checked"#));
    let u = w.reporter;
    assert!(app.store().read(move |db| brygga_store::accounts::preferences::questionnaire_reminders_off(db, u)).await.unwrap());
}

crate::both_backends!(
    reporters_answer_once_per_period_and_can_say_nothing,
    the_coordinator_sees_who_has_answered,
    every_third_week_like_angelholm,
    reminders_arrive_by_email_once_and_can_be_turned_off
);
