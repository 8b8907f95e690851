//! What stands beside the numbers: the picture's title and audience, the organisations whose
//! reports are in it, and the context panels (police events, reported crimes, safety surveys).

use brygga_domain::time::IsoWeek;

use super::{Audience, Context, CrimeMonth, CrimeRow, PoliceEventCount, Source, SurveyResult};
use crate::Viewer;
use crate::forums::forum::{self, OrgRef};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::{self, Scope};
use crate::kernel::sql::Query;
/// The picture's title and who can see it.
pub(super) fn audience(db: &mut dyn Conn, v: &Viewer, scope: &Scope, municipality_name: &str) -> StoreResult<(String, Audience)> {
    Ok(match scope {
        Scope::Own { org_id } => {
            let name: String = db
                .scalar_opt("SELECT name FROM organisations WHERE id = $1", crate::args![*org_id])?
                .ok_or(StoreError::not_found("organisation"))?;
            (
                name.clone(),
                Audience { kind: "organisation".into(), name: Some(name.clone()), organisations: vec![OrgRef { id: *org_id, name }] },
            )
        }
        Scope::Joint { forum_id } => {
            let f = forum::get(db, v, *forum_id)?;
            (f.name.clone(), Audience { kind: "forum".into(), name: Some(f.name), organisations: f.members })
        }
        Scope::Shared => (municipality_name.to_owned(), Audience { kind: "signed_in".into(), name: None, organisations: vec![] }),
    })
}

/// The organisations with reports in the week's published cells (`published(category_id,
/// area_id)`), with their numbers when the picture is exact.
pub(super) fn sources(
    db: &mut dyn Conn,
    scope: &Scope,
    municipality: &str,
    week: i64,
    exact: bool,
    published: impl Fn(i64, Option<i64>) -> bool,
) -> StoreResult<Vec<Source>> {
    let mut sql = Query::new(
        "SELECT x.owner_org_id, g.name AS org_name, x.category_id, x.area_id, x.n, x.q FROM (SELECT o.owner_org_id AS owner_org_id, o.category_id AS category_id, o.area_id AS area_id, COUNT(*) AS n, CAST(SUM(o.quantity) AS BIGINT) AS q FROM observations o WHERE ",
    );
    sql.push("o.municipality_code = ? AND o.week = ? AND ", [municipality.into(), week.into()]);
    let (pred, args) = sharing::scope_predicate("o", scope, sql.next_param());
    sql.push_numbered(&pred, args);
    sql.raw(
        " GROUP BY o.owner_org_id, o.category_id, o.area_id) x JOIN organisations g ON g.id = x.owner_org_id ORDER BY g.name_key, g.id",
    );
    let rows: Vec<(i64, String, i64, Option<i64>, i64, i64)> = db.map_all(&sql.sql, &sql.params, |r| {
        Ok((r.get("owner_org_id")?, r.get("org_name")?, r.get("category_id")?, r.get("area_id")?, r.get("n")?, r.get("q")?))
    })?;
    let mut out: Vec<(i64, String, i64, i64)> = Vec::new();
    for (org_id, name, category_id, area_id, n, q) in rows {
        if !published(category_id, area_id) {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.0 == org_id => {
                last.2 += n;
                last.3 += q;
            }
            _ => out.push((org_id, name, n, q)),
        }
    }
    Ok(out
        .into_iter()
        .map(|(org_id, name, n, q)| Source { org_id, name, reports: exact.then_some(n), count: exact.then_some(q) })
        .collect())
}

/// The context panels of the week: police events, the latest month of reported crimes, and the
/// latest year of safety surveys.
pub(super) fn context(db: &mut dyn Conn, scope: &Scope, exact: bool, municipality: &str, week: IsoWeek) -> StoreResult<Context> {
    let police = police_events(db, municipality, week)?;
    Ok(Context {
        police_events_total: police.iter().map(|p| p.count).sum(),
        police_events: police,
        crime_statistics: crime_statistics(db, municipality, week)?,
        surveys: surveys(db, scope, exact, municipality, week)?,
    })
}

/// The week's police events in the municipality by type, the most common first.
fn police_events(db: &mut dyn Conn, municipality: &str, week: IsoWeek) -> StoreResult<Vec<PoliceEventCount>> {
    let police: Vec<(String, i64)> = db.map_all(
        "SELECT event_type, COUNT(*) AS n FROM police_events WHERE municipality_code = $1 AND week = $2 GROUP BY event_type ORDER BY COUNT(*) DESC, event_type",
        crate::args![municipality, i64::from(week.key())],
        |r| Ok((r.get("event_type")?, r.get("n")?)),
    )?;
    Ok(police.into_iter().map(|(event_type, count)| PoliceEventCount { event_type, count }).collect())
}

/// The latest month of reported crimes that has begun by the end of the week, beside the same
/// month a year earlier.
fn crime_statistics(db: &mut dyn Conn, municipality: &str, week: IsoWeek) -> StoreResult<Option<CrimeMonth>> {
    let sunday = week.monday().checked_add(jiff::Span::new().days(6)).unwrap_or(week.monday());
    let month_key = i64::from(sunday.year()) * 100 + i64::from(sunday.month());
    let latest: Option<(i64, i64)> = db.map_opt(
        "SELECT year, month FROM crime_statistics WHERE municipality_code = $1 AND year * 100 + month <= $2 ORDER BY year DESC, month DESC LIMIT 1",
        crate::args![municipality, month_key],
        |r| Ok((r.get("year")?, r.get("month")?)),
    )?;
    let Some((year, month)) = latest else { return Ok(None) };
    let rows: Vec<(String, Option<f64>, Option<f64>)> = db.map_all(
        "SELECT c.offence, c.crime_count, p.crime_count AS last_year FROM crime_statistics c
         LEFT JOIN crime_statistics p ON p.municipality_code = c.municipality_code AND p.offence = c.offence AND p.year = c.year - 1 AND p.month = c.month
         WHERE c.municipality_code = $1 AND c.year = $2 AND c.month = $3 ORDER BY c.offence",
        crate::args![municipality, year, month],
        |r| Ok((r.get("offence")?, r.get("crime_count")?, r.get("last_year")?)),
    )?;
    Ok(Some(CrimeMonth {
        year,
        month,
        rows: rows.into_iter().map(|(offence, count, last_year)| CrimeRow { offence, count, last_year }).collect(),
    }))
}

/// The latest survey year up to the week: own and shared results by scope; outside it the
/// public ones only.
fn surveys(db: &mut dyn Conn, scope: &Scope, exact: bool, municipality: &str, week: IsoWeek) -> StoreResult<Vec<SurveyResult>> {
    let mut sql = Query::new(
        "SELECT g.name AS org_name, s.area_name, s.question, s.year, s.share_unsafe, s.respondents FROM safety_surveys s JOIN organisations g ON g.id = s.owner_org_id WHERE ",
    );
    sql.push("s.municipality_code = ? AND s.year <= ? AND ", [municipality.into(), i64::from(week.year()).into()]);
    let (pred, args) = sharing::scope_predicate("s", scope, sql.next_param());
    sql.push_numbered(&pred, args);
    if !exact {
        // Outside the scope only published results: a survey shared with a forum stays there.
        sql.raw(" AND s.visibility = 'public'");
    }
    sql.raw(" ORDER BY s.year DESC, s.area_name, s.question LIMIT 200");
    let rows: Vec<SurveyResult> = db.map_all(&sql.sql, &sql.params, |r| {
        Ok(SurveyResult {
            org_name: r.get("org_name")?,
            area_name: r.get("area_name")?,
            question: r.get("question")?,
            year: r.get("year")?,
            share_unsafe: r.get("share_unsafe")?,
            respondents: r.get("respondents")?,
        })
    })?;
    let latest_year = rows.first().map(|r| r.year);
    Ok(rows.into_iter().filter(|r| Some(r.year) == latest_year).collect())
}
