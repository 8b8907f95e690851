//! `/users`: members of the organisations the caller administers.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use brygga_domain::Role;
use brygga_domain::account::Email;
use brygga_store::accounts::invitations::MembershipInvitation;
use brygga_store::accounts::users::{self, NewUserInput, User};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult, AppError};
use crate::kit::json::{ApiJson, ApiQuery, Created};

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

/// Creates an account (system administrators). A membership asked for is an invitation the
/// person accepts (and, for an organisation with administrators, one of them approves).
/// Organisation administrators invite by e-mail address instead: `POST /organisations/{id}/invitations`.
#[utoipa::path(post, operation_id = "create_user", path = "/users", request_body = NewUserInput, tag = "users",
    responses((status = 201, body = User), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(State(state): State<AppState>, ApiAuth(v): ApiAuth, ApiJson(input): ApiJson<NewUserInput>) -> ApiResult<Created<User>> {
    let valid = users::validate_off_runtime(input).await?;
    let post = state.config.postmark();
    let u = state.store.write(move |db| users::create_and_invite(db, &v, &valid, &post)).await?;
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

/// Changes a member's role. A person who is not a member is added by invitation
/// (`POST /organisations/{id}/invitations`): for an account that is not a member this answers
/// 404, exactly as for an id that does not exist.
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationInput {
    /// The person's e-mail address. The answer is the same whether or not it has an account.
    email: String,
    /// `administrator`, `coordinator`, `member`, `reporter` or `reader`.
    role: String,
}

/// Invites a person, by e-mail address, into the organisation. They become a member when they
/// accept (on /konto or `POST /membership-invitations/{id}`); until then the organisation sees
/// only what it typed. A system administrator who is not one of the organisation's
/// administrators needs one of them to approve (unless it has none); they are told by e-mail.
#[utoipa::path(post, operation_id = "invite_member", path = "/organisations/{id}/invitations", params(("id" = i64, Path)), request_body = InvitationInput, tag = "users",
    responses((status = 201, body = MembershipInvitation), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(org): Path<i64>,
    ApiJson(input): ApiJson<InvitationInput>,
) -> ApiResult<Created<MembershipInvitation>> {
    let mut errs = brygga_domain::FieldErrors::new();
    let email = errs.take(Email::parse(&input.email));
    let role = errs.take(Role::parse(&input.role));
    errs.into_result().map_err(AppError::Invalid)?;
    let (email, role) = (email.expect("checked"), role.expect("checked"));
    let post = state.config.postmark();
    let inv = state.store.write(move |db| brygga_store::accounts::invitations::invite_member(db, &v, org, &email, role, &post)).await?;
    Ok(Created(format!("/api/v1/organisations/{org}/invitations"), inv))
}

/// The organisation's open invitations (what was typed: address and role).
#[utoipa::path(get, operation_id = "list_member_invitations", path = "/organisations/{id}/invitations", params(("id" = i64, Path)), tag = "users",
    responses((status = 200, body = Vec<MembershipInvitation>), (status = 403, body = ApiErrorBody)))]
pub async fn list_invitations(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(org): Path<i64>,
) -> ApiResult<Json<Vec<MembershipInvitation>>> {
    Ok(Json(state.store.read(move |db| brygga_store::accounts::invitations::org_invitations(db, &v, org)).await?))
}

/// Answers an invitation into an organisation: as the invited person, or as an administrator
/// of the organisation approving a system administrator's invitation. Otherwise 404.
#[utoipa::path(post, operation_id = "answer_member_invitation", path = "/membership-invitations/{id}", params(("id" = i64, Path)),
    request_body = brygga_store::accounts::invitations::AnswerInput, tag = "users", responses((status = 204), (status = 404, body = ApiErrorBody)))]
pub async fn answer_invitation(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<brygga_store::accounts::invitations::AnswerInput>,
) -> ApiResult<StatusCode> {
    state.store.write(move |db| brygga_store::accounts::invitations::answer_membership_invitation(db, &v, id, input.answer)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws an open invitation into an organisation the caller manages.
#[utoipa::path(delete, operation_id = "withdraw_member_invitation", path = "/membership-invitations/{id}", params(("id" = i64, Path)), tag = "users",
    responses((status = 204), (status = 404, body = ApiErrorBody)))]
pub async fn withdraw_invitation(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| brygga_store::accounts::invitations::withdraw_membership_invitation(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
