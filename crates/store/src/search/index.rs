//! The index: documents, their readers, municipalities and term postings, written from the
//! [`Document`]s the owning folders describe ([`super::document`]). Only this module writes the
//! `search_*` tables.

use std::collections::BTreeMap;

use brygga_domain::words;

use crate::kernel::db::{Conn, ConnExt, Value};
use crate::kernel::error::StoreResult;
use crate::kernel::index::Document;
use crate::{args, now_ms};

/// How many pending rows one refresh transaction takes at most; the rest wait for the next.
pub const REFRESH_BATCH: i64 = 500;

/// Term counts of one document: term → (title count, body count), sorted by term.
pub fn postings(title: &str, body: &str) -> BTreeMap<String, (i64, i64)> {
    let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for t in words::terms(title) {
        out.entry(t).or_default().0 += 1;
    }
    for t in words::terms(body) {
        out.entry(t).or_default().1 += 1;
    }
    out
}

/// Drops the index entry of one record (no-op when there is none).
pub fn remove(db: &mut dyn Conn, kind: &str, record_id: i64) -> StoreResult<()> {
    let Some(doc_id) =
        db.scalar_opt::<i64>("SELECT id FROM search_documents WHERE kind = $1 AND record_id = $2", args![kind, record_id])?
    else {
        return Ok(());
    };
    db.execute(
        "UPDATE search_term_docs SET docs = docs - 1 WHERE term IN (SELECT term FROM search_terms WHERE doc_id = $1)",
        args![doc_id],
    )?;
    db.execute("DELETE FROM search_term_docs WHERE docs <= 0", &[])?;
    db.execute("DELETE FROM search_terms WHERE doc_id = $1", args![doc_id])?;
    db.execute("DELETE FROM search_readers WHERE doc_id = $1", args![doc_id])?;
    db.execute("DELETE FROM search_document_municipalities WHERE doc_id = $1", args![doc_id])?;
    db.execute("DELETE FROM search_documents WHERE id = $1", args![doc_id])?;
    Ok(())
}

/// Writes (or rewrites) the index entry of one document.
pub fn put(db: &mut dyn Conn, d: &Document) -> StoreResult<()> {
    remove(db, d.kind, d.id)?;
    let doc_id: i64 = db.scalar(
        "INSERT INTO search_documents (kind, record_id, title, body, path, updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        args![d.kind, d.id, d.title.as_str(), d.body.as_str(), d.path.as_str(), d.updated_at_ms],
    )?;
    let mut keys: Vec<String> = d.readers.iter().map(|r| r.key()).collect();
    keys.sort();
    keys.dedup();
    db.bulk_insert("search_readers", &["reader_key", "doc_id"], &mut keys.into_iter().map(|k| vec![Value::Text(k), Value::Int(doc_id)]))?;
    let mut codes = d.municipalities.clone();
    codes.sort();
    codes.dedup();
    db.bulk_insert(
        "search_document_municipalities",
        &["doc_id", "municipality_code"],
        &mut codes.into_iter().map(|c| vec![Value::Int(doc_id), Value::Text(c)]),
    )?;
    let terms = postings(&d.title, &d.body);
    for term in terms.keys() {
        db.execute(
            "INSERT INTO search_term_docs (term, docs) VALUES ($1, 1) ON CONFLICT (term) DO UPDATE SET docs = search_term_docs.docs + 1",
            args![term.as_str()],
        )?;
    }
    db.bulk_insert(
        "search_terms",
        &["term", "doc_id", "title_count", "body_count"],
        &mut terms.into_iter().map(|(t, (tc, bc))| vec![Value::Text(t), Value::Int(doc_id), Value::Int(tc), Value::Int(bc)]),
    )?;
    Ok(())
}

/// How many records wait to be indexed.
pub fn pending(db: &mut dyn Conn) -> StoreResult<i64> {
    Ok(db.scalar("SELECT COUNT(*) FROM search_pending", &[])?)
}

/// Turns pending rows into index entries (up to [`REFRESH_BATCH`]; call again while it returns
/// a full batch): each record's document comes from its kind's folder; a record that is gone
/// (or of a kind the index does not know) loses its entry. Returns how many rows were handled.
pub fn refresh(db: &mut dyn Conn) -> StoreResult<usize> {
    let rows: Vec<(String, i64, i64)> = db.map_all(
        "SELECT kind, record_id, touched_at FROM search_pending ORDER BY touched_at, kind, record_id LIMIT $1",
        args![REFRESH_BATCH],
        |r| Ok((r.get("kind")?, r.get("record_id")?, r.get("touched_at")?)),
    )?;
    for (kind, id, touched_at) in &rows {
        match super::document(db, kind, *id)? {
            Some(d) => put(db, &d)?,
            None => remove(db, kind, *id)?,
        }
        // A touch that came in meanwhile (another transaction) stays pending.
        db.execute(
            "DELETE FROM search_pending WHERE kind = $1 AND record_id = $2 AND touched_at = $3",
            args![kind.as_str(), *id, *touched_at],
        )?;
    }
    Ok(rows.len())
}

/// Refreshes until nothing is pending.
pub fn refresh_all(db: &mut dyn Conn) -> StoreResult<usize> {
    let mut n = 0;
    loop {
        let done = refresh(db)?;
        n += done;
        if done < REFRESH_BATCH as usize {
            return Ok(n);
        }
    }
}

/// Marks every record of every kind as pending (the full rebuild), and entries whose records
/// are gone too; a refresh then rebuilds the index. Returns how many records were marked.
pub fn mark_all(db: &mut dyn Conn) -> StoreResult<usize> {
    let now = now_ms();
    let mut n = 0;
    for (kind, sql) in super::ALL_RECORDS {
        let ids: Vec<i64> = db.scalars(sql, &[])?;
        for id in ids {
            mark(db, kind, id, now)?;
            n += 1;
        }
    }
    let indexed: Vec<(String, i64)> =
        db.map_all("SELECT kind, record_id FROM search_documents", &[], |r| Ok((r.get("kind")?, r.get("record_id")?)))?;
    for (kind, id) in indexed {
        mark(db, &kind, id, now)?;
    }
    Ok(n)
}

fn mark(db: &mut dyn Conn, kind: &str, id: i64, now: i64) -> StoreResult<()> {
    db.execute(
        "INSERT INTO search_pending (kind, record_id, touched_at) VALUES ($1, $2, $3)
         ON CONFLICT (kind, record_id) DO UPDATE SET touched_at = excluded.touched_at",
        args![kind, id, now],
    )?;
    Ok(())
}

/// The full rebuild (`brygga search reindex`): marks everything, then refreshes it all.
pub fn reindex(db: &mut dyn Conn) -> StoreResult<usize> {
    mark_all(db)?;
    refresh_all(db)
}

/// At start-up (`Store::migrate`): builds the index when it is empty, so data written before
/// the index existed is searchable. A no-op on later starts.
pub fn reindex_if_empty(db: &mut dyn Conn) -> StoreResult<usize> {
    let docs: i64 = db.scalar("SELECT COUNT(*) FROM search_documents", &[])?;
    if docs > 0 {
        return Ok(0);
    }
    reindex(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_count_title_and_body_apart() {
        let p = postings("Ungdomsgården", "Två ungdomsgårdar och en fritidsgård");
        let key = words::stem("ungdomsgård");
        assert_eq!(p.get(&key), Some(&(1, 1)));
        assert!(!p.contains_key("och"));
    }
}
