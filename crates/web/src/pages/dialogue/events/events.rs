//! Evenemang: the list the viewer may read, creating and changing an event (the organiser's
//! coordinators), one event with registration (a seat or the waiting list with its number),
//! the participants and attendance for the organiser, and the viewer's own registrations.
//!
//! Paths: `/evenemang`, `/evenemang/ny`, `/evenemang/{id}`, `/evenemang/{id}/redigera`,
//! `POST /evenemang/{id}/anmal`, `POST /evenemang/{id}/anmalningar/{rid}/avboka`,
//! `POST /evenemang/{id}/anmalningar/{rid}/narvaro`, `/mina-evenemang`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::geography as geo;
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::dialogue::events::catalogue;
use brygga_store::dialogue::events::coverage;
use brygga_store::dialogue::events::event::{self, Event, EventInput, ListFilter};
use brygga_store::dialogue::events::registrations::{self, EventParticipants, EventRegistration, EventRegistrationInput};
use brygga_store::dialogue::events::{FORMATS, KINDS, ROLES, STATUSES, local_input};
use brygga_store::kernel::access;
use brygga_store::{Action, Viewer};

use super::pairs;
use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted, version_of};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/evenemang", get(list))
        .route("/evenemang/ny", get(new).post(create))
        .route("/evenemang/{id}", get(show))
        .route("/evenemang/{id}/redigera", get(edit).post(update))
        .route("/evenemang/{id}/anmal", post(register))
        .route("/evenemang/{id}/anmalningar/{rid}/avboka", post(cancel))
        .route("/evenemang/{id}/anmalningar/{rid}/narvaro", post(mark))
        .route("/mina-evenemang", get(mine))
}

type Options = Vec<(String, String)>;

// ---------------------------------------------------------------------------------------
// The list

#[derive(Template)]
#[template(path = "dialogue/events/list.html")]
struct ListPage {
    chrome: Chrome,
    upcoming: Vec<Event>,
    past: Vec<Event>,
    can_create: bool,
    /// Counties whose coverage report the viewer may open: (code, name).
    coverage: Options,
}

async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let (all, organisers) =
        state.store.read(move |db| Ok((event::list(db, &v, &ListFilter::default())?, event::organiser_choices(db, &v)?.len()))).await?;
    let now = jiff::Timestamp::now().as_millisecond();
    let (upcoming, mut past): (Vec<Event>, Vec<Event>) = all.into_iter().partition(|e| e.ends_at_ms >= now);
    past.reverse();
    let coverage = geo::counties()
        .iter()
        .filter(|c| coverage::may_read(&session.viewer, c.code))
        .map(|c| (c.code.to_owned(), c.name.to_owned()))
        .collect();
    html(
        StatusCode::OK,
        ListPage { chrome: Chrome::new(&session, "Evenemang", "events", &flash), upcoming, past, can_create: organisers > 0, coverage },
    )
}

// ---------------------------------------------------------------------------------------
// New and edit

#[derive(Template)]
#[template(path = "dialogue/events/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    form: FormView,
    editing: bool,
    organisers: Options,
    courses: Options,
    counties: Options,
    municipalities: Options,
    kinds: Options,
    formats: Options,
    statuses: Options,
}

fn opt_int(form: &FormData, field: &str, what: &str, errs: &mut FieldErrors) -> Option<i64> {
    let raw = form.opt(field)?;
    match raw.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(
                field,
                "invalid",
                format!("”{raw}” är inget heltal. Skriv {what} med siffror, eller lämna fältet tomt."),
            ));
            None
        }
    }
}

fn input_of(form: &FormData) -> (EventInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let input = EventInput {
        title: form.get("title").to_owned(),
        description: form.opt("description"),
        kind: form.opt("kind"),
        format: form.opt("format"),
        course_id: form.int("course_id"),
        organiser_org_id: form.int("organiser_org_id"),
        county_code: form.opt("county_code"),
        municipality_code: form.opt("municipality_code"),
        starts_at: form.get("starts_at").to_owned(),
        ends_at: form.get("ends_at").to_owned(),
        place: form.opt("place"),
        link: form.opt("link"),
        capacity: opt_int(form, "capacity", "antalet platser", &mut errs),
        registration_closes_at: form.opt("registration_closes_at"),
        status: form.opt("status"),
    };
    (input, errs)
}

fn values_of(e: &Event) -> FormView {
    let mut f = FormView::empty();
    f.set("title", e.title.clone())
        .set("description", e.description.clone().unwrap_or_default())
        .set("kind", e.kind.code.clone())
        .set("format", e.format.code.clone())
        .set("course_id", e.course_id.map(|c| c.to_string()).unwrap_or_default())
        .set("county_code", e.county.code.clone())
        .set("municipality_code", e.municipality.as_ref().map(|m| m.code.clone()).unwrap_or_default())
        .set("starts_at", local_input(e.starts_at_ms))
        .set("ends_at", local_input(e.ends_at_ms))
        .set("place", e.place.clone().unwrap_or_default())
        .set("link", e.link.clone().unwrap_or_default())
        .set("capacity", e.capacity.map(|c| c.to_string()).unwrap_or_default())
        .set("registration_closes_at", e.registration_closes_at_ms.map(local_input).unwrap_or_default())
        .set("status", e.status.code.clone())
        .set("version", e.version.to_string());
    f
}

async fn form_page(state: &AppState, session: &Session, form: FormView, editing: Option<&Event>) -> Result<FormPage, PageError> {
    let v = session.viewer.clone();
    let (organisers, courses) = state
        .store
        .read(move |db| {
            let organisers: Options = event::organiser_choices(db, &v)?.into_iter().map(|o| (o.id.to_string(), o.name)).collect();
            let courses: Options = catalogue::catalogue(db, &v)?
                .courses
                .into_iter()
                .map(|c| (c.id.to_string(), format!("{} ({})", c.title, c.level.label)))
                .collect();
            Ok((organisers, courses))
        })
        .await?;
    // The counties and municipalities the viewer's organisations work in.
    let mut municipalities: Options = Vec::new();
    let mut counties: Options = Vec::new();
    for m in session.viewer.memberships() {
        for code in &m.municipalities {
            if let Some(x) = geo::municipality(code) {
                if !municipalities.iter().any(|(c, _)| c == x.code) {
                    municipalities.push((x.code.to_owned(), x.name.to_owned()));
                }
                let c = x.county();
                if !counties.iter().any(|(k, _)| k == c.code) {
                    counties.push((c.code.to_owned(), c.name.to_owned()));
                }
            }
        }
    }
    municipalities.sort_by_cached_key(|(_, n)| brygga_store::sort_key(n));
    let (heading, action, cancel) = match editing {
        Some(e) => (format!("Ändra: {}", e.title), format!("/evenemang/{}/redigera", e.id), format!("/evenemang/{}", e.id)),
        None => ("Nytt evenemang".to_owned(), "/evenemang/ny".to_owned(), "/evenemang".to_owned()),
    };
    Ok(FormPage {
        chrome: Chrome::new(session, heading.clone(), "events", &Flash(None)),
        heading,
        action,
        cancel,
        form,
        editing: editing.is_some(),
        organisers,
        courses,
        counties,
        municipalities,
        kinds: pairs(KINDS),
        formats: pairs(FORMATS),
        statuses: pairs(STATUSES),
    })
}

async fn new(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    let mut view = FormView::empty();
    view.set("format", "on_site").set("status", "draft").set("kind", "training");
    let page = form_page(&state, &session, view, None).await?;
    if page.organisers.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    html(StatusCode::OK, page)
}

async fn create(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, unread) = input_of(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, event::create(db, &v, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(e) => Ok(Redirect::to(&format!("/evenemang/{}?klart=skapad", e.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &session, view, None).await?),
    }
}

async fn load(state: &AppState, v: &Viewer, id: i64) -> PageResult<Event> {
    let v = v.clone();
    Ok(state.store.read(move |db| event::get(db, &v, id)).await?)
}

async fn edit(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let e = load(&state, &session.viewer, id).await?;
    if !access::allowed(&session.viewer, Action::ManageEvents { org: e.organiser.id }) {
        return Err(AppError::Forbidden.into());
    }
    html(StatusCode::OK, form_page(&state, &session, values_of(&e), Some(&e)).await?)
}

async fn update(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, mut unread) = input_of(&form);
    let version = match version_of(&form) {
        Ok(v) => v,
        Err(e) => {
            unread.0.extend(e.0);
            0
        }
    };
    let v = session.viewer.clone();
    let result =
        state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, event::edit(db, &v, id, version, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(e) => Ok(Redirect::to(&format!("/evenemang/{}?klart=sparad", e.id)).into_response()),
        Submitted::Refused(view) => {
            let e = load(&state, &session.viewer, id).await?;
            html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &session, view, Some(&e)).await?)
        }
    }
}

// ---------------------------------------------------------------------------------------
// One event

#[derive(Template)]
#[template(path = "dialogue/events/show.html")]
struct ShowPage {
    chrome: Chrome,
    e: Event,
    mine: Option<EventRegistration>,
    /// Shown after registering: where the person stands.
    outcome: Option<String>,
    participants: Option<EventParticipants>,
    can_write: bool,
    form: FormView,
    other_form: FormView,
    orgs: Options,
    roles: Options,
    municipalities: Options,
    attendance: Options,
}

impl ShowPage {
    /// Published, and the viewer has no registration (or a cancelled one).
    fn may_register(&self) -> bool {
        self.e.status.code == "published" && self.mine.as_ref().is_none_or(|r| r.status.code == "cancelled")
    }
}

async fn show_page(
    state: &AppState,
    session: &Session,
    id: i64,
    flash: &Flash,
    form: Option<FormView>,
    other_form: FormView,
    outcome: Option<String>,
) -> Result<ShowPage, PageError> {
    let v = session.viewer.clone();
    let (e, mine, participants, defaults) = state
        .store
        .read(move |db| {
            let e = event::get(db, &v, id)?;
            let mine = registrations::mine_for(db, &v, id)?;
            let participants = if brygga_store::kernel::sharing::organises_event(&v, e.organiser.id) {
                Some(registrations::participants(db, &v, id)?)
            } else {
                None
            };
            Ok((e, mine, participants, registrations::defaults(db, &v)?))
        })
        .await?;
    let can_write = access::allowed(&session.viewer, Action::ManageEvents { org: e.organiser.id });
    let form = form.unwrap_or_else(|| {
        let mut f = FormView::empty();
        if let Some((org, m)) = &defaults {
            f.set("org_id", org.to_string()).set("municipality_code", m.clone().unwrap_or_default());
        }
        f
    });
    let mut municipalities: Options = geo::municipalities().iter().map(|m| (m.code.to_owned(), m.name.to_owned())).collect();
    municipalities.sort_by_cached_key(|(_, n)| brygga_store::sort_key(n));
    Ok(ShowPage {
        chrome: Chrome::new(session, e.title.clone(), "events", flash),
        outcome: outcome.or_else(|| mine.as_ref().filter(|r| r.is_waiting()).map(EventRegistration::outcome)),
        e,
        mine,
        participants,
        can_write,
        form,
        other_form,
        orgs: session.viewer.memberships().iter().map(|m| (m.org_id.to_string(), m.org_name.clone())).collect(),
        roles: pairs(ROLES),
        municipalities,
        attendance: vec![
            ("registered".into(), "Anmäld".into()),
            ("attended".into(), "Deltog".into()),
            ("no_show".into(), "Uteblev".into()),
            ("cancelled".into(), "Avanmäld".into()),
        ],
    })
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, flash: Flash) -> PageResult {
    html(StatusCode::OK, show_page(&state, &session, id, &flash, None, FormView::empty(), None).await?)
}

async fn register(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let other = form.opt("email").is_some();
    let input = EventRegistrationInput {
        org_id: form.int("org_id"),
        role: form.opt("role"),
        municipality_code: form.opt("municipality_code"),
        email: form.opt("email"),
    };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| registrations::register(db, &v, id, &input)).await;
    match submitted(&form, result)? {
        Submitted::Done(r) if other => {
            Ok(Redirect::to(&format!("/evenemang/{id}?klart={}", if r.is_waiting() { "annan-vantelista" } else { "annan-anmald" }))
                .into_response())
        }
        Submitted::Done(r) => {
            Ok(Redirect::to(&format!("/evenemang/{id}?klart={}", if r.is_waiting() { "vantelista" } else { "anmald" })).into_response())
        }
        Submitted::Refused(view) if other => {
            html(StatusCode::UNPROCESSABLE_ENTITY, show_page(&state, &session, id, &Flash(None), None, view, None).await?)
        }
        Submitted::Refused(view) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            show_page(&state, &session, id, &Flash(None), Some(view), FormView::empty(), None).await?,
        ),
    }
}

async fn cancel(State(state): State<AppState>, Path((id, rid)): Path<(i64, i64)>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let post = state.config.postmark();
    let r = state.store.write(move |db| registrations::cancel(db, &v, &post, rid)).await?;
    state.store.wake_workers();
    if r.event_id != id {
        return Err(AppError::NotFound.into());
    }
    Ok(Redirect::to(&format!("/evenemang/{id}?klart=avbokad")).into_response())
}

async fn mark(State(state): State<AppState>, Path((id, rid)): Path<(i64, i64)>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let post = state.config.postmark();
    let status = form.get("status").to_owned();
    let result = state.store.write(move |db| registrations::mark(db, &v, &post, rid, &status)).await;
    state.store.wake_workers();
    match result.map_err(AppError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/evenemang/{id}?klart=narvaro#deltagare")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let view = FormView { values: Vec::new(), errors };
            html(StatusCode::UNPROCESSABLE_ENTITY, show_page(&state, &session, id, &Flash(None), None, view, None).await?)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// Mine

#[derive(Template)]
#[template(path = "dialogue/events/mine.html")]
struct MinePage {
    chrome: Chrome,
    items: Vec<EventRegistration>,
}

async fn mine(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let items = state.store.read(move |db| registrations::mine(db, &v)).await?;
    html(StatusCode::OK, MinePage { chrome: Chrome::new(&session, "Mina evenemang", "events", &flash), items })
}
