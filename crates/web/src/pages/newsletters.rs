//! Nyhetsbrev: lists (a network's members, or opt-in lists people subscribe to), subscribing
//! (one click when signed in; an address through the public form, confirmed by a link), the
//! one-click unsubscribe (RFC 8058: `POST /nyhetsbrev/avregistrera/{token}` with no login; `GET`
//! shows a page with one button), and the owner's coordinators writing and sending issues.
//!
//! Paths: `/nyhetsbrev`, `/nyhetsbrev/ny`, `/nyhetsbrev/{id}` (`POST /prenumerera`,
//! `POST /anmal`, `POST /utskick`), `POST /nyhetsbrev/utskick/{id}/skicka`,
//! `/nyhetsbrev/bekrafta/{token}`, `/nyhetsbrev/avregistrera/{token}`.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::dialogue::newsletters::{self, Issue, IssueInput, IssueKind, ListInput, NewsletterList, Subscription, TokenState};
use brygga_store::{Action, StoreError, Viewer, kernel::access};

use crate::AppState;
use crate::kit::auth::{FormData, MaybeSession, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/nyhetsbrev", get(index))
        .route("/nyhetsbrev/ny", get(new_list).post(create_list))
        .route("/nyhetsbrev/{id}", get(show))
        .route("/nyhetsbrev/{id}/prenumerera", post(subscribe_self))
        .route("/nyhetsbrev/{id}/anmal", post(subscribe_email))
        .route("/nyhetsbrev/{id}/utskick", post(create_issue))
        .route("/nyhetsbrev/utskick/{id}/skicka", post(send_issue))
        .route("/nyhetsbrev/bekrafta/{token}", get(confirm_page).post(confirm))
        .route("/nyhetsbrev/avregistrera/{token}", get(unsubscribe_page).post(unsubscribe))
}

fn viewer_of(session: &Option<Session>) -> Viewer {
    session.as_ref().map_or_else(|| Viewer::anonymous(Default::default()), |s| s.viewer.clone())
}

#[derive(Template)]
#[template(path = "dialogue/newsletters/index.html")]
struct IndexPage {
    chrome: Chrome,
    lists: Vec<NewsletterList>,
    mine: Vec<Subscription>,
    can_create: bool,
}

async fn index(State(state): State<AppState>, MaybeSession(session): MaybeSession, flash: Flash) -> PageResult {
    let session = session.ok();
    let v = viewer_of(&session);
    let (lists, mine, owners) = state
        .store
        .read(move |db| {
            Ok((newsletters::lists(db, &v)?, newsletters::my_subscriptions(db, &v)?, newsletters::owner_choices(db, &v)?.0.len()))
        })
        .await?;
    html(
        StatusCode::OK,
        IndexPage { chrome: Chrome::maybe(session.as_ref(), "Nyhetsbrev", "newsletters", &flash), lists, mine, can_create: owners > 0 },
    )
}

#[derive(Template)]
#[template(path = "dialogue/newsletters/new.html")]
struct NewPage {
    chrome: Chrome,
    form: FormView,
    owners: Vec<(String, String)>,
    networks: Vec<(String, String)>,
}

async fn new_page(state: &AppState, session: &Session, form: FormView) -> Result<NewPage, PageError> {
    let v = session.viewer.clone();
    let (owners, networks) = state.store.read(move |db| newsletters::owner_choices(db, &v)).await?;
    if owners.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    Ok(NewPage {
        chrome: Chrome::new(session, "Ny lista för nyhetsbrev", "newsletters", &Flash(None)),
        form,
        owners: owners.into_iter().map(|(i, n)| (i.to_string(), n)).collect(),
        networks: networks.into_iter().map(|(i, n)| (i.to_string(), n)).collect(),
    })
}

async fn new_list(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    html(StatusCode::OK, new_page(&state, &session, FormView::empty()).await?)
}

fn chosen(form: &FormData, field: &str, errs: &mut FieldErrors) -> Option<i64> {
    let raw = form.opt(field)?;
    match raw.trim().parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errs.push(FieldError::new(field, "invalid", format!("”{raw}” är inget giltigt val. Ladda om sidan och välj i listan.")));
            None
        }
    }
}

async fn create_list(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let input = ListInput {
        name: form.get("name").to_owned(),
        description: form.opt("description"),
        owner_org_id: chosen(&form, "owner_org_id", &mut unread),
        network_id: chosen(&form, "network_id", &mut unread),
    };
    let v = session.viewer.clone();
    let result =
        state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, newsletters::create_list(db, &v, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(l) => Ok(Redirect::to(&format!("/nyhetsbrev/{}?klart=skapad", l.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, new_page(&state, &session, view).await?),
    }
}

#[derive(Template)]
#[template(path = "dialogue/newsletters/show.html")]
struct ShowPage {
    chrome: Chrome,
    l: NewsletterList,
    manager: bool,
    signed_in: bool,
    subscribed: bool,
    subscribers: usize,
    issues: Vec<Issue>,
    form: FormView,
    email_form: FormView,
}

async fn show_page(
    state: &AppState,
    session: &Option<Session>,
    id: i64,
    flash: &Flash,
    form: FormView,
    email_form: FormView,
) -> Result<ShowPage, PageError> {
    let v = viewer_of(session);
    let (l, mine, managed) = state
        .store
        .read(move |db| {
            let l = newsletters::get_list(db, &v, id)?;
            let mine = newsletters::my_subscriptions(db, &v)?;
            let managed = if access::allowed(&v, Action::ManageNewsletter { org: l.owner_org_id }) {
                Some((newsletters::subscribers(db, &v, id)?.len(), newsletters::issues(db, &v, id)?))
            } else {
                None
            };
            Ok((l, mine, managed))
        })
        .await?;
    let subscribed = mine.iter().any(|s| s.list_id == id);
    let (manager, subscribers, issues) = match managed {
        Some((n, issues)) => (true, n, issues),
        None => (false, 0, Vec::new()),
    };
    Ok(ShowPage {
        chrome: Chrome::maybe(session.as_ref(), l.name.clone(), "newsletters", flash),
        l,
        manager,
        signed_in: session.is_some(),
        subscribed,
        subscribers,
        issues,
        form,
        email_form,
    })
}

async fn show(State(state): State<AppState>, MaybeSession(session): MaybeSession, Path(id): Path<i64>, flash: Flash) -> PageResult {
    let session = session.ok();
    html(StatusCode::OK, show_page(&state, &session, id, &flash, FormView::empty(), FormView::empty()).await?)
}

async fn subscribe_self(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| newsletters::subscribe_self(db, &v, id)).await?;
    Ok(Redirect::to(&format!("/nyhetsbrev/{id}?klart=prenumererar")).into_response())
}

/// The public form (no account, so no session to sign it with): an address is only ever sent
/// a confirmation link, so a forged request can at most ask a stranger to confirm.
async fn subscribe_email(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let session = session.ok();
    let form = FormData::parse(&body)?;
    let email = form.get("email").to_owned();
    let (v, post) = (viewer_of(&session), state.config.postmark());
    let result = state.store.write(move |db| newsletters::subscribe_email(db, &v, &post, id, &email)).await;
    match submitted(&form, result)? {
        Submitted::Done(()) => Ok(Redirect::to(&format!("/nyhetsbrev/{id}?klart=bekrafta")).into_response()),
        Submitted::Refused(view) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, show_page(&state, &session, id, &Flash(None), FormView::empty(), view).await?)
        }
    }
}

async fn create_issue(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = IssueInput { subject: form.get("subject").to_owned(), body: form.get("body").to_owned() };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| newsletters::create_issue(db, &v, id, &input, IssueKind::General, None)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/nyhetsbrev/{id}?klart=utkast")).into_response()),
        Submitted::Refused(view) => {
            let session = Some(session);
            html(StatusCode::UNPROCESSABLE_ENTITY, show_page(&state, &session, id, &Flash(None), view, FormView::empty()).await?)
        }
    }
}

async fn send_issue(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _form): SignedForm) -> PageResult {
    let (v, post) = (session.viewer.clone(), state.config.postmark());
    let issue = state.store.write(move |db| newsletters::send_issue(db, &v, &post, id)).await?;
    Ok(Redirect::to(&format!("/nyhetsbrev/{}?klart=skickat", issue.list_id)).into_response())
}

#[derive(Template)]
#[template(path = "dialogue/newsletters/token.html")]
struct TokenPage {
    chrome: Chrome,
    /// `confirm` or `unsubscribe`.
    what: &'static str,
    token: String,
    s: TokenState,
    done: bool,
}

async fn token_page(
    state: &AppState,
    session: &Option<Session>,
    what: &'static str,
    token: String,
    done: Option<TokenState>,
) -> PageResult {
    let s = match done.clone() {
        Some(s) => s,
        None => {
            let t = token.clone();
            state
                .store
                .read(move |db| newsletters::by_token(db, &t))
                .await?
                .ok_or(AppError::from(StoreError::not_found("newsletter_subscription")))?
        }
    };
    let title = if what == "confirm" { "Bekräfta prenumerationen" } else { "Avregistrera dig från nyhetsbrevet" };
    html(
        StatusCode::OK,
        TokenPage { chrome: Chrome::maybe(session.as_ref(), title, "newsletters", &Flash(None)), what, token, s, done: done.is_some() },
    )
}

async fn confirm_page(State(state): State<AppState>, MaybeSession(session): MaybeSession, Path(token): Path<String>) -> PageResult {
    token_page(&state, &session.ok(), "confirm", token, None).await
}

async fn confirm(State(state): State<AppState>, MaybeSession(session): MaybeSession, Path(token): Path<String>) -> PageResult {
    let session = session.ok();
    let (v, t) = (viewer_of(&session), token.clone());
    let s = state.store.write(move |db| newsletters::confirm(db, &v, &t)).await?;
    token_page(&state, &session, "confirm", token, Some(s)).await
}

async fn unsubscribe_page(State(state): State<AppState>, MaybeSession(session): MaybeSession, Path(token): Path<String>) -> PageResult {
    token_page(&state, &session.ok(), "unsubscribe", token, None).await
}

/// RFC 8058: a mail client POSTs `List-Unsubscribe=One-Click` here, with no cookie and no
/// form token; the button on the page POSTs the same. The subscription's token is the proof.
async fn unsubscribe(State(state): State<AppState>, MaybeSession(session): MaybeSession, Path(token): Path<String>) -> PageResult {
    let session = session.ok();
    let (v, t) = (viewer_of(&session), token.clone());
    let s = state.store.write(move |db| newsletters::unsubscribe(db, &v, &t)).await?;
    token_page(&state, &session, "unsubscribe", token, Some(s)).await
}
