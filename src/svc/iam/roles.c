/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IAM roles: CreateRole, GetRole, UpdateRole, UpdateRoleDescription,
 * UpdateAssumeRolePolicy, DeleteRole, ListRoles. The trust policy is validated
 * by the policy engine as a trust policy (Principal required) with the
 * ACLSizePerRole quota (2,048 characters without whitespace); the maximum
 * session duration is 3,600..43,200 seconds (CreateRole, IAM API Reference).
 */
#include "svc/iam/internal.h"

#define TRUST_LIMIT_MSG "Cannot exceed quota for ACLSizePerRole: 2048"

static enum bw_code check_description(const char *d, struct bw_err *err)
{
    if (bw_iam__check_len("description", d, 0, 1000, err))
        return err->code;
    for (const unsigned char *p = (const unsigned char *)d; *p; p++)
        if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
            return bw_iam__invalid(err, "description", d,
                                   "Member must satisfy regular expression pattern: "
                                   "[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*");
    return BW_OK;
}

static enum bw_code trust_check(const char *field, const char *doc, struct bw_err *err)
{
    return bw_iam__doc_check(field, doc, BW_POLICY_TRUST, BW_POLICY_LIMIT_TRUST, TRUST_LIMIT_MSG,
                             err);
}

struct role_in {
    const char *name, *path, *trust, *desc, *pb;
    int max;
    const char **keys, **values;
    int n_tags;
};

static enum bw_code read_create(struct bw_call *c, struct role_in *in, struct bw_err *err)
{
    memset(in, 0, sizeof *in);
    in->path = bw_q_get(c, "Path");
    in->desc = bw_q_get(c, "Description");
    in->pb = bw_q_get(c, "PermissionsBoundary");
    in->max = 3600;
    if (bw_iam__required(c, "RoleName", &in->name, err) ||
        bw_iam__check_name("roleName", in->name, 64, err) ||
        bw_iam__required(c, "AssumeRolePolicyDocument", &in->trust, err) ||
        (in->path && bw_iam__check_path("path", in->path, err)) ||
        (in->desc && check_description(in->desc, err)) ||
        bw_iam__int_param(c, "MaxSessionDuration", "maxSessionDuration", 3600, 43200, &in->max,
                          NULL, err) ||
        bw_iam__tags_input(c, &in->keys, &in->values, &in->n_tags, err) ||
        trust_check("assumeRolePolicyDocument", in->trust, err) ||
        bw_iam__boundary_check(c, in->pb, err))
        return err->code;
    return BW_OK;
}

enum bw_code bw_iam__create_role(struct bw_call *c, struct bw_err *err)
{
    struct role_in in;
    const char *acct = c->principal->account_id;
    if (read_create(c, &in, err) ||
        bw_iam_role_create(c->db, c->arena, acct, in.name, in.path, in.trust, in.desc, in.max,
                           c->now_ms, NULL, err))
        return err->code;
    if (in.pb && bw_db_exec(c->db, err, NULL,
                            "UPDATE iam_roles SET boundary_arn = ? WHERE account_id = ?"
                            " AND name = ?",
                            "sss", in.pb, acct, in.name))
        return err->code;
    struct bw_iam__ent e = {0};
    if (bw_iam__tags_put(c, "role", in.name, in.keys, in.values, in.n_tags, err) ||
        bw_iam__ent_get(c, BW_IAM_ROLE, in.name, &e, err))
        return err->code;
    bw_iam__trail_entity(c, &e);
    return bw_iam__ent_write(c, &e, "Role", true, err);
}

enum bw_code bw_iam__get_role(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    if (bw_iam__ent_param(c, BW_IAM_ROLE, &e, err))
        return err->code;
    return bw_iam__ent_write(c, &e, "Role", true, err);
}

static enum bw_code update(struct bw_call *c, struct bw_iam__ent *e, struct bw_err *err)
{
    const char *desc = bw_q_get(c, "Description");
    int max = e->max_session;
    if (bw_iam__ent_param(c, BW_IAM_ROLE, e, err) || (desc && check_description(desc, err)) ||
        bw_iam__int_param(c, "MaxSessionDuration", "maxSessionDuration", 3600, 43200, &max, NULL,
                          err))
        return err->code;
    if (!bw_q_get(c, "MaxSessionDuration"))
        max = e->max_session;
    return bw_db_exec(c->db, err, NULL,
                      "UPDATE iam_roles SET description = coalesce(?, description),"
                      " max_session_duration = ? WHERE account_id = ? AND name = ?",
                      "sdss", desc, max, c->principal->account_id, e->name);
}

enum bw_code bw_iam__update_role(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    return update(c, &e, err);
}

enum bw_code bw_iam__update_role_description(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    const char *desc = NULL;
    if (bw_iam__required(c, "Description", &desc, err) || update(c, &e, err) ||
        bw_iam__ent_get(c, BW_IAM_ROLE, e.name, &e, err))
        return err->code;
    return bw_iam__ent_write(c, &e, "Role", true, err);
}

enum bw_code bw_iam__update_assume_role_policy(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    const char *doc = NULL;
    if (bw_iam__ent_param(c, BW_IAM_ROLE, &e, err) ||
        bw_iam__required(c, "PolicyDocument", &doc, err) || trust_check("policyDocument", doc, err))
        return err->code;
    return bw_db_exec(c->db, err, NULL,
                      "UPDATE iam_roles SET trust_policy = ? WHERE account_id = ? AND name = ?",
                      "sss", doc, c->principal->account_id, e.name);
}

static const char *const role_conflict_sql =
    "SELECT (SELECT count(*) FROM iam_attachments WHERE account_id = ?1 AND kind = 'role'"
    "  AND entity = ?2),"
    " (SELECT count(*) FROM iam_inline_policies WHERE account_id = ?1 AND kind = 'role'"
    "  AND entity = ?2)";

enum bw_code bw_iam__delete_role(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    if (bw_iam__ent_param(c, BW_IAM_ROLE, &e, err))
        return err->code;
    sqlite3_stmt *st =
        bw_db_prep(c->db, role_conflict_sql, err, "ss", c->principal->account_id, e.name);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (sqlite3_column_int(st, 0))
        return bw_fail(err, BW_E_IAM_DELETE_CONFLICT,
                       "Cannot delete entity, must detach all policies first.");
    if (sqlite3_column_int(st, 1))
        return bw_fail(err, BW_E_IAM_DELETE_CONFLICT,
                       "Cannot delete entity, must delete policies first.");
    if (bw_iam__tags_drop(c, "role", e.name, err))
        return err->code;
    return bw_db_exec(c->db, err, NULL, "DELETE FROM iam_roles WHERE account_id = ? AND name = ?",
                      "ss", c->principal->account_id, e.name);
}

static const char *const list_sql =
    "SELECT name, path, id, created_at, NULL, trust_policy, description, max_session_duration"
    " FROM iam_roles WHERE account_id = ? AND substr(path, 1, length(?2)) = ?2 ORDER BY name"
    " LIMIT ? OFFSET ?";

enum bw_code bw_iam__list_roles(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__page pg;
    const char *prefix = bw_q_get(c, "PathPrefix");
    if (bw_iam__paging(c, &pg, err) || (prefix && bw_iam__check_prefix(prefix, err)))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, list_sql, err, "ssii", c->principal->account_id,
                                  prefix ? prefix : "/", pg.max + 1, pg.off);
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "Roles");
    while (bw_iam__page_step(c, st, &pg, err)) {
        struct bw_iam__ent e = {0};
        bw_iam__ent_from_row(c, BW_IAM_ROLE, st, &e);
        if (bw_iam__ent_write(c, &e, "member", false, err))
            return err->code;
    }
    if (err->code)
        return err->code;
    bw_xml_close(&c->xml, "Roles");
    bw_iam__paging_end(c, &pg);
    return BW_OK;
}
