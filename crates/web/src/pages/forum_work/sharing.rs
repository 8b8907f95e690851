//! Share links (återkoppling): a forum's coordinators give people without an account — the
//! school board, a residents' meeting, the local paper — a read-only link to the weekly
//! report. The link shows the municipality's shared aggregates with small counts hidden,
//! never a report, a free text or a name; it expires, can be revoked, and every opening is in
//! the audit log. The link itself is shown once, when it is made.
//!
//! `/delad/{token}` is the one page of Brygga that needs no sign-in.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use brygga_domain::time::IsoWeek;
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::forum_work::share_links::{self, Opened, ShareInput, ShareLink};
use brygga_store::forums::forum::{self, Forum};
use brygga_store::kernel::sharing::Scope;
use brygga_store::picture::weekly::{self, Cell, PictureQuery, WeeklyPicture};
use brygga_store::{StoreError, now_ms};

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::context::RequestContext;
use crate::kit::error::{AppError, PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, html};
use crate::kit::picture_view::{CellRow, ChartBlock, TotalRow, cell_row, chart, total_row};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/forum/{id}/delningar", get(list).post(create))
        .route("/delningar/{id}/aterkalla", post(revoke))
        .route("/delad/{token}", get(open))
}

/// A forum's links are for its members only; outside it they are answered as not found.
fn hidden(e: StoreError) -> PageError {
    match e {
        StoreError::Forbidden => PageError(AppError::NotFound),
        other => other.into(),
    }
}

// ---------------------------------------------------------------------------------------
// A forum's links: the list, creating and revoking

pub struct LinkRow {
    pub link: ShareLink,
    pub status: &'static str,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "forum_work/sharing/list.html")]
struct ListPage {
    chrome: Chrome,
    forum: Forum,
    links: Vec<LinkRow>,
    may_share: bool,
    form: FormView,
    /// The link just made, in full: shown on this one response only.
    created: Option<(String, String)>,
}

async fn list_page(
    state: &AppState,
    session: &Session,
    id: i64,
    flash: &Flash,
    form: FormView,
    created: Option<(String, String)>,
) -> Result<ListPage, PageError> {
    let v = session.viewer.clone();
    let (forum, links, may_share) = state
        .store
        .read(move |db| {
            let links = share_links::list(db, &v, id)?;
            Ok((forum::get(db, &v, id)?, links, share_links::may_share(db, &v, id)?))
        })
        .await
        .map_err(hidden)?;
    let now = now_ms();
    let links = links
        .into_iter()
        .map(|link| {
            let status = if link.revoked_at_ms.is_some() {
                "återkallad"
            } else if link.is_active(now) {
                "aktiv"
            } else {
                "utgången"
            };
            LinkRow { active: link.is_active(now), status, link }
        })
        .collect();
    Ok(ListPage {
        chrome: Chrome::new(session, format!("Delade länkar – {}", forum.name), "forums", flash),
        forum,
        links,
        may_share,
        form,
        created,
    })
}

pub async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(id): Path<i64>) -> PageResult {
    let mut form = FormView::empty();
    form.set("days", "30");
    html(StatusCode::OK, list_page(&state, &session, id, &flash, form, None).await?)
}

/// Reads the form; a number of days that cannot be read is a field error.
fn input_from(form: &FormData) -> Result<ShareInput, FieldErrors> {
    let days = match form.opt("days") {
        None => None,
        Some(d) => match d.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                return Err(FieldError::new(
                    "days",
                    "number.invalid",
                    "Skriv antalet dagar som ett heltal mellan 1 och 90, till exempel 30.",
                )
                .into());
            }
        },
    };
    Ok(ShareInput { label: form.get("label").to_owned(), days, week: form.opt("week") })
}

pub async fn create(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let result = match input_from(&form) {
        Ok(input) => {
            let v = session.viewer.clone();
            state.store.write(move |db| share_links::create(db, &v, id, &input)).await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(c) => {
            let url = format!("{}/delad/{}", state.config.public_url.trim_end_matches('/'), c.token);
            let mut fresh = FormView::empty();
            fresh.set("days", "30");
            let page = list_page(&state, &session, id, &Flash(None), fresh, Some((c.link.label, url))).await?;
            let mut resp = html(StatusCode::OK, page)?;
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(resp)
        }
        Err(StoreError::Invalid(errors)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            list_page(&state, &session, id, &Flash(None), FormView::submitted(&form, errors), None).await?,
        ),
        Err(e) => Err(hidden(e)),
    }
}

pub async fn revoke(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let link = state.store.write(move |db| share_links::revoke(db, &v, id)).await?;
    Ok(Redirect::to(&format!("/forum/{}/delningar?klart=lank-aterkallad", link.forum_id)).into_response())
}

// ---------------------------------------------------------------------------------------
// The shared weekly report, without sign-in

/// What the picture partials (`picture/_table.html`, `_totals.html`, `_context.html`) read.
pub struct SharedView {
    pub week_label: String,
    pub exact: bool,
    pub threshold: i64,
    pub can_drill: bool,
    pub cells: Vec<CellRow>,
    pub categories: Vec<TotalRow>,
    pub places: Vec<TotalRow>,
    pub total: TotalRow,
    pub chart: Option<ChartBlock>,
}

/// The total's weekly chart, when anything was reported in the 52 weeks.
fn total_chart(p: &WeeklyPicture) -> Option<ChartBlock> {
    let weeks: Vec<IsoWeek> = p.weeks.iter().filter_map(|w| IsoWeek::parse(w).ok()).collect();
    (!weeks.is_empty() && p.total.series.iter().any(|&n| n > 0))
        .then(|| chart("totalt".into(), "Alla rapporter per vecka", &weeks, &p.total.series, (p.total.typical_low, p.total.typical_high)))
}

impl SharedView {
    fn new(p: &WeeklyPicture) -> Self {
        let week = p.iso_week();
        let mut cells: Vec<&Cell> = p.cells.iter().filter(|c| c.suppressed || c.count.unwrap_or(0) > 0 || c.flagged()).collect();
        cells.sort_by(|a, b| b.flagged().cmp(&a.flagged()).then(b.count.unwrap_or(0).cmp(&a.count.unwrap_or(0))));
        Self {
            week_label: format!("v. {} {}", week.week(), week.year()),
            exact: false,
            threshold: p.suppressed_below.unwrap_or(0),
            can_drill: false,
            // No drill-down: a share link never reaches single reports.
            cells: cells.into_iter().map(|c| cell_row(c, "", week, false)).collect(),
            categories: p.categories.iter().map(|c| total_row(&c.name, &c.total, None)).collect(),
            places: p.places.iter().map(|pl| total_row(&pl.name, &pl.total, None)).collect(),
            total: total_row("Totalt", &p.total, None),
            chart: total_chart(p),
        }
    }
}

#[derive(Template)]
#[template(path = "forum_work/sharing/report.html")]
struct ReportPage {
    chrome: Chrome,
    forum_name: String,
    week_number: i8,
    p: WeeklyPicture,
    view: SharedView,
    expires_at_ms: i64,
}

#[derive(Template)]
#[template(path = "forum_work/sharing/gone.html")]
struct GonePage {
    chrome: Chrome,
    heading: &'static str,
    message: &'static str,
}

/// A shared page is not indexed, not cached and sends no referrer (the address is the secret).
fn shared_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(HeaderName::from_static("x-robots-tag"), HeaderValue::from_static("noindex, nofollow"));
    resp
}

pub async fn open(State(state): State<AppState>, RequestContext(origin): RequestContext, Path(token): Path<String>) -> PageResult {
    let suppress = state.config.suppress_below;
    let opened = state
        .store
        .write(move |db| match share_links::open(db, &token, origin)? {
            Opened::Valid { link, forum_name, municipality, week, viewer } => {
                let p = weekly::weekly(db, &viewer, &PictureQuery::new(Scope::Shared, municipality, week, suppress))?;
                Ok(Ok((link, forum_name, p)))
            }
            other => Ok(Err(other)),
        })
        .await?;
    let resp = match opened {
        Ok((link, forum_name, p)) => {
            let view = SharedView::new(&p);
            let title = format!("{forum_name}: veckorapport {}", view.week_label);
            html(
                StatusCode::OK,
                ReportPage {
                    chrome: Chrome::anonymous(title),
                    week_number: p.iso_week().week(),
                    expires_at_ms: link.expires_at_ms,
                    forum_name,
                    view,
                    p,
                },
            )?
        }
        Err(gone) => {
            let (status, heading, message) = match gone {
                Opened::Expired => (
                    StatusCode::GONE,
                    "Länken har gått ut",
                    "Den här länken till veckorapporten gällde bara en tid och har gått ut. Be den som gav dig länken om en ny.",
                ),
                Opened::Revoked => (
                    StatusCode::GONE,
                    "Länken gäller inte längre",
                    "Den som delade veckorapporten har stängt länken. Be den som gav dig länken om en ny.",
                ),
                _ => (
                    StatusCode::NOT_FOUND,
                    "Länken finns inte",
                    "Vi hittar ingen veckorapport med den här adressen. Kontrollera att hela länken kom med när du kopierade den.",
                ),
            };
            html(status, GonePage { chrome: Chrome::anonymous(heading), heading, message })?
        }
    };
    Ok(shared_headers(resp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_as_a_number() {
        let f = |d: &str| FormData(vec![("label".into(), "Skolorna".into()), ("days".into(), d.into())]);
        assert_eq!(input_from(&f("14")).unwrap().days, Some(14));
        assert_eq!(input_from(&f("")).unwrap().days, None);
        assert_eq!(input_from(&f("två")).unwrap_err().0[0].field, "days");
    }
}
