/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `bulwark policy validate [--type KIND] FILE...` and `bulwark policy evaluate`.
 * validate: compiles each file as a policy of KIND (default identity) and prints
 * "FILE: OK" or "FILE: MalformedPolicyDocument: <message> (at <JSON path>)"; exit 1 if
 * any file fails. evaluate: reads one JSON case per line on stdin and writes one JSON
 * line per case, in order (format in docs/policy.md). A malformed line yields
 * {"error": "..."} and processing continues. Each case is parsed and compiled anew.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "cmd/cli.h"
#include "common/arena.h"
#include "policy/policy.h"

#define MAX_LIST    4096
#define EXPLAIN_CAP 64

static inline bool is_type(const struct bw_policy_json *v, int type)
{
    return v && v->type == type;
}

/* bw_policy_json_get for a literal key: its length is known, no strlen per lookup. */
static inline const struct bw_policy_json *jget(const struct bw_policy_json *o, const char *key,
                                                size_t kl)
{
    if (!o || o->type != BW_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (o->keys[i].len == kl && memcmp(o->keys[i].p, key, kl) == 0)
            return &o->items[i];
    return NULL;
}
#define JGET(o, lit) jget((o), lit, sizeof(lit) - 1)

/* Everything one case owns: compiled policies (freed at the end) and the arena (which
 * also holds the list of owned policies: no malloc of its own). */
struct ecase {
    struct bw_arena *a;
    char *bp, *be; /* bump region in a for the case's small blocks */
    struct bw_policy **owned;
    size_t n_owned, cap_owned;
    char err[512];
};

static __attribute__((noinline)) void *case_alloc_slow(struct ecase *c, size_t n)
{
    if (n > 1024) /* a block of its own; the bump region stays */
        return bw_arena_alloc(c->a, n);
    c->bp = bw_arena_alloc(c->a, 4096);
    c->be = c->bp + 4096;
    void *p = c->bp;
    c->bp += n;
    return p;
}

/* n bytes aligned to 16 (uninitialised) from the case arena: a bump pointer over 4 KiB
 * chunks, inline (a case makes a dozen small blocks). */
static inline void *case_alloc(struct ecase *c, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if ((size_t)(c->be - c->bp) < n)
        return case_alloc_slow(c, n);
    void *p = c->bp;
    c->bp += n;
    return p;
}
#define CASE_NEWN(c, type, n) ((type *)case_alloc((c), sizeof(type) * (n))) /* caller fills */

/* "name[i]" (name of length len) in the case arena, without printf or strlen. */
static char *indexed_name(struct ecase *c, const char *name, size_t len, size_t i)
{
    char digits[24];
    size_t n = 0;
    do
        digits[n++] = (char)('0' + i % 10);
    while ((i /= 10) && n < sizeof(digits));
    char *s = case_alloc(c, len + n + 3), *o = s + len;
    memcpy(s, name, len);
    *o++ = '[';
    while (n)
        *o++ = digits[--n];
    *o++ = ']';
    *o = 0;
    return s;
}

static void case_fini(struct ecase *c)
{
    for (size_t i = 0; i < c->n_owned; i++)
        bw_policy_free(c->owned[i]);
    bw_arena_free(c->a);
}

static bool case_fail(struct ecase *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool case_fail(struct ecase *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof(c->err), fmt, ap);
    va_end(ap);
    return false;
}

static bool compile_doc(struct ecase *c, const struct bw_policy_json *doc, enum bw_policy_kind kind,
                        const char *id, const struct bw_policy **out)
{
    struct bw_policy *p = NULL;
    struct bw_policy_diag diag;
    enum bw_code rc;
    if (doc->type == BW_JSON_STRING) /* a policy given as JSON text */
        rc = bw_policy_compile(doc->s, doc->len, kind, id, SIZE_MAX, &p, &diag, NULL);
    else
        rc = bw_policy_compile_json_in(c->a, doc, kind, id, SIZE_MAX, 0, &p, &diag, NULL);
    if (rc != BW_OK)
        return case_fail(c, "%s: MalformedPolicyDocument: %s (at %s)", id, diag.msg, diag.path);
    if (c->n_owned == c->cap_owned) { /* the old array is abandoned in the arena */
        size_t cap = c->cap_owned ? c->cap_owned * 2 : 16;
        struct bw_policy **owned = CASE_NEWN(c, struct bw_policy *, cap);
        if (c->n_owned)
            memcpy(owned, c->owned, c->n_owned * sizeof(*owned));
        c->owned = owned;
        c->cap_owned = cap;
    }
    c->owned[c->n_owned++] = p;
    *out = p;
    return true;
}

static bool compile_list(struct ecase *c, const struct bw_policy_json *arr,
                         enum bw_policy_kind kind, const char *name,
                         const struct bw_policy *const **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!arr || is_type(arr, BW_JSON_NULL))
        return true;
    if (!is_type(arr, BW_JSON_ARRAY) || arr->n > MAX_LIST)
        return case_fail(c, "%s must be an array", name);
    const struct bw_policy **ps = CASE_NEWN(c, const struct bw_policy *, arr->n + 1);
    size_t nlen = strlen(name);
    for (size_t i = 0; i < arr->n; i++) {
        char *id = indexed_name(c, name, nlen, i);
        if (!compile_doc(c, (&arr->items[i]), kind, id, &ps[i]))
            return false;
    }
    *out = ps;
    *n = arr->n;
    return true;
}

static bool compile_chain(struct ecase *c, const struct bw_policy_json *arr,
                          enum bw_policy_kind kind, const char *name,
                          const struct bw_policy_level **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!arr || is_type(arr, BW_JSON_NULL))
        return true;
    if (!is_type(arr, BW_JSON_ARRAY) || arr->n > MAX_LIST)
        return case_fail(c, "%s must be an array of arrays", name);
    struct bw_policy_level *lv = CASE_NEWN(c, struct bw_policy_level, arr->n + 1);
    size_t nlen = strlen(name);
    for (size_t i = 0; i < arr->n; i++) {
        char *lname = indexed_name(c, name, nlen, i);
        const struct bw_policy_json *level = (&arr->items[i]);
        if (!is_type(level, BW_JSON_ARRAY))
            return case_fail(c, "%s must be an array of policies", lname);
        if (!compile_list(c, level, kind, lname, &lv[i].policies, &lv[i].n))
            return false;
    }
    *out = lv;
    *n = arr->n;
    return true;
}

static struct bw_str jstr(struct ecase *c, const struct bw_policy_json *o, const char *key,
                          size_t kl)
{
    const struct bw_policy_json *v = jget(o, key, kl);
    (void)c;
    if (!is_type(v, BW_JSON_STRING))
        return (struct bw_str){"", 0};
    return (struct bw_str){v->s, v->len}; /* terminated in place, in the case arena */
}
#define JSTR(c, o, lit) jstr((c), (o), lit, sizeof(lit) - 1)

static bool tags_of(struct ecase *c, const struct bw_policy_json *o,
                    const struct bw_policy_tag **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!o || is_type(o, BW_JSON_NULL))
        return true;
    if (!is_type(o, BW_JSON_OBJECT) || o->n > MAX_LIST)
        return case_fail(c, "tags must be an object of strings");
    struct bw_policy_tag *t = CASE_NEWN(c, struct bw_policy_tag, o->n + 1);
    for (size_t i = 0; i < o->n; i++) {
        const struct bw_policy_json *v = &o->items[i];
        if (!is_type(v, BW_JSON_STRING))
            return case_fail(c, "tag %s must be a string", o->keys[i].p);
        t[*n].key = o->keys[i]; /* the tree lives in the case arena */
        t[*n].value = (struct bw_str){v->s, v->len};
        (*n)++;
    }
    *out = t;
    return true;
}

static const struct {
    const char *name;
    enum bw_policy_principal_type type;
} ptypes[] = {
    {"user", BW_PRINCIPAL_USER},
    {"User", BW_PRINCIPAL_USER},
    {"assumed-role", BW_PRINCIPAL_ASSUMED_ROLE},
    {"AssumedRole", BW_PRINCIPAL_ASSUMED_ROLE},
    {"root", BW_PRINCIPAL_ROOT},
    {"Account", BW_PRINCIPAL_ROOT},
    {"federated", BW_PRINCIPAL_FEDERATED},
    {"FederatedUser", BW_PRINCIPAL_FEDERATED},
    {"service", BW_PRINCIPAL_SERVICE},
    {"AWSService", BW_PRINCIPAL_SERVICE},
    {"anonymous", BW_PRINCIPAL_ANONYMOUS},
    {"Anonymous", BW_PRINCIPAL_ANONYMOUS},
};

/* The n-th colon-separated field of an ARN (the 6th runs to the end). */
static struct bw_str arn_field(struct bw_str arn, int n)
{
    const char *p = arn.p, *end = arn.p + arn.len;
    for (int k = 0;; k++) { /* hop from colon to colon (memchr), not byte by byte */
        const char *colon = k < 5 ? memchr(p, ':', (size_t)(end - p)) : NULL;
        const char *e = colon ? colon : end;
        if (k == n)
            return (struct bw_str){p, (size_t)(e - p)};
        if (!colon)
            return (struct bw_str){"", 0};
        p = colon + 1;
    }
}

static enum bw_policy_principal_type type_from_arn(struct bw_str arn)
{
    struct bw_str res = arn_field(arn, 5);
    if (arn.len == 0)
        return BW_PRINCIPAL_ANONYMOUS;
    if (arn.len > 14 && memcmp(arn.p + arn.len - 14, ".amazonaws.com", 14) == 0)
        return BW_PRINCIPAL_SERVICE;
    if (bw_str_eqc(res, "root"))
        return BW_PRINCIPAL_ROOT;
    if (res.len > 13 && memcmp(res.p, "assumed-role/", 13) == 0)
        return BW_PRINCIPAL_ASSUMED_ROLE;
    if (res.len > 15 && memcmp(res.p, "federated-user/", 15) == 0)
        return BW_PRINCIPAL_FEDERATED;
    return BW_PRINCIPAL_USER;
}

/* arn:aws:sts::A:assumed-role/R/S -> arn:aws:iam::A:role/R (the path is not in the ARN). */
static struct bw_str issuer_from_session(struct ecase *c, struct bw_str arn)
{
    struct bw_str res = arn_field(arn, 5), part = arn_field(arn, 1), acct = arn_field(arn, 4);
    if (res.len <= 13)
        return (struct bw_str){"", 0};
    const char *role = res.p + 13, *slash = memchr(role, '/', res.len - 13);
    int rlen = slash ? (int)(slash - role) : (int)(res.len - 13);
    char *s = bw_arena_printf(c->a, "arn:%.*s:iam::%.*s:role/%.*s", (int)part.len, part.p,
                              (int)acct.len, acct.p, rlen, role);
    return bw_str_c(s);
}

#define KEY_IS(k, lit) ((k).len == sizeof(lit) - 1 && memcmp((k).p, lit, sizeof(lit) - 1) == 0)

static inline struct bw_str str_of(const struct bw_policy_json *v)
{
    if (!is_type(v, BW_JSON_STRING))
        return (struct bw_str){"", 0};
    return (struct bw_str){v->s, v->len}; /* terminated in place, in the case arena */
}

/* The principal's members in one pass over its keys (see case_members). */
enum { P_ARN, P_ACCOUNT, P_ISSUER, P_USER_ID, P_USERNAME, P_TYPE, P_TAGS };
static void principal_members(const struct bw_policy_json *o, const struct bw_policy_json *m[7])
{
    for (int j = 0; j < 7; j++)
        m[j] = NULL;
    for (size_t i = 0; o && i < o->n; i++) {
        struct bw_str k = o->keys[i];
        int j = -1;
        switch (k.len) {
        case 3:
            j = KEY_IS(k, "arn") ? P_ARN : -1;
            break;
        case 4:
            j = KEY_IS(k, "type") ? P_TYPE : KEY_IS(k, "tags") ? P_TAGS : -1;
            break;
        case 7:
            j = KEY_IS(k, "account") ? P_ACCOUNT : KEY_IS(k, "user_id") ? P_USER_ID : -1;
            break;
        case 8:
            j = KEY_IS(k, "username") ? P_USERNAME : -1;
            break;
        case 10:
            j = KEY_IS(k, "issuer_arn") ? P_ISSUER : -1;
            break;
        default:
            break;
        }
        if (j >= 0)
            m[j] = &o->items[i];
    }
}

static bool decode_principal(struct ecase *c, const struct bw_policy_json *o,
                             struct bw_policy_principal *pr)
{
    if (o && !is_type(o, BW_JSON_OBJECT))
        return case_fail(c, "request.principal must be an object");
    const struct bw_policy_json *m[7];
    principal_members(o, m);
    pr->arn = str_of(m[P_ARN]);
    pr->account = str_of(m[P_ACCOUNT]);
    pr->issuer_arn = str_of(m[P_ISSUER]);
    pr->user_id = str_of(m[P_USER_ID]);
    pr->username = str_of(m[P_USERNAME]);
    const struct bw_policy_json *t = m[P_TYPE];
    pr->type = type_from_arn(pr->arn);
    if (is_type(t, BW_JSON_STRING)) {
        size_t i, n = sizeof(ptypes) / sizeof(ptypes[0]);
        for (i = 0; i < n && strcmp(ptypes[i].name, t->s); i++)
            ;
        if (i == n)
            return case_fail(c, "unknown principal type %s", t->s);
        pr->type = ptypes[i].type;
    }
    if (!pr->account.len && pr->type != BW_PRINCIPAL_SERVICE)
        pr->account = arn_field(pr->arn, 4);
    if (!pr->issuer_arn.len && pr->type == BW_PRINCIPAL_ASSUMED_ROLE)
        pr->issuer_arn = issuer_from_session(c, pr->arn);
    if (!pr->username.len && pr->type == BW_PRINCIPAL_USER) {
        struct bw_str res = arn_field(pr->arn, 5);
        const char *slash = res.len ? memrchr(res.p, '/', res.len) : NULL;
        if (slash)
            pr->username = (struct bw_str){slash + 1, (size_t)(res.p + res.len - slash - 1)};
    }
    return tags_of(c, m[P_TAGS], &pr->tags, &pr->n_tags);
}

static bool scalar(struct ecase *c, const struct bw_policy_json *v, struct bw_str *out)
{
    (void)c;
    if (is_type(v, BW_JSON_STRING) || is_type(v, BW_JSON_NUMBER)) {
        *out = (struct bw_str){v->s, v->len}; /* numbers as written */
    } else if (is_type(v, BW_JSON_TRUE) || is_type(v, BW_JSON_FALSE)) {
        *out = bw_str_c(is_type(v, BW_JSON_TRUE) ? "true" : "false");
    } else {
        return false;
    }
    return true;
}

static bool decode_context(struct ecase *c, const struct bw_policy_json *o,
                           struct bw_policy_request *req)
{
    if (!o || is_type(o, BW_JSON_NULL))
        return true;
    if (!is_type(o, BW_JSON_OBJECT) || o->n > MAX_LIST)
        return case_fail(c, "request.context must be an object");
    struct bw_policy_ctx_key *ks = CASE_NEWN(c, struct bw_policy_ctx_key, o->n + 1);
    for (size_t ki = 0; ki < o->n; ki++) {
        const char *k = o->keys[ki].p;
        const struct bw_policy_json *v = &o->items[ki];
        struct bw_policy_ctx_key *ck = &ks[req->n_ctx++];
        ck->key = o->keys[ki];
        size_t n = is_type(v, BW_JSON_ARRAY) ? v->n : 1;
        if (n > MAX_LIST)
            return case_fail(c, "context key %s has too many values", k);
        struct bw_str *vals = CASE_NEWN(c, struct bw_str, n + 1);
        for (size_t i = 0; i < n; i++)
            if (!scalar(c, is_type(v, BW_JSON_ARRAY) ? (&v->items[i]) : v, &vals[i]))
                return case_fail(c, "context key %s: values must be scalars", k);
        ck->values = vals;
        ck->n = n;
    }
    req->ctx = ks;
    return true;
}

static bool decode_request(struct ecase *c, const struct bw_policy_json *r,
                           struct bw_policy_request *req)
{
    if (!is_type(r, BW_JSON_OBJECT))
        return case_fail(c, "request must be an object");
    if (!decode_principal(c, JGET(r, "principal"), &req->principal))
        return false;
    req->action = JSTR(c, r, "action");
    if (!req->action.len)
        return case_fail(c, "request.action must be a string");
    const struct bw_policy_json *res = JGET(r, "resource");
    if (is_type(res, BW_JSON_STRING)) {
        req->resource.arn = JSTR(c, r, "resource");
    } else {
        req->resource.arn = JSTR(c, res, "arn");
        req->resource.account = JSTR(c, res, "account");
        if (!tags_of(c, JGET(res, "tags"), &req->resource.tags, &req->resource.n_tags))
            return false;
    }
    if (!req->resource.arn.len)
        req->resource.arn = BW_STR("*");
    return decode_context(c, JGET(r, "context"), req);
}

/* The members of a case, found in one pass over its keys (unique: the reader rejects
 * duplicates); the switch on the length leaves one or two fixed-size compares per key. */
enum { C_IDENTITY, C_BOUNDARY, C_SESSION, C_SCPS, C_RCPS, C_RESOURCE, C_MGMT, C_RES_MGMT, C_REQ };

static void case_members(const struct bw_policy_json *o, const struct bw_policy_json *m[9])
{
    for (int j = 0; j < 9; j++)
        m[j] = NULL;
    for (size_t i = 0; i < o->n; i++) {
        struct bw_str k = o->keys[i];
        int j = -1;
        switch (k.len) {
        case 4:
            j = KEY_IS(k, "scps") ? C_SCPS : KEY_IS(k, "rcps") ? C_RCPS : -1;
            break;
        case 7:
            j = KEY_IS(k, "request") ? C_REQ : -1;
            break;
        case 15:
            j = KEY_IS(k, "resource_policy") ? C_RESOURCE : -1;
            break;
        case 16:
            j = KEY_IS(k, "session_policies") ? C_SESSION : -1;
            break;
        case 17:
            j = KEY_IS(k, "identity_policies") ? C_IDENTITY : -1;
            break;
        case 21:
            j = KEY_IS(k, "permission_boundaries")   ? C_BOUNDARY
                : KEY_IS(k, "is_management_account") ? C_MGMT
                                                     : -1;
            break;
        case 30:
            j = KEY_IS(k, "resource_in_management_account") ? C_RES_MGMT : -1;
            break;
        default:
            break;
        }
        if (j >= 0)
            m[j] = &o->items[i];
    }
}

static bool decode_case(struct ecase *c, const struct bw_policy_json *o, struct bw_policy_set *set,
                        struct bw_policy_request *req)
{
    if (!is_type(o, BW_JSON_OBJECT))
        return case_fail(c, "a case must be a JSON object");
    const struct bw_policy_json *m[9];
    case_members(o, m);
    const struct bw_policy_json *rp = m[C_RESOURCE];
    if (!compile_list(c, m[C_IDENTITY], BW_POLICY_IDENTITY, "identity", &set->identity,
                      &set->n_identity) ||
        !compile_list(c, m[C_BOUNDARY], BW_POLICY_BOUNDARY, "boundary", &set->boundaries,
                      &set->n_boundaries) ||
        !compile_list(c, m[C_SESSION], BW_POLICY_SESSION, "session", &set->session,
                      &set->n_session) ||
        !compile_chain(c, m[C_SCPS], BW_POLICY_SCP, "scp", &set->scps, &set->n_scp_levels) ||
        !compile_chain(c, m[C_RCPS], BW_POLICY_RCP, "rcp", &set->rcps, &set->n_rcp_levels))
        return false;
    if (rp && !is_type(rp, BW_JSON_NULL) &&
        !compile_doc(c, rp, BW_POLICY_RESOURCE, "resource", &set->resource))
        return false;
    set->is_management_account = is_type(m[C_MGMT], BW_JSON_TRUE);
    set->resource_in_management_account = is_type(m[C_RES_MGMT], BW_JSON_TRUE);
    return decode_request(c, m[C_REQ], req);
}

/* The output: every line goes into one growing buffer (kept across lines), written to
 * stdout in large pieces; appends are inline (a capacity check and a copy). */
struct obuf {
    char *p;
    size_t len, cap;
};

static __attribute__((noinline)) void ob_grow(struct obuf *b, size_t n)
{
    size_t cap = b->cap ? b->cap * 2 : 1 << 16;
    while (cap - b->len < n)
        cap *= 2;
    if (!(b->p = realloc(b->p, cap)))
        bw_oom();
    b->cap = cap;
}

/* Room for n more bytes at the end. */
static inline char *ob_room(struct obuf *b, size_t n)
{
    if (b->cap - b->len < n)
        ob_grow(b, n);
    return b->p + b->len;
}

static inline void ob_add(struct obuf *b, const char *s, size_t n)
{
    memcpy(ob_room(b, n), s, n);
    b->len += n;
}
#define OB_LIT(b, lit) ob_add((b), lit, sizeof(lit) - 1)

static inline void ob_addc(struct obuf *b, char c)
{
    *ob_room(b, 1) = c;
    b->len++;
}

/* Appends ,"key":N (key given with its punctuation) without printf. */
static void put_uint(struct obuf *b, const char *key, size_t kl, unsigned v)
{
    char digits[16];
    size_t n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < sizeof(digits));
    char *o = ob_room(b, kl + n);
    memcpy(o, key, kl);
    o += kl;
    b->len += kl + n;
    while (n)
        *o++ = digits[--n];
}
#define PUT_UINT(b, lit, v) put_uint((b), lit, sizeof(lit) - 1, (v))

/* Nonzero when one of the 8 bytes at p is '"', '\\' or a control character (the high bit
 * of that byte; exact per byte, no carry crosses bytes). */
static inline uint64_t special8(const char *p)
{
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL, one = 0x0101010101010101ULL;
    uint64_t x, q, b;
    memcpy(&x, p, 8);
    q = x ^ (one * '"');
    b = x ^ (one * '\\');
    uint64_t ctl = ~(((x & lo7) + one * 0x60) | x | lo7);
    uint64_t isq = ~(((q & lo7) + lo7) | q | lo7), isb = ~(((b & lo7) + lo7) | b | lo7);
    return ctl | isq | isb;
}

/* The escaped form of the bytes from i on (kept out of put_jstr: rare). */
static __attribute__((noinline)) void put_escaped(struct obuf *b, const char *s, size_t i,
                                                  size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = i; /* bytes [run, i) need no escaping */
    for (; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch != '"' && ch != '\\' && ch >= 0x20)
            continue;
        ob_add(b, s + run, i - run);
        if (ch < 0x20) {
            char *o = ob_room(b, 6);
            memcpy(o, "\\u00", 4);
            o[4] = hex[ch >> 4];
            o[5] = hex[ch & 15];
            b->len += 6;
        } else {
            char *o = ob_room(b, 2);
            o[0] = '\\';
            o[1] = (char)ch;
            b->len += 2;
        }
        run = i + 1;
    }
    ob_add(b, s + run, len - run);
}

/* Appends s as a JSON string (quotes and escapes). */
static void put_jstr(struct obuf *b, const char *s, size_t len)
{
    size_t i = 0;
#ifdef __SSE2__
    /* 16 plain bytes at a time: '"', '\\' or (unsigned) below 0x20 stop the scan. */
    const __m128i dq = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), c1f = _mm_set1_epi8(0x1f);
    for (; i + 16 <= len; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, dq), _mm_cmpeq_epi8(x, bs)),
                                 _mm_cmpeq_epi8(_mm_min_epu8(x, c1f), x));
        if (_mm_movemask_epi8(m))
            break;
    }
#endif
    for (; i + 8 <= len; i += 8) /* then 8 at a time */
        if (special8(s + i))
            break;
    for (; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\' || ch < 0x20)
            break;
    }
    ob_addc(b, '"');
    if (i == len) {
        ob_add(b, s, len);
    } else {
        ob_add(b, s, i);
        put_escaped(b, s, i, len);
    }
    ob_addc(b, '"');
}

static void put_jstrc(struct obuf *b, const char *s)
{
    put_jstr(b, s, strlen(s));
}

/* A string known to need no escaping (the engine's names, the policy ids made here). */
static void put_plain(struct obuf *b, const char *s)
{
    size_t n = strlen(s);
    char *o = ob_room(b, n + 2);
    o[0] = '"';
    memcpy(o + 1, s, n);
    o[n + 1] = '"';
    b->len += n + 2;
}

static void put_matches(struct obuf *b, const struct bw_policy_explain *ex)
{
    OB_LIT(b, "\"matched\":[");
    for (size_t i = 0; i < ex->n_matches && i < ex->cap; i++) {
        const struct bw_policy_match *mt = &ex->matches[i];
        if (i)
            ob_addc(b, ',');
        OB_LIT(b, "{\"policy\":");
        put_plain(b, bw_policy_id(mt->policy)); /* "identity[0]", "scp[1][0]", "resource" */
        OB_LIT(b, ",\"type\":");
        put_plain(b, bw_policy_source_name(mt->source));
        PUT_UINT(b, ",\"index\":", mt->index);
        if (mt->deny)
            OB_LIT(b, ",\"effect\":\"Deny\"");
        else
            OB_LIT(b, ",\"effect\":\"Allow\"");
        if (mt->sid.len) {
            OB_LIT(b, ",\"sid\":");
            put_jstr(b, mt->sid.p, mt->sid.len);
        }
        if (mt->source == BW_SRC_SCP || mt->source == BW_SRC_RCP)
            PUT_UINT(b, ",\"level\":", mt->level);
        ob_addc(b, '}');
    }
    ob_addc(b, ']');
}

static void put_result(struct obuf *b, const struct bw_policy_request *req,
                       enum bw_policy_decision d, const struct bw_policy_explain *ex)
{
    OB_LIT(b, "{\"decision\":");
    put_plain(b, bw_policy_decision_name(d));
    OB_LIT(b, ",\"explain\":{");
    put_matches(b, ex);
    if (d != BW_POLICY_ALLOWED) {
        char msg[1024];
        size_t n = bw_policy_denial_message(req, d, ex, msg, sizeof(msg));
        OB_LIT(b, ",\"denied_by\":");
        put_plain(b, bw_policy_source_name(ex->denied_by));
        if (ex->level >= 0)
            PUT_UINT(b, ",\"level\":", (unsigned)ex->level);
        OB_LIT(b, ",\"message\":");
        put_jstr(b, msg, strnlen(msg, n < sizeof(msg) ? n : sizeof(msg) - 1));
    }
    OB_LIT(b, "}}");
}

/* Evaluates one input line and appends its output line to out. */
static void eval_line(const char *line, size_t len, struct obuf *out)
{
    struct ecase c = {.a = bw_arena_new(len * 8 + 8192)}; /* tree and compiled policies */
    const struct bw_policy_json *in;
    struct bw_err err;
    struct bw_policy_set set = {0};
    struct bw_policy_request req = {0};
    if (bw_policy_json_parse(c.a, line, len, &in, &err) != BW_OK) {
        OB_LIT(out, "{\"error\":");
        put_jstrc(out, err.msg);
        ob_addc(out, '}');
    } else if (!decode_case(&c, in, &set, &req)) {
        OB_LIT(out, "{\"error\":");
        put_jstrc(out, c.err);
        ob_addc(out, '}');
    } else {
        struct bw_policy_match matches[EXPLAIN_CAP];
        struct bw_policy_explain ex = {.matches = matches, .cap = EXPLAIN_CAP};
        enum bw_policy_decision d = bw_policy_evaluate(&set, &req, &ex);
        put_result(out, &req, d, &ex);
    }
    ob_addc(out, '\n');
    case_fini(&c);
}

/* Writes out what the buffer holds (stdout's own errors are reported by the final fflush). */
static void ob_flush(struct obuf *b)
{
    if (b->len)
        fwrite(b->p, 1, b->len, stdout);
    b->len = 0;
}

/* Evaluates each complete line of buf[0..len) and returns the bytes consumed (the start
 * of an unfinished last line, or len when at_eof). */
static size_t eval_lines(char *buf, size_t len, bool at_eof, struct obuf *out)
{
    size_t pos = 0;
    while (pos < len) {
        char *nl = memchr(buf + pos, '\n', len - pos);
        if (!nl && !at_eof)
            break;
        size_t end = nl ? (size_t)(nl - buf) : len, n = end - pos;
        while (n > 0 && (buf[pos + n - 1] == '\n' || buf[pos + n - 1] == '\r'))
            n--;
        if (n)
            eval_line(buf + pos, n, out);
        if (out->len >= (1 << 18))
            ob_flush(out);
        pos = nl ? end + 1 : len;
    }
    return pos;
}

/* Large reads into one buffer, lines split in place (no per-line copy, no getline). */
static int cmd_evaluate(void)
{
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    struct obuf out = {0};
    if (!buf)
        bw_oom();
    for (;;) {
        if (len == cap && !(buf = realloc(buf, cap *= 2))) /* a line longer than cap */
            bw_oom();
        ssize_t r = read(0, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        bool eof = r <= 0;
        len += eof ? 0 : (size_t)r;
        size_t used = eval_lines(buf, len, eof, &out);
        memmove(buf, buf + used, len - used);
        len -= used;
        if (eof)
            break;
    }
    ob_flush(&out);
    free(out.p);
    free(buf);
    return fflush(stdout) == 0 ? 0 : 1;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf)
        bw_oom();
    *len = n;
    return buf;
}

static int validate_one(const char *path, enum bw_policy_kind kind)
{
    size_t len;
    char *doc = read_file(path, &len);
    if (!doc) {
        fprintf(stderr, "%s: cannot read file\n", path);
        return 1;
    }
    struct bw_policy *p = NULL;
    struct bw_policy_diag diag;
    enum bw_code rc = bw_policy_compile(doc, len, kind, path, 0, &p, &diag, NULL);
    free(doc);
    if (rc == BW_OK) {
        printf("%s: OK (%s policy, %zu statements)\n", path, bw_policy_kind_name(kind),
               bw_policy_statement_count(p));
        bw_policy_free(p);
        return 0;
    }
    printf("%s: %s: %s (at %s)\n", path,
           diag.too_large ? "LimitExceeded" : "MalformedPolicyDocument", diag.msg, diag.path);
    return 1;
}

static int cmd_validate(int argc, char **argv)
{
    enum bw_policy_kind kind = BW_POLICY_IDENTITY;
    int i = 1, rc = 0, files = 0;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--type") == 0 && i + 1 < argc) {
            if (!bw_policy_kind_parse(argv[++i], &kind)) {
                fprintf(stderr, "bulwark policy validate: unknown --type %s\n", argv[i]);
                return 2;
            }
            continue;
        }
        rc |= validate_one(argv[i], kind);
        files++;
    }
    if (!files) {
        fprintf(stderr, "usage: bulwark policy validate [--type KIND] FILE...\n");
        return 2;
    }
    return rc;
}

int bw_cli_policy(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "validate") == 0)
        return cmd_validate(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "evaluate") == 0)
        return cmd_evaluate();
    fprintf(stderr, "usage: bulwark policy validate [--type "
                    "identity|resource|trust|scp|rcp|boundary|session] FILE...\n"
                    "       bulwark policy evaluate < cases.jsonl\n");
    return 2;
}
