//! `/me`, `/me/data`, `/me/tokens`, `/me/preferences`, `/audit`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use brygga_store::Membership;
use brygga_store::accounts::auth::{self, TokenSummary};
use brygga_store::accounts::users::{self, PersonalData};
use brygga_store::kernel::audit::{self, Entry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult, AppError};
use crate::kit::json::{ApiJson, ApiQuery};

#[derive(Serialize, ToSchema)]
pub struct Me {
    user_id: Option<i64>,
    name: String,
    email: String,
    /// The organisation this token acts for, with the role.
    #[schema(value_type = Vec<Object>)]
    memberships: Vec<Membership>,
    forum_ids: Vec<i64>,
}

/// Who the token acts as.
#[utoipa::path(get, operation_id = "get_me", path = "/me", tag = "me", responses((status = 200, body = Me), (status = 401, body = ApiErrorBody)))]
pub async fn me(ApiAuth(v): ApiAuth) -> Json<Me> {
    Json(Me {
        user_id: v.user_id(),
        name: v.name().to_owned(),
        email: v.email().to_owned(),
        memberships: v.memberships().to_vec(),
        forum_ids: v.forum_ids().to_vec(),
    })
}

/// Everything Brygga holds about the token's user (GDPR access). Recorded in the audit log.
#[utoipa::path(get, operation_id = "export_my_data", path = "/me/data", tag = "me", responses((status = 200, body = PersonalData)))]
pub async fn data(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<PersonalData>> {
    let data = state.store.write(move |db| users::export_personal_data(db, &v)).await?;
    Ok(Json(data))
}

/// The user's API tokens (never the secrets).
#[utoipa::path(get, operation_id = "list_my_tokens", path = "/me/tokens", tag = "me", responses((status = 200, body = Vec<TokenSummary>)))]
pub async fn tokens(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Vec<TokenSummary>>> {
    Ok(Json(state.store.read(move |db| auth::list_tokens(db, &v)).await?))
}

/// Revokes one of the user's tokens (it may be the one in use).
#[utoipa::path(delete, operation_id = "revoke_my_token", path = "/me/tokens/{id}", params(("id" = i64, Path)), tag = "me", responses((status = 204), (status = 404, body = ApiErrorBody)))]
pub async fn revoke_token(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| auth::revoke_token(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The user's own choices.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// No weekly digest e-mail (the forums' summary on Monday mornings).
    digest_opt_out: bool,
}

/// The user's own choices.
#[utoipa::path(get, operation_id = "get_my_preferences", path = "/me/preferences", tag = "me", responses((status = 200, body = Preferences)))]
pub async fn preferences(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Preferences>> {
    let user = v.user_id().ok_or(AppError::Forbidden)?;
    let digest_opt_out = state.store.read(move |db| brygga_store::accounts::preferences::digest_opted_out(db, user)).await?;
    Ok(Json(Preferences { digest_opt_out }))
}

/// Changes the user's choices (recorded in the audit log).
#[utoipa::path(put, operation_id = "set_my_preferences", path = "/me/preferences", request_body = Preferences, tag = "me",
    responses((status = 200, body = Preferences), (status = 422, body = ApiErrorBody)))]
pub async fn set_preferences(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<Preferences>,
) -> ApiResult<Json<Preferences>> {
    let user = v.user_id().ok_or(AppError::Forbidden)?;
    let digest_opt_out = state
        .store
        .write(move |db| {
            brygga_store::accounts::preferences::set_digest_opt_out(db, &v, input.digest_opt_out)?;
            brygga_store::accounts::preferences::digest_opted_out(db, user)
        })
        .await?;
    Ok(Json(Preferences { digest_opt_out }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// The organisation whose entries to read (required unless system administrator).
    org_id: Option<i64>,
    /// Action prefix, e.g. `login` or `organisation.update`.
    action: Option<String>,
    /// From this instant (milliseconds since the epoch, UTC).
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    /// Entries older than this id (the previous page's `next`).
    before: Option<i64>,
    /// 1–1000, default 100.
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    #[schema(value_type = Vec<Object>)]
    items: Vec<Entry>,
    next: Option<String>,
}

/// The audit log, newest first: the caller's organisation's entries (administrators).
#[utoipa::path(get, operation_id = "list_audit_entries", path = "/audit", params(AuditParams), tag = "audit", responses((status = 200, body = AuditPage), (status = 403, body = ApiErrorBody)))]
pub async fn audit(State(state): State<AppState>, ApiAuth(v): ApiAuth, ApiQuery(p): ApiQuery<AuditParams>) -> ApiResult<Json<AuditPage>> {
    let f = audit::Filter {
        org_id: p.org_id,
        action_prefix: p.action,
        actor_user_id: None,
        from_ms: p.from_ms,
        to_ms: p.to_ms,
        before_id: p.before,
        limit: p.limit.unwrap_or(100).min(1000),
    };
    let page = state.store.read(move |db| audit::list(db, &v, &f)).await?;
    Ok(Json(AuditPage { items: page.items, next: page.next }))
}

/// Everything waiting for the caller's answer: forum invitations of organisations the caller
/// answers for, requests to be a forum's contact person, invitations into organisations (and,
/// for administrators, a system administrator's invitations waiting for their approval).
#[utoipa::path(get, operation_id = "list_my_invitations", path = "/me/invitations", tag = "me", responses((status = 200, body = brygga_store::forums::consent::Pending)))]
pub async fn invitations(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<brygga_store::forums::consent::Pending>> {
    Ok(Json(state.store.read(move |db| brygga_store::forums::consent::pending_for(db, &v)).await?))
}
