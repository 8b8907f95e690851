//! A programme's deliverables and their reach for API callers: products with supplier and
//! dates, the distribution log and reach totals, and `undistributed` — delivered but not spread.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use brygga_domain::FieldErrors;
use brygga_store::programmes::deliverables::{self, Deliverable, DeliverableInput, Distribution, DistributionInput};

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::json::{ApiJson, Created};

/// The programme's deliverables with their distribution logs and reach.
#[utoipa::path(get, operation_id = "list_deliverables", path = "/programmes/{id}/deliverables", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = Vec<Deliverable>), (status = 404, body = ApiErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<Deliverable>>> {
    Ok(Json(state.store.read(move |db| deliverables::for_programme(db, &v, id)).await?))
}

/// Adds a deliverable (ordered ≤ delivered ≤ approved, none in the future).
#[utoipa::path(post, operation_id = "create_deliverable", path = "/programmes/{id}/deliverables", params(("id" = i64, Path)), request_body = DeliverableInput, tag = "programmes",
    responses((status = 201, body = Deliverable), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DeliverableInput>,
) -> ApiResult<Created<Deliverable>> {
    let d = state.store.write(move |db| deliverables::create(db, &v, id, &input, FieldErrors::new())).await?;
    Ok(Created(format!("/api/v1/deliverables/{}", d.id), d))
}

#[utoipa::path(get, operation_id = "get_deliverable", path = "/deliverables/{id}", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = Deliverable), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Deliverable>> {
    Ok(Json(state.store.read(move |db| deliverables::get(db, &v, id)).await?))
}

/// Changes every field of a deliverable (send back the `version` read: a stale one is 409).
#[utoipa::path(put, operation_id = "update_deliverable", path = "/deliverables/{id}", params(("id" = i64, Path)), request_body = DeliverableInput, tag = "programmes",
    responses((status = 200, body = Deliverable), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DeliverableInput>,
) -> ApiResult<Json<Deliverable>> {
    Ok(Json(state.store.write(move |db| deliverables::update(db, &v, id, &input, FieldErrors::new())).await?))
}

#[utoipa::path(delete, operation_id = "delete_deliverable", path = "/deliverables/{id}", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| deliverables::remove(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Logs a distribution of a delivered deliverable: to whom (`recipient` and/or
/// `recipient_org_id`), when, how, and the counts sent, opened and downloaded.
#[utoipa::path(post, operation_id = "distribute_deliverable", path = "/deliverables/{id}/distributions", params(("id" = i64, Path)), request_body = DistributionInput, tag = "programmes",
    responses((status = 201, body = Distribution), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn distribute(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DistributionInput>,
) -> ApiResult<Created<Distribution>> {
    let d = state.store.write(move |db| deliverables::distribute(db, &v, id, &input, FieldErrors::new())).await?;
    Ok(Created(format!("/api/v1/deliverables/{id}"), d))
}

/// Removes a distribution logged by mistake.
#[utoipa::path(delete, operation_id = "delete_deliverable_distribution", path = "/deliverables/{id}/distributions/{distribution_id}", params(("id" = i64, Path), ("distribution_id" = i64, Path)), tag = "programmes",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn remove_distribution(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, distribution_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state.store.write(move |db| deliverables::remove_distribution(db, &v, id, distribution_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
