/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SigV4 against published vectors: the IAM ListUsers example and the derived signing
 * key from the AWS General Reference ("Signature Version 4 signing process" examples),
 * and cases of the aws-sig-v4 test suite (credentials AKIDEXAMPLE /
 * wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830T123600Z, us-east-1, service
 * "service"). Each vector is verified as a server would (parse + verify), re-signed as
 * a client would (sign), and shown to fail once one byte changes.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/internal.h"
#include "auth/sigv4.h"
#include "common/util.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define T0     1440938160 /* 20150830T123600Z */

struct vec {
    const char *name, *method, *path, *query, *body, *service, *token;
    const char *headers[8][2]; /* without Authorization */
    const char *signed_headers, *signature;
};

static const struct vec vectors[] = {
    {"iam-list-users",
     "GET",
     "/",
     "Action=ListUsers&Version=2010-05-08",
     "",
     "iam",
     NULL,
     {{"Host", "iam.amazonaws.com"},
      {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
      {"X-Amz-Date", "20150830T123600Z"}},
     "content-type;host;x-amz-date",
     "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"},
    {"get-vanilla",
     "GET",
     "/",
     "",
     "",
     "service",
     NULL,
     {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
     "host;x-amz-date",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"post-vanilla",
     "POST",
     "/",
     "",
     "",
     "service",
     NULL,
     {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
     "host;x-amz-date",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
    {"get-vanilla-query-order-key-case",
     "GET",
     "/",
     "Param2=value2&Param1=value1",
     "",
     "service",
     NULL,
     {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
     "host;x-amz-date",
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
    {"get-header-value-trim",
     "GET",
     "/",
     "",
     "",
     "service",
     NULL,
     {{"Host", "example.amazonaws.com"},
      {"My-Header1", " value1"},
      {"My-Header2", " \"a   b   c\""},
      {"X-Amz-Date", "20150830T123600Z"}},
     "host;my-header1;my-header2;x-amz-date",
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
    {"get-header-key-duplicate",
     "GET",
     "/",
     "",
     "",
     "service",
     NULL,
     {{"Host", "example.amazonaws.com"},
      {"My-Header1", "value2"},
      {"My-Header1", "value2"},
      {"My-Header1", "value1"},
      {"X-Amz-Date", "20150830T123600Z"}},
     "host;my-header1;x-amz-date",
     "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
    {"get-utf8",
     "GET",
     "/\xe1\x88\xb4",
     "",
     "",
     "service",
     NULL,
     {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
     "host;x-amz-date",
     "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
    {"get-slashes-normalized",
     "GET",
     "//example//",
     "",
     "",
     "service",
     NULL,
     {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
     "host;x-amz-date",
     "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
    {"get-space-normalized",
     "GET",
     "/example space/",
     "",
     "",
     "service",
     NULL,
     {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
     "host;x-amz-date",
     "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
    {"get-vanilla-utf8-query",
     "GET",
     "/",
     "\xe1\x88\xb4=bar",
     "",
     "service",
     NULL,
     {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
     "host;x-amz-date",
     "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
    {"get-vanilla-with-session-token",
     "GET",
     "/",
     "",
     "",
     "service",
     "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
     {{"Host", "example.amazonaws.com"},
      {"X-Amz-Date", "20150830T123600Z"},
      {"X-Amz-Security-Token", "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"}},
     "host;x-amz-date;x-amz-security-token",
     "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"},
    {"post-x-www-form-urlencoded",
     "POST",
     "/",
     "",
     "Param1=value1",
     "service",
     NULL,
     {{"Content-Type", "application/x-www-form-urlencoded"},
      {"Host", "example.amazonaws.com"},
      {"Content-Length", "13"},
      {"x-amz-content-sha256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"},
      {"X-Amz-Date", "20150830T123600Z"}},
     "content-length;content-type;host;x-amz-content-sha256;x-amz-date",
     "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"},
};

/* Fills req/h from v; with auth, adds the Authorization header (signature possibly
 * altered at index `flip`, -1 for none). */
static void build(const struct vec *v, struct bw_sigv4_request *req, struct bw_sigv4_header *h,
                  bool auth, int flip, char *authbuf, size_t cap)
{
    size_t n = 0;
    for (; n < 8 && v->headers[n][0]; n++)
        h[n] = (struct bw_sigv4_header){bw_str_c(v->headers[n][0]), bw_str_c(v->headers[n][1])};
    if (auth) {
        snprintf(authbuf, cap,
                 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/%s/aws4_request, "
                 "SignedHeaders=%s, Signature=%s",
                 v->service, v->signed_headers, v->signature);
        if (flip >= 0) {
            char *sig = strstr(authbuf, "Signature=") + 10;
            sig[flip] = sig[flip] == '0' ? '1' : '0';
        }
        h[n++] = (struct bw_sigv4_header){BW_STR("Authorization"), bw_str_c(authbuf)};
    }
    *req = (struct bw_sigv4_request){
        bw_str_c(v->method), bw_str_c(v->path), bw_str_c(v->query), h, n, bw_str_c(v->body), NULL};
}

/* RFC 4231 test cases 2 (short key) and 6 (key longer than the block) for the HMAC. */
static void test_hmac_rfc4231(void **state)
{
    (void)state;
    uint8_t mac[32], key[131];
    char hex[65];
    bw_auth__hmac("Jefe", 4, "what do ya want for nothing?", 28, mac);
    bw_hex_encode(mac, 32, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(key, 0xaa, sizeof key);
    const char *m = "Test Using Larger Than Block-Size Key - Hash Key First";
    bw_auth__hmac(key, sizeof key, m, strlen(m), mac);
    bw_hex_encode(mac, 32, hex);
    assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_signing_key_example(void **state)
{
    (void)state;
    uint8_t k[32];
    char hex[65];
    bw_sigv4_signing_key(NULL, BW_STR("AKIDEXAMPLE"), BW_STR(SECRET), BW_STR("20150830"),
                         BW_STR("us-east-1"), BW_STR("iam"), k);
    bw_hex_encode(k, 32, hex);
    assert_string_equal(hex, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

static void test_iam_canonical_request_hash(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    struct bw_sigv4_request req;
    struct bw_sigv4_header h[10];
    char ab[512];
    struct bw_sigv4_auth au;
    struct bw_err err = {0};
    build(&vectors[0], &req, h, true, -1, ab, sizeof ab);
    assert_int_equal(bw_sigv4_parse(&req, a, &au, &err), BW_OK);
    struct bw_str creq = bw_sigv4_canonical_request(
        &req, &au, BW_STR("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), a);
    assert_string_equal(creq.p, "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
                                "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
                                "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                                "content-type;host;x-amz-date\n"
                                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    struct bw_str sts = bw_sigv4_string_to_sign(au.amz_date, au.scope, creq, a);
    assert_string_equal(sts.p, "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/"
                               "aws4_request\n"
                               "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    bw_arena_free(a);
}

static void test_vectors_verify(void **state)
{
    (void)state;
    struct bw_sigv4_cache *c = bw_sigv4_cache_new(16);
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
        for (int flip = -1; flip <= 0; flip++) {
            struct bw_arena *a = bw_arena_new(0);
            struct bw_sigv4_request req;
            struct bw_sigv4_header h[10];
            char ab[512];
            struct bw_sigv4_auth au;
            struct bw_err err = {0};
            build(&vectors[i], &req, h, true, flip, ab, sizeof ab);
            assert_int_equal(bw_sigv4_parse(&req, a, &au, &err), BW_OK);
            assert_int_equal(au.kind, BW_SIGV4_HEADER);
            assert_true(bw_str_eqc(au.access_key_id, "AKIDEXAMPLE"));
            assert_true(bw_str_eqc(au.service, vectors[i].service));
            enum bw_code rc = bw_sigv4_verify(&req, &au, BW_STR(SECRET), T0 + 60, c, a, &err);
            if (rc != (flip < 0 ? BW_OK : BW_E_SIGNATURE_DOES_NOT_MATCH))
                fail_msg("%s flip=%d: %s %s", vectors[i].name, flip, bw_err_name(&err), err.msg);
            if (vectors[i].token)
                assert_true(bw_str_eqc(au.security_token, vectors[i].token));
            bw_arena_free(a);
        }
    }
    uint64_t hits, misses;
    bw_sigv4_cache_stats(c, &hits, &misses);
    assert_int_equal(misses, 2); /* one key for iam, one for service */
    assert_true(hits > 10);
    bw_sigv4_cache_free(c);
}

static void test_vectors_sign(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
        const struct vec *v = &vectors[i];
        struct bw_arena *a = bw_arena_new(0);
        struct bw_sigv4_header h[10];
        size_t n = 0;
        for (size_t j = 0; j < 8 && v->headers[j][0]; j++) {
            if (strcmp(v->headers[j][0], "X-Amz-Date") == 0 ||
                strcmp(v->headers[j][0], "X-Amz-Security-Token") == 0)
                continue;
            h[n++] =
                (struct bw_sigv4_header){bw_str_c(v->headers[j][0]), bw_str_c(v->headers[j][1])};
        }
        struct bw_sigv4_request req = {bw_str_c(v->method),
                                       bw_str_c(v->path),
                                       bw_str_c(v->query),
                                       h,
                                       n,
                                       bw_str_c(v->body),
                                       NULL};
        struct bw_sigv4_creds cr = {"AKIDEXAMPLE", SECRET, v->token};
        struct bw_sigv4_signed out;
        struct bw_err err = {0};
        assert_int_equal(bw_sigv4_sign(&req, &cr, "us-east-1", v->service, T0, NULL, a, &out, &err),
                         BW_OK);
        char want[512];
        snprintf(want, sizeof want,
                 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/%s/aws4_request, "
                 "SignedHeaders=%s, Signature=%s",
                 v->service, v->signed_headers, v->signature);
        if (strcmp(out.authorization, want) != 0)
            fail_msg("%s: got %s", v->name, out.authorization);
        assert_string_equal(out.amz_date, "20150830T123600Z");
        bw_arena_free(a);
    }
}

/* get-space-normalized, presigned (aws-c-auth query-signed-request), X-Amz-Expires=3600. */
static void presigned_space(struct bw_sigv4_request *req, struct bw_sigv4_header *h,
                            const char *sig)
{
    static char q[512];
    snprintf(q, sizeof q,
             "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%%2F20150830%%2Fus-east-"
             "1%%2Fservice%%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-"
             "Amz-Expires=3600&X-Amz-Signature=%s",
             sig);
    h[0] = (struct bw_sigv4_header){BW_STR("Host"), BW_STR("example.amazonaws.com")};
    h[1] = (struct bw_sigv4_header){BW_STR("X-Amz-Date"), BW_STR("20150830T123600Z")};
    *req = (struct bw_sigv4_request){
        BW_STR("GET"), BW_STR("/example space/"), bw_str_c(q), h, 2, BW_STR(""), NULL};
}

static void test_presigned_vector(void **state)
{
    (void)state;
    static const char *good = "7a1f416954786484c9824d93c1f26ef64acb9b1b6c9154d08c9f07d0e394abf6";
    struct bw_arena *a = bw_arena_new(0);
    struct bw_sigv4_request req;
    struct bw_sigv4_header h[2];
    struct bw_sigv4_auth au;
    struct bw_err err = {0};
    presigned_space(&req, h, good);
    assert_int_equal(bw_sigv4_parse(&req, a, &au, &err), BW_OK);
    assert_int_equal(au.kind, BW_SIGV4_PRESIGNED);
    assert_int_equal(au.expires, 3600);
    assert_int_equal(bw_sigv4_verify(&req, &au, BW_STR(SECRET), T0 + 3599, NULL, a, &err), BW_OK);
    assert_int_equal(bw_sigv4_verify(&req, &au, BW_STR(SECRET), T0 + 3601, NULL, a, &err),
                     BW_E_REQUEST_EXPIRED);
    assert_string_equal(bw_err_name(&err), "RequestExpired");
    presigned_space(&req, h, "7a1f416954786484c9824d93c1f26ef64acb9b1b6c9154d08c9f07d0e394abf7");
    assert_int_equal(bw_sigv4_parse(&req, a, &au, &err), BW_OK);
    assert_int_equal(bw_sigv4_verify(&req, &au, BW_STR(SECRET), T0, NULL, a, &err),
                     BW_E_SIGNATURE_DOES_NOT_MATCH);
    bw_arena_free(a);
}

static void test_presign_roundtrip(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    struct bw_sigv4_header h[1] = {{BW_STR("Host"), BW_STR("127.0.0.1:4566")}};
    struct bw_sigv4_request req = {
        BW_STR("GET"), BW_STR("/"), BW_STR("Action=GetCallerIdentity&Version=2011-06-15"), h, 1,
        BW_STR(""),    NULL};
    struct bw_sigv4_creds cr = {"ASIAEXAMPLE", SECRET, "tok/en+="};
    struct bw_str q;
    struct bw_err err = {0};
    assert_int_equal(bw_sigv4_presign(&req, &cr, "us-east-1", "sts", T0, 60, a, &q, &err), BW_OK);
    req.query = q;
    struct bw_sigv4_auth au;
    assert_int_equal(bw_sigv4_parse(&req, a, &au, &err), BW_OK);
    assert_true(bw_str_eqc(au.security_token, "tok/en+="));
    assert_true(bw_str_eqc(au.service, "sts"));
    assert_int_equal(bw_sigv4_verify(&req, &au, BW_STR(SECRET), T0 + 30, NULL, a, &err), BW_OK);
    assert_int_equal(bw_sigv4_verify(&req, &au, BW_STR(SECRET), T0 + 61, NULL, a, &err),
                     BW_E_REQUEST_EXPIRED);
    assert_int_equal(bw_sigv4_verify(&req, &au, BW_STR("other"), T0 + 30, NULL, a, &err),
                     BW_E_SIGNATURE_DOES_NOT_MATCH);
    bw_arena_free(a);
}

/* A presigned GET signed over UNSIGNED-PAYLOAD (as S3-style presigners do), with and
 * without X-Amz-Content-Sha256 in the query, is accepted; a body hash mismatch is not. */
static void presign_unsigned(const char *extra, bool expect_ok)
{
    struct bw_arena *a = bw_arena_new(0);
    struct bw_sigv4_header h[1] = {{BW_STR("Host"), BW_STR("localhost")}};
    char q[512];
    snprintf(q, sizeof q,
             "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%%2F20150830%%2Fus-"
             "east-1%%2Fsts%%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-"
             "SignedHeaders=host%s&X-Amz-Signature=",
             extra);
    struct bw_sigv4_request req = {BW_STR("GET"), BW_STR("/"), bw_str_c(q), h, 1, BW_STR(""), NULL};
    struct bw_sigv4_auth au;
    struct bw_err err = {0};
    assert_int_equal(bw_sigv4_parse(&req, a, &au, &err), BW_OK);
    uint8_t key[32];
    bw_sigv4_signing_key(NULL, au.access_key_id, BW_STR(SECRET), au.scope_date, au.region,
                         au.service, key);
    char sig[65];
    bw_auth__signature(key, au.amz_date, au.scope,
                       bw_sigv4_canonical_request(&req, &au, BW_STR("UNSIGNED-PAYLOAD"), a), a,
                       sig);
    strncat(q, sig, sizeof q - strlen(q) - 1);
    req.query = bw_str_c(q);
    assert_int_equal(bw_sigv4_parse(&req, a, &au, &err), BW_OK);
    enum bw_code rc = bw_sigv4_verify(&req, &au, BW_STR(SECRET), T0, NULL, a, &err);
    assert_int_equal(rc, expect_ok ? BW_OK : BW_E_SIGNATURE_DOES_NOT_MATCH);
    bw_arena_free(a);
}

static void test_presigned_unsigned_payload(void **state)
{
    (void)state;
    presign_unsigned("", true);
    presign_unsigned("&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD", true);
    presign_unsigned("&X-Amz-Content-Sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca4959"
                     "91b7852b855",
                     false);
}

/* The arena a typical verification uses stays small (STYLE: assert the high-water mark). */
static void test_arena_high_water(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    struct bw_sigv4_request req;
    struct bw_sigv4_header h[10];
    char ab[512];
    struct bw_sigv4_auth au;
    struct bw_err err = {0};
    build(&vectors[0], &req, h, true, -1, ab, sizeof ab);
    size_t before = bw_arena_used(a);
    assert_int_equal(bw_sigv4_parse(&req, a, &au, &err), BW_OK);
    assert_int_equal(bw_sigv4_verify(&req, &au, BW_STR(SECRET), T0, NULL, a, &err), BW_OK);
    size_t used = bw_arena_used(a) - before;
    print_message("arena used by parse+verify: %zu bytes\n", used);
    assert_true(used < 2048);
    bw_arena_free(a);
}

struct cache_arg {
    struct bw_sigv4_cache *c;
    int id;
};

static void *cache_worker(void *p)
{
    struct cache_arg *ca = p;
    static const char *secrets[] = {"s0", "s1", "s2"};
    static const char *services[] = {"iam", "sts", "organizations", "shield", "service"};
    for (int i = 0; i < 2000; i++) {
        struct bw_str sec = bw_str_c(secrets[(i + ca->id) % 3]);
        struct bw_str svc = bw_str_c(services[i % 5]);
        uint8_t k1[32], k2[32];
        bw_sigv4_signing_key(ca->c, BW_STR("AKID"), sec, BW_STR("20150830"), BW_STR("us-east-1"),
                             svc, k1);
        bw_sigv4_signing_key(NULL, BW_STR("AKID"), sec, BW_STR("20150830"), BW_STR("us-east-1"),
                             svc, k2);
        if (memcmp(k1, k2, 32) != 0)
            return (void *)1;
    }
    return NULL;
}

/* A small cache under 4 threads: always the right key, rotated secrets never hit. */
static void test_cache_threads(void **state)
{
    (void)state;
    struct bw_sigv4_cache *c = bw_sigv4_cache_new(4);
    pthread_t t[4];
    struct cache_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct cache_arg){c, i};
        pthread_create(&t[i], NULL, cache_worker, &args[i]);
    }
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        assert_null(r);
    }
    bw_sigv4_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_signing_key_example),
        cmocka_unit_test(test_iam_canonical_request_hash),
        cmocka_unit_test(test_vectors_verify),
        cmocka_unit_test(test_vectors_sign),
        cmocka_unit_test(test_presigned_vector),
        cmocka_unit_test(test_presign_roundtrip),
        cmocka_unit_test(test_presigned_unsigned_payload),
        cmocka_unit_test(test_arena_high_water),
        cmocka_unit_test(test_cache_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
