//! Test databases for both backends, and the conformance stories every backend must pass.
//!
//! PostgreSQL: a template database is migrated once per set of migrations and cloned per
//! test (`CREATE DATABASE … TEMPLATE …`), then dropped. The server comes from
//! `BRYGGA_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`). When it
//! cannot be reached the PostgreSQL tests are skipped with a message — except under `CI=true`,
//! where they fail.

pub mod stories;

use std::sync::Mutex;

use brygga_store::Store;
use brygga_store_postgres::PgBackend;
use brygga_store_sqlite::SqliteBackend;
use sha2::{Digest, Sha256};

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The admin URL of the PostgreSQL server used by tests.
pub fn postgres_admin_url() -> String {
    std::env::var("BRYGGA_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// Whether this run must not skip anything (`CI=true`).
pub fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

/// A fresh, migrated database that is removed when dropped.
pub struct TestDb {
    store: Option<Store>,
    url: String,
    cleanup: Cleanup,
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("brygga.db");
        let store = Store::new(SqliteBackend::open(&path).expect("open sqlite"));
        store.migrate().await.expect("migrate sqlite");
        Self { store: Some(store), url: format!("sqlite://{}", path.display()), cleanup: Cleanup::Sqlite(dir) }
    }

    /// A fresh PostgreSQL database, or `None` (with a note on stderr) when no server can be
    /// reached outside CI.
    pub async fn postgres() -> Option<Self> {
        let admin_url = postgres_admin_url();
        let prepared = tokio::task::spawn_blocking({
            let admin_url = admin_url.clone();
            move || create_postgres_db(&admin_url)
        })
        .await
        .expect("join");
        let (name, url) = match prepared {
            Ok(x) => x,
            Err(e) if !required() => {
                eprintln!("SKIPPED: PostgreSQL at {admin_url} unavailable ({e}); set CI=true to make this a failure");
                return None;
            }
            Err(e) => {
                panic!("PostgreSQL at {admin_url} is required (CI=true) but unavailable: {e}")
            }
        };
        let store = Store::new(PgBackend::connect(&url, 8).expect("connect to test database"));
        // The template is migrated; this syncs reference data and proves migrations are idempotent.
        store.migrate().await.expect("migrate postgres");
        Some(Self { store: Some(store), url, cleanup: Cleanup::Postgres { admin_url, name } })
    }

    pub fn store(&self) -> &Store {
        self.store.as_ref().expect("present until drop")
    }

    /// A fresh SQLite file that nothing has touched: not migrated (for testing migrations).
    pub fn sqlite_unmigrated() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("brygga.db");
        let store = Store::new(SqliteBackend::open(&path).expect("open sqlite"));
        Self { store: Some(store), url: format!("sqlite://{}", path.display()), cleanup: Cleanup::Sqlite(dir) }
    }

    /// A fresh, empty PostgreSQL database (not from the migrated template, not migrated), or
    /// `None` as for [`TestDb::postgres`].
    pub async fn postgres_unmigrated() -> Option<Self> {
        let admin_url = postgres_admin_url();
        let created = tokio::task::spawn_blocking({
            let admin_url = admin_url.clone();
            move || -> Result<(String, String), String> {
                let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).map_err(pg_err)?;
                let name = format!("brygga_e_{}", hex::encode(rand::random::<[u8; 6]>()));
                admin.batch_execute(&format!("CREATE DATABASE {name}")).map_err(pg_err)?;
                Ok((name.clone(), url_with_db(&admin_url, &name)))
            }
        })
        .await
        .expect("join");
        let (name, url) = match created {
            Ok(x) => x,
            Err(e) if !required() => {
                eprintln!("SKIPPED: PostgreSQL at {admin_url} unavailable ({e}); set CI=true to make this a failure");
                return None;
            }
            Err(e) => panic!("PostgreSQL at {admin_url} is required (CI=true) but unavailable: {e}"),
        };
        let store = Store::new(PgBackend::connect(&url, 2).expect("connect to test database"));
        Some(Self { store: Some(store), url, cleanup: Cleanup::Postgres { admin_url, name } })
    }

    /// The database URL, for starting the server binary on it.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        drop(self.store.take());
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // The postgres client may not run on an async runtime thread.
            let _ = std::thread::spawn(move || {
                if let Ok(mut c) = postgres::Client::connect(&admin_url, postgres::NoTls) {
                    let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            })
            .join();
        }
    }
}

/// The server's own message, not just "db error".
fn pg_err(e: postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

static TEMPLATE: Mutex<Option<String>> = Mutex::new(None);

fn url_with_db(admin_url: &str, db: &str) -> String {
    let (base, query) = admin_url.split_once('?').map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

fn create_postgres_db(admin_url: &str) -> Result<(String, String), String> {
    let template = {
        let mut guard = TEMPLATE.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            *guard = Some(ensure_template(admin_url)?);
        }
        guard.clone().expect("set")
    };
    let mut admin = postgres::Client::connect(admin_url, postgres::NoTls).map_err(pg_err)?;
    let name = format!("brygga_t_{}", hex::encode(rand::random::<[u8; 6]>()));
    admin.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}")).map_err(pg_err)?;
    Ok((name.clone(), url_with_db(admin_url, &name)))
}

/// Creates (once per migration set, across processes) a migrated template database.
fn ensure_template(admin_url: &str) -> Result<String, String> {
    let mut hasher = Sha256::new();
    for m in brygga_store_postgres::MIGRATIONS {
        hasher.update(m.sql.as_bytes());
    }
    hasher.update(brygga_domain::geography::municipalities().len().to_le_bytes());
    let name = format!("brygga_tpl_{}", &hex::encode(hasher.finalize())[..16]);
    let mut admin = postgres::Client::connect(admin_url, postgres::NoTls).map_err(pg_err)?;
    admin.batch_execute("SELECT pg_advisory_lock(7274923)").map_err(pg_err)?;
    let result = (|| {
        let exists = !admin.query("SELECT 1 FROM pg_database WHERE datname = $1", &[&name]).map_err(pg_err)?.is_empty();
        if !exists {
            let building = format!("{name}_building");
            admin.batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).map_err(pg_err)?;
            admin.batch_execute(&format!("CREATE DATABASE {building}")).map_err(pg_err)?;
            let url = url_with_db(admin_url, &building);
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
            rt.block_on(async {
                let store = Store::new(PgBackend::connect(&url, 2).map_err(|e| e.to_string())?);
                store.migrate().await.map_err(|e| e.to_string())?;
                Ok::<_, String>(())
            })?;
            drop(rt);
            admin.batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}")).map_err(pg_err)?;
        }
        Ok(name.clone())
    })();
    let _ = admin.batch_execute("SELECT pg_advisory_unlock(7274923)");
    result
}
