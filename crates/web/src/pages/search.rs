//! `/sok`: Swedish full-text search over what the viewer may read — signed in or not (an
//! anonymous visitor finds public records only). Facets by kind and municipality are plain links,
//! so the page works without JavaScript. A bad query (too long, only punctuation or small words,
//! an unknown kind or municipality) re-renders the form with the message at its field, status 400.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use brygga_store::search::{self, Facet, SearchQuery, SearchResult};

use crate::AppState;
use crate::kit::auth::{FormData, MaybeSession, urlencode};
use crate::kit::context::RequestContext;
use crate::kit::error::{AppError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, html};

pub fn routes() -> Router<AppState> {
    Router::new().route("/sok", get(show))
}

/// Hits per page.
const PER_PAGE: i64 = 20;

/// A facet value as a link: selecting it, or (when selected) taking it away.
struct FacetLink {
    label: String,
    count: i64,
    href: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "search/search.html")]
struct SearchPage {
    chrome: Chrome,
    form: FormView,
    result: Option<SearchResult>,
    kinds: Vec<FacetLink>,
    municipalities: Vec<FacetLink>,
    /// "Alla typer" / "Alla kommuner" when a filter is set.
    clear_kind: Option<String>,
    clear_municipality: Option<String>,
    first: i64,
    last: i64,
    previous: Option<String>,
    next: Option<String>,
}

fn link(q: &str, kind: Option<&str>, municipality: Option<&str>, page: i64) -> String {
    let mut s = format!("/sok?q={}", urlencode(q));
    if let Some(k) = kind {
        s.push_str(&format!("&kind={}", urlencode(k)));
    }
    if let Some(m) = municipality {
        s.push_str(&format!("&municipality={}", urlencode(m)));
    }
    if page > 1 {
        s.push_str(&format!("&sida={page}"));
    }
    s
}

fn facet_links(facets: &[Facet], selected: Option<&str>, href: impl Fn(&str) -> String) -> Vec<FacetLink> {
    facets
        .iter()
        .map(|f| FacetLink { label: f.label.clone(), count: f.count, href: href(&f.value), selected: selected == Some(f.value.as_str()) })
        .collect()
}

async fn show(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    RequestContext(origin): RequestContext,
    q: RawQuery,
) -> PageResult {
    let form = FormData::parse(q.0.as_deref().unwrap_or("").as_bytes())?;
    let (viewer, chrome) = match &session {
        Ok(s) => (s.viewer.clone(), Chrome::new(s, "Sök", "search", &Flash(None))),
        Err(_) => (brygga_store::Viewer::anonymous(origin), Chrome::anonymous("Sök")),
    };
    let text = form.get("q").to_owned();
    let kind = form.opt("kind");
    let municipality = form.opt("municipality");
    let page = form.int("sida").unwrap_or(1).clamp(1, 500);
    let mut view = FormView::empty();
    view.set("q", text.clone());
    let empty = SearchPage {
        chrome,
        form: view,
        result: None,
        kinds: vec![],
        municipalities: vec![],
        clear_kind: None,
        clear_municipality: None,
        first: 0,
        last: 0,
        previous: None,
        next: None,
    };
    // Nothing asked yet: the empty form.
    if !form.0.iter().any(|(k, _)| k == "q") {
        return html(StatusCode::OK, empty);
    }
    let query = SearchQuery {
        q: text.clone(),
        kinds: kind.iter().cloned().collect(),
        municipality: municipality.clone(),
        limit: Some(PER_PAGE),
        offset: Some((page - 1) * PER_PAGE),
    };
    let result = match search::search(&state.store, &viewer, &query).await {
        Ok(r) => r,
        Err(brygga_store::StoreError::Invalid(errors)) => {
            let mut page = empty;
            page.form.errors = errors;
            return html(StatusCode::BAD_REQUEST, page);
        }
        Err(e) => return Err(AppError::from(e).into()),
    };
    let (k, m) = (kind.as_deref(), municipality.as_deref());
    let kinds = facet_links(&result.kinds, k, |v| if k == Some(v) { link(&text, None, m, 1) } else { link(&text, Some(v), m, 1) });
    let municipalities =
        facet_links(&result.municipalities, m, |v| if m == Some(v) { link(&text, k, None, 1) } else { link(&text, k, Some(v), 1) });
    let first = (page - 1) * PER_PAGE + 1;
    let last = (page - 1) * PER_PAGE + result.hits.len() as i64;
    let page_view = SearchPage {
        clear_kind: k.map(|_| link(&text, None, m, 1)),
        clear_municipality: m.map(|_| link(&text, k, None, 1)),
        previous: (page > 1).then(|| link(&text, k, m, page - 1)),
        next: (last < result.total).then(|| link(&text, k, m, page + 1)),
        kinds,
        municipalities,
        first,
        last,
        result: Some(result),
        ..empty
    };
    html(StatusCode::OK, page_view)
}
