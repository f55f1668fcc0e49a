/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiled form of a policy, shared by the parser (parse.c), the matchers (match.c,
 * cond.c) and the evaluator (eval.c). Everything a compiled policy points to lives in
 * its own arena and never changes after bw_policy_compile() returns, so evaluation
 * reads it from any number of threads without locks. Strings are views into the arena;
 * condition keys are stored lower-case (IAM condition key names are case-insensitive),
 * action patterns lower-case (service prefix and action name are case-insensitive).
 */
#ifndef BW_POLICY_INTERNAL_H
#define BW_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/arena.h"
#include "policy/policy.h"

/* Condition base operators. The negated ones follow their positive twin (op + 1). */
enum bw_policy__op {
    OP_STR_EQ,
    OP_STR_NE,
    OP_STR_EQ_IC,
    OP_STR_NE_IC,
    OP_STR_LIKE,
    OP_STR_NLIKE,
    OP_NUM_EQ,
    OP_NUM_NE,
    OP_NUM_LT,
    OP_NUM_LE,
    OP_NUM_GT,
    OP_NUM_GE,
    OP_DATE_EQ,
    OP_DATE_NE,
    OP_DATE_LT,
    OP_DATE_LE,
    OP_DATE_GT,
    OP_DATE_GE,
    OP_BOOL,
    OP_BIN_EQ,
    OP_IP,
    OP_NOT_IP,
    OP_ARN_EQ,
    OP_ARN_NE,
    OP_ARN_LIKE,
    OP_ARN_NLIKE,
    OP_NULL,
};

enum bw_policy__qual { Q_NONE = 0, Q_ANY, Q_ALL };

struct bw_policy__ip {
    uint8_t fam; /* 4 or 6; 0 = invalid */
    uint8_t prefix;
    uint8_t addr[16];
};

/* One condition value, pre-parsed for its operator when it holds no variable. */
struct bw_policy__cval {
    struct bw_str s;
    bool has_var; /* substituted at evaluation time, then parsed */
    bool valid;   /* parsed successfully (numbers, dates, bools, IPs) */
    bool b;
    double num;
    int64_t date_ms;
    struct bw_policy__ip ip;
};

struct bw_policy__cond {
    uint8_t op;
    uint8_t qual;
    bool if_exists;
    uint8_t key_id;    /* 1 + index in the table of well-known keys (cond.c); 0: other */
    uint8_t tag;       /* 1: an aws:PrincipalTag/ key, 2: an aws:ResourceTag/ key, 0: other */
    bool plain;        /* no value is substituted at evaluation (no variable, or 2008-10-17) */
    bool neg;          /* a negated operator (op is its positive twin + 1) */
    bool fast;         /* plain, no set qualifier, not Null: cond.c's direct path */
    uint8_t bop;       /* the positive base operator (op, or op - 1 when neg) */
    struct bw_str key; /* lower-case */
    struct bw_policy__cval *vals;
    uint32_t n;
};

/* Principal entry types: "*", AWS, Service, Federated, CanonicalUser. */
enum bw_policy__ptype { PT_STAR, PT_AWS, PT_SERVICE, PT_FEDERATED, PT_CANONICAL };

struct bw_policy__princ {
    uint8_t type;
    struct bw_str value; /* AWS account ids are normalised to arn:aws:iam::ACCT:root */
};

/* A pattern (action, resource) with its variable flag. */
struct bw_policy__pat {
    struct bw_str s;
    bool has_var;
    bool star;              /* exactly "*" */
    bool wild;              /* holds `*` or `?` */
    bool cut_ok;            /* resource ARN pattern split at compile time */
    uint32_t cut[5];        /* offsets of the first five colons */
    uint64_t pfx, pfx_mask; /* up to 8 literal leading bytes of the resource part: a quick
                               reject before the full match (0 mask: no filter) */
    uint8_t kind;           /* action patterns: MK_* of the whole pattern */
    uint8_t svc_no;         /* action patterns: bw_policy__svc_bitno of a literal service
                               part; 64 when it holds a wildcard (or the pattern is "*") */
    bool q_ok;              /* action patterns: q_pfx/q_mask hold the quick-reject prefix */
    uint32_t q_pfx, q_mask; /* of the literal start of the action name (bw_policy__quick) */
    uint8_t seg_kind[6];    /* resource ARN patterns: MK_* of each segment */
};

/* A request ARN split once per evaluation. */
struct bw_policy__arn {
    struct bw_str s;
    bool ok;
    uint32_t cut[5];
    uint64_t res8; /* the first 8 bytes of the resource part, zero-padded */
};

/* Up to 8 bytes of p as a little-endian word, zero-padded. */
static inline uint64_t bw_policy__load8(const char *p, size_t len)
{
    uint64_t v = 0;
    if (len >= 8) {
        memcpy(&v, p, 8);
        return v;
    }
    for (size_t i = 0; i < len && i < 8; i++)
        v |= (uint64_t)(uint8_t)p[i] << (8 * i);
    return v;
}

struct bw_policy__stmt {
    struct bw_str sid;
    bool deny;
    bool not_action, not_resource, not_principal;
    bool has_resource, has_principal;
    struct bw_policy__pat *actions;
    uint32_t n_actions;
    struct bw_policy__pat *resources;
    uint32_t n_resources;
    struct bw_policy__princ *principals;
    uint32_t n_principals;
    struct bw_policy__cond *conds;
    uint32_t n_conds;
    uint64_t svc_mask; /* per-service index: bit of each action's service; ~0 = any */
    uint64_t act_svc;  /* the same before NotAction widens it: a request whose service bit
                          is not in it matches none of the patterns */
    bool act_any;      /* Action holds "*": every action matches */
    bool res_any;      /* no Resource element, or Resource holds "*": every resource matches */
};

/* A statement's quick-reject filter, one cache line per statement in a dense array, so that
 * the statements a request's service selects but whose actions or resources cannot match
 * are dismissed without touching their patterns. It only ever rejects what the full match
 * would reject: a slot with a zero mask passes everything.
 * - act: the literal start (up to 4 bytes, before any `*` or `?`) of the action name —
 *   after the colon — of each of up to four Action patterns whose service part is literal
 *   (then the request's first colon is at the same place); passes if one slot agrees with
 *   the request's lower-cased action name.
 * - res: the `pfx`/`pfx_mask` pre-check of one_resource() for up to two Resource patterns
 *   without variables; passes if one slot agrees. */
struct bw_policy__quick {
    uint32_t apfx[4], amask[4];
    uint64_t rpfx[2], rmask[2];
};

struct bw_policy {
    struct bw_arena *arena;
    /* Compiled into a caller's arena (bw_policy_compile_json_in): not freed with the policy,
     * and strings are borrowed from the parse tree, which lives at least as long. */
    bool in_caller_arena;
    enum bw_policy_kind kind;
    const char *id;
    bool vars; /* Version 2012-10-17: policy variables are substituted */
    struct bw_policy__stmt *stmts;
    uint32_t n_stmts;
    /* The per-service index: for each of the 64 service bits, the ascending indexes of the
     * statements that can match an action of that service — those naming it and those
     * matching any service, merged at compile time (list 64: the latter alone; a bit no
     * statement names has a zero count and reads list 64). */
    uint32_t idx_off[65], idx_n[65];
    uint32_t *idx;
    struct bw_policy__quick *quick; /* per statement */
};

/* How a pattern (or one ARN segment of it) matches, decided at compile time. */
enum { MK_EXACT, MK_PREFIX, MK_STAR, MK_GLOB };

/* --- match.c (and the small inline helpers every matcher uses) --- */
static inline char bw_policy__lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* ASCII lower-casing of 8 bytes at once: a byte gets 0x20 when it is in 'A'..'Z' (no carry
 * crosses bytes: each sum stays below 0x100). */
static inline uint64_t bw_policy__lower8(uint64_t x)
{
    const uint64_t hi = 0x8080808080808080ULL, one = 0x0101010101010101ULL;
    uint64_t ge_a = (x & ~hi) + one * (0x80 - 'A');
    uint64_t gt_z = (x & ~hi) + one * (0x80 - 'Z' - 1);
    return x | (((ge_a ^ gt_z) & ~x & hi) >> 2);
}

/* A mask with the high bit of each byte of x that is ':' (exact: no borrow between bytes). */
static inline uint64_t bw_policy__colon_bytes(uint64_t x)
{
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
    uint64_t t = x ^ 0x3a3a3a3a3a3a3a3aULL;
    return ~(((t & lo7) + lo7) | t | lo7);
}

static inline uint64_t bw_policy__word(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* ASCII case-insensitive equality of s with `low`, which is already lower-case (compiled
 * condition keys): 8 bytes at a time, the last word overlapping. */
static inline bool bw_policy__ieq_low(struct bw_str s, struct bw_str low)
{
    if (s.len != low.len)
        return false;
    if (s.len < 8) {
        for (size_t i = 0; i < s.len; i++)
            if (bw_policy__lower(s.p[i]) != low.p[i])
                return false;
        return true;
    }
    for (size_t i = 0; i + 8 < s.len; i += 8)
        if (bw_policy__lower8(bw_policy__word(s.p + i)) != bw_policy__word(low.p + i))
            return false;
    return bw_policy__lower8(bw_policy__word(s.p + s.len - 8)) ==
           bw_policy__word(low.p + s.len - 8);
}

/* ASCII case-insensitive equality (condition keys, action names, tag keys). */
static inline bool bw_policy__ieq(struct bw_str a, struct bw_str b)
{
    if (a.len != b.len)
        return false;
    if (a.len >= 8) {
        for (size_t i = 0; i + 8 < a.len; i += 8)
            if (bw_policy__lower8(bw_policy__word(a.p + i)) !=
                bw_policy__lower8(bw_policy__word(b.p + i)))
                return false;
        return bw_policy__lower8(bw_policy__word(a.p + a.len - 8)) ==
               bw_policy__lower8(bw_policy__word(b.p + b.len - 8));
    }
    for (size_t i = 0; i < a.len; i++)
        if (a.p[i] != b.p[i] && bw_policy__lower(a.p[i]) != bw_policy__lower(b.p[i]))
            return false;
    return true;
}

static inline bool bw_policy__has_prefix_ci(struct bw_str s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.len >= n && bw_policy__ieq((struct bw_str){s.p, n}, (struct bw_str){prefix, n});
}

/* Short equal-length comparison (most segments are a few bytes): 8 bytes at a time, the
 * last word overlapping; no library call. */
static inline bool bw_policy__same(const char *a, const char *b, size_t n)
{
    if (n < 8) {
        uint32_t x, y, u, v;
        if (n >= 4) { /* two overlapping 4-byte words */
            memcpy(&x, a, 4), memcpy(&y, b, 4), memcpy(&u, a + n - 4, 4), memcpy(&v, b + n - 4, 4);
            return ((x ^ y) | (u ^ v)) == 0;
        }
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                return false;
        return true;
    }
    for (size_t i = 0; i + 8 < n; i += 8)
        if (bw_policy__word(a + i) != bw_policy__word(b + i))
            return false;
    return bw_policy__word(a + n - 8) == bw_policy__word(b + n - 8);
}

static inline bool bw_policy__str_eq(struct bw_str a, struct bw_str b)
{
    return a.len == b.len && bw_policy__same(a.p, b.p, a.len);
}

bool bw_policy__glob(const char *pat, size_t plen, const uint8_t *lit, const char *s, size_t slen,
                     bool icase);

/* Matches s against a pattern of the given MK_* kind (case-sensitive). */
static inline bool bw_policy__kmatch(uint8_t kind, const char *p, size_t plen, const char *s,
                                     size_t slen)
{
    switch (kind) {
    case MK_EXACT:
        return plen == slen && bw_policy__same(p, s, plen);
    case MK_PREFIX:
        return slen >= plen - 1 && bw_policy__same(p, s, plen - 1);
    case MK_STAR:
        return true;
    default:
        return bw_policy__glob(p, plen, NULL, s, slen, false);
    }
}
/* Glob match with `*` (any run, incl. empty) and `?` (one char); anchored. `lit`, when not
 * NULL, marks pattern bytes that are literal even if they are `*` or `?`. */
bool bw_policy__glob(const char *pat, size_t plen, const uint8_t *lit, const char *s, size_t slen,
                     bool icase);
/* ARN match per colon-separated segment (the resource part may hold colons). */
bool bw_policy__arn_match(const char *pat, size_t plen, const uint8_t *lit, const char *s,
                          size_t slen, bool wild);
/* Splits an ARN at its first five colons; false when it has fewer. */
bool bw_policy__arn_split(const char *s, size_t len, uint32_t cut[5]);
/* ARN match of a pre-split pattern against a pre-split ARN (no literal mask). */
bool bw_policy__arn_match_pre(const struct bw_policy__pat *pat, const struct bw_policy__arn *arn);
/* Classifies a pattern as exact, "prefix*", "*" or a general glob. */
uint8_t bw_policy__pat_kind(const char *p, size_t len);
/* The per-service index bit of a service prefix (case-insensitive). */
uint64_t bw_policy__svc_bit(const char *svc, size_t len);
/* Its bit number, 0..63. */
unsigned bw_policy__svc_bitno(const char *svc, size_t len);
bool bw_policy__parse_num(struct bw_str s, double *out);
bool bw_policy__parse_date(struct bw_str s, int64_t *ms_out);
bool bw_policy__parse_bool(struct bw_str s, bool *out);
bool bw_policy__parse_ip(struct bw_str s, struct bw_policy__ip *out);
bool bw_policy__ip_in(const struct bw_policy__ip *net, const struct bw_policy__ip *addr);

/* --- cond.c --- */
/* The values of a context key for a request (the caller's keys, then derived ones).
 * Returns false when the key is absent. `one` is scratch storage for derived values. */
bool bw_policy__ctx_get(const struct bw_policy_request *req, struct bw_str key,
                        const struct bw_str **vals, size_t *n, struct bw_str *one);
/* Substitutes policy variables into out (cap bytes) with lit marking substituted bytes.
 * Returns false when a variable has no value (and no default) or out is too small. */
bool bw_policy__subst(const struct bw_policy_request *req, struct bw_str in, char *out,
                      uint8_t *lit, size_t cap, size_t *out_len);
/* The per-evaluation state of condition-key lookups. A well-known key (aws:SourceIp,
 * aws:RequestedRegion, ...: condition key_id != 0) is looked up once per evaluation and its
 * values kept in its slot, when the request has no ctx_fn (whose calls are the caller's
 * business). Lookups compare key lengths, then 8 bytes at a time against the compiled
 * lower-case key. Lives on the evaluator's stack: nothing outlives the evaluation. */
#define BW_POLICY__WELL_KNOWN 32
/* A request value parsed once for the typed operators (Bool, IpAddress, Numeric, Date) and
 * kept while the value is in use: each state is 0 (not parsed yet), 1 (does not parse) or
 * 2 (parsed into its field). */
struct bw_policy__rtyped {
    uint8_t b_st, ip_st, num_st, date_st;
    bool b;
    struct bw_policy__ip ip;
    double num;
    int64_t date_ms;
};
struct bw_policy__kslot {
    const struct bw_str *vals;
    size_t n;
    struct bw_str one;
    bool present;
    struct bw_policy__rtyped t; /* of vals[0] when n == 1 */
};
struct bw_policy__keys {
    const struct bw_policy_request *req;
    uint32_t done; /* bit i: slot i is filled */
    struct bw_policy__kslot slot[BW_POLICY__WELL_KNOWN];
};

/* Whether a condition operator is negated (true only when no value matches). */
bool bw_policy__op_negated(uint8_t op);
/* The key_id of a lower-case condition key (0: not a well-known key). */
uint8_t bw_policy__key_id(struct bw_str low_key);
/* Starts an evaluation's key lookups for req: every slot empty. */
void bw_policy__keys_init(struct bw_policy__keys *k, const struct bw_policy_request *req);
/* All conditions of a statement hold. */
bool bw_policy__conds_match(const struct bw_policy *p, const struct bw_policy__stmt *st,
                            struct bw_policy__keys *keys);

/* --- parse.c --- */
/* Parses and validates doc into p (whose arena is set); fills diag on failure. */
bool bw_policy__parse(const char *doc, size_t len, enum bw_policy_kind kind, size_t max_chars,
                      struct bw_policy *p, struct bw_policy_diag *diag);
/* The same for a parsed document; `chars` is its size without whitespace (0: unknown). */
bool bw_policy__parse_json(const struct bw_policy_json *root, enum bw_policy_kind kind,
                           size_t max_chars, size_t chars, struct bw_policy *p,
                           struct bw_policy_diag *diag);
/* Operator names: "[ForAnyValue:|ForAllValues:]Op[IfExists]", case-insensitive. */
bool bw_policy__op_parse(struct bw_str name, uint8_t *op, uint8_t *qual, bool *if_exists);

#endif
