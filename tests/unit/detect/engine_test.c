/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The detector end to end on synthetic packets (no capture, no decoder): warm-up,
 * declaration within a second, hysteresis, flash crowds and solicited replies not
 * being attacks, priority admission over capacity, bounded samples, and a live-style
 * 100 ms tick ending an attack with no packets at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "detect/detect.h"

#define SEC 1000000000ULL
#define T0  (1700000000ULL * SEC)

static const uint8_t VICTIM[4] = {198, 51, 100, 10};

static void v4(uint8_t out[16], const uint8_t a[4])
{
    memset(out, 0, 16);
    out[10] = out[11] = 0xff;
    memcpy(out + 12, a, 4);
}

/* The detector reads the decoder's flow record by reference: packets built here point
 * into a ring of records, each live until 64 more packets are built. */
static struct bw_net_flow flows[64];
static size_t n_flows;

static struct bw_detect_pkt pkt(uint64_t ts, uint32_t src, bool in, uint8_t proto, uint16_t sport,
                                uint16_t dport, uint8_t flags)
{
    struct bw_net_flow *f = &flows[n_flows++ % 64];
    memset(f, 0, sizeof *f);
    uint8_t a[4] = {(uint8_t)(src >> 24), (uint8_t)(src >> 16), (uint8_t)(src >> 8), (uint8_t)src};
    v4(in ? f->saddr : f->daddr, a);
    v4(in ? f->daddr : f->saddr, VICTIM);
    f->ip_ver = 4;
    f->proto = proto;
    f->sport = sport;
    f->dport = dport;
    f->tcp_flags = flags;
    f->ttl = 60;
    f->flags = BW_NET_F_IPV4 | BW_NET_F_L4;
    f->payload_off = 60; /* no payload in the frame */
    static const uint8_t frame[60] = {1};
    return (struct bw_detect_pkt){
        .flow = f, .ts_ns = ts, .wire_len = 60, .frame_len = sizeof frame, .frame = frame};
}

static struct bw_detect *det(uint64_t capacity)
{
    struct bw_detect_config cfg;
    bw_detect_config_default(&cfg);
    cfg.capacity_pps = capacity;
    cfg.sample_max = 50;
    struct bw_detect *d = bw_detect_new(&cfg);
    struct bw_err err;
    assert_int_equal(bw_detect_resource_parse(d, "198.51.100.10=arn:test", &err), BW_OK);
    return d;
}

/* Benign clients 10.0.0.1..50 completing a handshake each, n connections per second. */
static enum bw_detect_drop client_conn_to(struct bw_detect *d, uint64_t t, uint32_t cli,
                                          uint16_t sport, uint16_t dport)
{
    struct bw_detect_pkt syn = pkt(t, cli, true, 6, sport, dport, 0x02);
    enum bw_detect_drop v = bw_detect_packet(d, &syn);
    struct bw_detect_pkt sa = pkt(t + 1000000, cli, false, 6, dport, sport, 0x12);
    bw_detect_packet(d, &sa);
    struct bw_detect_pkt ack = pkt(t + 2000000, cli, true, 6, sport, dport, 0x10);
    enum bw_detect_drop v2 = bw_detect_packet(d, &ack);
    return v != BW_DETECT_PASS ? v : v2;
}

static enum bw_detect_drop client_conn(struct bw_detect *d, uint64_t t, uint32_t cli,
                                       uint16_t sport)
{
    return client_conn_to(d, t, cli, sport, 80);
}

static void steady(struct bw_detect *d, uint64_t from, uint64_t to, unsigned per_s,
                   unsigned clients)
{
    uint64_t step = SEC / per_s;
    unsigned i = 0;
    for (uint64_t t = from; t < to; t += step, i++)
        client_conn(d, t, 0x0a000001 + i % clients, (uint16_t)(20000 + i % 40000));
}

static void syn_flood(struct bw_detect *d, uint64_t from, uint64_t to, unsigned per_s,
                      uint64_t *dropped, uint64_t *n)
{
    uint64_t step = SEC / per_s;
    uint32_t src = 0x2d000001;
    for (uint64_t t = from; t < to; t += step) {
        struct bw_detect_pkt p = pkt(t, src++, true, 6, 4444, 80, 0x02);
        enum bw_detect_drop v = bw_detect_packet(d, &p);
        if (dropped)
            *dropped += v != BW_DETECT_PASS, (*n)++;
    }
}

/* Above 256 attack packets a tick the top-contributor sketches see a weighted sample:
 * the totals stay exact and the estimates close. */
static void big_flood_sampled_sketches_stay_close(void **state)
{
    (void)state;
    struct bw_detect *d = det(0);
    steady(d, T0, T0 + 40 * SEC, 20, 50);
    syn_flood(d, T0 + 40 * SEC, T0 + 50 * SEC, 20000, NULL, NULL);
    steady(d, T0 + 50 * SEC, T0 + 70 * SEC, 20, 50);
    bw_detect_finish(d, T0 + 70 * SEC);
    assert_int_equal(bw_detect_attack_count(d), 1);
    const struct bw_detect_attack *a = bw_detect_attack_get(d, 0);
    uint64_t syns = a->vector_pkts[BW_DETECT_V_SYN_FLOOD];
    assert_true(syns > 180000 && syns <= 200000);
    assert_int_equal(a->net_total, syns); /* exact, not the sample's estimate */
    assert_string_equal(a->top_port[0].name, "4444");
    assert_true(a->top_port[0].value > syns * 9 / 10 && a->top_port[0].value < syns * 11 / 10);
    assert_true(a->distinct_sources > 150000 && a->distinct_sources < 250000);
    bw_detect_free(d);
}

static void syn_flood_declared_and_ended(void **state)
{
    (void)state;
    struct bw_detect *d = det(0);
    steady(d, T0, T0 + 40 * SEC, 20, 50);
    assert_int_equal(bw_detect_attack_count(d), 0);
    syn_flood(d, T0 + 40 * SEC, T0 + 50 * SEC, 2000, NULL, NULL);
    steady(d, T0 + 50 * SEC, T0 + 70 * SEC, 20, 50);
    bw_detect_finish(d, T0 + 70 * SEC);
    assert_int_equal(bw_detect_attack_count(d), 1);
    const struct bw_detect_attack *a = bw_detect_attack_get(d, 0);
    assert_true(a->vectors == 1u << BW_DETECT_V_SYN_FLOOD);
    assert_true(a->detect_ns >= T0 + 40 * SEC && a->detect_ns <= T0 + 41 * SEC);
    assert_true(a->end_ns >= T0 + 50 * SEC && a->end_ns <= T0 + 55 * SEC);
    assert_int_equal(bw_detect_attack_forget(d, a->end_ns), 0); /* not before its end */
    assert_string_equal(a->arn, "arn:test");
    assert_true(a->distinct_sources > 15000 && a->distinct_sources < 25000);
    assert_true(a->n_samples == 50); /* 1 in 100 of 20000, bounded at 50 */
    assert_true(a->top_port[0].value > 18000 && a->top_port[0].value <= 20000);
    assert_string_equal(a->top_port[0].name, "4444");
    struct bw_detect_baseline b;
    assert_true(bw_detect_baseline_get(d, 0, BW_DETECT_M_SYN, &b));
    assert_true(b.mean > 15 && b.mean < 25 && b.n > 30);
    assert_int_equal(bw_detect_attack_forget(d, T0 + 70 * SEC), 1); /* reported: forget it */
    assert_int_equal(bw_detect_attack_count(d), 0);
    bw_detect_free(d);
}

static void nothing_during_warmup_then_declared(void **state)
{
    (void)state;
    struct bw_detect *d = det(0);
    steady(d, T0, T0 + 5 * SEC, 20, 50);
    syn_flood(d, T0 + 5 * SEC, T0 + 25 * SEC, 2000, NULL, NULL);
    bw_detect_finish(d, T0 + 25 * SEC);
    assert_int_equal(bw_detect_attack_count(d), 1);
    const struct bw_detect_attack *a = bw_detect_attack_get(d, 0);
    assert_true(a->detect_ns >= T0 + 20 * SEC); /* warm-up is 20 s */
    assert_int_equal(a->end_ns, 0);             /* still under way at the end */
    bw_detect_free(d);
}

static void hysteresis_bridges_short_gaps(void **state)
{
    (void)state;
    struct bw_detect *d = det(0);
    steady(d, T0, T0 + 30 * SEC, 20, 50);
    syn_flood(d, T0 + 30 * SEC, T0 + 35 * SEC, 2000, NULL, NULL);
    steady(d, T0 + 35 * SEC, T0 + 36 * SEC, 20, 50); /* 1 s lull: same attack */
    syn_flood(d, T0 + 36 * SEC, T0 + 40 * SEC, 2000, NULL, NULL);
    steady(d, T0 + 40 * SEC, T0 + 60 * SEC, 20, 50);
    assert_int_equal(bw_detect_attack_count(d), 1);
    assert_true(bw_detect_attack_get(d, 0)->end_ns != 0);
    bw_detect_free(d);
}

static void flash_crowd_is_not_an_attack(void **state)
{
    (void)state;
    struct bw_detect *d = det(0);
    steady(d, T0, T0 + 30 * SEC, 20, 50);
    /* 50 times the usual connection rate from 20000 new clients, all completing. */
    uint64_t step = SEC / 1000;
    uint32_t i = 0;
    for (uint64_t t = T0 + 30 * SEC; t < T0 + 50 * SEC; t += step, i++)
        client_conn(d, t, 0x18000001 + i, (uint16_t)(30000 + i % 30000));
    bw_detect_finish(d, T0 + 50 * SEC);
    assert_int_equal(bw_detect_attack_count(d), 0);
    bw_detect_free(d);
}

static void solicited_dns_answers_are_not_reflection(void **state)
{
    (void)state;
    struct bw_detect *d = det(0);
    steady(d, T0, T0 + 30 * SEC, 20, 50);
    uint32_t resolver = 0xc0000235;
    for (uint64_t t = T0 + 30 * SEC, i = 0; t < T0 + 40 * SEC; t += SEC / 2000, i++) {
        uint16_t sp = (uint16_t)(1024 + i % 60000);
        struct bw_detect_pkt q = pkt(t, resolver, false, 17, sp, 53, 0);
        bw_detect_packet(d, &q);
        struct bw_detect_pkt a = pkt(t + 1000, resolver, true, 17, 53, sp, 0);
        assert_int_equal(bw_detect_packet(d, &a), BW_DETECT_PASS);
    }
    bw_detect_finish(d, T0 + 40 * SEC);
    assert_int_equal(bw_detect_attack_count(d), 0);
    bw_detect_free(d);
}

static void priority_keeps_known_clients_over_capacity(void **state)
{
    (void)state;
    struct bw_detect *d = det(500);
    steady(d, T0, T0 + 30 * SEC, 50, 50);
    uint64_t flood_drop = 0, flood_n = 0, good_drop = 0, good_n = 0;
    for (uint64_t s = 30; s < 40; s++) { /* 10000 SYN/s: 20x capacity */
        syn_flood(d, T0 + s * SEC, T0 + (s + 1) * SEC, 10000, &flood_drop, &flood_n);
        for (unsigned i = 0; i < 50; i++, good_n++)
            good_drop += client_conn(d, T0 + s * SEC + i * (SEC / 50), 0x0a000001 + i,
                                     (uint16_t)(50000 + i)) != BW_DETECT_PASS;
    }
    assert_true(good_drop * 100 <= good_n * 5);
    assert_true(flood_drop * 100 >= flood_n * 90);
    assert_true(bw_detect_drops(d, BW_DETECT_DROP_DEPRIORITISED) > 0);
    bw_detect_free(d);
}

static void live_tick_ends_attack_without_packets(void **state)
{
    (void)state;
    struct bw_detect *d = det(0);
    steady(d, T0, T0 + 30 * SEC, 20, 50);
    syn_flood(d, T0 + 30 * SEC, T0 + 35 * SEC, 2000, NULL, NULL);
    for (uint64_t t = T0 + 35 * SEC; t <= T0 + 45 * SEC; t += SEC / 10)
        bw_detect_tick(d, t); /* the live 100 ms tick */
    assert_int_equal(bw_detect_attack_count(d), 1);
    const struct bw_detect_attack *a = bw_detect_attack_get(d, 0);
    assert_true(a->end_ns >= T0 + 35 * SEC && a->end_ns <= T0 + 40 * SEC);
    bw_detect_free(d);
}

static const char REQ[] = "GET /x HTTP/1.1\r\nHost: a\r\nUser-Agent: bot\r\n\r\n";

/* One request on an established connection (seq advanced by the caller's counter). */
static enum bw_detect_drop request(struct bw_detect *d, uint64_t t, uint32_t src, uint16_t sport,
                                   uint16_t dport, uint32_t *seq)
{
    struct bw_detect_pkt p = pkt(t, src, true, 6, sport, dport, 0x18);
    struct bw_net_flow *f = (struct bw_net_flow *)p.flow; /* built above, in flows[] */
    p.frame = (const uint8_t *)REQ;                       /* the payload alone: offset 0 */
    p.frame_len = sizeof REQ - 1;
    f->payload_off = 0;
    f->payload_len = sizeof REQ - 1;
    f->tcp_seq = *seq;
    *seq += sizeof REQ - 1;
    return bw_detect_packet(d, &p);
}

/* 20 sources sending 30 requests/s each to dport, after a calm baseline. A browser that
 * burst 15 requests in one second before the flood is rate-limited only that second:
 * during the flood its 2 requests/s pass. */
static size_t request_flood_on(uint16_t dport, bool declare)
{
    struct bw_detect_config cfg;
    bw_detect_config_default(&cfg);
    if (declare)
        cfg.http_ports[cfg.n_http_ports++] = dport;
    struct bw_detect *d = bw_detect_new(&cfg);
    struct bw_err err;
    assert_int_equal(bw_detect_resource_parse(d, "198.51.100.10", &err), BW_OK);
    steady(d, T0, T0 + 30 * SEC, 20, 50);
    uint32_t seq[21] = {0};
    uint32_t browser = 0x0a0000fe;
    client_conn_to(d, T0 + 9 * SEC, browser, 45000, dport);
    for (unsigned i = 0; i < 15; i++) /* a page and its assets */
        request(d, T0 + 10 * SEC + i * (SEC / 20), browser, 45000, dport, &seq[20]);
    for (uint32_t b = 0; b < 20; b++) /* the bots complete their handshakes */
        client_conn_to(d, T0 + 30 * SEC - SEC / 2, 0xb9dc0001 + b, (uint16_t)(40000 + b), dport);
    unsigned browser_dropped = 0;
    for (uint64_t t = T0 + 30 * SEC, i = 0; t < T0 + 40 * SEC; t += SEC / 600, i++) {
        request(d, t, 0xb9dc0001 + (uint32_t)(i % 20), (uint16_t)(40000 + i % 20), dport,
                &seq[i % 20]);
        if (i % 300 == 0)
            browser_dropped += request(d, t + 1, browser, 45000, dport, &seq[20]) != BW_DETECT_PASS;
    }
    assert_int_equal(browser_dropped, 0);
    bw_detect_finish(d, T0 + 40 * SEC);
    size_t n = bw_detect_attack_count(d);
    if (n) {
        assert_true(bw_detect_attack_get(d, 0)->vectors == 1u << BW_DETECT_V_REQUEST_FLOOD);
        assert_true(bw_detect_drops(d, BW_DETECT_DROP_MITIGATED) > 1000); /* the bots */
    }
    bw_detect_free(d);
    return n;
}

static void request_flood_on_declared_http_port(void **state)
{
    (void)state;
    assert_int_equal(request_flood_on(80, false), 1);
    assert_int_equal(request_flood_on(8080, false), 0);
    assert_int_equal(request_flood_on(8080, true), 1);
}

static void forgetting_reported_attacks_keeps_the_open_one(void **state)
{
    (void)state;
    struct bw_detect *d = det(0);
    steady(d, T0, T0 + 30 * SEC, 20, 50);
    syn_flood(d, T0 + 30 * SEC, T0 + 35 * SEC, 2000, NULL, NULL);
    steady(d, T0 + 35 * SEC, T0 + 45 * SEC, 20, 50);
    syn_flood(d, T0 + 45 * SEC, T0 + 50 * SEC, 2000, NULL, NULL);
    assert_int_equal(bw_detect_attack_count(d), 2);
    uint64_t pkts = bw_detect_attack_get(d, 1)->pkts;
    assert_int_equal(bw_detect_attack_forget(d, T0 + 44 * SEC), 1);
    assert_int_equal(bw_detect_attack_count(d), 1);
    syn_flood(d, T0 + 50 * SEC, T0 + 51 * SEC, 2000, NULL, NULL);
    const struct bw_detect_attack *a = bw_detect_attack_get(d, 0);
    assert_int_equal(a->end_ns, 0);
    assert_true(a->pkts >= pkts + 2000); /* the open attack still counts its packets */
    bw_detect_free(d);
}

/* 100 connections older than the detector keep sending 20 ACKs/s each: adopted during
 * the warm-up, they are no ACK flood; a real one afterwards is. */
static void established_connections_are_adopted(void **state)
{
    (void)state;
    struct bw_detect *d = det(0);
    for (uint64_t t = T0, i = 0; t < T0 + 60 * SEC; t += SEC / 2000, i++) {
        struct bw_detect_pkt p = pkt(t, 0x0a000100 + (uint32_t)(i % 100), true, 6,
                                     (uint16_t)(30000 + i % 100), 443, 0x10);
        bw_detect_packet(d, &p);
        if (t >= T0 + 40 * SEC && t < T0 + 45 * SEC) {
            struct bw_detect_pkt f = pkt(t + 1, 0x2d000000 + (uint32_t)i, true, 6, 5555, 443, 0x10);
            bw_detect_packet(d, &f);
        }
    }
    bw_detect_finish(d, T0 + 60 * SEC);
    assert_int_equal(bw_detect_attack_count(d), 1);
    const struct bw_detect_attack *a = bw_detect_attack_get(d, 0);
    assert_true(a->vectors == 1u << BW_DETECT_V_ACK_FLOOD);
    assert_true(a->detect_ns >= T0 + 40 * SEC && a->detect_ns < T0 + 41 * SEC);
    bw_detect_free(d);
}

static void malformed_rate_has_a_baseline(void **state)
{
    (void)state;
    struct bw_detect *d = det(0);
    steady(d, T0, T0 + 5 * SEC, 20, 50);
    uint8_t victim[16];
    v4(victim, VICTIM);
    for (uint64_t t = T0 + 5 * SEC; t < T0 + 10 * SEC; t += SEC / 50)
        bw_detect_malformed(d, victim, t);
    bw_detect_tick(d, T0 + 10 * SEC + SEC / 2);
    struct bw_detect_baseline b;
    assert_true(bw_detect_baseline_get(d, 0, BW_DETECT_M_MALFORMED, &b));
    assert_true(b.last >= 45 && b.last <= 55);
    assert_true(b.mean > 3 && b.mean < 25 && b.n >= 10); /* a jump is learned winsorised */
    assert_string_equal(bw_detect_metric_name(BW_DETECT_M_MALFORMED), "malformed");
    bw_detect_free(d);
}

static void resources_parse_and_match(void **state)
{
    (void)state;
    struct bw_detect_config cfg;
    bw_detect_config_default(&cfg);
    struct bw_detect *d = bw_detect_new(&cfg);
    struct bw_err err;
    assert_int_equal(bw_detect_resource_parse(d, "10.0.0.0/8", &err), BW_OK);
    assert_int_equal(bw_detect_resource_parse(d, "2001:db8::/32=arn:v6", &err), BW_OK);
    assert_int_equal(bw_detect_resource_parse(d, "10.0.0.0/33", &err), BW_E_VALIDATION);
    assert_int_equal(bw_detect_resource_parse(d, "10.0.0.256", &err), BW_E_VALIDATION);
    assert_int_equal(bw_detect_resource_parse(d, "/8", &err), BW_E_VALIDATION);
    assert_int_equal(bw_detect_resource_parse(d, "10.0.0.1/x", &err), BW_E_VALIDATION);
    uint8_t a[16];
    v4(a, (const uint8_t[4]){10, 200, 1, 1});
    assert_true(bw_detect_is_protected(d, a));
    v4(a, (const uint8_t[4]){11, 0, 0, 1});
    assert_false(bw_detect_is_protected(d, a));
    uint8_t six[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    assert_true(bw_detect_is_protected(d, six));
    bw_detect_free(d);
}

/* Sends n inbound UDP packets to dst (16-byte form) at t. */
static void udp_to(struct bw_detect *d, uint64_t t, const uint8_t dst[16], int n)
{
    for (int i = 0; i < n; i++) {
        struct bw_detect_pkt p = pkt(t, 0xc6336401u + (uint32_t)i, true, 17, 5000, 53, 0);
        memcpy(((struct bw_net_flow *)p.flow)->daddr, dst, 16);
        bw_detect_packet(d, &p);
    }
}

/* Many resources, nested prefixes of both families, added in any order: each packet
 * counts toward the most specific resource holding its destination (the LPM buckets). */
static void most_specific_resource_among_many(void **state)
{
    (void)state;
    struct bw_detect_config cfg;
    bw_detect_config_default(&cfg);
    struct bw_detect *d = bw_detect_new(&cfg);
    struct bw_err err;
    static const char *const specs[] = {"10.0.0.0/8",    "10.1.2.3",          "10.1.0.0/16",
                                        "2001:db8::/32", "2001:db8:0:1::/64", "2001:db8:0:1::7"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(bw_detect_resource_parse(d, specs[i], &err), BW_OK);
    char spec[32];
    for (int i = 0; i < 50; i++) { /* fill the buckets: 192.0.2.0 .. 192.0.2.49 */
        snprintf(spec, sizeof spec, "192.0.2.%d", i);
        assert_int_equal(bw_detect_resource_parse(d, spec, &err), BW_OK);
    }
    uint8_t a[16];
    v4(a, (const uint8_t[4]){10, 9, 9, 9});
    udp_to(d, T0, a, 1);
    v4(a, (const uint8_t[4]){10, 1, 2, 3});
    udp_to(d, T0, a, 3);
    v4(a, (const uint8_t[4]){10, 1, 9, 9});
    udp_to(d, T0, a, 2);
    v4(a, (const uint8_t[4]){192, 0, 2, 17});
    udp_to(d, T0, a, 4);
    uint8_t six[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7};
    udp_to(d, T0, six, 5);
    six[15] = 8;
    udp_to(d, T0, six, 6);
    six[7] = 2;
    udp_to(d, T0, six, 7);
    bw_detect_finish(d, T0 + SEC); /* one second: the baselines learn its window */
    static const double want[] = {1, 3, 2, 7, 6, 5};
    struct bw_detect_baseline b;
    for (size_t i = 0; i < 6; i++) {
        assert_true(bw_detect_baseline_get(d, i, BW_DETECT_M_PPS, &b));
        assert_true(b.last == want[i]);
    }
    assert_true(bw_detect_baseline_get(d, 6 + 17, BW_DETECT_M_PPS, &b));
    assert_true(b.last == 4);
    assert_true(bw_detect_baseline_get(d, 6 + 16, BW_DETECT_M_PPS, &b));
    assert_true(b.last == 0);
    v4(a, (const uint8_t[4]){192, 0, 2, 50});
    assert_false(bw_detect_is_protected(d, a));
    bw_detect_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syn_flood_declared_and_ended),
        cmocka_unit_test(nothing_during_warmup_then_declared),
        cmocka_unit_test(hysteresis_bridges_short_gaps),
        cmocka_unit_test(flash_crowd_is_not_an_attack),
        cmocka_unit_test(solicited_dns_answers_are_not_reflection),
        cmocka_unit_test(priority_keeps_known_clients_over_capacity),
        cmocka_unit_test(live_tick_ends_attack_without_packets),
        cmocka_unit_test(request_flood_on_declared_http_port),
        cmocka_unit_test(forgetting_reported_attacks_keeps_the_open_one),
        cmocka_unit_test(established_connections_are_adopted),
        cmocka_unit_test(malformed_rate_has_a_baseline),
        cmocka_unit_test(resources_parse_and_match),
        cmocka_unit_test(most_specific_resource_among_many),
        cmocka_unit_test(big_flood_sampled_sketches_stay_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
