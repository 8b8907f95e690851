//! Monthly reported crimes (anmälda brott) per municipality and offence, from a CSV or
//! spreadsheet export of Brå's statistics database or an SCB-style PX table.
//!
//! # Layouts
//! **Long**: one row per municipality, month and offence:
//!
//! ```text
//! Region;År;Månad;Brottstyp;Antal
//! 1287 Trelleborg;2024;mars;Skadegörelse;41
//! ```
//!
//! The year column may be left out when the month says it ("2024M03", "2024-03").
//!
//! **Wide** (what PX-Web exports by default, "tid" as columns): region and offence, then one
//! column per month; a year column is needed only when the month headers lack one:
//!
//! ```text
//! Region;Brottstyp;2024M01;2024M02;2024M03
//! 1287 Trelleborg;Skadegörelse;38;..;41
//! ```
//!
//! # Tolerances
//! Headers in Swedish or English, any case ("Region"/"Kommun", "År", "Månad"/"Tid"/"Period",
//! "Brottstyp"/"Brott", "Antal"/"Värde"); title lines above the header; months as "2024M03",
//! "2024-03", "2024-03-01" (a spreadsheet date on the first), "mars"/"mar"/"March", "3"/"03";
//! regions as "1287 Trelleborg", "Trelleborg", "Trelleborgs kommun" or "1287"; numbers with
//! space thousands separators and decimal commas; ".." or "–" for a suppressed value and an
//! empty cell, both read as "no value" (`None`), never as 0.
//!
//! # What is skipped rather than refused
//! Rows for the whole country ("Riket", "Sverige", "Totalt") or a county ("Skåne län"), rows or
//! columns for a whole year ("Totalt", "Hela året"), and footnote lines after the table (rows
//! with a single filled cell after the last data row). Each skipped row is listed with a reason.

use std::collections::HashMap;

use brygga_domain::geography::{self, MunicipalityCode};
use serde::Serialize;

use crate::tabular::{NumberError, Row, SourceFormat, SvNumber, Table, TableError, normalize_header, parse_number_sv, read_table_with};
use crate::{ErrorCollector, ImportOptions, RowError, RowErrors, SkippedRow};

/// Reported crimes of one offence in one municipality and month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrimeStatRow {
    pub municipality: MunicipalityCode,
    pub year: i16,
    /// 1–12.
    pub month: u8,
    /// The offence as the source names it, e.g. "Skadegörelse".
    pub offence: String,
    /// `None` when the source suppresses the value ("..") or leaves it empty; never 0 for that.
    pub count: Option<f64>,
}

/// Which layout the file had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One row per municipality, month and offence.
    Long,
    /// Months as columns.
    Wide,
}

/// A successfully read file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrimeStats {
    pub rows: Vec<CrimeStatRow>,
    /// Rows deliberately not imported (country or county totals, footnotes), with reasons.
    pub skipped: Vec<SkippedRow>,
    pub layout: Layout,
    pub format: SourceFormat,
}

/// Why a file was refused. Nothing is imported then.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrimeStatsError {
    #[error(transparent)]
    Table(#[from] TableError),
    #[error(
        "Filen saknar {missing}. Rubrikraden har {found}. Den ska ha kolumnerna Region (kommun), \
         År, Månad, Brottstyp och Antal, eller Region, Brottstyp och en kolumn per månad \
         (till exempel 2024M01, 2024M02, …)."
    )]
    MissingColumns { missing: String, found: String },
    #[error("Filen har en rubrikrad men inga rader med data. Välj filen med uppgifterna.")]
    NoData,
    #[error("{0}")]
    Rows(RowErrors),
}

/// Reads a crime statistics file with default options.
pub fn parse_crime_stats(bytes: &[u8], file_name: Option<&str>) -> Result<CrimeStats, CrimeStatsError> {
    parse_crime_stats_with(bytes, file_name, &ImportOptions::default())
}

/// Reads a crime statistics file.
pub fn parse_crime_stats_with(bytes: &[u8], file_name: Option<&str>, options: &ImportOptions) -> Result<CrimeStats, CrimeStatsError> {
    let table = read_table_with(bytes, file_name, &options.read)?;
    crime_stats_from_table(table, options)
}

// ---------------------------------------------------------------------------------------------
// Columns

fn is_region(h: &str) -> bool {
    matches!(h, "region" | "kommun" | "kommunnamn" | "kommunkod" | "municipality" | "kommun/region")
        || h.starts_with("region ")
        || h.starts_with("kommun ")
}

fn is_year(h: &str) -> bool {
    matches!(h, "år" | "ar" | "year" | "årtal")
}

fn is_month(h: &str) -> bool {
    matches!(h, "månad" | "manad" | "month" | "tid" | "period" | "år och månad")
}

fn is_offence(h: &str) -> bool {
    matches!(h, "brottstyp" | "brott" | "brottskategori" | "offence" | "offense" | "brottsrubricering")
        || h.starts_with("brottstyp")
        || h.starts_with("brottskategori")
}

fn is_count(h: &str) -> bool {
    matches!(h, "antal" | "count" | "värde" | "varde" | "value" | "anmälda brott" | "antal brott") || h.starts_with("antal ")
}

fn is_total(h: &str) -> bool {
    matches!(h, "totalt" | "total" | "summa" | "hela året" | "helår" | "år totalt" | "samtliga månader")
}

struct Columns {
    region: usize,
    offence: usize,
    year: Option<usize>,
    kind: ColumnsKind,
}

enum ColumnsKind {
    Long {
        month: usize,
        count: usize,
    },
    /// `(column, year from header, month)`.
    Wide {
        months: Vec<(usize, Option<i16>, u8)>,
    },
}

fn find(headers: &[String], pred: fn(&str) -> bool) -> Option<usize> {
    headers.iter().position(|h| pred(&normalize_header(h)))
}

fn looks_like_header(cells: &[String]) -> bool {
    find(cells, is_region).is_some()
        && (find(cells, is_count).is_some() || cells.iter().any(|h| parse_period_header(&normalize_header(h)).is_some()))
}

fn identify_columns(table: &Table) -> Result<Columns, CrimeStatsError> {
    let h = &table.headers;
    let region = find(h, is_region);
    let offence = find(h, is_offence);
    let year = find(h, is_year);
    let month = find(h, is_month);
    let count = find(h, is_count);
    let wide_months: Vec<(usize, Option<i16>, u8)> = h
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != year && Some(*i) != region && Some(*i) != offence)
        .filter_map(|(i, name)| parse_period_header(&normalize_header(name)).map(|(y, m)| (i, y, m)))
        .filter(|(_, y, _)| y.is_some() || year.is_some())
        .collect();
    let mut missing = Vec::new();
    if region.is_none() {
        missing.push("Region");
    }
    if offence.is_none() {
        missing.push("Brottstyp");
    }
    let kind = match (month, count) {
        (Some(month), Some(count)) => Some(ColumnsKind::Long { month, count }),
        _ if !wide_months.is_empty() && count.is_none() => Some(ColumnsKind::Wide { months: wide_months }),
        (None, Some(_)) => {
            missing.push("Månad");
            None
        }
        (Some(_), None) => {
            missing.push("Antal");
            None
        }
        (None, None) => {
            missing.push("Månad");
            missing.push("Antal");
            None
        }
    };
    match (region, offence, kind) {
        (Some(region), Some(offence), Some(kind)) if missing.is_empty() => Ok(Columns { region, offence, year, kind }),
        _ => Err(CrimeStatsError::MissingColumns {
            missing: list_sv("kolumnen", "kolumnerna", &missing),
            found: if h.is_empty() { "inga kolumner".to_owned() } else { list_sv("kolumnen", "kolumnerna", h) },
        }),
    }
}

/// `kolumnen ”A”` / `kolumnerna ”A”, ”B” och ”C”`.
pub(crate) fn list_sv<S: AsRef<str>>(one: &str, many: &str, items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().take(12).map(|s| format!("”{}”", s.as_ref())).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [a] => format!("{one} {a}"),
        [init @ .., last] => {
            let more = if items.len() > 12 { " med flera" } else { "" };
            format!("{many} {} och {last}{more}", init.join(", "))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Periods

const MONTHS: &[(&str, u8)] = &[
    ("januari", 1),
    ("jan", 1),
    ("january", 1),
    ("februari", 2),
    ("feb", 2),
    ("february", 2),
    ("mars", 3),
    ("mar", 3),
    ("march", 3),
    ("april", 4),
    ("apr", 4),
    ("maj", 5),
    ("may", 5),
    ("juni", 6),
    ("jun", 6),
    ("june", 6),
    ("juli", 7),
    ("jul", 7),
    ("july", 7),
    ("augusti", 8),
    ("aug", 8),
    ("august", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("oktober", 10),
    ("okt", 10),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

fn month_by_name(s: &str) -> Option<u8> {
    let s = s.trim_end_matches('.');
    MONTHS.iter().find(|(n, _)| *n == s).map(|&(_, m)| m)
}

/// A month as a cell or header gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeriodError {
    /// Looks like a month but the number is not 1–12.
    MonthOutOfRange(u32),
    /// A year outside 1900–2100.
    YearOutOfRange,
    /// Not recognisable.
    Unreadable,
}

fn year_from(digits: &str) -> Result<i16, PeriodError> {
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PeriodError::Unreadable);
    }
    let y: i16 = digits.parse().map_err(|_| PeriodError::Unreadable)?;
    if (1900..=2100).contains(&y) { Ok(y) } else { Err(PeriodError::YearOutOfRange) }
}

fn month_from(digits: &str) -> Result<u8, PeriodError> {
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PeriodError::Unreadable);
    }
    let m: u32 = digits.parse().map_err(|_| PeriodError::Unreadable)?;
    match u8::try_from(m) {
        Ok(m @ 1..=12) => Ok(m),
        _ => Err(PeriodError::MonthOutOfRange(m)),
    }
}

/// "2024M03", "2024-03", "2024-03-01", "2024/03", "mars 2024", "2024 mars", "mars", "3".
fn parse_period(raw: &str) -> Result<(Option<i16>, u8), PeriodError> {
    let s = raw.trim().to_lowercase();
    if s.is_empty() {
        return Err(PeriodError::Unreadable);
    }
    if let Some((y, m)) = s.split_once('m')
        && y.len() == 4
        && y.bytes().all(|b| b.is_ascii_digit())
    {
        return Ok((Some(year_from(y)?), month_from(m)?));
    }
    let dashed: Vec<&str> = s.split(['-', '/']).collect();
    match dashed.as_slice() {
        [y, m] if y.len() == 4 => return Ok((Some(year_from(y)?), month_from(m)?)),
        [y, m, "01"] if y.len() == 4 => return Ok((Some(year_from(y)?), month_from(m)?)),
        [y, m, "01 00:00:00"] if y.len() == 4 => {
            return Ok((Some(year_from(y)?), month_from(m)?));
        }
        _ => {}
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    match words.as_slice() {
        [w] => {
            if let Some(m) = month_by_name(w) {
                return Ok((None, m));
            }
            if w.bytes().all(|b| b.is_ascii_digit()) && w.len() <= 2 {
                return Ok((None, month_from(w)?));
            }
            Err(PeriodError::Unreadable)
        }
        [a, b] => {
            if let (Some(m), Ok(y)) = (month_by_name(a), year_from(b)) {
                return Ok((Some(y), m));
            }
            if let (Ok(y), Some(m)) = (year_from(a), month_by_name(b)) {
                return Ok((Some(y), m));
            }
            Err(PeriodError::Unreadable)
        }
        _ => Err(PeriodError::Unreadable),
    }
}

/// A header that names a month column in a wide layout. Plain numbers are not month headers
/// (they could be anything); names and year-month forms are.
fn parse_period_header(h: &str) -> Option<(Option<i16>, u8)> {
    if h.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    parse_period(h).ok()
}

fn period_error_message(raw: &str, e: PeriodError) -> String {
    match e {
        PeriodError::MonthOutOfRange(m) => format!(
            "månad {m} finns inte (i ”{raw}”). Ange månad 1–12, till exempel ”2024M03”, \
             ”2024-03” eller ”mars”."
        ),
        PeriodError::YearOutOfRange => format!("året i ”{raw}” är orimligt. Ange ett år mellan 1900 och 2100, till exempel ”2024M03”."),
        PeriodError::Unreadable => format!("”{raw}” är ingen månad. Skriv månaden som ”2024M03”, ”2024-03”, ”mars” eller ”3”."),
    }
}

// ---------------------------------------------------------------------------------------------
// Rows

enum RegionCell {
    Municipality(MunicipalityCode),
    Aggregate(String),
}

fn parse_region(raw: &str) -> Option<RegionCell> {
    if let Some(m) = geography::municipality_by_name(raw) {
        return Some(RegionCell::Municipality(m.municipality_code()));
    }
    let key = normalize_header(raw);
    let national = ["riket", "hela riket", "sverige", "hela sverige", "hela landet", "totalt", "samtliga kommuner", "00 riket", "0 riket"];
    if national.contains(&key.as_str()) {
        return Some(RegionCell::Aggregate(format!("raden gäller hela landet (”{raw}”), inte en kommun")));
    }
    geography::county_by_name(raw).map(|c| RegionCell::Aggregate(format!("raden gäller {}, inte en kommun", c.name)))
}

fn short(raw: &str) -> String {
    let mut s: String = raw.chars().take(50).collect();
    if raw.chars().count() > 50 {
        s.push('…');
    }
    s
}

fn count_from(raw: &str) -> Result<Option<f64>, String> {
    match parse_number_sv(raw) {
        Ok(SvNumber::Number(v)) if v < 0.0 => {
            Err(format!("antalet {} är negativt. Antal brott kan inte vara mindre än 0; rätta värdet.", short(raw)))
        }
        Ok(SvNumber::Number(v)) => Ok(Some(v)),
        Ok(SvNumber::Percent(_)) => Err(format!(
            "”{}” är en procentsats, men kolumnen ska innehålla antal anmälda brott. Ange \
             antalet utan procenttecken.",
            short(raw)
        )),
        Ok(SvNumber::Suppressed | SvNumber::Missing) => Ok(None),
        Err(NumberError { .. }) => Err(format!(
            "”{}” är inget antal. Skriv antalet med siffror, till exempel 41 eller 1 234, och \
             .. för ett värde som inte redovisas.",
            short(raw)
        )),
    }
}

fn year_cell(raw: &str) -> Result<i16, String> {
    year_from(raw.trim()).map_err(|_| format!("”{}” är inget år. Skriv året med fyra siffror, till exempel 2024.", short(raw)))
}

/// Reads crime statistics from an already read table.
pub fn crime_stats_from_table(mut table: Table, options: &ImportOptions) -> Result<CrimeStats, CrimeStatsError> {
    table.promote_header(10, looks_like_header);
    let columns = identify_columns(&table)?;
    if table.rows.is_empty() {
        return Err(CrimeStatsError::NoData);
    }
    let mut errors = ErrorCollector::new(options.max_errors);
    let mut skipped = Vec::new();
    let mut rows = Vec::new();
    let mut seen: HashMap<(MunicipalityCode, i16, u8, String), usize> = HashMap::new();

    // Footnotes: rows after the last row with two or more filled cells that have one filled cell.
    let filled = |r: &Row| r.cells.iter().filter(|c| !c.is_empty()).count();
    let last_data = table.rows.iter().rposition(|r| filled(r) >= 2);
    let name = |i: usize| table.column_name(i);

    for (k, row) in table.rows.iter().enumerate() {
        if last_data.is_none_or(|l| k > l) {
            skipped.push(SkippedRow { row: row.line, reason: format!("fotnot eller kommentar: ”{}”", short(row.get(0))) });
            continue;
        }
        let mut row_errors = Vec::new();
        let region_raw = row.get(columns.region);
        let region = if region_raw.is_empty() {
            row_errors.push(RowError::new(
                row.line,
                Some(&name(columns.region)),
                "crime_stats.region_missing",
                "kommun saknas. Skriv kommunens namn eller kod, till exempel ”1287 Trelleborg”.",
            ));
            None
        } else {
            match parse_region(region_raw) {
                Some(RegionCell::Municipality(code)) => Some(code),
                Some(RegionCell::Aggregate(reason)) => {
                    skipped.push(SkippedRow { row: row.line, reason });
                    continue;
                }
                None => {
                    row_errors.push(RowError::new(
                        row.line,
                        Some(&name(columns.region)),
                        "crime_stats.unknown_municipality",
                        format!(
                            "”{}” är ingen svensk kommun. Skriv kommunens namn eller \
                             fyrsiffriga kommunkod, till exempel ”1287 Trelleborg” eller \
                             ”Trelleborg”.",
                            short(region_raw)
                        ),
                    ));
                    None
                }
            }
        };
        let offence_raw = row.get(columns.offence);
        if offence_raw.is_empty() {
            row_errors.push(RowError::new(
                row.line,
                Some(&name(columns.offence)),
                "crime_stats.offence_missing",
                "brottstyp saknas. Skriv brottstypen, till exempel ”Skadegörelse”.",
            ));
        }
        let year_col = match columns.year {
            Some(c) => match year_cell(row.get(c)) {
                Ok(y) => Some(y),
                Err(msg) => {
                    row_errors.push(RowError::new(row.line, Some(&name(c)), "crime_stats.year", msg));
                    None
                }
            },
            None => None,
        };
        // (year, month, count) per value in the row.
        let mut values: Vec<(i16, u8, Option<f64>)> = Vec::new();
        match &columns.kind {
            ColumnsKind::Long { month, count } => {
                let month_raw = row.get(*month);
                let period = match parse_period(month_raw) {
                    Ok(p) => Some(p),
                    Err(PeriodError::Unreadable) if is_total(&normalize_header(month_raw)) => {
                        skipped.push(SkippedRow { row: row.line, reason: format!("raden gäller hela året (”{month_raw}”)") });
                        continue;
                    }
                    Err(e) => {
                        row_errors.push(RowError::new(
                            row.line,
                            Some(&name(*month)),
                            "crime_stats.month",
                            period_error_message(month_raw, e),
                        ));
                        None
                    }
                };
                let year = match period {
                    Some((Some(y), _)) => {
                        if let Some(yc) = year_col
                            && yc != y
                        {
                            row_errors.push(RowError::new(
                                row.line,
                                Some(&name(*month)),
                                "crime_stats.year_mismatch",
                                format!(
                                    "månaden ”{month_raw}” gäller år {y} men kolumnen ”{}” \
                                     säger {yc}. Rätta det ena så att de stämmer.",
                                    columns.year.map(&name).unwrap_or_default()
                                ),
                            ));
                        }
                        Some(y)
                    }
                    Some((None, _)) if columns.year.is_none() => {
                        row_errors.push(RowError::new(
                            row.line,
                            Some(&name(*month)),
                            "crime_stats.year_missing",
                            format!(
                                "månaden ”{month_raw}” säger inte vilket år. Lägg till en \
                                 kolumn ”År” eller skriv månaden som ”2024M03”."
                            ),
                        ));
                        None
                    }
                    Some((None, _)) => year_col,
                    None => None,
                };
                let count_val = match count_from(row.get(*count)) {
                    Ok(v) => Some(v),
                    Err(msg) => {
                        row_errors.push(RowError::new(row.line, Some(&name(*count)), "crime_stats.count", msg));
                        None
                    }
                };
                if let (Some(y), Some((_, m)), Some(c)) = (year, period, count_val) {
                    values.push((y, m, c));
                }
            }
            ColumnsKind::Wide { months } => {
                for &(col, header_year, m) in months {
                    let year = header_year.or(year_col);
                    match count_from(row.get(col)) {
                        Ok(c) => {
                            if let Some(y) = year {
                                values.push((y, m, c));
                            }
                        }
                        Err(msg) => row_errors.push(RowError::new(row.line, Some(&name(col)), "crime_stats.count", msg)),
                    }
                }
            }
        }
        if !row_errors.is_empty() {
            for e in row_errors {
                errors.push(e);
            }
            continue;
        }
        let Some(municipality) = region else {
            continue;
        };
        for (year, month, count) in values {
            let key = (municipality, year, month, offence_raw.to_owned());
            if let Some(&first) = seen.get(&key) {
                errors.push(RowError::new(
                    row.line,
                    None,
                    "crime_stats.duplicate",
                    format!(
                        "{} {year}-{month:02} ”{}” finns redan på rad {first}. Ta bort den ena \
                         raden eller slå ihop dem.",
                        municipality.municipality().name,
                        short(offence_raw)
                    ),
                ));
                // One duplicate message per row is enough.
                break;
            }
            seen.insert(key, row.line);
            rows.push(CrimeStatRow { municipality, year, month, offence: offence_raw.to_owned(), count });
        }
    }
    if !errors.is_empty() {
        return Err(CrimeStatsError::Rows(errors.into_errors()));
    }
    if rows.is_empty() {
        return Err(CrimeStatsError::NoData);
    }
    Ok(CrimeStats {
        rows,
        skipped,
        layout: match columns.kind {
            ColumnsKind::Long { .. } => Layout::Long,
            ColumnsKind::Wide { .. } => Layout::Wide,
        },
        format: table.format,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(parse_period("2024M03"), Ok((Some(2024), 3)));
        assert_eq!(parse_period("2024m3"), Ok((Some(2024), 3)));
        assert_eq!(parse_period("2024-03"), Ok((Some(2024), 3)));
        assert_eq!(parse_period("2024-03-01"), Ok((Some(2024), 3)));
        assert_eq!(parse_period("2024/11"), Ok((Some(2024), 11)));
        assert_eq!(parse_period("mars"), Ok((None, 3)));
        assert_eq!(parse_period("Mars"), Ok((None, 3)));
        assert_eq!(parse_period("okt."), Ok((None, 10)));
        assert_eq!(parse_period("mars 2024"), Ok((Some(2024), 3)));
        assert_eq!(parse_period("2024 december"), Ok((Some(2024), 12)));
        assert_eq!(parse_period("3"), Ok((None, 3)));
        assert_eq!(parse_period("03"), Ok((None, 3)));
        assert_eq!(parse_period("13"), Err(PeriodError::MonthOutOfRange(13)));
        assert_eq!(parse_period("2024M13"), Err(PeriodError::MonthOutOfRange(13)));
        assert_eq!(parse_period("0"), Err(PeriodError::MonthOutOfRange(0)));
        assert_eq!(parse_period("3024M01"), Err(PeriodError::YearOutOfRange));
        assert_eq!(parse_period("2024-03-15"), Err(PeriodError::Unreadable));
        assert_eq!(parse_period("mors"), Err(PeriodError::Unreadable));
        assert_eq!(parse_period(""), Err(PeriodError::Unreadable));
    }

    #[test]
    fn period_headers_exclude_plain_numbers() {
        assert_eq!(parse_period_header("2024m01"), Some((Some(2024), 1)));
        assert_eq!(parse_period_header("januari"), Some((None, 1)));
        assert_eq!(parse_period_header("3"), None);
        assert_eq!(parse_period_header("antal"), None);
    }

    #[test]
    fn lists() {
        assert_eq!(list_sv("kolumnen", "kolumnerna", &["A"]), "kolumnen ”A”");
        assert_eq!(list_sv("kolumnen", "kolumnerna", &["A", "B", "C"]), "kolumnerna ”A”, ”B” och ”C”");
    }
}
