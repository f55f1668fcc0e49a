/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The resource ARN each IAM operation is authorized on (Service Authorization
 * Reference, "Actions defined by AWS Identity and Access Management"): the
 * user, group, role or policy the request names, with its stored path
 * (arn:aws:iam::ACCOUNT:user/PATH/NAME); for Create* the path of the request.
 * List operations that take a PathPrefix are checked on
 * arn:aws:iam::ACCOUNT:user<PathPrefix> (…:user/ by default), the resource AWS
 * names in their AccessDenied messages; operations without a resource type
 * (GetAccountSummary, SimulateCustomPolicy, …) use "*". These functions run in
 * the request's transaction before the handler; an entity that does not exist
 * yields its ARN with path "/" so the handler can report NoSuchEntity.
 */
#include "svc/iam/internal.h"

static const char *const path_sql[] = {
    "SELECT path FROM iam_users WHERE account_id = ? AND name = ?",
    "SELECT path FROM iam_groups WHERE account_id = ? AND name = ?",
    "SELECT path FROM iam_roles WHERE account_id = ? AND name = ?",
};

static bool creating(struct bw_call *c)
{
    return strncmp(c->op->name, "Create", 6) == 0 && strcmp(c->op->name, "CreateAccessKey") != 0;
}

static const char *entity_arn(struct bw_call *c, enum bw_iam_kind k, const char *name)
{
    const char *path = "/";
    if (creating(c)) {
        const char *p = bw_q_get(c, "Path");
        path = p ? p : "/";
    } else {
        struct bw_err err;
        bool row = false;
        sqlite3_stmt *st =
            bw_db_prep(c->db, path_sql[k], &err, "ss", c->principal->account_id, name);
        if (st && bw_db_step(c->db, st, &row, &err) == BW_OK && row)
            path = bw_db_col_str(c->arena, st, 0);
    }
    return bw_iam__arn(c, bw_iam__kind_name(k), path, name);
}

static const char *named(struct bw_call *c, enum bw_iam_kind k, const char *param)
{
    const char *name = bw_q_get(c, param);
    return name ? entity_arn(c, k, name) : "*";
}

const char *bw_iam__res_user(struct bw_call *c)
{
    return named(c, BW_IAM_USER, "UserName");
}

const char *bw_iam__res_user_or_self(struct bw_call *c)
{
    const char *name = bw_q_get(c, "UserName");
    if (name)
        return entity_arn(c, BW_IAM_USER, name);
    return c->principal->arn;
}

const char *bw_iam__res_group(struct bw_call *c)
{
    return named(c, BW_IAM_GROUP, "GroupName");
}

const char *bw_iam__res_role(struct bw_call *c)
{
    return named(c, BW_IAM_ROLE, "RoleName");
}

const char *bw_iam__res_policy(struct bw_call *c)
{
    const char *arn = bw_q_get(c, "PolicyArn");
    return arn ? arn : "*";
}

const char *bw_iam__res_new_policy(struct bw_call *c)
{
    const char *name = bw_q_get(c, "PolicyName");
    const char *path = bw_q_get(c, "Path");
    if (!name)
        return "*";
    return bw_iam__arn(c, "policy", path ? path : "/", name);
}

static const char *listing(struct bw_call *c, const char *kind)
{
    const char *prefix = bw_q_get(c, "PathPrefix");
    return bw_iam__arn(c, kind, prefix ? prefix : "/", "");
}

const char *bw_iam__res_users(struct bw_call *c)
{
    return listing(c, "user");
}

const char *bw_iam__res_groups(struct bw_call *c)
{
    return listing(c, "group");
}

const char *bw_iam__res_roles(struct bw_call *c)
{
    return listing(c, "role");
}

const char *bw_iam__res_policies(struct bw_call *c)
{
    return listing(c, "policy");
}

static const char *const key_user_sql =
    "SELECT user_name FROM iam_access_keys WHERE id = ? AND account_id = ?";

const char *bw_iam__res_key_user(struct bw_call *c)
{
    const char *akid = bw_q_get(c, "AccessKeyId");
    struct bw_err err;
    bool row = false;
    sqlite3_stmt *st =
        akid ? bw_db_prep(c->db, key_user_sql, &err, "ss", akid, c->principal->account_id) : NULL;
    if (!st || bw_db_step(c->db, st, &row, &err) || !row)
        return c->principal->arn;
    if (sqlite3_column_type(st, 0) == SQLITE_NULL)
        return bw_arena_printf(c->arena, "arn:aws:iam::%s:root", c->principal->account_id);
    return entity_arn(c, BW_IAM_USER, bw_db_col_str(c->arena, st, 0));
}

const char *bw_iam__res_source(struct bw_call *c)
{
    const char *arn = bw_q_get(c, "PolicySourceArn");
    return arn ? arn : "*";
}

const char *bw_iam__res_any(struct bw_call *c)
{
    (void)c;
    return "*";
}
