//! `/forums`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use brygga_store::accounts::invitations;
use brygga_store::forums::consent;
use brygga_store::forums::forum::{self, Forum, ForumInput};

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult, AppError};
use crate::kit::json::{ApiJson, Created, IfMatch, Versioned};

/// Every forum with its convener and members (contacts only for members).
#[utoipa::path(get, operation_id = "list_forums", path = "/forums", tag = "forums", responses((status = 200, body = Vec<Forum>)))]
pub async fn list(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Vec<Forum>>> {
    Ok(Json(state.store.read(move |db| forum::list(db, &v)).await?))
}

/// Creates a forum convened by one of the caller's organisations. For a municipality, the
/// convener's claim to work there must be approved (or the caller a system administrator).
/// The other organisations in `member_org_ids` are *invited*: they become members when an
/// administrator or coordinator of theirs accepts. Contact persons are asked the same way.
#[utoipa::path(post, operation_id = "create_forum", path = "/forums", request_body = ForumInput, tag = "forums",
    responses((status = 201, body = Forum), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(State(state): State<AppState>, ApiAuth(v): ApiAuth, ApiJson(input): ApiJson<ForumInput>) -> ApiResult<Created<Forum>> {
    let valid = input.validate().map_err(AppError::Invalid)?;
    let post = state.config.postmark();
    let f = state.store.write(move |db| forum::create(db, &v, &valid, &post)).await?;
    Ok(Created(format!("/api/v1/forums/{}", f.id), f))
}

#[utoipa::path(get, operation_id = "get_forum", path = "/forums/{id}", params(("id" = i64, Path)), tag = "forums", responses((status = 200, body = Forum), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<Forum>> {
    let f = state.store.read(move |db| forum::get(db, &v, id)).await?;
    Ok(Versioned(f.version, f))
}

/// Replaces a forum's name, members and contacts (convener's coordinators only): new members
/// are invited and new contact persons asked; those left out are taken out.
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
    let post = state.config.postmark();
    let f = state.store.write(move |db| forum::update(db, &v, id, version, &valid, &post)).await?;
    Ok(Versioned(f.version, f))
}

/// Closes a forum; what was shared with it becomes visible to its owner only.
#[utoipa::path(delete, operation_id = "delete_forum", path = "/forums/{id}", params(("id" = i64, Path)), tag = "forums", responses((status = 204), (status = 403, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| forum::delete(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes an organisation out of a forum.
#[utoipa::path(delete, operation_id = "leave_forum", path = "/forums/{id}/members/{org_id}", params(("id" = i64, Path), ("org_id" = i64, Path)), tag = "forums",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn leave(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path((id, org_id)): Path<(i64, i64)>) -> ApiResult<StatusCode> {
    state.store.write(move |db| forum::leave(db, &v, id, org_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Answers an organisation's invitation into a forum (that organisation's administrators and
/// coordinators). Without an open invitation the answer is 404, whatever the ids.
#[utoipa::path(post, operation_id = "answer_forum_invitation", path = "/forums/{id}/invitations/{org_id}", params(("id" = i64, Path), ("org_id" = i64, Path)),
    request_body = invitations::AnswerInput, tag = "forums", responses((status = 204), (status = 404, body = ApiErrorBody)))]
pub async fn answer_invitation(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, org_id)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<invitations::AnswerInput>,
) -> ApiResult<StatusCode> {
    state.store.write(move |db| consent::answer_forum_invitation(db, &v, id, org_id, input.answer)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller answers a request to be one of the forum's contact persons; `decline` also ends
/// being one. Without a request: 404.
#[utoipa::path(post, operation_id = "answer_contact_request", path = "/forums/{id}/contact-request", params(("id" = i64, Path)),
    request_body = invitations::AnswerInput, tag = "forums", responses((status = 204), (status = 404, body = ApiErrorBody)))]
pub async fn answer_contact_request(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<invitations::AnswerInput>,
) -> ApiResult<StatusCode> {
    state.store.write(move |db| consent::answer_contact_request(db, &v, id, input.answer)).await?;
    Ok(StatusCode::NO_CONTENT)
}
