//! `/interventions…`: the API twins of the intervention pages — the register of ongoing
//! interventions, its overlap hints and the helhetsbild of a municipality — the same store
//! functions, the same rules.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use brygga_store::actors::interventions::{self, Intervention, InterventionInput, ListFilter};
use brygga_store::actors::overlap::{self, Hint};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::json::{ApiJson, ApiQuery, Created, IfMatch, Versioned};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only those running in this municipality (4 digits).
    municipality: Option<String>,
    /// Only those naming this area.
    area_id: Option<i64>,
    /// Only those owned by this organisation.
    owner_org_id: Option<i64>,
    /// `true`: leave out ended ones.
    current: Option<bool>,
    /// Only those following this library method.
    method_id: Option<i64>,
}

/// The interventions the caller may read (its organisations', its partners', shared with its
/// forums, public), by Swedish title order.
#[utoipa::path(get, operation_id = "list_interventions", path = "/interventions", params(ListParams), tag = "interventions",
    responses((status = 200, body = Vec<Intervention>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<Intervention>>> {
    let f = ListFilter {
        municipality: p.municipality,
        area_id: p.area_id,
        owner_org_id: p.owner_org_id,
        current: p.current.unwrap_or(false),
        method_id: p.method_id,
    };
    Ok(Json(state.store.read(move |db| interventions::list(db, &v, &f)).await?))
}

/// Registers an intervention owned by `owner_org_id` (an organisation the caller acts for,
/// member or above) and refreshes its overlap hints.
#[utoipa::path(post, operation_id = "create_intervention", path = "/interventions", request_body = InterventionInput, tag = "interventions",
    responses((status = 201, body = Intervention), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<InterventionInput>,
) -> ApiResult<Created<Intervention>> {
    let i = state.store.write(move |db| interventions::create(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/interventions/{}", i.id), i))
}

/// One intervention. `ETag`: the version. Another organisation's unshared one is 404.
#[utoipa::path(get, operation_id = "get_intervention", path = "/interventions/{id}", params(("id" = i64, Path)), tag = "interventions",
    responses((status = 200, body = Intervention), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<Intervention>> {
    let i = state.store.read(move |db| interventions::get(db, &v, id)).await?;
    Ok(Versioned(i.version, i))
}

/// Changes an intervention (the owner's users) and refreshes its hints. Send `If-Match`.
#[utoipa::path(put, operation_id = "update_intervention", path = "/interventions/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = InterventionInput, tag = "interventions",
    responses((status = 200, body = Intervention), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<InterventionInput>,
) -> ApiResult<Versioned<Intervention>> {
    let i = state.store.write(move |db| interventions::edit(db, &v, id, version, &input)).await?;
    Ok(Versioned(i.version, i))
}

/// Deletes an intervention (the owner's users); its hints go with it.
#[utoipa::path(delete, operation_id = "delete_intervention", path = "/interventions/{id}", params(("id" = i64, Path)), tag = "interventions",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| interventions::delete(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The overlap hints of the caller's organisations' interventions, best first. Where the other
/// intervention is not readable to the caller, `other` is null and the hint says only that an
/// overlap exists, with `discovered` (owner and contact) when its owner allowed discovery.
#[utoipa::path(get, operation_id = "list_overlap_hints", path = "/interventions/overlaps", tag = "interventions",
    responses((status = 200, body = Vec<Hint>)))]
pub async fn hints(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Vec<Hint>>> {
    Ok(Json(state.store.read(move |db| overlap::hints(db, &v, None)).await?))
}

/// The overlap hints of one of the caller's interventions.
#[utoipa::path(get, operation_id = "list_intervention_overlaps", path = "/interventions/{id}/overlaps", params(("id" = i64, Path)), tag = "interventions",
    responses((status = 200, body = Vec<Hint>), (status = 404, body = ApiErrorBody)))]
pub async fn hints_of(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<Hint>>> {
    Ok(Json(
        state
            .store
            .read(move |db| {
                interventions::get(db, &v, id)?;
                overlap::hints(db, &v, Some(id))
            })
            .await?,
    ))
}

/// A pair of interventions in an overview that overlap (both readable to the caller).
#[derive(Debug, Serialize, ToSchema)]
pub struct Pair {
    pub low_id: i64,
    pub high_id: i64,
    pub score: i64,
}

/// The helhetsbild of a municipality: what goes on there that the caller may read, and which
/// of those overlap.
#[derive(Debug, Serialize, ToSchema)]
pub struct Overview {
    pub municipality_code: String,
    pub interventions: Vec<Intervention>,
    pub overlaps: Vec<Pair>,
}

/// The helhetsbild of a municipality (current interventions only).
#[utoipa::path(get, operation_id = "intervention_overview", path = "/interventions/overview/{municipality}", params(("municipality" = String, Path)), tag = "interventions",
    responses((status = 200, body = Overview)))]
pub async fn overview(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(municipality): Path<String>) -> ApiResult<Json<Overview>> {
    let code = municipality.clone();
    let (list, pairs) = state
        .store
        .read(move |db| {
            let f = ListFilter { municipality: Some(code), current: true, ..Default::default() };
            let list = interventions::list(db, &v, &f)?;
            let ids: Vec<i64> = list.iter().map(|i| i.id).collect();
            let pairs = overlap::pairs_among(db, &ids)?;
            Ok((list, pairs))
        })
        .await?;
    Ok(Json(Overview {
        municipality_code: municipality,
        interventions: list,
        overlaps: pairs.into_iter().map(|(low_id, high_id, score)| Pair { low_id, high_id, score }).collect(),
    }))
}
