//! Importera: bringing files into the situation picture.
//!
//! - The observation wizard: choose forum and file → choose columns (guessed from the headers)
//!   → preview the first rows as they will be stored, with every row error by row and column →
//!   import all rows or none. The uploaded bytes wait in `import_uploads` between the steps.
//! - Police events (the police's events API JSON), with each forum's mapping of event types to
//!   its categories.
//! - Reported-crime statistics and safety surveys.
//!
//! Files come as `multipart/form-data` through [`SignedUpload`] (in `kit::upload`), which checks
//! the session, the `Origin` header and the CSRF token like `SignedForm` does, and refuses a file
//! over 20 MB before parsing it. The crime-statistics and survey uploads share one flow
//! ([`import_stats`] onto the store's `imports::stats::import_stats_file`, which the API's
//! import uses too).

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::geography;
use brygga_domain::{FieldError, FieldErrors};
use brygga_import::RowErrors;
use brygga_import::police_events::parse_police_events_with;
use brygga_import::tabular::{ReadOptions, SourceFormat, Table, column_letter};
use brygga_store::forums::forum::{self, Forum};
use brygga_store::picture::imports::stats::{self, StatsFile, StatsImported, StatsKind, StatsOutcome};
use brygga_store::picture::imports::{
    self, Batch, ColumnMapping, ImportKind, MAX_UPLOAD_BYTES, ObservationContext, ObservationSettings, PreviewRow, Refusal, Source, Target,
    UploadMeta,
};
use brygga_store::picture::police_events::{self, EventsFile, ImportSummary, TypeMapping};
use brygga_store::picture::statistics::{CrimeStatsImport, SurveyImport, SurveyTarget};
use brygga_store::{Action, StoreError, Viewer, Visibility, forums::categories, kernel::access};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, html};
use crate::kit::upload::{SignedUpload, UPLOAD_BODY_LIMIT, UploadedFile};

/// Rows shown in the wizard's preview.
const PREVIEW_ROWS: usize = 10;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/importera", get(hub))
        .route("/importera/observationer", get(observations_start).post(observations_upload))
        .route("/importera/observationer/{id}", get(observations_columns))
        .route("/importera/observationer/{id}/kolumner", post(observations_columns_again))
        .route("/importera/observationer/{id}/granska", post(observations_preview))
        .route("/importera/observationer/{id}/spara", post(observations_commit))
        .route("/importera/observationer/{id}/avbryt", post(observations_cancel))
        .route("/importera/polisen", get(police_start).post(police_upload))
        .route("/importera/polisen/kategorier/{forum}", get(police_mapping).post(police_mapping_save))
        .route("/importera/brottsstatistik", get(crime_start).post(crime_upload))
        .route("/importera/trygghetsmatning", get(survey_start).post(survey_upload))
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
}

// ---------------------------------------------------------------------------------------------
// Receiving a file

fn no_file() -> FieldError {
    FieldError::new("file", "required", "Välj en fil att läsa in.")
}

/// The organisations the viewer may import for, as options.
fn org_options(v: &Viewer) -> Vec<(String, String)> {
    imports::import_orgs(v).into_iter().map(|(id, name)| (id.to_string(), name)).collect()
}

/// The organisation chosen in a form, or the viewer's only one.
fn chosen_org(v: &Viewer, form: &FormData) -> Result<i64, FieldError> {
    let mine = imports::import_orgs(v);
    match form.int("org_id") {
        Some(o) if mine.iter().any(|(id, _)| *id == o) => Ok(o),
        Some(_) => Err(FieldError::new("org_id", "org.not_member", "Välj en av dina organisationer.")),
        None => match mine.as_slice() {
            [(one, _)] => Ok(*one),
            [] => Err(FieldError::new(
                "org_id",
                "role.import",
                "Du behöver vara medlem, samordnare eller administratör i en organisation för att importera.",
            )),
            _ => Err(FieldError::new("org_id", "required", "Välj vilken organisation som importerar.")),
        },
    }
}

/// The forums the viewer's organisations are in.
async fn my_forums(state: &AppState, v: &Viewer) -> PageResult<Vec<Forum>> {
    let v = v.clone();
    Ok(state
        .store
        .read(move |db| {
            let all = forum::list(db, &v)?;
            Ok(all.into_iter().filter(|f| v.forum_ids().contains(&f.id)).collect::<Vec<_>>())
        })
        .await?)
}

fn format_label(f: &SourceFormat) -> String {
    match f {
        SourceFormat::Csv { encoding, delimiter } => {
            let d = match delimiter {
                ';' => "semikolon".to_owned(),
                ',' => "komma".to_owned(),
                '\t' => "tabb".to_owned(),
                other => format!("”{other}”"),
            };
            format!("CSV, {}, avgränsad med {d}", encoding.label_sv())
        }
        SourceFormat::Spreadsheet { sheet } => format!("Kalkylark, bladet ”{sheet}”"),
    }
}

// ---------------------------------------------------------------------------------------------
// The hub

#[derive(Template)]
#[template(path = "picture/imports/hub.html")]
struct HubPage {
    chrome: Chrome,
    batches: Vec<Batch>,
    can_import: bool,
}

impl HubPage {
    /// The Swedish name of an import's kind, e.g. "Anmälda brott".
    fn kind_label(&self, kind: &ImportKind) -> &'static str {
        match kind {
            ImportKind::Observations => "Observationer",
            ImportKind::PoliceEvents => "Polisens händelser",
            ImportKind::CrimeStatistics => "Anmälda brott",
            ImportKind::SafetySurvey => "Trygghetsmätning",
        }
    }
}

pub async fn hub(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let batches = state.store.read(move |db| imports::list_batches(db, &v, 20)).await?;
    html(
        StatusCode::OK,
        HubPage {
            chrome: Chrome::new(&session, "Importera", "imports", &flash),
            batches,
            can_import: !imports::import_orgs(&session.viewer).is_empty(),
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Observations, step 1: forum and file

#[derive(Template)]
#[template(path = "picture/imports/observations_upload.html")]
struct ObservationsUploadPage {
    chrome: Chrome,
    form: FormView,
    forums: Vec<(String, String)>,
    orgs: Vec<(String, String)>,
}

async fn upload_page(state: &AppState, session: &Session, form: FormView, status: StatusCode) -> PageResult {
    let forums = my_forums(state, &session.viewer).await?.into_iter().map(|f| (f.id.to_string(), f.name)).collect();
    let page = ObservationsUploadPage {
        chrome: Chrome::new(session, "Importera observationer", "imports", &Flash(None)),
        form,
        forums,
        orgs: org_options(&session.viewer),
    };
    html(status, page)
}

pub async fn observations_start(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    upload_page(&state, &session, FormView::empty(), StatusCode::OK).await
}

pub async fn observations_upload(State(state): State<AppState>, SignedUpload(session, received): SignedUpload) -> PageResult {
    let (form, file) = match received {
        Ok(r) => r,
        Err(p) => return upload_page(&state, &session, p.form(), StatusCode::PAYLOAD_TOO_LARGE).await,
    };
    let mut errors = FieldErrors::new();
    let forum_id = form.int("forum_id");
    if forum_id.is_none() {
        errors.push(FieldError::new("forum_id", "required", "Välj forumet vars checklista observationerna hör till."));
    }
    if file.is_none() {
        errors.push(no_file());
    }
    let (Some(forum_id), Some(file)) = (forum_id, file) else {
        return upload_page(&state, &session, FormView::submitted(&form, errors), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let settings = ObservationSettings { forum_id, org_id: form.int("org_id"), visibility: None };
    // Read the file now, so that an unreadable one is explained at once.
    let bytes = file.bytes;
    let name = file.name;
    let table_check = {
        let (bytes, name) = (bytes.clone(), name.clone());
        tokio::task::spawn_blocking(move || {
            brygga_import::tabular::read_table_with(&bytes, Some(&name), &ReadOptions { max_bytes: MAX_UPLOAD_BYTES }).map(|t| t.rows.len())
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
    };
    let v = session.viewer.clone();
    let result = state
        .store
        .write(move |db| {
            let ctx = match imports::observation_context(db, &v, &settings)? {
                Ok(c) => c,
                Err(r) => return Ok(Err(r)),
            };
            let rows = match table_check {
                Ok(n) => n,
                Err(e) => return Ok(Err(Refusal::from(e))),
            };
            if rows == 0 {
                return Ok(Err(Refusal::File("Filen har en rubrikrad men inga rader under den. Välj filen med observationerna.".into())));
            }
            Ok(imports::create_upload(db, &v, ctx.org_id, ImportKind::Observations, &name, &bytes)?.map(|u| (u, ctx.org_id)))
        })
        .await?;
    match result {
        Ok((upload, org)) => {
            Ok(Redirect::to(&format!("/importera/observationer/{}?forum={forum_id}&org={org}", upload.id)).into_response())
        }
        Err(r) => upload_page(&state, &session, FormView::submitted(&form, file_errors(&r)), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// A refusal as form errors: settings errors stay on their fields, everything else is the file's.
fn file_errors(r: &Refusal) -> FieldErrors {
    match r {
        Refusal::Settings(f) => f.clone(),
        other => FieldError::new("file", other.code(), other.message()).into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Observations, step 2: columns

#[derive(Deserialize)]
pub struct WizardQuery {
    forum: Option<i64>,
    org: Option<i64>,
}

/// A target as shown in the column form.
struct TargetView {
    code: &'static str,
    /// `map_<code>`: the column select.
    field: String,
    /// `const_<code>`: the value for every row.
    const_field: String,
    label: &'static str,
    hint: &'static str,
    options: Vec<(String, String)>,
    constant: bool,
}

fn hint(t: Target) -> &'static str {
    match t {
        Target::Category => "Kategorins namn eller kod i forumets checklista, till exempel Klotter eller graffiti.",
        Target::Area => "Platsens namn som det står under kommunens platser. Tom cell: bara kommunen.",
        Target::ObservedAt => "Till exempel 2024-11-20 21:30 eller 2024-11-20 (räknas som kl. 12). Svensk tid.",
        Target::Time => "Används när datum och klockslag står i olika kolumner, till exempel 21:30.",
        Target::Quantity => "Ett heltal 1–10 000. Tom cell eller ingen kolumn: 1.",
        Target::Intensity => "Bara för kategorier med intensitetsskala, till exempel 1–5.",
        Target::Note => "Högst 500 tecken. Personnummer, telefonnummer och e-postadresser stoppas.",
        Target::Lat | Target::Lon => "Grader med decimaler (WGS84), till exempel 55,3752 och 13,1569.",
    }
}

fn target_views(table: &Table) -> Vec<TargetView> {
    let columns = table.headers.len().max(table.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0));
    Target::ALL
        .iter()
        .map(|t| {
            let mut options: Vec<(String, String)> =
                (0..columns).map(|i| (i.to_string(), format!("Kolumn {}: {}", column_letter(i), table.column_name(i)))).collect();
            if t.allows_constant() {
                options.push(("const".to_owned(), "Samma värde för alla rader (ange nedan)".to_owned()));
            }
            TargetView {
                code: t.code(),
                field: format!("map_{}", t.code()),
                const_field: format!("const_{}", t.code()),
                label: t.label(),
                hint: hint(*t),
                options,
                constant: t.allows_constant(),
            }
        })
        .collect()
}

/// The mapping as form values (`map_<target>`, `const_<target>`).
fn mapping_values(m: &ColumnMapping) -> Vec<(String, String)> {
    let mut values = Vec::new();
    for t in Target::ALL {
        match m.get(t) {
            Source::None => values.push((format!("map_{}", t.code()), String::new())),
            Source::Column(i) => values.push((format!("map_{}", t.code()), i.to_string())),
            Source::Constant(c) => {
                values.push((format!("map_{}", t.code()), "const".to_owned()));
                values.push((format!("const_{}", t.code()), c.clone()));
            }
        }
    }
    values
}

/// Reads the mapping from a submitted form.
fn mapping_from(form: &FormData) -> Result<ColumnMapping, FieldErrors> {
    let mut m = ColumnMapping::default();
    let mut errs = FieldErrors::new();
    for t in Target::ALL {
        let key = format!("map_{}", t.code());
        let raw = form.get(&key).trim();
        let source = match raw {
            "" => Source::None,
            "const" => Source::Constant(form.get(&format!("const_{}", t.code())).trim().to_owned()),
            n => match n.parse::<usize>() {
                Ok(i) => Source::Column(i),
                Err(_) => {
                    errs.push(FieldError::new(key, "mapping.column", "Välj en kolumn i listan."));
                    Source::None
                }
            },
        };
        m.set(t, source);
    }
    errs.into_result().map(|()| m)
}

#[derive(Template)]
#[template(path = "picture/imports/observations_columns.html")]
struct ColumnsPage {
    chrome: Chrome,
    upload: UploadMeta,
    headers: Vec<String>,
    sample: Vec<Vec<String>>,
    rows: usize,
    format: String,
    forum_name: String,
    targets: Vec<TargetView>,
    categories: Vec<(String, String)>,
    areas: Vec<(String, String)>,
    visibility_options: Vec<(String, String)>,
    form: FormView,
    forum_id: i64,
    org_id: i64,
}

/// The upload, its table and the import context, or why there are none.
struct Wizard {
    upload: UploadMeta,
    table: Table,
    ctx: ObservationContext,
}

enum WizardState {
    Ready(Box<Wizard>),
    Refused(Refusal),
}

async fn load_wizard(state: &AppState, v: &Viewer, id: i64, settings: ObservationSettings) -> PageResult<WizardState> {
    let v = v.clone();
    let loaded = state
        .store
        .read(move |db| {
            let upload = match imports::get_upload(db, &v, id) {
                Ok(u) => u,
                Err(StoreError::NotFound { .. }) => return Ok(None),
                Err(e) => return Err(e),
            };
            let ctx = imports::observation_context(db, &v, &settings)?;
            Ok(Some((upload, ctx)))
        })
        .await?;
    let Some((upload, ctx)) = loaded else { return Err(gone()) };
    let ctx = match ctx {
        Ok(c) => c,
        Err(r) => return Ok(WizardState::Refused(r)),
    };
    let meta = upload.meta.clone();
    let table = tokio::task::spawn_blocking(move || imports::read_upload(&upload)).await.map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(match table {
        Ok(table) => WizardState::Ready(Box::new(Wizard { upload: meta, table, ctx })),
        Err(r) => WizardState::Refused(r),
    })
}

/// The answer when the upload is gone: imported already, expired, or someone else's.
fn gone() -> PageError {
    PageError(AppError::BadRequest(
        "Den uppladdade filen finns inte längre: antingen är den redan importerad (se listan under Importera), avbruten, eller så har \
         det gått mer än ett dygn sedan den laddades upp. Ladda upp filen igen."
            .into(),
    ))
}

fn visibility_options() -> Vec<(String, String)> {
    vec![
        ("forum".to_owned(), "Forumets organisationer (rekommenderas)".to_owned()),
        ("organisation".to_owned(), "Bara vår organisation".to_owned()),
    ]
}

fn columns_page(session: &Session, w: &Wizard, form: FormView, forum_id: i64) -> ColumnsPage {
    ColumnsPage {
        chrome: Chrome::new(session, "Välj kolumner", "imports", &Flash(None)),
        upload: w.upload.clone(),
        headers: (0..w.table.headers.len()).map(|i| w.table.column_name(i)).collect(),
        sample: w.table.rows.iter().take(3).map(|r| (0..w.table.headers.len()).map(|i| r.get(i).to_owned()).collect()).collect(),
        rows: w.table.rows.len(),
        format: format_label(&w.table.format),
        forum_name: w.ctx.forum.name.clone(),
        targets: target_views(&w.table),
        categories: w.ctx.categories.iter().map(|c| (c.id.to_string(), c.name.clone())).collect(),
        areas: w.ctx.areas.iter().map(|a| (a.id.to_string(), a.name.clone())).collect(),
        visibility_options: visibility_options(),
        form,
        forum_id,
        org_id: w.ctx.org_id,
    }
}

/// Answers a refusal of the wizard's settings by sending the user back to the first step.
async fn refused_settings(state: &AppState, session: &Session, r: Refusal) -> PageResult {
    upload_page(state, session, FormView { values: vec![], errors: file_errors(&r) }, StatusCode::UNPROCESSABLE_ENTITY).await
}

pub async fn observations_columns(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<WizardQuery>,
) -> PageResult {
    let forum_id = q.forum.ok_or_else(gone)?;
    let settings = ObservationSettings { forum_id, org_id: q.org, visibility: None };
    let w = match load_wizard(&state, &session.viewer, id, settings).await? {
        WizardState::Ready(w) => w,
        WizardState::Refused(r) => return refused_settings(&state, &session, r).await,
    };
    let guess = ColumnMapping::guess(&w.table.headers);
    let mut form = FormView { values: mapping_values(&guess), errors: FieldErrors::new() };
    form.set("visibility", w.ctx.visibility.kind().code());
    html(StatusCode::OK, columns_page(&session, &w, form, forum_id))
}

fn settings_from(form: &FormData) -> Result<ObservationSettings, PageError> {
    Ok(ObservationSettings {
        forum_id: form.int("forum_id").ok_or_else(gone)?,
        org_id: form.int("org_id"),
        visibility: form.opt("visibility"),
    })
}

/// "Ändra kolumnval" from the preview: the column form with the values chosen before.
pub async fn observations_columns_again(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let settings = settings_from(&form)?;
    let forum_id = settings.forum_id;
    let w = match load_wizard(&state, &session.viewer, id, settings).await? {
        WizardState::Ready(w) => w,
        WizardState::Refused(r) => return refused_settings(&state, &session, r).await,
    };
    html(StatusCode::OK, columns_page(&session, &w, FormView::submitted(&form, FieldErrors::new()), forum_id))
}

// ---------------------------------------------------------------------------------------------
// Observations, step 3: preview; step 4: commit

#[derive(Template)]
#[template(path = "picture/imports/observations_preview.html")]
struct PreviewPage {
    chrome: Chrome,
    upload: UploadMeta,
    forum_name: String,
    visibility_label: String,
    rows: usize,
    valid: usize,
    preview: Vec<PreviewRow>,
    errors: RowErrors,
    /// A problem with the whole file (the same file imported before), shown above everything.
    problem: Option<String>,
    /// The chosen mapping and settings, carried to the next step.
    hidden: Vec<(String, String)>,
}

impl PreviewPage {
    fn when(&self, r: &PreviewRow) -> String {
        r.observed_at_ms
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .map(brygga_domain::time::format_local)
            .unwrap_or_default()
    }
    fn position(&self, r: &PreviewRow) -> String {
        r.position.map(|(lat, lon)| format!("{lat:.5}, {lon:.5}")).unwrap_or_default()
    }
    fn rows_with_errors(&self) -> usize {
        self.rows - self.valid
    }
}

fn carried(form: &FormData) -> Vec<(String, String)> {
    form.0
        .iter()
        .filter(|(k, _)| k.starts_with("map_") || k.starts_with("const_") || matches!(k.as_str(), "forum_id" | "org_id" | "visibility"))
        .cloned()
        .collect()
}

fn visibility_label(v: Visibility, forum: &str) -> String {
    match v {
        Visibility::Forum { .. } => format!("Organisationerna i forumet {forum}"),
        Visibility::Organisation => "Bara er organisation".to_owned(),
        Visibility::Public => "Alla".to_owned(),
    }
}

enum Checked {
    Page(Box<PreviewPage>),
    Columns(Box<ColumnsPage>),
}

/// Checks the mapping and every row (the preview's work), on the blocking pool.
async fn check(state: &AppState, session: &Session, id: i64, form: &FormData) -> PageResult<Result<Checked, Refusal>> {
    let settings = settings_from(form)?;
    let forum_id = settings.forum_id;
    let w = match load_wizard(state, &session.viewer, id, settings).await? {
        WizardState::Ready(w) => w,
        WizardState::Refused(r) => return Ok(Err(r)),
    };
    let mapping = match mapping_from(form) {
        Ok(m) => m,
        Err(e) => return Ok(Ok(Checked::Columns(Box::new(columns_page(session, &w, FormView::submitted(form, e), forum_id))))),
    };
    if let Err(e) = imports::check_mapping(&w.ctx, &w.table, &mapping) {
        return Ok(Ok(Checked::Columns(Box::new(columns_page(session, &w, FormView::submitted(form, e), forum_id)))));
    }
    let now = jiff::Timestamp::now();
    let (w, checked) = tokio::task::spawn_blocking(move || {
        let checked = imports::check_rows(&w.ctx, &w.table, &mapping, now, PREVIEW_ROWS);
        (w, checked)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Ok(Checked::Page(Box::new(PreviewPage {
        chrome: Chrome::new(session, "Granska importen", "imports", &Flash(None)),
        upload: w.upload.clone(),
        forum_name: w.ctx.forum.name.clone(),
        visibility_label: visibility_label(w.ctx.visibility, &w.ctx.forum.name),
        rows: checked.rows,
        valid: checked.valid.len(),
        preview: checked.preview,
        errors: checked.errors,
        problem: None,
        hidden: carried(form),
    }))))
}

pub async fn observations_preview(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    match check(&state, &session, id, &form).await? {
        Ok(Checked::Page(p)) => {
            let status = if p.errors.total > 0 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            html(status, *p)
        }
        Ok(Checked::Columns(c)) => html(StatusCode::UNPROCESSABLE_ENTITY, *c),
        Err(r) => refused_settings(&state, &session, r).await,
    }
}

pub async fn observations_commit(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let settings = settings_from(&form)?;
    let mapping = match mapping_from(&form) {
        Ok(m) => m,
        Err(_) => return observations_preview(State(state), Path(id), SignedForm(session, form)).await,
    };
    let v = session.viewer.clone();
    let now = jiff::Timestamp::now();
    let result = state.store.write(move |db| imports::commit_observations(db, &v, id, &settings, &mapping, now)).await;
    match result {
        Ok(Ok(done)) => {
            tracing::info!(batch_id = done.batch_id, rows = done.rows, "observations imported");
            Ok(Redirect::to("/importera?klart=importerad").into_response())
        }
        Err(StoreError::NotFound { kind: "upload" }) => Err(gone()),
        Err(e) => Err(e.into()),
        Ok(Err(Refusal::SameFile(b))) => {
            // Show the preview again with the reason on top.
            match check(&state, &session, id, &form).await? {
                Ok(Checked::Page(mut p)) => {
                    p.problem = Some(b.same_file_message());
                    html(StatusCode::UNPROCESSABLE_ENTITY, *p)
                }
                Ok(Checked::Columns(c)) => html(StatusCode::UNPROCESSABLE_ENTITY, *c),
                Err(r) => refused_settings(&state, &session, r).await,
            }
        }
        Ok(Err(Refusal::Settings(_) | Refusal::Rows(_))) => match check(&state, &session, id, &form).await? {
            Ok(Checked::Page(p)) => html(StatusCode::UNPROCESSABLE_ENTITY, *p),
            Ok(Checked::Columns(c)) => html(StatusCode::UNPROCESSABLE_ENTITY, *c),
            Err(r) => refused_settings(&state, &session, r).await,
        },
        Ok(Err(r @ Refusal::File(_))) => refused_settings(&state, &session, r).await,
    }
}

pub async fn observations_cancel(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| imports::delete_upload(db, &v, id)).await?;
    Ok(Redirect::to("/importera").into_response())
}

// ---------------------------------------------------------------------------------------------
// Police events

#[derive(Template)]
#[template(path = "picture/imports/police.html")]
struct PolicePage {
    chrome: Chrome,
    form: FormView,
    orgs: Vec<(String, String)>,
    forums: Vec<Forum>,
    stored: i64,
    newest_ms: Option<i64>,
    summary: Option<ImportSummary>,
}

async fn police_page(
    state: &AppState,
    session: &Session,
    form: FormView,
    summary: Option<ImportSummary>,
    status: StatusCode,
) -> PageResult {
    let v = session.viewer.clone();
    let (stored, newest_ms) = state.store.read(move |db| police_events::stats(db, &v)).await?;
    let forums = my_forums(state, &session.viewer).await?;
    html(
        status,
        PolicePage {
            chrome: Chrome::new(session, "Polisens händelser", "imports", &Flash(None)),
            form,
            orgs: org_options(&session.viewer),
            forums,
            stored,
            newest_ms,
            summary,
        },
    )
}

pub async fn police_start(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    police_page(&state, &session, FormView::empty(), None, StatusCode::OK).await
}

pub async fn police_upload(State(state): State<AppState>, SignedUpload(session, received): SignedUpload) -> PageResult {
    let (form, file) = match received {
        Ok(r) => r,
        Err(p) => return police_page(&state, &session, p.form(), None, StatusCode::PAYLOAD_TOO_LARGE).await,
    };
    let org = chosen_org(&session.viewer, &form);
    let (file, org) = match (file, org) {
        (Some(f), Ok(o)) => (f, o),
        (f, o) => {
            let mut errors = FieldErrors::new();
            if let Err(e) = o {
                errors.push(e);
            }
            if f.is_none() {
                errors.push(no_file());
            }
            return police_page(&state, &session, FormView::submitted(&form, errors), None, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let sha = imports::file_sha256(&file.bytes);
    let parsed = {
        let bytes = file.bytes;
        tokio::task::spawn_blocking(move || parse_police_events_with(&bytes, &ReadOptions { max_bytes: MAX_UPLOAD_BYTES }))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
    };
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            let errors = FieldError::new("file", "import.file", e.to_string()).into();
            return police_page(&state, &session, FormView::submitted(&form, errors), None, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let v = session.viewer.clone();
    let name = file.name;
    let summary = state
        .store
        .write(move |db| police_events::import(db, &v, Some(org), EventsFile { file_name: Some(&name), sha256: &sha, parsed }))
        .await?;
    tracing::info!(
        read = summary.read,
        new = summary.new,
        duplicates = summary.duplicates,
        rejected = summary.rejected.len(),
        "police events imported"
    );
    police_page(&state, &session, FormView::submitted(&form, FieldErrors::new()), Some(summary), StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "picture/imports/police_mapping.html")]
struct MappingPage {
    chrome: Chrome,
    forum: Forum,
    rows: Vec<TypeMapping>,
    categories: Vec<(String, String)>,
    can_edit: bool,
    /// The forum has not saved a mapping of its own.
    is_default: bool,
    form: FormView,
}

impl MappingPage {
    fn field(&self, i: &usize) -> String {
        format!("category_{i}")
    }

    fn selected(&self, i: &usize, r: &TypeMapping) -> String {
        let key = format!("category_{i}");
        if self.form.values.iter().any(|(k, _)| *k == key) {
            self.form.value(&key).to_owned()
        } else {
            r.category_id.map(|c| c.to_string()).unwrap_or_default()
        }
    }
}

async fn mapping_page(state: &AppState, session: &Session, forum_id: i64, flash: &Flash, form: FormView, status: StatusCode) -> PageResult {
    let v = session.viewer.clone();
    let (forum, rows, cats) = state
        .store
        .read(move |db| {
            let forum = forum::get(db, &v, forum_id)?;
            let rows = police_events::mapping(db, &v, forum_id)?;
            let cats = categories::list(db, &v, forum_id, false)?;
            Ok((forum, rows, cats))
        })
        .await?;
    let can_edit = access::allowed(&session.viewer, Action::ManageForum { convener: forum.convener.id });
    html(
        status,
        MappingPage {
            chrome: Chrome::new(session, "Händelsetyper och kategorier", "imports", flash),
            forum,
            is_default: rows.first().is_some_and(|r| r.is_default),
            rows,
            categories: cats.into_iter().map(|c| (c.id.to_string(), c.name)).collect(),
            can_edit,
            form,
        },
    )
}

pub async fn police_mapping(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    flash: Flash,
    Path(forum): Path<i64>,
) -> PageResult {
    mapping_page(&state, &session, forum, &flash, FormView::empty(), StatusCode::OK).await
}

pub async fn police_mapping_save(
    State(state): State<AppState>,
    Path(forum): Path<i64>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    let mut entries = Vec::new();
    for i in 0..2000 {
        let key = format!("type_{i}");
        if !form.0.iter().any(|(k, _)| *k == key) {
            break;
        }
        let category = form.get(&format!("category_{i}")).trim().parse::<i64>().ok();
        entries.push((form.get(&key).to_owned(), category));
    }
    let v = session.viewer.clone();
    match state.store.write(move |db| police_events::set_mapping(db, &v, forum, &entries)).await {
        Ok(()) => Ok(Redirect::to(&format!("/importera/polisen/kategorier/{forum}?klart=sparad")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            mapping_page(&state, &session, forum, &Flash(None), FormView::submitted(&form, errors), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Crime statistics

#[derive(Template)]
#[template(path = "picture/imports/crime_stats.html")]
struct CrimePage {
    chrome: Chrome,
    form: FormView,
    orgs: Vec<(String, String)>,
    row_errors: Option<RowErrors>,
    result: Option<(CrimeStatsImport, String)>,
}

fn crime_page(
    session: &Session,
    form: FormView,
    row_errors: Option<RowErrors>,
    result: Option<(CrimeStatsImport, String)>,
    status: StatusCode,
) -> PageResult {
    html(
        status,
        CrimePage {
            chrome: Chrome::new(session, "Anmälda brott", "imports", &Flash(None)),
            form,
            orgs: org_options(&session.viewer),
            row_errors,
            result,
        },
    )
}

pub async fn crime_start(SignedIn(session): SignedIn) -> PageResult {
    crime_page(&session, FormView::empty(), None, None, StatusCode::OK)
}

/// Splits a refusal into form errors and the list of row errors.
fn refusal_parts(r: Refusal) -> (FieldErrors, Option<RowErrors>) {
    match r {
        Refusal::Rows(rows) => {
            let summary = format!(
                "Filen har {} fel och lästes inte in; inget har sparats. Felen står under formuläret med rad och kolumn.",
                rows.total
            );
            (FieldError::new("file", "import.rows", summary).into(), Some(rows))
        }
        other => (file_errors(&other), None),
    }
}

pub async fn crime_upload(State(state): State<AppState>, SignedUpload(session, received): SignedUpload) -> PageResult {
    let (form, file) = match received {
        Ok(r) => r,
        Err(p) => return crime_page(&session, p.form(), None, None, StatusCode::PAYLOAD_TOO_LARGE),
    };
    let org = chosen_org(&session.viewer, &form);
    let (file, org) = match (file, org) {
        (Some(f), Ok(o)) => (f, o),
        (f, o) => {
            let mut errors = FieldErrors::new();
            if let Err(e) = o {
                errors.push(e);
            }
            if f.is_none() {
                errors.push(no_file());
            }
            return crime_page(&session, FormView::submitted(&form, errors), None, None, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    match import_stats(&state, &session, StatsKind::CrimeStatistics { org_id: org }, file).await? {
        Ok(StatsOutcome { imported: StatsImported::CrimeStatistics(done), format }) => {
            tracing::info!(batch_id = done.batch_id, rows = done.rows, "crime statistics imported");
            let result = Some((done, format_label(&format)));
            crime_page(&session, FormView::submitted(&form, FieldErrors::new()), None, result, StatusCode::OK)
        }
        Ok(_) => Err(PageError(AppError::Internal("a crime statistics file stored as something else".into()))),
        Err((errors, rows)) => crime_page(&session, FormView::submitted(&form, errors), rows, None, StatusCode::UNPROCESSABLE_ENTITY),
    }
}

/// The shared end of both statistics uploads: the file imported as `kind` (parsed, checked and
/// stored by the store's one flow), or why not — the form's errors and the list of row errors.
async fn import_stats(
    state: &AppState,
    session: &Session,
    kind: StatsKind,
    file: UploadedFile,
) -> PageResult<Result<StatsOutcome, (FieldErrors, Option<RowErrors>)>> {
    let file = StatsFile { name: Some(file.name), bytes: file.bytes };
    Ok(stats::import_stats_file(&state.store, &session.viewer, kind, file).await?.map_err(refusal_parts))
}

// ---------------------------------------------------------------------------------------------
// Safety surveys

#[derive(Template)]
#[template(path = "picture/imports/survey.html")]
struct SurveyPage {
    chrome: Chrome,
    form: FormView,
    orgs: Vec<(String, String)>,
    shares: Vec<(String, String)>,
    municipalities: Vec<&'static str>,
    row_errors: Option<RowErrors>,
    result: Option<SurveyImport>,
}

async fn survey_page(
    state: &AppState,
    session: &Session,
    form: FormView,
    row_errors: Option<RowErrors>,
    result: Option<SurveyImport>,
    status: StatusCode,
) -> PageResult {
    let mut shares = vec![("organisation".to_owned(), "Bara vår organisation".to_owned())];
    for f in my_forums(state, &session.viewer).await? {
        shares.push((format!("forum:{}", f.id), format!("Forumet {}", f.name)));
    }
    shares.push(("public".to_owned(), "Alla (publikt)".to_owned()));
    html(
        status,
        SurveyPage {
            chrome: Chrome::new(session, "Trygghetsmätning", "imports", &Flash(None)),
            form,
            orgs: org_options(&session.viewer),
            shares,
            municipalities: geography::municipalities().iter().map(|m| m.name).collect(),
            row_errors,
            result,
        },
    )
}

pub async fn survey_start(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    let mut form = FormView::empty();
    form.set("visibility", "organisation");
    if let [one] = session.viewer.memberships()
        && let [m] = one.municipalities.as_slice()
    {
        form.set("municipality", geography::municipality(m).map_or(m.clone(), |m| m.name.to_owned()));
    }
    survey_page(&state, &session, form, None, None, StatusCode::OK).await
}

/// "forum:12" → the forum visibility; "organisation"; "public".
fn share_from(raw: &str) -> Result<Visibility, FieldError> {
    match raw.trim() {
        "" | "organisation" => Ok(Visibility::Organisation),
        "public" => Ok(Visibility::Public),
        other => other
            .strip_prefix("forum:")
            .and_then(|id| id.parse().ok())
            .map(|forum_id| Visibility::Forum { forum_id })
            .ok_or_else(|| FieldError::new("visibility", "visibility.invalid", "Välj vem som ser resultaten i listan.")),
    }
}

pub async fn survey_upload(State(state): State<AppState>, SignedUpload(session, received): SignedUpload) -> PageResult {
    let (form, file) = match received {
        Ok(r) => r,
        Err(p) => return survey_page(&state, &session, p.form(), None, None, StatusCode::PAYLOAD_TOO_LARGE).await,
    };
    let mut errors = FieldErrors::new();
    let org = errors.take(chosen_org(&session.viewer, &form));
    let municipality = match form.opt("municipality") {
        None => {
            errors.push(FieldError::new("municipality", "required", "Skriv kommunen som mätningen gäller, till exempel Trelleborg."));
            None
        }
        Some(m) => match geography::municipality_by_name(&m) {
            Some(m) => Some(m.municipality_code()),
            None => {
                errors.push(FieldError::new(
                    "municipality",
                    "municipality.unknown",
                    format!("Hittar ingen kommun som heter ”{m}”. Skriv kommunens namn eller fyrsiffriga kod, till exempel Trelleborg eller 1287."),
                ));
                None
            }
        },
    };
    let visibility = errors.take(share_from(form.get("visibility")));
    if file.is_none() {
        errors.push(no_file());
    }
    let (Some(org), Some(municipality), Some(visibility), Some(file), true) = (org, municipality, visibility, file, errors.is_empty())
    else {
        return survey_page(&state, &session, FormView::submitted(&form, errors), None, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let target = SurveyTarget { org_id: org, municipality, visibility };
    match import_stats(&state, &session, StatsKind::SafetySurvey(target), file).await? {
        Ok(StatsOutcome { imported: StatsImported::SafetySurvey(done), .. }) => {
            tracing::info!(batch_id = done.batch_id, rows = done.rows, "safety survey imported");
            // Keep the municipality and the audience for the next file of the same survey.
            survey_page(&state, &session, FormView::submitted(&form, FieldErrors::new()), None, Some(done), StatusCode::OK).await
        }
        Ok(_) => Err(PageError(AppError::Internal("a safety survey stored as something else".into()))),
        Err((errors, rows)) => {
            survey_page(&state, &session, FormView::submitted(&form, errors), rows, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_round_trips_through_the_form() {
        let mut m = ColumnMapping::default();
        m.set(Target::Category, Source::Constant("12".into()));
        m.set(Target::ObservedAt, Source::Column(2));
        let form = FormData(mapping_values(&m));
        let back = mapping_from(&form).unwrap();
        assert_eq!(back.get(Target::Category), &Source::Constant("12".into()));
        assert_eq!(back.get(Target::ObservedAt), &Source::Column(2));
        assert_eq!(back.get(Target::Note), &Source::None);
        assert!(mapping_from(&FormData(vec![("map_note".into(), "x".into())])).is_err());
    }

    #[test]
    fn share_choices() {
        assert_eq!(share_from("forum:4").unwrap(), Visibility::Forum { forum_id: 4 });
        assert_eq!(share_from("").unwrap(), Visibility::Organisation);
        assert!(share_from("forum:x").is_err());
    }
}
