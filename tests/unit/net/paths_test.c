/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The decoder's fast path against its full path (paths.h), field by field: on every
 * labelled frame of cases.c, every prefix and every one-byte mutation of them, on
 * 200 000 generated frames (well-formed and not, in and out of the fast path's shape),
 * and on the fuzz corpus. Each frame sits in an exact-size heap buffer so ASan catches
 * a read past its end by either path. The generated set must send a good share of
 * frames down each path, or the comparison proves little.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <dirent.h>

#include "cases.h"
#include "net/net.h"
#include "paths.h"

struct tally {
    size_t frames, fast;
};

/* Compares the paths on an exact-size copy of p[0..n); fails the test with the frame's
 * label on a disagreement. */
static void agree(const uint8_t *p, size_t n, const char *what, size_t k, struct tally *t)
{
    uint8_t *b = malloc(n ? n : 1);
    assert_non_null(b);
    if (n)
        memcpy(b, p, n);
    bool fast = false;
    const char *d = tp_paths_disagree(b, n, &fast);
    free(b);
    if (d)
        fail_msg("%s (%zu, %zu bytes): the paths disagree on %s", what, k, n, d);
    t->frames++;
    t->fast += fast;
}

static void test_cases_prefixes_and_mutations(void **state)
{
    (void)state;
    struct tally t = {0};
    for (size_t i = 0; i < tp_ncases; i++) {
        struct tp p;
        tp_cases[i].build(&p);
        agree(p.b, p.n, tp_cases[i].name, 0, &t);
        for (size_t n = 0; n < p.n; n++)
            agree(p.b, n, tp_cases[i].name, n, &t);
        for (size_t at = 0; at < p.n && at < 96; at++) {
            const uint8_t orig = p.b[at];
            const uint8_t vals[] = {0, 0xff, orig ^ 1, orig ^ 0x80, (uint8_t)(orig + 1)};
            for (size_t v = 0; v < sizeof(vals); v++) {
                p.b[at] = vals[v];
                agree(p.b, p.n, tp_cases[i].name, at, &t);
            }
            p.b[at] = orig;
        }
    }
    print_message("cases: %zu frames, %zu through the fast path\n", t.frames, t.fast);
    assert_true(t.fast > t.frames / 20);
}

/* The generator: xorshift64, the same frames on every run. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static unsigned pick(unsigned n)
{
    return rnd() % n;
}

static const uint32_t gen_addr4[] = {TP_SRC4,     TP_DST4,     0x0a000001u, 0x64400001u,
                                     0xc6120001u, 0x7f000001u, 0x00000001u, 0xe0000001u,
                                     0xf0000001u, 0xffffffffu, 0x01020304u};

static const uint8_t gen_addr6[][16] = {
    {0x20, 0x01, 0x0d, 0xb8, [15] = 0x07},
    {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10},
    {0x20, 0x01, 0x0d, 0xb8, 0, 0x0c, [15] = 0x99},
    {0xfe, 0x80, [15] = 1},
    {[15] = 0},
    {[15] = 1},
    {[15] = 2},
    {0xff, 0x02, [15] = 1},
    {[10] = 0xff, [11] = 0xff, 1, 2, 3, 4},
    {[11] = 0xff, [15] = 1},
};

/* TCP option blocks, good and bad, each a multiple of 4 bytes (n = length). */
static const struct {
    uint8_t n, b[24];
} gen_topts[] = {
    {0, {0}},
    {12, {1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8}},
    {20, {2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7}},
    {20, {2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 4, 7}},
    {20, {2, 3, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7}},
    {4, {2, 4, 5, 0xb4}},
    {4, {2, 3, 5, 1}},
    {4, {1, 3, 3, 14}},
    {4, {1, 3, 4, 14}},
    {12, {1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2}},
    {12, {1, 1, 5, 9, 0, 0, 0, 1, 0, 0, 0, 2}},
    {12, {1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 9}},
    {12, {1, 1, 8, 11, 1, 2, 3, 4, 5, 6, 7, 8}},
    {12, {34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1}},
    {8, {30, 6, 1, 2, 3, 4, 0, 0}},
    {8, {30, 12, 1, 2, 3, 4, 0, 0}},
    {4, {0, 2, 4, 1}},
    {4, {4, 2, 1, 1}},
    {4, {4, 3, 1, 1}},
    {4, {1, 1, 1, 1}},
    {4, {1, 1, 1, 2}},
    {4, {2, 1, 0, 0}},
    {4, {6, 0, 0, 0}},
    {8, {2, 4, 5, 0xb4, 2, 4, 1, 0}},
};

static const unsigned gen_ports[] = {0, 53, 80, 123, 443, 1900, 4789, 6081, 40000, 65535};
static const unsigned gen_protos[] = {6, 6, 6, 6, 17, 17, 17, 1, 58, 47, 0, 43, 44, 59, 50};
static const uint8_t gen_tcpf[] = {0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0xc2, 0x03, 0x29, 0};

static void gen_l4(struct tp *p, unsigned proto)
{
    /* One pick per statement: the order C evaluates arguments in is unspecified, and the
     * frames must be the same whatever the compiler. */
    unsigned sport = gen_ports[pick(10)];
    unsigned dport = gen_ports[pick(10)];
    if (proto == 6) {
        unsigned k = pick(sizeof(gen_topts) / sizeof(gen_topts[0]));
        unsigned fl = pick(3) ? gen_tcpf[pick(sizeof(gen_tcpf))] : pick(256);
        tp_tcp(p, sport, dport, fl, gen_topts[k].b, gen_topts[k].n);
    } else if (proto == 17) {
        tp_udp(p, sport, dport);
    } else if (proto == 1 || proto == 58) {
        unsigned type = pick(256);
        tp_icmp(p, type, pick(4));
    }
    tp_data(p, pick(4) ? pick(80) : 0);
}

/* One frame: Ethernet, 0-2 VLAN tags, IPv4 (sometimes with options) or IPv6, an L4 header
 * of the protocol chosen, data; then, for some, one corruption. */
static void gen_frame(struct tp *p)
{
    static const unsigned tpids[] = {0x8100, 0x8100, 0x88a8, 0x9100};
    static const uint8_t ra[4] = {148, 4, 0, 0};
    unsigned tags = pick(10) < 7 ? 0 : pick(10) < 7 ? 1 : 2, proto = gen_protos[pick(15)];
    bool v6 = pick(4) == 0;
    tp_eth(p, (int)tags, tpids[pick(4)], v6 ? 0x86dd : 0x0800);
    unsigned s6 = pick(10) < 7 ? pick(3) : pick(10);
    unsigned d6 = pick(10) < 7 ? pick(3) : pick(10);
    unsigned s4 = pick(10) < 7 ? pick(5) : pick(11);
    unsigned d4 = pick(10) < 7 ? pick(5) : pick(11);
    if (v6)
        tp_ip6(p, proto, gen_addr6[s6], gen_addr6[d6]);
    else
        tp_ip4(p, proto, gen_addr4[s4], gen_addr4[d4], ra, pick(10) == 0 ? 4 : 0);
    gen_l4(p, proto);
    tp_fin(p);
    if (!v6 && pick(10) == 0) {
        unsigned off = pick(3) * 8;
        off *= pick(200);
        tp_frag4(p, off, pick(2));
    }
    if (p->l4 && p->proto == 17 && pick(8) == 0)
        tp_set16(p, p->l4 + 6, 0); /* zero UDP checksum */
}

/* One corruption: a byte of the headers, a length field, or the frame's length. */
static void gen_corrupt(struct tp *p)
{
    size_t hdr = p->l4 ? p->l4 + 20 : p->l3 + 40;
    switch (pick(6)) {
    case 0: {
        unsigned at = pick((unsigned)(hdr < p->n ? hdr : p->n));
        p->b[at] = (uint8_t)rnd();
        break;
    }
    case 1: /* IPv4 total length / IPv6 payload length */
        tp_set16(p, p->l3 + (p->ver == 4 ? 2 : 4),
                 pick(2) ? pick(2000) : (unsigned)p->n - pick(80));
        break;
    case 2:
        if (p->l4 && p->proto == 17)
            tp_set16(p, p->l4 + 4, pick(200));
        break;
    case 3:
        p->n -= pick((unsigned)(p->n < 60 ? p->n : 60));
        break;
    case 4: /* Ethernet padding */
        memset(p->b + p->n, 0, 30);
        p->n += pick(30);
        break;
    default:
        p->b[p->l3] = (uint8_t)(p->ver == 4 ? 0x40 | pick(16) : pick(256));
        break;
    }
}

static void test_generated_frames(void **state)
{
    (void)state;
    struct tally t = {0};
    for (size_t i = 0; i < 200000; i++) {
        struct tp p;
        gen_frame(&p);
        if (pick(3) == 0)
            gen_corrupt(&p);
        agree(p.b, p.n, "generated frame", i, &t);
    }
    print_message("generated: %zu frames, %zu through the fast path\n", t.frames, t.fast);
    assert_true(t.fast > t.frames / 5);            /* the fast path is exercised ... */
    assert_true(t.frames - t.fast > t.frames / 5); /* ... and so is the way around it */
}

/* Reads the whole file path into buf (up to cap bytes); returns its length or -1. */
static long read_file(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return (long)n;
}

static void test_fuzz_corpus(void **state)
{
    (void)state;
    const char *src = getenv("BW_SRC");
    char dir[4096], path[8192];
    snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/net_decode_fuzz", src ? src : "../../..");
    DIR *d = opendir(dir);
    assert_non_null(d);
    static uint8_t buf[65536];
    struct tally t = {0};
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        long n = read_file(path, buf, sizeof(buf));
        assert_true(n >= 0);
        agree(buf, (size_t)n, e->d_name, 0, &t);
    }
    closedir(d);
    print_message("fuzz corpus: %zu frames, %zu through the fast path\n", t.frames, t.fast);
    assert_true(t.frames >= 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases_prefixes_and_mutations),
        cmocka_unit_test(test_generated_frames),
        cmocka_unit_test(test_fuzz_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
