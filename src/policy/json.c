/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small strict JSON reader (RFC 8259) that builds an immutable tree in a caller's arena:
 * no per-node malloc, no global state. It exists because generic JSON libraries spent
 * most of the end-to-end time of `bulwark policy evaluate` allocating nodes. The input is
 * copied once into the arena and strings are terminated and unescaped in place in that
 * copy (\uXXXX with surrogate pairs to UTF-8); they must be valid UTF-8 and may not
 * contain NUL; numbers keep their text; objects reject duplicate keys (IAM rejects them
 * too); nesting is capped at BW_POLICY_JSON_MAX_DEPTH. Any byte string gives a tree or an
 * error with its offset, never a crash (tests/fuzz/policy_fuzz.c).
 * Speed: the copy ends in 16 NUL bytes, so scans stop at the first NUL without a bounds
 * check (a NUL before the end is an error wherever it appears, as it always was); the
 * members of open containers wait on one scratch stack, and each container gets one
 * exactly-sized block when it closes; small blocks come from a bump pointer over large
 * arena chunks.
 */
#include "policy/internal.h"
#include "policy/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct rd {
    const char *p, *end, *start; /* *end and the 15 bytes after it are NUL */
    char *m; /* the arena copy being read: strings are terminated and unescaped in place */
    struct bw_arena *a;
    int depth;
    const char *err;
    /* Members of the open containers, innermost last: items and (objects) keys. */
    struct bw_policy_json *st;
    struct bw_str *sk;
    size_t top, cap;
    char *bp, *be; /* the bump region for tree blocks */
};

static bool rd_fail(struct rd *r, const char *msg)
{
    if (!r->err)
        r->err = msg;
    return false;
}

static __attribute__((noinline)) void *rd_alloc_slow(struct rd *r, size_t len)
{
    size_t chunk = (size_t)(r->be - r->bp) + len > 4096 ? len + 4096 : 4096;
    r->bp = bw_arena_alloc(r->a, chunk);
    r->be = r->bp + chunk;
    void *p = r->bp;
    r->bp += len;
    return p;
}

/* `len` bytes aligned to 16 from the bump region (uninitialised). */
static inline void *rd_alloc(struct rd *r, size_t len)
{
    len = (len + 15) & ~(size_t)15;
    if ((size_t)(r->be - r->bp) < len)
        return rd_alloc_slow(r, len);
    void *p = r->bp;
    r->bp += len;
    return p;
}

static __attribute__((noinline)) void skip_ws_slow(struct rd *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

/* Compact input has no whitespace: one compare in the common case (the NUL at the end
 * is not above ' ', so the end goes the slow way). */
static inline void skip_ws(struct rd *r)
{
    if ((unsigned char)*r->p > ' ')
        return;
    skip_ws_slow(r);
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of a valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t k = (p[0] & 0xE0) == 0xC0   ? 2
               : (p[0] & 0xF0) == 0xE0 ? 3
               : (p[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (k == 0 || k > n)
        return 0;
    unsigned cp = p[0] & (0x7F >> k);
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return k;
}

/* One escape after the backslash at r->p; appends its UTF-8 to o. */
static bool escape(struct rd *r, char *o, size_t *olen)
{
    char c = *r->p++;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *f = c ? strchr(from, c) : NULL;
    if (f) {
        o[(*olen)++] = to[f - from];
        return true;
    }
    if (c != 'u' || r->end - r->p < 4)
        return rd_fail(r, "invalid escape");
    int cp = hex4(r->p);
    r->p += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u')
            return rd_fail(r, "unpaired surrogate");
        int lo = hex4(r->p + 2);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return rd_fail(r, "unpaired surrogate");
        r->p += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    } else if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) {
        return rd_fail(r, "invalid \\u escape");
    }
    if (cp == 0)
        return rd_fail(r, "NUL in string");
    *olen += put_utf8(o + *olen, (unsigned)cp);
    return true;
}

/* The writable byte of the arena copy at the read position x: the reader reads the copy
 * itself (r->start == r->m), so this only drops the const. */
static inline char *mut(struct rd *r, const char *x)
{
    (void)r;
    return (char *)(uintptr_t)x;
}

#ifndef __SSE2__
/* The high bit of each of 8 bytes that is '"', '\\', a control character or non-ASCII
 * (exact per byte: no carry crosses bytes). */
static inline uint64_t special8(const char *p)
{
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL, one = 0x0101010101010101ULL;
    uint64_t x, q, b;
    memcpy(&x, p, 8);
    q = x ^ (one * '"');
    b = x ^ (one * '\\');
    uint64_t ctl = ~(((x & lo7) + one * 0x60) | x | lo7);
    uint64_t isq = ~(((q & lo7) + lo7) | q | lo7), isb = ~(((b & lo7) + lo7) | b | lo7);
    return (x & ~lo7) | ctl | isq | isb;
}
#endif

static bool escaped_string(struct rd *r, const char *s, const char *q, const char **out,
                           size_t *out_len);

/* The rest of a string from q, its first byte that is not plain ASCII: escapes and UTF-8
 * (kept out of string() so that the common case stays a small leaf). */
static __attribute__((noinline)) bool escaped_string(struct rd *r, const char *s, const char *q,
                                                     const char **out, size_t *out_len)
{
    while (q < r->end && *q != '"')
        q += *q == '\\' ? 2 : 1; /* find the closing quote */
    if (q >= r->end)
        return rd_fail(r, "unterminated string");
    /* Unescape in place: the output never overtakes the input being read. */
    char *o = mut(r, s);
    size_t olen = 0;
    while (r->p < q) {
        unsigned char c = (unsigned char)*r->p;
        if (c < 0x20)
            return rd_fail(r, "control character in string");
        if (c == '\\') {
            r->p++;
            if (r->p >= q || !escape(r, o, &olen) || r->p > q)
                return rd_fail(r, "invalid escape");
            continue;
        }
        size_t k = c < 0x80 ? 1 : utf8_len((const unsigned char *)r->p, (size_t)(q - r->p));
        if (!k)
            return rd_fail(r, "invalid UTF-8");
        memmove(o + olen, r->p, k);
        olen += k;
        r->p += k;
    }
    r->p = q + 1;
    o[olen] = 0;
    *out = o;
    *out_len = olen;
    return true;
}

static bool number(struct rd *r, struct bw_policy_json *out)
{
    const char *s = r->p;
    if (r->p < r->end && *r->p == '-')
        r->p++;
    if (r->p < r->end && *r->p == '0')
        r->p++;
    else if (r->p < r->end && *r->p >= '1' && *r->p <= '9')
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
    else
        return rd_fail(r, "invalid number");
    if (r->p < r->end && *r->p == '.') {
        const char *d = ++r->p;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
        if (r->p == d)
            return rd_fail(r, "invalid number");
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        const char *d = r->p;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
        if (r->p == d)
            return rd_fail(r, "invalid number");
    }
    out->type = BW_JSON_NUMBER;
    size_t n = (size_t)(r->p - s);
    char *t = rd_alloc(r, n + 1);
    memcpy(t, s, n);
    t[n] = 0;
    out->s = t;
    out->len = (size_t)(r->p - s);
    return true;
}

static bool literal(struct rd *r, const char *word, uint8_t type, struct bw_policy_json *out)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return rd_fail(r, "invalid literal");
    r->p += n;
    *out = (struct bw_policy_json){.type = type};
    return true;
}

static int cmp_key(const void *x, const void *y)
{
    const struct bw_str *a = *(const struct bw_str *const *)x,
                        *b = *(const struct bw_str *const *)y;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->p, b->p, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Which of 64 bits a key sets in the duplicate pre-filter (equal keys set the same). */
static inline unsigned key_bit(struct bw_str k)
{
    unsigned last = k.len ? (unsigned char)k.p[k.len - 1] : 0;
    return ((unsigned)k.len * 7u + (unsigned char)k.p[0] + last * 3u) & 63u;
}

static bool has_duplicates(struct rd *r, const struct bw_str *keys, size_t n)
{
    if (n <= 32) { /* compare a key with the earlier ones only when its filter bit was set */
        uint64_t seen = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t bit = 1ULL << key_bit(keys[i]);
            if (seen & bit)
                for (size_t j = 0; j < i; j++)
                    if (keys[i].len == keys[j].len &&
                        bw_policy__same(keys[i].p, keys[j].p, keys[i].len))
                        return true;
            seen |= bit;
        }
        return false;
    }
    const struct bw_str **v = rd_alloc(r, n * sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = &keys[i];
    qsort(v, n, sizeof(*v), cmp_key);
    for (size_t i = 1; i < n; i++)
        if (bw_str_eq(*v[i], *v[i - 1]))
            return true;
    return false;
}

/* Doubles the scratch stack (the old one is abandoned: the caller's or the arena's). */
static __attribute__((noinline)) void stack_grow(struct rd *r)
{
    size_t nc = r->cap * 2;
    struct bw_policy_json *st = bw_arena_alloc(r->a, nc * sizeof(*st));
    struct bw_str *sk = bw_arena_alloc(r->a, nc * sizeof(*sk));
    memcpy(st, r->st, r->top * sizeof(*st));
    memcpy(sk, r->sk, r->top * sizeof(*sk));
    r->st = st;
    r->sk = sk;
    r->cap = nc;
}

/* Moves the members from `base` up off the scratch stack into one block for out. */
static void close_container(struct rd *r, struct bw_policy_json *out, bool obj, size_t base)
{
    size_t n = r->top - base, isz = n * sizeof(*out->items);
    out->n = n;
    if (n) {
        char *blk = rd_alloc(r, isz + (obj ? n * sizeof(*out->keys) : 0));
        out->items = memcpy(blk, r->st + base, isz);
        if (obj)
            out->keys = memcpy(blk + isz, r->sk + base, n * sizeof(*out->keys));
    }
    r->top = base;
}

/* An open container: where its members start on the scratch stack, its kind, and (objects)
 * the key of the member being read with the duplicate pre-filter of the keys so far. */
struct frame {
    size_t base;
    bool obj;
    bool maybe_dup; /* two keys set the same bit of `seen` (key_bit): check exactly */
    struct bw_str key;
    uint64_t seen;
};

static __attribute__((noinline)) const char *ws_slow(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Whitespace skipped from p: one compare for compact input (the NUL at the end is not above
 * ' ', so the end goes the slow way). */
static inline const char *ws(const char *p, const char *end)
{
    return (unsigned char)*p > ' ' ? p : ws_slow(p, end);
}

/* The string whose opening quote is at *pp: the common case (no escape, ASCII) inline with
 * the position kept in the caller's register; the rest through escaped_string(). */
static inline __attribute__((always_inline)) bool str_at(struct rd *r, const char **pp,
                                                         const char **out, size_t *out_len)
{
    const char *s = *pp + 1, *q = s;
    /* The scan stops at the first special byte, at the latest at the NUL at r->end; the
     * NUL padding after it keeps every load inside the copy. */
#ifdef __SSE2__
    /* 16 bytes at a time: a signed compare below 0x20 also catches the bytes >= 0x80. */
    const __m128i dq = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), sp = _mm_set1_epi8(0x20);
    for (;; q += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, dq), _mm_cmpeq_epi8(x, bs)),
                                 _mm_cmplt_epi8(x, sp));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits) {
            q += __builtin_ctz(bits);
            break;
        }
    }
#else
    for (uint64_t m;; q += 8)
        if ((m = special8(q)) != 0) {
            q += __builtin_ctzll(m) / 8;
            break;
        }
#endif
    if (*q == '"') { /* terminated in place: the quote becomes the NUL */
        mut(r, q)[0] = 0;
        *out = s;
        *out_len = (size_t)(q - s);
        *pp = q + 1;
        return true;
    }
    r->p = s;
    bool ok = escaped_string(r, s, q, out, out_len);
    *pp = r->p;
    return ok;
}

/* Appends a completed member (v, key) to the scratch stack. */
static inline void push_member(struct rd *r, const struct bw_policy_json *v, struct bw_str key)
{
    size_t t = r->top;
    if (t == r->cap)
        stack_grow(r);
    r->st[t] = *v;
    r->sk[t] = key;
    r->top = t + 1;
}

/* One scalar at r->p (whitespace skipped) into v. */
static bool scalar(struct rd *r, struct bw_policy_json *v)
{
    switch (*r->p) {
    case 't':
        return literal(r, "true", BW_JSON_TRUE, v);
    case 'f':
        return literal(r, "false", BW_JSON_FALSE, v);
    case 'n':
        return literal(r, "null", BW_JSON_NULL, v);
    case 0:
        if (r->p >= r->end)
            return rd_fail(r, "unexpected end of input");
        break; /* a NUL byte in the input: not a number either */
    default:
        break;
    }
    *v = (struct bw_policy_json){.type = BW_JSON_NULL};
    return number(r, v);
}

/* Fails with msg at position p. */
static bool fail_at(struct rd *r, const char *p, const char *msg)
{
    r->p = p;
    return rd_fail(r, msg);
}

/* Reads one value at r->p into *out without recursion, as a flat state machine: the open
 * containers are frames on a local stack (at most BW_POLICY_JSON_MAX_DEPTH deep), their
 * members wait on the scratch stack, and the read position lives in a local (stores into
 * the copy could alias r->p; a local cannot be). r->p is set wherever a helper or an error
 * needs it. */
static bool read_value(struct rd *r, struct bw_policy_json *out)
{
    struct frame fr[BW_POLICY_JSON_MAX_DEPTH + 1], *f = NULL;
    const char *p = r->p, *end = r->end;
    int d = 0; /* open containers */
    struct bw_policy_json v;
next_value:
    p = ws(p, end);
    if (*p == '"') {
        v = (struct bw_policy_json){.type = BW_JSON_STRING};
        if (!str_at(r, &p, &v.s, &v.len))
            return false;
    } else if (*p == '{' || *p == '[') {
        bool obj = *p == '{';
        if (d + 1 > BW_POLICY_JSON_MAX_DEPTH)
            return fail_at(r, p, "nesting too deep");
        f = &fr[d++];
        *f = (struct frame){.base = r->top, .obj = obj};
        p = ws(p + 1, end);
        if (*p != (obj ? '}' : ']'))
            goto member;
        p++; /* empty */
        d--;
        v = (struct bw_policy_json){.type = obj ? BW_JSON_OBJECT : BW_JSON_ARRAY};
    } else {
        r->p = p;
        if (!scalar(r, &v))
            return false;
        p = r->p;
    }
    while (d > 0) { /* v completes a member of the innermost open container */
        f = &fr[d - 1];
        push_member(r, &v, f->key);
        p = ws(p, end);
        if (*p == ',') {
            p++;
            goto member;
        }
        if (*p != (f->obj ? '}' : ']')) /* the NUL at the end is neither */
            return fail_at(r, p, f->obj ? "expected ',' or '}'" : "expected ',' or ']'");
        p++;
        d--;
        v = (struct bw_policy_json){.type = f->obj ? BW_JSON_OBJECT : BW_JSON_ARRAY};
        close_container(r, &v, f->obj, f->base);
        if (f->maybe_dup && has_duplicates(r, v.keys, v.n))
            return fail_at(r, p, "duplicate key");
    }
    r->p = p;
    *out = v;
    return true;
member: /* in f, after its '{', '[' or a ',' */
    p = ws(p, end);
    if (f->obj) {
        if (*p != '"')
            return fail_at(r, p, "expected a key");
        if (!str_at(r, &p, &f->key.p, &f->key.len))
            return false;
        uint64_t bit = 1ULL << key_bit(f->key);
        f->maybe_dup |= (f->seen & bit) != 0;
        f->seen |= bit;
        p = ws(p, end);
        if (*p != ':')
            return fail_at(r, p + (p < end), "expected ':'");
        p++;
    }
    goto next_value;
}

/* Scratch stack entries on the C stack before the first growth into the arena. */
#define STACK0 64

enum bw_code bw_policy_json_parse(struct bw_arena *a, const char *text, size_t len,
                                  const struct bw_policy_json **out, struct bw_err *err)
{
    /* One arena block: the copy with its NUL padding, then a bump region for the tree
     * (about twice the text for compact JSON; more comes in chunks when needed). */
    size_t copy = (len + 16 + 15) & ~(size_t)15, region = len * 2 + 512;
    char *m = bw_arena_alloc(a, copy + region);
    memcpy(m, text, len);
    memset(m + len, 0, 16);
    struct bw_policy_json st0[STACK0];
    struct bw_str sk0[STACK0];
    struct rd r = {.p = m,
                   .end = m + len,
                   .start = m,
                   .m = m,
                   .a = a,
                   .st = st0,
                   .sk = sk0,
                   .cap = STACK0,
                   .bp = m + copy,
                   .be = m + copy + region};
    struct bw_policy_json *root = rd_alloc(&r, sizeof(*root));
    *out = NULL;
    if (read_value(&r, root)) {
        skip_ws(&r);
        if (r.p == r.end) {
            *out = root;
            return BW_OK;
        }
        rd_fail(&r, "trailing data");
    }
    return bw_fail(err, BW_E_SERIALIZATION, "invalid JSON: %s at offset %zu", r.err,
                   (size_t)(r.p - r.start));
}

const struct bw_policy_json *bw_policy_json_get(const struct bw_policy_json *o, const char *key)
{
    if (!o || o->type != BW_JSON_OBJECT)
        return NULL;
    size_t kl = strlen(key);
    for (size_t i = 0; i < o->n; i++)
        if (o->keys[i].len == kl && bw_policy__same(o->keys[i].p, key, kl))
            return &o->items[i];
    return NULL;
}
