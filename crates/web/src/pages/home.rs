//! The overview after signing in: the viewer's organisations, roles and forums.

use askama::Template;
use axum::extract::State;
use brygga_store::Membership;
use brygga_store::forums::forum::{self, Forum};

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
    forums: Vec<Forum>,
    system_admin: bool,
    /// Questionnaires waiting for the viewer's answer: (forum id, forum name, week number).
    reminders: Vec<(i64, String, i8)>,
    /// Open alerts waiting for the viewer's acknowledgement: (alert id, title, urgency, forum name).
    alerts: Vec<(i64, String, String, String)>,
}

pub async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let now = jiff::Timestamp::now();
    let (uid, pending) = (v.user_id(), session.pending_alerts);
    let (all, due, open) = state
        .store
        .read(move |db| {
            // The session counted the alerts waiting for the viewer; read them only when there are some.
            let open = if pending > 0 { brygga_store::forum_work::alerts::open_for(db, &v)? } else { vec![] };
            Ok((forum::list(db, &v)?, brygga_store::picture::questionnaire::due_for(db, &v, now)?, open))
        })
        .await?;
    let alerts = open
        .into_iter()
        .filter(|a| a.awaits(uid))
        .map(|a| {
            let forum = all.iter().find(|f| f.id == a.forum_id).map_or_else(String::new, |f| f.name.clone());
            (a.id, a.title, a.urgency_label, forum)
        })
        .collect();
    let reminders: Vec<(i64, String, i8)> = due
        .into_iter()
        .filter_map(|(forum, week)| all.iter().find(|f| f.id == forum).map(|f| (f.id, f.name.clone(), week.week())))
        .collect();
    let mine: Vec<Forum> = all.into_iter().filter(|f| session.viewer.forum_ids().contains(&f.id)).collect();
    let page = HomePage {
        chrome: Chrome::new(&session, "Översikt", "home", &flash),
        memberships: session.viewer.memberships().to_vec(),
        forums: mine,
        system_admin: session.viewer.is_system_admin(),
        reminders,
        alerts,
    };
    html(axum::http::StatusCode::OK, page)
}
