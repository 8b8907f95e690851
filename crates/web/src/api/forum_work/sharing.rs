//! `/forums/{id}/share-links` and `/share-links/{id}`: read-only links to the forum's weekly
//! report for people without an account (aggregates only), with expiry and revocation.

use axum::Json;
use axum::extract::{Path, State};
use brygga_store::forum_work::share_links::{self, ShareInput, ShareLink};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::json::{ApiJson, Created};

/// The forum's share links, newest first (never the tokens).
#[utoipa::path(get, operation_id = "list_share_links", path = "/forums/{id}/share-links", params(("id" = i64, Path)), tag = "sharing",
    responses((status = 200, body = Vec<ShareLink>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<ShareLink>>> {
    Ok(Json(state.store.read(move |db| share_links::list(db, &v, id)).await?))
}

/// A new share link with its token.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewShareLink {
    link: ShareLink,
    /// The secret part of the link, shown once: only its hash is kept.
    token: String,
    /// The link to hand out: `{--public-url}/delad/{token}`, readable without an account.
    url: String,
}

/// Creates a share link (coordinators of member organisations). The answer holds the token,
/// shown this once: only its hash is kept.
#[utoipa::path(post, operation_id = "create_share_link", path = "/forums/{id}/share-links", params(("id" = i64, Path)), request_body = ShareInput, tag = "sharing",
    responses((status = 201, body = NewShareLink), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ShareInput>,
) -> ApiResult<Created<NewShareLink>> {
    let c = state.store.write(move |db| share_links::create(db, &v, id, &input)).await?;
    Ok(Created(
        format!("/api/v1/forums/{}/share-links", c.link.forum_id),
        NewShareLink { url: format!("{}/delad/{}", state.config.public_url.trim_end_matches('/'), c.token), link: c.link, token: c.token },
    ))
}

/// Revokes a share link at once; opening it afterwards says so. Revoking twice is once.
#[utoipa::path(post, operation_id = "revoke_share_link", path = "/share-links/{id}/revoke", params(("id" = i64, Path)), tag = "sharing",
    responses((status = 200, body = ShareLink), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn revoke(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<ShareLink>> {
    Ok(Json(state.store.write(move |db| share_links::revoke(db, &v, id)).await?))
}
