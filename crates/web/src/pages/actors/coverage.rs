//! Täckning: for a county, which municipalities have a contact person for each role and which
//! have no one (`actors::coverage`), counted over the contacts the viewer may read. Anyone may
//! open it (an anonymous visitor counts public contacts only); a county board's coordinators add
//! roles here.
//!
//! Paths: `/lan/{county}/kontaktpersoner` (`?roll=vbe` for one role), `POST /kontaktroller`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::geography as geo;
use brygga_store::accounts::contacts::roles::{self, RoleInput};
use brygga_store::actors::coverage::{self, Cell, CoverageReport, RoleCoverage};
use brygga_store::{Action, kernel::access};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::{MaybeSession, Session, SignedForm};
use crate::kit::error::{AppError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, html};

pub fn routes() -> Router<AppState> {
    Router::new().route("/lan/{county}/kontaktpersoner", get(show)).route("/lan/{county}/kontaktroller", post(add_role))
}

#[derive(Deserialize, Default)]
struct CoverageQuery {
    roll: Option<String>,
}

#[derive(Template)]
#[template(path = "actors/coverage/show.html")]
struct ShowPage {
    chrome: Chrome,
    r: CoverageReport,
    /// Every role, for the filter.
    roles: Vec<(String, String)>,
    selected: String,
    signed_in: bool,
    can_add_role: bool,
    role_form: FormView,
}

impl ShowPage {
    fn cell<'a>(&self, role: &'a RoleCoverage, i: &usize) -> &'a Cell {
        &role.municipalities[*i]
    }
}

async fn page(
    state: &AppState,
    session: &Option<Session>,
    county: &str,
    role: Option<String>,
    flash: &Flash,
    role_form: FormView,
) -> Result<ShowPage, AppError> {
    let c = geo::county(county).ok_or(AppError::NotFound)?;
    let v = session.as_ref().map_or_else(|| brygga_store::Viewer::anonymous(Default::default()), |s| s.viewer.clone());
    let code = c.code.to_owned();
    let wanted = role.clone().filter(|r| !r.is_empty());
    let (r, all) = state
        .store
        .read(move |db| {
            let all = roles::list(db)?;
            let r = coverage::report(db, &v, &code, wanted.as_deref())?;
            Ok((r, all))
        })
        .await?;
    Ok(ShowPage {
        chrome: Chrome::maybe(session.as_ref(), format!("Kontaktpersoner i {}", c.name), "counterparts", flash),
        r,
        roles: all.into_iter().map(|r| (r.code, r.label)).collect(),
        selected: role.unwrap_or_default(),
        signed_in: session.is_some(),
        can_add_role: session.as_ref().is_some_and(|s| access::allowed(&s.viewer, Action::ManageContactRoles)),
        role_form,
    })
}

async fn show(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    flash: Flash,
    Path(county): Path<String>,
    Query(q): Query<CoverageQuery>,
) -> PageResult {
    let session = session.ok();
    html(StatusCode::OK, page(&state, &session, &county, q.roll, &flash, FormView::empty()).await?)
}

async fn add_role(State(state): State<AppState>, Path(county): Path<String>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let input = RoleInput { label: form.get("label").to_owned() };
    match state.store.write(move |db| roles::create(db, &v, &input)).await.map_err(AppError::from) {
        Ok(r) => Ok(Redirect::to(&format!("/lan/{county}/kontaktpersoner?roll={}&klart=skapad", r.code)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let session = Some(session);
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&state, &session, &county, None, &Flash(None), FormView::submitted(&form, errors)).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}
