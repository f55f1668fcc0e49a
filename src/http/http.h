/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP/1.1 front: libmicrohttpd with epoll and a pool of worker threads,
 * keep-alive, optional TLS. Each request owns an arena created when its URI
 * arrives and freed once, when libmicrohttpd reports the request complete.
 * GET /health and GET /metrics are answered here; everything else goes to the
 * dispatcher (proto). Stopping is graceful: no new connections are accepted
 * and requests in flight finish first.
 */
#ifndef BW_HTTP_HTTP_H
#define BW_HTTP_HTTP_H

#include <stddef.h>

#include "common/errors.h"
#include "proto/proto.h"

struct bw_http_config {
    const char *listen;   /* "127.0.0.1:4566", "[::1]:4566" or ":4566" */
    const char *tls_cert; /* PEM file, or NULL */
    const char *tls_key;  /* PEM file, or NULL */
    unsigned threads;     /* worker threads; 0: one per core */
    size_t max_body;      /* bytes; larger bodies get RequestEntityTooLarge */
};

struct bw_http;

/* Binds and starts serving. The caller owns *out (bw_http_stop). */
enum bw_code bw_http_start(const struct bw_http_config *cfg, struct bw_server *srv,
                           struct bw_http **out, struct bw_err *err);
/* The port actually bound (useful with port 0). */
unsigned bw_http_port(const struct bw_http *h);
/* Stops accepting, waits up to `grace_ms` for requests in flight, then stops. */
void bw_http_stop(struct bw_http *h, unsigned grace_ms);

#endif
