/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Managed policy attachments: Attach/Detach{User,Group,Role}Policy,
 * ListAttached{User,Group,Role}Policies and ListEntitiesForPolicy. An entity
 * holds at most 10 managed policies (IAM quotas: PoliciesPerUser,
 * PoliciesPerGroup, PoliciesPerRole, default value); attaching twice is a
 * no-op, as in IAM.
 */
#include "svc/iam/internal.h"

#define MAX_ATTACHED 10

static const char *const count_sql =
    "SELECT count(*), sum(policy_arn = ?4) FROM iam_attachments WHERE account_id = ?1"
    " AND kind = ?2 AND entity = ?3";

static enum bw_code attach(struct bw_call *c, enum bw_iam_kind k, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    const char *arn = NULL;
    if (bw_iam__ent_param(c, k, &e, err) || bw_iam__required(c, "PolicyArn", &arn, err) ||
        bw_iam__policy_visible(c, arn, false, err))
        return err->code;
    const char *kind = bw_iam__kind_name(k);
    sqlite3_stmt *st =
        bw_db_prep(c->db, count_sql, err, "ssss", c->principal->account_id, kind, e.name, arn);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (sqlite3_column_int(st, 1) > 0)
        return BW_OK;
    if (sqlite3_column_int(st, 0) >= MAX_ATTACHED)
        return bw_fail(err, BW_E_IAM_LIMIT_EXCEEDED, "Cannot exceed quota for PoliciesPer%s: %d",
                       bw_iam__kind_title(k), MAX_ATTACHED);
    return bw_iam_attach(c->db, c->principal->account_id, kind, e.name, arn, err);
}

static enum bw_code detach(struct bw_call *c, enum bw_iam_kind k, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    const char *arn = NULL;
    if (bw_iam__ent_param(c, k, &e, err) || bw_iam__required(c, "PolicyArn", &arn, err) ||
        bw_iam__check_arn(arn, err))
        return err->code;
    int changes = 0;
    if (bw_db_exec(c->db, err, &changes,
                   "DELETE FROM iam_attachments WHERE account_id = ? AND kind = ? AND entity = ?"
                   " AND policy_arn = ?",
                   "ssss", c->principal->account_id, bw_iam__kind_name(k), e.name, arn))
        return err->code;
    if (!changes)
        return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY, "Policy %s was not found.", arn);
    return BW_OK;
}

static const char *const attached_sql =
    "SELECT p.name, p.arn FROM iam_attachments a JOIN iam_policies p ON p.arn = a.policy_arn"
    " WHERE a.account_id = ? AND a.kind = ? AND a.entity = ? AND substr(p.path, 1, length(?4))"
    " = ?4 ORDER BY p.name, p.arn LIMIT ? OFFSET ?";

static enum bw_code list_attached(struct bw_call *c, enum bw_iam_kind k, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    struct bw_iam__page pg;
    const char *prefix = bw_q_get(c, "PathPrefix");
    if (bw_iam__ent_param(c, k, &e, err) || bw_iam__paging(c, &pg, err) ||
        (prefix && bw_iam__check_path("pathPrefix", prefix, err)))
        return err->code;
    sqlite3_stmt *st =
        bw_db_prep(c->db, attached_sql, err, "ssssii", c->principal->account_id,
                   bw_iam__kind_name(k), e.name, prefix ? prefix : "/", pg.max + 1, pg.off);
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "AttachedPolicies");
    while (bw_iam__page_step(c, st, &pg, err)) {
        bw_xml_open(&c->xml, "member");
        bw_xml_elem(&c->xml, "PolicyName", (const char *)sqlite3_column_text(st, 0));
        bw_xml_elem(&c->xml, "PolicyArn", (const char *)sqlite3_column_text(st, 1));
        bw_xml_close(&c->xml, "member");
    }
    if (err->code)
        return err->code;
    bw_xml_close(&c->xml, "AttachedPolicies");
    bw_iam__paging_end(c, &pg);
    return BW_OK;
}

#define KIND_HANDLERS(fn, kind)                                                                    \
    enum bw_code bw_iam__attach_##fn##_policy(struct bw_call *c, struct bw_err *err)               \
    {                                                                                              \
        return attach(c, kind, err);                                                               \
    }                                                                                              \
    enum bw_code bw_iam__detach_##fn##_policy(struct bw_call *c, struct bw_err *err)               \
    {                                                                                              \
        return detach(c, kind, err);                                                               \
    }                                                                                              \
    enum bw_code bw_iam__list_attached_##fn##_policies(struct bw_call *c, struct bw_err *err)      \
    {                                                                                              \
        return list_attached(c, kind, err);                                                        \
    }

KIND_HANDLERS(user, BW_IAM_USER)
KIND_HANDLERS(group, BW_IAM_GROUP)
KIND_HANDLERS(role, BW_IAM_ROLE)

/* Entities using a policy: as a permissions policy (attachments) and/or as a boundary. */
static const char *const entities_sql =
    "SELECT kind, name, id FROM ("
    " SELECT a.kind AS kind, coalesce(u.name, g.name, r.name) AS name,"
    "  coalesce(u.id, g.id, r.id) AS id, coalesce(u.path, g.path, r.path) AS path"
    "  FROM iam_attachments a"
    "  LEFT JOIN iam_users u ON a.kind = 'user' AND u.account_id = a.account_id"
    "   AND u.name = a.entity"
    "  LEFT JOIN iam_groups g ON a.kind = 'group' AND g.account_id = a.account_id"
    "   AND g.name = a.entity"
    "  LEFT JOIN iam_roles r ON a.kind = 'role' AND r.account_id = a.account_id"
    "   AND r.name = a.entity"
    "  WHERE a.account_id = ?1 AND a.policy_arn = ?2 AND ?3 IS NOT 'PermissionsBoundary'"
    " UNION"
    " SELECT 'user', name, id, path FROM iam_users WHERE account_id = ?1 AND boundary_arn = ?2"
    "  AND ?3 IS NOT 'PermissionsPolicy'"
    " UNION"
    " SELECT 'role', name, id, path FROM iam_roles WHERE account_id = ?1 AND boundary_arn = ?2"
    "  AND ?3 IS NOT 'PermissionsPolicy')"
    " WHERE (?4 IS NULL OR kind = ?4) AND substr(path, 1, length(?5)) = ?5"
    " ORDER BY kind, name LIMIT ?6 OFFSET ?7";

static const char *const entity_filters[] = {
    "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy", NULL};
static const char *const usages[] = {"PermissionsPolicy", "PermissionsBoundary", NULL};

struct ent_row {
    const char *kind, *name, *id;
};

static void write_entities(struct bw_call *c, const struct ent_row *rows, int64_t n)
{
    static const char *const kinds[] = {"group", "user", "role"};
    static const char *const lists[] = {"PolicyGroups", "PolicyUsers", "PolicyRoles"};
    static const char *const names[] = {"GroupName", "UserName", "RoleName"};
    static const char *const ids[] = {"GroupId", "UserId", "RoleId"};
    for (int k = 0; k < 3; k++) {
        bw_xml_open(&c->xml, lists[k]);
        for (int64_t i = 0; i < n; i++) {
            if (strcmp(rows[i].kind, kinds[k]) != 0)
                continue;
            bw_xml_open(&c->xml, "member");
            bw_xml_elem(&c->xml, names[k], rows[i].name);
            bw_xml_elem(&c->xml, ids[k], rows[i].id);
            bw_xml_close(&c->xml, "member");
        }
        bw_xml_close(&c->xml, lists[k]);
    }
}

static const char *filter_kind(const char *f)
{
    if (!f)
        return NULL;
    if (strcmp(f, "User") == 0)
        return "user";
    if (strcmp(f, "Group") == 0)
        return "group";
    if (strcmp(f, "Role") == 0)
        return "role";
    return "none"; /* policies are not entities that use a policy */
}

enum bw_code bw_iam__list_entities_for_policy(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__pol p = {0};
    struct bw_iam__page pg;
    const char *f = bw_q_get(c, "EntityFilter"), *prefix = bw_q_get(c, "PathPrefix");
    const char *usage = bw_q_get(c, "PolicyUsageFilter");
    if (bw_iam__pol_param(c, &p, err) || bw_iam__paging(c, &pg, err) ||
        (f && bw_iam__check_enum("entityFilter", f, entity_filters,
                                 "User, Role, Group, LocalManagedPolicy, AWSManagedPolicy", err)) ||
        (usage && bw_iam__check_enum("policyUsageFilter", usage, usages,
                                     "PermissionsPolicy, PermissionsBoundary", err)) ||
        (prefix && bw_iam__check_path("pathPrefix", prefix, err)))
        return err->code;
    sqlite3_stmt *st =
        bw_db_prep(c->db, entities_sql, err, "sssssii", c->principal->account_id, p.arn, usage,
                   filter_kind(f), prefix ? prefix : "/", pg.max + 1, pg.off);
    if (!st)
        return err->code;
    struct ent_row *rows = BW_ARENA_NEWN(c->arena, struct ent_row, (size_t)pg.max);
    while (bw_iam__page_step(c, st, &pg, err)) {
        struct ent_row *r = &rows[pg.n - 1];
        r->kind = bw_db_col_str(c->arena, st, 0);
        r->name = bw_db_col_str(c->arena, st, 1);
        r->id = bw_db_col_str(c->arena, st, 2);
    }
    if (err->code)
        return err->code;
    write_entities(c, rows, pg.n);
    bw_iam__paging_end(c, &pg);
    return BW_OK;
}
