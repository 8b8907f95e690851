//! Reading and storing the code lists of the directory: themes and target groups
//! (`brygga_domain::actors`), languages (ISO 639-1), weekdays and times of day.
//!
//! A list of codes is stored between commas (`,idrott,kultur,`) so that "has this theme" is one
//! portable `LIKE '%,idrott,%'` on both backends.

use brygga_domain::FieldError;
use brygga_domain::actors::{TARGET_GROUPS, THEMES};

/// The languages an organisation or offer can name: ISO 639-1 code and Swedish label.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("sv", "svenska"),
    ("en", "engelska"),
    ("ar", "arabiska"),
    ("fa", "persiska"),
    ("so", "somaliska"),
    ("ti", "tigrinja"),
    ("ku", "kurdiska"),
    ("bs", "bosniska"),
    ("pl", "polska"),
    ("uk", "ukrainska"),
    ("fi", "finska"),
    ("es", "spanska"),
    ("de", "tyska"),
    ("sgn", "svenskt teckenspråk"),
];

/// The Swedish names of the weekdays, Monday = 1.
pub const WEEKDAYS: [&str; 7] = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"];

/// iCal (RFC 5545) day codes, Monday = 1, as HSDS schedules use them.
pub const ICAL_DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// The Swedish name of weekday `d` (1–7).
pub fn weekday_label(d: i64) -> &'static str {
    usize::try_from(d - 1).ok().and_then(|i| WEEKDAYS.get(i)).copied().unwrap_or("?")
}

/// The Swedish label of a language code.
pub fn language_label(code: &str) -> Option<&'static str> {
    LANGUAGES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// Which list a code belongs to, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Themes,
    TargetGroups,
    Languages,
}

impl List {
    fn pairs(self) -> &'static [(&'static str, &'static str)] {
        match self {
            List::Themes => THEMES,
            List::TargetGroups => TARGET_GROUPS,
            List::Languages => LANGUAGES,
        }
    }
    fn what(self) -> &'static str {
        match self {
            List::Themes => "tema",
            List::TargetGroups => "målgrupp",
            List::Languages => "språk",
        }
    }
    /// The Swedish label of `code` in this list.
    pub fn label(self, code: &str) -> Option<&'static str> {
        self.pairs().iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
    }
}

/// Checks a list of codes (each known, no repeats kept), in the list's own order.
pub fn parse_list(field: &str, list: List, input: &[String]) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for raw in input {
        let code = raw.trim();
        if code.is_empty() {
            continue;
        }
        if list.label(code).is_none() {
            let known: Vec<&str> = list.pairs().iter().map(|(c, _)| *c).collect();
            return Err(FieldError::new(
                field,
                "code.unknown",
                format!("”{code}” är ingen känd {}. Välj bland: {}.", list.what(), known.join(", ")),
            ));
        }
        if !out.iter().any(|c| c == code) {
            out.push(code.to_owned());
        }
    }
    out.sort_by_key(|c| list.pairs().iter().position(|(k, _)| k == c));
    Ok(out)
}

/// `,a,b,` for storing; an empty list is the empty string.
pub fn join(codes: &[String]) -> String {
    if codes.is_empty() { String::new() } else { format!(",{},", codes.join(",")) }
}

/// The codes of a stored list.
pub fn split(stored: &str) -> Vec<String> {
    stored.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// A time of day `HH:MM` (also `H:MM`, `HH.MM` and a bare hour `18`); `24:00` is the end of the
/// day (a closing time). Stored as `HH:MM`, which sorts as it reads.
pub fn parse_time(field: &str, label: &str, input: &str) -> Result<String, FieldError> {
    let s = input.trim();
    let bad =
        || FieldError::new(field, "time.invalid", format!("{label} ”{s}” är ingen tid. Skriv timmar och minuter, till exempel 18:00."));
    if s.is_empty() {
        return Err(FieldError::new(field, "required", format!("{label} saknas. Skriv en tid, till exempel 18:00.")));
    }
    let (h, m) = match s.split_once([':', '.']) {
        Some((h, m)) if m.len() == 2 => (h, m),
        Some(_) => return Err(bad()),
        None => (s, "00"),
    };
    if h.is_empty() || h.len() > 2 {
        return Err(bad());
    }
    let (Ok(h), Ok(m)) = (h.parse::<u32>(), m.parse::<u32>()) else { return Err(bad()) };
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(format!("{h:02}:{m:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_checked_and_kept_in_list_order() {
        let codes = parse_list("themes", List::Themes, &["kultur".into(), "idrott".into(), "kultur".into()]).unwrap();
        assert_eq!(codes, ["idrott", "kultur"]);
        assert_eq!(join(&codes), ",idrott,kultur,");
        assert_eq!(split(",idrott,kultur,"), codes);
        let e = parse_list("themes", List::Themes, &["fotboll".into()]).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("themes", "code.unknown"));
        assert!(e.message.contains("”fotboll” är ingen känd tema"), "{}", e.message);
    }

    #[test]
    fn times_read_as_swedes_write_them() {
        assert_eq!(parse_time("t", "Tiden", "18").unwrap(), "18:00");
        assert_eq!(parse_time("t", "Tiden", "9.30").unwrap(), "09:30");
        assert_eq!(parse_time("t", "Tiden", "24:00").unwrap(), "24:00");
        for bad in ["25:00", "18:60", "kväll", "24:30", ""] {
            assert!(parse_time("t", "Tiden", bad).is_err(), "{bad}");
        }
    }
}
