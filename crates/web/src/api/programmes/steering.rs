//! The steering group of a programme for API callers: members, meetings with their generated
//! agenda, presenting and adopting activity plans at a meeting, decisions and their follow-up.
//! The same store functions and rules as the pages: the programme's parties read, the owner's
//! coordinators write; a programme the caller may not read is 404.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use brygga_domain::FieldErrors;
use brygga_store::programmes::decisions::{self, Decision, DecisionInput, FollowUpInput};
use brygga_store::programmes::steering::{self, AgendaItem, Meeting, MeetingDetail, MeetingInput, MemberInput, SteeringMember};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::json::{ApiJson, Created};

/// The steering group, the chair first.
#[utoipa::path(get, operation_id = "list_steering_members", path = "/programmes/{id}/steering-members", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = Vec<SteeringMember>), (status = 404, body = ApiErrorBody)))]
pub async fn members(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<SteeringMember>>> {
    Ok(Json(state.store.read(move |db| steering::members(db, &v, id)).await?))
}

/// Adds an organisation to the steering group or changes its representative (a title) and role
/// (`chair`, `member`, `secretary`; one chair). The organisation becomes a party of the programme.
#[utoipa::path(post, operation_id = "set_steering_member", path = "/programmes/{id}/steering-members", params(("id" = i64, Path)), request_body = MemberInput, tag = "programmes",
    responses((status = 200, body = SteeringMember), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn set_member(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MemberInput>,
) -> ApiResult<Json<SteeringMember>> {
    Ok(Json(state.store.write(move |db| steering::set_member(db, &v, id, &input, FieldErrors::new())).await?))
}

/// Takes an organisation out of the steering group.
#[utoipa::path(delete, operation_id = "remove_steering_member", path = "/programmes/{id}/steering-members/{org_id}", params(("id" = i64, Path), ("org_id" = i64, Path)), tag = "programmes",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, org_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state.store.write(move |db| steering::remove_member(db, &v, id, org_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The programme's steering meetings, newest first.
#[utoipa::path(get, operation_id = "list_steering_meetings", path = "/programmes/{id}/steering-meetings", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = Vec<Meeting>), (status = 404, body = ApiErrorBody)))]
pub async fn meetings(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<Meeting>>> {
    Ok(Json(state.store.read(move |db| steering::meetings(db, &v, id)).await?))
}

/// Plans a steering meeting (or records one held); its agenda is generated from the working
/// groups' state: plans awaiting a decision, goals off track, open deviations, uppdrag past or
/// near due, deliverables delivered but not distributed.
#[utoipa::path(post, operation_id = "create_steering_meeting", path = "/programmes/{id}/steering-meetings", params(("id" = i64, Path)), request_body = MeetingInput, tag = "programmes",
    responses((status = 201, body = MeetingDetail), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_meeting(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MeetingInput>,
) -> ApiResult<Created<MeetingDetail>> {
    let m = state.store.write(move |db| steering::create_meeting(db, &v, id, &input, FieldErrors::new())).await?;
    Ok(Created(format!("/api/v1/steering-meetings/{}", m.meeting.id), m))
}

/// A meeting with its agenda and decisions.
#[utoipa::path(get, operation_id = "get_steering_meeting", path = "/steering-meetings/{id}", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = MeetingDetail), (status = 404, body = ApiErrorBody)))]
pub async fn get_meeting(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<MeetingDetail>> {
    Ok(Json(state.store.read(move |db| steering::meeting(db, &v, id)).await?))
}

/// Changes a meeting (send back the `version` read: a stale one is 409).
#[utoipa::path(put, operation_id = "update_steering_meeting", path = "/steering-meetings/{id}", params(("id" = i64, Path)), request_body = MeetingInput, tag = "programmes",
    responses((status = 200, body = MeetingDetail), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_meeting(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MeetingInput>,
) -> ApiResult<Json<MeetingDetail>> {
    Ok(Json(state.store.write(move |db| steering::update_meeting(db, &v, id, &input, FieldErrors::new())).await?))
}

/// Deletes a meeting with its agenda and decisions (refused when a plan was presented at it).
#[utoipa::path(delete, operation_id = "delete_steering_meeting", path = "/steering-meetings/{id}", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn delete_meeting(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| steering::delete_meeting(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An agenda item of the coordinator's own.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaItemInput {
    pub title: String,
}

/// Adds an item of one's own at the end of the agenda.
#[utoipa::path(post, operation_id = "add_steering_agenda_item", path = "/steering-meetings/{id}/agenda", params(("id" = i64, Path)), request_body = AgendaItemInput, tag = "programmes",
    responses((status = 201, body = AgendaItem), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn add_item(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AgendaItemInput>,
) -> ApiResult<Created<AgendaItem>> {
    let item = state.store.write(move |db| steering::add_item(db, &v, id, &input.title)).await?;
    Ok(Created(format!("/api/v1/steering-meetings/{id}"), item))
}

/// What a refresh of the agenda did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaRefreshed {
    /// Items added (what has come up since; never an item twice).
    pub added: usize,
}

/// Adds to the agenda what the groups' state calls for and the agenda does not hold yet.
#[utoipa::path(post, operation_id = "refresh_steering_agenda", path = "/steering-meetings/{id}/agenda/refresh", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = AgendaRefreshed), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn refresh_agenda(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<AgendaRefreshed>> {
    let added = state.store.write(move |db| steering::refresh_agenda(db, &v, id)).await?;
    Ok(Json(AgendaRefreshed { added }))
}

/// Removes an item from the agenda.
#[utoipa::path(delete, operation_id = "remove_steering_agenda_item", path = "/steering-meetings/{id}/agenda/{item_id}", params(("id" = i64, Path), ("item_id" = i64, Path)), tag = "programmes",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn remove_item(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, item_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state.store.write(move |db| steering::remove_item(db, &v, id, item_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which way an item moves.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// `up` or `down`.
    pub direction: String,
}

/// Moves an item one step up or down; the agenda in its new order.
#[utoipa::path(post, operation_id = "move_steering_agenda_item", path = "/steering-meetings/{id}/agenda/{item_id}/move", params(("id" = i64, Path), ("item_id" = i64, Path)), request_body = MoveInput, tag = "programmes",
    responses((status = 200, body = Vec<AgendaItem>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn move_item(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, item_id)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<MoveInput>,
) -> ApiResult<Json<Vec<AgendaItem>>> {
    let up = match input.direction.as_str() {
        "up" => true,
        "down" => false,
        other => {
            return Err(crate::kit::error::AppError::Invalid(
                brygga_domain::FieldError::new("direction", "direction.unknown", format!("Okänd riktning ”{other}”. Ange up eller down."))
                    .into(),
            )
            .into());
        }
    };
    Ok(Json(state.store.write(move |db| steering::move_item(db, &v, id, item_id, up)).await?))
}

/// Presents a quality-assured activity plan of the programme at the meeting (the workflow's
/// `presented`).
#[utoipa::path(post, operation_id = "present_plan_at_steering_meeting", path = "/steering-meetings/{id}/plans/{plan_id}/present", params(("id" = i64, Path), ("plan_id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = MeetingDetail), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn present_plan(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, plan_id)): Path<(i64, i64)>,
) -> ApiResult<Json<MeetingDetail>> {
    Ok(Json(state.store.write(move |db| steering::present_plan(db, &v, id, plan_id)).await?))
}

/// Adopts a presented activity plan at the meeting: the steering group decides, on the meeting's
/// day, with the meeting and the beslut's number as reference; the beslut is logged.
#[utoipa::path(post, operation_id = "adopt_plan_at_steering_meeting", path = "/steering-meetings/{id}/plans/{plan_id}/adopt", params(("id" = i64, Path), ("plan_id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = MeetingDetail), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn adopt_plan(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, plan_id)): Path<(i64, i64)>,
) -> ApiResult<Json<MeetingDetail>> {
    Ok(Json(state.store.write(move |db| steering::adopt_plan(db, &v, id, plan_id)).await?))
}

/// The programme's decisions, newest meeting first; open uppdrag past their due date are
/// `overdue`.
#[utoipa::path(get, operation_id = "list_steering_decisions", path = "/programmes/{id}/steering-decisions", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = Vec<Decision>), (status = 404, body = ApiErrorBody)))]
pub async fn decisions(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<Decision>>> {
    Ok(Json(state.store.read(move |db| decisions::for_programme(db, &v, id)).await?))
}

/// Logs a decision at the meeting, numbered next: `information`, `decision` (beslut) or
/// `assignment` (uppdrag — `owner_org_id` and `due_on` required).
#[utoipa::path(post, operation_id = "log_steering_decision", path = "/steering-meetings/{id}/decisions", params(("id" = i64, Path)), request_body = DecisionInput, tag = "programmes",
    responses((status = 201, body = Decision), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn log_decision(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Created<Decision>> {
    let d = state.store.write(move |db| decisions::log(db, &v, id, &input, FieldErrors::new())).await?;
    Ok(Created(format!("/api/v1/steering-decisions/{}", d.id), d))
}

#[utoipa::path(get, operation_id = "get_steering_decision", path = "/steering-decisions/{id}", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = Decision), (status = 404, body = ApiErrorBody)))]
pub async fn get_decision(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Decision>> {
    Ok(Json(state.store.read(move |db| decisions::get(db, &v, id)).await?))
}

/// Removes a decision logged by mistake.
#[utoipa::path(delete, operation_id = "delete_steering_decision", path = "/steering-decisions/{id}", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn delete_decision(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| decisions::remove(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records a decision's follow-up: `open`, `done` or `cancelled` (the note says why), with the
/// day it was closed (today when left out).
#[utoipa::path(post, operation_id = "follow_up_steering_decision", path = "/steering-decisions/{id}/follow-up", params(("id" = i64, Path)), request_body = FollowUpInput, tag = "programmes",
    responses((status = 200, body = Decision), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn follow_up(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<FollowUpInput>,
) -> ApiResult<Json<Decision>> {
    Ok(Json(state.store.write(move |db| decisions::follow_up(db, &v, id, &input, FieldErrors::new())).await?))
}
