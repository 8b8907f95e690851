//! Imports: files brought into the situation picture (lägesbild) — observations from survey
//! tools and spreadsheets, the police's events, reported-crime statistics, safety surveys.
//!
//! - Every committed file is one row in `import_batches`. The same file (by SHA-256 of its
//!   bytes) is not imported twice by one organisation: the second attempt is refused with a
//!   message saying when and by whom it was imported.
//! - The observation wizard keeps the uploaded bytes in `import_uploads` between its steps
//!   (column mapping, preview, commit) for at most [`UPLOAD_TTL_MS`]; committing deletes them.
//! - An import writes all of its rows or none: everything is checked first, in memory, then
//!   written in the caller's transaction with its batch row and audit entry.
//!
//! Imports from the command line and the scheduled harvester act as the operator
//! (`Viewer::command_line`, `Viewer::system`), who may import for any organisation.

use std::collections::HashMap;

use brygga_domain::geography;
use brygga_domain::personal_data;
use brygga_domain::time::{IsoWeek, format_local};
use brygga_domain::{FieldError, FieldErrors, OrgKind, VisibilityKind};
use brygga_import::tabular::{ReadOptions, SvNumber, Table, TableError, column_letter, parse_number_sv, read_table_with};
use brygga_import::{RowError, RowErrors};
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::forums::categories::{self, Category};
use crate::forums::forum::{self, Forum};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::Visibility;
use crate::kernel::viewer::Via;
use crate::picture::observations::{self, MAX_QUANTITY, NOTE, ValidObservation};
use crate::places::areas::{self, Area};
use crate::{Action, Viewer, args, kernel::access, now_ms, sort_key};

pub mod stats;

/// The largest file the web interface and the API accept: 20 MB. Larger files are refused
/// before anything is parsed (the command line reads up to the parsers' 100 MB).
pub const MAX_UPLOAD_BYTES: usize = 20 * 1000 * 1000;

/// How long an uploaded file waits for the wizard's next step: 24 hours.
pub const UPLOAD_TTL_MS: i64 = 24 * 3600 * 1000;

/// At most this many row errors are listed; all are counted.
pub const MAX_ROW_ERRORS: usize = 200;

/// What a batch holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Observations,
    PoliceEvents,
    CrimeStatistics,
    SafetySurvey,
}

impl ImportKind {
    pub const ALL: [ImportKind; 4] =
        [ImportKind::Observations, ImportKind::PoliceEvents, ImportKind::CrimeStatistics, ImportKind::SafetySurvey];

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Observations => "observations",
            ImportKind::PoliceEvents => "police_events",
            ImportKind::CrimeStatistics => "crime_statistics",
            ImportKind::SafetySurvey => "safety_survey",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The hex SHA-256 of a file's bytes: how "the same file" is recognised.
pub fn file_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// May `v` import files for `org`? Members (not reporters or readers) of the organisation, and
/// the operator at the command line or Brygga's own scheduled jobs.
pub fn may_import(v: &Viewer, org: i64) -> bool {
    (matches!(v.via(), Via::Cli | Via::System) && v.is_system_admin()) || access::allowed(v, Action::Import { org })
}

pub fn require_import(v: &Viewer, org: i64) -> StoreResult<()> {
    if may_import(v, org) { Ok(()) } else { Err(StoreError::Forbidden) }
}

/// The organisations `v` may import for, from its memberships.
pub fn import_orgs(v: &Viewer) -> Vec<(i64, String)> {
    v.memberships().iter().filter(|m| may_import(v, m.org_id)).map(|m| (m.org_id, m.org_name.clone())).collect()
}

// ---------------------------------------------------------------------------------------------
// Batches

/// One imported file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Batch {
    pub id: i64,
    pub kind: ImportKind,
    pub org_id: i64,
    pub org_name: String,
    /// Who imported it; `None` from the command line (or an account since erased).
    pub user_name: Option<String>,
    pub file_name: Option<String>,
    pub file_sha256: String,
    /// Rows (or events) the file contributed.
    pub row_count: i64,
    pub created_at_ms: i64,
}

/// The SELECT that [`Batch::from_row`] decodes, by the names given here.
const BATCH_SELECT: &str = "SELECT b.id, b.kind, b.owner_org_id, o.name AS org_name, u.name AS user_name, b.file_name, b.file_sha256,
        b.row_count, b.created_at
     FROM import_batches b JOIN organisations o ON o.id = b.owner_org_id LEFT JOIN users u ON u.id = b.user_id";

impl FromRow for Batch {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("kind")?;
        Ok(Self {
            id: r.get("id")?,
            kind: ImportKind::from_code(&kind).ok_or_else(|| DbError::Decode(format!("import kind {kind}")))?,
            org_id: r.get("owner_org_id")?,
            org_name: r.get("org_name")?,
            user_name: r.get("user_name")?,
            file_name: r.get("file_name")?,
            file_sha256: r.get("file_sha256")?,
            row_count: r.get("row_count")?,
            created_at_ms: r.get("created_at")?,
        })
    }
}

impl Batch {
    /// "2024-11-22 14:05 av Sara Samordnare för Trelleborgs kommun".
    pub fn when_and_who(&self) -> String {
        let when = Timestamp::from_millisecond(self.created_at_ms).map(format_local).unwrap_or_default();
        let who = self.user_name.as_deref().unwrap_or("kommandoraden (eller ett konto som tagits bort)");
        format!("{when} av {who} för {}", self.org_name)
    }

    /// Why the same file is refused a second time, in Swedish.
    pub fn same_file_message(&self) -> String {
        let name = self.file_name.as_deref().map(|n| format!(" (”{n}”)")).unwrap_or_default();
        format!(
            "Samma fil{name} importerades redan {}, med {} rader. Inget har importerats nu. Har uppgifterna ändrats, \
             kontrollera att du valt den nya versionen av filen.",
            self.when_and_who(),
            self.row_count
        )
    }
}

/// The earlier import of the same file by the same organisation, if any.
pub fn previous(db: &mut dyn Conn, kind: ImportKind, org: i64, sha256: &str) -> StoreResult<Option<Batch>> {
    Ok(db.opt(
        &format!("{BATCH_SELECT} WHERE b.kind = $1 AND b.owner_org_id = $2 AND b.file_sha256 = $3"),
        args![kind.code(), org, sha256],
    )?)
}

/// A file about to be recorded.
#[derive(Debug, Clone)]
pub struct NewBatch<'a> {
    pub kind: ImportKind,
    pub org_id: i64,
    pub file_name: Option<&'a str>,
    pub sha256: &'a str,
    pub row_count: i64,
}

/// Records a file in the caller's transaction, or refuses it as [`Refusal::SameFile`].
pub fn create_batch(db: &mut dyn Conn, v: &Viewer, b: &NewBatch<'_>) -> StoreResult<Result<i64, Refusal>> {
    require_import(v, b.org_id)?;
    if let Some(earlier) = previous(db, b.kind, b.org_id, b.sha256)? {
        return Ok(Err(Refusal::SameFile(Box::new(earlier))));
    }
    let inserted = db.scalar::<i64>(
        "INSERT INTO import_batches (kind, owner_org_id, user_id, file_name, file_sha256, row_count, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![b.kind.code(), b.org_id, v.user_id(), b.file_name, b.sha256, b.row_count, now_ms()],
    );
    let id = match inserted {
        Ok(id) => id,
        // Another request committed the same file a moment ago (SQLite serialises writers, so
        // this is PostgreSQL's race); the transaction is spoiled there, so answer without
        // reading again.
        Err(DbError::Unique { .. }) => {
            return Err(StoreError::invalid(FieldError::new(
                "file",
                "import.same_file",
                "Samma fil importerades alldeles nyss i en annan flik eller av en kollega. Inget har importerats nu; se listan \
                 över importerade filer.",
            )));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(db, v, Event::new("import.create").record("import_batch", id).org(b.org_id))?;
    Ok(Ok(id))
}

/// The latest files imported for the viewer's organisations, newest first.
pub fn list_batches(db: &mut dyn Conn, v: &Viewer, limit: usize) -> StoreResult<Vec<Batch>> {
    let orgs = v.org_ids();
    let sql =
        format!("{BATCH_SELECT} WHERE {} ORDER BY b.id DESC LIMIT {}", db.dialect().in_list("b.owner_org_id", 1), limit.clamp(1, 500));
    Ok(db.all(&sql, args![orgs])?)
}

// ---------------------------------------------------------------------------------------------
// Why an import was refused

/// Why nothing was imported. Not a [`StoreError`]: each of these is the user's everyday life
/// and is shown with the form, row by row.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The file cannot be read at all (too large, not a table, broken quoting, mixed encodings…).
    File(String),
    /// The column mapping or the import settings are incomplete.
    Settings(FieldErrors),
    /// Rows are wrong: each names its row and column.
    Rows(RowErrors),
    /// The same file was imported before.
    SameFile(Box<Batch>),
}

impl Refusal {
    /// A stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::File(_) => "import.file",
            Refusal::Settings(_) => "import.settings",
            Refusal::Rows(_) => "import.rows",
            Refusal::SameFile(_) => "import.same_file",
        }
    }

    /// The whole explanation in Swedish, every row error on a line of its own.
    pub fn message(&self) -> String {
        match self {
            Refusal::File(m) => m.clone(),
            Refusal::Settings(f) => f.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("\n"),
            Refusal::Rows(r) => r.to_string(),
            Refusal::SameFile(b) => b.same_file_message(),
        }
    }

    /// As field errors (the API's error shape): whole-file problems on `file`, row errors on
    /// `row:<n>` or `row:<n>:<column>`.
    pub fn field_errors(&self) -> FieldErrors {
        match self {
            Refusal::File(m) => FieldError::new("file", "import.file", m.clone()).into(),
            Refusal::Settings(f) => f.clone(),
            Refusal::Rows(r) => FieldErrors(
                r.errors
                    .iter()
                    .map(|e| {
                        let field = match &e.column {
                            Some(c) => format!("row:{}:{c}", e.row),
                            None => format!("row:{}", e.row),
                        };
                        FieldError::new(field, e.code, e.to_string())
                    })
                    .collect(),
            ),
            Refusal::SameFile(b) => FieldError::new("file", "import.same_file", b.same_file_message()).into(),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl From<TableError> for Refusal {
    fn from(e: TableError) -> Self {
        Refusal::File(e.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Uploads (the wizard's staging area)

/// A file waiting in the wizard, without its bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UploadMeta {
    pub id: i64,
    pub org_id: i64,
    pub kind: ImportKind,
    pub file_name: String,
    pub sha256: String,
    pub created_at_ms: i64,
}

/// A file waiting in the wizard, with its bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub meta: UploadMeta,
    pub content: Vec<u8>,
}

/// Removes uploads older than [`UPLOAD_TTL_MS`].
pub fn purge_expired_uploads(db: &mut dyn Conn, now_ms: i64) -> StoreResult<u64> {
    Ok(db.execute("DELETE FROM import_uploads WHERE created_at < $1", args![now_ms - UPLOAD_TTL_MS])?)
}

/// Keeps an uploaded file for the wizard's next steps. Refuses a file the organisation has
/// already imported, so the user learns it at once and not after mapping its columns.
pub fn create_upload(
    db: &mut dyn Conn,
    v: &Viewer,
    org: i64,
    kind: ImportKind,
    file_name: &str,
    content: &[u8],
) -> StoreResult<Result<UploadMeta, Refusal>> {
    require_import(v, org)?;
    let Some(user) = v.user_id() else { return Err(StoreError::Forbidden) };
    if content.len() > MAX_UPLOAD_BYTES {
        return Ok(Err(Refusal::File(TableError::TooLarge { size: content.len(), max: MAX_UPLOAD_BYTES }.to_string())));
    }
    let now = now_ms();
    purge_expired_uploads(db, now)?;
    let sha256 = file_sha256(content);
    if let Some(earlier) = previous(db, kind, org, &sha256)? {
        return Ok(Err(Refusal::SameFile(Box::new(earlier))));
    }
    let file_name: String = file_name.chars().filter(|c| !c.is_control()).take(200).collect();
    let id: i64 = db.scalar(
        "INSERT INTO import_uploads (owner_org_id, user_id, kind, file_name, content, file_sha256, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![org, user, kind.code(), file_name.as_str(), content.to_vec(), sha256.as_str(), now],
    )?;
    Ok(Ok(UploadMeta { id, org_id: org, kind, file_name, sha256, created_at_ms: now }))
}

/// The viewer's own upload, unless it has expired. Someone else's upload is "not found".
pub fn get_upload(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Upload> {
    let row: Option<Row> = db.opt(
        "SELECT owner_org_id, user_id, kind, file_name, content, file_sha256, created_at FROM import_uploads WHERE id = $1 AND created_at >= $2",
        args![id, now_ms() - UPLOAD_TTL_MS],
    )?;
    let Some(r) = row else { return Err(StoreError::not_found("upload")) };
    let user_id: i64 = r.get("user_id")?;
    if Some(user_id) != v.user_id() {
        return Err(StoreError::not_found("upload"));
    }
    let org_id: i64 = r.get("owner_org_id")?;
    require_import(v, org_id)?;
    let kind: String = r.get("kind")?;
    let kind = ImportKind::from_code(&kind).ok_or_else(|| StoreError::Internal(format!("upload kind {kind}")))?;
    Ok(Upload {
        meta: UploadMeta {
            id,
            org_id,
            kind,
            file_name: r.get("file_name")?,
            sha256: r.get("file_sha256")?,
            created_at_ms: r.get("created_at")?,
        },
        content: r.get("content")?,
    })
}

/// Throws away the viewer's upload (the wizard's "Avbryt").
pub fn delete_upload(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let Some(user) = v.user_id() else { return Err(StoreError::not_found("upload")) };
    db.execute("DELETE FROM import_uploads WHERE id = $1 AND user_id = $2", args![id, user])?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Observations: the column mapping and its guess (`columns`), the checks of the mapping and of
// every row in memory (`check`), and the write — batch row, observations, audit (`write`).

mod check;
mod columns;
mod write;

pub use check::*;
pub use columns::*;
pub use write::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_rows_and_columns_as_fields() {
        let r = Refusal::Rows(RowErrors {
            errors: vec![RowError::new(3, Some("Kategori"), "observation.unknown_category", "Kategorin ”X” finns inte.")],
            total: 1,
        });
        let f = r.field_errors();
        assert_eq!(f.0[0].field, "row:3:Kategori");
        assert!(f.0[0].message.starts_with("Rad 3, kolumn ”Kategori”"));
    }
}
