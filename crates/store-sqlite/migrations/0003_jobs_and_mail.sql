-- Background jobs and the e-mail outbox. Never edit once landed.

-- The durable job queue (brygga_store::jobs). A job is claimed by one worker for a lease;
-- a worker that dies leaves it `running` with an expired lease, and the next claim takes it
-- again. `dedup_key` makes enqueuing the same logical job twice a no-op (a weekly digest per
-- forum and ISO week, one send per outbox message).
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    dedup_key TEXT UNIQUE,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    run_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
    locked_by TEXT,
    locked_until INTEGER,
    -- An error class and code (`connection`, `smtp_permanent 550`), never a message that could
    -- carry an address or text.
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER,
    CHECK ((state = 'running') = (locked_until IS NOT NULL))
);
-- The claim reads the due queued jobs in order, and the expired leases; both partial.
CREATE INDEX jobs_due ON jobs(run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_leased ON jobs(locked_until) WHERE state = 'running';
CREATE INDEX jobs_finished ON jobs(finished_at) WHERE state IN ('done', 'failed');

-- Every e-mail Brygga sends, written before it is sent. The Message-ID is fixed here, so a
-- resend after a crash carries the same one and duplicates are recognisable. Holds personal
-- data (the address, the text): sent messages are purged after 30 days, and erasing an
-- account deletes the messages to it.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipient_user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    job_id INTEGER,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX mail_outbox_unsent ON mail_outbox(id) WHERE sent_at IS NULL;
CREATE INDEX mail_outbox_sent ON mail_outbox(sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX mail_outbox_recipient ON mail_outbox(recipient);
