/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Customer managed policies and their versions: CreatePolicy, GetPolicy,
 * DeletePolicy, ListPolicies (Scope, OnlyAttached, PathPrefix,
 * PolicyUsageFilter), CreatePolicyVersion, GetPolicyVersion,
 * ListPolicyVersions, DeletePolicyVersion, SetDefaultPolicyVersion. A policy
 * keeps at most 5 versions; the default version cannot be deleted; a policy
 * attached to an entity or used as a permissions boundary cannot be deleted
 * (a dangling boundary would silently lift the limit it sets). AWS managed
 * policies (account "aws") are visible to every account and writable by none.
 * Documents are validated by the policy engine with the PolicySize quota
 * (6,144 characters without whitespace) and returned URL-encoded.
 */
#include "svc/iam/internal.h"

#define SIZE_MSG "Cannot exceed quota for PolicySize: 6144"

void bw_iam__pol_from_row(struct bw_call *c, sqlite3_stmt *st, struct bw_iam__pol *out)
{
    struct bw_arena *a = c->arena;
    out->arn = bw_db_col_str(a, st, 0);
    out->account = bw_db_col_str(a, st, 1);
    out->name = bw_db_col_str(a, st, 2);
    out->path = bw_db_col_str(a, st, 3);
    out->id = bw_db_col_str(a, st, 4);
    out->description = bw_db_col_str(a, st, 5);
    out->default_version = bw_db_col_str(a, st, 6);
    out->created = sqlite3_column_int64(st, 7);
    out->updated = sqlite3_column_int64(st, 8);
    out->attachments = sqlite3_column_int(st, 9);
    out->boundaries = sqlite3_column_int(st, 10);
}

void bw_iam__pol_fields(struct bw_call *c, const struct bw_iam__pol *p)
{
    bw_xml_elem(&c->xml, "PolicyName", p->name);
    bw_xml_elem(&c->xml, "PolicyId", p->id);
    bw_xml_elem(&c->xml, "Arn", p->arn);
    bw_xml_elem(&c->xml, "Path", p->path);
    bw_xml_elem(&c->xml, "DefaultVersionId", p->default_version);
    bw_xml_elem_int(&c->xml, "AttachmentCount", p->attachments);
    bw_xml_elem_int(&c->xml, "PermissionsBoundaryUsageCount", p->boundaries);
    bw_xml_elem_bool(&c->xml, "IsAttachable", true);
    bw_xml_elem(&c->xml, "Description", p->description);
    bw_xml_elem_time(&c->xml, "CreateDate", p->created);
    bw_xml_elem_time(&c->xml, "UpdateDate", p->updated);
}

static const char *const get_sql =
    BW_IAM_POLICY_SELECT " WHERE p.arn = ?2 AND p.account_id IN (?1, 'aws')";

static enum bw_code pol_get(struct bw_call *c, const char *arn, struct bw_iam__pol *out,
                            struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, get_sql, err, "ss", c->principal->account_id, arn);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY, "Policy %s was not found.", arn);
    bw_iam__pol_from_row(c, st, out);
    return BW_OK;
}

enum bw_code bw_iam__pol_param(struct bw_call *c, struct bw_iam__pol *out, struct bw_err *err)
{
    const char *arn = NULL;
    if (bw_iam__required(c, "PolicyArn", &arn, err) || bw_iam__check_arn(arn, err))
        return err->code;
    return pol_get(c, arn, out, err);
}

/* PolicyArn for a write: found, and not an AWS managed policy. */
static enum bw_code pol_param_writable(struct bw_call *c, struct bw_iam__pol *out,
                                       struct bw_err *err)
{
    if (bw_iam__pol_param(c, out, err))
        return err->code;
    if (strcmp(out->account, "aws") == 0)
        return bw_iam__aws_policy_denied(c, out->arn, err);
    return BW_OK;
}

static enum bw_code write_policy(struct bw_call *c, const char *arn, bool tags, struct bw_err *err)
{
    struct bw_iam__pol p = {0};
    if (pol_get(c, arn, &p, err))
        return err->code;
    bw_xml_open(&c->xml, "Policy");
    bw_iam__pol_fields(c, &p);
    if (tags && bw_iam__tags_write(c, "policy", p.arn, err))
        return err->code;
    bw_xml_close(&c->xml, "Policy");
    return BW_OK;
}

static enum bw_code insert_policy(struct bw_call *c, const char *arn, const char *name,
                                  const char *path, const char *desc, const char *doc,
                                  struct bw_err *err)
{
    char id[22];
    bw_iam_new_id("ANPA", 21, id);
    if (bw_db_exec(c->db, err, NULL,
                   "INSERT INTO iam_policies (arn, account_id, name, path, id, description,"
                   " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                   "ssssssii", arn, c->principal->account_id, name, path, id, desc, c->now_ms,
                   c->now_ms)) {
        if (bw_db_last_was_unique_violation(c->db))
            return bw_fail(err, BW_E_IAM_ENTITY_ALREADY_EXISTS,
                           "A policy called %s already exists. Duplicate names are not allowed.",
                           name);
        return err->code;
    }
    return bw_db_exec(c->db, err, NULL,
                      "INSERT INTO iam_policy_versions (policy_arn, version_id, document,"
                      " created_at) VALUES (?, 'v1', ?, ?)",
                      "ssi", arn, doc, c->now_ms);
}

enum bw_code bw_iam__create_policy(struct bw_call *c, struct bw_err *err)
{
    const char *name, *doc, *path = bw_q_get(c, "Path"), *desc = bw_q_get(c, "Description");
    const char **keys = NULL, **values = NULL;
    int n = 0;
    if (bw_iam__required(c, "PolicyName", &name, err) ||
        bw_iam__check_name("policyName", name, 128, err) ||
        bw_iam__required(c, "PolicyDocument", &doc, err) ||
        (path && bw_iam__check_path("path", path, err)) ||
        (desc && bw_iam__check_len("description", desc, 0, 1000, err)) ||
        bw_iam__tags_input(c, &keys, &values, &n, err) ||
        bw_iam__doc_check("policyDocument", doc, BW_POLICY_IDENTITY, BW_POLICY_LIMIT_MANAGED,
                          SIZE_MSG, err))
        return err->code;
    const char *arn = bw_iam__arn(c, "policy", path ? path : "/", name);
    if (insert_policy(c, arn, name, path ? path : "/", desc, doc, err) ||
        bw_iam__tags_put(c, "policy", arn, keys, values, n, err))
        return err->code;
    return write_policy(c, arn, true, err);
}

enum bw_code bw_iam__get_policy(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__pol p = {0};
    if (bw_iam__pol_param(c, &p, err))
        return err->code;
    return write_policy(c, p.arn, true, err);
}

static const char *const count_versions_sql =
    "SELECT count(*) FROM iam_policy_versions WHERE policy_arn = ?";

static int count_versions(struct bw_call *c, const char *arn, struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, count_versions_sql, err, "s", arn);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return -1;
    return sqlite3_column_int(st, 0);
}

enum bw_code bw_iam__delete_policy(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__pol p = {0};
    if (pol_param_writable(c, &p, err))
        return err->code;
    if (p.attachments || p.boundaries)
        return bw_fail(err, BW_E_IAM_DELETE_CONFLICT,
                       "Cannot delete a policy attached to entities.");
    int n = count_versions(c, p.arn, err);
    if (n < 0)
        return err->code;
    if (n > 1)
        return bw_fail(err, BW_E_IAM_DELETE_CONFLICT,
                       "This policy has more than one version. Before you delete a policy, you "
                       "must delete the policy's versions. The default version is deleted with "
                       "the policy.");
    if (bw_iam__tags_drop(c, "policy", p.arn, err))
        return err->code;
    return bw_db_exec(c->db, err, NULL, "DELETE FROM iam_policies WHERE arn = ?", "s", p.arn);
}

static const char *const list_sql =
    "SELECT * FROM (" BW_IAM_POLICY_SELECT
    " WHERE p.account_id IN (?1, 'aws') AND (?2 = 'All' OR (?2 = 'AWS') = (p.account_id = 'aws'))"
    " AND substr(p.path, 1, length(?3)) = ?3)"
    " WHERE (?5 IS 'PermissionsBoundary' AND bc > 0)"
    " OR (?5 IS NOT 'PermissionsBoundary' AND (?4 = 0 OR ac > 0))"
    " ORDER BY name, arn LIMIT ?6 OFFSET ?7";

static const char *const scopes[] = {"All", "AWS", "Local", NULL};
static const char *const usages[] = {"PermissionsPolicy", "PermissionsBoundary", NULL};

enum bw_code bw_iam__list_policies(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__page pg;
    const char *scope = bw_q_get(c, "Scope"), *prefix = bw_q_get(c, "PathPrefix");
    const char *usage = bw_q_get(c, "PolicyUsageFilter");
    bool only = false;
    if (bw_iam__paging(c, &pg, err) ||
        (scope && bw_iam__check_enum("scope", scope, scopes, "All, AWS, Local", err)) ||
        (usage && bw_iam__check_enum("policyUsageFilter", usage, usages,
                                     "PermissionsPolicy, PermissionsBoundary", err)) ||
        (prefix && bw_iam__check_path("pathPrefix", prefix, err)) ||
        bw_iam__bool_param(c, "OnlyAttached", &only, err))
        return err->code;
    sqlite3_stmt *st =
        bw_db_prep(c->db, list_sql, err, "sssdsii", c->principal->account_id, scope ? scope : "All",
                   prefix ? prefix : "/", only, usage, pg.max + 1, pg.off);
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "Policies");
    while (bw_iam__page_step(c, st, &pg, err)) {
        struct bw_iam__pol p = {0};
        bw_iam__pol_from_row(c, st, &p);
        bw_xml_open(&c->xml, "member");
        bw_iam__pol_fields(c, &p);
        bw_xml_close(&c->xml, "member");
    }
    if (err->code)
        return err->code;
    bw_xml_close(&c->xml, "Policies");
    bw_iam__paging_end(c, &pg);
    return BW_OK;
}
