//! `/forums`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use brygga_store::forums::{self, Forum, ForumInput};

use super::extract::{ApiJson, Created, IfMatch, Versioned};
use crate::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiErrorBody, ApiResult, AppError};

/// Every forum with its convener and members (contacts only for members).
#[utoipa::path(get, operation_id = "list_forums", path = "/forums", tag = "forums", responses((status = 200, body = Vec<Forum>)))]
pub async fn list(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Vec<Forum>>> {
    Ok(Json(state.store.read(move |db| forums::list(db, &v)).await?))
}

/// Creates a forum convened by one of the caller's organisations.
#[utoipa::path(post, operation_id = "create_forum", path = "/forums", request_body = ForumInput, tag = "forums",
    responses((status = 201, body = Forum), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(State(state): State<AppState>, ApiAuth(v): ApiAuth, ApiJson(input): ApiJson<ForumInput>) -> ApiResult<Created<Forum>> {
    let valid = input.validate().map_err(AppError::Invalid)?;
    let f = state.store.write(move |db| forums::create(db, &v, &valid)).await?;
    Ok(Created(format!("/api/v1/forums/{}", f.id), f))
}

#[utoipa::path(get, operation_id = "get_forum", path = "/forums/{id}", params(("id" = i64, Path)), tag = "forums", responses((status = 200, body = Forum), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<Forum>> {
    let f = state.store.read(move |db| forums::get(db, &v, id)).await?;
    Ok(Versioned(f.version, f))
}

/// Replaces a forum's name, members and contacts (convener's coordinators only).
#[utoipa::path(put, operation_id = "update_forum", path = "/forums/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = ForumInput, tag = "forums",
    responses((status = 200, body = Forum), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<ForumInput>,
) -> ApiResult<Versioned<Forum>> {
    let valid = input.validate().map_err(AppError::Invalid)?;
    let f = state.store.write(move |db| forums::update(db, &v, id, version, &valid)).await?;
    Ok(Versioned(f.version, f))
}

/// Closes a forum; what was shared with it becomes visible to its owner only.
#[utoipa::path(delete, operation_id = "delete_forum", path = "/forums/{id}", params(("id" = i64, Path)), tag = "forums", responses((status = 204), (status = 403, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| forums::delete(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes an organisation out of a forum.
#[utoipa::path(delete, operation_id = "leave_forum", path = "/forums/{id}/members/{org_id}", params(("id" = i64, Path), ("org_id" = i64, Path)), tag = "forums",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn leave(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path((id, org_id)): Path<(i64, i64)>) -> ApiResult<StatusCode> {
    state.store.write(move |db| forums::leave(db, &v, id, org_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
