//! Accounts, for administrators: the list, creating an account, one account with its
//! memberships and roles, setting a password (system administrators) and erasing an account
//! (GDPR, system administrators, with a confirmation step).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::account::{Email, check_new_password};
use brygga_domain::{FieldError, FieldErrors, Role};
use brygga_store::accounts::auth::hash_off_runtime;
use brygga_store::accounts::users::{self, NewUserInput, User};
use brygga_store::{Action, Page, kernel::access};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, html};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/anvandare", get(list).post(create))
        .route("/anvandare/ny", get(new))
        .route("/anvandare/{id}", get(show))
        .route("/anvandare/{id}/medlemskap", post(set_membership))
        .route("/anvandare/{id}/medlemskap/ta-bort", post(remove_membership))
        .route("/anvandare/{id}/losenord", post(set_password))
        .route("/anvandare/{id}/radera", post(erase))
}

/// Role choices: code and Swedish label.
fn role_options() -> Vec<(String, String)> {
    Role::ALL.iter().map(|r| (r.code().to_owned(), r.label().to_owned())).collect()
}

/// What each role may do, for the help beside the role pickers.
fn role_help() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.label(), r.description())).collect()
}

/// The organisations whose members the viewer may manage, as picker options (all of them for
/// a system administrator).
async fn manageable_orgs(state: &AppState, session: &Session) -> Result<Vec<(String, String)>, PageError> {
    let v = session.viewer.clone();
    if v.is_system_admin() {
        let orgs = state.store.read(move |db| brygga_store::accounts::orgs::all(db, &v)).await?;
        return Ok(orgs.into_iter().map(|o| (o.id.to_string(), o.name)).collect());
    }
    Ok(v.memberships()
        .iter()
        .filter(|m| access::allowed(&v, Action::ManageMembers { org: m.org_id }))
        .map(|m| (m.org_id.to_string(), m.org_name.clone()))
        .collect())
}

/// Reads an optional id field; something that is not a number is a field error.
fn opt_id(form: &FormData, field: &str, errs: &mut FieldErrors, message: &str) -> Option<i64> {
    let raw = form.get(field).trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errs.push(FieldError::new(field, "invalid", message.to_owned()));
            None
        }
    }
}

// ---------------------------------------------------------------------------------------
// List

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    org: Option<String>,
    efter: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/users/list.html")]
struct ListPage {
    chrome: Chrome,
    page: Page<User>,
    filter: FormView,
    org_options: Vec<(String, String)>,
    query: String,
    first_page: bool,
}

impl ListPage {
    fn memberships(&self, u: &User) -> String {
        u.memberships.iter().map(|m| format!("{} ({})", m.org_name, m.role.label())).collect::<Vec<_>>().join(", ")
    }
}

pub async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Query(q): Query<ListQuery>) -> PageResult {
    let org_text = q.org.as_deref().map(str::trim).unwrap_or("");
    let org_id = if org_text.is_empty() {
        None
    } else {
        Some(org_text.parse::<i64>().map_err(|_| AppError::BadRequest("Organisationsfiltret ska vara ett id ur listan.".into()))?)
    };
    let after = match q.efter.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(a) => Some(
            a.parse::<i64>().map_err(|_| AppError::BadRequest("Sidnumret i adressen är felaktigt. Börja om från första sidan.".into()))?,
        ),
        None => None,
    };
    let f = users::Filter { org_id, q: q.q.clone(), after, limit: Some(50) };
    let v = session.viewer.clone();
    let page = state.store.read(move |db| users::list(db, &v, &f)).await?;
    let org_options = manageable_orgs(&state, &session).await?;
    let mut filter = FormView::empty();
    filter.set("q", q.q.clone().unwrap_or_default()).set("org", org_text);
    let query = serde_urlencoded::to_string([("q", q.q.as_deref().unwrap_or("")), ("org", org_text)]).unwrap_or_default();
    html(
        StatusCode::OK,
        ListPage {
            chrome: Chrome::new(&session, "Användare", "users", &flash),
            page,
            filter,
            org_options: if org_options.len() > 1 { org_options } else { Vec::new() },
            query,
            first_page: after.is_none(),
        },
    )
}

// ---------------------------------------------------------------------------------------
// Create

#[derive(Template)]
#[template(path = "accounts/users/form.html")]
struct FormPage {
    chrome: Chrome,
    form: FormView,
    orgs: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    role_help: Vec<(&'static str, &'static str)>,
    system_admin: bool,
}

async fn form_page(state: &AppState, session: &Session, form: FormView) -> Result<FormPage, PageError> {
    let orgs = manageable_orgs(state, session).await?;
    if orgs.is_empty() && !session.viewer.is_system_admin() {
        return Err(AppError::Forbidden.into());
    }
    Ok(FormPage {
        chrome: Chrome::new(session, "Skapa konto", "users", &Flash(None)),
        form,
        orgs,
        roles: role_options(),
        role_help: role_help(),
        system_admin: session.viewer.is_system_admin(),
    })
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    org: Option<String>,
}

pub async fn new(State(state): State<AppState>, SignedIn(session): SignedIn, Query(q): Query<NewQuery>) -> PageResult {
    let mut form = FormView::empty();
    form.set("role", Role::Member.code());
    if let Some(org) = q.org.as_deref().map(str::trim).filter(|o| o.parse::<i64>().is_ok()) {
        form.set("org_id", org);
    }
    html(StatusCode::OK, form_page(&state, &session, form).await?)
}

const NEW_USER_FIELDS: &[&str] = &["name", "email", "password", "org_id", "role", "system_admin"];

fn sort_errors(errs: &mut FieldErrors, order: &[&str]) {
    errs.0.sort_by_key(|e| order.iter().position(|f| *f == e.field).unwrap_or(order.len()));
}

/// Reads and validates the new-account form. Hashing the password (in `validate`) is slow,
/// so it runs on the blocking pool, and only once everything else is right.
async fn new_user(form: &FormData, system_admin: bool) -> Result<users::ValidNewUser, AppError> {
    let mut errs = FieldErrors::new();
    let org_id = opt_id(form, "org_id", &mut errs, "Välj en organisation i listan.");
    if org_id.is_none() && !system_admin && errs.get("org_id").is_none() {
        errs.push(FieldError::new("org_id", "required", "Välj vilken organisation personen ska tillhöra."));
    }
    let password = Some(form.get("password").to_owned()).filter(|p| !p.is_empty());
    let mut input = NewUserInput {
        email: form.get("email").to_owned(),
        name: form.get("name").to_owned(),
        password,
        org_id,
        // The role picker has a default; without an organisation it means nothing.
        role: org_id.and(form.opt("role")),
        system_admin: form.checked("system_admin"),
    };
    if !errs.is_empty() {
        input.password = None;
        if let Err(more) = input.validate() {
            // A field already reported here is not reported twice.
            let known: Vec<String> = errs.0.iter().map(|e| e.field.clone()).collect();
            errs.0.extend(more.0.into_iter().filter(|e| !known.contains(&e.field)));
        }
        sort_errors(&mut errs, NEW_USER_FIELDS);
        return Err(AppError::Invalid(errs));
    }
    users::validate_off_runtime(input).await.map_err(|e| match AppError::from(e) {
        AppError::Invalid(mut e) => {
            sort_errors(&mut e, NEW_USER_FIELDS);
            AppError::Invalid(e)
        }
        other => other,
    })
}

/// An organisation administrator invites an address (they do not create accounts: that would
/// tell them which addresses have one). The answer is the same whether the address has an account.
async fn invite(state: &AppState, session: &Session, form: &FormData) -> Result<(), AppError> {
    let mut errs = FieldErrors::new();
    let email = errs.take(Email::parse(form.get("email")));
    let org = opt_id(form, "org_id", &mut errs, "Välj en organisation i listan.");
    if org.is_none() && errs.get("org_id").is_none() {
        errs.push(FieldError::new("org_id", "required", "Välj vilken organisation personen ska bjudas in till."));
    }
    let role = errs.take(Role::parse(form.get("role")));
    if !errs.is_empty() {
        sort_errors(&mut errs, NEW_USER_FIELDS);
        return Err(AppError::Invalid(errs));
    }
    let (email, org, role) = (email.expect("checked"), org.expect("checked"), role.expect("checked"));
    let (v, post) = (session.viewer.clone(), state.config.postmark());
    state.store.write(move |db| brygga_store::accounts::invitations::invite_member(db, &v, org, &email, role, &post)).await?;
    Ok(())
}

pub async fn create(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    if !session.viewer.is_system_admin() {
        return match invite(&state, &session, &form).await {
            Ok(()) => Ok(Redirect::to("/anvandare?klart=inbjuden").into_response()),
            Err(AppError::Invalid(errors)) => {
                html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &session, FormView::submitted(&form, errors)).await?)
            }
            Err(e) => Err(e.into()),
        };
    }
    let result = match new_user(&form, session.viewer.is_system_admin()).await {
        Ok(valid) => {
            let v = session.viewer.clone();
            let post = state.config.postmark();
            state.store.write(move |db| users::create_and_invite(db, &v, &valid, &post)).await.map_err(AppError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(u) => Ok(Redirect::to(&format!("/anvandare/{}?klart=skapad", u.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &session, FormView::submitted(&form, errors)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// One account

#[derive(Template)]
#[template(path = "accounts/users/show.html")]
struct ShowPage {
    chrome: Chrome,
    user: User,
    is_self: bool,
    /// Organisations whose members the viewer manages (row buttons).
    manages: Vec<i64>,
    add_orgs: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    role_help: Vec<(&'static str, &'static str)>,
    membership_form: FormView,
    password_form: FormView,
    can_set_password: bool,
    can_erase: bool,
    /// A refusal of a row action (for instance: the last administrator cannot leave).
    error: Option<String>,
}

impl ShowPage {
    fn manages(&self, org: &i64) -> bool {
        self.manages.contains(org)
    }
}

#[derive(Default)]
struct ShowState {
    membership_form: Option<FormView>,
    password_form: Option<FormView>,
    error: Option<String>,
}

async fn show_page(state: &AppState, session: &Session, id: i64, flash: &Flash, s: ShowState) -> Result<ShowPage, PageError> {
    let v = session.viewer.clone();
    let user = state.store.read(move |db| users::get(db, &v, id)).await?;
    let v = &session.viewer;
    let add_orgs = manageable_orgs(state, session).await?;
    let manages = if v.is_system_admin() {
        user.memberships.iter().map(|m| m.org_id).collect()
    } else {
        user.memberships.iter().map(|m| m.org_id).filter(|org| access::allowed(v, Action::ManageMembers { org: *org })).collect()
    };
    let membership_form = s.membership_form.unwrap_or_else(|| {
        let mut f = FormView::empty();
        f.set("role", Role::Member.code());
        f
    });
    Ok(ShowPage {
        chrome: Chrome::new(session, user.name.clone(), "users", flash),
        is_self: v.user_id() == Some(id),
        manages,
        add_orgs,
        roles: role_options(),
        role_help: role_help(),
        membership_form,
        password_form: s.password_form.unwrap_or_default(),
        can_set_password: access::allowed(v, Action::ManageAllUsers),
        can_erase: access::allowed(v, Action::EraseUser) && v.user_id() != Some(id),
        error: s.error,
        user,
    })
}

pub async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(id): Path<i64>) -> PageResult {
    html(StatusCode::OK, show_page(&state, &session, id, &flash, ShowState::default()).await?)
}

fn joined(errors: &FieldErrors) -> String {
    errors.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ")
}

/// Adds the account to an organisation, or changes its role there. The add form and the
/// role picker on each row post here; `kalla=rad` says which, so a refusal is shown in the
/// right place.
pub async fn set_membership(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut errs = FieldErrors::new();
    let org = opt_id(&form, "org_id", &mut errs, "Välj en organisation i listan.");
    if org.is_none() && errs.is_empty() {
        errs.push(FieldError::new("org_id", "required", "Välj vilken organisation personen ska tillhöra."));
    }
    let role = match Role::parse(form.get("role")) {
        Ok(r) => Some(r),
        Err(_) if form.get("role").trim().is_empty() => {
            errs.push(FieldError::new("role", "required", "Välj vilken roll personen ska ha i organisationen."));
            None
        }
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let adding = form.get("kalla") != "rad";
    let result = match (org, role) {
        (Some(org), Some(role)) if errs.is_empty() && adding => {
            // Adding is an invitation the person accepts (by the address the viewer already sees).
            let (v, post) = (session.viewer.clone(), state.config.postmark());
            state
                .store
                .write(move |db| {
                    let user = users::get(db, &v, id)?;
                    let email = Email::parse(&user.email).map_err(|e| brygga_store::StoreError::Invalid(e.into()))?;
                    brygga_store::accounts::invitations::invite_member(db, &v, org, &email, role, &post).map(|_| ())
                })
                .await
                .map_err(AppError::from)
        }
        (Some(org), Some(role)) if errs.is_empty() => {
            let v = session.viewer.clone();
            state.store.write(move |db| users::set_membership(db, &v, id, org, role)).await.map_err(AppError::from)
        }
        _ => Err(AppError::Invalid(errs)),
    };
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/anvandare/{id}?klart={}#medlemskap", if adding { "inbjuden" } else { "sparad" })).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let s = if form.get("kalla") == "rad" {
                ShowState { error: Some(joined(&errors)), ..Default::default() }
            } else {
                ShowState { membership_form: Some(FormView::submitted(&form, errors)), ..Default::default() }
            };
            html(StatusCode::UNPROCESSABLE_ENTITY, show_page(&state, &session, id, &Flash(None), s).await?)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_membership(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let Some(org) = form.int("org_id") else {
        let s =
            ShowState { error: Some("Formuläret saknar organisation. Ladda om sidan och försök igen.".into()), ..Default::default() };
        return html(StatusCode::UNPROCESSABLE_ENTITY, show_page(&state, &session, id, &Flash(None), s).await?);
    };
    let v = session.viewer.clone();
    let result = state
        .store
        .write(move |db| {
            users::remove_membership(db, &v, id, org)?;
            // The viewer may no longer see the account once it has left the viewer's organisation.
            Ok(users::get(db, &v, id).is_ok())
        })
        .await
        .map_err(AppError::from);
    match result {
        Ok(true) => Ok(Redirect::to(&format!("/anvandare/{id}?klart=borttagen#medlemskap")).into_response()),
        Ok(false) => Ok(Redirect::to("/anvandare?klart=borttagen").into_response()),
        Err(AppError::Invalid(errors)) => {
            let s = ShowState { error: Some(joined(&errors)), ..Default::default() };
            html(StatusCode::UNPROCESSABLE_ENTITY, show_page(&state, &session, id, &Flash(None), s).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// A system administrator sets someone's password (for instance a new account, or one whose
/// owner has forgotten it). Changing one's own goes through Mitt konto, with the current one.
pub async fn set_password(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    access::require(&session.viewer, Action::ManageAllUsers).map_err(AppError::from)?;
    let v = session.viewer.clone();
    let user = state.store.read(move |db| users::get(db, &v, id)).await?;
    let password = form.get("password").to_owned();
    let checked = if password.is_empty() {
        Err(FieldError::new("password", "required", "Skriv det nya lösenordet."))
    } else {
        check_new_password(&password, Email::parse(&user.email).ok().as_ref())
    };
    if let Err(e) = checked {
        let s = ShowState { password_form: Some(FormView::submitted(&form, e.into())), ..Default::default() };
        return html(StatusCode::UNPROCESSABLE_ENTITY, show_page(&state, &session, id, &Flash(None), s).await?);
    }
    let hashed = hash_off_runtime(password).await?;
    let v = session.viewer.clone();
    state.store.write(move |db| users::set_password_hash(db, &v, id, &hashed)).await?;
    Ok(Redirect::to(&format!("/anvandare/{id}?klart=losenord")).into_response())
}

#[derive(Template)]
#[template(path = "accounts/users/erase.html")]
struct ErasePage {
    chrome: Chrome,
    user: User,
}

/// Erasing an account takes two posts: the first shows what will be deleted and asks for
/// confirmation, the second (with `bekraftat=ja`) erases.
pub async fn erase(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    access::require(&session.viewer, Action::EraseUser).map_err(AppError::from)?;
    if form.get("bekraftat") != "ja" {
        let v = session.viewer.clone();
        let user = state.store.read(move |db| users::get(db, &v, id)).await?;
        return html(
            StatusCode::OK,
            ErasePage { chrome: Chrome::new(&session, format!("Radera {}", user.name), "users", &Flash(None)), user },
        );
    }
    let v = session.viewer.clone();
    match state.store.write(move |db| users::erase(db, &v, id)).await.map_err(AppError::from) {
        Ok(_pseudonym) => Ok(Redirect::to("/anvandare?klart=raderad").into_response()),
        Err(AppError::Invalid(errors)) => {
            let s = ShowState { error: Some(joined(&errors)), ..Default::default() };
            html(StatusCode::UNPROCESSABLE_ENTITY, show_page(&state, &session, id, &Flash(None), s).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_follow_the_form() {
        let mut e = FieldErrors::new();
        e.push(FieldError::new("role", "x", "r"));
        e.push(FieldError::new("email", "x", "e"));
        e.push(FieldError::new("name", "x", "n"));
        sort_errors(&mut e, NEW_USER_FIELDS);
        assert_eq!(e.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["name", "email", "role"]);
    }

    #[tokio::test]
    async fn a_non_admin_must_pick_an_organisation_and_bad_ids_are_field_errors() {
        let form = FormData(vec![("name".into(), "Anna".into()), ("email".into(), "anna@x.se".into()), ("org_id".into(), "tolv".into())]);
        let Err(AppError::Invalid(e)) = new_user(&form, false).await else { panic!("expected field errors") };
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].field, "org_id");
        let form = FormData(vec![("name".into(), "Anna".into()), ("email".into(), "anna@x.se".into())]);
        let Err(AppError::Invalid(e)) = new_user(&form, false).await else { panic!("expected field errors") };
        assert_eq!(e.0[0].code, "required");
        let form = FormData(vec![("name".into(), "".into()), ("email".into(), "x".into()), ("role".into(), "member".into())]);
        let Err(AppError::Invalid(e)) = new_user(&form, false).await else { panic!("expected field errors") };
        assert_eq!(e.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["name", "email", "org_id"], "one error per field");
        let form = FormData(vec![("name".into(), "Anna".into()), ("email".into(), "anna@x.se".into()), ("role".into(), "member".into())]);
        assert!(new_user(&form, true).await.is_ok(), "a system administrator may create an account without organisation");
    }
}
