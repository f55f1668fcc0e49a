/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ticks, baselines and the attack lifecycle. Every tick (100 ms by default) each
 * resource's one-second window of counters is compared with its learned baseline:
 * a vector is declared when its metric stays above max(mean + sigma*sd, ratio*mean,
 * floor) for declare_ticks ticks, and ends when it stays below a lower threshold
 * (hysteresis) for end_s seconds. Baselines learn once a second while no attack is
 * open (an anomalous second only faintly: see learn_one).
 * Declaring a vector installs its mitigation rule; ending it removes the rule. The
 * priority admission (min score) for the next tick is computed from this tick's
 * score histogram when the resource is over its declared capacity.
 */
#include "detect/state.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALPHA 0.065 /* EWMA weight per second: about a 30 s memory */

static const char *const metric_names[BW_DETECT_M__COUNT] = {
    "packets",
    "bits",
    "syn",
    "sources",
    "tcp",
    "udp",
    "icmp",
    "fragments",
    "stray_ack",
    "stray_synack",
    "unanswered_syn",
    "udp_unknown",
    "requests",
    "requests_top_source",
    "slow_connections",
    "malformed",
};

const char *bw_detect_metric_name(enum bw_detect_metric m)
{
    return (unsigned)m < BW_DETECT_M__COUNT ? metric_names[m] : "unknown";
}

/* Absolute floors: below these rates nothing is an attack, whatever the baseline. */
static double base_floor(int v)
{
    switch (v) {
    case BW_DETECT_V_SYN_FLOOD:
    case BW_DETECT_V_HTTP_REFLECTION:
        return 200;
    case BW_DETECT_V_ACK_FLOOD:
        return 500;
    case BW_DETECT_V_UDP_FRAGMENT:
        return 300;
    case BW_DETECT_V_UDP_TRAFFIC:
        return 1000;
    case BW_DETECT_V_REQUEST_FLOOD:
        return 50;
    case BW_DETECT_V_SLOWLORIS:
        return 50;
    default:
        return 200; /* reflection */
    }
}

static double floor_of(const struct bw_detect *d, int v)
{
    return base_floor(v) * d->cfg.floor_scale;
}

/* The metric baseline a vector is judged by (or NULL for per-port reflection). */
static int metric_of(int v)
{
    switch (v) {
    case BW_DETECT_V_SYN_FLOOD:
        return BW_DETECT_M_UNANSWERED_SYN;
    case BW_DETECT_V_ACK_FLOOD:
        return BW_DETECT_M_STRAY_ACK;
    case BW_DETECT_V_HTTP_REFLECTION:
        return BW_DETECT_M_STRAY_SYNACK;
    case BW_DETECT_V_UDP_FRAGMENT:
        return BW_DETECT_M_FRAG;
    case BW_DETECT_V_UDP_TRAFFIC:
        return BW_DETECT_M_UDP_UNKNOWN;
    case BW_DETECT_V_REQUEST_FLOOD:
        return BW_DETECT_M_RPS;
    case BW_DETECT_V_SLOWLORIS:
        return BW_DETECT_M_SLOW_CONNS;
    default:
        return -1;
    }
}

/* The one-second window: the running sums of the finished ticks plus the current one
 * (no pass over the ring: see res_tick for how the sums are kept). Reflection counters
 * are read only for the ports that had packets in the window (refl_live). */
static void window(const struct res *r, double *m, double *refl)
{
    uint64_t c[C__COUNT];
    for (int i = 0; i < C__COUNT; i++)
        c[i] = r->sum[i] + r->ring[r->cur][i];
    m[BW_DETECT_M_PPS] = (double)c[C_PKTS];
    m[BW_DETECT_M_BPS] = 8.0 * (double)c[C_BYTES];
    m[BW_DETECT_M_SYN] = (double)c[C_SYN];
    m[BW_DETECT_M_SRCS] = r->sec_srcs_n;
    m[BW_DETECT_M_TCP] = (double)c[C_TCP];
    m[BW_DETECT_M_UDP] = (double)c[C_UDP];
    m[BW_DETECT_M_ICMP] = (double)c[C_ICMP];
    m[BW_DETECT_M_FRAG] = (double)c[C_FRAG];
    m[BW_DETECT_M_STRAY_ACK] = (double)c[C_STRAY_ACK];
    m[BW_DETECT_M_STRAY_SYNACK] = (double)c[C_STRAY_SYNACK];
    m[BW_DETECT_M_UNANSWERED_SYN] = c[C_SYN] > c[C_EST] ? (double)(c[C_SYN] - c[C_EST]) : 0;
    m[BW_DETECT_M_UDP_UNKNOWN] = (double)c[C_UDP_UNKNOWN];
    m[BW_DETECT_M_RPS] = (double)c[C_REQ];
    m[BW_DETECT_M_RPS_TOP_SRC] = r->sec_top_req;
    m[BW_DETECT_M_SLOW_CONNS] = r->slow_conns;
    m[BW_DETECT_M_MALFORMED] = (double)c[C_MALFORMED];
    memset(refl, 0, BW_DETECT_V__COUNT * sizeof *refl);
    for (uint32_t live = r->refl_live; live; live &= live - 1) {
        int v = __builtin_ctz(live);
        refl[v] = (double)(r->sum_refl[v] + r->ring_refl[r->cur][v]);
    }
}

static const struct bw_detect__ewma *base_of(const struct res *r, int v)
{
    int m = metric_of(v);
    return m >= 0 ? &r->base[m] : &r->refl_base[v];
}

static double high_of(const struct bw_detect *d, const struct res *r, int v)
{
    return bw_detect__ewma_high(base_of(r, v), d->cfg.sigma, d->cfg.ratio, floor_of(d, v));
}

static double low_of(const struct bw_detect *d, const struct res *r, int v)
{
    const struct bw_detect__ewma *b = base_of(r, v);
    return bw_detect__ewma_high(b, d->cfg.sigma / 2, 1.5, floor_of(d, v) / 2);
}

/* The thresholds move only when the baselines learn (once a second at most): they are
 * computed then, not every tick. */
static void thresholds(const struct bw_detect *d, struct res *r)
{
    for (int v = 0; v < BW_DETECT_V__COUNT; v++) {
        const struct bw_detect__ewma *b = base_of(r, v);
        if (r->thr_set >> v & 1 && b->mean == r->thr_mean[v] && b->var == r->thr_var[v])
            continue; /* that baseline learned nothing new (most are zero) */
        r->thr_set |= 1u << v;
        r->thr_mean[v] = b->mean;
        r->thr_var[v] = b->var;
        r->hi[v] = high_of(d, r, v);
        r->lo[v] = low_of(d, r, v);
    }
    r->gate_hi = bw_detect__ewma_high(&r->base[BW_DETECT_M_RPS_TOP_SRC], d->cfg.sigma, d->cfg.ratio,
                                      20 * d->cfg.floor_scale);
    r->thr_ok = true;
}

static double value_of(int v, const double *m, const double *refl)
{
    int mi = metric_of(v);
    return mi >= 0 ? m[mi] : refl[v];
}

/* REQUEST_FLOOD needs concentration too: one source far above what sources do. */
static bool gate(const struct res *r, int v, const double *m)
{
    return v != BW_DETECT_V_REQUEST_FLOOD || m[BW_DETECT_M_RPS_TOP_SRC] > r->gate_hi;
}

static struct attack_priv *attack_open(struct bw_detect *d, struct res *r, uint64_t start)
{
    if (d->n_attacks == d->cap_attacks) {
        d->cap_attacks = d->cap_attacks ? 2 * d->cap_attacks : 8;
        d->attacks = realloc(d->attacks, d->cap_attacks * sizeof *d->attacks);
        if (!d->attacks)
            bw_oom();
    }
    struct attack_priv *a = calloc(1, sizeof *a);
    if (!a)
        bw_oom();
    a->pub.arn = r->arn;
    a->net_every = 1;
    bw_detect__res_text(r, a->pub.addr, sizeof a->pub.addr);
    a->pub.start_ns = start;
    /* A deterministic id (same capture, same ids), shaped like Shield's UUIDs. */
    uint64_t h1 = bw_detect__hash(r->arn, strlen(r->arn), start);
    uint64_t h2 = bw_detect__hash(&start, sizeof start, d->n_attacks);
    snprintf(a->pub.id, sizeof a->pub.id, "%08x-%04x-4%03x-8%03x-%012llx", (unsigned)(h1 >> 32),
             (unsigned)(h1 >> 16) & 0xffff, (unsigned)h1 & 0xfff, (unsigned)(h2 >> 52) & 0xfff,
             (unsigned long long)(h2 & 0xffffffffffffULL));
    r->attack = (int)d->n_attacks;
    d->attacks[d->n_attacks++] = a;
    return a;
}

static void declare(struct bw_detect *d, struct res *r, int v, uint64_t now)
{
    struct vstate *s = &r->vs[v];
    struct attack_priv *a = r->attack >= 0 ? d->attacks[r->attack] : attack_open(d, r, s->start_ns);
    if (a->pub.detect_ns == 0)
        a->pub.detect_ns = now;
    if (s->start_ns < a->pub.start_ns)
        a->pub.start_ns = s->start_ns;
    r->attack_start_ms = bw_detect__ms(d, a->pub.start_ns); /* for the priority score */
    a->pub.vectors |= 1u << v;
    a->pub.end_ns = 0;
    s->active = true;
    s->below = 0;
    r->rules |= 1u << v;
}

/* The vectors judged by a resource metric (the others are per reflection port). */
#define METRIC_VECTORS                                                                             \
    (1u << BW_DETECT_V_SYN_FLOOD | 1u << BW_DETECT_V_ACK_FLOOD |                                   \
     1u << BW_DETECT_V_HTTP_REFLECTION | 1u << BW_DETECT_V_UDP_FRAGMENT |                          \
     1u << BW_DETECT_V_UDP_TRAFFIC | 1u << BW_DETECT_V_REQUEST_FLOOD |                             \
     1u << BW_DETECT_V_SLOWLORIS)

/* Keeps r->busy's bit for v: the vector is above its threshold or active. */
static void busy_set(struct res *r, int v)
{
    if (r->vs[v].active || r->vs[v].above)
        r->busy |= 1u << v;
    else
        r->busy &= ~(1u << v);
}

void bw_detect__attack_close(struct bw_detect *d, struct res *r, uint64_t end_ns)
{
    if (r->attack < 0)
        return;
    struct attack_priv *a = d->attacks[r->attack];
    a->pub.end_ns = end_ns > a->pub.start_ns ? end_ns : a->pub.start_ns + 1;
    r->attack = -1;
    r->rules = 0;
    for (int v = 0; v < BW_DETECT_V__COUNT; v++) {
        r->vs[v].active = false;
        busy_set(r, v);
    }
}

static bool any_active(const struct res *r)
{
    for (int v = 0; v < BW_DETECT_V__COUNT; v++)
        if (r->vs[v].active)
            return true;
    return false;
}

static void vector_step(struct bw_detect *d, struct res *r, int v, double val, bool g, uint64_t now)
{
    struct vstate *s = &r->vs[v];
    if (!s->active) {
        if (val > r->hi[v] && g) {
            if (s->above++ == 0)
                s->start_ns = now - d->tick_ns;
            if (s->above >= d->cfg.declare_ticks)
                declare(d, r, v, now);
        } else {
            s->above = 0;
        }
        return;
    }
    if (val >= r->lo[v]) {
        s->below = 0;
        return;
    }
    if (s->below++ == 0)
        s->calm_ns = now;
    if ((uint64_t)s->below * d->cfg.tick_ms < (uint64_t)d->cfg.end_s * 1000)
        return;
    s->active = false;
    s->above = 0;
    r->rules &= ~(1u << v);
    struct attack_priv *a = d->attacks[r->attack];
    if (s->calm_ns > a->pub.end_ns)
        a->pub.end_ns = s->calm_ns; /* the latest calm so far; final when none is active */
    if (!any_active(r)) {
        uint64_t end = a->pub.end_ns;
        bw_detect__attack_close(d, r, end);
    }
}

/* Learns one second. A value above the declaration threshold is learned clipped to
 * it, and only into the mean: a lasting legitimate shift is absorbed within a minute or
 * so while a burst cannot drag the mean, nor blow up the variance (which would feed
 * back into the threshold and grow it without bound). */
static void learn_one(const struct bw_detect *d, struct bw_detect__ewma *e, double x)
{
    if (x == 0 && e->mean == 0 && e->var == 0 && e->n >= 5) {
        e->n++; /* what bw_detect__ewma_add does with nothing to learn, minus the work */
        return;
    }
    double h = bw_detect__ewma_high(e, d->cfg.sigma, d->cfg.ratio, 25);
    if (e->n < 5 || x <= h) {
        bw_detect__ewma_add(e, x, e->n < 5 ? 0.2 : ALPHA);
        return;
    }
    e->mean += ALPHA * (h - e->mean); /* the variance learns nothing from outliers */
    e->n++;
}

static void learn(const struct bw_detect *d, struct res *r, const double *m, const double *refl)
{
    for (int i = 0; i < BW_DETECT_M__COUNT; i++) {
        learn_one(d, &r->base[i], m[i]);
        r->last[i] = m[i];
    }
    for (int v = 0; v < BW_DETECT_V__COUNT; v++) {
        learn_one(d, &r->refl_base[v], refl[v]);
        r->refl_last[v] = refl[v];
    }
    r->thr_ok = false;
}

/* Next tick's admission from this tick's score histogram (capacity per tick). */
static void admission(const struct bw_detect *d, struct res *r)
{
    double cap = (double)d->cfg.capacity_pps * d->cfg.tick_ms / 1000.0, sum = 0;
    r->min_score = 0;
    r->admit_p = 0;
    for (int s = 3; s >= 0; s--) {
        double n = (double)r->score_hist[s];
        if (sum + n > cap && s < 3) {
            r->min_score = s + 1;
            r->admit_p = n > 0 ? (cap - sum) / n : 0;
            break;
        }
        sum += n;
    }
    memset(r->score_hist, 0, sizeof r->score_hist);
}

static void second_end(struct res *r)
{
    r->sec_srcs_n = bw_detect__hll_count(&r->sec_srcs);
    memset(&r->sec_srcs, 0, sizeof r->sec_srcs);
    r->sec_top_req = r->sec_req_max;
    r->sec_req_max = 0;
}

static void res_tick(struct bw_detect *d, struct res *r, uint64_t now, bool sec)
{
    double m[BW_DETECT_M__COUNT], refl[BW_DETECT_V__COUNT];
    if (!r->seen)
        return; /* nothing counted yet: every counter, sum and sketch is still zero */
    if (sec)
        second_end(r);
    window(r, m, refl);
    if (!r->thr_ok)
        thresholds(d, r);
    bool warm = r->seen && now - r->first_ns >= (uint64_t)d->cfg.warmup_s * 1000000000ULL;
    if (warm) {
        /* In vector order, the vectors with a metric, the reflection ports with packets in
         * the window and the vectors above or active; the rest would step from zero to
         * zero. */
        for (uint32_t todo = METRIC_VECTORS | r->refl_live | r->busy; todo; todo &= todo - 1) {
            int v = __builtin_ctz(todo);
            vector_step(d, r, v, value_of(v, m, refl), gate(r, v, m), now);
            busy_set(r, v);
        }
    }
    if (r->attack >= 0) {
        struct bw_detect_attack *a = &d->attacks[r->attack]->pub;
        a->max_pps = fmax(a->max_pps, m[BW_DETECT_M_PPS]);
        a->max_bps = fmax(a->max_bps, m[BW_DETECT_M_BPS]);
        a->max_rps = fmax(a->max_rps, m[BW_DETECT_M_RPS]);
        bw_detect__attack_rate(d->attacks[r->attack]);
    } else if (sec && r->seen) {
        learn(d, r, m, refl);
    }
    if (d->cfg.capacity_pps)
        admission(d, r);
    /* The sums hold every slot but the one being filled: add the finished tick, drop
     * the oldest, whose slot is reused. */
    for (int i = 0; i < C__COUNT; i++)
        r->sum[i] += r->ring[r->cur][i];
    uint32_t live = r->refl_live; /* every port with a count in any slot */
    for (uint32_t l = live; l; l &= l - 1)
        r->sum_refl[__builtin_ctz(l)] += r->ring_refl[r->cur][__builtin_ctz(l)];
    r->cur = (r->cur + 1) % d->ticks_per_s;
    for (int i = 0; i < C__COUNT; i++)
        r->sum[i] -= r->ring[r->cur][i];
    for (uint32_t l = live; l; l &= l - 1) {
        int v = __builtin_ctz(l);
        r->sum_refl[v] -= r->ring_refl[r->cur][v];
        r->ring_refl[r->cur][v] = 0;
        if (r->sum_refl[v] == 0)
            r->refl_live &= ~(1u << v); /* every slot is zero again */
    }
    memset(r->ring[r->cur], 0, sizeof r->ring[r->cur]);
}

void bw_detect__run_tick(struct bw_detect *d, uint64_t tick_end_ns)
{
    d->now_ns = tick_end_ns;
    d->tick_no++;
    bool sec = d->tick_no % d->ticks_per_s == 0;
    if (sec && d->filter_adds > CONN_FILTER_REBUILD)
        bw_detect__conn_filter_rebuild(d);
    if (sec && d->stream_filter_adds > 1024) /* about a quarter of the 4 Ki bits */
        bw_detect__stream_filter_rebuild(d);
    bw_detect__stream_scan(d);
    for (size_t i = 0; i < d->n_res; i++)
        res_tick(d, d->res[i], tick_end_ns, sec);
}

void bw_detect_finish(struct bw_detect *d, uint64_t now_ns)
{
    bw_detect_tick(d, now_ns); /* no fake calm: attacks under way stay open */
}
