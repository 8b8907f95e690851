//! Organisations: directory, profile, registration and editing, contact persons.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use brygga_domain::geography;
use brygga_domain::{FieldError, FieldErrors, OrgKind, VisibilityKind};
use brygga_store::accounts::contacts::{self, ContactInput, ContactPerson, ValidContact, roles};
use brygga_store::accounts::orgs::{self, Organisation, OrganisationInput};
use brygga_store::accounts::users::{self, User};
use brygga_store::forums::forum::{self, Forum};
use brygga_store::kernel::audit::{self, Event};
use brygga_store::{Action, Page, Visibility, kernel::access};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::options::{all_municipality_names, municipalities_from_text, municipality_names};
use crate::kit::page::{Chrome, Flash, FormView, both, html, version_of};

pub fn kind_options() -> Vec<(String, String)> {
    OrgKind::ALL.iter().map(|k| (k.code().to_owned(), k.label().to_owned())).collect()
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    typ: Option<String>,
    kommun: Option<String>,
    efter: Option<String>,
}

impl ListQuery {
    fn filter(&self, limit: usize) -> Result<orgs::Filter, AppError> {
        let kind = match self.typ.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => Some(OrgKind::parse(t).map_err(|e| AppError::BadRequest(e.message))?),
            None => None,
        };
        let municipality = match self.kommun.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(m) => Some(
                geography::municipality_by_name(m)
                    .map(|m| m.code.to_owned())
                    .ok_or_else(|| AppError::BadRequest(format!("Hittar ingen kommun som heter ”{m}”.")))?,
            ),
            None => None,
        };
        Ok(orgs::Filter { q: self.q.clone(), kind, municipality, after: self.efter.clone(), limit: Some(limit) })
    }
    fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("q", self.q.as_deref().unwrap_or("")),
            ("typ", self.typ.as_deref().unwrap_or("")),
            ("kommun", self.kommun.as_deref().unwrap_or("")),
        ])
        .unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "accounts/orgs/list.html")]
struct ListPage {
    chrome: Chrome,
    page: Page<Organisation>,
    filter: FormView,
    kinds: Vec<(String, String)>,
    can_create: bool,
    query: String,
    municipalities: Vec<&'static str>,
}

impl ListPage {
    fn munis(&self, o: &Organisation) -> String {
        municipality_names(&o.municipalities)
    }
}

pub async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Query(q): Query<ListQuery>) -> PageResult {
    let f = q.filter(orgs::DEFAULT_LIMIT)?;
    let v = session.viewer.clone();
    let page = state.store.read(move |db| orgs::list(db, &v, &f)).await?;
    let mut filter = FormView::empty();
    filter
        .set("q", q.q.clone().unwrap_or_default())
        .set("typ", q.typ.clone().unwrap_or_default())
        .set("kommun", q.kommun.clone().unwrap_or_default());
    html(
        StatusCode::OK,
        ListPage {
            chrome: Chrome::new(&session, "Organisationer", "orgs", &flash),
            page,
            filter,
            kinds: kind_options(),
            can_create: access::allowed(&session.viewer, Action::CreateOrganisation),
            query: q.query_string(),
            municipalities: all_municipality_names(),
        },
    )
}

/// `/organisationer.csv`: the same filters, every page, as CSV (Excel-friendly: BOM, `;`).
pub async fn export_csv(State(state): State<AppState>, SignedIn(session): SignedIn, Query(q): Query<ListQuery>) -> PageResult {
    let f = q.filter(orgs::MAX_LIMIT)?;
    let v = session.viewer.clone();
    let rows = state
        .store
        .write(move |db| {
            let mut all = Vec::new();
            let mut f = f;
            loop {
                let page = orgs::list(db, &v, &f)?;
                all.extend(page.items);
                match page.next {
                    Some(n) => f.after = Some(n),
                    None => break,
                }
            }
            audit::record(db, &v, Event::new("organisation.export"))?;
            Ok(all)
        })
        .await?;
    let header = ["id", "namn", "typ", "organisationsnummer", "kommuner", "publik profil", "webbplats"];
    let rows = rows.into_iter().map(|o| {
        [
            o.id.to_string(),
            o.name,
            o.kind.label().to_owned(),
            o.org_number.unwrap_or_default(),
            municipality_names(&o.municipalities),
            if o.public_profile { "ja" } else { "nej" }.to_owned(),
            o.website.unwrap_or_default(),
        ]
    });
    Ok(crate::kit::export::csv_download("organisationer.csv", &header, rows)?)
}

#[derive(Template)]
#[template(path = "accounts/orgs/form.html")]
struct FormPage {
    chrome: Chrome,
    form: FormView,
    kinds: Vec<(String, String)>,
    action: String,
    heading: &'static str,
    municipalities: Vec<&'static str>,
}

fn form_page(session: &Session, form: FormView, action: String, heading: &'static str) -> FormPage {
    FormPage {
        chrome: Chrome::new(session, heading, "orgs", &Flash(None)),
        form,
        kinds: kind_options(),
        action,
        heading,
        municipalities: all_municipality_names(),
    }
}

pub async fn new(SignedIn(session): SignedIn) -> PageResult {
    access::require(&session.viewer, Action::CreateOrganisation).map_err(AppError::from)?;
    html(StatusCode::OK, form_page(&session, FormView::empty(), "/organisationer".into(), "Registrera organisation"))
}

/// Reads the organisation form; municipalities are typed as names or codes.
fn input_from(form: &FormData) -> Result<OrganisationInput, FieldErrors> {
    let municipalities = municipalities_from_text("municipalities", form.get("municipalities")).map_err(FieldErrors::from)?;
    Ok(OrganisationInput {
        name: form.get("name").to_owned(),
        kind: form.get("kind").to_owned(),
        org_number: form.opt("org_number"),
        description: form.opt("description"),
        website: form.opt("website"),
        public_profile: form.checked("public_profile"),
        municipalities,
    })
}

/// Validates everything, reporting the municipality problem together with the rest.
fn validate(form: &FormData) -> Result<orgs::ValidOrganisation, FieldErrors> {
    match input_from(form) {
        Ok(input) => input.validate(),
        Err(mut muni) => {
            let rest = OrganisationInput {
                name: form.get("name").to_owned(),
                kind: form.get("kind").to_owned(),
                org_number: form.opt("org_number"),
                ..Default::default()
            };
            if let Err(other) = rest.validate() {
                muni.0.extend(other.0);
            }
            Err(muni)
        }
    }
}

pub async fn create(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let result = match validate(&form) {
        Ok(valid) => state.store.write(move |db| orgs::create(db, &v, &valid)).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(o) => Ok(Redirect::to(&format!("/organisationer/{}?klart=skapad", o.id)).into_response()),
        Err(AppError::Invalid(errors)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&session, FormView::submitted(&form, errors), "/organisationer".into(), "Registrera organisation"),
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "accounts/orgs/show.html")]
struct ShowPage {
    chrome: Chrome,
    org: Organisation,
    municipalities: String,
    /// Claims awaiting approval.
    pending: String,
    contacts: Vec<ContactPerson>,
    members: Vec<User>,
    /// Open invitations into the organisation (administrators only): what was typed.
    invitations: Vec<brygga_store::accounts::invitations::MembershipInvitation>,
    forums: Vec<Forum>,
    can_edit: bool,
    can_edit_contacts: bool,
    can_delete: bool,
    contact_form: FormView,
    visibility_options: Vec<(String, String)>,
    forum_options: Vec<(String, String)>,
    choices: ContactChoices,
}

/// The level, role and county pickers of the contact-person forms.
struct ContactChoices {
    levels: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    counties: Vec<(String, String)>,
}

impl ContactChoices {
    fn new(roles: Vec<roles::ContactRole>) -> Self {
        let none = || (String::new(), "Ingen".to_owned());
        Self {
            levels: std::iter::once(none())
                .chain(brygga_domain::actors::CONTACT_LEVELS.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())))
                .collect(),
            roles: std::iter::once(none()).chain(roles.into_iter().map(|r| (r.code, r.label))).collect(),
            counties: std::iter::once((String::new(), "Inget".to_owned()))
                .chain(geography::counties().iter().map(|c| (c.code.to_owned(), c.name.to_owned())))
                .collect(),
        }
    }
}

/// A contact person's level, role and coverage in a sentence ("Kommunpolis, kommun: Trelleborg").
fn coverage_text(c: &ContactPerson) -> String {
    let level = c.level.as_deref().and_then(brygga_domain::actors::contact_level_label);
    let place = match c.level.as_deref() {
        Some("kommun") => municipality_names(&c.municipalities),
        Some("lan") => c.county_code.as_deref().and_then(geography::county).map_or(String::new(), |c| c.name.to_owned()),
        _ => String::new(),
    };
    let mut parts: Vec<String> = c.role_label.iter().cloned().collect();
    match (level, place.is_empty()) {
        (Some(l), false) => parts.push(format!("{}: {place}", l.to_lowercase())),
        (Some(l), true) => parts.push(l.to_lowercase()),
        (None, _) => {}
    }
    parts.join(", ")
}

impl ShowPage {
    fn coverage_text(&self, c: &ContactPerson) -> String {
        coverage_text(c)
    }
    fn visibility_text(&self, v: &Visibility) -> String {
        match v {
            Visibility::Organisation => "Bara vår organisation".into(),
            Visibility::Forum { forum_id } => {
                format!("Forumet {}", self.forums.iter().find(|f| f.id == *forum_id).map_or("(okänt)", |f| f.name.as_str()))
            }
            Visibility::Public => "Alla (publikt)".into(),
        }
    }
    fn role_here(&self, u: &User) -> String {
        u.memberships.iter().find(|m| m.org_id == self.org.id).map_or(String::new(), |m| m.role.label().to_owned())
    }
}

async fn show_page(state: &AppState, session: &Session, id: i64, flash: &Flash, contact_form: FormView) -> Result<ShowPage, PageError> {
    let v = session.viewer.clone();
    let (org, contacts, forums, members, invitations, roles) = state
        .store
        .read(move |db| {
            let org = orgs::get(db, &v, id)?;
            let contacts = contacts::list_for_org(db, &v, id)?;
            let roles = roles::list(db)?;
            let forums: Vec<Forum> = forum::list(db, &v)?.into_iter().filter(|f| f.members.iter().any(|m| m.id == id)).collect();
            let (members, invitations) = if access::allowed(&v, Action::ManageMembers { org: id }) {
                (
                    users::list(db, &v, &users::Filter { org_id: Some(id), limit: Some(500), ..Default::default() })?.items,
                    brygga_store::accounts::invitations::org_invitations(db, &v, id)?,
                )
            } else {
                (vec![], vec![])
            };
            Ok((org, contacts, forums, members, invitations, roles))
        })
        .await?;
    let can_edit = access::allowed(&session.viewer, Action::EditOrganisation { org: id });
    let can_edit_contacts = access::allowed(&session.viewer, Action::EditContacts { org: id });
    Ok(ShowPage {
        chrome: Chrome::new(session, org.name.clone(), "orgs", flash),
        municipalities: municipality_names(&org.municipalities),
        pending: municipality_names(&org.pending_municipalities),
        can_delete: access::allowed(&session.viewer, Action::DeleteOrganisation),
        visibility_options: VisibilityKind::ALL.iter().map(|k| (k.code().to_owned(), k.label().to_owned())).collect(),
        forum_options: forums.iter().map(|f| (f.id.to_string(), f.name.clone())).collect(),
        org,
        contacts,
        members,
        invitations,
        forums,
        can_edit,
        can_edit_contacts,
        contact_form,
        choices: ContactChoices::new(roles),
    })
}

pub async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(id): Path<i64>) -> PageResult {
    let mut form = FormView::empty();
    form.set("visibility", "organisation");
    html(StatusCode::OK, show_page(&state, &session, id, &flash, form).await?)
}

pub async fn edit(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let org = state.store.read(move |db| orgs::get(db, &v, id)).await?;
    access::require(&session.viewer, Action::EditOrganisation { org: id }).map_err(AppError::from)?;
    let mut form = FormView::empty();
    form.set("name", org.name.clone())
        .set("kind", org.kind.code())
        .set("org_number", org.org_number.clone().unwrap_or_default())
        .set("description", org.description.clone().unwrap_or_default())
        .set("website", org.website.clone().unwrap_or_default())
        .set("municipalities", municipality_names(&OrganisationInput::from(&org).municipalities))
        .set("version", org.version.to_string());
    if org.public_profile {
        form.set("public_profile", "on");
    }
    html(StatusCode::OK, form_page(&session, form, format!("/organisationer/{id}"), "Redigera organisation"))
}

pub async fn update(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let result = match both(validate(&form), version_of(&form)) {
        Ok((valid, version)) => state.store.write(move |db| orgs::update(db, &v, id, version, &valid)).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/organisationer/{id}?klart=sparad")).into_response()),
        Err(AppError::Invalid(errors)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&session, FormView::submitted(&form, errors), format!("/organisationer/{id}"), "Redigera organisation"),
        ),
        Err(AppError::Stale) => {
            let mut view = FormView::submitted(&form, FieldError::new("version", "stale", AppError::Stale.message()).into());
            let v = session.viewer.clone();
            let now = state.store.read(move |db| orgs::get(db, &v, id)).await?;
            view.set("version", now.version.to_string());
            html(StatusCode::CONFLICT, form_page(&session, view, format!("/organisationer/{id}"), "Redigera organisation"))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| orgs::delete(db, &v, id)).await?;
    Ok(Redirect::to("/organisationer?klart=borttagen").into_response())
}

/// The contact form read and checked: the municipalities are typed as names ("Trelleborg,
/// Vellinge"); a name that is no municipality is reported with the rest.
fn validate_contact(form: &FormData) -> Result<ValidContact, FieldErrors> {
    let (codes, unread) = match municipalities_from_text("municipality_codes", form.get("municipality_codes")) {
        Ok(codes) => (codes, Ok(())),
        Err(e) => (vec![], Err(FieldErrors::from(e))),
    };
    let input = ContactInput {
        name: form.get("name").to_owned(),
        title: form.opt("title"),
        email: form.opt("email"),
        phone: form.opt("phone"),
        visibility: form.get("visibility").to_owned(),
        forum_id: form.int("forum_id"),
        level: form.opt("level"),
        role: form.opt("role"),
        county_code: form.opt("county_code"),
        municipality_codes: codes,
    };
    both(unread, input.validate()).map(|(_, valid)| valid)
}

pub async fn create_contact(State(state): State<AppState>, Path(org_id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let result = match validate_contact(&form) {
        Ok(valid) => state.store.write(move |db| contacts::create(db, &v, org_id, &valid)).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/organisationer/{org_id}?klart=skapad#kontaktpersoner")).into_response()),
        Err(AppError::Invalid(errors)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            show_page(&state, &session, org_id, &Flash(None), FormView::submitted(&form, errors)).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "accounts/orgs/contact_form.html")]
struct ContactFormPage {
    chrome: Chrome,
    form: FormView,
    contact_id: i64,
    org_id: i64,
    visibility_options: Vec<(String, String)>,
    forum_options: Vec<(String, String)>,
    choices: ContactChoices,
}

async fn contact_form_page(state: &AppState, session: &Session, id: i64, form: Option<FormView>) -> Result<ContactFormPage, PageError> {
    let v = session.viewer.clone();
    let (c, forums, roles) = state
        .store
        .read(move |db| {
            let c = contacts::get(db, &v, id)?;
            let forums: Vec<Forum> = forum::list(db, &v)?.into_iter().filter(|f| f.members.iter().any(|m| m.id == c.org_id)).collect();
            Ok((c, forums, roles::list(db)?))
        })
        .await?;
    access::require(&session.viewer, Action::EditContacts { org: c.org_id }).map_err(AppError::from)?;
    let form = form.unwrap_or_else(|| {
        let mut f = FormView::empty();
        f.set("name", c.name.clone())
            .set("title", c.title.clone().unwrap_or_default())
            .set("email", c.email.clone().unwrap_or_default())
            .set("phone", c.phone.clone().unwrap_or_default())
            .set("visibility", c.visibility.kind().code())
            .set("forum_id", c.visibility.forum_id().map(|f| f.to_string()).unwrap_or_default())
            .set("level", c.level.clone().unwrap_or_default())
            .set("role", c.role_code.clone().unwrap_or_default())
            .set("county_code", c.county_code.clone().unwrap_or_default())
            .set("municipality_codes", municipality_names(&c.municipalities))
            .set("version", c.version.to_string());
        f
    });
    Ok(ContactFormPage {
        chrome: Chrome::new(session, "Redigera kontaktperson", "orgs", &Flash(None)),
        form,
        contact_id: id,
        org_id: c.org_id,
        visibility_options: VisibilityKind::ALL.iter().map(|k| (k.code().to_owned(), k.label().to_owned())).collect(),
        forum_options: forums.iter().map(|f| (f.id.to_string(), f.name.clone())).collect(),
        choices: ContactChoices::new(roles),
    })
}

pub async fn edit_contact(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    html(StatusCode::OK, contact_form_page(&state, &session, id, None).await?)
}

pub async fn update_contact(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let result = match both(validate_contact(&form), version_of(&form)) {
        Ok((valid, version)) => state.store.write(move |db| contacts::update(db, &v, id, version, &valid)).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(c) => Ok(Redirect::to(&format!("/organisationer/{}?klart=sparad#kontaktpersoner", c.org_id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, contact_form_page(&state, &session, id, Some(FormView::submitted(&form, errors))).await?)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_contact(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let org_id = state
        .store
        .write(move |db| {
            let c = contacts::get(db, &v, id)?;
            contacts::delete(db, &v, id)?;
            Ok(c.org_id)
        })
        .await?;
    Ok(Redirect::to(&format!("/organisationer/{org_id}?klart=borttagen#kontaktpersoner")).into_response())
}

// ---- claims to work in a municipality ----

#[derive(Template)]
#[template(path = "accounts/orgs/claims.html")]
struct ClaimsPage {
    chrome: Chrome,
    claims: Vec<(orgs::Claim, String)>,
}

/// The pending claims the viewer decides (the municipality's organisation, or a system
/// administrator): approve or reject each.
pub async fn claims(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let claims = state.store.read(move |db| orgs::pending_claims(db, &v)).await?;
    let claims = claims
        .into_iter()
        .map(|c| {
            let name = geography::municipality(&c.municipality_code).map_or(c.municipality_code.clone(), |m| m.name.to_owned());
            (c, name)
        })
        .collect();
    html(StatusCode::OK, ClaimsPage { chrome: Chrome::new(&session, "Anspråk på kommuner", "orgs", &flash), claims })
}

/// Approves (`beslut=godkann`) or rejects (`beslut=avsla`) a pending claim.
pub async fn decide_claim(
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let approve = match form.get("beslut").trim() {
        "godkann" => true,
        "avsla" => false,
        _ => {
            return Err(AppError::Invalid(
                FieldError::new("beslut", "decision.unknown", "Välj om anspråket ska godkännas eller avslås.").into(),
            )
            .into());
        }
    };
    let v = session.viewer.clone();
    state.store.write(move |db| orgs::decide_claim(db, &v, id, &code, approve)).await?;
    let done = if approve { "ansprak-godkant" } else { "ansprak-avslaget" };
    Ok(Redirect::to(&format!("/organisationer/ansprak?klart={done}")).into_response())
}
