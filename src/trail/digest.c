/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Digest files: every period (hourly by default, as CloudTrail) the writer
 * lists, per account and region, the log files delivered since the previous
 * digest with their SHA-256, names the previous digest (object, hash and
 * signature) and signs the lot with the trail's RSA key over CloudTrail's
 * string to sign. Each digest's signature is part of the next one, so the
 * digests form a chain: deleting, reordering or replacing any digest breaks it.
 * The signature itself is kept in the store (trail_files.signature), which
 * plays the part of CloudTrail's S3 object metadata.
 *
 * Deviation from CloudTrail, on purpose: hashValue is the SHA-256 of the file
 * as stored (gzip bytes), not of its uncompressed content, so that a change of
 * any stored byte is detected and validation runs at the speed of SHA-256.
 *
 * Key: [prefix/]AWSLogs/[o-org/]ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/
 *      ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_YYYYMMDDTHHMMSSZ.json.gz
 */
#include "trail/internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

const char *bw_trail__digest_key(struct bw_arena *a, const struct bw_trail__row *t,
                                 const char *account, const char *region, int64_t end_ms)
{
    char stamp[32], date[16];
    bw_trail__stamp(end_ms, true, stamp, sizeof stamp);
    snprintf(date, sizeof date, "%.4s/%.2s/%.2s", stamp, stamp + 4, stamp + 6);
    bool org = t->is_org && t->org_id;
    return bw_arena_printf(
        a, "%s%sAWSLogs/%s%s%s/CloudTrail-Digest/%s/%s/%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz",
        t->prefix ? t->prefix : "", t->prefix ? "/" : "", org ? t->org_id : "", org ? "/" : "",
        account, region, date, account, region, t->name, t->home_region, stamp);
}

static json_t *iso(int64_t ms)
{
    char s[32];
    bw_time_iso8601(ms / 1000, s, sizeof s);
    return json_string(s);
}

static const char *const logs_sql =
    "SELECT id, key, sha256, oldest_ms, newest_ms FROM trail_files WHERE trail_id = ? AND"
    " kind = 'log' AND account_id = ? AND region = ? AND digest_id IS NULL AND created_ms <= ?"
    " ORDER BY id";

/* The logFiles array and the oldest/newest event times over them. */
static enum bw_code list_logs(struct bw_db *db, const struct bw_trail__row *t, const char *account,
                              const char *region, int64_t end, json_t *files, int64_t *oldest,
                              int64_t *newest, struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(db, logs_sql, err, "issi", t->id, account, region, end);
    if (!st)
        return err->code;
    bool row;
    while (!bw_db_step(db, st, &row, err) && row) {
        int64_t o = sqlite3_column_int64(st, 3), n = sqlite3_column_int64(st, 4);
        json_t *f = json_object();
        json_object_set_new(f, "s3Bucket", json_string(t->bucket));
        json_object_set_new(f, "s3Object", json_string((const char *)sqlite3_column_text(st, 1)));
        json_object_set_new(f, "hashValue", json_string((const char *)sqlite3_column_text(st, 2)));
        json_object_set_new(f, "hashAlgorithm", json_string("SHA-256"));
        json_object_set_new(f, "newestEventTime", iso(n));
        json_object_set_new(f, "oldestEventTime", iso(o));
        json_array_append_new(files, f);
        if (!*oldest || o < *oldest)
            *oldest = o;
        if (n > *newest)
            *newest = n;
    }
    sqlite3_reset(st);
    return err->code;
}

struct prev {
    const char *key, *hash, *sig;
};

static const char *const prev_sql =
    "SELECT key, sha256, signature FROM trail_files WHERE trail_id = ? AND kind = 'digest' AND"
    " account_id = ? AND region = ? ORDER BY id DESC LIMIT 1";

static enum bw_code load_prev(struct bw_db *db, struct bw_arena *a, const struct bw_trail__row *t,
                              const char *account, const char *region, struct prev *p,
                              struct bw_err *err)
{
    memset(p, 0, sizeof *p);
    sqlite3_stmt *st = bw_db_prep(db, prev_sql, err, "iss", t->id, account, region);
    bool row;
    if (!st || bw_db_step(db, st, &row, err))
        return err->code;
    if (row)
        *p = (struct prev){bw_db_col_str(a, st, 0), bw_db_col_str(a, st, 1),
                           bw_db_col_str(a, st, 2)};
    sqlite3_reset(st);
    return BW_OK;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *digest_json(const struct bw_trail__row *t, const char *account, int64_t end,
                           const char *key, const char *fp, const struct prev *p, json_t *files,
                           int64_t oldest, int64_t newest)
{
    json_t *d = json_object();
    json_object_set_new(d, "awsAccountId", json_string(account));
    json_object_set_new(d, "digestStartTime", iso(t->digest_from_ms));
    json_object_set_new(d, "digestEndTime", iso(end));
    json_object_set_new(d, "digestS3Bucket", json_string(t->bucket));
    json_object_set_new(d, "digestS3Object", json_string(key));
    json_object_set_new(d, "digestPublicKeyFingerprint", json_string(fp));
    json_object_set_new(d, "digestSignatureAlgorithm", json_string("SHA256withRSA"));
    json_object_set_new(d, "newestEventTime", newest ? iso(newest) : json_null());
    json_object_set_new(d, "oldestEventTime", oldest ? iso(oldest) : json_null());
    json_object_set_new(d, "previousDigestS3Bucket", p->key ? json_string(t->bucket) : json_null());
    json_object_set_new(d, "previousDigestS3Object", str_or_null(p->key));
    json_object_set_new(d, "previousDigestHashValue", str_or_null(p->hash));
    json_object_set_new(d, "previousDigestHashAlgorithm",
                        p->key ? json_string("SHA-256") : json_null());
    json_object_set_new(d, "previousDigestSignature", str_or_null(p->sig));
    json_object_set_new(d, "logFiles", files);
    return d;
}

static const char *const digest_insert_sql =
    "INSERT INTO trail_files (trail_id, kind, account_id, region, key, oldest_ms, newest_ms,"
    " created_ms, sha256, signature, state) VALUES (?,'digest',?,?,?,?,?,?,?,?,'done')";
static const char *const mark_sql =
    "UPDATE trail_files SET digest_id = ? WHERE trail_id = ? AND kind = 'log' AND"
    " account_id = ? AND region = ? AND digest_id IS NULL AND created_ms <= ?";
static const char *const exists_sql = "SELECT 1 FROM trail_files WHERE trail_id = ? AND key = ?";

static enum bw_code commit_digest(struct bw_db *db, const struct bw_trail__row *t,
                                  const char *account, const char *region, const char *key,
                                  int64_t end, int64_t oldest, int64_t newest, int64_t now,
                                  const char *sha, const char *sig, struct bw_err *err)
{
    if (bw_db_begin(db, true, err))
        return err->code;
    if (bw_db_exec(db, err, NULL, digest_insert_sql, "isssiiiss", t->id, account, region, key,
                   oldest, newest, now, sha, sig))
        goto fail;
    int64_t id = sqlite3_last_insert_rowid(bw_db_handle(db));
    if (bw_db_exec(db, err, NULL, mark_sql, "iissi", id, t->id, account, region, end) ||
        bw_db_commit(db, err))
        goto fail;
    return BW_OK;
fail:
    bw_db_rollback(db);
    return err->code;
}

static enum bw_code digest_one(struct bw_db *db, struct bw_arena *a, const struct bw_trail__row *t,
                               const struct bw_trail__key *k, const char *account,
                               const char *region, int64_t end, int64_t now, struct bw_err *err)
{
    const char *key = bw_trail__digest_key(a, t, account, region, end);
    sqlite3_stmt *st = bw_db_prep(db, exists_sql, err, "is", t->id, key);
    bool row;
    if (!st || bw_db_step(db, st, &row, err))
        return err->code;
    sqlite3_reset(st);
    if (row)
        return BW_OK; /* written before a crash: the chain already holds it */
    struct prev p;
    json_t *files = json_array();
    int64_t oldest = 0, newest = 0;
    if (load_prev(db, a, t, account, region, &p, err) ||
        list_logs(db, t, account, region, end, files, &oldest, &newest, err)) {
        json_decref(files);
        return err->code;
    }
    json_t *d = digest_json(t, account, end, key, k->fingerprint, &p, files, oldest, newest);
    char *text = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    unsigned char *gz;
    size_t gz_len;
    enum bw_code rc = bw_trail_gzip(text, strlen(text), &gz, &gz_len, err);
    free(text);
    if (rc)
        return rc;
    char sha[65], end_iso[32];
    bw_trail_sha256_hex(gz, gz_len, sha);
    bw_time_iso8601(end / 1000, end_iso, sizeof end_iso);
    const char *sig =
        bw_trail__sign(a, k->pkey, bw_trail_string_to_sign(a, end_iso, t->bucket, key, sha, p.sig));
    /* durable first, recorded second, visible third: a crash leaves either an unrecorded
     * "<key>.tmp" (ignored; the next pass writes a new digest) or a recorded one that
     * recover() renames into place */
    rc = sig ? bw_trail__write_tmp(t->dir, key, gz, gz_len, err)
             : bw_fail(err, BW_E_INTERNAL, "signing the digest failed");
    free(gz);
    if (!rc)
        rc = commit_digest(db, t, account, region, key, end, oldest, newest, now, sha, sig, err);
    if (!rc)
        rc = bw_trail__publish(t->dir, key, err);
    return rc;
}

static const char *const chains_sql =
    "SELECT DISTINCT account_id, region FROM trail_files WHERE trail_id = ? AND kind = 'log' AND"
    " digest_id IS NULL AND created_ms <= ?";

static const char *const last_sql =
    "SELECT key FROM trail_files WHERE id IN (SELECT MAX(id) FROM trail_files WHERE"
    " trail_id = ? AND kind = 'digest' GROUP BY account_id, region)";

/* Publishes the newest digest of each chain if a crash came between its commit and its
 * rename (only the newest can be: the writer stops at the first failure). */
static enum bw_code recover(struct bw_db *db, struct bw_arena *a, const struct bw_trail__row *t,
                            struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(db, last_sql, err, "i", t->id);
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

enum bw_code bw_trail__digest_run(struct bw_db *db, struct bw_arena *a,
                                  const struct bw_trail_writer_cfg *cfg, struct bw_trail__row *t,
                                  int64_t now, int *files, struct bw_err *err)
{
    /* digest names carry the end time to the second: keep ends on distinct seconds */
    int64_t next_second = (t->digest_from_ms / 1000 + 1) * 1000;
    int64_t end = t->final_digest ? (now > next_second ? now : next_second)
                                  : now / cfg->digest_ms * cfg->digest_ms;
    if (end < next_second)
        end = t->digest_from_ms; /* nothing due */
    if (!t->validation)
        return BW_OK;
    if (recover(db, a, t, err))
        return err->code;
    if (end <= t->digest_from_ms || (!t->logging && !t->final_digest))
        return BW_OK;
    struct bw_trail__key k;
    if (bw_trail__key_load(db, cfg->secrets, a, t->key_id, &k, err))
        return err->code;
    /* the trail's own chain gets a digest every period, even with no logs (CloudTrail) */
    if (digest_one(db, a, t, &k, t->account, t->home_region, end, now, err))
        return err->code;
    (*files)++;
    sqlite3_stmt *st = bw_db_prep(db, chains_sql, err, "ii", t->id, end);
    if (!st)
        return err->code;
    size_t n = 0, cap = 1024;
    const char **acct = BW_ARENA_NEWN(a, const char *, cap),
               **reg = BW_ARENA_NEWN(a, const char *, cap);
    bool row;
    while (n < cap && !bw_db_step(db, st, &row, err) && row) {
        acct[n] = bw_db_col_str(a, st, 0);
        reg[n++] = bw_db_col_str(a, st, 1);
    }
    sqlite3_reset(st);
    for (size_t i = 0; i < n; i++) {
        if (digest_one(db, a, t, &k, acct[i], reg[i], end, now, err))
            return err->code;
        (*files)++;
    }
    return bw_db_exec(db, err, NULL,
                      "UPDATE trails SET last_digest_ms = ? WHERE id = ? AND"
                      " COALESCE(last_digest_ms, 0) < ?",
                      "iii", end, t->id, end);
}
