//! A programme's deliverables and their reach: the list with each product's reach and the check
//! "levererad men inte spridd", one deliverable with its distribution log, and their forms.
//!
//! Paths: `/program/{id}/leveranser` (list; POST adds), `/leveranser/{did}` (the product; POST
//! changes it), `/leveranser/{did}/ta-bort`, `/leveranser/{did}/spridning` (POST logs a
//! distribution) and `/leveranser/{did}/spridning/{xid}/ta-bort`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::steering::{Channel, DeliverableKind};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::programmes::deliverables::{self, Deliverable, DeliverableInput, DistributionInput};
use brygga_store::programmes::steering;

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::PageResult;
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/program/{id}/leveranser", get(list).post(create))
        .route("/leveranser/{did}", get(show).post(update))
        .route("/leveranser/{did}/ta-bort", post(remove))
        .route("/leveranser/{did}/spridning", post(distribute))
        .route("/leveranser/{did}/spridning/{xid}/ta-bort", post(remove_distribution))
}

fn options(list: &[(i64, String)]) -> Vec<(String, String)> {
    list.iter().map(|(id, name)| (id.to_string(), name.clone())).collect()
}

fn kinds() -> Vec<(String, String)> {
    DeliverableKind::ALL.iter().map(|k| (k.code().to_owned(), k.label().to_owned())).collect()
}

fn channels() -> Vec<(String, String)> {
    Channel::ALL.iter().map(|k| (k.code().to_owned(), k.label().to_owned())).collect()
}

fn opt_id(form: &FormData, field: &str, unread: &mut FieldErrors) -> Option<i64> {
    let raw = form.opt(field)?;
    match raw.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            unread.push(FieldError::new(field, "choice.invalid", "Välj i listan."));
            None
        }
    }
}

/// A whole number as typed (`1 200`), or the field error.
fn opt_count(form: &FormData, field: &str, unread: &mut FieldErrors) -> Option<i64> {
    let raw = form.opt(field)?;
    let cleaned: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    match cleaned.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            unread.push(FieldError::new(
                field,
                "number.invalid",
                format!("”{raw}” är inget heltal. Skriv till exempel 33, eller lämna fältet tomt."),
            ));
            None
        }
    }
}

fn deliverable_input(form: &FormData, unread: &mut FieldErrors) -> DeliverableInput {
    DeliverableInput {
        kind: form.get("kind").to_owned(),
        title: form.get("title").to_owned(),
        description: form.opt("description"),
        supplier: form.opt("supplier"),
        group_id: opt_id(form, "group_id", unread),
        ordered_on: form.opt("ordered_on"),
        delivered_on: form.opt("delivered_on"),
        approved_on: form.opt("approved_on"),
        version: form.int("version"),
    }
}

#[derive(Template)]
#[template(path = "programmes/deliverables/list.html")]
struct ListPage {
    chrome: Chrome,
    programme_id: i64,
    programme_title: String,
    items: Vec<Deliverable>,
    undistributed: usize,
    may_manage: bool,
    form: FormView,
    kinds: Vec<(String, String)>,
    groups: Vec<(String, String)>,
}

async fn render_list(
    state: &AppState,
    session: &Session,
    id: i64,
    flash: &Flash,
    form: Option<FormView>,
    status: StatusCode,
) -> PageResult {
    let v = session.viewer.clone();
    let (p, items, may, choices) = state
        .store
        .read(move |db| {
            Ok((
                brygga_store::programmes::load(db, &v, id)?,
                deliverables::for_programme(db, &v, id)?,
                steering::may_manage(db, &v, id)?,
                steering::choices(db, &v, id)?,
            ))
        })
        .await?;
    html(
        status,
        ListPage {
            chrome: Chrome::new(session, format!("Leveranser: {}", p.title), "programmes", flash),
            programme_id: id,
            programme_title: p.title,
            undistributed: items.iter().filter(|d| d.undistributed).count(),
            items,
            may_manage: may,
            form: form.unwrap_or_default(),
            kinds: kinds(),
            groups: options(&choices.groups),
        },
    )
}

async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(id): Path<i64>) -> PageResult {
    render_list(&state, &session, id, &flash, None, StatusCode::OK).await
}

async fn create(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let input = deliverable_input(&form, &mut unread);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| deliverables::create(db, &v, id, &input, unread)).await;
    match submitted(&form, result)? {
        Submitted::Done(d) => Ok(Redirect::to(&format!("/leveranser/{}?klart=skapad", d.id)).into_response()),
        Submitted::Refused(view) => render_list(&state, &session, id, &Flash(None), Some(view), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Template)]
#[template(path = "programmes/deliverables/show.html")]
struct ShowPage {
    chrome: Chrome,
    d: Deliverable,
    programme_title: String,
    may_manage: bool,
    form: FormView,
    distribution_form: FormView,
    kinds: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    groups: Vec<(String, String)>,
    organisations: Vec<(String, String)>,
}

fn values(d: &Deliverable) -> FormView {
    let mut f = FormView::empty();
    f.set("kind", d.kind.clone()).set("title", d.title.clone()).set("version", d.version.to_string());
    for (k, v) in [
        ("description", d.description.clone()),
        ("supplier", d.supplier.clone()),
        ("group_id", d.group_id.map(|g| g.to_string())),
        ("ordered_on", d.ordered_on.clone()),
        ("delivered_on", d.delivered_on.clone()),
        ("approved_on", d.approved_on.clone()),
    ] {
        if let Some(v) = v {
            f.set(k, v);
        }
    }
    f
}

async fn render_show(
    state: &AppState,
    session: &Session,
    did: i64,
    flash: &Flash,
    forms: (Option<FormView>, Option<FormView>),
    status: StatusCode,
) -> PageResult {
    let v = session.viewer.clone();
    let (d, p, may, choices) = state
        .store
        .read(move |db| {
            let d = deliverables::get(db, &v, did)?;
            let p = brygga_store::programmes::load(db, &v, d.programme_id)?;
            let may = steering::may_manage(db, &v, d.programme_id)?;
            let c = steering::choices(db, &v, d.programme_id)?;
            Ok((d, p, may, c))
        })
        .await?;
    let mut distribution_form = forms.1.unwrap_or_default();
    if distribution_form.values.is_empty() {
        distribution_form.set("channel", "email");
    }
    html(
        status,
        ShowPage {
            chrome: Chrome::new(session, format!("Leverans: {}", d.title), "programmes", flash),
            form: forms.0.unwrap_or_else(|| values(&d)),
            distribution_form,
            d,
            programme_title: p.title,
            may_manage: may,
            kinds: kinds(),
            channels: channels(),
            groups: options(&choices.groups),
            organisations: options(&choices.organisations),
        },
    )
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(did): Path<i64>) -> PageResult {
    render_show(&state, &session, did, &flash, (None, None), StatusCode::OK).await
}

async fn update(State(state): State<AppState>, Path(did): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let input = deliverable_input(&form, &mut unread);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| deliverables::update(db, &v, did, &input, unread)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/leveranser/{did}?klart=sparad")).into_response()),
        Submitted::Refused(view) => {
            render_show(&state, &session, did, &Flash(None), (Some(view), None), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn remove(State(state): State<AppState>, Path(did): Path<i64>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let programme = state.store.write(move |db| deliverables::remove(db, &v, did)).await?;
    Ok(Redirect::to(&format!("/program/{programme}/leveranser?klart=borttagen")).into_response())
}

async fn distribute(State(state): State<AppState>, Path(did): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let input = DistributionInput {
        recipient: form.opt("recipient"),
        recipient_org_id: opt_id(&form, "recipient_org_id", &mut unread),
        sent_on: form.get("sent_on").to_owned(),
        channel: form.get("channel").to_owned(),
        sent_count: opt_count(&form, "sent_count", &mut unread),
        opened_count: opt_count(&form, "opened_count", &mut unread),
        downloaded_count: opt_count(&form, "downloaded_count", &mut unread),
        note: form.opt("note"),
    };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| deliverables::distribute(db, &v, did, &input, unread)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/leveranser/{did}?klart=skapad#spridning")).into_response()),
        Submitted::Refused(view) => {
            render_show(&state, &session, did, &Flash(None), (None, Some(view)), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn remove_distribution(
    State(state): State<AppState>,
    Path((did, xid)): Path<(i64, i64)>,
    SignedForm(session, _form): SignedForm,
) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| deliverables::remove_distribution(db, &v, did, xid)).await?;
    Ok(Redirect::to(&format!("/leveranser/{did}?klart=borttagen#spridning")).into_response())
}
