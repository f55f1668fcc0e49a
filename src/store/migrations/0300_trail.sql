-- SPDX-License-Identifier: Apache-2.0
-- The audit trail: the trail_events outbox (rebuilt lean), LookupEvents' index,
-- trails, their signing keys, the writer's cursor and the bookkeeping of every log
-- and digest file it delivered.
-- The outbox is rebuilt without secondary indexes: a call pays for one row appended at
-- the right edge of one b-tree and nothing else. LookupEvents' indexes are built
-- asynchronously into trail_attrs by the writer thread (trail/index.c); the few events
-- not yet indexed are scanned directly, so lookups never miss a committed event.
-- seq is the rowid without AUTOINCREMENT (which costs a sqlite_sequence write per
-- call): rowids only grow as long as the newest row is never deleted, and nothing
-- deletes events (a retention job must keep the newest row).
CREATE TABLE trail_events_new (
  seq         INTEGER PRIMARY KEY,
  event_id    TEXT NOT NULL,
  account_id  TEXT NOT NULL,               -- the recipient account
  event_time  INTEGER NOT NULL,            -- epoch ms
  event_source TEXT NOT NULL,
  event_name  TEXT NOT NULL,
  read_only   INTEGER NOT NULL,
  username    TEXT,
  access_key_id TEXT,
  source_ip   TEXT,
  error_code  TEXT,
  record      TEXT NOT NULL,               -- the CloudTrail record, JSON
  region      TEXT NOT NULL DEFAULT 'us-east-1'
);
INSERT INTO trail_events_new (seq, event_id, account_id, event_time, event_source, event_name,
  read_only, username, access_key_id, source_ip, error_code, record)
  SELECT seq, event_id, account_id, event_time, event_source, event_name, read_only, username,
         access_key_id, source_ip, error_code, record FROM trail_events;
DROP TABLE trail_events;
ALTER TABLE trail_events_new RENAME TO trail_events;

-- LookupEvents' index: one row per (event, attribute); key '*' (value '') for "any".
CREATE TABLE trail_attrs (
  account_id TEXT NOT NULL,
  key        TEXT NOT NULL,   -- EventId|EventName|ReadOnly|Username|ResourceType|ResourceName|EventSource|AccessKeyId|*
  value      TEXT NOT NULL,
  event_time INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  PRIMARY KEY (account_id, key, value, event_time, seq)
) WITHOUT ROWID;
CREATE TABLE trail_meta (
  k TEXT PRIMARY KEY,
  v INTEGER NOT NULL
);
INSERT INTO trail_meta VALUES ('index_seq', 0);

CREATE TABLE trails (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id    TEXT NOT NULL,
  name          TEXT NOT NULL,
  arn           TEXT NOT NULL UNIQUE,
  home_region   TEXT NOT NULL,
  s3_bucket     TEXT NOT NULL,             -- a label: files go to dir
  s3_prefix     TEXT,
  sns_topic     TEXT,
  include_global INTEGER NOT NULL DEFAULT 1,
  multi_region  INTEGER NOT NULL DEFAULT 0,
  validation    INTEGER NOT NULL DEFAULT 0,
  is_org        INTEGER NOT NULL DEFAULT 0,
  org_id        TEXT,
  kms_key_id    TEXT,
  cw_group_arn  TEXT,
  cw_role_arn   TEXT,
  tags          TEXT,                      -- JSON array of {Key,Value}
  dir           TEXT NOT NULL,             -- where AWSLogs/... lives
  logging       INTEGER NOT NULL DEFAULT 0,
  stop_drained  INTEGER NOT NULL DEFAULT 1, -- 0: stopped, events up to stop_ms still to deliver
  created_ms    INTEGER NOT NULL,
  start_ms      INTEGER,
  stop_ms       INTEGER,
  start_seq     INTEGER NOT NULL DEFAULT 0, -- events after this seq are delivered
  cursor_seq    INTEGER NOT NULL DEFAULT 0, -- last seq delivered into a file
  last_delivery_ms INTEGER,
  last_digest_ms   INTEGER,
  delivery_error TEXT,
  key_id        INTEGER,
  UNIQUE (account_id, name)
);

-- Digest signing keys (RSA 2048, SHA256withRSA). The private key is sealed with
-- the server's master key (aad = the fingerprint).
CREATE TABLE trail_keys (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  fingerprint TEXT NOT NULL UNIQUE,        -- hex MD5 of the DER public key, as CloudTrail
  public_der  BLOB NOT NULL,
  private_sealed BLOB NOT NULL,
  valid_from_ms INTEGER NOT NULL,
  valid_to_ms   INTEGER
);

-- Every delivered file. state 'pending' = planned (seq range fixed) but not yet
-- known to be on disk: the writer rewrites it identically after a crash.
CREATE TABLE trail_files (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  trail_id    INTEGER NOT NULL,
  kind        TEXT NOT NULL,               -- 'log' | 'digest'
  account_id  TEXT NOT NULL,
  region      TEXT NOT NULL,
  key         TEXT NOT NULL,               -- path under the trail dir
  first_seq   INTEGER,
  last_seq    INTEGER,
  oldest_ms   INTEGER,
  newest_ms   INTEGER,
  created_ms  INTEGER NOT NULL,
  sha256      TEXT,
  signature   TEXT,                        -- digests: hex signature (S3 metadata in AWS)
  digest_id   INTEGER,                     -- logs: the digest that lists them
  state       TEXT NOT NULL DEFAULT 'pending',
  UNIQUE (trail_id, key)
);
CREATE INDEX trail_files_by_trail ON trail_files(trail_id, kind, account_id, id);
CREATE INDEX trail_files_by_key ON trail_files(key);
CREATE INDEX trail_files_by_digest ON trail_files(digest_id);
