//! Plain geometry types in a projected, metric coordinate system (e.g. SWEREF 99 TM, EPSG:3006).
//!
//! No reprojection happens here: distances are Euclidean in the units of the coordinates.

use crate::error::{Error, Result};

/// A point `[x, y]` (easting, northing).
pub type Point = [f64; 2];

/// A closed ring of vertices. The closing vertex may be repeated or not; orientation is free.
pub type Ring = Vec<Point>;

/// One polygon: an exterior ring and zero or more holes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Polygon {
    /// The outer boundary.
    pub exterior: Ring,
    /// Holes (interior rings).
    pub holes: Vec<Ring>,
}

/// An area (område): one or more polygons (a multipolygon when it has several parts).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Area {
    /// The parts.
    pub parts: Vec<Polygon>,
}

impl Area {
    /// An area of one polygon without holes.
    pub fn simple(exterior: Ring) -> Self {
        Area { parts: vec![Polygon { exterior, holes: Vec::new() }] }
    }

    /// Every ring of every part (exteriors and holes).
    pub fn rings(&self) -> impl Iterator<Item = &Ring> {
        self.parts.iter().flat_map(|p| std::iter::once(&p.exterior).chain(p.holes.iter()))
    }

    /// Area in square units: exteriors minus holes.
    pub fn area(&self) -> f64 {
        self.parts
            .iter()
            .map(|p| ring_signed_area(&p.exterior).abs() - p.holes.iter().map(|h| ring_signed_area(h).abs()).sum::<f64>())
            .sum()
    }

    /// Area-weighted centroid (holes subtract), as GEOS/shapely `centroid` for polygonal
    /// geometries. Falls back to the mean of the exterior vertices when the area is zero.
    pub fn centroid(&self) -> Point {
        let (mut sx, mut sy, mut sa) = (0.0, 0.0, 0.0);
        for part in &self.parts {
            for (k, ring) in std::iter::once(&part.exterior).chain(part.holes.iter()).enumerate() {
                let (a, c) = ring_area_centroid(ring);
                let weight = if k == 0 { a.abs() } else { -a.abs() };
                sx += weight * c[0];
                sy += weight * c[1];
                sa += weight;
            }
        }
        if sa != 0.0 && sa.is_finite() {
            return [sx / sa, sy / sa];
        }
        let (mut mx, mut my, mut count) = (0.0, 0.0, 0usize);
        for part in &self.parts {
            for v in &part.exterior {
                mx += v[0];
                my += v[1];
                count += 1;
            }
        }
        if count == 0 { [f64::NAN, f64::NAN] } else { [mx / count as f64, my / count as f64] }
    }

    /// Checks that the area has at least one exterior ring of three vertices and finite
    /// coordinates. `index` names the area in the error.
    pub fn validate(&self, index: usize) -> Result<()> {
        if self.parts.is_empty() {
            return Err(Error::InvalidGeometry { index, reason: "inga delytor" });
        }
        for part in &self.parts {
            if distinct_len(&part.exterior) < 3 {
                return Err(Error::InvalidGeometry { index, reason: "en yttre ring har färre än tre hörn" });
            }
        }
        for ring in self.rings() {
            if ring.iter().any(|v| !v[0].is_finite() || !v[1].is_finite()) {
                return Err(Error::InvalidGeometry { index, reason: "koordinat som inte är ett ändligt tal" });
            }
        }
        Ok(())
    }
}

fn distinct_len(ring: &Ring) -> usize {
    if ring.len() > 1 && ring.first() == ring.last() { ring.len() - 1 } else { ring.len() }
}

/// The ring's vertices without a repeated closing vertex.
pub(crate) fn open_ring(ring: &Ring) -> &[Point] {
    &ring[..distinct_len(ring)]
}

/// Shoelace signed area (positive for counter-clockwise).
pub fn ring_signed_area(ring: &Ring) -> f64 {
    ring_area_centroid(ring).0
}

/// Signed area and centroid of a ring (shoelace formula relative to the first vertex).
fn ring_area_centroid(ring: &Ring) -> (f64, Point) {
    let v = open_ring(ring);
    if v.len() < 3 {
        return (0.0, [f64::NAN, f64::NAN]);
    }
    let o = v[0];
    let (mut a2, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for k in 1..v.len() - 1 {
        let (x1, y1) = (v[k][0] - o[0], v[k][1] - o[1]);
        let (x2, y2) = (v[k + 1][0] - o[0], v[k + 1][1] - o[1]);
        let cross = x1 * y2 - x2 * y1;
        a2 += cross;
        cx += cross * (x1 + x2);
        cy += cross * (y1 + y2);
    }
    if a2 == 0.0 {
        return (0.0, [f64::NAN, f64::NAN]);
    }
    (a2 / 2.0, [o[0] + cx / (3.0 * a2), o[1] + cy / (3.0 * a2)])
}

/// Squared distance between two points.
#[inline]
pub fn dist2(a: Point, b: Point) -> f64 {
    let dx = a[0] - b[0];
    let dy = a[1] - b[1];
    dx * dx + dy * dy
}

/// Squared distance from point `p` to the segment `a`–`b`.
pub fn point_segment_dist2(p: Point, a: Point, b: Point) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return dist2(p, a);
    }
    let t = (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0);
    dist2(p, [a[0] + t * dx, a[1] + t * dy])
}

/// Checks that every point has finite coordinates.
pub fn check_points(points: &[Point]) -> Result<()> {
    match points.iter().position(|p| !p[0].is_finite() || !p[1].is_finite()) {
        Some(index) => Err(Error::NonFiniteCoordinate { index }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_with_hole_area_and_centroid() {
        let outer = vec![[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]];
        let hole = vec![[2.0, 2.0], [3.0, 2.0], [3.0, 3.0], [2.0, 3.0]];
        let a = Area { parts: vec![Polygon { exterior: outer, holes: vec![hole] }] };
        assert_eq!(a.area(), 15.0);
        let c = a.centroid();
        // (16*2 - 1*2.5)/15
        assert!((c[0] - (32.0 - 2.5) / 15.0).abs() < 1e-12);
        assert!((c[1] - (32.0 - 2.5) / 15.0).abs() < 1e-12);
    }

    #[test]
    fn orientation_does_not_matter() {
        let ccw = vec![[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [0.0, 1.0]];
        let mut cw = ccw.clone();
        cw.reverse();
        assert_eq!(Area::simple(ccw).centroid(), Area::simple(cw).centroid());
    }

    #[test]
    fn segment_distance() {
        assert_eq!(point_segment_dist2([1.0, 1.0], [0.0, 0.0], [2.0, 0.0]), 1.0);
        assert_eq!(point_segment_dist2([3.0, 0.0], [0.0, 0.0], [2.0, 0.0]), 1.0);
    }
}
