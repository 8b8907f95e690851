//! The right counterpart for every place (issue 15, item 4): for a municipality, the divisions
//! it belongs to — county, local police area and police region (the reference geography), health
//! region, the Prison and Probation Service's region and probation office (`municipality_counterparts`)
//! — and who works there: the organisations with an approved claim, and the contact persons the
//! viewer may read who cover the municipality, its county or the country.
//!
//! Who: anyone reads the divisions (they are public facts) and the municipality's page; names of
//! organisations follow `accounts::orgs` (signed-in users see every name, others only public
//! profiles) and contact persons follow the sharing rule. A system administrator, or a county
//! board's coordinators for the municipalities it works in, edit the divisions and import them.

use brygga_domain::geography::{self as geo, MunicipalityCode};
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use crate::accounts::contacts::{self, ContactPerson};
use crate::accounts::orgs;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Action, Viewer, args, kernel::access, now_ms, sort_key};

/// The shipped rows (Skåne, the demo county): see `data/geography/README.md`.
const SHIPPED: &str = include_str!("../../../../data/geography/counterparts.csv");

pub const HEALTH_REGION: TextRule = TextRule::line("health_region", "Sjukvårdsregionen", 80).optional();
pub const PROBATION_REGION: TextRule = TextRule::line("probation_region", "Kriminalvårdens region", 80).optional();
pub const PROBATION_OFFICE: TextRule = TextRule::line("probation_office", "Frivårdskontoret", 80).optional();

/// Copies the shipped rows where a municipality has none (an edited or imported row stays).
pub(crate) fn sync_reference(db: &mut dyn Conn) -> StoreResult<()> {
    let rows = parse_csv(SHIPPED).map_err(|e| StoreError::Internal(format!("shipped counterparts: {e:?}")))?;
    let now = now_ms();
    for r in rows {
        db.execute(
            "INSERT INTO municipality_counterparts (municipality_code, health_region, probation_region, probation_office, edited, version, updated_at)
             VALUES ($1, $2, $3, $4, FALSE, 1, $5) ON CONFLICT (municipality_code) DO NOTHING",
            args![r.municipality.as_str(), r.health_region.as_deref(), r.probation_region.as_deref(), r.probation_office.as_deref(), now],
        )?;
    }
    Ok(())
}

/// An organisation working in the municipality, as the viewer may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkingOrg {
    pub id: i64,
    pub name: String,
    /// The organisation kind's code (`municipality`, `police`, …).
    pub kind: String,
}

/// Everything Brygga knows about whom a municipality works with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counterparts {
    pub municipality_code: String,
    pub municipality_name: String,
    pub county_code: String,
    pub county_name: String,
    /// Lokalpolisområde, from the reference geography (`None` where none is registered).
    pub police_area: Option<String>,
    pub police_region: Option<String>,
    pub health_region: Option<String>,
    pub probation_region: Option<String>,
    pub probation_office: Option<String>,
    /// Changed in Brygga since it was shipped (or imported).
    pub edited: bool,
    /// Send it back when updating; 0 when the municipality has no row yet.
    pub version: i64,
    /// Organisations with an approved claim to work there, in Swedish name order.
    pub organisations: Vec<WorkingOrg>,
    /// Contact persons the viewer may read covering the municipality (kommun), its county
    /// (län) or the country (nationell), in Swedish name order.
    pub contacts: Vec<ContactPerson>,
    /// Whether the municipality has published its "vart vänder jag mig" guide.
    pub guide_published: bool,
}

/// A stored row of `municipality_counterparts`.
struct Divisions {
    health_region: Option<String>,
    probation_region: Option<String>,
    probation_office: Option<String>,
    edited: bool,
    version: i64,
}

impl FromRow for Divisions {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            health_region: r.get("health_region")?,
            probation_region: r.get("probation_region")?,
            probation_office: r.get("probation_office")?,
            edited: r.get("edited")?,
            version: r.get("version")?,
        })
    }
}

fn divisions(db: &mut dyn Conn, code: &str) -> StoreResult<Option<Divisions>> {
    Ok(db.opt(
        "SELECT health_region, probation_region, probation_office, edited, version FROM municipality_counterparts WHERE municipality_code = $1",
        args![code],
    )?)
}

/// The counterparts of `municipality` as `v` may see them.
pub fn get(db: &mut dyn Conn, v: &Viewer, municipality: &MunicipalityCode) -> StoreResult<Counterparts> {
    let m = municipality.municipality();
    let row = divisions(db, m.code)?;
    let police: Option<(String, String)> = db
        .map_all(
            "SELECT p.name, p.region FROM police_areas p JOIN police_area_municipalities pm ON pm.police_area_id = p.id
             WHERE pm.municipality_code = $1 ORDER BY p.id",
            args![m.code],
            |r| Ok((r.get("name")?, r.get("region")?)),
        )?
        .into_iter()
        .next();
    let organisations =
        orgs::list(db, v, &orgs::Filter { municipality: Some(m.code.to_owned()), limit: Some(orgs::MAX_LIMIT), ..Default::default() })?
            .items
            .into_iter()
            .map(|o| WorkingOrg { id: o.id, name: o.name, kind: o.kind.code().to_owned() })
            .collect();
    let contacts = contacts::list_covering(db, v, municipality)?;
    let guide_published: Option<bool> =
        db.scalar_opt("SELECT published FROM concern_guides WHERE municipality_code = $1", args![m.code])?;
    let (police_area, police_region) = police.map_or((None, None), |(n, r)| (Some(n), Some(r)));
    let d = row.unwrap_or(Divisions { health_region: None, probation_region: None, probation_office: None, edited: false, version: 0 });
    Ok(Counterparts {
        municipality_code: m.code.to_owned(),
        municipality_name: m.name.to_owned(),
        county_code: m.county_code.to_owned(),
        county_name: m.county().name.to_owned(),
        police_area,
        police_region,
        health_region: d.health_region,
        probation_region: d.probation_region,
        probation_office: d.probation_office,
        edited: d.edited,
        version: d.version,
        organisations,
        contacts,
        guide_published: guide_published.unwrap_or(false),
    })
}

/// The divisions of one municipality, as a form or API call gives them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CounterpartsInput {
    #[serde(default)]
    pub health_region: Option<String>,
    #[serde(default)]
    pub probation_region: Option<String>,
    #[serde(default)]
    pub probation_office: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidCounterparts {
    pub municipality: MunicipalityCode,
    pub health_region: Option<String>,
    pub probation_region: Option<String>,
    pub probation_office: Option<String>,
}

impl CounterpartsInput {
    pub fn validate(&self, municipality: MunicipalityCode) -> Result<ValidCounterparts, FieldErrors> {
        let mut errs = FieldErrors::new();
        let health_region = errs.take(HEALTH_REGION.parse(self.health_region.as_deref().unwrap_or("")));
        let probation_region = errs.take(PROBATION_REGION.parse(self.probation_region.as_deref().unwrap_or("")));
        let probation_office = errs.take(PROBATION_OFFICE.parse(self.probation_office.as_deref().unwrap_or("")));
        errs.into_result()?;
        Ok(ValidCounterparts {
            municipality,
            health_region: health_region.expect("checked"),
            probation_region: probation_region.expect("checked"),
            probation_office: probation_office.expect("checked"),
        })
    }
}

fn write(db: &mut dyn Conn, c: &ValidCounterparts, now: i64) -> StoreResult<()> {
    db.execute(
        "INSERT INTO municipality_counterparts (municipality_code, health_region, probation_region, probation_office, edited, version, updated_at)
         VALUES ($1, $2, $3, $4, TRUE, 1, $5)
         ON CONFLICT (municipality_code) DO UPDATE SET health_region = excluded.health_region, probation_region = excluded.probation_region,
             probation_office = excluded.probation_office, edited = TRUE, version = municipality_counterparts.version + 1,
             updated_at = excluded.updated_at",
        args![c.municipality.as_str(), c.health_region.as_deref(), c.probation_region.as_deref(), c.probation_office.as_deref(), now],
    )?;
    Ok(())
}

/// Changes one municipality's divisions. `version` is the one read (0 when it had no row).
pub fn update(db: &mut dyn Conn, v: &Viewer, version: i64, c: &ValidCounterparts) -> StoreResult<Counterparts> {
    access::require(v, Action::EditCounterparts { municipality: c.municipality })?;
    let current: Option<i64> =
        db.scalar_opt("SELECT version FROM municipality_counterparts WHERE municipality_code = $1", args![c.municipality.as_str()])?;
    if current.unwrap_or(0) != version {
        return Err(StoreError::Stale);
    }
    write(db, c, now_ms())?;
    audit::record(db, v, Event::new("counterparts.update").fields(&["health_region", "probation_region", "probation_office"]))?;
    get(db, v, &c.municipality)
}

/// Reads `municipality_code,health_region,probation_region,probation_office` (header required,
/// `,` or `;`; a municipality once). Every bad row is reported with its line number.
pub fn parse_csv(text: &str) -> Result<Vec<ValidCounterparts>, FieldErrors> {
    let text = text.trim_start_matches('\u{feff}');
    let delimiter = if text.lines().next().is_some_and(|h| h.contains(';')) { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.to_lowercase()).collect(),
        Err(e) => return Err(FieldError::new("file", "csv.invalid", format!("Filen kunde inte läsas som CSV: {e}")).into()),
    };
    const COLUMNS: [&str; 4] = ["municipality_code", "health_region", "probation_region", "probation_office"];
    if let Some(unknown) = headers.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(FieldError::new(
            "file",
            "csv.headers",
            format!("Okänd kolumn ”{unknown}”. Första raden ska vara rubrikerna {}.", COLUMNS.join(",")),
        )
        .into());
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let Some(cm) = col("municipality_code") else {
        return Err(FieldError::new(
            "file",
            "csv.headers",
            format!("Kolumnen municipality_code saknas. Första raden ska vara rubrikerna {}.", COLUMNS.join(",")),
        )
        .into());
    };
    let mut errs = FieldErrors::new();
    let mut out: Vec<ValidCounterparts> = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errs.push(FieldError::new("file", "csv.row", format!("Rad {line}: {e}")));
                continue;
            }
        };
        let field = |name: &str| col(name).and_then(|c| rec.get(c)).unwrap_or("").to_owned();
        let municipality = match MunicipalityCode::parse(rec.get(cm).unwrap_or("")) {
            Ok(m) => m,
            Err(e) => {
                errs.push(FieldError::new("file", "csv.row", format!("Rad {line}, kolumn municipality_code: {e}")));
                continue;
            }
        };
        if out.iter().any(|o| o.municipality == municipality) {
            errs.push(FieldError::new(
                "file",
                "csv.row",
                format!("Rad {line}: {} finns redan på en tidigare rad.", municipality.municipality().name),
            ));
            continue;
        }
        let input = CounterpartsInput {
            health_region: Some(field("health_region")),
            probation_region: Some(field("probation_region")),
            probation_office: Some(field("probation_office")),
        };
        match input.validate(municipality) {
            Ok(v) => out.push(v),
            Err(e) => {
                for f in e.0 {
                    errs.push(FieldError::new("file", "csv.row", format!("Rad {line}, kolumn {}: {}", f.field, f.message)));
                }
            }
        }
    }
    if out.is_empty() && errs.is_empty() {
        errs.push(FieldError::new("file", "csv.empty", "Filen innehåller inga rader efter rubrikraden."));
    }
    errs.into_result()?;
    Ok(out)
}

/// Writes every row of an import, or none: each municipality must be one the viewer may edit.
pub fn import(db: &mut dyn Conn, v: &Viewer, rows: &[ValidCounterparts]) -> StoreResult<usize> {
    let mut errs = FieldErrors::new();
    for r in rows {
        if !access::allowed(v, Action::EditCounterparts { municipality: r.municipality }) {
            errs.push(FieldError::new(
                "file",
                "counterparts.not_allowed",
                format!(
                    "Du får inte ändra uppgifterna för {}. Ta bort raden eller be en systemadministratör.",
                    r.municipality.municipality().name
                ),
            ));
        }
    }
    if !errs.is_empty() {
        return Err(errs.into());
    }
    let now = now_ms();
    for r in rows {
        write(db, r, now)?;
    }
    audit::record(db, v, Event::new("counterparts.import"))?;
    Ok(rows.len())
}

/// One municipality's divisions, as the county overview and its CSV list them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DivisionRow {
    pub municipality_code: String,
    pub municipality_name: String,
    pub health_region: Option<String>,
    pub probation_region: Option<String>,
    pub probation_office: Option<String>,
}

/// One row per municipality of `county` with its divisions (no contacts), in Swedish name order.
pub fn list_county(db: &mut dyn Conn, county: &str) -> StoreResult<Vec<DivisionRow>> {
    if geo::county(county).is_none() {
        return Err(StoreError::not_found("county"));
    }
    let mut all: Vec<DivisionRow> = Vec::new();
    for m in geo::municipalities().iter().filter(|m| m.county_code == county) {
        let d = divisions(db, m.code)?;
        all.push(DivisionRow {
            municipality_code: m.code.to_owned(),
            municipality_name: m.name.to_owned(),
            health_region: d.as_ref().and_then(|d| d.health_region.clone()),
            probation_region: d.as_ref().and_then(|d| d.probation_region.clone()),
            probation_office: d.as_ref().and_then(|d| d.probation_office.clone()),
        });
    }
    all.sort_by_cached_key(|c| sort_key(&c.municipality_name));
    Ok(all)
}
