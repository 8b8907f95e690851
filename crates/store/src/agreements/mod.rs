//! Agreements and quality checklists (issue 14, items 6 and 7): samverkansöverenskommelser
//! (municipality ↔ local police area), medborgarlöften, IOP, samarbetsavtal and other agreements;
//! the criteria sets they are scored against; assessments, frozen snapshots and the county table.
//!
//! **Who may read, write and be notified.**
//! - *Read*: an agreement is a party record — its parties' users read it, drafts included; a
//!   concluded one can be shared with a forum or published and is then read like any shared
//!   record. Besides, **county oversight**: the users of a county board (länsstyrelse) whose
//!   approved claim covers the agreement's municipality read every concluded agreement there,
//!   with its document and assessments. The rule is [`sharing::agreement_readable`] (kernel).
//!   Reading someone else's agreement is "not found".
//! - *Write*: coordinators of a party write the agreement — header, parties, signing dates, the
//!   signed document — and conclude it ([`Permission::WriteAgreement`]); a county board that is not
//!   a party cannot change it. Changing a concluded agreement's content is allowed (an agreement is
//!   renegotiated in place; its signing dates say what was signed) and audited.
//! - *Assess*: coordinators of the overseeing county board score an agreement and take snapshots
//!   ([`Permission::AssessAgreement`]); coordinators of a party may do the same as a
//!   **self-assessment** (marked as such; the county table counts only the county board's
//!   snapshots). Checklists: Brygga's default set is read-only; county-board coordinators create
//!   and edit their own sets ([`Permission::ManageChecklists`]). Every set is readable by anyone
//!   signed in (criteria are not secret).
//! - *Notified*: the coordinators of every party get one e-mail 90 and one 30 days before a
//!   concluded agreement ends (job [`reminders::KIND`]); every write is in the audit log of the
//!   parties (`agreement.*`) or the assessor (`assessment.*`, `checklist.*`).
//!
//! **Shape.** `agreement` (the record, parties, document, listing), `checklists` (versioned
//! criteria sets, Brygga's default set), `assessments` (scores, derived items, snapshots,
//! comparison), `county` (the county table), `reminders` (expiry e-mails), `transfer` (JSON).

use brygga_domain::{FieldError, Role};

use crate::Viewer;
use crate::args;
use crate::kernel::access::{self, Action as Permission};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::{self, Visibility};

pub mod agreement;
pub mod assessments;
pub mod checklists;
pub mod county;
pub mod reminders;
pub mod transfer;

/// What every command needs to know about an agreement: its parties and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub id: i64,
    pub owner_org_id: i64,
    pub parties: Vec<i64>,
    pub concluded: bool,
    pub visibility: Visibility,
    pub municipality_code: String,
    pub version: i64,
}

impl Head {
    /// Loads an agreement the viewer may read; one it may not is not found.
    pub fn load(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Self> {
        let head = Self::fetch(db, id)?;
        if sharing::can_read_agreement(v, &head.parties, !head.concluded, head.visibility, &head.municipality_code) {
            Ok(head)
        } else {
            Err(StoreError::not_found("agreement"))
        }
    }

    /// Without the read check (the reminder job, after a check).
    pub(crate) fn fetch(db: &mut dyn Conn, id: i64) -> StoreResult<Self> {
        let row = db
            .query(
                "SELECT owner_org_id, status, visibility, forum_id, municipality_code, version FROM agreements WHERE id = $1",
                args![id],
            )?
            .into_iter()
            .next()
            .ok_or(StoreError::not_found("agreement"))?;
        let parties: Vec<i64> = db.scalars("SELECT org_id FROM agreement_parties WHERE agreement_id = $1 ORDER BY org_id", args![id])?;
        let kind: String = row.get("visibility")?;
        let visibility =
            Visibility::from_columns(&kind, row.get("forum_id")?).ok_or_else(|| StoreError::Internal(format!("visibility {kind}")))?;
        let status: String = row.get("status")?;
        Ok(Self {
            id,
            owner_org_id: row.get("owner_org_id")?,
            parties,
            concluded: status == "concluded",
            visibility,
            municipality_code: row.get("municipality_code")?,
            version: row.get("version")?,
        })
    }

    /// The party the viewer writes for: `wanted` when allowed, otherwise the first party that is.
    pub fn writing_party(&self, v: &Viewer) -> StoreResult<i64> {
        access::acting_org(v, &self.parties, None, |org| Permission::WriteAgreement { org }).ok_or(StoreError::Forbidden)
    }

    /// Whether the viewer is a party's user.
    pub fn is_party(&self, v: &Viewer) -> bool {
        self.parties.iter().any(|o| v.role_in(*o).is_some())
    }

    /// Bumps the optimistic lock; a stale `expected` version is a conflict.
    pub fn touch(&self, db: &mut dyn Conn, expected: Option<i64>) -> StoreResult<()> {
        if let Some(e) = expected
            && e != self.version
        {
            return Err(StoreError::Stale);
        }
        db.execute("UPDATE agreements SET version = version + 1, updated_at = $2 WHERE id = $1", args![self.id, crate::now_ms()])?;
        Ok(())
    }
}

/// The organisation the viewer assesses `head` for: a county board overseeing its municipality
/// (preferred), or a party (a self-assessment); `wanted` when it is one of those and allowed.
/// Returns the org and whether it is a self-assessment.
pub fn assessing_org(v: &Viewer, head: &Head, wanted: Option<i64>) -> StoreResult<(i64, bool)> {
    let mut candidates: Vec<(i64, bool)> = v
        .memberships()
        .iter()
        .filter(|m| m.org_kind == brygga_domain::OrgKind::CountyBoard && m.municipalities.iter().any(|c| c == &head.municipality_code))
        .map(|m| (m.org_id, false))
        .collect();
    candidates.extend(head.parties.iter().filter(|o| v.role_in(**o).is_some()).map(|o| (*o, true)));
    candidates
        .into_iter()
        .filter(|(o, _)| wanted.is_none_or(|w| w == *o))
        .find(|(o, _)| access::allowed(v, Permission::AssessAgreement { org: *o }))
        .ok_or(StoreError::Forbidden)
}

/// Whether a role is at least a coordinator's (pages use it to show or hide forms; the store decides).
pub fn coordinates(v: &Viewer, org: i64) -> bool {
    v.role_in(org).is_some_and(|r| r <= Role::Coordinator)
}

/// A field error for an organisation that may not be a party.
pub(crate) fn party_error(field: &str) -> FieldError {
    FieldError::new(
        field,
        "agreements.party_unclaimed",
        "En part måste ha ett godkänt anspråk i överenskommelsens kommun, eller vara polisen. Välj en sådan organisation.",
    )
}
