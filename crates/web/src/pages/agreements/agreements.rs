//! Överenskommelser: the list, a new agreement, one agreement (header, parties and signing
//! dates, the decision, links to the lägesbild/problembild and plan, the signed document, its
//! assessments and snapshots), editing, concluding, sharing, the document upload and download,
//! and the agreement as `brygga.agreement` JSON with its import.
//!
//! Paths: `/overenskommelser`, `/overenskommelser/ny`, `/overenskommelser/importera`,
//! `/overenskommelser/{id}` (`/redigera`, `/underskrifter`, `/fastall`, `/dela`, `/dokument`,
//! `/export.json`). An agreement the viewer may not read is 404; who may write is the store's.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::agreements::AgreementKind;
use brygga_domain::{FieldError, FieldErrors, OrgKind};
use brygga_store::agreements::agreement::{self, Agreement, AgreementInput, ListFilter, ShareInput, Signature, SigningInput};
use brygga_store::agreements::assessments::{self, AssessmentRef, Snapshot};
use brygga_store::agreements::transfer::{self, AgreementFile};
use brygga_store::{Conn, StoreError, StoreResult, Viewer};

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::export::attachment;
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted, version_of};
use crate::kit::upload::{SignedUpload, UPLOAD_BODY_LIMIT};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/overenskommelser", get(list))
        .route("/overenskommelser/ny", get(new).post(create))
        .route("/overenskommelser/importera", get(import_form).post(import))
        .route("/overenskommelser/{id}", get(show))
        .route("/overenskommelser/{id}/redigera", get(edit).post(update))
        .route("/overenskommelser/{id}/underskrifter", post(sign))
        .route("/overenskommelser/{id}/fastall", post(conclude))
        .route("/overenskommelser/{id}/dela", post(share))
        .route("/overenskommelser/{id}/export.json", get(export))
        .route("/overenskommelser/{id}/dokument", get(download).post(upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)))
}

type Options = Vec<(String, String)>;

fn chosen_id(form: &FormData, field: &str, errs: &mut FieldErrors) -> Option<i64> {
    let raw = form.opt(field)?;
    match raw.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errs.push(FieldError::new(field, "invalid", format!("”{raw}” är inget giltigt val. Ladda om sidan och välj i listan.")));
            None
        }
    }
}

fn kinds() -> Options {
    AgreementKind::ALL.iter().map(|k| (k.code().to_owned(), k.label().to_owned())).collect()
}

/// Whether the viewer coordinates one of `orgs` (pages show forms; the store decides).
fn writes(v: &Viewer, orgs: &[i64]) -> bool {
    orgs.iter().any(|o| brygga_store::agreements::coordinates(v, *o))
}

// ---------------------------------------------------------------------------------------
// The list

#[derive(Template)]
#[template(path = "agreements/agreements/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Agreement>,
    can_create: bool,
    county: Option<String>,
}

async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let (items, county) = state
        .store
        .read(move |db| Ok((agreement::list(db, &v, &ListFilter::default())?, brygga_store::agreements::county::county_of_viewer(db, &v)?)))
        .await?;
    let can_create = session.viewer.memberships().iter().any(|m| brygga_store::agreements::coordinates(&session.viewer, m.org_id));
    html(StatusCode::OK, ListPage { chrome: Chrome::new(&session, "Överenskommelser", "agreements", &flash), items, can_create, county })
}

// ---------------------------------------------------------------------------------------
// New and edit

#[derive(Template)]
#[template(path = "agreements/agreements/header.html")]
struct HeaderPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    form: FormView,
    editing: bool,
    kinds: Options,
    owners: Options,
    municipalities: Options,
    parties: Options,
    situations: Options,
    plans: Options,
}

fn header_input(form: &FormData) -> (AgreementInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let mut parties = Vec::new();
    for raw in form.all("party_org_ids") {
        match raw.parse::<i64>() {
            Ok(id) => parties.push(id),
            Err(_) => {
                errs.push(FieldError::new("party_org_ids", "invalid", "Ett val bland parterna är ogiltigt. Ladda om sidan och välj igen."))
            }
        }
    }
    let input = AgreementInput {
        kind: form.opt("kind"),
        title: form.get("title").to_owned(),
        municipality_code: form.opt("municipality_code"),
        owner_org_id: chosen_id(form, "owner_org_id", &mut errs),
        party_org_ids: parties,
        period_from: form.opt("period_from"),
        period_to: form.opt("period_to"),
        situation_id: chosen_id(form, "situation_id", &mut errs),
        plan_id: chosen_id(form, "plan_id", &mut errs),
        decided_by: form.opt("decided_by"),
        decided_on: form.opt("decided_on"),
        decision_ref: form.opt("decision_ref"),
    };
    (input, errs)
}

/// Municipalities, possible parties (police and organisations with a claim where the viewer
/// works), readable lägesbilder and plans (of `municipality`, when known).
fn choices(db: &mut dyn Conn, v: &Viewer, municipality: Option<&str>) -> StoreResult<(Options, Options, Options, Options)> {
    let municipalities = brygga_store::plans::plan::claimed_municipalities(db, v)?;
    let mut parties: Options = Vec::new();
    let codes: Vec<String> = match municipality {
        Some(m) => vec![m.to_owned()],
        None => municipalities.iter().map(|(c, _)| c.clone()).collect(),
    };
    for code in &codes {
        for (id, name, kind) in agreement::party_choices(db, code)? {
            let label = format!("{name} ({})", OrgKind::from_code(&kind).map(|k| k.label()).unwrap_or(""));
            if !parties.iter().any(|(i, _)| *i == id.to_string()) {
                parties.push((id.to_string(), label));
            }
        }
    }
    let (mut situations, mut plans) = (Vec::new(), Vec::new());
    for code in &codes {
        for s in brygga_store::plans::plan::situation_choices(db, v, code)? {
            situations.push((s.id.to_string(), format!("{} (version {}, {code})", s.title, s.version_no)));
        }
        for p in brygga_store::plans::plan::list(db, v, Some(code))? {
            plans.push((
                p.id.to_string(),
                format!("{} (version {}, {})", p.title, p.version_no, p.municipality_name.as_deref().unwrap_or(code)),
            ));
        }
    }
    Ok((municipalities, parties, situations, plans))
}

async fn header_page(state: &AppState, session: &Session, form: FormView, editing: Option<&Agreement>) -> Result<HeaderPage, PageError> {
    let v = session.viewer.clone();
    let m = editing.map(|a| a.municipality_code.clone());
    let (municipalities, parties, situations, plans) = state.store.read(move |db| choices(db, &v, m.as_deref())).await?;
    let (heading, action, cancel) = match editing {
        Some(a) => (format!("Ändra: {}", a.title), format!("/overenskommelser/{}/redigera", a.id), format!("/overenskommelser/{}", a.id)),
        None => ("Ny överenskommelse".to_owned(), "/overenskommelser/ny".to_owned(), "/overenskommelser".to_owned()),
    };
    Ok(HeaderPage {
        chrome: Chrome::new(session, heading.clone(), "agreements", &Flash(None)),
        heading,
        action,
        cancel,
        form,
        editing: editing.is_some(),
        kinds: kinds(),
        owners: session
            .viewer
            .memberships()
            .iter()
            .filter(|m| brygga_store::agreements::coordinates(&session.viewer, m.org_id))
            .map(|m| (m.org_id.to_string(), m.org_name.clone()))
            .collect(),
        municipalities,
        parties,
        situations,
        plans,
    })
}

async fn new(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    let page = header_page(&state, &session, FormView::empty(), None).await?;
    if page.owners.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    html(StatusCode::OK, page)
}

async fn create(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, unread) = header_input(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, agreement::create(db, &v, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(a) => Ok(Redirect::to(&format!("/overenskommelser/{}?klart=skapad", a.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, header_page(&state, &session, view, None).await?),
    }
}

fn header_values(a: &Agreement) -> FormView {
    let mut f = FormView::empty();
    f.set("title", a.title.clone())
        .set("period_from", a.period_from.clone())
        .set("period_to", a.period_to.clone())
        .set("situation_id", a.situation.as_ref().map(|s| s.id.to_string()).unwrap_or_default())
        .set("plan_id", a.plan.as_ref().map(|s| s.id.to_string()).unwrap_or_default())
        .set("decided_by", a.decided_by.clone().unwrap_or_default())
        .set("decided_on", a.decided_on.clone().unwrap_or_default())
        .set("decision_ref", a.decision_ref.clone().unwrap_or_default())
        .set("version", a.version.to_string());
    f
}

async fn load(state: &AppState, v: &Viewer, id: i64) -> PageResult<Agreement> {
    let v = v.clone();
    Ok(state.store.read(move |db| agreement::get(db, &v, id)).await?)
}

async fn edit(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let a = load(&state, &session.viewer, id).await?;
    html(StatusCode::OK, header_page(&state, &session, header_values(&a), Some(&a)).await?)
}

async fn update(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let (input, mut unread) = header_input(&form);
    let version = match version_of(&form) {
        Ok(v) => v,
        Err(e) => {
            unread.0.extend(e.0);
            0
        }
    };
    let v = session.viewer.clone();
    let result =
        state.store.write(move |db| brygga_store::kernel::error::checked_with(unread, agreement::edit(db, &v, id, version, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(a) => Ok(Redirect::to(&format!("/overenskommelser/{}?klart=sparad", a.id)).into_response()),
        Submitted::Refused(view) => {
            let a = load(&state, &session.viewer, id).await?;
            html(StatusCode::UNPROCESSABLE_ENTITY, header_page(&state, &session, view, Some(&a)).await?)
        }
    }
}

// ---------------------------------------------------------------------------------------
// One agreement

#[derive(Template)]
#[template(path = "agreements/agreements/show.html")]
struct ShowPage {
    chrome: Chrome,
    a: Agreement,
    can_write: bool,
    can_assess: bool,
    assessments: Vec<AssessmentRef>,
    snapshots: Vec<Snapshot>,
    /// The form that was refused on this page (signatures, document, conclude, share).
    form: FormView,
    forums: Options,
    /// Checklists to assess against: (id, name and latest version).
    sets: Options,
    document_size: String,
}

async fn show_page(state: &AppState, session: &Session, id: i64, form: FormView, status: StatusCode, flash: &Flash) -> PageResult {
    let reader = session.viewer.clone();
    let a = state.store.read_audited(&session.viewer, move |db| agreement::get_audited(db, &reader, id)).await?;
    let v = session.viewer.clone();
    let (assessments, snapshots, forums, sets) = state
        .store
        .read(move |db| {
            let a = agreement::get(db, &v, id)?;
            let list = assessments::for_agreement(db, &v, id)?;
            let snaps = assessments::snapshots(db, &v, id)?;
            let forums = brygga_store::forums::forum::list(db, &v)?
                .into_iter()
                .filter(|f| f.municipality_code.as_deref() == Some(a.municipality_code.as_str()))
                .map(|f| (f.id.to_string(), f.name))
                .collect();
            let sets = brygga_store::agreements::checklists::list(db)?
                .into_iter()
                .map(|s| (s.id.to_string(), format!("{} (version {})", s.name, s.latest_version_no)))
                .collect();
            Ok((list, snaps, forums, sets))
        })
        .await?;
    let can_write = writes(&session.viewer, &a.party_ids());
    let can_assess = a.concluded
        && (can_write
            || session.viewer.memberships().iter().any(|m| {
                m.org_kind == OrgKind::CountyBoard
                    && brygga_store::agreements::coordinates(&session.viewer, m.org_id)
                    && m.municipalities.contains(&a.municipality_code)
            }));
    let document_size = a.document.as_ref().map(|d| crate::kit::upload::megabytes(d.size_bytes.max(0) as u64)).unwrap_or_default();
    html(
        status,
        ShowPage {
            chrome: Chrome::new(session, a.title.clone(), "agreements", flash),
            can_write,
            can_assess,
            assessments,
            snapshots,
            form,
            forums,
            sets,
            document_size,
            a,
        },
    )
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, flash: Flash) -> PageResult {
    show_page(&state, &session, id, FormView::empty(), StatusCode::OK, &flash).await
}

async fn sign(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let a = load(&state, &session.viewer, id).await?;
    let input = SigningInput {
        signatures: a
            .parties
            .iter()
            .map(|p| Signature { org_id: p.org_id, signed_on: form.opt(&format!("signed_on_{}", p.org_id)) })
            .collect(),
    };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| agreement::sign(db, &v, id, &input)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/overenskommelser/{id}?klart=sparad")).into_response()),
        Submitted::Refused(view) => show_page(&state, &session, id, view, StatusCode::UNPROCESSABLE_ENTITY, &Flash(None)).await,
    }
}

async fn conclude(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let version = version_of(&form);
    let v = session.viewer.clone();
    let result = match version {
        Ok(version) => state.store.write(move |db| agreement::conclude(db, &v, id, version)).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/overenskommelser/{id}?klart=fastslagen")).into_response()),
        Submitted::Refused(view) => show_page(&state, &session, id, view, StatusCode::UNPROCESSABLE_ENTITY, &Flash(None)).await,
    }
}

async fn share(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut errs = FieldErrors::new();
    let input = ShareInput { visibility: form.get("visibility").to_owned(), forum_id: chosen_id(&form, "forum_id", &mut errs) };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| brygga_store::kernel::error::checked_with(errs, agreement::share(db, &v, id, &input))).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/overenskommelser/{id}?klart=delning-sparad")).into_response()),
        Submitted::Refused(view) => show_page(&state, &session, id, view, StatusCode::UNPROCESSABLE_ENTITY, &Flash(None)).await,
    }
}

async fn upload(State(state): State<AppState>, Path(id): Path<i64>, SignedUpload(session, received): SignedUpload) -> PageResult {
    let (form, file) = match received {
        Ok(r) => r,
        Err(p) => return show_page(&state, &session, id, p.form(), StatusCode::PAYLOAD_TOO_LARGE, &Flash(None)).await,
    };
    let Some(file) = file else {
        let errors = FieldError::new("file", "required", "Välj den undertecknade överenskommelsen (PDF eller Word).").into();
        return show_page(&state, &session, id, FormView::submitted(&form, errors), StatusCode::UNPROCESSABLE_ENTITY, &Flash(None)).await;
    };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| agreement::attach_document(db, &v, id, &file.name, None, &file.bytes)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/overenskommelser/{id}?klart=dokument-bifogat")).into_response()),
        Submitted::Refused(view) => show_page(&state, &session, id, view, StatusCode::UNPROCESSABLE_ENTITY, &Flash(None)).await,
    }
}

async fn download(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let (info, bytes) = state.store.read_audited(&session.viewer, move |db| agreement::document(db, &v, id)).await?;
    Ok(attachment(&info.file_name, &info.media_type, bytes))
}

async fn export(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let v = session.viewer.clone();
    let file = state.store.read(move |db| transfer::export(db, &v, id)).await?;
    let body = serde_json::to_vec_pretty(&file).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"overenskommelse-{id}.json\"")),
        ],
        body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "agreements/agreements/import.html")]
struct ImportPage {
    chrome: Chrome,
    form: FormView,
}

async fn import_form(State(_state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    html(
        StatusCode::OK,
        ImportPage { chrome: Chrome::new(&session, "Importera en överenskommelse", "agreements", &Flash(None)), form: FormView::empty() },
    )
}

async fn import(State(state): State<AppState>, SignedForm(session, form): SignedForm) -> PageResult {
    let file = match serde_json::from_str::<AgreementFile>(form.get("document")) {
        Ok(f) => Ok(f),
        Err(e) => Err(StoreError::invalid(FieldError::new(
            "document",
            "agreements.file_unreadable",
            format!("Texten är inte en överenskommelse i formatet brygga.agreement: {e}. Klistra in hela filen."),
        ))),
    };
    let v = session.viewer.clone();
    let result = match file {
        Ok(file) => state.store.write(move |db| transfer::import(db, &v, &file, None)).await,
        Err(e) => Err(e),
    };
    match submitted(&form, result)? {
        Submitted::Done(a) => Ok(Redirect::to(&format!("/overenskommelser/{}?klart=importerad", a.id)).into_response()),
        Submitted::Refused(view) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            ImportPage { chrome: Chrome::new(&session, "Importera en överenskommelse", "agreements", &Flash(None)), form: view },
        ),
    }
}
