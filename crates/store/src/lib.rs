//! Brygga's storage layer, cut by capability (docs/ARCHITECTURE.md, "Where things go").
//!
//! - [`kernel`]: the seam ([`Conn`], [`Backend`], implemented natively by `brygga-store-sqlite`
//!   and `brygga-store-postgres`), rows decoded by column name, the query builder, the
//!   [`Store`] handle (closures over a connection off the async runtime, one transaction per
//!   write), the [`Viewer`], the access policy and the sharing rules (each rule in exactly one
//!   place), audit, idempotency, the job queue, the outbox and the registries.
//! - Capability folders, lowest first — [`accounts`], [`places`], [`forums`], [`picture`],
//!   [`forum_work`], [`knowledge`], [`plans`], [`programmes`], [`agreements`], [`actors`], [`dialogue`], [`search`] — each holding its models, queries, validation, commands and reads, written
//!   once for both databases. A folder uses the kernel and the folders below it, never one above
//!   (`crates/brygga/tests/layering.rs`).
//! - This root wires what crosses folders: [`Store::migrate`] (schema, then reference data).

// The folders, lowest first (each may use only those above it in this list).
pub mod kernel;

pub mod accounts;

pub mod places;

pub mod forums;

pub mod picture;

pub mod forum_work;

pub mod knowledge;

pub mod plans;

pub mod agreements;
pub mod programmes;

pub mod actors;

pub mod dialogue;

pub mod search;

pub use kernel::access::Action;
pub use kernel::db::{Backend, Conn, ConnExt, DbError, Dialect, FromRow, FromValue, Migration, Row, Value};
pub use kernel::error::{StoreError, StoreResult};
pub use kernel::migrate::MigrateReport;
pub use kernel::sharing::Visibility;
pub use kernel::store::Store;
pub use kernel::viewer::{Membership, Origin, Via, Viewer};

use serde::Serialize;

impl Store {
    /// Applies pending migrations, then refreshes the reference data that capabilities own:
    /// the reference geography (places) and the default checklist of forums that lack one
    /// (forums), and the search index when it is empty (search). Under the migration lock, so servers starting at once do this one after another.
    pub async fn migrate(&self) -> StoreResult<MigrateReport> {
        let report = self.apply_migrations().await?;
        self.write(|db| {
            kernel::migrate::lock(db)?;
            places::geography::sync_reference(db)?;
            forums::categories::backfill_defaults(db)?;
            agreements::checklists::ensure_default(db)?;
            actors::counterparts::sync_reference(db)?;
            // Records written before the search index existed become searchable.
            search::index::reindex_if_empty(db)?;
            Ok(())
        })
        .await?;
        Ok(report)
    }
}
/// Every kind of job the store enqueues or a worker schedules, one const per capability,
/// collected here because only the crate root sees every capability. A worker must have a
/// handler for each, and for nothing else (checked by a test in `crates/brygga/src/worker.rs`):
/// a new kind of background work is added here and there together.
pub const JOB_KINDS: &[&str] = &[
    kernel::mail::SEND_KIND,
    kernel::jobs::PURGE_KIND,
    forum_work::digests::KIND,
    picture::questionnaire_reminders::KIND,
    plans::followup::KIND,
    programmes::reminders::KIND,
    agreements::reminders::KIND,
    actors::verification::KIND,
    search::REFRESH_KIND,
];

/// Milliseconds since the Unix epoch, UTC: how every instant is stored.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// One page of a list, with the cursor for the next page.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `after` (or `before`) to get the next page; `None` on the last page.
    pub next: Option<String>,
}

/// A lower-cased, NFC key used for uniqueness and Swedish sorting of names: å, ä and ö sort
/// after z in that order (as in Swedish), é with e and ü with y.
pub fn sort_key(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| match c {
            'å' => '{',
            'ä' | 'æ' => '|',
            'ö' | 'ø' => '}',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'á' | 'à' | 'â' => 'a',
            'ü' => 'y',
            c => c,
        })
        .filter(|c| !c.is_whitespace() || *c == ' ')
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::sort_key;

    #[test]
    fn swedish_order() {
        let mut names = vec!["Östra Göinge", "Ale", "Älmhult", "Åstorp", "Zinkgruvan", "Eslöv"];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(names, ["Ale", "Eslöv", "Zinkgruvan", "Åstorp", "Älmhult", "Östra Göinge"]);
        assert_eq!(sort_key("  Tryggare   Trelleborg "), "tryggare trelleborg");
    }
}
