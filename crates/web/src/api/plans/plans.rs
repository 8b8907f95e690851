//! `/plans…`: the åtgärdsplan — header, parties, decision, goals, indicators (with baselines
//! computed from Brygga's data), measures and their follow-up status and action links,
//! adoption, new versions, sharing, comparison of versions, and the plan as `brygga.plan` JSON.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use brygga_store::plans::compare::{self, Comparison};
use brygga_store::plans::goals::{self, Goal, GoalInput};
use brygga_store::plans::indicators::{self, Indicator, IndicatorInput};
use brygga_store::plans::measures::{self, Measure, MeasureInput, MeasureRef, MeasureStatusInput};
use brygga_store::plans::plan::{self, ActionPlan, PlanDocument, PlanInput, ShareInput};
use brygga_store::plans::transfer::{self, ImportInput, PlanFile};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::json::{ApiJson, ApiQuery, Created, IfMatch, Versioned};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only plans of this municipality (4 digits).
    municipality: Option<String>,
}

/// The plans (every version) the caller may read: its organisations' drafts and versions,
/// versions shared with its forums, published ones. Newest period first.
#[utoipa::path(get, operation_id = "list_plans", path = "/plans", params(ListParams), tag = "plans",
    responses((status = 200, body = Vec<ActionPlan>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<ActionPlan>>> {
    Ok(Json(state.store.read(move |db| plan::list(db, &v, p.municipality.as_deref())).await?))
}

/// Creates a plan (version 1, a draft) owned by the caller's organisation (coordinators).
#[utoipa::path(post, operation_id = "create_plan", path = "/plans", request_body = PlanInput, tag = "plans",
    responses((status = 201, body = ActionPlan), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<PlanInput>,
) -> ApiResult<Created<ActionPlan>> {
    let p = state.store.write(move |db| plan::create(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/plans/{}", p.id), p))
}

/// The whole plan version: header, goals, indicators, measures and the versions of the plan.
/// Readers outside the parties get baselines of small EST counts hidden. `ETag`: the version.
#[utoipa::path(get, operation_id = "get_plan", path = "/plans/{id}", params(("id" = i64, Path)), tag = "plans",
    responses((status = 200, body = PlanDocument), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<PlanDocument>> {
    let reader = v.clone();
    let d = state.store.read_audited(&v, move |db| plan::load_audited(db, &reader, id)).await?;
    Ok(Versioned(d.plan.version, d))
}

/// Changes the header of a draft (title, period, lägesbild, picture, decision). Send `If-Match`.
#[utoipa::path(put, operation_id = "update_plan", path = "/plans/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = PlanInput, tag = "plans",
    responses((status = 200, body = ActionPlan), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<PlanInput>,
) -> ApiResult<Versioned<ActionPlan>> {
    let p = state.store.write(move |db| plan::edit(db, &v, id, version, &input)).await?;
    Ok(Versioned(p.version, p))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    /// An organisation with an approved claim in the plan's municipality, or a police organisation.
    pub org_id: i64,
}

/// Adds a co-owner to a draft (the owner's coordinators).
#[utoipa::path(post, operation_id = "add_plan_party", path = "/plans/{id}/parties", params(("id" = i64, Path)), request_body = PartyInput, tag = "plans",
    responses((status = 200, body = ActionPlan), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn add_party(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PartyInput>,
) -> ApiResult<Json<ActionPlan>> {
    Ok(Json(state.store.write(move |db| plan::add_party(db, &v, id, input.org_id)).await?))
}

/// Removes a co-owner from a draft; refused while it is responsible for a measure (named).
#[utoipa::path(delete, operation_id = "remove_plan_party", path = "/plans/{id}/parties/{org_id}", params(("id" = i64, Path), ("org_id" = i64, Path)), tag = "plans",
    responses((status = 200, body = ActionPlan), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn remove_party(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, org_id)): Path<(i64, i64)>,
) -> ApiResult<Json<ActionPlan>> {
    Ok(Json(state.store.write(move |db| plan::remove_party(db, &v, id, org_id)).await?))
}

/// Adopts a draft (the owner's coordinators; `decided_by` and `decided_on` must be set). The
/// version never changes again; an earlier adopted version is superseded. Send `If-Match`.
#[utoipa::path(post, operation_id = "adopt_plan", path = "/plans/{id}/adopt", params(("id" = i64, Path), ("If-Match" = String, Header)), tag = "plans",
    responses((status = 200, body = ActionPlan), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn adopt(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
) -> ApiResult<Versioned<ActionPlan>> {
    let p = state.store.write(move |db| plan::adopt(db, &v, id, version)).await?;
    Ok(Versioned(p.version, p))
}

/// Starts a new draft copied from an adopted version (parts keep their keys). One draft at a time.
#[utoipa::path(post, operation_id = "new_plan_version", path = "/plans/{id}/new-version", params(("id" = i64, Path)), tag = "plans",
    responses((status = 201, body = ActionPlan), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn new_version(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Created<ActionPlan>> {
    let p = state.store.write(move |db| plan::new_version(db, &v, id)).await?;
    Ok(Created(format!("/api/v1/plans/{}", p.id), p))
}

/// Shares an adopted version with a forum, publishes it, or takes it back to the parties.
#[utoipa::path(put, operation_id = "share_plan", path = "/plans/{id}/sharing", params(("id" = i64, Path)), request_body = ShareInput, tag = "plans",
    responses((status = 200, body = ActionPlan), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn share(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ShareInput>,
) -> ApiResult<Json<ActionPlan>> {
    Ok(Json(state.store.write(move |db| plan::share(db, &v, id, &input)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareParams {
    /// The other version (same plan).
    with: i64,
}

/// Two versions side by side: header fields, and goals, indicators and measures matched by key.
#[utoipa::path(get, operation_id = "compare_plans", path = "/plans/{id}/compare", params(("id" = i64, Path), CompareParams), tag = "plans",
    responses((status = 200, body = Comparison), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn compare(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<CompareParams>,
) -> ApiResult<Json<Comparison>> {
    Ok(Json(state.store.read(move |db| compare::compare(db, &v, id, p.with)).await?))
}

/// The plan version as `brygga.plan` JSON (docs/PLAN-FORMAT.md): no ids, goals by key.
#[utoipa::path(get, operation_id = "export_plan", path = "/plans/{id}/export", params(("id" = i64, Path)), tag = "plans",
    responses((status = 200, body = PlanFile), (status = 404, body = ApiErrorBody)))]
pub async fn export(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<PlanFile>> {
    Ok(Json(state.store.read(move |db| transfer::export(db, &v, id)).await?))
}

/// Imports a `brygga.plan` file as a new draft of the caller's organisation. All or nothing:
/// every problem comes back at its JSON path (`document`, `plan.title`, `goals[3].parent`, …).
#[utoipa::path(post, operation_id = "import_plan", path = "/plans/import", request_body = ImportInput, tag = "plans",
    responses((status = 201, body = ActionPlan), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<ImportInput>,
) -> ApiResult<Created<ActionPlan>> {
    let p = state.store.write(move |db| transfer::import(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/plans/{}", p.id), p))
}

/// Adds a goal to a draft.
#[utoipa::path(post, operation_id = "create_plan_goal", path = "/plans/{id}/goals", params(("id" = i64, Path)), request_body = GoalInput, tag = "plans",
    responses((status = 201, body = Goal), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_goal(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<GoalInput>,
) -> ApiResult<Created<Goal>> {
    let g = state.store.write(move |db| goals::create(db, &v, id, &input)).await?;
    Ok(Created(format!("/api/v1/plans/goals/{}", g.id), g))
}

#[utoipa::path(get, operation_id = "get_plan_goal", path = "/plans/goals/{id}", params(("id" = i64, Path)), tag = "plans",
    responses((status = 200, body = Goal), (status = 404, body = ApiErrorBody)))]
pub async fn get_goal(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Goal>> {
    Ok(Json(state.store.read(move |db| goals::get(db, &v, id)).await?))
}

/// Changes a goal of a draft (parent in the same plan, no cycle, same or higher kind).
#[utoipa::path(put, operation_id = "update_plan_goal", path = "/plans/goals/{id}", params(("id" = i64, Path)), request_body = GoalInput, tag = "plans",
    responses((status = 200, body = Goal), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_goal(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<GoalInput>,
) -> ApiResult<Json<Goal>> {
    Ok(Json(state.store.write(move |db| goals::update(db, &v, id, &input)).await?))
}

/// Deletes a goal of a draft; refused while measures, indicators or subgoals depend on it.
#[utoipa::path(delete, operation_id = "delete_plan_goal", path = "/plans/goals/{id}", params(("id" = i64, Path)), tag = "plans",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn delete_goal(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| goals::delete(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds an indicator to a goal of a draft. With `compute_baseline`, the baseline is computed
/// from the series at `baseline_on` (422 at `baseline_on` when the series has no value there).
#[utoipa::path(post, operation_id = "create_plan_indicator", path = "/plans/{id}/indicators", params(("id" = i64, Path)), request_body = IndicatorInput, tag = "plans",
    responses((status = 201, body = Indicator), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_indicator(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<IndicatorInput>,
) -> ApiResult<Created<Indicator>> {
    let i = state.store.write(move |db| indicators::create(db, &v, id, &input)).await?;
    Ok(Created(format!("/api/v1/plans/indicators/{}", i.id), i))
}

#[utoipa::path(get, operation_id = "get_plan_indicator", path = "/plans/indicators/{id}", params(("id" = i64, Path)), tag = "plans",
    responses((status = 200, body = Indicator), (status = 404, body = ApiErrorBody)))]
pub async fn get_indicator(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Indicator>> {
    Ok(Json(state.store.read(move |db| indicators::get(db, &v, id)).await?))
}

/// Changes an indicator of a draft (the baseline is recomputed with `compute_baseline`).
#[utoipa::path(put, operation_id = "update_plan_indicator", path = "/plans/indicators/{id}", params(("id" = i64, Path)), request_body = IndicatorInput, tag = "plans",
    responses((status = 200, body = Indicator), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_indicator(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<IndicatorInput>,
) -> ApiResult<Json<Indicator>> {
    Ok(Json(state.store.write(move |db| indicators::update(db, &v, id, &input)).await?))
}

#[utoipa::path(delete, operation_id = "delete_plan_indicator", path = "/plans/indicators/{id}", params(("id" = i64, Path)), tag = "plans",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn delete_indicator(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| indicators::delete(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a measure to a draft (responsible: a party; goals of the plan; causes of its lägesbild;
/// actions of the municipality's forums the caller reads).
#[utoipa::path(post, operation_id = "create_plan_measure", path = "/plans/{id}/measures", params(("id" = i64, Path)), request_body = MeasureInput, tag = "plans",
    responses((status = 201, body = Measure), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_measure(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MeasureInput>,
) -> ApiResult<Created<Measure>> {
    let m = state.store.write(move |db| measures::create(db, &v, id, &input)).await?;
    Ok(Created(format!("/api/v1/plans/measures/{}", m.id), m))
}

#[utoipa::path(get, operation_id = "get_plan_measure", path = "/plans/measures/{id}", params(("id" = i64, Path)), tag = "plans",
    responses((status = 200, body = Measure), (status = 404, body = ApiErrorBody)))]
pub async fn get_measure(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Measure>> {
    Ok(Json(state.store.read(move |db| measures::get(db, &v, id)).await?))
}

#[utoipa::path(put, operation_id = "update_plan_measure", path = "/plans/measures/{id}", params(("id" = i64, Path)), request_body = MeasureInput, tag = "plans",
    responses((status = 200, body = Measure), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_measure(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MeasureInput>,
) -> ApiResult<Json<Measure>> {
    Ok(Json(state.store.write(move |db| measures::update(db, &v, id, &input)).await?))
}

#[utoipa::path(delete, operation_id = "delete_plan_measure", path = "/plans/measures/{id}", params(("id" = i64, Path)), tag = "plans",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn delete_measure(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| measures::delete(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Follow-up in the adopted version in force: the measure's status and a note (required for
/// `delayed` and `cancelled`).
#[utoipa::path(post, operation_id = "set_plan_measure_status", path = "/plans/measures/{id}/status", params(("id" = i64, Path)), request_body = MeasureStatusInput, tag = "plans",
    responses((status = 200, body = Measure), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn set_measure_status(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MeasureStatusInput>,
) -> ApiResult<Json<Measure>> {
    Ok(Json(state.store.write(move |db| measures::set_status(db, &v, id, &input)).await?))
}

/// Links a weekly action to a measure (a draft, or the adopted version in force).
#[utoipa::path(put, operation_id = "link_plan_measure_action", path = "/plans/measures/{id}/actions/{action_id}", params(("id" = i64, Path), ("action_id" = i64, Path)), tag = "plans",
    responses((status = 200, body = Measure), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn link_action(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, action_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Measure>> {
    Ok(Json(state.store.write(move |db| measures::link_action(db, &v, id, action_id)).await?))
}

#[utoipa::path(delete, operation_id = "unlink_plan_measure_action", path = "/plans/measures/{id}/actions/{action_id}", params(("id" = i64, Path), ("action_id" = i64, Path)), tag = "plans",
    responses((status = 200, body = Measure), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn unlink_action(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, action_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Measure>> {
    Ok(Json(state.store.write(move |db| measures::unlink_action(db, &v, id, action_id)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ByActionParams {
    /// A weekly action of the action list.
    action_id: i64,
}

/// The way back from the action list: the measures, in plan versions the caller may read, that
/// an action carries out.
#[utoipa::path(get, operation_id = "list_plan_measures_by_action", path = "/plans/measures", params(ByActionParams), tag = "plans",
    responses((status = 200, body = Vec<MeasureRef>), (status = 422, body = ApiErrorBody)))]
pub async fn measures_by_action(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiQuery(p): ApiQuery<ByActionParams>,
) -> ApiResult<Json<Vec<MeasureRef>>> {
    Ok(Json(state.store.read(move |db| measures::for_action(db, &v, p.action_id)).await?))
}
