//! The storage seam: a connection that runs portable SQL with `$1, $2, …` placeholders.
//!
//! Two native implementations exist (`brygga-store-sqlite` on rusqlite, `brygga-store-postgres`
//! on the `postgres` driver). Everything above this module — every query, the sharing rules
//! and the access policy — is written once, against [`Conn`].

use std::fmt;

/// Which SQL dialect a connection speaks, for the few places the two databases differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// `expr` is one of the integers in the list bound at parameter `param`.
    pub fn in_list(self, expr: &str, param: usize) -> String {
        match self {
            Dialect::Sqlite => format!("{expr} IN (SELECT value FROM json_each(${param}))"),
            Dialect::Postgres => format!("{expr} = ANY(${param})"),
        }
    }
    /// Aggregates `expr` into one comma-separated string.
    pub fn string_agg(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!("group_concat({expr}, ',')"),
            Dialect::Postgres => format!("string_agg({expr}, ',')"),
        }
    }
    /// The statement that starts a write transaction.
    pub fn begin_write(self) -> &'static str {
        match self {
            // Take the write lock at once: no deadlock between two upgrading readers.
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        }
    }
}

/// A value bound to a placeholder or read from a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
    Blob(Vec<u8>),
    /// A list of integers, for [`Dialect::in_list`].
    IntList(Vec<i64>),
}

macro_rules! value_from {
    ($($t:ty => |$v:ident| $e:expr),+ $(,)?) => {
        $(impl From<$t> for Value { fn from($v: $t) -> Self { $e } })+
    };
}

value_from! {
    i64 => |v| Value::Int(v),
    i32 => |v| Value::Int(i64::from(v)),
    u32 => |v| Value::Int(i64::from(v)),
    i16 => |v| Value::Int(i64::from(v)),
    f64 => |v| Value::Real(v),
    bool => |v| Value::Bool(v),
    String => |v| Value::Text(v),
    &str => |v| Value::Text(v.to_owned()),
    &String => |v| Value::Text(v.clone()),
    Vec<u8> => |v| Value::Blob(v),
    Vec<i64> => |v| Value::IntList(v),
    &[i64] => |v| Value::IntList(v.to_vec()),
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Builds a `&[Value]` argument list: `args![id, name]`.
#[macro_export]
macro_rules! args {
    ($($e:expr),* $(,)?) => { &[$($crate::kernel::db::Value::from($e)),*][..] };
}

/// One result row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, DbError> {
        let v = self.0.get(i).ok_or_else(|| DbError::Decode(format!("column {i} missing")))?;
        T::from_value(v).map_err(|why| DbError::Decode(format!("column {i}: {why}")))
    }
}

/// Reads a Rust value from a column.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> Result<Self, String>;
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(i64::from(*b)),
            other => Err(format!("expected integer, got {other:?}")),
        }
    }
}

macro_rules! from_int {
    ($($t:ty),+) => {$(
        impl FromValue for $t {
            fn from_value(v: &Value) -> Result<Self, String> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| format!("{i} out of range"))
            }
        }
    )+};
}
from_int!(i32, u32, i16, i8, u8, usize, u64);

impl FromValue for f64 {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Real(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            other => Err(format!("expected number, got {other:?}")),
        }
    }
}

impl FromValue for bool {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Bool(b) => Ok(*b),
            Value::Int(i) => Ok(*i != 0),
            other => Err(format!("expected boolean, got {other:?}")),
        }
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            other => Err(format!("expected text, got {other:?}")),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Blob(b) => Ok(b.clone()),
            other => Err(format!("expected bytes, got {other:?}")),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// A model read from a row.
pub trait FromRow: Sized {
    fn from_row(row: &Row) -> Result<Self, DbError>;
}

/// A database failure, normalised across backends.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A UNIQUE constraint failed; `constraint` names it as far as the backend says
    /// (`table.column` on SQLite, the constraint name on PostgreSQL).
    #[error("unique constraint failed: {constraint}")]
    Unique { constraint: String },
    #[error("foreign key constraint failed")]
    ForeignKey,
    /// The database is busy or unreachable; the request may be retried.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("cannot decode row: {0}")]
    Decode(String),
    #[error("migration: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Other(String),
}

/// One connection. Implemented natively by each backend; object safe.
pub trait Conn {
    fn dialect(&self) -> Dialect;
    /// Runs a statement that returns rows.
    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, DbError>;
    /// Runs a statement, returning the number of rows changed.
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, DbError>;
    /// Runs several statements without arguments (migrations, BEGIN/COMMIT).
    fn execute_batch(&mut self, sql: &str) -> Result<(), DbError>;
    /// Loads many rows into `table` the fastest way the backend has (COPY on PostgreSQL,
    /// one prepared statement in the open transaction on SQLite).
    fn bulk_insert(&mut self, table: &str, columns: &[&str], rows: &mut dyn Iterator<Item = Vec<Value>>) -> Result<u64, DbError>;
}

/// Typed helpers over any [`Conn`].
pub trait ConnExt: Conn {
    fn all<T: FromRow>(&mut self, sql: &str, args: &[Value]) -> Result<Vec<T>, DbError> {
        self.query(sql, args)?.iter().map(T::from_row).collect()
    }
    fn opt<T: FromRow>(&mut self, sql: &str, args: &[Value]) -> Result<Option<T>, DbError> {
        self.query(sql, args)?.first().map(T::from_row).transpose()
    }
    fn one<T: FromRow>(&mut self, sql: &str, args: &[Value]) -> Result<T, DbError> {
        self.opt(sql, args)?.ok_or_else(|| DbError::Decode("expected one row, got none".into()))
    }
    /// The first column of the first row.
    fn scalar<T: FromValue>(&mut self, sql: &str, args: &[Value]) -> Result<T, DbError> {
        let rows = self.query(sql, args)?;
        let row = rows.first().ok_or_else(|| DbError::Decode("expected one row, got none".into()))?;
        row.get(0)
    }
}

impl<C: Conn + ?Sized> ConnExt for C {}

impl FromRow for Row {
    fn from_row(row: &Row) -> Result<Self, DbError> {
        Ok(row.clone())
    }
}

macro_rules! tuple_from_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: FromValue),+> FromRow for ($($t,)+) {
            fn from_row(row: &Row) -> Result<Self, DbError> { Ok(($(row.get::<$t>($i)?,)+)) }
        }
    };
}
tuple_from_row!(A 0);
tuple_from_row!(A 0, B 1);
tuple_from_row!(A 0, B 1, C 2);
tuple_from_row!(A 0, B 1, C 2, D 3);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5);

/// A database: hands out connections. Implemented natively by each backend.
pub trait Backend: Send + Sync + 'static {
    fn dialect(&self) -> Dialect;
    /// A connection for reading.
    fn reader(&self) -> Result<Box<dyn Conn + '_>, DbError>;
    /// The connection for writing. SQLite has exactly one (WAL, one writer); PostgreSQL
    /// takes one from its pool.
    fn writer(&self) -> Result<Box<dyn Conn + '_>, DbError>;
    /// This backend's migrations, oldest first.
    fn migrations(&self) -> &'static [Migration];
    /// Where the data lives, without secrets, for logs and `--help` output.
    fn describe(&self) -> String;
    /// Writes a consistent copy of the database to `path` (SQLite only).
    fn backup(&self, path: &std::path::Path) -> Result<(), DbError>;
}

/// One schema migration. Never edit one that has landed: add a new one.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl fmt::Display for Migration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}_{}", self.version, self.name)
    }
}
