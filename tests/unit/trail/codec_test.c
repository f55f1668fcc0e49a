/* SPDX-License-Identifier: Apache-2.0 */
/* The pure parts of src/trail: gzip, SHA-256, the digest string to sign, and the
 * digest and log parsers on good and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trail/trail.h"

static void gzip_is_deterministic_and_round_trips(void **state)
{
    (void)state;
    const char *text = "{\"Records\":[{\"eventID\":\"e\",\"eventTime\":\"t\"}]}";
    unsigned char *a, *b, *back;
    size_t alen, blen, backlen;
    struct bw_err err;
    assert_int_equal(bw_trail_gzip(text, strlen(text), &a, &alen, &err), BW_OK);
    assert_int_equal(bw_trail_gzip(text, strlen(text), &b, &blen, &err), BW_OK);
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen); /* a rewrite after a crash gives the same bytes */
    assert_int_equal(a[0], 0x1f);
    assert_int_equal(a[1], 0x8b);
    assert_int_equal(a[4] | a[5] | a[6] | a[7], 0); /* mtime 0 */
    assert_int_equal(bw_trail_gunzip(a, alen, 1 << 20, &back, &backlen, &err), BW_OK);
    assert_int_equal(backlen, strlen(text));
    assert_memory_equal(back, text, backlen);
    free(back);
    /* a limit below the content fails rather than truncating */
    assert_int_not_equal(bw_trail_gunzip(a, alen, 8, &back, &backlen, &err), BW_OK);
    /* a cut stream and trailing garbage fail */
    assert_int_not_equal(bw_trail_gunzip(a, alen - 3, 1 << 20, &back, &backlen, &err), BW_OK);
    free(a);
    free(b);
    assert_int_not_equal(bw_trail_gunzip("hello", 5, 1 << 20, &back, &backlen, &err), BW_OK);
}

static void sha256_matches_known_vector(void **state)
{
    (void)state;
    char hex[65];
    bw_trail_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void string_to_sign_is_cloudtrails(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    assert_string_equal(
        bw_trail_string_to_sign(a, "2016-11-28T12:00:00Z", "b", "AWSLogs/x", "00ff", NULL),
        "2016-11-28T12:00:00Z\nb/AWSLogs/x\n00ff\nnull");
    assert_string_equal(bw_trail_string_to_sign(a, "T", "b", "k", "h", "abcd"), "T\nb/k\nh\nabcd");
    bw_arena_free(a);
}

static const char digest_ok[] =
    "{\"awsAccountId\":\"111122223333\",\"digestStartTime\":\"2016-11-28T11:00:00Z\","
    "\"digestEndTime\":\"2016-11-28T12:00:00Z\",\"digestS3Bucket\":\"b\",\"digestS3Object\":"
    "\"AWSLogs/d.json.gz\",\"digestPublicKeyFingerprint\":\"ff\",\"digestSignatureAlgorithm\":"
    "\"SHA256withRSA\",\"previousDigestS3Bucket\":null,\"previousDigestS3Object\":null,"
    "\"previousDigestHashValue\":null,\"previousDigestSignature\":null,\"logFiles\":[{"
    "\"s3Bucket\":\"b\",\"s3Object\":\"AWSLogs/l.json.gz\",\"hashValue\":\"aa\"}]}";

static void digest_parses(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    struct bw_trail_digest d;
    struct bw_err err;
    assert_int_equal(bw_trail_digest_parse(digest_ok, strlen(digest_ok), a, &d, &err), BW_OK);
    assert_string_equal(d.account, "111122223333");
    assert_string_equal(d.end, "2016-11-28T12:00:00Z");
    assert_null(d.prev_signature);
    assert_int_equal(d.n_logs, 1);
    assert_string_equal(d.logs[0].object, "AWSLogs/l.json.gz");
    assert_string_equal(d.logs[0].hash, "aa");
    bw_arena_free(a);
}

static void digest_rejects_bad_shapes(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "[]",
        "{}",
        "null",
        "{\"awsAccountId\":1}",
        "{\"awsAccountId\":\"1\",\"digestStartTime\":\"s\",\"digestEndTime\":\"e\","
        "\"digestS3Bucket\":\"b\",\"digestS3Object\":\"o\",\"digestPublicKeyFingerprint\":\"f\","
        "\"digestSignatureAlgorithm\":\"a\",\"logFiles\":[{\"s3Object\":\"x\"}]}",
        "{\"awsAccountId\":\"1\",\"digestStartTime\":\"s\",\"digestEndTime\":\"e\","
        "\"digestS3Bucket\":\"b\",\"digestS3Object\":\"o\",\"digestPublicKeyFingerprint\":\"f\","
        "\"digestSignatureAlgorithm\":\"a\",\"logFiles\":{}}",
        "{\"awsAccountId\":\"1\",\"awsAccountId\":\"2\"}",
    };
    struct bw_arena *a = bw_arena_new(0);
    struct bw_trail_digest d;
    struct bw_err err;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(bw_trail_digest_parse(bad[i], strlen(bad[i]), a, &d, &err),
                         BW_E_VALIDATION);
    bw_arena_free(a);
}

static void log_parses_and_rejects(void **state)
{
    (void)state;
    size_t n;
    struct bw_err err;
    const char *ok = "{\"Records\":[{\"eventID\":\"a\",\"eventTime\":\"t\"},"
                     "{\"eventID\":\"b\",\"eventTime\":\"t\"}]}";
    assert_int_equal(bw_trail_log_parse(ok, strlen(ok), &n, &err), BW_OK);
    assert_int_equal(n, 2);
    const char *bad[] = {"{\"Records\":{}}", "{\"Records\":[1]}", "{\"Records\":[{}]}", "x"};
    for (size_t i = 0; i < 4; i++)
        assert_int_not_equal(bw_trail_log_parse(bad[i], strlen(bad[i]), &n, &err), BW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gzip_is_deterministic_and_round_trips),
        cmocka_unit_test(sha256_matches_known_vector),
        cmocka_unit_test(string_to_sign_is_cloudtrails),
        cmocka_unit_test(digest_parses),
        cmocka_unit_test(digest_rejects_bad_shapes),
        cmocka_unit_test(log_parses_and_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
