//! Issue 11, finding 11 (guard): the GDPR export covers every column that refers to a user.

use brygga_domain::time::IsoWeek;
use brygga_store::kernel::gdpr::{self, Coverage, GDPR_USER_REFERENCES};
use brygga_store::{Origin, Store, args, picture::questionnaire};

use super::*;

/// Reads the live schema (foreign keys to `users(id)`, columns named `*user_id` or `*_by`) and
/// fails for every such column that `GDPR_USER_REFERENCES` neither exports nor excludes with a
/// reason; then gives one user data in every exported place and checks the export holds it.
pub async fn trust_guard_gdpr_export_covers_every_user_reference(store: &Store) {
    // 1. Every reference in the schema is registered, and every registered one exists.
    let live = store.read(|db| gdpr::user_reference_columns(db)).await.unwrap();
    let missing: Vec<String> = live
        .iter()
        .filter(|(t, c)| !GDPR_USER_REFERENCES.iter().any(|r| r.table == t && r.column == c))
        .map(|(t, c)| gdpr::missing_reference_message(t, c))
        .collect();
    assert!(missing.is_empty(), "\n{}", missing.join("\n"));
    for r in GDPR_USER_REFERENCES {
        assert!(
            live.iter().any(|(t, c)| t == r.table && c == r.column),
            "GDPR_USER_REFERENCES in crates/store/src/kernel/gdpr.rs lists {}.{}, which the schema does not have (or which no longer \
             refers to a user): remove or correct it",
            r.table,
            r.column
        );
        if let Coverage::Excluded(reason) = r.coverage {
            assert!(reason.len() > 10, "{}.{}: state why it is excluded", r.table, r.column);
        }
    }
    for expected in
        [("observations", "reporter_user_id"), ("alert_recipients", "user_id"), ("weekly_responses", "user_id"), ("jobs", "locked_by")]
    {
        assert!(live.iter().any(|(t, c)| (t.as_str(), c.as_str()) == expected), "the schema reader found {expected:?}: {live:?}");
    }

    // 2. One user with data everywhere the registry says the export covers.
    let w = est(store).await;
    let me = w.coordinator;
    auth::login(store, "samordnare@trelleborg.se", PASSWORD, Origin::default(), None, SessionPolicy::default()).await.unwrap();
    let v = viewer(store, me).await;
    let kommun = w.kommun;
    store.write(move |db| auth::create_token(db, &v, kommun, "export", None)).await.unwrap();
    set_contacts(store, &w, vec![me]).await;
    report(
        store,
        me,
        ObservationInput { forum_id: w.forum, category: "klotter".into(), area_id: Some(w.stortorget), ..Default::default() },
    )
    .await
    .unwrap();
    let action = ActionInput {
        title: "Sanera klottret".into(),
        responsible_org_id: Some(w.kommun),
        responsible_user_id: Some(me),
        due_on: Some(in_days(14)),
        ..Default::default()
    };
    decide(store, me, w.forum, action).await.unwrap();
    let alert = AlertInput { title: "Bråk vid torget".into(), urgency: "today".into(), area_id: Some(w.stortorget), ..Default::default() };
    raise(store, me, w.forum, alert.clone(), None).await.unwrap();
    // Another's alert reaches the user as the forum's contact: acknowledged and closed.
    let raised = raise(store, w.reporter, w.forum, AlertInput { title: "Stenkastning".into(), ..alert }, None).await.unwrap();
    let (v, id) = (viewer(store, me).await, raised.alert.id);
    store.write(move |db| alerts::acknowledge(db, &v, id)).await.unwrap();
    let (v, id) = (viewer(store, me).await, raised.alert.id);
    store.write(move |db| alerts::close(db, &v, id, "Lugnt igen.")).await.unwrap();
    let (v, f) = (viewer(store, me).await, w.forum);
    let week = IsoWeek::current();
    store.write(move |db| meetings::open(db, &v, f, week)).await.unwrap();
    store.write(move |db| digests::write(db, f, week.plus(-1), &post())).await.unwrap();
    let v = viewer(store, me).await;
    let share = share_links::ShareInput { label: "Rektorerna".into(), days: Some(14), week: None };
    store.write(move |db| share_links::create(db, &v, f, &share)).await.unwrap();
    let (v, area) = (viewer(store, me).await, w.stortorget);
    store.write(move |db| questionnaire::assign(db, &v, f, me, &[area])).await.unwrap();
    // A questionnaire reminder, written by its job's path before the user answers.
    let v = viewer(store, me).await;
    store
        .write(move |db| {
            questionnaire::configure(db, &v, f, 1, week, true)?;
            let on = questionnaire::ReminderSchedule { email: true, weekday: 1, hour: 0 };
            questionnaire::set_reminders(db, &v, f, on)?;
            brygga_store::picture::questionnaire_reminders::write(db, f, week, &post(), brygga_store::now_ms())
        })
        .await
        .unwrap();
    // Questionnaire answers and uploads, as their own paths store them; and the consent and claim
    // records (migrations 0005 and 0006) the user took part in, as their decisions leave them.
    let extra = org(store, "Föreningen Trygga Kvarter", OrgKind::CivilSociety, &["1287"]).await;
    store
        .write(move |db| {
            let now = brygga_store::now_ms();
            db.execute(
                "INSERT INTO weekly_responses (forum_id, user_id, org_id, week, nothing_to_report, observation_count, submitted_at)
                 VALUES ($1, $2, $3, $4, TRUE, 0, $5)",
                args![f, me, kommun, i64::from(week.key()), now],
            )?;
            db.execute(
                "INSERT INTO import_batches (kind, owner_org_id, user_id, file_name, file_sha256, row_count, created_at)
                 VALUES ('observations', $1, $2, 'rapporter.xlsx', 'abc', 1, $3)",
                args![kommun, me, now],
            )?;
            db.execute(
                "INSERT INTO import_uploads (owner_org_id, user_id, kind, file_name, content, file_sha256, created_at)
                 VALUES ($1, $2, 'observations', 'rapporter.xlsx', $3, 'abc', $4)",
                args![kommun, me, b"PK".to_vec(), now],
            )?;
            db.execute(
                "INSERT INTO forum_invitations (forum_id, org_id, status, invited_by, invited_at, responded_by, responded_at)
                 VALUES ($1, $2, 'declined', $3, $4, $3, $4)",
                args![f, extra, me, now],
            )?;
            db.execute(
                "INSERT INTO forum_contact_requests (forum_id, user_id, org_id, status, invited_by, invited_at)
                 VALUES ($1, $2, $3, 'invited', $2, $4) ON CONFLICT DO NOTHING",
                args![f, me, kommun, now],
            )?;
            db.execute(
                "INSERT INTO membership_invitations (org_id, email, role, status, needs_org_approval, org_approved_at, org_approved_by, invited_by, invited_at)
                 VALUES ($1, 'ny.medlem@example.se', 'member', 'invited', TRUE, $2, $3, $3, $2)",
                args![extra, now, me],
            )?;
            db.execute(
                "INSERT INTO membership_invitations (org_id, email, role, status, invited_at)
                 VALUES ($1, 'samordnare@trelleborg.se', 'member', 'invited', $2)",
                args![extra, now],
            )?;
            db.execute(
                "UPDATE organisation_municipalities SET approved_by = $1, approved_at = $2 WHERE org_id = $3",
                args![me, now, extra],
            )?;
            // Plans: a lägesbild and a plan the user started and adopted, a value and a deviation.
            db.execute(
                "INSERT INTO situations (id, lineage_id, version_no, kind, status, title, municipality_code, year, owner_org_id, visibility,
                     adopted_at, adopted_by_user_id, created_by_user_id, created_at, updated_at)
                 VALUES (900, 900, 1, 'situation', 'adopted', 'Lägesbild 2026', '1287', 2026, $1, 'organisation', $3, $2, $2, $3, $3)",
                args![kommun, me, now],
            )?;
            db.execute(
                "INSERT INTO action_plans (id, lineage_id, version_no, status, title, municipality_code, period_from, period_to, owner_org_id,
                     visibility, adopted_at, adopted_by_user_id, created_by_user_id, created_at, updated_at)
                 VALUES (900, 900, 1, 'adopted', 'Åtgärdsplan', '1287', '2026-01-01', '2027-12-31', $1, 'organisation', $3, $2, $2, $3, $3)",
                args![kommun, me, now],
            )?;
            db.execute(
                "INSERT INTO plan_goals (id, plan_id, key, kind, title, position) VALUES (900, 900, 'g', 'effect', 'Mindre klotter', 1)",
                args![],
            )?;
            db.execute(
                "INSERT INTO plan_indicators (id, plan_id, key, goal_id, name, source, manual_source, unit, direction, frequency, position)
                 VALUES (900, 900, 'i', 900, 'Klotter', 'manual', 'Teknisk förvaltning', 'st', 'decrease', 'monthly', 1)",
                args![],
            )?;
            db.execute(
                "INSERT INTO indicator_values (indicator_id, period, value, origin, entered_by_user_id, created_at)
                 VALUES (900, '2026-01-01', 12, 'entered', $1, $2)",
                args![me, now],
            )?;
            db.execute(
                "INSERT INTO plan_deviations (plan_id, key, what, why, recorded_by_user_id, created_at, updated_at)
                 VALUES (900, 'd', 'Försenad', 'Vakans', $1, $2, $2)",
                args![me, now],
            )?;
            // Programmes: a programme the user created, a working group it represents its
            // organisation in, an activity plan step, a steering meeting and decision, and a
            // deliverable with its distribution.
            db.execute(
                "INSERT INTO programmes (id, title, scope, municipality_code, owner_org_id, period_from, period_to, visibility,
                     created_by_user_id, created_at, updated_at)
                 VALUES (900, 'Tryggare tillsammans', 'municipal', '1287', $1, '2026-01-01', '2027-12-31', 'organisation', $2, $3, $3)",
                args![kommun, me, now],
            )?;
            db.execute("INSERT INTO programme_areas (id, programme_id, title, position) VALUES (900, 900, 'Skolan', 1)", args![])?;
            db.execute(
                "INSERT INTO working_groups (id, programme_id, area_id, name, convener_org_id, created_at, updated_at)
                 VALUES (900, 900, 900, 'Skolan', $1, $2, $2)",
                args![kommun, now],
            )?;
            db.execute(
                "INSERT INTO working_group_members (group_id, org_id, representative, representative_email, user_id)
                 VALUES (900, $1, 'Samordnaren', 'samordnare@trelleborg.se', $2)",
                args![kommun, me],
            )?;
            db.execute(
                "INSERT INTO activity_plan_steps (plan_id, step, comment, by_user_id, by_org_id, at) VALUES (900, 'commented', 'Bra', $1, $2, $3)",
                args![me, kommun, now],
            )?;
            db.execute(
                "INSERT INTO steering_meetings (id, programme_id, held_on, half_year, title, status, created_by_user_id, created_at, updated_at)
                 VALUES (900, 900, '2026-03-01', '2026H1', 'Styrgruppsmöte', 'held', $1, $2, $2)",
                args![me, now],
            )?;
            db.execute(
                "INSERT INTO steering_decisions (programme_id, meeting_id, number, kind, text, status, recorded_by_user_id, created_at, updated_at)
                 VALUES (900, 900, 1, 'decision', 'Planen fastställs', 'done', $1, $2, $2)",
                args![me, now],
            )?;
            db.execute(
                "INSERT INTO deliverables (id, programme_id, kind, title, created_by_user_id, created_at, updated_at)
                 VALUES (900, 900, 'toolbox', 'Verktygslåda', $1, $2, $2)",
                args![me, now],
            )?;
            db.execute(
                "INSERT INTO deliverable_distributions (deliverable_id, recipient, sent_on, channel, recorded_by_user_id, created_at)
                 VALUES (900, 'Skolorna', '2026-04-01', 'email', $1, $2)",
                args![me, now],
            )?;
            // Agreements: an agreement the user created, its document, a reminder, a checklist
            // version, an assessment with a score and a snapshot.
            db.execute(
                "INSERT INTO agreements (id, kind, title, municipality_code, period_from, period_to, status, owner_org_id, visibility,
                     created_by_user_id, created_at, updated_at)
                 VALUES (900, 'cooperation_agreement', 'Samverkan', '1287', '2026-01-01', '2027-12-31', 'draft', $1, 'organisation', $2, $3, $3)",
                args![kommun, me, now],
            )?;
            db.execute(
                "INSERT INTO agreement_documents (agreement_id, file_name, media_type, size_bytes, sha256, content, uploaded_by_user_id, uploaded_at)
                 VALUES (900, 'avtal.pdf', 'application/pdf', 5, 'x', $1, $2, $3)",
                args![b"%PDF-".to_vec(), me, now],
            )?;
            db.execute(
                "INSERT INTO agreement_reminder_sends (agreement_id, period_to, days_before, user_id, created_at) VALUES (900, '2027-12-31', 90, $1, $2)",
                args![me, now],
            )?;
            db.execute(
                "INSERT INTO checklist_sets (id, name, description, owner_org_id, created_at, updated_at) VALUES (900, 'Egen', 'Egen lista', $1, $2, $2)",
                args![kommun, now],
            )?;
            db.execute(
                "INSERT INTO checklist_versions (id, set_id, version_no, created_by_user_id, created_at) VALUES (900, 900, 1, $1, $2)",
                args![me, now],
            )?;
            db.execute("INSERT INTO checklist_items (id, version_id, key, position, text, weight) VALUES (900, 900, 'k', 0, 'Punkt', 1)", args![])?;
            db.execute(
                "INSERT INTO assessments (id, agreement_id, version_id, assessor_org_id, created_by_user_id, created_at, updated_at)
                 VALUES (900, 900, 900, $1, $2, $3, $3)",
                args![kommun, me, now],
            )?;
            db.execute(
                "INSERT INTO assessment_scores (assessment_id, item_id, score, scored_by_user_id, scored_at) VALUES (900, 900, 'met', $1, $2)",
                args![me, now],
            )?;
            db.execute(
                "INSERT INTO assessment_snapshots (agreement_id, assessor_org_id, kind, label, taken_on, set_name, version_id, version_no, taken_by_user_id, created_at)
                 VALUES (900, $1, 'baseline', 'Nulägesmätning', '2026-02-01', 'Egen', 900, 1, $2, $3)",
                args![kommun, me, now],
            )?;
            // Actors (issue 15): an intervention and a network created by the user, and the
            // user named by address as a network's person member.
            db.execute(
                "INSERT INTO interventions (id, title, description, owner_org_id, period_from, recurrence, themes, target_groups, terms, status,
                    visibility, created_by_user_id, created_at, updated_at) VALUES (900, 'Insats', 'Text', $1, '2026-01-01', 'weekly', '', '', '', 'ongoing',
                    'organisation', $2, $3, $3)",
                args![kommun, me, now],
            )?;
            db.execute(
                "INSERT INTO networks (id, name, kind, purpose, cadence, owner_org_id, visibility, created_by_user_id, created_at, updated_at)
                 VALUES (900, 'Nätverk', 'network', 'Syfte', 'as_needed', $1, 'organisation', $2, $3, $3)",
                args![kommun, me, now],
            )?;
            let email: String = db.scalar("SELECT email FROM users WHERE id = $1", args![me])?;
            db.execute(
                "INSERT INTO network_members (network_id, person_name, email, position, joined_on, created_at) VALUES (900, 'Samordnaren', $1, 'member', '2026-01-01', $2)",
                args![email, now],
            )?;
            // The directory: an offer the user created and verified, and a verification reminder.
            db.execute(
                "INSERT INTO offers (id, org_id, name, name_key, municipality_code, free, status, verification_interval_days, verified_on,
                     verified_by_user_id, created_by_user_id, created_at, updated_at)
                 VALUES (900, $1, 'Läxhjälp', 'läxhjälp', '1287', TRUE, 'active', 180, '2026-02-01', $2, $2, $3, $3)",
                args![kommun, me, now],
            )?;
            db.execute(
                "INSERT INTO offer_verification_sends (offer_id, due_on, user_id, created_at) VALUES (900, '2026-08-01', $1, $2)",
                args![me, now],
            )?;
            // Consultations (issue 16): one the user created, invited to, registered for, gave
            // and entered input in, decided a disposition of and published.
            db.execute(
                "INSERT INTO consultations (id, lead_org_id, title, kind, input_closes_at, status, created_by_user_id, created_at, updated_at)
                 VALUES (900, $1, 'Samråd', 'written', $2, 'open', $3, $2, $2)",
                args![kommun, now, me],
            )?;
            db.execute(
                "INSERT INTO consultation_invitations (consultation_id, org_id, invited_at, invited_by_user_id) VALUES (900, $1, $2, $3)",
                args![kommun, now, me],
            )?;
            db.execute(
                "INSERT INTO consultation_registrations (consultation_id, org_id, user_id, attendance, registered_at) VALUES (900, $1, $2, 'digital', $3)",
                args![kommun, me, now],
            )?;
            db.execute(
                "INSERT INTO consultation_inputs (id, consultation_id, org_id, author_user_id, entered_by_user_id, stage, attribution, text, created_at, updated_at)
                 VALUES (900, 900, $1, $2, $2, 'before', 'named', 'Medskick', $3, $3)",
                args![kommun, me, now],
            )?;
            db.execute(
                "INSERT INTO consultation_dispositions (input_id, outcome, reason, decided_by_user_id, decided_at) VALUES (900, 'adopted', 'Skäl', $1, $2)",
                args![me, now],
            )?;
            db.execute(
                "INSERT INTO consultation_documents (consultation_id, version, body, published_at, published_by_user_id) VALUES (900, 1, '{}', $1, $2)",
                args![now, me],
            )?;
            // Knowledge (issue 16): a method, a good example with a recorded consent, an idea on
            // the board and an interest in it.
            db.execute(
                "INSERT INTO methods (id, name, short_name, description, created_by_user_id, created_at, updated_at)
                 VALUES (900, 'Metod', 'M900', 'Beskrivning', $1, $2, $2)",
                args![me, now],
            )?;
            db.execute(
                "INSERT INTO good_examples (owner_org_id, title, what_done, story, story_consent_by_user_id, story_consent_at, created_by_user_id, created_at, updated_at)
                 VALUES ($1, 'Exempel', 'Gjort', 'Berättelse', $2, $3, $2, $3, $3)",
                args![kommun, me, now],
            )?;
            db.execute(
                "INSERT INTO board_ideas (id, owner_org_id, title, needs, created_by_user_id, created_at, updated_at) VALUES (900, $1, 'Idé', 'Behov', $2, $3, $3)",
                args![kommun, me, now],
            )?;
            db.execute(
                "INSERT INTO board_idea_interests (idea_id, org_id, message, user_id, created_at) VALUES (900, $1, 'Intresse', $2, $3)",
                args![kommun, me, now],
            )?;
            // Newsletters (issue 16): a list, an issue written and sent, a subscription.
            db.execute(
                "INSERT INTO newsletter_lists (id, owner_org_id, name, created_by_user_id, created_at, updated_at) VALUES (900, $1, 'Lista', $2, $3, $3)",
                args![kommun, me, now],
            )?;
            db.execute(
                "INSERT INTO newsletter_issues (list_id, kind, subject, body, created_by_user_id, created_at, sent_at, sent_by_user_id)
                 VALUES (900, 'general', 'Nummer 1', 'Text', $1, $2, $2, $1)",
                args![me, now],
            )?;
            db.execute(
                "INSERT INTO newsletter_subscriptions (list_id, email, user_id, token, confirmed_at, created_at) VALUES (900, 'prenumerant@example.se', $1, 'tok900', $2, $2)",
                args![me, now],
            )?;
            // Training and events (issue 16): a course and an event the user created, and a
            // registration the user made for themselves.
            db.execute(
                "INSERT INTO courses (id, owner_org_id, title, level, duration_hours, description, created_by_user_id, created_at, updated_at)
                 VALUES (900, $1, 'Grundkurs', 'basic', 3, 'Kurs', $2, $3, $3)",
                args![kommun, me, now],
            )?;
            db.execute(
                "INSERT INTO events (id, organiser_org_id, title, kind, format, course_id, county_code, starts_at, ends_at, status, created_by_user_id, created_at, updated_at)
                 VALUES (900, $1, 'Utbildning', 'training', 'on_site', 900, '12', $2, $2, 'published', $3, $2, $2)",
                args![kommun, now, me],
            )?;
            db.execute(
                "INSERT INTO event_registrations (event_id, user_id, org_id, role, municipality_code, status, queued_at, registered_by_user_id, created_at, updated_at)
                 VALUES (900, $1, $2, 'samordnare', '1287', 'registered', $3, $1, $3, $3)",
                args![me, kommun, now],
            )?;
            Ok(())
        })
        .await
        .unwrap();

    // 3. The export holds something from every exported reference.
    let v = viewer(store, me).await;
    let export = store.read(move |db| users::personal_data(db, &v)).await.unwrap();
    let json = serde_json::to_value(&export).unwrap();
    for r in GDPR_USER_REFERENCES {
        let (place, value) = match r.coverage {
            Coverage::Typed(path) => (path.to_owned(), path.split('.').fold(&json, |j, k| &j[k])),
            Coverage::Rows { section, .. } => (format!("records.{section}"), &json["records"][section]),
            Coverage::Excluded(_) => continue,
        };
        let holds = value.as_array().is_some_and(|a| !a.is_empty());
        assert!(holds, "{}.{} is registered as exported at {place}, but the export has nothing there: {value}", r.table, r.column);
    }
    assert_eq!(json["records"]["network_memberships"][0]["person_name"], "Samordnaren", "a network's person named by address");
    // Invitations addressed to the user's e-mail (no user column refers to them).
    assert_eq!(json["records"]["working_group_representative"][0]["representative"], "Samordnaren", "a representative named by address");
    let received = &json["records"]["membership_invitations_received"];
    assert_eq!(received.as_array().map(Vec::len), Some(1), "invitations to the user's address: {received}");
    let reports = json["records"]["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["area_id"], w.stortorget);
    assert_eq!(json["records"]["alert_acknowledgements"][0]["alert_id"], raised.alert.id);
    assert!(json["records"]["alert_acknowledgements"][0]["acknowledged_at"].is_i64());
    assert_eq!(json["records"]["uploads"][0]["file_name"], "rapporter.xlsx");
    assert!(json["records"]["uploads"][0].get("content").is_none(), "the file itself is not repeated");
}
