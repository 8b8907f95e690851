//! The organisation's own forms: its directory profile, a new offer, changing an offer, marking it
//! verified, importing HSDS. The store decides who may (`Action::EditDirectory`); a refused form
//! comes back with what was sent and every problem beside its field.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::actors::hsds;
use brygga_store::actors::offers::{self, Offer, OfferInput, STATUSES, ScheduleInput};
use brygga_store::actors::profile::{self, Profile, ProfileInput};
use brygga_store::kernel::error::checked_with;

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::PageResult;
use crate::kit::i18n::filters;
use crate::kit::options::{language_options, target_group_options, theme_options, weekday_options};
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted};

/// Schedule rows shown on the form (empty rows are ignored).
pub const FORM_SCHEDULES: usize = 4;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/katalog/organisationer/{id}/profil", get(profile_form).post(profile_save))
        .route("/katalog/organisationer/{id}/erbjudanden/nytt", get(new_offer).post(create_offer))
        .route("/katalog/erbjudanden/{id}/andra", get(edit_offer).post(update_offer))
        .route("/katalog/erbjudanden/{id}/kontrollerad", post(verify))
        .route("/katalog/organisationer/{id}/hsds", get(import_form).post(import))
}

#[derive(Template)]
#[template(path = "directory/profile_form.html")]
struct ProfileForm {
    chrome: Chrome,
    org_id: i64,
    org_name: String,
    form: FormView,
    themes: Vec<(String, String)>,
    target_groups: Vec<(String, String)>,
    languages: Vec<(String, String)>,
    areas: Vec<(String, String)>,
}

async fn profile_page(state: &AppState, session: &Session, org_id: i64, form: FormView, status: StatusCode) -> PageResult {
    let v = session.viewer.clone();
    let (p, areas) = state
        .store
        .read(move |db| {
            let p = profile::get(db, &v, org_id)?;
            let mut areas = Vec::new();
            for m in &p.organisation.municipalities {
                for a in brygga_store::places::areas::list(db, &v, m)?.into_iter().filter(|a| a.is_active()) {
                    areas.push((a.id.to_string(), a.name.clone()));
                }
            }
            Ok((p, areas))
        })
        .await?;
    html(
        status,
        ProfileForm {
            chrome: Chrome::new(session, format!("Katalogprofil: {}", p.organisation.name), "directory", &Flash(None)),
            org_id,
            org_name: p.organisation.name.clone(),
            form,
            themes: theme_options(),
            target_groups: target_group_options(),
            languages: language_options(),
            areas,
        },
    )
}

fn profile_values(p: &Profile) -> FormView {
    let mut f = FormView::empty();
    for t in &p.themes {
        f.add("themes", t.clone());
    }
    for t in &p.target_groups {
        f.add("target_groups", t.clone());
    }
    for t in &p.languages {
        f.add("languages", t.clone());
    }
    for a in &p.areas {
        f.add("area_ids", a.id.to_string());
    }
    f.set("contact_email", p.contact_email.clone().unwrap_or_default())
        .set("contact_phone", p.contact_phone.clone().unwrap_or_default())
        .set("version", p.version.to_string());
    if p.organisation.public_profile {
        f.set("public_profile", "on");
    }
    f
}

async fn profile_form(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let p = state.store.read(move |db| profile::get(db, &v, id)).await?;
    profile_page(&state, &session, id, profile_values(&p), StatusCode::OK).await
}

async fn profile_save(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut unread = FieldErrors::new();
    let area_ids = form
        .all("area_ids")
        .iter()
        .filter_map(|a| match a.parse::<i64>() {
            Ok(a) => Some(a),
            Err(_) => {
                unread.push(FieldError::new("area_ids", "area.invalid", "Välj områden i listan."));
                None
            }
        })
        .collect();
    let input = ProfileInput {
        themes: form.all("themes"),
        target_groups: form.all("target_groups"),
        languages: form.all("languages"),
        contact_email: form.opt("contact_email"),
        contact_phone: form.opt("contact_phone"),
        area_ids,
        public_profile: form.checked("public_profile"),
        version: form.int("version"),
    };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| checked_with(unread, profile::update(db, &v, id, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/katalog/organisationer/{id}?klart=sparad")).into_response()),
        Submitted::Refused(view) => profile_page(&state, &session, id, view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Template)]
#[template(path = "directory/offer_form.html")]
struct OfferForm {
    chrome: Chrome,
    action: String,
    org_id: i64,
    org_name: String,
    heading: String,
    form: FormView,
    themes: Vec<(String, String)>,
    target_groups: Vec<(String, String)>,
    municipalities: Vec<(String, String)>,
    areas: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    weekdays: Vec<(String, String)>,
    rows: Vec<usize>,
}

async fn offer_page(
    state: &AppState,
    session: &Session,
    org_id: i64,
    existing: Option<i64>,
    form: FormView,
    status: StatusCode,
) -> PageResult {
    let v = session.viewer.clone();
    let (p, areas) = state
        .store
        .read(move |db| {
            let p = profile::get(db, &v, org_id)?;
            let mut areas = Vec::new();
            for m in &p.organisation.municipalities {
                for a in brygga_store::places::areas::list(db, &v, m)?.into_iter().filter(|a| a.is_active()) {
                    areas.push((a.id.to_string(), a.name.clone()));
                }
            }
            Ok((p, areas))
        })
        .await?;
    let municipalities = p
        .organisation
        .municipalities
        .iter()
        .map(|c| (c.clone(), brygga_domain::geography::municipality(c).map_or(c.clone(), |m| m.name.to_owned())))
        .collect();
    let (action, heading) = match existing {
        Some(id) => (format!("/katalog/erbjudanden/{id}/andra"), "Ändra erbjudandet".to_owned()),
        None => (format!("/katalog/organisationer/{org_id}/erbjudanden/nytt"), "Nytt erbjudande".to_owned()),
    };
    html(
        status,
        OfferForm {
            chrome: Chrome::new(session, heading.clone(), "directory", &Flash(None)),
            action,
            org_id,
            org_name: p.organisation.name.clone(),
            heading,
            form,
            themes: theme_options(),
            target_groups: target_group_options(),
            municipalities,
            areas,
            statuses: STATUSES.iter().map(|(c, l)| (c.to_string(), l.to_string())).collect(),
            weekdays: weekday_options(),
            rows: (0..FORM_SCHEDULES).collect(),
        },
    )
}

fn offer_values(o: &Offer) -> FormView {
    let mut f = FormView::empty();
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    f.set("name", o.name.clone())
        .set("description", opt(&o.description))
        .set("age_from", num(o.age_from))
        .set("age_to", num(o.age_to))
        .set("municipality_code", o.municipality_code.clone())
        .set("area_id", num(o.area_id))
        .set("place_name", opt(&o.place_name))
        .set("cost_text", opt(&o.cost_text))
        .set("eligibility", opt(&o.eligibility))
        .set("how_to_join", opt(&o.how_to_join))
        .set("contact_email", opt(&o.contact_email))
        .set("contact_phone", opt(&o.contact_phone))
        .set("contact_url", opt(&o.contact_url))
        .set("status", o.status.clone())
        .set("verification_interval_days", o.verification_interval_days.to_string())
        .set("version", o.version.to_string());
    if o.area_id.is_none() {
        // The position shown is the place's own (an area's centre is not sent back).
        f.set("lat", o.lat.map(|x| x.to_string()).unwrap_or_default()).set("lon", o.lon.map(|x| x.to_string()).unwrap_or_default());
    }
    for t in &o.themes {
        f.add("themes", t.clone());
    }
    for t in &o.target_groups {
        f.add("target_groups", t.clone());
    }
    if o.free {
        f.set("free", "on");
    }
    if o.published {
        f.set("published", "on");
    }
    for (i, s) in o.schedules.iter().enumerate() {
        f.set(&format!("schedules[{i}].weekday"), s.weekday.to_string())
            .set(&format!("schedules[{i}].opens_at"), s.opens_at.clone())
            .set(&format!("schedules[{i}].closes_at"), s.closes_at.clone())
            .set(&format!("schedules[{i}].valid_from"), opt(&s.valid_from))
            .set(&format!("schedules[{i}].valid_to"), opt(&s.valid_to));
    }
    f
}

/// Reads the offer form: what could not even be read (a number that is not one) is in the errors.
fn offer_input(form: &FormData) -> (OfferInput, FieldErrors) {
    let mut unread = FieldErrors::new();
    let mut int = |name: &str, what: &str| -> Option<i64> {
        let raw = form.get(name).trim();
        if raw.is_empty() {
            return None;
        }
        raw.parse()
            .map_err(|_| unread.push(FieldError::new(name, "number.invalid", format!("”{raw}” är inget heltal. Skriv {what}."))))
            .ok()
    };
    let age_from = int("age_from", "en ålder i hela år");
    let age_to = int("age_to", "en ålder i hela år");
    let area_id = int("area_id", "ett område ur listan");
    let interval = int("verification_interval_days", "antal dagar, till exempel 180");
    let mut real = |name: &str| -> Option<f64> {
        let raw = form.get(name).trim().replace(',', ".");
        if raw.is_empty() {
            return None;
        }
        raw.parse()
            .map_err(|_| {
                unread.push(FieldError::new("lat", "position.invalid", "Skriv positionen i decimalgrader, till exempel 56,159 och 13,766."))
            })
            .ok()
    };
    let lat = real("lat");
    let lon = real("lon");
    let mut schedules = Vec::new();
    for i in 0..FORM_SCHEDULES.max(form.0.iter().filter(|(k, _)| k.ends_with(".weekday")).count()) {
        let get = |f: &str| form.get(&format!("schedules[{i}].{f}")).trim().to_owned();
        let (day, opens, closes) = (get("weekday"), get("opens_at"), get("closes_at"));
        if day.is_empty() && opens.is_empty() && closes.is_empty() {
            continue;
        }
        let weekday = day.parse().unwrap_or(0);
        let opt = |s: String| Some(s).filter(|s| !s.is_empty());
        schedules.push(ScheduleInput {
            weekday,
            opens_at: opens,
            closes_at: closes,
            valid_from: opt(get("valid_from")),
            valid_to: opt(get("valid_to")),
        });
    }
    let input = OfferInput {
        name: form.get("name").to_owned(),
        description: form.opt("description"),
        age_from,
        age_to,
        themes: form.all("themes"),
        target_groups: form.all("target_groups"),
        municipality_code: form.get("municipality_code").to_owned(),
        area_id,
        place_name: form.opt("place_name"),
        lat,
        lon,
        free: form.checked("free"),
        cost_text: form.opt("cost_text"),
        eligibility: form.opt("eligibility"),
        how_to_join: form.opt("how_to_join"),
        contact_email: form.opt("contact_email"),
        contact_phone: form.opt("contact_phone"),
        contact_url: form.opt("contact_url"),
        status: form.opt("status"),
        published: form.checked("published"),
        verification_interval_days: interval,
        schedules,
    };
    (input, unread)
}

async fn new_offer(State(state): State<AppState>, SignedIn(session): SignedIn, Path(org_id): Path<i64>) -> PageResult {
    let mut f = FormView::empty();
    f.set("status", "active").set("verification_interval_days", offers::DEFAULT_INTERVAL_DAYS.to_string());
    if let Some(m) = session.viewer.memberships().iter().find(|m| m.org_id == org_id).and_then(|m| m.municipalities.first()) {
        f.set("municipality_code", m.clone());
    }
    offer_page(&state, &session, org_id, None, f, StatusCode::OK).await
}

async fn create_offer(State(state): State<AppState>, Path(org_id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, unread) = offer_input(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| checked_with(unread, offers::create(db, &v, org_id, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(o) => Ok(Redirect::to(&format!("/katalog/erbjudanden/{}?klart=skapad", o.id)).into_response()),
        Submitted::Refused(view) => offer_page(&state, &session, org_id, None, view, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

async fn edit_offer(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let o = state.store.read(move |db| offers::get(db, &v, id)).await?;
    brygga_store::kernel::access::require(&session.viewer, brygga_store::Action::EditDirectory { org: o.org_id })?;
    offer_page(&state, &session, o.org_id, Some(id), offer_values(&o), StatusCode::OK).await
}

async fn update_offer(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, unread) = offer_input(&form);
    let version = form.int("version");
    let v = session.viewer.clone();
    let result = state.store.write(move |db| checked_with(unread, offers::update(db, &v, id, version, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(o) => Ok(Redirect::to(&format!("/katalog/erbjudanden/{}?klart=sparad", o.id)).into_response()),
        Submitted::Refused(view) => {
            let v = session.viewer.clone();
            let o = state.store.read(move |db| offers::get(db, &v, id)).await?;
            offer_page(&state, &session, o.org_id, Some(id), view, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn verify(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let today = brygga_domain::time::today();
    let o = state.store.write(move |db| offers::verify(db, &v, id, today)).await?;
    Ok(Redirect::to(&format!("/katalog/erbjudanden/{}?klart=kontrollerad", o.id)).into_response())
}

#[derive(Template)]
#[template(path = "directory/import.html")]
struct ImportForm {
    chrome: Chrome,
    org_id: i64,
    form: FormView,
}

async fn import_form(State(_state): State<AppState>, SignedIn(session): SignedIn, Path(org_id): Path<i64>) -> PageResult {
    brygga_store::kernel::access::require(&session.viewer, brygga_store::Action::EditDirectory { org: org_id })?;
    html(
        StatusCode::OK,
        ImportForm {
            chrome: Chrome::new(&session, "Importera erbjudanden (HSDS)", "directory", &Flash(None)),
            org_id,
            form: FormView::empty(),
        },
    )
}

async fn import(State(state): State<AppState>, Path(org_id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let body = form.get("file").to_owned();
    let v = session.viewer.clone();
    let result = state.store.write(move |db| hsds::import(db, &v, org_id, &body)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/katalog/organisationer/{org_id}?klart=importerad")).into_response()),
        Submitted::Refused(view) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            ImportForm { chrome: Chrome::new(&session, "Importera erbjudanden (HSDS)", "directory", &Flash(None)), org_id, form: view },
        ),
    }
}
