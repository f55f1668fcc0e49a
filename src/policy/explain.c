/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AWS's AccessDenied wording for a denial (IAM User Guide, "Troubleshoot access denied
 * error messages"): "User: <arn> is not authorized to perform: <action> on resource:
 * <arn> because no <policy type> allows the <action> action", or "... with an explicit
 * deny in a(n) <policy type>". Writes into the caller's buffer; never allocates.
 */
#include "policy/policy.h"

#include <stdio.h>

static const char *article(enum bw_policy_source s)
{
    return s == BW_SRC_IDENTITY ? "an" : "a";
}

size_t bw_policy_denial_message(const struct bw_policy_request *req, enum bw_policy_decision d,
                                const struct bw_policy_explain *explain, char *buf, size_t cap)
{
    enum bw_policy_source src = explain ? explain->denied_by : BW_SRC_IDENTITY;
    const struct bw_policy_principal *pr = &req->principal;
    if (src == BW_SRC_NONE)
        src = BW_SRC_IDENTITY;
    int n;
    const char *who = pr->arn.len ? pr->arn.p : "anonymous";
    int wl = pr->arn.len ? (int)pr->arn.len : 9;
    if (d == BW_POLICY_ALLOWED) {
        n = snprintf(buf, cap, "%s", "");
    } else if (d == BW_POLICY_EXPLICIT_DENY) {
        n = snprintf(buf, cap,
                     "User: %.*s is not authorized to perform: %.*s on resource: %.*s with an "
                     "explicit deny in %s %s",
                     wl, who, (int)req->action.len, req->action.p, (int)req->resource.arn.len,
                     req->resource.arn.p, article(src), bw_policy_source_name(src));
    } else {
        n = snprintf(buf, cap,
                     "User: %.*s is not authorized to perform: %.*s on resource: %.*s because "
                     "no %s allows the %.*s action",
                     wl, who, (int)req->action.len, req->action.p, (int)req->resource.arn.len,
                     req->resource.arn.p, bw_policy_source_name(src), (int)req->action.len,
                     req->action.p);
    }
    return n < 0 ? 0 : (size_t)n;
}
