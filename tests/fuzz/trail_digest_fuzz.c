/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes what `bulwark trail validate` reads from disk, which an attacker may
 * have written: gzip streams (bounded gunzip), digest files and log files.
 * Input: raw bytes; when they start with the gzip magic they are gunzipped
 * first, as validation does.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trail/trail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bw_err err;
    unsigned char *text = NULL;
    size_t len = size;
    const char *p = (const char *)data;
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        if (bw_trail_gunzip(data, size, 1 << 20, &text, &len, &err) != BW_OK)
            return 0;
        p = (const char *)text;
    }
    struct bw_arena *a = bw_arena_new(0);
    struct bw_trail_digest d;
    if (bw_trail_digest_parse(p, len, a, &d, &err) == BW_OK) {
        for (size_t i = 0; i < d.n_logs; i++)
            if (!d.logs[i].object || !d.logs[i].hash)
                abort();
        bw_trail_string_to_sign(a, d.end, d.bucket, d.object, "00", d.prev_signature);
    }
    size_t n;
    bw_trail_log_parse(p, len, &n, &err);
    bw_arena_free(a);
    free(text);
    return 0;
}
