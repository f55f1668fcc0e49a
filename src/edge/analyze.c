/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The analysis loop: every capture record goes through the same decoder as the XDP
 * program (bw_net_decode) and then the detector, in capture time. The verdict written
 * per record is what the fast path would have done at that moment: a malformed packet
 * is dropped with the decoder's reason, unless it comes from a protected resource (the
 * protected side's packets are evidence and never dropped); the detector decides the
 * rest with the mitigations it has installed so far.
 */
#include "edge/edge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* The verdict of a decoded record (the second half of bw_edge_analyze_record). */
static enum bw_edge_verdict judge(struct bw_edge_analysis *an, const struct bw_edge_record *rec,
                                  enum bw_net_verdict nv, const struct bw_net_flow *f)
{
    struct bw_edge_stats *st = &an->stats;
    if (st->records++ == 0)
        st->first_ns = rec->ts_ns;
    st->last_ns = rec->ts_ns;
    enum bw_edge_verdict v = BW_EDGE_PASS;
    if (nv != BW_NET_OK) {
        /* A land packet claims the resource as its source: that is the attack. */
        if (f->ip_ver == 0 || nv == BW_NET_LAND || !bw_detect_is_protected(an->det, f->saddr)) {
            st->malformed[nv]++;
            v = BW_EDGE_DROP;
        }
        if (v == BW_EDGE_DROP && f->ip_ver != 0)
            bw_detect_malformed(an->det, f->daddr, rec->ts_ns);
        else
            bw_detect_tick(an->det, rec->ts_ns);
    } else if (f->ip_ver != 0) {
        struct bw_detect_pkt p = bw_edge_pkt(f, rec); /* the flow by reference: no copy */
        v = bw_detect_packet(an->det, &p) == BW_DETECT_PASS ? BW_EDGE_PASS : BW_EDGE_DROP;
    } else {
        bw_detect_tick(an->det, rec->ts_ns);
    }
    if (v == BW_EDGE_PASS)
        st->passed++;
    else
        st->dropped++;
    return v;
}

static enum bw_net_verdict decode(const struct bw_edge_record *rec, struct bw_net_flow *f)
{
    return bw_net_decode(rec->data, rec->data + rec->caplen, f);
}

enum bw_edge_verdict bw_edge_analyze_record(struct bw_edge_analysis *an,
                                            const struct bw_edge_record *rec)
{
    struct bw_net_flow f;
    enum bw_net_verdict nv = decode(rec, &f);
    return judge(an, rec, nv, &f);
}

#define BURST 32
#define AHEAD 4 /* table lines prefetched this many packets ahead */

static void prefetch(struct bw_edge_analysis *an, const struct bw_edge_record *rec,
                     const enum bw_net_verdict *nv, const struct bw_net_flow *f, size_t j, size_t m)
{
    if (j < m && nv[j] == BW_NET_OK && f[j].ip_ver != 0) {
        struct bw_detect_pkt p = bw_edge_pkt(&f[j], &rec[j]);
        bw_detect_prefetch(an->det, &p);
    }
}

void bw_edge_analyze_batch(struct bw_edge_analysis *an, const struct bw_edge_record *recs, size_t n,
                           uint8_t *verdicts)
{
    struct bw_net_flow f[BURST];
    enum bw_net_verdict nv[BURST];
    for (size_t at = 0; at < n; at += BURST) {
        size_t m = n - at < BURST ? n - at : BURST;
        for (size_t i = 0; i < m; i++) {
            if (at + BURST + i < n) /* the next burst's frames */
                __builtin_prefetch(recs[at + BURST + i].data);
            nv[i] = decode(&recs[at + i], &f[i]);
            if (i < AHEAD)
                prefetch(an, recs + at, nv, f, i, m);
        }
        for (size_t i = 0; i < m; i++) {
            prefetch(an, recs + at, nv, f, i + AHEAD, m);
            verdicts[at + i] = (uint8_t)judge(an, &recs[at + i], nv[i], &f[i]);
        }
    }
}

static enum bw_code loop(struct bw_edge_analysis *an, struct bw_edge_capture *c, struct bw_err *err)
{
    struct bw_edge_record rec;
    uint64_t next_progress = bw_mono_ns() + an->progress_ns;
    int rc;
    while ((rc = bw_edge_capture_next(c, &rec, err)) == 1) {
        uint8_t v = (uint8_t)bw_edge_analyze_record(an, &rec);
        if (an->verdicts && fputc(v, an->verdicts) == EOF)
            return bw_fail(err, BW_E_INTERNAL, "cannot write verdicts: %s", strerror(errno));
        if (an->progress && (an->stats.records & 0xffff) == 0 && bw_mono_ns() >= next_progress) {
            an->progress(&an->stats, bw_detect_attack_count(an->det), an->progress_arg);
            next_progress = bw_mono_ns() + an->progress_ns;
        }
    }
    return rc < 0 ? err->code : BW_OK;
}

enum bw_code bw_edge_analyze(struct bw_edge_analysis *an, const char *path, struct bw_err *err)
{
    struct bw_edge_capture *c;
    enum bw_code rc = bw_edge_capture_open(path, &c, err);
    if (rc != BW_OK)
        return rc;
    rc = loop(an, c, err);
    bw_edge_capture_close(c);
    if (rc == BW_OK && an->stats.records > 0)
        bw_detect_finish(an->det, an->stats.last_ns);
    if (rc == BW_OK && an->verdicts && fflush(an->verdicts) != 0)
        rc = bw_fail(err, BW_E_INTERNAL, "cannot write verdicts: %s", strerror(errno));
    return rc;
}

char *bw_edge_report(struct bw_edge_analysis *an)
{
    struct bw_detect_count extra[BW_NET_VERDICT_COUNT];
    size_t n = 0;
    for (int i = 1; i < BW_NET_VERDICT_COUNT; i++)
        if (an->stats.malformed[i])
            extra[n++] = (struct bw_detect_count){bw_net_verdict_name(i), an->stats.malformed[i]};
    return bw_detect_report(an->det, extra, n, an->stats.records);
}

enum bw_code bw_edge_samples_write(struct bw_detect *det, const char *dir, struct bw_err *err)
{
    for (size_t i = 0; i < bw_detect_attack_count(det); i++) {
        const struct bw_detect_attack *a = bw_detect_attack_get(det, i);
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%s.pcap", dir, a->id);
        if (n < 0 || (size_t)n >= sizeof path)
            return bw_fail(err, BW_E_VALIDATION, "samples path too long");
        enum bw_code rc = bw_edge_pcap_write(path, a->samples, a->n_samples, err);
        if (rc != BW_OK)
            return rc;
    }
    return BW_OK;
}
