//! Swedish time: instants are stored in UTC; weeks are ISO weeks in Europe/Stockholm.

use jiff::civil::{Date, ISOWeekDate, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// The time zone every "this week" and every displayed time uses.
pub fn stockholm() -> TimeZone {
    TimeZone::get("Europe/Stockholm").expect("bundled tzdb has Europe/Stockholm")
}

/// `ts` in Swedish local time.
pub fn local(ts: Timestamp) -> Zoned {
    ts.to_zoned(stockholm())
}

/// "22 nov. 2026 14:05" style display, as Swedish users write it: `2026-11-22 14:05`.
pub fn format_local(ts: Timestamp) -> String {
    local(ts).strftime("%Y-%m-%d %H:%M").to_string()
}

/// Today's date in Sweden.
pub fn today() -> Date {
    local(Timestamp::now()).date()
}

/// The years Brygga accepts in any date, week or month a user or a file gives: wide enough for
/// every statistic and plan, narrow enough that date arithmetic (a year of weeks before, a month
/// after) can never leave the calendar's range.
pub const MIN_YEAR: i16 = 1900;
pub const MAX_YEAR: i16 = 2100;

fn year_out_of_range(field: &str, year: i64) -> Option<FieldError> {
    (!(i64::from(MIN_YEAR)..=i64::from(MAX_YEAR)).contains(&year)).then(|| {
        FieldError::new(
            field,
            "date.year_range",
            format!("År {year} ligger utanför vad Brygga hanterar. Ange ett år mellan {MIN_YEAR} och {MAX_YEAR}."),
        )
    })
}

/// Reads a month as `2026-11` (the first day of it). `field` names the field in the error;
/// years outside [`MIN_YEAR`]–[`MAX_YEAR`] are refused.
pub fn parse_month(field: &str, input: &str) -> Result<Date, FieldError> {
    let s = input.trim();
    let bad = || FieldError::new(field, "month.invalid", format!("”{s}” är ingen månad. Skriv år och månad, till exempel 2026-11."));
    let (y, m) = s.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) || !(1..=2).contains(&m.len()) || !m.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (year, month) = (y.parse::<i16>().map_err(|_| bad())?, m.parse::<i8>().map_err(|_| bad())?);
    if let Some(e) = year_out_of_range(field, i64::from(year)) {
        return Err(e);
    }
    Date::new(year, month, 1).map_err(|_| bad())
}

/// Reads a date as Swedes write it and `<input type="date">` sends it: `2026-12-24` (also
/// `20261224`). `field` names the field in the error.
pub fn parse_date(field: &str, input: &str) -> Result<Date, FieldError> {
    let s = input.trim();
    let iso =
        if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) { format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..]) } else { s.to_owned() };
    let date = iso.parse::<Date>().map_err(|_| {
        FieldError::new(field, "date.invalid", format!("”{s}” är inget datum. Skriv år, månad och dag, till exempel 2026-12-24."))
    })?;
    match year_out_of_range(field, i64::from(date.year())) {
        Some(e) => Err(e),
        None => Ok(date),
    }
}

/// "v. 48 (23–29 nov.)": an ISO week with its Monday and Sunday, for headings and e-mail.
pub fn week_span(w: IsoWeek) -> String {
    const MONTHS: [&str; 12] = ["jan.", "feb.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "dec."];
    let (mon, sun) = (w.monday(), w.monday().checked_add(jiff::Span::new().days(6)).expect("within range"));
    let month = |d: Date| MONTHS[usize::try_from(d.month() - 1).unwrap_or(0)];
    if mon.month() == sun.month() {
        format!("v. {} ({}–{} {})", w.week(), mon.day(), sun.day(), month(sun))
    } else {
        format!("v. {} ({} {}–{} {})", w.week(), mon.day(), month(mon), sun.day(), month(sun))
    }
}

/// An ISO 8601 week, e.g. 2026-W47.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IsoWeek {
    year: i16,
    week: i8,
}

impl IsoWeek {
    pub fn new(year: i16, week: i8) -> Option<Self> {
        ISOWeekDate::new(year, week, Weekday::Monday).ok().map(|_| Self { year, week })
    }
    /// The week `ts` falls in, in Swedish local time.
    pub fn of(ts: Timestamp) -> Self {
        Self::of_date(local(ts).date())
    }
    pub fn of_date(d: Date) -> Self {
        let w = d.iso_week_date();
        Self { year: w.year(), week: w.week() }
    }
    pub fn current() -> Self {
        Self::of(Timestamp::now())
    }
    pub fn year(self) -> i16 {
        self.year
    }
    pub fn week(self) -> i8 {
        self.week
    }
    pub fn monday(self) -> Date {
        ISOWeekDate::new(self.year, self.week, Weekday::Monday).expect("validated").date()
    }
    /// The week `n` weeks later (negative: earlier).
    pub fn plus(self, n: i32) -> Self {
        Self::of_date(self.monday().checked_add(jiff::Span::new().weeks(n)).expect("within range"))
    }
    /// A sortable integer key, e.g. 202647.
    pub fn key(self) -> i32 {
        i32::from(self.year) * 100 + i32::from(self.week)
    }
    pub fn from_key(key: i64) -> Option<Self> {
        Self::new(i16::try_from(key / 100).ok()?, i8::try_from(key % 100).ok()?)
    }
    /// Parses `2026-W47`, `2026W47` or `2026-47`; years outside [`MIN_YEAR`]–[`MAX_YEAR`] are
    /// refused.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim().to_ascii_uppercase();
        let bad = || {
            FieldError::new("week", "week.invalid", format!("”{input}” är ingen giltig vecka. Skriv år och vecka, till exempel 2026-W47."))
        };
        let (y, w) = s.split_once("-W").or_else(|| s.split_once('W')).or_else(|| s.split_once('-')).ok_or_else(bad)?;
        let (year, week) = (y.parse::<i16>().map_err(|_| bad())?, w.parse::<i8>().map_err(|_| bad())?);
        if let Some(e) = year_out_of_range("week", i64::from(year)) {
            return Err(e);
        }
        Self::new(year, week).ok_or_else(|| {
            FieldError::new("week", "week.out_of_range", format!("År {year} har ingen vecka {week}. Veckorna går från 1 till 52 eller 53."))
        })
    }
}

impl std::fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

impl Serialize for IsoWeek {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IsoWeek {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// Formats a number the Swedish way: space as thousands separator, decimal comma.
pub fn format_number(value: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, value.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    let sign = if value < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') { "−" } else { "" };
    if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped},{frac}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_follow_iso_8601_in_stockholm() {
        // Sunday 2026-01-04 23:30 UTC is Monday 00:30 in Stockholm: week 2.
        let ts: Timestamp = "2026-01-04T23:30:00Z".parse().unwrap();
        assert_eq!(IsoWeek::of(ts).to_string(), "2026-W02");
        // 2027-01-01 is a Friday and belongs to 2026-W53.
        assert_eq!(IsoWeek::of_date(jiff::civil::date(2027, 1, 1)).to_string(), "2026-W53");
        assert_eq!(IsoWeek::parse("2026-w47").unwrap().plus(-47).to_string(), "2025-W52");
        assert_eq!(IsoWeek::parse("2025-W53").unwrap_err().code, "week.out_of_range");
        assert_eq!(IsoWeek::from_key(202647), IsoWeek::new(2026, 47));
    }

    #[test]
    fn years_are_bounded_everywhere() {
        for w in ["-9999-W01", "9999-W01", "1899-W10", "2101-W01", "0-W1"] {
            let e = IsoWeek::parse(w).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("week", "date.year_range"), "{w}");
            assert!(e.message.contains("mellan 1900 och 2100"), "{}", e.message);
        }
        assert!(IsoWeek::parse("2100-W52").unwrap().plus(60).year() > 2100);
        assert!(IsoWeek::parse("1900-W01").unwrap().plus(-60).year() < 1900);
        assert_eq!(parse_month("manad", "9999-12").unwrap_err().code, "date.year_range");
        assert_eq!(parse_month("manad", "-2026-11").unwrap_err().code, "month.invalid");
        assert_eq!(parse_month("manad", "2026-13").unwrap_err().code, "month.invalid");
        assert_eq!(parse_month("manad", " 2026-11 ").unwrap(), jiff::civil::date(2026, 11, 1));
        assert_eq!(parse_date("due_on", "9999-12-31").unwrap_err().code, "date.year_range");
        assert_eq!(parse_date("due_on", "20261224").unwrap(), jiff::civil::date(2026, 12, 24));
    }

    #[test]
    fn dates_and_week_spans() {
        assert_eq!(parse_date("due_on", " 2026-12-24 ").unwrap(), jiff::civil::date(2026, 12, 24));
        assert_eq!(parse_date("due_on", "20261224").unwrap(), jiff::civil::date(2026, 12, 24));
        let e = parse_date("due_on", "24 dec").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("due_on", "date.invalid"));
        assert!(parse_date("due_on", "2026-02-30").is_err());
        assert_eq!(week_span(IsoWeek::new(2026, 48).unwrap()), "v. 48 (23–29 nov.)");
        assert_eq!(week_span(IsoWeek::new(2026, 49).unwrap()), "v. 49 (30 nov.–6 dec.)");
    }

    #[test]
    fn swedish_numbers() {
        assert_eq!(format_number(1234567.891, 1), "1\u{a0}234\u{a0}567,9");
        assert_eq!(format_number(-12.0, 0), "−12");
        assert_eq!(format_number(999.0, 0), "999");
    }
}
