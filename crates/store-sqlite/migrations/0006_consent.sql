-- Consent (issue 11, findings 4 and 8): nobody is made a forum member, a forum contact person or
-- a member of an organisation without saying yes. An invitation waits here until it is
-- answered; only an accepted one becomes a row in forum_members, forum_contacts or memberships,
-- so every rule that reads those tables (viewers, sharing, alerts, digests) sees accepted rows
-- only. Rows already in forum_members, forum_contacts and memberships were granted before this
-- migration and stay as they are: accepted.

-- An organisation invited into a forum; its administrator or coordinator answers.
CREATE TABLE forum_invitations (
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('invited', 'accepted', 'declined')),
    invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    invited_at INTEGER NOT NULL,
    responded_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    responded_at INTEGER,
    PRIMARY KEY (forum_id, org_id)
);
CREATE INDEX forum_invitations_org ON forum_invitations(org_id, status);

-- A person asked to be one of a forum's contact persons; only they answer.
CREATE TABLE forum_contact_requests (
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('invited', 'accepted', 'declined')),
    invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    invited_at INTEGER NOT NULL,
    responded_at INTEGER,
    PRIMARY KEY (forum_id, user_id)
);
CREATE INDEX forum_contact_requests_user ON forum_contact_requests(user_id, status);

-- A person invited (by e-mail address, with or without an account) into an organisation. The
-- person accepts; when the inviter is not one of the organisation's administrators (a system
-- administrator), an administrator of the organisation must approve as well.
CREATE TABLE membership_invitations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('invited', 'accepted', 'declined')),
    needs_org_approval INTEGER NOT NULL DEFAULT 0,
    person_accepted_at INTEGER,
    org_approved_at INTEGER,
    org_approved_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    invited_at INTEGER NOT NULL,
    responded_at INTEGER
);
CREATE UNIQUE INDEX membership_invitations_open ON membership_invitations(org_id, email) WHERE status = 'invited';
CREATE INDEX membership_invitations_email ON membership_invitations(email, status);
