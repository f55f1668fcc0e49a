/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Managed policy versions: CreatePolicyVersion (at most 5 versions a policy,
 * SetAsDefault), GetPolicyVersion (the document URL-encoded, as IAM returns
 * it), ListPolicyVersions, DeletePolicyVersion (never the default one) and
 * SetDefaultPolicyVersion. Version ids are "v" + a counter that never reuses
 * a number (iam_policies.next_version).
 */
#include "svc/iam/internal.h"

#include <ctype.h>

#define MAX_VERSIONS 5
#define SIZE_MSG     "Cannot exceed quota for PolicySize: 6144"

static enum bw_code writable(struct bw_call *c, struct bw_iam__pol *p, struct bw_err *err)
{
    if (bw_iam__pol_param(c, p, err))
        return err->code;
    if (strcmp(p->account, "aws") == 0)
        return bw_iam__aws_policy_denied(c, p->arn, err);
    return BW_OK;
}

static enum bw_code version_param(struct bw_call *c, const char **out, struct bw_err *err)
{
    if (bw_iam__required(c, "VersionId", out, err))
        return err->code;
    const char *v = *out;
    bool ok = v[0] == 'v' && v[1] >= '1' && v[1] <= '9';
    const char *p = v + (ok ? 2 : 0);
    while (ok && isdigit((unsigned char)*p))
        p++;
    if (ok && *p == '.')
        for (p++; *p && (isalnum((unsigned char)*p) || *p == '-'); p++)
            ;
    if (!ok || *p)
        return bw_iam__invalid(err, "versionId", v,
                               "Member must satisfy regular expression pattern: "
                               "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?");
    return BW_OK;
}

static const char *const version_sql =
    "SELECT document, created_at FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?";

static enum bw_code version_get(struct bw_call *c, const struct bw_iam__pol *p, const char *v,
                                const char **doc, int64_t *created, struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, version_sql, err, "ss", p->arn, v);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY,
                       "Policy %s version %s does not exist or is not attachable.", p->arn, v);
    if (doc)
        *doc = bw_db_col_str(c->arena, st, 0);
    if (created)
        *created = sqlite3_column_int64(st, 1);
    return BW_OK;
}

static void write_version(struct bw_call *c, const char *tag, const char *doc, const char *v,
                          bool is_default, int64_t created)
{
    bw_xml_open(&c->xml, tag);
    if (doc)
        bw_xml_elem(&c->xml, "Document", bw_iam__urlenc(c->arena, doc));
    bw_xml_elem(&c->xml, "VersionId", v);
    bw_xml_elem_bool(&c->xml, "IsDefaultVersion", is_default);
    bw_xml_elem_time(&c->xml, "CreateDate", created);
    bw_xml_close(&c->xml, tag);
}

static const char *const next_sql =
    "SELECT next_version, (SELECT count(*) FROM iam_policy_versions WHERE policy_arn = ?1)"
    " FROM iam_policies WHERE arn = ?1";

enum bw_code bw_iam__create_policy_version(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__pol p = {0};
    const char *doc = NULL;
    bool set_default = false;
    if (writable(c, &p, err) || bw_iam__required(c, "PolicyDocument", &doc, err) ||
        bw_iam__bool_param(c, "SetAsDefault", &set_default, err) ||
        bw_iam__doc_check("policyDocument", doc, BW_POLICY_IDENTITY, BW_POLICY_LIMIT_MANAGED,
                          SIZE_MSG, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, next_sql, err, "s", p.arn);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (sqlite3_column_int(st, 1) >= MAX_VERSIONS)
        return bw_fail(err, BW_E_IAM_LIMIT_EXCEEDED,
                       "A managed policy can have up to %d versions. Before you create a new "
                       "version, you must delete an existing version.",
                       MAX_VERSIONS);
    const char *v = bw_arena_printf(c->arena, "v%d", sqlite3_column_int(st, 0));
    if (bw_db_exec(c->db, err, NULL,
                   "INSERT INTO iam_policy_versions (policy_arn, version_id, document, created_at)"
                   " VALUES (?,?,?,?)",
                   "sssi", p.arn, v, doc, c->now_ms) ||
        bw_db_exec(c->db, err, NULL,
                   "UPDATE iam_policies SET next_version = next_version + 1, updated_at = ?,"
                   " default_version = CASE WHEN ? THEN ? ELSE default_version END WHERE arn = ?",
                   "idss", c->now_ms, set_default, v, p.arn))
        return err->code;
    write_version(c, "PolicyVersion", NULL, v, set_default, c->now_ms);
    return BW_OK;
}

enum bw_code bw_iam__get_policy_version(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__pol p = {0};
    const char *v = NULL, *doc = NULL;
    int64_t created = 0;
    if (bw_iam__pol_param(c, &p, err) || version_param(c, &v, err) ||
        version_get(c, &p, v, &doc, &created, err))
        return err->code;
    write_version(c, "PolicyVersion", doc, v, strcmp(v, p.default_version) == 0, created);
    return BW_OK;
}

static const char *const list_sql =
    "SELECT version_id, created_at FROM iam_policy_versions WHERE policy_arn = ?"
    " ORDER BY CAST(substr(version_id, 2) AS INTEGER) DESC LIMIT ? OFFSET ?";

enum bw_code bw_iam__list_policy_versions(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__pol p = {0};
    struct bw_iam__page pg;
    if (bw_iam__pol_param(c, &p, err) || bw_iam__paging(c, &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, list_sql, err, "sii", p.arn, pg.max + 1, pg.off);
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "Versions");
    while (bw_iam__page_step(c, st, &pg, err)) {
        const char *v = bw_db_col_str(c->arena, st, 0);
        write_version(c, "member", NULL, v, strcmp(v, p.default_version) == 0,
                      sqlite3_column_int64(st, 1));
    }
    if (err->code)
        return err->code;
    bw_xml_close(&c->xml, "Versions");
    bw_iam__paging_end(c, &pg);
    return BW_OK;
}

enum bw_code bw_iam__delete_policy_version(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__pol p = {0};
    const char *v = NULL;
    if (writable(c, &p, err) || version_param(c, &v, err) || version_get(c, &p, v, NULL, NULL, err))
        return err->code;
    if (strcmp(v, p.default_version) == 0)
        return bw_fail(err, BW_E_IAM_DELETE_CONFLICT,
                       "Cannot delete the default version of a policy.");
    return bw_db_exec(c->db, err, NULL,
                      "DELETE FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?",
                      "ss", p.arn, v);
}

enum bw_code bw_iam__set_default_policy_version(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__pol p = {0};
    const char *v = NULL;
    if (writable(c, &p, err) || version_param(c, &v, err) || version_get(c, &p, v, NULL, NULL, err))
        return err->code;
    return bw_db_exec(c->db, err, NULL,
                      "UPDATE iam_policies SET default_version = ?, updated_at = ? WHERE arn = ?",
                      "sis", v, c->now_ms, p.arn);
}
