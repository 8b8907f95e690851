//! [`Viewer`]: who is asking. Built only by this crate (from a session, an API token, or the
//! command line), so a handler cannot widen its own rights.

use brygga_domain::{OrgKind, Role};
use serde::Serialize;

use crate::kernel::db::{Conn, ConnExt, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{DbError, args};

/// How the request reached Brygga; recorded in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Web,
    Api,
    Cli,
    System,
}

impl Via {
    pub fn code(self) -> &'static str {
        match self {
            Via::Web => "web",
            Via::Api => "api",
            Via::Cli => "cli",
            Via::System => "system",
        }
    }
}

/// The viewer's role in one organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub org_id: i64,
    pub org_name: String,
    pub org_kind: OrgKind,
    pub role: Role,
    /// Codes of the municipalities the organisation works in: its APPROVED claims only (a
    /// pending claim grants nothing; see `orgs::decide_claim`).
    pub municipalities: Vec<String>,
}

impl FromRow for Membership {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("org_kind")?;
        let role: String = r.get("role")?;
        Ok(Self {
            org_id: r.get("org_id")?,
            org_name: r.get("org_name")?,
            org_kind: OrgKind::from_code(&kind).ok_or_else(|| DbError::Decode(format!("org kind {kind}")))?,
            role: Role::from_code(&role).ok_or_else(|| DbError::Decode(format!("role {role}")))?,
            municipalities: r
                .get::<Option<String>>("municipalities")?
                .map(|m| m.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
        })
    }
}

/// Request context that goes into audit entries: where from, and which request.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Viewer {
    user_id: Option<i64>,
    name: String,
    email: String,
    system_admin: bool,
    memberships: Vec<Membership>,
    forum_ids: Vec<i64>,
    via: Via,
    token_id: Option<i64>,
    /// Set for someone who opened a share link: sees the shared aggregates, nothing else.
    share_link_id: Option<i64>,
    origin: Origin,
}

impl Viewer {
    /// Someone not signed in: sees only what is public.
    pub fn anonymous(origin: Origin) -> Self {
        Self {
            user_id: None,
            name: "anonym".into(),
            email: String::new(),
            system_admin: false,
            memberships: vec![],
            forum_ids: vec![],
            via: Via::Web,
            token_id: None,
            share_link_id: None,
            origin,
        }
    }

    /// Someone who opened share link `id` (built only by `share_links::open`): not signed in,
    /// member of nothing, allowed the municipality-wide aggregate a signed-in outsider sees.
    pub(crate) fn share_link(id: i64, origin: Origin) -> Self {
        Self { name: "delad länk".into(), share_link_id: Some(id), ..Self::anonymous(origin) }
    }

    /// The operator at the command line (`brygga org add`, `brygga user …`): full
    /// administrative rights, recorded as "kommandorad".
    pub fn command_line() -> Self {
        Self { system_admin: true, via: Via::Cli, name: "kommandorad".into(), ..Self::anonymous(Origin::default()) }
    }

    /// Brygga itself (migrations, demo data, scheduled jobs).
    pub fn system() -> Self {
        Self { system_admin: true, via: Via::System, name: "system".into(), ..Self::anonymous(Origin::default()) }
    }

    /// Loads `user_id` as a viewer for trusted callers that act on a user's behalf (scheduled
    /// digests, tests). Sharing rules apply exactly as for that user signed in.
    pub fn for_user(db: &mut dyn Conn, user_id: i64, via: Via) -> StoreResult<Self> {
        Self::load(db, user_id, None, via, None, Origin::default())
    }

    /// Loads a signed-in user. With `only_org`, the viewer acts for that one organisation
    /// (API tokens) and carries no system-administrator rights.
    pub(crate) fn load(
        db: &mut dyn Conn,
        user_id: i64,
        only_org: Option<i64>,
        via: Via,
        token_id: Option<i64>,
        origin: Origin,
    ) -> StoreResult<Self> {
        let (name, email, system_admin): (String, String, bool) = db
            .map_opt("SELECT name, email, system_admin FROM users WHERE id = $1", args![user_id], |r| {
                Ok((r.get("name")?, r.get("email")?, r.get("system_admin")?))
            })?
            .ok_or(StoreError::not_found("user"))?;
        let sql = format!(
            "SELECT o.id AS org_id, o.name AS org_name, o.kind AS org_kind, m.role,
                    (SELECT {} FROM organisation_municipalities om WHERE om.org_id = o.id AND om.status = 'approved') AS municipalities
             FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.name_key, o.id",
            db.dialect().string_agg("om.municipality_code")
        );
        let mut memberships: Vec<Membership> = db.all(&sql, args![user_id])?;
        if let Some(org) = only_org {
            memberships.retain(|m| m.org_id == org);
        }
        let org_ids: Vec<i64> = memberships.iter().map(|m| m.org_id).collect();
        let sql = format!("SELECT DISTINCT forum_id FROM forum_members WHERE {} ORDER BY forum_id", db.dialect().in_list("org_id", 1));
        let forum_ids = db.scalars(&sql, args![org_ids])?;
        Ok(Self {
            user_id: Some(user_id),
            name,
            email,
            system_admin: system_admin && only_org.is_none(),
            memberships,
            forum_ids,
            via,
            token_id,
            share_link_id: None,
            origin,
        })
    }

    pub fn user_id(&self) -> Option<i64> {
        self.user_id
    }
    pub fn is_signed_in(&self) -> bool {
        self.user_id.is_some()
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn email(&self) -> &str {
        &self.email
    }
    pub fn is_system_admin(&self) -> bool {
        self.system_admin
    }
    pub fn memberships(&self) -> &[Membership] {
        &self.memberships
    }
    pub fn role_in(&self, org_id: i64) -> Option<Role> {
        self.memberships.iter().find(|m| m.org_id == org_id).map(|m| m.role)
    }
    /// The organisations the viewer acts for.
    pub fn org_ids(&self) -> Vec<i64> {
        self.memberships.iter().map(|m| m.org_id).collect()
    }
    /// The forums those organisations belong to.
    pub fn forum_ids(&self) -> &[i64] {
        &self.forum_ids
    }
    pub fn via(&self) -> Via {
        self.via
    }
    pub fn token_id(&self) -> Option<i64> {
        self.token_id
    }
    pub fn share_link_id(&self) -> Option<i64> {
        self.share_link_id
    }
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
    /// The same viewer, with the request context for audit entries.
    pub fn with_origin(mut self, origin: Origin) -> Self {
        self.origin = origin;
        self
    }
}
