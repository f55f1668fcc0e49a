/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helpers for the policy engine: compile a policy from a string (failing the test
 * when it does not compile) and build a request whose context is written compactly as
 * "key=v1|v2;key2=v" ("key=[]" is a present but empty multivalued key).
 */
#ifndef BW_TESTS_POLICY_HELPERS_H
#define BW_TESTS_POLICY_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/policy.h"

#define MAXK 16
#define MAXV 8

struct tctx {
    char buf[2048];
    struct bw_policy_ctx_key keys[MAXK];
    struct bw_str vals[MAXK][MAXV];
    size_t n;
};

static inline void tctx_parse(struct tctx *t, const char *spec)
{
    memset(t, 0, sizeof(*t));
    if (!spec)
        return;
    snprintf(t->buf, sizeof(t->buf), "%s", spec);
    char *save = NULL;
    for (char *kv = strtok_r(t->buf, ";", &save); kv && t->n < MAXK;
         kv = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(kv, '=');
        assert_non_null(eq);
        *eq = 0;
        struct bw_policy_ctx_key *k = &t->keys[t->n];
        k->key = bw_str_c(kv);
        k->values = t->vals[t->n];
        if (strcmp(eq + 1, "[]") != 0) {
            char *s2 = NULL;
            for (char *v = strtok_r(eq + 1, "|", &s2); v && k->n < MAXV;
                 v = strtok_r(NULL, "|", &s2))
                t->vals[t->n][k->n++] = bw_str_c(v);
        }
        t->n++;
    }
}

static inline struct bw_policy *compile_ok(const char *json, enum bw_policy_kind kind)
{
    struct bw_policy *p = NULL;
    struct bw_policy_diag d;
    enum bw_code rc = bw_policy_compile(json, strlen(json), kind, "test", 0, &p, &d, NULL);
    if (rc != BW_OK)
        fail_msg("did not compile: %s at %s\n%s", d.msg, d.path, json);
    return p;
}

/* A request by IAM user alice in 111122223333 unless changed by the caller. */
static inline struct bw_policy_request user_request(const char *action, const char *resource,
                                                    struct tctx *t)
{
    struct bw_policy_request r = {0};
    r.principal.type = BW_PRINCIPAL_USER;
    r.principal.arn = BW_STR("arn:aws:iam::111122223333:user/alice");
    r.principal.account = BW_STR("111122223333");
    r.principal.username = BW_STR("alice");
    r.action = bw_str_c(action);
    r.resource.arn = bw_str_c(resource);
    r.resource.account = BW_STR("111122223333");
    if (t) {
        r.ctx = t->keys;
        r.n_ctx = t->n;
    }
    return r;
}

/* Evaluates one identity policy alone. */
static inline enum bw_policy_decision eval_identity(const char *json, const char *action,
                                                    const char *resource, const char *ctx)
{
    struct tctx t;
    tctx_parse(&t, ctx);
    struct bw_policy *p = compile_ok(json, BW_POLICY_IDENTITY);
    const struct bw_policy *ps[] = {p};
    struct bw_policy_set set = {.identity = ps, .n_identity = 1};
    struct bw_policy_request r = user_request(action, resource, &t);
    enum bw_policy_decision d = bw_policy_evaluate(&set, &r, NULL);
    bw_policy_free(p);
    return d;
}

#endif
