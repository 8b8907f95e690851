//! Follow-up of an åtgärdsplan, as people use it: the page refreshes the values from Brygga's
//! data and shows each indicator with its chart, table and progress, and the checks grouped by
//! analysis with links to what to fix; a value and a deviation are entered, refused with the
//! typed text kept when wrong; the yearly report prints; outsiders get 404; the API answers the
//! same.

use brygga_store::plans::evaluation;
use brygga_store_tests::stories;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Backend, Browser, PASSWORD, TestApp, text_of};

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let web = app.browser();
    let r = web.login(email, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login {email}");
    web
}

fn value_of(html: &str, name: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("[name={name}]")).unwrap();
    doc.select(&sel).next().and_then(|e| e.value().attr("value")).map(str::to_owned)
}

fn rows(html: &str, selector: &str) -> Vec<Vec<String>> {
    let doc = scraper::Html::parse_document(html);
    let row = scraper::Selector::parse(&format!("{selector} tbody tr")).unwrap();
    let cell = scraper::Selector::parse("th, td").unwrap();
    doc.select(&row)
        .map(|r| r.select(&cell).map(|c| c.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")).collect())
        .collect()
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.store().read(move |db| Ok(brygga_store::ConnExt::scalar(db, sql, &[])?)).await.unwrap()
}

async fn the_follow_up_page_shows_values_charts_progress_and_checks(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let (_, p) = stories::plan_with_data(app.store()).await;
    let web = signed_in(&app, "samordnare@trelleborg.se").await;
    let page = format!("/atgardsplaner/{}/uppfoljning", p.plan);
    let (status, html) = web.get_html(&page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    // Opening the page refreshed the values from the EST reports and the statistics.
    let est = rows(&html, &format!("#indikator-{} table.fu-values", p.est_indicator));
    assert_eq!(est[0], ["september 2026", "7", "från Bryggas data", "–"], "{est:?}");
    assert_eq!(est[1][..2], ["oktober 2026".to_owned(), "2".to_owned()]);
    let crime = rows(&html, &format!("#indikator-{} table.fu-values", p.crime_indicator));
    assert_eq!(crime[0][..2], ["kvartal 3 2026".to_owned(), "33".to_owned()]);
    // The chart, with its text alternative; progress computed, never typed.
    assert!(
        html.contains(&format!("<title id=\"indikator-{}-diagram-title\">Klotter på Stortorget (rapporterade taggar)", p.est_indicator)),
        "{html}"
    );
    assert!(html.contains("Utgångsvärde 10. Målvärde 2."));
    assert_eq!(text_of(&html, ".fu-progress").as_deref(), Some("Framsteg för planen som helhet: 50 %"), "whitespace collapsed");
    assert!(html.contains("63\u{a0}%"), "the result goal: 0,625");
    // The checks, grouped, failing ones linking to what to fix.
    for a in ["Målanalys", "Mål–medelanalys", "Genomförandeanalys"] {
        assert!(html.contains(&format!("<h3>{a}</h3>")), "{a}");
    }
    assert!(html.contains(&format!("Insatsen ”Belysning i passagen” saknar dokumenterad kunskapsgrund. Ange vilken utvärderad metod eller dokumenterade kunskap insatsen bygger på. <a href=\"/atgardsplaner/{}#insats-{}\">Rätta</a>", p.plan, p.measure_bad)), "{html}");
    assert!(html.contains("<label for=\"f-period\">"), "real labels");

    // A value: everything wrong is sent back with the typed text kept; nothing written.
    let manual = p.manual_indicator.to_string();
    let action = format!("{page}/varden");
    let r = web.submit(&page, &action, &[("indicator_id", &manual), ("period", "2026-05-01"), ("value", "tolv"), ("note", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("”tolv” är inget tal"), "{html}");
    assert!(html.contains("som börjar 2026-04-01"));
    assert!(html.contains("Ange källan"));
    assert!(html.contains("href=\"#f-period\""), "the summary links to the field");
    assert_eq!(value_of(&html, "value").as_deref(), Some("tolv"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM indicator_values WHERE origin = 'entered'").await, 0);
    let r = web
        .submit(
            &page,
            &action,
            &[("indicator_id", &manual), ("period", "2026-04-01"), ("value", "4,5"), ("note", "Tekniska förvaltningens ärendesystem")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let ind = format!("/atgardsplaner/{}/indikatorer/{}", p.plan, p.manual_indicator);
    let (status, html) = web.get_html(&ind).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&html, "table.fu-values")[0], ["kvartal 2 2026", "4,5", "införd för hand", "Tekniska förvaltningens ärendesystem"]);
    let r = web.submit(&ind, &format!("{page}/varden/ta-bort"), &[("indicator_id", &manual), ("period", "2026-04-01")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM indicator_values WHERE origin = 'entered'").await, 0);

    // A deviation: personal data refused at the field; then recorded and the check turns.
    let dev = format!("/atgardsplaner/{}/avvikelser", p.plan);
    let bad = p.measure_bad.to_string();
    let r = web.submit(&page, &dev, &[("what", "Ring Anna på 070-123 45 67"), ("why", ""), ("measure_id", &bad)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"f-what-error\"") && html.contains("Varför saknas. Fyll i fältet."), "{html}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM plan_deviations").await, 0);
    let r = web
        .submit(
            &page,
            &dev,
            &[
                ("what", "Belysningen monteras senare"),
                ("why", "Leverantören är sen"),
                ("correction", "Tillfällig belysning"),
                ("measure_id", &bad),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let (_, html) = web.get_html(&page).await;
    assert!(html.contains("Avvikelsen i insatsen ”Belysning i passagen” är dokumenterad."));
    assert!(html.contains("insatsen ”Belysning i passagen”"));

    // The yearly report, printable.
    let (status, html) = web.get_html(&format!("{page}/2026/rapport")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<h1>Uppföljningsrapport 2026: Åtgärdsplan 2026–2027</h1>"), "{html}");
    assert!(html.contains("/static/followup.css"));
    assert!(html.contains("Belysningen monteras senare"));
    let (status, css) = web.get_html("/static/followup.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(css.contains("@page { size: A4"));
}

async fn outsiders_get_404_and_readers_no_forms(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let (_, p) = stories::plan_with_data(app.store()).await;
    let outsider = signed_in(&app, "samordnare@engelholm.se").await;
    for path in [
        format!("/atgardsplaner/{}/uppfoljning", p.plan),
        format!("/atgardsplaner/{}/uppfoljning/2026/rapport", p.plan),
        format!("/atgardsplaner/{}/indikatorer/{}", p.plan, p.est_indicator),
    ] {
        assert_eq!(outsider.get(&path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let reader = signed_in(&app, "las@trelleborg.se").await;
    let (status, html) = reader.get_html(&format!("/atgardsplaner/{}/uppfoljning", p.plan)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("För in ett värde") && !html.contains("Dokumentera en avvikelse"), "no forms for readers");
    let manual = p.manual_indicator.to_string();
    let page = format!("/atgardsplaner/{}/uppfoljning", p.plan);
    let r = reader
        .submit(&page, &format!("{page}/varden"), &[("indicator_id", &manual), ("period", "2026-04-01"), ("value", "1"), ("note", "Källa")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn the_api_answers_values_deviations_checks_and_the_report(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let (w, p) = stories::plan_with_data(app.store()).await;
    let api = app.api(&app.token(w.coordinator, w.kommun).await);
    let (s, body) = api.send(Method::POST, &format!("/plans/{}/refresh", p.plan), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body["written"].as_u64().unwrap() >= 4);
    let (s, body) = api.get(&format!("/indicators/{}/values", p.crime_indicator)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((body["values"][0]["period"].as_str(), body["values"][0]["value"].as_f64()), (Some("2026-07-01"), Some(33.0)));
    assert_eq!(body["baseline"].as_f64(), Some(36.0));

    // Values: bad input at the field, nothing written; then entered and removed.
    let (s, body) = api
        .send(
            Method::POST,
            &format!("/plans/{}/values", p.plan),
            json!({"indicator_id": p.manual_indicator, "period": "2026-05-01", "value": 3.0, "note": "Källa"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("plans.period_start"), "{body}");
    let (s, body) = api
        .send(
            Method::POST,
            &format!("/plans/{}/values", p.plan),
            json!({"indicator_id": p.manual_indicator, "period": "2026-04-01", "value": 3.0, "note": "Källa"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["origin"], "entered");
    let r = api
        .req(Method::DELETE, &format!("/plans/{}/values?indicator_id={}&period=2026-04-01", p.plan, p.manual_indicator))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // Deviations.
    let (s, body) = api
        .send(Method::POST, &format!("/plans/{}/deviations", p.plan), json!({"what": "Försenad", "why": "", "measure_id": p.measure_bad}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("Varför saknas"), "{body}");
    let (s, d) = api
        .send(
            Method::POST,
            &format!("/plans/{}/deviations", p.plan),
            json!({"what": "Försenad", "why": "Leverantören", "measure_id": p.measure_bad}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_i64().unwrap();
    let (s, d) = api
        .send(
            Method::PUT,
            &format!("/deviations/{id}"),
            json!({"what": "Försenad", "why": "Leverantören", "correction": "Tillfällig belysning"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!((d["correction"].as_str(), d["measure_id"].as_i64()), (Some("Tillfällig belysning"), None));
    let (s, list) = api.get(&format!("/plans/{}/deviations", p.plan)).await;
    assert_eq!((s, list.as_array().unwrap().len()), (StatusCode::OK, 1));

    // The checks: the same list the store gives the page.
    let (s, checks) = api.get(&format!("/plans/{}/evaluation", p.plan)).await;
    assert_eq!(s, StatusCode::OK);
    let v = stories::viewer(app.store(), w.coordinator).await;
    let plan = p.plan;
    let expected = app.store().read(move |db| evaluation::evaluate(db, &v, plan)).await.unwrap();
    assert_eq!(checks, serde_json::to_value(&expected).unwrap());
    assert!(checks.as_array().unwrap().iter().any(|c| c["passed"] == false && c["analysis"] == "goals_means"));

    let (s, r) = api.get(&format!("/plans/{}/followup-report?year=2026", p.plan)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["totals"]["progress"].as_f64(), Some(0.5));
    let (s, _) = api.get(&format!("/plans/{}/followup-report?year=1800", p.plan)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let r = api.req(Method::DELETE, &format!("/deviations/{id}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // Outsiders: 404 on reads and writes.
    let outsider = app.api(&app.token(w.outsider, w.angelholm).await);
    for path in [
        format!("/plans/{}/evaluation", p.plan),
        format!("/plans/{}/deviations", p.plan),
        format!("/indicators/{}/values", p.est_indicator),
    ] {
        assert_eq!(outsider.get(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, _) = outsider.send(Method::POST, &format!("/plans/{}/deviations", p.plan), json!({"what": "x", "why": "y"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

crate::both_backends!(
    the_follow_up_page_shows_values_charts_progress_and_checks,
    outsiders_get_404_and_readers_no_forms,
    the_api_answers_values_deviations_checks_and_the_report,
);
