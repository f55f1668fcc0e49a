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
    const char *org, *mgmt, *root;
    bool scp, rcp;               /* ALL features and the type enabled on the root */
    const char *ids[MAX_LEVELS]; /* root, OUs top down, account */
    size_t n;
    const char *path; /* o-…/r-…/ou-…/ */
};

/* Ancestors of the account, root first: one recursive query up the OU tree. */
static const char *const up_sql =
    "WITH RECURSIVE up(id, d) AS (SELECT parent_id, 0 FROM org_accounts WHERE account_id = ?1"
    " UNION ALL SELECT o.parent_id, up.d + 1 FROM org_ous o JOIN up ON o.id = up.id"
    " WHERE up.d < 32) SELECT id FROM up ORDER BY d DESC";

static enum bw_code build_path(struct bw_call *c, struct chain *ch, const char *acct,
                               struct bw_err *err)
{
    bool row;
    struct bw_buf b;
    bw_buf_init(&b, c->arena, 128);
    bw_buf_printf(&b, "%s/", ch->org);
    sqlite3_stmt *st = bw_db_prep(c->db, up_sql, err, "s", acct);
    while (st) {
        if (bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            break;
        if (ch->n == MAX_LEVELS - 1) /* fail closed rather than skip a level */
            return bw_fail(err, BW_E_INTERNAL, "OU chain of %s is too deep", acct);
        ch->ids[ch->n] = bw_db_col_str(c->arena, st, 0);
        bw_buf_printf(&b, "%s/", ch->ids[ch->n++]);
    }
    if (!st)
        return err->code;
    if (!ch->n || strcmp(ch->ids[0], ch->root))
        return bw_fail(err, BW_E_INTERNAL, "OU chain of %s is broken", acct);
    ch->ids[ch->n++] = acct;
    ch->path = bw_buf_cstr(&b);
    return BW_OK;
}

static const char *const chain_sql =
    "SELECT m.org_id, o.management_account, o.feature_set, o.root_id,"
    " EXISTS (SELECT 1 FROM org_policy_types t WHERE t.root_id = o.root_id AND t.type ="
    " 'SERVICE_CONTROL_POLICY'), EXISTS (SELECT 1 FROM org_policy_types t WHERE t.root_id ="
    " o.root_id AND t.type = 'RESOURCE_CONTROL_POLICY')"
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
    ch->mgmt = bw_db_col_str(c->arena, st, 1);
    ch->root = bw_db_col_str(c->arena, st, 3);
    bool all = !strcmp((const char *)sqlite3_column_text(st, 2), "ALL");
    ch->scp = all && sqlite3_column_int(st, 4);
    ch->rcp = all && sqlite3_column_int(st, 5);
    return build_path(c, ch, acct, err);
}

/* Every policy of `type` attached along the chain, in one query. */
static const char *const levels_sql =
    "SELECT j.value, p.id, p.content FROM json_each(?3) j CROSS JOIN org_attachments a"
    " ON a.target_id = j.value CROSS JOIN org_policies p ON p.id = a.policy_id"
    " WHERE +a.org_id = ?1 AND a.type = ?2 ORDER BY p.id";

static size_t level_of(const struct chain *ch, const char *target)
{
    for (size_t i = 0; i < ch->n; i++)
        if (!strcmp(ch->ids[i], target))
            return i;
    return SIZE_MAX;
}

static void level_add(struct bw_call *c, struct bw_policy_level *lv, size_t *cap,
                      const struct bw_policy *p)
{
    if (lv->n == *cap) { /* all of them: dropping one could drop a Deny */
        size_t nc = *cap ? *cap * 2 : BW_ORG_MAX_POLICIES_PER;
        const struct bw_policy **np = BW_ARENA_NEWN(c->arena, const struct bw_policy *, nc);
        if (lv->n)
            memcpy(np, lv->policies, lv->n * sizeof *np);
        lv->policies = np;
        *cap = nc;
    }
    ((const struct bw_policy **)lv->policies)[lv->n++] = p;
}

static enum bw_code load_levels(struct bw_call *c, const struct chain *ch, const char *type,
                                enum bw_policy_kind kind, struct bw_policy_level **out,
                                struct bw_err *err)
{
    struct bw_policy_level *lv = BW_ARENA_NEWN(c->arena, struct bw_policy_level, ch->n);
    size_t caps[MAX_LEVELS] = {0};
    struct bw_buf ids;
    bw_buf_init(&ids, c->arena, 256);
    for (size_t i = 0; i < ch->n; i++) {
        lv[i] = (struct bw_policy_level){0};
        bw_buf_printf(&ids, "%s\"%s\"", i ? "," : "[", ch->ids[i]);
    }
    bw_buf_adds(&ids, "]");
    bool row;
    sqlite3_stmt *st = bw_db_prep(c->db, levels_sql, err, "sss", ch->org, type, bw_buf_cstr(&ids));
    while (st) {
        if (bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            break;
        size_t l = level_of(ch, (const char *)sqlite3_column_text(st, 0));
        const char *id = bw_db_col_str(c->arena, st, 1);
        const struct bw_policy *p;
        if (l == SIZE_MAX ||
            bw_authz_compile(c, (const char *)sqlite3_column_text(st, 2), kind, id, &p, err))
            return l == SIZE_MAX ? bw_fail(err, BW_E_INTERNAL, "stray attachment") : err->code;
        level_add(c, &lv[l], &caps[l], p);
    }
    if (!st)
        return err->code;
    *out = lv;
    return BW_OK;
}

static void add_ctx(struct bw_call *c, struct bw_authz_set *set, const char *key, const char *value)
{
    const char *v[1] = {value};
    bw_authz_add_context(c, set, key, v, 1);
}

/* The account owning the resource: the one a service named (c->target_account), else
 * the account field of the operation's resource ARN (arn:aws:svc:region:ACCOUNT:…),
 * else the caller's. The ARN matters for sts:AssumeRole, whose trust-policy check runs
 * the hooks before the role's account is recorded in the call. */
static const char *resource_account(struct bw_call *c, const char *me)
{
    if (c->target_account)
        return c->target_account;
    const char *arn = c->op && c->op->resource ? c->op->resource(c) : NULL;
    const char *p = arn;
    for (int field = 0; p && field < 4; field++) {
        p = strchr(p, ':');
        p = p ? p + 1 : NULL;
    }
    if (!p || strspn(p, "0123456789") != 12 || p[12] != ':')
        return me;
    return bw_arena_strndup(c->arena, p, 12);
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
        if (!mgmt && pc.scp) {
            if (load_levels(c, &pc, BW_ORG_SCP, BW_POLICY_SCP, &lv, err))
                return err->code;
            bw_authz_set_scps(set, lv, pc.n);
        }
    }
    const char *ra = resource_account(c, me);
    r_in = p_in;
    rc = pc;
    if (strcmp(ra, me) && load_chain(c, ra, &rc, &r_in, err))
        return err->code;
    if (r_in) {
        add_ctx(c, set, "aws:ResourceOrgID", rc.org);
        add_ctx(c, set, "aws:ResourceOrgPaths", rc.path);
        if (strcmp(ra, rc.mgmt) && rc.rcp) {
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
