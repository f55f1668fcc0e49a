/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/api load generator: N keep-alive HTTP/1.1 connections spread over T threads
 * (one epoll loop each), one request in flight per connection (closed loop), for D
 * seconds or a fixed number of requests. Every AWS request is signed freshly with
 * SigV4 (a new X-Amz-Date each time) through bw_auth, as an SDK would; the derived
 * signing key is cached per thread as the Go and Java SDKs do. Modes:
 *   sts     POST Action=GetCallerIdentity&Version=2011-06-15 (service sts)
 *   iam     POST Action=ListUsers&Version=2010-05-08&MaxItems=N (service iam)
 *   create-users  POST Action=CreateUser&UserName=<prefix><i> for i < --requests
 *   static  unsigned GET of --path (the nginx ceiling)
 * Responses are framed by Content-Length or chunked encoding. Output is one line of
 * key=value pairs (requests/s, p50/p99 latency in microseconds, errors, statuses).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <stdarg.h>
#include <sys/resource.h>

#include "auth/sigv4.h"
#include "common/util.h"

#define HIST_N (1u << 20) /* 1 us buckets up to ~1.05 s, then one overflow bucket */

enum mode { MODE_STS, MODE_IAM, MODE_CREATE_USERS, MODE_STATIC };

struct opts {
    const char *host, *path, *region, *prefix, *profile, *cred_file;
    int port, conns, threads, max_items;
    double duration, warmup;
    long requests; /* > 0: stop after this many (then duration is a limit) */
    enum mode mode;
    char akid[256], secret[256], token[2048];
};

struct conn {
    int fd;
    char *out;
    size_t out_len, out_off, out_cap;
    char *in;
    size_t in_len, in_cap;
    size_t hdr_len;    /* 0 until the header end is seen */
    long body_len;     /* Content-Length, or -1 for chunked */
    size_t chunk_scan; /* chunked: where the next size line starts */
    int status;
    bool close_after;
    uint64_t sent_ns;
};

struct worker {
    const struct opts *o;
    int id, epfd, nconn, cap;
    struct conn *c;
    struct bw_sigv4_cache *cache;
    char hostport[300];
    char body_hash[65]; /* of the constant body (sts, iam), or "" */
    uint32_t *hist;
    uint64_t done, all_done, errors, conn_errors, status[6], max_us;
    pthread_t th;
};

static atomic_long g_issued;
static uint64_t g_start_ns, g_measure_ns, g_end_ns;

static uint64_t now_ns(void)
{
    return bw_mono_ns();
}

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static int dial(const struct opts *o)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
    char port[16];
    snprintf(port, sizeof port, "%d", o->port);
    if (getaddrinfo(o->host, port, &hints, &ai) != 0)
        return -1;
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* The form body of request number `seq`. */
static const char *body_for(const struct opts *o, long seq, char *buf, size_t cap)
{
    switch (o->mode) {
    case MODE_STS:
        return "Action=GetCallerIdentity&Version=2011-06-15";
    case MODE_IAM:
        snprintf(buf, cap, "Action=ListUsers&Version=2010-05-08&MaxItems=%d", o->max_items);
        return buf;
    case MODE_CREATE_USERS:
        snprintf(buf, cap, "Action=CreateUser&Version=2010-05-08&UserName=%s%ld", o->prefix, seq);
        return buf;
    default:
        return "";
    }
}

/* Appends the NUL-terminated strings given (NULL-terminated list). */
static void add_all(struct bw_buf *b, ...)
{
    va_list ap;
    va_start(ap, b);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
        bw_buf_adds(b, s);
    va_end(ap);
}

/* Copies the next request into the connection's output buffer. */
static void set_out(struct conn *c, const char *p, size_t len)
{
    if (c->out_cap < len) {
        free(c->out);
        c->out_cap = len * 2;
        c->out = malloc(c->out_cap);
        if (!c->out)
            bw_oom();
    }
    memcpy(c->out, p, len);
    c->out_len = len;
}

/* Builds a freshly signed POST (new X-Amz-Date, new signature) into c->out. */
static void build_signed(struct worker *w, struct conn *c, long seq)
{
    const struct opts *o = w->o;
    char bodybuf[512], clen[32];
    const char *body = body_for(o, seq, bodybuf, sizeof bodybuf);
    struct bw_sigv4_header h[2] = {
        {BW_STR("Host"), bw_str_c(w->hostport)},
        {BW_STR("Content-Type"), BW_STR("application/x-www-form-urlencoded; charset=utf-8")}};
    struct bw_sigv4_request req = {BW_STR("POST"),
                                   BW_STR("/"),
                                   BW_STR(""),
                                   h,
                                   2,
                                   bw_str_c(body),
                                   w->body_hash[0] ? w->body_hash : NULL};
    struct bw_sigv4_creds cr = {o->akid, o->secret, o->token[0] ? o->token : NULL};
    const char *svc = o->mode == MODE_STS ? "sts" : "iam";
    struct bw_arena *a = bw_arena_new(8192);
    struct bw_sigv4_signed s;
    struct bw_err err;
    if (bw_sigv4_sign(&req, &cr, o->region, svc, bw_now_ms() / 1000, w->cache, a, &s, &err))
        abort();
    snprintf(clen, sizeof clen, "%zu", strlen(body));
    struct bw_buf b;
    bw_buf_init(&b, a, 1024);
    add_all(
        &b, "POST / HTTP/1.1\r\nHost: ", w->hostport,
        "\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: ",
        clen, "\r\nX-Amz-Date: ", s.amz_date, "\r\n", NULL);
    if (s.security_token)
        add_all(&b, "X-Amz-Security-Token: ", s.security_token, "\r\n", NULL);
    add_all(&b, "Authorization: ", s.authorization, "\r\nUser-Agent: bulwark-loadgen\r\n\r\n", body,
            NULL);
    set_out(c, b.p, b.len);
    bw_arena_free(a);
}

static void build_request(struct worker *w, struct conn *c, long seq)
{
    c->out_off = 0;
    c->in_len = c->hdr_len = c->chunk_scan = 0;
    c->body_len = 0;
    c->status = 0;
    c->close_after = false;
    if (w->o->mode != MODE_STATIC) {
        build_signed(w, c, seq);
    } else if (!c->out) {
        int n = asprintf(&c->out,
                         "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: bulwark-loadgen\r\n\r\n",
                         w->o->path, w->o->host, w->o->port);
        if (n < 0)
            bw_oom();
        c->out_len = (size_t)n;
    }
    c->sent_ns = now_ns();
}

/* Parses the status line and the framing headers once the header block is complete. */
static int parse_head(struct conn *c)
{
    char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    c->hdr_len = (size_t)(end - c->in) + 4;
    if (c->in_len < 12 || strncmp(c->in, "HTTP/1.", 7) != 0)
        return -1;
    c->status = (int)strtol(c->in + 9, NULL, 10);
    c->body_len = 0;
    for (char *l = memchr(c->in, '\n', c->hdr_len); l && l < end;
         l = memchr(l, '\n', (size_t)(end - l))) {
        l++;
        if (strncasecmp(l, "content-length:", 15) == 0)
            c->body_len = strtol(l + 15, NULL, 10);
        else if (strncasecmp(l, "transfer-encoding:", 18) == 0 && strstr(l, "chunked") &&
                 strstr(l, "chunked") < strchr(l, '\n'))
            c->body_len = -1;
        else if (strncasecmp(l, "connection:", 11) == 0 && strncasecmp(l + 11, " close", 6) == 0)
            c->close_after = true;
    }
    c->chunk_scan = c->hdr_len;
    return 1;
}

/* Chunked body: advances over complete chunks; 1 when the last chunk was seen. */
static int parse_chunks(struct conn *c)
{
    for (;;) {
        char *line = c->in + c->chunk_scan;
        char *crlf = memmem(line, c->in_len - c->chunk_scan, "\r\n", 2);
        if (!crlf)
            return 0;
        long n = strtol(line, NULL, 16);
        size_t need = (size_t)(crlf - c->in) + 2 + (size_t)n + 2;
        if (n < 0)
            return -1;
        if (c->in_len < need)
            return 0;
        c->chunk_scan = need;
        if (n == 0)
            return 1; /* no trailers expected */
    }
}

/* 1 when a full response is in c->in, 0 when more is needed, -1 on garbage. */
static int response_done(struct conn *c)
{
    if (!c->hdr_len) {
        int r = parse_head(c);
        if (r <= 0)
            return r;
    }
    if (c->body_len >= 0)
        return c->in_len >= c->hdr_len + (size_t)c->body_len;
    return parse_chunks(c);
}

static void record(struct worker *w, struct conn *c)
{
    uint64_t t = now_ns();
    w->all_done++;
    if (c->sent_ns < g_measure_ns || t > g_end_ns)
        return;
    uint64_t us = (t - c->sent_ns) / 1000;
    w->hist[us < HIST_N ? us : HIST_N]++;
    w->max_us = us > w->max_us ? us : w->max_us;
    w->done++;
    int cls = c->status / 100;
    w->status[cls >= 1 && cls <= 5 ? cls : 0]++;
    if (cls != 2)
        w->errors++;
}

/* The next request's sequence number, or -1 when the run is over. */
static long claim(const struct opts *o)
{
    if (now_ns() >= g_end_ns)
        return -1;
    long seq = atomic_fetch_add(&g_issued, 1);
    return (o->requests > 0 && seq >= o->requests) ? -1 : seq;
}

static void watch(struct worker *w, struct conn *c, int op, bool out)
{
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
    if (epoll_ctl(w->epfd, op, c->fd, &ev) != 0)
        die("epoll_ctl");
}

static void conn_close(struct worker *w, struct conn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    w->nconn--;
}

static bool conn_open(struct worker *w, struct conn *c)
{
    c->fd = dial(w->o);
    if (c->fd < 0) {
        w->conn_errors++;
        return false;
    }
    w->nconn++;
    watch(w, c, EPOLL_CTL_ADD, false);
    return true;
}

static void conn_flush(struct worker *w, struct conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n > 0) {
            c->out_off += (size_t)n;
        } else if (n < 0 && errno == EAGAIN) {
            watch(w, c, EPOLL_CTL_MOD, true);
            return;
        } else {
            return; /* the read side sees the failure */
        }
    }
}

static void conn_next(struct worker *w, struct conn *c)
{
    long seq = claim(w->o);
    if (seq < 0) {
        conn_close(w, c);
        return;
    }
    build_request(w, c, seq);
    conn_flush(w, c);
}

/* Drops a broken connection and, while the run lasts, starts over on a new one. */
static void conn_restart(struct worker *w, struct conn *c)
{
    w->conn_errors++;
    conn_close(w, c);
    if (now_ns() < g_end_ns && conn_open(w, c))
        conn_next(w, c);
}

static void conn_readable(struct worker *w, struct conn *c)
{
    for (;;) {
        if (c->in_cap - c->in_len < 16384) {
            c->in_cap = c->in_cap ? c->in_cap * 2 : 65536;
            c->in = realloc(c->in, c->in_cap);
            if (!c->in)
                bw_oom();
        }
        ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
        if (n > 0) {
            c->in_len += (size_t)n;
            if (c->in_len < c->in_cap)
                break; /* drained: level-triggered epoll reports anything later */
            continue;
        }
        if (n < 0 && errno == EAGAIN)
            break;
        conn_restart(w, c); /* EOF or error before a full response */
        return;
    }
    int r = response_done(c);
    if (r < 0) {
        conn_restart(w, c);
    } else if (r > 0) {
        record(w, c);
        if (c->close_after) {
            conn_close(w, c);
            if (conn_open(w, c))
                conn_next(w, c);
        } else {
            conn_next(w, c);
        }
    }
}

static void *worker_run(void *p)
{
    struct worker *w = p;
    struct epoll_event ev[64];
    for (int i = 0; i < w->cap; i++)
        if (w->c[i].fd >= 0)
            conn_next(w, &w->c[i]);
    while (w->nconn > 0 && now_ns() < g_end_ns + 1000000000ull) {
        int n = epoll_wait(w->epfd, ev, 64, 100);
        for (int i = 0; i < n; i++) {
            struct conn *c = ev[i].data.ptr;
            if (c->fd < 0)
                continue;
            if (ev[i].events & EPOLLOUT && c->out_off < c->out_len) {
                conn_flush(w, c);
                if (c->out_off == c->out_len)
                    watch(w, c, EPOLL_CTL_MOD, false);
            }
            if (ev[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                conn_readable(w, c);
        }
    }
    return NULL;
}

/* Reads aws_access_key_id / aws_secret_access_key / aws_session_token of [profile]. */
static void read_credentials(struct opts *o)
{
    FILE *f = fopen(o->cred_file, "r");
    if (!f)
        die(o->cred_file);
    char line[4096], want[300];
    bool in = false;
    snprintf(want, sizeof want, "[%s]", o->profile);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '[') {
            in = strcmp(line, want) == 0;
            continue;
        }
        char *eq = strchr(line, '=');
        if (!in || !eq)
            continue;
        char *k = line, *v = eq + 1;
        *eq = 0;
        k[strcspn(k, " \t")] = 0;
        v += strspn(v, " \t");
        if (strcmp(k, "aws_access_key_id") == 0)
            snprintf(o->akid, sizeof o->akid, "%s", v);
        else if (strcmp(k, "aws_secret_access_key") == 0)
            snprintf(o->secret, sizeof o->secret, "%s", v);
        else if (strcmp(k, "aws_session_token") == 0)
            snprintf(o->token, sizeof o->token, "%s", v);
    }
    fclose(f);
    if (!o->akid[0] || !o->secret[0]) {
        fprintf(stderr, "loadgen: no keys for profile %s in %s\n", o->profile, o->cred_file);
        exit(2);
    }
}

static void usage(void)
{
    fprintf(stderr,
            "usage: loadgen --mode sts|iam|create-users|static [--host 127.0.0.1] --port N\n"
            "  [--connections 64] [--threads 1] [--duration 10] [--warmup 1] [--requests N]\n"
            "  [--path /] [--credentials FILE --profile bulwark | --access-key K --secret-key S]\n"
            "  [--region us-east-1] [--max-items 1000] [--prefix benchuser]\n");
    exit(2);
}

static enum mode parse_mode(const char *m)
{
    if (strcmp(m, "sts") == 0)
        return MODE_STS;
    if (strcmp(m, "iam") == 0)
        return MODE_IAM;
    if (strcmp(m, "create-users") == 0)
        return MODE_CREATE_USERS;
    if (strcmp(m, "static") == 0)
        return MODE_STATIC;
    usage();
    return MODE_STATIC;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {{"mode", 1, 0, 'm'},
                                       {"host", 1, 0, 'h'},
                                       {"port", 1, 0, 'p'},
                                       {"connections", 1, 0, 'c'},
                                       {"threads", 1, 0, 't'},
                                       {"duration", 1, 0, 'd'},
                                       {"warmup", 1, 0, 'w'},
                                       {"requests", 1, 0, 'n'},
                                       {"path", 1, 0, 'P'},
                                       {"credentials", 1, 0, 'C'},
                                       {"profile", 1, 0, 'R'},
                                       {"access-key", 1, 0, 'a'},
                                       {"secret-key", 1, 0, 's'},
                                       {"region", 1, 0, 'r'},
                                       {"max-items", 1, 0, 'i'},
                                       {"prefix", 1, 0, 'x'},
                                       {0, 0, 0, 0}};
    *o = (struct opts){.host = "127.0.0.1",
                       .path = "/",
                       .region = "us-east-1",
                       .prefix = "benchuser",
                       .profile = "bulwark",
                       .conns = 64,
                       .threads = 1,
                       .max_items = 1000,
                       .duration = 10,
                       .warmup = 1,
                       .mode = -1};
    int ch;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'm':
            o->mode = parse_mode(optarg);
            break;
        case 'h':
            o->host = optarg;
            break;
        case 'p':
            o->port = (int)strtol(optarg, NULL, 10);
            break;
        case 'c':
            o->conns = (int)strtol(optarg, NULL, 10);
            break;
        case 't':
            o->threads = (int)strtol(optarg, NULL, 10);
            break;
        case 'd':
            o->duration = strtod(optarg, NULL);
            break;
        case 'w':
            o->warmup = strtod(optarg, NULL);
            break;
        case 'n':
            o->requests = strtol(optarg, NULL, 10);
            break;
        case 'P':
            o->path = optarg;
            break;
        case 'C':
            o->cred_file = optarg;
            break;
        case 'R':
            o->profile = optarg;
            break;
        case 'a':
            snprintf(o->akid, sizeof o->akid, "%s", optarg);
            break;
        case 's':
            snprintf(o->secret, sizeof o->secret, "%s", optarg);
            break;
        case 'r':
            o->region = optarg;
            break;
        case 'i':
            o->max_items = (int)strtol(optarg, NULL, 10);
            break;
        case 'x':
            o->prefix = optarg;
            break;
        default:
            usage();
        }
    }
    if ((int)o->mode < 0 || o->port <= 0 || o->conns < 1 || o->threads < 1 || o->duration <= 0)
        usage();
    if (o->cred_file)
        read_credentials(o);
    if (o->mode != MODE_STATIC && (!o->akid[0] || !o->secret[0]))
        usage();
    if (o->requests > 0)
        o->warmup = 0;
    if (o->threads > o->conns)
        o->threads = o->conns;
}

static void worker_init(struct worker *w, const struct opts *o, int id, int nconn)
{
    *w = (struct worker){.o = o, .id = id, .cap = nconn};
    w->epfd = epoll_create1(0);
    if (w->epfd < 0)
        die("epoll_create1");
    w->c = calloc((size_t)nconn, sizeof *w->c);
    w->hist = calloc(HIST_N + 1, sizeof *w->hist);
    if (!w->c || !w->hist)
        bw_oom();
    w->cache = bw_sigv4_cache_new(16);
    snprintf(w->hostport, sizeof w->hostport, "%s:%d", o->host, o->port);
    if (o->mode == MODE_STS || o->mode == MODE_IAM) {
        /* The body never changes: hash it once, as the signature is still made afresh. */
        char buf[512];
        const char *body = body_for(o, 0, buf, sizeof buf);
        unsigned char md[32];
        EVP_Digest(body, strlen(body), md, NULL, EVP_sha256(), NULL);
        bw_hex_encode(md, sizeof md, w->body_hash);
    }
    for (int i = 0; i < nconn; i++)
        if (!conn_open(w, &w->c[i])) {
            fprintf(stderr, "loadgen: cannot connect to %s:%d\n", o->host, o->port);
            exit(1);
        }
}

static void worker_fini(struct worker *w)
{
    for (int i = 0; i < w->cap; i++) {
        if (w->c[i].fd >= 0)
            close(w->c[i].fd);
        free(w->c[i].in);
        free(w->c[i].out);
    }
    free(w->c);
    free(w->hist);
    bw_sigv4_cache_free(w->cache);
    close(w->epfd);
}

static uint64_t percentile(const uint64_t *hist, uint64_t total, double p)
{
    uint64_t want = (uint64_t)(p * (double)total + 0.999999), acc = 0;
    for (uint64_t us = 0; us <= HIST_N; us++) {
        acc += hist[us];
        if (acc >= want && want > 0)
            return us;
    }
    return 0;
}

/* Process CPU time (user + system) in microseconds. */
static uint64_t cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
           (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static uint64_t g_cpu0;

static void report(const struct opts *o, struct worker *w, double secs)
{
    static const char *names[] = {"sts", "iam", "create-users", "static"};
    uint64_t *hist = calloc(HIST_N + 1, sizeof *hist);
    uint64_t all = 0, done = 0, errors = 0, conn_errors = 0, st[6] = {0}, max_us = 0;
    if (!hist)
        bw_oom();
    for (int t = 0; t < o->threads; t++) {
        for (uint64_t i = 0; i <= HIST_N; i++)
            hist[i] += w[t].hist[i];
        done += w[t].done;
        all += w[t].all_done;
        errors += w[t].errors;
        conn_errors += w[t].conn_errors;
        max_us = w[t].max_us > max_us ? w[t].max_us : max_us;
        for (int k = 0; k < 6; k++)
            st[k] += w[t].status[k];
    }
    printf("mode=%s connections=%d threads=%d seconds=%.2f requests=%llu rps=%.1f p50_us=%llu "
           "p99_us=%llu max_us=%llu errors=%llu conn_errors=%llu 2xx=%llu 3xx=%llu 4xx=%llu "
           "5xx=%llu gen_cpu_us_per_req=%.2f\n",
           names[o->mode], o->conns, o->threads, secs, (unsigned long long)done,
           secs > 0 ? (double)done / secs : 0.0, (unsigned long long)percentile(hist, done, 0.50),
           (unsigned long long)percentile(hist, done, 0.99), (unsigned long long)max_us,
           (unsigned long long)errors, (unsigned long long)conn_errors, (unsigned long long)st[2],
           (unsigned long long)st[3], (unsigned long long)st[4], (unsigned long long)st[5],
           all ? (double)(cpu_us() - g_cpu0) / (double)all : 0.0);
    free(hist);
}

int main(int argc, char **argv)
{
    struct opts o;
    parse_opts(argc, argv, &o);
    struct worker *w = calloc((size_t)o.threads, sizeof *w);
    if (!w)
        bw_oom();
    for (int t = 0; t < o.threads; t++)
        worker_init(&w[t], &o, t, o.conns / o.threads + (t < o.conns % o.threads));
    g_cpu0 = cpu_us();
    g_start_ns = now_ns();
    g_measure_ns = g_start_ns + (uint64_t)(o.warmup * 1e9);
    g_end_ns = g_measure_ns + (uint64_t)(o.duration * 1e9);
    for (int t = 0; t < o.threads; t++)
        if (pthread_create(&w[t].th, NULL, worker_run, &w[t]) != 0)
            die("pthread_create");
    for (int t = 0; t < o.threads; t++)
        pthread_join(w[t].th, NULL);
    uint64_t last = now_ns();
    double secs = (double)((last < g_end_ns ? last : g_end_ns) - g_measure_ns) / 1e9;
    report(&o, w, secs);
    uint64_t errors = 0;
    for (int t = 0; t < o.threads; t++) {
        errors += w[t].errors;
        worker_fini(&w[t]);
    }
    free(w);
    return errors ? 1 : 0;
}
