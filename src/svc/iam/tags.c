/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tags on users, roles and customer managed policies (Tag/Untag/List{User,
 * Role,Policy}Tags and Tags on Create*), and permissions boundaries
 * (Put/Delete{User,Role}PermissionsBoundary). IAM tag rules ("Tagging IAM
 * resources"): at most 50 tags a resource, keys 1..128 and values 0..256
 * characters of letters, digits, spaces and _.:/=+-@, keys compare
 * case-insensitively (a second key differing only in case is a duplicate),
 * and the "aws:" prefix is reserved.
 */
#include "svc/iam/internal.h"

#include <ctype.h>

#define MAX_TAGS 50

static bool tag_chars_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (!(isalnum(*p) || *p >= 0x80 || strchr(" _.:/=+-@", *p)))
            return false;
    return true;
}

static enum bw_code check_tag(const char *k, const char *v, struct bw_err *err)
{
    if (bw_iam__check_len("tags.member.key", k, 1, 128, err))
        return err->code;
    if (!tag_chars_ok(k))
        return bw_iam__invalid(err, "tags.member.key", k,
                               "Member must satisfy regular expression pattern: "
                               "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
    if (bw_iam__check_len("tags.member.value", v, 0, 256, err))
        return err->code;
    if (!tag_chars_ok(v))
        return bw_iam__invalid(err, "tags.member.value", v,
                               "Member must satisfy regular expression pattern: "
                               "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
    if (strncasecmp(k, "aws:", 4) == 0)
        return bw_fail(err, BW_E_IAM_INVALID_INPUT,
                       "Tag keys starting with 'aws:' are reserved for internal use");
    return BW_OK;
}

enum bw_code bw_iam__tags_input(struct bw_call *c, const char ***keys, const char ***values, int *n,
                                struct bw_err *err)
{
    int count = bw_q_member_count(c, "Tags", "Key");
    if (count > MAX_TAGS)
        return bw_fail(err, BW_E_VALIDATION,
                       "1 validation error detected: Value at 'tags' failed to satisfy "
                       "constraint: Member must have length less than or equal to %d",
                       MAX_TAGS);
    *keys = BW_ARENA_NEWN(c->arena, const char *, (size_t)count + 1);
    *values = BW_ARENA_NEWN(c->arena, const char *, (size_t)count + 1);
    *n = count;
    for (int i = 0; i < count; i++) {
        const char *k = bw_q_member(c, "Tags", i + 1, "Key");
        const char *v = bw_q_member(c, "Tags", i + 1, "Value");
        if (!v)
            v = "";
        if (check_tag(k, v, err))
            return err->code;
        for (int j = 0; j < i; j++)
            if (strcasecmp((*keys)[j], k) == 0)
                return bw_fail(err, BW_E_IAM_INVALID_INPUT,
                               "Duplicate tag keys found. Please note that Tag keys are case "
                               "insensitive.");
        (*keys)[i] = k;
        (*values)[i] = v;
    }
    return BW_OK;
}

static const char *const count_new_sql =
    "SELECT count(*) FROM iam_tags WHERE account_id = ? AND kind = ? AND entity = ?";

enum bw_code bw_iam__tags_put(struct bw_call *c, const char *kind, const char *entity,
                              const char **keys, const char **values, int n, struct bw_err *err)
{
    const char *acct = c->principal->account_id;
    for (int i = 0; i < n; i++)
        if (bw_db_exec(c->db, err, NULL,
                       "INSERT INTO iam_tags (account_id, kind, entity, key, value)"
                       " VALUES (?,?,?,?,?) ON CONFLICT (account_id, kind, entity, key)"
                       " DO UPDATE SET key = excluded.key, value = excluded.value",
                       "sssss", acct, kind, entity, keys[i], values[i]))
            return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, count_new_sql, err, "sss", acct, kind, entity);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (sqlite3_column_int(st, 0) > MAX_TAGS)
        return bw_fail(err, BW_E_IAM_LIMIT_EXCEEDED,
                       "The number of tags has reached the maximum limit.");
    return BW_OK;
}

static const char *const tags_sql =
    "SELECT key, value FROM iam_tags WHERE account_id = ? AND kind = ? AND entity = ?"
    " ORDER BY key LIMIT ? OFFSET ?";

enum bw_code bw_iam__tags_write(struct bw_call *c, const char *kind, const char *entity,
                                struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, tags_sql, err, "sssii", c->principal->account_id, kind,
                                  entity, (int64_t)MAX_TAGS, (int64_t)0);
    bool row, any = false;
    if (!st)
        return err->code;
    while (bw_db_step(c->db, st, &row, err) == BW_OK && row) {
        if (!any)
            bw_xml_open(&c->xml, "Tags");
        any = true;
        bw_xml_open(&c->xml, "member");
        bw_xml_elem(&c->xml, "Key", (const char *)sqlite3_column_text(st, 0));
        bw_xml_elem(&c->xml, "Value", (const char *)sqlite3_column_text(st, 1));
        bw_xml_close(&c->xml, "member");
    }
    if (any)
        bw_xml_close(&c->xml, "Tags");
    return err->code;
}

enum bw_code bw_iam__tags_drop(struct bw_call *c, const char *kind, const char *entity,
                               struct bw_err *err)
{
    return bw_db_exec(c->db, err, NULL,
                      "DELETE FROM iam_tags WHERE account_id = ? AND kind = ? AND entity = ?",
                      "sss", c->principal->account_id, kind, entity);
}

/* The tagged resource: a user or role by name, or a customer managed policy by ARN. */
static enum bw_code target(struct bw_call *c, const char *kind, const char **entity,
                           struct bw_err *err)
{
    if (strcmp(kind, "policy") == 0) {
        struct bw_iam__pol p = {0};
        if (bw_iam__pol_param(c, &p, err))
            return err->code;
        if (strcmp(p.account, "aws") == 0 && strncmp(c->op->name, "List", 4) != 0)
            return bw_iam__aws_policy_denied(c, p.arn, err);
        *entity = p.arn;
        return BW_OK;
    }
    struct bw_iam__ent e = {0};
    if (bw_iam__ent_param(c, strcmp(kind, "user") == 0 ? BW_IAM_USER : BW_IAM_ROLE, &e, err))
        return err->code;
    *entity = e.name;
    return BW_OK;
}

static enum bw_code tag(struct bw_call *c, const char *kind, struct bw_err *err)
{
    const char *entity = NULL, **keys = NULL, **values = NULL;
    int n = 0;
    if (target(c, kind, &entity, err) || bw_iam__tags_input(c, &keys, &values, &n, err))
        return err->code;
    if (n == 0)
        return bw_fail(err, BW_E_VALIDATION,
                       "1 validation error detected: Value null at 'tags' failed to satisfy "
                       "constraint: Member must not be null");
    return bw_iam__tags_put(c, kind, entity, keys, values, n, err);
}

static enum bw_code untag(struct bw_call *c, const char *kind, struct bw_err *err)
{
    const char *entity = NULL;
    if (target(c, kind, &entity, err))
        return err->code;
    int n = bw_q_member_count(c, "TagKeys", NULL);
    if (n == 0)
        return bw_fail(err, BW_E_VALIDATION,
                       "1 validation error detected: Value null at 'tagKeys' failed to satisfy "
                       "constraint: Member must not be null");
    if (n > MAX_TAGS)
        return bw_fail(err, BW_E_VALIDATION,
                       "1 validation error detected: Value at 'tagKeys' failed to satisfy "
                       "constraint: Member must have length less than or equal to %d",
                       MAX_TAGS);
    for (int i = 1; i <= n; i++) {
        const char *k = bw_q_member(c, "TagKeys", i, NULL);
        if (bw_iam__check_len("tagKeys.member", k, 1, 128, err) ||
            bw_db_exec(c->db, err, NULL,
                       "DELETE FROM iam_tags WHERE account_id = ? AND kind = ? AND entity = ?"
                       " AND key = ?",
                       "ssss", c->principal->account_id, kind, entity, k))
            return err->code;
    }
    return BW_OK;
}

static enum bw_code list(struct bw_call *c, const char *kind, struct bw_err *err)
{
    const char *entity = NULL;
    struct bw_iam__page pg;
    if (target(c, kind, &entity, err) || bw_iam__paging(c, &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, tags_sql, err, "sssii", c->principal->account_id, kind,
                                  entity, pg.max + 1, pg.off);
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "Tags");
    while (bw_iam__page_step(c, st, &pg, err)) {
        bw_xml_open(&c->xml, "member");
        bw_xml_elem(&c->xml, "Key", (const char *)sqlite3_column_text(st, 0));
        bw_xml_elem(&c->xml, "Value", (const char *)sqlite3_column_text(st, 1));
        bw_xml_close(&c->xml, "member");
    }
    if (err->code)
        return err->code;
    bw_xml_close(&c->xml, "Tags");
    bw_iam__paging_end(c, &pg);
    return BW_OK;
}

#define TAG_HANDLERS(fn, kind)                                                                     \
    enum bw_code bw_iam__tag_##fn(struct bw_call *c, struct bw_err *err)                           \
    {                                                                                              \
        return tag(c, kind, err);                                                                  \
    }                                                                                              \
    enum bw_code bw_iam__untag_##fn(struct bw_call *c, struct bw_err *err)                         \
    {                                                                                              \
        return untag(c, kind, err);                                                                \
    }                                                                                              \
    enum bw_code bw_iam__list_##fn##_tags(struct bw_call *c, struct bw_err *err)                   \
    {                                                                                              \
        return list(c, kind, err);                                                                 \
    }

TAG_HANDLERS(user, "user")
TAG_HANDLERS(role, "role")
TAG_HANDLERS(policy, "policy")

/* ---- permissions boundaries ---- */

enum bw_code bw_iam__boundary_check(struct bw_call *c, const char *arn, struct bw_err *err)
{
    if (!arn)
        return BW_OK;
    return bw_iam__policy_visible(c, arn, true, err);
}

static const char *const set_boundary_sql[] = {
    "UPDATE iam_users SET boundary_arn = ? WHERE account_id = ? AND name = ?",
    NULL,
    "UPDATE iam_roles SET boundary_arn = ? WHERE account_id = ? AND name = ?",
};

static enum bw_code put_boundary(struct bw_call *c, enum bw_iam_kind k, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    const char *arn = NULL;
    if (bw_iam__ent_param(c, k, &e, err) || bw_iam__required(c, "PermissionsBoundary", &arn, err) ||
        bw_iam__boundary_check(c, arn, err))
        return err->code;
    return bw_db_exec(c->db, err, NULL, set_boundary_sql[k], "sss", arn, c->principal->account_id,
                      e.name);
}

static enum bw_code delete_boundary(struct bw_call *c, enum bw_iam_kind k, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    if (bw_iam__ent_param(c, k, &e, err))
        return err->code;
    return bw_db_exec(c->db, err, NULL, set_boundary_sql[k], "sss", NULL, c->principal->account_id,
                      e.name);
}

enum bw_code bw_iam__put_user_permissions_boundary(struct bw_call *c, struct bw_err *err)
{
    return put_boundary(c, BW_IAM_USER, err);
}

enum bw_code bw_iam__delete_user_permissions_boundary(struct bw_call *c, struct bw_err *err)
{
    return delete_boundary(c, BW_IAM_USER, err);
}

enum bw_code bw_iam__put_role_permissions_boundary(struct bw_call *c, struct bw_err *err)
{
    return put_boundary(c, BW_IAM_ROLE, err);
}

enum bw_code bw_iam__delete_role_permissions_boundary(struct bw_call *c, struct bw_err *err)
{
    return delete_boundary(c, BW_IAM_ROLE, err);
}
