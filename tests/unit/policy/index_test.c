/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiled shortcuts of round 5 decide exactly as the plain definitions: the per-service
 * statement lists merged with the any-service statements at compile time (explanations list
 * matches in statement order), the per-statement service mask that dismisses Action and
 * NotAction lists naming other services (including two services sharing an index bit), the
 * per-pattern service bit, the request values parsed once per key for the typed operators
 * while other operators on the same key still see the string, the compile-time
 * classification of aws:PrincipalTag/ and aws:ResourceTag/ keys (a caller's context key of
 * that name still wins), and the direct path for plain conditions on well-known keys.
 */
#include "helpers.h"

#include "policy/internal.h"

/* Evaluates one identity policy; writes the matched statement indexes into idx ("" if none). */
static enum bw_policy_decision matches(const char *doc, const char *action, const char *ctx,
                                       char *idx, size_t cap)
{
    struct tctx t;
    tctx_parse(&t, ctx);
    struct bw_policy *p = compile_ok(doc, BW_POLICY_IDENTITY);
    const struct bw_policy *ps[] = {p};
    struct bw_policy_request r = user_request(action, "arn:aws:s3:::bucket/key", &t);
    struct bw_policy_match m[16];
    struct bw_policy_explain ex = {.matches = m, .cap = 16};
    enum bw_policy_decision d = bw_policy_evaluate_only(ps, 1, BW_SRC_IDENTITY, &r, &ex);
    size_t o = 0;
    idx[0] = 0;
    for (size_t i = 0; i < ex.n_matches && i < 16 && o + 4 < cap; i++)
        o += (size_t)snprintf(idx + o, cap - o, "%s%u", i ? "," : "", m[i].index);
    bw_policy_free(p);
    return d;
}

#define S(effect, act) "{\"Effect\":\"" effect "\"," act ",\"Resource\":\"*\"}"
#define DOC(...)       "{\"Version\":\"2012-10-17\",\"Statement\":[" __VA_ARGS__ "]}"

static const char
    *const mixed =
        DOC(S("Allow", "\"Action\":\"s3:Get*\"") "," S("Deny", "\"NotAction\":[\"iam:*\",\"sts:*"
                                                               "\"]") "," S("Allow", "\"Action\":"
                                                                                     "\"*\"") "," S(
            "Allow",
            "\"Action\":\"ec2:*\"") "," S("Allow",
                                          "\"Action\":\"S*:GET*\"") "," S("Deny", "\"Action\":\"s3:"
                                                                                  "getobject\""));

static void check(const char *doc, const char *action, enum bw_policy_decision want,
                  const char *want_idx)
{
    char idx[128];
    enum bw_policy_decision d = matches(doc, action, NULL, idx, sizeof(idx));
    if (d != want || strcmp(idx, want_idx) != 0)
        fail_msg("%s: got %s [%s], want %s [%s]", action, bw_policy_decision_name(d), idx,
                 bw_policy_decision_name(want), want_idx);
}

/* Statements naming the request's service, naming any service ("*", a wildcard in the
 * service part, NotAction) and Deny statements, in statement order; case-insensitive. */
static void test_merged_lists_keep_statement_order(void **state)
{
    (void)state;
    check(mixed, "S3:GetObject", BW_POLICY_EXPLICIT_DENY, "0,1,2,4,5");
    check(mixed, "s3:putobject", BW_POLICY_EXPLICIT_DENY, "1,2");
    check(mixed, "iam:GetUser", BW_POLICY_ALLOWED, "2");
    check(mixed, "ec2:RunInstances", BW_POLICY_EXPLICIT_DENY, "1,2,3");
    check(mixed, "STS:AssumeRole", BW_POLICY_ALLOWED, "2");
    check(mixed, "sqs:GetQueueUrl", BW_POLICY_EXPLICIT_DENY, "1,2,4");
    check(mixed, "s3", BW_POLICY_EXPLICIT_DENY, "1,2");
}

/* dynamodb and sns share index bit 43, sqs and iam bit 32: the service mask and pattern bit
 * only ever dismiss, the pattern still decides. */
static void test_services_sharing_a_bit(void **state)
{
    (void)state;
    assert_int_equal(bw_policy__svc_bitno("dynamodb", 8), bw_policy__svc_bitno("SNS", 3));
    assert_int_equal(bw_policy__svc_bitno("sqs", 3), bw_policy__svc_bitno("iam", 3));
    const char *doc = DOC(S("Deny", "\"NotAction\":\"sns:*\"") "," S(
        "Allow", "\"Action\":[\"iam:Get*\",\"sns:Publish\"]") "," S("Allow",
                                                                    "\"Action\":\"sqs:*\""));
    check(doc, "dynamodb:GetItem", BW_POLICY_EXPLICIT_DENY, "0");
    check(doc, "SNS:PUBLISH", BW_POLICY_ALLOWED, "1");
    check(doc, "sqs:GetQueueUrl", BW_POLICY_EXPLICIT_DENY, "0,2");
    check(doc, "iam:getuser", BW_POLICY_EXPLICIT_DENY, "0,1");
    check(doc, "sns:Subscribe", BW_POLICY_IMPLICIT_DENY, "");
}

/* Action arrays may not be empty (so no statement has an empty service mask). */
static void test_empty_action_arrays_rejected(void **state)
{
    (void)state;
    const char *docs[] = {DOC(S("Allow", "\"Action\":[]")), DOC(S("Deny", "\"NotAction\":[]"))};
    for (size_t i = 0; i < 2; i++) {
        struct bw_policy *p = NULL;
        struct bw_policy_diag d;
        assert_int_not_equal(
            bw_policy_compile(docs[i], strlen(docs[i]), BW_POLICY_IDENTITY, "t", 0, &p, &d, NULL),
            BW_OK);
        assert_null(p);
    }
}

#define C(cond)                                                                                    \
    "{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":" cond "}"

static enum bw_policy_decision cond_decide(const char *cond, const char *ctx)
{
    char idx[64];
    char doc[1024];
    snprintf(doc, sizeof(doc), DOC("%s"), cond);
    return matches(doc, "s3:GetObject", ctx, idx, sizeof(idx));
}

/* One key, several operators in one evaluation: the parsed forms are per type, and an
 * operator on strings still sees the string. */
static void test_typed_values_per_key(void **state)
{
    (void)state;
    const enum bw_policy_decision ok = BW_POLICY_ALLOWED, no = BW_POLICY_IMPLICIT_DENY;
    const char *ip =
        C("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"},\"StringEquals\":{"
          "\"aws:SourceIp\":\"10.1.2.3\"},\"StringLike\":{\"aws:sourceip\":\"10.*\"}}");
    assert_int_equal(cond_decide(ip, "aws:SourceIp=10.1.2.3"), ok);
    assert_int_equal(cond_decide(ip, "aws:SourceIp=11.1.2.3"), no);
    const char *notip = C("{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"},\"StringEquals\":{"
                          "\"aws:SourceIp\":\"not-an-ip\"}}");
    assert_int_equal(cond_decide(notip, "aws:SourceIp=not-an-ip"), ok);
    const char *b = C("{\"Bool\":{\"aws:SecureTransport\":\"true\"},\"StringEquals\":{"
                      "\"aws:SecureTransport\":\"TRUE\"}}");
    assert_int_equal(cond_decide(b, "aws:SecureTransport=TRUE"), ok);
    assert_int_equal(cond_decide(b, "aws:SecureTransport=true"), no);
    const char *bad = C("{\"Bool\":{\"aws:SecureTransport\":\"false\"}}");
    assert_int_equal(cond_decide(bad, "aws:SecureTransport=yes"), no);
    const char *num = C("{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"7200\"},"
                        "\"StringEquals\":{\"aws:MultiFactorAuthAge\":\"3600.0\"}}");
    assert_int_equal(cond_decide(num, "aws:MultiFactorAuthAge=3600.0"), ok);
    assert_int_equal(cond_decide(num, "aws:MultiFactorAuthAge=9000"), no);
    const char *date = C("{\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"},"
                         "\"DateGreaterThan\":{\"aws:currenttime\":\"1700000000\"}}");
    assert_int_equal(cond_decide(date, "aws:CurrentTime=2026-11-27T04:00:00Z"), ok);
    assert_int_equal(cond_decide(date, "aws:CurrentTime=2031-01-01T00:00:00Z"), no);
    /* Multivalued values go through the set operators, each value parsed on its own. */
    const char *any = C("{\"ForAnyValue:IpAddress\":{\"aws:SourceIp\":\"192.168.0.0/16\"}}");
    assert_int_equal(cond_decide(any, "aws:SourceIp=10.0.0.1|192.168.1.1"), ok);
    assert_int_equal(cond_decide(any, "aws:SourceIp=10.0.0.1|x"), no);
    /* Negated operators on an absent key, IfExists, in the direct path. */
    assert_int_equal(cond_decide(C("{\"StringNotEquals\":{\"aws:RequestedRegion\":\"x\"}}"), NULL),
                     ok);
    assert_int_equal(cond_decide(C("{\"StringEquals\":{\"aws:RequestedRegion\":\"x\"}}"), NULL),
                     no);
    assert_int_equal(
        cond_decide(C("{\"StringEqualsIfExists\":{\"aws:RequestedRegion\":\"x\"}}"), NULL), ok);
}

/* Tag keys: the caller's context key of the same name wins over the principal's or the
 * resource's tags; the tag name is matched case-insensitively. */
static void test_tag_keys(void **state)
{
    (void)state;
    const char *doc = DOC(C("{\"StringEquals\":{\"aws:PrincipalTag/Team\":\"blue\","
                            "\"aws:ResourceTag/stage\":\"prod\"}}"));
    struct bw_policy *p = compile_ok(doc, BW_POLICY_IDENTITY);
    const struct bw_policy *ps[] = {p};
    const struct bw_policy_tag ptags[] = {{BW_STR("team"), BW_STR("red")}},
                               rtags[] = {{BW_STR("STAGE"), BW_STR("prod")}};
    struct tctx t;
    tctx_parse(&t, "aws:principaltag/team=blue");
    struct bw_policy_request r = user_request("s3:GetObject", "arn:aws:s3:::b/k", &t);
    r.principal.tags = ptags;
    r.principal.n_tags = 1;
    r.resource.tags = rtags;
    r.resource.n_tags = 1;
    assert_int_equal(bw_policy_evaluate_only(ps, 1, BW_SRC_IDENTITY, &r, NULL), BW_POLICY_ALLOWED);
    r.n_ctx = 0; /* the principal's own tag: red */
    assert_int_equal(bw_policy_evaluate_only(ps, 1, BW_SRC_IDENTITY, &r, NULL),
                     BW_POLICY_IMPLICIT_DENY);
    bw_policy_free(p);
}

/* A 2008-10-17 policy has no variables: "${aws:username}" is a literal value. */
static void test_literal_variables_2008(void **state)
{
    (void)state;
    const char *doc = "{\"Version\":\"2008-10-17\",\"Statement\":[" C(
        "{\"StringEquals\":{\"aws:RequestedRegion\":\"${aws:username}\"}}") "]}";
    char idx[64];
    assert_int_equal(matches(doc, "s3:GetObject", "aws:RequestedRegion=${aws:username}", idx, 64),
                     BW_POLICY_ALLOWED);
    assert_int_equal(matches(doc, "s3:GetObject", "aws:RequestedRegion=alice", idx, 64),
                     BW_POLICY_IMPLICIT_DENY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merged_lists_keep_statement_order),
        cmocka_unit_test(test_services_sharing_a_bit),
        cmocka_unit_test(test_empty_action_arrays_rejected),
        cmocka_unit_test(test_typed_values_per_key),
        cmocka_unit_test(test_tag_keys),
        cmocka_unit_test(test_literal_variables_2008),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
