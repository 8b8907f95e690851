//! Metodbiblioteket: every method with its EMMIE rating, public (no login needed); one method
//! with its rating, sources and where it is in use (interventions, plan measures and good
//! examples the viewer may read); adding and changing methods (system administrators and
//! county boards' coordinators — the store decides).
//!
//! Paths: `/metoder`, `/metoder/ny`, `/metoder/{id}` (`/redigera`, `/ta-bort`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::actors::TARGET_GROUPS;
use brygga_domain::knowledge::{Dimension, EffectDirection, PreventionLevel};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::actors::interventions::{self, Intervention, ListFilter};
use brygga_store::knowledge::ideas::{self, Example};
use brygga_store::knowledge::methods::{self, Method, MethodInput, Source};
use brygga_store::plans::measures::{self, MethodUse};
use brygga_store::{Action, Viewer, kernel::access};

use crate::AppState;
use crate::kit::auth::{FormData, MaybeSession, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted, version_of};

/// How many source rows the form offers.
const SOURCE_ROWS: usize = 5;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/metoder", get(list))
        .route("/metoder/ny", get(new).post(create))
        .route("/metoder/{id}", get(show))
        .route("/metoder/{id}/redigera", get(edit).post(update))
        .route("/metoder/{id}/ta-bort", post(delete))
}

fn viewer_of(session: &Option<Session>) -> Viewer {
    session.as_ref().map_or_else(|| Viewer::anonymous(Default::default()), |s| s.viewer.clone())
}

fn may_write(session: &Option<Session>) -> bool {
    session.as_ref().is_some_and(|s| access::allowed(&s.viewer, Action::WriteMethod))
}

#[derive(Template)]
#[template(path = "knowledge/methods/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Method>,
    can_write: bool,
}

async fn list(State(state): State<AppState>, MaybeSession(session): MaybeSession, flash: Flash) -> PageResult {
    let session = session.ok();
    let v = viewer_of(&session);
    let items = state.store.read(move |db| methods::list(db, &v)).await?;
    html(
        StatusCode::OK,
        ListPage { chrome: Chrome::maybe(session.as_ref(), "Metodbiblioteket", "methods", &flash), items, can_write: may_write(&session) },
    )
}

#[derive(Template)]
#[template(path = "knowledge/methods/show.html")]
struct ShowPage {
    chrome: Chrome,
    m: Method,
    interventions: Vec<Intervention>,
    measures: Vec<MethodUse>,
    examples: Vec<Example>,
    signed_in: bool,
    can_write: bool,
}

async fn show(State(state): State<AppState>, MaybeSession(session): MaybeSession, Path(id): Path<i64>, flash: Flash) -> PageResult {
    let session = session.ok();
    let v = viewer_of(&session);
    let (m, interventions, measures, examples) = state
        .store
        .read(move |db| {
            let m = methods::get(db, &v, id)?;
            let f = ListFilter { method_id: Some(id), ..Default::default() };
            Ok((m, interventions::list(db, &v, &f)?, measures::using_method(db, &v, id)?, ideas::list_examples(db, &v, Some(id))?))
        })
        .await?;
    html(
        StatusCode::OK,
        ShowPage {
            chrome: Chrome::maybe(session.as_ref(), format!("{} ({})", m.name, m.short_name), "methods", &flash),
            m,
            interventions,
            measures,
            examples,
            signed_in: session.is_some(),
            can_write: may_write(&session),
        },
    )
}

/// One EMMIE dimension's fields in the form.
struct DimensionForm {
    grade_field: String,
    text_field: String,
    label: String,
    text_label: String,
    hint: String,
    grades: Vec<(String, String)>,
}

fn dimension_forms() -> Vec<DimensionForm> {
    Dimension::ALL
        .iter()
        .map(|d| DimensionForm {
            grade_field: format!("{}_grade", d.code()),
            text_field: format!("{}_text", d.code()),
            label: format!("{}: betyg", d.label()),
            text_label: format!("{}: vad betyget grundas på", d.label()),
            hint: format!("{} Betyget är {} 0–{}; lämna tomt om dimensionen inte är bedömd.", d.question(), d.scale_label(), d.max_grade()),
            grades: (0..=d.max_grade()).map(|g| (g.to_string(), format!("{g} – {}", d.grade_label(g)))).collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "knowledge/methods/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    form: FormView,
    target_groups: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    directions: Vec<(String, String)>,
    dimensions: Vec<DimensionForm>,
    rows: Vec<usize>,
}

fn form_page(session: &Session, form: FormView, editing: Option<&Method>) -> FormPage {
    let (heading, action, cancel) = match editing {
        Some(m) => (format!("Ändra: {}", m.name), format!("/metoder/{}/redigera", m.id), format!("/metoder/{}", m.id)),
        None => ("Lägg till en metod".to_owned(), "/metoder/ny".to_owned(), "/metoder".to_owned()),
    };
    FormPage {
        chrome: Chrome::new(session, heading.clone(), "methods", &Flash(None)),
        heading,
        action,
        cancel,
        form,
        target_groups: TARGET_GROUPS.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())).collect(),
        levels: PreventionLevel::ALL.iter().map(|l| (l.code().to_owned(), l.label().to_owned())).collect(),
        directions: EffectDirection::ALL.iter().map(|l| (l.code().to_owned(), l.label().to_owned())).collect(),
        dimensions: dimension_forms(),
        rows: (1..=SOURCE_ROWS).collect(),
    }
}

fn grade(form: &FormData, d: Dimension, errs: &mut FieldErrors) -> Option<i64> {
    let field = format!("{}_grade", d.code());
    let raw = form.opt(&field)?;
    match raw.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(field, "invalid", format!("”{raw}” är inget betyg. Välj ett betyg i listan, eller inget.")));
            None
        }
    }
}

fn input_of(form: &FormData) -> (MethodInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let mut sources = Vec::new();
    for i in 1..=SOURCE_ROWS {
        let title = form.get(&format!("source_title_{i}")).trim().to_owned();
        let publisher = form.opt(&format!("source_publisher_{i}"));
        let url = form.opt(&format!("source_url_{i}"));
        if title.is_empty() && publisher.is_none() && url.is_none() {
            continue;
        }
        sources.push(Source { title, publisher, url, swedish: form.checked(&format!("source_swedish_{i}")) });
    }
    let input = MethodInput {
        name: form.get("name").to_owned(),
        short_name: form.get("short_name").to_owned(),
        description: form.get("description").to_owned(),
        target_groups: form.all("target_groups"),
        prevention_level: form.opt("prevention_level"),
        effect_direction: form.opt("effect_direction"),
        effect_grade: grade(form, Dimension::Effect, &mut errs),
        effect_text: form.opt("effect_text"),
        mechanism_grade: grade(form, Dimension::Mechanism, &mut errs),
        mechanism_text: form.opt("mechanism_text"),
        moderators_grade: grade(form, Dimension::Moderators, &mut errs),
        moderators_text: form.opt("moderators_text"),
        implementation_grade: grade(form, Dimension::Implementation, &mut errs),
        implementation_text: form.opt("implementation_text"),
        economic_grade: grade(form, Dimension::Economic, &mut errs),
        economic_text: form.opt("economic_text"),
        sources,
    };
    (input, errs)
}

fn values_of(m: &Method) -> FormView {
    let mut f = FormView::empty();
    f.set("name", m.name.clone())
        .set("short_name", m.short_name.clone())
        .set("description", m.description.clone())
        .set("prevention_level", m.prevention_level.as_ref().map(|c| c.code.clone()).unwrap_or_default())
        .set("effect_direction", m.effect_direction.as_ref().map(|c| c.code.clone()).unwrap_or_default())
        .set("version", m.version.to_string());
    for t in &m.target_groups {
        f.add("target_groups", t.code.clone());
    }
    for r in &m.ratings {
        f.set(&format!("{}_grade", r.dimension), r.grade.map(|g| g.to_string()).unwrap_or_default());
        f.set(&format!("{}_text", r.dimension), r.text.clone().unwrap_or_default());
    }
    for (i, s) in m.sources.iter().enumerate().take(SOURCE_ROWS) {
        let n = i + 1;
        f.set(&format!("source_title_{n}"), s.title.clone())
            .set(&format!("source_publisher_{n}"), s.publisher.clone().unwrap_or_default())
            .set(&format!("source_url_{n}"), s.url.clone().unwrap_or_default());
        if s.swedish {
            f.set(&format!("source_swedish_{n}"), "on");
        }
    }
    f
}

fn require_writer(session: &Session) -> Result<(), PageError> {
    if access::allowed(&session.viewer, Action::WriteMethod) { Ok(()) } else { Err(AppError::Forbidden.into()) }
}

async fn new(SignedIn(session): SignedIn) -> PageResult {
    require_writer(&session)?;
    html(StatusCode::OK, form_page(&session, FormView::empty(), None))
}

async fn create(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, unread) = input_of(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, methods::create(db, &v, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(m) => Ok(Redirect::to(&format!("/metoder/{}?klart=skapad", m.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&session, view, None)),
    }
}

async fn load(state: &AppState, v: &Viewer, id: i64) -> PageResult<Method> {
    let v = v.clone();
    Ok(state.store.read(move |db| methods::get(db, &v, id)).await?)
}

async fn edit(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    require_writer(&session)?;
    let m = load(&state, &session.viewer, id).await?;
    html(StatusCode::OK, form_page(&session, values_of(&m), Some(&m)))
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
        state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, methods::update(db, &v, id, version, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(m) => Ok(Redirect::to(&format!("/metoder/{}?klart=sparad", m.id)).into_response()),
        Submitted::Refused(view) => {
            let m = load(&state, &session.viewer, id).await?;
            html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&session, view, Some(&m)))
        }
    }
}

async fn delete(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| methods::delete(db, &v, id)).await?;
    Ok(Redirect::to("/metoder?klart=borttagen").into_response())
}
