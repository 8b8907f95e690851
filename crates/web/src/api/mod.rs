//! The JSON API under `/api/v1`: the same resources as the pages, the same store functions,
//! the same rules. Callers authenticate with a personal API token (`Authorization: Bearer`),
//! which acts for one organisation. Conventions: docs/API.md. The OpenAPI 3.1 description is
//! generated from these handlers and served at `/api/v1/openapi.json`.

use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

mod accounts;
mod forum_work;
mod forums;
mod picture;
mod places;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/organisations", get(accounts::orgs::list).post(accounts::orgs::create))
        .route("/organisations/{id}", get(accounts::orgs::get).put(accounts::orgs::update).delete(accounts::orgs::delete))
        .route("/organisations/{id}/contacts", get(accounts::orgs::list_contacts).post(accounts::orgs::create_contact))
        .route("/organisations/{id}/claims/{code}", post(accounts::orgs::decide_claim))
        .route("/claims", get(accounts::orgs::pending_claims))
        .route(
            "/contacts/{id}",
            get(accounts::orgs::get_contact).put(accounts::orgs::update_contact).delete(accounts::orgs::delete_contact),
        )
        .route("/forums", get(forums::forum::list).post(forums::forum::create))
        .route("/forums/{id}", get(forums::forum::get).put(forums::forum::update).delete(forums::forum::delete))
        .route("/forums/{id}/members/{org_id}", delete(forums::forum::leave))
        .route("/forums/{id}/invitations/{org_id}", post(forums::forum::answer_invitation))
        .route("/forums/{id}/contact-request", post(forums::forum::answer_contact_request))
        .route("/organisations/{id}/invitations", get(accounts::users::list_invitations).post(accounts::users::invite))
        .route("/membership-invitations/{id}", post(accounts::users::answer_invitation).delete(accounts::users::withdraw_invitation))
        .route("/users", get(accounts::users::list).post(accounts::users::create))
        .route("/users/{id}", get(accounts::users::get))
        .route("/users/{id}/memberships/{org_id}", put(accounts::users::set_membership).delete(accounts::users::remove_membership))
        .route("/me", get(accounts::me::me))
        .route("/me/data", get(accounts::me::data))
        .route("/me/invitations", get(accounts::me::invitations))
        .route("/me/tokens", get(accounts::me::tokens))
        .route("/me/tokens/{id}", delete(accounts::me::revoke_token))
        .route("/me/preferences", get(accounts::me::preferences).put(accounts::me::set_preferences))
        .route("/audit", get(accounts::me::audit))
        .route("/observations", get(picture::observations::list).post(picture::observations::create))
        .route("/observations/{id}", get(picture::observations::get).delete(picture::observations::delete))
        .route("/forums/{id}/categories", get(picture::observations::list_categories).post(picture::observations::create_category))
        .route("/categories/{id}", put(picture::observations::update_category))
        .route("/police-events", picture::imports::police_events())
        .route("/crime-statistics", picture::imports::crime_statistics())
        .route("/counties", get(places::geo::counties))
        .route("/municipalities", get(places::geo::municipalities))
        .route("/police-areas", get(places::geo::police_areas))
        .route("/picture", get(picture::weekly::get))
        .route("/areas", get(places::areas::list).post(places::areas::create))
        .route("/areas/geojson", get(places::areas::export))
        .route("/areas/import", axum::routing::post(places::areas::import))
        .route("/areas/{id}", get(places::areas::get).put(places::areas::update).delete(places::areas::delete))
        .route("/forums/{id}/actions", get(forum_work::actions::list).post(forum_work::actions::create))
        .route("/actions/{id}", get(forum_work::actions::get).put(forum_work::actions::update))
        .route("/actions/{id}/status", post(forum_work::actions::set_status))
        .route("/forums/{id}/followup", get(forum_work::actions::followup))
        .route("/forums/{id}/meetings", get(forum_work::meetings::list))
        .route("/forums/{id}/meetings/{week}", get(forum_work::meetings::get).put(forum_work::meetings::open))
        .route("/forums/{id}/meetings/{week}/items/{item_id}/actions", post(forum_work::meetings::decide))
        .route("/forums/{id}/alerts", get(forum_work::alerts::list).post(forum_work::alerts::create))
        .route("/forums/{id}/alerts/stats", get(forum_work::alerts::stats))
        .route("/alerts/{id}", get(forum_work::alerts::get))
        .route("/alerts/{id}/acknowledge", post(forum_work::alerts::acknowledge))
        .route("/alerts/{id}/close", post(forum_work::alerts::close))
        .route("/forums/{id}/share-links", get(forum_work::sharing::list).post(forum_work::sharing::create))
        .route("/share-links/{id}/revoke", post(forum_work::sharing::revoke))
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
        accounts::orgs::list, accounts::orgs::create, accounts::orgs::get, accounts::orgs::update, accounts::orgs::delete, accounts::orgs::pending_claims, accounts::orgs::decide_claim,
        accounts::orgs::list_contacts, accounts::orgs::create_contact, accounts::orgs::get_contact, accounts::orgs::update_contact, accounts::orgs::delete_contact,
        forums::forum::list, forums::forum::create, forums::forum::get, forums::forum::update, forums::forum::delete, forums::forum::leave,
        forums::forum::answer_invitation, forums::forum::answer_contact_request,
        accounts::users::list, accounts::users::create, accounts::users::get, accounts::users::set_membership, accounts::users::remove_membership,
        accounts::users::invite, accounts::users::list_invitations, accounts::users::answer_invitation, accounts::users::withdraw_invitation,
        accounts::me::me, accounts::me::data, accounts::me::invitations, accounts::me::tokens, accounts::me::revoke_token, accounts::me::preferences, accounts::me::set_preferences, accounts::me::audit,
        picture::observations::create, picture::observations::list, picture::observations::get, picture::observations::delete,
        picture::observations::list_categories, picture::observations::create_category, picture::observations::update_category,
        picture::imports::import_police_events, picture::imports::list_police_events, picture::imports::import_crime_statistics, picture::imports::list_crime_statistics,
        places::geo::counties, places::geo::municipalities, places::geo::police_areas,
        picture::weekly::get,
        places::areas::list, places::areas::export, places::areas::create, places::areas::get, places::areas::update, places::areas::delete, places::areas::import,
        forum_work::actions::list, forum_work::actions::create, forum_work::actions::get, forum_work::actions::update, forum_work::actions::set_status, forum_work::actions::followup,
        forum_work::meetings::list, forum_work::meetings::open, forum_work::meetings::get, forum_work::meetings::decide,
        forum_work::alerts::list, forum_work::alerts::create, forum_work::alerts::get, forum_work::alerts::acknowledge, forum_work::alerts::close, forum_work::alerts::stats,
        forum_work::sharing::list, forum_work::sharing::create, forum_work::sharing::revoke,
    ),
    components(schemas(crate::kit::error::ApiErrorBody, crate::kit::error::FieldProblem))
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
