/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The detector's state, shared by detect.c (packet path), track.c (bounded
 * connection, source and stream tables) and attack.c (ticks, baselines, attack
 * lifecycle). Every table is fixed-size and set-associative: memory never grows
 * with traffic, and a flood of new keys evicts only the least valuable entries.
 */
#ifndef BW_DETECT_STATE_H
#define BW_DETECT_STATE_H

#include "detect/internal.h"

#define MAX_RES          64
#define MAX_TICKS_S      100   /* ticks per second at most (tick_ms >= 10) */
#define WAYS             8     /* connection and stream sets */
#define SRC_WAYS         4     /* a source set is one cache line of 4 entries */
#define SRC_SETS         16384 /* 64 Ki sources, 1 MiB */
#define CONN_SETS        16384 /* 128 Ki connections / asked UDP peers, 1 MiB */
#define STREAM_SETS      1024  /* 8 Ki HTTP streams */
#define CONN_FILTER_BITS 20    /* 128 KiB: 8 bits per connection entry */
/* Rebuilt from the table (dropping evicted keys) at a second's end once this many keys
 * went in since the last rebuild: the filter stays at most about a quarter full. */
#define CONN_FILTER_REBUILD ((1u << CONN_FILTER_BITS) / 8)
#define STREAM_BUF          1024
#define SLOW_AFTER_NS       (1000000000ULL) /* a client sends its head within an RTT */

/* The per-source limits of the SYN_FLOOD and REQUEST_FLOOD rules (vectors.c), as
 * constants the packet path compares against. */
#define SYN_RATE 20 /* SYNs per second */
#define REQ_RATE 10 /* HTTP requests per second */

/* Source evidence flags. */
#define SRC_HANDSHAKE 0x01u /* completed a TCP handshake with a resource */
#define SRC_ANSWERED  0x02u /* a resource sent it packets (it is a peer) */
#define SRC_NON_SYN   0x04u /* sent something other than bare SYNs */
#define SRC_REQ_BLOCK 0x08u /* over the per-source request limit this second */
#define SRC_SLOW1     0x10u /* held one slow request head at the latest scan */
#define SRC_SLOW      0x20u /* held two or more: SLOWLORIS blocks it */
#define SRC_VALUABLE  (SRC_HANDSHAKE | SRC_ANSWERED) /* never evicted for one without */

/* 16 bytes, the per-source fields next to their key: a set of SRC_WAYS is one cache
 * line, so a lookup, an update or an insertion touches one line. Times are in ms since
 * the detector's epoch (d->epoch_ns, a whole second): u32 arithmetic on ages is exact
 * for 24 days; the per-second counters belong to the second of `last`. */
struct src_entry {
    uint32_t tag;     /* the high half of the source hash, never 0; 0 = empty */
    uint32_t last;    /* ms: the latest packet from it */
    uint32_t first;   /* ms: its first packet */
    uint8_t flags;    /* SRC_* */
    uint8_t syn_sec;  /* this second's SYNs, saturating at 255 (the limit is 20) */
    uint16_t req_sec; /* this second's requests, saturating */
};

#define CONN_SYN     1 /* client SYN seen */
#define CONN_EST     2 /* handshake completed */
#define CONN_OUT     3 /* resource-initiated TCP (SYN out) */
#define CONN_ASKED   4 /* resource sent UDP to this peer:port */
#define CONN_TCP_KEY 6 /* the key kind of every TCP 4-tuple */

/* 8 bytes: a set of 8 is one cache line. The set comes from the key's low bits, the tag
 * from its high half; `last` is in 2^26 ns (~67 ms) units since the epoch, modulo 2^16
 * (ages are exact for 73 minutes; older entries only compete worse for eviction). */
struct conn_entry {
    uint32_t tag; /* 0 = empty */
    uint16_t last;
    uint8_t state;
    uint8_t pad;
};

struct stream_entry {
    uint64_t key;
    uint64_t first_ns, last_ns; /* first_ns: when the pending head began */
    uint32_t next_seq;
    uint16_t len;
    uint8_t src[16];
    int16_t res;
};

/* Per-tick counters of one resource. */
enum tick_ctr {
    C_PKTS,
    C_BYTES,
    C_SYN,
    C_EST, /* handshakes completed */
    C_TCP,
    C_UDP,
    C_ICMP,
    C_FRAG,
    C_STRAY_ACK,
    C_STRAY_SYNACK,
    C_UDP_UNKNOWN,
    C_REQ,
    C_MALFORMED,
    C__COUNT
};

struct vstate {
    uint32_t above, below;
    bool active;
    uint64_t start_ns, detect_ns, calm_ns;
};

struct attack_priv {
    struct bw_detect_attack pub;
    struct bw_detect__ss ip, port, ttl, size, ua, url, req_ip;
    struct bw_detect__hll srcs;
    uint32_t sample_in; /* packets offered to the sampler before the next is kept */
    uint64_t net_total; /* packets of the attack's vectors (exact) */
    uint64_t net_tick;  /* net_total at the last tick */
    uint32_t net_every; /* the network sketches see 1 in net_every of them (weighted) */
    size_t cap_samples;
};

struct res {
    uint8_t addr[16];
    unsigned plen;
    uint64_t mask[2], net[2]; /* the prefix as words: (addr & mask) == net */
    char *arn;
    bool seen;
    uint64_t first_ns;
    uint32_t ring[MAX_TICKS_S][C__COUNT];
    uint32_t ring_refl[MAX_TICKS_S][BW_DETECT_V__COUNT];
    uint32_t cur;       /* ring slot being filled */
    uint32_t refl_live; /* bit per vector with a reflection count in some ring slot */
    uint32_t busy;      /* bit per vector above its threshold or active */
    uint64_t sum[C__COUNT], sum_refl[BW_DETECT_V__COUNT];           /* every slot but cur */
    double hi[BW_DETECT_V__COUNT], lo[BW_DETECT_V__COUNT], gate_hi; /* thresholds */
    bool thr_ok;      /* false once the baselines learned: recompute hi, lo, gate_hi */
    uint32_t thr_set; /* bit per vector: hi, lo computed from ... */
    double thr_mean[BW_DETECT_V__COUNT], thr_var[BW_DETECT_V__COUNT]; /* ... this baseline */
    struct bw_detect__ewma base[BW_DETECT_M__COUNT];
    double last[BW_DETECT_M__COUNT];
    struct bw_detect__ewma refl_base[BW_DETECT_V__COUNT];
    double refl_last[BW_DETECT_V__COUNT];
    struct vstate vs[BW_DETECT_V__COUNT];
    struct bw_detect__hll sec_srcs;
    uint32_t sec_req_max; /* this second's most requests from one source (exact) */
    double sec_top_req, sec_srcs_n;
    int attack;               /* index of the open attack, -1 */
    uint32_t attack_start_ms; /* its StartTime in ms since the epoch */
    uint32_t rules;           /* bit per vector whose rule is installed */
    uint32_t slow_conns;
    /* priority admission */
    uint64_t score_hist[4];
    int min_score;
    double admit_p;
    double admit_acc;
};

/* A resource's prefix as words, apart from its (large) counters: the per-packet lookup
 * reads one small array. */
struct res_pfx {
    uint64_t mask[2], net[2];
    unsigned plen;
    int res; /* index into d->res */
};

struct bw_detect {
    struct bw_detect_config cfg;
    struct res_pfx pfx[MAX_RES]; /* the prefixes, most specific first: the first match wins */
    /* The tiny LPM: by a hash of an address's upper 64 bits, the prefixes (bits of pfx[])
     * that can hold it; prefixes shorter than 64 bits sit in every bucket. IPv4-mapped
     * addresses share one bucket, so a packet checks the few prefixes of its family. */
    uint64_t lpm[64];
    uint64_t tick_ns, now_ns, next_tick_ns;
    uint32_t ticks_per_s;
    uint64_t tick_no;
    size_t n_res;
    struct res *res[MAX_RES];
    struct attack_priv **attacks;
    size_t n_attacks, cap_attacks;
    uint64_t drops[BW_DETECT_DROP__COUNT];
    uint64_t drops_by_rule[BW_DETECT_V__COUNT]; /* mitigated drops per vector's rule */
    uint64_t epoch_ns; /* the whole second of the first packet or tick: time 0 of the tables */
    uint32_t now_ms;   /* the current packet's time in ms since the epoch */
    void *tables;      /* one huge-page-backed block: src, conn, conn_filter, stream_keys */
    struct src_entry *src;
    struct src_entry **slow_src; /* the sources marked slow at the latest scan */
    size_t n_slow_src;
    struct src_entry *cur_src; /* the inbound packet's source entry (for its requests) */
    struct conn_entry *conn;
    uint64_t *conn_filter;       /* a bit per key hash slice: clear = the key is in no set */
    uint32_t filter_adds;        /* keys added since the last rebuild */
    uint64_t *stream_keys;       /* the keys of stream[], apart: one cache line per set */
    uint64_t stream_filter[64];  /* a bit per 2^-12 slice of stream keys: clear = no entry */
    uint32_t stream_filter_adds; /* entries made since the last rebuild */
    struct stream_entry *stream;
    uint8_t *stream_buf;                       /* STREAM_BUF bytes per stream entry */
    size_t n_partial;                          /* streams holding bytes of an incomplete head */
    uint64_t partial[STREAM_SETS * WAYS / 64]; /* one bit per such stream, for the scan */
    uint32_t scan_no;
    uint64_t rng; /* xorshift64 state for sketch sampling (deterministic) */
};

/* track.c (the lookups themselves are inline, at the end of this file) */
/* ms since the detector's epoch (0 before it). */
static inline uint32_t bw_detect__ms(const struct bw_detect *d, uint64_t ns)
{
    return ns > d->epoch_ns ? (uint32_t)((ns - d->epoch_ns) / 1000000u) : 0;
}
/* Rebuilds the connection filter from the keys in the table. */
void bw_detect__conn_filter_rebuild(struct bw_detect *d);
/* Called for each complete request head (req points into the stream buffer). */
typedef void (*bw_detect__req_fn)(struct bw_detect *d, int res, const struct bw_detect_pkt *p,
                                  const struct bw_detect__http_req *req);
/* Feeds TCP payload of an HTTP client stream; returns requests completed (0..n). k: the
 * stream's key (the segment's connection key, bw_detect__conn_key). */
int bw_detect__stream_feed(struct bw_detect *d, int res, const struct bw_detect_pkt *p, uint64_t k,
                           bw_detect__req_fn fn);
void bw_detect__stream_close(struct bw_detect *d, uint64_t k);
/* Rebuilds the stream filter from the keys in the table. */
void bw_detect__stream_filter_rebuild(struct bw_detect *d);
/* Counts slow streams per resource and marks their sources (see bw_detect__src_slow). */
void bw_detect__stream_scan(struct bw_detect *d);
uint32_t bw_detect__sec(uint64_t ns);

/* detect.c: "203.0.113.10" or "2001:db8::/64" */
void bw_detect__res_text(const struct res *r, char *out, size_t cap);

/* True when the source held at least two slow request heads at the latest scan. */
static inline bool bw_detect__src_slow(const struct src_entry *e)
{
    return e && (e->flags & SRC_SLOW);
}

/* The L4 payload of p in its frame (NULL, 0 when there is none). */
static inline const uint8_t *bw_detect__payload(const struct bw_detect_pkt *p, uint32_t *len)
{
    const struct bw_net_flow *f = p->flow;
    *len = 0;
    if (!p->frame || !(f->flags & BW_NET_F_L4) || f->payload_off >= p->frame_len)
        return NULL;
    uint32_t avail = p->frame_len - f->payload_off;
    *len = f->payload_len < avail ? f->payload_len : avail;
    return *len ? p->frame + f->payload_off : NULL;
}

/* attack.c */
void bw_detect__run_tick(struct bw_detect *d, uint64_t tick_end_ns);
/* An inbound packet of a resource under attack (r->attack >= 0); e is its source's
 * entry (or NULL) and sk its source hash. */
void bw_detect__attack_note(struct bw_detect *d, struct res *r, int vector,
                            const struct bw_detect_pkt *p, const struct src_entry *e, uint64_t sk);
/* Once a tick: sets how many of the next tick's packets the sketches see. */
void bw_detect__attack_rate(struct attack_priv *a);
void bw_detect__attack_note_req(struct bw_detect *d, struct res *r, const struct bw_detect_pkt *p,
                                const struct bw_detect__http_req *req);
void bw_detect__attack_free(struct attack_priv *a);
void bw_detect__attack_close(struct bw_detect *d, struct res *r, uint64_t end_ns);

/* ---- the tables' lookups (track.c's hot half), inline: the packet path calls them
 * once or twice per packet and must not pay a call for each ---- */
#include <string.h>

static inline uint64_t bw_detect__nonzero(uint64_t k)
{
    return k ? k : 1;
}

/* Odd 64-bit constants: independent multiplies of the words, then one final mix. */
static const uint64_t bw_detect__K[5] = {0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL,
                                         0x165667b19e3779f9ULL, 0xd6e8feb86659fd93ULL,
                                         0xff51afd7ed558ccdULL};

static inline uint64_t bw_detect__fmix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 29;
    return x;
}

/* The hash of a source address (the source table's key; HyperLogLogs reuse it). */
static inline uint64_t bw_detect__src_hash(const uint8_t addr[16])
{
    uint64_t w[2];
    memcpy(w, addr, 16);
    return bw_detect__nonzero(
        bw_detect__fmix(w[0] * bw_detect__K[3] + (w[1] ^ 0x5bd1e995) * bw_detect__K[1]));
}

/* Prefetch hints: the packet path starts both table loads before using either. */
static inline void bw_detect__src_prefetch(const struct bw_detect *d, uint64_t k)
{
    __builtin_prefetch(d->src + (k % SRC_SETS) * SRC_WAYS, 1);
}

static inline void bw_detect__conn_prefetch(const struct bw_detect *d, uint64_t k)
{
    __builtin_prefetch(d->conn + (k % CONN_SETS) * WAYS, 1);
    size_t b = (size_t)(k >> (64 - CONN_FILTER_BITS)); /* the key's filter bit */
    __builtin_prefetch(&d->conn_filter[b / 64], 1);
}

static inline uint32_t bw_detect__src_tag(uint64_t k)
{
    uint32_t t = (uint32_t)(k >> 32);
    return t ? t : 1;
}

/* The way of the set at `set` holding tag (*hit), else the one a new source takes: an
 * empty slot, else the stalest entry without evidence; SRC_WAYS when every entry holds a
 * legitimate client. One cache line: the tags and the fields sit together. */
static inline size_t bw_detect__src_way(const struct src_entry *set, uint32_t tag, uint32_t now_ms,
                                        bool *hit)
{
    for (size_t i = 0; i < SRC_WAYS; i++)
        if (set[i].tag == tag) {
            *hit = true;
            return i;
        }
    *hit = false;
    size_t victim = SRC_WAYS;
    uint32_t oldest = 0;
    for (size_t i = 0; i < SRC_WAYS; i++) {
        if (set[i].tag == 0)
            return i;
        uint32_t age = now_ms - set[i].last;
        if (!(set[i].flags & SRC_VALUABLE) && (victim == SRC_WAYS || age > oldest)) {
            victim = i;
            oldest = age;
        }
    }
    return victim;
}

/* The entry of source hash k, or with create the one it takes (a new entry: first =
 * last = now_ms, counters zero); NULL when absent, or when every entry of its set holds a
 * source with evidence (they are kept). Does not update `last`. */
static inline struct src_entry *bw_detect__src_get(struct bw_detect *d, uint64_t k, uint32_t now_ms,
                                                   bool create)
{
    struct src_entry *set = d->src + (k % SRC_SETS) * SRC_WAYS;
    uint32_t tag = bw_detect__src_tag(k);
    bool hit;
    size_t way = bw_detect__src_way(set, tag, now_ms, &hit);
    if (hit)
        return &set[way];
    if (!create || way == SRC_WAYS)
        return NULL; /* every entry holds a legitimate client: keep them */
    set[way] = (struct src_entry){.tag = tag, .first = now_ms, .last = now_ms};
    return &set[way];
}

static inline uint64_t bw_detect__conn_key(const uint8_t remote[16], uint16_t rport,
                                           const uint8_t local[16], uint16_t lport, uint8_t kind)
{
    uint64_t w[4];
    memcpy(w, remote, 16);
    memcpy(w + 2, local, 16);
    uint64_t tail = (uint64_t)rport | (uint64_t)lport << 16 | (uint64_t)kind << 32;
    return bw_detect__nonzero(bw_detect__fmix(w[0] * bw_detect__K[0] + w[1] * bw_detect__K[1] +
                                              w[2] * bw_detect__K[2] + w[3] * bw_detect__K[3] +
                                              tail * bw_detect__K[4]));
}

/* The connection filter: one bit per slice of the key hash (its top bits, apart from
 * the set index), set whenever a key enters the table. A clear bit proves a key is absent, so a
 * flood of packets matching nothing (stray ACKs, unsolicited UDP) costs a lookup in a
 * 128 KiB bitmap instead of a cold set in the 1 MiB table. Bits are never cleared one
 * by one (a slice is shared); the filter is rebuilt from the table once enough keys went
 * in (CONN_FILTER_REBUILD): never on quiet links, every few seconds under a SYN flood. */
static inline uint32_t bw_detect__conn_tag(uint64_t key)
{
    return (uint32_t)(key >> 32) | 1u; /* never 0 (empty) */
}

static inline size_t bw_detect__filter_bit(uint32_t tag)
{
    return (size_t)(tag >> (32 - CONN_FILTER_BITS));
}

static inline bool bw_detect__filter_has(const struct bw_detect *d, uint32_t tag)
{
    size_t b = bw_detect__filter_bit(tag);
    return d->conn_filter[b / 64] >> (b % 64) & 1;
}

static inline void bw_detect__filter_add(struct bw_detect *d, uint32_t tag)
{
    size_t b = bw_detect__filter_bit(tag);
    d->conn_filter[b / 64] |= 1ULL << (b % 64);
}

static inline uint16_t bw_detect__conn_time(const struct bw_detect *d, uint64_t now)
{
    return (uint16_t)((now - d->epoch_ns) >> 26);
}

/* Marks c as used at now (for eviction). */
static inline void bw_detect__conn_touch(const struct bw_detect *d, struct conn_entry *c,
                                         uint64_t now)
{
    c->last = bw_detect__conn_time(d, now);
}

static inline struct conn_entry *bw_detect__conn_get(struct bw_detect *d, uint64_t key,
                                                     uint64_t now, bool create)
{
    uint32_t tag = bw_detect__conn_tag(key);
    if (!create && !bw_detect__filter_has(d, tag))
        return NULL;
    struct conn_entry *set = d->conn + (key % CONN_SETS) * WAYS;
    for (size_t i = 0; i < WAYS; i++)
        if (set[i].tag == tag)
            return &set[i];
    if (!create)
        return NULL;
    /* The stalest way (an empty one first; ties to the lowest), branch-free: the largest
     * of age * 8 + (7 - way). */
    uint16_t t = bw_detect__conn_time(d, now);
    uint32_t best = 0;
    for (uint32_t i = 0; i < WAYS; i++) {
        uint32_t age = set[i].tag ? (uint16_t)(t - set[i].last) : 0x10000u;
        uint32_t v = age << 3 | (WAYS - 1 - i);
        best = v > best ? v : best;
    }
    struct conn_entry *victim = &set[WAYS - 1 - (best & (WAYS - 1))];
    *victim = (struct conn_entry){.tag = tag, .last = t};
    bw_detect__filter_add(d, tag);
    d->filter_adds++;
    return victim;
}

#endif
