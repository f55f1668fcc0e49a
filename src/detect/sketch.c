/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounded sketches: EWMA mean/variance baselines, HyperLogLog (Flajolet et al.
 * 2007, with the small-range linear-counting correction) and Space-Saving
 * (Metwally et al. 2005) for top contributors. Fixed memory, no allocation.
 */
#include "detect/internal.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

void bw_detect__ewma_add(struct bw_detect__ewma *e, double x, double alpha)
{
    if (e->n++ == 0) {
        e->mean = x;
        e->var = 0;
        return;
    }
    /* Incremental EWMA variance: var' = (1-a) * (var + a * d^2). */
    double d = x - e->mean;
    e->mean += alpha * d;
    e->var = (1 - alpha) * (e->var + alpha * d * d);
}

double bw_detect__ewma_high(const struct bw_detect__ewma *e, double sigma, double ratio,
                            double floor)
{
    double t = e->mean + sigma * sqrt(e->var);
    if (ratio * e->mean > t)
        t = ratio * e->mean;
    return t > floor ? t : floor;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

uint64_t bw_detect__hash(const void *p, size_t n, uint64_t seed)
{
    const uint8_t *b = p;
    uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        h = mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
        b += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, b, n);
    return mix(h ^ w ^ ((uint64_t)n << 56));
}

double bw_detect__hll_count(const struct bw_detect__hll *h)
{
    const double m = (double)(1u << BW_DETECT_HLL_P);
    unsigned zeros = (1u << BW_DETECT_HLL_P) - h->filled;
    /* Sum of 2^-rank in units of 2^-52, kept by bw_detect__hll_add (ranks above 52 have
     * probability 2^-52 and count as one unit). */
    uint64_t fixed = ((uint64_t)1 << (BW_DETECT_HLL_P + 52)) - h->lost;
    double sum = ldexp((double)fixed, -52);
    double alpha = 0.7213 / (1 + 1.079 / m);
    double est = alpha * m * m / sum;
    if (est <= 2.5 * m && zeros > 0)
        est = m * log(m / zeros); /* linear counting for small cardinalities */
    return est;
}

void bw_detect__ss_add(struct bw_detect__ss *s, const void *key, size_t klen, uint64_t w)
{
    if (klen > BW_DETECT_SS_KEY)
        klen = BW_DETECT_SS_KEY;
    bw_detect__ss_add_h(s, bw_detect__hash(key, klen, 7), key, klen, w);
}

/* The entry holding hash h and key, or -1. Hashes alone are compared first (one small
 * array); the key only on a hash match. */
static bool ss_key_eq(const uint8_t *a, const void *b, size_t klen)
{
    if (klen == 16) { /* addresses, the common key: two words, no call */
        uint64_t x[2], y[2];
        memcpy(x, a, 16);
        memcpy(y, b, 16);
        return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
    }
    if (klen <= 8) { /* ports, TTLs, sizes: one word */
        uint64_t x = 0, y = 0;
        memcpy(&x, a, klen);
        memcpy(&y, b, klen);
        return x == y;
    }
    return memcmp(a, b, klen) == 0;
}

static int ss_find(const struct bw_detect__ss *s, uint64_t h, const void *key, size_t klen)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (s->hash[i] == h && s->e[i].klen == klen && ss_key_eq(s->e[i].key, key, klen))
            return (int)i;
    return -1;
}

/* The entry with the smallest count. Counts only grow, so the last minimum found is a
 * lower bound: an entry still at it is a minimum and ends the scan (floods of distinct
 * keys leave many entries tied there). */
static size_t ss_min(struct bw_detect__ss *s)
{
    size_t at = 0;
    for (size_t i = 0; i < BW_DETECT_SS_K; i++) {
        if (s->count[i] == s->min_seen)
            return i;
        at = s->count[i] < s->count[at] ? i : at;
    }
    s->min_seen = s->count[at];
    return at;
}

void bw_detect__ss_add_h(struct bw_detect__ss *s, uint64_t h, const void *key, size_t klen,
                         uint64_t w)
{
    if (klen > BW_DETECT_SS_KEY)
        klen = BW_DETECT_SS_KEY;
    s->total += w;
    int hit = ss_find(s, h, key, klen);
    if (hit >= 0) {
        s->count[hit] += w;
        return;
    }
    size_t at = s->n;
    uint64_t base = 0;
    if (s->n < BW_DETECT_SS_K) {
        s->n++;
    } else { /* Space-Saving: the smallest count is evicted, its count inherited as error */
        at = ss_min(s);
        base = s->count[at];
    }
    s->hash[at] = h;
    s->count[at] = base + w;
    s->e[at].err = base;
    s->e[at].klen = (uint8_t)klen;
    memcpy(s->e[at].key, key, klen);
}

static void ss_swap(struct bw_detect__ss *s, size_t a, size_t b)
{
    uint64_t h = s->hash[a], c = s->count[a];
    __typeof__(s->e[0]) e = s->e[a];
    s->hash[a] = s->hash[b];
    s->count[a] = s->count[b];
    s->e[a] = s->e[b];
    s->hash[b] = h;
    s->count[b] = c;
    s->e[b] = e;
}

void bw_detect__ss_sort(struct bw_detect__ss *s)
{
    for (size_t i = 1; i < s->n; i++) /* insertion sort: k is small */
        for (size_t j = i; j > 0 && s->count[j] > s->count[j - 1]; j--)
            ss_swap(s, j, j - 1);
}

uint64_t bw_detect__ss_max(const struct bw_detect__ss *s)
{
    uint64_t m = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->count[i] > m)
            m = s->count[i];
    return m;
}
