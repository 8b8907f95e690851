//! Kvalitetsbedömning: starting an assessment of an agreement, scoring it item by item (with
//! what Brygga's data says shown as *härlett*), taking a frozen snapshot, one snapshot, the
//! comparison of two, and the checklists (Brygga's default set and county boards' own, with
//! their versions).
//!
//! Paths: `/overenskommelser/{id}/bedomning` (start), `/bedomningar/{id}` (score),
//! `/bedomningar/{id}/matning` (snapshot), `/matningar/{id}`, `/matningar/{id}/jamfor?med={other}`,
//! `/overenskommelser/checklistor` (`/ny`, `/{id}`, `/{id}/redigera`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::OrgKind;
use brygga_domain::agreements::{DerivedRule, Score, SnapshotKind};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::StoreError;
use brygga_store::agreements::assessments::{self, Assessment, Comparison, ItemScore, ScoreInput, Snapshot, SnapshotInput, StartInput};
use brygga_store::agreements::checklists::{self, ChecklistSet, ChecklistVersion, ItemInput, SetInput};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/overenskommelser/{id}/bedomning", post(start))
        .route("/bedomningar/{id}", get(show).post(save))
        .route("/bedomningar/{id}/matning", post(take_snapshot))
        .route("/matningar/{id}", get(snapshot))
        .route("/matningar/{id}/jamfor", get(compare))
        .route("/overenskommelser/checklistor", get(checklists_list))
        .route("/overenskommelser/checklistor/ny", get(new_checklist).post(create_checklist))
        .route("/overenskommelser/checklistor/{id}", get(checklist))
        .route("/overenskommelser/checklistor/{id}/redigera", get(edit_checklist).post(update_checklist))
}

type Options = Vec<(String, String)>;

fn scores() -> Options {
    Score::ALL.iter().map(|s| (s.code().to_owned(), s.label().to_owned())).collect()
}

fn snapshot_kinds() -> Options {
    SnapshotKind::ALL.iter().map(|s| (s.code().to_owned(), s.label().to_owned())).collect()
}

async fn start(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = StartInput { set_id: form.int("set_id"), org_id: form.int("org_id") };
    let v = session.viewer.clone();
    let a = state.store.write(move |db| assessments::start(db, &v, id, &input)).await?;
    Ok(Redirect::to(&format!("/bedomningar/{}", a.id)).into_response())
}

#[derive(Template)]
#[template(path = "agreements/assessments/show.html")]
struct AssessmentPage {
    chrome: Chrome,
    s: Assessment,
    agreement_title: String,
    can_score: bool,
    form: FormView,
    scores: Options,
    kinds: Options,
}

async fn assessment_page(state: &AppState, session: &Session, id: i64, form: FormView, status: StatusCode, flash: &Flash) -> PageResult {
    let v = session.viewer.clone();
    let (s, title) = state
        .store
        .read(move |db| {
            let s = assessments::get(db, &v, id)?;
            let a = brygga_store::agreements::agreement::get(db, &v, s.agreement_id)?;
            Ok((s, a.title))
        })
        .await?;
    let can_score = brygga_store::agreements::coordinates(&session.viewer, s.assessor_org_id);
    let mut form = form;
    if !form.has_errors() {
        for it in &s.items {
            if !it.derived {
                form.set(&format!("score_{}", it.item_id), it.score.clone().unwrap_or_default());
            }
            form.set(&format!("evidence_{}", it.item_id), it.evidence.clone().unwrap_or_default());
            form.set(&format!("comment_{}", it.item_id), it.comment.clone().unwrap_or_default());
        }
        form.set("kind", "follow_up").set("taken_on", brygga_domain::time::today().to_string());
    }
    html(
        status,
        AssessmentPage {
            chrome: Chrome::new(session, format!("Kvalitetsbedömning: {title}"), "agreements", flash),
            agreement_title: title,
            can_score,
            form,
            scores: scores(),
            kinds: snapshot_kinds(),
            s,
        },
    )
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, flash: Flash) -> PageResult {
    assessment_page(&state, &session, id, FormView::empty(), StatusCode::OK, &flash).await
}

async fn save(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let item_ids: Vec<i64> = form.all("item").iter().filter_map(|s| s.parse().ok()).collect();
    let input = ScoreInput {
        items: item_ids
            .iter()
            .map(|i| ItemScore {
                item_id: *i,
                score: form.opt(&format!("score_{i}")),
                evidence: form.opt(&format!("evidence_{i}")),
                comment: form.opt(&format!("comment_{i}")),
            })
            .collect(),
    };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| assessments::score(db, &v, id, &input)).await;
    // The store names fields `items[{id}].score`; the form's are `score_{id}`.
    let result = result.map_err(|e| match e {
        StoreError::Invalid(errs) => StoreError::Invalid(FieldErrors(
            errs.0
                .into_iter()
                .map(|mut e| {
                    if let Some(rest) = e.field.strip_prefix("items[")
                        && let Some((item, f)) = rest.split_once("].")
                    {
                        e.field = format!("{}_{item}", if f == "item_id" { "score" } else { f });
                    }
                    e
                })
                .collect(),
        )),
        other => other,
    });
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/bedomningar/{id}?klart=bedomning-sparad")).into_response()),
        Submitted::Refused(view) => assessment_page(&state, &session, id, view, StatusCode::UNPROCESSABLE_ENTITY, &Flash(None)).await,
    }
}

async fn take_snapshot(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = SnapshotInput { kind: form.get("kind").to_owned(), label: form.opt("label"), taken_on: form.opt("taken_on") };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| assessments::take_snapshot(db, &v, id, &input)).await;
    match submitted(&form, result)? {
        Submitted::Done(s) => Ok(Redirect::to(&format!("/matningar/{}?klart=matning-tagen", s.id)).into_response()),
        Submitted::Refused(view) => assessment_page(&state, &session, id, view, StatusCode::UNPROCESSABLE_ENTITY, &Flash(None)).await,
    }
}

#[derive(Template)]
#[template(path = "agreements/assessments/snapshot.html")]
struct SnapshotPage {
    chrome: Chrome,
    s: Snapshot,
    others: Options,
}

async fn snapshot(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let (s, all) = state
        .store
        .read(move |db| {
            let s = assessments::snapshot(db, &v, id)?;
            let all = assessments::snapshots(db, &v, s.agreement_id)?;
            Ok((s, all))
        })
        .await?;
    let others = all.into_iter().filter(|o| o.id != id).map(|o| (o.id.to_string(), format!("{} ({})", o.label, o.taken_on))).collect();
    html(StatusCode::OK, SnapshotPage { chrome: Chrome::new(&session, s.label.clone(), "agreements", &flash), s, others })
}

#[derive(Deserialize)]
struct CompareQuery {
    med: Option<String>,
}

#[derive(Template)]
#[template(path = "agreements/assessments/compare.html")]
struct ComparePage {
    chrome: Chrome,
    c: Comparison,
}

async fn compare(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<CompareQuery>,
) -> PageResult {
    let Some(other) = q.med.as_deref().and_then(|m| m.parse::<i64>().ok()) else {
        return Ok(Redirect::to(&format!("/matningar/{id}")).into_response());
    };
    let v = session.viewer.clone();
    let c = state
        .store
        .read(move |db| {
            let a = assessments::snapshot(db, &v, id)?;
            let b = assessments::snapshot(db, &v, other)?;
            // Earlier first, whatever order they were picked in.
            let (before, after) = if (a.taken_on.as_str(), a.id) <= (b.taken_on.as_str(), b.id) { (a.id, b.id) } else { (b.id, a.id) };
            assessments::compare(db, &v, before, after)
        })
        .await?;
    html(StatusCode::OK, ComparePage { chrome: Chrome::new(&session, "Jämför mätningar", "agreements", &Flash(None)), c })
}

// ---------------------------------------------------------------------------------------
// Checklists

#[derive(Template)]
#[template(path = "agreements/assessments/checklists.html")]
struct ChecklistsPage {
    chrome: Chrome,
    sets: Vec<ChecklistSet>,
    can_create: bool,
}

fn manages_checklists(session: &Session) -> bool {
    session
        .viewer
        .memberships()
        .iter()
        .any(|m| m.org_kind == OrgKind::CountyBoard && brygga_store::agreements::coordinates(&session.viewer, m.org_id))
}

async fn checklists_list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let sets = state.store.read(checklists::list).await?;
    html(
        StatusCode::OK,
        ChecklistsPage {
            chrome: Chrome::new(&session, "Checklistor", "agreements", &flash),
            sets,
            can_create: manages_checklists(&session),
        },
    )
}

#[derive(Template)]
#[template(path = "agreements/assessments/checklist.html")]
struct ChecklistPage {
    chrome: Chrome,
    set: ChecklistSet,
    version: ChecklistVersion,
    versions: Vec<(i64, i64)>,
    can_edit: bool,
}

#[derive(Deserialize)]
struct VersionQuery {
    version: Option<i64>,
}

async fn checklist(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<VersionQuery>,
    flash: Flash,
) -> PageResult {
    let (set, version, versions) = state
        .store
        .read(move |db| {
            let set = checklists::get(db, id)?;
            let versions = checklists::versions(db, id)?;
            let vid = match q.version {
                Some(n) => versions.iter().find(|x| x.1 == n).map(|x| x.0).ok_or(StoreError::not_found("checklist version"))?,
                None => set.latest_version_id,
            };
            Ok((set, checklists::version(db, vid)?, versions))
        })
        .await?;
    let can_edit = set.owner_org_id.is_some_and(|o| brygga_store::agreements::coordinates(&session.viewer, o));
    html(
        StatusCode::OK,
        ChecklistPage { chrome: Chrome::new(&session, set.name.clone(), "agreements", &flash), set, version, versions, can_edit },
    )
}

#[derive(Template)]
#[template(path = "agreements/assessments/checklist_form.html")]
struct ChecklistForm {
    chrome: Chrome,
    heading: String,
    action: String,
    form: FormView,
    rows: Vec<usize>,
    rules: Options,
    owners: Options,
    editing: bool,
}

/// Rows of the item editor: the items there are and three empty ones.
const SPARE_ROWS: usize = 3;

fn checklist_form(session: &Session, form: FormView, editing: Option<i64>, items: usize) -> ChecklistForm {
    let (heading, action) = match editing {
        Some(id) => ("Ändra checklistan".to_owned(), format!("/overenskommelser/checklistor/{id}/redigera")),
        None => ("Ny checklista".to_owned(), "/overenskommelser/checklistor/ny".to_owned()),
    };
    ChecklistForm {
        chrome: Chrome::new(session, heading.clone(), "agreements", &Flash(None)),
        heading,
        action,
        form,
        rows: (0..items + SPARE_ROWS).collect(),
        rules: DerivedRule::ALL.iter().map(|r| (r.code().to_owned(), r.label().to_owned())).collect(),
        owners: session
            .viewer
            .memberships()
            .iter()
            .filter(|m| m.org_kind == OrgKind::CountyBoard && brygga_store::agreements::coordinates(&session.viewer, m.org_id))
            .map(|m| (m.org_id.to_string(), m.org_name.clone()))
            .collect(),
        editing: editing.is_some(),
    }
}

/// The set as typed: rows with an empty text are left out.
fn set_input(form: &FormData) -> (SetInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let mut items = Vec::new();
    for i in 0..200 {
        let Some(text) = form.opt(&format!("text_{i}")) else {
            if form.opt(&format!("key_{i}")).is_none() && i > 0 && form.opt(&format!("text_{}", i + 1)).is_none() {
                break;
            }
            continue;
        };
        let weight = match form.opt(&format!("weight_{i}")) {
            None => None,
            Some(w) => match w.replace(',', ".").parse::<f64>() {
                Ok(x) => Some(x),
                Err(_) => {
                    errs.push(FieldError::new(
                        format!("weight_{i}"),
                        "number.invalid",
                        format!("”{w}” är inget tal. Skriv till exempel 1 eller 2,5."),
                    ));
                    None
                }
            },
        };
        items.push((
            i,
            ItemInput {
                key: form.opt(&format!("key_{i}")),
                text,
                guidance: form.opt(&format!("guidance_{i}")),
                evidence: form.opt(&format!("evidence_{i}")),
                weight,
                derived_rule: form.opt(&format!("rule_{i}")),
            },
        ));
    }
    let input = SetInput {
        owner_org_id: form.int("owner_org_id"),
        name: form.get("name").to_owned(),
        description: form.get("description").to_owned(),
        items: items.into_iter().map(|x| x.1).collect(),
    };
    (input, errs)
}

/// The store names fields `items[n].text` (n counting kept rows); the form's are `text_{row}`.
fn form_fields(form: &FormData, e: StoreError) -> StoreError {
    let rows: Vec<usize> = (0..200).filter(|i| form.opt(&format!("text_{i}")).is_some()).collect();
    match e {
        StoreError::Invalid(errs) => StoreError::Invalid(FieldErrors(
            errs.0
                .into_iter()
                .map(|mut e| {
                    if let Some(rest) = e.field.strip_prefix("items[")
                        && let Some((n, f)) = rest.split_once("].")
                        && let Some(row) = n.parse::<usize>().ok().and_then(|n| rows.get(n))
                    {
                        e.field = format!("{}_{row}", if f == "derived_rule" { "rule" } else { f });
                    }
                    e
                })
                .collect(),
        )),
        other => other,
    }
}

async fn new_checklist(State(_state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    if !manages_checklists(&session) {
        return Err(AppError::Forbidden.into());
    }
    html(StatusCode::OK, checklist_form(&session, FormView::empty(), None, 0))
}

async fn create_checklist(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, unread) = set_input(&form);
    let n = input.items.len();
    let v = session.viewer.clone();
    let result = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, checklists::create(db, &v, &input))).await;
    let result = result.map_err(|e| form_fields(&form, e));
    match submitted(&form, result)? {
        Submitted::Done(s) => Ok(Redirect::to(&format!("/overenskommelser/checklistor/{}?klart=skapad", s.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, checklist_form(&session, view, None, n)),
    }
}

async fn edit_checklist(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let (set, version) = state
        .store
        .read(move |db| {
            let s = checklists::get(db, id)?;
            let v = checklists::version(db, s.latest_version_id)?;
            Ok((s, v))
        })
        .await?;
    if !set.owner_org_id.is_some_and(|o| brygga_store::agreements::coordinates(&session.viewer, o)) {
        return Err(AppError::Forbidden.into());
    }
    let mut f = FormView::empty();
    f.set("name", set.name.clone()).set("description", set.description.clone());
    for (i, it) in version.items.iter().enumerate() {
        f.set(&format!("key_{i}"), it.key.clone())
            .set(&format!("text_{i}"), it.text.clone())
            .set(&format!("guidance_{i}"), it.guidance.clone().unwrap_or_default())
            .set(&format!("evidence_{i}"), it.evidence.clone().unwrap_or_default())
            .set(&format!("weight_{i}"), brygga_domain::time::format_number(it.weight, if it.weight.fract() == 0.0 { 0 } else { 2 }))
            .set(&format!("rule_{i}"), it.derived_rule.clone().unwrap_or_default());
    }
    html(StatusCode::OK, checklist_form(&session, f, Some(id), version.items.len()))
}

async fn update_checklist(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, unread) = set_input(&form);
    let n = input.items.len();
    let v = session.viewer.clone();
    let result = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, checklists::edit(db, &v, id, &input))).await;
    let result = result.map_err(|e| form_fields(&form, e));
    match submitted(&form, result)? {
        Submitted::Done(s) => Ok(Redirect::to(&format!("/overenskommelser/checklistor/{}?klart=sparad", s.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, checklist_form(&session, view, Some(id), n)),
    }
}
