/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the Query form decoder and the parameter accessors. */
#include <string.h>

#include "fuzz.h"
#include "proto/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bw_arena *a = bw_arena_new(0);
    char *copy = bw_arena_alloc(a, size ? size : 1);
    memcpy(copy, data, size);
    struct bw_param *p = NULL;
    size_t n = 0, cap = 0;
    struct bw_err err;
    if (bw_proto__form_decode(a, copy, size, &p, &n, &cap, &err) == BW_OK) {
        bw_proto__params_sort(p, n);
        struct bw_call c = {.arena = a, .params = p, .n_params = n};
        (void)bw_q_get(&c, "Action");
        (void)bw_q_member_count(&c, "Tags", "Key");
        struct bw_buf b;
        bw_buf_init(&b, a, 16);
        for (size_t i = 0; i < n; i++)
            bw_xml_elem(&b, "V", p[i].value);
    }
    bw_arena_free(a);
    return 0;
}
