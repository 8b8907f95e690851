//! `/networks…`: the API twins of the network pages — networks and reference groups and their
//! members — the same store functions, the same rules.

use axum::Json;
use axum::extract::{Path, State};
use brygga_store::actors::networks::{self, MemberInput, Network, NetworkInput};

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::json::{ApiJson, Created, IfMatch, Versioned};

/// The networks and reference groups the caller may read (without members).
#[utoipa::path(get, operation_id = "list_networks", path = "/networks", tag = "networks", responses((status = 200, body = Vec<Network>)))]
pub async fn list(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Vec<Network>>> {
    Ok(Json(state.store.read(move |db| networks::list(db, &v)).await?))
}

/// Creates a network or reference group owned by `owner_org_id` (member or above).
#[utoipa::path(post, operation_id = "create_network", path = "/networks", request_body = NetworkInput, tag = "networks",
    responses((status = 201, body = Network), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<NetworkInput>,
) -> ApiResult<Created<Network>> {
    let n = state.store.write(move |db| networks::create(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/networks/{}", n.id), n))
}

/// One network with its members; persons only for the owner's and the member organisations'
/// users (others get `hidden_persons`). `ETag`: the version.
#[utoipa::path(get, operation_id = "get_network", path = "/networks/{id}", params(("id" = i64, Path)), tag = "networks",
    responses((status = 200, body = Network), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<Network>> {
    let n = state.store.read(move |db| networks::get(db, &v, id)).await?;
    Ok(Versioned(n.version, n))
}

/// Changes a network (the owner's users). Send `If-Match`.
#[utoipa::path(put, operation_id = "update_network", path = "/networks/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = NetworkInput, tag = "networks",
    responses((status = 200, body = Network), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<NetworkInput>,
) -> ApiResult<Versioned<Network>> {
    let n = state.store.write(move |db| networks::edit(db, &v, id, version, &input)).await?;
    Ok(Versioned(n.version, n))
}

/// Adds a member: an organisation (`org_id`) or a person (`person_name`, optional title,
/// organisation text and e-mail).
#[utoipa::path(post, operation_id = "add_network_member", path = "/networks/{id}/members", params(("id" = i64, Path)), request_body = MemberInput, tag = "networks",
    responses((status = 200, body = Network), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MemberInput>,
) -> ApiResult<Json<Network>> {
    Ok(Json(state.store.write(move |db| networks::add_member(db, &v, id, &input)).await?))
}

/// Removes a member.
#[utoipa::path(delete, operation_id = "remove_network_member", path = "/networks/{id}/members/{member_id}", params(("id" = i64, Path), ("member_id" = i64, Path)), tag = "networks",
    responses((status = 200, body = Network), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, member_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Network>> {
    Ok(Json(state.store.write(move |db| networks::remove_member(db, &v, id, member_id)).await?))
}
