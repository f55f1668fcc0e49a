/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The XDP fast path's first stage: runs the shared decoder (net/net.h) on every frame,
 * drops what it finds deterministically malformed and counts every verdict (BW_NET_OK
 * included) in a per-CPU array indexed by enum bw_net_verdict, packets and bytes. Frames
 * it cannot judge (not IP, unknown L4) pass. Built with clang -target bpf; the verifier
 * must accept it in every build (tests/net loads it on a veth).
 *
 * The decoder runs in its documented steps: bw_net_decode_l3 inline, bw_net_decode_ext and
 * bw_net_decode_l4 (the ones with loops) in global functions, which the verifier checks
 * once each on their own instead of once per path through the code before them (inline,
 * the product exceeds the verifier's 1M-instruction budget).
 */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

#include "net/net.h"

/* One slot per verdict: packets and bytes seen with that verdict on this CPU. */
struct bw_xdp_count {
    __u64 packets;
    __u64 bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, BW_NET_VERDICT_COUNT);
    __type(key, __u32);
    __type(value, struct bw_xdp_count);
} bw_verdicts SEC(".maps");

/* Global (not static) functions: each verified once, with out's contents unknown. */
__attribute__((noinline)) int bw_xdp_ext(struct xdp_md *ctx, struct bw_net_flow *out)
{
    if (!out)
        return BW_NET_OK;
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    return bw_net_decode_ext(data, data_end, out);
}

__attribute__((noinline)) int bw_xdp_l4(struct xdp_md *ctx, struct bw_net_flow *out)
{
    if (!out)
        return BW_NET_OK;
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    return bw_net_decode_l4(data, data_end, out);
}

SEC("xdp")
int xdp_bulwark(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct bw_net_flow flow;
    enum bw_net_verdict v = bw_net_decode_l3(data, data_end, &flow);
    if (v == BW_NET_OK && flow.ip_ver != 0)
        v = (enum bw_net_verdict)bw_xdp_ext(ctx, &flow);
    if (v == BW_NET_OK && flow.ip_ver != 0)
        v = (enum bw_net_verdict)bw_xdp_l4(ctx, &flow);
    __u32 key = bw_net_decode_end(&flow, v);
    if (key >= BW_NET_VERDICT_COUNT)
        key = 0;
    struct bw_xdp_count *c = bpf_map_lookup_elem(&bw_verdicts, &key);
    if (c) {
        c->packets++;
        c->bytes += ctx->data_end - ctx->data;
    }
    return key == BW_NET_OK ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
