//! `/police-events` and `/crime-statistics`: importing and reading the public context of the
//! situation picture. Imports act for the token's organisation (recorded as its batch) and
//! accept at most 20 MB; a file is imported whole or not at all.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use brygga_domain::FieldError;
use brygga_domain::geography::MunicipalityCode;
use brygga_domain::time::IsoWeek;
use brygga_import::police_events::parse_police_events_with;
use brygga_import::tabular::ReadOptions;
use brygga_store::Viewer;
use brygga_store::picture::imports::stats::{self, StatsFile, StatsImported, StatsKind, StatsOutcome};
use brygga_store::picture::imports::{self, MAX_UPLOAD_BYTES};
use brygga_store::picture::police_events::{self, EventsFile, ImportSummary, PoliceEvent};
use brygga_store::picture::statistics::{self, CrimeStatistic, CrimeStatsImport};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::{UtoipaMethodRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiError, ApiErrorBody, ApiResult, AppError, FieldProblem};
use crate::kit::json::ApiQuery;
use crate::kit::upload::{UPLOAD_BODY_LIMIT, UploadProblem, read_body};

/// `/police-events`: list and import (route and OpenAPI operations), with the import body limit.
pub fn police_events() -> UtoipaMethodRouter<AppState> {
    routes!(list_police_events, import_police_events).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
}

/// `/crime-statistics`: list and import, with the import body limit.
pub fn crime_statistics() -> UtoipaMethodRouter<AppState> {
    routes!(list_crime_statistics, import_crime_statistics).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
}

/// `413` with the limit named, in the API's error shape.
fn too_large(problem: UploadProblem) -> Response {
    let message = problem.body_message();
    let body = ApiErrorBody {
        code: "payload_too_large".into(),
        message: message.clone(),
        field: Some("body".into()),
        errors: vec![FieldProblem { field: "body".into(), code: "import.too_large".into(), message }],
    };
    (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response()
}

/// Reads the body, refusing one over the limit with a message that says so.
async fn body(state: &AppState, req: Request) -> Result<Bytes, Response> {
    read_body(state, req).await.map_err(too_large)
}

/// The one organisation an API token acts for.
fn token_org(v: &Viewer) -> Result<i64, ApiError> {
    match v.org_ids().as_slice() {
        [one] => Ok(*one),
        _ => Err(AppError::Forbidden.into()),
    }
}

/// Imports the police's events feed (the JSON array `/api/events` returns, unchanged). Events
/// are stored by the police's id: one already stored counts as a duplicate. Elements that
/// cannot be read are listed in `rejected` with the field at fault; the rest are imported.
#[utoipa::path(post, operation_id = "import_police_events", path = "/police-events", tag = "imports",
    request_body(content = Vec<Object>, content_type = "application/json", description = "The police events API's JSON array: id, datetime, name, summary, url, type, location.name, location.gps"),
    responses((status = 200, body = ImportSummary), (status = 403, body = ApiErrorBody), (status = 413, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody, description = "Not JSON, or not an array")))]
pub async fn import_police_events(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    req: Request,
) -> Result<Json<ImportSummary>, Response> {
    let org = token_org(&v).map_err(IntoResponse::into_response)?;
    let bytes = body(&state, req).await?;
    let sha = imports::file_sha256(&bytes);
    let parsed = tokio::task::spawn_blocking(move || parse_police_events_with(&bytes, &ReadOptions { max_bytes: MAX_UPLOAD_BYTES }))
        .await
        .map_err(|e| ApiError(AppError::Internal(e.to_string())).into_response())?
        .map_err(|e| ApiError(AppError::Invalid(FieldError::new("body", "import.file", e.to_string()).into())).into_response())?;
    let summary = state
        .store
        .write(move |db| police_events::import(db, &v, Some(org), EventsFile { file_name: None, sha256: &sha, parsed }))
        .await
        .map_err(|e| ApiError::from(e).into_response())?;
    Ok(Json(summary))
}

/// Imports monthly reported crimes per municipality and offence: CSV (or an Excel workbook)
/// as the national statistics database exports it — Swedish or English headers, `;` or `,`,
/// decimal commas, `..` for suppressed values (stored as null, never 0), a BOM, UTF-8 or
/// Windows-1252. All rows or none: row errors come back as `row:<n>:<column>` fields. A value
/// imported earlier for the same municipality, month and offence is replaced; the very same
/// file twice is refused (`import.same_file`).
#[utoipa::path(post, operation_id = "import_crime_statistics", path = "/crime-statistics", tag = "imports",
    request_body(content = String, content_type = "text/csv", description = "Region;År;Månad;Brottstyp;Antal"),
    responses((status = 201, body = CrimeStatsImport), (status = 403, body = ApiErrorBody), (status = 413, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody, description = "The file or some rows are wrong; nothing was imported")))]
pub async fn import_crime_statistics(State(state): State<AppState>, ApiAuth(v): ApiAuth, req: Request) -> Result<Response, Response> {
    let org = token_org(&v).map_err(IntoResponse::into_response)?;
    let bytes = body(&state, req).await?;
    let file = StatsFile { name: None, bytes: bytes.to_vec() };
    let result = stats::import_stats_file(&state.store, &v, StatsKind::CrimeStatistics { org_id: org }, file)
        .await
        .map_err(|e| ApiError::from(e).into_response())?;
    match result {
        Ok(StatsOutcome { imported: StatsImported::CrimeStatistics(done), .. }) => Ok((StatusCode::CREATED, Json(done)).into_response()),
        Ok(StatsOutcome { imported: StatsImported::SafetySurvey(_), .. }) => {
            Err(ApiError(AppError::Internal("a crime statistics file stored as a survey".into())).into_response())
        }
        Err(r) => Err(ApiError(AppError::Invalid(r.field_errors())).into_response()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Four-digit municipality code, e.g. `1287`.
    municipality: Option<String>,
    /// Two-digit county code, e.g. `12`: every event in the county.
    county: Option<String>,
    /// With `municipality`: also events filed under its whole county (e.g. "Skåne län").
    #[serde(default)]
    include_county_wide: bool,
    /// First ISO week, e.g. `2024-W47`.
    from_week: Option<String>,
    /// Last ISO week (inclusive).
    to_week: Option<String>,
    /// Only this police event type, e.g. `Skadegörelse`.
    event_type: Option<String>,
    /// At most this many, newest first (default 500, at most 5000).
    limit: Option<usize>,
}

fn week(field: &str, raw: Option<&str>) -> Result<Option<IsoWeek>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => IsoWeek::parse(s).map(Some).map_err(|mut e| {
            e.field = field.to_owned();
            ApiError(AppError::Invalid(e.into()))
        }),
    }
}

/// Stored police events, newest first. `centroid` is the municipality's or county's centre
/// (see `precision`), never the scene: draw the area, not a point.
#[utoipa::path(get, operation_id = "list_police_events", path = "/police-events", params(EventParams), tag = "imports",
    responses((status = 200, body = Vec<PoliceEvent>), (status = 422, body = ApiErrorBody)))]
pub async fn list_police_events(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiQuery(p): ApiQuery<EventParams>,
) -> ApiResult<Json<Vec<PoliceEvent>>> {
    let municipality = match p.municipality.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(m) => Some(
            MunicipalityCode::parse(m)
                .map_err(|e| {
                    AppError::Invalid(
                        FieldError::new("municipality", e.code(), format!("{e} Skriv kommunkoden med fyra siffror, till exempel 1287."))
                            .into(),
                    )
                })?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    let filter = police_events::Filter {
        municipality,
        county: p.county.filter(|c| !c.trim().is_empty()),
        include_county_wide: p.include_county_wide,
        from_week: week("from_week", p.from_week.as_deref())?,
        to_week: week("to_week", p.to_week.as_deref())?,
        event_type: p.event_type.filter(|t| !t.trim().is_empty()),
        limit: p.limit,
    };
    Ok(Json(state.store.read(move |db| police_events::list(db, &v, &filter)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsParams {
    /// Four-digit municipality code, e.g. `1287`.
    municipality: String,
    /// First month, `2024-01`.
    from: Option<String>,
    /// Last month (inclusive), `2024-12`.
    to: Option<String>,
}

fn month(field: &str, raw: Option<&str>) -> Result<Option<(i64, i64)>, ApiError> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    // The domain's month rule (years 1900–2100), with this endpoint's field name.
    match brygga_domain::time::parse_month(field, s) {
        Ok(d) => Ok(Some((i64::from(d.year()), i64::from(d.month())))),
        Err(e) => Err(AppError::Invalid(e.into()).into()),
    }
}

/// Monthly reported crimes for a municipality, by month and offence (`count` null: suppressed
/// in the source).
#[utoipa::path(get, operation_id = "list_crime_statistics", path = "/crime-statistics", params(StatisticsParams), tag = "imports",
    responses((status = 200, body = Vec<CrimeStatistic>), (status = 422, body = ApiErrorBody)))]
pub async fn list_crime_statistics(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiQuery(p): ApiQuery<StatisticsParams>,
) -> ApiResult<Json<Vec<CrimeStatistic>>> {
    let m = MunicipalityCode::parse(p.municipality.trim()).map_err(|e| {
        AppError::Invalid(
            FieldError::new("municipality", e.code(), format!("{e} Skriv kommunkoden med fyra siffror, till exempel 1287.")).into(),
        )
    })?;
    let (from, to) = (month("from", p.from.as_deref())?, month("to", p.to.as_deref())?);
    let code = m.as_str();
    Ok(Json(state.store.read(move |db| statistics::crime_statistics(db, &v, code, from, to)).await?))
}
