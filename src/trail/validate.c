/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Validation, as `aws cloudtrail validate-logs`: walks each digest chain of a
 * trail (one per account and region) from its first digest, checks every
 * digest's signature over CloudTrail's string to sign (with the signature kept
 * in the store as CloudTrail keeps it in S3 metadata), checks that each digest
 * names its predecessor's object, hash and signature, and checks the SHA-256 of
 * every log file a valid digest lists. Files on disk that no record knows are
 * reported as inserted; logs delivered after the newest digest are checked
 * against the hash the writer recorded and reported as not yet covered.
 * Only files whose digest (or delivery) falls in [start, end] are reported, but
 * the whole chain is checked, so a break before the window is still seen.
 */
#include "trail/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

struct vctx {
    struct bw_db *db;
    struct bw_arena *a;
    const struct bw_trail__row *t;
    int64_t start, end;
    bw_trail_report_fn report;
    void *arg;
    struct bw_trail_validation *out;
    unsigned char *buf; /* hashing buffer */
};

#define HASH_BUF (1u << 20)

const char *bw_trail_status_name(enum bw_trail_status s)
{
    static const char *const names[] = {"valid", "modified", "deleted", "inserted",
                                        "not yet covered by a digest"};
    return s <= BW_TRAIL_UNCOVERED ? names[s] : "?";
}

/* SHA-256 of a file, streamed; false when it cannot be opened. A recorded file whose
 * rename is still pending (the writer is between its commit and its rename) is read
 * from its durable "<key>.tmp". */
static bool hash_file(struct vctx *v, const char *key, char out[65])
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", v->t->dir, key);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(path, sizeof path, "%s/%s.tmp", v->t->dir, key);
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0)
        return false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    ssize_t n;
    while ((n = read(fd, v->buf, HASH_BUF)) > 0) {
        EVP_DigestUpdate(ctx, v->buf, (size_t)n);
        v->out->bytes_hashed += (uint64_t)n;
    }
    close(fd);
    unsigned char md[32];
    EVP_DigestFinal_ex(ctx, md, NULL);
    EVP_MD_CTX_free(ctx);
    bw_hex_encode(md, sizeof md, out);
    return n == 0;
}

static void emit(struct vctx *v, bool digest, const char *key, enum bw_trail_status s,
                 const char *detail)
{
    if (digest) {
        v->out->digests++;
        v->out->digests_valid += s == BW_TRAIL_VALID;
    } else if (s == BW_TRAIL_INSERTED) {
        v->out->inserted++;
    } else if (s == BW_TRAIL_UNCOVERED) {
        v->out->uncovered++;
    } else {
        v->out->logs++;
        v->out->logs_valid += s == BW_TRAIL_VALID;
    }
    if (v->report) {
        struct bw_trail_report_item it = {digest, key, s, detail};
        v->report(v->arg, &it);
    }
}

static void check_log(struct vctx *v, const char *key, const char *expect, bool uncovered)
{
    char sha[65];
    if (!hash_file(v, key, sha))
        emit(v, false, key, BW_TRAIL_DELETED, "not found");
    else if (!expect || strcmp(sha, expect) != 0)
        emit(v, false, key, BW_TRAIL_MODIFIED, "hash value doesn't match");
    else
        emit(v, false, key, uncovered ? BW_TRAIL_UNCOVERED : BW_TRAIL_VALID, NULL);
}

static const char *const key_sql = "SELECT public_der FROM trail_keys WHERE fingerprint = ?";

static bool verify_sig(struct vctx *v, const struct bw_trail_digest *d, const char *key,
                       const char *sha, const char *sig)
{
    sqlite3_stmt *st = bw_db_prep(v->db, key_sql, NULL, "s", d->fingerprint);
    bool row = false, ok = false;
    if (st && !bw_db_step(v->db, st, &row, NULL) && row) {
        const char *s2s =
            bw_trail_string_to_sign(v->a, d->end, d->bucket, key, sha, d->prev_signature);
        ok = strcmp(d->algorithm, "SHA256withRSA") == 0 &&
             bw_trail__verify(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), s2s,
                              sig);
    }
    if (st)
        sqlite3_reset(st);
    return ok;
}

struct link {
    const char *key, *sha, *sig; /* the previous digest (sha as found on disk, or NULL) */
};

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Reads, verifies and parses one digest; returns its status and fills d. */
static enum bw_trail_status load_digest(struct vctx *v, const char *key, const char *sig,
                                        const struct link *prev, struct bw_trail_digest *d,
                                        char sha[65], const char **detail)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", v->t->dir, key);
    unsigned char *raw, *text = NULL;
    size_t len, text_len;
    if (!bw_trail__read_file(path, &raw, &len)) {
        /* recorded, rename pending (see digest.c): read the durable .tmp */
        snprintf(path, sizeof path, "%s/%s.tmp", v->t->dir, key);
        if (!bw_trail__read_file(path, &raw, &len))
            return BW_TRAIL_DELETED;
    }
    v->out->bytes_hashed += len;
    bw_trail_sha256_hex(raw, len, sha);
    struct bw_err e;
    bool parsed = !bw_trail_gunzip(raw, len, 64u << 20, &text, &text_len, &e) &&
                  !bw_trail_digest_parse((const char *)text, text_len, v->a, d, &e);
    free(raw);
    free(text);
    *detail = "invalid signature";
    if (!parsed || !verify_sig(v, d, key, sha, sig))
        return BW_TRAIL_MODIFIED;
    *detail = "chain broken: previous digest does not match";
    if (!same(d->prev_signature, prev->sig) || !same(d->prev_object, prev->key) ||
        (prev->sha && !same(d->prev_hash, prev->sha)) || strcmp(d->object, key) != 0)
        return BW_TRAIL_MODIFIED;
    *detail = NULL;
    return BW_TRAIL_VALID;
}

static const char *const chain_sql =
    "SELECT id, key, sha256, signature, created_ms FROM trail_files WHERE trail_id = ? AND"
    " kind = 'digest' AND account_id = ? AND region = ? ORDER BY id";
static const char *const digest_logs_sql =
    "SELECT key, sha256 FROM trail_files WHERE digest_id = ? ORDER BY id";

/* Logs of a digest whose file is gone: checked against the recorded hashes. */
static void check_orphans(struct vctx *v, int64_t digest_id)
{
    sqlite3_stmt *st = bw_db_prep(v->db, digest_logs_sql, NULL, "i", digest_id);
    bool row;
    while (st && !bw_db_step(v->db, st, &row, NULL) && row)
        check_log(v, bw_db_col_str(v->a, st, 0), bw_db_col_str(v->a, st, 1), false);
    if (st)
        sqlite3_reset(st);
}

struct drow {
    int64_t id, created;
    const char *key, *sha, *sig;
};

static void check_digest(struct vctx *v, const struct drow *r, struct link *prev)
{
    bool in = r->created >= v->start && r->created <= v->end;
    struct bw_trail_digest d;
    char sha[65];
    const char *detail = NULL;
    enum bw_trail_status s = load_digest(v, r->key, r->sig, prev, &d, sha, &detail);
    if (s != BW_TRAIL_VALID)
        v->out->chain_intact = false;
    if (in)
        emit(v, true, r->key, s, detail);
    if (in && s == BW_TRAIL_VALID)
        for (size_t i = 0; i < d.n_logs; i++)
            check_log(v, d.logs[i].object, d.logs[i].hash, false);
    else if (in)
        check_orphans(v, r->id);
    *prev =
        (struct link){r->key, s == BW_TRAIL_DELETED ? NULL : bw_arena_strdup(v->a, sha), r->sig};
}

static enum bw_code check_chain(struct vctx *v, const char *account, const char *region,
                                struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(v->db, chain_sql, err, "iss", v->t->id, account, region);
    if (!st)
        return err->code;
    size_t n = 0, cap = 64;
    struct drow *rows = BW_ARENA_NEWN(v->a, struct drow, cap);
    bool row;
    while (!bw_db_step(v->db, st, &row, err) && row) {
        if (n == cap) {
            struct drow *g = BW_ARENA_NEWN(v->a, struct drow, cap * 2);
            memcpy(g, rows, n * sizeof *g);
            rows = g;
            cap *= 2;
        }
        rows[n++] = (struct drow){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 4),
                                  bw_db_col_str(v->a, st, 1), bw_db_col_str(v->a, st, 2),
                                  bw_db_col_str(v->a, st, 3)};
    }
    sqlite3_reset(st);
    struct link prev = {0};
    for (size_t i = 0; i < n; i++)
        check_digest(v, &rows[i], &prev);
    return err->code;
}

static const char *const uncovered_sql =
    "SELECT key, sha256 FROM trail_files WHERE trail_id = ? AND kind = 'log' AND digest_id IS"
    " NULL AND created_ms BETWEEN ? AND ? AND (?5 IS NULL OR account_id = ?5) ORDER BY id";

static void check_uncovered(struct vctx *v, const char *account)
{
    sqlite3_stmt *st = bw_db_prep(v->db, uncovered_sql, NULL, "iiiss", v->t->id, v->start, v->end,
                                  account, account);
    bool row;
    while (st && !bw_db_step(v->db, st, &row, NULL) && row)
        check_log(v, bw_db_col_str(v->a, st, 0), bw_db_col_str(v->a, st, 1), true);
    if (st)
        sqlite3_reset(st);
}

/* Logs whose digest is gone from the store as well as from disk: the chain lost a link. */
static const char *const orphan_sql =
    "SELECT DISTINCT digest_id FROM trail_files WHERE trail_id = ?1 AND kind = 'log' AND"
    " digest_id IS NOT NULL AND (?2 IS NULL OR account_id = ?2) AND digest_id NOT IN"
    " (SELECT id FROM trail_files WHERE trail_id = ?1 AND kind = 'digest')";

static void check_lost_digests(struct vctx *v, const char *account)
{
    sqlite3_stmt *st = bw_db_prep(v->db, orphan_sql, NULL, "is", v->t->id, account);
    bool row;
    while (st && !bw_db_step(v->db, st, &row, NULL) && row) {
        int64_t id = sqlite3_column_int64(st, 0);
        v->out->chain_intact = false;
        emit(v, true,
             bw_arena_printf(v->a, "(digest #%lld, erased from disk and store)", (long long)id),
             BW_TRAIL_DELETED, "the logs it listed are no longer covered");
    }
    if (st)
        sqlite3_reset(st);
}

static const char *const known_sql = "SELECT trail_id FROM trail_files WHERE key = ?";

/* Reports files under the trail's directory that no trail delivered. */
static void scan_inserted(struct vctx *v, const char *rel, int depth)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", v->t->dir, rel[0] ? "/" : "", rel);
    DIR *d = depth < 16 ? opendir(path) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        const char *key = bw_arena_printf(v->a, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", v->t->dir, key);
        struct stat st;
        if (lstat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            scan_inserted(v, key, depth + 1);
            continue;
        }
        size_t kl = strlen(key);
        if (kl > 4 && strcmp(key + kl - 4, ".tmp") == 0)
            continue; /* a write cut short by a crash; rewritten by the writer */
        sqlite3_stmt *q = bw_db_prep(v->db, known_sql, NULL, "s", key);
        bool row = false, ours = false, other = false;
        while (q && !bw_db_step(v->db, q, &row, NULL) && row) {
            bool mine = sqlite3_column_int64(q, 0) == v->t->id;
            ours |= mine;
            other |= !mine;
        }
        if (q)
            sqlite3_reset(q);
        if (!ours && !other) {
            v->out->chain_intact = false;
            emit(v, strstr(key, "CloudTrail-Digest") != NULL, key, BW_TRAIL_INSERTED,
                 "not delivered by this trail");
        }
    }
    if (d)
        closedir(d);
}

static const char *const trail_sql =
    BW_TRAIL__ROW_COLS "WHERE (name = ?1 OR arn = ?1) AND (?2 IS NULL OR account_id = ?2)"
                       " ORDER BY id LIMIT 2";

static enum bw_code find_trail(struct bw_db *db, struct bw_arena *a, const char *trail,
                               const char *owner, struct bw_trail__row *out, struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(db, trail_sql, err, "ss", trail, owner);
    if (!st)
        return err->code;
    bool row;
    int n = 0;
    while (!bw_db_step(db, st, &row, err) && row) {
        if (n++ == 0)
            *out = bw_trail__row_read(a, st);
    }
    sqlite3_reset(st);
    if (err->code)
        return err->code;
    if (n == 0)
        return bw_fail(err, BW_E_CT_TRAIL_NOT_FOUND, "Unknown trail: %s", trail);
    if (n > 1)
        return bw_fail(err, BW_E_VALIDATION,
                       "Trail name %s exists in several accounts: give its ARN", trail);
    return BW_OK;
}

static const char *const chains_sql =
    "SELECT DISTINCT account_id, region FROM trail_files WHERE trail_id = ? AND kind = 'digest'"
    " AND (?2 IS NULL OR account_id = ?2) ORDER BY account_id, region";

enum bw_code bw_trail_validate(struct bw_db *db, const char *trail, const char *owner,
                               const char *account, int64_t start_ms, int64_t end_ms,
                               bw_trail_report_fn report, void *arg,
                               struct bw_trail_validation *out, struct bw_err *err)
{
    bw_err_clear(err);
    struct bw_arena *a = bw_arena_new(1 << 16);
    struct bw_trail__row t;
    memset(out, 0, sizeof *out);
    out->chain_intact = true;
    struct vctx v = {db, a, &t, start_ms, end_ms, report, arg, out, NULL};
    enum bw_code rc = find_trail(db, a, trail, owner, &t, err);
    sqlite3_stmt *st = rc ? NULL : bw_db_prep(db, chains_sql, err, "is", t.id, account);
    if (!rc && !st)
        rc = err->code;
    size_t n = 0;
    const char *acct[1024], *reg[1024];
    bool row;
    while (st && n < 1024 && !bw_db_step(db, st, &row, err) && row) {
        acct[n] = bw_db_col_str(a, st, 0);
        reg[n++] = bw_db_col_str(a, st, 1);
    }
    if (st)
        sqlite3_reset(st);
    v.buf = malloc(HASH_BUF);
    if (!v.buf)
        bw_oom();
    for (size_t i = 0; !rc && i < n; i++)
        rc = check_chain(&v, acct[i], reg[i], err);
    if (!rc) {
        check_lost_digests(&v, account);
        check_uncovered(&v, account);
        scan_inserted(&v, "", 0);
    }
    free(v.buf);
    bw_arena_free(a);
    return rc;
}
