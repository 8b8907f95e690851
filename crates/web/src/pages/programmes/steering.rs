//! The steering group of a programme: its members, its meetings with the agenda generated from
//! the working groups' state, presenting and adopting activity plans at a meeting, decisions and
//! their follow-up.
//!
//! Paths: `/program/{id}/styrgrupp` (members, meetings, open uppdrag; `…/ledamoter`,
//! `…/ledamoter/{org}/ta-bort`, `…/moten`), `/styrgruppsmoten/{mid}` (the meeting; `…/ta-bort`,
//! `…/dagordning`, `…/dagordning/uppdatera`, `…/dagordning/{item}/flytta`,
//! `…/dagordning/{item}/ta-bort`, `…/planer/{plan}/presentera`, `…/planer/{plan}/faststall`,
//! `…/beslut`) and `/styrgruppsbeslut/{did}` (follow-up; `…/ta-bort`).
//!
//! A programme the viewer may not read is not found; who may write is the store's business
//! ([`steering::may_manage`] only decides whether the forms are shown).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::steering::{DecisionKind, DecisionStatus, MeetingStatus, SteeringRole};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::programmes::decisions::{self, Decision, DecisionInput, FollowUpInput};
use brygga_store::programmes::steering::{self, Choices, Meeting, MeetingDetail, MeetingInput, MemberInput, SteeringMember};

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/program/{id}/styrgrupp", get(page))
        .route("/program/{id}/styrgrupp/ledamoter", post(set_member))
        .route("/program/{id}/styrgrupp/ledamoter/{org}/ta-bort", post(remove_member))
        .route("/program/{id}/styrgrupp/moten", post(create_meeting))
        .route("/styrgruppsmoten/{mid}", get(meeting).post(update_meeting))
        .route("/styrgruppsmoten/{mid}/ta-bort", post(delete_meeting))
        .route("/styrgruppsmoten/{mid}/dagordning", post(add_item))
        .route("/styrgruppsmoten/{mid}/dagordning/uppdatera", post(refresh_agenda))
        .route("/styrgruppsmoten/{mid}/dagordning/{item}/flytta", post(move_item))
        .route("/styrgruppsmoten/{mid}/dagordning/{item}/ta-bort", post(remove_item))
        .route("/styrgruppsmoten/{mid}/planer/{plan}/presentera", post(present_plan))
        .route("/styrgruppsmoten/{mid}/planer/{plan}/faststall", post(adopt_plan))
        .route("/styrgruppsmoten/{mid}/beslut", post(log_decision))
        .route("/styrgruppsbeslut/{did}", get(decision).post(follow_up))
        .route("/styrgruppsbeslut/{did}/ta-bort", post(remove_decision))
}

fn options(list: &[(i64, String)]) -> Vec<(String, String)> {
    list.iter().map(|(id, name)| (id.to_string(), name.clone())).collect()
}

fn vocab<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|k| (code(*k).to_owned(), label(*k).to_owned())).collect()
}

/// An optional id from a select; a value that is not one is a field error.
fn opt_id(form: &FormData, field: &str, unread: &mut FieldErrors) -> Option<i64> {
    let raw = form.opt(field)?;
    match raw.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            unread.push(FieldError::new(field, "choice.invalid", "Välj i listan."));
            None
        }
    }
}

/// A decision as a row.
pub(crate) struct DecisionRow {
    id: i64,
    number: i64,
    meeting: String,
    kind_label: String,
    text: String,
    concerns: String,
    owner: String,
    due_on: String,
    status_label: String,
    overdue: bool,
    near_due: bool,
    follow_up: String,
}

fn decision_row(d: &Decision) -> DecisionRow {
    DecisionRow {
        id: d.id,
        number: d.number,
        meeting: format!("{} {}", d.meeting_title, d.meeting_on),
        kind_label: d.kind_label.clone(),
        text: d.text.clone(),
        concerns: d.group_name.clone().unwrap_or_default(),
        owner: d.owner_org_name.clone().unwrap_or_else(|| "–".into()),
        due_on: d.due_on.clone().unwrap_or_else(|| "–".into()),
        status_label: d.status_label.clone(),
        overdue: d.overdue,
        near_due: d.near_due,
        follow_up: d.follow_up.clone().unwrap_or_default(),
    }
}

// ---------------------------------------------------------------------------------------
// The steering group page

#[derive(Template)]
#[template(path = "programmes/steering/page.html")]
struct SteeringPage {
    chrome: Chrome,
    programme_id: i64,
    programme_title: String,
    members: Vec<SteeringMember>,
    meetings: Vec<Meeting>,
    open: Vec<DecisionRow>,
    may_manage: bool,
    member_form: FormView,
    meeting_form: FormView,
    organisations: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
}

async fn render(
    state: &AppState,
    session: &Session,
    id: i64,
    flash: &Flash,
    forms: (Option<FormView>, Option<FormView>),
    status: StatusCode,
) -> PageResult {
    let v = session.viewer.clone();
    let (p, members, meetings, all, may, choices) = state
        .store
        .read(move |db| {
            Ok((
                brygga_store::programmes::load(db, &v, id)?,
                steering::members(db, &v, id)?,
                steering::meetings(db, &v, id)?,
                decisions::for_programme(db, &v, id)?,
                steering::may_manage(db, &v, id)?,
                steering::choices(db, &v, id)?,
            ))
        })
        .await?;
    let mut meeting_form = forms.1.unwrap_or_default();
    if meeting_form.values.is_empty() {
        meeting_form.set("status", "planned");
    }
    html(
        status,
        SteeringPage {
            chrome: Chrome::new(session, format!("Styrgrupp: {}", p.title), "programmes", flash),
            programme_id: id,
            programme_title: p.title,
            members,
            meetings,
            open: all.iter().filter(|d| d.kind == "assignment" && d.status == "open").map(decision_row).collect(),
            may_manage: may,
            member_form: forms.0.unwrap_or_default(),
            meeting_form,
            organisations: options(&choices.organisations),
            roles: vocab(SteeringRole::ALL, SteeringRole::code, SteeringRole::label),
            statuses: vocab(MeetingStatus::ALL, MeetingStatus::code, MeetingStatus::label),
        },
    )
}

async fn page(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(id): Path<i64>) -> PageResult {
    render(&state, &session, id, &flash, (None, None), StatusCode::OK).await
}

async fn set_member(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let org_id = opt_id(&form, "org_id", &mut unread);
    if org_id.is_none() && unread.is_empty() {
        unread.push(FieldError::new("org_id", "required", "Välj vilken organisation som ska sitta i styrgruppen."));
    }
    let input = MemberInput { org_id: org_id.unwrap_or(0), representative: form.opt("representative"), role: form.get("role").to_owned() };
    let v = session.viewer.clone();
    let result = if org_id.is_none() {
        Err(AppError::Invalid(unread))
    } else {
        state.store.write(move |db| steering::set_member(db, &v, id, &input, unread)).await.map_err(AppError::from)
    };
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/program/{id}/styrgrupp?klart=sparad#ledamoter")).into_response()),
        Submitted::Refused(view) => render(&state, &session, id, &Flash(None), (Some(view), None), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn remove_member(
    State(state): State<AppState>,
    Path((id, org)): Path<(i64, i64)>,
    SignedForm(session, _form): SignedForm,
) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| steering::remove_member(db, &v, id, org)).await?;
    Ok(Redirect::to(&format!("/program/{id}/styrgrupp?klart=borttagen#ledamoter")).into_response())
}

fn meeting_input(form: &FormData) -> MeetingInput {
    MeetingInput {
        held_on: form.get("held_on").to_owned(),
        half_year: form.opt("half_year"),
        title: form.get("title").to_owned(),
        location: form.opt("location"),
        status: form.opt("status"),
        notes: form.opt("notes"),
        version: form.int("version"),
    }
}

async fn create_meeting(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = meeting_input(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| steering::create_meeting(db, &v, id, &input, FieldErrors::new())).await;
    match submitted(&form, result)? {
        Submitted::Done(m) => Ok(Redirect::to(&format!("/styrgruppsmoten/{}?klart=skapad", m.meeting.id)).into_response()),
        Submitted::Refused(view) => render(&state, &session, id, &Flash(None), (None, Some(view)), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

// ---------------------------------------------------------------------------------------
// One meeting

struct ItemView {
    id: i64,
    position: i64,
    kind_label: String,
    title: String,
    plan_id: Option<i64>,
    /// `present` (quality-assured), `adopt` (presented) or empty.
    plan_action: &'static str,
    first: bool,
    last: bool,
}

#[derive(Template)]
#[template(path = "programmes/steering/meeting.html")]
struct MeetingPage {
    chrome: Chrome,
    m: MeetingDetail,
    items: Vec<ItemView>,
    decisions: Vec<DecisionRow>,
    may_manage: bool,
    meeting_form: FormView,
    decision_form: FormView,
    item_form: FormView,
    kinds: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    groups: Vec<(String, String)>,
    plans: Vec<(String, String)>,
    parties: Vec<(String, String)>,
}

/// The forms of the meeting page: the meeting, a decision, an agenda item.
#[derive(Default)]
struct MeetingForms {
    meeting: Option<FormView>,
    decision: Option<FormView>,
    item: Option<FormView>,
}

fn meeting_values(m: &Meeting) -> FormView {
    let mut f = FormView::empty();
    f.set("held_on", m.held_on.clone())
        .set("half_year", m.half_year.clone())
        .set("title", m.title.clone())
        .set("location", m.location.clone().unwrap_or_default())
        .set("status", m.status.clone())
        .set("notes", m.notes.clone().unwrap_or_default())
        .set("version", m.version.to_string());
    f
}

async fn render_meeting(
    state: &AppState,
    session: &Session,
    mid: i64,
    flash: &Flash,
    forms: MeetingForms,
    status: StatusCode,
) -> PageResult {
    let v = session.viewer.clone();
    let (m, may, choices): (MeetingDetail, bool, Choices) = state
        .store
        .read(move |db| {
            let m = steering::meeting(db, &v, mid)?;
            let may = steering::may_manage(db, &v, m.meeting.programme_id)?;
            let c = steering::choices(db, &v, m.meeting.programme_id)?;
            Ok((m, may, c))
        })
        .await?;
    let n = m.agenda.len();
    let items = m
        .agenda
        .iter()
        .enumerate()
        .map(|(i, a)| ItemView {
            id: a.id,
            position: i64::try_from(i).unwrap_or(0) + 1,
            kind_label: a.kind_label.clone(),
            title: a.title.clone(),
            plan_id: a.plan_id,
            plan_action: match (a.kind.as_str(), a.plan_state.as_deref()) {
                ("plan_decision", Some("quality_assured")) => "present",
                ("plan_decision", Some("presented")) => "adopt",
                _ => "",
            },
            first: i == 0,
            last: i + 1 == n,
        })
        .collect();
    let mut decision_form = forms.decision.unwrap_or_default();
    if decision_form.values.is_empty() {
        decision_form.set("kind", "decision");
    }
    html(
        status,
        MeetingPage {
            chrome: Chrome::new(session, format!("{} {}", m.meeting.title, m.meeting.held_on), "programmes", flash),
            items,
            decisions: m.decisions.iter().map(decision_row).collect(),
            may_manage: may,
            meeting_form: forms.meeting.unwrap_or_else(|| meeting_values(&m.meeting)),
            decision_form,
            item_form: forms.item.unwrap_or_default(),
            kinds: vocab(DecisionKind::ALL, DecisionKind::code, DecisionKind::label),
            statuses: vocab(MeetingStatus::ALL, MeetingStatus::code, MeetingStatus::label),
            groups: options(&choices.groups),
            plans: options(&choices.plans),
            parties: options(&choices.parties),
            m,
        },
    )
}

async fn meeting(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(mid): Path<i64>) -> PageResult {
    render_meeting(&state, &session, mid, &flash, MeetingForms::default(), StatusCode::OK).await
}

async fn update_meeting(State(state): State<AppState>, Path(mid): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = meeting_input(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| steering::update_meeting(db, &v, mid, &input, FieldErrors::new())).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/styrgruppsmoten/{mid}?klart=sparad")).into_response()),
        Submitted::Refused(view) => {
            render_meeting(
                &state,
                &session,
                mid,
                &Flash(None),
                MeetingForms { meeting: Some(view), ..Default::default() },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn delete_meeting(State(state): State<AppState>, Path(mid): Path<i64>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let programme = state.store.write(move |db| steering::delete_meeting(db, &v, mid)).await?;
    Ok(Redirect::to(&format!("/program/{programme}/styrgrupp?klart=borttagen")).into_response())
}

async fn add_item(State(state): State<AppState>, Path(mid): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let title = form.get("title").to_owned();
    let v = session.viewer.clone();
    let result = state.store.write(move |db| steering::add_item(db, &v, mid, &title)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/styrgruppsmoten/{mid}?klart=sparad#dagordning")).into_response()),
        Submitted::Refused(view) => {
            render_meeting(
                &state,
                &session,
                mid,
                &Flash(None),
                MeetingForms { item: Some(view), ..Default::default() },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn refresh_agenda(State(state): State<AppState>, Path(mid): Path<i64>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| steering::refresh_agenda(db, &v, mid)).await?;
    Ok(Redirect::to(&format!("/styrgruppsmoten/{mid}?klart=sparad#dagordning")).into_response())
}

async fn move_item(
    State(state): State<AppState>,
    Path((mid, item)): Path<(i64, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let up = match form.get("riktning") {
        "upp" => true,
        "ned" => false,
        _ => return Err(AppError::NotFound.into()),
    };
    let v = session.viewer.clone();
    state.store.write(move |db| steering::move_item(db, &v, mid, item, up)).await?;
    Ok(Redirect::to(&format!("/styrgruppsmoten/{mid}#punkt-{item}")).into_response())
}

async fn remove_item(
    State(state): State<AppState>,
    Path((mid, item)): Path<(i64, i64)>,
    SignedForm(session, _form): SignedForm,
) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| steering::remove_item(db, &v, mid, item)).await?;
    Ok(Redirect::to(&format!("/styrgruppsmoten/{mid}?klart=borttagen#dagordning")).into_response())
}

/// A workflow refusal (a step out of order) shown on the meeting page above the agenda.
async fn plan_step(
    state: &AppState,
    session: &Session,
    mid: i64,
    form: &FormData,
    result: Result<MeetingDetail, brygga_store::StoreError>,
) -> PageResult {
    match submitted(form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/styrgruppsmoten/{mid}?klart=sparad#dagordning")).into_response()),
        Submitted::Refused(view) => {
            render_meeting(
                state,
                session,
                mid,
                &Flash(None),
                MeetingForms { item: Some(view), ..Default::default() },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn present_plan(
    State(state): State<AppState>,
    Path((mid, plan)): Path<(i64, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let v = session.viewer.clone();
    let result = state.store.write(move |db| steering::present_plan(db, &v, mid, plan)).await;
    plan_step(&state, &session, mid, &form, result).await
}

async fn adopt_plan(
    State(state): State<AppState>,
    Path((mid, plan)): Path<(i64, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let v = session.viewer.clone();
    let result = state.store.write(move |db| steering::adopt_plan(db, &v, mid, plan)).await;
    plan_step(&state, &session, mid, &form, result).await
}

async fn log_decision(State(state): State<AppState>, Path(mid): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let input = DecisionInput {
        kind: form.get("kind").to_owned(),
        text: form.get("text").to_owned(),
        group_id: opt_id(&form, "group_id", &mut unread),
        plan_id: opt_id(&form, "plan_id", &mut unread),
        owner_org_id: opt_id(&form, "owner_org_id", &mut unread),
        due_on: form.opt("due_on"),
    };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| decisions::log(db, &v, mid, &input, unread)).await;
    match submitted(&form, result)? {
        Submitted::Done(d) => Ok(Redirect::to(&format!("/styrgruppsmoten/{mid}?klart=skapad#beslut-{}", d.id)).into_response()),
        Submitted::Refused(view) => {
            render_meeting(
                &state,
                &session,
                mid,
                &Flash(None),
                MeetingForms { decision: Some(view), ..Default::default() },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------
// One decision: its follow-up

#[derive(Template)]
#[template(path = "programmes/steering/decision.html")]
struct DecisionPage {
    chrome: Chrome,
    d: Decision,
    row: DecisionRow,
    may_manage: bool,
    form: FormView,
    statuses: Vec<(String, String)>,
}

async fn render_decision(
    state: &AppState,
    session: &Session,
    did: i64,
    flash: &Flash,
    form: Option<FormView>,
    status: StatusCode,
) -> PageResult {
    let v = session.viewer.clone();
    let (d, may) = state
        .store
        .read(move |db| {
            let d = decisions::get(db, &v, did)?;
            let may = steering::may_manage(db, &v, d.programme_id)?;
            Ok((d, may))
        })
        .await?;
    let form = form.unwrap_or_else(|| {
        let mut f = FormView::empty();
        f.set("status", d.status.clone())
            .set("follow_up", d.follow_up.clone().unwrap_or_default())
            .set("closed_on", d.closed_on.clone().unwrap_or_default());
        f
    });
    html(
        status,
        DecisionPage {
            chrome: Chrome::new(session, format!("Beslut § {}: {}", d.number, d.meeting_title), "programmes", flash),
            row: decision_row(&d),
            d,
            may_manage: may,
            form,
            statuses: vocab(DecisionStatus::ALL, DecisionStatus::code, DecisionStatus::label),
        },
    )
}

async fn decision(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(did): Path<i64>) -> PageResult {
    render_decision(&state, &session, did, &flash, None, StatusCode::OK).await
}

async fn follow_up(State(state): State<AppState>, Path(did): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = FollowUpInput { status: form.get("status").to_owned(), follow_up: form.opt("follow_up"), closed_on: form.opt("closed_on") };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| decisions::follow_up(db, &v, did, &input, FieldErrors::new())).await;
    match submitted(&form, result)? {
        Submitted::Done(d) => Ok(Redirect::to(&format!("/styrgruppsmoten/{}?klart=sparad#beslut-{did}", d.meeting_id)).into_response()),
        Submitted::Refused(view) => {
            render_decision(&state, &session, did, &Flash(None), Some(view), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn remove_decision(State(state): State<AppState>, Path(did): Path<i64>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let meeting = state
        .store
        .write(move |db| {
            let d = decisions::get(db, &v, did)?;
            decisions::remove(db, &v, did)?;
            Ok(d.meeting_id)
        })
        .await?;
    Ok(Redirect::to(&format!("/styrgruppsmoten/{meeting}?klart=borttagen#beslut")).into_response())
}
