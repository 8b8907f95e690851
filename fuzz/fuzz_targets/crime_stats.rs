//! Reported-crime statistics (CSV, TSV, PX-style, XLSX).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = brygga_import::crime_stats::parse_crime_stats(data, None);
});
