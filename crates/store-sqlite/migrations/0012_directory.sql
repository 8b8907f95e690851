-- The public directory (issue 15, item 1): an organisation's directory profile (themes, target
-- groups, languages, the areas it serves; its municipalities are its approved claims) and its
-- offers (activities) modelled on Open Referral HSDS 3.0 services and schedules, with the
-- verification reminders sent. Nothing is public until the organisation publishes it: the
-- organisation's `public_profile` and the offer's own `published`. Rules: store/src/actors/.

-- Codes are stored comma-separated between commas (`,idrott,kultur,`) so a filter is one LIKE.
CREATE TABLE directory_profiles (
    org_id BIGINT PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    themes TEXT NOT NULL DEFAULT '',
    target_groups TEXT NOT NULL DEFAULT '',
    -- ISO 639-1 codes, comma-separated between commas.
    languages TEXT NOT NULL DEFAULT '',
    -- The organisation's own contact details (shown publicly when the profile is public).
    contact_email TEXT,
    contact_phone TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
);

-- The areas (places::areas) an organisation serves.
CREATE TABLE directory_profile_areas (
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    area_id INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    PRIMARY KEY (org_id, area_id)
);

-- One offer (HSDS service). Where: a municipality the organisation serves, optionally an area
-- and a named place with a position (WGS 84).
CREATE TABLE offers (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    age_from INTEGER,
    age_to INTEGER,
    themes TEXT NOT NULL DEFAULT '',
    target_groups TEXT NOT NULL DEFAULT '',
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    area_id INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    place_name TEXT,
    lat REAL,
    lon REAL,
    free INTEGER NOT NULL,
    cost_text TEXT,
    eligibility TEXT,
    how_to_join TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    contact_url TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'ended')),
    published INTEGER NOT NULL DEFAULT 0,
    verified_on TEXT,
    verified_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    verification_interval_days INTEGER NOT NULL CHECK (verification_interval_days BETWEEN 7 AND 730),
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (age_from IS NULL OR age_to IS NULL OR age_from <= age_to),
    CHECK ((lat IS NULL) = (lon IS NULL))
);
CREATE INDEX offers_org ON offers(org_id);
CREATE INDEX offers_public ON offers(published, municipality_code, status);
-- The directory pages by Swedish name order (name_key) and stops after a page.
CREATE INDEX offers_name ON offers(name_key, id);

-- When an offer runs (HSDS schedule, weekly): a weekday (1 = Monday … 7 = Sunday), opening and
-- closing time `HH:MM` (Europe/Stockholm), optionally valid from–to (`YYYY-MM-DD`).
CREATE TABLE offer_schedules (
    id INTEGER PRIMARY KEY,
    offer_id INTEGER NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT,
    CHECK (opens_at < closes_at),
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);
CREATE INDEX offer_schedules_offer ON offer_schedules(offer_id);
CREATE INDEX offer_schedules_day ON offer_schedules(weekday, offer_id);

-- Verification reminders sent: once per offer, due date and person.
CREATE TABLE offer_verification_sends (
    offer_id INTEGER NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
    due_on TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    outbox_id INTEGER REFERENCES mail_outbox(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (offer_id, due_on, user_id)
);
