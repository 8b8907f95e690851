//! Context beside the observations: monthly reported crimes (anmälda brott) per municipality
//! and offence, and safety survey results (trygghetsmätning) per area, question and year.
//!
//! - Crime statistics are public figures without an owner: an import replaces, key by key
//!   (municipality, year, month, offence), what an earlier import said; a suppressed value
//!   ("..") is stored as NULL, never as 0. Every signed-in user reads them.
//! - Survey results are an organisation's own records, shared as it chooses (see `sharing`); an
//!   import replaces the organisation's earlier results for the same municipality, area,
//!   question and year.

use brygga_domain::FieldError;
use brygga_domain::geography::MunicipalityCode;
use brygga_import::SkippedRow;
use brygga_import::crime_stats::CrimeStats;
use brygga_import::safety_survey::SafetySurvey;
use serde::Serialize;

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::{self, Visibility};
use crate::kernel::sql::Query;
use crate::picture::imports::{self, ImportKind, NewBatch, Refusal};
use crate::{Viewer, args, now_ms, places::areas, sort_key};

/// Rows per multi-row upsert statement.
const CHUNK: usize = 200;

/// What a crime statistics import wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrimeStatsImport {
    pub batch_id: i64,
    /// Values stored (new or replacing an earlier import's).
    pub rows: u64,
    /// Keys (municipality, month, offence) not stored before.
    pub new: u64,
    /// Keys an earlier import had stored, now replaced.
    pub replaced: u64,
    /// Values the source suppresses (".."), stored as "no value".
    pub suppressed: u64,
    /// Rows deliberately not imported (country and county totals, footnotes), with reasons.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub skipped: Vec<SkippedRow>,
}

fn count_for(db: &mut dyn Conn, municipalities: &[&str]) -> StoreResult<i64> {
    if municipalities.is_empty() {
        return Ok(0);
    }
    let placeholders: Vec<String> = (1..=municipalities.len()).map(|i| format!("${i}")).collect();
    let values: Vec<Value> = municipalities.iter().map(|m| Value::from(*m)).collect();
    Ok(db.scalar(&format!("SELECT COUNT(*) FROM crime_statistics WHERE municipality_code IN ({})", placeholders.join(", ")), &values)?)
}

fn upsert_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| format!("(${}, ${}, ${}, ${}, ${}, ${})", r * 6 + 1, r * 6 + 2, r * 6 + 3, r * 6 + 4, r * 6 + 5, r * 6 + 6))
        .collect();
    format!(
        "INSERT INTO crime_statistics (municipality_code, year, month, offence, crime_count, batch_id) VALUES {}
         ON CONFLICT (municipality_code, year, month, offence) DO UPDATE SET crime_count = excluded.crime_count, batch_id = excluded.batch_id",
        values.join(", ")
    )
}

/// Imports reported-crime statistics for `org` (recorded as its batch): all rows or none.
pub fn import_crime_statistics(
    db: &mut dyn Conn,
    v: &Viewer,
    org: i64,
    file_name: Option<&str>,
    sha256: &str,
    stats: &CrimeStats,
) -> StoreResult<Result<CrimeStatsImport, Refusal>> {
    imports::require_import(v, org)?;
    if stats.rows.is_empty() {
        return Ok(Err(Refusal::File(
            "Filen har inga rader för enskilda kommuner (bara riket eller län). Välj en tabell med kommuner.".to_owned(),
        )));
    }
    let nb = NewBatch { kind: ImportKind::CrimeStatistics, org_id: org, file_name, sha256, row_count: stats.rows.len() as i64 };
    let batch_id = match imports::create_batch(db, v, &nb)? {
        Ok(id) => id,
        Err(r) => return Ok(Err(r)),
    };
    let mut municipalities: Vec<&str> = stats.rows.iter().map(|r| r.municipality.as_str()).collect();
    municipalities.sort_unstable();
    municipalities.dedup();
    let before = count_for(db, &municipalities)?;
    let values = |r: &brygga_import::crime_stats::CrimeStatRow| -> [Value; 6] {
        [
            r.municipality.as_str().into(),
            i64::from(r.year).into(),
            i64::from(r.month).into(),
            r.offence.as_str().into(),
            r.count.into(),
            batch_id.into(),
        ]
    };
    let full = upsert_sql(CHUNK);
    let single = upsert_sql(1);
    let mut chunks = stats.rows.chunks_exact(CHUNK);
    for chunk in &mut chunks {
        let args: Vec<Value> = chunk.iter().flat_map(values).collect();
        db.execute(&full, &args)?;
    }
    for r in chunks.remainder() {
        db.execute(&single, &values(r))?;
    }
    let after = count_for(db, &municipalities)?;
    let rows = stats.rows.len() as u64;
    let new = u64::try_from(after - before).unwrap_or(0);
    audit::record(db, v, Event::new("crime_statistics.import").record("import_batch", batch_id).org(org))?;
    Ok(Ok(CrimeStatsImport {
        batch_id,
        rows,
        new,
        replaced: rows.saturating_sub(new),
        suppressed: stats.rows.iter().filter(|r| r.count.is_none()).count() as u64,
        skipped: stats.skipped.clone(),
    }))
}

/// Reported crimes of one offence in one municipality and month.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrimeStatistic {
    pub municipality_code: String,
    pub year: i64,
    pub month: i64,
    pub offence: String,
    /// `null` when the source suppresses the value; never 0 for that.
    pub count: Option<f64>,
}

impl FromRow for CrimeStatistic {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            municipality_code: r.get("municipality_code")?,
            year: r.get("year")?,
            month: r.get("month")?,
            offence: r.get("offence")?,
            count: r.get("crime_count")?,
        })
    }
}

/// A municipality's monthly figures from `from` to `to` (inclusive, `(year, month)`), by month
/// and offence. Public statistics: every signed-in user reads them.
pub fn crime_statistics(
    db: &mut dyn Conn,
    v: &Viewer,
    municipality: &str,
    from: Option<(i64, i64)>,
    to: Option<(i64, i64)>,
) -> StoreResult<Vec<CrimeStatistic>> {
    if !v.is_signed_in() && !v.is_system_admin() {
        return Err(StoreError::Forbidden);
    }
    let mut q =
        Query::new("SELECT municipality_code, year, month, offence, crime_count FROM crime_statistics WHERE municipality_code = $1");
    q.params.push(municipality.into());
    if let Some((y, m)) = from {
        q.push(" AND year * 100 + month >= ?", [(y * 100 + m).into()]);
    }
    if let Some((y, m)) = to {
        q.push(" AND year * 100 + month <= ?", [(y * 100 + m).into()]);
    }
    q.raw(" ORDER BY year, month, offence");
    Ok(db.all(&q.sql, &q.params)?)
}

// ---------------------------------------------------------------------------------------------
// Safety surveys

/// Whose survey results these are and who sees them.
#[derive(Debug, Clone, Copy)]
pub struct SurveyTarget {
    pub org_id: i64,
    pub municipality: MunicipalityCode,
    pub visibility: Visibility,
}

/// What a survey import wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyImport {
    pub batch_id: i64,
    pub rows: u64,
    /// Earlier results of the organisation for the same area, question and year, now replaced.
    pub replaced: u64,
    /// Rows whose area is one of the municipality's places (linked to it).
    pub matched_areas: u64,
    /// Area names that are not among the municipality's places (kept as text).
    pub unmatched_areas: Vec<String>,
    /// Rows with a suppressed share, with reasons.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub skipped: Vec<SkippedRow>,
}

const SURVEY_COLUMNS: &[&str] = &[
    "owner_org_id",
    "visibility",
    "forum_id",
    "municipality_code",
    "area_id",
    "area_name",
    "question",
    "year",
    "share_unsafe",
    "respondents",
    "batch_id",
    "created_at",
];

/// Imports safety survey results as `target.org_id`'s records: all rows or none.
pub fn import_safety_survey(
    db: &mut dyn Conn,
    v: &Viewer,
    target: &SurveyTarget,
    file_name: Option<&str>,
    sha256: &str,
    survey: &SafetySurvey,
) -> StoreResult<Result<SurveyImport, Refusal>> {
    imports::require_import(v, target.org_id)?;
    match target.visibility {
        Visibility::Forum { forum_id } => {
            let member: Option<i64> =
                db.scalar_opt("SELECT org_id FROM forum_members WHERE forum_id = $1 AND org_id = $2", args![forum_id, target.org_id])?;
            if member.is_none() {
                return Ok(Err(Refusal::Settings(
                    FieldError::new("forum_id", "forum.not_member", "Organisationen är inte med i forumet. Välj ett forum där den är med.")
                        .into(),
                )));
            }
        }
        Visibility::Organisation | Visibility::Public => {}
    }
    if survey.rows.is_empty() {
        return Ok(Err(Refusal::File("Filen har inga resultat att importera (alla andelar redovisas inte).".to_owned())));
    }
    let nb = NewBatch { kind: ImportKind::SafetySurvey, org_id: target.org_id, file_name, sha256, row_count: survey.rows.len() as i64 };
    let batch_id = match imports::create_batch(db, v, &nb)? {
        Ok(id) => id,
        Err(r) => return Ok(Err(r)),
    };
    let municipality = target.municipality.as_str();
    let places = areas::list(db, v, municipality)?;
    let mut replaced = 0;
    for r in &survey.rows {
        replaced += db.execute(
            "DELETE FROM safety_surveys WHERE owner_org_id = $1 AND municipality_code = $2 AND year = $3 AND question = $4 AND area_name = $5",
            args![target.org_id, municipality, r.year, r.question.as_str(), r.area.as_str()],
        )?;
    }
    let now = now_ms();
    let mut matched = 0u64;
    let mut unmatched: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(survey.rows.len());
    for r in &survey.rows {
        let key = sort_key(&r.area);
        let area = places.iter().find(|a| sort_key(&a.name) == key).map(|a| a.id);
        if area.is_some() {
            matched += 1;
        } else if !unmatched.contains(&r.area) {
            unmatched.push(r.area.clone());
        }
        rows.push(vec![
            target.org_id.into(),
            target.visibility.kind().code().into(),
            target.visibility.forum_id().into(),
            municipality.into(),
            area.into(),
            r.area.as_str().into(),
            r.question.as_str().into(),
            r.year.into(),
            r.share_unsafe.into(),
            r.respondents.into(),
            batch_id.into(),
            now.into(),
        ]);
    }
    let n = db.bulk_insert("safety_surveys", SURVEY_COLUMNS, &mut rows.into_iter())?;
    audit::record(db, v, Event::new("safety_survey.import").record("import_batch", batch_id).org(target.org_id))?;
    Ok(Ok(SurveyImport {
        batch_id,
        rows: n,
        replaced,
        matched_areas: matched,
        unmatched_areas: unmatched,
        skipped: survey.skipped.clone(),
    }))
}

/// One survey result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyResult {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub visibility: Visibility,
    pub municipality_code: String,
    pub area_id: Option<i64>,
    pub area_name: String,
    pub question: String,
    pub year: i64,
    /// The share who feel unsafe, 0–1.
    pub share_unsafe: f64,
    /// Respondents, when given.
    pub respondents: Option<i64>,
}

impl FromRow for SurveyResult {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let vis: String = r.get("visibility")?;
        Ok(Self {
            id: r.get("id")?,
            org_id: r.get("owner_org_id")?,
            org_name: r.get("org_name")?,
            visibility: Visibility::from_columns(&vis, r.get("forum_id")?).ok_or_else(|| DbError::Decode(format!("visibility {vis}")))?,
            municipality_code: r.get("municipality_code")?,
            area_id: r.get("area_id")?,
            area_name: r.get("area_name")?,
            question: r.get("question")?,
            year: r.get("year")?,
            share_unsafe: r.get("share_unsafe")?,
            respondents: r.get("respondents")?,
        })
    }
}

/// The survey results of a municipality the viewer may read, by year, area and question.
pub fn safety_surveys(db: &mut dyn Conn, v: &Viewer, municipality: &str, year: Option<i64>) -> StoreResult<Vec<SurveyResult>> {
    let mut q = Query::new(
        "SELECT s.id, s.owner_org_id, o.name AS org_name, s.visibility, s.forum_id, s.municipality_code, s.area_id, s.area_name, s.question, s.year, s.share_unsafe, s.respondents
         FROM safety_surveys s JOIN organisations o ON o.id = s.owner_org_id WHERE ",
    );
    let n = q.next_param();
    q.push_numbered(&sharing::readable(db.dialect(), "s", n), sharing::readable_args(v));
    q.push(" AND s.municipality_code = ?", [municipality.into()]);
    if let Some(y) = year {
        q.push(" AND s.year = ?", [y.into()]);
    }
    q.raw(" ORDER BY s.year DESC, s.area_name, s.question, s.id");
    Ok(db.all(&q.sql, &q.params)?)
}
