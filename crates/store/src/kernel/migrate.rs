//! Applies a backend's migrations in order, each in its own transaction, and refuses to run
//! when a migration that was already applied has been edited since.
//!
//! Several app servers may start at once on the same database, even an empty one: every
//! transaction here — the one creating `schema_migrations` included — first takes the
//! migration lock ([`lock`]), so one server migrates and the others wait and then find the
//! work done. (On PostgreSQL, two concurrent `CREATE TABLE IF NOT EXISTS` of the same table
//! are not safe: one of them fails on the catalog's unique index.)

use sha2::{Digest, Sha256};

use crate::kernel::db::{Conn, ConnExt, DbError, Dialect, Migration};
use crate::{args, now_ms};

/// What `migrate` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MigrateReport {
    pub applied: Vec<String>,
    pub already: usize,
}

pub(crate) fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Takes the migration lock for the rest of the open write transaction. On SQLite the write
/// transaction (`BEGIN IMMEDIATE`) already is that lock; on PostgreSQL it is a transaction-level
/// advisory lock, released at COMMIT or ROLLBACK.
pub(crate) fn lock(conn: &mut dyn Conn) -> Result<(), DbError> {
    if conn.dialect() == Dialect::Postgres {
        conn.execute("SELECT pg_advisory_xact_lock(7274922)", &[])?;
    }
    Ok(())
}

/// Creates the bookkeeping table, under the lock.
fn create_table(conn: &mut dyn Conn) -> Result<(), DbError> {
    lock(conn)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )",
    )
}

pub(crate) fn run(conn: &mut dyn Conn, migrations: &[Migration]) -> Result<MigrateReport, DbError> {
    // SQLite changes some tables by rebuilding them (create, copy, drop, rename), which with
    // foreign keys on would cascade the drop into the children. Its documented procedure: keys
    // off outside the transaction, `foreign_key_check` before each commit, keys on again.
    let sqlite = conn.dialect() == Dialect::Sqlite;
    if sqlite {
        conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    }
    let result = run_all(conn, migrations);
    if sqlite {
        conn.execute_batch("PRAGMA foreign_keys = ON")?;
    }
    result
}

fn run_all(conn: &mut dyn Conn, migrations: &[Migration]) -> Result<MigrateReport, DbError> {
    conn.execute_batch(conn.dialect().begin_write())?;
    match create_table(conn) {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    let mut report = MigrateReport::default();
    for m in migrations {
        conn.execute_batch(conn.dialect().begin_write())?;
        let result = apply_one(conn, m);
        match result {
            Ok(applied) => {
                conn.execute_batch("COMMIT")?;
                if applied {
                    tracing::info!(migration = %m, "migration applied");
                    report.applied.push(m.to_string());
                } else {
                    report.already += 1;
                }
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
    }
    Ok(report)
}

fn apply_one(conn: &mut dyn Conn, m: &Migration) -> Result<bool, DbError> {
    // Several app servers may start at once: one migrates, the others wait.
    lock(conn)?;
    let existing: Option<String> = conn.scalar_opt("SELECT checksum FROM schema_migrations WHERE version = $1", args![m.version])?;
    let sum = checksum(m.sql);
    if let Some(applied_sum) = existing {
        if applied_sum != sum {
            return Err(DbError::Migration(format!(
                "migration {m} was edited after it was applied to this database; never edit a landed migration, add a new one"
            )));
        }
        return Ok(false);
    }
    conn.execute_batch(m.sql).map_err(|e| DbError::Migration(format!("{m}: {e}")))?;
    if conn.dialect() == Dialect::Sqlite {
        let broken = conn.query("PRAGMA foreign_key_check", &[])?;
        if !broken.is_empty() {
            return Err(DbError::Migration(format!("{m}: leaves {} rows whose foreign keys point nowhere", broken.len())));
        }
    }
    conn.execute(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        args![m.version, m.name, sum, now_ms()],
    )?;
    Ok(true)
}
