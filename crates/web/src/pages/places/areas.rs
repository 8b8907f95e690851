//! Places (platser): a municipality's districts, parks, squares, school yards… as points or
//! polygons with a hierarchy. The list with its map, one place, creating and editing (typed
//! latitude/longitude, pasted or uploaded GeoJSON, or — with JavaScript — clicks on the
//! server-drawn map), deleting, importing a GeoJSON FeatureCollection (preview, then all or
//! nothing) and exporting GeoJSON.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use brygga_domain::geography::{self, Municipality, MunicipalityCode};
use brygga_domain::geometry::{self, Check, CrsChoice, Shape, Valid, sweref};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::places::areas::{self, Area, AreaFields, NewArea};
use brygga_store::{Action, Viewer, kernel::access};
use serde::Deserialize;

use crate::AppState;
use crate::kit::area_import::{Preview, area_text, preview};
use crate::kit::auth::{FormData, Session, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult, off_runtime};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, both, html, version_of};
use crate::kit::svg::map::{self, MapArea, MapOptions};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/platser", get(choose))
        .route("/platser/{kod}", get(municipality).post(create))
        .route("/platser/{kod}/ny", get(new))
        .route("/platser/{kod}/importera", get(import_form).post(import_preview))
        .route("/platser/{kod}/importera/spara", axum::routing::post(import_commit))
        .route("/platser/{kod}/{id}", get(show).post(update))
        .route("/platser/{kod}/{id}/redigera", get(edit))
        .route("/platser/{kod}/{id}/ta-bort", get(confirm_delete).post(delete))
}

// ---- a form that may carry a file ----

/// An uploaded file.
#[derive(Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A form posted by a signed-in user, urlencoded or `multipart/form-data` (with at most
/// one non-empty file), with its CSRF token and `Origin` checked as [`crate::kit::auth::SignedForm`]
/// does.
pub struct SignedUpload(pub Session, pub FormData, pub Option<Upload>);

impl FromRequest<AppState> for SignedUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = crate::kit::auth::posting_session(&mut parts, state).await?;
        let multipart =
            parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.starts_with("multipart/form-data"));
        let req = Request::from_parts(parts, body);
        let unreadable =
            || PageError(AppError::BadRequest("Formuläret kunde inte läsas. Ladda om sidan och försök igen.".into())).into_response();
        let (form, upload) = if multipart {
            let mut mp = Multipart::from_request(req, state).await.map_err(|_| unreadable())?;
            let mut fields = Vec::new();
            let mut upload = None;
            loop {
                let field = match mp.next_field().await {
                    Ok(Some(f)) => f,
                    Ok(None) => break,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(PageError(AppError::TooLarge).into_response()),
                    Err(_) => return Err(unreadable()),
                };
                let name = field.name().unwrap_or("").to_owned();
                match field.file_name().map(str::to_owned) {
                    Some(file_name) => {
                        let bytes = field.bytes().await.map_err(|_| PageError(AppError::TooLarge).into_response())?;
                        if !bytes.is_empty() && upload.is_none() {
                            upload = Some(Upload { file_name, bytes: bytes.to_vec() });
                        }
                    }
                    None => fields.push((name, field.text().await.map_err(|_| unreadable())?)),
                }
            }
            (FormData(fields), upload)
        } else {
            let bytes = Bytes::from_request(req, state).await.map_err(|_| PageError(AppError::TooLarge).into_response())?;
            (FormData::parse(&bytes).map_err(|e| PageError(e).into_response())?, None)
        };
        if !crate::kit::auth::same_secret(form.get("csrf"), &session.csrf) {
            return Err(PageError(AppError::Csrf).into_response());
        }
        Ok(SignedUpload(session, form, upload))
    }
}

// ---- helpers ----

fn municipality_of(kod: &str) -> Result<&'static Municipality, AppError> {
    MunicipalityCode::parse(kod).map(|c| c.municipality()).map_err(|_| AppError::NotFound)
}

fn can_manage(v: &Viewer, m: &Municipality) -> bool {
    access::allowed(v, Action::ManageAreas { municipality: m.municipality_code() })
}

fn kind_options() -> Vec<(String, String)> {
    areas::KINDS.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())).collect()
}

fn crs_options() -> Vec<(String, String)> {
    CrsChoice::ALL.iter().map(|c| (c.code().to_owned(), c.label().to_owned())).collect()
}

/// Depth of each area in the tree (0 for roots).
fn depths(all: &[Area]) -> HashMap<i64, usize> {
    let parent: HashMap<i64, Option<i64>> = all.iter().map(|a| (a.id, a.parent_id)).collect();
    all.iter()
        .map(|a| {
            let mut d = 0;
            let mut cursor = a.parent_id;
            while let Some(p) = cursor {
                if d > 32 {
                    break;
                }
                d += 1;
                cursor = parent.get(&p).copied().flatten();
            }
            (a.id, d)
        })
        .collect()
}

/// One row of the place list (the map's table alternative).
pub struct Row {
    pub area: Area,
    pub depth: usize,
    pub parent_name: String,
    pub form: String,
    pub size: String,
}

fn rows(all: &[Area]) -> Vec<Row> {
    let d = depths(all);
    let names: HashMap<i64, &str> = all.iter().map(|a| (a.id, a.name.as_str())).collect();
    all.iter()
        .map(|a| {
            let shape = a.shape().ok();
            Row {
                depth: d.get(&a.id).copied().unwrap_or(0).min(6),
                parent_name: a.parent_id.and_then(|p| names.get(&p)).map_or(String::new(), |n| (*n).to_owned()),
                form: shape.as_ref().map_or("–".into(), Shape::describe),
                size: shape.as_ref().map_or("–".into(), |s| area_text(s.area_m2())),
                area: a.clone(),
            }
        })
        .collect()
}

fn place_href(a: &Area) -> String {
    format!("/platser/{}/{}", a.municipality_code, a.id)
}

// ---- choose a municipality ----

#[derive(Template)]
#[template(path = "places/areas/choose.html")]
struct ChoosePage {
    chrome: Chrome,
    own: Vec<(&'static str, &'static str, i64)>,
    form: FormView,
    municipalities: Vec<&'static str>,
}

#[derive(Deserialize)]
pub struct ChooseQuery {
    kommun: Option<String>,
}

/// `/platser`: the municipalities of the viewer's organisations, and any other by name.
pub async fn choose(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Query(q): Query<ChooseQuery>) -> PageResult {
    let mut form = FormView::empty();
    if let Some(name) = q.kommun.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        match geography::municipality_by_name(name) {
            Some(m) => return Ok(Redirect::to(&format!("/platser/{}", m.code)).into_response()),
            None => {
                form.set("kommun", name);
                form.errors.push(FieldError::new(
                    "kommun",
                    "municipality.unknown",
                    format!("Hittar ingen kommun som heter ”{name}”. Skriv kommunens namn eller fyrsiffriga kod, till exempel Trelleborg eller 1287."),
                ));
            }
        }
    }
    let v = session.viewer.clone();
    let counts = state.store.read(move |db| areas::counts(db, &v)).await?;
    let mut own: Vec<(&'static str, &'static str, i64)> = Vec::new();
    for m in session.viewer.memberships() {
        for code in &m.municipalities {
            if let Some(muni) = geography::municipality(code)
                && !own.iter().any(|(c, _, _)| *c == muni.code)
            {
                own.push((muni.code, muni.name, counts.get(muni.code).copied().unwrap_or(0)));
            }
        }
    }
    own.sort_by(|a, b| a.1.cmp(b.1));
    let status = if form.has_errors() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    html(
        status,
        ChoosePage {
            chrome: Chrome::new(&session, "Platser", "areas", &flash),
            own,
            form,
            municipalities: geography::municipalities().iter().map(|m| m.name).collect(),
        },
    )
}

// ---- a municipality's places ----

#[derive(Template)]
#[template(path = "places/areas/municipality.html")]
struct MunicipalityPage {
    chrome: Chrome,
    muni: &'static Municipality,
    rows: Vec<Row>,
    map: String,
    can_manage: bool,
    has_extent: bool,
}

/// `/platser/{kod}` (and `/platser/{kod}.geojson`, the export).
pub async fn municipality(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(kod): Path<String>) -> PageResult {
    if let Some(code) = kod.strip_suffix(".geojson") {
        return export(&state, &session, code).await;
    }
    let muni = municipality_of(&kod)?;
    let v = session.viewer.clone();
    let all = state.store.read(move |db| areas::list(db, &v, muni.code)).await?;
    let title = format!("Platser i {}", muni.name);
    let map_areas: Vec<MapArea> = all.iter().map(|a| MapArea::from_area(a).link(place_href(a))).collect();
    let map = map::area_map(
        &map_areas,
        &MapOptions {
            id: "platskarta",
            title: &title,
            description: "Kommunens platser. Varje plats är en länk till platsens sida. Samma platser finns i tabellen under kartan.",
            frame: map::municipality_frame(muni.code),
            name_labels: true,
            tiles: map::tiles(),
            ..MapOptions::default()
        },
    );
    html(
        StatusCode::OK,
        MunicipalityPage {
            chrome: Chrome::new(&session, title, "areas", &flash),
            muni,
            rows: rows(&all),
            map,
            can_manage: can_manage(&session.viewer, muni),
            has_extent: muni.extent().is_some(),
        },
    )
}

async fn export(state: &AppState, session: &Session, code: &str) -> PageResult {
    let muni = municipality_of(code)?;
    let v = session.viewer.clone();
    let doc = state.store.read(move |db| areas::export_geojson(db, &v, muni.code)).await?;
    let body = serde_json::to_vec_pretty(&doc).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/geo+json; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"platser-{}.geojson\"", muni.code)),
        ],
        body,
    )
        .into_response())
}

// ---- one place ----

#[derive(Template)]
#[template(path = "places/areas/show.html")]
struct ShowPage {
    chrome: Chrome,
    muni: &'static Municipality,
    area: Area,
    parent: Option<Area>,
    children: Vec<Area>,
    form: String,
    size: String,
    centre: String,
    centre_sweref: String,
    map: String,
    can_manage: bool,
}

async fn load(state: &AppState, session: &Session, muni: &'static Municipality, id: i64) -> Result<(Area, Vec<Area>), PageError> {
    let v = session.viewer.clone();
    let (area, all) = state
        .store
        .read(move |db| {
            let a = areas::get(db, &v, id)?;
            let all = areas::list(db, &v, &a.municipality_code)?;
            Ok((a, all))
        })
        .await?;
    if area.municipality_code != muni.code {
        return Err(AppError::NotFound.into());
    }
    Ok((area, all))
}

pub async fn show(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    flash: Flash,
    Path((kod, id)): Path<(String, i64)>,
) -> PageResult {
    let muni = municipality_of(&kod)?;
    let (area, all) = load(&state, &session, muni, id).await?;
    let parent = area.parent_id.and_then(|p| all.iter().find(|a| a.id == p)).cloned();
    let children: Vec<Area> = all.iter().filter(|a| a.parent_id == Some(area.id)).cloned().collect();
    let shape = area.shape().ok();
    let [lon, lat] = area.centroid;
    let [e, n] = sweref::to_sweref(area.centroid);
    let mut map_areas: Vec<MapArea> = Vec::new();
    if let Some(p) = &parent {
        map_areas.push(MapArea::from_area(p).link(place_href(p)));
    }
    map_areas.push(MapArea::from_area(&area).emphasised());
    map_areas.extend(children.iter().map(|c| MapArea::from_area(c).link(place_href(c))));
    let title = format!("Karta över {}", area.name);
    let map = map::area_map(
        &map_areas,
        &MapOptions {
            id: "platskarta",
            title: &title,
            description: "Platsen med kraftig kant, tillsammans med den plats den ligger i och dess delplatser.",
            name_labels: true,
            tiles: map::tiles(),
            ..MapOptions::default()
        },
    );
    html(
        StatusCode::OK,
        ShowPage {
            chrome: Chrome::new(&session, area.name.clone(), "areas", &flash),
            muni,
            form: shape.as_ref().map_or("–".into(), Shape::describe),
            size: shape.as_ref().map_or("–".into(), |s| area_text(s.area_m2())),
            centre: format!("lat {lat:.6}, lon {lon:.6}"),
            centre_sweref: format!("N {n:.0}, E {e:.0}"),
            can_manage: area.is_active()
                && access::allowed(&session.viewer, Action::EditArea { municipality: muni.municipality_code(), owner: area.owner_org_id }),
            area,
            parent,
            children,
            map,
        },
    )
}

// ---- create and edit ----

#[derive(Template)]
#[template(path = "places/areas/form.html")]
struct FormPage {
    chrome: Chrome,
    muni: &'static Municipality,
    form: FormView,
    heading: String,
    action: String,
    cancel: String,
    kinds: Vec<(String, String)>,
    parents: Vec<(String, String)>,
    crs: Vec<(String, String)>,
    map: String,
    has_extent: bool,
}

/// The parent choices: the municipality's places, indented by depth; when editing, not the
/// place itself nor its own sub-places.
fn parent_options(all: &[Area], editing: Option<i64>) -> Vec<(String, String)> {
    let d = depths(all);
    let mut excluded: Vec<i64> = editing.into_iter().collect();
    loop {
        let more: Vec<i64> =
            all.iter().filter(|a| a.parent_id.is_some_and(|p| excluded.contains(&p)) && !excluded.contains(&a.id)).map(|a| a.id).collect();
        if more.is_empty() {
            break;
        }
        excluded.extend(more);
    }
    all.iter()
        .filter(|a| !excluded.contains(&a.id))
        .map(|a| (a.id.to_string(), format!("{}{}", "– ".repeat(d.get(&a.id).copied().unwrap_or(0).min(6)), a.name)))
        .collect()
}

fn drawing_map(muni: &Municipality, all: &[Area], editing: Option<i64>, draft: Option<&serde_json::Value>) -> String {
    let mut map_areas: Vec<MapArea> = all.iter().filter(|a| Some(a.id) != editing).map(MapArea::from_area).collect();
    let name = "Platsen du redigerar";
    if let Some(g) = draft {
        map_areas.push(MapArea::new(name, g).emphasised());
    }
    map::area_map(
        &map_areas,
        &MapOptions {
            id: "ritkarta",
            title: &format!("Karta för att placera platsen i {}", muni.name),
            description: "Kommunens befintliga platser som stöd. Med JavaScript påslaget kan du klicka på kartan för att sätta en punkt eller rita ett område; koordinaterna skrivs då in i GeoJSON-fältet. Utan JavaScript skriver du koordinaterna själv.",
            frame: map::municipality_frame(muni.code),
            name_labels: true,
            drawable: true,
            tiles: map::tiles(),
            ..MapOptions::default()
        },
    )
}

fn form_page(
    session: &Session,
    muni: &'static Municipality,
    all: &[Area],
    form: FormView,
    editing: Option<&Area>,
    draft: Option<&serde_json::Value>,
) -> FormPage {
    let heading = match editing {
        Some(a) => format!("Redigera {}", a.name),
        None => format!("Ny plats i {}", muni.name),
    };
    FormPage {
        chrome: Chrome::new(session, heading.clone(), "areas", &Flash(None)),
        muni,
        heading,
        action: editing.map_or(format!("/platser/{}", muni.code), place_href),
        cancel: editing.map_or(format!("/platser/{}", muni.code), place_href),
        kinds: kind_options(),
        parents: parent_options(all, editing.map(|a| a.id)),
        crs: crs_options(),
        map: drawing_map(muni, all, editing.map(|a| a.id), draft.or(editing.map(|a| &a.geometry))),
        has_extent: muni.extent().is_some(),
        form,
    }
}

async fn list_for(state: &AppState, session: &Session, muni: &'static Municipality) -> Result<Vec<Area>, PageError> {
    let v = session.viewer.clone();
    Ok(state.store.read(move |db| areas::list(db, &v, muni.code)).await?)
}

pub async fn new(State(state): State<AppState>, SignedIn(session): SignedIn, Path(kod): Path<String>) -> PageResult {
    let muni = municipality_of(&kod)?;
    access::require(&session.viewer, Action::ManageAreas { municipality: muni.municipality_code() }).map_err(AppError::from)?;
    let all = list_for(&state, &session, muni).await?;
    let mut form = FormView::empty();
    form.set("geometry_mode", "point").set("crs", "auto").set("kind", "other");
    html(StatusCode::OK, form_page(&session, muni, &all, form, None, None))
}

/// The text of an uploaded GeoJSON file, or a field error.
fn upload_text(upload: &Upload, field: &str) -> Result<String, FieldError> {
    String::from_utf8(upload.bytes.clone()).map_err(|_| {
        FieldError::new(
            field,
            "file.encoding",
            format!("Filen ”{}” är inte text i UTF-8. GeoJSON ska vara UTF-8; spara om filen som GeoJSON.", upload.file_name),
        )
    })
}

/// Reads the place's geometry from the form: typed point, or GeoJSON (file before textarea).
fn geometry_from(form: &FormData, upload: Option<&Upload>, check: &Check) -> Result<(Valid, String), FieldErrors> {
    let mut errs = FieldErrors::new();
    let mode = match form.get("geometry_mode") {
        "geojson" => "geojson",
        "point" => "point",
        _ if upload.is_some() || !form.get("geojson").trim().is_empty() => "geojson",
        _ => "point",
    };
    if mode == "point" {
        return match geometry::point_from_text(form.get("lat"), form.get("lon"), check) {
            Ok(v) => Ok((v, String::new())),
            Err(e) => Err(FieldErrors(e.into_iter().map(|(f, fault)| FieldError::new(f, fault.code, fault.message)).collect())),
        };
    }
    let crs = match CrsChoice::parse(form.get("crs")) {
        Ok(c) => c,
        Err(f) => {
            errs.push(FieldError::new("crs", f.code, f.message));
            CrsChoice::Auto
        }
    };
    let text = match upload {
        Some(u) => match upload_text(u, "geojson") {
            Ok(t) => t,
            Err(e) => {
                errs.push(e);
                return Err(errs);
            }
        },
        None => form.get("geojson").to_owned(),
    };
    match geometry::parse_geometry(&text, crs, check) {
        Ok(v) if errs.is_empty() => Ok((v, text)),
        Ok(_) => Err(errs),
        Err(faults) => {
            for f in faults {
                errs.push(FieldError::new("geojson", f.code, f.message));
            }
            Err(errs)
        }
    }
}

/// Validates the whole form: fields and geometry, all problems together.
fn new_area_from(
    form: &FormData,
    upload: Option<&Upload>,
    muni: &'static Municipality,
    owner: i64,
) -> Result<(NewArea, String), FieldErrors> {
    let fields = AreaFields { name: form.get("name").to_owned(), kind: form.opt("kind"), parent_id: form.int("parent_id") };
    let mut errs = FieldErrors::new();
    let named = match fields.validate() {
        Ok(nk) => Some(nk),
        Err(e) => {
            errs.0.extend(e.0);
            None
        }
    };
    let geometry = match geometry_from(form, upload, &Check::municipality(muni)) {
        Ok(g) => Some(g),
        Err(e) => {
            errs.0.extend(e.0);
            None
        }
    };
    if form.get("parent_id").trim().parse::<i64>().is_err() && !form.get("parent_id").trim().is_empty() {
        errs.push(FieldError::new("parent_id", "parent_id.invalid", "Välj den överordnade platsen i listan."));
    }
    match (named, geometry) {
        (Some((name, kind)), Some((valid, text))) if errs.is_empty() => Ok((
            NewArea {
                municipality: muni.municipality_code(),
                parent_id: fields.parent_id,
                name,
                kind,
                geometry: valid.geometry,
                owner_org_id: owner,
            },
            text,
        )),
        _ => Err(errs),
    }
}

/// The geometry to show on the map of a form sent back with errors: what was typed, if it
/// can be read at all.
fn draft_of(form: &FormData, upload: Option<&Upload>) -> Option<serde_json::Value> {
    let check = Check::sweden();
    geometry_from(form, upload, &check).ok().and_then(|(v, _)| serde_json::from_str(&v.geometry.geojson).ok())
}

/// [`draft_of`] on the blocking pool: it reads and checks the geometry again.
async fn draft_off_runtime(form: &FormData, upload: Option<&Upload>) -> Result<Option<serde_json::Value>, AppError> {
    let (f, u) = (form.clone(), upload.cloned());
    off_runtime(move || draft_of(&f, u.as_ref())).await
}

/// Sends the form back with what was typed (the uploaded file's text in the textarea).
fn resubmitted(form: &FormData, upload: Option<&Upload>, errors: FieldErrors) -> FormView {
    let mut view = FormView::submitted(form, errors);
    if let Some(u) = upload
        && let Ok(t) = String::from_utf8(u.bytes.clone())
        && t.len() <= 200_000
    {
        view.set("geojson", t).set("geometry_mode", "geojson");
    }
    view
}

pub async fn create(
    State(state): State<AppState>,
    Path(kod): Path<String>,
    SignedUpload(session, form, upload): SignedUpload,
) -> PageResult {
    let muni = municipality_of(&kod)?;
    let code = muni.municipality_code();
    let v = session.viewer.clone();
    let owner = state.store.read(move |db| areas::owner_for(db, &v, code)).await?;
    let (f, u) = (form.clone(), upload.clone());
    let checked = off_runtime(move || new_area_from(&f, u.as_ref(), muni, owner)).await?;
    let result = match checked {
        Ok((a, _)) => {
            let v = session.viewer.clone();
            state.store.write(move |db| areas::create(db, &v, &a)).await.map_err(AppError::from)
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(a) => Ok(Redirect::to(&format!("{}?klart=skapad", place_href(&a))).into_response()),
        Err(AppError::Invalid(errors)) => {
            let all = list_for(&state, &session, muni).await?;
            let draft = draft_off_runtime(&form, upload.as_ref()).await?;
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(&session, muni, &all, resubmitted(&form, upload.as_ref(), errors), None, draft.as_ref()),
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// The edit form's values for a stored place: a point as latitude/longitude, a polygon as
/// GeoJSON (WGS84).
fn form_of(a: &Area) -> FormView {
    let mut f = FormView::empty();
    f.set("name", a.name.clone())
        .set("kind", a.kind.clone())
        .set("parent_id", a.parent_id.map(|p| p.to_string()).unwrap_or_default())
        .set("version", a.version.to_string())
        .set("crs", "wgs84");
    match a.shape() {
        Ok(Shape::Point([lon, lat])) => {
            f.set("geometry_mode", "point").set("lat", lat.to_string()).set("lon", lon.to_string());
        }
        _ => {
            f.set("geometry_mode", "geojson").set("geojson", a.geometry.to_string());
        }
    }
    f
}

pub async fn edit(State(state): State<AppState>, SignedIn(session): SignedIn, Path((kod, id)): Path<(String, i64)>) -> PageResult {
    let muni = municipality_of(&kod)?;
    let (area, all) = load(&state, &session, muni, id).await?;
    access::require(&session.viewer, Action::ManageAreas { municipality: muni.municipality_code() }).map_err(AppError::from)?;
    html(StatusCode::OK, form_page(&session, muni, &all, form_of(&area), Some(&area), None))
}

pub async fn update(
    State(state): State<AppState>,
    Path((kod, id)): Path<(String, i64)>,
    SignedUpload(session, form, upload): SignedUpload,
) -> PageResult {
    let muni = municipality_of(&kod)?;
    let (area, all) = load(&state, &session, muni, id).await?;
    access::require(&session.viewer, Action::ManageAreas { municipality: muni.municipality_code() }).map_err(AppError::from)?;
    let id = area.id;
    let (f, u, owner) = (form.clone(), upload.clone(), area.owner_org_id);
    let checked = off_runtime(move || new_area_from(&f, u.as_ref(), muni, owner)).await?;
    let result = match both(checked, version_of(&form)) {
        Ok(((a, _), version)) => {
            let v = session.viewer.clone();
            state.store.write(move |db| areas::update(db, &v, id, version, &a)).await.map_err(AppError::from)
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    let draft = if result.is_err() { draft_off_runtime(&form, upload.as_ref()).await? } else { None };
    match result {
        Ok(a) => Ok(Redirect::to(&format!("{}?klart=sparad", place_href(&a))).into_response()),
        Err(AppError::Invalid(errors)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&session, muni, &all, resubmitted(&form, upload.as_ref(), errors), Some(&area), draft.as_ref()),
        ),
        Err(AppError::Stale) => {
            let mut view = resubmitted(&form, upload.as_ref(), FieldError::new("version", "stale", AppError::Stale.message()).into());
            view.set("version", area.version.to_string());
            html(StatusCode::CONFLICT, form_page(&session, muni, &all, view, Some(&area), draft.as_ref()))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- delete ----

#[derive(Template)]
#[template(path = "places/areas/delete.html")]
struct DeletePage {
    chrome: Chrome,
    area: Area,
    parent: Option<Area>,
    children: Vec<Area>,
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((kod, id)): Path<(String, i64)>,
) -> PageResult {
    let muni = municipality_of(&kod)?;
    let (area, all) = load(&state, &session, muni, id).await?;
    access::require(&session.viewer, Action::ManageAreas { municipality: muni.municipality_code() }).map_err(AppError::from)?;
    let parent = area.parent_id.and_then(|p| all.iter().find(|a| a.id == p)).cloned();
    let children = all.iter().filter(|a| a.parent_id == Some(area.id)).cloned().collect();
    html(
        StatusCode::OK,
        DeletePage { chrome: Chrome::new(&session, format!("Ta bort {}", area.name), "areas", &Flash(None)), area, parent, children },
    )
}

pub async fn delete(
    State(state): State<AppState>,
    Path((kod, id)): Path<(String, i64)>,
    crate::kit::auth::SignedForm(session, _): crate::kit::auth::SignedForm,
) -> PageResult {
    let muni = municipality_of(&kod)?;
    let (area, _) = load(&state, &session, muni, id).await?;
    let v = session.viewer.clone();
    let id = area.id;
    let removed = state.store.write(move |db| areas::delete(db, &v, id)).await?;
    let done = if removed == areas::Removed::Archived { "arkiverad" } else { "borttagen" };
    Ok(Redirect::to(&format!("/platser/{}?klart={done}", muni.code)).into_response())
}

// ---- import ----

#[derive(Template)]
#[template(path = "places/areas/import.html")]
struct ImportPage {
    chrome: Chrome,
    muni: &'static Municipality,
    form: FormView,
    crs: Vec<(String, String)>,
    preview: Option<Preview>,
    /// The checked text, carried to the commit.
    checked: String,
    checked_crs: String,
    map: String,
    has_extent: bool,
}

fn import_page(
    session: &Session,
    muni: &'static Municipality,
    form: FormView,
    preview: Option<Preview>,
    checked: String,
    checked_crs: String,
) -> ImportPage {
    let map = match &preview {
        Some(p) if !p.geometries.is_empty() => {
            let title = format!("Förhandsgranskning: platserna som importeras i {}", muni.name);
            let areas: Vec<MapArea> = p.geometries.iter().map(|(n, g)| MapArea::new(n, g)).collect();
            map::area_map(
                &areas,
                &MapOptions {
                    id: "forhandskarta",
                    title: &title,
                    description: "Objekten i filen som gick att läsa. Samma objekt finns i tabellen.",
                    name_labels: true,
                    tiles: map::tiles(),
                    ..MapOptions::default()
                },
            )
        }
        _ => String::new(),
    };
    ImportPage {
        chrome: Chrome::new(session, format!("Importera platser i {}", muni.name), "areas", &Flash(None)),
        muni,
        form,
        crs: crs_options(),
        preview,
        checked,
        checked_crs,
        map,
        has_extent: muni.extent().is_some(),
    }
}

pub async fn import_form(SignedIn(session): SignedIn, Path(kod): Path<String>) -> PageResult {
    let muni = municipality_of(&kod)?;
    access::require(&session.viewer, Action::ManageAreas { municipality: muni.municipality_code() }).map_err(AppError::from)?;
    let mut form = FormView::empty();
    form.set("crs", "auto");
    html(StatusCode::OK, import_page(&session, muni, form, None, String::new(), String::new()))
}

/// Step 1: read the file or the pasted text and show what would be created.
pub async fn import_preview(
    State(state): State<AppState>,
    Path(kod): Path<String>,
    SignedUpload(session, form, upload): SignedUpload,
) -> PageResult {
    let muni = municipality_of(&kod)?;
    access::require(&session.viewer, Action::ManageAreas { municipality: muni.municipality_code() }).map_err(AppError::from)?;
    let mut view = FormView::submitted(&form, FieldErrors::new());
    let crs = match CrsChoice::parse(form.get("crs")) {
        Ok(c) => c,
        Err(f) => {
            view.errors.push(FieldError::new("crs", f.code, f.message));
            return html(StatusCode::UNPROCESSABLE_ENTITY, import_page(&session, muni, view, None, String::new(), String::new()));
        }
    };
    let text = match &upload {
        Some(u) => match upload_text(u, "geojson") {
            Ok(t) => t,
            Err(e) => {
                view.errors.push(e);
                return html(StatusCode::UNPROCESSABLE_ENTITY, import_page(&session, muni, view, None, String::new(), String::new()));
            }
        },
        None => form.get("geojson").to_owned(),
    };
    if text.len() <= 200_000 {
        view.set("geojson", text.clone());
    }
    match preview(&state, &session.viewer, muni, &text, crs).await {
        Ok(p) => {
            let status = if p.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            view.errors = p.errors.clone();
            html(status, import_page(&session, muni, view, Some(p), text, crs.code().to_owned()))
        }
        Err(AppError::Invalid(e)) => {
            view.errors = e;
            html(StatusCode::UNPROCESSABLE_ENTITY, import_page(&session, muni, view, None, String::new(), String::new()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Step 2: check everything again and create every place in one transaction, or none.
pub async fn import_commit(
    State(state): State<AppState>,
    Path(kod): Path<String>,
    SignedUpload(session, form, _): SignedUpload,
) -> PageResult {
    let muni = municipality_of(&kod)?;
    access::require(&session.viewer, Action::ManageAreas { municipality: muni.municipality_code() }).map_err(AppError::from)?;
    let text = form.get("geojson").to_owned();
    let crs = CrsChoice::parse(form.get("crs")).unwrap_or_default();
    let result = match preview(&state, &session.viewer, muni, &text, crs).await {
        Ok(p) if p.errors.is_empty() => {
            let (v, code, items) = (session.viewer.clone(), muni.municipality_code(), p.items);
            state.store.write(move |db| areas::create_many(db, &v, code, &items)).await.map_err(AppError::from)
        }
        Ok(p) => Err(AppError::Invalid(p.errors)),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/platser/{}?klart=importerad", muni.code)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut view = FormView::submitted(&form, errors);
            view.set("geojson", text);
            html(StatusCode::UNPROCESSABLE_ENTITY, import_page(&session, muni, view, None, String::new(), String::new()))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_a_point_or_geojson() {
        let check = Check::municipality(geography::municipality("1287").unwrap());
        let f =
            FormData(vec![("geometry_mode".into(), "point".into()), ("lat".into(), "55,3751".into()), ("lon".into(), "13,1566".into())]);
        assert!(geometry_from(&f, None, &check).is_ok());
        let f = FormData(vec![
            ("geometry_mode".into(), "geojson".into()),
            ("crs".into(), "sweref99tm".into()),
            ("geojson".into(), r#"{"type":"Point","coordinates":[383190,6138080]}"#.into()),
        ]);
        assert!(geometry_from(&f, None, &check).is_ok());
        let f = FormData(vec![("geometry_mode".into(), "geojson".into()), ("geojson".into(), "{".into())]);
        let e = geometry_from(&f, None, &check).unwrap_err();
        assert_eq!((e.0[0].field.as_str(), e.0[0].code), ("geojson", "geojson.syntax"));
    }
}
