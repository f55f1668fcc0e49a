// SPDX-License-Identifier: Apache-2.0
/*
 * Validation: every MalformedPolicyDocument rule the engine enforces, each with its IAM
 * message and the JSON path of the offending element; the per-kind size limits counted
 * without whitespace; single values and arrays accepted alike.
 */
#include "helpers.h"

#include "common/arena.h"

static void expect_error(const char *doc, enum bw_policy_kind kind, const char *msg_part,
                         const char *path)
{
    struct bw_policy *p = NULL;
    struct bw_policy_diag d;
    struct bw_err err;
    enum bw_code rc = bw_policy_compile(doc, strlen(doc), kind, NULL, 0, &p, &d, &err);
    if (rc == BW_OK)
        fail_msg("compiled but should not: %s", doc);
    assert_int_equal(rc, BW_E_IAM_MALFORMED_POLICY);
    assert_string_equal(bw_err_name(&err), "MalformedPolicyDocument");
    assert_null(p);
    if (!strstr(d.msg, msg_part))
        fail_msg("message '%s' lacks '%s'", d.msg, msg_part);
    assert_string_equal(d.path, path);
}

#define V "\"Version\":\"2012-10-17\","

static void test_structure_errors(void **state)
{
    (void)state;
    expect_error("{", BW_POLICY_IDENTITY, "Syntax errors", "$");
    expect_error("[]", BW_POLICY_IDENTITY, "Syntax errors", "$");
    expect_error("{" V "\"Statement\":[],\"Foo\":1}", BW_POLICY_IDENTITY, "unknown element",
                 "$.Foo");
    expect_error("{\"Version\":\"2012-10-18\",\"Statement\":[]}", BW_POLICY_IDENTITY,
                 "legacy parsing", "$.Version");
    expect_error("{" V "\"Statement\":[],\"Statement\":[]}", BW_POLICY_IDENTITY, "Syntax errors",
                 "$");
    expect_error("{" V "\"Id\":1,\"Statement\":[]}", BW_POLICY_IDENTITY, "Id", "$.Id");
    expect_error("{\"Version\":\"2012-10-17\"}", BW_POLICY_IDENTITY, "Statement", "$");
}

static void test_statement_errors(void **state)
{
    (void)state;
    expect_error("{" V
                 "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"},"
                 "{\"Effect\":\"allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
                 BW_POLICY_IDENTITY, "Effect", "$.Statement[1].Effect");
    expect_error("{" V "\"Statement\":{\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
                 BW_POLICY_IDENTITY, "Effect", "$.Statement");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"NotAction\":\"s3:"
                 "*\",\"Resource\":\"*\"}}",
                 BW_POLICY_IDENTITY, "both Action and NotAction", "$.Statement");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Resource\":\"*\"}}",
                 BW_POLICY_IDENTITY, "must contain actions", "$.Statement");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\"}}",
                 BW_POLICY_IDENTITY, "must contain resources", "$.Statement");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
                 "\"Principal\":\"*\"}}",
                 BW_POLICY_IDENTITY, "should not specify a principal", "$.Statement");
    expect_error("{" V
                 "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
                 BW_POLICY_RESOURCE, "Principal", "$.Statement");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":[\"s3:*\",\"GetObject\"],"
                 "\"Resource\":\"*\"}}",
                 BW_POLICY_IDENTITY, "prefaced by a vendor", "$.Statement.Action[1]");
    expect_error(
        "{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"bucket\"}}",
        BW_POLICY_IDENTITY, "ARN", "$.Statement.Resource[0]");
    expect_error(
        "{" V
        "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Foo\":1}}",
        BW_POLICY_IDENTITY, "unknown element", "$.Statement.Foo");
    expect_error("{" V "\"Statement\":[{\"Sid\":\"a\",\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                 "\"Resource\":\"*\"},"
                 "{\"Sid\":\"a\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
                 BW_POLICY_IDENTITY, "unique", "$.Statement[1].Sid");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"NotPrincipal\":\"*\",\"Action\":\"s3:"
                 "*\",\"Resource\":\"*\"}}",
                 BW_POLICY_RESOURCE, "Deny", "$.Statement");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"arn:aws:iam::1:"
                 "root\"},\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
                 BW_POLICY_RCP, "Principal", "$.Statement");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"alice\"},"
                 "\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
                 BW_POLICY_RESOURCE, "Invalid principal", "$.Statement.Principal.AWS[0]");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"Bogus\":\"x\"},"
                 "\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
                 BW_POLICY_RESOURCE, "Invalid principal", "$.Statement.Principal.Bogus");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
                 "\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}}",
                 BW_POLICY_TRUST, "Resource", "$.Statement");
}

static void test_condition_errors(void **state)
{
    (void)state;
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
                 "\"Condition\":{\"StringEqualz\":{\"aws:x\":\"1\"}}}}",
                 BW_POLICY_IDENTITY, "Invalid Condition type : StringEqualz",
                 "$.Statement.Condition.StringEqualz");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
                 "\"Condition\":{\"StringEquals\":{\"aws:x\":{\"a\":1}}}}}",
                 BW_POLICY_IDENTITY, "Condition values",
                 "$.Statement.Condition.StringEquals.aws:x");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
                 "\"Condition\":{\"StringEquals\":{\"aws:x\":[\"a\",null]}}}}",
                 BW_POLICY_IDENTITY, "Condition values",
                 "$.Statement.Condition.StringEquals.aws:x[1]");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
                 "\"Condition\":{\"NullIfExists\":{\"aws:x\":\"true\"}}}}",
                 BW_POLICY_IDENTITY, "Invalid Condition type",
                 "$.Statement.Condition.NullIfExists");
    expect_error("{" V "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
                 "\"Condition\":{\"StringEquals\":{\"nokey\":\"1\"}}}}",
                 BW_POLICY_IDENTITY, "vendor", "$.Statement.Condition.StringEquals.nokey");
}

static void test_size_limits(void **state)
{
    (void)state;
    /* 2,048 characters without whitespace for a session policy; whitespace is free */
    char doc[8192];
    const char *head =
        "{" V
        "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::";
    const char *tail = "\"}}";
    size_t base = strlen(head) + strlen(tail);
    size_t fill = 2048 - base;
    snprintf(doc, sizeof(doc), "%s%0*d%s", head, (int)fill, 0, tail);
    struct bw_policy *p = compile_ok(doc, BW_POLICY_SESSION);
    bw_policy_free(p);
    char spaced[16384];
    size_t o = 0;
    for (size_t i = 0; doc[i]; i++) {
        spaced[o++] = doc[i];
        if (doc[i] == ',')
            spaced[o++] = ' ', spaced[o++] = '\n';
    }
    spaced[o] = 0;
    p = compile_ok(spaced, BW_POLICY_SESSION);
    bw_policy_free(p);
    snprintf(doc, sizeof(doc), "%s%0*d%s", head, (int)fill + 1, 0, tail);
    struct bw_policy_diag d;
    assert_int_equal(bw_policy_compile(doc, strlen(doc), BW_POLICY_SESSION, NULL, 0, &p, &d, NULL),
                     BW_E_IAM_MALFORMED_POLICY);
    assert_true(d.too_large);
    assert_non_null(strstr(d.msg, "2048"));
    /* the caller may choose the limit (inline role policies: 10,240) */
    assert_int_equal(bw_policy_compile(doc, strlen(doc), BW_POLICY_IDENTITY, NULL,
                                       BW_POLICY_LIMIT_INLINE_ROLE, &p, &d, NULL),
                     BW_OK);
    bw_policy_free(p);
    assert_int_equal(bw_policy_kind_default_limit(BW_POLICY_SCP), 5120);
    assert_int_equal(bw_policy_kind_default_limit(BW_POLICY_IDENTITY), 6144);
}

static void test_accepts_shapes(void **state)
{
    (void)state;
    struct bw_policy *p =
        compile_ok("{\"Version\":\"2008-10-17\",\"Id\":\"x\",\"Statement\":[{\"Sid\":\"1\","
                   "\"Effect\":\"Allow\","
                   "\"Principal\":{\"AWS\":[\"111122223333\",\"arn:aws:iam::111122223333:role/"
                   "R\"],\"Service\":\"ec2.amazonaws.com\"},"
                   "\"NotAction\":[\"s3:Delete*\"],\"NotResource\":\"arn:aws:s3:::b/secret/*\","
                   "\"Condition\":{\"ForAnyValue:StringLikeIfExists\":{\"aws:TagKeys\":[\"a*\","
                   "\"b\"]},\"NumericLessThan\":{\"s3:max-keys\":10},"
                   "\"Bool\":{\"aws:SecureTransport\":true}}}]}",
                   BW_POLICY_RESOURCE);
    assert_int_equal(bw_policy_statement_count(p), 1);
    assert_int_equal(bw_policy_kind_of(p), BW_POLICY_RESOURCE);
    bw_policy_free(p);
    enum bw_policy_kind k;
    assert_true(bw_policy_kind_parse("scp", &k));
    assert_int_equal(k, BW_POLICY_SCP);
    assert_false(bw_policy_kind_parse("nope", &k));
}

/* Duplicate Sids: the later statement of the first duplicate in document order, with few
 * statements (compared directly) and many (sorted); a JSON path that would overflow the
 * 128-byte path buffer leaves out the component that does not fit, as IAM's paths are
 * rendered only for the error. */
static void test_sids_and_long_paths(void **state)
{
    (void)state;
    struct bw_buf b;
    struct bw_arena *a = bw_arena_new(0);
    const char *st = "{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Sid\":";
    expect_error("{" V
                 "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
                 "\"Sid\":\"A\"},{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
                 "\"Sid\":\"B\"},{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\","
                 "\"Sid\":\"A\"}]}",
                 BW_POLICY_IDENTITY, "must be unique", "$.Statement[2].Sid");
    for (int n = 12; n <= 20; n += 8) { /* B at 2 and 9, A at 5 and 12 (when present) */
        bw_buf_init(&b, a, 256);
        bw_buf_adds(&b, "{" V "\"Statement\":[");
        for (int i = 0; i < n; i++) {
            const char *sid = i == 2 || i == 9 ? "B" : i == 5 || i == 12 ? "A" : NULL;
            if (sid)
                bw_buf_printf(&b, "%s%s\"%s\"}", i ? "," : "", st, sid);
            else
                bw_buf_printf(&b, "%s%s\"S%d\"}", i ? "," : "", st, i);
        }
        bw_buf_adds(&b, "]}");
        expect_error(bw_buf_cstr(&b), BW_POLICY_IDENTITY, "must be unique", "$.Statement[9].Sid");
    }
    char key[200];
    memset(key, 'k', sizeof(key));
    for (int len = 60; len <= 120; len += 60) {
        bw_buf_init(&b, a, 256);
        bw_buf_printf(&b,
                      "{" V "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":"
                      "\"*\",\"Condition\":{\"StringEquals\":{\"aws:%.*s\":[1,{}]}}}]}",
                      len, key);
        char path[200];
        snprintf(path, sizeof(path), "$.Statement[0].Condition.StringEquals%s%.*s[1]",
                 len == 60 ? ".aws:" : "", len == 60 ? len : 0, key);
        expect_error(bw_buf_cstr(&b), BW_POLICY_IDENTITY, "Condition values must be", path);
    }
    bw_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure_errors), cmocka_unit_test(test_statement_errors),
        cmocka_unit_test(test_condition_errors), cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_accepts_shapes),   cmocka_unit_test(test_sids_and_long_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
