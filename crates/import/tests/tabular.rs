//! Reading uploaded tables: formats, encodings, delimiters, quoting, limits.

use brygga_import::tabular::{
    ReadOptions, SourceFormat, SvNumber, Table, TableError, TextEncoding, detect_delimiter, parse_number_sv, read_table, read_table_with,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn cells(t: &Table) -> Vec<(usize, Vec<&str>)> {
    t.rows.iter().map(|r| (r.line, r.cells.iter().map(String::as_str).collect())).collect()
}

fn encoding(t: &Table) -> TextEncoding {
    match t.format {
        SourceFormat::Csv { encoding, .. } => encoding,
        SourceFormat::Spreadsheet { .. } => panic!("not CSV"),
    }
}

fn delimiter(t: &Table) -> char {
    match t.format {
        SourceFormat::Csv { delimiter, .. } => delimiter,
        SourceFormat::Spreadsheet { .. } => panic!("not CSV"),
    }
}

// ---------------------------------------------------------------------------------------------
// Encodings

#[test]
fn utf8_without_bom() {
    let t = read_table("Område;Antal\nÖstervärn;3\n".as_bytes(), None).unwrap();
    assert_eq!(encoding(&t), TextEncoding::Utf8);
    assert_eq!(t.headers, ["Område", "Antal"]);
    assert_eq!(cells(&t), [(2, vec!["Östervärn", "3"])]);
}

#[test]
fn utf8_with_bom_strips_it_from_the_first_header() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend("Region;Antal\r\nTrelleborg;3\r\n".as_bytes());
    let t = read_table(&bytes, Some("x.csv")).unwrap();
    assert_eq!(encoding(&t), TextEncoding::Utf8Bom);
    assert_eq!(t.headers[0], "Region");
}

#[test]
fn windows_1252_is_decoded() {
    let bytes = b"Omr\xe5de;\xc5r\r\n\xd6sterv\xe4rn;2024\r\nH\xf6\xf6r;2023\r\n";
    let t = read_table(bytes, None).unwrap();
    assert_eq!(encoding(&t), TextEncoding::Windows1252);
    assert_eq!(t.headers, ["Område", "År"]);
    assert_eq!(cells(&t), [(2, vec!["Östervärn", "2024"]), (3, vec!["Höör", "2023"])]);
}

#[test]
fn windows_1252_euro_sign_and_quotes() {
    // 0x80 is €, 0x93/0x94 are curly quotes in Windows-1252.
    let bytes = b"Belopp;Text\n100 \x80;\x93citat\x94\n";
    let t = read_table(bytes, None).unwrap();
    assert_eq!(cells(&t), [(2, vec!["100 €", "“citat”"])]);
}

#[test]
fn utf16_le_and_be_with_bom() {
    let text = "Område\tAntal\r\nÖstervärn\t3\r\n";
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        le.extend(u.to_le_bytes());
        be.extend(u.to_be_bytes());
    }
    for (bytes, enc) in [(le, TextEncoding::Utf16Le), (be, TextEncoding::Utf16Be)] {
        let t = read_table(&bytes, None).unwrap();
        assert_eq!(encoding(&t), enc);
        assert_eq!(delimiter(&t), '\t');
        assert_eq!(cells(&t), [(2, vec!["Östervärn", "3"])]);
    }
}

#[test]
fn mostly_utf8_with_a_stray_windows_1252_byte_names_the_row() {
    let mut bytes = "Område;Fråga;År\nÖstervärn;Otrygg på kvällen;2024\nCentrum;Trygg på dagen;2024\n".as_bytes().to_vec();
    // Row 4: "Söder" with ö in Windows-1252.
    bytes.extend(b"S\xf6der;Otrygg;2024\n");
    bytes.extend("Väster;Åker buss;2024\n".as_bytes());
    match read_table(&bytes, None) {
        Err(e @ TableError::MixedEncoding { row, .. }) => {
            assert_eq!(row, 4);
            let msg = e.to_string();
            assert!(msg.contains("rad 4"), "{msg}");
            assert!(msg.contains("Söder"), "{msg}");
            assert!(msg.contains("UTF-8"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn utf8_bom_file_with_invalid_bytes_is_refused_with_row() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(b"A;B\n1;2\n3;x\xff\n");
    match read_table(&bytes, None) {
        Err(TableError::MixedEncoding { row, .. }) => assert_eq!(row, 3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn quoted_newlines_do_not_shift_the_reported_row() {
    let mut bytes = "A;B\n\"rad ett\nfortsätter\";å\n".as_bytes().to_vec();
    bytes.extend(b"x;\xe5\xe4\n");
    // Two valid non-ASCII chars (ä, å) vs one invalid run: mixed.
    bytes.extend("ö;ä\n".as_bytes());
    match read_table(&bytes, None) {
        Err(TableError::MixedEncoding { row, .. }) => assert_eq!(row, 3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn binary_content_is_not_text() {
    let bytes = b"A;B\n1;\x00\x01\x02\n";
    assert!(matches!(read_table(bytes, None), Err(TableError::NotText(_))));
    assert!(matches!(read_table(b"%PDF-1.7\n...", None), Err(TableError::NotText(_))));
}

// ---------------------------------------------------------------------------------------------
// Delimiters

#[test]
fn delimiter_detection() {
    assert_eq!(detect_delimiter("a;b;c\n1;2;3\n"), ';');
    assert_eq!(detect_delimiter("a,b,c\n1,2,3\n"), ',');
    assert_eq!(detect_delimiter("a\tb\tc\n1\t2\t3\n"), '\t');
    // Decimal commas in a semicolon file.
    assert_eq!(detect_delimiter("Område;Andel\nÖstervärn;23,5\nCentrum;18,25\n"), ';');
    // Commas inside quoted fields of a comma file.
    assert_eq!(detect_delimiter("\"region\",\"brott\"\n\"Trelleborg\",\"Stöld, snatteri\"\n"), ',');
    // A comma file whose texts contain semicolons only in some rows.
    assert_eq!(detect_delimiter("a,b,c\n1,x;y,3\n4,5,6\n7,8,9\n"), ',');
    // A title line with a comma above a semicolon table.
    assert_eq!(detect_delimiter("Anmälda brott efter region, brottstyp och månad\n\nRegion;Antal\nTrelleborg;3\nLund;4\n"), ';');
    // One column.
    assert_eq!(detect_delimiter("Område\nÖstervärn\n"), ';');
}

#[test]
fn excel_sep_line_is_honoured_and_not_counted() {
    let t = read_table(b"sep=,\nA,B\n1;5,2\n", None).unwrap();
    assert_eq!(delimiter(&t), ',');
    assert_eq!(t.header_line, 1);
    assert_eq!(cells(&t), [(2, vec!["1;5", "2"])]);
}

// ---------------------------------------------------------------------------------------------
// Quoting

#[test]
fn rfc4180_quoting() {
    let text = "Namn;Text\n\"Östervärn\";\"Sa \"\"hej\"\" och gick\"\n\"a;b\";\"rad 1\nrad 2\"\nvanlig;5\" skärm\n";
    let t = read_table(text.as_bytes(), None).unwrap();
    assert_eq!(
        cells(&t),
        [(2, vec!["Östervärn", "Sa \"hej\" och gick"]), (3, vec!["a;b", "rad 1\nrad 2"]), (4, vec!["vanlig", "5\" skärm"]),]
    );
}

#[test]
fn unterminated_quote_names_row_and_column() {
    let text = "Region;Brottstyp;Antal\nTrelleborg;Rån;3\nMalmö;\"Stöld;4\nLund;Rån;2\n";
    match read_table(text.as_bytes(), None) {
        Err(e @ TableError::UnterminatedQuote { .. }) => {
            assert_eq!(e, TableError::UnterminatedQuote { row: 3, column: "Brottstyp".to_owned() });
            assert!(e.to_string().starts_with("Rad 3, kolumn ”Brottstyp”"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn text_after_closing_quote_names_row_and_column() {
    let text = "Region;Brottstyp;Antal\nTrelleborg;\"Rån\"x;3\n";
    match read_table(text.as_bytes(), None) {
        Err(TableError::TextAfterQuote { row, column, after }) => {
            assert_eq!((row, column.as_str(), after.as_str()), (2, "Brottstyp", "x"));
        }
        other => panic!("{other:?}"),
    }
    // In the header itself, the column is named by letter.
    match read_table(b"A;\"B\"C;D\n1;2;3\n", None) {
        Err(TableError::TextAfterQuote { row, column, .. }) => {
            assert_eq!((row, column.as_str()), (1, "kolumn B"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn spaces_after_a_closing_quote_are_tolerated() {
    let t = read_table(b"A;B\n\"x\"  ;\"y\" \n", None).unwrap();
    assert_eq!(cells(&t), [(2, vec!["x", "y"])]);
}

// ---------------------------------------------------------------------------------------------
// Rows

#[test]
fn blank_rows_are_dropped_but_numbering_is_kept() {
    let text = "\nA;B\n1;2\n;\n\n3;4\n\n \n;;\n";
    let t = read_table(text.as_bytes(), None).unwrap();
    assert_eq!(t.header_line, 2);
    assert_eq!(cells(&t), [(3, vec!["1", "2"]), (6, vec!["3", "4"])]);
}

#[test]
fn cells_are_trimmed_and_old_mac_line_ends_work() {
    let t = read_table(b"A;B\r 1 ;\xc2\xa02\xc2\xa0\r3;4", None).unwrap();
    assert_eq!(cells(&t), [(2, vec!["1", "2"]), (3, vec!["3", "4"])]);
}

#[test]
fn header_only_and_empty_files() {
    let t = read_table(b"Region;Antal\n", None).unwrap();
    assert!(t.rows.is_empty());
    assert_eq!(read_table(b"", None), Err(TableError::Empty));
    assert_eq!(read_table(b"  \r\n\n", None), Err(TableError::Empty));
    assert_eq!(read_table(b"\xEF\xBB\xBF", None), Err(TableError::Empty));
    assert_eq!(read_table(b";;\n;;\n", None), Err(TableError::NoHeader));
}

#[test]
fn promote_header_skips_title_lines() {
    let mut t = read_table("Anmälda brott 2024\n\nRegion;Antal\nTrelleborg;3\n".as_bytes(), None).unwrap();
    assert!(t.promote_header(5, |c| c.iter().any(|h| h == "Antal")));
    assert_eq!(t.headers, ["Region", "Antal"]);
    assert_eq!(t.header_line, 3);
    assert_eq!(cells(&t), [(4, vec!["Trelleborg", "3"])]);
    assert!(!t.promote_header(5, |c| c.iter().any(|h| h == "Saknas")));
    assert_eq!(t.headers, ["Region", "Antal"]);
}

// ---------------------------------------------------------------------------------------------
// Size limit

#[test]
fn size_limit_is_enforced_before_parsing() {
    let options = ReadOptions { max_bytes: 64 };
    let big = "A;B\n".repeat(20);
    match read_table_with(big.as_bytes(), None, &options) {
        Err(e @ TableError::TooLarge { size: 80, max: 64 }) => {
            assert!(e.to_string().contains("högst"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // Even content that would fail to parse is refused for its size first.
    let bad = vec![0u8; 65];
    assert!(matches!(read_table_with(&bad, None, &options), Err(TableError::TooLarge { .. })));
    assert!(read_table_with(&big.as_bytes()[..64], None, &options).is_ok());
    assert_eq!(ReadOptions::default().max_bytes, 100_000_000);
}

#[test]
fn too_large_message_in_megabytes() {
    let e = TableError::TooLarge { size: 123_400_000, max: 100_000_000 };
    assert_eq!(
        e.to_string(),
        "Filen är 123 MB men högst 100 MB kan läsas in. Dela upp filen, till exempel ett år per \
         fil, och läs in delarna var för sig."
    );
}

// ---------------------------------------------------------------------------------------------
// Spreadsheets

#[test]
fn xlsx_is_detected_by_content_not_name() {
    let bytes = fixture("crime_stats.xlsx");
    for name in [Some("brott.xlsx"), Some("brott.csv"), None] {
        let t = read_table(&bytes, name).unwrap();
        assert_eq!(t.format, SourceFormat::Spreadsheet { sheet: "Brott".to_owned() });
        // The title is the first non-blank row; the real header is found by the importers.
        assert_eq!(t.header_line, 1);
        assert_eq!(t.rows[0].line, 3);
        assert_eq!(t.rows[0].cells, ["Region", "Månad", "Brottstyp", "Antal"]);
        // Dates become ISO dates, integers have no decimals, floats a decimal comma.
        assert_eq!(t.rows[1].cells, ["1287 Trelleborg", "2024-01-01", "Skadegörelse", "38"]);
        assert_eq!(t.rows[4].cells, ["Malmö", "2024M01", "Rån", "40,5"]);
    }
}

#[test]
fn xlsx_first_non_empty_sheet_is_read() {
    let t = read_table(&fixture("safety_survey.xlsx"), None).unwrap();
    assert_eq!(t.format, SourceFormat::Spreadsheet { sheet: "Resultat".to_owned() });
    assert_eq!(t.headers[3], "Andel otrygga (%)");
    assert_eq!(t.rows[0].cells[3], "23,5");
}

#[test]
fn a_spreadsheet_name_on_text_content_is_refused() {
    match read_table(b"A;B\n1;2\n", Some("Brott 2024.XLSX")) {
        Err(TableError::Spreadsheet(msg)) => assert!(msg.contains("Brott 2024.XLSX"), "{msg}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_broken_zip_is_reported_not_panicked() {
    let mut bytes = fixture("crime_stats.xlsx");
    bytes.truncate(bytes.len() / 2);
    assert!(matches!(read_table(&bytes, Some("x.xlsx")), Err(TableError::Spreadsheet(_))));
    assert!(matches!(read_table(b"PK\x03\x04garbage", None), Err(TableError::Spreadsheet(_))));
    assert!(matches!(read_table(&[0xD0, 0xCF, 0x11, 0xE0, 1, 2, 3], None), Err(TableError::Spreadsheet(_))));
}

// ---------------------------------------------------------------------------------------------
// Numbers

#[test]
fn swedish_numbers() {
    let cases: &[(&str, SvNumber)] = &[
        ("1 234,5", SvNumber::Number(1234.5)),
        ("1\u{a0}234,5", SvNumber::Number(1234.5)),
        ("1\u{202f}234", SvNumber::Number(1234.0)),
        ("1 234 567", SvNumber::Number(1_234_567.0)),
        ("41", SvNumber::Number(41.0)),
        ("41,0", SvNumber::Number(41.0)),
        ("0,235", SvNumber::Number(0.235)),
        ("-3,5", SvNumber::Number(-3.5)),
        ("12,5 %", SvNumber::Percent(12.5)),
        ("100%", SvNumber::Percent(100.0)),
        ("..", SvNumber::Suppressed),
        ("…", SvNumber::Suppressed),
        ("–", SvNumber::Suppressed),
        ("-", SvNumber::Suppressed),
        ("x", SvNumber::Suppressed),
        ("", SvNumber::Missing),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_number_sv(text).as_ref(), Ok(expected), "{text}");
    }
    assert_eq!(parse_number_sv("..").unwrap().value(), None);
    assert_eq!(parse_number_sv("0").unwrap().value(), Some(0.0));
    for bad in ["tolv", "1 2345", "12 kr", "1,2,3", "#N/A", "12,5 %%"] {
        let e = parse_number_sv(bad).unwrap_err();
        assert!(e.to_string().contains("inget tal"), "{bad}: {e}");
    }
}
