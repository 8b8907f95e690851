-- Newsletters (issue 16, item 6): lists (a network's members, or an opt-in list owned by an
-- organisation), subscriptions with a one-click unsubscribe token each (RFC 8058), issues and
-- their deliveries, and the outbox's List-Unsubscribe URL. Rules: store/src/dialogue/newsletters.rs
-- and kernel/sharing.rs (newsletter_list_managed).

-- A list. `network_id` set: the recipients are the network's current members (the users of
-- member organisations and the persons with an address); otherwise an opt-in list.
CREATE TABLE newsletter_lists (
    id INTEGER PRIMARY KEY,
    owner_org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    network_id INTEGER REFERENCES networks(id) ON DELETE CASCADE,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX newsletter_lists_owner ON newsletter_lists (owner_org_id);

-- One address on a list. `token` is the subscription's secret for confirming (double opt-in)
-- and unsubscribing without login. `confirmed_at` NULL: awaiting confirmation (nothing is
-- sent). `unsubscribed_at` set: never mailed again until it subscribes anew. A network
-- list's recipients get a row at their first issue (for their token and their choice).
CREATE TABLE newsletter_subscriptions (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES newsletter_lists(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    confirmed_at INTEGER,
    unsubscribed_at INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (list_id, email)
);
CREATE INDEX newsletter_subscriptions_user ON newsletter_subscriptions (user_id);

-- An issue: `general`, or `consultation_outcome` naming the consultation whose outcome digest it
-- carries. `sent_at` set once sent; sending again does nothing.
CREATE TABLE newsletter_issues (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES newsletter_lists(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('general', 'consultation_outcome')),
    consultation_id INTEGER REFERENCES consultations(id) ON DELETE SET NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    sent_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    recipient_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX newsletter_issues_list ON newsletter_issues (list_id);

-- One outbox message per recipient of an issue; the key makes a second send a no-op.
CREATE TABLE newsletter_deliveries (
    issue_id INTEGER NOT NULL REFERENCES newsletter_issues(id) ON DELETE CASCADE,
    subscription_id INTEGER NOT NULL REFERENCES newsletter_subscriptions(id) ON DELETE CASCADE,
    outbox_id INTEGER,
    PRIMARY KEY (issue_id, subscription_id)
);

-- The one-click unsubscribe URL a message carries (List-Unsubscribe, RFC 8058); NULL for
-- every message that is not a newsletter.
ALTER TABLE mail_outbox ADD COLUMN list_unsubscribe TEXT;
