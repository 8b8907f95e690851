//! Pure parsers for the data a municipality brings into its situation picture (lägesbild):
//! the Swedish Police's events feed, monthly reported-crime statistics and safety surveys.
//!
//! Everything here goes from bytes to typed rows and row-level errors. Nothing is written
//! anywhere: the caller shows the errors, and commits all rows or none.
//!
//! Messages are Swedish and meant for the person who uploaded the file: every row error names
//! the row as a spreadsheet counts it (the header is row 1), the column by its header name, and
//! says how to fix the problem.

pub mod crime_stats;
pub mod police_events;
pub mod safety_survey;
pub mod tabular;

use serde::Serialize;

/// One rejected cell or row of an uploaded table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The row as a spreadsheet program numbers it: the header row is row 1.
    pub row: usize,
    /// The column's header text, or `None` when the whole row is wrong.
    pub column: Option<String>,
    /// A stable machine code, e.g. `crime_stats.unknown_municipality`.
    pub code: &'static str,
    /// What is wrong and how to fix it, in Swedish.
    pub message: String,
}

impl RowError {
    pub fn new(row: usize, column: Option<&str>, code: &'static str, message: impl Into<String>) -> Self {
        Self { row, column: column.map(str::to_owned), code, message: message.into() }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "Rad {}, kolumn ”{c}”: {}", self.row, self.message),
            None => write!(f, "Rad {}: {}", self.row, self.message),
        }
    }
}

/// All row errors of one file, up to a cap, and how many there were in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowErrors {
    /// The first errors, in row order.
    pub errors: Vec<RowError>,
    /// How many errors the file has in total (more than `errors.len()` when capped).
    pub total: usize,
}

impl std::fmt::Display for RowErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = self.errors.len();
        if self.total == 1 {
            write!(f, "Filen har ett fel och lästes inte in.")?;
        } else {
            write!(f, "Filen har {} fel och lästes inte in.", self.total)?;
        }
        if shown < self.total {
            write!(f, " De första {shown} visas.")?;
        }
        for e in &self.errors {
            write!(f, "\n{e}")?;
        }
        Ok(())
    }
}

/// The default cap on collected row errors: enough to show a pattern, few enough to read.
pub const DEFAULT_MAX_ERRORS: usize = 100;

/// Collects row errors up to a cap while counting all of them.
#[derive(Debug)]
pub(crate) struct ErrorCollector {
    errors: Vec<RowError>,
    total: usize,
    cap: usize,
}

impl ErrorCollector {
    pub(crate) fn new(cap: usize) -> Self {
        Self { errors: Vec::new(), total: 0, cap: cap.max(1) }
    }

    pub(crate) fn push(&mut self, e: RowError) {
        self.total += 1;
        if self.errors.len() < self.cap {
            self.errors.push(e);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub(crate) fn into_errors(self) -> RowErrors {
        RowErrors { errors: self.errors, total: self.total }
    }
}

/// Options shared by the table importers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    pub read: tabular::ReadOptions,
    /// At most this many row errors are collected (all are counted).
    pub max_errors: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self { read: tabular::ReadOptions::default(), max_errors: DEFAULT_MAX_ERRORS }
    }
}

/// A row that was read without error but deliberately not imported, e.g. a county or national
/// total in a statistics export, or a suppressed survey value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedRow {
    /// The row as a spreadsheet numbers it.
    pub row: usize,
    /// Why, in Swedish.
    pub reason: String,
}
