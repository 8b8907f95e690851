//! CSV (every encoding and delimiter) and XLSX: any bytes give a table or a Swedish error,
//! never a panic, an abort or unbounded memory.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = brygga_import::tabular::read_table(data, None);
    let _ = brygga_import::tabular::read_table(data, Some("fil.xlsx"));
});
