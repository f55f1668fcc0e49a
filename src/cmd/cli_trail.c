/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `bulwark trail validate|lookup|tail|top`: the audit trail from the command
 * line, reading the data dir's store directly (no daemon needed).
 *   validate  as `aws cloudtrail validate-logs`: each digest and log file valid,
 *             modified, deleted or inserted, the chain intact or broken; exit 0
 *             when everything is valid, 1 when anything is not, 2 on usage errors.
 *   lookup    LookupEvents from the shell (one record per line).
 *   tail      follows new events as they are recorded, with filters.
 *   top       counts events by source IP, principal or event name over a window.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "common/util.h"
#include "trail/trail.h"

static const char *opt(int argc, char **argv, const char *name, const char *dflt)
{
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], name))
            return argv[i + 1];
    return dflt;
}

static bool flag(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name))
            return true;
    return false;
}

/* ISO 8601, epoch seconds, or a duration back from now ("15m", "2h", "3d"). */
static bool parse_time(const char *s, int64_t now_ms, int64_t *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end != s && *end && !end[1] && strchr("smhd", *end)) {
        double mult = *end == 's' ? 1e3 : *end == 'm' ? 6e4 : *end == 'h' ? 3.6e6 : 8.64e7;
        *out = now_ms - (int64_t)(v * mult);
        return true;
    }
    if (end != s && !*end) {
        *out = (int64_t)(v * 1000);
        return true;
    }
    int64_t sec;
    if (!bw_time_parse(s, strlen(s), &sec))
        return false;
    *out = sec * 1000;
    return true;
}

static struct bw_db *open_db(int argc, char **argv)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/bulwark.db", opt(argc, argv, "--data-dir", "./data"));
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "bulwark trail: no store at %s (use --data-dir)\n", path);
        return NULL;
    }
    struct bw_err err;
    bw_err_clear(&err);
    struct bw_db *db;
    if (bw_db_open(path, &db, &err)) {
        fprintf(stderr, "bulwark trail: %s\n", err.msg);
        return NULL;
    }
    return db;
}

static void iso_ms(int64_t ms, char *out, size_t cap)
{
    bw_time_iso8601(ms / 1000, out, cap);
}

struct vout {
    bool verbose;
};

static void report(void *arg, const struct bw_trail_report_item *it)
{
    const struct vout *o = arg;
    if (it->status == BW_TRAIL_VALID && !o->verbose)
        return;
    const char *what = it->digest ? "Digest file" : "Log file";
    if (it->status == BW_TRAIL_VALID)
        printf("%-12s %s\tvalid\n", what, it->key);
    else if (it->status == BW_TRAIL_UNCOVERED)
        printf("%-12s %s\tvalid (%s)\n", what, it->key, bw_trail_status_name(it->status));
    else
        printf("%-12s %s\tINVALID: %s%s%s\n", what, it->key, bw_trail_status_name(it->status),
               it->detail ? ": " : "", it->detail ? it->detail : "");
}

/* Prints validate's totals; returns the exit status. */
static int summary(const struct bw_trail_validation *v, const char *s1, const char *s2,
                   bool verbose, double secs)
{
    printf("\nResults requested for %s to %s\n", s1, s2);
    printf("%zu/%zu digest files valid\n%zu/%zu log files valid\n", v->digests_valid, v->digests,
           v->logs_valid, v->logs);
    if (v->inserted)
        printf("%zu files INVALID: inserted (delivered by no trail)\n", v->inserted);
    if (v->uncovered)
        printf("%zu log files not yet covered by a digest (hash as recorded: valid)\n",
               v->uncovered);
    printf("Digest chain: %s\n", v->chain_intact ? "intact" : "BROKEN");
    if (verbose)
        printf("Hashed %" PRIu64 " bytes in %.3f s\n", v->bytes_hashed, secs);
    bool ok = v->chain_intact && v->digests_valid == v->digests && v->logs_valid == v->logs &&
              !v->inserted;
    return ok ? 0 : 1;
}

static int validate(int argc, char **argv)
{
    const char *trail = opt(argc, argv, "--trail", opt(argc, argv, "--trail-arn", NULL));
    const char *st = opt(argc, argv, "--start-time", NULL),
               *et = opt(argc, argv, "--end-time", NULL);
    int64_t now = bw_now_ms(), start, end = now;
    if (!trail || !st || !parse_time(st, now, &start) || (et && !parse_time(et, now, &end))) {
        fputs("usage: bulwark trail validate --trail NAME|ARN --start-time T [--end-time T]\n"
              "       [--account ID] [--owner ID] [--verbose] [--data-dir DIR]\n",
              stderr);
        return 2;
    }
    struct bw_db *db = open_db(argc, argv);
    if (!db)
        return 2;
    char s1[32], s2[32];
    iso_ms(start, s1, sizeof s1);
    iso_ms(end, s2, sizeof s2);
    printf("Validating log files for trail %s between %s and %s\n\n", trail, s1, s2);
    struct vout o = {flag(argc, argv, "--verbose")};
    struct bw_trail_validation v;
    struct bw_err err;
    bw_err_clear(&err);
    uint64_t t0 = bw_mono_ns();
    enum bw_code rc =
        bw_trail_validate(db, trail, opt(argc, argv, "--owner", NULL),
                          opt(argc, argv, "--account", NULL), start, end, report, &o, &v, &err);
    double secs = (double)(bw_mono_ns() - t0) / 1e9;
    bw_db_close(db);
    if (rc) {
        fprintf(stderr, "bulwark trail validate: %s\n", err.msg);
        return 2;
    }
    return summary(&v, s1, s2, flag(argc, argv, "--verbose"), secs);
}

/* The account to look at: --account, else the first account made by init. */
static const char *default_account(struct bw_db *db, struct bw_arena *a, int argc, char **argv)
{
    const char *acct = opt(argc, argv, "--account", NULL);
    if (acct)
        return acct;
    sqlite3_stmt *st = bw_db_prep(db,
                                  "SELECT id FROM accounts ORDER BY is_bootstrap DESC,"
                                  " created_at LIMIT 1",
                                  NULL, "");
    bool row = false;
    if (st && !bw_db_step(db, st, &row, NULL) && row)
        acct = bw_db_col_str(a, st, 0);
    if (st)
        sqlite3_reset(st);
    return acct;
}

/* Prints up to max records of the lookup, page by page; returns the exit status. */
static int print_pages(struct bw_db *db, struct bw_trail_lookup *q, long max)
{
    for (long shown = 0; shown < max;) {
        q->max_results = (int)(max - shown > 50 ? 50 : max - shown);
        struct bw_trail_page p;
        struct bw_err err;
        bw_err_clear(&err);
        if (bw_trail_lookup_run(db, q, &p, &err)) {
            fprintf(stderr, "bulwark trail lookup: %s\n", err.msg);
            return 2;
        }
        size_t i;
        json_t *e;
        json_array_foreach(p.events, i, e)
            puts(json_string_value(json_object_get(e, "CloudTrailEvent")));
        shown += (long)json_array_size(p.events);
        json_decref(p.events);
        if (!p.more)
            break;
        q->before_time = p.last_time;
        q->before_seq = p.last_seq;
    }
    return 0;
}

static int lookup(int argc, char **argv)
{
    struct bw_db *db = open_db(argc, argv);
    if (!db)
        return 2;
    struct bw_arena *a = bw_arena_new(0);
    int64_t now = bw_now_ms();
    struct bw_trail_lookup q = {.account = default_account(db, a, argc, argv),
                                .start_ms = now - 90LL * 86400000,
                                .end_ms = now + 60000,
                                .max_results = 50};
    const char *attr = opt(argc, argv, "--attribute", NULL), *m = opt(argc, argv, "--max", NULL);
    const char *st = opt(argc, argv, "--start-time", NULL),
               *et = opt(argc, argv, "--end-time", NULL);
    int rc = 0;
    if ((st && !parse_time(st, now, &q.start_ms)) || (et && !parse_time(et, now, &q.end_ms)) ||
        (attr && !strchr(attr, '=')) || !q.account) {
        fputs(
            "usage: bulwark trail lookup [--attribute Key=Value] [--start-time T] [--end-time T]\n"
            "       [--max N] [--account ID] [--data-dir DIR]\n",
            stderr);
        rc = 2;
        goto out;
    }
    if (attr) {
        q.attr_key = bw_arena_strndup(a, attr, (size_t)(strchr(attr, '=') - attr));
        q.attr_value = strchr(attr, '=') + 1;
    }
    rc = print_pages(db, &q, m ? strtol(m, NULL, 10) : 50);
out:
    bw_arena_free(a);
    bw_db_close(db);
    return rc;
}

static volatile sig_atomic_t stop_tail;

static void on_signal(int sig)
{
    (void)sig;
    stop_tail = 1;
}

/* --filter key=value, repeatable; keys: event, source, principal (user name or ARN),
 * ip, account, error (a code, or "any"), readonly (true|false), akid. */
static bool matches(json_t *rec, int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--filter") != 0 || !strchr(argv[i + 1], '='))
            continue;
        const char *f = argv[i + 1], *v = strchr(f, '=') + 1;
        size_t kl = (size_t)(v - 1 - f);
        json_t *u = json_object_get(rec, "userIdentity");
        const char *got = NULL, *got2 = NULL;
#define KEY(k) (kl == strlen(k) && strncmp(f, k, kl) == 0)
        if (KEY("event"))
            got = json_string_value(json_object_get(rec, "eventName"));
        else if (KEY("source"))
            got = json_string_value(json_object_get(rec, "eventSource"));
        else if (KEY("ip"))
            got = json_string_value(json_object_get(rec, "sourceIPAddress"));
        else if (KEY("account"))
            got = json_string_value(json_object_get(rec, "recipientAccountId"));
        else if (KEY("akid"))
            got = json_string_value(json_object_get(u, "accessKeyId"));
        else if (KEY("principal")) {
            got = json_string_value(json_object_get(u, "arn"));
            got2 = json_string_value(json_object_get(u, "userName"));
        } else if (KEY("readonly"))
            got = json_is_true(json_object_get(rec, "readOnly")) ? "true" : "false";
        else if (KEY("error")) {
            got = json_string_value(json_object_get(rec, "errorCode"));
            if (got && strcmp(v, "any") == 0)
                continue;
        }
#undef KEY
        if (!((got && strcmp(got, v) == 0) || (got2 && strcmp(got2, v) == 0)))
            return false;
    }
    return true;
}

static void print_line(json_t *rec, bool as_json, const char *text)
{
    if (as_json) {
        puts(text);
    } else {
        json_t *u = json_object_get(rec, "userIdentity");
        const char *e = json_string_value(json_object_get(rec, "errorCode"));
        printf("%s %s %s:%s %s%s%s\n", json_string_value(json_object_get(rec, "eventTime")),
               json_string_value(json_object_get(rec, "sourceIPAddress")),
               json_string_value(json_object_get(rec, "eventSource")),
               json_string_value(json_object_get(rec, "eventName")),
               json_string_value(json_object_get(u, "arn")), e ? " error=" : "", e ? e : "");
    }
    fflush(stdout);
}

static const char *const tail_sql =
    "SELECT seq, record FROM trail_events WHERE seq > ? ORDER BY seq LIMIT 1000";

/* Prints new events; returns the number printed, or -1 on a store error. */
static long tail_once(struct bw_db *db, int64_t *seq, int argc, char **argv, bool as_json,
                      long limit)
{
    sqlite3_stmt *st = bw_db_prep(db, tail_sql, NULL, "i", *seq);
    if (!st)
        return -1;
    long n = 0;
    bool row;
    while (n < limit && !bw_db_step(db, st, &row, NULL) && row) {
        *seq = sqlite3_column_int64(st, 0);
        const char *text = (const char *)sqlite3_column_text(st, 1);
        json_error_t je;
        json_t *rec = json_loads(text, 0, &je);
        if (rec && matches(rec, argc, argv)) {
            print_line(rec, as_json, text);
            n++;
        }
        json_decref(rec);
    }
    sqlite3_reset(st);
    bw_db_rollback(db);
    return n;
}

static int tail(int argc, char **argv)
{
    struct bw_db *db = open_db(argc, argv);
    if (!db)
        return 2;
    int64_t seq = 0;
    if (!flag(argc, argv, "--from-start")) {
        sqlite3_stmt *st =
            bw_db_prep(db, "SELECT COALESCE(MAX(seq), 0) FROM trail_events", NULL, "");
        bool row;
        if (st && !bw_db_step(db, st, &row, NULL) && row)
            seq = sqlite3_column_int64(st, 0);
        if (st)
            sqlite3_reset(st);
    }
    const char *cnt = opt(argc, argv, "--count", NULL), *to = opt(argc, argv, "--timeout", NULL);
    long left = cnt ? strtol(cnt, NULL, 10) : -1;
    int64_t deadline = to ? bw_now_ms() + (int64_t)(strtod(to, NULL) * 1000) : 0;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    bool as_json = flag(argc, argv, "--json");
    while (!stop_tail && left != 0 && (!deadline || bw_now_ms() < deadline)) {
        long n = tail_once(db, &seq, argc, argv, as_json, left < 0 ? 1000 : left);
        if (n < 0)
            break;
        if (left > 0)
            left -= n;
        if (n == 0)
            usleep(200000);
    }
    bw_db_close(db);
    return left > 0 ? 1 : 0;
}

#define TOP_TAIL                                                                                   \
    " AS k, COUNT(*) AS n, SUM(error_code IS NOT NULL), SUM(error_code LIKE 'AccessDenied%')"      \
    " FROM trail_events WHERE event_time BETWEEN ?1 AND ?2 AND (?3 IS NULL OR account_id = ?3)"    \
    " GROUP BY k ORDER BY n DESC, k LIMIT ?4"
static const char *const top_ip = "SELECT source_ip" TOP_TAIL;
static const char *const top_principal =
    "SELECT json_extract(record, '$.userIdentity.arn')" TOP_TAIL;
static const char *const top_event = "SELECT event_source || ':' || event_name" TOP_TAIL;

static int top(int argc, char **argv)
{
    const char *by = opt(argc, argv, "--by", "source-ip");
    const char *sql = !strcmp(by, "source-ip")   ? top_ip
                      : !strcmp(by, "principal") ? top_principal
                      : !strcmp(by, "event")     ? top_event
                                                 : NULL;
    int64_t now = bw_now_ms(), start, end = now;
    const char *since = opt(argc, argv, "--since", opt(argc, argv, "--start-time", "1h"));
    const char *et = opt(argc, argv, "--end-time", NULL);
    if (!sql || !parse_time(since, now, &start) || (et && !parse_time(et, now, &end))) {
        fputs("usage: bulwark trail top --by source-ip|principal|event [--since 1h|T]\n"
              "       [--end-time T] [--limit N] [--account ID] [--json] [--data-dir DIR]\n",
              stderr);
        return 2;
    }
    struct bw_db *db = open_db(argc, argv);
    if (!db)
        return 2;
    long limit = strtol(opt(argc, argv, "--limit", "10"), NULL, 10);
    sqlite3_stmt *st = bw_db_prep(db, sql, NULL, "iisi", start, end,
                                  opt(argc, argv, "--account", NULL), (int64_t)limit);
    bool as_json = flag(argc, argv, "--json"), row;
    if (!as_json)
        printf("%-60s %8s %8s %8s\n", by, "events", "errors", "denied");
    while (st && !bw_db_step(db, st, &row, NULL) && row) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        if (as_json) {
            json_t *o = json_pack("{s:s?,s:I,s:I,s:I}", "key", k, "events",
                                  (json_int_t)sqlite3_column_int64(st, 1), "errors",
                                  (json_int_t)sqlite3_column_int64(st, 2), "denied",
                                  (json_int_t)sqlite3_column_int64(st, 3));
            char *s = json_dumps(o, JSON_COMPACT);
            puts(s);
            free(s);
            json_decref(o);
        } else {
            printf("%-60s %8lld %8lld %8lld\n", k ? k : "-", (long long)sqlite3_column_int64(st, 1),
                   (long long)sqlite3_column_int64(st, 2), (long long)sqlite3_column_int64(st, 3));
        }
    }
    if (st)
        sqlite3_reset(st);
    bw_db_close(db);
    return st ? 0 : 2;
}

int bw_cli_trail(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    if (!strcmp(sub, "validate"))
        return validate(argc - 1, argv + 1);
    if (!strcmp(sub, "lookup"))
        return lookup(argc - 1, argv + 1);
    if (!strcmp(sub, "tail"))
        return tail(argc - 1, argv + 1);
    if (!strcmp(sub, "top"))
        return top(argc - 1, argv + 1);
    fputs("usage: bulwark trail validate|lookup|tail|top [options]  (--help per command)\n",
          stderr);
    return 2;
}
