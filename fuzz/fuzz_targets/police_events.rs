//! The police events feed (JSON).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = brygga_import::police_events::parse_police_events(data);
});
