/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes SigV4 authentication parsing and verification. Input lines:
 *   1 Authorization header value ("-" for none)   2 raw query string
 *   3 X-Amz-Date header value ("-" for none)      4 raw path
 *   5.. the body
 * Each field is copied into a buffer of exactly its size so ASan catches overreads.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"
#include "fuzz.h"

static struct bw_str field(const uint8_t **p, const uint8_t *end, bool last)
{
    const uint8_t *nl = last ? NULL : memchr(*p, '\n', (size_t)(end - *p));
    size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    char *c = malloc(n ? n : 1);
    memcpy(c, *p, n);
    *p += nl ? n + 1 : n;
    return (struct bw_str){c, n};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    struct bw_str f[5];
    for (int i = 0; i < 5; i++)
        f[i] = field(&p, end, i == 4);
    struct bw_sigv4_header h[4] = {{BW_STR("Host"), BW_STR("localhost:4566")}};
    size_t n = 1;
    if (!bw_str_eqc(f[0], "-"))
        h[n++] = (struct bw_sigv4_header){BW_STR("Authorization"), f[0]};
    if (!bw_str_eqc(f[2], "-"))
        h[n++] = (struct bw_sigv4_header){BW_STR("X-Amz-Date"), f[2]};
    struct bw_sigv4_request req = {BW_STR("POST"), f[3], f[1], h, n, f[4], NULL};
    struct bw_arena *a = bw_arena_new(0);
    struct bw_sigv4_auth au;
    struct bw_err err;
    if (bw_sigv4_parse(&req, a, &au, &err) == BW_OK) {
        bw_sigv4_check_scope(&au, "sts", "us-east-1", &err);
        bw_sigv4_verify(&req, &au, BW_STR("secret"), 1440938160, NULL, a, &err);
    }
    bw_arena_free(a);
    for (int i = 0; i < 5; i++)
        free((void *)f[i].p);
    return 0;
}
