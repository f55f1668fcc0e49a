/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/store on a real SQLite (:memory: and a temp file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/migrations.h"
#include "store/store.h"

static void migrations_apply(void **state)
{
    (void)state;
    struct bw_db *db;
    struct bw_err err;
    assert_int_equal(bw_db_open(":memory:", &db, &err), BW_OK);
    assert_int_equal(bw_db_schema_version(db), (int)bw_migrations_n);
    bool row;
    sqlite3_stmt *st = bw_db_prep(db, "PRAGMA foreign_keys", &err, "");
    assert_non_null(st);
    assert_int_equal(bw_db_step(db, st, &row, &err), BW_OK);
    assert_true(row);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    bw_db_close(db);
}

static void reopen_is_idempotent(void **state)
{
    (void)state;
    char path[] = "/tmp/bw-store-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    struct bw_db *a, *b;
    struct bw_err err;
    assert_int_equal(bw_db_open(path, &a, &err), BW_OK);
    assert_int_equal(bw_db_open(path, &b, &err), BW_OK); /* no migration runs twice */
    assert_int_equal(bw_db_schema_version(b), (int)bw_migrations_n);
    bw_db_close(a);
    bw_db_close(b);
    char wal[64];
    unlink(path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
}

static void transactions_roll_back(void **state)
{
    (void)state;
    struct bw_db *db;
    struct bw_err err;
    assert_int_equal(bw_db_open(":memory:", &db, &err), BW_OK);
    assert_int_equal(bw_db_begin(db, true, &err), BW_OK);
    assert_true(bw_db_in_txn(db));
    assert_int_equal(bw_db_exec(db, &err, NULL,
                                "INSERT INTO accounts (id, name, email, created_at)"
                                " VALUES (?,?,?,?)",
                                "sssi", "111122223333", "a", "a@x", (int64_t)1),
                     BW_OK);
    bw_db_rollback(db);
    assert_false(bw_db_in_txn(db));
    bool row;
    sqlite3_stmt *st = bw_db_prep(db, "SELECT count(*) FROM accounts", &err, "");
    assert_int_equal(bw_db_step(db, st, &row, &err), BW_OK);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    bw_db_release(db);
    bw_db_close(db);
}

static void unique_violation_is_reported(void **state)
{
    (void)state;
    struct bw_db *db;
    struct bw_err err;
    assert_int_equal(bw_db_open(":memory:", &db, &err), BW_OK);
    const char *sql = "INSERT INTO accounts (id, name, email, created_at) VALUES (?,?,?,?)";
    assert_int_equal(
        bw_db_exec(db, &err, NULL, sql, "sssi", "111122223333", "a", "a@x", (int64_t)1), BW_OK);
    assert_int_not_equal(
        bw_db_exec(db, &err, NULL, sql, "sssi", "111122223334", "b", "A@X", (int64_t)1),
        BW_OK); /* emails are unique case-insensitively */
    assert_true(bw_db_last_was_unique_violation(db));
    bw_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_apply),
        cmocka_unit_test(reopen_is_idempotent),
        cmocka_unit_test(transactions_roll_back),
        cmocka_unit_test(unique_violation_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
