//! Places as geometry: WGS84 (EPSG:4326) coordinates as `[lon, lat]`, the form stored and
//! served as GeoJSON. Parsing, coordinate systems, projections (SWEREF 99 TM, EPSG:3006) and
//! validation live here.
//!
//! The path of a place from the outside world to the database:
//!
//! 1. [`parse_collection`] / [`parse_geometry`] / [`point_from_text`] read GeoJSON (a
//!    geometry, a Feature or a FeatureCollection) or typed latitude and longitude into a raw
//!    [`Shape`], in whatever coordinate system it came in.
//! 2. The coordinate system is the user's choice ([`CrsChoice`]): WGS84, SWEREF 99 TM, or
//!    automatic by the size of the numbers (degrees and SWEREF 99 TM metres cannot be
//!    confused within Sweden). A GeoJSON `crs` member (as QGIS writes it) is honoured.
//!    Latitude/longitude in the wrong order, northing/easting in the wrong order, RT 90 and
//!    SWEREF 99's local zones are recognised and explained instead of silently misplaced.
//! 3. [`validate`] converts to WGS84 (rounded to 7 decimals, about a centimetre), closes
//!    rings whose closing position is missing (and says so in [`Valid::notes`]), and checks:
//!    at least four positions per ring, no self-intersections, holes inside their shell,
//!    parts of a MultiPolygon apart, every position inside Sweden and inside the
//!    municipality's rough extent where the repository has one
//!    ([`crate::geography::municipality_extent`]; elsewhere only "inside Sweden" is checked).
//! 4. The result, [`Valid`], holds the normalised shape (exterior rings counter-clockwise,
//!    holes clockwise, as RFC 7946 recommends), its GeoJSON text, bounding box, a point
//!    inside it (not merely the centroid, which can fall outside a concave district) and its
//!    area in square metres.
//!
//! Every fault is a Swedish sentence that says what is wrong, where (part, ring and
//! position), and how to fix it; for features, [`Feature::label`] names the feature by its
//! number and name. Measurements (area, crossings, the point inside) are made in SWEREF 99
//! TM metres.

pub mod planar;
pub mod sweref;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::geography::{self, Extent, Municipality, SWEDEN_EXTENT};
pub use planar::{Polygon, Ring};

/// A validated place geometry in WGS84, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceGeometry {
    /// A GeoJSON geometry object (Point, Polygon or MultiPolygon) in WGS84.
    pub geojson: String,
    pub bbox: Bbox,
    /// A point inside or at the centre of the place, `[lon, lat]`.
    pub centroid: [f64; 2],
}

/// A bounding box in WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bbox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl Bbox {
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        lon >= self.min_lon && lon <= self.max_lon && lat >= self.min_lat && lat <= self.max_lat
    }

    /// The smallest box holding both.
    pub fn union(&self, other: &Bbox) -> Bbox {
        Bbox {
            min_lon: self.min_lon.min(other.min_lon),
            min_lat: self.min_lat.min(other.min_lat),
            max_lon: self.max_lon.max(other.max_lon),
            max_lat: self.max_lat.max(other.max_lat),
        }
    }

    fn of(points: impl Iterator<Item = [f64; 2]>) -> Option<Bbox> {
        points.fold(None, |acc: Option<Bbox>, [lon, lat]| {
            Some(match acc {
                None => Bbox { min_lon: lon, min_lat: lat, max_lon: lon, max_lat: lat },
                Some(b) => Bbox {
                    min_lon: b.min_lon.min(lon),
                    min_lat: b.min_lat.min(lat),
                    max_lon: b.max_lon.max(lon),
                    max_lat: b.max_lat.max(lat),
                },
            })
        })
    }
}

impl From<Extent> for Bbox {
    fn from(e: Extent) -> Self {
        Bbox { min_lon: e.min_lon, min_lat: e.min_lat, max_lon: e.max_lon, max_lat: e.max_lat }
    }
}

impl PlaceGeometry {
    /// A point place (not validated; see [`point_from_text`] and [`validate`] for input).
    pub fn point(lon: f64, lat: f64) -> Self {
        Self {
            geojson: format!("{{\"type\":\"Point\",\"coordinates\":[{lon},{lat}]}}"),
            bbox: Bbox { min_lon: lon, min_lat: lat, max_lon: lon, max_lat: lat },
            centroid: [lon, lat],
        }
    }
}

/// The most positions one place may have, and one upload in all.
pub const MAX_POSITIONS_PER_PLACE: usize = 20_000;
pub const MAX_POSITIONS_PER_FILE: usize = 250_000;
/// The most features one upload may hold.
pub const MAX_FEATURES: usize = 2_000;

/// How far outside a municipality's rough extent a place may reach, in degrees of latitude
/// and longitude (about a kilometre): the extents are boxes, and places at the boundary
/// (a harbour, a park on the border) should not be refused for it.
pub const EXTENT_MARGIN_LAT: f64 = 0.01;
pub const EXTENT_MARGIN_LON: f64 = 0.02;

/// A polygon narrower than this on average (twice its area over its perimeter) is a line,
/// not a place.
pub const MIN_MEAN_WIDTH_M: f64 = 0.5;

/// A place's shape: one point, or one or more polygons. Coordinates are `[x, y]`: `[lon,
/// lat]` in WGS84 or `[east, north]` in SWEREF 99 TM, depending on where it came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Point([f64; 2]),
    /// One polygon (GeoJSON `Polygon`) or several (`MultiPolygon`).
    Polygons(Vec<Polygon>),
}

impl Shape {
    /// Every position, rings in order.
    pub fn positions(&self) -> Box<dyn Iterator<Item = [f64; 2]> + '_> {
        match self {
            Shape::Point(p) => Box::new(std::iter::once(*p)),
            Shape::Polygons(ps) => Box::new(ps.iter().flat_map(|p| std::iter::once(&p.exterior).chain(p.holes.iter())).flatten().copied()),
        }
    }

    fn map(&self, f: impl Fn([f64; 2]) -> [f64; 2]) -> Shape {
        let ring = |r: &Ring| r.iter().map(|p| f(*p)).collect::<Ring>();
        match self {
            Shape::Point(p) => Shape::Point(f(*p)),
            Shape::Polygons(ps) => Shape::Polygons(
                ps.iter().map(|p| Polygon { exterior: ring(&p.exterior), holes: p.holes.iter().map(ring).collect() }).collect(),
            ),
        }
    }

    /// A WGS84 shape in SWEREF 99 TM metres.
    pub fn to_sweref(&self) -> Shape {
        self.map(sweref::to_sweref)
    }

    /// A SWEREF 99 TM shape in WGS84 degrees.
    pub fn to_wgs84(&self) -> Shape {
        self.map(sweref::to_wgs84)
    }

    /// The bounding box of a WGS84 shape.
    pub fn bbox(&self) -> Bbox {
        Bbox::of(self.positions()).unwrap_or(Bbox { min_lon: 0.0, min_lat: 0.0, max_lon: 0.0, max_lat: 0.0 })
    }

    /// The GeoJSON geometry object.
    pub fn to_geojson(&self) -> Value {
        let ring = |r: &Ring| Value::Array(r.iter().map(|p| json!([p[0], p[1]])).collect());
        let poly = |p: &Polygon| Value::Array(std::iter::once(&p.exterior).chain(p.holes.iter()).map(ring).collect());
        match self {
            Shape::Point(p) => json!({"type": "Point", "coordinates": [p[0], p[1]]}),
            Shape::Polygons(ps) if ps.len() == 1 => json!({"type": "Polygon", "coordinates": poly(&ps[0])}),
            Shape::Polygons(ps) => json!({"type": "MultiPolygon", "coordinates": ps.iter().map(poly).collect::<Vec<_>>()}),
        }
    }

    /// A stored (validated, WGS84) GeoJSON geometry back as a shape.
    pub fn from_stored(geometry: &Value) -> Result<Shape, Fault> {
        read_geometry(geometry, &mut 0)
    }

    /// Whether a WGS84 point lies in the place: inside a polygon or on its edge; for a point
    /// place, within `tolerance_m` metres of it.
    pub fn contains(&self, lon: f64, lat: f64, tolerance_m: f64) -> bool {
        let p = sweref::to_sweref([lon, lat]);
        match self.to_sweref() {
            Shape::Point(q) => (p[0] - q[0]).hypot(p[1] - q[1]) <= tolerance_m,
            Shape::Polygons(ps) => planar::contains(&ps, p),
        }
    }

    /// The area of a WGS84 shape in square metres (0 for a point), measured in SWEREF 99 TM
    /// (the projection's scale error inside Sweden is below 0.1 %).
    pub fn area_m2(&self) -> f64 {
        match self.to_sweref() {
            Shape::Point(_) => 0.0,
            Shape::Polygons(ps) => ps.iter().map(planar::polygon_area).sum(),
        }
    }

    /// "Punkt", "Område" or "Område i N delar".
    pub fn describe(&self) -> String {
        match self {
            Shape::Point(_) => "Punkt".into(),
            Shape::Polygons(ps) if ps.len() == 1 => "Område".into(),
            Shape::Polygons(ps) => format!("Område i {} delar", ps.len()),
        }
    }
}

/// A coordinate system Brygga reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Crs {
    /// WGS84 longitude and latitude in degrees (EPSG:4326, GeoJSON's own).
    Wgs84,
    /// SWEREF 99 TM east and north in metres (EPSG:3006).
    Sweref99Tm,
}

impl Crs {
    pub fn label(self) -> &'static str {
        match self {
            Crs::Wgs84 => "WGS84 (EPSG:4326)",
            Crs::Sweref99Tm => "SWEREF 99 TM (EPSG:3006)",
        }
    }
}

/// What the user says the coordinates are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CrsChoice {
    /// Decide from the numbers (and the file's `crs` member, if any).
    #[default]
    Auto,
    Wgs84,
    Sweref99Tm,
}

impl CrsChoice {
    pub const ALL: [CrsChoice; 3] = [CrsChoice::Auto, CrsChoice::Wgs84, CrsChoice::Sweref99Tm];

    /// The form value: `auto`, `wgs84`, `sweref99tm`.
    pub fn code(self) -> &'static str {
        match self {
            CrsChoice::Auto => "auto",
            CrsChoice::Wgs84 => "wgs84",
            CrsChoice::Sweref99Tm => "sweref99tm",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CrsChoice::Auto => "Avgör automatiskt",
            CrsChoice::Wgs84 => "WGS84 – longitud och latitud i grader (EPSG:4326)",
            CrsChoice::Sweref99Tm => "SWEREF 99 TM – öst och nord i meter (EPSG:3006)",
        }
    }

    /// Reads a form or API value; an empty value is `Auto`. Also accepts `4326`, `3006` and
    /// `EPSG:…`.
    pub fn parse(s: &str) -> Result<CrsChoice, Fault> {
        let t = s.trim().to_lowercase().replace([' ', '_', '-'], "");
        Ok(match t.trim_start_matches("epsg:") {
            "" | "auto" | "automatisk" => CrsChoice::Auto,
            "wgs84" | "4326" | "crs84" => CrsChoice::Wgs84,
            "sweref99tm" | "3006" | "sweref99" => CrsChoice::Sweref99Tm,
            _ => {
                return Err(Fault::new(
                    "crs.unknown",
                    format!("Okänt koordinatsystem ”{}”. Välj auto, wgs84 (EPSG:4326) eller sweref99tm (EPSG:3006).", s.trim()),
                ));
            }
        })
    }
}

/// One thing wrong with a geometry, or with a whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// A stable machine code, e.g. `geometry.self_intersection`.
    pub code: &'static str,
    /// What is wrong, where and how to fix it, in Swedish (without the feature's name).
    pub message: String,
}

impl Fault {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Where a place must lie.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    municipality: Option<&'static Municipality>,
}

impl Check {
    /// Anywhere in Sweden.
    pub fn sweden() -> Self {
        Check { municipality: None }
    }

    /// Inside the municipality's rough extent, where the repository has one; otherwise
    /// anywhere in Sweden.
    pub fn municipality(m: &'static Municipality) -> Self {
        Check { municipality: Some(m) }
    }

    /// The box a place must lie in, with [`EXTENT_MARGIN_LAT`]/[`EXTENT_MARGIN_LON`] added.
    pub fn municipality_extent(&self) -> Option<(&'static Municipality, Extent)> {
        let m = self.municipality?;
        let e = m.extent()?;
        Some((
            m,
            Extent {
                min_lon: e.min_lon - EXTENT_MARGIN_LON,
                min_lat: e.min_lat - EXTENT_MARGIN_LAT,
                max_lon: e.max_lon + EXTENT_MARGIN_LON,
                max_lat: e.max_lat + EXTENT_MARGIN_LAT,
            },
        ))
    }
}

/// A place's geometry that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid {
    /// The normalised shape in WGS84.
    pub shape: Shape,
    /// What to store.
    pub geometry: PlaceGeometry,
    /// Square metres (0 for a point).
    pub area_m2: f64,
    /// The coordinate system the input was read in.
    pub crs: Crs,
    /// What was adjusted on the way, for the preview ("the ring was closed").
    pub notes: Vec<String>,
}

// ---- reading GeoJSON ----

/// Reads a position: two (or three, altitude ignored) finite numbers.
fn read_position(v: &Value, count: &mut usize) -> Result<[f64; 2], Fault> {
    let arr = v
        .as_array()
        .ok_or_else(|| Fault::new("geometry.position", "En position ska vara en lista med två tal, till exempel [13.1566, 55.3751]."))?;
    if arr.len() < 2 || arr.len() > 4 {
        return Err(Fault::new(
            "geometry.position",
            format!("En position har {} tal; den ska ha två (x, y), till exempel [13.1566, 55.3751].", arr.len()),
        ));
    }
    let x = arr[0].as_f64();
    let y = arr[1].as_f64();
    match (x, y) {
        (Some(x), Some(y)) if x.is_finite() && y.is_finite() => {
            *count += 1;
            if *count > MAX_POSITIONS_PER_PLACE {
                return Err(Fault::new(
                    "geometry.too_many_positions",
                    format!(
                        "Platsen har fler än {MAX_POSITIONS_PER_PLACE} positioner. Förenkla gränsen (till exempel med Förenkla i QGIS) och försök igen."
                    ),
                ));
            }
            Ok([x, y])
        }
        _ => Err(Fault::new(
            "geometry.position",
            "En position innehåller något annat än tal. Skriv koordinaterna som tal utan citattecken, till exempel [13.1566, 55.3751].",
        )),
    }
}

fn read_ring(v: &Value, count: &mut usize) -> Result<Ring, Fault> {
    let arr = v.as_array().ok_or_else(|| Fault::new("geometry.ring", "En ring ska vara en lista med positioner."))?;
    arr.iter().map(|p| read_position(p, count)).collect()
}

fn read_polygon(v: &Value, count: &mut usize) -> Result<Polygon, Fault> {
    let arr = v
        .as_array()
        .ok_or_else(|| Fault::new("geometry.polygon", "En polygon ska vara en lista med ringar: först den yttre, sedan eventuella hål."))?;
    let mut rings = arr.iter().map(|r| read_ring(r, count));
    let exterior =
        rings.next().ok_or_else(|| Fault::new("geometry.empty", "Polygonen har ingen ring. Ange minst den yttre gränsen."))??;
    Ok(Polygon { exterior, holes: rings.collect::<Result<_, _>>()? })
}

fn read_geometry(v: &Value, count: &mut usize) -> Result<Shape, Fault> {
    let obj = v
        .as_object()
        .ok_or_else(|| Fault::new("geometry.missing", "Geometrin saknas eller är inte ett objekt med type och coordinates."))?;
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = obj.get("coordinates");
    let missing = || Fault::new("geometry.coordinates", format!("Geometrin av typen {kind} saknar coordinates."));
    match kind {
        "Point" => Ok(Shape::Point(read_position(coords.ok_or_else(missing)?, count)?)),
        "Polygon" => Ok(Shape::Polygons(vec![read_polygon(coords.ok_or_else(missing)?, count)?])),
        "MultiPolygon" => {
            let parts = coords
                .ok_or_else(missing)?
                .as_array()
                .ok_or_else(|| Fault::new("geometry.polygon", "En MultiPolygon ska vara en lista med polygoner."))?;
            if parts.is_empty() {
                return Err(Fault::new("geometry.empty", "MultiPolygonen har inga delar."));
            }
            Ok(Shape::Polygons(parts.iter().map(|p| read_polygon(p, count)).collect::<Result<_, _>>()?))
        }
        "MultiPoint" | "LineString" | "MultiLineString" | "GeometryCollection" => Err(Fault::new(
            "geometry.type",
            format!(
                "Geometritypen {kind} stöds inte. En plats är en punkt (Point) eller ett område (Polygon eller MultiPolygon); gör om linjer till områden först."
            ),
        )),
        "" => Err(Fault::new("geometry.type", "Geometrin saknar type. Ange Point, Polygon eller MultiPolygon.")),
        other => Err(Fault::new("geometry.type", format!("Okänd geometrityp ”{other}”. Ange Point, Polygon eller MultiPolygon."))),
    }
}

/// The coordinate system a GeoJSON `crs` member names (the 2008 form QGIS still writes).
fn declared_crs(obj: &Map<String, Value>) -> Result<Option<Crs>, Fault> {
    let Some(crs) = obj.get("crs") else { return Ok(None) };
    if crs.is_null() {
        return Ok(None);
    }
    let name = crs.pointer("/properties/name").and_then(Value::as_str).unwrap_or("");
    let code = name.rsplit(':').next().unwrap_or("").trim().to_uppercase();
    match code.as_str() {
        "4326" | "CRS84" | "4258" | "4619" => Ok(Some(Crs::Wgs84)),
        "3006" => Ok(Some(Crs::Sweref99Tm)),
        "3021" | "2400" => Err(Fault::new(
            "crs.rt90",
            format!("Filen är i RT 90 ({name}), som inte stöds. Exportera den i SWEREF 99 TM (EPSG:3006) eller WGS84 (EPSG:4326)."),
        )),
        c if ("3007".."3019").contains(&c) && c.len() == 4 => Err(Fault::new(
            "crs.local_zone",
            format!("Filen är i en lokal SWEREF 99-zon ({name}). Exportera den i SWEREF 99 TM (EPSG:3006) eller WGS84 (EPSG:4326)."),
        )),
        "3857" | "900913" => Err(Fault::new(
            "crs.web_mercator",
            format!("Filen är i Web Mercator ({name}). Exportera den i WGS84 (EPSG:4326) eller SWEREF 99 TM (EPSG:3006)."),
        )),
        _ => Err(Fault::new(
            "crs.unsupported",
            format!(
                "Filen anger koordinatsystemet ”{name}”, som Brygga inte läser. Exportera i WGS84 (EPSG:4326) eller SWEREF 99 TM (EPSG:3006)."
            ),
        )),
    }
}

// ---- coordinate systems by magnitude ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Looks {
    Degrees,
    DegreesSwapped,
    Metres,
    MetresSwapped,
    Rt90,
    Unknown,
}

fn looks([x, y]: [f64; 2]) -> Looks {
    let sweden_swapped = (54.0..=70.0).contains(&x) && (9.0..=25.0).contains(&y);
    let in_sweden = SWEDEN_EXTENT.contains(x, y);
    let metres_e = |v: f64| (50_000.0..=1_100_000.0).contains(&v);
    let metres_n = |v: f64| (6_000_000.0..=7_900_000.0).contains(&v);
    let rt90_e = |v: f64| (1_100_000.0..=2_000_000.0).contains(&v);
    if x.abs() <= 180.0 && y.abs() <= 90.0 {
        if sweden_swapped && !in_sweden { Looks::DegreesSwapped } else { Looks::Degrees }
    } else if metres_e(x) && metres_n(y) {
        Looks::Metres
    } else if metres_n(x) && metres_e(y) {
        Looks::MetresSwapped
    } else if (rt90_e(x) && metres_n(y)) || (metres_n(x) && rt90_e(y)) {
        Looks::Rt90
    } else {
        Looks::Unknown
    }
}

fn fmt_pos(p: [f64; 2]) -> String {
    format!("[{}, {}]", trim_num(p[0]), trim_num(p[1]))
}

fn trim_num(v: f64) -> String {
    let s = format!("{v:.7}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

/// Decides the coordinate system of one place, or explains why it cannot.
fn resolve_crs(raw: &Shape, choice: CrsChoice, declared: Option<Crs>) -> Result<Crs, Fault> {
    let wanted = match (choice, declared) {
        (CrsChoice::Wgs84, _) => Some(Crs::Wgs84),
        (CrsChoice::Sweref99Tm, _) => Some(Crs::Sweref99Tm),
        (CrsChoice::Auto, d) => d,
    };
    let first_with = |l: Looks| raw.positions().enumerate().find(|(_, p)| looks(*p) == l).map(|(i, p)| (i + 1, p));
    let swapped_degrees = |i: usize, p: [f64; 2]| {
        Fault::new(
            "crs.swapped",
            format!(
                "Latitud och longitud står i omvänd ordning (position {i}: {}). GeoJSON skriver longitud först: [{}, {}]. Byt plats på talen i varje position.",
                fmt_pos(p),
                trim_num(p[1]),
                trim_num(p[0])
            ),
        )
    };
    let swapped_metres = |i: usize, p: [f64; 2]| {
        Fault::new(
            "crs.swapped",
            format!(
                "Nord och öst står i omvänd ordning (position {i}: {}). GeoJSON skriver öst (E) först: [{}, {}]. Byt plats på talen i varje position.",
                fmt_pos(p),
                trim_num(p[1]),
                trim_num(p[0])
            ),
        )
    };
    let rt90 = |i: usize, p: [f64; 2]| {
        Fault::new(
            "crs.rt90",
            format!(
                "Koordinaterna ser ut att vara i RT 90 (position {i}: {}), som inte stöds. Exportera i SWEREF 99 TM (EPSG:3006) eller WGS84.",
                fmt_pos(p)
            ),
        )
    };
    match wanted {
        Some(Crs::Wgs84) => {
            if let Some((i, p)) = first_with(Looks::DegreesSwapped) {
                return Err(swapped_degrees(i, p));
            }
            if let Some((i, p)) = raw.positions().enumerate().find(|(_, p)| looks(*p) != Looks::Degrees).map(|(i, p)| (i + 1, p)) {
                let hint = if matches!(looks(p), Looks::Metres | Looks::MetresSwapped) {
                    "Talen ser ut att vara meter, som i SWEREF 99 TM. Välj SWEREF 99 TM som koordinatsystem."
                } else {
                    "Longitud ska ligga mellan -180 och 180 och latitud mellan -90 och 90."
                };
                return Err(Fault::new("crs.not_degrees", format!("Position {i} ({}) är inte i grader som WGS84. {hint}", fmt_pos(p))));
            }
            Ok(Crs::Wgs84)
        }
        Some(Crs::Sweref99Tm) => {
            if let Some((i, p)) = first_with(Looks::MetresSwapped) {
                return Err(swapped_metres(i, p));
            }
            if let Some((i, p)) = first_with(Looks::Rt90) {
                return Err(rt90(i, p));
            }
            if let Some((i, p)) = raw.positions().enumerate().find(|(_, p)| looks(*p) != Looks::Metres).map(|(i, p)| (i + 1, p)) {
                let hint = if matches!(looks(p), Looks::Degrees | Looks::DegreesSwapped) {
                    "Talen ser ut att vara grader, som i WGS84. Välj WGS84 som koordinatsystem."
                } else {
                    "I Sverige är öst (E) mellan ungefär 180 000 och 920 000 och nord (N) mellan 6 100 000 och 7 700 000."
                };
                return Err(Fault::new("crs.not_metres", format!("Position {i} ({}) är inte i SWEREF 99 TM. {hint}", fmt_pos(p))));
            }
            Ok(Crs::Sweref99Tm)
        }
        None => {
            let first = raw.positions().next().map(looks).unwrap_or(Looks::Unknown);
            match first {
                Looks::Degrees | Looks::Metres => {
                    if let Some((i, p)) = raw.positions().enumerate().find(|(_, p)| looks(*p) != first).map(|(i, p)| (i + 1, p)) {
                        return Err(match looks(p) {
                            Looks::DegreesSwapped => swapped_degrees(i, p),
                            Looks::MetresSwapped => swapped_metres(i, p),
                            _ => Fault::new(
                                "crs.mixed",
                                format!(
                                    "Position {i} ({}) passar inte ihop med de andra: platsen blandar koordinatsystem eller har ett felskrivet tal. Kontrollera positionen.",
                                    fmt_pos(p)
                                ),
                            ),
                        });
                    }
                    Ok(if first == Looks::Degrees { Crs::Wgs84 } else { Crs::Sweref99Tm })
                }
                Looks::DegreesSwapped => Err(swapped_degrees(1, raw.positions().next().unwrap_or_default())),
                Looks::MetresSwapped => Err(swapped_metres(1, raw.positions().next().unwrap_or_default())),
                Looks::Rt90 => Err(rt90(1, raw.positions().next().unwrap_or_default())),
                Looks::Unknown => Err(Fault::new(
                    "crs.unknown",
                    format!(
                        "Koordinatsystemet går inte att avgöra (position 1: {}). Brygga läser WGS84 (longitud, latitud i grader) och SWEREF 99 TM (öst, nord i meter). Kontrollera talen, eller välj koordinatsystem själv.",
                        fmt_pos(raw.positions().next().unwrap_or_default())
                    ),
                )),
            }
        }
    }
}

// ---- validation ----

/// Rounds to 7 decimals (about 1 cm).
fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// "Del 2: " for a part of a MultiPolygon, "" for a single polygon.
fn part_prefix(polys: usize, part: usize) -> String {
    if polys > 1 { format!("Del {}: ", part + 1) } else { String::new() }
}

fn ring_name(ring: usize) -> String {
    if ring == 0 { "den yttre ringen".into() } else { format!("hål {ring}") }
}

/// "Den yttre ringen", "Hål 2", "Del 3: Hål 1".
fn ring_subject(polys: usize, part: usize, ring: usize) -> String {
    format!("{}{}", part_prefix(polys, part), capitalise(&ring_name(ring)))
}

fn where_text(crs: Crs, wgs: [f64; 2]) -> String {
    match crs {
        Crs::Wgs84 => format!("lat {:.6}, lon {:.6}", wgs[1], wgs[0]),
        Crs::Sweref99Tm => {
            let [e, n] = sweref::to_sweref(wgs);
            format!("N {n:.0}, E {e:.0}")
        }
    }
}

/// Converts a raw shape to WGS84, repairs what can be repaired without guessing, and checks
/// it. All faults found are returned together.
pub fn validate(raw: &Shape, choice: CrsChoice, declared: Option<Crs>, check: &Check) -> Result<Valid, Vec<Fault>> {
    let crs = resolve_crs(raw, choice, declared).map_err(|f| vec![f])?;
    let wgs = match crs {
        Crs::Wgs84 => raw.clone(),
        Crs::Sweref99Tm => raw.to_wgs84(),
    };
    let wgs = wgs.map(|p| [round7(p[0]), round7(p[1])]);
    let mut notes = Vec::new();
    let mut faults = Vec::new();

    // Rings: drop repeated positions, close open rings, count positions.
    let shape = match wgs {
        Shape::Point(p) => Shape::Point(p),
        Shape::Polygons(polys) => {
            let n = polys.len();
            let mut out = Vec::with_capacity(n);
            for (pi, poly) in polys.into_iter().enumerate() {
                let mut rings = Vec::new();
                for (ri, mut ring) in std::iter::once(poly.exterior).chain(poly.holes).enumerate() {
                    let before = ring.len();
                    ring.dedup();
                    if ring.len() >= 2 && ring.first() != ring.last() {
                        let first = ring[0];
                        ring.push(first);
                        notes.push(format!(
                            "{} var inte sluten; den sista positionen (samma som den första) lades till.",
                            ring_subject(n, pi, ri)
                        ));
                    }
                    let distinct = {
                        let mut d = ring.clone();
                        d.pop();
                        d.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
                        d.dedup();
                        d.len()
                    };
                    if ring.len() < 4 || distinct < 3 {
                        faults.push(Fault::new(
                            "geometry.too_few_positions",
                            format!(
                                "{} har för få positioner ({before}). En ring behöver minst tre olika hörn och ska sluta där den började, alltså minst fyra positioner.",
                                ring_subject(n, pi, ri)
                            ),
                        ));
                    }
                    rings.push(ring);
                }
                let exterior = rings.remove(0);
                out.push(Polygon { exterior, holes: rings });
            }
            Shape::Polygons(out)
        }
    };

    // Inside Sweden, then inside the municipality.
    let outside = shape.positions().enumerate().find(|(_, p)| !SWEDEN_EXTENT.contains(p[0], p[1]));
    if let Some((i, p)) = outside {
        faults.push(Fault::new(
            "geometry.outside_sweden",
            format!(
                "Platsen ligger utanför Sverige (position {}: {}). Kontrollera koordinaterna och koordinatsystemet.",
                i + 1,
                where_text(crs, p)
            ),
        ));
    } else if let Some((m, e)) = check.municipality_extent()
        && let Some((i, p)) = shape.positions().enumerate().find(|(_, p)| !e.contains(p[0], p[1]))
    {
        {
            faults.push(Fault::new(
                "geometry.outside_municipality",
                format!(
                    "Platsen ligger utanför kommunen {} (position {}: {}). Kommunen ligger ungefär mellan lat {:.2} och {:.2}, lon {:.2} och {:.2}. Kontrollera koordinaterna, eller lägg platsen i rätt kommun.",
                    m.name,
                    i + 1,
                    where_text(crs, p),
                    e.min_lat + EXTENT_MARGIN_LAT,
                    e.max_lat - EXTENT_MARGIN_LAT,
                    e.min_lon + EXTENT_MARGIN_LON,
                    e.max_lon - EXTENT_MARGIN_LON
                ),
            ));
        }
    }
    if !faults.is_empty() {
        return Err(faults);
    }

    // Shape checks in metres.
    let metric = shape.to_sweref();
    if let Shape::Polygons(polys) = &metric {
        let n = polys.len();
        for (pi, poly) in polys.iter().enumerate() {
            let part = part_prefix(n, pi);
            let rings: Vec<&[[f64; 2]]> = std::iter::once(&poly.exterior).chain(poly.holes.iter()).map(Vec::as_slice).collect();
            if let Some(c) = planar::first_crossing(&rings) {
                let at = where_text(crs, sweref::to_wgs84(c.at));
                let (r1, s1) = c.first;
                let (r2, s2) = c.second;
                let message = if r1 == r2 {
                    format!(
                        "{} korsar sig själv vid {at} (sträckan mellan position {} och {} möter sträckan mellan position {} och {}). Rita om gränsen så att den inte korsar sig själv.",
                        ring_subject(n, pi, r1),
                        s1 + 1,
                        s1 + 2,
                        s2 + 1,
                        s2 + 2
                    )
                } else {
                    format!(
                        "{} {} {} vid {at}. Ett hål ska ligga helt inuti den yttre ringen utan att korsa den eller andra hål.",
                        ring_subject(n, pi, r2),
                        if c.overlap { "löper längs" } else { "korsar" },
                        ring_name(r1)
                    )
                };
                faults.push(Fault::new("geometry.self_intersection", message));
                continue;
            }
            // Mean width 2A/P: a "polygon" along a line has none (straight lines in degrees
            // bow by centimetres in the projection, so exactly zero is not to be expected).
            let perimeter: f64 = poly.exterior.windows(2).map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1])).sum();
            if planar::ring_area2(&poly.exterior).abs() < perimeter * MIN_MEAN_WIDTH_M {
                faults.push(Fault::new(
                    "geometry.zero_area",
                    format!(
                        "{part}Området har ingen yta: hörnen ligger på en linje. Rita ett område med minst tre hörn som inte ligger på rad."
                    ),
                ));
                continue;
            }
            // Bounding boxes first: they decide most pairs without walking the rings, so many
            // holes or parts do not cost rings × positions.
            let ext_box = planar::ring_box(&poly.exterior);
            let hole_boxes: Vec<[f64; 4]> = poly.holes.iter().map(|h| planar::ring_box(h)).collect();
            for (hi, hole) in poly.holes.iter().enumerate() {
                let outside = !planar::box_within(hole_boxes[hi], ext_box)
                    || hole.iter().any(|p| planar::locate_in_ring(*p, &poly.exterior) == planar::Location::Outside);
                if outside {
                    faults.push(Fault::new(
                        "geometry.hole_outside",
                        format!("{part}Hål {} ligger utanför den yttre ringen. Ett hål ska ligga inuti området; kontrollera ringarnas ordning (den yttre först).", hi + 1),
                    ));
                }
                for (hj, other) in poly.holes.iter().enumerate().filter(|(hj, _)| *hj != hi) {
                    if planar::box_within(hole_boxes[hi], hole_boxes[hj])
                        && hole.iter().all(|p| planar::locate_in_ring(*p, other) != planar::Location::Outside)
                        && hole.iter().any(|p| planar::locate_in_ring(*p, other) == planar::Location::Inside)
                    {
                        faults.push(Fault::new(
                            "geometry.hole_in_hole",
                            format!(
                                "{part}Hål {} ligger inuti hål {}. Ta bort det inre hålet eller gör det till en egen del.",
                                hi + 1,
                                hj + 1
                            ),
                        ));
                    }
                }
            }
        }
        if faults.is_empty() && n > 1 {
            let exteriors: Vec<&[[f64; 2]]> = polys.iter().map(|p| p.exterior.as_slice()).collect();
            if let Some(c) = planar::first_crossing(&exteriors) {
                faults.push(Fault::new(
                    "geometry.parts_overlap",
                    format!(
                        "Del {} och del {} överlappar vid {}. Delarna i en MultiPolygon får bara mötas i enstaka punkter; slå ihop dem till en polygon.",
                        c.first.0 + 1,
                        c.second.0 + 1,
                        where_text(crs, sweref::to_wgs84(c.at))
                    ),
                ));
            } else {
                let boxes: Vec<[f64; 4]> = polys.iter().map(|p| planar::ring_box(&p.exterior)).collect();
                for (i, a) in polys.iter().enumerate() {
                    for (j, b) in polys.iter().enumerate().filter(|(j, _)| *j != i) {
                        if planar::boxes_meet(boxes[i], boxes[j])
                            && b.exterior.iter().any(|p| planar::locate_in_polygon(*p, a) == planar::Location::Inside)
                        {
                            faults.push(Fault::new(
                                "geometry.parts_overlap",
                                format!("Del {} ligger inuti del {}. Delarna i en MultiPolygon ska ligga bredvid varandra; gör den inre delen till ett hål eller en egen plats.", j + 1, i + 1),
                            ));
                        }
                    }
                }
            }
        }
    }
    if !faults.is_empty() {
        faults.dedup();
        return Err(faults);
    }

    // Normalise orientation (RFC 7946: exteriors counter-clockwise, holes clockwise).
    let shape = match shape {
        Shape::Polygons(polys) => Shape::Polygons(
            polys
                .into_iter()
                .map(|mut p| {
                    if planar::ring_area2(&p.exterior) < 0.0 {
                        p.exterior.reverse();
                    }
                    for h in &mut p.holes {
                        if planar::ring_area2(h) > 0.0 {
                            h.reverse();
                        }
                    }
                    p
                })
                .collect(),
        ),
        point => point,
    };
    let (centroid, area_m2) = match &metric {
        Shape::Point(_) => (shape.positions().next().unwrap_or_default(), 0.0),
        Shape::Polygons(ps) => {
            let c = sweref::to_wgs84(planar::point_inside(ps));
            ([round7(c[0]), round7(c[1])], ps.iter().map(planar::polygon_area).sum())
        }
    };
    let geometry = PlaceGeometry { geojson: shape.to_geojson().to_string(), bbox: shape.bbox(), centroid };
    Ok(Valid { shape, geometry, area_m2, crs, notes })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

// ---- entry points ----

/// Reads one place's geometry: a GeoJSON geometry, a Feature, or a FeatureCollection with
/// exactly one feature.
pub fn parse_geometry(text: &str, choice: CrsChoice, check: &Check) -> Result<Valid, Vec<Fault>> {
    let value = parse_json(text).map_err(|f| vec![f])?;
    let declared = value.as_object().map(declared_crs).transpose().map_err(|f| vec![f])?.flatten();
    let geometry = match value.get("type").and_then(Value::as_str) {
        Some("Feature") => value.get("geometry").cloned().unwrap_or(Value::Null),
        Some("FeatureCollection") => {
            let features = value.get("features").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            match features {
                [one] => one.get("geometry").cloned().unwrap_or(Value::Null),
                _ => {
                    return Err(vec![Fault::new(
                        "geometry.many",
                        format!(
                            "Texten innehåller {} objekt; här ska det vara en enda plats. Använd importen för att lägga in flera.",
                            features.len()
                        ),
                    )]);
                }
            }
        }
        _ => value,
    };
    let raw = read_geometry(&geometry, &mut 0).map_err(|f| vec![f])?;
    validate(&raw, choice, declared, check)
}

fn parse_json(text: &str) -> Result<Value, Fault> {
    if text.trim().is_empty() {
        return Err(Fault::new("geojson.empty", "Ingen GeoJSON angavs. Klistra in eller ladda upp GeoJSON."));
    }
    serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')).map_err(|e| {
        Fault::new(
            "geojson.syntax",
            format!(
                "Texten är inte giltig JSON (rad {}, kolumn {}). Kontrollera klamrar, citattecken och kommatecken där.",
                e.line(),
                e.column()
            ),
        )
    })
}

/// Reads typed latitude and longitude (decimal degrees; a decimal comma is fine). Errors are
/// field errors on `lat` and `lon`.
pub fn point_from_text(lat: &str, lon: &str, check: &Check) -> Result<Valid, Vec<(&'static str, Fault)>> {
    let num =
        |s: &str| s.trim().replace(',', ".").replace('−', "-").trim_end_matches('°').trim().parse::<f64>().ok().filter(|v| v.is_finite());
    let mut errs = Vec::new();
    let la = num(lat);
    let lo = num(lon);
    if la.is_none() {
        errs.push((
            "lat",
            Fault::new(
                "lat.invalid",
                if lat.trim().is_empty() {
                    "Ange latitud i decimalgrader, till exempel 55.3751."
                } else {
                    "Latitud ska vara ett tal i decimalgrader, till exempel 55.3751."
                },
            ),
        ));
    }
    if lo.is_none() {
        errs.push((
            "lon",
            Fault::new(
                "lon.invalid",
                if lon.trim().is_empty() {
                    "Ange longitud i decimalgrader, till exempel 13.1566."
                } else {
                    "Longitud ska vara ett tal i decimalgrader, till exempel 13.1566."
                },
            ),
        ));
    }
    let (Some(la), Some(lo)) = (la, lo) else { return Err(errs) };
    if (54.0..=70.0).contains(&lo) && (9.0..=25.0).contains(&la) {
        return Err(vec![(
            "lat",
            Fault::new(
                "crs.swapped",
                format!(
                    "Latitud och longitud verkar ha bytt plats: i Sverige är latitud 55–69 och longitud 10–24. Skriv latitud {lo} och longitud {la}."
                ),
            ),
        )]);
    }
    if la.abs() > 90.0 || lo.abs() > 180.0 {
        return Err(vec![(
            if la.abs() > 90.0 { "lat" } else { "lon" },
            Fault::new(
                "crs.not_degrees",
                "Talen är inte grader. Koordinater i SWEREF 99 TM (meter) skrivs som GeoJSON i fältet nedan, med SWEREF 99 TM valt.",
            ),
        )]);
    }
    validate(&Shape::Point([lo, la]), CrsChoice::Wgs84, None, check).map_err(|fs| fs.into_iter().map(|f| ("lat", f)).collect())
}

/// One feature of an uploaded file.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// 1-based position in the file.
    pub index: usize,
    /// `properties.name` (or `namn`), trimmed; `None` when missing or blank.
    pub name: Option<String>,
    /// `properties.kind` (or `typ`, `type`).
    pub kind: Option<String>,
    /// `properties.parent` (or `överordnad`, `inom`): the name of the place it lies in.
    pub parent: Option<String>,
    pub result: Result<Valid, Vec<Fault>>,
}

impl Feature {
    /// "Objekt 3 (”Stortorget”)" or "Objekt 3 (utan namn)".
    pub fn label(&self) -> String {
        feature_label(self.index, self.name.as_deref())
    }
}

pub fn feature_label(index: usize, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("Objekt {index} (”{n}”)"),
        None => format!("Objekt {index} (utan namn)"),
    }
}

fn property(props: Option<&Map<String, Value>>, keys: &[&str]) -> Option<String> {
    let props = props?;
    props
        .iter()
        .find(|(k, _)| keys.iter().any(|want| k.trim().to_lowercase() == *want))
        .and_then(|(_, v)| match v {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|s| !s.is_empty())
}

/// Reads a FeatureCollection (or a single Feature or geometry) into features, each checked
/// on its own. A fault of the whole file (not JSON, not GeoJSON, an unsupported `crs`, too
/// large) is returned as `Err`.
pub fn parse_collection(text: &str, choice: CrsChoice, check: &Check) -> Result<Vec<Feature>, Fault> {
    let value = parse_json(text)?;
    let Some(obj) = value.as_object() else {
        return Err(Fault::new(
            "geojson.type",
            "GeoJSON ska vara ett objekt med type, till exempel {\"type\": \"FeatureCollection\", \"features\": […]}.",
        ));
    };
    let declared = declared_crs(obj)?;
    if let (Some(d), CrsChoice::Wgs84 | CrsChoice::Sweref99Tm) = (declared, choice) {
        let chosen = if choice == CrsChoice::Wgs84 { Crs::Wgs84 } else { Crs::Sweref99Tm };
        if d != chosen {
            return Err(Fault::new(
                "crs.conflict",
                format!("Filen anger {} men du valde {}. Välj {} eller Avgör automatiskt.", d.label(), chosen.label(), d.label()),
            ));
        }
    }
    let single;
    let features: &[Value] = match obj.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => obj
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| Fault::new("geojson.features", "FeatureCollection saknar listan features."))?,
        Some("Feature") => {
            single = [value.clone()];
            &single
        }
        Some("Point" | "Polygon" | "MultiPolygon") => {
            single = [json!({"type": "Feature", "properties": {}, "geometry": value.clone()})];
            &single
        }
        Some(other) => {
            return Err(Fault::new(
                "geojson.type",
                format!("GeoJSON av typen ”{other}” kan inte läsas som platser. Ange en FeatureCollection."),
            ));
        }
        None => return Err(Fault::new("geojson.type", "GeoJSON saknar type. Ange en FeatureCollection med features.")),
    };
    if features.is_empty() {
        return Err(Fault::new("geojson.empty", "Filen innehåller inga objekt (features är tom)."));
    }
    if features.len() > MAX_FEATURES {
        return Err(Fault::new(
            "geojson.too_many",
            format!("Filen innehåller {} objekt; högst {MAX_FEATURES} kan läsas in åt gången. Dela upp filen.", features.len()),
        ));
    }
    let mut total = 0usize;
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let props = f.get("properties").and_then(Value::as_object);
        let name = property(props, &["name", "namn"]);
        let kind = property(props, &["kind", "typ", "type"]);
        let parent = property(props, &["parent", "överordnad", "overordnad", "inom", "förälder"]);
        let mut count = 0usize;
        let result = if f.get("type").and_then(Value::as_str) != Some("Feature") {
            Err(vec![Fault::new("geojson.feature", "Objektet är inte en Feature (type ska vara ”Feature”, med geometry och properties).")])
        } else {
            read_geometry(f.get("geometry").unwrap_or(&Value::Null), &mut count)
                .map_err(|e| vec![e])
                .and_then(|raw| validate(&raw, choice, declared, check))
        };
        total += count;
        if total > MAX_POSITIONS_PER_FILE {
            return Err(Fault::new(
                "geojson.too_large",
                format!("Filen har fler än {MAX_POSITIONS_PER_FILE} positioner. Förenkla gränserna eller dela upp filen."),
            ));
        }
        out.push(Feature { index: i + 1, name, kind, parent, result });
    }
    Ok(out)
}

/// The municipality a check is for, by code (`None` for an unknown code).
pub fn check_for(code: &str) -> Option<Check> {
    geography::municipality(code).map(Check::municipality)
}

#[cfg(test)]
mod tests;
