//! Programmes (issue 14): the list, a new or changed programme, the programme at a glance (every
//! working group's state, the load on each organisation, signatories), a working group with its
//! members (missing mandate or working time flagged) and activity plans, the activity plan's
//! workflow with its steps and comments, members' contributions, and the county's participation
//! matrix with CSV/XLSX export.
//!
//! Paths: `/program`, `/program/nytt`, `/program/{id}` (`/redigera`, `/undertecknare`,
//! `/grupper/ny`, `/export.json`), `/program/grupper/{id}` (`/redigera`, `/medlemmar`,
//! `/medlemmar/{org}/ta-bort`, `/aktivitetsplaner`), `/program/medlemmar/{id}`,
//! `/program/aktivitetsplaner/{plan}` (`/steg`, `/bidrag`), `/program/deltagande/{county}`
//! (`.csv`, `.xlsx`, `/initiativ`, `/initiativ/{id}/kommuner`).
//!
//! What the viewer may read or do is the store's business; forms are shown by the same rules.

pub mod deliverables;
pub mod report;
pub mod steering;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::FieldErrors;
use brygga_domain::time::format_number;
use brygga_store::kernel::error::checked_with;
use brygga_store::plans::plan as plans_plan;
use brygga_store::programmes::activity::{self, ActivityView, Contribution, ContributionInput, StepInput};
use brygga_store::programmes::groups::{self, GroupInput, MemberInput};
use brygga_store::programmes::overview::{self, Overview};
use brygga_store::programmes::participation::{self, InitiativeInput, Matrix, ParticipantInput};
use brygga_store::programmes::programme::{self, ProgrammeInput, SignatoryInput};
use brygga_store::programmes::{self as store, Member, Programme, WorkingGroup, transfer};

use crate::AppState;
use crate::kit::auth::{FormData, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageResult};
use crate::kit::export::{Cell, table_csv, table_xlsx};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted, version_of};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/program", get(list))
        .route("/program/nytt", get(new).post(create))
        .route("/program/{id}", get(show))
        .route("/program/{id}/redigera", get(edit).post(update))
        .route("/program/{id}/undertecknare", post(add_signatory))
        .route("/program/{id}/grupper/ny", get(new_group).post(create_group))
        .route("/program/{id}/export.json", get(export))
        .route("/program/grupper/{id}", get(group))
        .route("/program/grupper/{id}/redigera", get(edit_group).post(update_group))
        .route("/program/grupper/{id}/medlemmar", post(add_member))
        .route("/program/grupper/{id}/medlemmar/{org}/ta-bort", post(remove_member))
        .route("/program/grupper/{id}/aktivitetsplaner", post(start_plan))
        .route("/program/medlemmar/{id}", get(edit_member).post(update_member))
        .route("/program/aktivitetsplaner/{id}", get(plan))
        .route("/program/aktivitetsplaner/{id}/steg", post(step))
        .route("/program/aktivitetsplaner/{id}/bidrag", post(contribution))
        .route("/program/deltagande/{county}", get(participation_page))
        .route("/program/deltagande/{county}/initiativ", post(create_initiative))
        .route("/program/deltagande/{county}/initiativ/{id}/kommuner", post(add_participant))
}

type Options = Vec<(String, String)>;

fn id_of(form: &FormData, field: &str, errs: &mut FieldErrors) -> Option<i64> {
    let raw = form.opt(field)?;
    match raw.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errs.push(brygga_domain::FieldError::new(
                field,
                "invalid",
                format!("”{raw}” är inget giltigt val. Ladda om sidan och välj i listan."),
            ));
            None
        }
    }
}

fn hours(x: &Option<f64>) -> String {
    x.map(|v| format_number(v, if v.fract() == 0.0 { 0 } else { 1 })).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// The list and the programme form

#[derive(Template)]
#[template(path = "programmes/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Programme>,
    can_create: bool,
    counties: Options,
}

fn may_create(session: &crate::kit::auth::Session) -> bool {
    session
        .viewer
        .org_ids()
        .into_iter()
        .any(|o| brygga_store::kernel::access::allowed(&session.viewer, brygga_store::Action::ManageProgramme { org: o }))
}

async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let (items, counties) = state.store.read(move |db| Ok((store::list(db, &v)?, brygga_store::places::geography::counties(db)?))).await?;
    html(
        StatusCode::OK,
        ListPage { chrome: Chrome::new(&session, "Program", "programmes", &flash), items, can_create: may_create(&session), counties },
    )
}

#[derive(Template)]
#[template(path = "programmes/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    form: FormView,
    editing: bool,
    owners: Options,
    counties: Options,
    scopes: Options,
    visibilities: Options,
}

fn programme_input(form: &FormData) -> (ProgrammeInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let due = form.opt("plan_due_days");
    let plan_due_days = match due.as_deref().map(str::parse::<i64>) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            errs.push(brygga_domain::FieldError::new(
                "plan_due_days",
                "number.invalid",
                "Ange antalet dagar som ett heltal, till exempel 30.",
            ));
            None
        }
    };
    let input = ProgrammeInput {
        title: form.get("title").to_owned(),
        scope: form.get("scope").to_owned(),
        county_code: form.opt("county_code"),
        municipality_code: form.opt("municipality_code"),
        owner_org_id: id_of(form, "owner_org_id", &mut errs),
        period_from: form.opt("period_from"),
        period_to: form.opt("period_to"),
        declaration: form.opt("declaration"),
        action_programme: form.opt("action_programme"),
        plan_due_days,
        visibility: form.opt("visibility"),
        forum_id: None,
    };
    (input, errs)
}

async fn form_page(
    state: &AppState,
    session: &crate::kit::auth::Session,
    form: FormView,
    editing: Option<&Programme>,
) -> Result<FormPage, AppError> {
    let counties = state.store.read(brygga_store::places::geography::counties).await?;
    let (heading, action, cancel) = match editing {
        Some(p) => (format!("Ändra programmet: {}", p.title), format!("/program/{}/redigera", p.id), format!("/program/{}", p.id)),
        None => ("Nytt program".to_owned(), "/program/nytt".to_owned(), "/program".to_owned()),
    };
    let owners = session
        .viewer
        .memberships()
        .iter()
        .filter(|m| brygga_store::kernel::access::allowed(&session.viewer, brygga_store::Action::ManageProgramme { org: m.org_id }))
        .map(|m| (m.org_id.to_string(), m.org_name.clone()))
        .collect();
    Ok(FormPage {
        chrome: Chrome::new(session, heading.clone(), "programmes", &Flash(None)),
        heading,
        action,
        cancel,
        form,
        editing: editing.is_some(),
        owners,
        counties,
        scopes: vec![
            ("regional".into(), "Regionalt (ett län)".into()),
            ("national".into(), "Nationellt".into()),
            ("municipal".into(), "Kommunalt".into()),
        ],
        visibilities: vec![
            ("organisation".into(), "Bara programmets parter".into()),
            ("public".into(), "Publicerat: alla kan läsa programmet".into()),
        ],
    })
}

async fn new(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    if !may_create(&session) {
        return Err(AppError::Forbidden.into());
    }
    let mut f = FormView::empty();
    f.set("scope", "regional").set("plan_due_days", "30").set("visibility", "organisation");
    html(StatusCode::OK, form_page(&state, &session, f, None).await?)
}

async fn create(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, unread) = programme_input(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| checked_with(unread, programme::create(db, &v, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(p) => Ok(Redirect::to(&format!("/program/{}?klart=skapad", p.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &session, view, None).await?),
    }
}

fn programme_values(p: &Programme) -> FormView {
    let mut f = FormView::empty();
    f.set("title", p.title.clone())
        .set("scope", p.scope.clone())
        .set("county_code", p.county_code.clone().unwrap_or_default())
        .set("municipality_code", p.municipality_code.clone().unwrap_or_default())
        .set("period_from", p.period_from.clone())
        .set("period_to", p.period_to.clone())
        .set("declaration", p.declaration.clone().unwrap_or_default())
        .set("action_programme", p.action_programme.clone().unwrap_or_default())
        .set("plan_due_days", p.plan_due_days.to_string())
        .set("visibility", p.visibility.clone())
        .set("version", p.version.to_string());
    f
}

async fn edit(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let p = state.store.read(move |db| store::load_managed(db, &v, id)).await?;
    html(StatusCode::OK, form_page(&state, &session, programme_values(&p), Some(&p)).await?)
}

async fn update(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let p = state.store.read(move |db| store::load_managed(db, &v, id)).await?;
    let (input, mut unread) = programme_input(&form);
    let version = version_of(&form).unwrap_or_else(|e| {
        unread.0.extend(e.0);
        0
    });
    let v = session.viewer.clone();
    let result = state.store.write(move |db| checked_with(unread, programme::edit(db, &v, id, version, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(p) => Ok(Redirect::to(&format!("/program/{}?klart=sparad", p.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &session, view, Some(&p)).await?),
    }
}

// ---------------------------------------------------------------------------------------
// The programme at a glance

#[derive(Template)]
#[template(path = "programmes/show.html")]
struct ShowPage {
    chrome: Chrome,
    o: Overview,
    orgs: Options,
    form: FormView,
    /// Deliverables delivered and not distributed (id, title): the steering part's check.
    undistributed: Vec<(i64, String)>,
}

impl ShowPage {
    fn hours(&self, x: &f64) -> String {
        hours(&Some(*x))
    }
    fn names(&self, ms: &[Member]) -> String {
        ms.iter().map(|m| m.org.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

async fn show_page(
    state: &AppState,
    session: &crate::kit::auth::Session,
    id: i64,
    flash: &Flash,
    form: FormView,
    status: StatusCode,
) -> PageResult {
    let v = session.viewer.clone();
    let (o, orgs, undistributed) = state
        .store
        .read(move |db| {
            let o = overview::overview(db, &v, id)?;
            let orgs = store::organisation_choices(db)?.into_iter().map(|o| (o.id.to_string(), o.name)).collect();
            let undistributed = brygga_store::programmes::deliverables::for_programme(db, &v, id)?
                .into_iter()
                .filter(|d| d.undistributed)
                .map(|d| (d.id, d.title))
                .collect();
            Ok((o, orgs, undistributed))
        })
        .await?;
    html(status, ShowPage { chrome: Chrome::new(session, o.programme.title.clone(), "programmes", flash), o, orgs, form, undistributed })
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(id): Path<i64>) -> PageResult {
    show_page(&state, &session, id, &flash, FormView::empty(), StatusCode::OK).await
}

async fn add_signatory(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let input =
        SignatoryInput { org_id: id_of(&form, "org_id", &mut unread), signed_by: form.opt("signed_by"), signed_on: form.opt("signed_on") };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| checked_with(unread, programme::set_signatory(db, &v, id, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/program/{id}?klart=sparad#undertecknare")).into_response()),
        Submitted::Refused(view) => show_page(&state, &session, id, &Flash(None), view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn export(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let file = state.store.read(move |db| transfer::export(db, &v, id)).await?;
    let body = serde_json::to_vec_pretty(&file).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::kit::export::attachment(&format!("program-{id}.json"), "application/json", body))
}

// ---------------------------------------------------------------------------------------
// Working groups

#[derive(Template)]
#[template(path = "programmes/group_form.html")]
struct GroupFormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    form: FormView,
    orgs: Options,
}

fn group_input(form: &FormData) -> (GroupInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let input = GroupInput {
        area_title: form.get("area_title").to_owned(),
        area_description: form.opt("area_description"),
        name: form.opt("name"),
        convener_org_id: id_of(form, "convener_org_id", &mut errs),
    };
    (input, errs)
}

async fn group_form(
    state: &AppState,
    session: &crate::kit::auth::Session,
    form: FormView,
    programme: &Programme,
    editing: Option<&WorkingGroup>,
) -> Result<GroupFormPage, AppError> {
    let orgs = state.store.read(store::organisation_choices).await?.into_iter().map(|o| (o.id.to_string(), o.name)).collect();
    let (heading, action, cancel) = match editing {
        Some(g) => (
            format!("Ändra arbetsgruppen: {}", g.name),
            format!("/program/grupper/{}/redigera", g.id),
            format!("/program/grupper/{}", g.id),
        ),
        None => (
            format!("Nytt utvecklingsområde i {}", programme.title),
            format!("/program/{}/grupper/ny", programme.id),
            format!("/program/{}", programme.id),
        ),
    };
    Ok(GroupFormPage { chrome: Chrome::new(session, heading.clone(), "programmes", &Flash(None)), heading, action, cancel, form, orgs })
}

async fn new_group(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let p = state.store.read(move |db| store::load_managed(db, &v, id)).await?;
    html(StatusCode::OK, group_form(&state, &session, FormView::empty(), &p, None).await?)
}

async fn create_group(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let p = state.store.read(move |db| store::load_managed(db, &v, id)).await?;
    let (input, unread) = group_input(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| checked_with(unread, groups::create(db, &v, id, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(g) => Ok(Redirect::to(&format!("/program/grupper/{}?klart=skapad", g.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, group_form(&state, &session, view, &p, None).await?),
    }
}

async fn edit_group(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let (p, g) = state.store.read(move |db| store::load_group(db, &v, id)).await?;
    let mut f = FormView::empty();
    f.set("area_title", g.area_title.clone()).set("name", g.name.clone()).set("convener_org_id", g.convener.id.to_string());
    html(StatusCode::OK, group_form(&state, &session, f, &p, Some(&g)).await?)
}

async fn update_group(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let (p, g) = state.store.read(move |db| store::load_group(db, &v, id)).await?;
    let (input, unread) = group_input(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| checked_with(unread, groups::edit(db, &v, id, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/program/grupper/{id}?klart=sparad")).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, group_form(&state, &session, view, &p, Some(&g)).await?),
    }
}

#[derive(Template)]
#[template(path = "programmes/group.html")]
struct GroupPage {
    chrome: Chrome,
    p: Programme,
    g: WorkingGroup,
    plans: Vec<activity::ActivityPlan>,
    manages: bool,
    writes: bool,
    orgs: Options,
    form: FormView,
}

impl GroupPage {
    fn hours(&self, x: &Option<f64>) -> String {
        hours(x)
    }
}

async fn group_page(
    state: &AppState,
    session: &crate::kit::auth::Session,
    id: i64,
    flash: &Flash,
    form: FormView,
    status: StatusCode,
) -> PageResult {
    let v = session.viewer.clone();
    let (p, g, plans, orgs) = state
        .store
        .read(move |db| {
            let (p, g) = store::load_group(db, &v, id)?;
            let plans = activity::for_group(db, id)?;
            let orgs = store::organisation_choices(db)?.into_iter().map(|o| (o.id.to_string(), o.name)).collect::<Options>();
            Ok((p, g, plans, orgs))
        })
        .await?;
    let manages = p.manages(&session.viewer);
    let writes = g.writes_plan(&session.viewer) || manages;
    let next = store::HalfYear::of(brygga_domain::time::today()).next();
    let next_half_year = match plans.last().and_then(|a| a.half()) {
        Some(h) if h >= next => h.next().to_string(),
        _ => next.to_string(),
    };
    let mut form = form;
    if form.value("half_year").is_empty() {
        form.set("half_year", next_half_year);
    }
    html(status, GroupPage { chrome: Chrome::new(session, g.name.clone(), "programmes", flash), p, g, plans, manages, writes, orgs, form })
}

async fn group(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(id): Path<i64>) -> PageResult {
    group_page(&state, &session, id, &flash, FormView::empty(), StatusCode::OK).await
}

fn member_input(form: &FormData) -> (MemberInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let input = MemberInput {
        org_id: id_of(form, "org_id", &mut errs),
        representative: form.opt("representative"),
        representative_email: form.opt("representative_email"),
        user_id: None,
        mandate: form.opt("mandate"),
        hours_per_month: form.opt("hours_per_month"),
        joined_on: form.opt("joined_on"),
    };
    (input, errs)
}

async fn add_member(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, unread) = member_input(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| checked_with(unread, groups::add_member(db, &v, id, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/program/grupper/{id}?klart=sparad#medlemmar")).into_response()),
        Submitted::Refused(view) => group_page(&state, &session, id, &Flash(None), view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn remove_member(
    State(state): State<AppState>,
    Path((id, org)): Path<(i64, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let v = session.viewer.clone();
    let result = state.store.write(move |db| groups::remove_member(db, &v, id, org)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/program/grupper/{id}?klart=borttagen#medlemmar")).into_response()),
        Submitted::Refused(view) => group_page(&state, &session, id, &Flash(None), view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Template)]
#[template(path = "programmes/member_form.html")]
struct MemberPage {
    chrome: Chrome,
    g: WorkingGroup,
    member: Member,
    form: FormView,
}

async fn member_context(state: &AppState, session: &crate::kit::auth::Session, id: i64) -> Result<(WorkingGroup, Member), AppError> {
    let v = session.viewer.clone();
    let found = state
        .store
        .read(move |db| {
            for p in store::list(db, &v)? {
                for g in store::working_groups(db, p.id)? {
                    if let Some(m) = g.members.iter().find(|m| m.id == id).cloned() {
                        return Ok(Some((g, m)));
                    }
                }
            }
            Ok(None)
        })
        .await?;
    found.ok_or(AppError::NotFound)
}

async fn edit_member(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let (g, m) = member_context(&state, &session, id).await?;
    let mut f = FormView::empty();
    f.set("representative", m.representative.clone().unwrap_or_default())
        .set("representative_email", m.representative_email.clone().unwrap_or_default())
        .set("mandate", m.mandate.clone().unwrap_or_default())
        .set("hours_per_month", hours(&m.hours_per_month))
        .set("joined_on", m.joined_on.clone().unwrap_or_default());
    html(
        StatusCode::OK,
        MemberPage { chrome: Chrome::new(&session, format!("Ändra {}", m.org.name), "programmes", &Flash(None)), g, member: m, form: f },
    )
}

async fn update_member(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let (g, m) = member_context(&state, &session, id).await?;
    let (input, unread) = member_input(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| checked_with(unread, groups::edit_member(db, &v, id, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/program/grupper/{}?klart=sparad#medlemmar", g.id)).into_response()),
        Submitted::Refused(view) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            MemberPage {
                chrome: Chrome::new(&session, format!("Ändra {}", m.org.name), "programmes", &Flash(None)),
                g,
                member: m,
                form: view,
            },
        ),
    }
}

async fn start_plan(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let half = form.get("half_year").to_owned();
    let v = session.viewer.clone();
    let result = state.store.write(move |db| activity::start(db, &v, id, &half)).await;
    match submitted(&form, result)? {
        Submitted::Done(a) => Ok(Redirect::to(&format!("/atgardsplaner/{}?klart=skapad", a.plan_id)).into_response()),
        Submitted::Refused(view) => group_page(&state, &session, id, &Flash(None), view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

// ---------------------------------------------------------------------------------------
// An activity plan's workflow

#[derive(Template)]
#[template(path = "programmes/plan.html")]
struct PlanPage {
    chrome: Chrome,
    a: ActivityView,
    measures: Vec<(i64, String)>,
    contributions: Vec<Contribution>,
    parties: Options,
    meetings: Options,
    form: FormView,
    /// The plan's content may be edited (draft, a party's coordinator): contribution form.
    editable: bool,
}

impl PlanPage {
    fn may(&self, step: &str) -> bool {
        self.a.allowed_steps.iter().any(|s| s == step)
    }
    fn measure_options(&self) -> Options {
        self.measures.iter().map(|(id, t)| (id.to_string(), t.clone())).collect()
    }
    fn contributions_of(&self, measure: &i64) -> Vec<&Contribution> {
        self.contributions.iter().filter(|c| c.measure_id == *measure).collect()
    }
}

async fn plan_page(
    state: &AppState,
    session: &crate::kit::auth::Session,
    id: i64,
    flash: &Flash,
    form: FormView,
    status: StatusCode,
) -> PageResult {
    let v = session.viewer.clone();
    let (a, d, contributions, meetings) = state
        .store
        .read(move |db| {
            let a = activity::get(db, &v, id)?;
            let d = plans_plan::load(db, &v, id)?;
            let contributions = activity::contributions(db, id)?;
            let meetings = store::meeting_choices(db, a.programme_id)?;
            Ok((a, d, contributions, meetings))
        })
        .await?;
    let party = d.plan.parties.iter().any(|p| brygga_store::plans::coordinates(&session.viewer, p.id));
    let editable = party && a.plan.state == "draft" && d.plan.is_draft();
    html(
        status,
        PlanPage {
            chrome: Chrome::new(session, a.plan.title.clone(), "programmes", flash),
            measures: d.measures.iter().map(|m| (m.id, m.title.clone())).collect(),
            parties: d.plan.parties.iter().map(|p| (p.id.to_string(), p.name.clone())).collect(),
            a,
            contributions,
            meetings,
            form,
            editable,
        },
    )
}

async fn plan(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(id): Path<i64>) -> PageResult {
    plan_page(&state, &session, id, &flash, FormView::empty(), StatusCode::OK).await
}

async fn step(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let input = StepInput {
        step: form.get("step").to_owned(),
        comment: form.opt("comment"),
        meeting_id: id_of(&form, "meeting_id", &mut unread),
        decided_on: form.opt("decided_on"),
        version: form.int("version"),
    };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| checked_with(unread, activity::step(db, &v, id, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/program/aktivitetsplaner/{id}?klart=sparad")).into_response()),
        Submitted::Refused(view) => plan_page(&state, &session, id, &Flash(None), view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn contribution(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let measure = id_of(&form, "measure_id", &mut unread).unwrap_or(0);
    let input = ContributionInput { org_id: id_of(&form, "org_id", &mut unread), contribution: form.opt("contribution") };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| checked_with(unread, activity::set_contribution(db, &v, measure, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/program/aktivitetsplaner/{id}?klart=sparad#bidrag")).into_response()),
        Submitted::Refused(view) => plan_page(&state, &session, id, &Flash(None), view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

// ---------------------------------------------------------------------------------------
// Participation

#[derive(Template)]
#[template(path = "programmes/participation.html")]
struct ParticipationPage {
    chrome: Chrome,
    matrix: Matrix,
    municipalities: Options,
    kinds: Options,
    can_manage: bool,
    form: FormView,
}

const HEADER_FIXED: [&str; 3] = ["Kommun", "Kommunkod", "Antal initiativ"];

fn matrix_rows(m: &Matrix) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut header: Vec<String> = HEADER_FIXED.iter().map(|s| (*s).to_owned()).collect();
    header.extend(m.initiatives.iter().map(|i| format!("{} ({})", i.title, i.kind_label)));
    let rows = m
        .rows
        .iter()
        .map(|r| {
            let mut row =
                vec![Cell::text(r.municipality_name.clone()), Cell::text(r.municipality_code.clone()), Cell::text(r.count.to_string())];
            row.extend(r.cells.iter().map(|c| match c {
                None => Cell::text(""),
                Some(role) if role.is_empty() => Cell::text("Deltar"),
                Some(role) => Cell::text(role.clone()),
            }));
            row
        })
        .collect();
    (header, rows)
}

async fn participation_page(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    flash: Flash,
    Path(county): Path<String>,
) -> PageResult {
    let (code, ext) = match county.split_once('.') {
        Some((c, e)) => (c.to_owned(), Some(e.to_owned())),
        None => (county.clone(), None),
    };
    let v = session.viewer.clone();
    let c2 = code.clone();
    let (m, municipalities) = state
        .store
        .read(move |db| Ok((participation::matrix(db, &v, &c2)?, brygga_store::places::geography::municipalities(db, Some(&c2))?)))
        .await?;
    match ext.as_deref() {
        None => {}
        Some("csv") => {
            let (header, rows) = matrix_rows(&m);
            let h: Vec<&str> = header.iter().map(String::as_str).collect();
            return Ok(table_csv(&format!("deltagande-{code}.csv"), &h, &rows)?);
        }
        Some("xlsx") => {
            let (header, rows) = matrix_rows(&m);
            let h: Vec<&str> = header.iter().map(String::as_str).collect();
            return Ok(table_xlsx(
                &format!("deltagande-{code}.xlsx"),
                "Deltagande",
                &format!("Deltagande i {}", m.county_name),
                &h,
                &rows,
            )?);
        }
        Some(_) => return Err(AppError::NotFound.into()),
    }
    let can_manage = may_create(&session);
    let title = format!("Deltagande i {}", m.county_name);
    html(
        StatusCode::OK,
        ParticipationPage {
            chrome: Chrome::new(&session, title, "programmes", &flash),
            matrix: m,
            municipalities,
            kinds: participation::KINDS.iter().filter(|k| k.0 != "programme").map(|k| (k.0.to_owned(), k.1.to_owned())).collect(),
            can_manage,
            form: FormView::empty(),
        },
    )
}

async fn create_initiative(State(state): State<AppState>, Path(county): Path<String>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = InitiativeInput {
        title: form.get("title").to_owned(),
        kind: form.get("kind").to_owned(),
        county_code: Some(county.clone()),
        owner_org_id: None,
        description: form.opt("description"),
        starts_on: form.opt("starts_on"),
        ends_on: form.opt("ends_on"),
    };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| participation::create(db, &v, &input)).await;
    refused_or_back(&state, &session, &county, &form, result).await
}

async fn add_participant(
    State(state): State<AppState>,
    Path((county, id)): Path<(String, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let input = ParticipantInput {
        municipality_code: form.get("municipality_code").to_owned(),
        role: form.opt("role"),
        joined_on: form.opt("joined_on"),
        left_on: form.opt("left_on"),
    };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| participation::set_participant(db, &v, id, &input)).await;
    refused_or_back(&state, &session, &county, &form, result).await
}

async fn refused_or_back<T>(
    state: &AppState,
    session: &crate::kit::auth::Session,
    county: &str,
    form: &FormData,
    result: Result<T, brygga_store::StoreError>,
) -> PageResult {
    match submitted(form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/program/deltagande/{county}?klart=sparad")).into_response()),
        Submitted::Refused(view) => {
            let v = session.viewer.clone();
            let c2 = county.to_owned();
            let (m, municipalities) = state
                .store
                .read(move |db| Ok((participation::matrix(db, &v, &c2)?, brygga_store::places::geography::municipalities(db, Some(&c2))?)))
                .await?;
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                ParticipationPage {
                    chrome: Chrome::new(session, format!("Deltagande i {}", m.county_name), "programmes", &Flash(None)),
                    matrix: m,
                    municipalities,
                    kinds: participation::KINDS.iter().filter(|k| k.0 != "programme").map(|k| (k.0.to_owned(), k.1.to_owned())).collect(),
                    can_manage: may_create(session),
                    form: view,
                },
            )
        }
    }
}
