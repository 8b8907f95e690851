//! `/forums/{id}/meetings`: the weekly meeting (avstämning) — its agenda of the week's flags and
//! the open and overdue actions, and decisions on an item that become actions.

use axum::Json;
use axum::extract::{Path, State};
use brygga_domain::time::IsoWeek;
use brygga_store::StoreError;
use brygga_store::forum_work::actions::{Action, ActionInput};
use brygga_store::forum_work::meetings::{self, Meeting};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult, AppError};
use crate::kit::json::{ApiJson, Created};

/// The week of the path, or a field error naming `week`.
fn week(s: &str) -> Result<IsoWeek, AppError> {
    IsoWeek::parse(s).map_err(|mut e| {
        e.field = "week".to_owned();
        AppError::Invalid(e.into())
    })
}

/// One meeting in the forum's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingSummary {
    /// `2026-W49`.
    week: String,
    /// Items on the agenda.
    items: i64,
    /// Actions decided at the meeting.
    actions: i64,
}

/// The forum's meetings, newest first.
#[utoipa::path(get, operation_id = "list_meetings", path = "/forums/{id}/meetings", params(("id" = i64, Path)), tag = "meetings",
    responses((status = 200, body = Vec<MeetingSummary>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<MeetingSummary>>> {
    let rows = state.store.read(move |db| meetings::list(db, &v, id)).await?;
    Ok(Json(rows.into_iter().map(|(week, items, actions)| MeetingSummary { week, items, actions }).collect()))
}

/// Opens the meeting of `week` (`2026-W49`; at most next week) and generates its agenda
/// (coordinators of member organisations). Idempotent: an opened meeting is returned as it is.
#[utoipa::path(put, operation_id = "open_meeting", path = "/forums/{id}/meetings/{week}", params(("id" = i64, Path), ("week" = String, Path)), tag = "meetings",
    responses((status = 200, body = Meeting), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn open(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path((id, w)): Path<(i64, String)>) -> ApiResult<Json<Meeting>> {
    let w = week(&w)?;
    Ok(Json(state.store.write(move |db| meetings::open(db, &v, id, w)).await?))
}

/// The meeting of `week`; `404` until it has been opened.
#[utoipa::path(get, operation_id = "get_meeting", path = "/forums/{id}/meetings/{week}", params(("id" = i64, Path), ("week" = String, Path)), tag = "meetings",
    responses((status = 200, body = Meeting), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path((id, w)): Path<(i64, String)>) -> ApiResult<Json<Meeting>> {
    let w = week(&w)?;
    // The meeting's record is the minutes: reading it is audited like the minutes page.
    let m =
        state.store.write(move |db| meetings::minutes(db, &v, id, w, "meeting.minutes")?.ok_or(StoreError::not_found("meeting"))).await?;
    Ok(Json(m.0))
}

/// Turns a decision on an agenda item into an action. The item's category, place and flag come
/// with it unless the body names others; the body says what, who and by when.
#[utoipa::path(post, operation_id = "decide_action", path = "/forums/{id}/meetings/{week}/items/{item_id}/actions",
    params(("id" = i64, Path), ("week" = String, Path), ("item_id" = i64, Path)), request_body = ActionInput, tag = "meetings",
    responses((status = 201, body = Action), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, w, item_id)): Path<(i64, String, i64)>,
    ApiJson(input): ApiJson<ActionInput>,
) -> ApiResult<Created<Action>> {
    let w = week(&w)?;
    let a = state.store.write(move |db| meetings::decide(db, &v, id, w, item_id, &input)).await?;
    Ok(Created(format!("/api/v1/actions/{}", a.id), a))
}
