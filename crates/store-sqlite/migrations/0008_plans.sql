-- Plans (issue 13): the municipality's lägesbild and the joint problembild as documents, with
-- prioritised problems and their causes (orsaksanalys); the åtgärdsplan with goals, indicators
-- and measures; follow-up with indicator values and deviations. Never edit once landed.
--
-- Versions. Every version of a document is a row of its own with all its parts. The versions of
-- one document share `lineage_id` (the id of its first version); each part keeps its `key`
-- across versions, which is what a comparison matches on. A draft is changed in place; adopting
-- it freezes its content for good (the store refuses every change to it); a change starts a new
-- draft copied from it. When a newer version is adopted, the older becomes `superseded`.
-- Follow-up (a measure's status, indicator values, deviations, links to weekly actions) goes on
-- in the adopted version: that is what following up a decided plan means.
--
-- Sharing (kernel/sharing.rs, "party records"): a document's parties (its owner and co-owners,
-- listed in *_parties) read and write its drafts; an adopted version can be shared with a forum
-- or published. A draft never can (the CHECKs below).

-- A lägesbild (kind `situation`: one organisation's picture, owned by the municipality) or a
-- joint problembild (kind `problem_picture`: the municipality and the local police area, built
-- from both organisations' pictures) for a municipality and a period.
CREATE TABLE situations (
    id INTEGER PRIMARY KEY,
    lineage_id INTEGER NOT NULL,
    version_no INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('situation', 'problem_picture')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'adopted', 'superseded')),
    title TEXT NOT NULL,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    -- The period: a calendar year, or its first or second half.
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    half INTEGER CHECK (half IN (1, 2)),
    -- The forum whose joint picture the EST figures come from; NULL: the owner's own picture.
    picture_forum_id INTEGER REFERENCES forums(id) ON DELETE SET NULL,
    -- Warn when the document has not been updated for this many months.
    stale_after_months INTEGER NOT NULL DEFAULT 6 CHECK (stale_after_months BETWEEN 1 AND 60),
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('organisation', 'forum', 'public')),
    forum_id INTEGER REFERENCES forums(id),
    -- The figures as they were when the version was adopted (JSON); NULL while a draft.
    frozen_figures TEXT,
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
    CHECK ((visibility = 'forum') = (forum_id IS NOT NULL)),
    CHECK (status <> 'draft' OR visibility = 'organisation'),
    CHECK ((status = 'draft') = (adopted_at IS NULL))
);
CREATE UNIQUE INDEX situations_one_draft ON situations(lineage_id) WHERE status = 'draft';
CREATE INDEX situations_municipality ON situations(municipality_code, year);

CREATE TABLE situation_parties (
    situation_id INTEGER NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    PRIMARY KEY (situation_id, org_id)
);
CREATE INDEX situation_parties_org ON situation_parties(org_id);

-- The pictures a problembild is built from (each party's lägesbild).
CREATE TABLE situation_inputs (
    situation_id INTEGER NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
    input_situation_id INTEGER NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
    PRIMARY KEY (situation_id, input_situation_id)
);

-- The text the coordinator writes around the figures, per section of the law: `summary`,
-- `crime` (crime, its extent and consequences), `other` (other relevant information),
-- `analysis` (prioritised problems and their causes).
CREATE TABLE situation_sections (
    situation_id INTEGER NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
    section TEXT NOT NULL CHECK (section IN ('summary', 'crime', 'other', 'analysis')),
    body TEXT NOT NULL,
    PRIMARY KEY (situation_id, section)
);

-- Other relevant information that Brygga does not hold as data: school surveys, staff and
-- citizen dialogues, civil society's contributions — each with its source and date.
CREATE TABLE situation_sources (
    id INTEGER PRIMARY KEY,
    situation_id INTEGER NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('school_survey', 'staff_dialogue', 'citizen_dialogue', 'civil_society', 'other')),
    title TEXT NOT NULL,
    summary TEXT,
    source TEXT NOT NULL,
    source_date TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (situation_id, key)
);

-- A prioritised problem of the analysis.
CREATE TABLE situation_problems (
    id INTEGER PRIMARY KEY,
    situation_id INTEGER NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    priority INTEGER NOT NULL CHECK (priority >= 1),
    position INTEGER NOT NULL,
    UNIQUE (situation_id, key)
);

-- What a problem rests on: a category, a place, a flag (category × place × week), a crime
-- statistics series (offence), a survey question.
CREATE TABLE problem_evidence (
    id INTEGER PRIMARY KEY,
    problem_id INTEGER NOT NULL REFERENCES situation_problems(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('category', 'place', 'flag', 'crime_series', 'survey_question')),
    category_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
    area_id INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    week INTEGER,
    offence TEXT,
    survey_question TEXT,
    note TEXT,
    position INTEGER NOT NULL
);
CREATE INDEX problem_evidence_problem ON problem_evidence(problem_id);

-- A cause (orsaksanalys): a side of the problem-analysis triangle (gärningsperson, offer/mål,
-- plats) with those who can influence it, and/or a risk or protective factor; its basis and how
-- certain it is.
CREATE TABLE problem_causes (
    id INTEGER PRIMARY KEY,
    problem_id INTEGER NOT NULL REFERENCES situation_problems(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    triangle_side TEXT CHECK (triangle_side IN ('offender', 'target', 'place')),
    influencer TEXT,
    factor TEXT CHECK (factor IN ('risk', 'protective')),
    basis TEXT NOT NULL CHECK (basis IN ('data', 'research', 'dialogue')),
    basis_note TEXT,
    certainty TEXT NOT NULL CHECK (certainty IN ('low', 'medium', 'high')),
    position INTEGER NOT NULL,
    UNIQUE (problem_id, key)
);

-- An åtgärdsplan for a municipality and a period, resting on a lägesbild version.
CREATE TABLE action_plans (
    id INTEGER PRIMARY KEY,
    lineage_id INTEGER NOT NULL,
    version_no INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'adopted', 'superseded')),
    title TEXT NOT NULL,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    -- `2026-01-01` … `2027-12-31`.
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    situation_id INTEGER REFERENCES situations(id) ON DELETE SET NULL,
    -- The forum whose joint picture the EST indicator series come from; NULL: the owner's own.
    picture_forum_id INTEGER REFERENCES forums(id) ON DELETE SET NULL,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('organisation', 'forum', 'public')),
    forum_id INTEGER REFERENCES forums(id),
    -- The decision behind the plan (political mandate): body, date, reference number.
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
    CHECK ((status = 'draft') = (adopted_at IS NULL))
);
CREATE UNIQUE INDEX action_plans_one_draft ON action_plans(lineage_id) WHERE status = 'draft';
CREATE INDEX action_plans_municipality ON action_plans(municipality_code, period_from);

-- The organisations party to a plan: its owner and co-owners. A measure's responsible
-- organisation must be one of them.
CREATE TABLE plan_parties (
    plan_id INTEGER NOT NULL REFERENCES action_plans(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    PRIMARY KEY (plan_id, org_id)
);
CREATE INDEX plan_parties_org ON plan_parties(org_id);

-- Goals in a tree: an effect goal broken into result goals, served by process goals. A result
-- goal states the level where its result is expected. `weight` counts in the parent's progress.
CREATE TABLE plan_goals (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES action_plans(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    parent_id INTEGER REFERENCES plan_goals(id),
    kind TEXT NOT NULL CHECK (kind IN ('effect', 'result', 'process')),
    title TEXT NOT NULL,
    description TEXT,
    level TEXT CHECK (level IN ('individual', 'group', 'area', 'organisation', 'municipality')),
    weight REAL NOT NULL DEFAULT 1 CHECK (weight > 0),
    position INTEGER NOT NULL,
    UNIQUE (plan_id, key)
);
CREATE INDEX plan_goals_parent ON plan_goals(parent_id);

-- The problems a goal answers (from the plan's lägesbild).
CREATE TABLE goal_problems (
    goal_id INTEGER NOT NULL REFERENCES plan_goals(id) ON DELETE CASCADE,
    problem_id INTEGER NOT NULL REFERENCES situation_problems(id) ON DELETE CASCADE,
    PRIMARY KEY (goal_id, problem_id)
);

-- An indicator of a goal: where its values come from (a Brygga series — observation category ×
-- place, a crime statistics series, a survey question — or values entered by hand with their
-- source), unit, desired direction, baseline (computed from the data at a date, or entered
-- with a source), target and target date, frequency.
CREATE TABLE plan_indicators (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES action_plans(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    goal_id INTEGER NOT NULL REFERENCES plan_goals(id),
    name TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('observations', 'crime_statistics', 'safety_survey', 'manual')),
    category_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
    area_id INTEGER REFERENCES areas(id) ON DELETE SET NULL,
    offence TEXT,
    survey_question TEXT,
    survey_area TEXT,
    manual_source TEXT,
    unit TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('increase', 'decrease', 'keep')),
    baseline_value REAL,
    baseline_on TEXT,
    baseline_computed INTEGER NOT NULL DEFAULT 0,
    baseline_source TEXT,
    target_value REAL,
    target_on TEXT,
    frequency TEXT NOT NULL CHECK (frequency IN ('monthly', 'quarterly', 'half_yearly', 'yearly')),
    position INTEGER NOT NULL,
    UNIQUE (plan_id, key)
);
CREATE INDEX plan_indicators_goal ON plan_indicators(goal_id);

-- An indicator's values, one per period (the period's first day): computed from Brygga's data
-- (`brygga`) or entered by hand (`entered`, with its source in `note`).
CREATE TABLE indicator_values (
    indicator_id INTEGER NOT NULL REFERENCES plan_indicators(id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    value REAL NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('brygga', 'entered')),
    note TEXT,
    entered_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (indicator_id, period)
);

-- A measure (insats): what is done, by whom, when, with what, why (the goals and causes it
-- serves) and on what basis; carried out by weekly actions from the action list.
CREATE TABLE plan_measures (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES action_plans(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    responsible_org_id INTEGER NOT NULL REFERENCES organisations(id),
    start_on TEXT,
    end_on TEXT,
    resources TEXT,
    status TEXT NOT NULL CHECK (status IN ('planned', 'ongoing', 'done', 'delayed', 'cancelled')),
    status_note TEXT,
    no_police_powers INTEGER NOT NULL DEFAULT 0,
    basis TEXT NOT NULL CHECK (basis IN ('evaluated_method', 'documented_knowledge', 'none')),
    basis_note TEXT,
    involvement TEXT CHECK (involvement IN ('co_creators', 'consulted', 'informed', 'passive')),
    position INTEGER NOT NULL,
    UNIQUE (plan_id, key),
    CHECK (start_on IS NULL OR end_on IS NULL OR start_on <= end_on)
);
CREATE INDEX plan_measures_plan ON plan_measures(plan_id, position);

CREATE TABLE measure_partners (
    measure_id INTEGER NOT NULL REFERENCES plan_measures(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    PRIMARY KEY (measure_id, org_id)
);

CREATE TABLE measure_goals (
    measure_id INTEGER NOT NULL REFERENCES plan_measures(id) ON DELETE CASCADE,
    goal_id INTEGER NOT NULL REFERENCES plan_goals(id),
    PRIMARY KEY (measure_id, goal_id)
);
CREATE INDEX measure_goals_goal ON measure_goals(goal_id);

CREATE TABLE measure_causes (
    measure_id INTEGER NOT NULL REFERENCES plan_measures(id) ON DELETE CASCADE,
    cause_id INTEGER NOT NULL REFERENCES problem_causes(id) ON DELETE CASCADE,
    PRIMARY KEY (measure_id, cause_id)
);
CREATE INDEX measure_causes_cause ON measure_causes(cause_id);

-- The weekly actions (action list) that carry a measure out.
CREATE TABLE measure_actions (
    measure_id INTEGER NOT NULL REFERENCES plan_measures(id) ON DELETE CASCADE,
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    PRIMARY KEY (measure_id, action_id)
);
CREATE INDEX measure_actions_action ON measure_actions(action_id);

-- A deviation (avvikelse): what deviated, why, the consequence, the correction, who decided.
CREATE TABLE plan_deviations (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES action_plans(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    measure_id INTEGER REFERENCES plan_measures(id) ON DELETE SET NULL,
    goal_id INTEGER REFERENCES plan_goals(id) ON DELETE SET NULL,
    indicator_id INTEGER REFERENCES plan_indicators(id) ON DELETE SET NULL,
    what TEXT NOT NULL,
    why TEXT NOT NULL,
    consequence TEXT,
    correction TEXT,
    decided_by TEXT,
    decided_on TEXT,
    recorded_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (plan_id, key)
);
CREATE INDEX plan_deviations_plan ON plan_deviations(plan_id);
