//! Safety surveys (CSV, TSV, XLSX).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = brygga_import::safety_survey::parse_safety_survey(data, None);
});
