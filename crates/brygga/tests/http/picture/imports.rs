//! Imports as people and programs use them: the observation wizard (columns, preview, all or
//! nothing), police events from the command line, the pages and the API (every variant of the
//! real feed), reported-crime statistics and safety surveys, bad files, and the harvester
//! against a local stand-in for the police's API.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use brygga::harvest::{self, HarvestConfig};
use brygga_store::ConnExt;
use brygga_store_tests::stories;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, Browser, PASSWORD, TestApp, csrf_in, text_of};

fn fixture_path(name: &str) -> String {
    format!("{}/../import/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap()
}

async fn setup(b: Backend) -> Option<(TestApp, stories::Est)> {
    let app = TestApp::spawn(b).await?;
    let est = stories::est(app.store()).await;
    Some((app, est))
}

/// A `multipart/form-data` body as a browser sends it.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----brygga-test-boundary-7f3a";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads a file with the form on `page`, with that page's CSRF token.
async fn upload(web: &Browser, page: &str, action: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> reqwest::Response {
    let (_, html) = web.get_html(page).await;
    let csrf = csrf_in(&html);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let (ct, body) = multipart(&all, file);
    web.client.post(format!("{}{action}", web.base)).header("content-type", ct).body(body).send().await.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_owned()
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.store().read(move |db| Ok(db.scalar::<i64>(sql, &[])?)).await.unwrap()
}

/// `(row, column, message)` of each row error listed on a page.
fn row_errors(html: &str) -> Vec<(String, String, String)> {
    let doc = scraper::Html::parse_document(html);
    let rows = scraper::Selector::parse(".row-errors tbody tr").unwrap();
    let cell = scraper::Selector::parse("th, td").unwrap();
    doc.select(&rows)
        .map(|r| {
            let cells: Vec<String> = r.select(&cell).map(|c| c.text().collect::<String>().trim().to_owned()).collect();
            (cells[0].clone(), cells[1].clone(), cells[2].clone())
        })
        .collect()
}

/// The value of the selected option of `select[name=…]`.
fn selected(html: &str, name: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("select[name={name}] option[selected]")).unwrap();
    doc.select(&sel).next().and_then(|o| o.value().attr("value")).map(str::to_owned)
}

/// Runs the `brygga` binary on the test database.
async fn cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_brygga"))
        .arg("--database-url")
        .arg(app.db.url())
        .args(args)
        .env_remove("BRYGGA_DATABASE_URL")
        .output()
        .await
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

const WEEK_47: &str = "Datum;Tid;Kategori;Plats;Antal;Kommentar
2024-11-18;21:30;Klotter;Stortorget;2;Tags på cykelgaraget
2024-11-19;08.00;trasig belysning;;1;
2024-11-20;;Skadegörelse;stortorget;3;Krossad ruta
";

fn wizard_fields(forum: &str, org: &str) -> Vec<(&'static str, String)> {
    vec![
        ("forum_id", forum.to_owned()),
        ("org_id", org.to_owned()),
        ("map_observed_at", "0".into()),
        ("map_time", "1".into()),
        ("map_category", "2".into()),
        ("map_area", "3".into()),
        ("map_quantity", "4".into()),
        ("map_note", "5".into()),
        ("visibility", "forum".into()),
    ]
}

async fn the_wizard_imports_a_spreadsheet_all_at_once(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let forum = w.forum.to_string();
    let r = upload(
        &web,
        "/importera/observationer",
        "/importera/observationer",
        &[("forum_id", &forum)],
        Some(("vecka47.csv", WEEK_47.as_bytes())),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let columns = location(&r);
    let id: i64 = columns.split('/').nth(3).unwrap().split('?').next().unwrap().parse().unwrap();

    // Step 2: the columns are guessed from the Swedish headers.
    let (status, html) = web.get_html(&columns).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(selected(&html, "map_observed_at").as_deref(), Some("0"));
    assert_eq!(selected(&html, "map_time").as_deref(), Some("1"), "Tid beside Datum is the time of day");
    assert_eq!(selected(&html, "map_category").as_deref(), Some("2"));
    assert_eq!(selected(&html, "map_area").as_deref(), Some("3"));
    assert_eq!(selected(&html, "map_quantity").as_deref(), Some("4"));
    assert_eq!(selected(&html, "map_note").as_deref(), Some("5"));
    assert!(html.contains("CSV, UTF-8, avgränsad med semikolon"), "says how the file was read");

    // Step 3: the preview shows the rows as they will be stored.
    let fields = wizard_fields(&forum, &w.kommun.to_string());
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = web.submit(&columns, &format!("/importera/observationer/{id}/granska"), &refs).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert_eq!(text_of(&html, ".flash").unwrap(), "Alla 3 rader kan importeras.");
    assert!(html.contains("2024-11-18 21:30") && html.contains("2024-11-19 08:00"), "times read as Swedish local time");
    assert!(html.contains("Trasig belysning") && html.contains("hela kommunen"), "names resolved, no place is the municipality");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM observations").await, 0, "a preview writes nothing");

    // Step 4: everything, in one transaction.
    let r = web.submit(&columns, &format!("/importera/observationer/{id}/spara"), &refs).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/importera?klart=importerad");
    let stored: (i64, i64, i64) = app
        .store()
        .read(|db| {
            Ok(db.map_one(
                "SELECT COUNT(*) AS n, CAST(SUM(quantity) AS BIGINT) AS q, COUNT(DISTINCT batch_id) AS batches FROM observations WHERE source = 'import'",
                &[],
                |r| Ok((r.get("n")?, r.get("q")?, r.get("batches")?)),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(stored, (3, 6, 1));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM import_uploads").await, 0, "the staged file is gone");
    let (_, hub) = web.get_html("/importera?klart=importerad").await;
    assert_eq!(text_of(&hub, ".flash").unwrap(), "Filen är importerad.");
    assert!(hub.contains("vecka47.csv"));

    // The same file again is refused at once, naming when and who.
    let r = upload(
        &web,
        "/importera/observationer",
        "/importera/observationer",
        &[("forum_id", &forum)],
        Some(("kopia.csv", WEEK_47.as_bytes())),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Samma fil (”vecka47.csv”) importerades redan"), "{html}");
    assert!(html.contains("av Test samordnare@trelleborg.se för Trelleborgs kommun"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM observations").await, 3);

    // A reporter cannot import.
    let reporter = app.browser();
    reporter.login("falt@trelleborg.se", PASSWORD).await;
    let other = WEEK_47.replace("Krossad ruta", "Ny ruta");
    let r = upload(
        &reporter,
        "/importera/observationer",
        "/importera/observationer",
        &[("forum_id", &forum)],
        Some(("r.csv", other.as_bytes())),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Import kräver rollen medlem"));
}

async fn one_bad_row_imports_nothing_and_every_error_is_named(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let csv = "Kategori;Plats;Datum;Antal;Kommentar
Klotter;Stortorget;2024-11-18 21:30;1;
Rymdskepp;Stortorget;2024-11-18;1;
Klotter;Atlantis;2024-11-18;1;
Klotter;;2099-01-01;1;
Klotter;;2024-11-18;noll;
Klotter;;2024-11-18;1;Ring Kalle på 070-123 45 67
";
    let forum = w.forum.to_string();
    let r =
        upload(&web, "/importera/observationer", "/importera/observationer", &[("forum_id", &forum)], Some(("fel.csv", csv.as_bytes())))
            .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let columns = location(&r);
    let id = columns.split('/').nth(3).unwrap().split('?').next().unwrap().to_owned();
    let (_, html) = web.get_html(&columns).await;
    assert_eq!(selected(&html, "map_category").as_deref(), Some("0"));
    assert_eq!(selected(&html, "map_observed_at").as_deref(), Some("2"));
    let org = w.kommun.to_string();
    let mapping = [
        ("forum_id", forum.as_str()),
        ("org_id", org.as_str()),
        ("map_category", "0"),
        ("map_area", "1"),
        ("map_observed_at", "2"),
        ("map_quantity", "3"),
        ("map_note", "4"),
        ("visibility", "forum"),
    ];

    // Without a category the mapping itself is refused, on its field.
    let no_category: Vec<(&str, &str)> = mapping.iter().map(|&(k, v)| if k == "map_category" { (k, "") } else { (k, v) }).collect();
    let r = web.submit(&columns, &format!("/importera/observationer/{id}/granska"), &no_category).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#f-map_category\"") && html.contains("Välj kolumnen med kategorin"), "{html}");

    let r = web.submit(&columns, &format!("/importera/observationer/{id}/granska"), &mapping).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let errors = row_errors(&html);
    let find = |row: &str| errors.iter().find(|e| e.0 == row).unwrap_or_else(|| panic!("no error on row {row}: {errors:?}"));
    assert_eq!(find("3").1, "Kategori");
    assert!(find("3").2.contains("Kategorin ”Rymdskepp” finns inte i forumets checklista"));
    assert_eq!(find("4").1, "Plats");
    assert!(find("4").2.contains("”Atlantis”"));
    assert_eq!(find("5").1, "Datum");
    assert!(find("5").2.contains("framtiden"));
    assert_eq!(find("6").1, "Antal");
    assert!(find("6").2.contains("”noll”"));
    assert_eq!(find("7").1, "Kommentar");
    assert!(find("7").2.contains("telefonnummer"));
    assert_eq!(errors.len(), 5);
    assert!(text_of(&html, ".error-summary").unwrap().contains("5 av 6 rader har fel"));
    assert!(!html.contains("/spara\""), "no import button while rows are wrong");

    // Committing anyway writes nothing at all.
    let r = web.submit(&columns, &format!("/importera/observationer/{id}/spara"), &mapping).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM observations").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM import_batches").await, 0);
}

async fn broken_files_are_explained_by_row_and_column(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let forum = w.forum.to_string();
    let broken = "Datum;Kategori;Kommentar\n2024-11-18;Klotter;ok\n2024-11-19;Klotter;\"ej avslutad\n2024-11-20;Klotter;x\n";
    let r = upload(
        &web,
        "/importera/observationer",
        "/importera/observationer",
        &[("forum_id", &forum)],
        Some(("trasig.csv", broken.as_bytes())),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Rad 3, kolumn ”Kommentar”: fältet börjar med citattecken"), "{html}");
    assert!(html.contains("aria-invalid=\"true\""), "the file field is marked");

    let mut mixed = "Datum;Kategori;Kommentar\n2024-11-18;Klotter;Östervärn\n2024-11-19;Klotter;G".as_bytes().to_vec();
    mixed.push(0xE4); // "ä" in Windows-1252, inside a UTF-8 file
    mixed.extend_from_slice(b"rdet\n");
    let r =
        upload(&web, "/importera/observationer", "/importera/observationer", &[("forum_id", &forum)], Some(("blandad.csv", &mixed))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("rad 3 innehåller tecken i en annan teckenkodning"), "{html}");
    assert!(html.contains("Gärdet"), "the context is shown so the user finds the word");

    let r = upload(&web, "/importera/observationer", "/importera/observationer", &[("forum_id", &forum)], None).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Välj en fil att läsa in."));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM import_uploads").await, 0, "nothing was staged");
}

async fn files_over_the_limit_are_refused_before_parsing(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let forum = w.forum.to_string();
    for mb in [21, 100] {
        let mut big = b"Datum;Kategori\n".to_vec();
        big.resize(mb * 1_000_000, b'x');
        let r =
            upload(&web, "/importera/observationer", "/importera/observationer", &[("forum_id", &forum)], Some(("stor.csv", &big))).await;
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{mb} MB");
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("Filen är {mb} MB, men högst 20 MB kan läsas in här")), "{html}");
    }
    let r =
        upload(&web, "/importera/brottsstatistik", "/importera/brottsstatistik", &[], Some(("stor.csv", &vec![b'1'; 25_000_000]))).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().await.unwrap().contains("högst 20 MB"));
    let token = app.token(w.coordinator, w.kommun).await;
    let api = app.api(&token);
    let r =
        api.req(Method::POST, "/crime-statistics").header("content-type", "text/csv").body(vec![b'1'; 21_000_000]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "payload_too_large");
    assert!(body["message"].as_str().unwrap().contains("högst 20 MB"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM import_uploads").await, 0);
}

async fn police_events_every_variant_once(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let path = fixture_path("police_events.json");

    // The command line: one JSON line, rejected elements listed, exit 0.
    let (ok, out, err) = cli(&app, &["import", "police-events", &path]).await;
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 1);
    let summary: Value = serde_json::from_str(out.trim()).unwrap();
    assert!(out.starts_with("{\"read\":21,\"new\":16,\"duplicates\":0,\"rejected\":[{\"index\":14,\"id\":521555,\"reason\":"), "{out}");
    let mut keys: Vec<&str> = summary.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["duplicates", "new", "read", "rejected"], "exactly the four fields");
    assert_eq!((summary["read"].as_u64(), summary["new"].as_u64(), summary["duplicates"].as_u64()), (Some(21), Some(16), Some(0)));
    let rejected = summary["rejected"].as_array().unwrap();
    let indexes: Vec<u64> = rejected.iter().map(|r| r["index"].as_u64().unwrap()).collect();
    assert_eq!(indexes, [14, 15, 17, 19, 20]);
    assert_eq!(rejected[0]["id"], 521555);
    assert!(rejected[0]["reason"].as_str().unwrap().contains("”datetime”"));
    let (ok, out, _) = cli(&app, &["import", "police-events", &path]).await;
    assert!(ok);
    let again: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!((again["new"].as_u64(), again["duplicates"].as_u64()), (Some(0), Some(16)), "deduplicated by id");

    // Unreadable files end non-zero, with the reason.
    let (ok, _, err) = cli(&app, &["import", "police-events", "/finns/inte.json"]).await;
    assert!(!ok && err.contains("kan inte läsa /finns/inte.json"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"id\": 1}").unwrap();
    let (ok, _, err) = cli(&app, &["import", "police-events", bad.to_str().unwrap()]).await;
    assert!(!ok && err.contains("inte en lista över händelser"), "{err}");

    // Stored with the place as published and the centroid as low precision.
    let appr = &app;
    let row = |id: i64| async move {
        appr.store()
            .read(move |db| {
                Ok(db.map_one::<(Option<String>, Option<String>, f64, f64, String, i64)>(
                    "SELECT municipality_code, county_code, lon, lat, url, week FROM police_events WHERE id = $1",
                    &[id.into()],
                    |r| {
                        Ok((
                            r.get("municipality_code")?,
                            r.get("county_code")?,
                            r.get("lon")?,
                            r.get("lat")?,
                            r.get("url")?,
                            r.get("week")?,
                        ))
                    },
                )?)
            })
            .await
            .unwrap()
    };
    let trelleborg = row(521474).await;
    assert_eq!((trelleborg.0.as_deref(), trelleborg.1.as_deref()), (Some("1287"), Some("12")));
    assert_eq!((trelleborg.2, trelleborg.3), (13.16, 55.38), "rounded to 0.01°: an area's centre, not a place");
    assert!(trelleborg.4.starts_with("https://polisen.se/aktuellt/"), "relative URL made absolute");
    assert_eq!(trelleborg.5, 202447);
    let county = row(521481).await;
    assert_eq!((county.0, county.1.as_deref()), (None, Some("12")), "Skåne län is the county");
    let summer = row(521560).await;
    assert_eq!(summer.5, 202425, "9:58:49 +02:00 is read");

    // The page: the same events again are duplicates; the same file twice is recognised.
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let json = fixture("police_events.json");
    let r = upload(&web, "/importera/polisen", "/importera/polisen", &[], Some(("handelser.json", &json))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        text_of(&html, "section.flash").unwrap().contains("21 händelser i filen: 0 nya, 16 fanns redan, 5 kunde inte läsas."),
        "{html}"
    );
    assert!(html.contains("fältet ”datetime” (”igår kväll”)"), "rejected elements are explained");
    let r = upload(&web, "/importera/polisen", "/importera/polisen", &[], Some(("handelser.json", &json))).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("Samma fil lästes in") && html.contains("av Test samordnare@trelleborg.se"), "{html}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM police_events").await, 16);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM import_batches WHERE kind = 'police_events'").await, 1);

    // The API: import and list by municipality and week.
    let token = app.token(w.coordinator, w.kommun).await;
    let api = app.api(&token);
    let r = api.req(Method::POST, "/police-events").header("content-type", "application/json").body(json.clone()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let s: Value = r.json().await.unwrap();
    assert_eq!((s["read"].as_u64(), s["new"].as_u64(), s["duplicates"].as_u64()), (Some(21), Some(0), Some(16)));
    let (status, events) = api.get("/police-events?municipality=1287&from_week=2024-W47&to_week=2024-W47").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<i64> = events.as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [521530, 521515, 521480, 521474], "newest first, only Trelleborg's week 47");
    for e in events.as_array().unwrap() {
        assert_eq!(e["precision"], "municipality");
        if e["id"] == 521515 {
            assert_eq!(e["centroid"], Value::Null, "published without gps");
        } else {
            assert_eq!(e["centroid"], json!([13.16, 55.38]));
        }
    }
    let (_, with_county) = api.get("/police-events?municipality=1287&from_week=2024-W47&to_week=2024-W47&include_county_wide=true").await;
    let county: Vec<&Value> = with_county.as_array().unwrap().iter().filter(|e| e["precision"] == "county").collect();
    assert_eq!(county.len(), 1);
    assert_eq!(county[0]["location_name"], "Skåne län");
    let (status, e) = api.get("/police-events?municipality=1287&from_week=vecka%2047").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "from_week");
    let r = api.req(Method::POST, "/police-events").header("content-type", "application/json").body("[1,").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert!(e["message"].as_str().unwrap().contains("inte giltig JSON"), "{e}");
}

async fn each_forum_maps_event_types_to_its_categories(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let (ok, _, err) = cli(&app, &["import", "police-events", &fixture_path("police_events.json")]).await;
    assert!(ok, "{err}");
    let forum = w.forum;
    let cats: Vec<(i64, String)> = app
        .store()
        .read(move |db| {
            Ok(db.map_all("SELECT id, name FROM categories WHERE forum_id = $1", &[forum.into()], |r| Ok((r.get("id")?, r.get("name")?)))?)
        })
        .await
        .unwrap();
    let cat = |name: &str| cats.iter().find(|c| c.1 == name).unwrap().0.to_string();
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let page = format!("/importera/polisen/kategorier/{forum}");
    let (status, html) = web.get_html(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Forumet använder standardkopplingen"));
    let index = |html: &str, t: &str| {
        let doc = scraper::Html::parse_document(html);
        let sel = scraper::Selector::parse("input[type=hidden]").unwrap();
        doc.select(&sel)
            .find(|i| i.value().attr("value") == Some(t))
            .and_then(|i| i.value().attr("name"))
            .unwrap()
            .trim_start_matches("type_")
            .to_owned()
    };
    let i = index(&html, "Skadegörelse");
    assert_eq!(selected(&html, &format!("category_{i}")), Some(cat("Skadegörelse")), "the default mapping");
    let i = index(&html, "Bråk");
    assert_eq!(selected(&html, &format!("category_{i}")), Some(cat("Ordningsstörning")));
    let i = index(&html, "Ofredande/förargelse");
    assert_eq!(selected(&html, &format!("category_{i}")), Some(cat("Ordningsstörning")));

    let (klotter, annat) = (cat("Klotter"), cat("Annat"));
    let r = web
        .submit(
            &page,
            &page,
            &[
                ("type_0", "Skadegörelse"),
                ("category_0", &klotter),
                ("type_1", "Trafikolycka"),
                ("category_1", &annat),
                ("type_2", "Bråk"),
                ("category_2", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = web.get_html(&page).await;
    assert!(!html.contains("Forumet använder standardkopplingen"));
    let i = index(&html, "Skadegörelse");
    assert_eq!(selected(&html, &format!("category_{i}")), Some(klotter.clone()));
    let i = index(&html, "Bråk");
    assert_eq!(selected(&html, &format!("category_{i}")), None, "saved as no category");
    let i = index(&html, "Trafikolycka");
    assert_eq!(selected(&html, &format!("category_{i}")), Some(annat.clone()), "a type the forum added is listed");
    let v = stories::viewer(app.store(), w.coordinator).await;
    let map = app.store().read(move |db| brygga_store::picture::police_events::category_map(db, &v, forum)).await.unwrap();
    assert_eq!(map.len(), 2);
    assert_eq!(map["Trafikolycka"].to_string(), annat);

    // A category from another forum is refused; members who do not convene only read.
    let r = web.submit(&page, &page, &[("type_0", "Skadegörelse"), ("category_0", "999999")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let member = app.browser();
    member.login("vard@trelleborgshem.se", PASSWORD).await;
    let (status, html) = member.get_html(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<select") && html.contains("kan ändra kopplingen"));
    let r = member.submit(&page, &page, &[("type_0", "Skadegörelse"), ("category_0", &annat)]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn crime_statistics_in_windows_1252_with_suppressed_values(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let file = fixture("crime_stats_long_cp1252.csv");
    let r = upload(&web, "/importera/brottsstatistik", "/importera/brottsstatistik", &[], Some(("brott.csv", &file))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let result = text_of(&html, "section.flash").unwrap();
    assert!(result.contains("9 värden sparade: 9 nya och 0 som ersatte tidigare inlästa. 2 värden redovisas inte"), "{result}");
    assert!(result.contains("Windows-1252 (ANSI), avgränsad med semikolon"), "{result}");
    let appr = &app;
    let value = |month: i64| async move {
        appr.store()
            .read(move |db| {
                Ok(db.scalar::<Option<f64>>(
                    "SELECT crime_count FROM crime_statistics WHERE municipality_code = '1287' AND year = 2023 AND month = $1 AND offence = 'Skadegörelse'",
                    &[month.into()],
                )?)
            })
            .await
            .unwrap()
    };
    assert_eq!(value(1).await, Some(31.0));
    assert_eq!(value(3).await, None, "”..” is no value, not zero");

    let r = upload(&web, "/importera/brottsstatistik", "/importera/brottsstatistik", &[], Some(("brott-igen.csv", &file))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Samma fil (”brott.csv”) importerades redan"));

    let broken = "Region;År;Månad;Brottstyp;Antal\nTrelleborg;2024;1;Rån;3\nTrelleborg;2024;2;Rån;tre\n";
    let r = upload(&web, "/importera/brottsstatistik", "/importera/brottsstatistik", &[], Some(("fel.csv", broken.as_bytes()))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let errors = row_errors(&html);
    assert_eq!((errors[0].0.as_str(), errors[0].1.as_str()), ("3", "Antal"), "{errors:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM crime_statistics WHERE year = 2024").await, 0, "nothing of the broken file");

    // The API: a BOM file as text/csv; a second export replaces values key by key.
    let token = app.token(w.coordinator, w.kommun).await;
    let api = app.api(&token);
    let bom = fixture("crime_stats_long_bom.csv");
    let r = api.req(Method::POST, "/crime-statistics").header("content-type", "text/csv").body(bom.clone()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["replaced"], 0);
    let rows = first["rows"].as_u64().unwrap();
    let r = api.req(Method::POST, "/crime-statistics").header("content-type", "text/csv").body(bom.clone()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["errors"][0]["code"], "import.same_file");
    let revised = String::from_utf8(bom).unwrap().replace("2024M01;Skadegörelse;38", "2024M01;Skadegörelse;40");
    let r = api.req(Method::POST, "/crime-statistics").header("content-type", "text/csv").body(revised).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let second: Value = r.json().await.unwrap();
    assert_eq!((second["new"].as_u64(), second["replaced"].as_u64()), (Some(0), Some(rows)));
    let (status, list) = api.get("/crime-statistics?municipality=1287&from=2024-01&to=2024-02").await;
    assert_eq!(status, StatusCode::OK);
    let skadegorelse: Vec<&Value> = list.as_array().unwrap().iter().filter(|s| s["offence"] == "Skadegörelse").collect();
    assert_eq!(skadegorelse.len(), 2);
    assert_eq!((skadegorelse[0]["month"].as_i64(), skadegorelse[0]["count"].as_f64()), (Some(1), Some(40.0)));
    assert_eq!(skadegorelse[1]["count"], Value::Null, "suppressed");
    let r = api.req(Method::POST, "/crime-statistics").header("content-type", "text/csv").body(broken).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["errors"][0]["field"], "row:3:Antal");

    // The command line, from a workbook.
    let (ok, out, err) = cli(&app, &["import", "crime-stats", &fixture_path("crime_stats.xlsx"), "--org", "Trelleborgs kommun"]).await;
    assert!(ok, "{err}");
    let done: Value = serde_json::from_str(out.trim()).unwrap();
    assert!(done["rows"].as_u64().unwrap() > 0, "{done}");
    let (ok, _, err) = cli(&app, &["import", "crime-stats", &fixture_path("crime_stats.xlsx"), "--org", "Trelleborgs kommun"]).await;
    assert!(!ok && err.contains("importerades redan"), "{err}");
}

async fn safety_surveys_are_shared_as_chosen(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let forum = format!("forum:{}", w.forum);
    let file = fixture("safety_survey_cp1252.csv");
    let fields = [("municipality", "Trelleborg"), ("visibility", forum.as_str())];
    let r = upload(&web, "/importera/trygghetsmatning", "/importera/trygghetsmatning", &fields, Some(("trygghet.csv", &file))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let result = text_of(&html, "section.flash").unwrap();
    assert!(result.starts_with("Mätningen är inläst 4 resultat sparade."), "{result}");
    assert!(html.contains("andelen redovisas inte"), "the suppressed row is listed");
    let share: f64 =
        app.store().read(|db| Ok(db.scalar("SELECT share_unsafe FROM safety_surveys WHERE area_name = 'Centrum'", &[])?)).await.unwrap();
    assert!((share - 0.1825).abs() < 1e-9);
    let appr = &app;
    let read = |user: i64| async move {
        let v = stories::viewer(appr.store(), user).await;
        appr.store().read(move |db| brygga_store::picture::statistics::safety_surveys(db, &v, "1287", Some(2024))).await.unwrap().len()
    };
    assert_eq!(read(w.tenant_member).await, 4, "a forum partner reads what was shared with the forum");
    assert_eq!(read(w.outsider).await, 0, "an outsider reads nothing");

    let bad = [("municipality", "Atlantis"), ("visibility", "organisation")];
    let r = upload(&web, "/importera/trygghetsmatning", "/importera/trygghetsmatning", &bad, Some(("t.csv", &file))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Hittar ingen kommun som heter ”Atlantis”"));

    let (ok, out, err) = cli(
        &app,
        &[
            "import",
            "safety-survey",
            &fixture_path("safety_survey.xlsx"),
            "--org",
            "Trelleborgs kommun",
            "--municipality",
            "1287",
            "--forum",
            "EST Trelleborg",
        ],
    )
    .await;
    assert!(ok, "{err}");
    let done: Value = serde_json::from_str(out.trim()).unwrap();
    assert!(done["rows"].as_u64().unwrap() > 0, "{done}");
}

/// What the stand-in for the police's API saw.
#[derive(Default)]
struct Seen {
    requests: Vec<(Instant, String)>,
}

fn event(id: i64, summary: &str) -> Value {
    json!({
        "id": id,
        "datetime": "2024-11-23 3:12:45 +01:00",
        "name": format!("23 november 03.12, Brand, Trelleborg ({id})"),
        "summary": summary,
        "url": format!("/aktuellt/handelser/2024/november/23/{id}/"),
        "type": "Brand",
        "location": { "name": "Trelleborg", "gps": "55.375806,13.156936" }
    })
}

async fn the_harvester_keeps_to_the_police_rules(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let seen = Arc::new(Mutex::new(Seen::default()));
    let s2 = seen.clone();
    let api = axum::Router::new().route(
        "/api/events",
        axum::routing::get(move |headers: axum::http::HeaderMap| {
            let seen = s2.clone();
            async move {
                let ua = headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                let n = {
                    let mut s = seen.lock().unwrap();
                    s.requests.push((Instant::now(), ua));
                    s.requests.len()
                };
                let body = if n == 1 {
                    json!([event(1, "Brand i container."), event(2, "Brand i bil.")])
                } else {
                    json!([event(1, "Brand i container, släckt."), event(2, "Brand i bil."), event(3, "Brand i papperskorg.")])
                };
                axum::Json(body)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, api).await });
    let config = HarvestConfig {
        url: format!("http://{addr}/api/events"),
        contact: "drift@trelleborg.se".into(),
        // Asking for every second: the harvester still keeps 10 s between requests.
        interval: Duration::from_secs(1),
    };
    let harvester = harvest::spawn(app.store().clone(), config);
    tokio::time::sleep(Duration::from_millis(11_500)).await;
    harvester.abort();
    server.abort();

    let requests = seen.lock().unwrap().requests.clone();
    assert_eq!(requests.len(), 2, "one request at start, the next after 10 s, none in between");
    let gap = requests[1].0 - requests[0].0;
    assert!(gap >= Duration::from_secs(10), "{gap:?}");
    let ua = format!("Brygga/{} (+kontakt: drift@trelleborg.se)", env!("CARGO_PKG_VERSION"));
    assert!(requests.iter().all(|(_, u)| *u == ua), "{requests:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM police_events").await, 3, "deduplicated by id, history kept");
    let summary: String = app.store().read(|db| Ok(db.scalar("SELECT summary FROM police_events WHERE id = 1", &[])?)).await.unwrap();
    assert_eq!(summary, "Brand i container, släckt.", "an event the police edited is updated");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM import_batches").await, 0, "harvested events belong to no batch");
}

async fn the_command_line_imports_observations_all_or_nothing(b: Backend) {
    let Some((app, w)) = setup(b).await else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vecka47.csv");
    std::fs::write(&file, WEEK_47).unwrap();
    let path = file.to_str().unwrap();
    let forum = w.forum.to_string();

    // Columns guessed from the headers, every row in, one JSON line.
    let (ok, out, err) = cli(&app, &["import", "observations", path, "--forum", &forum, "--user", "samordnare@trelleborg.se"]).await;
    assert!(ok, "{err}");
    let done: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(done["rows"], 3);
    let stored: (i64, i64, i64) = app
        .store()
        .read(|db| {
            Ok(db.map_one(
                "SELECT COUNT(*) AS n, CAST(SUM(quantity) AS BIGINT) AS q, COUNT(DISTINCT reporter_user_id) AS reporters FROM observations",
                &[],
                |r| Ok((r.get("n")?, r.get("q")?, r.get("reporters")?)),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(stored, (3, 6, 1));

    // The same file again: refused, nothing more written.
    let (ok, _, err) = cli(&app, &["import", "observations", path, "--forum", &forum, "--user", "samordnare@trelleborg.se"]).await;
    assert!(!ok && err.contains("Samma fil (”vecka47.csv”) importerades redan"), "{err}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM observations").await, 3);

    // One bad row: nothing at all, and the row and column are named.
    let bad = dir.path().join("fel.csv");
    std::fs::write(&bad, WEEK_47.replace("Skadegörelse", "Cykelstöld")).unwrap();
    let (ok, _, err) =
        cli(&app, &["import", "observations", bad.to_str().unwrap(), "--forum", &forum, "--user", "samordnare@trelleborg.se"]).await;
    assert!(!ok && err.contains("Rad 4, kolumn ”Kategori”"), "{err}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM observations").await, 3);

    // The account's rights apply: a reader cannot import; an unknown account is named.
    let other = dir.path().join("annan.csv");
    std::fs::write(&other, WEEK_47.replace("Krossad ruta", "Ny ruta")).unwrap();
    let other = other.to_str().unwrap();
    let (ok, _, err) = cli(&app, &["import", "observations", other, "--forum", &forum, "--user", "las@trelleborg.se"]).await;
    assert!(!ok && err.contains("Import kräver rollen"), "{err}");
    let (ok, _, err) = cli(&app, &["import", "observations", other, "--forum", &forum, "--user", "ingen@example.se"]).await;
    assert!(!ok && err.contains("hittar inget konto med e-postadressen ”ingen@example.se”"), "{err}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM observations").await, 3);
}

/// The benchmark generator (scripts/bench-lagesbild) on a small scale: every municipality gets
/// its forum, places and reports, and the picture of a synthetic forum works.
async fn the_national_year_generator_fills_an_empty_database(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let (ok, out, err) = cli(&app, &["generate", "national-year", "--observations", "6000", "--police-events", "300"]).await;
    assert!(ok, "{err}");
    let done: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(done["municipalities"], 290);
    assert_eq!(done["police_events"], 300);
    let written = done["observations"].as_i64().unwrap();
    assert!((4000..8000).contains(&written), "about the number asked for: {written}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM observations").await, written);
    assert_eq!(count(&app, "SELECT COUNT(DISTINCT municipality_code) FROM forums").await, 290);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM areas").await, 290 * 8);

    // Filling a database that has forums is refused.
    let (ok, _, err) = cli(&app, &["generate", "national-year", "--observations", "10"]).await;
    assert!(!ok && err.contains("fyller bara en tom"), "{err}");

    // A generated file imports into a synthetic forum.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("import.csv");
    let (ok, _, err) = cli(&app, &["generate", "import-file", "--out", file.to_str().unwrap(), "--rows", "500"]).await;
    assert!(ok, "{err}");
    let (ok, out, err) = cli(
        &app,
        &["import", "observations", file.to_str().unwrap(), "--forum", "EST Malmö (syntetisk)", "--user", "samordnare-1280@kommun.example"],
    )
    .await;
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<Value>(out.trim()).unwrap()["rows"], 500);
}

crate::both_backends!(
    the_wizard_imports_a_spreadsheet_all_at_once,
    one_bad_row_imports_nothing_and_every_error_is_named,
    broken_files_are_explained_by_row_and_column,
    files_over_the_limit_are_refused_before_parsing,
    police_events_every_variant_once,
    each_forum_maps_event_types_to_its_categories,
    crime_statistics_in_windows_1252_with_suppressed_values,
    safety_surveys_are_shared_as_chosen,
    the_harvester_keeps_to_the_police_rules,
    the_command_line_imports_observations_all_or_nothing,
    the_national_year_generator_fills_an_empty_database,
);
