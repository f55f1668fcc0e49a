/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The net benchmark: packets per second on one core over a capture held in memory, for
 *   walk    a plain loop over the capture's records (the ceiling: reads each record
 *           header, which shares the frame's first cache line, and sums lengths),
 *   decode  bw_net_decode (decode + classify) on every frame, counting verdicts,
 *   full    decode -> classify -> detect: bw_edge_analyze_record, the same loop body as
 *           `bulwark edge analyze` (only when built with src/edge).
 * Each mode runs --passes times over the capture; the best pass counts. The thread is
 * pinned to one CPU. Records are reached through an index built at load time so every
 * loop can prefetch AHEAD records ahead (the pcap layout alone is a pointer chase). The capture is
 * a file (--pcap) or generated (--gen N, gen.h);
 * --write FILE saves the generated one for peers (run.sh feeds it to FastNetMon);
 * --modes decode (or walk,full, ...) runs only those besides the walk, e.g. for a profiler.
 */
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>

#include "gen.h"
#include "net/net.h"
#ifdef BW_BENCH_FULL
#include "edge/edge.h"
#endif

struct opts {
    const char *pcap, *write, *replay, *modes;
    size_t gen;
    int passes, cpu;
    double seconds;
};

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keeps the compiler from discarding a result. */
static volatile uint64_t sink;

/* How many records ahead the loops prefetch: the capture is far larger than the caches,
 * and a NIC ring would have the frame in cache (DDIO) when the fast path sees it. */
#define AHEAD 16

static inline void prefetch(const uint8_t *buf, const size_t *idx, size_t n, size_t i, int lines)
{
    if (i + AHEAD < n) {
        const uint8_t *p = buf + idx[i + AHEAD];
        for (int l = 0; l < lines; l++)
            __builtin_prefetch(p + 64 * l);
    }
}

__attribute__((noinline)) static uint64_t walk(const struct bench_cap *c)
{
    const uint8_t *buf = c->buf;
    const size_t *idx = c->idx, n = c->n;
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        struct bench_rec r;
        prefetch(buf, idx, n, i, 1);
        memcpy(&r, buf + idx[i], sizeof(r));
        sum += r.caplen;
    }
    return sum;
}

static volatile uint64_t bench_sink;

/* Folds into one value the flow fields the detector reads (src/detect takes the record
 * by reference: both addresses whole, ports, protocol, flags, TTL, version, sequence
 * number, fragment id, payload offset and length) and the class, so the
 * compiler cannot skip computing any of them: a loop that only counts verdicts would
 * measure less than the fast path does. */
static inline uint64_t fold_flow(const struct bw_net_flow *f)
{
    uint64_t a[4];
    memcpy(a, f->saddr, 16);
    memcpy(a + 2, f->daddr, 16);
    return a[0] ^ a[1] ^ a[2] ^ a[3] ^ ((uint64_t)f->sport << 48 | (uint64_t)f->dport << 32) ^
           f->proto ^ (uint64_t)f->tcp_flags << 8 ^ (uint64_t)f->ttl << 16 ^
           (uint64_t)f->ip_ver << 24 ^ f->flags ^ (uint64_t)f->tcp_seq << 32 ^ f->frag_id ^
           (uint64_t)f->payload_off << 40 ^ f->payload_len ^ (uint64_t)f->cls << 56;
}

/* Decode + classify every record, folding what a detector reads (fold_flow). The capture's
 * fields and the verdict counts are locals: stores into the record or the counts could
 * otherwise alias them (the build has -fno-strict-aliasing) and force reloads the walk
 * does not pay. */
__attribute__((noinline)) static uint64_t decode(const struct bench_cap *c,
                                                 uint64_t counts[BW_NET_VERDICT_COUNT])
{
    const uint8_t *buf = c->buf;
    const size_t *idx = c->idx, n = c->n;
    uint64_t fold = 0, k[BW_NET_VERDICT_COUNT] = {0};
    struct bw_net_flow f;
    for (size_t i = 0; i < n; i++) {
        struct bench_rec r;
        prefetch(buf, idx, n, i, 3);
        memcpy(&r, buf + idx[i], sizeof(r));
        const uint8_t *d = buf + idx[i] + sizeof(r);
        k[bw_net_decode(d, d + r.caplen, &f)]++;
        fold += fold_flow(&f);
    }
    memcpy(counts, k, sizeof(k));
    bench_sink += fold;
    return counts[0];
}

#ifdef BW_BENCH_FULL
/* Detector protecting the generated servers; fresh for each pass (state is time-driven). */
__attribute__((noinline)) static uint64_t full(const struct bench_cap *c)
{
    struct bw_detect_config cfg;
    bw_detect_config_default(&cfg);
    struct bw_edge_analysis an = {.det = bw_detect_new(&cfg)};
    struct bw_err err;
    bw_detect_resource_parse(an.det, "203.0.113.0/24", &err);
    bw_detect_resource_parse(an.det, "2001:db8:5::/64", &err);
    for (size_t i = 0; i < c->n; i++) {
        struct bench_rec r;
        prefetch(c->buf, c->idx, c->n, i, 3);
        memcpy(&r, c->buf + c->idx[i], sizeof(r));
        struct bw_edge_record rec = {(uint64_t)r.ts_sec * 1000000000u + r.ts_nsec, r.caplen, r.len,
                                     c->buf + c->idx[i] + sizeof(r)};
        bw_edge_analyze_record(&an, &rec);
    }
    uint64_t dropped = an.stats.dropped;
    bw_detect_free(an.det);
    return dropped;
}
#endif

enum mode { M_WALK, M_DECODE, M_FULL };

/* Best packets/s over the passes, by the thread's CPU time (what one core does, even on
 * a shared machine) and by wall time. */
struct rate {
    double cpu, wall;
};

static struct rate measure(const struct bench_cap *c, enum mode m, int passes, uint64_t *out)
{
    struct rate best = {0, 0};
    for (int i = 0; i < passes; i++) {
        uint64_t counts[BW_NET_VERDICT_COUNT] = {0}, r = 0;
        double t0 = clock_s(CLOCK_THREAD_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
        if (m == M_WALK)
            r = walk(c);
        else if (m == M_DECODE)
            r = decode(c, counts);
#ifdef BW_BENCH_FULL
        else
            r = full(c);
#endif
        double cpu = (double)c->n / (clock_s(CLOCK_THREAD_CPUTIME_ID) - t0);
        double wall = (double)c->n / (clock_s(CLOCK_MONOTONIC) - w0);
        sink += r;
        *out = r;
        best.cpu = cpu > best.cpu ? cpu : best.cpu;
        best.wall = wall > best.wall ? wall : best.wall;
    }
    return best;
}

/* --replay IFACE: sends every frame once through a raw AF_PACKET socket, in batches of
 * 64 with sendmmsg, bypassing the qdisc; prints frames sent and the rate. For feeding a
 * live-only peer (FastNetMon) the same capture. */
static int replay(const struct bench_cap *c, const char *ifname)
{
    int fd = socket(AF_PACKET, SOCK_RAW, 0), one = 1;
    struct sockaddr_ll sa = {.sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(ifname)};
    if (fd < 0 || sa.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        perror("net_bench: replay socket");
        return 1;
    }
    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
    struct mmsghdr m[64];
    struct iovec iov[64];
    size_t sent = 0;
    double w0 = clock_s(CLOCK_MONOTONIC);
    for (size_t i = 0; i < c->n;) {
        unsigned k = 0;
        for (; k < 64 && i + k < c->n; k++) {
            struct bench_rec r;
            memcpy(&r, c->buf + c->idx[i + k], sizeof(r));
            iov[k] = (struct iovec){c->buf + c->idx[i + k] + sizeof(r), r.caplen};
            m[k] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[k], .msg_iovlen = 1}};
        }
        int n = sendmmsg(fd, m, k, 0);
        if (n <= 0) { /* a frame the device refuses (runt): skip it */
            i++;
            continue;
        }
        sent += (size_t)n;
        i += (size_t)n;
    }
    double secs = clock_s(CLOCK_MONOTONIC) - w0;
    printf("replay: %zu of %zu frames sent in %.2f s (%.2f Mpps)\n", sent, c->n, secs,
           (double)sent / secs / 1e6);
    close(fd);
    return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){.gen = 2000000, .passes = 5, .cpu = -1, .seconds = 60};
    for (int i = 1; i < argc; i += 2) { /* --flag value pairs */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return -1;
        if (strcmp(a, "--pcap") == 0)
            o->pcap = v;
        else if (strcmp(a, "--write") == 0)
            o->write = v;
        else if (strcmp(a, "--replay") == 0)
            o->replay = v;
        else if (strcmp(a, "--gen") == 0)
            o->gen = strtoull(v, NULL, 10);
        else if (strcmp(a, "--passes") == 0)
            o->passes = (int)strtol(v, NULL, 10);
        else if (strcmp(a, "--cpu") == 0)
            o->cpu = (int)strtol(v, NULL, 10);
        else if (strcmp(a, "--seconds") == 0)
            o->seconds = strtod(v, NULL);
        else if (strcmp(a, "--modes") == 0)
            o->modes = v;
        else
            return -1;
    }
    return o->passes > 0 && o->gen > 0 ? 0 : -1;
}

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu >= 0 ? cpu : sched_getcpu(), &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0)
        perror("net_bench: sched_setaffinity");
}

static void line(const char *name, struct rate r, struct rate w, const char *what)
{
    printf("%-7s %8.2f Mpps  %5.1f%% of walk   (wall clock %6.2f Mpps)  %s\n", name, r.cpu / 1e6,
           100 * r.cpu / w.cpu, r.wall / 1e6, what);
}

/* Is mode name in the comma-separated list (all modes when there is none)? */
static bool wanted(const char *modes, const char *name)
{
    size_t n = strlen(name);
    for (const char *m = modes; m && *m;) {
        const char *e = strchr(m, ',');
        size_t len = e ? (size_t)(e - m) : strlen(m);
        if (len == n && strncmp(m, name, n) == 0)
            return true;
        m = e ? e + 1 : NULL;
    }
    return modes == NULL;
}

static void report(const struct bench_cap *c, int passes, const char *modes)
{
    uint64_t r;
    double load[1] = {0};
    struct rate w = measure(c, M_WALK, passes, &r);
    struct rate d = wanted(modes, "decode") ? measure(c, M_DECODE, passes, &r) : (struct rate){0};
    getloadavg(load, 1);
    printf("capture: %zu frames, %.1f MB in memory, %.0f bytes/frame; best of %d passes; "
           "load average %.2f\n",
           c->n, (double)c->len / 1e6,
           (double)(c->len - c->n * sizeof(struct bench_rec)) / (double)c->n, passes, load[0]);
    line("walk", w, w, "ceiling");
    if (wanted(modes, "decode"))
        line("decode", d, w,
             d.cpu >= 10e6 ? "decode+classify; target >= 10 Mpps: met"
                           : "decode+classify; target >= 10 Mpps: NOT met");
#ifdef BW_BENCH_FULL
    if (!wanted(modes, "full"))
        return;
    struct rate f = measure(c, M_FULL, passes, &r);
    line("full", f, w,
         f.cpu >= w.cpu / 2 ? "decode->classify->detect; target >= 50%: met"
                            : "decode->classify->detect; target >= 50%: NOT met");
#else
    printf("full    (not built: needs src/edge and src/detect)\n");
#endif
}

int main(int argc, char **argv)
{
    struct opts o;
    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: net_bench [--pcap FILE | --gen N] [--seconds S] "
                        "[--write FILE] [--passes N] [--cpu N] [--replay IFACE]\n"
                        "                 [--modes walk,decode,full]\n");
        return 2;
    }
    struct bench_cap c = {0};
    if (o.pcap ? bench_load(&c, o.pcap) != 0 : (bench_gen(&c, o.gen, o.seconds, 1), 0))
        return 1;
    if (o.write && bench_write(&c, o.write) != 0) {
        perror(o.write);
        return 1;
    }
    bench_index(&c);
    pin(o.cpu);
    if (o.replay) {
        int rc = replay(&c, o.replay);
        bench_free(&c);
        return rc;
    }
    report(&c, o.passes, o.modes);
    bench_free(&c);
    return 0;
}
