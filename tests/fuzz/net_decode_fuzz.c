/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the packet decoder: the input is one Ethernet frame. The frame is
 * copied into a buffer of exactly its size so ASan catches any read past data_end, and
 * the record is checked for the invariants the decoder promises whatever the input.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "net/net.h"

static void check(const struct bw_net_flow *f, enum bw_net_verdict v, size_t size)
{
    if ((unsigned)v >= BW_NET_VERDICT_COUNT || f->verdict != v || f->pkt_len != size)
        abort();
    if (f->payload_n > BW_NET_PAYLOAD_MAX || f->payload_n > f->payload_len)
        abort();
    if (v == BW_NET_OK && f->ip_ver != 0) {
        /* A well-formed IP packet lies inside the frame. */
        if ((size_t)f->l4_off - f->l3_hdr_len + f->l3_len > size)
            abort();
        if (f->payload_off + (size_t)f->payload_n > size)
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
    if (v == BW_NET_OK && f.payload_n && memcmp(f.payload, b + f.payload_off, f.payload_n) != 0)
        abort();
    /* The same bytes as a record cut by a snap length: never reads past them either. */
    uint32_t wire = (uint32_t)size + (size ? data[size - 1] : 0) * 8u;
    enum bw_net_verdict s = bw_net_decode_snap(b, b + size, wire, &f);
    if ((unsigned)s >= BW_NET_VERDICT_COUNT || f.verdict != s || f.payload_n > BW_NET_PAYLOAD_MAX)
        abort();
    if (s == BW_NET_OK && f.payload_n && f.payload_off + (size_t)f.payload_n > size)
        abort();
    free(b);
    return 0;
}
