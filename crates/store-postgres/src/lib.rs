//! PostgreSQL through the `postgres` driver: a pool of clients, each with its own cache of
//! prepared statements, and COPY for bulk loads. Several app servers can share one database.

use std::collections::HashMap;
use std::error::Error;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use brygga_store::kernel::db::{Backend, Columns, Conn, DbError, Dialect, Migration, Row, Value};
use brygga_store::kernel::pool::{Pool, Poolable, Pooled};
use bytes::BytesMut;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, Config, NoTls, Statement};

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

/// A [`Value`] bound to a PostgreSQL parameter of whatever type the server inferred.
#[derive(Debug)]
struct Param<'a>(&'a Value);

type BoxError = Box<dyn Error + Sync + Send>;

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::FLOAT8 => (*v as f64).to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => v.to_string().to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Real(v) => match *ty {
                Type::FLOAT4 => (*v as f32).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Text(v) => v.as_str().to_sql(ty, out),
            Value::Bool(v) => v.to_sql(ty, out),
            Value::Blob(v) => v.as_slice().to_sql(ty, out),
            Value::IntList(v) => v.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn map_err(e: postgres::Error) -> DbError {
    if let Some(db) = e.as_db_error() {
        use postgres::error::SqlState;
        let code = db.code();
        if *code == SqlState::UNIQUE_VIOLATION {
            return DbError::Unique { constraint: db.constraint().unwrap_or("").to_owned() };
        }
        if *code == SqlState::FOREIGN_KEY_VIOLATION {
            return DbError::ForeignKey;
        }
        if *code == SqlState::TOO_MANY_CONNECTIONS || *code == SqlState::ADMIN_SHUTDOWN || *code == SqlState::CANNOT_CONNECT_NOW {
            return DbError::Unavailable(db.message().to_owned());
        }
        return DbError::Other(format!("{}: {}", code.code(), db.message()));
    }
    if e.is_closed() {
        return DbError::Unavailable("the connection to PostgreSQL was closed".into());
    }
    DbError::Unavailable(e.to_string())
}

fn read_value(row: &postgres::Row, i: usize) -> Result<Value, DbError> {
    let column = &row.columns()[i];
    let ty = column.type_();
    let dec = |e: postgres::Error| DbError::Decode(format!("column \"{}\" ({ty}): {e}", column.name()));
    Ok(match *ty {
        Type::BOOL => row.try_get::<_, Option<bool>>(i).map_err(dec)?.map_or(Value::Null, Value::Bool),
        Type::INT2 => row.try_get::<_, Option<i16>>(i).map_err(dec)?.map_or(Value::Null, |v| Value::Int(v.into())),
        Type::INT4 => row.try_get::<_, Option<i32>>(i).map_err(dec)?.map_or(Value::Null, |v| Value::Int(v.into())),
        Type::INT8 => row.try_get::<_, Option<i64>>(i).map_err(dec)?.map_or(Value::Null, Value::Int),
        Type::FLOAT4 => row.try_get::<_, Option<f32>>(i).map_err(dec)?.map_or(Value::Null, |v| Value::Real(v.into())),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i).map_err(dec)?.map_or(Value::Null, Value::Real),
        Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i).map_err(dec)?.map_or(Value::Null, Value::Blob),
        Type::VOID => Value::Null,
        Type::INT8_ARRAY => row.try_get::<_, Option<Vec<i64>>>(i).map_err(dec)?.map_or(Value::Null, Value::IntList),
        _ => row.try_get::<_, Option<String>>(i).map_err(dec)?.map_or(Value::Null, Value::Text),
    })
}

/// One client with its prepared statements.
pub struct PgConn {
    /// Always `Some` until dropped.
    client: Option<Client>,
    statements: HashMap<String, Statement>,
}

impl Poolable for PgConn {
    fn is_broken(&self) -> bool {
        self.client.as_ref().is_none_or(Client::is_closed)
    }
}

impl Drop for PgConn {
    /// Closing a client blocks on the driver's runtime, which panics on an async thread (the
    /// pool may be dropped there at shutdown): close it on a plain thread instead.
    fn drop(&mut self) {
        self.statements.clear();
        if let Some(client) = self.client.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            let _ = std::thread::spawn(move || drop(client));
        }
    }
}

impl PgConn {
    fn client(&mut self) -> &mut Client {
        self.client.as_mut().expect("present until drop")
    }

    fn prepare(&mut self, sql: &str) -> Result<Statement, DbError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client().prepare(sql).map_err(map_err)?;
        if self.statements.len() > 512 {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

impl Conn for PgConn {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, DbError> {
        let stmt = self.prepare(sql)?;
        let params: Vec<Param<'_>> = args.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self.client().query(&stmt, &refs).map_err(map_err)?;
        // The names come from the prepared statement, once for all its rows.
        let columns = Arc::new(Columns::new(stmt.columns().iter().map(|c| c.name())));
        rows.iter()
            .map(|r| (0..r.len()).map(|i| read_value(r, i)).collect::<Result<Vec<_>, _>>().map(|vals| Row::new(Arc::clone(&columns), vals)))
            .collect()
    }

    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, DbError> {
        let stmt = self.prepare(sql)?;
        let params: Vec<Param<'_>> = args.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.client().execute(&stmt, &refs).map_err(map_err)
    }

    fn execute_batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.client().batch_execute(sql).map_err(map_err)
    }

    /// Binary COPY: the column types come from the table itself.
    fn bulk_insert(&mut self, table: &str, columns: &[&str], rows: &mut dyn Iterator<Item = Vec<Value>>) -> Result<u64, DbError> {
        let cols = columns.join(", ");
        let probe = self.prepare(&format!("SELECT {cols} FROM {table} LIMIT 0"))?;
        let types: Vec<Type> = probe.columns().iter().map(|c| c.type_().clone()).collect();
        let sink = self.client().copy_in(&format!("COPY {table} ({cols}) FROM STDIN (FORMAT binary)")).map_err(map_err)?;
        let mut writer = BinaryCopyInWriter::new(sink, &types);
        for row in rows {
            let params: Vec<Param<'_>> = row.iter().map(Param).collect();
            let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            writer.write(&refs).map_err(map_err)?;
        }
        writer.finish().map_err(map_err)
    }
}

/// A PostgreSQL database.
pub struct PgBackend {
    describe: String,
    pool: Pool<PgConn>,
}

impl PgBackend {
    /// Connects to `url` (`postgres://user@host:port/db?…`) and checks the server answers.
    /// Connections are opened lazily up to `max_connections`.
    pub fn connect(url: &str, max_connections: usize) -> Result<Self, DbError> {
        let mut config = Config::from_str(url).map_err(|e| DbError::Unavailable(format!("invalid PostgreSQL URL: {e}")))?;
        if config.get_application_name().is_none() {
            config.application_name("brygga");
        }
        config.connect_timeout(Duration::from_secs(5));
        let describe = describe(&config);
        let pool = Pool::new(max_connections.max(1), Duration::from_secs(10), move || {
            let client = config.connect(NoTls).map_err(|e| DbError::Unavailable(format!("cannot connect to PostgreSQL: {e}")))?;
            Ok(PgConn { client: Some(client), statements: HashMap::new() })
        });
        // The driver blocks on its own small runtime, which must not happen on an async
        // thread: make the first connection on a thread of its own, so `connect` is safe
        // to call from anywhere. Every later call runs on the blocking pool (see `Store`).
        std::thread::scope(|s| s.spawn(|| pool.get().map(drop)).join()).map_err(|_| DbError::Other("connecting panicked".into()))??;
        Ok(Self { describe, pool })
    }
}

fn describe(c: &Config) -> String {
    let host = c.get_hosts().first().map_or_else(
        || "localhost".to_owned(),
        |h| match h {
            postgres::config::Host::Tcp(h) => h.clone(),
            postgres::config::Host::Unix(p) => p.display().to_string(),
        },
    );
    let port = c.get_ports().first().copied().unwrap_or(5432);
    format!("postgres://{}@{host}:{port}/{}", c.get_user().unwrap_or(""), c.get_dbname().unwrap_or(""))
}

struct Handle(Pooled<PgConn>);

impl Conn for Handle {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, DbError> {
        self.0.query(sql, args)
    }
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, DbError> {
        self.0.execute(sql, args)
    }
    fn execute_batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.0.execute_batch(sql)
    }
    fn bulk_insert(&mut self, table: &str, columns: &[&str], rows: &mut dyn Iterator<Item = Vec<Value>>) -> Result<u64, DbError> {
        self.0.bulk_insert(table, columns, rows)
    }
}

impl Backend for PgBackend {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
    fn reader(&self) -> Result<Box<dyn Conn + '_>, DbError> {
        Ok(Box::new(Handle(self.pool.get()?)))
    }
    fn writer(&self) -> Result<Box<dyn Conn + '_>, DbError> {
        Ok(Box::new(Handle(self.pool.get()?)))
    }
    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }
    fn describe(&self) -> String {
        self.describe.clone()
    }
    fn backup(&self, _path: &std::path::Path) -> Result<(), DbError> {
        Err(DbError::Other("brygga backup copies SQLite databases; for PostgreSQL use pg_dump (see README)".into()))
    }
}
