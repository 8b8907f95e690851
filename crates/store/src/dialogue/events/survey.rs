//! The post-event survey with anonymous answers and a response rate.
//!
//! The organiser's coordinators define a few questions (a scale of 1–5, or free text) and send
//! the survey: every participant marked as attended gets one single-use link by e-mail
//! (outbox). The links table records only whether a link was used — no participant, no time —
//! and an answer row has no reference to a link, a participant or a time: the answers are
//! anonymous by construction (the conformance story checks the schema). A link answers once;
//! a second answer is refused with a Swedish message and nothing is written. Free texts pass the
//! personal-data guard. SurveyResults (per question average and distribution, free texts, response
//! rate = used links / sent links) are read by the organiser's users; free texts only from
//! [`MIN_FOR_TEXTS`] answers on (small-number suppression).

use std::collections::BTreeMap;

use brygga_domain::account::Email;
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::event::{self, load_for_write};
use super::{Coded, MAIL_KIND, coded, local_label, pick};
use crate::forum_work::actions::clean_text;
use crate::kernel::audit::{self, Event as AuditEvent};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::mail::{self, NewMail, Postmark};
use crate::kernel::secret;
use crate::kernel::sharing;
use crate::{Viewer, args, now_ms};

/// (code, Swedish label) of a question's kind.
pub const QUESTION_KINDS: &[(&str, &str)] = &[("scale", "Skala 1–5"), ("text", "Fritext")];

/// The most questions a survey takes.
pub const MAX_QUESTIONS: usize = 10;

/// Free texts are shown from this many answers on.
pub const MIN_FOR_TEXTS: i64 = 3;

pub const QUESTION: TextRule = TextRule::line("questions", "Frågan", 300);
pub const ANSWER: TextRule = TextRule::line("answer", "Svaret", 2000).multiline().optional();

/// One question as the organiser writes it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SurveyQuestionInput {
    /// `scale` or `text`.
    pub kind: String,
    pub text: String,
}

/// The survey's questions, replacing any before it is sent.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SurveyInput {
    pub questions: Vec<SurveyQuestionInput>,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyQuestion {
    pub id: i64,
    pub position: i64,
    pub kind: Coded,
    pub text: String,
}

/// A survey as the organiser sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Survey {
    pub id: i64,
    pub event_id: i64,
    pub questions: Vec<SurveyQuestion>,
    pub sent_at_ms: Option<i64>,
}

/// The public answer page's view of a survey (by link).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyForm {
    pub event_title: String,
    pub event_date: String,
    pub organiser_name: String,
    pub questions: Vec<SurveyQuestion>,
}

/// One question's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyQuestionResult {
    pub question: SurveyQuestion,
    /// Answers given to this question.
    pub answered: i64,
    /// Scale questions: the average, one decimal.
    pub average: Option<f64>,
    /// Scale questions: how many answered 1, 2, 3, 4 and 5.
    pub distribution: Vec<i64>,
    /// Text questions: the texts, when at least [`MIN_FOR_TEXTS`] answers came in.
    pub texts: Vec<String>,
    /// Text questions with fewer answers: the texts are held back.
    pub texts_suppressed: bool,
}

/// The results as the organiser reads them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyResults {
    pub sent_links: i64,
    pub answered_links: i64,
    /// Answered links / sent links, in percent (rounded), `None` before sending.
    pub response_rate_percent: Option<i64>,
    pub responses: i64,
    pub questions: Vec<SurveyQuestionResult>,
}

fn questions(db: &mut dyn Conn, survey_id: i64) -> StoreResult<Vec<SurveyQuestion>> {
    Ok(db.map_all(
        "SELECT id, position, kind, text FROM event_survey_questions WHERE survey_id = $1 ORDER BY position",
        args![survey_id],
        |r| {
            let kind: String = r.get("kind")?;
            Ok(SurveyQuestion { id: r.get("id")?, position: r.get("position")?, kind: coded(QUESTION_KINDS, &kind), text: r.get("text")? })
        },
    )?)
}

fn refuse(field: &str, code: &'static str, message: impl Into<String>) -> StoreError {
    let mut errs = FieldErrors::new();
    errs.push(FieldError::new(field, code, message));
    StoreError::Invalid(errs)
}

/// The event's survey (the organiser's users), `None` when none is defined.
pub fn get(db: &mut dyn Conn, v: &Viewer, event_id: i64) -> StoreResult<Option<Survey>> {
    let e = event::get(db, v, event_id)?;
    if !sharing::organises_event(v, e.organiser.id) {
        return Err(StoreError::Forbidden);
    }
    let row: Option<(i64, Option<i64>)> =
        db.map_opt("SELECT id, sent_at FROM event_surveys WHERE event_id = $1", args![event_id], |r| {
            Ok((r.get("id")?, r.get("sent_at")?))
        })?;
    match row {
        None => Ok(None),
        Some((id, sent)) => Ok(Some(Survey { id, event_id, questions: questions(db, id)?, sent_at_ms: sent })),
    }
}

/// Defines (or redefines, until sent) the survey's questions (the organiser's coordinators).
pub fn define(db: &mut dyn Conn, v: &Viewer, event_id: i64, input: &SurveyInput) -> StoreResult<Survey> {
    let e = load_for_write(db, v, event_id)?;
    let existing: Option<(i64, Option<i64>)> =
        db.map_opt("SELECT id, sent_at FROM event_surveys WHERE event_id = $1", args![event_id], |r| {
            Ok((r.get("id")?, r.get("sent_at")?))
        })?;
    if existing.is_some_and(|x| x.1.is_some()) {
        return Err(refuse("questions", "events.survey_sent", "Enkäten är redan skickad och kan inte ändras längre."));
    }
    let mut errs = FieldErrors::new();
    let mut valid: Vec<(String, String)> = Vec::new();
    for q in input.questions.iter().filter(|q| !q.text.trim().is_empty()) {
        let kind = pick(&mut errs, "questions", Some(&q.kind), QUESTION_KINDS, None, "frågetyp (skala eller fritext)");
        let text = clean_text(&mut errs, &QUESTION, Some(&q.text));
        if let (Some(k), Some(Some(t))) = (kind, text) {
            valid.push((k, t));
        }
    }
    if input.questions.iter().all(|q| q.text.trim().is_empty()) {
        errs.push(FieldError::new("questions", "required", "Skriv minst en fråga."));
    }
    if valid.len() > MAX_QUESTIONS {
        errs.push(FieldError::new(
            "questions",
            "events.too_many_questions",
            format!("En enkät får ha högst {MAX_QUESTIONS} frågor. Ta bort {} av dem.", valid.len() - MAX_QUESTIONS),
        ));
    }
    errs.into_result()?;
    let id = match existing {
        Some((id, _)) => {
            db.execute("DELETE FROM event_survey_questions WHERE survey_id = $1", args![id])?;
            id
        }
        None => db.scalar("INSERT INTO event_surveys (event_id, created_at) VALUES ($1, $2) RETURNING id", args![event_id, now_ms()])?,
    };
    for (i, (k, t)) in valid.iter().enumerate() {
        db.execute(
            "INSERT INTO event_survey_questions (survey_id, position, kind, text) VALUES ($1, $2, $3, $4)",
            args![id, i as i64 + 1, k.as_str(), t.as_str()],
        )?;
    }
    audit::record(db, v, AuditEvent::new("event.survey_define").record("event", event_id).org(e.organiser.id))?;
    get(db, v, event_id)?.ok_or(StoreError::not_found("survey"))
}

/// Sends the survey: one single-use link per attended participant, by e-mail. Returns how many
/// links went out. SurveySent once; the event must have ended and someone must have attended.
pub fn send(db: &mut dyn Conn, v: &Viewer, post: &Postmark, event_id: i64) -> StoreResult<i64> {
    let e = load_for_write(db, v, event_id)?;
    let Some(s) = get(db, v, event_id)? else {
        return Err(refuse("questions", "events.no_survey", "Skriv enkätens frågor först."));
    };
    if s.sent_at_ms.is_some() {
        return Err(refuse("questions", "events.survey_sent", "Enkäten är redan skickad. Varje deltagare får bara en länk."));
    }
    let people: Vec<(i64, String)> = db.map_all(
        "SELECT u.id, u.email FROM event_registrations r JOIN users u ON u.id = r.user_id WHERE r.event_id = $1 AND r.status = 'attended' ORDER BY u.id",
        args![event_id],
        |r| Ok((r.get("id")?, r.get("email")?)),
    )?;
    if people.is_empty() {
        return Err(refuse(
            "questions",
            "events.nobody_attended",
            "Ingen är markerad som deltagande ännu. Markera närvaron först; enkäten går till dem som deltog.",
        ));
    }
    let now = now_ms();
    for (user_id, email) in &people {
        let token = secret::random_token(24);
        db.execute("INSERT INTO event_survey_links (survey_id, token_hash) VALUES ($1, $2)", args![s.id, secret::sha256_hex(&token)])?;
        if let Ok(to) = Email::parse(email) {
            let subject = format!("Vad tyckte du om ”{}”?", e.title);
            let body = format!(
                "Hej!\n\nTack för att du deltog i ”{}” ({}). {} vill gärna veta vad du tyckte. Svaren är anonyma: \
                 arrangören ser inte vem som svarat vad.\n\nDin personliga länk (fungerar en gång):\n{}\n\nHälsningar\nBrygga",
                e.title,
                local_label(e.starts_at_ms),
                e.organiser.name,
                post.link(&format!("/utvardering/{token}"))
            );
            mail::enqueue(
                db,
                &NewMail { kind: MAIL_KIND, to, to_user_id: Some(*user_id), subject, body, list_unsubscribe: None },
                &post.host,
                now,
            )?;
        }
    }
    db.execute("UPDATE event_surveys SET sent_at = $1 WHERE id = $2", args![now, s.id])?;
    audit::record(db, v, AuditEvent::new("event.survey_send").record("event", event_id).org(e.organiser.id))?;
    Ok(people.len() as i64)
}

/// (survey, used) of a link.
fn link(db: &mut dyn Conn, token: &str) -> StoreResult<Option<(i64, bool)>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    Ok(db.map_opt("SELECT survey_id, used FROM event_survey_links WHERE token_hash = $1", args![secret::sha256_hex(token)], |r| {
        Ok((r.get("survey_id")?, r.get("used")?))
    })?)
}

const ANSWERED: &str = "Enkäten är redan besvarad från den här länken. Tack för ditt svar!";

/// The survey behind a link (public). Unknown: not found; used: refused with the Swedish message.
pub fn form(db: &mut dyn Conn, token: &str) -> StoreResult<SurveyForm> {
    let (survey_id, used) = link(db, token)?.ok_or(StoreError::not_found("survey_link"))?;
    if used {
        return Err(refuse("answer", "events.survey_answered", ANSWERED));
    }
    let (title, starts, organiser): (String, i64, String) = db.map_one(
        "SELECT e.title, e.starts_at, o.name FROM event_surveys s JOIN events e ON e.id = s.event_id JOIN organisations o ON o.id = e.organiser_org_id
         WHERE s.id = $1",
        args![survey_id],
        |r| Ok((r.get("title")?, r.get("starts_at")?, r.get("name")?)),
    )?;
    Ok(SurveyForm { event_title: title, event_date: local_label(starts), organiser_name: organiser, questions: questions(db, survey_id)? })
}

/// Answers the survey behind a link (public, once): `answers` maps question id to the answer
/// (`1`–`5` for a scale, text for a free-text question; empty: skipped). Nothing is written on
/// any error.
pub fn answer(db: &mut dyn Conn, token: &str, answers: &BTreeMap<i64, String>) -> StoreResult<()> {
    let f = form(db, token)?;
    let mut errs = FieldErrors::new();
    let mut rows: Vec<(i64, Option<i64>, Option<String>)> = Vec::new();
    for q in &f.questions {
        let given = answers.get(&q.id).map(|s| s.trim()).unwrap_or("");
        if given.is_empty() {
            continue;
        }
        let field = format!("q{}", q.id);
        if q.kind.code == "scale" {
            match given.parse::<i64>() {
                Ok(n) if (1..=5).contains(&n) => rows.push((q.id, Some(n), None)),
                _ => errs.push(FieldError::new(field, "events.scale", format!("Svaret på ”{}” ska vara en siffra från 1 till 5.", q.text))),
            }
        } else {
            match ANSWER.parse(given) {
                Ok(t) => rows.push((q.id, None, t)),
                Err(e) => errs.push(FieldError::new(field, e.code, e.message)),
            }
        }
    }
    if rows.is_empty() && errs.is_empty() {
        errs.push(FieldError::new("answer", "required", "Svara på minst en fråga innan du skickar."));
    }
    errs.into_result()?;
    // Claim the link first: of two answers racing from one link only one updates it.
    let claimed =
        db.execute("UPDATE event_survey_links SET used = TRUE WHERE token_hash = $1 AND used = FALSE", args![secret::sha256_hex(token)])?;
    if claimed == 0 {
        return Err(refuse("answer", "events.survey_answered", ANSWERED));
    }
    let survey_id: i64 = db.scalar("SELECT survey_id FROM event_survey_links WHERE token_hash = $1", args![secret::sha256_hex(token)])?;
    let response: i64 = db.scalar("INSERT INTO event_survey_responses (survey_id) VALUES ($1) RETURNING id", args![survey_id])?;
    for (q, scale, text) in rows {
        db.execute(
            "INSERT INTO event_survey_answers (response_id, question_id, scale, text) VALUES ($1, $2, $3, $4)",
            args![response, q, scale, text],
        )?;
    }
    Ok(())
}

/// The results (the organiser's users).
pub fn results(db: &mut dyn Conn, v: &Viewer, event_id: i64) -> StoreResult<SurveyResults> {
    let Some(s) = get(db, v, event_id)? else {
        return Err(StoreError::not_found("survey"));
    };
    let sent: i64 = db.scalar("SELECT COUNT(*) FROM event_survey_links WHERE survey_id = $1", args![s.id])?;
    let used: i64 = db.scalar("SELECT COUNT(*) FROM event_survey_links WHERE survey_id = $1 AND used = TRUE", args![s.id])?;
    let responses: i64 = db.scalar("SELECT COUNT(*) FROM event_survey_responses WHERE survey_id = $1", args![s.id])?;
    let answers: Vec<(i64, Option<i64>, Option<String>)> = db.map_all(
        "SELECT a.question_id, a.scale, a.text FROM event_survey_answers a JOIN event_survey_responses r ON r.id = a.response_id
         WHERE r.survey_id = $1 ORDER BY a.question_id, a.text",
        args![s.id],
        |r| Ok((r.get("question_id")?, r.get("scale")?, r.get("text")?)),
    )?;
    let questions = s
        .questions
        .into_iter()
        .map(|q| {
            let mine: Vec<&(i64, Option<i64>, Option<String>)> = answers.iter().filter(|a| a.0 == q.id).collect();
            let answered = mine.len() as i64;
            let scales: Vec<i64> = mine.iter().filter_map(|a| a.1).collect();
            let texts: Vec<String> = mine.iter().filter_map(|a| a.2.clone()).collect();
            let is_text = q.kind.code == "text";
            SurveyQuestionResult {
                average: (!scales.is_empty()).then(|| (scales.iter().sum::<i64>() as f64 / scales.len() as f64 * 10.0).round() / 10.0),
                distribution: if is_text {
                    Vec::new()
                } else {
                    (1..=5).map(|n| scales.iter().filter(|x| **x == n).count() as i64).collect()
                },
                texts_suppressed: is_text && answered > 0 && answered < MIN_FOR_TEXTS,
                texts: if is_text && answered >= MIN_FOR_TEXTS { texts } else { Vec::new() },
                answered,
                question: q,
            }
        })
        .collect();
    Ok(SurveyResults {
        sent_links: sent,
        answered_links: used,
        response_rate_percent: (sent > 0).then(|| (used * 100 + sent / 2) / sent),
        responses,
        questions,
    })
}
