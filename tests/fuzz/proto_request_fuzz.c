/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes whole API requests through the dispatcher: the input's first bytes pick
 * a registered service and operation, the rest is the body (a Query form or a
 * JSON 1.1 document). Each request is signed with the bootstrap admin's key, so
 * the decoders, validators and handlers behind authentication are reached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/boot.h"
#include "common/log.h"
#include "common/util.h"
#include "fuzz.h"
#include "proto/internal.h"

static struct bw_server *srv;
static char akid[64], secret[64], dir[64];

static void cleanup(void)
{
    bw_server_free(srv);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        perror("cleanup");
}

static void init_once(void)
{
    snprintf(dir, sizeof dir, "/tmp/bw-fuzz-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    bw_log_set_level(getenv("BW_FUZZ_LOG") ? BW_LOG_ERROR : BW_LOG_OFF);
    struct bw_server_config cfg = {.data_dir = dir};
    struct bw_err err;
    if (bw_server_new(&cfg, &srv, &err))
        abort();
    bw_boot_register(srv);
    bool created;
    FILE *devnull = freopen("/dev/null", "w", stdout);
    (void)devnull;
    if (bw_boot_init(srv, "http://fuzz", &created, &err))
        abort();
    char path[128];
    snprintf(path, sizeof path, "%s/credentials", dir);
    FILE *f = fopen(path, "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        sscanf(line, "aws_access_key_id = %63s", akid);
        sscanf(line, "aws_secret_access_key = %63s", secret);
    }
    if (f)
        fclose(f);
    atexit(cleanup);
}

static void send_one(const struct bw_service *svc, const struct bw_op *op, const char *body,
                     size_t len)
{
    struct bw_arena *a = bw_arena_new(0);
    bool json = svc->protocol == BW_PROTO_JSON;
    const char *ct = json ? "application/x-amz-json-1.1" : "application/x-www-form-urlencoded";
    const char *target = json ? bw_arena_printf(a, "%s.%s", svc->target_prefix, op->name) : NULL;
    struct bw_sigv4_header h[3] = {{BW_STR("Host"), BW_STR("localhost")},
                                   {BW_STR("Content-Type"), bw_str_c(ct)},
                                   {BW_STR("X-Amz-Target"), bw_str_c(target)}};
    struct bw_sigv4_request sr = {.method = BW_STR("POST"),
                                  .path = BW_STR("/"),
                                  .query = BW_STR(""),
                                  .headers = h,
                                  .n_headers = json ? 3 : 2,
                                  .payload = {body, len}};
    struct bw_sigv4_creds cr = {akid, secret, NULL};
    struct bw_sigv4_signed sig;
    struct bw_err err;
    if (bw_sigv4_sign(&sr, &cr, "us-east-1", svc->name, bw_now_ms() / 1000, NULL, a, &sig, &err))
        abort();
    struct bw_request *req = BW_ARENA_NEW(a, struct bw_request);
    struct bw_header *hh = BW_ARENA_NEWN(a, struct bw_header, 5);
    hh[0] = (struct bw_header){"Host", "localhost"};
    hh[1] = (struct bw_header){"Content-Type", ct};
    hh[2] = (struct bw_header){"X-Amz-Date", bw_arena_strdup(a, sig.amz_date)};
    hh[3] = (struct bw_header){"Authorization", sig.authorization};
    hh[4] = (struct bw_header){"X-Amz-Target", target};
    *req = (struct bw_request){.arena = a,
                               .method = "POST",
                               .path = "/",
                               .query = "",
                               .headers = hh,
                               .n_headers = json ? 5 : 4,
                               .body = body,
                               .body_len = len,
                               .start_ns = bw_mono_ns()};
    snprintf(req->source_ip, sizeof req->source_ip, "127.0.0.1");
    struct bw_response resp;
    bw_server_handle(srv, req, &resp);
    if (resp.status < 200 || resp.status > 599 || resp.status == 500) {
        fprintf(stderr, "status %d: %.*s\n", resp.status, (int)resp.body_len, resp.body);
        abort(); /* a 500 is a bug: hostile input must get a 4xx */
    }
    bw_arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!srv)
        init_once();
    if (size < 2)
        return 0;
    const struct bw_service *svc = srv->services[data[0] % srv->n_services];
    const struct bw_op *op = &svc->ops[data[1] % svc->n_ops];
    size_t len = size - 2;
    char *body = malloc(len + 64);
    size_t n = 0;
    if (svc->protocol == BW_PROTO_QUERY)
        n = (size_t)snprintf(body, 64, "Action=%s&Version=%s&", op->name, svc->version);
    memcpy(body + n, data + 2, len);
    send_one(svc, op, body, n + len);
    free(body);
    return 0;
}
