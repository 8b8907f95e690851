-- Foundation: geography, organisations, accounts, forums, sharing, audit.
-- Instants are INTEGER Unix milliseconds (UTC). Never edit this file once landed.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE counties (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE municipalities (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES counties(code)
);

CREATE TABLE police_areas (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE police_area_municipalities (
    police_area_id INTEGER NOT NULL REFERENCES police_areas(id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    PRIMARY KEY (police_area_id, municipality_code)
);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    org_number TEXT UNIQUE,
    description TEXT,
    website TEXT,
    public_profile INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE organisation_municipalities (
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    PRIMARY KEY (org_id, municipality_code)
);
CREATE INDEX organisation_municipalities_code ON organisation_municipalities(municipality_code);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    system_admin INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_login_at INTEGER
);

CREATE TABLE memberships (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, org_id)
);
CREATE INDEX memberships_org ON memberships(org_id);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE forums (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    description TEXT,
    municipality_code TEXT REFERENCES municipalities(code),
    convener_org_id INTEGER NOT NULL REFERENCES organisations(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE forum_members (
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (forum_id, org_id)
);
CREATE INDEX forum_members_org ON forum_members(org_id);

CREATE TABLE forum_contacts (
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    PRIMARY KEY (forum_id, user_id)
);

-- A shareable record: owner_org_id + visibility + forum_id (see sharing.rs).
CREATE TABLE contact_persons (
    id INTEGER PRIMARY KEY,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('organisation', 'forum', 'public')),
    forum_id INTEGER REFERENCES forums(id),
    name TEXT NOT NULL,
    title TEXT,
    email TEXT,
    phone TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((visibility = 'forum') = (forum_id IS NOT NULL))
);
CREATE INDEX contact_persons_owner ON contact_persons(owner_org_id);
CREATE INDEX contact_persons_forum ON contact_persons(forum_id);

-- No foreign keys: entries outlive the users and records they name.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_user_id INTEGER,
    actor_label TEXT,
    actor_org_id INTEGER,
    action TEXT NOT NULL,
    record_kind TEXT,
    record_id INTEGER,
    org_id INTEGER,
    fields TEXT,
    ip TEXT,
    via TEXT NOT NULL,
    request_id TEXT
);
CREATE INDEX audit_log_org ON audit_log(org_id, id);
CREATE INDEX audit_log_actor_org ON audit_log(actor_org_id, id);
CREATE INDEX audit_log_actor ON audit_log(actor_user_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    email_hash TEXT NOT NULL,
    ip TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_email ON login_failures(email_hash, at);
CREATE INDEX login_failures_ip ON login_failures(ip, at);
