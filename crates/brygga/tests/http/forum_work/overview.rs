//! Översikt by role: a coordinator sees their forum's week (last week's flags with links to the
//! picture, overdue actions, open alerts, the questionnaire's answer rate); a reporter sees what
//! to do (report, answer the questionnaire) and their own latest reports — and nothing of other
//! organisations'.

use brygga_domain::time::IsoWeek;
use brygga_store::forum_work::actions::{self, ActionInput, Origin};
use brygga_store::forum_work::alerts::{self, AlertInput};
use brygga_store::picture::observations::ObservationInput;
use brygga_store::picture::questionnaire;
use brygga_store::{ConnExt, Store};
use brygga_store_tests::stories;

use crate::common::{Backend, PASSWORD, TestApp, text_of};

/// `n` reports of `category` (at Stortorget, or nowhere in particular) on the Wednesday
/// `weeks_ago` weeks back, by `user_id`, shared with the forum or kept by the organisation.
async fn reports(store: &Store, user_id: i64, forum: i64, (category, area): (&str, Option<i64>), weeks_ago: i32, n: usize, shared: bool) {
    let v = stories::viewer(store, user_id).await;
    let day = IsoWeek::current().plus(-weeks_ago).monday().checked_add(jiff::Span::new().days(2)).unwrap();
    let inputs = (0..n)
        .map(|i| ObservationInput {
            forum_id: forum,
            category: category.into(),
            area_id: area,
            observed_at: Some(format!("{day}T{:02}:00", 8 + i % 10)),
            visibility: Some(if shared { "forum" } else { "organisation" }.into()),
            ..Default::default()
        })
        .collect();
    crate::common::report_all(store, v, inputs).await;
}

/// EST Trelleborg with a jump in graffiti at Stortorget last week, an overdue action, an open
/// alert, a weekly questionnaire the reporter has not answered, one report of the reporter's own
/// and one the housing company kept to itself.
async fn world(b: Backend) -> Option<(TestApp, stories::Est)> {
    let app = TestApp::spawn(b).await?;
    let w = stories::est(app.store()).await;
    let store = app.store();
    let (f, place) = (w.forum, Some(w.stortorget));
    for (i, n) in [5, 4, 6, 5, 5, 4, 6, 5, 5, 4].into_iter().enumerate() {
        reports(store, w.coordinator, f, ("klotter", place), 2 + i as i32, n, true).await;
    }
    reports(store, w.coordinator, f, ("klotter", place), 1, 14, true).await;
    reports(store, w.reporter, f, ("skadegörelse", place), 0, 1, true).await;
    reports(store, w.tenant_member, f, ("nedskräpning", None), 0, 2, false).await;
    let v = stories::viewer(store, w.coordinator).await;
    let (bostad, reporter, area, start) = (w.bostad, w.reporter, w.stortorget, IsoWeek::current().plus(-1));
    store
        .write(move |db| {
            questionnaire::configure(db, &v, f, 1, start, true)?;
            questionnaire::assign(db, &v, f, reporter, &[area])?;
            let due = brygga_domain::time::today().checked_add(jiff::Span::new().days(14)).unwrap().to_string();
            let input = ActionInput {
                title: "Sanera klottret vid Stortorget".into(),
                responsible_org_id: Some(bostad),
                due_on: Some(due),
                ..Default::default()
            };
            let valid = actions::prepare(db, &v, f, &input, None)?;
            let id = actions::create(db, &v, &valid, Origin::default())?.id;
            // Overdue: the date has passed without the action being done.
            db.execute("UPDATE actions SET due_on = '2026-01-05' WHERE id = $1", &[id.into()])?;
            let alert = AlertInput {
                title: "Brand i soprum på Västergatan".into(),
                urgency: "today".into(),
                area_id: Some(area),
                ..Default::default()
            };
            let valid = alerts::prepare(db, &v, f, &alert)?;
            alerts::raise(db, &v, &valid, None, &stories::postmark())?;
            Ok(())
        })
        .await
        .unwrap();
    Some((app, w))
}

async fn a_coordinator_sees_the_forums_week(b: Backend) {
    let Some((app, w)) = world(b).await else { return };
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let (_, html) = web.get_html("/").await;
    let section = text_of(&html, ".overview-forum").expect("the forum's week");
    let last = IsoWeek::current().plus(-1);
    assert!(section.starts_with("EST Trelleborg: veckan i forumet"), "{section}");
    assert!(section.contains(&format!("Klotter vid Stortorget: 14 rapporter v. {}", last.week())), "{section}");
    assert!(html.contains(&format!(r#"href="/lagesbild/forum/{}?vecka={last}""#, w.forum)), "the flags link to the picture");
    assert!(section.contains("Sanera klottret vid Stortorget · AB Trelleborgshem · senast 2026-01-05"), "{section}");
    assert!(section.contains("Brand i soprum på Västergatan"), "{section}");
    assert!(section.contains(&format!("0 av 1 har svarat för v. {}", IsoWeek::current().week())), "{section}");
    assert!(html.contains(&format!(r#"href="/enkat/{}/status""#, w.forum)));
    // An organisation outside the forum sees none of it.
    let outsider = app.browser();
    outsider.login("samordnare@engelholm.se", PASSWORD).await;
    let (_, html) = outsider.get_html("/").await;
    assert!(text_of(&html, ".overview-forum").is_none() && !html.contains("EST Trelleborg") && !html.contains("Sanera"), "{html}");
}

async fn a_reporter_sees_what_to_do_and_only_their_own(b: Backend) {
    let Some((app, w)) = world(b).await else { return };
    let web = app.browser();
    web.login("falt@trelleborg.se", PASSWORD).await;
    let (_, html) = web.get_html("/").await;
    let todo = text_of(&html, "#rapportor + *").unwrap_or_default();
    assert!(todo.contains("Rapportera") && todo.contains("Svara på veckoenkäten för EST Trelleborg"), "{todo}");
    assert!(html.contains(&format!(r#"href="/enkat/{}""#, w.forum)) && html.contains(r#"href="/rapportera/mina""#));
    let section = text_of(&html, "section[aria-labelledby=rapportor]").unwrap();
    assert!(section.contains("Skadegörelse vid Stortorget (1)"), "their own report: {section}");
    // Nothing of the coordinator's view, nor of the housing company's own reports.
    assert!(text_of(&html, ".overview-forum").is_none(), "a reporter gets no forum week");
    assert!(!html.contains("Nedskräpning") && !html.contains("Sanera klottret") && !html.contains("har svarat för"), "{html}");
    let shown = app.store().read(|db| Ok(db.scalar::<i64>("SELECT COUNT(*) FROM observations", &[])?)).await.unwrap();
    assert!(shown > 5, "the world has more reports than the reporter's one");
}

crate::both_backends!(a_coordinator_sees_the_forums_week, a_reporter_sees_what_to_do_and_only_their_own);
