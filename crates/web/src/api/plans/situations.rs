//! `/situations…`: the lägesbild and the joint problembild as documents — header and sections,
//! other relevant information, problems with evidence and causes, adoption (figures frozen),
//! new versions and sharing. The same store functions and JSON as the pages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use brygga_store::plans::problems::{self, Cause, CauseInput, EvidenceInput, Problem, ProblemInput};
use brygga_store::plans::situation::{
    self, AdoptInput, ShareInput, Situation, SituationDocument, SituationEdit, SituationInput, Source, SourceInput,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::json::{ApiJson, ApiQuery, Created, IfMatch, Versioned};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this municipality (four-digit code).
    municipality: Option<String>,
}

/// Every version the caller may read: its organisations' documents, drafts included, and
/// adopted versions shared with its forums or published.
#[utoipa::path(get, operation_id = "list_situations", path = "/situations", params(ListParams), tag = "situations",
    responses((status = 200, body = Vec<Situation>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<Situation>>> {
    Ok(Json(state.store.read(move |db| situation::list(db, &v, p.municipality.as_deref())).await?))
}

/// Starts a lägesbild or problembild (version 1, a draft) for a municipality and a period.
#[utoipa::path(post, operation_id = "create_situation", path = "/situations", request_body = SituationInput, tag = "situations",
    responses((status = 201, body = SituationDocument), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<SituationInput>,
) -> ApiResult<Created<SituationDocument>> {
    let d = state.store.write(move |db| situation::create(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/situations/{}", d.situation.id), d))
}

/// One version with its sections, figures (frozen once adopted; suppressed for non-parties),
/// problems, causes, warnings and versions.
#[utoipa::path(get, operation_id = "get_situation", path = "/situations/{id}", params(("id" = i64, Path)), tag = "situations",
    responses((status = 200, body = SituationDocument), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<SituationDocument>> {
    let reader = v.clone();
    let d = state.store.read_audited(&v, move |db| situation::load_audited(db, &reader, id)).await?;
    Ok(Versioned(d.situation.version, d))
}

/// Changes the title, the staleness limit and the section texts of a draft. Send `If-Match`.
#[utoipa::path(put, operation_id = "update_situation", path = "/situations/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = SituationEdit, tag = "situations",
    responses((status = 200, body = SituationDocument), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<SituationEdit>,
) -> ApiResult<Versioned<SituationDocument>> {
    let d = state.store.write(move |db| situation::edit(db, &v, id, Some(version), &input)).await?;
    Ok(Versioned(d.situation.version, d))
}

/// Adds other relevant information (school surveys, dialogues, civil society) to a draft.
#[utoipa::path(post, operation_id = "create_situation_source", path = "/situations/{id}/sources", params(("id" = i64, Path)),
    request_body = SourceInput, tag = "situations",
    responses((status = 201, body = Source), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_source(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SourceInput>,
) -> ApiResult<Created<Source>> {
    let s = state.store.write(move |db| situation::add_source(db, &v, id, &input)).await?;
    Ok(Created(format!("/api/v1/situations/{id}/sources/{}", s.id), s))
}

#[utoipa::path(put, operation_id = "update_situation_source", path = "/situations/{id}/sources/{source_id}",
    params(("id" = i64, Path), ("source_id" = i64, Path)), request_body = SourceInput, tag = "situations",
    responses((status = 200, body = Source), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_source(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, sid)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<SourceInput>,
) -> ApiResult<Json<Source>> {
    Ok(Json(state.store.write(move |db| situation::edit_source(db, &v, id, sid, &input)).await?))
}

#[utoipa::path(delete, operation_id = "delete_situation_source", path = "/situations/{id}/sources/{source_id}",
    params(("id" = i64, Path), ("source_id" = i64, Path)), tag = "situations",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn delete_source(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path((id, sid)): Path<(i64, i64)>) -> ApiResult<StatusCode> {
    state.store.write(move |db| situation::remove_source(db, &v, id, sid)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a prioritised problem to a draft.
#[utoipa::path(post, operation_id = "create_situation_problem", path = "/situations/{id}/problems", params(("id" = i64, Path)),
    request_body = ProblemInput, tag = "situations",
    responses((status = 201, body = Problem), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_problem(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProblemInput>,
) -> ApiResult<Created<Problem>> {
    let p = state.store.write(move |db| problems::add_problem(db, &v, id, &input)).await?;
    Ok(Created(format!("/api/v1/situations/{id}/problems/{}", p.id), p))
}

#[utoipa::path(put, operation_id = "update_situation_problem", path = "/situations/{id}/problems/{problem_id}",
    params(("id" = i64, Path), ("problem_id" = i64, Path)), request_body = ProblemInput, tag = "situations",
    responses((status = 200, body = Problem), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_problem(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, pid)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<ProblemInput>,
) -> ApiResult<Json<Problem>> {
    Ok(Json(state.store.write(move |db| problems::edit_problem(db, &v, id, pid, &input)).await?))
}

/// Removes a problem with its evidence and causes; refused while a plan's measure addresses one of its causes.
#[utoipa::path(delete, operation_id = "delete_situation_problem", path = "/situations/{id}/problems/{problem_id}",
    params(("id" = i64, Path), ("problem_id" = i64, Path)), tag = "situations",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn delete_problem(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, pid)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state.store.write(move |db| problems::remove_problem(db, &v, id, pid)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Links evidence to a problem: a category, a place, a flag, a crime statistics series or a survey question.
#[utoipa::path(post, operation_id = "create_problem_evidence", path = "/situations/{id}/problems/{problem_id}/evidence",
    params(("id" = i64, Path), ("problem_id" = i64, Path)), request_body = EvidenceInput, tag = "situations",
    responses((status = 201, body = Problem), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_evidence(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, pid)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<EvidenceInput>,
) -> ApiResult<Created<Problem>> {
    let p = state.store.write(move |db| problems::add_evidence(db, &v, id, pid, &input)).await?;
    Ok(Created(format!("/api/v1/situations/{id}/problems/{pid}"), p))
}

#[utoipa::path(delete, operation_id = "delete_problem_evidence", path = "/situations/{id}/evidence/{evidence_id}",
    params(("id" = i64, Path), ("evidence_id" = i64, Path)), tag = "situations",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn delete_evidence(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, eid)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state.store.write(move |db| problems::remove_evidence(db, &v, id, eid)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a cause to a problem: a side of the problem-analysis triangle and/or a risk or protective factor, with basis and certainty.
#[utoipa::path(post, operation_id = "create_problem_cause", path = "/situations/{id}/problems/{problem_id}/causes",
    params(("id" = i64, Path), ("problem_id" = i64, Path)), request_body = CauseInput, tag = "situations",
    responses((status = 201, body = Cause), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_cause(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, pid)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<CauseInput>,
) -> ApiResult<Created<Cause>> {
    let c = state.store.write(move |db| problems::add_cause(db, &v, id, pid, &input)).await?;
    Ok(Created(format!("/api/v1/situations/{id}/causes/{}", c.id), c))
}

#[utoipa::path(put, operation_id = "update_problem_cause", path = "/situations/{id}/causes/{cause_id}",
    params(("id" = i64, Path), ("cause_id" = i64, Path)), request_body = CauseInput, tag = "situations",
    responses((status = 200, body = Cause), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_cause(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, cid)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<CauseInput>,
) -> ApiResult<Json<Cause>> {
    Ok(Json(state.store.write(move |db| problems::edit_cause(db, &v, id, cid, &input)).await?))
}

/// Removes a cause; refused, naming them, while a plan's measures address it.
#[utoipa::path(delete, operation_id = "delete_problem_cause", path = "/situations/{id}/causes/{cause_id}",
    params(("id" = i64, Path), ("cause_id" = i64, Path)), tag = "situations",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn delete_cause(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path((id, cid)): Path<(i64, i64)>) -> ApiResult<StatusCode> {
    state.store.write(move |db| problems::remove_cause(db, &v, id, cid)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adopts a draft (the owner's coordinators): the figures are frozen into it and the previous
/// adopted version is superseded.
#[utoipa::path(post, operation_id = "adopt_situation", path = "/situations/{id}/adopt", params(("id" = i64, Path)),
    request_body = AdoptInput, tag = "situations",
    responses((status = 200, body = SituationDocument), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn adopt(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AdoptInput>,
) -> ApiResult<Versioned<SituationDocument>> {
    let d = state.store.write(move |db| situation::adopt(db, &v, id, None, &input)).await?;
    Ok(Versioned(d.situation.version, d))
}

/// Starts a new draft from an adopted version, with all its parts (keys kept).
#[utoipa::path(post, operation_id = "new_situation_version", path = "/situations/{id}/new-version", params(("id" = i64, Path)), tag = "situations",
    responses((status = 201, body = SituationDocument), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn new_version(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Created<SituationDocument>> {
    let d = state.store.write(move |db| situation::new_version(db, &v, id)).await?;
    Ok(Created(format!("/api/v1/situations/{}", d.situation.id), d))
}

/// Shares an adopted version with a forum, publishes it, or takes it back to the parties.
#[utoipa::path(put, operation_id = "share_situation", path = "/situations/{id}/sharing", params(("id" = i64, Path)),
    request_body = ShareInput, tag = "situations",
    responses((status = 200, body = SituationDocument), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn share(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ShareInput>,
) -> ApiResult<Json<SituationDocument>> {
    Ok(Json(state.store.write(move |db| situation::share(db, &v, id, &input)).await?))
}
