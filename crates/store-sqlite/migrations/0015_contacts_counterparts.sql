-- Issue 15, items 2 and 4: contact persons by level and role with their coverage, the
-- counterparts of every municipality, and its "vart vänder jag mig" guide.

-- The roles a contact person can have. The built-in ones are here; coordinators of a county
-- board (or a system administrator) add more, so the list grows without a release.
CREATE TABLE contact_roles (
    code TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    builtin INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
INSERT INTO contact_roles (code, label, builtin, created_at) VALUES
    ('samordnare', 'Brottsförebyggande samordnare', 1, 0),
    ('kommunpolis', 'Kommunpolis', 1, 0),
    ('vbe', 'Kontaktperson våldsbejakande extremism', 1, 0),
    ('sspf', 'SSPF-kontakt', 1, 0),
    ('est', 'EST-samordnare', 1, 0),
    ('trygghet', 'Trygghetssamordnare', 1, 0),
    ('forening', 'Föreningskontakt', 1, 0),
    ('brottsoffer', 'Kontaktperson brottsofferstöd', 1, 0),
    ('avhopp', 'Kontaktperson avhopparverksamhet', 1, 0);

-- A contact person's level (kommun, lan, nationell; NULL for one registered before levels,
-- which counts nowhere), role, and what it covers: municipalities at kommun level, a county at
-- lan level, the country at nationell level.
ALTER TABLE contact_persons ADD COLUMN level TEXT CHECK (level IN ('kommun', 'lan', 'nationell'));
ALTER TABLE contact_persons ADD COLUMN role_code TEXT REFERENCES contact_roles(code);
ALTER TABLE contact_persons ADD COLUMN county_code TEXT REFERENCES counties(code);
CREATE TABLE contact_person_municipalities (
    contact_id INTEGER NOT NULL REFERENCES contact_persons(id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    PRIMARY KEY (contact_id, municipality_code)
);
CREATE INDEX contact_person_municipalities_code ON contact_person_municipalities(municipality_code);
CREATE INDEX contact_persons_role ON contact_persons(role_code, level);

-- The authorities a municipality belongs to besides its county and local police area (which
-- the reference geography has): health region, the Prison and Probation Service's region and
-- probation office. Shipped rows (data/geography/counterparts.csv) fill in only where no row
-- exists, so an edited row is never overwritten at start-up.
CREATE TABLE municipality_counterparts (
    municipality_code TEXT PRIMARY KEY REFERENCES municipalities(code),
    health_region TEXT,
    probation_region TEXT,
    probation_office TEXT,
    edited INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
);

-- A municipality's guide: for each kind of concern, who to turn to and how. Written by the
-- municipality's own organisation; public once it is published. Routing only, never case data.
CREATE TABLE concern_guides (
    municipality_code TEXT PRIMARY KEY REFERENCES municipalities(code),
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    intro TEXT,
    published INTEGER NOT NULL DEFAULT 0,
    published_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE concern_guide_entries (
    id INTEGER PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES concern_guides(municipality_code) ON DELETE CASCADE,
    concern TEXT NOT NULL,
    position INTEGER NOT NULL,
    who TEXT NOT NULL,
    how TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    website TEXT,
    org_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX concern_guide_entries_guide ON concern_guide_entries(municipality_code, concern, position);
