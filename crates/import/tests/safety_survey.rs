//! Safety survey results: fixtures, share scales, and bad input.

use brygga_import::safety_survey::{SafetySurvey, SafetySurveyError, SafetySurveyRow, parse_safety_survey, parse_safety_survey_with};
use brygga_import::tabular::{ReadOptions, SourceFormat, TableError, TextEncoding};
use brygga_import::{ImportOptions, RowError};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn r(area: &str, question: &str, year: i16, share: f64, n: Option<u32>) -> SafetySurveyRow {
    SafetySurveyRow { area: area.to_owned(), question: question.to_owned(), year, share_unsafe: share, respondents: n }
}

fn ok(text: &str) -> SafetySurvey {
    parse_safety_survey(text.as_bytes(), None).unwrap_or_else(|e| panic!("{e}"))
}

fn shares(text: &str) -> Vec<f64> {
    ok(text).rows.iter().map(|r| r.share_unsafe).collect()
}

fn single_error(text: &str) -> RowError {
    match parse_safety_survey(text.as_bytes(), None) {
        Err(SafetySurveyError::Rows(mut e)) => {
            assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
            e.errors.remove(0)
        }
        other => panic!("expected one row error, got {other:?}"),
    }
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12)
}

const Q: &str = "Otrygg utomhus sent en kväll";

#[test]
fn windows_1252_fixture_with_percent_signs() {
    let s = parse_safety_survey(&fixture("safety_survey_cp1252.csv"), None).unwrap();
    assert_eq!(s.format, SourceFormat::Csv { encoding: TextEncoding::Windows1252, delimiter: ';' });
    assert_eq!(s.rows.len(), 4);
    assert_eq!(s.rows[0].area, "Östervärn");
    assert_eq!(s.rows[0].question, Q);
    assert!((s.rows[0].share_unsafe - 0.235).abs() < 1e-12);
    assert_eq!(s.rows[0].respondents, Some(412));
    assert_eq!(s.rows[2].respondents, Some(1032));
    assert_eq!(s.rows[3].area, "Skegrie");
    assert_eq!(s.rows[3].respondents, None);
    // The suppressed share is skipped with its row number.
    assert_eq!(s.skipped.len(), 1);
    assert_eq!(s.skipped[0].row, 5);
}

#[test]
fn utf8_bom_fixture_with_fractions_and_tabs() {
    let s = parse_safety_survey(&fixture("safety_survey_fraction_bom.tsv"), None).unwrap();
    assert_eq!(s.format, SourceFormat::Csv { encoding: TextEncoding::Utf8Bom, delimiter: '\t' });
    assert_eq!(
        s.rows,
        [
            r("Östervärn", Q, 2023, 0.262, Some(388)),
            r("Östervärn", Q, 2024, 0.235, Some(412)),
            r("Västra Innerstaden", "Oro för brott mot bostaden", 2024, 0.08, Some(250)),
        ]
    );
}

#[test]
fn xlsx_fixture_with_percent_header() {
    let s = parse_safety_survey(&fixture("safety_survey.xlsx"), Some("trygghet.xlsx")).unwrap();
    let got: Vec<f64> = s.rows.iter().map(|r| r.share_unsafe).collect();
    assert!(close(&got, &[0.235, 0.18]), "{got:?}");
    assert_eq!(s.rows[1].respondents, Some(1032));
}

#[test]
fn share_scales() {
    // Fractions.
    assert!(close(&shares("Område;Fråga;År;Andel\nA;q;2024;0,235\nB;q;2024;1\nC;q;2024;0\n"), &[0.235, 1.0, 0.0]));
    // Percent without sign: one value above 1 makes the column percent.
    assert!(close(&shares("Område;Fråga;År;Andel\nA;q;2024;23,5\nB;q;2024;0,5\n"), &[0.235, 0.005]));
    // A header saying percent.
    assert!(close(&shares("Område;Fråga;År;Andel otrygga (%)\nA;q;2024;0,5\n"), &[0.005]));
    assert!(close(&shares("Område;Fråga;År;Andel otrygga, procent\nA;q;2024;1\n"), &[0.01]));
    // Percent signs always win.
    assert!(close(&shares("Område;Fråga;År;Andel\nA;q;2024;0,5 %\nB;q;2024;0,25\n"), &[0.005, 0.25]));
    // English header and point decimals.
    assert!(close(&shares("area,question,year,share_unsafe,n\nA,q,2024,0.235,12\n"), &[0.235]));
}

#[test]
fn share_out_of_range() {
    let e = single_error("Område;Fråga;År;Andel\nA;q;2024;120 %\n");
    assert_eq!((e.row, e.column.as_deref()), (2, Some("Andel")));
    assert_eq!(e.code, "safety_survey.share_range");
    let e = single_error("Område;Fråga;År;Andel\nA;q;2024;-0,1\n");
    assert_eq!(e.code, "safety_survey.share_range");
    let e = single_error("Område;Fråga;År;Andel\nA;q;2024;-5 %\n");
    assert_eq!(e.code, "safety_survey.share_range");
    let e = single_error("Område;Fråga;År;Andel\nA;q;2024;101\n");
    assert_eq!(e.code, "safety_survey.share_range");
}

#[test]
fn text_in_number_columns() {
    let e = single_error("Område;Fråga;År;Andel;Antal svar\nA;q;2024;hög;12\n");
    assert_eq!((e.column.as_deref(), e.code), (Some("Andel"), "safety_survey.share"));
    assert!(e.message.contains("”hög” är ingen andel"), "{}", e.message);
    let e = single_error("Område;Fråga;År;Andel;Antal svar\nA;q;2024;0,2;tolv\n");
    assert_eq!((e.column.as_deref(), e.code), (Some("Antal svar"), "safety_survey.respondents"));
    let e = single_error("Område;Fråga;År;Andel;Antal svar\nA;q;2024;0,2;-3\n");
    assert_eq!(e.code, "safety_survey.respondents");
    let e = single_error("Område;Fråga;År;Andel;Antal svar\nA;q;2024;0,2;12,5\n");
    assert_eq!(e.code, "safety_survey.respondents");
    let e = single_error("Område;Fråga;År;Andel\nA;q;hösten 2024;0,2\n");
    assert_eq!((e.column.as_deref(), e.code), (Some("År"), "safety_survey.year"));
}

#[test]
fn empty_share_is_an_error_but_suppressed_is_skipped() {
    let e = single_error("Område;Fråga;År;Andel\nA;q;2024;\n");
    assert_eq!(e.code, "safety_survey.share_missing");
    let s = ok("Område;Fråga;År;Andel\nA;q;2024;..\nB;q;2024;0,3\n");
    assert_eq!(s.rows.len(), 1);
    assert_eq!(s.skipped[0].row, 2);
}

#[test]
fn missing_area_or_question() {
    let e = single_error("Område;Fråga;År;Andel\n;q;2024;0,2\n");
    assert_eq!(e.code, "safety_survey.area_missing");
    let e = single_error("Område;Fråga;År;Andel\nA;;2024;0,2\n");
    assert_eq!(e.code, "safety_survey.question_missing");
}

#[test]
fn duplicates() {
    let e = single_error("Område;Fråga;År;Andel\nA;q;2024;0,2\nA;q;2024;0,3\n");
    assert_eq!((e.row, e.code), (3, "safety_survey.duplicate"));
    assert!(e.message.contains("rad 2"));
}

#[test]
fn missing_columns_empty_and_header_only() {
    match parse_safety_survey("Område;År;Andel\nA;2024;0,2\n".as_bytes(), None) {
        Err(e @ SafetySurveyError::MissingColumns { .. }) => {
            assert!(e.to_string().contains("saknar kolumnen ”Fråga”"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(parse_safety_survey(b"", None), Err(SafetySurveyError::Table(TableError::Empty))));
    assert_eq!(parse_safety_survey("Område;Fråga;År;Andel\n".as_bytes(), None), Err(SafetySurveyError::NoData));
}

#[test]
fn broken_quoting_and_size_limit() {
    assert!(matches!(
        parse_safety_survey("Område;Fråga;År;Andel\nA;\"q;2024;0,2\n".as_bytes(), None),
        Err(SafetySurveyError::Table(TableError::UnterminatedQuote { row: 2, .. }))
    ));
    let options = ImportOptions { read: ReadOptions { max_bytes: 10 }, ..ImportOptions::default() };
    assert!(matches!(
        parse_safety_survey_with(b"Omrade;Fraga;Ar;Andel\n", None, &options),
        Err(SafetySurveyError::Table(TableError::TooLarge { .. }))
    ));
}
