//! Fuzz-style properties: no parser panics on arbitrary bytes, and what they return is
//! well-formed.

use brygga_import::crime_stats::parse_crime_stats;
use brygga_import::police_events::parse_police_events;
use brygga_import::safety_survey::parse_safety_survey;
use brygga_import::tabular::{parse_number_sv, read_table};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Bytes that look like CSV: delimiters, quotes, line ends, digits, Swedish letters in UTF-8
/// and Windows-1252, and anything else now and then.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b";".to_vec()),
        Just(b",".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"..".to_vec()),
        Just(b"Region".to_vec()),
        Just("Månad".as_bytes().to_vec()),
        Just(b"Brottstyp".to_vec()),
        Just(b"Antal".to_vec()),
        Just("Område;Fråga;År;Andel".as_bytes().to_vec()),
        Just(b"2024M03".to_vec()),
        Just(b"1287 Trelleborg".to_vec()),
        Just(b"sep=;".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xFF\xFE".to_vec()),
        Just(b"\xe5\xe4\xf6".to_vec()),
        Just("åäö".as_bytes().to_vec()),
        "[0-9 ,.%-]{1,8}".prop_map(String::into_bytes),
        any::<u8>().prop_map(|b| vec![b]),
    ];
    prop::collection::vec(token, 0..40).prop_map(|v| v.concat())
}

fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"[".to_vec()),
        Just(b"]".to_vec()),
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b",".to_vec()),
        Just(b":".to_vec()),
        Just(b"\"id\":".to_vec()),
        Just(b"\"datetime\":\"2018-04-13 9:58:49 +02:00\"".to_vec()),
        Just(b"\"location\":{\"name\":\"Trelleborg\",\"gps\":\"55.375,13.157\"}".to_vec()),
        Just(b"\"url\":\"/a/\"".to_vec()),
        Just(b"null".to_vec()),
        "[0-9.-]{1,20}".prop_map(String::into_bytes),
        "\"[^\"\\\\]{0,10}\"".prop_map(String::into_bytes),
        any::<u8>().prop_map(|b| vec![b]),
    ];
    prop::collection::vec(token, 0..40).prop_map(|v| v.concat())
}

/// Corrupts a fixture: flips, deletes and inserts bytes.
fn mutated(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len().max(1);
    prop::collection::vec((0..len, any::<u8>(), 0u8..3), 1..8).prop_map(move |edits| {
        let mut b = base.clone();
        for (pos, byte, op) in edits {
            let pos = pos.min(b.len());
            match op {
                0 if pos < b.len() => b[pos] = byte,
                1 if pos < b.len() => {
                    b.remove(pos);
                }
                _ => b.insert(pos, byte),
            }
        }
        b
    })
}

fn check_table_parsers(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(t) = read_table(bytes, None) {
        let mut last = t.header_line;
        for r in &t.rows {
            prop_assert!(r.line > last, "rows out of order");
            last = r.line;
            prop_assert!(r.cells.iter().any(|c| !c.is_empty()), "blank row kept");
        }
    }
    if let Err(brygga_import::crime_stats::CrimeStatsError::Rows(e)) = parse_crime_stats(bytes, None) {
        prop_assert!(e.total >= e.errors.len() && !e.errors.is_empty());
        prop_assert!(e.errors.iter().all(|r| r.row >= 1));
    }
    if let Ok(s) = parse_crime_stats(bytes, None) {
        prop_assert!(s.rows.iter().all(|r| (1..=12).contains(&r.month)));
        prop_assert!(s.rows.iter().all(|r| r.count.is_none_or(|c| c >= 0.0)));
    }
    if let Ok(s) = parse_safety_survey(bytes, None) {
        prop_assert!(s.rows.iter().all(|r| (0.0..=1.0).contains(&r.share_unsafe)));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn table_parsers_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_table_parsers(&bytes)?;
    }

    #[test]
    fn table_parsers_never_panic_on_csv_like_bytes(bytes in csvish()) {
        check_table_parsers(&bytes)?;
    }

    #[test]
    fn table_parsers_never_panic_on_corrupted_fixtures(
        bytes in prop_oneof![
            mutated(fixture("crime_stats_long_bom.csv")),
            mutated(fixture("crime_stats_long_cp1252.csv")),
            mutated(fixture("crime_stats_wide_px.csv")),
            mutated(fixture("safety_survey_cp1252.csv")),
        ]
    ) {
        check_table_parsers(&bytes)?;
    }

    #[test]
    fn police_parser_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_police_events(&bytes);
    }

    #[test]
    fn police_parser_never_panics_on_json_like_bytes(bytes in jsonish()) {
        if let Ok(events) = parse_police_events(&bytes) {
            for (i, e) in events.iter().enumerate() {
                if let Err(r) = e {
                    prop_assert_eq!(r.index, i);
                    prop_assert!(!r.reason.is_empty());
                }
            }
        }
    }

    #[test]
    fn police_parser_never_panics_on_corrupted_fixture(bytes in mutated(fixture("police_events.json"))) {
        let _ = parse_police_events(&bytes);
    }

    #[test]
    fn number_parser_never_panics(text in any::<String>()) {
        let _ = parse_number_sv(&text);
    }

    #[test]
    fn number_parser_reads_what_it_formats(int in 0u64..10_000_000_000, frac in 0u32..1000) {
        // Format with Swedish thousands separators and a decimal comma.
        let digits = int.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(' ');
            }
            grouped.push(c);
        }
        let text = format!("{grouped},{frac:03}");
        let expected = int as f64 + f64::from(frac) / 1000.0;
        match parse_number_sv(&text) {
            Ok(brygga_import::tabular::SvNumber::Number(v)) => {
                prop_assert!((v - expected).abs() <= expected.abs() * 1e-12 + 1e-9, "{} -> {}", text, v);
            }
            other => prop_assert!(false, "{} -> {:?}", text, other),
        }
    }
}

#[test]
fn corrupted_spreadsheets_never_panic() {
    // Deterministic corruption of the XLSX fixtures at many offsets (calamine runs inside
    // catch_unwind, but a clean error is what we want).
    for name in ["crime_stats.xlsx", "safety_survey.xlsx"] {
        let base = fixture(name);
        for step in [1usize, 7, 31, 97] {
            for pos in (0..base.len()).step_by(step.max(base.len() / 60)) {
                let mut b = base.clone();
                b[pos] ^= 0x5A;
                let _ = read_table(&b, Some(name));
                let _ = parse_crime_stats(&b, Some(name));
                let mut t = base.clone();
                t.truncate(pos);
                let _ = parse_safety_survey(&t, Some(name));
            }
        }
    }
}
