/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A synthetic capture for the net benchmark, built in memory in the classic pcap record
 * layout (16-byte record header, then the frame): a deterministic mix of web, DNS and NTP
 * traffic over IPv4 and IPv6 with VLAN tags, fragments and a sprinkle of malformed
 * frames, from many clients (198.18.0.0/15, 2001:db8:c::/48) to a few servers
 * (203.0.113.0/24, 2001:db8:5::/64). See bench/net/gen.c for the proportions.
 */
#ifndef BW_BENCH_NET_GEN_H
#define BW_BENCH_NET_GEN_H

#include <stddef.h>
#include <stdint.h>

/* A capture in memory: records back to back, each a pcap record header and a frame. */
struct bench_cap {
    uint8_t *buf;
    size_t len, cap;
    size_t n;    /* records */
    size_t *idx; /* offset of record i in buf (bench_index) */
};

/* The pcap record header as stored (host byte order, ns resolution). */
struct bench_rec {
    uint32_t ts_sec, ts_nsec, caplen, len;
};

/* Appends n frames spread over `seconds` of capture time, from seed. */
void bench_gen(struct bench_cap *c, size_t n, double seconds, uint64_t seed);
/* Loads a pcap/pcapng file through libpcap; 0 or -1 (message on stderr). */
int bench_load(struct bench_cap *c, const char *path);
/* Writes c as a classic pcap file (ns timestamps); 0 or -1. */
int bench_write(const struct bench_cap *c, const char *path);
/* Builds c->idx. */
void bench_index(struct bench_cap *c);
void bench_free(struct bench_cap *c);

#endif
