//! The action list (åtgärder) and the monthly follow-up, as people use them: a decision without
//! a responsible organisation or with a past date is sent back with the typed values kept; a
//! decided action is listed and exported; the housing company marks it done; outsiders get 404;
//! the follow-up shows the place before and after.

use std::io::Cursor;

use brygga_domain::time::{IsoWeek, today};
use brygga_store::Store;
use brygga_store::picture::observations::ObservationInput;
use brygga_store_tests::stories;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::StatusCode;

use crate::common::{Backend, Browser, PASSWORD, TestApp, text_of};

fn in_days(n: i64) -> String {
    today().checked_add(jiff::Span::new().days(n)).unwrap().to_string()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_owned()
}

/// The value of the input `name` in a page.
fn value_of(html: &str, name: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("[name={name}]")).unwrap();
    doc.select(&sel).next().and_then(|e| e.value().attr("value")).map(str::to_owned)
}

/// The cells of each body row of the first table matching `selector`.
fn rows(html: &str, selector: &str) -> Vec<Vec<String>> {
    let doc = scraper::Html::parse_document(html);
    let row = scraper::Selector::parse(&format!("{selector} tbody tr")).unwrap();
    let cell = scraper::Selector::parse("th, td").unwrap();
    doc.select(&row)
        .map(|r| r.select(&cell).map(|c| c.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")).collect())
        .collect()
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let web = app.browser();
    let r = web.login(email, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login {email}");
    web
}

/// Decides an action through the form; returns its id.
async fn decide(web: &Browser, forum: i64, fields: &[(&str, &str)]) -> i64 {
    let page = format!("/forum/{forum}/atgarder/ny");
    let r = web.submit(&page, &page, fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let to = location(&r);
    assert!(to.ends_with("?klart=atgard-skapad"), "{to}");
    to.trim_start_matches("/atgarder/").split('?').next().unwrap().parse().unwrap()
}

async fn a_decision_without_responsible_or_with_a_past_date_is_sent_back(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let est = stories::est(app.store()).await;
    let web = signed_in(&app, "samordnare@trelleborg.se").await;
    let page = format!("/forum/{}/atgarder/ny", est.forum);
    let (status, html) = web.get_html(&page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<label for=\"f-responsible_org_id\">"), "real labels");

    let due = in_days(14);
    let r = web.submit(&page, &page, &[("title", "Städa klotter vid Stortorget"), ("due_on", &due)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Välj ansvarig organisation"), "{html}");
    assert!(html.contains("href=\"#f-responsible_org_id\""), "the summary links to the field");
    assert_eq!(value_of(&html, "title").as_deref(), Some("Städa klotter vid Stortorget"), "the typed title is kept");
    assert_eq!(value_of(&html, "due_on").as_deref(), Some(due.as_str()));

    let bostad = est.bostad.to_string();
    let yesterday = in_days(-1);
    let r = web
        .submit(&page, &page, &[("title", "Städa klotter vid Stortorget"), ("responsible_org_id", &bostad), ("due_on", &yesterday)])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(text_of(&html, "#f-due_on-error").unwrap().contains("har redan passerat"), "{html}");
    assert!(html.contains(&format!("<option value=\"{bostad}\" selected>")), "the chosen organisation is kept");

    // Junk in the address or the form is a message, never a crash.
    let r = web.submit(&page, &page, &[("title", "X"), ("responsible_org_id", "abc"), ("area_id", "zz"), ("due_on", "snart")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for path in ["/atgarder/abc", "/atgarder/999999", "/forum/abc/atgarder"] {
        assert_eq!(web.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let (status, html) = web.get_html(&format!("/forum/{}/atgarder?status=junk&organisation=x", est.forum)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (status, _) = web.get_html(&format!("/forum/{}/uppfoljning?manad=2026-13", est.forum)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Prefilled from a flag of the lägesbild.
    let week = IsoWeek::current().plus(-1).to_string();
    let (_, html) = web.get_html(&format!("/forum/{}/atgarder/ny?kategori=Klotter&plats={}&vecka={week}", est.forum, est.stortorget)).await;
    assert!(html.contains(&format!("<option value=\"{}\" selected>Stortorget</option>", est.stortorget)), "{html}");
    assert!(html.contains("<option value=\"graffiti\" selected>Klotter</option>"), "a category named in the address is chosen");
    assert_eq!(value_of(&html, "flag_week").as_deref(), Some(week.as_str()));
}

async fn an_action_is_listed_done_by_the_responsible_org_and_exported(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let est = stories::est(app.store()).await;
    let web = signed_in(&app, "samordnare@trelleborg.se").await;
    let (bostad, forening, area) = (est.bostad.to_string(), est.forening.to_string(), est.stortorget.to_string());
    let due = in_days(10);
    let id = decide(
        &web,
        est.forum,
        &[
            ("title", "Sanera klotter på Stortorget"),
            ("reason", "Mer klotter än normalt två veckor i rad."),
            ("responsible_org_id", &bostad),
            ("partner_org_ids", &forening),
            ("due_on", &due),
            ("category", "graffiti"),
            ("area_id", &area),
            ("no_police_powers", "on"),
        ],
    )
    .await;
    let (status, html) = web.get_html(&format!("/atgarder/{id}?klart=atgard-skapad")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Åtgärden är sparad i forumets åtgärdslista."));
    assert!(html.contains("AB Trelleborgshem") && html.contains("Nattvandrarna") && html.contains("utan polisiära befogenheter"));

    // Listed among the open ones, and in "mine" for the housing company.
    let (_, list) = web.get_html(&format!("/forum/{}/atgarder", est.forum)).await;
    let table = rows(&list, "table.actions-table");
    assert_eq!(table.len(), 1, "{table:?}");
    assert!(table[0][0].starts_with("Sanera klotter på Stortorget") && table[0][0].ends_with("Stortorget · Klotter"), "{table:?}");
    assert_eq!(table[0][1], "AB Trelleborgshem");
    assert_eq!(table[0][2], "Nattvandrarna");
    assert_eq!(table[0][3], due);
    assert_eq!((table[0][4].as_str(), table[0][5].as_str()), ("Planerad", "Ja"));
    let tenant = signed_in(&app, "vard@trelleborgshem.se").await;
    let (_, mine) = tenant.get_html(&format!("/forum/{}/atgarder?mina=on", est.forum)).await;
    assert_eq!(rows(&mine, "table.actions-table").len(), 1);
    let (_, late) = tenant.get_html(&format!("/forum/{}/atgarder?forsenade=on", est.forum)).await;
    assert!(rows(&late, "table.actions-table").is_empty(), "not overdue");

    // CSV and XLSX carry the row, with the same filters.
    let r = web.get(&format!("/forum/{}/atgarder.csv?status=all", est.forum)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let line = csv.lines().find(|l| l.contains("Sanera klotter på Stortorget")).expect("the row");
    assert!(line.contains(";AB Trelleborgshem;") && line.contains(&due) && line.contains(";Planerad;"), "{line}");
    let r = web.get(&format!("/forum/{}/atgarder.xlsx", est.forum)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Åtgärder").unwrap();
    assert_eq!(sheet.get_value((3, 1)), Some(&Data::String("Sanera klotter på Stortorget".into())));

    // A reader of the municipality sees it but has no status form, and may not post one.
    let reader = signed_in(&app, "las@trelleborg.se").await;
    let (status, html) = reader.get_html(&format!("/atgarder/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains(&format!("action=\"/atgarder/{id}/status\"")), "no status form for a reader");
    let csrf = crate::common::csrf_in(&html);
    let r = reader.post(&format!("/atgarder/{id}/status"), &[("csrf", &csrf), ("status", "done"), ("version", "1")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Another forum's user learns nothing.
    let outsider = signed_in(&app, "samordnare@engelholm.se").await;
    for path in [format!("/atgarder/{id}"), format!("/forum/{}/atgarder", est.forum), format!("/forum/{}/atgarder.csv", est.forum)] {
        assert_eq!(outsider.get(&path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }

    // The housing company reports it: cancelling needs a reason; done with an outcome works.
    let page = format!("/atgarder/{id}");
    let action = format!("/atgarder/{id}/status");
    let (_, html) = tenant.get_html(&page).await;
    let version = value_of(&html, "version").expect("a status form for the responsible organisation");
    let r = tenant.submit(&page, &action, &[("status", "cancelled"), ("version", &version)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&r.text().await.unwrap(), "#f-status_reason-error").unwrap().contains("Skriv varför"));
    let r = tenant.submit(&page, &action, &[("status", "done"), ("outcome", "Sanerat på två dagar."), ("version", &version)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/atgarder/{id}?klart=status-sparad"));
    let (_, html) = web.get_html(&page).await;
    assert!(html.contains("Sanerat på två dagar.") && html.contains("Klar"));
    let (_, open) = web.get_html(&format!("/forum/{}/atgarder", est.forum)).await;
    assert!(rows(&open, "table.actions-table").is_empty(), "done is no longer open");

    // An edit form left open while someone else changed it: a clear message, nothing lost.
    let edit = format!("/atgarder/{id}/redigera");
    let (status, form) = web.get_html(&edit).await;
    assert_eq!(status, StatusCode::OK);
    let stale = value_of(&form, "version").unwrap();
    let r = tenant.submit(&page, &action, &[("status", "in_progress"), ("version", &value_of(&html, "version").unwrap())]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = web
        .submit(
            &edit,
            &edit,
            &[
                ("version", &stale),
                ("title", "Sanera allt klotter på Stortorget"),
                ("responsible_org_id", &bostad),
                ("due_on", &due),
                ("status", "done"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("Någon annan har ändrat åtgärden"), "{html}");
    assert_eq!(value_of(&html, "title").as_deref(), Some("Sanera allt klotter på Stortorget"));
    // Saving again (with the version now in the form) goes through.
    let version = value_of(&html, "version").unwrap();
    let r = web
        .submit(
            &edit,
            &edit,
            &[
                ("version", &version),
                ("title", "Sanera allt klotter på Stortorget"),
                ("responsible_org_id", &bostad),
                ("due_on", &due),
                ("category", "graffiti"),
                ("area_id", &area),
                ("status", "done"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let (_, html) = web.get_html(&page).await;
    assert_eq!(text_of(&html, "h1").as_deref(), Some("Sanera allt klotter på Stortorget"));
}

/// Reports of klotter at `area` shared with the forum: `count` in the week `weeks_ago` before this one.
async fn seed(store: &Store, user_id: i64, forum: i64, area: i64, weeks: &[(i32, i64)]) {
    let v = stories::viewer(store, user_id).await;
    let inputs: Vec<ObservationInput> = weeks
        .iter()
        .map(|(ago, n)| {
            let monday = IsoWeek::current().plus(-ago).monday();
            // This week's only on Monday just after midnight, so it is never in the future.
            let at = if *ago == 0 { format!("{monday}T00:05") } else { format!("{monday}T10:00") };
            ObservationInput {
                forum_id: forum,
                category: "klotter".into(),
                area_id: Some(area),
                observed_at: Some(at),
                quantity: Some(*n),
                visibility: Some("forum".into()),
                ..Default::default()
            }
        })
        .collect();
    crate::common::report_all(store, v, inputs).await;
}

async fn the_followup_shows_the_place_before_and_after_a_completed_action(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let est = stories::est(app.store()).await;
    seed(app.store(), est.coordinator, est.forum, est.stortorget, &[(4, 3), (3, 2), (2, 4), (1, 1), (0, 1)]).await;
    let web = signed_in(&app, "samordnare@trelleborg.se").await;
    let (bostad, area, due) = (est.bostad.to_string(), est.stortorget.to_string(), in_days(7));
    let placed = decide(
        &web,
        est.forum,
        &[
            ("title", "Belysning vid Stortorget"),
            ("responsible_org_id", &bostad),
            ("due_on", &due),
            ("category", "graffiti"),
            ("area_id", &area),
            ("no_police_powers", "on"),
        ],
    )
    .await;
    let unplaced = decide(&web, est.forum, &[("title", "Informationsmöte"), ("responsible_org_id", &bostad), ("due_on", &due)]).await;
    let tenant = signed_in(&app, "vard@trelleborgshem.se").await;
    for id in [placed, unplaced] {
        let page = format!("/atgarder/{id}");
        let r = tenant.submit(&page, &format!("{page}/status"), &[("status", "done"), ("version", "1")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }

    let (status, html) = web.get_html(&format!("/forum/{}/uppfoljning", est.forum)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let table = rows(&html, "table.actions-before-after");
    let counts: Vec<(&str, &str)> = table.iter().map(|r| (r[1].as_str(), r[2].as_str())).collect();
    assert_eq!(counts, [("före", "3"), ("före", "2"), ("före", "4"), ("före", "1"), ("efter", "1")], "{table:?}");
    assert_eq!(text_of(&html, ".actions-mean-before").as_deref(), Some("2,5"));
    assert_eq!(text_of(&html, ".actions-mean-after").as_deref(), Some("1,0"));
    assert!(html.contains("inget att jämföra"), "the action without category and place");
    assert!(html.contains("inget bevis för att åtgärden gav effekt"));
    assert!(html.contains("<dt>Klara</dt><dd>2</dd>"), "two done this month");
    assert!(html.contains("1 av 2 (50 %)"), "share without police powers");
    assert!(rows(&html, "#per-organisation + .table-wrap table").iter().any(|r| r == &["AB Trelleborgshem", "2", "0"]));

    // Last month: nothing completed, and a link back.
    let prev = today().first_of_month().checked_sub(jiff::Span::new().months(1)).unwrap();
    let (status, html) = web.get_html(&format!("/forum/{}/uppfoljning?manad={:04}-{:02}", est.forum, prev.year(), prev.month())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Ingen åtgärd blev klar under månaden.") && html.contains("rel=\"next\""));
}

crate::both_backends!(
    a_decision_without_responsible_or_with_a_past_date_is_sent_back,
    an_action_is_listed_done_by_the_responsible_org_and_exported,
    the_followup_shows_the_place_before_and_after_a_completed_action,
);
