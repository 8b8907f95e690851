//! Word files read back by an independent reader: python-docx (installed into `.venv` by
//! `scripts/docx-check --setup`, which `scripts/test` runs before `cargo test`). Without it the
//! reading tests are skipped with a notice — except under `CI=true`, where they fail.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use brygga_web::kit::document::DocumentMeta;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn unavailable(why: String) -> Option<Value> {
    if brygga_store_tests::required() {
        panic!("the DOCX reader is required (CI=true) but unavailable: {why}; run scripts/docx-check --setup");
    }
    eprintln!("SKIPPED: DOCX reader unavailable ({why}); run scripts/docx-check --setup, or set CI=true to make this a failure");
    None
}

/// What python-docx reads in `bytes`, as JSON: `title`, `creator`, `language`, `page_mm`,
/// `headings` (`[{style, text}]`), `paragraphs` (`[{style, text}]`) and `tables` (rows of cell
/// texts). `None` (skip the test) when the reader is not installed outside CI. A file python-docx
/// cannot open fails the test.
pub fn read_docx(bytes: &[u8]) -> Option<Value> {
    let python = root().join(".venv/bin/python");
    if !python.exists() {
        return unavailable(format!("{} missing", python.display()));
    }
    let probe = Command::new(&python).args(["-c", "import docx"]).stderr(Stdio::null()).status();
    if !probe.is_ok_and(|s| s.success()) {
        return unavailable("python-docx is not installed in .venv".to_owned());
    }
    let mut child = Command::new(&python)
        .arg(root().join("tests/docx/read_docx.py"))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs the DOCX reader");
    child.stdin.take().expect("stdin").write_all(bytes).expect("writes the document");
    let out = child.wait_with_output().expect("the reader finishes");
    assert!(out.status.success(), "python-docx could not read the document: {}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).expect("the reader prints JSON"))
}

/// The texts of the headings of `style` ("Heading 1", "Title").
pub fn headings(doc: &Value, style: &str) -> Vec<String> {
    doc["headings"]
        .as_array()
        .expect("headings")
        .iter()
        .filter(|h| h["style"] == style)
        .map(|h| h["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Every cell text of every table, in order.
pub fn cells(doc: &Value) -> Vec<String> {
    doc["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .flat_map(|t| t.as_array().expect("rows").iter())
        .flat_map(|r| r.as_array().expect("cells").iter())
        .map(|c| c.as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_document_built_by_the_kit_reads_back_in_python_docx() {
    let meta = DocumentMeta {
        municipality: "Trelleborgs kommun".into(),
        period: "2026–2027".into(),
        version: Some(1),
        status: "Antagen".into(),
        decided_by: Some("Kommunstyrelsen".into()),
        decided_on: Some("2026-03-14".into()),
        decision_ref: Some("KS 2026/123".into()),
        source_note: "Källor: Brå och Brygga, hämtade 2026-12-06.".into(),
        ..DocumentMeta::new("Åtgärdsplan", "Åtgärdsplan 2026–2027")
    };
    let b = meta
        .docx()
        .heading(1, "Mål")
        .paragraph("Klotter och skadegörelse i centrum ska minska.\nTryggheten ska öka.")
        .heading(2, "Resultatmål och indikatorer")
        .table(
            &["Indikator", "Utgångsvärde", "Målvärde", "Måldatum"],
            &[
                vec!["Anmälda skadegörelsebrott".to_owned(), "1 234".to_owned(), "900".to_owned(), "2027-12-31".to_owned()],
                vec!["Andel trygga i centrum".to_owned(), "61,5 %".to_owned(), "70 %".to_owned(), "2027-12-31".to_owned()],
            ],
        )
        .caption("Källa: Brå, anmälda brott, hämtad 2026-12-06")
        .bullet("Klotterplank vid stationen")
        .page_break()
        .heading(3, "Åtgärder");
    let bytes = meta.docx_footer(b).build().expect("the document builds");
    let Some(doc) = read_docx(&bytes) else { return };

    assert_eq!(doc["title"], "Åtgärdsplan 2026–2027");
    assert_eq!(doc["creator"], "Brygga");
    assert_eq!(doc["language"], "sv-SE");
    assert_eq!(doc["page_mm"], serde_json::json!([210, 297]), "A4");
    assert_eq!(headings(&doc, "Title"), ["Åtgärdsplan 2026–2027"]);
    assert_eq!(headings(&doc, "Heading 1"), ["Mål"]);
    assert_eq!(headings(&doc, "Heading 2"), ["Resultatmål och indikatorer"]);
    assert_eq!(headings(&doc, "Heading 3"), ["Åtgärder"]);
    assert_eq!(
        cells(&doc),
        [
            "Indikator",
            "Utgångsvärde",
            "Målvärde",
            "Måldatum",
            "Anmälda skadegörelsebrott",
            "1 234",
            "900",
            "2027-12-31",
            "Andel trygga i centrum",
            "61,5 %",
            "70 %",
            "2027-12-31"
        ]
    );
    let texts: Vec<&str> = doc["paragraphs"].as_array().unwrap().iter().map(|p| p["text"].as_str().unwrap()).collect();
    for t in [
        "Beslutad av: Kommunstyrelsen",
        "Diarienummer: KS 2026/123",
        "Tryggheten ska öka.",
        "Klotterplank vid stationen",
        "Källa: Brå, anmälda brott, hämtad 2026-12-06",
    ] {
        assert!(texts.contains(&t), "{t} in {texts:?}");
    }
    let styles: Vec<&str> = doc["paragraphs"].as_array().unwrap().iter().map(|p| p["style"].as_str().unwrap()).collect();
    assert!(styles.contains(&"List Bullet") && styles.contains(&"Caption"), "{styles:?}");
}
