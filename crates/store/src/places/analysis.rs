//! Stored places as input for the analysis engine (`brygga_analys`), which works in SWEREF 99
//! TM metres: polygons become [`brygga_analys::Area`]s, points stay points. This adapter lives in
//! the store, which knows both `domain` and `analys`, so that those two stay independent.
//!
//! ```
//! use brygga_store::places::analysis::{AnalysisPlace, from_geojson};
//! let stored: serde_json::Value = serde_json::from_str(
//!     r#"{"type":"Polygon","coordinates":[[[13.15,55.37],[13.16,55.37],[13.16,55.38],[13.15,55.37]]]}"#,
//! ).unwrap();
//! let AnalysisPlace::Area(area) = from_geojson(&stored).unwrap() else { unreachable!() };
//! assert!(area.area() > 10_000.0); // square metres
//! ```

use serde_json::Value;

use brygga_domain::geometry::{Fault, Shape};

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

#[cfg(test)]
mod tests {
    use brygga_domain::geometry::PlaceGeometry;

    use super::*;

    #[test]
    fn the_analysis_engine_gets_metres() {
        let square: Value = serde_json::from_str(
            r#"{"type":"Polygon","coordinates":[[[13.15,55.37],[13.16,55.37],[13.16,55.38],[13.15,55.38],[13.15,55.37]]]}"#,
        )
        .unwrap();
        let place = from_geojson(&square).unwrap();
        // About 630 m east–west by 1,110 m north–south at 55.4° N.
        let area = place.area().unwrap().area();
        assert!((600_000.0..800_000.0).contains(&area), "{area}");
        let c = place.point();
        assert!((c[0] - 383_000.0).abs() < 2_000.0 && (c[1] - 6_138_000.0).abs() < 3_000.0, "{c:?}");
        let stored: Value = serde_json::from_str(&PlaceGeometry::point(13.1566, 55.3751).geojson).unwrap();
        assert!(matches!(from_geojson(&stored).unwrap(), AnalysisPlace::Point(_)));
    }
}
