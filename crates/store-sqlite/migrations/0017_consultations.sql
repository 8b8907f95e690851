-- Consultations (samråd, dialogmöten) with their input (medskick), themes, dispositions and the
-- compiled documentation (issue 16, items 1 and 2). Rules: store/src/dialogue/consultations/ and
-- kernel/sharing.rs (consultation_readable, consultation_organised).

-- One consultation. `lead_org_id` organises it; further organisers are in
-- consultation_organisers (the lead is listed there too). Times are epoch milliseconds;
-- `input_closes_at` is when input can no longer be given. `municipality_code` names the
-- municipality whose lägesbild its situation-picture input feeds (NULL: none).
CREATE TABLE consultations (
    id INTEGER PRIMARY KEY,
    lead_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('dialogue_meeting', 'round_table', 'written', 'survey')),
    purpose TEXT,
    municipality_code TEXT,
    meets_at INTEGER,
    meets_until INTEGER,
    place TEXT,
    digital_link TEXT,
    arrangements TEXT,
    registration_closes_at INTEGER,
    input_closes_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (meets_until IS NULL OR meets_at IS NULL OR meets_at <= meets_until)
);
CREATE INDEX consultations_lead ON consultations (lead_org_id);

CREATE TABLE consultation_organisers (
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    PRIMARY KEY (consultation_id, org_id)
);
CREATE INDEX consultation_organisers_org ON consultation_organisers (org_id);

-- The questions or themes put to the participants, in order.
CREATE TABLE consultation_questions (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (consultation_id, position)
);

-- Invited organisations (chosen from the directory) and their answer.
CREATE TABLE consultation_invitations (
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    invited_at INTEGER NOT NULL,
    invited_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    response TEXT CHECK (response IN ('accepted', 'declined')),
    responded_at INTEGER,
    PRIMARY KEY (consultation_id, org_id)
);
CREATE INDEX consultation_invitations_org ON consultation_invitations (org_id);

-- A person registered to take part, for an invited organisation.
CREATE TABLE consultation_registrations (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    attendance TEXT NOT NULL CHECK (attendance IN ('on_site', 'digital', 'written')),
    needs TEXT,
    registered_at INTEGER NOT NULL,
    cancelled_at INTEGER,
    UNIQUE (consultation_id, user_id)
);

-- Themes of a consultation: suggested by Brygga (confirmed = 0) until the organiser confirms.
CREATE TABLE consultation_themes (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    summary TEXT,
    position INTEGER NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (consultation_id, name)
);

-- One item of input (medskick): per question (NULL: general) and participating organisation.
-- `author_user_id` wrote it (NULL when a note-taker entered it for the organisation: then
-- `entered_by_user_id` is the note-taker). `attribution` is the participant's choice: 'named'
-- (the organisation is named in the compiled documentation) or 'anonymous'. `situation_material`:
-- the item is material for the municipality's lägesbild (item 2).
CREATE TABLE consultation_inputs (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    question_id INTEGER REFERENCES consultation_questions(id) ON DELETE SET NULL,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    author_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    entered_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    stage TEXT NOT NULL CHECK (stage IN ('before', 'during', 'after')),
    attribution TEXT NOT NULL CHECK (attribution IN ('named', 'anonymous')),
    situation_material INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    theme_id INTEGER REFERENCES consultation_themes(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX consultation_inputs_consultation ON consultation_inputs (consultation_id);
CREATE INDEX consultation_inputs_org ON consultation_inputs (org_id);
CREATE INDEX consultation_inputs_theme ON consultation_inputs (theme_id);

-- What became of an item: adopted, partly, not adopted, for information, with a reason.
CREATE TABLE consultation_dispositions (
    input_id BIGINT PRIMARY KEY REFERENCES consultation_inputs(id) ON DELETE CASCADE,
    outcome TEXT NOT NULL CHECK (outcome IN ('adopted', 'partly', 'not_adopted', 'for_information')),
    reason TEXT NOT NULL,
    decided_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    decided_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- What an item changed: a lägesbild section, a plan goal or measure, an action, a steering
-- decision. `target_kind` names the kind, `target_id` the record.
CREATE TABLE consultation_disposition_links (
    input_id INTEGER NOT NULL REFERENCES consultation_dispositions(input_id) ON DELETE CASCADE,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('situation', 'goal', 'measure', 'action', 'decision')),
    target_id INTEGER NOT NULL,
    PRIMARY KEY (input_id, target_kind, target_id)
);

-- The compiled documentation, one row per published version; `body` is the document as JSON
-- (themes, items with attribution applied, dispositions), frozen when published.
CREATE TABLE consultation_documents (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    note TEXT,
    published_at INTEGER NOT NULL,
    published_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    UNIQUE (consultation_id, version)
);
