//! The access policy: every "may this viewer do that?" is answered here and nowhere else.
//! What a viewer may *read* of shared records is decided by [`crate::kernel::sharing`].

use brygga_domain::geography::MunicipalityCode;
use brygga_domain::{OrgKind, Role};

use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::viewer::{Via, Viewer};

/// Something a viewer wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Register a new organisation in this installation.
    CreateOrganisation,
    /// Change an organisation's profile, municipalities and contact persons.
    EditOrganisation { org: i64 },
    /// Add, change and remove an organisation's contact persons (shareable records: only the
    /// organisation itself, never a system administrator from outside).
    EditContacts { org: i64 },
    /// Delete an organisation (only one without members).
    DeleteOrganisation,
    /// Add, remove and change the roles of an organisation's members.
    ManageMembers { org: i64 },
    /// See all accounts, create accounts with any membership, reset passwords.
    ManageAllUsers,
    /// Erase an account (GDPR).
    EraseUser,
    /// Create a forum convened by `convener`.
    CreateForum { convener: i64 },
    /// Change a forum convened by `convener`: name, members, contact persons.
    ManageForum { convener: i64 },
    /// Take `org` out of a forum.
    LeaveForum { org: i64 },
    /// Read the audit entries of `org`, or with `None` the whole log.
    ReadAudit { org: Option<i64> },
    /// Create API tokens acting for `org`.
    CreateToken { org: i64 },
    /// Edit local police areas (reference geography).
    ManageGeography,
    /// Report observations on behalf of `org`.
    Report { org: i64 },
    /// Create places in a municipality: coordinators of an organisation with an APPROVED claim
    /// to work there (a pending claim grants nothing).
    ManageAreas { municipality: MunicipalityCode },
    /// Change, archive or delete one place of `municipality` owned by `owner`: coordinators of
    /// the owning organisation while its claim to work there is approved. Nobody else — not
    /// another organisation working there, not even another municipality's organisation that
    /// the municipality let in; the municipality's own organisation sees every change in its
    /// audit log. (System administrators may, to clean up after an owner that is gone.)
    EditArea { municipality: MunicipalityCode, owner: i64 },
    /// Approve or reject another organisation's claim to work in `municipality`: coordinators
    /// and administrators of an organisation of kind Municipality whose approved claim covers it.
    DecideClaim { municipality: MunicipalityCode },
    /// Import files (police events, statistics, surveys, observations) for `org`.
    Import { org: i64 },
    /// Correct or delete any of `org`'s reports (its coordinators; never an outsider).
    ManageReports { org: i64 },
    /// See the e-mail outbox and the job queue, retry failed jobs, send a test message.
    ManageOperations,
    // Forum work (meetings, actions, alerts, share links). `org` is the viewer's organisation
    // in the forum; the store function checks that it is a member (see [`acting_org`]).
    /// Open and keep the forum's weekly meeting: agenda, attendance, notes (coordinators).
    RunMeeting { org: i64 },
    /// Decide an action in the forum's action list.
    DecideAction { org: i64 },
    /// Change an action `org` is responsible for or decided: status, outcome, details.
    UpdateAction { org: i64 },
    /// Press the button: alert the forum's contact persons ("trycka på knappen").
    RaiseAlert { org: i64 },
    /// Create and revoke read-only share links to the forum's weekly report (coordinators).
    ShareReport { org: i64 },
    /// Open a forum for `municipality` convened by `convener`: an organisation whose approved
    /// claim covers that municipality (its coordinators), or a system administrator.
    ConveneIn { convener: i64, municipality: MunicipalityCode },
    /// Accept or decline `org`'s invitation into a forum (its administrators and coordinators;
    /// never a system administrator from outside: joining is the organisation's own choice).
    AnswerForumInvitation { org: i64 },
    /// Approve a person's joining `org` when someone from outside the organisation (a system
    /// administrator) invited them: the organisation's administrators only.
    ApproveMembership { org: i64 },
    // Plans (lägesbild, problembild, åtgärdsplan). `org` is the viewer's organisation among the
    // document's parties; the store checks that it is one (see `plans::Parties`).
    /// Start a document owned by `org`, and write a draft's content: text, problems, causes,
    /// goals, indicators, measures (coordinators of a party).
    WritePlan { org: i64 },
    /// Adopt a version, start a new one, share or publish it (coordinators of the owner).
    AdoptPlan { org: i64 },
    /// Follow an adopted plan up: a measure's status, indicator values, deviations, links to
    /// weekly actions (members of a party).
    FollowUpPlan { org: i64 },
    // Programmes (handlingsprogram, working groups, activity plans). `org` is the organisation
    // the viewer acts for; the store checks its place in the programme (see `programmes`).
    /// Create a programme owned by `org`; change a programme `org` owns: its declaration,
    /// signatories, development areas, working groups and their members, participation
    /// (coordinators of the owner).
    ManageProgramme { org: i64 },
    /// Start, write and submit a working group's activity plan for `org`, the group's convening
    /// party or a member organisation (coordinators).
    WriteActivityPlan { org: i64 },
    /// Quality-assure an activity plan of a programme `org` owns: comment, approve, return it
    /// to draft, record it presented and adopted (coordinators of the owner: the county's
    /// coordinators of a regional programme).
    QualityAssure { org: i64 },
    // Agreements and quality checklists (`agreements`). `org` is the viewer's organisation: a
    // party of the agreement, or the county board overseeing its municipality.
    /// Create an agreement owned by `org`, write its content, parties, signing dates and
    /// document, conclude it (coordinators of a party; the store checks that `org` is one).
    WriteAgreement { org: i64 },
    /// Score an agreement against a checklist and take snapshots for `org`: coordinators of the
    /// overseeing county board, or of a party (a self-assessment). The store checks which.
    AssessAgreement { org: i64 },
    /// Create and edit `org`'s own checklists: coordinators of an organisation of kind county board.
    ManageChecklists { org: i64 },
    // Actors (`actors`).
    /// Add a contact-person role to the shared list: coordinators of a county board, or a
    /// system administrator.
    ManageContactRoles,
    /// Edit the counterparts of `municipality` (health region, probation region and office):
    /// a system administrator, or coordinators of a county board working in it.
    EditCounterparts { municipality: MunicipalityCode },
    /// Write and publish the "vart vänder jag mig" guide of `municipality`: coordinators of
    /// the municipality's own organisation (kind Municipality, approved claim).
    EditGuide { municipality: MunicipalityCode },
    // Actors (issue 15): interventions and networks. `org` is the owner.
    /// Register, edit, share and delete interventions owned by `org`; manage `org`'s networks
    /// and their members (any user of `org` from member up; readers only read).
    WriteIntervention { org: i64 },
    /// Create and change networks and reference groups owned by `org`, and their members.
    ManageNetwork { org: i64 },
    // The directory (`actors`): an organisation's directory profile and its offers.
    /// Change `org`'s directory profile (themes, target groups, languages, areas, publishing the
    /// profile) and its offers: write, publish, mark verified, delete (members, coordinators and
    /// administrators of `org`; never a system administrator from outside — the directory speaks
    /// for the organisation).
    EditDirectory { org: i64 },
    // Consultations (`dialogue::consultations`, issue 16). `org` is the viewer's organisation.
    /// Organise a consultation for `org` (lead or co-organiser): create and edit it, open and
    /// close it, invite, enter input as note-taker (coordinators and administrators of `org`).
    OrganiseConsultation { org: i64 },
    /// Accept or decline `org`'s invitation to a consultation (its coordinators and administrators).
    AnswerConsultation { org: i64 },
    /// Register for a consultation and give, change and withdraw input for `org` (every user of
    /// `org` but readers).
    TakePartInConsultation { org: i64 },
    // Knowledge (issue 16): the method library, the idea bank and the idea board.
    /// Add, change and delete methods of the library and their EMMIE ratings: system
    /// administrators and coordinators of a county board (länsstyrelse).
    WriteMethod,
    /// Write `org`'s good examples and ideas on the idea board, and register `org`'s interest
    /// in another organisation's idea (users of `org` from member up).
    WriteExample { org: i64 },
    // Dialogue (issue 16): newsletters.
    /// Create `org`'s newsletter lists, write and send their issues, see their subscribers
    /// (coordinators of `org`).
    ManageNewsletter { org: i64 },
    // Dialogue (issue 16): training and events (`dialogue::events`).
    /// Create courses, tracks and events organised by `org`; change them, mark attendance,
    /// define and send the post-event survey, register others (coordinators and administrators).
    ManageEvents { org: i64 },
    /// Read the training coverage report of `county` (a county code, `12`): coordinators of a
    /// county board working in one of its municipalities, or a system administrator — the
    /// people of [`Action::ManageContactRoles`], narrowed to their county.
    ReadEventCoverage { county: &'static str },
}

/// Whether the viewer has at least `min` rights in `org` (roles are ordered, most rights first).
fn has_role(v: &Viewer, org: i64, min: Role) -> bool {
    v.role_in(org).is_some_and(|r| r <= min)
}

pub fn allowed(v: &Viewer, action: Action) -> bool {
    if !v.is_signed_in() && !v.is_system_admin() {
        return false;
    }
    let admin = v.is_system_admin();
    match action {
        Action::CreateOrganisation => {
            admin
                || v.memberships().iter().any(|m| {
                    m.role <= Role::Coordinator && matches!(m.org_kind, OrgKind::Municipality | OrgKind::CountyBoard | OrgKind::Police)
                })
        }
        Action::EditOrganisation { org } => admin || has_role(v, org, Role::Coordinator),
        Action::EditContacts { org } => v.via() == Via::System || has_role(v, org, Role::Coordinator),
        Action::DeleteOrganisation | Action::ManageAllUsers | Action::EraseUser | Action::ManageGeography | Action::ManageOperations => {
            admin
        }
        Action::ManageMembers { org } => admin || has_role(v, org, Role::Administrator),
        Action::CreateForum { convener } | Action::ManageForum { convener } => admin || has_role(v, convener, Role::Coordinator),
        Action::LeaveForum { org } => admin || has_role(v, org, Role::Administrator),
        Action::ReadAudit { org: None } => admin,
        Action::ReadAudit { org: Some(org) } => admin || has_role(v, org, Role::Administrator),
        Action::CreateToken { org } => v.role_in(org).is_some(),
        Action::Report { org } => has_role(v, org, Role::Reporter),
        Action::ManageAreas { municipality } => {
            admin
                || v.memberships()
                    .iter()
                    .any(|m| m.role <= Role::Coordinator && m.municipalities.iter().any(|c| c == municipality.as_str()))
        }
        Action::EditArea { municipality, owner } => {
            admin
                || v.memberships().iter().any(|m| {
                    m.org_id == owner && m.role <= Role::Coordinator && m.municipalities.iter().any(|c| c == municipality.as_str())
                })
        }
        Action::DecideClaim { municipality } => {
            admin
                || v.memberships().iter().any(|m| {
                    m.role <= Role::Coordinator
                        && m.org_kind == OrgKind::Municipality
                        && m.municipalities.iter().any(|c| c == municipality.as_str())
                })
        }
        Action::Import { org } => has_role(v, org, Role::Member),
        Action::ManageReports { org } => has_role(v, org, Role::Coordinator),
        Action::RunMeeting { org } | Action::ShareReport { org } => has_role(v, org, Role::Coordinator),
        Action::DecideAction { org } | Action::UpdateAction { org } => has_role(v, org, Role::Member),
        Action::RaiseAlert { org } => has_role(v, org, Role::Reporter),
        Action::ConveneIn { convener, municipality } => {
            admin
                || v.memberships().iter().any(|m| {
                    m.org_id == convener && m.role <= Role::Coordinator && m.municipalities.iter().any(|c| c == municipality.as_str())
                })
        }
        Action::AnswerForumInvitation { org } => has_role(v, org, Role::Coordinator),
        Action::ApproveMembership { org } => has_role(v, org, Role::Administrator),
        Action::WritePlan { org } | Action::AdoptPlan { org } => has_role(v, org, Role::Coordinator),
        Action::FollowUpPlan { org } => has_role(v, org, Role::Member),
        Action::ManageProgramme { org } | Action::WriteActivityPlan { org } | Action::QualityAssure { org } => {
            has_role(v, org, Role::Coordinator)
        }
        Action::WriteAgreement { org } | Action::AssessAgreement { org } => has_role(v, org, Role::Coordinator),
        Action::WriteIntervention { org } | Action::ManageNetwork { org } => has_role(v, org, Role::Member),
        Action::ManageChecklists { org } => {
            v.memberships().iter().any(|m| m.org_id == org && m.role <= Role::Coordinator && m.org_kind == OrgKind::CountyBoard)
        }
        Action::ManageContactRoles => {
            admin || v.memberships().iter().any(|m| m.role <= Role::Coordinator && m.org_kind == OrgKind::CountyBoard)
        }
        Action::EditCounterparts { municipality } => {
            admin
                || v.memberships().iter().any(|m| {
                    m.role <= Role::Coordinator
                        && m.org_kind == OrgKind::CountyBoard
                        && m.municipalities.iter().any(|c| c == municipality.as_str())
                })
        }
        Action::EditGuide { municipality } => v.memberships().iter().any(|m| {
            m.role <= Role::Coordinator
                && m.org_kind == OrgKind::Municipality
                && m.municipalities.iter().any(|c| c == municipality.as_str())
        }),
        Action::EditDirectory { org } => has_role(v, org, Role::Member),
        Action::OrganiseConsultation { org } | Action::AnswerConsultation { org } => has_role(v, org, Role::Coordinator),
        Action::TakePartInConsultation { org } => has_role(v, org, Role::Reporter),
        Action::WriteMethod => admin || v.memberships().iter().any(|m| m.role <= Role::Coordinator && m.org_kind == OrgKind::CountyBoard),
        Action::WriteExample { org } => has_role(v, org, Role::Member),
        Action::ManageNewsletter { org } => has_role(v, org, Role::Coordinator),
        Action::ManageEvents { org } => has_role(v, org, Role::Coordinator),
        Action::ReadEventCoverage { county } => {
            admin
                || v.memberships().iter().any(|m| {
                    m.role <= Role::Coordinator
                        && m.org_kind == OrgKind::CountyBoard
                        && m.municipalities
                            .iter()
                            .any(|c| brygga_domain::geography::municipality(c).is_some_and(|x| x.county_code == county))
                })
        }
    }
}

/// The organisation the viewer acts for among a forum's `members`: `wanted` if it is one of
/// the viewer's and allowed `action`, otherwise the first of the viewer's member organisations
/// that is. `None` when none is.
pub fn acting_org(v: &Viewer, members: &[i64], wanted: Option<i64>, action: impl Fn(i64) -> Action) -> Option<i64> {
    let mine = v.memberships().iter().map(|m| m.org_id).filter(|o| members.contains(o));
    match wanted {
        Some(w) => mine.into_iter().find(|o| *o == w).filter(|o| allowed(v, action(*o))),
        None => mine.into_iter().find(|o| allowed(v, action(*o))),
    }
}

pub fn require(v: &Viewer, action: Action) -> StoreResult<()> {
    if allowed(v, action) { Ok(()) } else { Err(StoreError::Forbidden) }
}
