-- Agreements and quality checklists (issue 14, items 6 and 7): samverkansöverenskommelser,
-- medborgarlöften, IOP and other agreements with their parties, signing dates, the lägesbild and
-- plan they rest on, the decision behind them and the signed document; versioned checklists,
-- assessments scored item by item and frozen snapshots of them. Rules: store/src/agreements/.

-- One agreement. A shareable record (owner, visibility, forum): the parties read it, and the
-- county board of its municipality reads it once concluded (kernel/sharing.rs). `status` is
-- stored as draft/concluded; "gällande"/"upphört" are derived from the period.
CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('cooperation_agreement', 'citizen_promise', 'iop', 'partnership', 'other')),
    title TEXT NOT NULL,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    -- `2026-01-01` … `2027-12-31`.
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'concluded')),
    situation_id INTEGER REFERENCES situations(id) ON DELETE SET NULL,
    plan_id INTEGER REFERENCES action_plans(id) ON DELETE SET NULL,
    -- The decision behind the agreement: body, date, reference number.
    decided_by TEXT,
    decided_on TEXT,
    decision_ref TEXT,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('organisation', 'forum', 'public')),
    forum_id INTEGER REFERENCES forums(id),
    concluded_at INTEGER,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (period_from <= period_to),
    CHECK ((visibility = 'forum') = (forum_id IS NOT NULL)),
    CHECK (status <> 'draft' OR visibility = 'organisation'),
    CHECK ((status = 'draft') = (concluded_at IS NULL))
);
CREATE INDEX agreements_municipality ON agreements(municipality_code, kind);

-- The parties and the day each signed.
CREATE TABLE agreement_parties (
    agreement_id INTEGER NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    signed_on TEXT,
    PRIMARY KEY (agreement_id, org_id)
);
CREATE INDEX agreement_parties_org ON agreement_parties(org_id);

-- The signed document (PDF or DOCX, checked by content), one per agreement.
CREATE TABLE agreement_documents (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL UNIQUE REFERENCES agreements(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    uploaded_at INTEGER NOT NULL
);

-- Expiry reminders sent: once per agreement, end date, threshold (90, 30 days) and person.
CREATE TABLE agreement_reminder_sends (
    agreement_id INTEGER NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    period_to TEXT NOT NULL,
    days_before INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    outbox_id INTEGER REFERENCES mail_outbox(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, period_to, days_before, user_id)
);

-- A checklist (criteria set): Brygga's own (no owner, `builtin_key` set) or a county board's.
CREATE TABLE checklist_sets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_org_id INTEGER REFERENCES organisations(id) ON DELETE CASCADE,
    builtin_key TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A version of a set. A version used by an assessment never changes: editing makes a new one.
CREATE TABLE checklist_versions (
    id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES checklist_sets(id) ON DELETE CASCADE,
    version_no INTEGER NOT NULL,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (set_id, version_no)
);

CREATE TABLE checklist_items (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES checklist_versions(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    guidance TEXT,
    evidence TEXT,
    weight REAL NOT NULL DEFAULT 1 CHECK (weight > 0),
    derived_rule TEXT,
    UNIQUE (version_id, key)
);

-- A working assessment of an agreement by one organisation against one checklist version.
CREATE TABLE assessments (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    version_id INTEGER NOT NULL REFERENCES checklist_versions(id),
    assessor_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (agreement_id, assessor_org_id, version_id)
);

CREATE TABLE assessment_scores (
    assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES checklist_items(id) ON DELETE CASCADE,
    score TEXT NOT NULL CHECK (score IN ('met', 'partly', 'not_met', 'not_applicable')),
    evidence TEXT,
    comment TEXT,
    scored_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    scored_at INTEGER NOT NULL,
    PRIMARY KEY (assessment_id, item_id)
);

-- A frozen snapshot: the set's name and version and every item's text are copied, so editing
-- the set afterwards changes nothing here.
CREATE TABLE assessment_snapshots (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    assessor_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('baseline', 'follow_up', 'other')),
    label TEXT NOT NULL,
    taken_on TEXT NOT NULL,
    set_name TEXT NOT NULL,
    version_id INTEGER REFERENCES checklist_versions(id) ON DELETE SET NULL,
    version_no INTEGER NOT NULL,
    score_percent REAL,
    taken_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX assessment_snapshots_agreement ON assessment_snapshots(agreement_id, taken_on);

CREATE TABLE snapshot_items (
    snapshot_id INTEGER NOT NULL REFERENCES assessment_snapshots(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    guidance TEXT,
    evidence_asked TEXT,
    weight REAL NOT NULL,
    score TEXT CHECK (score IN ('met', 'partly', 'not_met', 'not_applicable')),
    evidence TEXT,
    comment TEXT,
    derived INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (snapshot_id, key)
);
