//! Local police areas (lokalpolisområden), for system administrators: the list, adding or
//! replacing one, removing one, and importing many from pasted CSV — all or nothing.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::places::geography::{self, PoliceArea, PoliceAreaInput, ValidPoliceArea};
use brygga_store::{Action, kernel::access};

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::options::{municipalities_from_text, municipality_names};
use crate::kit::page::{Chrome, Flash, FormView};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/polisomraden", get(list).post(save))
        .route("/polisomraden/import", post(import))
        .route("/polisomraden/{id}/ta-bort", post(delete))
}

#[derive(Template)]
#[template(path = "places/geography/list.html")]
struct ListPage {
    chrome: Chrome,
    areas: Vec<PoliceArea>,
    form: FormView,
    import_form: FormView,
}

impl ListPage {
    fn names(&self, a: &PoliceArea) -> String {
        municipality_names(&a.municipality_codes)
    }
}

async fn list_page(
    state: &AppState,
    session: &Session,
    flash: &Flash,
    form: FormView,
    import_form: FormView,
) -> Result<ListPage, PageError> {
    access::require(&session.viewer, Action::ManageGeography).map_err(AppError::from)?;
    let areas = state.store.read(geography::list_police_areas).await?;
    Ok(ListPage { chrome: Chrome::new(session, "Lokalpolisområden", "geo", flash), areas, form, import_form })
}

fn render(status: StatusCode, page: ListPage) -> PageResult {
    let body = page.render().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((status, Html(body)).into_response())
}

pub async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    render(StatusCode::OK, list_page(&state, &session, &flash, FormView::empty(), FormView::empty()).await?)
}

/// Reads the one-area form; municipalities are typed as names or codes.
fn area_from(form: &FormData) -> Result<ValidPoliceArea, FieldErrors> {
    let mut errs = FieldErrors::new();
    let municipality_codes = match municipalities_from_text("municipality_codes", form.get("municipality_codes")) {
        Ok(codes) => codes,
        Err(e) => {
            errs.push(e);
            Vec::new()
        }
    };
    let input = PoliceAreaInput { name: form.get("name").to_owned(), region: form.get("region").to_owned(), municipality_codes };
    match input.validate() {
        Ok(valid) if errs.is_empty() => Ok(valid),
        Ok(_) => Err(errs),
        Err(more) => {
            // The store's "choose at least one" is moot when the typed names were unknown.
            let unknown = !errs.is_empty();
            errs.0.extend(more.0.into_iter().filter(|e| !(unknown && e.field == "municipality_codes")));
            let order = ["name", "region", "municipality_codes"];
            errs.0.sort_by_key(|e| order.iter().position(|f| *f == e.field).unwrap_or(order.len()));
            Err(errs)
        }
    }
}

/// Adds a police area, or replaces the one with the same name.
pub async fn save(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    access::require(&session.viewer, Action::ManageGeography).map_err(AppError::from)?;
    let result = match area_from(&form) {
        Ok(valid) => {
            let v = session.viewer.clone();
            state.store.write(move |db| geography::upsert_police_area(db, &v, &valid)).await.map_err(AppError::from)
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/polisomraden?klart=sparad").into_response()),
        Err(AppError::Invalid(errors)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            list_page(&state, &session, &Flash(None), FormView::submitted(&form, errors), FormView::empty()).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| geography::delete_police_area(db, &v, id)).await?;
    Ok(Redirect::to("/polisomraden?klart=borttagen").into_response())
}

/// Parses and validates the pasted CSV. Every problem is reported on the `csv` field (the
/// textarea), naming the row or the police area.
fn parse_import(text: &str) -> Result<Vec<ValidPoliceArea>, FieldErrors> {
    if text.trim().is_empty() {
        return Err(FieldError::new("csv", "required", "Klistra in innehållet i CSV-filen, med rubrikraden först.").into());
    }
    let to_csv_field = |e: FieldError| FieldError::new("csv", e.code, e.message);
    let inputs = geography::parse_police_area_csv(text).map_err(|errs| FieldErrors(errs.0.into_iter().map(to_csv_field).collect()))?;
    let mut errs = FieldErrors::new();
    let mut valid = Vec::new();
    for input in &inputs {
        match input.validate() {
            Ok(v) => valid.push(v),
            Err(e) => {
                let area = if input.name.trim().is_empty() { "(utan namn)".to_owned() } else { format!("”{}”", input.name.trim()) };
                for one in e.0 {
                    errs.push(FieldError::new("csv", one.code, format!("Polisområdet {area}: {}", one.message)));
                }
            }
        }
    }
    errs.into_result()?;
    Ok(valid)
}

/// Imports police areas from pasted CSV, all in one transaction: either every area is
/// written, or none.
pub async fn import(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    access::require(&session.viewer, Action::ManageGeography).map_err(AppError::from)?;
    let result = match parse_import(form.get("csv")) {
        Ok(areas) => {
            let v = session.viewer.clone();
            state
                .store
                .write(move |db| {
                    for a in &areas {
                        geography::upsert_police_area(db, &v, a)?;
                    }
                    Ok(())
                })
                .await
                .map_err(AppError::from)
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/polisomraden?klart=importerad").into_response()),
        Err(AppError::Invalid(errors)) => {
            let errors = FieldErrors(
                errors.0.into_iter().map(|e| if e.field == "csv" { e } else { FieldError::new("csv", e.code, e.message) }).collect(),
            );
            let mut view = FormView::empty();
            view.set("csv", form.get("csv"));
            view.errors = errors;
            render(StatusCode::UNPROCESSABLE_ENTITY, list_page(&state, &session, &Flash(None), FormView::empty(), view).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_reports_every_problem_on_the_textarea() {
        let errs = parse_import("police_area,police_region,municipality_code\nLPO Trelleborg,Syd,1287\nLPO X,Syd,9999\n").unwrap_err();
        assert!(errs.0.iter().all(|e| e.field == "csv"));
        assert!(errs.0[0].message.contains("Rad 3"), "{}", errs.0[0].message);
        let errs = parse_import("police_area,police_region,municipality_code\n,Syd,1287\n").unwrap_err();
        assert!(errs.0[0].message.starts_with("Polisområdet (utan namn)"), "{}", errs.0[0].message);
        assert_eq!(parse_import("  ").unwrap_err().0[0].code, "required");
        let ok = parse_import("police_area;police_region;municipality_code\nLPO Trelleborg;Syd;1287\nLPO Trelleborg;Syd;1233\n").unwrap();
        assert_eq!(ok.len(), 1);
    }

    #[test]
    fn one_area_from_names() {
        let f = FormData(vec![
            ("name".into(), "LPO Trelleborg".into()),
            ("region".into(), "Syd".into()),
            ("municipality_codes".into(), "Trelleborg, 1233".into()),
        ]);
        assert!(area_from(&f).is_ok());
        let f =
            FormData(vec![("name".into(), "".into()), ("region".into(), "Syd".into()), ("municipality_codes".into(), "Atlantis".into())]);
        let errs = area_from(&f).unwrap_err();
        assert_eq!(errs.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["name", "municipality_codes"]);
    }
}
