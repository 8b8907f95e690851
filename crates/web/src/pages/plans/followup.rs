//! Follow-up of an åtgärdsplan: each indicator with its chart against baseline and target, its
//! latest value and computed progress; the form that enters a value; deviations and their form;
//! the process evaluation's checks grouped by analysis, each linking to what to fix; the yearly
//! follow-up report (printable A4); and one indicator with its chart and every value.
//!
//! Paths: `/atgardsplaner/{id}/uppfoljning` (`…/varden`, `…/varden/ta-bort`, `…/uppdatera`),
//! `/atgardsplaner/{id}/avvikelser` (`…/{did}`, `…/{did}/ta-bort`),
//! `/atgardsplaner/{id}/uppfoljning/{year}/rapport` and `/atgardsplaner/{id}/indikatorer/{iid}`.
//!
//! A plan the viewer may not read is not found. Who may write is the store's business
//! ([`followup::may_follow_up`] only decides whether the forms are shown).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::time::today;
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::plans::followup::{self, Deviation, DeviationInput, FollowUpReport, IndicatorSeries, ValueInput};

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted};
use crate::kit::plan_checks::{CheckGroup, check_groups};
use crate::kit::svg::indicator::{IndicatorChart, indicator_chart, number};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/atgardsplaner/{id}/uppfoljning", get(page))
        .route("/atgardsplaner/{id}/uppfoljning/varden", post(enter_value))
        .route("/atgardsplaner/{id}/uppfoljning/varden/ta-bort", post(remove_value))
        .route("/atgardsplaner/{id}/uppfoljning/uppdatera", post(refresh))
        .route("/atgardsplaner/{id}/uppfoljning/{year}/rapport", get(report))
        .route("/atgardsplaner/{id}/avvikelser", post(record))
        .route("/atgardsplaner/{id}/avvikelser/{did}", get(deviation).post(edit))
        .route("/atgardsplaner/{id}/avvikelser/{did}/ta-bort", post(remove))
        .route("/atgardsplaner/{id}/indikatorer/{iid}", get(indicator))
}

// ---------------------------------------------------------------------------------------
// Views

/// One row of an indicator's value table.
struct ValueRow {
    period: String,
    period_label: String,
    value: String,
    origin_label: &'static str,
    note: String,
    removable: bool,
}

/// An indicator as the pages show it.
struct IndicatorView {
    id: i64,
    name: String,
    unit: String,
    source_label: String,
    frequency_label: String,
    direction_label: String,
    baseline: String,
    target: String,
    latest: String,
    progress: String,
    chart: String,
    rows: Vec<ValueRow>,
    suppressed: usize,
}

fn or_dash(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), number)
}

/// `63 %`, or "–" without progress.
fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "–".to_owned(), |p| format!("{}\u{a0}%", brygga_domain::time::format_number((p * 100.0).round(), 0)))
}

fn indicator_view(s: &IndicatorSeries, may_write: bool) -> IndicatorView {
    let i = &s.indicator;
    let points: Vec<(String, Option<f64>)> = s.values.iter().map(|v| (v.period_label.clone(), v.value)).collect();
    let chart_id = format!("indikator-{}-diagram", i.id);
    IndicatorView {
        id: i.id,
        name: i.name.clone(),
        unit: i.unit.clone(),
        source_label: match &i.manual_source {
            Some(m) => format!("{} ({m})", i.source_label),
            None => i.source_label.clone(),
        },
        frequency_label: i.frequency_label.clone(),
        direction_label: i.direction_label.clone(),
        baseline: match (&s.baseline, &s.baseline_on) {
            (Some(b), Some(on)) => format!("{} ({on})", number(*b)),
            (b, _) => or_dash(*b),
        },
        target: match (&s.target, &s.target_on) {
            (Some(t), Some(on)) => format!("{} ({on})", number(*t)),
            (t, _) => or_dash(*t),
        },
        latest: match (&s.latest, &s.latest_period) {
            (Some(l), Some(p)) => {
                let label = s.values.iter().find(|v| &v.period == p).map_or(p.clone(), |v| v.period_label.clone());
                format!("{} ({label})", number(*l))
            }
            _ => "–".to_owned(),
        },
        progress: percent(s.progress),
        chart: indicator_chart(&IndicatorChart {
            id: &chart_id,
            name: &i.name,
            unit: &i.unit,
            points: &points,
            baseline: s.baseline,
            target: s.target,
        }),
        rows: s
            .values
            .iter()
            .map(|v| ValueRow {
                period: v.period.clone(),
                period_label: v.period_label.clone(),
                value: v.value.map_or_else(|| "dolt (färre än 3)".to_owned(), number),
                origin_label: if v.origin == "entered" { "införd för hand" } else { "från Bryggas data" },
                note: v.note.clone().unwrap_or_default(),
                removable: may_write && v.origin == "entered",
            })
            .collect(),
        suppressed: s.suppressed,
    }
}

struct GoalView {
    id: i64,
    kind_label: String,
    title: String,
    depth: usize,
    progress: String,
    left_out: usize,
    indicators: Vec<IndicatorView>,
}

struct DeviationView {
    id: i64,
    what: String,
    why: String,
    consequence: String,
    correction: String,
    decided: String,
    concerns: String,
}

fn deviation_view(d: &Deviation) -> DeviationView {
    let concerns: Vec<String> = [
        d.measure_title.as_ref().map(|t| format!("insatsen ”{t}”")),
        d.goal_title.as_ref().map(|t| format!("målet ”{t}”")),
        d.indicator_name.as_ref().map(|t| format!("indikatorn ”{t}”")),
    ]
    .into_iter()
    .flatten()
    .collect();
    DeviationView {
        id: d.id,
        what: d.what.clone(),
        why: d.why.clone(),
        consequence: d.consequence.clone().unwrap_or_else(|| "–".into()),
        correction: d.correction.clone().unwrap_or_else(|| "–".into()),
        decided: match (&d.decided_by, &d.decided_on) {
            (Some(b), Some(on)) => format!("{b}, {on}"),
            (Some(b), None) => b.clone(),
            (None, Some(on)) => on.clone(),
            (None, None) => "–".into(),
        },
        concerns: if concerns.is_empty() { "–".into() } else { concerns.join(", ") },
    }
}

/// The choices of the forms: indicators, measures and goals of the plan.
struct Choices {
    indicators: Vec<(String, String)>,
    measures: Vec<(String, String)>,
    goals: Vec<(String, String)>,
}

fn choices(r: &FollowUpReport) -> Choices {
    Choices {
        indicators: r
            .goals
            .iter()
            .flat_map(|g| &g.indicators)
            .map(|s| (s.indicator.id.to_string(), format!("{} ({})", s.indicator.name, s.indicator.frequency_label.to_lowercase())))
            .collect(),
        measures: r.measures.iter().map(|m| (m.id.to_string(), m.title.clone())).collect(),
        goals: r.goals.iter().map(|g| (g.id.to_string(), format!("{}: {}", g.kind_label, g.title))).collect(),
    }
}

// ---------------------------------------------------------------------------------------
// The follow-up page

#[derive(Template)]
#[template(path = "plans/followup/page.html")]
struct FollowUpPage {
    chrome: Chrome,
    plan_id: i64,
    title: String,
    year: i32,
    progress: String,
    goals: Vec<GoalView>,
    groups: Vec<CheckGroup>,
    deviations: Vec<DeviationView>,
    may_write: bool,
    value_form: FormView,
    deviation_form: FormView,
    indicators: Vec<(String, String)>,
    measures: Vec<(String, String)>,
    goal_choices: Vec<(String, String)>,
    last_refresh: Option<i64>,
}

/// Everything the follow-up page reads, after refreshing stale computed values.
async fn load(state: &AppState, session: &Session, plan_id: i64) -> Result<(FollowUpReport, Vec<Deviation>, bool, Option<i64>), AppError> {
    let v = session.viewer.clone();
    state.store.write(move |db| followup::refresh_if_stale(db, &v, plan_id)).await?;
    let v = session.viewer.clone();
    Ok(state
        .store
        .read(move |db| {
            Ok((
                followup::report(db, &v, plan_id, i32::from(today().year()))?,
                followup::deviations(db, &v, plan_id)?,
                followup::may_follow_up(db, &v, plan_id)?,
                followup::last_refresh_ms(db, plan_id)?,
            ))
        })
        .await?)
}

fn goal_views(r: &FollowUpReport, may_write: bool) -> Vec<GoalView> {
    r.goals
        .iter()
        .map(|g| GoalView {
            id: g.id,
            kind_label: g.kind_label.clone(),
            title: g.title.clone(),
            depth: g.depth,
            progress: percent(g.progress),
            left_out: g.left_out,
            indicators: g.indicators.iter().map(|s| indicator_view(s, may_write)).collect(),
        })
        .collect()
}

async fn render(
    state: &AppState,
    session: &Session,
    plan_id: i64,
    flash: &Flash,
    forms: (Option<FormView>, Option<FormView>),
    status: StatusCode,
) -> PageResult {
    let (r, deviations, may_write, last_refresh) = load(state, session, plan_id).await?;
    let c = choices(&r);
    html(
        status,
        FollowUpPage {
            chrome: Chrome::new(session, format!("Uppföljning: {}", r.title), "plans", flash),
            plan_id,
            title: r.title.clone(),
            year: r.year,
            progress: percent(r.totals.progress),
            goals: goal_views(&r, may_write),
            groups: check_groups(plan_id, &r.checks),
            deviations: deviations.iter().map(deviation_view).collect(),
            may_write,
            value_form: forms.0.unwrap_or_default(),
            deviation_form: forms.1.unwrap_or_default(),
            indicators: c.indicators,
            measures: c.measures,
            goal_choices: c.goals,
            last_refresh,
        },
    )
}

async fn page(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(id): Path<i64>) -> PageResult {
    render(&state, &session, id, &flash, (None, None), StatusCode::OK).await
}

/// A number as people type it: `12`, `12,5`, `1 200`. The field error when it is not one.
fn read_number(form: &FormData, field: &str, unread: &mut FieldErrors) -> Option<f64> {
    let raw = form.get(field).trim().to_owned();
    if raw.is_empty() {
        return None;
    }
    let cleaned: String =
        raw.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect::<String>().replace(',', ".").replace('−', "-");
    match cleaned.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            unread.push(FieldError::new(field, "number.invalid", format!("”{raw}” är inget tal. Skriv till exempel 12 eller 12,5.")));
            None
        }
    }
}

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

async fn enter_value(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let indicator_id = match opt_id(&form, "indicator_id", &mut unread) {
        Some(i) => i,
        None => {
            if unread.get("indicator_id").is_none() {
                unread.push(FieldError::new("indicator_id", "required", "Välj vilken indikator värdet gäller."));
            }
            0
        }
    };
    let value = read_number(&form, "value", &mut unread);
    let input = ValueInput { indicator_id, period: form.get("period").to_owned(), value, note: form.opt("note"), org_id: None };
    let v = session.viewer.clone();
    let result = if indicator_id == 0 {
        Err(AppError::Invalid(unread))
    } else {
        state.store.write(move |db| followup::enter_value(db, &v, id, &input, unread)).await.map_err(AppError::from)
    };
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/atgardsplaner/{id}/uppfoljning?klart=sparad#varden")).into_response()),
        Submitted::Refused(view) => render(&state, &session, id, &Flash(None), (Some(view), None), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn remove_value(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let indicator_id = form.int("indicator_id").ok_or(AppError::NotFound)?;
    let period = form.get("period").to_owned();
    let v = session.viewer.clone();
    state.store.write(move |db| followup::remove_value(db, &v, id, indicator_id, &period)).await?;
    Ok(Redirect::to(&format!("/atgardsplaner/{id}/indikatorer/{indicator_id}?klart=borttagen")).into_response())
}

async fn refresh(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| followup::refresh_values(db, &v, id)).await?;
    Ok(Redirect::to(&format!("/atgardsplaner/{id}/uppfoljning?klart=sparad")).into_response())
}

fn deviation_input(form: &FormData, unread: &mut FieldErrors) -> DeviationInput {
    DeviationInput {
        what: form.get("what").to_owned(),
        why: form.get("why").to_owned(),
        consequence: form.opt("consequence"),
        correction: form.opt("correction"),
        decided_by: form.opt("decided_by"),
        decided_on: form.opt("decided_on"),
        measure_id: opt_id(form, "measure_id", unread),
        goal_id: opt_id(form, "goal_id", unread),
        indicator_id: opt_id(form, "indicator_id", unread),
        org_id: None,
    }
}

async fn record(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let input = deviation_input(&form, &mut unread);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| followup::record(db, &v, id, &input, unread)).await;
    match submitted(&form, result)? {
        Submitted::Done(d) => Ok(Redirect::to(&format!("/atgardsplaner/{id}/uppfoljning?klart=skapad#avvikelse-{}", d.id)).into_response()),
        Submitted::Refused(view) => render(&state, &session, id, &Flash(None), (None, Some(view)), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

// ---------------------------------------------------------------------------------------
// One deviation: its edit form

#[derive(Template)]
#[template(path = "plans/followup/deviation.html")]
struct DeviationPage {
    chrome: Chrome,
    plan_id: i64,
    plan_title: String,
    d: DeviationView,
    may_write: bool,
    form: FormView,
    indicators: Vec<(String, String)>,
    measures: Vec<(String, String)>,
    goal_choices: Vec<(String, String)>,
}

fn deviation_values(d: &Deviation) -> FormView {
    let mut f = FormView::empty();
    f.set("what", d.what.clone()).set("why", d.why.clone());
    for (k, v) in [
        ("consequence", d.consequence.clone()),
        ("correction", d.correction.clone()),
        ("decided_by", d.decided_by.clone()),
        ("decided_on", d.decided_on.clone()),
        ("measure_id", d.measure_id.map(|x| x.to_string())),
        ("goal_id", d.goal_id.map(|x| x.to_string())),
        ("indicator_id", d.indicator_id.map(|x| x.to_string())),
    ] {
        if let Some(v) = v {
            f.set(k, v);
        }
    }
    f
}

async fn deviation_page(
    state: &AppState,
    session: &Session,
    plan_id: i64,
    did: i64,
    form: Option<FormView>,
    status: StatusCode,
) -> PageResult {
    let v = session.viewer.clone();
    let (d, r, may_write) = state
        .store
        .read(move |db| {
            let d = followup::deviation(db, &v, did)?;
            if d.plan_id != plan_id {
                return Err(brygga_store::StoreError::not_found("deviation"));
            }
            Ok((d, followup::report(db, &v, plan_id, i32::from(today().year()))?, followup::may_follow_up(db, &v, plan_id)?))
        })
        .await?;
    let c = choices(&r);
    html(
        status,
        DeviationPage {
            chrome: Chrome::new(session, format!("Avvikelse: {}", d.what), "plans", &Flash(None)),
            plan_id,
            plan_title: r.title.clone(),
            form: form.unwrap_or_else(|| deviation_values(&d)),
            d: deviation_view(&d),
            may_write,
            indicators: c.indicators,
            measures: c.measures,
            goal_choices: c.goals,
        },
    )
}

async fn deviation(State(state): State<AppState>, SignedIn(session): SignedIn, Path((id, did)): Path<(i64, i64)>) -> PageResult {
    deviation_page(&state, &session, id, did, None, StatusCode::OK).await
}

async fn edit(State(state): State<AppState>, Path((id, did)): Path<(i64, i64)>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let input = deviation_input(&form, &mut unread);
    let v = session.viewer.clone();
    let result = state
        .store
        .write(move |db| {
            if followup::deviation(db, &v, did)?.plan_id != id {
                return Err(brygga_store::StoreError::not_found("deviation"));
            }
            followup::edit(db, &v, did, &input, unread)
        })
        .await;
    match submitted(&form, result)? {
        Submitted::Done(d) => Ok(Redirect::to(&format!("/atgardsplaner/{id}/uppfoljning?klart=sparad#avvikelse-{}", d.id)).into_response()),
        Submitted::Refused(view) => deviation_page(&state, &session, id, did, Some(view), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn remove(State(state): State<AppState>, Path((id, did)): Path<(i64, i64)>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state
        .store
        .write(move |db| {
            if followup::deviation(db, &v, did)?.plan_id != id {
                return Err(brygga_store::StoreError::not_found("deviation"));
            }
            followup::remove(db, &v, did)
        })
        .await?;
    Ok(Redirect::to(&format!("/atgardsplaner/{id}/uppfoljning?klart=borttagen#avvikelser")).into_response())
}

// ---------------------------------------------------------------------------------------
// The yearly report (printable A4)

#[derive(Template)]
#[template(path = "plans/followup/report.html")]
struct ReportPage {
    chrome: Chrome,
    r: FollowUpReport,
    progress: String,
    goals: Vec<GoalView>,
    groups: Vec<CheckGroup>,
    deviations: Vec<DeviationView>,
    measures: Vec<(String, String, String, String, Vec<DeviationView>)>,
    generated: String,
}

async fn report(State(state): State<AppState>, SignedIn(session): SignedIn, Path((id, year)): Path<(i64, i32)>) -> PageResult {
    let v = session.viewer.clone();
    let r = state.store.read(move |db| followup::report(db, &v, id, year)).await?;
    html(
        StatusCode::OK,
        ReportPage {
            chrome: Chrome::new(&session, format!("Uppföljningsrapport {year}: {}", r.title), "plans", &Flash(None)),
            progress: percent(r.totals.progress),
            goals: goal_views(&r, false),
            groups: check_groups(id, &r.checks),
            deviations: r.deviations.iter().map(deviation_view).collect(),
            measures: r
                .measures
                .iter()
                .map(|m| {
                    let when = match (&m.start_on, &m.end_on) {
                        (Some(a), Some(b)) => format!("{a} – {b}"),
                        (None, Some(b)) => format!("till {b}"),
                        (Some(a), None) => format!("från {a}"),
                        (None, None) => "–".into(),
                    };
                    (
                        m.title.clone(),
                        m.responsible.clone(),
                        m.status_label.clone(),
                        when,
                        m.deviations.iter().map(deviation_view).collect(),
                    )
                })
                .collect(),
            generated: today().to_string(),
            r,
        },
    )
}

// ---------------------------------------------------------------------------------------
// One indicator

#[derive(Template)]
#[template(path = "plans/followup/indicator.html")]
struct IndicatorPage {
    chrome: Chrome,
    plan_id: i64,
    i: IndicatorView,
    may_write: bool,
}

async fn indicator(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    flash: Flash,
    Path((id, iid)): Path<(i64, i64)>,
) -> PageResult {
    let v = session.viewer.clone();
    let (s, may_write) = state
        .store
        .read(move |db| {
            let s = followup::series_of(db, &v, iid)?;
            if s.indicator.plan_id != id {
                return Err(brygga_store::StoreError::not_found("indicator"));
            }
            Ok((s, followup::may_follow_up(db, &v, id)?))
        })
        .await?;
    html(
        StatusCode::OK,
        IndicatorPage {
            chrome: Chrome::new(&session, s.indicator.name.clone(), "plans", &flash),
            plan_id: id,
            i: indicator_view(&s, may_write),
            may_write,
        },
    )
}
