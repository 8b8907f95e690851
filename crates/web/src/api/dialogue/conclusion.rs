//! `/consultations/{id}/themes…`, `/consultation-themes/{id}…`, `/consultation-inputs/{id}/…`
//! and `/consultations/{id}/documentation…`: the API twins of concluding a consultation — themes
//! and Brygga's suggestion, dispositions with their links, the compiled documentation and its
//! publication. The same store functions, the same rules.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use brygga_store::dialogue::consultations::compiled::{self, Compiled, PublishInput, Version};
use brygga_store::dialogue::consultations::dispositions::{self, Disposition, DispositionInput, LinkChoice};
use brygga_store::dialogue::consultations::head;
use brygga_store::dialogue::consultations::themes::{self, Suggestion, Theme, ThemeInput, ThemedItem};
use brygga_store::kernel::idempotency::{self, Keyed};
use brygga_store::{StoreError, StoreResult};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiError, ApiErrorBody, ApiResult, AppError};
use crate::kit::json::{ApiJson, Created, IdempotencyKey, keyed_response, parse_json};

/// The consultation's themes, in order, with the number of items in each.
#[utoipa::path(get, operation_id = "list_consultation_themes", path = "/consultations/{id}/themes", params(("id" = i64, Path)), tag = "consultations",
    responses((status = 200, body = Vec<Theme>), (status = 404, body = ApiErrorBody)))]
pub async fn list_themes(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<Theme>>> {
    Ok(Json(state.store.read(move |db| themes::list(db, &v, id)).await?))
}

/// Creates a theme (confirmed unless `confirmed` is `false`). Organisers only.
#[utoipa::path(post, operation_id = "create_consultation_theme", path = "/consultations/{id}/themes", params(("id" = i64, Path)), request_body = ThemeInput, tag = "consultations",
    responses((status = 201, body = Theme), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_theme(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ThemeInput>,
) -> ApiResult<Created<Theme>> {
    let t = state.store.write(move |db| themes::create(db, &v, id, &input)).await?;
    Ok(Created(format!("/api/v1/consultation-themes/{}", t.id), t))
}

/// The items as organisers theme and dispose them (attribution applied: anonymous items carry
/// no organisation). Organisers only.
#[utoipa::path(get, operation_id = "list_consultation_items", path = "/consultations/{id}/items", params(("id" = i64, Path)), tag = "consultations",
    responses((status = 200, body = Vec<ThemedItem>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn items(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<ThemedItem>>> {
    Ok(Json(state.store.read(move |db| themes::items(db, &v, id)).await?))
}

/// Brygga's theme suggestion for the items outside confirmed themes (deterministic: the same
/// items give the same suggestion). Organisers only.
#[utoipa::path(get, operation_id = "suggest_consultation_themes", path = "/consultations/{id}/theme-suggestion", params(("id" = i64, Path)), tag = "consultations",
    responses((status = 200, body = Suggestion), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn suggestion(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Suggestion>> {
    Ok(Json(state.store.read(move |db| themes::suggest(db, &v, id)).await?))
}

/// Adopts the suggestion: unconfirmed themes are replaced by the suggested ones with their
/// items; confirmed themes stay. Returns all themes.
#[utoipa::path(post, operation_id = "adopt_consultation_theme_suggestion", path = "/consultations/{id}/theme-suggestion", params(("id" = i64, Path)), tag = "consultations",
    responses((status = 200, body = Vec<Theme>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn adopt_suggestion(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<Theme>>> {
    Ok(Json(state.store.write(move |db| themes::adopt_suggestion(db, &v, id)).await?))
}

/// Renames, summarises or confirms a theme.
#[utoipa::path(put, operation_id = "update_consultation_theme", path = "/consultation-themes/{id}", params(("id" = i64, Path)), request_body = ThemeInput, tag = "consultations",
    responses((status = 200, body = Theme), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_theme(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ThemeInput>,
) -> ApiResult<Json<Theme>> {
    Ok(Json(state.store.write(move |db| themes::update(db, &v, id, &input)).await?))
}

/// Removes an empty theme (422 `theme.not_empty` when it has items: merge or move them first).
#[utoipa::path(delete, operation_id = "delete_consultation_theme", path = "/consultation-themes/{id}", params(("id" = i64, Path)), tag = "consultations",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn delete_theme(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| themes::delete(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which theme to merge into.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// A theme of the same consultation.
    pub into: Option<i64>,
}

/// Merges the theme into `into`: its items move and it is removed. Refused (422) when it would
/// leave items without a theme of their consultation.
#[utoipa::path(post, operation_id = "merge_consultation_theme", path = "/consultation-themes/{id}/merge", params(("id" = i64, Path)), request_body = MergeInput, tag = "consultations",
    responses((status = 200, body = Theme), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn merge_theme(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MergeInput>,
) -> ApiResult<Json<Theme>> {
    Ok(Json(state.store.write(move |db| themes::merge(db, &v, id, input.into)).await?))
}

/// The theme to put an item in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// A theme of the item's consultation; `null` takes the item out of its theme.
    pub theme_id: Option<i64>,
}

/// Puts an item in a theme of its consultation.
#[utoipa::path(put, operation_id = "assign_consultation_item_theme", path = "/consultation-inputs/{id}/theme", params(("id" = i64, Path)), request_body = AssignInput, tag = "consultations",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn assign_theme(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<StatusCode> {
    state.store.write(move |db| themes::assign(db, &v, id, input.theme_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An item's disposition with its links (for organisers and the organisation that gave it).
#[utoipa::path(get, operation_id = "get_consultation_item_disposition", path = "/consultation-inputs/{id}/disposition", params(("id" = i64, Path)), tag = "consultations",
    responses((status = 200, body = Disposition), (status = 404, body = ApiErrorBody, description = "No such item, not readable, or no disposition yet")))]
pub async fn get_disposition(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Disposition>> {
    Ok(Json(
        state
            .store
            .read(move |db| {
                head::concluding_input(db, &v, id)?;
                dispositions::for_inputs(db, &v, &[id])?.pop().ok_or(StoreError::not_found("disposition"))
            })
            .await?,
    ))
}

/// Sets or changes an item's disposition: `outcome`, `reason` (required) and `links` as
/// `kind:id` (`situation`, `goal`, `measure`, `action`, `decision`) — each a record the caller
/// may read, else 422 `disposition.link_unreadable` and nothing is written. After the
/// documentation has been published, a change e-mails the item's contributor.
#[utoipa::path(put, operation_id = "set_consultation_item_disposition", path = "/consultation-inputs/{id}/disposition", params(("id" = i64, Path)), request_body = DispositionInput, tag = "consultations",
    responses((status = 200, body = Disposition), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn set_disposition(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DispositionInput>,
) -> ApiResult<Json<Disposition>> {
    let post = state.config.postmark();
    let d = state.store.write(move |db| dispositions::set(db, &v, &post, id, &input)).await?;
    state.store.wake_workers();
    Ok(Json(d))
}

/// The records a disposition of this consultation may link to from the forms (lägesbilder,
/// plan goals and measures of its municipality that the caller may read).
#[utoipa::path(get, operation_id = "list_consultation_link_choices", path = "/consultations/{id}/link-choices", params(("id" = i64, Path)), tag = "consultations",
    responses((status = 200, body = Vec<LinkChoice>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn link_choices(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<LinkChoice>>> {
    Ok(Json(state.store.read(move |db| dispositions::link_choices(db, &v, id)).await?))
}

/// The published versions of the compiled documentation, newest first.
#[utoipa::path(get, operation_id = "list_consultation_documentation", path = "/consultations/{id}/documentation", params(("id" = i64, Path)), tag = "consultations",
    responses((status = 200, body = Vec<Version>), (status = 404, body = ApiErrorBody)))]
pub async fn versions(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<Version>>> {
    Ok(Json(state.store.read(move |db| compiled::versions(db, &v, id)).await?))
}

/// The documentation as it would be published now (organisers only; `version` is 0).
#[utoipa::path(get, operation_id = "preview_consultation_documentation", path = "/consultations/{id}/documentation/preview", params(("id" = i64, Path)), tag = "consultations",
    responses((status = 200, body = Compiled), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn preview(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Compiled>> {
    Ok(Json(state.store.read(move |db| compiled::preview(db, &v, id)).await?))
}

/// One published version, as frozen when published.
#[utoipa::path(get, operation_id = "get_consultation_documentation", path = "/consultations/{id}/documentation/{version}", params(("id" = i64, Path), ("version" = i64, Path)), tag = "consultations",
    responses((status = 200, body = Compiled), (status = 404, body = ApiErrorBody)))]
pub async fn version(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path((id, version)): Path<(i64, i64)>,
) -> ApiResult<Json<Compiled>> {
    Ok(Json(state.store.read(move |db| compiled::published(db, &v, id, Some(version))).await?))
}

/// Publishes the documentation as the next version and e-mails every participant. Send an
/// `Idempotency-Key`: a retry with the same key gets the first answer, not a second version.
#[utoipa::path(post, operation_id = "publish_consultation_documentation", path = "/consultations/{id}/documentation", params(("id" = i64, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Unique per publication; reuse it when retrying")),
    request_body = PublishInput, tag = "consultations",
    responses((status = 201, body = Compiled), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody, description = "The key was used for a different request"), (status = 422, body = ApiErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: PublishInput = parse_json(headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), &body)?;
    let hash = idempotency::request_hash("POST", &format!("/consultations/{id}/documentation"), &body);
    let org = v.org_ids().first().copied().ok_or(AppError::Forbidden)?;
    let post = state.config.postmark();
    let keyed = state
        .store
        .write(move |db| {
            idempotency::once(db, org, key.as_deref(), &hash, |db| -> StoreResult<Keyed<i64>> {
                let doc = compiled::publish(db, &v, &post, id, &input)?;
                let body = serde_json::to_string(&doc).map_err(|e| StoreError::Internal(e.to_string()))?;
                Ok(Keyed::Done { value: doc.version, status: 201, body })
            })
        })
        .await?;
    if matches!(keyed, Keyed::Done { .. }) {
        state.store.wake_workers();
    }
    keyed_response(
        keyed,
        |version| format!("/api/v1/consultations/{id}/documentation/{version}"),
        "Idempotency-Key har redan använts för en annan begäran. Använd en ny nyckel för en ny publicering.",
    )
}

/// Which list to send the outcome to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigestInput {
    /// A newsletter list the caller's organisation manages.
    pub list_id: Option<i64>,
}

/// Sends the newest published version's outcome (counts per outcome and theme, the link for
/// participants) as a newsletter issue of kind `consultation_outcome`, with one-click unsubscribe.
/// 422 `consultation.unpublished` before the first publication.
#[utoipa::path(post, operation_id = "send_consultation_outcome_newsletter", path = "/consultations/{id}/documentation/newsletter", params(("id" = i64, Path)),
    request_body = DigestInput, tag = "consultations",
    responses((status = 200, body = brygga_store::dialogue::newsletters::Issue), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn send_digest(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DigestInput>,
) -> ApiResult<Json<brygga_store::dialogue::newsletters::Issue>> {
    let post = state.config.postmark();
    let issue = state.store.write(move |db| compiled::send_outcome_digest(db, &v, &post, id, input.list_id)).await?;
    state.store.wake_workers();
    Ok(Json(issue))
}
