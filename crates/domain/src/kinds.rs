//! Closed vocabularies: organisation kinds, membership roles, record visibility.
//! Codes are English (API, database); labels are Swedish (interface).

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident, $field:literal, $what:literal { $($variant:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable code used in the database and the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            /// The Swedish label shown in the interface.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
            /// Parses a code, naming the field and listing the valid codes on failure.
            pub fn parse(code: &str) -> Result<Self, FieldError> {
                Self::from_code(code.trim()).ok_or_else(|| {
                    let valid: Vec<String> = Self::ALL.iter().map(|k| format!("{} ({})", k.code(), k.label())).collect();
                    FieldError::new($field, concat!($field, ".unknown"), format!(concat!("Okänd ", $what, " ”{}”. Välj en av: {}."), code, valid.join(", ")))
                })
            }
        }
    };
}

pub(crate) use vocabulary;

vocabulary! {
    /// What kind of organisation an actor is.
    OrgKind, "kind", "organisationstyp" {
        Municipality = "municipality", "Kommun";
        Police = "police", "Polisen";
        CountyBoard = "county_board", "Länsstyrelse";
        Region = "region", "Region";
        PrisonProbation = "prison_probation", "Kriminalvården";
        SocialServices = "social_services", "Socialtjänst";
        School = "school", "Skola";
        HousingCompany = "housing_company", "Bostadsbolag";
        RescueService = "rescue_service", "Räddningstjänst";
        Business = "business", "Näringsliv";
        CivilSociety = "civil_society", "Civilsamhälle";
        FaithCommunity = "faith_community", "Trossamfund";
        Other = "other", "Annan";
    }
}

vocabulary! {
    /// A user's role in one organisation. Ordered from most to least rights.
    Role, "role", "roll" {
        Administrator = "administrator", "Administratör";
        Coordinator = "coordinator", "Samordnare";
        Member = "member", "Medlem";
        Reporter = "reporter", "Rapportör";
        Reader = "reader", "Läsare";
    }
}

impl Role {
    /// What the role may do, in one sentence, for the interface.
    pub fn description(self) -> &'static str {
        match self {
            Role::Administrator => "Hanterar organisationens profil, medlemmar och API-nycklar.",
            Role::Coordinator => "Leder samverkan: hanterar forum och organisationens profil.",
            Role::Member => "Läser den delade bilden och bidrar med uppgifter.",
            Role::Reporter => "Rapporterar iakttagelser.",
            Role::Reader => "Läser det organisationen har tillgång till.",
        }
    }
}

vocabulary! {
    /// Who may read a record besides its owning organisation.
    VisibilityKind, "visibility", "synlighet" {
        Organisation = "organisation", "Bara vår organisation";
        Forum = "forum", "Forumets organisationer";
        Public = "public", "Alla (publikt)";
    }
}

vocabulary! {
    /// Where an action (åtgärd) stands.
    ActionStatus, "status", "status" {
        Planned = "planned", "Planerad";
        InProgress = "in_progress", "Pågår";
        Done = "done", "Klar";
        Cancelled = "cancelled", "Inställd";
    }
}

impl ActionStatus {
    /// Planned or in progress: still to be done.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Planned | ActionStatus::InProgress)
    }
}

vocabulary! {
    /// How soon an alert needs the other actors ("trycka på knappen").
    AlertUrgency, "urgency", "brådska" {
        Immediate = "immediate", "Akut – nu";
        Today = "today", "I dag";
        ThisWeek = "this_week", "Inom veckan";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_explained() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::from_code(k.code()), Some(*k));
        }
        assert_eq!(OrgKind::ALL.len(), 13);
        let e = OrgKind::parse("kommun").unwrap_err();
        assert_eq!(e.field, "kind");
        assert!(e.message.contains("municipality (Kommun)"), "{}", e.message);
        assert_eq!(Role::parse("reader").unwrap(), Role::Reader);
    }
}
