/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authorization of every call: the operation's IAM action on its resource ARN,
 * for the authenticated principal, through the policy engine. The policy set is
 * the principal's identity policies (a user's own and its groups', or a role's),
 * its permissions boundary, a session's policies, and whatever the hooks add
 * (the Organizations SCP/RCP chain). The account root user has every permission
 * in its account except what SCPs take away (IAM User Guide, "AWS account root
 * user"). Global condition keys are filled from the request.
 *
 * Compiled policies are cached by SHA-256 of kind and document: a changed policy
 * is a different key, so the cache can never make a decision stale.
 */
#include "proto/internal.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

#define PCACHE_SLOTS 8192
#define MAX_CTX      96

struct pentry {
    unsigned char key[SHA256_DIGEST_LENGTH];
    struct bw_policy *p;
};

struct bw_policy_cache {
    pthread_mutex_t mu;
    struct pentry slots[PCACHE_SLOTS];
};

struct bw_authz_set {
    struct bw_policy_set set;
    struct bw_policy_ctx_key ctx[MAX_CTX];
    size_t n_ctx;
};

static const char *const root_policy_doc =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
    "\"Resource\":\"*\"}]}";

struct bw_policy_cache *bw_proto__policy_cache_new(void)
{
    struct bw_policy_cache *c = calloc(1, sizeof *c);
    if (!c)
        bw_oom();
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void bw_proto__policy_cache_free(struct bw_policy_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < PCACHE_SLOTS; i++)
        bw_policy_free(c->slots[i].p);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

enum bw_code bw_authz_compile(struct bw_call *c, const char *doc, enum bw_policy_kind kind,
                              const char *id, const struct bw_policy **out, struct bw_err *err)
{
    unsigned char key[SHA256_DIGEST_LENGTH];
    char *material = bw_arena_printf(c->arena, "%d\n%s\n%s", (int)kind, id ? id : "", doc);
    SHA256((const unsigned char *)material, strlen(material), key);
    struct bw_policy_cache *pc = c->srv->policies;
    size_t slot = ((size_t)key[0] << 8 | key[1]) % PCACHE_SLOTS;
    pthread_mutex_lock(&pc->mu);
    struct pentry *e = &pc->slots[slot];
    if (e->p && memcmp(e->key, key, sizeof key) == 0) {
        *out = e->p;
        pthread_mutex_unlock(&pc->mu);
        return BW_OK;
    }
    pthread_mutex_unlock(&pc->mu);
    struct bw_policy *p;
    /* Stored documents were validated against their size limit when written. */
    if (bw_policy_compile(doc, strlen(doc), kind, id, SIZE_MAX, &p, NULL, err))
        return err->code;
    *out = p;
    pthread_mutex_lock(&pc->mu);
    if (!e->p) {
        memcpy(e->key, key, sizeof key);
        e->p = p;
        p = NULL;
    }
    pthread_mutex_unlock(&pc->mu);
    if (p) /* slot taken by another policy: this one lives as long as the call */
        bw_arena_defer(c->arena, (bw_arena_fn)bw_policy_free, p);
    return BW_OK;
}

void bw_authz_set_scps(struct bw_authz_set *set, const struct bw_policy_level *levels, size_t n)
{
    set->set.scps = levels;
    set->set.n_scp_levels = n;
}

void bw_authz_set_rcps(struct bw_authz_set *set, const struct bw_policy_level *levels, size_t n)
{
    set->set.rcps = levels;
    set->set.n_rcp_levels = n;
}

void bw_authz_set_management(struct bw_authz_set *set, bool is_management)
{
    set->set.is_management_account = is_management;
}

/* A context key with its values (pointers copied into the call's arena). */
static struct bw_policy_ctx_key ctx_key(struct bw_call *c, const char *key,
                                        const char *const *values, size_t n)
{
    struct bw_str *v = BW_ARENA_NEWN(c->arena, struct bw_str, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        v[i] = bw_str_c(values[i]);
    return (struct bw_policy_ctx_key){bw_str_c(key), v, n};
}

void bw_authz_add_context(struct bw_call *c, struct bw_authz_set *set, const char *key,
                          const char *const *values, size_t n)
{
    if (set->n_ctx < MAX_CTX)
        set->ctx[set->n_ctx++] = ctx_key(c, key, values, n);
}

void bw_authz_call_context(struct bw_call *c, const char *key, const char *const *values, size_t n)
{
    if (c->n_extra_ctx == c->cap_extra_ctx) {
        size_t cap = c->cap_extra_ctx ? 2 * c->cap_extra_ctx : 8;
        struct bw_policy_ctx_key *k = BW_ARENA_NEWN(c->arena, struct bw_policy_ctx_key, cap);
        if (c->n_extra_ctx)
            memcpy(k, c->extra_ctx, c->n_extra_ctx * sizeof *k);
        c->extra_ctx = k;
        c->cap_extra_ctx = cap;
    }
    c->extra_ctx[c->n_extra_ctx++] = ctx_key(c, key, values, n);
}

/* Appends every policy document a statement yields to a growing array. */
struct plist {
    const struct bw_policy **p;
    size_t n, cap;
};

static void plist_add(struct bw_call *c, struct plist *l, const struct bw_policy *p)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        const struct bw_policy **np = bw_arena_alloc(c->arena, nc * sizeof *np);
        if (l->n)
            memcpy(np, l->p, l->n * sizeof *np);
        l->p = np;
        l->cap = nc;
    }
    l->p[l->n++] = p;
}

static enum bw_code add_rows(struct bw_call *c, struct plist *l, enum bw_policy_kind kind,
                             const char *sql, const char *a1, const char *a2, const char *a3,
                             struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, sql, err, "sss", a1, a2, a3);
    bool row;
    if (!st)
        return err->code;
    for (;;) {
        if (bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            break;
        char *id = bw_db_col_str(c->arena, st, 0);
        char *doc = bw_db_col_str(c->arena, st, 1);
        const struct bw_policy *p;
        if (bw_authz_compile(c, doc, kind, id, &p, err))
            return err->code;
        plist_add(c, l, p);
    }
    return BW_OK;
}

static const char *const inline_sql =
    "SELECT name, document FROM iam_inline_policies WHERE account_id = ? AND kind = ?"
    " AND entity = ?";
static const char *const attached_sql =
    "SELECT p.arn, v.document FROM iam_attachments a JOIN iam_policies p ON p.arn = a.policy_arn"
    " JOIN iam_policy_versions v ON v.policy_arn = p.arn AND v.version_id = p.default_version"
    " WHERE a.account_id = ? AND a.kind = ? AND a.entity = ?";
static const char *const group_inline_sql =
    "SELECT i.name, i.document FROM iam_group_members m JOIN iam_inline_policies i"
    " ON i.account_id = m.account_id AND i.kind = 'group' AND i.entity = m.group_name"
    " WHERE m.account_id = ? AND m.user_name = ? AND ? IS NOT NULL";
static const char *const group_attached_sql =
    "SELECT p.arn, v.document FROM iam_group_members m JOIN iam_attachments a"
    " ON a.account_id = m.account_id AND a.kind = 'group' AND a.entity = m.group_name"
    " JOIN iam_policies p ON p.arn = a.policy_arn JOIN iam_policy_versions v"
    " ON v.policy_arn = p.arn AND v.version_id = p.default_version"
    " WHERE m.account_id = ? AND m.user_name = ? AND ? IS NOT NULL";
static const char *const managed_doc_sql =
    "SELECT p.arn, v.document FROM iam_policies p JOIN iam_policy_versions v"
    " ON v.policy_arn = p.arn AND v.version_id = p.default_version WHERE p.arn = ?"
    " AND ? IS NOT NULL AND ? IS NOT NULL";
static const char *const role_boundary_sql =
    "SELECT boundary_arn FROM iam_roles WHERE account_id = ? AND name = ?";
static const char *const user_boundary_sql =
    "SELECT boundary_arn FROM iam_users WHERE account_id = ? AND name = ?";

static enum bw_code user_policies(struct bw_call *c, const struct bw_principal *p, struct plist *l,
                                  struct bw_err *err)
{
    const char *a = p->account_id, *u = p->user_name;
    if (add_rows(c, l, BW_POLICY_IDENTITY, inline_sql, a, "user", u, err) ||
        add_rows(c, l, BW_POLICY_IDENTITY, attached_sql, a, "user", u, err) ||
        add_rows(c, l, BW_POLICY_IDENTITY, group_inline_sql, a, u, "", err) ||
        add_rows(c, l, BW_POLICY_IDENTITY, group_attached_sql, a, u, "", err))
        return err->code;
    return BW_OK;
}

/* The boundary of the role or user (sql) named name, as stored now. */
static enum bw_code boundary_arn_of(struct bw_call *c, const char *sql, const char *account,
                                    const char *name, const char **out, struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, sql, err, "ss", account, name);
    bool row;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    *out = row ? bw_db_col_str(c->arena, st, 0) : NULL;
    return BW_OK;
}

enum bw_code bw_authz_identity_policies(struct bw_call *c, const struct bw_principal *p,
                                        const struct bw_policy ***out, size_t *n,
                                        const struct bw_policy **boundary, struct bw_err *err)
{
    struct plist l = {0};
    const char *boundary_arn = p->boundary_arn;
    *boundary = NULL;
    if (p->type == BW_PRINCIPAL_ROOT || (p->type == BW_PRINCIPAL_FEDERATED && !p->user_name)) {
        /* the root user, or a federated user whose token the root user asked for */
        const struct bw_policy *rp;
        if (bw_authz_compile(c, root_policy_doc, BW_POLICY_IDENTITY, "root", &rp, err))
            return err->code;
        plist_add(c, &l, rp);
    } else if (p->type == BW_PRINCIPAL_USER ||
               (p->type == BW_PRINCIPAL_FEDERATED && p->user_name)) {
        /* a session of the user (GetSessionToken, GetFederationToken) keeps the user's
         * boundary: its principal carries none of its own */
        if (user_policies(c, p, &l, err) ||
            (p->is_session && boundary_arn_of(c, user_boundary_sql, p->account_id, p->user_name,
                                              &boundary_arn, err)))
            return err->code;
    } else if (p->type == BW_PRINCIPAL_ASSUMED_ROLE) {
        if (add_rows(c, &l, BW_POLICY_IDENTITY, inline_sql, p->account_id, "role", p->role_name,
                     err) ||
            add_rows(c, &l, BW_POLICY_IDENTITY, attached_sql, p->account_id, "role", p->role_name,
                     err) ||
            boundary_arn_of(c, role_boundary_sql, p->account_id, p->role_name, &boundary_arn, err))
            return err->code;
    }
    if (boundary_arn) {
        struct plist b = {0};
        if (add_rows(c, &b, BW_POLICY_BOUNDARY, managed_doc_sql, boundary_arn, "", "", err))
            return err->code;
        if (b.n)
            *boundary = b.p[0];
    }
    *out = l.p;
    *n = l.n;
    return BW_OK;
}

static enum bw_code session_policies(struct bw_call *c, struct plist *l, struct bw_err *err)
{
    const struct bw_principal *p = c->principal;
    if (!p->is_session ||
        (p->type != BW_PRINCIPAL_ASSUMED_ROLE && p->type != BW_PRINCIPAL_FEDERATED))
        return BW_OK;
    if (p->session_policy) {
        const struct bw_policy *sp;
        if (bw_authz_compile(c, p->session_policy, BW_POLICY_SESSION, "session policy", &sp, err))
            return err->code;
        plist_add(c, l, sp);
    }
    json_t *arns = p->session_policy_arns ? json_loads(p->session_policy_arns, 0, NULL) : NULL;
    size_t i;
    json_t *v;
    enum bw_code rc = BW_OK;
    json_array_foreach(arns, i, v)
    {
        if (json_is_string(v) && (rc = add_rows(c, l, BW_POLICY_SESSION, managed_doc_sql,
                                                json_string_value(v), "", "", err)))
            break;
    }
    json_decref(arns);
    return rc;
}

static void add_tag_keys(struct bw_call *c, struct bw_authz_set *s)
{
    /* aws:RequestTag/<k> and aws:TagKeys from Query "Tags.member.N.Key/Value" or JSON "Tags". */
    const char *keys[50];
    size_t n = 0;
    if (c->svc->protocol == BW_PROTO_QUERY) {
        for (int i = 1; n < 50; i++) {
            const char *k = bw_q_member(c, "Tags", i, "Key");
            if (!k)
                break;
            const char *v = bw_q_member(c, "Tags", i, "Value");
            const char *vals[1] = {v ? v : ""};
            bw_authz_add_context(c, s, bw_arena_printf(c->arena, "aws:RequestTag/%s", k), vals, 1);
            keys[n++] = k;
        }
    } else {
        json_t *tags = c->in ? json_object_get(c->in, "Tags") : NULL;
        size_t i;
        json_t *t;
        json_array_foreach(tags, i, t)
        {
            const char *k = json_string_value(json_object_get(t, "Key"));
            const char *v = json_string_value(json_object_get(t, "Value"));
            if (!k || n == 50)
                continue;
            const char *vals[1] = {v ? v : ""};
            bw_authz_add_context(c, s, bw_arena_printf(c->arena, "aws:RequestTag/%s", k), vals, 1);
            keys[n++] = k;
        }
    }
    if (n)
        bw_authz_add_context(c, s, "aws:TagKeys", keys, n);
}

static void add_global_context(struct bw_call *c, struct bw_authz_set *s)
{
    char now_iso[32], epoch[24];
    bw_time_iso8601(c->now_ms / 1000, now_iso, sizeof now_iso);
    snprintf(epoch, sizeof epoch, "%lld", (long long)(c->now_ms / 1000));
    const char *v[1];
    v[0] = c->req->source_ip;
    bw_authz_add_context(c, s, "aws:SourceIp", v, 1);
    v[0] = bw_arena_strdup(c->arena, now_iso);
    bw_authz_add_context(c, s, "aws:CurrentTime", v, 1);
    v[0] = bw_arena_strdup(c->arena, epoch);
    bw_authz_add_context(c, s, "aws:EpochTime", v, 1);
    v[0] = c->req->secure ? "true" : "false";
    bw_authz_add_context(c, s, "aws:SecureTransport", v, 1);
    v[0] = c->region;
    bw_authz_add_context(c, s, "aws:RequestedRegion", v, 1);
    if (c->principal->is_session) {
        v[0] = c->principal->mfa ? "true" : "false";
        bw_authz_add_context(c, s, "aws:MultiFactorAuthPresent", v, 1);
        if (c->principal->source_identity) {
            v[0] = c->principal->source_identity;
            bw_authz_add_context(c, s, "aws:SourceIdentity", v, 1);
        }
    }
    add_tag_keys(c, s);
    for (size_t i = 0; i < c->n_extra_ctx && s->n_ctx < MAX_CTX; i++)
        s->ctx[s->n_ctx++] = c->extra_ctx[i];
}

static void principal_tags(struct bw_call *c, struct bw_policy_principal *pp);

static void fill_request(struct bw_call *c, const char *action, const char *resource,
                         struct bw_authz_set *s, struct bw_policy_request *r)
{
    const struct bw_principal *p = c->principal;
    memset(r, 0, sizeof *r);
    r->principal.type = p->type;
    r->principal.arn = bw_str_c(p->arn);
    r->principal.account = bw_str_c(p->account_id);
    r->principal.user_id = bw_str_c(p->principal_id);
    if (p->type == BW_PRINCIPAL_USER)
        r->principal.username = bw_str_c(p->user_name);
    if (p->type == BW_PRINCIPAL_ASSUMED_ROLE)
        r->principal.issuer_arn =
            bw_str_c(bw_arena_printf(c->arena, "arn:aws:iam::%s:role%s%s", p->account_id,
                                     p->role_path ? p->role_path : "/", p->role_name));
    principal_tags(c, &r->principal);
    r->action = bw_str_c(action);
    r->resource.arn = bw_str_c(resource ? resource : "*");
    r->resource.account = bw_str_c(c->target_account ? c->target_account : p->account_id);
    r->ctx = s->ctx;
    r->n_ctx = s->n_ctx;
}

static const char *const user_tags_sql =
    "SELECT key, value FROM iam_tags WHERE account_id = ? AND kind = ? AND entity = ?";

static void principal_tags(struct bw_call *c, struct bw_policy_principal *pp)
{
    const struct bw_principal *p = c->principal;
    /* a federated user carries the tags of the IAM user that asked for its token */
    bool user = p->type == BW_PRINCIPAL_USER || p->type == BW_PRINCIPAL_FEDERATED;
    const char *kind = user ? "user" : "role";
    const char *name = user ? p->user_name : p->role_name;
    if (!name && !p->session_tags)
        return;
    struct bw_err e;
    sqlite3_stmt *st =
        name ? bw_db_prep(c->db, user_tags_sql, &e, "sss", p->account_id, kind, name) : NULL;
    struct bw_policy_tag *tags = BW_ARENA_NEWN(c->arena, struct bw_policy_tag, 64);
    size_t n = 0;
    bool row;
    /* session tags override the role's tags of the same key (STS User Guide, session tags) */
    json_t *st_tags = p->session_tags ? json_loads(p->session_tags, 0, NULL) : NULL;
    const char *k;
    json_t *v;
    json_object_foreach(st_tags, k, v)
    {
        if (n < 64 && json_is_string(v))
            tags[n++] =
                (struct bw_policy_tag){bw_str_c(bw_arena_strdup(c->arena, k)),
                                       bw_str_c(bw_arena_strdup(c->arena, json_string_value(v)))};
    }
    json_decref(st_tags);
    size_t n_session = n;
    while (st && bw_db_step(c->db, st, &row, &e) == BW_OK && row && n < 64) {
        char *key = bw_db_col_str(c->arena, st, 0);
        bool dup = false;
        for (size_t i = 0; i < n_session; i++)
            dup |= strcasecmp(tags[i].key.p, key) == 0;
        if (!dup)
            tags[n++] =
                (struct bw_policy_tag){bw_str_c(key), bw_str_c(bw_db_col_str(c->arena, st, 1))};
    }
    pp->tags = tags;
    pp->n_tags = n;
}

static enum bw_code build_set(struct bw_call *c, struct bw_authz_set *s, struct bw_err *err)
{
    memset(s, 0, sizeof *s);
    const struct bw_policy **ids;
    const struct bw_policy *boundary;
    size_t n;
    if (bw_authz_identity_policies(c, c->principal, &ids, &n, &boundary, err))
        return err->code;
    s->set.identity = ids;
    s->set.n_identity = n;
    if (boundary) {
        const struct bw_policy **b = BW_ARENA_NEWN(c->arena, const struct bw_policy *, 1);
        b[0] = boundary;
        s->set.boundaries = b;
        s->set.n_boundaries = 1;
    }
    struct plist sess = {0};
    if (session_policies(c, &sess, err))
        return err->code;
    s->set.session = sess.p;
    s->set.n_session = sess.n;
    add_global_context(c, s);
    for (size_t i = 0; i < c->srv->n_hooks; i++)
        if (c->srv->hooks[i](c, s, err))
            return err->code;
    return BW_OK;
}

static enum bw_code decide(struct bw_call *c, struct bw_authz_set *s, const char *action,
                           const char *resource, struct bw_err *err)
{
    struct bw_policy_request r;
    fill_request(c, action, resource, s, &r);
    struct bw_policy_match matches[16];
    struct bw_policy_explain ex = {.matches = matches, .cap = 16};
    enum bw_policy_decision d = bw_policy_evaluate(&s->set, &r, &ex);
    if (d == BW_POLICY_ALLOWED)
        return BW_OK;
    char msg[sizeof err->msg];
    bw_policy_denial_message(&r, d, &ex, msg, sizeof msg);
    /* Query services answer AccessDenied with 403; JSON 1.1 services spell it
     * AccessDeniedException with the status their model documents (400). */
    bw_fail(err,
            c->svc->protocol == BW_PROTO_JSON ? BW_E_ACCESS_DENIED_EXCEPTION : BW_E_ACCESS_DENIED,
            "%s", msg);
    err->name = c->svc->access_denied;
    return err->code;
}

enum bw_code bw_proto__authorize(struct bw_call *c, struct bw_err *err)
{
    struct bw_authz_set s;
    if (build_set(c, &s, err))
        return err->code;
    const char *res = c->op->resource ? c->op->resource(c) : NULL;
    return decide(c, &s, c->op->action, res, err);
}

enum bw_code bw_authz_check(struct bw_call *c, const char *action, const char *resource,
                            struct bw_err *err)
{
    struct bw_authz_set s;
    if (build_set(c, &s, err))
        return err->code;
    return decide(c, &s, action, resource, err);
}

bool bw_authz_resource_policy_allows(struct bw_call *c, const char *action, const char *resource,
                                     const char *resource_account,
                                     const struct bw_policy *resource_policy)
{
    struct bw_authz_set s;
    struct bw_policy_request r;
    memset(&s, 0, sizeof s);
    add_global_context(c, &s);
    const char *saved = c->target_account;
    c->target_account = resource_account;
    fill_request(c, action, resource, &s, &r);
    c->target_account = saved;
    return bw_policy_evaluate_only(&resource_policy, 1, BW_SRC_RESOURCE, &r, NULL) ==
           BW_POLICY_ALLOWED;
}

enum bw_code bw_authz_check_resource(struct bw_call *c, const char *action, const char *resource,
                                     const char *resource_account,
                                     const struct bw_policy *resource_policy, struct bw_err *err)
{
    struct bw_authz_set s;
    const char *saved = c->target_account;
    c->target_account = resource_account; /* the hooks see the resource's account too */
    enum bw_code rc = build_set(c, &s, err);
    if (!rc) {
        s.set.resource = resource_policy;
        rc = decide(c, &s, action, resource, err);
    }
    c->target_account = saved;
    return rc;
}
