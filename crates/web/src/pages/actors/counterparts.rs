//! Motparter: for every municipality, the divisions it belongs to and who to reach there
//! (`actors::counterparts`). Public pages (no login needed; a signed-in viewer sees more
//! organisation names and the contact persons shared with it).
//!
//! Paths: `/motparter` (choose a county), `/motparter/lan/{county}` (its municipalities, the
//! divisions, CSV import for those allowed), `/kommuner/{code}/motparter` (one municipality),
//! `/kommuner/{code}/motparter/redigera` (edit the divisions).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::geography::{self as geo, MunicipalityCode};
use brygga_domain::{FieldError, FieldErrors, OrgKind};
use brygga_store::actors::counterparts::{self, Counterparts, CounterpartsInput, DivisionRow};
use brygga_store::{Action, kernel::access};

use crate::AppState;
use crate::kit::auth::{MaybeSession, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::options::municipality_in_path;
use crate::kit::page::{Chrome, Flash, FormView, both, html, version_of};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/motparter", get(choose))
        .route("/motparter/lan/{county}", get(county))
        .route("/motparter/lan/{county}/import", post(import))
        .route("/kommuner/{code}/motparter", get(show).post(update))
        .route("/kommuner/{code}/motparter/redigera", get(edit))
}

#[derive(Template)]
#[template(path = "actors/counterparts/choose.html")]
struct ChoosePage {
    chrome: Chrome,
    counties: Vec<(String, String)>,
}

async fn choose(MaybeSession(session): MaybeSession, flash: Flash) -> PageResult {
    let session = session.ok();
    let mut counties: Vec<(String, String)> = geo::counties().iter().map(|c| (c.code.to_owned(), c.name.to_owned())).collect();
    counties.sort_by_cached_key(|(_, n)| brygga_store::sort_key(n));
    html(StatusCode::OK, ChoosePage { chrome: Chrome::maybe(session.as_ref(), "Motparter", "counterparts", &flash), counties })
}

#[derive(Template)]
#[template(path = "actors/counterparts/county.html")]
struct CountyPage {
    chrome: Chrome,
    county_code: String,
    county_name: String,
    rows: Vec<DivisionRow>,
    can_import: bool,
    import_form: FormView,
}

async fn county_page(
    state: &AppState,
    session: &Option<Session>,
    county: &str,
    flash: &Flash,
    import_form: FormView,
) -> Result<CountyPage, AppError> {
    let c = geo::county(county).ok_or(AppError::NotFound)?;
    let code = c.code.to_owned();
    let rows = state.store.read(move |db| counterparts::list_county(db, &code)).await?;
    let can_import = session.as_ref().is_some_and(|s| {
        rows.iter()
            .filter_map(|r| MunicipalityCode::parse(&r.municipality_code).ok())
            .any(|m| access::allowed(&s.viewer, Action::EditCounterparts { municipality: m }))
    });
    Ok(CountyPage {
        chrome: Chrome::maybe(session.as_ref(), format!("Motparter i {}", c.name), "counterparts", flash),
        county_code: c.code.to_owned(),
        county_name: c.name.to_owned(),
        rows,
        can_import,
        import_form,
    })
}

async fn county(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    flash: Flash,
    Path(county): Path<String>,
) -> PageResult {
    let session = session.ok();
    html(StatusCode::OK, county_page(&state, &session, &county, &flash, FormView::empty()).await?)
}

/// Imports pasted CSV: every row or none; every problem on the `csv` field, by line.
async fn import(State(state): State<AppState>, Path(county): Path<String>, SignedForm(session, form): SignedForm) -> PageResult {
    let text = form.get("csv");
    let parsed = if text.trim().is_empty() {
        Err(FieldErrors::from(FieldError::new("csv", "required", "Klistra in innehållet i CSV-filen, med rubrikraden först.")))
    } else {
        counterparts::parse_csv(text)
    };
    let v = session.viewer.clone();
    let result = match parsed {
        Ok(rows) => state.store.write(move |db| counterparts::import(db, &v, &rows)).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/motparter/lan/{county}?klart=importerad")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut view = FormView::empty();
            view.set("csv", text);
            view.errors = FieldErrors(errors.0.into_iter().map(|e| FieldError::new("csv", e.code, e.message)).collect());
            let session = Some(session);
            html(StatusCode::UNPROCESSABLE_ENTITY, county_page(&state, &session, &county, &Flash(None), view).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "actors/counterparts/show.html")]
struct ShowPage {
    chrome: Chrome,
    c: Counterparts,
    can_edit: bool,
}

impl ShowPage {
    fn kind_label(&self, code: &str) -> &'static str {
        OrgKind::from_code(code).map_or("", |k| k.label())
    }
    fn level_label(&self, level: &Option<String>) -> &'static str {
        level.as_deref().and_then(brygga_domain::actors::contact_level_label).unwrap_or("")
    }
}

async fn show(State(state): State<AppState>, MaybeSession(session): MaybeSession, flash: Flash, Path(code): Path<String>) -> PageResult {
    let session = session.ok();
    let m = municipality_in_path(&code)?;
    let v = session.as_ref().map_or_else(|| brygga_store::Viewer::anonymous(Default::default()), |s| s.viewer.clone());
    let c = state.store.read(move |db| counterparts::get(db, &v, &m)).await?;
    let can_edit = session.as_ref().is_some_and(|s| access::allowed(&s.viewer, Action::EditCounterparts { municipality: m }));
    html(
        StatusCode::OK,
        ShowPage {
            chrome: Chrome::maybe(session.as_ref(), format!("Motparter i {}", c.municipality_name), "counterparts", &flash),
            c,
            can_edit,
        },
    )
}

#[derive(Template)]
#[template(path = "actors/counterparts/edit.html")]
struct EditPage {
    chrome: Chrome,
    code: String,
    name: String,
    form: FormView,
}

async fn edit(State(state): State<AppState>, SignedIn(session): SignedIn, Path(code): Path<String>) -> PageResult {
    let m = municipality_in_path(&code)?;
    access::require(&session.viewer, Action::EditCounterparts { municipality: m }).map_err(AppError::from)?;
    let v = session.viewer.clone();
    let c = state.store.read(move |db| counterparts::get(db, &v, &m)).await?;
    let mut form = FormView::empty();
    form.set("health_region", c.health_region.clone().unwrap_or_default())
        .set("probation_region", c.probation_region.clone().unwrap_or_default())
        .set("probation_office", c.probation_office.clone().unwrap_or_default())
        .set("version", c.version.to_string());
    html(
        StatusCode::OK,
        EditPage {
            chrome: Chrome::new(&session, "Ändra motparter", "counterparts", &Flash(None)),
            code: m.as_str().to_owned(),
            name: c.municipality_name,
            form,
        },
    )
}

async fn update(State(state): State<AppState>, Path(code): Path<String>, SignedForm(session, form): SignedForm) -> PageResult {
    let m = municipality_in_path(&code)?;
    let input = CounterpartsInput {
        health_region: form.opt("health_region"),
        probation_region: form.opt("probation_region"),
        probation_office: form.opt("probation_office"),
    };
    let v = session.viewer.clone();
    let result = match both(input.validate(m), version_of(&form)) {
        Ok((valid, version)) => state.store.write(move |db| counterparts::update(db, &v, version, &valid)).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    let page = |form: FormView| EditPage {
        chrome: Chrome::new(&session, "Ändra motparter", "counterparts", &Flash(None)),
        code: m.as_str().to_owned(),
        name: m.municipality().name.to_owned(),
        form,
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/kommuner/{}/motparter?klart=sparad", m.as_str())).into_response()),
        Err(AppError::Invalid(errors)) => html(StatusCode::UNPROCESSABLE_ENTITY, page(FormView::submitted(&form, errors))),
        Err(AppError::Stale) => html(
            StatusCode::CONFLICT,
            page(FormView::submitted(&form, FieldError::new("version", "stale", AppError::Stale.message()).into())),
        ),
        Err(e) => Err(e.into()),
    }
}
