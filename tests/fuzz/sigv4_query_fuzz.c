/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the SigV4 canonical query and canonical URI builders: the input is used as a
 * raw query string (plain and presigned) and as a raw path. The result must be
 * NUL-terminated at its length and contain only unreserved characters, '%', '=', '&'
 * (query) or '/' (path); anything else aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"
#include "fuzz.h"

static void check(struct bw_str s, const char *extra)
{
    if (s.p[s.len] != 0)
        abort();
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  strchr("-_.~%", c) || strchr(extra, c);
        if (!ok)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *c = malloc(size ? size : 1);
    memcpy(c, data, size);
    struct bw_str in = {c, size};
    struct bw_arena *a = bw_arena_new(0);
    check(bw_sigv4_canonical_query(in, false, a), "=&");
    check(bw_sigv4_canonical_query(in, true, a), "=&");
    struct bw_str uri = bw_sigv4_canonical_uri(in, a);
    check(uri, "/");
    if (uri.len == 0 || uri.p[0] != '/')
        abort();
    bw_arena_free(a);
    free(c);
    return 0;
}
