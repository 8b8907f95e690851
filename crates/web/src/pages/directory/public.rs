//! The public directory pages: readable without login; a signed-in viewer sees the same
//! directory (the organisation's own users also see its unpublished offers on its page).

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use brygga_domain::FieldErrors;
use brygga_store::actors::codes::{self, List};
use brygga_store::actors::directory::{self, FilterInput, Listed, Listing};
use brygga_store::actors::offers::{self, Offer};
use brygga_store::actors::profile::{self, Profile};
use brygga_store::{Action, Viewer, kernel::access};

use crate::AppState;
use crate::kit::auth::{MaybeSession, Session};
use crate::kit::error::{AppError, PageResult};
use crate::kit::export::disposition;
use crate::kit::i18n::filters;
use crate::kit::options;
use crate::kit::page::{Chrome, Flash, FormView, html};
use crate::kit::svg::map::{self, MapArea, MapOptions};

/// The most offers drawn on the directory's map; a wider search shows the list and asks to narrow it.
pub const MAP_MAX_POINTS: i64 = 400;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/katalog", get(index))
        .route("/katalog/katalog.csv", get(export_csv))
        .route("/katalog/katalog.geojson", get(export_geojson))
        .route("/katalog/hsds.json", get(export_hsds))
        .route("/katalog/organisationer/{id}", get(organisation))
        .route("/katalog/erbjudanden/{id}", get(offer))
}

/// The three demo municipalities first, then every other municipality of their county (Skåne):
/// the directory's municipality choice.
pub fn municipality_options() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> =
        brygga_domain::geography::municipalities_in_county("12").map(|m| (m.code.to_owned(), m.name.to_owned())).collect();
    all.sort_by_key(|(_, n)| brygga_store::sort_key(n));
    all
}

fn chrome(session: &Option<Session>, title: impl Into<String>, flash: &Flash) -> Chrome {
    match session {
        Some(s) => Chrome::new(s, title, "directory", flash),
        None => Chrome { active: "directory", ..Chrome::anonymous(title) },
    }
}

/// `"Idrott och rörelse, Kultur och skapande"`.
pub fn labels(list: List, codes_: &[String]) -> String {
    codes_.iter().map(|c| list.label(c).unwrap_or(c)).collect::<Vec<_>>().join(", ")
}

/// An offer as a listing row shows it.
pub struct Row {
    pub o: Offer,
    pub themes: String,
    pub times: Vec<String>,
}

impl Row {
    fn of(o: Offer) -> Self {
        Self { themes: labels(List::Themes, &o.themes), times: o.schedules.iter().map(|s| s.describe()).collect(), o }
    }
}

#[derive(Template)]
#[template(path = "directory/index.html")]
struct IndexPage {
    chrome: Chrome,
    form: FormView,
    listing: Option<Listing>,
    rows: Vec<Row>,
    organisations: Vec<Listed>,
    municipalities: Vec<(String, String)>,
    themes: Vec<(String, String)>,
    weekdays: Vec<(String, String)>,
    map: String,
    map_too_many: bool,
    query: String,
    prev: Option<String>,
    next: Option<String>,
    summary: String,
}

fn form_of(q: &FilterInput) -> FormView {
    let mut f = FormView::empty();
    for (k, v) in [
        ("kommun", &q.kommun),
        ("alder", &q.alder),
        ("tema", &q.tema),
        ("dag", &q.dag),
        ("fran", &q.fran),
        ("till", &q.till),
        ("gratis", &q.gratis),
    ] {
        if let Some(v) = v {
            f.set(k, v.clone());
        }
    }
    if let Some(d) = q.dag.as_deref() {
        // Accept "fredag" as well as "5" for the select.
        if let Some(i) = codes::WEEKDAYS.iter().position(|w| w.eq_ignore_ascii_case(d.trim())) {
            f.set("dag", (i + 1).to_string());
        }
    }
    if q.gratis.is_some() {
        f.set("gratis", "on");
    }
    f
}

/// Reads the query string; a parameter the directory does not know is a field error, not a 400.
fn read_query(raw: Option<String>) -> Result<FilterInput, FieldErrors> {
    let raw = raw.unwrap_or_default();
    serde_urlencoded::from_str::<FilterInput>(&raw).map_err(|e| {
        brygga_domain::FieldError::new(
            "kommun",
            "query.invalid",
            format!("Adressen innehåller en sökning som inte går att läsa ({e}). Välj filtren i formuläret igen."),
        )
        .into()
    })
}

fn summary(f: &directory::Filter, total: i64) -> String {
    let mut parts = Vec::new();
    if f.free_only {
        parts.push("gratis".to_owned());
    }
    if let Some(d) = f.weekday {
        let mut s = codes::weekday_label(d).to_owned();
        if let (Some(a), Some(b)) = (&f.from, &f.to) {
            s.push_str(&format!(" {a}–{b}"));
        }
        parts.push(s);
    }
    if let Some(a) = f.age {
        parts.push(format!("{a} år"));
    }
    if let Some(t) = &f.theme {
        parts.push(List::Themes.label(t).unwrap_or(t).to_lowercase());
    }
    if let Some(m) = &f.municipality {
        parts.push(brygga_domain::geography::municipality(m).map_or(m.clone(), |m| m.name.to_owned()));
    }
    let n = if total == 1 { "1 erbjudande".to_owned() } else { format!("{total} erbjudanden") };
    if parts.is_empty() { n } else { format!("{n}: {}", parts.join(", ")) }
}

async fn index(State(state): State<AppState>, MaybeSession(session): MaybeSession, flash: Flash, RawQuery(raw): RawQuery) -> PageResult {
    let session = session.ok();
    let input = read_query(raw);
    let today = brygga_domain::time::today().to_string();
    let (input, parsed) = match input {
        Ok(i) => {
            let p = i.parse(&today);
            (i, p)
        }
        Err(e) => (FilterInput::default(), Err(e)),
    };
    let mut form = form_of(&input);
    let viewer = session.as_ref().map_or_else(|| Viewer::anonymous(Default::default()), |s| s.viewer.clone());
    let municipality = input.kommun.clone().filter(|k| !k.trim().is_empty());
    let (listing, points, organisations, filter) = match parsed {
        Ok(f) => {
            let page = input.sida.unwrap_or(1);
            let (v, f2) = (viewer.clone(), f.clone());
            let muni = f.municipality.clone();
            let (l, p, o) = state
                .store
                .read(move |db| {
                    let l = directory::list(db, &v, &f2, page)?;
                    // The map stays readable (and the page light): points only for a narrowed search.
                    let p = if l.total <= MAP_MAX_POINTS { directory::points(db, &f2)? } else { Vec::new() };
                    Ok((l, p, directory::organisations(db, muni.as_deref())?))
                })
                .await?;
            (Some(l), p, o, Some(f))
        }
        Err(errs) => {
            form.errors = errs;
            let muni = municipality.filter(|m| m.len() == 4 && m.bytes().all(|b| b.is_ascii_digit()));
            let o = state.store.read(move |db| directory::organisations(db, muni.as_deref())).await?;
            (None, Vec::new(), o, None)
        }
    };
    let query = directory::query_string(&input);
    let geometries: Vec<serde_json::Value> =
        points.iter().map(|p| serde_json::json!({ "type": "Point", "coordinates": [p.lon, p.lat] })).collect();
    let map_areas: Vec<MapArea> =
        points.iter().zip(&geometries).map(|(p, g)| MapArea::new(&p.name, g).link(format!("/katalog/erbjudanden/{}", p.id))).collect();
    let title = "Karta över erbjudandena";
    let map = map::area_map(
        &map_areas,
        &MapOptions {
            id: "katalogkarta",
            title,
            description: "Erbjudandena som matchar filtren, som punkter. Varje punkt är en länk till erbjudandet. Samma erbjudanden finns i listan.",
            frame: filter.as_ref().and_then(|f| f.municipality.as_deref()).and_then(map::municipality_frame),
            tiles: map::tiles(),
            ..MapOptions::default()
        },
    );
    let (prev, next) = match &listing {
        Some(l) => {
            let link = |p: i64| if query.is_empty() { format!("/katalog?sida={p}") } else { format!("/katalog?{query}&sida={p}") };
            ((l.page > 1).then(|| link(l.page - 1)), (l.page < l.pages).then(|| link(l.page + 1)))
        }
        None => (None, None),
    };
    let summary = match (&filter, &listing) {
        (Some(f), Some(l)) => summary(f, l.total),
        _ => String::new(),
    };
    let map_too_many = listing.as_ref().is_some_and(|l| l.total > MAP_MAX_POINTS);
    let rows = listing.as_ref().map(|l| l.offers.clone().into_iter().map(Row::of).collect()).unwrap_or_default();
    html(
        if form.has_errors() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK },
        IndexPage {
            chrome: chrome(&session, "Katalogen: föreningar och aktiviteter", &flash),
            form,
            listing,
            rows,
            organisations,
            municipalities: municipality_options(),
            themes: options::theme_options(),
            weekdays: options::weekday_options(),
            map_too_many,
            map,
            query,
            prev,
            next,
            summary,
        },
    )
}

/// Every matching published offer, or the filter's field errors as a 422 page.
async fn matching(state: &AppState, session: &Option<Session>, raw: Option<String>) -> Result<Vec<Offer>, AppError> {
    let today = brygga_domain::time::today().to_string();
    let f = read_query(raw).and_then(|i| i.parse(&today)).map_err(AppError::Invalid)?;
    let v = session.as_ref().map_or_else(|| Viewer::anonymous(Default::default()), |s| s.viewer.clone());
    Ok(state.store.read(move |db| directory::all(db, &v, &f)).await?)
}

async fn export_csv(State(state): State<AppState>, MaybeSession(session): MaybeSession, RawQuery(raw): RawQuery) -> PageResult {
    let offers = matching(&state, &session.ok(), raw).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition("katalog.csv"))],
        format!("\u{FEFF}{}", directory::csv(&offers)),
    )
        .into_response())
}

async fn export_geojson(State(state): State<AppState>, MaybeSession(session): MaybeSession, RawQuery(raw): RawQuery) -> PageResult {
    let offers = matching(&state, &session.ok(), raw).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json".to_owned()), (header::CONTENT_DISPOSITION, disposition("katalog.geojson"))],
        directory::geojson(&offers).to_string(),
    )
        .into_response())
}

async fn export_hsds(State(state): State<AppState>, MaybeSession(session): MaybeSession, RawQuery(raw): RawQuery) -> PageResult {
    let offers = matching(&state, &session.ok(), raw).await?;
    let doc = state.store.read(move |db| brygga_store::actors::hsds::export(db, &offers)).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json".to_owned()), (header::CONTENT_DISPOSITION, disposition("katalog-hsds.json"))],
        serde_json::to_string_pretty(&doc).map_err(|e| AppError::Internal(e.to_string()))?,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "directory/organisation.html")]
struct OrganisationPage {
    chrome: Chrome,
    p: Profile,
    themes: String,
    target_groups: String,
    languages: String,
    municipalities: String,
    rows: Vec<Row>,
    edits: bool,
    today: String,
}

async fn organisation(State(state): State<AppState>, MaybeSession(session): MaybeSession, flash: Flash, Path(id): Path<i64>) -> PageResult {
    let session = session.ok();
    let v = session.as_ref().map_or_else(|| Viewer::anonymous(Default::default()), |s| s.viewer.clone());
    let edits = access::allowed(&v, Action::EditDirectory { org: id });
    let (p, offers) = state.store.read(move |db| Ok((profile::get(db, &v, id)?, offers::for_org(db, &v, id)?))).await?;
    let municipalities = p
        .organisation
        .municipalities
        .iter()
        .map(|c| brygga_domain::geography::municipality(c).map_or(c.clone(), |m| m.name.to_owned()))
        .collect::<Vec<_>>()
        .join(", ");
    html(
        StatusCode::OK,
        OrganisationPage {
            chrome: chrome(&session, p.organisation.name.clone(), &flash),
            themes: labels(List::Themes, &p.themes),
            target_groups: labels(List::TargetGroups, &p.target_groups),
            languages: labels(List::Languages, &p.languages),
            municipalities,
            rows: offers.into_iter().map(Row::of).collect(),
            p,
            edits,
            today: brygga_domain::time::today().to_string(),
        },
    )
}

#[derive(Template)]
#[template(path = "directory/offer.html")]
struct OfferPage {
    chrome: Chrome,
    o: Offer,
    themes: String,
    target_groups: String,
    times: Vec<String>,
    edits: bool,
    overdue: bool,
    map: String,
}

async fn offer(State(state): State<AppState>, MaybeSession(session): MaybeSession, flash: Flash, Path(id): Path<i64>) -> PageResult {
    let session = session.ok();
    let v = session.as_ref().map_or_else(|| Viewer::anonymous(Default::default()), |s| s.viewer.clone());
    let o = { state.store.read(move |db| offers::get(db, &v, id)).await? };
    let edits = session.as_ref().is_some_and(|s| access::allowed(&s.viewer, Action::EditDirectory { org: o.org_id }));
    let map = match (o.lat, o.lon) {
        (Some(lat), Some(lon)) => {
            let g = serde_json::json!({ "type": "Point", "coordinates": [lon, lat] });
            let label = o.place_name.clone().or_else(|| o.area_name.clone()).unwrap_or_else(|| o.name.clone());
            map::area_map(
                &[MapArea::new(&label, &g)],
                &MapOptions {
                    id: "erbjudandekarta",
                    title: "Var erbjudandet finns",
                    description: "Platsen för erbjudandet som en punkt. Adressen står i texten.",
                    tiles: map::tiles(),
                    name_labels: true,
                    ..MapOptions::default()
                },
            )
        }
        _ => String::new(),
    };
    let today = brygga_domain::time::today().to_string();
    html(
        StatusCode::OK,
        OfferPage {
            chrome: chrome(&session, o.name.clone(), &flash),
            themes: labels(List::Themes, &o.themes),
            target_groups: labels(List::TargetGroups, &o.target_groups),
            times: o.schedules.iter().map(|s| s.describe()).collect(),
            overdue: edits && o.verification_overdue(&today),
            edits,
            map,
            o,
        },
    )
}
