/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The dispatcher: route → decode → authenticate → authorize → handle inside one
 * store transaction with the audit event → render. Every failure is rendered in
 * the protocol of the service the request was for, with AWS's error name and
 * HTTP status; nothing a failed call did is committed.
 */
#include "proto/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/util.h"

/* ---- server lifecycle ---- */

enum bw_code bw_server_new(const struct bw_server_config *cfg, struct bw_server **out,
                           struct bw_err *err)
{
    struct bw_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        bw_oom();
    srv->cfg = *cfg;
    if (!srv->cfg.region)
        srv->cfg.region = "us-east-1";
    if (!srv->cfg.max_body)
        srv->cfg.max_body = 1 << 20;
    if (!srv->cfg.skew_seconds)
        srv->cfg.skew_seconds = 900;
    pthread_mutex_init(&srv->pool_mu, NULL);
    pthread_mutex_init(&srv->write_mu, NULL);
    if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST) {
        bw_server_free(srv);
        return bw_fail(err, BW_E_INTERNAL, "cannot create %s: %s", cfg->data_dir, strerror(errno));
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/master.key", cfg->data_dir);
    if (bw_secrets_open(path, true, &srv->secrets, err)) {
        bw_server_free(srv);
        return err->code;
    }
    snprintf(path, sizeof path, "%s/bulwark.db", cfg->data_dir);
    srv->db_path = strdup(path);
    struct bw_db *db = bw_proto__db_get(srv, err);
    if (!db) {
        bw_server_free(srv);
        return err->code;
    }
    bw_proto__db_put(srv, db);
    srv->sigv4_cache = bw_sigv4_cache_new(4096);
    srv->authn = bw_proto__authn_cache_new();
    srv->policies = bw_proto__policy_cache_new();
    srv->metrics = bw_proto__metrics_new();
    srv->trail = bw_proto__trail_queue_new(srv);
    *out = srv;
    return BW_OK;
}

void bw_server_free(struct bw_server *srv)
{
    if (!srv)
        return;
    while (srv->n_on_stop > 0) {
        srv->n_on_stop--;
        srv->on_stop[srv->n_on_stop].fn(srv->on_stop[srv->n_on_stop].arg);
    }
    bw_proto__trail_queue_free(srv->trail); /* flushes pending events */
    for (size_t i = 0; i < srv->pool_n; i++)
        bw_db_close(srv->pool[i]);
    bw_proto__metrics_free(srv->metrics);
    bw_proto__policy_cache_free(srv->policies);
    bw_proto__authn_cache_free(srv->authn);
    bw_sigv4_cache_free(srv->sigv4_cache);
    bw_secrets_free(srv->secrets);
    pthread_mutex_destroy(&srv->pool_mu);
    pthread_mutex_destroy(&srv->write_mu);
    free(srv->db_path);
    free(srv);
}

void bw_server_add_service(struct bw_server *srv, const struct bw_service *svc)
{
    if (srv->n_services < BW_MAX_SERVICES)
        srv->services[srv->n_services++] = svc;
}

void bw_server_add_authz_hook(struct bw_server *srv, bw_authz_hook_fn fn)
{
    if (srv->n_hooks < BW_MAX_HOOKS)
        srv->hooks[srv->n_hooks++] = fn;
}

struct bw_secrets *bw_server_secrets(struct bw_server *srv)
{
    return srv->secrets;
}

const struct bw_server_config *bw_server_config(const struct bw_server *srv)
{
    return &srv->cfg;
}

struct bw_db *bw_proto__db_get(struct bw_server *srv, struct bw_err *err)
{
    pthread_mutex_lock(&srv->pool_mu);
    struct bw_db *db = srv->pool_n ? srv->pool[--srv->pool_n] : NULL;
    pthread_mutex_unlock(&srv->pool_mu);
    if (db)
        return db;
    if (bw_db_open(srv->db_path, &db, err))
        return NULL;
    bw_db_set_write_mutex(db, &srv->write_mu);
    return db;
}

void bw_proto__db_put(struct bw_server *srv, struct bw_db *db)
{
    bw_db_release(db);
    pthread_mutex_lock(&srv->pool_mu);
    if (srv->pool_n < sizeof srv->pool / sizeof srv->pool[0]) {
        srv->pool[srv->pool_n++] = db;
        db = NULL;
    }
    pthread_mutex_unlock(&srv->pool_mu);
    bw_db_close(db);
}

struct bw_db *bw_proto__call_db(struct bw_call *c, struct bw_err *err)
{
    if (!c->db)
        c->db = bw_proto__db_get(c->srv, err);
    return c->db;
}

struct bw_db *bw_server_db(struct bw_server *srv, struct bw_err *err)
{
    return bw_proto__db_get(srv, err);
}

void bw_server_db_put(struct bw_server *srv, struct bw_db *db)
{
    bw_proto__db_put(srv, db);
}

void bw_server_on_stop(struct bw_server *srv, void (*fn)(void *arg), void *arg)
{
    if (srv->n_on_stop < sizeof srv->on_stop / sizeof srv->on_stop[0]) {
        srv->on_stop[srv->n_on_stop].fn = fn;
        srv->on_stop[srv->n_on_stop].arg = arg;
        srv->n_on_stop++;
    }
}

/* ---- routing ---- */

static const char *header(const struct bw_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

static const struct bw_service *service_by_target(struct bw_server *srv, const char *prefix,
                                                  size_t len)
{
    for (size_t i = 0; i < srv->n_services; i++) {
        const struct bw_service *s = srv->services[i];
        if (s->protocol == BW_PROTO_JSON && strlen(s->target_prefix) == len &&
            memcmp(s->target_prefix, prefix, len) == 0)
            return s;
    }
    return NULL;
}

static const struct bw_service *service_by_name(struct bw_server *srv, struct bw_str name)
{
    for (size_t i = 0; i < srv->n_services; i++)
        if (bw_str_eqc(name, srv->services[i]->name))
            return srv->services[i];
    return NULL;
}

static const struct bw_op *find_op(const struct bw_service *s, const char *name)
{
    for (size_t i = 0; i < s->n_ops; i++)
        if (strcmp(s->ops[i].name, name) == 0)
            return &s->ops[i];
    return NULL;
}

/* The Query service that knows `action`, for rendering errors before the scope is known. */
static const struct bw_service *query_service_guess(struct bw_server *srv, const char *action)
{
    const struct bw_service *first = NULL;
    for (size_t i = 0; i < srv->n_services; i++) {
        const struct bw_service *s = srv->services[i];
        if (s->protocol != BW_PROTO_QUERY)
            continue;
        if (!first)
            first = s;
        if (action && find_op(s, action))
            return s;
    }
    return first;
}

struct route {
    enum bw_protocol protocol;
    const struct bw_service *svc; /* known for JSON; for Query after authentication */
    const char *op_name;
};

static enum bw_code route_json(struct bw_call *c, const char *target, struct route *r,
                               struct bw_err *err)
{
    const char *dot = strrchr(target, '.');
    r->protocol = BW_PROTO_JSON;
    r->svc = dot ? service_by_target(c->srv, target, (size_t)(dot - target)) : NULL;
    r->op_name = dot ? dot + 1 : target;
    if (!r->svc)
        return bw_fail(err, BW_E_UNKNOWN_OPERATION, "The target %s is not known.", target);
    if (strcmp(c->req->method, "POST") != 0)
        return bw_fail(err, BW_E_SERIALIZATION, "JSON requests must use POST.");
    const char *ct = header(c->req, "Content-Type");
    if (!ct || (strncasecmp(ct, "application/x-amz-json-1.1", 26) != 0 &&
                strncasecmp(ct, "application/x-amz-json-1.0", 26) != 0 &&
                strncasecmp(ct, "application/json", 16) != 0))
        return bw_fail(err, BW_E_SERIALIZATION,
                       "Content-Type must be application/x-amz-json-1.1 for this service.");
    json_error_t je;
    const char *body = c->req->body_len ? c->req->body : "{}";
    size_t len = c->req->body_len ? c->req->body_len : 2;
    c->in = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!c->in || !json_is_object(c->in)) {
        json_decref(c->in);
        c->in = NULL;
        return bw_fail(err, BW_E_SERIALIZATION,
                       "Start of structure or map found where not expected.");
    }
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, c->in);
    return BW_OK;
}

static enum bw_code route_query(struct bw_call *c, struct route *r, struct bw_err *err)
{
    const struct bw_request *req = c->req;
    size_t cap = 0;
    r->protocol = BW_PROTO_QUERY;
    if (bw_proto__form_decode(c->arena, req->query, strlen(req->query), &c->params, &c->n_params,
                              &cap, err))
        return err->code;
    if (strcmp(req->method, "POST") == 0 && req->body_len) {
        const char *ct = header(req, "Content-Type");
        if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
            return bw_fail(err, BW_E_UNSUPPORTED_MEDIA,
                           "The request must be application/x-www-form-urlencoded.");
        if (bw_proto__form_decode(c->arena, req->body, req->body_len, &c->params, &c->n_params,
                                  &cap, err))
            return err->code;
    } else if (strcmp(req->method, "POST") != 0 && strcmp(req->method, "GET") != 0) {
        return bw_fail(err, BW_E_METHOD_NOT_ALLOWED, "The method %s is not allowed.", req->method);
    }
    bw_proto__params_sort(c->params, c->n_params);
    r->op_name = bw_q_get(c, "Action");
    r->svc = query_service_guess(c->srv, r->op_name);
    if (!r->op_name)
        return bw_fail(err, BW_E_MISSING_ACTION, "Missing Action");
    return BW_OK;
}

/* ---- the pipeline ---- */

static void sigv4_view(const struct bw_request *req, struct bw_sigv4_request *s, struct bw_arena *a)
{
    struct bw_sigv4_header *h = BW_ARENA_NEWN(a, struct bw_sigv4_header, req->n_headers + 1);
    for (size_t i = 0; i < req->n_headers; i++)
        h[i] = (struct bw_sigv4_header){bw_str_c(req->headers[i].name),
                                        bw_str_c(req->headers[i].value)};
    *s = (struct bw_sigv4_request){
        .method = bw_str_c(req->method),
        .path = bw_str_c(req->path),
        .query = bw_str_c(req->query),
        .headers = h,
        .n_headers = req->n_headers,
        .payload = {req->body ? req->body : "", req->body_len},
    };
}

static enum bw_code resolve_query_op(struct bw_call *c, struct route *r,
                                     const struct bw_sigv4_auth *auth, struct bw_err *err)
{
    const struct bw_service *svc = service_by_name(c->srv, auth->service);
    if (!svc || svc->protocol != BW_PROTO_QUERY)
        return bw_fail(err, BW_E_INVALID_ACTION, "Could not find operation %s for service %.*s",
                       r->op_name, (int)auth->service.len, auth->service.p);
    r->svc = svc;
    const char *version = bw_q_get(c, "Version");
    c->svc = svc;
    c->op = find_op(svc, r->op_name);
    if (!c->op || (version && strcmp(version, svc->version) != 0))
        return bw_fail(err, BW_E_INVALID_ACTION, "Could not find operation %s for version %s",
                       r->op_name, version ? version : svc->version);
    return BW_OK;
}

/* Authenticates and resolves the operation; fills c->svc, c->op, c->principal. */
static enum bw_code admit(struct bw_call *c, struct route *r, struct bw_err *err)
{
    struct bw_sigv4_request sreq;
    struct bw_sigv4_auth auth;
    sigv4_view(c->req, &sreq, c->arena);
    if (bw_sigv4_parse(&sreq, c->arena, &auth, err))
        return err->code;
    if (r->protocol == BW_PROTO_QUERY) {
        if (resolve_query_op(c, r, &auth, err))
            return err->code;
    } else {
        c->svc = r->svc;
        c->op = find_op(r->svc, r->op_name);
        if (!c->op)
            return bw_fail(err, BW_E_UNKNOWN_OPERATION, "The operation %s is not known.",
                           r->op_name);
    }
    if (bw_sigv4_check_scope(&auth, c->svc->name, NULL, err))
        return err->code;
    c->region = bw_arena_strndup(c->arena, auth.region.p, auth.region.len);
    return bw_proto__authenticate(c, &sreq, &auth, err);
}

/* A federated user's credentials call neither IAM nor STS, GetCallerIdentity aside
 * (STS API reference, GetFederationToken). */
static bool federated_refused(const struct bw_call *c)
{
    if (c->principal->type != BW_PRINCIPAL_FEDERATED)
        return false;
    return strcmp(c->svc->name, "iam") == 0 ||
           (strcmp(c->svc->name, "sts") == 0 && strcmp(c->op->name, "GetCallerIdentity") != 0);
}

/* Runs authz + handler + event in one transaction. */
static enum bw_code execute(struct bw_call *c, struct bw_err *err)
{
    bool write = c->op->flags & BW_OP_MUTATES;
    if ((c->op->flags & BW_OP_NO_SESSION) && c->principal->is_session)
        return bw_fail(err, BW_E_ACCESS_DENIED, "Cannot call %s with session credentials",
                       c->op->name);
    if (federated_refused(c))
        return bw_fail(err, BW_E_ACCESS_DENIED,
                       "User: %s is not authorized to perform: %s: credentials from "
                       "GetFederationToken cannot call IAM, or STS except GetCallerIdentity",
                       c->principal->arn, c->op->action);
    bool store = !(c->op->flags & BW_OP_NO_STORE);
    if (store && (!bw_proto__call_db(c, err) || bw_db_begin(c->db, write, err)))
        return err->code;
    if (!(c->op->flags & BW_OP_NO_AUTHZ) && bw_proto__authorize(c, err))
        return err->code;
    if (c->svc->protocol == BW_PROTO_QUERY)
        bw_buf_init(&c->xml, c->arena, 1024);
    if (c->op->handler(c, err))
        return err->code;
    if (write && bw_proto__record_event(c, NULL, true, err))
        return err->code;
    if (store && bw_db_commit(c->db, err))
        return err->code;
    /* Any committed write may change who can authenticate (keys, users, sessions, a closed
     * account): from now on cached credentials of an older generation are not used. */
    if (write)
        bw_server_creds_changed(c->srv);
    if (!write)
        bw_proto__record_event(c, NULL, false, err);
    return BW_OK;
}

static void render_error(struct bw_call *c, const struct route *r, const struct bw_err *err,
                         struct bw_response *resp)
{
    if (r->protocol == BW_PROTO_JSON)
        bw_proto__json_error(c->arena, err, resp);
    else
        bw_proto__query_error(c->arena, r->svc ? r->svc->xmlns : NULL, c->req->request_id, err,
                              resp);
}

static void log_result(struct bw_call *c, const struct route *r, const struct bw_err *err,
                       int status)
{
    uint64_t us = (bw_mono_ns() - c->req->start_ns) / 1000;
    const char *svc = c->svc ? c->svc->name : (r->svc ? r->svc->name : "-");
    const char *op = c->op ? c->op->name : (r->op_name ? r->op_name : "-");
    if (status >= 500)
        bw_log_req(BW_LOG_ERROR, "api", c->req->request_id,
                   "%s %s.%s status=%d error=%s (%s at %s:%d) us=%llu", c->req->source_ip, svc, op,
                   status, bw_err_name(err), err->msg, err->file ? err->file : "-", err->line,
                   (unsigned long long)us);
    else if (bw_log_enabled(status >= 400 ? BW_LOG_INFO : BW_LOG_DEBUG))
        bw_log_req(status >= 400 ? BW_LOG_INFO : BW_LOG_DEBUG, "api", c->req->request_id,
                   "%s %s.%s status=%d%s%s us=%llu", c->req->source_ip, svc, op, status,
                   status >= 400 ? " error=" : "", status >= 400 ? bw_err_name(err) : "",
                   (unsigned long long)us);
}

void bw_server_handle(struct bw_server *srv, struct bw_request *req, struct bw_response *resp)
{
    struct bw_err err;
    bw_err_clear(&err);
    struct bw_call call = {.arena = req->arena,
                           .srv = srv,
                           .req = req,
                           .now_ms = bw_now_ms(),
                           .region = srv->cfg.region};
    struct bw_call *c = &call;
    struct route r = {0};
    if (!req->request_id[0])
        bw_uuid4(req->request_id);
    const char *target = header(req, "X-Amz-Target");
    enum bw_code rc;
    if (req->body_len > srv->cfg.max_body)
        rc = bw_fail(&err, BW_E_PAYLOAD_TOO_LARGE, "Request body exceeds %zu bytes.",
                     srv->cfg.max_body);
    else
        rc = target ? route_json(c, target, &r, &err) : route_query(c, &r, &err);
    if (target)
        r.protocol = BW_PROTO_JSON;
    if (!rc) {
        rc = admit(c, &r, &err);
        if (rc && c->op) { /* reached authentication and failed it: recorded too */
            struct bw_err ignored;
            bw_proto__record_event(c, &err, false, &ignored);
        }
    }
    if (!rc) {
        rc = execute(c, &err);
        if (rc) {
            if (c->db)
                bw_db_rollback(c->db);
            struct bw_err ignored;
            bw_proto__record_event(c, &err, false, &ignored);
        }
    }
    if (c->db)
        bw_proto__db_put(srv, c->db);
    if (rc)
        render_error(c, &r, &err, resp);
    else if (r.protocol == BW_PROTO_JSON)
        bw_proto__json_ok(c, resp);
    else
        bw_proto__query_ok(c, resp);
    log_result(c, &r, &err, resp->status);
    bw_proto__metrics_observe(srv->metrics, c->svc ? c->svc->name : "unknown",
                              c->op ? c->op->name : "unknown", resp->status,
                              bw_mono_ns() - req->start_ns);
}
