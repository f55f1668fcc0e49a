/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounded tracking tables: sources (evidence for the priority score), connections
 * (handshakes, resource-initiated TCP, UDP peers the resource asked) and HTTP client
 * streams (enough in-order bytes to read a request head). Each table is 8-way set
 * associative. A new key replaces the stalest entry of its set, except that a source
 * with evidence of being legitimate is never displaced by one without: a flood of
 * spoofed sources cannot flush the clients the score protects.
 */
#include "detect/state.h"

#include <string.h>

uint32_t bw_detect__sec(uint64_t ns)
{
    return (uint32_t)(ns / 1000000000ULL);
}

static uint64_t nonzero(uint64_t k)
{
    return k ? k : 1;
}

void bw_detect__src_mark(struct bw_detect *d, struct src_entry *e, uint32_t flag)
{
    e->flags |= flag;
    if (flag & (SRC_HANDSHAKE | SRC_ANSWERED))
        d->src_meta[e - d->src] |= SRC_META_VALUABLE;
}

void bw_detect__src_seen(struct bw_detect *d, struct src_entry *e, uint64_t now)
{
    e->last_ns = now;
    uint32_t *m = &d->src_meta[e - d->src];
    *m = (*m & SRC_META_VALUABLE) | ((uint32_t)(now >> 24) & ~SRC_META_VALUABLE);
}

/* Odd 64-bit constants: independent multiplies of the words, then one final mix. */
static const uint64_t K[5] = {0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL, 0x165667b19e3779f9ULL,
                              0xd6e8feb86659fd93ULL, 0xff51afd7ed558ccdULL};

static uint64_t fmix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 29;
    return x;
}

uint64_t bw_detect__src_hash(const uint8_t addr[16])
{
    uint64_t w[2];
    memcpy(w, addr, 16);
    return nonzero(fmix(w[0] * K[3] + (w[1] ^ 0x5bd1e995) * K[1]));
}

struct src_entry *bw_detect__src_get(struct bw_detect *d, const uint8_t addr[16], uint64_t now,
                                     bool create)
{
    return bw_detect__src_get_k(d, bw_detect__src_hash(addr), now, create);
}

void bw_detect__src_prefetch(const struct bw_detect *d, uint64_t k)
{
    __builtin_prefetch(d->src_keys + (k % SRC_SETS) * WAYS);
    __builtin_prefetch(d->src_meta + (k % SRC_SETS) * WAYS);
}

void bw_detect__conn_prefetch(const struct bw_detect *d, uint64_t k)
{
    const struct conn_entry *set = d->conn + (k % CONN_SETS) * WAYS;
    __builtin_prefetch(set);
    __builtin_prefetch(set + WAYS / 2);
}

/* The way of k's set holding k (*hit), else the one a new k takes: an empty slot, else
 * the stalest entry without evidence, chosen from the keys and the packed meta words
 * alone (no entry is read); WAYS when every entry holds a legitimate client. */
static size_t src_way(const struct bw_detect *d, size_t base, uint64_t k, bool *hit)
{
    const uint64_t *keys = d->src_keys + base;
    for (size_t i = 0; i < WAYS; i++)
        if (keys[i] == k) {
            *hit = true;
            return i;
        }
    *hit = false;
    const uint32_t *meta = d->src_meta + base;
    size_t victim = WAYS;
    for (size_t i = 0; i < WAYS; i++) {
        if (keys[i] == 0)
            return i;
        if (!(meta[i] & SRC_META_VALUABLE) && (victim == WAYS || meta[i] < meta[victim]))
            victim = i;
    }
    return victim;
}

void bw_detect__src_prefetch_entry(const struct bw_detect *d, uint64_t k)
{
    size_t base = (k % SRC_SETS) * WAYS;
    bool hit;
    size_t way = src_way(d, base, k, &hit);
    if (way < WAYS)
        __builtin_prefetch(&d->src[base + way], 1);
}

struct src_entry *bw_detect__src_get_k(struct bw_detect *d, uint64_t k, uint64_t now, bool create)
{
    size_t base = (k % SRC_SETS) * WAYS;
    bool hit;
    size_t way = src_way(d, base, k, &hit);
    if (hit)
        return &d->src[base + way];
    if (!create || way == WAYS)
        return NULL; /* every entry holds a legitimate client: keep them */
    struct src_entry *e = &d->src[base + way];
    memset(e, 0, sizeof *e);
    e->key = k;
    e->first_ns = e->last_ns = now;
    d->src_meta[base + way] = (uint32_t)(now >> 24) & ~SRC_META_VALUABLE;
    d->src_keys[base + way] = k;
    return e;
}

uint64_t bw_detect__conn_key(const uint8_t remote[16], uint16_t rport, const uint8_t local[16],
                             uint16_t lport, uint8_t kind)
{
    uint64_t w[4];
    memcpy(w, remote, 16);
    memcpy(w + 2, local, 16);
    uint64_t tail = (uint64_t)rport | (uint64_t)lport << 16 | (uint64_t)kind << 32;
    return nonzero(fmix(w[0] * K[0] + w[1] * K[1] + w[2] * K[2] + w[3] * K[3] + tail * K[4]));
}

/* The connection filter: one bit per slice of the key hash (bits apart from the set
 * index), set whenever a key enters the table. A clear bit proves a key is absent, so a
 * flood of packets matching nothing (stray ACKs, unsolicited UDP) costs a lookup in a
 * 128 KiB bitmap instead of a cold set in the 2 MiB table. Bits are never cleared one
 * by one (a slice is shared); the filter is rebuilt from the table once enough keys went
 * in (CONN_FILTER_REBUILD): never on quiet links, every few seconds under a SYN flood. */
static size_t filter_bit(uint64_t key)
{
    return (size_t)(key >> (64 - CONN_FILTER_BITS));
}

static bool filter_has(const struct bw_detect *d, uint64_t key)
{
    size_t b = filter_bit(key);
    return d->conn_filter[b / 64] >> (b % 64) & 1;
}

static void filter_add(struct bw_detect *d, uint64_t key)
{
    size_t b = filter_bit(key);
    d->conn_filter[b / 64] |= 1ULL << (b % 64);
}

void bw_detect__conn_filter_rebuild(struct bw_detect *d)
{
    d->filter_adds = 0;
    memset(d->conn_filter, 0, (1u << CONN_FILTER_BITS) / 8);
    for (size_t i = 0; i < (size_t)CONN_SETS * WAYS; i++)
        if (d->conn[i].key)
            filter_add(d, d->conn[i].key);
}

struct conn_entry *bw_detect__conn_get(struct bw_detect *d, uint64_t key, uint64_t now, bool create)
{
    if (!create && !filter_has(d, key))
        return NULL;
    struct conn_entry *set = d->conn + (key % CONN_SETS) * WAYS;
    struct conn_entry *victim = &set[0];
    for (size_t i = 0; i < WAYS; i++) {
        if (set[i].key == key)
            return &set[i];
        if (set[i].last < victim->last)
            victim = &set[i]; /* empty entries have last 0: taken first */
    }
    if (!create)
        return NULL;
    memset(victim, 0, sizeof *victim);
    victim->key = key;
    victim->last = CONN_TIME(now);
    filter_add(d, key);
    d->filter_adds++;
    return victim;
}

static uint64_t stream_key(const struct bw_detect_pkt *p)
{
    return bw_detect__conn_key(p->src, p->sport, p->dst, p->dport, 9);
}

static uint8_t *sbuf(struct bw_detect *d, const struct stream_entry *s)
{
    return d->stream_buf + (size_t)(s - d->stream) * STREAM_BUF;
}

/* Sets a stream's buffered length, keeping d->n_partial (streams with bytes pending)
 * exact so the per-tick scan is skipped when no head is pending. */
static void set_len(struct bw_detect *d, struct stream_entry *s, size_t len)
{
    d->n_partial += (len > 0) - (s->len > 0);
    size_t i = (size_t)(s - d->stream);
    if (len > 0)
        d->partial[i / 64] |= 1ULL << (i % 64);
    else
        d->partial[i / 64] &= ~(1ULL << (i % 64));
    s->len = (uint16_t)len;
}

static struct stream_entry *stream_get(struct bw_detect *d, uint64_t key, bool create)
{
    size_t base = (key % STREAM_SETS) * WAYS;
    for (size_t i = 0; i < WAYS; i++)
        if (d->stream_keys[base + i] == key)
            return &d->stream[base + i];
    if (!create)
        return NULL;
    struct stream_entry *set = d->stream + base, *victim = &set[0];
    for (size_t i = 1; i < WAYS; i++)
        if (set[i].last_ns < victim->last_ns)
            victim = &set[i];
    set_len(d, victim, 0);
    memset(victim, 0, sizeof *victim);
    victim->key = key;
    d->stream_keys[victim - d->stream] = key;
    return victim;
}

void bw_detect__stream_close(struct bw_detect *d, const struct bw_detect_pkt *p)
{
    struct stream_entry *s = stream_get(d, stream_key(p), false);
    if (s) {
        d->stream_keys[s - d->stream] = 0;
        set_len(d, s, 0);
        memset(s, 0, sizeof *s);
    }
}

/* Parses complete heads from the buffer, handing each to fn, and keeps the rest. */
static int stream_drain(struct bw_detect *d, const struct bw_detect_pkt *p, struct stream_entry *s,
                        bw_detect__req_fn fn)
{
    int n = 0;
    for (;;) {
        struct bw_detect__http_req req;
        uint8_t *buf = sbuf(d, s);
        int rc = bw_detect__http_parse(buf, s->len, &req);
        if (rc == 0 && s->len == STREAM_BUF)
            rc = -1; /* a head larger than we keep: give up on it */
        if (rc <= 0) {
            if (rc < 0)
                set_len(d, s, 0);
            s->first_ns = s->len ? s->first_ns : 0;
            return n;
        }
        n++;
        fn(d, s->res, p, &req);
        size_t rest = s->len - req.head_len;
        if (rest == 0 || !bw_detect__http_looks_like(buf + req.head_len, rest)) {
            set_len(d, s, 0); /* body bytes or nothing: the next segment starts a head */
            s->first_ns = 0;
            return n;
        }
        memmove(buf, buf + req.head_len, rest);
        set_len(d, s, rest);
        s->first_ns = p->ts_ns;
    }
}

static bool stream_start(struct bw_detect *d, int res, const struct bw_detect_pkt *p, uint64_t k,
                         struct stream_entry **out)
{
    if (!bw_detect__http_looks_like(p->payload, p->payload_len))
        return false;
    struct stream_entry *s = stream_get(d, k, true);
    s->next_seq = p->tcp_seq;
    set_len(d, s, 0);
    s->first_ns = p->ts_ns;
    s->res = (int16_t)res;
    memcpy(s->src, p->src, 16);
    *out = s;
    return true;
}

/* The common case, parsed in place without a copy: no bytes pending and the segment
 * holds one whole request head, followed by nothing or by body bytes. Returns false
 * (having changed nothing) when the segment needs the buffer. Same outcome as buffering
 * it: the entry, if any, only moves on to the next sequence number. */
static bool stream_direct(struct bw_detect *d, int res, const struct bw_detect_pkt *p,
                          struct stream_entry *s, bw_detect__req_fn fn)
{
    size_t n = p->payload_len < STREAM_BUF ? p->payload_len : STREAM_BUF;
    struct bw_detect__http_req req;
    if ((!s && !bw_detect__http_looks_like(p->payload, n)) ||
        bw_detect__http_parse(p->payload, n, &req) != 1)
        return false;
    size_t rest = n - req.head_len;
    if (rest > 0 && bw_detect__http_looks_like(p->payload + req.head_len, rest))
        return false; /* pipelined heads: the buffered path handles them */
    if (s) {
        s->next_seq = p->tcp_seq + p->payload_len;
        s->last_ns = p->ts_ns;
        s->first_ns = 0;
    }
    fn(d, s ? s->res : res, p, &req);
    return true;
}

int bw_detect__stream_feed(struct bw_detect *d, int res, const struct bw_detect_pkt *p,
                           bw_detect__req_fn fn)
{
    if (!p->payload || p->payload_len == 0)
        return 0;
    uint64_t k = stream_key(p);
    struct stream_entry *s = stream_get(d, k, false);
    if (s && s->len == 0 && p->tcp_seq != s->next_seq)
        s = NULL; /* a new head may start anywhere after a body we skipped */
    if ((!s || s->len == 0) && stream_direct(d, res, p, s, fn))
        return 1;
    if (!s && !stream_start(d, res, p, k, &s))
        return 0;
    if (s->len > 0 && p->tcp_seq != s->next_seq)
        return 0; /* out of order or retransmitted: wait for the expected bytes */
    if (s->len == 0)
        s->first_ns = p->ts_ns;
    size_t room = STREAM_BUF - s->len;
    size_t n = p->payload_len < room ? p->payload_len : room;
    memcpy(sbuf(d, s) + s->len, p->payload, n);
    set_len(d, s, s->len + n);
    s->next_seq = p->tcp_seq + p->payload_len;
    s->last_ns = p->ts_ns;
    return stream_drain(d, p, s, fn);
}

static void stream_mark_slow(struct bw_detect *d, struct stream_entry *s)
{
    struct src_entry *e = bw_detect__src_get(d, s->src, d->now_ns, false);
    if (!e)
        return;
    if (e->slow_scan != d->scan_no) {
        e->slow_scan = d->scan_no;
        e->slow_n = 0;
    }
    e->slow_n++;
}

static void stream_scan_one(struct bw_detect *d, struct stream_entry *s, size_t i)
{
    if (d->stream_keys[i] == 0 || s->first_ns == 0 || (size_t)s->res >= d->n_res)
        return;
    if (d->now_ns - s->first_ns < SLOW_AFTER_NS)
        return;
    d->res[s->res]->slow_conns++;
    stream_mark_slow(d, s);
}

void bw_detect__stream_scan(struct bw_detect *d)
{
    d->scan_no++;
    for (size_t i = 0; i < d->n_res; i++)
        d->res[i]->slow_conns = 0;
    if (d->n_partial == 0)
        return;
    /* Only the streams holding a partial head: the bitmap, not the table, is walked. */
    for (size_t w = 0; w < sizeof d->partial / sizeof d->partial[0]; w++) {
        for (uint64_t bits = d->partial[w]; bits; bits &= bits - 1) {
            size_t i = w * 64 + (size_t)__builtin_ctzll(bits);
            stream_scan_one(d, &d->stream[i], i);
        }
    }
}
