//! `GET /search`: the API twin of the search page — the same store function, the same rules.
//! Without a token the caller is anonymous and finds public records only.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::StoreError;
use brygga_store::search::{self, SearchQuery, SearchResult};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::kit::auth::PublicApi;
use crate::kit::error::{ApiError, ApiErrorBody, AppError};
use crate::kit::json::ApiQuery;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The words to find (all must occur; inflected forms match: `ungdomsgård` finds
    /// `ungdomsgårdar`). At most 200 characters and 20 words.
    q: Option<String>,
    /// Only these kinds, comma-separated: `place`, `action`, `plan`, `situation`.
    kind: Option<String>,
    /// Only this municipality (4 digits).
    municipality: Option<String>,
    /// Hits per page, 1–50 (default 20).
    limit: Option<String>,
    /// Hits to skip, 0–10000 (default 0).
    offset: Option<String>,
}

fn number(errs: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<i64> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    match v.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(field, "number.invalid", format!("Ange {field} som ett heltal, till exempel 20.")));
            None
        }
    }
}

fn bad_request(errs: FieldErrors) -> Response {
    let mut resp = ApiError(AppError::Invalid(errs)).into_response();
    *resp.status_mut() = StatusCode::BAD_REQUEST;
    resp
}

/// Searches what the caller may read: records it may not read are never hits and never counted,
/// in `total` or in the facets. Ranked by Σ over terms of (3 × title occurrences + body
/// occurrences), ties by kind, then id. A bad query is answered 400 naming the field.
#[utoipa::path(get, operation_id = "search", path = "/search", params(SearchParams), tag = "search", security((), ("token" = [])),
    responses((status = 200, body = SearchResult), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody)))]
pub async fn search(State(state): State<AppState>, PublicApi(v): PublicApi, ApiQuery(p): ApiQuery<SearchParams>) -> Response {
    let mut errs = FieldErrors::new();
    let limit = number(&mut errs, "limit", p.limit.as_deref());
    let offset = number(&mut errs, "offset", p.offset.as_deref());
    if !errs.is_empty() {
        return bad_request(errs);
    }
    let kinds = p.kind.as_deref().unwrap_or("").split(',').map(str::trim).filter(|k| !k.is_empty()).map(str::to_owned).collect();
    let query = SearchQuery { q: p.q.unwrap_or_default(), kinds, municipality: p.municipality, limit, offset };
    match search::search(&state.store, &v, &query).await {
        Ok(r) => Json(r).into_response(),
        Err(StoreError::Invalid(errs)) => bad_request(errs),
        Err(e) => ApiError::from(e).into_response(),
    }
}
