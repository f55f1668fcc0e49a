/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the packet decoder (net/net.h): every labelled frame of cases.c gets its
 * verdict, every verdict has a frame, decoded fields are right, and every prefix of a
 * good frame is handled without reading past its end (each frame sits in a buffer of
 * exactly its size, so ASan catches an overread).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cases.h"
#include "net/net.h"

/* Decodes p[0..n) from an exact-size heap copy. */
static enum bw_net_verdict decode_exact(const uint8_t *p, size_t n, struct bw_net_flow *f)
{
    uint8_t *b = malloc(n ? n : 1);
    assert_non_null(b);
    if (n)
        memcpy(b, p, n);
    enum bw_net_verdict v = bw_net_decode(b, b + n, f);
    free(b);
    return v;
}

static void build(const char *name, struct tp *p)
{
    for (size_t i = 0; i < tp_ncases; i++) {
        if (strcmp(tp_cases[i].name, name) == 0) {
            tp_cases[i].build(p);
            return;
        }
    }
    fail_msg("no case %s", name);
}

static void test_every_case_gets_its_verdict(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < tp_ncases; i++) {
        struct tp p;
        struct bw_net_flow f;
        tp_cases[i].build(&p);
        enum bw_net_verdict v = decode_exact(p.b, p.n, &f);
        if (v != tp_cases[i].want) {
            print_error("case '%s': got %s, want %s\n", tp_cases[i].name, bw_net_verdict_name(v),
                        bw_net_verdict_name(tp_cases[i].want));
            bad++;
        }
        assert_int_equal(f.verdict, v);
    }
    assert_int_equal(bad, 0);
}

static void test_every_verdict_has_a_case(void **state)
{
    (void)state;
    for (int v = 0; v < BW_NET_VERDICT_COUNT; v++) {
        bool found = false;
        for (size_t i = 0; i < tp_ncases; i++)
            found = found || tp_cases[i].want == (enum bw_net_verdict)v;
        if (!found)
            fail_msg("verdict %s has no test frame", bw_net_verdict_name(v));
    }
}

static void test_names_unique_and_stable(void **state)
{
    (void)state;
    assert_string_equal(bw_net_verdict_name(BW_NET_OK), "ok");
    assert_string_equal(bw_net_verdict_name(BW_NET_BAD_IHL), "bad_ihl");
    assert_string_equal(bw_net_verdict_name(BW_NET_VERDICT_COUNT), "unknown");
    assert_string_equal(bw_net_class_name(BW_NET_CLS_TCP_SYN), "tcp_syn");
    assert_string_equal(bw_net_class_name(BW_NET_CLS_COUNT), "unknown");
    for (int a = 0; a < BW_NET_VERDICT_COUNT; a++) {
        assert_non_null(bw_net_verdict_desc(a));
        for (int b = a + 1; b < BW_NET_VERDICT_COUNT; b++)
            assert_string_not_equal(bw_net_verdict_name(a), bw_net_verdict_name(b));
    }
}

static void test_syn_fields(void **state)
{
    (void)state;
    struct tp p;
    struct bw_net_flow f;
    build("tcp4 SYN with MSS/SACK/TS/WS", &p);
    assert_int_equal(decode_exact(p.b, p.n, &f), BW_NET_OK);
    assert_int_equal(f.ip_ver, 4);
    assert_true(bw_net_flow_is_v4(&f));
    assert_int_equal(bw_net_flow_saddr4(&f), TP_SRC4);
    assert_int_equal(bw_net_flow_daddr4(&f), TP_DST4);
    assert_int_equal(f.saddr[10], 0xff);
    assert_int_equal(f.proto, 6);
    assert_int_equal(f.ttl, 64);
    assert_int_equal(f.sport, 40000);
    assert_int_equal(f.dport, 80);
    assert_int_equal(f.tcp_flags, BW_NET_TCP_SYN);
    assert_int_equal(f.tcp_mss, 1460);
    assert_int_equal(f.tcp_wscale, 7);
    assert_int_equal(f.tcp_opts,
                     BW_NET_TCPO_MSS | BW_NET_TCPO_SACKOK | BW_NET_TCPO_TS | BW_NET_TCPO_WSCALE);
    assert_int_equal(f.l3_len, 60);
    assert_int_equal(f.l3_hdr_len, 20);
    assert_int_equal(f.l4_len, 40);
    assert_int_equal(f.l4_hdr_len, 40);
    assert_int_equal(f.l4_off, 34);
    assert_int_equal(f.payload_off, 74);
    assert_int_equal(f.payload_len, 0);
    assert_int_equal(f.pkt_len, 74);
    assert_int_equal(f.flags & BW_NET_F_DF, BW_NET_F_DF);
    assert_int_equal(f.frag_id, 0x1234);
    assert_int_equal(f.cls, BW_NET_CLS_TCP_SYN);
}

static void test_udp_payload_and_vlan(void **state)
{
    (void)state;
    struct tp p;
    struct bw_net_flow f;
    build("udp4 in QinQ", &p);
    assert_int_equal(decode_exact(p.b, p.n, &f), BW_NET_OK);
    assert_int_equal(f.vlan_n, 2);
    assert_int_equal(f.vlan[0], 100);
    assert_int_equal(f.vlan[1], 101);
    assert_int_equal(f.flags & (BW_NET_F_VLAN | BW_NET_F_QINQ), BW_NET_F_VLAN | BW_NET_F_QINQ);
    assert_int_equal(f.l4_off, 22 + 20);
    assert_int_equal(f.payload_len, 30);
    assert_int_equal(f.payload_off, 22 + 20 + 8);
    uint32_t n = 0;
    const uint8_t *pl = bw_net_flow_payload(&f, p.b, p.b + p.n, &n);
    assert_int_equal(n, 30);
    assert_ptr_equal(pl, p.b + 50);
    assert_memory_equal(pl, "abcdefghijklmnopqrstuvwxyzabcd", 30);
    assert_int_equal(f.cls, BW_NET_CLS_UDP);

    build("udp4 DNS answer from 53", &p);
    assert_int_equal(decode_exact(p.b, p.n, &f), BW_NET_OK);
    assert_int_equal(f.payload_len, 120);
    bw_net_flow_payload(&f, p.b, p.b + p.n, &n);
    assert_int_equal(n, 120);
    assert_int_equal(f.sport, 53);

    build("udp4 with Ethernet padding", &p);
    assert_int_equal(decode_exact(p.b, p.n, &f), BW_NET_OK);
    assert_int_equal(f.payload_len, 2);
    bw_net_flow_payload(&f, p.b, p.b + p.n, &n);
    assert_int_equal(n, 2); /* not the Ethernet padding after the datagram */
}

static void test_fragment_fields(void **state)
{
    (void)state;
    struct tp p;
    struct bw_net_flow f;
    build("udp4 last fragment", &p);
    assert_int_equal(decode_exact(p.b, p.n, &f), BW_NET_OK);
    assert_int_equal(f.flags & (BW_NET_F_FRAG | BW_NET_F_FRAG_FIRST | BW_NET_F_FRAG_MORE),
                     BW_NET_F_FRAG);
    assert_int_equal(f.frag_off, 1480);
    assert_int_equal(f.flags & BW_NET_F_L4, 0);
    assert_int_equal(f.sport, 0);
    assert_int_equal(f.cls, BW_NET_CLS_FRAG);

    build("udp6 first fragment", &p);
    assert_int_equal(decode_exact(p.b, p.n, &f), BW_NET_OK);
    assert_int_equal(f.flags & (BW_NET_F_FRAG | BW_NET_F_FRAG_FIRST | BW_NET_F_FRAG_MORE),
                     BW_NET_F_FRAG | BW_NET_F_FRAG_FIRST | BW_NET_F_FRAG_MORE);
    assert_int_equal(f.frag_id, 0xabcdef01u);
    assert_int_equal(f.proto, 17);
    assert_int_equal(f.sport, 53);
    assert_int_equal(f.l3_hdr_len, 48);
    assert_int_equal(f.cls, BW_NET_CLS_UDP);

    build("tcp6 atomic fragment", &p);
    assert_int_equal(decode_exact(p.b, p.n, &f), BW_NET_OK);
    assert_int_equal(f.flags & BW_NET_F_FRAG, 0);
    assert_int_equal(f.cls, BW_NET_CLS_TCP_ACK);
}

static void test_ipv6_fields(void **state)
{
    (void)state;
    struct tp p;
    struct bw_net_flow f;
    build("udp6 after HBH and DestOpts", &p);
    assert_int_equal(decode_exact(p.b, p.n, &f), BW_NET_OK);
    assert_int_equal(f.ip_ver, 6);
    assert_false(bw_net_flow_is_v4(&f));
    assert_int_equal(f.v6_ext_n, 2);
    assert_int_equal(f.flags & BW_NET_F_V6_EXT, BW_NET_F_V6_EXT);
    assert_int_equal(f.proto, 17);
    assert_int_equal(f.l3_hdr_len, 40 + 8 + 16);
    assert_int_equal(f.saddr[0], 0x20);
    assert_int_equal(f.daddr[15], 0x10);
    assert_int_equal(f.dport, 53);
    assert_int_equal(f.ttl, 64);
}

/* Every prefix of every frame: no overread, and a prefix that cuts the IP datagram is
 * never well-formed. */
static void test_every_prefix(void **state)
{
    (void)state;
    for (size_t i = 0; i < tp_ncases; i++) {
        struct tp p;
        struct bw_net_flow full, f;
        tp_cases[i].build(&p);
        enum bw_net_verdict want = decode_exact(p.b, p.n, &full);
        for (size_t n = 0; n < p.n; n++) {
            enum bw_net_verdict v = decode_exact(p.b, n, &f);
            bool cuts_ip = full.ip_ver != 0 && n < full.l4_off - full.l3_hdr_len + full.l3_len;
            if (want == BW_NET_OK && cuts_ip && v == BW_NET_OK)
                fail_msg("case '%s' cut to %zu bytes passed", tp_cases[i].name, n);
        }
    }
}

/* Frames cut by a capture's snap length: lengths are taken from the wire length, checks
 * that need the missing bytes are not made. */
static void test_snapped_frames(void **state)
{
    (void)state;
    struct tp p;
    struct bw_net_flow f;
    build("tcp4 ACK+PSH with data", &p);
    uint8_t *b = malloc(64);
    assert_non_null(b);
    memcpy(b, p.b, 64);
    assert_int_equal(bw_net_decode(b, b + 64, &f), BW_NET_BAD_TOTAL_LEN);
    assert_int_equal(bw_net_decode_snap(b, b + 64, (uint32_t)p.n, &f), BW_NET_OK);
    assert_int_equal(f.flags & BW_NET_F_SNAPPED, BW_NET_F_SNAPPED);
    assert_int_equal(f.pkt_len, p.n);
    assert_int_equal(f.sport, 40000);
    assert_int_equal(f.payload_len, 200);
    uint32_t n = 0;
    const uint8_t *pl = bw_net_flow_payload(&f, b, b + 64, &n);
    assert_int_equal(n, 64 - 54); /* what the capture kept of it */
    assert_memory_equal(pl, "abcdefghij", 10);
    /* Cut inside the TCP header: nothing to say about TCP. */
    assert_int_equal(bw_net_decode_snap(b, b + 40, (uint32_t)p.n, &f), BW_NET_OK);
    assert_int_equal(f.flags & BW_NET_F_L4, 0);
    free(b);

    /* What the captured bytes show is still judged. */
    const char *bad[] = {"SYN+FIN", "land ipv4", "source 127.0.0.1", "IHL 4"};
    enum bw_net_verdict want[] = {BW_NET_TCP_SYN_FIN, BW_NET_LAND, BW_NET_MARTIAN_SRC,
                                  BW_NET_BAD_IHL};
    for (size_t i = 0; i < 4; i++) {
        build(bad[i], &p);
        assert_int_equal(bw_net_decode_snap(p.b, p.b + p.n, (uint32_t)p.n + 100, &f), want[i]);
    }
    /* A whole frame decodes exactly as bw_net_decode does. */
    build("total length past frame", &p);
    assert_int_equal(bw_net_decode_snap(p.b, p.b + p.n, (uint32_t)p.n, &f), BW_NET_BAD_TOTAL_LEN);
    assert_int_equal(f.flags & BW_NET_F_SNAPPED, 0);
}

/* Regression (fuzz): IPv4 options cut by the snap length were read past the end. */
static void test_snapped_ipv4_options(void **state)
{
    (void)state;
    struct tp p;
    struct bw_net_flow f;
    build("ipv4 router alert option", &p);
    for (size_t n = 34; n < p.n; n++) {
        uint8_t *c = malloc(n);
        assert_non_null(c);
        memcpy(c, p.b, n);
        assert_int_equal(bw_net_decode_snap(c, c + n, (uint32_t)p.n, &f), BW_NET_OK);
        free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_case_gets_its_verdict),
        cmocka_unit_test(test_every_verdict_has_a_case),
        cmocka_unit_test(test_names_unique_and_stable),
        cmocka_unit_test(test_syn_fields),
        cmocka_unit_test(test_udp_payload_and_vlan),
        cmocka_unit_test(test_fragment_fields),
        cmocka_unit_test(test_ipv6_fields),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_snapped_frames),
        cmocka_unit_test(test_snapped_ipv4_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
