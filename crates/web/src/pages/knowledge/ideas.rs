//! Idébanken (good examples, public once published) and idétavlan (ideas an organisation
//! cannot drive alone, read by signed-in users, with other organisations' interest).
//!
//! Paths: `/idebank`, `/idebank/ny`, `/idebank/{id}` (`/redigera`); `/idetavla`,
//! `/idetavla/ny`, `/idetavla/{id}` (`/redigera`, `POST /intresse`). A record the viewer may not
//! read is 404; who may write is the store's.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::{FieldError, FieldErrors, personal_data};
use brygga_store::knowledge::ideas::{self, BoardIdea, Example, ExampleInput, IdeaInput, InterestInput};
use brygga_store::knowledge::methods;
use brygga_store::{Action, Conn, StoreResult, Viewer, kernel::access};

use crate::AppState;
use crate::kit::auth::{FormData, MaybeSession, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted, version_of};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/idebank", get(examples))
        .route("/idebank/ny", get(new_example).post(create_example))
        .route("/idebank/{id}", get(show_example))
        .route("/idebank/{id}/redigera", get(edit_example).post(update_example))
        .route("/idetavla", get(board))
        .route("/idetavla/ny", get(new_idea).post(create_idea))
        .route("/idetavla/{id}", get(show_idea))
        .route("/idetavla/{id}/redigera", get(edit_idea).post(update_idea))
        .route("/idetavla/{id}/intresse", post(interest))
}

type Options = Vec<(String, String)>;

fn chosen(form: &FormData, field: &str, errs: &mut FieldErrors) -> Option<i64> {
    let raw = form.opt(field)?;
    match raw.trim().parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errs.push(FieldError::new(field, "invalid", format!("”{raw}” är inget giltigt val. Ladda om sidan och välj i listan.")));
            None
        }
    }
}

fn chosen_all(form: &FormData, field: &str, errs: &mut FieldErrors) -> Vec<i64> {
    let mut out = Vec::new();
    for raw in form.all(field) {
        match raw.parse() {
            Ok(id) => out.push(id),
            Err(_) => errs.push(FieldError::new(field, "invalid", "Ett av valen är ogiltigt. Ladda om sidan och välj igen.")),
        }
    }
    out
}

fn municipalities(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Options> {
    brygga_store::plans::plan::claimed_municipalities(db, v)
}

// ---------------------------------------------------------------------------------------
// The idea bank

#[derive(Template)]
#[template(path = "knowledge/examples/list.html")]
struct ExamplesPage {
    chrome: Chrome,
    items: Vec<Example>,
    can_write: bool,
}

async fn examples(State(state): State<AppState>, MaybeSession(session): MaybeSession, flash: Flash) -> PageResult {
    let session = session.ok();
    let v = session.as_ref().map_or_else(|| Viewer::anonymous(Default::default()), |s| s.viewer.clone());
    let (items, owners) =
        state.store.read(move |db| Ok((ideas::list_examples(db, &v, None)?, ideas::owner_choices(db, &v)?.len()))).await?;
    html(
        StatusCode::OK,
        ExamplesPage { chrome: Chrome::maybe(session.as_ref(), "Idébanken", "ideas", &flash), items, can_write: owners > 0 },
    )
}

#[derive(Template)]
#[template(path = "knowledge/examples/show.html")]
struct ExamplePage {
    chrome: Chrome,
    e: Example,
    can_write: bool,
}

async fn show_example(State(state): State<AppState>, MaybeSession(session): MaybeSession, Path(id): Path<i64>, flash: Flash) -> PageResult {
    let session = session.ok();
    let v = session.as_ref().map_or_else(|| Viewer::anonymous(Default::default()), |s| s.viewer.clone());
    let e = state.store.read(move |db| ideas::get_example(db, &v, id)).await?;
    let can_write = session.as_ref().is_some_and(|s| access::allowed(&s.viewer, Action::WriteExample { org: e.owner.id }));
    html(StatusCode::OK, ExamplePage { chrome: Chrome::maybe(session.as_ref(), e.title.clone(), "ideas", &flash), e, can_write })
}

#[derive(Template)]
#[template(path = "knowledge/examples/form.html")]
struct ExampleForm {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    form: FormView,
    editing: bool,
    owners: Options,
    orgs: Options,
    methods: Options,
    municipalities: Options,
    statuses: Options,
    /// The story holds personal data: offer to remove it.
    offer_redaction: bool,
    redacted: bool,
}

async fn example_form(
    state: &AppState,
    session: &Session,
    form: FormView,
    editing: Option<&Example>,
    redacted: bool,
) -> Result<ExampleForm, PageError> {
    let v = session.viewer.clone();
    let (owners, orgs, methods, municipalities) = state
        .store
        .read(move |db| {
            let owners: Options = ideas::owner_choices(db, &v)?.into_iter().map(|o| (o.id.to_string(), o.name)).collect();
            let munis = municipalities(db, &v)?;
            let mut orgs: Options = Vec::new();
            for (code, _) in &munis {
                for (id, org, _) in brygga_store::agreements::agreement::party_choices(db, code)? {
                    if !orgs.iter().any(|(i, _)| *i == id.to_string()) {
                        orgs.push((id.to_string(), org));
                    }
                }
            }
            orgs.sort_by_cached_key(|(_, n)| brygga_store::sort_key(n));
            let methods = methods::choices(db)?.into_iter().map(|(id, n)| (id.to_string(), n)).collect();
            Ok((owners, orgs, methods, munis))
        })
        .await?;
    let (heading, action, cancel) = match editing {
        Some(e) => (format!("Ändra: {}", e.title), format!("/idebank/{}/redigera", e.id), format!("/idebank/{}", e.id)),
        None => ("Dela ett gott exempel".to_owned(), "/idebank/ny".to_owned(), "/idebank".to_owned()),
    };
    let offer_redaction = form.errors.get("story").is_some_and(|e| e.code == "story.personal_data");
    Ok(ExampleForm {
        chrome: Chrome::new(session, heading.clone(), "ideas", &Flash(None)),
        heading,
        action,
        cancel,
        form,
        editing: editing.is_some(),
        owners,
        orgs,
        methods,
        municipalities,
        statuses: vec![
            ("draft".into(), "Utkast – bara vår organisation ser det".into()),
            ("published".into(), "Publicerat – alla kan läsa det".into()),
        ],
        offer_redaction,
        redacted,
    })
}

fn example_input(form: &FormData) -> (ExampleInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let input = ExampleInput {
        title: form.get("title").to_owned(),
        method_id: chosen(form, "method_id", &mut errs),
        owner_org_id: chosen(form, "owner_org_id", &mut errs),
        actor_org_ids: chosen_all(form, "actor_org_ids", &mut errs),
        actors_text: form.opt("actors_text"),
        municipality_code: form.opt("municipality_code"),
        what_done: form.get("what_done").to_owned(),
        results: form.opt("results"),
        evidence: form.opt("evidence"),
        contact: form.opt("contact"),
        story: form.opt("story"),
        story_consent: form.checked("story_consent"),
        status: form.opt("status"),
    };
    (input, errs)
}

fn example_values(e: &Example) -> FormView {
    let mut f = FormView::empty();
    f.set("title", e.title.clone())
        .set("method_id", e.method.as_ref().map(|m| m.id.to_string()).unwrap_or_default())
        .set("actors_text", e.actors_text.clone().unwrap_or_default())
        .set("municipality_code", e.municipality_code.clone().unwrap_or_default())
        .set("what_done", e.what_done.clone())
        .set("results", e.results.clone().unwrap_or_default())
        .set("evidence", e.evidence.clone().unwrap_or_default())
        .set("contact", e.contact.clone().unwrap_or_default())
        .set("story", e.story.clone().unwrap_or_default())
        .set("status", e.status.clone())
        .set("version", e.version.to_string());
    if e.story.is_some() {
        f.set("story_consent", "on");
    }
    for o in &e.actor_orgs {
        f.add("actor_org_ids", o.id.to_string());
    }
    f
}

/// "Ta bort uppgifterna åt mig": the form comes back with the story's personal data removed,
/// for the writer to read through and send again. Nothing is written.
fn redacted_view(form: &FormData) -> FormView {
    let mut view = FormView::submitted(form, FieldErrors::new());
    view.set("story", personal_data::redact(form.get("story")));
    view
}

async fn new_example(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    let mut view = FormView::empty();
    view.set("status", "draft");
    let page = example_form(&state, &session, view, None, false).await?;
    if page.owners.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    html(StatusCode::OK, page)
}

async fn create_example(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    if form.checked("redact") {
        return html(StatusCode::OK, example_form(&state, &session, redacted_view(&form), None, true).await?);
    }
    let (input, unread) = example_input(&form);
    let v = session.viewer.clone();
    let result =
        state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, ideas::create_example(db, &v, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(e) => Ok(Redirect::to(&format!("/idebank/{}?klart=skapad", e.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, example_form(&state, &session, view, None, false).await?),
    }
}

async fn load_example(state: &AppState, v: &Viewer, id: i64) -> PageResult<Example> {
    let v = v.clone();
    Ok(state.store.read(move |db| ideas::get_example(db, &v, id)).await?)
}

async fn edit_example(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let e = load_example(&state, &session.viewer, id).await?;
    if !access::allowed(&session.viewer, Action::WriteExample { org: e.owner.id }) {
        return Err(AppError::Forbidden.into());
    }
    html(StatusCode::OK, example_form(&state, &session, example_values(&e), Some(&e), false).await?)
}

async fn update_example(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    if form.checked("redact") {
        let e = load_example(&state, &session.viewer, id).await?;
        return html(StatusCode::OK, example_form(&state, &session, redacted_view(&form), Some(&e), true).await?);
    }
    let (input, mut unread) = example_input(&form);
    let version = match version_of(&form) {
        Ok(v) => v,
        Err(e) => {
            unread.0.extend(e.0);
            0
        }
    };
    let v = session.viewer.clone();
    let result = state
        .store
        .write(move |db| brygga_store::kernel::error::checked_with(unread, ideas::update_example(db, &v, id, version, &input)))
        .await;
    match submitted(&form, result)? {
        Submitted::Done(e) => Ok(Redirect::to(&format!("/idebank/{}?klart=sparad", e.id)).into_response()),
        Submitted::Refused(view) => {
            let e = load_example(&state, &session.viewer, id).await?;
            html(StatusCode::UNPROCESSABLE_ENTITY, example_form(&state, &session, view, Some(&e), false).await?)
        }
    }
}

// ---------------------------------------------------------------------------------------
// The idea board

#[derive(Template)]
#[template(path = "knowledge/board/list.html")]
struct BoardPage {
    chrome: Chrome,
    items: Vec<BoardIdea>,
    can_write: bool,
}

async fn board(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let (items, owners) = state.store.read(move |db| Ok((ideas::list_ideas(db, &v)?, ideas::owner_choices(db, &v)?.len()))).await?;
    html(StatusCode::OK, BoardPage { chrome: Chrome::new(&session, "Idétavlan", "ideas", &flash), items, can_write: owners > 0 })
}

#[derive(Template)]
#[template(path = "knowledge/board/show.html")]
struct IdeaPage {
    chrome: Chrome,
    i: BoardIdea,
    owner: bool,
    /// The organisations the viewer may register interest for (not the owner).
    interested: Options,
    form: FormView,
}

async fn idea_page(state: &AppState, session: &Session, id: i64, form: FormView, flash: &Flash) -> Result<IdeaPage, PageError> {
    let v = session.viewer.clone();
    let (i, choices) = state.store.read(move |db| Ok((ideas::get_idea(db, &v, id)?, ideas::owner_choices(db, &v)?))).await?;
    let owner = access::allowed(&session.viewer, Action::WriteExample { org: i.owner.id });
    let interested = choices.into_iter().filter(|o| o.id != i.owner.id).map(|o| (o.id.to_string(), o.name)).collect();
    Ok(IdeaPage { chrome: Chrome::new(session, i.title.clone(), "ideas", flash), i, owner, interested, form })
}

async fn show_idea(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, flash: Flash) -> PageResult {
    html(StatusCode::OK, idea_page(&state, &session, id, FormView::empty(), &flash).await?)
}

async fn interest(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let input = InterestInput { org_id: chosen(&form, "org_id", &mut unread), message: form.get("message").to_owned() };
    let (v, post) = (session.viewer.clone(), state.config.postmark());
    let result = state
        .store
        .write(move |db| brygga_store::kernel::error::checked_with(unread, ideas::register_interest(db, &v, &post, id, &input)))
        .await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/idetavla/{id}?klart=intresse")).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, idea_page(&state, &session, id, view, &Flash(None)).await?),
    }
}

#[derive(Template)]
#[template(path = "knowledge/board/form.html")]
struct IdeaForm {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    form: FormView,
    editing: bool,
    owners: Options,
    municipalities: Options,
    statuses: Options,
}

async fn idea_form(state: &AppState, session: &Session, form: FormView, editing: Option<&BoardIdea>) -> Result<IdeaForm, PageError> {
    let v = session.viewer.clone();
    let (owners, municipalities) = state
        .store
        .read(move |db| {
            let owners: Options = ideas::owner_choices(db, &v)?.into_iter().map(|o| (o.id.to_string(), o.name)).collect();
            Ok((owners, municipalities(db, &v)?))
        })
        .await?;
    let (heading, action, cancel) = match editing {
        Some(i) => (format!("Ändra: {}", i.title), format!("/idetavla/{}/redigera", i.id), format!("/idetavla/{}", i.id)),
        None => ("Sätt upp en idé".to_owned(), "/idetavla/ny".to_owned(), "/idetavla".to_owned()),
    };
    Ok(IdeaForm {
        chrome: Chrome::new(session, heading.clone(), "ideas", &Flash(None)),
        heading,
        action,
        cancel,
        form,
        editing: editing.is_some(),
        owners,
        municipalities,
        statuses: vec![("open".into(), "Öppen – andra kan anmäla intresse".into()), ("closed".into(), "Stängd".into())],
    })
}

fn idea_input(form: &FormData) -> (IdeaInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let input = IdeaInput {
        title: form.get("title").to_owned(),
        needs: form.get("needs").to_owned(),
        owner_org_id: chosen(form, "owner_org_id", &mut errs),
        municipality_code: form.opt("municipality_code"),
        area: form.opt("area"),
        status: form.opt("status"),
    };
    (input, errs)
}

async fn new_idea(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    let mut view = FormView::empty();
    view.set("status", "open");
    let page = idea_form(&state, &session, view, None).await?;
    if page.owners.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    html(StatusCode::OK, page)
}

async fn create_idea(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, unread) = idea_input(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, ideas::create_idea(db, &v, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(i) => Ok(Redirect::to(&format!("/idetavla/{}?klart=skapad", i.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, idea_form(&state, &session, view, None).await?),
    }
}

async fn edit_idea(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let i = state.store.read(move |db| ideas::get_idea(db, &v, id)).await?;
    if !access::allowed(&session.viewer, Action::WriteExample { org: i.owner.id }) {
        return Err(AppError::Forbidden.into());
    }
    let mut f = FormView::empty();
    f.set("title", i.title.clone())
        .set("needs", i.needs.clone())
        .set("municipality_code", i.municipality_code.clone().unwrap_or_default())
        .set("area", i.area.clone().unwrap_or_default())
        .set("status", i.status.clone())
        .set("version", i.version.to_string());
    html(StatusCode::OK, idea_form(&state, &session, f, Some(&i)).await?)
}

async fn update_idea(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, mut unread) = idea_input(&form);
    let version = match version_of(&form) {
        Ok(v) => v,
        Err(e) => {
            unread.0.extend(e.0);
            0
        }
    };
    let v = session.viewer.clone();
    let result = state
        .store
        .write(move |db| brygga_store::kernel::error::checked_with(unread, ideas::update_idea(db, &v, id, version, &input)))
        .await;
    match submitted(&form, result)? {
        Submitted::Done(i) => Ok(Redirect::to(&format!("/idetavla/{}?klart=sparad", i.id)).into_response()),
        Submitted::Refused(view) => {
            let v = session.viewer.clone();
            let i = state.store.read(move |db| ideas::get_idea(db, &v, id)).await?;
            html(StatusCode::UNPROCESSABLE_ENTITY, idea_form(&state, &session, view, Some(&i)).await?)
        }
    }
}
