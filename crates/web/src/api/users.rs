//! `/users`: members of the organisations the caller administers.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use brygga_domain::Role;
use brygga_store::users::{self, NewUserInput, User};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiQuery, Created};
use crate::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiErrorBody, ApiResult, AppError};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only members of this organisation.
    org_id: Option<i64>,
    /// Part of the name or e-mail address.
    q: Option<String>,
    /// Cursor from the previous page.
    after: Option<i64>,
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct UserPage {
    items: Vec<User>,
    next: Option<String>,
}

#[utoipa::path(get, operation_id = "list_users", path = "/users", params(ListParams), tag = "users", responses((status = 200, body = UserPage), (status = 403, body = ApiErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiAuth(v): ApiAuth, ApiQuery(p): ApiQuery<ListParams>) -> ApiResult<Json<UserPage>> {
    let f = users::Filter { org_id: p.org_id, q: p.q, after: p.after, limit: p.limit };
    let page = state.store.read(move |db| users::list(db, &v, &f)).await?;
    Ok(Json(UserPage { items: page.items, next: page.next }))
}

/// Creates an account in one of the caller's organisations.
#[utoipa::path(post, operation_id = "create_user", path = "/users", request_body = NewUserInput, tag = "users",
    responses((status = 201, body = User), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(State(state): State<AppState>, ApiAuth(v): ApiAuth, ApiJson(input): ApiJson<NewUserInput>) -> ApiResult<Created<User>> {
    // Validation hashes the password (slow): keep it off the async threads.
    let valid = tokio::task::spawn_blocking(move || input.validate())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Invalid)?;
    let u = state.store.write(move |db| users::create(db, &v, &valid)).await?;
    Ok(Created(format!("/api/v1/users/{}", u.id), u))
}

#[utoipa::path(get, operation_id = "get_user", path = "/users/{id}", params(("id" = i64, Path)), tag = "users", responses((status = 200, body = User), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<User>> {
    Ok(Json(state.store.read(move |db| users::get(db, &v, id)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipInput {
    /// `administrator`, `coordinator`, `member`, `reporter` or `reader`.
    role: String,
}

/// Adds the user to the organisation, or changes the role.
#[utoipa::path(put, operation_id = "set_membership", path = "/users/{id}/memberships/{org_id}", params(("id" = i64, Path), ("org_id" = i64, Path)), request_body = MembershipInput, tag = "users",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn set_membership(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, org_id)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<MembershipInput>,
) -> ApiResult<StatusCode> {
    let role = Role::parse(&input.role).map_err(|e| AppError::Invalid(e.into()))?;
    state.store.write(move |db| users::set_membership(db, &v, id, org_id, role)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, operation_id = "remove_membership", path = "/users/{id}/memberships/{org_id}", params(("id" = i64, Path), ("org_id" = i64, Path)), tag = "users",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn remove_membership(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, org_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state.store.write(move |db| users::remove_membership(db, &v, id, org_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
