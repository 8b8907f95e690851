//! The storage seam: a connection that runs portable SQL with `$1, $2, …` placeholders.
//!
//! Two native implementations exist (`brygga-store-sqlite` on rusqlite, `brygga-store-postgres`
//! on the `postgres` driver). Everything above this module — every query, the sharing rules
//! and the access policy — is written once, against [`Conn`].

use std::fmt;
use std::sync::Arc;

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

/// The column names of one result set, shared by all its rows.
///
/// Rows are decoded by name, never by position: a SELECT that gains, loses or reorders a
/// column keeps decoding, or fails with an error that names the missing column. Names compare
/// ASCII case-insensitively because PostgreSQL folds unquoted aliases to lower case while
/// SQLite keeps them as written. A name that occurs twice (say `id` from both sides of a join)
/// cannot be decoded until the SELECT aliases it; that is found once per result set here.
#[derive(Debug, PartialEq)]
pub struct Columns {
    names: Box<[Box<str>]>,
    ambiguous: Box<[bool]>,
}

impl Columns {
    /// The names as the backend reports them, in SELECT order. Backends build this once per
    /// statement and share it (in an `Arc`) by all rows, so a row costs no name allocations.
    pub fn new<S: Into<Box<str>>>(names: impl IntoIterator<Item = S>) -> Self {
        let names: Box<[Box<str>]> = names.into_iter().map(Into::into).collect();
        let ambiguous = names.iter().map(|n| names.iter().filter(|m| m.eq_ignore_ascii_case(n)).count() > 1).collect();
        Columns { names, ambiguous }
    }

    /// The names, in SELECT order.
    pub fn names(&self) -> &[Box<str>] {
        &self.names
    }

    /// Where `name` is; a linear scan, which beats hashing for the handful of columns a row has.
    fn position(&self, name: &str) -> Result<usize, DbError> {
        let i = self.names.iter().position(|n| n.eq_ignore_ascii_case(name)).ok_or_else(|| self.missing(name))?;
        if self.ambiguous[i] {
            return Err(DbError::Decode(format!("column \"{name}\" occurs more than once in row (alias it in the SELECT)")));
        }
        Ok(i)
    }

    fn missing(&self, name: &str) -> DbError {
        DbError::Decode(format!("no column \"{name}\" in row (columns: {})", self.names.join(", ")))
    }
}

/// One result row: its values and the names of its result set's columns.
#[derive(Clone, PartialEq)]
pub struct Row {
    columns: Arc<Columns>,
    values: Vec<Value>,
}

impl Row {
    /// A row of the result set described by `columns`; one value per column.
    pub fn new(columns: Arc<Columns>, values: Vec<Value>) -> Self {
        debug_assert_eq!(columns.names.len(), values.len(), "one value per column");
        Row { columns, values }
    }

    /// The column called `name`, decoded.
    pub fn get<T: FromValue>(&self, name: &str) -> Result<T, DbError> {
        T::from_value(self.value(name)?).map_err(|why| DbError::Decode(format!("column \"{name}\": {why}")))
    }

    /// The raw value of the column called `name`.
    pub fn value(&self, name: &str) -> Result<&Value, DbError> {
        Ok(&self.values[self.columns.position(name)?])
    }

    /// Every column with its value, in the order of the SELECT (for generic dumps such as
    /// the GDPR export, which key each value by its name).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.columns.names.iter().map(|n| &**n).zip(&self.values)
    }

    /// The value of a row's only column; an error if the row has more (or fewer) columns, so a
    /// single-value read never silently picks the first of several.
    pub fn only<T: FromValue>(&self) -> Result<T, DbError> {
        match (&*self.columns.names, &*self.values) {
            ([name], [v]) => T::from_value(v).map_err(|why| DbError::Decode(format!("column \"{name}\": {why}"))),
            _ => Err(DbError::Decode(format!(
                "expected exactly one column, got {} (columns: {})",
                self.values.len(),
                self.columns.names.join(", ")
            ))),
        }
    }
}

/// `Row { id: Int(7), title: Text("…") }`: each value under its name.
impl fmt::Debug for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Row");
        for (name, value) in self.iter() {
            s.field(name, value);
        }
        s.finish()
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
    /// The value of the only column of the first row (see [`Row::only`]).
    fn scalar<T: FromValue>(&mut self, sql: &str, args: &[Value]) -> Result<T, DbError> {
        self.scalar_opt(sql, args)?.ok_or_else(|| DbError::Decode("expected one row, got none".into()))
    }
    /// The value of the only column of the first row, if there is a row.
    fn scalar_opt<T: FromValue>(&mut self, sql: &str, args: &[Value]) -> Result<Option<T>, DbError> {
        self.query(sql, args)?.first().map(Row::only).transpose()
    }
    /// The value of the only column of every row.
    fn scalars<T: FromValue>(&mut self, sql: &str, args: &[Value]) -> Result<Vec<T>, DbError> {
        self.query(sql, args)?.iter().map(Row::only).collect()
    }
    /// Every row, decoded by `f` (for a one-off SELECT that has no model of its own).
    fn map_all<T>(&mut self, sql: &str, args: &[Value], f: impl FnMut(&Row) -> Result<T, DbError>) -> Result<Vec<T>, DbError> {
        self.query(sql, args)?.iter().map(f).collect()
    }
    /// The first row, if any, decoded by `f`.
    fn map_opt<T>(&mut self, sql: &str, args: &[Value], f: impl FnOnce(&Row) -> Result<T, DbError>) -> Result<Option<T>, DbError> {
        self.query(sql, args)?.first().map(f).transpose()
    }
    /// The first row decoded by `f`; an error if there is none.
    fn map_one<T>(&mut self, sql: &str, args: &[Value], f: impl FnOnce(&Row) -> Result<T, DbError>) -> Result<T, DbError> {
        self.map_opt(sql, args, f)?.ok_or_else(|| DbError::Decode("expected one row, got none".into()))
    }
}

impl<C: Conn + ?Sized> ConnExt for C {}

impl FromRow for Row {
    fn from_row(row: &Row) -> Result<Self, DbError> {
        Ok(row.clone())
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(names: &[&str], values: Vec<Value>) -> Row {
        Row::new(Arc::new(Columns::new(names.iter().copied())), values)
    }

    /// A model decoded the way every `FromRow` impl decodes: by name.
    #[derive(Debug, PartialEq)]
    struct Item {
        id: i64,
        title: String,
        due_date: Option<String>,
    }

    impl FromRow for Item {
        fn from_row(r: &Row) -> Result<Self, DbError> {
            Ok(Item { id: r.get("id")?, title: r.get("title")?, due_date: r.get("due_date")? })
        }
    }

    fn decode_error(result: Result<impl fmt::Debug, DbError>) -> String {
        match result {
            Err(DbError::Decode(why)) => why,
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn decodes_by_name() {
        let r = row(&["id", "title", "due_date"], vec![Value::Int(7), Value::Text("Städa".into()), Value::Null]);
        assert_eq!(Item::from_row(&r).unwrap(), Item { id: 7, title: "Städa".into(), due_date: None });
        assert_eq!(r.get::<i64>("ID").unwrap(), 7, "PostgreSQL folds unquoted aliases: names compare case-insensitively");
    }

    #[test]
    fn reordered_and_extra_columns_still_decode() {
        let r = row(
            &["due_date", "extra", "title", "id"],
            vec![Value::Text("2026-12-24".into()), Value::Bool(true), Value::Text("Städa".into()), Value::Int(7)],
        );
        assert_eq!(Item::from_row(&r).unwrap(), Item { id: 7, title: "Städa".into(), due_date: Some("2026-12-24".into()) });
    }

    #[test]
    fn a_missing_column_is_named() {
        let r = row(&["id", "title"], vec![Value::Int(7), Value::Text("Städa".into())]);
        assert_eq!(decode_error(Item::from_row(&r)), r#"no column "due_date" in row (columns: id, title)"#);
    }

    #[test]
    fn a_wrong_type_names_the_column() {
        let r = row(&["id", "title", "due_date"], vec![Value::Text("sju".into()), Value::Text("Städa".into()), Value::Null]);
        assert_eq!(decode_error(Item::from_row(&r)), r#"column "id": expected integer, got Text("sju")"#);
    }

    #[test]
    fn a_duplicate_name_must_be_aliased() {
        let r = row(&["id", "name", "id"], vec![Value::Int(1), Value::Text("x".into()), Value::Int(2)]);
        assert!(decode_error(r.get::<i64>("id")).contains(r#"column "id" occurs more than once"#));
        assert_eq!(r.get::<String>("name").unwrap(), "x", "the other columns still decode");
    }

    #[test]
    fn only_refuses_more_than_one_column() {
        assert_eq!(row(&["count"], vec![Value::Int(3)]).only::<i64>().unwrap(), 3);
        let two = row(&["n", "max"], vec![Value::Int(3), Value::Null]);
        assert_eq!(decode_error(two.only::<i64>()), "expected exactly one column, got 2 (columns: n, max)");
    }

    #[test]
    fn iter_pairs_names_with_values() {
        let r = row(&["id", "title"], vec![Value::Int(7), Value::Text("Städa".into())]);
        let pairs: Vec<(&str, &Value)> = r.iter().collect();
        assert_eq!(pairs, [("id", &Value::Int(7)), ("title", &Value::Text("Städa".into()))]);
        assert_eq!(format!("{r:?}"), r#"Row { id: Int(7), title: Text("Städa") }"#);
    }
}
