//! Safety survey results (trygghetsmätning): the share of respondents who feel unsafe, per
//! area, question and year.
//!
//! ```text
//! Område;Fråga;År;Andel otrygga;Antal svar
//! Östervärn;Otrygg utomhus sent en kväll;2024;23,5 %;412
//! ```
//!
//! # The share
//! A cell with a percent sign is a percentage ("23,5 %"). For cells without one, the column
//! decides: a header saying percent ("Andel otrygga (%)", "… procent") means percentages; else
//! if any value in the column is above 1 the column is in percent; otherwise the values are
//! fractions ("0,235"). Percentages must lie in 0–100 and fractions in 0–1; `share_unsafe` is
//! always a fraction. A suppressed share ("..", too few respondents to publish) is skipped with a
//! reason, an empty one is an error.
//!
//! # Respondents
//! Optional: an empty or suppressed cell is `None`; otherwise a whole, non-negative number.

use std::collections::HashMap;

use serde::Serialize;

use crate::crime_stats::list_sv;
use crate::tabular::{SourceFormat, SvNumber, Table, TableError, normalize_header, parse_number_sv, read_table_with};
use crate::{ErrorCollector, ImportOptions, RowError, RowErrors, SkippedRow};

/// One survey result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SafetySurveyRow {
    /// The area as the survey names it, e.g. "Östervärn".
    pub area: String,
    /// The question or indicator, e.g. "Otrygg utomhus sent en kväll".
    pub question: String,
    pub year: i16,
    /// The share who feel unsafe, as a fraction 0–1.
    pub share_unsafe: f64,
    pub respondents: Option<u32>,
}

/// A successfully read file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SafetySurvey {
    pub rows: Vec<SafetySurveyRow>,
    /// Rows with a suppressed share, with reasons.
    pub skipped: Vec<SkippedRow>,
    pub format: SourceFormat,
}

/// Why a file was refused. Nothing is imported then.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SafetySurveyError {
    #[error(transparent)]
    Table(#[from] TableError),
    #[error(
        "Filen saknar {missing}. Rubrikraden har {found}. Den ska ha kolumnerna Område, Fråga, \
         År och Andel otrygga, och gärna Antal svar."
    )]
    MissingColumns { missing: String, found: String },
    #[error("Filen har en rubrikrad men inga rader med data. Välj filen med uppgifterna.")]
    NoData,
    #[error("{0}")]
    Rows(RowErrors),
}

/// Reads a safety survey file with default options.
pub fn parse_safety_survey(bytes: &[u8], file_name: Option<&str>) -> Result<SafetySurvey, SafetySurveyError> {
    parse_safety_survey_with(bytes, file_name, &ImportOptions::default())
}

/// Reads a safety survey file.
pub fn parse_safety_survey_with(bytes: &[u8], file_name: Option<&str>, options: &ImportOptions) -> Result<SafetySurvey, SafetySurveyError> {
    let table = read_table_with(bytes, file_name, &options.read)?;
    safety_survey_from_table(table, options)
}

fn is_area(h: &str) -> bool {
    matches!(h, "område" | "omrade" | "area" | "stadsdel" | "plats" | "delområde" | "bostadsområde") || h.starts_with("område ")
}

fn is_question(h: &str) -> bool {
    matches!(h, "fråga" | "fraga" | "question" | "påstående" | "indikator" | "frågeområde") || h.starts_with("fråga ")
}

fn is_year(h: &str) -> bool {
    matches!(h, "år" | "ar" | "year" | "mätår" | "årtal")
}

fn is_share(h: &str) -> bool {
    matches!(h, "andel" | "share_unsafe" | "share unsafe" | "otrygga") || h.starts_with("andel ") || h.starts_with("andel(")
}

fn is_respondents(h: &str) -> bool {
    matches!(h, "n" | "antal svar" | "antal svarande" | "svarande" | "respondents" | "antal") || h.starts_with("antal svar")
}

fn says_percent(h: &str) -> bool {
    h.contains('%') || h.contains("procent") || h.contains("percent")
}

fn short(raw: &str) -> String {
    let mut s: String = raw.chars().take(50).collect();
    if raw.chars().count() > 50 {
        s.push('…');
    }
    s
}

/// Reads survey results from an already read table.
pub fn safety_survey_from_table(mut table: Table, options: &ImportOptions) -> Result<SafetySurvey, SafetySurveyError> {
    let find = |cells: &[String], pred: fn(&str) -> bool| cells.iter().position(|h| pred(&normalize_header(h)));
    table.promote_header(10, |cells| find(cells, is_area).is_some() && find(cells, is_share).is_some());
    let h = &table.headers;
    let (area, question, year, share) = (find(h, is_area), find(h, is_question), find(h, is_year), find(h, is_share));
    let respondents = find(h, is_respondents);
    let (Some(area), Some(question), Some(year), Some(share)) = (area, question, year, share) else {
        let missing: Vec<&str> = [(area, "Område"), (question, "Fråga"), (year, "År"), (share, "Andel otrygga")]
            .iter()
            .filter(|(c, _)| c.is_none())
            .map(|&(_, n)| n)
            .collect();
        return Err(SafetySurveyError::MissingColumns {
            missing: list_sv("kolumnen", "kolumnerna", &missing),
            found: if h.is_empty() { "inga kolumner".to_owned() } else { list_sv("kolumnen", "kolumnerna", h) },
        });
    };
    if table.rows.is_empty() {
        return Err(SafetySurveyError::NoData);
    }
    let name = |i: usize| table.column_name(i);
    let share_name = name(share);

    // The scale of share cells without a percent sign.
    let percent_column = says_percent(&normalize_header(&share_name))
        || table.rows.iter().any(|r| matches!(parse_number_sv(r.get(share)), Ok(SvNumber::Number(v)) if v > 1.0));

    let mut errors = ErrorCollector::new(options.max_errors);
    let mut skipped = Vec::new();
    let mut rows = Vec::new();
    let mut seen: HashMap<(String, String, i16), usize> = HashMap::new();

    for row in &table.rows {
        let mut row_errors = Vec::new();
        let mut err = |col: usize, code: &'static str, msg: String| {
            row_errors.push(RowError::new(row.line, Some(&name(col)), code, msg));
        };
        let area_v = row.get(area);
        if area_v.is_empty() {
            err(area, "safety_survey.area_missing", "området saknas. Skriv områdets namn, till exempel ”Östervärn”.".to_owned());
        }
        let question_v = row.get(question);
        if question_v.is_empty() {
            err(
                question,
                "safety_survey.question_missing",
                "frågan saknas. Skriv frågan eller indikatorn, till exempel ”Otrygg utomhus sent \
                 en kväll”."
                    .to_owned(),
            );
        }
        let year_raw = row.get(year);
        let year_v = match year_raw.parse::<i16>() {
            Ok(y) if (1900..=2100).contains(&y) && year_raw.len() == 4 => Some(y),
            _ => {
                err(
                    year,
                    "safety_survey.year",
                    format!("”{}” är inget år. Skriv mätåret med fyra siffror, till exempel 2024.", short(year_raw)),
                );
                None
            }
        };
        let share_raw = row.get(share);
        let share_v = match parse_number_sv(share_raw) {
            Ok(SvNumber::Percent(p)) => Some((p, true)),
            Ok(SvNumber::Number(v)) => Some((v, percent_column)),
            Ok(SvNumber::Suppressed) => {
                skipped.push(SkippedRow {
                    row: row.line,
                    reason: format!("andelen redovisas inte (”{share_raw}”), troligen för få svarande"),
                });
                continue;
            }
            Ok(SvNumber::Missing) => {
                err(
                    share,
                    "safety_survey.share_missing",
                    "andelen saknas. Skriv andelen otrygga, till exempel 23,5 %, eller .. om \
                     värdet inte redovisas."
                        .to_owned(),
                );
                None
            }
            Err(_) => {
                err(
                    share,
                    "safety_survey.share",
                    format!(
                        "”{}” är ingen andel. Skriv andelen som procent (23,5 %) eller som \
                         andel mellan 0 och 1 (0,235).",
                        short(share_raw)
                    ),
                );
                None
            }
        };
        let share_fraction = match share_v {
            Some((p, true)) if (0.0..=100.0).contains(&p) => Some(p / 100.0),
            Some((p, true)) => {
                err(
                    share,
                    "safety_survey.share_range",
                    format!("andelen {} % ligger utanför 0–100 %. Rätta värdet.", short(share_raw.trim_end_matches([' ', '%']))),
                );
                let _ = p;
                None
            }
            Some((f, false)) if (0.0..=1.0).contains(&f) => Some(f),
            Some((_, false)) => {
                err(
                    share,
                    "safety_survey.share_range",
                    format!(
                        "andelen ”{}” ligger utanför 0–1. Skriv en andel mellan 0 och 1 eller \
                         en procentsats med procenttecken.",
                        short(share_raw)
                    ),
                );
                None
            }
            None => None,
        };
        let respondents_v = match respondents {
            None => None,
            Some(col) => {
                let raw = row.get(col);
                match parse_number_sv(raw) {
                    Ok(SvNumber::Suppressed | SvNumber::Missing) => None,
                    Ok(SvNumber::Number(v)) if v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) => {
                        // Whole and in range, so the conversion is exact.
                        Some(v as u32)
                    }
                    _ => {
                        err(
                            col,
                            "safety_survey.respondents",
                            format!(
                                "”{}” är inget antal svarande. Skriv ett heltal, till exempel \
                                 412, eller lämna cellen tom.",
                                short(raw)
                            ),
                        );
                        None
                    }
                }
            }
        };
        if !row_errors.is_empty() {
            for e in row_errors {
                errors.push(e);
            }
            continue;
        }
        let (Some(year_v), Some(share_unsafe)) = (year_v, share_fraction) else {
            continue;
        };
        let key = (area_v.to_owned(), question_v.to_owned(), year_v);
        if let Some(&first) = seen.get(&key) {
            errors.push(RowError::new(
                row.line,
                None,
                "safety_survey.duplicate",
                format!("”{}”, ”{}” {year_v} finns redan på rad {first}. Ta bort den ena raden.", short(area_v), short(question_v)),
            ));
            continue;
        }
        seen.insert(key, row.line);
        rows.push(SafetySurveyRow {
            area: area_v.to_owned(),
            question: question_v.to_owned(),
            year: year_v,
            share_unsafe,
            respondents: respondents_v,
        });
    }
    if !errors.is_empty() {
        return Err(SafetySurveyError::Rows(errors.into_errors()));
    }
    if rows.is_empty() {
        return Err(SafetySurveyError::NoData);
    }
    Ok(SafetySurvey { rows, skipped, format: table.format })
}
