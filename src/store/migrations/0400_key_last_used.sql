-- SPDX-License-Identifier: Apache-2.0
-- GetAccessKeyLastUsed: the region of a long-term key's last use, beside its time and
-- service (written by the audit trail's batch writer, off the request path).
ALTER TABLE iam_access_keys ADD COLUMN last_used_region TEXT;
