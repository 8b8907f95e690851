//! The closed vocabularies of a programme's steering group, its decisions and its deliverables
//! (issue 14): who sits in the steering group, where a meeting and its agenda stand, what a
//! logged decision is and how it is followed up, and what a deliverable is and how it was spread.
//! Codes are English (database, API); labels are Swedish (interface).

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::kinds::vocabulary;

vocabulary! {
    /// A steering-group member organisation's role; one chairs (the county governor in Skåne).
    SteeringRole, "role", "roll i styrgruppen" {
        Chair = "chair", "Ordförande";
        Member = "member", "Ledamot";
        Secretary = "secretary", "Sekreterare";
    }
}

vocabulary! {
    /// Whether a steering meeting is ahead or has been held.
    MeetingStatus, "status", "mötesstatus" {
        Planned = "planned", "Planerat";
        Held = "held", "Genomfört";
    }
}

vocabulary! {
    /// What an agenda item is about; all but `other` are generated from the groups' state.
    AgendaKind, "kind", "typ av dagordningspunkt" {
        PlanDecision = "plan_decision", "Aktivitetsplan att ta ställning till";
        GoalOffTrack = "goal_off_track", "Mål som inte går att följa eller ligger efter";
        Deviation = "deviation", "Öppen avvikelse";
        DecisionFollowUp = "decision_follow_up", "Uppdrag att följa upp";
        Deliverable = "deliverable", "Levererat men inte spritt";
        Other = "other", "Övrig punkt";
    }
}

vocabulary! {
    /// What a decision logged at a steering meeting is.
    DecisionKind, "kind", "typ av beslut" {
        Information = "information", "Information";
        Decision = "decision", "Beslut";
        Assignment = "assignment", "Uppdrag";
    }
}

vocabulary! {
    /// Where a logged decision stands in its follow-up.
    DecisionStatus, "status", "uppföljningsstatus" {
        Open = "open", "Öppen";
        Done = "done", "Genomförd";
        Cancelled = "cancelled", "Avskriven";
    }
}

vocabulary! {
    /// What kind of product a deliverable is.
    DeliverableKind, "kind", "typ av produkt" {
        Leaflet = "leaflet", "Broschyr";
        Toolbox = "toolbox", "Verktygslåda";
        Template = "template", "Mall";
        Training = "training", "Utbildningsmaterial";
        Report = "report", "Rapport";
        Other = "other", "Annan produkt";
    }
}

vocabulary! {
    /// How a deliverable was spread.
    Channel, "channel", "spridningskanal" {
        Email = "email", "E-post";
        Post = "post", "Post";
        Web = "web", "Webb";
        Meeting = "meeting", "Möte";
        Training = "training", "Utbildning";
        Other = "other", "Annat";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_name_the_field() {
        for k in DecisionKind::ALL {
            assert_eq!(DecisionKind::from_code(k.code()), Some(*k));
        }
        for k in Channel::ALL {
            assert_eq!(Channel::parse(k.code()).unwrap(), *k);
        }
        let e = DeliverableKind::parse("poster").unwrap_err();
        assert_eq!(e.field, "kind");
        assert!(e.message.contains("toolbox (Verktygslåda)"), "{}", e.message);
        assert!(SteeringRole::parse("boss").is_err());
    }
}
