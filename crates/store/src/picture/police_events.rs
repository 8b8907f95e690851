//! Police events (polisens händelser): public data from the Swedish Police's events API, kept
//! locally because the API only returns recent events. Stored by the police's own id, so the
//! same event imported again (or harvested again) is a duplicate, not a second event; when the
//! police have edited it since, the stored copy is updated.
//!
//! **Location precision.** The police publish only the municipality or county an event is filed
//! under, and its "gps" is that area's centroid, never the scene. It is stored rounded to 0.01°
//! and exposed as `centroid` with its `precision` (`municipality` or `county`): show it as the
//! area, never as a point on a map.
//!
//! Each forum maps the police's event types to its own categories ([`mapping`], [`set_mapping`]).
//! Until a forum saves its own mapping, [`DEFAULT_MAPPING`] applies.

use std::collections::HashMap;

use brygga_domain::geography;
use brygga_domain::text::TextRule;
use brygga_domain::time::IsoWeek;
use brygga_domain::{FieldError, FieldErrors};
use brygga_import::police_events::{EventPlace, PoliceEvent as ParsedEvent, RejectedEvent};
use serde::Serialize;

use crate::forums::categories::{self, Category};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sql::Query;
use crate::kernel::viewer::Via;
use crate::picture::imports::{self, Batch, ImportKind, NewBatch, Refusal};
use crate::{Action, Viewer, args, forums::forum, kernel::access, now_ms, sort_key};

/// The police's common event types and the default checklist category (by code, see
/// `brygga_domain::est`) each counts under until a forum saves its own mapping. Types not listed
/// (traffic accidents, summaries, missing persons…) count under no category.
pub const DEFAULT_MAPPING: &[(&str, &str)] = &[
    ("Skadegörelse", "vandalism"),
    ("Brand", "fire"),
    ("Stöld", "theft_burglary"),
    ("Stöld, försök", "theft_burglary"),
    ("Stöld, ringa", "theft_burglary"),
    ("Stöld/inbrott", "theft_burglary"),
    ("Inbrott", "theft_burglary"),
    ("Inbrott, försök", "theft_burglary"),
    ("Motorfordon, stöld", "theft_burglary"),
    ("Misshandel", "threats_violence"),
    ("Misshandel, grov", "threats_violence"),
    ("Olaga hot", "threats_violence"),
    ("Rån", "threats_violence"),
    ("Rån väpnat", "threats_violence"),
    ("Rån övrigt", "threats_violence"),
    ("Rån, försök", "threats_violence"),
    ("Våld/hot mot tjänsteman", "threats_violence"),
    ("Skottlossning", "threats_violence"),
    ("Skottlossning, misstänkt", "threats_violence"),
    ("Detonation", "threats_violence"),
    ("Narkotikabrott", "drugs"),
    ("Alkohol/narkotika", "drugs"),
    ("Ordningslagen", "public_disorder"),
    ("Bråk", "public_disorder"),
    ("Fylleri/LOB", "public_disorder"),
    ("Ofredande/förargelse", "public_disorder"),
    ("Ofog barn/ungdom", "public_disorder"),
];

/// An event type as typed in the mapping editor.
pub const EVENT_TYPE: TextRule = TextRule::line("event_type", "Händelsetypen", 80);

/// How exactly an event's position is known.
pub fn precision(municipality: Option<&str>, county: Option<&str>) -> &'static str {
    match (municipality, county) {
        (Some(_), _) => "municipality",
        (None, Some(_)) => "county",
        (None, None) => "unknown",
    }
}

/// One stored police event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoliceEvent {
    /// The police's own id.
    pub id: i64,
    pub at_ms: i64,
    /// ISO week in Swedish time, e.g. `2024-W47`.
    pub week: String,
    /// E.g. "22 november 21.40, Skadegörelse, Trelleborg".
    pub name: String,
    pub summary: String,
    /// On polisen.se.
    pub url: String,
    /// The police's type, e.g. "Skadegörelse".
    pub event_type: String,
    /// As published, e.g. "Trelleborg" or "Skåne län".
    pub location_name: String,
    pub municipality_code: Option<String>,
    pub county_code: Option<String>,
    /// `municipality`, `county` or `unknown`: what `centroid` stands for.
    pub precision: String,
    /// `[lon, lat]` of the municipality's or county's centroid, rounded to 0.01°. Never the
    /// scene: draw the area, not a point.
    pub centroid: Option<[f64; 2]>,
}

/// The SELECT that [`PoliceEvent::from_row`] decodes, by the names given here.
const SELECT: &str =
    "SELECT id, at, week, name, summary, url, event_type, location_name, municipality_code, county_code, lon, lat FROM police_events";

impl FromRow for PoliceEvent {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let week: i64 = r.get("week")?;
        let municipality_code: Option<String> = r.get("municipality_code")?;
        let county_code: Option<String> = r.get("county_code")?;
        let lon: Option<f64> = r.get("lon")?;
        let lat: Option<f64> = r.get("lat")?;
        Ok(Self {
            id: r.get("id")?,
            at_ms: r.get("at")?,
            week: IsoWeek::from_key(week).map(|w| w.to_string()).unwrap_or_default(),
            name: r.get("name")?,
            summary: r.get("summary")?,
            url: r.get("url")?,
            event_type: r.get("event_type")?,
            location_name: r.get("location_name")?,
            precision: precision(municipality_code.as_deref(), county_code.as_deref()).to_owned(),
            municipality_code,
            county_code,
            centroid: lon.zip(lat).map(|(lon, lat)| [lon, lat]),
        })
    }
}

const COLUMNS: &[&str] = &[
    "id",
    "at",
    "week",
    "name",
    "summary",
    "url",
    "event_type",
    "location_name",
    "municipality_code",
    "county_code",
    "lon",
    "lat",
    "batch_id",
    "fetched_at",
];

/// Rounds a centroid coordinate to 0.01° (about a kilometre): it is an area's centre anyway.
fn coarse(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The stored form of a parsed event, except `batch_id` and `fetched_at`.
fn stored(e: &ParsedEvent) -> Vec<Value> {
    let (municipality, county): (Option<&str>, Option<String>) = match &e.place {
        EventPlace::Municipality(m) => (Some(m.as_str()), Some(m.municipality().county().code.to_owned())),
        EventPlace::County(c) => (None, Some(c.clone())),
        EventPlace::Unknown => (None, None),
    };
    vec![
        e.id.into(),
        e.at.as_millisecond().into(),
        i64::from(IsoWeek::of(e.at).key()).into(),
        e.name.as_str().into(),
        e.summary.as_str().into(),
        e.url.as_str().into(),
        e.event_type.as_str().into(),
        e.location_name.as_str().into(),
        municipality.into(),
        county.into(),
        e.gps.map(|(_, lon)| coarse(lon)).into(),
        e.gps.map(|(lat, _)| coarse(lat)).into(),
    ]
}

/// How many events were new and how many were already stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertCounts {
    pub new: u64,
    pub duplicates: u64,
    /// Duplicates whose text, type or place the police had changed since (updated here).
    pub updated: u64,
}

fn require_write(v: &Viewer, org: Option<i64>) -> StoreResult<()> {
    let operator = matches!(v.via(), Via::Cli | Via::System) && v.is_system_admin();
    let ok = match org {
        Some(o) => imports::may_import(v, o),
        None => operator || v.org_ids().into_iter().any(|o| imports::may_import(v, o)),
    };
    if ok { Ok(()) } else { Err(StoreError::Forbidden) }
}

/// Stores events by the police's id: new ones are inserted (in bulk), known ones updated when
/// the police changed them. Runs in the caller's transaction. `org` is the organisation the
/// import is done for (none for the operator and the harvester).
pub fn upsert(db: &mut dyn Conn, v: &Viewer, org: Option<i64>, events: &[ParsedEvent], batch: Option<i64>) -> StoreResult<UpsertCounts> {
    require_write(v, org)?;
    let mut existing: HashMap<i64, Row> = HashMap::new();
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    let sql = format!("{SELECT} WHERE {}", db.dialect().in_list("id", 1));
    for chunk in ids.chunks(1000) {
        for row in db.query(&sql, args![chunk])? {
            existing.insert(row.get("id")?, row);
        }
    }
    let now = now_ms();
    let mut counts = UpsertCounts::default();
    let mut fresh = Vec::new();
    for e in events {
        let values = stored(e);
        match existing.get(&e.id) {
            None => fresh.push(values),
            Some(old) => {
                counts.duplicates += 1;
                // The stored values, read by name in the order of `values` (= `COLUMNS`).
                let old: Vec<Value> = COLUMNS.iter().take(values.len()).map(|c| old.value(c).cloned()).collect::<Result<_, _>>()?;
                if !same_values(&old, &values) {
                    counts.updated += 1;
                    let mut args = values[1..].to_vec();
                    args.push(now.into());
                    args.push(e.id.into());
                    db.execute(
                        "UPDATE police_events SET at = $1, week = $2, name = $3, summary = $4, url = $5, event_type = $6, location_name = $7,
                         municipality_code = $8, county_code = $9, lon = $10, lat = $11, fetched_at = $12 WHERE id = $13",
                        &args,
                    )?;
                }
            }
        }
    }
    let mut rows = fresh.into_iter().map(|mut values| {
        values.push(batch.into());
        values.push(now.into());
        values
    });
    counts.new = db.bulk_insert("police_events", COLUMNS, &mut rows)?;
    if counts.new + counts.updated > 0 {
        let e = Event::new("police_events.import");
        let e = match batch {
            Some(b) => e.record("import_batch", b),
            None => e,
        };
        audit::record(
            db,
            v,
            match org {
                Some(o) => e.org(o),
                None => e,
            },
        )?;
    }
    Ok(counts)
}

/// Values as stored compare equal to values about to be stored (numbers may come back as
/// another variant from the database).
fn same_values(old: &[Value], new: &[Value]) -> bool {
    old.len() == new.len()
        && old.iter().zip(new).all(|(a, b)| match (a, b) {
            (Value::Real(x), Value::Real(y)) => (x - y).abs() < 1e-9,
            (Value::Int(x), Value::Real(y)) | (Value::Real(y), Value::Int(x)) => (*x as f64 - y).abs() < 1e-9,
            _ => a == b,
        })
}

/// An element of the file that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rejected {
    /// 0-based position in the array.
    pub index: usize,
    pub id: Option<i64>,
    /// Why, in Swedish, naming the field.
    pub reason: String,
}

impl From<RejectedEvent> for Rejected {
    fn from(r: RejectedEvent) -> Self {
        Self { index: r.index, id: r.id, reason: r.reason }
    }
}

/// The one-line summary of an import (the command line prints exactly this).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportSummary {
    /// Elements in the file.
    pub read: usize,
    /// Events stored for the first time.
    pub new: u64,
    /// Events already stored (from an earlier import or the harvester).
    pub duplicates: u64,
    pub rejected: Vec<Rejected>,
    /// The earlier import of the very same file by the same organisation, if any.
    #[serde(skip)]
    pub previous: Option<Box<Batch>>,
}

/// A parsed events file about to be imported.
pub struct EventsFile<'a> {
    pub file_name: Option<&'a str>,
    pub sha256: &'a str,
    pub parsed: Vec<Result<ParsedEvent, RejectedEvent>>,
}

/// Imports a parsed events file. With `org`, the file is recorded as a batch of that
/// organisation; the very same file again is no error (events are deduplicated by id) but is
/// not recorded twice and is reported as `previous`. Without `org` (the operator at the command
/// line) events are stored like harvested ones, without a batch.
pub fn import(db: &mut dyn Conn, v: &Viewer, org: Option<i64>, file: EventsFile<'_>) -> StoreResult<ImportSummary> {
    require_write(v, org)?;
    let read = file.parsed.len();
    let mut events = Vec::with_capacity(read);
    let mut rejected = Vec::new();
    for item in file.parsed {
        match item {
            Ok(e) => events.push(e),
            Err(r) => rejected.push(Rejected::from(r)),
        }
    }
    let mut previous = None;
    let batch = match org {
        Some(o) => match imports::previous(db, ImportKind::PoliceEvents, o, file.sha256)? {
            Some(b) => {
                previous = Some(Box::new(b));
                None
            }
            None if events.is_empty() => None,
            None => {
                let nb = NewBatch {
                    kind: ImportKind::PoliceEvents,
                    org_id: o,
                    file_name: file.file_name,
                    sha256: file.sha256,
                    row_count: events.len() as i64,
                };
                match imports::create_batch(db, v, &nb)? {
                    Ok(id) => Some(id),
                    Err(Refusal::SameFile(b)) => {
                        previous = Some(b);
                        None
                    }
                    Err(other) => return Err(StoreError::Internal(format!("unexpected refusal of a batch: {}", other.code()))),
                }
            }
        },
        None => None,
    };
    let counts = upsert(db, v, org, &events, batch)?;
    Ok(ImportSummary { read, new: counts.new, duplicates: counts.duplicates, rejected, previous })
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Four-digit municipality code.
    pub municipality: Option<String>,
    /// Two-digit county code: every event of the county, municipal or county-wide.
    pub county: Option<String>,
    /// With `municipality`: also the events filed under its whole county ("Skåne län").
    pub include_county_wide: bool,
    pub from_week: Option<IsoWeek>,
    pub to_week: Option<IsoWeek>,
    pub event_type: Option<String>,
    /// At most this many, newest first (default 500, at most 5000).
    pub limit: Option<usize>,
}

/// Stored events, newest first. Public data: every signed-in user may read them.
pub fn list(db: &mut dyn Conn, v: &Viewer, f: &Filter) -> StoreResult<Vec<PoliceEvent>> {
    if !v.is_signed_in() && !v.is_system_admin() {
        return Err(StoreError::Forbidden);
    }
    let limit = f.limit.unwrap_or(500).clamp(1, 5000);
    let mut q = Query::new(format!("{SELECT} WHERE 1=1"));
    if let Some(m) = &f.municipality {
        let county = geography::municipality(m).map(|m| m.county().code.to_owned());
        match county.filter(|_| f.include_county_wide) {
            Some(c) => {
                q.push(" AND (municipality_code = ? OR (municipality_code IS NULL AND county_code = ?))", [m.as_str().into(), c.into()])
            }
            None => q.push(" AND municipality_code = ?", [m.as_str().into()]),
        };
    }
    if let Some(c) = &f.county {
        q.push(" AND county_code = ?", [c.as_str().into()]);
    }
    if let Some(w) = f.from_week {
        q.push(" AND week >= ?", [i64::from(w.key()).into()]);
    }
    if let Some(w) = f.to_week {
        q.push(" AND week <= ?", [i64::from(w.key()).into()]);
    }
    if let Some(t) = &f.event_type {
        q.push(" AND event_type = ?", [t.as_str().into()]);
    }
    q.raw(&format!(" ORDER BY at DESC, id DESC LIMIT {limit}"));
    Ok(db.all(&q.sql, &q.params)?)
}

/// How many events are stored, and the newest one's time (for the import page).
pub fn stats(db: &mut dyn Conn, v: &Viewer) -> StoreResult<(i64, Option<i64>)> {
    if !v.is_signed_in() && !v.is_system_admin() {
        return Err(StoreError::Forbidden);
    }
    let (n, newest): (i64, Option<i64>) =
        db.map_one("SELECT COUNT(*) AS n, MAX(at) AS newest FROM police_events", &[], |r| Ok((r.get("n")?, r.get("newest")?)))?;
    Ok((n, newest))
}

// ---------------------------------------------------------------------------------------------
// Event type → category, per forum

/// One event type in a forum's mapping.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TypeMapping {
    pub event_type: String,
    pub category_id: Option<i64>,
    pub category_name: Option<String>,
    /// True while the forum has not saved a mapping of its own and the default applies.
    pub is_default: bool,
    /// Stored events of this type in the forum's municipality (all, for a county-wide forum).
    pub events: i64,
}

fn saved(db: &mut dyn Conn, forum_id: i64) -> StoreResult<Vec<(String, i64)>> {
    Ok(db.map_all("SELECT event_type, category_id FROM police_event_mappings WHERE forum_id = $1", args![forum_id], |r| {
        Ok((r.get("event_type")?, r.get("category_id")?))
    })?)
}

/// An `(event_type, n)` pair of a count per event type.
fn type_count(r: &Row) -> Result<(String, i64), DbError> {
    Ok((r.get("event_type")?, r.get("n")?))
}

/// The default mapping resolved against a forum's active categories.
fn defaults(active: &[Category]) -> HashMap<String, i64> {
    DEFAULT_MAPPING.iter().filter_map(|(t, code)| active.iter().find(|c| c.code == *code).map(|c| ((*t).to_owned(), c.id))).collect()
}

/// The mapping in force for a forum: its saved one, or the default. For the weekly picture.
pub fn category_map(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<HashMap<String, i64>> {
    let active = categories::list(db, v, forum_id, false)?;
    let own = saved(db, forum_id)?;
    if own.is_empty() {
        return Ok(defaults(&active));
    }
    Ok(own.into_iter().filter(|(_, c)| active.iter().any(|a| a.id == *c)).collect())
}

/// Every event type worth mapping for the forum (the common ones, those stored for its
/// municipality, those it mapped), with the category each counts under.
pub fn mapping(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<Vec<TypeMapping>> {
    let forum = forum::get(db, v, forum_id)?;
    let active = categories::list(db, v, forum_id, false)?;
    let own = saved(db, forum_id)?;
    let is_default = own.is_empty();
    let effective: HashMap<String, i64> = if is_default { defaults(&active) } else { own.iter().cloned().collect() };
    let counts: Vec<(String, i64)> = match &forum.municipality_code {
        Some(m) => db.map_all(
            "SELECT event_type, COUNT(*) AS n FROM police_events WHERE municipality_code = $1 GROUP BY event_type",
            args![m.as_str()],
            type_count,
        )?,
        None => db.map_all("SELECT event_type, COUNT(*) AS n FROM police_events GROUP BY event_type", &[], type_count)?,
    };
    let mut types: Vec<String> = DEFAULT_MAPPING.iter().map(|(t, _)| (*t).to_owned()).collect();
    types.extend(counts.iter().map(|(t, _)| t.clone()));
    types.extend(own.iter().map(|(t, _)| t.clone()));
    types.sort_by_key(|t| sort_key(t));
    types.dedup();
    Ok(types
        .into_iter()
        .map(|t| {
            let category = effective.get(&t).and_then(|id| active.iter().find(|c| c.id == *id));
            TypeMapping {
                events: counts.iter().find(|(ct, _)| *ct == t).map_or(0, |(_, n)| *n),
                category_id: category.map(|c| c.id),
                category_name: category.map(|c| c.name.clone()),
                is_default,
                event_type: t,
            }
        })
        .collect())
}

/// Saves a forum's whole mapping: each type with a category is stored, a type without one
/// counts under no category. (A forum that maps nothing at all is back on the default.)
/// Coordinators of the convening organisation decide, as for the checklist.
pub fn set_mapping(db: &mut dyn Conn, v: &Viewer, forum_id: i64, entries: &[(String, Option<i64>)]) -> StoreResult<()> {
    let forum = forum::get(db, v, forum_id)?;
    access::require(v, Action::ManageForum { convener: forum.convener.id })?;
    let active = categories::list(db, v, forum_id, false)?;
    let mut errs = FieldErrors::new();
    let mut rows: Vec<(String, i64)> = Vec::new();
    for (i, (t, c)) in entries.iter().enumerate() {
        let Some(c) = c else { continue };
        let event_type = match EVENT_TYPE.require(t) {
            Ok(t) => t,
            Err(e) => {
                errs.push(FieldError::new(format!("type_{i}"), e.code, e.message));
                continue;
            }
        };
        if !active.iter().any(|a| a.id == *c) {
            errs.push(FieldError::new(
                format!("category_{i}"),
                "category.unknown",
                format!("Välj en kategori i forumets checklista för ”{event_type}”."),
            ));
            continue;
        }
        if rows.iter().any(|(t, _)| *t == event_type) {
            continue;
        }
        rows.push((event_type, *c));
    }
    errs.into_result()?;
    db.execute("DELETE FROM police_event_mappings WHERE forum_id = $1", args![forum_id])?;
    for (t, c) in &rows {
        db.execute(
            "INSERT INTO police_event_mappings (forum_id, event_type, category_id) VALUES ($1, $2, $3)",
            args![forum_id, t.as_str(), *c],
        )?;
    }
    audit::record(db, v, Event::new("police_event_mapping.update").record("forum", forum_id).org(forum.convener.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_mapping_names_default_categories() {
        for (t, code) in DEFAULT_MAPPING {
            assert!(brygga_domain::est::DEFAULT_CATEGORIES.iter().any(|c| c.code == *code), "{t} → {code}");
        }
        for t in ["Skadegörelse", "Brand", "Stöld", "Inbrott", "Misshandel", "Narkotikabrott", "Ordningslagen", "Rån", "Bråk", "Olaga hot"]
        {
            assert!(DEFAULT_MAPPING.iter().any(|(d, _)| *d == t), "{t}");
        }
    }

    #[test]
    fn centroids_are_coarse() {
        assert_eq!(coarse(55.375806), 55.38);
        assert_eq!(coarse(13.156936), 13.16);
    }

    #[test]
    fn stored_numbers_compare_across_variants() {
        assert!(same_values(&[Value::Int(3), Value::Real(1.0)], &[Value::Int(3), Value::Real(1.0)]));
        assert!(same_values(&[Value::Real(3.0)], &[Value::Int(3)]));
        assert!(!same_values(&[Value::Text("a".into())], &[Value::Text("b".into())]));
    }
}
