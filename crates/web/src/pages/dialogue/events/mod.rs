//! Utbildning och evenemang (issue 16, item 5): the course catalogue with tracks per role,
//! events with registration, the waiting list and attendance, the viewer's own registrations,
//! the county's coverage report, certificates and the post-event survey. Who reads and writes
//! is the store's (`dialogue::events`); the pages only show what it answers.
//!
//! Paths: `/utbildning`, `/evenemang`, `/evenemang/ny`, `/evenemang/{id}` (`/redigera`,
//! `/anmal`, `/anmalningar/{rid}/avboka`, `/anmalningar/{rid}/narvaro`, `/enkat`,
//! `/enkat/skicka`), `/mina-evenemang`, `/mina-evenemang/intyg/{rid}`, `/intyg/{code}`,
//! `/utvardering/{token}`, `/lan/{county}/utbildningstackning`.

use axum::Router;

use crate::AppState;

pub mod catalogue;
pub mod certificates;
pub mod coverage;
#[allow(clippy::module_inception)]
pub mod events;
pub mod survey;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(catalogue::routes())
        .merge(events::routes())
        .merge(coverage::routes())
        .merge(certificates::routes())
        .merge(survey::routes())
}

/// (code, label) pairs for a select.
pub(crate) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())).collect()
}
