//! `/forums/{id}/actions`, `/actions/{id}` and `/forums/{id}/followup`: the forum's action list
//! (who is expected to do what, by when) and its monthly follow-up.

use axum::Json;
use axum::extract::{Path, State};
use brygga_domain::time::today;
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::forum_work::actions::{self, Action, ActionInput, Followup, StatusInput};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult, AppError};
use crate::kit::json::{ApiJson, ApiQuery, Created, IfMatch, Versioned};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `open` (planned or in progress, the default), `all`, or one status code
    /// (`planned`, `in_progress`, `done`, `cancelled`).
    status: Option<String>,
    /// Only open actions past their due date.
    #[serde(default)]
    overdue: bool,
    /// Only actions the caller or the caller's organisation is responsible for or a partner in.
    #[serde(default)]
    mine: bool,
    /// Only actions this organisation is responsible for.
    org_id: Option<i64>,
}

/// The forum's action list: open actions by due date (overdue first), then the rest newest first.
#[utoipa::path(get, operation_id = "list_actions", path = "/forums/{id}/actions", params(("id" = i64, Path), ListParams), tag = "actions",
    responses((status = 200, body = Vec<Action>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<Action>>> {
    let f = actions::Filter { status: p.status, overdue: p.overdue, mine: p.mine, org_id: p.org_id };
    Ok(Json(state.store.read(move |db| actions::list(db, &v, id, &f)).await?))
}

/// Decides an action in the forum (members of its organisations). `responsible_org_id` and
/// `due_on` (today or later) are required.
#[utoipa::path(post, operation_id = "create_action", path = "/forums/{id}/actions", params(("id" = i64, Path)), request_body = ActionInput, tag = "actions",
    responses((status = 201, body = Action), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ActionInput>,
) -> ApiResult<Created<Action>> {
    let a = state.store.write(move |db| actions::decide(db, &v, id, &input, FieldErrors::new())).await?;
    Ok(Created(format!("/api/v1/actions/{}", a.id), a))
}

#[utoipa::path(get, operation_id = "get_action", path = "/actions/{id}", params(("id" = i64, Path)), tag = "actions",
    responses((status = 200, body = Action), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<Action>> {
    let a = state.store.read(move |db| actions::get(db, &v, id)).await?;
    Ok(Versioned(a.version, a))
}

/// Changes every field of an action (the responsible organisation, the one that decided it, or
/// the convener's coordinators). Send `If-Match`. An unchanged due date may lie in the past.
#[utoipa::path(put, operation_id = "update_action", path = "/actions/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = ActionInput, tag = "actions",
    responses((status = 200, body = Action), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<ActionInput>,
) -> ApiResult<Versioned<Action>> {
    let a = state.store.write(move |db| actions::edit(db, &v, id, version, &input, FieldErrors::new())).await?;
    Ok(Versioned(a.version, a))
}

/// Reports progress: `in_progress`, `done` (with an `outcome`), or `cancelled` (with a
/// `status_reason`). Send `If-Match`.
#[utoipa::path(post, operation_id = "set_action_status", path = "/actions/{id}/status", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = StatusInput, tag = "actions",
    responses((status = 200, body = Action), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<StatusInput>,
) -> ApiResult<Versioned<Action>> {
    let a = state.store.write(move |db| actions::set_status(db, &v, id, version, &input)).await?;
    Ok(Versioned(a.version, a))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowupParams {
    /// `2026-11`; default the current month (Swedish time).
    month: Option<String>,
}

/// The month's follow-up: completed actions beside the counts of their category at their place
/// in the weeks before and after, cancelled and overdue actions, and totals per organisation.
#[utoipa::path(get, operation_id = "get_followup", path = "/forums/{id}/followup", params(("id" = i64, Path), FollowupParams), tag = "actions",
    responses((status = 200, body = Followup), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn followup(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<FollowupParams>,
) -> ApiResult<Json<Followup>> {
    let month = match p.month.as_deref() {
        None => today().first_of_month(),
        Some(m) => actions::parse_month(m).map_err(|e| AppError::Invalid(FieldError::new("month", e.code, e.message).into()))?,
    };
    Ok(Json(state.store.read(move |db| actions::followup(db, &v, id, month)).await?))
}
