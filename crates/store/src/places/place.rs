//! Where a record happened: the one position check shared by reports (observations), alerts
//! and every later record with a place. Kept here, below the capabilities that record places,
//! so a report and an alert refuse the same coordinates with the same field error.

use brygga_domain::geography;
use brygga_domain::{FieldError, FieldErrors};

/// Checks an optional position (WGS 84 degrees) given as two fields, `lat` and `lon`.
///
/// Both or neither must be given; the position must lie in Sweden (with a hint when latitude
/// and longitude look swapped) and, when the record belongs to one municipality, inside that
/// municipality's extent. Problems are pushed onto `errs` under `lat`; the checked position
/// comes back as `(lat, lon)`.
pub fn check_position(errs: &mut FieldErrors, lat: Option<f64>, lon: Option<f64>, municipality: Option<&str>) -> Option<(f64, f64)> {
    match (lat, lon) {
        (None, None) => None,
        (Some(lat), Some(lon)) if lat.is_finite() && lon.is_finite() => match position_error(lat, lon, municipality) {
            None => Some((lat, lon)),
            Some(e) => {
                errs.push(e);
                None
            }
        },
        _ => {
            errs.push(FieldError::new("lat", "position.incomplete", "Ange både latitud och longitud, eller ingen av dem."));
            None
        }
    }
}

/// What is wrong with a complete position, if anything.
fn position_error(lat: f64, lon: f64, municipality: Option<&str>) -> Option<FieldError> {
    let sweden = geography::SWEDEN_EXTENT;
    if !sweden.contains(lon, lat) {
        let hint = if sweden.contains(lat, lon) { " Latitud och longitud verkar ha bytt plats." } else { "" };
        return Some(FieldError::new(
            "lat",
            "position.outside_sweden",
            format!("Positionen {lat:.5}, {lon:.5} ligger utanför Sverige.{hint}"),
        ));
    }
    let code = municipality?;
    if geography::municipality_extent(code).is_none_or(|e| e.contains(lon, lat)) {
        return None;
    }
    let name = geography::municipality(code).map_or("kommunen", |m| m.name);
    Some(FieldError::new(
        "lat",
        "position.outside_municipality",
        format!("Positionen {lat:.5}, {lon:.5} ligger utanför {name}. Kontrollera positionen eller välj en plats i {name}."),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(lat: f64, lon: f64, municipality: Option<&str>) -> Option<&'static str> {
        let mut errs = FieldErrors::new();
        check_position(&mut errs, Some(lat), Some(lon), municipality);
        errs.get("lat").map(|e| e.code)
    }

    #[test]
    fn one_verdict_for_every_record_with_a_place() {
        // Trelleborg is 1287; Stortorget lies at 55.3755, 13.1566.
        assert_eq!(code_of(55.3755, 13.1566, Some("1287")), None);
        assert_eq!(code_of(59.3326, 18.0649, Some("1287")), Some("position.outside_municipality"));
        assert_eq!(code_of(13.1566, 55.3755, Some("1287")), Some("position.outside_sweden"));
        assert_eq!(code_of(48.85, 2.35, None), Some("position.outside_sweden"));
        let mut errs = FieldErrors::new();
        assert_eq!(check_position(&mut errs, Some(55.3), None, None), None);
        assert_eq!(errs.get("lat").map(|e| e.code), Some("position.incomplete"));
    }

    #[test]
    fn swapped_coordinates_get_a_hint() {
        let mut errs = FieldErrors::new();
        check_position(&mut errs, Some(13.1566), Some(55.3755), Some("1287"));
        assert!(errs.get("lat").unwrap().message.contains("bytt plats"));
    }
}
