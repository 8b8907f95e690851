//! E-mail and background jobs (E-post och bakgrundsjobb), for system administrators: the job
//! queue by kind and state, every unsent message (recipient masked, never the text), a retry
//! button for failed messages, and a test message to one's own address.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::account::Email;
use brygga_store::kernel::jobs::KindCounts;
use brygga_store::kernel::mail::{self, NewMail, Overview, Unsent};
use brygga_store::{Action, kernel::access, now_ms};

use crate::AppState;
use crate::kit::auth::{SignedForm, SignedIn};
use crate::kit::error::{AppError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, html};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/drift", get(show))
        .route("/drift/e-post/{id}/forsok-igen", post(retry))
        .route("/drift/provmeddelande", post(send_test))
}

#[derive(Template)]
#[template(path = "operations/status/show.html")]
struct ShowPage {
    chrome: Chrome,
    overview: Overview,
    mail_configured: bool,
}

impl ShowPage {
    fn job_kind(&self, c: &KindCounts) -> String {
        job_kind_label(&c.kind)
    }
    fn mail_kind(&self, u: &Unsent) -> String {
        mail_kind_label(&u.kind).to_owned()
    }
    fn error(&self, u: &Unsent) -> String {
        u.last_error.as_deref().map(error_label).unwrap_or_else(|| "–".to_owned())
    }
}

/// A Swedish name for a job kind; unknown kinds are shown as they are.
pub fn job_kind_label(kind: &str) -> String {
    match kind {
        mail::SEND_KIND => "Skicka e-post".to_owned(),
        "maintenance.purge" => "Gallring av gammal e-post och gamla jobb".to_owned(),
        other => other.to_owned(),
    }
}

fn mail_kind_label(kind: &str) -> &str {
    match kind {
        "test" => "Provmeddelande",
        "alert" => "Larm",
        "digest" => "Veckosammanfattning",
        "questionnaire_reminder" => "Påminnelse om veckoenkäten",
        "consultation" => "Samråd: dokumentation och besked",
        other => other,
    }
}

/// The stored error class (`smtp_permanent 550`) as a Swedish sentence.
pub fn error_label(error: &str) -> String {
    let (class, code) = error.split_once(' ').map_or((error, None), |(c, n)| (c, Some(n)));
    let code = code.map(|c| format!(" (svarskod {c})")).unwrap_or_default();
    match class {
        "connection" => "Kunde inte ansluta till SMTP-servern".to_owned(),
        "timeout" | "timeout_lease" => "SMTP-servern svarade inte i tid".to_owned(),
        "tls" => "TLS-förbindelsen till SMTP-servern misslyckades (certifikat?)".to_owned(),
        "smtp_transient" => format!("Tillfälligt fel hos SMTP-servern{code}"),
        "smtp_permanent" => format!("SMTP-servern vägrade ta emot meddelandet{code}"),
        "protocol" => format!("Oväntat svar från SMTP-servern{code}"),
        "message" => "Meddelandet kunde inte byggas (ogiltig adress?)".to_owned(),
        "lease_expired" => "Arbetaren avbröts mitt i; försöks igen".to_owned(),
        "database" => "Databasen svarade inte".to_owned(),
        other => other.to_owned(),
    }
}

pub async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    access::require(&session.viewer, Action::ManageOperations).map_err(AppError::from)?;
    let v = session.viewer.clone();
    let overview = state.store.read(move |db| mail::overview(db, &v)).await?;
    html(
        StatusCode::OK,
        ShowPage {
            chrome: Chrome::new(&session, "E-post och bakgrundsjobb", "ops", &flash),
            overview,
            mail_configured: state.config.mail_configured,
        },
    )
}

pub async fn retry(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| mail::retry(db, &v, id, now_ms())).await?;
    Ok(Redirect::to("/drift?klart=nytt-forsok").into_response())
}

/// Queues a test message to the signed-in administrator's own address.
pub async fn send_test(State(state): State<AppState>, SignedForm(session, _): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    access::require(&v, Action::ManageOperations).map_err(AppError::from)?;
    let to = Email::parse(v.email()).map_err(|e| AppError::Invalid(e.into()))?;
    let host = state.config.mail_host.clone();
    let mail = NewMail {
        kind: "test",
        to,
        to_user_id: v.user_id(),
        subject: "Provmeddelande från Brygga".to_owned(),
        body: format!(
            "Hej {}!\n\nDet här är ett provmeddelande från Brygga. Kommer det fram fungerar e-posten: \
             larm, påminnelser och veckosammanfattningar når mottagarna.\n\nDu behöver inte svara.\n",
            v.name()
        ),
        list_unsubscribe: None,
    };
    state
        .store
        .write(move |db| {
            mail::enqueue(db, &mail, &host, now_ms())?;
            brygga_store::kernel::audit::record(db, &v, brygga_store::kernel::audit::Event::new("mail.test"))
        })
        .await?;
    Ok(Redirect::to("/drift?klart=provmeddelande").into_response())
}
