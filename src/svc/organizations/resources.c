/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The resource ARNs IAM authorizes Organizations actions on (Service Authorization
 * Reference, "Actions, resources, and condition keys for AWS Organizations"):
 * account, OU, root, policy and handshake ARNs, all carrying the caller's
 * organization id and management account. An id that is malformed or names nothing
 * in the caller's organization yields "*"; the handler then answers the precise error.
 */
#include "svc/organizations/internal.h"

#include <string.h>

static const char *policy_arn(struct bw_call *c, const struct bw_org *o, const char *id)
{
    struct bw_err e;
    bool row = false;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT type FROM org_policies WHERE id = ? AND"
                                  " (org_id IS NULL OR org_id = ?)",
                                  &e, "ss", id, o->id);
    if (!st || bw_db_step(c->db, st, &row, &e) || !row)
        return NULL;
    return bw_org__arn_policy(c, o, bw_db_col_str(c->arena, st, 0), id);
}

static const char *handshake_arn(struct bw_call *c, const char *id)
{
    struct bw_err e;
    bool row = false, found;
    struct bw_org o;
    sqlite3_stmt *st =
        bw_db_prep(c->db, "SELECT org_id, action FROM org_handshakes WHERE id = ?", &e, "s", id);
    if (!st || bw_db_step(c->db, st, &row, &e) || !row)
        return NULL;
    const char *org = bw_db_col_str(c->arena, st, 0), *action = bw_db_col_str(c->arena, st, 1);
    if (bw_org__load_id(c, org, &o, &found, &e) || !found)
        return NULL;
    return bw_org__arn_handshake(c, &o, action, id);
}

/* The ARN of the id in member `name` of the input, or "*". */
static const char *arn_of(struct bw_call *c, const char *name)
{
    const char *id = json_string_value(json_object_get(c->in, name)), *org_id;
    struct bw_org o;
    struct bw_err e;
    bool found = false;
    unsigned k = id ? bw_org__id_kind(id, 0x7f) : 0;
    if (k == BW_ORG_ID_HANDSHAKE) {
        const char *arn = handshake_arn(c, id);
        return arn ? arn : "*";
    }
    if (!k || bw_org__account_org(c, c->principal->account_id, &org_id, NULL, &e) || !org_id ||
        bw_org__load_id(c, org_id, &o, &found, &e) || !found)
        return "*";
    const char *arn = NULL;
    if (k == BW_ORG_ID_ACCOUNT)
        arn = bw_org__arn_account(c, &o, id);
    else if (k == BW_ORG_ID_ROOT)
        arn = strcmp(id, o.root_id) ? NULL : bw_org__arn_root(c, &o);
    else if (k == BW_ORG_ID_OU)
        arn = bw_org__arn_ou(c, &o, id);
    else if (k == BW_ORG_ID_POLICY)
        arn = policy_arn(c, &o, id);
    return arn ? arn : "*";
}

const char *bw_org__res_account(struct bw_call *c)
{
    return arn_of(c, "AccountId");
}

const char *bw_org__res_ou(struct bw_call *c)
{
    return arn_of(c, "OrganizationalUnitId");
}

const char *bw_org__res_parent(struct bw_call *c)
{
    return arn_of(c, "ParentId");
}

const char *bw_org__res_root(struct bw_call *c)
{
    return arn_of(c, "RootId");
}

const char *bw_org__res_policy(struct bw_call *c)
{
    return arn_of(c, "PolicyId");
}

const char *bw_org__res_handshake(struct bw_call *c)
{
    return arn_of(c, "HandshakeId");
}

const char *bw_org__res_resource(struct bw_call *c)
{
    return arn_of(c, "ResourceId");
}

const char *bw_org__res_target(struct bw_call *c)
{
    return arn_of(c, "TargetId");
}

const char *bw_org__res_child(struct bw_call *c)
{
    return arn_of(c, "ChildId");
}
