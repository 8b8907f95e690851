//! Statistics files — monthly reported crimes and safety surveys — imported whole or not at all.
//! One flow for both kinds and both doors (the import pages and the API): the file is parsed off
//! the async runtime (a 20 MB workbook takes a while, and no transaction waits for it), then
//! stored in one transaction that refuses it whole when a row is wrong or the very same file was
//! imported before.

use brygga_import::ImportOptions;
use brygga_import::crime_stats::{self, CrimeStats, CrimeStatsError};
use brygga_import::safety_survey::{self, SafetySurvey, SafetySurveyError};
use brygga_import::tabular::{ReadOptions, SourceFormat};

use super::{MAX_ROW_ERRORS, MAX_UPLOAD_BYTES, Refusal, file_sha256};
use crate::kernel::error::{StoreError, StoreResult};
use crate::picture::statistics::{self, CrimeStatsImport, SurveyImport, SurveyTarget};
use crate::{Store, Viewer};

/// Which statistics a file holds, and for whom it is imported.
#[derive(Debug, Clone)]
pub enum StatsKind {
    /// Monthly reported crimes, imported for this organisation.
    CrimeStatistics { org_id: i64 },
    /// Safety survey results, for the target's organisation, municipality and audience.
    SafetySurvey(SurveyTarget),
}

/// A statistics file as received: its name (when the door knows it) and its bytes.
#[derive(Debug, Clone)]
pub struct StatsFile {
    pub name: Option<String>,
    pub bytes: Vec<u8>,
}

/// What was stored.
#[derive(Debug, Clone)]
pub enum StatsImported {
    CrimeStatistics(CrimeStatsImport),
    SafetySurvey(SurveyImport),
}

/// A stored file: what was stored, and the format the file was read as.
#[derive(Debug, Clone)]
pub struct StatsOutcome {
    pub imported: StatsImported,
    pub format: SourceFormat,
}

/// The parsers' limits for an uploaded file: the upload limit and at most
/// [`MAX_ROW_ERRORS`] row errors.
pub fn import_options() -> ImportOptions {
    ImportOptions { read: ReadOptions { max_bytes: MAX_UPLOAD_BYTES }, max_errors: MAX_ROW_ERRORS }
}

impl From<CrimeStatsError> for Refusal {
    fn from(e: CrimeStatsError) -> Self {
        match e {
            CrimeStatsError::Rows(rows) => Refusal::Rows(rows),
            other => Refusal::File(other.to_string()),
        }
    }
}

impl From<SafetySurveyError> for Refusal {
    fn from(e: SafetySurveyError) -> Self {
        match e {
            SafetySurveyError::Rows(rows) => Refusal::Rows(rows),
            other => Refusal::File(other.to_string()),
        }
    }
}

/// A parsed file with what it is imported as.
enum Parsed {
    CrimeStatistics(i64, CrimeStats),
    SafetySurvey(SurveyTarget, SafetySurvey),
}

impl Parsed {
    fn format(&self) -> SourceFormat {
        match self {
            Parsed::CrimeStatistics(_, s) => s.format.clone(),
            Parsed::SafetySurvey(_, s) => s.format.clone(),
        }
    }
}

/// Parses the file as its kind (blocking).
fn parse(kind: StatsKind, file: &StatsFile) -> Result<Parsed, Refusal> {
    let name = file.name.as_deref();
    Ok(match kind {
        StatsKind::CrimeStatistics { org_id } => {
            Parsed::CrimeStatistics(org_id, crime_stats::parse_crime_stats_with(&file.bytes, name, &import_options())?)
        }
        StatsKind::SafetySurvey(target) => {
            Parsed::SafetySurvey(target, safety_survey::parse_safety_survey_with(&file.bytes, name, &import_options())?)
        }
    })
}

/// Imports a statistics file for the viewer: parsed off the async runtime, then stored in one
/// transaction. `Ok(Err(_))`: the file was refused (nothing stored); `Err`: the viewer may not
/// import for the organisation, or the store failed.
pub async fn import_stats_file(store: &Store, v: &Viewer, kind: StatsKind, file: StatsFile) -> StoreResult<Result<StatsOutcome, Refusal>> {
    let sha = file_sha256(&file.bytes);
    let name = file.name.clone();
    let parsed = tokio::task::spawn_blocking(move || parse(kind, &file)).await.map_err(|e| StoreError::Internal(e.to_string()))?;
    let parsed = match parsed {
        Ok(p) => p,
        Err(r) => return Ok(Err(r)),
    };
    let format = parsed.format();
    let v = v.clone();
    let stored = store
        .write(move |db| match &parsed {
            Parsed::CrimeStatistics(org, stats) => statistics::import_crime_statistics(db, &v, *org, name.as_deref(), &sha, stats)
                .map(|r| r.map(StatsImported::CrimeStatistics)),
            Parsed::SafetySurvey(target, survey) => {
                statistics::import_safety_survey(db, &v, target, name.as_deref(), &sha, survey).map(|r| r.map(StatsImported::SafetySurvey))
            }
        })
        .await?;
    Ok(stored.map(|imported| StatsOutcome { imported, format }))
}
