//! What a migrated database looks like, read back from the database itself, the same way on
//! both backends.
//!
//! Brygga keeps two migration sets by hand (one per dialect). Nothing but a test can prove they
//! build the same schema, and the registries that must name every table of a kind (shareable
//! tables, columns referring to users) are only trustworthy when checked against the live
//! schema. [`read`] gives both: a [`Schema`] read through the [`Conn`] seam from
//! `sqlite_master` and its pragmas on SQLite, and from `pg_catalog` on PostgreSQL, in one
//! backend-neutral shape; [`differences`] compares two of them.
//!
//! Where the two databases legitimately differ, the difference is removed here and only here:
//! - column types are reduced to a [`Family`] ([`family`]);
//! - SQLite has no boolean type: a boolean is `INTEGER` 0/1 there and `BOOLEAN` on PostgreSQL,
//!   so [`Family::Integer`] on SQLite agrees with [`Family::Bool`] on PostgreSQL ([`Family::agrees`]);
//! - an auto-numbered key is `INTEGER PRIMARY KEY` (the rowid) on SQLite and an identity column
//!   on PostgreSQL: both read as [`Column::auto`];
//! - SQLite lets a non-integer primary-key column hold NULL unless it says `NOT NULL`
//!   (a historical quirk); PostgreSQL never does. Primary-key columns read as not null on both.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::kernel::db::{Conn, ConnExt, Dialect};
use crate::kernel::error::StoreResult;

/// A column type, reduced to what both databases can agree on. Instants are integers (Unix
/// milliseconds) on both, so there is no timestamp family: a PostgreSQL `timestamp` column is
/// [`Family::Other`] and never agrees with anything.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    Integer,
    Real,
    Text,
    Bool,
    Blob,
    /// A type outside the families, as declared.
    Other(String),
}

impl Family {
    /// Whether a SQLite column of family `self` and a PostgreSQL column of family `postgres`
    /// store the same thing.
    pub fn agrees(&self, postgres: &Family) -> bool {
        self == postgres || matches!((self, postgres), (Family::Integer, Family::Bool))
    }
}

/// The family of a declared type, as the dialect names it.
pub fn family(dialect: Dialect, declared: &str) -> Family {
    let t = declared.to_ascii_uppercase();
    let has = |s: &str| t.contains(s);
    match dialect {
        // SQLite's own affinity rules (https://sqlite.org/datatype3.html#affinity_name_examples).
        Dialect::Sqlite if has("INT") => Family::Integer,
        Dialect::Sqlite if has("CHAR") || has("CLOB") || has("TEXT") => Family::Text,
        Dialect::Sqlite if has("BLOB") || t.is_empty() => Family::Blob,
        Dialect::Sqlite if has("REAL") || has("FLOA") || has("DOUB") => Family::Real,
        Dialect::Sqlite if has("BOOL") => Family::Bool,
        Dialect::Postgres if matches!(t.as_str(), "BIGINT" | "INTEGER" | "SMALLINT") => Family::Integer,
        Dialect::Postgres if matches!(t.as_str(), "DOUBLE PRECISION" | "REAL") || t.starts_with("NUMERIC") => Family::Real,
        Dialect::Postgres if t == "TEXT" || t.starts_with("CHARACTER") => Family::Text,
        Dialect::Postgres if t == "BOOLEAN" => Family::Bool,
        Dialect::Postgres if t == "BYTEA" => Family::Blob,
        _ => Family::Other(declared.to_owned()),
    }
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub family: Family,
    pub nullable: bool,
    /// It has a `DEFAULT`.
    pub default: bool,
    /// The database numbers it (SQLite's rowid key, a PostgreSQL identity or serial column).
    pub auto: bool,
}

/// One foreign key: `columns` → `table(references)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub table: String,
    pub references: Vec<String>,
    /// `NO ACTION`, `RESTRICT`, `CASCADE`, `SET NULL` or `SET DEFAULT`.
    pub on_delete: String,
}

impl fmt::Display for ForeignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}) → {}({}) ON DELETE {}", self.columns.join(", "), self.table, self.references.join(", "), self.on_delete)
    }
}

/// One index created by `CREATE [UNIQUE] INDEX` (not one backing a key or a UNIQUE constraint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// Column names in order; `(expression)` for an expression.
    pub columns: Vec<String>,
    pub unique: bool,
    /// It has a `WHERE` predicate.
    pub partial: bool,
}

/// One table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: BTreeMap<String, Column>,
    pub primary_key: Vec<String>,
    pub foreign_keys: BTreeSet<ForeignKey>,
    /// The column lists of the UNIQUE constraints.
    pub unique: BTreeSet<Vec<String>>,
    /// By index name.
    pub indexes: BTreeMap<String, Index>,
}

/// Every table of the current schema (SQLite's own `sqlite_*` tables left out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
}

impl Schema {
    /// The tables that have every one of `columns`, sorted.
    pub fn tables_with(&self, columns: &[&str]) -> Vec<&str> {
        self.tables.iter().filter(|(_, t)| columns.iter().all(|c| t.columns.contains_key(*c))).map(|(n, _)| n.as_str()).collect()
    }
}

/// Reads the schema of the database behind `db`.
pub fn read(db: &mut dyn Conn) -> StoreResult<Schema> {
    let mut schema = Schema::default();
    match db.dialect() {
        Dialect::Sqlite => sqlite::read(db, &mut schema)?,
        Dialect::Postgres => postgres::read(db, &mut schema)?,
    }
    for table in schema.tables.values_mut() {
        for name in &table.primary_key {
            if let Some(c) = table.columns.get_mut(name) {
                c.nullable = false;
            }
        }
    }
    Ok(schema)
}

fn split(list: &str) -> Vec<String> {
    list.split(',').map(str::to_owned).collect()
}

mod sqlite {
    use super::*;

    pub(super) fn read(db: &mut dyn Conn, schema: &mut Schema) -> StoreResult<()> {
        let columns = db.map_all(
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS declared, p.\"notnull\" AS not_null,
                    p.dflt_value IS NOT NULL AS has_default, p.pk AS pk
             FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.pk, p.cid",
            &[],
            |r| {
                let (table, name, declared) =
                    (r.get::<String>("table_name")?, r.get::<String>("column_name")?, r.get::<String>("declared")?);
                Ok((table, name, declared, r.get::<bool>("not_null")?, r.get::<bool>("has_default")?, r.get::<i64>("pk")?))
            },
        )?;
        for (table, name, declared, not_null, default, pk) in columns {
            let t = schema.tables.entry(table).or_default();
            if pk > 0 {
                t.primary_key.push(name.clone());
            }
            let column = Column { family: family(Dialect::Sqlite, &declared), nullable: !not_null, default, auto: false };
            t.columns.insert(name, column);
        }
        mark_rowid_keys(db, schema)?;
        read_foreign_keys(db, schema)?;
        read_indexes(db, schema)
    }

    /// A single `INTEGER PRIMARY KEY` column is the rowid: SQLite numbers it.
    fn mark_rowid_keys(db: &mut dyn Conn, schema: &mut Schema) -> StoreResult<()> {
        let keys = db.map_all(
            "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND p.pk = 1 AND upper(p.type) = 'INTEGER'
               AND (SELECT COUNT(*) FROM pragma_table_info(m.name) q WHERE q.pk > 0) = 1",
            &[],
            |r| Ok((r.get::<String>("table_name")?, r.get::<String>("column_name")?)),
        )?;
        for (table, column) in keys {
            if let Some(c) = schema.tables.get_mut(&table).and_then(|t| t.columns.get_mut(&column)) {
                c.auto = true;
            }
        }
        Ok(())
    }

    fn read_foreign_keys(db: &mut dyn Conn, schema: &mut Schema) -> StoreResult<()> {
        let rows = db.map_all(
            "SELECT m.name AS table_name, f.id AS key_id, f.\"table\" AS target, f.\"from\" AS from_column,
                    f.\"to\" AS to_column, f.on_delete AS on_delete
             FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
             WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq",
            &[],
            |r| {
                let (table, id, target) = (r.get::<String>("table_name")?, r.get::<i64>("key_id")?, r.get::<String>("target")?);
                Ok((
                    table,
                    id,
                    target,
                    r.get::<String>("from_column")?,
                    r.get::<Option<String>>("to_column")?,
                    r.get::<String>("on_delete")?,
                ))
            },
        )?;
        let mut keys: BTreeMap<(String, i64), ForeignKey> = BTreeMap::new();
        for (table, id, target, from, to, on_delete) in rows {
            let key = keys.entry((table, id)).or_insert_with(|| ForeignKey {
                columns: vec![],
                table: target.clone(),
                references: vec![],
                on_delete: on_delete.to_ascii_uppercase(),
            });
            key.columns.push(from);
            // `REFERENCES t` without columns means t's primary key.
            key.references.extend(to);
        }
        for ((table, _), mut key) in keys {
            if key.references.is_empty() {
                key.references = schema.tables.get(&key.table).map(|t| t.primary_key.clone()).unwrap_or_default();
            }
            schema.tables.entry(table).or_default().foreign_keys.insert(key);
        }
        Ok(())
    }

    fn read_indexes(db: &mut dyn Conn, schema: &mut Schema) -> StoreResult<()> {
        let rows = db.map_all(
            "SELECT m.name AS table_name, il.name AS index_name, il.\"unique\" AS is_unique, il.origin AS origin,
                    il.partial AS partial,
                    (SELECT group_concat(coalesce(ii.name, '(expression)'), ',') FROM
                       (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno) ii) AS columns
             FROM sqlite_master m JOIN pragma_index_list(m.name) il
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, il.name",
            &[],
            |r| {
                let (table, name, unique) = (r.get::<String>("table_name")?, r.get::<String>("index_name")?, r.get::<bool>("is_unique")?);
                Ok((table, name, unique, r.get::<String>("origin")?, r.get::<bool>("partial")?, r.get::<String>("columns")?))
            },
        )?;
        for (table, name, unique, origin, partial, columns) in rows {
            let t = schema.tables.entry(table).or_default();
            match origin.as_str() {
                "pk" => {}
                "u" => {
                    t.unique.insert(split(&columns));
                }
                _ => {
                    t.indexes.insert(name, Index { columns: split(&columns), unique, partial });
                }
            }
        }
        Ok(())
    }
}

mod postgres {
    use super::*;

    /// The tables of the current schema, as `pg_class` rows aliased `c`.
    const TABLES: &str = "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'";

    pub(super) fn read(db: &mut dyn Conn, schema: &mut Schema) -> StoreResult<()> {
        let columns = db.map_all(
            &format!(
                "SELECT c.relname::text AS table_name, a.attname::text AS column_name,
                        format_type(a.atttypid, NULL) AS declared, a.attnotnull AS not_null,
                        a.atthasdef AND NOT coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', FALSE) AS has_default,
                        a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', FALSE) AS auto
                 FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                 {TABLES} ORDER BY c.relname, a.attnum"
            ),
            &[],
            |r| {
                let (table, name, declared) =
                    (r.get::<String>("table_name")?, r.get::<String>("column_name")?, r.get::<String>("declared")?);
                Ok((table, name, declared, r.get::<bool>("not_null")?, r.get::<bool>("has_default")?, r.get::<bool>("auto")?))
            },
        )?;
        for (table, name, declared, not_null, default, auto) in columns {
            let column = Column { family: family(Dialect::Postgres, &declared), nullable: !not_null, default, auto };
            schema.tables.entry(table).or_default().columns.insert(name, column);
        }
        read_constraints(db, schema)?;
        read_indexes(db, schema)
    }

    /// The column names of `attnums` (an `int2[]` expression) of relation `rel`, in order.
    fn names(attnums: &str, rel: &str) -> String {
        format!(
            "(SELECT string_agg(coalesce(a.attname::text, '(expression)'), ',' ORDER BY k.ord)
              FROM unnest({attnums}) WITH ORDINALITY k(attnum, ord)
              LEFT JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.attnum)"
        )
    }

    fn read_constraints(db: &mut dyn Conn, schema: &mut Schema) -> StoreResult<()> {
        // Table, kind (`p`, `u`, `f`), columns, referenced table and columns, `confdeltype`.
        let rows = db.map_all(
            &format!(
                "SELECT c.relname::text AS table_name, con.contype::text AS kind, {cols} AS columns,
                        r.relname::text AS target, {refs} AS references_columns, con.confdeltype::text AS on_delete
                 FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
                 LEFT JOIN pg_class r ON r.oid = con.confrelid
                 {TABLES} AND con.contype IN ('p', 'u', 'f') ORDER BY 1, 2, 3",
                cols = names("con.conkey", "con.conrelid"),
                refs = names("con.confkey", "con.confrelid"),
            ),
            &[],
            |r| {
                let (table, kind, columns) = (r.get::<String>("table_name")?, r.get::<String>("kind")?, r.get::<String>("columns")?);
                let (target, references) = (r.get::<Option<String>>("target")?, r.get::<Option<String>>("references_columns")?);
                Ok((table, kind, columns, target, references, r.get::<String>("on_delete")?))
            },
        )?;
        for (table, kind, columns, target, references, on_delete) in rows {
            let t = schema.tables.entry(table).or_default();
            match kind.as_str() {
                "p" => t.primary_key = split(&columns),
                "u" => {
                    t.unique.insert(split(&columns));
                }
                _ => {
                    let key = ForeignKey {
                        columns: split(&columns),
                        table: target.unwrap_or_default(),
                        references: references.as_deref().map(split).unwrap_or_default(),
                        on_delete: on_delete_name(&on_delete).to_owned(),
                    };
                    t.foreign_keys.insert(key);
                }
            }
        }
        Ok(())
    }

    /// `pg_constraint.confdeltype`, as SQLite's `pragma_foreign_key_list` spells it.
    fn on_delete_name(code: &str) -> &'static str {
        match code {
            "r" => "RESTRICT",
            "c" => "CASCADE",
            "n" => "SET NULL",
            "d" => "SET DEFAULT",
            _ => "NO ACTION",
        }
    }

    /// Indexes of their own: not the ones backing a primary key or a UNIQUE constraint.
    fn read_indexes(db: &mut dyn Conn, schema: &mut Schema) -> StoreResult<()> {
        let rows = db.map_all(
            &format!(
                "SELECT c.relname::text AS table_name, i.relname::text AS index_name, ix.indisunique AS is_unique,
                        ix.indpred IS NOT NULL AS partial, {cols} AS columns
                 FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class c ON c.oid = ix.indrelid
                 {TABLES} AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                                          WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u', 'x'))
                 ORDER BY 1, 2",
                cols = names("ix.indkey::int2[]", "ix.indrelid"),
            ),
            &[],
            |r| {
                let (table, name, unique) = (r.get::<String>("table_name")?, r.get::<String>("index_name")?, r.get::<bool>("is_unique")?);
                Ok((table, name, unique, r.get::<bool>("partial")?, r.get::<String>("columns")?))
            },
        )?;
        for (table, name, unique, partial, columns) in rows {
            schema.tables.entry(table).or_default().indexes.insert(name, Index { columns: split(&columns), unique, partial });
        }
        Ok(())
    }
}

/// Every way `postgres` differs from `sqlite`, one readable line each (empty when they agree).
pub fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for name in sqlite.tables.keys().chain(postgres.tables.keys()).collect::<BTreeSet<_>>() {
        match (sqlite.tables.get(name), postgres.tables.get(name)) {
            (Some(s), Some(p)) => table_differences(name, s, p, &mut out),
            (Some(_), None) => out.push(format!("table {name}: only on SQLite")),
            (None, Some(_)) => out.push(format!("table {name}: only on PostgreSQL")),
            (None, None) => {}
        }
    }
    out
}

fn table_differences(name: &str, s: &Table, p: &Table, out: &mut Vec<String>) {
    for column in s.columns.keys().chain(p.columns.keys()).collect::<BTreeSet<_>>() {
        match (s.columns.get(column), p.columns.get(column)) {
            (Some(a), Some(b)) => column_differences(&format!("{name}.{column}"), a, b, out),
            (Some(_), None) => out.push(format!("column {name}.{column}: only on SQLite")),
            (None, Some(_)) => out.push(format!("column {name}.{column}: only on PostgreSQL")),
            (None, None) => {}
        }
    }
    if s.primary_key != p.primary_key {
        out.push(format!(
            "table {name}: primary key ({}) on SQLite, ({}) on PostgreSQL",
            s.primary_key.join(", "),
            p.primary_key.join(", ")
        ));
    }
    for key in s.foreign_keys.symmetric_difference(&p.foreign_keys) {
        let only = if s.foreign_keys.contains(key) { "SQLite" } else { "PostgreSQL" };
        out.push(format!("table {name}: foreign key {key} only on {only}"));
    }
    for unique in s.unique.symmetric_difference(&p.unique) {
        let only = if s.unique.contains(unique) { "SQLite" } else { "PostgreSQL" };
        out.push(format!("table {name}: UNIQUE ({}) only on {only}", unique.join(", ")));
    }
    for index in s.indexes.keys().chain(p.indexes.keys()).collect::<BTreeSet<_>>() {
        match (s.indexes.get(index), p.indexes.get(index)) {
            (Some(a), Some(b)) if a == b => {}
            (a, b) => out.push(format!("index {index} on {name}: {} on SQLite, {} on PostgreSQL", describe(a), describe(b))),
        }
    }
}

fn describe(index: Option<&Index>) -> String {
    match index {
        None => "absent".to_owned(),
        Some(i) => {
            format!("{}({}){}", if i.unique { "UNIQUE " } else { "" }, i.columns.join(", "), if i.partial { " WHERE …" } else { "" })
        }
    }
}

fn column_differences(name: &str, s: &Column, p: &Column, out: &mut Vec<String>) {
    if !s.family.agrees(&p.family) {
        out.push(format!("column {name}: type {:?} on SQLite, {:?} on PostgreSQL", s.family, p.family));
    }
    let flags = [("nullable", s.nullable, p.nullable), ("has a default", s.default, p.default), ("auto-numbered", s.auto, p.auto)];
    for (what, a, b) in flags {
        if a != b {
            out.push(format!("column {name}: {what} is {a} on SQLite, {b} on PostgreSQL"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_reduce_each_dialects_names() {
        assert_eq!(family(Dialect::Sqlite, "INTEGER"), Family::Integer);
        assert_eq!(family(Dialect::Sqlite, "BIGINT"), Family::Integer);
        assert_eq!(family(Dialect::Sqlite, "TEXT"), Family::Text);
        assert_eq!(family(Dialect::Sqlite, "REAL"), Family::Real);
        assert_eq!(family(Dialect::Sqlite, "BLOB"), Family::Blob);
        assert_eq!(family(Dialect::Postgres, "bigint"), Family::Integer);
        assert_eq!(family(Dialect::Postgres, "double precision"), Family::Real);
        assert_eq!(family(Dialect::Postgres, "boolean"), Family::Bool);
        assert_eq!(family(Dialect::Postgres, "bytea"), Family::Blob);
        assert!(matches!(family(Dialect::Postgres, "timestamp with time zone"), Family::Other(_)));
        assert!(Family::Integer.agrees(&Family::Bool));
        assert!(!Family::Bool.agrees(&Family::Integer));
        assert!(!Family::Text.agrees(&Family::Integer));
    }

    #[test]
    fn differences_name_the_table_and_the_column() {
        let column = Column { family: Family::Integer, nullable: false, default: false, auto: false };
        let mut a = Schema::default();
        a.tables.entry("t".into()).or_default().columns.insert("x".into(), column.clone());
        let mut b = a.clone();
        b.tables.get_mut("t").unwrap().columns.insert("x".into(), Column { nullable: true, ..column });
        b.tables.insert("u".into(), Table::default());
        assert_eq!(differences(&a, &b), ["column t.x: nullable is false on SQLite, true on PostgreSQL", "table u: only on PostgreSQL"]);
        assert!(differences(&a, &a).is_empty());
    }
}
