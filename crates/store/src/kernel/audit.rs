//! The audit log: who did what to which record, when, and from where. Entries hold ids,
//! kinds and the *names* of changed fields — never values, passwords or free text.

use serde::Serialize;

use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::StoreResult;
use crate::kernel::sql::Query;
use crate::kernel::viewer::Viewer;
use crate::{Action, Page, args, kernel::access, now_ms};

/// One thing that happened.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// e.g. `organisation.create`, `login`, `login.failed`, `audit.export`.
    pub action: &'static str,
    /// e.g. `organisation`, with its id.
    pub record: Option<(&'static str, i64)>,
    /// The organisations whose records this concerns, in order, without repeats: each of them
    /// reads the entry in its own log (`audit_log_orgs`); the first is also `audit_log.org_id`.
    pub orgs: Vec<i64>,
    /// Names of the fields that changed.
    pub fields: &'a [&'a str],
}

impl<'a> Event<'a> {
    pub fn new(action: &'static str) -> Self {
        Self { action, record: None, orgs: Vec::new(), fields: &[] }
    }
    pub fn record(mut self, kind: &'static str, id: i64) -> Self {
        self.record = Some((kind, id));
        self
    }
    /// Names one more organisation whose records this concerns (may be called several times).
    pub fn org(mut self, org_id: i64) -> Self {
        if !self.orgs.contains(&org_id) {
            self.orgs.push(org_id);
        }
        self
    }
    /// Names several organisations whose records this concerns.
    pub fn orgs(mut self, orgs: &[i64]) -> Self {
        for o in orgs {
            self = self.org(*o);
        }
        self
    }
    pub fn fields(mut self, fields: &'a [&'a str]) -> Self {
        self.fields = fields;
        self
    }
}

/// Appends an entry in the caller's transaction, so the entry and the change commit together.
pub fn record(db: &mut dyn Conn, v: &Viewer, e: Event<'_>) -> StoreResult<()> {
    let acting_org = e.orgs.iter().copied().find(|o| v.role_in(*o).is_some()).or_else(|| v.memberships().first().map(|m| m.org_id));
    let label = if v.user_id().is_some() { None } else { Some(v.name().to_owned()) };
    let id: i64 = db.scalar(
        "INSERT INTO audit_log (at, actor_user_id, actor_label, actor_org_id, action, record_kind, record_id, org_id, fields, ip, via, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        args![
            now_ms(),
            v.user_id(),
            label,
            acting_org,
            e.action,
            e.record.map(|r| r.0),
            e.record.map(|r| r.1),
            e.orgs.first().copied(),
            (!e.fields.is_empty()).then(|| e.fields.join(",")),
            v.origin().ip.clone(),
            v.via().code(),
            v.origin().request_id.clone(),
        ],
    )?;
    for org in &e.orgs {
        db.execute("INSERT INTO audit_log_orgs (audit_id, org_id) VALUES ($1, $2)", args![id, *org])?;
    }
    Ok(())
}

/// When a read is audit-logged (see [`shared_read`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// Only when records of other organisations were in the result: ordinary work on one's own
    /// records does not fill the log (lists, pictures, minutes).
    OfOthers,
    /// Always (exports, drill-downs to single reports, share-link openings); the entry names
    /// the viewer's own organisation when no other's records were in the result.
    Always,
}

/// A read to be audited once its result is in hand: what [`shared_read`] records.
#[derive(Debug, Clone)]
pub struct SharedRead {
    pub action: &'static str,
    pub about: Option<(&'static str, i64)>,
    /// The organisations whose records were in the result, as found where the rows were read.
    pub owners: Vec<i64>,
    pub when: Reads,
}

/// Audits one read request: ONE entry naming every organisation, other than the viewer's own,
/// whose records were in the result (`owners`, as found by the store function that read the
/// rows), so each of them sees the read in its own audit log. With [`Reads::OfOthers`] nothing
/// is written when only the viewer's own records were read. The entry holds the action, what
/// it was about (a forum, a meeting, a municipality code) and the organisations — never a
/// filter value or free text. Runs in the caller's (write) transaction.
pub fn shared_read(
    db: &mut dyn Conn,
    v: &Viewer,
    action: &'static str,
    about: Option<(&'static str, i64)>,
    owners: &[i64],
    when: Reads,
) -> StoreResult<()> {
    let mine = v.org_ids();
    let mut orgs: Vec<i64> = owners.iter().copied().filter(|o| !mine.contains(o)).collect();
    if orgs.is_empty() {
        if when == Reads::OfOthers {
            return Ok(());
        }
        orgs = owners.to_vec();
    }
    orgs.sort_unstable();
    orgs.dedup();
    let mut e = Event::new(action).orgs(&orgs);
    e.record = about;
    record(db, v, e)
}

/// An entry as read back, with the actor's current name (or pseudonym once erased).
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: i64,
    pub at_ms: i64,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub actor_org_id: Option<i64>,
    pub action: String,
    pub record_kind: Option<String>,
    pub record_id: Option<i64>,
    pub org_id: Option<i64>,
    /// Every organisation the entry concerns (see [`Event::orgs`]).
    pub org_ids: Vec<i64>,
    pub fields: Vec<String>,
    pub ip: Option<String>,
    pub via: String,
    pub request_id: Option<String>,
}

impl FromRow for Entry {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let fields: Option<String> = r.get("fields")?;
        Ok(Self {
            id: r.get("id")?,
            at_ms: r.get("at")?,
            actor_user_id: r.get("actor_user_id")?,
            actor: r.get::<Option<String>>("actor")?.unwrap_or_else(|| "okänd".into()),
            actor_org_id: r.get("actor_org_id")?,
            action: r.get("action")?,
            record_kind: r.get("record_kind")?,
            record_id: r.get("record_id")?,
            org_id: r.get("org_id")?,
            org_ids: r
                .get::<Option<String>>("org_ids")?
                .map(|s| s.split(',').filter_map(|o| o.trim().parse().ok()).collect())
                .unwrap_or_default(),
            fields: fields.map(|f| f.split(',').map(str::to_owned).collect()).unwrap_or_default(),
            ip: r.get("ip")?,
            via: r.get("via")?,
            request_id: r.get("request_id")?,
        })
    }
}

/// The SELECT that [`Entry::from_row`] decodes, by the names given here (alias `a` for `audit_log`).
pub(crate) fn select(db: &dyn Conn) -> String {
    format!(
        "SELECT a.id, a.at, a.actor_user_id, COALESCE(u.name, a.actor_label) AS actor, a.actor_org_id, a.action, a.record_kind, a.record_id,
                a.org_id, a.fields, a.ip, a.via, a.request_id, (SELECT {} FROM audit_log_orgs ao WHERE ao.audit_id = a.id) AS org_ids
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id",
        db.dialect().string_agg("CAST(ao.org_id AS TEXT)")
    )
}

/// Filters for reading the log.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only entries concerning this organisation (required unless system administrator).
    pub org_id: Option<i64>,
    pub action_prefix: Option<String>,
    pub actor_user_id: Option<i64>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Newest first; entries with id below this.
    pub before_id: Option<i64>,
    pub limit: usize,
}

/// Reads the log, newest first. System administrators read everything; an organisation's
/// administrators read the entries concerning their organisation or made by its members.
pub fn list(db: &mut dyn Conn, v: &Viewer, f: &Filter) -> StoreResult<Page<Entry>> {
    access::require(v, Action::ReadAudit { org: f.org_id })?;
    let limit = f.limit.clamp(1, 10_000);
    let mut q = Query::new(format!("{} WHERE 1=1", select(db)));
    if let Some(org) = f.org_id {
        // Every entry naming the organisation (audit_log_orgs) or made by one of its members.
        q.push(
            " AND (a.actor_org_id = ? OR a.id IN (SELECT ao.audit_id FROM audit_log_orgs ao WHERE ao.org_id = ?))",
            [org.into(), org.into()],
        );
    }
    if let Some(prefix) = &f.action_prefix {
        q.push(" AND a.action LIKE ?", [format!("{}%", prefix.replace(['%', '_', '\\'], "")).into()]);
    }
    if let Some(u) = f.actor_user_id {
        q.push(" AND a.actor_user_id = ?", [u.into()]);
    }
    if let Some(t) = f.from_ms {
        q.push(" AND a.at >= ?", [t.into()]);
    }
    if let Some(t) = f.to_ms {
        q.push(" AND a.at < ?", [t.into()]);
    }
    if let Some(b) = f.before_id {
        q.push(" AND a.id < ?", [b.into()]);
    }
    q.raw(&format!(" ORDER BY a.id DESC LIMIT {}", limit + 1));
    let mut items: Vec<Entry> = db.all(&q.sql, &q.params)?;
    // An organisation's log names that organisation and the actor's, never the others an entry
    // concerns: which other organisations' reports were in a read is theirs to know, not its.
    if let Some(org) = f.org_id
        && !v.is_system_admin()
    {
        for e in &mut items {
            let actor = e.actor_org_id;
            e.org_ids.retain(|o| *o == org || Some(*o) == actor);
        }
    }
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|e| e.id.to_string())
    } else {
        None
    };
    Ok(Page { items, next })
}
