// SPDX-License-Identifier: Apache-2.0
/*
 * The evaluation logic, from the IAM User Guide pages "Policy evaluation logic" and
 * "Cross-account policy evaluation logic" and the Organizations pages on SCP and RCP
 * evaluation: explicit deny first, every SCP level needs an Allow, SCPs skip the
 * management account, same-account vs cross-account resource policies, the user/session
 * vs role grant difference under boundaries and session policies, federated sessions,
 * and the explanation (matched statements, denying policy type and SCP level).
 */
#include "helpers.h"

#define A "111122223333"
#define B "444455556666"
#define ALLOW_ALL                                                                                  \
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","            \
    "\"Resource\":\"*\"}}"
#define ALLOW_S3                                                                                   \
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"S3\",\"Effect\":\"Allow\",\"Action\":"   \
    "\"s3:*\",\"Resource\":\"*\"}}"
#define ALLOW_EC2                                                                                  \
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"ec2:*\","        \
    "\"Resource\":\"*\"}}"

struct fx {
    struct bw_policy *owned[32];
    size_t n;
};

static const struct bw_policy *own(struct fx *f, const char *json, enum bw_policy_kind k)
{
    struct bw_policy *p = compile_ok(json, k);
    f->owned[f->n++] = p;
    return p;
}

static void fx_free(struct fx *f)
{
    for (size_t i = 0; i < f->n; i++)
        bw_policy_free(f->owned[i]);
}

static struct bw_policy_request session_request(const char *action, const char *res,
                                                const char *res_account)
{
    struct bw_policy_request r = user_request(action, res, NULL);
    r.principal.type = BW_PRINCIPAL_ASSUMED_ROLE;
    r.principal.arn = BW_STR("arn:aws:sts::" A ":assumed-role/App/s1");
    r.principal.issuer_arn = BW_STR("arn:aws:iam::" A ":role/App");
    r.principal.username = BW_STR("");
    r.resource.account = bw_str_c(res_account);
    return r;
}

static void test_explicit_deny_wins(void **state)
{
    (void)state;
    struct fx f = {0};
    const struct bw_policy *id[] = {
        own(&f, ALLOW_S3, BW_POLICY_IDENTITY),
        own(&f,
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"NoDelete\",\"Effect\":\"Deny\","
            "\"Action\":\"s3:Delete*\",\"Resource\":\"*\"}]}",
            BW_POLICY_IDENTITY)};
    struct bw_policy_set set = {.identity = id, .n_identity = 2};
    struct bw_policy_match m[8];
    struct bw_policy_explain ex = {.matches = m, .cap = 8};
    struct bw_policy_request r = user_request("s3:DeleteObject", "arn:aws:s3:::b/k", NULL);
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_EXPLICIT_DENY);
    assert_int_equal(ex.denied_by, BW_SRC_IDENTITY);
    assert_int_equal(ex.n_matches, 2);
    assert_true(bw_str_eqc(m[1].sid, "NoDelete"));
    assert_true(m[1].deny);
    r.action = BW_STR("S3:getobject"); /* action names are case-insensitive */
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_ALLOWED);
    assert_int_equal(ex.n_matches, 1);
    assert_true(bw_str_eqc(m[0].sid, "S3"));
    r.action = BW_STR("ec2:RunInstances");
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_IMPLICIT_DENY);
    assert_int_equal(ex.denied_by, BW_SRC_IDENTITY);
    char msg[512];
    bw_policy_denial_message(&r, BW_POLICY_IMPLICIT_DENY, &ex, msg, sizeof(msg));
    assert_string_equal(msg, "User: arn:aws:iam::" A ":user/alice is not authorized to perform: "
                             "ec2:RunInstances on resource: arn:aws:s3:::b/k because no "
                             "identity-based policy allows the ec2:RunInstances action");
    fx_free(&f);
}

static void test_deny_not_action_denies_other_services(void **state)
{
    (void)state;
    const char *doc = "{\"Version\":\"2012-10-17\",\"Statement\":["
                      "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
                      "{\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}]}";
    assert_int_equal(eval_identity(doc, "s3:GetObject", "arn:aws:s3:::b/k", NULL),
                     BW_POLICY_EXPLICIT_DENY);
    assert_int_equal(eval_identity(doc, "iam:GetUser", "arn:aws:iam::" A ":user/alice", NULL),
                     BW_POLICY_ALLOWED);
}

static void test_resource_matching(void **state)
{
    (void)state;
    const char *doc =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
        "\"Resource\":[\"arn:aws:s3:::bkt/${aws:username}/*\",\"arn:aws:dynamodb:*:" A
        ":table/T?\"]}}";
    assert_int_equal(eval_identity(doc, "s3:GetObject", "arn:aws:s3:::bkt/alice/a/b.txt", NULL),
                     BW_POLICY_ALLOWED);
    assert_int_equal(eval_identity(doc, "s3:GetObject", "arn:aws:s3:::bkt/bob/a", NULL),
                     BW_POLICY_IMPLICIT_DENY);
    assert_int_equal(eval_identity(doc, "s3:GetObject", "arn:aws:s3:::BKT/alice/a", NULL),
                     BW_POLICY_IMPLICIT_DENY);
    assert_int_equal(
        eval_identity(doc, "s3:GetItem", "arn:aws:dynamodb:us-east-1:" A ":table/T1", NULL),
        BW_POLICY_ALLOWED);
    assert_int_equal(
        eval_identity(doc, "s3:GetItem", "arn:aws:dynamodb:us-east-1:" A ":table/T12", NULL),
        BW_POLICY_IMPLICIT_DENY);
    /* region wildcard matches within its segment only */
    assert_int_equal(
        eval_identity(doc, "s3:GetItem", "arn:aws:dynamodb:us-east-1:" B ":table/T1", NULL),
        BW_POLICY_IMPLICIT_DENY);
    /* variables are substituted only in the resource part of an ARN */
    const char *acct =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sqs:*\","
        "\"Resource\":\"arn:aws:sqs:us-east-1:${aws:PrincipalAccount}:q\"}}";
    assert_int_equal(eval_identity(acct, "sqs:SendMessage", "arn:aws:sqs:us-east-1:" A ":q",
                                   "aws:PrincipalAccount=" A),
                     BW_POLICY_IMPLICIT_DENY);
    const char *nr = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
                     "\"s3:*\",\"NotResource\":\"arn:aws:s3:::secret/*\"}}";
    assert_int_equal(eval_identity(nr, "s3:GetObject", "arn:aws:s3:::bkt/x", NULL),
                     BW_POLICY_ALLOWED);
    assert_int_equal(eval_identity(nr, "s3:GetObject", "arn:aws:s3:::secret/x", NULL),
                     BW_POLICY_IMPLICIT_DENY);
}

static void test_scp_every_level(void **state)
{
    (void)state;
    struct fx f = {0};
    const struct bw_policy *id[] = {own(&f, ALLOW_ALL, BW_POLICY_IDENTITY)};
    const struct bw_policy *root[] = {own(&f, ALLOW_ALL, BW_POLICY_SCP)};
    const struct bw_policy *ou[] = {own(&f, ALLOW_EC2, BW_POLICY_SCP)};
    const struct bw_policy *acct[] = {own(&f, ALLOW_ALL, BW_POLICY_SCP)};
    struct bw_policy_level lv[] = {{root, 1}, {ou, 1}, {acct, 1}};
    struct bw_policy_set set = {.identity = id, .n_identity = 1, .scps = lv, .n_scp_levels = 3};
    struct bw_policy_match m[8];
    struct bw_policy_explain ex = {.matches = m, .cap = 8};
    struct bw_policy_request r = user_request("s3:GetObject", "arn:aws:s3:::b/k", NULL);
    /* the OU level does not allow s3: implicit deny at level 1, even with FullAWSAccess elsewhere
     */
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_IMPLICIT_DENY);
    assert_int_equal(ex.denied_by, BW_SRC_SCP);
    assert_int_equal(ex.level, 1);
    char msg[512];
    bw_policy_denial_message(&r, BW_POLICY_IMPLICIT_DENY, &ex, msg, sizeof(msg));
    assert_non_null(
        strstr(msg, "because no service control policy allows the s3:GetObject action"));
    r.action = BW_STR("ec2:RunInstances");
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_ALLOWED);
    /* the management account is not subject to SCPs */
    set.is_management_account = true;
    r.action = BW_STR("s3:GetObject");
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_ALLOWED);
    /* the root user of a member account is */
    set.is_management_account = false;
    r.principal.type = BW_PRINCIPAL_ROOT;
    r.principal.arn = BW_STR("arn:aws:iam::" A ":root");
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_IMPLICIT_DENY);
    /* an empty level allows nothing */
    struct bw_policy_level lv2[] = {{root, 1}, {NULL, 0}};
    set.scps = lv2;
    set.n_scp_levels = 2;
    r.action = BW_STR("ec2:RunInstances");
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_IMPLICIT_DENY);
    assert_int_equal(ex.level, 1);
    fx_free(&f);
}

static void test_scp_deny_and_limits_resource_policy(void **state)
{
    (void)state;
    struct fx f = {0};
    const struct bw_policy *root[] = {own(&f, ALLOW_EC2, BW_POLICY_SCP)};
    struct bw_policy_level lv[] = {{root, 1}};
    const struct bw_policy *rp =
        own(&f,
            "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
            "\"Principal\":{\"AWS\":\"arn:aws:iam::" A
            ":user/alice\"},\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
            BW_POLICY_RESOURCE);
    struct bw_policy_set set = {.scps = lv, .n_scp_levels = 1, .resource = rp};
    struct bw_policy_request r = user_request("s3:GetObject", "arn:aws:s3:::b/k", NULL);
    /* a missing SCP Allow also limits what resource policies grant */
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_IMPLICIT_DENY);
    set.n_scp_levels = 0;
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    const struct bw_policy *deny[] = {
        own(&f,
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
            "\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
            BW_POLICY_SCP)};
    struct bw_policy_level lv2[] = {{root, 1}, {deny, 1}};
    set.scps = lv2;
    set.n_scp_levels = 2;
    struct bw_policy_explain ex = {0};
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_EXPLICIT_DENY);
    assert_int_equal(ex.denied_by, BW_SRC_SCP);
    assert_int_equal(ex.level, 1);
    fx_free(&f);
}

static void test_rcp(void **state)
{
    (void)state;
    struct fx f = {0};
    const struct bw_policy *id[] = {own(&f, ALLOW_ALL, BW_POLICY_IDENTITY)};
    const struct bw_policy *rcp[] = {
        own(&f,
            "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\","
            "\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"BoolIfExists\":{\"aws:"
            "SecureTransport\":\"false\"}}}}",
            BW_POLICY_RCP)};
    /* RCPFullAWSAccess is implied at every level: an empty level denies nothing */
    struct bw_policy_level lv[] = {{NULL, 0}, {rcp, 1}};
    struct bw_policy_set set = {.identity = id, .n_identity = 1, .rcps = lv, .n_rcp_levels = 2};
    struct tctx t;
    tctx_parse(&t, "aws:SecureTransport=true");
    struct bw_policy_request r = user_request("s3:GetObject", "arn:aws:s3:::b/k", &t);
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    tctx_parse(&t, "aws:SecureTransport=false");
    struct bw_policy_explain ex = {0};
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_EXPLICIT_DENY);
    assert_int_equal(ex.denied_by, BW_SRC_RCP);
    assert_int_equal(ex.level, 1);
    /* RCPs do not apply to resources of the management account */
    set.resource_in_management_account = true;
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    set.resource_in_management_account = false;
    set.is_management_account = true; /* same-account request in the management account */
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    r.resource.account = BW_STR(B); /* a management-account principal on a member's resource */
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_EXPLICIT_DENY);
    fx_free(&f);
}

static const struct bw_policy *bucket_policy(struct fx *f, const char *principal)
{
    char doc[512];
    snprintf(doc, sizeof(doc),
             "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":%s,"
             "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}}",
             principal);
    return own(f, doc, BW_POLICY_RESOURCE);
}

static void test_same_account_resource_policy(void **state)
{
    (void)state;
    struct fx f = {0};
    struct bw_policy_set set = {
        .resource = bucket_policy(&f, "{\"AWS\":\"arn:aws:iam::" A ":user/alice\"}")};
    struct bw_policy_request r = user_request("s3:GetObject", "arn:aws:s3:::b/k", NULL);
    /* same account: the resource policy alone suffices */
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    /* ... and a boundary's implicit deny does not limit a grant to the user ARN */
    const struct bw_policy *pb[] = {own(&f, ALLOW_EC2, BW_POLICY_BOUNDARY)};
    set.boundaries = pb;
    set.n_boundaries = 1;
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    /* a grant to the account only delegates to identity policies */
    set.resource = bucket_policy(&f, "{\"AWS\":\"" A "\"}");
    set.n_boundaries = 0;
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_IMPLICIT_DENY);
    const struct bw_policy *id[] = {own(&f, ALLOW_S3, BW_POLICY_IDENTITY)};
    set.identity = id;
    set.n_identity = 1;
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    fx_free(&f);
}

static void test_role_vs_session_grant(void **state)
{
    (void)state;
    struct fx f = {0};
    const struct bw_policy *pb[] = {own(&f, ALLOW_EC2, BW_POLICY_BOUNDARY)};
    const struct bw_policy *sp[] = {own(&f, ALLOW_EC2, BW_POLICY_SESSION)};
    struct bw_policy_request r = session_request("s3:GetObject", "arn:aws:s3:::b/k", A);
    /* grant to the role ARN: limited by the boundary's implicit deny */
    struct bw_policy_set set = {.resource =
                                    bucket_policy(&f, "{\"AWS\":\"arn:aws:iam::" A ":role/App\"}")};
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    set.boundaries = pb;
    set.n_boundaries = 1;
    struct bw_policy_explain ex = {0};
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_IMPLICIT_DENY);
    assert_int_equal(ex.denied_by, BW_SRC_IDENTITY);
    /* ... and by a session policy's */
    set.n_boundaries = 0;
    set.session = sp;
    set.n_session = 1;
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_IMPLICIT_DENY);
    /* grant to the session ARN: neither limits it */
    set.resource = bucket_policy(&f, "{\"AWS\":\"arn:aws:sts::" A ":assumed-role/App/s1\"}");
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    set.boundaries = pb;
    set.n_boundaries = 1;
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    fx_free(&f);
}

static void test_cross_account(void **state)
{
    (void)state;
    struct fx f = {0};
    struct bw_policy_request r = user_request("s3:GetObject", "arn:aws:s3:::b/k", NULL);
    r.resource.account = BW_STR(B);
    const struct bw_policy *id[] = {own(&f, ALLOW_S3, BW_POLICY_IDENTITY)};
    struct bw_policy_set set = {.identity = id, .n_identity = 1};
    struct bw_policy_explain ex = {0};
    /* identity alone is not enough across accounts */
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_IMPLICIT_DENY);
    assert_int_equal(ex.denied_by, BW_SRC_RESOURCE);
    /* nor the resource policy alone */
    set.resource = bucket_policy(&f, "{\"AWS\":\"arn:aws:iam::" A ":root\"}");
    set.n_identity = 0;
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_IMPLICIT_DENY);
    assert_int_equal(ex.denied_by, BW_SRC_IDENTITY);
    /* both: allowed (the account grant trusts the account's identity policies) */
    set.n_identity = 1;
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    /* a grant to another account does not apply */
    set.resource = bucket_policy(&f, "{\"AWS\":\"" B "\"}");
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_IMPLICIT_DENY);
    fx_free(&f);
}

static void test_federated_needs_session_policy(void **state)
{
    (void)state;
    struct fx f = {0};
    const struct bw_policy *id[] = {own(&f, ALLOW_ALL, BW_POLICY_IDENTITY)};
    const struct bw_policy *sp[] = {own(&f, ALLOW_S3, BW_POLICY_SESSION)};
    struct bw_policy_set set = {.identity = id, .n_identity = 1};
    struct bw_policy_request r = user_request("s3:GetObject", "arn:aws:s3:::b/k", NULL);
    r.principal.type = BW_PRINCIPAL_FEDERATED;
    r.principal.arn = BW_STR("arn:aws:sts::" A ":federated-user/fed");
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_IMPLICIT_DENY);
    set.session = sp;
    set.n_session = 1;
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    r.action = BW_STR("ec2:RunInstances");
    struct bw_policy_explain ex = {0};
    assert_int_equal(bw_policy_evaluate(&set, &r, &ex), BW_POLICY_IMPLICIT_DENY);
    assert_int_equal(ex.denied_by, BW_SRC_SESSION);
    fx_free(&f);
}

static void test_anonymous_and_service(void **state)
{
    (void)state;
    struct fx f = {0};
    struct bw_policy_request r = {0};
    r.action = BW_STR("s3:GetObject");
    r.resource.arn = BW_STR("arn:aws:s3:::b/k");
    r.resource.account = BW_STR(A);
    struct bw_policy_set set = {.resource = bucket_policy(&f, "\"*\"")};
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    set.resource = bucket_policy(&f, "{\"AWS\":\"" A "\"}");
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_IMPLICIT_DENY);
    r.principal.type = BW_PRINCIPAL_SERVICE;
    r.principal.arn = BW_STR("cloudtrail.amazonaws.com");
    set.resource = bucket_policy(&f, "{\"Service\":\"cloudtrail.amazonaws.com\"}");
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    fx_free(&f);
}

static void test_not_principal(void **state)
{
    (void)state;
    struct fx f = {0};
    const struct bw_policy *id[] = {own(&f, ALLOW_S3, BW_POLICY_IDENTITY)};
#define TMPL                                                                                       \
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":%s}" \
    ","                                                                                            \
    "\"Action\":\"s3:*\",\"Resource\":\"*\"}}"
    char doc[512];
    snprintf(doc, sizeof(doc), TMPL,
             "[\"arn:aws:iam::" A ":user/alice\",\"arn:aws:iam::" A ":root\"]");
    struct bw_policy_set set = {
        .identity = id, .n_identity = 1, .resource = own(&f, doc, BW_POLICY_RESOURCE)};
    struct bw_policy_request r = user_request("s3:GetObject", "arn:aws:s3:::b/k", NULL);
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    /* the account ARN alone does not exclude the user */
    snprintf(doc, sizeof(doc), TMPL, "\"arn:aws:iam::" A ":root\"");
    set.resource = own(&f, doc, BW_POLICY_RESOURCE);
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_EXPLICIT_DENY);
    fx_free(&f);
}

static void test_evaluate_only(void **state)
{
    (void)state;
    struct fx f = {0};
    const struct bw_policy *ps[] = {own(&f, ALLOW_S3, BW_POLICY_IDENTITY),
                                    own(&f, ALLOW_ALL, BW_POLICY_IDENTITY)};
    struct bw_policy_match m[1];
    struct bw_policy_explain ex = {.matches = m, .cap = 1};
    struct bw_policy_request r = user_request("s3:GetObject", "arn:aws:s3:::b/k", NULL);
    assert_int_equal(bw_policy_evaluate_only(ps, 2, BW_SRC_IDENTITY, &r, &ex), BW_POLICY_ALLOWED);
    assert_int_equal(ex.n_matches, 2); /* counted even beyond the caller's capacity */
    assert_ptr_equal(m[0].policy, ps[0]);
    fx_free(&f);
}

static bool ctx_cb(void *arg, struct bw_str key, const struct bw_str **values, size_t *n)
{
    static const struct bw_str ip[] = {BW_STR("203.0.113.9")};
    int *calls = arg;
    (*calls)++;
    if (!bw_str_eqc(key, "aws:sourceip"))
        return false;
    *values = ip;
    *n = 1;
    return true;
}

static void test_context_sources(void **state)
{
    (void)state;
    const char *doc =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
        "\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"},"
        "\"StringEquals\":{\"aws:PrincipalTag/Team\":\"red\",\"s3:k19\":\"v\"}}}}";
    struct fx f = {0};
    const struct bw_policy *id[] = {own(&f, doc, BW_POLICY_IDENTITY)};
    struct bw_policy_set set = {.identity = id, .n_identity = 1};
    const struct bw_policy_tag tags[] = {{BW_STR("team"), BW_STR("red")}}; /* tag keys: any case */
    int calls = 0;
    struct tctx t;
    tctx_parse(&t, "s3:k19=v");
    struct bw_policy_request r = user_request("s3:GetObject", "arn:aws:s3:::b/k", &t);
    r.principal.tags = tags;
    r.principal.n_tags = 1;
    r.ctx_fn = ctx_cb; /* consulted after the array */
    r.ctx_arg = &calls;
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    assert_true(calls > 0);
    /* more keys than the per-evaluation hash table holds: the slow path finds them too */
    struct bw_policy_ctx_key many[20];
    static const struct bw_str v[] = {BW_STR("v")};
    char names[20][16];
    for (int i = 0; i < 20; i++) {
        snprintf(names[i], sizeof(names[i]), "S3:K%d", i);
        many[i] = (struct bw_policy_ctx_key){bw_str_c(names[i]), v, 1};
    }
    r.ctx = many;
    r.n_ctx = 20;
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_ALLOWED);
    r.n_ctx = 19; /* s3:k19 absent */
    assert_int_equal(bw_policy_evaluate(&set, &r, NULL), BW_POLICY_IMPLICIT_DENY);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explicit_deny_wins),
        cmocka_unit_test(test_deny_not_action_denies_other_services),
        cmocka_unit_test(test_resource_matching),
        cmocka_unit_test(test_scp_every_level),
        cmocka_unit_test(test_scp_deny_and_limits_resource_policy),
        cmocka_unit_test(test_rcp),
        cmocka_unit_test(test_same_account_resource_policy),
        cmocka_unit_test(test_role_vs_session_grant),
        cmocka_unit_test(test_cross_account),
        cmocka_unit_test(test_federated_needs_session_policy),
        cmocka_unit_test(test_anonymous_and_service),
        cmocka_unit_test(test_not_principal),
        cmocka_unit_test(test_evaluate_only),
        cmocka_unit_test(test_context_sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
