//! Rapid alerts — Hässleholm's "trycka på knappen": the button and its form, an alert with its
//! recipients and acknowledgements, closing it with a summary, the open alerts in all of the
//! viewer's forums, and a forum's alerts with their statistics.
//!
//! The form carries a one-time key made when it is shown; it is the store's idempotency key,
//! so a double click (or a resent post) raises one alert.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::time::format_number;
use brygga_domain::{AlertUrgency, FieldError, FieldErrors, geography};
use brygga_store::forum_work::alerts::{self, Alert, AlertInput, Stats};
use brygga_store::forums::forum::{self, Forum};
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
        .route("/forum/{id}/larm", get(forum_alerts))
        .route("/forum/{id}/larm/nytt", get(new).post(raise))
        .route("/larm", get(open_alerts))
        .route("/larm/{id}", get(show))
        .route("/larm/{id}/kvittera", post(acknowledge))
        .route("/larm/{id}/stang", post(close))
}

/// Forum records are readable only inside the forum; outside it they are answered as not found.
fn hidden(e: StoreError) -> PageError {
    match e {
        StoreError::Forbidden => PageError(AppError::NotFound),
        other => other.into(),
    }
}

fn municipality_name(code: &str) -> String {
    geography::municipality(code).map_or_else(|| code.to_owned(), |m| m.name.to_owned())
}

/// "4 min", "1 tim 5 min", "2 dygn 3 tim"; under a minute is "under 1 min".
pub fn duration_text(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    if minutes < 1 {
        return "under 1 min".into();
    }
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} tim"),
        (0, h, m) => format!("{h} tim {m} min"),
        (d, 0, _) => format!("{d} dygn"),
        (d, h, _) => format!("{d} dygn {h} tim"),
    }
}

/// A share 0–1 as a Swedish percentage: "83 %".
fn percent(share: f64) -> String {
    format!("{}\u{a0}%", format_number(share * 100.0, 0))
}

/// Where it happens, in words: the place, or the position in the municipality.
fn place_text(a: &Alert) -> String {
    match (&a.area_name, a.lat, a.lon) {
        (Some(name), _, _) => name.clone(),
        (None, Some(lat), Some(lon)) => {
            format!("Position {}, {} i {}", format_number(lat, 5), format_number(lon, 5), municipality_name(&a.municipality_code))
        }
        _ => municipality_name(&a.municipality_code),
    }
}

/// An alert as a row or a heading shows it: everything formatted the Swedish way.
pub struct AlertRow {
    pub id: i64,
    pub title: String,
    pub place: String,
    pub urgency: String,
    pub urgency_code: String,
    pub raised_by: String,
    pub raised_at_ms: i64,
    pub open: bool,
    pub status: &'static str,
    pub acknowledged: usize,
    pub recipients: usize,
    pub first_ack: String,
    pub forum_name: String,
    /// The viewer was notified and has not acknowledged.
    pub awaits_me: bool,
}

impl AlertRow {
    fn new(a: &Alert, viewer: &Viewer, forum_name: String) -> Self {
        Self {
            id: a.id,
            title: a.title.clone(),
            place: place_text(a),
            urgency: a.urgency_label.clone(),
            urgency_code: a.urgency.clone(),
            raised_by: a.raised_by_org_name.clone().or_else(|| a.raised_by_name.clone()).unwrap_or_else(|| "–".into()),
            raised_at_ms: a.created_at_ms,
            open: a.is_open(),
            status: if a.is_open() { "Pågår" } else { "Avslutat" },
            acknowledged: a.recipients.iter().filter(|r| r.acknowledged_at_ms.is_some()).count(),
            recipients: a.recipients.len(),
            first_ack: a.first_ack_ms.map_or_else(|| "inte kvitterat".into(), duration_text),
            forum_name,
            awaits_me: a.awaits(viewer.user_id()),
        }
    }
}

/// The organisations the viewer may raise an alert for in the forum.
fn raising_orgs(v: &Viewer, forum: &Forum) -> Vec<(String, String)> {
    forum
        .members
        .iter()
        .filter(|m| v.role_in(m.id).is_some() && access::allowed(v, Action::RaiseAlert { org: m.id }))
        .map(|m| (m.id.to_string(), m.name.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// A forum's alerts and statistics

#[derive(Template)]
#[template(path = "forum_work/alerts/forum.html")]
struct ForumPage {
    chrome: Chrome,
    forum: Forum,
    alerts: Vec<AlertRow>,
    stats: Stats,
    ack_share: String,
    median: String,
    p90: String,
    may_raise: bool,
}

pub async fn forum_alerts(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let (forum, list, stats) = state
        .store
        .read(move |db| Ok((forum::get(db, &v, id)?, alerts::list(db, &v, id, 200)?, alerts::stats(db, &v, id)?)))
        .await
        .map_err(hidden)?;
    let v = &session.viewer;
    let alerts = list.iter().map(|a| AlertRow::new(a, v, forum.name.clone())).collect();
    html(
        StatusCode::OK,
        ForumPage {
            chrome: Chrome::new(&session, format!("Larm – {}", forum.name), "alerts", &flash),
            may_raise: !raising_orgs(v, &forum).is_empty(),
            ack_share: stats.ack_share.map_or_else(|| "–".into(), percent),
            median: stats.median_first_ack_ms.map_or_else(|| "–".into(), duration_text),
            p90: stats.p90_first_ack_ms.map_or_else(|| "–".into(), duration_text),
            alerts,
            stats,
            forum,
        },
    )
}

// ---------------------------------------------------------------------------------------
// The button: the form and raising

#[derive(Template)]
#[template(path = "forum_work/alerts/new.html")]
struct NewPage {
    chrome: Chrome,
    forum: Forum,
    municipality: Option<String>,
    form: FormView,
    places: Vec<(String, String)>,
    orgs: Vec<(String, String)>,
    urgencies: Vec<(&'static str, &'static str)>,
    place_hint: String,
    /// Who gets the alert, in words.
    recipients: String,
}

/// The order of the form's fields, for the error summary.
const FIELD_ORDER: &[&str] = &["forum_id", "title", "description", "urgency", "area_id", "lat", "lon", "org_id"];

async fn new_page(state: &AppState, session: &Session, id: i64, form: FormView) -> Result<NewPage, PageError> {
    let v = session.viewer.clone();
    let (forum, places): (Forum, Vec<Area>) = state
        .store
        .read(move |db| {
            let forum = forum::get(db, &v, id)?;
            if !v.forum_ids().contains(&forum.id) {
                return Err(StoreError::not_found("forum"));
            }
            let places = match &forum.municipality_code {
                Some(m) => areas::list(db, &v, m)?.into_iter().filter(areas::Area::is_active).collect(),
                None => vec![],
            };
            Ok((forum, places))
        })
        .await
        .map_err(hidden)?;
    let orgs = raising_orgs(&session.viewer, &forum);
    if orgs.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    let me = session.viewer.user_id();
    let contacts: Vec<String> =
        forum.contacts.iter().filter(|c| Some(c.user_id) != me).map(|c| format!("{} ({})", c.name, c.org_name)).collect();
    let recipients = if contacts.is_empty() {
        format!("Forumet har inga andra kontaktpersoner. Larmet går till samordnarna och administratörerna i {}.", forum.convener.name)
    } else {
        format!("Larmet går direkt, i Brygga och med e-post, till forumets kontaktpersoner: {}.", contacts.join(", "))
    };
    let municipality = forum.municipality_code.as_deref().map(municipality_name);
    Ok(NewPage {
        chrome: Chrome::new(session, format!("Larma – {}", forum.name), "alerts", &Flash(None)),
        place_hint: format!(
            "Välj den plats i {} som ligger närmast. Finns den inte i listan: ange position nedan i stället.",
            municipality.as_deref().unwrap_or("kommunen")
        ),
        municipality,
        places: area_options(&places),
        orgs,
        urgencies: AlertUrgency::ALL.iter().map(|u| (u.code(), u.label())).collect(),
        recipients,
        forum,
        form,
    })
}

pub async fn new(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    // The one-time key: a second post of this same form is the same alert.
    let mut form = FormView::empty();
    form.set("key", brygga_store::accounts::auth::random_token(18));
    let mut page = new_page(&state, &session, id, form).await?;
    if let [(only, _)] = page.orgs.as_slice() {
        let only = only.clone();
        page.form.set("org_id", only);
    }
    html(StatusCode::OK, page)
}

/// Reads the form; numbers that cannot be read become field errors (and are left out, so the
/// store still checks everything else).
fn input_from(form: &FormData) -> (AlertInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let mut coordinate = |name: &str| -> Option<f64> {
        let s = form.opt(name)?;
        match s.replace(',', ".").parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            _ => {
                errs.push(FieldError::new(name, "number.invalid", "Koordinaten ska vara ett decimaltal, till exempel 55.3751."));
                None
            }
        }
    };
    let (lat, lon) = (coordinate("lat"), coordinate("lon"));
    let input = AlertInput {
        title: form.get("title").to_owned(),
        description: form.opt("description"),
        urgency: form.get("urgency").trim().to_owned(),
        area_id: form.int("area_id"),
        lat,
        lon,
        org_id: form.int("org_id"),
    };
    (input, errs)
}

/// The one-time key of the form: letters, digits, `-` and `_`, at most 64 characters.
fn one_time_key(form: &FormData) -> Option<String> {
    let k = form.get("key").trim();
    (!k.is_empty() && k.len() <= 64 && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')).then(|| k.to_owned())
}

pub async fn raise(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, parse_errors) = input_from(&form);
    let key = one_time_key(&form);
    let post = state.config.postmark();
    let v = session.viewer.clone();
    let result = state
        .store
        .write(move |db| {
            let prepared = alerts::prepare(db, &v, id, &input);
            // Every problem at once: what could not be read, then what the store refused.
            // A position that could not be read stands in for the store's position messages.
            let mut errors = parse_errors;
            let unreadable_position = !errors.is_empty();
            if let Err(StoreError::Invalid(more)) = &prepared {
                for e in &more.0 {
                    let about_position = matches!(e.field.as_str(), "lat" | "lon") || (e.field == "area_id" && e.code == "required");
                    if errors.get(&e.field).is_none() && !(about_position && unreadable_position) {
                        errors.push(e.clone());
                    }
                }
            }
            if !errors.is_empty() {
                errors.0.sort_by_key(|e| FIELD_ORDER.iter().position(|f| *f == e.field).unwrap_or(FIELD_ORDER.len()));
                return Err(StoreError::Invalid(errors));
            }
            alerts::raise(db, &v, &prepared?, key.as_deref(), &post)
        })
        .await;
    match result {
        Ok(r) => {
            // The e-mails are committed: send them now rather than at the workers' next poll.
            state.store.wake_workers();
            Ok(Redirect::to(&format!("/larm/{}?klart=larm-skickat", r.alert.id)).into_response())
        }
        Err(StoreError::Invalid(errors)) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, new_page(&state, &session, id, FormView::submitted(&form, errors)).await?)
        }
        Err(e) => Err(hidden(e)),
    }
}

// ---------------------------------------------------------------------------------------
// Open alerts in all my forums

#[derive(Template)]
#[template(path = "forum_work/alerts/list.html")]
struct ListPage {
    chrome: Chrome,
    alerts: Vec<AlertRow>,
    /// The viewer's forums where the viewer may press the button.
    forums: Vec<(i64, String)>,
}

pub async fn open_alerts(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let (open, all) = state.store.read(move |db| Ok((alerts::open_for(db, &v)?, forum::list(db, &v)?))).await?;
    let v = &session.viewer;
    let name = |id: i64| all.iter().find(|f| f.id == id).map_or_else(String::new, |f| f.name.clone());
    let mut rows: Vec<AlertRow> = open.iter().map(|a| AlertRow::new(a, v, name(a.forum_id))).collect();
    // Those awaiting my acknowledgement first, each group newest first (as listed).
    rows.sort_by_key(|r| !r.awaits_me);
    let forums = all
        .iter()
        .filter(|f| v.forum_ids().contains(&f.id) && f.municipality_code.is_some() && !raising_orgs(v, f).is_empty())
        .map(|f| (f.id, f.name.clone()))
        .collect();
    html(StatusCode::OK, ListPage { chrome: Chrome::new(&session, "Larm", "alerts", &flash), alerts: rows, forums })
}

// ---------------------------------------------------------------------------------------
// One alert: acknowledging and closing

pub struct RecipientRow {
    pub name: String,
    pub org: String,
    pub acknowledged_at_ms: Option<i64>,
    /// Time from raising to this acknowledgement.
    pub after: String,
}

#[derive(Template)]
#[template(path = "forum_work/alerts/show.html")]
struct ShowPage {
    chrome: Chrome,
    alert: Alert,
    row: AlertRow,
    forum: Forum,
    recipients: Vec<RecipientRow>,
    /// Just raised: say how many were notified.
    just_raised: bool,
    may_acknowledge: bool,
    may_close: bool,
    form: FormView,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    klart: Option<String>,
}

async fn show_page(
    state: &AppState,
    session: &Session,
    id: i64,
    flash: &Flash,
    form: FormView,
    just_raised: bool,
) -> Result<ShowPage, PageError> {
    let v = session.viewer.clone();
    let (alert, forum) = state
        .store
        .read(move |db| {
            let a = alerts::get(db, &v, id)?;
            let f = forum::get(db, &v, a.forum_id)?;
            Ok((a, f))
        })
        .await
        .map_err(hidden)?;
    let v = &session.viewer;
    let me = v.user_id();
    let may_close = alert.is_open()
        && (alert.raised_by_user_id.is_some_and(|u| Some(u) == me)
            || alert.recipients.iter().any(|r| Some(r.user_id) == me)
            || access::allowed(v, Action::RunMeeting { org: forum.convener.id }));
    let recipients = alert
        .recipients
        .iter()
        .map(|r| RecipientRow {
            name: r.name.clone(),
            org: r.org_name.clone().unwrap_or_default(),
            acknowledged_at_ms: r.acknowledged_at_ms,
            after: r.acknowledged_at_ms.map(|t| duration_text(t - alert.created_at_ms)).unwrap_or_default(),
        })
        .collect();
    Ok(ShowPage {
        chrome: Chrome::new(session, format!("Larm: {}", alert.title), "alerts", flash),
        row: AlertRow::new(&alert, v, forum.name.clone()),
        may_acknowledge: alert.is_open() && alert.awaits(me),
        may_close,
        recipients,
        just_raised,
        form,
        alert,
        forum,
    })
}

pub async fn show(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    flash: Flash,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let just_raised = q.klart.as_deref() == Some("larm-skickat");
    html(StatusCode::OK, show_page(&state, &session, id, &flash, FormView::empty(), just_raised).await?)
}

pub async fn acknowledge(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| alerts::acknowledge(db, &v, id)).await.map_err(|e| match e {
        StoreError::Forbidden => PageError(AppError::BadRequest(
            "Bara de som fått larmet kan kvittera det. Du kan läsa larmet och, om du får, avsluta det.".into(),
        )),
        other => hidden(other),
    })?;
    Ok(Redirect::to(&format!("/larm/{id}?klart=kvitterat")).into_response())
}

pub async fn close(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let summary = form.get("summary").to_owned();
    match state.store.write(move |db| alerts::close(db, &v, id, &summary)).await {
        Ok(_) => Ok(Redirect::to(&format!("/larm/{id}?klart=larm-avslutat")).into_response()),
        Err(StoreError::Invalid(errors)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            show_page(&state, &session, id, &Flash(None), FormView::submitted(&form, errors), false).await?,
        ),
        Err(e) => Err(hidden(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_swedes_write_them() {
        assert_eq!(duration_text(20_000), "under 1 min");
        assert_eq!(duration_text(4 * 60_000 + 30_000), "4 min");
        assert_eq!(duration_text(60 * 60_000), "1 tim");
        assert_eq!(duration_text(65 * 60_000), "1 tim 5 min");
        assert_eq!(duration_text((2 * 1440 + 180) * 60_000), "2 dygn 3 tim");
        assert_eq!(percent(0.8333), "83\u{a0}%");
    }

    #[test]
    fn the_one_time_key_is_checked() {
        let f = |k: &str| FormData(vec![("key".into(), k.into())]);
        assert_eq!(one_time_key(&f("abc-DEF_123")), Some("abc-DEF_123".into()));
        assert_eq!(one_time_key(&f("")), None);
        assert_eq!(one_time_key(&f("a b")), None);
        assert_eq!(one_time_key(&f(&"x".repeat(65))), None);
    }

    #[test]
    fn unreadable_coordinates_are_field_errors() {
        let form = FormData(vec![("title".into(), "Brand".into()), ("lat".into(), "55,37".into()), ("lon".into(), "öst".into())]);
        let (input, errs) = input_from(&form);
        assert_eq!(input.lat, Some(55.37));
        assert_eq!(input.lon, None);
        assert_eq!(errs.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["lon"]);
    }
}
