/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evaluator's shortcuts agree with the plain definitions they replace: word-at-a-time
 * case folding and comparisons, the ARN colon search, the dotted-quad fast path against
 * inet_pton, the JSON string scan around escapes at every offset, the per-statement
 * quick-reject records (actions and resources they must not reject), and the per-evaluation
 * slots of well-known condition keys (a ctx_fn is still asked at every lookup).
 */
#include "helpers.h"

#include <arpa/inet.h>

#include "common/arena.h"
#include "policy/internal.h"

static uint64_t rng = 88172645463325252ULL;

static unsigned next(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)rng;
}

static char ref_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static void test_lower8_every_byte(void **state)
{
    (void)state;
    for (unsigned b = 0; b < 256; b++)
        for (unsigned pos = 0; pos < 8; pos++) {
            char in[8], out[8];
            for (unsigned k = 0; k < 8; k++)
                in[k] = (char)(next() & 0xff);
            in[pos] = (char)b;
            uint64_t w = bw_policy__lower8(bw_policy__word(in));
            memcpy(out, &w, 8);
            for (unsigned k = 0; k < 8; k++)
                assert_int_equal((uint8_t)out[k], (uint8_t)ref_lower(in[k]));
        }
}

static void random_text(char *s, size_t n)
{
    static const char alpha[] = "aAbBzZ:@[`{/*?\x80\xc3\x00";
    for (size_t i = 0; i < n; i++)
        s[i] = alpha[next() % (sizeof(alpha) - 1)];
}

static void test_ieq_and_same_match_bytewise(void **state)
{
    (void)state;
    char a[40], b[40], low[40];
    for (int it = 0; it < 200000; it++) {
        size_t n = next() % 33;
        random_text(a, n);
        memcpy(b, a, n);
        if (n && next() % 2)
            b[next() % n] = (char)(next() & 0xff);
        for (size_t i = 0; i < n; i++)
            low[i] = ref_lower(b[i]);
        bool eq_ci = true, eq = memcmp(a, b, n) == 0;
        for (size_t i = 0; i < n; i++)
            eq_ci &= ref_lower(a[i]) == ref_lower(b[i]);
        struct bw_str sa = {a, n}, sb = {b, n}, sl = {low, n};
        assert_int_equal(bw_policy__ieq(sa, sb), eq_ci);
        assert_int_equal(bw_policy__ieq_low(sa, sl), eq_ci);
        assert_int_equal(bw_policy__same(a, b, n), eq);
        assert_int_equal(bw_policy__str_eq(sa, sb), eq);
    }
}

static void test_arn_split_finds_first_five_colons(void **state)
{
    (void)state;
    char s[64];
    for (int it = 0; it < 200000; it++) {
        size_t n = next() % 60, k = 0;
        for (size_t i = 0; i < n; i++)
            s[i] = next() % 4 ? (char)(next() & 0xff) : ':';
        uint32_t got[5] = {0}, want[5] = {0};
        for (size_t i = 0; i < n && k < 5; i++)
            if (s[i] == ':')
                want[k++] = (uint32_t)i;
        bool ok = bw_policy__arn_split(s, n, got);
        assert_int_equal(ok, k == 5);
        if (ok)
            assert_memory_equal(got, want, sizeof(got));
    }
}

static void check_ip4(const char *s)
{
    struct bw_policy__ip ip;
    uint8_t want[4];
    bool ok = bw_policy__parse_ip(bw_str_c(s), &ip);
    bool ref = inet_pton(AF_INET, s, want) == 1;
    uint8_t six[16];
    if (!ref && inet_pton(AF_INET6, s, six) == 1)
        return; /* not a dotted quad: the general path's business */
    assert_int_equal(ok, ref);
    if (ok) {
        assert_int_equal(ip.fam, 4);
        assert_int_equal(ip.prefix, 32);
        assert_memory_equal(ip.addr, want, 4);
    }
}

static void test_dotted_quad_fast_path_is_inet_pton(void **state)
{
    (void)state;
    static const char *const edge[] = {
        "0.0.0.0",  "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.",  "1..2.3",
        ".1.2.3",   "1.2.3.4",         "10.0.0.00", "1.2.3.04", "",      "1.2.3.4.5", "999",
        "0.0.0.0.", "1.2.3.255"};
    for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
        check_ip4(edge[i]);
    char s[20];
    for (int it = 0; it < 200000; it++) {
        size_t n = next() % 17;
        for (size_t i = 0; i < n; i++)
            s[i] = next() % 4 ? (char)('0' + next() % 10) : '.';
        s[n] = 0;
        check_ip4(s);
    }
}

/* Strings with an escape, a quote or a non-ASCII byte at every offset parse to their text. */
static void test_json_strings_around_every_offset(void **state)
{
    (void)state;
    static const char *const specials[] = {"\\\"", "\\\\", "\\n", "\\u00e9", "\xc3\xa9"};
    static const char *const decoded[] = {"\"", "\\", "\n", "\xc3\xa9", "\xc3\xa9"};
    for (size_t s = 0; s < sizeof(specials) / sizeof(specials[0]); s++)
        for (size_t pre = 0; pre < 20; pre++) {
            char doc[64], want[64];
            memset(want, 'x', pre);
            snprintf(want + pre, sizeof(want) - pre, "%sy", decoded[s]);
            snprintf(doc, sizeof(doc), "[\"%.*s%sy\"]", (int)pre, "xxxxxxxxxxxxxxxxxxxxxxx",
                     specials[s]);
            struct bw_arena *a = bw_arena_new(0);
            const struct bw_policy_json *j = NULL;
            assert_int_equal(bw_policy_json_parse(a, doc, strlen(doc), &j, NULL), BW_OK);
            assert_int_equal(j->n, 1);
            assert_string_equal(j->items[0].s, want);
            bw_arena_free(a);
        }
    struct bw_arena *a = bw_arena_new(0);
    const struct bw_policy_json *j = NULL;
    static const char ctl[] = "[\"abcdefghij\x01k\"]", open_str[] = "[\"abcdefghijklmnop";
    assert_int_not_equal(bw_policy_json_parse(a, ctl, strlen(ctl), &j, NULL), BW_OK);
    assert_int_not_equal(bw_policy_json_parse(a, open_str, strlen(open_str), &j, NULL), BW_OK);
    bw_arena_free(a);
}

static enum bw_policy_decision decide_one(const char *doc, const char *action, const char *res,
                                          const char *ctx)
{
    struct tctx t;
    tctx_parse(&t, ctx);
    struct bw_policy *p = compile_ok(doc, BW_POLICY_IDENTITY);
    const struct bw_policy *ps[] = {p};
    struct bw_policy_request r = user_request(action, res, &t);
    enum bw_policy_decision d = bw_policy_evaluate_only(ps, 1, BW_SRC_IDENTITY, &r, NULL);
    bw_policy_free(p);
    return d;
}

#define STMT(act, res)                                                                             \
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":" act              \
    ",\"Resource\":" res "}}"

/* Shapes the quick-reject record leaves to the full match: they must still match. */
static void test_quick_reject_keeps_matches(void **state)
{
    (void)state;
    const char *obj = "arn:aws:s3:::bucket/key";
    const enum bw_policy_decision ok = BW_POLICY_ALLOWED, no = BW_POLICY_IMPLICIT_DENY;
    assert_int_equal(decide_one(STMT("\"s*:get*\"", "\"*\""), "s3:GetObject", obj, NULL), ok);
    assert_int_equal(decide_one(STMT("\"s3:*Object\"", "\"*\""), "s3:GetObject", obj, NULL), ok);
    assert_int_equal(decide_one(STMT("\"S3:Ge\"", "\"*\""), "s3:ge", obj, NULL), ok);
    assert_int_equal(decide_one(STMT("\"s3:g?tObject\"", "\"*\""), "S3:GETOBJECT", obj, NULL), ok);
    assert_int_equal(
        decide_one(STMT("[\"ec2:a\",\"ec2:b\",\"ec2:c\",\"ec2:d\",\"s3:GetObject\"]", "\"*\""),
                   "s3:GetObject", obj, NULL),
        ok);
    assert_int_equal(
        decide_one(STMT("[\"s3:PutObject\",\"s3:Get\"]", "\"*\""), "s3:GetObject", obj, NULL), no);
    assert_int_equal(decide_one(STMT("\"s3:GetObject\"", "[\"arn:aws:s3:::a\",\"arn:aws:s3:::b\","
                                                         "\"arn:aws:s3:::bucket/*\"]"),
                                "s3:GetObject", obj, NULL),
                     ok);
    assert_int_equal(decide_one(STMT("\"s3:GetObject\"", "\"arn:aws:s3:::${aws:username}/*\""),
                                "s3:GetObject", "arn:aws:s3:::alice/k", NULL),
                     ok);
    assert_int_equal(decide_one(STMT("\"s3:GetObject\"", "\"arn:aws:s3:::bucket/k*\""),
                                "s3:GetObject", "arn:aws:s3:::bucket/", NULL),
                     no);
    assert_int_equal(
        decide_one("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                   "\"NotAction\":\"iam:*\",\"NotResource\":\"arn:aws:s3:::other/*\"}}",
                   "s3:GetObject", obj, NULL),
        ok);
    assert_int_equal(decide_one(STMT("\"s3:GetObject\"", "\"arn:aws:s3:::bucket/key\""),
                                "s3:GetObject", "*", NULL),
                     no);
    assert_int_equal(decide_one(STMT("\"s3:GetObject\"", "\"*\""), "s3", obj, NULL), no);
}

static int calls;

static bool count_fn(void *arg, struct bw_str key, const struct bw_str **vals, size_t *n)
{
    static const struct bw_str one = BW_STR("us-east-1");
    (void)arg;
    calls++;
    if (!bw_policy__ieq(key, BW_STR("aws:RequestedRegion")))
        return false;
    *vals = &one;
    *n = 1;
    return true;
}

/* A well-known key answers every condition naming it, in every policy, from one lookup; a
 * ctx_fn is consulted at each lookup all the same. */
static void test_key_slots(void **state)
{
    (void)state;
    const char *doc =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
        "\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{"
        "\"AWS:REQUESTEDREGION\":\"us-east-1\"},\"Bool\":{\"aws:SecureTransport\":"
        "\"true\"}}},{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\","
        "\"Condition\":{\"StringNotEquals\":{\"aws:requestedregion\":\"us-east-1\"}}}]}";
    struct bw_policy *p = compile_ok(doc, BW_POLICY_IDENTITY),
                     *q = compile_ok(doc, BW_POLICY_IDENTITY);
    const struct bw_policy *ps[] = {p, q};
    struct tctx t;
    tctx_parse(&t, "aws:RequestedRegion=us-east-1;aws:securetransport=TRUE");
    struct bw_policy_request r = user_request("s3:GetObject", "arn:aws:s3:::b/k", &t);
    assert_int_equal(bw_policy_evaluate_only(ps, 2, BW_SRC_IDENTITY, &r, NULL), BW_POLICY_ALLOWED);
    tctx_parse(&t, "aws:RequestedRegion=eu-west-1;aws:securetransport=true");
    r = user_request("s3:GetObject", "arn:aws:s3:::b/k", &t);
    assert_int_equal(bw_policy_evaluate_only(ps, 2, BW_SRC_IDENTITY, &r, NULL),
                     BW_POLICY_EXPLICIT_DENY);
    r = user_request("s3:GetObject", "arn:aws:s3:::b/k", NULL);
    r.ctx_fn = count_fn;
    calls = 0;
    assert_int_equal(bw_policy_evaluate_only(ps, 2, BW_SRC_IDENTITY, &r, NULL),
                     BW_POLICY_IMPLICIT_DENY); /* aws:SecureTransport absent */
    assert_int_equal(calls, 6); /* 3 conditions naming a key the caller did not pass, x2 */
    bw_policy_free(p);
    bw_policy_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lower8_every_byte),
        cmocka_unit_test(test_ieq_and_same_match_bytewise),
        cmocka_unit_test(test_arn_split_finds_first_five_colons),
        cmocka_unit_test(test_dotted_quad_fast_path_is_inet_pton),
        cmocka_unit_test(test_json_strings_around_every_offset),
        cmocka_unit_test(test_quick_reject_keeps_matches),
        cmocka_unit_test(test_key_slots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
