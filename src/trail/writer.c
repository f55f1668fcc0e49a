/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The log-file writer: drains the trail_events outbox into one gzip'd
 * {"Records":[…]} file per account and region, for every trail that is logging
 * (and, after StopLogging, up to the StopLogging event itself). Events are read
 * in seq order; SQLite has one writer at a time, so seq order is commit order
 * and a cursor (trails.cursor_seq) is enough to never skip or repeat one.
 *
 * Crash safety: a file's name depends only on the trail, the account/region and
 * its first event (seq and time). It is written durably as "<name>.tmp", then
 * its record and the cursor are committed, then it is renamed into place. A
 * crash before the commit leaves a .tmp that the next pass rewrites under the
 * same name with the same events (and possibly newer ones); a crash after it
 * leaves a recorded .tmp that the next pass renames (recover_logs). Nothing is
 * lost, nothing is delivered twice, and a visible file is always recorded, so
 * validating a live trail never sees a file the store does not know.
 *
 * Key layout (CloudTrail "Finding your CloudTrail log files"):
 *   [prefix/]AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
 *       ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz
 */
#include "trail/internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

struct ev {
    int64_t seq, time_ms;
    const char *account, *region, *record, *source;
};

/* Global services: their events are the trail's only with IncludeGlobalServiceEvents
 * (CloudTrail "Understanding multi-Region trails and global service events"). */
static bool is_global(const char *source)
{
    static const char *const global[] = {"iam.amazonaws.com", "sts.amazonaws.com",
                                         "organizations.amazonaws.com", "cloudfront.amazonaws.com",
                                         "route53.amazonaws.com"};
    for (size_t i = 0; i < sizeof global / sizeof global[0]; i++)
        if (strcmp(source, global[i]) == 0)
            return true;
    return false;
}

/* Whether the trail's region settings take the event. */
static bool region_matches(const struct bw_trail__row *t, const struct ev *e)
{
    bool global = is_global(e->source);
    if (global)
        return t->include_global;
    return t->multi_region || strcmp(e->region, t->home_region) == 0;
}

struct match_cache {
    const char **accounts;
    bool *match;
    size_t n, cap;
};

void bw_trail_writer_cfg_init(struct bw_trail_writer_cfg *cfg, const char *data_dir,
                              const struct bw_secrets *secrets)
{
    const char *d = getenv("BULWARK_TRAIL_DELIVERY_SECONDS");
    const char *g = getenv("BULWARK_TRAIL_DIGEST_SECONDS");
    double dv = d ? strtod(d, NULL) : 300, gv = g ? strtod(g, NULL) : 3600;
    *cfg = (struct bw_trail_writer_cfg){
        .data_dir = data_dir,
        .secrets = secrets,
        .delivery_ms = dv >= 0 && dv <= 86400 ? (int64_t)(dv * 1000) : 300000,
        .digest_ms = gv >= 1 && gv <= 86400 ? (int64_t)(gv * 1000) : 3600000,
        .batch = 5000,
    };
}

static bool account_matches(struct bw_db *db, struct bw_arena *a, const struct bw_trail__row *t,
                            struct match_cache *mc, const char *account)
{
    if (strcmp(account, t->account) == 0)
        return true;
    if (!t->is_org || !t->org_id)
        return false;
    for (size_t i = 0; i < mc->n; i++)
        if (strcmp(mc->accounts[i], account) == 0)
            return mc->match[i];
    if (mc->n == mc->cap) {
        size_t cap = mc->cap ? mc->cap * 2 : 16;
        const char **na = BW_ARENA_NEWN(a, const char *, cap);
        bool *nm = BW_ARENA_NEWN(a, bool, cap);
        if (mc->n) {
            memcpy(na, mc->accounts, mc->n * sizeof *na);
            memcpy(nm, mc->match, mc->n * sizeof *nm);
        }
        mc->accounts = na;
        mc->match = nm;
        mc->cap = cap;
    }
    const char *org = bw_trail_org_of(db, a, account);
    mc->accounts[mc->n] = account;
    mc->match[mc->n] = org && strcmp(org, t->org_id) == 0;
    return mc->match[mc->n++];
}

static const char *const scan_sql =
    "SELECT seq, account_id, region, event_time, record, event_source FROM trail_events"
    " WHERE seq > ?"
    " ORDER BY seq LIMIT ?";

/* Reads up to cfg->batch events after the cursor; keeps those the trail receives. */
static enum bw_code scan(struct bw_db *db, struct bw_arena *a, const struct bw_trail__row *t,
                         size_t batch, struct ev **out, size_t *n, int64_t *last_seq,
                         size_t *scanned, struct bw_err *err)
{
    struct match_cache mc = {0};
    sqlite3_stmt *st = bw_db_prep(db, scan_sql, err, "ii", t->cursor_seq, (int64_t)batch);
    if (!st)
        return err->code;
    size_t cap = 64;
    *out = BW_ARENA_NEWN(a, struct ev, cap);
    *n = *scanned = 0;
    bool row;
    while (!bw_db_step(db, st, &row, err) && row) {
        (*scanned)++;
        struct ev e = {sqlite3_column_int64(st, 0),
                       sqlite3_column_int64(st, 3),
                       bw_db_col_str(a, st, 1),
                       bw_db_col_str(a, st, 2),
                       NULL,
                       (const char *)sqlite3_column_text(st, 5)};
        *last_seq = e.seq;
        if (!t->logging && e.time_ms > t->stop_ms)
            continue; /* stopped: deliver up to (and including) the StopLogging event */
        if (e.time_ms < t->start_ms)
            continue; /* before StartLogging (a read-only event committed late) */
        if (!region_matches(t, &e) || !account_matches(db, a, t, &mc, e.account))
            continue;
        e.record = bw_db_col_str(a, st, 4);
        if (*n == cap) {
            struct ev *g = BW_ARENA_NEWN(a, struct ev, cap * 2);
            memcpy(g, *out, cap * sizeof *g);
            *out = g;
            cap *= 2;
        }
        (*out)[(*n)++] = e;
    }
    sqlite3_reset(st);
    return err->code;
}

static const char *log_key(struct bw_arena *a, const struct bw_trail__row *t, const struct ev *e)
{
    char stamp[32], unique[65], date[16];
    bw_trail__stamp(e->time_ms, false, stamp, sizeof stamp);
    snprintf(date, sizeof date, "%.4s/%.2s/%.2s", stamp, stamp + 4, stamp + 6);
    char *seed = bw_arena_printf(a, "%lld:%s:%s:%lld", (long long)t->id, e->account, e->region,
                                 (long long)e->seq);
    bw_trail_sha256_hex(seed, strlen(seed), unique);
    unique[16] = 0;
    return bw_arena_printf(a, "%s%sAWSLogs/%s%s%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz",
                           t->prefix ? t->prefix : "", t->prefix ? "/" : "",
                           t->is_org && t->org_id ? t->org_id : "",
                           t->is_org && t->org_id ? "/" : "", e->account, e->region, date,
                           e->account, e->region, stamp, unique);
}

struct outfile {
    const char *account, *region, *key;
    char sha[65];
    int64_t first_seq, last_seq, oldest_ms, newest_ms;
};

/* Writes the events of group (account, region) starting at evs[first]; marks them used. */
static enum bw_code write_group(struct bw_arena *a, const struct bw_trail__row *t, struct ev *evs,
                                size_t n, size_t first, bool *used, struct outfile *f,
                                struct bw_err *err)
{
    struct bw_buf b;
    bw_buf_init(&b, a, 4096);
    bw_buf_adds(&b, "{\"Records\":[");
    *f = (struct outfile){
        evs[first].account, evs[first].region, log_key(a, t, &evs[first]), "", evs[first].seq, 0,
        evs[first].time_ms, evs[first].time_ms};
    bool sep = false;
    for (size_t i = first; i < n; i++) {
        if (used[i] || strcmp(evs[i].account, f->account) || strcmp(evs[i].region, f->region))
            continue;
        used[i] = true;
        if (sep)
            bw_buf_addc(&b, ',');
        bw_buf_adds(&b, evs[i].record);
        sep = true;
        f->last_seq = evs[i].seq;
        if (evs[i].time_ms < f->oldest_ms)
            f->oldest_ms = evs[i].time_ms;
        if (evs[i].time_ms > f->newest_ms)
            f->newest_ms = evs[i].time_ms;
    }
    bw_buf_adds(&b, "]}");
    unsigned char *gz;
    size_t gz_len;
    if (bw_trail_gzip(b.p, b.len, &gz, &gz_len, err))
        return err->code;
    bw_trail_sha256_hex(gz, gz_len, f->sha);
    enum bw_code rc = bw_trail__write_tmp(t->dir, f->key, gz, gz_len, err);
    free(gz);
    return rc;
}

static const char *const file_insert_sql =
    "INSERT INTO trail_files (trail_id, kind, account_id, region, key, first_seq, last_seq,"
    " oldest_ms, newest_ms, created_ms, sha256, state) VALUES (?,'log',?,?,?,?,?,?,?,?,?,'done')";
static const char *const cursor_sql =
    "UPDATE trails SET cursor_seq = ?, last_delivery_ms = CASE WHEN ? THEN ? ELSE"
    " last_delivery_ms END, stop_drained = CASE WHEN logging = 0 AND ? THEN 1 ELSE stop_drained"
    " END, delivery_error = NULL WHERE id = ?";

static enum bw_code commit_files(struct bw_db *db, const struct bw_trail__row *t,
                                 const struct outfile *f, size_t nf, int64_t last_seq, bool drained,
                                 int64_t now, struct bw_err *err)
{
    if (bw_db_begin(db, true, err))
        return err->code;
    for (size_t i = 0; i < nf; i++)
        if (bw_db_exec(db, err, NULL, file_insert_sql, "isssiiiiis", t->id, f[i].account,
                       f[i].region, f[i].key, f[i].first_seq, f[i].last_seq, f[i].oldest_ms,
                       f[i].newest_ms, now, f[i].sha))
            goto fail;
    if (bw_db_exec(db, err, NULL, cursor_sql, "ididi", last_seq, nf > 0, now, drained, t->id))
        goto fail;
    if (bw_db_commit(db, err))
        goto fail;
    return BW_OK;
fail:
    bw_db_rollback(db);
    return err->code;
}

static const char *const last_batch_sql =
    "SELECT key FROM trail_files WHERE trail_id = ?1 AND kind = 'log' AND created_ms ="
    " (SELECT MAX(created_ms) FROM trail_files WHERE trail_id = ?1 AND kind = 'log')";

/* Publishes the files of the last recorded batch if a crash came between the commit and
 * the renames (earlier batches were all published before the next one began). */
static enum bw_code recover_logs(struct bw_db *db, struct bw_arena *a,
                                 const struct bw_trail__row *t, struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(db, last_batch_sql, err, "i", t->id);
    if (!st)
        return err->code;
    bool row;
    enum bw_code rc = BW_OK;
    while (!rc && !bw_db_step(db, st, &row, err) && row) {
        const char *key = bw_db_col_str(a, st, 0);
        if (bw_trail__tmp_pending(t->dir, key))
            rc = bw_trail__publish(t->dir, key, err);
    }
    sqlite3_reset(st);
    return rc ? rc : err->code;
}

/* Delivers the trail's due events; *files += files written. */
static enum bw_code deliver(struct bw_db *db, struct bw_arena *a,
                            const struct bw_trail_writer_cfg *cfg, struct bw_trail__row *t,
                            int64_t now, bool force, int *files, struct bw_err *err)
{
    struct ev *evs = NULL;
    size_t n = 0, scanned = 0;
    int64_t last_seq = t->cursor_seq;
    if (recover_logs(db, a, t, err) ||
        scan(db, a, t, cfg->batch, &evs, &n, &last_seq, &scanned, err))
        return err->code;
    bool full = scanned >= cfg->batch;
    /* stopped: done once nothing is left and the read-only events queued before the stop
     * (committed in batches within milliseconds, proto/events.c) have had time to land */
    bool drained = !t->logging && !full && now >= t->stop_ms + 1000;
    if (last_seq == t->cursor_seq && !(drained && t->draining))
        return BW_OK;
    int64_t oldest = n ? evs[0].time_ms : now;
    if (n && !force && !full && now - oldest < cfg->delivery_ms && t->logging)
        return BW_OK; /* not due yet: at most delivery_ms after the oldest event */
    bool *used = BW_ARENA_NEWN(a, bool, n + 1);
    struct outfile *f = BW_ARENA_NEWN(a, struct outfile, n + 1);
    size_t nf = 0;
    for (size_t i = 0; i < n; i++) {
        if (used[i])
            continue;
        if (write_group(a, t, evs, n, i, used, &f[nf], err))
            return err->code;
        nf++;
    }
    if (commit_files(db, t, f, nf, last_seq, drained, now, err))
        return err->code;
    for (size_t i = 0; i < nf; i++) /* visible only once recorded: see recover_logs */
        if (bw_trail__publish(t->dir, f[i].key, err))
            return err->code;
    t->cursor_seq = last_seq;
    t->final_digest = drained && t->draining;
    *files += (int)nf;
    return BW_OK;
}

static const char *const trails_sql =
    BW_TRAIL__ROW_COLS "WHERE logging = 1 OR stop_drained = 0 ORDER BY id";

struct bw_trail__row bw_trail__row_read(struct bw_arena *a, sqlite3_stmt *st)
{
    return (struct bw_trail__row){sqlite3_column_int64(st, 0),
                                  bw_db_col_str(a, st, 1),
                                  bw_db_col_str(a, st, 2),
                                  bw_db_col_str(a, st, 3),
                                  bw_db_col_str(a, st, 4),
                                  bw_db_col_str(a, st, 5),
                                  sqlite3_column_int(st, 6),
                                  bw_db_col_str(a, st, 7),
                                  sqlite3_column_int(st, 8),
                                  sqlite3_column_int(st, 9),
                                  sqlite3_column_int64(st, 10),
                                  sqlite3_column_int64(st, 11),
                                  sqlite3_column_int64(st, 12),
                                  sqlite3_column_int64(st, 13),
                                  bw_db_col_str(a, st, 14),
                                  !sqlite3_column_int(st, 15),
                                  false,
                                  sqlite3_column_int64(st, 16),
                                  sqlite3_column_int(st, 17),
                                  sqlite3_column_int(st, 18)};
}

enum bw_code bw_trail__load_trails(struct bw_db *db, struct bw_arena *a, const char *sql,
                                   struct bw_trail__row **out, size_t *n, struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(db, sql, err, "");
    if (!st)
        return err->code;
    size_t cap = 8;
    *out = BW_ARENA_NEWN(a, struct bw_trail__row, cap);
    *n = 0;
    bool row;
    while (!bw_db_step(db, st, &row, err) && row) {
        if (*n == cap) {
            struct bw_trail__row *g = BW_ARENA_NEWN(a, struct bw_trail__row, cap * 2);
            memcpy(g, *out, cap * sizeof *g);
            *out = g;
            cap *= 2;
        }
        struct bw_trail__row *t = &(*out)[(*n)++];
        *t = bw_trail__row_read(a, st);
    }
    sqlite3_reset(st);
    return err->code;
}

enum bw_code bw_trail_writer_run(struct bw_db *db, const struct bw_trail_writer_cfg *cfg,
                                 int64_t now_ms, bool force, int *files, struct bw_err *err)
{
    bw_err_clear(err);
    struct bw_arena *a = bw_arena_new(1 << 16);
    struct bw_trail__row *t;
    size_t n;
    int written = 0;
    enum bw_code rc = bw_trail__load_trails(db, a, trails_sql, &t, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        rc = deliver(db, a, cfg, &t[i], now_ms, force, &written, err);
        if (!rc)
            rc = bw_trail__digest_run(db, a, cfg, &t[i], now_ms, &written, err);
        if (rc) {
            bw_log(BW_LOG_ERROR, "trail", "delivery failed trail=%s: %s", t[i].name, err->msg);
            bw_db_exec(db, NULL, NULL, "UPDATE trails SET delivery_error = ? WHERE id = ?", "si",
                       err->msg, t[i].id);
        }
    }
    bw_arena_free(a);
    if (files)
        *files = written;
    return rc;
}
