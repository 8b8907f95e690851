//! The four plan documents as files people file and decide on: the lägesbild and the
//! problembild, the åtgärdsplan and the yearly follow-up report as Word (DOCX), the åtgärdsplan's
//! printable A4 page, and its goals, indicators, measures and deviations as CSV and XLSX. The
//! content is [`crate::kit::plan_documents`] (shared with the API); this module serves it.
//!
//! Paths: `/lagesbilder/{id}/lagesbild.docx` (also `…/problembild.docx`),
//! `/publikt/lagesbilder/{id}/lagesbild.docx` (and `…/problembild.docx`), `/atgardsplaner/{id}/atgardsplan.docx` (public: `/publikt/atgardsplaner/{id}/atgardsplan.docx`),
//! `/atgardsplaner/{id}/utskrift`, `/atgardsplaner/{id}/uppfoljning/{year}/rapport.docx` and
//! `/atgardsplaner/{id}/export/{mal|indikatorer|insatser|avvikelser}.{csv|xlsx}`.
//!
//! The reads are the pages' reads: a document the viewer may not read is 404, and readers outside
//! the parties (and the public) get the small counts hidden exactly as on the page. Like the
//! pages' reads, the downloads are not audited.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use brygga_store::plans::situation;
use brygga_store::{Origin, Viewer};

use crate::AppState;
use crate::kit::auth::SignedIn;
use crate::kit::document::DocumentMeta;
use crate::kit::error::{AppError, PageResult};
use crate::kit::export::{docx_download, table_csv, table_xlsx};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, html};
use crate::kit::plan_documents::{self as docs, Block};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/lagesbilder/{id}/lagesbild.docx", get(situation_docx))
        .route("/lagesbilder/{id}/problembild.docx", get(situation_docx))
        .route("/publikt/lagesbilder/{id}/lagesbild.docx", get(public_situation_docx))
        .route("/publikt/lagesbilder/{id}/problembild.docx", get(public_situation_docx))
        .route("/atgardsplaner/{id}/atgardsplan.docx", get(plan_docx))
        .route("/publikt/atgardsplaner/{id}/atgardsplan.docx", get(public_plan_docx))
        .route("/atgardsplaner/{id}/utskrift", get(plan_print))
        .route("/atgardsplaner/{id}/uppfoljning/{year}/rapport.docx", get(report_docx))
        .route("/atgardsplaner/{id}/export/{file}", get(plan_export))
}

fn word(f: docs::WordFile) -> PageResult {
    Ok(docx_download(&f.name, f.bytes))
}

async fn situation_docx(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let d = state.store.read_audited(&session.viewer, move |db| situation::load_audited(db, &v, id)).await?;
    word(docs::situation_docx(&d)?)
}

async fn public_situation_docx(State(state): State<AppState>, Path(id): Path<i64>) -> PageResult {
    let d = state.store.read(move |db| situation::public(db, id)).await?;
    word(docs::situation_docx(&d)?)
}

async fn plan_docx(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let p = state.store.read_audited(&session.viewer, move |db| docs::load_plan(db, &v, id)).await?;
    word(docs::plan_docx(&p)?)
}

/// A published plan's Word file, for anyone (small EST counts hidden, as on the public page).
async fn public_plan_docx(State(state): State<AppState>, Path(id): Path<i64>) -> PageResult {
    let v = Viewer::anonymous(Origin::default());
    let p = state.store.read(move |db| docs::load_plan(db, &v, id)).await?.0;
    word(docs::plan_docx(&p)?)
}

async fn report_docx(State(state): State<AppState>, SignedIn(session): SignedIn, Path((id, year)): Path<(i64, i32)>) -> PageResult {
    let v = session.viewer.clone();
    let (r, plan) = state.store.read_audited(&session.viewer, move |db| docs::load_report(db, &v, id, year)).await?;
    word(docs::report_docx(&r, &plan)?)
}

#[derive(Template)]
#[template(path = "plans/documents/print.html")]
struct PrintPage {
    chrome: Chrome,
    doc: DocumentMeta,
    blocks: Vec<Block>,
    /// The tables' region names, one per block.
    labels: Vec<String>,
    back: String,
    docx: String,
}

/// `/atgardsplaner/{id}/utskrift`: the åtgärdsplan as an A4 document (the Word file's content).
async fn plan_print(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let p = state.store.read_audited(&session.viewer, move |db| docs::load_plan(db, &v, id)).await?;
    let blocks = docs::plan_blocks(&p);
    html(
        StatusCode::OK,
        PrintPage {
            chrome: Chrome::new(&session, p.d.plan.title.clone(), "plans", &Flash(None)),
            doc: docs::plan_meta(&p),
            labels: docs::table_labels(&blocks),
            blocks,
            back: format!("/atgardsplaner/{id}"),
            docx: format!("/atgardsplaner/{id}/atgardsplan.docx"),
        },
    )
}

/// `/atgardsplaner/{id}/export/{mal|indikatorer|insatser|avvikelser}.{csv|xlsx}`.
async fn plan_export(State(state): State<AppState>, SignedIn(session): SignedIn, Path((id, file)): Path<(i64, String)>) -> PageResult {
    let Some((what, ext)) = file.rsplit_once('.').filter(|(_, ext)| matches!(*ext, "csv" | "xlsx")) else {
        return Err(AppError::NotFound.into());
    };
    let v = session.viewer.clone();
    let p = state.store.read_audited(&session.viewer, move |db| docs::load_plan(db, &v, id)).await?;
    let Some(sheet) = docs::plan_sheet(&p, what) else { return Err(AppError::NotFound.into()) };
    let title = format!("{}: {}", p.d.plan.title, sheet.name.to_lowercase());
    let name = docs::file_name(&format!("{} – {}", p.d.plan.title, sheet.name.to_lowercase()), p.d.plan.version_no, ext);
    Ok(if ext == "csv" {
        table_csv(&name, &sheet.headers, &sheet.rows)?
    } else {
        table_xlsx(&name, sheet.name, &title, &sheet.headers, &sheet.rows)?
    })
}
