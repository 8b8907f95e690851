-- Trust: approved municipality claims, archived places, audit entries naming every
-- organisation they concern. Never edit once landed.

-- A claim to work in a municipality grants nothing until it is approved (by the municipality's
-- own organisation or a system administrator). Existing rows were granted under the old rules
-- (any coordinator could add any municipality to their own organisation) and are kept as
-- approved, so an upgrade changes nobody's rights; review them on the claims page.
ALTER TABLE organisation_municipalities ADD COLUMN status TEXT NOT NULL DEFAULT 'approved' CHECK (status IN ('pending', 'approved'));
ALTER TABLE organisation_municipalities ADD COLUMN requested_at BIGINT;
ALTER TABLE organisation_municipalities ADD COLUMN approved_by BIGINT REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE organisation_municipalities ADD COLUMN approved_at BIGINT;
CREATE INDEX organisation_municipalities_status ON organisation_municipalities(municipality_code, status);

-- A place that reports, alerts, actions or survey rows refer to is archived, never deleted:
-- it stays in old pictures and is no longer offered for new records.
ALTER TABLE areas ADD COLUMN archived_at BIGINT;

-- Every organisation an audit entry concerns (audit_log.org_id keeps the first one). No
-- foreign keys: entries outlive the records and organisations they name.
CREATE TABLE audit_log_orgs (
    audit_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    PRIMARY KEY (audit_id, org_id)
);
CREATE INDEX audit_log_orgs_org ON audit_log_orgs(org_id, audit_id);
INSERT INTO audit_log_orgs (audit_id, org_id) SELECT id, org_id FROM audit_log WHERE org_id IS NOT NULL;
