/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parses SigV4 authentication from a request, without checking the signature:
 *
 *   Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request,
 *                  SignedHeaders=content-type;host;x-amz-date, Signature=<64 hex>
 *   ?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2F...&
 *    X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&
 *    X-Amz-Signature=<64 hex>[&X-Amz-Security-Token=...]
 *
 * Parameters are separated by commas and/or whitespace, as AWS splits them. The
 * request time is X-Amz-Date (header or query) or else the Date header (RFC 1123).
 * Error messages follow AWS's wording; the Authorization header is echoed only with its
 * Signature (and anything after a non-AWS scheme) redacted.
 */
#include "auth/sigv4.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/internal.h"

static bool is_sep(char c)
{
    return c == ',' || c == ' ' || c == '\t';
}

/* The header with each Signature value (and all after a non-AWS4 scheme) redacted. */
static const char *redact_auth(struct bw_str h, struct bw_arena *a)
{
    struct bw_buf b;
    bw_buf_init(&b, a, h.len + 16);
    size_t i = 0;
    while (i < h.len && !is_sep(h.p[i]))
        i++;
    bw_buf_add(&b, h.p, i);
    if (!bw_str_eqc((struct bw_str){h.p, i}, BW_SIGV4_ALGORITHM)) {
        if (i < h.len)
            bw_buf_adds(&b, " <redacted>");
        return bw_buf_cstr(&b);
    }
    while (i < h.len) {
        size_t j = i;
        while (j < h.len && !is_sep(h.p[j]))
            j++;
        struct bw_str tok = {h.p + i, j - i};
        if (tok.len >= 10 && memcmp(tok.p, "Signature=", 10) == 0)
            bw_buf_adds(&b, "Signature=<redacted>");
        else
            bw_buf_add(&b, tok.p, tok.len);
        while (j < h.len && is_sep(h.p[j]))
            bw_buf_addc(&b, h.p[j++]);
        i = j;
    }
    return bw_buf_cstr(&b);
}

/* Splits "a;b;c" into views; false when a name is empty or there are too many. */
static bool split_names(struct bw_str s, struct bw_arena *a, struct bw_sigv4_auth *out)
{
    size_t n = 1;
    for (size_t i = 0; i < s.len; i++)
        n += s.p[i] == ';';
    if (s.len == 0 || n > BW_SIGV4_MAX_HEADERS)
        return false;
    out->header_names = BW_ARENA_NEWN(a, struct bw_str, n);
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= s.len; i++) {
        if (i < s.len && s.p[i] != ';')
            continue;
        if (i == start)
            return false;
        out->header_names[k++] = (struct bw_str){s.p + start, i - start};
        start = i + 1;
    }
    out->n_header_names = k;
    out->signed_headers = s;
    return true;
}

static bool has_host(const struct bw_sigv4_auth *au)
{
    for (size_t i = 0; i < au->n_header_names; i++)
        if (bw_auth__ieq(au->header_names[i], "host") ||
            bw_auth__ieq(au->header_names[i], ":authority"))
            return true;
    return false;
}

/* "AKID/20150830/us-east-1/iam/aws4_request" into its parts. */
static enum bw_code parse_credential(struct bw_str c, struct bw_sigv4_auth *out, struct bw_err *err)
{
    struct bw_str part[5];
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= c.len; i++) {
        if (i < c.len && c.p[i] != '/')
            continue;
        if (n == 5) {
            n = 6; /* too many parts */
            break;
        }
        part[n++] = (struct bw_str){c.p + start, i - start};
        start = i + 1;
    }
    if (n != 5 || part[0].len == 0)
        return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE,
                       "Credential must have exactly 5 slash-delimited elements, e.g. "
                       "keyid/date/region/service/term, got '%.*s'",
                       (int)(c.len > 200 ? 200 : c.len), c.p);
    if (!bw_str_eqc(part[4], "aws4_request"))
        return bw_fail(err, BW_E_SIGNATURE_DOES_NOT_MATCH,
                       "Credential should be scoped with a valid terminator: 'aws4_request', "
                       "not '%.*s'.",
                       (int)(part[4].len > 64 ? 64 : part[4].len), part[4].p);
    out->access_key_id = part[0];
    out->scope_date = part[1];
    out->region = part[2];
    out->service = part[3];
    out->scope = (struct bw_str){part[1].p, c.len - (size_t)(part[1].p - c.p)};
    return BW_OK;
}

/* Sets the request time from an X-Amz-Date value, or else an HTTP Date value. */
static enum bw_code parse_time(struct bw_str amz, struct bw_str http, struct bw_sigv4_auth *out,
                               struct bw_err *err)
{
    if (amz.p) {
        if (!bw_auth__amz_date_parse(bw_auth__trim(amz), &out->request_time))
            return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE,
                           "X-Amz-Date must be in the ISO8601 Long Format "
                           "\"yyyyMMdd'T'HHmmss'Z'\"");
    } else if (!bw_auth__http_date_parse(bw_auth__trim(http), &out->request_time)) {
        return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE,
                       "Date must be in the RFC 1123 format \"EEE, dd MMM yyyy HH:mm:ss 'GMT'\"");
    }
    bw_auth__amz_date(out->request_time, out->amz_date);
    return BW_OK;
}

/* The credential scope's date must be the request time's date (AWS's wording). */
static enum bw_code check_scope_date(const struct bw_sigv4_auth *out, struct bw_err *err)
{
    if (out->scope_date.len == 8 && memcmp(out->scope_date.p, out->amz_date, 8) == 0)
        return BW_OK;
    return bw_fail(err, BW_E_SIGNATURE_DOES_NOT_MATCH,
                   "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                   "date from HTTP: '%.*s' != '%.8s', from '%s'.",
                   (int)(out->scope_date.len > 32 ? 32 : out->scope_date.len), out->scope_date.p,
                   out->amz_date, out->amz_date);
}

struct hdr_params {
    struct bw_str cred, signed_headers, sig;
    bool has_cred, has_sh, has_sig;
};

/* Splits the parameters after the scheme; fails on a token without '='. */
static enum bw_code scan_params(struct bw_str h, size_t i, struct hdr_params *p, struct bw_arena *a,
                                struct bw_err *err)
{
    while (i < h.len) {
        while (i < h.len && is_sep(h.p[i]))
            i++;
        size_t j = i;
        while (j < h.len && !is_sep(h.p[j]))
            j++;
        if (j == i)
            break;
        struct bw_str tok = {h.p + i, j - i};
        const char *eq = memchr(tok.p, '=', tok.len);
        if (!eq)
            return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE,
                           "'%.*s' not a valid key=value pair (missing equal-sign) in "
                           "Authorization header: '%.300s'.",
                           (int)(tok.len > 100 ? 100 : tok.len), tok.p, redact_auth(h, a));
        struct bw_str k = {tok.p, (size_t)(eq - tok.p)}, v = {eq + 1, tok.len - k.len - 1};
        if (bw_str_eqc(k, "Credential") && !p->has_cred)
            p->cred = v, p->has_cred = true;
        else if (bw_str_eqc(k, "SignedHeaders") && !p->has_sh)
            p->signed_headers = v, p->has_sh = true;
        else if (bw_str_eqc(k, "Signature") && !p->has_sig)
            p->sig = v, p->has_sig = true;
        i = j;
    }
    return BW_OK;
}

static enum bw_code fail_incomplete(struct bw_str h, const struct hdr_params *p, bool has_date,
                                    struct bw_arena *a, struct bw_err *err)
{
    return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE, "%s%s%s%sAuthorization=%.200s",
                   p->has_cred ? "" : "Authorization header requires 'Credential' parameter. ",
                   p->has_sig ? "" : "Authorization header requires 'Signature' parameter. ",
                   p->has_sh ? "" : "Authorization header requires 'SignedHeaders' parameter. ",
                   has_date ? ""
                            : "Authorization header requires existence of either a "
                              "'X-Amz-Date' or a 'Date' header. ",
                   redact_auth(h, a));
}

static enum bw_code parse_header_auth(const struct bw_sigv4_request *req, struct bw_str h,
                                      struct bw_arena *a, struct bw_sigv4_auth *out,
                                      struct bw_err *err)
{
    h = bw_auth__trim(h);
    size_t i = 0;
    while (i < h.len && !is_sep(h.p[i]))
        i++;
    struct bw_str scheme = {h.p, i};
    const struct bw_sigv4_header *xd = bw_auth__header(req, "x-amz-date");
    const struct bw_sigv4_header *dh = bw_auth__header(req, "date");
    struct hdr_params p = {0};
    bool aws4 = scheme.len > 5 && memcmp(scheme.p, "AWS4-", 5) == 0;
    if (aws4 && !bw_str_eqc(scheme, BW_SIGV4_ALGORITHM))
        return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE, "Unsupported AWS 'algorithm': '%.*s'",
                       (int)(scheme.len > 64 ? 64 : scheme.len), scheme.p);
    if (aws4 && scan_params(h, i, &p, a, err) != BW_OK)
        return err->code;
    if (!aws4 || !p.has_cred || !p.has_sh || !p.has_sig || (!xd && !dh))
        return fail_incomplete(h, &p, xd || dh, a, err);
    out->kind = BW_SIGV4_HEADER;
    out->signature = p.sig;
    if (parse_credential(p.cred, out, err) != BW_OK)
        return err->code;
    if (!split_names(p.signed_headers, a, out))
        return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE,
                       "Authorization header has an invalid 'SignedHeaders' parameter.");
    struct bw_str none = {NULL, 0};
    if (parse_time(xd ? xd->value : none, dh ? dh->value : none, out, err) != BW_OK)
        return err->code;
    const struct bw_sigv4_header *tok = bw_auth__header(req, "x-amz-security-token");
    if (tok)
        out->security_token = bw_auth__trim(tok->value);
    return BW_OK;
}

static enum bw_code parse_expires(struct bw_str v, struct bw_sigv4_auth *out, struct bw_err *err)
{
    int64_t n = 0;
    if (!v.p) {
        out->expires = BW_SIGV4_MAX_SKEW_S;
        return BW_OK;
    }
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9' || n > BW_SIGV4_MAX_EXPIRES)
            return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE,
                           "X-Amz-Expires should be a number between 1 and %d",
                           BW_SIGV4_MAX_EXPIRES);
        n = n * 10 + (v.p[i] - '0');
    }
    if (n > BW_SIGV4_MAX_EXPIRES)
        return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE,
                       "X-Amz-Expires must be less than a week (in seconds) that is; %d",
                       BW_SIGV4_MAX_EXPIRES);
    if (v.len == 0 || n < 1)
        return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE,
                       "X-Amz-Expires must be non-negative and at least 1");
    out->expires = n;
    return BW_OK;
}

static const char *const presign_required[] = {
    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"};

static enum bw_code parse_presigned(const struct bw_sigv4_request *req, struct bw_arena *a,
                                    struct bw_sigv4_auth *out, struct bw_err *err)
{
    struct bw_str v[5];
    for (size_t i = 0; i < 5; i++) {
        v[i] = bw_auth__query_param(req->query, presign_required[i], a);
        if (!v[i].p)
            return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE,
                           "AWS query-string parameters must include '%s'. Re-examine the "
                           "query-string parameters.",
                           presign_required[i]);
    }
    if (!bw_str_eqc(v[0], BW_SIGV4_ALGORITHM))
        return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE,
                       "X-Amz-Algorithm only supports \"" BW_SIGV4_ALGORITHM "\"");
    out->kind = BW_SIGV4_PRESIGNED;
    out->signature = v[2];
    if (parse_credential(v[1], out, err) != BW_OK)
        return err->code;
    if (!split_names(v[3], a, out))
        return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE,
                       "X-Amz-SignedHeaders is an invalid list of header names.");
    if (parse_time(v[4], (struct bw_str){NULL, 0}, out, err) != BW_OK)
        return err->code;
    struct bw_str tok = bw_auth__query_param(req->query, "X-Amz-Security-Token", a);
    if (tok.p)
        out->security_token = tok;
    return parse_expires(bw_auth__query_param(req->query, "X-Amz-Expires", a), out, err);
}

enum bw_code bw_sigv4_parse(const struct bw_sigv4_request *req, struct bw_arena *a,
                            struct bw_sigv4_auth *out, struct bw_err *err)
{
    memset(out, 0, sizeof *out);
    const struct bw_sigv4_header *h = bw_auth__header(req, "authorization");
    bool pre = bw_auth__query_param(req->query, "X-Amz-Algorithm", a).p ||
               bw_auth__query_param(req->query, "X-Amz-Credential", a).p ||
               bw_auth__query_param(req->query, "X-Amz-Signature", a).p;
    enum bw_code rc;
    if (h && pre)
        return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE,
                       "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                       "parameter or the Authorization header should be specified");
    if (h)
        rc = parse_header_auth(req, h->value, a, out, err);
    else if (pre)
        rc = parse_presigned(req, a, out, err);
    else
        return bw_fail(err, BW_E_MISSING_AUTH_TOKEN, "Request is missing Authentication Token");
    if (rc != BW_OK)
        return rc;
    if (!has_host(out))
        return bw_fail(err, BW_E_INCOMPLETE_SIGNATURE,
                       "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                       "Authorization.");
    return check_scope_date(out, err);
}

enum bw_code bw_sigv4_check_scope(const struct bw_sigv4_auth *auth, const char *service,
                                  const char *region, struct bw_err *err)
{
    if (auth->region.len == 0 || (region && !bw_str_eqc(auth->region, region)))
        return bw_fail(err, BW_E_SIGNATURE_DOES_NOT_MATCH,
                       "Credential should be scoped to a valid region, not '%.*s'. ",
                       (int)(auth->region.len > 64 ? 64 : auth->region.len), auth->region.p);
    if (service && !bw_str_eqc(auth->service, service))
        return bw_fail(err, BW_E_SIGNATURE_DOES_NOT_MATCH,
                       "Credential should be scoped to correct service: '%s'. ", service);
    return BW_OK;
}
