-- Swedish full-text search (issue 15, item 6): the index the search folder builds from
-- `search_pending` (crates/store/src/search/). Terms are Snowball Swedish stems computed in Rust
-- (brygga_domain::words), never FTS5, so SQLite and PostgreSQL hold the same terms and rank the
-- same way. Only the search folder writes these tables.

-- One indexed record: what a hit shows and where it links.
CREATE TABLE search_documents (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    path TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (kind, record_id)
);

-- The municipalities a document concerns (facet and filter).
CREATE TABLE search_document_municipalities (
    doc_id INTEGER NOT NULL REFERENCES search_documents(id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL,
    PRIMARY KEY (doc_id, municipality_code)
);
CREATE INDEX search_document_municipalities_code ON search_document_municipalities(municipality_code, doc_id);

-- Who may read a document: reader keys (`public`, `signed_in`, `org:12`, `forum:3`,
-- kernel/index.rs). A viewer reads a document when it holds one of its keys.
CREATE TABLE search_readers (
    reader_key TEXT NOT NULL,
    doc_id INTEGER NOT NULL REFERENCES search_documents(id) ON DELETE CASCADE,
    PRIMARY KEY (reader_key, doc_id)
);
CREATE INDEX search_readers_doc ON search_readers(doc_id, reader_key);

-- Postings: each term of a document with how often it occurs in the title and in the body.
CREATE TABLE search_terms (
    term TEXT NOT NULL,
    doc_id INTEGER NOT NULL REFERENCES search_documents(id) ON DELETE CASCADE,
    title_count INTEGER NOT NULL,
    body_count INTEGER NOT NULL,
    PRIMARY KEY (term, doc_id)
);
CREATE INDEX search_terms_doc ON search_terms(doc_id);

-- How many documents hold each term: the query evaluates the rarest term first.
CREATE TABLE search_term_docs (
    term TEXT PRIMARY KEY,
    docs INTEGER NOT NULL
);
