/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the whole userspace packet path, decoder then detector, as `bulwark edge
 * analyze` runs it: the input is a sequence of frames, each `len(2, big-endian) gap(1)
 * bytes[len]`, the gap advancing capture time by gap * 50 ms. One detector lives across
 * inputs (as it would live across a capture), protecting 198.51.100.0/24 with a small
 * capacity so every branch (mitigations, priority drops, L7 streams) is reachable.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "edge/edge.h"

static void setup(struct bw_edge_analysis *an)
{
    struct bw_detect_config cfg;
    bw_detect_config_default(&cfg);
    cfg.capacity_pps = 50;
    cfg.warmup_s = 1;
    cfg.floor_scale = 0.01; /* a short input can still declare attacks */
    cfg.sample_every = 3;
    cfg.sample_max = 16;
    an->det = bw_detect_new(&cfg);
    struct bw_err err;
    bw_detect_resource_parse(an->det, "198.51.100.0/24=arn:aws:ec2:::eip/fuzz", &err);
    bw_detect_resource_parse(an->det, "2001:db8::/32", &err);
}

#define MAX_FRAMES 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bw_edge_record recs[MAX_FRAMES];
    static uint8_t one[MAX_FRAMES], burst[MAX_FRAMES];
    uint64_t now = 1700000000ULL * 1000000000ULL;
    size_t n = 0, off = 0;
    while (size - off >= 3 && n < MAX_FRAMES) {
        size_t len = (size_t)data[off] << 8 | data[off + 1];
        now += (uint64_t)data[off + 2] * 10000000ULL;
        off += 3;
        if (len > size - off)
            len = size - off;
        uint8_t *frame = malloc(len ? len : 1); /* exact size: ASan sees overreads */
        memcpy(frame, data + off, len);
        recs[n++] = (struct bw_edge_record){now, (uint32_t)len, (uint32_t)len, frame};
        off += len;
    }
    /* Record by record, then the same frames in bursts: the verdicts must agree. */
    struct bw_edge_analysis a = {0}, b = {0};
    setup(&a);
    setup(&b);
    for (size_t i = 0; i < n; i++)
        one[i] = (uint8_t)bw_edge_analyze_record(&a, &recs[i]);
    bw_edge_analyze_batch(&b, recs, n, burst);
    if (memcmp(one, burst, n) != 0)
        abort();
    for (size_t i = 0; i < bw_detect_attack_count(a.det); i++)
        (void)bw_detect_attack_get(a.det, i);
    bw_detect_finish(a.det, now);
    char *rep = bw_edge_report(&a);
    free(rep);
    bw_detect_free(a.det);
    bw_detect_free(b.det);
    for (size_t i = 0; i < n; i++)
        free((void *)recs[i].data);
    return 0;
}
