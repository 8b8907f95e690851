//! Samråd: the consultations the viewer may read, creating and changing one, one consultation
//! with its arrangements (and "utanför kontorstid"), opening and closing it, the invitations
//! chosen from the directory's filters, the invited organisation's answer, registration, the
//! input (medskick) with the participant's choice of attribution, and "Mina medskick".
//!
//! Paths: `/samrad`, `/samrad/ny`, `/samrad/{id}` (`/redigera`, `/status`, `/svar`,
//! `/anmalan`, `/anmalan/avbryt`), `/samrad/{id}/inbjudningar` (`?kommun=&tema=&malgrupp=`),
//! `/samrad/{id}/medskick` (`/{input}/redigera`, `/{input}/ta-bort`), `/mina-medskick`. A
//! consultation the viewer may not read is 404; who may write is the store's.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::actors::{TARGET_GROUPS, THEMES};
use brygga_domain::personal_data;
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::dialogue::consultations::consultation::{
    self, Candidate, CandidateFilter, Consultation, ConsultationInput, Registration, RegistrationInput,
};
use brygga_store::dialogue::consultations::input::{self, InputForm, Shown};
use brygga_store::dialogue::consultations::mine::{self, MyConsultation};
use brygga_store::dialogue::consultations::{ATTENDANCES, ATTRIBUTIONS, KINDS, STAGES};
use brygga_store::{Viewer, now_ms};

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted, version_of};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/samrad", get(list))
        .route("/samrad/ny", get(new).post(create))
        .route("/samrad/{id}", get(show))
        .route("/samrad/{id}/redigera", get(edit).post(update))
        .route("/samrad/{id}/status", post(status))
        .route("/samrad/{id}/svar", post(answer))
        .route("/samrad/{id}/anmalan", post(register))
        .route("/samrad/{id}/anmalan/avbryt", post(cancel))
        .route("/samrad/{id}/inbjudningar", get(invitations).post(invite))
        .route("/samrad/{id}/medskick", get(inputs).post(give))
        .route("/samrad/{id}/medskick/{input}/redigera", get(edit_input).post(update_input))
        .route("/samrad/{id}/medskick/{input}/ta-bort", post(withdraw))
        .route("/mina-medskick", get(mine_page))
}

type Options = Vec<(String, String)>;

fn pairs(list: &[(&str, &str)]) -> Options {
    list.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())).collect()
}

fn local(ms: Option<i64>) -> String {
    ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok()).map(brygga_domain::time::format_local).unwrap_or_default()
}

async fn load(state: &AppState, v: &Viewer, id: i64) -> PageResult<Consultation> {
    let v = v.clone();
    Ok(state.store.read(move |db| consultation::require(db, &v, id)).await?)
}

// ---------------------------------------------------------------------------------------
// The list

#[derive(Template)]
#[template(path = "dialogue/consultations/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Consultation>,
    can_create: bool,
}

async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let (items, organisers) =
        state.store.read(move |db| Ok((consultation::list(db, &v)?, consultation::organiser_choices(db, &v)?.len()))).await?;
    html(StatusCode::OK, ListPage { chrome: Chrome::new(&session, "Samråd", "consultations", &flash), items, can_create: organisers > 0 })
}

// ---------------------------------------------------------------------------------------
// New and edit

#[derive(Template)]
#[template(path = "dialogue/consultations/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    form: FormView,
    editing: bool,
    organisers: Options,
    co_organisers: Options,
    kinds: Options,
    municipalities: Options,
}

fn input_of(form: &FormData) -> (ConsultationInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let mut co = Vec::new();
    for raw in form.all("co_organiser_org_ids") {
        match raw.parse::<i64>() {
            Ok(id) => co.push(id),
            Err(_) => {
                errs.push(FieldError::new("co_organiser_org_ids", "invalid", "Ett av valen är ogiltigt. Ladda om sidan och välj igen."))
            }
        }
    }
    let input = ConsultationInput {
        title: form.get("title").to_owned(),
        kind: form.get("kind").to_owned(),
        purpose: form.opt("purpose"),
        municipality_code: form.opt("municipality_code"),
        meets_at: form.opt("meets_at"),
        meets_until: form.opt("meets_until"),
        place: form.opt("place"),
        digital_link: form.opt("digital_link"),
        arrangements: form.opt("arrangements"),
        registration_closes_at: form.opt("registration_closes_at"),
        input_closes_at: form.opt("input_closes_at"),
        questions: form.get("questions").lines().map(str::to_owned).collect(),
        lead_org_id: form.opt("lead_org_id").and_then(|s| s.parse().ok()),
        co_organiser_org_ids: co,
    };
    (input, errs)
}

fn values_of(c: &Consultation) -> FormView {
    let mut f = FormView::empty();
    f.set("title", c.title.clone())
        .set("kind", c.kind.clone())
        .set("purpose", c.purpose.clone().unwrap_or_default())
        .set("municipality_code", c.municipality_code.clone().unwrap_or_default())
        .set("meets_at", local(c.meets_at))
        .set("meets_until", local(c.meets_until))
        .set("place", c.place.clone().unwrap_or_default())
        .set("digital_link", c.digital_link.clone().unwrap_or_default())
        .set("arrangements", c.arrangements.clone().unwrap_or_default())
        .set("registration_closes_at", local(c.registration_closes_at))
        .set("input_closes_at", local(Some(c.input_closes_at)))
        .set("questions", c.questions.iter().map(|q| q.text.replace('\n', " ")).collect::<Vec<_>>().join("\n"))
        .set("version", c.version.to_string());
    for o in c.organisers.iter().filter(|o| **o != c.lead_org_id) {
        f.add("co_organiser_org_ids", o.to_string());
    }
    f
}

async fn form_page(state: &AppState, session: &Session, form: FormView, editing: Option<&Consultation>) -> Result<FormPage, PageError> {
    let v = session.viewer.clone();
    let (organisers, municipalities, all_orgs) = state
        .store
        .read(move |db| {
            let organisers: Options = consultation::organiser_choices(db, &v)?.into_iter().map(|o| (o.id.to_string(), o.name)).collect();
            let munis = brygga_store::plans::plan::claimed_municipalities(db, &v)?;
            let all: Options = consultation::organisations(db)?.into_iter().map(|o| (o.id.to_string(), o.name)).collect();
            Ok((organisers, munis, all))
        })
        .await?;
    let (heading, action, cancel) = match editing {
        Some(c) => (format!("Ändra: {}", c.title), format!("/samrad/{}/redigera", c.id), format!("/samrad/{}", c.id)),
        None => ("Nytt samråd".to_owned(), "/samrad/ny".to_owned(), "/samrad".to_owned()),
    };
    let own: Vec<String> = organisers.iter().map(|(id, _)| id.clone()).collect();
    Ok(FormPage {
        chrome: Chrome::new(session, heading.clone(), "consultations", &Flash(None)),
        heading,
        action,
        cancel,
        form,
        editing: editing.is_some(),
        co_organisers: all_orgs.into_iter().filter(|(id, _)| !own.contains(id) || editing.is_some()).collect(),
        organisers,
        kinds: pairs(KINDS),
        municipalities,
    })
}

async fn new(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    let mut view = FormView::empty();
    view.set("kind", "dialogue_meeting");
    let page = form_page(&state, &session, view, None).await?;
    if page.organisers.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    html(StatusCode::OK, page)
}

async fn create(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, unread) = input_of(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, consultation::create(db, &v, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(c) => Ok(Redirect::to(&format!("/samrad/{}?klart=skapad", c.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &session, view, None).await?),
    }
}

async fn edit(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let c = load(&state, &session.viewer, id).await?;
    if !c.is_organiser {
        return Err(AppError::Forbidden.into());
    }
    html(StatusCode::OK, form_page(&state, &session, values_of(&c), Some(&c)).await?)
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
    let result = state
        .store
        .write(move |db| brygga_store::kernel::error::checked_with(unread, consultation::edit(db, &v, id, version, &input)))
        .await;
    match submitted(&form, result)? {
        Submitted::Done(c) => Ok(Redirect::to(&format!("/samrad/{}?klart=sparad", c.id)).into_response()),
        Submitted::Refused(view) => {
            let c = load(&state, &session.viewer, id).await?;
            html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &session, view, Some(&c)).await?)
        }
    }
}

// ---------------------------------------------------------------------------------------
// One consultation

#[derive(Template)]
#[template(path = "dialogue/consultations/show.html")]
struct ShowPage {
    chrome: Chrome,
    c: Consultation,
    can_organise: bool,
    /// Invited organisations of the viewer whose invitation it may answer: (id, name, response).
    answerable: Vec<(i64, String, String)>,
    /// Whether the viewer may register (a user of an invited organisation).
    may_register: bool,
    registration: Option<Registration>,
    registrations: Vec<Registration>,
    form: FormView,
    attendances: Options,
    accepts_input: bool,
}

async fn show_page(state: &AppState, session: &Session, id: i64, flash: &Flash, form: FormView, status: StatusCode) -> PageResult {
    let v = session.viewer.clone();
    let (c, registration, registrations) = state
        .store
        .read(move |db| {
            let c = consultation::require(db, &v, id)?;
            let mine = consultation::my_registration(db, &v, id)?;
            let all = if c.is_organiser { consultation::registrations(db, &v, id).unwrap_or_default() } else { Vec::new() };
            Ok((c, mine, all))
        })
        .await?;
    let v = &session.viewer;
    let can_organise =
        c.organisers.iter().any(|o| brygga_store::kernel::access::allowed(v, brygga_store::Action::OrganiseConsultation { org: *o }));
    let answerable = c
        .invited
        .iter()
        .filter(|i| brygga_store::kernel::access::allowed(v, brygga_store::Action::AnswerConsultation { org: i.id }))
        .map(|i| (i.id, i.name.clone(), i.response.clone().unwrap_or_default()))
        .collect();
    let may_register = c.invited.iter().any(|i| {
        i.response.as_deref() != Some("declined")
            && brygga_store::kernel::access::allowed(v, brygga_store::Action::TakePartInConsultation { org: i.id })
    });
    let accepts_input = c.accepts_input(now_ms());
    html(
        status,
        ShowPage {
            chrome: Chrome::new(session, c.title.clone(), "consultations", flash),
            can_organise,
            answerable,
            may_register,
            registration: registration.filter(|r| r.cancelled_at.is_none()),
            registrations,
            form,
            attendances: pairs(ATTENDANCES),
            accepts_input,
            c,
        },
    )
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, flash: Flash) -> PageResult {
    show_page(&state, &session, id, &flash, FormView::empty(), StatusCode::OK).await
}

async fn status(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let to = form.get("status").to_owned();
    state.store.write(move |db| consultation::set_status(db, &v, id, &to)).await?;
    Ok(Redirect::to(&format!("/samrad/{id}?klart=sparad")).into_response())
}

async fn answer(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let org = form.int("org_id").ok_or(AppError::NotFound)?;
    let accept = form.get("answer") == "accept";
    state.store.write(move |db| consultation::respond(db, &v, id, org, accept)).await?;
    Ok(Redirect::to(&format!("/samrad/{id}?klart=sparad")).into_response())
}

async fn register(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = RegistrationInput { org_id: form.int("org_id"), attendance: form.get("attendance").to_owned(), needs: form.opt("needs") };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| consultation::register(db, &v, id, &input, now_ms())).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/samrad/{id}?klart=skapad")).into_response()),
        Submitted::Refused(view) => show_page(&state, &session, id, &Flash(None), view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn cancel(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| consultation::cancel_registration(db, &v, id, now_ms())).await?;
    Ok(Redirect::to(&format!("/samrad/{id}?klart=borttagen")).into_response())
}

// ---------------------------------------------------------------------------------------
// Invitations

#[derive(Template)]
#[template(path = "dialogue/consultations/invitations.html")]
struct InvitationsPage {
    chrome: Chrome,
    c: Consultation,
    filter: FormView,
    form: FormView,
    candidates: Vec<Candidate>,
    municipalities: Options,
    themes: Options,
    target_groups: Options,
}

async fn invitations_page(
    state: &AppState,
    session: &Session,
    id: i64,
    f: CandidateFilter,
    form: FormView,
    status: StatusCode,
    flash: &Flash,
) -> PageResult {
    let v = session.viewer.clone();
    let f2 = f.clone();
    let result = state
        .store
        .read(move |db| {
            let c = consultation::load_for_organiser(db, &v, id)?;
            let munis = brygga_store::places::geography::municipalities(db, None)?;
            let cands = consultation::candidates(db, &v, id, &f2);
            Ok((c, munis, cands))
        })
        .await?;
    let (c, munis, cands) = result;
    let mut filter = FormView::empty();
    filter
        .set("kommun", f.kommun.clone().unwrap_or_default())
        .set("tema", f.tema.clone().unwrap_or_default())
        .set("malgrupp", f.malgrupp.clone().unwrap_or_default());
    let (candidates, status) = match cands {
        Ok(list) => (list, status),
        Err(brygga_store::StoreError::Invalid(errs)) => {
            filter.errors = errs;
            (Vec::new(), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return Err(AppError::from(e).into()),
    };
    html(
        status,
        InvitationsPage {
            chrome: Chrome::new(session, format!("Bjud in: {}", c.title), "consultations", flash),
            c,
            filter,
            form,
            candidates,
            municipalities: munis,
            themes: pairs(THEMES),
            target_groups: pairs(TARGET_GROUPS),
        },
    )
}

async fn invitations(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Query(f): Query<CandidateFilter>,
    flash: Flash,
) -> PageResult {
    invitations_page(&state, &session, id, f, FormView::empty(), StatusCode::OK, &flash).await
}

async fn invite(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let ids: Vec<i64> = form.all("org_ids").iter().filter_map(|s| s.parse().ok()).collect();
    let v = session.viewer.clone();
    let post = state.config.postmark();
    let result = state.store.write(move |db| consultation::invite(db, &v, id, &ids, &post)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => {
            state.store.wake_workers();
            Ok(Redirect::to(&format!("/samrad/{id}/inbjudningar?klart=skapad")).into_response())
        }
        Submitted::Refused(view) => {
            invitations_page(&state, &session, id, CandidateFilter::default(), view, StatusCode::UNPROCESSABLE_ENTITY, &Flash(None)).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// Input

#[derive(Template)]
#[template(path = "dialogue/consultations/inputs.html")]
struct InputsPage {
    chrome: Chrome,
    c: Consultation,
    items: Vec<Shown>,
    form: FormView,
    orgs: Options,
    questions: Options,
    stages: Options,
    attributions: Options,
    accepts_input: bool,
    /// The text had personal data: offer to remove it.
    offer_redaction: bool,
    closes: String,
    /// Editing one item: its id.
    editing: Option<i64>,
}

fn input_form_of(form: &FormData) -> InputForm {
    InputForm {
        question_id: form.int("question_id"),
        org_id: form.int("org_id"),
        stage: form.opt("stage"),
        attribution: form.opt("attribution"),
        situation_material: form.checked("situation_material"),
        text: form.get("text").to_owned(),
    }
}

async fn inputs_page(
    state: &AppState,
    session: &Session,
    id: i64,
    form: FormView,
    editing: Option<i64>,
    status: StatusCode,
    flash: &Flash,
) -> PageResult {
    let v = session.viewer.clone();
    let now = now_ms();
    let (c, items) = state
        .store
        .read(move |db| {
            let c = consultation::require(db, &v, id)?;
            let items = input::shown(db, &v, &c, now)?;
            Ok((c, items))
        })
        .await?;
    let orgs: Options = input::org_choices(&session.viewer, &c).into_iter().map(|(id, n)| (id.to_string(), n)).collect();
    let questions: Options = c.questions.iter().map(|q| (q.id.to_string(), format!("{}. {}", q.position, q.text))).collect();
    let offer_redaction = form.errors.0.iter().any(|e| e.field == "text" && e.code == "text.personal_data");
    html(
        status,
        InputsPage {
            chrome: Chrome::new(session, format!("Medskick: {}", c.title), "consultations", flash),
            accepts_input: c.accepts_input(now) && !orgs.is_empty(),
            closes: local(Some(c.input_closes_at)),
            items,
            form,
            orgs,
            questions,
            stages: pairs(STAGES),
            attributions: pairs(ATTRIBUTIONS),
            offer_redaction,
            editing,
            c,
        },
    )
}

fn default_form() -> FormView {
    let mut f = FormView::empty();
    f.set("attribution", "named").set("stage", "before");
    f
}

async fn inputs(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, flash: Flash) -> PageResult {
    inputs_page(&state, &session, id, default_form(), None, StatusCode::OK, &flash).await
}

/// "Ta bort uppgifterna åt mig": the text without personal data, for the writer to check.
fn redacted(form: &FormData) -> FormView {
    let mut view = FormView::submitted(form, FieldErrors::new());
    view.set("text", personal_data::redact(form.get("text")));
    view
}

async fn give(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    if form.checked("redact") {
        return inputs_page(&state, &session, id, redacted(&form), None, StatusCode::OK, &Flash(None)).await;
    }
    let f = input_form_of(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| input::give(db, &v, id, &f, now_ms())).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/samrad/{id}/medskick?klart=skapad")).into_response()),
        Submitted::Refused(view) => inputs_page(&state, &session, id, view, None, StatusCode::UNPROCESSABLE_ENTITY, &Flash(None)).await,
    }
}

async fn edit_input(State(state): State<AppState>, SignedIn(session): SignedIn, Path((id, iid)): Path<(i64, i64)>) -> PageResult {
    let v = session.viewer.clone();
    let i = state.store.read(move |db| input::get(db, &v, iid)).await?;
    if i.consultation_id != id {
        return Err(AppError::NotFound.into());
    }
    let mut f = FormView::empty();
    f.set("text", i.text.clone())
        .set("stage", i.stage.clone())
        .set("attribution", i.attribution.clone())
        .set("question_id", i.question_id.map(|q| q.to_string()).unwrap_or_default())
        .set("org_id", i.org_id.to_string());
    if i.situation_material {
        f.set("situation_material", "on");
    }
    inputs_page(&state, &session, id, f, Some(iid), StatusCode::OK, &Flash(None)).await
}

async fn update_input(
    State(state): State<AppState>,
    Path((id, iid)): Path<(i64, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    if form.checked("redact") {
        return inputs_page(&state, &session, id, redacted(&form), Some(iid), StatusCode::OK, &Flash(None)).await;
    }
    let f = input_form_of(&form);
    let v = session.viewer.clone();
    let result = state
        .store
        .write(move |db| {
            if input::get(db, &v, iid)?.consultation_id != id {
                return Err(brygga_store::StoreError::not_found("input"));
            }
            input::edit(db, &v, iid, &f, now_ms())
        })
        .await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/samrad/{id}/medskick?klart=sparad")).into_response()),
        Submitted::Refused(view) => {
            inputs_page(&state, &session, id, view, Some(iid), StatusCode::UNPROCESSABLE_ENTITY, &Flash(None)).await
        }
    }
}

async fn withdraw(State(state): State<AppState>, Path((id, iid)): Path<(i64, i64)>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let result = state
        .store
        .write(move |db| {
            if input::get(db, &v, iid)?.consultation_id != id {
                return Err(brygga_store::StoreError::not_found("input"));
            }
            input::withdraw(db, &v, iid, now_ms())
        })
        .await;
    match submitted(&form, result)? {
        Submitted::Done(()) => Ok(Redirect::to(&format!("/samrad/{id}/medskick?klart=borttagen")).into_response()),
        Submitted::Refused(view) => inputs_page(&state, &session, id, view, None, StatusCode::UNPROCESSABLE_ENTITY, &Flash(None)).await,
    }
}

// ---------------------------------------------------------------------------------------
// Mina medskick

#[derive(Template)]
#[template(path = "dialogue/consultations/mine.html")]
struct MinePage {
    chrome: Chrome,
    groups: Vec<MyConsultation>,
}

async fn mine_page(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let groups = state.store.read(move |db| mine::mine(db, &v)).await?;
    html(StatusCode::OK, MinePage { chrome: Chrome::new(&session, "Mina medskick", "my_input", &flash), groups })
}
