/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Condition evaluation (IAM User Guide: "IAM JSON policy elements: Condition operators",
 * "Single-valued vs. multivalued context keys", "IAM policy elements: Variables and
 * tags"). Several operators in a block and several keys are AND-ed; several values of
 * one key are OR-ed, and a negated operator is true only when no value matches (NOR).
 * An absent key makes positive operators false, negated ones true, `...IfExists` true;
 * `ForAllValues` is true on an absent or empty set and `ForAnyValue` false. Policy
 * variables are substituted into stack buffers at evaluation time — never cached — and a
 * variable with no value (and no default) makes its value match nothing, so negated
 * operators match. Escapes `${*}`, `${?}` and `${$}` yield literal characters.
 */
#include "policy/internal.h"

#include <string.h>

#define SUBST_CAP 1024

static bool key_eq(struct bw_str a, struct bw_str b)
{
    return bw_policy__ieq(a, b);
}

static bool tag_get(const struct bw_policy_tag *tags, size_t n, struct bw_str key,
                    const struct bw_str **vals)
{
    for (size_t i = 0; i < n; i++)
        if (key_eq(tags[i].key, key)) {
            *vals = &tags[i].value;
            return true;
        }
    return false;
}

static const char *principal_type_name(enum bw_policy_principal_type t)
{
    switch (t) {
    case BW_PRINCIPAL_USER:
        return "User";
    case BW_PRINCIPAL_ASSUMED_ROLE:
        return "AssumedRole";
    case BW_PRINCIPAL_ROOT:
        return "Account";
    case BW_PRINCIPAL_FEDERATED:
        return "FederatedUser";
    case BW_PRINCIPAL_SERVICE:
        return "AWSService";
    case BW_PRINCIPAL_ANONYMOUS:
        break;
    }
    return "Anonymous";
}

/* Keys the engine derives from the principal and resource when the caller did not. */
static bool derived_get(const struct bw_policy_request *req, struct bw_str key,
                        const struct bw_str **vals, struct bw_str *one)
{
    const struct bw_policy_principal *pr = &req->principal;
    bool authed = pr->type != BW_PRINCIPAL_ANONYMOUS && pr->type != BW_PRINCIPAL_SERVICE;
    if (bw_policy__has_prefix_ci(key, "aws:PrincipalTag/"))
        return tag_get(pr->tags, pr->n_tags, (struct bw_str){key.p + 17, key.len - 17}, vals);
    if (bw_policy__has_prefix_ci(key, "aws:ResourceTag/"))
        return tag_get(req->resource.tags, req->resource.n_tags,
                       (struct bw_str){key.p + 16, key.len - 16}, vals);
    *vals = one;
    if (key_eq(key, BW_STR("aws:PrincipalArn")) && authed)
        *one =
            pr->type == BW_PRINCIPAL_ASSUMED_ROLE && pr->issuer_arn.len ? pr->issuer_arn : pr->arn;
    else if (key_eq(key, BW_STR("aws:PrincipalAccount")) && authed && pr->account.len)
        *one = pr->account;
    else if (key_eq(key, BW_STR("aws:PrincipalType")))
        *one = bw_str_c(principal_type_name(pr->type));
    else if (key_eq(key, BW_STR("aws:username")) && pr->type == BW_PRINCIPAL_USER &&
             pr->username.len)
        *one = pr->username;
    else if (key_eq(key, BW_STR("aws:userid")) && pr->user_id.len)
        *one = pr->user_id;
    else if (key_eq(key, BW_STR("aws:ResourceAccount")) && req->resource.account.len)
        *one = req->resource.account;
    else
        return false;
    return one->len > 0;
}

/* Global condition keys that policies commonly name (IAM User Guide, "AWS global condition
 * context keys"), lower-case; at most BW_POLICY__WELL_KNOWN. */
#define K(s)                                                                                       \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }
static const struct {
    const char *p;
    size_t len;
} well_known[] = {
    K("aws:sourceip"),
    K("aws:requestedregion"),
    K("aws:securetransport"),
    K("aws:currenttime"),
    K("aws:epochtime"),
    K("aws:multifactorauthpresent"),
    K("aws:multifactorauthage"),
    K("aws:principalarn"),
    K("aws:principalaccount"),
    K("aws:principalorgid"),
    K("aws:principalorgpaths"),
    K("aws:principaltype"),
    K("aws:userid"),
    K("aws:username"),
    K("aws:sourcevpc"),
    K("aws:sourcevpce"),
    K("aws:resourceaccount"),
    K("aws:resourceorgid"),
    K("aws:resourceorgpaths"),
    K("aws:calledvia"),
    K("aws:viaawsservice"),
    K("aws:tagkeys"),
    K("aws:sourceaccount"),
    K("aws:sourcearn"),
    K("aws:principalisawsservice"),
    K("aws:principalservicename"),
    K("aws:sourceorgid"),
    K("aws:sourceorgpaths"),
    K("aws:vpcsourceip"),
    K("aws:referer"),
    K("aws:useragent"),
    K("aws:tokenissuetime"),
};
#undef K
_Static_assert(sizeof(well_known) / sizeof(well_known[0]) <= BW_POLICY__WELL_KNOWN,
               "one bit of bw_policy__keys.done per well-known key");

/* The well-known keys of each length (1 + index in well_known; 0 ends a row), generated
 * from the table above: at most 5 candidates per length. */
static const uint8_t wk_by_len[27][6] = {
    [10] = {13},         [11] = {22, 30},    [12] = {1, 14}, [13] = {5, 15, 20, 24, 31},
    [14] = {16},         [15] = {4, 27, 29}, [16] = {8},     [17] = {12, 18, 21, 23},
    [18] = {10, 28, 32}, [19] = {2, 3, 17},  [20] = {9, 19}, [21] = {11},
    [22] = {7},          [24] = {26},        [25] = {25},    [26] = {6},
};

uint8_t bw_policy__key_id(struct bw_str low_key)
{
    if (low_key.len < 4 || memcmp(low_key.p, "aws:", 4) != 0 ||
        low_key.len >= sizeof(wk_by_len) / sizeof(wk_by_len[0]))
        return 0;
    for (const uint8_t *c = wk_by_len[low_key.len]; *c; c++)
        if (memcmp(well_known[*c - 1].p, low_key.p, low_key.len) == 0)
            return *c;
    return 0;
}

void bw_policy__keys_init(struct bw_policy__keys *k, const struct bw_policy_request *req)
{
    k->req = req;
    k->done = 0;
}

/* bw_policy__ctx_get for a condition key (stored lower-case; tag: the condition's tag). */
static bool key_lookup(const struct bw_policy_request *req, struct bw_str key, uint8_t tag,
                       const struct bw_str **vals, size_t *n, struct bw_str *one)
{
    for (size_t i = 0; i < req->n_ctx; i++)
        if (bw_policy__ieq_low(req->ctx[i].key, key)) {
            *vals = req->ctx[i].values;
            *n = req->ctx[i].n;
            return true;
        }
    if (req->ctx_fn && req->ctx_fn(req->ctx_arg, key, vals, n))
        return true;
    *n = 1;
    if (tag == 1) /* derived_get's first two cases, the prefix tested at compile time */
        return tag_get(req->principal.tags, req->principal.n_tags,
                       (struct bw_str){key.p + 17, key.len - 17}, vals);
    if (tag == 2)
        return tag_get(req->resource.tags, req->resource.n_tags,
                       (struct bw_str){key.p + 16, key.len - 16}, vals);
    return derived_get(req, key, vals, one);
}

/* A condition's key, through its slot when it is a well-known key: a lookup is a pure
 * function of the request, so the first answer of the evaluation is every later one. */
static void rtyped_reset(struct bw_policy__rtyped *t)
{
    t->b_st = t->ip_st = t->num_st = t->date_st = 0;
}

/* *typed: the slot's parsed forms of its single value (NULL when the key has no slot). */
static bool keys_get(struct bw_policy__keys *k, const struct bw_policy__cond *c,
                     const struct bw_str **vals, size_t *n, struct bw_str *one,
                     struct bw_policy__rtyped **typed)
{
    *typed = NULL;
    if (!c->key_id || k->req->ctx_fn)
        return key_lookup(k->req, c->key, c->tag, vals, n, one);
    uint32_t bit = 1u << (c->key_id - 1);
    struct bw_policy__kslot *s = &k->slot[c->key_id - 1];
    if (!(k->done & bit)) {
        s->present = key_lookup(k->req, c->key, c->tag, &s->vals, &s->n, &s->one);
        rtyped_reset(&s->t);
        k->done |= bit;
    }
    *vals = s->vals;
    *n = s->n;
    *typed = &s->t;
    return s->present;
}

bool bw_policy__ctx_get(const struct bw_policy_request *req, struct bw_str key,
                        const struct bw_str **vals, size_t *n, struct bw_str *one)
{
    for (size_t i = 0; i < req->n_ctx; i++)
        if (key_eq(req->ctx[i].key, key)) {
            *vals = req->ctx[i].values;
            *n = req->ctx[i].n;
            return true;
        }
    if (req->ctx_fn && req->ctx_fn(req->ctx_arg, key, vals, n))
        return true;
    *n = 1;
    return derived_get(req, key, vals, one);
}

static bool put(char *out, uint8_t *lit, size_t cap, size_t *o, struct bw_str s, bool literal)
{
    if (*o + s.len > cap)
        return false;
    memcpy(out + *o, s.p, s.len);
    if (lit)
        memset(lit + *o, literal, s.len);
    *o += s.len;
    return true;
}

/* Resolves the inside of "${...}": an escape, a key, or "key, 'default'". */
static bool subst_one(const struct bw_policy_request *req, struct bw_str in, struct bw_str *val)
{
    if (in.len == 1 && (in.p[0] == '*' || in.p[0] == '?' || in.p[0] == '$')) {
        *val = in;
        return true;
    }
    struct bw_str key = in, def = {NULL, 0};
    const char *comma = memchr(in.p, ',', in.len);
    if (comma) {
        key.len = (size_t)(comma - in.p);
        const char *d = comma + 1, *e = in.p + in.len;
        while (d < e && *d == ' ')
            d++;
        while (e > d && e[-1] == ' ')
            e--;
        if (e - d < 2 || *d != '\'' || e[-1] != '\'')
            return false;
        def = (struct bw_str){d + 1, (size_t)(e - d - 2)};
    }
    while (key.len && key.p[key.len - 1] == ' ')
        key.len--;
    while (key.len && key.p[0] == ' ')
        key.p++, key.len--;
    const struct bw_str *vals;
    size_t n;
    struct bw_str one;
    if (bw_policy__ctx_get(req, key, &vals, &n, &one) && n == 1) {
        *val = vals[0];
        return true;
    }
    *val = def;
    return def.p != NULL;
}

bool bw_policy__subst(const struct bw_policy_request *req, struct bw_str in, char *out,
                      uint8_t *lit, size_t cap, size_t *out_len)
{
    size_t o = 0, i = 0;
    while (i < in.len) {
        const char *start = memmem(in.p + i, in.len - i, "${", 2);
        const char *end = start ? memchr(start, '}', (size_t)(in.p + in.len - start)) : NULL;
        if (!start || !end) {
            if (!put(out, lit, cap, &o, (struct bw_str){in.p + i, in.len - i}, false))
                return false;
            break;
        }
        struct bw_str val;
        if (!put(out, lit, cap, &o, (struct bw_str){in.p + i, (size_t)(start - in.p) - i}, false) ||
            !subst_one(req, (struct bw_str){start + 2, (size_t)(end - start - 2)}, &val) ||
            !put(out, lit, cap, &o, val, true))
            return false;
        i = (size_t)(end + 1 - in.p);
    }
    *out_len = o;
    return true;
}

bool bw_policy__op_negated(uint8_t op)
{
    const uint32_t neg = 1u << OP_STR_NE | 1u << OP_STR_NE_IC | 1u << OP_STR_NLIKE |
                         1u << OP_NUM_NE | 1u << OP_DATE_NE | 1u << OP_NOT_IP | 1u << OP_ARN_NE |
                         1u << OP_ARN_NLIKE;
    return op < 32 && ((neg >> op) & 1);
}

/* The request value rv parsed for a typed operator, once per value (t caches it). */
static bool rv_bool(struct bw_str rv, struct bw_policy__rtyped *t)
{
    if (!t->b_st)
        t->b_st = bw_policy__parse_bool(rv, &t->b) ? 2 : 1;
    return t->b_st == 2;
}

static bool rv_ip(struct bw_str rv, struct bw_policy__rtyped *t)
{
    if (!t->ip_st)
        t->ip_st = bw_policy__parse_ip(rv, &t->ip) ? 2 : 1;
    return t->ip_st == 2;
}

static bool rv_num(struct bw_str rv, struct bw_policy__rtyped *t)
{
    if (!t->num_st)
        t->num_st = bw_policy__parse_num(rv, &t->num) ? 2 : 1;
    return t->num_st == 2;
}

static bool rv_date(struct bw_str rv, struct bw_policy__rtyped *t)
{
    if (!t->date_st)
        t->date_st = bw_policy__parse_date(rv, &t->date_ms) ? 2 : 1;
    return t->date_st == 2;
}

static bool cmp_num(uint8_t op, double a, double b)
{
    switch (op) {
    case OP_NUM_EQ:
    case OP_DATE_EQ:
        return a == b;
    case OP_NUM_LT:
    case OP_DATE_LT:
        return a < b;
    case OP_NUM_LE:
    case OP_DATE_LE:
        return a <= b;
    case OP_NUM_GT:
    case OP_DATE_GT:
        return a > b;
    case OP_NUM_GE:
    case OP_DATE_GE:
        return a >= b;
    default:
        return false;
    }
}

/* The positive base operator `op` applied to request value rv and policy value pv. */
static bool base_match(uint8_t op, struct bw_str rv, struct bw_policy__rtyped *t,
                       const struct bw_policy__cval *pv, const uint8_t *lit)
{
    switch (op) {
    case OP_STR_EQ:
    case OP_BIN_EQ:
        return bw_policy__str_eq(rv, pv->s);
    case OP_STR_EQ_IC:
        return bw_policy__ieq(rv, pv->s);
    case OP_STR_LIKE:
        return bw_policy__glob(pv->s.p, pv->s.len, lit, rv.p, rv.len, false);
    case OP_NUM_EQ:
    case OP_NUM_LT:
    case OP_NUM_LE:
    case OP_NUM_GT:
    case OP_NUM_GE:
        return pv->valid && rv_num(rv, t) && cmp_num(op, t->num, pv->num);
    case OP_DATE_EQ:
    case OP_DATE_LT:
    case OP_DATE_LE:
    case OP_DATE_GT:
    case OP_DATE_GE:
        return pv->valid && rv_date(rv, t) && cmp_num(op, (double)t->date_ms, (double)pv->date_ms);
    case OP_BOOL:
        return pv->valid && rv_bool(rv, t) && t->b == pv->b;
    case OP_IP:
        return pv->valid && rv_ip(rv, t) && bw_policy__ip_in(&pv->ip, &t->ip);
    case OP_ARN_EQ:
    case OP_ARN_LIKE:
        return bw_policy__arn_match(pv->s.p, pv->s.len, lit, rv.p, rv.len, true);
    default:
        return false;
    }
}

/* A policy value holding variables: substituted into stack buffers, then matched. */
static __attribute__((noinline)) bool var_value_match(uint8_t op, struct bw_str rv,
                                                      struct bw_policy__rtyped *t,
                                                      const struct bw_policy__cval *pv,
                                                      const struct bw_policy_request *req)
{
    char buf[SUBST_CAP];
    uint8_t lit[SUBST_CAP];
    size_t len;
    if (!bw_policy__subst(req, pv->s, buf, lit, sizeof(buf), &len))
        return false; /* no value: matches nothing (so negated operators match) */
    struct bw_policy__cval tmp = {.s = {buf, len}};
    if (op == OP_BOOL)
        tmp.valid = bw_policy__parse_bool(tmp.s, &tmp.b);
    return base_match(op, rv, t, &tmp, lit);
}

/* any_value for a condition without substitution: the common operators dispatched once. */
static inline __attribute__((always_inline)) bool any_plain(const struct bw_policy__cond *c,
                                                            uint8_t op, struct bw_str rv,
                                                            struct bw_policy__rtyped *t)
{
    const struct bw_policy__cval *v = c->vals, *e = c->vals + c->n;
    switch (op) {
    case OP_STR_EQ:
    case OP_BIN_EQ:
        for (; v < e; v++)
            if (bw_policy__str_eq(rv, v->s))
                return true;
        return false;
    case OP_BOOL:
        if (!rv_bool(rv, t))
            return false;
        for (; v < e; v++)
            if (v->valid && v->b == t->b)
                return true;
        return false;
    case OP_IP:
        if (!rv_ip(rv, t))
            return false;
        for (; v < e; v++)
            if (v->valid && bw_policy__ip_in(&v->ip, &t->ip))
                return true;
        return false;
    default:
        for (; v < e; v++)
            if (base_match(op, rv, t, v, NULL))
                return true;
        return false;
    }
}

/* Whether some policy value of c matches rv under the positive operator. */
static bool any_value(const struct bw_policy *p, const struct bw_policy__cond *c, uint8_t op,
                      struct bw_str rv, struct bw_policy__rtyped *t,
                      const struct bw_policy_request *req)
{
    if (c->plain)
        return any_plain(c, op, rv, t);
    for (uint32_t i = 0; i < c->n; i++) {
        const struct bw_policy__cval *pv = &c->vals[i];
        if (!pv->has_var || !p->vars ? base_match(op, rv, t, pv, NULL)
                                     : var_value_match(op, rv, t, pv, req))
            return true;
    }
    return false;
}

static bool null_match(const struct bw_policy__cond *c, bool present)
{
    for (uint32_t i = 0; i < c->n; i++)
        if (c->vals[i].valid && c->vals[i].b != present)
            return true;
    return false;
}

static __attribute__((noinline)) bool
cond_match(const struct bw_policy *p, const struct bw_policy__cond *c, struct bw_policy__keys *keys)
{
    const struct bw_policy_request *req = keys->req;
    const struct bw_str *vals;
    size_t n;
    struct bw_str one;
    struct bw_policy__rtyped local, *t;
    bool present = keys_get(keys, c, &vals, &n, &one, &t);
    if (c->op == OP_NULL)
        return null_match(c, present);
    bool neg = c->neg;
    uint8_t op = c->bop;
    if (!present || (c->qual != Q_NONE && n == 0))
        return c->qual == Q_ALL ? true : c->qual == Q_ANY ? c->if_exists : (c->if_exists || neg);
    if (c->qual == Q_NONE) {
        if (n != 1)
            return false; /* a multivalued key needs a set operator */
        if (!t)
            rtyped_reset(t = &local);
        return any_value(p, c, op, vals[0], t, req) != neg;
    }
    for (size_t i = 0; i < n; i++) {
        rtyped_reset(&local);
        bool m = any_value(p, c, op, vals[i], &local, req) != neg;
        if (c->qual == Q_ANY && m)
            return true;
        if (c->qual == Q_ALL && !m)
            return false;
    }
    return c->qual == Q_ALL;
}

/* cond_fast for a key without a slot: looked up, its value parsed at most once here. */
static bool cond_fast_other(const struct bw_policy__cond *c, struct bw_policy__keys *k)
{
    const struct bw_str *vals;
    size_t n;
    struct bw_str one;
    struct bw_policy__rtyped t;
    if (!key_lookup(k->req, c->key, c->tag, &vals, &n, &one))
        return c->if_exists || c->neg;
    if (n != 1)
        return false; /* a multivalued key needs a set operator */
    rtyped_reset(&t);
    return any_plain(c, c->bop, vals[0], &t) != c->neg;
}

/* cond_match for a `fast` condition (plain, no set qualifier, not Null) when the request has
 * no ctx_fn: straight to the key's slot (or lookup) and the operator. */
static bool cond_fast(const struct bw_policy__cond *c, struct bw_policy__keys *k)
{
    if (!c->key_id)
        return cond_fast_other(c, k);
    uint32_t bit = 1u << (c->key_id - 1);
    struct bw_policy__kslot *s = &k->slot[c->key_id - 1];
    if (!(k->done & bit)) {
        s->present = key_lookup(k->req, c->key, c->tag, &s->vals, &s->n, &s->one);
        rtyped_reset(&s->t);
        k->done |= bit;
    }
    if (!s->present)
        return c->if_exists || c->neg;
    if (s->n != 1)
        return false; /* a multivalued key needs a set operator */
    return any_plain(c, c->bop, s->vals[0], &s->t) != c->neg;
}

bool bw_policy__conds_match(const struct bw_policy *p, const struct bw_policy__stmt *st,
                            struct bw_policy__keys *keys)
{
    bool fn = keys->req->ctx_fn != NULL;
    for (uint32_t i = 0; i < st->n_conds; i++) {
        const struct bw_policy__cond *c = &st->conds[i];
        if (!(c->fast && !fn ? cond_fast(c, keys) : cond_match(p, c, keys)))
            return false;
    }
    return true;
}
