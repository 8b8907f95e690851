//! Utbildning: the catalogue of courses (basic level for many staff, deep for key functions)
//! and the tracks per role; the organisers' coordinators add courses and tracks here.
//!
//! Paths: `/utbildning`, `POST /utbildning/kurser`, `POST /utbildning/spar`.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::dialogue::events::catalogue::{self, Catalogue, CourseInput, TrackInput};
use brygga_store::dialogue::events::{LEVELS, ROLES, event};

use super::pairs;
use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted};

pub fn routes() -> Router<AppState> {
    Router::new().route("/utbildning", get(show)).route("/utbildning/kurser", post(add_course)).route("/utbildning/spar", post(add_track))
}

#[derive(Template)]
#[template(path = "dialogue/events/catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    c: Catalogue,
    can_write: bool,
    owners: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    courses: Vec<(String, String)>,
    course_form: FormView,
    track_form: FormView,
}

async fn page(
    state: &AppState,
    session: &Session,
    flash: &Flash,
    course_form: FormView,
    track_form: FormView,
) -> Result<CataloguePage, PageError> {
    let v = session.viewer.clone();
    let (c, owners) = state.store.read(move |db| Ok((catalogue::catalogue(db, &v)?, event::organiser_choices(db, &v)?))).await?;
    let courses = c.courses.iter().map(|x| (x.id.to_string(), format!("{} ({})", x.title, x.level.label))).collect();
    Ok(CataloguePage {
        chrome: Chrome::new(session, "Utbildningar", "events", flash),
        can_write: !owners.is_empty(),
        owners: owners.into_iter().map(|o| (o.id.to_string(), o.name)).collect(),
        levels: pairs(LEVELS),
        roles: pairs(ROLES),
        courses,
        c,
        course_form,
        track_form,
    })
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    html(StatusCode::OK, page(&state, &session, &flash, FormView::empty(), FormView::empty()).await?)
}

fn hours(form: &FormData, errs: &mut FieldErrors) -> Option<i64> {
    let raw = form.opt("duration_hours")?;
    match raw.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(
                "duration_hours",
                "invalid",
                format!("”{raw}” är inget heltal. Skriv antalet timmar med siffror, till exempel 3."),
            ));
            None
        }
    }
}

async fn add_course(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let input = CourseInput {
        title: form.get("title").to_owned(),
        description: form.get("description").to_owned(),
        level: form.opt("level"),
        target_roles: form.all("target_roles"),
        duration_hours: hours(&form, &mut unread),
        owner_org_id: form.int("owner_org_id"),
    };
    let v = session.viewer.clone();
    let result =
        state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, catalogue::create_course(db, &v, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to("/utbildning?klart=skapad").into_response()),
        Submitted::Refused(view) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, page(&state, &session, &Flash(None), view, FormView::empty()).await?)
        }
    }
}

async fn add_track(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = TrackInput {
        name: form.get("name").to_owned(),
        role: form.get("role").to_owned(),
        course_ids: form.all("course_ids").iter().filter_map(|s| s.parse().ok()).collect(),
        owner_org_id: form.int("owner_org_id"),
    };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| catalogue::create_track(db, &v, &input)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to("/utbildning?klart=skapad").into_response()),
        Submitted::Refused(view) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, page(&state, &session, &Flash(None), FormView::empty(), view).await?)
        }
    }
}
