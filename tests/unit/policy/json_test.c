// SPDX-License-Identifier: Apache-2.0
/*
 * The strict JSON reader under the policy compiler and `bulwark policy evaluate`:
 * RFC 8259 grammar, escapes and surrogate pairs, UTF-8 validation, duplicate keys,
 * depth limit, numbers kept as written, and error offsets.
 */
#include "helpers.h"

#include "common/arena.h"

static const struct bw_policy_json *ok(struct bw_arena *a, const char *text)
{
    const struct bw_policy_json *v = NULL;
    struct bw_err err;
    if (bw_policy_json_parse(a, text, strlen(text), &v, &err) != BW_OK)
        fail_msg("rejected %s: %s", text, err.msg);
    return v;
}

static void bad(struct bw_arena *a, const char *text, const char *why)
{
    const struct bw_policy_json *v = NULL;
    struct bw_err err;
    assert_int_equal(bw_policy_json_parse(a, text, strlen(text), &v, &err), BW_E_SERIALIZATION);
    assert_null(v);
    if (!strstr(err.msg, why))
        fail_msg("'%s' gave '%s', expected '%s'", text, err.msg, why);
}

static void test_values(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    const struct bw_policy_json *v =
        ok(a, " {\"a\": [1, -2.5e3, true, false, null, \"x\"], \"b\": {}} ");
    assert_int_equal(v->type, BW_JSON_OBJECT);
    assert_int_equal(v->n, 2);
    const struct bw_policy_json *arr = bw_policy_json_get(v, "a");
    assert_int_equal(arr->n, 6);
    assert_string_equal(arr->items[1].s, "-2.5e3");
    assert_int_equal(arr->items[2].type, BW_JSON_TRUE);
    assert_int_equal(arr->items[4].type, BW_JSON_NULL);
    assert_int_equal(bw_policy_json_get(v, "b")->type, BW_JSON_OBJECT);
    assert_null(bw_policy_json_get(v, "c"));
    v = ok(a, "\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"");
    assert_string_equal(v->s, "a\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
    v = ok(a, "\"caf\xc3\xa9\"");
    assert_int_equal(v->len, 5);
    bw_arena_free(a);
}

static void test_errors(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    bad(a, "", "end of input");
    bad(a, "{\"a\":1,\"a\":2}", "duplicate key");
    bad(a, "{\"a\":1,}", "expected a key");
    bad(a, "[1 2]", "expected ','");
    bad(a, "01", "trailing data");
    bad(a, "1.", "invalid number");
    bad(a, "-", "invalid number");
    bad(a, "tru", "invalid literal");
    bad(a, "\"abc", "unterminated");
    bad(a, "\"a\\x\"", "invalid escape");
    bad(a, "\"\\u0000\"", "NUL in string");
    bad(a, "\"\\ud83d\"", "unpaired surrogate");
    bad(a, "\"\x01\"", "control character");
    bad(a, "\"\xc3\x28\"", "invalid UTF-8");
    bad(a, "\"\xed\xa0\x80\"", "invalid UTF-8"); /* an encoded surrogate */
    bad(a, "{} {}", "trailing data");
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    const struct bw_policy_json *v;
    struct bw_err err;
    assert_int_equal(bw_policy_json_parse(a, deep, 200, &v, &err), BW_E_SERIALIZATION);
    assert_non_null(strstr(err.msg, "nesting too deep"));
    assert_int_equal(bw_policy_json_parse(a, deep + 40, 120, &v, &err), BW_OK);
    /* many keys: duplicates found by sorting */
    struct bw_buf b;
    bw_buf_init(&b, a, 64);
    bw_buf_addc(&b, '{');
    for (int i = 0; i < 500; i++)
        bw_buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i % 499, i);
    bw_buf_addc(&b, '}');
    bad(a, bw_buf_cstr(&b), "duplicate key");
    bw_arena_free(a);
}

/* The reader scans up to a NUL sentinel after its copy and keeps open containers' members
 * on one scratch stack: a NUL byte anywhere in the input is an error at its own offset (not
 * taken for the end), the end inside a string, a key or after ':' gives the same errors as
 * before, members survive the scratch stack's growth, and duplicate keys are found whether
 * or not their pre-filter bits collide. */
static void test_sentinel_and_stack(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    const struct bw_policy_json *v;
    struct bw_err err;
    static const struct {
        const char *text;
        size_t len;
        const char *msg;
    } nul[] = {
        {"{\"a\":\"x\0y\"}", 11, "control character in string at offset 7"},
        {"{\"a\0\":1}", 8, "control character in string at offset 3"},
        {"[1,\0]", 5, "invalid number at offset 3"},
        {"{\"a\":1}\0", 8, "trailing data at offset 7"},
        {"\0", 1, "invalid number at offset 0"},
        {"{\"a\"\0:1}", 8, "expected ':' at offset 5"},
    };
    for (size_t i = 0; i < sizeof(nul) / sizeof(nul[0]); i++) {
        assert_int_equal(bw_policy_json_parse(a, nul[i].text, nul[i].len, &v, &err),
                         BW_E_SERIALIZATION);
        if (!strstr(err.msg, nul[i].msg))
            fail_msg("case %zu gave '%s', expected '%s'", i, err.msg, nul[i].msg);
    }
    bad(a, "{\"a\"", "expected ':' at offset 4");
    bad(a, "{\"a\":", "unexpected end of input at offset 5");
    bad(a, "[\"abcdefghijklmnopqrstuvwxyz", "unterminated string at offset 2");
    bad(a, "{\"a\":1,\"b\":2", "expected ',' or '}' at offset 12");
    /* 300 members in nested containers: the scratch stack grows past its first 64 */
    struct bw_buf b;
    bw_buf_init(&b, a, 64);
    bw_buf_adds(&b, "{\"x\":[");
    for (int i = 0; i < 150; i++)
        bw_buf_printf(&b, "%s{\"k\":\"v%d\",\"n\":[%d,%d]}", i ? "," : "", i, i, -i);
    bw_buf_adds(&b, "],\"y\":\"end\"}");
    v = ok(a, bw_buf_cstr(&b));
    const struct bw_policy_json *x = bw_policy_json_get(v, "x");
    assert_int_equal(x->n, 150);
    assert_string_equal(bw_policy_json_get(&x->items[149], "k")->s, "v149");
    assert_string_equal(bw_policy_json_get(&x->items[77], "n")->items[1].s, "-77");
    assert_string_equal(bw_policy_json_get(v, "y")->s, "end");
    /* duplicates among 2..40 keys, first and last, equal or differing pre-filter bits */
    for (int n = 2; n <= 40; n++) {
        bw_buf_init(&b, a, 64);
        bw_buf_addc(&b, '{');
        for (int i = 0; i < n; i++)
            bw_buf_printf(&b, "%s\"key%d\":%d", i ? "," : "", i == n - 1 ? 0 : i, i);
        bw_buf_addc(&b, '}');
        bad(a, bw_buf_cstr(&b), "duplicate key");
        bw_buf_init(&b, a, 64);
        bw_buf_addc(&b, '{');
        for (int i = 0; i < n; i++)
            bw_buf_printf(&b, "%s\"key%d\":%d", i ? "," : "", i, i);
        bw_buf_addc(&b, '}');
        assert_int_equal(ok(a, bw_buf_cstr(&b))->n, (size_t)n);
    }
    bw_arena_free(a);
}

/* bw_policy_compile_json_in: the policy lives in the caller's arena with the tree it came
 * from, decides like one compiled from text, and free is a no-op on it. */
static void test_compile_in_arena(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    const char *doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"S1\","
                      "\"Effect\":\"Allow\",\"Action\":\"S3:Get*\",\"Resource\":"
                      "\"arn:aws:s3:::b/${aws:username}/*\",\"Condition\":{\"NumericLessThan\":"
                      "{\"s3:max-keys\":10.0}}}]}";
    const struct bw_policy_json *v;
    struct bw_err err;
    assert_int_equal(bw_policy_json_parse(a, doc, strlen(doc), &v, &err), BW_OK);
    struct bw_policy *p = NULL;
    struct bw_policy_diag d;
    assert_int_equal(bw_policy_compile_json_in(a, v, BW_POLICY_IDENTITY, "in", 0, 0, &p, &d, NULL),
                     BW_OK);
    assert_string_equal(bw_policy_id(p), "in");
    const struct bw_policy *ps[] = {p};
    struct bw_policy_set set = {.identity = ps, .n_identity = 1};
    struct tctx t;
    tctx_parse(&t, "s3:max-keys=5");
    struct bw_policy_request r = user_request("s3:GetObject", "arn:aws:s3:::b/alice/k", &t);
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    r.resource.arn = BW_STR("arn:aws:s3:::b/bob/k");
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_IMPLICIT_DENY);
    bw_policy_free(p); /* a no-op: the arena owns it */
    const struct bw_policy_json *bad;
    const char *bdoc = "{\"Statement\":[{\"Effect\":\"Maybe\",\"Action\":\"s3:*\"}]}";
    assert_int_equal(bw_policy_json_parse(a, bdoc, strlen(bdoc), &bad, &err), BW_OK);
    assert_int_equal(
        bw_policy_compile_json_in(a, bad, BW_POLICY_IDENTITY, "bad", 0, 0, &p, &d, NULL),
        BW_E_IAM_MALFORMED_POLICY);
    assert_null(p);
    assert_string_equal(d.path, "$.Statement[0].Effect");
    bw_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_values), cmocka_unit_test(test_errors),
                                       cmocka_unit_test(test_compile_in_arena),
                                       cmocka_unit_test(test_sentinel_and_stack)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
