//! API extractors whose rejections use the API's error shape and name the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use brygga_domain::FieldError;
use brygga_store::kernel::idempotency::{self, Keyed};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::kit::error::{ApiError, AppError};

/// A JSON body. Wrong content type, broken JSON, unknown or mistyped fields are answered with
/// the field's path and a Swedish explanation; nothing is written.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = Bytes::from_request(req, state).await.map_err(|_| AppError::TooLarge)?;
        parse_json(content_type.as_deref(), &bytes).map(ApiJson)
    }
}

/// Parses a JSON body, naming the field at fault (for handlers that also need the raw bytes).
pub fn parse_json<T: DeserializeOwned>(content_type: Option<&str>, bytes: &[u8]) -> Result<T, ApiError> {
    if !content_type.is_some_and(|ct| ct.starts_with("application/json")) {
        return Err(AppError::BadRequest("Skicka JSON med huvudet Content-Type: application/json.".into()).into());
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        let inner = e.into_inner();
        let message = if inner.is_syntax() || inner.is_eof() {
            format!(
                "Kroppen är inte giltig JSON (rad {}, kolumn {}). Kontrollera citattecken och kommatecken.",
                inner.line(),
                inner.column()
            )
        } else {
            format!("Fältet ”{field}” kunde inte läsas: {inner}. Se API-beskrivningen för rätt namn och typ.")
        };
        ApiError(AppError::Invalid(FieldError::new(field, "json.invalid", message).into()))
    })
}

/// Query parameters with the API's error shape.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(q).map(ApiQuery).map_err(|e| {
            ApiError(AppError::Invalid(
                FieldError::new("query", "query.invalid", format!("Frågeparametrarna kunde inte läsas: {e}.")).into(),
            ))
        })
    }
}

/// `201 Created` with a `Location` header.
pub struct Created<T>(pub String, pub T);

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (StatusCode::CREATED, [(header::LOCATION, self.0)], axum::Json(self.1)).into_response()
    }
}

/// A JSON body with an `ETag` carrying the record's version.
pub struct Versioned<T>(pub i64, pub T);

impl<T: Serialize> IntoResponse for Versioned<T> {
    fn into_response(self) -> Response {
        (StatusCode::OK, [(header::ETAG, format!("\"{}\"", self.0))], axum::Json(self.1)).into_response()
    }
}

/// The version a client edits, from `If-Match: "N"` (as returned in `ETag`).
pub struct IfMatch(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()).unwrap_or("");
        raw.trim().trim_start_matches("W/").trim_matches('"').parse().map(IfMatch).map_err(|_| {
            ApiError(AppError::Invalid(
                FieldError::new(
                    "If-Match",
                    "precondition_required",
                    "Ändringar kräver huvudet If-Match med postens version från ETag, till exempel If-Match: \"3\". Hämta posten först.",
                )
                .into(),
            ))
        })
    }
}

/// The `Idempotency-Key` header, if sent: 1–200 characters, surrounding space ignored. One
/// reading for every keyed endpoint, so each refuses a bad key with the same field error.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get("idempotency-key").map(|h| h.to_str().map(str::trim)) {
            None => Ok(IdempotencyKey(None)),
            Some(Ok(k)) if !k.is_empty() && k.len() <= idempotency::MAX_KEY_LEN => Ok(IdempotencyKey(Some(k.to_owned()))),
            Some(_) => Err(ApiError(AppError::Invalid(
                FieldError::new(
                    "Idempotency-Key",
                    "idempotency_key.invalid",
                    format!("Idempotency-Key ska vara 1–{} tecken.", idempotency::MAX_KEY_LEN),
                )
                .into(),
            ))),
        }
    }
}

static REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The answer to a keyed write ([`idempotency::once`]): the new record (with `Location` from
/// `location`), the first answer again with `Idempotent-Replayed: true`, or 409 with
/// `conflict` (what to do instead, in Swedish).
pub fn keyed_response<T>(keyed: Keyed<T>, location: impl FnOnce(&T) -> String, conflict: &str) -> Result<Response, ApiError> {
    let json = (header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    match keyed {
        Keyed::Done { value, status, body } => {
            let location = HeaderValue::try_from(location(&value)).map_err(|e| AppError::Internal(e.to_string()))?;
            Ok((StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED), [(header::LOCATION, location), json], body).into_response())
        }
        Keyed::Replayed { status, body } => {
            let mut r = (StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED), [json], body).into_response();
            r.headers_mut().insert(REPLAYED.clone(), HeaderValue::from_static("true"));
            Ok(r)
        }
        Keyed::Conflict => Err(AppError::Conflict(conflict.to_owned()).into()),
    }
}
