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
    struct bw_policy_level lv[MAX_LEVELS];
    size_t caps[MAX_LEVELS];
    size_t n;
    const char *path; /* o-…/r-…/ou-…/ */
};

static const char *const chain_sql =
    "SELECT m.org_id, o.management_account, o.feature_set, o.root_id,"
    " EXISTS (SELECT 1 FROM org_policy_types t WHERE t.root_id = o.root_id AND t.type ="
    " 'SERVICE_CONTROL_POLICY'), EXISTS (SELECT 1 FROM org_policy_types t WHERE t.root_id ="
    " o.root_id AND t.type = 'RESOURCE_CONTROL_POLICY')"
    " FROM org_accounts m JOIN org_organizations o ON o.id = m.org_id WHERE m.account_id = ?";

/* The membership: organization, management account, root and enabled types. */
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
    return BW_OK;
}

/* The path from the account up to the root (one recursive query), each element with
 * the policies of one type attached there; rows come root first. */
static const char *const walk_sql =
    "WITH RECURSIVE up(id, d) AS (SELECT ?1, 0 UNION ALL"
    " SELECT coalesce((SELECT parent_id FROM org_accounts WHERE account_id = up.id),"
    " (SELECT parent_id FROM org_ous WHERE id = up.id)), up.d + 1 FROM up"
    " WHERE up.id IS NOT NULL AND up.d < 32)"
    " SELECT up.id, p.id, p.content FROM up LEFT JOIN org_attachments a"
    " ON a.target_id = up.id AND a.type = ?2 LEFT JOIN org_policies p ON p.id = a.policy_id"
    " WHERE up.id IS NOT NULL ORDER BY up.d DESC, p.id";

static void level_add(struct bw_call *c, struct chain *ch, const struct bw_policy *p)
{
    struct bw_policy_level *lv = &ch->lv[ch->n - 1];
    size_t *cap = &ch->caps[ch->n - 1];
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

/* One row of walk_sql: a new level when the target changes, then its policy. */
static enum bw_code walk_row(struct bw_call *c, struct chain *ch, sqlite3_stmt *st,
                             enum bw_policy_kind kind, bool compile, struct bw_err *err)
{
    const char *target = (const char *)sqlite3_column_text(st, 0);
    if (!ch->n || strcmp(ch->ids[ch->n - 1], target)) {
        if (ch->n == MAX_LEVELS) /* fail closed rather than skip a level */
            return bw_fail(err, BW_E_INTERNAL, "OU chain of %s is too deep", target);
        ch->lv[ch->n] = (struct bw_policy_level){0};
        ch->caps[ch->n] = 0;
        ch->ids[ch->n++] = bw_arena_strdup(c->arena, target);
    }
    if (!compile || sqlite3_column_type(st, 1) == SQLITE_NULL)
        return BW_OK;
    /* RCPFullAWSAccess is implied at every RCP level by the engine; its "Action": "*" is
     * not valid in a customer-written RCP, so it is not compiled as one. */
    if (kind == BW_POLICY_RCP &&
        !strcmp((const char *)sqlite3_column_text(st, 1), "p-RCPFullAWSAccess"))
        return BW_OK;
    const struct bw_policy *p;
    if (bw_authz_compile(c, (const char *)sqlite3_column_text(st, 2), kind,
                         bw_db_col_str(c->arena, st, 1), &p, err))
        return err->code;
    level_add(c, ch, p);
    return BW_OK;
}

static enum bw_code walk(struct bw_call *c, struct chain *ch, const char *acct, const char *type,
                         enum bw_policy_kind kind, bool compile, struct bw_err *err)
{
    bool row;
    ch->n = 0;
    sqlite3_stmt *st = bw_db_prep(c->db, walk_sql, err, "ss", acct, type);
    while (st) {
        if (bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            break;
        if (walk_row(c, ch, st, kind, compile, err))
            return err->code;
    }
    if (!st)
        return err->code;
    if (ch->n < 2 || strcmp(ch->ids[0], ch->root) || strcmp(ch->ids[ch->n - 1], acct))
        return bw_fail(err, BW_E_INTERNAL, "OU chain of %s is broken", acct);
    struct bw_buf b;
    bw_buf_init(&b, c->arena, 128);
    bw_buf_printf(&b, "%s/", ch->org);
    for (size_t i = 0; i + 1 < ch->n; i++)
        bw_buf_printf(&b, "%s/", ch->ids[i]);
    ch->path = bw_buf_cstr(&b);
    return BW_OK;
}

/* RCPs govern only the services AWS lists for them (Organizations User Guide, "Resource
 * control policies": Amazon S3, AWS STS, AWS KMS, Amazon SQS, AWS Secrets Manager); of the
 * services served here that is STS. Other actions are not subject to RCPs. */
static bool rcp_applies(const char *action)
{
    static const char *const prefixes[] = {"s3:", "sts:", "kms:", "sqs:", "secretsmanager:"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (!strncasecmp(action, prefixes[i], strlen(prefixes[i])))
            return true;
    return false;
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
    const char *me = c->principal->account_id, *ra = resource_account(c, me);
    struct chain *pc = BW_ARENA_NEW(c->arena, struct chain), *rc = pc;
    bool p_in, r_in, mgmt = false, rcps = false;
    if (load_chain(c, me, pc, &p_in, err))
        return err->code;
    if (p_in) {
        mgmt = !strcmp(me, pc->mgmt);
        bool scps = !mgmt && pc->scp;
        if (walk(c, pc, me, BW_ORG_SCP, BW_POLICY_SCP, scps, err))
            return err->code;
        add_ctx(c, set, "aws:PrincipalOrgID", pc->org);
        add_ctx(c, set, "aws:PrincipalOrgPaths", pc->path);
        if (scps)
            bw_authz_set_scps(set, pc->lv, pc->n);
    }
    r_in = p_in;
    if (strcmp(ra, me)) {
        rc = BW_ARENA_NEW(c->arena, struct chain);
        if (load_chain(c, ra, rc, &r_in, err))
            return err->code;
    }
    if (r_in) {
        rcps = strcmp(ra, rc->mgmt) && rc->rcp && rcp_applies(c->op->action);
        if (rcps && rc == pc) { /* pc->lv now belongs to the SCP set: walk a copy */
            rc = BW_ARENA_NEW(c->arena, struct chain);
            *rc = *pc;
        }
        if (rc != pc && walk(c, rc, ra, BW_ORG_RCP, BW_POLICY_RCP, rcps, err))
            return err->code;
        add_ctx(c, set, "aws:ResourceOrgID", rc->org);
        add_ctx(c, set, "aws:ResourceOrgPaths", rc->path);
        if (rcps)
            bw_authz_set_rcps(set, rc->lv, rc->n);
    }
    /* The management account is exempt from SCPs; RCPs on a member's resources still
     * apply to it, so it is only marked when no RCP chain is in play. */
    bw_authz_set_management(set, mgmt && !rcps);
    return BW_OK;
}
