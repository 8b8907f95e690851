//! Swedish full-text search over what the other folders hold. The top folder: it reads every
//! capability's records to index them, and no folder uses it.
//!
//! - A command that changes a searchable record touches it (`kernel::index::touch`); the folder
//!   owning the kind describes the record as a `kernel::index::Document` (`search_document`), with
//!   its readers stated as reader keys — the folder's own read rule.
//! - [`index`]: turns pending touches into index entries (documents, readers, municipalities and
//!   term postings: Snowball Swedish stems computed in Rust, so both databases hold the same
//!   terms), before each query and in the job [`REFRESH_KIND`]; `brygga search reindex` rebuilds.
//! - [`query`]: checks the query, evaluates the rarest term first, counts exactly over what the
//!   viewer may read (a record the viewer may not read is never a hit, nor in a count or facet),
//!   ranks by an integer score, and cuts highlighted snippets.

pub mod index;
pub mod query;

pub use query::{Facet, Hit, SearchQuery, SearchResult, SnippetPart, ValidQuery};

use crate::kernel::db::Conn;
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::index::Document;
use crate::kernel::jobs::{self, NewJob};
use crate::{Store, Viewer};

/// The kinds the index holds, with their Swedish labels (facet order).
pub const KINDS: &[(&str, &str)] = &[
    ("organisation", "Organisation"),
    ("offer", "Erbjudande"),
    ("intervention", "Insats"),
    ("place", "Plats"),
    ("action", "Åtgärd"),
    ("plan", "Åtgärdsplan"),
    ("situation", "Lägesbild"),
    ("consultation", "Samråd"),
    ("method", "Metod"),
    ("idea", "Gott exempel"),
    ("idea_board", "Idé på idétavlan"),
    ("event", "Evenemang"),
];

/// The Swedish label of a kind.
pub fn kind_label(kind: &str) -> &'static str {
    KINDS.iter().find(|(c, _)| *c == kind).map_or("Övrigt", |(_, l)| l)
}

/// The document of one record, from the folder that owns its kind (`None`: gone, or a kind the
/// index does not know). One arm per kind.
pub fn document(db: &mut dyn Conn, kind: &str, id: i64) -> StoreResult<Option<Document>> {
    match kind {
        "organisation" => crate::actors::profile::search_document(db, id),
        "offer" => crate::actors::offers::search_document(db, id),
        "intervention" => crate::actors::interventions::search_document(db, id),
        "place" => crate::places::areas::search_document(db, id),
        "action" => crate::forum_work::actions::search_document(db, id),
        "plan" => crate::plans::plan::search_document(db, id),
        "situation" => crate::plans::situation::search_document(db, id),
        "consultation" => crate::dialogue::consultations::consultation::search_document(db, id),
        "method" => crate::knowledge::methods::search_document(db, id),
        "idea" => crate::knowledge::ideas::search_document(db, id),
        "idea_board" => crate::knowledge::ideas::idea_search_document(db, id),
        "event" => crate::dialogue::events::event::search_document(db, id),
        _ => Ok(None),
    }
}

/// For the full rebuild: each kind with the query listing all its record ids (the owning
/// folder's `SEARCH_IDS`).
pub const ALL_RECORDS: &[(&str, &str)] = &[
    ("organisation", "SELECT id FROM organisations"),
    ("offer", "SELECT id FROM offers"),
    ("intervention", "SELECT id FROM interventions"),
    ("place", crate::places::areas::SEARCH_IDS),
    ("action", crate::forum_work::actions::SEARCH_IDS),
    ("plan", crate::plans::plan::SEARCH_IDS),
    ("situation", crate::plans::situation::SEARCH_IDS),
    ("consultation", crate::dialogue::consultations::consultation::SEARCH_IDS),
    ("method", crate::knowledge::methods::SEARCH_IDS),
    ("idea", crate::knowledge::ideas::SEARCH_IDS),
    ("idea_board", crate::knowledge::ideas::IDEA_SEARCH_IDS),
    ("event", crate::dialogue::events::event::SEARCH_IDS),
];

/// The background refresh: indexes whatever is pending.
pub const REFRESH_KIND: &str = "search.refresh";

/// Enqueues one refresh job when something is pending and none is queued (deduplicated by
/// the minute, so the worker's schedule may ask every tick).
pub fn enqueue_refresh(db: &mut dyn Conn, now: i64) -> StoreResult<Vec<i64>> {
    if index::pending(db)? == 0 {
        return Ok(Vec::new());
    }
    let minute = now / 60_000;
    let job = NewJob::new(REFRESH_KIND, serde_json::json!({ "minute": minute }), now).dedup(format!("{REFRESH_KIND}:{minute}"));
    Ok(jobs::enqueue(db, &job, now)?.into_iter().collect())
}

/// Searches as `v`: checks the query (nothing is read when it is invalid), brings the index up
/// to date when something is pending (a short write transaction), then answers from a reader.
pub async fn search(store: &Store, v: &Viewer, q: &SearchQuery) -> StoreResult<SearchResult> {
    let valid = query::validate(q).map_err(StoreError::Invalid)?;
    if store.read(index::pending).await? > 0 {
        store.write(index::refresh_all).await?;
    }
    let v = v.clone();
    store.read(move |db| query::run(db, &v, &valid)).await
}
