-- The register of ongoing interventions (pågående insatser) with its overlap hints, and networks
-- and reference groups (issue 15, items 3 and 5). Rules: store/src/actors/{interventions,
-- overlap,networks}.rs and kernel/sharing.rs.

-- One intervention. A shareable record (owner, visibility, forum); its partners read it as if
-- it were shared with them. `terms` holds the Swedish stems of title and description
-- (space-separated, sorted, deduplicated) and `themes`/`target_groups` the code lists' codes
-- (space-separated), so the overlap check scores in Rust without re-stemming 100,000 texts.
-- Ages and the end date are optional (NULL: any age, open-ended).
CREATE TABLE interventions (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    method TEXT,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    period_from TEXT NOT NULL,
    period_to TEXT,
    recurrence TEXT NOT NULL,
    age_from INTEGER,
    age_to INTEGER,
    themes TEXT NOT NULL,
    target_groups TEXT NOT NULL,
    terms TEXT NOT NULL,
    funder TEXT,
    funding_from TEXT,
    funding_to TEXT,
    contact TEXT,
    lat REAL,
    lon REAL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'ongoing', 'ended')),
    discoverable INTEGER NOT NULL DEFAULT 0,
    visibility TEXT NOT NULL CHECK (visibility IN ('organisation', 'forum', 'public')),
    forum_id INTEGER REFERENCES forums(id),
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (period_to IS NULL OR period_from <= period_to),
    CHECK (age_from IS NULL OR age_to IS NULL OR age_from <= age_to),
    CHECK (funding_from IS NULL OR funding_to IS NULL OR funding_from <= funding_to),
    CHECK ((visibility = 'forum') = (forum_id IS NOT NULL))
);
CREATE INDEX interventions_owner ON interventions(owner_org_id);
CREATE INDEX interventions_period ON interventions(period_from, period_to);

-- The municipalities an intervention runs in (at least one). The overlap prefilter starts here.
CREATE TABLE intervention_municipalities (
    intervention_id INTEGER NOT NULL REFERENCES interventions(id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    PRIMARY KEY (intervention_id, municipality_code)
);
CREATE INDEX intervention_municipalities_code ON intervention_municipalities(municipality_code, intervention_id);

-- The areas (places::areas) of those municipalities where it runs.
CREATE TABLE intervention_areas (
    intervention_id INTEGER NOT NULL REFERENCES interventions(id) ON DELETE CASCADE,
    area_id INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    PRIMARY KEY (intervention_id, area_id)
);
CREATE INDEX intervention_areas_area ON intervention_areas(area_id);

-- Partner organisations (they read the intervention; they do not write it).
CREATE TABLE intervention_partners (
    intervention_id INTEGER NOT NULL REFERENCES interventions(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    PRIMARY KEY (intervention_id, org_id)
);
CREATE INDEX intervention_partners_org ON intervention_partners(org_id);

-- Overlap hints: one row per pair (low id first) whose score reached the threshold, refreshed
-- for an intervention every time it changes. `reasons` is a JSON array of Swedish sentences.
CREATE TABLE intervention_overlaps (
    low_id INTEGER NOT NULL REFERENCES interventions(id) ON DELETE CASCADE,
    high_id INTEGER NOT NULL REFERENCES interventions(id) ON DELETE CASCADE,
    score INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    computed_at INTEGER NOT NULL,
    PRIMARY KEY (low_id, high_id),
    CHECK (low_id < high_id)
);
CREATE INDEX intervention_overlaps_high ON intervention_overlaps(high_id);

-- A network or reference group. Shareable; its member organisations read it too.
CREATE TABLE networks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('network', 'reference_group')),
    purpose TEXT NOT NULL,
    cadence TEXT NOT NULL CHECK (cadence IN ('weekly', 'monthly', 'quarterly', 'half_yearly', 'as_needed')),
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('organisation', 'forum', 'public')),
    forum_id INTEGER REFERENCES forums(id),
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((visibility = 'forum') = (forum_id IS NOT NULL))
);
CREATE INDEX networks_owner ON networks(owner_org_id);

-- A member: an organisation, or a person who need not have an account (name, title, the
-- organisation as text, e-mail optional: personal data, exported and erased by address).
CREATE TABLE network_members (
    id INTEGER PRIMARY KEY,
    network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
    org_id INTEGER REFERENCES organisations(id) ON DELETE CASCADE,
    person_name TEXT,
    person_title TEXT,
    organisation_text TEXT,
    email TEXT,
    position TEXT NOT NULL CHECK (position IN ('chair', 'secretary', 'member', 'co_opted', 'deputy')),
    joined_on TEXT NOT NULL,
    ceased_on TEXT,
    created_at INTEGER NOT NULL,
    CHECK ((org_id IS NULL) <> (person_name IS NULL)),
    CHECK (ceased_on IS NULL OR joined_on <= ceased_on)
);
CREATE INDEX network_members_network ON network_members(network_id);
CREATE INDEX network_members_org ON network_members(org_id);
CREATE INDEX network_members_email ON network_members(email);
