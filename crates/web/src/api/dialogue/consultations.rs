//! `/consultations…`: the API twins of the consultation pages — the same store functions, the
//! same rules. A consultation the caller may not read is 404; an anonymous item never names its
//! organisation to anyone but that organisation (`by` is "Anonym deltagare").

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use brygga_store::dialogue::consultations::consultation::{
    self, Candidate, CandidateFilter, Consultation, ConsultationInput, Registration, RegistrationInput,
};
use brygga_store::dialogue::consultations::input::{self, InputForm, Shown};
use brygga_store::dialogue::consultations::mine::{self, MyConsultation};
use brygga_store::kernel::idempotency::{self, Keyed};
use brygga_store::{StoreError, now_ms};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiError, ApiErrorBody, ApiResult, AppError};
use crate::kit::json::{ApiJson, ApiQuery, IdempotencyKey, IfMatch, Versioned, keyed_response, parse_json};

/// The consultations the caller may read (organised by its organisation, or invited to once
/// open), the latest first.
#[utoipa::path(get, operation_id = "list_consultations", path = "/consultations", tag = "consultations",
    responses((status = 200, body = Vec<Consultation>)))]
pub async fn list(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Vec<Consultation>>> {
    Ok(Json(state.store.read(move |db| consultation::list(db, &v)).await?))
}

/// Creates a draft consultation organised by `lead_org_id` (coordinators and administrators).
/// Send an `Idempotency-Key` to retry safely.
#[utoipa::path(post, operation_id = "create_consultation", path = "/consultations", request_body = ConsultationInput, tag = "consultations",
    params(("Idempotency-Key" = Option<String>, Header, description = "Unique per consultation; reuse it when retrying")),
    responses((status = 201, body = Consultation), (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: ConsultationInput = parse_json(headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), &body)?;
    let hash = idempotency::request_hash("POST", "/consultations", &body);
    let org = v.org_ids().first().copied().ok_or(AppError::Forbidden)?;
    let keyed = state
        .store
        .write(move |db| {
            idempotency::once(db, org, key.as_deref(), &hash, |db| {
                let c = consultation::create(db, &v, &input)?;
                let body = serde_json::to_string(&c).map_err(|e| StoreError::Internal(e.to_string()))?;
                Ok(Keyed::Done { value: c.id, status: 201, body })
            })
        })
        .await?;
    keyed_response(
        keyed,
        |id| format!("/api/v1/consultations/{id}"),
        "Idempotency-Key har redan använts för en annan begäran. Använd en ny nyckel.",
    )
}

/// One consultation. `ETag`: the version.
#[utoipa::path(get, operation_id = "get_consultation", path = "/consultations/{id}", params(("id" = i64, Path)), tag = "consultations",
    responses((status = 200, body = Consultation), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<Consultation>> {
    let c = state.store.read(move |db| consultation::require(db, &v, id)).await?;
    Ok(Versioned(c.version, c))
}

/// Changes a consultation (its organisers). Send `If-Match`.
#[utoipa::path(put, operation_id = "update_consultation", path = "/consultations/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = ConsultationInput, tag = "consultations",
    responses((status = 200, body = Consultation), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<ConsultationInput>,
) -> ApiResult<Versioned<Consultation>> {
    let c = state.store.write(move |db| consultation::edit(db, &v, id, version, &input)).await?;
    Ok(Versioned(c.version, c))
}

/// A new status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// `open` or `closed`.
    pub status: String,
}

/// Opens or closes a consultation (its organisers).
#[utoipa::path(post, operation_id = "set_consultation_status", path = "/consultations/{id}/status", params(("id" = i64, Path)), request_body = StatusInput, tag = "consultations",
    responses((status = 200, body = Consultation), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StatusInput>,
) -> ApiResult<Json<Consultation>> {
    Ok(Json(state.store.write(move |db| consultation::set_status(db, &v, id, &input.status)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidateParams {
    /// Municipality code, `1287`: organisations with an approved claim there.
    kommun: Option<String>,
    /// A theme code of the directory, `idrott`.
    tema: Option<String>,
    /// A target-group code of the directory, `unga`.
    malgrupp: Option<String>,
}

/// Organisations the organisers may invite, filtered as in the directory (`kommun`, `tema`,
/// `malgrupp`); no filter requires crime prevention.
#[utoipa::path(get, operation_id = "consultation_candidates", path = "/consultations/{id}/candidates", params(("id" = i64, Path), CandidateParams), tag = "consultations",
    responses((status = 200, body = Vec<Candidate>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn candidates(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<CandidateParams>,
) -> ApiResult<Json<Vec<Candidate>>> {
    let f = CandidateFilter { kommun: p.kommun, tema: p.tema, malgrupp: p.malgrupp };
    Ok(Json(state.store.read(move |db| consultation::candidates(db, &v, id, &f)).await?))
}

/// Organisations to invite.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    pub org_ids: Vec<i64>,
}

/// How many organisations were newly invited.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct Invited {
    pub invited: usize,
}

/// Invites organisations (the organisers); their coordinators are e-mailed.
#[utoipa::path(post, operation_id = "invite_to_consultation", path = "/consultations/{id}/invitations", params(("id" = i64, Path)), request_body = InviteInput, tag = "consultations",
    responses((status = 200, body = Invited), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<InviteInput>,
) -> ApiResult<Json<Invited>> {
    let post = state.config.postmark();
    let n = state.store.write(move |db| consultation::invite(db, &v, id, &input.org_ids, &post)).await?;
    state.store.wake_workers();
    Ok(Json(Invited { invited: n }))
}

/// An invited organisation's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    pub org_id: i64,
    pub accept: bool,
}

/// Accepts or declines an invitation (the invited organisation's coordinators).
#[utoipa::path(post, operation_id = "answer_consultation_invitation", path = "/consultations/{id}/answer", params(("id" = i64, Path)), request_body = AnswerInput, tag = "consultations",
    responses((status = 200, body = Consultation), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> ApiResult<Json<Consultation>> {
    Ok(Json(state.store.write(move |db| consultation::respond(db, &v, id, input.org_id, input.accept)).await?))
}

/// Registers the caller (a user of an invited organisation).
#[utoipa::path(put, operation_id = "register_for_consultation", path = "/consultations/{id}/registration", params(("id" = i64, Path)), request_body = RegistrationInput, tag = "consultations",
    responses((status = 200, body = Registration), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RegistrationInput>,
) -> ApiResult<Json<Registration>> {
    Ok(Json(state.store.write(move |db| consultation::register(db, &v, id, &input, now_ms())).await?))
}

/// Cancels the caller's registration.
#[utoipa::path(delete, operation_id = "cancel_consultation_registration", path = "/consultations/{id}/registration", params(("id" = i64, Path)), tag = "consultations",
    responses((status = 204), (status = 404, body = ApiErrorBody)))]
pub async fn cancel(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| consultation::cancel_registration(db, &v, id, now_ms())).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The input the caller may read: all of it for organisers, the own organisation's for a
/// participant; attribution applied (`by`).
#[utoipa::path(get, operation_id = "list_consultation_input", path = "/consultations/{id}/input", params(("id" = i64, Path)), tag = "consultations",
    responses((status = 200, body = Vec<Shown>), (status = 404, body = ApiErrorBody)))]
pub async fn inputs(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<Shown>>> {
    Ok(Json(
        state
            .store
            .read(move |db| {
                let c = consultation::require(db, &v, id)?;
                input::shown(db, &v, &c, now_ms())
            })
            .await?,
    ))
}

/// Gives an item of input while the consultation is open. Send an `Idempotency-Key` to retry safely.
#[utoipa::path(post, operation_id = "give_consultation_input", path = "/consultations/{id}/input", params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "Unique per item; reuse it when retrying")), request_body = InputForm, tag = "consultations",
    responses((status = 201, body = Shown), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn give(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let f: InputForm = parse_json(headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), &body)?;
    let hash = idempotency::request_hash("POST", &format!("/consultations/{id}/input"), &body);
    let org = v.org_ids().first().copied().ok_or(AppError::Forbidden)?;
    let keyed = state
        .store
        .write(move |db| {
            idempotency::once(db, org, key.as_deref(), &hash, |db| {
                let now = now_ms();
                let i = input::give(db, &v, id, &f, now)?;
                let c = consultation::require(db, &v, id)?;
                let shown =
                    input::shown(db, &v, &c, now)?.into_iter().find(|s| s.input.id == i.id).ok_or(StoreError::not_found("input"))?;
                let body = serde_json::to_string(&shown).map_err(|e| StoreError::Internal(e.to_string()))?;
                Ok(Keyed::Done { value: i.id, status: 201, body })
            })
        })
        .await?;
    keyed_response(
        keyed,
        |i| format!("/api/v1/consultations/{id}/input/{i}"),
        "Idempotency-Key har redan använts för en annan begäran. Använd en ny nyckel.",
    )
}

/// Changes an item (its organisation's users) while the consultation is open.
#[utoipa::path(put, operation_id = "update_consultation_input", path = "/consultations/{id}/input/{input_id}", params(("id" = i64, Path), ("input_id" = i64, Path)), request_body = InputForm, tag = "consultations",
    responses((status = 200, body = Shown), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_input(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, input_id)): Path<(i64, i64)>,
    ApiJson(f): ApiJson<InputForm>,
) -> ApiResult<Json<Shown>> {
    Ok(Json(
        state
            .store
            .write(move |db| {
                let now = now_ms();
                let i = input::edit(db, &v, input_id, &f, now)?;
                if i.consultation_id != id {
                    return Err(StoreError::not_found("input"));
                }
                let c = consultation::require(db, &v, id)?;
                input::shown(db, &v, &c, now)?.into_iter().find(|s| s.input.id == input_id).ok_or(StoreError::not_found("input"))
            })
            .await?,
    ))
}

/// Withdraws an item while the consultation is open.
#[utoipa::path(delete, operation_id = "withdraw_consultation_input", path = "/consultations/{id}/input/{input_id}", params(("id" = i64, Path), ("input_id" = i64, Path)), tag = "consultations",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn withdraw(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path((id, input_id)): Path<(i64, i64)>) -> ApiResult<StatusCode> {
    state
        .store
        .write(move |db| {
            if input::get(db, &v, input_id)?.consultation_id != id {
                return Err(StoreError::not_found("input"));
            }
            input::withdraw(db, &v, input_id, now_ms())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Mina medskick": every item the caller's organisations gave, by consultation, with its
/// disposition, what it changed and the published compiled documentation.
#[utoipa::path(get, operation_id = "my_consultation_input", path = "/consultations/mine", tag = "consultations",
    responses((status = 200, body = Vec<MyConsultation>)))]
pub async fn mine(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Vec<MyConsultation>>> {
    Ok(Json(state.store.read(move |db| mine::mine(db, &v)).await?))
}
