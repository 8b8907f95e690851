//! Reported-crime statistics: fixtures in the shapes Brå's and SCB's exports take, every
//! tolerance, and every way a file can be wrong.

use brygga_domain::geography::MunicipalityCode;
use brygga_import::crime_stats::{CrimeStatRow, CrimeStats, CrimeStatsError, Layout, parse_crime_stats, parse_crime_stats_with};
use brygga_import::tabular::{ReadOptions, SourceFormat, TableError, TextEncoding};
use brygga_import::{ImportOptions, RowError};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn m(code: &str) -> MunicipalityCode {
    MunicipalityCode::parse(code).unwrap()
}

fn row(code: &str, year: i16, month: u8, offence: &str, count: Option<f64>) -> CrimeStatRow {
    CrimeStatRow { municipality: m(code), year, month, offence: offence.to_owned(), count }
}

fn ok(text: &str) -> CrimeStats {
    parse_crime_stats(text.as_bytes(), None).unwrap_or_else(|e| panic!("{e}"))
}

fn row_errors(text: &str) -> Vec<RowError> {
    match parse_crime_stats(text.as_bytes(), None) {
        Err(CrimeStatsError::Rows(e)) => e.errors,
        other => panic!("expected row errors, got {other:?}"),
    }
}

fn single_error(text: &str) -> RowError {
    let mut errors = row_errors(text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.remove(0)
}

// ---------------------------------------------------------------------------------------------
// Fixtures

#[test]
fn long_layout_utf8_bom_with_title_totals_and_footnote() {
    let s = parse_crime_stats(&fixture("crime_stats_long_bom.csv"), Some("brott.csv")).unwrap();
    assert_eq!(s.layout, Layout::Long);
    assert_eq!(s.format, SourceFormat::Csv { encoding: TextEncoding::Utf8Bom, delimiter: ';' });
    assert_eq!(s.rows.len(), 12);
    assert_eq!(
        s.rows[..3],
        [
            row("1287", 2024, 1, "Skadegörelse", Some(38.0)),
            row("1287", 2024, 2, "Skadegörelse", None),
            row("1287", 2024, 3, "Skadegörelse", Some(41.0)),
        ]
    );
    assert_eq!(s.rows[8], row("1280", 2024, 3, "Skadegörelse", Some(1204.0)));
    assert!(s.rows[9..].iter().all(|r| r.municipality == m("1214") && r.count.is_none()));
    // County, national and footnote rows are skipped with reasons and their row numbers.
    let skipped: Vec<(usize, &str)> = s.skipped.iter().map(|k| (k.row, k.reason.as_str())).collect();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert_eq!(skipped[0].0, 16);
    assert!(skipped[0].1.contains("Skåne län"));
    assert_eq!(skipped[1].0, 17);
    assert!(skipped[1].1.contains("hela landet"));
    assert_eq!(skipped[2].0, 19);
    assert!(skipped[2].1.contains("Källa: Brå"));
}

#[test]
fn long_layout_windows_1252_with_month_names_and_year_column() {
    let s = parse_crime_stats(&fixture("crime_stats_long_cp1252.csv"), None).unwrap();
    assert_eq!(s.format, SourceFormat::Csv { encoding: TextEncoding::Windows1252, delimiter: ';' });
    assert_eq!(
        s.rows,
        [
            row("1287", 2023, 1, "Skadegörelse", Some(31.0)),
            row("1287", 2023, 2, "Skadegörelse", Some(27.0)),
            row("1287", 2023, 3, "Skadegörelse", None),
            row("1287", 2023, 4, "Stöld och snatteri", Some(58.0)),
            row("1267", 2023, 5, "Olaga hot", Some(4.0)),
            row("1266", 2023, 6, "Olaga hot", None),
            row("1256", 2023, 7, "Skadegörelse", Some(7.0)),
            row("1292", 2023, 8, "Skadegörelse", Some(45.0)),
            row("1280", 2023, 12, "Rån", Some(41.0)),
        ]
    );
    assert!(s.skipped.is_empty());
}

#[test]
fn wide_px_layout_comma_separated_and_quoted() {
    let s = parse_crime_stats(&fixture("crime_stats_wide_px.csv"), None).unwrap();
    assert_eq!(s.layout, Layout::Wide);
    assert_eq!(s.format, SourceFormat::Csv { encoding: TextEncoding::Utf8, delimiter: ',' });
    assert_eq!(s.rows.len(), 16);
    assert_eq!(
        s.rows[..4],
        [
            row("1287", 2024, 1, "Skadegörelse", Some(38.0)),
            row("1287", 2024, 2, "Skadegörelse", None),
            row("1287", 2024, 3, "Skadegörelse", Some(41.0)),
            row("1287", 2024, 4, "Skadegörelse", Some(35.0)),
        ]
    );
    assert_eq!(s.rows[4], row("1287", 2024, 1, "Stöld, snatteri", Some(102.0)));
    assert!(s.rows[12..].iter().all(|r| r.municipality == m("1233") && r.count.is_none()));
}

#[test]
fn wide_layout_with_month_names_year_column_tabs_and_a_total_column() {
    let s = parse_crime_stats(&fixture("crime_stats_wide_months_cp1252.tsv"), None).unwrap();
    assert_eq!(s.layout, Layout::Wide);
    assert_eq!(
        s.rows,
        [
            row("1287", 2022, 1, "Skadegörelse", Some(30.0)),
            row("1287", 2022, 2, "Skadegörelse", Some(28.0)),
            row("1287", 2022, 3, "Skadegörelse", Some(33.0)),
            row("1286", 2022, 1, "Skadegörelse", Some(14.0)),
            row("1286", 2022, 2, "Skadegörelse", None),
            row("1286", 2022, 3, "Skadegörelse", Some(12.0)),
        ]
    );
}

#[test]
fn xlsx_with_title_rows_and_date_months() {
    let s = parse_crime_stats(&fixture("crime_stats.xlsx"), Some("brott.xlsx")).unwrap();
    assert_eq!(
        s.rows,
        [
            row("1287", 2024, 1, "Skadegörelse", Some(38.0)),
            row("1287", 2024, 2, "Skadegörelse", None),
            row("1287", 2024, 3, "Skadegörelse", Some(41.0)),
            row("1280", 2024, 1, "Rån", Some(40.5)),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Tolerances

#[test]
fn month_forms() {
    let s = ok("Region;År;Månad;Brottstyp;Antal\n\
                Trelleborg;2024;2024M03;Rån;1\n\
                Trelleborg;2024;2024-04;Rån;2\n\
                Trelleborg;2024;maj;Rån;3\n\
                Trelleborg;2024;6;Rån;4\n\
                Trelleborg;2024;07;Rån;5\n\
                Trelleborg;2024;Augusti;Rån;6\n\
                Trelleborg;2024;sep.;Rån;7\n\
                Trelleborg;2024;oktober 2024;Rån;8\n\
                Trelleborg;2024;2024-11-01;Rån;9\n");
    let months: Vec<u8> = s.rows.iter().map(|r| r.month).collect();
    assert_eq!(months, [3, 4, 5, 6, 7, 8, 9, 10, 11]);
}

#[test]
fn year_column_may_be_left_out_when_months_carry_the_year() {
    let s = ok("Region;Månad;Brottstyp;Antal\n1287 Trelleborg;2023M12;Rån;2\n");
    assert_eq!(s.rows, [row("1287", 2023, 12, "Rån", Some(2.0))]);
}

#[test]
fn region_forms() {
    let s = ok("Kommun;År;Månad;Brott;Antal\n\
                1287 Trelleborg;2024;1;Rån;1\n\
                Trelleborgs kommun;2024;2;Rån;1\n\
                1287;2024;3;Rån;1\n\
                trelleborg;2024;4;Rån;1\n\
                Göteborgs stad;2024;1;Rån;1\n");
    let codes: Vec<&str> = s.rows.iter().map(|r| r.municipality.as_str()).collect();
    assert_eq!(codes, ["1287", "1287", "1287", "1287", "1480"]);
}

#[test]
fn english_and_variant_headers() {
    let s = ok("municipality,year,month,offence,count\nTrelleborg,2024,3,Robbery,2\n");
    assert_eq!(s.rows, [row("1287", 2024, 3, "Robbery", Some(2.0))]);
    let s = ok("REGION;ÅR;MÅNAD;BROTTSTYP;ANTAL ANMÄLDA BROTT\nLund;2024;3;Rån;2\n");
    assert_eq!(s.rows, [row("1281", 2024, 3, "Rån", Some(2.0))]);
}

#[test]
fn numbers_with_spaces_and_decimal_commas() {
    let s = ok("Region;Månad;Brottstyp;Antal\n\
                Malmö;2024M01;Stöld;1 234\n\
                Malmö;2024M02;Stöld;\"1 234,5\"\n\
                Malmö;2024M03;Stöld;0\n");
    let counts: Vec<Option<f64>> = s.rows.iter().map(|r| r.count).collect();
    assert_eq!(counts, [Some(1234.0), Some(1234.5), Some(0.0)]);
}

#[test]
fn suppressed_and_empty_are_none_not_zero() {
    let s = ok("Region;Månad;Brottstyp;Antal\n\
                Lund;2024M01;Rån;..\n\
                Lund;2024M02;Rån;\n\
                Lund;2024M03;Rån;–\n\
                Lund;2024M04;Rån;0\n");
    let counts: Vec<Option<f64>> = s.rows.iter().map(|r| r.count).collect();
    assert_eq!(counts, [None, None, None, Some(0.0)]);
}

#[test]
fn annual_total_rows_are_skipped() {
    let s = ok("Region;År;Månad;Brottstyp;Antal\nLund;2024;1;Rån;2\nLund;2024;Totalt;Rån;20\n");
    assert_eq!(s.rows.len(), 1);
    assert_eq!(s.skipped.len(), 1);
    assert_eq!(s.skipped[0].row, 3);
}

// ---------------------------------------------------------------------------------------------
// Bad input

#[test]
fn unknown_municipality() {
    let e = single_error("Region;Månad;Brottstyp;Antal\nLund;2024M01;Rån;1\nTrelleborgg;2024M01;Rån;1\n");
    assert_eq!(e.row, 3);
    assert_eq!(e.column.as_deref(), Some("Region"));
    assert_eq!(e.code, "crime_stats.unknown_municipality");
    assert!(e.message.contains("”Trelleborgg” är ingen svensk kommun"), "{}", e.message);
    assert!(e.message.contains("1287 Trelleborg"), "{}", e.message);
    assert!(e.to_string().starts_with("Rad 3, kolumn ”Region”: "), "{e}");
    // A code and a name that disagree.
    let e = single_error("Region;Månad;Brottstyp;Antal\n1287 Malmö;2024M01;Rån;1\n");
    assert_eq!(e.code, "crime_stats.unknown_municipality");
}

#[test]
fn month_13_and_other_bad_months() {
    let e = single_error("Region;År;Månad;Brottstyp;Antal\nLund;2024;13;Rån;1\n");
    assert_eq!((e.row, e.column.as_deref()), (2, Some("Månad")));
    assert!(e.message.contains("månad 13 finns inte"), "{}", e.message);
    let e = single_error("Region;Månad;Brottstyp;Antal\nLund;2024M13;Rån;1\n");
    assert!(e.message.contains("månad 13 finns inte"), "{}", e.message);
    let e = single_error("Region;År;Månad;Brottstyp;Antal\nLund;2024;Mors;Rån;1\n");
    assert!(e.message.contains("”Mors” är ingen månad"), "{}", e.message);
    let e = single_error("Region;Månad;Brottstyp;Antal\nLund;mars;Rån;1\n");
    assert_eq!(e.code, "crime_stats.year_missing");
    let e = single_error("Region;År;Månad;Brottstyp;Antal\nLund;2023;2024M03;Rån;1\n");
    assert_eq!(e.code, "crime_stats.year_mismatch");
}

#[test]
fn bad_years() {
    let e = single_error("Region;År;Månad;Brottstyp;Antal\nLund;24;3;Rån;1\n");
    assert_eq!((e.column.as_deref(), e.code), (Some("År"), "crime_stats.year"));
    let e = single_error("Region;År;Månad;Brottstyp;Antal\nLund;tjugo;3;Rån;1\n");
    assert_eq!(e.code, "crime_stats.year");
}

#[test]
fn negative_count() {
    let e = single_error("Region;Månad;Brottstyp;Antal\nLund;2024M01;Rån;-3\n");
    assert_eq!((e.row, e.column.as_deref()), (2, Some("Antal")));
    assert!(e.message.contains("negativt"), "{}", e.message);
}

#[test]
fn text_or_percent_in_the_count_column() {
    let e = single_error("Region;Månad;Brottstyp;Antal\nLund;2024M01;Rån;många\n");
    assert_eq!((e.column.as_deref(), e.code), (Some("Antal"), "crime_stats.count"));
    assert!(e.message.contains("”många” är inget antal"), "{}", e.message);
    let e = single_error("Region;Månad;Brottstyp;Antal\nLund;2024M01;Rån;12 %\n");
    assert!(e.message.contains("procentsats"), "{}", e.message);
}

#[test]
fn bad_cell_in_a_wide_layout_names_the_month_column() {
    let e = single_error("Region;Brottstyp;2024M01;2024M02\nLund;Rån;3;tre\n");
    assert_eq!((e.row, e.column.as_deref()), (2, Some("2024M02")));
}

#[test]
fn missing_region_and_offence() {
    let errors = row_errors("Region;Månad;Brottstyp;Antal\n;2024M01;Rån;1\nLund;2024M01;;1\n");
    let codes: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.code)).collect();
    assert_eq!(codes, [(2, "crime_stats.region_missing"), (3, "crime_stats.offence_missing")]);
}

#[test]
fn duplicates_are_refused_naming_the_first_row() {
    let e = single_error("Region;Månad;Brottstyp;Antal\nLund;2024M01;Rån;1\nLund;2024M02;Rån;1\n1281 Lund;2024M01;Rån;2\n");
    assert_eq!((e.row, e.code), (4, "crime_stats.duplicate"));
    assert!(e.message.contains("rad 2"), "{}", e.message);
}

#[test]
fn all_errors_are_collected_up_to_the_cap() {
    let mut text = "Region;Månad;Brottstyp;Antal\n".to_owned();
    for i in 0..250 {
        text.push_str(&format!("Lund;2024M01;Brott {i};fel\n"));
    }
    match parse_crime_stats(text.as_bytes(), None) {
        Err(CrimeStatsError::Rows(e)) => {
            assert_eq!(e.total, 250);
            assert_eq!(e.errors.len(), 100);
            assert_eq!(e.errors[0].row, 2);
            assert_eq!(e.errors[99].row, 101);
            let msg = e.to_string();
            assert!(msg.starts_with("Filen har 250 fel och lästes inte in. De första 100 visas."));
        }
        other => panic!("{other:?}"),
    }
    let options = ImportOptions { max_errors: 5, ..ImportOptions::default() };
    match parse_crime_stats_with(text.as_bytes(), None, &options) {
        Err(CrimeStatsError::Rows(e)) => assert_eq!((e.total, e.errors.len()), (250, 5)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn one_bad_row_refuses_the_whole_file() {
    let errors = row_errors("Region;Månad;Brottstyp;Antal\nLund;2024M01;Rån;1\nLund;2024M13;Rån;1\n");
    assert_eq!(errors.len(), 1);
}

#[test]
fn missing_columns() {
    match parse_crime_stats("Region;Brottstyp;Antal\nLund;Rån;1\n".as_bytes(), None) {
        Err(e @ CrimeStatsError::MissingColumns { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("saknar kolumnen ”Månad”"), "{msg}");
            assert!(msg.contains("”Region”, ”Brottstyp” och ”Antal”"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    match parse_crime_stats("Namn;Värde\nx;1\n".as_bytes(), None) {
        Err(e @ CrimeStatsError::MissingColumns { .. }) => {
            assert!(e.to_string().contains("”Region”"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn empty_file_header_only_and_no_data() {
    assert!(matches!(parse_crime_stats(b"", None), Err(CrimeStatsError::Table(TableError::Empty))));
    assert_eq!(parse_crime_stats("Region;År;Månad;Brottstyp;Antal\r\n".as_bytes(), None), Err(CrimeStatsError::NoData));
    // Only county and national rows: nothing to import.
    assert_eq!(parse_crime_stats("Region;Månad;Brottstyp;Antal\nRiket;2024M01;Rån;1\n".as_bytes(), None), Err(CrimeStatsError::NoData));
}

#[test]
fn broken_quoting_is_reported_with_row_and_column() {
    match parse_crime_stats("Region;Månad;Brottstyp;Antal\nLund;2024M01;\"Rån;1\nLund;2024M02;Rån;1\n".as_bytes(), None) {
        Err(CrimeStatsError::Table(e @ TableError::UnterminatedQuote { .. })) => {
            assert!(e.to_string().starts_with("Rad 2, kolumn ”Brottstyp”"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn size_limit_via_a_small_configured_limit() {
    let options = ImportOptions { read: ReadOptions { max_bytes: 100 }, ..ImportOptions::default() };
    let bytes = fixture("crime_stats_long_bom.csv");
    assert!(bytes.len() > 100);
    assert!(matches!(parse_crime_stats_with(&bytes, None, &options), Err(CrimeStatsError::Table(TableError::TooLarge { .. }))));
}
