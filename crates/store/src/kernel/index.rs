//! The search index's inbox and the shape of what it indexes.
//!
//! Search (`crate::search`) is the top folder: it reads every capability's records, and no
//! folder may call it. So a command that changes something searchable only *touches* it here,
//! in its own transaction (`touch(db, "offer", id)`): one row in `search_pending`. The search
//! folder turns pending rows into index entries (each kind's document comes from the folder that
//! owns the kind, as a [`Document`]) before it answers a query and in its background job, so a
//! search never misses a change that has committed. A deleted record is touched too: its
//! document builder then finds nothing and the entry is dropped.

use serde::Serialize;

use crate::kernel::db::{Conn, DbError};
use crate::kernel::sharing::Visibility;
use crate::kernel::viewer::Viewer;
use crate::{args, now_ms};

/// Who may read an indexed document: the rule of the record's folder, stated as readers so
/// that the index can filter by it in SQL. A viewer matches when any of its [`viewer_keys`]
/// is among a document's reader keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Reader {
    /// Anyone, signed in or not.
    Public,
    /// Every signed-in user (organisation names and kinds, say).
    SignedIn,
    /// Those acting for this organisation.
    Org(i64),
    /// Those acting for an organisation that belongs to this forum.
    Forum(i64),
}

impl Reader {
    /// The stored key: `public`, `signed_in`, `org:12`, `forum:3`.
    pub fn key(self) -> String {
        match self {
            Reader::Public => "public".into(),
            Reader::SignedIn => "signed_in".into(),
            Reader::Org(id) => format!("org:{id}"),
            Reader::Forum(id) => format!("forum:{id}"),
        }
    }

    /// The readers of an ordinary shareable record (owner, forum partners, or everyone), the
    /// rule of [`crate::kernel::sharing::can_read`] stated as readers.
    pub fn of_shared(owner_org_id: i64, visibility: Visibility) -> Vec<Reader> {
        match visibility {
            Visibility::Organisation => vec![Reader::Org(owner_org_id)],
            Visibility::Forum { forum_id } => vec![Reader::Org(owner_org_id), Reader::Forum(forum_id)],
            Visibility::Public => vec![Reader::Public],
        }
    }
}

/// The reader keys a viewer holds: `public`; `signed_in` when signed in; `org:` for each
/// organisation it acts for; `forum:` for each forum one of them belongs to.
pub fn viewer_keys(v: &Viewer) -> Vec<String> {
    let mut keys = vec![Reader::Public.key()];
    if v.is_signed_in() {
        keys.push(Reader::SignedIn.key());
    }
    keys.extend(v.org_ids().into_iter().map(|id| Reader::Org(id).key()));
    keys.extend(v.forum_ids().iter().map(|&id| Reader::Forum(id).key()));
    keys
}

/// One searchable record as its folder describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// The kind (`organisation`, `offer`, `intervention`, `place`, `action`, `plan`, …).
    pub kind: &'static str,
    pub id: i64,
    /// Shown as the hit's heading and weighted above the body.
    pub title: String,
    /// The text searched besides the title (never personal data the record's readers may not
    /// see: the document is read under `readers`).
    pub body: String,
    /// Municipality codes, for the facet and filter.
    pub municipalities: Vec<String>,
    /// Where the hit links to (a page path).
    pub path: String,
    pub readers: Vec<Reader>,
    pub updated_at_ms: i64,
}

/// Marks a record as changed (created, edited, shared, deleted) so the index catches up.
pub fn touch(db: &mut dyn Conn, kind: &str, id: i64) -> Result<(), DbError> {
    db.execute(
        "INSERT INTO search_pending (kind, record_id, touched_at) VALUES ($1, $2, $3)
         ON CONFLICT (kind, record_id) DO UPDATE SET touched_at = excluded.touched_at",
        args![kind, id, now_ms()],
    )?;
    Ok(())
}
