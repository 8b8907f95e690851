//! `/organisations`, `/organisations/{id}/contacts`, `/contacts/{id}`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use brygga_domain::OrgKind;
use brygga_store::accounts::contacts::{self, ContactInput, ContactPerson};
use brygga_store::accounts::orgs::{self, Claim, Organisation, OrganisationInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult, AppError};
use crate::kit::json::{ApiJson, ApiQuery, Created, IfMatch, Versioned};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Part of the name, any case.
    q: Option<String>,
    /// Organisation kind code, e.g. `municipality`.
    kind: Option<String>,
    /// Four-digit municipality code.
    municipality: Option<String>,
    /// Cursor from the previous page's `next`.
    after: Option<String>,
    /// Page size, 1–500 (default 50).
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationPage {
    items: Vec<Organisation>,
    /// Pass as `after` for the next page; null on the last page.
    next: Option<String>,
}

/// Organisations, sorted by name (Swedish order).
#[utoipa::path(get, operation_id = "list_organisations", path = "/organisations", params(ListParams), tag = "organisations",
    responses((status = 200, body = OrganisationPage), (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<OrganisationPage>> {
    let kind = match p.kind.as_deref() {
        Some(k) => Some(OrgKind::parse(k).map_err(|e| AppError::Invalid(e.into()))?),
        None => None,
    };
    let f = orgs::Filter { q: p.q, kind, municipality: p.municipality, after: p.after, limit: p.limit };
    let page = state.store.read(move |db| orgs::list(db, &v, &f)).await?;
    Ok(Json(OrganisationPage { items: page.items, next: page.next }))
}

/// Registers an organisation.
#[utoipa::path(post, operation_id = "create_organisation", path = "/organisations", request_body = OrganisationInput, tag = "organisations",
    responses((status = 201, body = Organisation), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<OrganisationInput>,
) -> ApiResult<Created<Organisation>> {
    let valid = input.validate().map_err(AppError::Invalid)?;
    let org = state.store.write(move |db| orgs::create(db, &v, &valid)).await?;
    Ok(Created(format!("/api/v1/organisations/{}", org.id), org))
}

/// One organisation. The `ETag` header carries its version.
#[utoipa::path(get, operation_id = "get_organisation", path = "/organisations/{id}", params(("id" = i64, Path)), tag = "organisations",
    responses((status = 200, body = Organisation), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<Organisation>> {
    let org = state.store.read(move |db| orgs::get(db, &v, id)).await?;
    Ok(Versioned(org.version, org))
}

/// Replaces an organisation's profile. Send `If-Match` with the version from `ETag`.
#[utoipa::path(put, operation_id = "update_organisation", path = "/organisations/{id}", params(("id" = i64, Path), ("If-Match" = String, Header, description = "The version from ETag, e.g. \"3\"")),
    request_body = OrganisationInput, tag = "organisations",
    responses((status = 200, body = Organisation), (status = 409, body = ApiErrorBody, description = "Changed by someone else since you read it"), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<OrganisationInput>,
) -> ApiResult<Versioned<Organisation>> {
    let valid = input.validate().map_err(AppError::Invalid)?;
    let org = state.store.write(move |db| orgs::update(db, &v, id, version, &valid)).await?;
    Ok(Versioned(org.version, org))
}

/// Deletes an organisation without members (system administrators only).
#[utoipa::path(delete, operation_id = "delete_organisation", path = "/organisations/{id}", params(("id" = i64, Path)), tag = "organisations",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| orgs::delete(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The organisation's contact persons that the caller may see.
#[utoipa::path(get, operation_id = "list_contacts", path = "/organisations/{id}/contacts", params(("id" = i64, Path)), tag = "contacts",
    responses((status = 200, body = Vec<ContactPerson>)))]
pub async fn list_contacts(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<ContactPerson>>> {
    Ok(Json(state.store.read(move |db| contacts::list_for_org(db, &v, id)).await?))
}

/// Adds a contact person; `visibility` says who sees it (`organisation`, `forum` + `forum_id`, `public`).
#[utoipa::path(post, operation_id = "create_contact", path = "/organisations/{id}/contacts", params(("id" = i64, Path)), request_body = ContactInput, tag = "contacts",
    responses((status = 201, body = ContactPerson), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_contact(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<Created<ContactPerson>> {
    let valid = input.validate().map_err(AppError::Invalid)?;
    let c = state.store.write(move |db| contacts::create(db, &v, id, &valid)).await?;
    Ok(Created(format!("/api/v1/contacts/{}", c.id), c))
}

#[utoipa::path(get, operation_id = "get_contact", path = "/contacts/{id}", params(("id" = i64, Path)), tag = "contacts",
    responses((status = 200, body = ContactPerson), (status = 404, body = ApiErrorBody)))]
pub async fn get_contact(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<ContactPerson>> {
    let c = state.store.read(move |db| contacts::get(db, &v, id)).await?;
    Ok(Versioned(c.version, c))
}

#[utoipa::path(put, operation_id = "update_contact", path = "/contacts/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = ContactInput, tag = "contacts",
    responses((status = 200, body = ContactPerson), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_contact(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<Versioned<ContactPerson>> {
    let valid = input.validate().map_err(AppError::Invalid)?;
    let c = state.store.write(move |db| contacts::update(db, &v, id, version, &valid)).await?;
    Ok(Versioned(c.version, c))
}

#[utoipa::path(delete, operation_id = "delete_contact", path = "/contacts/{id}", params(("id" = i64, Path)), tag = "contacts", responses((status = 204), (status = 404, body = ApiErrorBody)))]
pub async fn delete_contact(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| contacts::delete(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pending claims to work in the municipalities whose claims the caller decides: a coordinator
/// or administrator of an organisation of kind `municipality` with an approved claim there (a
/// system administrator: all). Oldest first; empty for everyone else.
#[utoipa::path(get, operation_id = "list_pending_claims", path = "/claims", tag = "organisations",
    responses((status = 200, body = Vec<Claim>), (status = 401, body = ApiErrorBody)))]
pub async fn pending_claims(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Vec<Claim>>> {
    Ok(Json(state.store.read(move |db| orgs::pending_claims(db, &v)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimDecision {
    /// `approve` or `reject` (a rejected claim is removed; the organisation may ask again).
    pub decision: String,
}

/// Approves or rejects organisation `id`'s pending claim to work in municipality `code`. Until
/// approved, a claim grants nothing (no places, no forums, no picture of that municipality).
#[utoipa::path(post, operation_id = "decide_claim", path = "/organisations/{id}/claims/{code}",
    params(("id" = i64, Path), ("code" = String, Path, description = "Four-digit municipality code")), request_body = ClaimDecision, tag = "organisations",
    responses((status = 200, body = Claim), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn decide_claim(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, code)): Path<(i64, String)>,
    ApiJson(d): ApiJson<ClaimDecision>,
) -> ApiResult<Json<Claim>> {
    let approve = match d.decision.trim() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(AppError::Invalid(
                brygga_domain::FieldError::new(
                    "decision",
                    "decision.unknown",
                    "Ange beslutet som ”approve” (godkänn) eller ”reject” (avslå).",
                )
                .into(),
            )
            .into());
        }
    };
    Ok(Json(state.store.write(move |db| orgs::decide_claim(db, &v, id, &code, approve)).await?))
}
