-- SPDX-License-Identifier: Apache-2.0
-- AWS Organizations: organizations, roots, OUs, memberships, policies and their
-- attachments, handshakes, CreateAccount statuses, tags, trusted access, delegated
-- administrators and the organization's resource policy. An account belongs to at
-- most one organization (org_accounts.account_id is the primary key). Ids follow
-- AWS's formats: o-…, r-…, ou-<root suffix>-…, p-…, h-…, car-….

CREATE TABLE org_organizations (
  id          TEXT PRIMARY KEY,
  management_account TEXT NOT NULL UNIQUE REFERENCES accounts(id),
  feature_set TEXT NOT NULL,               -- ALL | CONSOLIDATED_BILLING
  root_id     TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL,
  all_features_pending TEXT                -- the ENABLE_ALL_FEATURES handshake id, when pending
);

CREATE TABLE org_policy_types (
  root_id     TEXT NOT NULL,
  type        TEXT NOT NULL,
  PRIMARY KEY (root_id, type)
);

CREATE TABLE org_ous (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL REFERENCES org_organizations(id) ON DELETE CASCADE,
  parent_id   TEXT NOT NULL,
  name        TEXT NOT NULL,
  depth       INTEGER NOT NULL,            -- 1 under the root
  created_at  INTEGER NOT NULL
);
CREATE INDEX org_ous_by_parent ON org_ous(parent_id, name);

CREATE TABLE org_accounts (
  account_id  TEXT PRIMARY KEY REFERENCES accounts(id),
  org_id      TEXT NOT NULL REFERENCES org_organizations(id) ON DELETE CASCADE,
  parent_id   TEXT NOT NULL,
  joined_method TEXT NOT NULL,             -- INVITED | CREATED
  joined_at   INTEGER NOT NULL,
  billing_access TEXT NOT NULL DEFAULT 'ALLOW'
);
CREATE INDEX org_accounts_by_parent ON org_accounts(parent_id, joined_at, account_id);
CREATE INDEX org_accounts_by_org ON org_accounts(org_id, joined_at, account_id);

-- org_id NULL: AWS managed (p-FullAWSAccess, p-RCPFullAWSAccess)
CREATE TABLE org_policies (
  id          TEXT PRIMARY KEY,
  org_id      TEXT REFERENCES org_organizations(id) ON DELETE CASCADE,
  type        TEXT NOT NULL,
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  content     TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX org_policies_by_org ON org_policies(org_id, type, name);

CREATE TABLE org_attachments (
  policy_id   TEXT NOT NULL,
  target_id   TEXT NOT NULL,
  org_id      TEXT NOT NULL REFERENCES org_organizations(id) ON DELETE CASCADE,
  type        TEXT NOT NULL,
  PRIMARY KEY (target_id, policy_id)
);
CREATE INDEX org_attachments_by_policy ON org_attachments(org_id, policy_id);

CREATE TABLE org_handshakes (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL,
  action      TEXT NOT NULL,               -- INVITE | ENABLE_ALL_FEATURES | APPROVE_ALL_FEATURES
  state       TEXT NOT NULL,
  master_account TEXT NOT NULL,
  target_type TEXT NOT NULL,               -- ACCOUNT | EMAIL | ORGANIZATION
  target      TEXT NOT NULL,               -- account id, email or org id
  target_account TEXT,                     -- the account that may accept (resolved)
  notes       TEXT,
  parent_handshake TEXT,
  tags        TEXT,                        -- JSON array given to InviteAccountToOrganization
  requested_at INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX org_handshakes_by_org ON org_handshakes(org_id, requested_at);
CREATE INDEX org_handshakes_by_target ON org_handshakes(target_account, requested_at);

CREATE TABLE org_create_status (
  id          TEXT PRIMARY KEY,            -- car-…
  org_id      TEXT NOT NULL,
  account_name TEXT NOT NULL,
  state       TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  completed_at INTEGER,
  account_id  TEXT,
  failure_reason TEXT
);
CREATE INDEX org_create_status_by_org ON org_create_status(org_id, requested_at);

CREATE TABLE org_tags (
  org_id      TEXT NOT NULL,
  target_id   TEXT NOT NULL,
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  PRIMARY KEY (target_id, key)
);

CREATE TABLE org_service_access (
  org_id      TEXT NOT NULL REFERENCES org_organizations(id) ON DELETE CASCADE,
  principal   TEXT NOT NULL,
  enabled_at  INTEGER NOT NULL,
  PRIMARY KEY (org_id, principal)
);

CREATE TABLE org_delegated_admins (
  org_id      TEXT NOT NULL REFERENCES org_organizations(id) ON DELETE CASCADE,
  account_id  TEXT NOT NULL,
  principal   TEXT NOT NULL,
  delegated_at INTEGER NOT NULL,
  PRIMARY KEY (org_id, account_id, principal)
);

CREATE TABLE org_resource_policies (
  org_id      TEXT PRIMARY KEY REFERENCES org_organizations(id) ON DELETE CASCADE,
  id          TEXT NOT NULL,               -- rp-…
  content     TEXT NOT NULL
);

INSERT INTO org_policies (id, org_id, type, name, description, content, created_at) VALUES
 ('p-FullAWSAccess', NULL, 'SERVICE_CONTROL_POLICY', 'FullAWSAccess',
  'Allows access to every operation',
  '{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}', 0),
 ('p-RCPFullAWSAccess', NULL, 'RESOURCE_CONTROL_POLICY', 'RCPFullAWSAccess',
  'Allows access to every operation',
  '{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": "*",
      "Action": "*",
      "Resource": "*"
    }
  ]
}', 0);

-- Quotas as configuration (Organizations User Guide, "Quotas"): AWS's structural limits
-- by default, generous self-hosted defaults where AWS's are commercial. Change a row
-- (e.g. with sqlite3 while the server is stopped, or live: read on every call).
CREATE TABLE org_quotas (
  name        TEXT PRIMARY KEY,
  value       INTEGER NOT NULL
);
INSERT INTO org_quotas (name, value) VALUES
 ('max_accounts', 1000),          -- accounts per organization (AWS default: 10, raisable)
 ('max_ous', 1000),               -- OUs per organization
 ('max_ou_depth', 5),             -- OU nesting below the root
 ('max_policies_per_target', 5),  -- SCPs/RCPs (and each management type) per target
 ('max_policies', 1000),          -- policies per organization
 ('created_removal_wait_days', 0);-- AWS: 7 days before a created account may be removed
