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

void bw_detect__conn_filter_rebuild(struct bw_detect *d)
{
    d->filter_adds = 0;
    memset(d->conn_filter, 0, (1u << CONN_FILTER_BITS) / 8);
    for (size_t i = 0; i < (size_t)CONN_SETS * WAYS; i++)
        if (d->conn[i].tag)
            bw_detect__filter_add(d, d->conn[i].tag);
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

/* The stream filter: a bit per slice of the key (its top 16 bits), set when a stream
 * entry is made. Most request heads arrive whole and never take an entry, so most
 * lookups stop at a clear bit in this 512-byte bitmap instead of the 64 KiB key array. */
static bool sfilter_has(const struct bw_detect *d, uint64_t key)
{
    return d->stream_filter[key >> 58] >> (key >> 52 & 63) & 1;
}

void bw_detect__stream_filter_rebuild(struct bw_detect *d)
{
    d->stream_filter_adds = 0;
    memset(d->stream_filter, 0, sizeof d->stream_filter);
    for (size_t i = 0; i < (size_t)STREAM_SETS * WAYS; i++)
        if (d->stream_keys[i])
            d->stream_filter[d->stream_keys[i] >> 58] |= 1ULL << (d->stream_keys[i] >> 52 & 63);
}

static struct stream_entry *stream_get(struct bw_detect *d, uint64_t key, bool create)
{
    if (!create && !sfilter_has(d, key))
        return NULL;
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
    d->stream_filter[key >> 58] |= 1ULL << (key >> 52 & 63);
    d->stream_filter_adds++;
    return victim;
}

void bw_detect__stream_close(struct bw_detect *d, uint64_t k)
{
    struct stream_entry *s = stream_get(d, k, false);
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

static bool stream_start(struct bw_detect *d, int res, const struct bw_detect_pkt *p,
                         const uint8_t *pl, size_t plen, uint64_t k, struct stream_entry **out)
{
    if (!bw_detect__http_looks_like(pl, plen))
        return false;
    struct stream_entry *s = stream_get(d, k, true);
    s->next_seq = p->flow->tcp_seq;
    set_len(d, s, 0);
    s->first_ns = p->ts_ns;
    s->res = (int16_t)res;
    memcpy(s->src, p->flow->saddr, 16);
    *out = s;
    return true;
}

/* The common case, parsed in place without a copy: no bytes pending and the segment
 * holds one whole request head, followed by nothing or by body bytes. Returns false
 * (having changed nothing) when the segment needs the buffer. Same outcome as buffering
 * it: the entry, if any, only moves on to the next sequence number. */
static bool stream_direct(struct bw_detect *d, int res, const struct bw_detect_pkt *p,
                          const uint8_t *pl, size_t plen, struct stream_entry *s,
                          bw_detect__req_fn fn)
{
    size_t n = plen < STREAM_BUF ? plen : STREAM_BUF;
    struct bw_detect__http_req req;
    if (bw_detect__http_parse(pl, n, &req) != 1) /* -1 at once when it does not look like HTTP */
        return false;
    size_t rest = n - req.head_len;
    if (rest > 0 && bw_detect__http_looks_like(pl + req.head_len, rest))
        return false; /* pipelined heads: the buffered path handles them */
    if (s) {
        s->next_seq = p->flow->tcp_seq + (uint32_t)plen;
        s->last_ns = p->ts_ns;
        s->first_ns = 0;
    }
    fn(d, s ? s->res : res, p, &req);
    return true;
}

int bw_detect__stream_feed(struct bw_detect *d, int res, const struct bw_detect_pkt *p, uint64_t k,
                           bw_detect__req_fn fn)
{
    uint32_t plen;
    const uint8_t *pl = bw_detect__payload(p, &plen);
    if (!pl)
        return 0;
    uint32_t seq = p->flow->tcp_seq;
    struct stream_entry *s = stream_get(d, k, false);
    if (s && s->len == 0 && seq != s->next_seq)
        s = NULL; /* a new head may start anywhere after a body we skipped */
    if ((!s || s->len == 0) && stream_direct(d, res, p, pl, plen, s, fn))
        return 1;
    if (!s && !stream_start(d, res, p, pl, plen, k, &s))
        return 0;
    if (s->len > 0 && seq != s->next_seq)
        return 0; /* out of order or retransmitted: wait for the expected bytes */
    if (s->len == 0)
        s->first_ns = p->ts_ns;
    size_t room = STREAM_BUF - s->len;
    size_t n = plen < room ? plen : room;
    memcpy(sbuf(d, s) + s->len, pl, n);
    set_len(d, s, s->len + n);
    s->next_seq = seq + plen;
    s->last_ns = p->ts_ns;
    return stream_drain(d, p, s, fn);
}

/* A slow head of the source of s: the first marks it SRC_SLOW1, the second SRC_SLOW.
 * Marked entries are listed so the next scan clears exactly them. */
static void stream_mark_slow(struct bw_detect *d, struct stream_entry *s)
{
    struct src_entry *e = bw_detect__src_get(d, bw_detect__src_hash(s->src), 0, false);
    if (!e)
        return;
    if (!(e->flags & (SRC_SLOW1 | SRC_SLOW)))
        d->slow_src[d->n_slow_src++] = e; /* at most one per stream: the list cannot overflow */
    e->flags |= (e->flags & SRC_SLOW1) ? SRC_SLOW : SRC_SLOW1;
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
    for (size_t i = 0; i < d->n_slow_src; i++) /* the latest scan only */
        d->slow_src[i]->flags &= (uint8_t) ~(SRC_SLOW1 | SRC_SLOW);
    d->n_slow_src = 0;
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
