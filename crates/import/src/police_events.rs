//! The Swedish Police's events feed (<https://polisen.se/api/events>): a JSON array of
//! objects such as
//!
//! ```json
//! { "id": 103745, "datetime": "2018-04-13 9:58:49 +02:00",
//!   "name": "13 april 09.58, Rån, Trelleborg", "summary": "Butiksrån på Algatan.",
//!   "url": "/aktuellt/handelser/2018/april/13/13-april-0958-ran-trelleborg/",
//!   "type": "Rån", "location": { "name": "Trelleborg", "gps": "55.375,13.157" } }
//! ```
//!
//! The whole file is refused only when it is not JSON or not an array; every element is
//! accepted or rejected on its own, with a Swedish reason naming the field.

use std::collections::HashMap;

use brygga_domain::geography::{self, MunicipalityCode};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::tabular::{ReadOptions, TableError, check_size};

/// The base of relative event URLs.
pub const POLICE_BASE_URL: &str = "https://polisen.se";

/// One police event, as published.
///
/// **Location precision:** the police publish only the municipality or county an event belongs
/// to, and `gps` is that area's centroid, *never* the place where it happened. Store and show it
/// as a low-precision (municipality/county-level) position; never place it on a map as if it
/// were the scene.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoliceEvent {
    pub id: i64,
    pub at: Timestamp,
    /// E.g. "13 april 09.58, Rån, Trelleborg".
    pub name: String,
    pub summary: String,
    /// Absolute URL on polisen.se (relative URLs are resolved against [`POLICE_BASE_URL`]).
    pub url: String,
    /// The police's event type, e.g. "Rån", "Skadegörelse", "Sammanfattning natt".
    pub event_type: String,
    /// `location.name` as published, e.g. "Trelleborg" or "Skåne län".
    pub location_name: String,
    pub place: EventPlace,
    /// `(lat, lon)` of the municipality's or county's centroid: low precision, see the type.
    pub gps: Option<(f64, f64)>,
}

/// The area an event is filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum EventPlace {
    Municipality(MunicipalityCode),
    /// A county code, e.g. `"12"` for Skåne län.
    County(String),
    /// A location name that is neither a municipality nor a county.
    Unknown,
}

/// An element of the array that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedEvent {
    /// The element's 0-based position in the array.
    pub index: usize,
    /// The event's id, when it could be read.
    pub id: Option<i64>,
    /// Why, in Swedish, naming the field.
    pub reason: String,
}

impl std::fmt::Display for RejectedEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.id {
            Some(id) => write!(f, "Händelse nr {} (id {id}): {}", self.index + 1, self.reason),
            None => write!(f, "Händelse nr {}: {}", self.index + 1, self.reason),
        }
    }
}

/// Why the whole file was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PoliceEventsError {
    #[error(transparent)]
    TooLarge(TableError),
    #[error("Filen är tom. Hämta händelserna från polisens API igen.")]
    Empty,
    #[error(
        "Filen är inte giltig JSON (rad {line}, tecken {column}: {detail}). Hämta händelserna \
         från polisens API igen och spara svaret oförändrat."
    )]
    NotJson { line: usize, column: usize, detail: String },
    #[error(
        "Filen är JSON men inte en lista över händelser (den innehåller {found}). Polisens API \
         svarar med en lista, [ … ]; kontrollera att du sparat svaret från /api/events."
    )]
    NotArray { found: &'static str },
}

/// Parses the events feed with the default size limit.
pub fn parse_police_events(bytes: &[u8]) -> Result<Vec<Result<PoliceEvent, RejectedEvent>>, PoliceEventsError> {
    parse_police_events_with(bytes, &ReadOptions::default())
}

/// Parses the events feed.
pub fn parse_police_events_with(bytes: &[u8], options: &ReadOptions) -> Result<Vec<Result<PoliceEvent, RejectedEvent>>, PoliceEventsError> {
    check_size(bytes.len(), options).map_err(PoliceEventsError::TooLarge)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(PoliceEventsError::Empty);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| PoliceEventsError::NotJson {
        line: e.line(),
        column: e.column(),
        detail: json_error_sv(&e),
    })?;
    let Value::Array(items) = value else {
        return Err(PoliceEventsError::NotArray { found: json_kind_sv(&value) });
    };
    let mut seen: HashMap<i64, usize> = HashMap::new();
    Ok(items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let event = parse_event(index, item)?;
            if let Some(&first) = seen.get(&event.id) {
                return Err(RejectedEvent {
                    index,
                    id: Some(event.id),
                    reason: format!(
                        "fältet ”id” ({}) förekommer redan i händelse nr {}; samma händelse \
                         läses bara in en gång.",
                        event.id,
                        first + 1
                    ),
                });
            }
            seen.insert(event.id, index);
            Ok(event)
        })
        .collect())
}

fn json_error_sv(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "filen tar slut mitt i".to_owned(),
        Category::Syntax => "felaktig syntax".to_owned(),
        Category::Data => "oväntat innehåll".to_owned(),
        Category::Io => "läsfel".to_owned(),
    }
}

fn json_kind_sv(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "ett sanningsvärde",
        Value::Number(_) => "ett tal",
        Value::String(_) => "en textsträng",
        Value::Array(_) => "en lista",
        Value::Object(_) => "ett objekt",
    }
}

fn parse_event(index: usize, item: &Value) -> Result<PoliceEvent, RejectedEvent> {
    let reject = |id: Option<i64>, reason: String| RejectedEvent { index, id, reason };
    let Value::Object(obj) = item else {
        return Err(reject(
            None,
            format!(
                "elementet är {} och inte ett objekt med fälten id, datetime, name, summary, \
                 url, type och location.",
                json_kind_sv(item)
            ),
        ));
    };
    let id = match obj.get("id") {
        Some(Value::Number(n)) => n.as_i64(),
        _ => None,
    };
    let Some(id) = id else {
        return Err(reject(None, "fältet ”id” saknas eller är inget heltal.".to_owned()));
    };
    let reject = |reason: String| reject(Some(id), reason);
    let text = |field: &str, required: bool| -> Result<String, RejectedEvent> {
        match obj.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() || !required => Ok(s.trim().to_owned()),
            None | Some(Value::Null) if !required => Ok(String::new()),
            Some(Value::String(_)) => Err(reject(format!("fältet ”{field}” är tomt."))),
            None | Some(Value::Null) => Err(reject(format!("fältet ”{field}” saknas."))),
            Some(other) => Err(reject(format!("fältet ”{field}” ska vara text men är {}.", json_kind_sv(other)))),
        }
    };
    let datetime = text("datetime", true)?;
    let at = parse_police_datetime(&datetime).ok_or_else(|| {
        reject(format!(
            "fältet ”datetime” (”{}”) är ingen giltig tidpunkt; väntat format är \
             ”2018-04-13 9:58:49 +02:00”.",
            shorten(&datetime)
        ))
    })?;
    let name = text("name", true)?;
    let summary = text("summary", false)?;
    let raw_url = text("url", true)?;
    let url = absolute_url(&raw_url).ok_or_else(|| {
        reject(format!(
            "fältet ”url” (”{}”) är ingen webbadress på polisen.se; väntat är en sökväg som \
             ”/aktuellt/handelser/…” eller en adress som börjar med https://.",
            shorten(&raw_url)
        ))
    })?;
    let event_type = text("type", true)?;
    let location = match obj.get("location") {
        Some(Value::Object(l)) => l,
        None | Some(Value::Null) => return Err(reject("fältet ”location” saknas.".to_owned())),
        Some(other) => {
            return Err(reject(format!("fältet ”location” ska vara ett objekt med name och gps men är {}.", json_kind_sv(other))));
        }
    };
    let location_name = match location.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => {
            return Err(reject("fältet ”location.name” saknas eller är tomt.".to_owned()));
        }
    };
    let gps = match location.get("gps") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(parse_gps(s).map_err(reject)?),
        Some(other) => {
            return Err(reject(format!("fältet ”location.gps” ska vara text som ”55.375,13.157” men är {}.", json_kind_sv(other))));
        }
    };
    Ok(PoliceEvent { id, at, name, summary, url, event_type, place: resolve_place(&location_name), location_name, gps })
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// Parses the feed's `datetime`: `YYYY-MM-DD H:MM:SS ±HH:MM` with a one- or two-digit hour.
/// RFC 3339 (`2018-04-13T09:58:49+02:00`) is accepted too.
pub fn parse_police_datetime(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    let mut parts = s.split_whitespace();
    let (Some(date), Some(time), Some(offset), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return s.parse::<Timestamp>().ok();
    };
    let mut d = date.split('-');
    let (Some(y), Some(mo), Some(da), None) = (d.next(), d.next(), d.next(), d.next()) else {
        return None;
    };
    let year: i16 = fixed_digits(y, 4)?.try_into().ok()?;
    let month: i8 = fixed_digits(mo, 2)?.try_into().ok()?;
    let day: i8 = fixed_digits(da, 2)?.try_into().ok()?;
    let mut t = time.split(':');
    let (Some(h), Some(mi), sec, None) = (t.next(), t.next(), t.next(), t.next()) else {
        return None;
    };
    if h.is_empty() || h.len() > 2 {
        return None;
    }
    let hour: i8 = fixed_digits(h, h.len())?.try_into().ok()?;
    let minute: i8 = fixed_digits(mi, 2)?.try_into().ok()?;
    let second: i8 = match sec {
        Some(sec) => fixed_digits(sec, 2)?.try_into().ok()?,
        None => 0,
    };
    let dt = jiff::civil::DateTime::new(year, month, day, hour, minute, second, 0).ok()?;
    let offset = parse_offset(offset)?;
    offset.to_timestamp(dt).ok()
}

/// Exactly `n` ASCII digits.
fn fixed_digits(s: &str, n: usize) -> Option<u32> {
    if s.len() != n || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `+02:00`, `-05:30`, `+0200`, `Z`.
fn parse_offset(s: &str) -> Option<jiff::tz::Offset> {
    if s == "Z" || s == "UTC" {
        return Some(jiff::tz::Offset::UTC);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None => return None,
    };
    let hours = i32::try_from(fixed_digits(h, 2)?).ok()?;
    let minutes = i32::try_from(fixed_digits(m, 2)?).ok()?;
    if hours > 18 || minutes > 59 {
        return None;
    }
    jiff::tz::Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// Resolves a relative URL against polisen.se; keeps absolute http(s) URLs; refuses anything
/// else (a `javascript:` URL must never reach a link).
fn absolute_url(raw: &str) -> Option<String> {
    if raw.chars().any(|c| c.is_whitespace() || c.is_control() || "\"<>\\`".contains(c)) {
        return None;
    }
    let lower = raw.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return (raw.len() > lower.find("://")? + 3).then(|| raw.to_owned());
    }
    if raw.starts_with("//") {
        return None;
    }
    if raw.starts_with('/') {
        return Some(format!("{POLICE_BASE_URL}{raw}"));
    }
    // "aktuellt/handelser/…": a path without the leading slash, but nothing with a scheme.
    let first_segment = raw.split('/').next().unwrap_or_default();
    if first_segment.contains(':') || first_segment.is_empty() {
        return None;
    }
    Some(format!("{POLICE_BASE_URL}/{raw}"))
}

/// `"55.375,13.157"` → `(55.375, 13.157)`, checked to lie in Sweden.
fn parse_gps(s: &str) -> Result<(f64, f64), String> {
    let bad = || {
        format!(
            "fältet ”location.gps” (”{}”) är inga koordinater; väntat är latitud och longitud \
             med punkt som decimaltecken, till exempel ”55.375,13.157”.",
            shorten(s)
        )
    };
    let (a, b) = s.split_once(',').ok_or_else(bad)?;
    let parse = |t: &str| -> Option<f64> {
        let t = t.trim();
        if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit() || c == b'.' || c == b'-') {
            return None;
        }
        t.parse::<f64>().ok().filter(|v| v.is_finite())
    };
    let (lat, lon) = (parse(a).ok_or_else(bad)?, parse(b).ok_or_else(bad)?);
    let extent = geography::SWEDEN_EXTENT;
    if extent.contains(lon, lat) {
        return Ok((lat, lon));
    }
    if extent.contains(lat, lon) {
        return Err(format!(
            "fältet ”location.gps” (”{}”) ligger utanför Sverige; latitud och longitud verkar \
             ha bytt plats (latitud ska stå först).",
            shorten(s)
        ));
    }
    Err(format!("fältet ”location.gps” (”{}”) ligger utanför Sverige.", shorten(s)))
}

/// A municipality by name; a name ending in "län" (or naming only a county) as the county.
pub fn resolve_place(location_name: &str) -> EventPlace {
    let name = location_name.trim();
    let says_county = name.to_lowercase().split_whitespace().last().is_some_and(|w| w == "län");
    if !says_county && let Some(m) = geography::municipality_by_name(name) {
        return EventPlace::Municipality(m.municipality_code());
    }
    match geography::county_by_name(name) {
        Some(c) => EventPlace::County(c.code.to_owned()),
        None => EventPlace::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_with_one_and_two_digit_hours() {
        let a = parse_police_datetime("2018-04-13 9:58:49 +02:00").map(|t| t.to_string());
        assert_eq!(a.as_deref(), Some("2018-04-13T07:58:49Z"));
        let b = parse_police_datetime("2024-11-22 21:40:03 +01:00").map(|t| t.to_string());
        assert_eq!(b.as_deref(), Some("2024-11-22T20:40:03Z"));
        let c = parse_police_datetime("2024-11-22T21:40:03+01:00").map(|t| t.to_string());
        assert_eq!(c.as_deref(), Some("2024-11-22T20:40:03Z"));
        for bad in [
            "",
            "2018-04-13",
            "2018-04-13 25:00:00 +02:00",
            "2018-13-13 09:00:00 +02:00",
            "2018-02-30 09:00:00 +02:00",
            "2018-04-13 123:00:00 +02:00",
            "2018-04-13 09:00:00 02:00",
            "2018-04-13 09:00:00 +25:00",
            "13 april 09.58",
        ] {
            assert_eq!(parse_police_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert_eq!(
            absolute_url("/aktuellt/handelser/2018/april/13/x/").as_deref(),
            Some("https://polisen.se/aktuellt/handelser/2018/april/13/x/")
        );
        assert_eq!(absolute_url("https://polisen.se/a/").as_deref(), Some("https://polisen.se/a/"));
        assert_eq!(absolute_url("aktuellt/handelser/x").as_deref(), Some("https://polisen.se/aktuellt/handelser/x"));
        for bad in ["javascript:alert(1)", "//evil.example/x", "https://", "/a b", "data:text/html,x"] {
            assert_eq!(absolute_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn gps() {
        assert_eq!(parse_gps("55.375,13.157"), Ok((55.375, 13.157)));
        assert_eq!(parse_gps("55.375, 13.157"), Ok((55.375, 13.157)));
        assert!(parse_gps("13.157,55.375").unwrap_err().contains("bytt plats"));
        assert!(parse_gps("0,0").unwrap_err().contains("utanför Sverige"));
        assert!(parse_gps("abc").is_err());
        assert!(parse_gps("55,375,13,157").is_err());
        assert!(parse_gps("NaN,inf").is_err());
    }
}
