//! Reference geography in the database: counties and municipalities (copied from the data in
//! `data/geography/` on every start), and local police areas (lokalpolisområden), an editable
//! grouping of municipalities.

use brygga_domain::geography::{self as geo, MunicipalityCode};
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Action, Viewer, args, kernel::access, now_ms, sort_key};

/// Copies the counties and municipalities compiled into this binary into the database, unless
/// the database already holds exactly this version (checked by a digest in `settings`, so a
/// normal start costs one query).
pub(crate) fn sync_reference(db: &mut dyn Conn) -> StoreResult<()> {
    let digest = reference_digest();
    let stored: Option<String> = db.scalar_opt("SELECT value FROM settings WHERE key = 'geography_digest'", &[])?;
    if stored.is_some_and(|d| d == digest) {
        return Ok(());
    }
    for c in geo::counties() {
        db.execute(
            "INSERT INTO counties (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = excluded.name",
            args![c.code, c.name],
        )?;
    }
    for m in geo::municipalities() {
        db.execute(
            "INSERT INTO municipalities (code, name, county_code) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, county_code = excluded.county_code",
            args![m.code, m.name, m.county_code],
        )?;
    }
    db.execute(
        "INSERT INTO settings (key, value) VALUES ('geography_digest', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args![digest],
    )?;
    Ok(())
}

fn reference_digest() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for c in geo::counties() {
        h.update(format!("{}|{};", c.code, c.name));
    }
    for m in geo::municipalities() {
        h.update(format!("{}|{}|{};", m.code, m.name, m.county_code));
    }
    hex::encode(h.finalize())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoliceArea {
    pub id: i64,
    pub name: String,
    /// Polisregion, e.g. "Syd".
    pub region: String,
    pub municipality_codes: Vec<String>,
}

impl FromRow for PoliceArea {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let codes: Option<String> = r.get("municipality_codes")?;
        let mut municipality_codes: Vec<String> = codes.map(|c| c.split(',').map(str::to_owned).collect()).unwrap_or_default();
        municipality_codes.sort();
        Ok(Self { id: r.get("id")?, name: r.get("name")?, region: r.get("region")?, municipality_codes })
    }
}

fn select(db: &dyn Conn) -> String {
    format!(
        "SELECT p.id, p.name, p.region, (SELECT {} FROM police_area_municipalities pm WHERE pm.police_area_id = p.id) AS municipality_codes
         FROM police_areas p",
        db.dialect().string_agg("pm.municipality_code")
    )
}

pub fn list_police_areas(db: &mut dyn Conn) -> StoreResult<Vec<PoliceArea>> {
    Ok(db.all(&format!("{} ORDER BY p.name_key", select(db)), &[])?)
}

pub fn get_police_area(db: &mut dyn Conn, id: i64) -> StoreResult<PoliceArea> {
    db.opt(&format!("{} WHERE p.id = $1", select(db)), args![id])?.ok_or(StoreError::not_found("police_area"))
}

pub const NAME: TextRule = TextRule::line("name", "Namnet", 120);
pub const REGION: TextRule = TextRule::line("region", "Polisregionen", 60);

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PoliceAreaInput {
    pub name: String,
    pub region: String,
    pub municipality_codes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ValidPoliceArea {
    name: String,
    region: String,
    municipalities: Vec<MunicipalityCode>,
}

impl PoliceAreaInput {
    pub fn validate(&self) -> Result<ValidPoliceArea, FieldErrors> {
        let mut errs = FieldErrors::new();
        let name = errs.take(NAME.require(&self.name));
        let region = errs.take(REGION.require(&self.region));
        let mut municipalities = Vec::new();
        for c in &self.municipality_codes {
            match MunicipalityCode::parse(c) {
                Ok(m) if !municipalities.contains(&m) => municipalities.push(m),
                Ok(_) => {}
                Err(e) => errs.push(FieldError::new("municipality_codes", "municipality.unknown", e.to_string())),
            }
        }
        if municipalities.is_empty() && errs.is_empty() {
            errs.push(FieldError::new("municipality_codes", "required", "Välj minst en kommun som ingår i lokalpolisområdet."));
        }
        errs.into_result()?;
        Ok(ValidPoliceArea { name: name.expect("checked"), region: region.expect("checked"), municipalities })
    }
}

/// Creates or (same name) replaces a local police area.
pub fn upsert_police_area(db: &mut dyn Conn, v: &Viewer, p: &ValidPoliceArea) -> StoreResult<PoliceArea> {
    access::require(v, Action::ManageGeography)?;
    let now = now_ms();
    let existing: Option<i64> = db.scalar_opt("SELECT id FROM police_areas WHERE name_key = $1", args![sort_key(&p.name)])?;
    let (id, action) = match existing {
        Some(id) => {
            db.execute(
                "UPDATE police_areas SET name = $1, region = $2, updated_at = $3 WHERE id = $4",
                args![p.name.as_str(), p.region.as_str(), now, id],
            )?;
            (id, "police_area.update")
        }
        None => (
            db.scalar(
                "INSERT INTO police_areas (name, name_key, region, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
                args![p.name.as_str(), sort_key(&p.name), p.region.as_str(), now],
            )?,
            "police_area.create",
        ),
    };
    db.execute("DELETE FROM police_area_municipalities WHERE police_area_id = $1", args![id])?;
    for m in &p.municipalities {
        db.execute("INSERT INTO police_area_municipalities (police_area_id, municipality_code) VALUES ($1, $2)", args![id, m.as_str()])?;
    }
    audit::record(db, v, Event::new(action).record("police_area", id))?;
    get_police_area(db, id)
}

pub fn delete_police_area(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    access::require(v, Action::ManageGeography)?;
    if db.execute("DELETE FROM police_areas WHERE id = $1", args![id])? == 0 {
        return Err(StoreError::not_found("police_area"));
    }
    audit::record(db, v, Event::new("police_area.delete").record("police_area", id))
}

/// Reads `police_area,police_region,municipality_code` rows (header required, `,` or `;`),
/// one row per member municipality. Every bad row is reported with its line number.
pub fn parse_police_area_csv(text: &str) -> Result<Vec<PoliceAreaInput>, FieldErrors> {
    let text = text.trim_start_matches('\u{feff}');
    let delimiter = if text.lines().next().is_some_and(|h| h.contains(';')) { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut errs = FieldErrors::new();
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.to_lowercase()).collect(),
        Err(e) => {
            return Err(FieldError::new("file", "csv.invalid", format!("Filen kunde inte läsas som CSV: {e}")).into());
        }
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(ci), Some(cr), Some(cm)) = (col("police_area"), col("police_region"), col("municipality_code")) else {
        return Err(FieldError::new(
            "file",
            "csv.headers",
            "Första raden ska vara rubrikerna police_area,police_region,municipality_code.",
        )
        .into());
    };
    let mut areas: Vec<PoliceAreaInput> = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errs.push(FieldError::new("file", "csv.row", format!("Rad {line}: {e}")));
                continue;
            }
        };
        let (name, region, code) = (rec.get(ci).unwrap_or(""), rec.get(cr).unwrap_or(""), rec.get(cm).unwrap_or(""));
        if let Err(e) = MunicipalityCode::parse(code) {
            errs.push(FieldError::new("file", "csv.row", format!("Rad {line}, kolumn municipality_code: {e}")));
            continue;
        }
        match areas.iter_mut().find(|a| a.name == name) {
            Some(a) => a.municipality_codes.push(code.to_owned()),
            None => {
                areas.push(PoliceAreaInput { name: name.to_owned(), region: region.to_owned(), municipality_codes: vec![code.to_owned()] })
            }
        }
    }
    if areas.is_empty() && errs.is_empty() {
        errs.push(FieldError::new("file", "csv.empty", "Filen innehåller inga rader efter rubrikraden."));
    }
    errs.into_result()?;
    Ok(areas)
}

/// The counties in Swedish order of their names (å, ä, ö after z): (code, name).
pub fn counties(db: &mut dyn Conn) -> StoreResult<Vec<(String, String)>> {
    let mut all: Vec<(String, String)> = db.map_all("SELECT code, name FROM counties", &[], |r| Ok((r.get("code")?, r.get("name")?)))?;
    all.sort_by_cached_key(|(_, name)| sort_key(name));
    Ok(all)
}

/// The municipalities of `county` (every municipality with `None`) in Swedish order of their
/// names: (code, name).
pub fn municipalities(db: &mut dyn Conn, county: Option<&str>) -> StoreResult<Vec<(String, String)>> {
    let mut all: Vec<(String, String)> =
        db.map_all("SELECT code, name FROM municipalities WHERE $1 = '' OR county_code = $1", args![county.unwrap_or("")], |r| {
            Ok((r.get("code")?, r.get("name")?))
        })?;
    all.sort_by_cached_key(|(_, name)| sort_key(name));
    Ok(all)
}

/// Municipalities for pickers: code and name, sorted by name.
pub fn municipalities_by_county() -> Vec<(&'static geo::County, Vec<&'static geo::Municipality>)> {
    geo::counties()
        .iter()
        .map(|c| {
            let mut ms: Vec<_> = geo::municipalities_in_county(c.code).collect();
            ms.sort_by_key(|m| sort_key(m.name));
            (c, ms)
        })
        .collect()
}
