//! The JSON API under `/api/v1`: the same resources as the pages, the same store functions,
//! the same rules. Callers authenticate with a personal API token (`Authorization: Bearer`),
//! which acts for one organisation. Conventions: docs/API.md. The OpenAPI 3.1 description is
//! generated from these handlers and served at `/api/v1/openapi.json`.

use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

mod accounts;
mod actors;
mod agreements;
mod dialogue;
mod directory;
mod forum_work;
mod forums;
mod knowledge;
mod newsletters;
mod picture;
mod places;
mod plans;
mod programmes;

mod search;

use crate::AppState;

/// The API's routes, each registered with its OpenAPI operation in one `routes!` line (the
/// handler's `#[utoipa::path]` names the method and the path), so the document cannot drift
/// from the router. One line per path; `/openapi.json` itself is not described.
fn routes() -> OpenApiRouter<AppState> {
    use accounts::{me, orgs, users};
    use forum_work::{actions, alerts, meetings, sharing};
    use places::{areas, geo};
    use plans::situations;
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(orgs::list, orgs::create))
        .routes(routes!(orgs::get, orgs::update, orgs::delete))
        .routes(routes!(orgs::list_contacts, orgs::create_contact))
        .routes(routes!(orgs::decide_claim))
        .routes(routes!(orgs::pending_claims))
        .routes(routes!(orgs::get_contact, orgs::update_contact, orgs::delete_contact))
        .routes(routes!(forums::forum::list, forums::forum::create))
        .routes(routes!(forums::forum::get, forums::forum::update, forums::forum::delete))
        .routes(routes!(forums::forum::leave))
        .routes(routes!(forums::forum::answer_invitation))
        .routes(routes!(forums::forum::answer_contact_request))
        .routes(routes!(users::list_invitations, users::invite))
        .routes(routes!(users::answer_invitation, users::withdraw_invitation))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get))
        .routes(routes!(users::set_membership, users::remove_membership))
        .routes(routes!(me::me))
        .routes(routes!(me::data))
        .routes(routes!(me::invitations))
        .routes(routes!(me::tokens))
        .routes(routes!(me::revoke_token))
        .routes(routes!(me::preferences, me::set_preferences))
        .routes(routes!(me::audit))
        .routes(routes!(picture::observations::list, picture::observations::create))
        .routes(routes!(picture::observations::get, picture::observations::delete))
        .routes(routes!(picture::observations::list_categories, picture::observations::create_category))
        .routes(routes!(picture::observations::update_category))
        .routes(picture::imports::police_events())
        .routes(picture::imports::crime_statistics())
        .routes(routes!(geo::counties))
        .routes(routes!(geo::municipalities))
        .routes(routes!(geo::police_areas))
        .routes(routes!(picture::weekly::get))
        .routes(routes!(areas::list, areas::create))
        .routes(routes!(areas::export))
        .routes(routes!(areas::import))
        .routes(routes!(areas::get, areas::update, areas::delete))
        .routes(routes!(actions::list, actions::create))
        .routes(routes!(actions::get, actions::update))
        .routes(routes!(actions::set_status))
        .routes(routes!(actions::followup))
        .routes(routes!(meetings::list))
        .routes(routes!(meetings::get, meetings::open))
        .routes(routes!(meetings::decide))
        .routes(routes!(alerts::list, alerts::create))
        .routes(routes!(alerts::stats))
        .routes(routes!(alerts::get))
        .routes(routes!(alerts::acknowledge))
        .routes(routes!(alerts::close))
        .routes(routes!(sharing::list, sharing::create))
        .routes(routes!(sharing::revoke))
        .routes(routes!(plans::plans::list, plans::plans::create))
        .routes(routes!(plans::plans::get, plans::plans::update))
        .routes(routes!(plans::plans::add_party))
        .routes(routes!(plans::plans::remove_party))
        .routes(routes!(plans::plans::adopt))
        .routes(routes!(plans::plans::new_version))
        .routes(routes!(plans::plans::share))
        .routes(routes!(plans::plans::compare))
        .routes(routes!(plans::plans::export))
        .routes(routes!(plans::plans::import))
        .routes(routes!(plans::plans::create_goal))
        .routes(routes!(plans::plans::get_goal, plans::plans::update_goal, plans::plans::delete_goal))
        .routes(routes!(plans::plans::create_indicator))
        .routes(routes!(plans::plans::get_indicator, plans::plans::update_indicator, plans::plans::delete_indicator))
        .routes(routes!(plans::plans::create_measure))
        .routes(routes!(plans::plans::get_measure, plans::plans::update_measure, plans::plans::delete_measure))
        .routes(routes!(plans::plans::set_measure_status))
        .routes(routes!(plans::plans::link_action, plans::plans::unlink_action))
        .routes(routes!(plans::plans::measures_by_action))
        .routes(routes!(plans::followup::values))
        .routes(routes!(plans::followup::plan_values, plans::followup::enter_value, plans::followup::remove_value))
        .routes(routes!(plans::followup::refresh))
        .routes(routes!(plans::followup::list_deviations, plans::followup::record_deviation))
        .routes(routes!(plans::followup::get_deviation, plans::followup::update_deviation, plans::followup::delete_deviation))
        .routes(routes!(plans::followup::evaluation))
        .routes(routes!(plans::followup::report))
        .routes(routes!(situations::list, situations::create))
        .routes(routes!(situations::get, situations::update))
        .routes(routes!(situations::create_source))
        .routes(routes!(situations::update_source, situations::delete_source))
        .routes(routes!(situations::create_problem))
        .routes(routes!(situations::update_problem, situations::delete_problem))
        .routes(routes!(situations::create_evidence))
        .routes(routes!(situations::delete_evidence))
        .routes(routes!(situations::create_cause))
        .routes(routes!(situations::update_cause, situations::delete_cause))
        .routes(routes!(situations::adopt))
        .routes(routes!(situations::new_version))
        .routes(routes!(situations::share))
        .routes(routes!(plans::documents::plan_docx))
        .routes(routes!(plans::documents::situation_docx))
        .routes(routes!(programmes::list, programmes::create))
        .routes(routes!(programmes::import))
        .routes(routes!(programmes::get, programmes::update))
        .routes(routes!(programmes::export))
        .routes(routes!(programmes::set_signatory))
        .routes(routes!(programmes::remove_signatory))
        .routes(routes!(programmes::create_group))
        .routes(routes!(programmes::get_group, programmes::update_group))
        .routes(routes!(programmes::add_member))
        .routes(routes!(programmes::update_member))
        .routes(routes!(programmes::remove_member))
        .routes(routes!(programmes::start_plan))
        .routes(routes!(programmes::get_plan))
        .routes(routes!(programmes::step))
        .routes(routes!(programmes::set_contribution))
        .routes(routes!(programmes::participation))
        .routes(routes!(programmes::create_initiative))
        .routes(routes!(programmes::get_initiative))
        .routes(routes!(programmes::set_participant))
        .routes(routes!(programmes::remove_participant))
        .routes(routes!(agreements::agreements::list, agreements::agreements::create))
        .routes(routes!(agreements::agreements::get, agreements::agreements::update))
        .routes(routes!(agreements::agreements::add_party))
        .routes(routes!(agreements::agreements::remove_party))
        .routes(routes!(agreements::agreements::sign))
        .routes(routes!(agreements::agreements::conclude))
        .routes(routes!(agreements::agreements::share))
        .routes(agreements::agreements::document_routes())
        .routes(routes!(agreements::agreements::export))
        .routes(routes!(agreements::agreements::import))
        .routes(routes!(agreements::agreements::list_assessments, agreements::agreements::start_assessment))
        .routes(routes!(agreements::agreements::get_assessment))
        .routes(routes!(agreements::agreements::score))
        .routes(routes!(agreements::agreements::take_snapshot))
        .routes(routes!(agreements::agreements::list_snapshots))
        .routes(routes!(agreements::agreements::get_snapshot))
        .routes(routes!(agreements::agreements::compare))
        .routes(routes!(agreements::agreements::list_checklists, agreements::agreements::create_checklist))
        .routes(routes!(agreements::agreements::get_checklist, agreements::agreements::update_checklist))
        .routes(routes!(agreements::agreements::get_checklist_version))
        .routes(routes!(agreements::agreements::county_table))
        .routes(routes!(directory::directory::list))
        .routes(routes!(directory::directory::get, directory::directory::update, directory::directory::delete))
        .routes(routes!(directory::directory::verify))
        .routes(routes!(directory::directory::organisations))
        .routes(routes!(directory::directory::get_profile, directory::directory::update_profile))
        .routes(routes!(directory::directory::for_org, directory::directory::create))
        .routes(routes!(directory::directory::import))
        .routes(routes!(directory::directory::export_csv))
        .routes(routes!(directory::directory::export_geojson))
        .routes(routes!(directory::directory::export_hsds))
        .routes(routes!(programmes::steering::members, programmes::steering::set_member))
        .routes(routes!(programmes::steering::remove_member))
        .routes(routes!(programmes::steering::meetings, programmes::steering::create_meeting))
        .routes(routes!(programmes::steering::get_meeting, programmes::steering::update_meeting, programmes::steering::delete_meeting))
        .routes(routes!(programmes::steering::add_item))
        .routes(routes!(programmes::steering::refresh_agenda))
        .routes(routes!(programmes::steering::remove_item))
        .routes(routes!(programmes::steering::move_item))
        .routes(routes!(programmes::steering::present_plan))
        .routes(routes!(programmes::steering::adopt_plan))
        .routes(routes!(programmes::steering::decisions))
        .routes(routes!(programmes::steering::log_decision))
        .routes(routes!(programmes::steering::get_decision, programmes::steering::delete_decision))
        .routes(routes!(programmes::steering::follow_up))
        .routes(routes!(programmes::deliverables::list, programmes::deliverables::create))
        .routes(routes!(programmes::deliverables::get, programmes::deliverables::update, programmes::deliverables::delete))
        .routes(routes!(programmes::deliverables::distribute))
        .routes(routes!(programmes::deliverables::remove_distribution))
        .routes(routes!(programmes::report::get))
        .routes(routes!(programmes::report::docx))
        .routes(routes!(actors::counterparts::list_roles, actors::counterparts::create_role))
        .routes(routes!(actors::counterparts::coverage))
        .routes(routes!(actors::counterparts::get, actors::counterparts::update))
        .routes(routes!(actors::counterparts::county))
        .routes(routes!(actors::counterparts::county_csv))
        .routes(routes!(actors::counterparts::import))
        .routes(routes!(actors::counterparts::get_guide, actors::counterparts::save_guide))
        .routes(routes!(actors::counterparts::add_entry))
        .routes(routes!(actors::counterparts::update_entry, actors::counterparts::delete_entry))
        // Actors: interventions, their overlaps and networks.
        .routes(routes!(actors::interventions::list, actors::interventions::create))
        .routes(routes!(actors::interventions::hints))
        .routes(routes!(actors::interventions::overview))
        .routes(routes!(actors::interventions::get, actors::interventions::update, actors::interventions::delete))
        .routes(routes!(actors::interventions::hints_of))
        .routes(routes!(actors::networks::list, actors::networks::create))
        .routes(routes!(actors::networks::get, actors::networks::update))
        .routes(routes!(actors::networks::add_member))
        .routes(routes!(actors::networks::remove_member))
        // Dialogue: concluding a consultation (themes, dispositions, the compiled documentation).
        .routes(routes!(dialogue::conclusion::list_themes, dialogue::conclusion::create_theme))
        .routes(routes!(dialogue::conclusion::items))
        .routes(routes!(dialogue::conclusion::suggestion, dialogue::conclusion::adopt_suggestion))
        .routes(routes!(dialogue::conclusion::update_theme, dialogue::conclusion::delete_theme))
        .routes(routes!(dialogue::conclusion::merge_theme))
        .routes(routes!(dialogue::conclusion::assign_theme))
        .routes(routes!(dialogue::conclusion::get_disposition, dialogue::conclusion::set_disposition))
        .routes(routes!(dialogue::conclusion::link_choices))
        .routes(routes!(dialogue::conclusion::versions, dialogue::conclusion::publish))
        .routes(routes!(dialogue::conclusion::preview))
        .routes(routes!(dialogue::conclusion::send_digest))
        .routes(routes!(dialogue::conclusion::version))
        // Dialogue: training and events.
        .routes(routes!(dialogue::events::catalogue, dialogue::events::create_course))
        .routes(routes!(dialogue::events::get_course))
        .routes(routes!(dialogue::events::create_track))
        .routes(routes!(dialogue::events::list, dialogue::events::create))
        .routes(routes!(dialogue::events::get, dialogue::events::update))
        .routes(routes!(dialogue::events::register))
        .routes(routes!(dialogue::events::participants))
        .routes(routes!(dialogue::events::mine))
        .routes(routes!(dialogue::events::get_registration))
        .routes(routes!(dialogue::events::cancel))
        .routes(routes!(dialogue::events::mark))
        .routes(routes!(dialogue::events::certificate))
        .routes(routes!(dialogue::events::verify))
        .routes(routes!(dialogue::events::get_survey, dialogue::events::define_survey))
        .routes(routes!(dialogue::events::send_survey))
        .routes(routes!(dialogue::events::results))
        .routes(routes!(dialogue::events::survey_form))
        .routes(routes!(dialogue::events::answer))
        .routes(routes!(dialogue::events::coverage))
        .routes(routes!(search::search))
        // Dialogue: consultations, their input and "Mina medskick".
        .routes(routes!(dialogue::consultations::list, dialogue::consultations::create))
        .routes(routes!(dialogue::consultations::mine))
        .routes(routes!(dialogue::consultations::get, dialogue::consultations::update))
        .routes(routes!(dialogue::consultations::status))
        .routes(routes!(dialogue::consultations::candidates))
        .routes(routes!(dialogue::consultations::invite))
        .routes(routes!(dialogue::consultations::answer))
        .routes(routes!(dialogue::consultations::register, dialogue::consultations::cancel))
        .routes(routes!(dialogue::consultations::inputs, dialogue::consultations::give))
        .routes(routes!(dialogue::consultations::update_input, dialogue::consultations::withdraw))
        // Knowledge (issue 16): the method library, the idea bank and the idea board.
        .routes(routes!(knowledge::methods::list, knowledge::methods::create))
        .routes(routes!(knowledge::methods::get, knowledge::methods::update, knowledge::methods::delete))
        .routes(routes!(knowledge::methods::usage))
        .routes(routes!(knowledge::ideas::list_examples, knowledge::ideas::create_example))
        .routes(routes!(knowledge::ideas::get_example, knowledge::ideas::update_example))
        .routes(routes!(knowledge::ideas::list_ideas, knowledge::ideas::create_idea))
        .routes(routes!(knowledge::ideas::get_idea, knowledge::ideas::update_idea))
        .routes(routes!(knowledge::ideas::interest))
        .routes(routes!(newsletters::list, newsletters::create))
        .routes(routes!(newsletters::mine))
        .routes(routes!(newsletters::get))
        .routes(routes!(newsletters::subscribe))
        .routes(routes!(newsletters::issues, newsletters::create_issue))
        .routes(routes!(newsletters::send))
}

/// The API router, to be nested under `/api/v1`.
pub fn router() -> Router<AppState> {
    let (router, _) = routes().split_for_parts();
    router.route("/openapi.json", get(openapi_json))
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
    components(schemas(crate::kit::error::ApiErrorBody, crate::kit::error::FieldProblem))
)]
pub struct ApiDoc;

/// The OpenAPI 3.1 document: [`ApiDoc`]'s frame with the operations of [`routes`]. Built once.
pub fn openapi() -> utoipa::openapi::OpenApi {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(|| routes().into_openapi()).clone()
}

async fn openapi_json() -> Response {
    let mut resp = Json(openapi()).into_response();
    resp.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("public, max-age=300"));
    resp
}
