/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IAM access keys: CreateAccessKey (at most two keys a user, IAM quotas),
 * ListAccessKeys, UpdateAccessKey (Active/Inactive: the dispatcher refuses an
 * inactive key with InvalidClientTokenId and drops its credentials cache after
 * every IAM write, so the change applies to the next request), DeleteAccessKey
 * and GetAccessKeyLastUsed. Without UserName an operation acts on the caller's
 * own user, or on the root user's keys when the caller is the root user.
 * Last use is not written on the request path (that would make every signed request
 * a write): the audit trail's batch writer records each long-term key's latest call
 * (time, service, region) within a few milliseconds; GetAccessKeyLastUsed answers from
 * iam_access_keys.last_used_* and reports "N/A" for a key never used, as IAM does.
 */
#include "svc/iam/internal.h"

#define KEYS_PER_USER 2

/* The user the operation acts on: *user NULL for the root user's own keys. */
static enum bw_code key_owner(struct bw_call *c, const char **user, struct bw_err *err)
{
    *user = bw_q_get(c, "UserName");
    if (*user) {
        struct bw_iam__ent e = {0};
        if (bw_iam__check_name("userName", *user, 128, err) ||
            bw_iam__ent_get(c, BW_IAM_USER, *user, &e, err))
            return err->code;
        *user = e.name;
        return BW_OK;
    }
    if (c->principal->type == BW_PRINCIPAL_ROOT)
        return BW_OK;
    *user = c->principal->user_name;
    if (!*user)
        return bw_fail(err, BW_E_VALIDATION,
                       "Must specify userName when calling with non-User credentials");
    return BW_OK;
}

static const char *const count_sql =
    "SELECT count(*) FROM iam_access_keys WHERE account_id = ? AND user_name IS ?";

enum bw_code bw_iam__create_access_key(struct bw_call *c, struct bw_err *err)
{
    const char *user = NULL, *account = c->principal->account_id;
    if (key_owner(c, &user, err))
        return err->code;
    bool row = false;
    sqlite3_stmt *st = bw_db_prep(c->db, count_sql, err, "ss", account, user);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (sqlite3_column_int(st, 0) >= KEYS_PER_USER)
        return bw_fail(err, BW_E_IAM_LIMIT_EXCEEDED,
                       "Cannot exceed quota for AccessKeysPerUser: %d", KEYS_PER_USER);
    const char *akid = NULL, *secret = NULL;
    if (bw_iam_access_key_create(c->db, bw_server_secrets(c->srv), c->arena, account, user,
                                 c->now_ms, &akid, &secret, err))
        return err->code;
    bw_xml_open(&c->xml, "AccessKey");
    bw_xml_elem(&c->xml, "UserName", user);
    bw_xml_elem(&c->xml, "AccessKeyId", akid);
    bw_xml_elem(&c->xml, "Status", "Active");
    bw_xml_elem(&c->xml, "SecretAccessKey", secret);
    bw_xml_elem_time(&c->xml, "CreateDate", c->now_ms);
    bw_xml_close(&c->xml, "AccessKey");
    c->trail_response = json_pack("{s:{s:s?,s:s,s:s}}", "accessKey", "userName", user,
                                  "accessKeyId", akid, "status", "Active");
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, c->trail_response);
    return BW_OK;
}

static const char *const list_sql =
    "SELECT id, status, created_at FROM iam_access_keys WHERE account_id = ? AND user_name IS ?"
    " ORDER BY created_at, id LIMIT ? OFFSET ?";

enum bw_code bw_iam__list_access_keys(struct bw_call *c, struct bw_err *err)
{
    const char *user = NULL;
    struct bw_iam__page pg;
    if (key_owner(c, &user, err) || bw_iam__paging(c, &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, list_sql, err, "ssii", c->principal->account_id, user,
                                  pg.max + 1, pg.off);
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "AccessKeyMetadata");
    while (bw_iam__page_step(c, st, &pg, err)) {
        bw_xml_open(&c->xml, "member");
        bw_xml_elem(&c->xml, "UserName", user);
        bw_xml_elem(&c->xml, "AccessKeyId", (const char *)sqlite3_column_text(st, 0));
        bw_xml_elem(&c->xml, "Status", (const char *)sqlite3_column_text(st, 1));
        bw_xml_elem_time(&c->xml, "CreateDate", sqlite3_column_int64(st, 2));
        bw_xml_close(&c->xml, "member");
    }
    if (err->code)
        return err->code;
    bw_xml_close(&c->xml, "AccessKeyMetadata");
    bw_iam__paging_end(c, &pg);
    return BW_OK;
}

static enum bw_code key_id_param(struct bw_call *c, const char **akid, struct bw_err *err)
{
    if (bw_iam__required(c, "AccessKeyId", akid, err) ||
        bw_iam__check_len("accessKeyId", *akid, 16, 128, err))
        return err->code;
    for (const char *p = *akid; *p; p++)
        if (!(*p == '_' || (*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= 'a' && *p <= 'z')))
            return bw_iam__invalid(err, "accessKeyId", *akid,
                                   "Member must satisfy regular expression pattern: [\\w]+");
    return BW_OK;
}

static enum bw_code no_key(const char *akid, struct bw_err *err)
{
    return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY, "The Access Key with id %s cannot be found.",
                   akid);
}

static const char *const statuses[] = {"Active", "Inactive", NULL};

enum bw_code bw_iam__update_access_key(struct bw_call *c, struct bw_err *err)
{
    const char *user = NULL, *akid = NULL, *status = NULL;
    if (key_owner(c, &user, err) || key_id_param(c, &akid, err) ||
        bw_iam__required(c, "Status", &status, err) ||
        bw_iam__check_enum("status", status, statuses, "Active, Inactive", err))
        return err->code;
    int changes = 0;
    if (bw_db_exec(c->db, err, &changes,
                   "UPDATE iam_access_keys SET status = ? WHERE id = ? AND account_id = ?"
                   " AND user_name IS ?",
                   "ssss", status, akid, c->principal->account_id, user))
        return err->code;
    return changes ? BW_OK : no_key(akid, err);
}

enum bw_code bw_iam__delete_access_key(struct bw_call *c, struct bw_err *err)
{
    const char *user = NULL, *akid = NULL;
    if (key_owner(c, &user, err) || key_id_param(c, &akid, err))
        return err->code;
    int changes = 0;
    if (bw_db_exec(c->db, err, &changes,
                   "DELETE FROM iam_access_keys WHERE id = ? AND account_id = ? AND user_name IS ?",
                   "sss", akid, c->principal->account_id, user))
        return err->code;
    return changes ? BW_OK : no_key(akid, err);
}

static const char *const last_used_sql =
    "SELECT user_name, last_used_at, last_used_service, last_used_region FROM iam_access_keys"
    " WHERE id = ?"
    " AND account_id = ?";

enum bw_code bw_iam__get_access_key_last_used(struct bw_call *c, struct bw_err *err)
{
    const char *akid = NULL;
    if (key_id_param(c, &akid, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, last_used_sql, err, "ss", akid, c->principal->account_id);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return no_key(akid, err);
    bool used = sqlite3_column_type(st, 1) != SQLITE_NULL;
    bw_xml_elem(&c->xml, "UserName", (const char *)sqlite3_column_text(st, 0));
    bw_xml_open(&c->xml, "AccessKeyLastUsed");
    if (used)
        bw_xml_elem_time(&c->xml, "LastUsedDate", sqlite3_column_int64(st, 1));
    bw_xml_elem(&c->xml, "ServiceName",
                used && sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2)
                                                   : "N/A");
    bw_xml_elem(&c->xml, "Region",
                used && sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3)
                                                   : "N/A");
    bw_xml_close(&c->xml, "AccessKeyLastUsed");
    return BW_OK;
}
