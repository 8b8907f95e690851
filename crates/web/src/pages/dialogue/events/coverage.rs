//! Utbildningstäckning: for a county, each municipality's attended participants by year and
//! kind of event, and the municipalities that never attended in the chosen year and kind
//! ("N av M kommuner deltog"). For county-board coordinators of the county and system
//! administrators (`dialogue::events::coverage`); anyone else gets 403.
//!
//! Path: `/lan/{county}/utbildningstackning` (`?ar=2026&typ=training`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use brygga_store::dialogue::events::KINDS;
use brygga_store::dialogue::events::coverage::{self, TrainingCoverage, TrainingCoverageQuery};
use serde::Deserialize;

use super::pairs;
use crate::AppState;
use crate::kit::auth::SignedIn;
use crate::kit::error::PageResult;
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, html};

pub fn routes() -> Router<AppState> {
    Router::new().route("/lan/{county}/utbildningstackning", get(show))
}

#[derive(Deserialize, Default)]
struct Params {
    ar: Option<String>,
    typ: Option<String>,
}

#[derive(Template)]
#[template(path = "dialogue/events/coverage.html")]
struct CoveragePage {
    chrome: Chrome,
    r: TrainingCoverage,
    kinds: Vec<(String, String)>,
    years: Vec<i16>,
}

async fn show(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(county): Path<String>,
    Query(p): Query<Params>,
    flash: Flash,
) -> PageResult {
    let v = session.viewer.clone();
    let q =
        TrainingCoverageQuery { year: p.ar.as_deref().and_then(|y| y.trim().parse().ok()), kind: p.typ.filter(|k| !k.trim().is_empty()) };
    let r = state.store.read(move |db| coverage::report(db, &v, &county, &q)).await?;
    let this = brygga_domain::time::today().year();
    html(
        StatusCode::OK,
        CoveragePage {
            chrome: Chrome::new(&session, format!("Utbildningstäckning i {}", r.county.label), "events", &flash),
            kinds: pairs(KINDS),
            years: ((this - 6)..=(this + 1)).rev().collect(),
            r,
        },
    )
}
