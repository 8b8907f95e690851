//! Signing in and out.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::accounts::auth;
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::{LOGIN_CSRF_COOKIE, LoginForm, MaybeSession, SESSION_COOKIE, SignedForm, cookie};
use crate::kit::context::RequestContext;
use crate::kit::error::{AppError, AuthFailure, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, FormView};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    form: FormView,
    login_csrf: String,
    next: String,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    orsak: Option<String>,
}

/// Only a path on this site: never send the user on to another site after signing in.
///
/// Browsers drop tabs and newlines from a URL and trim spaces and control characters, so a
/// character they would drop can turn `/\t/evil.example` into `//evil.example`. Rather than guess
/// each browser's cleaning, any control, whitespace or backslash refuses the value; what remains is
/// parsed as a URL against this site, and only a same-origin result is kept, re-serialised (so
/// the `Location` header holds percent-encoded ASCII only).
fn safe_next(next: Option<&str>) -> String {
    const HOME: &str = "/";
    let Some(n) = next else { return HOME.to_owned() };
    if !n.starts_with('/') || n.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return HOME.to_owned();
    }
    let base = url::Url::parse("https://brygga.invalid/").expect("a valid base");
    match base.join(n) {
        Ok(u) if u.origin() == base.origin() && !u.path().starts_with("//") => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        },
        _ => HOME.to_owned(),
    }
}

fn render(
    jar: CookieJar,
    state: &AppState,
    form: FormView,
    next: String,
    notice: Option<&'static str>,
    status: axum::http::StatusCode,
) -> Response {
    let token =
        jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_owned()).filter(|v| v.len() >= 20).unwrap_or_else(|| auth::random_token(24));
    let jar = jar.add(cookie(LOGIN_CSRF_COOKIE, token.clone(), state.config.secure_cookies, Some(3600)));
    let page = LoginPage { chrome: Chrome::anonymous("Logga in"), form, login_csrf: token, next, notice };
    match page.render() {
        Ok(html) => (status, jar, Html(html)).into_response(),
        Err(e) => crate::kit::error::PageError(AppError::Internal(e.to_string())).into_response(),
    }
}

pub async fn show(State(state): State<AppState>, session: MaybeSession, jar: CookieJar, Query(q): Query<LoginQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    if session.0.is_ok() {
        return Redirect::to(&next).into_response();
    }
    let notice = match (q.orsak.as_deref(), session.0) {
        (Some("utgangen"), _) | (_, Err(AuthFailure::Expired)) => Some("Din inloggning har gått ut. Logga in igen för att fortsätta."),
        (Some("utloggad"), _) => Some("Du är utloggad."),
        _ => None,
    };
    render(jar, &state, FormView::empty(), next, notice, axum::http::StatusCode::OK)
}

pub async fn submit(
    State(state): State<AppState>,
    RequestContext(origin): RequestContext,
    jar: CookieJar,
    headers: axum::http::HeaderMap,
    LoginForm(form): LoginForm,
) -> Response {
    let next = safe_next(Some(form.get("next")));
    let (email, password) = (form.get("email").trim().to_owned(), form.get("password").to_owned());
    let mut missing = FieldErrors::new();
    if email.is_empty() {
        missing.push(FieldError::new("email", "required", "Skriv din e-postadress."));
    }
    if password.is_empty() {
        missing.push(FieldError::new("password", "required", "Skriv ditt lösenord."));
    }
    if !missing.is_empty() {
        return render(jar, &state, FormView::submitted(&form, missing), next, None, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    }
    let ua = headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    match auth::login(&state.store, &email, &password, origin, ua, state.config.session).await {
        Ok(session) => {
            let max_age = state.config.session.absolute_ms / 1000;
            let jar = jar.remove(cookie(LOGIN_CSRF_COOKIE, String::new(), state.config.secure_cookies, None)).add(cookie(
                SESSION_COOKIE,
                session.token,
                state.config.secure_cookies,
                Some(max_age),
            ));
            (jar, Redirect::to(&next)).into_response()
        }
        Err(e) => {
            let e = AppError::from(e);
            let status = e.status();
            let field = FieldError::new("password", e.code(), e.message());
            let mut resp = render(
                jar,
                &state,
                FormView::submitted(&form, field.into()),
                next,
                None,
                if status == axum::http::StatusCode::UNAUTHORIZED { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { status },
            );
            if let AppError::RateLimited { retry_after_secs } = e {
                resp.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
            }
            resp
        }
    }
}

pub async fn logout(State(state): State<AppState>, jar: CookieJar, SignedForm(session, _): SignedForm) -> PageResult {
    let (v, token) = (session.viewer.clone(), session.token.clone());
    state.store.write(move |db| auth::logout(db, &v, &token)).await?;
    let jar = jar.remove(cookie(SESSION_COOKIE, String::new(), state.config.secure_cookies, None));
    Ok((jar, Redirect::to("/logga-in?orsak=utloggad")).into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/organisationer?q=a")), "/organisationer?q=a");
        assert_eq!(safe_next(Some("/s\u{f6}k?q=tr\u{e4}d")), "/s%C3%B6k?q=tr%C3%A4d");
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "/\t/evil.example",
            "/.//evil.example",
            "/\u{1}",
        ] {
            assert_eq!(safe_next(Some(evil)), "/");
        }
    }
}
