//! The embedded default: SQLite through rusqlite.
//!
//! WAL mode with exactly one writer connection (behind a mutex) and a small pool of readers,
//! so reads never wait for writes and writes never fight over the lock.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use brygga_store::kernel::db::{Backend, Columns, Conn, DbError, Dialect, Migration, Row, Value};
use brygga_store::kernel::pool::{Pool, Poolable};
use parking_lot::Mutex;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

pub static MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "foundation", sql: include_str!("../migrations/0001_foundation.sql") },
    Migration { version: 2, name: "situation_picture", sql: include_str!("../migrations/0002_situation_picture.sql") },
    Migration { version: 3, name: "jobs_and_mail", sql: include_str!("../migrations/0003_jobs_and_mail.sql") },
    Migration { version: 4, name: "meetings_actions_alerts", sql: include_str!("../migrations/0004_meetings_actions_alerts.sql") },
    Migration { version: 5, name: "claims_places_audit_orgs", sql: include_str!("../migrations/0005_claims_places_audit_orgs.sql") },
    Migration { version: 6, name: "consent", sql: include_str!("../migrations/0006_consent.sql") },
    Migration { version: 7, name: "questionnaire_reminders", sql: include_str!("../migrations/0007_questionnaire_reminders.sql") },
    Migration { version: 8, name: "plans", sql: include_str!("../migrations/0008_plans.sql") },
    Migration { version: 9, name: "programmes", sql: include_str!("../migrations/0009_programmes.sql") },
    Migration { version: 10, name: "agreements", sql: include_str!("../migrations/0010_agreements.sql") },
    Migration { version: 11, name: "search_pending", sql: include_str!("../migrations/0011_search_pending.sql") },
    Migration { version: 12, name: "directory", sql: include_str!("../migrations/0012_directory.sql") },
    Migration { version: 13, name: "interventions", sql: include_str!("../migrations/0013_interventions.sql") },
    Migration { version: 14, name: "search", sql: include_str!("../migrations/0014_search.sql") },
    Migration { version: 15, name: "contacts_counterparts", sql: include_str!("../migrations/0015_contacts_counterparts.sql") },
    Migration { version: 16, name: "knowledge", sql: include_str!("../migrations/0016_knowledge.sql") },
    Migration { version: 17, name: "consultations", sql: include_str!("../migrations/0017_consultations.sql") },
    Migration { version: 18, name: "events", sql: include_str!("../migrations/0018_events.sql") },
    Migration { version: 19, name: "newsletters", sql: include_str!("../migrations/0019_newsletters.sql") },
];

/// A rusqlite connection as a [`Conn`].
pub struct SqliteConn(Connection);

impl Poolable for SqliteConn {
    fn is_broken(&self) -> bool {
        false
    }
}

fn map_err(e: rusqlite::Error) -> DbError {
    use rusqlite::ErrorCode;
    match &e {
        rusqlite::Error::SqliteFailure(f, msg) => match f.code {
            ErrorCode::ConstraintViolation
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                let constraint = msg.as_deref().and_then(|m| m.strip_prefix("UNIQUE constraint failed: ")).unwrap_or("").to_owned();
                DbError::Unique { constraint }
            }
            ErrorCode::ConstraintViolation if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => DbError::ForeignKey,
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => DbError::Unavailable(e.to_string()),
            _ => DbError::Other(e.to_string()),
        },
        _ => DbError::Other(e.to_string()),
    }
}

fn bind(stmt: &mut rusqlite::Statement<'_>, args: &[Value]) -> Result<(), DbError> {
    if stmt.parameter_count() != args.len() {
        return Err(DbError::Other(format!(
            "statement has {} placeholders but {} arguments were given",
            stmt.parameter_count(),
            args.len()
        )));
    }
    for (i, v) in args.iter().enumerate() {
        let name = format!("${}", i + 1);
        let idx = stmt.parameter_index(&name).map_err(map_err)?.ok_or_else(|| DbError::Other(format!("placeholder {name} missing")))?;
        bind_value(stmt, idx, v)?;
    }
    Ok(())
}

fn bind_value(stmt: &mut rusqlite::Statement<'_>, idx: usize, v: &Value) -> Result<(), DbError> {
    let r = match v {
        Value::Null => stmt.raw_bind_parameter(idx, rusqlite::types::Null),
        Value::Int(x) => stmt.raw_bind_parameter(idx, x),
        Value::Real(x) => stmt.raw_bind_parameter(idx, x),
        Value::Text(x) => stmt.raw_bind_parameter(idx, x.as_str()),
        Value::Bool(x) => stmt.raw_bind_parameter(idx, i64::from(*x)),
        Value::Blob(x) => stmt.raw_bind_parameter(idx, x.as_slice()),
        Value::IntList(x) => stmt.raw_bind_parameter(idx, serde_json::to_string(x).expect("integers serialise")),
    };
    r.map_err(map_err)
}

fn read_value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

impl Conn for SqliteConn {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, DbError> {
        let mut stmt = self.0.prepare_cached(sql).map_err(map_err)?;
        bind(&mut stmt, args)?;
        let n = stmt.column_count();
        // The names are read once per statement and shared by every row.
        let columns = Arc::new(Columns::new(stmt.column_names()));
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(map_err)? {
            let mut vals = Vec::with_capacity(n);
            for i in 0..n {
                vals.push(read_value(r.get_ref(i).map_err(map_err)?));
            }
            out.push(Row::new(Arc::clone(&columns), vals));
        }
        Ok(out)
    }

    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, DbError> {
        let mut stmt = self.0.prepare_cached(sql).map_err(map_err)?;
        bind(&mut stmt, args)?;
        Ok(stmt.raw_execute().map_err(map_err)? as u64)
    }

    fn execute_batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.0.execute_batch(sql).map_err(map_err)
    }

    fn bulk_insert(&mut self, table: &str, columns: &[&str], rows: &mut dyn Iterator<Item = Vec<Value>>) -> Result<u64, DbError> {
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let sql = format!("INSERT INTO {table} ({}) VALUES ({})", columns.join(", "), placeholders.join(", "));
        let mut stmt = self.0.prepare_cached(&sql).map_err(map_err)?;
        let mut n = 0;
        for row in rows {
            // The placeholders were written in order, so `$i` is parameter i: bind by position,
            // without looking names up for every row.
            if row.len() != columns.len() {
                return Err(DbError::Other(format!("{table}: {} values for {} columns", row.len(), columns.len())));
            }
            for (i, v) in row.iter().enumerate() {
                bind_value(&mut stmt, i + 1, v)?;
            }
            n += stmt.raw_execute().map_err(map_err)? as u64;
        }
        Ok(n)
    }
}

/// An SQLite database file.
pub struct SqliteBackend {
    path: PathBuf,
    writer: Arc<Mutex<SqliteConn>>,
    readers: Pool<SqliteConn>,
}

/// How many reader connections the pool opens at most.
pub const READERS: usize = 8;

/// Durability and memory settings, from the database URL's query
/// (`sqlite:///srv/brygga/brygga.db?synchronous=normal&cache_mib=64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteOptions {
    /// `synchronous = FULL` (default): every acknowledged commit is on disk (fsync of the WAL
    /// at each commit) and survives power loss. `false` gives `NORMAL`: consistent after a
    /// crash, but the last commits before a power loss or OS crash may be lost.
    pub full_sync: bool,
    /// The page-cache budget for the whole database, in MiB, over all connections: a quarter
    /// for the writer, the rest split between the [`READERS`] readers. Default 64.
    pub cache_mib: u32,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self { full_sync: true, cache_mib: 64 }
    }
}

impl SqliteOptions {
    /// Reads `synchronous=full|normal` and `cache_mib=N` (8–4096) from a URL query; any other
    /// key, or a bad value, is refused with a message that says what is allowed.
    pub fn from_query(query: &str) -> Result<Self, String> {
        let mut o = Self::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "synchronous" => {
                    o.full_sync = match v.to_ascii_lowercase().as_str() {
                        "full" => true,
                        "normal" => false,
                        _ => return Err(format!("synchronous={v}: skriv synchronous=full (standard) eller synchronous=normal")),
                    }
                }
                "cache_mib" => {
                    o.cache_mib = v
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (8..=4096).contains(n))
                        .ok_or_else(|| format!("cache_mib={v}: ange ett heltal mellan 8 och 4096 (MiB för hela databasen)"))?
                }
                _ => return Err(format!("okänd inställning {k} i SQLite-adressen; tillåtna är synchronous och cache_mib")),
            }
        }
        Ok(o)
    }

    /// The cache of the writer and of one reader, in KiB.
    pub fn cache_kib(&self) -> (u64, u64) {
        let total = u64::from(self.cache_mib) * 1024;
        let writer = total / 4;
        (writer, (total - writer) / READERS as u64)
    }
}

fn open(path: &Path, read_only: bool, options: SqliteOptions) -> Result<SqliteConn, DbError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI
    };
    let conn =
        Connection::open_with_flags(path, flags).map_err(|e| DbError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(map_err)?;
    conn.set_prepared_statement_cache_capacity(256);
    let (writer_kib, reader_kib) = options.cache_kib();
    let cache_kib = if read_only { reader_kib } else { writer_kib };
    let synchronous = if options.full_sync { "FULL" } else { "NORMAL" };
    // A negative cache_size is KiB. Bounded per connection, so the whole database stays
    // within `cache_mib` however many rows it holds.
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = {synchronous}; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{cache_kib};"
    ))
    .map_err(map_err)?;
    Ok(SqliteConn(conn))
}

impl SqliteBackend {
    /// Opens (creating if missing) the database at `path`, in WAL mode, with the default
    /// [`SqliteOptions`] (durable commits, a 64 MiB cache budget).
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, DbError> {
        Self::open_with(path, SqliteOptions::default())
    }

    pub fn open_with(path: impl Into<PathBuf>, options: SqliteOptions) -> Result<Self, DbError> {
        let path = path.into();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| DbError::Unavailable(format!("cannot create {}: {e}", dir.display())))?;
        }
        let writer = open(&path, false, options)?;
        let mode: String = writer.0.query_row("PRAGMA journal_mode = WAL", [], |r| r.get("journal_mode")).map_err(map_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(DbError::Other(format!("could not switch {} to WAL mode (got {mode})", path.display())));
        }
        let reader_path = path.clone();
        let readers = Pool::new(READERS, Duration::from_secs(10), move || open(&reader_path, true, options));
        Ok(Self { path, writer: Arc::new(Mutex::new(writer)), readers })
    }
}

/// A checked-out reader or the locked writer, as a [`Conn`].
enum Handle<'a> {
    Reader(brygga_store::kernel::pool::Pooled<SqliteConn>),
    Writer(parking_lot::MutexGuard<'a, SqliteConn>),
}

impl Handle<'_> {
    fn conn(&mut self) -> &mut SqliteConn {
        match self {
            Handle::Reader(r) => r,
            Handle::Writer(w) => w,
        }
    }
}

impl Conn for Handle<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, DbError> {
        self.conn().query(sql, args)
    }
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, DbError> {
        self.conn().execute(sql, args)
    }
    fn execute_batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.conn().execute_batch(sql)
    }
    fn bulk_insert(&mut self, table: &str, columns: &[&str], rows: &mut dyn Iterator<Item = Vec<Value>>) -> Result<u64, DbError> {
        self.conn().bulk_insert(table, columns, rows)
    }
}

impl Backend for SqliteBackend {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn reader(&self) -> Result<Box<dyn Conn + '_>, DbError> {
        Ok(Box::new(Handle::Reader(self.readers.get()?)))
    }

    fn writer(&self) -> Result<Box<dyn Conn + '_>, DbError> {
        let guard =
            self.writer.try_lock_for(Duration::from_secs(30)).ok_or_else(|| DbError::Unavailable("the database writer is busy".into()))?;
        Ok(Box::new(Handle::Writer(guard)))
    }

    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }

    fn describe(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    /// `VACUUM INTO` writes a consistent, compacted copy while readers and the writer go on.
    /// The copy is written to a temporary file beside `path` (`.NAME.partial`), flushed to
    /// disk, and renamed to `path` only when complete: a backup killed half-way leaves no file
    /// at `path`, and a stale temporary file from such a backup is replaced by the next one.
    fn backup(&self, path: &Path) -> Result<(), DbError> {
        if path.exists() {
            return Err(DbError::Other(format!("{} already exists; choose a new file name", path.display())));
        }
        let name = path.file_name().ok_or_else(|| DbError::Other(format!("{} is not a file name", path.display())))?;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let temp = dir.join(format!(".{}.partial", name.to_string_lossy()));
        let io = |what: &str, e: std::io::Error| DbError::Other(format!("{what} {}: {e}", temp.display()));
        match std::fs::remove_file(&temp) {
            Ok(()) => tracing::info!(path = %temp.display(), "stale partial backup removed"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("cannot remove", e)),
        }
        let target = temp.to_str().ok_or_else(|| DbError::Other("backup path is not UTF-8".into()))?;
        let written = (|| {
            let conn = self.readers.get()?;
            conn.0.execute("VACUUM INTO ?1", [target]).map_err(map_err)?;
            drop(conn);
            std::fs::File::open(&temp).and_then(|f| f.sync_all()).map_err(|e| io("cannot flush", e))?;
            // Refuse, not overwrite, if the target appeared meanwhile (hard_link fails on an existing name).
            std::fs::hard_link(&temp, path).map_err(|e| DbError::Other(format!("cannot create {}: {e}", path.display())))?;
            std::fs::remove_file(&temp).map_err(|e| io("cannot remove", e))?;
            // The new directory entry must reach the disk too.
            std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| DbError::Other(format!("cannot flush {}: {e}", dir.display())))
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        written
    }
}

impl Drop for SqliteBackend {
    fn drop(&mut self) {
        self.readers.close_idle();
        // Fold the WAL back into the main file so a copied database file is complete.
        if let Err(e) = self.writer.lock().0.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);") {
            tracing::warn!(error = %e, "WAL checkpoint on close failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_come_from_the_url_query_and_bad_ones_are_named() {
        assert_eq!(SqliteOptions::from_query("").unwrap(), SqliteOptions { full_sync: true, cache_mib: 64 });
        assert_eq!(
            SqliteOptions::from_query("synchronous=normal&cache_mib=32").unwrap(),
            SqliteOptions { full_sync: false, cache_mib: 32 }
        );
        assert!(SqliteOptions::from_query("synchronous=off").unwrap_err().contains("synchronous"));
        assert!(SqliteOptions::from_query("cache_mib=1").unwrap_err().contains("cache_mib"));
        assert!(SqliteOptions::from_query("mmap=1").unwrap_err().contains("mmap"));
        // 64 MiB: 16 MiB for the writer, 6 MiB for each of the 8 readers.
        assert_eq!(SqliteOptions::default().cache_kib(), (16 * 1024, 6 * 1024));
    }

    #[test]
    fn the_pragmas_are_applied() {
        let dir = tempfile::tempdir().unwrap();
        let db = SqliteBackend::open(dir.path().join("x.db")).unwrap();
        let sync: i64 = db.writer.lock().0.query_row("PRAGMA synchronous", [], |r| r.get("synchronous")).unwrap();
        assert_eq!(sync, 2, "FULL");
        let cache: i64 = db.writer.lock().0.query_row("PRAGMA cache_size", [], |r| r.get("cache_size")).unwrap();
        assert_eq!(cache, -16 * 1024);
    }
}
