/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pure parts of the trail's files: deterministic gzip (RFC 1952 with no
 * file name and mtime 0, so rewriting a file after a crash yields the same
 * bytes), bounded gunzip, SHA-256, CloudTrail's digest string to sign, and the
 * parsers of digest and log files used by validation. The parsers take hostile
 * bytes (a tampered file) and must never crash: they are fuzzed
 * (tests/fuzz/trail_digest_fuzz.c).
 *
 * Digest file (CloudTrail "CloudTrail Digest File Structure"), uncompressed:
 *   {"awsAccountId":"…","digestStartTime":"…Z","digestEndTime":"…Z",
 *    "digestS3Bucket":"…","digestS3Object":"AWSLogs/…","digestPublicKeyFingerprint":"hex",
 *    "digestSignatureAlgorithm":"SHA256withRSA","previousDigestS3Bucket":…|null,
 *    "previousDigestS3Object":…|null,"previousDigestHashValue":…|null,
 *    "previousDigestHashAlgorithm":"SHA-256"|null,"previousDigestSignature":…|null,
 *    "logFiles":[{"s3Bucket":…,"s3Object":…,"hashValue":"hex","hashAlgorithm":"SHA-256",
 *                 "oldestEventTime":…,"newestEventTime":…},…]}
 */
#include "trail/trail.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/util.h"

enum bw_code bw_trail_gzip(const void *p, size_t len, unsigned char **out, size_t *out_len,
                           struct bw_err *err)
{
    z_stream z = {0};
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return bw_fail(err, BW_E_INTERNAL, "deflateInit failed");
    gz_header h = {0}; /* no name, mtime 0, OS unknown: deterministic bytes */
    h.os = 255;
    deflateSetHeader(&z, &h);
    size_t cap = deflateBound(&z, (uLong)len) + 32;
    unsigned char *buf = malloc(cap);
    if (!buf)
        bw_oom();
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(buf);
        return bw_fail(err, BW_E_INTERNAL, "deflate failed");
    }
    *out = buf;
    *out_len = cap - z.avail_out;
    return BW_OK;
}

enum bw_code bw_trail_gunzip(const void *p, size_t len, size_t limit, unsigned char **out,
                             size_t *out_len, struct bw_err *err)
{
    z_stream z = {0};
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return bw_fail(err, BW_E_INTERNAL, "inflateInit failed");
    size_t cap = len * 4 + 1024, n = 0;
    if (cap > limit)
        cap = limit;
    unsigned char *buf = malloc(cap + 1);
    if (!buf)
        bw_oom();
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)len;
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (n == cap) {
            if (cap >= limit)
                break;
            cap = cap * 2 > limit ? limit : cap * 2;
            if (!(buf = realloc(buf, cap + 1)))
                bw_oom();
        }
        z.next_out = buf + n;
        z.avail_out = (uInt)(cap - n);
        rc = inflate(&z, Z_NO_FLUSH);
        n = cap - z.avail_out;
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END || z.avail_in != 0) {
        free(buf);
        return bw_fail(err, BW_E_VALIDATION, "not a complete gzip stream");
    }
    buf[n] = 0;
    *out = buf;
    *out_len = n;
    return BW_OK;
}

void bw_trail_sha256_hex(const void *p, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned int md_len = 0;
    EVP_Digest(p, len, md, &md_len, EVP_sha256(), NULL);
    bw_hex_encode(md, sizeof md, out);
}

char *bw_trail_string_to_sign(struct bw_arena *a, const char *end_time, const char *bucket,
                              const char *object, const char *hash_hex, const char *prev_sig)
{
    /* CloudTrail: digestEndTime \n bucket/object \n hex(SHA-256(file)) \n previous
     * signature ("null" at the start of a chain). */
    return bw_arena_printf(a, "%s\n%s/%s\n%s\n%s", end_time, bucket, object, hash_hex,
                           prev_sig ? prev_sig : "null");
}

/* A string member (NULL when absent or JSON null); false when present with another type. */
static bool opt_str(struct bw_arena *a, json_t *o, const char *k, const char **out)
{
    json_t *v = json_object_get(o, k);
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v))
        return false;
    *out = bw_arena_strndup(a, json_string_value(v), json_string_length(v));
    return true;
}

static bool parse_logs(struct bw_arena *a, json_t *arr, struct bw_trail_digest *d)
{
    if (!json_is_array(arr) || json_array_size(arr) > 1000000)
        return false;
    d->n_logs = json_array_size(arr);
    d->logs = BW_ARENA_NEWN(a, struct bw_trail_digest_log, d->n_logs + 1);
    for (size_t i = 0; i < d->n_logs; i++) {
        json_t *f = json_array_get(arr, i);
        if (!json_is_object(f) || !opt_str(a, f, "s3Object", &d->logs[i].object) ||
            !opt_str(a, f, "hashValue", &d->logs[i].hash) || !d->logs[i].object || !d->logs[i].hash)
            return false;
    }
    return true;
}

static bool parse_fields(struct bw_arena *a, json_t *o, struct bw_trail_digest *d)
{
    return opt_str(a, o, "awsAccountId", &d->account) &&
           opt_str(a, o, "digestStartTime", &d->start) && opt_str(a, o, "digestEndTime", &d->end) &&
           opt_str(a, o, "digestS3Bucket", &d->bucket) &&
           opt_str(a, o, "digestS3Object", &d->object) &&
           opt_str(a, o, "digestPublicKeyFingerprint", &d->fingerprint) &&
           opt_str(a, o, "digestSignatureAlgorithm", &d->algorithm) &&
           opt_str(a, o, "previousDigestS3Bucket", &d->prev_bucket) &&
           opt_str(a, o, "previousDigestS3Object", &d->prev_object) &&
           opt_str(a, o, "previousDigestHashValue", &d->prev_hash) &&
           opt_str(a, o, "previousDigestSignature", &d->prev_signature) && d->account && d->start &&
           d->end && d->bucket && d->object && d->fingerprint && d->algorithm;
}

enum bw_code bw_trail_digest_parse(const char *text, size_t len, struct bw_arena *a,
                                   struct bw_trail_digest *out, struct bw_err *err)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    bool ok = json_is_object(o) && parse_fields(a, o, out) &&
              parse_logs(a, json_object_get(o, "logFiles"), out);
    json_decref(o);
    if (!ok)
        return bw_fail(err, BW_E_VALIDATION, "not a CloudTrail digest file");
    return BW_OK;
}

enum bw_code bw_trail_log_parse(const char *text, size_t len, size_t *n_records, struct bw_err *err)
{
    json_error_t je;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    json_t *r = json_object_get(o, "Records");
    bool ok = json_is_object(o) && json_is_array(r);
    for (size_t i = 0; ok && i < json_array_size(r); i++) {
        json_t *e = json_array_get(r, i);
        ok = json_is_object(e) && json_is_string(json_object_get(e, "eventID")) &&
             json_is_string(json_object_get(e, "eventTime"));
    }
    *n_records = ok ? json_array_size(r) : 0;
    json_decref(o);
    if (!ok)
        return bw_fail(err, BW_E_VALIDATION, "not a CloudTrail log file");
    return BW_OK;
}
