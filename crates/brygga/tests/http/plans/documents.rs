//! The plan documents as files: the lägesbild and the åtgärdsplan downloaded as Word and read
//! back by python-docx (headings by style name, figures in the tables), the follow-up report as
//! Word, the plan's A4 print page, goals, indicators, measures and deviations as CSV and XLSX
//! (numbers as numbers, dates as dates); 404 for another organisation while a draft, small
//! counts hidden for readers outside the parties and for the public.

use std::io::Cursor;

use brygga_domain::time::today;
use brygga_domain::{OrgKind, Role};
use brygga_store::picture::observations::ObservationInput;
use brygga_store_tests::stories;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, Browser, PASSWORD, TestApp};
use crate::kit::docx::{cells, headings, read_docx};

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let web = app.browser();
    let r = web.login(email, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login {email}");
    web
}

/// A download: status, content type, content disposition and body.
async fn download(web: &Browser, path: &str) -> (StatusCode, String, String, Vec<u8>) {
    let r = web.get(path).await;
    let header = |name: &str| r.headers().get(name).map(|v| v.to_str().unwrap_or_default().to_owned()).unwrap_or_default();
    let (ct, cd) = (header("content-type"), header("content-disposition"));
    (r.status(), ct, cd, r.bytes().await.unwrap().to_vec())
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The table row (cells) whose first cell contains `first`.
fn row_of(doc: &Value, first: &str) -> Vec<String> {
    doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t.as_array().unwrap().iter())
        .map(|r| r.as_array().unwrap().iter().map(|c| c.as_str().unwrap_or_default().to_owned()).collect::<Vec<_>>())
        .find(|r| r.first().is_some_and(|c| c.to_lowercase().contains(&first.to_lowercase())))
        .unwrap_or_else(|| panic!("no row starting with {first} in {doc}"))
}

fn paragraphs(doc: &Value) -> Vec<String> {
    doc["paragraphs"].as_array().unwrap().iter().map(|p| p["text"].as_str().unwrap_or_default().to_owned()).collect()
}

async fn the_lagesbild_as_word(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::est(app.store()).await;
    // Today's reports shared with the forum: 2 klotter (a small count) and 5 nedskräpning.
    let at = format!("{}T00:01", today());
    let report = |category: &str, n: i64| ObservationInput {
        forum_id: w.forum,
        category: category.into(),
        area_id: Some(w.stortorget),
        observed_at: Some(at.clone()),
        quantity: Some(n),
        visibility: Some("forum".into()),
        ..Default::default()
    };
    let v = stories::viewer(app.store(), w.coordinator).await;
    crate::common::report_all(app.store(), v, vec![report("klotter", 2), report("nedskräpning", 5)]).await;
    let api = app.api(&app.token(w.coordinator, w.kommun).await);
    let year = today().year();
    let (s, d) = api
        .send(
            Method::POST,
            "/situations",
            json!({"kind": "situation", "title": "Lägesbild Trelleborg", "municipality_code": "1287", "year": year, "picture_forum_id": w.forum}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["situation"]["id"].as_i64().unwrap();
    let (s, p) = api.send(Method::POST, &format!("/situations/{id}/problems"), json!({"title": "Klotter i centrum"})).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (s, c) = api
        .send(
            Method::POST,
            &format!("/situations/{id}/problems/{}/causes", p["id"]),
            json!({"title": "Mörka passager", "triangle_side": "place", "basis": "research", "certainty": "low"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");

    let web = signed_in(&app, "samordnare@trelleborg.se").await;
    let (_, html) = web.get_html(&format!("/lagesbilder/{id}/utskrift")).await;
    assert!(html.contains(&format!("href=\"/lagesbilder/{id}/lagesbild.docx\"")), "the print view links its Word file");
    let (s, ct, cd, bytes) = download(&web, &format!("/lagesbilder/{id}/lagesbild.docx")).await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, DOCX));
    assert!(cd.contains("filename*=UTF-8''L%C3%A4gesbild%20Trelleborg%20v1.docx"), "{cd}");
    let outsider = signed_in(&app, "samordnare@engelholm.se").await;
    assert_eq!(outsider.get(&format!("/lagesbilder/{id}/lagesbild.docx")).await.status(), StatusCode::NOT_FOUND, "a draft is the parties'");
    // The API twin serves the same file to token holders; another organisation's token gets 404.
    let r = api.req(Method::GET, &format!("/situations/{id}/docx")).send().await.unwrap();
    assert_eq!((r.status(), r.headers()["content-type"].to_str().unwrap()), (StatusCode::OK, DOCX));
    let from_api = r.bytes().await.unwrap().to_vec();
    let other = app.api(&app.token(w.outsider, w.angelholm).await);
    assert_eq!(other.req(Method::GET, &format!("/situations/{id}/docx")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    let Some(doc) = read_docx(&bytes) else { return };
    assert_eq!(headings(&doc, "Title"), ["Lägesbild Trelleborg"]);
    let api_doc = read_docx(&from_api).unwrap();
    assert_eq!((&api_doc["headings"], &api_doc["tables"]), (&doc["headings"], &doc["tables"]), "the API's file is the page's");
    let h1 = headings(&doc, "Heading 1");
    for h in
        ["Brottsligheten, dess omfattning och konsekvenser", "Annan relevant information", "Analys: prioriterade problem och deras orsaker"]
    {
        assert!(h1.iter().any(|x| x == h), "{h} in {h1:?}");
    }
    let h2 = headings(&doc, "Heading 2");
    for h in ["Anmälda brott", "Rapporter (EST) per kategori", "1. Klotter i centrum"] {
        assert!(h2.iter().any(|x| x == h), "{h} in {h2:?}");
    }
    // The parties see the exact counts, with the source under the table.
    assert_eq!(row_of(&doc, "klotter")[1], "2", "{doc}");
    assert_eq!(row_of(&doc, "nedskräpning")[1], "5");
    let texts = paragraphs(&doc);
    assert!(texts.iter().any(|p| p.starts_with("Källa: EST-rapporter i forumet EST Trelleborg") && p.contains("data t.o.m.")), "{texts:?}");
    assert!(
        texts.iter().any(|p| p.starts_with("Mörka passager") && p.contains("Säkerhet: låg")),
        "the cause with basis and certainty: {texts:?}"
    );
    assert!(texts.iter().any(|p| p.starts_with("Kommun: ")) && texts.iter().any(|p| p == "Version: 1"), "the meta block: {texts:?}");

    // Adopted and published: another organisation and the public get the small count hidden.
    let (s, a) = api.send(Method::POST, &format!("/situations/{id}/adopt"), json!({"decided_by": "Kommunstyrelsen"})).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, shared) = api.send(Method::PUT, &format!("/situations/{id}/sharing"), json!({"visibility": "public"})).await;
    assert_eq!(s, StatusCode::OK, "{shared}");
    for (who, path) in
        [(&outsider, format!("/lagesbilder/{id}/lagesbild.docx")), (&app.browser(), format!("/publikt/lagesbilder/{id}/lagesbild.docx"))]
    {
        let (s, _, _, bytes) = download(who, &path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        let doc = read_docx(&bytes).expect("the reader ran above");
        assert_eq!(row_of(&doc, "klotter")[1], "färre än 3", "{path}");
        assert_eq!(row_of(&doc, "nedskräpning")[1], "5", "{path}");
        assert!(paragraphs(&doc).iter().any(|p| p.contains("Siffrorna är frysta")), "{path}");
    }
    let (s, _, _, bytes) = download(&web, &format!("/lagesbilder/{id}/lagesbild.docx")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(row_of(&read_docx(&bytes).unwrap(), "klotter")[1], "2", "the parties still see the frozen count");
}

async fn the_plan_as_word_print_and_spreadsheets(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::est(app.store()).await;
    let api = app.api(&app.token(w.coordinator, w.kommun).await);
    let (s, p) = api
        .send(
            Method::POST,
            "/plans",
            json!({"title": "Åtgärdsplan 2026–2027", "municipality_code": "1287", "period_from": "2026-01-01", "period_to": "2027-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let (_, effect) =
        api.send(Method::POST, &format!("/plans/{id}/goals"), json!({"kind": "effect", "title": "Mindre skadegörelse"})).await;
    let (s, result) = api
        .send(
            Method::POST,
            &format!("/plans/{id}/goals"),
            json!({"kind": "result", "title": "Klotter saneras inom ett dygn", "level": "area", "parent_id": effect["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{result}");
    let (s, i) = api
        .send(
            Method::POST,
            &format!("/plans/{id}/indicators"),
            json!({"goal_id": result["id"], "name": "Klotteranmälningar i centrum", "source": "manual", "manual_source": "Kommunens klotterjour",
                "unit": "antal", "direction": "decrease", "frequency": "yearly", "baseline_value": 12, "baseline_on": "2026-01-01",
                "baseline_source": "Klotterjouren 2025", "target_value": 6.5, "target_on": "2027-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{i}");
    let (s, m) = api
        .send(
            Method::POST,
            &format!("/plans/{id}/measures"),
            json!({"title": "Snabbsanering", "responsible_org_id": w.kommun, "goal_ids": [result["id"]], "start_on": "2026-03-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");

    let web = signed_in(&app, "samordnare@trelleborg.se").await;
    let outsider = signed_in(&app, "samordnare@engelholm.se").await;
    for path in [
        format!("/atgardsplaner/{id}/atgardsplan.docx"),
        format!("/atgardsplaner/{id}/utskrift"),
        format!("/atgardsplaner/{id}/export/indikatorer.csv"),
        format!("/atgardsplaner/{id}/export/insatser.xlsx"),
        format!("/atgardsplaner/{id}/uppfoljning/2026/rapport.docx"),
    ] {
        assert_eq!(outsider.get(&path).await.status(), StatusCode::NOT_FOUND, "{path}: a draft is the parties'");
    }
    assert_eq!(web.get(&format!("/atgardsplaner/{id}/export/personer.csv")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(web.get(&format!("/atgardsplaner/{id}/export/mal.pdf")).await.status(), StatusCode::NOT_FOUND);

    // The plan page links the downloads; the print page carries the document and links the Word file.
    let (_, html) = web.get_html(&format!("/atgardsplaner/{id}")).await;
    for href in ["utskrift", "atgardsplan.docx", "export/mal.csv", "export/avvikelser.xlsx"] {
        assert!(html.contains(&format!("href=\"/atgardsplaner/{id}/{href}\"")), "{href}");
    }
    let (s, html) = web.get_html(&format!("/atgardsplaner/{id}/utskrift")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("/static/document.css") && html.contains(&format!("href=\"/atgardsplaner/{id}/atgardsplan.docx\"")));
    assert!(html.contains("<h2>Mål och indikatorer</h2>") && html.contains("<h3>Effektmål: Mindre skadegörelse</h3>"), "{html}");
    assert!(
        html.contains(r#"<div class="table-wrap" tabindex="0" role="region" aria-label="Tabell: Insatser">"#),
        "named, focusable table regions"
    );
    assert!(html.contains("<td>12, 2026-01-01</td>") && html.contains("<td>6,5, 2027-12-31</td>"), "{html}");

    let (s, ct, cd, bytes) = download(&web, &format!("/atgardsplaner/{id}/atgardsplan.docx")).await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, DOCX));
    assert!(cd.contains("v1.docx"), "{cd}");
    if let Some(doc) = read_docx(&bytes) {
        assert_eq!(headings(&doc, "Title"), ["Åtgärdsplan 2026–2027"]);
        assert_eq!(
            headings(&doc, "Heading 1"),
            ["Beslut och parter", "Mål och indikatorer", "Insatser", "Processutvärdering", "Avvikelser"]
        );
        assert_eq!(headings(&doc, "Heading 2"), ["Effektmål: Mindre skadegörelse"]);
        assert_eq!(headings(&doc, "Heading 3"), ["Resultatmål: Klotter saneras inom ett dygn"]);
        let row = row_of(&doc, "Klotteranmälningar i centrum");
        assert_eq!(row[0], "Klotteranmälningar i centrum\nantal\nVarje år", "unit and frequency under the name: {row:?}");
        assert_eq!(row[3..5], ["12\n2026-01-01", "6,5\n2027-12-31"], "baseline and target with their dates: {row:?}");
        let measure = row_of(&doc, "Snabbsanering");
        assert_eq!(
            measure[2..6],
            ["från 2026-03-01", "Planerad", "Ingen dokumenterad grund", "Klotter saneras inom ett dygn"],
            "{measure:?}"
        );
        // The evaluation: failing checks first (the effect goal has no indicator of its own, no measure has a cause).
        let checks: Vec<Vec<String>> = doc["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t[0][0] == "Analys")
            .expect("the checks table")
            .as_array()
            .unwrap()
            .iter()
            .skip(1)
            .map(|r| r.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect())
            .collect();
        let first_passed = checks.iter().position(|r| r[1] == "Uppfylld").expect("a passing check");
        assert!(first_passed > 0 && checks[first_passed..].iter().all(|r| r[1] == "Uppfylld"), "{checks:?}");
        assert!(paragraphs(&doc).iter().any(|p| p.contains("Klotterjouren 2025")), "the baseline's source");
    }

    // Adopt, then a delayed measure and its deviation: the deviations export carries it.
    let (_, d) = api.get(&format!("/plans/{id}")).await;
    let header = json!({"title": "Åtgärdsplan 2026–2027", "period_from": "2026-01-01", "period_to": "2027-12-31",
        "decided_by": "Kommunfullmäktige", "decided_on": "2026-02-24", "decision_ref": "KS 2026/123"});
    let r = api
        .req(Method::PUT, &format!("/plans/{id}"))
        .header("If-Match", format!("\"{}\"", d["plan"]["version"]))
        .json(&header)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let p: Value = r.json().await.unwrap();
    let r = api.req(Method::POST, &format!("/plans/{id}/adopt")).header("If-Match", format!("\"{}\"", p["version"])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (s, dev) = api
        .send(
            Method::POST,
            &format!("/plans/{id}/deviations"),
            json!({"what": "Saneringen försenad", "why": "Leverantören byttes", "measure_id": m["id"], "decided_by": "Samordnaren", "decided_on": "2026-05-04"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{dev}");

    let r = web.get(&format!("/atgardsplaner/{id}/export/indikatorer.csv")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    assert!(csv.trim_start_matches('\u{feff}').starts_with("Indikator;Mål;Källa;Enhet;Riktning;Utgångsvärde;Utgångsdatum"), "{csv}");
    let line = csv.lines().find(|l| l.starts_with("Klotteranmälningar i centrum;")).expect("the indicator");
    assert!(line.contains(";12;2026-01-01;Klotterjouren 2025;6,5;2027-12-31;"), "{line}");
    let csv = web.get(&format!("/atgardsplaner/{id}/export/avvikelser.csv")).await.text().await.unwrap();
    assert!(
        csv.lines().any(|l| l.starts_with("Saneringen försenad;Leverantören byttes;") && l.contains(";2026-05-04;Snabbsanering;")),
        "{csv}"
    );
    let csv = web.get(&format!("/atgardsplaner/{id}/export/mal.csv")).await.text().await.unwrap();
    assert!(csv.lines().any(|l| l.starts_with("Resultatmål;Klotter saneras inom ett dygn;Mindre skadegörelse;Område;1;1;1")), "{csv}");

    let (s, ct, _, bytes) = download(&web, &format!("/atgardsplaner/{id}/export/indikatorer.xlsx")).await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Indikatorer").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let head = rows.iter().position(|r| r[0] == Data::String("Indikator".into())).expect("the header row");
    assert_eq!(rows[head][5], Data::String("Utgångsvärde".into()));
    let row = rows[head + 1];
    assert_eq!((&row[0], &row[5], &row[8]), (&Data::String("Klotteranmälningar i centrum".into()), &Data::Float(12.0), &Data::Float(6.5)));
    assert!(matches!(row[6], Data::DateTime(_)), "the baseline date is a date: {:?}", row[6]);
    let (s, _, _, bytes) = download(&web, &format!("/atgardsplaner/{id}/export/insatser.xlsx")).await;
    assert_eq!(s, StatusCode::OK);
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Insatser").unwrap();
    assert!(sheet.rows().any(|r| r[0] == Data::String("Snabbsanering".into()) && matches!(r[3], Data::DateTime(_))));

    // The adopted plan as Word: the decision in the meta block, the deviation in its table; the
    // follow-up report as Word.
    let (_, _, _, bytes) = download(&web, &format!("/atgardsplaner/{id}/atgardsplan.docx")).await;
    if let Some(doc) = read_docx(&bytes) {
        let texts = paragraphs(&doc);
        assert!(
            texts.iter().any(|p| p == "Diarienummer: KS 2026/123") && texts.iter().any(|p| p == "Beslutad av: Kommunfullmäktige"),
            "{texts:?}"
        );
        assert!(cells(&doc).contains(&"Saneringen försenad".to_owned()));
    }
    let (_, html) = web.get_html(&format!("/atgardsplaner/{id}/uppfoljning/2026/rapport")).await;
    assert!(html.contains(&format!("href=\"/atgardsplaner/{id}/uppfoljning/2026/rapport.docx\"")), "the report links its Word file");
    let (s, ct, _, bytes) = download(&web, &format!("/atgardsplaner/{id}/uppfoljning/2026/rapport.docx")).await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, DOCX));
    if let Some(doc) = read_docx(&bytes) {
        assert_eq!(headings(&doc, "Title"), ["Uppföljningsrapport 2026: Åtgärdsplan 2026–2027"]);
        let h1 = headings(&doc, "Heading 1");
        assert_eq!(h1, ["Sammanfattning", "Mål och indikatorer", "Insatser", "Avvikelser under året", "Processutvärdering"]);
        assert_eq!(row_of(&doc, "Klotteranmälningar i centrum")[2], "12");
        assert!(cells(&doc).contains(&"Saneringen försenad".to_owned()));
    }
    assert_eq!(outsider.get(&format!("/atgardsplaner/{id}/atgardsplan.docx")).await.status(), StatusCode::NOT_FOUND, "adopted, not shared");

    // The API twin: the same Word file for a token; 404 for another organisation's token.
    let r = api.req(Method::GET, &format!("/plans/{id}/docx")).send().await.unwrap();
    assert_eq!((r.status(), r.headers()["content-type"].to_str().unwrap()), (StatusCode::OK, DOCX));
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("v1.docx"));
    if let Some(doc) = read_docx(&r.bytes().await.unwrap()) {
        assert_eq!(row_of(&doc, "Klotteranmälningar i centrum")[3], "12\n2026-01-01");
    }
    let other = app.api(&app.token(w.outsider, w.angelholm).await);
    assert_eq!(other.req(Method::GET, &format!("/plans/{id}/docx")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // Published: the public page links the Word file, which anyone may download.
    let anonymous = app.browser();
    assert_eq!(anonymous.get(&format!("/publikt/atgardsplaner/{id}/atgardsplan.docx")).await.status(), StatusCode::NOT_FOUND);
    let (s, _) = api.send(Method::PUT, &format!("/plans/{id}/sharing"), json!({"visibility": "public"})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, html) = anonymous.get_html(&format!("/publikt/atgardsplaner/{id}")).await;
    assert!(html.contains(&format!("href=\"/publikt/atgardsplaner/{id}/atgardsplan.docx\"")), "the public page links its Word file");
    let (s, ct, _, bytes) = download(&anonymous, &format!("/publikt/atgardsplaner/{id}/atgardsplan.docx")).await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, DOCX));
    if let Some(doc) = read_docx(&bytes) {
        assert_eq!(headings(&doc, "Heading 2"), ["Effektmål: Mindre skadegörelse"]);
        assert_eq!(row_of(&doc, "Klotteranmälningar i centrum")[3], "12\n2026-01-01", "an entered baseline is no small count");
    }
}

async fn the_problembild_as_word(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::est(app.store()).await;
    let polis = stories::org(app.store(), "Lokalpolisområde Trelleborg", OrgKind::Police, &["1287"]).await;
    stories::user(app.store(), "samordnare@polisen.se", polis, Role::Coordinator).await;
    let api = app.api(&app.token(w.coordinator, w.kommun).await);
    let year = today().year();
    let (s, own) = api
        .send(
            Method::POST,
            "/situations",
            json!({"kind": "situation", "title": "Lägesbild Trelleborg", "municipality_code": "1287", "year": year, "picture_forum_id": w.forum}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{own}");
    let (s, d) = api
        .send(
            Method::POST,
            "/situations",
            json!({"kind": "problem_picture", "title": "Gemensam problembild Trelleborg", "municipality_code": "1287", "year": year,
                "picture_forum_id": w.forum, "co_owner_org_ids": [polis]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["situation"]["id"].as_i64().unwrap();

    // The police, a party, downloads it from the document's page.
    let police = signed_in(&app, "samordnare@polisen.se").await;
    let (s, html) = police.get_html(&format!("/lagesbilder/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/lagesbilder/{id}/problembild.docx\"")), "the page links the problembild's Word file");
    let (s, ct, cd, bytes) = download(&police, &format!("/lagesbilder/{id}/problembild.docx")).await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, DOCX));
    assert!(cd.contains("filename=\"Gemensam problembild Trelleborg v1.docx\""), "{cd}");
    let outsider = signed_in(&app, "samordnare@engelholm.se").await;
    assert_eq!(outsider.get(&format!("/lagesbilder/{id}/problembild.docx")).await.status(), StatusCode::NOT_FOUND);
    let Some(doc) = read_docx(&bytes) else { return };
    assert_eq!(headings(&doc, "Title"), ["Gemensam problembild Trelleborg"]);
    let texts = paragraphs(&doc);
    assert!(texts.iter().any(|p| p == "Parter: Lokalpolisområde Trelleborg, Trelleborgs kommun."), "{texts:?}");
    assert!(headings(&doc, "Heading 1").contains(&"Brottsligheten, dess omfattning och konsekvenser".to_owned()));
    // Its input, the municipality's draft lägesbild, is named only to those who may read it.
    assert!(!texts.iter().any(|p| p.starts_with("Bygger på")), "the police does not read the municipality's draft: {texts:?}");
    let r = api.req(Method::GET, &format!("/situations/{id}/docx")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let texts = paragraphs(&read_docx(&r.bytes().await.unwrap()).unwrap());
    assert!(texts.iter().any(|p| p == "Bygger på lägesbilderna: version 1 (utkast)."), "its inputs: {texts:?}");
}

crate::both_backends!(the_lagesbild_as_word, the_problembild_as_word, the_plan_as_word_print_and_spreadsheets);
