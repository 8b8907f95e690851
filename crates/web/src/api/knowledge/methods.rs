//! `/methods…`: the API twins of the method library pages — public reads (no token needed),
//! writes for system administrators and county boards' coordinators.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use brygga_store::actors::interventions::{self, ListFilter};
use brygga_store::knowledge::ideas;
use brygga_store::knowledge::methods::{self, Method, MethodInput};
use brygga_store::plans::measures::{self, MethodUse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::kit::auth::{ApiAuth, PublicApi};
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::json::{ApiJson, Created, IfMatch, Versioned};

/// Every method of the library, by Swedish name order. Public.
#[utoipa::path(get, operation_id = "list_methods", path = "/methods", tag = "knowledge",
    responses((status = 200, body = Vec<Method>)))]
pub async fn list(State(state): State<AppState>, PublicApi(v): PublicApi) -> ApiResult<Json<Vec<Method>>> {
    Ok(Json(state.store.read(move |db| methods::list(db, &v)).await?))
}

/// Adds a method with its EMMIE rating and sources (system administrators and county boards'
/// coordinators).
#[utoipa::path(post, operation_id = "create_method", path = "/methods", request_body = MethodInput, tag = "knowledge",
    responses((status = 201, body = Method), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<MethodInput>,
) -> ApiResult<Created<Method>> {
    let m = state.store.write(move |db| methods::create(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/methods/{}", m.id), m))
}

/// One method. `ETag`: the version. Public.
#[utoipa::path(get, operation_id = "get_method", path = "/methods/{id}", params(("id" = i64, Path)), tag = "knowledge",
    responses((status = 200, body = Method), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, PublicApi(v): PublicApi, Path(id): Path<i64>) -> ApiResult<Versioned<Method>> {
    let m = state.store.read(move |db| methods::get(db, &v, id)).await?;
    Ok(Versioned(m.version, m))
}

/// Changes a method. Send `If-Match`.
#[utoipa::path(put, operation_id = "update_method", path = "/methods/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = MethodInput, tag = "knowledge",
    responses((status = 200, body = Method), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<MethodInput>,
) -> ApiResult<Versioned<Method>> {
    let m = state.store.write(move |db| methods::update(db, &v, id, version, &input)).await?;
    Ok(Versioned(m.version, m))
}

/// Deletes a method; measures, interventions and examples keep their text and lose the link.
#[utoipa::path(delete, operation_id = "delete_method", path = "/methods/{id}", params(("id" = i64, Path)), tag = "knowledge",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| methods::delete(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An intervention that follows the method (readable to the caller).
#[derive(Debug, Serialize, ToSchema)]
pub struct InterventionUse {
    pub id: i64,
    pub title: String,
    pub owner: String,
}

/// A good example that names the method (readable to the caller).
#[derive(Debug, Serialize, ToSchema)]
pub struct ExampleUse {
    pub id: i64,
    pub title: String,
    pub owner: String,
}

/// Where a method is in use, as far as the caller may read.
#[derive(Debug, Serialize, ToSchema)]
pub struct Usage {
    pub interventions: Vec<InterventionUse>,
    pub measures: Vec<MethodUse>,
    pub examples: Vec<ExampleUse>,
}

/// Where the method is in use: interventions, plan measures and good examples the caller may
/// read (each by its own read rule). Anonymous callers see public ones only.
#[utoipa::path(get, operation_id = "method_usage", path = "/methods/{id}/usage", params(("id" = i64, Path)), tag = "knowledge",
    responses((status = 200, body = Usage), (status = 404, body = ApiErrorBody)))]
pub async fn usage(State(state): State<AppState>, PublicApi(v): PublicApi, Path(id): Path<i64>) -> ApiResult<Json<Usage>> {
    let u = state
        .store
        .read(move |db| {
            methods::get(db, &v, id)?;
            let f = ListFilter { method_id: Some(id), ..Default::default() };
            Ok(Usage {
                interventions: interventions::list(db, &v, &f)?
                    .into_iter()
                    .map(|i| InterventionUse { id: i.id, title: i.title, owner: i.owner.name })
                    .collect(),
                measures: measures::using_method(db, &v, id)?,
                examples: ideas::list_examples(db, &v, Some(id))?
                    .into_iter()
                    .map(|e| ExampleUse { id: e.id, title: e.title, owner: e.owner.name })
                    .collect(),
            })
        })
        .await?;
    Ok(Json(u))
}
