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
#define MAX_TICKS_S      100 /* ticks per second at most (tick_ms >= 10) */
#define WAYS             8
#define SRC_SETS         8192  /* 64 Ki sources */
#define CONN_SETS        16384 /* 128 Ki connections / asked UDP peers */
#define STREAM_SETS      1024  /* 8 Ki HTTP streams */
#define CONN_FILTER_BITS 20    /* 128 KiB: 8 bits per connection entry */
/* Rebuilt from the table (dropping evicted keys) at a second's end once this many keys
 * went in since the last rebuild: the filter stays at most about a quarter full. */
#define CONN_FILTER_REBUILD ((1u << CONN_FILTER_BITS) / 8)
#define STREAM_BUF          1024
#define SLOW_AFTER_NS       (1000000000ULL) /* a client sends its head within an RTT */

/* Source evidence flags. */
#define SRC_HANDSHAKE 0x01u /* completed a TCP handshake with a resource */
#define SRC_ANSWERED  0x02u /* a resource sent it packets (it is a peer) */
#define SRC_NON_SYN   0x04u /* sent something other than bare SYNs */
#define SRC_REQ_BLOCK 0x08u /* over the per-source request limit this second */

struct src_entry {
    uint64_t key; /* 0 = empty */
    uint64_t first_ns, last_ns;
    uint32_t flags;
    uint32_t sec; /* the second the counters below belong to */
    uint32_t syn_sec, req_sec;
    uint32_t slow_scan, slow_n;
    uint8_t pad[16]; /* 64 bytes: an entry is one cache line, never two */
};

#define CONN_SYN     1 /* client SYN seen */
#define CONN_EST     2 /* handshake completed */
#define CONN_OUT     3 /* resource-initiated TCP (SYN out) */
#define CONN_ASKED   4 /* resource sent UDP to this peer:port */
#define CONN_TCP_KEY 6 /* the key kind of every TCP 4-tuple */

/* 16 bytes: a set of 8 is two cache lines. `last` is in 2^24 ns (~17 ms) units. */
struct conn_entry {
    uint64_t key;
    uint32_t last;
    uint8_t state;
    uint8_t pad[3];
};
#define CONN_TIME(ns) ((uint32_t)((ns) >> 24))

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
    uint64_t seen;      /* packets offered to the sampler */
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
    uint32_t cur;                                                   /* ring slot being filled */
    uint64_t sum[C__COUNT], sum_refl[BW_DETECT_V__COUNT];           /* every slot but cur */
    double hi[BW_DETECT_V__COUNT], lo[BW_DETECT_V__COUNT], gate_hi; /* thresholds */
    bool thr_ok; /* false once the baselines learned: recompute hi, lo, gate_hi */
    struct bw_detect__ewma base[BW_DETECT_M__COUNT];
    double last[BW_DETECT_M__COUNT];
    struct bw_detect__ewma refl_base[BW_DETECT_V__COUNT];
    double refl_last[BW_DETECT_V__COUNT];
    struct vstate vs[BW_DETECT_V__COUNT];
    struct bw_detect__hll sec_srcs;
    struct bw_detect__ss sec_req_src;
    double sec_top_req, sec_srcs_n;
    int attack;     /* index of the open attack, -1 */
    uint32_t rules; /* bit per vector whose rule is installed */
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
};

struct bw_detect {
    struct bw_detect_config cfg;
    struct res_pfx pfx[MAX_RES]; /* pfx[i] is res[i]'s prefix */
    uint64_t tick_ns, now_ns, next_tick_ns;
    uint32_t ticks_per_s;
    uint64_t tick_no;
    size_t n_res;
    struct res *res[MAX_RES];
    struct attack_priv **attacks;
    size_t n_attacks, cap_attacks;
    uint64_t drops[BW_DETECT_DROP__COUNT];
    uint64_t drops_by_rule[BW_DETECT_V__COUNT]; /* mitigated drops per vector's rule */
    uint64_t *src_keys; /* the keys of src[], apart: one cache line per set */
    uint32_t *src_meta; /* per entry: SRC_META_VALUABLE | last seen in 2^24 ns units */
    struct src_entry *src;
    struct conn_entry *conn;
    uint64_t *conn_filter; /* a bit per key hash slice: clear = the key is in no set */
    uint32_t filter_adds;  /* keys added since the last rebuild */
    uint64_t *stream_keys; /* the keys of stream[], apart: one cache line per set */
    struct stream_entry *stream;
    uint8_t *stream_buf;                       /* STREAM_BUF bytes per stream entry */
    size_t n_partial;                          /* streams holding bytes of an incomplete head */
    uint64_t partial[STREAM_SETS * WAYS / 64]; /* one bit per such stream, for the scan */
    uint32_t scan_no;
    uint64_t rng; /* xorshift64 state for sketch sampling (deterministic) */
};

/* track.c */
/* The hash of a source address (the source table's key; HyperLogLogs reuse it). */
uint64_t bw_detect__src_hash(const uint8_t addr[16]);
struct src_entry *bw_detect__src_get(struct bw_detect *d, const uint8_t addr[16], uint64_t now,
                                     bool create);
#define SRC_META_VALUABLE 0x80000000u
/* Records that a source has evidence of being legitimate (never evicted for one without). */
void bw_detect__src_mark(struct bw_detect *d, struct src_entry *e, uint32_t flag);
/* Records that a source was seen at now. */
void bw_detect__src_seen(struct bw_detect *d, struct src_entry *e, uint64_t now);
/* The same by key (bw_detect__src_hash). */
struct src_entry *bw_detect__src_get_k(struct bw_detect *d, uint64_t k, uint64_t now, bool create);
/* Prefetch hints: the packet path starts both table loads before using either. */
void bw_detect__src_prefetch(const struct bw_detect *d, uint64_t k);
void bw_detect__conn_prefetch(const struct bw_detect *d, uint64_t k);
/* The second stage, once the set's keys are in cache: the entry k has or would take. */
void bw_detect__src_prefetch_entry(const struct bw_detect *d, uint64_t k);
struct conn_entry *bw_detect__conn_get(struct bw_detect *d, uint64_t key, uint64_t now,
                                       bool create);
/* Rebuilds the connection filter from the keys in the table. */
void bw_detect__conn_filter_rebuild(struct bw_detect *d);
uint64_t bw_detect__conn_key(const uint8_t remote[16], uint16_t rport, const uint8_t local[16],
                             uint16_t lport, uint8_t kind);
/* Called for each complete request head (req points into the stream buffer). */
typedef void (*bw_detect__req_fn)(struct bw_detect *d, int res, const struct bw_detect_pkt *p,
                                  const struct bw_detect__http_req *req);
/* Feeds TCP payload of an HTTP client stream; returns requests completed (0..n). */
int bw_detect__stream_feed(struct bw_detect *d, int res, const struct bw_detect_pkt *p,
                           bw_detect__req_fn fn);
void bw_detect__stream_close(struct bw_detect *d, const struct bw_detect_pkt *p);
/* Counts slow streams per resource and marks their sources (see bw_detect__src_slow). */
void bw_detect__stream_scan(struct bw_detect *d);
uint32_t bw_detect__sec(uint64_t ns);

/* detect.c: "203.0.113.10" or "2001:db8::/64" */
void bw_detect__res_text(const struct res *r, char *out, size_t cap);

/* True when the source held at least two slow request heads at the latest scan. */
static inline bool bw_detect__src_slow(const struct bw_detect *d, const struct src_entry *e)
{
    return e && e->slow_scan == d->scan_no && e->slow_n >= 2;
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

#endif
