//! A forum's EST checklist: the convener's coordinators rename, add, re-order and retire
//! categories, each with an optional intensity scale. Everyone in the forum can read it.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use brygga_domain::FieldErrors;
use brygga_store::forums::categories::{self, Category, CategoryInput};
use brygga_store::forums::forum::{self, Forum};
use brygga_store::{Action, kernel::access};

use crate::AppState;
use crate::kit::auth::{FormData, Session, SignedForm, SignedIn};
use crate::kit::error::{AppError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, both, html, version_of};

pub fn routes() -> Router<AppState> {
    Router::new().route("/forum/{id}/kategorier", get(list).post(create)).route("/kategorier/{id}", post(update))
}

#[derive(Template)]
#[template(path = "forums/categories/list.html")]
struct ListPage {
    chrome: Chrome,
    forum: Forum,
    categories: Vec<Category>,
    can_edit: bool,
    new_form: FormView,
    /// The category whose edit failed, with its form.
    failed: Option<(i64, FormView)>,
}

impl ListPage {
    /// The form values for one category's row: what was submitted if that edit failed.
    fn row_form(&self, c: &Category) -> FormView {
        if let Some((id, f)) = &self.failed
            && *id == c.id
        {
            return f.clone();
        }
        let mut f = FormView::empty();
        f.set("name", c.name.clone())
            .set("description", c.description.clone().unwrap_or_default())
            .set("intensity_max", c.intensity_max.map(|m| m.to_string()).unwrap_or_default())
            .set("sort_order", c.sort_order.to_string())
            .set("version", c.version.to_string());
        if c.active {
            f.set("active", "on");
        }
        f
    }
}

async fn page(
    state: &AppState,
    session: &Session,
    forum_id: i64,
    flash: &Flash,
    new_form: FormView,
    failed: Option<(i64, FormView)>,
    status: StatusCode,
) -> PageResult {
    let v = session.viewer.clone();
    let (forum, categories) =
        state.store.read(move |db| Ok((forum::get(db, &v, forum_id)?, categories::list(db, &v, forum_id, true)?))).await?;
    let can_edit = access::allowed(&session.viewer, Action::ManageForum { convener: forum.convener.id });
    html(
        status,
        ListPage {
            chrome: Chrome::new(session, format!("Checklista – {}", forum.name), "forums", flash),
            forum,
            categories,
            can_edit,
            new_form,
            failed,
        },
    )
}

async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Path(forum_id): Path<i64>) -> PageResult {
    page(&state, &session, forum_id, &flash, FormView::empty(), None, StatusCode::OK).await
}

fn input_from(form: &FormData) -> Result<CategoryInput, FieldErrors> {
    let number = |name: &str| -> Result<Option<i64>, FieldErrors> {
        match form.opt(name) {
            None => Ok(None),
            Some(s) => s.parse().map(Some).map_err(|_| brygga_domain::FieldError::new(name, "number.invalid", "Skriv ett heltal.").into()),
        }
    };
    Ok(CategoryInput {
        name: form.get("name").to_owned(),
        description: form.opt("description"),
        intensity_max: number("intensity_max")?,
        sort_order: number("sort_order")?,
        active: form.checked("active") || form.get("active").is_empty() && form.get("version").is_empty(),
    })
}

async fn create(State(state): State<AppState>, Path(forum_id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let result = match input_from(&form).and_then(|i| i.validate()) {
        Ok(valid) => state.store.write(move |db| categories::create(db, &v, forum_id, &valid)).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/forum/{forum_id}/kategorier?klart=skapad")).into_response()),
        Err(AppError::Invalid(errors)) => {
            page(&state, &session, forum_id, &Flash(None), FormView::submitted(&form, errors), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn update(State(state): State<AppState>, Path(id): Path<i64>, SignedForm(session, form): SignedForm) -> PageResult {
    let v = session.viewer.clone();
    let forum_id = state.store.read(move |db| categories::get(db, id)).await?.forum_id;
    let result = match both(input_from(&form).and_then(|i| i.validate()), version_of(&form)) {
        Ok((valid, version)) => state.store.write(move |db| categories::update(db, &v, id, version, &valid)).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/forum/{forum_id}/kategorier?klart=sparad#kategori-{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            page(
                &state,
                &session,
                forum_id,
                &Flash(None),
                FormView::empty(),
                Some((id, FormView::submitted(&form, errors))),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Stale) => {
            let stale = FormView::submitted(&form, brygga_domain::FieldError::new("version", "stale", AppError::Stale.message()).into());
            page(&state, &session, forum_id, &Flash(None), FormView::empty(), Some((id, stale)), StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}
