/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The edge data plane in userspace: a capture backend over libpcap (pcap and pcapng
 * files, Ethernet link type) and the analysis loop that runs the shared decoder
 * (src/net) and the Shield detector (src/detect) over a capture in capture time, as
 * if live. All file I/O of the detection path lives here, never in src/detect.
 */
#ifndef BW_EDGE_EDGE_H
#define BW_EDGE_EDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/errors.h"
#include "detect/detect.h"
#include "net/net.h"

/* ---- capture backend ---- */
struct bw_edge_capture;

struct bw_edge_record {
    uint64_t ts_ns;      /* capture time, ns since the epoch */
    uint32_t caplen;     /* bytes in data */
    uint32_t wire_len;   /* bytes on the wire */
    const uint8_t *data; /* valid until the next bw_edge_capture_next */
};

/* Opens a pcap or pcapng file (libpcap detects which). BW_E_VALIDATION when it cannot
 * be read or its link type is not Ethernet. The caller frees with _close. */
enum bw_code bw_edge_capture_open(const char *path, struct bw_edge_capture **out,
                                  struct bw_err *err);
/* The next record: 1 with rec filled, 0 at the end, -1 on a read error (err set). */
int bw_edge_capture_next(struct bw_edge_capture *c, struct bw_edge_record *rec, struct bw_err *err);
void bw_edge_capture_close(struct bw_edge_capture *c);

/* Writes frames as a classic pcap file (Ethernet, ns precision). */
enum bw_code bw_edge_pcap_write(const char *path, const struct bw_detect_sample *s, size_t n,
                                struct bw_err *err);

/* The detector's view of a decoded frame: the flow record by reference (it must outlive
 * the bw_detect_packet call) and the record's time, lengths and bytes. */
static inline struct bw_detect_pkt bw_edge_pkt(const struct bw_net_flow *f,
                                               const struct bw_edge_record *rec)
{
    return (struct bw_detect_pkt){.flow = f,
                                  .ts_ns = rec->ts_ns,
                                  .wire_len = rec->wire_len,
                                  .frame_len = rec->caplen,
                                  .frame = rec->data};
}

/* ---- the analysis loop ---- */
/* What the fast path does with one record. */
enum bw_edge_verdict { BW_EDGE_PASS = 0, BW_EDGE_DROP = 1 };

struct bw_edge_stats {
    uint64_t records, passed, dropped;
    uint64_t malformed[BW_NET_VERDICT_COUNT]; /* drops per decoder reason */
    uint64_t first_ns, last_ns;
};

/* Called every so often during a long analysis (for a progress line); may be NULL. */
typedef void (*bw_edge_progress_fn)(const struct bw_edge_stats *st, size_t attacks, void *arg);

struct bw_edge_analysis {
    struct bw_detect *det; /* configured by the caller (resources, capacity) */
    FILE *verdicts;        /* one byte per record, or NULL */
    bw_edge_progress_fn progress;
    void *progress_arg;
    uint64_t progress_ns;       /* wall time between progress calls (0: every 64 Ki records) */
    struct bw_edge_stats stats; /* OUT */
};

/* Runs decoder and detector over every record of the capture at path, in capture
 * time, writing verdicts as it goes; runs the ticks up to the last record (attacks
 * still under way stay open).
 * Errors: the capture cannot be opened or read, or a verdict write fails. */
enum bw_code bw_edge_analyze(struct bw_edge_analysis *an, const char *path, struct bw_err *err);

/* Processes one record (the loop body, for live capture and tests). */
enum bw_edge_verdict bw_edge_analyze_record(struct bw_edge_analysis *an,
                                            const struct bw_edge_record *rec);

/* The same over a burst of records, in order, writing one verdict byte per record to
 * verdicts[0..n): it decodes the burst first and prefetches the detector's tables a
 * few packets ahead. Same verdicts as n calls of bw_edge_analyze_record. */
void bw_edge_analyze_batch(struct bw_edge_analysis *an, const struct bw_edge_record *recs, size_t n,
                           uint8_t *verdicts);

/* The report JSON with the decoder's drop counts merged (malloc'd; the caller frees). */
char *bw_edge_report(struct bw_edge_analysis *an);

/* Writes each attack's samples as DIR/<AttackId>.pcap. */
enum bw_code bw_edge_samples_write(struct bw_detect *det, const char *dir, struct bw_err *err);

#endif
