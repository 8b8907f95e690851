//! Pågående insatser: the register (the list the viewer may read), registering and changing
//! an intervention, one intervention with its overlap hints, the viewer's organisations' hints,
//! and the helhetsbild of a municipality (a map of its areas shaded by how many readable
//! interventions name them, and the list with overlaps marked).
//!
//! Paths: `/insatser`, `/insatser/ny`, `/insatser/overlapp`, `/insatser/kommun/{code}`
//! (`?omrade=`), `/insatser/{id}` (`/redigera`, `/ta-bort`). An intervention the viewer may not
//! read is 404; who may write is the store's.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::actors::{TARGET_GROUPS, THEMES};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::actors::interventions::{self, Intervention, InterventionInput, ListFilter, RECURRENCES, STATUSES};
use brygga_store::actors::overlap::{self, Hint};
use brygga_store::places::areas;
use brygga_store::{Conn, StoreResult, Viewer};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted, version_of};
use crate::kit::svg::map::{self, MapArea, MapOptions, Shading};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/insatser", get(list))
        .route("/insatser/ny", get(new).post(create))
        .route("/insatser/overlapp", get(hints))
        .route("/insatser/kommun/{code}", get(overview))
        .route("/insatser/{id}", get(show))
        .route("/insatser/{id}/redigera", get(edit).post(update))
        .route("/insatser/{id}/ta-bort", post(delete))
}

type Options = Vec<(String, String)>;

fn pairs(list: &[(&str, &str)]) -> Options {
    list.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())).collect()
}

/// The municipalities the viewer's organisations work in (for links and the form).
fn municipalities(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Options> {
    brygga_store::plans::plan::claimed_municipalities(db, v)
}

// ---------------------------------------------------------------------------------------
// The register

#[derive(Template)]
#[template(path = "actors/interventions/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Intervention>,
    municipalities: Options,
    can_create: bool,
    hint_count: usize,
}

async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let (items, municipalities, hint_count, owners) = state
        .store
        .read(move |db| {
            Ok((
                interventions::list(db, &v, &ListFilter::default())?,
                municipalities(db, &v)?,
                overlap::hints(db, &v, None)?.len(),
                interventions::owner_choices(db, &v)?.len(),
            ))
        })
        .await?;
    html(
        StatusCode::OK,
        ListPage {
            chrome: Chrome::new(&session, "Pågående insatser", "interventions", &flash),
            items,
            municipalities,
            can_create: owners > 0,
            hint_count,
        },
    )
}

// ---------------------------------------------------------------------------------------
// New and edit

#[derive(Template)]
#[template(path = "actors/interventions/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    form: FormView,
    editing: bool,
    owners: Options,
    municipalities: Options,
    areas: Options,
    partners: Options,
    themes: Options,
    target_groups: Options,
    recurrences: Options,
    statuses: Options,
    forums: Options,
    /// The methods of the library (`/metoder`).
    methods: Options,
}

fn ids(form: &FormData, field: &str, errs: &mut FieldErrors) -> Vec<i64> {
    let mut out = Vec::new();
    for raw in form.all(field) {
        match raw.parse::<i64>() {
            Ok(id) => out.push(id),
            Err(_) => errs.push(FieldError::new(field, "invalid", "Ett av valen är ogiltigt. Ladda om sidan och välj igen.")),
        }
    }
    out
}

fn opt_int(form: &FormData, field: &str, what: &str, errs: &mut FieldErrors) -> Option<i64> {
    let raw = form.opt(field)?;
    match raw.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(
                field,
                "invalid",
                format!("”{raw}” är inget heltal. Skriv {what} med siffror, till exempel 13, eller lämna fältet tomt."),
            ));
            None
        }
    }
}

fn opt_float(form: &FormData, field: &str, errs: &mut FieldErrors) -> Option<f64> {
    let raw = form.opt(field)?;
    match raw.trim().replace(',', ".").parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(
                field,
                "invalid",
                format!("”{raw}” är inget tal. Skriv koordinaten som 55,3751, eller lämna fältet tomt."),
            ));
            None
        }
    }
}

fn input_of(form: &FormData) -> (InterventionInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let input = InterventionInput {
        title: form.get("title").to_owned(),
        description: form.get("description").to_owned(),
        method: form.opt("method"),
        method_id: opt_int(form, "method_id", "metoden", &mut errs),
        owner_org_id: form.opt("owner_org_id").and_then(|s| s.parse().ok()),
        partner_org_ids: ids(form, "partner_org_ids", &mut errs),
        municipality_codes: form.all("municipality_codes"),
        area_ids: ids(form, "area_ids", &mut errs),
        lat: opt_float(form, "lat", &mut errs),
        lon: opt_float(form, "lon", &mut errs),
        period_from: form.opt("period_from"),
        period_to: form.opt("period_to"),
        recurrence: form.opt("recurrence"),
        age_from: opt_int(form, "age_from", "åldern", &mut errs),
        age_to: opt_int(form, "age_to", "åldern", &mut errs),
        themes: form.all("themes"),
        target_groups: form.all("target_groups"),
        funder: form.opt("funder"),
        funding_from: form.opt("funding_from"),
        funding_to: form.opt("funding_to"),
        contact: form.opt("contact"),
        status: form.opt("status"),
        visibility: form.opt("visibility"),
        forum_id: form.opt("forum_id").and_then(|s| s.parse().ok()),
        discoverable: form.checked("discoverable"),
    };
    (input, errs)
}

fn values_of(i: &Intervention) -> FormView {
    let mut f = FormView::empty();
    f.set("title", i.title.clone())
        .set("description", i.description.clone())
        .set("method", i.method.clone().unwrap_or_default())
        .set("method_id", i.method_id.map(|x| x.to_string()).unwrap_or_default())
        .set("period_from", i.period_from.clone())
        .set("period_to", i.period_to.clone().unwrap_or_default())
        .set("recurrence", i.recurrence.code.clone())
        .set("age_from", i.age_from.map(|a| a.to_string()).unwrap_or_default())
        .set("age_to", i.age_to.map(|a| a.to_string()).unwrap_or_default())
        .set("funder", i.funder.clone().unwrap_or_default())
        .set("funding_from", i.funding_from.clone().unwrap_or_default())
        .set("funding_to", i.funding_to.clone().unwrap_or_default())
        .set("contact", i.contact.clone().unwrap_or_default())
        .set("lat", i.lat.map(|x| x.to_string()).unwrap_or_default())
        .set("lon", i.lon.map(|x| x.to_string()).unwrap_or_default())
        .set("status", i.status.code.clone())
        .set("visibility", i.visibility.clone())
        .set("forum_id", i.forum_id.map(|x| x.to_string()).unwrap_or_default())
        .set("version", i.version.to_string());
    if i.discoverable {
        f.set("discoverable", "on");
    }
    for m in &i.municipalities {
        f.add("municipality_codes", m.code.clone());
    }
    for a in &i.areas {
        f.add("area_ids", a.id.to_string());
    }
    for p in &i.partners {
        f.add("partner_org_ids", p.id.to_string());
    }
    for t in &i.themes {
        f.add("themes", t.code.clone());
    }
    for t in &i.target_groups {
        f.add("target_groups", t.code.clone());
    }
    f
}

async fn form_page(state: &AppState, session: &Session, form: FormView, editing: Option<&Intervention>) -> Result<FormPage, PageError> {
    let v = session.viewer.clone();
    let (owners, municipalities, areas, partners, forums, methods) = state
        .store
        .read(move |db| {
            let owners: Options = interventions::owner_choices(db, &v)?.into_iter().map(|o| (o.id.to_string(), o.name)).collect();
            let munis = municipalities(db, &v)?;
            let mut areas_opts = Vec::new();
            let mut partners: Options = Vec::new();
            for (code, name) in &munis {
                for a in areas::list(db, &v, code)?.into_iter().filter(|a| a.is_active()) {
                    areas_opts.push((a.id.to_string(), format!("{} ({name})", a.name)));
                }
                for (id, org, _) in brygga_store::agreements::agreement::party_choices(db, code)? {
                    if !partners.iter().any(|(i, _)| *i == id.to_string()) {
                        partners.push((id.to_string(), org));
                    }
                }
            }
            partners.sort_by_cached_key(|(_, n)| brygga_store::sort_key(n));
            let forums = brygga_store::forums::forum::list(db, &v)?.into_iter().map(|f| (f.id.to_string(), f.name)).collect();
            let methods = brygga_store::knowledge::methods::choices(db)?.into_iter().map(|(id, n)| (id.to_string(), n)).collect();
            Ok((owners, munis, areas_opts, partners, forums, methods))
        })
        .await?;
    let (heading, action, cancel) = match editing {
        Some(i) => (format!("Ändra: {}", i.title), format!("/insatser/{}/redigera", i.id), format!("/insatser/{}", i.id)),
        None => ("Registrera en insats".to_owned(), "/insatser/ny".to_owned(), "/insatser".to_owned()),
    };
    Ok(FormPage {
        chrome: Chrome::new(session, heading.clone(), "interventions", &Flash(None)),
        heading,
        action,
        cancel,
        form,
        editing: editing.is_some(),
        owners,
        municipalities,
        areas,
        partners,
        themes: pairs(THEMES),
        target_groups: pairs(TARGET_GROUPS),
        recurrences: pairs(RECURRENCES),
        statuses: pairs(STATUSES),
        forums,
        methods,
    })
}

async fn new(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    let mut view = FormView::empty();
    view.set("status", "ongoing").set("recurrence", "weekly").set("visibility", "organisation");
    let page = form_page(&state, &session, view, None).await?;
    if page.owners.is_empty() {
        return Err(crate::kit::error::AppError::Forbidden.into());
    }
    html(StatusCode::OK, page)
}

async fn create(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, unread) = input_of(&form);
    let v = session.viewer.clone();
    let result =
        state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, interventions::create(db, &v, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(i) => Ok(Redirect::to(&format!("/insatser/{}?klart=skapad", i.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &session, view, None).await?),
    }
}

async fn load(state: &AppState, v: &Viewer, id: i64) -> PageResult<Intervention> {
    let v = v.clone();
    Ok(state.store.read(move |db| interventions::get(db, &v, id)).await?)
}

async fn edit(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let i = load(&state, &session.viewer, id).await?;
    html(StatusCode::OK, form_page(&state, &session, values_of(&i), Some(&i)).await?)
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
        .write(move |db| brygga_store::kernel::error::checked_with(unread, interventions::edit(db, &v, id, version, &input)))
        .await;
    match submitted(&form, result)? {
        Submitted::Done(i) => Ok(Redirect::to(&format!("/insatser/{}?klart=sparad", i.id)).into_response()),
        Submitted::Refused(view) => {
            let i = load(&state, &session.viewer, id).await?;
            html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &session, view, Some(&i)).await?)
        }
    }
}

async fn delete(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| interventions::delete(db, &v, id)).await?;
    Ok(Redirect::to("/insatser?klart=borttagen").into_response())
}

// ---------------------------------------------------------------------------------------
// One intervention

#[derive(Template)]
#[template(path = "actors/interventions/show.html")]
struct ShowPage {
    chrome: Chrome,
    i: Intervention,
    hints: Vec<Hint>,
    can_write: bool,
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let (i, hints) = state
        .store
        .read(move |db| {
            let i = interventions::get(db, &v, id)?;
            let hints = overlap::hints(db, &v, Some(id))?;
            Ok((i, hints))
        })
        .await?;
    let can_write = brygga_store::kernel::access::allowed(&session.viewer, brygga_store::Action::WriteIntervention { org: i.owner.id });
    html(StatusCode::OK, ShowPage { chrome: Chrome::new(&session, i.title.clone(), "interventions", &flash), i, hints, can_write })
}

// ---------------------------------------------------------------------------------------
// Hints

#[derive(Template)]
#[template(path = "actors/interventions/hints.html")]
struct HintsPage {
    chrome: Chrome,
    hints: Vec<Hint>,
}

async fn hints(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let hints = state.store.read(move |db| overlap::hints(db, &v, None)).await?;
    html(StatusCode::OK, HintsPage { chrome: Chrome::new(&session, "Överlappande insatser", "interventions", &flash), hints })
}

// ---------------------------------------------------------------------------------------
// Helhetsbild

#[derive(Template)]
#[template(path = "actors/interventions/overview.html")]
struct OverviewPage {
    chrome: Chrome,
    municipality: String,
    code: String,
    area: Option<(i64, String)>,
    map: String,
    /// (intervention, titles of the listed interventions it overlaps).
    items: Vec<(Intervention, Vec<String>)>,
}

#[derive(Deserialize)]
struct OverviewQuery {
    omrade: Option<i64>,
}

async fn overview(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
    Query(q): Query<OverviewQuery>,
    flash: Flash,
) -> PageResult {
    let v = session.viewer.clone();
    let c = code.clone();
    let (name, all_areas, list, pairs) = state
        .store
        .read(move |db| {
            let name = interventions::municipality_name(db, &c)?.ok_or(brygga_store::StoreError::not_found("municipality"))?;
            let all_areas = areas::list(db, &v, &c)?;
            let f = ListFilter { municipality: Some(c.clone()), area_id: q.omrade, current: true, ..Default::default() };
            let list = interventions::list(db, &v, &f)?;
            let ids: Vec<i64> = list.iter().map(|i| i.id).collect();
            let pairs = overlap::pairs_among(db, &ids)?;
            Ok((name, all_areas, list, pairs))
        })
        .await?;
    let area = q.omrade.and_then(|id| all_areas.iter().find(|a| a.id == id).map(|a| (a.id, a.name.clone())));
    let counts: Vec<(usize, String)> = all_areas
        .iter()
        .map(|a| {
            let n = list.iter().filter(|i| i.areas.iter().any(|x| x.id == a.id)).count();
            (n, if n == 1 { "1 insats".to_owned() } else { format!("{n} insatser") })
        })
        .collect();
    let shapes: Vec<MapArea<'_>> = all_areas
        .iter()
        .zip(&counts)
        .map(|(a, (n, text))| {
            let m = MapArea::from_area(a).link(format!("/insatser/kommun/{code}?omrade={}", a.id)).value(*n as f64, text.clone());
            if area.as_ref().is_some_and(|(id, _)| *id == a.id) { m.emphasised() } else { m }
        })
        .collect();
    let description = format!(
        "Platserna i {name}, färgade efter hur många pågående insatser som du kan läsa som nämner platsen. Samma siffror finns i listan under kartan."
    );
    let map = map::area_map(
        &shapes,
        &MapOptions {
            id: "insatskarta",
            title: "Insatser per plats",
            description: &description,
            shading: Shading::Counts,
            legend_title: "Antal insatser",
            frame: map::municipality_frame(&code),
            name_labels: true,
            drawable: false,
            tiles: map::tiles(),
        },
    );
    let items = list
        .iter()
        .map(|i| {
            let others: Vec<String> = pairs
                .iter()
                .filter_map(|(lo, hi, _)| {
                    let other = if *lo == i.id {
                        Some(*hi)
                    } else if *hi == i.id {
                        Some(*lo)
                    } else {
                        None
                    }?;
                    list.iter().find(|x| x.id == other).map(|x| x.title.clone())
                })
                .collect();
            (i.clone(), others)
        })
        .collect();
    html(
        StatusCode::OK,
        OverviewPage {
            chrome: Chrome::new(&session, format!("Helhetsbild: {name}"), "interventions", &flash),
            municipality: name,
            code,
            area,
            map,
            items,
        },
    )
}
