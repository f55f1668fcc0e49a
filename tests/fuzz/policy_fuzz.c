// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz target: parse → compile → evaluate. The input is a policy document; its first
 * byte picks the policy kind. A compiled policy is evaluated against a fixed set of
 * requests (with variables, tags, IPs, dates) as identity, resource, SCP and RCP policy.
 * Any input must give an error or a decision, never a crash or a leak.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "policy/policy.h"

static void evaluate_all(const struct bw_policy *p)
{
    static const struct bw_str ip[] = {BW_STR("10.1.2.3")}, ip6[] = {BW_STR("2001:db8::1")};
    static const struct bw_str t[] = {BW_STR("2024-06-01T12:00:00Z")},
                               keys[] = {BW_STR("a"), BW_STR("b")};
    const struct bw_policy_ctx_key ctx[] = {
        {BW_STR("aws:SourceIp"), ip, 1},       {BW_STR("aws:CurrentTime"), t, 1},
        {BW_STR("aws:TagKeys"), keys, 2},      {BW_STR("aws:EpochTime"), t, 1},
        {BW_STR("aws:RequestTag/x"), NULL, 0}, {BW_STR("aws:SourceIpv6"), ip6, 1}};
    const struct bw_policy_tag tags[] = {{BW_STR("team"), BW_STR("red")}};
    struct bw_policy_request r = {0};
    r.principal.type = BW_PRINCIPAL_ASSUMED_ROLE;
    r.principal.arn = BW_STR("arn:aws:sts::111122223333:assumed-role/R/s");
    r.principal.issuer_arn = BW_STR("arn:aws:iam::111122223333:role/R");
    r.principal.account = BW_STR("111122223333");
    r.principal.tags = tags;
    r.principal.n_tags = 1;
    r.action = BW_STR("s3:GetObject");
    r.resource.arn = BW_STR("arn:aws:s3:::bkt/red/x");
    r.resource.account = BW_STR("444455556666");
    r.ctx = ctx;
    r.n_ctx = sizeof(ctx) / sizeof(ctx[0]);
    const struct bw_policy *one[] = {p};
    struct bw_policy_level lv[] = {{one, 1}, {one, 1}};
    struct bw_policy_set set = {.identity = one,
                                .n_identity = 1,
                                .boundaries = one,
                                .n_boundaries = 1,
                                .session = one,
                                .n_session = 1,
                                .scps = lv,
                                .n_scp_levels = 2,
                                .rcps = lv,
                                .n_rcp_levels = 1,
                                .resource = p};
    struct bw_policy_match m[4];
    struct bw_policy_explain ex = {.matches = m, .cap = 4};
    char msg[256];
    enum bw_policy_decision d = bw_policy_evaluate(&set, &r, &ex);
    bw_policy_denial_message(&r, d, &ex, msg, sizeof(msg));
    r.principal.type = BW_PRINCIPAL_ANONYMOUS;
    r.resource.arn = BW_STR("*");
    bw_policy_evaluate(&set, &r, &ex);
    bw_policy_evaluate_only(one, 1, BW_SRC_IDENTITY, &r, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    enum bw_policy_kind kind = (enum bw_policy_kind)(data[0] % 7);
    char *doc = malloc(size - 1 ? size - 1 : 1); /* exact size: ASan catches overreads */
    memcpy(doc, data + 1, size - 1);
    struct bw_policy *p = NULL;
    struct bw_policy_diag d;
    if (bw_policy_compile(doc, size - 1, kind, "fuzz", SIZE_MAX, &p, &d, NULL) == BW_OK) {
        evaluate_all(p);
        bw_policy_free(p);
    }
    free(doc);
    return 0;
}
