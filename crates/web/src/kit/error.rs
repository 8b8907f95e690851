//! One error type for the web layer, rendered as a Swedish HTML page for people and as the
//! API's JSON error shape for programs — from the same value. Internal details are logged
//! (without personal data) and never shown.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use brygga_domain::FieldErrors;
use brygga_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::kit::i18n::filters;

/// Runs CPU-heavy work on untrusted input (parsing and validating uploads, geometry checks) on
/// the blocking pool, so that the async workers keep answering other requests (`/healthz`
/// among them) while it runs.
pub async fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await.map_err(|_| AppError::Internal("validation panicked".into()))
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Not signed in (or the session has expired, or the token is revoked).
    #[error("unauthenticated")]
    Unauthenticated { reason: AuthFailure },
    #[error("csrf")]
    Csrf,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("stale")]
    Stale,
    /// A conflict other than a stale version, explained in the message.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("payload too large")]
    TooLarge,
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The database connection broke during COMMIT: the write may have been stored.
    #[error("outcome unknown: {0}")]
    OutcomeUnknown(String),
    #[error("internal: {0}")]
    Internal(String),
}

/// Why a request is not authenticated, so the message can say what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    Missing,
    Expired,
    Revoked,
    Invalid,
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => AppError::NotFound,
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Invalid(f) => AppError::Invalid(f),
            StoreError::Stale => AppError::Stale,
            StoreError::RateLimited { retry_after_secs } => AppError::RateLimited { retry_after_secs },
            StoreError::InvalidCredentials => AppError::Unauthenticated { reason: AuthFailure::Invalid },
            StoreError::Unavailable(m) => AppError::Unavailable(m),
            StoreError::OutcomeUnknown(m) => AppError::OutcomeUnknown(m),
            StoreError::Internal(m) => AppError::Internal(m),
        }
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Stale | AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable(_) | AppError::OutcomeUnknown(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine code of the API error shape.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::Unauthenticated { reason: AuthFailure::Missing } => "unauthenticated",
            AppError::Unauthenticated { reason: AuthFailure::Expired } => "token_expired",
            AppError::Unauthenticated { reason: AuthFailure::Revoked } => "token_revoked",
            AppError::Unauthenticated { reason: AuthFailure::Invalid } => "invalid_credentials",
            AppError::Csrf => "csrf_failed",
            AppError::Invalid(_) => "validation_failed",
            AppError::BadRequest(_) => "bad_request",
            AppError::Stale | AppError::Conflict(_) => "conflict",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::TooLarge => "payload_too_large",
            AppError::Unavailable(_) => "unavailable",
            AppError::OutcomeUnknown(_) => "outcome_unknown",
            AppError::Internal(_) => "internal",
        }
    }

    /// What happened and what to do, in Swedish.
    pub fn message(&self) -> String {
        match self {
            AppError::NotFound => "Sidan eller posten finns inte, eller så har du inte behörighet att se den. Kontrollera adressen eller gå tillbaka till startsidan.".into(),
            AppError::Forbidden => "Du har inte behörighet att göra det här. Be en administratör i din organisation om hjälp.".into(),
            AppError::Unauthenticated { reason: AuthFailure::Missing } => "Du behöver logga in. API-anrop behöver en API-nyckel i huvudet Authorization: Bearer <nyckel>.".into(),
            AppError::Unauthenticated { reason: AuthFailure::Expired } => "Inloggningen eller nyckeln har gått ut. Logga in igen eller skapa en ny nyckel.".into(),
            AppError::Unauthenticated { reason: AuthFailure::Revoked } => "API-nyckeln är återkallad. Skapa en ny nyckel under Mitt konto.".into(),
            AppError::Unauthenticated { reason: AuthFailure::Invalid } => "Fel e-postadress eller lösenord. Kontrollera stavningen och försök igen.".into(),
            AppError::Csrf => "Formuläret kunde inte kontrolleras — det kan ha legat öppet för länge eller kommit från en annan webbplats. Ladda om sidan och försök igen.".into(),
            AppError::Invalid(f) => match f.0.as_slice() {
                [one] => one.message.clone(),
                many => format!("{} fält behöver rättas.", many.len()),
            },
            AppError::BadRequest(m) | AppError::Conflict(m) => m.clone(),
            AppError::Stale => "Någon annan har ändrat uppgifterna medan du redigerade. Ladda om sidan, gör om ändringen och spara igen.".into(),
            AppError::RateLimited { retry_after_secs } => {
                let minutes = retry_after_secs.div_ceil(60);
                format!("För många försök. Vänta {minutes} minut{} och försök igen.", if minutes == 1 { "" } else { "er" })
            }
            AppError::TooLarge => "Det du skickade är för stort. Dela upp det i mindre delar.".into(),
            AppError::Unavailable(_) => "Databasen svarar inte just nu. Försök igen om en stund; kvarstår felet, kontakta den som driftar Brygga.".into(),
            AppError::OutcomeUnknown(_) => "Förbindelsen med databasen bröts medan ändringen sparades, så det är okänt om den sparades. Skicka samma begäran igen med samma Idempotency-Key; utan nyckel, kontrollera först om ändringen finns innan du försöker igen.".into(),
            AppError::Internal(_) => "Något gick fel hos oss. Försök igen; kvarstår felet, kontakta den som driftar Brygga och ange tidpunkten.".into(),
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(m) => tracing::error!(error = %m, "internal error"),
            AppError::Unavailable(m) => tracing::warn!(error = %m, "database unavailable"),
            AppError::OutcomeUnknown(m) => tracing::warn!(error = %m, "connection lost during commit: outcome unknown"),
            _ => {}
        }
    }
}

/// One field problem in the API error shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// The API's one error shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiErrorBody {
    /// Stable machine-readable code, e.g. `validation_failed`, `not_found`.
    pub code: String,
    /// What happened and how to fix it, in Swedish.
    pub message: String,
    /// The first field at fault, if any.
    pub field: Option<String>,
    /// Every field at fault (validation errors).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// An error answered as JSON (the API).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let errors: Vec<FieldProblem> = match &e {
            AppError::Invalid(f) => {
                f.0.iter().map(|p| FieldProblem { field: p.field.clone(), code: p.code.to_owned(), message: p.message.clone() }).collect()
            }
            _ => vec![],
        };
        let body = ApiErrorBody { code: e.code().to_owned(), message: e.message(), field: errors.first().map(|p| p.field.clone()), errors };
        let mut resp = (e.status(), axum::Json(body)).into_response();
        decorate(&e, &mut resp, true);
        resp
    }
}

fn decorate(e: &AppError, resp: &mut Response, api: bool) {
    if let AppError::RateLimited { retry_after_secs } = e {
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
    }
    if api && matches!(e, AppError::Unauthenticated { .. }) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"brygga\""));
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: &'static str,
    message: String,
}

/// An error answered as an HTML page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let status = e.status();
        let title = match e {
            AppError::NotFound => "Hittades inte",
            AppError::Forbidden | AppError::Csrf => "Åtkomst nekad",
            AppError::Unauthenticated { .. } => "Inloggning krävs",
            AppError::Invalid(_) | AppError::BadRequest(_) => "Uppgifterna behöver rättas",
            AppError::Stale | AppError::Conflict(_) => "Uppgifterna har ändrats",
            AppError::RateLimited { .. } => "För många försök",
            AppError::TooLarge => "För stort",
            AppError::Unavailable(_) => "Tillfälligt otillgänglig",
            AppError::OutcomeUnknown(_) => "Okänt om ändringen sparades",
            AppError::Internal(_) => "Något gick fel",
        };
        let page = ErrorPage { status: status.as_u16(), title, message: e.message() };
        let body = page.render().unwrap_or_else(|_| e.message());
        let mut resp = (status, Html(body)).into_response();
        decorate(&e, &mut resp, false);
        resp
    }
}

pub type PageResult<T = Response> = Result<T, PageError>;
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod outcome_tests {
    use super::*;

    #[test]
    fn an_unknown_outcome_is_a_503_that_says_retry_with_the_same_key() {
        let e = AppError::from(StoreError::OutcomeUnknown("connection closed".into()));
        assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.code(), "outcome_unknown");
        assert!(e.message().contains("samma Idempotency-Key"), "{}", e.message());
        // A plain refusal stays what it was: nothing written, safe to retry.
        let e = AppError::from(StoreError::Unavailable("pool timeout".into()));
        assert_eq!((e.status(), e.code()), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"));
    }
}
