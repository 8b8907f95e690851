-- Training and events (issue 16, item 5): the course catalogue with tracks per role, events with
-- registration, capacity, waiting list and attendance, certificates of completion and the
-- post-event survey with anonymous answers. Rules: store/src/dialogue/events/ and
-- kernel/sharing.rs (event_readable, event_organised).

-- A course (utbildning) of the catalogue, owned by the organisation that gives it. `level`:
-- basic (grundnivå, for many staff) or deep (fördjupning, for key functions). `target_roles`:
-- space-separated role codes (dialogue::events::ROLES).
CREATE TABLE courses (
    id INTEGER PRIMARY KEY,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('basic', 'deep')),
    target_roles TEXT NOT NULL DEFAULT '',
    duration_hours INTEGER NOT NULL CHECK (duration_hours > 0),
    description TEXT NOT NULL,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX courses_owner ON courses (owner_org_id);

-- A track (utbildningsspår): the courses a role should take, in order.
CREATE TABLE course_tracks (
    id INTEGER PRIMARY KEY,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE course_track_courses (
    track_id INTEGER NOT NULL REFERENCES course_tracks(id) ON DELETE CASCADE,
    course_id INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (track_id, course_id)
);

-- An event. Times are epoch milliseconds. `capacity` NULL: no limit.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    organiser_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('conference', 'seminar', 'network_meeting', 'training')),
    format TEXT NOT NULL CHECK (format IN ('on_site', 'digital', 'hybrid')),
    course_id INTEGER REFERENCES courses(id) ON DELETE SET NULL,
    county_code TEXT NOT NULL,
    municipality_code TEXT,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    place TEXT,
    link TEXT,
    capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),
    registration_closes_at INTEGER,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (starts_at <= ends_at)
);
CREATE INDEX events_county ON events (county_code, kind, starts_at);
CREATE INDEX events_organiser ON events (organiser_org_id);

-- A person's registration. `status`: registered (has a seat), waiting (on the waiting list,
-- ordered by `queued_at`, id), attended, no_show, cancelled. Organisation, role and
-- municipality are those the person registered with (the coverage report counts by them).
CREATE TABLE event_registrations (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    role TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('registered', 'waiting', 'attended', 'no_show', 'cancelled')),
    queued_at INTEGER NOT NULL,
    registered_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    certificate_code TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (event_id, user_id)
);
CREATE INDEX event_registrations_event ON event_registrations (event_id, status);
CREATE INDEX event_registrations_user ON event_registrations (user_id);

-- The post-event survey: one per event, its questions, and once sent its single-use links.
CREATE TABLE event_surveys (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL UNIQUE REFERENCES events(id) ON DELETE CASCADE,
    sent_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE TABLE event_survey_questions (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES event_surveys(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('scale', 'text')),
    text TEXT NOT NULL,
    UNIQUE (survey_id, position)
);
-- One link per attended participant, recording only whether it was used: no participant,
-- no time. The token is stored as its SHA-256.
CREATE TABLE event_survey_links (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES event_surveys(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    used INTEGER NOT NULL DEFAULT 0
);
-- An answer: anonymous by construction — no reference to a participant, a link or a time.
CREATE TABLE event_survey_responses (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES event_surveys(id) ON DELETE CASCADE
);
CREATE TABLE event_survey_answers (
    response_id INTEGER NOT NULL REFERENCES event_survey_responses(id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES event_survey_questions(id) ON DELETE CASCADE,
    scale INTEGER CHECK (scale IS NULL OR scale BETWEEN 1 AND 5),
    text TEXT,
    PRIMARY KEY (response_id, question_id)
);
