/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Audit events in CloudTrail's record format (eventVersion 1.08). A call that
 * changed something records its event inside the same write transaction (the
 * outbox), so a committed change always has its event and a rolled-back one
 * never does. Read-only and failed calls changed nothing: their events go to a
 * queue that a writer thread commits in batches, BATCH_MS after the first event of
 * each (and on shutdown): a crash loses at most that window of read-only events.
 * Secrets never enter a record: secret access keys and session tokens are left
 * out and passwords, private keys and assertions are replaced by
 * HIDDEN_DUE_TO_SECURITY_REASONS, as CloudTrail does. The record is written
 * straight into the call's arena (jansson only for the input and response
 * sub-trees) and the outbox row has no secondary index: src/trail indexes it
 * later for LookupEvents and delivers it to trails (docs/trail.md). A call that
 * failed authentication may be recorded too (no principal: userIdentity type
 * Unknown, no account).
 */
#include "proto/internal.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"

#define BATCH_MS 5 /* a batch gathers events for 5 ms after its first */

struct pending {
    char *event_id, *account_id, *source, *name, *username, *akid, *ip, *error, *record;
    char *region;
    int64_t time_ms;
    int read_only;
    char *key_service; /* a long-term key signed the call: its service, for last use */
};

struct bw_trail_queue {
    struct bw_server *srv;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pending *items;
    size_t n, cap;
    struct timespec first; /* when the oldest queued item arrived (CLOCK_MONOTONIC) */
    bool stop;
    pthread_t thread;
};

/* Fields CloudTrail replaces with HIDDEN_DUE_TO_SECURITY_REASONS (request passwords,
 * private keys, assertions: "CloudTrail record contents", sensitive parameters). */
static bool is_hidden_key(const char *k)
{
    static const char *const hidden[] = {
        "password",         "newPassword",           "oldPassword",  "privateKey", "SAMLAssertion",
        "webIdentityToken", "certificatePrivateKey", "clientSecret", "secret"};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (strcasecmp(k, hidden[i]) == 0)
            return true;
    return false;
}

/* Fields CloudTrail leaves out altogether: the secret of CreateAccessKey's accessKey and
 * the session token of STS credentials (only accessKeyId and expiration are logged). */
static bool is_dropped_key(const char *k)
{
    return strcasecmp(k, "secretAccessKey") == 0 || strcasecmp(k, "sessionToken") == 0 ||
           strcasecmp(k, "securityToken") == 0;
}

/* Removes secrets anywhere in v (in place). */
static void scrub(json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, x)
        {
            if (is_dropped_key(k))
                json_object_del(v, k);
            else if (is_hidden_key(k))
                json_object_set_new(v, k, json_string("HIDDEN_DUE_TO_SECURITY_REASONS"));
            else
                scrub(x);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) scrub(x);
    }
}

static char *lower_camel(struct bw_arena *a, const char *s, size_t len)
{
    char *o = bw_arena_strndup(a, s, len);
    if (o[0])
        o[0] = (char)tolower((unsigned char)o[0]);
    return o;
}

/* Sets path (a.member.1.b …) in obj, turning ".member.N" into arrays. */
static void set_path(struct bw_arena *a, json_t *obj, const char *path, const char *value)
{
    const char *dot = strchr(path, '.');
    if (!dot) {
        json_object_set_new(obj, lower_camel(a, path, strlen(path)), json_string(value));
        return;
    }
    char *key = lower_camel(a, path, (size_t)(dot - path));
    const char *rest = dot + 1;
    if (strncmp(rest, "member.", 7) == 0 || strncmp(rest, "entry.", 6) == 0) {
        rest = strchr(rest, '.') + 1;
        char *end;
        long idx = strtol(rest, &end, 10);
        if (idx < 1 || idx > 1000)
            return;
        json_t *arr = json_object_get(obj, key);
        if (!json_is_array(arr)) {
            arr = json_array();
            json_object_set_new(obj, key, arr);
        }
        while (json_array_size(arr) < (size_t)idx)
            json_array_append_new(arr, json_null());
        if (*end == '.') {
            json_t *el = json_array_get(arr, (size_t)idx - 1);
            if (!json_is_object(el)) {
                el = json_object();
                json_array_set_new(arr, (size_t)idx - 1, el);
            }
            set_path(a, el, end + 1, value);
        } else {
            json_array_set_new(arr, (size_t)idx - 1, json_string(value));
        }
        return;
    }
    json_t *sub = json_object_get(obj, key);
    if (!json_is_object(sub)) {
        sub = json_object();
        json_object_set_new(obj, key, sub);
    }
    set_path(a, sub, rest, value);
}

static json_t *query_params_json(struct bw_call *c)
{
    json_t *o = json_object();
    for (size_t i = 0; i < c->n_params; i++) {
        const char *k = c->params[i].name;
        if (!strcmp(k, "Action") || !strcmp(k, "Version") || !strncmp(k, "X-Amz-", 6))
            continue;
        set_path(c->arena, o, k, c->params[i].value);
    }
    if (json_object_size(o) == 0) {
        json_decref(o);
        return json_null();
    }
    return o;
}

static json_t *json_params_json(struct bw_call *c)
{
    if (!json_is_object(c->in) || json_object_size(c->in) == 0)
        return json_null();
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(c->in, k, v)
    {
        json_object_set(o, lower_camel(c->arena, k, strlen(k)), v);
    }
    return o;
}

/* Stands for the caller of a request that failed authentication: nobody was proven,
 * so the event belongs to no account (tail and top show it; LookupEvents does not). */
static const struct bw_principal unknown_caller = {
    .type = BW_PRINCIPAL_ANONYMOUS, .account_id = "", .arn = "", .principal_id = ""};

/* ---- the record, written straight into a buffer (jansson only for the input and
 * response sub-trees): building it with json_t objects cost a write call ~7% ---- */

/* The length of the valid UTF-8 sequence at p (2..4 bytes), or 0. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned char c = p[0], d = p[1];
    size_t n = c >= 0xf5 ? 0 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    /* no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629) */
    if ((c == 0xe0 && d < 0xa0) || (c == 0xed && d > 0x9f) || (c == 0xf0 && d < 0x90) ||
        (c == 0xf4 && d > 0x8f))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* A JSON string; invalid UTF-8 becomes U+FFFD (a header may hold any byte). */
static void jstr(struct bw_buf *b, const char *s)
{
    bw_buf_addc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t run = 0;
        while (p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        bw_buf_add(b, p, run);
        p += run;
        if (!*p)
            break;
        if (*p < 0x80) {
            if (*p == '"' || *p == '\\') {
                bw_buf_addc(b, '\\');
                bw_buf_addc(b, (char)*p);
            } else {
                bw_buf_printf(b, "\\u%04x", *p);
            }
            p++;
            continue;
        }
        size_t n = utf8_len(p);
        if (n) {
            bw_buf_add(b, p, n);
            p += n;
        } else {
            bw_buf_adds(b, "\\ufffd");
            p++;
        }
    }
    bw_buf_addc(b, '"');
}

/* ,"key":"value" (nothing when value is NULL). The first member is written by hand. */
static void jmember(struct bw_buf *b, const char *key, const char *value)
{
    if (!value)
        return;
    bw_buf_addc(b, ',');
    jstr(b, key);
    bw_buf_addc(b, ':');
    jstr(b, value);
}

static void jkey(struct bw_buf *b, const char *key)
{
    bw_buf_addc(b, ',');
    jstr(b, key);
    bw_buf_addc(b, ':');
}

static int buf_sink(const char *p, size_t len, void *arg)
{
    bw_buf_add(arg, p, len);
    return 0;
}

/* Appends v as compact JSON ("null" for NULL) and releases it. */
static void jtree(struct bw_buf *b, json_t *v)
{
    if (!v || json_dump_callback(v, buf_sink, b, JSON_COMPACT | JSON_ENCODE_ANY) != 0)
        bw_buf_adds(b, "null");
    json_decref(v);
}

static void session_context(struct bw_buf *b, const struct bw_principal *p)
{
    char created[32];
    bw_time_iso8601(p->session_created_ms / 1000, created, sizeof created);
    bw_buf_adds(b, ",\"sessionContext\":{");
    if (p->type == BW_PRINCIPAL_ASSUMED_ROLE) {
        bw_buf_adds(b, "\"sessionIssuer\":{\"type\":\"Role\"");
        jmember(b, "principalId", p->role_id);
        jmember(b, "arn",
                bw_arena_printf(b->arena, "arn:aws:iam::%s:role%s%s", p->account_id,
                                p->role_path ? p->role_path : "/",
                                p->role_name ? p->role_name : ""));
        jmember(b, "accountId", p->account_id);
        jmember(b, "userName", p->role_name);
        bw_buf_adds(b, "},");
    } else if (p->type == BW_PRINCIPAL_FEDERATED) { /* issued to an IAM user or the root */
        bw_buf_adds(b, p->user_name ? "\"sessionIssuer\":{\"type\":\"IAMUser\""
                                    : "\"sessionIssuer\":{\"type\":\"Root\"");
        jmember(b, "principalId", p->user_name ? p->role_id : p->account_id);
        jmember(b, "arn",
                p->user_name ? bw_arena_printf(b->arena, "arn:aws:iam::%s:user%s%s", p->account_id,
                                               p->user_path ? p->user_path : "/", p->user_name)
                             : bw_arena_printf(b->arena, "arn:aws:iam::%s:root", p->account_id));
        jmember(b, "accountId", p->account_id);
        jmember(b, "userName", p->user_name);
        bw_buf_adds(b, "},");
    }
    bw_buf_adds(b, "\"attributes\":{\"creationDate\":");
    jstr(b, created);
    bw_buf_adds(b, p->mfa ? ",\"mfaAuthenticated\":\"true\"}" : ",\"mfaAuthenticated\":\"false\"}");
    jmember(b, "sourceIdentity", p->source_identity);
    bw_buf_addc(b, '}');
}

static void user_identity(struct bw_buf *b, const struct bw_principal *p)
{
    static const char *const types[] = {"AWSAccount", "IAMUser",       "AssumedRole",
                                        "Root",       "FederatedUser", "AWSService"};
    if (p == &unknown_caller) {
        bw_buf_adds(b, "{\"type\":\"Unknown\"}");
        return;
    }
    bw_buf_adds(b, "{\"type\":");
    jstr(b, types[p->type]);
    jmember(b, "principalId", p->principal_id);
    jmember(b, "arn", p->arn);
    jmember(b, "accountId", p->account_id);
    jmember(b, "accessKeyId", p->access_key_id);
    if (p->type == BW_PRINCIPAL_USER)
        jmember(b, "userName", p->user_name);
    if (p->is_session)
        session_context(b, p);
    bw_buf_addc(b, '}');
}

/* The CloudFormation-style type of an ARN: arn:aws:iam::A:user/x -> AWS::IAM::User. */
static char *arn_type(struct bw_arena *a, const char *arn)
{
    const char *svc = strchr(arn, ':') ? strchr(strchr(arn, ':') + 1, ':') : NULL;
    if (!svc)
        return NULL;
    svc++;
    const char *end = strchr(svc, ':');
    const char *res = end ? strchr(end + 1, ':') : NULL;
    res = res ? strchr(res + 1, ':') : NULL;
    if (!end || !res)
        return NULL;
    res++;
    size_t rlen = strcspn(res, "/:");
    if (rlen == 0 || rlen > 64 || end - svc > 32)
        return NULL;
    static const char *const names[][2] = {{"iam", "IAM"},
                                           {"sts", "STS"},
                                           {"organizations", "Organizations"},
                                           {"cloudtrail", "CloudTrail"},
                                           {"shield", "Shield"},
                                           {"wafv2", "WAFv2"}};
    int slen = (int)(end - svc);
    const char *pretty = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if ((int)strlen(names[i][0]) == slen && strncmp(svc, names[i][0], (size_t)slen) == 0)
            pretty = names[i][1];
    char *t = pretty ? bw_arena_printf(a, "AWS::%s::%.*s", pretty, (int)rlen, res)
                     : bw_arena_printf(a, "AWS::%.*s::%.*s", slen, svc, (int)rlen, res);
    if (!pretty)
        t[5] = (char)toupper((unsigned char)t[5]);
    char *r = strrchr(t, ':') + 1;
    r[0] = (char)toupper((unsigned char)r[0]);
    return t;
}

/* The resources an event names: the handler's list, else the operation's resource ARN. */
static json_t *event_resources(struct bw_call *c)
{
    if (c->trail_resources)
        return json_incref(c->trail_resources);
    const char *arn = c->op->resource ? c->op->resource(c) : NULL;
    if (!arn || strncmp(arn, "arn:", 4) != 0 || strchr(arn, '*'))
        return NULL;
    const char *type = arn_type(c->arena, arn);
    const char *acct = c->target_account ? c->target_account : c->principal->account_id;
    if (!acct[0])
        return NULL;
    return json_pack("[{s:s,s:s,s:s*}]", "ARN", arn, "accountId", acct, "type", type);
}

static const char *user_agent(const struct bw_request *req)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (strcasecmp(req->headers[i].name, "User-Agent") == 0)
            return req->headers[i].value;
    return "";
}

/* The record as compact JSON, in CloudTrail's member order, into the call's arena. */
static const char *build_record(struct bw_call *c, const struct bw_err *failure,
                                const char *event_id, size_t *len)
{
    char t[32];
    bw_time_iso8601(c->now_ms / 1000, t, sizeof t);
    struct bw_buf b;
    bw_buf_init(&b, c->arena, 2048);
    bw_buf_adds(&b, "{\"eventVersion\":\"1.08\",\"userIdentity\":");
    user_identity(&b, c->principal);
    jmember(&b, "eventTime", t);
    jmember(&b, "eventSource", c->svc->event_source);
    jmember(&b, "eventName", c->op->name);
    jmember(&b, "awsRegion", c->region);
    jmember(&b, "sourceIPAddress", c->req->source_ip);
    jmember(&b, "userAgent", user_agent(c->req));
    json_t *params =
        c->svc->protocol == BW_PROTO_QUERY ? query_params_json(c) : json_params_json(c);
    scrub(params);
    jkey(&b, "requestParameters");
    jtree(&b, params);
    json_t *resp = failure || !c->trail_response ? NULL : json_deep_copy(c->trail_response);
    scrub(resp);
    jkey(&b, "responseElements");
    jtree(&b, resp);
    if (failure) {
        jmember(&b, "errorCode", bw_err_name(failure));
        jmember(&b, "errorMessage", failure->msg);
    }
    jmember(&b, "requestID", c->req->request_id);
    jmember(&b, "eventID", event_id);
    bw_buf_adds(&b, c->op->flags & BW_OP_MUTATES ? ",\"readOnly\":false" : ",\"readOnly\":true");
    json_t *res = failure ? NULL : event_resources(c);
    if (res) {
        jkey(&b, "resources");
        jtree(&b, res);
    }
    bw_buf_adds(&b, ",\"eventType\":\"AwsApiCall\",\"managementEvent\":true");
    jmember(&b, "recipientAccountId",
            c->target_account ? c->target_account : c->principal->account_id);
    bw_buf_adds(&b, ",\"eventCategory\":\"Management\"}");
    *len = b.len;
    return bw_buf_cstr(&b);
}

static const char *const insert_sql =
    "INSERT INTO trail_events (event_id, account_id, event_time, event_source, event_name,"
    " read_only, username, access_key_id, source_ip, error_code, record, region)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

static const char *event_username(const struct bw_principal *p)
{
    if (p->type == BW_PRINCIPAL_USER)
        return p->user_name;
    if (p->type == BW_PRINCIPAL_ASSUMED_ROLE || p->type == BW_PRINCIPAL_FEDERATED)
        return p->session_name;
    if (p->type == BW_PRINCIPAL_ROOT)
        return "root";
    return NULL;
}

/* One row appended to the outbox; LookupEvents' index is built later by the writer
 * thread (src/trail/index.c), off the request path. */
static enum bw_code insert(struct bw_db *db, const struct pending *e, struct bw_err *err)
{
    return bw_db_exec(db, err, NULL, insert_sql, "ssissdssssss", e->event_id, e->account_id,
                      e->time_ms, e->source, e->name, e->read_only, e->username, e->akid, e->ip,
                      e->error, e->record, e->region);
}

static void pending_free(struct pending *e)
{
    free(e->event_id);
    free(e->account_id);
    free(e->source);
    free(e->name);
    free(e->username);
    free(e->akid);
    free(e->ip);
    free(e->error);
    free(e->record);
    free(e->region);
    free(e->key_service);
}

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        bw_oom();
    return d;
}

/* Queues a copy of e (taking ownership of e->record) for the batch writer. */
static void enqueue(struct bw_trail_queue *tq, const struct pending *e)
{
    struct pending q = {dup_or_null(e->event_id),
                        dup_or_null(e->account_id),
                        dup_or_null(e->source),
                        dup_or_null(e->name),
                        dup_or_null(e->username),
                        dup_or_null(e->akid),
                        dup_or_null(e->ip),
                        dup_or_null(e->error),
                        e->record,
                        dup_or_null(e->region),
                        e->time_ms,
                        e->read_only,
                        dup_or_null(e->key_service)};
    pthread_mutex_lock(&tq->mu);
    if (tq->n == 0) { /* the writer sleeps until the first item of a batch arrives */
        clock_gettime(CLOCK_MONOTONIC, &tq->first);
        pthread_cond_signal(&tq->cv);
    }
    if (tq->n == tq->cap) {
        tq->cap = tq->cap ? tq->cap * 2 : 256;
        tq->items = realloc(tq->items, tq->cap * sizeof *tq->items);
        if (!tq->items)
            bw_oom();
    }
    tq->items[tq->n++] = q;
    pthread_mutex_unlock(&tq->mu);
}

/* An authenticated caller whose long-term access key (AKIA…) signed the request. */
static bool long_term_key(const struct bw_principal *p)
{
    return p != &unknown_caller && !p->is_session && p->access_key_id;
}

static enum bw_code record(struct bw_call *c, const struct bw_err *failure, bool in_txn,
                           struct bw_err *err)
{
#ifdef BW_TRAIL_BENCH_NO_RECORD
    /* bench/trail only: a separate build measures a write call without its event */
    (void)c, (void)failure, (void)in_txn, (void)err;
    return BW_OK;
#endif
    char event_id[37];
    bw_uuid4(event_id);
    size_t len;
    const char *built = build_record(c, failure, event_id, &len);
    char *text = malloc(len + 1); /* the queue outlives the call's arena */
    if (!text)
        bw_oom();
    memcpy(text, built, len + 1);
    const char *account = c->target_account ? c->target_account : c->principal->account_id;
    struct pending e = {
        .event_id = event_id,
        .account_id = (char *)account,
        .source = (char *)c->svc->event_source,
        .name = (char *)c->op->name,
        .username = (char *)event_username(c->principal),
        .akid = (char *)c->principal->access_key_id,
        .ip = c->req->source_ip[0] ? (char *)c->req->source_ip : NULL,
        .error = failure ? (char *)bw_err_name(failure) : NULL,
        .record = text,
        .region = (char *)c->region,
        .time_ms = c->now_ms,
        .read_only = !(c->op->flags & BW_OP_MUTATES),
        .key_service = long_term_key(c->principal) ? (char *)c->svc->name : NULL,
    };
    if (in_txn) {
        enum bw_code rc = insert(c->db, &e, err);
        free(text);
        if (!rc && e.key_service) /* the key's last use goes through the batch writer */
            enqueue(c->srv->trail, &(struct pending){.akid = e.akid,
                                                     .region = e.region,
                                                     .time_ms = e.time_ms,
                                                     .key_service = e.key_service});
        return rc;
    }
    enqueue(c->srv->trail, &e);
    return BW_OK;
}

enum bw_code bw_proto__record_event(struct bw_call *c, const struct bw_err *failure, bool in_txn,
                                    struct bw_err *err)
{
    if (!c->svc || !c->op)
        return BW_OK; /* not an API call: routing failed before an operation was known */
    if (c->principal)
        return record(c, failure, in_txn, err);
    /* authentication failed: recorded with an Unknown identity and no account */
    c->principal = (struct bw_principal *)&unknown_caller;
    enum bw_code rc = record(c, failure, false, err);
    c->principal = NULL;
    return rc;
}

static const char *const key_used_sql =
    "UPDATE iam_access_keys SET last_used_at = ?, last_used_service = ?, last_used_region = ?"
    " WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)";

/* GetAccessKeyLastUsed's data: each key's latest use in the batch (newest first, one
 * UPDATE per key among the last 64 distinct keys seen). */
static enum bw_code keys_used(struct bw_db *db, const struct pending *items, size_t n,
                              struct bw_err *err)
{
    const char *seen[64];
    size_t n_seen = 0;
    for (size_t i = n; i-- > 0;) {
        const struct pending *e = &items[i];
        if (!e->key_service)
            continue;
        bool dup = false;
        for (size_t j = 0; j < n_seen && !dup; j++)
            dup = strcmp(seen[j], e->akid) == 0;
        if (dup)
            continue;
        if (n_seen < 64)
            seen[n_seen++] = e->akid;
        if (bw_db_exec(db, err, NULL, key_used_sql, "isssi", e->time_ms, e->key_service, e->region,
                       e->akid, e->time_ms))
            return err->code;
    }
    return BW_OK;
}

static void flush_batch(struct bw_trail_queue *q, struct pending *items, size_t n)
{
    struct bw_err err;
    bw_err_clear(&err);
    struct bw_db *db = bw_proto__db_get(q->srv, &err);
    if (!db) {
        bw_log(BW_LOG_ERROR, "trail", "cannot record %zu events: no store connection", n);
        return;
    }
    bool ok = bw_db_begin(db, true, &err) == BW_OK;
    for (size_t i = 0; ok && i < n; i++)
        ok = !items[i].record || insert(db, &items[i], &err) == BW_OK; /* NULL: last use only */
    if (ok)
        ok = keys_used(db, items, n, &err) == BW_OK && bw_db_commit(db, &err) == BW_OK;
    if (!ok) {
        bw_db_rollback(db);
        bw_log(BW_LOG_ERROR, "trail", "failed to record %zu events: %s", n, err.msg);
    }
    bw_proto__db_put(q->srv, db);
}

/* The moment `ms` milliseconds after t, as an absolute CLOCK_MONOTONIC time. */
static struct timespec after_ms(struct timespec t, long ms)
{
    t.tv_nsec += ms * 1000000;
    t.tv_sec += t.tv_nsec / 1000000000;
    t.tv_nsec %= 1000000000;
    return t;
}

/* Sleeps until a batch starts, then gathers it for BATCH_MS after its first item (under
 * load a batch is a few hundred events; at rest the window a crash can lose is short). */
static void *writer(void *arg)
{
    struct bw_trail_queue *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        if (q->n == 0 && q->stop)
            break;
        if (q->n == 0) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            struct timespec t = after_ms(now, 1000);
            pthread_cond_timedwait(&q->cv, &q->mu, &t);
            continue;
        }
        struct timespec due = after_ms(q->first, BATCH_MS);
        while (!q->stop && pthread_cond_timedwait(&q->cv, &q->mu, &due) != ETIMEDOUT)
            ;
        struct pending *items = q->items;
        size_t n = q->n;
        q->items = NULL;
        q->n = q->cap = 0;
        pthread_mutex_unlock(&q->mu);
        flush_batch(q, items, n);
        for (size_t i = 0; i < n; i++)
            pending_free(&items[i]);
        free(items);
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

struct bw_trail_queue *bw_proto__trail_queue_new(struct bw_server *srv)
{
    struct bw_trail_queue *q = calloc(1, sizeof *q);
    if (!q)
        bw_oom();
    q->srv = srv;
    pthread_mutex_init(&q->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&q->thread, NULL, writer, q) != 0)
        bw_oom();
    return q;
}

void bw_proto__trail_queue_free(struct bw_trail_queue *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->stop = true;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    free(q->items);
    free(q);
}
