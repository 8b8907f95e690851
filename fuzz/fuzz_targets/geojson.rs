//! GeoJSON places: one geometry (place form, API) and a FeatureCollection (place import),
//! with every coordinate system choice, checked against Sweden and against Trelleborg.
#![no_main]
use brygga_domain::geometry::{Check, CrsChoice, parse_collection, parse_geometry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let muni = brygga_domain::geography::municipality("1287").expect("Trelleborg");
    for crs in CrsChoice::ALL {
        let _ = parse_geometry(text, crs, &Check::sweden());
        let _ = parse_collection(text, crs, &Check::municipality(muni));
    }
});
