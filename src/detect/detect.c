/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The packet path: find the protected resource a packet is for, count it into the
 * resource's current tick, gather evidence (handshakes, resource-initiated TCP, UDP
 * peers the resource asked, HTTP requests), and return the verdict the fast path
 * gives it with the mitigations installed so far and the priority admission of the
 * last tick. Packets from a resource are evidence only and always pass.
 */
#include "detect/state.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

void bw_detect_config_default(struct bw_detect_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->tick_ms = 100;
    cfg->warmup_s = 20;
    cfg->declare_ticks = 5;
    cfg->end_s = 3;
    cfg->sigma = 6;
    cfg->ratio = 3;
    cfg->floor_scale = 1;
    cfg->sample_every = 100;
    cfg->sample_max = 1000;
    cfg->http_ports[0] = 80;
    cfg->n_http_ports = 1;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p)
        bw_oom();
    return p;
}

#define HUGE_PAGE ((size_t)2 << 20)

/* The hot tables in one block of huge pages where the kernel gives them (2 MiB TLB
 * entries: a random source or connection lookup costs no page walk), zeroed here so the
 * packet path never takes a first-touch page fault. */
static void *tables_alloc(size_t len)
{
    len = (len + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    void *p = aligned_alloc(HUGE_PAGE, len);
    if (!p)
        bw_oom();
#ifdef MADV_HUGEPAGE
    (void)madvise(p, len, MADV_HUGEPAGE); /* a hint: without it, 4 KiB pages */
#endif
    memset(p, 0, len);
    return p;
}

static void tables_init(struct bw_detect *d)
{
    size_t src = (size_t)SRC_SETS * SRC_WAYS * sizeof *d->src;
    size_t conn = (size_t)CONN_SETS * WAYS * sizeof *d->conn;
    size_t filter = (1u << CONN_FILTER_BITS) / 8;
    size_t skeys = (size_t)STREAM_SETS * WAYS * sizeof *d->stream_keys;
    uint8_t *t = tables_alloc(src + conn + filter + skeys);
    d->tables = t;
    d->src = (struct src_entry *)t;
    d->conn = (struct conn_entry *)(t + src);
    d->conn_filter = (uint64_t *)(t + src + conn);
    d->stream_keys = (uint64_t *)(t + src + conn + filter);
}

/* Zeroed memory aligned to a cache line (sets must not straddle lines). */
static void *xalloc64(size_t len)
{
    void *p = aligned_alloc(64, (len + 63) & ~(size_t)63);
    if (!p)
        bw_oom();
    memset(p, 0, len);
    return p;
}

struct bw_detect *bw_detect_new(const struct bw_detect_config *cfg)
{
    struct bw_detect *d = xcalloc(1, sizeof *d);
    d->cfg = *cfg;
    if (d->cfg.tick_ms < 10 || d->cfg.tick_ms > 1000 || 1000 % d->cfg.tick_ms != 0)
        d->cfg.tick_ms = 100;
    if (d->cfg.sample_every == 0)
        d->cfg.sample_every = 1;
    if (!(d->cfg.floor_scale > 0))
        d->cfg.floor_scale = 1;
    if (d->cfg.declare_ticks == 0)
        d->cfg.declare_ticks = 1;
    d->tick_ns = (uint64_t)d->cfg.tick_ms * 1000000ULL;
    d->ticks_per_s = 1000 / d->cfg.tick_ms;
    d->rng = 0x9e3779b97f4a7c15ULL;
    d->stream_buf = xalloc64((size_t)STREAM_SETS * WAYS * STREAM_BUF);
    d->stream = xalloc64((size_t)STREAM_SETS * WAYS * sizeof *d->stream);
    d->slow_src = xcalloc((size_t)STREAM_SETS * WAYS, sizeof *d->slow_src);
    tables_init(d); /* the hot tables last: the freshest in the caches */
    return d;
}

void bw_detect_free(struct bw_detect *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_res; i++) {
        free(d->res[i]->arn);
        free(d->res[i]);
    }
    for (size_t i = 0; i < d->n_attacks; i++)
        bw_detect__attack_free(d->attacks[i]);
    free(d->attacks);
    free(d->tables);
    free(d->slow_src);
    free(d->stream);
    free(d->stream_buf);
    free(d);
}

/* An address inside a resource: (addr & mask) == net, word by word. */
static bool prefix_match(const uint64_t w[2], const struct res_pfx *r)
{
    return (w[0] & r->mask[0]) == r->net[0] && (w[1] & r->mask[1]) == r->net[1];
}

static void prefix_words(struct res *r)
{
    uint8_t m[16] = {0};
    for (unsigned i = 0; i < r->plen; i++)
        m[i / 8] |= (uint8_t)(0x80 >> (i % 8));
    memcpy(r->mask, m, 16);
    memcpy(r->net, r->addr, 16);
    r->net[0] &= r->mask[0];
    r->net[1] &= r->mask[1];
}

static unsigned lpm_bucket(uint64_t upper)
{
    return (unsigned)((upper * 0x9e3779b97f4a7c15ULL) >> 58);
}

/* Rebuilds the LPM buckets from pfx[] (after an insertion moved them). */
static void lpm_build(struct bw_detect *d)
{
    memset(d->lpm, 0, sizeof d->lpm);
    for (size_t i = 0; i < d->n_res; i++) {
        if (d->pfx[i].plen >= 64) {
            d->lpm[lpm_bucket(d->pfx[i].net[0])] |= 1ULL << i;
            continue;
        }
        for (size_t b = 0; b < 64; b++)
            d->lpm[b] |= 1ULL << i;
    }
}

enum bw_code bw_detect_resource_add(struct bw_detect *d, const uint8_t addr[16],
                                    unsigned prefix_len, const char *arn, struct bw_err *err)
{
    if (d->n_res == MAX_RES)
        return bw_fail(err, BW_E_VALIDATION, "at most %d protected resources", MAX_RES);
    if (prefix_len > 128 || !arn || !*arn)
        return bw_fail(err, BW_E_VALIDATION, "bad resource prefix or ARN");
    struct res *r = xcalloc(1, sizeof *r);
    memcpy(r->addr, addr, 16);
    r->plen = prefix_len;
    prefix_words(r);
    r->arn = strdup(arn);
    if (!r->arn)
        bw_oom();
    r->attack = -1;
    /* Most specific first (after the equally specific ones added before): the packet
     * path stops at the first match. */
    size_t at = d->n_res;
    while (at > 0 && d->pfx[at - 1].plen < r->plen) {
        d->pfx[at] = d->pfx[at - 1];
        at--;
    }
    d->pfx[at] = (struct res_pfx){.mask = {r->mask[0], r->mask[1]},
                                  .net = {r->net[0], r->net[1]},
                                  .plen = r->plen,
                                  .res = (int)d->n_res};
    d->res[d->n_res++] = r;
    lpm_build(d);
    return BW_OK;
}

static bool parse_addr(const char *s, uint8_t out[16], bool *v4)
{
    struct in_addr a4;
    if (inet_pton(AF_INET, s, &a4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &a4, 4);
        *v4 = true;
        return true;
    }
    *v4 = false;
    return inet_pton(AF_INET6, s, out) == 1;
}

enum bw_code bw_detect_resource_parse(struct bw_detect *d, const char *spec, struct bw_err *err)
{
    char buf[256], arn[512];
    const char *eq = strchr(spec, '=');
    size_t alen = eq ? (size_t)(eq - spec) : strlen(spec);
    if (alen == 0 || alen >= sizeof buf || (eq && strlen(eq + 1) >= sizeof arn))
        return bw_fail(err, BW_E_VALIDATION, "bad --protect value '%s'", spec);
    memcpy(buf, spec, alen);
    buf[alen] = 0;
    char *slash = strchr(buf, '/');
    long plen = -1;
    if (slash) {
        char *end;
        *slash = 0;
        plen = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1 || plen < 0 || plen > 128)
            return bw_fail(err, BW_E_VALIDATION, "bad prefix length in '%s'", spec);
    }
    uint8_t addr[16];
    bool v4;
    if (!parse_addr(buf, addr, &v4) || (v4 && plen > 32))
        return bw_fail(err, BW_E_VALIDATION, "bad address in '%s'", spec);
    unsigned p128 = plen < 0 ? 128 : (unsigned)(v4 ? plen + 96 : plen);
    if (eq)
        snprintf(arn, sizeof arn, "%s", eq + 1);
    else
        snprintf(arn, sizeof arn, "arn:aws:ec2:::eip-allocation/%s", buf);
    return bw_detect_resource_add(d, addr, p128, arn, err);
}

void bw_detect__res_text(const struct res *r, char *out, size_t cap)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    bool v4 = memcmp(r->addr, mapped, 12) == 0 && r->plen >= 96;
    char a[INET6_ADDRSTRLEN] = "?";
    inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? r->addr + 12 : r->addr, a, sizeof a);
    unsigned full = v4 ? 32 : 128, plen = v4 ? r->plen - 96 : r->plen;
    if (plen == full)
        snprintf(out, cap, "%s", a);
    else
        snprintf(out, cap, "%s/%u", a, plen);
}

static int res_find(const struct bw_detect *d, const uint8_t *a)
{
    uint64_t w[2];
    memcpy(w, a, 16);
    for (uint64_t c = d->lpm[lpm_bucket(w[0])]; c; c &= c - 1) {
        unsigned i = (unsigned)__builtin_ctzll(c); /* most specific first */
        if (prefix_match(w, &d->pfx[i]))
            return d->pfx[i].res;
    }
    return -1;
}

bool bw_detect_is_protected(const struct bw_detect *d, const uint8_t addr[16])
{
    return res_find(d, addr) >= 0;
}

const char *bw_detect_drop_name(enum bw_detect_drop r)
{
    static const char *const n[] = {"passed", "mitigated", "deprioritised"};
    return (unsigned)r < BW_DETECT_DROP__COUNT ? n[r] : "unknown";
}

uint64_t bw_detect_drops(const struct bw_detect *d, enum bw_detect_drop reason)
{
    return (unsigned)reason < BW_DETECT_DROP__COUNT ? d->drops[reason] : 0;
}

void bw_detect_tick(struct bw_detect *d, uint64_t now_ns)
{
    if (d->next_tick_ns == 0) {
        d->epoch_ns = now_ns / 1000000000ULL * 1000000000ULL;
        d->next_tick_ns = (now_ns / d->tick_ns + 1) * d->tick_ns;
        d->now_ns = now_ns;
        return;
    }
    /* After a long silence, run enough ticks to drain the windows, then jump. */
    uint64_t max_run = 30ULL * d->ticks_per_s;
    for (uint64_t n = 0; now_ns >= d->next_tick_ns; n++) {
        if (n == max_run) {
            d->next_tick_ns = (now_ns / d->tick_ns + 1) * d->tick_ns;
            break;
        }
        bw_detect__run_tick(d, d->next_tick_ns);
        d->next_tick_ns += d->tick_ns;
    }
    if (now_ns > d->now_ns)
        d->now_ns = now_ns;
}

/* A packet from a resource: evidence only (the peers it talks to, the connections it
 * opens, the UDP peers it asks). */
static void outbound(struct bw_detect *d, const struct bw_detect_pkt *p)
{
    const struct bw_net_flow *f = p->flow;
    uint32_t plen;
    if (f->proto == 6 && !(f->tcp_flags & TCP_SYN) && bw_detect__payload(p, &plen)) {
        /* The resource sends data: the peer is in a real conversation with it. */
        struct src_entry *e = bw_detect__src_get(d, bw_detect__src_hash(f->daddr), d->now_ms, true);
        if (e)
            e->flags |= SRC_ANSWERED;
    } else if (f->proto == 6 && (f->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
        uint64_t k = bw_detect__conn_key(f->daddr, f->dport, f->saddr, f->sport, CONN_TCP_KEY);
        struct conn_entry *c = bw_detect__conn_get(d, k, p->ts_ns, true);
        if (c->state == 0)
            c->state = CONN_OUT;
    } else if (f->proto == 17 &&
               (!(f->flags & BW_NET_F_FRAG) || (f->flags & BW_NET_F_FRAG_FIRST))) {
        uint64_t k = bw_detect__conn_key(f->daddr, f->dport, f->saddr, f->sport, CONN_ASKED);
        bw_detect__conn_get(d, k, p->ts_ns, true)->state = CONN_ASKED;
    }
}

static bool is_http_port(const struct bw_detect *d, uint16_t port)
{
    for (size_t i = 0; i < d->cfg.n_http_ports; i++)
        if (d->cfg.http_ports[i] == port)
            return true;
    return false;
}

static void count(struct res *r, enum tick_ctr c)
{
    r->ring[r->cur][c]++;
}

static void bump(uint8_t *n)
{
    *n = (uint8_t)(*n + (*n < UINT8_MAX)); /* saturating: the limits are far below */
}

/* A TCP segment to a resource: handshake tracking; returns its vector or -1. One
 * lookup per segment: a 4-tuple is either a client's connection (SYN, EST) or one the
 * resource opened (OUT), so both share one key. */
static int tcp_in(struct bw_detect *d, struct res *r, struct src_entry *e,
                  const struct bw_detect_pkt *p, uint64_t k)
{
    uint8_t f = p->flow->tcp_flags;
    count(r, C_TCP);
    bool syn = (f & (TCP_SYN | TCP_ACK)) == TCP_SYN;
    struct conn_entry *c = bw_detect__conn_get(d, k, p->ts_ns, syn);
    if (syn) {
        count(r, C_SYN);
        if (e)
            bump(&e->syn_sec);
        if (c->state != CONN_EST && c->state != CONN_OUT)
            c->state = CONN_SYN;
        return BW_DETECT_V_SYN_FLOOD;
    }
    if (e)
        e->flags |= SRC_NON_SYN;
    if (f & TCP_SYN) { /* SYN-ACK: only as the answer to a SYN the resource sent */
        if (c && c->state == CONN_OUT)
            return -1;
        count(r, C_STRAY_SYNACK);
        return BW_DETECT_V_HTTP_REFLECTION;
    }
    if (!(f & TCP_ACK) || (f & TCP_RST))
        return -1;
    if (!c && p->ts_ns - r->first_ns < (uint64_t)d->cfg.warmup_s * 1000000000ULL) {
        /* Warm-up: connections older than the detector are adopted, not stray. */
        c = bw_detect__conn_get(d, k, p->ts_ns, true);
        c->state = CONN_EST;
    }
    if (!c) {
        count(r, C_STRAY_ACK);
        return BW_DETECT_V_ACK_FLOOD;
    }
    if (c->state == CONN_SYN) {
        c->state = CONN_EST;
        count(r, C_EST);
        if (e)
            e->flags |= SRC_HANDSHAKE;
    }
    bw_detect__conn_touch(d, c, p->ts_ns);
    return -1;
}

/* The key of a fragmented datagram's rest (source, IP id, protocol). */
static uint64_t frag_key(const struct bw_net_flow *f)
{
    uint8_t fk[24];
    memcpy(fk, f->saddr, 16);
    memcpy(fk + 16, &f->frag_id, 4);
    memcpy(fk + 20, &f->proto, 1);
    memset(fk + 21, 0, 3);
    return bw_detect__hash(fk, sizeof fk, 3) | 1;
}

static bool later_frag(const struct bw_net_flow *f)
{
    return (f->flags & (BW_NET_F_FRAG | BW_NET_F_FRAG_FIRST)) == BW_NET_F_FRAG;
}

/* A UDP datagram or IP fragment to a resource; returns its vector or -1.
 * k: the asked-peer key (conn_key CONN_ASKED), computed and prefetched by the caller. */
static int udp_in(struct bw_detect *d, struct res *r, const struct bw_detect_pkt *p, uint64_t k)
{
    const struct bw_net_flow *f = p->flow;
    bool frag = (f->flags & BW_NET_F_FRAG) != 0;
    if (later_frag(f)) {
        if (bw_detect__conn_get(d, frag_key(f), p->ts_ns, false))
            return -1; /* the rest of an answer the resource asked for */
        count(r, C_FRAG);
        return BW_DETECT_V_UDP_FRAGMENT;
    }
    if (f->proto != 17)
        return -1;
    count(r, C_UDP);
    if (bw_detect__conn_get(d, k, p->ts_ns, false)) {
        if (frag)
            bw_detect__conn_get(d, frag_key(f), p->ts_ns, true)->state = CONN_ASKED;
        return -1;
    }
    int v = bw_detect__udp_reflector(f->sport);
    if (frag && v < 0) { /* the head of an unsolicited fragmented datagram */
        count(r, C_FRAG);
        return BW_DETECT_V_UDP_FRAGMENT;
    }
    if (v < 0) {
        count(r, C_UDP_UNKNOWN);
        return BW_DETECT_V_UDP_TRAFFIC;
    }
    r->ring_refl[r->cur][v]++;
    r->refl_live |= 1u << v;
    return v;
}

static void on_request(struct bw_detect *d, int ri, const struct bw_detect_pkt *p,
                       const struct bw_detect__http_req *req)
{
    struct res *r = d->res[ri];
    count(r, C_REQ);
    struct src_entry *e = d->cur_src; /* the source of the packet that carried it */
    if (e) {
        e->req_sec = (uint16_t)(e->req_sec + (e->req_sec < UINT16_MAX));
        if (e->req_sec > REQ_RATE)
            e->flags |= SRC_REQ_BLOCK;
        /* The top source's requests this second, exactly: its own counter. */
        if (e->req_sec > r->sec_req_max)
            r->sec_req_max = e->req_sec;
    }
    bw_detect__attack_note_req(d, r, p, req);
}

/* Seen before the attack began (or more than 5 s ago when none is open). */
static bool src_old(const struct bw_detect *d, const struct res *r, const struct src_entry *e)
{
    if (r->attack >= 0)
        return (int32_t)(e->first - r->attack_start_ms) < 0;
    return (int32_t)(d->now_ms - e->first) > 5000;
}

static int score(const struct bw_detect *d, const struct res *r, const struct src_entry *e, int vec)
{
    if (vec >= 0 && vec != BW_DETECT_V_SYN_FLOOD && vec != BW_DETECT_V_UDP_TRAFFIC)
        return 0; /* reflection, stray ACK or SYN-ACK, unsolicited fragment */
    if (!e || (e->flags & (SRC_REQ_BLOCK | SRC_SLOW)))
        return 0;
    if (e->flags & SRC_VALUABLE)
        return 3;
    if (src_old(d, r, e))
        return 2;
    return (e->flags & SRC_NON_SYN) ? 1 : 0;
}

/* The vector whose installed rule drops the packet, or -1. */
static int mitigated(const struct res *r, const struct src_entry *e, int vec, int s)
{
    if (r->rules == 0)
        return -1; /* no attack under way: the common case */
    if (e && (r->rules >> BW_DETECT_V_REQUEST_FLOOD & 1) && (e->flags & SRC_REQ_BLOCK))
        return BW_DETECT_V_REQUEST_FLOOD;
    if ((r->rules >> BW_DETECT_V_SLOWLORIS & 1) && bw_detect__src_slow(e))
        return BW_DETECT_V_SLOWLORIS;
    if (vec < 0 || !(r->rules >> vec & 1))
        return -1;
    if (vec == BW_DETECT_V_SYN_FLOOD)
        return e && e->syn_sec > SYN_RATE ? vec : -1;
    if (vec == BW_DETECT_V_UDP_TRAFFIC)
        return s < 2 ? vec : -1; /* no history with the resource */
    return vec;
}

static enum bw_detect_drop admit(struct bw_detect *d, struct res *r, int s)
{
    if (d->cfg.capacity_pps == 0)
        return BW_DETECT_PASS; /* the histogram feeds only the admission */
    r->score_hist[s]++;
    if (s >= r->min_score)
        return BW_DETECT_PASS;
    if (s == r->min_score - 1 && r->admit_p > 0) {
        r->admit_acc += r->admit_p; /* deterministic fractional admission */
        if (r->admit_acc >= 1) {
            r->admit_acc -= 1;
            return BW_DETECT_PASS;
        }
    }
    return BW_DETECT_DROP_DEPRIORITISED;
}

/* The source's entry, its per-second counters moved on to this second. */
static struct src_entry *src_touch(struct bw_detect *d, uint64_t sk)
{
    struct src_entry *e = bw_detect__src_get(d, sk, d->now_ms, true);
    if (!e)
        return NULL;
    if (e->last / 1000 != d->now_ms / 1000) { /* the epoch is a whole second */
        e->syn_sec = e->req_sec = 0;
        e->flags &= (uint8_t)~SRC_REQ_BLOCK; /* a rate limit, not a ban: each second anew */
    }
    e->last = d->now_ms;
    return e;
}

/* Counts a packet by protocol and gathers its evidence; returns its vector or -1. */
static int classify(struct bw_detect *d, int ri, struct src_entry *e, const struct bw_detect_pkt *p,
                    uint64_t ck)
{
    struct res *r = d->res[ri];
    const struct bw_net_flow *f = p->flow;
    if (e && f->proto != 6)
        e->flags |= SRC_NON_SYN;
    if (later_frag(f) || f->proto == 17)
        return udp_in(d, r, p, ck);
    if (f->proto == 1 || f->proto == 58)
        count(r, C_ICMP);
    if (f->proto != 6)
        return -1;
    int vec = tcp_in(d, r, e, p, ck);
    if (is_http_port(d, f->dport)) {
        if (f->tcp_flags & (TCP_FIN | TCP_RST))
            bw_detect__stream_close(d, ck);
        else if (f->payload_len > 0) /* what the header claims; the feed bounds it */
            bw_detect__stream_feed(d, ri, p, ck, on_request);
    }
    return vec;
}

void bw_detect_malformed(struct bw_detect *d, const uint8_t dst[16], uint64_t ts_ns)
{
    bw_detect_tick(d, ts_ns);
    int ri = res_find(d, dst);
    if (ri >= 0 && d->res[ri]->seen)
        count(d->res[ri], C_MALFORMED);
}

/* The connection-table key an inbound packet looks up: its TCP 4-tuple, or for UDP
 * (not a later fragment) the asked-peer key; 0 for the rest. */
static uint64_t in_key(const struct bw_net_flow *f)
{
    if (later_frag(f) || (f->proto != 6 && f->proto != 17))
        return 0;
    return bw_detect__conn_key(f->saddr, f->sport, f->daddr, f->dport,
                               f->proto == 6 ? CONN_TCP_KEY : CONN_ASKED);
}

void bw_detect_prefetch(const struct bw_detect *d, const struct bw_detect_pkt *p)
{
    bw_detect__src_prefetch(d, bw_detect__src_hash(p->flow->saddr));
    uint64_t ck = in_key(p->flow);
    if (ck)
        bw_detect__conn_prefetch(d, ck);
}

/* An inbound packet; sk and ck are its source hash and connection key (in_key), whose
 * table lines the caller prefetched. */
static enum bw_detect_drop inbound(struct bw_detect *d, int ri, const struct bw_detect_pkt *p,
                                   uint64_t sk, uint64_t ck)
{
    struct res *r = d->res[ri];
    if (!r->seen) {
        r->seen = true;
        r->first_ns = p->ts_ns;
    }
    count(r, C_PKTS);
    r->ring[r->cur][C_BYTES] += p->wire_len;
    struct src_entry *e = src_touch(d, sk);
    d->cur_src = e;
    bw_detect__hll_add(&r->sec_srcs, sk);
    int vec = classify(d, ri, e, p, ck);
    if (r->attack >= 0)
        bw_detect__attack_note(d, r, vec, p, e, sk);
    /* The score matters to priority admission (a capacity) and to UDP_TRAFFIC's rule. */
    int s =
        d->cfg.capacity_pps || (r->rules >> BW_DETECT_V_UDP_TRAFFIC & 1) ? score(d, r, e, vec) : 3;
    int m = mitigated(r, e, vec, s);
    if (m >= 0) {
        d->drops_by_rule[m]++;
        return BW_DETECT_DROP_MITIGATED;
    }
    return admit(d, r, s);
}

enum bw_detect_drop bw_detect_packet(struct bw_detect *d, const struct bw_detect_pkt *p)
{
    /* Start the table loads an inbound packet needs (its source's set, its connection's
     * set and filter word) before anything else: the ticks and the resource lookups run
     * while they come in. An outbound packet wastes the hashes, a few ns. */
    uint64_t sk = bw_detect__src_hash(p->flow->saddr), ck = in_key(p->flow);
    bw_detect__src_prefetch(d, sk);
    if (ck)
        bw_detect__conn_prefetch(d, ck);
    if (p->ts_ns >= d->next_tick_ns)
        bw_detect_tick(d, p->ts_ns); /* also the first packet: next_tick_ns is 0 */
    else if (p->ts_ns > d->now_ns)
        d->now_ns = p->ts_ns;
    d->now_ms = bw_detect__ms(d, p->ts_ns);
    const struct bw_net_flow *f = p->flow;
    enum bw_detect_drop v = BW_DETECT_PASS;
    if (res_find(d, f->saddr) >= 0) {
        outbound(d, p);
    } else {
        int to = res_find(d, f->daddr);
        if (to >= 0)
            v = inbound(d, to, p, sk, ck);
    }
    d->drops[v]++;
    return v;
}
