/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AWS's AccessDenied wording for a denial (IAM User Guide, "Troubleshoot access denied
 * error messages"): "User: <arn> is not authorized to perform: <action> on resource:
 * <arn> because no <policy type> allows the <action> action", or "... with an explicit
 * deny in a(n) <policy type>". Writes into the caller's buffer; never allocates.
 */
#include "policy/policy.h"

#include <stdio.h>
#include <string.h>

static const char *article(enum bw_policy_source s)
{
    return s == BW_SRC_IDENTITY ? "an" : "a";
}

/* snprintf's contract without its format parsing (this runs for every denied request of
 * `bulwark policy evaluate`): n counts every byte, buf keeps what fits, NUL-terminated. */
struct msg {
    char *buf;
    size_t cap, n;
};

static void msg_add(struct msg *m, const char *s, size_t len)
{
    if (len && m->n + 1 < m->cap) {
        size_t room = m->cap - 1 - m->n;
        memcpy(m->buf + m->n, s, len < room ? len : room);
    }
    m->n += len;
}

static void msg_adds(struct msg *m, const char *s)
{
    msg_add(m, s, strlen(s));
}

/* A bw_str the way "%.*s" prints it: up to len bytes, stopping at a NUL. */
static void msg_addn(struct msg *m, const char *s, size_t len)
{
    if (len)
        msg_add(m, s, strnlen(s, len));
}

size_t bw_policy_denial_message(const struct bw_policy_request *req, enum bw_policy_decision d,
                                const struct bw_policy_explain *explain, char *buf, size_t cap)
{
    enum bw_policy_source src = explain ? explain->denied_by : BW_SRC_IDENTITY;
    const struct bw_policy_principal *pr = &req->principal;
    struct msg m = {buf, cap, 0};
    if (src == BW_SRC_NONE)
        src = BW_SRC_IDENTITY;
    if (d != BW_POLICY_ALLOWED) {
        msg_adds(&m, "User: ");
        if (pr->arn.len)
            msg_addn(&m, pr->arn.p, pr->arn.len);
        else
            msg_adds(&m, "anonymous");
        msg_adds(&m, " is not authorized to perform: ");
        msg_addn(&m, req->action.p, req->action.len);
        msg_adds(&m, " on resource: ");
        msg_addn(&m, req->resource.arn.p, req->resource.arn.len);
    }
    if (d == BW_POLICY_EXPLICIT_DENY) {
        msg_adds(&m, " with an explicit deny in ");
        msg_adds(&m, article(src));
        msg_adds(&m, " ");
        msg_adds(&m, bw_policy_source_name(src));
    } else if (d != BW_POLICY_ALLOWED) {
        msg_adds(&m, " because no ");
        msg_adds(&m, bw_policy_source_name(src));
        msg_adds(&m, " allows the ");
        msg_addn(&m, req->action.p, req->action.len);
        msg_adds(&m, " action");
    }
    if (cap)
        buf[m.n < cap ? m.n : cap - 1] = 0;
    return m.n;
}
