/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The authorization hook that makes Organizations' control policies bite (User
 * Guide, "Service control policies" and "Resource control policies"; IAM User
 * Guide, "Policy evaluation logic"). For every call by a principal of a member
 * account of an ALL-features organization whose root has SERVICE_CONTROL_POLICY
 * enabled, the SCP chain root → OUs (top down) → account is loaded from the store
 * and handed to the policy engine, each level needing an Allow; the management
 * account is exempt. RCPs of the resource's account apply likewise when the
 * RESOURCE_CONTROL_POLICY type is enabled. aws:PrincipalOrgID/PrincipalOrgPaths
 * and aws:ResourceOrgID/ResourceOrgPaths are filled in. Nothing is cached here:
 * each request reads the current tree and attachments inside its transaction,
 * and compiled policies are cached by content, so every change takes effect on
 * the very next request.
 */
#include "svc/organizations/internal.h"

#include <string.h>

#include "common/arena.h"

#define MAX_LEVELS (BW_ORG_HARD_MAX_DEPTH + 3)

struct chain {
    const char *org, *mgmt, *fs, *root;
    const char *ids[MAX_LEVELS]; /* root, OUs top down, account */
    size_t n;
    const char *path; /* o-…/r-…/ou-…/ */
};

static enum bw_code ou_parent(struct bw_call *c, const char *ou, const char **parent,
                              struct bw_err *err)
{
    bool row;
    sqlite3_stmt *st =
        bw_db_prep(c->db, "SELECT parent_id FROM org_ous WHERE id = ?", err, "s", ou);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    *parent = row ? bw_db_col_str(c->arena, st, 0) : NULL;
    return BW_OK;
}

static enum bw_code build_path(struct bw_call *c, struct chain *ch, const char *parent,
                               const char *acct, struct bw_err *err)
{
    const char *ous[MAX_LEVELS];
    size_t n = 0;
    while (parent && strcmp(parent, ch->root)) {
        if (n == BW_ORG_HARD_MAX_DEPTH) /* fail closed rather than skip a level */
            return bw_fail(err, BW_E_INTERNAL, "OU chain of %s is too deep", acct);
        ous[n++] = parent;
        if (ou_parent(c, parent, &parent, err))
            return err->code;
    }
    if (!parent)
        return bw_fail(err, BW_E_INTERNAL, "OU chain of %s is broken", acct);
    struct bw_buf b;
    bw_buf_init(&b, c->arena, 128);
    bw_buf_printf(&b, "%s/%s/", ch->org, ch->root);
    ch->ids[ch->n++] = ch->root;
    while (n) {
        ch->ids[ch->n++] = ous[--n];
        bw_buf_printf(&b, "%s/", ous[n]);
    }
    ch->ids[ch->n++] = acct;
    ch->path = bw_buf_cstr(&b);
    return BW_OK;
}

static const char *const chain_sql =
    "SELECT m.org_id, m.parent_id, o.management_account, o.feature_set, o.root_id"
    " FROM org_accounts m JOIN org_organizations o ON o.id = m.org_id WHERE m.account_id = ?";

static enum bw_code load_chain(struct bw_call *c, const char *acct, struct chain *ch, bool *in_org,
                               struct bw_err *err)
{
    memset(ch, 0, sizeof *ch);
    sqlite3_stmt *st = bw_db_prep(c->db, chain_sql, err, "s", acct);
    if (!st || bw_db_step(c->db, st, in_org, err))
        return err->code;
    if (!*in_org)
        return BW_OK;
    ch->org = bw_db_col_str(c->arena, st, 0);
    const char *parent = bw_db_col_str(c->arena, st, 1);
    ch->mgmt = bw_db_col_str(c->arena, st, 2);
    ch->fs = bw_db_col_str(c->arena, st, 3);
    ch->root = bw_db_col_str(c->arena, st, 4);
    return build_path(c, ch, parent, acct, err);
}

static const char *const level_sql =
    "SELECT p.id, p.content FROM org_attachments a JOIN org_policies p ON p.id = a.policy_id"
    " WHERE a.target_id = ? AND a.type = ? ORDER BY p.id";

/* The policies of `type` attached at one level, compiled (all of them: dropping one
 * could drop a Deny). */
static enum bw_code load_level(struct bw_call *c, const char *target, const char *type,
                               enum bw_policy_kind kind, struct bw_policy_level *lv,
                               struct bw_err *err)
{
    size_t n = 0, cap = BW_ORG_MAX_POLICIES_PER;
    const struct bw_policy **ps = BW_ARENA_NEWN(c->arena, const struct bw_policy *, cap);
    bool row;
    sqlite3_stmt *st = bw_db_prep(c->db, level_sql, err, "ss", target, type);
    while (st) {
        if (bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            break;
        if (n == cap) {
            const struct bw_policy **np =
                BW_ARENA_NEWN(c->arena, const struct bw_policy *, cap * 2);
            memcpy(np, ps, n * sizeof *np);
            ps = np;
            cap *= 2;
        }
        const char *id = bw_db_col_str(c->arena, st, 0);
        const char *doc = bw_db_col_str(c->arena, st, 1);
        if (bw_authz_compile(c, doc, kind, id, &ps[n], err))
            return err->code;
        n++;
    }
    if (!st)
        return err->code;
    lv->policies = ps;
    lv->n = n;
    return BW_OK;
}

static enum bw_code load_levels(struct bw_call *c, const struct chain *ch, const char *type,
                                enum bw_policy_kind kind, struct bw_policy_level **out,
                                struct bw_err *err)
{
    struct bw_policy_level *lv = BW_ARENA_NEWN(c->arena, struct bw_policy_level, ch->n);
    for (size_t i = 0; i < ch->n; i++)
        if (load_level(c, ch->ids[i], type, kind, &lv[i], err))
            return err->code;
    *out = lv;
    return BW_OK;
}

static void add_ctx(struct bw_call *c, struct bw_authz_set *set, const char *key, const char *value)
{
    const char *v[1] = {value};
    bw_authz_add_context(c, set, key, v, 1);
}

static bool enforced(struct bw_call *c, const struct chain *ch, const char *type)
{
    return !strcmp(ch->fs, "ALL") && bw_org__type_enabled(c, ch->root, type);
}

enum bw_code bw_org__authz_hook(struct bw_call *c, struct bw_authz_set *set, struct bw_err *err)
{
    const char *me = c->principal->account_id;
    struct chain pc, rc;
    bool p_in, r_in, mgmt = false, rcps = false;
    struct bw_policy_level *lv;
    if (load_chain(c, me, &pc, &p_in, err))
        return err->code;
    if (p_in) {
        add_ctx(c, set, "aws:PrincipalOrgID", pc.org);
        add_ctx(c, set, "aws:PrincipalOrgPaths", pc.path);
        mgmt = !strcmp(me, pc.mgmt);
        if (!mgmt && enforced(c, &pc, BW_ORG_SCP)) {
            if (load_levels(c, &pc, BW_ORG_SCP, BW_POLICY_SCP, &lv, err))
                return err->code;
            bw_authz_set_scps(set, lv, pc.n);
        }
    }
    const char *ra = c->target_account ? c->target_account : me;
    r_in = p_in;
    rc = pc;
    if (strcmp(ra, me) && load_chain(c, ra, &rc, &r_in, err))
        return err->code;
    if (r_in) {
        add_ctx(c, set, "aws:ResourceOrgID", rc.org);
        add_ctx(c, set, "aws:ResourceOrgPaths", rc.path);
        if (strcmp(ra, rc.mgmt) && enforced(c, &rc, BW_ORG_RCP)) {
            if (load_levels(c, &rc, BW_ORG_RCP, BW_POLICY_RCP, &lv, err))
                return err->code;
            bw_authz_set_rcps(set, lv, rc.n);
            rcps = true;
        }
    }
    /* The management account is exempt from SCPs; RCPs on a member's resources still
     * apply to it, so it is only marked when no RCP chain is in play. */
    bw_authz_set_management(set, mgmt && !rcps);
    return BW_OK;
}
