//! `/observations` and `/forums/{id}/categories`: reporting through the API.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use brygga_domain::FieldError;
use brygga_domain::time::IsoWeek;
use brygga_store::StoreError;
use brygga_store::forums::categories::{self, Category, CategoryInput};
use brygga_store::kernel::idempotency::{self, Keyed};
use brygga_store::kernel::sharing::Scope;
use brygga_store::picture::observations::{self, Observation, ObservationInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiError, ApiErrorBody, ApiResult, AppError};
use crate::kit::json::{ApiJson, ApiQuery, Created, IdempotencyKey, IfMatch, Versioned, keyed_response, parse_json};

/// Reports an observation. Send an `Idempotency-Key` (any unique string, e.g. a UUID) so that a
/// retry after a network failure never stores the report twice: the retry gets the first answer
/// with `Idempotent-Replayed: true`.
#[utoipa::path(post, operation_id = "create_observation", path = "/observations", request_body = ObservationInput, tag = "observations",
    params(("Idempotency-Key" = Option<String>, Header, description = "Unique per report; reuse it when retrying")),
    responses((status = 201, body = Observation, description = "Stored; or, with `Idempotent-Replayed: true`, the first answer to an earlier request with the same key, replayed unchanged"),
        (status = 409, body = ApiErrorBody, description = "The key was used for a different request"), (status = 422, body = ApiErrorBody),
        (status = 503, body = ApiErrorBody, description = "`unavailable`: nothing was written, retry later; `outcome_unknown`: the connection broke during commit, retry with the same key")))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: ObservationInput = parse_json(headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), &body)?;
    let hash = idempotency::request_hash("POST", "/observations", &body);
    let org = v.org_ids().first().copied().ok_or(AppError::Forbidden)?;
    let keyed = state
        .store
        .write(move |db| {
            idempotency::once(db, org, key.as_deref(), &hash, |db| {
                let valid = observations::prepare(db, &v, &input, jiff::Timestamp::now())?;
                let created = observations::create(db, &v, &valid, "api", key.as_deref())?;
                let body = serde_json::to_string(&created.observation).map_err(|e| StoreError::Internal(e.to_string()))?;
                Ok(Keyed::Done { value: created.observation.id, status: 201, body })
            })
        })
        .await?;
    keyed_response(
        keyed,
        |id| format!("/api/v1/observations/{id}"),
        "Idempotency-Key har redan använts för en annan begäran. Använd en ny nyckel för en ny rapport.",
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// The joint picture of this forum …
    forum_id: Option<i64>,
    /// … or the caller's own organisation's reports (`own=true`).
    #[serde(default)]
    own: bool,
    /// First and last ISO week, e.g. `2026-W40`.
    from_week: Option<String>,
    to_week: Option<String>,
    category_id: Option<i64>,
    area_id: Option<i64>,
    /// Reports with ids below this (the previous page's `next`).
    before: Option<i64>,
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct ObservationPage {
    items: Vec<Observation>,
    next: Option<String>,
}

/// Reports behind a picture, newest first: the caller's own (`own=true`) or a forum's joint picture.
#[utoipa::path(get, operation_id = "list_observations", path = "/observations", params(ListParams), tag = "observations",
    responses((status = 200, body = ObservationPage), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<ObservationPage>> {
    let scope = match (p.own, p.forum_id) {
        (true, _) => Scope::Own { org_id: v.org_ids().first().copied().ok_or(AppError::Forbidden)? },
        (false, Some(forum_id)) => Scope::Joint { forum_id },
        (false, None) => {
            return Err(AppError::Invalid(
                FieldError::new("forum_id", "required", "Ange forum_id för forumets gemensamma bild, eller own=true för er egen.").into(),
            )
            .into());
        }
    };
    let week = |field: &str, s: &Option<String>| -> Result<Option<i32>, AppError> {
        match s {
            None => Ok(None),
            Some(w) => IsoWeek::parse(w).map(|w| Some(w.key())).map_err(|mut e| {
                e.field = field.to_owned();
                AppError::Invalid(e.into())
            }),
        }
    };
    let f = observations::Filter {
        scope: Some(scope),
        from_week: week("from_week", &p.from_week)?,
        to_week: week("to_week", &p.to_week)?,
        category_id: p.category_id,
        area_id: p.area_id,
        before_id: p.before,
        limit: p.limit,
        ..Default::default()
    };
    // Reports of other organisations in the page are an audited read (one entry naming them).
    let mut pages = state
        .store
        .write(move |db| observations::list_audited(db, &v, &[f], "observation.read", None, brygga_store::kernel::audit::Reads::OfOthers))
        .await?;
    let page = pages.pop().ok_or_else(|| AppError::Internal("no page".into()))?;
    Ok(Json(ObservationPage { items: page.items, next: page.next }))
}

#[utoipa::path(get, operation_id = "get_observation", path = "/observations/{id}", params(("id" = i64, Path)), tag = "observations",
    responses((status = 200, body = Observation), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Observation>> {
    let reader = v.clone();
    Ok(Json(state.store.read_audited(&v, move |db| observations::get_audited(db, &reader, id)).await?))
}

/// Removes a report (its reporter, or a coordinator of the reporting organisation).
#[utoipa::path(delete, operation_id = "delete_observation", path = "/observations/{id}", params(("id" = i64, Path)), tag = "observations",
    responses((status = 204), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    state.store.write(move |db| observations::delete(db, &v, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The forum's checklist (active categories; `all=true` includes retired ones).
#[utoipa::path(get, operation_id = "list_categories", path = "/forums/{id}/categories", params(("id" = i64, Path)), tag = "observations",
    responses((status = 200, body = Vec<Category>)))]
pub async fn list_categories(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<Category>>> {
    Ok(Json(state.store.read(move |db| categories::list(db, &v, id, false)).await?))
}

/// Adds a category to the forum's checklist (the convener's coordinators).
#[utoipa::path(post, operation_id = "create_category", path = "/forums/{id}/categories", params(("id" = i64, Path)), request_body = CategoryInput, tag = "observations",
    responses((status = 201, body = Category), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_category(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CategoryInput>,
) -> ApiResult<Created<Category>> {
    let valid = input.validate().map_err(AppError::Invalid)?;
    let c = state.store.write(move |db| categories::create(db, &v, id, &valid)).await?;
    Ok(Created(format!("/api/v1/categories/{}", c.id), c))
}

/// Renames, re-orders or retires a category (`active: false`). Send `If-Match`.
#[utoipa::path(put, operation_id = "update_category", path = "/categories/{id}", params(("id" = i64, Path), ("If-Match" = String, Header)), request_body = CategoryInput, tag = "observations",
    responses((status = 200, body = Category), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_category(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<CategoryInput>,
) -> ApiResult<Versioned<Category>> {
    let valid = input.validate().map_err(AppError::Invalid)?;
    let c = state.store.write(move |db| categories::update(db, &v, id, version, &valid)).await?;
    Ok(Versioned(c.version, c))
}
