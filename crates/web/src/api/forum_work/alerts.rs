//! `/forums/{id}/alerts` and `/alerts/{id}`: the rapid alert ("trycka på knappen"), its
//! acknowledgements, its closing summary and the forum's statistics.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use brygga_store::forum_work::alerts::{self, Alert, AlertInput, Stats};
use brygga_store::kernel::idempotency::{self, Keyed};
use brygga_store::kernel::mail::Postmark;
use brygga_store::{Conn, StoreError, StoreResult, Viewer};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiError, ApiErrorBody, ApiResult, AppError};
use crate::kit::json::{ApiJson, ApiQuery, IdempotencyKey, keyed_response, parse_json};

/// Raises an alert: the forum's contact persons (without any, the convener's coordinators) are
/// notified at once in the app and by e-mail. The place (`area_id`, or `lat`/`lon`) must lie in
/// the forum's municipality. Send an `Idempotency-Key` so that pressing twice, or a retry after
/// a network failure, raises one alert: the retry gets the first answer with
/// `Idempotent-Replayed: true`.
#[utoipa::path(post, operation_id = "raise_alert", path = "/forums/{id}/alerts", request_body = AlertInput, tag = "alerts",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "Unique per alert; reuse it when retrying")),
    responses((status = 201, body = Alert, description = "Raised; or, with `Idempotent-Replayed: true`, the first answer to an earlier request with the same key, replayed unchanged"),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody, description = "The key was used for a different request"), (status = 422, body = ApiErrorBody),
        (status = 503, body = ApiErrorBody, description = "`unavailable`: nothing was written, retry later; `outcome_unknown`: the connection broke during commit, retry with the same key")))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: AlertInput = parse_json(headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), &body)?;
    let hash = idempotency::request_hash("POST", &format!("/forums/{id}/alerts"), &body);
    let org = v.org_ids().first().copied().ok_or(AppError::Forbidden)?;
    let post = state.config.postmark();
    let keyed = state
        .store
        .write(move |db| idempotency::once(db, org, key.as_deref(), &hash, |db| raise(db, &v, id, &input, key.as_deref(), &post)))
        .await?;
    if matches!(keyed, Keyed::Done { .. }) {
        // The e-mails are committed: send them now rather than at the workers' next poll.
        state.store.wake_workers();
    }
    keyed_response(
        keyed,
        |id| format!("/api/v1/alerts/{id}"),
        "Idempotency-Key har redan använts för en annan begäran. Använd en ny nyckel för ett nytt larm.",
    )
}

/// Checks and raises the alert; an alert the forum already has under this key (sent by
/// another of its organisations) is answered as a replay, and not remembered again.
fn raise(db: &mut dyn Conn, v: &Viewer, forum_id: i64, input: &AlertInput, key: Option<&str>, post: &Postmark) -> StoreResult<Keyed<i64>> {
    let valid = alerts::prepare(db, v, forum_id, input)?;
    let raised = alerts::raise(db, v, &valid, key, post)?;
    let body = serde_json::to_string(&raised.alert).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok(if raised.replayed { Keyed::Replayed { status: 201, body } } else { Keyed::Done { value: raised.alert.id, status: 201, body } })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1–1000, default 100.
    limit: Option<usize>,
}

/// The forum's alerts, newest first, each with its recipients and when they acknowledged.
#[utoipa::path(get, operation_id = "list_alerts", path = "/forums/{id}/alerts", params(("id" = i64, Path), ListParams), tag = "alerts",
    responses((status = 200, body = Vec<Alert>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<Alert>>> {
    let limit = p.limit.unwrap_or(100);
    Ok(Json(state.store.read(move |db| alerts::list(db, &v, id, limit)).await?))
}

#[utoipa::path(get, operation_id = "get_alert", path = "/alerts/{id}", params(("id" = i64, Path)), tag = "alerts",
    responses((status = 200, body = Alert), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Alert>> {
    Ok(Json(state.store.read(move |db| alerts::get(db, &v, id)).await?))
}

/// The caller acknowledges the alert ("sett, jag agerar"). Only its recipients can; twice is once.
#[utoipa::path(post, operation_id = "acknowledge_alert", path = "/alerts/{id}/acknowledge", params(("id" = i64, Path)), tag = "alerts",
    responses((status = 200, body = Alert), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn acknowledge(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Alert>> {
    Ok(Json(state.store.write(move |db| alerts::acknowledge(db, &v, id)).await?))
}

/// How an alert ended.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// What happened and what was done.
    summary: String,
}

/// Closes the alert with a summary (the one who raised it, its recipients, or the convener's
/// coordinators).
#[utoipa::path(post, operation_id = "close_alert", path = "/alerts/{id}/close", params(("id" = i64, Path)), request_body = CloseInput, tag = "alerts",
    responses((status = 200, body = Alert), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CloseInput>,
) -> ApiResult<Json<Alert>> {
    Ok(Json(state.store.write(move |db| alerts::close(db, &v, id, &input.summary)).await?))
}

/// The forum's alert statistics: how many, how many acknowledged, and how fast.
#[utoipa::path(get, operation_id = "alert_stats", path = "/forums/{id}/alerts/stats", params(("id" = i64, Path)), tag = "alerts",
    responses((status = 200, body = Stats), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn stats(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Stats>> {
    Ok(Json(state.store.read(move |db| alerts::stats(db, &v, id)).await?))
}
