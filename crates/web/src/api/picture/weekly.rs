//! `/picture`: the weekly situation picture, with the same numbers as the pages.

use axum::Json;
use axum::extract::State;
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::picture::weekly::{self, WeeklyPicture};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::kit::auth::ApiAuth;
use crate::kit::error::{ApiErrorBody, ApiResult, AppError};
use crate::kit::json::ApiQuery;
use crate::pages::picture::weekly::{PictureParams, Target, resolve};

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

/// The page's parameter names, in the API's words.
fn api_field(field: &str) -> &str {
    match field {
        "vecka" => "week",
        "plats" => "place",
        "kommun" => "municipality",
        "kategori" => "category",
        other => other,
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
    let target = match (q.forum_id, q.org_id, q.municipality.as_deref()) {
        (Some(f), None, _) => Target::Forum(f),
        (None, Some(o), _) => Target::Own(o),
        (None, None, Some(m)) => {
            let code = brygga_domain::geography::municipality(m.trim())
                .or_else(|| brygga_domain::geography::municipality_by_name(m))
                .map(|m| m.code.to_owned())
                .ok_or_else(|| {
                    AppError::Invalid(
                        FieldError::new("municipality", "municipality.unknown", format!("Hittar ingen kommun som heter ”{m}”.")).into(),
                    )
                })?;
            Target::Municipality(code)
        }
        _ => {
            return Err(AppError::Invalid(
                FieldError::new("forum_id", "picture.scope", "Ange ett av forum_id, org_id eller (ensamt) municipality.").into(),
            )
            .into());
        }
    };
    let params = PictureParams {
        vecka: q.week,
        kategori: q.category,
        plats: q.place.map(|p| if p.trim() == "none" { "ingen".to_owned() } else { p }),
        kommun: if matches!(target, Target::Municipality(_)) { None } else { q.municipality },
        fore: None,
    };
    let t = state.config.suppress_below;
    let reader = v.clone();
    let result = state
        .store
        .read_audited(&v, move |db| {
            let r = resolve(db, &reader, &target, &params, t)?;
            weekly::weekly_audited(db, &reader, &r.query, "picture.read", r.about(), brygga_store::kernel::audit::Reads::OfOthers)
        })
        .await;
    match result {
        Ok(p) => Ok(Json(p)),
        Err(brygga_store::StoreError::Invalid(errs)) => Err(AppError::Invalid(FieldErrors(
            errs.0
                .into_iter()
                .map(|mut e| {
                    e.field = api_field(&e.field).to_owned();
                    e
                })
                .collect(),
        ))
        .into()),
        Err(e) => Err(e.into()),
    }
}
