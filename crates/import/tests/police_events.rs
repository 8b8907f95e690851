//! The police events feed, against a fixture in the API's shape.

use brygga_domain::geography::MunicipalityCode;
use brygga_import::police_events::{
    EventPlace, PoliceEvent, PoliceEventsError, RejectedEvent, parse_police_events, parse_police_events_with, resolve_place,
};
use brygga_import::tabular::ReadOptions;

fn fixture() -> Vec<u8> {
    let path = format!("{}/tests/fixtures/police_events.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parsed() -> Vec<Result<PoliceEvent, RejectedEvent>> {
    parse_police_events(&fixture()).expect("the fixture is a JSON array")
}

fn event(id: i64) -> PoliceEvent {
    parsed().into_iter().filter_map(Result::ok).find(|e| e.id == id).unwrap_or_else(|| panic!("event {id} not accepted"))
}

fn rejected(index: usize) -> RejectedEvent {
    match parsed().into_iter().nth(index) {
        Some(Err(r)) => r,
        other => panic!("element {index} not rejected: {other:?}"),
    }
}

fn code(s: &str) -> EventPlace {
    EventPlace::Municipality(MunicipalityCode::parse(s).unwrap())
}

#[test]
fn fixture_has_one_result_per_element() {
    let all = parsed();
    assert_eq!(all.len(), 21);
    assert_eq!(all.iter().filter(|r| r.is_ok()).count(), 16);
    let rejected: Vec<usize> = all.iter().filter_map(|r| r.as_ref().err().map(|e| e.index)).collect();
    assert_eq!(rejected, [14, 15, 17, 19, 20]);
}

#[test]
fn a_full_event() {
    let e = event(521474);
    assert_eq!(e.at.to_string(), "2024-11-22T20:40:03Z");
    assert_eq!(e.name, "22 november 21.40, Skadegörelse, Trelleborg");
    assert_eq!(e.summary, "Fönsterrutor krossade vid en skola i centrala Trelleborg.");
    assert_eq!(e.url, "https://polisen.se/aktuellt/handelser/2024/november/22/22-november-21.40-skadegorelse-trelleborg/");
    assert_eq!(e.event_type, "Skadegörelse");
    assert_eq!(e.location_name, "Trelleborg");
    assert_eq!(e.place, code("1287"));
    assert_eq!(e.gps, Some((55.375806, 13.156936)));
}

#[test]
fn one_digit_hours_in_winter_and_summer_time() {
    assert_eq!(event(521480).at.to_string(), "2024-11-23T02:12:45Z");
    assert_eq!(event(521560).at.to_string(), "2024-06-21T07:58:49Z");
}

#[test]
fn absolute_urls_are_kept() {
    assert_eq!(event(521490).url, "https://polisen.se/aktuellt/handelser/2024/november/23/23-november-10.31-ran-malmo/");
}

#[test]
fn places_resolve_to_municipalities_counties_or_unknown() {
    assert_eq!(event(521481).place, EventPlace::County("12".to_owned()));
    assert_eq!(event(521535).place, EventPlace::County("01".to_owned()));
    assert_eq!(event(521490).place, code("1280"));
    assert_eq!(event(521540).place, code("1480"));
    assert_eq!(event(521550).place, EventPlace::Unknown);
    assert_eq!(event(521550).location_name, "Öresund");
}

#[test]
fn stockholm_the_municipality_and_stockholms_lan_the_county() {
    assert_eq!(resolve_place("Stockholm"), code("0180"));
    assert_eq!(resolve_place("Stockholms län"), EventPlace::County("01".to_owned()));
    assert_eq!(resolve_place("Skåne"), EventPlace::County("12".to_owned()));
    assert_eq!(resolve_place(" trelleborg "), code("1287"));
    assert_eq!(resolve_place("Atlantis"), EventPlace::Unknown);
}

#[test]
fn missing_empty_or_null_gps_is_none() {
    assert_eq!(event(521515).gps, None); // no "gps" key
    assert_eq!(event(521525).gps, None); // ""
    assert_eq!(event(521550).gps, None); // null
}

#[test]
fn rejected_elements_name_the_field() {
    let r = rejected(14);
    assert_eq!(r.id, Some(521555));
    assert!(r.reason.contains("”datetime”"), "{}", r.reason);
    assert!(r.reason.contains("igår kväll"), "{}", r.reason);

    let r = rejected(15);
    assert_eq!(r.id, None);
    assert!(r.reason.contains("inte ett objekt"), "{}", r.reason);

    let r = rejected(17);
    assert_eq!(r.id, Some(521565));
    assert!(r.reason.contains("”location”"), "{}", r.reason);

    let r = rejected(19);
    assert!(r.reason.contains("location.gps"), "{}", r.reason);
    assert!(r.reason.contains("bytt plats"), "{}", r.reason);

    let r = rejected(20);
    assert_eq!(r.id, Some(521474));
    assert!(r.reason.contains("händelse nr 1"), "{}", r.reason);
    assert_eq!(r.to_string(), format!("Händelse nr 21 (id 521474): {}", r.reason));
}

fn one(json: &str) -> Result<PoliceEvent, RejectedEvent> {
    let mut v = parse_police_events(json.as_bytes()).unwrap();
    assert_eq!(v.len(), 1);
    v.remove(0)
}

const GOOD: &str = r#"{"id":1,"datetime":"2018-04-13 9:58:49 +02:00","name":"13 april 09.58, Rån, Trelleborg","summary":"","url":"/aktuellt/handelser/2018/april/13/x/","type":"Rån","location":{"name":"Trelleborg","gps":"55.375,13.157"}}"#;

#[test]
fn field_level_rejections() {
    assert!(one(&format!("[{GOOD}]")).is_ok());
    let cases: &[(&str, &str, &str)] = &[
        (r#""id":1,"#, r#""id":"1","#, "”id”"),
        (r#""id":1,"#, r#""id":1.5,"#, "”id”"),
        (r#""id":1,"#, "", "”id”"),
        (r#""name":"13 april 09.58, Rån, Trelleborg","#, r#""name":"","#, "”name”"),
        (r#""name":"13 april 09.58, Rån, Trelleborg","#, r#""name":7,"#, "”name”"),
        (r#""type":"Rån","#, "", "”type”"),
        (r#""url":"/aktuellt/handelser/2018/april/13/x/","#, r#""url":"javascript:alert(1)","#, "”url”"),
        (r#""datetime":"2018-04-13 9:58:49 +02:00","#, r#""datetime":"2018-04-31 9:58:49 +02:00","#, "”datetime”"),
        (r#""gps":"55.375,13.157""#, r#""gps":"55,375;13,157""#, "location.gps"),
        (r#""gps":"55.375,13.157""#, r#""gps":[55.375,13.157]"#, "location.gps"),
        (r#""name":"Trelleborg","#, "", "location.name"),
        (r#""location":{"name":"Trelleborg","gps":"55.375,13.157"}"#, r#""location":"Trelleborg""#, "”location”"),
    ];
    for (from, to, field) in cases {
        assert!(GOOD.contains(from), "{from}");
        let json = format!("[{}]", GOOD.replacen(from, to, 1));
        match one(&json) {
            Err(r) => assert!(r.reason.contains(field), "{json}: {}", r.reason),
            Ok(e) => panic!("accepted {json}: {e:?}"),
        }
    }
}

#[test]
fn missing_summary_is_empty() {
    let json = format!("[{}]", GOOD.replacen(r#""summary":"","#, "", 1));
    assert_eq!(one(&json).unwrap().summary, "");
}

#[test]
fn whole_file_refusals() {
    assert_eq!(parse_police_events(b""), Err(PoliceEventsError::Empty));
    assert_eq!(parse_police_events(b" \n"), Err(PoliceEventsError::Empty));
    assert!(matches!(parse_police_events(b"{\"id\":1}"), Err(PoliceEventsError::NotArray { found: "ett objekt" })));
    assert!(matches!(parse_police_events(b"\"text\""), Err(PoliceEventsError::NotArray { .. })));
    match parse_police_events(b"[{\"id\":1},\n{\"id\":") {
        Err(e @ PoliceEventsError::NotJson { line: 2, .. }) => {
            assert!(e.to_string().contains("rad 2"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(parse_police_events(b"<html>Service Unavailable</html>"), Err(PoliceEventsError::NotJson { .. })));
    assert!(matches!(parse_police_events_with(&fixture(), &ReadOptions { max_bytes: 100 }), Err(PoliceEventsError::TooLarge(_))));
}

#[test]
fn empty_array_and_bom() {
    assert_eq!(parse_police_events(b"[]"), Ok(vec![]));
    let mut bytes = b"\xEF\xBB\xBF[".to_vec();
    bytes.extend(GOOD.as_bytes());
    bytes.push(b']');
    assert_eq!(parse_police_events(&bytes).unwrap().len(), 1);
}

#[test]
fn events_serialize_to_json() {
    let e = event(521481);
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["place"]["kind"], "county");
    assert_eq!(v["place"]["code"], "12");
    assert_eq!(v["at"], "2024-11-23T06:05:10Z");
    let e = event(521474);
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["place"]["kind"], "municipality");
    assert_eq!(v["place"]["code"], "1287");
}
