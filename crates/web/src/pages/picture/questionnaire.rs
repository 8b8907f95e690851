//! The weekly questionnaire (veckoenkät): reporters answer categories × their places once per
//! period, or say "inget att rapportera"; the convener's coordinators set the rhythm, assign
//! places and see who has answered.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::time::IsoWeek;
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::forums::categories::{self, Category};
use brygga_store::forums::forum::{self, Forum};
use brygga_store::picture::questionnaire::{self, Answer, Questionnaire, ReminderSchedule, ReporterStatus, Response};
use brygga_store::places::areas::{self, Area};
use brygga_store::{Action, kernel::access};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, html};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/enkat", get(index))
        .route("/enkat/{forum}", get(show).post(submit))
        .route("/enkat/{forum}/status", get(status))
        .route("/enkat/{forum}/installningar", post(configure))
        .route("/enkat/{forum}/tilldela", post(assign))
}

#[derive(Template)]
#[template(path = "picture/questionnaire/index.html")]
struct IndexPage {
    chrome: Chrome,
    /// (forum, due week, answered, manages)
    rows: Vec<(Forum, Option<IsoWeek>, bool, bool)>,
}

async fn index(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let now = jiff::Timestamp::now();
    let rows = state
        .store
        .read(move |db| {
            let mut rows = Vec::new();
            let due = questionnaire::due_for(db, &v, now)?;
            for f in forum::list(db, &v)?.into_iter().filter(|f| v.forum_ids().contains(&f.id)) {
                let manages = access::allowed(&v, Action::ManageForum { convener: f.convener.id });
                let q = questionnaire::get(db, f.id)?;
                let assigned = v.user_id().map(|u| questionnaire::assigned_areas(db, f.id, u)).transpose()?.is_some_and(|a| !a.is_empty());
                if !(manages || (assigned && q.is_some_and(|q| q.active))) {
                    continue;
                }
                let week = q.and_then(|q| q.period_of(brygga_domain::time::IsoWeek::of(now)));
                let pending = due.iter().any(|(forum, _)| *forum == f.id);
                rows.push((f, week, !pending, manages));
            }
            Ok(rows)
        })
        .await?;
    html(StatusCode::OK, IndexPage { chrome: Chrome::new(&session, "Veckoenkät", "survey", &flash), rows })
}

#[derive(Deserialize, Default)]
struct WeekQuery {
    vecka: Option<String>,
}

#[derive(Template)]
#[template(path = "picture/questionnaire/form.html")]
struct FormPage {
    chrome: Chrome,
    forum: Forum,
    week: IsoWeek,
    previous: Option<IsoWeek>,
    categories: Vec<Category>,
    /// (id for field names, heading)
    places: Vec<(i64, String)>,
    form: FormView,
}

impl FormPage {
    fn field(&self, category: &i64, place: &i64) -> String {
        format!("c{category}_a{place}")
    }
}

struct Setup {
    forum: Forum,
    q: Questionnaire,
    categories: Vec<Category>,
    places: Vec<Area>,
}

async fn setup(state: &AppState, session: &Session, forum_id: i64) -> Result<Setup, PageError> {
    let v = session.viewer.clone();
    Ok(state
        .store
        .read(move |db| {
            let forum = forum::get(db, &v, forum_id)?;
            let q = questionnaire::get(db, forum_id)?.filter(|q| q.active).ok_or_else(|| {
                brygga_store::StoreError::invalid(FieldError::new("forum", "questionnaire.inactive", "Forumet har ingen aktiv veckoenkät."))
            })?;
            let categories = categories::list(db, &v, forum_id, false)?;
            let mine = v.user_id().map(|u| questionnaire::assigned_areas(db, forum_id, u)).transpose()?.unwrap_or_default();
            let places = match &forum.municipality_code {
                Some(m) => areas::list(db, &v, m)?.into_iter().filter(|a| a.is_active() && mine.contains(&a.id)).collect(),
                None => Vec::new(),
            };
            Ok(Setup { forum, q, categories, places })
        })
        .await?)
}

fn form_page(session: &Session, s: Setup, week: IsoWeek, form: FormView, flash: &Flash) -> FormPage {
    let now_week = IsoWeek::current();
    let current = s.q.period_of(now_week);
    let previous = current.and_then(|c| s.q.period_of(c.plus(-1))).filter(|p| *p != week);
    let mut places: Vec<(i64, String)> = s.places.iter().map(|a| (a.id, a.name.clone())).collect();
    places.push((0, "Någon annanstans i kommunen".to_owned()));
    FormPage {
        chrome: Chrome::new(session, "Veckoenkät", "survey", flash),
        forum: s.forum,
        week,
        previous,
        categories: s.categories,
        places,
        form,
    }
}

async fn show(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    flash: Flash,
    Path(forum_id): Path<i64>,
    Query(q): Query<WeekQuery>,
) -> PageResult {
    let s = setup(&state, &session, forum_id).await?;
    let current =
        s.q.period_of(IsoWeek::current()).ok_or_else(|| AppError::BadRequest("Enkätens första vecka har inte kommit än.".into()))?;
    let week = match q.vecka.as_deref().filter(|w| !w.is_empty()) {
        Some(w) => IsoWeek::parse(w).map_err(|e| AppError::Invalid(e.into()))?,
        None => current,
    };
    let mut form = FormView::empty();
    form.set("week", week.to_string());
    html(StatusCode::OK, form_page(&session, s, week, form, &flash))
}

fn answers_from(form: &FormData, categories: &[Category], places: &[(i64, String)]) -> Result<Vec<Answer>, FieldErrors> {
    let mut errs = FieldErrors::new();
    let mut answers = Vec::new();
    for c in categories {
        for (place, _) in places {
            let name = format!("c{}_a{place}", c.id);
            let raw = form.get(&name).trim();
            if raw.is_empty() {
                continue;
            }
            match raw.parse::<i64>() {
                Ok(n) if (0..=questionnaire::MAX_COUNT).contains(&n) => {
                    answers.push(Answer { category_id: c.id, area_id: (*place != 0).then_some(*place), count: n })
                }
                _ => errs.push(FieldError::new(
                    name,
                    "count.invalid",
                    format!("{}: skriv ett antal mellan 0 och {}.", c.name, questionnaire::MAX_COUNT),
                )),
            }
        }
    }
    errs.into_result().map(|()| answers)
}

async fn submit(State(state): State<AppState>, Path(forum_id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let s = setup(&state, &session, forum_id).await?;
    let week = IsoWeek::parse(form.get("week")).map_err(|e| AppError::Invalid(e.into()))?;
    let mut places: Vec<(i64, String)> = s.places.iter().map(|a| (a.id, a.name.clone())).collect();
    places.push((0, String::new()));
    let result = match answers_from(&form, &s.categories, &places) {
        Ok(answers) => {
            let r = Response {
                forum_id,
                week,
                nothing_to_report: form.checked("nothing_to_report"),
                answers,
                share: form.get("share") != "organisation",
            };
            let v = session.viewer.clone();
            state.store.write(move |db| questionnaire::submit(db, &v, &r, jiff::Timestamp::now())).await.map_err(AppError::from)
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/enkat?klart=skickad").into_response()),
        Err(AppError::Invalid(errors)) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, form_page(&session, s, week, FormView::submitted(&form, errors), &Flash(None)))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "picture/questionnaire/status.html")]
struct StatusPage {
    chrome: Chrome,
    forum: Forum,
    week: IsoWeek,
    q: Option<Questionnaire>,
    rows: Vec<ReporterStatus>,
    answered: usize,
    settings: FormView,
    assign: FormView,
    users: Vec<(String, String)>,
    places: Vec<(String, String)>,
}

async fn status(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    flash: Flash,
    Path(forum_id): Path<i64>,
    Query(q): Query<WeekQuery>,
) -> PageResult {
    let week = match q.vecka.as_deref().filter(|w| !w.is_empty()) {
        Some(w) => IsoWeek::parse(w).map_err(|e| AppError::Invalid(e.into()))?,
        None => IsoWeek::current(),
    };
    status_page(&state, &session, forum_id, week, &flash, None, None).await
}

async fn status_page(
    state: &AppState,
    session: &Session,
    forum_id: i64,
    week: IsoWeek,
    flash: &Flash,
    settings: Option<FormView>,
    assign: Option<FormView>,
) -> PageResult {
    let v = session.viewer.clone();
    let (forum, q, rows, places) = state
        .store
        .read(move |db| {
            let forum = forum::get(db, &v, forum_id)?;
            let q = questionnaire::get(db, forum_id)?;
            let week = q.and_then(|q| q.period_of(week)).unwrap_or(week);
            let rows = questionnaire::status(db, &v, forum_id, week)?;
            let places = match &forum.municipality_code {
                Some(m) => areas::list(db, &v, m)?.into_iter().filter(areas::Area::is_active).collect(),
                None => vec![],
            };
            Ok((forum, q, rows, places))
        })
        .await?;
    let week = q.and_then(|q| q.period_of(week)).unwrap_or(week);
    let settings = settings.unwrap_or_else(|| {
        let mut f = FormView::empty();
        f.set("every_weeks", q.map_or(1, |q| q.every_weeks).to_string()).set("first_week", q.map_or(week, |q| q.first_week).to_string());
        if q.is_none_or(|q| q.active) {
            f.set("active", "on");
        }
        let weekday = q.map_or(ReminderSchedule::DEFAULT_WEEKDAY, |q| q.reminder_weekday);
        let hour = q.map_or(ReminderSchedule::DEFAULT_HOUR, |q| q.reminder_hour);
        f.set("reminder_weekday", weekday.to_string()).set("reminder_hour", hour.to_string());
        if q.is_some_and(|q| q.reminder_email) {
            f.set("reminder_email", "on");
        }
        f
    });
    let users = rows.iter().map(|r| (r.user_id.to_string(), format!("{} ({})", r.name, r.org_name))).collect();
    html(
        StatusCode::OK,
        StatusPage {
            chrome: Chrome::new(session, "Veckoenkät – svar", "survey", flash),
            answered: rows.iter().filter(|r| r.answered_at_ms.is_some()).count(),
            forum,
            week,
            q,
            rows,
            settings,
            assign: assign.unwrap_or_default(),
            users,
            places: crate::kit::options::area_options(&places),
        },
    )
}

/// The reminder part of the settings form; a value that is not a number fails validation.
fn reminder_schedule(form: &FormData) -> ReminderSchedule {
    ReminderSchedule {
        email: form.checked("reminder_email"),
        weekday: form.get("reminder_weekday").trim().parse().unwrap_or(-1),
        hour: form.get("reminder_hour").trim().parse().unwrap_or(-1),
    }
}

async fn configure(State(state): State<AppState>, Path(forum_id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let every = form.get("every_weeks").trim().parse::<i64>().unwrap_or(0);
    let reminders = reminder_schedule(&form);
    let mut errors = reminders.validate().err().unwrap_or_default();
    let first = IsoWeek::parse(form.get("first_week")).map_err(|mut e| {
        e.field = "first_week".into();
        errors.push(e);
    });
    let result = match first {
        Ok(first) if errors.is_empty() => {
            let (v, active) = (session.viewer.clone(), form.checked("active"));
            state
                .store
                .write(move |db| {
                    questionnaire::configure(db, &v, forum_id, every, first, active)?;
                    questionnaire::set_reminders(db, &v, forum_id, reminders)
                })
                .await
                .map(|_| ())
                .map_err(AppError::from)
        }
        _ => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/enkat/{forum_id}/status?klart=sparad")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut page =
                status_page(&state, &session, forum_id, IsoWeek::current(), &Flash(None), Some(FormView::submitted(&form, errors)), None)
                    .await?;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
        Err(e) => Err(e.into()),
    }
}

async fn assign(State(state): State<AppState>, Path(forum_id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let Some(user) = form.int("user_id") else {
        let errors = FieldErrors::from(FieldError::new("user_id", "required", "Välj vem som ska svara för platserna."));
        return status_page(&state, &session, forum_id, IsoWeek::current(), &Flash(None), None, Some(FormView::submitted(&form, errors)))
            .await;
    };
    let areas: Vec<i64> = form.all("area_ids").iter().filter_map(|a| a.parse().ok()).collect();
    let v = session.viewer.clone();
    match state.store.write(move |db| questionnaire::assign(db, &v, forum_id, user, &areas)).await.map_err(AppError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/enkat/{forum_id}/status?klart=sparad")).into_response()),
        Err(AppError::Invalid(errors)) => {
            status_page(&state, &session, forum_id, IsoWeek::current(), &Flash(None), None, Some(FormView::submitted(&form, errors))).await
        }
        Err(e) => Err(e.into()),
    }
}
