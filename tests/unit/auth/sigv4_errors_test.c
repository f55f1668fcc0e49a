/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every SigV4 failure a client can cause, with AWS's error name and wording, and the
 * guarantee that no message carries a signature or a bearer token. Also the canonical
 * URI and query builders on edge cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/sigv4.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define T0     1440938160 /* 20150830T123600Z */
#define SIG    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
#define GOOD_AUTH                                                                                  \
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "            \
    "SignedHeaders=host;x-amz-date, Signature=" SIG

struct t {
    struct bw_arena *a;
    struct bw_sigv4_header h[8];
    struct bw_sigv4_request req;
    struct bw_sigv4_auth au;
    struct bw_err err;
};

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof *t);
    t->a = bw_arena_new(0);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;
    bw_arena_free(t->a);
    free(t);
    return 0;
}

/* get-vanilla with the given Authorization (NULL: none) and X-Amz-Date (NULL: none). */
static void req(struct t *t, const char *auth, const char *date, const char *query)
{
    size_t n = 0;
    t->h[n++] = (struct bw_sigv4_header){BW_STR("Host"), BW_STR("example.amazonaws.com")};
    if (date)
        t->h[n++] = (struct bw_sigv4_header){BW_STR("X-Amz-Date"), bw_str_c(date)};
    if (auth)
        t->h[n++] = (struct bw_sigv4_header){BW_STR("Authorization"), bw_str_c(auth)};
    t->req = (struct bw_sigv4_request){
        BW_STR("GET"), BW_STR("/"), bw_str_c(query ? query : ""), t->h, n, BW_STR(""), NULL};
}

static enum bw_code parse(struct t *t)
{
    return bw_sigv4_parse(&t->req, t->a, &t->au, &t->err);
}

static void test_missing(void **state)
{
    struct t *t = *state;
    req(t, NULL, "20150830T123600Z", "Action=ListUsers");
    assert_int_equal(parse(t), BW_E_MISSING_AUTH_TOKEN);
    assert_string_equal(bw_err_name(&t->err), "MissingAuthenticationToken");
    assert_string_equal(t->err.msg, "Request is missing Authentication Token");
    assert_int_equal(bw_code_http_status(t->err.code), 403);
}

static void test_incomplete_all(void **state)
{
    struct t *t = *state;
    req(t, "AWS4-HMAC-SHA256 Foo=bar", NULL, NULL);
    assert_int_equal(parse(t), BW_E_INCOMPLETE_SIGNATURE);
    assert_string_equal(t->err.msg,
                        "Authorization header requires 'Credential' parameter. Authorization "
                        "header requires 'Signature' parameter. Authorization header requires "
                        "'SignedHeaders' parameter. Authorization header requires existence of "
                        "either a 'X-Amz-Date' or a 'Date' header. "
                        "Authorization=AWS4-HMAC-SHA256 Foo=bar");
}

static void test_incomplete_signature_redacted(void **state)
{
    struct t *t = *state;
    req(t,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "Signature=" SIG,
        "20150830T123600Z", NULL);
    assert_int_equal(parse(t), BW_E_INCOMPLETE_SIGNATURE);
    assert_string_equal(t->err.msg,
                        "Authorization header requires 'SignedHeaders' parameter. "
                        "Authorization=AWS4-HMAC-SHA256 "
                        "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                        "Signature=<redacted>");
}

static void test_bearer_not_echoed(void **state)
{
    struct t *t = *state;
    req(t, "Bearer eyJhbGciOiJIUzI1NiJ9.secret", "20150830T123600Z", NULL);
    assert_int_equal(parse(t), BW_E_INCOMPLETE_SIGNATURE);
    assert_null(strstr(t->err.msg, "eyJ"));
    assert_non_null(strstr(t->err.msg, "Authorization=Bearer <redacted>"));
}

static void test_missing_date(void **state)
{
    struct t *t = *state;
    req(t, GOOD_AUTH, NULL, NULL);
    assert_int_equal(parse(t), BW_E_INCOMPLETE_SIGNATURE);
    assert_non_null(strstr(t->err.msg, "Authorization header requires existence of either a "
                                       "'X-Amz-Date' or a 'Date' header."));
    assert_null(strstr(t->err.msg, SIG));
}

static void test_date_header(void **state)
{
    struct t *t = *state;
    req(t,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=date;host, Signature=" SIG,
        NULL, NULL);
    t->h[t->req.n_headers++] =
        (struct bw_sigv4_header){BW_STR("Date"), BW_STR("Sun, 30 Aug 2015 12:36:00 GMT")};
    assert_int_equal(parse(t), BW_OK);
    assert_string_equal(t->au.amz_date, "20150830T123600Z");
    assert_int_equal(t->au.request_time, T0);
}

static void test_bad_date(void **state)
{
    struct t *t = *state;
    req(t, GOOD_AUTH, "2015-08-30T12:36:00Z", NULL);
    assert_int_equal(parse(t), BW_E_INCOMPLETE_SIGNATURE);
    assert_string_equal(t->err.msg, "X-Amz-Date must be in the ISO8601 Long Format "
                                    "\"yyyyMMdd'T'HHmmss'Z'\"");
}

static void test_missing_equal(void **state)
{
    struct t *t = *state;
    req(t,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE /20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" SIG,
        "20150830T123600Z", NULL);
    assert_int_equal(parse(t), BW_E_INCOMPLETE_SIGNATURE);
    assert_non_null(strstr(t->err.msg, "'/20150830/us-east-1/service/aws4_request' not a valid "
                                       "key=value pair (missing equal-sign) in Authorization "
                                       "header: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE "));
    assert_null(strstr(t->err.msg, SIG));
}

static void test_bad_credential(void **state)
{
    struct t *t = *state;
    req(t,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" SIG,
        "20150830T123600Z", NULL);
    assert_int_equal(parse(t), BW_E_INCOMPLETE_SIGNATURE);
    assert_string_equal(t->err.msg, "Credential must have exactly 5 slash-delimited elements, "
                                    "e.g. keyid/date/region/service/term, got "
                                    "'AKIDEXAMPLE/20150830/us-east-1/aws4_request'");
    req(t,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws5_request, "
        "SignedHeaders=host;x-amz-date, Signature=" SIG,
        "20150830T123600Z", NULL);
    assert_int_equal(parse(t), BW_E_SIGNATURE_DOES_NOT_MATCH);
    assert_string_equal(t->err.msg, "Credential should be scoped with a valid terminator: "
                                    "'aws4_request', not 'aws5_request'.");
}

static void test_unsupported_algorithm(void **state)
{
    struct t *t = *state;
    req(t,
        "AWS4-HMAC-SHA512 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" SIG,
        "20150830T123600Z", NULL);
    assert_int_equal(parse(t), BW_E_INCOMPLETE_SIGNATURE);
    assert_string_equal(t->err.msg, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'");
}

static void test_host_not_signed(void **state)
{
    struct t *t = *state;
    req(t,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=x-amz-date, Signature=" SIG,
        "20150830T123600Z", NULL);
    assert_int_equal(parse(t), BW_E_INCOMPLETE_SIGNATURE);
    assert_string_equal(
        t->err.msg, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

static void test_scope_date_mismatch(void **state)
{
    struct t *t = *state;
    req(t,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" SIG,
        "20150830T123600Z", NULL);
    assert_int_equal(parse(t), BW_E_SIGNATURE_DOES_NOT_MATCH);
    assert_string_equal(t->err.msg, "Date in Credential scope does not match YYYYMMDD from "
                                    "ISO-8601 version of date from HTTP: '20150831' != "
                                    "'20150830', from '20150830T123600Z'.");
}

static void test_check_scope(void **state)
{
    struct t *t = *state;
    req(t, GOOD_AUTH, "20150830T123600Z", NULL);
    assert_int_equal(parse(t), BW_OK);
    assert_int_equal(bw_sigv4_check_scope(&t->au, "service", NULL, &t->err), BW_OK);
    assert_int_equal(bw_sigv4_check_scope(&t->au, "sts", NULL, &t->err),
                     BW_E_SIGNATURE_DOES_NOT_MATCH);
    assert_string_equal(t->err.msg, "Credential should be scoped to correct service: 'sts'. ");
    assert_int_equal(bw_sigv4_check_scope(&t->au, "service", "eu-west-1", &t->err),
                     BW_E_SIGNATURE_DOES_NOT_MATCH);
    assert_string_equal(t->err.msg, "Credential should be scoped to a valid region, not "
                                    "'us-east-1'. ");
}

static void test_skew(void **state)
{
    struct t *t = *state;
    req(t, GOOD_AUTH, "20150830T123600Z", NULL);
    assert_int_equal(parse(t), BW_OK);
    assert_int_equal(
        bw_sigv4_verify(&t->req, &t->au, BW_STR(SECRET), T0 + 900, NULL, t->a, &t->err), BW_OK);
    assert_int_equal(
        bw_sigv4_verify(&t->req, &t->au, BW_STR(SECRET), T0 + 1500, NULL, t->a, &t->err),
        BW_E_SIGNATURE_DOES_NOT_MATCH);
    assert_string_equal(t->err.msg, "Signature expired: 20150830T123600Z is now earlier than "
                                    "20150830T124600Z (20150830T130100Z - 15 min.)");
    assert_int_equal(
        bw_sigv4_verify(&t->req, &t->au, BW_STR(SECRET), T0 - 960, NULL, t->a, &t->err),
        BW_E_SIGNATURE_DOES_NOT_MATCH);
    assert_string_equal(t->err.msg, "Signature not yet current: 20150830T123600Z is still later "
                                    "than 20150830T123500Z (20150830T122000Z + 15 min.)");
}

static void test_wrong_secret(void **state)
{
    struct t *t = *state;
    req(t, GOOD_AUTH, "20150830T123600Z", NULL);
    assert_int_equal(parse(t), BW_OK);
    assert_int_equal(bw_sigv4_verify(&t->req, &t->au, BW_STR("nope"), T0, NULL, t->a, &t->err),
                     BW_E_SIGNATURE_DOES_NOT_MATCH);
    assert_string_equal(t->err.msg, BW_SIGV4_MSG_MISMATCH);
}

/* A signed POST with the given body, sent with `body` replaced by `sent`. */
static enum bw_code post(struct t *t, const char *content_sha, const char *body, const char *sent)
{
    struct bw_sigv4_header h[3] = {{BW_STR("Host"), BW_STR("localhost")}};
    size_t n = 1;
    if (content_sha)
        h[n++] = (struct bw_sigv4_header){BW_STR("X-Amz-Content-Sha256"), bw_str_c(content_sha)};
    struct bw_sigv4_request r = {BW_STR("POST"), BW_STR("/"), BW_STR(""), h, n,
                                 bw_str_c(body), NULL};
    struct bw_sigv4_creds cr = {"AKID", SECRET, NULL};
    struct bw_sigv4_signed s;
    assert_int_equal(bw_sigv4_sign(&r, &cr, "us-east-1", "sts", T0, NULL, t->a, &s, &t->err),
                     BW_OK);
    req(t, s.authorization, s.amz_date, NULL);
    t->req.method = BW_STR("POST");
    t->h[0].value = BW_STR("localhost");
    if (content_sha)
        t->h[t->req.n_headers++] = h[1];
    t->req.payload = bw_str_c(sent);
    assert_int_equal(parse(t), BW_OK);
    return bw_sigv4_verify(&t->req, &t->au, BW_STR(SECRET), T0, NULL, t->a, &t->err);
}

static void test_payload(void **state)
{
    struct t *t = *state;
    const char *body = "Action=GetCallerIdentity&Version=2011-06-15";
    assert_int_equal(post(t, NULL, body, body), BW_OK);
    assert_int_equal(post(t, NULL, body, "Action=GetCallerIdentity&Version=2011-06-16"),
                     BW_E_SIGNATURE_DOES_NOT_MATCH);
    assert_int_equal(post(t, "UNSIGNED-PAYLOAD", body, "anything"), BW_OK);
    assert_int_equal(
        post(t, "0000000000000000000000000000000000000000000000000000000000000000", body, body),
        BW_E_SIGNATURE_DOES_NOT_MATCH);
    assert_string_equal(t->err.msg, "The provided 'x-amz-content-sha256' header does not match "
                                    "what was computed.");
}

static void test_presigned_errors(void **state)
{
    struct t *t = *state;
    req(t, NULL, NULL,
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fsts%2F"
        "aws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host");
    assert_int_equal(parse(t), BW_E_INCOMPLETE_SIGNATURE);
    assert_string_equal(t->err.msg, "AWS query-string parameters must include 'X-Amz-Signature'. "
                                    "Re-examine the query-string parameters.");
    req(t, NULL, NULL,
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fsts%2F"
        "aws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=604801&"
        "X-Amz-Signature=" SIG);
    assert_int_equal(parse(t), BW_E_INCOMPLETE_SIGNATURE);
    assert_string_equal(t->err.msg,
                        "X-Amz-Expires must be less than a week (in seconds) that is; 604800");
    req(t, GOOD_AUTH, "20150830T123600Z", "X-Amz-Algorithm=AWS4-HMAC-SHA256");
    assert_int_equal(parse(t), BW_E_INCOMPLETE_SIGNATURE);
    assert_non_null(strstr(t->err.msg, "Only one auth mechanism allowed"));
    req(t, NULL, NULL,
        "X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders="
        "host&X-Amz-Date=20150830T123600Z");
    assert_int_equal(parse(t), BW_E_INCOMPLETE_SIGNATURE);
    assert_string_equal(t->err.msg, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
}

static void test_canonical_uri(void **state)
{
    struct t *t = *state;
    static const char *cases[][2] = {
        {"", "/"},
        {"/", "/"},
        {"/a/./b/../c//d/", "/a/c/d/"},
        {"/example/..", "/"},
        {"/../../x", "/x"},
        {"/example%20space/", "/example%2520space/"},
        {"/-._~az09", "/-._~az09"},
        {"/a*b", "/a%2Ab"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(bw_sigv4_canonical_uri(bw_str_c(cases[i][0]), t->a).p, cases[i][1]);
}

static void test_canonical_query(void **state)
{
    struct t *t = *state;
    static const char *cases[][2] = {
        {"", ""},
        {"b=2&a=1&a=0", "a=0&a=1&b=2"},
        {"a+b=c%2fd", "a%20b=c%2Fd"},
        {"a%2Bb=1", "a%2Bb=1"},
        {"=x&&y", "=x&y="},
        {"Action=ListUsers&Marker=a%20b&MaxItems=1000",
         "Action=ListUsers&Marker=a%20b&MaxItems=1000"},
        {"q=%zz%", "q=%25zz%25"},
        {"B=1&a=1", "B=1&a=1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(bw_sigv4_canonical_query(bw_str_c(cases[i][0]), false, t->a).p,
                            cases[i][1]);
    assert_string_equal(bw_sigv4_canonical_query(BW_STR("X-Amz-Signature=abc&b=1"), true, t->a).p,
                        "b=1");
    assert_string_equal(bw_sigv4_canonical_query(BW_STR("X-Amz-Signature=abc&b=1"), false, t->a).p,
                        "X-Amz-Signature=abc&b=1");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_missing),
        T(test_incomplete_all),
        T(test_incomplete_signature_redacted),
        T(test_bearer_not_echoed),
        T(test_missing_date),
        T(test_date_header),
        T(test_bad_date),
        T(test_missing_equal),
        T(test_bad_credential),
        T(test_unsupported_algorithm),
        T(test_host_not_signed),
        T(test_scope_date_mismatch),
        T(test_check_scope),
        T(test_skew),
        T(test_wrong_secret),
        T(test_payload),
        T(test_presigned_errors),
        T(test_canonical_uri),
        T(test_canonical_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
