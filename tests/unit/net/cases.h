/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tiny frame builder and the table of labelled frames shared by the decoder's unit
 * test (tests/unit/net/decode_test.c) and the XDP test on a veth (tests/net/xdp_test.c):
 * one well-formed or malformed frame per row with the verdict the decoder must give.
 * Frames are built in code (no captures in the tree) from a good packet plus a mutation.
 * Rows marked nowire cannot be sent through a veth (shorter than an Ethernet header).
 */
#ifndef BW_TESTS_NET_CASES_H
#define BW_TESTS_NET_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/net.h"

struct tp {
    uint8_t b[2048];
    size_t n;  /* bytes used */
    size_t l3; /* offset of the IP header */
    size_t l4; /* offset of the L4 header */
    int ver;   /* 4 or 6 */
    int proto; /* L4 protocol written last */
};

#define TP_SRC4 0xc6336407u /* 198.51.100.7 */
#define TP_DST4 0xcb00710au /* 203.0.113.10 */

static inline void tp_put(struct tp *p, const void *d, size_t n)
{
    memcpy(p->b + p->n, d, n);
    p->n += n;
}

static inline void tp_u8(struct tp *p, unsigned v)
{
    p->b[p->n++] = (uint8_t)v;
}

static inline void tp_u16(struct tp *p, unsigned v)
{
    tp_u8(p, v >> 8);
    tp_u8(p, v & 0xff);
}

static inline void tp_u32(struct tp *p, uint32_t v)
{
    tp_u16(p, v >> 16);
    tp_u16(p, v & 0xffff);
}

static inline void tp_set16(struct tp *p, size_t off, unsigned v)
{
    p->b[off] = (uint8_t)(v >> 8);
    p->b[off + 1] = (uint8_t)v;
}

static inline void tp_zero(struct tp *p, size_t n)
{
    memset(p->b + p->n, 0, n);
    p->n += n;
}

/* Ethernet to 02:00:00:00:00:02 from 02:00:00:00:00:01, with ntags VLAN tags (tpid). */
static inline void tp_eth(struct tp *p, int ntags, unsigned tpid, unsigned et)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    memset(p, 0, sizeof(*p));
    tp_put(p, macs, 12);
    for (int i = 0; i < ntags; i++) {
        tp_u16(p, i == 0 ? tpid : 0x8100);
        tp_u16(p, 100 + i);
    }
    tp_u16(p, et);
}

/* IPv4 header with optlen bytes of options opt (a multiple of 4). */
static inline void tp_ip4(struct tp *p, unsigned proto, uint32_t s, uint32_t d, const uint8_t *opt,
                          size_t optlen)
{
    p->l3 = p->n;
    p->ver = 4;
    p->proto = (int)proto;
    tp_u8(p, 0x40 | (unsigned)(5 + optlen / 4));
    tp_u8(p, 0);
    tp_u16(p, 0);      /* total length: tp_fin */
    tp_u16(p, 0x1234); /* id */
    tp_u16(p, 0x4000); /* DF */
    tp_u8(p, 64);
    tp_u8(p, proto);
    tp_u16(p, 0);
    tp_u32(p, s);
    tp_u32(p, d);
    if (optlen)
        tp_put(p, opt, optlen);
}

/* IPv6 header, 2001:db8::7 -> 2001:db8::10 unless given. */
static inline void tp_ip6(struct tp *p, unsigned nh, const uint8_t *s, const uint8_t *d)
{
    static const uint8_t ds[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x07};
    static const uint8_t dd[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};
    p->l3 = p->n;
    p->ver = 6;
    p->proto = (int)nh;
    tp_u32(p, 0x60000000u);
    tp_u16(p, 0); /* payload length: tp_fin */
    tp_u8(p, nh);
    tp_u8(p, 64);
    tp_put(p, s ? s : ds, 16);
    tp_put(p, d ? d : dd, 16);
}

/* An IPv6 extension header of len8 8-octet units (Fragment: use tp_frag6). */
static inline void tp_ext6(struct tp *p, unsigned nh, unsigned len8)
{
    tp_u8(p, nh);
    tp_u8(p, len8 - 1);
    tp_u8(p, 1); /* PadN covering the rest */
    tp_u8(p, len8 * 8 - 4);
    tp_zero(p, len8 * 8 - 4);
}

static inline void tp_frag6(struct tp *p, unsigned nh, unsigned off, bool more)
{
    tp_u8(p, nh);
    tp_u8(p, 0);
    tp_u16(p, (off & 0xfff8) | (more ? 1 : 0));
    tp_u32(p, 0xabcdef01u);
}

static inline void tp_tcp(struct tp *p, unsigned sport, unsigned dport, unsigned flags,
                          const uint8_t *opt, size_t optlen)
{
    p->l4 = p->n;
    tp_u16(p, sport);
    tp_u16(p, dport);
    tp_u32(p, 1000);
    tp_u32(p, (flags & BW_NET_TCP_ACK) ? 2000 : 0);
    tp_u8(p, (unsigned)((5 + optlen / 4) << 4));
    tp_u8(p, flags);
    tp_u16(p, 64240);
    tp_u32(p, 0);
    if (optlen)
        tp_put(p, opt, optlen);
}

static inline void tp_udp(struct tp *p, unsigned sport, unsigned dport)
{
    p->l4 = p->n;
    tp_u16(p, sport);
    tp_u16(p, dport);
    tp_u16(p, 0);      /* length: tp_fin */
    tp_u16(p, 0x5555); /* checksum: not verified, but 0 is illegal over IPv6 */
}

static inline void tp_icmp(struct tp *p, unsigned type, unsigned code)
{
    p->l4 = p->n;
    tp_u8(p, type);
    tp_u8(p, code);
    tp_u16(p, 0);
    tp_u32(p, 0x00010001u);
}

static inline void tp_data(struct tp *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tp_u8(p, 'a' + (unsigned)(i % 26));
}

/* Fills lengths (and the IPv4 header checksum) from what was written. */
static inline void tp_fin(struct tp *p)
{
    if (p->ver == 4) {
        tp_set16(p, p->l3 + 2, (unsigned)(p->n - p->l3));
        unsigned ihl = (p->b[p->l3] & 0x0f) * 4u;
        uint32_t sum = 0;
        for (unsigned i = 0; i < ihl; i += 2)
            sum += (uint32_t)p->b[p->l3 + i] << 8 | p->b[p->l3 + i + 1];
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        tp_set16(p, p->l3 + 10, ~sum & 0xffff);
    } else if (p->ver == 6) {
        tp_set16(p, p->l3 + 4, (unsigned)(p->n - p->l3 - 40));
    }
    if (p->proto == 17 && p->l4)
        tp_set16(p, p->l4 + 4, (unsigned)(p->n - p->l4));
}

/* Sets the IPv4 flags/fragment field (offset in bytes). */
static inline void tp_frag4(struct tp *p, unsigned off, bool more)
{
    unsigned ihl = (p->b[p->l3] & 0x0f) * 4u;
    uint32_t sum = 0;
    tp_set16(p, p->l3 + 6, (off / 8) | (more ? 0x2000 : 0));
    tp_set16(p, p->l3 + 10, 0);
    for (unsigned i = 0; i < ihl; i += 2)
        sum += (uint32_t)p->b[p->l3 + i] << 8 | p->b[p->l3 + i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    tp_set16(p, p->l3 + 10, ~sum & 0xffff);
}

/* Common good packets. */
static inline void tp_tcp4(struct tp *p, uint32_t s, uint32_t d, unsigned flags, size_t data)
{
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 6, s, d, NULL, 0);
    tp_tcp(p, 40000, 80, flags, NULL, 0);
    tp_data(p, data);
    tp_fin(p);
}

static inline void tp_udp4(struct tp *p, unsigned sport, unsigned dport, size_t data)
{
    tp_eth(p, 0, 0, 0x0800);
    tp_ip4(p, 17, TP_SRC4, TP_DST4, NULL, 0);
    tp_udp(p, sport, dport);
    tp_data(p, data);
    tp_fin(p);
}

static inline void tp_tcp6(struct tp *p, const uint8_t *s, const uint8_t *d, unsigned flags)
{
    tp_eth(p, 0, 0, 0x86dd);
    tp_ip6(p, 6, s, d);
    tp_tcp(p, 40000, 443, flags, NULL, 0);
    tp_fin(p);
}

struct tp_case {
    const char *name;
    enum bw_net_verdict want;
    void (*build)(struct tp *p);
    bool nowire;
};

extern const struct tp_case tp_cases[];
extern const size_t tp_ncases;

#endif
