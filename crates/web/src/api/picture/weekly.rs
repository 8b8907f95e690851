//! `/picture`: the weekly situation picture, with the same numbers as the pages.

use axum::Json;
use axum::extract::State;
use brygga_domain::FieldError;
use brygga_store::kernel::audit::Reads;
use brygga_store::picture::weekly::{self, Request, Target, WeeklyPicture};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult, AppError};
use crate::kit::json::ApiQuery;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PictureQuery {
    /// A forum's joint problem picture (what its members shared with it).
    forum_id: Option<i64>,
    /// An organisation's own picture (the caller must act for it).
    org_id: Option<i64>,
    /// Municipality code or name. Alone: the aggregates of everything shared in the municipality
    /// (small counts hidden); with `forum_id`/`org_id`: which municipality (default: the forum's,
    /// or the organisation's first).
    municipality: Option<String>,
    /// ISO week, e.g. `2026-W47`; default the current week. A future week is refused.
    week: Option<String>,
    /// Only this category code (e.g. `klotter`).
    category: Option<String>,
    /// Only this place: an area id, or `none` for reports without a place.
    place: Option<String>,
}

impl PictureQuery {
    /// Which picture: `forum_id`, `org_id` or (alone) `municipality`; anything else is a field
    /// error naming the three.
    fn target(&self) -> Result<Target, AppError> {
        match (self.forum_id, self.org_id, self.municipality.as_deref()) {
            (Some(f), None, _) => Ok(Target::Forum(f)),
            (None, Some(o), _) => Ok(Target::Own(o)),
            (None, None, Some(m)) => Ok(Target::Municipality(m.to_owned())),
            _ => Err(AppError::Invalid(
                FieldError::new("forum_id", "picture.scope", "Ange ett av forum_id, org_id eller (ensamt) municipality.").into(),
            )),
        }
    }

    /// The store's request: the API's words mapped onto the store's (`none` is `ingen` there).
    fn request(self, suppress_below: i64) -> Result<Request, AppError> {
        let target = self.target()?;
        Ok(Request {
            municipality: if matches!(target, Target::Municipality(_)) { None } else { self.municipality },
            target,
            week: self.week,
            category: self.category,
            place: self.place.map(|p| if p.trim() == "none" { "ingen".to_owned() } else { p }),
            suppress_below,
        })
    }
}

/// The weekly picture for a forum (`forum_id`), an organisation (`org_id`) or a municipality
/// (`municipality` alone): counts per category × place with the baseline, the 52-week series, the
/// trend test (expected, typical range, p, q, flagged, direction), the flags as Swedish
/// sentences, totals per category and place with the Gi* hotspot layer, sources, audience and
/// context. Outside the forum, counts below the threshold are `null` with `suppressed: true` and
/// left out of every total.
#[utoipa::path(get, operation_id = "get_picture", path = "/picture", params(PictureQuery), tag = "picture",
    responses((status = 200, body = WeeklyPicture), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody, description = "A bad or future week, an unknown place or municipality")))]
pub async fn get(
    State(state): State<AppState>,
    ApiAuth(v): ApiAuth,
    ApiQuery(q): ApiQuery<PictureQuery>,
) -> ApiResult<Json<WeeklyPicture>> {
    let request = q.request(state.config.suppress_below)?;
    let reader = v.clone();
    let picture = state
        .store
        .read_audited(&v, move |db| {
            let r = weekly::resolve(db, &reader, &request)?;
            weekly::weekly_audited(db, &reader, &r, "picture.read", r.about(), Reads::OfOthers)
        })
        .await?;
    Ok(Json(picture))
}
