/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The detector's building blocks, shared inside src/detect and its tests: EWMA
 * baselines with warm-up, HyperLogLog, a Space-Saving heavy-hitter sketch, the
 * reflection-port table and the HTTP/1 request-head parser. All pure and bounded.
 */
#ifndef BW_DETECT_INTERNAL_H
#define BW_DETECT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/detect.h"

/* ---- EWMA mean and variance (West's incremental form) ---- */
struct bw_detect__ewma {
    double mean, var;
    uint64_t n;
};
/* Learns x with weight alpha (the first sample sets the mean). */
void bw_detect__ewma_add(struct bw_detect__ewma *e, double x, double alpha);
/* The declaration threshold: max(mean + sigma*sd, ratio*mean, floor). */
double bw_detect__ewma_high(const struct bw_detect__ewma *e, double sigma, double ratio,
                            double floor);

/* ---- HyperLogLog, 2^10 registers (about 3% standard error) ---- */
#define BW_DETECT_HLL_P 10
/* The estimator's sum is kept as registers change (rarely: a register only grows), so
 * counting is O(1), not a pass over the registers. All zero bytes is an empty sketch. */
struct bw_detect__hll {
    uint64_t lost;   /* sum over registers of 2^52 - 2^(52 - min(reg, 52)) */
    uint32_t filled; /* registers above zero */
    uint8_t reg[1u << BW_DETECT_HLL_P];
};
/* One hash, one compare: the register's rank only grows. */
static inline void bw_detect__hll_add(struct bw_detect__hll *h, uint64_t hash)
{
    uint32_t idx = (uint32_t)(hash >> (64 - BW_DETECT_HLL_P));
    uint64_t rest = (hash << BW_DETECT_HLL_P) | (1ULL << (BW_DETECT_HLL_P - 1));
    uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);
    uint8_t old = h->reg[idx];
    if (rank <= old)
        return;
    h->reg[idx] = rank;
    h->filled += old == 0;
    unsigned o = old < 52 ? old : 52, n = rank < 52 ? rank : 52;
    h->lost += ((uint64_t)1 << (52 - o)) - ((uint64_t)1 << (52 - n));
}
double bw_detect__hll_count(const struct bw_detect__hll *h);

/* A 64-bit hash of n bytes (wyhash-like mixing of 8-byte words; not cryptographic). */
uint64_t bw_detect__hash(const void *p, size_t n, uint64_t seed);

/* ---- Space-Saving top-k over keys of up to 48 bytes ---- */
#define BW_DETECT_SS_K   32
#define BW_DETECT_SS_KEY 48
/* Hashes and counts apart from the keys: a lookup scans two small arrays. */
struct bw_detect__ss {
    uint32_t n;
    uint64_t total;
    uint64_t min_seen; /* a lower bound of the smallest count (counts only grow) */
    uint64_t hash[BW_DETECT_SS_K], count[BW_DETECT_SS_K];
    struct {
        uint64_t err;
        uint8_t klen;
        uint8_t key[BW_DETECT_SS_KEY];
    } e[BW_DETECT_SS_K];
};
/* Counts key (truncated to BW_DETECT_SS_KEY bytes) by w. */
void bw_detect__ss_add(struct bw_detect__ss *s, const void *key, size_t klen, uint64_t w);
/* The same with the key's hash already computed (any well-mixed 64-bit hash of the key,
 * the same for every add of that key to this sketch): the packet path hashes once. */
void bw_detect__ss_add_h(struct bw_detect__ss *s, uint64_t h, const void *key, size_t klen,
                         uint64_t w);
/* The i-th largest entry after sorting (call bw_detect__ss_sort first). */
void bw_detect__ss_sort(struct bw_detect__ss *s);
/* The largest count (0 when empty). */
uint64_t bw_detect__ss_max(const struct bw_detect__ss *s);

/* ---- reflection ports ---- */
/* The reflection vector of UDP source port `port`, or -1 when it is no known
 * amplifier (GENERIC_UDP_REFLECTION covers the other well-known ports < 1024). */
int bw_detect__udp_reflector(uint16_t port);

/* ---- HTTP/1.x request head ---- */
struct bw_detect__http_req {
    const uint8_t *method, *url, *ua;
    size_t method_len, url_len, ua_len;
    size_t head_len; /* bytes through the blank line */
};
/* Parses a request head at p[0..len). Returns 1 with req filled when a full head
 * (request line, headers, blank line) is there, 0 when more bytes are needed, -1
 * when it is not HTTP/1.x. Never reads past p+len. */
int bw_detect__http_parse(const uint8_t *p, size_t len, struct bw_detect__http_req *req);
/* True when p starts like an HTTP method token followed by a space. */
bool bw_detect__http_looks_like(const uint8_t *p, size_t len);

#endif
