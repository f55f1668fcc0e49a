// SPDX-License-Identifier: Apache-2.0
/*
 * Benchmark (b) of bench/policy: policies compiled once, then decisions per second and
 * p50/p99 latency per decision on a realistic heavy case — an identity with 10 policies
 * of 20 statements each (mixed services, wildcard actions and ARNs, conditions) under an
 * SCP chain of 5 levels (FullAWSAccess plus a guardrail with conditions at each level).
 * Usage: bench_policy [decisions]. Prints one line per figure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/policy.h"

static const char *const services[] = {"ec2", "dynamodb", "sqs", "sns", "lambda",
                                       "kms", "logs",     "iam", "rds", "s3"};

static size_t stmt(char *out, size_t cap, int p, int s)
{
    const char *svc = services[(p + s) % 10];
    int cond = s % 3 == 0;
    return (size_t)snprintf(
        out, cap,
        "%s{\"Sid\":\"P%dS%d\",\"Effect\":\"%s\",\"Action\":[\"%s:Get*\",\"%s:List*\",\"%s:"
        "Describe%d*\"],"
        "\"Resource\":[\"arn:aws:%s:*:111122223333:thing%d/"
        "*\",\"arn:aws:%s:us-east-1:111122223333:x%d-?\"]%s}",
        s ? "," : "", p, s, s == 19 && p == 3 ? "Deny" : "Allow", svc, svc, svc, s, svc, s, svc, s,
        cond ? ",\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/team\":[\"red\",\"blue\"]},"
               "\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"192.168.0.0/16\"]}}"
             : "");
}

static struct bw_policy *compile(const char *doc, enum bw_policy_kind kind)
{
    struct bw_policy *p;
    struct bw_policy_diag d;
    if (bw_policy_compile(doc, strlen(doc), kind, "bench", SIZE_MAX, &p, &d, NULL) != BW_OK) {
        fprintf(stderr, "bench: %s at %s\n", d.msg, d.path);
        exit(1);
    }
    return p;
}

static struct bw_policy *identity_policy(int p)
{
    char doc[16384];
    size_t o = (size_t)snprintf(doc, sizeof(doc), "{\"Version\":\"2012-10-17\",\"Statement\":[");
    for (int s = 0; s < 20; s++)
        o += stmt(doc + o, sizeof(doc) - o, p, s);
    snprintf(doc + o, sizeof(doc) - o, "]}");
    return compile(doc, BW_POLICY_IDENTITY);
}

static const char *const full_access = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                                       "\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
static const char *const guardrail = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":"
                                     "\"Regions\",\"Effect\":\"Deny\",\"NotAction\":[\"iam:*\","
                                     "\"organizations:*\",\"sts:*\",\"support:*\"],\"Resource\":\"*"
                                     "\",\"Condition\":{\"StringNotEquals\":"
                                     "{\"aws:RequestedRegion\":[\"us-east-1\",\"eu-west-1\"]}}},{"
                                     "\"Sid\":\"NoLeave\",\"Effect\":\"Deny\","
                                     "\"Action\":\"organizations:LeaveOrganization\",\"Resource\":"
                                     "\"*\"},{\"Sid\":\"Tls\",\"Effect\":\"Deny\","
                                     "\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{"
                                     "\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}";

static double clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    struct bw_policy *ids[10], *scp[10];
    for (int i = 0; i < 10; i++)
        ids[i] = identity_policy(i);
    for (int l = 0; l < 5; l++) {
        scp[2 * l] = compile(full_access, BW_POLICY_SCP);
        scp[2 * l + 1] = compile(guardrail, BW_POLICY_SCP);
    }
    struct bw_policy_level lv[5];
    for (int l = 0; l < 5; l++)
        lv[l] = (struct bw_policy_level){(const struct bw_policy *const *)&scp[2 * l], 2};
    struct bw_policy_set set = {.identity = (const struct bw_policy *const *)ids,
                                .n_identity = 10,
                                .scps = lv,
                                .n_scp_levels = 5};
    static const struct bw_str ip[] = {BW_STR("10.1.2.3")}, region[] = {BW_STR("us-east-1")},
                               tls[] = {BW_STR("true")}, t[] = {BW_STR("2026-11-27T04:00:00Z")};
    const struct bw_policy_ctx_key ctx[] = {{BW_STR("aws:SourceIp"), ip, 1},
                                            {BW_STR("aws:RequestedRegion"), region, 1},
                                            {BW_STR("aws:SecureTransport"), tls, 1},
                                            {BW_STR("aws:CurrentTime"), t, 1}};
    const struct bw_policy_tag tags[] = {{BW_STR("team"), BW_STR("red")}};
    struct bw_policy_request r = {0};
    r.principal.type = BW_PRINCIPAL_ASSUMED_ROLE;
    r.principal.arn = BW_STR("arn:aws:sts::111122223333:assumed-role/App/s1");
    r.principal.issuer_arn = BW_STR("arn:aws:iam::111122223333:role/App");
    r.principal.account = BW_STR("111122223333");
    r.principal.tags = tags;
    r.principal.n_tags = 1;
    r.action = BW_STR("s3:GetObject"); /* allowed by policy 9, statement 0 (svc s3, a condition) */
    r.resource.arn = BW_STR("arn:aws:s3:*:111122223333:thing0/key");
    r.resource.arn = BW_STR("arn:aws:s3:us-east-1:111122223333:thing0/key");
    r.resource.account = BW_STR("111122223333");
    r.ctx = ctx;
    r.n_ctx = 4;
    struct bw_policy_match m[16];
    struct bw_policy_explain ex = {.matches = m, .cap = 16};
    enum bw_policy_decision d = bw_policy_evaluate(&set, &r, &ex);
    printf("decision=%s matched_statements=%zu statements_total=%d\n", bw_policy_decision_name(d),
           ex.n_matches, 10 * 20 + 5 * 4);
    volatile int sink = 0;
    double t0 = now_ns(), c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    for (long i = 0; i < n; i++)
        sink += bw_policy_evaluate(&set, &r, &ex);
    double el = now_ns() - t0, cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
    printf("decisions=%ld wall_seconds=%.3f decisions_per_second=%.0f cpu_seconds=%.3f "
           "decisions_per_cpu_second=%.0f\n",
           n, el / 1e9, n / (el / 1e9), cpu / 1e9, n / (cpu / 1e9));
    long k = n / 4 < 200000 ? n / 4 : 200000;
    double *lat = malloc(sizeof(double) * (size_t)k);
    for (long i = 0; i < k; i++) {
        double a = now_ns();
        sink += bw_policy_evaluate(&set, &r, &ex);
        lat[i] = now_ns() - a;
    }
    qsort(lat, (size_t)k, sizeof(double), cmp_double);
    printf("latency_ns p50=%.0f p99=%.0f max=%.0f (n=%ld, includes ~20 ns clock overhead)\n",
           lat[k / 2], lat[k * 99 / 100], lat[k - 1], k);
    free(lat);
    for (int i = 0; i < 10; i++) {
        bw_policy_free(ids[i]);
        bw_policy_free(scp[i]);
    }
    return sink < 0;
}
