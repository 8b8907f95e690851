use proptest::prelude::*;

use super::*;

fn trelleborg() -> Check {
    check_for("1287").unwrap()
}

/// A rectangle around Stortorget, Trelleborg, in WGS84 (closed, counter-clockwise).
const TORG: &str =
    r#"{"type":"Polygon","coordinates":[[[13.1555,55.3745],[13.1578,55.3745],[13.1578,55.3757],[13.1555,55.3757],[13.1555,55.3745]]]}"#;

fn codes(r: &Result<Valid, Vec<Fault>>) -> Vec<&'static str> {
    match r {
        Ok(_) => vec![],
        Err(fs) => fs.iter().map(|f| f.code).collect(),
    }
}

fn message(r: &Result<Valid, Vec<Fault>>) -> String {
    match r {
        Ok(_) => String::new(),
        Err(fs) => fs.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join(" | "),
    }
}

#[test]
fn a_wgs84_polygon_is_read_measured_and_stored() {
    let v = parse_geometry(TORG, CrsChoice::Auto, &trelleborg()).unwrap();
    assert_eq!(v.crs, Crs::Wgs84);
    // 0.0023° × 0.0012° at 55.4° N ≈ 145 m × 134 m.
    assert!((v.area_m2 - 19_450.0).abs() < 300.0, "{}", v.area_m2);
    assert!(v.shape.contains(v.geometry.centroid[0], v.geometry.centroid[1], 0.0));
    assert_eq!(v.geometry.bbox, Bbox { min_lon: 13.1555, min_lat: 55.3745, max_lon: 13.1578, max_lat: 55.3757 });
    let stored: Value = serde_json::from_str(&v.geometry.geojson).unwrap();
    assert_eq!(stored["type"], "Polygon");
    assert_eq!(Shape::from_stored(&stored).unwrap(), v.shape);
    assert!(v.notes.is_empty());
}

#[test]
fn sweref_99_tm_is_recognised_and_converted() {
    // The same rectangle's corners in SWEREF 99 TM.
    let corners: Vec<[f64; 2]> = [[13.1555, 55.3745], [13.1578, 55.3745], [13.1578, 55.3757], [13.1555, 55.3757], [13.1555, 55.3745]]
        .iter()
        .map(|p| sweref::to_sweref(*p))
        .collect();
    let text = json!({"type": "Polygon", "coordinates": [corners]}).to_string();
    for choice in [CrsChoice::Auto, CrsChoice::Sweref99Tm] {
        let v = parse_geometry(&text, choice, &trelleborg()).unwrap();
        assert_eq!(v.crs, Crs::Sweref99Tm);
        let Shape::Polygons(ps) = &v.shape else { panic!() };
        assert!((ps[0].exterior[0][0] - 13.1555).abs() < 2e-7 && (ps[0].exterior[0][1] - 55.3745).abs() < 2e-7, "{:?}", ps[0].exterior[0]);
    }
    // Chosen as WGS84, metres are explained.
    let r = parse_geometry(&text, CrsChoice::Wgs84, &trelleborg());
    assert_eq!(codes(&r), ["crs.not_degrees"]);
    assert!(message(&r).contains("Välj SWEREF 99 TM"), "{}", message(&r));
    // Chosen as SWEREF 99 TM, degrees are explained.
    let r = parse_geometry(TORG, CrsChoice::Sweref99Tm, &trelleborg());
    assert!(message(&r).contains("Välj WGS84"), "{}", message(&r));
}

#[test]
fn swapped_axes_are_caught_not_misplaced() {
    let swapped = r#"{"type":"Point","coordinates":[55.3751,13.1566]}"#;
    for choice in [CrsChoice::Auto, CrsChoice::Wgs84] {
        let r = parse_geometry(swapped, choice, &trelleborg());
        assert_eq!(codes(&r), ["crs.swapped"]);
        assert!(message(&r).contains("[13.1566, 55.3751]"), "{}", message(&r));
    }
    let swapped_metres = r#"{"type":"Point","coordinates":[6138080,383190]}"#;
    let r = parse_geometry(swapped_metres, CrsChoice::Auto, &trelleborg());
    assert_eq!(codes(&r), ["crs.swapped"]);
    assert!(message(&r).contains("Nord och öst"), "{}", message(&r));
    let rt90 = r#"{"type":"Point","coordinates":[6138000,1330000]}"#;
    assert_eq!(codes(&parse_geometry(rt90, CrsChoice::Auto, &trelleborg())), ["crs.rt90"]);
}

#[test]
fn a_missing_closing_position_is_added_and_said() {
    let open = r#"{"type":"Polygon","coordinates":[[[13.1555,55.3745],[13.1578,55.3745],[13.1578,55.3757],[13.1555,55.3757]]]}"#;
    let v = parse_geometry(open, CrsChoice::Auto, &trelleborg()).unwrap();
    assert_eq!(v.notes, ["Den yttre ringen var inte sluten; den sista positionen (samma som den första) lades till."]);
    let Shape::Polygons(ps) = &v.shape else { panic!() };
    assert_eq!(ps[0].exterior.len(), 5);
}

#[test]
fn shape_faults_say_what_and_where() {
    let few = r#"{"type":"Polygon","coordinates":[[[13.1555,55.3745],[13.1578,55.3745],[13.1555,55.3745]]]}"#;
    let r = parse_geometry(few, CrsChoice::Auto, &trelleborg());
    assert_eq!(codes(&r), ["geometry.too_few_positions"]);
    assert!(message(&r).starts_with("Den yttre ringen har för få positioner (3)"), "{}", message(&r));

    let bowtie = r#"{"type":"Polygon","coordinates":[[[13.15,55.37],[13.16,55.38],[13.16,55.37],[13.15,55.38],[13.15,55.37]]]}"#;
    let r = parse_geometry(bowtie, CrsChoice::Auto, &trelleborg());
    assert_eq!(codes(&r), ["geometry.self_intersection"]);
    assert!(message(&r).contains("korsar sig själv vid lat 55.37"), "{}", message(&r));
    assert!(message(&r).contains("position 1 och 2 möter sträckan mellan position 3 och 4"), "{}", message(&r));

    let hole_outside = r#"{"type":"Polygon","coordinates":[
        [[13.15,55.37],[13.16,55.37],[13.16,55.38],[13.15,55.38],[13.15,55.37]],
        [[13.17,55.371],[13.18,55.371],[13.18,55.372],[13.17,55.371]]]}"#;
    let r = parse_geometry(hole_outside, CrsChoice::Auto, &trelleborg());
    assert_eq!(codes(&r), ["geometry.hole_outside"]);
    assert!(message(&r).starts_with("Hål 1 ligger utanför"), "{}", message(&r));

    let hole_crossing = r#"{"type":"Polygon","coordinates":[
        [[13.15,55.37],[13.16,55.37],[13.16,55.38],[13.15,55.38],[13.15,55.37]],
        [[13.155,55.375],[13.165,55.375],[13.165,55.376],[13.155,55.375]]]}"#;
    let r = parse_geometry(hole_crossing, CrsChoice::Auto, &trelleborg());
    assert_eq!(codes(&r), ["geometry.self_intersection"]);
    assert!(message(&r).starts_with("Hål 1 korsar den yttre ringen"), "{}", message(&r));

    let overlapping = r#"{"type":"MultiPolygon","coordinates":[
        [[[13.15,55.37],[13.16,55.37],[13.16,55.38],[13.15,55.38],[13.15,55.37]]],
        [[[13.155,55.375],[13.165,55.375],[13.165,55.385],[13.155,55.385],[13.155,55.375]]]]}"#;
    assert_eq!(codes(&parse_geometry(overlapping, CrsChoice::Auto, &trelleborg())), ["geometry.parts_overlap"]);

    let line = r#"{"type":"LineString","coordinates":[[13.15,55.37],[13.16,55.38]]}"#;
    assert_eq!(codes(&parse_geometry(line, CrsChoice::Auto, &trelleborg())), ["geometry.type"]);

    let flat = r#"{"type":"Polygon","coordinates":[[[13.15,55.37],[13.16,55.38],[13.17,55.39],[13.15,55.37]]]}"#;
    assert_eq!(codes(&parse_geometry(flat, CrsChoice::Auto, &trelleborg())), ["geometry.zero_area"]);
}

#[test]
fn places_must_lie_in_sweden_and_in_the_municipality() {
    // "Inside Sweden" is EPSG's box for SWEREF 99 (Oslo is inside it; Berlin is not).
    let berlin = r#"{"type":"Point","coordinates":[13.40,52.52]}"#;
    let r = parse_geometry(berlin, CrsChoice::Auto, &Check::sweden());
    assert_eq!(codes(&r), ["geometry.outside_sweden"], "{}", message(&r));
    let copenhagen_ish = r#"{"type":"Point","coordinates":[12.57,55.68]}"#;
    let lund = r#"{"type":"Point","coordinates":[13.19,55.70]}"#;
    let r = parse_geometry(lund, CrsChoice::Auto, &trelleborg());
    assert_eq!(codes(&r), ["geometry.outside_municipality"]);
    assert!(message(&r).contains("utanför kommunen Trelleborg (position 1: lat 55.700000, lon 13.190000)"), "{}", message(&r));
    // Anywhere in Sweden where the repository has no extent (Stockholm: 0180).
    assert!(parse_geometry(lund, CrsChoice::Auto, &check_for("0180").unwrap()).is_ok());
    // Inside SWEDEN_EXTENT (the economic zone reaches Öresund) but outside the municipality.
    assert_eq!(codes(&parse_geometry(copenhagen_ish, CrsChoice::Auto, &trelleborg())), ["geometry.outside_municipality"]);
    // Just across the boundary box is tolerated (a harbour pier).
    let pier = r#"{"type":"Point","coordinates":[13.15,55.32]}"#;
    assert!(parse_geometry(pier, CrsChoice::Auto, &trelleborg()).is_ok());
}

#[test]
fn the_files_crs_member_is_honoured() {
    let p = sweref::to_sweref([13.1566, 55.3751]);
    let doc = json!({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
        "features": [{"type": "Feature", "properties": {"namn": "Stortorget"}, "geometry": {"type": "Point", "coordinates": p}}]});
    let fs = parse_collection(&doc.to_string(), CrsChoice::Auto, &trelleborg()).unwrap();
    assert_eq!(fs[0].result.as_ref().unwrap().crs, Crs::Sweref99Tm);
    assert_eq!(parse_collection(&doc.to_string(), CrsChoice::Wgs84, &trelleborg()).unwrap_err().code, "crs.conflict");
    let rt90 = json!({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:3021"}}, "features": []});
    assert_eq!(parse_collection(&rt90.to_string(), CrsChoice::Auto, &trelleborg()).unwrap_err().code, "crs.rt90");
}

#[test]
fn a_collection_names_each_feature_and_its_fault() {
    let doc = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"name":"Centrum","kind":"district"},"geometry":{"type":"Polygon","coordinates":[[[13.14,55.37],[13.17,55.37],[13.17,55.38],[13.14,55.38],[13.14,55.37]]]}},
        {"type":"Feature","properties":{"Namn":" Stortorget ","typ":"Torg","överordnad":"Centrum"},"geometry":{"type":"Point","coordinates":[13.1566,55.3751]}},
        {"type":"Feature","properties":{"name":"Fel"},"geometry":{"type":"Point","coordinates":[55.3751,13.1566]}},
        {"type":"Feature","properties":{},"geometry":null}
    ]}"#;
    let fs = parse_collection(doc, CrsChoice::Auto, &trelleborg()).unwrap();
    assert_eq!(fs.len(), 4);
    assert_eq!(
        (fs[1].name.as_deref(), fs[1].kind.as_deref(), fs[1].parent.as_deref()),
        (Some("Stortorget"), Some("Torg"), Some("Centrum"))
    );
    assert!(fs[0].result.is_ok() && fs[1].result.is_ok());
    assert_eq!(fs[2].label(), "Objekt 3 (”Fel”)");
    assert_eq!(fs[2].result.as_ref().unwrap_err()[0].code, "crs.swapped");
    assert_eq!(fs[3].label(), "Objekt 4 (utan namn)");
    assert_eq!(fs[3].result.as_ref().unwrap_err()[0].code, "geometry.missing");
}

#[test]
fn broken_files_are_explained_with_line_and_column() {
    let e = parse_collection("{\"type\": \"FeatureCollection\",\n \"features\": [}", CrsChoice::Auto, &trelleborg()).unwrap_err();
    assert_eq!(e.code, "geojson.syntax");
    assert!(e.message.contains("rad 2, kolumn 15"), "{}", e.message);
    assert_eq!(parse_collection("[]", CrsChoice::Auto, &trelleborg()).unwrap_err().code, "geojson.type");
    assert_eq!(parse_collection("  ", CrsChoice::Auto, &trelleborg()).unwrap_err().code, "geojson.empty");
    let empty = r#"{"type":"FeatureCollection","features":[]}"#;
    assert_eq!(parse_collection(empty, CrsChoice::Auto, &trelleborg()).unwrap_err().code, "geojson.empty");
}

#[test]
fn concave_places_get_a_point_inside() {
    // An L-shaped district whose centroid falls outside it.
    let l = r#"{"type":"Polygon","coordinates":[[[13.14,55.37],[13.18,55.37],[13.18,55.375],[13.145,55.375],[13.145,55.40],[13.14,55.40],[13.14,55.37]]]}"#;
    let v = parse_geometry(l, CrsChoice::Auto, &trelleborg()).unwrap();
    let [lon, lat] = v.geometry.centroid;
    assert!(v.shape.contains(lon, lat, 0.0), "{lon} {lat}");
    assert!(!v.shape.contains(13.17, 55.39, 0.0));
}

#[test]
fn rings_are_oriented_as_rfc_7946_asks() {
    let clockwise = r#"{"type":"Polygon","coordinates":[[[13.15,55.37],[13.15,55.38],[13.16,55.38],[13.16,55.37],[13.15,55.37]],[[13.152,55.372],[13.158,55.372],[13.158,55.378],[13.152,55.372]]]}"#;
    let v = parse_geometry(clockwise, CrsChoice::Auto, &trelleborg()).unwrap();
    let Shape::Polygons(ps) = &v.shape else { panic!() };
    assert!(planar::ring_area2(&ps[0].exterior) > 0.0);
    assert!(planar::ring_area2(&ps[0].holes[0]) < 0.0);
}

#[test]
fn typed_points_are_forgiving_about_commas_and_strict_about_order() {
    let v = point_from_text("55,3751", " 13,1566 ", &trelleborg()).unwrap();
    assert_eq!(v.shape, Shape::Point([13.1566, 55.3751]));
    let e = point_from_text("13.1566", "55.3751", &trelleborg()).unwrap_err();
    assert_eq!((e[0].0, e[0].1.code), ("lat", "crs.swapped"));
    let e = point_from_text("", "x", &trelleborg()).unwrap_err();
    assert_eq!(e.iter().map(|(f, _)| *f).collect::<Vec<_>>(), ["lat", "lon"]);
    let e = point_from_text("6138080", "383190", &trelleborg()).unwrap_err();
    assert_eq!(e[0].1.code, "crs.not_degrees");
}

fn arb_position() -> impl Strategy<Value = [f64; 2]> + Clone {
    prop_oneof![
        // Around Trelleborg, in degrees and in metres.
        (13.0f64..13.5, 55.3f64..55.55).prop_map(|(x, y)| [x, y]),
        (360_000.0f64..420_000.0, 6_130_000.0f64..6_160_000.0).prop_map(|(x, y)| [x, y]),
        // Anything at all.
        (any::<f64>(), any::<f64>()).prop_map(|(x, y)| [x, y]),
        (-1e7f64..1e7, -1e7f64..1e7).prop_map(|(x, y)| [x, y]),
    ]
}

fn arb_shape() -> impl Strategy<Value = Shape> {
    let ring = proptest::collection::vec(arb_position(), 0..12);
    let polygon = (ring.clone(), proptest::collection::vec(ring, 0..3)).prop_map(|(exterior, holes)| Polygon { exterior, holes });
    prop_oneof![arb_position().prop_map(Shape::Point), proptest::collection::vec(polygon, 1..4).prop_map(Shape::Polygons)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn validation_never_panics_and_valid_results_hold_their_promises(shape in arb_shape(), choice in 0usize..3) {
        let choice = CrsChoice::ALL[choice];
        if let Ok(v) = validate(&shape, choice, None, &trelleborg()) {
            // Every position is inside the (widened) extent, the point inside is inside.
            let (_, e) = trelleborg().municipality_extent().unwrap();
            prop_assert!(v.shape.positions().all(|p| e.contains(p[0], p[1])));
            let [lon, lat] = v.geometry.centroid;
            prop_assert!(v.shape.contains(lon, lat, 0.01), "{:?} {lon} {lat}", v.shape);
            prop_assert!(v.area_m2 >= 0.0);
            // What is stored reads back as the same shape.
            let stored: Value = serde_json::from_str(&v.geometry.geojson).unwrap();
            prop_assert_eq!(Shape::from_stored(&stored).unwrap(), v.shape.clone());
            // And validates again, unchanged.
            let again = validate(&v.shape, CrsChoice::Wgs84, None, &trelleborg());
            prop_assert!(again.is_ok(), "{:?}", again);
        }
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse_collection(&text, CrsChoice::Auto, &trelleborg());
        let _ = parse_geometry(&text, CrsChoice::Auto, &trelleborg());
    }

    #[test]
    fn random_json_shapes_never_panic(coords in proptest::collection::vec(proptest::collection::vec(proptest::collection::vec(-1e3f64..1e8, 0..4), 0..8), 0..3),
                                      kind in prop_oneof![Just("Point"), Just("Polygon"), Just("MultiPolygon"), Just("Nonsense")]) {
        let doc = json!({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": 1}, "geometry": {"type": kind, "coordinates": coords}}]});
        let _ = parse_collection(&doc.to_string(), CrsChoice::Auto, &trelleborg());
        let nested = json!({"type": kind, "coordinates": [coords]});
        let _ = parse_geometry(&nested.to_string(), CrsChoice::Auto, &Check::sweden());
    }

    #[test]
    fn random_rectangles_in_trelleborg_are_valid(lon in 13.01f64..13.45, lat in 55.33f64..55.48, w in 0.0005f64..0.03, h in 0.0005f64..0.03) {
        let ring = vec![[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]];
        let v = validate(&Shape::Polygons(vec![Polygon { exterior: ring, holes: vec![] }]), CrsChoice::Auto, None, &trelleborg());
        prop_assert!(v.is_ok(), "{:?}", v);
    }
}
