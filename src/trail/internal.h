/* SPDX-License-Identifier: Apache-2.0 */
/* Shared inside src/trail: signing keys, file paths, file I/O. */
#ifndef BW_TRAIL_INTERNAL_H
#define BW_TRAIL_INTERNAL_H

#include <openssl/evp.h>

#include "trail/trail.h"

struct bw_trail__key {
    const char *fingerprint;
    EVP_PKEY *pkey; /* owned by the arena */
};

/* Loads and unseals a signing key into `a`. */
enum bw_code bw_trail__key_load(struct bw_db *db, const struct bw_secrets *secrets,
                                struct bw_arena *a, int64_t key_id, struct bw_trail__key *out,
                                struct bw_err *err);
/* Hex SHA256withRSA signature of msg, or NULL on failure. */
char *bw_trail__sign(struct bw_arena *a, EVP_PKEY *key, const char *msg);
/* Verifies a hex signature with a DER (PKCS#1) RSA public key. */
bool bw_trail__verify(const unsigned char *pub_der, size_t pub_len, const char *msg,
                      const char *sig_hex);

/* Writes p[0..len) to dir/key atomically: temp file, fsync, chmod 0444, rename,
 * fsync the directory. Creates missing directories. */
enum bw_code bw_trail__write_file(const char *dir, const char *key, const void *p, size_t len,
                                  struct bw_err *err);
/* The two halves of bw_trail__write_file, for files whose record must be committed
 * between them (digests): "<key>.tmp" durable and read-only, then renamed. */
enum bw_code bw_trail__write_tmp(const char *dir, const char *key, const void *p, size_t len,
                                 struct bw_err *err);
enum bw_code bw_trail__publish(const char *dir, const char *key, struct bw_err *err);
/* True when key is absent but its "<key>.tmp" is there (a crash before the rename). */
bool bw_trail__tmp_pending(const char *dir, const char *key);
/* Reads a whole file (malloc'd; caller frees). BW_E_IAM_NO_SUCH_ENTITY-free: returns
 * false with errno set when it cannot. */
bool bw_trail__read_file(const char *path, unsigned char **out, size_t *len);
/* "YYYYMMDDTHHMMZ" or with seconds ("YYYYMMDDTHHMMSSZ") for file names. */
void bw_trail__stamp(int64_t ms, bool seconds, char *out, size_t cap);

/* A trail as the writer and validator see it (arena strings). */
struct bw_trail__row {
    int64_t id;
    const char *account, *name, *bucket, *prefix, *dir;
    int is_org;
    const char *org_id;
    int validation, logging;
    int64_t stop_ms, cursor_seq, key_id;
    int64_t digest_from_ms; /* end of the last digest, or when logging started */
    const char *home_region;
    bool draining;     /* stopped, events up to stop_ms not yet all delivered */
    bool final_digest; /* set by the writer when draining just finished */
    int64_t start_ms;  /* logging (re)started: earlier events are not the trail's */
    bool multi_region, include_global;
};

/* The columns a trails query selects, in the order bw_trail__row_read reads them. */
#define BW_TRAIL__ROW_COLS                                                                         \
    "SELECT id, account_id, name, s3_bucket, s3_prefix, dir, is_org, org_id, validation,"          \
    " logging, stop_ms, cursor_seq, key_id, COALESCE(last_digest_ms, start_ms, created_ms),"       \
    " home_region, stop_drained, COALESCE(start_ms, 0), multi_region, include_global FROM trails "
/* The current row of a query that starts with BW_TRAIL__ROW_COLS. */
struct bw_trail__row bw_trail__row_read(struct bw_arena *a, sqlite3_stmt *st);
/* Loads trails with a query that starts with BW_TRAIL__ROW_COLS. */
enum bw_code bw_trail__load_trails(struct bw_db *db, struct bw_arena *a, const char *sql,
                                   struct bw_trail__row **out, size_t *n, struct bw_err *err);
/* Writes the trail's due digests (one per account and region with logs, and one for the
 * trail's own account every period). */
enum bw_code bw_trail__digest_run(struct bw_db *db, struct bw_arena *a,
                                  const struct bw_trail_writer_cfg *cfg, struct bw_trail__row *t,
                                  int64_t now, int *files, struct bw_err *err);
/* The key of a digest file. */
const char *bw_trail__digest_key(struct bw_arena *a, const struct bw_trail__row *t,
                                 const char *account, const char *region, int64_t end_ms);
#endif
