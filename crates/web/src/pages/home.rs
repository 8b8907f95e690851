//! Översikt: what the viewer needs this week, by role — a coordinator's forums (last week's
//! flags, overdue actions, open alerts, the questionnaire's answer rate), a reporter's to-dos
//! (report, answer the questionnaire, their latest reports) — from one store read
//! ([`overview::for_viewer`]); then the alerts waiting for the viewer's acknowledgement.

use askama::Template;
use axum::extract::State;
use brygga_store::Membership;
use brygga_store::forum_work::overview::{self, Overview};

use crate::AppState;
use crate::kit::auth::SignedIn;
use crate::kit::error::PageResult;
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, html};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    memberships: Vec<Membership>,
    system_admin: bool,
    overview: Overview,
    /// Open alerts waiting for the viewer's acknowledgement: (alert id, title, urgency, forum name).
    alerts: Vec<(i64, String, String, String)>,
}

pub async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let now = jiff::Timestamp::now();
    let (uid, pending) = (v.user_id(), session.pending_alerts);
    let (overview, open) = state
        .store
        .read(move |db| {
            // The session counted the alerts waiting for the viewer; read them only when there are some.
            let open = if pending > 0 { brygga_store::forum_work::alerts::open_for(db, &v)? } else { vec![] };
            Ok((overview::for_viewer(db, &v, now)?, open))
        })
        .await?;
    let alerts = open
        .into_iter()
        .filter(|a| a.awaits(uid))
        .map(|a| {
            let forum = overview.forums.iter().find(|(id, _)| *id == a.forum_id).map_or_else(String::new, |(_, name)| name.clone());
            (a.id, a.title, a.urgency_label, forum)
        })
        .collect();
    let page = HomePage {
        chrome: Chrome::new(&session, "Översikt", "home", &flash),
        memberships: session.viewer.memberships().to_vec(),
        system_admin: session.viewer.is_system_admin(),
        overview,
        alerts,
    };
    html(axum::http::StatusCode::OK, page)
}
