//! SWEREF 99 TM (EPSG:3006) ⇄ WGS84 (EPSG:4326).
//!
//! Gauss–Krüger (transverse Mercator) on the GRS 80 ellipsoid with Krüger's series to the
//! fourth order, as Lantmäteriet publishes it ("Gauss-Krügers projektion", formulas for
//! geodetic → grid and grid → geodetic). SWEREF 99 coincides with WGS84 at the level that
//! matters here (a few decimetres at most between the frames), so latitude and longitude in
//! either are treated as the same numbers, as Swedish municipal GIS does.
//!
//! Parameters of SWEREF 99 TM: central meridian 15° E, scale factor 0.9996, false northing 0,
//! false easting 500 000 m. Within Sweden the series agree with PROJ's extended
//! transverse Mercator to well under a millimetre (see the tests).

/// GRS 80 semi-major axis, metres.
const A: f64 = 6_378_137.0;
/// GRS 80 flattening.
const F: f64 = 1.0 / 298.257_222_101;
const CENTRAL_MERIDIAN_DEG: f64 = 15.0;
const SCALE: f64 = 0.9996;
const FALSE_NORTHING: f64 = 0.0;
const FALSE_EASTING: f64 = 500_000.0;

struct Constants {
    a_roof: f64,
    // geodetic → conformal latitude
    a: f64,
    b: f64,
    c: f64,
    d: f64,
    // conformal → geodetic latitude
    a_star: f64,
    b_star: f64,
    c_star: f64,
    d_star: f64,
    beta: [f64; 4],
    delta: [f64; 4],
}

const fn constants() -> Constants {
    let e2 = F * (2.0 - F);
    let n = F / (2.0 - F);
    let (n2, n3, n4) = (n * n, n * n * n, n * n * n * n);
    let (e4, e6, e8) = (e2 * e2, e2 * e2 * e2, e2 * e2 * e2 * e2);
    Constants {
        a_roof: A / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0),
        a: e2,
        b: (5.0 * e4 - e6) / 6.0,
        c: (104.0 * e6 - 45.0 * e8) / 120.0,
        d: (1237.0 * e8) / 1260.0,
        a_star: e2 + e4 + e6 + e8,
        b_star: -(7.0 * e4 + 17.0 * e6 + 30.0 * e8) / 6.0,
        c_star: (224.0 * e6 + 889.0 * e8) / 120.0,
        d_star: -(4279.0 * e8) / 1260.0,
        beta: [
            n / 2.0 - 2.0 * n2 / 3.0 + 5.0 * n3 / 16.0 + 41.0 * n4 / 180.0,
            13.0 * n2 / 48.0 - 3.0 * n3 / 5.0 + 557.0 * n4 / 1440.0,
            61.0 * n3 / 240.0 - 103.0 * n4 / 140.0,
            49561.0 * n4 / 161_280.0,
        ],
        delta: [
            n / 2.0 - 2.0 * n2 / 3.0 + 37.0 * n3 / 96.0 - n4 / 360.0,
            n2 / 48.0 + n3 / 15.0 - 437.0 * n4 / 1440.0,
            17.0 * n3 / 480.0 - 37.0 * n4 / 840.0,
            4397.0 * n4 / 161_280.0,
        ],
    }
}

const K: Constants = constants();

/// WGS84 `[lon, lat]` in degrees → SWEREF 99 TM `[east, north]` in metres.
pub fn to_sweref([lon, lat]: [f64; 2]) -> [f64; 2] {
    let phi = lat.to_radians();
    let dl = (lon - CENTRAL_MERIDIAN_DEG).to_radians();
    let (s, c) = phi.sin_cos();
    let s2 = s * s;
    let phi_star = phi - s * c * (K.a + s2 * (K.b + s2 * (K.c + s2 * K.d)));
    let xi = (phi_star.tan() / dl.cos()).atan();
    let eta = (phi_star.cos() * dl.sin()).atanh();
    let (mut x, mut y) = (xi, eta);
    for (j, beta) in K.beta.iter().enumerate() {
        let k = 2.0 * (j as f64 + 1.0);
        x += beta * (k * xi).sin() * (k * eta).cosh();
        y += beta * (k * xi).cos() * (k * eta).sinh();
    }
    [SCALE * K.a_roof * y + FALSE_EASTING, SCALE * K.a_roof * x + FALSE_NORTHING]
}

/// SWEREF 99 TM `[east, north]` in metres → WGS84 `[lon, lat]` in degrees.
pub fn to_wgs84([east, north]: [f64; 2]) -> [f64; 2] {
    let xi = (north - FALSE_NORTHING) / (SCALE * K.a_roof);
    let eta = (east - FALSE_EASTING) / (SCALE * K.a_roof);
    let (mut xp, mut ep) = (xi, eta);
    for (j, delta) in K.delta.iter().enumerate() {
        let k = 2.0 * (j as f64 + 1.0);
        xp -= delta * (k * xi).sin() * (k * eta).cosh();
        ep -= delta * (k * xi).cos() * (k * eta).sinh();
    }
    let phi_star = (xp.sin() / ep.cosh()).asin();
    let dl = (ep.sinh() / xp.cos()).atan();
    let (s, c) = phi_star.sin_cos();
    let s2 = s * s;
    let phi = phi_star + s * c * (K.a_star + s2 * (K.b_star + s2 * (K.c_star + s2 * K.d_star)));
    [CENTRAL_MERIDIAN_DEG + dl.to_degrees(), phi.to_degrees()]
}

/// The distance in metres between two WGS84 positions, measured in SWEREF 99 TM (good to
/// a fraction of a per mille inside Sweden).
pub fn distance_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (p, q) = (to_sweref(a), to_sweref(b));
    (p[0] - q[0]).hypot(p[1] - q[1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (lat, lon, north, east): grid coordinates from PROJ 9 (`cs2cs EPSG:4326 EPSG:3006`,
    /// the extended transverse Mercator of Poder and Engsager), across the whole of SWEREF
    /// 99's area of use, its corners included.
    const CONTROL: &[(f64, f64, f64, f64)] = &[
        (55.3751, 13.1566, 6138079.9665, 383190.1593), // Stortorget, Trelleborg
        (59.3293, 18.0686, 6580743.0083, 674571.8664), // Stockholm
        (66.0, 24.0, 7349217.6675, 907351.9808),
        (58.0, 11.0, 6435711.2291, 263647.3847),
        (62.0, 15.0, 6874180.1477, 500000.0000),   // on the central meridian
        (67.85, 20.2, 7535335.5793, 718576.3850),  // Kiruna
        (54.96, 10.03, 6101648.0705, 181896.3291), // south-west corner
        (69.07, 24.17, 7689478.3056, 864416.0018), // north-east corner
        (56.3, 12.5, 6242278.0151, 345309.2753),
    ];

    #[test]
    fn control_points_forward_within_a_millimetre() {
        for &(lat, lon, n, e) in CONTROL {
            let [east, north] = to_sweref([lon, lat]);
            assert!((east - e).abs() < 0.001 && (north - n).abs() < 0.001, "{lat} {lon}: got {north:.4} {east:.4}, want {n} {e}");
        }
    }

    #[test]
    fn control_points_inverse_within_a_centimetre() {
        for &(lat, lon, n, e) in CONTROL {
            let back = to_wgs84([e, n]);
            // 1 cm is about 9e-8 degrees of latitude; compare as metres.
            let err = distance_m(back, [lon, lat]);
            assert!(err < 0.001, "{lat} {lon}: inverse off by {err} m");
        }
    }

    #[test]
    fn distance_of_a_known_stretch() {
        // One minute of latitude near 55.4° N is about 1 855 m on GRS 80.
        let d = distance_m([13.0, 55.4], [13.0, 55.4 + 1.0 / 60.0]);
        assert!((d - 1855.0).abs() < 5.0, "{d}");
    }

    proptest! {
        #[test]
        fn round_trip_is_sub_millimetre(lon in 10.0f64..24.2, lat in 54.9f64..69.1) {
            let back = to_wgs84(to_sweref([lon, lat]));
            prop_assert!((back[0] - lon).abs() < 1e-8 && (back[1] - lat).abs() < 1e-8, "{lon} {lat} -> {back:?}");
        }

        #[test]
        fn grid_round_trip_is_sub_millimetre(e in 180_000.0f64..920_000.0, n in 6_100_000.0f64..7_700_000.0) {
            let [ee, nn] = to_sweref(to_wgs84([e, n]));
            prop_assert!((ee - e).abs() < 1e-3 && (nn - n).abs() < 1e-3);
        }
    }
}
