/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmicrohttpd glue. The raw request URI (needed byte for byte by SigV4) comes
 * from MHD_OPTION_URI_LOG_CALLBACK, which also creates the request's state; the
 * body is accumulated in the request's arena up to the configured limit.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

struct bw_http {
    struct MHD_Daemon *d;
    struct bw_server *srv;
    size_t max_body;
    atomic_int inflight;
    char *cert, *key;
};

struct conn_state {
    struct bw_request req;
    struct bw_buf body;
    bool too_large;
    bool counted;
};

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct bw_arena *a = bw_arena_new(8192);
    struct conn_state *s = BW_ARENA_NEW(a, struct conn_state);
    s->req.arena = a;
    s->req.start_ns = bw_mono_ns();
    const char *q = strchr(uri, '?');
    s->req.path = bw_arena_strndup(a, uri, q ? (size_t)(q - uri) : strlen(uri));
    s->req.query = q ? bw_arena_strdup(a, q + 1) : "";
    bw_buf_init(&s->body, a, 1024);
    return s;
}

static void completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    struct bw_http *h = cls;
    struct conn_state *s = *req_cls;
    if (!s)
        return;
    if (s->counted)
        atomic_fetch_sub(&h->inflight, 1);
    bw_arena_free(s->req.arena);
    *req_cls = NULL;
}

struct hdr_collect {
    struct bw_request *req;
    size_t cap;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    struct hdr_collect *hc = cls;
    struct bw_request *r = hc->req;
    if (r->n_headers == hc->cap) {
        size_t nc = hc->cap ? hc->cap * 2 : 16;
        struct bw_header *nh = bw_arena_alloc(r->arena, nc * sizeof *nh);
        if (r->n_headers)
            memcpy(nh, r->headers, r->n_headers * sizeof *nh);
        r->headers = nh;
        hc->cap = nc;
    }
    r->headers[r->n_headers++] = (struct bw_header){key, value ? value : ""};
    return MHD_YES;
}

static void peer_address(struct MHD_Connection *conn, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = 0;
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)cap);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, const struct bw_response *r,
                                     const char *request_id)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->body_len, (void *)r->body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", r->content_type);
    if (request_id && request_id[0]) {
        MHD_add_response_header(resp, "x-amzn-RequestId", request_id);
    }
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static bool builtin(struct bw_http *h, struct conn_state *s, const char *method,
                    struct bw_response *resp)
{
    if (strcmp(method, "GET") != 0)
        return false;
    if (strcmp(s->req.path, "/health") == 0) {
        *resp = (struct bw_response){200, "application/json", "{\"status\":\"ok\"}\n", 16};
        return true;
    }
    if (strcmp(s->req.path, "/metrics") == 0) {
        struct bw_buf b;
        bw_buf_init(&b, s->req.arena, 8192);
        bw_server_metrics(h->srv, &b);
        *resp = (struct bw_response){200, "text/plain; version=0.0.4", b.p, b.len};
        return true;
    }
    return false;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
    (void)url;
    (void)version;
    struct bw_http *h = cls;
    struct conn_state *s = *req_cls;
    if (!s)
        return MHD_NO;
    if (!s->counted) {
        s->counted = true;
        atomic_fetch_add(&h->inflight, 1);
        return MHD_YES; /* headers only; the body follows */
    }
    if (*upload_data_size) {
        if (s->body.len + *upload_data_size > h->max_body)
            s->too_large = true;
        else
            bw_buf_add(&s->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct bw_request *req = &s->req;
    req->method = bw_arena_strdup(req->arena, method);
    req->body = s->body.p;
    req->body_len = s->too_large ? h->max_body + 1 : s->body.len;
    struct hdr_collect hc = {req, 0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &hc);
    peer_address(conn, req->source_ip, sizeof req->source_ip);
    const union MHD_ConnectionInfo *ti =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_PROTOCOL);
    req->secure = ti != NULL;
    struct bw_response resp;
    if (!builtin(h, s, method, &resp))
        bw_server_handle(h->srv, req, &resp);
    return send_response(conn, &resp, req->request_id);
}

static bool parse_listen(const char *listen, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    const char *colon = strrchr(listen, ':');
    if (!colon)
        return false;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return false;
    char host[128];
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof host)
        return false;
    memcpy(host, listen, hl);
    host[hl] = 0;
    if (host[0] == '[') {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        if (hl < 2 || host[hl - 1] != ']')
            return false;
        host[hl - 1] = 0;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    if (!host[0])
        return true; /* any address */
    return inet_pton(AF_INET, host, &a4->sin_addr) == 1;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    if (p)
        p[n] = 0;
    fclose(f);
    return p;
}

enum bw_code bw_http_start(const struct bw_http_config *cfg, struct bw_server *srv,
                           struct bw_http **out, struct bw_err *err)
{
    struct sockaddr_storage ss;
    if (!parse_listen(cfg->listen, &ss))
        return bw_fail(err, BW_E_VALIDATION, "bad listen address '%s' (want HOST:PORT)",
                       cfg->listen);
    struct bw_http *h = calloc(1, sizeof *h);
    if (!h)
        bw_oom();
    h->srv = srv;
    h->max_body = cfg->max_body ? cfg->max_body : (1 << 20);
    unsigned threads = cfg->threads ? cfg->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (cfg->tls_cert || cfg->tls_key) {
        h->cert = cfg->tls_cert ? read_file(cfg->tls_cert) : NULL;
        h->key = cfg->tls_key ? read_file(cfg->tls_key) : NULL;
        if (!h->cert || !h->key) {
            free(h->cert);
            free(h->key);
            free(h);
            return bw_fail(err, BW_E_VALIDATION, "cannot read --tls-cert and --tls-key files");
        }
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, h->key},
        {MHD_OPTION_END, 0, NULL},
    };
    h->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_URI_LOG_CALLBACK, uri_log, h, MHD_OPTION_NOTIFY_COMPLETED,
                            completed, h, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
                            MHD_OPTION_CONNECTION_LIMIT, 10000u, MHD_OPTION_ARRAY,
                            h->cert ? tls_opts : tls_opts + 2, MHD_OPTION_END);
    if (!h->d) {
        free(h->cert);
        free(h->key);
        free(h);
        return bw_fail(err, BW_E_INTERNAL, "cannot listen on %s", cfg->listen);
    }
    *out = h;
    return BW_OK;
}

unsigned bw_http_port(const struct bw_http *h)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : 0;
}

void bw_http_stop(struct bw_http *h, unsigned grace_ms)
{
    if (!h)
        return;
    MHD_socket s = MHD_quiesce_daemon(h->d);
    if (s != MHD_INVALID_SOCKET)
        close(s);
    for (unsigned waited = 0; atomic_load(&h->inflight) > 0 && waited < grace_ms; waited += 10) {
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(h->d);
    free(h->cert);
    free(h->key);
    free(h);
}
