//! The plan documents as Word files for API callers: `GET /plans/{id}/docx` and
//! `GET /situations/{id}/docx` — the same files as the pages' `atgardsplan.docx` and
//! `lagesbild.docx` ([`crate::kit::plan_documents`]), with the same read rule: 404 for a
//! document the caller may not read, small counts hidden for callers outside the parties.

use axum::extract::{Path, State};
use axum::response::Response;
use brygga_store::plans::situation;

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::export::docx_download;
use crate::kit::plan_documents as docs;

/// The åtgärdsplan as a Word document (DOCX): decision, parties, the goal tree with each goal's
/// indicators, the measures, the process evaluation and the deviations.
#[utoipa::path(get, operation_id = "get_plan_docx", path = "/plans/{id}/docx", params(("id" = i64, Path)), tag = "plans",
    responses(
        (status = 200, description = "The Word file (attachment)", body = Vec<u8>,
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = ApiErrorBody)))]
pub async fn plan_docx(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Response> {
    let reader = v.clone();
    let p = state.store.read_audited(&v, move |db| docs::load_plan(db, &reader, id)).await?;
    let f = docs::plan_docx(&p)?;
    Ok(docx_download(&f.name, f.bytes))
}

/// The lägesbild or problembild as a Word document (DOCX): sections, figures with their
/// sources, other information, problems with evidence and causes, warnings.
#[utoipa::path(get, operation_id = "get_situation_docx", path = "/situations/{id}/docx", params(("id" = i64, Path)), tag = "situations",
    responses(
        (status = 200, description = "The Word file (attachment)", body = Vec<u8>,
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = ApiErrorBody)))]
pub async fn situation_docx(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Response> {
    let reader = v.clone();
    let d = state.store.read_audited(&v, move |db| situation::load_audited(db, &reader, id)).await?;
    let f = docs::situation_docx(&d)?;
    Ok(docx_download(&f.name, f.bytes))
}
