//! Reading an uploaded table, CSV or spreadsheet, into header and rows of text cells, and
//! Swedish number helpers.
//!
//! # Format
//! The content decides, not the name: a ZIP archive (`PK\x03\x04`) or an OLE compound file
//! (`D0 CF 11 E0`) is a spreadsheet. XLSX is read, its first non-empty sheet, within the limits
//! described under "Spreadsheets" below; old XLS, XLSB and ODS are refused with a message
//! saying how to save them as XLSX or CSV. Anything else is read as CSV. A name ending in `.xlsx`/`.xls`/`.ods` on content that is neither is
//! refused with a message, since the user probably picked the wrong file.
//!
//! # CSV encodings
//! - UTF-8 with BOM: must be valid UTF-8 throughout, otherwise the row of the first bad byte is
//!   reported.
//! - UTF-16 LE/BE with BOM (Excel's "Unicode text"): decoded, malformed units reported.
//! - No BOM, valid UTF-8: UTF-8.
//! - No BOM, not valid UTF-8: either a Windows-1252 file (Excel's "CSV (semikolonavgränsad)" on
//!   Swedish Windows) or a UTF-8 file with some foreign bytes pasted in. The two are told apart
//!   by counting: a real Windows-1252 file practically never contains valid UTF-8 multi-byte
//!   sequences (that would take e.g. "Ã¥"), so if the file has **more valid non-ASCII UTF-8
//!   characters than invalid sequences** it is called mixed and refused, naming the row of the
//!   first bad byte; otherwise it is decoded as Windows-1252. A file with NUL bytes is not text.
//!
//! # CSV syntax
//! RFC 4180 with the delimiter detected among `;`, tab and `,` (see [`detect_delimiter`]), an
//! optional Excel `sep=;` first line, `\r\n`, `\n` or `\r` line ends. A field that starts with
//! `"` must end with `"` followed by the delimiter or the line end (spaces allowed between);
//! otherwise the row and column are reported. A `"` inside an unquoted field is kept as text.
//!
//! # Rows
//! The first non-blank row is the header (see [`Table::promote_header`] for files with title
//! lines above it). Blank rows (all cells empty) are dropped wherever they are, but row numbers
//! stay those a spreadsheet program shows: the header is row 1 when it is the first line.

use std::io::{Cursor, Read};

use calamine::{Data, Reader};
use serde::Serialize;

/// The default maximum size of an uploaded file: 100 MB.
pub const DEFAULT_MAX_BYTES: usize = 100 * 1000 * 1000;

/// How to read a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Files larger than this are refused before anything is parsed.
    pub max_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self { max_bytes: DEFAULT_MAX_BYTES }
    }
}

/// A text encoding a CSV file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl TextEncoding {
    /// The name users know, e.g. "UTF-8 med BOM".
    pub fn label_sv(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 med BOM",
            TextEncoding::Utf16Le => "UTF-16 (little endian)",
            TextEncoding::Utf16Be => "UTF-16 (big endian)",
            TextEncoding::Windows1252 => "Windows-1252 (ANSI)",
        }
    }
}

/// How the file was read, for telling the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceFormat {
    Csv { encoding: TextEncoding, delimiter: char },
    Spreadsheet { sheet: String },
}

/// One data row: the row number a spreadsheet shows (header = 1) and its cells, trimmed.
/// Rows may be shorter or longer than the header; use [`Row::get`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Row {
    /// The cell in column `index`, or `""` if the row is shorter.
    pub fn get(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", String::as_str)
    }

    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.is_empty())
    }
}

/// A table read from a file: header texts (trimmed) and non-blank data rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// The row number of the header (1 unless title lines or blank lines come first).
    pub header_line: usize,
    pub format: SourceFormat,
}

impl Table {
    /// The header text of column `index`, or a spreadsheet-style label ("kolumn C") when the
    /// header is empty or the column lies beyond the header.
    pub fn column_name(&self, index: usize) -> String {
        match self.headers.get(index) {
            Some(h) if !h.is_empty() => h.clone(),
            _ => format!("kolumn {}", column_letter(index)),
        }
    }

    /// Makes the first row (among the header and the next `within` rows) that satisfies
    /// `is_header` the header, dropping the rows above it (title lines in statistics exports).
    /// Returns whether such a row was found; the table is unchanged otherwise.
    pub fn promote_header(&mut self, within: usize, is_header: impl Fn(&[String]) -> bool) -> bool {
        if is_header(&self.headers) {
            return true;
        }
        let Some(pos) = self.rows.iter().take(within).position(|r| is_header(&r.cells)) else {
            return false;
        };
        let mut rest = self.rows.split_off(pos);
        let header = rest.remove(0);
        self.headers = header.cells;
        self.header_line = header.line;
        self.rows = rest;
        true
    }
}

/// A header as compared by the importers: lower case, quotes and a trailing colon removed,
/// inner whitespace collapsed.
pub(crate) fn normalize_header(h: &str) -> String {
    h.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == ':' || c == '\u{feff}')
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// "A", "B", …, "Z", "AA", … for a 0-based column index.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// Why a file could not be read as a table. Messages are Swedish and say what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TableError {
    #[error(
        "Filen är {} men högst {} kan läsas in. Dela upp filen, till exempel ett år per fil, \
         och läs in delarna var för sig.",
        format_size(*size),
        format_size(*max)
    )]
    TooLarge { size: usize, max: usize },
    #[error("Filen är tom. Välj filen med uppgifterna och försök igen.")]
    Empty,
    #[error(
        "Filen innehåller ingen tabell med data. Kontrollera att du valt rätt fil och att den \
         har en rubrikrad."
    )]
    NoHeader,
    #[error("{0}")]
    NotText(String),
    #[error(
        "Filen är sparad som {encoding} men rad {row} innehåller tecken i en annan \
         teckenkodning (nära ”{context}”). Troligen har text klistrats in från ett annat \
         program. Rätta tecknen på rad {row} och spara filen som ”CSV UTF-8 \
         (kommaavgränsad)”, eller spara om hela filen i en och samma kodning."
    )]
    MixedEncoding { encoding: &'static str, row: usize, context: String },
    #[error(
        "Rad {row}, kolumn ”{column}”: fältet börjar med citattecken (\") som aldrig avslutas, \
         så resten av filen skulle hamna i samma cell. Lägg till det avslutande citattecknet \
         eller ta bort det inledande."
    )]
    UnterminatedQuote { row: usize, column: String },
    #[error(
        "Rad {row}, kolumn ”{column}”: efter det avslutande citattecknet kommer ”{after}” i \
         stället för ett fältavgränsningstecken. Citattecken inne i en cell skrivs dubbla (\"\"); \
         rätta cellen eller spara om filen från kalkylprogrammet."
    )]
    TextAfterQuote { row: usize, column: String, after: String },
    #[error("{0}")]
    Spreadsheet(String),
}

fn format_size(bytes: usize) -> String {
    let mb = bytes as f64 / 1_000_000.0;
    if mb >= 10.0 || mb.fract() == 0.0 {
        format!("{mb:.0} MB")
    } else if mb >= 0.1 {
        format!("{mb:.1} MB").replace('.', ",")
    } else {
        format!("{bytes} byte")
    }
}

/// Refuses a size over the limit; callers receiving an upload can call this with the declared
/// length before reading the body.
pub fn check_size(size: usize, options: &ReadOptions) -> Result<(), TableError> {
    if size > options.max_bytes {
        return Err(TableError::TooLarge { size, max: options.max_bytes });
    }
    Ok(())
}

/// Reads CSV or a spreadsheet with the default options (100 MB limit).
pub fn read_table(bytes: &[u8], file_name: Option<&str>) -> Result<Table, TableError> {
    read_table_with(bytes, file_name, &ReadOptions::default())
}

/// Reads CSV or a spreadsheet.
pub fn read_table_with(bytes: &[u8], file_name: Option<&str>, options: &ReadOptions) -> Result<Table, TableError> {
    check_size(bytes.len(), options)?;
    if bytes.iter().all(u8::is_ascii_whitespace) || bytes == b"\xEF\xBB\xBF" {
        return Err(TableError::Empty);
    }
    let lower_name = file_name.map(str::to_lowercase).unwrap_or_default();
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return read_spreadsheet(bytes);
    }
    if [".xlsx", ".xlsm", ".xls", ".ods"].iter().any(|ext| lower_name.ends_with(ext)) {
        return Err(TableError::Spreadsheet(format!(
            "Filen heter ”{}” men är inget kalkylark som går att läsa. Öppna den i \
             kalkylprogrammet och spara den som Excel-arbetsbok (.xlsx) eller CSV.",
            file_name.unwrap_or_default()
        )));
    }
    if bytes.starts_with(b"%PDF") {
        return Err(TableError::NotText(
            "Filen är en PDF. Brygga kan läsa CSV- och Excel-filer: exportera tabellen som CSV \
             eller Excel från källan."
                .to_owned(),
        ));
    }
    let (text, encoding) = decode_text(bytes)?;
    read_csv_text(&text, encoding)
}

// ---------------------------------------------------------------------------------------------
// Encoding

/// Decodes CSV bytes as described in the module documentation.
pub fn decode_text(bytes: &[u8]) -> Result<(String, TextEncoding), TableError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return match std::str::from_utf8(rest) {
            Ok(s) => Ok((s.to_owned(), TextEncoding::Utf8Bom)),
            Err(e) => Err(mixed(rest, e.valid_up_to(), "UTF-8")),
        };
    }
    for (bom, enc, kind) in [
        (&[0xFF, 0xFE][..], encoding_rs::UTF_16LE, TextEncoding::Utf16Le),
        (&[0xFE, 0xFF][..], encoding_rs::UTF_16BE, TextEncoding::Utf16Be),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let (text, had_errors) = enc.decode_without_bom_handling(rest);
            if had_errors {
                let bad = text.find('\u{FFFD}').unwrap_or(text.len());
                return Err(TableError::MixedEncoding {
                    encoding: kind.label_sv(),
                    row: row_at(&text[..bad]),
                    context: context_around(&text, bad),
                });
            }
            return Ok((text.into_owned(), kind));
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        if s.contains('\0') {
            return Err(not_text());
        }
        return Ok((s.to_owned(), TextEncoding::Utf8));
    }
    if bytes.contains(&0) {
        return Err(not_text());
    }
    let mut valid_non_ascii = 0usize;
    let mut invalid = 0usize;
    let mut first_invalid = None;
    let mut offset = 0usize;
    for chunk in bytes.utf8_chunks() {
        valid_non_ascii += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        offset += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            invalid += 1;
            first_invalid.get_or_insert(offset);
        }
        offset += chunk.invalid().len();
    }
    if valid_non_ascii > invalid {
        return Err(mixed(bytes, first_invalid.unwrap_or(0), "UTF-8"));
    }
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    Ok((text.into_owned(), TextEncoding::Windows1252))
}

fn not_text() -> TableError {
    TableError::NotText(
        "Filen innehåller binära data och är ingen textfil (CSV). Välj en CSV- eller Excel-fil; \
         är filen sparad som UTF-16 utan byteordningsmärke, spara den i stället som ”CSV UTF-8”."
            .to_owned(),
    )
}

/// The error for a UTF-8 file with a bad byte at `bad`.
fn mixed(bytes: &[u8], bad: usize, encoding: &'static str) -> TableError {
    let bad = bad.min(bytes.len());
    let prefix = String::from_utf8_lossy(&bytes[..bad]);
    // Show the surroundings decoded as Windows-1252, which is what the stray bytes most likely
    // are, so the user recognises the word.
    let start = bad.saturating_sub(24);
    let end = (bad + 24).min(bytes.len());
    let (ctx, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes[start..end]);
    let ctx: String = ctx.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    TableError::MixedEncoding { encoding, row: row_at(&prefix), context: ctx }
}

fn context_around(text: &str, at: usize) -> String {
    let start = floor_char_boundary(text, at.saturating_sub(24));
    let end = floor_char_boundary(text, (at + 24).min(text.len()));
    text[start..end].replace(['\r', '\n'], " ").trim().to_owned()
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The 1-based row at the end of `prefix`: line ends outside quotes, plus one.
fn row_at(prefix: &str) -> usize {
    let mut row = 1;
    let mut quoted = false;
    let mut prev_cr = false;
    for c in prefix.chars() {
        match c {
            '"' => quoted = !quoted,
            '\r' if !quoted => row += 1,
            '\n' if !quoted && !prev_cr => row += 1,
            _ => {}
        }
        prev_cr = c == '\r';
    }
    row
}

// ---------------------------------------------------------------------------------------------
// CSV

/// Picks the delimiter among `;`, tab and `,` from the first 50 records of `text`.
///
/// For each candidate the most common number of columns (at least two) among the non-blank
/// sampled records is found; the delimiter for which most records share that number wins, ties
/// going to the one with more columns, then to `;` (Swedish files use the comma as decimal
/// separator), tab and `,` in that order. Title lines above the header therefore do not
/// mislead it. A single-column file gets `;`.
pub fn detect_delimiter(text: &str) -> char {
    const SAMPLE_RECORDS: usize = 50;
    // (agreeing records, columns, priority, delimiter)
    let mut best: Option<(usize, usize, usize, char)> = None;
    for (priority, d) in [(3, ';'), (2, '\t'), (1, ',')] {
        let records = parse_records(text, d, Some(SAMPLE_RECORDS), true).unwrap_or_default();
        let mut counts: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
        for r in records.iter().filter(|r| !r.is_blank()) {
            *counts.entry(r.cells.len()).or_default() += 1;
        }
        let Some((columns, agreeing)) = counts.into_iter().filter(|&(cols, _)| cols >= 2).max_by_key(|&(cols, n)| (n, cols)) else {
            continue;
        };
        let candidate = (agreeing, columns, priority, d);
        if best.is_none_or(|b| (candidate.0, candidate.1, candidate.2) > (b.0, b.1, b.2)) {
            best = Some(candidate);
        }
    }
    best.map_or(';', |(_, _, _, d)| d)
}

#[derive(Debug)]
struct RawRecord {
    /// Spreadsheet row number.
    line: usize,
    cells: Vec<String>,
}

impl RawRecord {
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

#[derive(Debug)]
enum QuoteError {
    Unterminated { line: usize, column: usize },
    TextAfter { line: usize, column: usize, after: String },
}

/// Parses CSV records. With `lenient`, stops quietly at the first quoting error (for sampling).
fn parse_records(text: &str, delim: char, limit: Option<usize>, lenient: bool) -> Result<Vec<RawRecord>, QuoteError> {
    let mut p =
        RecordBuilder { records: Vec::new(), cells: Vec::new(), field: String::new(), line: 1, record_line: 1, in_record: false, limit };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        p.begin();
        if c == '"' && p.field.is_empty() {
            // Quoted field.
            let column = p.cells.len();
            let start_line = p.line;
            let mut closed = false;
            while let Some(q) = chars.next() {
                match q {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        p.field.push('"');
                    }
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\r' => {
                        if chars.peek() == Some(&'\n') {
                            chars.next();
                        }
                        p.field.push('\n');
                    }
                    other => p.field.push(other),
                }
            }
            if !closed {
                if lenient {
                    return Ok(p.records);
                }
                return Err(QuoteError::Unterminated { line: start_line, column });
            }
            // After the closing quote: optional spaces, then delimiter, line end or end.
            while chars.peek() == Some(&' ') && delim != ' ' {
                chars.next();
            }
            let mut after = String::new();
            while let Some(&n) = chars.peek() {
                if n == delim || n == '\r' || n == '\n' || after.chars().count() >= 20 {
                    break;
                }
                after.push(n);
                chars.next();
            }
            if !after.is_empty() {
                if lenient {
                    return Ok(p.records);
                }
                return Err(QuoteError::TextAfter { line: p.line, column, after });
            }
            match chars.next() {
                None => {
                    p.end_record();
                    return Ok(p.records);
                }
                Some(n) if n == delim => p.end_field(),
                Some(n) => {
                    if n == '\r' && chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    if p.end_line() {
                        return Ok(p.records);
                    }
                }
            }
            continue;
        }
        if c == delim {
            p.end_field();
        } else if c == '\r' || c == '\n' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            if p.end_line() {
                return Ok(p.records);
            }
        } else {
            p.field.push(c);
        }
    }
    if p.in_record {
        p.end_record();
    }
    Ok(p.records)
}

struct RecordBuilder {
    records: Vec<RawRecord>,
    cells: Vec<String>,
    field: String,
    /// The current spreadsheet row (records so far + 1).
    line: usize,
    record_line: usize,
    /// Whether anything has been read for the current record.
    in_record: bool,
    limit: Option<usize>,
}

impl RecordBuilder {
    fn begin(&mut self) {
        if !self.in_record {
            self.record_line = self.line;
            self.in_record = true;
        }
    }

    fn end_field(&mut self) {
        self.cells.push(std::mem::take(&mut self.field));
    }

    fn end_record(&mut self) {
        self.end_field();
        self.records.push(RawRecord { line: self.record_line, cells: std::mem::take(&mut self.cells) });
        self.in_record = false;
    }

    /// Ends the record at a line end; returns whether the limit is reached.
    fn end_line(&mut self) -> bool {
        self.end_record();
        self.line += 1;
        self.limit.is_some_and(|l| self.records.len() >= l)
    }
}

fn read_csv_text(text: &str, encoding: TextEncoding) -> Result<Table, TableError> {
    // Excel's "sep=;" hint line; Excel does not show it, so it does not count as a row.
    let (text, forced) = match text.split_once(['\n']) {
        Some((first, rest)) => {
            let first = first.trim_end_matches('\r');
            match first.strip_prefix("sep=").map(|d| d.chars().collect::<Vec<_>>()) {
                Some(d) if d.len() == 1 => (rest, Some(d[0])),
                _ => (text, None),
            }
        }
        None => (text, None),
    };
    let delimiter = forced.unwrap_or_else(|| detect_delimiter(text));
    let records = match parse_records(text, delimiter, None, false) {
        Ok(r) => r,
        Err(e) => {
            // Name the column by the header when the header itself parsed.
            let header = parse_records(text, delimiter, None, true).ok().and_then(|rs| rs.into_iter().find(|r| !r.is_blank()));
            let name = |line: usize, column: usize| match &header {
                Some(h) if h.line < line => match h.cells.get(column) {
                    Some(n) if !n.trim().is_empty() => n.trim().to_owned(),
                    _ => format!("kolumn {}", column_letter(column)),
                },
                _ => format!("kolumn {}", column_letter(column)),
            };
            return Err(match e {
                QuoteError::Unterminated { line, column } => TableError::UnterminatedQuote { row: line, column: name(line, column) },
                QuoteError::TextAfter { line, column, after } => {
                    TableError::TextAfterQuote { row: line, column: name(line, column), after }
                }
            });
        }
    };
    let rows = records.into_iter().map(|r| Row { line: r.line, cells: r.cells.iter().map(|c| clean_cell(c)).collect() });
    build_table(rows, SourceFormat::Csv { encoding, delimiter })
}

/// Trims whitespace (including no-break spaces) around a cell.
fn clean_cell(c: &str) -> String {
    c.trim_matches(|ch: char| ch.is_whitespace() || ch == '\u{feff}').to_owned()
}

fn build_table(rows: impl Iterator<Item = Row>, format: SourceFormat) -> Result<Table, TableError> {
    let mut rows = rows.filter(|r| !r.is_blank());
    let Some(header) = rows.next() else {
        return Err(TableError::NoHeader);
    };
    let mut headers = header.cells;
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    Ok(Table { headers, rows: rows.collect(), header_line: header.line, format })
}

// ---------------------------------------------------------------------------------------------
// Spreadsheets
//
// A workbook is an untrusted archive, and a sheet's XML may claim any extent: cells `A1` and
// `XFD1048576` in a 1.6 KB file would make a dense reader allocate ~17 billion cells and abort
// the process (no `catch_unwind` helps against an allocation failure). So:
// - the archive is inflated once, counting, before the spreadsheet library sees it: too many
//   entries, or more than [`MAX_INFLATED_BYTES`] (or [`MAX_PART_BYTES`] for one part other than
//   a worksheet, since the library holds those parts in memory) refuse the file;
// - only XLSX is read, and its cells are streamed one by one into a sparse table; the sheet's
//   declared `<dimension>` is never used to allocate anything, and the actual extent is bounded
//   as it grows: at most [`MAX_SHEET_COLUMNS`] columns, [`MAX_SHEET_ROWS`] rows with content,
//   [`MAX_SHEET_CELLS`] cells (rows × columns as the table is built), [`MAX_CELL_CHARS`]
//   characters in one cell and [`MAX_SHEET_TEXT_BYTES`] of text in all.
// - old XLS, XLSB and ODS files, whose readers build whole sheets in memory, are refused with a
//   message saying how to save the file as XLSX or CSV.

/// At most this many bytes, all parts of a workbook together, once inflated.
pub const MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;
/// At most this many bytes for one part of a workbook that is not a worksheet (shared strings,
/// styles, …), once inflated: the spreadsheet library keeps those in memory.
pub const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// At most this many parts (files) in a workbook archive.
pub const MAX_PARTS: usize = 10_000;
/// At most this many columns, from the first to the last with content.
pub const MAX_SHEET_COLUMNS: usize = 1_000;
/// At most this many rows with content in a sheet.
pub const MAX_SHEET_ROWS: usize = 1_000_000;
/// At most this many cells in the table read from a sheet (rows with content × columns).
pub const MAX_SHEET_CELLS: usize = 5_000_000;
/// At most this many characters in one cell (Excel's own limit).
pub const MAX_CELL_CHARS: usize = 32_767;
/// At most this many bytes of text in all cells of a sheet together.
pub const MAX_SHEET_TEXT_BYTES: usize = 256 * 1024 * 1024;

fn read_spreadsheet(bytes: &[u8]) -> Result<Table, TableError> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(legacy_format("en äldre Excel-arbetsbok (.xls)"));
    }
    let kind = inspect_archive(bytes)?;
    match kind {
        ArchiveKind::Xlsx => {}
        ArchiveKind::Xlsb => return Err(legacy_format("en binär Excel-arbetsbok (.xlsb)")),
        ArchiveKind::Ods => return Err(legacy_format("ett OpenDocument-kalkylark (.ods)")),
        ArchiveKind::Other => return Err(unreadable_spreadsheet()),
    }
    // calamine parses untrusted archives; a panic inside it must not take the server down.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_xlsx(bytes)));
    match result {
        Ok(r) => r,
        Err(_) => Err(unreadable_spreadsheet()),
    }
}

fn unreadable_spreadsheet() -> TableError {
    TableError::Spreadsheet(
        "Kalkylarket går inte att läsa; filen kan vara skadad eller lösenordsskyddad. Öppna den \
         i kalkylprogrammet och spara den på nytt som Excel-arbetsbok (.xlsx) eller som CSV."
            .to_owned(),
    )
}

fn legacy_format(what: &str) -> TableError {
    TableError::Spreadsheet(format!(
        "Filen är {what}, som Brygga inte läser. Öppna den i kalkylprogrammet och spara den som \
         Excel-arbetsbok (.xlsx) eller som CSV, och läs in den filen."
    ))
}

fn too_big_workbook(detail: String) -> TableError {
    TableError::Spreadsheet(format!(
        "Kalkylarket är för stort för att läsas in: {detail}. Spara bara tabellen med uppgifterna \
         (ett kalkylblad, utan bilder), eller dela upp den i flera filer, och försök igen."
    ))
}

fn mib(bytes: u64) -> String {
    format!("{} MB", bytes / (1024 * 1024))
}

/// Thousands with a space, as Swedish text writes them: 1 000 000.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArchiveKind {
    Xlsx,
    Xlsb,
    Ods,
    Other,
}

/// Inflates every part of the archive once, counting bytes, and tells what kind of workbook it
/// is. Refuses archives that inflate beyond the limits (zip bombs) before any of it is parsed.
fn inspect_archive(bytes: &[u8]) -> Result<ArchiveKind, TableError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable_spreadsheet())?;
    if zip.len() > MAX_PARTS {
        return Err(too_big_workbook(format!("arkivet har {} delar, högst {} går", thousands(zip.len()), thousands(MAX_PARTS))));
    }
    let mut kind = ArchiveKind::Other;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|_| unreadable_spreadsheet())?;
        let name = part.name_raw().to_vec();
        let name = String::from_utf8_lossy(&name).into_owned();
        match name.as_str() {
            "xl/workbook.xml" => kind = ArchiveKind::Xlsx,
            "xl/workbook.bin" if kind == ArchiveKind::Other => kind = ArchiveKind::Xlsb,
            "content.xml" if kind == ArchiveKind::Other => kind = ArchiveKind::Ods,
            _ => {}
        }
        let is_sheet = name.starts_with("xl/worksheets/");
        let part_limit = if is_sheet { MAX_INFLATED_BYTES } else { MAX_PART_BYTES };
        // The sizes in the archive's directory can lie; count what actually comes out.
        let budget = part_limit.min(MAX_INFLATED_BYTES - total);
        let inflated = std::io::copy(&mut (&mut part).take(budget + 1), &mut std::io::sink()).map_err(|_| unreadable_spreadsheet())?;
        if inflated > budget {
            return Err(if budget < part_limit {
                too_big_workbook(format!("uppackat är det mer än {}, högst {} går", mib(MAX_INFLATED_BYTES), mib(MAX_INFLATED_BYTES)))
            } else {
                too_big_workbook(format!(
                    "delen ”{}” blir uppackad mer än {}, högst {} går",
                    short(&name),
                    mib(part_limit),
                    mib(part_limit)
                ))
            });
        }
        total += inflated;
    }
    Ok(kind)
}

/// A part name as shown in a message: at most 60 characters.
fn short(name: &str) -> String {
    name.chars().take(60).collect()
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, TableError> {
    let mut workbook: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable_spreadsheet())?;
    let names = workbook.sheet_names();
    for name in &names {
        let cells = match workbook.worksheet_cells_reader(name) {
            Ok(reader) => read_sheet_cells(reader, name)?,
            // Chart sheets and the like hold no table.
            Err(calamine::XlsxError::NotAWorksheet(_)) => continue,
            Err(_) => return Err(unreadable_spreadsheet()),
        };
        let Some(rows) = cells.into_rows(name)? else {
            continue;
        };
        if rows.iter().all(Row::is_blank) {
            continue;
        }
        return build_table(rows.into_iter(), SourceFormat::Spreadsheet { sheet: name.clone() });
    }
    Err(TableError::NoHeader)
}

/// The cells of one sheet with content, sparse: by row, then column (both 0-based, absolute).
#[derive(Default)]
struct SparseSheet {
    rows: std::collections::BTreeMap<u32, Vec<(u32, String)>>,
    cells: usize,
    text_bytes: usize,
    min_col: u32,
    max_col: u32,
}

fn sheet_limit(sheet: &str, detail: String) -> TableError {
    TableError::Spreadsheet(format!(
        "Kalkylbladet ”{}” kan inte läsas in: {detail}. Kopiera bara tabellen med uppgifterna till \
         ett nytt kalkylblad (eller dela upp den i flera filer) och försök igen.",
        short(sheet)
    ))
}

fn cell_ref(row: u32, col: u32) -> String {
    format!("{}{}", column_letter(col as usize), u64::from(row) + 1)
}

fn read_sheet_cells<RS: std::io::Read + std::io::Seek>(
    mut reader: calamine::XlsxCellReader<'_, RS>,
    sheet: &str,
) -> Result<SparseSheet, TableError> {
    let mut s = SparseSheet { min_col: u32::MAX, ..SparseSheet::default() };
    while let Some(cell) = reader.next_cell().map_err(|_| unreadable_spreadsheet())? {
        let (row, col) = cell.get_position();
        let value = cell.get_value();
        if matches!(value, calamine::DataRef::Empty) {
            continue;
        }
        let (lo, hi) = (s.min_col.min(col), s.max_col.max(col));
        if (hi - lo) as usize >= MAX_SHEET_COLUMNS {
            return Err(sheet_limit(
                sheet,
                format!(
                    "det finns innehåll i cell {} och i cell {}, det är fler än {} kolumner, högst {} går",
                    cell_ref(row, col),
                    if col == hi { column_letter(lo as usize) } else { column_letter(hi as usize) },
                    thousands(MAX_SHEET_COLUMNS),
                    thousands(MAX_SHEET_COLUMNS)
                ),
            ));
        }
        (s.min_col, s.max_col) = (lo, hi);
        s.cells += 1;
        if s.cells > MAX_SHEET_CELLS {
            return Err(sheet_limit(sheet, format!("det har fler än {} celler med innehåll", thousands(MAX_SHEET_CELLS))));
        }
        let text = cell_text(&Data::from(value.clone()));
        if text.chars().count() > MAX_CELL_CHARS {
            return Err(sheet_limit(
                sheet,
                format!(
                    "cell {} har fler än {} tecken, högst {} går",
                    cell_ref(row, col),
                    thousands(MAX_CELL_CHARS),
                    thousands(MAX_CELL_CHARS)
                ),
            ));
        }
        s.text_bytes += text.len();
        if s.text_bytes > MAX_SHEET_TEXT_BYTES {
            return Err(sheet_limit(sheet, format!("cellerna har tillsammans mer än {} text", mib(MAX_SHEET_TEXT_BYTES as u64))));
        }
        if !s.rows.contains_key(&row) && s.rows.len() >= MAX_SHEET_ROWS {
            return Err(sheet_limit(sheet, format!("det har fler än {} rader med innehåll", thousands(MAX_SHEET_ROWS))));
        }
        s.rows.entry(row).or_default().push((col, text));
    }
    Ok(s)
}

impl SparseSheet {
    /// The rows with content, each as wide as the sheet's columns from the first to the last
    /// with content (as a dense range would give them), or `None` for a sheet without cells.
    fn into_rows(self, sheet: &str) -> Result<Option<Vec<Row>>, TableError> {
        if self.rows.is_empty() {
            return Ok(None);
        }
        let width = (self.max_col - self.min_col) as usize + 1;
        if self.rows.len().saturating_mul(width) > MAX_SHEET_CELLS {
            return Err(sheet_limit(
                sheet,
                format!(
                    "{} rader gånger {} kolumner är fler än {} celler, högst {} går",
                    thousands(self.rows.len()),
                    thousands(width),
                    thousands(MAX_SHEET_CELLS),
                    thousands(MAX_SHEET_CELLS)
                ),
            ));
        }
        let min_col = self.min_col;
        let rows = self
            .rows
            .into_iter()
            .map(|(row, cells)| {
                let mut out = vec![String::new(); width];
                for (col, text) in cells {
                    out[(col - min_col) as usize] = text;
                }
                Row { line: row as usize + 1, cells: out }
            })
            .collect();
        Ok(Some(rows))
    }
}

fn cell_text(d: &Data) -> String {
    let s = match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => format_float(*f),
        Data::Bool(b) => if *b { "SANT" } else { "FALSKT" }.to_owned(),
        Data::DateTime(dt) => {
            let (y, m, d, h, min, s, _) = dt.to_ymd_hms_milli();
            if dt.is_duration() {
                format_float(dt.as_f64())
            } else if h == 0 && min == 0 && s == 0 {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}")
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    };
    clean_cell(&s)
}

/// A spreadsheet float as text: integers without decimals, others with a decimal comma as a
/// Swedish user would type them (so the same number helpers read CSV and spreadsheet cells).
fn format_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 { format!("{f:.0}") } else { f.to_string().replace('.', ",") }
}

// ---------------------------------------------------------------------------------------------
// Swedish numbers

/// A numeric cell as Swedish statistics write it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SvNumber {
    /// A plain number, e.g. "1 234,5".
    Number(f64),
    /// A number with a percent sign, in percent units: "12,5 %" is `Percent(12.5)`.
    Percent(f64),
    /// Deliberately not given: ".." (too few to publish, or not available), "…", "–", "-", "x".
    /// Not zero.
    Suppressed,
    /// An empty cell. Not zero.
    Missing,
}

impl SvNumber {
    /// The number if there is one (percent in percent units).
    pub fn value(self) -> Option<f64> {
        match self {
            SvNumber::Number(v) | SvNumber::Percent(v) => Some(v),
            SvNumber::Suppressed | SvNumber::Missing => None,
        }
    }
}

/// Why a cell is not a number; the message is a Swedish sentence without row or column, for
/// the caller to put into a [`crate::RowError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "”{text}” är inget tal. Skriv talet med siffror, med mellanslag som tusentalsavgränsare och \
     komma som decimaltecken, till exempel 1 234,5; skriv .. för ett värde som inte redovisas."
)]
pub struct NumberError {
    pub text: String,
}

/// Reads a number written the Swedish way: "1 234,5", "1234.5", "-3", "−3", "12,5 %",
/// "1.234.567", "1 234 567". Thousands separators are a space, a no-break space, a narrow
/// no-break space or (only with several groups, or together with a decimal comma) a dot; they
/// must separate groups of three digits. A single dot with no comma is a decimal point.
/// ".."/"…"/"–"/"-"/"x" are [`SvNumber::Suppressed`], an empty cell [`SvNumber::Missing`].
pub fn parse_number_sv(text: &str) -> Result<SvNumber, NumberError> {
    let err = || NumberError { text: text.chars().take(60).collect() };
    let t = text.trim_matches(|c: char| c.is_whitespace());
    if t.is_empty() {
        return Ok(SvNumber::Missing);
    }
    if matches!(t, ".." | "..." | "…" | "–" | "—" | "-" | "x" | "X" | "." | "..*") {
        return Ok(SvNumber::Suppressed);
    }
    if t.len() > 64 {
        return Err(err());
    }
    let (t, percent) = match t.strip_suffix('%') {
        Some(rest) => (rest.trim_end_matches(|c: char| c.is_whitespace()), true),
        None => (t, false),
    };
    let (negative, t) = if let Some(rest) = t.strip_prefix(['-', '−', '–']) {
        (true, rest)
    } else if let Some(rest) = t.strip_prefix('+') {
        (false, rest)
    } else {
        (false, t)
    };
    let (int_part, frac_part) = match (t.matches(',').count(), t.matches('.').count()) {
        (0, 0) => (t, None),
        (1, _) => {
            let (i, f) = t.split_once(',').ok_or_else(err)?;
            (i, Some(f))
        }
        (0, 1) => {
            let (i, f) = t.split_once('.').ok_or_else(err)?;
            (i, Some(f))
        }
        // "1.234.567": dots as thousands separators.
        (0, _) => (t, None),
        _ => return Err(err()),
    };
    let mut digits = String::new();
    let groups: Vec<&str> = int_part.split([' ', '\u{a0}', '\u{202f}', '.']).collect();
    for (k, g) in groups.iter().enumerate() {
        let ok_len = if k == 0 { (1..=if groups.len() == 1 { 18 } else { 3 }).contains(&g.len()) } else { g.len() == 3 };
        if !ok_len || !g.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        digits.push_str(g);
    }
    if let Some(f) = frac_part {
        if f.is_empty() || f.len() > 18 || !f.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        digits.push('.');
        digits.push_str(f);
    }
    let mut value: f64 = digits.parse().map_err(|_| err())?;
    if !value.is_finite() {
        return Err(err());
    }
    if negative {
        value = -value;
    }
    Ok(if percent { SvNumber::Percent(value) } else { SvNumber::Number(value) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn row_at_counts_line_ends_outside_quotes() {
        assert_eq!(row_at(""), 1);
        assert_eq!(row_at("a\nb\n"), 3);
        assert_eq!(row_at("a\r\nb\r\n"), 3);
        assert_eq!(row_at("\"a\nb\"\nc"), 2);
        assert_eq!(row_at("a\rb"), 2);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number_sv("1 234,5"), Ok(SvNumber::Number(1234.5)));
        assert_eq!(parse_number_sv("1\u{a0}234"), Ok(SvNumber::Number(1234.0)));
        assert_eq!(parse_number_sv("12,5 %"), Ok(SvNumber::Percent(12.5)));
        assert_eq!(parse_number_sv("12,5%"), Ok(SvNumber::Percent(12.5)));
        assert_eq!(parse_number_sv("0.235"), Ok(SvNumber::Number(0.235)));
        assert_eq!(parse_number_sv("1.234.567"), Ok(SvNumber::Number(1_234_567.0)));
        assert_eq!(parse_number_sv("1.234,5"), Ok(SvNumber::Number(1234.5)));
        assert_eq!(parse_number_sv("−3"), Ok(SvNumber::Number(-3.0)));
        assert_eq!(parse_number_sv(".."), Ok(SvNumber::Suppressed));
        assert_eq!(parse_number_sv("–"), Ok(SvNumber::Suppressed));
        assert_eq!(parse_number_sv(""), Ok(SvNumber::Missing));
        assert_eq!(parse_number_sv("  "), Ok(SvNumber::Missing));
        assert_ne!(parse_number_sv(".."), Ok(SvNumber::Number(0.0)));
        for bad in ["abc", "1 23", "12,3,4", "1,2.3.4", "12 kr", "NaN", "inf", "1e5", ",5", "5,", "--3"] {
            assert!(parse_number_sv(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn format_float_uses_decimal_comma() {
        assert_eq!(format_float(12.0), "12");
        assert_eq!(format_float(12.5), "12,5");
        assert_eq!(format_float(-0.25), "-0,25");
    }
}
