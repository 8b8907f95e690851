//! Concluding a consultation: themes (Brygga's suggestion, the organiser's confirmation, merging,
//! moving items), a disposition for each item with links to what it changed, and the compiled
//! documentation — its preview, publication and published versions.
//!
//! Paths: `/samrad/{id}/teman` (+ `forslag`, new theme), `/samrad/teman/{tid}` (+ `sla-ihop`,
//! `ta-bort`), `/samrad/medskick/{iid}/tema`, `/samrad/medskick/{iid}/besked`,
//! `/samrad/{id}/dokumentation`, `/samrad/{id}/dokumentation/{version}`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_store::dialogue::consultations::OUTCOMES;
use brygga_store::dialogue::consultations::compiled::{self, Compiled, PublishInput, Version};
use brygga_store::dialogue::consultations::dispositions::{self, Disposition, DispositionInput, LinkChoice};
use brygga_store::dialogue::consultations::head::{self, Head};
use brygga_store::dialogue::consultations::themes::{self, Suggestion, Theme, ThemeInput, ThemedItem};
use brygga_store::dialogue::newsletters;
use brygga_store::kernel::access::{Action, allowed};

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{PageError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, Submitted, html, submitted};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/samrad/{id}/teman", get(themes_page).post(create_theme))
        .route("/samrad/{id}/teman/forslag", post(adopt_suggestion))
        .route("/samrad/teman/{tid}", post(update_theme))
        .route("/samrad/teman/{tid}/sla-ihop", post(merge_theme))
        .route("/samrad/teman/{tid}/ta-bort", post(delete_theme))
        .route("/samrad/medskick/{iid}/tema", post(assign_theme))
        .route("/samrad/medskick/{iid}/besked", get(disposition_page).post(set_disposition))
        .route("/samrad/{id}/dokumentation", get(documentation).post(publish))
        .route("/samrad/{id}/dokumentation/nyhetsbrev", post(send_digest))
        .route("/samrad/{id}/dokumentation/{version}", get(version_page))
}

const ACTIVE: &str = "consultations";

#[derive(Template)]
#[template(path = "dialogue/conclusion/themes.html")]
struct ThemesPage {
    chrome: Chrome,
    head: Head,
    themes: Vec<Theme>,
    items: Vec<ThemedItem>,
    suggestion: Suggestion,
    form: FormView,
}

impl ThemesPage {
    fn items_of(&self, theme: Option<i64>) -> Vec<&ThemedItem> {
        self.items.iter().filter(|i| i.theme_id == theme).collect()
    }
    fn items_in(&self, theme: &Theme) -> Vec<&ThemedItem> {
        self.items_of(Some(theme.id))
    }
    fn in_theme(&self, item: &ThemedItem, theme: &Theme) -> bool {
        item.theme_id == Some(theme.id)
    }
    fn text_of(&self, id: &i64) -> String {
        self.items.iter().find(|i| i.id == *id).map(|i| excerpt(&i.text)).unwrap_or_default()
    }
}

fn excerpt(text: &str) -> String {
    if text.chars().count() > 140 { format!("{}…", text.chars().take(140).collect::<String>()) } else { text.to_owned() }
}

async fn themes_view(state: &AppState, session: &Session, id: i64, form: FormView, flash: &Flash) -> Result<ThemesPage, PageError> {
    let v = session.viewer.clone();
    let (head, themes, items, suggestion) = state
        .store
        .read(move |db| {
            let h = head::concluding(db, &v, id)?;
            Ok((h, themes::list(db, &v, id)?, themes::items(db, &v, id)?, themes::suggest(db, &v, id)?))
        })
        .await?;
    Ok(ThemesPage {
        chrome: Chrome::new(session, format!("Teman – {}", head.title), ACTIVE, flash), head, themes, items, suggestion, form
    })
}

async fn themes_page(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, flash: Flash) -> PageResult {
    html(StatusCode::OK, themes_view(&state, &session, id, FormView::empty(), &flash).await?)
}

async fn adopt_suggestion(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, _form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    state.store.write(move |db| themes::adopt_suggestion(db, &v, id)).await?;
    Ok(Redirect::to(&format!("/samrad/{id}/teman?klart=sparad")).into_response())
}

fn theme_input(form: &FormData) -> ThemeInput {
    ThemeInput { name: form.opt("name"), summary: form.opt("summary"), confirmed: Some(form.opt("confirmed").is_some()) }
}

async fn create_theme(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = ThemeInput { confirmed: Some(true), ..theme_input(&form) };
    let v = session.viewer.clone();
    let result = state.store.write(move |db| themes::create(db, &v, id, &input)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/samrad/{id}/teman?klart=skapad")).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, themes_view(&state, &session, id, view, &Flash(None)).await?),
    }
}

/// The consultation a theme belongs to, for redirects and for showing a refused form again.
async fn theme_consultation(state: &AppState, session: &Session, tid: i64) -> Result<i64, PageError> {
    let v = session.viewer.clone();
    Ok(state.store.read(move |db| Ok(themes::get(db, &v, tid)?.consultation_id)).await?)
}

async fn update_theme(State(state): State<AppState>, Path(tid): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let cid = theme_consultation(&state, &session, tid).await?;
    let input = theme_input(&form);
    let v = session.viewer.clone();
    let result = state.store.write(move |db| themes::update(db, &v, tid, &input)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => Ok(Redirect::to(&format!("/samrad/{cid}/teman?klart=sparad#tema-{tid}")).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, themes_view(&state, &session, cid, view, &Flash(None)).await?),
    }
}

async fn merge_theme(State(state): State<AppState>, Path(tid): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let cid = theme_consultation(&state, &session, tid).await?;
    let into = form.opt("into").and_then(|s| s.parse().ok());
    let v = session.viewer.clone();
    let result = state.store.write(move |db| themes::merge(db, &v, tid, into)).await;
    match submitted(&form, result)? {
        Submitted::Done(t) => Ok(Redirect::to(&format!("/samrad/{cid}/teman?klart=sparad#tema-{}", t.id)).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, themes_view(&state, &session, cid, view, &Flash(None)).await?),
    }
}

async fn delete_theme(State(state): State<AppState>, Path(tid): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let cid = theme_consultation(&state, &session, tid).await?;
    let v = session.viewer.clone();
    let result = state.store.write(move |db| themes::delete(db, &v, tid)).await;
    match submitted(&form, result)? {
        Submitted::Done(()) => Ok(Redirect::to(&format!("/samrad/{cid}/teman?klart=borttagen")).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, themes_view(&state, &session, cid, view, &Flash(None)).await?),
    }
}

async fn assign_theme(State(state): State<AppState>, Path(iid): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let theme = form.opt("theme_id").and_then(|s| s.parse().ok());
    let v = session.viewer.clone();
    let cid = state
        .store
        .write(move |db| {
            themes::assign(db, &v, iid, theme)?;
            Ok(head::concluding_input(db, &v, iid)?.id)
        })
        .await?;
    Ok(Redirect::to(&format!("/samrad/{cid}/teman?klart=sparad#medskick-{iid}")).into_response())
}

#[derive(Template)]
#[template(path = "dialogue/conclusion/disposition.html")]
struct DispositionPage {
    chrome: Chrome,
    head: Head,
    item: ThemedItem,
    current: Option<Disposition>,
    choices: Vec<LinkChoice>,
    outcomes: Vec<(String, String)>,
    form: FormView,
}

impl DispositionPage {
    fn chosen(&self, value: &str) -> bool {
        self.form.has("links", value)
    }
    /// The links typed by hand (those not among the choices), for the text field.
    fn other_links(&self) -> String {
        if !self.form.value("other_links").is_empty() {
            return self.form.value("other_links").to_owned();
        }
        let typed = self.form.values.iter().filter(|(k, v)| k == "links" && !self.choices.iter().any(|c| &c.value == v));
        typed.map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(", ")
    }
}

async fn disposition_view(state: &AppState, session: &Session, iid: i64, form: Option<FormView>) -> Result<DispositionPage, PageError> {
    let v = session.viewer.clone();
    let (head, item, current, choices) = state
        .store
        .read(move |db| {
            let h = head::concluding_input(db, &v, iid)?;
            let item =
                themes::items(db, &v, h.id)?.into_iter().find(|i| i.id == iid).ok_or(brygga_store::StoreError::not_found("input"))?;
            let current = dispositions::for_inputs(db, &v, &[iid])?.pop();
            let choices = dispositions::link_choices(db, &v, h.id)?;
            Ok((h, item, current, choices))
        })
        .await?;
    let form = form.unwrap_or_else(|| {
        let mut f = FormView::empty();
        if let Some(d) = &current {
            f.set("outcome", d.outcome.clone()).set("reason", d.reason.clone());
            for l in &d.links {
                f.add("links", format!("{}:{}", l.kind, l.id));
            }
        }
        f
    });
    Ok(DispositionPage {
        chrome: Chrome::new(session, "Besked om medskick", ACTIVE, &Flash(None)),
        head,
        item,
        current,
        choices,
        outcomes: OUTCOMES.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())).collect(),
        form,
    })
}

async fn disposition_page(State(state): State<AppState>, SignedIn(session): SignedIn, Path(iid): Path<i64>) -> PageResult {
    html(StatusCode::OK, disposition_view(&state, &session, iid, None).await?)
}

async fn set_disposition(State(state): State<AppState>, Path(iid): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let mut links = form.all("links");
    links.extend(form.get("other_links").split([',', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned));
    let input = DispositionInput { outcome: form.opt("outcome"), reason: form.opt("reason"), links };
    let v = session.viewer.clone();
    let post = state.config.postmark();
    let result = state
        .store
        .write(move |db| {
            dispositions::set(db, &v, &post, iid, &input)?;
            Ok(head::concluding_input(db, &v, iid)?.id)
        })
        .await;
    match submitted(&form, result)? {
        Submitted::Done(cid) => Ok(Redirect::to(&format!("/samrad/{cid}/teman?klart=sparad#medskick-{iid}")).into_response()),
        Submitted::Refused(view) => html(StatusCode::UNPROCESSABLE_ENTITY, disposition_view(&state, &session, iid, Some(view)).await?),
    }
}

#[derive(Template)]
#[template(path = "dialogue/conclusion/documentation.html")]
struct DocumentationPage {
    chrome: Chrome,
    head: Head,
    concludes: bool,
    versions: Vec<Version>,
    /// The preview, for those who may publish.
    doc: Option<Compiled>,
    form: FormView,
    /// The newsletter lists the viewer may send the outcome to.
    lists: Vec<(String, String)>,
}

async fn documentation_view(
    state: &AppState,
    session: &Session,
    id: i64,
    form: FormView,
    flash: &Flash,
) -> Result<DocumentationPage, PageError> {
    let v = session.viewer.clone();
    let (head, versions, doc, lists) = state
        .store
        .read(move |db| {
            let h = head::readable(db, &v, id)?;
            let doc = if h.concludes(&v) { Some(compiled::preview(db, &v, id)?) } else { None };
            let lists: Vec<(String, String)> = newsletters::lists(db, &v)?
                .into_iter()
                .filter(|l| allowed(&v, Action::ManageNewsletter { org: l.owner_org_id }))
                .map(|l| (l.id.to_string(), format!("{} ({})", l.name, l.owner_name)))
                .collect();
            Ok((h, compiled::versions(db, &v, id)?, doc, lists))
        })
        .await?;
    Ok(DocumentationPage {
        chrome: Chrome::new(session, format!("Dokumentation – {}", head.title), ACTIVE, flash),
        concludes: head.concludes(&session.viewer),
        head,
        versions,
        doc,
        form,
        lists,
    })
}

async fn documentation(State(state): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<i64>, flash: Flash) -> PageResult {
    html(StatusCode::OK, documentation_view(&state, &session, id, FormView::empty(), &flash).await?)
}

async fn publish(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let input = PublishInput { note: form.opt("note") };
    let v = session.viewer.clone();
    let post = state.config.postmark();
    let result = state.store.write(move |db| compiled::publish(db, &v, &post, id, &input)).await;
    match submitted(&form, result)? {
        Submitted::Done(doc) => Ok(Redirect::to(&format!("/samrad/{id}/dokumentation/{}?klart=publicerad", doc.version)).into_response()),
        Submitted::Refused(view) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, documentation_view(&state, &session, id, view, &Flash(None)).await?)
        }
    }
}

async fn send_digest(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let list = form.opt("list_id").and_then(|s| s.parse().ok());
    let v = session.viewer.clone();
    let post = state.config.postmark();
    let result = state.store.write(move |db| compiled::send_outcome_digest(db, &v, &post, id, list)).await;
    match submitted(&form, result)? {
        Submitted::Done(_) => {
            state.store.wake_workers();
            Ok(Redirect::to(&format!("/samrad/{id}/dokumentation?klart=nyhetsbrev-skickat")).into_response())
        }
        Submitted::Refused(view) => {
            html(StatusCode::UNPROCESSABLE_ENTITY, documentation_view(&state, &session, id, view, &Flash(None)).await?)
        }
    }
}

#[derive(Template)]
#[template(path = "dialogue/conclusion/version.html")]
struct VersionPage {
    chrome: Chrome,
    doc: Compiled,
    newest: i64,
}

async fn version_page(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((id, version)): Path<(i64, i64)>,
    flash: Flash,
) -> PageResult {
    let v = session.viewer.clone();
    let (doc, newest) = state
        .store
        .read(move |db| {
            let doc = compiled::published(db, &v, id, Some(version))?;
            let newest = compiled::versions(db, &v, id)?.first().map_or(version, |x| x.version);
            Ok((doc, newest))
        })
        .await?;
    html(
        StatusCode::OK,
        VersionPage { chrome: Chrome::new(&session, format!("Dokumentation – {}", doc.title), ACTIVE, &flash), doc, newest },
    )
}
