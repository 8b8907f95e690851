//! Follow-up of an åtgärdsplan: indicator values, their refresh from Brygga's data, deviations,
//! the process evaluation's checks (the same list as the page) and the yearly follow-up report.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use brygga_domain::FieldErrors;
use brygga_domain::time::today;
use brygga_store::plans::evaluation::{self, Check};
use brygga_store::plans::followup::{self, Deviation, DeviationInput, FollowUpReport, IndicatorSeries, IndicatorValue, ValueInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::json::{ApiJson, ApiQuery, Created};

/// An indicator's values against its baseline and target, oldest first. Outside the plan's
/// parties, counts of EST reports below 3 are `null`.
#[utoipa::path(get, operation_id = "get_indicator_values", path = "/indicators/{id}/values", params(("id" = i64, Path)), tag = "plans",
    responses((status = 200, body = IndicatorSeries), (status = 404, body = ApiErrorBody)))]
pub async fn values(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<IndicatorSeries>> {
    Ok(Json(state.store.read(move |db| followup::series_of(db, &v, id)).await?))
}

/// Every indicator of the plan with its values.
#[utoipa::path(get, operation_id = "list_plan_values", path = "/plans/{id}/values", params(("id" = i64, Path)), tag = "plans",
    responses((status = 200, body = Vec<IndicatorSeries>), (status = 404, body = ApiErrorBody)))]
pub async fn plan_values(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<IndicatorSeries>>> {
    Ok(Json(state.store.read(move |db| followup::plan_series(db, &v, id)).await?))
}

/// Enters (or corrects) a value of an indicator of the plan in force (members of a party). The
/// `period` is the first day of a period of the indicator's frequency. An entered value is never
/// overwritten by a refresh.
#[utoipa::path(post, operation_id = "enter_plan_value", path = "/plans/{id}/values", params(("id" = i64, Path)), request_body = ValueInput, tag = "plans",
    responses((status = 201, body = IndicatorValue), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn enter_value(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ValueInput>,
) -> ApiResult<Created<IndicatorValue>> {
    let indicator = input.indicator_id;
    let value = state.store.write(move |db| followup::enter_value(db, &v, id, &input, FieldErrors::new())).await?;
    Ok(Created(format!("/api/v1/indicators/{indicator}/values"), value))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemoveParams {
    /// The indicator.
    indicator_id: i64,
    /// The period's first day, `2026-04-01`.
    period: String,
}

/// Removes an entered value (a value computed from Brygga's data cannot be removed: enter a
/// correction instead).
#[utoipa::path(delete, operation_id = "remove_plan_value", path = "/plans/{id}/values", params(("id" = i64, Path), RemoveParams), tag = "plans",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn remove_value(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<RemoveParams>,
) -> ApiResult<StatusCode> {
    state.store.write(move |db| followup::remove_value(db, &v, id, p.indicator_id, &p.period)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a refresh did.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PlanValuesRefreshed)]
pub struct Refreshed {
    /// Values written (computed values; entered ones stay).
    pub written: usize,
}

/// Recomputes the plan's values from Brygga's data now (members of a party, the plan in force).
#[utoipa::path(post, operation_id = "refresh_plan_values", path = "/plans/{id}/refresh", params(("id" = i64, Path)), tag = "plans",
    responses((status = 200, body = Refreshed), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn refresh(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Refreshed>> {
    let written = state.store.write(move |db| followup::refresh_values(db, &v, id)).await?;
    Ok(Json(Refreshed { written }))
}

/// The plan's deviations, newest first.
#[utoipa::path(get, operation_id = "list_plan_deviations", path = "/plans/{id}/deviations", params(("id" = i64, Path)), tag = "plans",
    responses((status = 200, body = Vec<Deviation>), (status = 404, body = ApiErrorBody)))]
pub async fn list_deviations(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<Deviation>>> {
    Ok(Json(state.store.read(move |db| followup::deviations(db, &v, id)).await?))
}

/// Records a deviation in the plan in force: `what` and `why` are required.
#[utoipa::path(post, operation_id = "record_plan_deviation", path = "/plans/{id}/deviations", params(("id" = i64, Path)), request_body = DeviationInput, tag = "plans",
    responses((status = 201, body = Deviation), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn record_deviation(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DeviationInput>,
) -> ApiResult<Created<Deviation>> {
    let d = state.store.write(move |db| followup::record(db, &v, id, &input, FieldErrors::new())).await?;
    Ok(Created(format!("/api/v1/deviations/{}", d.id), d))
}

#[utoipa::path(get, operation_id = "get_plan_deviation", path = "/deviations/{id}", params(("id" = i64, Path)), tag = "plans",
    responses((status = 200, body = Deviation), (status = 404, body = ApiErrorBody)))]
pub async fn get_deviation(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Deviation>> {
    Ok(Json(state.store.read(move |db| followup::deviation(db, &v, id)).await?))
}

/// Changes every field of a deviation (the plan in force).
#[utoipa::path(put, operation_id = "update_plan_deviation", path = "/deviations/{id}", params(("id" = i64, Path)), request_body = DeviationInput, tag = "plans",
    responses((status = 200, body = Deviation), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_deviation(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DeviationInput>,
) -> ApiResult<Json<Deviation>> {
    Ok(Json(state.store.write(move |db| followup::edit(db, &v, id, &input, FieldErrors::new())).await?))
}

#[utoipa::path(delete, operation_id = "delete_plan_deviation", path = "/deviations/{id}", params(("id" = i64, Path)), tag = "plans",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn delete_deviation(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| followup::remove(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The process evaluation: one check per subject (målanalys, mål–medelanalys,
/// genomförandeanalys), passing ones included, each with a plain-Swedish message and what to fix.
/// The same list as the follow-up page.
#[utoipa::path(get, operation_id = "get_plan_evaluation", path = "/plans/{id}/evaluation", params(("id" = i64, Path)), tag = "plans",
    responses((status = 200, body = Vec<Check>), (status = 404, body = ApiErrorBody)))]
pub async fn evaluation(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<Check>>> {
    Ok(Json(state.store.read(move |db| evaluation::evaluate(db, &v, id)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// The year; default the current year (values up to 31 December of it).
    year: Option<i32>,
}

/// The yearly follow-up report: goals in tree order with their indicators and computed progress,
/// measures with status and deviations, the checks and totals.
#[utoipa::path(get, operation_id = "get_followup_report", path = "/plans/{id}/followup-report", params(("id" = i64, Path), ReportParams), tag = "plans",
    responses((status = 200, body = FollowUpReport), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Json<FollowUpReport>> {
    let year = p.year.unwrap_or_else(|| i32::from(today().year()));
    Ok(Json(state.store.read(move |db| followup::report(db, &v, id, year)).await?))
}
