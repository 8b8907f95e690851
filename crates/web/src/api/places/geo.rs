//! `/counties`, `/municipalities`, `/police-areas`: reference geography.

use axum::Json;
use axum::extract::State;
use brygga_domain::geography;
use brygga_store::places::geography::{self as geo, PoliceArea};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::ApiResult;
use crate::kit::json::ApiQuery;

#[derive(Serialize, ToSchema)]
pub struct County {
    /// Two digits, e.g. `12`.
    code: &'static str,
    name: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Municipality {
    /// Four digits, e.g. `1287`.
    code: &'static str,
    name: &'static str,
    county_code: &'static str,
}

/// The 21 counties.
#[utoipa::path(get, operation_id = "list_counties", path = "/counties", tag = "geography", responses((status = 200, body = Vec<County>)))]
pub async fn counties(ApiAuth(_): ApiAuth) -> Json<Vec<County>> {
    Json(geography::counties().iter().map(|c| County { code: c.code, name: c.name }).collect())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MunicipalityParams {
    /// Only this county (two digits).
    county: Option<String>,
}

/// The 290 municipalities, by code.
#[utoipa::path(get, operation_id = "list_municipalities", path = "/municipalities", params(MunicipalityParams), tag = "geography", responses((status = 200, body = Vec<Municipality>)))]
pub async fn municipalities(ApiAuth(_): ApiAuth, ApiQuery(p): ApiQuery<MunicipalityParams>) -> Json<Vec<Municipality>> {
    Json(
        geography::municipalities()
            .iter()
            .filter(|m| p.county.as_deref().is_none_or(|c| m.county_code == c))
            .map(|m| Municipality { code: m.code, name: m.name, county_code: m.county_code })
            .collect(),
    )
}

/// Local police areas and their municipalities.
#[utoipa::path(get, operation_id = "list_police_areas", path = "/police-areas", tag = "geography", responses((status = 200, body = Vec<PoliceArea>)))]
pub async fn police_areas(State(state): State<AppState>, ApiAuth(_): ApiAuth) -> ApiResult<Json<Vec<PoliceArea>>> {
    Ok(Json(state.store.read(geo::list_police_areas).await?))
}
