//! The lägesbild and the joint problembild as documents: the list per municipality, the form
//! that starts one, the document with its figures (source and date under each table), the
//! coordinator's text, warnings, problems with evidence and causes (grouped by the sides of the
//! problem-analysis triangle), the forms that add to a draft, adoption, new versions, sharing;
//! the A4 print view; and the public view of a published version (no login; aggregates only).
//!
//! Paths: `/lagesbilder`, `/lagesbilder/ny`, `/lagesbilder/{id}`, `/lagesbilder/{id}/redigera`,
//! `/lagesbilder/{id}/kallor/ny`, `/lagesbilder/{id}/problem/ny`,
//! `/lagesbilder/{id}/problem/{pid}/underlag`, `/lagesbilder/{id}/problem/{pid}/orsak`,
//! `/lagesbilder/{id}/orsaker/{cid}/ta-bort`, `/lagesbilder/{id}/anta`, `/lagesbilder/{id}/ny-version`,
//! `/lagesbilder/{id}/delning`, `/lagesbilder/{id}/utskrift` and `/publikt/lagesbilder/{id}`.
//!
//! Who may do what is the store's business; a document the viewer may not read is 404.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::plans::{CauseBasis, Certainty, EvidenceKind, FactorKind, SituationKind, SourceKind, TriangleSide};
use brygga_domain::time::format_number;
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::forums::forum::{self, Forum};
use brygga_store::places::areas;
use brygga_store::plans::figures::{CountRow, CrimeFigure};
use brygga_store::plans::problems::{self, Cause, CauseInput, EvidenceInput, Problem, ProblemInput};
use brygga_store::plans::situation::{
    self, AdoptInput, ShareInput, Situation, SituationDocument, SituationEdit, SituationInput, SourceInput,
};

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted, version_of};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/lagesbilder", get(list))
        .route("/lagesbilder/ny", get(new).post(create))
        .route("/lagesbilder/{id}", get(show))
        .route("/lagesbilder/{id}/utskrift", get(print))
        .route("/lagesbilder/{id}/redigera", get(edit_form).post(edit))
        .route("/lagesbilder/{id}/kallor/ny", get(source_form).post(add_source))
        .route("/lagesbilder/{id}/problem/ny", get(problem_form).post(add_problem))
        .route("/lagesbilder/{id}/problem/{pid}/underlag", get(evidence_form).post(add_evidence))
        .route("/lagesbilder/{id}/problem/{pid}/orsak", get(cause_form).post(add_cause))
        .route("/lagesbilder/{id}/orsaker/{cid}/ta-bort", post(remove_cause))
        .route("/lagesbilder/{id}/problem/{pid}/ta-bort", post(remove_problem))
        .route("/lagesbilder/{id}/underlag/{eid}/ta-bort", post(remove_evidence))
        .route("/lagesbilder/{id}/kallor/{sid}/ta-bort", post(remove_source))
        .route("/lagesbilder/{id}/kallor/{sid}/redigera", get(edit_source_form).post(edit_source))
        .route("/lagesbilder/{id}/problem/{pid}/redigera", get(edit_problem_form).post(edit_problem))
        .route("/lagesbilder/{id}/orsaker/{cid}/redigera", get(edit_cause_form).post(edit_cause))
        .route("/lagesbilder/{id}/anta", post(adopt))
        .route("/lagesbilder/{id}/ny-version", post(new_version))
        .route("/lagesbilder/{id}/delning", post(share))
        .route("/publikt/lagesbilder/{id}", get(public))
}

fn options<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str, label: impl Fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|k| (code(*k).to_owned(), label(*k).to_owned())).collect()
}

/// How the figure tables write their numbers (shared by the document, the print and the public view).
pub trait FigureText {
    /// A count, "färre än 3" when hidden, "–" when absent.
    fn count(&self, n: &Option<i64>, hidden: &bool) -> String {
        match n {
            Some(n) => format_number(*n as f64, 0),
            None if *hidden => "färre än 3".to_owned(),
            None => "–".to_owned(),
        }
    }
    fn row_count(&self, r: &CountRow) -> String {
        self.count(&r.count, &r.hidden)
    }
    fn row_previous(&self, r: &CountRow) -> String {
        self.count(&r.previous, &r.hidden)
    }
    fn crime(&self, n: &Option<f64>) -> String {
        n.map_or_else(|| "–".to_owned(), |n| format_number(n, 0))
    }
    fn crime_row(&self, r: &CrimeFigure) -> String {
        let base = self.crime(&r.count);
        if r.suppressed_months > 0 { format!("{base} ({} mån. skyddade)", r.suppressed_months) } else { base }
    }
    fn share(&self, s: &f64) -> String {
        format!("{} %", format_number(s * 100.0, 0))
    }
    fn date(&self, d: &Option<String>) -> String {
        d.clone().unwrap_or_else(|| "inga data för perioden".to_owned())
    }
    /// The causes of a problem on one side of the triangle (`""`: factors without a side).
    fn side<'a>(&self, p: &'a Problem, side: &str) -> Vec<&'a Cause> {
        p.causes.iter().filter(|c| c.triangle_side.as_deref().unwrap_or("") == side).collect()
    }
    /// A section's text as paragraphs (blank lines separate them, whatever the line endings).
    fn paragraphs(&self, body: &str) -> Vec<String> {
        body.replace("\r\n", "\n").split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
    }
    /// The CSRF token for the small forms inside the shared parts (none in print views).
    fn csrf_token(&self) -> String {
        String::new()
    }
    fn sides(&self) -> Vec<(&'static str, &'static str)> {
        let mut out: Vec<(&'static str, &'static str)> = TriangleSide::ALL.iter().map(|s| (s.code(), s.label())).collect();
        out.push(("", "Risk- och skyddsfaktorer utan sida i triangeln"));
        out
    }
}

// ---------------------------------------------------------------------------------------
// The list

#[derive(Template)]
#[template(path = "plans/situations/list.html")]
struct ListPage {
    chrome: Chrome,
    /// Per municipality (by name), the versions the viewer may read.
    groups: Vec<(String, Vec<Situation>)>,
    can_create: bool,
}

async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let items = state.store.read(move |db| situation::list(db, &v, None)).await?;
    let mut groups: Vec<(String, Vec<Situation>)> = Vec::new();
    for s in items {
        match groups.last_mut() {
            Some(g) if g.0 == s.municipality_name => g.1.push(s),
            _ => groups.push((s.municipality_name.clone(), vec![s])),
        }
    }
    html(
        StatusCode::OK,
        ListPage {
            chrome: Chrome::new(&session, "Lägesbilder och problembilder", "situations", &flash),
            can_create: !situation::owners(&session.viewer).is_empty(),
            groups,
        },
    )
}

// ---------------------------------------------------------------------------------------
// A new document

#[derive(Template)]
#[template(path = "plans/situations/new.html")]
struct NewPage {
    chrome: Chrome,
    form: FormView,
    kinds: Vec<(String, String)>,
    owners: Vec<(String, String)>,
    municipalities: Vec<(String, String)>,
    halves: Vec<(String, String)>,
    forums: Vec<(String, String)>,
    co_owners: Vec<(String, String)>,
}

async fn new_page(state: &AppState, session: &Session, form: FormView) -> Result<NewPage, PageError> {
    let v = session.viewer.clone();
    let forums: Vec<Forum> = state.store.read(move |db| forum::list(db, &v)).await?;
    let owners = situation::owners(&session.viewer);
    let mine = session.viewer.org_ids();
    let mut municipalities: Vec<(String, String)> = Vec::new();
    for (_, _, ms) in &owners {
        for m in ms {
            if !municipalities.iter().any(|x| x.0 == *m) {
                let name = brygga_domain::geography::municipality(m).map_or_else(|| m.clone(), |x| x.name.to_owned());
                municipalities.push((m.clone(), name));
            }
        }
    }
    let mut co_owners: Vec<(String, String)> = Vec::new();
    for f in &forums {
        for m in &f.members {
            if !mine.contains(&m.id) && !co_owners.iter().any(|c| c.0 == m.id.to_string()) {
                co_owners.push((m.id.to_string(), m.name.clone()));
            }
        }
    }
    Ok(NewPage {
        chrome: Chrome::new(session, "Ny lägesbild eller problembild", "situations", &Flash(None)),
        kinds: options(SituationKind::ALL, SituationKind::code, SituationKind::label),
        owners: if owners.len() > 1 { owners.iter().map(|o| (o.0.to_string(), o.1.clone())).collect() } else { Vec::new() },
        municipalities,
        halves: vec![("1".into(), "Första halvåret (januari–juni)".into()), ("2".into(), "Andra halvåret (juli–december)".into())],
        forums: forums
            .iter()
            .map(|f| {
                (f.id.to_string(), format!("{}{}", f.name, f.municipality_code.as_ref().map(|m| format!(" ({m})")).unwrap_or_default()))
            })
            .collect(),
        co_owners,
        form,
    })
}

async fn new(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    if situation::owners(&session.viewer).is_empty() {
        return Err(AppError::Forbidden.into());
    }
    let mut form = FormView::empty();
    form.set("kind", "situation").set("year", brygga_domain::time::today().year().to_string());
    html(StatusCode::OK, new_page(&state, &session, form).await?)
}

/// A chosen id (`""` is no choice), or why it is not one.
fn chosen_id(form: &FormData, field: &str, errs: &mut FieldErrors) -> Option<i64> {
    let raw = form.opt(field)?;
    match raw.trim().parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errs.push(FieldError::new(field, "invalid", format!("”{raw}” är inget giltigt val. Ladda om sidan och välj i listan.")));
            None
        }
    }
}

fn whole(form: &FormData, field: &str, what: &str, errs: &mut FieldErrors) -> Option<i64> {
    let raw = form.opt(field)?;
    match raw.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(field, "invalid", format!("Skriv {what} som ett heltal, till exempel 2026.")));
            None
        }
    }
}

async fn create(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let mut co: Vec<i64> = Vec::new();
    for raw in form.all("co_owner_org_ids") {
        match raw.parse() {
            Ok(id) => co.push(id),
            Err(_) => unread.push(FieldError::new("co_owner_org_ids", "invalid", "Välj medägare i listan.")),
        }
    }
    let input = SituationInput {
        kind: form.get("kind").to_owned(),
        title: form.get("title").to_owned(),
        municipality_code: form.get("municipality_code").to_owned(),
        year: whole(&form, "year", "året", &mut unread),
        half: chosen_id(&form, "half", &mut unread),
        picture_forum_id: chosen_id(&form, "picture_forum_id", &mut unread),
        co_owner_org_ids: co,
        org_id: chosen_id(&form, "org_id", &mut unread),
    };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, situation::create(db, &v, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(d) => Ok(Redirect::to(&format!("/lagesbilder/{}?klart=skapad", d.situation.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, new_page(&state, &session, view).await?),
    }
}

// ---------------------------------------------------------------------------------------
// The document

#[derive(Template)]
#[template(path = "plans/situations/show.html")]
struct ShowPage {
    chrome: Chrome,
    d: SituationDocument,
    /// The adopt / share form as sent, with its errors.
    form: FormView,
    visibilities: Vec<(String, String)>,
    forums: Vec<(String, String)>,
    /// Civil society's picture: consultation input given as lägesbild material (issue 16).
    civil: Vec<brygga_store::dialogue::consultations::situation::CivilItem>,
}

impl FigureText for ShowPage {
    fn csrf_token(&self) -> String {
        self.chrome.csrf.clone()
    }
}

async fn load(state: &AppState, session: &Session, id: i64) -> PageResult<SituationDocument> {
    let v = session.viewer.clone();
    Ok(state.store.read_audited(&session.viewer, move |db| situation::load_audited(db, &v, id)).await?)
}

async fn show_page(state: &AppState, session: &Session, id: i64, flash: &Flash, form: FormView, status: StatusCode) -> PageResult {
    let d = load(state, session, id).await?;
    let v = session.viewer.clone();
    let civil = state.store.read(move |db| brygga_store::dialogue::consultations::situation::for_situation(db, &v, id)).await?;
    let forums = if d.can_adopt {
        let v = session.viewer.clone();
        let owner = d.situation.owner.id;
        let all: Vec<Forum> = state.store.read(move |db| forum::list(db, &v)).await?;
        all.into_iter().filter(|f| f.members.iter().any(|m| m.id == owner)).map(|f| (f.id.to_string(), f.name)).collect()
    } else {
        Vec::new()
    };
    let mut form = form;
    if form.value("visibility").is_empty() {
        form.set("visibility", d.situation.visibility.clone());
        if let Some(f) = d.situation.forum_id {
            form.set("forum_id", f.to_string());
        }
    }
    html(
        status,
        ShowPage {
            chrome: Chrome::new(session, format!("{} – {}", d.situation.title, d.situation.period_label), "situations", flash),
            visibilities: vec![
                ("organisation".into(), "Bara parterna".into()),
                ("forum".into(), "Delad med ett forum".into()),
                ("public".into(), "Publicerad (alla, även utan inloggning)".into()),
            ],
            forums,
            form,
            d,
            civil,
        },
    )
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(id): Path<i64>) -> PageResult {
    show_page(&state, &session, id, &flash, FormView::empty(), StatusCode::OK).await
}

async fn adopt(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let input =
        AdoptInput { decided_by: form.opt("decided_by"), decided_on: form.opt("decided_on"), decision_ref: form.opt("decision_ref") };
    let v = session.viewer.clone();
    let version = version_of(&form);
    let result = match version {
        Ok(version) => state.store.write(move |db| situation::adopt(db, &v, id, Some(version), &input)).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/lagesbilder/{id}?klart=lagesbild-antagen")).into_response()),
        Submitted::Refused(view) => show_page(&state, &session, id, &Flash(None), view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn new_version(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let result = state.store.write(move |db| situation::new_version(db, &v, id)).await;
    match submitted(&form, result)? {
        Submitted::Done(d) => Ok(Redirect::to(&format!("/lagesbilder/{}?klart=ny-version", d.situation.id)).into_response()),
        Submitted::Refused(view) => show_page(&state, &session, id, &Flash(None), view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn share(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let input = ShareInput { visibility: form.get("visibility").to_owned(), forum_id: chosen_id(&form, "forum_id", &mut unread) };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, situation::share(db, &v, id, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/lagesbilder/{id}?klart=delning-sparad")).into_response()),
        Submitted::Refused(view) => show_page(&state, &session, id, &Flash(None), view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn remove_cause(
    State(state): State<AppState>,
    Path((id, cid)): Path<(i64, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let v = session.viewer.clone();
    let result = state.store.write(move |db| problems::remove_cause(db, &v, id, cid)).await;
    removed(&state, &session, &form, id, result).await
}

async fn remove_problem(
    State(state): State<AppState>,
    Path((id, pid)): Path<(i64, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let v = session.viewer.clone();
    let result = state.store.write(move |db| problems::remove_problem(db, &v, id, pid)).await;
    removed(&state, &session, &form, id, result).await
}

async fn remove_evidence(
    State(state): State<AppState>,
    Path((id, eid)): Path<(i64, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let v = session.viewer.clone();
    let result = state.store.write(move |db| problems::remove_evidence(db, &v, id, eid)).await;
    removed(&state, &session, &form, id, result).await
}

async fn remove_source(
    State(state): State<AppState>,
    Path((id, sid)): Path<(i64, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let v = session.viewer.clone();
    let result = state.store.write(move |db| situation::remove_source(db, &v, id, sid)).await;
    removed(&state, &session, &form, id, result).await
}

/// Back to the document after a removal, or the document with the refusal (a cause a plan's
/// measure addresses, a version no longer a draft).
async fn removed(
    state: &AppState,
    session: &Session,
    form: &FormData,
    id: i64,
    result: Result<(), brygga_store::StoreError>,
) -> PageResult {
    match submitted(form, result)? {
        Submitted::Done(()) => Ok(Redirect::to(&format!("/lagesbilder/{id}?klart=borttagen")).into_response()),
        Submitted::Refused(view) => show_page(state, session, id, &Flash(None), view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

// ---------------------------------------------------------------------------------------
// The forms that add to a draft: text, source, problem, evidence, cause

#[derive(Template)]
#[template(path = "plans/situations/part.html")]
struct PartPage {
    chrome: Chrome,
    d: SituationDocument,
    /// `text`, `source`, `problem`, `evidence` or `cause` (new or edited).
    kind: &'static str,
    heading: String,
    action: String,
    form: FormView,
    /// For evidence and causes: the problem.
    problem: Option<Problem>,
    choices: Vec<(String, String)>,
    sides: Vec<(String, String)>,
    factors: Vec<(String, String)>,
    bases: Vec<(String, String)>,
    certainties: Vec<(String, String)>,
    areas: Vec<(String, String)>,
}

async fn part_page(
    state: &AppState,
    session: &Session,
    id: i64,
    which: &'static str,
    problem_id: Option<i64>,
    form: Option<FormView>,
) -> Result<PartPage, PageError> {
    let d = load(state, session, id).await?;
    // A refused form is shown with its errors even when the store refused it because the
    // version is no longer a draft (the message says what to do instead).
    if !d.can_write && form.is_none() {
        return Err(AppError::Forbidden.into());
    }
    // `problem_id` is the problem for new evidence and causes, and the edited part's id for
    // the `edit-…` forms.
    let target = problem_id.unwrap_or(0);
    let cause = if which == "edit-cause" {
        Some(d.problems.iter().flat_map(|p| p.causes.iter()).find(|c| c.id == target).cloned().ok_or(AppError::NotFound)?)
    } else {
        None
    };
    let source =
        if which == "edit-source" { Some(d.sources.iter().find(|s| s.id == target).cloned().ok_or(AppError::NotFound)?) } else { None };
    let problem = match (which, problem_id) {
        ("edit-cause", _) => d.problems.iter().find(|p| Some(p.id) == cause.as_ref().map(|c| c.problem_id)).cloned(),
        ("edit-source", _) | (_, None) => None,
        (_, Some(pid)) => Some(d.problems.iter().find(|p| p.id == pid).cloned().ok_or(AppError::NotFound)?),
    };
    let (heading, action, choices) = match which {
        "edit-source" => (
            "Ändra källan".to_owned(),
            format!("/lagesbilder/{id}/kallor/{target}/redigera"),
            options(SourceKind::ALL, SourceKind::code, SourceKind::label),
        ),
        "edit-problem" => ("Ändra problemet".to_owned(), format!("/lagesbilder/{id}/problem/{target}/redigera"), Vec::new()),
        "edit-cause" => ("Ändra orsaken".to_owned(), format!("/lagesbilder/{id}/orsaker/{target}/redigera"), Vec::new()),
        "text" => ("Ändra texten".to_owned(), format!("/lagesbilder/{id}/redigera"), Vec::new()),
        "source" => (
            "Lägg till annan relevant information".to_owned(),
            format!("/lagesbilder/{id}/kallor/ny"),
            options(SourceKind::ALL, SourceKind::code, SourceKind::label),
        ),
        "problem" => ("Lägg till ett prioriterat problem".to_owned(), format!("/lagesbilder/{id}/problem/ny"), Vec::new()),
        "evidence" => (
            format!("Underlag för ”{}”", problem.as_ref().map(|p| p.title.as_str()).unwrap_or("")),
            format!("/lagesbilder/{id}/problem/{}/underlag", problem_id.unwrap_or(0)),
            options(EvidenceKind::ALL, EvidenceKind::code, EvidenceKind::label),
        ),
        _ => (
            format!("Orsak till ”{}”", problem.as_ref().map(|p| p.title.as_str()).unwrap_or("")),
            format!("/lagesbilder/{id}/problem/{}/orsak", problem_id.unwrap_or(0)),
            Vec::new(),
        ),
    };
    let areas = if which == "evidence" {
        let (v, m) = (session.viewer.clone(), d.situation.municipality_code.clone());
        state
            .store
            .read(move |db| areas::list(db, &v, &m))
            .await?
            .into_iter()
            .filter(areas::Area::is_active)
            .map(|a| (a.id.to_string(), a.name))
            .collect()
    } else {
        Vec::new()
    };
    let form = form.unwrap_or_else(|| {
        let mut f = FormView::empty();
        if which == "text" {
            f.set("title", d.situation.title.clone())
                .set("stale_after_months", d.situation.stale_after_months.to_string())
                .set("version", d.situation.version.to_string());
            for s in &d.sections {
                f.set(&s.section, s.body.clone().unwrap_or_default());
            }
        }
        if which == "problem" {
            f.set("priority", (d.problems.len() + 1).to_string());
        }
        if let (Some(p), "edit-problem") = (&problem, which) {
            f.set("title", p.title.clone())
                .set("description", p.description.clone().unwrap_or_default())
                .set("priority", p.priority.to_string());
        }
        if let Some(c) = &cause {
            f.set("title", c.title.clone())
                .set("description", c.description.clone().unwrap_or_default())
                .set("triangle_side", c.triangle_side.clone().unwrap_or_default())
                .set("influencer", c.influencer.clone().unwrap_or_default())
                .set("factor", c.factor.clone().unwrap_or_default())
                .set("basis", c.basis.clone())
                .set("basis_note", c.basis_note.clone().unwrap_or_default())
                .set("certainty", c.certainty.clone());
        }
        if let Some(s) = &source {
            f.set("kind", s.kind.clone())
                .set("title", s.title.clone())
                .set("summary", s.summary.clone().unwrap_or_default())
                .set("source", s.source.clone())
                .set("source_date", s.source_date.clone());
        }
        f
    });
    Ok(PartPage {
        chrome: Chrome::new(session, heading.clone(), "situations", &Flash(None)),
        d,
        kind: which.trim_start_matches("edit-"),
        heading,
        action,
        form,
        problem,
        choices,
        sides: options(TriangleSide::ALL, TriangleSide::code, TriangleSide::label),
        factors: options(FactorKind::ALL, FactorKind::code, FactorKind::label),
        bases: options(CauseBasis::ALL, CauseBasis::code, CauseBasis::label),
        certainties: options(Certainty::ALL, Certainty::code, Certainty::label),
        areas,
    })
}

async fn edit_form(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    html(StatusCode::OK, part_page(&state, &session, id, "text", None, None).await?)
}
async fn source_form(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    html(StatusCode::OK, part_page(&state, &session, id, "source", None, None).await?)
}
async fn problem_form(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    html(StatusCode::OK, part_page(&state, &session, id, "problem", None, None).await?)
}
async fn evidence_form(State(state): State<AppState>, SignedIn(session): SignedIn, Path((id, pid)): Path<(i64, i64)>) -> PageResult {
    html(StatusCode::OK, part_page(&state, &session, id, "evidence", Some(pid), None).await?)
}
async fn cause_form(State(state): State<AppState>, SignedIn(session): SignedIn, Path((id, pid)): Path<(i64, i64)>) -> PageResult {
    html(StatusCode::OK, part_page(&state, &session, id, "cause", Some(pid), None).await?)
}

async fn edit_source_form(State(state): State<AppState>, SignedIn(session): SignedIn, Path((id, sid)): Path<(i64, i64)>) -> PageResult {
    html(StatusCode::OK, part_page(&state, &session, id, "edit-source", Some(sid), None).await?)
}
async fn edit_problem_form(State(state): State<AppState>, SignedIn(session): SignedIn, Path((id, pid)): Path<(i64, i64)>) -> PageResult {
    html(StatusCode::OK, part_page(&state, &session, id, "edit-problem", Some(pid), None).await?)
}
async fn edit_cause_form(State(state): State<AppState>, SignedIn(session): SignedIn, Path((id, cid)): Path<(i64, i64)>) -> PageResult {
    html(StatusCode::OK, part_page(&state, &session, id, "edit-cause", Some(cid), None).await?)
}

fn source_input(form: &FormData) -> SourceInput {
    SourceInput {
        kind: form.get("kind").to_owned(),
        title: form.get("title").to_owned(),
        summary: form.opt("summary"),
        source: form.get("source").to_owned(),
        source_date: form.get("source_date").to_owned(),
    }
}

fn problem_input(form: &FormData, unread: &mut FieldErrors) -> ProblemInput {
    ProblemInput {
        title: form.get("title").to_owned(),
        description: form.opt("description"),
        priority: whole(form, "priority", "prioriteten", unread),
    }
}

fn cause_input(form: &FormData) -> CauseInput {
    CauseInput {
        title: form.get("title").to_owned(),
        description: form.opt("description"),
        triangle_side: form.opt("triangle_side"),
        influencer: form.opt("influencer"),
        factor: form.opt("factor"),
        basis: form.get("basis").to_owned(),
        basis_note: form.opt("basis_note"),
        certainty: form.get("certainty").to_owned(),
    }
}

async fn edit_source(
    State(state): State<AppState>,
    Path((id, sid)): Path<(i64, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let (v, input) = (session.viewer.clone(), source_input(&form));
    let result = state.store.write(move |db| situation::edit_source(db, &v, id, sid, &input)).await;
    part_done(&state, &session, &form, id, ("edit-source", Some(sid)), result, "#kallor".into()).await
}

async fn edit_problem(
    State(state): State<AppState>,
    Path((id, pid)): Path<(i64, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let mut unread = FieldErrors::new();
    let (v, input) = (session.viewer.clone(), problem_input(&form, &mut unread));
    let result = state
        .store
        .write(move |db| brygga_store::kernel::error::checked_with(unread, problems::edit_problem(db, &v, id, pid, &input)))
        .await;
    part_done(&state, &session, &form, id, ("edit-problem", Some(pid)), result, format!("#problem-{pid}")).await
}

async fn edit_cause(State(state): State<AppState>, Path((id, cid)): Path<(i64, i64)>, SignedForm(session, form): SignedForm) -> PageResult {
    let (v, input) = (session.viewer.clone(), cause_input(&form));
    let result = state.store.write(move |db| problems::edit_cause(db, &v, id, cid, &input)).await;
    let anchor = result.as_ref().map(|c| format!("#problem-{}", c.problem_id)).unwrap_or_default();
    part_done(&state, &session, &form, id, ("edit-cause", Some(cid)), result, anchor).await
}

/// Runs a part's command: back to the document on success, the form with its errors otherwise.
async fn part_done<T>(
    state: &AppState,
    session: &Session,
    form: &FormData,
    id: i64,
    (which, problem_id): (&'static str, Option<i64>),
    result: Result<T, brygga_store::StoreError>,
    anchor: String,
) -> PageResult {
    match submitted(form, result) {
        Ok(Submitted::Done(_)) => Ok(Redirect::to(&format!("/lagesbilder/{id}?klart=sparad{anchor}")).into_response()),
        Ok(Submitted::Refused(view)) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, part_page(state, session, id, which, problem_id, Some(view)).await?)
        }
        Err(AppError::Stale) => {
            let view = FormView::submitted(
                form,
                FieldError::new(
                    "version",
                    "stale",
                    "Någon annan har ändrat dokumentet medan du hade formuläret öppet. Dina ändringar finns kvar nedan men är inte sparade. Ladda om dokumentet, jämför och spara igen.",
                )
                .into(),
            );
            html(StatusCode::CONFLICT, part_page(state, session, id, which, problem_id, Some(view)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let input = SituationEdit {
        title: form.get("title").to_owned(),
        stale_after_months: whole(&form, "stale_after_months", "antalet månader", &mut unread),
        summary: form.opt("summary"),
        crime: form.opt("crime"),
        other: form.opt("other"),
        analysis: form.opt("analysis"),
    };
    let version = version_of(&form).unwrap_or_else(|e| {
        unread.0.extend(e.0);
        0
    });
    let v = session.viewer.clone();
    let result = state
        .store
        .write(move |db| brygga_store::kernel::error::checked_with(unread, situation::edit(db, &v, id, Some(version), &input)))
        .await;
    part_done(&state, &session, &form, id, ("text", None), result, String::new()).await
}

async fn add_source(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let (v, input) = (session.viewer.clone(), source_input(&form));
    let result = state.store.write(move |db| situation::add_source(db, &v, id, &input)).await;
    part_done(&state, &session, &form, id, ("source", None), result, "#kallor".into()).await
}

async fn add_problem(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let (v, input) = (session.viewer.clone(), problem_input(&form, &mut unread));
    let result =
        state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, problems::add_problem(db, &v, id, &input))).await;
    let anchor = result.as_ref().map(|p| format!("#problem-{}", p.id)).unwrap_or_default();
    part_done(&state, &session, &form, id, ("problem", None), result, anchor).await
}

async fn add_evidence(
    State(state): State<AppState>,
    Path((id, pid)): Path<(i64, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let mut unread = FieldErrors::new();
    let input = EvidenceInput {
        kind: form.get("kind").to_owned(),
        category: form.opt("category"),
        area_id: chosen_id(&form, "area_id", &mut unread),
        week: form.opt("week"),
        offence: form.opt("offence"),
        survey_question: form.opt("survey_question"),
        note: form.opt("note"),
    };
    let v = session.viewer.clone();
    let result = state
        .store
        .write(move |db| brygga_store::kernel::error::checked_with(unread, problems::add_evidence(db, &v, id, pid, &input)))
        .await;
    part_done(&state, &session, &form, id, ("evidence", Some(pid)), result, format!("#problem-{pid}")).await
}

async fn add_cause(State(state): State<AppState>, Path((id, pid)): Path<(i64, i64)>, SignedForm(session, form): SignedForm) -> PageResult {
    let (v, input) = (session.viewer.clone(), cause_input(&form));
    let result = state.store.write(move |db| problems::add_cause(db, &v, id, pid, &input)).await;
    part_done(&state, &session, &form, id, ("cause", Some(pid)), result, format!("#problem-{pid}")).await
}

// ---------------------------------------------------------------------------------------
// Print (A4) and the public view

#[derive(Template)]
#[template(path = "plans/situations/print.html")]
struct PrintPage {
    title: String,
    d: SituationDocument,
    /// The public page of a published version (a link back to nothing, no print button).
    public: bool,
}

impl FigureText for PrintPage {}

async fn print(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let d = load(&state, &session, id).await?;
    html(StatusCode::OK, PrintPage { title: format!("{} – {}", d.situation.title, d.situation.period_label), d, public: false })
}

async fn public(State(state): State<AppState>, Path(id): Path<i64>) -> PageResult {
    let d = state.store.read(move |db| situation::public(db, id)).await?;
    html(StatusCode::OK, PrintPage { title: format!("{} – {}", d.situation.title, d.situation.period_label), d, public: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Plain;
    impl FigureText for Plain {}

    #[test]
    fn figures_are_written_in_swedish_and_hidden_counts_say_so() {
        let p = Plain;
        assert_eq!(p.count(&Some(1234), &false), "1\u{a0}234");
        assert_eq!(p.count(&None, &true), "färre än 3");
        assert_eq!(p.count(&None, &false), "–");
        assert_eq!(p.share(&0.234), "23 %");
        let r = CrimeFigure { offence: "Skadegörelse".into(), count: Some(40.0), previous: None, suppressed_months: 2 };
        assert_eq!(p.crime_row(&r), "40 (2 mån. skyddade)");
        assert_eq!(p.paragraphs("Ett.\r\n\r\nTvå.\n\n\n"), ["Ett.", "Två."]);
    }
}
