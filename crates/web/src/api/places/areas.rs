//! `/areas`: a municipality's places. Reading is open to every caller; writing needs a
//! coordinator of an organisation working in the municipality (the same rule as the pages).
//! Places are sent as GeoJSON Features (WGS84 or SWEREF 99 TM, see `crs`) and served as JSON
//! records or as a GeoJSON FeatureCollection (WGS84).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use brygga_domain::geography::{self, MunicipalityCode};
use brygga_domain::geometry::{self, Check, CrsChoice};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::places::areas::{self, Area, AreaFields, NewArea};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::kit::area_import::preview;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult, AppError, off_runtime};
use crate::kit::json::{ApiJson, ApiQuery, Created, IfMatch, Versioned};

/// A GeoJSON Feature: `geometry` a Point, Polygon or MultiPolygon; `properties.name`
/// (required), `properties.kind` (a kind code such as `park`, `square`, `district`),
/// `properties.parent_id` (the place it lies in) and, when creating,
/// `properties.municipality_code`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object, example = json!({"type": "Feature", "properties": {"name": "Stortorget", "kind": "square", "municipality_code": "1287"}, "geometry": {"type": "Point", "coordinates": [13.1566, 55.3751]}}))]
pub struct AreaFeature(Value);

/// A GeoJSON FeatureCollection of places: each feature's `properties.name` (or `namn`),
/// optional `kind` (or `typ`) and `parent` (or `inom`: the name of the place it lies in, an
/// existing one or another in the file).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct FeatureCollection(Value);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Four-digit municipality code, e.g. `1287`.
    municipality: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CrsParams {
    /// The coordinate system of the geometry: `auto` (default; by magnitude and the GeoJSON
    /// `crs` member), `wgs84` (EPSG:4326) or `sweref99tm` (EPSG:3006).
    crs: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Four-digit municipality code.
    municipality: String,
    /// `auto`, `wgs84` or `sweref99tm`.
    crs: Option<String>,
    /// Check and report what would be created, without writing.
    #[serde(default)]
    dry_run: bool,
}

/// One place an import creates (or would create).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedArea {
    /// 1-based position in the file.
    index: usize,
    name: String,
    kind: String,
    parent: Option<String>,
    /// `Punkt`, `Område`, `Område i N delar`.
    form: String,
    /// Adjustments made (e.g. a ring closed).
    notes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    dry_run: bool,
    planned: Vec<PlannedArea>,
    /// The places created (empty on a dry run).
    created: Vec<Area>,
}

fn municipality(code: &str, field: &str) -> Result<MunicipalityCode, AppError> {
    MunicipalityCode::parse(code.trim()).map_err(|e| {
        AppError::Invalid(
            FieldError::new(field, e.code(), format!("Okänd kommunkod ”{}”: {e}. Ange fyra siffror, till exempel 1287.", code.trim()))
                .into(),
        )
    })
}

fn crs_of(p: Option<&str>) -> Result<CrsChoice, AppError> {
    CrsChoice::parse(p.unwrap_or("")).map_err(|f| AppError::Invalid(FieldError::new("crs", f.code, f.message).into()))
}

/// Reads a Feature into a place: properties and geometry, all problems together.
fn read_feature(body: &Value, muni: MunicipalityCode, crs: CrsChoice, owner: i64) -> Result<NewArea, AppError> {
    let mut errs = FieldErrors::new();
    if body.get("type").and_then(Value::as_str) != Some("Feature") {
        errs.push(FieldError::new(
            "type",
            "geojson.feature",
            "Skicka en GeoJSON Feature: {\"type\": \"Feature\", \"properties\": {…}, \"geometry\": {…}}.",
        ));
        return Err(AppError::Invalid(errs));
    }
    let props = body.get("properties").cloned().unwrap_or(Value::Null);
    let text = |k: &str| props.get(k).and_then(Value::as_str).map(str::to_owned);
    let parent_id = match props.get("parent_id") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(id) => Some(id),
            None => {
                errs.push(FieldError::new(
                    "properties.parent_id",
                    "parent_id.invalid",
                    "parent_id ska vara ett heltal (id för platsen den ligger i) eller null.",
                ));
                None
            }
        },
    };
    let fields = AreaFields {
        name: text("name").or_else(|| text("namn")).unwrap_or_default(),
        kind: text("kind").or_else(|| text("typ")),
        parent_id,
    };
    let named = match fields.validate() {
        Ok(nk) => Some(nk),
        Err(e) => {
            errs.0.extend(e.0.into_iter().map(|f| FieldError::new(format!("properties.{}", f.field), f.code, f.message)));
            None
        }
    };
    let check = Check::municipality(muni.municipality());
    let geometry = match body.get("geometry") {
        None | Some(Value::Null) => {
            errs.push(FieldError::new("geometry", "geometry.missing", "Featuren saknar geometry (Point, Polygon eller MultiPolygon)."));
            None
        }
        Some(g) => {
            // Keep the Feature's own `crs` member, if any, beside the geometry.
            let doc = match body.get("crs") {
                Some(c) => serde_json::json!({"type": "Feature", "crs": c, "geometry": g}),
                None => g.clone(),
            };
            match geometry::parse_geometry(&doc.to_string(), crs, &check) {
                Ok(v) => Some(v),
                Err(faults) => {
                    errs.0.extend(faults.into_iter().map(|f| FieldError::new("geometry", f.code, f.message)));
                    None
                }
            }
        }
    };
    match (named, geometry) {
        (Some((name, kind)), Some(v)) if errs.is_empty() => {
            Ok(NewArea { municipality: muni, parent_id, name, kind, geometry: v.geometry, owner_org_id: owner })
        }
        _ => Err(AppError::Invalid(errs)),
    }
}

/// The places of a municipality, parents before children.
#[utoipa::path(get, operation_id = "list_areas", path = "/areas", params(ListParams), tag = "areas",
    responses((status = 200, body = Vec<Area>), (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiAuth(v): ApiAuth, ApiQuery(p): ApiQuery<ListParams>) -> ApiResult<Json<Vec<Area>>> {
    let m = municipality(&p.municipality, "municipality")?;
    Ok(Json(state.store.read(move |db| areas::list(db, &v, m.as_str())).await?))
}

/// The places of a municipality as a GeoJSON FeatureCollection (WGS84); properties `id`,
/// `name`, `kind`, `kind_label`, `parent` (name), `parent_id`, `version`. The same file can
/// be imported into another installation.
#[utoipa::path(get, operation_id = "export_areas_geojson", path = "/areas/geojson", params(ListParams), tag = "areas",
    responses((status = 200, body = FeatureCollection, content_type = "application/geo+json"), (status = 422, body = ApiErrorBody)))]
pub async fn export(State(state): State<AppState>, ApiAuth(v): ApiAuth, ApiQuery(p): ApiQuery<ListParams>) -> ApiResult<Response> {
    let m = municipality(&p.municipality, "municipality")?;
    let doc = state.store.read(move |db| areas::export_geojson(db, &v, m.as_str())).await?;
    let mut resp = Json(doc).into_response();
    resp.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/geo+json"));
    Ok(resp)
}

/// Creates a place from a GeoJSON Feature; `properties.municipality_code` says where.
#[utoipa::path(post, operation_id = "create_area", path = "/areas", params(CrsParams), request_body = AreaFeature, tag = "areas",
    responses((status = 201, body = Area), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody, description = "Every problem, with the field (properties.name, geometry, …) and a Swedish explanation")))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiQuery(p): ApiQuery<CrsParams>,
    ApiJson(AreaFeature(body)): ApiJson<AreaFeature>,
) -> ApiResult<Created<Area>> {
    let crs = crs_of(p.crs.as_deref())?;
    let code = body.pointer("/properties/municipality_code").and_then(Value::as_str).unwrap_or("").to_owned();
    if code.trim().is_empty() {
        return Err(AppError::Invalid(
            FieldError::new(
                "properties.municipality_code",
                "required",
                "Ange kommunen i properties.municipality_code, till exempel \"1287\".",
            )
            .into(),
        )
        .into());
    }
    let m = municipality(&code, "properties.municipality_code")?;
    let vv = v.clone();
    let owner = state.store.read(move |db| areas::owner_for(db, &vv, m)).await?;
    let a = off_runtime(move || read_feature(&body, m, crs, owner)).await??;
    let area = state.store.write(move |db| areas::create(db, &v, &a)).await?;
    Ok(Created(format!("/api/v1/areas/{}", area.id), area))
}

/// One place. The `ETag` header carries its version.
#[utoipa::path(get, operation_id = "get_area", path = "/areas/{id}", params(("id" = i64, Path)), tag = "areas",
    responses((status = 200, body = Area), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<Area>> {
    let a = state.store.read(move |db| areas::get(db, &v, id)).await?;
    Ok(Versioned(a.version, a))
}

/// Replaces a place's name, kind, parent and geometry from a GeoJSON Feature. Send
/// `If-Match` with the version from `ETag`. A place stays in its municipality.
#[utoipa::path(put, operation_id = "update_area", path = "/areas/{id}", params(("id" = i64, Path), ("If-Match" = String, Header, description = "The version from ETag, e.g. \"3\""), CrsParams),
    request_body = AreaFeature, tag = "areas",
    responses((status = 200, body = Area), (status = 409, body = ApiErrorBody, description = "Changed by someone else since you read it"), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiQuery(p): ApiQuery<CrsParams>,
    ApiJson(AreaFeature(body)): ApiJson<AreaFeature>,
) -> ApiResult<Versioned<Area>> {
    let crs = crs_of(p.crs.as_deref())?;
    let vv = v.clone();
    let before = state.store.read(move |db| areas::get(db, &vv, id)).await?;
    let m = municipality(&before.municipality_code, "municipality")?;
    let target = match body.pointer("/properties/municipality_code").and_then(Value::as_str) {
        Some(c) => municipality(c, "properties.municipality_code")?,
        None => m,
    };
    let owner = before.owner_org_id;
    let a = off_runtime(move || read_feature(&body, target, crs, owner)).await??;
    let area = state.store.write(move |db| areas::update(db, &v, id, version, &a)).await?;
    Ok(Versioned(area.version, area))
}

/// Deletes a place; its sub-places move up to its parent. A place that reports, alerts, actions
/// or survey rows refer to is archived instead (kept for them and in old pictures, no longer
/// offered for new records): the answer is the same 204, and `GET` shows `archived_at_ms`.
/// Only coordinators of the owning organisation or of the municipality's own organisation may.
#[utoipa::path(delete, operation_id = "delete_area", path = "/areas/{id}", params(("id" = i64, Path)), tag = "areas",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| areas::delete(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports a FeatureCollection: every feature is checked (geometry, name, kind, parent), and
/// either all are created in one transaction or none. Problems name the feature as
/// `features[i]` with its number and name in the message. `dry_run=true` only checks.
#[utoipa::path(post, operation_id = "import_areas", path = "/areas/import", params(ImportParams), request_body = FeatureCollection, tag = "areas",
    responses((status = 201, body = ImportResult), (status = 200, body = ImportResult, description = "Dry run: nothing written"),
        (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody, description = "Nothing was imported; each problem names its feature")))]
pub async fn import(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiQuery(p): ApiQuery<ImportParams>,
    ApiJson(FeatureCollection(body)): ApiJson<FeatureCollection>,
) -> ApiResult<Response> {
    let m = municipality(&p.municipality, "municipality")?;
    let crs = crs_of(p.crs.as_deref())?;
    brygga_store::kernel::access::require(&v, brygga_store::Action::ManageAreas { municipality: m }).map_err(AppError::from)?;
    let muni = geography::municipality(m.as_str()).ok_or(AppError::NotFound)?;
    let pv = preview(&state, &v, muni, &body.to_string(), crs).await.map_err(|e| match e {
        AppError::Invalid(errs) => AppError::Invalid(FieldErrors(
            errs.0.into_iter().map(|f| if f.field == "geojson" { FieldError::new("body", f.code, f.message) } else { f }).collect(),
        )),
        other => other,
    })?;
    if !pv.errors.is_empty() {
        return Err(AppError::Invalid(pv.errors).into());
    }
    let planned: Vec<PlannedArea> = pv
        .rows
        .iter()
        .map(|r| PlannedArea {
            index: r.index,
            name: r.name.clone(),
            kind: r.kind.clone(),
            parent: Some(r.parent.clone()).filter(|p| !p.is_empty()),
            form: r.form.clone(),
            notes: r.notes.clone(),
        })
        .collect();
    if p.dry_run {
        return Ok(Json(ImportResult { dry_run: true, planned, created: vec![] }).into_response());
    }
    let items = pv.items;
    let created = state.store.write(move |db| areas::create_many(db, &v, m, &items)).await?;
    Ok((StatusCode::CREATED, Json(ImportResult { dry_run: false, planned, created })).into_response())
}
