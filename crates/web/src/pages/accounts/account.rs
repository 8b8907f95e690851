//! Mitt konto: who I am and where I am a member, changing my password, what Brygga holds
//! about me (GDPR art. 15, with a JSON download), and my personal API tokens.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use brygga_domain::account::{Email, check_new_password};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::accounts::auth::{self, TokenSummary};
use brygga_store::accounts::users::{self, PersonalData};
use brygga_store::{Action, Membership, StoreError, kernel::access, now_ms};

use crate::AppState;
use crate::kit::auth::{FormData, SESSION_COOKIE, Session, SignedForm, SignedIn, cookie};
use crate::kit::context::RequestContext;
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, html, own_org_options};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/konto", get(show))
        .route("/konto/inbjudningar/{id}", post(answer_membership))
        .route("/konto/losenord", post(change_password))
        .route("/konto/sammanfattning", get(digest_section).post(set_digest))
        .route("/konto/paminnelser", get(reminder_section).post(set_reminders))
        .route("/konto/mina-uppgifter.json", get(export_personal_data))
        .route("/konto/nycklar", get(tokens).post(create_token))
        .route("/konto/nycklar/{id}/aterkalla", post(revoke_token))
}

// ---------------------------------------------------------------------------------------
// The account page and the password

#[derive(Template)]
#[template(path = "accounts/account/show.html")]
struct AccountPage {
    chrome: Chrome,
    name: String,
    email: String,
    system_admin: bool,
    memberships: Vec<Membership>,
    held: Held,
    form: FormView,
    /// The weekly digest is sent to the viewer (they have not opted out).
    digest: bool,
    /// Questionnaire reminder e-mails are sent to the viewer (they have not opted out).
    reminders: bool,
    /// Invitations and requests waiting for the viewer's answer.
    pending: brygga_store::forums::consent::Pending,
}

/// How much Brygga holds about the viewer, for the "Mina uppgifter" summary.
struct Held {
    sessions: usize,
    tokens: usize,
    forum_contact_for: Vec<String>,
    audit_entries: usize,
    messages: usize,
    created_at_ms: i64,
}

impl From<&PersonalData> for Held {
    fn from(d: &PersonalData) -> Self {
        Self {
            sessions: d.sessions.len(),
            tokens: d.api_tokens.len(),
            forum_contact_for: d.forum_contact_for.clone(),
            audit_entries: d.audit_entries.len(),
            messages: d.messages.len(),
            created_at_ms: d.user.created_at_ms,
        }
    }
}

async fn account_page(state: &AppState, session: &Session, flash: &Flash, form: FormView) -> Result<AccountPage, PageError> {
    let v = session.viewer.clone();
    let (data, pending) =
        state.store.read(move |db| Ok((users::personal_data(db, &v)?, brygga_store::forums::consent::pending_for(db, &v)?))).await?;
    let v = &session.viewer;
    Ok(AccountPage {
        digest: !data.digest_opt_out,
        reminders: !data.questionnaire_reminder_opt_out,
        chrome: Chrome::new(session, "Mitt konto", "account", flash),
        name: v.name().to_owned(),
        email: v.email().to_owned(),
        system_admin: v.is_system_admin(),
        memberships: v.memberships().to_vec(),
        held: Held::from(&data),
        form,
        pending,
    })
}

pub async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    html(StatusCode::OK, account_page(&state, &session, &flash, FormView::empty()).await?)
}

/// Answers an invitation into an organisation: the invited person, or an administrator
/// approving a system administrator's invitation.
pub async fn answer_membership(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let Some(answer) = brygga_store::forums::consent::Answer::parse(form.get("answer")) else {
        return Err(
            AppError::Invalid(FieldError::new("answer", "required", "Svara ja eller nej. Ladda om sidan och försök igen.").into()).into()
        );
    };
    let v = session.viewer.clone();
    state.store.write(move |db| brygga_store::accounts::invitations::answer_membership_invitation(db, &v, id, answer)).await?;
    Ok(Redirect::to("/konto?klart=sparad#inbjudningar").into_response())
}

/// `/konto/sammanfattning` (the link in every digest e-mail): the account page's digest section.
pub async fn digest_section(SignedIn(_): SignedIn) -> PageResult {
    Ok(Redirect::to("/konto#sammanfattning").into_response())
}

/// Turns the weekly digest on (the box is ticked) or off.
pub async fn set_digest(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let send = form.checked("digest");
    let v = session.viewer.clone();
    state.store.write(move |db| brygga_store::accounts::preferences::set_digest_opt_out(db, &v, !send)).await?;
    let code = if send { "sammanfattning-pa" } else { "sammanfattning-av" };
    Ok(Redirect::to(&format!("/konto?klart={code}#sammanfattning")).into_response())
}

/// `/konto/paminnelser` (the link in every questionnaire reminder): the account page's section.
pub async fn reminder_section(SignedIn(_): SignedIn) -> PageResult {
    Ok(Redirect::to("/konto#paminnelser").into_response())
}

/// Turns questionnaire reminder e-mails on (the box is ticked) or off.
pub async fn set_reminders(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let send = form.checked("reminders");
    let v = session.viewer.clone();
    state.store.write(move |db| brygga_store::accounts::preferences::set_questionnaire_reminders_off(db, &v, !send)).await?;
    let code = if send { "paminnelser-pa" } else { "paminnelser-av" };
    Ok(Redirect::to(&format!("/konto?klart={code}#paminnelser")).into_response())
}

/// Nothing typed into a password field is ever sent back to the browser.
fn without_passwords(form: &FormData, errors: FieldErrors) -> FormView {
    let mut view = FormView::submitted(form, errors);
    view.values.retain(|(k, _)| !k.contains("password"));
    view
}

/// Checks the two new-password fields; the rule's field name is moved onto this form's field.
fn check_new(new: &str, again: &str, email: Option<&Email>) -> FieldErrors {
    let mut errs = FieldErrors::new();
    if new.is_empty() {
        errs.push(FieldError::new("new_password", "required", "Skriv ett nytt lösenord."));
    } else if let Err(mut e) = check_new_password(new, email) {
        e.field = "new_password".into();
        errs.push(e);
    } else if new != again {
        errs.push(FieldError::new(
            "new_password_again",
            "password.mismatch",
            "Lösenorden är inte likadana. Skriv samma nya lösenord två gånger.",
        ));
    }
    errs
}

/// Changes the viewer's password after checking the current one. The store ends every
/// session of the account, so the viewer is signed in again with the new password and keeps
/// working; other browsers are signed out.
pub async fn change_password(
    State(state): State<AppState>,
    RequestContext(origin): RequestContext,
    jar: CookieJar,
    headers: HeaderMap,
    SignedForm(session, form): SignedForm,
) -> PageResult<Response> {
    let v = session.viewer.clone();
    let Some(user_id) = v.user_id() else { return Err(AppError::Forbidden.into()) };
    let (current, new, again) =
        (form.get("current_password").to_owned(), form.get("new_password").to_owned(), form.get("new_password_again").to_owned());
    let mut errs = FieldErrors::new();
    if current.is_empty() {
        errs.push(FieldError::new("current_password", "required", "Skriv ditt nuvarande lösenord."));
    } else {
        // Throttled like signing in: too many wrong passwords answer 429 even for the right one.
        if !auth::check_current_password(&state.store, &v, &current).await? {
            errs.push(FieldError::new("current_password", "password.wrong", "Det nuvarande lösenordet stämmer inte. Försök igen."));
        }
    }
    let email = Email::parse(v.email()).ok();
    errs.0.extend(check_new(&new, &again, email.as_ref()).0);
    if !errs.is_empty() {
        return html(StatusCode::UNPROCESSABLE_ENTITY, account_page(&state, &session, &Flash(None), without_passwords(&form, errs)).await?);
    }
    let hashed = auth::hash_off_runtime(new.clone()).await?;
    state.store.write(move |db| users::set_password_hash(db, &v, user_id, &hashed)).await?;
    let ua = headers.get(header::USER_AGENT).and_then(|h| h.to_str().ok()).map(str::to_owned);
    match auth::login(&state.store, session.viewer.email(), &new, origin, ua, state.config.session).await {
        Ok(s) => {
            let max_age = state.config.session.absolute_ms / 1000;
            let jar = jar.add(cookie(SESSION_COOKIE, s.token, state.config.secure_cookies, Some(max_age)));
            Ok((jar, Redirect::to("/konto?klart=losenord")).into_response())
        }
        // The password is changed; if signing in again fails (rate limit), ask for it.
        Err(_) => Ok(Redirect::to("/logga-in?next=%2Fkonto").into_response()),
    }
}

/// `/konto/mina-uppgifter.json`: everything Brygga holds about the viewer, as a download.
/// The export itself is recorded in the audit log, in the same transaction.
pub async fn export_personal_data(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    let v = session.viewer.clone();
    let data = state.store.write(move |db| users::export_personal_data(db, &v)).await?;
    let body = serde_json::to_vec_pretty(&data).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"brygga-mina-uppgifter.json\""),
        ],
        body,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------
// API tokens

#[derive(Template)]
#[template(path = "accounts/account/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    tokens: Vec<TokenSummary>,
    orgs: Vec<(String, String)>,
    form: FormView,
    /// The token just created and its secret: shown on this one response only.
    created: Option<(TokenSummary, String)>,
    now_ms: i64,
}

impl TokensPage {
    fn status(&self, t: &TokenSummary) -> &'static str {
        if t.revoked_at_ms.is_some() {
            "Återkallad"
        } else if t.expires_at_ms.is_some_and(|e| e <= self.now_ms) {
            "Har gått ut"
        } else {
            "Aktiv"
        }
    }
    fn active(&self, t: &TokenSummary) -> bool {
        self.status(t) == "Aktiv"
    }
}

async fn tokens_page(
    state: &AppState,
    session: &Session,
    flash: &Flash,
    form: FormView,
    created: Option<(TokenSummary, String)>,
) -> Result<TokensPage, PageError> {
    let v = session.viewer.clone();
    let tokens = state.store.read(move |db| auth::list_tokens(db, &v)).await?;
    let v = &session.viewer;
    let orgs = own_org_options(v)
        .into_iter()
        .filter(|(id, _)| id.parse().is_ok_and(|org| access::allowed(v, Action::CreateToken { org })))
        .collect();
    Ok(TokensPage { chrome: Chrome::new(session, "API-nycklar", "account", flash), tokens, orgs, form, created, now_ms: now_ms() })
}

pub async fn tokens(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let mut form = FormView::empty();
    if let [only] = session.viewer.memberships() {
        form.set("org_id", only.org_id.to_string());
    }
    html(StatusCode::OK, tokens_page(&state, &session, &flash, form, None).await?)
}

/// The new-token form: organisation and optional validity in days.
fn token_fields(form: &FormData) -> Result<(i64, Option<u32>), FieldErrors> {
    let mut errs = FieldErrors::new();
    let org = form.int("org_id");
    if org.is_none() {
        errs.push(FieldError::new("org_id", "required", "Välj vilken organisation nyckeln ska användas för."));
    }
    let days = match form.opt("valid_days") {
        None => None,
        Some(d) => match d.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.push(FieldError::new(
                    "valid_days",
                    "token.valid_days",
                    "Skriv giltighetstiden som ett antal dagar, till exempel 90, eller lämna fältet tomt.",
                ));
                None
            }
        },
    };
    if form.get("name").trim().is_empty() {
        errs.push(FieldError::new("name", "required", "Ge nyckeln ett namn, till exempel Export till Excel."));
    }
    match (errs.is_empty(), org) {
        (true, Some(org)) => Ok((org, days)),
        _ => {
            let order = ["name", "org_id", "valid_days"];
            errs.0.sort_by_key(|e| order.iter().position(|f| *f == e.field).unwrap_or(order.len()));
            Err(errs)
        }
    }
}

/// Creates a token and shows its secret on this response, never again. The response is not
/// cached (`Cache-Control: no-store`).
pub async fn create_token(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let result = match token_fields(&form) {
        Ok((org, days)) => {
            let (v, name) = (session.viewer.clone(), form.get("name").to_owned());
            state.store.write(move |db| auth::create_token(db, &v, org, &name, days)).await.map_err(AppError::from)
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(created) => {
            let mut resp = html(StatusCode::OK, tokens_page(&state, &session, &Flash(None), FormView::empty(), Some(created)).await?)?;
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(resp)
        }
        Err(AppError::Invalid(errors)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            tokens_page(&state, &session, &Flash(None), FormView::submitted(&form, errors), None).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    match state.store.write(move |db| auth::revoke_token(db, &v, id)).await {
        Ok(()) => Ok(Redirect::to("/konto/nycklar?klart=nyckel-aterkallad").into_response()),
        Err(StoreError::NotFound { .. }) => Err(AppError::NotFound.into()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn passwords_are_never_echoed() {
        let f = form(&[("csrf", "x"), ("current_password", "a"), ("new_password", "b"), ("new_password_again", "c"), ("name", "n")]);
        let view = without_passwords(&f, FieldErrors::new());
        assert_eq!(view.values, vec![("name".to_owned(), "n".to_owned())]);
    }

    #[test]
    fn new_password_rules_point_at_this_form() {
        assert_eq!(check_new("kort", "kort", None).0[0].field, "new_password");
        assert_eq!(check_new("korrekt häst batteri", "korrekt häst", None).0[0].field, "new_password_again");
        assert!(check_new("korrekt häst batteri", "korrekt häst batteri", None).is_empty());
    }

    #[test]
    fn token_form() {
        assert_eq!(token_fields(&form(&[("name", "Excel"), ("org_id", "3"), ("valid_days", "")])).unwrap(), (3, None));
        assert_eq!(token_fields(&form(&[("name", "Excel"), ("org_id", "3"), ("valid_days", "90")])).unwrap(), (3, Some(90)));
        let e = token_fields(&form(&[("valid_days", "-1"), ("org_id", "x")])).unwrap_err();
        assert_eq!(e.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["name", "org_id", "valid_days"]);
    }
}
