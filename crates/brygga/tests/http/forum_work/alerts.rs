//! Rapid alerts, share links and the digest opt-out, as people use them: pressing the button
//! notifies the forum's contact persons once, a place outside the municipality is refused, the
//! recipients acknowledge and the alert is closed with a summary; a share link shows the weekly
//! report without sign-in and without a word of free text, and stops working when revoked.

use brygga_domain::time::IsoWeek;

use brygga_store::picture::observations::ObservationInput;
use brygga_store::{ConnExt, Store, args};
use brygga_store_tests::stories::{self, Est};
use reqwest::StatusCode;

use crate::both_backends;
use crate::common::{Backend, Browser, PASSWORD, TestApp, csrf_in, text_of};

struct World {
    app: TestApp,
    est: Est,
}

/// EST Trelleborg with three contact persons: the coordinator, the housing company's member
/// and the association's chair. The field reporter presses the button.
async fn world(b: Backend) -> Option<World> {
    let app = TestApp::spawn(b).await?;
    let est = stories::est(app.store()).await;
    stories::set_contacts(app.store(), &est, vec![est.coordinator, est.tenant_member, est.association]).await;
    Some(World { app, est })
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let web = app.browser();
    assert_eq!(web.login(email, PASSWORD).await.status(), StatusCode::SEE_OTHER);
    web
}

/// The `value` of the first element matching `selector`.
fn value_of(html: &str, selector: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel).next().and_then(|e| e.value().attr("value")).map(str::to_owned).unwrap_or_else(|| panic!("no {selector}"))
}

/// The (term, description) pairs of the `dl` matching `selector`.
fn facts(html: &str, selector: &str) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(html);
    let (dl, dt) = (scraper::Selector::parse(selector).unwrap(), scraper::Selector::parse("dt").unwrap());
    let text = |e: scraper::ElementRef<'_>| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(list) = doc.select(&dl).next() else { return vec![] };
    list.select(&dt)
        .map(|t| {
            let dd = t.next_siblings().find_map(scraper::ElementRef::wrap).map(text).unwrap_or_default();
            (text(t), dd)
        })
        .collect()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_owned()
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    store.read(move |db| Ok(db.scalar::<i64>(sql, &[])?)).await.unwrap()
}

/// Posts the alert form as shown to the browser, with `fields` filled in.
async fn press(web: &Browser, forum: i64, fields: &[(&str, &str)]) -> (reqwest::Response, String) {
    let path = format!("/forum/{forum}/larm/nytt");
    let (status, html) = web.get_html(&path).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let (csrf, key, org) = (csrf_in(&html), value_of(&html, "input[name=key]"), value_of(&html, "input[name=org_id]"));
    let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf), ("key", &key), ("org_id", &org)];
    all.extend_from_slice(fields);
    let r = web.post(&path, &all).await;
    // The same form posted again (a double click): the same key.
    (r, key)
}

async fn pressing_the_button_notifies_each_contact_person_once(b: Backend) {
    let Some(World { app, est }) = world(b).await else { return };
    let reporter = signed_in(&app, "falt@trelleborg.se").await;
    let (_, forum_page) = reporter.get_html(&format!("/forum/{}/larm", est.forum)).await;
    assert!(forum_page.contains("Tryck på knappen – larma"), "{forum_page}");

    let stortorget = est.stortorget.to_string();
    let fields = [("title", "Stenkastning mot bussar vid Stortorget"), ("urgency", "immediate"), ("area_id", stortorget.as_str())];
    let (r, key) = press(&reporter, est.forum, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(to.starts_with("/larm/") && to.ends_with("?klart=larm-skickat"), "{to}");

    // A double click: the same one-time key raises nothing new and leads to the same alert.
    let path = format!("/forum/{}/larm/nytt", est.forum);
    let (_, html) = reporter.get_html(&path).await;
    let (csrf, org) = (csrf_in(&html), value_of(&html, "input[name=org_id]"));
    assert_ne!(value_of(&html, "input[name=key]"), key, "every form gets its own key");
    let mut again: Vec<(&str, &str)> = vec![("csrf", &csrf), ("key", &key), ("org_id", &org)];
    again.extend_from_slice(&fields);
    let r2 = reporter.post(&path, &again).await;
    assert_eq!((r2.status(), location(&r2)), (StatusCode::SEE_OTHER, to.clone()));

    let store = app.store();
    assert_eq!(count(store, "SELECT COUNT(*) FROM alerts").await, 1);
    assert_eq!(count(store, "SELECT COUNT(*) FROM alert_recipients").await, 3);
    let mut to_addrs: Vec<String> = store
        .read(|db| Ok(db.scalars::<String>("SELECT recipient FROM mail_outbox WHERE kind = 'alert' ORDER BY recipient", &[])?))
        .await
        .unwrap();
    to_addrs.sort();
    assert_eq!(
        to_addrs,
        ["ordf@nattvandrarna.se", "samordnare@trelleborg.se", "vard@trelleborgshem.se"],
        "one message each, none to the reporter"
    );

    let (status, page) = reporter.get_html(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&page, ".flash").unwrap(), "Larmet är skickat. 3 kontaktpersoner har larmats i Brygga och med e-post.");
    assert!(page.contains("Akut – nu") && page.contains("Stortorget"), "{page}");
    assert_eq!(page.matches("inte kvitterat").count(), 4, "three recipients and the time to first acknowledgement");
    assert!(!page.contains("Kvittera – jag har sett larmet"), "the reporter is no recipient");
}

async fn recipients_acknowledge_and_the_alert_is_closed_with_a_summary(b: Backend) {
    let Some(World { app, est }) = world(b).await else { return };
    let reporter = signed_in(&app, "falt@trelleborg.se").await;
    let (r, _) = press(
        &reporter,
        est.forum,
        &[("title", "Brand i soprum på Västergatan"), ("urgency", "today"), ("lat", "55,3751"), ("lon", "13.1566")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let alert = location(&r).split('?').next().unwrap().to_owned();

    // The coordinator sees it waiting: on the overview, in the navigation and first on /larm.
    let coordinator = signed_in(&app, "samordnare@trelleborg.se").await;
    let (_, home) = coordinator.get_html("/").await;
    assert!(text_of(&home, ".alert-pending").unwrap().contains("Brand i soprum på Västergatan"), "{home}");
    assert!(text_of(&home, ".alert-count").unwrap().starts_with('1'), "{home}");
    let (_, list) = coordinator.get_html("/larm").await;
    assert!(text_of(&list, ".alert-awaits").unwrap().contains("Brand i soprum på Västergatan"), "{list}");

    let (_, page) = coordinator.get_html(&alert).await;
    assert!(page.contains("Kvittera – jag har sett larmet"));
    let r = coordinator.submit(&alert, &format!("{alert}/kvittera"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = coordinator.get_html(&location(&r)).await;
    assert!(text_of(&page, ".flash").unwrap().contains("Du har kvitterat larmet"));
    assert!(!page.contains("Kvittera – jag har sett larmet"), "acknowledged once");
    assert!(page.contains("(efter under 1 min)"), "the acknowledgement's time: {page}");
    assert_eq!(page.matches("inte kvitterat").count(), 2, "the two others have not");
    assert!(text_of(&page, ".alert-count").is_none(), "nothing waits any more");

    // Closing needs a summary, and one without personal data; the text typed is kept.
    let r = coordinator.submit(&alert, &format!("{alert}/stang"), &[("summary", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(text_of(&html, "#f-summary-error").unwrap().contains("Sammanfattningen saknas"), "{html}");
    let r = coordinator.submit(&alert, &format!("{alert}/stang"), &[("summary", "Ring Kalle på 070-123 45 67")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert_eq!(text_of(&html, "#f-summary").unwrap(), "Ring Kalle på 070-123 45 67");
    assert!(text_of(&html, "#f-summary-error").unwrap().contains("telefonnummer"), "{html}");

    let r = coordinator
        .submit(&alert, &format!("{alert}/stang"), &[("summary", "Räddningstjänsten släckte. Soprummet låses nattetid från i kväll.")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = coordinator.get_html(&location(&r)).await;
    assert!(page.contains("Soprummet låses nattetid"));
    assert!(page.contains("Avslutat"));
    assert!(!page.contains("Avsluta larmet</button>"), "closed once");

    // The forum's statistics: one alert, one of three recipients acknowledged.
    let (_, forum_page) = coordinator.get_html(&format!("/forum/{}/larm", est.forum)).await;
    let stats = facts(&forum_page, ".alert-stats");
    let fact = |name: &str| stats.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    assert_eq!(fact("Larm totalt"), Some("1"), "{stats:?}");
    assert_eq!(fact("Pågår"), Some("0"));
    assert_eq!(fact("Andel av mottagarna som kvitterat"), Some("33 %"));
    assert_eq!(fact("Tid till första kvittens, median"), Some("under 1 min"));

    // Outside the forum, the alert does not exist.
    let outsider = signed_in(&app, "samordnare@engelholm.se").await;
    assert_eq!(outsider.get(&alert).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(outsider.get(&format!("/forum/{}/larm", est.forum)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(outsider.get(&format!("/forum/{}/larm/nytt", est.forum)).await.status(), StatusCode::NOT_FOUND);
    let r = outsider.submit("/konto", &format!("{alert}/kvittera"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn a_place_outside_the_municipality_is_refused_and_nothing_is_sent(b: Backend) {
    let Some(World { app, est }) = world(b).await else { return };
    let reporter = signed_in(&app, "falt@trelleborg.se").await;
    let (r, key) = press(
        &reporter,
        est.forum,
        &[("title", "Stenkastning vid stationen"), ("urgency", "immediate"), ("lat", "67.85"), ("lon", "20.22")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let message = text_of(&html, "#f-lat-error").unwrap();
    assert!(message.contains("utanför Trelleborg"), "{message}");
    assert_eq!(value_of(&html, "input[name=title]"), "Stenkastning vid stationen", "what was typed is kept");
    assert_eq!(value_of(&html, "input[name=lat]"), "67.85");
    assert_eq!(value_of(&html, "input[name=key]"), key, "the same key, for the corrected post");
    assert!(html.contains(r#"value="immediate" checked"#), "{html}");
    assert_eq!(count(app.store(), "SELECT COUNT(*) FROM alerts").await, 0);
    assert_eq!(count(app.store(), "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'alert'").await, 0);

    // Nothing chosen at all: each field says what is missing.
    let (r, _) = press(&reporter, est.forum, &[("title", ""), ("lat", "norr")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(text_of(&html, "#f-title-error").is_some(), "{html}");
    assert!(html.contains("Koordinaten ska vara ett decimaltal"), "{html}");
    assert!(text_of(&html, "#f-urgency .error-message").is_some(), "{html}");
}

/// Four reports of graffiti at Stortorget last week, shared with the forum, with a note.
const NOTE: &str = "Taggen ZQX-lila-4471 på bänken vid lekplatsen";

async fn seed_reports(store: &Store, est: &Est) {
    let v = stories::viewer(store, est.reporter).await;
    let day = IsoWeek::current().plus(-1).monday().checked_add(jiff::Span::new().days(2)).unwrap();
    let inputs: Vec<ObservationInput> = (0..4)
        .map(|i| ObservationInput {
            forum_id: est.forum,
            category: "klotter".into(),
            area_id: Some(est.stortorget),
            observed_at: Some(format!("{day}T{:02}:00", 9 + i)),
            visibility: Some("forum".into()),
            note: Some(NOTE.into()),
            ..Default::default()
        })
        .collect();
    crate::common::report_all(store, v, inputs).await;
}

async fn a_share_link_shows_the_report_without_sign_in_until_revoked(b: Backend) {
    let Some(World { app, est }) = world(b).await else { return };
    seed_reports(app.store(), &est).await;
    let coordinator = signed_in(&app, "samordnare@trelleborg.se").await;
    let page = format!("/forum/{}/delningar", est.forum);
    let r = coordinator.submit(&page, &page, &[("label", "Skolornas rektorer"), ("days", "30"), ("week", "")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    let url = text_of(&html, ".share-url").unwrap();
    assert!(html.contains("Den visas bara den här gången"), "{html}");
    let token = url.strip_prefix("http://127.0.0.1:8080/delad/").unwrap_or_else(|| panic!("{url}")).to_owned();
    assert!(token.len() >= 20, "{token}");
    let (_, again) = coordinator.get_html(&page).await;
    assert!(!again.contains(&token), "the link is shown once");
    assert!(again.contains("Skolornas rektorer") && again.contains("aktiv"), "{again}");

    // Anyone with the link, signed in or not.
    let anyone = app.browser();
    let r = anyone.get(&format!("/delad/{token}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(r.headers()["x-robots-tag"].to_str().unwrap().contains("noindex"));
    let shared = r.text().await.unwrap();
    let week = IsoWeek::current().plus(-1).week();
    assert_eq!(text_of(&shared, "h1").unwrap(), format!("EST Trelleborg: veckorapport v. {week}"));
    assert!(shared.contains(r#"<meta name="robots" content="noindex, nofollow">"#));
    assert!(shared.contains(r#"<meta name="referrer" content="no-referrer">"#));
    assert!(shared.contains("Klotter") && shared.contains("Stortorget"), "the aggregates: {shared}");
    assert!(!shared.contains("ZQX-lila-4471") && !shared.contains("lekplatsen"), "no free text");
    assert!(!shared.contains("Test falt@trelleborg.se") && !shared.contains("falt@trelleborg.se"), "no names");
    assert!(!shared.contains("/logga-ut") && !shared.contains("href=\"/lagesbild/kommun"), "no links into the app");
    let opened = count(app.store(), "SELECT COUNT(*) FROM audit_log WHERE action = 'share_link.open'").await;
    assert_eq!(opened, 1);
    let (_, listed) = coordinator.get_html(&page).await;
    assert!(listed.contains("1 gång"), "{listed}");

    // Only coordinators share; outsiders do not see the forum's links.
    let member = signed_in(&app, "vard@trelleborgshem.se").await;
    let (status, html) = member.get_html(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Bara samordnare") && !html.contains("Skapa länken"), "{html}");
    let outsider = signed_in(&app, "samordnare@engelholm.se").await;
    assert_eq!(outsider.get(&page).await.status(), StatusCode::NOT_FOUND);

    // Revoked: gone, with a page that says so.
    let revoke = {
        let doc = scraper::Html::parse_document(&listed);
        let sel = scraper::Selector::parse("form[action$='/aterkalla']").unwrap();
        doc.select(&sel).next().unwrap().value().attr("action").unwrap().to_owned()
    };
    let r = coordinator.submit(&page, &revoke, &[]).await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, format!("{page}?klart=lank-aterkallad")));
    let (status, gone) = anyone.get_html(&format!("/delad/{token}")).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(text_of(&gone, "h1").unwrap(), "Länken gäller inte längre");
    let (status, _) = anyone.get_html("/delad/finnsinteallsnagonstansalls").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        count(app.store(), "SELECT COUNT(*) FROM audit_log WHERE action = 'share_link.open'").await,
        1,
        "a refused opening is no opening"
    );
    let (_, listed) = coordinator.get_html(&page).await;
    assert!(listed.contains("återkallad"), "{listed}");
}

async fn the_weekly_digest_can_be_turned_off_and_on(b: Backend) {
    let Some(World { app, est }) = world(b).await else { return };
    let web = signed_in(&app, "samordnare@trelleborg.se").await;
    let r = web.get("/konto/sammanfattning").await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/konto#sammanfattning".to_owned()));
    let (_, account) = web.get_html("/konto").await;
    assert!(account.contains(r#"name="digest" value="on" checked"#), "on by default: {account}");

    let opted_out = |store: Store, user: i64| async move {
        store.read(move |db| brygga_store::accounts::preferences::digest_opted_out(db, user)).await.unwrap()
    };
    let r = web.submit("/konto", "/konto/sammanfattning", &[]).await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/konto?klart=sammanfattning-av#sammanfattning".to_owned()));
    assert!(opted_out(app.store().clone(), est.coordinator).await);
    let (_, account) = web.get_html("/konto?klart=sammanfattning-av").await;
    assert_eq!(text_of(&account, ".flash").unwrap(), "Du får inte längre veckosammanfattningen med e-post.");
    assert!(!account.contains(r#"name="digest" value="on" checked"#));
    let export: serde_json::Value = web.get("/konto/mina-uppgifter.json").await.json().await.unwrap();
    assert_eq!(export["digest_opt_out"], true, "the choice is in the GDPR export");

    let r = web.submit("/konto", "/konto/sammanfattning", &[("digest", "on")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!opted_out(app.store().clone(), est.coordinator).await);
    let n: i64 = app
        .store()
        .read(|db| Ok(db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", args!["user.digest_preference"])?))
        .await
        .unwrap();
    assert_eq!(n, 2);
}

both_backends!(
    pressing_the_button_notifies_each_contact_person_once,
    recipients_acknowledge_and_the_alert_is_closed_with_a_summary,
    a_place_outside_the_municipality_is_refused_and_nothing_is_sent,
    a_share_link_shows_the_report_without_sign_in_until_revoked,
    the_weekly_digest_can_be_turned_off_and_on,
);
