/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite connection, migrations and statement cache. Migrations are applied in
 * order inside one IMMEDIATE transaction each; PRAGMA user_version records the
 * last applied one, so concurrent openers serialise on the write lock and skip
 * what another has applied.
 */
#include "store/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "store/migrations.h"

#define CACHE_SLOTS 256

struct cached {
    const char *sql;
    sqlite3_stmt *st;
};

struct bw_db {
    sqlite3 *h;
    pthread_mutex_t *write_mu; /* shared by the process's connections, or NULL */
    bool holds_write_mu;
    int last_rc;
    int last_ext;
    struct cached cache[CACHE_SLOTS];
};

static void write_mu_release(struct bw_db *db)
{
    if (db->holds_write_mu) {
        db->holds_write_mu = false;
        pthread_mutex_unlock(db->write_mu);
    }
}

sqlite3 *bw_db_handle(struct bw_db *db)
{
    return db->h;
}

static enum bw_code db_fail(struct bw_db *db, struct bw_err *err, const char *what)
{
    bw_log(BW_LOG_ERROR, "store", "%s: %s", what, sqlite3_errmsg(db->h));
    return bw_fail(err, BW_E_INTERNAL, "An internal error occurred.");
}

static enum bw_code exec_plain(struct bw_db *db, const char *sql, struct bw_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        bw_log(BW_LOG_ERROR, "store", "exec failed: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return bw_fail(err, BW_E_INTERNAL, "An internal error occurred.");
    }
    return BW_OK;
}

int bw_db_schema_version(struct bw_db *db)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

static enum bw_code migrate(struct bw_db *db, struct bw_err *err)
{
    for (size_t i = 0; i < bw_migrations_n; i++) {
        int version = (int)i + 1;
        if (bw_db_schema_version(db) >= version)
            continue;
        if (exec_plain(db, "BEGIN IMMEDIATE", err))
            return err->code;
        if (bw_db_schema_version(db) >= version) { /* applied by another opener */
            exec_plain(db, "ROLLBACK", NULL);
            continue;
        }
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", version);
        if (exec_plain(db, bw_migrations[i].sql, err) || exec_plain(db, pragma, err) ||
            exec_plain(db, "COMMIT", err)) {
            exec_plain(db, "ROLLBACK", NULL);
            bw_log(BW_LOG_ERROR, "store", "migration %s failed", bw_migrations[i].name);
            return err->code;
        }
        bw_log(BW_LOG_INFO, "store", "applied migration %s", bw_migrations[i].name);
    }
    return BW_OK;
}

enum bw_code bw_db_open(const char *path, struct bw_db **out, struct bw_err *err)
{
    struct bw_db *db = calloc(1, sizeof *db);
    if (!db)
        bw_oom();
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
        bw_log(BW_LOG_ERROR, "store", "cannot open %s: %s", path,
               db->h ? sqlite3_errmsg(db->h) : "out of memory");
        bw_db_close(db);
        return bw_fail(err, BW_E_INTERNAL, "cannot open the database");
    }
    sqlite3_busy_timeout(db->h, 10000);
    sqlite3_extended_result_codes(db->h, 1);
    if (exec_plain(db,
                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                   "PRAGMA temp_store=MEMORY;",
                   err) ||
        migrate(db, err)) {
        bw_db_close(db);
        return err->code;
    }
    *out = db;
    return BW_OK;
}

void bw_db_close(struct bw_db *db)
{
    if (!db)
        return;
    bw_db_rollback(db);
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (db->cache[i].st)
            sqlite3_finalize(db->cache[i].st);
    sqlite3_close_v2(db->h);
    free(db);
}

bool bw_db_in_txn(struct bw_db *db)
{
    return !sqlite3_get_autocommit(db->h);
}

void bw_db_set_write_mutex(struct bw_db *db, pthread_mutex_t *mu)
{
    db->write_mu = mu;
}

void bw_db_release(struct bw_db *db)
{
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (db->cache[i].st)
            sqlite3_reset(db->cache[i].st);
    bw_db_rollback(db);
}

enum bw_code bw_db_begin(struct bw_db *db, bool write, struct bw_err *err)
{
    /* A statement left mid-result pins an old snapshot; BEGIN IMMEDIATE on it would fail
     * with SQLITE_BUSY_SNAPSHOT as soon as another connection has committed. */
    if (!bw_db_in_txn(db))
        bw_db_release(db);
    if (write && db->write_mu && !db->holds_write_mu) {
        pthread_mutex_lock(db->write_mu);
        db->holds_write_mu = true;
    }
    int rc = sqlite3_exec(db->h, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        return BW_OK;
    write_mu_release(db);
    if ((rc & 0xff) == SQLITE_BUSY)
        return bw_fail(err, BW_E_SERVICE_UNAVAILABLE, "The store is busy; retry the request.");
    return db_fail(db, err, "begin");
}

enum bw_code bw_db_commit(struct bw_db *db, struct bw_err *err)
{
    if (!bw_db_in_txn(db)) {
        write_mu_release(db);
        return BW_OK;
    }
    if (exec_plain(db, "COMMIT", err)) {
        bw_db_rollback(db);
        return err->code;
    }
    write_mu_release(db);
    return BW_OK;
}

void bw_db_rollback(struct bw_db *db)
{
    if (bw_db_in_txn(db))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    write_mu_release(db);
}

static sqlite3_stmt *cache_get(struct bw_db *db, const char *sql, struct bw_err *err)
{
    size_t slot = ((uintptr_t)sql >> 3) % CACHE_SLOTS;
    for (size_t k = 0; k < CACHE_SLOTS; k++) {
        struct cached *c = &db->cache[(slot + k) % CACHE_SLOTS];
        if (c->sql == sql)
            return c->st;
        if (!c->sql) {
            if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->st, NULL) !=
                SQLITE_OK) {
                db_fail(db, err, "prepare");
                c->st = NULL;
                return NULL;
            }
            c->sql = sql;
            return c->st;
        }
    }
    /* cache full: a statement of its own, finalized never (bounded: literals only) */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
        db_fail(db, err, "prepare");
        return NULL;
    }
    return st;
}

static void bind_args(sqlite3_stmt *st, const char *fmt, va_list ap)
{
    int i = 1;
    for (const char *f = fmt; f && *f; f++, i++) {
        switch (*f) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s)
                sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(st, i);
            break;
        }
        case 'i':
            sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
            break;
        case 'd':
            sqlite3_bind_int(st, i, va_arg(ap, int));
            break;
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            sqlite3_bind_blob(st, i, p, (int)n, SQLITE_STATIC);
            break;
        }
        default:
            sqlite3_bind_null(st, i);
            break;
        }
    }
}

sqlite3_stmt *bw_db_prep(struct bw_db *db, const char *sql, struct bw_err *err, const char *fmt,
                         ...)
{
    sqlite3_stmt *st = cache_get(db, sql, err);
    if (!st)
        return NULL;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    va_list ap;
    va_start(ap, fmt);
    bind_args(st, fmt, ap);
    va_end(ap);
    return st;
}

enum bw_code bw_db_step(struct bw_db *db, sqlite3_stmt *st, bool *row, struct bw_err *err)
{
    int rc = sqlite3_step(st);
    db->last_rc = rc & 0xff;
    db->last_ext = rc;
    if (rc == SQLITE_ROW) {
        *row = true;
        return BW_OK;
    }
    *row = false;
    if (rc == SQLITE_DONE)
        return BW_OK;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return bw_fail(err, BW_E_INTERNAL, "constraint violation");
    if ((rc & 0xff) == SQLITE_BUSY)
        return bw_fail(err, BW_E_SERVICE_UNAVAILABLE, "The store is busy; retry the request.");
    return db_fail(db, err, "step");
}

bool bw_db_last_was_unique_violation(struct bw_db *db)
{
    return db->last_ext == SQLITE_CONSTRAINT_UNIQUE || db->last_ext == SQLITE_CONSTRAINT_PRIMARYKEY;
}

enum bw_code bw_db_exec(struct bw_db *db, struct bw_err *err, int *changes, const char *sql,
                        const char *fmt, ...)
{
    sqlite3_stmt *st = cache_get(db, sql, err);
    if (!st)
        return err->code;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    va_list ap;
    va_start(ap, fmt);
    bind_args(st, fmt, ap);
    va_end(ap);
    bool row = true;
    enum bw_code rc = BW_OK;
    while (row && rc == BW_OK)
        rc = bw_db_step(db, st, &row, err);
    if (changes)
        *changes = sqlite3_changes(db->h);
    sqlite3_reset(st);
    return rc;
}

char *bw_db_col_str(struct bw_arena *a, sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return NULL;
    const unsigned char *t = sqlite3_column_text(st, col);
    return bw_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, col));
}
