//! The sharing model, in one place.
//!
//! Every shareable record has three columns: `owner_org_id`, `visibility`
//! (`organisation` | `forum` | `public`) and `forum_id` (set exactly when visibility is
//! `forum`). A viewer may read a record when
//! - the viewer acts for the owning organisation, or
//! - the record is shared with a forum that one of the viewer's organisations belongs to, or
//! - the record is public.
//!
//! System administrators get no exception: they manage accounts, not other organisations'
//! data. Queries use [`readable`] as their WHERE predicate; single-record checks use
//! [`can_read`]. Both state the same rule.

use brygga_domain::VisibilityKind;
use serde::Serialize;

use crate::db::{Dialect, Value};
use crate::viewer::Viewer;

/// Who may read a record besides its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Visibility {
    Organisation,
    Forum { forum_id: i64 },
    Public,
}

impl Visibility {
    pub fn kind(self) -> VisibilityKind {
        match self {
            Visibility::Organisation => VisibilityKind::Organisation,
            Visibility::Forum { .. } => VisibilityKind::Forum,
            Visibility::Public => VisibilityKind::Public,
        }
    }
    pub fn forum_id(self) -> Option<i64> {
        match self {
            Visibility::Forum { forum_id } => Some(forum_id),
            _ => None,
        }
    }
    /// From the stored columns.
    pub fn from_columns(kind: &str, forum_id: Option<i64>) -> Option<Self> {
        match (VisibilityKind::from_code(kind)?, forum_id) {
            (VisibilityKind::Organisation, _) => Some(Visibility::Organisation),
            (VisibilityKind::Forum, Some(forum_id)) => Some(Visibility::Forum { forum_id }),
            (VisibilityKind::Forum, None) => None,
            (VisibilityKind::Public, _) => Some(Visibility::Public),
        }
    }
}

/// SQL predicate over the record aliased `t`, binding the viewer's organisations at `$p` and
/// forums at `$p+1` (see [`readable_args`]).
pub fn readable(dialect: Dialect, t: &str, p: usize) -> String {
    format!(
        "({own} OR ({t}.visibility = 'forum' AND {forum}) OR {t}.visibility = 'public')",
        own = dialect.in_list(&format!("{t}.owner_org_id"), p),
        forum = dialect.in_list(&format!("{t}.forum_id"), p + 1),
    )
}

/// The two arguments [`readable`] binds.
pub fn readable_args(v: &Viewer) -> [Value; 2] {
    [Value::IntList(v.org_ids()), Value::IntList(v.forum_ids().to_vec())]
}

/// The same rule for one record already in memory.
pub fn can_read(v: &Viewer, owner_org_id: i64, visibility: Visibility) -> bool {
    v.role_in(owner_org_id).is_some()
        || match visibility {
            Visibility::Organisation => false,
            Visibility::Forum { forum_id } => v.forum_ids().contains(&forum_id),
            Visibility::Public => true,
        }
}

/// Every table of shareable records. When an organisation leaves a forum, or a forum is
/// closed, what was shared with it goes back to being visible to the owner only.
pub const SHAREABLE_TABLES: &[&str] = &["contact_persons"];

/// Takes back everything `org_id` (or, with `None`, every organisation) shared with `forum_id`.
pub fn unshare_from_forum(db: &mut dyn crate::Conn, forum_id: i64, org_id: Option<i64>) -> crate::StoreResult<u64> {
    let mut n = 0;
    for table in SHAREABLE_TABLES {
        n += db.execute(
            &format!(
                "UPDATE {table} SET visibility = 'organisation', forum_id = NULL WHERE forum_id = $1 AND ($2 < 0 OR owner_org_id = $2)"
            ),
            &[forum_id.into(), org_id.unwrap_or(-1).into()],
        )?;
    }
    Ok(n)
}
