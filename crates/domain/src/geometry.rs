//! Places as geometry: WGS84 (EPSG:4326) coordinates as `[lon, lat]`, the form stored and
//! served as GeoJSON. Parsing, projections (SWEREF 99 TM, EPSG:3006) and validation live here.

use serde::{Deserialize, Serialize};

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
}

impl PlaceGeometry {
    /// A point place.
    pub fn point(lon: f64, lat: f64) -> Self {
        Self {
            geojson: format!("{{\"type\":\"Point\",\"coordinates\":[{lon},{lat}]}}"),
            bbox: Bbox { min_lon: lon, min_lat: lat, max_lon: lon, max_lat: lat },
            centroid: [lon, lat],
        }
    }
}
