//! Builds statements with optional filters without hand-numbering placeholders.

use crate::kernel::db::Value;

#[derive(Debug, Clone, Default)]
pub struct Query {
    pub sql: String,
    pub params: Vec<Value>,
}

impl Query {
    pub fn new(sql: impl Into<String>) -> Self {
        Self { sql: sql.into(), params: Vec::new() }
    }

    /// Appends `fragment`, turning each `?` into the next numbered placeholder (`$n`) bound to
    /// the next of `values`.
    pub fn push(&mut self, fragment: &str, values: impl IntoIterator<Item = Value>) -> &mut Self {
        let mut values = values.into_iter();
        for (i, part) in fragment.split('?').enumerate() {
            if i > 0 {
                self.params.push(values.next().expect("one value per `?`"));
                self.sql.push_str(&format!("${}", self.params.len()));
            }
            self.sql.push_str(part);
        }
        debug_assert!(values.next().is_none(), "more values than `?` in {fragment}");
        self
    }

    /// Appends text with no placeholders.
    pub fn raw(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }

    /// The number the next bound parameter will get.
    pub fn next_param(&self) -> usize {
        self.params.len() + 1
    }

    /// Binds `values` for a fragment built elsewhere with explicit `$n` numbers starting at
    /// [`next_param`](Self::next_param).
    pub fn push_numbered(&mut self, fragment: &str, values: impl IntoIterator<Item = Value>) -> &mut Self {
        self.sql.push_str(fragment);
        self.params.extend(values);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_in_order() {
        let mut q = Query::new("SELECT 1 WHERE 1=1");
        q.push(" AND a = ?", [Value::Int(1)]).push(" AND (b > ? OR (b = ? AND c > ?))", [Value::Int(2), Value::Int(2), Value::Int(3)]);
        assert_eq!(q.sql, "SELECT 1 WHERE 1=1 AND a = $1 AND (b > $2 OR (b = $3 AND c > $4))");
        assert_eq!(q.params.len(), 4);
    }
}
