//! The weekly situation picture (lägesbild): an organisation's own picture, a forum's joint
//! problem picture, and the shared aggregates of a municipality — with flags, a table, charts,
//! the places (with the Gi* hotspot layer), context panels, drill-down to the reports behind a
//! cell, exports (CSV, XLSX, GeoJSON) and a printable report for the EST meeting.
//!
//! Paths: `/lagesbild/forum/{id}`, `/lagesbild/egen/{org_id}`, `/lagesbild/kommun/{kod}`, each
//! with `?vecka=2026-W47&kategori=klotter&plats=12|ingen&kommun=1287`, and beneath each
//! `rapporter` (drill-down), `export.csv`, `export.xlsx`, `export.geojson` and `rapport`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use brygga_domain::FieldError;
use brygga_domain::geography;
use brygga_domain::time::{IsoWeek, format_number};
use brygga_store::forums::forum::{self, Forum};
use brygga_store::kernel::audit::Reads;
use brygga_store::kernel::sharing::Scope;
use brygga_store::picture::observations::{self, Observation};
use brygga_store::picture::weekly::{self, Cell, PictureQuery, Place, Request, Target, WeeklyPicture};
use brygga_store::places::areas::Area;
use brygga_store::{StoreError, Viewer, places::areas};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::{Session, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, html};
use crate::kit::picture_view::{CellRow, ChartBlock, TotalRow, cell_row, chart, int, signed, total_row};
use crate::kit::svg::map::{MapArea, MapOptions, Shading, area_map};

mod exports;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/lagesbild", get(choose))
        .route("/lagesbild/kommun", get(choose_municipality))
        .route("/lagesbild/bild.css", get(stylesheet))
        .route("/lagesbild/{kind}/{key}", get(show))
        .route("/lagesbild/{kind}/{key}/{action}", get(action))
}

/// The picture's address in the pages: `/lagesbild/forum/{id}`, `/lagesbild/egen/{org_id}`,
/// `/lagesbild/kommun/{kod}`.
pub trait Address: Sized {
    fn from_path(kind: &str, key: &str) -> Result<Self, AppError>;
    fn base(&self) -> String;
    /// The picture in a download's file name.
    fn slug(&self) -> String;
}

impl Address for Target {
    fn from_path(kind: &str, key: &str) -> Result<Self, AppError> {
        match kind {
            "forum" => key.parse().map(Target::Forum).map_err(|_| AppError::NotFound),
            "egen" => key.parse().map(Target::Own).map_err(|_| AppError::NotFound),
            "kommun" => geography::municipality(key).map(|m| Target::Municipality(m.code.to_owned())).ok_or(AppError::NotFound),
            _ => Err(AppError::NotFound),
        }
    }
    fn base(&self) -> String {
        match self {
            Target::Forum(id) => format!("/lagesbild/forum/{id}"),
            Target::Own(id) => format!("/lagesbild/egen/{id}"),
            Target::Municipality(code) => format!("/lagesbild/kommun/{code}"),
        }
    }
    fn slug(&self) -> String {
        match self {
            Target::Forum(id) => format!("forum-{id}"),
            Target::Own(id) => format!("organisation-{id}"),
            Target::Municipality(code) => format!("kommun-{code}"),
        }
    }
}

/// The filters of every picture page and export (Swedish names, as in the address bar).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PictureParams {
    pub vecka: Option<String>,
    pub kategori: Option<String>,
    pub plats: Option<String>,
    pub kommun: Option<String>,
    /// Drill-down paging: reports with ids below this.
    pub fore: Option<String>,
}

impl PictureParams {
    /// The store's request for the picture at `target` with these filters (checked there).
    fn request(&self, target: &Target, suppress_below: i64) -> Request {
        Request {
            target: target.clone(),
            municipality: self.kommun.clone(),
            week: self.vecka.clone(),
            category: self.kategori.clone(),
            place: self.plats.clone(),
            suppress_below,
        }
    }
    fn category(&self) -> Option<String> {
        self.kategori.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
    }
    /// The query string for `week` with the same filters.
    fn query_for(&self, week: IsoWeek) -> String {
        let mut pairs = vec![("vecka", week.to_string())];
        for (k, v) in [("kategori", &self.kategori), ("plats", &self.plats), ("kommun", &self.kommun)] {
            if let Some(v) = v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                pairs.push((k, v.to_owned()));
            }
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// The picture and the municipality's places (for the maps).
async fn load(
    state: &AppState,
    v: &Viewer,
    target: &Target,
    p: &PictureParams,
) -> Result<(PictureQuery, WeeklyPicture, Vec<Area>), AppError> {
    let request = p.request(target, state.config.suppress_below);
    let reader = v.clone();
    Ok(state
        .store
        .read_audited(v, move |db| {
            let r = weekly::resolve(db, &reader, &request)?;
            let (picture, read) = weekly::weekly_audited(db, &reader, &r, "picture.read", r.about(), Reads::OfOthers)?;
            let places = areas::list(db, &reader, &r.municipality)?;
            Ok(((r, picture, places), read))
        })
        .await?)
}

// ---------------------------------------------------------------------------------------------
// View models: everything formatted the Swedish way before it reaches the templates.

pub struct MapBlock {
    pub id: &'static str,
    pub heading: &'static str,
    pub svg: String,
}

pub struct View {
    pub maps: Vec<MapBlock>,
    pub base: String,
    pub week_label: String,
    pub query: String,
    pub prev: String,
    pub next: Option<String>,
    pub current: Option<String>,
    pub exact: bool,
    pub threshold: i64,
    pub can_drill: bool,
    pub cells: Vec<CellRow>,
    pub categories: Vec<TotalRow>,
    pub places: Vec<TotalRow>,
    pub total: TotalRow,
    pub category_charts: Vec<ChartBlock>,
    pub place_charts: Vec<ChartBlock>,
    pub week_value: String,
    pub category: String,
    pub place: String,
    pub kommun: String,
    pub scope_kind: &'static str,
    /// The joint picture's action form (`/forum/{id}/atgarder/ny`): each flag can become an action.
    pub action_form: Option<String>,
}

impl View {
    /// The action form filled in from `f` (joint picture only).
    pub fn action_href(&self, f: &weekly::Flag) -> Option<String> {
        let form = self.action_form.as_ref()?;
        let mut q = vec![("kategori", f.category_code.clone())];
        if let Some(a) = f.area_id {
            q.push(("plats", a.to_string()));
        }
        q.push(("vecka", self.week_value.clone()));
        Some(format!("{form}?{}", serde_urlencoded::to_string(q).unwrap_or_default()))
    }

    fn new(p: &WeeklyPicture, target: &Target, params: &PictureParams, can_drill: bool, places: &[Area]) -> Self {
        let week = p.iso_week();
        let current = IsoWeek::parse(&p.current_week).unwrap_or(week);
        let base = target.base();
        let weeks: Vec<IsoWeek> = p.weeks.iter().filter_map(|w| IsoWeek::parse(w).ok()).collect();
        let exact = p.suppressed_below.is_none();
        let category_charts = p
            .categories
            .iter()
            .enumerate()
            .filter(|(_, c)| c.total.series.iter().any(|&v| v > 0))
            .map(|(i, c)| chart(format!("kategori-{i}"), &c.name, &weeks, &c.total.series, (c.total.typical_low, c.total.typical_high)))
            .collect();
        let place_charts = p
            .places
            .iter()
            .enumerate()
            .filter(|(_, pl)| pl.total.series.iter().any(|&v| v > 0))
            .map(|(i, pl)| chart(format!("plats-{i}"), &pl.name, &weeks, &pl.total.series, (pl.total.typical_low, pl.total.typical_high)))
            .collect();
        View {
            maps: maps(p, places, &base, params),
            query: params.query_for(week),
            prev: format!("{base}?{}", params.query_for(week.plus(-1))),
            next: (week < current).then(|| format!("{base}?{}", params.query_for(week.plus(1)))),
            current: (week != current).then(|| format!("{base}?{}", params.query_for(current))),
            week_label: format!("v. {} {}", week.week(), week.year()),
            exact,
            threshold: p.suppressed_below.unwrap_or(0),
            can_drill,
            cells: p.cells.iter().map(|c| cell_row(c, &base, week, can_drill)).collect(),
            categories: p.categories.iter().map(|c| total_row(&c.name, &c.total, None)).collect(),
            places: p.places.iter().map(|pl| total_row(&pl.name, &pl.total, pl.hotspot.as_ref())).collect(),
            total: total_row("Totalt", &p.total, None),
            category_charts,
            place_charts,
            week_value: week.to_string(),
            category: params.category().unwrap_or_default(),
            place: params.plats.clone().unwrap_or_default(),
            kommun: params.kommun.clone().unwrap_or_default(),
            action_form: match target {
                Target::Forum(id) => Some(format!("/forum/{id}/atgarder/ny")),
                _ => None,
            },
            scope_kind: match p.scope {
                Scope::Own { .. } => "own",
                Scope::Joint { .. } => "joint",
                Scope::Shared => "shared",
            },
            base,
        }
    }
}

/// The places shaded by the week's count, by the change from the last 8 weeks, and by Gi* z
/// (the hotspot layer). Each place links to the picture filtered to it.
fn maps(p: &WeeklyPicture, places: &[Area], base: &str, params: &PictureParams) -> Vec<MapBlock> {
    if places.is_empty() || p.empty {
        return vec![];
    }
    let week = p.iso_week();
    let totals: Vec<(&Area, &weekly::PlaceTotal)> =
        places.iter().filter_map(|a| p.places.iter().find(|pl| pl.area_id == Some(a.id)).map(|pl| (a, pl))).collect();
    if totals.is_empty() {
        return vec![];
    }
    let link = |a: &Area| {
        let mut q = params.clone();
        q.plats = Some(a.id.to_string());
        format!("{base}?{}", q.query_for(week))
    };
    let label = format!("v. {}", week.week());
    let hidden = if p.suppressed_below.is_some() { " Antal under gränsen är inte medräknade." } else { "" };
    let draw = |id: &'static str, heading: &'static str, shading: Shading, value: &dyn Fn(&weekly::PlaceTotal) -> Option<(f64, String)>| {
        let areas: Vec<MapArea<'_>> = totals
            .iter()
            .map(|(a, pl)| {
                let m = MapArea::from_area(a).link(link(a));
                match value(pl) {
                    Some((v, text)) => m.value(v, text),
                    None => m,
                }
            })
            .collect();
        let title = format!("{heading}, {label}");
        let description =
            format!("{heading} för varje plats i {} {label}.{hidden} Samma siffror finns i tabellen Antal per plats.", p.municipality_name);
        let svg = area_map(
            &areas,
            &MapOptions {
                id,
                title: &title,
                description: &description,
                shading,
                legend_title: heading,
                tiles: crate::kit::svg::map::tiles(),
                ..MapOptions::default()
            },
        );
        MapBlock { id, heading, svg }
    };
    let mut out = vec![
        draw("karta-antal", "Antal rapporter", Shading::Counts, &|pl| {
            Some((pl.total.count as f64, format!("{} {}", int(pl.total.count), if pl.total.count == 1 { "rapport" } else { "rapporter" })))
        }),
        draw("karta-forandring", "Förändring mot snittet de senaste 8 veckorna", Shading::Change, &|pl| {
            Some((pl.total.change, signed(pl.total.change, 1)))
        }),
    ];
    if p.hotspot_note.is_none() {
        out.push(draw("karta-hotspot", "Hotspots (Getis–Ord Gi*)", Shading::Change, &|pl| {
            let h = pl.hotspot.as_ref()?;
            let z = h.z?;
            let what = match h.class.as_str() {
                "hot" => "hotspot",
                "cold" => "kall punkt",
                _ => "inte signifikant",
            };
            Some((z, format!("{what}, z = {}", format_number(z, 1))))
        }));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Pages

#[derive(Template)]
#[template(path = "picture/weekly/show.html")]
struct ShowPage {
    chrome: Chrome,
    p: WeeklyPicture,
    view: View,
}

#[derive(Template)]
#[template(path = "picture/weekly/report.html")]
struct ReportPage {
    chrome: Chrome,
    p: WeeklyPicture,
    view: View,
    generated: String,
    top: Vec<CellRow>,
}

#[derive(Template)]
#[template(path = "picture/weekly/problem.html")]
struct ProblemPage {
    chrome: Chrome,
    heading: String,
    problems: Vec<String>,
    current: String,
    choose: bool,
}

/// A bad week, place or municipality: a page that says what is wrong and how to go on.
fn problem(session: &Session, target: &Target, params: &PictureParams, e: AppError) -> PageResult {
    match e {
        AppError::Invalid(errs) => {
            let current = IsoWeek::current();
            let mut clean = params.clone();
            clean.vecka = None;
            clean.plats = None;
            clean.kategori = None;
            let choose = errs.get("municipality").is_some();
            if choose {
                clean.kommun = None;
            }
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                ProblemPage {
                    chrome: Chrome::new(session, "Lägesbild", "picture", &Flash(None)),
                    heading: "Lägesbilden kan inte visas".into(),
                    problems: errs.0.into_iter().map(|e| e.message).collect(),
                    current: format!("{}?{}", target.base(), clean.query_for(current)),
                    choose,
                },
            )
        }
        other => Err(PageError(other)),
    }
}

pub async fn show(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((kind, key)): Path<(String, String)>,
    Query(params): Query<PictureParams>,
) -> PageResult {
    let target = Target::from_path(&kind, &key)?;
    let (r, p, places) = match load(&state, &session.viewer, &target, &params).await {
        Ok(x) => x,
        Err(e) => return problem(&session, &target, &params, e),
    };
    let can_drill = r.scope != Scope::Shared && p.suppressed_below.is_none();
    let view = View::new(&p, &target, &params, can_drill, &places);
    let title = format!("Lägesbild {} – {}", view.week_label, p.title);
    html(StatusCode::OK, ShowPage { chrome: Chrome::new(&session, title, "picture", &Flash(None)), p, view })
}

pub async fn action(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((kind, key, action)): Path<(String, String, String)>,
    Query(params): Query<PictureParams>,
) -> PageResult {
    let target = Target::from_path(&kind, &key)?;
    match action.as_str() {
        "rapporter" => drill(state, session, target, params).await,
        "rapport" => report(state, session, target, params).await,
        "export.csv" | "export.xlsx" | "export.geojson" => export(state, session, target, params, &action).await,
        _ => Err(PageError(AppError::NotFound)),
    }
}

async fn report(state: AppState, session: Session, target: Target, params: PictureParams) -> PageResult {
    let (r, p, places) = match load(&state, &session.viewer, &target, &params).await {
        Ok(x) => x,
        Err(e) => return problem(&session, &target, &params, e),
    };
    let can_drill = r.scope != Scope::Shared && p.suppressed_below.is_none();
    let view = View::new(&p, &target, &params, can_drill, &places);
    let week = p.iso_week();
    let mut top: Vec<&Cell> = p.cells.iter().filter(|c| c.count.unwrap_or(0) > 0 || c.flagged()).collect();
    top.sort_by(|a, b| b.flagged().cmp(&a.flagged()).then(b.count.unwrap_or(0).cmp(&a.count.unwrap_or(0))));
    let top = top.into_iter().take(12).map(|c| cell_row(c, &view.base, week, false)).collect();
    let title = format!("Veckorapport {} – {}", view.week_label, p.title);
    html(
        StatusCode::OK,
        ReportPage {
            chrome: Chrome::new(&session, title, "picture", &Flash(None)),
            generated: brygga_domain::time::format_local(jiff::Timestamp::now()),
            p,
            view,
            top,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Drill-down: the reports behind a cell, for viewers who may read them.

#[derive(Template)]
#[template(path = "picture/weekly/reports.html")]
struct ReportsPage {
    chrome: Chrome,
    heading: String,
    back: String,
    items: Vec<Observation>,
    next: Option<String>,
}

impl ReportsPage {
    fn shared_with(&self, o: &Observation) -> &'static str {
        match o.visibility {
            brygga_store::Visibility::Organisation => "Bara organisationen",
            brygga_store::Visibility::Forum { .. } => "Delad med forumet",
            brygga_store::Visibility::Public => "Publik",
        }
    }
    fn place(&self, o: &Observation) -> String {
        o.area_name.clone().unwrap_or_else(|| weekly::NO_PLACE.to_owned())
    }
}

const DRILL_PAGE: usize = 50;

async fn drill(state: AppState, session: Session, target: Target, params: PictureParams) -> PageResult {
    let v = session.viewer.clone();
    let (request, p) = (params.request(&target, state.config.suppress_below), params.clone());
    let result = state
        .store
        .write(move |db| {
            let r = weekly::resolve(db, &v, &request)?;
            let week = i64::from(r.week.key()) as i32;
            let ids: Vec<i64> = match p.kategori.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => vec![],
                Some(s) => s.split(',').map(|x| x.trim().parse::<i64>()).collect::<Result<_, _>>().map_err(|_| {
                    StoreError::invalid(FieldError::new("kategori", "category.invalid", "Kategorin i adressen känns inte igen."))
                })?,
            };
            let before = match p.fore.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => None,
                Some(s) => Some(
                    s.parse::<i64>()
                        .map_err(|_| StoreError::invalid(FieldError::new("fore", "cursor.invalid", "Sidan i adressen känns inte igen.")))?,
                ),
            };
            let filter = |category_id: Option<i64>| observations::Filter {
                scope: Some(r.scope),
                municipality: Some(r.municipality.clone()),
                from_week: Some(week),
                to_week: Some(week),
                category_id,
                area_id: match r.place {
                    Some(Place::Area(id)) => Some(id),
                    _ => None,
                },
                no_area: r.place == Some(Place::Unplaced),
                before_id: before,
                limit: Some(DRILL_PAGE),
                ..Default::default()
            };
            // One list per checklist the category code appears in, merged newest first; one
            // audited read naming the owners of the reports shown.
            let lists: Vec<Option<i64>> = if ids.is_empty() { vec![None] } else { ids.iter().take(20).copied().map(Some).collect() };
            let filters: Vec<observations::Filter> = lists.into_iter().map(filter).collect();
            let mut items = Vec::new();
            let mut more = false;
            for page in observations::list_audited(db, &v, &filters, "picture.drilldown", r.about(), Reads::Always)? {
                more |= page.next.is_some();
                items.extend(page.items);
            }
            items.sort_by_key(|o| std::cmp::Reverse(o.id));
            more |= items.len() > DRILL_PAGE;
            items.truncate(DRILL_PAGE);
            Ok((r, items, more))
        })
        .await;
    let (r, items, more) = match result {
        Ok(x) => x,
        Err(StoreError::Invalid(e)) => return problem(&session, &target, &params, AppError::Invalid(e)),
        Err(e) => return Err(PageError(e.into())),
    };
    let week = r.week;
    let next = (more && !items.is_empty()).then(|| {
        let mut q = params.clone();
        q.fore = items.last().map(|o| o.id.to_string());
        let mut pairs: Vec<(&str, String)> = vec![("vecka", week.to_string())];
        for (k, v) in [("kategori", &q.kategori), ("plats", &q.plats), ("kommun", &q.kommun), ("fore", &q.fore)] {
            if let Some(v) = v {
                pairs.push((k, v.clone()));
            }
        }
        format!("{}/rapporter?{}", target.base(), serde_urlencoded::to_string(pairs).unwrap_or_default())
    });
    let what = match (items.first(), r.place) {
        (Some(o), Some(Place::Unplaced)) => format!("{} utan särskild plats", o.category_name),
        (Some(o), Some(Place::Area(_))) => format!("{} vid {}", o.category_name, o.area_name.clone().unwrap_or_default()),
        (Some(o), None) => o.category_name.clone(),
        (None, _) => "Rapporter".into(),
    };
    let heading = format!("{what}, v. {} {}", week.week(), week.year());
    let mut back = params.clone();
    back.kategori = None;
    back.plats = None;
    html(
        StatusCode::OK,
        ReportsPage {
            chrome: Chrome::new(&session, heading.clone(), "picture", &Flash(None)),
            heading,
            back: format!("{}?{}", target.base(), back.query_for(week)),
            items,
            next,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Exports: the same numbers and filters as the page; each download is in the audit log.

async fn export(state: AppState, session: Session, target: Target, params: PictureParams, format: &str) -> PageResult {
    let request = params.request(&target, state.config.suppress_below);
    let with_areas = format == "export.geojson";
    let reader = session.viewer.clone();
    let result = state
        .store
        .read_audited(&session.viewer, move |db| {
            let r = weekly::resolve(db, &reader, &request)?;
            // Each download is in the audit log, naming the organisations whose reports are in it.
            let (picture, read) = weekly::weekly_audited(db, &reader, &r, "picture.export", r.about(), Reads::Always)?;
            let geometry = if with_areas { areas::list(db, &reader, &r.municipality)? } else { vec![] };
            Ok(((picture, geometry), read))
        })
        .await;
    let (p, geometry) = match result {
        Ok(x) => x,
        Err(StoreError::Invalid(e)) => return problem(&session, &target, &params, AppError::Invalid(e)),
        Err(e) => return Err(PageError(e.into())),
    };
    let name = format!("lagesbild-{}-{}", target.slug(), p.week);
    match format {
        "export.csv" => Ok(crate::kit::export::csv_download(&format!("{name}.csv"), exports::HEADER, exports::rows(&p))?),
        "export.xlsx" => Ok(exports::xlsx(&format!("{name}.xlsx"), &p)?),
        _ => Ok(exports::geojson(&format!("{name}.geojson"), &p, &geometry)?),
    }
}

// ---------------------------------------------------------------------------------------------
// Choosing a picture.

#[derive(Template)]
#[template(path = "picture/weekly/choose.html")]
struct ChoosePage {
    chrome: Chrome,
    forums: Vec<Forum>,
    own: Vec<(i64, String)>,
    municipalities: Vec<(String, String)>,
    all_municipalities: Vec<(String, String)>,
    /// The chooser starts at the viewer's own municipality: the first approved claim of their organisations.
    preselected: Option<String>,
}

pub async fn choose(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let all = state.store.read(move |db| forum::list(db, &v)).await?;
    let mine = session.viewer.forum_ids().to_vec();
    let forums: Vec<Forum> = all.into_iter().filter(|f| mine.contains(&f.id)).collect();
    let own = session.viewer.memberships().iter().map(|m| (m.org_id, m.org_name.clone())).collect();
    let mut municipalities: Vec<(String, String)> = Vec::new();
    for code in session
        .viewer
        .memberships()
        .iter()
        .flat_map(|m| m.municipalities.iter())
        .chain(forums.iter().filter_map(|f| f.municipality_code.as_ref()))
    {
        if let Some(m) = geography::municipality(code)
            && !municipalities.iter().any(|(c, _)| c == code)
        {
            municipalities.push((m.code.to_owned(), m.name.to_owned()));
        }
    }
    let all_municipalities = geography::municipalities().iter().map(|m| (m.code.to_owned(), m.name.to_owned())).collect();
    let preselected = session.viewer.memberships().iter().flat_map(|m| m.municipalities.first()).next().cloned();
    let chrome = Chrome::new(&session, "Lägesbild", "picture", &flash);
    html(StatusCode::OK, ChoosePage { chrome, forums, own, municipalities, all_municipalities, preselected })
}

#[derive(Deserialize)]
pub struct MunicipalityChoice {
    kod: Option<String>,
}

/// The form on `/lagesbild` without JavaScript: `?kod=1287` → `/lagesbild/kommun/1287`.
pub async fn choose_municipality(SignedIn(_): SignedIn, Query(q): Query<MunicipalityChoice>) -> PageResult {
    let code = q.kod.as_deref().map(str::trim).unwrap_or("");
    match geography::municipality(code).or_else(|| geography::municipality_by_name(code)) {
        Some(m) => Ok(Redirect::to(&format!("/lagesbild/kommun/{}", m.code)).into_response()),
        None => Err(PageError(AppError::BadRequest("Välj en kommun i listan.".into()))),
    }
}

/// The picture pages' own stylesheet, with the print layout of the weekly report.
pub async fn stylesheet() -> Response {
    let mut resp = include_str!("../../../static/picture.css").into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    resp
}
