//! Brygga's web layer: server-rendered Swedish pages and the JSON API under `/api/v1`, over
//! one [`brygga_store::Store`]. Request flow: [`kit::context::middleware`] (request id, client
//! address, log line, security headers) → an extractor from [`auth`] (session cookie, bearer
//! token, CSRF check) → a handler in [`pages`] or [`api`] → a store function, which applies
//! the access policy and sharing rules and writes its audit entry in the same transaction.

pub mod api;
pub mod kit;
pub mod pages;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Router, middleware};
use brygga_store::Store;
use brygga_store::accounts::auth::SessionPolicy;
use tower_http::timeout::TimeoutLayer;

use crate::kit::error::{AppError, PageError};

/// How the web layer behaves; set from the command line / environment / TOML file.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Set `Secure` on cookies and send HSTS (Brygga is served over HTTPS).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` from a reverse proxy for client addresses.
    pub trust_proxy: bool,
    pub session: SessionPolicy,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Situation pictures seen from outside a forum hide counts below this (default 3).
    pub suppress_below: i64,
    /// The domain in the Message-IDs of e-mail written to the outbox (the sender's domain).
    pub mail_host: String,
    /// Whether this process sends e-mail (`--smtp-url`); shown on the operations page.
    pub mail_configured: bool,
    /// The address people reach Brygga at (`--public-url`), for links in e-mail and share links.
    pub public_url: String,
}

impl WebConfig {
    /// What e-mail written by the web layer needs: Message-ID domain and link base.
    pub fn postmark(&self) -> brygga_store::kernel::mail::Postmark {
        brygga_store::kernel::mail::Postmark::new(self.mail_host.clone(), self.public_url.clone())
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trust_proxy: false,
            session: SessionPolicy::default(),
            max_body_bytes: 2 * 1024 * 1024,
            suppress_below: brygga_store::picture::weekly::DEFAULT_SUPPRESS_BELOW,
            mail_host: "localhost".to_owned(),
            mail_configured: false,
            public_url: "http://127.0.0.1:8080".to_owned(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
}

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    use pages::*;
    let pages = Router::new()
        .route("/", get(home::show))
        .route("/logga-in", get(accounts::auth::show).post(accounts::auth::submit))
        .route("/logga-ut", post(accounts::auth::logout))
        .route("/organisationer", get(accounts::orgs::list).post(accounts::orgs::create))
        .route("/organisationer.csv", get(accounts::orgs::export_csv))
        .route("/organisationer/ny", get(accounts::orgs::new))
        .route("/organisationer/ansprak", get(accounts::orgs::claims))
        .route("/organisationer/{id}/ansprak/{code}", post(accounts::orgs::decide_claim))
        .route("/organisationer/{id}", get(accounts::orgs::show).post(accounts::orgs::update))
        .route("/organisationer/{id}/redigera", get(accounts::orgs::edit))
        .route("/organisationer/{id}/ta-bort", post(accounts::orgs::delete))
        .route("/organisationer/{id}/kontaktpersoner", post(accounts::orgs::create_contact))
        .route("/kontaktpersoner/{id}", post(accounts::orgs::update_contact))
        .route("/kontaktpersoner/{id}/redigera", get(accounts::orgs::edit_contact))
        .route("/kontaktpersoner/{id}/ta-bort", post(accounts::orgs::delete_contact))
        .merge(forums::forum::routes())
        .merge(operations::status::routes())
        .merge(accounts::users::routes())
        .merge(accounts::account::routes())
        .merge(operations::audit::routes())
        .merge(places::geography::routes())
        .merge(picture::imports::routes())
        .merge(places::areas::routes())
        .merge(picture::weekly::routes())
        .merge(plans::followup::routes())
        .merge(plans::documents::routes())
        .merge(plans::situations::routes())
        .merge(picture::reporting::routes())
        .merge(forums::categories::routes())
        .merge(picture::questionnaire::routes())
        .merge(forum_work::meetings::routes())
        .merge(forum_work::actions::routes())
        .merge(forum_work::alerts::routes())
        .merge(forum_work::sharing::routes())
        .merge(plans::plans::routes())
        .merge(programmes::routes())
        .merge(agreements::agreements::routes())
        .merge(agreements::assessments::routes())
        .merge(agreements::county::routes())
        .merge(programmes::steering::routes())
        .merge(programmes::deliverables::routes())
        .merge(programmes::report::routes())
        .merge(actors::counterparts::routes())
        .merge(actors::coverage::routes())
        .merge(actors::guide::routes())
        // Actors: interventions and networks.
        .merge(actors::interventions::routes())
        .merge(actors::networks::routes())
        .merge(directory::public::routes())
        .merge(directory::edit::routes())
        .merge(search::routes())
        // Dialogue: consultations and "Mina medskick"; concluding them.
        .merge(dialogue::consultations::routes())
        .merge(dialogue::conclusion::routes())
        // Knowledge (issue 16): the method library, the idea bank and the idea board.
        .merge(knowledge::methods::routes())
        .merge(knowledge::ideas::routes())
        // Dialogue (issue 16): newsletters; training and events.
        .merge(newsletters::routes())
        .merge(dialogue::events::routes());
    Router::new()
        .merge(pages)
        .nest("/api/v1", api::router())
        .route("/static/{name}", get(kit::assets::serve))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        // Inside the timeout: a client that sends its body slowly is cut off like any other.
        .layer(middleware::from_fn_with_state(state.clone(), read_body_first))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        .layer(middleware::from_fn_with_state(state.clone(), kit::context::middleware))
        .with_state(state)
}

/// Reads a request's whole body before routing it, when its declared length is within
/// `max_body_bytes` (every form and API call; large uploads stream to their handler).
///
/// A request refused before its handler read the body — the token check answering 503 while
/// the database is down, a 401 — would otherwise be answered with the body still unread in the
/// socket; the server then closes the connection, the kernel answers the unread bytes with a
/// TCP reset, and the client may lose the answer and see a dropped connection instead of the
/// 503 (issue 11, finding 17). With the body read first, every answer arrives.
async fn read_body_first(State(state): State<AppState>, req: axum::extract::Request, next: middleware::Next) -> Response {
    let declared =
        req.headers().get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    let Some(len) = declared.filter(|n| *n > 0 && *n <= state.config.max_body_bytes) else {
        return next.run(req).await;
    };
    let api = req.uri().path().starts_with("/api/");
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, len).await {
        Ok(bytes) => next.run(axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        Err(_) => {
            let e = AppError::BadRequest("Begärans innehåll kom inte fram helt. Skicka den igen.".into());
            if api { crate::kit::error::ApiError(e).into_response() } else { PageError(e).into_response() }
        }
    }
}

/// The process is alive.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => "ok".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "databasen svarar inte").into_response()
        }
    }
}

async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        kit::error::ApiError(AppError::NotFound).into_response()
    } else {
        PageError(AppError::NotFound).into_response()
    }
}
