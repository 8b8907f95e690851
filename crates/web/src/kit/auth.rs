//! Who is asking: session cookies for pages, bearer tokens for the API, and CSRF checks on
//! every form. Authorisation itself is decided in the store (`brygga_store::kernel::access`).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use brygga_store::Viewer;
use brygga_store::accounts::auth::{self, SessionState, TokenState};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::kit::context::RequestContext;
use crate::kit::error::{ApiError, AppError, AuthFailure, PageError};

pub const SESSION_COOKIE: &str = "brygga_session";
/// Double-submit cookie protecting the login form (there is no session yet).
pub const LOGIN_CSRF_COOKIE: &str = "brygga_login";

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub viewer: Viewer,
    pub csrf: String,
    pub token: String,
    /// Open alerts waiting for the viewer's acknowledgement, read with the session.
    pub pending_alerts: i64,
}

/// The session, if any, and why there is none.
pub struct MaybeSession(pub Result<Session, AuthFailure>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(s) = parts.extensions.get::<Session>() {
            return Ok(MaybeSession(Ok(s.clone())));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()).filter(|t| t.len() >= 20 && t.len() <= 100) else {
            return Ok(MaybeSession(Err(AuthFailure::Missing)));
        };
        let RequestContext(origin) = RequestContext::from_request_parts(parts, state).await.expect("infallible");
        let policy = state.config.session;
        let t = token.clone();
        let (found, pending_alerts) = state
            .store
            .read(move |db| {
                let found = auth::session(db, &t, origin, policy)?;
                let pending = match &found {
                    SessionState::Valid { viewer, .. } => brygga_store::forum_work::alerts::pending_count(db, viewer)?,
                    _ => 0,
                };
                Ok((found, pending))
            })
            .await?;
        match found {
            SessionState::Valid { viewer, csrf, needs_touch } => {
                if needs_touch {
                    let t = token.clone();
                    state.store.write(move |db| auth::touch_session(db, &t)).await?;
                }
                let s = Session { viewer: *viewer, csrf, token, pending_alerts };
                parts.extensions.insert(s.clone());
                Ok(MaybeSession(Ok(s)))
            }
            SessionState::Expired => Ok(MaybeSession(Err(AuthFailure::Expired))),
            SessionState::Unknown => Ok(MaybeSession(Err(AuthFailure::Missing))),
        }
    }
}

/// A page that needs a signed-in user; anyone else is sent to the login page, told why, and
/// brought back afterwards.
pub struct SignedIn(pub Session);

pub struct LoginRedirect(Response);

impl IntoResponse for LoginRedirect {
    fn into_response(self) -> Response {
        self.0
    }
}

impl From<PageError> for LoginRedirect {
    fn from(e: PageError) -> Self {
        LoginRedirect(e.into_response())
    }
}

pub fn login_redirect(parts: &Parts, reason: AuthFailure) -> Response {
    let back = if parts.method == Method::GET { parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/") } else { "/" };
    let mut url = format!("/logga-in?next={}", urlencode(back));
    if reason == AuthFailure::Expired {
        url.push_str("&orsak=utgangen");
    }
    Redirect::to(&url).into_response()
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|e| e[1..].to_owned()).unwrap_or_default()
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = LoginRedirect;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match MaybeSession::from_request_parts(parts, state).await?.0 {
            Ok(s) => Ok(SignedIn(s)),
            Err(reason) => Err(LoginRedirect(login_redirect(parts, reason))),
        }
    }
}

/// A caller of a public API read (the directory, counterparts, guides, search): anonymous without an `Authorization` header,
/// otherwise authenticated exactly as [`ApiAuth`] (a bad token is still refused, never read as
/// anonymous).
pub struct PublicApi(pub Viewer);

impl FromRequestParts<AppState> for PublicApi {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if parts.headers.get(header::AUTHORIZATION).is_none() {
            let RequestContext(origin) = RequestContext::from_request_parts(parts, state).await.expect("infallible");
            return Ok(PublicApi(Viewer::anonymous(origin)));
        }
        ApiAuth::from_request_parts(parts, state).await.map(|ApiAuth(v)| PublicApi(v))
    }
}

/// An API caller, authenticated by `Authorization: Bearer <token>`.
pub struct ApiAuth(pub Viewer);

impl FromRequestParts<AppState> for ApiAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let Some(secret) = header.strip_prefix("Bearer ").map(|s| s.trim().to_owned()).filter(|s| !s.is_empty() && s.len() <= 200) else {
            return Err(AppError::Unauthenticated { reason: AuthFailure::Missing }.into());
        };
        let RequestContext(origin) = RequestContext::from_request_parts(parts, state).await.expect("infallible");
        let s = secret;
        match state.store.read(move |db| auth::token(db, &s, origin)).await? {
            TokenState::Valid { viewer, needs_touch } => {
                if needs_touch && let Some(id) = viewer.token_id() {
                    state.store.write(move |db| auth::touch_token(db, id)).await?;
                }
                Ok(ApiAuth(*viewer))
            }
            TokenState::Expired => Err(AppError::Unauthenticated { reason: AuthFailure::Expired }.into()),
            TokenState::Revoked => Err(AppError::Unauthenticated { reason: AuthFailure::Revoked }.into()),
            TokenState::Unknown => Err(AppError::Unauthenticated { reason: AuthFailure::Invalid }.into()),
        }
    }
}

/// Fields of a submitted form, in order (a field may repeat, e.g. checkboxes).
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Result<Self, AppError> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map(FormData)
            .map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas. Ladda om sidan och försök igen.".into()))
    }
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
    /// The first value of `name` when not blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_owned()).filter(|v| !v.is_empty())
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim().to_owned()).collect()
    }
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && (v == "on" || v == "true" || v == "1"))
    }
    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).trim().parse().ok()
    }
}

/// Compares without revealing, by timing, how much of the token matched.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    let (ha, hb) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    ha.iter().zip(hb.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Refuses requests whose `Origin` header names another site (defence in depth beside the
/// token and SameSite cookies).
pub(crate) fn same_origin(parts_headers: &axum::http::HeaderMap) -> bool {
    let Some(origin) = parts_headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let Some(host) = parts_headers.get(header::HOST).and_then(|v| v.to_str().ok()) else { return false };
    origin.split_once("://").is_some_and(|(_, rest)| rest == host)
}

/// The session of a form post, or the answer to give instead: the login page for someone
/// signed out, 403 for a post from another site. Every form extractor starts here; each then
/// checks the `csrf` field against [`Session::csrf`] with [`same_secret`].
pub(crate) async fn posting_session(parts: &mut Parts, state: &AppState) -> Result<Session, Response> {
    let session = match MaybeSession::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?.0 {
        Ok(s) => s,
        Err(reason) => return Err(login_redirect(parts, reason)),
    };
    if !same_origin(&parts.headers) {
        return Err(PageError(AppError::Csrf).into_response());
    }
    Ok(session)
}

/// A form posted by a signed-in user, with its CSRF token checked.
pub struct SignedForm(pub Session, pub FormData);

impl FromRequest<AppState> for SignedForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = posting_session(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| PageError(AppError::TooLarge).into_response())?;
        let form = FormData::parse(&bytes).map_err(|e| PageError(e).into_response())?;
        if !same_secret(form.get("csrf"), &session.csrf) {
            return Err(PageError(AppError::Csrf).into_response());
        }
        Ok(SignedForm(session, form))
    }
}

/// The login form: checked against the double-submit cookie set when the form was shown.
pub struct LoginForm(pub FormData);

impl FromRequest<AppState> for LoginForm {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(req.headers());
        let expected = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
        if !same_origin(req.headers()) {
            return Err(AppError::Csrf.into());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| AppError::TooLarge)?;
        let form = FormData::parse(&bytes)?;
        if expected.len() < 20 || !same_secret(form.get("csrf"), &expected) {
            return Err(AppError::Csrf.into());
        }
        Ok(LoginForm(form))
    }
}

/// A cookie with Brygga's defaults: HttpOnly, SameSite=Lax, Path=/, Secure behind TLS.
pub fn cookie(name: &'static str, value: String, secure: bool, max_age_secs: Option<i64>) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(secure);
    if let Some(s) = max_age_secs {
        c.set_max_age(cookie::time::Duration::seconds(s));
    }
    c
}
