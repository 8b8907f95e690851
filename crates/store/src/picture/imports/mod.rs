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
use utoipa::ToSchema;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
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

    /// The Swedish name, e.g. "Anmälda brott".
    pub fn label(self) -> &'static str {
        match self {
            ImportKind::Observations => "Observationer",
            ImportKind::PoliceEvents => "Polisens händelser",
            ImportKind::CrimeStatistics => "Anmälda brott",
            ImportKind::SafetySurvey => "Trygghetsmätning",
        }
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
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
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

impl FromRow for Batch {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get(1)?;
        Ok(Self {
            id: r.get(0)?,
            kind: ImportKind::from_code(&kind).ok_or_else(|| DbError::Decode(format!("import kind {kind}")))?,
            org_id: r.get(2)?,
            org_name: r.get(3)?,
            user_name: r.get(4)?,
            file_name: r.get(5)?,
            file_sha256: r.get(6)?,
            row_count: r.get(7)?,
            created_at_ms: r.get(8)?,
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

const BATCH_SELECT: &str = "SELECT b.id, b.kind, b.owner_org_id, o.name, u.name, b.file_name, b.file_sha256, b.row_count, b.created_at
     FROM import_batches b JOIN organisations o ON o.id = b.owner_org_id LEFT JOIN users u ON u.id = b.user_id";

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
    let user_id: i64 = r.get(1)?;
    if Some(user_id) != v.user_id() {
        return Err(StoreError::not_found("upload"));
    }
    let org_id: i64 = r.get(0)?;
    require_import(v, org_id)?;
    let kind: String = r.get(2)?;
    let kind = ImportKind::from_code(&kind).ok_or_else(|| StoreError::Internal(format!("upload kind {kind}")))?;
    Ok(Upload {
        meta: UploadMeta { id, org_id, kind, file_name: r.get(3)?, sha256: r.get(5)?, created_at_ms: r.get(6)? },
        content: r.get(4)?,
    })
}

/// Throws away the viewer's upload (the wizard's "Avbryt").
pub fn delete_upload(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let Some(user) = v.user_id() else { return Err(StoreError::not_found("upload")) };
    db.execute("DELETE FROM import_uploads WHERE id = $1 AND user_id = $2", args![id, user])?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Observations: column mapping, row checks, commit

/// A field of an observation that a column (or a constant) can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Category,
    Area,
    ObservedAt,
    Time,
    Quantity,
    Intensity,
    Note,
    Lat,
    Lon,
}

impl Target {
    pub const ALL: [Target; 9] = [
        Target::Category,
        Target::Area,
        Target::ObservedAt,
        Target::Time,
        Target::Quantity,
        Target::Intensity,
        Target::Note,
        Target::Lat,
        Target::Lon,
    ];

    /// The form field's name part, e.g. `observed_at` (form fields are `map_observed_at`,
    /// `const_observed_at`).
    pub fn code(self) -> &'static str {
        match self {
            Target::Category => "category",
            Target::Area => "area",
            Target::ObservedAt => "observed_at",
            Target::Time => "time",
            Target::Quantity => "quantity",
            Target::Intensity => "intensity",
            Target::Note => "note",
            Target::Lat => "lat",
            Target::Lon => "lon",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Target::Category => "Kategori",
            Target::Area => "Plats",
            Target::ObservedAt => "Datum och tid",
            Target::Time => "Klockslag (om det står i en egen kolumn)",
            Target::Quantity => "Antal",
            Target::Intensity => "Intensitet",
            Target::Note => "Kommentar",
            Target::Lat => "Latitud",
            Target::Lon => "Longitud",
        }
    }

    /// Whether the same value can be given for every row instead of a column.
    pub fn allows_constant(self) -> bool {
        matches!(self, Target::Category | Target::Area | Target::ObservedAt | Target::Quantity)
    }

    /// Header texts (normalised) that suggest this target.
    fn header_words(self) -> &'static [&'static str] {
        match self {
            Target::Category => &["kategori", "category", "typ", "händelsetyp", "vad", "kategorikod"],
            Target::Area => &["plats", "område", "omrade", "area", "place", "stadsdel", "platsnamn", "area_id"],
            Target::ObservedAt => &[
                "datum och tid",
                "tidpunkt",
                "observed_at",
                "datum",
                "date",
                "datetime",
                "när",
                "tid",
                "time",
                "observerad",
                "observationsdatum",
            ],
            Target::Time => &["klockslag", "kl", "klockan", "tid", "time"],
            Target::Quantity => &["antal", "quantity", "count", "st", "antal st"],
            Target::Intensity => &["intensitet", "intensity", "grad", "nivå"],
            Target::Note => &["kommentar", "note", "anteckning", "beskrivning", "notering", "text", "comment", "kommentarer"],
            Target::Lat => &["lat", "latitud", "latitude", "breddgrad"],
            Target::Lon => &["lon", "lng", "long", "longitud", "longitude", "längdgrad"],
        }
    }
}

/// Where a target's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Source {
    #[default]
    None,
    /// The 0-based column of the file.
    Column(usize),
    /// The same value for every row (a category id, an area id, a date, a number).
    Constant(String),
}

/// Which column (or constant) fills which field of the observations.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ColumnMapping(pub HashMap<Target, Source>);

fn normalise_header(h: &str) -> String {
    h.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == ':' || c == '\u{feff}')
        .to_lowercase()
        .replace(['(', ')', '.'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl ColumnMapping {
    pub fn get(&self, t: Target) -> &Source {
        self.0.get(&t).unwrap_or(&Source::None)
    }

    pub fn set(&mut self, t: Target, s: Source) {
        self.0.insert(t, s);
    }

    /// Guesses the mapping from Swedish or English headers. A "tid" column is the time of day
    /// when a separate date column exists, otherwise the date and time.
    pub fn guess(headers: &[String]) -> Self {
        let norm: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
        let mut m = ColumnMapping::default();
        let mut taken = vec![false; norm.len()];
        let has_date = norm.iter().any(|h| matches!(h.as_str(), "datum" | "date"));
        for t in Target::ALL {
            let words: Vec<&str> = match t {
                Target::Time if !has_date => continue,
                Target::ObservedAt if has_date => t.header_words().iter().copied().filter(|w| !matches!(*w, "tid" | "time")).collect(),
                _ => t.header_words().to_vec(),
            };
            // Exact matches first, in the order of the words, then a header starting with one.
            let found = words.iter().find_map(|w| norm.iter().enumerate().position(|(i, h)| !taken[i] && h == w)).or_else(|| {
                words.iter().find_map(|w| norm.iter().enumerate().position(|(i, h)| !taken[i] && h.starts_with(&format!("{w} "))))
            });
            if let Some(i) = found {
                taken[i] = true;
                m.set(t, Source::Column(i));
            }
        }
        m
    }
}

/// What an observation import needs to know besides the file: the forum whose checklist it
/// uses, the reporting organisation, who may see the rows.
#[derive(Debug, Clone)]
pub struct ObservationContext {
    pub forum: Forum,
    pub org_id: i64,
    pub visibility: Visibility,
    /// The forum's active categories.
    pub categories: Vec<Category>,
    /// Places rows may name: the forum's municipality's, or for a county-wide forum those of the
    /// organisation's municipalities.
    pub areas: Vec<Area>,
}

impl ObservationContext {
    pub fn municipality_name(&self) -> String {
        self.forum
            .municipality_code
            .as_deref()
            .and_then(geography::municipality)
            .map_or_else(|| "forumets kommuner".to_owned(), |m| m.name.to_owned())
    }
}

/// The settings chosen in the wizard's first steps.
#[derive(Debug, Clone, Default)]
pub struct ObservationSettings {
    pub forum_id: i64,
    /// The reporting organisation, when the viewer belongs to several in the forum.
    pub org_id: Option<i64>,
    /// `organisation` or `forum`; default as for a single report.
    pub visibility: Option<String>,
}

/// Loads the forum, its checklist and places once, so that rows are checked in memory.
pub fn observation_context(db: &mut dyn Conn, v: &Viewer, s: &ObservationSettings) -> StoreResult<Result<ObservationContext, Refusal>> {
    let forum = match forum::get(db, v, s.forum_id) {
        Ok(f) => f,
        Err(StoreError::NotFound { .. }) => {
            return Ok(Err(Refusal::Settings(FieldError::new("forum_id", "forum.unknown", "Välj ett forum i listan.").into())));
        }
        Err(e) => return Err(e),
    };
    let members: Vec<i64> = forum.members.iter().map(|m| m.id).collect();
    let mine: Vec<i64> = v.org_ids().into_iter().filter(|o| members.contains(o)).collect();
    let mut errs = FieldErrors::new();
    let org = match s.org_id {
        Some(o) if mine.contains(&o) => Some(o),
        Some(_) => {
            errs.push(FieldError::new(
                "org_id",
                "forum.not_member",
                "Du kan bara importera för en organisation som du tillhör och som är med i forumet.",
            ));
            None
        }
        None => match mine.as_slice() {
            [one] => Some(*one),
            [] => {
                errs.push(FieldError::new(
                    "forum_id",
                    "forum.not_member",
                    "Ingen av dina organisationer är med i forumet. Välj ett annat forum eller be den sammankallande organisationen lägga till er.",
                ));
                None
            }
            _ => {
                errs.push(FieldError::new("org_id", "required", "Du tillhör flera organisationer i forumet: välj vilken som importerar."));
                None
            }
        },
    };
    if let Some(o) = org
        && !(may_import(v, o) && access::allowed(v, Action::Report { org: o }))
    {
        errs.push(FieldError::new(
            "org_id",
            "role.import",
            "Din roll i organisationen räcker inte för att importera. Import kräver rollen medlem, samordnare eller administratör.",
        ));
    }
    let kind = org.and_then(|o| v.memberships().iter().find(|m| m.org_id == o)).map(|m| m.org_kind);
    let visibility = match s.visibility.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None if matches!(kind, Some(OrgKind::CivilSociety | OrgKind::FaithCommunity)) => Some(Visibility::Organisation),
        None => Some(Visibility::Forum { forum_id: forum.id }),
        Some(code) => match VisibilityKind::parse(code) {
            Ok(VisibilityKind::Organisation) => Some(Visibility::Organisation),
            Ok(VisibilityKind::Forum) => Some(Visibility::Forum { forum_id: forum.id }),
            Ok(VisibilityKind::Public) => {
                errs.push(FieldError::new(
                    "visibility",
                    "visibility.public",
                    "Enskilda rapporter kan inte göras publika; bara sammanställningar visas utanför forumet. Välj forumet eller bara er organisation.",
                ));
                None
            }
            Err(e) => {
                errs.push(FieldError::new("visibility", e.code, e.message));
                None
            }
        },
    };
    if let Err(e) = errs.into_result() {
        return Ok(Err(Refusal::Settings(e)));
    }
    let org_id = org.expect("checked");
    let categories = categories::list(db, v, forum.id, false)?;
    let municipalities: Vec<String> = match &forum.municipality_code {
        Some(m) => vec![m.clone()],
        None => v.memberships().iter().find(|m| m.org_id == org_id).map(|m| m.municipalities.clone()).unwrap_or_default(),
    };
    let mut places = Vec::new();
    for m in &municipalities {
        places.extend(areas::list(db, v, m)?);
    }
    Ok(Ok(ObservationContext { forum, org_id, visibility: visibility.expect("checked"), categories, areas: places }))
}

/// Checks that the mapping names columns the file has and fills what every observation needs.
pub fn check_mapping(ctx: &ObservationContext, table: &Table, m: &ColumnMapping) -> Result<(), FieldErrors> {
    let mut errs = FieldErrors::new();
    let field = |t: Target| format!("map_{}", t.code());
    for t in Target::ALL {
        match m.get(t) {
            Source::Column(i) if *i >= table.headers.len().max(table.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0)) => {
                errs.push(FieldError::new(field(t), "mapping.column", format!("Filen har ingen kolumn {}.", column_letter(*i))));
            }
            Source::Constant(_) if !t.allows_constant() => {
                errs.push(FieldError::new(field(t), "mapping.constant", format!("{} måste komma från en kolumn.", t.label())));
            }
            Source::Constant(c) if c.trim().is_empty() => {
                errs.push(FieldError::new(
                    format!("const_{}", t.code()),
                    "required",
                    format!("Ange värdet som ska gälla för alla rader, eller välj en kolumn för {}.", t.label().to_lowercase()),
                ));
            }
            _ => {}
        }
    }
    if matches!(m.get(Target::Category), Source::None) {
        errs.push(FieldError::new(
            field(Target::Category),
            "required",
            "Välj kolumnen med kategorin, eller välj en kategori som gäller för alla rader.",
        ));
    }
    if let Source::Constant(c) = m.get(Target::Category)
        && !c.trim().is_empty()
        && find_category(&ctx.categories, c).is_none()
    {
        errs.push(FieldError::new("const_category", "category.unknown", "Välj en kategori i forumets checklista."));
    }
    if let Source::Constant(c) = m.get(Target::Area)
        && !c.trim().is_empty()
        && find_area(&ctx.areas, c).is_none()
    {
        errs.push(FieldError::new("const_area", "area.unknown", "Välj en plats i listan."));
    }
    if matches!(m.get(Target::ObservedAt), Source::None) {
        errs.push(FieldError::new(
            field(Target::ObservedAt),
            "required",
            "Välj kolumnen med datum (och tid), eller ange ett datum som gäller för alla rader.",
        ));
    }
    if !matches!(m.get(Target::Time), Source::None) && !matches!(m.get(Target::ObservedAt), Source::Column(_)) {
        errs.push(FieldError::new(
            field(Target::Time),
            "mapping.time",
            "Ett klockslag i egen kolumn kräver att datumet också kommer från en kolumn.",
        ));
    }
    if matches!(m.get(Target::Lat), Source::None) != matches!(m.get(Target::Lon), Source::None) {
        errs.push(FieldError::new(
            field(Target::Lat),
            "mapping.position",
            "Välj kolumner för både latitud och longitud, eller för ingen av dem.",
        ));
    }
    if matches!(m.get(Target::Area), Source::None) && ctx.forum.municipality_code.is_none() {
        errs.push(FieldError::new(
            field(Target::Area),
            "required",
            "Forumet gäller flera kommuner, så varje rad behöver en plats: välj kolumnen med plats eller en plats för alla rader.",
        ));
    }
    let mut used: HashMap<usize, Target> = HashMap::new();
    for t in Target::ALL {
        if let Source::Column(i) = m.get(t) {
            if let Some(other) = used.get(i) {
                errs.push(FieldError::new(
                    field(t),
                    "mapping.twice",
                    format!("Kolumn {} är redan vald för {}. Välj en annan kolumn.", column_letter(*i), other.label().to_lowercase()),
                ));
            } else {
                used.insert(*i, t);
            }
        }
    }
    errs.into_result()
}

fn find_category<'a>(all: &'a [Category], key: &str) -> Option<&'a Category> {
    let key = key.trim();
    let lower = key.to_lowercase();
    all.iter().find(|c| c.id.to_string() == key || c.code == lower || c.name.to_lowercase() == lower)
}

fn find_area<'a>(all: &'a [Area], key: &str) -> Option<&'a Area> {
    let key = key.trim();
    let k = sort_key(key);
    all.iter().find(|a| a.id.to_string() == key || sort_key(&a.name) == k)
}

/// A row as it will be stored, for the preview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewRow {
    /// The row as the spreadsheet numbers it.
    pub line: usize,
    pub category: String,
    pub area: Option<String>,
    pub observed_at_ms: Option<i64>,
    pub week: Option<String>,
    pub quantity: Option<i64>,
    pub intensity: Option<i64>,
    pub note: Option<String>,
    /// `(lat, lon)`.
    pub position: Option<(f64, f64)>,
    /// How many errors the row has (listed separately).
    pub errors: usize,
}

/// The outcome of checking every row.
#[derive(Debug, Clone)]
pub struct RowCheck {
    pub valid: Vec<ValidObservation>,
    /// The first rows, as they will be stored (with their error counts).
    pub preview: Vec<PreviewRow>,
    pub errors: RowErrors,
    /// Data rows in the file.
    pub rows: usize,
}

/// The lookups a row check needs, built once per file.
struct Lookup<'a> {
    categories: HashMap<String, &'a Category>,
    areas: HashMap<String, &'a Area>,
    category_names: String,
}

impl<'a> Lookup<'a> {
    fn new(ctx: &'a ObservationContext) -> Self {
        let mut categories = HashMap::new();
        for c in &ctx.categories {
            categories.insert(c.id.to_string(), c);
            categories.insert(c.code.clone(), c);
            categories.insert(c.name.clone(), c);
            categories.insert(c.name.to_lowercase(), c);
        }
        let mut areas = HashMap::new();
        for a in &ctx.areas {
            areas.insert(a.id.to_string(), a);
            areas.insert(a.name.clone(), a);
            areas.insert(sort_key(&a.name), a);
        }
        let category_names = ctx.categories.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
        Self { categories, areas, category_names }
    }

    fn category(&self, key: &str) -> Option<&'a Category> {
        let key = key.trim();
        self.categories.get(key).or_else(|| self.categories.get(&key.to_lowercase())).copied()
    }

    fn area(&self, key: &str) -> Option<&'a Area> {
        let key = key.trim();
        self.areas.get(key).or_else(|| self.areas.get(&sort_key(key))).copied()
    }
}

/// Reads "2024-11-20 21:30", "2024-11-20T21:30:00+01:00", "2024-11-20" (noon) or a date and a
/// separate time of day ("21:30", "21.30", "2130"), Swedish local time unless an offset is given.
fn parse_when(date: &str, time: Option<&str>) -> Result<Timestamp, String> {
    let date = date.trim();
    let text = match time.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            // A spreadsheet's time-of-day cell comes with Excel's day zero: "1899-12-31 21:30:00".
            let t = t.rsplit(' ').next().unwrap_or(t).replace('.', ":");
            let t = if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) { format!("{}:{}", &t[..2], &t[2..]) } else { t };
            let day = date.split([' ', 'T']).next().unwrap_or(date);
            format!("{day} {t}")
        }
        None => {
            // "2024-11-20 21.30": Swedish writes the time with a dot.
            match date.split_once(' ') {
                Some((d, t)) if t.len() <= 8 && t.contains('.') && !t.contains(':') => format!("{d} {}", t.replace('.', ":")),
                _ => date.to_owned(),
            }
        }
    };
    observations::parse_time("observed_at", &text).map_err(|e| e.message)
}

fn whole_number(text: &str) -> Result<Option<i64>, String> {
    match parse_number_sv(text) {
        Ok(SvNumber::Missing) => Ok(None),
        Ok(SvNumber::Number(v)) if v.fract() == 0.0 && v.abs() < 1e12 => Ok(Some(v as i64)),
        Ok(SvNumber::Number(_)) => Err(format!("”{}” är inget heltal. Skriv ett helt tal, till exempel 3.", short(text))),
        Ok(SvNumber::Percent(_) | SvNumber::Suppressed) => {
            Err(format!("”{}” är inget heltal. Skriv ett helt tal, till exempel 3.", short(text)))
        }
        Err(e) => Err(e.to_string()),
    }
}

fn coordinate(text: &str) -> Result<Option<f64>, String> {
    match parse_number_sv(text) {
        Ok(SvNumber::Missing) => Ok(None),
        Ok(SvNumber::Number(v)) => Ok(Some(v)),
        _ => Err(format!("”{}” är ingen koordinat. Skriv grader med decimaler, till exempel 55,3752 eller 55.3752.", short(text))),
    }
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Checks every row against the forum's checklist, its places and the clock, in memory, and
/// turns the good ones into observations ready for `observations::create_many`. `now` is passed
/// in so that the preview and the commit agree.
pub fn check_rows(ctx: &ObservationContext, table: &Table, m: &ColumnMapping, now: Timestamp, preview_rows: usize) -> RowCheck {
    let lookup = Lookup::new(ctx);
    let name = |t: Target| match m.get(t) {
        Source::Column(i) => Some(table.column_name(*i)),
        Source::Constant(_) => Some(format!("{} (samma för alla rader)", t.label())),
        Source::None => None,
    };
    let names: HashMap<Target, Option<String>> = Target::ALL.iter().map(|t| (*t, name(*t))).collect();
    let col = |t: Target| names.get(&t).cloned().flatten();
    let forum_municipality = ctx.forum.municipality_code.clone();
    let municipality_label = ctx.municipality_name();
    let latest = now + jiff::SignedDuration::from_mins(10);
    let mut errors: Vec<RowError> = Vec::new();
    let mut total_errors = 0usize;
    let mut valid = Vec::with_capacity(table.rows.len());
    let mut preview = Vec::new();
    for row in &table.rows {
        let cell = |t: Target| -> Option<&str> {
            match m.get(t) {
                Source::Column(i) => Some(row.get(*i)).filter(|s| !s.trim().is_empty()),
                Source::Constant(c) => Some(c.as_str()).filter(|s| !s.trim().is_empty()),
                Source::None => None,
            }
        };
        let mut errs: Vec<RowError> = Vec::new();
        let mut err = |t: Target, code: &'static str, msg: String| errs.push(RowError::new(row.line, col(t).as_deref(), code, msg));

        let category = match cell(Target::Category) {
            None => {
                err(Target::Category, "observation.category_missing", format!("Kategorin saknas. Skriv en av: {}.", lookup.category_names));
                None
            }
            Some(k) => match lookup.category(k) {
                Some(c) => Some(c),
                None => {
                    err(
                        Target::Category,
                        "observation.unknown_category",
                        format!("Kategorin ”{}” finns inte i forumets checklista. Skriv en av: {}.", short(k), lookup.category_names),
                    );
                    None
                }
            },
        };
        let area = match cell(Target::Area) {
            None => None,
            Some(k) => match lookup.area(k) {
                Some(a) => Some(a),
                None => {
                    err(
                        Target::Area,
                        "observation.unknown_area",
                        format!(
                            "Platsen ”{}” finns inte bland platserna i {municipality_label}. Rätta namnet, lämna cellen tom eller be en samordnare lägga till platsen.",
                            short(k)
                        ),
                    );
                    None
                }
            },
        };
        let municipality = match (area, &forum_municipality) {
            (Some(a), _) => Some(a.municipality_code.clone()),
            (None, Some(mcode)) => Some(mcode.clone()),
            (None, None) => {
                if cell(Target::Area).is_none() {
                    err(Target::Area, "observation.area_missing", "Forumet gäller flera kommuner: ange platsen på raden.".to_owned());
                }
                None
            }
        };
        let observed_at = match cell(Target::ObservedAt) {
            None => {
                err(
                    Target::ObservedAt,
                    "observation.time_missing",
                    "Datum saknas. Skriv datum och gärna tid, till exempel 2024-11-20 21:30.".to_owned(),
                );
                None
            }
            Some(d) => match parse_when(d, cell(Target::Time)) {
                Ok(ts) if ts > latest => {
                    err(
                        Target::ObservedAt,
                        "observation.time_future",
                        format!("Tidpunkten {} ligger i framtiden. Rätta datumet.", format_local(ts)),
                    );
                    None
                }
                Ok(ts) if ts.as_second() < 946_684_800 => {
                    err(Target::ObservedAt, "observation.time_too_old", "Tidpunkten ligger före år 2000. Kontrollera årtalet.".to_owned());
                    None
                }
                Ok(ts) => Some(ts),
                Err(msg) => {
                    err(Target::ObservedAt, "observation.time_invalid", msg);
                    None
                }
            },
        };
        let quantity = match cell(Target::Quantity).map(whole_number) {
            None | Some(Ok(None)) => Some(1),
            Some(Ok(Some(q))) if (1..=MAX_QUANTITY).contains(&q) => Some(q),
            Some(Ok(Some(_))) => {
                err(Target::Quantity, "observation.quantity_range", format!("Antalet ska vara ett heltal mellan 1 och {MAX_QUANTITY}."));
                None
            }
            Some(Err(msg)) => {
                err(Target::Quantity, "observation.quantity_invalid", msg);
                None
            }
        };
        let intensity = match cell(Target::Intensity).map(whole_number) {
            None | Some(Ok(None)) => Some(None),
            Some(Ok(Some(i))) => match category.map(|c| (c.intensity_max, c.name.as_str())) {
                Some((Some(max), _)) if (1..=max).contains(&i) => Some(Some(i)),
                Some((Some(max), name)) => {
                    err(Target::Intensity, "observation.intensity_range", format!("Intensiteten för {name} går från 1 till {max}."));
                    None
                }
                Some((None, name)) => {
                    err(
                        Target::Intensity,
                        "observation.intensity_none",
                        format!("Kategorin {name} har ingen intensitetsskala; lämna cellen tom och ange antal i stället."),
                    );
                    None
                }
                None => None,
            },
            Some(Err(msg)) => {
                err(Target::Intensity, "observation.intensity_invalid", msg);
                None
            }
        };
        let note = match NOTE.parse(cell(Target::Note).unwrap_or("")) {
            Ok(note) => Some(note),
            Err(e) if e.code == "note.personal_data" => {
                let found = personal_data::scan(cell(Target::Note).unwrap_or(""));
                err(Target::Note, "observation.personal_data", personal_data::explain_sv(&found));
                None
            }
            Err(e) => {
                err(Target::Note, "observation.note_invalid", e.message);
                None
            }
        };
        let position = match (cell(Target::Lat).map(coordinate), cell(Target::Lon).map(coordinate)) {
            (None | Some(Ok(None)), None | Some(Ok(None))) => Some(None),
            (Some(Err(msg)), _) => {
                err(Target::Lat, "observation.position_invalid", msg);
                None
            }
            (_, Some(Err(msg))) => {
                err(Target::Lon, "observation.position_invalid", msg);
                None
            }
            (Some(Ok(Some(lat))), Some(Ok(Some(lon)))) => {
                let sweden = geography::SWEDEN_EXTENT;
                let inside = municipality.as_deref().and_then(geography::municipality_extent).is_none_or(|e| e.contains(lon, lat));
                if !sweden.contains(lon, lat) {
                    let hint = if sweden.contains(lat, lon) { " Latitud och longitud verkar ha bytt plats." } else { "" };
                    err(
                        Target::Lat,
                        "observation.position_outside_sweden",
                        format!("Positionen {lat:.5}, {lon:.5} ligger utanför Sverige.{hint}"),
                    );
                    None
                } else if !inside {
                    let mname = municipality.as_deref().and_then(geography::municipality).map_or("kommunen", |m| m.name);
                    err(
                        Target::Lat,
                        "observation.position_outside_municipality",
                        format!("Positionen {lat:.5}, {lon:.5} ligger utanför {mname}. Kontrollera koordinaterna."),
                    );
                    None
                } else {
                    Some(Some((lat, lon)))
                }
            }
            (Some(Ok(Some(_))), _) => {
                err(
                    Target::Lon,
                    "observation.position_incomplete",
                    "Longituden saknas; ange både latitud och longitud, eller ingen av dem.".to_owned(),
                );
                None
            }
            (_, Some(Ok(Some(_)))) => {
                err(
                    Target::Lat,
                    "observation.position_incomplete",
                    "Latituden saknas; ange både latitud och longitud, eller ingen av dem.".to_owned(),
                );
                None
            }
        };
        let row_errors = errs.len();
        if preview.len() < preview_rows {
            preview.push(PreviewRow {
                line: row.line,
                category: category.map_or_else(|| cell(Target::Category).unwrap_or("").to_owned(), |c| c.name.clone()),
                area: area.map(|a| a.name.clone()),
                observed_at_ms: observed_at.map(|t| t.as_millisecond()),
                week: observed_at.map(|t| IsoWeek::of(t).to_string()),
                quantity,
                intensity: intensity.flatten(),
                note: note.clone().flatten(),
                position: position.flatten(),
                errors: row_errors,
            });
        }
        if row_errors > 0 {
            total_errors += row_errors;
            for e in errs {
                if errors.len() < MAX_ROW_ERRORS {
                    errors.push(e);
                }
            }
            continue;
        }
        let (Some(c), Some(municipality), Some(at), Some(quantity), Some(intensity), Some(note), Some(position)) =
            (category, municipality, observed_at, quantity, intensity, note, position)
        else {
            continue;
        };
        valid.push(ValidObservation {
            org_id: ctx.org_id,
            visibility: ctx.visibility,
            municipality,
            area_id: area.map(|a| a.id),
            category_id: c.id,
            observed_at_ms: at.as_millisecond(),
            week: IsoWeek::of(at),
            quantity,
            intensity,
            position,
            note,
        });
    }
    RowCheck { valid, preview, errors: RowErrors { errors, total: total_errors }, rows: table.rows.len() }
}

/// Reads an uploaded table with the web limit.
pub fn read_upload(upload: &Upload) -> Result<Table, Refusal> {
    read_table_with(&upload.content, Some(&upload.meta.file_name), &ReadOptions { max_bytes: MAX_UPLOAD_BYTES }).map_err(Refusal::from)
}

/// What a committed observation import wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservationImport {
    pub batch_id: i64,
    pub rows: u64,
}

/// Imports every row of the viewer's upload as observations, or none: reads the file again and
/// hands it to [`import_observation_table`], then drops the upload.
pub fn commit_observations(
    db: &mut dyn Conn,
    v: &Viewer,
    upload_id: i64,
    settings: &ObservationSettings,
    mapping: &ColumnMapping,
    now: Timestamp,
) -> StoreResult<Result<ObservationImport, Refusal>> {
    let upload = get_upload(db, v, upload_id)?;
    let table = match read_upload(&upload) {
        Ok(t) => t,
        Err(r) => return Ok(Err(r)),
    };
    let file = ObservationFile { name: Some(&upload.meta.file_name), sha256: &upload.meta.sha256, uploaded_for: Some(upload.meta.org_id) };
    let done = import_observation_table(db, v, settings, &table, mapping, &file, now)?;
    if done.is_ok() {
        db.execute("DELETE FROM import_uploads WHERE id = $1", args![upload_id])?;
    }
    Ok(done)
}

/// The file an observation table came from.
#[derive(Debug, Clone, Copy)]
pub struct ObservationFile<'a> {
    pub name: Option<&'a str>,
    pub sha256: &'a str,
    /// The organisation the file was uploaded for (the wizard): the import must be for it.
    pub uploaded_for: Option<i64>,
}

/// Imports every row of `table` as observations, or none (the wizard's commit and `brygga
/// import observations`): checks the mapping and every row in memory, refuses a file imported
/// before, then writes the batch, the observations (`observations::create_many`: COPY on
/// PostgreSQL, one prepared statement on SQLite) and the audit entries in the caller's
/// transaction.
pub fn import_observation_table(
    db: &mut dyn Conn,
    v: &Viewer,
    settings: &ObservationSettings,
    table: &Table,
    mapping: &ColumnMapping,
    file: &ObservationFile<'_>,
    now: Timestamp,
) -> StoreResult<Result<ObservationImport, Refusal>> {
    let ctx = match observation_context(db, v, settings)? {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    if file.uploaded_for.is_some_and(|org| org != ctx.org_id) {
        return Ok(Err(Refusal::Settings(
            FieldError::new("org_id", "import.org_changed", "Filen laddades upp för en annan organisation. Ladda upp den igen.").into(),
        )));
    }
    if let Err(e) = check_mapping(&ctx, table, mapping) {
        return Ok(Err(Refusal::Settings(e)));
    }
    let checked = check_rows(&ctx, table, mapping, now, 0);
    if checked.errors.total > 0 {
        return Ok(Err(Refusal::Rows(checked.errors)));
    }
    if checked.valid.is_empty() {
        return Ok(Err(Refusal::File("Filen har inga rader med observationer under rubrikraden.".to_owned())));
    }
    let batch = NewBatch {
        kind: ImportKind::Observations,
        org_id: ctx.org_id,
        file_name: file.name,
        sha256: file.sha256,
        row_count: checked.valid.len() as i64,
    };
    let batch_id = match create_batch(db, v, &batch)? {
        Ok(id) => id,
        Err(r) => return Ok(Err(r)),
    };
    let rows = observations::create_many(db, v, &checked.valid, "import", Some(batch_id))?;
    Ok(Ok(ObservationImport { batch_id, rows }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn guesses_swedish_and_english_headers() {
        let m = ColumnMapping::guess(&headers(&["Datum", "Tid", "Kategori", "Plats", "Antal", "Kommentar"]));
        assert_eq!(m.get(Target::ObservedAt), &Source::Column(0));
        assert_eq!(m.get(Target::Time), &Source::Column(1));
        assert_eq!(m.get(Target::Category), &Source::Column(2));
        assert_eq!(m.get(Target::Area), &Source::Column(3));
        assert_eq!(m.get(Target::Quantity), &Source::Column(4));
        assert_eq!(m.get(Target::Note), &Source::Column(5));
        let m = ColumnMapping::guess(&headers(&["category", "area", "observed_at", "quantity", "note", "lat", "lon"]));
        assert_eq!(m.get(Target::ObservedAt), &Source::Column(2));
        assert_eq!(m.get(Target::Time), &Source::None);
        assert_eq!(m.get(Target::Lat), &Source::Column(5));
        assert_eq!(m.get(Target::Lon), &Source::Column(6));
        let m = ColumnMapping::guess(&headers(&["Tid", "Område", "Intensitet (1-5)"]));
        assert_eq!(m.get(Target::ObservedAt), &Source::Column(0), "a lone Tid column is the date and time");
        assert_eq!(m.get(Target::Area), &Source::Column(1));
        assert_eq!(m.get(Target::Intensity), &Source::Column(2));
    }

    #[test]
    fn dates_and_separate_times() {
        let a = parse_when("2024-11-20", Some("21.30")).unwrap();
        let b = parse_when("2024-11-20 21:30", None).unwrap();
        let c = parse_when("2024-11-20 21.30", None).unwrap();
        let d = parse_when("2024-11-20", Some("2130")).unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(c, d);
        assert_eq!(b.to_string(), "2024-11-20T20:30:00Z");
        assert_eq!(parse_when("2024-11-20 00:00:00", Some("1899-12-31 21:30:00")).unwrap(), b, "a spreadsheet's time cell");
        assert!(parse_when("20 nov", None).is_err());
    }

    #[test]
    fn whole_numbers_the_swedish_way() {
        assert_eq!(whole_number("3"), Ok(Some(3)));
        assert_eq!(whole_number("3,0"), Ok(Some(3)));
        assert_eq!(whole_number(""), Ok(None));
        assert!(whole_number("2,5").is_err());
        assert!(whole_number("tre").is_err());
    }

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
