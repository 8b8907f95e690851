//! Downloads people open in Excel and Word: CSV in UTF-8 with a byte-order mark, `;` between fields
//! (the Swedish Excel default), and cells that Excel would run as formulas made harmless; XLSX
//! with numbers as numbers and dates as dates; DOCX from [`crate::kit::docx`]. Attachment names
//! may be Swedish (`åtgärdsplan.docx`): an ASCII fallback plus the UTF-8 name (RFC 6266).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use crate::kit::error::AppError;

pub const CSV_MIME: &str = "text/csv; charset=utf-8";
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const DOCX_MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// One cell of a tabular export. Numbers stay numbers and dates stay dates in XLSX; in CSV they
/// are written the Swedish way (decimal comma, ISO dates).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Integer(i64),
    /// A decimal number and how many decimals to show.
    Decimal(f64, usize),
    Date(Date),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Self {
        Cell::Text(s.into())
    }

    /// Text, or an empty cell when absent.
    pub fn opt_text(s: Option<impl Into<String>>) -> Self {
        s.map_or(Cell::Empty, |s| Cell::Text(s.into()))
    }

    /// A number, or an empty cell when absent.
    pub fn opt_decimal(v: Option<f64>, decimals: usize) -> Self {
        v.map_or(Cell::Empty, |v| Cell::Decimal(v, decimals))
    }

    /// An ISO date (`2026-12-06`) as a date; any other text stays text.
    pub fn date_or_text(s: &str) -> Self {
        match s.parse::<Date>() {
            Ok(d) => Cell::Date(d),
            Err(_) if s.is_empty() => Cell::Empty,
            Err(_) => Cell::Text(s.to_owned()),
        }
    }

    /// The cell as a person reads it on a page or in a Word table: numbers the Swedish way
    /// (`1 234,5`, `−12`), dates as `2026-12-06`.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Integer(n) => brygga_domain::time::format_number(*n as f64, 0),
            Cell::Decimal(v, d) => brygga_domain::time::format_number(*v, *d),
            Cell::Date(d) => d.to_string(),
            Cell::Empty => String::new(),
        }
    }

    /// The cell in a CSV file opened by a Swedish Excel.
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(s) => cell(s),
            Cell::Integer(n) => n.to_string(),
            Cell::Decimal(v, d) => format!("{v:.d$}").replace('.', ","),
            Cell::Date(d) => d.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// An RFC 6266 `Content-Disposition: attachment` for a file name that may hold Swedish letters.
pub fn disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'Å' | 'Ä' => 'A',
            'ö' => 'o',
            'Ö' => 'O',
            'é' => 'e',
            'É' => 'E',
            c if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')') => c,
            _ => '_',
        })
        .collect();
    if ascii == file_name {
        return format!("attachment; filename=\"{ascii}\"");
    }
    let mut encoded = String::new();
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A file download: `body` as an attachment named `file_name`.
pub fn attachment(file_name: &str, mime: &str, body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, mime.to_owned()), (header::CONTENT_DISPOSITION, disposition(file_name))], body).into_response()
}

/// A Word document from [`crate::kit::docx::DocxBuilder::build`].
pub fn docx_download(file_name: &str, body: Vec<u8>) -> Response {
    attachment(file_name, DOCX_MIME, body)
}

/// Rows with Swedish headers as a CSV download.
pub fn table_csv(file_name: &str, header: &[&str], rows: &[Vec<Cell>]) -> Result<Response, AppError> {
    csv_body(file_name, header, rows.iter().map(|r| r.iter().map(Cell::csv)))
}

/// Rows with Swedish headers as the bytes of a workbook: a bold title line, the header row
/// (frozen), then the rows; numbers as numbers, dates as dates (`åååå-mm-dd`).
pub fn table_xlsx_bytes(sheet_name: &str, title: &str, header: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, AppError> {
    let x = |e: XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    // Excel refuses sheet names over 31 characters or with []:*?/\
    let name: String = sheet_name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    sheet.set_name(if name.is_empty() { "Blad1" } else { &name }).map_err(x)?;
    sheet.write_string_with_format(0, 0, title, &bold).map_err(x)?;
    let top = 2;
    for (i, h) in header.iter().enumerate() {
        sheet.write_string_with_format(top, i as u16, *h, &bold).map_err(x)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = top + 1 + r as u32;
        for (c, value) in row.iter().enumerate() {
            let c = c as u16;
            match value {
                Cell::Text(s) => sheet.write_string(r, c, s).map(|_| ()),
                Cell::Integer(n) => sheet.write_number(r, c, *n as f64).map(|_| ()),
                Cell::Decimal(v, d) => {
                    let f = Format::new().set_num_format(if *d == 0 { "0".to_owned() } else { format!("0.{}", "0".repeat(*d)) });
                    sheet.write_number_with_format(r, c, *v, &f).map(|_| ())
                }
                Cell::Date(d) => {
                    let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(x)?;
                    sheet.write_datetime_with_format(r, c, &dt, &date).map(|_| ())
                }
                Cell::Empty => Ok(()),
            }
            .map_err(x)?;
        }
    }
    sheet.set_freeze_panes(top + 1, 0).map_err(x)?;
    sheet.autofit();
    book.save_to_buffer().map_err(x)
}

/// Rows with Swedish headers as an XLSX download.
pub fn table_xlsx(file_name: &str, sheet_name: &str, title: &str, header: &[&str], rows: &[Vec<Cell>]) -> Result<Response, AppError> {
    Ok(attachment(file_name, XLSX_MIME, table_xlsx_bytes(sheet_name, title, header, rows)?))
}

/// Excel opens a cell starting with one of these as a formula; a leading apostrophe keeps it text.
pub fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

/// A CSV attachment named `file_name` with one header row and the given rows of text.
pub fn csv_download<I, R>(file_name: &str, header: &[&str], rows: I) -> Result<Response, AppError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = String>,
{
    csv_body(file_name, header, rows.into_iter().map(|r| r.into_iter().map(|s| cell(&s))))
}

/// Writes rows whose fields are already safe for Excel.
fn csv_body<I, R>(file_name: &str, header: &[&str], rows: I) -> Result<Response, AppError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = String>,
{
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(vec![0xEF, 0xBB, 0xBF]);
    let internal = |e: csv::Error| AppError::Internal(e.to_string());
    w.write_record(header).map_err(internal)?;
    for row in rows {
        w.write_record(row).map_err(internal)?;
    }
    let body = w.into_inner().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(attachment(file_name, CSV_MIME, body))
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    fn body(r: Response) -> (String, String, Vec<u8>) {
        let (parts, body) = r.into_parts();
        let h = |n: header::HeaderName| parts.headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let bytes = futures_body(body);
        (h(header::CONTENT_TYPE), h(header::CONTENT_DISPOSITION), bytes)
    }

    fn futures_body(b: axum::body::Body) -> Vec<u8> {
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        rt.block_on(axum::body::to_bytes(b, usize::MAX)).expect("body").to_vec()
    }

    fn rows() -> Vec<Vec<Cell>> {
        vec![
            vec![Cell::text("Minska klotter"), Cell::Integer(-12), Cell::Decimal(1234.5, 1), Cell::Date(jiff::civil::date(2026, 12, 6))],
            vec![Cell::text("=SUMMA(A1)"), Cell::Empty, Cell::opt_decimal(None, 2), Cell::date_or_text("senast i juni")],
        ]
    }

    #[test]
    fn swedish_file_names_survive() {
        assert_eq!(disposition("logg.csv"), "attachment; filename=\"logg.csv\"");
        assert_eq!(
            disposition("åtgärdsplan 2026.docx"),
            "attachment; filename=\"atgardsplan 2026.docx\"; filename*=UTF-8''%C3%A5tg%C3%A4rdsplan%202026.docx"
        );
        assert_eq!(disposition("a\"b\r\n.csv"), "attachment; filename=\"a_b__.csv\"; filename*=UTF-8''a%22b%0D%0A.csv");
    }

    #[test]
    fn table_csv_keeps_numbers_numbers_and_text_safe() {
        let (mime, disp, bytes) = body(table_csv("mål.csv", &["Mål", "Förändring", "Värde", "Datum"], &rows()).expect("csv"));
        assert_eq!(mime, CSV_MIME);
        assert!(disp.contains("filename*=UTF-8''m%C3%A5l.csv"), "{disp}");
        let text = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(text, "\u{feff}Mål;Förändring;Värde;Datum\nMinska klotter;-12;1234,5;2026-12-06\n'=SUMMA(A1);;;senast i juni\n");
    }

    #[test]
    fn table_xlsx_writes_numbers_and_dates_as_such() {
        let bytes = table_xlsx_bytes(
            "Mål och indikatorer: 2026/2027 för Trelleborg",
            "Åtgärdsplan",
            &["Mål", "Förändring", "Värde", "Datum"],
            &rows(),
        )
        .expect("xlsx");
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
        let mut sheet = String::new();
        zip.by_name("xl/worksheets/sheet1.xml").expect("sheet").read_to_string(&mut sheet).expect("utf-8");
        // -12 and 1234.5 as numbers; 2026-12-06 as Excel's serial day 46362.
        assert!(sheet.contains("<v>-12</v>"), "{sheet}");
        assert!(sheet.contains("<v>1234.5</v>"));
        assert!(sheet.contains("<v>46362</v>"));
        let mut wb = String::new();
        zip.by_name("xl/workbook.xml").expect("workbook").read_to_string(&mut wb).expect("utf-8");
        assert!(wb.contains(r#"name="Mål och indikatorer 20262027 fö""#), "{wb}");
        let mut strings = String::new();
        zip.by_name("xl/sharedStrings.xml").expect("strings").read_to_string(&mut strings).expect("utf-8");
        assert!(strings.contains("=SUMMA(A1)") && strings.contains("senast i juni") && strings.contains("Åtgärdsplan"));
    }

    #[test]
    fn cells_display_the_swedish_way() {
        let shown: Vec<String> = rows()[0].iter().map(Cell::display).collect();
        assert_eq!(shown, ["Minska klotter", "−12", "1\u{a0}234,5", "2026-12-06"]);
        assert_eq!(Cell::Empty.display(), "");
    }

    #[test]
    fn docx_is_served_as_word() {
        let (mime, disp, bytes) = body(docx_download("åtgärdsplan.docx", vec![1, 2]));
        assert_eq!(mime, "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        assert!(disp.starts_with("attachment; filename=\"atgardsplan.docx\""));
        assert_eq!(bytes, vec![1, 2]);
    }

    #[test]
    fn formulas_become_text() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("Trelleborg"), "Trelleborg");
    }
}
