/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the packet decoder: the input is one Ethernet frame. The frame is
 * copied into a buffer of exactly its size so ASan catches any read past data_end, the
 * record is checked for the invariants the decoder promises whatever the input, and the
 * fast path must agree with the full path field by field (tests/unit/net/paths.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "net/net.h"
#include "paths.h"

static void check(const struct bw_net_flow *f, enum bw_net_verdict v, size_t size)
{
    if ((unsigned)v >= BW_NET_VERDICT_COUNT || f->verdict != v || f->pkt_len != size)
        abort();
    if (f->reserved[0] || f->reserved[1] || f->reserved[2])
        abort();
    if (v == BW_NET_OK && f->ip_ver != 0) {
        /* A well-formed IP packet lies inside the frame, and so does its L4 payload. */
        if ((size_t)f->l4_off - f->l3_hdr_len + f->l3_len > size)
            abort();
        if (f->payload_off + (size_t)f->payload_len > size)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = malloc(size ? size : 1);
    if (!b)
        return 0;
    if (size)
        memcpy(b, data, size);
    struct bw_net_flow f;
    enum bw_net_verdict v = bw_net_decode(b, b + size, &f);
    check(&f, v, size);
    uint32_t n = 0;
    const uint8_t *pl = bw_net_flow_payload(&f, b, b + size, &n);
    if (pl < b || pl + n > b + size || n > f.payload_len)
        abort();
    bool fast = false;
    if (tp_paths_disagree(b, size, &fast) != NULL)
        abort();
    /* The same bytes as a record cut by a snap length: never reads past them either. */
    uint32_t wire = (uint32_t)size + (size ? data[size - 1] : 0) * 8u;
    enum bw_net_verdict s = bw_net_decode_snap(b, b + size, wire, &f);
    if ((unsigned)s >= BW_NET_VERDICT_COUNT || f.verdict != s)
        abort();
    pl = bw_net_flow_payload(&f, b, b + size, &n);
    if (pl < b || pl + n > b + size)
        abort();
    free(b);
    return 0;
}
