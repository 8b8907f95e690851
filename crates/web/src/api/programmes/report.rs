//! The steering report of a programme for a half-year, as JSON and as Word (the same content as
//! the printable page, [`crate::kit::steering_report`]).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use brygga_store::programmes::report::{self, SteeringReport};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::export::docx_download;
use crate::kit::json::ApiQuery;
use crate::kit::steering_report;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HalfYearParams {
    /// The half-year, `2019H1`.
    half_year: String,
}

/// The steering report: every group's goals and evaluation checks, activities done and not done,
/// deviations, the half-year's decisions and open uppdrag, deliverables with the
/// "delivered but not distributed" check, and the load on each organisation.
#[utoipa::path(get, operation_id = "get_steering_report", path = "/programmes/{id}/steering-report", params(("id" = i64, Path), HalfYearParams), tag = "programmes",
    responses((status = 200, body = SteeringReport), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<HalfYearParams>,
) -> ApiResult<Json<SteeringReport>> {
    Ok(Json(state.store.read(move |db| report::report(db, &v, id, &p.half_year)).await?))
}

/// The steering report as a Word document (DOCX).
#[utoipa::path(get, operation_id = "get_steering_report_docx", path = "/programmes/{id}/steering-report/docx", params(("id" = i64, Path), HalfYearParams), tag = "programmes",
    responses(
        (status = 200, description = "The Word file (attachment)", body = Vec<u8>,
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn docx(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<HalfYearParams>,
) -> ApiResult<Response> {
    let r = state.store.read(move |db| report::report(db, &v, id, &p.half_year)).await?;
    let f = steering_report::docx(&r)?;
    Ok(docx_download(&f.name, f.bytes))
}
