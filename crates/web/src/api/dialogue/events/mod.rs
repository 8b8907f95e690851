//! `/courses…`, `/events…`, `/registrations…`, `/surveys…`, `/certificates…` and
//! `/counties/{county}/training-coverage`: the API twins of the training and events pages —
//! the same store functions (`dialogue::events`), the same rules.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use brygga_store::dialogue::events::catalogue::{self, Catalogue, Course, CourseInput, Track, TrackInput};
use brygga_store::dialogue::events::certificates::{self, Certificate};
use brygga_store::dialogue::events::coverage::{self, TrainingCoverage, TrainingCoverageQuery};
use brygga_store::dialogue::events::event::{self, Event, EventInput, ListFilter};
use brygga_store::dialogue::events::registrations::{self, EventParticipants, EventRegistration, EventRegistrationInput};
use brygga_store::dialogue::events::survey::{self, Survey, SurveyForm, SurveyInput, SurveyResults};
use brygga_store::kernel::idempotency::{self, Keyed};
use brygga_store::{Conn, StoreError, StoreResult, Viewer};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::kit::auth::{ApiAuth, PublicApi};
use crate::kit::error::{ApiError, ApiErrorBody, ApiResult, AppError};
use crate::kit::json::{ApiJson, ApiQuery, Created, IdempotencyKey, IfMatch, Versioned, keyed_response, parse_json};

// ---- Catalogue

/// The course catalogue and the tracks per role (every signed-in caller).
#[utoipa::path(get, operation_id = "get_course_catalogue", path = "/courses", tag = "events",
    responses((status = 200, body = Catalogue), (status = 403, body = ApiErrorBody)))]
pub async fn catalogue(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Catalogue>> {
    Ok(Json(state.store.read(move |db| catalogue::catalogue(db, &v)).await?))
}

/// Adds a course for `owner_org_id` (the caller's coordinators and administrators).
#[utoipa::path(post, operation_id = "create_course", path = "/courses", request_body = CourseInput, tag = "events",
    responses((status = 201, body = Course), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_course(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<CourseInput>,
) -> ApiResult<Created<Course>> {
    let c = state.store.write(move |db| catalogue::create_course(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/courses/{}", c.id), c))
}

/// One course.
#[utoipa::path(get, operation_id = "get_course", path = "/courses/{id}", params(("id" = i64, Path)), tag = "events",
    responses((status = 200, body = Course), (status = 404, body = ApiErrorBody)))]
pub async fn get_course(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Course>> {
    Ok(Json(state.store.read(move |db| catalogue::course(db, &v, id)).await?))
}

/// Adds a track (the courses a role should take, in order).
#[utoipa::path(post, operation_id = "create_course_track", path = "/course-tracks", request_body = TrackInput, tag = "events",
    responses((status = 201, body = Track), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_track(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<TrackInput>,
) -> ApiResult<Created<Track>> {
    let t = state.store.write(move |db| catalogue::create_track(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/courses#track-{}", t.id), t))
}

// ---- Events

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this county's (`12`).
    county: Option<String>,
    /// `conference`, `seminar`, `network_meeting` or `training`.
    kind: Option<String>,
    /// `true`: only those not yet ended.
    upcoming: Option<bool>,
}

/// The events the caller may read: published and cancelled ones, and its own organisations'
/// drafts; soonest first.
#[utoipa::path(get, operation_id = "list_events", path = "/events", params(ListParams), tag = "events",
    responses((status = 200, body = Vec<Event>)))]
pub async fn list(State(state): State<AppState>, ApiAuth(v): ApiAuth, ApiQuery(p): ApiQuery<ListParams>) -> ApiResult<Json<Vec<Event>>> {
    let f = ListFilter { county: p.county, kind: p.kind, upcoming: p.upcoming.unwrap_or(false) };
    Ok(Json(state.store.read(move |db| event::list(db, &v, &f)).await?))
}

/// Creates an event organised by `organiser_org_id` (the caller's coordinators).
#[utoipa::path(post, operation_id = "create_event", path = "/events", request_body = EventInput, tag = "events",
    responses((status = 201, body = Event), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(State(state): State<AppState>, ApiAuth(v): ApiAuth, ApiJson(input): ApiJson<EventInput>) -> ApiResult<Created<Event>> {
    let e = state.store.write(move |db| event::create(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/events/{}", e.id), e))
}

/// One event. `ETag`: the version. A draft of another organisation is 404.
#[utoipa::path(get, operation_id = "get_event", path = "/events/{id}", params(("id" = i64, Path)), tag = "events",
    responses((status = 200, body = Event), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<Event>> {
    let e = state.store.read(move |db| event::get(db, &v, id)).await?;
    Ok(Versioned(e.version, e))
}

/// Changes an event (the organiser's coordinators). Send `If-Match`. More seats move the
/// waiting list up.
#[utoipa::path(put, operation_id = "update_event", path = "/events/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = EventInput, tag = "events",
    responses((status = 200, body = Event), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<Versioned<Event>> {
    let e = state.store.write(move |db| event::edit(db, &v, id, version, &input)).await?;
    Ok(Versioned(e.version, e))
}

// ---- Registrations

/// Registers the caller (or, for the organiser, the user with `email`): a seat while there is
/// one, else the waiting list — `status` is `registered` or `waiting` with `position`, both 201.
/// A second registration of the same person is 422 `events.already_registered`. Send an
/// `Idempotency-Key` so that a retry gets the first answer.
#[utoipa::path(post, operation_id = "register_for_event", path = "/events/{id}/registrations", request_body = EventRegistrationInput, tag = "events",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "Unique per registration; reuse it when retrying")),
    responses((status = 201, body = EventRegistration), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody, description = "The key was used for a different request"), (status = 422, body = ApiErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: EventRegistrationInput = parse_json(headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), &body)?;
    let hash = idempotency::request_hash("POST", &format!("/events/{id}/registrations"), &body);
    let org = v.org_ids().first().copied().ok_or(AppError::Forbidden)?;
    let keyed =
        state.store.write(move |db| idempotency::once(db, org, key.as_deref(), &hash, |db| register_keyed(db, &v, id, &input))).await?;
    keyed_response(
        keyed,
        |rid| format!("/api/v1/registrations/{rid}"),
        "Idempotency-Key har redan använts för en annan begäran. Använd en ny nyckel för en ny anmälan.",
    )
}

fn register_keyed(db: &mut dyn Conn, v: &Viewer, id: i64, input: &EventRegistrationInput) -> StoreResult<Keyed<i64>> {
    let r = registrations::register(db, v, id, input)?;
    let body = serde_json::to_string(&r).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok(Keyed::Done { value: r.id, status: 201, body })
}

/// The participants with counts by status, organisation, role and municipality (the
/// organiser's users; anyone else 403, or 404 when the event is not readable).
#[utoipa::path(get, operation_id = "list_event_participants", path = "/events/{id}/participants", params(("id" = i64, Path)), tag = "events",
    responses((status = 200, body = EventParticipants), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn participants(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<EventParticipants>> {
    Ok(Json(state.store.read(move |db| registrations::participants(db, &v, id)).await?))
}

/// The caller's own registrations, latest event first.
#[utoipa::path(get, operation_id = "list_my_registrations", path = "/registrations", tag = "events",
    responses((status = 200, body = Vec<EventRegistration>)))]
pub async fn mine(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Vec<EventRegistration>>> {
    Ok(Json(state.store.read(move |db| registrations::mine(db, &v)).await?))
}

/// One registration (its person, or the organiser's users).
#[utoipa::path(get, operation_id = "get_registration", path = "/registrations/{id}", params(("id" = i64, Path)), tag = "events",
    responses((status = 200, body = EventRegistration), (status = 404, body = ApiErrorBody)))]
pub async fn get_registration(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
) -> ApiResult<Json<EventRegistration>> {
    Ok(Json(state.store.read(move |db| registrations::get(db, &v, id)).await?))
}

/// Cancels a registration (its person, or the organiser's coordinators); the first on the
/// waiting list gets the seat and an e-mail.
#[utoipa::path(post, operation_id = "cancel_registration", path = "/registrations/{id}/cancel", params(("id" = i64, Path)), tag = "events",
    responses((status = 200, body = EventRegistration), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn cancel(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<EventRegistration>> {
    let post = state.config.postmark();
    let r = state.store.write(move |db| registrations::cancel(db, &v, &post, id)).await?;
    state.store.wake_workers();
    Ok(Json(r))
}

/// Attendance as the organiser marks it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceInput {
    /// `registered`, `attended`, `no_show` or `cancelled`.
    pub status: String,
}

/// Marks attendance (the organiser's coordinators). An attended training gets its certificate.
#[utoipa::path(put, operation_id = "mark_attendance", path = "/registrations/{id}/attendance", params(("id" = i64, Path)), request_body = AttendanceInput, tag = "events",
    responses((status = 200, body = EventRegistration), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn mark(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AttendanceInput>,
) -> ApiResult<Json<EventRegistration>> {
    let post = state.config.postmark();
    let r = state.store.write(move |db| registrations::mark(db, &v, &post, id, &input.status)).await?;
    state.store.wake_workers();
    Ok(Json(r))
}

// ---- Certificates

/// The certificate of a registration (its person, or the organiser's users).
#[utoipa::path(get, operation_id = "get_registration_certificate", path = "/registrations/{id}/certificate", params(("id" = i64, Path)), tag = "events",
    responses((status = 200, body = Certificate), (status = 404, body = ApiErrorBody)))]
pub async fn certificate(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Certificate>> {
    Ok(Json(state.store.read(move |db| certificates::of_registration(db, &v, id)).await?))
}

/// Confirms a certificate by its verification code (public, no token needed).
#[utoipa::path(get, operation_id = "verify_certificate", path = "/certificates/{code}", params(("code" = String, Path)), tag = "events", security((), ("token" = [])),
    responses((status = 200, body = Certificate), (status = 404, body = ApiErrorBody)))]
pub async fn verify(State(state): State<AppState>, PublicApi(_): PublicApi, Path(code): Path<String>) -> ApiResult<Json<Certificate>> {
    let c = state.store.read(move |db| certificates::verify(db, &code)).await?;
    Ok(Json(c.ok_or(AppError::NotFound)?))
}

// ---- Survey

/// The event's survey (the organiser's users); 404 when none is defined.
#[utoipa::path(get, operation_id = "get_event_survey", path = "/events/{id}/survey", params(("id" = i64, Path)), tag = "events",
    responses((status = 200, body = Survey), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_survey(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Survey>> {
    let s = state.store.read(move |db| survey::get(db, &v, id)).await?;
    Ok(Json(s.ok_or(AppError::NotFound)?))
}

/// Defines the survey's questions (the organiser's coordinators), until it is sent.
#[utoipa::path(put, operation_id = "define_event_survey", path = "/events/{id}/survey", params(("id" = i64, Path)), request_body = SurveyInput, tag = "events",
    responses((status = 200, body = Survey), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn define_survey(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SurveyInput>,
) -> ApiResult<Json<Survey>> {
    Ok(Json(state.store.write(move |db| survey::define(db, &v, id, &input)).await?))
}

/// How many links a sending made.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct SurveySent {
    pub links: i64,
}

/// Sends the survey: one single-use link per attended participant, by e-mail. Once.
#[utoipa::path(post, operation_id = "send_event_survey", path = "/events/{id}/survey/send", params(("id" = i64, Path)), tag = "events",
    responses((status = 200, body = SurveySent), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn send_survey(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<SurveySent>> {
    let post = state.config.postmark();
    let links = state.store.write(move |db| survey::send(db, &v, &post, id)).await?;
    state.store.wake_workers();
    Ok(Json(SurveySent { links }))
}

/// The results with the response rate; free texts only from three answers on.
#[utoipa::path(get, operation_id = "get_event_survey_results", path = "/events/{id}/survey/results", params(("id" = i64, Path)), tag = "events",
    responses((status = 200, body = SurveyResults), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn results(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<SurveyResults>> {
    Ok(Json(state.store.read(move |db| survey::results(db, &v, id)).await?))
}

/// The survey behind a single-use link (public). A used link is 422 `events.survey_answered`.
#[utoipa::path(get, operation_id = "get_survey_by_link", path = "/surveys/{token}", params(("token" = String, Path)), tag = "events", security((), ("token" = [])),
    responses((status = 200, body = SurveyForm), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn survey_form(State(state): State<AppState>, PublicApi(_): PublicApi, Path(token): Path<String>) -> ApiResult<Json<SurveyForm>> {
    Ok(Json(state.store.read(move |db| survey::form(db, &token)).await?))
}

/// An answer: question id → `1`–`5` or text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswers {
    pub answers: BTreeMap<i64, String>,
}

/// Answers the survey behind a link (public, once; anonymous). A second answer is 422
/// `events.survey_answered` and nothing is written.
#[utoipa::path(post, operation_id = "answer_survey", path = "/surveys/{token}/answers", params(("token" = String, Path)), request_body = SurveyAnswers, tag = "events", security((), ("token" = [])),
    responses((status = 204), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    PublicApi(_): PublicApi,
    Path(token): Path<String>,
    ApiJson(input): ApiJson<SurveyAnswers>,
) -> ApiResult<StatusCode> {
    state.store.write(move |db| survey::answer(db, &token, &input.answers)).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- Coverage

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageParams {
    /// Default: this year.
    year: Option<i16>,
    /// Default: `training`.
    kind: Option<String>,
}

/// The training coverage of a county: attended participants per municipality by year and kind,
/// and the municipalities that never attended (county-board coordinators of the county and
/// system administrators).
#[utoipa::path(get, operation_id = "get_training_coverage", path = "/counties/{county}/training-coverage", params(("county" = String, Path), CoverageParams), tag = "events",
    responses((status = 200, body = TrainingCoverage), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn coverage(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(county): Path<String>,
    ApiQuery(p): ApiQuery<CoverageParams>,
) -> ApiResult<Json<TrainingCoverage>> {
    let q = TrainingCoverageQuery { year: p.year, kind: p.kind };
    Ok(Json(state.store.read(move |db| coverage::report(db, &v, &county, &q)).await?))
}
