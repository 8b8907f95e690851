//! The weekly questionnaire: silence told apart from "inget att rapportera", one answer per
//! period, the coordinator's overview, reminders.

use brygga_domain::time::IsoWeek;
use brygga_store::picture::questionnaire::{self, Response};
use brygga_store_tests::stories;
use reqwest::StatusCode;

use crate::common::{Backend, PASSWORD, TestApp, text_of};

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

crate::both_backends!(
    reporters_answer_once_per_period_and_can_say_nothing,
    the_coordinator_sees_who_has_answered,
    every_third_week_like_angelholm
);
