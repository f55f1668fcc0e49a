/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What an attack keeps while it lasts and how it is summarised: per-vector packet
 * counts, Space-Saving top contributors (source IP, source port, TTL, packet size;
 * for REQUEST_FLOOD the requesting IPs, User-Agents and URLs), a HyperLogLog of
 * distinct sources, and 1-in-N packet samples up to a bound.
 */
#include "detect/state.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sample(struct bw_detect *d, struct attack_priv *a, const struct bw_detect_pkt *p)
{
    if (a->sample_in > 0) { /* the 1st, (N+1)th, ... packet: a countdown, no division */
        a->sample_in--;
        return;
    }
    a->sample_in = d->cfg.sample_every - 1;
    if (a->pub.n_samples >= d->cfg.sample_max || !p->frame || p->frame_len == 0)
        return;
    if (a->pub.n_samples == a->cap_samples) {
        a->cap_samples = a->cap_samples ? 2 * a->cap_samples : 16;
        a->pub.samples = realloc(a->pub.samples, a->cap_samples * sizeof *a->pub.samples);
        if (!a->pub.samples)
            bw_oom();
    }
    struct bw_detect_sample *s = &a->pub.samples[a->pub.n_samples++];
    s->ts_ns = p->ts_ns;
    s->len = p->frame_len;
    s->data = malloc(p->frame_len);
    if (!s->data)
        bw_oom();
    memcpy(s->data, p->frame, p->frame_len);
}

/* The top-contributor sketches see every attack packet while the attack sends up to
 * NET_FULL packets a tick; above that, a pseudo-random 1 in net_every (a power of two, set
 * each tick from the last tick's count) with weight net_every: the estimates stay
 * unbiased and the sketch work per tick stays bounded. Pseudo-random, not every N-th:
 * a flood cycling through a few sources must not alias with the sampling period. */
#define NET_FULL  32
#define NET_EVERY 1024

static bool net_pick(struct bw_detect *d, uint32_t every)
{
    if (every <= 1)
        return true;
    uint64_t x = d->rng; /* xorshift64: deterministic, same capture, same report */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    d->rng = x;
    return (x >> 40 & (every - 1)) == 0;
}

void bw_detect__attack_rate(struct attack_priv *a)
{
    uint64_t n = a->net_total - a->net_tick;
    a->net_tick = a->net_total;
    uint32_t every = 1;
    while (every < NET_EVERY && n > (uint64_t)NET_FULL * every)
        every *= 2;
    a->net_every = every;
}

static void attack_sketch(struct bw_detect *d, struct attack_priv *a, const struct bw_detect_pkt *p,
                          uint64_t sk)
{
    a->net_total++;
    bw_detect__hll_add(&a->srcs, sk);
    if (!net_pick(d, a->net_every))
        return;
    uint64_t w = a->net_every;
    const struct bw_net_flow *f = p->flow;
    /* The source's table hash keys the IP sketch; small keys are their own hashes. */
    bw_detect__ss_add_h(&a->ip, sk, f->saddr, 16, w);
    bw_detect__ss_add_h(&a->port, f->sport, &f->sport, 2, w);
    bw_detect__ss_add_h(&a->ttl, f->ttl, &f->ttl, 1, w);
    bw_detect__ss_add_h(&a->size, p->wire_len, &p->wire_len, 4, w);
}

void bw_detect__attack_note(struct bw_detect *d, struct res *r, int vector,
                            const struct bw_detect_pkt *p, const struct src_entry *e, uint64_t sk)
{
    struct attack_priv *a = d->attacks[r->attack];
    a->pub.pkts++;
    a->pub.bytes += p->wire_len;
    if (a->pub.vectors & (1u << BW_DETECT_V_SLOWLORIS | 1u << BW_DETECT_V_REQUEST_FLOOD)) {
        /* Layer-7 vectors: the packets of the sources flagged for them. */
        if (bw_detect__src_slow(e) && (a->pub.vectors & (1u << BW_DETECT_V_SLOWLORIS)))
            vector = BW_DETECT_V_SLOWLORIS;
        else if (e && (e->flags & SRC_REQ_BLOCK) &&
                 (a->pub.vectors & (1u << BW_DETECT_V_REQUEST_FLOOD)))
            vector = BW_DETECT_V_REQUEST_FLOOD;
    }
    if (vector < 0 || !(a->pub.vectors & (1u << vector)))
        return;
    if (vector != BW_DETECT_V_REQUEST_FLOOD)
        a->pub.vector_pkts[vector]++; /* REQUEST_FLOOD counts requests */
    attack_sketch(d, a, p, sk);
    sample(d, a, p);
}

void bw_detect__attack_note_req(struct bw_detect *d, struct res *r, const struct bw_detect_pkt *p,
                                const struct bw_detect__http_req *req)
{
    if (r->attack < 0)
        return;
    struct attack_priv *a = d->attacks[r->attack];
    a->pub.requests++;
    if (!(a->pub.vectors & (1u << BW_DETECT_V_REQUEST_FLOOD)))
        return;
    a->pub.vector_pkts[BW_DETECT_V_REQUEST_FLOOD]++;
    bw_detect__ss_add(&a->req_ip, p->flow->saddr, 16, 1);
    if (req->ua_len)
        bw_detect__ss_add(&a->ua, req->ua, req->ua_len, 1);
    else
        bw_detect__ss_add(&a->ua, "-", 1, 1);
    bw_detect__ss_add(&a->url, req->url, req->url_len, 1);
}

void bw_detect__attack_free(struct attack_priv *a)
{
    for (size_t j = 0; j < a->pub.n_samples; j++)
        free(a->pub.samples[j].data);
    free(a->pub.samples);
    free(a);
}

size_t bw_detect_attack_forget(struct bw_detect *d, uint64_t before_ns)
{
    size_t kept = 0, freed = 0;
    for (size_t i = 0; i < d->n_attacks; i++) {
        struct attack_priv *a = d->attacks[i];
        if (a->pub.end_ns != 0 && a->pub.end_ns < before_ns) {
            bw_detect__attack_free(a);
            freed++;
            continue;
        }
        for (size_t r = 0; r < d->n_res; r++) /* open attacks move down: follow them */
            if (d->res[r]->attack == (int)i)
                d->res[r]->attack = (int)kept;
        d->attacks[kept++] = a;
    }
    d->n_attacks = kept;
    return freed;
}

size_t bw_detect_attack_count(const struct bw_detect *d)
{
    return d->n_attacks;
}

static void addr_text(const uint8_t *k, size_t klen, char *out, size_t cap)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (klen != 16 || !inet_ntop(memcmp(k, mapped, 12) == 0 ? AF_INET : AF_INET6,
                                 memcmp(k, mapped, 12) == 0 ? k + 12 : k, out, (socklen_t)cap))
        snprintf(out, cap, "?");
}

enum key_kind { K_ADDR, K_U16, K_U8, K_U32, K_TEXT };

static void key_text(enum key_kind kind, const uint8_t *k, size_t klen, char *out, size_t cap)
{
    uint16_t u16;
    uint32_t u32;
    switch (kind) {
    case K_ADDR:
        addr_text(k, klen, out, cap);
        break;
    case K_U16:
        memcpy(&u16, k, 2);
        snprintf(out, cap, "%u", u16);
        break;
    case K_U8:
        snprintf(out, cap, "%u", k[0]);
        break;
    case K_U32:
        memcpy(&u32, k, 4);
        snprintf(out, cap, "%u", u32);
        break;
    case K_TEXT: {
        size_t i = 0;
        for (; i < klen && i + 1 < cap; i++)
            out[i] = (k[i] >= 0x20 && k[i] < 0x7f) ? (char)k[i] : '?';
        out[i] = 0;
        break;
    }
    }
}

static void top(struct bw_detect__ss *s, enum key_kind kind, struct bw_detect_contrib *out)
{
    bw_detect__ss_sort(s);
    memset(out, 0, sizeof(struct bw_detect_contrib) * BW_DETECT_TOP);
    for (size_t i = 0; i < BW_DETECT_TOP && i < s->n; i++) {
        key_text(kind, s->e[i].key, s->e[i].klen, out[i].name, sizeof out[i].name);
        out[i].value = s->count[i];
    }
}

const struct bw_detect_attack *bw_detect_attack_get(struct bw_detect *d, size_t i)
{
    if (i >= d->n_attacks)
        return NULL;
    struct attack_priv *a = d->attacks[i];
    top(&a->ip, K_ADDR, a->pub.top_ip);
    top(&a->port, K_U16, a->pub.top_port);
    top(&a->ttl, K_U8, a->pub.top_ttl);
    top(&a->size, K_U32, a->pub.top_size);
    top(&a->req_ip, K_ADDR, a->pub.top_req_ip);
    top(&a->ua, K_TEXT, a->pub.top_ua);
    top(&a->url, K_TEXT, a->pub.top_url);
    a->pub.distinct_sources = (uint64_t)(bw_detect__hll_count(&a->srcs) + 0.5);
    a->pub.net_total = a->net_total;
    a->pub.req_total = a->req_ip.total;
    return &a->pub;
}

bool bw_detect_baseline_get(const struct bw_detect *d, size_t i, enum bw_detect_metric m,
                            struct bw_detect_baseline *out)
{
    if (i >= d->n_res || (unsigned)m >= BW_DETECT_M__COUNT)
        return false;
    const struct res *r = d->res[i];
    out->mean = r->base[m].mean;
    out->sd = r->base[m].var > 0 ? __builtin_sqrt(r->base[m].var) : 0;
    out->last = r->last[m];
    out->n = r->base[m].n;
    return true;
}
