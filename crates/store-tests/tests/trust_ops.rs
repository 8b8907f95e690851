//! Issue 11, finding 12: several servers starting at once on an EMPTY database all migrate it
//! without error (one migrates, the others wait for it and find the work done).

use brygga_store::Store;
use brygga_store_postgres::PgBackend;
use brygga_store_sqlite::SqliteBackend;
use brygga_store_tests::TestDb;

const SERVERS: usize = 6;

/// `SERVERS` stores, each with its own connections as separate processes would have, migrate
/// the same empty database at once.
async fn all_migrate_at_once(db: &TestDb, open: impl Fn(&str) -> Store) {
    let stores: Vec<Store> = (0..SERVERS).map(|_| open(db.url())).collect();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(SERVERS));
    let mut tasks = Vec::new();
    for store in stores {
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store.migrate().await
        }));
    }
    let mut applied = 0;
    for t in tasks {
        let report = t.await.unwrap().expect("every server starting at once migrates without error");
        applied += report.applied.len();
    }
    let migrations = db.store().migrations().len();
    assert_eq!(applied, migrations, "each migration was applied exactly once, by one of the servers");
    let again = db.store().migrate().await.unwrap();
    assert_eq!((again.applied.len(), again.already), (0, migrations));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ops_servers_starting_at_once_on_an_empty_postgres_database_all_migrate() {
    let Some(db) = TestDb::postgres_unmigrated().await else { return };
    all_migrate_at_once(&db, |url| {
        let url = url.to_owned();
        std::thread::spawn(move || Store::new(PgBackend::connect(&url, 2).expect("connect"))).join().unwrap()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ops_servers_starting_at_once_on_an_empty_sqlite_file_all_migrate() {
    let db = TestDb::sqlite_unmigrated();
    all_migrate_at_once(&db, |url| Store::new(SqliteBackend::open(url.strip_prefix("sqlite://").unwrap()).expect("open"))).await;
}
