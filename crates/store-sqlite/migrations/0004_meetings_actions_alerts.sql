-- From picture to action: the weekly EST meeting, the action list, rapid alerts, weekly
-- digests and share links. Never edit once landed.
--
-- Meetings, actions and alerts are *forum records*: they belong to the forum, not to one
-- organisation, and are readable by the users of its member organisations only (see
-- sharing.rs). They stay with the forum when an organisation leaves it.

-- The weekly meeting (avstämning) of a forum: one per forum and ISO week. It reviews the
-- picture of `picture_week`, the last complete week before it.
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    week INTEGER NOT NULL,
    picture_week INTEGER NOT NULL,
    held_on TEXT,
    notes TEXT,
    opened_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (forum_id, week)
);

-- Which member organisations were there.
CREATE TABLE meeting_attendance (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    present INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, org_id)
);

-- The agenda: the week's flags, overdue and open actions, and other business. `item_key`
-- (`flag:202648:graffiti:12`, `action:7`, `other:3`) keeps a refreshed agenda free of duplicates.
-- A flag item keeps its sentence as it read when the agenda was made (aggregates only).
CREATE TABLE meeting_items (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('flag', 'overdue', 'open', 'other')),
    item_key TEXT NOT NULL,
    title TEXT NOT NULL,
    category_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
    area_id INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    flag_week INTEGER,
    subject_action_id INTEGER REFERENCES actions(id) ON DELETE SET NULL,
    note TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (meeting_id, item_key)
);

-- An action (åtgärd): who does what by when, and why. Never deleted: cancelled with a reason.
CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    reason TEXT,
    flag_text TEXT,
    flag_week INTEGER,
    category_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
    area_id INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    responsible_org_id INTEGER NOT NULL REFERENCES organisations(id),
    responsible_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    status_reason TEXT,
    outcome TEXT,
    no_police_powers INTEGER NOT NULL DEFAULT 0,
    meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL,
    meeting_item_id INTEGER REFERENCES meeting_items(id) ON DELETE SET NULL,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_by_org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    completed_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (status <> 'cancelled' OR status_reason IS NOT NULL),
    CHECK ((status IN ('done', 'cancelled')) = (completed_at IS NOT NULL))
);
CREATE INDEX actions_forum ON actions(forum_id, status, due_on);
CREATE INDEX actions_responsible ON actions(responsible_org_id, status);
CREATE INDEX actions_completed ON actions(forum_id, completed_at) WHERE completed_at IS NOT NULL;

CREATE TABLE action_partners (
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, org_id)
);

-- The reports an action answers (shown only to viewers who may read them).
CREATE TABLE action_observations (
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    observation_id INTEGER NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, observation_id)
);

-- A rapid alert ("trycka på knappen"): the forum's contact persons are notified at once.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    raised_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    raised_by_org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    area_id INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    lat REAL,
    lon REAL,
    title TEXT NOT NULL,
    description TEXT,
    urgency TEXT NOT NULL CHECK (urgency IN ('immediate', 'today', 'this_week')),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    summary TEXT,
    closed_at INTEGER,
    closed_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- The alert form's one-time key: pressing the button twice raises one alert.
    idempotency_key TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL AND summary IS NOT NULL))
);
CREATE INDEX alerts_forum ON alerts(forum_id, created_at);
CREATE UNIQUE INDEX alerts_idempotency ON alerts(forum_id, idempotency_key);

-- Who was notified of an alert and when each acknowledged it.
CREATE TABLE alert_recipients (
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    notified_at INTEGER NOT NULL,
    outbox_id INTEGER,
    acknowledged_at INTEGER,
    PRIMARY KEY (alert_id, user_id)
);
CREATE INDEX alert_recipients_user ON alert_recipients(user_id, acknowledged_at);

-- The weekly digest (återkoppling): who got which forum's digest for which week, so a job that
-- runs twice sends nobody a second copy. Opting out is per account.
ALTER TABLE users ADD COLUMN digest_opt_out INTEGER NOT NULL DEFAULT 0;
CREATE TABLE digest_sends (
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    week INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    outbox_id INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (forum_id, week, user_id)
);

-- A read-only link to a forum's weekly report, for people without an account: aggregates
-- only, with an expiry, revocable, every opening in the audit log. The token is stored as
-- SHA-256 and shown once.
CREATE TABLE share_links (
    id INTEGER PRIMARY KEY,
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    label TEXT NOT NULL,
    week INTEGER,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_by_org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    open_count INTEGER NOT NULL DEFAULT 0,
    last_opened_at INTEGER
);
CREATE INDEX share_links_forum ON share_links(forum_id);
