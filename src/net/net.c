/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Userspace names for the decoder's verdicts and classes (the decoder itself is
 * header-only, in net/decode.h). The strings are stable: they name counters in reports
 * and in `bulwark edge analyze` output.
 */
#include "net/net.h"

static const char *const verdict_names[] = {
#define BW_NET_VERDICT(sym, name, desc) [sym] = name,
#include "net/verdicts.def"
#undef BW_NET_VERDICT
};

static const char *const verdict_descs[] = {
#define BW_NET_VERDICT(sym, name, desc) [sym] = desc,
#include "net/verdicts.def"
#undef BW_NET_VERDICT
};

static const char *const class_names[] = {
    [BW_NET_CLS_OTHER] = "other",
    [BW_NET_CLS_TCP_SYN] = "tcp_syn",
    [BW_NET_CLS_TCP_SYNACK] = "tcp_synack",
    [BW_NET_CLS_TCP_RST] = "tcp_rst",
    [BW_NET_CLS_TCP_FIN] = "tcp_fin",
    [BW_NET_CLS_TCP_ACK] = "tcp_ack",
    [BW_NET_CLS_UDP] = "udp",
    [BW_NET_CLS_ICMP] = "icmp",
    [BW_NET_CLS_FRAG] = "frag",
};

const char *bw_net_verdict_name(enum bw_net_verdict v)
{
    if ((unsigned)v >= BW_NET_VERDICT_COUNT)
        return "unknown";
    return verdict_names[v];
}

const char *bw_net_verdict_desc(enum bw_net_verdict v)
{
    if ((unsigned)v >= BW_NET_VERDICT_COUNT)
        return "unknown verdict";
    return verdict_descs[v];
}

const char *bw_net_class_name(enum bw_net_class c)
{
    if ((unsigned)c >= BW_NET_CLS_COUNT)
        return "unknown";
    return class_names[c];
}
