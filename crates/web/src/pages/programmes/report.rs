//! The steering report of a programme per half-year: the choice of half-year, the printable A4
//! document and its Word file (the same content, [`crate::kit::steering_report`]).
//!
//! Paths: `/program/{id}/styrrapport` (the half-years of the programme's period),
//! `/program/{id}/styrrapport/{halvar}` (the document) and
//! `/program/{id}/styrrapport/{halvar}/styrgruppsrapport.docx`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use brygga_domain::time::today;
use brygga_store::programmes::{self, HalfYear, report};

use crate::AppState;
use crate::kit::auth::SignedIn;
use crate::kit::document::DocumentMeta;
use crate::kit::error::PageResult;
use crate::kit::export::docx_download;
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, html};
use crate::kit::plan_documents::{Block, table_labels};
use crate::kit::steering_report;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/program/{id}/styrrapport", get(choose))
        .route("/program/{id}/styrrapport/{half}", get(document))
        .route("/program/{id}/styrrapport/{half}/styrgruppsrapport.docx", get(docx))
}

#[derive(Template)]
#[template(path = "programmes/report/choose.html")]
struct ChoosePage {
    chrome: Chrome,
    programme_id: i64,
    programme_title: String,
    /// (code, label, current)
    halves: Vec<(String, String, bool)>,
}

/// The half-years of the period, newest first (at most 40).
fn halves(from: &str, to: &str) -> Vec<HalfYear> {
    let (Ok(from), Ok(to)) = (from.parse(), to.parse()) else { return Vec::new() };
    let mut h = HalfYear::of(from);
    let last = HalfYear::of(to);
    let mut out = Vec::new();
    while h <= last && out.len() < 40 {
        out.push(h);
        h = h.next();
    }
    out.reverse();
    out
}

async fn choose(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let p = state.store.read(move |db| programmes::load(db, &v, id)).await?;
    let now = HalfYear::of(today());
    html(
        StatusCode::OK,
        ChoosePage {
            chrome: Chrome::new(&session, format!("Styrgruppsrapport: {}", p.title), "programmes", &Flash(None)),
            programme_id: id,
            halves: halves(&p.period_from, &p.period_to).into_iter().map(|h| (h.to_string(), h.label(), h == now)).collect(),
            programme_title: p.title,
        },
    )
}

#[derive(Template)]
#[template(path = "programmes/report/print.html")]
struct PrintPage {
    chrome: Chrome,
    doc: DocumentMeta,
    blocks: Vec<Block>,
    labels: Vec<String>,
    back: String,
    docx: String,
}

async fn document(State(state): State<AppState>, SignedIn(session): SignedIn, Path((id, half)): Path<(i64, String)>) -> PageResult {
    let v = session.viewer.clone();
    let h = half.clone();
    let r = state.store.read(move |db| report::report(db, &v, id, &h)).await?;
    let blocks = steering_report::blocks(&r);
    html(
        StatusCode::OK,
        PrintPage {
            chrome: Chrome::new(&session, format!("Styrgruppsrapport {}: {}", r.half_year, r.programme_title), "programmes", &Flash(None)),
            doc: steering_report::meta(&r),
            labels: table_labels(&blocks),
            blocks,
            back: format!("/program/{id}/styrrapport"),
            docx: format!("/program/{id}/styrrapport/{}/styrgruppsrapport.docx", r.half_year),
        },
    )
}

async fn docx(State(state): State<AppState>, SignedIn(session): SignedIn, Path((id, half)): Path<(i64, String)>) -> PageResult {
    let v = session.viewer.clone();
    let r = state.store.read(move |db| report::report(db, &v, id, &half)).await?;
    let f = steering_report::docx(&r)?;
    Ok(docx_download(&f.name, f.bytes))
}
