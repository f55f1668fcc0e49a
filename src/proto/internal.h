/* SPDX-License-Identifier: Apache-2.0 */
/* Shared inside src/proto: the server struct, codecs, authn/authz, trail events, metrics. */
#ifndef BW_PROTO_INTERNAL_H
#define BW_PROTO_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "proto/proto.h"

#define BW_MAX_SERVICES 16
#define BW_MAX_HOOKS    8

struct bw_authn_cache;
struct bw_policy_cache;
struct bw_trail_queue;
struct bw_metrics;

struct bw_server {
    struct bw_server_config cfg;
    char *db_path;
    struct bw_secrets *secrets;
    const struct bw_service *services[BW_MAX_SERVICES];
    size_t n_services;
    bw_authz_hook_fn hooks[BW_MAX_HOOKS];
    size_t n_hooks;
    pthread_mutex_t pool_mu;
    pthread_mutex_t write_mu; /* one writer at a time, queued (see bw_db_set_write_mutex) */
    struct bw_db *pool[64];
    size_t pool_n;
    struct bw_sigv4_cache *sigv4_cache;
    struct bw_authn_cache *authn;
    struct bw_policy_cache *policies;
    struct bw_trail_queue *trail;
    struct bw_metrics *metrics;
    atomic_uint_fast64_t creds_gen;
    struct {
        void (*fn)(void *arg);
        void *arg;
    } on_stop[16];
    size_t n_on_stop;
};

/* --- query.c --- */
/* Decodes application/x-www-form-urlencoded text into params (appending). */
enum bw_code bw_proto__form_decode(struct bw_arena *a, const char *p, size_t len,
                                   struct bw_param **params, size_t *n, size_t *cap,
                                   struct bw_err *err);
/* Sorts params by name for bw_q_get's binary search. */
void bw_proto__params_sort(struct bw_param *params, size_t n);
/* Renders a Query success response. */
void bw_proto__query_ok(struct bw_call *c, struct bw_response *resp);
/* Renders a Query error (ErrorResponse). */
void bw_proto__query_error(struct bw_arena *a, const char *xmlns, const char *request_id,
                           const struct bw_err *err, struct bw_response *resp);

/* --- json.c --- */
void bw_proto__json_ok(struct bw_call *c, struct bw_response *resp);
void bw_proto__json_error(struct bw_arena *a, const struct bw_err *err, struct bw_response *resp);

/* --- authn.c --- */
struct bw_authn_cache *bw_proto__authn_cache_new(void);
void bw_proto__authn_cache_free(struct bw_authn_cache *c);
/* Authenticates the call (SigV4 + key lookup); sets c->principal. */
enum bw_code bw_proto__authenticate(struct bw_call *c, const struct bw_sigv4_request *sreq,
                                    const struct bw_sigv4_auth *auth, struct bw_err *err);

/* --- authz.c --- */
struct bw_policy_cache *bw_proto__policy_cache_new(void);
void bw_proto__policy_cache_free(struct bw_policy_cache *c);
/* Authorizes c->op's action on its resource for c->principal. */
enum bw_code bw_proto__authorize(struct bw_call *c, struct bw_err *err);

/* --- events.c --- */
struct bw_trail_queue *bw_proto__trail_queue_new(struct bw_server *srv);
/* Flushes and stops the writer thread. */
void bw_proto__trail_queue_free(struct bw_trail_queue *q);
/* Records the call's event: inside the open write transaction when `in_txn`, else queued. */
enum bw_code bw_proto__record_event(struct bw_call *c, const struct bw_err *failure, bool in_txn,
                                    struct bw_err *err);

/* --- metrics.c --- */
struct bw_metrics *bw_proto__metrics_new(void);
void bw_proto__metrics_free(struct bw_metrics *m);
void bw_proto__metrics_observe(struct bw_metrics *m, const char *service, const char *op,
                               int status, uint64_t ns);

/* --- server.c --- */
/* The call's store connection, taken from the pool on first use. */
struct bw_db *bw_proto__call_db(struct bw_call *c, struct bw_err *err);
struct bw_db *bw_proto__db_get(struct bw_server *srv, struct bw_err *err);
void bw_proto__db_put(struct bw_server *srv, struct bw_db *db);

#endif
