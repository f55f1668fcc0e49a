/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inline policies of users, groups and roles: Put/Get/Delete/List{User,Group,
 * Role}Policy. The IAM quotas bound the aggregate size of an entity's inline
 * policies, whitespace excluded: 2,048 characters for a user, 5,120 for a
 * group, 10,240 for a role ("IAM and AWS STS quotas").
 */
#include "svc/iam/internal.h"

static const size_t limits[] = {BW_POLICY_LIMIT_INLINE_USER, BW_POLICY_LIMIT_INLINE_GROUP,
                                BW_POLICY_LIMIT_INLINE_ROLE};

static const char *const others_sql =
    "SELECT document FROM iam_inline_policies WHERE account_id = ? AND kind = ? AND entity = ?"
    " AND name <> ?";

static enum bw_code aggregate_check(struct bw_call *c, const struct bw_iam__ent *e,
                                    const char *name, const char *doc, struct bw_err *err)
{
    size_t total = bw_iam__policy_chars(doc);
    sqlite3_stmt *st = bw_db_prep(c->db, others_sql, err, "ssss", c->principal->account_id,
                                  bw_iam__kind_name(e->kind), e->name, name);
    bool row = false;
    if (!st)
        return err->code;
    while (bw_db_step(c->db, st, &row, err) == BW_OK && row)
        total += bw_iam__policy_chars((const char *)sqlite3_column_text(st, 0));
    if (err->code)
        return err->code;
    if (total > limits[e->kind])
        return bw_fail(err, BW_E_IAM_LIMIT_EXCEEDED,
                       "Maximum policy size of %zu bytes exceeded for %s %s", limits[e->kind],
                       bw_iam__kind_name(e->kind), e->name);
    return BW_OK;
}

static enum bw_code put(struct bw_call *c, enum bw_iam_kind k, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    const char *name = NULL, *doc = NULL;
    if (bw_iam__ent_param(c, k, &e, err) || bw_iam__required(c, "PolicyName", &name, err) ||
        bw_iam__check_name("policyName", name, 128, err) ||
        bw_iam__required(c, "PolicyDocument", &doc, err) ||
        bw_iam__doc_check("policyDocument", doc, BW_POLICY_IDENTITY, SIZE_MAX, "", err) ||
        aggregate_check(c, &e, name, doc, err))
        return err->code;
    return bw_db_exec(c->db, err, NULL,
                      "INSERT INTO iam_inline_policies (account_id, kind, entity, name, document)"
                      " VALUES (?,?,?,?,?) ON CONFLICT (account_id, kind, entity, name)"
                      " DO UPDATE SET document = excluded.document",
                      "sssss", c->principal->account_id, bw_iam__kind_name(k), e.name, name, doc);
}

static const char *const get_sql =
    "SELECT name, document FROM iam_inline_policies WHERE account_id = ? AND kind = ?"
    " AND entity = ? AND name = ?";

static enum bw_code get(struct bw_call *c, enum bw_iam_kind k, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    const char *name = NULL;
    if (bw_iam__ent_param(c, k, &e, err) || bw_iam__required(c, "PolicyName", &name, err) ||
        bw_iam__check_name("policyName", name, 128, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, get_sql, err, "ssss", c->principal->account_id,
                                  bw_iam__kind_name(k), e.name, name);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY, "The %s policy with name %s cannot be found.",
                       bw_iam__kind_name(k), name);
    char tag[16];
    snprintf(tag, sizeof tag, "%sName", bw_iam__kind_title(k));
    bw_xml_elem(&c->xml, tag, e.name);
    bw_xml_elem(&c->xml, "PolicyName", (const char *)sqlite3_column_text(st, 0));
    bw_xml_elem(&c->xml, "PolicyDocument",
                bw_iam__urlenc(c->arena, (const char *)sqlite3_column_text(st, 1)));
    return BW_OK;
}

static enum bw_code del(struct bw_call *c, enum bw_iam_kind k, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    const char *name = NULL;
    if (bw_iam__ent_param(c, k, &e, err) || bw_iam__required(c, "PolicyName", &name, err) ||
        bw_iam__check_name("policyName", name, 128, err))
        return err->code;
    int changes = 0;
    if (bw_db_exec(c->db, err, &changes,
                   "DELETE FROM iam_inline_policies WHERE account_id = ? AND kind = ?"
                   " AND entity = ? AND name = ?",
                   "ssss", c->principal->account_id, bw_iam__kind_name(k), e.name, name))
        return err->code;
    if (!changes)
        return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY, "The %s policy with name %s cannot be found.",
                       bw_iam__kind_name(k), name);
    return BW_OK;
}

static const char *const list_sql =
    "SELECT name FROM iam_inline_policies WHERE account_id = ? AND kind = ? AND entity = ?"
    " ORDER BY name LIMIT ? OFFSET ?";

static enum bw_code list(struct bw_call *c, enum bw_iam_kind k, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    struct bw_iam__page pg;
    if (bw_iam__ent_param(c, k, &e, err) || bw_iam__paging(c, &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, list_sql, err, "sssii", c->principal->account_id,
                                  bw_iam__kind_name(k), e.name, pg.max + 1, pg.off);
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "PolicyNames");
    while (bw_iam__page_step(c, st, &pg, err))
        bw_xml_elem(&c->xml, "member", (const char *)sqlite3_column_text(st, 0));
    if (err->code)
        return err->code;
    bw_xml_close(&c->xml, "PolicyNames");
    bw_iam__paging_end(c, &pg);
    return BW_OK;
}

#define KIND_HANDLERS(fn, kind)                                                                    \
    enum bw_code bw_iam__put_##fn##_policy(struct bw_call *c, struct bw_err *err)                  \
    {                                                                                              \
        return put(c, kind, err);                                                                  \
    }                                                                                              \
    enum bw_code bw_iam__get_##fn##_policy(struct bw_call *c, struct bw_err *err)                  \
    {                                                                                              \
        return get(c, kind, err);                                                                  \
    }                                                                                              \
    enum bw_code bw_iam__delete_##fn##_policy(struct bw_call *c, struct bw_err *err)               \
    {                                                                                              \
        return del(c, kind, err);                                                                  \
    }                                                                                              \
    enum bw_code bw_iam__list_##fn##_policies(struct bw_call *c, struct bw_err *err)               \
    {                                                                                              \
        return list(c, kind, err);                                                                 \
    }

KIND_HANDLERS(user, BW_IAM_USER)
KIND_HANDLERS(group, BW_IAM_GROUP)
KIND_HANDLERS(role, BW_IAM_ROLE)
