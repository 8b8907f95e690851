//! The reference geography as the rest of Brygga sees it: the tables, the lookups, the
//! validated municipality code, the extents and the demo police areas.

use std::collections::HashSet;

use brygga_domain::geography::{
    self, County, Extent, Municipality, MunicipalityCode, MunicipalityCodeError, SWEDEN_EXTENT, SWEDEN_ONSHORE_EXTENT, counties, county,
    county_by_name, demo_police_areas, municipalities, municipalities_in_county, municipality, municipality_by_name, municipality_extent,
};
use serde::Deserialize;
use serde::de::IntoDeserializer;
use serde::de::value::{Error as ValueError, StrDeserializer};

fn m(code: &str) -> &'static Municipality {
    municipality(code).unwrap_or_else(|| panic!("no municipality {code}"))
}

// ---------------------------------------------------------------------------------------
// The tables

#[test]
fn there_are_21_counties_and_290_municipalities() {
    assert_eq!(counties().len(), 21);
    assert_eq!(municipalities().len(), 290);
}

#[test]
fn codes_are_unique_well_formed_and_sorted() {
    let cc: Vec<&str> = counties().iter().map(|c| c.code).collect();
    assert_eq!(cc.iter().collect::<HashSet<_>>().len(), 21);
    assert!(cc.windows(2).all(|w| w[0] < w[1]), "counties sorted by code");
    assert!(cc.iter().all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_digit())));
    assert_eq!(
        cc,
        ["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18", "19", "20", "21", "22", "23", "24", "25"]
    );

    let mc: Vec<&str> = municipalities().iter().map(|m| m.code).collect();
    assert_eq!(mc.iter().collect::<HashSet<_>>().len(), 290);
    assert!(mc.windows(2).all(|w| w[0] < w[1]), "municipalities sorted by code");
    assert!(mc.iter().all(|c| c.len() == 4 && c.bytes().all(|b| b.is_ascii_digit())));

    let names: HashSet<&str> = municipalities().iter().map(|m| m.name).collect();
    assert_eq!(names.len(), 290, "municipality names are unique");
    let cnames: HashSet<&str> = counties().iter().map(|c| c.name).collect();
    assert_eq!(cnames.len(), 21);
}

#[test]
fn every_county_has_municipalities_and_every_municipality_a_county() {
    for c in counties() {
        assert!(municipalities_in_county(c.code).next().is_some(), "{} has no municipality", c.name);
        assert!(c.name.ends_with(" län"), "{}", c.name);
    }
    for mu in municipalities() {
        assert!(county(mu.county_code).is_some(), "{} {}: no county {}", mu.code, mu.name, mu.county_code);
        assert_eq!(&mu.code[..2], mu.county_code, "{} {}: code and county disagree", mu.code, mu.name);
        assert_eq!(mu.county().code, mu.county_code);
    }
    let total: usize = counties().iter().map(|c| c.municipalities().count()).sum();
    assert_eq!(total, 290);
}

#[test]
fn names_are_short_form_and_clean() {
    for mu in municipalities() {
        assert_eq!(mu.name.trim(), mu.name);
        assert!(!mu.name.contains("  "));
        assert!(!mu.name.to_lowercase().ends_with("kommun"), "{}", mu.name);
        assert!(!mu.name.contains('\u{0308}') && !mu.name.contains('\u{030A}'), "{} is not NFC", mu.name);
    }
}

#[test]
fn municipalities_per_county() {
    let count = |c: &str| municipalities_in_county(c).count();
    // SCB's division: Stockholm 26, Uppsala 8, Skåne 33, Västra Götaland 49, Gotland 1,
    // Norrbotten 14.
    assert_eq!(count("01"), 26);
    assert_eq!(count("03"), 8);
    assert_eq!(count("09"), 1);
    assert_eq!(count("12"), 33);
    assert_eq!(count("14"), 49);
    assert_eq!(count("25"), 14);
    assert_eq!(count("99"), 0);
    assert_eq!(count("1"), 0);
}

#[test]
fn spot_checks() {
    let expect = [
        ("0114", "Upplands Väsby", "01"),
        ("0139", "Upplands-Bro", "01"),
        ("0180", "Stockholm", "01"),
        ("0305", "Håbo", "03"),
        ("0319", "Älvkarleby", "03"),
        ("0509", "Ödeshög", "05"),
        ("0642", "Mullsjö", "06"),
        ("0643", "Habo", "06"),
        ("0980", "Gotland", "09"),
        ("1256", "Östra Göinge", "12"),
        ("1257", "Örkelljunga", "12"),
        ("1280", "Malmö", "12"),
        ("1287", "Trelleborg", "12"),
        ("1292", "Ängelholm", "12"),
        ("1293", "Hässleholm", "12"),
        ("1407", "Öckerö", "14"),
        ("1438", "Dals-Ed", "14"),
        ("1440", "Ale", "14"),
        ("1462", "Lilla Edet", "14"),
        ("1480", "Göteborg", "14"),
        ("1492", "Åmål", "14"),
        ("1765", "Årjäng", "17"),
        ("1880", "Örebro", "18"),
        ("2023", "Malung-Sälen", "20"),
        ("2284", "Örnsköldsvik", "22"),
        ("2321", "Åre", "23"),
        ("2463", "Åsele", "24"),
        ("2518", "Övertorneå", "25"),
        ("2584", "Kiruna", "25"),
    ];
    for (code, name, county_code) in expect {
        let mu = m(code);
        assert_eq!((mu.name, mu.county_code), (name, county_code), "{code}");
    }
    let cexpect = [
        ("01", "Stockholms län"),
        ("05", "Östergötlands län"),
        ("09", "Gotlands län"),
        ("12", "Skåne län"),
        ("14", "Västra Götalands län"),
        ("18", "Örebro län"),
        ("23", "Jämtlands län"),
        ("25", "Norrbottens län"),
    ];
    for (code, name) in cexpect {
        assert_eq!(county(code).map(|c| c.name), Some(name), "{code}");
    }
    assert!(municipality("128").is_none());
    assert!(municipality("9999").is_none());
    assert!(municipality("1287 ").is_none(), "code lookup is exact");
    assert!(county("2").is_none());
    assert!(county("02").is_none());
}

// ---------------------------------------------------------------------------------------
// Name lookups

#[test]
fn municipality_by_name_accepts_the_usual_forms() {
    for s in [
        "Trelleborg",
        "trelleborg",
        "TRELLEBORG",
        "  Trelleborg ",
        "Trelleborgs kommun",
        "Trelleborg kommun",
        "trelleborgs Kommun",
        "1287 Trelleborg",
        "1287 Trelleborgs kommun",
        "1287",
        " 1287 ",
    ] {
        assert_eq!(municipality_by_name(s).map(|x| x.code), Some("1287"), "{s:?}");
    }
    assert_eq!(municipality_by_name("Göteborgs stad").map(|x| x.code), Some("1480"));
    assert_eq!(municipality_by_name("Malmö stad").map(|x| x.code), Some("1280"));
    assert_eq!(municipality_by_name("Upplands Bro").map(|x| x.code), Some("0139"));
    assert_eq!(municipality_by_name("upplands-bro kommun").map(|x| x.code), Some("0139"));
    assert_eq!(municipality_by_name("Malung-Sälens kommun").map(|x| x.code), Some("2023"));
    assert_eq!(municipality_by_name("Dals-Eds kommun").map(|x| x.code), Some("1438"));
    assert_eq!(municipality_by_name("Lilla Edets kommun").map(|x| x.code), Some("1462"));
    assert_eq!(municipality_by_name("Östra Göinge kommun").map(|x| x.code), Some("1256"));
    assert_eq!(municipality_by_name("Region Gotland").map(|x| x.code), Some("0980"));
    assert_eq!(municipality_by_name("Gotlands kommun").map(|x| x.code), Some("0980"));
    // Names that end in -s keep it.
    assert_eq!(municipality_by_name("Borås").map(|x| x.code), Some("1490"));
    assert_eq!(municipality_by_name("Borås stad").map(|x| x.code), Some("1490"));
    assert_eq!(municipality_by_name("Tranås kommun").map(|x| x.code), Some("0687"));
    // Decomposed input (as macOS may send it) is composed.
    assert_eq!(municipality_by_name("A\u{0308}ngelholm").map(|x| x.code), Some("1292"));
}

#[test]
fn municipality_by_name_keeps_diacritics_distinct() {
    assert_eq!(municipality_by_name("Ale").map(|x| x.code), Some("1440"));
    assert_eq!(municipality_by_name("Åle"), None);
    assert_eq!(municipality_by_name("Åre").map(|x| x.code), Some("2321"));
    assert_eq!(municipality_by_name("Are"), None);
    assert_eq!(municipality_by_name("Höör").map(|x| x.code), Some("1267"));
    assert_eq!(municipality_by_name("Hoor"), None);
    assert_eq!(municipality_by_name("Habo").map(|x| x.code), Some("0643"));
    assert_eq!(municipality_by_name("Håbo").map(|x| x.code), Some("0305"));
    assert_eq!(municipality_by_name("Mullsjö").map(|x| x.code), Some("0642"));
    assert_eq!(municipality_by_name("Angelholm"), None);
    assert_eq!(municipality_by_name("Malmo"), None);
}

#[test]
fn municipality_by_name_refuses_what_it_cannot_know() {
    for s in [
        "",
        "   ",
        "Trelleborgs",
        "Trelleborgkommun",
        "1287 Malmö",
        "128",
        "12870",
        "9999",
        "9999 Trelleborg",
        "Skåne",
        "kommun",
        "s kommun",
        "Malung",
    ] {
        assert_eq!(municipality_by_name(s), None, "{s:?}");
    }
}

#[test]
fn every_municipality_is_found_by_every_form_of_its_name() {
    for mu in municipalities() {
        let forms = [
            mu.name.to_owned(),
            mu.name.to_lowercase(),
            mu.name.to_uppercase(),
            format!("{} kommun", mu.name),
            format!("{}s kommun", mu.name),
            format!("{} {}", mu.code, mu.name),
            mu.code.to_owned(),
        ];
        for f in forms {
            assert_eq!(municipality_by_name(&f), Some(mu), "{f:?}");
        }
    }
}

#[test]
fn county_by_name_accepts_the_usual_forms() {
    for s in ["Skåne län", "Skåne", "skåne län", "SKÅNE LÄN", "Skånes län", "12", "12 Skåne län", "12 Skåne", "Region Skåne"] {
        assert_eq!(county_by_name(s).map(|c| c.code), Some("12"), "{s:?}");
    }
    for s in ["Stockholms län", "Stockholm", "stockholms län", "Region Stockholm", "01", "01 Stockholms län"] {
        assert_eq!(county_by_name(s).map(|c| c.code), Some("01"), "{s:?}");
    }
    for s in ["Västra Götalands län", "Västra Götaland", "Västra Götalandsregionen", "Västra-Götalands län"] {
        assert_eq!(county_by_name(s).map(|c| c.code), Some("14"), "{s:?}");
    }
    for s in ["Gotlands län", "Gotland", "Region Gotland", "09"] {
        assert_eq!(county_by_name(s).map(|c| c.code), Some("09"), "{s:?}");
    }
    assert_eq!(county_by_name("Örebro län").map(|c| c.code), Some("18"));
    assert_eq!(county_by_name("Jämtlands län").map(|c| c.code), Some("23"));
    assert_eq!(county_by_name("Kalmar län").map(|c| c.code), Some("08"));
    assert_eq!(county_by_name("Kalmars län").map(|c| c.code), Some("08"));
}

#[test]
fn county_by_name_refuses_what_it_cannot_know() {
    for s in ["", "Skane", "Skåne kommun", "12 Blekinge län", "02", "11", "99", "1", "120", "Trelleborg", "län", "Jamtland"] {
        assert_eq!(county_by_name(s), None, "{s:?}");
    }
}

#[test]
fn every_county_is_found_by_its_name_and_code() {
    for c in counties() {
        for f in [
            c.name.to_owned(),
            c.name.to_lowercase(),
            c.short_name().to_owned(),
            format!("{} {}", c.code, c.name),
            c.code.to_owned(),
            format!("Region {}", c.short_name()),
        ] {
            assert_eq!(county_by_name(&f), Some(c), "{f:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// MunicipalityCode

#[test]
fn municipality_code_parses_existing_codes_only() {
    let c = MunicipalityCode::parse("1287").unwrap();
    assert_eq!(c.as_str(), "1287");
    assert_eq!(c.municipality().name, "Trelleborg");
    assert_eq!(c.to_string(), "1287");
    assert_eq!("0114".parse::<MunicipalityCode>().unwrap().municipality().name, "Upplands Väsby");
    assert_eq!(MunicipalityCode::parse(" 0980 ").unwrap().as_str(), "0980");

    assert!(matches!(MunicipalityCode::parse("128"), Err(MunicipalityCodeError::Format { .. })));
    assert!(matches!(MunicipalityCode::parse("12870"), Err(MunicipalityCodeError::Format { .. })));
    assert!(matches!(MunicipalityCode::parse("12a7"), Err(MunicipalityCodeError::Format { .. })));
    assert!(matches!(MunicipalityCode::parse(""), Err(MunicipalityCodeError::Format { .. })));
    assert!(matches!(MunicipalityCode::parse("１２８７"), Err(MunicipalityCodeError::Format { .. })));
    assert!(matches!(MunicipalityCode::parse("Trelleborg"), Err(MunicipalityCodeError::Format { .. })));
    assert!(matches!(MunicipalityCode::parse("9999"), Err(MunicipalityCodeError::Unknown { .. })));
    assert!(matches!(MunicipalityCode::parse("1288"), Err(MunicipalityCodeError::Unknown { .. })));
    assert!(matches!(MunicipalityCode::parse("0000"), Err(MunicipalityCodeError::Unknown { .. })));

    for mu in municipalities() {
        let c = MunicipalityCode::parse(mu.code).unwrap();
        assert_eq!(c.municipality(), mu);
        assert_eq!(mu.municipality_code(), c);
    }
}

#[test]
fn municipality_code_errors_say_what_and_how_in_swedish() {
    let e = MunicipalityCode::parse("128").unwrap_err();
    assert_eq!(e.to_string(), "”128” är ingen kommunkod. Kommunkoden ska vara fyra siffror, till exempel 1287 för Trelleborg.");
    assert_eq!(e.code(), "municipality_code.format");
    let e = MunicipalityCode::parse("9999").unwrap_err();
    assert_eq!(e.to_string(), "Det finns ingen kommun med koden 9999. Se SCB:s lista över kommunkoder.");
    assert_eq!(e.code(), "municipality_code.unknown");
}

#[test]
fn municipality_code_orders_by_code() {
    let a = MunicipalityCode::parse("0114").unwrap();
    let b = MunicipalityCode::parse("1287").unwrap();
    let c = MunicipalityCode::parse("2584").unwrap();
    assert!(a < b && b < c);
    let set: HashSet<MunicipalityCode> = [a, b, c, b].into_iter().collect();
    assert_eq!(set.len(), 3);
}

#[test]
fn municipality_code_deserializes_through_parse() {
    let ok: StrDeserializer<'_, ValueError> = "1287".into_deserializer();
    assert_eq!(MunicipalityCode::deserialize(ok).unwrap().as_str(), "1287");
    let short: StrDeserializer<'_, ValueError> = "128".into_deserializer();
    let err = MunicipalityCode::deserialize(short).unwrap_err().to_string();
    assert!(err.contains("fyra siffror"), "{err}");
    let unknown: StrDeserializer<'_, ValueError> = "9999".into_deserializer();
    let err = MunicipalityCode::deserialize(unknown).unwrap_err().to_string();
    assert!(err.contains("ingen kommun med koden 9999"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Extents

fn well_formed(e: &Extent) -> bool {
    e.min_lon < e.max_lon && e.min_lat < e.max_lat
}

#[test]
fn sweden_extents_are_sane() {
    assert!(well_formed(&SWEDEN_EXTENT));
    assert!(SWEDEN_EXTENT.contains_extent(&SWEDEN_ONSHORE_EXTENT));
    // Smygehuk (55.337 N, 13.359 E) and Treriksröset (69.060 N, 20.548 E), the southern
    // and northern ends of the mainland; Stockholm; Koster in the west; Haparanda in the east.
    for (lon, lat) in [(13.359, 55.337), (20.548, 69.060), (18.07, 59.33), (11.0, 58.9), (24.14, 65.83)] {
        assert!(SWEDEN_ONSHORE_EXTENT.contains(lon, lat), "{lon},{lat}");
    }
    // Berlin and Helsinki lie outside.
    for (lon, lat) in [(13.40, 52.52), (24.94, 60.17)] {
        assert!(!SWEDEN_EXTENT.contains(lon, lat), "{lon},{lat}");
    }
}

#[test]
fn municipality_extents_lie_within_sweden() {
    let mut n = 0;
    for mu in municipalities() {
        if let Some(e) = municipality_extent(mu.code) {
            n += 1;
            assert!(well_formed(&e), "{} {e:?}", mu.name);
            assert!(SWEDEN_EXTENT.contains_extent(&e), "{} {e:?} outside Sweden", mu.name);
            assert_eq!(mu.extent(), Some(e));
        }
    }
    assert!(n > 0, "the repository has extents for at least the demo municipalities");
    assert_eq!(municipality_extent("9999"), None);
}

#[test]
fn municipality_extents_contain_their_town_centres() {
    // Town squares, approximate (to about 100 m), WGS84; a municipality's box is far larger.
    let places = [
        ("1287", "Trelleborg, Stortorget", 13.157, 55.375),
        ("1293", "Hässleholm, Stortorget", 13.766, 56.159),
        ("1292", "Ängelholm, Stortorget", 12.862, 56.243),
    ];
    for (code, what, lon, lat) in places {
        let e = municipality_extent(code).unwrap_or_else(|| panic!("no extent for {code}"));
        assert!(e.contains(lon, lat), "{what} ({lon},{lat}) not in {e:?}");
    }
    // Trelleborg's extent does not reach Malmö's centre, nor Malmö's Trelleborg's.
    let t = municipality_extent("1287").unwrap();
    assert!(!t.contains(13.003, 55.605), "Malmö Stortorget is north of Trelleborg municipality");
}

#[test]
fn every_demo_municipality_has_an_extent() {
    for area in demo_police_areas() {
        for code in &area.municipality_codes {
            assert!(municipality_extent(code).is_some(), "{} {code}", area.name);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Demo police areas

#[test]
fn demo_police_areas_contain_the_three_towns() {
    let areas = demo_police_areas();
    assert_eq!(areas.len(), 3);
    let find = |code: &str| areas.iter().find(|a| a.municipality_codes.contains(&code)).map(|a| a.name);
    assert_eq!(find("1287"), Some("Lokalpolisområde Trelleborg"));
    assert_eq!(find("1293"), Some("Lokalpolisområde Hässleholm"));
    assert_eq!(find("1292"), Some("Lokalpolisområde Ängelholm"));
    let mut seen = HashSet::new();
    for a in areas {
        assert_eq!(a.region, "Polisregion Syd");
        assert!(!a.municipality_codes.is_empty());
        for code in &a.municipality_codes {
            let mu = m(code);
            assert_eq!(mu.county_code, "12", "{} is in Skåne", mu.name);
            assert!(seen.insert(*code), "{code} in two police areas");
        }
        assert_eq!(a.municipalities().count(), a.municipality_codes.len());
        // The area is named after its first municipality.
        assert!(a.name.ends_with(m(a.municipality_codes[0]).name), "{}", a.name);
    }
    let trelleborg: Vec<&str> = areas[0].municipalities().map(|x| x.name).collect();
    assert_eq!(trelleborg, ["Trelleborg", "Svedala", "Vellinge"]);
}

#[test]
fn the_module_path_is_stable() {
    // Others import these by path; a rename should fail here first.
    let _: fn() -> &'static [County] = geography::counties;
    let _: fn(&str) -> Option<&'static County> = geography::county_by_name;
}
