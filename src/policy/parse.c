/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parses and validates an IAM JSON policy document (IAM User Guide, "IAM JSON policy
 * element reference" and "Grammar of the IAM JSON policy language") into the compiled
 * form of internal.h. Each rejection carries IAM's MalformedPolicyDocument wording and
 * the JSON path of the offending element. Limits are checked before anything is built:
 * the size without whitespace (IAM and Organizations quotas), the JSON depth (the reader's
 * own cap) and duplicate keys (rejected by the parser). Any byte string gives either an
 * error or a policy; nothing here can crash on hostile input (tests/fuzz/policy_fuzz.c).
 */
#include "policy/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline bool is_type(const struct bw_policy_json *v, int type)
{
    return v && v->type == type;
}

/* Iterates an object's members in document order. */
#define FOREACH(obj, key, val)                                                                     \
    for (size_t fe_##key = 0; fe_##key < (obj)->n && ((key) = (obj)->keys[fe_##key].p,             \
                                                     (val) = &(obj)->items[fe_##key], 1);          \
         fe_##key++)

/* A component of the JSON path: ".key", or "[idx]" when key is NULL. */
struct pcomp {
    const char *key;
    size_t idx;
};

struct pctx {
    struct bw_arena *a;
    enum bw_policy_kind kind;
    struct bw_policy_diag *diag;
    /* The JSON path of the element being compiled, kept as components and rendered into
     * `path` only when an error names it (the policies that compile never need it). */
    struct pcomp comp[32]; /* a path is at most 6 deep: .Statement[i].Condition.Op.Key[i] */
    unsigned ncomp;
    bool rendered;
    char path[128];
    size_t plen; /* strlen(path) once rendered */
    bool vars;
    bool borrow;   /* tree strings outlive the policy: no copies (bw_policy_compile_json_in) */
    char *bp, *be; /* bump region for the compiled form's small blocks, in c->a */
};

static __attribute__((noinline)) void *palloc_slow(struct pctx *c, size_t len)
{
    size_t chunk = len > 1024 ? len + 2048 : 2048;
    c->bp = bw_arena_alloc(c->a, chunk);
    c->be = c->bp + chunk;
    void *p = c->bp;
    c->bp += len;
    return p;
}

/* `len` bytes aligned to 16, uninitialised, from the policy's arena: a bump pointer over
 * 2 KiB chunks instead of one out-of-line arena call per block. */
static inline void *palloc(struct pctx *c, size_t len)
{
    len = (len + 15) & ~(size_t)15;
    if ((size_t)(c->be - c->bp) < len)
        return palloc_slow(c, len);
    void *p = c->bp;
    c->bp += len;
    return p;
}

static inline void *pzalloc(struct pctx *c, size_t len)
{
    return memset(palloc(c, len), 0, len);
}

#define PNEWN(c, type, n)   ((type *)pzalloc((c), sizeof(type) * (n)))
#define PALLOCN(c, type, n) ((type *)palloc((c), sizeof(type) * (n)))

static void path_render(struct pctx *c);

static bool fail(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct pctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->diag->msg, sizeof(c->diag->msg), fmt, ap);
    va_end(ap);
    path_render(c);
    snprintf(c->diag->path, sizeof(c->diag->path), "%s", c->path);
    return false;
}

/* Appends ".key" to the rendered path, unless it would not fit (then it is left out). */
static void put_key(struct pctx *c, const char *key)
{
    size_t old = c->plen, k = strlen(key);
    if (old + 1 + k < sizeof(c->path)) {
        c->path[old] = '.';
        memcpy(c->path + old + 1, key, k + 1);
        c->plen = old + 1 + k;
    }
}

/* Appends "[i]" to the rendered path, unless it would not fit. */
static void put_idx(struct pctx *c, size_t i)
{
    char tmp[24];
    size_t old = c->plen, n = 0;
    do
        tmp[n++] = (char)('0' + i % 10);
    while ((i /= 10) && n < sizeof(tmp));
    if (old + n + 2 < sizeof(c->path)) {
        c->path[old] = '[';
        for (size_t k = 0; k < n; k++)
            c->path[old + 1 + k] = tmp[n - 1 - k];
        c->path[old + 1 + n] = ']';
        c->path[old + 2 + n] = 0;
        c->plen = old + 2 + n;
    }
}

/* Renders the components into `path` (once: an error ends the compile). */
static void path_render(struct pctx *c)
{
    if (c->rendered)
        return;
    c->rendered = true;
    c->path[0] = '$';
    c->path[1] = 0;
    c->plen = 1;
    for (unsigned i = 0; i < c->ncomp; i++) {
        if (c->comp[i].key)
            put_key(c, c->comp[i].key);
        else
            put_idx(c, c->comp[i].idx);
    }
}

/* Appends formatted text to the rendered path, just before fail() reports it. */
static void path_push(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void path_push(struct pctx *c, const char *fmt, ...)
{
    path_render(c);
    size_t old = c->plen;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->path + old, sizeof(c->path) - old, fmt, ap);
    va_end(ap);
    c->plen = strlen(c->path);
}

/* Adds the component ".key" (key outlives the compile); returns the depth to restore. */
static size_t path_key(struct pctx *c, const char *key)
{
    size_t old = c->ncomp;
    if (old < sizeof(c->comp) / sizeof(c->comp[0]))
        c->comp[c->ncomp++] = (struct pcomp){key, 0};
    return old;
}

/* Adds the component "[i]"; returns the depth to restore. */
static size_t path_idx(struct pctx *c, size_t i)
{
    size_t old = c->ncomp;
    if (old < sizeof(c->comp) / sizeof(c->comp[0]))
        c->comp[c->ncomp++] = (struct pcomp){NULL, i};
    return old;
}

/* Cuts the path back to a depth path_key or path_idx returned. */
static void path_cut(struct pctx *c, size_t old)
{
    c->ncomp = (unsigned)old;
}

static struct bw_str copy_str(struct pctx *c, const char *s, size_t len)
{
    char *d = palloc(c, len + 1);
    memcpy(d, s, len);
    d[len] = 0;
    return (struct bw_str){d, len};
}

/* A string of the parse tree, copied unless the tree outlives the policy. */
static struct bw_str dup_str(struct pctx *c, const char *s, size_t len)
{
    if (c->borrow) /* tree strings are NUL-terminated too */
        return (struct bw_str){s, len};
    return copy_str(c, s, len);
}

static struct bw_str lower_dup(struct pctx *c, const char *s, size_t len)
{
    char *d = palloc(c, len + 1);
    size_t i = 0;
    for (uint64_t x; i + 8 <= len; i += 8) { /* 8 bytes at a time */
        memcpy(&x, s + i, 8);
        x = bw_policy__lower8(x);
        memcpy(d + i, &x, 8);
    }
    for (; i < len; i++)
        d[i] = bw_policy__lower(s[i]);
    d[len] = 0;
    return (struct bw_str){d, len};
}

static bool has_var(struct pctx *c, struct bw_str s)
{
    if (!c->vars || s.len < 3)
        return false;
    for (const char *d = s.p, *e = s.p + s.len - 1; d < e; d++) /* "${": '$' then '{' */
        if ((d = memchr(d, '$', (size_t)(e - d))) == NULL)
            return false;
        else if (d[1] == '{')
            return true;
    return false;
}

/* A scalar condition value as text: strings as they are, booleans as "true"/"false",
 * numbers as written, except that fractions and exponents are normalised the way a
 * JavaScript or C JSON reader prints them (3600.0 -> "3600"). */
static bool scalar_str(struct pctx *c, const struct bw_policy_json *v, struct bw_str *out)
{
    char buf[64];
    if (v->type == BW_JSON_STRING) {
        *out = dup_str(c, v->s, v->len); /* the tree dies after compile; the policy keeps this */
        return true;
    }
    if (v->type == BW_JSON_TRUE || v->type == BW_JSON_FALSE) {
        *out = bw_str_c(v->type == BW_JSON_TRUE ? "true" : "false");
        return true;
    }
    if (v->type != BW_JSON_NUMBER)
        return false;
    if (!memchr(v->s, '.', v->len) && !memchr(v->s, 'e', v->len) && !memchr(v->s, 'E', v->len)) {
        *out = dup_str(c, v->s, v->len);
        return true;
    }
    double d = strtod(v->s, NULL);
    snprintf(buf, sizeof(buf), "%.15g", d);
    if (strtod(buf, NULL) != d)
        snprintf(buf, sizeof(buf), "%.17g", d);
    *out = copy_str(c, buf, strlen(buf)); /* a stack buffer: always copied */
    return true;
}

/* A string or a non-empty array of strings: the element's values. */
static bool str_list(struct pctx *c, const struct bw_policy_json *v, const char *what,
                     struct bw_str **out, uint32_t *n)
{
    size_t cnt = is_type(v, BW_JSON_ARRAY) ? v->n : 1;
    if (!is_type(v, BW_JSON_STRING) && !is_type(v, BW_JSON_ARRAY))
        return fail(c, "%s must be a string or an array of strings", what);
    if (cnt == 0)
        return fail(c, "%s must not be empty", what);
    *out = PALLOCN(c, struct bw_str, cnt); /* every entry is set below */
    *n = (uint32_t)cnt;
    for (size_t i = 0; i < cnt; i++) {
        const struct bw_policy_json *e = is_type(v, BW_JSON_ARRAY) ? (&v->items[i]) : v;
        if (!is_type(e, BW_JSON_STRING)) {
            path_push(c, "[%zu]", i);
            return fail(c, "%s must be a string or an array of strings", what);
        }
        (*out)[i] = dup_str(c, e->s, e->len);
    }
    return true;
}

/* Bytes that end a literal run in a pattern: ':', '*', '?', '$' (all below 64). */
#define PAT_SPECIAL ((1ULL << ':') | (1ULL << '*') | (1ULL << '?') | (1ULL << '$'))

static inline bool pat_special(unsigned char ch)
{
    return ch < 64 && ((PAT_SPECIAL >> ch) & 1);
}

/* The MK_* of s[a, e) whose first wildcard is at w (-1: none), as bw_policy__pat_kind. */
static inline uint8_t seg_kind(const char *s, size_t a, size_t e, long w)
{
    if (e - a == 1 && s[a] == '*')
        return MK_STAR;
    if (w < 0)
        return MK_EXACT;
    return s[w] == '*' && (size_t)w == e - 1 ? MK_PREFIX : MK_GLOB;
}

/* One pass over a Resource pattern: its first five colons (`k` of them found), the MK_* of
 * each of the six ARN segments (when k == 5), whether it holds a wildcard or a "${". */
struct res_scan {
    uint32_t cut[5];
    uint8_t seg_kind[6];
    unsigned k;
    bool wild, var;
};

/* The high bit of each byte of the 8 at p that is '*', '?' or '$' (exact per byte). */
static inline uint64_t wild_or_dollar8(const char *p)
{
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL, one = 0x0101010101010101ULL;
    uint64_t x = bw_policy__word(p), a = x ^ (one * '*'), q = x ^ (one * '?'), d = x ^ (one * '$');
    uint64_t za = ~(((a & lo7) + lo7) | a | lo7), zq = ~(((q & lo7) + lo7) | q | lo7);
    return za | zq | ~(((d & lo7) + lo7) | d | lo7);
}

/* The high bit of each byte of the 8 at p that is ':', '*', '?' or '$' (exact per byte). */
static inline uint64_t special8(const char *p)
{
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL, one = 0x0101010101010101ULL;
    uint64_t x = bw_policy__word(p), t = x ^ (one * ':');
    return wild_or_dollar8(p) | ~(((t & lo7) + lo7) | t | lo7);
}

/* The next byte from i on that is ':', '*', '?' or '$': 8 bytes at a time, then one by one. */
static inline size_t next_special(const char *s, size_t i, size_t len)
{
    for (uint64_t m; i + 8 <= len; i += 8)
        if ((m = special8(s + i)) != 0)
            return i + (size_t)__builtin_ctzll(m) / 8;
    while (i < len && !pat_special((unsigned char)s[i]))
        i++;
    return i;
}

/* The next byte from i on that can matter in a resource part ('*', '?', '$'; colons no
 * longer do): 8 bytes at a time, then one by one. */
static inline size_t next_special_res(const char *s, size_t i, size_t len)
{
    for (uint64_t m; i + 8 <= len; i += 8)
        if ((m = wild_or_dollar8(s + i)) != 0)
            return i + (size_t)__builtin_ctzll(m) / 8;
    while (i < len && s[i] != '*' && s[i] != '?' && s[i] != '$')
        i++;
    return i;
}

static void scan_resource(const char *s, size_t len, struct res_scan *o)
{
    size_t seg = 0; /* start of the current segment */
    long w = -1;    /* its first wildcard */
    unsigned k = 0; /* locals, not o's fields: no reloads after each store */
    bool wild = false, var = false;
    memset(o, 0, sizeof(*o));
    if (len > UINT32_MAX)
        return;
    for (size_t i = 0; i < len; i++) {
        if ((i = k == 5 ? next_special_res(s, i, len) : next_special(s, i, len)) == len)
            break;
        unsigned char ch = (unsigned char)s[i];
        if (ch == ':') {
            if (k == 5) /* the resource part may hold colons */
                continue;
            o->seg_kind[k] = seg_kind(s, seg, i, w);
            o->cut[k++] = (uint32_t)i;
            seg = i + 1;
            w = -1;
        } else if (ch == '$') {
            var |= i + 1 < len && s[i + 1] == '{';
        } else {
            wild = true;
            if (w < 0)
                w = (long)i;
        }
    }
    o->k = k;
    o->wild = wild;
    o->var = var;
    if (k == 5)
        o->seg_kind[5] = seg_kind(s, seg, len, w);
    else
        memset(o->seg_kind, 0, sizeof(o->seg_kind));
}

/* One pass over an Action pattern: its lower-case copy, the offset of its first colon (len:
 * none) and the MK_* kind of the whole pattern. */
static struct bw_str scan_action(struct pctx *c, struct bw_str a, size_t *colon, uint8_t *kind,
                                 long *first_wild)
{
    char *d = palloc(c, a.len + 1);
    long w = -1;
    size_t col = a.len; /* a local: d's stores could alias *colon */
    for (size_t i = 0; i < a.len; i++) {
        char ch = a.p[i];
        d[i] = bw_policy__lower(ch);
        if (!pat_special((unsigned char)ch))
            continue;
        if (ch == ':' && col == a.len)
            col = i;
        else if ((ch == '*' || ch == '?') && w < 0)
            w = (long)i;
    }
    d[a.len] = 0;
    *colon = col;
    *kind = seg_kind(a.p, 0, a.len, w);
    *first_wild = w;
    return (struct bw_str){d, a.len};
}

/* The literal start of an action pattern's name (lower-case), for bw_policy__quick: up to
 * 4 bytes after the colon before any wildcard; none when its service part holds a wildcard
 * (then its colon need not align with the request's). svc: the colon's offset; w: the first
 * wildcard's (-1: none). */
static void quick_action(struct bw_policy__pat *a, size_t svc, bool svc_wild, long w)
{
    a->q_ok = !svc_wild && svc < a->s.len;
    if (!a->q_ok)
        return;
    size_t nl = a->s.len - svc - 1, lit = w >= 0 ? (size_t)w - svc - 1 : nl;
    lit = lit < 4 ? lit : 4;
    a->q_pfx = (uint32_t)bw_policy__load8(a->s.p + svc + 1, lit);
    a->q_mask = lit == 4 ? ~0u : (1u << (8 * lit)) - 1;
}

static bool parse_actions(struct pctx *c, const struct bw_policy_json *v,
                          struct bw_policy__stmt *st)
{
    struct bw_str *s;
    uint32_t n;
    if (!str_list(c, v, "Action", &s, &n))
        return false;
    st->actions = PALLOCN(c, struct bw_policy__pat, n); /* each set whole below */
    st->n_actions = n;
    for (uint32_t i = 0; i < n; i++) {
        bool star = s[i].len == 1 && s[i].p[0] == '*';
        size_t svc;
        uint8_t kind;
        long w;
        struct bw_str low = scan_action(c, s[i], &svc, &kind, &w);
        if (!star && (svc == s[i].len || svc == 0 || svc == s[i].len - 1)) {
            path_push(c, "[%u]", i);
            return fail(c, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, "
                           "ec2, etc.");
        }
        if (star && c->kind == BW_POLICY_RCP) {
            path_push(c, "[%u]", i);
            return fail(c, "Action cannot be \"*\" in a resource control policy");
        }
        bool svc_wild = star || (w >= 0 && (size_t)w < svc);
        unsigned no = svc_wild ? 64 : bw_policy__svc_bitno(s[i].p, svc);
        st->actions[i] =
            (struct bw_policy__pat){.s = low, .star = star, .kind = kind, .svc_no = (uint8_t)no};
        quick_action(&st->actions[i], svc, svc_wild, w);
        st->svc_mask |= svc_wild ? ~0ULL : 1ULL << no;
    }
    st->act_svc = st->svc_mask;
    if (st->not_action)
        st->svc_mask = ~0ULL;
    return true;
}

static bool parse_resources(struct pctx *c, const struct bw_policy_json *v,
                            struct bw_policy__stmt *st)
{
    struct bw_str *s;
    uint32_t n;
    if (!str_list(c, v, "Resource", &s, &n))
        return false;
    st->resources = PALLOCN(c, struct bw_policy__pat, n); /* each set whole below */
    st->n_resources = n;
    for (uint32_t i = 0; i < n; i++) {
        bool star = s[i].len == 1 && s[i].p[0] == '*';
        struct res_scan sc;
        scan_resource(s[i].p, s[i].len, &sc);
        bool five = sc.k == 5; /* at least five colons */
        if (!star && (!five || memcmp(s[i].p, "arn:", 4) != 0)) {
            path_push(c, "[%u]", i);
            return fail(c, "Resource %.*s must be in ARN format or \"*\".", (int)s[i].len, s[i].p);
        }
        struct bw_policy__pat *r = &st->resources[i];
        *r = (struct bw_policy__pat){
            .s = s[i], .has_var = c->vars && sc.var, .star = star, .wild = sc.wild, .cut_ok = five};
        memcpy(r->cut, sc.cut, sizeof(sc.cut));
        memcpy(r->seg_kind, sc.seg_kind, sizeof(sc.seg_kind));
        if (r->cut_ok && !r->has_var) {
            const char *res = s[i].p + r->cut[4] + 1;
            size_t rl = s[i].len - r->cut[4] - 1, lit = 0;
            while (lit < rl && lit < 8 && res[lit] != '*' && res[lit] != '?')
                lit++;
            r->pfx = bw_policy__load8(res, lit);
            r->pfx_mask = lit == 8 ? ~0ULL : (1ULL << (8 * lit)) - 1;
        }
    }
    return true;
}

static bool is_account_id(struct bw_str s)
{
    if (s.len != 12)
        return false;
    for (size_t i = 0; i < 12; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return true;
}

/* One "AWS" principal: "*", an account id (≡ its root ARN) or an IAM/STS ARN. */
static bool aws_principal(struct pctx *c, struct bw_str s, struct bw_policy__princ *out)
{
    if (s.len == 1 && s.p[0] == '*') {
        out->type = PT_STAR;
        return true;
    }
    out->type = PT_AWS;
    if (is_account_id(s)) {
        char *arn = bw_arena_printf(c->a, "arn:aws:iam::%.*s:root", (int)s.len, s.p);
        out->value = bw_str_c(arn);
        return true;
    }
    size_t colons = 0;
    for (size_t k = 0; k < s.len; k++)
        colons += s.p[k] == ':';
    if (colons < 5 || strncmp(s.p, "arn:", 4) != 0 || memchr(s.p, '*', s.len))
        return fail(c, "Invalid principal in policy: \"AWS\":\"%.*s\"", (int)s.len, s.p);
    out->value = s;
    return true;
}

static bool principal_list(struct pctx *c, const char *key, const struct bw_policy_json *v,
                           struct bw_policy__princ *out, uint32_t *n)
{
    static const char *const names[] = {"AWS", "Service", "Federated", "CanonicalUser"};
    static const uint8_t types[] = {PT_AWS, PT_SERVICE, PT_FEDERATED, PT_CANONICAL};
    int t = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(key, names[i]) == 0)
            t = i;
    if (t < 0)
        return fail(c, "Invalid principal in policy: unknown principal type \"%s\"", key);
    struct bw_str *s;
    uint32_t cnt;
    if (!str_list(c, v, "Principal", &s, &cnt))
        return false;
    for (uint32_t i = 0; i < cnt; i++) {
        struct bw_policy__princ *p = &out[(*n)++];
        if (types[t] == PT_AWS) {
            size_t old = path_idx(c, i);
            if (!aws_principal(c, s[i], p))
                return false;
            path_cut(c, old);
        } else {
            p->type = (s[i].len == 1 && s[i].p[0] == '*') ? PT_STAR : types[t];
            p->value = s[i];
        }
    }
    return true;
}

static bool parse_principal(struct pctx *c, const struct bw_policy_json *v,
                            struct bw_policy__stmt *st)
{
    if (is_type(v, BW_JSON_STRING)) {
        if (strcmp(v->s, "*") != 0)
            return fail(c, "Invalid principal in policy: \"%s\"", v->s);
        st->principals = PNEWN(c, struct bw_policy__princ, 1);
        st->principals->type = PT_STAR;
        st->n_principals = 1;
        return true;
    }
    if (!is_type(v, BW_JSON_OBJECT) || v->n == 0)
        return fail(c, "Invalid principal in policy");
    size_t total = 0;
    const char *key;
    const struct bw_policy_json *val;
    FOREACH(v, key, val) total += is_type(val, BW_JSON_ARRAY) ? val->n : 1;
    if (total > 4096)
        return fail(c, "Invalid principal in policy: too many principals");
    st->principals = PNEWN(c, struct bw_policy__princ, total ? total : 1);
    FOREACH(v, key, val)
    {
        size_t old = path_key(c, key);
        if (!principal_list(c, key, val, st->principals, &st->n_principals))
            return false;
        path_cut(c, old);
    }
    return true;
}

/* Pre-parses a condition value for its operator (when it holds no variable). */
static void cval_prepare(uint8_t op, struct bw_policy__cval *cv)
{
    if (cv->has_var)
        return;
    if (op >= OP_NUM_EQ && op <= OP_NUM_GE)
        cv->valid = bw_policy__parse_num(cv->s, &cv->num);
    else if (op >= OP_DATE_EQ && op <= OP_DATE_GE)
        cv->valid = bw_policy__parse_date(cv->s, &cv->date_ms);
    else if (op == OP_BOOL || op == OP_NULL)
        cv->valid = bw_policy__parse_bool(cv->s, &cv->b);
    else if (op == OP_IP || op == OP_NOT_IP)
        cv->valid = bw_policy__parse_ip(cv->s, &cv->ip);
    else
        cv->valid = true;
}

static bool parse_cond_key(struct pctx *c, uint8_t op, uint8_t qual, bool ifx, const char *key,
                           const struct bw_policy_json *v, struct bw_policy__cond *out)
{
    size_t n = is_type(v, BW_JSON_ARRAY) ? v->n : 1;
    if (n == 0 || n > 4096)
        return fail(c, "Condition values must be a non-empty array of at most 4096 values");
    *out = (struct bw_policy__cond){
        .op = op, .qual = qual, .if_exists = ifx, .key = lower_dup(c, key, strlen(key))};
    out->key_id = bw_policy__key_id(out->key);
    /* the key is lower-case already */
    out->tag = out->key.len >= 17 && memcmp(out->key.p, "aws:principaltag/", 17) == 0  ? 1
               : out->key.len >= 16 && memcmp(out->key.p, "aws:resourcetag/", 16) == 0 ? 2
                                                                                       : 0;
    out->plain = true;
    if (!memchr(key, ':', strlen(key)))
        return fail(c, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, "
                       "etc.");
    out->vals = PNEWN(c, struct bw_policy__cval, n);
    out->n = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        const struct bw_policy_json *e = is_type(v, BW_JSON_ARRAY) ? (&v->items[i]) : v;
        struct bw_policy__cval *cv = &out->vals[i];
        if (!scalar_str(c, e, &cv->s)) {
            if (is_type(v, BW_JSON_ARRAY))
                path_push(c, "[%zu]", i);
            return fail(c, "Condition values must be strings, numbers or booleans");
        }
        bool vars_ok =
            op <= OP_STR_NLIKE || op == OP_BOOL || (op >= OP_ARN_EQ && op <= OP_ARN_NLIKE);
        cv->has_var = vars_ok && has_var(c, cv->s);
        out->plain &= !cv->has_var || !c->vars;
        cval_prepare(op, cv);
    }
    out->neg = bw_policy__op_negated(op);
    out->bop = out->neg ? (uint8_t)(op - 1) : op;
    out->fast = out->plain && qual == Q_NONE && op != OP_NULL;
    return true;
}

static bool parse_conditions(struct pctx *c, const struct bw_policy_json *v,
                             struct bw_policy__stmt *st)
{
    if (!is_type(v, BW_JSON_OBJECT))
        return fail(c, "Condition must be an object");
    const char *opname, *key;
    const struct bw_policy_json *block, *val;
    size_t total = 0;
    FOREACH(v, opname, block)
    {
        size_t old = path_key(c, opname);
        if (!is_type(block, BW_JSON_OBJECT) || block->n == 0)
            return fail(c, "Condition operator %s must map condition keys to values", opname);
        total += block->n;
        path_cut(c, old);
    }
    st->conds = PNEWN(c, struct bw_policy__cond, total ? total : 1);
    FOREACH(v, opname, block)
    {
        size_t old = path_key(c, opname);
        uint8_t op, qual;
        bool ifx;
        if (!bw_policy__op_parse(bw_str_c(opname), &op, &qual, &ifx))
            return fail(c, "Invalid Condition type : %s.", opname);
        FOREACH(block, key, val)
        {
            size_t old2 = path_key(c, key);
            if (!parse_cond_key(c, op, qual, ifx, key, val, &st->conds[st->n_conds++]))
                return false;
            path_cut(c, old2);
        }
        path_cut(c, old);
    }
    return true;
}

struct op_name {
    const char *p;
    uint8_t len;
};
#define OPN(s)                                                                                     \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }
static const struct op_name op_names[] = {
    [OP_STR_EQ] = OPN("StringEquals"),
    [OP_STR_NE] = OPN("StringNotEquals"),
    [OP_STR_EQ_IC] = OPN("StringEqualsIgnoreCase"),
    [OP_STR_NE_IC] = OPN("StringNotEqualsIgnoreCase"),
    [OP_STR_LIKE] = OPN("StringLike"),
    [OP_STR_NLIKE] = OPN("StringNotLike"),
    [OP_NUM_EQ] = OPN("NumericEquals"),
    [OP_NUM_NE] = OPN("NumericNotEquals"),
    [OP_NUM_LT] = OPN("NumericLessThan"),
    [OP_NUM_LE] = OPN("NumericLessThanEquals"),
    [OP_NUM_GT] = OPN("NumericGreaterThan"),
    [OP_NUM_GE] = OPN("NumericGreaterThanEquals"),
    [OP_DATE_EQ] = OPN("DateEquals"),
    [OP_DATE_NE] = OPN("DateNotEquals"),
    [OP_DATE_LT] = OPN("DateLessThan"),
    [OP_DATE_LE] = OPN("DateLessThanEquals"),
    [OP_DATE_GT] = OPN("DateGreaterThan"),
    [OP_DATE_GE] = OPN("DateGreaterThanEquals"),
    [OP_BOOL] = OPN("Bool"),
    [OP_BIN_EQ] = OPN("BinaryEquals"),
    [OP_IP] = OPN("IpAddress"),
    [OP_NOT_IP] = OPN("NotIpAddress"),
    [OP_ARN_EQ] = OPN("ArnEquals"),
    [OP_ARN_NE] = OPN("ArnNotEquals"),
    [OP_ARN_LIKE] = OPN("ArnLike"),
    [OP_ARN_NLIKE] = OPN("ArnNotLike"),
    [OP_NULL] = OPN("Null"),
};
#undef OPN

/* The operators of each name length (1 + OP_*; 0 ends a row): one to five candidates. */
static const uint8_t ops_by_len[26][6] = {
    [4] = {1 + OP_BOOL, 1 + OP_NULL},
    [7] = {1 + OP_ARN_LIKE},
    [9] = {1 + OP_IP, 1 + OP_ARN_EQ},
    [10] = {1 + OP_STR_LIKE, 1 + OP_DATE_EQ, 1 + OP_ARN_NLIKE},
    [12] = {1 + OP_STR_EQ, 1 + OP_DATE_LT, 1 + OP_BIN_EQ, 1 + OP_NOT_IP, 1 + OP_ARN_NE},
    [13] = {1 + OP_STR_NLIKE, 1 + OP_NUM_EQ, 1 + OP_DATE_NE},
    [15] = {1 + OP_STR_NE, 1 + OP_NUM_LT, 1 + OP_DATE_GT},
    [16] = {1 + OP_NUM_NE},
    [18] = {1 + OP_NUM_GT, 1 + OP_DATE_LE},
    [21] = {1 + OP_NUM_LE, 1 + OP_DATE_GE},
    [22] = {1 + OP_STR_EQ_IC},
    [24] = {1 + OP_NUM_GE},
    [25] = {1 + OP_STR_NE_IC},
};

/* "[ForAnyValue:|ForAllValues:]Operator[IfExists]", case-insensitive. */
bool bw_policy__op_parse(struct bw_str name, uint8_t *op, uint8_t *qual, bool *if_exists)
{
    *qual = Q_NONE;
    *if_exists = false;
    if (name.len >= 12 && (name.p[0] | 0x20) == 'f') {
        if (bw_policy__ieq((struct bw_str){name.p, 12}, BW_STR("ForAnyValue:"))) {
            *qual = Q_ANY;
            name.p += 12, name.len -= 12;
        } else if (name.len >= 13 &&
                   bw_policy__ieq((struct bw_str){name.p, 13}, BW_STR("ForAllValues:"))) {
            *qual = Q_ALL;
            name.p += 13, name.len -= 13;
        }
    }
    /* No operator name ends in "IfExists", so the suffix can come off first. */
    bool ife = name.len > 8 &&
               bw_policy__ieq((struct bw_str){name.p + name.len - 8, 8}, BW_STR("IfExists"));
    struct bw_str base = {name.p, ife ? name.len - 8 : name.len};
    if (base.len >= sizeof(ops_by_len) / sizeof(ops_by_len[0]))
        return false;
    for (const uint8_t *c = ops_by_len[base.len]; *c; c++) {
        size_t i = *c - 1u;
        const struct op_name *n = &op_names[i]; /* the first byte, then all */
        if ((ife && i == OP_NULL) || bw_policy__lower(n->p[0]) != bw_policy__lower(base.p[0]))
            continue;
        if (bw_policy__ieq(base, (struct bw_str){n->p, n->len})) {
            *op = (uint8_t)i;
            *if_exists = ife;
            return true;
        }
    }
    return false;
}

static bool kind_is_identity_like(enum bw_policy_kind k)
{
    return k == BW_POLICY_IDENTITY || k == BW_POLICY_BOUNDARY || k == BW_POLICY_SESSION ||
           k == BW_POLICY_SCP;
}

/* Principal/NotPrincipal presence rules per policy kind. */
static bool check_principal(struct pctx *c, const struct bw_policy_json *p,
                            const struct bw_policy_json *np)
{
    if (p && np)
        return fail(c, "Statement cannot contain both Principal and NotPrincipal");
    if (kind_is_identity_like(c->kind) && (p || np))
        return fail(c, "Policy document should not specify a principal.");
    if (!kind_is_identity_like(c->kind) && !p && !np)
        return fail(c, "Missing required field Principal");
    if (c->kind == BW_POLICY_RCP && (np || !is_type(p, BW_JSON_STRING) || strcmp(p->s, "*")))
        return fail(c, "Resource control policies must specify \"Principal\": \"*\"");
    return true;
}

/* A statement's elements, found in one pass over its keys. */
enum {
    E_SID,
    E_EFFECT,
    E_PRINCIPAL,
    E_NOTPRINCIPAL,
    E_ACTION,
    E_NOTACTION,
    E_RESOURCE,
    E_NOTRESOURCE,
    E_CONDITION,
    E__N
};

static const char *const elem_names[E__N] = {"Sid",          "Effect",      "Principal",
                                             "NotPrincipal", "Action",      "NotAction",
                                             "Resource",     "NotResource", "Condition"};

/* The E_* of a statement element name (exact, case-sensitive), E__N when unknown: the
 * length picks at most three candidates. */
static int elem_of(struct bw_str k)
{
    static const uint8_t by_len[13][3] = {
        /* 1 + E_*, 0: none */
        [3] = {1 + E_SID},          [6] = {1 + E_EFFECT, 1 + E_ACTION},
        [8] = {1 + E_RESOURCE},     [9] = {1 + E_PRINCIPAL, 1 + E_NOTACTION, 1 + E_CONDITION},
        [11] = {1 + E_NOTRESOURCE}, [12] = {1 + E_NOTPRINCIPAL}};
    if (k.len > 12)
        return E__N;
    for (int j = 0; j < 3 && by_len[k.len][j]; j++) {
        int i = by_len[k.len][j] - 1;
        if (bw_policy__same(k.p, elem_names[i], k.len))
            return i;
    }
    return E__N;
}

static bool stmt_elements(struct pctx *c, const struct bw_policy_json *const *e,
                          struct bw_policy__stmt *st)
{
    const struct bw_policy_json *a = e[E_ACTION], *na = e[E_NOTACTION], *r = e[E_RESOURCE],
                                *nr = e[E_NOTRESOURCE], *p = e[E_PRINCIPAL],
                                *np = e[E_NOTPRINCIPAL], *cond = e[E_CONDITION];
    if (a && na)
        return fail(c, "Statement cannot contain both Action and NotAction");
    if (c->kind == BW_POLICY_RCP && na)
        return fail(c, "NotAction is not allowed in a resource control policy");
    if (!a && !na)
        return fail(c, "Policy statement must contain actions.");
    if (r && nr)
        return fail(c, "Statement cannot contain both Resource and NotResource");
    if (c->kind == BW_POLICY_TRUST && (r || nr))
        return fail(c, "Has prohibited field Resource.");
    if (!r && !nr && c->kind != BW_POLICY_RESOURCE && c->kind != BW_POLICY_TRUST)
        return fail(c, "Policy statement must contain resources.");
    if (!check_principal(c, p, np))
        return false;
    if (np && !st->deny)
        return fail(c, "NotPrincipal must be used with \"Effect\": \"Deny\"");
    size_t old = c->ncomp;
#define SUB(elem, call)                                                                            \
    do {                                                                                           \
        path_key(c, elem);                                                                         \
        if (!(call))                                                                               \
            return false;                                                                          \
        path_cut(c, old);                                                                          \
    } while (0)
    st->not_action = na != NULL;
    SUB(a ? "Action" : "NotAction", parse_actions(c, a ? a : na, st));
    st->has_resource = r || nr;
    st->not_resource = nr != NULL;
    if (st->has_resource)
        SUB(r ? "Resource" : "NotResource", parse_resources(c, r ? r : nr, st));
    st->has_principal = p || np;
    st->not_principal = np != NULL;
    if (st->has_principal)
        SUB(p ? "Principal" : "NotPrincipal", parse_principal(c, p ? p : np, st));
    if (cond)
        SUB("Condition", parse_conditions(c, cond, st));
#undef SUB
    return true;
}

static bool parse_stmt(struct pctx *c, const struct bw_policy_json *o, struct bw_policy__stmt *st)
{
    const struct bw_policy_json *e[E__N] = {0};
    if (!is_type(o, BW_JSON_OBJECT))
        return fail(c, "Statement must be an object");
    for (size_t k = 0; k < o->n; k++) {
        int i = elem_of(o->keys[k]);
        if (i == E__N) {
            path_push(c, ".%s", o->keys[k].p);
            return fail(c, "Statement contains an unknown element: %s", o->keys[k].p);
        }
        e[i] = &o->items[k];
    }
    const struct bw_policy_json *sid = e[E_SID], *eff = e[E_EFFECT];
    if (sid && !is_type(sid, BW_JSON_STRING))
        return path_push(c, ".Sid"), fail(c, "Sid must be a string");
    if (sid)
        st->sid = dup_str(c, sid->s, sid->len);
    if (!eff)
        return fail(c, "Missing required field Effect");
    bool allow = is_type(eff, BW_JSON_STRING) &&
                 bw_str_eq((struct bw_str){eff->s, eff->len}, BW_STR("Allow"));
    st->deny = is_type(eff, BW_JSON_STRING) &&
               bw_str_eq((struct bw_str){eff->s, eff->len}, BW_STR("Deny"));
    if (!allow && !st->deny)
        return path_push(c, ".Effect"), fail(c, "Invalid effect: Effect must be Allow or Deny");
    return stmt_elements(c, e, st);
}

static int cmp_sid(const void *x, const void *y)
{
    const struct bw_policy__stmt *a = *(const struct bw_policy__stmt *const *)x;
    const struct bw_policy__stmt *b = *(const struct bw_policy__stmt *const *)y;
    size_t n = a->sid.len < b->sid.len ? a->sid.len : b->sid.len;
    int r = n ? memcmp(a->sid.p, b->sid.p, n) : 0;
    if (r == 0)
        r = (a->sid.len > b->sid.len) - (a->sid.len < b->sid.len);
    return r ? r : (a > b) - (a < b); /* equal Sids: document order */
}

static bool sid_dup(struct pctx *c, uint32_t i)
{
    path_push(c, ".Statement[%u].Sid", (unsigned)i);
    return fail(c, "Statement IDs (SID) in a single policy must be unique");
}

/* Duplicate Sids, found by sorting (a policy may have many statements); reports the
 * later statement of the first duplicate pair in document order. */
static bool check_sids_unique(struct pctx *c, const struct bw_policy *p)
{
    if (p->n_stmts <= 16) /* few statements: the first later duplicate directly */
        for (uint32_t j = 1; j < p->n_stmts; j++)
            for (uint32_t i = 0; p->stmts[j].sid.len && i < j; i++)
                if (bw_str_eq(p->stmts[j].sid, p->stmts[i].sid))
                    return sid_dup(c, j);
    if (p->n_stmts <= 16)
        return true;
    const struct bw_policy__stmt **v =
        PALLOCN(c, const struct bw_policy__stmt *, p->n_stmts ? p->n_stmts : 1);
    for (uint32_t i = 0; i < p->n_stmts; i++)
        v[i] = &p->stmts[i];
    qsort(v, p->n_stmts, sizeof(*v), cmp_sid);
    const struct bw_policy__stmt *dup = NULL;
    for (uint32_t i = 1; i < p->n_stmts; i++)
        if (v[i]->sid.len && bw_str_eq(v[i]->sid, v[i - 1]->sid) && (!dup || v[i] < dup))
            dup = v[i];
    return !dup || sid_dup(c, (uint32_t)(dup - p->stmts));
}

/* The statement's match-everything flags (act_any, res_any). */
static void any_fill(struct bw_policy__stmt *st)
{
    st->act_any = false;
    for (uint32_t i = 0; i < st->n_actions && !st->not_action; i++)
        st->act_any |= st->actions[i].star;
    st->res_any = !st->has_resource;
    for (uint32_t i = 0; i < st->n_resources && st->has_resource && !st->not_resource; i++)
        st->res_any |= st->resources[i].star;
}

/* Fills a statement's quick-reject filter; every slot left at zero mask passes. */
static void quick_fill(const struct bw_policy *p, const struct bw_policy__stmt *st,
                       struct bw_policy__quick *q)
{
    memset(q, 0, sizeof(*q));
    bool ok = !st->not_action && st->n_actions >= 1 && st->n_actions <= 4;
    for (uint32_t i = 0; ok && i < 4; i++) {
        const struct bw_policy__pat *a = &st->actions[i < st->n_actions ? i : 0];
        ok = !a->star && a->q_ok;
        q->apfx[i] = a->q_pfx;
        q->amask[i] = a->q_mask;
    }
    if (!ok)
        memset(q->amask, 0, sizeof(q->amask));
    ok = st->has_resource && !st->not_resource && st->n_resources >= 1 && st->n_resources <= 2;
    for (uint32_t i = 0; ok && i < 2; i++) {
        const struct bw_policy__pat *r = &st->resources[i < st->n_resources ? i : 0];
        ok = !r->star && (!r->has_var || !p->vars);
        q->rpfx[i] = r->pfx;
        q->rmask[i] = r->pfx_mask;
    }
    if (!ok)
        memset(q->rmask, 0, sizeof(q->rmask));
}

/* Fills the per-service index from each statement's service mask: for each service bit a
 * statement names, the ascending list of the statements naming it merged with those naming
 * any service (bucket 64 alone). Only those buckets are touched: the others keep a zero count,
 * and the evaluator reads bucket 64 for them. */
static void build_index(struct pctx *c, struct bw_policy *p)
{
    uint64_t used = 0;
    for (uint32_t i = 0; i < p->n_stmts; i++) {
        uint64_t m = p->stmts[i].svc_mask;
        if (m == ~0ULL)
            p->idx_n[64]++;
        for (used |= m == ~0ULL ? 0 : m; m != ~0ULL && m; m &= m - 1)
            p->idx_n[__builtin_ctzll(m)]++; /* a statement names one or two services */
    }
    uint32_t off = p->idx_n[64], fill[65];
    fill[64] = p->idx_off[64] = 0;
    for (uint64_t m = used; m; m &= m - 1) {
        unsigned b = (unsigned)__builtin_ctzll(m);
        p->idx_n[b] += p->idx_n[64];
        fill[b] = p->idx_off[b] = off;
        off += p->idx_n[b];
    }
    p->idx = PALLOCN(c, uint32_t, off ? off : 1); /* filled below */
    for (uint32_t i = 0; i < p->n_stmts; i++) {
        uint64_t m = p->stmts[i].svc_mask;
        if (m == ~0ULL)
            p->idx[fill[64]++] = i;
        for (m = m == ~0ULL ? used : m; m; m &= m - 1)
            p->idx[fill[__builtin_ctzll(m)]++] = i;
    }
}

static bool parse_top(struct pctx *c, const struct bw_policy_json *doc, struct bw_policy *p)
{
    if (!is_type(doc, BW_JSON_OBJECT))
        return fail(c, "Syntax errors in policy.");
    const struct bw_policy_json *ver = NULL, *id = NULL, *stmts = NULL;
    for (size_t k = 0; k < doc->n; k++) { /* keys are unique (the reader rejects duplicates) */
        struct bw_str key = doc->keys[k];
        if (bw_str_eq(key, BW_STR("Version")))
            ver = &doc->items[k];
        else if (bw_str_eq(key, BW_STR("Statement")))
            stmts = &doc->items[k];
        else if (bw_str_eq(key, BW_STR("Id")))
            id = &doc->items[k];
        else {
            path_push(c, ".%s", key.p);
            return fail(c, "Policy document contains an unknown element: %s", key.p);
        }
    }
    if (ver && (!is_type(ver, BW_JSON_STRING) ||
                (strcmp(ver->s, "2012-10-17") && strcmp(ver->s, "2008-10-17"))))
        return path_push(c, ".Version"), fail(c, "The policy failed legacy parsing");
    if (id && !is_type(id, BW_JSON_STRING))
        return path_push(c, ".Id"), fail(c, "Id must be a string");
    c->vars = p->vars = ver && strcmp(ver->s, "2012-10-17") == 0;
    if (!stmts)
        return fail(c, "Missing required field Statement");
    if (!is_type(stmts, BW_JSON_OBJECT) && !is_type(stmts, BW_JSON_ARRAY))
        return path_push(c, ".Statement"), fail(c, "Statement must be an object or an array");
    size_t n = is_type(stmts, BW_JSON_ARRAY) ? stmts->n : 1;
    p->stmts = PNEWN(c, struct bw_policy__stmt, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        size_t old = path_key(c, "Statement");
        if (is_type(stmts, BW_JSON_ARRAY))
            path_idx(c, i);
        if (!parse_stmt(c, is_type(stmts, BW_JSON_ARRAY) ? (&stmts->items[i]) : stmts,
                        &p->stmts[p->n_stmts++]))
            return false;
        path_cut(c, old);
    }
    /* IAM: "the Sid value must be unique within a JSON policy"; SQS/SNS treat it as a sub-ID. */
    build_index(c, p);
    p->quick = PALLOCN(c, struct bw_policy__quick, p->n_stmts ? p->n_stmts : 1); /* quick_fill */
    for (uint32_t i = 0; i < p->n_stmts; i++) {
        quick_fill(p, &p->stmts[i], &p->quick[i]);
        any_fill(&p->stmts[i]);
    }
    return c->kind == BW_POLICY_RESOURCE || check_sids_unique(c, p);
}

/* Field by field: an initializer would zero all of `path` first (once per policy). */
static void pctx_init(struct pctx *c, const struct bw_policy *p, enum bw_policy_kind kind,
                      struct bw_policy_diag *diag)
{
    c->a = p->arena;
    c->kind = kind;
    c->diag = diag;
    c->ncomp = 0;
    c->rendered = false;
    c->plen = 0;
    c->vars = false;
    c->borrow = p->in_caller_arena;
    c->bp = c->be = NULL;
}

/* Characters of the document, whitespace excluded (UTF-8 continuation bytes not counted). */
static size_t policy_chars(const char *doc, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)doc[i];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r' && (ch & 0xC0) != 0x80)
            n++;
    }
    return n;
}

bool bw_policy__parse(const char *doc, size_t len, enum bw_policy_kind kind, size_t max_chars,
                      struct bw_policy *p, struct bw_policy_diag *diag)
{
    struct pctx c;
    pctx_init(&c, p, kind, diag);
    size_t chars = policy_chars(doc, len);
    if (chars > max_chars) {
        diag->too_large = true;
        return fail(&c, "Cannot exceed quota for PolicySize: %zu", max_chars);
    }
    struct bw_arena *tmp = bw_arena_new(len * 4 + 1024);
    const struct bw_policy_json *root;
    bool ok = bw_policy_json_parse(tmp, doc, len, &root, NULL) == BW_OK
                  ? parse_top(&c, root, p)
                  : fail(&c, "Syntax errors in policy.");
    bw_arena_free(tmp);
    return ok;
}

bool bw_policy__parse_json(const struct bw_policy_json *root, enum bw_policy_kind kind,
                           size_t max_chars, size_t chars, struct bw_policy *p,
                           struct bw_policy_diag *diag)
{
    struct pctx c;
    pctx_init(&c, p, kind, diag);
    if (chars > max_chars) {
        diag->too_large = true;
        return fail(&c, "Cannot exceed quota for PolicySize: %zu", max_chars);
    }
    return parse_top(&c, root, p);
}
