//! The åtgärdsplan: the list of plans, a new plan, one plan version (header and decision, the
//! goal tree with indicators, the measures with every link clickable both ways, the versions),
//! forms for goals, indicators and measures, adoption, new versions, sharing, the comparison of
//! two versions, the plan as `brygga.plan` JSON and its import, and the public view of a
//! published plan.
//!
//! Paths: `/atgardsplaner`, `/atgardsplaner/ny`, `/atgardsplaner/importera`,
//! `/atgardsplaner/{id}` (`/redigera`, `/anta`, `/ny-version`, `/dela`, `/parter`,
//! `/jamfor?med={other}`, `/export.json`, `/mal/ny`, `/indikatorer/ny`, `/insatser/ny`),
//! `/atgardsplaner/mal/{id}`, `/atgardsplaner/indikatorer/{id}`, `/atgardsplaner/insatser/{id}`
//! (each with `/ta-bort`; measures with `/status`) and `/publikt/atgardsplaner/{id}`.
//!
//! A plan the viewer may not read is 404; who may write is the store's business.

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::plans::{Direction, Frequency, GoalKind, IndicatorSource, Involvement, MeasureBasis, MeasureStatus, ResultLevel};
use brygga_domain::time::format_number;
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::plans::compare::{self, Comparison};
use brygga_store::plans::evaluation;
use brygga_store::plans::goals::{self, Goal, GoalInput};
use brygga_store::plans::indicators::{self, Indicator, IndicatorInput};
use brygga_store::plans::measures::{self, ActionRef, Measure, MeasureInput, MeasureStatusInput};
use brygga_store::plans::plan::{self, ActionPlan, PlanDocument, PlanInput, ShareInput};
use brygga_store::plans::transfer::{self, ImportInput};
use brygga_store::{Conn, StoreResult, Viewer, forums::categories, places::areas};

use crate::AppState;
use crate::kit::auth::{FormData, MaybeSession, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted, version_of};
use crate::kit::plan_checks::{CheckGroup, check_groups};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/atgardsplaner", get(list))
        .route("/atgardsplaner/ny", get(new).post(create))
        .route("/atgardsplaner/importera", get(import_form).post(import))
        .route("/atgardsplaner/{id}", get(show))
        .route("/atgardsplaner/{id}/redigera", get(edit).post(update))
        .route("/atgardsplaner/{id}/anta", post(adopt))
        .route("/atgardsplaner/{id}/ny-version", post(new_version))
        .route("/atgardsplaner/{id}/dela", post(share))
        .route("/atgardsplaner/{id}/parter", post(add_party))
        .route("/atgardsplaner/{id}/parter/{org}/ta-bort", post(remove_party))
        .route("/atgardsplaner/{id}/jamfor", get(compare_page))
        .route("/atgardsplaner/{id}/export.json", get(export))
        .route("/atgardsplaner/{id}/mal/ny", get(new_goal).post(create_goal))
        .route("/atgardsplaner/mal/{id}", get(edit_goal).post(update_goal))
        .route("/atgardsplaner/mal/{id}/ta-bort", post(delete_goal))
        .route("/atgardsplaner/{id}/indikatorer/ny", get(new_indicator).post(create_indicator))
        .route("/atgardsplaner/indikatorer/{id}", get(edit_indicator).post(update_indicator))
        .route("/atgardsplaner/indikatorer/{id}/ta-bort", post(delete_indicator))
        .route("/atgardsplaner/{id}/insatser/ny", get(new_measure).post(create_measure))
        .route("/atgardsplaner/insatser/{id}", get(edit_measure).post(update_measure))
        .route("/atgardsplaner/insatser/{id}/ta-bort", post(delete_measure))
        .route("/atgardsplaner/insatser/{id}/status", post(measure_status))
        .route("/publikt/atgardsplaner/{id}", get(public))
}

/// Choices of a select: (value, text).
type Options = Vec<(String, String)>;

fn options<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str, label: impl Fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|x| (code(*x).to_owned(), label(*x).to_owned())).collect()
}

/// `12,5` (Swedish), or empty.
fn number(x: Option<f64>) -> String {
    x.map(|v| format_number(v, if v.fract() == 0.0 { 0 } else { 2 })).unwrap_or_default()
}

/// A number as typed (`12,5`, `1 200`), or the reason it is not one.
fn read_number(form: &FormData, field: &str, errs: &mut FieldErrors) -> Option<f64> {
    let raw = form.opt(field)?;
    let cleaned: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').map(|c| if c == ',' { '.' } else { c }).collect();
    match cleaned.replace('−', "-").parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            errs.push(FieldError::new(field, "number.invalid", format!("”{raw}” är inget tal. Skriv till exempel 12 eller 4,5.")));
            None
        }
    }
}

fn chosen_id(form: &FormData, field: &str, errs: &mut FieldErrors) -> Option<i64> {
    let raw = form.opt(field)?;
    match raw.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errs.push(FieldError::new(field, "invalid", format!("”{raw}” är inget giltigt val. Ladda om sidan och välj i listan.")));
            None
        }
    }
}

fn chosen_ids(form: &FormData, field: &str, errs: &mut FieldErrors) -> Vec<i64> {
    let mut out = Vec::new();
    for raw in form.all(field) {
        match raw.parse::<i64>() {
            Ok(id) if !out.contains(&id) => out.push(id),
            Ok(_) => {}
            Err(_) => {
                errs.push(FieldError::new(field, "invalid", format!("”{raw}” är inget giltigt val. Ladda om sidan och välj i listan.")));
                return out;
            }
        }
    }
    out
}

async fn load(state: &AppState, v: &Viewer, id: i64) -> PageResult<PlanDocument> {
    let reader = v.clone();
    Ok(state.store.read_audited(v, move |db| plan::load_audited(db, &reader, id)).await?)
}

// ---------------------------------------------------------------------------------------
// The list

#[derive(Template)]
#[template(path = "plans/plans/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<ActionPlan>,
    can_create: bool,
}

async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let items = state.store.read(move |db| plan::list(db, &v, None)).await?;
    let can_create = session.viewer.org_ids().into_iter().any(|o| brygga_store::plans::coordinates(&session.viewer, o));
    html(StatusCode::OK, ListPage { chrome: Chrome::new(&session, "Åtgärdsplaner", "plans", &flash), items, can_create })
}

// ---------------------------------------------------------------------------------------
// The header form: new plan and edit (with the decision)

#[derive(Template)]
#[template(path = "plans/plans/header.html")]
struct HeaderPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    form: FormView,
    editing: bool,
    owners: Vec<(String, String)>,
    municipalities: Vec<(String, String)>,
    situations: Vec<(String, String)>,
    forums: Vec<(String, String)>,
}

fn header_input(form: &FormData) -> (PlanInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let input = PlanInput {
        title: form.get("title").to_owned(),
        municipality_code: form.opt("municipality_code"),
        owner_org_id: chosen_id(form, "owner_org_id", &mut errs),
        co_owner_org_ids: Vec::new(),
        period_from: form.opt("period_from"),
        period_to: form.opt("period_to"),
        situation_id: chosen_id(form, "situation_id", &mut errs),
        picture_forum_id: chosen_id(form, "picture_forum_id", &mut errs),
        decided_by: form.opt("decided_by"),
        decided_on: form.opt("decided_on"),
        decision_ref: form.opt("decision_ref"),
    };
    (input, errs)
}

/// The viewer's municipalities, forums and readable lägesbilder as choices.
fn header_choices(db: &mut dyn Conn, v: &Viewer, municipality: Option<&str>) -> StoreResult<(Options, Options, Options)> {
    let municipalities = plan::claimed_municipalities(db, v)?.into_iter().collect();
    let forums = brygga_store::forums::forum::list(db, v)?
        .into_iter()
        .filter(|f| municipality.is_none_or(|m| f.municipality_code.as_deref() == Some(m)))
        .map(|f| (f.id.to_string(), f.name))
        .collect();
    let situations = match municipality {
        Some(m) => plan::situation_choices(db, v, m)?
            .into_iter()
            .map(|s| (s.id.to_string(), format!("{} (version {}, {})", s.title, s.version_no, s.status)))
            .collect(),
        None => Vec::new(),
    };
    Ok((municipalities, forums, situations))
}

async fn header_page(state: &AppState, session: &Session, form: FormView, editing: Option<&ActionPlan>) -> Result<HeaderPage, PageError> {
    let v = session.viewer.clone();
    let m = editing.and_then(|p| p.municipality_code.clone());
    let (municipalities, forums, situations) = state.store.read(move |db| header_choices(db, &v, m.as_deref())).await?;
    let (heading, action, cancel) = match editing {
        Some(p) => (format!("Ändra planen: {}", p.title), format!("/atgardsplaner/{}/redigera", p.id), format!("/atgardsplaner/{}", p.id)),
        None => ("Ny åtgärdsplan".to_owned(), "/atgardsplaner/ny".to_owned(), "/atgardsplaner".to_owned()),
    };
    Ok(HeaderPage {
        chrome: Chrome::new(session, heading.clone(), "plans", &Flash(None)),
        heading,
        action,
        cancel,
        form,
        editing: editing.is_some(),
        owners: session
            .viewer
            .memberships()
            .iter()
            .filter(|m| brygga_store::plans::coordinates(&session.viewer, m.org_id))
            .map(|m| (m.org_id.to_string(), m.org_name.clone()))
            .collect(),
        municipalities,
        situations,
        forums,
    })
}

async fn new(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    let page = header_page(&state, &session, FormView::empty(), None).await?;
    if page.owners.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    html(StatusCode::OK, page)
}

async fn create(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, unread) = header_input(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, plan::create(db, &v, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(p) => Ok(Redirect::to(&format!("/atgardsplaner/{}?klart=skapad", p.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, header_page(&state, &session, view, None).await?),
    }
}

fn header_values(p: &ActionPlan) -> FormView {
    let mut f = FormView::empty();
    f.set("title", p.title.clone())
        .set("period_from", p.period_from.clone())
        .set("period_to", p.period_to.clone())
        .set("situation_id", p.situation.as_ref().map(|s| s.id.to_string()).unwrap_or_default())
        .set("picture_forum_id", p.picture_forum_id.map(|x| x.to_string()).unwrap_or_default())
        .set("decided_by", p.decided_by.clone().unwrap_or_default())
        .set("decided_on", p.decided_on.clone().unwrap_or_default())
        .set("decision_ref", p.decision_ref.clone().unwrap_or_default())
        .set("version", p.version.to_string());
    f
}

async fn edit(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let d = load(&state, &session.viewer, id).await?;
    html(StatusCode::OK, header_page(&state, &session, header_values(&d.plan), Some(&d.plan)).await?)
}

async fn update(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let d = load(&state, &session.viewer, id).await?;
    let (input, mut unread) = header_input(&form);
    let version = version_of(&form).unwrap_or_else(|e| {
        unread.0.extend(e.0);
        0
    });
    let v = session.viewer.clone();
    let result =
        state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, plan::edit(db, &v, id, version, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(p) => Ok(Redirect::to(&format!("/atgardsplaner/{}?klart=sparad", p.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, header_page(&state, &session, view, Some(&d.plan)).await?),
    }
}

// ---------------------------------------------------------------------------------------
// One plan

/// A goal in the tree: its depth and how the nested lists close after it.
struct GoalRow {
    goal: Goal,
    /// The next goal is its child: open a nested list instead of closing the item.
    nest: bool,
    /// Levels to close after the item.
    ups: usize,
    indicators: Vec<Indicator>,
    measures: Vec<(i64, String)>,
}

fn goal_rows(d: &PlanDocument) -> Vec<GoalRow> {
    let depth = |g: &Goal| {
        let mut n = 0;
        let mut at = g.parent_id;
        while let Some(p) = at {
            n += 1;
            at = d.goal(p).and_then(|x| x.parent_id);
            if n > d.goals.len() {
                break;
            }
        }
        n
    };
    let depths: Vec<usize> = d.goals.iter().map(depth).collect();
    d.goals
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let next = depths.get(i + 1).copied().unwrap_or(0);
            GoalRow {
                goal: g.clone(),
                nest: next > depths[i],
                ups: depths[i].saturating_sub(next),
                indicators: d.indicators_of(g.id).into_iter().cloned().collect(),
                measures: d.measures_of(g.id).into_iter().map(|m| (m.id, m.title.clone())).collect(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "plans/plans/show.html")]
struct ShowPage {
    chrome: Chrome,
    d: PlanDocument,
    rows: Vec<GoalRow>,
    /// Signed in as a party's user: forms and links to edit.
    party: bool,
    public: bool,
    notice: FormView,
    statuses: Vec<(String, String)>,
    forums: Vec<(String, String)>,
    share_form: FormView,
    /// Organisations that may become parties (approved claim in the municipality), not yet ones.
    candidates: Vec<(String, String)>,
    /// The process evaluation, live (the same list as the follow-up page and the API).
    groups: Vec<CheckGroup>,
    /// For a working group's aktivitetsplan: its half-year and workflow state, and the
    /// members' contributions to its activities.
    activity: Option<brygga_store::programmes::activity::ActivityPlan>,
    contributions: Vec<brygga_store::programmes::activity::Contribution>,
}

impl ShowPage {
    fn draft(&self) -> bool {
        self.d.plan.is_draft()
    }
    fn in_force(&self) -> bool {
        self.d.plan.status == "adopted"
    }
    fn num(&self, x: &Option<f64>) -> String {
        number(*x)
    }
    fn goal_title(&self, id: &i64) -> String {
        self.d.goal(*id).map(|g| g.title.clone()).unwrap_or_default()
    }
    fn series(&self, i: &Indicator) -> String {
        let parts: Vec<String> = [&i.category_name, &i.area_name, &i.offence, &i.survey_question, &i.survey_area, &i.manual_source]
            .iter()
            .filter_map(|x| (*x).clone())
            .collect();
        parts.join(", ")
    }
    fn contributions_of(&self, m: &Measure) -> Vec<&brygga_store::programmes::activity::Contribution> {
        self.contributions.iter().filter(|c| c.measure_id == m.id).collect()
    }
    fn partners(&self, m: &Measure) -> String {
        m.partners.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
    }
    fn situation_id(&self) -> i64 {
        self.d.plan.situation.as_ref().map_or(0, |s| s.id)
    }
    fn action_href(&self, a: &ActionRef) -> String {
        format!("/atgarder/{}", a.id)
    }
    fn status_form(&self, m: &Measure) -> FormView {
        let mut f = FormView::empty();
        f.set("status", m.status.clone()).set("status_note", m.status_note.clone().unwrap_or_default());
        f
    }
}

async fn show_page(
    state: &AppState,
    session: Option<&Session>,
    id: i64,
    flash: &Flash,
    notice: FormView,
    status: StatusCode,
) -> PageResult {
    let v = session.map_or_else(|| Viewer::anonymous(brygga_store::Origin::default()), |s| s.viewer.clone());
    let d = load(state, &v, id).await?;
    let v3 = v.clone();
    let (checks, activity, contributions) = state
        .store
        .read(move |db| {
            Ok((
                evaluation::evaluate(db, &v3, id)?,
                brygga_store::programmes::activity::of_plan(db, id)?,
                brygga_store::programmes::activity::contributions(db, id)?,
            ))
        })
        .await?;
    let party = session.is_some() && d.plan.parties.iter().any(|p| v.role_in(p.id).is_some());
    let public = session.is_none();
    let v2 = v.clone();
    let m = d.plan.municipality().to_owned();
    let parties = d.plan.party_ids();
    let (forums, candidates): (Options, Options) = if party {
        state
            .store
            .read(move |db| {
                let forums = brygga_store::forums::forum::list(db, &v2)?
                    .into_iter()
                    .filter(|f| f.municipality_code.as_deref() == Some(&m))
                    .map(|f| (f.id.to_string(), f.name))
                    .collect();
                let candidates = plan::organisations_in(db, &m)?
                    .into_iter()
                    .filter(|o| !parties.contains(&o.id))
                    .map(|o| (o.id.to_string(), o.name))
                    .collect();
                Ok((forums, candidates))
            })
            .await?
    } else {
        (Vec::new(), Vec::new())
    };
    let title = d.plan.title.clone();
    let chrome = Chrome::maybe(session, title, "plans", flash);
    let mut share_form = FormView::empty();
    share_form.set("visibility", d.plan.visibility.clone()).set("forum_id", d.plan.forum_id.map(|f| f.to_string()).unwrap_or_default());
    html(
        status,
        ShowPage {
            chrome,
            rows: goal_rows(&d),
            d,
            party,
            public,
            notice,
            statuses: options(MeasureStatus::ALL, MeasureStatus::code, MeasureStatus::label),
            forums,
            share_form,
            candidates,
            groups: check_groups(id, &checks),
            activity,
            contributions,
        },
    )
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(id): Path<i64>) -> PageResult {
    show_page(&state, Some(&session), id, &flash, FormView::empty(), StatusCode::OK).await
}

/// `/publikt/atgardsplaner/{id}`: a published plan, for anyone (small EST counts hidden).
async fn public(State(state): State<AppState>, MaybeSession(session): MaybeSession, Path(id): Path<i64>) -> PageResult {
    let _ = session;
    show_page(&state, None, id, &Flash(None), FormView::empty(), StatusCode::OK).await
}

/// A one-button command on the plan: done → back to the plan with `klart`; refused → the plan
/// with the reasons on top.
async fn one_button<T: Send + 'static>(
    state: &AppState,
    session: &Session,
    form: &FormData,
    plan_id: i64,
    result: Result<T, brygga_store::StoreError>,
    done: impl FnOnce(T) -> String,
) -> PageResult {
    match submitted(form, result)? {
        Submitted::Done(x) => Ok(Redirect::to(&done(x)).into_response()),
        Submitted::Refused(view) => show_page(state, Some(session), plan_id, &Flash(None), view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn adopt(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let version = version_of(&form).map_err(AppError::Invalid)?;
    let v = session.viewer.clone();
    let r = state.store.write(move |db| plan::adopt(db, &v, id, version)).await;
    one_button(&state, &session, &form, id, r, |p| format!("/atgardsplaner/{}?klart=sparad", p.id)).await
}

async fn new_version(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let r = state.store.write(move |db| plan::new_version(db, &v, id)).await;
    one_button(&state, &session, &form, id, r, |p| format!("/atgardsplaner/{}?klart=skapad", p.id)).await
}

async fn share(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut errs = FieldErrors::new();
    let input = ShareInput { visibility: form.get("visibility").to_owned(), forum_id: chosen_id(&form, "forum_id", &mut errs) };
    let v = session.viewer.clone();
    let r = state.store.write(move |db| brygga_store::kernel::error::checked_with(errs, plan::share(db, &v, id, &input))).await;
    one_button(&state, &session, &form, id, r, |p| format!("/atgardsplaner/{}?klart=sparad", p.id)).await
}

async fn add_party(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let org = form.int("org_id").ok_or_else(|| AppError::Invalid(FieldError::new("org_id", "required", "Välj organisationen.").into()))?;
    let v = session.viewer.clone();
    let r = state.store.write(move |db| plan::add_party(db, &v, id, org)).await;
    one_button(&state, &session, &form, id, r, |p| format!("/atgardsplaner/{}?klart=sparad", p.id)).await
}

async fn remove_party(
    State(state): State<AppState>,
    Path((id, org)): Path<(i64, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let v = session.viewer.clone();
    let r = state.store.write(move |db| plan::remove_party(db, &v, id, org)).await;
    one_button(&state, &session, &form, id, r, |p| format!("/atgardsplaner/{}?klart=sparad", p.id)).await
}

// ---------------------------------------------------------------------------------------
// Compare, export, import

#[derive(Template)]
#[template(path = "plans/plans/compare.html")]
struct ComparePage {
    chrome: Chrome,
    c: Comparison,
}

impl ComparePage {
    fn sections(&self) -> Vec<(&'static str, &Vec<compare::PartChange>)> {
        vec![("Mål", &self.c.goals), ("Indikatorer", &self.c.indicators), ("Insatser", &self.c.measures)]
    }
    fn change_label(&self, change: &str) -> &'static str {
        match change {
            "added" => "Tillagd",
            "removed" => "Borttagen",
            "changed" => "Ändrad",
            _ => "Oförändrad",
        }
    }
}

async fn compare_page(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, q: RawQuery) -> PageResult {
    let q = FormData::parse(q.0.as_deref().unwrap_or("").as_bytes())?;
    let other = q.int("med").ok_or(AppError::NotFound)?;
    let v = session.viewer.clone();
    let c = state.store.read(move |db| compare::compare(db, &v, id, other)).await?;
    let title = format!("Jämför version {} och {}: {}", c.old.version_no, c.new.version_no, c.new.title);
    html(StatusCode::OK, ComparePage { chrome: Chrome::new(&session, title, "plans", &Flash(None)), c })
}

async fn export(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let file = state.store.read(move |db| transfer::export(db, &v, id)).await?;
    let body = serde_json::to_vec_pretty(&file).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"atgardsplan-{id}.json\"")),
        ],
        body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "plans/plans/import.html")]
struct ImportPage {
    chrome: Chrome,
    form: FormView,
    owners: Vec<(String, String)>,
    municipalities: Vec<(String, String)>,
}

async fn import_page(state: &AppState, session: &Session, form: FormView, status: StatusCode) -> PageResult {
    let v = session.viewer.clone();
    let (municipalities, _, _) = state.store.read(move |db| header_choices(db, &v, None)).await?;
    html(
        status,
        ImportPage {
            chrome: Chrome::new(session, "Importera en åtgärdsplan", "plans", &Flash(None)),
            form,
            owners: session
                .viewer
                .memberships()
                .iter()
                .filter(|m| brygga_store::plans::coordinates(&session.viewer, m.org_id))
                .map(|m| (m.org_id.to_string(), m.org_name.clone()))
                .collect(),
            municipalities,
        },
    )
}

async fn import_form(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    import_page(&state, &session, FormView::empty(), StatusCode::OK).await
}

async fn import(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut errs = FieldErrors::new();
    let document = match serde_json::from_str::<serde_json::Value>(form.get("document")) {
        Ok(d) => d,
        Err(e) => {
            errs.push(FieldError::new("document", "plans.file_unreadable", format!("Texten är inte JSON: {e}. Klistra in hela filen.")));
            serde_json::Value::Null
        }
    };
    let input = ImportInput {
        municipality_code: form.get("municipality_code").to_owned(),
        owner_org_id: chosen_id(&form, "owner_org_id", &mut errs),
        document,
    };
    let v = session.viewer.clone();
    let result = if errs.is_empty() {
        state.store.write(move |db| transfer::import(db, &v, &input)).await
    } else {
        Err(brygga_store::StoreError::Invalid(errs))
    };
    match submitted(&form, result)? {
        Submitted::Done(p) => Ok(Redirect::to(&format!("/atgardsplaner/{}?klart=importerad", p.id)).into_response()),
        Submitted::Refused(view) => import_page(&state, &session, view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

// ---------------------------------------------------------------------------------------
// Goals, indicators, measures: one form template each, for new and edit

#[derive(Template)]
#[template(path = "plans/plans/part.html")]
struct PartPage {
    chrome: Chrome,
    plan: ActionPlan,
    /// `goal`, `indicator` or `measure`.
    kind: &'static str,
    heading: String,
    action: String,
    delete: Option<String>,
    form: FormView,
    goals: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    sources: Vec<(String, String)>,
    directions: Vec<(String, String)>,
    frequencies: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    areas: Vec<(String, String)>,
    offences: Vec<(String, String)>,
    parties: Vec<(String, String)>,
    orgs: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    bases: Vec<(String, String)>,
    involvements: Vec<(String, String)>,
    problems: Vec<(String, String)>,
    causes: Vec<(String, String)>,
    actions: Vec<(String, String)>,
    /// The methods of the library (`/metoder`).
    methods: Vec<(String, String)>,
}

struct PartChoices {
    categories: Vec<(String, String)>,
    areas: Vec<(String, String)>,
    offences: Vec<String>,
    orgs: Vec<(String, String)>,
    problems: Vec<(String, String)>,
    causes: Vec<(String, String)>,
    actions: Vec<(String, String)>,
    methods: Vec<(String, String)>,
}

fn part_choices(db: &mut dyn Conn, v: &Viewer, p: &ActionPlan) -> StoreResult<PartChoices> {
    let methods = brygga_store::knowledge::methods::choices(db)?.into_iter().map(|(id, n)| (id.to_string(), n)).collect();
    let mut cats = Vec::new();
    let forums: Vec<i64> = match p.picture_forum_id {
        Some(f) => vec![f],
        None => brygga_store::forums::forum::list(db, v)?
            .into_iter()
            .filter(|f| f.municipality_code.is_some() && f.municipality_code == p.municipality_code)
            .map(|f| f.id)
            .collect(),
    };
    for f in forums {
        for c in categories::list(db, v, f, true).unwrap_or_default() {
            if !cats.iter().any(|(_, n): &(String, String)| *n == c.name) {
                cats.push((c.id.to_string(), c.name));
            }
        }
    }
    if p.is_activity() {
        // A working group's activity plan: no municipality's places, statistics or forums; the
        // responsible organisations are its parties (the group's members and the owner).
        let orgs = p.parties.iter().map(|o| (o.id.to_string(), o.name.clone())).collect();
        return Ok(PartChoices {
            categories: Vec::new(),
            areas: Vec::new(),
            offences: Vec::new(),
            orgs,
            problems: Vec::new(),
            causes: Vec::new(),
            actions: Vec::new(),
            methods,
        });
    }
    let m = p.municipality();
    let areas = areas::list(db, v, m)?.into_iter().filter(areas::Area::is_active).map(|a| (a.id.to_string(), a.name)).collect();
    let offences = indicators::offences(db, m)?;
    let orgs = plan::organisations_in(db, m)?.into_iter().map(|o| (o.id.to_string(), o.name)).collect();
    let (problems, causes) = plan::situation_parts(db, v, p)?;
    let problems = problems.into_iter().map(|c| (c.id.to_string(), c.title)).collect();
    let causes = causes.into_iter().map(|c| (c.id.to_string(), c.title)).collect();
    let actions = measures::action_choices(db, v, m)?
        .into_iter()
        .map(|a| (a.id.to_string(), format!("{} (klart senast {})", a.title, a.due_on)))
        .collect();
    Ok(PartChoices { categories: cats, areas, offences, orgs, problems, causes, actions, methods })
}

async fn part_page(
    state: &AppState,
    session: &Session,
    d: &PlanDocument,
    kind: &'static str,
    editing: Option<i64>,
    form: FormView,
) -> Result<PartPage, PageError> {
    let (v, p) = (session.viewer.clone(), d.plan.clone());
    let c = state.store.read(move |db| part_choices(db, &v, &p)).await?;
    let (what, path) = match kind {
        "goal" => ("mål", "mal"),
        "indicator" => ("indikator", "indikatorer"),
        _ => ("insats", "insatser"),
    };
    let (heading, action, delete) = match editing {
        Some(id) => (format!("Ändra {what}"), format!("/atgardsplaner/{path}/{id}"), Some(format!("/atgardsplaner/{path}/{id}/ta-bort"))),
        None => (format!("Ny {what}"), format!("/atgardsplaner/{}/{path}/ny", d.plan.id), None),
    };
    Ok(PartPage {
        chrome: Chrome::new(session, format!("{heading} – {}", d.plan.title), "plans", &Flash(None)),
        plan: d.plan.clone(),
        kind,
        heading,
        action,
        delete,
        form,
        goals: d
            .goals
            .iter()
            .filter(|g| Some(g.id) != editing || kind != "goal")
            .map(|g| (g.id.to_string(), format!("{}: {}", g.kind_label, g.title)))
            .collect(),
        kinds: options(GoalKind::ALL, GoalKind::code, GoalKind::label),
        levels: options(ResultLevel::ALL, ResultLevel::code, ResultLevel::label),
        sources: options(IndicatorSource::ALL, IndicatorSource::code, IndicatorSource::label),
        directions: options(Direction::ALL, Direction::code, Direction::label),
        frequencies: options(Frequency::ALL, Frequency::code, Frequency::label),
        categories: c.categories,
        areas: c.areas,
        offences: c.offences.into_iter().map(|o| (o.clone(), o)).collect(),
        parties: d.plan.parties.iter().map(|o| (o.id.to_string(), o.name.clone())).collect(),
        orgs: c.orgs,
        statuses: options(MeasureStatus::ALL, MeasureStatus::code, MeasureStatus::label),
        bases: options(MeasureBasis::ALL, MeasureBasis::code, MeasureBasis::label),
        involvements: options(Involvement::ALL, Involvement::code, Involvement::label),
        problems: c.problems,
        causes: c.causes,
        actions: c.actions,
        methods: c.methods,
    })
}

fn goal_input(form: &FormData) -> (GoalInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let input = GoalInput {
        kind: form.get("kind").to_owned(),
        title: form.get("title").to_owned(),
        description: form.opt("description"),
        parent_id: chosen_id(form, "parent_id", &mut errs),
        level: form.opt("level"),
        weight: read_number(form, "weight", &mut errs),
        problem_ids: chosen_ids(form, "problem_ids", &mut errs),
    };
    (input, errs)
}

fn indicator_input(form: &FormData) -> (IndicatorInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let goal_id = match chosen_id(form, "goal_id", &mut errs) {
        Some(g) => g,
        None => {
            if errs.get("goal_id").is_none() {
                errs.push(FieldError::new("goal_id", "required", "Välj målet som indikatorn mäter."));
            }
            0
        }
    };
    let input = IndicatorInput {
        goal_id,
        name: form.get("name").to_owned(),
        source: form.get("source").to_owned(),
        category_id: chosen_id(form, "category_id", &mut errs),
        area_id: chosen_id(form, "area_id", &mut errs),
        offence: form.opt("offence"),
        survey_question: form.opt("survey_question"),
        survey_area: form.opt("survey_area"),
        manual_source: form.opt("manual_source"),
        unit: form.get("unit").to_owned(),
        direction: form.get("direction").to_owned(),
        frequency: form.get("frequency").to_owned(),
        compute_baseline: form.checked("compute_baseline"),
        baseline_value: if form.checked("compute_baseline") { None } else { read_number(form, "baseline_value", &mut errs) },
        baseline_on: form.opt("baseline_on"),
        baseline_source: if form.checked("compute_baseline") { None } else { form.opt("baseline_source") },
        target_value: read_number(form, "target_value", &mut errs),
        target_on: form.opt("target_on"),
    };
    (input, errs)
}

fn measure_input(form: &FormData) -> (MeasureInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let input = MeasureInput {
        title: form.get("title").to_owned(),
        description: form.opt("description"),
        responsible_org_id: chosen_id(form, "responsible_org_id", &mut errs),
        partner_org_ids: chosen_ids(form, "partner_org_ids", &mut errs),
        start_on: form.opt("start_on"),
        end_on: form.opt("end_on"),
        resources: form.opt("resources"),
        status: form.opt("status"),
        status_note: form.opt("status_note"),
        no_police_powers: form.checked("no_police_powers"),
        basis: form.opt("basis"),
        basis_note: form.opt("basis_note"),
        method_id: chosen_id(form, "method_id", &mut errs),
        involvement: form.opt("involvement"),
        goal_ids: chosen_ids(form, "goal_ids", &mut errs),
        cause_ids: chosen_ids(form, "cause_ids", &mut errs),
        action_ids: chosen_ids(form, "action_ids", &mut errs),
    };
    (input, errs)
}

fn goal_values(g: &Goal) -> FormView {
    let mut f = FormView::empty();
    f.set("kind", g.kind.clone())
        .set("title", g.title.clone())
        .set("description", g.description.clone().unwrap_or_default())
        .set("parent_id", g.parent_id.map(|x| x.to_string()).unwrap_or_default())
        .set("level", g.level.clone().unwrap_or_default())
        .set("weight", number(Some(g.weight)));
    for p in &g.problem_ids {
        f.add("problem_ids", p.to_string());
    }
    f
}

fn indicator_values(i: &Indicator) -> FormView {
    let mut f = FormView::empty();
    let id = |x: Option<i64>| x.map(|v| v.to_string()).unwrap_or_default();
    f.set("goal_id", i.goal_id.to_string())
        .set("name", i.name.clone())
        .set("source", i.source.clone())
        .set("category_id", id(i.category_id))
        .set("area_id", id(i.area_id))
        .set("offence", i.offence.clone().unwrap_or_default())
        .set("survey_question", i.survey_question.clone().unwrap_or_default())
        .set("survey_area", i.survey_area.clone().unwrap_or_default())
        .set("manual_source", i.manual_source.clone().unwrap_or_default())
        .set("unit", i.unit.clone())
        .set("direction", i.direction.clone())
        .set("frequency", i.frequency.clone())
        .set("baseline_value", number(i.baseline_value))
        .set("baseline_on", i.baseline_on.clone().unwrap_or_default())
        .set("baseline_source", i.baseline_source.clone().unwrap_or_default())
        .set("target_value", number(i.target_value))
        .set("target_on", i.target_on.clone().unwrap_or_default());
    if i.baseline_computed {
        f.set("compute_baseline", "on");
    }
    f
}

fn measure_values(m: &Measure) -> FormView {
    let mut f = FormView::empty();
    f.set("title", m.title.clone())
        .set("description", m.description.clone().unwrap_or_default())
        .set("responsible_org_id", m.responsible.id.to_string())
        .set("start_on", m.start_on.clone().unwrap_or_default())
        .set("end_on", m.end_on.clone().unwrap_or_default())
        .set("resources", m.resources.clone().unwrap_or_default())
        .set("status", m.status.clone())
        .set("status_note", m.status_note.clone().unwrap_or_default())
        .set("basis", m.basis.clone())
        .set("basis_note", m.basis_note.clone().unwrap_or_default())
        .set("method_id", m.method_id.map(|x| x.to_string()).unwrap_or_default())
        .set("involvement", m.involvement.clone().unwrap_or_default());
    if m.no_police_powers {
        f.set("no_police_powers", "on");
    }
    for p in &m.partners {
        f.add("partner_org_ids", p.id.to_string());
    }
    for g in &m.goal_ids {
        f.add("goal_ids", g.to_string());
    }
    for c in &m.causes {
        f.add("cause_ids", c.id.to_string());
    }
    for a in &m.actions {
        f.add("action_ids", a.id.to_string());
    }
    f
}

async fn new_goal(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let d = load(&state, &session.viewer, id).await?;
    let mut f = FormView::empty();
    f.set("weight", "1");
    html(StatusCode::OK, part_page(&state, &session, &d, "goal", None, f).await?)
}

async fn create_goal(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let d = load(&state, &session.viewer, id).await?;
    let (input, unread) = goal_input(&form);
    let v = session.viewer.clone();
    let r = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, goals::create(db, &v, id, &input))).await;
    match submitted(&form, r)? {
        Submitted::Done(g) => Ok(Redirect::to(&format!("/atgardsplaner/{id}?klart=skapad#mal-{}", g.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, part_page(&state, &session, &d, "goal", None, view).await?),
    }
}

async fn edit_goal(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let g = state.store.read(move |db| goals::get(db, &v, id)).await?;
    let d = load(&state, &session.viewer, g.plan_id).await?;
    html(StatusCode::OK, part_page(&state, &session, &d, "goal", Some(id), goal_values(&g)).await?)
}

async fn update_goal(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let g = state.store.read(move |db| goals::get(db, &v, id)).await?;
    let d = load(&state, &session.viewer, g.plan_id).await?;
    let (input, unread) = goal_input(&form);
    let v = session.viewer.clone();
    let r = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, goals::update(db, &v, id, &input))).await;
    match submitted(&form, r)? {
        Submitted::Done(g) => Ok(Redirect::to(&format!("/atgardsplaner/{}?klart=sparad#mal-{}", g.plan_id, g.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, part_page(&state, &session, &d, "goal", Some(id), view).await?),
    }
}

async fn delete_goal(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let g = state.store.read(move |db| goals::get(db, &v, id)).await?;
    let v = session.viewer.clone();
    let r = state.store.write(move |db| goals::delete(db, &v, id)).await;
    one_button(&state, &session, &form, g.plan_id, r, |_| format!("/atgardsplaner/{}?klart=borttagen", g.plan_id)).await
}

async fn new_indicator(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, q: RawQuery) -> PageResult {
    let d = load(&state, &session.viewer, id).await?;
    let q = FormData::parse(q.0.as_deref().unwrap_or("").as_bytes())?;
    let mut f = FormView::empty();
    f.set("goal_id", q.opt("mal").unwrap_or_default()).set("direction", "decrease").set("frequency", "monthly");
    html(StatusCode::OK, part_page(&state, &session, &d, "indicator", None, f).await?)
}

async fn create_indicator(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let d = load(&state, &session.viewer, id).await?;
    let (input, unread) = indicator_input(&form);
    let v = session.viewer.clone();
    let r = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, indicators::create(db, &v, id, &input))).await;
    match submitted(&form, r)? {
        Submitted::Done(i) => Ok(Redirect::to(&format!("/atgardsplaner/{id}?klart=skapad#indikator-{}", i.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, part_page(&state, &session, &d, "indicator", None, view).await?),
    }
}

async fn edit_indicator(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let i = state.store.read(move |db| indicators::get(db, &v, id)).await?;
    let d = load(&state, &session.viewer, i.plan_id).await?;
    html(StatusCode::OK, part_page(&state, &session, &d, "indicator", Some(id), indicator_values(&i)).await?)
}

async fn update_indicator(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let i = state.store.read(move |db| indicators::get(db, &v, id)).await?;
    let d = load(&state, &session.viewer, i.plan_id).await?;
    let (input, unread) = indicator_input(&form);
    let v = session.viewer.clone();
    let r = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, indicators::update(db, &v, id, &input))).await;
    match submitted(&form, r)? {
        Submitted::Done(i) => Ok(Redirect::to(&format!("/atgardsplaner/{}?klart=sparad#indikator-{}", i.plan_id, i.id)).into_response()),
        Submitted::Refused(view) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, part_page(&state, &session, &d, "indicator", Some(id), view).await?)
        }
    }
}

async fn delete_indicator(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let i = state.store.read(move |db| indicators::get(db, &v, id)).await?;
    let v = session.viewer.clone();
    let r = state.store.write(move |db| indicators::delete(db, &v, id)).await;
    one_button(&state, &session, &form, i.plan_id, r, |_| format!("/atgardsplaner/{}?klart=borttagen", i.plan_id)).await
}

async fn new_measure(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, q: RawQuery) -> PageResult {
    let d = load(&state, &session.viewer, id).await?;
    let q = FormData::parse(q.0.as_deref().unwrap_or("").as_bytes())?;
    let mut f = FormView::empty();
    f.set("responsible_org_id", d.plan.owner.id.to_string()).set("basis", "none");
    if let Some(g) = q.opt("mal") {
        f.add("goal_ids", g);
    }
    html(StatusCode::OK, part_page(&state, &session, &d, "measure", None, f).await?)
}

async fn create_measure(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let d = load(&state, &session.viewer, id).await?;
    let (input, unread) = measure_input(&form);
    let v = session.viewer.clone();
    let r = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, measures::create(db, &v, id, &input))).await;
    match submitted(&form, r)? {
        Submitted::Done(m) => Ok(Redirect::to(&format!("/atgardsplaner/{id}?klart=skapad#insats-{}", m.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, part_page(&state, &session, &d, "measure", None, view).await?),
    }
}

async fn edit_measure(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let m = state.store.read(move |db| measures::get(db, &v, id)).await?;
    let d = load(&state, &session.viewer, m.plan_id).await?;
    html(StatusCode::OK, part_page(&state, &session, &d, "measure", Some(id), measure_values(&m)).await?)
}

async fn update_measure(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let m = state.store.read(move |db| measures::get(db, &v, id)).await?;
    let d = load(&state, &session.viewer, m.plan_id).await?;
    let (input, unread) = measure_input(&form);
    let v = session.viewer.clone();
    let r = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, measures::update(db, &v, id, &input))).await;
    match submitted(&form, r)? {
        Submitted::Done(m) => Ok(Redirect::to(&format!("/atgardsplaner/{}?klart=sparad#insats-{}", m.plan_id, m.id)).into_response()),
        Submitted::Refused(view) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, part_page(&state, &session, &d, "measure", Some(id), view).await?)
        }
    }
}

async fn delete_measure(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let m = state.store.read(move |db| measures::get(db, &v, id)).await?;
    let v = session.viewer.clone();
    let r = state.store.write(move |db| measures::delete(db, &v, id)).await;
    one_button(&state, &session, &form, m.plan_id, r, |_| format!("/atgardsplaner/{}?klart=borttagen", m.plan_id)).await
}

async fn measure_status(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let m = state.store.read(move |db| measures::get(db, &v, id)).await?;
    let input = MeasureStatusInput { status: form.get("status").to_owned(), status_note: form.opt("status_note") };
    let v = session.viewer.clone();
    let r = state.store.write(move |db| measures::set_status(db, &v, id, &input)).await;
    let plan_id = m.plan_id;
    one_button(&state, &session, &form, plan_id, r, |m: Measure| format!("/atgardsplaner/{}?klart=sparad#insats-{}", m.plan_id, m.id)).await
}
