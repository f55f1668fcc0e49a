/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The organization's shared model operations: shapes of Organization, Account and
 * Root; which policy types a root has enabled; joining and leaving (a joining
 * account gets the AWS-managed default policy of every enabled type attached, as
 * "FullAWSAccess is attached to every new or joining account"; a leaving account
 * loses its tags, its directly attached policies, its OU and its delegations —
 * Organizations User Guide, "Removing a member account"); tags on targets.
 */
#include "svc/organizations/internal.h"

#include <string.h>

json_t *bw_org__root_types(struct bw_call *c, const char *root_id, struct bw_err *err)
{
    json_t *a = json_array();
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, a);
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT type FROM org_policy_types WHERE root_id = ?"
                                  " ORDER BY type",
                                  err, "s", root_id);
    bool row;
    if (!st)
        return NULL;
    for (;;) {
        if (bw_db_step(c->db, st, &row, err))
            return NULL;
        if (!row)
            break;
        json_array_append_new(a, json_pack("{s:s,s:s}", "Type",
                                           (const char *)sqlite3_column_text(st, 0), "Status",
                                           "ENABLED"));
    }
    return json_incref(a);
}

bool bw_org__type_enabled(struct bw_call *c, const char *root_id, const char *type)
{
    struct bw_err e;
    bool row = false;
    sqlite3_stmt *st =
        bw_db_prep(c->db, "SELECT 1 FROM org_policy_types WHERE root_id = ? AND type = ?", &e, "ss",
                   root_id, type);
    if (!st || bw_db_step(c->db, st, &row, &e))
        return false;
    return row;
}

json_t *bw_org__org_json(struct bw_call *c, const struct bw_org *o, struct bw_err *err)
{
    json_t *types = bw_org__root_types(c, o->root_id, err);
    if (!types)
        return NULL;
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "Id", o->id, "Arn", bw_org__arn_org(c, o),
                     "FeatureSet", o->feature_set, "MasterAccountArn",
                     bw_arena_printf(c->arena, "arn:aws:organizations::%s:account/%s/%s",
                                     o->management, o->id, o->management),
                     "MasterAccountId", o->management, "MasterAccountEmail", o->mgmt_email,
                     "AvailablePolicyTypes", types);
}

static const char *const account_sql =
    "SELECT a.id, a.email, a.name, a.status, m.joined_method, m.joined_at FROM org_accounts m"
    " JOIN accounts a ON a.id = m.account_id WHERE m.account_id = ? AND m.org_id = ?";

json_t *bw_org__account_row_json(struct bw_call *c, const struct bw_org *o, sqlite3_stmt *st)
{
    const char *acct = (const char *)sqlite3_column_text(st, 0);
    const char *status = (const char *)sqlite3_column_text(st, 3);
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "Id", acct, "Arn",
                          bw_org__arn_account(c, o, acct), "Email", sqlite3_column_text(st, 1),
                          "Name", sqlite3_column_text(st, 2), "Status", status, "JoinedMethod",
                          sqlite3_column_text(st, 4), "JoinedTimestamp",
                          bw_org__time(sqlite3_column_int64(st, 5)));
    /* State (the newer field) mirrors Status: ACTIVE, SUSPENDED, PENDING_CLOSURE. */
    json_object_set_new(j, "State", json_string(status));
    return j;
}

enum bw_code bw_org__account_json(struct bw_call *c, const struct bw_org *o, const char *acct,
                                  json_t **out, struct bw_err *err)
{
    bool row;
    sqlite3_stmt *st = bw_db_prep(c->db, account_sql, err, "ss", acct, o->id);
    *out = NULL;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_ORG_ACCOUNT_NOT_FOUND,
                       "You specified an account that doesn't exist.");
    *out = bw_org__account_row_json(c, o, st);
    return BW_OK;
}

enum bw_code bw_org__attach_raw(struct bw_call *c, const struct bw_org *o, const char *policy,
                                const char *target, const char *type, struct bw_err *err)
{
    return bw_db_exec(c->db, err, NULL,
                      "INSERT OR IGNORE INTO org_attachments (policy_id, target_id, org_id, type)"
                      " VALUES (?,?,?,?)",
                      "ssss", policy, target, o->id, type);
}

static const char *default_policy(const char *type)
{
    if (!strcmp(type, BW_ORG_SCP))
        return "p-FullAWSAccess";
    if (!strcmp(type, BW_ORG_RCP))
        return "p-RCPFullAWSAccess";
    return NULL;
}

/* Attaches the AWS-managed default of every enabled type to a new target. */
static enum bw_code attach_defaults(struct bw_call *c, const struct bw_org *o, const char *target,
                                    struct bw_err *err)
{
    const char *types[2] = {BW_ORG_SCP, BW_ORG_RCP};
    for (int i = 0; i < 2; i++)
        if (bw_org__type_enabled(c, o->root_id, types[i]) &&
            bw_org__attach_raw(c, o, default_policy(types[i]), target, types[i], err))
            return err->code;
    return BW_OK;
}

enum bw_code bw_org__join(struct bw_call *c, const struct bw_org *o, const char *acct,
                          const char *method, struct bw_err *err)
{
    if (bw_db_exec(c->db, err, NULL,
                   "INSERT INTO org_accounts (account_id, org_id, parent_id, joined_method,"
                   " joined_at) VALUES (?,?,?,?,?)",
                   "ssssi", acct, o->id, o->root_id, method, c->now_ms))
        return err->code;
    return attach_defaults(c, o, acct, err);
}

enum bw_code bw_org__attach_defaults(struct bw_call *c, const struct bw_org *o, const char *target,
                                     struct bw_err *err)
{
    return attach_defaults(c, o, target, err);
}

enum bw_code bw_org__detach_account(struct bw_call *c, const char *org, const char *acct,
                                    struct bw_err *err)
{
    if (bw_db_exec(c->db, err, NULL, "DELETE FROM org_attachments WHERE target_id = ?", "s",
                   acct) ||
        bw_db_exec(c->db, err, NULL, "DELETE FROM org_tags WHERE target_id = ?", "s", acct) ||
        bw_db_exec(c->db, err, NULL,
                   "DELETE FROM org_delegated_admins WHERE org_id = ? AND account_id = ?", "ss",
                   org, acct))
        return err->code;
    return bw_db_exec(c->db, err, NULL, "DELETE FROM org_accounts WHERE account_id = ?", "s", acct);
}

bool bw_org__parent_exists(struct bw_call *c, const struct bw_org *o, const char *id)
{
    if (!strcmp(id, o->root_id))
        return true;
    struct bw_err e;
    bool row = false;
    sqlite3_stmt *st =
        bw_db_prep(c->db, "SELECT 1 FROM org_ous WHERE id = ? AND org_id = ?", &e, "ss", id, o->id);
    if (!st || bw_db_step(c->db, st, &row, &e))
        return false;
    return row;
}

/* Validates one Tag {Key, Value}. */
static enum bw_code check_tag(json_t *t, const char **k, const char **v, struct bw_err *err)
{
    json_t *jk = json_object_get(t, "Key"), *jv = json_object_get(t, "Value");
    if (!json_is_object(t) || !json_is_string(jk) || (jv && !json_is_string(jv)))
        return bw_org__invalid(err, "INVALID_LIST_MEMBER", "A tag must have a Key and a Value.");
    *k = json_string_value(jk);
    *v = jv ? json_string_value(jv) : "";
    if (json_string_length(jk) < 1 || json_string_length(jk) > 128)
        return bw_org__invalid(err, "MAX_LENGTH_EXCEEDED",
                               "A tag key must be 1 to 128 characters.");
    if (strlen(*v) > 256)
        return bw_org__invalid(err, "MAX_LENGTH_EXCEEDED",
                               "A tag value must be at most 256 characters.");
    if (!strncmp(*k, "aws:", 4))
        return bw_org__invalid(err, "INVALID_SYSTEM_TAGS_PARAMETER",
                               "Tag keys starting with aws: are reserved.");
    return BW_OK;
}

enum bw_code bw_org__tags_check(json_t *tags, struct bw_err *err)
{
    if (!json_is_array(tags))
        return bw_fail(err, BW_E_SERIALIZATION, "Tags must be a list");
    if (json_array_size(tags) > BW_ORG_MAX_TAGS)
        return bw_org__constraint(err, "MAX_TAG_LIMIT_EXCEEDED",
                                  "You have exceeded the maximum number of tags.");
    size_t i, j;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k, *v, *k2, *v2;
        if (check_tag(t, &k, &v, err))
            return err->code;
        for (j = 0; j < i; j++) {
            check_tag(json_array_get(tags, j), &k2, &v2, err);
            if (!strcmp(k, k2))
                return bw_org__invalid(err, "DUPLICATE_TAG_KEY", "Duplicate tag key: %s.", k);
        }
    }
    return BW_OK;
}

static enum bw_code count_tags(struct bw_call *c, const char *target, int64_t *n,
                               struct bw_err *err)
{
    bool row;
    sqlite3_stmt *st =
        bw_db_prep(c->db, "SELECT count(*) FROM org_tags WHERE target_id = ?", err, "s", target);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    *n = sqlite3_column_int64(st, 0);
    return BW_OK;
}

enum bw_code bw_org__tags_put(struct bw_call *c, const struct bw_org *o, const char *target,
                              json_t *tags, struct bw_err *err)
{
    if (!tags || json_is_null(tags))
        return BW_OK;
    if (bw_org__tags_check(tags, err))
        return err->code;
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k, *v;
        check_tag(t, &k, &v, err);
        if (bw_db_exec(c->db, err, NULL,
                       "INSERT INTO org_tags (org_id, target_id, key, value) VALUES (?,?,?,?)"
                       " ON CONFLICT (target_id, key) DO UPDATE SET value = excluded.value",
                       "ssss", o->id, target, k, v))
            return err->code;
    }
    int64_t n = 0;
    if (count_tags(c, target, &n, err))
        return err->code;
    if (n > BW_ORG_MAX_TAGS)
        return bw_org__constraint(err, "MAX_TAG_LIMIT_EXCEEDED",
                                  "You have exceeded the maximum number of tags.");
    return BW_OK;
}
