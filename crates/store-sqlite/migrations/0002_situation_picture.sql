-- Lägesbild: areas, EST categories, observations, police events, crime statistics, safety
-- surveys, the weekly questionnaire, imports and idempotency. Never edit once landed.

-- A municipality's own places: districts, parks, squares, school yards… (WGS84 GeoJSON).
CREATE TABLE areas (
    id INTEGER PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    parent_id INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    geometry TEXT NOT NULL,
    min_lon REAL NOT NULL,
    min_lat REAL NOT NULL,
    max_lon REAL NOT NULL,
    max_lat REAL NOT NULL,
    centroid_lon REAL NOT NULL,
    centroid_lat REAL NOT NULL,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (municipality_code, name_key)
);
CREATE INDEX areas_parent ON areas(parent_id);

-- A forum's EST checklist.
CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    intensity_max INTEGER,
    sort_order INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (forum_id, code)
);

-- One imported file; the same file (by SHA-256) is not imported twice by one organisation.
CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    file_name TEXT,
    file_sha256 TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX import_batches_file ON import_batches(kind, owner_org_id, file_sha256);

-- A file uploaded for the import wizard (mapping, preview), kept until committed or expired.
CREATE TABLE import_uploads (
    id INTEGER PRIMARY KEY,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content BLOB NOT NULL,
    file_sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- What partners saw (EST reports). A shareable record (see sharing.rs).
CREATE TABLE observations (
    id INTEGER PRIMARY KEY,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('organisation', 'forum', 'public')),
    forum_id INTEGER REFERENCES forums(id),
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    area_id INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    category_id INTEGER NOT NULL REFERENCES categories(id),
    observed_at INTEGER NOT NULL,
    week INTEGER NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity >= 1),
    intensity INTEGER,
    lon REAL,
    lat REAL,
    note TEXT,
    source TEXT NOT NULL,
    reporter_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    batch_id INTEGER REFERENCES import_batches(id) ON DELETE CASCADE,
    idempotency_key TEXT,
    created_at INTEGER NOT NULL,
    CHECK ((visibility = 'forum') = (forum_id IS NOT NULL))
);
-- Covering index for the weekly picture: everything the aggregation and the sharing rule read.
CREATE INDEX observations_picture ON observations(municipality_code, week, category_id, area_id, owner_org_id, visibility, forum_id, quantity);
CREATE INDEX observations_owner ON observations(owner_org_id, week);
CREATE INDEX observations_forum ON observations(forum_id, week);
CREATE INDEX observations_batch ON observations(batch_id);
CREATE UNIQUE INDEX observations_idempotency ON observations(owner_org_id, idempotency_key);

-- Events from the police's public events API; public data, history kept locally.
CREATE TABLE police_events (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    week INTEGER NOT NULL,
    name TEXT NOT NULL,
    summary TEXT NOT NULL,
    url TEXT NOT NULL,
    event_type TEXT NOT NULL,
    location_name TEXT NOT NULL,
    municipality_code TEXT REFERENCES municipalities(code),
    county_code TEXT REFERENCES counties(code),
    lon REAL,
    lat REAL,
    batch_id INTEGER REFERENCES import_batches(id) ON DELETE SET NULL,
    fetched_at INTEGER NOT NULL
);
CREATE INDEX police_events_place_week ON police_events(municipality_code, week);
CREATE INDEX police_events_county_week ON police_events(county_code, week);

-- A forum's mapping of police event types to its categories.
CREATE TABLE police_event_mappings (
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    PRIMARY KEY (forum_id, event_type)
);

-- Monthly reported crimes per municipality and offence (NULL count: suppressed in the source).
CREATE TABLE crime_statistics (
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    year INTEGER NOT NULL,
    month INTEGER NOT NULL,
    offence TEXT NOT NULL,
    crime_count REAL,
    batch_id INTEGER REFERENCES import_batches(id) ON DELETE SET NULL,
    PRIMARY KEY (municipality_code, year, month, offence)
);

-- Safety survey results per area and question. A shareable record.
CREATE TABLE safety_surveys (
    id INTEGER PRIMARY KEY,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('organisation', 'forum', 'public')),
    forum_id INTEGER REFERENCES forums(id),
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    area_id INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    area_name TEXT NOT NULL,
    question TEXT NOT NULL,
    year INTEGER NOT NULL,
    share_unsafe REAL NOT NULL,
    respondents INTEGER,
    batch_id INTEGER REFERENCES import_batches(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    CHECK ((visibility = 'forum') = (forum_id IS NOT NULL))
);
CREATE INDEX safety_surveys_place ON safety_surveys(municipality_code, year);

-- The weekly questionnaire (Trelleborg's EST routine): which areas each reporter answers for,
-- how often, and who has answered which week ("inget att rapportera" is an answer).
CREATE TABLE questionnaires (
    forum_id INTEGER PRIMARY KEY REFERENCES forums(id) ON DELETE CASCADE,
    every_weeks INTEGER NOT NULL DEFAULT 1 CHECK (every_weeks BETWEEN 1 AND 8),
    first_week INTEGER NOT NULL,
    reminder_weekday INTEGER NOT NULL DEFAULT 4,
    active INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
);
CREATE TABLE reporter_areas (
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    area_id INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    PRIMARY KEY (forum_id, user_id, area_id)
);
CREATE TABLE weekly_responses (
    id INTEGER PRIMARY KEY,
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    week INTEGER NOT NULL,
    nothing_to_report INTEGER NOT NULL,
    observation_count INTEGER NOT NULL,
    submitted_at INTEGER NOT NULL,
    UNIQUE (forum_id, user_id, week)
);

-- Responses to API calls with an Idempotency-Key: a retried POST returns the first answer.
CREATE TABLE idempotency_keys (
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (owner_org_id, key)
);
