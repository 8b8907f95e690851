//! [`Store`]: the handle the web layer and the CLI hold. It runs closures over a connection
//! on the blocking thread pool, so the async runtime never waits on the database.

use std::sync::Arc;

use crate::kernel::db::{Backend, Conn, DbError, Dialect, Migration};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::migrate::{self, MigrateReport};

#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    /// Wakes this process's idle workers (see [`Store::wake_workers`]).
    jobs_waiting: Arc<tokio::sync::Notify>,
}

/// A write transaction: rolled back unless [`Tx::commit`] is reached, even on panic.
struct Tx<'a> {
    conn: Box<dyn Conn + 'a>,
    open: bool,
}

impl Tx<'_> {
    fn commit(mut self) -> StoreResult<()> {
        self.open = false;
        let dialect = self.conn.dialect();
        match self.conn.execute_batch("COMMIT") {
            Ok(()) => Ok(()),
            Err(e) => {
                let e = commit_failure(dialect, e);
                if !matches!(e, StoreError::OutcomeUnknown(_)) {
                    // The database answered: the transaction did not commit. End it, so the
                    // connection goes back to its pool clean (SQLite keeps it open on BUSY).
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
                Err(e)
            }
        }
    }
}

/// What a failed COMMIT means for the client. When the database itself refused the commit
/// (a constraint checked at commit, SQLite's BUSY), nothing was written. When the connection
/// to PostgreSQL broke while the COMMIT was under way (a restart, a network failure), the
/// server may have committed before the answer was lost: the outcome is unknown, and saying
/// "unavailable, nothing written" would be a lie (issue 11, finding 14). SQLite runs in-process:
/// its COMMIT always answers.
pub(crate) fn commit_failure(dialect: Dialect, e: DbError) -> StoreError {
    match (dialect, e) {
        (Dialect::Postgres, DbError::Unavailable(m)) => StoreError::OutcomeUnknown(m),
        (_, e) => StoreError::from(e),
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open
            && let Err(e) = self.conn.execute_batch("ROLLBACK")
        {
            tracing::error!(error = %e, "rollback failed");
        }
    }
}

impl Store {
    pub fn new(backend: impl Backend) -> Self {
        Self { backend: Arc::new(backend), jobs_waiting: Arc::new(tokio::sync::Notify::new()) }
    }

    /// Tells this process's idle workers that urgent jobs were just committed (an alert's
    /// e-mail), so they claim now instead of at their next poll. Workers in other processes
    /// still find the jobs at their next poll; nothing depends on the wake-up.
    pub fn wake_workers(&self) {
        self.jobs_waiting.notify_waiters();
    }

    /// Resolves at the next [`Store::wake_workers`]; create it before looking at the queue.
    pub fn workers_woken(&self) -> tokio::sync::futures::Notified<'_> {
        self.jobs_waiting.notified()
    }

    pub fn dialect(&self) -> Dialect {
        self.backend.dialect()
    }

    pub fn describe(&self) -> String {
        self.backend.describe()
    }

    pub fn migrations(&self) -> &'static [Migration] {
        self.backend.migrations()
    }

    /// Applies pending migrations (the schema only). [`Store::migrate`], at the crate root, does
    /// this and then refreshes the reference data the capabilities own.
    pub async fn apply_migrations(&self) -> StoreResult<MigrateReport> {
        let backend = self.backend.clone();
        blocking(move || {
            let mut conn = backend.writer()?;
            Ok(migrate::run(&mut *conn, backend.migrations())?)
        })
        .await
    }

    /// Runs `f` on a reader connection.
    pub async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Conn) -> StoreResult<T> + Send + 'static,
    {
        let backend = self.backend.clone();
        blocking(move || {
            let mut conn = backend.reader()?;
            f(&mut *conn)
        })
        .await
    }

    /// Runs the read `f` on a reader connection, then records its audit entry
    /// ([`crate::kernel::audit::shared_read`]) in a short write transaction of its own, and hands back
    /// the result only once that entry is committed: no audited read reaches the viewer
    /// unlogged, and a long read (a picture over 56 weeks) never holds SQLite's one writer.
    pub async fn read_audited<T, F>(&self, v: &crate::Viewer, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Conn) -> StoreResult<(T, crate::kernel::audit::SharedRead)> + Send + 'static,
    {
        let (value, read) = self.read(f).await?;
        if read.owners.is_empty() && read.when == crate::kernel::audit::Reads::OfOthers {
            // Nothing to record (the viewer read its own records only): no write transaction.
            return Ok(value);
        }
        let v = v.clone();
        self.write(move |db| crate::kernel::audit::shared_read(db, &v, read.action, read.about, &read.owners, read.when)).await?;
        Ok(value)
    }

    /// Runs `f` in one write transaction: all of it is committed, or none of it.
    pub async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Conn) -> StoreResult<T> + Send + 'static,
    {
        let backend = self.backend.clone();
        blocking(move || {
            let dialect = backend.dialect();
            let mut conn = backend.writer()?;
            conn.execute_batch(dialect.begin_write())?;
            let mut tx = Tx { conn, open: true };
            let value = f(&mut *tx.conn)?;
            tx.commit()?;
            Ok(value)
        })
        .await
    }

    /// Is the database reachable? (`/readyz`)
    pub async fn ping(&self) -> StoreResult<()> {
        self.read(|db| {
            db.query("SELECT 1", &[])?;
            Ok(())
        })
        .await
    }

    /// A consistent copy of the database (SQLite); see the backend for PostgreSQL.
    pub async fn backup(&self, path: std::path::PathBuf) -> StoreResult<()> {
        let backend = self.backend.clone();
        blocking(move || Ok(backend.backup(&path)?)).await
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> StoreResult<T> + Send + 'static) -> StoreResult<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) if e.is_panic() => Err(StoreError::Internal("a database task panicked".into())),
        Err(_) => Err(StoreError::Unavailable("the server is shutting down".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_commit_on_postgres_is_an_unknown_outcome_and_nothing_else_is() {
        let lost = commit_failure(Dialect::Postgres, DbError::Unavailable("the connection to PostgreSQL was closed".into()));
        assert!(matches!(lost, StoreError::OutcomeUnknown(_)), "{lost:?}");
        // The server answered the COMMIT with an error: definitely not committed.
        let refused = commit_failure(Dialect::Postgres, DbError::Other("40001: could not serialize access".into()));
        assert!(matches!(refused, StoreError::Internal(_)), "{refused:?}");
        let unique = commit_failure(Dialect::Postgres, DbError::Unique { constraint: "x".into() });
        assert!(matches!(unique, StoreError::Internal(_)), "{unique:?}");
        // SQLite's COMMIT runs in-process and always answers.
        let busy = commit_failure(Dialect::Sqlite, DbError::Unavailable("database is locked".into()));
        assert!(matches!(busy, StoreError::Unavailable(_)), "{busy:?}");
    }
}
