/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/orgs load generator: T threads, each with one keep-alive HTTP/1.1 connection
 * and one request in flight (closed loop), for D seconds. Every request is signed
 * afresh with SigV4 through bw_auth, as an SDK would. Modes:
 *   json   POST an Organizations JSON 1.1 call: --op Name --body '{...}'; "{seq}" in the
 *          body becomes a per-request unique number (CreateOrganizationalUnit names);
 *          with --paginate, each response's NextToken is sent in the next request of
 *          the connection (walking a paginated list round and round).
 *   query  POST an IAM Query call: --body 'Action=GetUser&Version=2010-05-08'.
 * Credentials: BW_AKID, BW_SECRET, BW_TOKEN (optional) in the environment. Output: one
 * line "rps=… p50_us=… p99_us=… ok=… errors=…".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "auth/sigv4.h"
#include "common/util.h"

struct opts {
    int port, threads;
    double duration;
    const char *mode, *op, *body;
    bool paginate;
    const char *akid, *secret, *token;
};

struct worker {
    const struct opts *o;
    pthread_t th;
    int fd, id;
    long ok, errors;
    uint32_t *lat; /* microseconds */
    size_t n_lat, cap_lat;
    char token[512];
    struct bw_sigv4_cache *cache;
};

static atomic_long seq;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("connect");
        exit(2);
    }
    return fd;
}

/* The body for this request: {seq} substituted, NextToken appended when paging. */
static char *make_body(struct worker *w, struct bw_arena *a)
{
    const char *t = w->o->body, *p = strstr(t, "{seq}");
    char *b = p ? bw_arena_printf(a, "%.*s%d-%ld%s", (int)(p - t), t, w->id,
                                  atomic_fetch_add(&seq, 1), p + 5)
                : bw_arena_strdup(a, t);
    if (w->o->paginate && w->token[0]) {
        size_t n = strlen(b);
        b[n - 1] = 0; /* drop the closing brace */
        b = bw_arena_printf(a, "%s%s\"NextToken\":\"%s\"}", b, n > 2 ? "," : "", w->token);
    }
    return b;
}

static char *build(struct worker *w, struct bw_arena *a, size_t *len)
{
    bool json = !strcmp(w->o->mode, "json");
    char host[32], *body = make_body(w, a);
    snprintf(host, sizeof host, "127.0.0.1:%d", w->o->port);
    const char *target = json ? bw_arena_printf(a, "AWSOrganizationsV20161128.%s", w->o->op) : NULL;
    struct bw_sigv4_header h[3] = {{bw_str_c("Host"), bw_str_c(host)}};
    size_t nh = 1;
    if (json)
        h[nh++] = (struct bw_sigv4_header){bw_str_c("X-Amz-Target"), bw_str_c(target)};
    struct bw_sigv4_request req = {.method = bw_str_c("POST"),
                                   .path = bw_str_c("/"),
                                   .query = bw_str_c(""),
                                   .headers = h,
                                   .n_headers = nh,
                                   .payload = bw_str_c(body)};
    struct bw_sigv4_creds cr = {w->o->akid, w->o->secret, w->o->token};
    struct bw_sigv4_signed s;
    struct bw_err err;
    if (bw_sigv4_sign(&req, &cr, "us-east-1", json ? "organizations" : "iam", bw_now_ms() / 1000,
                      w->cache, a, &s, &err))
        abort();
    char *r = bw_arena_printf(
        a,
        "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\n%s%s%sContent-Length: %zu\r\n"
        "X-Amz-Date: %s\r\n%s%s%sAuthorization: %s\r\n\r\n%s",
        host,
        json ? "application/x-amz-json-1.1" : "application/x-www-form-urlencoded; charset=utf-8",
        json ? "X-Amz-Target: " : "", json ? target : "", json ? "\r\n" : "", strlen(body),
        s.amz_date, s.security_token ? "X-Amz-Security-Token: " : "",
        s.security_token ? s.security_token : "", s.security_token ? "\r\n" : "", s.authorization,
        body);
    *len = strlen(r);
    return r;
}

/* Reads one response; returns the status (0 on a broken connection). */
static int read_response(struct worker *w, char *buf, size_t cap)
{
    size_t n = 0;
    char *end = NULL;
    while (!end) {
        ssize_t r = read(w->fd, buf + n, cap - n - 1);
        if (r <= 0)
            return 0;
        n += (size_t)r;
        buf[n] = 0;
        end = strstr(buf, "\r\n\r\n");
    }
    const char *cl = strcasestr(buf, "Content-Length:");
    size_t want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 15, NULL, 10) : 0);
    while (n < want && n < cap - 1) {
        ssize_t r = read(w->fd, buf + n, cap - n - 1);
        if (r <= 0)
            return 0;
        n += (size_t)r;
    }
    buf[n] = 0;
    return (int)strtol(buf + 9, NULL, 10);
}

static void next_token(struct worker *w, const char *resp)
{
    const char *t = strstr(resp, "\"NextToken\":\"");
    w->token[0] = 0;
    if (t) {
        t += 13;
        size_t n = strcspn(t, "\"");
        if (n < sizeof w->token) {
            memcpy(w->token, t, n);
            w->token[n] = 0;
        }
    }
}

static void record(struct worker *w, double us)
{
    if (w->n_lat == w->cap_lat) {
        w->cap_lat = w->cap_lat ? w->cap_lat * 2 : 4096;
        w->lat = realloc(w->lat, w->cap_lat * sizeof *w->lat);
        if (!w->lat)
            abort();
    }
    w->lat[w->n_lat++] = (uint32_t)us;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    static __thread char buf[1 << 20];
    w->fd = dial(w->o->port);
    w->cache = bw_sigv4_cache_new(4);
    double stop = now_s() + w->o->duration;
    while (now_s() < stop) {
        struct bw_arena *a = bw_arena_new(4096);
        size_t len;
        char *req = build(w, a, &len);
        double t0 = now_s();
        int st = write(w->fd, req, len) == (ssize_t)len ? read_response(w, buf, sizeof buf) : 0;
        record(w, (now_s() - t0) * 1e6);
        bw_arena_free(a);
        if (st == 200)
            w->ok++;
        else
            w->errors++;
        if (w->o->paginate)
            next_token(w, buf);
        if (!st) {
            close(w->fd);
            w->fd = dial(w->o->port);
        }
    }
    close(w->fd);
    bw_sigv4_cache_free(w->cache);
    return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void parse(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){.threads = 8, .duration = 5, .mode = "json", .body = "{}"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(a, "--paginate")) {
            o->paginate = true;
            continue;
        }
        i++;
        if (!strcmp(a, "--port"))
            o->port = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--threads"))
            o->threads = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--duration"))
            o->duration = strtod(v, NULL);
        else if (!strcmp(a, "--mode"))
            o->mode = v;
        else if (!strcmp(a, "--op"))
            o->op = v;
        else if (!strcmp(a, "--body"))
            o->body = v;
    }
    o->akid = getenv("BW_AKID");
    o->secret = getenv("BW_SECRET");
    o->token = getenv("BW_TOKEN");
    if (!o->port || !o->akid || !o->secret || o->threads < 1 || o->threads > 256) {
        fputs("usage: BW_AKID=… BW_SECRET=… orgs_loadgen --port P [--threads N] [--duration S]"
              " [--mode json|query] [--op Op] [--body B] [--paginate]\n",
              stderr);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    struct opts o;
    parse(argc, argv, &o);
    struct worker *ws = calloc((size_t)o.threads, sizeof *ws);
    double t0 = now_s();
    for (int i = 0; i < o.threads; i++) {
        ws[i] = (struct worker){.o = &o, .id = i};
        pthread_create(&ws[i].th, NULL, run, &ws[i]);
    }
    long ok = 0, errors = 0;
    size_t n = 0;
    for (int i = 0; i < o.threads; i++) {
        pthread_join(ws[i].th, NULL);
        ok += ws[i].ok;
        errors += ws[i].errors;
        n += ws[i].n_lat;
    }
    double el = now_s() - t0;
    uint32_t *all = malloc((n ? n : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < o.threads; i++) {
        memcpy(all + k, ws[i].lat, ws[i].n_lat * sizeof *all);
        k += ws[i].n_lat;
        free(ws[i].lat);
    }
    qsort(all, n, sizeof *all, cmp_u32);
    printf("rps=%.0f p50_us=%u p99_us=%u ok=%ld errors=%ld\n", (double)ok / el, n ? all[n / 2] : 0,
           n ? all[n * 99 / 100] : 0, ok, errors);
    free(all);
    free(ws);
    return errors && !ok ? 1 : 0;
}
