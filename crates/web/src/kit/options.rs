//! Option lists and the municipality text field, shared by pages of several capabilities (a
//! page never borrows from another page). Presentation only: the data comes from the store.

use brygga_domain::{FieldError, geography};
use brygga_store::places::areas::Area;

/// "Trelleborg, 1233 Vellinge" → municipality codes; names it cannot find become a field error.
pub fn municipalities_from_text(field: &str, text: &str) -> Result<Vec<String>, FieldError> {
    let mut codes = Vec::new();
    let mut unknown = Vec::new();
    for part in text.split([',', ';', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        match geography::municipality_by_name(part) {
            Some(m) if !codes.iter().any(|c| c == m.code) => codes.push(m.code.to_owned()),
            Some(_) => {}
            None => unknown.push(part.to_owned()),
        }
    }
    if unknown.is_empty() {
        Ok(codes)
    } else {
        Err(FieldError::new(
            field,
            "municipality.unknown",
            format!(
                "Hittar ingen kommun som heter ”{}”. Skriv kommunens namn eller fyrsiffriga kod, till exempel Trelleborg eller 1287, och skilj flera åt med komma.",
                unknown.join("”, ”")
            ),
        ))
    }
}

/// A municipality named in a page's address by its four-digit code (or its name); 404 otherwise.
pub fn municipality_in_path(code: &str) -> Result<geography::MunicipalityCode, crate::kit::error::AppError> {
    geography::MunicipalityCode::parse(code)
        .or_else(|_| geography::MunicipalityCode::named(code))
        .map_err(|_| crate::kit::error::AppError::NotFound)
}

/// Codes as names for a form field ("Trelleborg, Vellinge").
pub fn municipality_names(codes: &[String]) -> String {
    codes.iter().map(|c| geography::municipality(c).map_or(c.clone(), |m| m.name.to_owned())).collect::<Vec<_>>().join(", ")
}

/// Every municipality's name, for a form's suggestion list.
pub fn all_municipality_names() -> Vec<&'static str> {
    geography::municipalities().iter().map(|m| m.name).collect()
}

/// An area as an option, indented by depth ("Centrum › Stortorget").
pub fn area_options(places: &[Area]) -> Vec<(String, String)> {
    places
        .iter()
        .map(|a| {
            let mut name = a.name.clone();
            let mut parent = a.parent_id;
            let mut depth = 0;
            while let (Some(p), true) = (parent, depth < 5) {
                match places.iter().find(|x| x.id == p) {
                    Some(x) => {
                        name = format!("{} › {name}", x.name);
                        parent = x.parent_id;
                    }
                    None => break,
                }
                depth += 1;
            }
            (a.id.to_string(), name)
        })
        .collect()
}

/// The directory's theme choices (code, Swedish label), shared with the interventions register.
pub fn theme_options() -> Vec<(String, String)> {
    brygga_domain::actors::THEMES.iter().map(|(c, l)| (c.to_string(), l.to_string())).collect()
}

/// The target-group choices (code, Swedish label).
pub fn target_group_options() -> Vec<(String, String)> {
    brygga_domain::actors::TARGET_GROUPS.iter().map(|(c, l)| (c.to_string(), l.to_string())).collect()
}

/// The language choices of a directory profile (ISO 639-1 code, Swedish name).
pub fn language_options() -> Vec<(String, String)> {
    brygga_store::actors::codes::LANGUAGES.iter().map(|(c, l)| (c.to_string(), l.to_string())).collect()
}

/// The weekdays, `1` = måndag … `7` = söndag.
pub fn weekday_options() -> Vec<(String, String)> {
    brygga_store::actors::codes::WEEKDAYS.iter().enumerate().map(|(i, d)| ((i + 1).to_string(), d.to_string())).collect()
}
