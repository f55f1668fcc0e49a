/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SigV4 canonical request (AWS General Reference, "Create a canonical request for
 * Signature Version 4"):
 *
 *   CanonicalRequest = Method '\n' CanonicalURI '\n' CanonicalQuery '\n'
 *                      CanonicalHeaders '\n' SignedHeaders '\n' HexPayloadHash
 *   CanonicalHeaders = *( lower(name) ':' fold(trim(v1)) [',' fold(trim(v2)) ...] '\n' )
 *
 * Non-S3 rules: the URI path is normalized (dot segments removed, empty segments
 * collapsed) and encoded again (the wire path is already encoded once); query names and
 * values are form-decoded ('+' is a space: botocore sends spaces as '+' on the wire but
 * signs them as %20) and re-encoded per RFC 3986, then sorted by name and value. Everything is
 * built in the caller's arena; no input is trusted to be well formed, and any byte sequence yields
 * some canonical string.
 */
#include "auth/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/internal.h"
#include "common/util.h"

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

bool bw_auth__ieq(struct bw_str a, const char *b)
{
    size_t n = strlen(b);
    if (a.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(a.p[i]) != lower(b[i]))
            return false;
    return true;
}

const struct bw_sigv4_header *bw_auth__header(const struct bw_sigv4_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (bw_auth__ieq(req->headers[i].name, name))
            return &req->headers[i];
    return NULL;
}

struct bw_str bw_auth__trim(struct bw_str a)
{
    while (a.len && (a.p[0] == ' ' || a.p[0] == '\t')) {
        a.p++;
        a.len--;
    }
    while (a.len && (a.p[a.len - 1] == ' ' || a.p[a.len - 1] == '\t'))
        a.len--;
    return a;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

struct bw_str bw_auth__pct_decode(struct bw_str s, bool plus_is_space, struct bw_arena *a)
{
    char *o = bw_arena_alloc(a, s.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        int h, l;
        if (s.p[i] == '%' && i + 2 < s.len && (h = hexval(s.p[i + 1])) >= 0 &&
            (l = hexval(s.p[i + 2])) >= 0) {
            o[n++] = (char)(h * 16 + l);
            i += 2;
        } else {
            o[n++] = (plus_is_space && s.p[i] == '+') ? ' ' : s.p[i];
        }
    }
    o[n] = 0;
    return (struct bw_str){o, n};
}

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

void bw_auth__pct_encode(struct bw_buf *b, struct bw_str s, bool keep_slash)
{
    static const char hx[] = "0123456789ABCDEF";
    size_t run = 0; /* start of the pending run of bytes kept as they are */
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (unreserved(c) || (keep_slash && c == '/'))
            continue;
        if (i > run)
            bw_buf_add(b, s.p + run, i - run);
        char e[3] = {'%', hx[c >> 4], hx[c & 15]};
        bw_buf_add(b, e, 3);
        run = i + 1;
    }
    if (s.len > run)
        bw_buf_add(b, s.p + run, s.len - run);
}

/* Splits "name=value" (value empty when there is no '='). */
static void split_pair(struct bw_str kv, struct bw_str *k, struct bw_str *v)
{
    const char *eq = memchr(kv.p, '=', kv.len);
    if (!eq) {
        *k = kv;
        *v = (struct bw_str){kv.p + kv.len, 0};
        return;
    }
    *k = (struct bw_str){kv.p, (size_t)(eq - kv.p)};
    *v = (struct bw_str){eq + 1, kv.len - k->len - 1};
}

/* The next '&'-separated piece of *q (advancing it); false at the end. */
static bool next_piece(struct bw_str *q, struct bw_str *piece)
{
    if (!q->p || q->len == 0)
        return false;
    const char *amp = memchr(q->p, '&', q->len);
    size_t n = amp ? (size_t)(amp - q->p) : q->len;
    *piece = (struct bw_str){q->p, n};
    q->p += amp ? n + 1 : n;
    q->len -= amp ? n + 1 : n;
    return true;
}

struct bw_str bw_auth__query_param(struct bw_str query, const char *name, struct bw_arena *a)
{
    struct bw_str piece, k, v;
    while (next_piece(&query, &piece)) {
        split_pair(piece, &k, &v);
        if (bw_str_eq(bw_auth__pct_decode(k, true, a), bw_str_c(name)))
            return bw_auth__pct_decode(v, true, a);
    }
    return (struct bw_str){NULL, 0};
}

/* SHA-256 fetched once: the implicit fetch in SHA256()/HMAC() takes a lock and a hash
 * lookup per call, which dominated verification time. */
static EVP_MD *g_sha256;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void)
{
    g_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    if (!g_sha256)
        abort();
}

/* SHA-256 over up to two parts into out (32 bytes). */
static void sha256_2(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32])
{
    pthread_once(&g_once, fetch_sha256);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        bw_oom();
    if (EVP_DigestInit_ex(ctx, g_sha256, NULL) != 1 || EVP_DigestUpdate(ctx, a, alen) != 1 ||
        (blen && EVP_DigestUpdate(ctx, b, blen) != 1) || EVP_DigestFinal_ex(ctx, out, NULL) != 1)
        abort();
    EVP_MD_CTX_free(ctx);
}

void bw_auth__sha256(const void *p, size_t len, uint8_t out[32])
{
    sha256_2(p, len, NULL, 0, out);
}

void bw_auth__sha256_hex(const void *p, size_t len, char out[65])
{
    uint8_t md[32];
    sha256_2(p, len, NULL, 0, md);
    bw_hex_encode(md, sizeof md, out);
}

/* HMAC-SHA256 per RFC 2104 over the prefetched digest. */
void bw_auth__hmac(const void *key, size_t key_len, const void *msg, size_t msg_len,
                   uint8_t out[32])
{
    uint8_t k[64] = {0}, pad[64], inner[32];
    if (key_len > sizeof k)
        sha256_2(key, key_len, NULL, 0, k);
    else if (key_len)
        memcpy(k, key, key_len);
    for (size_t i = 0; i < sizeof k; i++)
        pad[i] = k[i] ^ 0x36;
    sha256_2(pad, sizeof pad, msg, msg_len, inner);
    for (size_t i = 0; i < sizeof k; i++)
        pad[i] = k[i] ^ 0x5c;
    sha256_2(pad, sizeof pad, inner, sizeof inner, out);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
}

struct bw_str bw_sigv4_canonical_uri(struct bw_str raw, struct bw_arena *a)
{
    size_t nseg = 1;
    for (size_t i = 0; i < raw.len; i++)
        nseg += raw.p[i] == '/';
    struct bw_str *seg = BW_ARENA_NEWN(a, struct bw_str, nseg);
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= raw.len; i++) {
        if (i < raw.len && raw.p[i] != '/')
            continue;
        struct bw_str s = {raw.p + start, i - start};
        start = i + 1;
        if (s.len == 0 || bw_str_eqc(s, "."))
            continue;
        if (bw_str_eqc(s, "..")) {
            n -= n > 0;
            continue;
        }
        seg[n++] = s;
    }
    struct bw_buf b;
    bw_buf_init(&b, a, raw.len * 3 + 2);
    for (size_t i = 0; i < n; i++) {
        bw_buf_addc(&b, '/');
        bw_auth__pct_encode(&b, seg[i], false);
    }
    if (n == 0 || raw.p[raw.len - 1] == '/')
        bw_buf_addc(&b, '/');
    return (struct bw_str){bw_buf_cstr(&b), b.len};
}

struct qpair {
    struct bw_str k, v; /* encoded */
};

static int str_cmp(struct bw_str a, struct bw_str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.p, b.p, n) : 0;
    if (c)
        return c;
    return a.len < b.len ? -1 : a.len > b.len;
}

static int qpair_cmp(const void *x, const void *y)
{
    const struct qpair *a = x, *b = y;
    int c = str_cmp(a->k, b->k);
    return c ? c : str_cmp(a->v, b->v);
}

static struct bw_str encode_view(struct bw_str raw, struct bw_arena *a)
{
    struct bw_str d = bw_auth__pct_decode(raw, true, a);
    struct bw_buf b;
    bw_buf_init(&b, a, d.len * 3 + 1);
    bw_auth__pct_encode(&b, d, false);
    return (struct bw_str){bw_buf_cstr(&b), b.len};
}

struct bw_str bw_sigv4_canonical_query(struct bw_str raw, bool presigned, struct bw_arena *a)
{
    size_t cap = 1, n = 0;
    for (size_t i = 0; i < raw.len; i++)
        cap += raw.p[i] == '&';
    struct qpair *p = BW_ARENA_NEWN(a, struct qpair, cap);
    struct bw_str q = raw, piece, k, v;
    while (next_piece(&q, &piece)) {
        if (piece.len == 0)
            continue;
        split_pair(piece, &k, &v);
        p[n].k = encode_view(k, a);
        if (presigned && bw_str_eqc(p[n].k, "X-Amz-Signature"))
            continue;
        p[n++].v = encode_view(v, a);
    }
    qsort(p, n, sizeof *p, qpair_cmp);
    struct bw_buf b;
    bw_buf_init(&b, a, raw.len * 3 + 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            bw_buf_addc(&b, '&');
        bw_buf_add(&b, p[i].k.p, p[i].k.len);
        bw_buf_addc(&b, '=');
        bw_buf_add(&b, p[i].v.p, p[i].v.len);
    }
    return (struct bw_str){bw_buf_cstr(&b), b.len};
}

/* Appends a header value trimmed, with each run of spaces and tabs folded into one. */
static void add_folded(struct bw_buf *b, struct bw_str v)
{
    v = bw_auth__trim(v);
    size_t i = 0;
    while (i < v.len) {
        size_t j = i;
        while (j < v.len && v.p[j] != ' ' && v.p[j] != '\t')
            j++;
        bw_buf_add(b, v.p + i, j - i);
        if (j == v.len)
            break;
        bw_buf_addc(b, ' ');
        while (j < v.len && (v.p[j] == ' ' || v.p[j] == '\t'))
            j++;
        i = j;
    }
}

static bool ieq_views(struct bw_str a, struct bw_str b)
{
    if (a.len != b.len)
        return false;
    for (size_t i = 0; i < a.len; i++)
        if (lower(a.p[i]) != lower(b.p[i]))
            return false;
    return true;
}

static void add_canonical_header(struct bw_buf *b, const struct bw_sigv4_request *req,
                                 struct bw_str name)
{
    for (size_t i = 0; i < name.len; i++)
        bw_buf_addc(b, lower(name.p[i]));
    bw_buf_addc(b, ':');
    bool first = true;
    for (size_t i = 0; i < req->n_headers; i++) {
        if (!ieq_views(req->headers[i].name, name))
            continue;
        if (!first)
            bw_buf_addc(b, ',');
        first = false;
        add_folded(b, req->headers[i].value);
    }
    bw_buf_addc(b, '\n');
}

struct bw_str bw_sigv4_canonical_request(const struct bw_sigv4_request *req,
                                         const struct bw_sigv4_auth *auth,
                                         struct bw_str payload_hash, struct bw_arena *a)
{
    struct bw_str uri = bw_sigv4_canonical_uri(req->path, a);
    struct bw_str query = bw_sigv4_canonical_query(req->query, auth->kind == BW_SIGV4_PRESIGNED, a);
    struct bw_buf b;
    bw_buf_init(&b, a, 512 + uri.len + query.len);
    bw_buf_add(&b, req->method.p, req->method.len);
    bw_buf_addc(&b, '\n');
    bw_buf_add(&b, uri.p, uri.len);
    bw_buf_addc(&b, '\n');
    bw_buf_add(&b, query.p, query.len);
    bw_buf_addc(&b, '\n');
    for (size_t i = 0; i < auth->n_header_names; i++)
        add_canonical_header(&b, req, auth->header_names[i]);
    bw_buf_addc(&b, '\n');
    bw_buf_add(&b, auth->signed_headers.p, auth->signed_headers.len);
    bw_buf_addc(&b, '\n');
    bw_buf_add(&b, payload_hash.p, payload_hash.len);
    return (struct bw_str){bw_buf_cstr(&b), b.len};
}

struct bw_str bw_sigv4_string_to_sign(const char *amz_date, struct bw_str scope, struct bw_str creq,
                                      struct bw_arena *a)
{
    char h[65];
    bw_auth__sha256_hex(creq.p, creq.len, h);
    struct bw_buf b;
    bw_buf_init(&b, a, 128 + scope.len);
    bw_buf_adds(&b, BW_SIGV4_ALGORITHM "\n");
    bw_buf_adds(&b, amz_date);
    bw_buf_addc(&b, '\n');
    bw_buf_add(&b, scope.p, scope.len);
    bw_buf_addc(&b, '\n');
    bw_buf_add(&b, h, 64);
    return (struct bw_str){bw_buf_cstr(&b), b.len};
}

void bw_auth__signature(const uint8_t key[BW_SIGV4_KEY_LEN], const char *amz_date,
                        struct bw_str scope, struct bw_str creq, struct bw_arena *a, char out[65])
{
    struct bw_str sts = bw_sigv4_string_to_sign(amz_date, scope, creq, a);
    uint8_t mac[32];
    bw_auth__hmac(key, BW_SIGV4_KEY_LEN, sts.p, sts.len, mac);
    bw_hex_encode(mac, sizeof mac, out);
}
