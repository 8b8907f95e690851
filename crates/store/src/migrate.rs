//! Applies a backend's migrations in order, each in its own transaction, and refuses to run
//! when a migration that was already applied has been edited since.

use sha2::{Digest, Sha256};

use crate::db::{Conn, ConnExt, DbError, Dialect, Migration};
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

pub(crate) fn run(conn: &mut dyn Conn, migrations: &[Migration]) -> Result<MigrateReport, DbError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )",
    )?;
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
    if conn.dialect() == Dialect::Postgres {
        // Several app servers may start at once: one migrates, the others wait.
        conn.execute("SELECT pg_advisory_xact_lock(7274922)", &[])?;
    }
    let existing: Option<(String,)> = conn.opt("SELECT checksum FROM schema_migrations WHERE version = $1", args![m.version])?;
    let sum = checksum(m.sql);
    if let Some((applied_sum,)) = existing {
        if applied_sum != sum {
            return Err(DbError::Migration(format!(
                "migration {m} was edited after it was applied to this database; never edit a landed migration, add a new one"
            )));
        }
        return Ok(false);
    }
    conn.execute_batch(m.sql).map_err(|e| DbError::Migration(format!("{m}: {e}")))?;
    conn.execute(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        args![m.version, m.name, sum, now_ms()],
    )?;
    Ok(true)
}
