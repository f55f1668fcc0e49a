/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capture backend over libpcap: pcap_open_offline_with_tstamp_precision reads
 * both classic pcap (microsecond or nanosecond) and pcapng, and gives nanosecond
 * timestamps. Only Ethernet (DLT_EN10MB) is accepted: the decoder starts at an
 * Ethernet header, as XDP does. Samples are written back as classic pcap.
 */
#include "edge/edge.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

struct bw_edge_capture {
    pcap_t *p;
};

enum bw_code bw_edge_capture_open(const char *path, struct bw_edge_capture **out,
                                  struct bw_err *err)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!p)
        return bw_fail(err, BW_E_VALIDATION, "cannot read capture %s: %s", path, ebuf);
    if (pcap_datalink(p) != DLT_EN10MB) {
        int dlt = pcap_datalink(p);
        pcap_close(p);
        return bw_fail(err, BW_E_VALIDATION, "capture %s: link type %d is not Ethernet", path, dlt);
    }
    struct bw_edge_capture *c = calloc(1, sizeof *c);
    if (!c)
        bw_oom();
    c->p = p;
    *out = c;
    return BW_OK;
}

int bw_edge_capture_next(struct bw_edge_capture *c, struct bw_edge_record *rec, struct bw_err *err)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(c->p, &h, &data);
    if (rc == PCAP_ERROR_BREAK)
        return 0;
    if (rc != 1) {
        bw_fail(err, BW_E_VALIDATION, "capture read error: %s", pcap_geterr(c->p));
        return -1;
    }
    rec->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec;
    rec->caplen = h->caplen;
    rec->wire_len = h->len;
    rec->data = data;
    return 1;
}

void bw_edge_capture_close(struct bw_edge_capture *c)
{
    if (!c)
        return;
    pcap_close(c->p);
    free(c);
}

enum bw_code bw_edge_pcap_write(const char *path, const struct bw_detect_sample *s, size_t n,
                                struct bw_err *err)
{
    pcap_t *dead =
        pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144, PCAP_TSTAMP_PRECISION_NANO);
    if (!dead)
        return bw_fail(err, BW_E_INTERNAL, "pcap_open_dead failed");
    pcap_dumper_t *w = pcap_dump_open(dead, path);
    if (!w) {
        enum bw_code rc =
            bw_fail(err, BW_E_VALIDATION, "cannot write %s: %s", path, pcap_geterr(dead));
        pcap_close(dead);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        struct pcap_pkthdr h = {0};
        h.ts.tv_sec = (time_t)(s[i].ts_ns / 1000000000ULL);
        h.ts.tv_usec = (suseconds_t)(s[i].ts_ns % 1000000000ULL); /* ns: see precision */
        h.caplen = h.len = s[i].len;
        pcap_dump((u_char *)w, &h, s[i].data);
    }
    bool bad = pcap_dump_flush(w) != 0;
    pcap_dump_close(w);
    pcap_close(dead);
    if (bad)
        return bw_fail(err, BW_E_VALIDATION, "cannot write %s", path);
    return BW_OK;
}
