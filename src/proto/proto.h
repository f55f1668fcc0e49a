/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AWS wire protocols and the dispatcher. A request arrives from `http` as a
 * struct bw_request (method, raw path and query, headers, body, peer); `proto`
 * finds the service and operation (X-Amz-Target for JSON 1.1; Action plus the
 * SigV4 scope's service for Query), authenticates it, authorizes it with the
 * operation's IAM action and resource ARN, runs the handler inside one store
 * transaction together with the audit event, and renders the response or the
 * error in the protocol's own shape. Services register tables of operations;
 * proto knows no service.
 */
#ifndef BW_PROTO_PROTO_H
#define BW_PROTO_PROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "common/arena.h"
#include "common/errors.h"
#include "common/str.h"
#include "policy/policy.h"
#include "store/store.h"

struct bw_server;
struct bw_call;

/* A received HTTP request, owned by its arena. Header names keep their case. */
struct bw_header {
    const char *name;
    const char *value;
};

struct bw_request {
    struct bw_arena *arena;
    const char *method;
    const char *path;  /* raw, as received, without the query */
    const char *query; /* raw, without '?'; "" when none */
    struct bw_header *headers;
    size_t n_headers;
    const char *body;
    size_t body_len;
    char source_ip[64];
    bool secure;       /* arrived over TLS */
    uint64_t start_ns; /* monotonic */
    char request_id[37];
};

/* The response to send; the body lives in the request's arena. */
struct bw_response {
    int status;
    const char *content_type;
    const char *body;
    size_t body_len;
};

/* Query-protocol input: form fields (body and query string), decoded, sorted by name. */
struct bw_param {
    const char *name;
    const char *value;
};

enum bw_protocol { BW_PROTO_QUERY, BW_PROTO_JSON };

enum bw_op_flags {
    BW_OP_MUTATES = 1 << 0,    /* writes: runs in a write transaction; readOnly=false */
    BW_OP_NO_AUTHZ = 1 << 1,   /* no IAM check (sts:GetCallerIdentity) */
    BW_OP_NO_AUTHN = 1 << 2,   /* reachable without credentials (none yet) */
    BW_OP_NO_SESSION = 1 << 3, /* refused to temporary credentials (sts:GetSessionToken) */
    BW_OP_NO_STORE = 1 << 4,   /* never touches the store: no transaction is opened */
};

/* Computes the resource ARN the operation acts on (NULL or "*" for none). */
typedef const char *(*bw_op_resource_fn)(struct bw_call *c);
/* Runs the operation. Reads input, writes output (see bw_call), returns BW_OK or fails. */
typedef enum bw_code (*bw_op_handler_fn)(struct bw_call *c, struct bw_err *err);

struct bw_op {
    const char *name;   /* "CreateUser" */
    const char *action; /* "iam:CreateUser" */
    unsigned flags;
    bw_op_resource_fn resource;
    bw_op_handler_fn handler;
};

struct bw_service {
    const char *name;         /* SigV4 service name: "iam", "sts", "organizations" */
    const char *event_source; /* "iam.amazonaws.com" */
    enum bw_protocol protocol;
    const char *target_prefix; /* JSON 1.1: "AWSOrganizationsV20161128" */
    const char *xmlns;         /* Query: "https://iam.amazonaws.com/doc/2010-05-08/" */
    const char *version;       /* Query: "2010-05-08" */
    const char
        *access_denied; /* the service's spelling: "AccessDenied" | "AccessDeniedException" */
    const struct bw_op *ops;
    size_t n_ops;
};

/*
 * The authorization hook through which other subsystems add to a decision's
 * policy set (the Organizations SCP/RCP chain) and context keys. Called inside
 * the request's transaction.
 */
struct bw_authz_set;
typedef enum bw_code (*bw_authz_hook_fn)(struct bw_call *c, struct bw_authz_set *set,
                                         struct bw_err *err);

/* One API call in flight. Everything lives in req->arena. */
struct bw_call {
    struct bw_arena *arena;
    struct bw_server *srv;
    struct bw_db *db;
    const struct bw_request *req;
    const struct bw_service *svc;
    const struct bw_op *op;
    struct bw_principal *principal; /* NULL before authentication */
    int64_t now_ms;
    const char *region;
    /* input: Query params or a JSON object */
    struct bw_param *params;
    size_t n_params;
    json_t *in;
    /* output: Query result XML (inside <OpResult>) or a JSON object */
    struct bw_buf xml;
    json_t *out;
    /* audit: filled by handlers where the operation names resources */
    json_t *trail_resources;    /* array of {"ARN","accountId","type"} or NULL */
    json_t *trail_response;     /* responseElements, or NULL */
    const char *target_account; /* the account whose resource was acted on (recipient) */
    /* context keys the operation adds for its own checks (sts:ExternalId, ...): every
     * authorization decision of the call sees them (bw_authz_call_context) */
    struct bw_policy_ctx_key *extra_ctx;
    size_t n_extra_ctx, cap_extra_ctx;
};

/* ---- Query input helpers ---- */
/* The value of a form field, or NULL. */
const char *bw_q_get(const struct bw_call *c, const char *name);
/* The value of "<prefix>.member.<i>[.<suffix>]" (i from 1), or NULL. */
const char *bw_q_member(const struct bw_call *c, const char *prefix, int i, const char *suffix);
/* The number of consecutive members of "<prefix>.member.N" (probing suffix when given). */
int bw_q_member_count(const struct bw_call *c, const char *prefix, const char *suffix);

/* ---- XML output helpers (Query) ---- */
/* Appends <tag>escaped value</tag>; a NULL value writes nothing. */
void bw_xml_elem(struct bw_buf *b, const char *tag, const char *value);
void bw_xml_elem_int(struct bw_buf *b, const char *tag, int64_t value);
void bw_xml_elem_bool(struct bw_buf *b, const char *tag, bool value);
/* Appends <tag>ISO-8601 time</tag> from epoch ms. */
void bw_xml_elem_time(struct bw_buf *b, const char *tag, int64_t ms);
/* Appends the XML-escaped text. */
void bw_xml_escape(struct bw_buf *b, const char *s, size_t len);
void bw_xml_open(struct bw_buf *b, const char *tag);
void bw_xml_close(struct bw_buf *b, const char *tag);

/* ---- JSON input helpers (JSON 1.1) ---- */
/* A string member, or NULL when absent; a non-string fails SerializationException. */
enum bw_code bw_j_str(struct bw_call *c, const char *name, bool required, const char **out,
                      struct bw_err *err);

/* ---- the server ---- */
struct bw_server_config {
    const char *data_dir;
    const char *region; /* default "us-east-1" */
    size_t max_body;    /* bytes; default 1 MiB */
    int skew_seconds;   /* default 900 */
};

/* Creates the server state (opens the store under data_dir/bulwark.db, loads the
 * master key). The caller owns *out. */
enum bw_code bw_server_new(const struct bw_server_config *cfg, struct bw_server **out,
                           struct bw_err *err);
void bw_server_free(struct bw_server *srv);
/* Registers a service table (static storage). Not thread-safe: before serving. */
void bw_server_add_service(struct bw_server *srv, const struct bw_service *svc);
/* Adds an authorization hook (e.g. the SCP chain). Not thread-safe: before serving. */
void bw_server_add_authz_hook(struct bw_server *srv, bw_authz_hook_fn fn);
/* Runs fn(arg) when the server stops, newest first, before the store closes (for
 * background workers a service starts in its register function). */
void bw_server_on_stop(struct bw_server *srv, void (*fn)(void *arg), void *arg);
/* A store connection from the server's pool (the caller owns it until bw_server_db_put). */
struct bw_db *bw_server_db(struct bw_server *srv, struct bw_err *err);
void bw_server_db_put(struct bw_server *srv, struct bw_db *db);
/* The server's secrets box (master key). */
struct bw_secrets *bw_server_secrets(struct bw_server *srv);
const struct bw_server_config *bw_server_config(const struct bw_server *srv);

/* ---- authorization helpers (for services and hooks) ---- */
/* Compiles a policy document through the server's cache of compiled policies (keyed by
 * kind and content, so never stale). The policy lives as long as the server or the
 * call's arena. Errors: MalformedPolicyDocument with IAM's message. */
enum bw_code bw_authz_compile(struct bw_call *c, const char *doc, enum bw_policy_kind kind,
                              const char *id, const struct bw_policy **out, struct bw_err *err);
/* Hooks: set the SCP / RCP chain (levels root first; arrays in the call's arena). */
void bw_authz_set_scps(struct bw_authz_set *set, const struct bw_policy_level *levels, size_t n);
void bw_authz_set_rcps(struct bw_authz_set *set, const struct bw_policy_level *levels, size_t n);
/* Hooks: marks the caller's account as the organization's management account. */
void bw_authz_set_management(struct bw_authz_set *set, bool is_management);
/* Hooks and services: add a context key with values (copied pointers; arena storage). */
void bw_authz_add_context(struct bw_call *c, struct bw_authz_set *set, const char *key,
                          const char *const *values, size_t n);
/* Services: a context key every later authorization of this call sees (values copied
 * as pointers; arena storage), e.g. sts:ExternalId for a role's trust policy. */
void bw_authz_call_context(struct bw_call *c, const char *key, const char *const *values, size_t n);
/* Whether resource_policy by itself allows the call's principal (with its tags and the
 * call's context keys) to perform action on resource, owned by resource_account. A
 * role's trust policy must allow the caller this way before the full evaluation. */
bool bw_authz_resource_policy_allows(struct bw_call *c, const char *action, const char *resource,
                                     const char *resource_account,
                                     const struct bw_policy *resource_policy);
/* The principal's identity policies (user + groups, or role) and boundary, for
 * SimulatePrincipalPolicy and for authorization. */
enum bw_code bw_authz_identity_policies(struct bw_call *c, const struct bw_principal *p,
                                        const struct bw_policy ***out, size_t *n,
                                        const struct bw_policy **boundary, struct bw_err *err);
/* Evaluates an arbitrary action/resource for the call's principal (with hooks), e.g.
 * the second check of iam:PassRole. BW_OK or AccessDenied. */
enum bw_code bw_authz_check(struct bw_call *c, const char *action, const char *resource,
                            struct bw_err *err);
/* As bw_authz_check, with a resource-based policy (e.g. a role's trust policy) owned by
 * resource_account: the engine applies AWS's same-account / cross-account rules. */
enum bw_code bw_authz_check_resource(struct bw_call *c, const char *action, const char *resource,
                                     const char *resource_account,
                                     const struct bw_policy *resource_policy, struct bw_err *err);

/* Handles one request end to end; thread-safe. Fills resp in req->arena. */
void bw_server_handle(struct bw_server *srv, struct bw_request *req, struct bw_response *resp);

/* Metrics for GET /metrics (Prometheus text) into b. */
void bw_server_metrics(struct bw_server *srv, struct bw_buf *b);

/* Bumps the credentials generation: cached authentication results are dropped. */
void bw_server_creds_changed(struct bw_server *srv);

#endif
