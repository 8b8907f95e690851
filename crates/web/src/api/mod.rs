//! The JSON API under `/api/v1`: the same resources as the pages, the same store functions,
//! the same rules. Callers authenticate with a personal API token (`Authorization: Bearer`),
//! which acts for one organisation. Conventions: docs/API.md. The OpenAPI 3.1 description is
//! generated from these handlers and served at `/api/v1/openapi.json`.

mod actions;
mod alerts;
mod areas;
pub mod extract;
mod forums;
mod geo;
mod imports;
mod me;
mod meetings;
mod observations;
mod orgs;
mod picture;
mod sharing;
mod users;

use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/organisations", get(orgs::list).post(orgs::create))
        .route("/organisations/{id}", get(orgs::get).put(orgs::update).delete(orgs::delete))
        .route("/organisations/{id}/contacts", get(orgs::list_contacts).post(orgs::create_contact))
        .route("/organisations/{id}/claims/{code}", post(orgs::decide_claim))
        .route("/claims", get(orgs::pending_claims))
        .route("/contacts/{id}", get(orgs::get_contact).put(orgs::update_contact).delete(orgs::delete_contact))
        .route("/forums", get(forums::list).post(forums::create))
        .route("/forums/{id}", get(forums::get).put(forums::update).delete(forums::delete))
        .route("/forums/{id}/members/{org_id}", delete(forums::leave))
        .route("/forums/{id}/invitations/{org_id}", post(forums::answer_invitation))
        .route("/forums/{id}/contact-request", post(forums::answer_contact_request))
        .route("/organisations/{id}/invitations", get(users::list_invitations).post(users::invite))
        .route("/membership-invitations/{id}", post(users::answer_invitation).delete(users::withdraw_invitation))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", get(users::get))
        .route("/users/{id}/memberships/{org_id}", put(users::set_membership).delete(users::remove_membership))
        .route("/me", get(me::me))
        .route("/me/data", get(me::data))
        .route("/me/invitations", get(me::invitations))
        .route("/me/tokens", get(me::tokens))
        .route("/me/tokens/{id}", delete(me::revoke_token))
        .route("/me/preferences", get(me::preferences).put(me::set_preferences))
        .route("/audit", get(me::audit))
        .route("/observations", get(observations::list).post(observations::create))
        .route("/observations/{id}", get(observations::get).delete(observations::delete))
        .route("/forums/{id}/categories", get(observations::list_categories).post(observations::create_category))
        .route("/categories/{id}", put(observations::update_category))
        .route("/police-events", imports::police_events())
        .route("/crime-statistics", imports::crime_statistics())
        .route("/counties", get(geo::counties))
        .route("/municipalities", get(geo::municipalities))
        .route("/police-areas", get(geo::police_areas))
        .route("/picture", get(picture::get))
        .route("/areas", get(areas::list).post(areas::create))
        .route("/areas/geojson", get(areas::export))
        .route("/areas/import", axum::routing::post(areas::import))
        .route("/areas/{id}", get(areas::get).put(areas::update).delete(areas::delete))
        .route("/forums/{id}/actions", get(actions::list).post(actions::create))
        .route("/actions/{id}", get(actions::get).put(actions::update))
        .route("/actions/{id}/status", post(actions::set_status))
        .route("/forums/{id}/followup", get(actions::followup))
        .route("/forums/{id}/meetings", get(meetings::list))
        .route("/forums/{id}/meetings/{week}", get(meetings::get).put(meetings::open))
        .route("/forums/{id}/meetings/{week}/items/{item_id}/actions", post(meetings::decide))
        .route("/forums/{id}/alerts", get(alerts::list).post(alerts::create))
        .route("/forums/{id}/alerts/stats", get(alerts::stats))
        .route("/alerts/{id}", get(alerts::get))
        .route("/alerts/{id}/acknowledge", post(alerts::acknowledge))
        .route("/alerts/{id}/close", post(alerts::close))
        .route("/forums/{id}/share-links", get(sharing::list).post(sharing::create))
        .route("/share-links/{id}/revoke", post(sharing::revoke))
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Personlig API-nyckel från Mitt konto → API-nycklar."))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Brygga API",
        description = "Brottsförebyggande samverkan: organisationer, forum, lägesbild, åtgärder, avstämningar, larm, konton och logg. Fel har alltid formen ApiErrorBody. Se docs/API.md.",
        license(name = "EUPL-1.2")
    ),
    servers((url = "/api/v1")),
    security(("token" = [])),
    modifiers(&BearerAuth),
    paths(
        orgs::list, orgs::create, orgs::get, orgs::update, orgs::delete, orgs::pending_claims, orgs::decide_claim,
        orgs::list_contacts, orgs::create_contact, orgs::get_contact, orgs::update_contact, orgs::delete_contact,
        forums::list, forums::create, forums::get, forums::update, forums::delete, forums::leave,
        forums::answer_invitation, forums::answer_contact_request,
        users::list, users::create, users::get, users::set_membership, users::remove_membership,
        users::invite, users::list_invitations, users::answer_invitation, users::withdraw_invitation,
        me::me, me::data, me::invitations, me::tokens, me::revoke_token, me::preferences, me::set_preferences, me::audit,
        observations::create, observations::list, observations::get, observations::delete,
        observations::list_categories, observations::create_category, observations::update_category,
        imports::import_police_events, imports::list_police_events, imports::import_crime_statistics, imports::list_crime_statistics,
        geo::counties, geo::municipalities, geo::police_areas,
        picture::get,
        areas::list, areas::export, areas::create, areas::get, areas::update, areas::delete, areas::import,
        actions::list, actions::create, actions::get, actions::update, actions::set_status, actions::followup,
        meetings::list, meetings::open, meetings::get, meetings::decide,
        alerts::list, alerts::create, alerts::get, alerts::acknowledge, alerts::close, alerts::stats,
        sharing::list, sharing::create, sharing::revoke,
    ),
    components(schemas(crate::error::ApiErrorBody, crate::error::FieldProblem))
)]
pub struct ApiDoc;

/// The OpenAPI 3.1 document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn openapi_json() -> Response {
    let mut resp = Json(openapi()).into_response();
    resp.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("public, max-age=300"));
    resp
}
