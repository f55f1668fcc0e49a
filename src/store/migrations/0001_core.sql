-- SPDX-License-Identifier: Apache-2.0
-- Accounts, IAM, STS sessions. Names that IAM treats as case-insensitively
-- unique use COLLATE NOCASE; every row belongs to an account.

CREATE TABLE accounts (
  id          TEXT PRIMARY KEY,            -- 12 digits
  name        TEXT NOT NULL,
  email       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  created_at  INTEGER NOT NULL,            -- epoch ms
  status      TEXT NOT NULL DEFAULT 'ACTIVE',
  is_bootstrap INTEGER NOT NULL DEFAULT 0  -- the first account made by init
);

CREATE TABLE iam_users (
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  name        TEXT NOT NULL COLLATE NOCASE,
  path        TEXT NOT NULL DEFAULT '/',
  id          TEXT NOT NULL UNIQUE,        -- AIDA...
  created_at  INTEGER NOT NULL,
  boundary_arn TEXT,
  PRIMARY KEY (account_id, name)
);

CREATE TABLE iam_groups (
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  name        TEXT NOT NULL COLLATE NOCASE,
  path        TEXT NOT NULL DEFAULT '/',
  id          TEXT NOT NULL UNIQUE,        -- AGPA...
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (account_id, name)
);

CREATE TABLE iam_group_members (
  account_id  TEXT NOT NULL,
  group_name  TEXT NOT NULL COLLATE NOCASE,
  user_name   TEXT NOT NULL COLLATE NOCASE,
  PRIMARY KEY (account_id, group_name, user_name),
  FOREIGN KEY (account_id, group_name) REFERENCES iam_groups(account_id, name) ON DELETE CASCADE,
  FOREIGN KEY (account_id, user_name) REFERENCES iam_users(account_id, name) ON DELETE CASCADE
);

CREATE TABLE iam_roles (
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  name        TEXT NOT NULL COLLATE NOCASE,
  path        TEXT NOT NULL DEFAULT '/',
  id          TEXT NOT NULL UNIQUE,        -- AROA...
  created_at  INTEGER NOT NULL,
  trust_policy TEXT NOT NULL,
  description TEXT,
  max_session_duration INTEGER NOT NULL DEFAULT 3600,
  boundary_arn TEXT,
  PRIMARY KEY (account_id, name)
);

-- Managed policies; AWS managed ones have account_id 'aws'.
CREATE TABLE iam_policies (
  arn         TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL,
  name        TEXT NOT NULL COLLATE NOCASE,
  path        TEXT NOT NULL DEFAULT '/',
  id          TEXT NOT NULL UNIQUE,        -- ANPA... / ANPAJ... for AWS managed
  description TEXT,
  default_version TEXT NOT NULL DEFAULT 'v1',
  next_version INTEGER NOT NULL DEFAULT 2,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (account_id, name)
);

CREATE TABLE iam_policy_versions (
  policy_arn  TEXT NOT NULL REFERENCES iam_policies(arn) ON DELETE CASCADE,
  version_id  TEXT NOT NULL,
  document    TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (policy_arn, version_id)
);

-- kind: 'user' | 'group' | 'role'
CREATE TABLE iam_attachments (
  account_id  TEXT NOT NULL,
  kind        TEXT NOT NULL,
  entity      TEXT NOT NULL COLLATE NOCASE,
  policy_arn  TEXT NOT NULL REFERENCES iam_policies(arn),
  PRIMARY KEY (account_id, kind, entity, policy_arn)
);
CREATE INDEX iam_attachments_by_policy ON iam_attachments(policy_arn);

CREATE TABLE iam_inline_policies (
  account_id  TEXT NOT NULL,
  kind        TEXT NOT NULL,
  entity      TEXT NOT NULL COLLATE NOCASE,
  name        TEXT NOT NULL COLLATE NOCASE,
  document    TEXT NOT NULL,
  PRIMARY KEY (account_id, kind, entity, name)
);

CREATE TABLE iam_access_keys (
  id          TEXT PRIMARY KEY,            -- AKIA...
  account_id  TEXT NOT NULL,
  user_name   TEXT COLLATE NOCASE,         -- NULL: the account's root user
  secret_enc  BLOB NOT NULL,               -- AES-256-GCM under the data dir's master key
  status      TEXT NOT NULL DEFAULT 'Active',
  created_at  INTEGER NOT NULL,
  last_used_at INTEGER,
  last_used_service TEXT
);
CREATE INDEX iam_access_keys_by_user ON iam_access_keys(account_id, user_name);

-- kind: 'user' | 'role' | 'policy'; entity: name (user/role) or ARN (policy)
CREATE TABLE iam_tags (
  account_id  TEXT NOT NULL,
  kind        TEXT NOT NULL,
  entity      TEXT NOT NULL COLLATE NOCASE,
  key         TEXT NOT NULL COLLATE NOCASE,
  value       TEXT NOT NULL,
  PRIMARY KEY (account_id, kind, entity, key)
);

-- STS temporary credentials (ASIA...). The token is stored as its SHA-256.
CREATE TABLE sts_sessions (
  id          TEXT PRIMARY KEY,            -- ASIA access key id
  account_id  TEXT NOT NULL,
  secret_enc  BLOB NOT NULL,
  token_hash  BLOB NOT NULL,
  kind        TEXT NOT NULL,               -- 'role' | 'user' (GetSessionToken)
  role_name   TEXT,
  role_id     TEXT,
  role_path   TEXT,
  user_name   TEXT,
  session_name TEXT,
  policy      TEXT,                        -- inline session policy
  policy_arns TEXT,                        -- JSON array of managed session policy ARNs
  tags        TEXT,                        -- JSON object of session tags
  transitive_keys TEXT,                    -- JSON array
  source_identity TEXT,
  mfa         INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX sts_sessions_expiry ON sts_sessions(expires_at);

-- The audit trail outbox: one row per recorded API call, written in the same
-- transaction as the change it records.
CREATE TABLE trail_events (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id    TEXT NOT NULL UNIQUE,
  account_id  TEXT NOT NULL,
  event_time  INTEGER NOT NULL,            -- epoch ms
  event_source TEXT NOT NULL,
  event_name  TEXT NOT NULL,
  read_only   INTEGER NOT NULL,
  username    TEXT,
  access_key_id TEXT,
  source_ip   TEXT,
  error_code  TEXT,
  record      TEXT NOT NULL                -- the CloudTrail record, JSON
);
CREATE INDEX trail_events_by_time ON trail_events(account_id, event_time);
