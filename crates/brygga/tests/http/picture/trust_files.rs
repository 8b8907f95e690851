//! Files built to take the server down (issue 11, findings 1 and 7): a workbook claiming the
//! whole grid, a zip bomb, a serpentine polygon. Each upload path refuses or accepts them with a
//! Swedish message, writes nothing it refuses, and the server keeps answering.

use std::io::Write;

use brygga_store::ConnExt;
use brygga_store_tests::stories;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use zip::write::SimpleFileOptions;

use crate::common::{Backend, Browser, PASSWORD, TestApp, csrf_in};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// An XLSX with one sheet: `filler` repeated `times`, then `sheet_data`, inside `<sheetData>`.
fn xlsx(sheet_data: &str, filler: &[u8], times: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_level(Some(1));
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ] {
        zip.start_file(name, o).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", o).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>"#).unwrap();
    for _ in 0..times {
        zip.write_all(filler).unwrap();
    }
    zip.write_all(sheet_data.as_bytes()).unwrap();
    zip.write_all(b"</sheetData></worksheet>").unwrap();
    zip.finish().unwrap().into_inner()
}

/// The review's file: inline strings in A1, B1 and XFD1048576.
fn whole_grid() -> Vec<u8> {
    let c = |r: &str, t: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{t}</t></is></c>"#);
    xlsx(&format!(r#"<row r="1">{}{}</row><row r="1048576">{}</row>"#, c("A1", "Datum"), c("B1", "Kategori"), c("XFD1048576", "x")), b"", 0)
}

/// 300 MB of whitespace in the sheet, a few MB on the wire.
fn zip_bomb() -> Vec<u8> {
    xlsx("", &vec![b' '; 1024 * 1024], 300)
}

fn multipart(fields: &[(&str, &str)], file: (&str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "----brygga-trust-files-5c1e";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(web: &Browser, page: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> (StatusCode, String) {
    let (_, html) = web.get_html(page).await;
    let csrf = csrf_in(&html);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let (ct, body) = multipart(&all, file);
    let r = web.client.post(format!("{}{page}", web.base)).header("content-type", ct).body(body).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.store().read(move |db| Ok(db.scalar::<i64>(sql, &[])?)).await.unwrap()
}

async fn healthy(app: &TestApp) {
    let r = reqwest::get(app.url("/healthz")).await.expect("the server still answers");
    assert_eq!(r.text().await.unwrap(), "ok");
}

async fn trust_files_hostile_workbooks_are_refused_on_every_upload_path(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::est(app.store()).await;
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let forum = w.forum.to_string();
    let survey_visibility = format!("forum:{}", w.forum);
    let grid = whole_grid();
    assert!(grid.len() < 2_000, "{} bytes", grid.len());
    let bomb = zip_bomb();
    assert!(bomb.len() < 5_000_000, "{} bytes", bomb.len());

    for (file, expected) in [(&grid, ["Kalkylbladet ”Blad1”", "XFD1048576", "högst 1 000"]), (&bomb, ["för stort", "256 MB", "dela upp"])]
    {
        let pages: [(&str, Vec<(&str, &str)>); 3] = [
            ("/importera/observationer", vec![("forum_id", forum.as_str())]),
            ("/importera/brottsstatistik", vec![]),
            ("/importera/trygghetsmatning", vec![("municipality", "Trelleborg"), ("visibility", survey_visibility.as_str())]),
        ];
        for (page, fields) in pages {
            let (status, html) = upload(&web, page, &fields, ("rutnät.xlsx", file)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}: {html}");
            for e in expected {
                assert!(html.contains(e), "{page} should say {e:?}: {html}");
            }
            healthy(&app).await;
        }
    }

    // The API reads the content, whatever the declared type.
    let token = app.token(w.coordinator, w.kommun).await;
    let api = app.api(&token);
    let r = api.req(Method::POST, "/crime-statistics").header("content-type", "text/csv").body(grid.clone()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert!(e.to_string().contains("XFD1048576"), "{e}");
    healthy(&app).await;

    // The command-line importers read spreadsheets the same way.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rutnät.xlsx");
    std::fs::write(&path, &grid).unwrap();
    let path = path.to_str().unwrap();
    for args in [
        vec!["import", "crime-stats", path, "--org", "Trelleborgs kommun"],
        vec!["import", "observations", path, "--forum", forum.as_str(), "--user", "samordnare@trelleborg.se"],
    ] {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_brygga"))
            .arg("--database-url")
            .arg(app.db.url())
            .args(&args)
            .env_remove("BRYGGA_DATABASE_URL")
            .output()
            .await
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains("XFD1048576"), "{args:?}: {err}");
    }

    for table in ["import_uploads", "observations", "crime_statistics", "safety_surveys"] {
        let sql: &'static str = Box::leak(format!("SELECT COUNT(*) FROM {table}").into_boxed_str());
        assert_eq!(count(&app, sql).await, 0, "{table}: nothing was written");
    }
}

/// A comb of `teeth` one-metre teeth, 500 m long, in SWEREF 99 TM metres from `(x0, y0)`: every
/// long edge overlaps every other in x, the case where the old pairwise check was quadratic.
/// 4 × teeth + 3 positions. With `cross`, one tooth is bent into its neighbour.
fn serpentine(x0: i64, y0: i64, teeth: i64, cross: bool) -> Value {
    let mut pts = vec![[x0, y0]];
    for k in 0..teeth {
        let y = y0 + 2 * k;
        let bent = if cross && k == teeth / 2 { 3 } else { 0 };
        pts.push([x0 + 500, y]);
        pts.push([x0 + 500, y + 1 + bent]);
        pts.push([x0 + 1, y + 1]);
        pts.push([x0 + 1, y + 2]);
    }
    pts.push([x0, y0 + 2 * teeth]);
    pts.push([x0, y0]);
    serde_json::json!({"type": "Polygon", "coordinates": [pts]})
}

/// Five 20 000-position serpentines inside Trelleborg (1287), as one FeatureCollection.
fn five_serpentines(cross: bool) -> String {
    let e = brygga_domain::geography::municipality("1287").unwrap().extent().unwrap();
    let [x, y] = brygga_domain::geometry::sweref::to_sweref([(e.min_lon + e.max_lon) / 2.0, (e.min_lat + e.max_lat) / 2.0]);
    let (x0, y0) = (x as i64 - 1_500, y as i64 - 5_000);
    let features: Vec<Value> = (0..5)
        .map(|i| {
            serde_json::json!({"type": "Feature", "properties": {"name": format!("Slinga {}", i + 1)},
                "geometry": serpentine(x0 + 600 * i, y0, 4_999, cross && i == 4)})
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
}

async fn trust_files_serpentine_polygons_are_checked_off_the_async_workers(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    stories::est(app.store()).await;
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let (_, page) = web.get_html("/platser/1287/importera").await;
    let csrf = csrf_in(&page);
    let places_before = count(&app, "SELECT COUNT(*) FROM areas").await;

    // /healthz polled from a thread of its own (not the server's runtime) the whole time.
    let addr = app.base.trim_start_matches("http://").to_owned();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let poller = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut answers = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                use std::io::{Read, Write};
                if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
                    let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                    let mut out = String::new();
                    if s.read_to_string(&mut out).is_ok() && out.ends_with("ok") {
                        answers.push(std::time::Instant::now());
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            answers
        })
    };

    let good = five_serpentines(false);
    assert!(good.len() < 2_000_000, "{} bytes", good.len());
    let started = std::time::Instant::now();
    let posts: Vec<_> = (0..3)
        .map(|_| {
            let (client, url, csrf, doc) = (web.client.clone(), app.url("/platser/1287/importera"), csrf.clone(), good.clone());
            tokio::spawn(async move {
                let (ct, body) = multipart(&[("csrf", csrf.as_str()), ("crs", "auto")], ("slingor.geojson", doc.as_bytes()));
                let r = client.post(url).header("content-type", ct).body(body).send().await.unwrap();
                let status = r.status();
                let html = r.text().await.unwrap();
                (std::time::Instant::now(), status, html)
            })
        })
        .collect();
    let mut first_answer = None;
    for p in posts {
        let (at, status, html) = p.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{}", &html[..html.len().min(3000)]);
        assert!(html.contains("Importera 5 platser"), "the five serpentines are accepted");
        first_answer = Some(first_answer.map_or(at, |f: std::time::Instant| f.min(at)));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let answers = poller.join().unwrap();
    let first_answer = first_answer.unwrap();
    // While the checks ran, the server kept answering: not an assertion on time, on order.
    let during = answers.iter().filter(|t| **t > started + std::time::Duration::from_millis(100) && **t < first_answer).count();
    assert!(during >= 3, "/healthz answered {during} times while three imports were checked ({} in all)", answers.len());

    // One bent tooth: refused, named.
    let bad = five_serpentines(true);
    let (status, html) = upload(&web, "/platser/1287/importera", &[("crs", "auto")], ("slingor.geojson", bad.as_bytes())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Objekt 5 (”Slinga 5”)") && html.contains("korsar sig själv"), "{}", &html[..html.len().min(3000)]);
    healthy(&app).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM areas").await, places_before, "a dry run writes nothing");
}

crate::both_backends!(
    trust_files_hostile_workbooks_are_refused_on_every_upload_path,
    trust_files_serpentine_polygons_are_checked_off_the_async_workers
);
