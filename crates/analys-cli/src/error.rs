//! Errors of `brygga analys`, shown to the user in Swedish.

/// Why a command failed. `Display` is a Swedish sentence naming the file, field or row.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The file could not be read.
    #[error("kunde inte läsa {path}: {source}")]
    Read {
        /// Path given.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// Writing the result failed.
    #[error("kunde inte skriva resultatet: {0}")]
    Write(#[from] std::io::Error),
    /// The CSV file is malformed.
    #[error("CSV-filen är felaktig: {0}")]
    Csv(String),
    /// The GeoJSON file is malformed or unsupported.
    #[error("GeoJSON-filen är felaktig: {0}")]
    GeoJson(String),
    /// A JSON input file is malformed.
    #[error("JSON-filen är felaktig: {0}")]
    Json(String),
    /// A requested column or property does not exist.
    #[error("fältet «{field}» finns inte; tillgängliga fält: {available}")]
    MissingField {
        /// Field asked for.
        field: String,
        /// Fields that exist.
        available: String,
    },
    /// A value is empty or null.
    #[error("fältet «{field}» saknar värde på rad {row}; fyll i ett tal eller ta bort raden")]
    MissingValue {
        /// Field.
        field: String,
        /// One-based row (CSV data row or GeoJSON feature number).
        row: usize,
    },
    /// A value is not a number.
    #[error("fältet «{field}» på rad {row} är inte ett tal: «{text}»")]
    NotNumeric {
        /// Field.
        field: String,
        /// One-based row.
        row: usize,
        /// The offending text (shortened).
        text: String,
    },
    /// The input has no rows or features.
    #[error("indatafilen {0} innehåller inga rader")]
    Empty(String),
    /// Arguments do not fit the input.
    #[error("{0}")]
    Usage(String),
    /// The analysis itself refused the input.
    #[error("{0}")]
    Analys(#[from] brygga_analys::Error),
}

/// Result alias.
pub type Result<T> = std::result::Result<T, CliError>;
