/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The packet classifier shared by the XDP fast path and userspace: it decodes one
 * Ethernet frame (802.1Q/QinQ, IPv4 with options and fragments, IPv6 with extension
 * headers and fragments, TCP with options, UDP, ICMP, ICMPv6) into a compact flow record
 * and gives a deterministic verdict: BW_NET_OK or the reason the frame is malformed.
 *
 * Everything here is header-only and compiles twice: with clang -target bpf into
 * src/bpf/xdp_bulwark.c, and with gcc/clang into userspace. Hence: no libc calls, every
 * loop is bounded (40 passes at most), every read is preceded by a check against the end
 * of data, multi-byte fields are read byte by byte in the full path (no unaligned loads,
 * host-order out; the userspace fast path, net/decode_fast.h, loads them with memcpy).
 * The decoder never reads a byte at or after data_end. It allocates nothing, keeps no
 * state and is safe to call from any number of threads. Non-IP frames (ARP, LLDP, ...)
 * and IP protocols it does not parse pass with BW_NET_OK.
 *
 * The verdict rows live in src/net/verdicts.def; the checks and their order are described
 * in docs/net.md.
 */
#ifndef BW_NET_NET_H
#define BW_NET_NET_H

#include <stdbool.h>
#include <stdint.h>

/* IPv6 extension headers walked before giving up with BW_NET_V6_EXT_TOO_LONG. */
#define BW_NET_V6_EXT_MAX 8

enum bw_net_verdict {
#define BW_NET_VERDICT(sym, name, desc) sym,
#include "net/verdicts.def"
#undef BW_NET_VERDICT
    BW_NET_VERDICT_COUNT
};

/* struct bw_net_flow.flags */
#define BW_NET_F_VLAN       0x0001u /* at least one VLAN tag */
#define BW_NET_F_QINQ       0x0002u /* two VLAN tags */
#define BW_NET_F_IPV4       0x0004u
#define BW_NET_F_IPV6       0x0008u
#define BW_NET_F_FRAG       0x0010u /* a fragment (not an IPv6 atomic fragment) */
#define BW_NET_F_FRAG_FIRST 0x0020u /* ... the first one (offset 0) */
#define BW_NET_F_FRAG_MORE  0x0040u /* more fragments follow (MF / M) */
#define BW_NET_F_DF         0x0080u /* IPv4 don't fragment */
#define BW_NET_F_IP_OPTS    0x0100u /* IPv4 options present */
#define BW_NET_F_V6_EXT     0x0200u /* IPv6 extension headers present */
#define BW_NET_F_L4         0x0400u /* L4 header decoded: ports / flags / ICMP type valid */
#define BW_NET_F_SNAPPED    0x0800u /* bw_net_decode_snap: the capture cut the frame */

/* struct bw_net_flow.tcp_flags (the byte at offset 13 of the TCP header) */
#define BW_NET_TCP_FIN 0x01u
#define BW_NET_TCP_SYN 0x02u
#define BW_NET_TCP_RST 0x04u
#define BW_NET_TCP_PSH 0x08u
#define BW_NET_TCP_ACK 0x10u
#define BW_NET_TCP_URG 0x20u
#define BW_NET_TCP_ECE 0x40u
#define BW_NET_TCP_CWR 0x80u

/* struct bw_net_flow.tcp_opts: which TCP options the segment carries */
#define BW_NET_TCPO_MSS    0x01u
#define BW_NET_TCPO_WSCALE 0x02u
#define BW_NET_TCPO_SACKOK 0x04u
#define BW_NET_TCPO_SACK   0x08u
#define BW_NET_TCPO_TS     0x10u
#define BW_NET_TCPO_TFO    0x20u
#define BW_NET_TCPO_OTHER  0x80u

/* Coarse class of a decoded packet (struct bw_net_flow.cls), for counting. */
enum bw_net_class {
    BW_NET_CLS_OTHER = 0, /* not IP, or an IP protocol not parsed */
    BW_NET_CLS_TCP_SYN,   /* SYN without ACK (ECE/CWR allowed) */
    BW_NET_CLS_TCP_SYNACK,
    BW_NET_CLS_TCP_RST,
    BW_NET_CLS_TCP_FIN, /* FIN+ACK */
    BW_NET_CLS_TCP_ACK, /* anything else with ACK, with or without data */
    BW_NET_CLS_UDP,
    BW_NET_CLS_ICMP, /* ICMP or ICMPv6 */
    BW_NET_CLS_FRAG, /* non-first fragment: no L4 header */
    BW_NET_CLS_COUNT
};

/*
 * One decoded packet. Addresses are in network byte order, 16 bytes each; an IPv4 address
 * is stored IPv4-mapped (::ffff:a.b.c.d) so both families hash and compare alike. Every
 * other multi-byte field is in host order. Lengths come from the IP header (what the
 * packet claims), pkt_len from the frame. A field the packet does not have is 0. On a
 * verdict other than BW_NET_OK the record holds what was decoded before the failing check.
 * The L4 payload is not copied: it stays in the frame, at payload_off
 * (bw_net_flow_payload), so the record is 100 bytes without padding, all written on
 * every call.
 */
struct bw_net_flow {
    /* What the Ethernet and IP headers give (bytes 0-63) ... */
    uint8_t saddr[16];
    uint8_t daddr[16];
    uint32_t pkt_len;    /* frame bytes: data_end - data, or the wire length given to
                          * bw_net_decode_snap; 0 in BPF (the XDP context has it) */
    uint32_t frag_id;    /* IPv4 identification or IPv6 fragment id */
    uint32_t l3_len;     /* IPv4 total length; IPv6 40 + payload length */
    uint16_t ethertype;  /* after the VLAN tags */
    uint16_t vlan[2];    /* VLAN ids (12 bits), outer first */
    uint16_t l3_hdr_len; /* IPv4 IHL*4; IPv6 40 + extension headers */
    uint16_t l4_len;     /* l3_len - l3_hdr_len: bytes after the IP headers */
    uint16_t l4_off;     /* offset of the L4 header from data */
    uint16_t frag_off;   /* fragment offset in bytes */
    uint8_t vlan_n;      /* VLAN tags: 0, 1 or 2 */
    uint8_t ip_ver;      /* 4, 6, or 0 when not IP */
    uint8_t proto;       /* L4 protocol (after IPv6 extension headers) */
    uint8_t ttl;         /* TTL or hop limit */
    uint8_t tos;         /* IPv4 TOS / IPv6 traffic class (DSCP << 2 | ECN) */
    uint8_t v6_ext_n;    /* IPv6 extension headers walked */
    /* ... and what the L4 header gives, with the flags and the verdict (bytes 64-99).
     * The split lets the fast path write each 8-byte word once (net/decode_fast.h). */
    uint32_t flags; /* BW_NET_F_* */
    uint32_t tcp_seq;
    uint32_t tcp_ack;
    uint16_t sport;
    uint16_t dport;
    uint16_t tcp_win;
    uint16_t tcp_mss;     /* MSS option value, 0 if absent */
    uint16_t l4_hdr_len;  /* TCP data offset*4, 8 for UDP/ICMP; 0 if not decoded */
    uint16_t payload_off; /* offset of the L4 payload from data */
    uint16_t payload_len; /* L4 payload bytes the IP/UDP headers claim */
    uint8_t tcp_flags;    /* BW_NET_TCP_* */
    uint8_t tcp_opts;     /* BW_NET_TCPO_* */
    uint8_t tcp_wscale;   /* window scale option value */
    uint8_t icmp_type;
    uint8_t icmp_code;
    uint8_t cls;         /* enum bw_net_class */
    uint8_t verdict;     /* enum bw_net_verdict, same as the return value */
    uint8_t reserved[3]; /* always 0: the record has no padding, every byte is written */
};
/* The fields before verdict add up to 96 bytes: no padding anywhere. */
_Static_assert(__builtin_offsetof(struct bw_net_flow, verdict) == 96 &&
                   sizeof(struct bw_net_flow) == 100,
               "struct bw_net_flow has no padding");

/* True when the flow is IPv4 (addresses are IPv4-mapped). */
static inline bool bw_net_flow_is_v4(const struct bw_net_flow *f)
{
    return f->ip_ver == 4;
}

/* The IPv4 source / destination in host order (only meaningful when bw_net_flow_is_v4). */
static inline uint32_t bw_net_flow_saddr4(const struct bw_net_flow *f)
{
    return (uint32_t)f->saddr[12] << 24 | (uint32_t)f->saddr[13] << 16 |
           (uint32_t)f->saddr[14] << 8 | f->saddr[15];
}

static inline uint32_t bw_net_flow_daddr4(const struct bw_net_flow *f)
{
    return (uint32_t)f->daddr[12] << 24 | (uint32_t)f->daddr[13] << 16 |
           (uint32_t)f->daddr[14] << 8 | f->daddr[15];
}

#ifndef __bpf__
/*
 * The L4 payload of a frame [data, data_end) that f was decoded from: returns
 * data + payload_off and stores in *n (OUT) how many of its payload_len bytes the frame
 * holds: fewer when a capture's snap length cut it, 0 when the decoder stopped before the
 * L4 header or the packet is a non-first fragment. Userspace only.
 */
static inline const uint8_t *bw_net_flow_payload(const struct bw_net_flow *f, const void *data,
                                                 const void *data_end, uint32_t *n)
{
    const uint8_t *p = (const uint8_t *)data;
    uint64_t room = (uint64_t)((const uint8_t *)data_end - p);
    uint64_t off = f->payload_off <= room ? f->payload_off : room;
    *n = (uint32_t)(f->payload_len < room - off ? f->payload_len : room - off);
    return p + off;
}
#endif

/*
 * Decodes and classifies the frame [data, data_end) into out (OUT: fully overwritten)
 * and returns the verdict, also stored in out->verdict. Pure: no allocation, no state,
 * thread-safe; reads no byte outside [data, data_end). Defined in net/decode.h:
 *
 *   static inline enum bw_net_verdict
 *   bw_net_decode(const void *data, const void *data_end, struct bw_net_flow *out);
 *
 * For capture records cut by a snap length (caplen < wire length), userspace only:
 *
 *   static inline enum bw_net_verdict
 *   bw_net_decode_snap(const void *data, const void *data_end, uint32_t wire_len,
 *                      struct bw_net_flow *out);
 */

#ifndef __bpf__
/* Short stable name of a verdict ("bad_ihl"), "unknown" if out of range. Userspace only. */
const char *bw_net_verdict_name(enum bw_net_verdict v);
/* One-line description of a verdict. Userspace only. */
const char *bw_net_verdict_desc(enum bw_net_verdict v);
/* Name of a class ("tcp_syn"). Userspace only. */
const char *bw_net_class_name(enum bw_net_class c);
#endif

#include "net/decode.h"

#endif
