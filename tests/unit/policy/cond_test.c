// SPDX-License-Identifier: Apache-2.0
/*
 * Condition operators, one test per rule of the IAM User Guide pages "Condition
 * operators", "Single-valued vs. multivalued context keys" and "Policy variables":
 * absent keys, IfExists, negated operators as NOR, set operators on empty and missing
 * sets, numbers as strings, dates across ISO 8601 and epoch seconds, CIDR arithmetic,
 * ARN matching per segment, variables with defaults and escapes.
 */
#include "helpers.h"

#define ALLOW BW_POLICY_ALLOWED
#define DENY  BW_POLICY_IMPLICIT_DENY

/* Evaluates an Allow statement with the given Condition. */
static enum bw_policy_decision c(const char *cond, const char *ctx)
{
    char doc[2048];
    snprintf(doc, sizeof(doc),
             "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:"
             "GetObject\",\"Resource\":\"*\",\"Condition\":%s}}",
             cond);
    return eval_identity(doc, "s3:GetObject", "arn:aws:s3:::b/k", ctx);
}

static void test_string_equals(void **state)
{
    (void)state;
    assert_int_equal(
        c("{\"StringEquals\":{\"aws:PrincipalTag/team\":\"red\"}}", "aws:PrincipalTag/team=red"),
        ALLOW);
    /* values are case-sensitive, key names are not */
    assert_int_equal(
        c("{\"StringEquals\":{\"aws:PrincipalTag/team\":\"red\"}}", "aws:PrincipalTag/team=Red"),
        DENY);
    assert_int_equal(
        c("{\"StringEquals\":{\"AWS:principaltag/TEAM\":\"red\"}}", "aws:PrincipalTag/team=red"),
        ALLOW);
    /* several values OR-ed */
    assert_int_equal(c("{\"StringEquals\":{\"aws:PrincipalTag/team\":[\"blue\",\"red\"]}}",
                       "aws:PrincipalTag/team=red"),
                     ALLOW);
    /* `*` is literal under StringEquals */
    assert_int_equal(
        c("{\"StringEquals\":{\"aws:PrincipalTag/team\":\"r*\"}}", "aws:PrincipalTag/team=red"),
        DENY);
    assert_int_equal(
        c("{\"StringEquals\":{\"aws:PrincipalTag/team\":\"r*\"}}", "aws:PrincipalTag/team=r*"),
        ALLOW);
    /* absent key: positive operator false */
    assert_int_equal(c("{\"StringEquals\":{\"aws:PrincipalTag/team\":\"red\"}}", NULL), DENY);
    assert_int_equal(c("{\"StringEqualsIgnoreCase\":{\"aws:PrincipalTag/team\":\"RED\"}}",
                       "aws:PrincipalTag/team=red"),
                     ALLOW);
}

static void test_negated_is_nor(void **state)
{
    (void)state;
    const char *ne = "{\"StringNotEquals\":{\"aws:PrincipalTag/team\":[\"red\",\"blue\"]}}";
    assert_int_equal(c(ne, "aws:PrincipalTag/team=red"), DENY);
    assert_int_equal(c(ne, "aws:PrincipalTag/team=blue"), DENY);
    assert_int_equal(c(ne, "aws:PrincipalTag/team=green"), ALLOW);
    /* absent key: negated operator true */
    assert_int_equal(c(ne, NULL), ALLOW);
    assert_int_equal(
        c("{\"StringNotLike\":{\"aws:PrincipalTag/team\":\"r*\"}}", "aws:PrincipalTag/team=red"),
        DENY);
    assert_int_equal(c("{\"StringNotEqualsIgnoreCase\":{\"aws:PrincipalTag/team\":\"RED\"}}",
                       "aws:PrincipalTag/team=red"),
                     DENY);
}

static void test_like_wildcards(void **state)
{
    (void)state;
    const char *like = "{\"StringLike\":{\"s3:prefix\":\"home/*\"}}";
    assert_int_equal(c(like, "s3:prefix=home/alice/x"), ALLOW); /* `*` spans `/` */
    assert_int_equal(c(like, "s3:prefix=home/"), ALLOW);        /* and may match nothing */
    assert_int_equal(c(like, "s3:prefix=Home/x"), DENY);        /* case-sensitive */
    assert_int_equal(c(like, "s3:prefix=x/home/a"), DENY);      /* anchored */
    assert_int_equal(c("{\"StringLike\":{\"s3:prefix\":\"a?c\"}}", "s3:prefix=abc"), ALLOW);
    assert_int_equal(c("{\"StringLike\":{\"s3:prefix\":\"a?c\"}}", "s3:prefix=ac"), DENY);
    assert_int_equal(c("{\"StringLike\":{\"s3:prefix\":\"a?c\"}}", "s3:prefix=abbc"), DENY);
}

static void test_if_exists(void **state)
{
    (void)state;
    const char *ie =
        "{\"StringEqualsIfExists\":{\"ec2:InstanceType\":[\"t2.micro\",\"t2.small\"]}}";
    assert_int_equal(c(ie, NULL), ALLOW);
    assert_int_equal(c(ie, "ec2:InstanceType=t2.micro"), ALLOW);
    assert_int_equal(c(ie, "ec2:InstanceType=m5.large"), DENY);
    assert_int_equal(c("{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"true\"}}", NULL),
                     ALLOW);
    assert_int_equal(c("{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"true\"}}",
                       "aws:MultiFactorAuthPresent=false"),
                     DENY);
}

static void test_null(void **state)
{
    (void)state;
    assert_int_equal(c("{\"Null\":{\"aws:TokenIssueTime\":\"true\"}}", NULL), ALLOW);
    assert_int_equal(c("{\"Null\":{\"aws:TokenIssueTime\":\"true\"}}",
                       "aws:TokenIssueTime=2024-01-01T00:00:00Z"),
                     DENY);
    assert_int_equal(c("{\"Null\":{\"aws:TokenIssueTime\":\"false\"}}",
                       "aws:TokenIssueTime=2024-01-01T00:00:00Z"),
                     ALLOW);
    assert_int_equal(c("{\"Null\":{\"aws:TokenIssueTime\":false}}", NULL), DENY);
}

static void test_numeric(void **state)
{
    (void)state;
    const char *lt = "{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"3600\"}}";
    assert_int_equal(c(lt, "aws:MultiFactorAuthAge=100"), ALLOW);
    assert_int_equal(c(lt, "aws:MultiFactorAuthAge=3600"), DENY);
    assert_int_equal(c(lt, "aws:MultiFactorAuthAge=notanumber"), DENY);
    assert_int_equal(c("{\"NumericEquals\":{\"aws:MultiFactorAuthAge\":\"3600.0\"}}",
                       "aws:MultiFactorAuthAge=3600"),
                     ALLOW);
    assert_int_equal(c("{\"NumericEquals\":{\"aws:MultiFactorAuthAge\":3600}}",
                       "aws:MultiFactorAuthAge=3600.00"),
                     ALLOW);
    assert_int_equal(c("{\"NumericLessThanEquals\":{\"aws:MultiFactorAuthAge\":\"3600\"}}",
                       "aws:MultiFactorAuthAge=3600"),
                     ALLOW);
    assert_int_equal(c("{\"NumericGreaterThan\":{\"aws:MultiFactorAuthAge\":\"-1\"}}",
                       "aws:MultiFactorAuthAge=0"),
                     ALLOW);
    assert_int_equal(c("{\"NumericNotEquals\":{\"aws:MultiFactorAuthAge\":[\"1\",\"2\"]}}",
                       "aws:MultiFactorAuthAge=2"),
                     DENY);
    assert_int_equal(c("{\"NumericGreaterThanEquals\":{\"aws:MultiFactorAuthAge\":\"2\"}}",
                       "aws:MultiFactorAuthAge=2e0"),
                     ALLOW);
}

static void test_dates(void **state)
{
    (void)state;
    const char *lt = "{\"DateLessThan\":{\"aws:CurrentTime\":\"2024-06-01T12:00:00Z\"}}";
    assert_int_equal(c(lt, "aws:CurrentTime=2024-06-01T11:59:59Z"), ALLOW);
    assert_int_equal(c(lt, "aws:CurrentTime=2024-06-01T12:00:00Z"), DENY);
    /* dates compare across ISO 8601 and epoch seconds */
    assert_int_equal(c(lt, "aws:CurrentTime=1717243199"), ALLOW);
    assert_int_equal(c(lt, "aws:CurrentTime=1717243200"), DENY);
    assert_int_equal(c("{\"DateEquals\":{\"aws:EpochTime\":\"1717243200\"}}",
                       "aws:EpochTime=2024-06-01T12:00:00Z"),
                     ALLOW);
    /* offsets and date-only values */
    assert_int_equal(c("{\"DateEquals\":{\"aws:CurrentTime\":\"2024-06-01T14:00:00+02:00\"}}",
                       "aws:CurrentTime=2024-06-01T12:00:00Z"),
                     ALLOW);
    assert_int_equal(c("{\"DateGreaterThanEquals\":{\"aws:CurrentTime\":\"2024-06-01\"}}",
                       "aws:CurrentTime=2024-06-01T00:00:00Z"),
                     ALLOW);
    assert_int_equal(c("{\"DateNotEquals\":{\"aws:CurrentTime\":\"2024-06-01T12:00:00.000Z\"}}",
                       "aws:CurrentTime=2024-06-01T12:00:00Z"),
                     DENY);
    assert_int_equal(c(lt, "aws:CurrentTime=yesterday"), DENY);
}

static void test_bool_binary(void **state)
{
    (void)state;
    assert_int_equal(c("{\"Bool\":{\"aws:SecureTransport\":\"true\"}}", "aws:SecureTransport=true"),
                     ALLOW);
    assert_int_equal(c("{\"Bool\":{\"aws:SecureTransport\":true}}", "aws:SecureTransport=TRUE"),
                     ALLOW);
    assert_int_equal(
        c("{\"Bool\":{\"aws:SecureTransport\":\"false\"}}", "aws:SecureTransport=true"), DENY);
    assert_int_equal(c("{\"Bool\":{\"aws:SecureTransport\":\"false\"}}", NULL), DENY);
    assert_int_equal(
        c("{\"BinaryEquals\":{\"s3:key\":\"QmluYXJ5VmFsdWU=\"}}", "s3:key=QmluYXJ5VmFsdWU="),
        ALLOW);
}

static void test_ip(void **state)
{
    (void)state;
    const char *ip =
        "{\"IpAddress\":{\"aws:SourceIp\":[\"203.0.113.0/24\",\"2001:DB8:1234:5678::/64\"]}}";
    assert_int_equal(c(ip, "aws:SourceIp=203.0.113.77"), ALLOW);
    assert_int_equal(c(ip, "aws:SourceIp=203.0.114.1"), DENY);
    assert_int_equal(c(ip, "aws:SourceIp=2001:db8:1234:5678:0:0:0:1"),
                     ALLOW); /* compressed vs full, case */
    assert_int_equal(c(ip, "aws:SourceIp=2001:db8:1234:5679::1"), DENY);
    /* /0, default /32, host bits set */
    assert_int_equal(
        c("{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}", "aws:SourceIp=198.51.100.1"), ALLOW);
    assert_int_equal(c("{\"IpAddress\":{\"aws:SourceIp\":\"10.1.2.3\"}}", "aws:SourceIp=10.1.2.3"),
                     ALLOW);
    assert_int_equal(c("{\"IpAddress\":{\"aws:SourceIp\":\"10.1.2.3\"}}", "aws:SourceIp=10.1.2.4"),
                     DENY);
    assert_int_equal(
        c("{\"IpAddress\":{\"aws:SourceIp\":\"10.1.2.3/8\"}}", "aws:SourceIp=10.200.0.1"), ALLOW);
    assert_int_equal(
        c("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/9\"}}", "aws:SourceIp=10.128.0.1"), DENY);
    /* an IPv4 rule never matches an IPv6 source, so NotIpAddress does */
    assert_int_equal(
        c("{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}", "aws:SourceIp=2001:db8::1"), DENY);
    assert_int_equal(
        c("{\"NotIpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}", "aws:SourceIp=2001:db8::1"),
        ALLOW);
    assert_int_equal(
        c("{\"NotIpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}", "aws:SourceIp=203.0.113.9"),
        DENY);
    assert_int_equal(c("{\"IpAddress\":{\"aws:SourceIp\":\"::/0\"}}", "aws:SourceIp=2001:db8::1"),
                     ALLOW);
}

static void test_arn(void **state)
{
    (void)state;
    const char *al = "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:sns:*:111122223333:*\"}}";
    assert_int_equal(c(al, "aws:SourceArn=arn:aws:sns:us-east-1:111122223333:topic"), ALLOW);
    assert_int_equal(c(al, "aws:SourceArn=arn:aws:sns:us-east-1:444455556666:topic"), DENY);
    /* `*` does not span segments */
    assert_int_equal(c("{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:sns:*\"}}",
                       "aws:SourceArn=arn:aws:sns:us-east-1:1:t"),
                     DENY);
    assert_int_equal(c("{\"ArnEquals\":{\"aws:SourceArn\":\"arn:aws:s3:::bkt\"}}",
                       "aws:SourceArn=arn:aws:s3:::bkt"),
                     ALLOW);
    assert_int_equal(c("{\"ArnNotLike\":{\"aws:SourceArn\":\"arn:aws:s3:::b*\"}}",
                       "aws:SourceArn=arn:aws:s3:::bkt"),
                     DENY);
    assert_int_equal(c("{\"ArnNotEquals\":{\"aws:SourceArn\":\"arn:aws:s3:::bkt\"}}", NULL), ALLOW);
    assert_int_equal(
        c("{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:s3:::*\"}}", "aws:SourceArn=not-an-arn"),
        DENY);
}

static void test_set_operators(void **state)
{
    (void)state;
    const char *all = "{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"env\",\"team\"]}}";
    assert_int_equal(c(all, "aws:TagKeys=env|team"), ALLOW);
    assert_int_equal(c(all, "aws:TagKeys=env|cost"), DENY);
    /* ForAllValues: true on an absent or empty set */
    assert_int_equal(c(all, NULL), ALLOW);
    assert_int_equal(c(all, "aws:TagKeys=[]"), ALLOW);
    const char *any = "{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"env\",\"team\"]}}";
    assert_int_equal(c(any, "aws:TagKeys=cost|team"), ALLOW);
    assert_int_equal(c(any, "aws:TagKeys=cost"), DENY);
    /* ForAnyValue: false on an absent or empty set */
    assert_int_equal(c(any, NULL), DENY);
    assert_int_equal(c(any, "aws:TagKeys=[]"), DENY);
    /* ForAnyValue:...IfExists is true on an absent key */
    assert_int_equal(c("{\"ForAnyValue:StringEqualsIfExists\":{\"aws:TagKeys\":\"env\"}}", NULL),
                     ALLOW);
    /* negated under set operators */
    const char *allnot = "{\"ForAllValues:StringNotEquals\":{\"aws:TagKeys\":[\"secret\"]}}";
    assert_int_equal(c(allnot, "aws:TagKeys=env|team"), ALLOW);
    assert_int_equal(c(allnot, "aws:TagKeys=env|secret"), DENY);
    const char *anynot = "{\"ForAnyValue:StringNotEquals\":{\"aws:TagKeys\":[\"env\"]}}";
    assert_int_equal(c(anynot, "aws:TagKeys=env|team"), ALLOW);
    assert_int_equal(c(anynot, "aws:TagKeys=env"), DENY);
    /* a multivalued key without a set operator does not match */
    assert_int_equal(c("{\"StringEquals\":{\"aws:TagKeys\":\"env\"}}", "aws:TagKeys=env|team"),
                     DENY);
    assert_int_equal(
        c("{\"ForAllValues:StringLike\":{\"aws:TagKeys\":\"e*\"}}", "aws:TagKeys=env|eu"), ALLOW);
}

static void test_and_or(void **state)
{
    (void)state;
    /* several operators and several keys AND-ed */
    const char *two =
        "{\"StringEquals\":{\"aws:PrincipalTag/team\":\"red\",\"aws:RequestTag/env\":\"prod\"},"
        "\"Bool\":{\"aws:SecureTransport\":\"true\"}}";
    assert_int_equal(
        c(two, "aws:PrincipalTag/team=red;aws:RequestTag/env=prod;aws:SecureTransport=true"),
        ALLOW);
    assert_int_equal(
        c(two, "aws:PrincipalTag/team=red;aws:RequestTag/env=prod;aws:SecureTransport=false"),
        DENY);
    assert_int_equal(c(two, "aws:PrincipalTag/team=red;aws:SecureTransport=true"), DENY);
}

static void test_variables(void **state)
{
    (void)state;
    const char *v = "{\"StringEquals\":{\"aws:RequestTag/owner\":\"${aws:username}\"}}";
    assert_int_equal(c(v, "aws:RequestTag/owner=alice"), ALLOW);
    assert_int_equal(c(v, "aws:RequestTag/owner=bob"), DENY);
    assert_int_equal(
        c("{\"StringLike\":{\"s3:prefix\":\"home/${aws:username}/*\"}}", "s3:prefix=home/alice/a"),
        ALLOW);
    assert_int_equal(c("{\"StringEquals\":{\"aws:RequestTag/team\":\"${aws:PrincipalTag/team}\"}}",
                       "aws:PrincipalTag/team=red;aws:RequestTag/team=red"),
                     ALLOW);
    /* default values */
    assert_int_equal(
        c("{\"StringEquals\":{\"aws:RequestTag/team\":\"${aws:PrincipalTag/nope, 'none'}\"}}",
          "aws:RequestTag/team=none"),
        ALLOW);
    /* a variable with no value matches nothing: positive false, negated true */
    assert_int_equal(c("{\"StringEquals\":{\"aws:RequestTag/team\":\"${aws:PrincipalTag/nope}\"}}",
                       "aws:RequestTag/team="),
                     DENY);
    assert_int_equal(
        c("{\"StringNotEquals\":{\"aws:RequestTag/team\":\"${aws:PrincipalTag/nope}\"}}",
          "aws:RequestTag/team=x"),
        ALLOW);
    /* escapes give literal characters, also outside Like operators */
    assert_int_equal(c("{\"StringEquals\":{\"s3:prefix\":\"a${*}\"}}", "s3:prefix=a*"), ALLOW);
    assert_int_equal(c("{\"StringLike\":{\"s3:prefix\":\"a${*}\"}}", "s3:prefix=abc"), DENY);
    assert_int_equal(c("{\"StringLike\":{\"s3:prefix\":\"a${*}\"}}", "s3:prefix=a*"), ALLOW);
    assert_int_equal(c("{\"StringLike\":{\"s3:prefix\":\"a${?}\"}}", "s3:prefix=ab"), DENY);
    assert_int_equal(c("{\"StringEquals\":{\"s3:prefix\":\"${$}x\"}}", "s3:prefix=$x"), ALLOW);
    /* Bool takes variables too */
    assert_int_equal(c("{\"Bool\":{\"aws:SecureTransport\":\"${aws:PrincipalTag/tls}\"}}",
                       "aws:PrincipalTag/tls=true;aws:SecureTransport=true"),
                     ALLOW);
}

static void test_variables_2008(void **state)
{
    (void)state;
    /* Version 2008-10-17: no substitution, the text is literal */
    const char *doc =
        "{\"Version\":\"2008-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:"
        "GetObject\","
        "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"s3:prefix\":\"${aws:username}\"}}}}";
    assert_int_equal(eval_identity(doc, "s3:GetObject", "arn:aws:s3:::b/k", "s3:prefix=alice"),
                     DENY);
    assert_int_equal(
        eval_identity(doc, "s3:GetObject", "arn:aws:s3:::b/k", "s3:prefix=${aws:username}"), ALLOW);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_equals),
        cmocka_unit_test(test_negated_is_nor),
        cmocka_unit_test(test_like_wildcards),
        cmocka_unit_test(test_if_exists),
        cmocka_unit_test(test_null),
        cmocka_unit_test(test_numeric),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_bool_binary),
        cmocka_unit_test(test_ip),
        cmocka_unit_test(test_arn),
        cmocka_unit_test(test_set_operators),
        cmocka_unit_test(test_and_or),
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_variables_2008),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
