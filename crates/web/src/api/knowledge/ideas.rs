//! `/good-examples…` and `/ideas…`: the API twins of the idea bank and the idea board.

use axum::Json;
use axum::extract::{Path, State};
use brygga_store::knowledge::ideas::{self, BoardIdea, Example, ExampleInput, IdeaInput, InterestInput};

use crate::AppState;
use crate::kit::auth::{ApiAuth, PublicApi};
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::json::{ApiJson, Created, IfMatch, Versioned};

/// The good examples the caller may read: published ones (public) and its organisation's drafts.
#[utoipa::path(get, operation_id = "list_good_examples", path = "/good-examples", tag = "knowledge",
    responses((status = 200, body = Vec<Example>)))]
pub async fn list_examples(State(state): State<AppState>, PublicApi(v): PublicApi) -> ApiResult<Json<Vec<Example>>> {
    Ok(Json(state.store.read(move |db| ideas::list_examples(db, &v, None)).await?))
}

/// Writes a good example for `owner_org_id` (member or above). A `story` needs
/// `story_consent: true` and passes the personal-data guard.
#[utoipa::path(post, operation_id = "create_good_example", path = "/good-examples", request_body = ExampleInput, tag = "knowledge",
    responses((status = 201, body = Example), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_example(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<ExampleInput>,
) -> ApiResult<Created<Example>> {
    let e = state.store.write(move |db| ideas::create_example(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/good-examples/{}", e.id), e))
}

/// One good example; a draft of another organisation is 404.
#[utoipa::path(get, operation_id = "get_good_example", path = "/good-examples/{id}", params(("id" = i64, Path)), tag = "knowledge",
    responses((status = 200, body = Example), (status = 404, body = ApiErrorBody)))]
pub async fn get_example(State(state): State<AppState>, PublicApi(v): PublicApi, Path(id): Path<i64>) -> ApiResult<Versioned<Example>> {
    let e = state.store.read(move |db| ideas::get_example(db, &v, id)).await?;
    Ok(Versioned(e.version, e))
}

/// Changes (or publishes) a good example. Send `If-Match`.
#[utoipa::path(put, operation_id = "update_good_example", path = "/good-examples/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = ExampleInput, tag = "knowledge",
    responses((status = 200, body = Example), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_example(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<ExampleInput>,
) -> ApiResult<Versioned<Example>> {
    let e = state.store.write(move |db| ideas::update_example(db, &v, id, version, &input)).await?;
    Ok(Versioned(e.version, e))
}

/// The ideas on the board the caller may read (open ones; its organisation's closed ones).
#[utoipa::path(get, operation_id = "list_ideas", path = "/ideas", tag = "knowledge",
    responses((status = 200, body = Vec<BoardIdea>)))]
pub async fn list_ideas(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Vec<BoardIdea>>> {
    Ok(Json(state.store.read(move |db| ideas::list_ideas(db, &v)).await?))
}

/// Posts an idea on the board for `owner_org_id`.
#[utoipa::path(post, operation_id = "create_idea", path = "/ideas", request_body = IdeaInput, tag = "knowledge",
    responses((status = 201, body = BoardIdea), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_idea(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<IdeaInput>,
) -> ApiResult<Created<BoardIdea>> {
    let i = state.store.write(move |db| ideas::create_idea(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/ideas/{}", i.id), i))
}

/// One idea, with the interests the caller may read.
#[utoipa::path(get, operation_id = "get_idea", path = "/ideas/{id}", params(("id" = i64, Path)), tag = "knowledge",
    responses((status = 200, body = BoardIdea), (status = 404, body = ApiErrorBody)))]
pub async fn get_idea(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Versioned<BoardIdea>> {
    let i = state.store.read(move |db| ideas::get_idea(db, &v, id)).await?;
    Ok(Versioned(i.version, i))
}

/// Changes or closes an idea (the owner's users). Send `If-Match`.
#[utoipa::path(put, operation_id = "update_idea", path = "/ideas/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = IdeaInput, tag = "knowledge",
    responses((status = 200, body = BoardIdea), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_idea(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<IdeaInput>,
) -> ApiResult<Versioned<BoardIdea>> {
    let i = state.store.write(move |db| ideas::update_idea(db, &v, id, version, &input)).await?;
    Ok(Versioned(i.version, i))
}

/// Registers the caller's organisation's interest in an open idea; the idea's owner's users
/// are e-mailed.
#[utoipa::path(post, operation_id = "register_idea_interest", path = "/ideas/{id}/interest", params(("id" = i64, Path)), request_body = InterestInput, tag = "knowledge",
    responses((status = 201, body = BoardIdea), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn interest(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<InterestInput>,
) -> ApiResult<Created<BoardIdea>> {
    let post = state.config.postmark();
    let i = state.store.write(move |db| ideas::register_interest(db, &v, &post, id, &input)).await?;
    Ok(Created(format!("/api/v1/ideas/{id}"), i))
}
