/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prometheus metrics: bulwark_requests_total and the latency histogram
 * bulwark_request_duration_seconds, labelled by service, operation and status.
 * Series live in a fixed open-addressed table behind one mutex (an update is a
 * few adds; contention is negligible next to a request).
 */
#include "proto/internal.h"

#include <stdlib.h>
#include <string.h>

#define SERIES  1024
#define BUCKETS 12

static const double bucket_le[BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                          0.01,   0.025,   0.05,   0.1,   0.5,    1.0};

struct series {
    const char *service, *op; /* static storage (service tables) */
    int status;
    uint64_t count;
    double sum;
    uint64_t buckets[BUCKETS];
};

struct bw_metrics {
    pthread_mutex_t mu;
    struct series s[SERIES];
};

struct bw_metrics *bw_proto__metrics_new(void)
{
    struct bw_metrics *m = calloc(1, sizeof *m);
    if (!m)
        bw_oom();
    pthread_mutex_init(&m->mu, NULL);
    return m;
}

void bw_proto__metrics_free(struct bw_metrics *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->mu);
    free(m);
}

void bw_proto__metrics_observe(struct bw_metrics *m, const char *service, const char *op,
                               int status, uint64_t ns)
{
    size_t h = ((uintptr_t)service * 31 + (uintptr_t)op * 17 + (size_t)status) % SERIES;
    double sec = (double)ns / 1e9;
    pthread_mutex_lock(&m->mu);
    for (size_t k = 0; k < SERIES; k++) {
        struct series *s = &m->s[(h + k) % SERIES];
        if (s->service && (s->service != service || s->op != op || s->status != status))
            continue;
        if (!s->service) {
            s->service = service;
            s->op = op;
            s->status = status;
        }
        s->count++;
        s->sum += sec;
        for (int b = 0; b < BUCKETS; b++)
            if (sec <= bucket_le[b])
                s->buckets[b]++;
        break;
    }
    pthread_mutex_unlock(&m->mu);
}

void bw_server_metrics(struct bw_server *srv, struct bw_buf *b)
{
    struct bw_metrics *m = srv->metrics;
    bw_buf_adds(b, "# HELP bulwark_requests_total API requests by service, operation and status.\n"
                   "# TYPE bulwark_requests_total counter\n");
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < SERIES; i++) {
        struct series *s = &m->s[i];
        if (s->service)
            bw_buf_printf(b,
                          "bulwark_requests_total{service=\"%s\",operation=\"%s\",status=\"%d\"} "
                          "%llu\n",
                          s->service, s->op, s->status, (unsigned long long)s->count);
    }
    bw_buf_adds(b, "# HELP bulwark_request_duration_seconds API request latency.\n"
                   "# TYPE bulwark_request_duration_seconds histogram\n");
    for (size_t i = 0; i < SERIES; i++) {
        struct series *s = &m->s[i];
        if (!s->service)
            continue;
        char lbl[256];
        snprintf(lbl, sizeof lbl, "service=\"%s\",operation=\"%s\",status=\"%d\"", s->service,
                 s->op, s->status);
        for (int k = 0; k < BUCKETS; k++)
            bw_buf_printf(b, "bulwark_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n", lbl,
                          bucket_le[k], (unsigned long long)s->buckets[k]);
        bw_buf_printf(b, "bulwark_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n", lbl,
                      (unsigned long long)s->count);
        bw_buf_printf(b, "bulwark_request_duration_seconds_sum{%s} %.9f\n", lbl, s->sum);
        bw_buf_printf(b, "bulwark_request_duration_seconds_count{%s} %llu\n", lbl,
                      (unsigned long long)s->count);
    }
    pthread_mutex_unlock(&m->mu);
    uint64_t hits = 0, misses = 0;
    bw_sigv4_cache_stats(srv->sigv4_cache, &hits, &misses);
    bw_buf_printf(b,
                  "# TYPE bulwark_sigv4_key_cache_hits_total counter\n"
                  "bulwark_sigv4_key_cache_hits_total %llu\n"
                  "# TYPE bulwark_sigv4_key_cache_misses_total counter\n"
                  "bulwark_sigv4_key_cache_misses_total %llu\n",
                  (unsigned long long)hits, (unsigned long long)misses);
}
