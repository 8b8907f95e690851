//! What the GDPR export (`users::personal_data`) covers: every column of the schema that refers to
//! a user is listed in [`GDPR_USER_REFERENCES`], either exported or excluded with a stated reason.
//!
//! The conformance story `trust_guard_gdpr_export_covers_every_user_reference` reads the live
//! schema ([`user_reference_columns`]: foreign keys to `users(id)` and columns named `*user_id` or
//! `*_by`) and fails for any column missing here, so a new table that refers to users cannot be
//! left out of the export by accident.

use std::collections::{BTreeMap, BTreeSet};

use crate::args;
use crate::kernel::db::{Conn, ConnExt, Value};
use crate::kernel::error::StoreResult;
use crate::kernel::schema::{self, Schema};

/// How the export covers one column that refers to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// In the export as a typed member of `PersonalData`, at this JSON path (`sessions`,
    /// `user.memberships`).
    Typed(&'static str),
    /// In the export's `records` member under `section`: these `columns` of every row whose
    /// column is the user.
    Rows { section: &'static str, columns: &'static str },
    /// Not exported, for this reason.
    Excluded(&'static str),
}

/// One column that refers to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserReference {
    pub table: &'static str,
    pub column: &'static str,
    pub coverage: Coverage,
}

const fn typed(table: &'static str, column: &'static str, path: &'static str) -> UserReference {
    UserReference { table, column, coverage: Coverage::Typed(path) }
}

const fn rows(table: &'static str, column: &'static str, section: &'static str, columns: &'static str) -> UserReference {
    UserReference { table, column, coverage: Coverage::Rows { section, columns } }
}

const fn excluded(table: &'static str, column: &'static str, reason: &'static str) -> UserReference {
    UserReference { table, column, coverage: Coverage::Excluded(reason) }
}

/// Every column of the schema that refers to a user, and how the export covers it.
pub const GDPR_USER_REFERENCES: &[UserReference] = &[
    typed("memberships", "user_id", "user.memberships"),
    typed("sessions", "user_id", "sessions"),
    typed("api_tokens", "user_id", "api_tokens"),
    typed("forum_contacts", "user_id", "forum_contact_for"),
    typed("audit_log", "actor_user_id", "audit_entries"),
    typed("mail_outbox", "recipient_user_id", "messages"),
    rows("import_batches", "user_id", "imports", "id, kind, owner_org_id, file_name, file_sha256, row_count, created_at"),
    rows("import_uploads", "user_id", "uploads", "id, kind, owner_org_id, file_name, file_sha256, created_at"),
    rows(
        "observations",
        "reporter_user_id",
        "reports",
        "id, owner_org_id, visibility, forum_id, municipality_code, area_id, category_id, observed_at, week, quantity, intensity, \
         lon, lat, note, source, created_at",
    ),
    rows("reporter_areas", "user_id", "place_assignments", "forum_id, area_id"),
    rows(
        "weekly_responses",
        "user_id",
        "questionnaire_answers",
        "id, forum_id, org_id, week, nothing_to_report, observation_count, submitted_at",
    ),
    rows("meetings", "opened_by_user_id", "meetings_opened", "id, forum_id, week, held_on, created_at"),
    rows("actions", "responsible_user_id", "actions_responsible", "id, forum_id, title, responsible_org_id, due_on, status, created_at"),
    rows("actions", "created_by_user_id", "actions_created", "id, forum_id, title, created_by_org_id, due_on, status, created_at"),
    rows("alerts", "raised_by_user_id", "alerts_raised", "id, forum_id, raised_by_org_id, title, description, urgency, status, created_at"),
    rows("alerts", "closed_by_user_id", "alerts_closed", "id, forum_id, title, status, summary, closed_at"),
    rows("alert_recipients", "user_id", "alert_acknowledgements", "alert_id, org_id, notified_at, acknowledged_at"),
    rows("digest_sends", "user_id", "digests_sent", "forum_id, week, created_at"),
    rows("questionnaire_reminder_sends", "user_id", "questionnaire_reminders_sent", "forum_id, week, created_at"),
    rows(
        "share_links",
        "created_by_user_id",
        "share_links_created",
        "id, forum_id, prefix, label, week, created_by_org_id, created_at, expires_at, revoked_at, open_count",
    ),
    rows("organisation_municipalities", "approved_by", "claims_approved", "org_id, municipality_code, status, approved_at"),
    rows("forum_invitations", "invited_by", "forum_invitations_sent", "forum_id, org_id, status, invited_at, responded_at"),
    rows("forum_invitations", "responded_by", "forum_invitations_answered", "forum_id, org_id, status, invited_at, responded_at"),
    rows("forum_contact_requests", "user_id", "contact_requests", "forum_id, org_id, status, invited_at, responded_at"),
    rows("forum_contact_requests", "invited_by", "contact_requests_sent", "forum_id, org_id, status, invited_at, responded_at"),
    // The invitee's address is that person's data, not the inviter's: it is left out here.
    rows("membership_invitations", "invited_by", "membership_invitations_sent", "id, org_id, role, status, invited_at, responded_at"),
    rows("membership_invitations", "org_approved_by", "membership_invitations_approved", "id, org_id, role, status, org_approved_at"),
    rows(
        "situations",
        "created_by_user_id",
        "situations_created",
        "id, lineage_id, version_no, kind, status, title, owner_org_id, created_at",
    ),
    rows("situations", "adopted_by_user_id", "situations_adopted", "id, lineage_id, version_no, kind, title, owner_org_id, adopted_at"),
    rows("action_plans", "created_by_user_id", "plans_created", "id, lineage_id, version_no, status, title, owner_org_id, created_at"),
    rows("action_plans", "adopted_by_user_id", "plans_adopted", "id, lineage_id, version_no, title, owner_org_id, adopted_at"),
    rows("indicator_values", "entered_by_user_id", "indicator_values_entered", "indicator_id, period, value, origin, note, created_at"),
    rows(
        "plan_deviations",
        "recorded_by_user_id",
        "deviations_recorded",
        "id, plan_id, measure_id, what, why, consequence, correction, decided_by, decided_on, created_at",
    ),
    rows("agreements", "created_by_user_id", "agreements_created", "id, kind, title, municipality_code, owner_org_id, created_at"),
    rows(
        "agreement_documents",
        "uploaded_by_user_id",
        "agreement_documents_uploaded",
        "agreement_id, file_name, size_bytes, sha256, uploaded_at",
    ),
    rows("agreement_reminder_sends", "user_id", "agreement_reminders_sent", "agreement_id, period_to, days_before, created_at"),
    rows("checklist_versions", "created_by_user_id", "checklist_versions_created", "id, set_id, version_no, created_at"),
    rows("assessments", "created_by_user_id", "assessments_started", "id, agreement_id, version_id, assessor_org_id, created_at"),
    rows(
        "assessment_scores",
        "scored_by_user_id",
        "assessment_scores_given",
        "assessment_id, item_id, score, evidence, comment, scored_at",
    ),
    rows("assessment_snapshots", "taken_by_user_id", "assessment_snapshots_taken", "id, agreement_id, kind, label, taken_on, created_at"),
    excluded("agreements", "decided_by", "the name of the body that decided the agreement (Kommunstyrelsen), not a user"),
    rows("offers", "created_by_user_id", "offers_created", "id, org_id, name, municipality_code, created_at"),
    rows("offers", "verified_by_user_id", "offers_verified", "id, org_id, name, verified_on"),
    rows("offer_verification_sends", "user_id", "offer_verification_reminders_sent", "offer_id, due_on, created_at"),
    excluded("situations", "decided_by", "the name of the body that decided the document (Kommunstyrelsen), not a user"),
    excluded("action_plans", "decided_by", "the name of the body that decided the plan (Kommunstyrelsen), not a user"),
    excluded("plan_deviations", "decided_by", "the name of the body or function that decided the correction, not a user"),
    // Programmes (issue 14). A working group member's representative need not have an account:
    // the name and address are exported (and erased) by the account or by the address.
    rows("programmes", "created_by_user_id", "programmes_created", "id, title, scope, owner_org_id, created_at"),
    rows(
        "working_group_members",
        "user_id",
        "working_group_memberships",
        "id, group_id, org_id, representative, representative_email, mandate, hours_per_month, joined_on, left_on",
    ),
    rows("activity_plan_steps", "by_user_id", "activity_plan_steps", "id, plan_id, step, comment, meeting_id, by_org_id, at"),
    rows("steering_meetings", "created_by_user_id", "steering_meetings_created", "id, programme_id, held_on, half_year, title, created_at"),
    rows(
        "steering_decisions",
        "recorded_by_user_id",
        "steering_decisions_recorded",
        "id, programme_id, meeting_id, number, kind, text, owner_org_id, due_on, status, created_at",
    ),
    rows("deliverables", "created_by_user_id", "deliverables_created", "id, programme_id, kind, title, created_at"),
    rows(
        "deliverable_distributions",
        "recorded_by_user_id",
        "deliverable_distributions_recorded",
        "id, deliverable_id, recipient, sent_on, channel, created_at",
    ),
    excluded("programme_signatories", "signed_by", "the title of whoever signed for the organisation (Landshövding), not a user"),
    // Actors (issue 15): interventions and networks. A network's person member need not have an
    // account: name, title, organisation text and address are exported (and erased) by address.
    rows("interventions", "created_by_user_id", "interventions_created", "id, title, owner_org_id, status, created_at"),
    rows("networks", "created_by_user_id", "networks_created", "id, name, kind, owner_org_id, created_at"),
    // Consultations (issue 16): who created, invited, registered, wrote, entered, decided, published.
    rows("consultations", "created_by_user_id", "consultations_created", "id, title, lead_org_id, status, created_at"),
    rows("consultation_invitations", "invited_by_user_id", "consultation_invitations_sent", "consultation_id, org_id, invited_at"),
    rows(
        "consultation_registrations",
        "user_id",
        "consultation_registrations",
        "id, consultation_id, org_id, attendance, needs, registered_at, cancelled_at",
    ),
    rows(
        "consultation_inputs",
        "author_user_id",
        "consultation_inputs_written",
        "id, consultation_id, question_id, org_id, stage, attribution, text, created_at",
    ),
    rows("consultation_inputs", "entered_by_user_id", "consultation_inputs_entered", "id, consultation_id, org_id, stage, created_at"),
    rows("consultation_dispositions", "decided_by_user_id", "consultation_dispositions_decided", "input_id, outcome, decided_at"),
    rows(
        "consultation_documents",
        "published_by_user_id",
        "consultation_documents_published",
        "id, consultation_id, version, published_at",
    ),
    // Knowledge (issue 16): methods, good examples (and who recorded a story's consent), ideas
    // on the idea board and interest in them.
    rows("methods", "created_by_user_id", "methods_created", "id, name, short_name, created_at"),
    rows("good_examples", "created_by_user_id", "good_examples_created", "id, title, owner_org_id, status, created_at"),
    rows("good_examples", "story_consent_by_user_id", "good_example_consents_recorded", "id, title, owner_org_id, story_consent_at"),
    rows("board_ideas", "created_by_user_id", "board_ideas_created", "id, title, owner_org_id, status, created_at"),
    rows("board_idea_interests", "user_id", "board_idea_interests_registered", "id, idea_id, org_id, message, created_at"),
    // Newsletters (issue 16): lists and issues written, subscriptions (by account; a
    // subscription by address alone is exported and erased by the address).
    rows("newsletter_lists", "created_by_user_id", "newsletter_lists_created", "id, owner_org_id, name, created_at"),
    rows("newsletter_issues", "created_by_user_id", "newsletter_issues_written", "id, list_id, subject, created_at"),
    rows("newsletter_issues", "sent_by_user_id", "newsletter_issues_sent", "id, list_id, subject, sent_at"),
    rows(
        "newsletter_subscriptions",
        "user_id",
        "newsletter_subscriptions",
        "id, list_id, email, confirmed_at, unsubscribed_at, created_at",
    ),
    // Dialogue (issue 16): training and events.
    rows("courses", "created_by_user_id", "courses_created", "id, title, level, owner_org_id, created_at"),
    rows("events", "created_by_user_id", "events_created", "id, title, kind, organiser_org_id, starts_at, created_at"),
    rows(
        "event_registrations",
        "user_id",
        "event_registrations",
        "id, event_id, org_id, role, municipality_code, status, certificate_code, created_at, updated_at",
    ),
    rows("event_registrations", "registered_by_user_id", "event_registrations_made", "id, event_id, status, created_at"),
    excluded("jobs", "locked_by", "the name of the worker process that holds the job, not a user"),
];

/// The export's `records`: for each [`Coverage::Rows`] reference, its section with the user's
/// rows as JSON objects (column name → value), oldest first.
pub fn records(db: &mut dyn Conn, user_id: i64) -> StoreResult<BTreeMap<String, Vec<serde_json::Value>>> {
    let mut out = BTreeMap::new();
    for r in GDPR_USER_REFERENCES {
        let Coverage::Rows { section, columns } = r.coverage else { continue };
        out.insert(section.to_owned(), rows_where(db, columns, r.table, r.column, user_id.into())?);
    }
    // References by e-mail address, which the schema check cannot see, are listed here by hand:
    // invitations addressed to the user (erasure deletes them by the same address).
    let email: Option<String> = db.scalar_opt("SELECT email FROM users WHERE id = $1", args![user_id])?;
    if let Some(email) = email {
        let columns = "id, org_id, role, status, invited_at, person_accepted_at, responded_at";
        out.insert(
            "membership_invitations_received".to_owned(),
            rows_where(db, columns, "membership_invitations", "email", email.clone().into())?,
        );
        // A working group's representative named by address, account or not.
        let columns = "id, group_id, org_id, representative, representative_email, mandate, hours_per_month, joined_on, left_on";
        out.insert(
            "working_group_representative".to_owned(),
            rows_where(db, columns, "working_group_members", "representative_email", email.clone().into())?,
        );
        // A network's or reference group's person member named by address, account or not.
        let columns = "id, network_id, person_name, person_title, organisation_text, email, position, joined_on, ceased_on";
        out.insert("network_memberships".to_owned(), rows_where(db, columns, "network_members", "email", email.into())?);
    }
    Ok(out)
}

/// `columns` of the rows of `table` whose `column` is `value`, as JSON objects, oldest first.
fn rows_where(db: &mut dyn Conn, columns: &str, table: &str, column: &str, value: Value) -> StoreResult<Vec<serde_json::Value>> {
    let rows = db.query(&format!("SELECT {columns} FROM {table} WHERE {column} = $1 ORDER BY 1"), &[value])?;
    Ok(rows
        .iter()
        .map(|row| {
            let object: serde_json::Map<String, serde_json::Value> =
                row.iter().map(|(name, value)| (name.to_owned(), json_of(value))).collect();
            serde_json::Value::Object(object)
        })
        .collect())
}

fn json_of(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Int(i) => (*i).into(),
        Value::Real(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::Text(s) => s.clone().into(),
        Value::Bool(b) => (*b).into(),
        Value::Blob(b) => format!("{} bytes", b.len()).into(),
        Value::IntList(l) => l.clone().into(),
    }
}

/// Every `(table, column)` of the live schema that refers to a user: a foreign key to
/// `users(id)`, or a column named `*user_id` or `*_by` (some refer to users without a foreign
/// key, such as `jobs.locked_by`'s worker name, and must still be looked at). Sorted.
pub fn user_reference_columns(db: &mut dyn Conn) -> StoreResult<Vec<(String, String)>> {
    Ok(user_references(&schema::read(db)?))
}

/// [`user_reference_columns`] of a schema already read.
pub fn user_references(schema: &Schema) -> Vec<(String, String)> {
    let mut found = BTreeSet::new();
    for (table, t) in &schema.tables {
        let named = t.columns.keys().filter(|c| table != "users" && (c.ends_with("user_id") || c.ends_with("_by")));
        for column in named {
            found.insert((table.clone(), column.clone()));
        }
        for key in t.foreign_keys.iter().filter(|k| k.table == "users") {
            found.extend(key.columns.iter().map(|c| (table.clone(), c.clone())));
        }
    }
    found.into_iter().collect()
}

/// What to tell a developer about a column that refers to a user but is not in
/// [`GDPR_USER_REFERENCES`].
pub fn missing_reference_message(table: &str, column: &str) -> String {
    format!(
        "{table}.{column} refers to a user but is not covered by the GDPR export. Add it to GDPR_USER_REFERENCES in \
         crates/store/src/kernel/gdpr.rs: either `rows(\"{table}\", \"{column}\", \"<section name>\", \"<columns to export>\")` \
         to export the user's rows, or `excluded(\"{table}\", \"{column}\", \"<why this is not the user's personal data>\")`."
    )
}
