/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bulwarkd: the control plane daemon. Flags override the config file, which
 * overrides the defaults (listen 127.0.0.1:4566, data dir ./data). SIGTERM and
 * SIGINT stop it gracefully: no new connections, requests in flight finish,
 * queued audit events are flushed, the store is closed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/boot.h"
#include "common/log.h"
#include "http/http.h"

struct opts {
    const char *listen, *data_dir, *tls_cert, *tls_key, *log_level, *region;
    unsigned threads;
};

static void usage(FILE *f)
{
    fputs(
        "usage: bulwarkd [--listen HOST:PORT] [--data-dir DIR] [--tls-cert PEM --tls-key PEM]\n"
        "                [--log-level debug|info|warn|error] [--threads N] [--region R]\n"
        "                [--config FILE]\n"
        "The config file holds `key = value` lines with the same names (listen, data-dir, ...).\n",
        f);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = 0;
    return s;
}

static int set_opt(struct opts *o, const char *k, const char *v)
{
    if (!strcmp(k, "listen"))
        o->listen = v;
    else if (!strcmp(k, "data-dir"))
        o->data_dir = v;
    else if (!strcmp(k, "tls-cert"))
        o->tls_cert = v;
    else if (!strcmp(k, "tls-key"))
        o->tls_key = v;
    else if (!strcmp(k, "log-level"))
        o->log_level = v;
    else if (!strcmp(k, "region"))
        o->region = v;
    else if (!strcmp(k, "threads"))
        o->threads = (unsigned)strtoul(v, NULL, 10);
    else
        return -1;
    return 0;
}

static int load_config(struct opts *o, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bulwarkd: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            fprintf(stderr, "bulwarkd: %s:%d: expected key = value\n", path, lineno);
            rc = -1;
            break;
        }
        *eq = 0;
        if (set_opt(o, trim(s), strdup(trim(eq + 1))) != 0) {
            fprintf(stderr, "bulwarkd: %s:%d: unknown key '%s'\n", path, lineno, trim(s));
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc) {
            if (load_config(o, argv[++i]))
                return -1;
        }
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            exit(0);
        }
        if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) {
            usage(stderr);
            return -1;
        }
        if (!strcmp(argv[i], "--config")) {
            i++;
            continue;
        }
        if (set_opt(o, argv[i] + 2, argv[i + 1]) != 0) {
            fprintf(stderr, "bulwarkd: unknown option %s\n", argv[i]);
            usage(stderr);
            return -1;
        }
        i++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o = {.listen = "127.0.0.1:4566", .data_dir = "./data", .log_level = "info"};
    if (parse_args(argc, argv, &o))
        return 2;
    int lvl = bw_log_level_parse(o.log_level);
    if (lvl < 0) {
        fprintf(stderr, "bulwarkd: unknown log level %s\n", o.log_level);
        return 2;
    }
    bw_log_set_level((enum bw_log_level)lvl);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* every thread inherits the mask */
    signal(SIGPIPE, SIG_IGN);

    struct bw_err err;
    bw_err_clear(&err);
    struct bw_server_config cfg = {.data_dir = o.data_dir, .region = o.region};
    struct bw_server *srv;
    if (bw_server_new(&cfg, &srv, &err)) {
        fprintf(stderr, "bulwarkd: %s\n", err.msg);
        return 1;
    }
    bw_boot_register(srv);
    char endpoint[300];
    snprintf(endpoint, sizeof endpoint, "%s://%s", o.tls_cert ? "https" : "http", o.listen);
    bool created;
    if (bw_boot_init(srv, endpoint, &created, &err)) {
        fprintf(stderr, "bulwarkd: first start failed: %s\n", err.msg);
        bw_server_free(srv);
        return 1;
    }
    struct bw_http_config hc = {.listen = o.listen,
                                .tls_cert = o.tls_cert,
                                .tls_key = o.tls_key,
                                .threads = o.threads,
                                .max_body = 1 << 20};
    struct bw_http *h;
    if (bw_http_start(&hc, srv, &h, &err)) {
        fprintf(stderr, "bulwarkd: %s\n", err.msg);
        bw_server_free(srv);
        return 1;
    }
    bw_log(BW_LOG_INFO, "main", "listening on %s (port %u), data in %s", o.listen, bw_http_port(h),
           o.data_dir);
    int sig = 0;
    sigwait(&set, &sig);
    bw_log(BW_LOG_INFO, "main", "signal %d: stopping", sig);
    bw_http_stop(h, 10000);
    bw_server_free(srv);
    bw_log(BW_LOG_INFO, "main", "stopped");
    return 0;
}
