//! Areas (platser): a municipality's own places — districts, parks, squares, school yards —
//! as points or polygons, with a hierarchy (a square inside a district). Places are shared
//! reference data: every signed-in user may read them; coordinators of organisations working
//! in the municipality edit them. Geometry is validated by `brygga_domain::geometry` first.

use brygga_domain::geography::MunicipalityCode;
use brygga_domain::geometry::{Bbox, PlaceGeometry};
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, Event};
use crate::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::error::{StoreError, StoreResult};
use crate::{Action, Viewer, access, args, now_ms, sort_key};

pub const NAME: TextRule = TextRule::line("name", "Namnet", 120);

/// What kind of place an area is.
pub const KINDS: &[(&str, &str)] = &[
    ("district", "Stadsdel/område"),
    ("square", "Torg"),
    ("park", "Park"),
    ("school_yard", "Skolgård"),
    ("library", "Bibliotek"),
    ("centre", "Centrum/köpcentrum"),
    ("station", "Station/hållplats"),
    ("street", "Gata/stråk"),
    ("residential", "Bostadsområde"),
    ("other", "Annan plats"),
];

pub fn kind_label(code: &str) -> &'static str {
    KINDS.iter().find(|(c, _)| *c == code).map_or("Annan plats", |(_, l)| l)
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Area {
    pub id: i64,
    pub municipality_code: String,
    pub parent_id: Option<i64>,
    pub name: String,
    /// One of [`KINDS`].
    pub kind: String,
    /// GeoJSON geometry (WGS84).
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
    #[schema(value_type = Object)]
    pub bbox: Bbox,
    /// `[lon, lat]`.
    pub centroid: [f64; 2],
    pub owner_org_id: i64,
    pub version: i64,
}

impl FromRow for Area {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let geometry: String = r.get(5)?;
        Ok(Self {
            id: r.get(0)?,
            municipality_code: r.get(1)?,
            parent_id: r.get(2)?,
            name: r.get(3)?,
            kind: r.get(4)?,
            geometry: serde_json::from_str(&geometry).map_err(|e| DbError::Decode(format!("area geometry: {e}")))?,
            bbox: Bbox { min_lon: r.get(6)?, min_lat: r.get(7)?, max_lon: r.get(8)?, max_lat: r.get(9)? },
            centroid: [r.get(10)?, r.get(11)?],
            owner_org_id: r.get(12)?,
            version: r.get(13)?,
        })
    }
}

const SELECT: &str = "SELECT id, municipality_code, parent_id, name, kind, geometry, min_lon, min_lat, max_lon, max_lat, centroid_lon, centroid_lat, owner_org_id, version FROM areas";

fn require_reader(v: &Viewer) -> StoreResult<()> {
    if v.is_signed_in() || v.is_system_admin() { Ok(()) } else { Err(StoreError::Forbidden) }
}

pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Area> {
    require_reader(v)?;
    db.opt(&format!("{SELECT} WHERE id = $1"), args![id])?.ok_or(StoreError::not_found("area"))
}

/// The municipality's areas, parents before children, by name.
pub fn list(db: &mut dyn Conn, v: &Viewer, municipality: &str) -> StoreResult<Vec<Area>> {
    require_reader(v)?;
    let all: Vec<Area> = db.all(&format!("{SELECT} WHERE municipality_code = $1 ORDER BY name_key, id"), args![municipality])?;
    Ok(tree_order(all))
}

/// Orders areas so each parent comes before its children (depth-first, by name).
fn tree_order(all: Vec<Area>) -> Vec<Area> {
    fn visit(parent: Option<i64>, all: &[Area], out: &mut Vec<Area>, depth: usize) {
        if depth > 32 {
            return;
        }
        for a in all.iter().filter(|a| a.parent_id == parent) {
            out.push(a.clone());
            visit(Some(a.id), all, out, depth + 1);
        }
    }
    let ids: Vec<i64> = all.iter().map(|a| a.id).collect();
    let mut out = Vec::with_capacity(all.len());
    // Roots: no parent, or a parent outside this list.
    for a in all.iter().filter(|a| a.parent_id.is_none_or(|p| !ids.contains(&p))) {
        out.push(a.clone());
        visit(Some(a.id), &all, &mut out, 1);
    }
    out
}

/// An area as sent by a form, the API or a GeoJSON feature (geometry already validated).
#[derive(Debug, Clone)]
pub struct NewArea {
    pub municipality: MunicipalityCode,
    pub parent_id: Option<i64>,
    pub name: String,
    pub kind: String,
    pub geometry: PlaceGeometry,
    pub owner_org_id: i64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct AreaFields {
    pub name: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub parent_id: Option<i64>,
}

impl AreaFields {
    /// Checks name and kind; the geometry is checked separately.
    pub fn validate(&self) -> Result<(String, String), FieldErrors> {
        let mut errs = FieldErrors::new();
        let name = errs.take(NAME.require(&self.name));
        let kind = self.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()).unwrap_or("other").to_owned();
        if !KINDS.iter().any(|(c, _)| *c == kind) {
            let valid: Vec<String> = KINDS.iter().map(|(c, l)| format!("{c} ({l})")).collect();
            errs.push(FieldError::new("kind", "kind.unknown", format!("Okänd typ av plats ”{kind}”. Välj en av: {}.", valid.join(", "))));
        }
        errs.into_result()?;
        Ok((name.expect("checked"), kind))
    }
}

fn check(db: &mut dyn Conn, a: &NewArea, except: Option<i64>) -> StoreResult<()> {
    let mut errs = FieldErrors::new();
    let taken: Option<(i64,)> = db.opt(
        "SELECT id FROM areas WHERE municipality_code = $1 AND name_key = $2 AND id <> $3",
        args![a.municipality.as_str(), sort_key(&a.name), except.unwrap_or(-1)],
    )?;
    if taken.is_some() {
        errs.push(FieldError::new(
            "name",
            "name.taken",
            format!("Kommunen har redan en plats som heter ”{}”. Välj ett annat namn eller redigera den befintliga.", a.name),
        ));
    }
    if let Some(parent) = a.parent_id {
        let p: Option<(String, Option<i64>)> = db.opt("SELECT municipality_code, parent_id FROM areas WHERE id = $1", args![parent])?;
        match p {
            None => errs.push(FieldError::new("parent_id", "area.unknown", "Den överordnade platsen finns inte.")),
            Some((m, _)) if m != a.municipality.as_str() => {
                errs.push(FieldError::new("parent_id", "area.other_municipality", "Den överordnade platsen ligger i en annan kommun."))
            }
            Some(_) => {
                // No cycles: walking up from the parent must never reach this area.
                if let Some(me) = except {
                    let mut cursor = Some(parent);
                    let mut steps = 0;
                    while let Some(id) = cursor {
                        if id == me || steps > 64 {
                            errs.push(FieldError::new(
                                "parent_id",
                                "area.cycle",
                                "En plats kan inte ligga inuti sig själv eller inuti en av sina egna delplatser.",
                            ));
                            break;
                        }
                        cursor = db.opt::<(Option<i64>,)>("SELECT parent_id FROM areas WHERE id = $1", args![id])?.and_then(|r| r.0);
                        steps += 1;
                    }
                }
            }
        }
    }
    errs.into_result().map_err(StoreError::Invalid)
}

pub fn create(db: &mut dyn Conn, v: &Viewer, a: &NewArea) -> StoreResult<Area> {
    access::require(v, Action::ManageAreas { municipality: a.municipality })?;
    check(db, a, None)?;
    let g = &a.geometry;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO areas (municipality_code, parent_id, name, name_key, kind, geometry, min_lon, min_lat, max_lon, max_lat, centroid_lon, centroid_lat, owner_org_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14) RETURNING id",
        args![
            a.municipality.as_str(),
            a.parent_id,
            a.name.as_str(),
            sort_key(&a.name),
            a.kind.as_str(),
            g.geojson.as_str(),
            g.bbox.min_lon,
            g.bbox.min_lat,
            g.bbox.max_lon,
            g.bbox.max_lat,
            g.centroid[0],
            g.centroid[1],
            a.owner_org_id,
            now
        ],
    )?;
    audit::record(db, v, Event::new("area.create").record("area", id))?;
    get(db, v, id)
}

pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, a: &NewArea) -> StoreResult<Area> {
    let before = get(db, v, id)?;
    let municipality = MunicipalityCode::parse(&before.municipality_code).map_err(|e| StoreError::Internal(e.to_string()))?;
    access::require(v, Action::ManageAreas { municipality })?;
    if a.municipality != municipality {
        return Err(StoreError::invalid(FieldError::new(
            "municipality",
            "area.move",
            "En plats kan inte flyttas till en annan kommun. Skapa en ny plats där i stället.",
        )));
    }
    if before.version != version {
        return Err(StoreError::Stale);
    }
    check(db, a, Some(id))?;
    let g = &a.geometry;
    db.execute(
        "UPDATE areas SET parent_id = $1, name = $2, name_key = $3, kind = $4, geometry = $5, min_lon = $6, min_lat = $7, max_lon = $8, max_lat = $9,
                centroid_lon = $10, centroid_lat = $11, version = version + 1, updated_at = $12 WHERE id = $13",
        args![
            a.parent_id,
            a.name.as_str(),
            sort_key(&a.name),
            a.kind.as_str(),
            g.geojson.as_str(),
            g.bbox.min_lon,
            g.bbox.min_lat,
            g.bbox.max_lon,
            g.bbox.max_lat,
            g.centroid[0],
            g.centroid[1],
            now_ms(),
            id
        ],
    )?;
    audit::record(db, v, Event::new("area.update").record("area", id))?;
    get(db, v, id)
}

/// Deletes an area; its sub-areas move up to its parent, observations keep their municipality.
pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let before = get(db, v, id)?;
    let municipality = MunicipalityCode::parse(&before.municipality_code).map_err(|e| StoreError::Internal(e.to_string()))?;
    access::require(v, Action::ManageAreas { municipality })?;
    db.execute("UPDATE areas SET parent_id = $1 WHERE parent_id = $2", args![before.parent_id, id])?;
    db.execute("DELETE FROM areas WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("area.delete").record("area", id))
}
