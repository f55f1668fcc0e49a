/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The public face of the policy engine: policy kinds and their size limits (IAM and STS
 * quotas: managed policy 6,144 characters, inline user 2,048 / role 10,240 / group 5,120,
 * role trust policy 2,048, session policy 2,048; Organizations quotas: SCP and RCP 5,120),
 * compile and free, and the names of decisions and policy types as AWS spells them.
 * A compiled policy owns one arena (or lives in a caller's, bw_policy_compile_json_in) and
 * is never modified after compile returns.
 */
#include "policy/policy.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "policy/internal.h"

static const char *const kind_names[] = {"identity", "resource", "trust",  "scp",
                                         "rcp",      "boundary", "session"};

const char *bw_policy_kind_name(enum bw_policy_kind kind)
{
    return (unsigned)kind < 7 ? kind_names[kind] : "unknown";
}

bool bw_policy_kind_parse(const char *name, enum bw_policy_kind *out)
{
    for (unsigned i = 0; i < 7; i++)
        if (name && strcmp(name, kind_names[i]) == 0) {
            *out = (enum bw_policy_kind)i;
            return true;
        }
    return false;
}

size_t bw_policy_kind_default_limit(enum bw_policy_kind kind)
{
    switch (kind) {
    case BW_POLICY_IDENTITY:
    case BW_POLICY_BOUNDARY:
        return BW_POLICY_LIMIT_MANAGED;
    case BW_POLICY_RESOURCE:
        return BW_POLICY_LIMIT_RESOURCE;
    case BW_POLICY_TRUST:
        return BW_POLICY_LIMIT_TRUST;
    case BW_POLICY_SCP:
        return BW_POLICY_LIMIT_SCP;
    case BW_POLICY_RCP:
        return BW_POLICY_LIMIT_RCP;
    case BW_POLICY_SESSION:
        return BW_POLICY_LIMIT_SESSION;
    }
    return BW_POLICY_LIMIT_MANAGED;
}

/* Shared by both compile entry points: text (doc, len) or a tree from bw_policy_json_parse. */
static enum bw_code compile_any(struct bw_arena *in, const char *doc, size_t len,
                                const struct bw_policy_json *json, size_t chars,
                                enum bw_policy_kind kind, const char *id, size_t max_chars,
                                struct bw_policy **out, struct bw_policy_diag *diag,
                                struct bw_err *err)
{
    struct bw_policy_diag local;
    if (!diag)
        diag = &local;
    diag->msg[0] = diag->path[0] = 0; /* the rest is only written on failure */
    diag->too_large = false;
    *out = NULL;
    if ((unsigned)kind >= 7)
        return bw_fail(err, BW_E_INTERNAL, "unknown policy kind %d", (int)kind);
    size_t limit = max_chars ? max_chars : bw_policy_kind_default_limit(kind);
    /* One chunk holds a typical compiled policy (about 4 bytes per source character). */
    struct bw_arena *a = in ? in : bw_arena_new((json ? chars : len) * 4 + 4096);
    /* The policy and its id in one block (one arena call, the id not zeroed first). */
    size_t idlen = id ? strlen(id) : 0;
    struct bw_policy *p = bw_arena_alloc(a, sizeof(*p) + idlen + 1);
    memset(p, 0, sizeof(*p));
    char *pid = (char *)(p + 1);
    if (idlen)
        memcpy(pid, id, idlen);
    pid[idlen] = 0;
    p->arena = a;
    p->in_caller_arena = in != NULL;
    p->kind = kind;
    p->id = pid;
    bool ok = json ? bw_policy__parse_json(json, kind, limit, chars, p, diag)
                   : doc && bw_policy__parse(doc, len, kind, limit, p, diag);
    if (!ok) {
        if (!doc && !json)
            snprintf(diag->msg, sizeof(diag->msg), "Syntax errors in policy.");
        if (!in)
            bw_arena_free(a);
        return bw_fail(err, BW_E_IAM_MALFORMED_POLICY, "%s (at %s)", diag->msg,
                       diag->path[0] ? diag->path : "$");
    }
    *out = p;
    return BW_OK;
}

enum bw_code bw_policy_compile(const char *doc, size_t len, enum bw_policy_kind kind,
                               const char *id, size_t max_chars, struct bw_policy **out,
                               struct bw_policy_diag *diag, struct bw_err *err)
{
    return compile_any(NULL, doc, len, NULL, 0, kind, id, max_chars, out, diag, err);
}

enum bw_code bw_policy_compile_json(const struct bw_policy_json *doc, enum bw_policy_kind kind,
                                    const char *id, size_t max_chars, size_t chars,
                                    struct bw_policy **out, struct bw_policy_diag *diag,
                                    struct bw_err *err)
{
    return compile_any(NULL, NULL, 0, doc, chars, kind, id, max_chars, out, diag, err);
}

enum bw_code bw_policy_compile_json_in(struct bw_arena *a, const struct bw_policy_json *doc,
                                       enum bw_policy_kind kind, const char *id, size_t max_chars,
                                       size_t chars, struct bw_policy **out,
                                       struct bw_policy_diag *diag, struct bw_err *err)
{
    return compile_any(a, NULL, 0, doc, chars, kind, id, max_chars, out, diag, err);
}

void bw_policy_free(struct bw_policy *p)
{
    if (p && !p->in_caller_arena)
        bw_arena_free(p->arena);
}

enum bw_policy_kind bw_policy_kind_of(const struct bw_policy *p)
{
    return p->kind;
}

const char *bw_policy_id(const struct bw_policy *p)
{
    return p->id;
}

size_t bw_policy_statement_count(const struct bw_policy *p)
{
    return p->n_stmts;
}

const char *bw_policy_decision_name(enum bw_policy_decision d)
{
    switch (d) {
    case BW_POLICY_ALLOWED:
        return "allowed";
    case BW_POLICY_EXPLICIT_DENY:
        return "explicitDeny";
    case BW_POLICY_IMPLICIT_DENY:
        break;
    }
    return "implicitDeny";
}

const char *bw_policy_source_name(enum bw_policy_source s)
{
    static const char *const names[] = {"none",
                                        "identity-based policy",
                                        "resource-based policy",
                                        "permissions boundary",
                                        "session policy",
                                        "service control policy",
                                        "resource control policy"};
    return (unsigned)s < 7 ? names[s] : "none";
}
