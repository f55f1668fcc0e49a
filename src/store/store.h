/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store: SQLite in WAL mode with foreign keys on, versioned migrations
 * (src/store/migrations/NNNN_name.sql, compiled into the binary), a statement
 * cache per connection and one transaction per request. A struct bw_db is one
 * connection and belongs to one thread at a time; the server keeps one per
 * worker thread. Writers take BEGIN IMMEDIATE so two writers never deadlock on
 * a lock upgrade; a busy database is waited for (busy timeout) before failing.
 */
#ifndef BW_STORE_STORE_H
#define BW_STORE_STORE_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/errors.h"

struct bw_db;

/* Opens (creating if needed) the database at path (":memory:" for tests) and
 * applies pending migrations. The caller owns *out (bw_db_close). */
enum bw_code bw_db_open(const char *path, struct bw_db **out, struct bw_err *err);
/* Closes a connection and its cached statements. NULL is a no-op. */
void bw_db_close(struct bw_db *db);
/* The schema version after migrations. */
int bw_db_schema_version(struct bw_db *db);
/* The underlying handle, for callers that need SQLite directly. */
sqlite3 *bw_db_handle(struct bw_db *db);

/* Shares a process-wide mutex among connections to the same database: write
 * transactions then queue on it instead of sleeping in SQLite's busy handler (which
 * backs off up to 100 ms and makes write latency spiky). NULL disables it. */
void bw_db_set_write_mutex(struct bw_db *db, pthread_mutex_t *mu);
/* Starts a transaction: write=true takes the write lock up front. */
enum bw_code bw_db_begin(struct bw_db *db, bool write, struct bw_err *err);
enum bw_code bw_db_commit(struct bw_db *db, struct bw_err *err);
/* Rolls back if a transaction is open; never fails. */
void bw_db_rollback(struct bw_db *db);
bool bw_db_in_txn(struct bw_db *db);
/* Resets every cached statement and rolls back: a statement left mid-result keeps a
 * read transaction (an old WAL snapshot) open, so a connection is released before reuse. */
void bw_db_release(struct bw_db *db);

/*
 * A cached prepared statement for a string literal (keyed by the pointer), reset
 * and with its bindings cleared. Binds per fmt: 's' const char * (NULL binds NULL),
 * 'i' int64_t, 'd' int (promoted), 'b' blob (const void *, size_t), 'n' NULL.
 * Returns NULL and fills err when preparing fails.
 */
sqlite3_stmt *bw_db_prep(struct bw_db *db, const char *sql, struct bw_err *err, const char *fmt,
                         ...);
/* Steps a statement: BW_OK with *row true/false, or an error (constraint
 * violations come back as BW_E_IAM_ENTITY_ALREADY_EXISTS-neutral BW_E_INTERNAL
 * unless the caller checks sqlite3_errcode). */
enum bw_code bw_db_step(struct bw_db *db, sqlite3_stmt *st, bool *row, struct bw_err *err);
/* Prepares, binds, and steps to completion, ignoring rows. *changes (may be NULL)
 * gets sqlite3_changes(). */
enum bw_code bw_db_exec(struct bw_db *db, struct bw_err *err, int *changes, const char *sql,
                        const char *fmt, ...);
/* True when the last step failed on a UNIQUE or PRIMARY KEY constraint. */
bool bw_db_last_was_unique_violation(struct bw_db *db);
/* A column as an arena string (NULL for SQL NULL). */
char *bw_db_col_str(struct bw_arena *a, sqlite3_stmt *st, int col);

#endif
