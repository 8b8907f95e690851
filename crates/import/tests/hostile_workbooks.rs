//! Workbooks built to exhaust the reader: a sheet claiming the whole grid, zip bombs, too many
//! cells, too long cells, formats whose readers hold whole sheets in memory. Every reader
//! (plain tables, crime statistics, safety surveys) refuses them with a Swedish message naming
//! the limit, quickly and without allocating what the file claims.

use std::io::Write;

use brygga_import::crime_stats::parse_crime_stats;
use brygga_import::safety_survey::parse_safety_survey;
use brygga_import::tabular::{MAX_CELL_CHARS, MAX_SHEET_CELLS, TableError, read_table};
use zip::write::SimpleFileOptions;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// An XLSX with one sheet whose `<sheetData>` content is produced by `rows` in chunks.
fn xlsx_streamed(dimension: &str, mut rows: impl FnMut(&mut dyn Write)) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).compression_level(Some(1));
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
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>"#
    )
    .unwrap();
    rows(&mut zip);
    zip.write_all(b"</sheetData></worksheet>").unwrap();
    zip.finish().unwrap().into_inner()
}

fn inline(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The file of the review: cells A1, B1 and XFD1048576, about 1.6 KB.
pub fn whole_grid() -> Vec<u8> {
    xlsx_streamed("A1:XFD1048576", |w| {
        write!(
            w,
            r#"<row r="1">{}{}</row><row r="1048576">{}</row>"#,
            inline("A1", "Datum"),
            inline("B1", "Kategori"),
            inline("XFD1048576", "x")
        )
        .unwrap();
    })
}

fn spreadsheet_message(r: Result<impl std::fmt::Debug, TableError>) -> String {
    match r {
        Err(TableError::Spreadsheet(m)) => m,
        other => panic!("expected a spreadsheet refusal, got {other:?}"),
    }
}

/// Each reader gives the same refusal for `bytes`; returns it.
fn refused_by_every_reader(bytes: &[u8]) -> String {
    let m = spreadsheet_message(read_table(bytes, Some("fil.xlsx")));
    match parse_crime_stats(bytes, Some("fil.xlsx")) {
        Err(e) => assert!(e.to_string().contains(&m), "crime statistics: {e}"),
        Ok(_) => panic!("crime statistics read the file"),
    }
    match parse_safety_survey(bytes, Some("fil.xlsx")) {
        Err(e) => assert!(e.to_string().contains(&m), "safety survey: {e}"),
        Ok(_) => panic!("safety survey read the file"),
    }
    m
}

#[test]
fn hostile_a_sheet_claiming_the_whole_grid_is_refused_by_its_columns() {
    let bytes = whole_grid();
    assert!(bytes.len() < 2_000, "{} bytes", bytes.len());
    let m = refused_by_every_reader(&bytes);
    assert!(m.contains("Kalkylbladet ”Blad1”") && m.contains("XFD1048576") && m.contains("högst 1 000"), "{m}");
}

#[test]
fn hostile_far_rows_are_read_sparsely() {
    // A table whose last row lies at the bottom of the grid is read, not allocated densely.
    let bytes = xlsx_streamed("A1:XFD1048576", |w| {
        write!(
            w,
            r#"<row r="1">{}{}</row><row r="1048576">{}{}</row>"#,
            inline("A1", "Datum"),
            inline("B1", "Antal"),
            inline("A1048576", "2024-01-01"),
            inline("B1048576", "3")
        )
        .unwrap();
    });
    let t = read_table(&bytes, None).unwrap();
    assert_eq!(t.headers, ["Datum", "Antal"]);
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].line, 1_048_576);
    assert_eq!(t.rows[0].cells, ["2024-01-01", "3"]);
}

#[test]
fn hostile_too_many_cells_are_refused() {
    // 6 000 rows × 1 000 columns (A and ALL filled) would be 6 million cells.
    let rows = MAX_SHEET_CELLS / 1_000 + 1_000;
    let bytes = xlsx_streamed("A1:ALL6000", |w| {
        for r in 1..=rows {
            write!(w, r#"<row r="{r}"><c r="A{r}"><v>1</v></c><c r="ALL{r}"><v>2</v></c></row>"#).unwrap();
        }
    });
    let m = refused_by_every_reader(&bytes);
    assert!(m.contains("fler än 5 000 000 celler"), "{m}");
}

#[test]
fn hostile_a_too_long_cell_is_refused() {
    let long = "a".repeat(MAX_CELL_CHARS + 1);
    let bytes = xlsx_streamed("A1:B2", |w| {
        write!(w, r#"<row r="1">{}{}</row><row r="2">{}</row>"#, inline("A1", "Datum"), inline("B1", "Text"), inline("B2", &long)).unwrap();
    });
    let m = refused_by_every_reader(&bytes);
    assert!(m.contains("cell B2 har fler än 32 767 tecken"), "{m}");
}

#[test]
fn hostile_a_zip_bomb_is_refused_before_parsing() {
    // 300 MB of whitespace inside the sheet, compressed to a few megabytes.
    let chunk = vec![b' '; 1024 * 1024];
    let bytes = xlsx_streamed("A1:A1", |w| {
        for _ in 0..300 {
            w.write_all(&chunk).unwrap();
        }
    });
    assert!(bytes.len() < 5_000_000, "{} bytes", bytes.len());
    let m = refused_by_every_reader(&bytes);
    assert!(m.contains("för stort") && m.contains("256 MB"), "{m}");
}

#[test]
fn hostile_a_shared_strings_bomb_is_refused_before_parsing() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_level(Some(1));
    zip.start_file("xl/workbook.xml", o).unwrap();
    zip.write_all(WORKBOOK.as_bytes()).unwrap();
    zip.start_file("xl/sharedStrings.xml", o).unwrap();
    let si = "<si><t>x</t></si>".repeat(65_536);
    for _ in 0..70 {
        zip.write_all(si.as_bytes()).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    let m = refused_by_every_reader(&bytes);
    assert!(m.contains("xl/sharedStrings.xml") && m.contains("64 MB"), "{m}");
}

#[test]
fn hostile_formats_read_whole_in_memory_are_refused_with_advice() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("mimetype", SimpleFileOptions::default()).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("content.xml", SimpleFileOptions::default()).unwrap();
    zip.write_all(b"<office:document-content/>").unwrap();
    let ods = zip.finish().unwrap().into_inner();
    let m = refused_by_every_reader(&ods);
    assert!(m.contains("OpenDocument") && m.contains(".xlsx"), "{m}");
    let m = refused_by_every_reader(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]);
    assert!(m.contains(".xls)") && m.contains("CSV"), "{m}");
}
