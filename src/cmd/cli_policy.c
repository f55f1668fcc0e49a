/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `bulwark policy validate [--type KIND] FILE...` and `bulwark policy evaluate`.
 * validate: compiles each file as a policy of KIND (default identity) and prints
 * "FILE: OK" or "FILE: MalformedPolicyDocument: <message> (at <JSON path>)"; exit 1 if
 * any file fails. evaluate: reads one JSON case per line on stdin and writes one JSON
 * line per case, in order (format in docs/policy.md). A malformed line yields
 * {"error": "..."} and processing continues. Each case is parsed and compiled anew.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "common/arena.h"
#include "policy/policy.h"

#define MAX_LIST 4096
#define EXPLAIN_CAP 64

/* Everything one case owns: compiled policies (freed at the end) and the arena. */
struct ecase {
    struct bw_arena *a;
    struct bw_policy **owned;
    size_t n_owned, cap_owned;
    char err[512];
};

static void case_fini(struct ecase *c)
{
    for (size_t i = 0; i < c->n_owned; i++)
        bw_policy_free(c->owned[i]);
    free(c->owned);
    bw_arena_free(c->a);
}

static bool case_fail(struct ecase *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool case_fail(struct ecase *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof(c->err), fmt, ap);
    va_end(ap);
    return false;
}

static bool compile_doc(struct ecase *c, json_t *doc, enum bw_policy_kind kind, const char *id,
                        const struct bw_policy **out)
{
    struct bw_policy *p = NULL;
    struct bw_policy_diag diag;
    enum bw_code rc;
    if (json_is_string(doc)) /* a policy given as JSON text */
        rc = bw_policy_compile(json_string_value(doc), json_string_length(doc), kind, id, SIZE_MAX,
                               &p, &diag, NULL);
    else
        rc = bw_policy_compile_json(doc, kind, id, SIZE_MAX, &p, &diag, NULL);
    if (rc != BW_OK)
        return case_fail(c, "%s: MalformedPolicyDocument: %s (at %s)", id, diag.msg, diag.path);
    if (c->n_owned == c->cap_owned) {
        c->cap_owned = c->cap_owned ? c->cap_owned * 2 : 16;
        c->owned = realloc(c->owned, c->cap_owned * sizeof(*c->owned));
        if (!c->owned)
            bw_oom();
    }
    c->owned[c->n_owned++] = p;
    *out = p;
    return true;
}

static bool compile_list(struct ecase *c, json_t *arr, enum bw_policy_kind kind, const char *name,
                         const struct bw_policy *const **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!arr || json_is_null(arr))
        return true;
    if (!json_is_array(arr) || json_array_size(arr) > MAX_LIST)
        return case_fail(c, "%s must be an array", name);
    const struct bw_policy **ps = BW_ARENA_NEWN(c->a, const struct bw_policy *,
                                                json_array_size(arr) + 1);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char *id = bw_arena_printf(c->a, "%s[%zu]", name, i);
        if (!compile_doc(c, json_array_get(arr, i), kind, id, &ps[i]))
            return false;
    }
    *out = ps;
    *n = json_array_size(arr);
    return true;
}

static bool compile_chain(struct ecase *c, json_t *arr, enum bw_policy_kind kind, const char *name,
                          const struct bw_policy_level **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!arr || json_is_null(arr))
        return true;
    if (!json_is_array(arr) || json_array_size(arr) > MAX_LIST)
        return case_fail(c, "%s must be an array of arrays", name);
    struct bw_policy_level *lv = BW_ARENA_NEWN(c->a, struct bw_policy_level,
                                               json_array_size(arr) + 1);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char *lname = bw_arena_printf(c->a, "%s[%zu]", name, i);
        json_t *level = json_array_get(arr, i);
        if (!json_is_array(level))
            return case_fail(c, "%s must be an array of policies", lname);
        if (!compile_list(c, level, kind, lname, &lv[i].policies, &lv[i].n))
            return false;
    }
    *out = lv;
    *n = json_array_size(arr);
    return true;
}

static struct bw_str jstr(struct ecase *c, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return (struct bw_str){"", 0};
    return (struct bw_str){bw_arena_strndup(c->a, json_string_value(v), json_string_length(v)),
                           json_string_length(v)};
}

static bool tags_of(struct ecase *c, json_t *o, const struct bw_policy_tag **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!o || json_is_null(o))
        return true;
    if (!json_is_object(o) || json_object_size(o) > MAX_LIST)
        return case_fail(c, "tags must be an object of strings");
    struct bw_policy_tag *t = BW_ARENA_NEWN(c->a, struct bw_policy_tag, json_object_size(o) + 1);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (!json_is_string(v))
            return case_fail(c, "tag %s must be a string", k);
        t[*n].key = bw_str_c(bw_arena_strdup(c->a, k));
        t[*n].value = (struct bw_str){bw_arena_strdup(c->a, json_string_value(v)),
                                      json_string_length(v)};
        (*n)++;
    }
    *out = t;
    return true;
}


static const struct {
    const char *name;
    enum bw_policy_principal_type type;
} ptypes[] = {
    {"user", BW_PRINCIPAL_USER},           {"User", BW_PRINCIPAL_USER},
    {"assumed-role", BW_PRINCIPAL_ASSUMED_ROLE}, {"AssumedRole", BW_PRINCIPAL_ASSUMED_ROLE},
    {"root", BW_PRINCIPAL_ROOT},           {"Account", BW_PRINCIPAL_ROOT},
    {"federated", BW_PRINCIPAL_FEDERATED}, {"FederatedUser", BW_PRINCIPAL_FEDERATED},
    {"service", BW_PRINCIPAL_SERVICE},     {"AWSService", BW_PRINCIPAL_SERVICE},
    {"anonymous", BW_PRINCIPAL_ANONYMOUS}, {"Anonymous", BW_PRINCIPAL_ANONYMOUS},
};

/* The n-th colon-separated field of an ARN (the 6th runs to the end). */
static struct bw_str arn_field(struct bw_str arn, int n)
{
    size_t start = 0, k = 0;
    for (size_t i = 0; i <= arn.len; i++) {
        if (i == arn.len || (arn.p[i] == ':' && k < 5)) {
            if ((int)k == n)
                return (struct bw_str){arn.p + start, i - start};
            k++;
            start = i + 1;
        }
    }
    return (struct bw_str){"", 0};
}

static enum bw_policy_principal_type type_from_arn(struct bw_str arn)
{
    struct bw_str res = arn_field(arn, 5);
    if (arn.len == 0)
        return BW_PRINCIPAL_ANONYMOUS;
    if (arn.len > 14 && memcmp(arn.p + arn.len - 14, ".amazonaws.com", 14) == 0)
        return BW_PRINCIPAL_SERVICE;
    if (bw_str_eqc(res, "root"))
        return BW_PRINCIPAL_ROOT;
    if (res.len > 13 && memcmp(res.p, "assumed-role/", 13) == 0)
        return BW_PRINCIPAL_ASSUMED_ROLE;
    if (res.len > 15 && memcmp(res.p, "federated-user/", 15) == 0)
        return BW_PRINCIPAL_FEDERATED;
    return BW_PRINCIPAL_USER;
}

/* arn:aws:sts::A:assumed-role/R/S -> arn:aws:iam::A:role/R (the path is not in the ARN). */
static struct bw_str issuer_from_session(struct ecase *c, struct bw_str arn)
{
    struct bw_str res = arn_field(arn, 5), part = arn_field(arn, 1), acct = arn_field(arn, 4);
    if (res.len <= 13)
        return (struct bw_str){"", 0};
    const char *role = res.p + 13, *slash = memchr(role, '/', res.len - 13);
    int rlen = slash ? (int)(slash - role) : (int)(res.len - 13);
    char *s = bw_arena_printf(c->a, "arn:%.*s:iam::%.*s:role/%.*s", (int)part.len, part.p,
                              (int)acct.len, acct.p, rlen, role);
    return bw_str_c(s);
}

static bool decode_principal(struct ecase *c, json_t *o, struct bw_policy_principal *pr)
{
    if (o && !json_is_object(o))
        return case_fail(c, "request.principal must be an object");
    pr->arn = jstr(c, o, "arn");
    pr->account = jstr(c, o, "account");
    pr->issuer_arn = jstr(c, o, "issuer_arn");
    pr->user_id = jstr(c, o, "user_id");
    pr->username = jstr(c, o, "username");
    json_t *t = json_object_get(o, "type");
    pr->type = type_from_arn(pr->arn);
    if (json_is_string(t)) {
        size_t i, n = sizeof(ptypes) / sizeof(ptypes[0]);
        for (i = 0; i < n && strcmp(ptypes[i].name, json_string_value(t)); i++)
            ;
        if (i == n)
            return case_fail(c, "unknown principal type %s", json_string_value(t));
        pr->type = ptypes[i].type;
    }
    if (!pr->account.len && pr->type != BW_PRINCIPAL_SERVICE)
        pr->account = arn_field(pr->arn, 4);
    if (!pr->issuer_arn.len && pr->type == BW_PRINCIPAL_ASSUMED_ROLE)
        pr->issuer_arn = issuer_from_session(c, pr->arn);
    if (!pr->username.len && pr->type == BW_PRINCIPAL_USER) {
        struct bw_str res = arn_field(pr->arn, 5);
        const char *slash = res.len ? memrchr(res.p, '/', res.len) : NULL;
        if (slash)
            pr->username = (struct bw_str){slash + 1, (size_t)(res.p + res.len - slash - 1)};
    }
    return tags_of(c, json_object_get(o, "tags"), &pr->tags, &pr->n_tags);
}

static bool scalar(struct ecase *c, json_t *v, struct bw_str *out)
{
    if (json_is_string(v)) {
        *out = (struct bw_str){bw_arena_strndup(c->a, json_string_value(v), json_string_length(v)),
                               json_string_length(v)};
    } else if (json_is_integer(v)) {
        *out = bw_str_c(bw_arena_printf(c->a, "%lld", (long long)json_integer_value(v)));
    } else if (json_is_real(v)) {
        *out = bw_str_c(bw_arena_printf(c->a, "%.17g", json_real_value(v)));
    } else if (json_is_boolean(v)) {
        *out = bw_str_c(json_is_true(v) ? "true" : "false");
    } else {
        return false;
    }
    return true;
}

static bool decode_context(struct ecase *c, json_t *o, struct bw_policy_request *req)
{
    if (!o || json_is_null(o))
        return true;
    if (!json_is_object(o) || json_object_size(o) > MAX_LIST)
        return case_fail(c, "request.context must be an object");
    struct bw_policy_ctx_key *ks = BW_ARENA_NEWN(c->a, struct bw_policy_ctx_key,
                                                 json_object_size(o) + 1);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        struct bw_policy_ctx_key *ck = &ks[req->n_ctx++];
        ck->key = bw_str_c(bw_arena_strdup(c->a, k));
        size_t n = json_is_array(v) ? json_array_size(v) : 1;
        if (n > MAX_LIST)
            return case_fail(c, "context key %s has too many values", k);
        struct bw_str *vals = BW_ARENA_NEWN(c->a, struct bw_str, n + 1);
        for (size_t i = 0; i < n; i++)
            if (!scalar(c, json_is_array(v) ? json_array_get(v, i) : v, &vals[i]))
                return case_fail(c, "context key %s: values must be scalars", k);
        ck->values = vals;
        ck->n = n;
    }
    req->ctx = ks;
    return true;
}

static bool decode_request(struct ecase *c, json_t *r, struct bw_policy_request *req)
{
    if (!json_is_object(r))
        return case_fail(c, "request must be an object");
    if (!decode_principal(c, json_object_get(r, "principal"), &req->principal))
        return false;
    req->action = jstr(c, r, "action");
    if (!req->action.len)
        return case_fail(c, "request.action must be a string");
    json_t *res = json_object_get(r, "resource");
    if (json_is_string(res)) {
        req->resource.arn = jstr(c, r, "resource");
    } else {
        req->resource.arn = jstr(c, res, "arn");
        req->resource.account = jstr(c, res, "account");
        if (!tags_of(c, json_object_get(res, "tags"), &req->resource.tags,
                     &req->resource.n_tags))
            return false;
    }
    if (!req->resource.arn.len)
        req->resource.arn = BW_STR("*");
    return decode_context(c, json_object_get(r, "context"), req);
}

static bool decode_case(struct ecase *c, json_t *o, struct bw_policy_set *set,
                        struct bw_policy_request *req)
{
    if (!json_is_object(o))
        return case_fail(c, "a case must be a JSON object");
    json_t *rp = json_object_get(o, "resource_policy"), *mgmt;
    if (!compile_list(c, json_object_get(o, "identity_policies"), BW_POLICY_IDENTITY, "identity",
                      &set->identity, &set->n_identity) ||
        !compile_list(c, json_object_get(o, "permission_boundaries"), BW_POLICY_BOUNDARY,
                      "boundary", &set->boundaries, &set->n_boundaries) ||
        !compile_list(c, json_object_get(o, "session_policies"), BW_POLICY_SESSION, "session",
                      &set->session, &set->n_session) ||
        !compile_chain(c, json_object_get(o, "scps"), BW_POLICY_SCP, "scp", &set->scps,
                       &set->n_scp_levels) ||
        !compile_chain(c, json_object_get(o, "rcps"), BW_POLICY_RCP, "rcp", &set->rcps,
                       &set->n_rcp_levels))
        return false;
    if (rp && !json_is_null(rp) && !compile_doc(c, rp, BW_POLICY_RESOURCE, "resource", &set->resource))
        return false;
    mgmt = json_object_get(o, "is_management_account");
    set->is_management_account = json_is_true(mgmt);
    return decode_request(c, json_object_get(o, "request"), req);
}

static json_t *explain_json(const struct bw_policy_request *req, enum bw_policy_decision d,
                            const struct bw_policy_explain *ex)
{
    json_t *m = json_array();
    for (size_t i = 0; i < ex->n_matches && i < ex->cap; i++) {
        const struct bw_policy_match *mt = &ex->matches[i];
        json_t *o = json_pack("{s:s, s:s, s:i, s:s}", "policy", bw_policy_id(mt->policy), "type",
                              bw_policy_source_name(mt->source), "index", (int)mt->index,
                              "effect", mt->deny ? "Deny" : "Allow");
        if (mt->sid.len)
            json_object_set_new(o, "sid", json_stringn(mt->sid.p, mt->sid.len));
        if (mt->source == BW_SRC_SCP || mt->source == BW_SRC_RCP)
            json_object_set_new(o, "level", json_integer(mt->level));
        json_array_append_new(m, o);
    }
    json_t *e = json_pack("{s:o}", "matched", m);
    if (d != BW_POLICY_ALLOWED) {
        char msg[1024];
        bw_policy_denial_message(req, d, ex, msg, sizeof(msg));
        json_object_set_new(e, "denied_by", json_string(bw_policy_source_name(ex->denied_by)));
        if (ex->level >= 0)
            json_object_set_new(e, "level", json_integer(ex->level));
        json_object_set_new(e, "message", json_string(msg));
    }
    return e;
}

/* Evaluates one input line; returns the output object (never NULL). */
static json_t *eval_line(const char *line, size_t len)
{
    json_error_t jerr;
    json_t *in = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr), *out;
    if (!in)
        return json_pack("{s:s}", "error", jerr.text);
    struct ecase c = {.a = bw_arena_new(8192)};
    struct bw_policy_set set = {0};
    struct bw_policy_request req = {0};
    if (!decode_case(&c, in, &set, &req)) {
        out = json_pack("{s:s}", "error", c.err);
    } else {
        struct bw_policy_match matches[EXPLAIN_CAP];
        struct bw_policy_explain ex = {.matches = matches, .cap = EXPLAIN_CAP};
        enum bw_policy_decision d = bw_policy_evaluate(&set, &req, &ex);
        out = json_pack("{s:s, s:o}", "decision", bw_policy_decision_name(d), "explain",
                        explain_json(&req, d, &ex));
    }
    json_decref(in);
    case_fini(&c);
    return out;
}

/*
 * jansson's allocations for one line come from a bump block reset after the line (the
 * JSON trees of a line die with it; compiled policies copy what they keep). Allocation
 * dominated the end-to-end profile. Process-wide state is allowed in src/cmd only.
 */
static char *bump_block;
static size_t bump_used;
#define BUMP_CAP ((size_t)16 << 20)

static void *bump_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!bump_block || bump_used + n > BUMP_CAP) {
        void *p = malloc(n);
        if (!p)
            bw_oom();
        return p;
    }
    void *p = bump_block + bump_used;
    bump_used += n;
    return p;
}

static void bump_free(void *p)
{
    if (p && (!bump_block || (char *)p < bump_block || (char *)p >= bump_block + BUMP_CAP))
        free(p);
}

static int cmd_evaluate(void)
{
    bump_block = malloc(BUMP_CAP);
    json_set_alloc_funcs(bump_alloc, bump_free);
    int rc = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        json_t *out = eval_line(line, (size_t)n);
        json_dumpf(out, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(out);
        bump_used = 0;
    }
    free(line);
    json_set_alloc_funcs(malloc, free);
    free(bump_block);
    bump_block = NULL;
    if (fflush(stdout) != 0)
        rc = 1;
    return rc;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf)
        bw_oom();
    *len = n;
    return buf;
}

static int validate_one(const char *path, enum bw_policy_kind kind)
{
    size_t len;
    char *doc = read_file(path, &len);
    if (!doc) {
        fprintf(stderr, "%s: cannot read file\n", path);
        return 1;
    }
    struct bw_policy *p = NULL;
    struct bw_policy_diag diag;
    enum bw_code rc = bw_policy_compile(doc, len, kind, path, 0, &p, &diag, NULL);
    free(doc);
    if (rc == BW_OK) {
        printf("%s: OK (%s policy, %zu statements)\n", path, bw_policy_kind_name(kind),
               bw_policy_statement_count(p));
        bw_policy_free(p);
        return 0;
    }
    printf("%s: %s: %s (at %s)\n", path, diag.too_large ? "LimitExceeded" : "MalformedPolicyDocument",
           diag.msg, diag.path);
    return 1;
}

static int cmd_validate(int argc, char **argv)
{
    enum bw_policy_kind kind = BW_POLICY_IDENTITY;
    int i = 1, rc = 0, files = 0;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--type") == 0 && i + 1 < argc) {
            if (!bw_policy_kind_parse(argv[++i], &kind)) {
                fprintf(stderr, "bulwark policy validate: unknown --type %s\n", argv[i]);
                return 2;
            }
            continue;
        }
        rc |= validate_one(argv[i], kind);
        files++;
    }
    if (!files) {
        fprintf(stderr, "usage: bulwark policy validate [--type KIND] FILE...\n");
        return 2;
    }
    return rc;
}

int bw_cli_policy(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "validate") == 0)
        return cmd_validate(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "evaluate") == 0)
        return cmd_evaluate();
    fprintf(stderr, "usage: bulwark policy validate [--type "
                    "identity|resource|trust|scp|rcp|boundary|session] FILE...\n"
                    "       bulwark policy evaluate < cases.jsonl\n");
    return 2;
}
