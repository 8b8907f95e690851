//! Demo places (platser) for Trelleborg, Hässleholm and Ängelholm: districts with squares,
//! parks, a library, a station and school yards inside them.
//!
//! The shapes are APPROXIMATE: hand-made rectangles and polygons drawn around the real spots
//! from memory of the towns' layout, good to a block or two — plausible for a demonstration,
//! not survey data. Every one passes the same validation as user input (inside Sweden and
//! the municipality's extent, simple rings), which the tests check.

use brygga_domain::geography;
use brygga_domain::geometry::{self, Check, CrsChoice, PlaceGeometry, Polygon, Shape};

/// What a demo place is drawn as, in WGS84 `[lon, lat]`.
enum Draw {
    Point(f64, f64),
    /// An outline, not closed (the first corner is repeated when built).
    Outline(&'static [[f64; 2]]),
}

use Draw::{Outline, Point};

/// (municipality code, name, kind, parent name, drawing) — parents before children.
const PLACES: &[(&str, &str, &str, Option<&str>, Draw)] = &[
    // ---- Trelleborg (1287) ----
    (
        "1287",
        "Centrum",
        "district",
        None,
        Outline(&[[13.1455, 55.3705], [13.1690, 55.3705], [13.1700, 55.3790], [13.1620, 55.3830], [13.1460, 55.3815]]),
    ),
    (
        "1287",
        "Stortorget",
        "square",
        Some("Centrum"),
        Outline(&[[13.1556, 55.3746], [13.1577, 55.3746], [13.1577, 55.3757], [13.1556, 55.3757]]),
    ),
    (
        "1287",
        "Stadsparken",
        "park",
        Some("Centrum"),
        Outline(&[[13.1585, 55.3772], [13.1632, 55.3770], [13.1640, 55.3796], [13.1592, 55.3799]]),
    ),
    ("1287", "Biblioteket", "library", Some("Centrum"), Point(13.1590, 55.3760)),
    ("1287", "Trelleborgs resecentrum", "station", Some("Centrum"), Point(13.1540, 55.3728)),
    (
        "1287",
        "Västra Sorgenfri",
        "residential",
        None,
        Outline(&[[13.1240, 55.3720], [13.1450, 55.3712], [13.1455, 55.3835], [13.1300, 55.3870], [13.1235, 55.3800]]),
    ),
    (
        "1287",
        "Lekplatsen i Västra Sorgenfri",
        "park",
        Some("Västra Sorgenfri"),
        Outline(&[[13.1335, 55.3770], [13.1352, 55.3770], [13.1352, 55.3779], [13.1335, 55.3779]]),
    ),
    ("1287", "Östra Centrum", "district", None, Outline(&[[13.1700, 55.3705], [13.1880, 55.3715], [13.1885, 55.3820], [13.1700, 55.3790]])),
    (
        "1287",
        "Söderslättsgymnasiets skolgård",
        "school_yard",
        Some("Östra Centrum"),
        Outline(&[[13.1735, 55.3745], [13.1772, 55.3745], [13.1772, 55.3766], [13.1750, 55.3766], [13.1750, 55.3758], [13.1735, 55.3758]]),
    ),
    ("1287", "Hamnen", "other", None, Outline(&[[13.1480, 55.3655], [13.1700, 55.3660], [13.1695, 55.3702], [13.1485, 55.3700]])),
    // ---- Hässleholm (1293) ----
    ("1293", "Centrum", "district", None, Outline(&[[13.7540, 56.1530], [13.7790, 56.1525], [13.7800, 56.1650], [13.7560, 56.1655]])),
    (
        "1293",
        "Stortorget",
        "square",
        Some("Centrum"),
        Outline(&[[13.7655, 56.1582], [13.7678, 56.1582], [13.7678, 56.1593], [13.7655, 56.1593]]),
    ),
    ("1293", "Hässleholms resecentrum", "station", Some("Centrum"), Point(13.7622, 56.1578)),
    ("1293", "Hässleholms bibliotek", "library", Some("Centrum"), Point(13.7690, 56.1603)),
    ("1293", "Hembygdsparken", "park", None, Outline(&[[13.7810, 56.1540], [13.7880, 56.1538], [13.7885, 56.1580], [13.7815, 56.1582]])),
    ("1293", "Västerås", "residential", None, Outline(&[[13.7350, 56.1560], [13.7530, 56.1555], [13.7535, 56.1680], [13.7360, 56.1685]])),
    // ---- Ängelholm (1292) ----
    ("1292", "Centrum", "district", None, Outline(&[[12.8500, 56.2385], [12.8740, 56.2380], [12.8750, 56.2480], [12.8520, 56.2490]])),
    (
        "1292",
        "Stortorget",
        "square",
        Some("Centrum"),
        Outline(&[[12.8607, 56.2428], [12.8630, 56.2428], [12.8630, 56.2439], [12.8607, 56.2439]]),
    ),
    ("1292", "Ängelholms station", "station", Some("Centrum"), Point(12.8625, 56.2405)),
    (
        "1292",
        "Klippanvägens skolgård",
        "school_yard",
        Some("Centrum"),
        Outline(&[[12.8680, 56.2445], [12.8710, 56.2445], [12.8710, 56.2462], [12.8680, 56.2462]]),
    ),
    ("1292", "Havsbaden", "park", None, Outline(&[[12.8360, 56.2500], [12.8470, 56.2490], [12.8500, 56.2580], [12.8400, 56.2600]])),
];

/// The demo places, parents before children: (municipality code, name, kind, parent name,
/// geometry). Each geometry has passed `brygga_domain::geometry::validate` for its
/// municipality.
pub fn demo_areas() -> Vec<(&'static str, &'static str, &'static str, Option<&'static str>, PlaceGeometry)> {
    PLACES
        .iter()
        .map(|(code, name, kind, parent, draw)| {
            let shape = match draw {
                Point(lon, lat) => Shape::Point([*lon, *lat]),
                Outline(corners) => {
                    let mut ring = corners.to_vec();
                    ring.push(corners[0]);
                    Shape::Polygons(vec![Polygon { exterior: ring, holes: vec![] }])
                }
            };
            let check = geography::municipality(code).map(Check::municipality).unwrap_or_else(Check::sweden);
            let valid = geometry::validate(&shape, CrsChoice::Wgs84, None, &check)
                .unwrap_or_else(|e| panic!("demo place {name} in {code} is invalid: {e:?}"));
            (*code, *name, *kind, *parent, valid.geometry)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_place_is_valid_and_its_parent_comes_first() {
        let all = demo_areas();
        assert!(all.len() >= 20);
        for (i, (code, name, kind, parent, g)) in all.iter().enumerate() {
            assert!(brygga_store::places::areas::KINDS.iter().any(|(k, _)| k == kind), "{name}: kind {kind}");
            if let Some(p) = parent {
                let found = all[..i].iter().find(|(c, n, ..)| c == code && n == p);
                let (.., parent_geometry) = found.unwrap_or_else(|| panic!("{name}: parent {p} must come before it"));
                // The child's point inside lies within the parent's outline.
                let shape = Shape::from_stored(&serde_json::from_str(&parent_geometry.geojson).unwrap()).unwrap();
                assert!(shape.contains(g.centroid[0], g.centroid[1], 0.0), "{name} is not inside {p}");
            }
        }
        let mut keys: Vec<(&str, &str)> = all.iter().map(|(c, n, ..)| (*c, *n)).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), all.len(), "names are unique per municipality");
    }
}
