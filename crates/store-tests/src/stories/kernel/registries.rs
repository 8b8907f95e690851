//! Issue 12, item 4: the registries a new capability must join are checked against the live
//! schema, so a forgotten entry fails a test instead of a user.

use brygga_store::Store;
use brygga_store::kernel::schema::{self, Schema};
use brygga_store::kernel::sharing::{SHAREABLE_TABLES, SHARING_COLUMNS};

/// Differences between the two migration sets that are known, harmless, and not worth a
/// migration. Each entry is one line of [`schema::differences`], with the reason beside it.
const ALLOWED_DIFFERENCES: &[(&str, &str)] = &[(
    "column police_events.id: auto-numbered is true on SQLite, false on PostgreSQL",
    // `INTEGER PRIMARY KEY` makes the column SQLite's rowid, which numbers a row inserted without
    // an id. Brygga never does: the id is the police's own event id, always given (and the
    // import's dedup key). Making SQLite's column a plain key would mean rebuilding the table
    // for no change in behaviour.
    "the id is the police's event id, always given on insert",
)];

/// The two hand-kept migration sets build the same schema: tables, columns (type family,
/// nullability, default, auto-numbering), primary keys, foreign keys, UNIQUE constraints and
/// indexes. Every difference is printed, one per line.
pub async fn registries_sqlite_and_postgres_schemas_agree(sqlite: &Store, postgres: &Store) {
    let s = read(sqlite).await;
    let p = read(postgres).await;
    assert!(s.tables.len() > 30 && s.tables.contains_key("observations"), "the SQLite schema reader found {:?}", s.tables.keys());
    let found = schema::differences(&s, &p);
    let unexplained: Vec<&String> = found.iter().filter(|d| !ALLOWED_DIFFERENCES.iter().any(|(a, _)| a == d)).collect();
    assert!(
        unexplained.is_empty(),
        "the SQLite and PostgreSQL migrations build different schemas. Add a migration on the side that is wrong \
         (crates/store-*/migrations/README.md), or list a harmless difference in ALLOWED_DIFFERENCES with its reason:\n  {}",
        unexplained.iter().map(|d| d.as_str()).collect::<Vec<_>>().join("\n  ")
    );
    for (allowed, _) in ALLOWED_DIFFERENCES {
        assert!(found.iter().any(|d| d == allowed), "ALLOWED_DIFFERENCES lists `{allowed}`, which no longer occurs: remove it");
    }
}

/// Every table with the sharing columns is in `SHAREABLE_TABLES` (so leaving a forum takes its
/// records back), and every registered table has them.
pub async fn registries_every_shareable_table_is_registered(store: &Store) {
    let schema = read(store).await;
    let shareable = schema.tables_with(SHARING_COLUMNS);
    assert!(shareable.contains(&"observations"), "the schema reader found the sharing columns in {shareable:?}");
    let mut problems = Vec::new();
    for table in shareable.iter().filter(|t| !SHAREABLE_TABLES.contains(t)) {
        problems.push(format!(
            "table {table} has the sharing columns ({}) but is not in SHAREABLE_TABLES (crates/store/src/kernel/sharing.rs): \
             add it, so that what was shared with a forum is taken back when an organisation leaves it",
            SHARING_COLUMNS.join(", ")
        ));
    }
    for table in SHAREABLE_TABLES.iter().filter(|t| !shareable.contains(t)) {
        problems.push(format!(
            "SHAREABLE_TABLES lists {table}, which lacks one of the sharing columns ({}): remove it or correct the name",
            SHARING_COLUMNS.join(", ")
        ));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

async fn read(store: &Store) -> Schema {
    store.read(|db| schema::read(db)).await.expect("read the schema")
}
