-- The search index's inbox (issue 15, item 6): a command that changes something searchable
-- writes one row here in its own transaction; the search folder indexes pending rows before it
-- answers and in its job (crates/store/src/kernel/index.rs).
CREATE TABLE search_pending (
    kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    touched_at INTEGER NOT NULL,
    PRIMARY KEY (kind, record_id)
);
