//! The weekly meeting (avstämning, EST): a forum's meetings, opening this week's, the meeting
//! itself as one form (date, attendance, a note per agenda item, other business, general
//! notes), a decision on an item turned into an action with one button, refreshing the agenda,
//! and the printable minutes (protokoll).
//!
//! Paths: `/forum/{id}/avstamning`, `/forum/{id}/avstamning/{week}` (GET shows, POST opens),
//! and beneath it `spara`, `uppdatera`, `punkt/{item}/atgard` and `protokoll`. Field names of
//! an agenda item are `i{item}_note`, `i{item}_title`, `i{item}_responsible_org_id`,
//! `i{item}_due_on` and `i{item}_no_police_powers`.
//!
//! Meetings are forum records: users outside the forum's member organisations get 404 (the
//! forum page is public to signed-in users, but what it discusses is not); members who may not
//! run the meeting (only coordinators may) read it without the form.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::time::{IsoWeek, format_local, week_span};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::forum_work::actions::{self, Action, ActionInput};
use brygga_store::forum_work::meetings::{self, Item, Meeting, SaveInput};
use brygga_store::forums::forum::{self, Forum};
use brygga_store::{Conn, StoreError, StoreResult, Viewer};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, html, version_of};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/forum/{id}/avstamning", get(list))
        .route("/forum/{id}/avstamning/{week}", get(show).post(open))
        .route("/forum/{id}/avstamning/{week}/spara", post(save))
        .route("/forum/{id}/avstamning/{week}/uppdatera", post(refresh))
        .route("/forum/{id}/avstamning/{week}/punkt/{item}/atgard", post(decide))
        .route("/forum/{id}/avstamning/{week}/protokoll", get(minutes))
}

/// Only users of the forum's member organisations learn anything about its meetings.
fn member_of(session: &Session, forum_id: i64) -> Result<(), AppError> {
    if session.viewer.forum_ids().contains(&forum_id) { Ok(()) } else { Err(AppError::NotFound) }
}

/// "v. 49 (30 nov.–6 dec.) 2026".
fn week_title(w: IsoWeek) -> String {
    format!("{} {}", week_span(w), w.year())
}

fn base(forum_id: i64, week: IsoWeek) -> String {
    format!("/forum/{forum_id}/avstamning/{week}")
}

/// `i12_note` → 12 for `suffix` "note".
fn item_field(key: &str, suffix: &str) -> Option<i64> {
    key.strip_prefix('i')?.strip_suffix(suffix)?.strip_suffix('_')?.parse().ok()
}

fn item_name(item: i64, field: &str) -> String {
    format!("i{item}_{field}")
}

// ---------------------------------------------------------------------------------------
// The list of meetings

struct MeetingRow {
    label: String,
    href: String,
    items: i64,
    decided: i64,
}

/// This week's and next week's meeting: a button to open it, or a link when it is open.
struct Offer {
    week: String,
    button: &'static str,
    label: String,
    opened: bool,
}

#[derive(Template)]
#[template(path = "forum_work/meetings/list.html")]
struct ListPage {
    chrome: Chrome,
    forum: Forum,
    rows: Vec<MeetingRow>,
    offers: Vec<Offer>,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    session: &Session,
    forum_id: i64,
    flash: &Flash,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    member_of(session, forum_id)?;
    let v = session.viewer.clone();
    let (forum, list, can_run) = state
        .store
        .read(move |db| Ok((forum::get(db, &v, forum_id)?, meetings::list(db, &v, forum_id)?, meetings::may_run(db, &v, forum_id)?)))
        .await?;
    let rows = list
        .iter()
        .filter_map(|(w, items, decided)| {
            let week = IsoWeek::parse(w).ok()?;
            Some(MeetingRow { label: week_title(week), href: base(forum_id, week), items: *items, decided: *decided })
        })
        .collect();
    let this = IsoWeek::current();
    let offers = if can_run {
        [(this, "Öppna veckans avstämning"), (this.plus(1), "Öppna nästa veckas avstämning")]
            .into_iter()
            .map(|(w, button)| Offer {
                week: w.to_string(),
                button,
                label: week_title(w),
                opened: list.iter().any(|(x, _, _)| *x == w.to_string()),
            })
            .collect()
    } else {
        Vec::new()
    };
    html(
        status,
        ListPage { chrome: Chrome::new(session, format!("Avstämningar – {}", forum.name), "forums", flash), forum, rows, offers, error },
    )
}

async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(forum_id): Path<i64>) -> PageResult {
    list_page(&state, &session, forum_id, &flash, None, StatusCode::OK).await
}

/// Opens the meeting (or finds it open) and goes there.
async fn open(
    State(state): State<AppState>,
    Path((forum_id, week)): Path<(i64, IsoWeek)>,
    SignedForm(session, _): SignedForm,
) -> PageResult {
    member_of(&session, forum_id)?;
    let v = session.viewer.clone();
    match state.store.write(move |db| meetings::open(db, &v, forum_id, week)).await.map_err(AppError::from) {
        Ok(_) => Ok(Redirect::to(&base(forum_id, week)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let message = errors.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ");
            list_page(&state, &session, forum_id, &Flash(None), Some(message), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// The meeting

/// An action decided at the meeting, as the page and the minutes show it.
struct Decided {
    id: i64,
    title: String,
    who: String,
    due_on: String,
    status: String,
    no_police_powers: bool,
}

/// One agenda item with the names of its fields.
struct ItemView {
    id: i64,
    title: String,
    /// The action the item is about (overdue and open items).
    subject: Option<i64>,
    place: Option<String>,
    note: Option<String>,
    decided: Vec<Decided>,
    note_field: String,
    title_field: String,
    org_field: String,
    due_field: String,
    npp_field: String,
    /// Where a problem with the decision that has no field of its own is shown.
    decision_field: String,
}

struct Section {
    id: &'static str,
    kind: &'static str,
    heading: &'static str,
    empty: String,
    items: Vec<ItemView>,
}

fn decided_views(item: &Item, actions: &[Action]) -> Vec<Decided> {
    item.decided
        .iter()
        .map(|(id, title)| match actions.iter().find(|a| a.id == *id) {
            Some(a) => Decided {
                id: a.id,
                title: a.title.clone(),
                who: a.responsible.name.clone(),
                due_on: a.due_on.clone(),
                status: a.status_label.clone(),
                no_police_powers: a.no_police_powers,
            },
            None => Decided {
                id: *id,
                title: title.clone(),
                who: String::new(),
                due_on: String::new(),
                status: String::new(),
                no_police_powers: false,
            },
        })
        .collect()
}

fn sections(m: &Meeting, actions: &[Action]) -> Vec<Section> {
    let picture_week = IsoWeek::parse(&m.picture_week).map(|w| format!("v. {}", w.week())).unwrap_or_default();
    let kinds: [(&'static str, &'static str, &'static str, String); 4] = [
        ("flag", "flaggor", "Flaggor i lägesbilden", format!("Lägesbilden för {picture_week} har inga flaggor.")),
        ("overdue", "forsenade", "Försenade åtgärder", "Inga åtgärder är försenade.".to_owned()),
        ("open", "oppna", "Öppna åtgärder", "Inga andra åtgärder är öppna.".to_owned()),
        ("other", "ovrigt", "Övrigt", "Inga övriga punkter ännu.".to_owned()),
    ];
    kinds
        .into_iter()
        .map(|(kind, id, heading, empty)| Section {
            id,
            kind,
            heading,
            empty,
            items: m
                .items
                .iter()
                .filter(|i| i.kind == kind)
                .map(|i| ItemView {
                    id: i.id,
                    title: i.title.clone(),
                    subject: i.subject_action_id,
                    place: i.area_name.clone(),
                    note: i.note.clone(),
                    decided: decided_views(i, actions),
                    note_field: item_name(i.id, "note"),
                    title_field: item_name(i.id, "title"),
                    org_field: item_name(i.id, "responsible_org_id"),
                    due_field: item_name(i.id, "due_on"),
                    npp_field: item_name(i.id, "no_police_powers"),
                    decision_field: item_name(i.id, "beslut"),
                })
                .collect(),
        })
        .collect()
}

/// The form as stored.
fn stored_form(m: &Meeting) -> FormView {
    let mut f = FormView::empty();
    f.set("version", m.version.to_string())
        .set("held_on", m.held_on.clone().unwrap_or_default())
        .set("notes", m.notes.clone().unwrap_or_default());
    for a in m.attendance.iter().filter(|a| a.present == Some(true)) {
        f.add("present", a.org_id.to_string());
    }
    for i in &m.items {
        f.set(&item_name(i.id, "note"), i.note.clone().unwrap_or_default());
    }
    f
}

#[derive(Template)]
#[template(path = "forum_work/meetings/show.html")]
struct ShowPage {
    chrome: Chrome,
    meeting: Meeting,
    heading: String,
    year: i16,
    picture_label: String,
    picture_href: String,
    base: String,
    can_run: bool,
    form: FormView,
    sections: Vec<Section>,
    orgs: Vec<(String, String)>,
    /// Items the last refresh added.
    added: Option<u32>,
}

impl ShowPage {
    fn present(&self) -> Vec<&str> {
        self.meeting.attendance.iter().filter(|a| a.present == Some(true)).map(|a| a.org_name.as_str()).collect()
    }
    fn absent(&self) -> Vec<&str> {
        self.meeting.attendance.iter().filter(|a| a.present == Some(false)).map(|a| a.org_name.as_str()).collect()
    }
}

#[derive(Template)]
#[template(path = "forum_work/meetings/missing.html")]
struct MissingPage {
    chrome: Chrome,
    forum: Forum,
    heading: String,
    week: String,
    can_open: bool,
}

/// The meeting, its decided actions, and whether the viewer runs it; `None` when not opened.
type Loaded = Option<(Meeting, Vec<Action>, bool)>;

fn load(db: &mut dyn Conn, v: &Viewer, forum_id: i64, week: IsoWeek) -> StoreResult<Loaded> {
    let Some(m) = meetings::get(db, v, forum_id, week)? else { return Ok(None) };
    let all = actions::list(db, v, forum_id, &actions::Filter { status: Some("all".into()), ..Default::default() })?;
    let decided = all.into_iter().filter(|a| a.meeting_id == Some(m.id)).collect();
    let can_run = meetings::may_run(db, v, forum_id)?;
    Ok(Some((m, decided, can_run)))
}

async fn loaded(state: &AppState, session: &Session, forum_id: i64, week: IsoWeek) -> Result<Loaded, PageError> {
    member_of(session, forum_id)?;
    let v = session.viewer.clone();
    Ok(state.store.read(move |db| load(db, &v, forum_id, week)).await?)
}

/// How the meeting is shown: the stored form, or what was submitted and its problems.
struct Shown<'a> {
    flash: &'a Flash,
    form: Option<FormView>,
    /// Items the last refresh added.
    added: Option<u32>,
    status: StatusCode,
}

impl Shown<'_> {
    fn again(form: FormView, status: StatusCode) -> Shown<'static> {
        Shown { flash: &Flash(None), form: Some(form), added: None, status }
    }
}

async fn meeting_page(state: &AppState, session: &Session, forum_id: i64, week: IsoWeek, shown: Shown<'_>) -> PageResult {
    let Shown { flash, form, added, status } = shown;
    let Some((meeting, decided, can_run)) = loaded(state, session, forum_id, week).await? else {
        return not_opened(state, session, forum_id, week).await;
    };
    let picture_week = IsoWeek::parse(&meeting.picture_week).unwrap_or(week.plus(-1));
    let mut form = form.unwrap_or_else(|| stored_form(&meeting));
    if form.value("version").is_empty() {
        form.set("version", meeting.version.to_string());
    }
    let heading = format!("Avstämning {}", week_span(week));
    html(
        status,
        ShowPage {
            chrome: Chrome::new(session, format!("{heading} – {}", meeting.forum_name), "forums", flash),
            heading,
            year: week.year(),
            picture_label: format!("Lägesbilden för v. {}", picture_week.week()),
            picture_href: format!("/lagesbild/forum/{forum_id}?vecka={picture_week}"),
            base: base(forum_id, week),
            can_run,
            sections: sections(&meeting, &decided),
            orgs: meeting.attendance.iter().map(|a| (a.org_id.to_string(), a.org_name.clone())).collect(),
            form,
            added,
            meeting,
        },
    )
}

async fn not_opened(state: &AppState, session: &Session, forum_id: i64, week: IsoWeek) -> PageResult {
    let v = session.viewer.clone();
    let (forum, can_run) = state.store.read(move |db| Ok((forum::get(db, &v, forum_id)?, meetings::may_run(db, &v, forum_id)?))).await?;
    html(
        StatusCode::NOT_FOUND,
        MissingPage {
            chrome: Chrome::new(session, format!("Avstämning {}", week_span(week)), "forums", &Flash(None)),
            forum,
            heading: format!("Avstämning {}", week_span(week)),
            week: week.to_string(),
            can_open: can_run && week <= IsoWeek::current().plus(1),
        },
    )
}

#[derive(Deserialize)]
struct ShowQuery {
    /// Items the last refresh added (a number, so nothing can be injected).
    nya: Option<u32>,
}

async fn show(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    flash: Flash,
    Path((forum_id, week)): Path<(i64, IsoWeek)>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    meeting_page(&state, &session, forum_id, week, Shown { flash: &flash, form: None, added: q.nya, status: StatusCode::OK }).await
}

/// Reads the meeting form; problems the store cannot see (a broken form) are reported here.
fn save_input(form: &FormData) -> Result<SaveInput, FieldErrors> {
    let mut errs = FieldErrors::new();
    let version = version_of(form).map_err(|e| errs.0.extend(e.0)).unwrap_or(0);
    let mut present = Vec::new();
    for raw in form.all("present") {
        match raw.parse::<i64>() {
            Ok(id) if !present.contains(&id) => present.push(id),
            Ok(_) => {}
            Err(_) => {
                errs.push(FieldError::new("present", "invalid", "Närvarolistan kunde inte läsas. Ladda om sidan och kryssa i igen."));
                break;
            }
        }
    }
    let item_notes = form.0.iter().filter_map(|(k, v)| item_field(k, "note").map(|id| (id, v.clone()))).collect();
    errs.into_result()?;
    Ok(SaveInput {
        version,
        held_on: form.opt("held_on"),
        notes: Some(form.get("notes").to_owned()),
        present,
        item_notes,
        other: form.opt("other"),
    })
}

/// A broken form from someone who may not run the meeting anyway is refused as such.
async fn invalid_form(state: &AppState, session: &Session, forum_id: i64, errors: FieldErrors) -> AppError {
    let v = session.viewer.clone();
    match state.store.read(move |db| meetings::may_run(db, &v, forum_id)).await {
        Ok(true) => AppError::Invalid(errors),
        Ok(false) => AppError::Forbidden,
        Err(e) => e.into(),
    }
}

/// After a save or a decision: to `Ok(url)`, or back to the meeting with what was typed.
async fn answer(
    state: &AppState,
    session: &Session,
    forum_id: i64,
    week: IsoWeek,
    form: &FormData,
    result: Result<String, AppError>,
) -> PageResult {
    match result {
        Ok(url) => Ok(Redirect::to(&url).into_response()),
        Err(AppError::Invalid(errors)) => {
            let view = FormView::submitted(form, errors);
            meeting_page(state, session, forum_id, week, Shown::again(view, StatusCode::UNPROCESSABLE_ENTITY)).await
        }
        Err(AppError::Stale) => stale(state, session, forum_id, week, form).await,
        Err(e) => Err(e.into()),
    }
}

/// Someone else saved the meeting meanwhile: keep what was typed, say so, and let a second
/// save overwrite (the version is moved to the stored one).
async fn stale(state: &AppState, session: &Session, forum_id: i64, week: IsoWeek, form: &FormData) -> PageResult {
    let message = "Någon annan har sparat avstämningen medan du skrev. Det du skrev finns kvar här nedan men är inte sparat. Öppna protokollet i en ny flik för att se vad som sparades. Sparar du igen ersätter det du skrivit det som finns nu.";
    let mut view = FormView::submitted(form, FieldError::new("version", "stale", message).into());
    if let Some((m, _, _)) = loaded(state, session, forum_id, week).await? {
        view.set("version", m.version.to_string());
    }
    meeting_page(state, session, forum_id, week, Shown::again(view, StatusCode::CONFLICT)).await
}

async fn save(
    State(state): State<AppState>,
    Path((forum_id, week)): Path<(i64, IsoWeek)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    member_of(&session, forum_id)?;
    let v = session.viewer.clone();
    let result = match save_input(&form) {
        Ok(input) => state.store.write(move |db| meetings::save(db, &v, forum_id, week, &input)).await.map_err(AppError::from),
        Err(e) => Err(invalid_form(&state, &session, forum_id, e).await),
    };
    let done = format!("{}?klart=avstamning-sparad", base(forum_id, week));
    answer(&state, &session, forum_id, week, &form, result.map(|_| done)).await
}

async fn refresh(
    State(state): State<AppState>,
    Path((forum_id, week)): Path<(i64, IsoWeek)>,
    SignedForm(session, _): SignedForm,
) -> PageResult {
    member_of(&session, forum_id)?;
    let v = session.viewer.clone();
    let (_, added) = state.store.write(move |db| meetings::refresh(db, &v, forum_id, week)).await?;
    Ok(Redirect::to(&format!("{}?nya={added}", base(forum_id, week))).into_response())
}

/// The decision fields of one item as an action.
fn decision_input(form: &FormData, item: i64) -> ActionInput {
    ActionInput {
        title: form.get(&item_name(item, "title")).to_owned(),
        responsible_org_id: form.int(&item_name(item, "responsible_org_id")),
        due_on: form.opt(&item_name(item, "due_on")),
        no_police_powers: form.checked(&item_name(item, "no_police_powers")),
        ..ActionInput::default()
    }
}

/// The action's field names as the item's: `title` → `i12_title`; problems with what the item
/// brings along (category, place, flag week) go to the decision as a whole.
fn at_item(errors: FieldErrors, item: i64) -> FieldErrors {
    FieldErrors(
        errors
            .0
            .into_iter()
            .map(|e| {
                let field = match e.field.as_str() {
                    f @ ("title" | "responsible_org_id" | "due_on" | "no_police_powers") => item_name(item, f),
                    _ => item_name(item, "beslut"),
                };
                FieldError { field, ..e }
            })
            .collect(),
    )
}

/// A decision on an agenda item becomes an action. The whole form is saved first, in the same
/// transaction: the notes typed next to the decision belong to it, and a person pressing the
/// item's button expects nothing typed to be lost. If either part fails nothing is stored, and
/// the page comes back with everything typed and every problem (the form's and the decision's)
/// at its field.
async fn decide(
    State(state): State<AppState>,
    Path((forum_id, week, item)): Path<(i64, IsoWeek, i64)>,
    SignedForm(session, form): SignedForm,
) -> PageResult {
    member_of(&session, forum_id)?;
    let decision = decision_input(&form, item);
    let v = session.viewer.clone();
    let result = match save_input(&form) {
        Ok(input) => state
            .store
            .write(move |db| match meetings::save(db, &v, forum_id, week, &input) {
                Ok(_) => meetings::decide(db, &v, forum_id, week, item, &decision).map_err(|e| match e {
                    StoreError::Invalid(errs) => StoreError::Invalid(at_item(errs, item)),
                    e => e,
                }),
                Err(StoreError::Invalid(mut errs)) => {
                    // Check the decision too, so that every problem is shown at once.
                    if let Err(StoreError::Invalid(more)) = actions::prepare(db, &v, forum_id, &decision, None) {
                        errs.0.extend(at_item(more, item).0);
                    }
                    Err(StoreError::Invalid(errs))
                }
                Err(e) => Err(e),
            })
            .await
            .map_err(AppError::from),
        Err(e) => Err(invalid_form(&state, &session, forum_id, e).await),
    };
    let done = format!("{}?klart=atgard-beslutad#punkt-{item}", base(forum_id, week));
    answer(&state, &session, forum_id, week, &form, result.map(|_| done)).await
}

// ---------------------------------------------------------------------------------------
// The minutes

#[derive(Template)]
#[template(path = "forum_work/meetings/minutes.html")]
struct MinutesPage {
    chrome: Chrome,
    meeting: Meeting,
    heading: String,
    picture_label: String,
    back: String,
    sections: Vec<Section>,
    present: Vec<String>,
    absent: Vec<String>,
    generated: String,
}

async fn minutes(State(state): State<AppState>, SignedIn(session): SignedIn, Path((forum_id, week)): Path<(i64, IsoWeek)>) -> PageResult {
    member_of(&session, forum_id)?;
    let v = session.viewer.clone();
    let minutes = state.store.write(move |db| meetings::minutes(db, &v, forum_id, week, "meeting.minutes")).await?;
    let Some((meeting, decided)) = minutes else {
        return Err(AppError::NotFound.into());
    };
    let names = |present: bool| meeting.attendance.iter().filter(|a| a.present == Some(present)).map(|a| a.org_name.clone()).collect();
    let picture_week = IsoWeek::parse(&meeting.picture_week).unwrap_or(week.plus(-1));
    let heading = format!("Protokoll: avstämning {}", week_title(week));
    html(
        StatusCode::OK,
        MinutesPage {
            chrome: Chrome::new(&session, format!("{heading} – {}", meeting.forum_name), "forums", &Flash(None)),
            heading,
            picture_label: format!("v. {} {}", picture_week.week(), picture_week.year()),
            back: base(forum_id, week),
            sections: sections(&meeting, &decided),
            present: names(true),
            absent: names(false),
            generated: format_local(jiff::Timestamp::now()),
            meeting,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn item_fields_are_read_by_name() {
        assert_eq!(item_field("i12_note", "note"), Some(12));
        assert_eq!(item_field("i12_title", "note"), None);
        assert_eq!(item_field("notes", "note"), None);
        assert_eq!(item_field("ix_note", "note"), None);
        let input = save_input(&form(&[
            ("version", "3"),
            ("present", "4"),
            ("present", "4"),
            ("i7_note", "Bostadsbolaget tar det"),
            ("i7_title", "Sanera klotter"),
            ("notes", ""),
        ]))
        .expect("valid");
        assert_eq!((input.version, input.present, input.item_notes), (3, vec![4], vec![(7, "Bostadsbolaget tar det".to_owned())]));
        let d = decision_input(&form(&[("i7_title", "Sanera"), ("i7_responsible_org_id", "4"), ("i7_no_police_powers", "on")]), 7);
        assert_eq!((d.title.as_str(), d.responsible_org_id, d.no_police_powers, d.due_on), ("Sanera", Some(4), true, None));
    }

    #[test]
    fn decision_errors_land_at_the_item() {
        let errs =
            FieldErrors(vec![FieldError::new("responsible_org_id", "required", "x"), FieldError::new("category", "category.unknown", "y")]);
        let fields: Vec<String> = at_item(errs, 9).0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["i9_responsible_org_id", "i9_beslut"]);
        assert!(save_input(&form(&[("present", "x")])).is_err(), "no version, broken attendance");
    }
}
