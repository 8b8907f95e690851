//! Actions (åtgärder): a forum's action list with filters and exports (CSV, XLSX), the form
//! that decides a new action (prefilled from a flag of the lägesbild), one action with its
//! status form, the full edit form, and the monthly follow-up (uppföljning) that puts each
//! completed action beside what the picture did before and after.
//!
//! Paths: `/forum/{id}/atgarder` (`?status=open|all|planned|…&forsenade=on&mina=on&organisation=ID`,
//! the same on `atgarder.csv` and `atgarder.xlsx`), `/forum/{id}/atgarder/ny`
//! (`?kategori=CODE&plats=AREA_ID&vecka=2026-W48`), `/atgarder/{id}`, `/atgarder/{id}/status`,
//! `/atgarder/{id}/redigera` and `/forum/{id}/uppfoljning?manad=2026-11`.
//!
//! Actions are forum records: users outside the forum's member organisations get 404. Who may
//! decide and change them is the store's business ([`actions::prepare`], [`actions::may_update`]).

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::time::{IsoWeek, format_local, format_number, today, week_span};
use brygga_domain::{ActionStatus, FieldError, FieldErrors};
use brygga_store::forum_work::actions::{self, Action, ActionInput, Filter, Followup, Outcome, StatusInput};
use brygga_store::forums::forum::{self, Forum};
use brygga_store::{Action as Permission, Conn, StoreError, StoreResult, Viewer, forums::categories, kernel::access, places::areas};
use jiff::civil::Date;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::export::csv_download;
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted, version_of};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/forum/{id}/atgarder", get(list))
        .route("/forum/{id}/atgarder.csv", get(export_csv))
        .route("/forum/{id}/atgarder.xlsx", get(export_xlsx))
        .route("/forum/{id}/atgarder/ny", get(new).post(create))
        .route("/forum/{id}/uppfoljning", get(followup))
        .route("/atgarder/{id}", get(show))
        .route("/atgarder/{id}/status", post(status))
        .route("/atgarder/{id}/redigera", get(edit).post(update))
}

/// Only users of the forum's member organisations learn anything about its actions.
fn member_of(session: &Session, forum_id: i64) -> Result<(), AppError> {
    if session.viewer.forum_ids().contains(&forum_id) { Ok(()) } else { Err(AppError::NotFound) }
}

/// The query string as fields (a filter may repeat, or be junk: never a rejection page).
fn query_fields(q: &RawQuery) -> Result<FormData, AppError> {
    FormData::parse(q.0.as_deref().unwrap_or("").as_bytes())
}

fn member_ids(f: &Forum) -> Vec<i64> {
    f.members.iter().map(|m| m.id).collect()
}

/// The viewer's organisations in the forum that may decide an action there.
fn deciding_orgs(v: &Viewer, forum: &Forum) -> Vec<(String, String)> {
    let members = member_ids(forum);
    v.memberships()
        .iter()
        .filter(|m| members.contains(&m.org_id) && access::allowed(v, Permission::DecideAction { org: m.org_id }))
        .map(|m| (m.org_id.to_string(), m.org_name.clone()))
        .collect()
}

fn status_options() -> Vec<(String, String)> {
    ActionStatus::ALL.iter().map(|s| (s.code().to_owned(), s.label().to_owned())).collect()
}

/// "Trelleborgshem (Anna Andersson)".
fn responsible_text(a: &Action) -> String {
    match &a.responsible_user_name {
        Some(p) => format!("{} ({p})", a.responsible.name),
        None => a.responsible.name.clone(),
    }
}

fn partners_text(a: &Action) -> String {
    a.partners.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn yes_no(b: bool) -> &'static str {
    if b { "ja" } else { "nej" }
}

// ---------------------------------------------------------------------------------------
// The action list and its exports

/// The list's filters, checked; `form` shows them back in the filter form.
struct ListFilter {
    store: Filter,
    form: FormView,
    /// The filters as a query string (without defaults), for the export links.
    query: String,
}

const STATUS_FILTERS: &[(&str, &str)] = &[("open", "Öppna (planerade och pågående)"), ("all", "Alla")];

fn status_filter_options() -> Vec<(String, String)> {
    STATUS_FILTERS.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())).chain(status_options()).collect()
}

fn list_filter(q: &FormData) -> ListFilter {
    let mut errors = FieldErrors::new();
    let mut form = FormView::empty();
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let status = match q.opt("status") {
        None => "open".to_owned(),
        Some(s) if STATUS_FILTERS.iter().any(|(c, _)| *c == s) || ActionStatus::from_code(&s).is_some() => s,
        Some(s) => {
            errors.push(FieldError::new(
                "status",
                "status.unknown",
                format!("”{s}” är ingen status att filtrera på. Välj i listan; nu visas de öppna åtgärderna."),
            ));
            "open".to_owned()
        }
    };
    form.set("status", status.clone());
    if status != "open" {
        pairs.push(("status", status.clone()));
    }
    let overdue = q.checked("forsenade");
    let mine = q.checked("mina");
    if overdue {
        form.set("forsenade", "on");
        pairs.push(("forsenade", "on".into()));
    }
    if mine {
        form.set("mina", "on");
        pairs.push(("mina", "on".into()));
    }
    let org_id = match q.opt("organisation") {
        None => None,
        Some(s) => match s.parse::<i64>() {
            Ok(id) => {
                form.set("organisation", s.clone());
                pairs.push(("organisation", s));
                Some(id)
            }
            Err(_) => {
                errors.push(org_filter_refused(actions::org_filter_error()));
                None
            }
        },
    };
    form.errors = errors;
    ListFilter {
        store: Filter { status: Some(status), overdue, mine, org_id },
        form,
        query: serde_urlencoded::to_string(pairs).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "forum_work/actions/list.html")]
struct ListPage {
    chrome: Chrome,
    forum: Forum,
    items: Vec<Action>,
    filter: FormView,
    status_options: Vec<(String, String)>,
    org_options: Vec<(String, String)>,
    /// `?status=all&…` or "".
    query: String,
    can_decide: bool,
}

impl ListPage {
    fn responsible(&self, a: &Action) -> String {
        responsible_text(a)
    }
    fn partners(&self, a: &Action) -> String {
        partners_text(a)
    }
    fn export_href(&self, ext: &str) -> String {
        let q = if self.query.is_empty() { String::new() } else { format!("?{}", self.query) };
        format!("/forum/{}/atgarder.{ext}{q}", self.forum.id)
    }
}

/// The forum and its filtered action list.
async fn listed(state: &AppState, session: &Session, forum_id: i64, q: &RawQuery) -> PageResult<(Forum, ListFilter, Vec<Action>)> {
    member_of(session, forum_id)?;
    let q = query_fields(q)?;
    let v = session.viewer.clone();
    let forum = state.store.read(move |db| forum::get(db, &v, forum_id)).await?;
    let mut filter = list_filter(&q);
    let (v, f) = (session.viewer.clone(), filter.store.clone());
    let items = match state.store.read(move |db| actions::list(db, &v, forum_id, &f)).await {
        Err(StoreError::Invalid(e)) if filter.store.org_id.is_some() && e.get("org_id").is_some() => {
            filter.drop_org(e.get("org_id").cloned().expect("checked"));
            let (v, f) = (session.viewer.clone(), filter.store.clone());
            state.store.read(move |db| actions::list(db, &v, forum_id, &f)).await?
        }
        r => r?,
    };
    Ok((forum, filter, items))
}

/// The store's refusal of the organisation filter, put beside the page's `organisation` field
/// with a word on what is shown instead.
fn org_filter_refused(e: FieldError) -> FieldError {
    FieldError::new("organisation", e.code, format!("{} Nu visas alla.", e.message))
}

impl ListFilter {
    /// Lists all organisations' actions instead, saying why.
    fn drop_org(&mut self, refusal: FieldError) {
        self.store.org_id = None;
        self.form.values.retain(|(k, _)| k != "organisation");
        self.form.errors.push(org_filter_refused(refusal));
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&self.query).unwrap_or_default();
        let kept: Vec<_> = pairs.into_iter().filter(|(k, _)| k != "organisation").collect();
        self.query = serde_urlencoded::to_string(kept).unwrap_or_default();
    }
}

async fn list(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    flash: Flash,
    Path(forum_id): Path<i64>,
    q: RawQuery,
) -> PageResult {
    let (forum, filter, items) = listed(&state, &session, forum_id, &q).await?;
    let status = if filter.form.has_errors() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    html(
        status,
        ListPage {
            chrome: Chrome::new(&session, format!("Åtgärdslista – {}", forum.name), "forums", &flash),
            can_decide: !deciding_orgs(&session.viewer, &forum).is_empty(),
            org_options: forum.members.iter().map(|m| (m.id.to_string(), m.name.clone())).collect(),
            status_options: status_filter_options(),
            items,
            filter: filter.form,
            query: filter.query,
            forum,
        },
    )
}

const EXPORT_HEADER: &[&str] = &[
    "id",
    "åtgärd",
    "varför",
    "kategori",
    "plats",
    "ansvarig organisation",
    "ansvarig person",
    "samarbetspartner",
    "klart senast",
    "försenad",
    "status",
    "skäl",
    "resultat",
    "utan polisiära befogenheter",
    "flagga",
    "flaggans vecka",
    "beslutad",
    "klar eller inställd",
];

fn export_row(a: &Action) -> Vec<String> {
    let time = |ms: i64| jiff::Timestamp::from_millisecond(ms).map(format_local).unwrap_or_default();
    vec![
        a.id.to_string(),
        a.title.clone(),
        a.reason.clone().unwrap_or_default(),
        a.category_name.clone().unwrap_or_default(),
        a.area_name.clone().unwrap_or_default(),
        a.responsible.name.clone(),
        a.responsible_user_name.clone().unwrap_or_default(),
        partners_text(a),
        a.due_on.clone(),
        yes_no(a.overdue).to_owned(),
        a.status_label.clone(),
        a.status_reason.clone().unwrap_or_default(),
        a.outcome.clone().unwrap_or_default(),
        yes_no(a.no_police_powers).to_owned(),
        a.flag_text.clone().unwrap_or_default(),
        a.flag_week.clone().unwrap_or_default(),
        time(a.created_at_ms),
        a.completed_at_ms.map(time).unwrap_or_default(),
    ]
}

fn file_stem(forum: &Forum) -> String {
    format!("atgarder-forum-{}-{}", forum.id, today())
}

/// The action list for an export: the same filters as the page, one audited read. A filter the
/// store refuses (an organisation outside the forum) is refused here too, not widened.
async fn exported(state: &AppState, session: &Session, forum_id: i64, q: &RawQuery) -> PageResult<(Forum, Vec<Action>)> {
    member_of(session, forum_id)?;
    let q = query_fields(q)?;
    let v = session.viewer.clone();
    let forum = state.store.read(move |db| forum::get(db, &v, forum_id)).await?;
    let filter = list_filter(&q);
    let (v, f) = (session.viewer.clone(), filter.store.clone());
    let items = state.store.write(move |db| actions::list_audited(db, &v, forum_id, &f, "action.export")).await?;
    Ok((forum, items))
}

async fn export_csv(State(state): State<AppState>, SignedIn(session): SignedIn, Path(forum_id): Path<i64>, q: RawQuery) -> PageResult {
    let (forum, items) = exported(&state, &session, forum_id, &q).await?;
    Ok(csv_download(&format!("{}.csv", file_stem(&forum)), EXPORT_HEADER, items.iter().map(export_row))?)
}

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

fn workbook(forum: &Forum, items: &[Action]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("Åtgärder")?;
    sheet.write_string_with_format(0, 0, format!("Åtgärdslista – {} ({})", forum.name, today()), &bold)?;
    let top = 2;
    for (i, h) in EXPORT_HEADER.iter().enumerate() {
        sheet.write_string_with_format(top, i as u16, *h, &bold)?;
    }
    for (r, a) in items.iter().enumerate() {
        let row = top + 1 + r as u32;
        for (c, value) in export_row(a).into_iter().enumerate() {
            if c == 0 {
                sheet.write_number(row, 0, a.id as f64)?;
            } else if !value.is_empty() {
                sheet.write_string(row, c as u16, value)?;
            }
        }
    }
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(5, 24)?;
    book.save_to_buffer()
}

async fn export_xlsx(State(state): State<AppState>, SignedIn(session): SignedIn, Path(forum_id): Path<i64>, q: RawQuery) -> PageResult {
    let (forum, items) = exported(&state, &session, forum_id, &q).await?;
    let body = workbook(&forum, &items).map_err(xlsx_error)?;
    let disposition = format!("attachment; filename=\"{}.xlsx\"", file_stem(&forum));
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------
// The form: new and edit

#[derive(Template)]
#[template(path = "forum_work/actions/form.html")]
struct FormPage {
    chrome: Chrome,
    forum: Forum,
    form: FormView,
    heading: String,
    action: String,
    cancel: String,
    /// Editing: the status fields are in the form too.
    editing: bool,
    /// The viewer decides for one of several organisations: which.
    acting: Vec<(String, String)>,
    orgs: Vec<(String, String)>,
    people: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    areas: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    /// The flag's sentence when editing an action that answers one.
    flag_text: Option<String>,
    /// The stored action changed while the form was open.
    stale_href: Option<String>,
}

/// The order fields appear in the form, so the error summary follows it.
const FIELD_ORDER: &[&str] = &[
    "version",
    "org_id",
    "title",
    "reason",
    "responsible_org_id",
    "responsible_user_id",
    "partner_org_ids",
    "due_on",
    "category",
    "area_id",
    "flag_week",
    "no_police_powers",
    "status",
    "status_reason",
    "outcome",
    "observation_ids",
];

fn sort_errors(errs: &mut FieldErrors) {
    errs.0.sort_by_key(|e| FIELD_ORDER.iter().position(|f| *f == e.field).unwrap_or(FIELD_ORDER.len()));
}

/// A chosen id (`""` is no choice), or the reason it is not one.
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

fn chosen_ids(form: &FormData, field: &str, errs: &mut FieldErrors) -> Vec<i64> {
    let mut out = Vec::new();
    for raw in form.all(field) {
        match raw.parse::<i64>() {
            Ok(id) if !out.contains(&id) => out.push(id),
            Ok(_) => {}
            Err(_) => {
                errs.push(FieldError::new(field, "invalid", format!("”{raw}” är inget giltigt val. Ladda om sidan och välj i listan.")));
                return out;
            }
        }
    }
    out
}

/// Reads the form as the store's input; `errs` holds what could not even be read.
fn action_input(form: &FormData) -> (ActionInput, FieldErrors) {
    let mut errs = FieldErrors::new();
    let input = ActionInput {
        title: form.get("title").to_owned(),
        reason: form.opt("reason"),
        responsible_org_id: chosen_id(form, "responsible_org_id", &mut errs),
        responsible_user_id: chosen_id(form, "responsible_user_id", &mut errs),
        partner_org_ids: chosen_ids(form, "partner_org_ids", &mut errs),
        due_on: form.opt("due_on"),
        status: form.opt("status"),
        status_reason: form.opt("status_reason"),
        outcome: form.opt("outcome"),
        no_police_powers: form.checked("no_police_powers"),
        category: form.opt("category"),
        area_id: chosen_id(form, "area_id", &mut errs),
        flag_week: form.opt("flag_week"),
        observation_ids: chosen_ids(form, "observation_ids", &mut errs),
        org_id: chosen_id(form, "org_id", &mut errs),
    };
    (input, errs)
}

/// The refused form with its errors in form order.
fn sorted(mut view: FormView) -> FormView {
    sort_errors(&mut view.errors);
    view
}

/// What the form offers: the forum, its members, their people, the checklist and the places.
struct Choices {
    forum: Forum,
    people: Vec<(i64, String, i64)>,
    categories: Vec<categories::Category>,
    areas: Vec<areas::Area>,
}

fn choices(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<Choices> {
    let forum = forum::get(db, v, forum_id)?;
    let people = actions::people(db, v, forum_id)?;
    let categories = categories::list(db, v, forum_id, true)?;
    let areas = match &forum.municipality_code {
        Some(m) => areas::list(db, v, m)?.into_iter().filter(areas::Area::is_active).collect(),
        None => Vec::new(),
    };
    Ok(Choices { forum, people, categories, areas })
}

async fn form_page(
    state: &AppState,
    session: &Session,
    forum_id: i64,
    form: FormView,
    edit: Option<&Action>,
    stale: bool,
) -> Result<FormPage, PageError> {
    let v = session.viewer.clone();
    let c = state.store.read(move |db| choices(db, &v, forum_id)).await?;
    let org_name = |id: i64| c.forum.members.iter().find(|m| m.id == id).map_or_else(String::new, |m| m.name.clone());
    // One option per person, naming every member organisation they belong to.
    let mut people: Vec<(i64, String, Vec<String>)> = Vec::new();
    for (user, name, org) in &c.people {
        match people.iter_mut().find(|p| p.0 == *user) {
            Some(p) => p.2.push(org_name(*org)),
            None => people.push((*user, name.clone(), vec![org_name(*org)])),
        }
    }
    // A category named in the address (`?kategori=Klotter`) is chosen by its code.
    let mut form = form;
    let asked = form.value("category").trim().to_lowercase();
    if let Some(k) = c.categories.iter().find(|k| k.code == asked || k.name.to_lowercase() == asked || k.id.to_string() == asked) {
        form.set("category", k.code.clone());
    }
    let current_category = form.value("category").to_owned();
    let (heading, action, cancel) = match edit {
        Some(a) => (format!("Ändra åtgärden: {}", a.title), format!("/atgarder/{}/redigera", a.id), format!("/atgarder/{}", a.id)),
        None => ("Ny åtgärd".to_owned(), format!("/forum/{forum_id}/atgarder/ny"), format!("/forum/{forum_id}/atgarder")),
    };
    let acting = if edit.is_none() { deciding_orgs(&session.viewer, &c.forum) } else { Vec::new() };
    Ok(FormPage {
        chrome: Chrome::new(session, heading.clone(), "forums", &Flash(None)),
        heading,
        action,
        cancel,
        editing: edit.is_some(),
        acting: if acting.len() > 1 { acting } else { Vec::new() },
        orgs: c.forum.members.iter().map(|m| (m.id.to_string(), m.name.clone())).collect(),
        people: people.into_iter().map(|(id, name, orgs)| (id.to_string(), format!("{name} ({})", orgs.join(", ")))).collect(),
        categories: c
            .categories
            .iter()
            .filter(|k| k.active || k.code == current_category)
            .map(|k| (k.code.clone(), k.name.clone()))
            .collect(),
        areas: c.areas.iter().map(|a| (a.id.to_string(), a.name.clone())).collect(),
        statuses: status_options(),
        flag_text: edit.and_then(|a| a.flag_text.clone()),
        stale_href: stale.then(|| edit.map(|a| format!("/atgarder/{}", a.id))).flatten(),
        forum: c.forum,
        form,
    })
}

/// `GET /forum/{id}/atgarder/ny?kategori=klotter&plats=12&vecka=2026-W48`.
async fn new(State(state): State<AppState>, SignedIn(session): SignedIn, Path(forum_id): Path<i64>, q: RawQuery) -> PageResult {
    member_of(&session, forum_id)?;
    let q = query_fields(&q)?;
    let mut form = FormView::empty();
    for (param, field) in [("kategori", "category"), ("plats", "area_id"), ("vecka", "flag_week"), ("titel", "title")] {
        if let Some(value) = q.opt(param) {
            form.set(field, value);
        }
    }
    let page = form_page(&state, &session, forum_id, form, None, false).await?;
    if deciding_orgs(&session.viewer, &page.forum).is_empty() {
        return Err(AppError::Forbidden.into());
    }
    html(StatusCode::OK, page)
}

async fn create(State(state): State<AppState>, Path(forum_id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    member_of(&session, forum_id)?;
    let (input, unread) = action_input(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| actions::decide(db, &v, forum_id, &input, unread)).await;
    match submitted(&form, result)? {
        Submitted::Done(a) => Ok(Redirect::to(&format!("/atgarder/{}?klart=atgard-skapad", a.id)).into_response()),
        Submitted::Refused(view) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &session, forum_id, sorted(view), None, false).await?)
        }
    }
}

/// One action, if the viewer may read it (404 otherwise).
async fn fetch(state: &AppState, session: &Session, id: i64) -> PageResult<Action> {
    let v = session.viewer.clone();
    Ok(state.store.read(move |db| actions::get(db, &v, id)).await?)
}

/// The action's values as the edit form shows them.
fn edit_values(a: &Action) -> FormView {
    let mut f = FormView::empty();
    f.set("title", a.title.clone())
        .set("reason", a.reason.clone().unwrap_or_default())
        .set("responsible_org_id", a.responsible.id.to_string())
        .set("responsible_user_id", a.responsible_user_id.map(|u| u.to_string()).unwrap_or_default())
        .set("due_on", a.due_on.clone())
        .set("category", a.category_code.clone().unwrap_or_default())
        .set("area_id", a.area_id.map(|x| x.to_string()).unwrap_or_default())
        .set("flag_week", a.flag_week.clone().unwrap_or_default())
        .set("status", a.status.clone())
        .set("status_reason", a.status_reason.clone().unwrap_or_default())
        .set("outcome", a.outcome.clone().unwrap_or_default())
        .set("version", a.version.to_string());
    if a.no_police_powers {
        f.set("no_police_powers", "on");
    }
    for p in &a.partners {
        f.add("partner_org_ids", p.id.to_string());
    }
    for o in &a.observation_ids {
        f.add("observation_ids", o.to_string());
    }
    f
}

async fn may_update(state: &AppState, session: &Session, a: &Action) -> PageResult<bool> {
    let (v, a) = (session.viewer.clone(), a.clone());
    Ok(state.store.read(move |db| actions::may_update(db, &v, &a)).await?)
}

async fn edit(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>) -> PageResult {
    let a = fetch(&state, &session, id).await?;
    if !may_update(&state, &session, &a).await? {
        return Err(AppError::Forbidden.into());
    }
    html(StatusCode::OK, form_page(&state, &session, a.forum_id, edit_values(&a), Some(&a), false).await?)
}

async fn update(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let before = fetch(&state, &session, id).await?;
    let (input, mut unread) = action_input(&form);
    // A missing version is one more thing the form could not read; nothing is written then.
    let version = version_of(&form).unwrap_or_else(|e| {
        unread.0.extend(e.0);
        0
    });
    let (v, forum_id) = (session.viewer.clone(), before.forum_id);
    let result = state.store.write(move |db| actions::edit(db, &v, id, version, &input, unread)).await;
    match submitted(&form, result) {
        Ok(Submitted::Done(a)) => Ok(Redirect::to(&format!("/atgarder/{}?klart=atgard-sparad", a.id)).into_response()),
        Ok(Submitted::Refused(view)) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &session, forum_id, sorted(view), Some(&before), false).await?)
        }
        Err(AppError::Stale) => {
            let now = fetch(&state, &session, id).await?;
            let mut view = FormView::submitted(&form, FieldError::new("version", "stale", STALE_EDIT).into());
            view.set("version", now.version.to_string());
            html(StatusCode::CONFLICT, form_page(&state, &session, forum_id, view, Some(&now), true).await?)
        }
        Err(e) => Err(e.into()),
    }
}

const STALE_EDIT: &str = "Någon annan har ändrat åtgärden medan du hade formuläret öppet. Dina ändringar finns kvar nedan men är inte sparade. Jämför med åtgärden som den ser ut nu och spara igen om dina ändringar ska gälla.";

// ---------------------------------------------------------------------------------------
// One action and its status form

#[derive(Template)]
#[template(path = "forum_work/actions/show.html")]
struct ShowPage {
    chrome: Chrome,
    a: Action,
    forum: Forum,
    meeting_week: Option<String>,
    can_update: bool,
    form: FormView,
    statuses: Vec<(String, String)>,
    /// The plan measures the action carries out (plans the viewer reads).
    measures: Vec<brygga_store::plans::measures::MeasureRef>,
}

impl ShowPage {
    fn responsible(&self) -> String {
        responsible_text(&self.a)
    }
    fn partners(&self) -> String {
        partners_text(&self.a)
    }
}

fn status_values(a: &Action) -> FormView {
    let mut f = FormView::empty();
    f.set("status", a.status.clone())
        .set("status_reason", a.status_reason.clone().unwrap_or_default())
        .set("outcome", a.outcome.clone().unwrap_or_default())
        .set("version", a.version.to_string());
    f
}

async fn show_page(
    state: &AppState,
    session: &Session,
    a: Action,
    flash: &Flash,
    form: Option<FormView>,
    status: StatusCode,
) -> PageResult {
    let v = session.viewer.clone();
    let a2 = a.clone();
    let (forum, meeting_week, can_update, measures) = state
        .store
        .read(move |db| {
            Ok((
                forum::get(db, &v, a2.forum_id)?,
                actions::meeting_week(db, &a2)?,
                actions::may_update(db, &v, &a2)?,
                brygga_store::plans::measures::for_action(db, &v, a2.id)?,
            ))
        })
        .await?;
    html(
        status,
        ShowPage {
            chrome: Chrome::new(session, a.title.clone(), "forums", flash),
            form: form.unwrap_or_else(|| status_values(&a)),
            a,
            forum,
            meeting_week,
            can_update,
            statuses: status_options(),
            measures,
        },
    )
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(id): Path<i64>) -> PageResult {
    let a = fetch(&state, &session, id).await?;
    show_page(&state, &session, a, &flash, None, StatusCode::OK).await
}

async fn status(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let before = fetch(&state, &session, id).await?;
    let input =
        StatusInput { status: form.get("status").to_owned(), status_reason: form.opt("status_reason"), outcome: form.opt("outcome") };
    let v = session.viewer.clone();
    let result = match version_of(&form) {
        Ok(version) => state.store.write(move |db| actions::set_status(db, &v, id, version, &input)).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match submitted(&form, result) {
        Ok(Submitted::Done(a)) => Ok(Redirect::to(&format!("/atgarder/{}?klart=status-sparad", a.id)).into_response()),
        Ok(Submitted::Refused(view)) => {
            show_page(&state, &session, before, &Flash(None), Some(sorted(view)), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Stale) => {
            let now = fetch(&state, &session, id).await?;
            let message = format!(
                "Någon annan har ändrat åtgärden medan du hade sidan öppen; nu är statusen ”{}”. Ditt val finns kvar nedan men är inte sparat. Spara igen om det ska gälla.",
                now.status_label
            );
            let mut view = FormView::submitted(&form, FieldError::new("version", "stale", message).into());
            view.set("version", now.version.to_string());
            show_page(&state, &session, now, &Flash(None), Some(view), StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// The monthly follow-up

const MONTHS: [&str; 12] =
    ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"];

/// "november 2026".
fn month_label(d: Date) -> String {
    format!("{} {}", MONTHS[usize::try_from(d.month() - 1).unwrap_or(0)], d.year())
}

fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The month asked for (its first day), or the field error; blank is this month.
fn month_param(q: &FormData) -> Result<Date, FieldError> {
    let Some(s) = q.opt("manad") else { return Ok(today().first_of_month()) };
    let d = actions::parse_month(&s)?;
    if !(2000..=2100).contains(&d.year()) {
        return Err(FieldError::new(
            "manad",
            "month.range",
            format!("Välj en månad mellan år 2000 och 2100, till exempel {}.", month_key(today())),
        ));
    }
    Ok(d.first_of_month())
}

/// One week of a before/after table.
struct WeekRow {
    label: String,
    side: &'static str,
    count: String,
}

/// A completed action beside what its category did at its place.
struct OutcomeView {
    o: Outcome,
    completed_label: String,
    /// `None`: the action has no category and place to count.
    rows: Option<Vec<WeekRow>>,
    mean_before: String,
    mean_after: String,
}

fn week_label(s: &str) -> String {
    IsoWeek::parse(s).map(week_span).unwrap_or_else(|_| s.to_owned())
}

fn mean_text(m: Option<f64>) -> String {
    m.map_or_else(|| "–".to_owned(), |m| format_number(m, 1))
}

fn outcome_view(o: Outcome) -> OutcomeView {
    let rows = match (&o.before, &o.after) {
        (Some(before), Some(after)) => {
            let side = |weeks: &[String], counts: &[i64], side: &'static str| -> Vec<WeekRow> {
                weeks
                    .iter()
                    .zip(counts)
                    .map(|(w, n)| WeekRow { label: week_label(w), side, count: format_number(*n as f64, 0) })
                    .collect::<Vec<_>>()
            };
            let mut rows = side(&o.weeks_before, before, "före");
            rows.extend(side(&o.weeks_after, after, "efter"));
            Some(rows)
        }
        _ => None,
    };
    OutcomeView {
        completed_label: week_label(&o.completed_week),
        rows,
        mean_before: mean_text(o.mean_before),
        mean_after: mean_text(o.mean_after),
        o,
    }
}

#[derive(Template)]
#[template(path = "forum_work/actions/followup.html")]
struct FollowupPage {
    chrome: Chrome,
    forum: Forum,
    form: FormView,
    month_label: String,
    prev: Option<String>,
    next: Option<String>,
    f: Followup,
    outcomes: Vec<OutcomeView>,
    /// "2 av 3 (67 %)".
    no_police_share: String,
    weeks: i32,
}

async fn followup(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    flash: Flash,
    Path(forum_id): Path<i64>,
    q: RawQuery,
) -> PageResult {
    member_of(&session, forum_id)?;
    let q = query_fields(&q)?;
    let mut form = FormView::empty();
    let (month, status) = match month_param(&q) {
        Ok(m) => (m, StatusCode::OK),
        Err(e) => {
            form.set("manad", q.get("manad"));
            form.errors.push(e);
            (today().first_of_month(), StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    if !form.has_errors() {
        form.set("manad", month_key(month));
    }
    let v = session.viewer.clone();
    let (forum, f) = state.store.read(move |db| Ok((forum::get(db, &v, forum_id)?, actions::followup(db, &v, forum_id, month)?))).await?;
    let step = |n: i64| month.checked_add(jiff::Span::new().months(n)).ok().map(month_key);
    let this_month = today().first_of_month();
    let done = f.done.len();
    let no_police_share = if done == 0 {
        "–".to_owned()
    } else {
        format!("{} av {} ({} %)", f.no_police_powers, done, format_number(100.0 * f.no_police_powers as f64 / done as f64, 0))
    };
    html(
        status,
        FollowupPage {
            chrome: Chrome::new(&session, format!("Uppföljning {} – {}", month_label(month), forum.name), "forums", &flash),
            forum,
            form,
            month_label: month_label(month),
            prev: step(-1),
            next: if month < this_month { step(1) } else { None },
            outcomes: f.done.iter().cloned().map(outcome_view).collect(),
            no_police_share,
            weeks: actions::FOLLOWUP_WEEKS,
            f,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use brygga_store::kernel::error::checked_with;

    fn fields(pairs: &[(&str, &str)]) -> FormData {
        FormData(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn unreadable_choices_are_reported_once_beside_the_store_verdict() {
        let (input, read) = action_input(&fields(&[("title", "Städa"), ("responsible_org_id", "x"), ("partner_org_ids", "3")]));
        assert_eq!(input.responsible_org_id, None);
        assert_eq!(input.partner_org_ids, vec![3]);
        let store: FieldErrors = FieldErrors(vec![
            FieldError::new("due_on", "required", "Ange datum."),
            FieldError::new("responsible_org_id", "required", "Välj."),
        ]);
        let Err(StoreError::Invalid(mut all)) = checked_with::<()>(read, Err(StoreError::Invalid(store))) else { panic!("refused") };
        sort_errors(&mut all);
        let fields: Vec<&str> = all.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["responsible_org_id", "due_on"]);
        assert_eq!(all.0[0].code, "invalid");
    }

    #[test]
    fn months_are_checked_and_labelled_in_swedish() {
        assert_eq!(month_param(&fields(&[("manad", "2026-11")])).unwrap(), jiff::civil::date(2026, 11, 1));
        assert_eq!(month_param(&fields(&[("manad", "2026-13")])).unwrap_err().field, "manad");
        // Years outside 1900–2100 are refused by the domain's month rule; the page narrows to 2000–2100.
        assert_eq!(month_param(&fields(&[("manad", "9999-12")])).unwrap_err().code, "date.year_range");
        assert_eq!(month_param(&fields(&[("manad", "1950-12")])).unwrap_err().code, "month.range");
        assert_eq!(month_label(jiff::civil::date(2026, 11, 1)), "november 2026");
    }
}
