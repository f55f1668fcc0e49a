/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The benchmark's synthetic capture (gen.h). Per frame, by weight: server->client TCP
 * data (1448 bytes) 30, client ACK 20, SYN with options 8, SYN-ACK 8, HTTP request 8,
 * DNS query 8, DNS answer 5, FIN+ACK 4, RST 2, NTP 2, IPv4 fragment pair 1.5, and of
 * all those 8% over IPv6 and 3% in an 802.1Q tag; then 0.5% are made malformed. The
 * generator is an xorshift PRNG: the same seed gives the same capture.
 */
#include "gen.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct g {
    uint64_t s;
    uint8_t f[65600];
    size_t n, l3, l4;
    int v6;
};

static uint64_t rnd(struct g *g)
{
    g->s ^= g->s << 13;
    g->s ^= g->s >> 7;
    g->s ^= g->s << 17;
    return g->s;
}

static unsigned pick(struct g *g, unsigned n)
{
    return (unsigned)(rnd(g) % n);
}

static void u8(struct g *g, unsigned v)
{
    g->f[g->n++] = (uint8_t)v;
}

static void u16(struct g *g, unsigned v)
{
    u8(g, v >> 8);
    u8(g, v);
}

static void u32(struct g *g, uint32_t v)
{
    u16(g, v >> 16);
    u16(g, v & 0xffff);
}

static void set16(struct g *g, size_t off, unsigned v)
{
    g->f[off] = (uint8_t)(v >> 8);
    g->f[off + 1] = (uint8_t)v;
}

static void fill(struct g *g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        u8(g, 'A' + (unsigned)(i * 7 % 26));
}

static void eth(struct g *g, int vlan)
{
    static const uint8_t mac[12] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
    g->n = 0;
    memcpy(g->f, mac, 12);
    g->n = 12;
    if (vlan) {
        u16(g, 0x8100);
        u16(g, 10 + pick(g, 4000));
    }
    u16(g, g->v6 ? 0x86dd : 0x0800);
}

static uint32_t client4(struct g *g)
{
    return 0xc6120000u | (uint32_t)pick(g, 0x20000); /* 198.18.0.0/15 */
}

static void ip(struct g *g, unsigned proto, int to_server)
{
    uint32_t c = client4(g), s = 0xcb007100u | (1 + pick(g, 8)); /* 203.0.113.1-8 */
    g->l3 = g->n;
    if (!g->v6) {
        u16(g, 0x4500);
        u16(g, 0);
        u16(g, pick(g, 65536));
        u16(g, 0x4000);
        u8(g, 40 + pick(g, 24));
        u8(g, proto);
        u16(g, 0);
        u32(g, to_server ? c : s);
        u32(g, to_server ? s : c);
        return;
    }
    u32(g, 0x60000000u);
    u16(g, 0);
    u8(g, proto);
    u8(g, 50 + pick(g, 14));
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x0c}, b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 5};
    for (int i = 8; i < 16; i++)
        a[i] = (uint8_t)rnd(g);
    b[15] = (uint8_t)(1 + pick(g, 8));
    memcpy(g->f + g->n, to_server ? a : b, 16);
    memcpy(g->f + g->n + 16, to_server ? b : a, 16);
    g->n += 32;
}

static void tcp(struct g *g, int to_server, unsigned flags, size_t data)
{
    static const uint8_t syn_opts[20] = {2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2,
                                         3, 4, 0, 0,    0, 0, 1, 3,  3, 7};
    static const uint8_t ts[12] = {1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8};
    unsigned eph = 32768 + pick(g, 28000), port = pick(g, 10) ? 80 : 443;
    ip(g, 6, to_server);
    g->l4 = g->n;
    u16(g, to_server ? eph : port);
    u16(g, to_server ? port : eph);
    u32(g, (uint32_t)rnd(g));
    u32(g, (flags & 0x10) ? (uint32_t)rnd(g) : 0);
    int syn = (flags & 0x02) != 0;
    u8(g, syn ? 0xa0 : 0x80);
    u8(g, flags);
    u16(g, 64240);
    u32(g, 0);
    memcpy(g->f + g->n, syn ? syn_opts : ts, syn ? 20 : 12);
    g->n += syn ? 20 : 12;
    fill(g, data);
}

static void udp(struct g *g, int to_server, unsigned sport, unsigned dport, size_t data)
{
    ip(g, 17, to_server);
    g->l4 = g->n;
    u16(g, sport);
    u16(g, dport);
    u16(g, (unsigned)(8 + data));
    u16(g, 0x1c3d); /* a checksum (not verified; 0 is illegal over IPv6) */
    fill(g, data);
}

static void finish(struct g *g)
{
    size_t l3len = g->n - g->l3;
    if (g->v6)
        set16(g, g->l3 + 4, (unsigned)(l3len - 40));
    else
        set16(g, g->l3 + 2, (unsigned)l3len);
}

static void frag4(struct g *g, int first)
{
    if (first) {
        udp(g, 0, 53, 30000 + pick(g, 30000), 1472);
        set16(g, g->l4 + 4, 2000);
        set16(g, g->l3 + 6, 0x2000);
    } else {
        ip(g, 17, 0);
        fill(g, 520);
        set16(g, g->l3 + 6, 1480 / 8);
    }
    finish(g);
}

/* One benign frame of a kind chosen by weight (per mille). */
static void benign(struct g *g)
{
    unsigned w = pick(g, 1000);
    g->v6 = (w < 950 || w >= 965) && pick(g, 100) < 8;
    eth(g, 0);
    size_t mss = g->v6 ? 1428 : 1448; /* full-size segments with timestamps, MTU 1500 */
    if (w < 300)
        tcp(g, 0, 0x10, mss);
    else if (w < 500)
        tcp(g, 1, 0x10, 0);
    else if (w < 580)
        tcp(g, 1, 0x02 | (pick(g, 4) == 0 ? 0xc0 : 0), 0);
    else if (w < 660)
        tcp(g, 0, 0x12, 0);
    else if (w < 740)
        tcp(g, 1, 0x18, 200 + pick(g, 400));
    else if (w < 820)
        udp(g, 1, 30000 + pick(g, 30000), 53, 30 + pick(g, 30));
    else if (w < 870)
        udp(g, 0, 53, 30000 + pick(g, 30000), 80 + pick(g, 400));
    else if (w < 910)
        tcp(g, pick(g, 2), 0x11, 0);
    else if (w < 930)
        tcp(g, pick(g, 2), 0x04, 0);
    else if (w < 950)
        udp(g, pick(g, 2), 123, 123, 48);
    else if (w < 965)
        frag4(g, pick(g, 2));
    else
        tcp(g, 0, 0x10, mss);
    if (w < 950 || w >= 965)
        finish(g);
}

/* Breaks a good frame in one of a few common ways. */
static void malform(struct g *g)
{
    size_t tcpflags = g->l4 + 13;
    switch (pick(g, 6)) {
    case 0:
        g->f[g->l3] = g->v6 ? 0x50 : 0x43; /* bad version / IHL */
        break;
    case 1:
        if (!g->v6)
            memcpy(g->f + g->l3 + 12, g->f + g->l3 + 16, 4); /* land */
        break;
    case 2:
        if (g->f[g->l3 + (g->v6 ? 6 : 9)] == 6)
            g->f[tcpflags] = 0x03; /* SYN+FIN */
        break;
    case 3:
        if (g->f[g->l3 + (g->v6 ? 6 : 9)] == 6)
            g->f[tcpflags] = 0x29; /* xmas */
        break;
    case 4:
        if (!g->v6)
            g->f[g->l3 + 12] = 127; /* martian source */
        break;
    default:
        g->n = g->l3 + 10; /* truncated */
        break;
    }
}

static void push(struct bench_cap *c, const struct g *g, uint64_t ts_ns)
{
    size_t need = sizeof(struct bench_rec) + g->n;
    if (c->len + need > c->cap) {
        c->cap = c->cap ? c->cap * 2 : (1u << 20);
        while (c->len + need > c->cap)
            c->cap *= 2;
        c->buf = realloc(c->buf, c->cap);
        if (!c->buf)
            abort();
    }
    struct bench_rec r = {(uint32_t)(ts_ns / 1000000000u), (uint32_t)(ts_ns % 1000000000u),
                          (uint32_t)g->n, (uint32_t)g->n};
    memcpy(c->buf + c->len, &r, sizeof(r));
    memcpy(c->buf + c->len + sizeof(r), g->f, g->n);
    c->len += need;
    c->n++;
}

void bench_gen(struct bench_cap *c, size_t n, double seconds, uint64_t seed)
{
    static struct g g;
    g.s = seed ? seed : 88172645463325292ull;
    uint64_t t0 = 1700000000ull * 1000000000ull, step = (uint64_t)(seconds * 1e9 / (double)n);
    for (size_t i = 0; i < n; i++) {
        int vlan = pick(&g, 100) < 3;
        benign(&g);
        if (vlan) { /* re-frame with a tag: rebuild the header in front */
            uint8_t tmp[1600];
            size_t len = g.n - 14;
            memcpy(tmp, g.f + 14, len);
            eth(&g, 1);
            memcpy(g.f + g.n, tmp, len);
            g.l3 += 4;
            g.l4 += 4;
            g.n += len;
        }
        if (pick(&g, 1000) < 5)
            malform(&g);
        push(c, &g, t0 + i * step);
    }
}

int bench_load(struct bench_cap *c, const char *path)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        fprintf(stderr, "net_bench: %s\n", errbuf);
        return -1;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    static struct g g;
    while (pcap_next_ex(p, &h, &d) == 1) {
        g.n = h->caplen < sizeof(g.f) ? h->caplen : sizeof(g.f);
        memcpy(g.f, d, g.n);
        push(c, &g, (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec);
    }
    pcap_close(p);
    return 0;
}

int bench_write(const struct bench_cap *c, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    /* Classic pcap, nanosecond magic, Ethernet. */
    const uint32_t hdr[6] = {0xa1b23c4du, 0x00040002u, 0, 0, 262144, 1};
    int ok = fwrite(hdr, sizeof(hdr), 1, f) == 1 && fwrite(c->buf, c->len, 1, f) == 1;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

void bench_index(struct bench_cap *c)
{
    c->idx = malloc(c->n * sizeof(*c->idx) + 1);
    if (!c->idx)
        abort();
    size_t off = 0;
    for (size_t i = 0; i < c->n; i++) {
        struct bench_rec r;
        memcpy(&r, c->buf + off, sizeof(r));
        c->idx[i] = off;
        off += sizeof(r) + r.caplen;
    }
}

void bench_free(struct bench_cap *c)
{
    free(c->buf);
    free(c->idx);
    memset(c, 0, sizeof(*c));
}
