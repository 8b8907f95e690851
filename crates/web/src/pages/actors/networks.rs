//! Nätverk och referensgrupper: the list the viewer may read, a new network, one network with
//! its members (persons only for the owner's and the member organisations' users) and, for the
//! owner's users, adding and removing members.
//!
//! Paths: `/natverk`, `/natverk/ny`, `/natverk/{id}`, `/natverk/{id}/medlemmar`,
//! `/natverk/{id}/medlemmar/{member}/ta-bort`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_store::actors::networks::{self, CADENCES, KINDS, MemberInput, Network, NetworkInput, POSITIONS};

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/natverk", get(list))
        .route("/natverk/ny", get(new).post(create))
        .route("/natverk/{id}", get(show))
        .route("/natverk/{id}/medlemmar", post(add_member))
        .route("/natverk/{id}/medlemmar/{member}/ta-bort", post(remove_member))
}

type Options = Vec<(String, String)>;

fn pairs(list: &[(&str, &str)]) -> Options {
    list.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())).collect()
}

#[derive(Template)]
#[template(path = "actors/networks/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Network>,
    can_create: bool,
}

async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let (items, owners) = state.store.read(move |db| Ok((networks::list(db, &v)?, networks::owner_choices(db, &v)?.len()))).await?;
    html(
        StatusCode::OK,
        ListPage { chrome: Chrome::new(&session, "Nätverk och referensgrupper", "interventions", &flash), items, can_create: owners > 0 },
    )
}

#[derive(Template)]
#[template(path = "actors/networks/form.html")]
struct FormPage {
    chrome: Chrome,
    form: FormView,
    owners: Options,
    kinds: Options,
    cadences: Options,
    forums: Options,
}

async fn form_page(state: &AppState, session: &Session, form: FormView) -> Result<FormPage, PageError> {
    let v = session.viewer.clone();
    let (owners, forums) = state
        .store
        .read(move |db| {
            let owners: Options = networks::owner_choices(db, &v)?.into_iter().map(|o| (o.id.to_string(), o.name)).collect();
            let forums: Options = brygga_store::forums::forum::list(db, &v)?.into_iter().map(|f| (f.id.to_string(), f.name)).collect();
            Ok((owners, forums))
        })
        .await?;
    Ok(FormPage {
        chrome: Chrome::new(session, "Nytt nätverk eller ny referensgrupp", "interventions", &Flash(None)),
        form,
        owners,
        kinds: pairs(KINDS),
        cadences: pairs(CADENCES),
        forums,
    })
}

async fn new(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    let mut view = FormView::empty();
    view.set("kind", "network").set("cadence", "as_needed").set("visibility", "organisation");
    let page = form_page(&state, &session, view).await?;
    if page.owners.is_empty() {
        return Err(crate::kit::error::AppError::Forbidden.into());
    }
    html(StatusCode::OK, page)
}

fn input_of(form: &FormData) -> NetworkInput {
    NetworkInput {
        name: form.get("name").to_owned(),
        kind: form.opt("kind"),
        purpose: form.get("purpose").to_owned(),
        cadence: form.opt("cadence"),
        owner_org_id: form.opt("owner_org_id").and_then(|s| s.parse().ok()),
        visibility: form.opt("visibility"),
        forum_id: form.opt("forum_id").and_then(|s| s.parse().ok()),
    }
}

async fn create(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = input_of(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| networks::create(db, &v, &input)).await;
    match submitted(&form, result)? {
        Submitted::Done(n) => Ok(Redirect::to(&format!("/natverk/{}?klart=skapad", n.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &session, view).await?),
    }
}

#[derive(Template)]
#[template(path = "actors/networks/show.html")]
struct ShowPage {
    chrome: Chrome,
    n: Network,
    can_write: bool,
    form: FormView,
    orgs: Options,
    positions: Options,
}

async fn show_page(state: &AppState, session: &Session, id: i64, form: FormView, flash: &Flash) -> Result<ShowPage, PageError> {
    let v = session.viewer.clone();
    let (n, orgs) = state
        .store
        .read(move |db| {
            let n = networks::get(db, &v, id)?;
            let orgs: Options = networks::member_choices(db, &v)?.into_iter().map(|o| (o.id.to_string(), o.name)).collect();
            Ok((n, orgs))
        })
        .await?;
    let can_write = brygga_store::kernel::access::allowed(&session.viewer, brygga_store::Action::ManageNetwork { org: n.owner.id });
    Ok(ShowPage {
        chrome: Chrome::new(session, n.name.clone(), "interventions", flash),
        n,
        can_write,
        form,
        orgs,
        positions: pairs(POSITIONS),
    })
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, flash: Flash) -> PageResult {
    let mut view = FormView::empty();
    view.set("position", "member");
    html(StatusCode::OK, show_page(&state, &session, id, view, &flash).await?)
}

async fn add_member(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = MemberInput {
        org_id: form.opt("org_id").and_then(|s| s.parse().ok()),
        person_name: form.opt("person_name"),
        person_title: form.opt("person_title"),
        organisation_text: form.opt("organisation_text"),
        email: form.opt("email"),
        position: form.opt("position"),
        joined_on: form.opt("joined_on"),
        ceased_on: form.opt("ceased_on"),
    };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| networks::add_member(db, &v, id, &input)).await;
    match submitted(&form, result)? {
        Submitted::Done(n) => Ok(Redirect::to(&format!("/natverk/{}?klart=sparad", n.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, show_page(&state, &session, id, view, &Flash(None)).await?),
    }
}

async fn remove_member(
    State(state): State<AppState>,
    Path((id, member)): Path<(i64, i64)>,
    SignedForm(session, _form): SignedForm,
) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| networks::remove_member(db, &v, id, member)).await?;
    Ok(Redirect::to(&format!("/natverk/{id}?klart=borttagen")).into_response())
}
