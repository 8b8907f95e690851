//! Plans: the statutory chain of Lag 2023:196, one traceable object — the municipality's
//! lägesbild (situation) and the joint problembild (problem picture) as documents with their
//! figures, prioritised problems and causes; the åtgärdsplan with goals, indicators and measures;
//! follow-up with indicator values and deviations; and the process evaluation that checks the
//! chain continuously.
//!
//! **Who may read, write and be notified.**
//! - *Read*: a document's parties (owner and co-owners) read every version, drafts included; an
//!   adopted version shared with a forum is read by its members' users; a published one by
//!   anyone, signed in or not, with figures only as aggregates and small counts suppressed. The
//!   rule is [`sharing::party_record_readable`] (kernel), as every other sharing rule.
//! - *Write*: coordinators of a party write a draft ([`Permission::WritePlan`]); coordinators of
//!   the owner adopt, start a new version, share and publish ([`Permission::AdoptPlan`]); members
//!   of a party follow an adopted plan up ([`Permission::FollowUpPlan`]). An adopted version's
//!   content never changes ([`Doc::require_draft`]).
//! - *Notified*: nobody by e-mail; every change is in the audit log of the owning organisation.
//!
//! **Shape.** `situation` (the lägesbild/problembild document, its sections, other sources,
//! live and frozen figures, warnings), `problems` (problems, evidence, causes), `plan` (the
//! åtgärdsplan document and its loader), `goals`, `indicators`, `measures`, `series` (an
//! indicator's values from Brygga's data), `followup` (values, progress, deviations, the
//! follow-up report), `evaluation` (the checks), `compare` (two versions side by side) and
//! `transfer` (a whole plan as versioned JSON).

use brygga_domain::plans::DocumentStatus;
use brygga_domain::{FieldError, Role};

use crate::Viewer;
use crate::kernel::access::{self, Action as Permission};
use crate::kernel::audit::{Reads, SharedRead};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::secret;
use crate::kernel::sharing::{self, Visibility};

pub mod compare;
pub mod evaluation;
pub mod figures;
pub mod followup;
pub mod goals;
pub mod indicators;
pub mod measures;
pub mod plan;
pub mod problems;
pub mod progress;
pub mod series;
pub mod situation;
pub mod transfer;

/// The two document tables of the capability and their parties tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocTable {
    /// `situations` / `situation_parties`.
    Situation,
    /// `action_plans` / `plan_parties`.
    Plan,
}

impl DocTable {
    pub fn table(self) -> &'static str {
        match self {
            DocTable::Situation => "situations",
            DocTable::Plan => "action_plans",
        }
    }
    pub fn parties(self) -> &'static str {
        match self {
            DocTable::Situation => "situation_parties",
            DocTable::Plan => "plan_parties",
        }
    }
    /// The document's kind in the search index.
    pub fn search_kind(self) -> &'static str {
        match self {
            DocTable::Situation => "situation",
            DocTable::Plan => "plan",
        }
    }
    pub fn fk(self) -> &'static str {
        match self {
            DocTable::Situation => "situation_id",
            DocTable::Plan => "plan_id",
        }
    }
    /// The predicate over the document aliased `t` (see [`sharing::party_record_readable`]),
    /// binding [`sharing::readable_args`] at `$p` and `$p+1`.
    pub fn readable(self, db: &dyn Conn, t: &str, p: usize) -> String {
        sharing::party_record_readable(db.dialect(), t, self.parties(), self.fk(), p)
    }
    fn not_found(self) -> StoreError {
        match self {
            DocTable::Situation => StoreError::not_found("situation"),
            DocTable::Plan => StoreError::not_found("plan"),
        }
    }
}

/// What every write needs to know about a document version: whose it is and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub table: DocTable,
    pub id: i64,
    pub lineage_id: i64,
    pub version_no: i64,
    pub status: DocumentStatus,
    pub owner_org_id: i64,
    pub parties: Vec<i64>,
    pub visibility: Visibility,
    /// `None` for a working group's activity plan (see `programmes`).
    pub municipality_code: Option<String>,
    /// For an activity plan, its workflow state (`draft`, `submitted`, `quality_assured`,
    /// `presented`, `adopted`); `None` for every other document.
    pub activity_state: Option<String>,
    /// Optimistic lock: bumped by every change of the version.
    pub version: i64,
}

impl Doc {
    /// Loads a version the viewer may read; one it may not is not found (never "forbidden":
    /// that would say it exists).
    pub fn load(db: &mut dyn Conn, v: &Viewer, table: DocTable, id: i64) -> StoreResult<Self> {
        let row = db
            .query(
                &format!(
                    "SELECT t.lineage_id, t.version_no, t.status, t.owner_org_id, t.visibility, t.forum_id, t.municipality_code, t.version, {} AS activity_state
                     FROM {} t WHERE t.id = $1",
                    match table {
                        DocTable::Plan => "(SELECT ap.state FROM activity_plans ap WHERE ap.plan_id = t.id)",
                        DocTable::Situation => "CAST(NULL AS TEXT)",
                    },
                    table.table()
                ),
                &[id.into()],
            )?
            .into_iter()
            .next()
            .ok_or_else(|| table.not_found())?;
        let parties: Vec<i64> =
            db.scalars(&format!("SELECT org_id FROM {} WHERE {} = $1 ORDER BY org_id", table.parties(), table.fk()), &[id.into()])?;
        let status: String = row.get("status")?;
        let status = DocumentStatus::from_code(&status).ok_or_else(|| StoreError::Internal(format!("status {status}")))?;
        let kind: String = row.get("visibility")?;
        let visibility =
            Visibility::from_columns(&kind, row.get("forum_id")?).ok_or_else(|| StoreError::Internal(format!("visibility {kind}")))?;
        let doc = Self {
            table,
            id,
            lineage_id: row.get("lineage_id")?,
            version_no: row.get("version_no")?,
            status,
            owner_org_id: row.get("owner_org_id")?,
            parties,
            visibility,
            municipality_code: row.get("municipality_code")?,
            activity_state: row.get("activity_state")?,
            version: row.get("version")?,
        };
        if sharing::can_read_party_record(v, &doc.parties, doc.status == DocumentStatus::Draft, doc.visibility) {
            Ok(doc)
        } else {
            Err(table.not_found())
        }
    }

    /// The audit entry of reading this version (for [`crate::Store::read_audited`]): a signed-in
    /// reader outside the parties — a member of a forum the version is shared with, or anyone
    /// signed in reading a published one — leaves an entry in every party's log, as a read of
    /// another organisation's shared picture does. The parties' own work does not fill the log,
    /// and nobody is logged for reading a published version signed out (public data; an entry
    /// per anonymous page view would only be noise).
    pub fn read_entry(&self, v: &Viewer) -> SharedRead {
        let outsider = !self.is_party(v) && (v.is_signed_in() || v.token_id().is_some());
        let (action, kind) = match self.table {
            DocTable::Situation => ("situation.read", "situation"),
            DocTable::Plan => ("plan.read", "plan"),
        };
        SharedRead {
            action,
            about: Some((kind, self.id)),
            owners: if outsider { self.parties.clone() } else { Vec::new() },
            when: Reads::OfOthers,
        }
    }

    /// Whether the viewer is a party's user (reads drafts, sees exact figures).
    pub fn is_party(&self, v: &Viewer) -> bool {
        self.parties.iter().any(|o| v.role_in(*o).is_some())
    }

    /// The party the viewer acts for with `permission`: `wanted` when it is a party and allowed,
    /// otherwise the first party that is. Forbidden when none is.
    pub fn acting_party(&self, v: &Viewer, wanted: Option<i64>, permission: impl Fn(i64) -> Permission) -> StoreResult<i64> {
        access::acting_org(v, &self.parties, wanted, permission).ok_or(StoreError::Forbidden)
    }

    /// The owner, when the viewer is allowed `permission` for it (adopting, sharing).
    pub fn acting_owner(&self, v: &Viewer, permission: impl Fn(i64) -> Permission) -> StoreResult<i64> {
        access::require(v, permission(self.owner_org_id))?;
        Ok(self.owner_org_id)
    }

    /// Whether this is a working group's aktivitetsplan (its workflow is `programmes`').
    pub fn is_activity(&self) -> bool {
        self.activity_state.is_some()
    }

    /// Content may change only in a draft: an adopted version never changes, and an activity
    /// plan's content only while its workflow is at utkast (once submitted, the county's
    /// coordinators quality-assure what was submitted; they can send it back). The message
    /// names the way forward.
    pub fn require_draft(&self) -> StoreResult<()> {
        if let Some(state) = self.activity_state.as_deref().filter(|s| *s != "draft" && self.status == DocumentStatus::Draft) {
            return Err(StoreError::invalid(FieldError::new(
                "status",
                "programmes.not_draft",
                format!(
                    "Aktivitetsplanen är {} och kan inte ändras. Innehållet kan bara ändras i ett utkast: be länets samordnare skicka tillbaka planen med en kommentar.",
                    activity_state_label(state)
                ),
            )));
        }
        match self.status {
            DocumentStatus::Draft => Ok(()),
            _ => Err(StoreError::invalid(FieldError::new(
                "status",
                "plans.adopted",
                format!(
                    "Version {} är {} och kan inte ändras. Starta en ny version för att göra ändringar.",
                    self.version_no,
                    self.status.label().to_lowercase()
                ),
            ))),
        }
    }

    /// Follow-up goes on in the version in force: adopted, not a draft and not superseded.
    pub fn require_in_force(&self) -> StoreResult<()> {
        match self.status {
            DocumentStatus::Adopted => Ok(()),
            DocumentStatus::Draft => Err(StoreError::invalid(FieldError::new(
                "status",
                "plans.draft",
                "Planen är ett utkast. Uppföljning görs i den antagna versionen: anta planen först.",
            ))),
            DocumentStatus::Superseded => Err(StoreError::invalid(FieldError::new(
                "status",
                "plans.superseded",
                format!("Version {} är ersatt av en nyare version. Följ upp i den gällande versionen.", self.version_no),
            ))),
        }
    }

    /// Bumps the optimistic lock and `updated_at` of the version; a stale `expected` version is a
    /// conflict (someone else saved in between).
    pub fn touch(&self, db: &mut dyn Conn, expected: Option<i64>) -> StoreResult<()> {
        if let Some(e) = expected
            && e != self.version
        {
            return Err(StoreError::Stale);
        }
        db.execute(
            &format!("UPDATE {} SET version = version + 1, updated_at = $2 WHERE id = $1", self.table.table()),
            &[self.id.into(), crate::now_ms().into()],
        )?;
        // Every change to a plans document passes here: the search index catches up.
        crate::kernel::index::touch(db, self.table.search_kind(), self.id)?;
        Ok(())
    }
}

/// The Swedish word for an activity plan's workflow state, lower case (`inlämnad`).
pub fn activity_state_label(state: &str) -> &'static str {
    match state {
        "draft" => "utkast",
        "submitted" => "inlämnad",
        "quality_assured" => "kvalitetssäkrad",
        "presented" => "presenterad",
        "adopted" => "fastställd",
        _ => "okänd",
    }
}

/// A new part's `key`: stable across the versions of a document (a comparison matches on it).
pub fn new_key() -> String {
    secret::random_token(9)
}

/// The id of a readable organisation that is one of `parties`, or a field error naming `field`.
pub fn require_party_org(parties: &[i64], org: i64, field: &str, what: &str) -> Result<(), FieldError> {
    if parties.contains(&org) {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            "plans.not_a_party",
            format!("{what} är inte part i dokumentet. Välj en av parterna, eller lägg först till organisationen som part."),
        ))
    }
}

/// Whether a role is at least a coordinator's (pages use it to show or hide forms; the store
/// decides).
pub fn coordinates(v: &Viewer, org: i64) -> bool {
    v.role_in(org).is_some_and(|r| r <= Role::Coordinator)
}

/// The audit entry of reading a document version the viewer may read (see [`Doc::read_entry`]).
pub fn read_entry(db: &mut dyn Conn, v: &Viewer, table: DocTable, id: i64) -> StoreResult<SharedRead> {
    Ok(Doc::load(db, v, table, id)?.read_entry(v))
}
