//! The lägesbild as people use it: the coordinator starts one, adds a problem and a cause, adopts
//! it (the figures freeze), prints it and publishes it; outsiders get 404; personal data is sent
//! back at the field with what was typed kept. And the API twins: 422 with field names, 404 for
//! other organisations.

use brygga_domain::time::today;
use brygga_store::picture::observations::ObservationInput;
use brygga_store_tests::stories;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, Browser, PASSWORD, TestApp, text_of};

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_owned()
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let web = app.browser();
    let r = web.login(email, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login {email}");
    web
}

fn fields(e: &Value) -> Vec<&str> {
    e["errors"].as_array().map(|a| a.iter().filter_map(|p| p["field"].as_str()).collect()).unwrap_or_default()
}

async fn the_coordinator_writes_adopts_prints_and_publishes(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let est = stories::est(app.store()).await;
    // Today's reports shared with the forum: 2 klotter (a small count) and 5 nedskräpning.
    let at = format!("{}T00:01", today());
    let report = |category: &str, n: i64| ObservationInput {
        forum_id: est.forum,
        category: category.into(),
        area_id: Some(est.stortorget),
        observed_at: Some(at.clone()),
        quantity: Some(n),
        visibility: Some("forum".into()),
        ..Default::default()
    };
    let v = stories::viewer(app.store(), est.coordinator).await;
    crate::common::report_all(app.store(), v, vec![report("klotter", 2), report("nedskräpning", 5)]).await;
    let year = today().year().to_string();
    let web = signed_in(&app, "samordnare@trelleborg.se").await;
    let (status, html) = web.get_html("/lagesbilder").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/lagesbilder\" aria-current=\"page\""), "the main navigation links the documents");

    // Personal data in the title: sent back at the field, the typed values kept.
    let forum = est.forum.to_string();
    let fields_new = |title: &'static str| {
        vec![
            ("kind", "situation"),
            ("title", title),
            ("municipality_code", "1287"),
            ("year", year.as_str()),
            ("half", ""),
            ("picture_forum_id", ""),
        ]
    };
    let r = web.submit("/lagesbilder/ny", "/lagesbilder/ny", &fields_new("Lägesbild 19811218-9876")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(text_of(&html, "#f-title-error").unwrap().contains("personnummer"), "{html}");
    assert!(html.contains("value=\"Lägesbild 19811218-9876\""), "what was typed is kept");

    let mut ok = fields_new("Lägesbild Trelleborg 2026");
    ok[5] = ("picture_forum_id", forum.as_str());
    let r = web.submit("/lagesbilder/ny", "/lagesbilder/ny", &ok).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let to = location(&r);
    let id: i64 = to.trim_start_matches("/lagesbilder/").split('?').next().unwrap().parse().unwrap();
    let page = format!("/lagesbilder/{id}");
    let (status, html) = web.get_html(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Polisens anmälningsstatistik (Brå)") && html.contains("EST-rapporter i forumet EST Trelleborg"),
        "sources under the tables"
    );
    assert!(html.contains("warning-triangulation"), "the triangulation warning");
    let categories = rows(&html, "table.situation-categories");
    assert!(categories.contains(&vec!["Klotter".to_owned(), "2".to_owned(), "0".to_owned()]), "exact for the parties: {categories:?}");

    // A problem, then a cause (personal data refused at the field first).
    let r = web
        .submit(
            &format!("{page}/problem/ny"),
            &format!("{page}/problem/ny"),
            &[("title", "Klotter och skadegörelse i centrum"), ("priority", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let pid: i64 = location(&r).rsplit("#problem-").next().unwrap().parse().unwrap();
    let cause_page = format!("{page}/problem/{pid}/orsak");
    let r = web
        .submit(
            &cause_page,
            &cause_page,
            &[
                ("title", "Mörk gångtunnel"),
                ("description", "Ring 19811218-9876"),
                ("triangle_side", "place"),
                ("basis", "data"),
                ("certainty", "medium"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(text_of(&html, "#f-description-error").unwrap().contains("personnummer"));
    let r = web
        .submit(
            &cause_page,
            &cause_page,
            &[
                ("title", "Mörk gångtunnel"),
                ("triangle_side", "place"),
                ("influencer", "Fastighetsägaren"),
                ("factor", "risk"),
                ("basis", "data"),
                ("certainty", "medium"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let (_, html) = web.get_html(&page).await;
    assert!(html.contains("Mörk gångtunnel") && html.contains("Riskfaktor"), "the cause under its side of the triangle");
    let remove_cause = {
        let doc = scraper::Html::parse_document(&html);
        let sel = scraper::Selector::parse("form[action*='/orsaker/']").unwrap();
        doc.select(&sel).next().unwrap().value().attr("action").unwrap().to_owned()
    };
    // The cause is changed through its form, prefilled with what it says.
    let edit_cause = remove_cause.replace("/ta-bort", "/redigera");
    let (status, form) = web.get_html(&edit_cause).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"Mörk gångtunnel\""), "prefilled");
    let r = web
        .submit(
            &edit_cause,
            &edit_cause,
            &[("title", "Mörk gångtunnel"), ("triangle_side", "place"), ("factor", "risk"), ("basis", "dialogue"), ("certainty", "high")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let (_, html) = web.get_html(&page).await;
    assert!(html.contains("Grund: Dialog") && html.contains("Säkerhet: hög"), "{html}");
    // Other relevant information: added, then removed again with its button.
    let src = format!("{page}/kallor/ny");
    let r = web
        .submit(
            &src,
            &src,
            &[("kind", "school_survey"), ("title", "Skolenkäten"), ("source", "Utbildningsförvaltningen"), ("source_date", "2026-05-12")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let (_, html) = web.get_html(&page).await;
    assert!(html.contains("Skolenkäten") && !html.contains("warning-triangulation"), "a second kind of source");
    let remove_source = {
        let doc = scraper::Html::parse_document(&html);
        let sel = scraper::Selector::parse("form[action*='/kallor/'][action$='/ta-bort']").unwrap();
        doc.select(&sel).next().unwrap().value().attr("action").unwrap().to_owned()
    };
    assert_eq!(web.submit(&page, &remove_source, &[]).await.status(), StatusCode::SEE_OTHER);
    let (_, html) = web.get_html(&page).await;
    assert!(!html.contains("Skolenkäten") && html.contains("vilar på ett enda slag av källa"));

    // Adopt: the figures freeze, the forms to change it go.
    let r = web
        .submit(
            &page,
            &format!("{page}/anta"),
            &[("version", &version_in(&html)), ("decided_by", "Kommunstyrelsen"), ("decided_on", "2026-12-01")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let (_, html) = web.get_html(&page).await;
    assert!(html.contains("Siffrorna är frysta"), "{html}");
    let (_, list) = web.get_html("/lagesbilder").await;
    assert!(list.contains("<h2>Trelleborg</h2>") && list.contains("Antagen"), "listed per municipality with its status");
    assert!(!html.contains("/orsak\""), "no forms to change an adopted version");
    // The forms are not offered; posting one anyway is refused with the message, nothing written.
    assert_eq!(web.get(&format!("{page}/problem/ny")).await.status(), StatusCode::FORBIDDEN);
    let r = web.submit(&page, &format!("{page}/problem/ny"), &[("title", "Nytt problem")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = r.text().await.unwrap();
    assert!(text_of(&refused, "#f-status").unwrap().contains("Starta en ny version"), "{refused}");
    assert!(refused.contains("value=\"Nytt problem\""), "what was typed is kept");
    let (_, html) = web.get_html(&page).await;
    assert!(!html.contains("Nytt problem"), "nothing written");
    let r = web.submit(&page, &remove_cause, &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = r.text().await.unwrap();
    assert!(text_of(&refused, "#f-status").unwrap().contains("kan inte ändras"), "{refused}");
    assert!(refused.contains("Mörk gångtunnel"), "the cause is still there");

    // Print: A4, no navigation.
    let (status, html) = web.get_html(&format!("{page}/utskrift")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("@page { size: A4; margin: 20mm }")
            && !html.contains("Huvudmeny")
            && html.contains("Klotter och skadegörelse i centrum")
    );

    // Outsiders get 404 until it is published; then the public page shows it without login.
    let outsider = signed_in(&app, "samordnare@engelholm.se").await;
    assert_eq!(outsider.get(&page).await.status(), StatusCode::NOT_FOUND);
    let anonymous = app.browser();
    assert_eq!(anonymous.get(&format!("/publikt/lagesbilder/{id}")).await.status(), StatusCode::NOT_FOUND);
    let r = web.submit(&page, &format!("{page}/delning"), &[("visibility", "public"), ("forum_id", "")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = anonymous.get_html(&format!("/publikt/lagesbilder/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Lägesbild Trelleborg 2026") && html.contains("Små tal"));
    let categories = rows(&html, "table.situation-categories");
    assert!(
        categories.contains(&vec!["Klotter".to_owned(), "färre än 3".to_owned(), "0".to_owned()]),
        "suppressed in public: {categories:?}"
    );
    assert!(categories.contains(&vec!["Nedskräpning".to_owned(), "5".to_owned(), "0".to_owned()]), "{categories:?}");
}

/// The cells of each body row of the table matching `selector`.
fn rows(html: &str, selector: &str) -> Vec<Vec<String>> {
    let doc = scraper::Html::parse_document(html);
    let row = scraper::Selector::parse(&format!("{selector} tbody tr")).unwrap();
    let cell = scraper::Selector::parse("th, td").unwrap();
    doc.select(&row)
        .map(|r| r.select(&cell).map(|c| c.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")).collect())
        .collect()
}

fn version_in(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("form[action$='/anta'] [name=version]").unwrap();
    doc.select(&sel).next().and_then(|e| e.value().attr("value")).unwrap().to_owned()
}

async fn the_api_twins_answer_like_the_pages(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::est(app.store()).await;
    let api = app.api(&app.token(w.coordinator, w.kommun).await);
    let outsider = app.api(&app.token(w.outsider, w.angelholm).await);

    let (s, e) =
        api.send(Method::POST, "/situations", json!({"kind": "situation", "title": "19811218-9876", "municipality_code": "1287"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(fields(&e), ["title", "year"], "{e}");
    let (s, d) = api
        .send(
            Method::POST,
            "/situations",
            json!({"kind": "situation", "title": "Lägesbild 2026", "municipality_code": "1287", "year": 2026, "picture_forum_id": w.forum}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["situation"]["id"].as_i64().unwrap();
    let (s, got) = api.get(&format!("/situations/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["situation"]["title"], "Lägesbild 2026");
    assert!(got["figures"]["crime"]["provenance"]["source"].as_str().unwrap().contains("Brå"));

    // Other organisations: 404 for read and write.
    assert_eq!(outsider.get(&format!("/situations/{id}")).await.0, StatusCode::NOT_FOUND);
    let (s, _) = outsider.send(Method::POST, &format!("/situations/{id}/problems"), json!({"title": "X"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(outsider.get("/situations").await.1.as_array().unwrap().len(), 0);

    // Header and sections need If-Match.
    let r = api
        .req(Method::PUT, &format!("/situations/{id}"))
        .header("If-Match", "1")
        .json(&json!({"title": "Lägesbild 2026", "summary": "Kort."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (s, p) = api.send(Method::POST, &format!("/situations/{id}/problems"), json!({"title": "Klotter i centrum"})).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let (s, e) = api
        .send(
            Method::POST,
            &format!("/situations/{id}/problems/{pid}/causes"),
            json!({"title": "Mörker", "basis": "", "certainty": "sure"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(fields(&e), ["triangle_side", "basis", "certainty"], "{e}");
    let (s, c) = api
        .send(
            Method::POST,
            &format!("/situations/{id}/problems/{pid}/causes"),
            json!({"title": "Mörker", "triangle_side": "place", "basis": "research", "certainty": "low"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let (s, e) = api
        .send(Method::POST, &format!("/situations/{id}/problems/{pid}/evidence"), json!({"kind": "place", "area_id": w.stortorget}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let (s, src) = api
        .send(
            Method::POST,
            &format!("/situations/{id}/sources"),
            json!({"kind": "citizen_dialogue", "title": "Dialog i centrum", "source": "Kommunen", "source_date": "2026-04-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{src}");

    let (s, a) = api.send(Method::POST, &format!("/situations/{id}/adopt"), json!({"decided_by": "Kommunstyrelsen"})).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["figures_frozen"], true);
    let (s, e) = api.send(Method::DELETE, &format!("/situations/{id}/causes/{}", c["id"]), json!({})).await;
    assert_eq!((s, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("status")), "{e}");
    let (s, shared) =
        api.send(Method::PUT, &format!("/situations/{id}/sharing"), json!({"visibility": "forum", "forum_id": w.forum})).await;
    assert_eq!((s, shared["situation"]["visibility"].as_str()), (StatusCode::OK, Some("forum")), "{shared}");
    let (s, v2) = api.send(Method::POST, &format!("/situations/{id}/new-version"), json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{v2}");
    assert_eq!(v2["problems"][0]["causes"][0]["key"], c["key"]);
    let (s, e) = api.send(Method::POST, &format!("/situations/{id}/new-version"), json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
}

crate::both_backends!(the_coordinator_writes_adopts_prints_and_publishes, the_api_twins_answer_like_the_pages);
