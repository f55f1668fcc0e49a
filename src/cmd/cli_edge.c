/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `bulwark edge analyze`: runs the shared decoder and the Shield detector over a
 * capture (pcap or pcapng) in capture time and reports what happened:
 *
 *   bulwark edge analyze --pcap FILE --protect ADDR[/LEN][=ARN] ... [--capacity-pps N]
 *                        [--report FILE] [--verdicts FILE] [--samples DIR] [--json]
 *                        [--http-port N] ...
 *
 * stdout: a summary (or, with --json, the report: attacks shaped like Shield's
 * DescribeAttack AttackDetail plus DetectionTime, drop counts per reason). --report
 * writes the same JSON to a file; --verdicts one byte per record (0 passed, 1
 * dropped); --samples each attack's sampled packets as DIR/<AttackId>.pcap. A
 * progress line goes to stderr every two seconds on long captures (every 64 Ki records
 * at most; BW_EDGE_PROGRESS_MS changes the interval). --http-port
 * declares a plaintext HTTP port besides 80 (the "any port declared as HTTP").
 * The detector learns for 20 s before it may declare anything. Exit 0 on
 * success, 1 on failure, 2 on bad usage.
 */
#include "cmd/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "edge/edge.h"

struct opts {
    const char *pcap, *report, *verdicts, *samples;
    const char *protect[64];
    size_t n_protect;
    bool json;
    struct bw_detect_config cfg;
};

static void usage(FILE *f)
{
    fputs("usage: bulwark edge analyze --pcap FILE --protect ADDR[/LEN][=ARN] ...\n"
          "                            [--capacity-pps N] [--report FILE] [--verdicts FILE]\n"
          "                            [--samples DIR] [--json] [--http-port N]\n",
          f);
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max)
        return false;
    *out = v;
    return true;
}

static int parse_one(struct opts *o, int c, const char *arg)
{
    uint64_t v;
    switch (c) {
    case 'p':
        o->pcap = arg;
        return 0;
    case 'P':
        if (o->n_protect == sizeof o->protect / sizeof o->protect[0])
            return -1;
        o->protect[o->n_protect++] = arg;
        return 0;
    case 'c':
        if (!parse_u64(arg, UINT64_MAX / 2, &v))
            return -1;
        o->cfg.capacity_pps = v;
        return 0;
    case 'r':
        o->report = arg;
        return 0;
    case 'v':
        o->verdicts = arg;
        return 0;
    case 's':
        o->samples = arg;
        return 0;
    case 'j':
        o->json = true;
        return 0;
    case 'H':
        if (!parse_u64(arg, 65535, &v) || v == 0 || o->cfg.n_http_ports == 8)
            return -1;
        o->cfg.http_ports[o->cfg.n_http_ports++] = (uint16_t)v;
        return 0;
    default:
        return -1;
    }
}

static int parse(struct opts *o, int argc, char **argv)
{
    static const struct option lo[] = {{"pcap", required_argument, 0, 'p'},
                                       {"protect", required_argument, 0, 'P'},
                                       {"capacity-pps", required_argument, 0, 'c'},
                                       {"report", required_argument, 0, 'r'},
                                       {"verdicts", required_argument, 0, 'v'},
                                       {"samples", required_argument, 0, 's'},
                                       {"json", no_argument, 0, 'j'},
                                       {"http-port", required_argument, 0, 'H'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    bw_detect_config_default(&o->cfg);
    o->cfg.n_http_ports = 1; /* port 80 always; --http-port adds */
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 1;
        }
        if (parse_one(o, c, optarg) != 0) {
            if (c != '?')
                fprintf(stderr, "bulwark edge analyze: bad option value '%s'\n",
                        optarg ? optarg : "");
            usage(stderr);
            return -1;
        }
    }
    if (optind != argc || !o->pcap || o->n_protect == 0) {
        fprintf(stderr, "bulwark edge analyze: --pcap and at least one --protect are required\n");
        usage(stderr);
        return -1;
    }
    return 0;
}

static void progress(const struct bw_edge_stats *st, size_t attacks, void *arg)
{
    (void)arg;
    fprintf(stderr, "bulwark edge analyze: %llu records, %.1f s of capture, %zu attack(s)\n",
            (unsigned long long)st->records, (double)(st->last_ns - st->first_ns) / 1e9, attacks);
}

/* Two seconds, or BW_EDGE_PROGRESS_MS (tests set 0 to see the line on small captures). */
static uint64_t progress_interval_ns(void)
{
    const char *s = getenv("BW_EDGE_PROGRESS_MS");
    uint64_t ms;
    return (s && parse_u64(s, 86400000, &ms) ? ms : 2000) * 1000000ULL;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) == EOF || fputc('\n', f) == EOF) {
        fprintf(stderr, "bulwark edge analyze: cannot write %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return 1;
    }
    return fclose(f) == 0 ? 0 : 1;
}

static void summary(struct bw_edge_analysis *an)
{
    const struct bw_edge_stats *st = &an->stats;
    printf("records %llu passed %llu dropped %llu\n", (unsigned long long)st->records,
           (unsigned long long)st->passed, (unsigned long long)st->dropped);
    for (int r = 1; r < BW_DETECT_DROP__COUNT; r++)
        printf("drop %s %llu\n", bw_detect_drop_name(r),
               (unsigned long long)bw_detect_drops(an->det, r));
    for (int i = 1; i < BW_NET_VERDICT_COUNT; i++)
        if (st->malformed[i])
            printf("drop %s %llu\n", bw_net_verdict_name(i), (unsigned long long)st->malformed[i]);
    for (size_t i = 0; i < bw_detect_attack_count(an->det); i++) {
        const struct bw_detect_attack *a = bw_detect_attack_get(an->det, i);
        printf("attack %s %s start %.3f detected %.3f end ", a->id, a->arn,
               (double)a->start_ns / 1e9, (double)a->detect_ns / 1e9);
        if (a->end_ns)
            printf("%.3f vectors", (double)a->end_ns / 1e9);
        else
            printf("ongoing vectors");
        for (int v = 0; v < BW_DETECT_V__COUNT; v++)
            if (a->vectors & (1u << v))
                printf(" %s", bw_detect_vector_name(v));
        printf("\n");
    }
}

static int outputs(struct bw_edge_analysis *an, const struct opts *o)
{
    struct bw_err err = {0};
    int rc = 0;
    if (o->samples) {
        if (mkdir(o->samples, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "bulwark edge analyze: cannot create %s: %s\n", o->samples,
                    strerror(errno));
            return 1;
        }
        if (bw_edge_samples_write(an->det, o->samples, &err) != BW_OK) {
            fprintf(stderr, "bulwark edge analyze: %s\n", err.msg);
            return 1;
        }
    }
    char *json = bw_edge_report(an);
    if (o->report)
        rc |= write_text(o->report, json);
    if (o->json)
        puts(json);
    else
        summary(an);
    free(json);
    return rc;
}

static int analyze(int argc, char **argv)
{
    struct opts o = {0};
    int pr = parse(&o, argc, argv);
    if (pr != 0)
        return pr > 0 ? 0 : 2;
    struct bw_err err = {0};
    struct bw_edge_analysis an = {0};
    an.det = bw_detect_new(&o.cfg);
    an.progress = progress;
    an.progress_ns = progress_interval_ns();
    int rc = 1;
    for (size_t i = 0; i < o.n_protect; i++)
        if (bw_detect_resource_parse(an.det, o.protect[i], &err) != BW_OK) {
            fprintf(stderr, "bulwark edge analyze: %s\n", err.msg);
            rc = 2;
            goto out;
        }
    if (o.verdicts && !(an.verdicts = fopen(o.verdicts, "wb"))) {
        fprintf(stderr, "bulwark edge analyze: cannot write %s: %s\n", o.verdicts, strerror(errno));
        goto out;
    }
    if (bw_edge_analyze(&an, o.pcap, &err) != BW_OK) {
        fprintf(stderr, "bulwark edge analyze: %s\n", err.msg);
        goto out;
    }
    rc = outputs(&an, &o);
out:
    if (an.verdicts && fclose(an.verdicts) != 0)
        rc = 1;
    bw_detect_free(an.det);
    return rc;
}

int bw_cli_edge(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs("usage: bulwark edge analyze ...   (see bulwark edge analyze --help)\n",
              argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "analyze") == 0)
        return analyze(argc - 1, argv + 1);
    fprintf(stderr, "bulwark edge: unknown command '%s'\n", argv[1]);
    return 2;
}
