/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The differential check between the decoder's two paths, shared by the unit test
 * (tests/unit/net/paths_test.c) and the fuzz target (tests/fuzz/net_decode_fuzz.c): the
 * fast path (bw_net__fast, net/decode_fast.h), when it answers, must give the verdict and
 * every field of the record that the full path (bw_net_decode_full) gives, and
 * bw_net_decode must give what the full path gives on every frame. Each record starts
 * filled with a different byte pattern, so a byte one path forgets to write shows up.
 */
#ifndef BW_TESTS_NET_PATHS_H
#define BW_TESTS_NET_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/net.h"

/* Every field of struct bw_net_flow. */
// clang-format off
#define TP_FLOW_FIELDS(X)                                                                          \
    X(saddr) X(daddr) X(pkt_len) X(flags) X(frag_id) X(tcp_seq) X(tcp_ack) X(l3_len)             \
    X(ethertype) X(vlan) X(l3_hdr_len) X(l4_len) X(l4_hdr_len) X(l4_off) X(payload_off)         \
    X(payload_len) X(frag_off) X(sport) X(dport) X(tcp_win) X(tcp_mss) X(vlan_n) X(ip_ver)       \
    X(proto) X(ttl) X(tos) X(v6_ext_n) X(tcp_flags) X(tcp_opts) X(tcp_wscale) X(icmp_type)      \
    X(icmp_code) X(cls) X(verdict) X(reserved)
// clang-format on

/* The name of the first field in which a and b differ, or NULL when they are equal in
 * every byte. */
static inline const char *tp_flow_diff(const struct bw_net_flow *a, const struct bw_net_flow *b)
{
#define TP_FLOW_CMP(f)                                                                             \
    if (memcmp(&a->f, &b->f, sizeof(a->f)) != 0)                                                   \
        return #f;
    TP_FLOW_FIELDS(TP_FLOW_CMP)
#undef TP_FLOW_CMP
    return memcmp(a, b, sizeof(*a)) != 0 ? "(bytes outside the fields)" : NULL;
}

/* Runs the frame [b, b + n) through the fast path, the full path and bw_net_decode.
 * Returns NULL when they agree, else what differs ("verdict", a field name, ...);
 * *fast (OUT) tells whether the fast path answered. */
static inline const char *tp_paths_disagree(const uint8_t *b, size_t n, bool *fast)
{
    struct bw_net_flow ff, full, dec;
    memset(&ff, 0xa5, sizeof(ff));
    memset(&full, 0x5a, sizeof(full));
    memset(&dec, 0x3c, sizeof(dec));
    enum bw_net_verdict vf = bw_net__fast(b, b + n, &ff);
    enum bw_net_verdict vr = bw_net_decode_full(b, b + n, &full);
    enum bw_net_verdict vd = bw_net_decode(b, b + n, &dec);
    *fast = vf != BW_NET__SLOW;
    if (vd != vr)
        return "verdict (bw_net_decode against the full path)";
    const char *d = tp_flow_diff(&dec, &full);
    if (d)
        return d;
    if (!*fast)
        return NULL;
    if (vf != vr)
        return "verdict (fast path against the full path)";
    return tp_flow_diff(&ff, &full);
}

#endif
