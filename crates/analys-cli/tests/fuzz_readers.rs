//! Fuzzing of the CSV and GeoJSON readers with proptest (cargo-fuzz needs a nightly toolchain,
//! which cannot be installed here). Property: any input gives a value or a Swedish error, never a
//! panic; valid input round-trips.

use brygga_analys_cli::input::{numeric_property, read_csv_columns, read_geojson};
use proptest::prelude::*;
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_filter("finite", |v| v.is_finite()).prop_map(|v| serde_json::json!(v)),
        any::<i64>().prop_map(|v| serde_json::json!(v)),
        "[a-zA-Z0-9 ,.;\"-]{0,8}".prop_map(Value::String),
        prop_oneof![
            Just("Point"),
            Just("Polygon"),
            Just("MultiPolygon"),
            Just("Feature"),
            Just("FeatureCollection"),
            Just("coordinates"),
            Just("v")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("type"),
                        Just("features"),
                        Just("geometry"),
                        Just("coordinates"),
                        Just("properties"),
                        Just("id"),
                        Just("v")
                    ],
                    inner
                ),
                0..5
            )
            .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

fn valid_geojson() -> String {
    r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"properties":{"v":2.5},"geometry":{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[2,1],[2,2],[1,1]]]}},{"type":"Feature","properties":{"v":"3"},"geometry":{"type":"Point","coordinates":[5,6]}}]}"#.to_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn csv_reader_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_csv_columns(&bytes, &["x", "y"], Some("id"), "fuzz.csv");
    }

    #[test]
    fn csv_reader_never_panics_on_near_csv(text in "(x|y|id|\"|,|;|\t|\r|\n|[0-9]|\\.|-|e|NaN| ){0,300}") {
        let _ = read_csv_columns(text.as_bytes(), &["x", "y"], None, "fuzz.csv");
        let _ = read_csv_columns(text.as_bytes(), &["y"], Some("x"), "fuzz.csv");
    }

    #[test]
    fn csv_reader_never_panics_on_mutated_valid_files(edits in prop::collection::vec((0usize..200, any::<u8>(), 0u8..3), 0..12)) {
        let mut bytes = b"id,x,y\n1,674000.5,6580000.25\n2,674010,6580010\n\"3\",1e3,-2\n4;5,6\n".to_vec();
        for (pos, byte, kind) in edits {
            let pos = pos % (bytes.len() + 1);
            match kind {
                0 => bytes.insert(pos, byte),
                1 if pos < bytes.len() => { bytes.remove(pos); }
                _ if pos < bytes.len() => bytes[pos] = byte,
                _ => {}
            }
        }
        let _ = read_csv_columns(&bytes, &["x", "y"], Some("id"), "fuzz.csv");
    }

    #[test]
    fn csv_round_trips(rows in prop::collection::vec((-1e9f64..1e9, -1e9f64..1e9), 1..200), sep in prop_oneof![Just(','), Just(';'), Just('\t')]) {
        let mut text = format!("x{sep}y\n");
        for (x, y) in &rows {
            text.push_str(&format!("{x:?}{sep}{y:?}\n"));
        }
        let c = read_csv_columns(text.as_bytes(), &["x", "y"], None, "rt.csv").unwrap();
        let xs: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let ys: Vec<f64> = rows.iter().map(|r| r.1).collect();
        prop_assert_eq!(&c.numeric[0], &xs);
        prop_assert_eq!(&c.numeric[1], &ys);
    }

    #[test]
    fn geojson_reader_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_geojson(&bytes, "fuzz.geojson");
    }

    #[test]
    fn geojson_reader_never_panics_on_json_trees(v in json_value()) {
        let text = v.to_string();
        if let Ok(f) = read_geojson(text.as_bytes(), "fuzz.geojson") {
            let _ = numeric_property(&f, "v");
        }
        let wrapped = serde_json::json!({"type": "FeatureCollection", "features": [ {"type": "Feature", "geometry": v.clone(), "properties": {"v": v}} ]});
        if let Ok(f) = read_geojson(wrapped.to_string().as_bytes(), "fuzz.geojson") {
            let _ = numeric_property(&f, "v");
        }
    }

    #[test]
    fn geojson_reader_never_panics_on_mutated_valid_files(edits in prop::collection::vec((0usize..400, any::<u8>(), 0u8..3), 0..8)) {
        let mut bytes = valid_geojson().into_bytes();
        for (pos, byte, kind) in edits {
            let pos = pos % (bytes.len() + 1);
            match kind {
                0 => bytes.insert(pos, byte),
                1 if pos < bytes.len() => { bytes.remove(pos); }
                _ if pos < bytes.len() => bytes[pos] = byte,
                _ => {}
            }
        }
        if let Ok(f) = read_geojson(&bytes, "fuzz.geojson") {
            let _ = numeric_property(&f, "v");
        }
    }
}
