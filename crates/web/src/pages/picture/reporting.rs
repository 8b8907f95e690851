//! Reporting (rapportera): the phone-first form for field staff — category, place, when, how
//! many, a short note — done in well under 30 seconds and without JavaScript. With
//! JavaScript, "Använd min position" fills in the position. A note with personal data is
//! refused with an explanation and an offer to remove it.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::personal_data;
use brygga_domain::time::{IsoWeek, format_local};
use brygga_domain::{FieldError, FieldErrors, OrgKind};
use brygga_store::forums::categories::{self, Category};
use brygga_store::forums::forum::{self, Forum};
use brygga_store::picture::observations::{self, Observation, ObservationInput};
use brygga_store::places::areas::{self, Area};
use brygga_store::{Action, StoreError, Viewer, kernel::access};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::options::area_options;
use crate::kit::page::{Chrome, Flash, FormView, html};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rapportera", get(show).post(submit))
        .route("/rapportera/mina", get(mine))
        .route("/rapporter/{id}/ta-bort", post(delete))
}

/// A forum the viewer can report in, with the organisations it reports for there.
pub fn reporting_forums(v: &Viewer, all: Vec<Forum>) -> Vec<Forum> {
    all.into_iter()
        .filter(|f| f.members.iter().any(|m| v.role_in(m.id).is_some() && access::allowed(v, Action::Report { org: m.id })))
        .collect()
}

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    forum: Option<i64>,
    rapport: Option<i64>,
}

#[derive(Template)]
#[template(path = "picture/reporting/form.html")]
struct FormPage {
    chrome: Chrome,
    forums: Vec<(String, String)>,
    forum: Option<Forum>,
    form: FormView,
    categories: Vec<Category>,
    places: Vec<(String, String)>,
    orgs: Vec<(String, String)>,
    shared_with: String,
    own_org_names: String,
    default_private: bool,
    offer_redaction: bool,
    redacted: bool,
    receipt: Option<String>,
    intensity_hint: String,
    intensity_options: Vec<(String, String)>,
}

impl FormPage {
    fn category_checked(&self, c: &Category) -> bool {
        self.form.value("category") == c.id.to_string()
    }
}

struct Context {
    forums: Vec<Forum>,
    forum: Option<Forum>,
    categories: Vec<Category>,
    places: Vec<Area>,
}

async fn context(state: &AppState, v: &Viewer, wanted: Option<i64>) -> Result<Context, PageError> {
    let v = v.clone();
    Ok(state
        .store
        .read(move |db| {
            let forums = reporting_forums(&v, forum::list(db, &v)?);
            let forum = match wanted {
                Some(id) => forums.iter().find(|f| f.id == id).cloned(),
                None if forums.len() == 1 => forums.first().cloned(),
                None => None,
            };
            let (categories, places) = match &forum {
                Some(f) => (
                    categories::list(db, &v, f.id, false)?,
                    match &f.municipality_code {
                        Some(m) => areas::list(db, &v, m)?.into_iter().filter(areas::Area::is_active).collect(),
                        None => Vec::new(),
                    },
                ),
                None => (Vec::new(), Vec::new()),
            };
            Ok(Context { forums, forum, categories, places })
        })
        .await?)
}

fn page(session: &Session, ctx: Context, form: FormView, flash: &Flash, receipt: Option<String>) -> FormPage {
    let v = &session.viewer;
    let orgs: Vec<(String, String)> = ctx
        .forum
        .as_ref()
        .map(|f| {
            f.members
                .iter()
                .filter(|m| v.role_in(m.id).is_some() && access::allowed(v, Action::Report { org: m.id }))
                .map(|m| (m.id.to_string(), m.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let default_private = orgs
        .first()
        .and_then(|(id, _)| v.memberships().iter().find(|m| m.org_id.to_string() == *id))
        .is_some_and(|m| matches!(m.org_kind, OrgKind::CivilSociety | OrgKind::FaithCommunity));
    let shared_with =
        ctx.forum.as_ref().map(|f| f.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")).unwrap_or_default();
    let own_org_names = orgs.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join(", ");
    let offer_redaction = form.errors.get("note").is_some_and(|e| e.code == "note.personal_data");
    let scaled: Vec<&Category> = ctx.categories.iter().filter(|c| c.intensity_max.is_some()).collect();
    let max = scaled.iter().filter_map(|c| c.intensity_max).max().unwrap_or(0);
    let intensity_hint = if scaled.is_empty() {
        String::new()
    } else {
        let scales: Vec<String> = scaled.iter().map(|c| format!("{}: {}", c.name, c.description.as_deref().unwrap_or(""))).collect();
        format!("Bara för vissa kategorier. {} Lämna tomt annars.", scales.join(" "))
    };
    let intensity_options = (1..=max).map(|i| (i.to_string(), i.to_string())).collect();
    FormPage {
        chrome: Chrome::new(session, "Rapportera", "report", flash),
        forums: ctx.forums.iter().map(|f| (f.id.to_string(), f.name.clone())).collect(),
        places: area_options(&ctx.places),
        forum: ctx.forum,
        categories: ctx.categories,
        orgs,
        shared_with,
        own_org_names,
        default_private,
        offer_redaction,
        redacted: false,
        receipt,
        intensity_hint,
        intensity_options,
        form,
    }
}

fn now_local() -> String {
    jiff::Timestamp::now().to_zoned(brygga_domain::time::stockholm()).strftime("%Y-%m-%dT%H:%M").to_string()
}

pub async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Query(q): Query<ReportQuery>) -> PageResult {
    let ctx = context(&state, &session.viewer, q.forum).await?;
    let receipt = match q.rapport {
        Some(id) => {
            let v = session.viewer.clone();
            state.store.read(move |db| observations::get(db, &v, id)).await.ok().map(|o| receipt_text(&o))
        }
        None => None,
    };
    let mut form = FormView::empty();
    form.set("observed_at", now_local()).set("quantity", "1");
    if let Some(f) = &ctx.forum {
        form.set("forum_id", f.id.to_string());
    }
    html(StatusCode::OK, page(&session, ctx, form, &flash, receipt))
}

fn receipt_text(o: &Observation) -> String {
    let place = o.area_name.as_deref().map(|a| format!(" vid {a}")).unwrap_or_default();
    let week = IsoWeek::parse(&o.week).map(|w| format!("v. {}", w.week())).unwrap_or_default();
    format!("Tack! Rapporten är sparad: {}{place}, {week}.", o.category_name)
}

/// Reads the form; numbers that cannot be read become field errors (and are left out, so the
/// store still checks everything else).
fn input_from(form: &FormData) -> (ObservationInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let mut number = |name: &str, label: &str| -> Option<i64> {
        let s = form.opt(name)?;
        match s.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.push(FieldError::new(name, "number.invalid", format!("{label} ska vara ett heltal, till exempel 1.")));
                None
            }
        }
    };
    let quantity = number("quantity", "Antalet");
    let intensity = number("intensity", "Intensiteten");
    let mut coordinate = |name: &str| -> Option<f64> {
        let s = form.opt(name)?;
        match s.replace(',', ".").parse() {
            Ok(x) => Some(x),
            Err(_) => {
                errs.push(FieldError::new(name, "number.invalid", "Koordinaten ska vara ett decimaltal, till exempel 55.3751."));
                None
            }
        }
    };
    let (lat, lon) = (coordinate("lat"), coordinate("lon"));
    if form.get("category").is_empty() {
        errs.push(FieldError::new("category", "required", "Välj vad du har sett."));
    }
    let input = ObservationInput {
        forum_id: form.int("forum_id").unwrap_or(0),
        category: form.get("category").to_owned(),
        area_id: form.int("area_id"),
        lat,
        lon,
        observed_at: form.opt("observed_at"),
        quantity,
        intensity,
        note: form.opt("note"),
        visibility: form.opt("visibility"),
        org_id: form.int("org_id"),
    };
    (input, errs)
}

pub async fn submit(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut view = FormView::submitted(&form, Default::default());
    // "Ta bort uppgifterna åt mig": show the note without personal data, for the reporter to check.
    if form.checked("redact") {
        let ctx = context(&state, &session.viewer, form.int("forum_id")).await?;
        view.set("note", personal_data::redact(form.get("note")));
        let mut p = page(&session, ctx, view, &Flash(None), None);
        p.redacted = true;
        return html(StatusCode::OK, p);
    }
    let (input, parse_errors) = input_from(&form);
    let v = session.viewer.clone();
    let result = state
        .store
        .write(move |db| {
            let prepared = observations::prepare(db, &v, &input, jiff::Timestamp::now());
            // Every problem at once: what could not be read, then what the store refused
            // (except for the fields already reported).
            let mut errors = parse_errors;
            if let Err(StoreError::Invalid(more)) = &prepared {
                for e in &more.0 {
                    if errors.get(&e.field).is_none() && !(e.field == "category" && errors.get("category").is_some()) {
                        errors.push(e.clone());
                    }
                }
            }
            if !errors.is_empty() {
                return Err(StoreError::Invalid(errors));
            }
            observations::create(db, &v, &prepared?, "form", None)
        })
        .await
        .map_err(AppError::from);
    match result {
        Ok(c) => Ok(Redirect::to(&format!("/rapportera?forum={}&rapport={}", form.get("forum_id"), c.observation.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let ctx = context(&state, &session.viewer, form.int("forum_id")).await?;
            view.errors = errors;
            html(StatusCode::UNPROCESSABLE_ENTITY, page(&session, ctx, view, &Flash(None), None))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "picture/reporting/mine.html")]
struct MinePage {
    chrome: Chrome,
    reports: Vec<(Observation, String)>,
}

/// The viewer's own recent reports (to check or remove a mistake).
pub async fn mine(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    if v.user_id().is_none() {
        return Err(AppError::Forbidden.into());
    }
    let reports = state.store.read(move |db| observations::mine(db, &v, 50)).await?;
    let reports = reports
        .into_iter()
        .map(|o| {
            let when = jiff::Timestamp::from_millisecond(o.observed_at_ms).map(format_local).unwrap_or_default();
            (o, when)
        })
        .collect();
    html(StatusCode::OK, MinePage { chrome: Chrome::new(&session, "Mina rapporter", "report", &flash), reports })
}

pub async fn delete(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| observations::delete(db, &v, id)).await?;
    Ok(Redirect::to("/rapportera/mina?klart=borttagen").into_response())
}
