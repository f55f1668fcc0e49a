/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GetAccountAuthorizationDetails (users, groups, roles and managed policies
 * with their relationships, Filter, Marker/MaxItems over the concatenation of
 * the four lists in that order) and GetAccountSummary (entity counts and the
 * IAM quotas Bulwark enforces). AWS managed policies appear in the details
 * only when the account uses them, as in IAM.
 */
#include "svc/iam/internal.h"

enum { F_USER = 1, F_GROUP = 2, F_ROLE = 4, F_LOCAL = 8, F_AWS = 16 };

static const char *const filters[] = {
    "User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy", NULL};

static enum bw_code read_filter(struct bw_call *c, unsigned *out, struct bw_err *err)
{
    int n = bw_q_member_count(c, "Filter", NULL);
    *out = n ? 0 : (F_USER | F_GROUP | F_ROLE | F_LOCAL | F_AWS);
    for (int i = 1; i <= n; i++) {
        const char *v = bw_q_member(c, "Filter", i, NULL);
        if (bw_iam__check_enum("filter.member", v, filters,
                               "User, Role, Group, LocalManagedPolicy, AWSManagedPolicy", err))
            return err->code;
        for (unsigned j = 0; filters[j]; j++)
            if (strcmp(v, filters[j]) == 0)
                *out |= 1u << j;
    }
    return BW_OK;
}

/* Position in the concatenated listing; writes only items inside the page. */
struct cursor {
    struct bw_iam__page pg;
    int64_t pos;
};

static bool in_page(struct cursor *cu)
{
    int64_t i = cu->pos++;
    if (i < cu->pg.off)
        return false;
    if (i >= cu->pg.off + cu->pg.max) {
        cu->pg.truncated = true;
        return false;
    }
    cu->pg.n++;
    return true;
}

static const char *const inline_sql =
    "SELECT name, document FROM iam_inline_policies WHERE account_id = ? AND kind = ?"
    " AND entity = ? ORDER BY name";
static const char *const attached_sql =
    "SELECT p.name, p.arn FROM iam_attachments a JOIN iam_policies p ON p.arn = a.policy_arn"
    " WHERE a.account_id = ? AND a.kind = ? AND a.entity = ? ORDER BY p.name";
static const char *const member_of_sql =
    "SELECT group_name FROM iam_group_members WHERE account_id = ? AND user_name = ?"
    " ORDER BY group_name";

static enum bw_code write_inline(struct bw_call *c, const struct bw_iam__ent *e, const char *list,
                                 struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, inline_sql, err, "sss", c->principal->account_id,
                                  bw_iam__kind_name(e->kind), e->name);
    bool row = false;
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, list);
    while (bw_db_step(c->db, st, &row, err) == BW_OK && row) {
        bw_xml_open(&c->xml, "member");
        bw_xml_elem(&c->xml, "PolicyName", (const char *)sqlite3_column_text(st, 0));
        bw_xml_elem(&c->xml, "PolicyDocument",
                    bw_iam__urlenc(c->arena, (const char *)sqlite3_column_text(st, 1)));
        bw_xml_close(&c->xml, "member");
    }
    bw_xml_close(&c->xml, list);
    return err->code;
}

static enum bw_code write_attached(struct bw_call *c, const struct bw_iam__ent *e,
                                   struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, attached_sql, err, "sss", c->principal->account_id,
                                  bw_iam__kind_name(e->kind), e->name);
    bool row = false;
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "AttachedManagedPolicies");
    while (bw_db_step(c->db, st, &row, err) == BW_OK && row) {
        bw_xml_open(&c->xml, "member");
        bw_xml_elem(&c->xml, "PolicyName", (const char *)sqlite3_column_text(st, 0));
        bw_xml_elem(&c->xml, "PolicyArn", (const char *)sqlite3_column_text(st, 1));
        bw_xml_close(&c->xml, "member");
    }
    bw_xml_close(&c->xml, "AttachedManagedPolicies");
    return err->code;
}

static enum bw_code write_groups_of(struct bw_call *c, const char *user, struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, member_of_sql, err, "ss", c->principal->account_id, user);
    bool row = false;
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "GroupList");
    while (bw_db_step(c->db, st, &row, err) == BW_OK && row)
        bw_xml_elem(&c->xml, "member", (const char *)sqlite3_column_text(st, 0));
    bw_xml_close(&c->xml, "GroupList");
    return err->code;
}

static void write_head(struct bw_call *c, const struct bw_iam__ent *e)
{
    char name_tag[16], id_tag[16];
    snprintf(name_tag, sizeof name_tag, "%sName", bw_iam__kind_title(e->kind));
    snprintf(id_tag, sizeof id_tag, "%sId", bw_iam__kind_title(e->kind));
    bw_xml_elem(&c->xml, "Path", e->path);
    bw_xml_elem(&c->xml, name_tag, e->name);
    bw_xml_elem(&c->xml, id_tag, e->id);
    bw_xml_elem(&c->xml, "Arn", e->arn);
    bw_xml_elem_time(&c->xml, "CreateDate", e->created);
}

static enum bw_code write_entity(struct bw_call *c, const struct bw_iam__ent *e, struct bw_err *err)
{
    static const char *const lists[] = {"UserPolicyList", "GroupPolicyList", "RolePolicyList"};
    bw_xml_open(&c->xml, "member");
    write_head(c, e);
    if (e->kind == BW_IAM_ROLE) {
        bw_xml_elem(&c->xml, "AssumeRolePolicyDocument", bw_iam__urlenc(c->arena, e->trust));
        bw_xml_open(&c->xml, "InstanceProfileList");
        bw_xml_close(&c->xml, "InstanceProfileList");
    }
    if (write_inline(c, e, lists[e->kind], err) ||
        (e->kind == BW_IAM_USER && write_groups_of(c, e->name, err)) || write_attached(c, e, err))
        return err->code;
    if (e->kind != BW_IAM_GROUP) {
        bw_iam__boundary_write(c, e->boundary);
        if (bw_iam__tags_write(c, bw_iam__kind_name(e->kind), e->name, err))
            return err->code;
    }
    bw_xml_close(&c->xml, "member");
    return BW_OK;
}

static const char *const all_sql[] = {
    "SELECT name, path, id, created_at, boundary_arn, NULL, NULL, 0 FROM iam_users"
    " WHERE account_id = ? ORDER BY name",
    "SELECT name, path, id, created_at, NULL, NULL, NULL, 0 FROM iam_groups"
    " WHERE account_id = ? ORDER BY name",
    "SELECT name, path, id, created_at, boundary_arn, trust_policy, description,"
    " max_session_duration FROM iam_roles WHERE account_id = ? ORDER BY name",
};

static enum bw_code write_entities(struct bw_call *c, enum bw_iam_kind k, struct cursor *cu,
                                   struct bw_err *err)
{
    static const char *const lists[] = {"UserDetailList", "GroupDetailList", "RoleDetailList"};
    sqlite3_stmt *st = bw_db_prep(c->db, all_sql[k], err, "s", c->principal->account_id);
    bool row = false;
    if (!st)
        return err->code;
    /* Collect first: the nested queries below must not interleave with this one. */
    struct bw_iam__ent *ents = NULL;
    size_t n = 0, cap = 0;
    while (bw_db_step(c->db, st, &row, err) == BW_OK && row) {
        if (!in_page(cu))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct bw_iam__ent *ne = BW_ARENA_NEWN(c->arena, struct bw_iam__ent, cap);
            if (n)
                memcpy(ne, ents, n * sizeof *ne);
            ents = ne;
        }
        bw_iam__ent_from_row(c, k, st, &ents[n++]);
    }
    if (err->code)
        return err->code;
    bw_xml_open(&c->xml, lists[k]);
    for (size_t i = 0; i < n; i++)
        if (write_entity(c, &ents[i], err))
            return err->code;
    bw_xml_close(&c->xml, lists[k]);
    return BW_OK;
}

static const char *const policies_sql =
    "SELECT * FROM (" BW_IAM_POLICY_SELECT " WHERE p.account_id IN (?1, 'aws'))"
    " WHERE (account_id = ?1 AND ?2) OR (account_id = 'aws' AND ?3 AND ac + bc > 0)"
    " ORDER BY account_id = 'aws', name";
static const char *const versions_sql =
    "SELECT version_id, document, created_at FROM iam_policy_versions WHERE policy_arn = ?"
    " ORDER BY CAST(substr(version_id, 2) AS INTEGER) DESC";

static enum bw_code write_policy(struct bw_call *c, const struct bw_iam__pol *p, struct bw_err *err)
{
    bw_xml_open(&c->xml, "member");
    bw_iam__pol_fields(c, p);
    sqlite3_stmt *st = bw_db_prep(c->db, versions_sql, err, "s", p->arn);
    bool row = false;
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "PolicyVersionList");
    while (bw_db_step(c->db, st, &row, err) == BW_OK && row) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        bw_xml_open(&c->xml, "member");
        bw_xml_elem(&c->xml, "Document",
                    bw_iam__urlenc(c->arena, (const char *)sqlite3_column_text(st, 1)));
        bw_xml_elem(&c->xml, "VersionId", v);
        bw_xml_elem_bool(&c->xml, "IsDefaultVersion", strcmp(v, p->default_version) == 0);
        bw_xml_elem_time(&c->xml, "CreateDate", sqlite3_column_int64(st, 2));
        bw_xml_close(&c->xml, "member");
    }
    bw_xml_close(&c->xml, "PolicyVersionList");
    bw_xml_close(&c->xml, "member");
    return err->code;
}

static enum bw_code write_policies(struct bw_call *c, unsigned f, struct cursor *cu,
                                   struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, policies_sql, err, "sdd", c->principal->account_id,
                                  (f & F_LOCAL) != 0, (f & F_AWS) != 0);
    bool row = false;
    if (!st)
        return err->code;
    struct bw_iam__pol *ps = NULL;
    size_t n = 0, cap = 0;
    while (bw_db_step(c->db, st, &row, err) == BW_OK && row) {
        if (!in_page(cu))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct bw_iam__pol *np = BW_ARENA_NEWN(c->arena, struct bw_iam__pol, cap);
            if (n)
                memcpy(np, ps, n * sizeof *np);
            ps = np;
        }
        bw_iam__pol_from_row(c, st, &ps[n++]);
    }
    if (err->code)
        return err->code;
    bw_xml_open(&c->xml, "Policies");
    for (size_t i = 0; i < n; i++)
        if (write_policy(c, &ps[i], err))
            return err->code;
    bw_xml_close(&c->xml, "Policies");
    return BW_OK;
}

enum bw_code bw_iam__get_account_authorization_details(struct bw_call *c, struct bw_err *err)
{
    unsigned f = 0;
    struct cursor cu = {0};
    if (read_filter(c, &f, err) || bw_iam__paging(c, &cu.pg, err))
        return err->code;
    if (((f & F_USER) && write_entities(c, BW_IAM_USER, &cu, err)) ||
        ((f & F_GROUP) && write_entities(c, BW_IAM_GROUP, &cu, err)) ||
        ((f & F_ROLE) && write_entities(c, BW_IAM_ROLE, &cu, err)) ||
        ((f & (F_LOCAL | F_AWS)) && write_policies(c, f, &cu, err)))
        return err->code;
    bw_iam__paging_end(c, &cu.pg);
    return BW_OK;
}

static const char *const summary_sql =
    "SELECT (SELECT count(*) FROM iam_users WHERE account_id = ?1),"
    " (SELECT count(*) FROM iam_groups WHERE account_id = ?1),"
    " (SELECT count(*) FROM iam_roles WHERE account_id = ?1),"
    " (SELECT count(*) FROM iam_policies WHERE account_id = ?1),"
    " (SELECT count(*) FROM iam_policy_versions v JOIN iam_policies p ON p.arn = v.policy_arn"
    "  WHERE p.account_id = ?1),"
    " (SELECT count(*) FROM iam_access_keys WHERE account_id = ?1 AND user_name IS NULL)";

static void entry(struct bw_call *c, const char *key, int64_t v)
{
    bw_xml_open(&c->xml, "entry");
    bw_xml_elem(&c->xml, "key", key);
    bw_xml_elem_int(&c->xml, "value", v);
    bw_xml_close(&c->xml, "entry");
}

enum bw_code bw_iam__get_account_summary(struct bw_call *c, struct bw_err *err)
{
    static const struct {
        const char *key;
        int64_t v;
    } quotas[] = {
        {"UsersQuota", 5000},
        {"GroupsQuota", 300},
        {"RolesQuota", 1000},
        {"PoliciesQuota", 1500},
        {"PolicySizeQuota", 6144},
        {"PolicyVersionsInUseQuota", 10000},
        {"VersionsPerPolicyQuota", 5},
        {"UserPolicySizeQuota", 2048},
        {"GroupPolicySizeQuota", 5120},
        {"AssumeRolePolicySizeQuota", 2048},
        {"GroupsPerUserQuota", 10},
        {"AccessKeysPerUserQuota", 2},
        {"AttachedPoliciesPerUserQuota", 10},
        {"AttachedPoliciesPerGroupQuota", 10},
        {"AttachedPoliciesPerRoleQuota", 10},
        {"MFADevices", 0},
        {"MFADevicesInUse", 0},
        {"AccountMFAEnabled", 0},
        {"ServerCertificates", 0},
        {"InstanceProfiles", 0},
        {"Providers", 0},
        {"GlobalEndpointTokenVersion", 1},
    };
    static const char *const counts[] = {
        "Users", "Groups", "Roles", "Policies", "PolicyVersionsInUse", "AccountAccessKeysPresent"};
    sqlite3_stmt *st = bw_db_prep(c->db, summary_sql, err, "s", c->principal->account_id);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    bw_xml_open(&c->xml, "SummaryMap");
    for (int i = 0; i < 6; i++)
        entry(c, counts[i], i == 5 ? sqlite3_column_int64(st, i) > 0 : sqlite3_column_int64(st, i));
    for (size_t i = 0; i < sizeof quotas / sizeof quotas[0]; i++)
        entry(c, quotas[i].key, quotas[i].v);
    bw_xml_close(&c->xml, "SummaryMap");
    return BW_OK;
}
