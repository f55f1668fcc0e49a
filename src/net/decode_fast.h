/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The decoder's fast path (userspace only), included by net/decode.h: one straight pass
 * for the frames that make up nearly all traffic —
 *
 *   Ethernet [+ one 802.1Q tag] -> IPv4 without options, not a fragment
 *                               -> IPv6 without extension headers, next header TCP/UDP/ICMPv6
 *                               -> TCP (any valid options) / UDP / ICMP (IPv4: any protocol)
 *
 * — that yields exactly the record and verdict of bw_net_decode_full, or gives up with
 * BW_NET__SLOW and leaves the frame to it. It only ever answers BW_NET_OK: any check
 * that fails, and any frame outside the shape above (QinQ, 802.1ad, IP options,
 * fragments, extension headers, martian or land addresses, bad lengths, flags or ports,
 * the source ::, UDP over IPv6 without checksum), goes to the full path, which picks the
 * verdict. So the fast path may be stricter than the full one, never looser; the unit
 * test and the fuzz target check field by field that both agree (tests/unit/net).
 *
 * Why it is faster: the full path builds the record in steps that read it back (flags,
 * lengths, protocol are loaded from the record at every step, and since the record may
 * alias the frame, each store forces reloads), walks the option and extension-header
 * loops, and checks each bound against the end of data. Here the state between steps is
 * a few locals, each record field is stored once over a zeroed record, and the bounds
 * collapse: once the IP datagram is known to lie inside the frame, every L4 check is a
 * comparison with the IP payload length. The two TCP option layouts nearly every
 * segment carries are recognised whole.
 */
#ifndef BW_NET_DECODE_FAST_H
#define BW_NET_DECODE_FAST_H

#include "net/decode.h"

/* Not a verdict: the fast path declined, take the full path. */
#define BW_NET__SLOW BW_NET_VERDICT_COUNT

/* Big-endian loads from bytes known to be readable (one load each, no alignment). */
BW_NET_INLINE uint16_t bw_net__be16(const uint8_t *p)
{
    uint16_t v;
    __builtin_memcpy(&v, p, 2);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap16(v);
#endif
    return v;
}

BW_NET_INLINE uint32_t bw_net__be32(const uint8_t *p)
{
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

BW_NET_INLINE uint64_t bw_net__be64(const uint8_t *p)
{
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* What the fast path carries between its steps (kept in registers). */
struct bw_net__fp {
    uint32_t flags;  /* BW_NET_F_* */
    uint32_t l4_len; /* bytes after the IP header */
    uint32_t l3_hdr_len;
    uint8_t ver, proto;
};

/* The walk of bw_net__tcp_opts over options known to lie inside the frame, summary into
 * out (zeroed before). False where bw_net__tcp_opts would give a verdict. */
BW_NET_INLINE bool bw_net__fp_tcp_walk(const uint8_t *o, uint32_t olen, struct bw_net_flow *out)
{
    for (uint32_t i = 0, len; i < olen; i += len) {
        if (o[i] <= 1) {
            if (o[i] == 0)
                break;
            len = 1;
            continue;
        }
        len = i + 2 <= olen ? o[i + 1] : 0;
        if (len < 2 || i + len > olen)
            return false;
        if (o[i] == 2 && len == 4) {
            out->tcp_opts |= BW_NET_TCPO_MSS;
            out->tcp_mss = bw_net__be16(o + i + 2);
        } else if (o[i] == 3 && len == 3) {
            out->tcp_opts |= BW_NET_TCPO_WSCALE;
            out->tcp_wscale = o[i + 2];
        } else if (o[i] == 4 && len == 2) {
            out->tcp_opts |= BW_NET_TCPO_SACKOK;
        } else if (o[i] == 5 && bw_net__sack_len(len) != 0) {
            out->tcp_opts |= BW_NET_TCPO_SACK;
        } else if (o[i] == 8 && len == 10) {
            out->tcp_opts |= BW_NET_TCPO_TS;
        } else if (o[i] < 2 || o[i] > 8 || o[i] == 6 || o[i] == 7) {
            /* free length (TFO, unknown kinds): checked to fit, ends the walk */
            out->tcp_opts |= o[i] == 34 ? BW_NET_TCPO_TFO : BW_NET_TCPO_OTHER;
            return true;
        } else {
            return false; /* a known kind with the wrong length */
        }
    }
    return true;
}

/* TCP options [o, o + olen), inside the frame. The two layouts nearly every segment
 * carries are recognised whole: NOP NOP TS (data segments) and Linux's SYN options (MSS,
 * SACK-permitted, TS, NOP, window scale); anything else is walked. */
BW_NET_INLINE bool bw_net__fp_tcp_opts(const uint8_t *o, uint32_t olen, struct bw_net_flow *out)
{
    if (olen == 12 && __builtin_memcmp(o, "\x01\x01\x08\x0a", 4) == 0) {
        out->tcp_opts = BW_NET_TCPO_TS;
        return true;
    }
    if (olen == 20 && __builtin_memcmp(o, "\x02\x04", 2) == 0 &&
        __builtin_memcmp(o + 4, "\x04\x02\x08\x0a", 4) == 0 &&
        __builtin_memcmp(o + 16, "\x01\x03\x03", 3) == 0) {
        out->tcp_opts = BW_NET_TCPO_MSS | BW_NET_TCPO_SACKOK | BW_NET_TCPO_TS | BW_NET_TCPO_WSCALE;
        out->tcp_mss = bw_net__be16(o + 2);
        out->tcp_wscale = o[19];
        return true;
    }
    return bw_net__fp_tcp_walk(o, olen, out);
}

/* TCP at t, l4_off from the frame start; the IP payload (s->l4_len bytes) is inside the
 * frame, so every bound is a comparison with it. */
BW_NET_INLINE bool bw_net__fp_tcp(const uint8_t *t, uint32_t l4_off, struct bw_net_flow *out,
                                  struct bw_net__fp *s)
{
    if (s->l4_len < 20)
        return false;
    uint32_t doff = (uint32_t)(t[12] >> 4) * 4;
    uint16_t sport = bw_net__be16(t), dport = bw_net__be16(t + 2);
    uint8_t fl = t[13];
    if (doff < 20 || doff > s->l4_len || sport == 0 || dport == 0 ||
        bw_net__tcp_flags(fl) != BW_NET_OK)
        return false;
    out->sport = sport;
    out->dport = dport;
    out->tcp_seq = bw_net__be32(t + 4);
    out->tcp_ack = bw_net__be32(t + 8);
    out->tcp_flags = fl;
    out->tcp_win = bw_net__be16(t + 14);
    out->l4_hdr_len = (uint16_t)doff;
    out->payload_off = (uint16_t)(l4_off + doff);
    out->payload_len = (uint16_t)(s->l4_len - doff);
    out->cls = bw_net__class_of(BW_NET_F_L4, 6, fl);
    s->flags |= BW_NET_F_L4;
    return doff == 20 || bw_net__fp_tcp_opts(t + 20, doff - 20, out);
}

/* UDP at u; over IPv6 a zero checksum (tunnel ports excepted) is left to the full path. */
BW_NET_INLINE bool bw_net__fp_udp(const uint8_t *u, uint32_t l4_off, struct bw_net_flow *out,
                                  struct bw_net__fp *s)
{
    if (s->l4_len < 8)
        return false;
    uint32_t ulen = bw_net__be16(u + 4);
    uint16_t sport = bw_net__be16(u), dport = bw_net__be16(u + 2);
    if (ulen < 8 || ulen > s->l4_len || sport == 0 || dport == 0 ||
        (s->ver == 6 && u[6] == 0 && u[7] == 0))
        return false;
    out->sport = sport;
    out->dport = dport;
    out->l4_hdr_len = 8;
    out->payload_off = (uint16_t)(l4_off + 8);
    out->payload_len = (uint16_t)(ulen - 8);
    out->cls = BW_NET_CLS_UDP;
    s->flags |= BW_NET_F_L4;
    return true;
}

/* The L4 header at l4: TCP, UDP, ICMP (ICMPv6 over IPv6); other IPv4 protocols pass with
 * no L4 header, as in bw_net__l4. */
BW_NET_INLINE bool bw_net__fp_l4(const uint8_t *l4, uint32_t l4_off, struct bw_net_flow *out,
                                 struct bw_net__fp *s)
{
    if (s->proto == 6)
        return bw_net__fp_tcp(l4, l4_off, out, s);
    if (s->proto == 17)
        return bw_net__fp_udp(l4, l4_off, out, s);
    if (s->proto == (s->ver == 4 ? 1 : 58)) {
        if (s->l4_len < 8)
            return false;
        out->icmp_type = l4[0];
        out->icmp_code = l4[1];
        out->l4_hdr_len = 8;
        out->payload_off = (uint16_t)(l4_off + 8);
        out->payload_len = (uint16_t)(s->l4_len - 8);
        out->cls = BW_NET_CLS_ICMP;
        s->flags |= BW_NET_F_L4;
        return true;
    }
    out->payload_off = (uint16_t)l4_off;
    out->payload_len = (uint16_t)s->l4_len;
    return s->ver == 4;
}

/* An IPv4 address as IPv4-mapped IPv6 (::ffff:a.b.c.d) over a zeroed one. */
BW_NET_INLINE void bw_net__fp_map4(uint8_t *dst16, const uint8_t *a4)
{
    dst16[10] = 0xff;
    dst16[11] = 0xff;
    __builtin_memcpy(dst16 + 12, a4, 4);
}

/* IPv4 at ip with room bytes after it: no options, not a fragment, no reserved bit,
 * the datagram inside the frame, addresses that bw_net__addr4 accepts. */
BW_NET_INLINE bool bw_net__fp_ipv4(const uint8_t *ip, uint64_t room, struct bw_net_flow *out,
                                   struct bw_net__fp *s)
{
    if (room < 20 || ip[0] != 0x45)
        return false;
    uint32_t tot = bw_net__be16(ip + 2), fl = bw_net__be16(ip + 6);
    if (tot < 20 || tot > room || (fl & 0xbfff) != 0 ||
        bw_net__addr4(bw_net__be32(ip + 12), bw_net__be32(ip + 16)) != BW_NET_OK)
        return false;
    s->ver = 4;
    s->proto = ip[9];
    s->flags |= BW_NET_F_IPV4 | ((fl >> 14) & 1) * BW_NET_F_DF;
    s->l3_hdr_len = 20;
    s->l4_len = tot - 20;
    bw_net__fp_map4(out->saddr, ip + 12);
    bw_net__fp_map4(out->daddr, ip + 16);
    out->ip_ver = 4;
    out->proto = s->proto;
    out->tos = ip[1];
    out->ttl = ip[8];
    out->frag_id = bw_net__be16(ip + 4);
    out->l3_len = tot;
    out->l3_hdr_len = 20;
    out->l4_len = (uint16_t)s->l4_len;
    return true;
}

/* An IPv6 source or destination bw_net__addr6 refuses, or the source :: (allowed for
 * ICMPv6, left to the full path); a the source, b the destination. */
BW_NET_INLINE bool bw_net__fp_odd6(uint64_t a_hi, uint64_t a_lo, uint64_t b_hi, uint64_t b_lo)
{
    bool a_low = a_hi == 0 && (a_lo <= 1 || a_lo >> 32 == 0xffff); /* ::, ::1, ::ffff:0:0/96 */
    bool b_low = b_hi == 0 && b_lo <= 1;                           /* ::, ::1 */
    return (a_hi >> 56) == 0xff || a_low || b_low || (a_hi == b_hi && a_lo == b_lo);
}

/* IPv6 at ip with room bytes after it: next header TCP, UDP or ICMPv6 (no extension
 * headers), payload length non-zero and inside the frame, ordinary addresses. */
BW_NET_INLINE bool bw_net__fp_ipv6(const uint8_t *ip, uint64_t room, struct bw_net_flow *out,
                                   struct bw_net__fp *s)
{
    if (room < 40 || (ip[0] >> 4) != 6)
        return false;
    uint32_t plen = bw_net__be16(ip + 4), nh = ip[6];
    if ((nh != 6 && nh != 17 && nh != 58) || plen == 0 || 40 + plen > room ||
        bw_net__fp_odd6(bw_net__be64(ip + 8), bw_net__be64(ip + 16), bw_net__be64(ip + 24),
                        bw_net__be64(ip + 32)))
        return false;
    s->ver = 6;
    s->proto = (uint8_t)nh;
    s->flags |= BW_NET_F_IPV6;
    s->l3_hdr_len = 40;
    s->l4_len = plen;
    __builtin_memcpy(out->saddr, ip + 8, 16);
    __builtin_memcpy(out->daddr, ip + 24, 16);
    out->ip_ver = 6;
    out->proto = (uint8_t)nh;
    out->tos = (uint8_t)((ip[0] & 0x0f) << 4 | ip[1] >> 4);
    out->ttl = ip[7];
    out->l3_len = 40 + plen;
    out->l3_hdr_len = 40;
    out->l4_len = (uint16_t)plen;
    return true;
}

/*
 * The fast path: BW_NET_OK with out fully written, exactly as bw_net_decode_full would
 * write it, or BW_NET__SLOW with out partly written (the full path rewrites all of it).
 * Reads no byte outside [data, data_end). Fields are stored as they are decoded, over a
 * zeroed record, and never read back.
 */
BW_NET_INLINE enum bw_net_verdict bw_net__fast(const void *data, const void *data_end,
                                               struct bw_net_flow *out)
{
    const uint8_t *p = (const uint8_t *)data;
    uint64_t len = (uint64_t)((const uint8_t *)data_end - p);
    uint32_t l2 = 14, vlan = 0;
    struct bw_net__fp s = {0};
    if (len < 14 || (p[6] & 1))
        return BW_NET__SLOW;
    uint16_t et = bw_net__be16(p + 12);
    if (et == 0x8100) {
        if (len < 18)
            return BW_NET__SLOW;
        vlan = bw_net__be16(p + 14) & 0x0fff;
        et = bw_net__be16(p + 16);
        l2 = 18;
        s.flags = BW_NET_F_VLAN;
    }
    bw_net__zero(out);
    const uint8_t *ip = p + l2;
    bool ok = et == BW_NET__ETH_IPV4
                  ? bw_net__fp_ipv4(ip, len - l2, out, &s)
                  : et == BW_NET__ETH_IPV6 && bw_net__fp_ipv6(ip, len - l2, out, &s);
    if (!ok || !bw_net__fp_l4(ip + s.l3_hdr_len, l2 + s.l3_hdr_len, out, &s))
        return BW_NET__SLOW;
    out->pkt_len = (uint32_t)len;
    out->flags = s.flags;
    out->ethertype = et;
    out->vlan[0] = (uint16_t)vlan;
    out->vlan_n = (uint8_t)(l2 == 18);
    out->l4_off = (uint16_t)(l2 + s.l3_hdr_len);
    return BW_NET_OK;
}

#endif
