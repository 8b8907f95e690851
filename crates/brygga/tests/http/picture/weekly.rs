//! The weekly situation picture: numbers equal a hand count, flags read as the issue says, own
//! and joint pictures hold exactly the right reports, outsiders get hidden small counts and no
//! drill-down, the API and the exports carry the page's numbers, a future week is refused.

use std::io::Cursor;

use brygga_domain::time::IsoWeek;
use brygga_store::picture::observations::ObservationInput;
use brygga_store::{ConnExt, Store};
use brygga_store_tests::stories;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::StatusCode;

use crate::common::{Backend, PASSWORD, TestApp, text_of};

/// The week under test: last week, so that it has ended.
fn tested_week() -> IsoWeek {
    IsoWeek::current().plus(-1)
}

/// One batch of reports: `n` reports of `category` at `area` in the week `weeks_ago` before the
/// current one, shared with the forum (or kept by the organisation), each with `note`.
struct Batch<'a> {
    category: &'a str,
    area: Option<i64>,
    weeks_ago: i32,
    n: usize,
    shared: bool,
    note: &'a str,
}

async fn seed(store: &Store, user_id: i64, forum: i64, batches: &[Batch<'_>]) {
    let v = stories::viewer(store, user_id).await;
    let inputs: Vec<ObservationInput> = batches
        .iter()
        .flat_map(|b| {
            let day = IsoWeek::current().plus(-b.weeks_ago).monday().checked_add(jiff::Span::new().days(2)).unwrap();
            (0..b.n).map(move |i| ObservationInput {
                forum_id: forum,
                category: b.category.into(),
                area_id: b.area,
                observed_at: Some(format!("{day}T{:02}:00", 8 + i % 10)),
                visibility: Some(if b.shared { "forum" } else { "organisation" }.into()),
                note: Some(b.note.into()).filter(|n: &String| !n.is_empty()),
                ..Default::default()
            })
        })
        .collect();
    crate::common::report_all(store, v, inputs).await;
}

/// The picture table of a page: (category, place) → the count as shown.
fn table(html: &str) -> Vec<(String, String, String)> {
    let doc = scraper::Html::parse_document(html);
    let row = scraper::Selector::parse("table.picture-table tbody tr").unwrap();
    let cell = scraper::Selector::parse("th, td").unwrap();
    doc.select(&row)
        .map(|r| {
            let cells: Vec<String> =
                r.select(&cell).map(|c| c.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")).collect();
            (cells[0].clone(), cells[1].clone(), cells[2].clone())
        })
        .collect()
}

fn shown(rows: &[(String, String, String)], category: &str, place: &str) -> Option<String> {
    rows.iter().find(|r| r.0 == category && r.1 == place).map(|r| r.2.clone())
}

struct World {
    app: TestApp,
    est: stories::Est,
}

/// EST Trelleborg: the municipality reports Klotter at Stortorget, the housing company adds some
/// shared with the forum and one it keeps to itself, littering without a place.
async fn world(b: Backend) -> Option<World> {
    let app = TestApp::spawn(b).await?;
    let est = stories::est(app.store()).await;
    let (f, s) = (est.forum, Some(est.stortorget));
    let batch = |category, area, weeks_ago, n, shared, note| Batch { category, area, weeks_ago, n, shared, note };
    seed(
        app.store(),
        est.coordinator,
        f,
        &[
            batch("klotter", s, 1, 4, true, "Kommunens klotter"),
            batch("nedskräpning", None, 1, 3, true, ""),
            batch("klotter", s, 2, 1, true, ""),
        ],
    )
    .await;
    seed(
        app.store(),
        est.tenant_member,
        f,
        &[batch("klotter", s, 1, 2, true, "Delat av bostadsbolaget"), batch("klotter", s, 1, 1, false, "Bara bostadsbolaget ser detta")],
    )
    .await;
    Some(World { app, est })
}

async fn counts_equal_a_hand_count_and_own_and_joint_stay_apart(b: Backend) {
    let Some(w) = world(b).await else { return };
    let week = tested_week().to_string();
    let web = w.app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let (status, html) = web.get_html(&format!("/lagesbild/forum/{}?vecka={week}", w.est.forum)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let rows = table(&html);
    // Joint: 4 (kommun) + 2 (shared by the housing company); the unshared one is not in it.
    assert_eq!(shown(&rows, "Klotter", "Stortorget").as_deref(), Some("6"), "{rows:?}");
    assert_eq!(shown(&rows, "Nedskräpning", "Ingen särskild plats").as_deref(), Some("3"));
    assert!(html.contains("forumets gemensamma problembild") || html.contains("Forumets gemensamma problembild"));
    assert!(html.contains("AB Trelleborgshem") && html.contains("Nattvandrarna"), "who can see it: the members");

    // The municipality's own picture: its 4 + 3, none of the housing company's.
    let (_, html) = web.get_html(&format!("/lagesbild/egen/{}?vecka={week}", w.est.kommun)).await;
    let rows = table(&html);
    assert_eq!(shown(&rows, "Klotter", "Stortorget").as_deref(), Some("4"));
    assert!(html.contains("Organisationens egen lägesbild"));

    // The housing company's own picture: what it shared and what it kept (2 + 1).
    let tenant = w.app.browser();
    tenant.login("vard@trelleborgshem.se", PASSWORD).await;
    let (_, html) = tenant.get_html(&format!("/lagesbild/egen/{}?vecka={week}", w.est.bostad)).await;
    assert_eq!(shown(&table(&html), "Klotter", "Stortorget").as_deref(), Some("3"));
    // …which nobody else may open.
    let (status, _) = web.get_html(&format!("/lagesbild/egen/{}?vecka={week}", w.est.bostad)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Drill-down from the joint picture: exactly the six shared reports.
    let doc = scraper::Html::parse_document(&web.get_html(&format!("/lagesbild/forum/{}?vecka={week}", w.est.forum)).await.1);
    let link = scraper::Selector::parse("table.picture-table a").unwrap();
    let href = doc
        .select(&link)
        .find(|a| a.text().collect::<String>().contains("Stortorget"))
        .and_then(|a| a.value().attr("href"))
        .expect("a drill-down link")
        .to_owned();
    let (status, html) = web.get_html(&href).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("Kommunens klotter").count(), 4);
    assert_eq!(html.matches("Delat av bostadsbolaget").count(), 2);
    assert!(!html.contains("Bara bostadsbolaget ser detta"), "unshared reports stay out of the joint picture");
    // The own picture's drill-down of the housing company has its unshared one.
    let (_, own) = tenant.get_html(&href.replace(&format!("forum/{}", w.est.forum), &format!("egen/{}", w.est.bostad))).await;
    assert!(own.contains("Bara bostadsbolaget ser detta"));
    let drilled: i64 =
        w.app.store().read(|db| Ok(db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'picture.drilldown'", &[])?)).await.unwrap();
    assert_eq!(drilled, 2, "reading single reports is logged");
}

async fn a_jump_is_flagged_and_a_stable_series_is_not(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let est = stories::est(app.store()).await;
    let s = Some(est.stortorget);
    let normal = [5, 4, 6, 5, 5, 4, 6, 5, 5, 4];
    let mut batches = Vec::new();
    for (i, n) in normal.iter().enumerate() {
        batches.push(Batch { category: "klotter", area: s, weeks_ago: 2 + i as i32, n: *n, shared: true, note: "" });
        batches.push(Batch { category: "nedskräpning", area: None, weeks_ago: 2 + i as i32, n: *n, shared: true, note: "" });
    }
    batches.push(Batch { category: "klotter", area: s, weeks_ago: 1, n: 14, shared: true, note: "" });
    batches.push(Batch { category: "nedskräpning", area: None, weeks_ago: 1, n: 5, shared: true, note: "" });
    seed(app.store(), est.coordinator, est.forum, &batches).await;
    let week = tested_week();
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let (_, html) = web.get_html(&format!("/lagesbild/forum/{}?vecka={week}", est.forum)).await;
    let flags: Vec<String> = {
        let doc = scraper::Html::parse_document(&html);
        let sel = scraper::Selector::parse(".flag-list li").unwrap();
        doc.select(&sel).map(|e| e.text().collect::<String>().trim().trim_start_matches('▲').trim().to_owned()).collect()
    };
    assert_eq!(flags.len(), 1, "{flags:?}");
    let sentence = &flags[0];
    let prefix = format!("Klotter vid Stortorget: 14 rapporter v. {} mot normalt ", week.week());
    assert!(sentence.starts_with(&prefix), "{sentence}");
    assert!(sentence.ends_with(" — ökningen är osannolik som slump"), "{sentence}");
    let range = sentence.trim_start_matches(&prefix).trim_end_matches(" — ökningen är osannolik som slump");
    let (lo, hi) = range.split_once('–').expect("a range lo–hi");
    let (lo, hi): (i64, i64) = (lo.parse().unwrap(), hi.parse().unwrap());
    assert!((..=5).contains(&lo) && (5..14).contains(&hi), "normal is around five: {range}");

    // The API says the same.
    let token = app.token(est.coordinator, est.kommun).await;
    let (status, p) = app.api(&token).get(&format!("/picture?forum_id={}&week={week}", est.forum)).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["flags"].as_array().unwrap().len(), 1);
    assert_eq!(p["flags"][0]["sentence"].as_str().unwrap(), sentence);
    let cells = p["cells"].as_array().unwrap();
    let stable = cells.iter().find(|c| c["category_code"] == "nedskraepning" || c["category_name"] == "Nedskräpning").unwrap();
    assert_eq!(stable["trend"]["flagged"], false);
    assert_eq!(stable["trend"]["tested"], true);
    assert_eq!(stable["count"], 5);
    let jump = cells.iter().find(|c| c["category_name"] == "Klotter").unwrap();
    assert_eq!(jump["trend"]["direction"], "increase");
    assert!(jump["trend"]["q_value"].as_f64().unwrap() <= 0.05);
    assert_eq!(jump["baseline_recent"].as_array().unwrap().len(), 8);
    assert_eq!(jump["series"].as_array().unwrap().len(), 52);
}

async fn outsiders_get_hidden_small_counts_and_no_reports(b: Backend) {
    let Some(w) = world(b).await else { return };
    let week = tested_week().to_string();
    let web = w.app.browser();
    web.login("samordnare@engelholm.se", PASSWORD).await;
    // A forum's joint picture is for its members; outside, there is one view: the municipality's.
    let (status, html) = web.get_html(&format!("/lagesbild/forum/{}?vecka={week}", w.est.forum)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains("Kommunens klotter"));
    for path in [format!("/lagesbild/kommun/1287?vecka={week}")] {
        let (status, html) = web.get_html(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let rows = table(&html);
        assert_eq!(shown(&rows, "Klotter", "Stortorget").as_deref(), Some("6"), "{path}: {rows:?}");
        assert_eq!(shown(&rows, "Nedskräpning", "Ingen särskild plats").as_deref(), Some("3"));
        assert!(!html.contains("/rapporter?"), "{path}: no drill-down links");
        assert!(!html.contains("Kommunens klotter"));
        assert!(html.contains("visas som"), "says that small counts are hidden");
    }
    // Two weeks ago there was one report: hidden in the cell, and in every total.
    let earlier = tested_week().plus(-1).to_string();
    let token = w.app.token(stories_user(&w.app, "samordnare@engelholm.se").await, w.est.angelholm).await;
    let (status, _) = w.app.api(&token).get(&format!("/picture?forum_id={}&week={earlier}", w.est.forum)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, p) = w.app.api(&token).get(&format!("/picture?municipality=1287&week={earlier}")).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["suppressed_below"], 3);
    let cell = p["cells"].as_array().unwrap().iter().find(|c| c["category_name"] == "Klotter").unwrap();
    assert_eq!((cell["count"].clone(), cell["suppressed"].clone()), (serde_json::Value::Null, serde_json::Value::Bool(true)));
    assert!(cell["trend"]["expected"].is_null() && cell["trend"]["p_value"].is_null(), "nothing that gives the count back");
    assert_eq!(p["total"]["count"], 0, "the hidden cell is not in the total");
    assert_eq!(p["total"]["hidden_cells"], 1);
    assert!(p["sources"].as_array().unwrap().iter().all(|s| s["reports"].is_null()));
    // The week after: the hidden week does not show in the series either.
    let (_, p) = w.app.api(&token).get(&format!("/picture?municipality=1287&week={week}")).await;
    let klotter = p["categories"].as_array().unwrap().iter().find(|c| c["name"] == "Klotter").unwrap();
    let series = klotter["series"].as_array().unwrap();
    assert_eq!(series[series.len() - 2], 0);
    assert_eq!(series[series.len() - 1], 6);
    // No single reports outside the forum, however asked.
    for path in
        [format!("/lagesbild/forum/{}/rapporter?vecka={week}", w.est.forum), format!("/lagesbild/kommun/1287/rapporter?vecka={week}")]
    {
        let (status, html) = web.get_html(&path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(!html.contains("Kommunens klotter"));
    }
    // Members see the kommun page suppressed too (it is the view for outsiders), except where all
    // of a count is what they read in the forum anyway: that one report is the municipality's.
    let member = w.app.browser();
    member.login("samordnare@trelleborg.se", PASSWORD).await;
    let (_, html) = member.get_html(&format!("/lagesbild/kommun/1287?vecka={earlier}")).await;
    assert!(html.contains("visas som"), "still the suppressed view");
    assert_eq!(shown(&table(&html), "Klotter", "Stortorget").as_deref(), Some("1"));
}

async fn stories_user(app: &TestApp, email: &str) -> i64 {
    let email = email.to_owned();
    app.store().read(move |db| Ok(db.scalar("SELECT id FROM users WHERE email = $1", &[email.as_str().into()])?)).await.unwrap()
}

async fn the_api_and_the_exports_carry_the_page_numbers(b: Backend) {
    let Some(w) = world(b).await else { return };
    let week = tested_week().to_string();
    let web = w.app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let base = format!("/lagesbild/forum/{}", w.est.forum);
    let (_, html) = web.get_html(&format!("{base}?vecka={week}")).await;
    let page = table(&html);
    let token = w.app.token(w.est.coordinator, w.est.kommun).await;
    let (status, p) = w.app.api(&token).get(&format!("/picture?forum_id={}&week={week}", w.est.forum)).await;
    assert_eq!(status, StatusCode::OK);
    let api: Vec<(String, String, String)> = p["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["category_name"].as_str().unwrap().to_owned(), c["area_name"].as_str().unwrap().to_owned(), c["count"].to_string()))
        .collect();
    assert_eq!(api, page);

    // CSV, filtered to one category: only its rows, the same numbers.
    let r = web.get(&format!("{base}/export.csv?vecka={week}&kategori=klotter")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(".csv"));
    let body = r.bytes().await.unwrap();
    let mut csv = csv::ReaderBuilder::new().delimiter(b';').from_reader(&body[3..]);
    let header = csv.headers().unwrap().clone();
    assert_eq!(&header[3], "antal");
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "the filter holds: {rows:?}");
    assert_eq!((&rows[0][1], &rows[0][2], &rows[0][3]), ("Klotter", "Stortorget", "6"));

    // XLSX, the same filter.
    let r = web.get(&format!("{base}/export.xlsx?vecka={week}&kategori=graffiti")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Lägesbild").unwrap();
    let data: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    let header_row = data.iter().position(|r| r.first() == Some(&Data::String("vecka".into()))).unwrap();
    let body_rows = &data[header_row + 1..];
    assert_eq!(body_rows.len(), 1);
    assert_eq!(body_rows[0][1], Data::String("Klotter".into()));
    assert_eq!(body_rows[0][3], Data::Float(6.0));

    // GeoJSON: the places with their counts, filtered by place.
    let r = web.get(&format!("{base}/export.geojson?vecka={week}&plats={}", w.est.stortorget)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let g: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(g["type"], "FeatureCollection");
    let features = g["features"].as_array().unwrap();
    assert_eq!(features.len(), 1);
    assert_eq!(features[0]["properties"]["name"], "Stortorget");
    assert_eq!(features[0]["properties"]["count"], 6, "Klotter 6 at Stortorget; littering has no place");
    assert_eq!(features[0]["geometry"]["type"], "Point");

    // Each download is in the audit log.
    let exports: i64 =
        w.app.store().read(|db| Ok(db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'picture.export'", &[])?)).await.unwrap();
    assert_eq!(exports, 3);

    // The printable report: a summary page and the details, the same table.
    let (status, html) = web.get_html(&format!("{base}/rapport?vecka={week}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("class=\"summary-page\"") && html.contains("class=\"details\""));
    assert!(html.contains("/lagesbild/bild.css"));
    assert_eq!(shown(&table(&html), "Klotter", "Stortorget").as_deref(), Some("6"));
}

async fn a_future_week_and_bad_input_get_clear_answers(b: Backend) {
    let Some(w) = world(b).await else { return };
    let web = w.app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let next = IsoWeek::current().plus(1).to_string();
    let (status, html) = web.get_html(&format!("/lagesbild/forum/{}?vecka={next}", w.est.forum)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&html, ".error-summary").unwrap().contains("har inte börjat än"), "{html}");
    let token = w.app.token(w.est.coordinator, w.est.kommun).await;
    let (status, e) = w.app.api(&token).get(&format!("/picture?forum_id={}&week={next}", w.est.forum)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "week");
    for path in [
        format!("/lagesbild/forum/{}?vecka=2026-W99", w.est.forum),
        format!("/lagesbild/forum/{}?vecka=igår", w.est.forum),
        format!("/lagesbild/forum/{}?plats=torget", w.est.forum),
        format!("/lagesbild/forum/{}/rapporter?kategori=x", w.est.forum),
        format!("/lagesbild/forum/{}/rapporter?fore=x", w.est.forum),
        format!("/lagesbild/forum/{}?kommun=Atlantis", w.est.forum),
    ] {
        let (status, _) = web.get_html(&path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
    }
    for path in ["/lagesbild/forum/999", "/lagesbild/kommun/9999", "/lagesbild/okänt/1", "/lagesbild/forum/x", "/lagesbild/forum/1/okänt"]
    {
        let (status, _) = web.get_html(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // Before any report: an empty picture that says so.
    let (status, html) = web.get_html(&format!("/lagesbild/forum/{}?vecka=2020-W10", w.est.forum)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Bilden har inga rapporter före"), "{html}");
    // The chooser lists the forum and the own picture.
    let (_, html) = web.get_html("/lagesbild").await;
    assert!(html.contains(&format!("/lagesbild/forum/{}", w.est.forum)) && html.contains(&format!("/lagesbild/egen/{}", w.est.kommun)));
}

/// Twelve places in a 4 × 3 grid; reports pile up in one corner.
async fn the_hotspot_layer_finds_the_cluster(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let est = stories::est(app.store()).await;
    let v = stories::viewer(app.store(), est.coordinator).await;
    let kommun = est.kommun;
    let ids: Vec<i64> = app
        .store()
        .write(move |db| {
            (0..12)
                .map(|i: i32| {
                    let a = brygga_store::places::areas::NewArea {
                        municipality: brygga_domain::geography::MunicipalityCode::parse("1287").unwrap(),
                        parent_id: None,
                        name: format!("Kvarter {}", i + 1),
                        kind: "district".into(),
                        geometry: brygga_domain::geometry::PlaceGeometry::point(
                            13.10 + 0.01 * f64::from(i % 4),
                            55.37 + 0.006 * f64::from(i / 4),
                        ),
                        owner_org_id: kommun,
                    };
                    brygga_store::places::areas::create(db, &v, &a).map(|a| a.id)
                })
                .collect()
        })
        .await
        .unwrap();
    let batches: Vec<Batch> = [(0, 20), (1, 18), (4, 19), (5, 17), (6, 2), (10, 1), (11, 2), (7, 1)]
        .iter()
        .map(|&(i, n)| Batch { category: "graffiti", area: Some(ids[i]), weeks_ago: 1, n, shared: true, note: "" })
        .collect();
    seed(app.store(), est.coordinator, est.forum, &batches).await;
    let token = app.token(est.coordinator, est.kommun).await;
    let (status, p) = app.api(&token).get(&format!("/picture?forum_id={}&week={}", est.forum, tested_week())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(p["hotspot_note"].is_null(), "{}", p["hotspot_note"]);
    let class = |name: &str| {
        let place = p["places"].as_array().unwrap().iter().find(|pl| pl["name"] == name).unwrap();
        (place["hotspot"]["class"].as_str().unwrap().to_owned(), place["hotspot"]["z"].as_f64().unwrap())
    };
    let (east, z_east) = class("Kvarter 1");
    let (_, z_west) = class("Kvarter 12");
    assert!(z_east > z_west, "{z_east} > {z_west}");
    assert_eq!(east, "hot", "z = {z_east}");
    // The page draws the three maps, each with a title and a description.
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let (_, html) = web.get_html(&format!("/lagesbild/forum/{}?vecka={}", est.forum, tested_week())).await;
    for id in ["karta-antal", "karta-forandring", "karta-hotspot"] {
        assert!(html.contains(&format!("<title id=\"{id}-title\">")), "{id}");
    }
}

crate::both_backends!(
    the_hotspot_layer_finds_the_cluster,
    counts_equal_a_hand_count_and_own_and_joint_stay_apart,
    a_jump_is_flagged_and_a_stable_series_is_not,
    outsiders_get_hidden_small_counts_and_no_reports,
    the_api_and_the_exports_carry_the_page_numbers,
    a_future_week_and_bad_input_get_clear_answers
);
