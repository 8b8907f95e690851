//! `/agreements…`, `/assessments…`, `/snapshots…`, `/checklists…`, `/county-tables/{county}`:
//! the API twins of the agreement pages — the same store functions, the same rules.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use brygga_domain::time::parse_date;
use brygga_store::StoreError;
use brygga_store::agreements::agreement::{self, Agreement, AgreementInput, ListFilter, ShareInput, SigningInput};
use brygga_store::agreements::assessments::{self, Assessment, AssessmentRef, Comparison, ScoreInput, Snapshot, SnapshotInput, StartInput};
use brygga_store::agreements::checklists::{self, ChecklistSet, ChecklistVersion, SetInput};
use brygga_store::agreements::county::{self, CountyTable};
use brygga_store::agreements::transfer::{self, AgreementFile};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::{UtoipaMethodRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult, AppError, FieldProblem};
use crate::kit::export::attachment;
use crate::kit::json::{ApiJson, ApiQuery, Created, IfMatch, Versioned};
use crate::kit::upload::{UPLOAD_BODY_LIMIT, UploadProblem, read_body};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this municipality (4 digits).
    municipality: Option<String>,
    /// Only this county (2 digits).
    county: Option<String>,
    /// Only this kind (`cooperation_agreement`, `citizen_promise`, `iop`, `partnership`, `other`).
    kind: Option<String>,
}

/// The agreements the caller may read: its organisations' (drafts included) and, for a county
/// board, every concluded agreement of the municipalities it oversees; shared and published ones.
#[utoipa::path(get, operation_id = "list_agreements", path = "/agreements", params(ListParams), tag = "agreements",
    responses((status = 200, body = Vec<Agreement>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<Agreement>>> {
    let f = ListFilter { municipality: p.municipality, county: p.county, kind: p.kind };
    Ok(Json(state.store.read(move |db| agreement::list(db, &v, &f)).await?))
}

/// Creates an agreement (a draft) owned by the caller's organisation (coordinators).
#[utoipa::path(post, operation_id = "create_agreement", path = "/agreements", request_body = AgreementInput, tag = "agreements",
    responses((status = 201, body = Agreement), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<AgreementInput>,
) -> ApiResult<Created<Agreement>> {
    let a = state.store.write(move |db| agreement::create(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/agreements/{}", a.id), a))
}

/// One agreement with its parties, signing dates, links, decision and document. `ETag`: the version.
#[utoipa::path(get, operation_id = "get_agreement", path = "/agreements/{id}", params(("id" = i64, Path)), tag = "agreements",
    responses((status = 200, body = Agreement), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<Agreement>> {
    let reader = v.clone();
    let a = state.store.read_audited(&v, move |db| agreement::get_audited(db, &reader, id)).await?;
    Ok(Versioned(a.version, a))
}

/// Changes the header (title, period, links, decision). Send `If-Match`.
#[utoipa::path(put, operation_id = "update_agreement", path = "/agreements/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = AgreementInput, tag = "agreements",
    responses((status = 200, body = Agreement), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<AgreementInput>,
) -> ApiResult<Versioned<Agreement>> {
    let a = state.store.write(move |db| agreement::edit(db, &v, id, version, &input)).await?;
    Ok(Versioned(a.version, a))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    /// An organisation with an approved claim in the agreement's municipality, or the police.
    pub org_id: i64,
}

/// Adds a party (a party's coordinators).
#[utoipa::path(post, operation_id = "add_agreement_party", path = "/agreements/{id}/parties", params(("id" = i64, Path)), request_body = PartyInput, tag = "agreements",
    responses((status = 200, body = Agreement), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn add_party(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PartyInput>,
) -> ApiResult<Json<Agreement>> {
    Ok(Json(state.store.write(move |db| agreement::add_party(db, &v, id, input.org_id)).await?))
}

/// Removes a party other than the owner (a samverkansöverenskommelse keeps its municipality and police).
#[utoipa::path(delete, operation_id = "remove_agreement_party", path = "/agreements/{id}/parties/{org_id}", params(("id" = i64, Path), ("org_id" = i64, Path)), tag = "agreements",
    responses((status = 200, body = Agreement), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn remove_party(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, org_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Agreement>> {
    Ok(Json(state.store.write(move |db| agreement::remove_party(db, &v, id, org_id)).await?))
}

/// Records the parties' signing dates (all checked first; field `signed_on_{org_id}`).
#[utoipa::path(put, operation_id = "sign_agreement", path = "/agreements/{id}/signatures", params(("id" = i64, Path)), request_body = SigningInput, tag = "agreements",
    responses((status = 200, body = Agreement), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn sign(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SigningInput>,
) -> ApiResult<Json<Agreement>> {
    Ok(Json(state.store.write(move |db| agreement::sign(db, &v, id, &input)).await?))
}

/// Concludes a draft (needs the decision: body and date). Send `If-Match`.
#[utoipa::path(post, operation_id = "conclude_agreement", path = "/agreements/{id}/conclude", params(("id" = i64, Path), ("If-Match" = String, Header)), tag = "agreements",
    responses((status = 200, body = Agreement), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn conclude(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
) -> ApiResult<Versioned<Agreement>> {
    let a = state.store.write(move |db| agreement::conclude(db, &v, id, version)).await?;
    Ok(Versioned(a.version, a))
}

/// Shares a concluded agreement with a forum, publishes it, or takes it back to the parties.
#[utoipa::path(post, operation_id = "share_agreement", path = "/agreements/{id}/share", params(("id" = i64, Path)), request_body = ShareInput, tag = "agreements",
    responses((status = 200, body = Agreement), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn share(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ShareInput>,
) -> ApiResult<Json<Agreement>> {
    Ok(Json(state.store.write(move |db| agreement::share(db, &v, id, &input)).await?))
}

/// `/agreements/{id}/document`: read and attach, with the upload body limit.
pub fn document_routes() -> UtoipaMethodRouter<AppState> {
    routes!(document, attach_document).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
}

/// The signed document, as an attachment with a safe file name.
#[utoipa::path(get, operation_id = "get_agreement_document", path = "/agreements/{id}/document", params(("id" = i64, Path)), tag = "agreements",
    responses((status = 200, description = "The PDF or DOCX", content_type = "application/octet-stream"), (status = 404, body = ApiErrorBody)))]
pub async fn document(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Response> {
    let reader = v.clone();
    let (info, bytes) = state.store.read_audited(&v, move |db| agreement::document(db, &reader, id)).await?;
    Ok(attachment(&info.file_name, &info.media_type, bytes))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentParams {
    /// The file name, e.g. `Samverkansöverenskommelse 2026.pdf` (its extension is the claimed type).
    name: String,
}

fn too_large(problem: UploadProblem) -> Response {
    let message = problem.body_message();
    let body = ApiErrorBody {
        code: "payload_too_large".into(),
        message: message.clone(),
        field: Some("file".into()),
        errors: vec![FieldProblem { field: "file".into(), code: "file.too_large".into(), message }],
    };
    (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response()
}

/// Attaches (or replaces) the signed document: the body is the file, `Content-Type` and `name`
/// say what it is — a PDF or a Word document, checked by content (at most 20 MB).
#[utoipa::path(put, operation_id = "attach_agreement_document", path = "/agreements/{id}/document", params(("id" = i64, Path), DocumentParams), tag = "agreements",
    request_body(content = Vec<u8>, content_type = "application/pdf", description = "The signed document (PDF or DOCX)"),
    responses((status = 200, body = Agreement), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 413, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn attach_document(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<DocumentParams>,
    req: Request,
) -> Result<Response, Response> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|c| c.to_str().ok()).map(str::to_owned);
    let bytes: Bytes = read_body(&state, req).await.map_err(too_large)?;
    let r = state.store.write(move |db| agreement::attach_document(db, &v, id, &p.name, content_type.as_deref(), &bytes)).await;
    match r {
        Ok(a) => Ok(Json(a).into_response()),
        Err(e) => Err(crate::kit::error::ApiError(AppError::from(e)).into_response()),
    }
}

/// The agreement as `brygga.agreement` JSON (docs/AGREEMENT-FORMAT.md).
#[utoipa::path(get, operation_id = "export_agreement", path = "/agreements/{id}/export", params(("id" = i64, Path)), tag = "agreements",
    responses((status = 200, body = AgreementFile), (status = 404, body = ApiErrorBody)))]
pub async fn export(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<AgreementFile>> {
    Ok(Json(state.store.read(move |db| transfer::export(db, &v, id)).await?))
}

/// Imports a `brygga.agreement` file as a new agreement of the caller's organisation; every
/// problem is returned with its JSON path and nothing is written unless all is right.
#[utoipa::path(post, operation_id = "import_agreement", path = "/agreements/import", request_body = AgreementFile, tag = "agreements",
    responses((status = 201, body = Agreement), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(file): ApiJson<AgreementFile>,
) -> ApiResult<Created<Agreement>> {
    let a = state.store.write(move |db| transfer::import(db, &v, &file, None)).await?;
    Ok(Created(format!("/api/v1/agreements/{}", a.id), a))
}

/// The assessments of an agreement (the county board's and the parties' self-assessments).
#[utoipa::path(get, operation_id = "list_assessments", path = "/agreements/{id}/assessments", params(("id" = i64, Path)), tag = "agreements",
    responses((status = 200, body = Vec<AssessmentRef>), (status = 404, body = ApiErrorBody)))]
pub async fn list_assessments(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<AssessmentRef>>> {
    Ok(Json(state.store.read(move |db| assessments::for_agreement(db, &v, id)).await?))
}

/// Starts an assessment against the latest version of a checklist (default: Brygga's) — or
/// returns the caller's organisation's existing one on that version.
#[utoipa::path(post, operation_id = "start_assessment", path = "/agreements/{id}/assessments", params(("id" = i64, Path)), request_body = StartInput, tag = "agreements",
    responses((status = 200, body = Assessment), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn start_assessment(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StartInput>,
) -> ApiResult<Json<Assessment>> {
    Ok(Json(state.store.write(move |db| assessments::start(db, &v, id, &input)).await?))
}

/// One assessment: every item with its score, evidence, comment and derivation (`derived`: härlett).
#[utoipa::path(get, operation_id = "get_assessment", path = "/assessments/{id}", params(("id" = i64, Path)), tag = "agreements",
    responses((status = 200, body = Assessment), (status = 404, body = ApiErrorBody)))]
pub async fn get_assessment(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Assessment>> {
    Ok(Json(state.store.read(move |db| assessments::get(db, &v, id)).await?))
}

/// Scores items (the assessing organisation's coordinators). An item of another checklist
/// version is refused by name (`items[{item_id}].item_id`); nothing is written on any error.
#[utoipa::path(put, operation_id = "score_assessment", path = "/assessments/{id}/scores", params(("id" = i64, Path)), request_body = ScoreInput, tag = "agreements",
    responses((status = 200, body = Assessment), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn score(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ScoreInput>,
) -> ApiResult<Json<Assessment>> {
    Ok(Json(state.store.write(move |db| assessments::score(db, &v, id, &input)).await?))
}

/// Takes a frozen snapshot (baseline, follow-up, other) of the assessment as it stands.
#[utoipa::path(post, operation_id = "take_snapshot", path = "/assessments/{id}/snapshots", params(("id" = i64, Path)), request_body = SnapshotInput, tag = "agreements",
    responses((status = 201, body = Snapshot), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn take_snapshot(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SnapshotInput>,
) -> ApiResult<Created<Snapshot>> {
    let s = state.store.write(move |db| assessments::take_snapshot(db, &v, id, &input)).await?;
    Ok(Created(format!("/api/v1/snapshots/{}", s.id), s))
}

/// The snapshots of an agreement (without items), oldest first.
#[utoipa::path(get, operation_id = "list_snapshots", path = "/agreements/{id}/snapshots", params(("id" = i64, Path)), tag = "agreements",
    responses((status = 200, body = Vec<Snapshot>), (status = 404, body = ApiErrorBody)))]
pub async fn list_snapshots(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<Snapshot>>> {
    Ok(Json(state.store.read(move |db| assessments::snapshots(db, &v, id)).await?))
}

/// One frozen snapshot with its items as they were.
#[utoipa::path(get, operation_id = "get_snapshot", path = "/snapshots/{id}", params(("id" = i64, Path)), tag = "agreements",
    responses((status = 200, body = Snapshot), (status = 404, body = ApiErrorBody)))]
pub async fn get_snapshot(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Snapshot>> {
    Ok(Json(state.store.read(move |db| assessments::snapshot(db, &v, id)).await?))
}

/// Two snapshots of one agreement item by item: `better`, `worse`, `same`, `added`, `removed`.
#[utoipa::path(get, operation_id = "compare_snapshots", path = "/snapshots/{id}/compare/{other}", params(("id" = i64, Path), ("other" = i64, Path)), tag = "agreements",
    responses((status = 200, body = Comparison), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn compare(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, other)): Path<(i64, i64)>,
) -> ApiResult<Json<Comparison>> {
    Ok(Json(state.store.read(move |db| assessments::compare(db, &v, id, other)).await?))
}

/// Every checklist (criteria are not secret): Brygga's default set first.
#[utoipa::path(get, operation_id = "list_checklists", path = "/checklists", tag = "agreements", responses((status = 200, body = Vec<ChecklistSet>)))]
pub async fn list_checklists(State(state): State<AppState>, ApiAuth(_v): ApiAuth) -> ApiResult<Json<Vec<ChecklistSet>>> {
    Ok(Json(state.store.read(checklists::list).await?))
}

/// Creates a county board's own checklist (its coordinators).
#[utoipa::path(post, operation_id = "create_checklist", path = "/checklists", request_body = SetInput, tag = "agreements",
    responses((status = 201, body = ChecklistSet), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_checklist(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<SetInput>,
) -> ApiResult<Created<ChecklistSet>> {
    let s = state.store.write(move |db| checklists::create(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/checklists/{}", s.id), s))
}

/// A checklist with its latest version's items.
#[utoipa::path(get, operation_id = "get_checklist", path = "/checklists/{id}", params(("id" = i64, Path)), tag = "agreements",
    responses((status = 200, body = ChecklistVersion), (status = 404, body = ApiErrorBody)))]
pub async fn get_checklist(State(state): State<AppState>, ApiAuth(_v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<ChecklistVersion>> {
    Ok(Json(
        state
            .store
            .read(move |db| {
                let s = checklists::get(db, id)?;
                checklists::version(db, s.latest_version_id)
            })
            .await?,
    ))
}

/// Edits a county board's checklist; when its latest version has been used, the edit becomes a
/// new version and assessments and snapshots keep theirs. Brygga's own set is read-only.
#[utoipa::path(put, operation_id = "update_checklist", path = "/checklists/{id}", params(("id" = i64, Path)), request_body = SetInput, tag = "agreements",
    responses((status = 200, body = ChecklistSet), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_checklist(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SetInput>,
) -> ApiResult<Json<ChecklistSet>> {
    Ok(Json(state.store.write(move |db| checklists::edit(db, &v, id, &input)).await?))
}

/// One version of a checklist with its items.
#[utoipa::path(get, operation_id = "get_checklist_version", path = "/checklist-versions/{id}", params(("id" = i64, Path)), tag = "agreements",
    responses((status = 200, body = ChecklistVersion), (status = 404, body = ApiErrorBody)))]
pub async fn get_checklist_version(
    State(state): State<AppState>,
    ApiAuth(_v): ApiAuth,
    Path(id): Path<i64>,
) -> ApiResult<Json<ChecklistVersion>> {
    Ok(Json(state.store.read(move |db| checklists::version(db, id)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TableParams {
    /// The date (`2026-12-06`); default today.
    on: Option<String>,
    /// A second date to compare with.
    compare: Option<String>,
}

/// Reads `on`/`compare` dates, naming the field of a wrong one.
pub fn table_dates(
    on: Option<&str>,
    compare: Option<&str>,
) -> Result<(jiff::civil::Date, Option<jiff::civil::Date>), brygga_domain::FieldErrors> {
    let mut errs = brygga_domain::FieldErrors::new();
    let on = match on.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(brygga_domain::time::today()),
        Some(s) => errs.take(parse_date("on", s)),
    };
    let compare = match compare.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => errs.take(parse_date("compare", s)).map(Some),
    };
    errs.into_result()?;
    Ok((on.expect("checked"), compare.expect("checked")))
}

/// The county table: per municipality, a current samverkansöverenskommelse, a current joint
/// medborgarlöfte, refers to causes, only effect goals, the county board's latest and baseline
/// scores; the totals row. Counts only what the caller may read.
#[utoipa::path(get, operation_id = "county_table", path = "/county-tables/{county}", params(("county" = String, Path), TableParams), tag = "agreements",
    responses((status = 200, body = CountyTable), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn county_table(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(county): Path<String>,
    ApiQuery(p): ApiQuery<TableParams>,
) -> ApiResult<Json<CountyTable>> {
    let (on, compare) = table_dates(p.on.as_deref(), p.compare.as_deref()).map_err(StoreError::Invalid)?;
    Ok(Json(state.store.read(move |db| county::table(db, &v, &county, on, compare)).await?))
}
