//! The public directory: published offers of public profiles, filtered by municipality, age, theme,
//! weekday and time, and cost; the organisations with a public profile; and the exports (CSV,
//! GeoJSON; HSDS in [`super::hsds`]). Every list, count and export here reads only what
//! [`sharing::offer_published`] lets through — for every viewer, signed in or not (an
//! organisation's own unpublished offers are on its own page, [`super::offers::for_org`]).

use brygga_domain::geography::MunicipalityCode;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::codes::{self, List};
use super::offers::{self, Offer};
use crate::kernel::db::{Conn, ConnExt, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing;
use crate::kernel::sql::Query;
use crate::{Viewer, sort_key};

/// The most offers one page of the directory shows.
pub const PAGE_SIZE: i64 = 50;

/// The filters as a form or query string sends them (all text, all optional).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[serde(default, deny_unknown_fields)]
pub struct FilterInput {
    /// Municipality code, `1293`.
    pub kommun: Option<String>,
    /// A person's age: offers whose ages from–to include it.
    pub alder: Option<String>,
    /// A theme code, `idrott`.
    pub tema: Option<String>,
    /// A weekday, 1–7 or its Swedish name (`fredag`).
    pub dag: Option<String>,
    /// The time window's start, `18:00` (with `dag`).
    pub fran: Option<String>,
    /// The time window's end, `22:00` (with `dag`).
    pub till: Option<String>,
    /// `1`/`true`/`on`: free offers only.
    pub gratis: Option<String>,
    /// An organisation's offers only.
    pub organisation: Option<i64>,
    /// The page, from 1.
    pub sida: Option<i64>,
}

/// Checked filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub municipality: Option<String>,
    pub age: Option<i64>,
    pub theme: Option<String>,
    pub weekday: Option<i64>,
    /// `HH:MM` window; with a weekday only.
    pub from: Option<String>,
    pub to: Option<String>,
    pub free_only: bool,
    pub org_id: Option<i64>,
    /// The day schedules must be valid on (`YYYY-MM-DD`), usually today.
    pub today: String,
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl FilterInput {
    /// Checks every filter; each problem is named under its query field, in Swedish.
    pub fn parse(&self, today: &str) -> Result<Filter, FieldErrors> {
        let mut errs = FieldErrors::new();
        let municipality = present(&self.kommun).and_then(|k| {
            errs.take(
                MunicipalityCode::parse(k)
                    .map(|c| c.as_str().to_owned())
                    .map_err(|e| FieldError::new("kommun", "municipality.unknown", e.to_string())),
            )
        });
        let age = present(&self.alder).and_then(|a| match a.parse::<i64>() {
            Ok(a) if (0..=offers::MAX_AGE).contains(&a) => Some(a),
            _ => {
                errs.push(FieldError::new(
                    "alder",
                    "age.invalid",
                    format!("”{a}” är ingen ålder. Skriv en ålder i hela år, till exempel 14."),
                ));
                None
            }
        });
        let theme =
            present(&self.tema).and_then(|t| errs.take(codes::parse_list("tema", List::Themes, &[t.to_owned()]).map(|mut l| l.remove(0))));
        let weekday = present(&self.dag).and_then(|d| {
            let lower = d.to_lowercase();
            match lower.parse::<i64>() {
                Ok(n) if (1..=7).contains(&n) => Some(n),
                _ => match codes::WEEKDAYS.iter().position(|w| *w == lower) {
                    Some(i) => Some(i as i64 + 1),
                    None => {
                        errs.push(FieldError::new("dag", "weekday.invalid", format!("”{d}” är ingen veckodag. Välj måndag … söndag.")));
                        None
                    }
                },
            }
        });
        let from = present(&self.fran).and_then(|t| errs.take(codes::parse_time("fran", "Tiden från", t)));
        let to = present(&self.till).and_then(|t| errs.take(codes::parse_time("till", "Tiden till", t)));
        if let (Some(f), Some(t)) = (&from, &to)
            && t <= f
        {
            errs.push(FieldError::new("till", "time.order", format!("Tiden till ({t}) är inte efter tiden från ({f}). Rätta tiderna.")));
        }
        if (from.is_some() || to.is_some()) && weekday.is_none() && errs.get("dag").is_none() {
            errs.push(FieldError::new("dag", "weekday.required", "Välj en veckodag för tiden, till exempel fredag."));
        }
        let free_only = present(&self.gratis).is_some_and(|g| matches!(g, "1" | "true" | "on" | "ja"));
        errs.into_result()?;
        Ok(Filter { municipality, age, theme, weekday, from, to, free_only, org_id: self.organisation, today: today.to_owned() })
    }
}

/// The WHERE clause of the public directory for `f` (over offers `f` joined to organisations `o`).
fn filtered(f: &Filter) -> Query {
    let mut q = Query::new(format!(" WHERE {}", sharing::offer_published("f", "o")));
    if let Some(m) = &f.municipality {
        q.push(" AND f.municipality_code = ?", [Value::from(m)]);
    }
    if let Some(a) = f.age {
        q.push(" AND (f.age_from IS NULL OR f.age_from <= ?) AND (f.age_to IS NULL OR f.age_to >= ?)", [a.into(), a.into()]);
    }
    if let Some(t) = &f.theme {
        q.push(" AND f.themes LIKE ?", [Value::from(format!("%,{t},%"))]);
    }
    if let Some(o) = f.org_id {
        q.push(" AND f.org_id = ?", [o.into()]);
    }
    if f.free_only {
        q.raw(" AND f.free");
    }
    if let Some(d) = f.weekday {
        // A schedule row on that day, in force today, overlapping the window.
        q.push(
            " AND EXISTS (SELECT 1 FROM offer_schedules s WHERE s.offer_id = f.id AND s.weekday = ?
                 AND (s.valid_from IS NULL OR s.valid_from <= ?) AND (s.valid_to IS NULL OR s.valid_to >= ?)",
            [d.into(), Value::from(&f.today), Value::from(&f.today)],
        );
        if let Some(from) = &f.from {
            q.push(" AND s.closes_at > ?", [Value::from(from)]);
        }
        if let Some(to) = &f.to {
            q.push(" AND s.opens_at < ?", [Value::from(to)]);
        }
        q.raw(")");
    }
    q
}

/// One page of the directory.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Listing {
    /// Every published offer that matches (not only this page).
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub offers: Vec<Offer>,
}

/// The page of matching published offers (`page` from 1), ordered by name (Swedish order).
pub fn list(db: &mut dyn Conn, v: &Viewer, f: &Filter, page: i64) -> StoreResult<Listing> {
    let w = filtered(f);
    let total: i64 = db.scalar(&format!("SELECT COUNT(*) FROM offers f JOIN organisations o ON o.id = f.org_id{}", w.sql), &w.params)?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    // Page by the stored Swedish sort key (name_key, written with `sort_key`), then id.
    let mut q = Query::new(format!("{} {}", offers::SELECT, w.sql));
    q.params = w.params.clone();
    q.push(" ORDER BY f.name_key, f.id LIMIT ? OFFSET ?", [PAGE_SIZE.into(), ((page - 1) * PAGE_SIZE).into()]);
    let mut items: Vec<Offer> = db.all(&q.sql, &q.params)?;
    offers::load_schedules(db, &mut items)?;
    let items = items.into_iter().map(|o| hide_verifier(o, v)).collect();
    Ok(Listing { total, page, pages, offers: items })
}

/// Every matching published offer (exports, the map), in Swedish name order.
pub fn all(db: &mut dyn Conn, v: &Viewer, f: &Filter) -> StoreResult<Vec<Offer>> {
    let w = filtered(f);
    let mut items: Vec<Offer> = db.all(&format!("{} {} ORDER BY f.name_key, f.id", offers::SELECT, w.sql), &w.params)?;
    items.sort_by(|a, b| sort_key(&a.name).cmp(&sort_key(&b.name)).then(a.id.cmp(&b.id)));
    offers::load_schedules(db, &mut items)?;
    Ok(items.into_iter().map(|o| hide_verifier(o, v)).collect())
}

/// A point on the directory's map.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Point {
    pub id: i64,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

/// The positioned matching offers (the place's position, or the area's centre).
pub fn points(db: &mut dyn Conn, f: &Filter) -> StoreResult<Vec<Point>> {
    let w = filtered(f);
    let sql = format!(
        "SELECT f.id, f.name, COALESCE(f.lat, a.centroid_lat) AS lat, COALESCE(f.lon, a.centroid_lon) AS lon
         FROM offers f JOIN organisations o ON o.id = f.org_id LEFT JOIN areas a ON a.id = f.area_id{} ORDER BY f.id",
        w.sql
    );
    let rows = db.query(&sql, &w.params)?;
    let mut out = Vec::new();
    for r in &rows {
        if let (Some(lat), Some(lon)) = (r.get::<Option<f64>>("lat")?, r.get::<Option<f64>>("lon")?) {
            out.push(Point { id: r.get("id")?, name: r.get("name")?, lat, lon });
        }
    }
    Ok(out)
}

fn hide_verifier(mut o: Offer, v: &Viewer) -> Offer {
    if v.role_in(o.org_id).is_none() {
        o.verified_by = None;
    }
    o
}

/// An organisation in the public directory.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Listed {
    pub id: i64,
    pub name: String,
    pub kind: String,
    /// Its published offers.
    pub offers: i64,
}

/// The organisations with a public profile (in `municipality`, when given), with their number of
/// published offers, in Swedish order.
pub fn organisations(db: &mut dyn Conn, municipality: Option<&str>) -> StoreResult<Vec<Listed>> {
    let mut q = Query::new(format!(
        "SELECT o.id, o.name, o.kind, (SELECT COUNT(*) FROM offers f WHERE f.org_id = o.id AND {}) AS offers
         FROM organisations o WHERE o.public_profile",
        sharing::offer_published("f", "o")
    ));
    if let Some(m) = municipality {
        q.push(
            " AND EXISTS (SELECT 1 FROM organisation_municipalities om WHERE om.org_id = o.id AND om.status = 'approved' AND om.municipality_code = ?)",
            [Value::from(m)],
        );
    }
    let mut out: Vec<Listed> = db.map_all(&q.sql, &q.params, |r| {
        Ok(Listed { id: r.get("id")?, name: r.get("name")?, kind: r.get("kind")?, offers: r.get("offers")? })
    })?;
    out.sort_by_key(|a| sort_key(&a.name));
    Ok(out)
}

/// Quotes one CSV field (RFC 4180), and defuses a leading formula character for spreadsheets.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r', ';']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// The CSV columns (docs/DIRECTORY-FORMAT.md).
pub const CSV_HEADER: &[&str] = &[
    "id",
    "namn",
    "organisation_id",
    "organisation",
    "kommunkod",
    "kommun",
    "omrade",
    "plats",
    "lat",
    "lon",
    "alder_fran",
    "alder_till",
    "teman",
    "malgrupper",
    "tider",
    "gratis",
    "kostnad",
    "vem_kan_delta",
    "anmalan",
    "epost",
    "telefon",
    "webb",
    "status",
    "kontrollerad",
];

/// The offers as CSV (UTF-8, comma-separated, one line per offer; schedules `fredag 18:00–22:00`
/// separated by ` | `).
pub fn csv(offers: &[Offer]) -> String {
    let mut out = CSV_HEADER.join(",");
    out.push_str("\r\n");
    for o in offers {
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        let coord = |c: Option<f64>| c.map(|c| format!("{c:.6}")).unwrap_or_default();
        let fields = [
            o.id.to_string(),
            o.name.clone(),
            o.org_id.to_string(),
            o.org_name.clone(),
            o.municipality_code.clone(),
            o.municipality_name.clone(),
            opt(&o.area_name),
            opt(&o.place_name),
            coord(o.lat),
            coord(o.lon),
            num(o.age_from),
            num(o.age_to),
            o.themes.join(" "),
            o.target_groups.join(" "),
            o.schedules.iter().map(|s| s.describe()).collect::<Vec<_>>().join(" | "),
            if o.free { "ja" } else { "nej" }.into(),
            opt(&o.cost_text),
            opt(&o.eligibility),
            opt(&o.how_to_join),
            opt(&o.contact_email),
            opt(&o.contact_phone),
            opt(&o.contact_url),
            o.status.clone(),
            opt(&o.verified_on),
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// The positioned offers as a GeoJSON FeatureCollection (RFC 7946: WGS 84, `[lon, lat]`).
pub fn geojson(offers: &[Offer]) -> serde_json::Value {
    let features: Vec<serde_json::Value> = offers
        .iter()
        .filter_map(|o| Some((o, o.lat?, o.lon?)))
        .map(|(o, lat, lon)| {
            serde_json::json!({
                "type": "Feature",
                "id": o.id,
                "geometry": { "type": "Point", "coordinates": [round6(lon), round6(lat)] },
                "properties": {
                    "namn": o.name,
                    "organisation": o.org_name,
                    "organisation_id": o.org_id,
                    "kommunkod": o.municipality_code,
                    "kommun": o.municipality_name,
                    "omrade": o.area_name,
                    "plats": o.place_name,
                    "alder_fran": o.age_from,
                    "alder_till": o.age_to,
                    "teman": o.themes,
                    "malgrupper": o.target_groups,
                    "tider": o.schedules.iter().map(|s| s.describe()).collect::<Vec<_>>(),
                    "gratis": o.free,
                    "kostnad": o.cost_text,
                    "status": o.status,
                    "url": format!("/katalog/erbjudanden/{}", o.id),
                }
            })
        })
        .collect();
    serde_json::json!({ "type": "FeatureCollection", "features": features })
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The filters of a listing as a query string (for links to the next page and the exports).
pub fn query_string(input: &FilterInput) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut add = |k: &str, v: &Option<String>| {
        if let Some(v) = present(v) {
            parts.push(format!("{k}={}", urlencode(v)));
        }
    };
    add("kommun", &input.kommun);
    add("alder", &input.alder);
    add("tema", &input.tema);
    add("dag", &input.dag);
    add("fran", &input.fran);
    add("till", &input.till);
    add("gratis", &input.gratis);
    if let Some(o) = input.organisation {
        parts.push(format!("organisation={o}"));
    }
    parts.join("&")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// Refuses a filter that did not parse (for callers that already hold a [`FieldErrors`]).
pub fn invalid(errs: FieldErrors) -> StoreError {
    StoreError::Invalid(errs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_swedish_and_name_the_field() {
        let f = FilterInput {
            dag: Some("Fredag".into()),
            fran: Some("18".into()),
            till: Some("22".into()),
            alder: Some("14".into()),
            ..Default::default()
        }
        .parse("2026-12-04")
        .unwrap();
        assert_eq!((f.weekday, f.from.as_deref(), f.to.as_deref(), f.age), (Some(5), Some("18:00"), Some("22:00"), Some(14)));
        let e = FilterInput { fran: Some("18".into()), ..Default::default() }.parse("2026-12-04").unwrap_err();
        assert_eq!(e.get("dag").unwrap().code, "weekday.required");
        let e = FilterInput { alder: Some("fjorton".into()), tema: Some("fotboll".into()), ..Default::default() }
            .parse("2026-12-04")
            .unwrap_err();
        assert!(e.get("alder").is_some() && e.get("tema").is_some());
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("Säg \"hej\""), "\"Säg \"\"hej\"\"\"");
    }
}
