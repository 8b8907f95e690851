//! The overview after signing in: the viewer's organisations, roles and forums.

use askama::Template;
use axum::extract::State;
use brygga_store::Membership;
use brygga_store::forums::{self, Forum};

use super::{Chrome, Flash, html};
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::PageResult;
use crate::i18n::filters;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    memberships: Vec<Membership>,
    forums: Vec<Forum>,
    system_admin: bool,
}

pub async fn show(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash) -> PageResult {
    let v = session.viewer.clone();
    let all = state.store.read(move |db| forums::list(db, &v)).await?;
    let mine: Vec<Forum> = all.into_iter().filter(|f| session.viewer.forum_ids().contains(&f.id)).collect();
    let page = HomePage {
        chrome: Chrome::new(&session, "Översikt", "home", &flash),
        memberships: session.viewer.memberships().to_vec(),
        forums: mine,
        system_admin: session.viewer.is_system_admin(),
    };
    html(axum::http::StatusCode::OK, page)
}
