/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SigV4 verification (server side) and signing (client side).
 *
 * Verification order, as AWS reports failures: the clock (header auth: 15 minutes
 * either way, "Signature expired" / "Signature not yet current" as SignatureDoesNotMatch,
 * which is what IAM and STS return; presigned: RequestExpired after X-Amz-Expires), the
 * payload hash (x-amz-content-sha256, when sent, must match the body unless it is
 * UNSIGNED-PAYLOAD), then the signature, compared with CRYPTO_memcmp. A presigned
 * request without x-amz-content-sha256 is accepted when signed over the body's hash or
 * over UNSIGNED-PAYLOAD (AWS General Reference, "Authenticating requests: using query
 * parameters"; S3-style presigners use UNSIGNED-PAYLOAD, botocore's STS presigner the
 * empty-body hash).
 */
#include "auth/sigv4.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "auth/internal.h"
#include "common/util.h"

static enum bw_code check_clock(const struct bw_sigv4_auth *au, int64_t now, struct bw_err *err)
{
    char req[17], lim[17], nw[17];
    bw_auth__amz_date(now, nw);
    memcpy(req, au->amz_date, sizeof req);
    if (au->request_time > now + BW_SIGV4_MAX_SKEW_S) {
        bw_auth__amz_date(now + BW_SIGV4_MAX_SKEW_S, lim);
        return bw_fail(err, BW_E_SIGNATURE_DOES_NOT_MATCH,
                       "Signature not yet current: %s is still later than %s (%s + 15 min.)", req,
                       lim, nw);
    }
    if (au->kind == BW_SIGV4_PRESIGNED) {
        if (now > au->request_time + au->expires)
            return bw_fail(err, BW_E_REQUEST_EXPIRED, "Request has expired.");
        return BW_OK;
    }
    if (au->request_time < now - BW_SIGV4_MAX_SKEW_S) {
        bw_auth__amz_date(now - BW_SIGV4_MAX_SKEW_S, lim);
        return bw_fail(err, BW_E_SIGNATURE_DOES_NOT_MATCH,
                       "Signature expired: %s is now earlier than %s (%s - 15 min.)", req, lim, nw);
    }
    return BW_OK;
}

/* The declared payload hash: x-amz-content-sha256 header (or query when presigned). */
static struct bw_str declared_hash(const struct bw_sigv4_request *req,
                                   const struct bw_sigv4_auth *au, struct bw_arena *a)
{
    const struct bw_sigv4_header *h = bw_auth__header(req, "x-amz-content-sha256");
    if (h)
        return bw_auth__trim(h->value);
    if (au->kind == BW_SIGV4_PRESIGNED)
        return bw_auth__query_param(req->query, "X-Amz-Content-Sha256", a);
    return (struct bw_str){NULL, 0};
}

static bool signature_ok(const struct bw_sigv4_request *req, const struct bw_sigv4_auth *au,
                         const uint8_t key[BW_SIGV4_KEY_LEN], struct bw_str hash,
                         struct bw_arena *a)
{
    char sig[65];
    struct bw_str creq = bw_sigv4_canonical_request(req, au, hash, a);
    bw_auth__signature(key, au->amz_date, au->scope, creq, a, sig);
    return au->signature.len == 64 && CRYPTO_memcmp(sig, au->signature.p, 64) == 0;
}

enum bw_code bw_sigv4_verify(const struct bw_sigv4_request *req, const struct bw_sigv4_auth *au,
                             struct bw_str secret, int64_t now, struct bw_sigv4_cache *cache,
                             struct bw_arena *a, struct bw_err *err)
{
    if (check_clock(au, now, err) != BW_OK)
        return err->code;
    char body[65];
    if (req->payload_sha256_hex && strlen(req->payload_sha256_hex) == 64)
        memcpy(body, req->payload_sha256_hex, sizeof body);
    else
        bw_auth__sha256_hex(req->payload.p, req->payload.len, body);
    struct bw_str decl = declared_hash(req, au, a);
    bool unsigned_ok = decl.p && bw_str_eqc(decl, BW_SIGV4_UNSIGNED);
    if (decl.p && !unsigned_ok && !bw_str_eqc(decl, body))
        return bw_fail(err, BW_E_SIGNATURE_DOES_NOT_MATCH,
                       "The provided 'x-amz-content-sha256' header does not match what was "
                       "computed.");
    uint8_t key[BW_SIGV4_KEY_LEN];
    bw_sigv4_signing_key(cache, au->access_key_id, secret, au->scope_date, au->region, au->service,
                         key);
    struct bw_str hash = unsigned_ok ? BW_STR(BW_SIGV4_UNSIGNED) : (struct bw_str){body, 64};
    bool ok = signature_ok(req, au, key, hash, a);
    if (!ok && !decl.p && au->kind == BW_SIGV4_PRESIGNED)
        ok = signature_ok(req, au, key, BW_STR(BW_SIGV4_UNSIGNED), a);
    OPENSSL_cleanse(key, sizeof key);
    if (!ok)
        return bw_fail(err, BW_E_SIGNATURE_DOES_NOT_MATCH, "%s", BW_SIGV4_MSG_MISMATCH);
    return BW_OK;
}

static int name_cmp(const void *x, const void *y)
{
    const struct bw_str *a = x, *b = y;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->p, b->p, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Lower-cased, sorted, de-duplicated names of req's headers, into au. */
static void signed_names(const struct bw_sigv4_request *req, struct bw_arena *a,
                         struct bw_sigv4_auth *au)
{
    struct bw_str *n = BW_ARENA_NEWN(a, struct bw_str, req->n_headers + 1);
    for (size_t i = 0; i < req->n_headers; i++) {
        char *l = bw_arena_strndup(a, req->headers[i].name.p, req->headers[i].name.len);
        for (char *p = l; *p; p++)
            *p = (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
        n[i] = (struct bw_str){l, req->headers[i].name.len};
    }
    qsort(n, req->n_headers, sizeof *n, name_cmp);
    size_t k = 0;
    for (size_t i = 0; i < req->n_headers; i++)
        if (k == 0 || !bw_str_eq(n[k - 1], n[i]))
            n[k++] = n[i];
    struct bw_buf b;
    bw_buf_init(&b, a, 128);
    for (size_t i = 0; i < k; i++) {
        if (i)
            bw_buf_addc(&b, ';');
        bw_buf_add(&b, n[i].p, n[i].len);
    }
    au->header_names = n;
    au->n_header_names = k;
    au->signed_headers = (struct bw_str){bw_buf_cstr(&b), b.len};
}

/* Fills the scope, date and key of a client-side signature. */
static void client_scope(const struct bw_sigv4_creds *cr, const char *region, const char *service,
                         int64_t now, struct bw_arena *a, struct bw_sigv4_auth *au,
                         uint8_t key[BW_SIGV4_KEY_LEN], struct bw_sigv4_cache *cache)
{
    bw_auth__amz_date(now, au->amz_date);
    au->request_time = now;
    au->scope_date = (struct bw_str){bw_arena_strndup(a, au->amz_date, 8), 8};
    au->region = bw_str_c(region);
    au->service = bw_str_c(service);
    au->access_key_id = bw_str_c(cr->access_key_id);
    struct bw_buf b;
    bw_buf_init(&b, a, 64);
    bw_buf_add(&b, au->amz_date, 8);
    bw_buf_addc(&b, '/');
    bw_buf_adds(&b, region);
    bw_buf_addc(&b, '/');
    bw_buf_adds(&b, service);
    bw_buf_adds(&b, "/aws4_request");
    au->scope = (struct bw_str){bw_buf_cstr(&b), b.len};
    bw_sigv4_signing_key(cache, au->access_key_id, bw_str_c(cr->secret_access_key), au->scope_date,
                         au->region, au->service, key);
}

static const char *authorization(const struct bw_sigv4_creds *cr, const struct bw_sigv4_auth *au,
                                 const char *sig, struct bw_arena *a)
{
    struct bw_buf b;
    bw_buf_init(&b, a, 256);
    bw_buf_adds(&b, BW_SIGV4_ALGORITHM " Credential=");
    bw_buf_adds(&b, cr->access_key_id);
    bw_buf_addc(&b, '/');
    bw_buf_add(&b, au->scope.p, au->scope.len);
    bw_buf_adds(&b, ", SignedHeaders=");
    bw_buf_add(&b, au->signed_headers.p, au->signed_headers.len);
    bw_buf_adds(&b, ", Signature=");
    bw_buf_adds(&b, sig);
    return bw_buf_cstr(&b);
}

enum bw_code bw_sigv4_sign(const struct bw_sigv4_request *req, const struct bw_sigv4_creds *cr,
                           const char *region, const char *service, int64_t now,
                           struct bw_sigv4_cache *cache, struct bw_arena *a,
                           struct bw_sigv4_signed *out, struct bw_err *err)
{
    if (!bw_auth__header(req, "host"))
        return bw_fail(err, BW_E_INTERNAL, "a signed request needs a Host header");
    struct bw_sigv4_auth au = {.kind = BW_SIGV4_HEADER};
    uint8_t key[BW_SIGV4_KEY_LEN];
    client_scope(cr, region, service, now, a, &au, key, cache);
    bool tok = cr->session_token && cr->session_token[0];
    struct bw_sigv4_header *h = BW_ARENA_NEWN(a, struct bw_sigv4_header, req->n_headers + 2);
    memcpy(h, req->headers, req->n_headers * sizeof *h);
    struct bw_sigv4_request r = *req;
    r.headers = h;
    h[r.n_headers++] = (struct bw_sigv4_header){BW_STR("x-amz-date"), bw_str_c(au.amz_date)};
    if (tok)
        h[r.n_headers++] =
            (struct bw_sigv4_header){BW_STR("x-amz-security-token"), bw_str_c(cr->session_token)};
    signed_names(&r, a, &au);
    memcpy(out->amz_date, au.amz_date, sizeof out->amz_date);
    if (req->payload_sha256_hex && strlen(req->payload_sha256_hex) == 64)
        memcpy(out->payload_hash, req->payload_sha256_hex, 65);
    else
        bw_auth__sha256_hex(req->payload.p, req->payload.len, out->payload_hash);
    const struct bw_sigv4_header *ch = bw_auth__header(req, "x-amz-content-sha256");
    struct bw_str hash = ch ? bw_auth__trim(ch->value) : (struct bw_str){out->payload_hash, 64};
    char sig[65];
    bw_auth__signature(key, au.amz_date, au.scope, bw_sigv4_canonical_request(&r, &au, hash, a), a,
                       sig);
    OPENSSL_cleanse(key, sizeof key);
    out->authorization = authorization(cr, &au, sig, a);
    out->security_token = tok ? cr->session_token : NULL;
    return BW_OK;
}

/* The presigned query without X-Amz-Signature. */
static struct bw_str presign_query(const struct bw_sigv4_request *req,
                                   const struct bw_sigv4_creds *cr, const struct bw_sigv4_auth *au,
                                   int64_t expires, struct bw_arena *a)
{
    struct bw_buf b;
    bw_buf_init(&b, a, req->query.len + 512);
    bw_buf_add(&b, req->query.p, req->query.len);
    if (req->query.len)
        bw_buf_addc(&b, '&');
    bw_buf_adds(&b, "X-Amz-Algorithm=" BW_SIGV4_ALGORITHM "&X-Amz-Credential=");
    bw_auth__pct_encode(&b, au->access_key_id, false);
    bw_buf_adds(&b, "%2F");
    bw_auth__pct_encode(&b, au->scope, false);
    bw_buf_printf(&b, "&X-Amz-Date=%s&X-Amz-Expires=%lld&X-Amz-SignedHeaders=host", au->amz_date,
                  (long long)expires);
    if (cr->session_token && cr->session_token[0]) {
        bw_buf_adds(&b, "&X-Amz-Security-Token=");
        bw_auth__pct_encode(&b, bw_str_c(cr->session_token), false);
    }
    return (struct bw_str){bw_buf_cstr(&b), b.len};
}

enum bw_code bw_sigv4_presign(const struct bw_sigv4_request *req, const struct bw_sigv4_creds *cr,
                              const char *region, const char *service, int64_t now, int64_t expires,
                              struct bw_arena *a, struct bw_str *out, struct bw_err *err)
{
    if (!bw_auth__header(req, "host"))
        return bw_fail(err, BW_E_INTERNAL, "a presigned request needs a Host header");
    struct bw_sigv4_auth au = {.kind = BW_SIGV4_PRESIGNED};
    uint8_t key[BW_SIGV4_KEY_LEN];
    client_scope(cr, region, service, now, a, &au, key, NULL);
    struct bw_str host = BW_STR("host");
    au.header_names = &host;
    au.n_header_names = 1;
    au.signed_headers = host;
    struct bw_sigv4_request r = *req;
    r.query = presign_query(req, cr, &au, expires, a);
    char ph[65], sig[65];
    bw_auth__sha256_hex(req->payload.p, req->payload.len, ph);
    bw_auth__signature(key, au.amz_date, au.scope,
                       bw_sigv4_canonical_request(&r, &au, (struct bw_str){ph, 64}, a), a, sig);
    OPENSSL_cleanse(key, sizeof key);
    *out =
        bw_str_c(bw_arena_printf(a, "%.*s&X-Amz-Signature=%s", (int)r.query.len, r.query.p, sig));
    return BW_OK;
}
