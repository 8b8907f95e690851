//! The post-event survey: the organiser writes a few questions (scale 1–5 or free text), sends
//! it (one single-use link per attended participant, by e-mail) and reads the results with the
//! response rate, free texts only from three answers on; a participant answers on the public
//! page `/utvardering/{token}`, without login and without JavaScript. The link itself is the
//! credential (it is unguessable), so the answer form carries no session token; it is checked
//! to come from this site.
//!
//! Paths: `/evenemang/{id}/enkat` (GET, POST), `POST /evenemang/{id}/enkat/skicka`,
//! `/utvardering/{token}` (GET, POST).

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_store::dialogue::events::event::{self, Event};
use brygga_store::dialogue::events::survey::{
    self, MIN_FOR_TEXTS, QUESTION_KINDS, Survey, SurveyForm, SurveyInput, SurveyQuestionInput, SurveyResults,
};
use brygga_store::kernel::access;
use brygga_store::{Action, StoreError};

use super::pairs;
use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/evenemang/{id}/enkat", get(show).post(define))
        .route("/evenemang/{id}/enkat/skicka", post(send))
        .route("/utvardering/{token}", get(answer_form).post(answer))
}

/// How many question rows the form offers.
const ROWS: usize = 6;

#[derive(Template)]
#[template(path = "dialogue/events/survey.html")]
struct SurveyPage {
    chrome: Chrome,
    e: Event,
    s: Option<Survey>,
    results: Option<SurveyResults>,
    can_write: bool,
    form: FormView,
    send_form: FormView,
    kinds: Vec<(String, String)>,
    rows: Vec<usize>,
    min_for_texts: i64,
    scale_heads: Vec<i64>,
}

impl SurveyPage {
    /// No survey yet, or one not yet sent.
    fn editable(&self) -> bool {
        self.s.as_ref().is_none_or(|s| s.sent_at_ms.is_none())
    }
    fn kind_field(&self, i: &usize) -> String {
        format!("kind_{i}")
    }
    fn text_field(&self, i: &usize) -> String {
        format!("text_{i}")
    }
}

async fn page(
    state: &AppState,
    session: &Session,
    id: i64,
    flash: &Flash,
    form: Option<FormView>,
    send_form: FormView,
) -> Result<SurveyPage, PageError> {
    let v = session.viewer.clone();
    let (e, s, results) = state
        .store
        .read(move |db| {
            let e = event::get(db, &v, id)?;
            let s = survey::get(db, &v, id)?;
            let results = match &s {
                Some(x) if x.sent_at_ms.is_some() => Some(survey::results(db, &v, id)?),
                _ => None,
            };
            Ok((e, s, results))
        })
        .await?;
    let form = form.unwrap_or_else(|| {
        let mut f = FormView::empty();
        if let Some(s) = &s {
            for (i, q) in s.questions.iter().enumerate() {
                f.set(&format!("kind_{}", i + 1), q.kind.code.clone()).set(&format!("text_{}", i + 1), q.text.clone());
            }
        } else {
            f.set("kind_1", "scale").set("text_1", "Hur nöjd är du med evenemanget som helhet?");
            f.set("kind_2", "text").set("text_2", "Vad tar du med dig till ditt arbete?");
        }
        f
    });
    Ok(SurveyPage {
        chrome: Chrome::new(session, format!("Enkät: {}", e.title), "events", flash),
        can_write: access::allowed(&session.viewer, Action::ManageEvents { org: e.organiser.id }),
        e,
        s,
        results,
        form,
        send_form,
        kinds: pairs(QUESTION_KINDS),
        rows: (1..=ROWS).collect(),
        min_for_texts: MIN_FOR_TEXTS,
        scale_heads: (1..=5).collect(),
    })
}

async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, flash: Flash) -> PageResult {
    html(StatusCode::OK, page(&state, &session, id, &flash, None, FormView::empty()).await?)
}

fn questions_of(form: &FormData) -> SurveyInput {
    SurveyInput {
        questions: (1..=ROWS)
            .map(|i| SurveyQuestionInput {
                kind: form.get(&format!("kind_{i}")).to_owned(),
                text: form.get(&format!("text_{i}")).to_owned(),
            })
            .filter(|q| !q.text.trim().is_empty())
            .collect(),
    }
}

async fn define(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = questions_of(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| survey::define(db, &v, id, &input)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/evenemang/{id}/enkat?klart=enkat-sparad")).into_response()),
        Submitted::Refused(view) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, page(&state, &session, id, &Flash(None), Some(view), FormView::empty()).await?)
        }
    }
}

async fn send(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let post = state.config.postmark();
    let result = state.store.write(move |db| survey::send(db, &v, &post, id)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => {
            state.store.wake_workers();
            Ok(Redirect::to(&format!("/evenemang/{id}/enkat?klart=enkat-skickad")).into_response())
        }
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, page(&state, &session, id, &Flash(None), None, view).await?),
    }
}

// ---------------------------------------------------------------------------------------
// The public answer page

#[derive(Template)]
#[template(path = "dialogue/events/answer.html")]
struct AnswerPage {
    chrome: Chrome,
    token: String,
    f: Option<SurveyForm>,
    /// Why the survey cannot be answered (already answered), or thanks.
    message: Option<String>,
    form: FormView,
    points: Vec<&'static str>,
}

impl AnswerPage {
    fn field(&self, id: &i64) -> String {
        format!("q{id}")
    }
}

const POINTS: [&str; 5] = ["1", "2", "3", "4", "5"];

async fn answer_form(State(state): State<AppState>, Path(token): Path<String>) -> PageResult {
    let t = token.clone();
    let result = state.store.read(move |db| survey::form(db, &t)).await;
    answer_page(result, token, FormView::empty(), StatusCode::OK)
}

fn answer_page(result: Result<SurveyForm, StoreError>, token: String, form: FormView, ok: StatusCode) -> PageResult {
    let chrome = Chrome::anonymous("Enkät efter evenemanget");
    match result {
        Ok(f) => html(ok, AnswerPage { chrome, token, f: Some(f), message: None, form, points: POINTS.to_vec() }),
        Err(StoreError::Invalid(errs)) => {
            let message = errs.0.first().map(|e| e.message.clone());
            html(StatusCode::CONFLICT, AnswerPage { chrome, token, f: None, message, form, points: POINTS.to_vec() })
        }
        Err(StoreError::NotFound { .. }) => html(
            StatusCode::NOT_FOUND,
            AnswerPage {
                chrome,
                token,
                f: None,
                message: Some("Länken finns inte. Kontrollera att du kopierat hela länken från e-postmeddelandet.".into()),
                form,
                points: POINTS.to_vec(),
            },
        ),
        Err(e) => Err(AppError::from(e).into()),
    }
}

async fn answer(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap, body: Bytes) -> PageResult {
    if !crate::kit::auth::same_origin(&headers) {
        return Err(AppError::Csrf.into());
    }
    let form = FormData::parse(&body)?;
    let answers: BTreeMap<i64, String> =
        form.0.iter().filter_map(|(k, v)| k.strip_prefix('q').and_then(|id| id.parse().ok()).map(|id| (id, v.clone()))).collect();
    let t = token.clone();
    let result = state.store.write(move |db| survey::answer(db, &t, &answers)).await;
    match result {
        Ok(()) => html(
            StatusCode::OK,
            AnswerPage {
                chrome: Chrome::anonymous("Tack för ditt svar"),
                token,
                f: None,
                message: Some("Tack! Ditt svar är sparat. Svaren är anonyma: arrangören ser inte vem som svarat vad.".into()),
                form: FormView::empty(),
                points: POINTS.to_vec(),
            },
        ),
        Err(StoreError::Invalid(errs)) if errs.get("answer").is_some_and(|e| e.code == "events.survey_answered") => {
            answer_page(Err(StoreError::Invalid(errs)), token, FormView::empty(), StatusCode::OK)
        }
        Err(StoreError::Invalid(errs)) => {
            let t = token.clone();
            let f = state.store.read(move |db| survey::form(db, &t)).await;
            answer_page(f, token, FormView::submitted(&form, errs), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => answer_page(Err(e), token, FormView::empty(), StatusCode::OK),
    }
}
