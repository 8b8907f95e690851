//! Per-request context: a request id, the client address, a tracing span, and the security
//! headers every response carries.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::response::Response;
use brygga_store::Origin;
use tracing::Instrument;

use crate::AppState;
use crate::kit::error::{ApiError, AppError, PageError};

/// Where a request came from and its id, for audit entries and logs.
#[derive(Debug, Clone)]
pub struct RequestContext(pub Origin);

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The client's address. Behind a trusted reverse proxy (`--trust-proxy`) it is the address
/// that proxy saw and appended: the RIGHTMOST `X-Forwarded-For` entry (over all such headers).
/// Entries to its left come from the client and are never believed. This assumes exactly one
/// proxy in front of Brygga; behind a chain, the last proxy must overwrite the header rather
/// than append to it. Without `--trust-proxy`, or when the entry is not an address, the TCP
/// peer address is used.
fn client_ip(req: &Request, trust_proxy: bool) -> Option<String> {
    if trust_proxy {
        let rightmost = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|s| !s.is_empty());
        if let Some(ip) = rightmost.and_then(|s| s.parse::<std::net::IpAddr>().ok()) {
            return Some(ip.to_string());
        }
    }
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
}

/// Assigns the request id, records the client address, logs one line per request (route
/// template, status, duration — never query strings, bodies or names), and adds the
/// security headers.
pub async fn middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let origin = Origin { ip: client_ip(&req, state.config.trust_proxy), request_id: Some(request_id.clone()) };
    req.extensions_mut().insert(RequestContext(origin));
    // The matched route template only (`/organisationer/{id}`): a raw path may hold an e-mail
    // address, a personnummer or a token typed into the address bar.
    let route = route_label(req.extensions().get::<MatchedPath>().map(MatchedPath::as_str));
    let api = req.uri().path().starts_with("/api/");
    let method = req.method().clone();
    let span = tracing::info_span!("request", request_id = %request_id, method = %method, route = %route);
    let mut resp = next.run(req).instrument(span.clone()).await;
    if resp.status().is_client_error() && is_plain_text(&resp) {
        resp = rejection(resp.status(), api);
    }
    let status = resp.status().as_u16();
    span.in_scope(|| {
        tracing::info!(status, duration_ms = started.elapsed().as_secs_f64() * 1000.0, "request");
    });
    let h = resp.headers_mut();
    h.insert(REQUEST_ID.clone(), HeaderValue::from_str(&request_id).expect("hex is a valid header"));
    security_headers(h, state.config.secure_cookies);
    resp
}

/// The framework's own responses are plain text or empty; ours are always HTML or JSON.
fn is_plain_text(resp: &Response) -> bool {
    resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_none_or(|ct| ct.starts_with("text/plain"))
}

/// The framework's own rejections (a non-numeric id in the path, a body over the limit, a
/// wrong method) come as English plain text; answer them like every other error instead.
fn rejection(status: StatusCode, api: bool) -> Response {
    let e = match status {
        // A 400 from the router is a path segment that is not an id: no such record.
        StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST => AppError::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
        StatusCode::METHOD_NOT_ALLOWED => AppError::BadRequest("Den metoden stöds inte på den här adressen. Se API-beskrivningen.".into()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::BadRequest(
            "Fel innehållstyp. Skicka formulär som application/x-www-form-urlencoded och API-anrop som application/json.".into(),
        ),
        _ => AppError::BadRequest("Adressen eller förfrågan kunde inte tolkas. Kontrollera adressen och försök igen.".into()),
    };
    let mut resp = if api { ApiError(e).into_response() } else { PageError(e).into_response() };
    if status == StatusCode::METHOD_NOT_ALLOWED {
        *resp.status_mut() = status;
    }
    resp
}

/// What a request is logged as: the route template it matched (`/organisationer/{id}/redigera`,
/// `/delad/{token}`), never the raw path, or `unmatched` when no route did (the raw path of an
/// unknown address is exactly what must not reach the log).
pub fn route_label(matched: Option<&str>) -> String {
    matched.unwrap_or("unmatched").to_owned()
}

/// Headers every response carries. The policy allows no inline script and no third party.
pub fn security_headers(h: &mut axum::http::HeaderMap, tls: bool) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // A page may ask for less (a share link: no-referrer); never for more.
    if !h.contains_key(header::REFERRER_POLICY) {
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("geolocation=(self), camera=(), microphone=(), payment=()"),
    );
    h.insert(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin"));
    if tls {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<RequestContext>().cloned().unwrap_or(RequestContext(Origin::default())))
    }
}

#[cfg(test)]
mod tests {
    use super::route_label;

    #[test]
    fn logged_routes_are_templates_or_unmatched() {
        assert_eq!(route_label(Some("/organisationer/{id}/redigera")), "/organisationer/{id}/redigera");
        assert_eq!(route_label(None), "unmatched");
    }
}
