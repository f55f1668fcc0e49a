/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Shield detector: per protected resource (an address or prefix named by an
 * ARN) it keeps learned baselines (EWMA mean and variance, with a warm-up) of
 * packet, SYN, fragment, UDP-reflection-port and layer-7 request rates; declares
 * an attack named with AWS Shield's vector names (AttackVectorDescription.VectorType)
 * when a metric leaves its baseline by a margin for long enough, and ends it with
 * hysteresis; keeps top contributors (Space-Saving), distinct sources (HyperLogLog)
 * and 1-in-N bounded samples per attack; installs mitigations (as data) and, when a
 * resource is over its declared capacity, drops the lowest-priority sources first.
 *
 * Pure: no I/O, no clock, no logging. Time is whatever the caller passes (capture
 * time offline, CLOCK_REALTIME live). Feed packets with bw_detect_packet() in time
 * order; call bw_detect_tick() as time advances (every 100 ms live; the packet path
 * calls it itself when a packet crosses a tick boundary). Single-threaded: one
 * detector per thread, or a lock around it.
 */
#ifndef BW_DETECT_DETECT_H
#define BW_DETECT_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/errors.h"
#include "net/net.h"

/* Shield's AttackVectorDescription.VectorType values (shield-2016-06-02), plus
 * SLOWLORIS, the slow-request attack this detector also names. */
#define BW_DETECT_VECTORS(X)                                                                       \
    X(UDP_TRAFFIC)                                                                                 \
    X(UDP_FRAGMENT)                                                                                \
    X(GENERIC_UDP_REFLECTION)                                                                      \
    X(DNS_REFLECTION)                                                                              \
    X(NTP_REFLECTION)                                                                              \
    X(CHARGEN_REFLECTION)                                                                          \
    X(SSDP_REFLECTION)                                                                             \
    X(PORT_MAPPER)                                                                                 \
    X(RIP_REFLECTION)                                                                              \
    X(SNMP_REFLECTION)                                                                             \
    X(MSSQL_REFLECTION)                                                                            \
    X(NET_BIOS_REFLECTION)                                                                         \
    X(SYN_FLOOD)                                                                                   \
    X(ACK_FLOOD)                                                                                   \
    X(REQUEST_FLOOD)                                                                               \
    X(HTTP_REFLECTION)                                                                             \
    X(UDS_REFLECTION)                                                                              \
    X(MEMCACHED_REFLECTION)                                                                        \
    X(SLOWLORIS)

enum bw_detect_vector {
#define BW_DETECT_V_ENUM(n) BW_DETECT_V_##n,
    BW_DETECT_VECTORS(BW_DETECT_V_ENUM)
#undef BW_DETECT_V_ENUM
        BW_DETECT_V__COUNT
};

/* The Shield name of a vector ("SYN_FLOOD"); NULL when out of range. */
const char *bw_detect_vector_name(enum bw_detect_vector v);
/* The vector named `name`, or -1. */
int bw_detect_vector_parse(const char *name);

/* What the fast path installs for a vector: data, not code (the XDP program and the
 * offline analyser both interpret it). */
enum bw_detect_rule_kind {
    BW_DETECT_RULE_DROP_UDP_SRC_PORT,    /* unsolicited UDP from `port` to the victim */
    BW_DETECT_RULE_DROP_UDP_REFLECTORS,  /* unsolicited UDP from any well-known port */
    BW_DETECT_RULE_DROP_FRAGMENTS,       /* every IP fragment to the victim */
    BW_DETECT_RULE_LIMIT_UDP_NEW_SOURCE, /* UDP from sources with no history */
    BW_DETECT_RULE_LIMIT_SYN_PER_SOURCE, /* SYNs above `rate`/s from one source */
    BW_DETECT_RULE_DROP_STRAY_ACK,       /* ACKs outside any tracked connection */
    BW_DETECT_RULE_DROP_STRAY_SYNACK,    /* SYN-ACKs the victim never asked for */
    BW_DETECT_RULE_BLOCK_REQUEST_FLOOD,  /* sources above `rate` HTTP requests/s */
    BW_DETECT_RULE_BLOCK_SLOW_SOURCES,   /* sources holding incomplete requests */
};

struct bw_detect_rule {
    enum bw_detect_rule_kind kind;
    uint16_t port;        /* DROP_UDP_SRC_PORT: the reflector port (0: none) */
    uint32_t rate;        /* LIMIT_*, BLOCK_REQUEST_FLOOD: per source per second */
    const char *name;     /* Mitigations[].MitigationName */
    const char *describe; /* one line for people */
};

/* The mitigation rule for a vector (static storage). */
const struct bw_detect_rule *bw_detect_vector_rule(enum bw_detect_vector v);

/* One packet as the detector sees it: the decoder's flow record by reference (no copy:
 * addresses IPv4-mapped, ports, protocol, TCP flags and sequence, TTL, fragment flags
 * and id, payload offset and length; ip_ver 4 or 6), plus what the capture or the NIC
 * knows about the frame. The L4 payload the detector reads (HTTP request heads) is
 * frame + flow->payload_off, bounded by frame_len, when flow->flags has BW_NET_F_L4. */
struct bw_detect_pkt {
    const struct bw_net_flow *flow;
    uint64_t ts_ns;
    uint32_t wire_len;    /* bytes on the wire (for bit rates and sizes) */
    uint32_t frame_len;   /* bytes at frame */
    const uint8_t *frame; /* the captured frame (samples, payload); may be NULL */
};

/* Why a packet was dropped (a malformed packet's reason comes from the decoder). */
enum bw_detect_drop {
    BW_DETECT_PASS = 0,
    BW_DETECT_DROP_MITIGATED,     /* matched an installed mitigation rule */
    BW_DETECT_DROP_DEPRIORITISED, /* over capacity, lowest priority score */
    BW_DETECT_DROP__COUNT
};
const char *bw_detect_drop_name(enum bw_detect_drop d);

struct bw_detect_config {
    uint32_t tick_ms;       /* evaluation period (default 100) */
    uint32_t warmup_s;      /* learning only, no declaration (default 20) */
    uint32_t declare_ticks; /* ticks above threshold before declaring (default 5) */
    uint32_t end_s;         /* seconds below the low threshold before ending (default 3) */
    double sigma;           /* declare above mean + sigma * sd ... (default 6) */
    double ratio;           /* ... and above ratio * mean (default 3) */
    double floor_scale;     /* scales the absolute rate floors (default 1) */
    uint64_t capacity_pps;  /* per resource; 0 = unlimited (no priority drops) */
    uint32_t sample_every;  /* keep 1 packet in N during an attack (default 100) */
    uint32_t sample_max;    /* at most this many samples per attack (default 1000) */
    uint16_t http_ports[8]; /* plaintext HTTP ports (default {80}) */
    size_t n_http_ports;
};

/* Fills cfg with the defaults above. */
void bw_detect_config_default(struct bw_detect_config *cfg);

struct bw_detect;

/* A new detector with cfg (copied). Free with bw_detect_free. Aborts on OOM. */
struct bw_detect *bw_detect_new(const struct bw_detect_config *cfg);
void bw_detect_free(struct bw_detect *d);

/* Protects addr/prefix_len (16-byte form, IPv4 mapped; prefix counts over the 128
 * bits) under `arn` (copied). BW_E_VALIDATION when the table is full or the prefix
 * is bad. The most specific resource wins for a packet. */
enum bw_code bw_detect_resource_add(struct bw_detect *d, const uint8_t addr[16],
                                    unsigned prefix_len, const char *arn, struct bw_err *err);

/* Parses "ADDR[/LEN][=ARN]" (IPv4 or IPv6) into a resource; without an ARN one is
 * made up as arn:aws:ec2:::eip-allocation/<addr>. BW_E_VALIDATION on bad input. */
enum bw_code bw_detect_resource_parse(struct bw_detect *d, const char *spec, struct bw_err *err);

/* True when addr (16-byte form) lies inside a protected resource. */
bool bw_detect_is_protected(const struct bw_detect *d, const uint8_t addr[16]);

/* Accounts one packet and returns what the fast path does with it right now. A
 * packet from a protected resource is evidence and always passes. Advances time to
 * pkt->ts_ns first (ticks run as needed). */
enum bw_detect_drop bw_detect_packet(struct bw_detect *d, const struct bw_detect_pkt *pkt);

/* Counts a packet the decoder rejected as malformed toward the resource holding dst
 * (its malformed-rate baseline), advancing time to ts_ns. The caller drops it. */
void bw_detect_malformed(struct bw_detect *d, const uint8_t dst[16], uint64_t ts_ns);

/* A hint for burst processing: starts loading the table lines p will touch (its
 * source's set, which holds the source entries, and its connection's set), without
 * changing any state. Call it a few packets ahead of bw_detect_packet (AF_XDP rings and
 * captures give bursts); the verdicts are the same with or without it. */
void bw_detect_prefetch(const struct bw_detect *d, const struct bw_detect_pkt *p);

/* Advances time to now_ns, running every tick boundary crossed. */
void bw_detect_tick(struct bw_detect *d, uint64_t now_ns);

/* Runs the ticks up to now_ns (the end of a capture). Attacks still under way stay
 * open (end_ns 0, EndTime null in the report), as Shield shows an ongoing attack. */
void bw_detect_finish(struct bw_detect *d, uint64_t now_ns);

/* A top contributor: Name as Shield prints it, Value a count. */
struct bw_detect_contrib {
    char name[64];
    uint64_t value;
};

#define BW_DETECT_TOP 5

struct bw_detect_sample {
    uint64_t ts_ns;
    uint32_t len;
    uint8_t *data; /* owned by the detector */
};

/* One attack, Shield's AttackDetail in C. Times are ns since the epoch; end_ns = 0
 * while it lasts. Valid until bw_detect_free. */
struct bw_detect_attack {
    char id[40];
    const char *arn;
    char addr[64]; /* the resource's address or prefix: SubResources[].Id */
    uint64_t start_ns, detect_ns, end_ns;
    uint32_t vectors; /* bit per enum bw_detect_vector */
    uint64_t vector_pkts[BW_DETECT_V__COUNT];
    uint64_t pkts, bytes, requests; /* inbound to the resource while it lasted */
    double max_pps, max_bps, max_rps;
    uint64_t distinct_sources; /* HyperLogLog estimate */
    struct bw_detect_contrib top_ip[BW_DETECT_TOP], top_port[BW_DETECT_TOP], top_ttl[BW_DETECT_TOP],
        top_size[BW_DETECT_TOP], top_ua[BW_DETECT_TOP], top_url[BW_DETECT_TOP],
        top_req_ip[BW_DETECT_TOP];
    uint64_t net_total; /* attack packets counted into the NETWORK contributors */
    uint64_t req_total; /* requests counted into the APPLICATION contributors */
    size_t n_samples;
    struct bw_detect_sample *samples;
};

size_t bw_detect_attack_count(const struct bw_detect *d);
/* The i-th attack in declaration order, with its sketches summarised. */
const struct bw_detect_attack *bw_detect_attack_get(struct bw_detect *d, size_t i);

/* A named count the caller adds to a report (e.g. the decoder's malformed reasons). */
struct bw_detect_count {
    const char *name;
    uint64_t n;
};

/* The report as JSON text (malloc'd, the caller frees): {"Attacks": [AttackDetail as in
 * Shield's DescribeAttack, plus DetectionTime], "Drops": {reason: packets, ...},
 * "DropsByMitigation": {MitigationName: packets, ...}, "Records": records}. extra[] are merged into
 * Drops. Times are epoch seconds. */
char *bw_detect_report(struct bw_detect *d, const struct bw_detect_count *extra, size_t n_extra,
                       uint64_t records);

/* Frees the attacks that ended before before_ns (a live agent calls it once they are
 * reported); attacks under way and later ones keep their order. Returns how many were
 * freed. Pointers from bw_detect_attack_get are invalid afterwards. */
size_t bw_detect_attack_forget(struct bw_detect *d, uint64_t before_ns);

/* Packets dropped per reason so far. */
uint64_t bw_detect_drops(const struct bw_detect *d, enum bw_detect_drop reason);

/* Per-resource metric baselines, for reports and tests. */
enum bw_detect_metric {
    BW_DETECT_M_PPS,
    BW_DETECT_M_BPS,
    BW_DETECT_M_SYN,
    BW_DETECT_M_SRCS,
    BW_DETECT_M_TCP,
    BW_DETECT_M_UDP,
    BW_DETECT_M_ICMP,
    BW_DETECT_M_FRAG,
    BW_DETECT_M_STRAY_ACK,
    BW_DETECT_M_STRAY_SYNACK,
    BW_DETECT_M_UNANSWERED_SYN,
    BW_DETECT_M_UDP_UNKNOWN, /* UDP from ephemeral ports, unsolicited */
    BW_DETECT_M_RPS,
    BW_DETECT_M_RPS_TOP_SRC,
    BW_DETECT_M_SLOW_CONNS,
    BW_DETECT_M_MALFORMED, /* packets the decoder rejected (bw_detect_malformed) */
    BW_DETECT_M__COUNT
};
const char *bw_detect_metric_name(enum bw_detect_metric m);

struct bw_detect_baseline {
    double mean, sd, last;
    uint64_t n; /* samples learned */
};
/* The baseline of resource i (order of bw_detect_resource_add) for metric m;
 * false when i is out of range. */
bool bw_detect_baseline_get(const struct bw_detect *d, size_t i, enum bw_detect_metric m,
                            struct bw_detect_baseline *out);

#endif
