//! `/programmes…`, `/working-groups…`, `/activity-plans…`, `/initiatives…`,
//! `/participation/{county}`: the programme (programförklaring, handlingsprogram, signatories),
//! its development areas with their working groups and members, the groups' half-yearly
//! activity plans and their workflow, members' contributions to activities, and the county's
//! participation matrix. An activity plan's content (goals, indicators, activities, deviations,
//! comparison) is the plans API's (`/plans/{id}…`): it is an åtgärdsplan of kind `activity`.

pub mod deliverables;
pub mod report;
pub mod steering;

use axum::Json;
use axum::extract::{Path, State};
use brygga_store::programmes::activity::{self, ActivityPlan, ActivityView, Contribution, ContributionInput, StepInput};
use brygga_store::programmes::groups::{self, GroupInput, MemberInput};
use brygga_store::programmes::overview::{self, Overview};
use brygga_store::programmes::participation::{self, Initiative, InitiativeInput, Matrix, ParticipantInput};
use brygga_store::programmes::programme::{self, ProgrammeInput, Signatory, SignatoryInput};
use brygga_store::programmes::transfer::{self, ProgrammeFile, ProgrammeImport};
use brygga_store::programmes::{self as store, Programme, WorkingGroup};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::json::{ApiJson, Created, IfMatch, Versioned};

/// The programmes the caller may read (its organisations' as parties, shared with its forums,
/// published). Newest period first.
#[utoipa::path(get, operation_id = "list_programmes", path = "/programmes", tag = "programmes",
    responses((status = 200, body = Vec<Programme>)))]
pub async fn list(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Vec<Programme>>> {
    Ok(Json(state.store.read(move |db| store::list(db, &v)).await?))
}

/// Creates a programme owned by the caller's organisation (coordinators). A regional programme
/// is also an initiative of its county's participation matrix.
#[utoipa::path(post, operation_id = "create_programme", path = "/programmes", request_body = ProgrammeInput, tag = "programmes",
    responses((status = 201, body = Programme), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<ProgrammeInput>,
) -> ApiResult<Created<Programme>> {
    let p = state.store.write(move |db| programme::create(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/programmes/{}", p.id), p))
}

/// The programme at a glance: signatories, every working group's state (convener, members whose
/// mandate or working time is not stated, the current half-year's plan and state, failing goal
/// checks, open deviations) and the load on each organisation. `ETag`: the programme's version.
#[utoipa::path(get, operation_id = "get_programme", path = "/programmes/{id}", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = Overview), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<Overview>> {
    let o = state.store.read(move |db| overview::overview(db, &v, id)).await?;
    Ok(Versioned(o.programme.version, o))
}

/// Changes a programme (coordinators of the owner). Send `If-Match`.
#[utoipa::path(put, operation_id = "update_programme", path = "/programmes/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = ProgrammeInput, tag = "programmes",
    responses((status = 200, body = Programme), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<ProgrammeInput>,
) -> ApiResult<Versioned<Programme>> {
    let p = state.store.write(move |db| programme::edit(db, &v, id, version, &input)).await?;
    Ok(Versioned(p.version, p))
}

/// Adds a signatory of the programförklaring, or changes who signed and when.
#[utoipa::path(post, operation_id = "set_programme_signatory", path = "/programmes/{id}/signatories", params(("id" = i64, Path)),
    request_body = SignatoryInput, tag = "programmes",
    responses((status = 200, body = Vec<Signatory>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn set_signatory(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SignatoryInput>,
) -> ApiResult<Json<Vec<Signatory>>> {
    Ok(Json(state.store.write(move |db| programme::set_signatory(db, &v, id, &input)).await?))
}

/// Removes a signatory.
#[utoipa::path(delete, operation_id = "remove_programme_signatory", path = "/programmes/{id}/signatories/{org_id}",
    params(("id" = i64, Path), ("org_id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = Vec<Signatory>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn remove_signatory(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, org)): Path<(i64, i64)>,
) -> ApiResult<Json<Vec<Signatory>>> {
    Ok(Json(state.store.write(move |db| programme::remove_signatory(db, &v, id, org)).await?))
}

/// Adds a development area with its working group. The convening party is required: a group
/// without one is refused at `convener_org_id`, nothing written.
#[utoipa::path(post, operation_id = "create_working_group", path = "/programmes/{id}/groups", params(("id" = i64, Path)),
    request_body = GroupInput, tag = "programmes",
    responses((status = 201, body = WorkingGroup), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_group(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<GroupInput>,
) -> ApiResult<Created<WorkingGroup>> {
    let g = state.store.write(move |db| groups::create(db, &v, id, &input)).await?;
    Ok(Created(format!("/api/v1/working-groups/{}", g.id), g))
}

/// A working group with its members (each flagged when its mandate or working time is not
/// stated) and its activity plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupView {
    pub group: WorkingGroup,
    pub plans: Vec<ActivityPlan>,
}

/// One working group.
#[utoipa::path(get, operation_id = "get_working_group", path = "/working-groups/{id}", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = GroupView), (status = 404, body = ApiErrorBody)))]
pub async fn get_group(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<GroupView>> {
    Ok(Json(
        state
            .store
            .read(move |db| {
                let (_, group) = store::load_group(db, &v, id)?;
                let plans = activity::for_group(db, id)?;
                Ok(GroupView { group, plans })
            })
            .await?,
    ))
}

/// Changes a group's development area, name and convening party.
#[utoipa::path(put, operation_id = "update_working_group", path = "/working-groups/{id}", params(("id" = i64, Path)),
    request_body = GroupInput, tag = "programmes",
    responses((status = 200, body = WorkingGroup), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_group(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<GroupInput>,
) -> ApiResult<Json<WorkingGroup>> {
    Ok(Json(state.store.write(move |db| groups::edit(db, &v, id, &input)).await?))
}

/// Adds a member organisation with its representative (no account needed), mandate and working
/// time.
#[utoipa::path(post, operation_id = "add_working_group_member", path = "/working-groups/{id}/members", params(("id" = i64, Path)),
    request_body = MemberInput, tag = "programmes",
    responses((status = 200, body = WorkingGroup), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MemberInput>,
) -> ApiResult<Json<WorkingGroup>> {
    Ok(Json(state.store.write(move |db| groups::add_member(db, &v, id, &input)).await?))
}

/// Changes a member's representative, mandate and working time (`org_id` is ignored).
#[utoipa::path(put, operation_id = "update_working_group_member", path = "/working-group-members/{id}", params(("id" = i64, Path)),
    request_body = MemberInput, tag = "programmes",
    responses((status = 200, body = WorkingGroup), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_member(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MemberInput>,
) -> ApiResult<Json<WorkingGroup>> {
    Ok(Json(state.store.write(move |db| groups::edit_member(db, &v, id, &input)).await?))
}

/// Removes a member organisation (not the convening party).
#[utoipa::path(delete, operation_id = "remove_working_group_member", path = "/working-groups/{id}/members/{org_id}",
    params(("id" = i64, Path), ("org_id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = WorkingGroup), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, org)): Path<(i64, i64)>,
) -> ApiResult<Json<WorkingGroup>> {
    Ok(Json(state.store.write(move |db| groups::remove_member(db, &v, id, org)).await?))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartInput {
    /// `2027H1` (January–June) or `2027H2`; not one that has ended, and later than the group's
    /// latest plan (which must be fastställd).
    pub half_year: String,
}

/// Starts the group's activity plan for a half-year (coordinators of the convener or a member):
/// the first as a new plan, later ones as a new version copying every part of the latest.
#[utoipa::path(post, operation_id = "start_activity_plan", path = "/working-groups/{id}/activity-plans", params(("id" = i64, Path)),
    request_body = StartInput, tag = "programmes",
    responses((status = 201, body = ActivityPlan), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn start_plan(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StartInput>,
) -> ApiResult<Created<ActivityPlan>> {
    let a = state.store.write(move |db| activity::start(db, &v, id, &input.half_year)).await?;
    Ok(Created(format!("/api/v1/activity-plans/{}", a.plan_id), a))
}

/// An activity plan's workflow: state, every step with who and when and the comments, the
/// group's other half-years, and the steps the caller may take. Its content is `/plans/{id}`.
#[utoipa::path(get, operation_id = "get_activity_plan", path = "/activity-plans/{id}", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = ActivityView), (status = 404, body = ApiErrorBody)))]
pub async fn get_plan(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<ActivityView>> {
    Ok(Json(state.store.read(move |db| activity::get(db, &v, id)).await?))
}

/// Takes a workflow step: `submit` (the group; refused for a half-year that has ended),
/// `comment`, `quality_assure`, `return` (with a comment), `present`, `adopt` (the owner's
/// coordinators). A step out of order is refused at `step`, naming the next one.
#[utoipa::path(post, operation_id = "step_activity_plan", path = "/activity-plans/{id}/steps", params(("id" = i64, Path)),
    request_body = StepInput, tag = "programmes",
    responses((status = 200, body = ActivityView), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn step(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StepInput>,
) -> ApiResult<Json<ActivityView>> {
    Ok(Json(state.store.write(move |db| activity::step(db, &v, id, &input)).await?))
}

/// Sets (or with an empty text removes) a party's contribution to an activity of a draft
/// activity plan.
#[utoipa::path(put, operation_id = "set_activity_contribution", path = "/plans/measures/{id}/contributions", params(("id" = i64, Path)),
    request_body = ContributionInput, tag = "programmes",
    responses((status = 200, body = Vec<Contribution>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn set_contribution(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ContributionInput>,
) -> ApiResult<Json<Vec<Contribution>>> {
    Ok(Json(state.store.write(move |db| activity::set_contribution(db, &v, id, &input)).await?))
}

/// The county view: municipality × initiative, and the municipalities that take part in nothing.
#[utoipa::path(get, operation_id = "get_participation", path = "/participation/{county}", params(("county" = String, Path)), tag = "programmes",
    responses((status = 200, body = Matrix), (status = 404, body = ApiErrorBody)))]
pub async fn participation(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(county): Path<String>) -> ApiResult<Json<Matrix>> {
    Ok(Json(state.store.read(move |db| participation::matrix(db, &v, &county)).await?))
}

/// Creates an initiative (EST pilot, agreement, competence centre, network, project, other).
#[utoipa::path(post, operation_id = "create_initiative", path = "/initiatives", request_body = InitiativeInput, tag = "programmes",
    responses((status = 201, body = Initiative), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_initiative(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<InitiativeInput>,
) -> ApiResult<Created<Initiative>> {
    let i = state.store.write(move |db| participation::create(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/initiatives/{}", i.id), i))
}

/// One initiative with the municipalities taking part.
#[utoipa::path(get, operation_id = "get_initiative", path = "/initiatives/{id}", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = Initiative), (status = 404, body = ApiErrorBody)))]
pub async fn get_initiative(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Initiative>> {
    Ok(Json(state.store.read(move |db| participation::get(db, &v, id)).await?))
}

/// Adds a municipality to an initiative, or changes its role and dates.
#[utoipa::path(post, operation_id = "set_initiative_participant", path = "/initiatives/{id}/participants", params(("id" = i64, Path)),
    request_body = ParticipantInput, tag = "programmes",
    responses((status = 200, body = Initiative), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn set_participant(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ParticipantInput>,
) -> ApiResult<Json<Initiative>> {
    Ok(Json(state.store.write(move |db| participation::set_participant(db, &v, id, &input)).await?))
}

/// Takes a municipality out of an initiative.
#[utoipa::path(delete, operation_id = "remove_initiative_participant", path = "/initiatives/{id}/participants/{code}",
    params(("id" = i64, Path), ("code" = String, Path)), tag = "programmes",
    responses((status = 200, body = Initiative), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn remove_participant(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, code)): Path<(i64, String)>,
) -> ApiResult<Json<Initiative>> {
    Ok(Json(state.store.write(move |db| participation::remove_participant(db, &v, id, &code)).await?))
}

/// The programme as `brygga.programme` JSON (docs/PROGRAMME-FORMAT.md): header, signatories,
/// development areas with their groups and members, and each group's activity plans as
/// `brygga.plan` documents with their half-year and workflow state.
#[utoipa::path(get, operation_id = "export_programme", path = "/programmes/{id}/export", params(("id" = i64, Path)), tag = "programmes",
    responses((status = 200, body = ProgrammeFile), (status = 404, body = ApiErrorBody)))]
pub async fn export(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<ProgrammeFile>> {
    Ok(Json(state.store.read(move |db| transfer::export(db, &v, id)).await?))
}

/// Imports a `brygga.programme` file as a new programme owned by the caller's organisation.
/// Everything is checked first; on any error nothing is written and every problem is named by
/// its place in the file.
#[utoipa::path(post, operation_id = "import_programme", path = "/programmes/import", request_body = ProgrammeImport, tag = "programmes",
    responses((status = 201, body = Programme), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<ProgrammeImport>,
) -> ApiResult<Created<Programme>> {
    let p = state.store.write(move |db| transfer::import(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/programmes/{}", p.id), p))
}
