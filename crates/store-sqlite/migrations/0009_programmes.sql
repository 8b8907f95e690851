-- Programmes (issue 14): a regional (or national, or municipal) crime-prevention programme — the
-- programförklaring and its signatories, the handlingsprogram's development areas, a working group
-- per area with its convening party and members (mandate and working time stated), half-yearly
-- activity plans that are åtgärdsplaner of the plans model under a quality-assurance workflow,
-- the steering group with its meetings and logged decisions, deliverables with their distribution
-- and reach, and the county's participation matrix. Never edit once landed.
--
-- Activity plans reuse the plans model. An aktivitetsplan is an `action_plans` row of kind
-- `activity` (goals, indicators, measures = activities, deviations, versions, comparison and the
-- evaluation checks all come from plans); one lineage per working group, one version per
-- half-year. `activity_plans` adds the workflow above the draft state. An activity plan belongs
-- to no municipality, so `action_plans.municipality_code` becomes nullable: SQLite cannot drop a
-- NOT NULL in place, so the table is rebuilt (the migration runner turns foreign keys off around
-- SQLite migrations and checks them before committing, the documented procedure).

CREATE TABLE action_plans_new (
    id INTEGER PRIMARY KEY,
    lineage_id INTEGER NOT NULL,
    version_no INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'adopted', 'superseded')),
    title TEXT NOT NULL,
    -- `municipal`: a municipality's åtgärdsplan; `activity`: a working group's aktivitetsplan.
    kind TEXT NOT NULL DEFAULT 'municipal' CHECK (kind IN ('municipal', 'activity')),
    municipality_code TEXT REFERENCES municipalities(code),
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    situation_id INTEGER REFERENCES situations(id) ON DELETE SET NULL,
    picture_forum_id INTEGER REFERENCES forums(id) ON DELETE SET NULL,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('organisation', 'forum', 'public')),
    forum_id INTEGER REFERENCES forums(id),
    decided_by TEXT,
    decided_on TEXT,
    decision_ref TEXT,
    adopted_at INTEGER,
    adopted_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (lineage_id, version_no),
    CHECK (period_from <= period_to),
    CHECK ((visibility = 'forum') = (forum_id IS NOT NULL)),
    CHECK (status <> 'draft' OR visibility = 'organisation'),
    CHECK ((status = 'draft') = (adopted_at IS NULL)),
    CHECK ((kind = 'municipal') = (municipality_code IS NOT NULL))
);
INSERT INTO action_plans_new (id, lineage_id, version_no, status, title, kind, municipality_code, period_from, period_to,
    situation_id, picture_forum_id, owner_org_id, visibility, forum_id, decided_by, decided_on, decision_ref, adopted_at,
    adopted_by_user_id, created_by_user_id, version, created_at, updated_at)
SELECT id, lineage_id, version_no, status, title, 'municipal', municipality_code, period_from, period_to,
    situation_id, picture_forum_id, owner_org_id, visibility, forum_id, decided_by, decided_on, decision_ref, adopted_at,
    adopted_by_user_id, created_by_user_id, version, created_at, updated_at
FROM action_plans;
DROP TABLE action_plans;
ALTER TABLE action_plans_new RENAME TO action_plans;
CREATE UNIQUE INDEX action_plans_one_draft ON action_plans(lineage_id) WHERE status = 'draft';
CREATE INDEX action_plans_municipality ON action_plans(municipality_code, period_from);

-- Each member's contribution to an activity (a measure of an activity plan).
CREATE TABLE measure_contributions (
    measure_id INTEGER NOT NULL REFERENCES plan_measures(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    contribution TEXT NOT NULL,
    PRIMARY KEY (measure_id, org_id)
);

-- The programme: programförklaring (declaration) and handlingsprogram (period), owned by the
-- organisation that runs it (a county board for a regional programme).
CREATE TABLE programmes (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('regional', 'national', 'municipal')),
    county_code TEXT REFERENCES counties(code),
    municipality_code TEXT REFERENCES municipalities(code),
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    -- The handlingsprogram's period, `2018-01-01` … `2020-12-31`.
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    declaration TEXT,
    action_programme TEXT,
    -- Activity plans for a half-year are due this many days before it starts.
    plan_due_days INTEGER NOT NULL DEFAULT 30 CHECK (plan_due_days >= 0),
    visibility TEXT NOT NULL CHECK (visibility IN ('organisation', 'forum', 'public')),
    forum_id INTEGER REFERENCES forums(id),
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (period_from <= period_to),
    CHECK ((visibility = 'forum') = (forum_id IS NOT NULL)),
    CHECK ((scope = 'regional') = (county_code IS NOT NULL)),
    CHECK ((scope = 'municipal') = (municipality_code IS NOT NULL))
);
CREATE INDEX programmes_county ON programmes(county_code);

-- Who reads a programme's own records: its owner, signatories, working-group member organisations
-- and steering-group member organisations (kept by the store as those change).
CREATE TABLE programme_parties (
    programme_id INTEGER NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    PRIMARY KEY (programme_id, org_id)
);
CREATE INDEX programme_parties_org ON programme_parties(org_id);

-- The programförklaring's signatories: organisation, who signed for it (a title), and when.
CREATE TABLE programme_signatories (
    programme_id INTEGER NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    signed_by TEXT,
    signed_on TEXT,
    position INTEGER NOT NULL,
    PRIMARY KEY (programme_id, org_id)
);

-- Development areas (utvecklingsområden) of the handlingsprogram.
CREATE TABLE programme_areas (
    id INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT,
    position INTEGER NOT NULL
);
CREATE INDEX programme_areas_programme ON programme_areas(programme_id, position);

-- A working group (arbetsgrupp) per development area, with its convening party (sammankallande:
-- invites, sets the agenda, keeps minutes, updates the plan; no decision rights). Its activity
-- plans are the versions of the lineage `plan_lineage_id` (NULL until the first is started).
CREATE TABLE working_groups (
    id INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    area_id INTEGER NOT NULL REFERENCES programme_areas(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    convener_org_id INTEGER NOT NULL REFERENCES organisations(id),
    plan_lineage_id INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (area_id)
);
CREATE INDEX working_groups_programme ON working_groups(programme_id);

-- A member organisation of a working group, its representative (who need not have an account:
-- a name and optionally an e-mail address — personal data, in the GDPR registry), and the
-- mandate and working time its employer agreed to (NULL: not stated — the evaluation's finding).
CREATE TABLE working_group_members (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES working_groups(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    representative TEXT,
    representative_email TEXT,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    mandate TEXT,
    -- Hours per month the employer agreed to.
    hours_per_month REAL CHECK (hours_per_month IS NULL OR hours_per_month >= 0),
    joined_on TEXT,
    left_on TEXT,
    UNIQUE (group_id, org_id)
);
CREATE INDEX working_group_members_org ON working_group_members(org_id);

-- The workflow of one activity plan version (an `action_plans` row of kind `activity`) for one
-- half-year: draft → submitted → quality_assured → presented → adopted (adopting is the plans
-- model's adoption of the version). `returned` sends it back to draft with a comment.
CREATE TABLE activity_plans (
    -- BIGINT, not INTEGER: a key given on insert, not the rowid.
    plan_id BIGINT PRIMARY KEY REFERENCES action_plans(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES working_groups(id) ON DELETE CASCADE,
    -- `2019H1`, `2019H2`.
    half_year TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'quality_assured', 'presented', 'adopted')),
    presented_meeting_id INTEGER,
    updated_at INTEGER NOT NULL
);
CREATE INDEX activity_plans_group ON activity_plans(group_id, half_year);

-- Each step of the workflow, with who and when, and the quality assurers' comments.
CREATE TABLE activity_plan_steps (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES action_plans(id) ON DELETE CASCADE,
    step TEXT NOT NULL CHECK (step IN ('created', 'submitted', 'returned', 'commented', 'quality_assured', 'presented', 'adopted')),
    comment TEXT,
    meeting_id INTEGER,
    by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    by_org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    at INTEGER NOT NULL
);
CREATE INDEX activity_plan_steps_plan ON activity_plan_steps(plan_id, at);

-- Reminders sent before a half-year's deadline, once per group, half-year and kind.
CREATE TABLE activity_plan_reminders (
    group_id INTEGER NOT NULL REFERENCES working_groups(id) ON DELETE CASCADE,
    half_year TEXT NOT NULL,
    days_before INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, half_year, days_before)
);

-- The steering group: member organisations and the person (title) representing each; one chairs.
CREATE TABLE steering_members (
    programme_id INTEGER NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    representative TEXT,
    role TEXT NOT NULL CHECK (role IN ('chair', 'member', 'secretary')),
    PRIMARY KEY (programme_id, org_id)
);

-- A steering meeting; its agenda is generated from the groups' state and kept as items.
CREATE TABLE steering_meetings (
    id INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    held_on TEXT NOT NULL,
    half_year TEXT NOT NULL,
    title TEXT NOT NULL,
    location TEXT,
    status TEXT NOT NULL CHECK (status IN ('planned', 'held')),
    notes TEXT,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX steering_meetings_programme ON steering_meetings(programme_id, held_on);

CREATE TABLE steering_agenda_items (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES steering_meetings(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('plan_decision', 'goal_off_track', 'deviation', 'decision_follow_up', 'deliverable', 'other')),
    title TEXT NOT NULL,
    group_id INTEGER REFERENCES working_groups(id) ON DELETE SET NULL,
    plan_id INTEGER REFERENCES action_plans(id) ON DELETE SET NULL,
    ref_id INTEGER
);
CREATE INDEX steering_agenda_items_meeting ON steering_agenda_items(meeting_id, position);

-- Decisions logged at a meeting: information, beslut, or uppdrag (with owner and due date), and
-- their follow-up.
CREATE TABLE steering_decisions (
    id INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    meeting_id INTEGER NOT NULL REFERENCES steering_meetings(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('information', 'decision', 'assignment')),
    text TEXT NOT NULL,
    group_id INTEGER REFERENCES working_groups(id) ON DELETE SET NULL,
    plan_id INTEGER REFERENCES action_plans(id) ON DELETE SET NULL,
    owner_org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    due_on TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    follow_up TEXT,
    closed_on TEXT,
    recorded_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (meeting_id, number),
    CHECK (kind = 'assignment' OR (owner_org_id IS NULL AND due_on IS NULL))
);
CREATE INDEX steering_decisions_programme ON steering_decisions(programme_id, status);

-- Deliverables (products) of a programme, and their distribution and reach.
CREATE TABLE deliverables (
    id INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    group_id INTEGER REFERENCES working_groups(id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('leaflet', 'toolbox', 'template', 'training', 'report', 'other')),
    title TEXT NOT NULL,
    description TEXT,
    supplier TEXT,
    ordered_on TEXT,
    delivered_on TEXT,
    approved_on TEXT,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX deliverables_programme ON deliverables(programme_id);

CREATE TABLE deliverable_distributions (
    id INTEGER PRIMARY KEY,
    deliverable_id INTEGER NOT NULL REFERENCES deliverables(id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    recipient_org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    sent_on TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'post', 'web', 'meeting', 'training', 'other')),
    sent_count INTEGER CHECK (sent_count IS NULL OR sent_count >= 0),
    opened_count INTEGER CHECK (opened_count IS NULL OR opened_count >= 0),
    downloaded_count INTEGER CHECK (downloaded_count IS NULL OR downloaded_count >= 0),
    note TEXT,
    recorded_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX deliverable_distributions_deliverable ON deliverable_distributions(deliverable_id);

-- Participation: programmes and other initiatives (EST pilots, agreements with a crisis centre,
-- a competence centre…) and the municipalities taking part, with dates and roles.
CREATE TABLE initiatives (
    id INTEGER PRIMARY KEY,
    county_code TEXT REFERENCES counties(code),
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    programme_id INTEGER REFERENCES programmes(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('programme', 'est_pilot', 'agreement', 'competence_centre', 'network', 'project', 'other')),
    title TEXT NOT NULL,
    description TEXT,
    starts_on TEXT,
    ends_on TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on)
);
CREATE INDEX initiatives_county ON initiatives(county_code);

CREATE TABLE initiative_participants (
    initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    role TEXT,
    joined_on TEXT,
    left_on TEXT,
    PRIMARY KEY (initiative_id, municipality_code),
    CHECK (joined_on IS NULL OR left_on IS NULL OR joined_on <= left_on)
);
CREATE INDEX initiative_participants_municipality ON initiative_participants(municipality_code);
