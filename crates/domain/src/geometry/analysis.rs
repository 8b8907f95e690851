//! Stored places as input for the analysis engine (`brygga_analys`), which works in SWEREF 99
//! TM metres: polygons become [`brygga_analys::Area`]s, points stay points.
//!
//! ```
//! use brygga_domain::geometry::analysis::{AnalysisPlace, from_geojson};
//! let stored: serde_json::Value = serde_json::from_str(
//!     r#"{"type":"Polygon","coordinates":[[[13.15,55.37],[13.16,55.37],[13.16,55.38],[13.15,55.37]]]}"#,
//! ).unwrap();
//! let AnalysisPlace::Area(area) = from_geojson(&stored).unwrap() else { unreachable!() };
//! assert!(area.area() > 10_000.0); // square metres
//! ```

use serde_json::Value;

use super::{Fault, Shape};

/// A place in SWEREF 99 TM metres.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalysisPlace {
    /// A point place (a square drawn as a point, a bus stop).
    Point(brygga_analys::Point),
    /// A polygon place (a district, a park).
    Area(brygga_analys::Area),
}

impl AnalysisPlace {
    /// The area when the place is a polygon.
    pub fn area(&self) -> Option<&brygga_analys::Area> {
        match self {
            AnalysisPlace::Area(a) => Some(a),
            AnalysisPlace::Point(_) => None,
        }
    }

    /// A representative point: the point itself, or the area's centroid.
    pub fn point(&self) -> brygga_analys::Point {
        match self {
            AnalysisPlace::Point(p) => *p,
            AnalysisPlace::Area(a) => a.centroid(),
        }
    }
}

/// A WGS84 shape in SWEREF 99 TM, for the analysis engine.
pub fn from_shape(shape: &Shape) -> AnalysisPlace {
    match shape.to_sweref() {
        Shape::Point(p) => AnalysisPlace::Point(p),
        Shape::Polygons(ps) => AnalysisPlace::Area(brygga_analys::Area {
            parts: ps.into_iter().map(|p| brygga_analys::Polygon { exterior: p.exterior, holes: p.holes }).collect(),
        }),
    }
}

/// A stored GeoJSON geometry (WGS84, as in the `areas` table) in SWEREF 99 TM.
pub fn from_geojson(geometry: &Value) -> Result<AnalysisPlace, Fault> {
    Shape::from_stored(geometry).map(|s| from_shape(&s))
}
