//! Runs every conformance story against SQLite and against PostgreSQL.

use brygga_store_tests::{TestDb, stories};

macro_rules! conformance {
    ($($story:ident),+ $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $story() {
                    let db = TestDb::sqlite().await;
                    stories::$story(db.store()).await;
                }
            )+
        }
        mod postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $story() {
                    let Some(db) = TestDb::postgres().await else { return };
                    stories::$story(db.store()).await;
                }
            )+
        }
    };
}

conformance!(
    consultations_conclude_with_themes_dispositions_and_published_documentation,
    contact_persons_have_levels_and_roles_and_the_county_sees_its_gaps,
    counterparts_name_the_divisions_and_who_to_reach_for_every_municipality,
    guides_route_each_concern_and_are_public_once_published,
    search_finds_offers_and_interventions_only_for_their_readers,
    interventions_refuse_bad_input_at_the_field,
    interventions_are_read_by_owner_partners_and_as_shared,
    overlap_hints_reveal_only_what_the_viewer_may_know,
    networks_show_persons_only_to_the_owner_and_member_organisations,
    directory_refuses_bad_offers_at_the_field_and_writes_nothing,
    directory_is_edited_only_by_the_organisation_and_public_only_when_published,
    directory_filters_find_a_free_friday_evening_for_teenagers,
    directory_reminds_once_per_due_date_until_verified,
    directory_hsds_round_trips_and_refuses_unknown_fields_and_terms,
    directory_search_documents_state_their_readers,
    search_finds_swedish_forms_ranked_the_same_on_every_backend,
    search_follows_edits_shares_leaving_and_deletes,
    search_refuses_bad_queries_at_the_field,
    agreements_refuse_bad_input_at_the_field,
    agreements_are_read_by_parties_and_overseen_by_the_county_board,
    assessments_keep_their_checklist_version_and_compare_over_time,
    county_table_counts_current_agreements_and_latest_scores,
    agreement_reminders_go_once_90_and_30_days_before_the_end,
    agreements_travel_as_json_and_import_all_or_nothing,
    plan_values_are_computed_from_reports_and_statistics_and_entered_by_hand,
    plan_progress_rolls_up_with_weights_into_the_yearly_report,
    plan_deviations_are_recorded_only_in_the_version_in_force,
    plan_checks_fail_then_pass_as_the_plan_is_fixed,
    plan_follow_up_is_isolated_and_small_counts_are_suppressed_outside,
    plan_checks_cover_a_large_plan_row_by_row,
    steering_agenda_is_generated_from_the_groups_state,
    steering_decisions_bind_an_owner_and_a_due_date_and_are_followed_up,
    steering_records_are_read_by_the_parties_and_written_by_the_owners_coordinators,
    deliverables_delivered_but_not_distributed_are_flagged_until_spread,
    steering_report_shows_the_unmeasurable_goal_the_undistributed_toolbox_and_the_load,
    steering_meeting_presents_and_adopts_a_quality_assured_plan,
    situations_adoption_freezes_figures_and_versions_keep_keys,
    situations_are_the_parties_until_shared_or_published,
    problem_pictures_are_made_with_the_police,
    situations_a_cause_in_use_by_a_measure_stays,
    migrations_are_idempotent_and_load_geography,
    organisations_validate_and_stay_unique,
    lists_sort_swedish_filter_and_page,
    a_failed_write_leaves_nothing_behind,
    memberships_keep_an_administrator,
    login_sessions_and_rate_limit,
    api_tokens_act_for_one_organisation,
    sharing_isolates_organisations,
    forums_need_the_convener_and_real_members,
    audit_is_scoped_and_survives_erasure,
    police_areas_import_and_edit,
    forums_get_the_default_checklist,
    areas_keep_a_hierarchy_without_cycles,
    reports_are_checked_field_by_field,
    associations_share_nothing_unless_they_choose,
    retried_reports_are_stored_once,
    bulk_reports_commit_together,
    jobs_are_deduplicated_retried_with_backoff_and_given_up,
    an_expired_lease_puts_the_job_back,
    concurrent_claimers_never_get_the_same_job,
    weekly_jobs_are_enqueued_once_per_forum_and_week,
    the_outbox_keeps_the_message_id_and_shows_failures,
    actions_need_a_responsible_member_and_a_date_ahead,
    the_follow_up_compares_weeks_before_and_after,
    meetings_build_the_agenda_and_decisions_become_actions,
    plans_refuse_bad_input_at_the_field,
    plans_keep_adopted_versions_and_compare_them,
    plans_compute_baselines_from_est_reports_and_crime_statistics,
    plans_are_read_by_their_parties_and_shared_only_when_adopted,
    plans_travel_as_json_and_come_back_the_same,
    plans_link_goals_and_measures_to_causes_and_actions,
    programmes_refuse_a_group_without_a_convener_and_flag_missing_terms,
    programmes_are_read_by_their_parties_only,
    programmes_activity_plans_follow_the_workflow_in_order,
    programmes_remind_before_the_deadline_once,
    programmes_show_participation_per_county,
    alerts_reach_every_contact_once_and_are_acknowledged,
    digests_go_once_to_members_who_want_them,
    share_links_show_aggregates_until_revoked,
    an_alert_without_contact_persons_goes_to_the_conveners_coordinators,
    ops_an_unrenewed_lease_is_reclaimed_within_seconds,
    ops_a_renewed_lease_is_not_stolen,
    ops_one_key_at_once_stores_once,
    trust_guard_gdpr_export_covers_every_user_reference,
    trust_picture_padding_never_lifts_a_hidden_cell,
    trust_picture_outsider_picture_depends_on_published_values_only,
    weekly_picture_matches_the_snapshot,
    consent_forum_members_and_contacts_accept_first,
    consent_only_an_approved_claim_opens_a_municipality_forum,
    consent_memberships_are_invitations_the_person_accepts,
    consent_an_alert_that_reaches_nobody_says_so,
    usecases_reports_and_alerts_check_a_place_alike,
    usecases_a_forum_municipality_is_a_name_or_a_code,
    usecases_the_gdpr_export_writes_its_audit_entry,
    questionnaire_reminders_go_once_to_those_who_have_not_answered,
    registries_every_shareable_table_is_registered,
    consultations_are_read_by_organisers_and_invited_once_open,
    consultation_attribution_hides_anonymous_organisations,
    consultation_input_is_refused_when_closed_or_bad_and_nothing_written,
    method_library_is_public_and_written_by_county_boards,
    goal_means_check_accepts_a_rated_method,
    good_examples_keep_drafts_private_and_stories_need_consent,
    idea_board_is_for_signed_in_users_and_mails_the_owner,
    newsletters_reach_only_confirmed_subscribers_once,
    training_events_refuse_bad_input_at_the_field,
    training_waiting_list_promotes_and_refuses_a_second_registration,
    training_participants_are_read_and_marked_by_the_organiser_only,
    training_survey_answers_are_anonymous_and_once_per_link,
    training_coverage_counts_attended_and_lists_who_never_came,
);
