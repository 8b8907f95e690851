-- The method library with its EMMIE evidence ratings, the idea bank of good examples with their
-- stories, and the idea board with its interest (issue 16, items 3 and 4), and the links from
-- interventions and plan measures to a method. Rules: store/src/knowledge/ and
-- kernel/sharing.rs (method_readable, good_example_readable, idea_readable).

-- One method. Read by everyone (also without login); written by system administrators and
-- county boards' coordinators. `target_groups`: codes of domain::actors::TARGET_GROUPS,
-- space-separated. Per EMMIE dimension a grade (NULL: not rated; effect 0–5, others 0–4, see
-- domain::knowledge) and a short text; `effect_direction` is what the evidence says of crime.
CREATE TABLE methods (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    description TEXT NOT NULL,
    target_groups TEXT NOT NULL DEFAULT '',
    prevention_level TEXT CHECK (prevention_level IN ('universal', 'selective', 'indicated', 'situational')),
    effect_direction TEXT CHECK (effect_direction IN ('reduces', 'mixed', 'no_effect', 'increases')),
    effect_grade INTEGER CHECK (effect_grade BETWEEN 0 AND 5),
    effect_text TEXT,
    mechanism_grade INTEGER CHECK (mechanism_grade BETWEEN 0 AND 4),
    mechanism_text TEXT,
    moderators_grade INTEGER CHECK (moderators_grade BETWEEN 0 AND 4),
    moderators_text TEXT,
    implementation_grade INTEGER CHECK (implementation_grade BETWEEN 0 AND 4),
    implementation_text TEXT,
    economic_grade INTEGER CHECK (economic_grade BETWEEN 0 AND 4),
    economic_text TEXT,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (short_name)
);

-- The sources a method's rating rests on, in order. `swedish`: a Swedish source (Brå,
-- Socialstyrelsen, Polisen, SKR…). `url` only when verified.
CREATE TABLE method_sources (
    id INTEGER PRIMARY KEY,
    method_id INTEGER NOT NULL REFERENCES methods(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    publisher TEXT,
    url TEXT,
    swedish INTEGER NOT NULL DEFAULT 0,
    UNIQUE (method_id, position)
);

ALTER TABLE interventions ADD COLUMN method_id INTEGER REFERENCES methods(id) ON DELETE SET NULL;
ALTER TABLE plan_measures ADD COLUMN method_id INTEGER REFERENCES methods(id) ON DELETE SET NULL;
CREATE INDEX interventions_method ON interventions (method_id);
CREATE INDEX plan_measures_method ON plan_measures (method_id);

-- A good example (gott exempel), owned by an organisation; a draft is read by the owner's users
-- only, a published one by everyone. `story`: an anonymised story about a person, only with
-- recorded consent (`story_consent_by_user_id`, `story_consent_at`; a CHECK refuses a story
-- without them). `contact`: an organisation's contact person or e-mail.
CREATE TABLE good_examples (
    id INTEGER PRIMARY KEY,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    method_id INTEGER REFERENCES methods(id) ON DELETE SET NULL,
    actors_text TEXT,
    municipality_code TEXT REFERENCES municipalities(code),
    what_done TEXT NOT NULL,
    results TEXT,
    evidence TEXT,
    contact TEXT,
    story TEXT,
    story_consent_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    story_consent_at INTEGER,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    published_at INTEGER,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (story IS NULL OR story_consent_at IS NOT NULL)
);
CREATE INDEX good_examples_owner ON good_examples (owner_org_id);

-- The organisations named as actors of an example (besides the free text).
CREATE TABLE good_example_orgs (
    example_id INTEGER NOT NULL REFERENCES good_examples(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    PRIMARY KEY (example_id, org_id)
);

-- An idea on the idea board: something an organisation cannot drive alone. Read by every
-- signed-in user while open, always by the owner's users.
CREATE TABLE board_ideas (
    id INTEGER PRIMARY KEY,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    needs TEXT NOT NULL,
    municipality_code TEXT REFERENCES municipalities(code),
    area TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX board_ideas_owner ON board_ideas (owner_org_id);

-- Another organisation's interest in an idea, with a message; read by the idea's owner's users
-- and the interested organisation's users.
CREATE TABLE board_idea_interests (
    id INTEGER PRIMARY KEY,
    idea_id INTEGER NOT NULL REFERENCES board_ideas(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (idea_id, org_id)
);
