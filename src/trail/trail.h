/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit trail's file side: a writer that drains the trail_events outbox
 * (written by src/proto/events.c in the same transaction as each change) into
 * gzip'd JSON log files in CloudTrail's key layout, hourly digest files signed
 * with the trail's RSA key (SHA256withRSA) and chained by signature, the
 * validation behind `bulwark trail validate`, and LookupEvents over the store.
 * Nothing here knows HTTP: the CloudTrail service (src/svc/cloudtrail) and the
 * CLI (src/cmd/cli_trail.c) call in with a store connection.
 *
 * Invariants: a file is written to a temporary name, fsynced, made read-only
 * and renamed under a name that depends only on the trail and the first event
 * it holds, and only then is the writer's cursor committed; a crash in between
 * makes the next run rewrite the same name, so no event is lost or duplicated.
 * Threading: every function takes its own bw_db; none keeps global state.
 */
#ifndef BW_TRAIL_TRAIL_H
#define BW_TRAIL_TRAIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "common/arena.h"
#include "common/errors.h"
#include "store/store.h"

/* ---- the writer ---- */
struct bw_trail_writer_cfg {
    const char *data_dir;             /* trails live in <data_dir>/trails/<name> */
    const struct bw_secrets *secrets; /* seals the signing keys */
    int64_t delivery_ms;              /* a log file at most this long after its oldest event */
    int64_t digest_ms;                /* digest period (3600000 = hourly, as CloudTrail) */
    size_t batch;                     /* events per scan (and at most per file) */
};

/* Fills cfg's periods from the environment (BULWARK_TRAIL_DELIVERY_SECONDS, default
 * 300; BULWARK_TRAIL_DIGEST_SECONDS, default 3600) and the batch size. */
void bw_trail_writer_cfg_init(struct bw_trail_writer_cfg *cfg, const char *data_dir,
                              const struct bw_secrets *secrets);

/* One writer pass at time now_ms: delivers due log files and digests of every trail
 * that is logging. `force` delivers pending events regardless of delivery_ms (used on
 * shutdown). *files (may be NULL) gets the number of files written. Not concurrent
 * with itself on the same data dir (the service holds a lock file). */
enum bw_code bw_trail_writer_run(struct bw_db *db, const struct bw_trail_writer_cfg *cfg,
                                 int64_t now_ms, bool force, int *files, struct bw_err *err);

/* Indexes up to `max` outbox events for LookupEvents (one write transaction); *n gets
 * how many. Run by the writer thread before each delivery pass. */
enum bw_code bw_trail_index_run(struct bw_db *db, size_t max, size_t *n, struct bw_err *err);

/* ---- trails ---- */
/* Creates the trail's RSA-2048 signing key and returns its id; sealed with secrets. */
enum bw_code bw_trail_key_create(struct bw_db *db, const struct bw_secrets *secrets, int64_t now_ms,
                                 int64_t *key_id /* OUT: */, struct bw_err *err);

/* The organization id of an account, or NULL ("none") when the account belongs to no
 * organization or the Organizations tables do not exist. Arena string. */
const char *bw_trail_org_of(struct bw_db *db, struct bw_arena *a, const char *account);
/* The management account of an organization, or NULL. */
const char *bw_trail_org_management(struct bw_db *db, struct bw_arena *a, const char *org_id);

/* ---- validation ---- */
enum bw_trail_status {
    BW_TRAIL_VALID,
    BW_TRAIL_MODIFIED,  /* hash or signature does not match */
    BW_TRAIL_DELETED,   /* listed (by a digest or the store) but absent */
    BW_TRAIL_INSERTED,  /* present on disk but listed nowhere */
    BW_TRAIL_UNCOVERED, /* delivered after the latest digest: not yet verifiable */
};

struct bw_trail_report_item {
    bool digest; /* digest file, else log file */
    const char *key;
    enum bw_trail_status status;
    const char *detail; /* why, for MODIFIED */
};

typedef void (*bw_trail_report_fn)(void *arg, const struct bw_trail_report_item *item);

struct bw_trail_validation {
    size_t digests, digests_valid, logs, logs_valid, inserted, uncovered;
    bool chain_intact;
    uint64_t bytes_hashed;
};

/* Validates the files of trail `trail` (name or ARN; `owner` narrows a name to one
 * account, may be NULL) delivered between start_ms and end_ms for `account` (NULL:
 * every account the trail logs), calling report for each file. */
enum bw_code bw_trail_validate(struct bw_db *db, const char *trail, const char *owner,
                               const char *account, int64_t start_ms, int64_t end_ms,
                               bw_trail_report_fn report, void *arg,
                               struct bw_trail_validation *out, struct bw_err *err);
const char *bw_trail_status_name(enum bw_trail_status s);

/* ---- pure parts (tested and fuzzed on their own) ---- */
/* Parses a digest file's JSON (uncompressed). Fills the fields CloudTrail defines;
 * strings live in `a`. Fails with InvalidParameter-like BW_E_VALIDATION on any shape
 * error; never crashes on hostile input. */
struct bw_trail_digest_log {
    const char *object, *hash;
};
struct bw_trail_digest {
    const char *account, *start, *end, *bucket, *object, *fingerprint, *algorithm;
    const char *prev_bucket, *prev_object, *prev_hash, *prev_signature; /* NULL at chain start */
    struct bw_trail_digest_log *logs;
    size_t n_logs;
};
enum bw_code bw_trail_digest_parse(const char *text, size_t len, struct bw_arena *a,
                                   struct bw_trail_digest *out, struct bw_err *err);
/* Parses a log file's JSON ({"Records":[…]}) and returns the number of records. */
enum bw_code bw_trail_log_parse(const char *text, size_t len, size_t *n_records,
                                struct bw_err *err);
/* gzip (deterministic: no name, mtime 0) and gunzip with an output limit. Buffers are
 * malloc'd; the caller frees *out. */
enum bw_code bw_trail_gzip(const void *p, size_t len, unsigned char **out, size_t *out_len,
                           struct bw_err *err);
enum bw_code bw_trail_gunzip(const void *p, size_t len, size_t limit, unsigned char **out,
                             size_t *out_len, struct bw_err *err);
/* Lower-case hex SHA-256 of p[0..len) into out (65 bytes). */
void bw_trail_sha256_hex(const void *p, size_t len, char out[65]);
/* CloudTrail's string to sign for a digest. */
char *bw_trail_string_to_sign(struct bw_arena *a, const char *end_time, const char *bucket,
                              const char *object, const char *hash_hex, const char *prev_sig);

/* ---- LookupEvents ---- */
struct bw_trail_lookup {
    const char *account;
    const char *attr_key; /* NULL: no attribute */
    const char *attr_value;
    int64_t start_ms, end_ms;
    int max_results;     /* 1..50 */
    int64_t before_time; /* paging: only events before (before_time, before_seq) */
    int64_t before_seq;  /* 0: from the newest */
};
struct bw_trail_page {
    json_t *events; /* array of LookupEvents' Event shapes, newest first (caller owns) */
    bool more;      /* another page follows: continue before (last_time, last_seq) */
    int64_t last_time, last_seq;
};
/* Runs a lookup. Errors: InvalidLookupAttributesException for an unknown key. */
enum bw_code bw_trail_lookup_run(struct bw_db *db, const struct bw_trail_lookup *q,
                                 struct bw_trail_page *out, struct bw_err *err);

#endif
