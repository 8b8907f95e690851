//! `/contact-roles`, `/counties/{county}/contact-coverage`, `/municipalities/{code}/counterparts`,
//! `/counties/{county}/counterparts[.csv]`, `/counterparts/import`, `/municipalities/{code}/guide…`,
//! `/guide-entries/{id}`: the API twins of the counterparts, coverage and guide pages. Reads that
//! anyone may make work without a token (and then show what an anonymous visitor sees).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use brygga_store::StoreError;
use brygga_store::accounts::contacts::roles::{self, ContactRole, RoleInput};
use brygga_store::actors::counterparts::{self, Counterparts, CounterpartsInput, DivisionRow};
use brygga_store::actors::coverage::{self, CoverageReport};
use brygga_store::actors::guide::{self, Entry, EntryInput, Guide, GuideInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::kit::auth::{ApiAuth, PublicApi};
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::export::{Cell, table_csv};
use crate::kit::json::{ApiJson, ApiQuery, Created, IfMatch, Versioned};
use crate::kit::options::municipality_in_path;

/// Every contact-person role, in Swedish order. No token needed.
#[utoipa::path(get, operation_id = "list_contact_roles", path = "/contact-roles", tag = "actors", security((), ("token" = [])),
    responses((status = 200, body = Vec<ContactRole>)))]
pub async fn list_roles(State(state): State<AppState>) -> ApiResult<Json<Vec<ContactRole>>> {
    Ok(Json(state.store.read(roles::list).await?))
}

/// Adds a role (coordinators of a county board, or a system administrator).
#[utoipa::path(post, operation_id = "create_contact_role", path = "/contact-roles", request_body = RoleInput, tag = "actors",
    responses((status = 201, body = ContactRole), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_role(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<RoleInput>,
) -> ApiResult<Created<ContactRole>> {
    let r = state.store.write(move |db| roles::create(db, &v, &input)).await?;
    Ok(Created("/api/v1/contact-roles".into(), r))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageParams {
    /// Only this role's code.
    role: Option<String>,
}

/// For each role, the county's municipalities with a contact person at kommun level and those
/// without, counted over the contact persons the caller may read (without a token: public ones).
#[utoipa::path(get, operation_id = "contact_coverage", path = "/counties/{county}/contact-coverage", params(("county" = String, Path), CoverageParams),
    tag = "actors", security((), ("token" = [])), responses((status = 200, body = CoverageReport), (status = 404, body = ApiErrorBody)))]
pub async fn coverage(
    State(state): State<AppState>,
    PublicApi(v): PublicApi,
    Path(county): Path<String>,
    ApiQuery(p): ApiQuery<CoverageParams>,
) -> ApiResult<Json<CoverageReport>> {
    Ok(Json(state.store.read(move |db| coverage::report(db, &v, &county, p.role.as_deref())).await?))
}

/// A municipality's divisions (county, local police area, police region, health region, the
/// Prison and Probation Service's region and office), the organisations working there and the
/// contact persons the caller may read. `ETag`: the divisions' version (0 before any).
#[utoipa::path(get, operation_id = "get_counterparts", path = "/municipalities/{code}/counterparts", params(("code" = String, Path)),
    tag = "actors", security((), ("token" = [])), responses((status = 200, body = Counterparts), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, PublicApi(v): PublicApi, Path(code): Path<String>) -> ApiResult<Versioned<Counterparts>> {
    let m = municipality_in_path(&code)?;
    let c = state.store.read(move |db| counterparts::get(db, &v, &m)).await?;
    Ok(Versioned(c.version, c))
}

/// Changes a municipality's divisions (a system administrator, or the county board's
/// coordinators for a municipality it works in). Send `If-Match` (`"0"` before any).
#[utoipa::path(put, operation_id = "update_counterparts", path = "/municipalities/{code}/counterparts", params(("code" = String, Path), ("If-Match" = String, Header)),
    request_body = CounterpartsInput, tag = "actors",
    responses((status = 200, body = Counterparts), (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(code): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<CounterpartsInput>,
) -> ApiResult<Versioned<Counterparts>> {
    let m = municipality_in_path(&code)?;
    let valid = input.validate(m).map_err(StoreError::Invalid)?;
    let c = state.store.write(move |db| counterparts::update(db, &v, version, &valid)).await?;
    Ok(Versioned(c.version, c))
}

/// Every municipality of a county with its divisions, in Swedish name order.
#[utoipa::path(get, operation_id = "county_counterparts", path = "/counties/{county}/counterparts", params(("county" = String, Path)),
    tag = "actors", security((), ("token" = [])), responses((status = 200, body = Vec<DivisionRow>), (status = 404, body = ApiErrorBody)))]
pub async fn county(State(state): State<AppState>, Path(county): Path<String>) -> ApiResult<Json<Vec<DivisionRow>>> {
    Ok(Json(state.store.read(move |db| counterparts::list_county(db, &county)).await?))
}

/// The same as CSV with the import's header (`municipality_code,health_region,probation_region,probation_office`),
/// so a file exported here can be edited and imported again.
#[utoipa::path(get, operation_id = "county_counterparts_csv", path = "/counties/{county}/counterparts.csv", params(("county" = String, Path)),
    tag = "actors", security((), ("token" = [])), responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ApiErrorBody)))]
pub async fn county_csv(State(state): State<AppState>, Path(county): Path<String>) -> ApiResult<Response> {
    let c = county.clone();
    let rows = state.store.read(move |db| counterparts::list_county(db, &c)).await?;
    let cells: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|r| {
            vec![
                Cell::text(r.municipality_code),
                Cell::opt_text(r.health_region),
                Cell::opt_text(r.probation_region),
                Cell::opt_text(r.probation_office),
            ]
        })
        .collect();
    Ok(table_csv(
        &format!("motparter-{county}.csv"),
        &["municipality_code", "health_region", "probation_region", "probation_office"],
        &cells,
    )?)
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CsvImport {
    /// The CSV text: header `municipality_code,health_region,probation_region,probation_office`
    /// (`,` or `;`), a row per municipality.
    pub csv: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Imported {
    pub rows: usize,
}

/// Imports divisions from CSV, every row or none (each municipality must be one the caller may
/// edit); problems are reported under `file`, by line.
#[utoipa::path(post, operation_id = "import_counterparts", path = "/counterparts/import", request_body = CsvImport, tag = "actors",
    responses((status = 200, body = Imported), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn import(State(state): State<AppState>, ApiAuth(v): ApiAuth, ApiJson(input): ApiJson<CsvImport>) -> ApiResult<Json<Imported>> {
    let rows = counterparts::parse_csv(&input.csv).map_err(StoreError::Invalid)?;
    let n = state.store.write(move |db| counterparts::import(db, &v, &rows)).await?;
    Ok(Json(Imported { rows: n }))
}

/// A municipality's "vart vänder jag mig" guide: public when published; before that only its
/// own organisation's users read it (404 for anyone else). `ETag`: the version.
#[utoipa::path(get, operation_id = "get_guide", path = "/municipalities/{code}/guide", params(("code" = String, Path)),
    tag = "actors", security((), ("token" = [])), responses((status = 200, body = Guide), (status = 404, body = ApiErrorBody)))]
pub async fn get_guide(State(state): State<AppState>, PublicApi(v): PublicApi, Path(code): Path<String>) -> ApiResult<Versioned<Guide>> {
    let m = municipality_in_path(&code)?;
    let g = state.store.read(move |db| guide::get(db, &v, &m)).await?;
    Ok(Versioned(g.version, g))
}

/// Creates or changes the guide's introduction and publication (coordinators of the
/// municipality's organisation). Send `If-Match` (`"0"` to create).
#[utoipa::path(put, operation_id = "save_guide", path = "/municipalities/{code}/guide", params(("code" = String, Path), ("If-Match" = String, Header)),
    request_body = GuideInput, tag = "actors",
    responses((status = 200, body = Guide), (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn save_guide(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(code): Path<String>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<GuideInput>,
) -> ApiResult<Versioned<Guide>> {
    let m = municipality_in_path(&code)?;
    let g = state.store.write(move |db| guide::save(db, &v, &m, version, &input)).await?;
    Ok(Versioned(g.version, g))
}

/// Adds a line to the guide, last under its concern.
#[utoipa::path(post, operation_id = "add_guide_entry", path = "/municipalities/{code}/guide/entries", params(("code" = String, Path)),
    request_body = EntryInput, tag = "actors",
    responses((status = 201, body = Entry), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn add_entry(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult<Created<Entry>> {
    let m = municipality_in_path(&code)?;
    let valid = input.validate().map_err(StoreError::Invalid)?;
    let e = state.store.write(move |db| guide::add_entry(db, &v, &m, &valid)).await?;
    Ok(Created(format!("/api/v1/guide-entries/{}", e.id), e))
}

/// Changes a line (a new concern moves it last there).
#[utoipa::path(put, operation_id = "update_guide_entry", path = "/guide-entries/{id}", params(("id" = i64, Path)), request_body = EntryInput, tag = "actors",
    responses((status = 200, body = Entry), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_entry(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult<Json<Entry>> {
    let valid = input.validate().map_err(StoreError::Invalid)?;
    Ok(Json(
        state
            .store
            .write(move |db| {
                let m = guide::entry_municipality(db, &v, id)?;
                guide::update_entry(db, &v, &m, id, &valid)
            })
            .await?,
    ))
}

/// Removes a line.
#[utoipa::path(delete, operation_id = "delete_guide_entry", path = "/guide-entries/{id}", params(("id" = i64, Path)), tag = "actors",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn delete_entry(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state
        .store
        .write(move |db| {
            let m = guide::entry_municipality(db, &v, id)?;
            guide::delete_entry(db, &v, &m, id)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
