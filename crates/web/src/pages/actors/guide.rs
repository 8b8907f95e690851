//! "Vart vänder jag mig?": a municipality's routing guide (`actors::guide`). Public once
//! published; until then only the municipality's own users see it, and its coordinators write
//! it on the same page (no JavaScript needed).
//!
//! Paths: `/kommuner/{code}/vart-vander-jag-mig` (read; POST saves the introduction and
//! publication), `/kommuner/{code}/vart-vander-jag-mig/rader` (POST adds a line),
//! `/vart-vander-jag-mig/rader/{id}/redigera`, `POST /vart-vander-jag-mig/rader/{id}`,
//! `POST /vart-vander-jag-mig/rader/{id}/ta-bort`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::FieldError;
use brygga_domain::actors::CONCERNS;
use brygga_domain::geography::MunicipalityCode;
use brygga_store::actors::guide::{self, EntryInput, Guide, GuideInput};
use brygga_store::{Action, StoreError, kernel::access};

use crate::AppState;
use crate::kit::auth::{FormData, MaybeSession, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::options::municipality_in_path;
use crate::kit::page::{Chrome, Flash, FormView, html, version_of};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kommuner/{code}/vart-vander-jag-mig", get(show).post(save))
        .route("/kommuner/{code}/vart-vander-jag-mig/rader", post(add_entry))
        .route("/vart-vander-jag-mig/rader/{id}/redigera", get(edit_entry))
        .route("/vart-vander-jag-mig/rader/{id}", post(update_entry))
        .route("/vart-vander-jag-mig/rader/{id}/ta-bort", post(delete_entry))
}

fn concern_options() -> Vec<(String, String)> {
    CONCERNS.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())).collect()
}

#[derive(Template)]
#[template(path = "actors/guide/show.html")]
struct ShowPage {
    chrome: Chrome,
    code: String,
    name: String,
    /// `None`: no guide yet (shown to those who may write one).
    g: Option<Guide>,
    can_edit: bool,
    head_form: FormView,
    entry_form: FormView,
    concerns: Vec<(String, String)>,
}

async fn page(
    state: &AppState,
    session: &Option<Session>,
    m: MunicipalityCode,
    flash: &Flash,
    head_form: Option<FormView>,
    entry_form: FormView,
) -> Result<ShowPage, AppError> {
    let v = session.as_ref().map_or_else(|| brygga_store::Viewer::anonymous(Default::default()), |s| s.viewer.clone());
    let can_edit = session.as_ref().is_some_and(|s| access::allowed(&s.viewer, Action::EditGuide { municipality: m }));
    let g = match state.store.read(move |db| guide::get(db, &v, &m)).await {
        Ok(g) => Some(g),
        Err(StoreError::NotFound { .. }) if can_edit => None,
        Err(e) => return Err(e.into()),
    };
    let head_form = head_form.unwrap_or_else(|| {
        let mut f = FormView::empty();
        f.set("intro", g.as_ref().and_then(|g| g.intro.clone()).unwrap_or_default())
            .set("version", g.as_ref().map_or(0, |g| g.version).to_string());
        if g.as_ref().is_some_and(|g| g.published) {
            f.set("published", "on");
        }
        f
    });
    let name = m.municipality().name.to_owned();
    Ok(ShowPage {
        chrome: Chrome::maybe(session.as_ref(), format!("Vart vänder jag mig i {name}?"), "counterparts", flash),
        code: m.as_str().to_owned(),
        name,
        g,
        can_edit,
        head_form,
        entry_form,
        concerns: concern_options(),
    })
}

async fn show(State(state): State<AppState>, MaybeSession(session): MaybeSession, flash: Flash, Path(code): Path<String>) -> PageResult {
    let session = session.ok();
    let m = municipality_in_path(&code)?;
    html(StatusCode::OK, page(&state, &session, m, &flash, None, FormView::empty()).await?)
}

async fn save(State(state): State<AppState>, Path(code): Path<String>, SignedForm(session, form): SignedForm) -> PageResult {
    let m = municipality_in_path(&code)?;
    let input = GuideInput { intro: form.opt("intro"), published: form.get("published") == "on" };
    let v = session.viewer.clone();
    let result = match version_of(&form) {
        Ok(version) => state.store.write(move |db| guide::save(db, &v, &m, version, &input)).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    let session = Some(session);
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/kommuner/{}/vart-vander-jag-mig?klart=sparad", m.as_str())).into_response()),
        Err(AppError::Invalid(errors)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&state, &session, m, &Flash(None), Some(FormView::submitted(&form, errors)), FormView::empty()).await?,
        ),
        Err(AppError::Stale) => html(
            StatusCode::CONFLICT,
            page(
                &state,
                &session,
                m,
                &Flash(None),
                Some(FormView::submitted(&form, FieldError::new("version", "stale", AppError::Stale.message()).into())),
                FormView::empty(),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

fn entry_input(form: &FormData) -> EntryInput {
    EntryInput {
        concern: form.get("concern").to_owned(),
        who: form.get("who").to_owned(),
        how: form.get("how").to_owned(),
        phone: form.opt("phone"),
        email: form.opt("email"),
        website: form.opt("website"),
        org_id: None,
    }
}

async fn add_entry(State(state): State<AppState>, Path(code): Path<String>, SignedForm(session, form): SignedForm) -> PageResult {
    let m = municipality_in_path(&code)?;
    let v = session.viewer.clone();
    let result = match entry_input(&form).validate() {
        Ok(valid) => state.store.write(move |db| guide::add_entry(db, &v, &m, &valid)).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(e) => Ok(Redirect::to(&format!("/kommuner/{}/vart-vander-jag-mig?klart=skapad#{}", m.as_str(), e.concern)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let session = Some(session);
            html(StatusCode::UNPROCESSABLE_ENTITY, page(&state, &session, m, &Flash(None), None, FormView::submitted(&form, errors)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "actors/guide/entry.html")]
struct EntryPage {
    chrome: Chrome,
    id: i64,
    code: String,
    form: FormView,
    concerns: Vec<(String, String)>,
}

async fn entry_page(state: &AppState, session: &Session, id: i64, form: Option<FormView>) -> Result<EntryPage, AppError> {
    let v = session.viewer.clone();
    let (m, g) = state
        .store
        .read(move |db| {
            let m = guide::entry_municipality(db, &v, id)?;
            Ok((m, guide::get(db, &v, &m)?))
        })
        .await?;
    access::require(&session.viewer, Action::EditGuide { municipality: m }).map_err(AppError::from)?;
    let e = g.sections.iter().flat_map(|s| &s.entries).find(|e| e.id == id).ok_or(AppError::NotFound)?;
    let form = form.unwrap_or_else(|| {
        let mut f = FormView::empty();
        f.set("concern", e.concern.clone())
            .set("who", e.who.clone())
            .set("how", e.how.clone())
            .set("phone", e.phone.clone().unwrap_or_default())
            .set("email", e.email.clone().unwrap_or_default())
            .set("website", e.website.clone().unwrap_or_default());
        f
    });
    Ok(EntryPage {
        chrome: Chrome::new(session, "Ändra raden", "counterparts", &Flash(None)),
        id,
        code: m.as_str().to_owned(),
        form,
        concerns: concern_options(),
    })
}

async fn edit_entry(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    html(StatusCode::OK, entry_page(&state, &session, id, None).await?)
}

async fn update_entry(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let result = match entry_input(&form).validate() {
        Ok(valid) => state
            .store
            .write(move |db| {
                let m = guide::entry_municipality(db, &v, id)?;
                guide::update_entry(db, &v, &m, id, &valid)?;
                Ok(m)
            })
            .await
            .map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(m) => Ok(Redirect::to(&format!("/kommuner/{}/vart-vander-jag-mig?klart=sparad", m.as_str())).into_response()),
        Err(AppError::Invalid(errors)) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, entry_page(&state, &session, id, Some(FormView::submitted(&form, errors))).await?)
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete_entry(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let m = state
        .store
        .write(move |db| {
            let m = guide::entry_municipality(db, &v, id)?;
            guide::delete_entry(db, &v, &m, id)?;
            Ok(m)
        })
        .await?;
    Ok(Redirect::to(&format!("/kommuner/{}/vart-vander-jag-mig?klart=borttagen", m.as_str())).into_response())
}
