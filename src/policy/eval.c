/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request evaluation in AWS's order (IAM User Guide, "Policy evaluation logic",
 * "Cross-account policy evaluation logic"; Organizations User Guide, "SCP evaluation"
 * and "Resource control policies"): an explicit deny in any applicable policy wins;
 * then every level of the SCP chain (root, each OU, the account) needs its own Allow
 * (SCPs do not apply to the management account nor to service principals); RCPs (which
 * bind service principals too) only deny, RCPFullAWSAccess being implied at every level; then the
 * resource-based policy (same account: its Allow suffices, except that a grant to a role ARN — or
 * to the account — is still limited by the permissions boundary and session policies; cross
 * account: the resource policy and the identity side must both allow); then identity
 * policies, intersected with the permissions boundary and the session policies. A
 * federated-user session without a session policy has no identity permissions.
 * Allocation-free and re-entrant: scratch space is on the stack.
 */
#include "policy/internal.h"

#include <string.h>

enum pclass { PC_NONE = 0, PC_DIRECT = 1, PC_ROLE = 2, PC_ACCOUNT = 4 };

/* The request action, lower-cased once, its service bit, and the resource ARN split once. */
struct ract {
    char buf[256];
    size_t len;
    uint64_t svc_bit;
    unsigned svc_no;
    uint32_t name4; /* the first 4 bytes of the action name (after the colon), zero-padded */
    bool ok;
    struct bw_policy__arn arn;
};

/* The state of one evaluation, and the list being scanned (src, level). */
struct acc {
    const struct bw_policy_request *req;
    const struct ract *ra;
    enum bw_policy_source src;
    int level;
    struct bw_policy_explain *ex;
    bool has_boundary;
    bool denied;
    enum bw_policy_source deny_src;
    int deny_level;
    struct bw_policy__keys *keys; /* condition-key lookups of this evaluation */
};

/* A pattern whose literal service part hashes to another service bit than the request's
 * cannot match it (the request would need the same service prefix): no string compare. */
static bool action_match(const struct bw_policy__stmt *st, const struct ract *ra)
{
    if (!(st->act_svc & ra->svc_bit))
        return st->not_action; /* no pattern names the request's service */
    bool any = false;
    for (uint32_t i = 0; i < st->n_actions && !any; i++) {
        const struct bw_policy__pat *a = &st->actions[i];
        any = a->star || (ra->ok && (a->svc_no == 64 || a->svc_no == ra->svc_no) &&
                          bw_policy__kmatch(a->kind, a->s.p, a->s.len, ra->buf, ra->len));
    }
    return any != st->not_action;
}

/* A Resource pattern with policy variables: substituted (into stack buffers) and matched. */
static __attribute__((noinline)) bool var_resource(const struct bw_policy__pat *r,
                                                   const struct bw_policy_request *req)
{
    /* Variables are substituted only in the resource part, after the fifth colon (IAM
     * policy variables: "in the Resource element ... in the last part of the ARN"). */
    char buf[1024];
    uint8_t lit[1024];
    size_t head = r->cut_ok ? r->cut[4] + 1 : 0, len;
    if (head > sizeof(buf))
        return false;
    memcpy(buf, r->s.p, head);
    memset(lit, 0, head);
    struct bw_str tail = {r->s.p + head, r->s.len - head};
    if (!bw_policy__subst(req, tail, buf + head, lit + head, sizeof(buf) - head, &len))
        return false;
    return bw_policy__arn_match(buf, head + len, lit, req->resource.arn.p, req->resource.arn.len,
                                true);
}

static inline bool one_resource(const struct bw_policy *p, const struct bw_policy__pat *r,
                                const struct bw_policy_request *req, const struct ract *ra)
{
    if (r->star)
        return true;
    if (!r->has_var || !p->vars) {
        if ((ra->arn.res8 ^ r->pfx) & r->pfx_mask)
            return false; /* the literal start of the resource part differs */
        return bw_policy__arn_match_pre(r, &ra->arn);
    }
    return var_resource(r, req);
}

static bool resource_match(const struct bw_policy *p, const struct bw_policy__stmt *st,
                           const struct bw_policy_request *req, const struct ract *ra)
{
    if (!st->has_resource)
        return true;
    bool any = false;
    for (uint32_t i = 0; i < st->n_resources && !any; i++)
        any = one_resource(p, &st->resources[i], req, ra);
    return any != st->not_resource;
}

static bool is_root_of(struct bw_str v, struct bw_str account)
{
    return account.len == 12 && v.len == 13 + 12 + 5 && memcmp(v.p, "arn:aws:iam::", 13) == 0 &&
           memcmp(v.p + 13, account.p, 12) == 0 && memcmp(v.p + 25, ":root", 5) == 0;
}

static int one_principal(const struct bw_policy__princ *e, const struct bw_policy_principal *pr)
{
    if (e->type == PT_STAR)
        return PC_DIRECT;
    if (e->type == PT_SERVICE)
        return pr->type == BW_PRINCIPAL_SERVICE && bw_policy__str_eq(e->value, pr->arn) ? PC_DIRECT
                                                                                        : 0;
    if (pr->type == BW_PRINCIPAL_ANONYMOUS || pr->type == BW_PRINCIPAL_SERVICE)
        return 0;
    if (e->type != PT_AWS)
        return bw_policy__str_eq(e->value, pr->arn) ? PC_DIRECT : 0;
    if (bw_policy__str_eq(e->value, pr->arn))
        return PC_DIRECT;
    if (is_root_of(e->value, pr->account))
        return pr->type == BW_PRINCIPAL_ROOT ? PC_DIRECT : PC_ACCOUNT;
    if (pr->type == BW_PRINCIPAL_ASSUMED_ROLE && bw_policy__str_eq(e->value, pr->issuer_arn))
        return PC_ROLE;
    return 0;
}

/* Whether a NotPrincipal list excludes the requester. AWS checks the account, then the
 * role, then the session or user, so an exclusion needs the account ARN and the identity
 * (the user or session ARN, or the role ARN of a session); an IAM principal with a
 * permissions boundary is never excluded (IAM JSON policy elements: NotPrincipal). */
static bool not_principal_excludes(const struct bw_policy__stmt *st,
                                   const struct bw_policy_request *req, bool has_boundary)
{
    const struct bw_policy_principal *pr = &req->principal;
    bool acct = false, ident = false;
    for (uint32_t i = 0; i < st->n_principals; i++) {
        const struct bw_policy__princ *e = &st->principals[i];
        int pc = one_principal(e, pr);
        if (e->type == PT_STAR || (e->type == PT_SERVICE && pc))
            return true;
        acct |= e->type == PT_AWS && is_root_of(e->value, pr->account);
        ident |= (pc & (PC_DIRECT | PC_ROLE)) != 0;
    }
    if (has_boundary && pr->type != BW_PRINCIPAL_ANONYMOUS && pr->type != BW_PRINCIPAL_SERVICE)
        return false;
    return pr->type == BW_PRINCIPAL_ROOT ? acct : (acct && ident);
}

/* The strongest way the statement's Principal names the requester (0: not at all). */
static int principal_match(const struct bw_policy__stmt *st, const struct bw_policy_request *req,
                           bool has_boundary)
{
    if (!st->has_principal)
        return PC_DIRECT;
    if (st->not_principal)
        return not_principal_excludes(st, req, has_boundary) ? 0 : PC_DIRECT;
    int best = 0;
    for (uint32_t i = 0; i < st->n_principals; i++)
        best |= one_principal(&st->principals[i], &req->principal);
    return best;
}

static void record(struct acc *acc, const struct bw_policy *p, enum bw_policy_source src, int level,
                   uint32_t idx)
{
    const struct bw_policy__stmt *st = &p->stmts[idx];
    if (st->deny && !acc->denied) {
        acc->denied = true;
        acc->deny_src = src;
        acc->deny_level = level;
    }
    struct bw_policy_explain *ex = acc->ex;
    if (!ex)
        return;
    if (ex->n_matches < ex->cap && ex->matches)
        ex->matches[ex->n_matches] = (struct bw_policy_match){
            p, src, (uint16_t)(level < 0 ? 0 : level), (uint16_t)idx, st->deny, st->sid};
    ex->n_matches++;
}

/* One statement that passed quick_pass; returns its principal class when it is a matching
 * Allow, else 0. */
static int eval_stmt(const struct bw_policy *p, uint32_t i, struct acc *acc)
{
    const struct bw_policy_request *req = acc->req;
    const struct ract *ra = acc->ra;
    const struct bw_policy__stmt *st = &p->stmts[i];
    if (!st->act_any && !action_match(st, ra))
        return 0;
    int pc = principal_match(st, req, acc->has_boundary);
    if (!pc || (!st->res_any && !resource_match(p, st, req, ra)) ||
        (st->n_conds && !bw_policy__conds_match(p, st, acc->keys)))
        return 0;
    record(acc, p, acc->src, acc->level, i);
    return st->deny ? 0 : pc;
}

/* The statement's quick-reject filter (struct bw_policy__quick): false only when its
 * actions or its resources cannot match the request. */
static inline bool quick_pass(const struct bw_policy__quick *q, const struct ract *ra)
{
    uint32_t n = ra->name4;
    uint64_t r = ra->arn.res8;
    if (((r ^ q->rpfx[0]) & q->rmask[0]) && ((r ^ q->rpfx[1]) & q->rmask[1]))
        return false; /* resources first: within a service they tell statements apart more */
    return !((n ^ q->apfx[0]) & q->amask[0]) || !((n ^ q->apfx[1]) & q->amask[1]) ||
           !((n ^ q->apfx[2]) & q->amask[2]) || !((n ^ q->apfx[3]) & q->amask[3]);
}

/* Evaluates one policy through its per-service index (the statements naming the request's
 * service and those naming any service, merged in order at compile time); returns the OR of
 * principal classes of matching Allow statements. */
static int eval_policy(const struct bw_policy *p, struct acc *acc)
{
    const struct ract *ra = acc->ra;
    unsigned b = p->idx_n[ra->svc_no] ? ra->svc_no : 64; /* 0: no statement names it */
    const uint32_t *a = p->idx + p->idx_off[b], *ae = a + p->idx_n[b];
    int allow = 0;
    for (; a < ae; a++)
        if (quick_pass(&p->quick[*a], ra))
            allow |= eval_stmt(p, *a, acc);
    return allow;
}

/* The policies of one list (src, level: what the explanation records). */
static int eval_list(const struct bw_policy *const *ps, size_t n, enum bw_policy_source src,
                     int level, struct acc *acc)
{
    int allow = 0;
    acc->src = src;
    acc->level = level;
    for (size_t i = 0; i < n; i++)
        if (ps[i])
            allow |= eval_policy(ps[i], acc);
    return allow;
}

static void ract_init(struct ract *ra, const struct bw_policy_request *req)
{
    struct bw_str action = req->action;
    ra->ok = action.len < sizeof(ra->buf);
    ra->len = ra->ok ? action.len : 0;
    size_t svc = ra->len;
    /* Lower-cased 8 bytes at a time (the zero padding of the last word is neither a letter
     * nor a colon; len < 256 keeps every word inside buf). */
    for (size_t i = 0; i < ra->len; i += 8) {
        uint64_t w =
            bw_policy__lower8(bw_policy__load8(action.p + i, ra->len - i < 8 ? ra->len - i : 8));
        memcpy(ra->buf + i, &w, 8);
        uint64_t colons = bw_policy__colon_bytes(w);
        if (colons && svc == ra->len)
            svc = i + (size_t)__builtin_ctzll(colons) / 8;
    }
    ra->svc_no = bw_policy__svc_bitno(ra->buf, svc);
    ra->name4 = 0;
    if (svc < ra->len) {
        size_t rest = ra->len - svc - 1;
        ra->name4 = (uint32_t)bw_policy__load8(ra->buf + svc + 1, rest < 4 ? rest : 4);
    }
    ra->svc_bit = 1ULL << ra->svc_no;
    ra->arn.s = req->resource.arn;
    ra->arn.ok = bw_policy__arn_split(req->resource.arn.p, req->resource.arn.len, ra->arn.cut);
    ra->arn.res8 = 0;
    if (ra->arn.ok) {
        size_t at = ra->arn.cut[4] + 1;
        ra->arn.res8 = bw_policy__load8(req->resource.arn.p + at, req->resource.arn.len - at);
    }
}

static enum bw_policy_decision finish(struct bw_policy_explain *ex, enum bw_policy_decision d,
                                      enum bw_policy_source src, int level)
{
    if (ex) {
        ex->denied_by = d == BW_POLICY_ALLOWED ? BW_SRC_NONE : src;
        ex->level = d == BW_POLICY_ALLOWED ? -1 : level;
    }
    return d;
}

static void explain_reset(struct bw_policy_explain *ex)
{
    if (ex) {
        ex->n_matches = 0;
        ex->denied_by = BW_SRC_NONE;
        ex->level = -1;
    }
}

enum bw_policy_decision bw_policy_evaluate_only(const struct bw_policy *const *policies, size_t n,
                                                enum bw_policy_source source,
                                                const struct bw_policy_request *req,
                                                struct bw_policy_explain *explain)
{
    struct ract ra;
    struct bw_policy__keys keys; /* not zeroed: bw_policy__keys_init marks every slot empty */
    struct acc acc = {req, &ra, source, -1, explain, false, false, BW_SRC_NONE, -1, &keys};
    explain_reset(explain);
    ract_init(&ra, req);
    bw_policy__keys_init(&keys, req);
    int allow = eval_list(policies, n, source, -1, &acc);
    if (acc.denied)
        return finish(explain, BW_POLICY_EXPLICIT_DENY, source, -1);
    return finish(explain, allow ? BW_POLICY_ALLOWED : BW_POLICY_IMPLICIT_DENY, source, -1);
}

struct sides {
    int id, pb, sess, res;
    bool scp_ok;
    int scp_fail_level;
};

static bool same_account(const struct bw_policy_request *req)
{
    return req->resource.account.len == 0 ||
           bw_policy__str_eq(req->resource.account, req->principal.account);
}

static void scan_all(const struct bw_policy_set *set, const struct bw_policy_request *req,
                     struct acc *acc, struct sides *sd)
{
    enum bw_policy_principal_type t = req->principal.type;
    bool principal_side = t != BW_PRINCIPAL_ANONYMOUS && t != BW_PRINCIPAL_SERVICE;
    bool scps = set->n_scp_levels && !set->is_management_account && principal_side;
    /* RCPs bind whoever asks, AWS service principals included (their confused-deputy
     * examples rely on it), but not resources of the management account. */
    bool rcp_exempt =
        set->resource_in_management_account || (set->is_management_account && same_account(req));
    bool rcps = set->n_rcp_levels && !rcp_exempt;
    sd->scp_ok = true;
    sd->scp_fail_level = -1;
    for (size_t l = 0; scps && l < set->n_scp_levels; l++) {
        const struct bw_policy_level *lv = &set->scps[l];
        if (!eval_list(lv->policies, lv->n, BW_SRC_SCP, (int)l, acc) && sd->scp_ok) {
            sd->scp_ok = false;
            sd->scp_fail_level = (int)l;
        }
    }
    for (size_t l = 0; rcps && l < set->n_rcp_levels; l++)
        eval_list(set->rcps[l].policies, set->rcps[l].n, BW_SRC_RCP, (int)l, acc);
    if (set->resource)
        sd->res = eval_list(&set->resource, 1, BW_SRC_RESOURCE, -1, acc);
    if (!principal_side)
        return;
    sd->id = eval_list(set->identity, set->n_identity, BW_SRC_IDENTITY, -1, acc);
    sd->pb = eval_list(set->boundaries, set->n_boundaries, BW_SRC_BOUNDARY, -1, acc);
    sd->sess = eval_list(set->session, set->n_session, BW_SRC_SESSION, -1, acc);
}

/* After explicit denies and SCPs: resource policy, identity, boundary, session. */
static enum bw_policy_decision decide(const struct bw_policy_set *set,
                                      const struct bw_policy_request *req, const struct sides *sd,
                                      struct bw_policy_explain *ex)
{
    enum bw_policy_principal_type t = req->principal.type;
    if (t == BW_PRINCIPAL_ANONYMOUS || t == BW_PRINCIPAL_SERVICE)
        return finish(ex, (sd->res & PC_DIRECT) ? BW_POLICY_ALLOWED : BW_POLICY_IMPLICIT_DENY,
                      BW_SRC_RESOURCE, -1);
    bool pb_ok = set->n_boundaries == 0 || sd->pb;
    bool sess_ok = (set->n_session == 0 && t != BW_PRINCIPAL_FEDERATED) || sd->sess;
    bool id_ok = t == BW_PRINCIPAL_ROOT || sd->id;
    bool ident_side = id_ok && pb_ok && sess_ok;
    enum bw_policy_source why = !id_ok   ? BW_SRC_IDENTITY
                                : !pb_ok ? BW_SRC_BOUNDARY
                                         : BW_SRC_SESSION;
    if (same_account(req)) {
        if (ident_side || (sd->res & PC_DIRECT) || ((sd->res & PC_ROLE) && pb_ok && sess_ok))
            return finish(ex, BW_POLICY_ALLOWED, BW_SRC_NONE, -1);
        return finish(ex, BW_POLICY_IMPLICIT_DENY, why, -1);
    }
    if (!sd->res)
        return finish(ex, BW_POLICY_IMPLICIT_DENY, BW_SRC_RESOURCE, -1);
    if (!ident_side)
        return finish(ex, BW_POLICY_IMPLICIT_DENY, why, -1);
    return finish(ex, BW_POLICY_ALLOWED, BW_SRC_NONE, -1);
}

enum bw_policy_decision bw_policy_evaluate(const struct bw_policy_set *set,
                                           const struct bw_policy_request *req,
                                           struct bw_policy_explain *explain)
{
    struct ract ra;
    struct bw_policy__keys keys; /* not zeroed: bw_policy__keys_init marks every slot empty */
    struct acc acc = {req,   &ra,         BW_SRC_NONE, -1,   explain, set->n_boundaries > 0,
                      false, BW_SRC_NONE, -1,          &keys};
    struct sides sd = {0};
    explain_reset(explain);
    ract_init(&ra, req);
    bw_policy__keys_init(&keys, req);
    scan_all(set, req, &acc, &sd);
    if (acc.denied)
        return finish(explain, BW_POLICY_EXPLICIT_DENY, acc.deny_src, acc.deny_level);
    if (!sd.scp_ok)
        return finish(explain, BW_POLICY_IMPLICIT_DENY, BW_SRC_SCP, sd.scp_fail_level);
    return decide(set, req, &sd, explain);
}
