//! `/newsletters…`: the API twins of the newsletter pages. The one-click unsubscribe has no
//! API twin: it is the page's `POST /nyhetsbrev/avregistrera/{token}` (RFC 8058), reached
//! without a token or session.

use axum::Json;
use axum::extract::{Path, State};
use brygga_store::dialogue::newsletters::{self, Issue, IssueInput, IssueKind, ListInput, NewsletterList, Subscription};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::kit::auth::{ApiAuth, PublicApi};
use crate::kit::error::{ApiErrorBody, ApiResult};
use crate::kit::json::{ApiJson, Created};

/// The lists the caller's organisation owns, and every opt-in list.
#[utoipa::path(get, operation_id = "list_newsletters", path = "/newsletters", tag = "newsletters",
    responses((status = 200, body = Vec<NewsletterList>)))]
pub async fn list(State(state): State<AppState>, PublicApi(v): PublicApi) -> ApiResult<Json<Vec<NewsletterList>>> {
    Ok(Json(state.store.read(move |db| newsletters::lists(db, &v)).await?))
}

/// Creates a list (the owner's coordinators).
#[utoipa::path(post, operation_id = "create_newsletter", path = "/newsletters", request_body = ListInput, tag = "newsletters",
    responses((status = 201, body = NewsletterList), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiJson(input): ApiJson<ListInput>,
) -> ApiResult<Created<NewsletterList>> {
    let l = state.store.write(move |db| newsletters::create_list(db, &v, &input)).await?;
    Ok(Created(format!("/api/v1/newsletters/{}", l.id), l))
}

/// One list (an opt-in list: anyone; a network list: the owner's users).
#[utoipa::path(get, operation_id = "get_newsletter", path = "/newsletters/{id}", params(("id" = i64, Path)), tag = "newsletters",
    responses((status = 200, body = NewsletterList), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, PublicApi(v): PublicApi, Path(id): Path<i64>) -> ApiResult<Json<NewsletterList>> {
    Ok(Json(state.store.read(move |db| newsletters::get_list(db, &v, id)).await?))
}

/// Subscribes the caller's own address to an opt-in list (confirmed at once).
#[utoipa::path(post, operation_id = "subscribe_newsletter", path = "/newsletters/{id}/subscribe", params(("id" = i64, Path)), tag = "newsletters",
    responses((status = 201, body = Subscription), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn subscribe(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Created<Subscription>> {
    let s = state.store.write(move |db| newsletters::subscribe_self(db, &v, id)).await?;
    Ok(Created(format!("/api/v1/newsletters/{id}"), s))
}

/// The caller's own current subscriptions.
#[utoipa::path(get, operation_id = "my_newsletter_subscriptions", path = "/newsletters/subscriptions", tag = "newsletters",
    responses((status = 200, body = Vec<Subscription>)))]
pub async fn mine(State(state): State<AppState>, ApiAuth(v): ApiAuth) -> ApiResult<Json<Vec<Subscription>>> {
    Ok(Json(state.store.read(move |db| newsletters::my_subscriptions(db, &v)).await?))
}

/// An issue to write: `kind` `general` (default) or `consultation_outcome` with its
/// `consultation_id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIssue {
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub kind: Option<IssueKind>,
    #[serde(default)]
    pub consultation_id: Option<i64>,
}

/// The issues of a list (the owner's coordinators).
#[utoipa::path(get, operation_id = "list_newsletter_issues", path = "/newsletters/{id}/issues", params(("id" = i64, Path)), tag = "newsletters",
    responses((status = 200, body = Vec<Issue>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn issues(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Vec<Issue>>> {
    Ok(Json(state.store.read(move |db| newsletters::issues(db, &v, id)).await?))
}

/// Writes an issue (not sent yet).
#[utoipa::path(post, operation_id = "create_newsletter_issue", path = "/newsletters/{id}/issues", params(("id" = i64, Path)), request_body = NewIssue, tag = "newsletters",
    responses((status = 201, body = Issue), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_issue(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<NewIssue>,
) -> ApiResult<Created<Issue>> {
    let kind = input.kind.unwrap_or(IssueKind::General);
    let i = state
        .store
        .write(move |db| {
            newsletters::create_issue(db, &v, id, &IssueInput { subject: input.subject, body: input.body }, kind, input.consultation_id)
        })
        .await?;
    Ok(Created(format!("/api/v1/newsletters/{id}/issues"), i))
}

/// Sends an issue: one outbox message per confirmed subscriber. Sending again does nothing.
#[utoipa::path(post, operation_id = "send_newsletter_issue", path = "/newsletter-issues/{id}/send", params(("id" = i64, Path)), tag = "newsletters",
    responses((status = 200, body = Issue), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn send(State(state): State<AppState>, ApiAuth(v): ApiAuth, Path(id): Path<i64>) -> ApiResult<Json<Issue>> {
    let post = state.config.postmark();
    Ok(Json(state.store.write(move |db| newsletters::send_issue(db, &v, &post, id)).await?))
}
