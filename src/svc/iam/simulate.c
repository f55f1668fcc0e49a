/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SimulatePrincipalPolicy and SimulateCustomPolicy, answered by the policy
 * engine: each (action, resource) pair is evaluated against the principal's
 * identity policies (a user's own and its groups', a group's, or a role's)
 * plus PolicyInputList, its permissions boundary (or
 * PermissionsBoundaryPolicyInputList) and ResourcePolicy, with only the context
 * the caller supplies in ContextEntries, as IAM's simulator does. Condition
 * keys a matching statement asked for and nobody supplied are reported in
 * MissingContextValues. Matched statements carry their policy's id and type and
 * the statement's line/column span in the document as stored.
 */
#include "svc/iam/internal.h"

#define MAX_SRC     64
#define MAX_MATCHES 32
#define MAX_MISSING 32

struct src {
    const struct bw_policy *p;
    const char *id, *type, *doc;
    int (*pos)[4]; /* statement spans, computed on first use */
    size_t n_pos;
    bool located;
};

struct sim {
    struct src srcs[MAX_SRC];
    size_t n_srcs;
    const struct bw_policy *identity[MAX_SRC], *boundary[MAX_SRC];
    size_t n_identity, n_boundary;
    const struct bw_policy *resource;
    struct bw_policy_request req;
    struct bw_policy_ctx_key *ctx;
    /* keys looked up and not supplied (ctx_fn) */
    const char *missing[MAX_MISSING];
    size_t n_missing;
    struct bw_arena *arena;
};

static enum bw_code add_src(struct bw_call *c, struct sim *s, const char *doc,
                            enum bw_policy_kind kind, const char *id, const char *type,
                            struct bw_err *err)
{
    if (s->n_srcs == MAX_SRC)
        return bw_fail(err, BW_E_IAM_LIMIT_EXCEEDED, "Too many policies to simulate.");
    const struct bw_policy *p;
    if (bw_authz_compile(c, doc, kind, id, &p, err)) {
        err->code = BW_E_IAM_MALFORMED_POLICY;
        return err->code;
    }
    s->srcs[s->n_srcs++] = (struct src){.p = p, .id = id, .type = type, .doc = doc};
    if (kind == BW_POLICY_BOUNDARY)
        s->boundary[s->n_boundary++] = p;
    else if (kind == BW_POLICY_RESOURCE)
        s->resource = p;
    else
        s->identity[s->n_identity++] = p;
    return BW_OK;
}

/* ---- the principal's own policies ---- */

static const char *const inline_sql =
    "SELECT name, document FROM iam_inline_policies WHERE account_id = ? AND kind = ?"
    " AND entity = ?";
static const char *const attached_sql =
    "SELECT p.name, v.document, p.account_id FROM iam_attachments a"
    " JOIN iam_policies p ON p.arn = a.policy_arn JOIN iam_policy_versions v"
    " ON v.policy_arn = p.arn AND v.version_id = p.default_version"
    " WHERE a.account_id = ? AND a.kind = ? AND a.entity = ?";
static const char *const groups_sql =
    "SELECT group_name FROM iam_group_members WHERE account_id = ? AND user_name = ?";
static const char *const boundary_sql =
    "SELECT p.name, v.document, p.account_id FROM iam_policies p JOIN iam_policy_versions v"
    " ON v.policy_arn = p.arn AND v.version_id = p.default_version WHERE p.arn = ?";

static enum bw_code add_rows(struct bw_call *c, struct sim *s, sqlite3_stmt *st,
                             enum bw_policy_kind kind, const char *inline_type, struct bw_err *err)
{
    bool row = false;
    if (!st)
        return err->code;
    /* collect first: compiling does not touch the store, but keep the step loop simple */
    while (bw_db_step(c->db, st, &row, err) == BW_OK && row) {
        const char *type = inline_type;
        if (!type)
            type = strcmp((const char *)sqlite3_column_text(st, 2), "aws") == 0 ? "aws-managed"
                                                                                : "user-managed";
        if (add_src(c, s, bw_db_col_str(c->arena, st, 1), kind, bw_db_col_str(c->arena, st, 0),
                    type, err))
            return err->code;
    }
    return err->code;
}

static enum bw_code entity_policies(struct bw_call *c, struct sim *s, enum bw_iam_kind k,
                                    const char *name, struct bw_err *err)
{
    const char *acct = c->principal->account_id, *kind = bw_iam__kind_name(k);
    if (add_rows(c, s, bw_db_prep(c->db, inline_sql, err, "sss", acct, kind, name),
                 BW_POLICY_IDENTITY, kind, err) ||
        add_rows(c, s, bw_db_prep(c->db, attached_sql, err, "sss", acct, kind, name),
                 BW_POLICY_IDENTITY, NULL, err))
        return err->code;
    return BW_OK;
}

static enum bw_code user_groups(struct bw_call *c, struct sim *s, const char *user,
                                struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, groups_sql, err, "ss", c->principal->account_id, user);
    const char *names[16];
    size_t n = 0;
    bool row = false;
    if (!st)
        return err->code;
    while (n < 16 && bw_db_step(c->db, st, &row, err) == BW_OK && row)
        names[n++] = bw_db_col_str(c->arena, st, 0);
    for (size_t i = 0; !err->code && i < n; i++)
        entity_policies(c, s, BW_IAM_GROUP, names[i], err);
    return err->code;
}

/* Parses arn:aws:iam::ACCT:{user,group,role}/path/name into kind and name. */
static enum bw_code source_entity(struct bw_call *c, const char *arn, struct bw_iam__ent *e,
                                  struct bw_err *err)
{
    static const char *const kinds[] = {"user/", "group/", "role/"};
    const char *acct = c->principal->account_id;
    size_t pre = strlen("arn:aws:iam::") + strlen(acct) + 1;
    if (bw_iam__check_arn(arn, err))
        return err->code;
    if (strncmp(arn, "arn:aws:iam::", 13) != 0 || strncmp(arn + 13, acct, strlen(acct)) != 0 ||
        arn[pre - 1] != ':')
        return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY, "Entity %s does not exist.", arn);
    for (int k = 0; k < 3; k++) {
        if (strncmp(arn + pre, kinds[k], strlen(kinds[k])) != 0)
            continue;
        const char *name = strrchr(arn, '/') + 1;
        struct bw_err e2;
        bw_err_clear(&e2);
        if (bw_iam__ent_get(c, (enum bw_iam_kind)k, name, e, &e2) || strcmp(e->arn, arn) != 0)
            return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY, "Entity %s does not exist.", arn);
        return BW_OK;
    }
    return bw_fail(err, BW_E_IAM_INVALID_INPUT, "Invalid Entity Arn: %s", arn);
}

static void principal_tags(struct bw_call *c, struct sim *s, const struct bw_iam__ent *e)
{
    static const char *const tags_sql =
        "SELECT key, value FROM iam_tags WHERE account_id = ? AND kind = ? AND entity = ?";
    struct bw_err err;
    sqlite3_stmt *st = bw_db_prep(c->db, tags_sql, &err, "sss", c->principal->account_id,
                                  bw_iam__kind_name(e->kind), e->name);
    struct bw_policy_tag *tags = BW_ARENA_NEWN(c->arena, struct bw_policy_tag, 50);
    size_t n = 0;
    bool row = false;
    while (st && n < 50 && bw_db_step(c->db, st, &row, &err) == BW_OK && row) {
        tags[n].key = bw_str_c(bw_db_col_str(c->arena, st, 0));
        tags[n].value = bw_str_c(bw_db_col_str(c->arena, st, 1));
        n++;
    }
    s->req.principal.tags = tags;
    s->req.principal.n_tags = n;
}

static enum bw_code load_principal(struct bw_call *c, struct sim *s, const char *arn,
                                   struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    if (source_entity(c, arn, &e, err) || entity_policies(c, s, e.kind, e.name, err) ||
        (e.kind == BW_IAM_USER && user_groups(c, s, e.name, err)))
        return err->code;
    struct bw_policy_principal *pr = &s->req.principal;
    pr->arn = bw_str_c(e.arn);
    pr->user_id = bw_str_c(e.id);
    pr->type = BW_PRINCIPAL_USER;
    if (e.kind == BW_IAM_USER)
        pr->username = bw_str_c(e.name);
    if (e.kind == BW_IAM_ROLE) {
        pr->type = BW_PRINCIPAL_ASSUMED_ROLE;
        pr->issuer_arn = pr->arn;
    }
    principal_tags(c, s, &e);
    if (e.boundary && !bw_q_member(c, "PermissionsBoundaryPolicyInputList", 1, NULL))
        return add_rows(c, s, bw_db_prep(c->db, boundary_sql, err, "s", e.boundary),
                        BW_POLICY_BOUNDARY, NULL, err);
    return BW_OK;
}

/* ---- request inputs ---- */

static enum bw_code add_input(struct bw_call *c, struct sim *s, const char *doc,
                              enum bw_policy_kind kind, const char *id, const char *type,
                              struct bw_err *err)
{
    if (bw_iam__check_len("policyInputList.member", doc, 1, 131072, err))
        return err->code;
    return add_src(c, s, doc, kind, id, type, err);
}

static enum bw_code input_lists(struct bw_call *c, struct sim *s, struct bw_err *err)
{
    int n = bw_q_member_count(c, "PolicyInputList", NULL);
    for (int i = 1; i <= n; i++)
        if (add_input(c, s, bw_q_member(c, "PolicyInputList", i, NULL), BW_POLICY_IDENTITY,
                      bw_arena_printf(c->arena, "PolicyInputList.%d", i), "none", err))
            return err->code;
    n = bw_q_member_count(c, "PermissionsBoundaryPolicyInputList", NULL);
    for (int i = 1; i <= n; i++)
        if (add_input(c, s, bw_q_member(c, "PermissionsBoundaryPolicyInputList", i, NULL),
                      BW_POLICY_BOUNDARY,
                      bw_arena_printf(c->arena, "PermissionsBoundaryPolicyInputList.%d", i), "none",
                      err))
            return err->code;
    const char *rp = bw_q_get(c, "ResourcePolicy");
    if (rp && add_input(c, s, rp, BW_POLICY_RESOURCE, "ResourcePolicy", "resource", err))
        return err->code;
    return BW_OK;
}

static const char *const ctx_types[] = {
    "string", "stringList", "numeric",    "numericList", "boolean",  "booleanList", "ip",
    "ipList", "binary",     "binaryList", "date",        "dateList", NULL};

static enum bw_code context_entries(struct bw_call *c, struct sim *s, struct bw_err *err)
{
    int n = bw_q_member_count(c, "ContextEntries", "ContextKeyName");
    s->ctx = BW_ARENA_NEWN(c->arena, struct bw_policy_ctx_key, (size_t)n + 1);
    for (int i = 1; i <= n; i++) {
        const char *key = bw_q_member(c, "ContextEntries", i, "ContextKeyName");
        const char *type = bw_q_member(c, "ContextEntries", i, "ContextKeyType");
        if (type && bw_iam__check_enum("contextEntries.member.contextKeyType", type, ctx_types,
                                       "string, stringList, numeric, numericList, boolean, "
                                       "booleanList, ip, ipList, binary, binaryList, date, "
                                       "dateList",
                                       err))
            return err->code;
        const char *prefix =
            bw_arena_printf(c->arena, "ContextEntries.member.%d.ContextKeyValues", i);
        int nv = bw_q_member_count(c, prefix, NULL);
        struct bw_str *vals = BW_ARENA_NEWN(c->arena, struct bw_str, (size_t)nv + 1);
        for (int j = 1; j <= nv; j++)
            vals[j - 1] = bw_str_c(bw_q_member(c, prefix, j, NULL));
        s->ctx[i - 1] = (struct bw_policy_ctx_key){bw_str_c(key), vals, (size_t)nv};
    }
    s->req.ctx = s->ctx;
    s->req.n_ctx = (size_t)n;
    return BW_OK;
}

/* Keys the engine derives itself are never "missing". */
static bool derived_key(struct bw_str k)
{
    static const char *const keys[] = {"aws:PrincipalArn",
                                       "aws:PrincipalAccount",
                                       "aws:PrincipalType",
                                       "aws:username",
                                       "aws:userid",
                                       "aws:ResourceAccount",
                                       NULL};
    for (size_t i = 0; keys[i]; i++)
        if (k.len == strlen(keys[i]) && strncasecmp(k.p, keys[i], k.len) == 0)
            return true;
    return (k.len > 17 && strncasecmp(k.p, "aws:PrincipalTag/", 17) == 0) ||
           (k.len > 16 && strncasecmp(k.p, "aws:ResourceTag/", 16) == 0);
}

/* The engine folds key case; report a key as the policy spells it. */
static const char *spelled(const struct sim *s, struct bw_str key)
{
    for (size_t i = 0; i < s->n_srcs; i++)
        for (const char *d = s->srcs[i].doc; *d; d++)
            if (strncasecmp(d, key.p, key.len) == 0)
                return bw_arena_strndup(s->arena, d, key.len);
    return bw_arena_strndup(s->arena, key.p, key.len);
}

static bool ctx_missing(void *arg, struct bw_str key, const struct bw_str **values, size_t *n)
{
    struct sim *s = arg;
    (void)values;
    (void)n;
    if (derived_key(key) || s->n_missing == MAX_MISSING)
        return false;
    for (size_t i = 0; i < s->n_missing; i++)
        if (strlen(s->missing[i]) == key.len && strncasecmp(s->missing[i], key.p, key.len) == 0)
            return false;
    s->missing[s->n_missing++] = spelled(s, key);
    return false;
}

/* ---- results ---- */

static struct src *find_src(struct sim *s, const struct bw_policy *p)
{
    for (size_t i = 0; i < s->n_srcs; i++)
        if (s->srcs[i].p == p)
            return &s->srcs[i];
    return NULL;
}

/* The span of statement `index`: one scan of the document per policy and request. */
static const int *locate(struct sim *s, struct src *src, size_t index)
{
    if (!src->located) {
        size_t cap = bw_policy_statement_count(src->p);
        src->pos = bw_arena_alloc(s->arena, (cap ? cap : 1) * sizeof *src->pos);
        src->n_pos = bw_iam__stmt_positions(src->doc, src->pos, cap);
        src->located = true;
    }
    return index < src->n_pos ? src->pos[index] : NULL;
}

static void write_position(struct bw_call *c, const char *tag, int line, int col)
{
    bw_xml_open(&c->xml, tag);
    bw_xml_elem_int(&c->xml, "Line", line);
    bw_xml_elem_int(&c->xml, "Column", col);
    bw_xml_close(&c->xml, tag);
}

static void write_matches(struct bw_call *c, struct sim *s, const struct bw_policy_explain *ex)
{
    bw_xml_open(&c->xml, "MatchedStatements");
    size_t n = ex->n_matches < ex->cap ? ex->n_matches : ex->cap;
    for (size_t i = 0; i < n; i++) {
        struct src *src = find_src(s, ex->matches[i].policy);
        if (!src)
            continue;
        const int *pos = locate(s, src, ex->matches[i].index);
        bw_xml_open(&c->xml, "member");
        bw_xml_elem(&c->xml, "SourcePolicyId", src->id);
        bw_xml_elem(&c->xml, "SourcePolicyType", src->type);
        if (pos) {
            write_position(c, "StartPosition", pos[0], pos[1]);
            write_position(c, "EndPosition", pos[2], pos[3]);
        }
        bw_xml_close(&c->xml, "member");
    }
    bw_xml_close(&c->xml, "MatchedStatements");
}

static void evaluate_one(struct bw_call *c, struct sim *s, const char *action, const char *resource)
{
    struct bw_policy_set set = {.identity = s->identity,
                                .n_identity = s->n_identity,
                                .boundaries = s->boundary,
                                .n_boundaries = s->n_boundary,
                                .resource = s->resource};
    struct bw_policy_match matches[MAX_MATCHES];
    struct bw_policy_explain ex = {.matches = matches, .cap = MAX_MATCHES};
    s->n_missing = 0;
    s->req.action = bw_str_c(action);
    s->req.resource.arn = bw_str_c(resource);
    enum bw_policy_decision d = bw_policy_evaluate(&set, &s->req, &ex);
    bw_xml_open(&c->xml, "member");
    bw_xml_elem(&c->xml, "EvalActionName", action);
    bw_xml_elem(&c->xml, "EvalResourceName", resource);
    bw_xml_elem(&c->xml, "EvalDecision", bw_policy_decision_name(d));
    write_matches(c, s, &ex);
    bw_xml_open(&c->xml, "MissingContextValues");
    for (size_t i = 0; i < s->n_missing; i++)
        bw_xml_elem(&c->xml, "member", s->missing[i]);
    bw_xml_close(&c->xml, "MissingContextValues");
    if (s->n_boundary) {
        enum bw_policy_decision b =
            bw_policy_evaluate_only(s->boundary, s->n_boundary, BW_SRC_BOUNDARY, &s->req, NULL);
        bw_xml_open(&c->xml, "PermissionsBoundaryDecisionDetail");
        bw_xml_elem_bool(&c->xml, "AllowedByPermissionsBoundary", b == BW_POLICY_ALLOWED);
        bw_xml_close(&c->xml, "PermissionsBoundaryDecisionDetail");
    }
    bw_xml_close(&c->xml, "member");
}

static enum bw_code run(struct bw_call *c, struct sim *s, struct bw_err *err)
{
    struct bw_iam__page pg;
    int na = bw_q_member_count(c, "ActionNames", NULL);
    int nr = bw_q_member_count(c, "ResourceArns", NULL);
    if (bw_iam__paging(c, &pg, err))
        return err->code;
    if (na == 0)
        return bw_fail(err, BW_E_VALIDATION,
                       "1 validation error detected: Value null at 'actionNames' failed to "
                       "satisfy constraint: Member must not be null");
    const char *owner = bw_q_get(c, "ResourceOwner");
    s->req.resource.account = bw_str_c(c->principal->account_id);
    if (owner && strncmp(owner, "arn:aws:iam::", 13) == 0 && strlen(owner) >= 25)
        s->req.resource.account = (struct bw_str){owner + 13, 12};
    s->req.principal.account = bw_str_c(c->principal->account_id);
    s->req.ctx_fn = ctx_missing;
    s->req.ctx_arg = s;
    s->arena = c->arena;
    bw_xml_open(&c->xml, "EvaluationResults");
    /* results are the (action, resource) pairs in order; only the page is evaluated */
    int64_t per = nr ? nr : 1, total = (int64_t)na * per;
    for (int64_t idx = pg.off; idx < total && idx < pg.off + pg.max; idx++, pg.n++)
        evaluate_one(c, s, bw_q_member(c, "ActionNames", (int)(idx / per) + 1, NULL),
                     nr ? bw_q_member(c, "ResourceArns", (int)(idx % per) + 1, NULL) : "*");
    pg.truncated = pg.off + pg.max < total;
    bw_xml_close(&c->xml, "EvaluationResults");
    bw_iam__paging_end(c, &pg);
    return BW_OK;
}

static void caller_arn(struct bw_call *c, struct sim *s)
{
    const char *caller = bw_q_get(c, "CallerArn");
    if (!caller)
        return;
    s->req.principal.arn = bw_str_c(caller);
    if (s->req.principal.type == BW_PRINCIPAL_ASSUMED_ROLE)
        s->req.principal.issuer_arn = s->req.principal.arn;
}

enum bw_code bw_iam__simulate_principal_policy(struct bw_call *c, struct bw_err *err)
{
    struct sim *s = BW_ARENA_NEW(c->arena, struct sim);
    const char *arn = NULL;
    if (bw_iam__required(c, "PolicySourceArn", &arn, err) || load_principal(c, s, arn, err) ||
        input_lists(c, s, err) || context_entries(c, s, err))
        return err->code;
    caller_arn(c, s);
    return run(c, s, err);
}

enum bw_code bw_iam__simulate_custom_policy(struct bw_call *c, struct bw_err *err)
{
    struct sim *s = BW_ARENA_NEW(c->arena, struct sim);
    if (bw_q_member_count(c, "PolicyInputList", NULL) == 0)
        return bw_fail(err, BW_E_VALIDATION,
                       "1 validation error detected: Value null at 'policyInputList' failed to "
                       "satisfy constraint: Member must not be null");
    if (input_lists(c, s, err) || context_entries(c, s, err))
        return err->code;
    s->req.principal.type = BW_PRINCIPAL_USER;
    caller_arn(c, s);
    return run(c, s, err);
}

/* ---- statement positions ---- */

static size_t skip_ws(const char *s, size_t i)
{
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
        i++;
    return i;
}

static size_t skip_string(const char *s, size_t i)
{
    for (i++; s[i] && s[i] != '"'; i++)
        if (s[i] == '\\' && s[i + 1])
            i++;
    return s[i] ? i + 1 : i;
}

static size_t skip_value(const char *s, size_t i)
{
    if (s[i] == '"')
        return skip_string(s, i);
    if (s[i] != '{' && s[i] != '[') {
        while (s[i] && !strchr(",}] \t\r\n", s[i]))
            i++;
        return i;
    }
    int depth = 0;
    while (s[i]) {
        if (s[i] == '"') {
            i = skip_string(s, i);
            continue;
        }
        if (s[i] == '{' || s[i] == '[')
            depth++;
        else if ((s[i] == '}' || s[i] == ']') && --depth == 0)
            return i + 1;
        i++;
    }
    return i;
}

/* A running line/column position in a document. */
struct lc {
    size_t off;
    int line, col;
};

static void advance(const char *s, struct lc *p, size_t to)
{
    for (; p->off < to && s[p->off]; p->off++) {
        if (s[p->off] == '\n') {
            p->line++;
            p->col = 1;
        } else {
            p->col++;
        }
    }
}

static void span(const char *s, struct lc *p, size_t start, size_t end, int out[4])
{
    advance(s, p, start);
    out[0] = p->line;
    out[1] = p->col;
    advance(s, p, end);
    out[2] = p->line;
    out[3] = p->col;
}

/* Finds the value of the top-level "Statement" key; returns its offset or 0. */
static size_t statement_value(const char *s)
{
    size_t i = skip_ws(s, 0);
    if (s[i] != '{')
        return 0;
    i = skip_ws(s, i + 1);
    while (s[i] == '"') {
        size_t k = i;
        i = skip_ws(s, skip_string(s, i));
        if (s[i] != ':')
            return 0;
        size_t v = skip_ws(s, i + 1);
        if (i - k >= 11 && strncmp(s + k, "\"Statement\"", 11) == 0)
            return v;
        i = skip_ws(s, skip_value(s, v));
        if (s[i] != ',')
            return 0;
        i = skip_ws(s, i + 1);
    }
    return 0;
}

size_t bw_iam__stmt_positions(const char *doc, int (*pos)[4], size_t cap)
{
    size_t v = statement_value(doc), n = 0;
    struct lc p = {0, 1, 1};
    if (!v || !cap)
        return 0;
    if (doc[v] == '{') {
        span(doc, &p, v, skip_value(doc, v), pos[0]);
        return 1;
    }
    if (doc[v] != '[')
        return 0;
    size_t i = skip_ws(doc, v + 1);
    while (n < cap && doc[i] && doc[i] != ']') {
        size_t end = skip_value(doc, i);
        if (end == i)
            break;
        span(doc, &p, i, end, pos[n++]);
        i = skip_ws(doc, end);
        if (doc[i] != ',')
            break;
        i = skip_ws(doc, i + 1);
    }
    return n;
}

bool bw_iam__stmt_position(const char *doc, size_t index, int pos[4])
{
    int all[16][4];
    if (index >= 16 || bw_iam__stmt_positions(doc, all, index + 1) <= index)
        return false;
    memcpy(pos, all[index], sizeof all[index]);
    return true;
}
