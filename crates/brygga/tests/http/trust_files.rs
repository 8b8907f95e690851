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
    for (name, text) in
        [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS), ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)]
    {
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

    for (file, expected) in [(&grid, ["Kalkylbladet ”Blad1”", "XFD1048576", "högst 1 000"]), (&bomb, ["för stort", "256 MB", "dela upp"])] {
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

crate::both_backends!(trust_files_hostile_workbooks_are_refused_on_every_upload_path);
