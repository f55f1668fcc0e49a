/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The writer and validation on a real SQLite store and a temporary directory:
 * events of the trail's account are delivered once into one file, other
 * accounts' are not; digests chain and validate; a crash between writing a
 * file and committing the cursor rewrites the same file (no duplicate, no
 * loss); a flipped byte is reported as modified.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "trail/trail.h"

struct fx {
    char dir[64], trail_dir[128];
    struct bw_db *db;
    struct bw_secrets *secrets;
    struct bw_trail_writer_cfg cfg;
    int64_t now;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct bw_err err;
    snprintf(f->dir, sizeof f->dir, "/tmp/bw-trail-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->trail_dir, sizeof f->trail_dir, "%s/trails/t", f->dir);
    char key[128];
    snprintf(key, sizeof key, "%s/master.key", f->dir);
    assert_int_equal(bw_secrets_open(key, true, &f->secrets, &err), BW_OK);
    assert_int_equal(bw_db_open(":memory:", &f->db, &err), BW_OK);
    f->now = bw_now_ms();
    f->cfg = (struct bw_trail_writer_cfg){f->dir, f->secrets, 0, 1000, 1000};
    int64_t key_id;
    assert_int_equal(bw_trail_key_create(f->db, f->secrets, f->now - 5000, &key_id, &err), BW_OK);
    assert_int_equal(
        bw_db_exec(f->db, &err, NULL,
                   "INSERT INTO trails (account_id, name, arn, home_region, s3_bucket, dir,"
                   " validation, logging, created_ms, start_ms, key_id) VALUES ('111122223333',"
                   " 't', 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t', 'us-east-1', 'b',"
                   " ?, 1, 1, ?, ?, ?)",
                   "siii", f->trail_dir, f->now - 5000, f->now - 5000, key_id),
        BW_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    bw_db_close(f->db);
    bw_secrets_free(f->secrets);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "chmod -R u+w %s && rm -rf %s", f->dir, f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void add_events(struct fx *f, const char *account, int from, int n, int64_t t)
{
    struct bw_err err;
    for (int i = from; i < from + n; i++) {
        char id[32], rec[128];
        snprintf(id, sizeof id, "e%d", i);
        snprintf(rec, sizeof rec, "{\"eventID\":\"%s\",\"eventTime\":\"x\"}", id);
        assert_int_equal(bw_db_exec(f->db, &err, NULL,
                                    "INSERT INTO trail_events (event_id, account_id, event_time,"
                                    " event_source, event_name, read_only, record) VALUES"
                                    " (?,?,?,'iam.amazonaws.com','CreateUser',0,?)",
                                    "ssis", id, account, t, rec),
                         BW_OK);
    }
}

static int64_t count(struct fx *f, const char *sql)
{
    struct bw_err err;
    sqlite3_stmt *st = bw_db_prep(f->db, sql, &err, "");
    bool row;
    assert_int_equal(bw_db_step(f->db, st, &row, &err), BW_OK);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

static size_t delivered_records(struct fx *f)
{
    struct bw_err err;
    size_t total = 0;
    sqlite3_stmt *st =
        bw_db_prep(f->db, "SELECT key FROM trail_files WHERE kind = 'log'", &err, "");
    bool row;
    while (!bw_db_step(f->db, st, &row, &err) && row) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", f->trail_dir, sqlite3_column_text(st, 0));
        FILE *fp = fopen(path, "rb");
        assert_non_null(fp);
        unsigned char buf[65536], *text;
        size_t len = fread(buf, 1, sizeof buf, fp), tlen, n;
        fclose(fp);
        assert_int_equal(bw_trail_gunzip(buf, len, 1 << 20, &text, &tlen, &err), BW_OK);
        assert_int_equal(bw_trail_log_parse((char *)text, tlen, &n, &err), BW_OK);
        free(text);
        total += n;
    }
    sqlite3_reset(st);
    return total;
}

static void validate_ok(struct fx *f, bool expect_ok)
{
    struct bw_trail_validation v;
    struct bw_err err;
    assert_int_equal(
        bw_trail_validate(f->db, "t", NULL, NULL, 0, f->now + 100000, NULL, NULL, &v, &err), BW_OK);
    bool ok =
        v.chain_intact && v.logs == v.logs_valid && v.digests == v.digests_valid && !v.inserted;
    assert_int_equal(ok, expect_ok);
}

static void delivers_once_and_validates(void **state)
{
    struct fx *f = *state;
    struct bw_err err;
    add_events(f, "111122223333", 0, 5, f->now - 3000);
    add_events(f, "999988887777", 100, 2, f->now - 3000);
    int files;
    assert_int_equal(bw_trail_writer_run(f->db, &f->cfg, f->now, false, &files, &err), BW_OK);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM trail_files WHERE kind = 'log'"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM trail_files WHERE kind = 'digest'"), 1);
    assert_int_equal(delivered_records(f), 5);
    validate_ok(f, true);
    /* a second pass with nothing new writes nothing */
    assert_int_equal(bw_trail_writer_run(f->db, &f->cfg, f->now, false, &files, &err), BW_OK);
    assert_int_equal(files, 0);
}

static void crash_before_commit_rewrites_same_file(void **state)
{
    struct fx *f = *state;
    struct bw_err err;
    add_events(f, "111122223333", 0, 4, f->now - 3000);
    int files;
    /* no digest in this first pass: the crash comes right after the log file */
    assert_int_equal(bw_db_exec(f->db, &err, NULL, "UPDATE trails SET validation = 0", ""), BW_OK);
    assert_int_equal(bw_trail_writer_run(f->db, &f->cfg, f->now - 2000, true, &files, &err), BW_OK);
    assert_int_equal(files, 1);
    assert_int_equal(bw_db_exec(f->db, &err, NULL, "UPDATE trails SET validation = 1", ""), BW_OK);
    /* the crash: the file is on disk but the commit (row + cursor) never happened */
    assert_int_equal(bw_db_exec(f->db, &err, NULL, "DELETE FROM trail_files", ""), BW_OK);
    assert_int_equal(bw_db_exec(f->db, &err, NULL, "UPDATE trails SET cursor_seq = 0", ""), BW_OK);
    add_events(f, "111122223333", 10, 2, f->now - 2500);
    assert_int_equal(bw_trail_writer_run(f->db, &f->cfg, f->now, false, &files, &err), BW_OK);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM trail_files WHERE kind = 'log'"), 1);
    assert_int_equal(delivered_records(f), 6); /* 4 + 2, each once */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test $(find %s -name '*_CloudTrail_*.json.gz' | wc -l) -eq 1",
             f->trail_dir);
    assert_int_equal(system(cmd), 0);
    validate_ok(f, true);
}

static void crash_after_commit_publishes_on_next_pass(void **state)
{
    struct fx *f = *state;
    struct bw_err err;
    add_events(f, "111122223333", 0, 3, f->now - 3000);
    int files;
    assert_int_equal(bw_db_exec(f->db, &err, NULL, "UPDATE trails SET validation = 0", ""), BW_OK);
    assert_int_equal(bw_trail_writer_run(f->db, &f->cfg, f->now - 2000, true, &files, &err), BW_OK);
    /* the crash: recorded, but the rename to the final name never happened */
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "f=$(find %s -name '*_CloudTrail_*.json.gz'); test -n \"$f\" && mv $f $f.tmp",
             f->trail_dir);
    assert_int_equal(system(cmd), 0);
    validate_ok(f, true); /* a live validation reads the pending .tmp */
    assert_int_equal(bw_db_exec(f->db, &err, NULL, "UPDATE trails SET validation = 1", ""), BW_OK);
    assert_int_equal(bw_trail_writer_run(f->db, &f->cfg, f->now, false, &files, &err), BW_OK);
    snprintf(cmd, sizeof cmd,
             "test $(find %s -name '*_CloudTrail_*.json.gz' | wc -l) -eq 1 &&"
             " test $(find %s -name '*.tmp' | wc -l) -eq 0",
             f->trail_dir, f->trail_dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(delivered_records(f), 3);
    validate_ok(f, true);
}

static void flipped_byte_is_modified(void **state)
{
    struct fx *f = *state;
    struct bw_err err;
    add_events(f, "111122223333", 0, 3, f->now - 3000);
    int files;
    assert_int_equal(bw_trail_writer_run(f->db, &f->cfg, f->now, false, &files, &err), BW_OK);
    validate_ok(f, true);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "f=$(find %s -name '*_CloudTrail_*.json.gz'); chmod u+w $f;"
             " printf 'X' | dd of=$f bs=1 seek=20 conv=notrunc 2>/dev/null",
             f->trail_dir);
    assert_int_equal(system(cmd), 0);
    validate_ok(f, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(delivers_once_and_validates, setup, teardown),
        cmocka_unit_test_setup_teardown(crash_before_commit_rewrites_same_file, setup, teardown),
        cmocka_unit_test_setup_teardown(crash_after_commit_publishes_on_next_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(flipped_byte_is_modified, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
