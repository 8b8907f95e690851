//! An area upload (GeoJSON) read, checked and planned against the database, writing nothing:
//! the import page's preview and `POST /api/v1/areas/import` are two doors onto this one check,
//! so both refuse the same features with the same messages.

use brygga_domain::geography::Municipality;
use brygga_domain::geometry::{self, Check, CrsChoice, Fault};
use brygga_domain::time::format_number;
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::places::areas::{self, ImportItem, ImportRow, Planned};
use brygga_store::{StoreError, Viewer};

use crate::AppState;
use crate::kit::error::{AppError, off_runtime};

/// Square metres as people read them: "1 250 m²", "3,4 ha", "2,15 km²".
pub fn area_text(m2: f64) -> String {
    if m2 <= 0.0 {
        "–".into()
    } else if m2 < 10_000.0 {
        format!("{} m²", format_number(m2, 0))
    } else if m2 < 1_000_000.0 {
        format!("{} ha", format_number(m2 / 10_000.0, 1))
    } else {
        format!("{} km²", format_number(m2 / 1_000_000.0, 2))
    }
}

/// One feature as the preview shows it.
pub struct PreviewRow {
    pub index: usize,
    pub name: String,
    pub kind: String,
    pub parent: String,
    pub form: String,
    pub size: String,
    pub problems: Vec<String>,
    pub notes: Vec<String>,
}

/// What an import would do: every feature with its problems, and the items to write when
/// there are none.
pub struct Preview {
    pub rows: Vec<PreviewRow>,
    pub errors: FieldErrors,
    pub items: Vec<ImportItem>,
    pub crs: String,
    pub geometries: Vec<(String, serde_json::Value)>,
}

/// Reads, checks and plans an import against the database, writing nothing. A fault of the
/// whole file is `Err`.
pub async fn preview(state: &AppState, v: &Viewer, muni: &'static Municipality, text: &str, crs: CrsChoice) -> Result<Preview, AppError> {
    let owned = text.to_owned();
    let features = off_runtime(move || geometry::parse_collection(&owned, crs, &Check::municipality(muni)))
        .await?
        .map_err(|f: Fault| AppError::Invalid(FieldError::new("geojson", f.code, f.message).into()))?;
    let rows_in: Vec<ImportRow> = features
        .iter()
        .map(|f| ImportRow {
            index: f.index,
            name: f.name.clone().unwrap_or_default(),
            kind: f.kind.clone().unwrap_or_default(),
            parent: f.parent.clone(),
        })
        .collect();
    let (vv, code, rows2) = (v.clone(), muni.municipality_code(), rows_in.clone());
    let plan: Result<Vec<Planned>, FieldErrors> = match state.store.read(move |db| areas::plan_import(db, &vv, code, &rows2)).await {
        Ok(p) => Ok(p),
        Err(StoreError::Invalid(e)) => Err(e),
        Err(e) => return Err(e.into()),
    };
    let mut errors = FieldErrors::new();
    let mut rows = Vec::with_capacity(features.len());
    let mut items = Vec::new();
    let mut crs_seen: Vec<&'static str> = Vec::new();
    let mut geometries = Vec::new();
    for (f, row_in) in features.iter().zip(rows_in.iter()) {
        let field = format!("features[{}]", f.index - 1);
        let mut problems = Vec::new();
        let (form, size, notes) = match &f.result {
            Ok(valid) => {
                if !crs_seen.contains(&valid.crs.label()) {
                    crs_seen.push(valid.crs.label());
                }
                if let Ok(g) = serde_json::from_str(&valid.geometry.geojson) {
                    geometries.push((f.name.clone().unwrap_or_else(|| format!("Objekt {}", f.index)), g));
                }
                items.push(ImportItem { row: row_in.clone(), geometry: valid.geometry.clone() });
                (valid.shape.describe(), area_text(valid.area_m2), valid.notes.clone())
            }
            Err(faults) => {
                for fault in faults {
                    problems.push(fault.message.clone());
                    errors.push(FieldError::new(field.clone(), fault.code, format!("{}: {}", f.label(), fault.message)));
                }
                ("–".into(), "–".into(), vec![])
            }
        };
        if let Err(plan_errors) = &plan {
            for e in plan_errors.0.iter().filter(|e| e.field == field) {
                let label = f.label();
                problems.push(e.message.strip_prefix(&format!("{label}: ")).unwrap_or(&e.message).to_owned());
                errors.push(e.clone());
            }
        }
        let kind = f
            .kind
            .as_deref()
            .map(|k| areas::kind_code(k).map_or(k.to_owned(), |c| areas::kind_label(c).to_owned()))
            .unwrap_or_else(|| "Annan plats".into());
        rows.push(PreviewRow {
            index: f.index,
            name: f.name.clone().unwrap_or_default(),
            kind,
            parent: f.parent.clone().unwrap_or_default(),
            form,
            size,
            problems,
            notes,
        });
    }
    // Errors in file order (geometry and name problems of one feature together).
    errors.0.sort_by_key(|e| e.field.trim_start_matches("features[").trim_end_matches(']').parse::<usize>().unwrap_or(usize::MAX));
    Ok(Preview { rows, errors, items, crs: crs_seen.join(", "), geometries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(area_text(0.0), "–");
        assert_eq!(area_text(1250.4), "1\u{a0}250 m²");
        assert_eq!(area_text(34_000.0), "3,4 ha");
        assert_eq!(area_text(2_150_000.0), "2,15 km²");
    }
}
