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
 * Why it is faster: the full path zeroes the record and then stores each field as it
 * goes, reading flags, lengths and protocol back at every step (and since the record may
 * alias the frame, each store forces reloads); it walks the option and extension-header
 * loops and checks each bound against the end of data. Here the record is assembled in
 * registers and written as 8-byte words (below): the Ethernet/IP half (bytes 0-63) as
 * soon as the IP header is checked, the L4 half (64-99) at the end, so only five values
 * cross from one step to the next (fewer spills); the bounds collapse (once the IP
 * datagram is known to lie inside the frame, every L4 check is a comparison with the IP
 * payload length); two checks are table lookups; and the two TCP option layouts nearly
 * every segment carries are recognised whole.
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

/*
 * Two checks as table lookups, the tables built at compile time from the same rules as
 * the full path's code (and the differential test covers every value):
 * - bw_net__fp_tcp_class[flags & 0x3f]: 0 when bw_net__tcp_flags refuses the TCP flags
 *   (ECE and CWR play no part), else the class bw_net__class_of gives the segment, placed
 *   in its record word (BW_NET__PUT, below: a 64-bit value, which the compiler spills
 *   whole; a byte it spilled as a byte and reloaded as 8, stalling store forwarding);
 * - bw_net__fp_martian4[first octet]: 1 when bw_net__addr4 refuses it as a source
 *   (0/8, 127/8, 224/4, 240/4), 2 when it refuses it as a destination (0/8, 127/8).
 */
#define BW_NET__M(o)   ((o) == 0 || (o) == 127 ? 3 : (o) >= 224 ? 1 : 0)
#define BW_NET__M4(o)  BW_NET__M(o), BW_NET__M((o) + 1), BW_NET__M((o) + 2), BW_NET__M((o) + 3)
#define BW_NET__M16(o) BW_NET__M4(o), BW_NET__M4((o) + 4), BW_NET__M4((o) + 8), BW_NET__M4((o) + 12)
#define BW_NET__M64(o)                                                                             \
    BW_NET__M16(o), BW_NET__M16((o) + 16), BW_NET__M16((o) + 32), BW_NET__M16((o) + 48)
static const uint8_t bw_net__fp_martian4[256] = {BW_NET__M64(0), BW_NET__M64(64), BW_NET__M64(128),
                                                 BW_NET__M64(192)};

/*
 * The record is written as 8-byte words, each assembled in a register from the fields it
 * holds: 13 stores instead of a zeroing pass and some 30 field stores (the zeroing
 * pass alone cost about 2 ns a frame; a core retires only one or two stores a cycle).
 * BW_NET__PUT(f, v) is v placed where field f sits in its 8-byte word of the record,
 * for either byte order, so a word is the OR of its fields. The words start at
 * multiples of 8; BW_NET__IN pins each field inside its word, so a change of the
 * record's layout that breaks the assembly stops the build.
 */
#define BW_NET__OFF(f) __builtin_offsetof(struct bw_net_flow, f)
#define BW_NET__SZ(f)  sizeof(((struct bw_net_flow *)0)->f)
#define BW_NET__TY(f)  __typeof__(((struct bw_net_flow *)0)->f)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BW_NET__PUT(f, v) ((uint64_t)(BW_NET__TY(f))(v) << (8 * (BW_NET__OFF(f) & 7)))
#else
#define BW_NET__PUT(f, v)                                                                          \
    ((uint64_t)(BW_NET__TY(f))(v) << (8 * (8 - (BW_NET__OFF(f) & 7) - BW_NET__SZ(f))))
#endif
#define BW_NET__IN(f, w) (BW_NET__OFF(f) >= (w) && BW_NET__OFF(f) + BW_NET__SZ(f) <= (w) + 8)
_Static_assert(BW_NET__IN(pkt_len, 32) && BW_NET__IN(frag_id, 32) && BW_NET__IN(l3_len, 40) &&
                   BW_NET__IN(ethertype, 40) && BW_NET__IN(vlan[0], 40) &&
                   BW_NET__IN(vlan[1], 48) && BW_NET__IN(l3_hdr_len, 48) &&
                   BW_NET__IN(l4_len, 48) && BW_NET__IN(l4_off, 48) && BW_NET__IN(frag_off, 56) &&
                   BW_NET__IN(vlan_n, 56) && BW_NET__IN(ip_ver, 56) && BW_NET__IN(proto, 56) &&
                   BW_NET__IN(ttl, 56) && BW_NET__IN(tos, 56) && BW_NET__IN(v6_ext_n, 56) &&
                   BW_NET__IN(flags, 64) && BW_NET__IN(tcp_seq, 64) && BW_NET__IN(tcp_ack, 72) &&
                   BW_NET__IN(sport, 72) && BW_NET__IN(dport, 72) && BW_NET__IN(tcp_win, 80) &&
                   BW_NET__IN(tcp_mss, 80) && BW_NET__IN(l4_hdr_len, 80) &&
                   BW_NET__IN(payload_off, 80) && BW_NET__IN(payload_len, 88) &&
                   BW_NET__IN(tcp_flags, 88) && BW_NET__IN(tcp_opts, 88) &&
                   BW_NET__IN(tcp_wscale, 88) && BW_NET__IN(icmp_type, 88) &&
                   BW_NET__IN(icmp_code, 88) && BW_NET__IN(cls, 88) && BW_NET__OFF(verdict) == 96 &&
                   sizeof(struct bw_net_flow) == 100,
               "the fast path's record words");

/* The TCP class table (see above), as the class placed in its record word. */
#define BW_NET__TF_BAD(f)                                                                          \
    (((f)&0x29) == 0x29 || ((f)&0x03) == 0x03 || ((f)&0x06) == 0x06 || (f) == 0 || ((f)&0x16) == 0)
#define BW_NET__TF_CLS(f)                                                                          \
    ((f)&0x04   ? BW_NET_CLS_TCP_RST                                                               \
     : (f)&0x02 ? ((f)&0x10 ? BW_NET_CLS_TCP_SYNACK : BW_NET_CLS_TCP_SYN)                          \
     : (f)&0x01 ? BW_NET_CLS_TCP_FIN                                                               \
                : BW_NET_CLS_TCP_ACK)
#define BW_NET__TF(f)  (BW_NET__TF_BAD(f) ? 0 : BW_NET__PUT(cls, BW_NET__TF_CLS(f)))
#define BW_NET__TF4(f) BW_NET__TF(f), BW_NET__TF((f) + 1), BW_NET__TF((f) + 2), BW_NET__TF((f) + 3)
#define BW_NET__TF16(f)                                                                            \
    BW_NET__TF4(f), BW_NET__TF4((f) + 4), BW_NET__TF4((f) + 8), BW_NET__TF4((f) + 12)
static const uint64_t bw_net__fp_tcp_class[64] = {BW_NET__TF16(0), BW_NET__TF16(16),
                                                  BW_NET__TF16(32), BW_NET__TF16(48)};

BW_NET_INLINE void bw_net__fp_store(struct bw_net_flow *out, uint32_t at, uint64_t w)
{
    __builtin_memcpy((uint8_t *)out + at, &w, 8);
}

/* What the Ethernet step found, for the IP step's words. */
struct bw_net__fp_eth {
    uint64_t len, ethertype, vlan, l2; /* frame length; 14, or 18 with a tag */
};

/* What the IP step hands the L4 step (64-bit values: see bw_net__fp_tcp_class). */
struct bw_net__fp {
    uint64_t flags;  /* BW_NET_F_* so far */
    uint64_t l4_len; /* bytes after the IP header */
    uint64_t l4_off; /* offset of the L4 header in the frame */
    uint64_t ver, proto;
};

/*
 * The TCP options' summary as one value, kept in a register (a struct in memory filled
 * byte by byte and read back whole stalls store-to-load forwarding): tcp_opts in bits
 * 0-7, tcp_wscale in 8-15, tcp_mss in 16-31; BW_NET__TOPT_BAD when bw_net__tcp_opts
 * would give a verdict.
 */
#define BW_NET__TOPT_BAD ((uint64_t)1 << 32)
#define BW_NET__TOPT(opts, wscale, mss)                                                            \
    ((uint64_t)(opts) | (uint64_t)(wscale) << 8 | (uint64_t)(mss) << 16)

/* The walk of bw_net__tcp_opts over options known to lie inside the frame. */
BW_NET_INLINE uint64_t bw_net__fp_tcp_walk(const uint8_t *o, uint32_t olen)
{
    uint32_t opts = 0, wscale = 0, mss = 0;
    for (uint32_t i = 0, len; i < olen; i += len) {
        if (o[i] <= 1) {
            if (o[i] == 0)
                break;
            len = 1;
            continue;
        }
        len = i + 2 <= olen ? o[i + 1] : 0;
        if (len < 2 || i + len > olen)
            return BW_NET__TOPT_BAD;
        if (o[i] == 2 && len == 4) {
            opts |= BW_NET_TCPO_MSS;
            mss = bw_net__be16(o + i + 2);
        } else if (o[i] == 3 && len == 3) {
            opts |= BW_NET_TCPO_WSCALE;
            wscale = o[i + 2];
        } else if (o[i] == 4 && len == 2) {
            opts |= BW_NET_TCPO_SACKOK;
        } else if (o[i] == 5 && bw_net__sack_len(len) != 0) {
            opts |= BW_NET_TCPO_SACK;
        } else if (o[i] == 8 && len == 10) {
            opts |= BW_NET_TCPO_TS;
        } else if (o[i] > 8 || o[i] == 6 || o[i] == 7) {
            /* free length (TFO, unknown kinds): checked to fit, ends the walk */
            opts |= o[i] == 34 ? BW_NET_TCPO_TFO : BW_NET_TCPO_OTHER;
            break;
        } else {
            return BW_NET__TOPT_BAD; /* a known kind with the wrong length */
        }
    }
    return BW_NET__TOPT(opts, wscale, mss);
}

/* TCP options [o, o + olen), inside the frame. The two layouts nearly every segment
 * carries are recognised whole: NOP NOP TS (data segments) and Linux's SYN options (MSS,
 * SACK-permitted, TS, NOP, window scale); anything else is walked. */
BW_NET_INLINE uint64_t bw_net__fp_tcp_opts(const uint8_t *o, uint32_t olen)
{
    if (olen == 0)
        return 0;
    if (olen == 12 && bw_net__be32(o) == 0x0101080au) /* NOP NOP TS(10) */
        return BW_NET__TOPT(BW_NET_TCPO_TS, 0, 0);
    if (olen == 20 && bw_net__be16(o) == 0x0204u && bw_net__be32(o + 4) == 0x0402080au &&
        bw_net__be32(o + 16) >> 8 == 0x010303u) /* MSS(4) SACKOK(2) TS(10) NOP WS(3) */
        return BW_NET__TOPT(BW_NET_TCPO_MSS | BW_NET_TCPO_SACKOK | BW_NET_TCPO_TS |
                                BW_NET_TCPO_WSCALE,
                            o[19], bw_net__be16(o + 2));
    return bw_net__fp_tcp_walk(o, olen);
}

/* Stores the L4 words (bytes 64-99); the flags get what s gathered. */
BW_NET_INLINE void bw_net__fp_finish(struct bw_net_flow *out, const struct bw_net__fp *s,
                                     uint64_t w64, uint64_t w72, uint64_t w80, uint64_t w88)
{
    bw_net__fp_store(out, 64, w64 | BW_NET__PUT(flags, s->flags));
    bw_net__fp_store(out, 72, w72);
    bw_net__fp_store(out, 80, w80);
    bw_net__fp_store(out, 88, w88);
    __builtin_memset((uint8_t *)out + 96, 0, 4); /* verdict BW_NET_OK, reserved */
}

/* TCP at t; the IP payload (s->l4_len bytes) is inside the frame, so every bound is a
 * comparison with it. */
BW_NET_INLINE bool bw_net__fp_tcp(const uint8_t *t, struct bw_net_flow *out,
                                  const struct bw_net__fp *s)
{
    if (s->l4_len < 20)
        return false;
    uint64_t doff = (uint64_t)(t[12] >> 4) * 4;
    uint64_t sport = bw_net__be16(t), dport = bw_net__be16(t + 2);
    uint64_t fl = t[13], clsw = bw_net__fp_tcp_class[fl & 0x3f];
    if (doff < 20 || doff > s->l4_len || sport == 0 || dport == 0 || clsw == 0)
        return false;
    uint64_t o = bw_net__fp_tcp_opts(t + 20, (uint32_t)doff - 20);
    if (o & BW_NET__TOPT_BAD)
        return false;
    bw_net__fp_finish(
        out, s, BW_NET__PUT(flags, BW_NET_F_L4) | BW_NET__PUT(tcp_seq, bw_net__be32(t + 4)),
        BW_NET__PUT(tcp_ack, bw_net__be32(t + 8)) | BW_NET__PUT(sport, sport) |
            BW_NET__PUT(dport, dport),
        BW_NET__PUT(tcp_win, bw_net__be16(t + 14)) | BW_NET__PUT(tcp_mss, o >> 16) |
            BW_NET__PUT(l4_hdr_len, doff) | BW_NET__PUT(payload_off, s->l4_off + doff),
        BW_NET__PUT(payload_len, s->l4_len - doff) | BW_NET__PUT(tcp_flags, fl) |
            BW_NET__PUT(tcp_opts, o) | BW_NET__PUT(tcp_wscale, o >> 8) | clsw);
    return true;
}

/* UDP at u; over IPv6 a zero checksum (tunnel ports excepted) is left to the full path. */
BW_NET_INLINE bool bw_net__fp_udp(const uint8_t *u, struct bw_net_flow *out,
                                  const struct bw_net__fp *s)
{
    if (s->l4_len < 8)
        return false;
    uint64_t ulen = bw_net__be16(u + 4);
    uint64_t sport = bw_net__be16(u), dport = bw_net__be16(u + 2);
    if (ulen < 8 || ulen > s->l4_len || sport == 0 || dport == 0 ||
        (s->ver == 6 && u[6] == 0 && u[7] == 0))
        return false;
    bw_net__fp_finish(out, s, BW_NET__PUT(flags, BW_NET_F_L4),
                      BW_NET__PUT(sport, sport) | BW_NET__PUT(dport, dport),
                      BW_NET__PUT(l4_hdr_len, 8) | BW_NET__PUT(payload_off, s->l4_off + 8),
                      BW_NET__PUT(payload_len, ulen - 8) | BW_NET__PUT(cls, BW_NET_CLS_UDP));
    return true;
}

/* ICMP (ICMPv6 over IPv6) at c. */
BW_NET_INLINE bool bw_net__fp_icmp(const uint8_t *c, struct bw_net_flow *out,
                                   const struct bw_net__fp *s)
{
    if (s->l4_len < 8)
        return false;
    bw_net__fp_finish(out, s, BW_NET__PUT(flags, BW_NET_F_L4), 0,
                      BW_NET__PUT(l4_hdr_len, 8) | BW_NET__PUT(payload_off, s->l4_off + 8),
                      BW_NET__PUT(payload_len, s->l4_len - 8) | BW_NET__PUT(icmp_type, c[0]) |
                          BW_NET__PUT(icmp_code, c[1]) | BW_NET__PUT(cls, BW_NET_CLS_ICMP));
    return true;
}

/* The L4 header at l4: TCP, UDP, ICMP (ICMPv6 over IPv6); other IPv4 protocols pass with
 * no L4 header, as in bw_net__l4. */
BW_NET_INLINE bool bw_net__fp_l4(const uint8_t *l4, struct bw_net_flow *out,
                                 const struct bw_net__fp *s)
{
    if (s->proto == 6)
        return bw_net__fp_tcp(l4, out, s);
    if (s->proto == 17)
        return bw_net__fp_udp(l4, out, s);
    if (s->proto == (s->ver == 4 ? 1 : 58))
        return bw_net__fp_icmp(l4, out, s);
    if (s->ver != 4)
        return false;
    bw_net__fp_finish(out, s, 0, 0, BW_NET__PUT(payload_off, s->l4_off),
                      BW_NET__PUT(payload_len, s->l4_len));
    return true;
}

/* Stores the IP words (bytes 32-63) from the Ethernet step's findings and the IP
 * header's fields; s->l4_off is set. */
BW_NET_INLINE void bw_net__fp_l3_words(struct bw_net_flow *out, const struct bw_net__fp_eth *e,
                                       struct bw_net__fp *s, uint64_t frag_id, uint64_t l3_len,
                                       uint64_t l3_hdr_len, uint64_t w56)
{
    s->l4_off = e->l2 + l3_hdr_len;
    bw_net__fp_store(out, 32, BW_NET__PUT(pkt_len, e->len) | BW_NET__PUT(frag_id, frag_id));
    bw_net__fp_store(out, 40,
                     BW_NET__PUT(l3_len, l3_len) | BW_NET__PUT(ethertype, e->ethertype) |
                         BW_NET__PUT(vlan[0], e->vlan));
    bw_net__fp_store(out, 48,
                     BW_NET__PUT(l3_hdr_len, l3_hdr_len) | BW_NET__PUT(l4_len, s->l4_len) |
                         BW_NET__PUT(l4_off, s->l4_off));
    bw_net__fp_store(out, 56,
                     w56 | BW_NET__PUT(vlan_n, e->l2 == 18) | BW_NET__PUT(ip_ver, s->ver) |
                         BW_NET__PUT(proto, s->proto));
}

/* Stores an IPv4 address as IPv4-mapped IPv6 (::ffff:a.b.c.d): two 8-byte stores. w8 is
 * the address's 4 bytes preceded by 4 others (an 8-byte load ending with it): a 4-byte
 * load would be shared with the address check's, which the compiler spills as 4 bytes
 * and reloads as 8, stalling store forwarding. */
BW_NET_INLINE void bw_net__fp_map4(uint8_t *dst16, const uint8_t *w8)
{
    uint64_t w;
    __builtin_memcpy(&w, w8, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t hi = (w & 0xffffffff00000000u) | 0xffff0000u;
#else
    uint64_t hi = (w & 0xffffffffu) | (uint64_t)0xffffu << 32;
#endif
    __builtin_memset(dst16, 0, 8);
    __builtin_memcpy(dst16 + 8, &hi, 8);
}

/* IPv4 after the Ethernet step e: no options, not a fragment, no reserved bit, the
 * datagram inside the frame, addresses that bw_net__addr4 accepts. Stores the addresses
 * and the IP words. */
BW_NET_INLINE bool bw_net__fp_ipv4(const uint8_t *ip, const struct bw_net__fp_eth *e,
                                   struct bw_net_flow *out, struct bw_net__fp *s)
{
    if (e->len - e->l2 < 20 || ip[0] != 0x45)
        return false;
    uint64_t tot = bw_net__be16(ip + 2), fl = bw_net__be16(ip + 6);
    uint64_t sa = bw_net__be32(ip + 12), da = bw_net__be32(ip + 16);
    if (tot < 20 || tot > e->len - e->l2 || (fl & 0xbfff) != 0 ||
        ((bw_net__fp_martian4[sa >> 24] & 1) | (bw_net__fp_martian4[da >> 24] & 2)) != 0 ||
        sa == da)
        return false;
    bw_net__fp_map4(out->saddr, ip + 8);
    bw_net__fp_map4(out->daddr, ip + 12);
    s->ver = 4;
    s->proto = ip[9];
    s->l4_len = tot - 20;
    s->flags |= BW_NET_F_IPV4 | ((fl >> 14) & 1) * BW_NET_F_DF;
    bw_net__fp_l3_words(out, e, s, bw_net__be16(ip + 4), tot, 20,
                        BW_NET__PUT(ttl, ip[8]) | BW_NET__PUT(tos, ip[1]));
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

/* IPv6 after the Ethernet step e: next header TCP, UDP or ICMPv6 (no extension headers),
 * payload length non-zero and inside the frame, ordinary addresses. Stores the addresses
 * and the IP words. */
BW_NET_INLINE bool bw_net__fp_ipv6(const uint8_t *ip, const struct bw_net__fp_eth *e,
                                   struct bw_net_flow *out, struct bw_net__fp *s)
{
    if (e->len - e->l2 < 40 || (ip[0] >> 4) != 6)
        return false;
    uint64_t plen = bw_net__be16(ip + 4), nh = ip[6];
    if ((nh != 6 && nh != 17 && nh != 58) || plen == 0 || 40 + plen > e->len - e->l2 ||
        bw_net__fp_odd6(bw_net__be64(ip + 8), bw_net__be64(ip + 16), bw_net__be64(ip + 24),
                        bw_net__be64(ip + 32)))
        return false;
    __builtin_memcpy(out->saddr, ip + 8, 16);
    __builtin_memcpy(out->daddr, ip + 24, 16);
    s->ver = 6;
    s->proto = nh;
    s->l4_len = plen;
    s->flags |= BW_NET_F_IPV6;
    bw_net__fp_l3_words(out, e, s, 0, 40 + plen, 40,
                        BW_NET__PUT(ttl, ip[7]) |
                            BW_NET__PUT(tos, (ip[0] & 0x0f) << 4 | ip[1] >> 4));
    return true;
}

/*
 * The fast path: BW_NET_OK with every byte of out written, exactly as bw_net_decode_full
 * would write it, or BW_NET__SLOW with out partly written (the full path rewrites all of
 * it). Reads no byte outside [data, data_end).
 */
BW_NET_INLINE enum bw_net_verdict bw_net__fast(const void *data, const void *data_end,
                                               struct bw_net_flow *out)
{
    const uint8_t *p = (const uint8_t *)data;
    struct bw_net__fp_eth e = {(uint64_t)((const uint8_t *)data_end - p), 0, 0, 14};
    struct bw_net__fp s = {0, 0, 0, 0, 0};
    if (e.len < 14 || (p[6] & 1))
        return BW_NET__SLOW;
    e.ethertype = bw_net__be16(p + 12);
    if (e.ethertype == 0x8100) {
        if (e.len < 18)
            return BW_NET__SLOW;
        e.vlan = bw_net__be16(p + 14) & 0x0fff;
        e.ethertype = bw_net__be16(p + 16);
        e.l2 = 18;
        s.flags = BW_NET_F_VLAN;
    }
    const uint8_t *ip = p + e.l2;
    bool ok = e.ethertype == BW_NET__ETH_IPV4
                  ? bw_net__fp_ipv4(ip, &e, out, &s)
                  : e.ethertype == BW_NET__ETH_IPV6 && bw_net__fp_ipv6(ip, &e, out, &s);
    if (!ok || !bw_net__fp_l4(p + s.l4_off, out, &s))
        return BW_NET__SLOW;
    return BW_NET_OK;
}

#endif
