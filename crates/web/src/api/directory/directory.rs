//! `/directory/offers…`, `/directory/organisations…`, `/directory/export.*`: the API twins of the
//! directory pages — the same store functions, the same rules. Reads need no token (the public
//! directory; with a token the caller's own unpublished offers are readable too); writes do.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use brygga_store::actors::directory::{self, FilterInput, Listed, Listing};
use brygga_store::actors::hsds::{self, Imported};
use brygga_store::actors::offers::{self, Offer, OfferInput};
use brygga_store::actors::profile::{self, Profile, ProfileInput};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::kit::auth::{ApiAuth, PublicApi};
use crate::kit::error::{ApiErrorBody, ApiResult, AppError};
use crate::kit::export::attachment;
use crate::kit::json::{ApiJson, ApiQuery, Created, IfMatch, Versioned};

fn filter(p: &FilterInput) -> Result<directory::Filter, AppError> {
    p.parse(&brygga_domain::time::today().to_string()).map_err(AppError::Invalid)
}

/// The public directory: published offers of public profiles matching the filters, one page
/// (`sida`) of 50, in Swedish name order, with the total.
#[utoipa::path(get, operation_id = "list_directory_offers", path = "/directory/offers", params(FilterInput), tag = "directory",
    responses((status = 200, body = Listing), (status = 422, body = ApiErrorBody)))]
pub async fn list(State(state): State<AppState>, PublicApi(v): PublicApi, ApiQuery(p): ApiQuery<FilterInput>) -> ApiResult<Json<Listing>> {
    let f = filter(&p)?;
    let page = p.sida.unwrap_or(1);
    Ok(Json(state.store.read(move |db| directory::list(db, &v, &f, page)).await?))
}

/// One offer: published ones for anyone, the organisation's own for its users. `ETag`: the version.
#[utoipa::path(get, operation_id = "get_directory_offer", path = "/directory/offers/{id}", params(("id" = i64, Path)), tag = "directory",
    responses((status = 200, body = Offer), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, PublicApi(v): PublicApi, Path(id): Path<i64>) -> ApiResult<Versioned<Offer>> {
    let o = state.store.read(move |db| offers::get(db, &v, id)).await?;
    Ok(Versioned(o.version, o))
}

/// Creates an offer of organisation `id` (its members, coordinators and administrators).
#[utoipa::path(post, operation_id = "create_directory_offer", path = "/directory/organisations/{id}/offers", params(("id" = i64, Path)),
    request_body = OfferInput, tag = "directory",
    responses((status = 201, body = Offer), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<OfferInput>,
) -> ApiResult<Created<Offer>> {
    let o = state.store.write(move |db| offers::create(db, &v, id, &input)).await?;
    Ok(Created(format!("/api/v1/directory/offers/{}", o.id), o))
}

/// An organisation's offers the caller may read (all of them for its own users).
#[utoipa::path(get, operation_id = "list_organisation_offers", path = "/directory/organisations/{id}/offers", params(("id" = i64, Path)), tag = "directory",
    responses((status = 200, body = Vec<Offer>)))]
pub async fn for_org(State(state): State<AppState>, PublicApi(v): PublicApi, Path(id): Path<i64>) -> ApiResult<Json<Vec<Offer>>> {
    Ok(Json(state.store.read(move |db| offers::for_org(db, &v, id)).await?))
}

/// Replaces an offer's content (schedules included). Send `If-Match`.
#[utoipa::path(put, operation_id = "update_directory_offer", path = "/directory/offers/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = OfferInput, tag = "directory",
    responses((status = 200, body = Offer), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<OfferInput>,
) -> ApiResult<Versioned<Offer>> {
    let o = state.store.write(move |db| offers::update(db, &v, id, Some(version), &input)).await?;
    Ok(Versioned(o.version, o))
}

/// Deletes an offer.
#[utoipa::path(delete, operation_id = "delete_directory_offer", path = "/directory/offers/{id}", params(("id" = i64, Path)), tag = "directory",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| offers::delete(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks the offer's details checked today by the caller.
#[utoipa::path(post, operation_id = "verify_directory_offer", path = "/directory/offers/{id}/verify", params(("id" = i64, Path)), tag = "directory",
    responses((status = 200, body = Offer), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn verify(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<Offer>> {
    let today = brygga_domain::time::today();
    let o = state.store.write(move |db| offers::verify(db, &v, id, today)).await?;
    Ok(Versioned(o.version, o))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrganisationParams {
    /// Only organisations working in this municipality (4 digits).
    municipality: Option<String>,
}

/// The organisations with a public profile, with their number of published offers.
#[utoipa::path(get, operation_id = "list_directory_organisations", path = "/directory/organisations", params(OrganisationParams), tag = "directory",
    responses((status = 200, body = Vec<Listed>)))]
pub async fn organisations(State(state): State<AppState>, ApiQuery(p): ApiQuery<OrganisationParams>) -> ApiResult<Json<Vec<Listed>>> {
    let m = p.municipality;
    Ok(Json(state.store.read(move |db| directory::organisations(db, m.as_deref())).await?))
}

/// An organisation's directory profile (anyone when public; signed-in callers always).
#[utoipa::path(get, operation_id = "get_directory_profile", path = "/directory/organisations/{id}", params(("id" = i64, Path)), tag = "directory",
    responses((status = 200, body = Profile), (status = 404, body = ApiErrorBody)))]
pub async fn get_profile(State(state): State<AppState>, PublicApi(v): PublicApi, Path(id): Path<i64>) -> ApiResult<Json<Profile>> {
    Ok(Json(state.store.read(move |db| profile::get(db, &v, id)).await?))
}

/// Changes the organisation's directory profile and whether it is public.
#[utoipa::path(put, operation_id = "update_directory_profile", path = "/directory/organisations/{id}", params(("id" = i64, Path)),
    request_body = ProfileInput, tag = "directory",
    responses((status = 200, body = Profile), (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_profile(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(state.store.write(move |db| profile::update(db, &v, id, &input)).await?))
}

/// Imports HSDS 3.0 services as the organisation's offers (body: an `organization` object or a
/// list of `service` objects). Unknown fields and taxonomy terms are refused by name; nothing is
/// written unless every service is valid.
#[utoipa::path(post, operation_id = "import_directory_hsds", path = "/directory/organisations/{id}/hsds", params(("id" = i64, Path)),
    request_body(content = serde_json::Value, content_type = "application/json"), tag = "directory",
    responses((status = 200, body = Imported), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn import(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>, body: Bytes) -> ApiResult<Json<Imported>> {
    let text = String::from_utf8(body.to_vec()).map_err(|_| {
        AppError::Invalid(
            brygga_domain::FieldError::new("file", "hsds.utf8", "Filen är inte UTF-8. Spara den som UTF-8 och försök igen.").into(),
        )
    })?;
    Ok(Json(state.store.write(move |db| hsds::import(db, &v, id, &text)).await?))
}

async fn matching(state: &AppState, v: brygga_store::Viewer, p: &FilterInput) -> Result<Vec<Offer>, AppError> {
    let f = filter(p)?;
    Ok(state.store.read(move |db| directory::all(db, &v, &f)).await?)
}

/// The matching published offers as CSV (docs/DIRECTORY-FORMAT.md).
#[utoipa::path(get, operation_id = "export_directory_csv", path = "/directory/export.csv", params(FilterInput), tag = "directory",
    responses((status = 200, content_type = "text/csv", body = String), (status = 422, body = ApiErrorBody)))]
pub async fn export_csv(State(state): State<AppState>, PublicApi(v): PublicApi, ApiQuery(p): ApiQuery<FilterInput>) -> ApiResult<Response> {
    let offers = matching(&state, v, &p).await?;
    Ok(attachment("katalog.csv", "text/csv; charset=utf-8", format!("\u{FEFF}{}", directory::csv(&offers)).into_bytes()))
}

/// The matching published offers with a position as a GeoJSON FeatureCollection (WGS 84).
#[utoipa::path(get, operation_id = "export_directory_geojson", path = "/directory/export.geojson", params(FilterInput), tag = "directory",
    responses((status = 200, content_type = "application/geo+json", body = serde_json::Value), (status = 422, body = ApiErrorBody)))]
pub async fn export_geojson(
    State(state): State<AppState>,
    PublicApi(v): PublicApi,
    ApiQuery(p): ApiQuery<FilterInput>,
) -> ApiResult<Response> {
    let offers = matching(&state, v, &p).await?;
    Ok(attachment("katalog.geojson", "application/geo+json", directory::geojson(&offers).to_string().into_bytes()))
}

/// The matching published offers as HSDS 3.0 `organization` objects with their services.
#[utoipa::path(get, operation_id = "export_directory_hsds", path = "/directory/export.hsds.json", params(FilterInput), tag = "directory",
    responses((status = 200, body = serde_json::Value), (status = 422, body = ApiErrorBody)))]
pub async fn export_hsds(
    State(state): State<AppState>,
    PublicApi(v): PublicApi,
    ApiQuery(p): ApiQuery<FilterInput>,
) -> ApiResult<Response> {
    let offers = matching(&state, v, &p).await?;
    let doc = state.store.read(move |db| hsds::export(db, &offers)).await?;
    Ok(Json(doc).into_response())
}
