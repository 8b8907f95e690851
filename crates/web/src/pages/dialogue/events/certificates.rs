//! Intyg: the printable certificate of completion of an attended training, for its participant
//! and the organiser's users (`/mina-evenemang/intyg/{rid}`), and the public verification of a
//! certificate by its code (`/intyg/{code}`), which needs no login.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use brygga_store::dialogue::events::certificates::{self, Certificate};

use crate::AppState;
use crate::kit::auth::{MaybeSession, SignedIn};
use crate::kit::error::PageResult;
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, html};

pub fn routes() -> Router<AppState> {
    Router::new().route("/mina-evenemang/intyg/{rid}", get(show)).route("/intyg/{code}", get(verify))
}

#[derive(Template)]
#[template(path = "dialogue/events/certificate.html")]
struct CertificatePage {
    chrome: Chrome,
    c: Certificate,
    verify_path: String,
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, Path(rid): Path<i64>, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let c = state.store.read(move |db| certificates::of_registration(db, &v, rid)).await?;
    let verify_path = format!("{}/intyg/{}", state.config.public_url.trim_end_matches('/'), c.code);
    html(StatusCode::OK, CertificatePage { chrome: Chrome::new(&session, "Intyg", "events", &flash), c, verify_path })
}

#[derive(Template)]
#[template(path = "dialogue/events/verify.html")]
struct VerifyPage {
    chrome: Chrome,
    c: Option<Certificate>,
}

async fn verify(State(state): State<AppState>, MaybeSession(session): MaybeSession, Path(code): Path<String>, flash: Flash) -> PageResult {
    let session = session.ok();
    let c = state.store.read(move |db| certificates::verify(db, &code)).await?;
    let status = if c.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    html(status, VerifyPage { chrome: Chrome::maybe(session.as_ref(), "Kontrollera ett intyg", "events", &flash), c })
}
