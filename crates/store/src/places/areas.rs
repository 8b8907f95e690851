//! Areas (platser): a municipality's own places — districts, parks, squares, school yards —
//! as points or polygons, with a hierarchy (a square inside a district). Places are shared
//! reference data: every signed-in user may read them. Coordinators of an organisation with an
//! approved claim in the municipality create them; a place belongs to the organisation that
//! manages it (`owner_org_id`), and only that organisation's coordinators change it
//! (`Action::EditArea`). A place that records
//! refer to is archived, never deleted from under them. Every change is audit-logged naming
//! the owner and the municipality's organisations (kind Municipality, approved claim). Geometry is validated by
//! `brygga_domain::geometry` first.

use std::collections::{HashMap, HashSet};

use crate::places::analysis::{self, AnalysisPlace};
use brygga_domain::geography::MunicipalityCode;
use brygga_domain::geometry::{Bbox, Fault, PlaceGeometry, Shape};
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Action, Viewer, args, kernel::access, now_ms, sort_key};

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

/// The kind code for a code or a Swedish label, any case ("park", "Park", "Torg", "school_yard").
pub fn kind_code(text: &str) -> Option<&'static str> {
    let t = text.trim().to_lowercase();
    KINDS.iter().find(|(c, l)| *c == t || l.to_lowercase() == t || l.to_lowercase().split('/').any(|part| part == t)).map(|(c, _)| *c)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Area {
    pub id: i64,
    pub municipality_code: String,
    pub parent_id: Option<i64>,
    pub name: String,
    /// One of [`KINDS`].
    pub kind: String,
    /// GeoJSON geometry (WGS84).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub geometry: serde_json::Value,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub bbox: Bbox,
    /// `[lon, lat]`.
    pub centroid: [f64; 2],
    pub owner_org_id: i64,
    pub version: i64,
    /// Set when the place was archived: still drawn in old pictures, not offered for new records.
    pub archived_at_ms: Option<i64>,
}

/// The SELECT that [`Area::from_row`] decodes, by the names given here.
const SELECT: &str = "SELECT id, municipality_code, parent_id, name, kind, geometry, min_lon, min_lat, max_lon, max_lat, centroid_lon, centroid_lat, owner_org_id, version, archived_at FROM areas";

impl FromRow for Area {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let geometry: String = r.get("geometry")?;
        Ok(Self {
            id: r.get("id")?,
            municipality_code: r.get("municipality_code")?,
            parent_id: r.get("parent_id")?,
            name: r.get("name")?,
            kind: r.get("kind")?,
            geometry: serde_json::from_str(&geometry).map_err(|e| DbError::Decode(format!("area geometry: {e}")))?,
            bbox: Bbox { min_lon: r.get("min_lon")?, min_lat: r.get("min_lat")?, max_lon: r.get("max_lon")?, max_lat: r.get("max_lat")? },
            centroid: [r.get("centroid_lon")?, r.get("centroid_lat")?],
            owner_org_id: r.get("owner_org_id")?,
            version: r.get("version")?,
            archived_at_ms: r.get("archived_at")?,
        })
    }
}

impl Area {
    /// The geometry as a shape (WGS84).
    pub fn shape(&self) -> Result<Shape, Fault> {
        Shape::from_stored(&self.geometry)
    }

    /// The place in SWEREF 99 TM metres for the analysis engine: polygons as
    /// `brygga_analys::Area`, points as points.
    pub fn analysis_place(&self) -> Result<AnalysisPlace, Fault> {
        analysis::from_geojson(&self.geometry)
    }

    /// Whether the place is offered for new reports, alerts and actions.
    pub fn is_active(&self) -> bool {
        self.archived_at_ms.is_none()
    }

    /// The field error for choosing an archived place for a new report, alert or action.
    pub fn archived_error(&self) -> FieldError {
        FieldError::new(
            "area_id",
            "area.archived",
            format!("Platsen ”{}” är arkiverad och tar inte emot nya uppgifter. Välj en annan plats.", self.name),
        )
    }

    /// The label of [`Area::kind`].
    pub fn kind_label(&self) -> &'static str {
        kind_label(&self.kind)
    }
}

fn require_reader(v: &Viewer) -> StoreResult<()> {
    // A share link's report draws the municipality's places too.
    if v.is_signed_in() || v.is_system_admin() || v.share_link_id().is_some() { Ok(()) } else { Err(StoreError::Forbidden) }
}

pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Area> {
    require_reader(v)?;
    db.opt(&format!("{SELECT} WHERE id = $1"), args![id])?.ok_or(StoreError::not_found("area"))
}

/// The municipality's areas (archived ones included, for old pictures), parents before
/// children, by name. Forms offer only [`Area::is_active`] ones.
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

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    let taken: Option<i64> = db.scalar_opt(
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
        let p: Option<String> = db.scalar_opt("SELECT municipality_code FROM areas WHERE id = $1", args![parent])?;
        match p {
            None => errs.push(FieldError::new("parent_id", "area.unknown", "Den överordnade platsen finns inte.")),
            Some(m) if m != a.municipality.as_str() => {
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
                        cursor = db.scalar_opt::<Option<i64>>("SELECT parent_id FROM areas WHERE id = $1", args![id])?.flatten();
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
    crate::kernel::index::touch(db, "place", id)?;
    let orgs = concerned(db, a.owner_org_id, a.municipality.as_str())?;
    audit::record(db, v, Event::new("area.create").record("area", id).orgs(&orgs))?;
    get(db, v, id)
}

/// The organisations a change to a place concerns: its owner and the municipality's own
/// organisations (kind Municipality, approved claim). Both read the entry in their audit log.
fn concerned(db: &mut dyn Conn, owner: i64, municipality: &str) -> StoreResult<Vec<i64>> {
    let mut orgs = vec![owner];
    orgs.extend(crate::accounts::orgs::stewards(db, municipality)?);
    Ok(orgs)
}

pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, a: &NewArea) -> StoreResult<Area> {
    let before = get(db, v, id)?;
    let municipality = MunicipalityCode::parse(&before.municipality_code).map_err(|e| StoreError::Internal(e.to_string()))?;
    access::require(v, Action::EditArea { municipality, owner: before.owner_org_id })?;
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
    crate::kernel::index::touch(db, "place", id)?;
    let orgs = concerned(db, before.owner_org_id, &before.municipality_code)?;
    audit::record(db, v, Event::new("area.update").record("area", id).orgs(&orgs))?;
    get(db, v, id)
}

/// What happened to a place asked to be deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    /// Nothing referred to it: it is gone (its sub-places moved up to its parent).
    Deleted,
    /// Records refer to it: it is archived and keeps them (see [`references`]).
    Archived,
}

/// How many records refer to the place: reports, survey rows, meeting items, actions, alerts.
pub fn references(db: &mut dyn Conn, id: i64) -> StoreResult<i64> {
    Ok(db.scalar(
        "SELECT (SELECT COUNT(*) FROM observations WHERE area_id = $1) + (SELECT COUNT(*) FROM safety_surveys WHERE area_id = $1)
              + (SELECT COUNT(*) FROM meeting_items WHERE area_id = $1) + (SELECT COUNT(*) FROM actions WHERE area_id = $1)
              + (SELECT COUNT(*) FROM alerts WHERE area_id = $1)",
        args![id],
    )?)
}

/// Removes a place. A place that records refer to is never deleted from under them: it is
/// archived (kept in old pictures, no longer offered for new records). Otherwise it is deleted
/// and its sub-places move up to its parent.
pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Removed> {
    let before = get(db, v, id)?;
    let municipality = MunicipalityCode::parse(&before.municipality_code).map_err(|e| StoreError::Internal(e.to_string()))?;
    access::require(v, Action::EditArea { municipality, owner: before.owner_org_id })?;
    let orgs = concerned(db, before.owner_org_id, &before.municipality_code)?;
    crate::kernel::index::touch(db, "place", id)?;
    if references(db, id)? > 0 {
        if before.is_active() {
            db.execute("UPDATE areas SET archived_at = $1, version = version + 1, updated_at = $1 WHERE id = $2", args![now_ms(), id])?;
            audit::record(db, v, Event::new("area.archive").record("area", id).orgs(&orgs))?;
        }
        return Ok(Removed::Archived);
    }
    db.execute("UPDATE areas SET parent_id = $1 WHERE parent_id = $2", args![before.parent_id, id])?;
    db.execute("DELETE FROM areas WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("area.delete").record("area", id).orgs(&orgs))?;
    Ok(Removed::Deleted)
}

/// The organisation that owns places the viewer creates in `municipality`: the first of the
/// viewer's organisations with an approved claim there in which it is at least a coordinator;
/// for system administrators without one, the municipality's own organisation (or any with an
/// approved claim there).
pub fn owner_for(db: &mut dyn Conn, v: &Viewer, municipality: MunicipalityCode) -> StoreResult<i64> {
    access::require(v, Action::ManageAreas { municipality })?;
    let mine = v
        .memberships()
        .iter()
        .find(|m| m.role <= brygga_domain::Role::Coordinator && m.municipalities.iter().any(|c| c == municipality.as_str()))
        .map(|m| m.org_id);
    if let Some(org) = mine {
        return Ok(org);
    }
    let any: Option<i64> = db.scalar_opt(
        "SELECT o.id FROM organisations o JOIN organisation_municipalities om ON om.org_id = o.id
         WHERE om.municipality_code = $1 AND om.status = 'approved' ORDER BY CASE WHEN o.kind = 'municipality' THEN 0 ELSE 1 END, o.id LIMIT 1",
        args![municipality.as_str()],
    )?;
    any.ok_or_else(|| {
        StoreError::invalid(FieldError::new(
            "municipality",
            "municipality.no_organisation",
            format!(
                "Ingen organisation arbetar i {} ännu, så ingen kan äga platserna. Registrera kommunens organisation först.",
                municipality.municipality().name
            ),
        ))
    })
}

/// How many places each municipality has, for the municipalities that have any.
pub fn counts(db: &mut dyn Conn, v: &Viewer) -> StoreResult<HashMap<String, i64>> {
    require_reader(v)?;
    let rows: Vec<(String, i64)> =
        db.map_all("SELECT municipality_code, COUNT(*) AS n FROM areas GROUP BY municipality_code", &[], |r| {
            Ok((r.get("municipality_code")?, r.get("n")?))
        })?;
    Ok(rows.into_iter().collect())
}

/// One place of an import (a GeoJSON feature) as far as names go: what [`plan_import`] checks.
#[derive(Debug, Clone, Default)]
pub struct ImportRow {
    /// 1-based position in the file, for messages.
    pub index: usize,
    pub name: String,
    /// A kind code or Swedish label; empty for "other".
    pub kind: String,
    /// The name of the place it lies in: an existing place of the municipality, or another
    /// place in the same import.
    pub parent: Option<String>,
}

/// One place of an import with its validated geometry.
#[derive(Debug, Clone)]
pub struct ImportItem {
    pub row: ImportRow,
    pub geometry: PlaceGeometry,
}

/// An import row resolved against the database: what will be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub index: usize,
    pub name: String,
    pub kind: &'static str,
    /// The parent's name, as written (an existing place or one in the import).
    pub parent: Option<String>,
    /// Whether the parent is a place that already exists (not one in the import).
    pub parent_exists: bool,
}

fn item_label(item: &ImportRow) -> String {
    brygga_domain::geometry::feature_label(item.index, Some(item.name.trim()).filter(|n| !n.is_empty()))
}

/// Checks an import against the rules and the municipality's existing places without writing
/// anything: names (required, unique in the file and in the municipality), kinds, parents
/// (existing, in the file, no cycles). Every problem names the feature; the field is
/// `features[i]` (0-based, as in the file).
pub fn plan_import(db: &mut dyn Conn, v: &Viewer, municipality: MunicipalityCode, items: &[ImportRow]) -> StoreResult<Vec<Planned>> {
    access::require(v, Action::ManageAreas { municipality })?;
    let existing = list(db, v, municipality.as_str())?;
    let existing_keys: HashMap<String, &Area> = existing.iter().map(|a| (sort_key(&a.name), a)).collect();
    let mut errs = FieldErrors::new();
    let field = |item: &ImportRow| format!("features[{}]", item.index - 1);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut planned = Vec::with_capacity(items.len());
    for item in items {
        let label = item_label(item);
        let name = match NAME.require(&item.name) {
            Ok(n) => Some(n),
            Err(e) => {
                let msg = if item.name.trim().is_empty() {
                    "saknar namn. Ange namnet i properties.name (eller namn).".to_owned()
                } else {
                    e.message.clone()
                };
                errs.push(FieldError::new(field(item), "name.invalid", format!("{label}: {msg}")));
                None
            }
        };
        if let Some(n) = &name {
            let key = sort_key(n);
            if let Some(first) = seen.get(&key) {
                errs.push(FieldError::new(
                    field(item),
                    "name.duplicate",
                    format!("{label}: namnet finns redan i filen (objekt {first}). Varje plats behöver ett eget namn."),
                ));
            } else if existing_keys.contains_key(&key) {
                errs.push(FieldError::new(
                    field(item),
                    "name.taken",
                    format!(
                        "{label}: kommunen har redan en plats som heter ”{n}”. Byt namn i filen eller ta bort den befintliga platsen först."
                    ),
                ));
            }
            seen.entry(key).or_insert(item.index);
        }
        let kind = if item.kind.trim().is_empty() {
            Some("other")
        } else {
            let k = kind_code(&item.kind);
            if k.is_none() {
                let valid: Vec<&str> = KINDS.iter().map(|(c, _)| *c).collect();
                errs.push(FieldError::new(
                    field(item),
                    "kind.unknown",
                    format!("{label}: okänd typ av plats ”{}”. Använd en av: {}.", item.kind.trim(), valid.join(", ")),
                ));
            }
            k
        };
        if let (Some(name), Some(kind)) = (name, kind) {
            let parent = item.parent.as_ref().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
            let parent_exists = parent.as_ref().is_some_and(|p| existing_keys.contains_key(&sort_key(p)));
            planned.push(Planned { index: item.index, name, kind, parent, parent_exists });
        }
    }
    // Parents: an existing place, or another item; no item may be its own ancestor.
    let in_file: HashMap<String, &ImportRow> = items.iter().map(|i| (sort_key(i.name.trim()), i)).collect();
    for item in items {
        let Some(parent) = item.parent.as_deref().map(str::trim).filter(|p| !p.is_empty()) else { continue };
        let key = sort_key(parent);
        if !existing_keys.contains_key(&key) && !in_file.contains_key(&key) {
            errs.push(FieldError::new(
                field(item),
                "parent.unknown",
                format!(
                    "{}: den överordnade platsen ”{parent}” finns varken i kommunen eller i filen. Kontrollera stavningen eller lägg till den.",
                    item_label(item)
                ),
            ));
            continue;
        }
        let mut cursor = Some(key);
        let mut visited: HashSet<String> = HashSet::new();
        while let Some(k) = cursor {
            if k == sort_key(item.name.trim()) || !visited.insert(k.clone()) {
                errs.push(FieldError::new(
                    field(item),
                    "parent.cycle",
                    format!("{}: platserna ligger inuti varandra i en ring. En plats kan inte ligga inuti sig själv.", item_label(item)),
                ));
                break;
            }
            cursor = in_file.get(&k).and_then(|i| i.parent.as_deref()).map(|p| sort_key(p.trim()));
        }
    }
    errs.into_result().map_err(StoreError::Invalid)?;
    Ok(planned)
}

/// Creates every place of an import, or none: all checks first ([`plan_import`]), then the
/// writes, parents before children, in the caller's transaction. One audit entry per place.
pub fn create_many(db: &mut dyn Conn, v: &Viewer, municipality: MunicipalityCode, items: &[ImportItem]) -> StoreResult<Vec<Area>> {
    let rows: Vec<ImportRow> = items.iter().map(|i| i.row.clone()).collect();
    let planned = plan_import(db, v, municipality, &rows)?;
    let owner = owner_for(db, v, municipality)?;
    let mut ids: HashMap<String, i64> = list(db, v, municipality.as_str())?.into_iter().map(|a| (sort_key(&a.name), a.id)).collect();
    let mut pending: Vec<(&Planned, &ImportItem)> = planned.iter().zip(items.iter()).collect();
    let mut created = Vec::with_capacity(items.len());
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for (p, item) in pending {
            let parent_id = match p.parent.as_deref().filter(|s| !s.is_empty()) {
                None => None,
                Some(name) => match ids.get(&sort_key(name)) {
                    Some(id) => Some(*id),
                    None => {
                        rest.push((p, item));
                        continue;
                    }
                },
            };
            let a = NewArea {
                municipality,
                parent_id,
                name: p.name.clone(),
                kind: p.kind.to_owned(),
                geometry: item.geometry.clone(),
                owner_org_id: owner,
            };
            let area = create(db, v, &a)?;
            ids.insert(sort_key(&area.name), area.id);
            created.push(area);
        }
        if rest.len() == before {
            return Err(StoreError::Internal("area import: parents could not be ordered".into()));
        }
        pending = rest;
    }
    Ok(created)
}

/// The municipality's places as a GeoJSON FeatureCollection (WGS84), parents before
/// children. Properties: `id`, `name`, `kind`, `kind_label`, `parent` (name), `parent_id`,
/// `version` — the same names an import reads, so an export can be imported elsewhere.
pub fn export_geojson(db: &mut dyn Conn, v: &Viewer, municipality: &str) -> StoreResult<serde_json::Value> {
    let all = list(db, v, municipality)?;
    Ok(feature_collection(&all))
}

/// Places as a GeoJSON FeatureCollection (see [`export_geojson`]).
pub fn feature_collection(all: &[Area]) -> serde_json::Value {
    let names: HashMap<i64, &str> = all.iter().map(|a| (a.id, a.name.as_str())).collect();
    let features: Vec<serde_json::Value> = all
        .iter()
        .map(|a| {
            let mut f = feature(a);
            f["properties"]["parent"] = a.parent_id.and_then(|p| names.get(&p)).map_or(serde_json::Value::Null, |n| (*n).into());
            f
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

/// One place as a GeoJSON Feature (WGS84). `properties.parent` (the parent's name) is filled
/// in by [`feature_collection`], which knows the names.
pub fn feature(a: &Area) -> serde_json::Value {
    serde_json::json!({
        "type": "Feature",
        "id": a.id,
        "geometry": a.geometry,
        "properties": {
            "id": a.id,
            "name": a.name,
            "kind": a.kind,
            "kind_label": kind_label(&a.kind),
            "municipality_code": a.municipality_code,
            "parent_id": a.parent_id,
            "version": a.version,
        }
    })
}

/// All places, for the search index's full rebuild.
pub const SEARCH_IDS: &str = "SELECT id FROM areas";

/// The search index's document of one place: its name, kind and municipality. Places are shared
/// reference data read by every signed-in user (see the module documentation), so the one
/// reader is [`crate::kernel::index::Reader::SignedIn`].
pub fn search_document(db: &mut dyn Conn, id: i64) -> StoreResult<Option<crate::kernel::index::Document>> {
    use crate::kernel::index::{Document, Reader};
    let row: Option<(String, String, String, Option<i64>, i64)> =
        db.map_opt("SELECT name, kind, municipality_code, archived_at, updated_at FROM areas WHERE id = $1", args![id], |r| {
            Ok((r.get("name")?, r.get("kind")?, r.get("municipality_code")?, r.get("archived_at")?, r.get("updated_at")?))
        })?;
    let Some((name, kind, code, archived, updated_at)) = row else { return Ok(None) };
    let municipality = brygga_domain::geography::municipality(&code).map_or(code.as_str(), |m| m.name);
    let mut body = format!("{} i {municipality}.", kind_label(&kind));
    if archived.is_some() {
        body.push_str(" Arkiverad plats.");
    }
    Ok(Some(Document {
        kind: "place",
        id,
        title: name,
        body,
        path: format!("/platser/{code}/{id}"),
        municipalities: vec![code],
        readers: vec![Reader::SignedIn],
        updated_at_ms: updated_at,
    }))
}
