//! The training coverage of a county (seed 003: "104 deltagare från 20 av 33 kommuner"): for
//! each municipality of the county, how many participants attended events held for the county,
//! by year and by kind of event, and which municipalities never attended in the chosen year and
//! kind ("N av M kommuner deltog").
//!
//! A participant counts for the municipality they registered with, and only when marked as
//! attended. Read by county-board coordinators of the county and system administrators
//! ([`Permission::ReadEventCoverage`]). It holds counts only, no names. One grouped query per
//! year over the `events_county` and `event_registrations_event` indexes; see BENCHMARKS.md.

use std::collections::BTreeMap;

use brygga_domain::geography as geo;
use serde::{Deserialize, Serialize};

use super::{Coded, KINDS, coded, year_start_ms};
use crate::kernel::access::{Action as Permission, require};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Viewer, sort_key};

/// How many years back the report's yearly overview reaches (the chosen year included).
pub const YEARS: i16 = 5;

/// Which year and kind the report is for.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
pub struct TrainingCoverageQuery {
    /// Default: this year.
    #[serde(default)]
    pub year: Option<i16>,
    /// Default: `training`.
    #[serde(default)]
    pub kind: Option<String>,
}

/// One municipality of the county.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverageMunicipality {
    pub code: String,
    pub name: String,
    /// Attended participants in the chosen year and kind.
    pub attended: i64,
    /// Attended participants in the chosen year, per kind of event in [`KINDS`] order.
    pub by_kind: Vec<i64>,
    /// Attended participants of the chosen kind, per year of [`TrainingCoverage::years`].
    pub by_year: Vec<i64>,
}

/// One year of the overview.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverageYear {
    pub year: i16,
    /// Municipalities with at least one attended participant (of the chosen kind).
    pub municipalities_attended: i64,
    pub participants: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingCoverage {
    pub county: Coded,
    pub year: i16,
    pub kind: Coded,
    /// Every kind, in the order of [`CoverageMunicipality::by_kind`].
    pub kinds: Vec<Coded>,
    /// Every municipality of the county, in Swedish name order.
    pub municipalities: Vec<CoverageMunicipality>,
    /// Names of the municipalities without an attended participant in the chosen year and kind.
    pub never_attended: Vec<String>,
    /// "N" of "N av M kommuner deltog".
    pub attended_count: i64,
    /// "M".
    pub total: i64,
    pub participants: i64,
    /// The chosen year and the years before it, oldest first.
    pub years: Vec<CoverageYear>,
}

impl TrainingCoverage {
    /// "20 av 33 kommuner deltog".
    pub fn summary(&self) -> String {
        format!("{} av {} kommuner deltog", self.attended_count, self.total)
    }
}

/// (municipality, kind) → attended participants for events of the county starting in `year`.
fn counts(db: &mut dyn Conn, county: &str, year: i16, kind: Option<&str>) -> StoreResult<BTreeMap<(String, String), i64>> {
    let (from, to) = (year_start_ms(year), year_start_ms(year + 1));
    let mut sql = "SELECT r.municipality_code, e.kind, COUNT(*) AS n FROM events e JOIN event_registrations r ON r.event_id = e.id
         WHERE e.county_code = $1 AND e.starts_at >= $2 AND e.starts_at < $3 AND r.status = 'attended'"
        .to_owned();
    let mut a = vec![county.into(), from.into(), to.into()];
    if let Some(k) = kind {
        sql += " AND e.kind = $4";
        a.push(k.into());
    }
    sql += " GROUP BY r.municipality_code, e.kind";
    let rows = db.map_all(&sql, &a, |r| Ok(((r.get::<String>("municipality_code")?, r.get::<String>("kind")?), r.get::<i64>("n")?)))?;
    Ok(rows.into_iter().collect())
}

/// The report for `county` (county-board coordinators of the county, system administrators).
pub fn report(db: &mut dyn Conn, v: &Viewer, county: &str, q: &TrainingCoverageQuery) -> StoreResult<TrainingCoverage> {
    let c = geo::county(county).ok_or(StoreError::not_found("county"))?;
    require(v, Permission::ReadEventCoverage { county: c.code })?;
    let year = q.year.unwrap_or_else(|| brygga_domain::time::today().year());
    if !(1990..=2100).contains(&year) {
        return Err(StoreError::not_found("year"));
    }
    let kind_code = q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("training");
    if super::label_of(KINDS, kind_code).is_none() {
        return Err(StoreError::not_found("event_kind"));
    }
    let mut munis: Vec<&geo::Municipality> = geo::municipalities_in_county(c.code).collect();
    munis.sort_by_cached_key(|m| sort_key(m.name));
    let this_year = counts(db, c.code, year, None)?;
    let years: Vec<i16> = ((year - YEARS + 1)..=year).collect();
    let mut per_year: Vec<BTreeMap<(String, String), i64>> = Vec::new();
    for y in &years {
        if *y == year {
            per_year.push(this_year.iter().filter(|((_, k), _)| k == kind_code).map(|(k, n)| (k.clone(), *n)).collect());
        } else {
            per_year.push(counts(db, c.code, *y, Some(kind_code))?);
        }
    }
    let get =
        |m: &BTreeMap<(String, String), i64>, code: &str, kind: &str| m.get(&(code.to_owned(), kind.to_owned())).copied().unwrap_or(0);
    let rows: Vec<CoverageMunicipality> = munis
        .iter()
        .map(|m| CoverageMunicipality {
            code: m.code.to_owned(),
            name: m.name.to_owned(),
            attended: get(&this_year, m.code, kind_code),
            by_kind: KINDS.iter().map(|(k, _)| get(&this_year, m.code, k)).collect(),
            by_year: per_year.iter().map(|py| get(py, m.code, kind_code)).collect(),
        })
        .collect();
    let year_rows = years
        .iter()
        .enumerate()
        .map(|(i, y)| CoverageYear {
            year: *y,
            municipalities_attended: rows.iter().filter(|r| r.by_year[i] > 0).count() as i64,
            participants: rows.iter().map(|r| r.by_year[i]).sum(),
        })
        .collect();
    Ok(TrainingCoverage {
        county: Coded { code: c.code.to_owned(), label: c.name.to_owned() },
        year,
        kind: coded(KINDS, kind_code),
        kinds: KINDS.iter().map(|(k, _)| coded(KINDS, k)).collect(),
        never_attended: rows.iter().filter(|r| r.attended == 0).map(|r| r.name.clone()).collect(),
        attended_count: rows.iter().filter(|r| r.attended > 0).count() as i64,
        total: rows.len() as i64,
        participants: rows.iter().map(|r| r.attended).sum(),
        municipalities: rows,
        years: year_rows,
    })
}

/// Whether the viewer may open the report of `county` (for a link on the events page).
pub fn may_read(v: &Viewer, county: &str) -> bool {
    geo::county(county).is_some_and(|c| crate::kernel::access::allowed(v, Permission::ReadEventCoverage { county: c.code }))
}
