/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The decoder behind bw_net_decode(), included by net/net.h; include net/net.h instead.
 * Wire formats (all big-endian):
 *
 *   Ethernet  | dst 6 | src 6 | type 2 | [ TPID 2 | TCI 2 ] x0..2 | payload
 *   IPv4      |ver4 ihl4|tos|totlen 2|id 2|R DF MF off13|ttl|proto|csum 2|src 4|dst 4|opts
 *   IPv6      |ver4 tc8 flow20|plen 2|next|hlim|src 16|dst 16| ext headers ... | L4
 *   v6 ext    |next|len| ...     len in 8-octet units past the first 8 (AH: 4-octet, +2)
 *   v6 frag   |next|res|off13 res2 M|id 4|
 *   TCP       |sport|dport|seq 4|ack 4|doff4 res4|flags|win 2|csum 2|urg 2| options
 *   UDP       |sport|dport|len 2|csum 2|      ICMP/ICMPv6 |type|code|csum 2|rest 4|
 *
 * Verifier rules followed throughout: a read of p[k] is always preceded, on every path, by
 * BW_NET_FITS(p, n, end) with a constant n > k on that very pointer; offsets added to
 * packet pointers are bounded (at most a few KiB); every loop is bounded (40 passes at most).
 * Functions are always_inline; src/bpf/xdp_bulwark.c runs the steps with loops in global
 * functions of their own (see bw_net_decode_l3 below).
 */
#ifndef BW_NET_DECODE_H
#define BW_NET_DECODE_H

#include "net/net.h"

#define BW_NET_INLINE static inline __attribute__((always_inline))

/* BW_NET_FITS(p, n, end): n bytes from p are readable; needs p <= end. BW_NET_FITS_AT(b,
 * off, n, end): n bytes from b + off are readable, checked before b + off is formed;
 * needs b <= end. */
#ifdef __bpf__
/* The verifier learns a packet range only from a pointer compared with data_end. */
#define BW_NET_FITS(p, n, end) ((const uint8_t *)(p) + (n) <= (const uint8_t *)(end))
#define BW_NET_FITS_AT(b, off, n, end)                                                             \
    ((const uint8_t *)(b) + (off) + (n) <= (const uint8_t *)(end))
#else
/* In C proper, forming a pointer past the end is undefined: compare lengths. */
#define BW_NET_FITS(p, n, end)                                                                     \
    ((uint64_t)((const uint8_t *)(end) - (const uint8_t *)(p)) >= (uint64_t)(n))
#define BW_NET_FITS_AT(b, off, n, end)                                                             \
    ((uint64_t)((const uint8_t *)(end) - (const uint8_t *)(b)) >= (uint64_t)(off) + (n))
#endif

/* Does the frame as it was on the wire hold n bytes from the IP header ip? In BPF the
 * frame is whole: compare with data_end. In userspace out->pkt_len holds the wire length,
 * which exceeds what was captured when a capture's snap length cut the frame
 * (bw_net_decode_snap); reads are still guarded by BW_NET_FITS against data_end. */
#ifdef __bpf__
#define BW_NET_CLAIM_FITS(ip, n, end, out) BW_NET_FITS(ip, n, end)
#else
#define BW_NET_CLAIM_FITS(ip, n, end, out)                                                         \
    ((uint64_t)(14 + 4 * (out)->vlan_n) + (uint64_t)(n) <= (uint64_t)(out)->pkt_len)
#endif

#define BW_NET__ETH_IPV4 0x0800u
#define BW_NET__ETH_IPV6 0x86ddu

BW_NET_INLINE uint16_t bw_net__ld16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

BW_NET_INLINE uint32_t bw_net__ld32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

BW_NET_INLINE bool bw_net__is_vlan(uint16_t et)
{
    return et == 0x8100 || et == 0x88a8 || et == 0x9100;
}

/* Ethernet and up to two VLAN tags; *l3 receives the start of the L3 header. */
BW_NET_INLINE enum bw_net_verdict bw_net__eth(const uint8_t *p, const uint8_t *end,
                                              struct bw_net_flow *out, const uint8_t **l3)
{
    if (!BW_NET_FITS(p, 14, end))
        return BW_NET_TRUNC_ETH;
    if (p[6] & 1)
        return BW_NET_BAD_ETH_SRC;
    uint16_t et = bw_net__ld16(p + 12);
    const uint8_t *q = p + 14;
    if (bw_net__is_vlan(et)) {
        if (!BW_NET_FITS(q, 4, end))
            return BW_NET_TRUNC_VLAN;
        out->vlan[0] = bw_net__ld16(q) & 0x0fff;
        et = bw_net__ld16(q + 2);
        q += 4;
        out->vlan_n = 1;
        out->flags |= BW_NET_F_VLAN;
        if (bw_net__is_vlan(et)) {
            if (!BW_NET_FITS(q, 4, end))
                return BW_NET_TRUNC_VLAN;
            out->vlan[1] = bw_net__ld16(q) & 0x0fff;
            et = bw_net__ld16(q + 2);
            q += 4;
            out->vlan_n = 2;
            out->flags |= BW_NET_F_QINQ;
            if (bw_net__is_vlan(et))
                return BW_NET_VLAN_TOO_DEEP;
        }
    }
    out->ethertype = et;
    *l3 = q;
    return BW_NET_OK;
}

/*
 * IPv4 options (RFC 791 3.1): EOL, NOP, or kind|len|data with 2 <= len <= what is left.
 * Source routes are refused. As with TCP, only exact offsets: Router Alert (RFC 2113, 4
 * bytes) is stepped over, any other option is checked to fit and ends the walk.
 */
BW_NET_INLINE enum bw_net_verdict bw_net__ipv4_opts(const uint8_t *o, uint32_t olen,
                                                    const uint8_t *end)
{
    uint32_t i = 0;
    while (i < olen && i < 40) {
        if (!BW_NET_FITS_AT(o, i, 1, end)) /* only a snapped capture ends inside */
            return BW_NET_TRUNC_IPV4;
        const uint8_t *q = o + i;
        if (q[0] == 0)
            break;
        if (q[0] == 1) {
            i++;
            continue;
        }
        if (i + 2 > olen || !BW_NET_FITS(q, 2, end))
            return BW_NET_BAD_IPV4_OPTION;
        uint32_t len = q[1];
        if (len < 2 || i + len > olen || (q[0] == 148 && len != 4))
            return BW_NET_BAD_IPV4_OPTION;
        if (q[0] == 131 || q[0] == 137)
            return BW_NET_IPV4_SRC_ROUTE;
        if (q[0] != 148)
            break;
        i += 4;
    }
    return BW_NET_OK;
}

/* 0/8, 127/8, 224/4 and 240/4 (which holds 255.255.255.255) never source a packet
 * (RFC 1122 3.2.1.3, RFC 6890). Private, 100.64/10 and 198.18/15 are ordinary sources. */
BW_NET_INLINE enum bw_net_verdict bw_net__addr4(uint32_t s, uint32_t d)
{
    uint32_t s8 = s >> 24, d8 = d >> 24;
    if (s8 == 0 || s8 == 127 || s8 >= 224)
        return BW_NET_MARTIAN_SRC;
    if (d8 == 0 || d8 == 127)
        return BW_NET_MARTIAN_DST;
    if (s == d)
        return BW_NET_LAND;
    return BW_NET_OK;
}

/* Fragment sanity (RFC 791, RFC 8200 4.5, RFC 1858); fdata = this fragment's data. */
BW_NET_INLINE enum bw_net_verdict bw_net__frag(const struct bw_net_flow *out, uint32_t fdata)
{
    if (!(out->flags & BW_NET_F_FRAG))
        return BW_NET_OK;
    if ((uint32_t)out->frag_off + fdata > 65535)
        return BW_NET_FRAG_BAD_OFFSET;
    if ((out->flags & BW_NET_F_FRAG_MORE) && (fdata == 0 || (fdata & 7) != 0))
        return BW_NET_FRAG_BAD_LEN;
    if (out->frag_off != 0 && out->frag_off < 20 && out->proto == 6)
        return BW_NET_FRAG_OVERLAP;
    return BW_NET_OK;
}

/* 1 when x (< 0x10000) is non-zero; arithmetic, not a branch (see bw_net__frag_flags). */
BW_NET_INLINE uint32_t bw_net__nz16(uint32_t x)
{
    return (x + 0xffff) >> 16;
}

/*
 * The BW_NET_F_FRAG* bits from a fragment offset and an MF/M bit, computed without
 * branches on purpose: a flag set on one side of a branch is a per-path constant to the
 * verifier, and a later test of it would split every downstream path by fragment state.
 */
BW_NET_INLINE uint32_t bw_net__frag_flags(uint32_t off, uint32_t more)
{
    uint32_t frag = bw_net__nz16(off | more), first = frag & (1 - bw_net__nz16(off));
    return frag * BW_NET_F_FRAG | first * BW_NET_F_FRAG_FIRST | more * BW_NET_F_FRAG_MORE;
}

BW_NET_INLINE void bw_net__map4(uint8_t *dst16, const uint8_t *a4)
{
    for (int i = 0; i < 10; i++)
        dst16[i] = 0;
    dst16[10] = 0xff;
    dst16[11] = 0xff;
    dst16[12] = a4[0];
    dst16[13] = a4[1];
    dst16[14] = a4[2];
    dst16[15] = a4[3];
}

/* Fills the IPv4 fields of out from a header known to hold 20 bytes. */
BW_NET_INLINE enum bw_net_verdict bw_net__ipv4_fields(const uint8_t *ip, struct bw_net_flow *out)
{
    uint16_t fl = bw_net__ld16(ip + 6);
    out->ip_ver = 4;
    out->flags |= BW_NET_F_IPV4;
    out->tos = ip[1];
    out->frag_id = bw_net__ld16(ip + 4);
    out->ttl = ip[8];
    out->proto = ip[9];
    bw_net__map4(out->saddr, ip + 12);
    bw_net__map4(out->daddr, ip + 16);
    if (fl & 0x8000)
        return BW_NET_BAD_IP_RESERVED;
    out->frag_off = (uint16_t)((fl & 0x1fff) * 8);
    out->flags |=
        bw_net__frag_flags(out->frag_off, (fl >> 13) & 1) | ((fl >> 14) & 1) * BW_NET_F_DF;
    return BW_NET_OK;
}

/* The fixed IPv4 header: version, lengths, fields. */
BW_NET_INLINE enum bw_net_verdict bw_net__ipv4(const uint8_t *ip, const uint8_t *end,
                                               struct bw_net_flow *out)
{
    if (!BW_NET_FITS(ip, 20, end))
        return BW_NET_TRUNC_IPV4;
    if ((ip[0] >> 4) != 4)
        return BW_NET_BAD_IP_VERSION;
    uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
    uint32_t tot = bw_net__ld16(ip + 2);
    if (tot < 20)
        return BW_NET_BAD_TOTAL_LEN;
    if (ihl < 20 || ihl > tot)
        return BW_NET_BAD_IHL;
    if (!BW_NET_CLAIM_FITS(ip, tot, end, out))
        return BW_NET_BAD_TOTAL_LEN;
    out->l3_len = tot;
    out->l3_hdr_len = (uint16_t)ihl;
    out->l4_len = (uint16_t)(tot - ihl);
    return bw_net__ipv4_fields(ip, out);
}

/* The rest of IPv4 (20 header bytes known present): options, addresses, fragment. */
BW_NET_INLINE enum bw_net_verdict bw_net__ipv4_rest(const uint8_t *ip, const uint8_t *end,
                                                    struct bw_net_flow *out)
{
    uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
    if (ihl > 20) {
        out->flags |= BW_NET_F_IP_OPTS;
        enum bw_net_verdict v = bw_net__ipv4_opts(ip + 20, ihl - 20, end);
        if (v != BW_NET_OK)
            return v;
    }
    enum bw_net_verdict v = bw_net__addr4(bw_net__ld32(ip + 12), bw_net__ld32(ip + 16));
    if (v != BW_NET_OK)
        return v;
    return bw_net__frag(out, out->l4_len);
}

BW_NET_INLINE bool bw_net__is_v6_ext(uint8_t nh)
{
    return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51 || nh == 135 || nh == 139 ||
           nh == 140;
}

/* An IPv6 Fragment header (8 bytes known present) at offset off. */
BW_NET_INLINE void bw_net__v6_frag(const uint8_t *h, struct bw_net_flow *out)
{
    uint16_t fo = bw_net__ld16(h + 2);
    out->frag_off = fo & 0xfff8;
    out->frag_id = bw_net__ld32(h + 4);
    out->flags |= bw_net__frag_flags(out->frag_off, fo & 1);
}

/* Length of the extension header h of type nh (8 bytes known present). */
BW_NET_INLINE uint32_t bw_net__v6_ext_len(const uint8_t *h, uint8_t nh)
{
    if (nh == 44)
        return 8;
    if (nh == 51)
        return ((uint32_t)h[1] + 2) * 4;
    return ((uint32_t)h[1] + 1) * 8;
}

/* The extension header of type *nh at ip + *off (the n-th of the chain): checks it, then
 * advances *nh and *off; a Fragment header also fills the fragment fields and *fend (the
 * offset just after it). *seen remembers Routing and Fragment headers for duplicates. */
BW_NET_INLINE enum bw_net_verdict bw_net__v6_ext(const uint8_t *ip, const uint8_t *end,
                                                 struct bw_net_flow *out, uint8_t *nh,
                                                 uint32_t *off, uint32_t *seen, int n,
                                                 uint32_t *fend)
{
    if (*off + 8 > out->l3_len || !BW_NET_FITS_AT(ip, *off, 8, end))
        return BW_NET_TRUNC_IPV6_EXT;
    const uint8_t *h = ip + *off;
    if (*nh == 0 && n != 0)
        return BW_NET_V6_HBH_NOT_FIRST;
    uint32_t bit = *nh == 43 ? 1u : *nh == 44 ? 2u : 0u;
    if (*seen & bit)
        return BW_NET_V6_EXT_DUP;
    *seen |= bit;
    if (*nh == 43 && h[2] == 0 && h[3] != 0)
        return BW_NET_V6_RH0;
    if (*nh == 44) {
        bw_net__v6_frag(h, out);
        *fend = *off + 8;
    }
    uint32_t hl = bw_net__v6_ext_len(h, *nh);
    if (*off + hl > out->l3_len || !BW_NET_FITS(h, hl, end))
        return BW_NET_TRUNC_IPV6_EXT;
    *nh = h[0];
    /* A no-op mask (8 headers of at most 2048 bytes stay below 0x7fff) that gives every
     * path through the chain the same offset range, so the verifier can prune them. */
    *off = (*off + hl) & 0x7fff;
    out->v6_ext_n++;
    return BW_NET_OK;
}

/* Walks the extension header chain; out->proto and l3_hdr_len receive where it ends. */
BW_NET_INLINE enum bw_net_verdict bw_net__v6_chain(const uint8_t *ip, const uint8_t *end,
                                                   struct bw_net_flow *out, uint8_t nh,
                                                   uint32_t *fend)
{
    uint32_t off = 40, seen = 0;
    for (int n = 0; n < BW_NET_V6_EXT_MAX; n++) {
        if (!bw_net__is_v6_ext(nh))
            break;
        enum bw_net_verdict v = bw_net__v6_ext(ip, end, out, &nh, &off, &seen, n, fend);
        if (v != BW_NET_OK)
            return v;
        if ((out->flags & BW_NET_F_FRAG) && !(out->flags & BW_NET_F_FRAG_FIRST))
            break; /* the rest is fragment data */
    }
    out->proto = nh;
    out->l3_hdr_len = (uint16_t)off;
    out->l4_len = (uint16_t)(out->l3_len - off);
    out->flags |= ((out->v6_ext_n + 7u) >> 3) * BW_NET_F_V6_EXT; /* n <= 8; no branch */
    if (bw_net__is_v6_ext(nh) && !(out->flags & BW_NET_F_FRAG))
        return BW_NET_V6_EXT_TOO_LONG;
    if (bw_net__is_v6_ext(nh) && (out->flags & BW_NET_F_FRAG_FIRST))
        return out->v6_ext_n >= BW_NET_V6_EXT_MAX ? BW_NET_V6_EXT_TOO_LONG : BW_NET_FRAG_TINY;
    return BW_NET_OK;
}

BW_NET_INLINE bool bw_net__a6_is(const uint8_t *a, uint64_t hi, uint64_t lo)
{
    uint64_t h = 0, l = 0;
    for (int i = 0; i < 8; i++) {
        h = h << 8 | a[i];
        l = l << 8 | a[8 + i];
    }
    return h == hi && l == lo;
}

BW_NET_INLINE bool bw_net__a6_eq(const uint8_t *a, const uint8_t *b)
{
    uint8_t d = 0;
    for (int i = 0; i < 16; i++)
        d |= (uint8_t)(a[i] ^ b[i]);
    return d == 0;
}

/* IPv6 sources never seen on a wire: multicast, loopback, IPv4-mapped (RFC 4291 2.5.5.2),
 * and the unspecified address except for ICMPv6 (DAD and MLD use it, RFC 4862). */
BW_NET_INLINE enum bw_net_verdict bw_net__addr6(const struct bw_net_flow *out)
{
    const uint8_t *s = out->saddr, *d = out->daddr;
    if (s[0] == 0xff || bw_net__a6_is(s, 0, 1))
        return BW_NET_MARTIAN_SRC;
    if (bw_net__a6_is(s, 0, 0) && out->proto != 58)
        return BW_NET_MARTIAN_SRC;
    bool mapped = s[10] == 0xff && s[11] == 0xff;
    for (int i = 0; i < 10; i++)
        mapped = mapped && s[i] == 0;
    if (mapped)
        return BW_NET_MARTIAN_SRC;
    if (bw_net__a6_is(d, 0, 0) || bw_net__a6_is(d, 0, 1))
        return BW_NET_MARTIAN_DST;
    if (bw_net__a6_eq(s, d))
        return BW_NET_LAND;
    return BW_NET_OK;
}

/* The fixed IPv6 header: version, payload length, fields. */
BW_NET_INLINE enum bw_net_verdict bw_net__ipv6(const uint8_t *ip, const uint8_t *end,
                                               struct bw_net_flow *out)
{
    if (!BW_NET_FITS(ip, 40, end))
        return BW_NET_TRUNC_IPV6;
    if ((ip[0] >> 4) != 6)
        return BW_NET_BAD_IP_VERSION;
    uint32_t plen = bw_net__ld16(ip + 4);
    out->ip_ver = 6;
    out->flags |= BW_NET_F_IPV6;
    out->tos = (uint8_t)((ip[0] & 0x0f) << 4 | ip[1] >> 4);
    out->proto = ip[6];
    out->ttl = ip[7];
    for (int i = 0; i < 16; i++) {
        out->saddr[i] = ip[8 + i];
        out->daddr[i] = ip[24 + i];
    }
    if ((plen == 0 && ip[6] != 59) || !BW_NET_CLAIM_FITS(ip, 40 + plen, end, out))
        return BW_NET_BAD_PAYLOAD_LEN;
    out->l3_len = 40 + plen;
    out->l3_hdr_len = 40;
    out->l4_len = (uint16_t)plen;
    return BW_NET_OK;
}

/* The rest of IPv6 (40 header bytes known present): extension headers, addresses,
 * fragment. */
BW_NET_INLINE enum bw_net_verdict bw_net__ipv6_rest(const uint8_t *ip, const uint8_t *end,
                                                    struct bw_net_flow *out)
{
    uint32_t fend = 40;
    enum bw_net_verdict v = bw_net__v6_chain(ip, end, out, ip[6], &fend);
    if (v != BW_NET_OK)
        return v;
    v = bw_net__addr6(out);
    if (v != BW_NET_OK)
        return v;
    /* The fragment is everything after the Fragment header (RFC 8200 4.5). */
    return bw_net__frag(out, out->l3_len - fend);
}

/* SACK's length as a constant: 2 + 8 * blocks, 1 to 4 blocks; 0 if none of those. */
BW_NET_INLINE uint32_t bw_net__sack_len(uint32_t len)
{
    return len == 10 ? 10 : len == 18 ? 18 : len == 26 ? 26 : len == 34 ? 34 : 0;
}

/*
 * One TCP option q of length len (2 <= len, all of it inside the header). Returns how far
 * to step, as a constant per option kind (the verifier then sees only exact offsets,
 * which keeps the walk cheap to verify): 0 when the option is malformed, 64 for an option
 * of free length (TFO, unknown), after which the walk stops.
 */
BW_NET_INLINE uint32_t bw_net__tcp_opt(const uint8_t *q, uint32_t len, const uint8_t *end,
                                       struct bw_net_flow *out)
{
    switch (q[0]) {
    case 2:
        if (len != 4 || !BW_NET_FITS(q, 4, end))
            return 0;
        out->tcp_opts |= BW_NET_TCPO_MSS;
        out->tcp_mss = bw_net__ld16(q + 2);
        return 4;
    case 3:
        if (len != 3 || !BW_NET_FITS(q, 3, end))
            return 0;
        out->tcp_opts |= BW_NET_TCPO_WSCALE;
        out->tcp_wscale = q[2];
        return 3;
    case 4:
        out->tcp_opts |= BW_NET_TCPO_SACKOK;
        return len == 2 ? 2 : 0;
    case 5:
        out->tcp_opts |= BW_NET_TCPO_SACK;
        return bw_net__sack_len(len);
    case 8:
        out->tcp_opts |= BW_NET_TCPO_TS;
        return len == 10 ? 10 : 0;
    case 34:
        out->tcp_opts |= BW_NET_TCPO_TFO;
        return 64;
    default:
        out->tcp_opts |= BW_NET_TCPO_OTHER;
        return 64;
    }
}

/*
 * TCP options (RFC 9293 3.1): EOL, NOP, or kind|len|data with len within the header;
 * MSS, window scale, SACK-permitted, SACK and timestamps must have their lengths. An
 * option of free length (TFO, unknown kinds) is checked to fit and ends the walk. The
 * offset i only ever takes exact values and grows every pass: at most 40 passes.
 */
BW_NET_INLINE enum bw_net_verdict bw_net__tcp_opts(const uint8_t *o, uint32_t olen,
                                                   const uint8_t *end, struct bw_net_flow *out)
{
    uint32_t i = 0;
    while (i < olen && i < 40) {
        if (!BW_NET_FITS_AT(o, i, 1, end))
            return BW_NET_TRUNC_TCP;
        const uint8_t *q = o + i;
        if (q[0] == 0)
            break;
        if (q[0] == 1) {
            i++;
            continue;
        }
        if (i + 2 > olen || !BW_NET_FITS(q, 2, end))
            return BW_NET_BAD_TCP_OPTION;
        uint32_t len = q[1];
        if (len < 2 || i + len > olen)
            return BW_NET_BAD_TCP_OPTION;
        uint32_t step = bw_net__tcp_opt(q, len, end, out);
        if (step == 0)
            return BW_NET_BAD_TCP_OPTION;
        if (step > 40)
            break;
        i += step;
    }
    return BW_NET_OK;
}

/* TCP header; a first fragment too short for it is a tiny fragment (RFC 1858). */
BW_NET_INLINE enum bw_net_verdict bw_net__tcp(const uint8_t *t, const uint8_t *end,
                                              struct bw_net_flow *out, bool first)
{
    if (out->l4_len < 20 || !BW_NET_FITS(t, 20, end))
        return first ? BW_NET_FRAG_TINY : BW_NET_TRUNC_TCP;
    uint32_t doff = (uint32_t)(t[12] >> 4) * 4;
    if (doff < 20)
        return BW_NET_BAD_TCP_DOFF;
    if (doff > out->l4_len || !BW_NET_FITS(t, doff, end))
        return first ? BW_NET_FRAG_TINY : BW_NET_BAD_TCP_DOFF;
    out->sport = bw_net__ld16(t);
    out->dport = bw_net__ld16(t + 2);
    out->tcp_seq = bw_net__ld32(t + 4);
    out->tcp_ack = bw_net__ld32(t + 8);
    out->tcp_flags = t[13];
    out->tcp_win = bw_net__ld16(t + 14);
    out->l4_hdr_len = (uint16_t)doff;
    out->payload_len = (uint16_t)(out->l4_len - doff);
    out->flags |= BW_NET_F_L4;
    if (doff > 20)
        return bw_net__tcp_opts(t + 20, doff - 20, end, out);
    return BW_NET_OK;
}

BW_NET_INLINE enum bw_net_verdict bw_net__udp(const uint8_t *u, const uint8_t *end,
                                              struct bw_net_flow *out, bool first)
{
    if (out->l4_len < 8 || !BW_NET_FITS(u, 8, end))
        return first ? BW_NET_FRAG_TINY : BW_NET_TRUNC_UDP;
    uint32_t ulen = bw_net__ld16(u + 4);
    out->sport = bw_net__ld16(u);
    out->dport = bw_net__ld16(u + 2);
    out->l4_hdr_len = 8;
    out->flags |= BW_NET_F_L4;
    /* A datagram may be shorter than the IP payload (trailing bytes are ignored), never
     * longer; a first fragment holds only part of it. */
    if (ulen < 8 || (!first && ulen > out->l4_len))
        return BW_NET_BAD_UDP_LEN;
    out->payload_len = (uint16_t)((first ? out->l4_len : ulen) - 8);
    /* IPv6 makes the UDP checksum mandatory (RFC 8200 8.1); only tunnels may send 0
     * (RFC 6935, 6936): VXLAN 4789, VXLAN-GPE 4790, GENEVE 6081, MPLS-in-UDP 6635. */
    if (out->ip_ver == 6 && u[6] == 0 && u[7] == 0 && out->dport != 4789 && out->dport != 4790 &&
        out->dport != 6081 && out->dport != 6635)
        return BW_NET_UDP6_ZERO_CSUM;
    return BW_NET_OK;
}

BW_NET_INLINE enum bw_net_verdict bw_net__icmp(const uint8_t *c, const uint8_t *end,
                                               struct bw_net_flow *out, bool first)
{
    if (out->l4_len < 8 || !BW_NET_FITS(c, 8, end))
        return first ? BW_NET_FRAG_TINY : BW_NET_TRUNC_ICMP;
    out->icmp_type = c[0];
    out->icmp_code = c[1];
    out->l4_hdr_len = 8;
    out->payload_len = (uint16_t)(out->l4_len - 8);
    out->flags |= BW_NET_F_L4;
    return BW_NET_OK;
}

/* Flag combinations no TCP state allows (RFC 9293 3.10.7: every segment but the first
 * SYN carries ACK; RST may come without). ECE and CWR are ignored: ECN SYNs are fine. */
BW_NET_INLINE enum bw_net_verdict bw_net__tcp_flags(uint8_t flags)
{
    uint8_t f = flags & 0x3f;
    if ((f & 0x29) == 0x29)
        return BW_NET_TCP_XMAS;
    if ((f & 0x03) == 0x03)
        return BW_NET_TCP_SYN_FIN;
    if ((f & 0x06) == 0x06)
        return BW_NET_TCP_SYN_RST;
    if (f == 0)
        return BW_NET_TCP_NO_FLAGS;
    if (!(f & (BW_NET_TCP_SYN | BW_NET_TCP_RST | BW_NET_TCP_ACK)))
        return BW_NET_TCP_NO_ACK;
    return BW_NET_OK;
}

/* The L4 header at l4 and the checks on its values. */
BW_NET_INLINE enum bw_net_verdict bw_net__l4(const uint8_t *l4, const uint8_t *end,
                                             struct bw_net_flow *out)
{
    bool first = (out->flags & BW_NET_F_FRAG_FIRST) != 0;
    enum bw_net_verdict v = BW_NET_OK;
    if ((out->flags & BW_NET_F_FRAG) && !first)
        return BW_NET_OK;
    if (out->proto == 6)
        v = bw_net__tcp(l4, end, out, first);
    else if (out->proto == 17)
        v = bw_net__udp(l4, end, out, first);
    else if ((out->proto == 1 && out->ip_ver == 4) || (out->proto == 58 && out->ip_ver == 6))
        v = bw_net__icmp(l4, end, out, first);
    else
        out->payload_len = out->l4_len;
    if (v != BW_NET_OK)
        return v;
    if (out->proto == 6 && (v = bw_net__tcp_flags(out->tcp_flags)) != BW_NET_OK)
        return v;
    if ((out->proto == 6 || out->proto == 17) && (out->sport == 0 || out->dport == 0))
        return BW_NET_ZERO_PORT;
    return BW_NET_OK;
}

/* The class of a record from its flags, protocol and TCP flags. */
BW_NET_INLINE uint8_t bw_net__class_of(uint32_t flags, uint8_t proto, uint8_t t)
{
    if ((flags & BW_NET_F_FRAG) && !(flags & BW_NET_F_FRAG_FIRST))
        return BW_NET_CLS_FRAG;
    if (!(flags & BW_NET_F_L4))
        return BW_NET_CLS_OTHER;
    if (proto == 17)
        return BW_NET_CLS_UDP;
    if (proto != 6)
        return BW_NET_CLS_ICMP;
    if (t & BW_NET_TCP_RST)
        return BW_NET_CLS_TCP_RST;
    if (t & BW_NET_TCP_SYN)
        return (t & BW_NET_TCP_ACK) ? BW_NET_CLS_TCP_SYNACK : BW_NET_CLS_TCP_SYN;
    if (t & BW_NET_TCP_FIN)
        return BW_NET_CLS_TCP_FIN;
    return BW_NET_CLS_TCP_ACK;
}

BW_NET_INLINE uint8_t bw_net__class(const struct bw_net_flow *f)
{
    return bw_net__class_of(f->flags, f->proto, f->tcp_flags);
}

/* Zeroes the whole record in 16-byte pieces: each is one vector store, where a memset of
 * the record (or of any piece over 32 bytes) becomes `rep stos`, whose start-up cost
 * alone was a third of the decode. */
#define BW_NET__ZERO16(o, k) __builtin_memset((o) + 16 * (k), 0, 16)
BW_NET_INLINE void bw_net__zero(struct bw_net_flow *out)
{
    _Static_assert(sizeof(struct bw_net_flow) == 100, "bw_net__zero: 6 x 16 + 4 bytes");
    uint8_t *o = (uint8_t *)out;
    BW_NET__ZERO16(o, 0);
    BW_NET__ZERO16(o, 1);
    BW_NET__ZERO16(o, 2);
    BW_NET__ZERO16(o, 3);
    BW_NET__ZERO16(o, 4);
    BW_NET__ZERO16(o, 5);
    __builtin_memset(o + 96, 0, 4);
}

/*
 * The decoder in steps, so the XDP program can have the verifier check the loops once, in
 * global functions, instead of once per path through the code before them:
 *   bw_net_decode_l3: zeroes out; Ethernet, VLANs, the fixed IPv4/IPv6 header.
 *   bw_net_decode_ext: IPv4 options / IPv6 extension headers, addresses, fragments;
 *                      sets l4_off.
 *   bw_net_decode_l4: the L4 header at data + out->l4_off, flag and port checks; sets
 *                     payload_off.
 *   bw_net_decode_end: stores the verdict and the class; returns v.
 * Each step runs only when the previous returned BW_NET_OK and out->ip_ver != 0.
 * bw_net_decode_full() chains them; both ways give the same record.
 */
BW_NET_INLINE enum bw_net_verdict bw_net__l3(const uint8_t *p, const uint8_t *end,
                                             uint32_t wire_len, struct bw_net_flow *out)
{
    const uint8_t *l3 = p;
    bw_net__zero(out);
    out->pkt_len = wire_len;
    enum bw_net_verdict v = bw_net__eth(p, end, out, &l3);
    if (v != BW_NET_OK)
        return v;
    if (out->ethertype == BW_NET__ETH_IPV4)
        return bw_net__ipv4(l3, end, out);
    if (out->ethertype == BW_NET__ETH_IPV6)
        return bw_net__ipv6(l3, end, out);
    return BW_NET_OK;
}

BW_NET_INLINE enum bw_net_verdict bw_net_decode_l3(const void *data, const void *data_end,
                                                   struct bw_net_flow *out)
{
    const uint8_t *p = (const uint8_t *)data, *end = (const uint8_t *)data_end;
#ifdef __bpf__
    return bw_net__l3(p, end, 0, out);
#else
    return bw_net__l3(p, end, (uint32_t)(end - p), out);
#endif
}

BW_NET_INLINE enum bw_net_verdict bw_net_decode_ext(const void *data, const void *data_end,
                                                    struct bw_net_flow *out)
{
    const uint8_t *p = (const uint8_t *)data, *end = (const uint8_t *)data_end;
    const uint8_t *ip = p + 14 + 4 * (out->vlan_n & 3); /* vlan_n <= 2 */
    enum bw_net_verdict v;
    if (out->ip_ver == 4 && BW_NET_FITS(ip, 20, end))
        v = bw_net__ipv4_rest(ip, end, out);
    else if (out->ip_ver == 6 && BW_NET_FITS(ip, 40, end))
        v = bw_net__ipv6_rest(ip, end, out);
    else
        return BW_NET_TRUNC_ETH; /* not reached after bw_net_decode_l3 */
    out->l4_off = (uint16_t)(14 + 4 * out->vlan_n + out->l3_hdr_len);
    return v;
}

BW_NET_INLINE enum bw_net_verdict bw_net_decode_l4(const void *data, const void *data_end,
                                                   struct bw_net_flow *out)
{
    const uint8_t *p = (const uint8_t *)data, *end = (const uint8_t *)data_end;
    /* l4_off <= 22 + 40 + 8 * 2048: the mask is a no-op that bounds it for the verifier. */
    uint32_t off = out->l4_off & 0x7fff;
    if (!BW_NET_FITS(p, off, end))
        return BW_NET_TRUNC_ETH; /* not reached after bw_net_decode_ext */
    enum bw_net_verdict v = bw_net__l4(p + off, end, out);
    out->payload_off = (uint16_t)(out->l4_off + out->l4_hdr_len);
    return v;
}

BW_NET_INLINE enum bw_net_verdict bw_net_decode_end(struct bw_net_flow *out, enum bw_net_verdict v)
{
    out->verdict = (uint8_t)v;
    out->cls = bw_net__class(out);
    return v;
}

/*
 * The reference decoder: every check, in packet order, through the steps above. Same
 * contract as bw_net_decode (which gives the same record, faster, for common frames).
 */
BW_NET_INLINE enum bw_net_verdict bw_net_decode_full(const void *data, const void *data_end,
                                                     struct bw_net_flow *out)
{
    enum bw_net_verdict v = bw_net_decode_l3(data, data_end, out);
    if (v == BW_NET_OK && out->ip_ver != 0)
        v = bw_net_decode_ext(data, data_end, out);
    if (v == BW_NET_OK && out->ip_ver != 0)
        v = bw_net_decode_l4(data, data_end, out);
    return bw_net_decode_end(out, v);
}

#ifdef __bpf__
BW_NET_INLINE enum bw_net_verdict bw_net_decode(const void *data, const void *data_end,
                                                struct bw_net_flow *out)
{
    return bw_net_decode_full(data, data_end, out);
}
#else
#include "net/decode_fast.h"

/* The full path out of line: the fast path stays small where it is inlined. */
static __attribute__((noinline, unused)) enum bw_net_verdict
bw_net__decode_slow(const void *data, const void *data_end, struct bw_net_flow *out)
{
    return bw_net_decode_full(data, data_end, out);
}

/*
 * Decodes and classifies one frame; see net/net.h. Returns the verdict and stores it,
 * with the class, in out. Common well-formed frames take the fast path
 * (net/decode_fast.h); everything else, and every frame the fast path has any doubt
 * about, takes bw_net_decode_full. The record and verdict are the same either way.
 */
BW_NET_INLINE enum bw_net_verdict bw_net_decode(const void *data, const void *data_end,
                                                struct bw_net_flow *out)
{
    enum bw_net_verdict v = bw_net__fast(data, data_end, out);
    if (__builtin_expect(v == BW_NET__SLOW, 0))
        v = bw_net__decode_slow(data, data_end, out);
    return v;
}
#endif

#ifndef __bpf__
/* Verdicts a check gives when the bytes it needs are missing, which on a frame cut by the
 * capture's snap length says nothing about the packet. */
BW_NET_INLINE bool bw_net__is_cut_verdict(enum bw_net_verdict v)
{
    switch (v) {
    case BW_NET_TRUNC_ETH:
    case BW_NET_TRUNC_VLAN:
    case BW_NET_TRUNC_IPV4:
    case BW_NET_TRUNC_IPV6:
    case BW_NET_TRUNC_IPV6_EXT:
    case BW_NET_BAD_IPV4_OPTION:
    case BW_NET_FRAG_TINY:
    case BW_NET_TRUNC_TCP:
    case BW_NET_BAD_TCP_DOFF:
    case BW_NET_BAD_TCP_OPTION:
    case BW_NET_TRUNC_UDP:
    case BW_NET_TRUNC_ICMP:
    case BW_NET_V6_EXT_TOO_LONG:
        return true;
    default:
        return false;
    }
}

/*
 * bw_net_decode for a capture record whose frame was wire_len bytes on the wire but of
 * which only [data, data_end) was captured (pcap caplen < len). Lengths are checked
 * against wire_len; a check that needs bytes the capture cut is not made: such a frame
 * gets BW_NET_OK with BW_NET_F_SNAPPED set and whatever could be decoded. Same as
 * bw_net_decode when wire_len <= data_end - data. Userspace only.
 */
BW_NET_INLINE enum bw_net_verdict bw_net_decode_snap(const void *data, const void *data_end,
                                                     uint32_t wire_len, struct bw_net_flow *out)
{
    const uint8_t *p = (const uint8_t *)data, *end = (const uint8_t *)data_end;
    if (wire_len <= (uint64_t)(end - p))
        return bw_net_decode(data, data_end, out);
    enum bw_net_verdict v = bw_net__l3(p, end, wire_len, out);
    if (v == BW_NET_OK && out->ip_ver != 0)
        v = bw_net_decode_ext(data, data_end, out);
    if (v == BW_NET_OK && out->ip_ver != 0)
        v = bw_net_decode_l4(data, data_end, out);
    out->flags |= BW_NET_F_SNAPPED;
    if (bw_net__is_cut_verdict(v))
        v = BW_NET_OK;
    return bw_net_decode_end(out, v);
}
#endif

#endif
