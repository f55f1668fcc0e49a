/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IAM domain functions (iam.h) on a real SQLite :memory: store, and the helpers
 * of internal.h that need no request: name/path validation in IAM's words, the
 * percent-encoding of documents, the whitespace-free size count and the
 * statement positions the simulator reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svc/iam/internal.h"

static struct bw_db *open_db(void)
{
    struct bw_db *db;
    struct bw_err err;
    bw_err_clear(&err);
    assert_int_equal(bw_db_open(":memory:", &db, &err), BW_OK);
    assert_int_equal(bw_iam_seed_managed(db, 1000, &err), BW_OK);
    assert_int_equal(bw_iam_seed_managed(db, 2000, &err), BW_OK); /* idempotent */
    return db;
}

static void test_ids(void **state)
{
    (void)state;
    char id[22] = {0};
    bw_iam_new_id("AIDA", 21, id);
    assert_int_equal(strlen(id), 21);
    assert_memory_equal(id, "AIDA", 4);
    for (int i = 4; i < 21; i++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", id[i]));
}

static void test_account_user_role_attach(void **state)
{
    (void)state;
    struct bw_db *db = open_db();
    struct bw_arena *a = bw_arena_new(1024);
    struct bw_err err;
    bw_err_clear(&err);
    char acct[13] = {0};
    assert_int_equal(bw_iam_account_create(db, "a", "a@example.com", 1, acct, &err), BW_OK);
    assert_true(bw_iam_account_exists(db, acct));
    assert_false(bw_iam_account_exists(db, "000000000000"));
    char other[13] = {0};
    assert_int_equal(bw_iam_account_create(db, "b", "A@example.com", 1, other, &err),
                     BW_E_IAM_ENTITY_ALREADY_EXISTS);
    const char *uid;
    assert_int_equal(bw_iam_user_create(db, a, acct, "bob", "/t/", 1, &uid, &err), BW_OK);
    assert_memory_equal(uid, "AIDA", 4);
    assert_int_equal(bw_iam_user_create(db, a, acct, "BOB", NULL, 1, NULL, &err),
                     BW_E_IAM_ENTITY_ALREADY_EXISTS);
    assert_string_equal(err.msg, "User with name BOB already exists.");
    const char *rid;
    assert_int_equal(bw_iam_role_create(db, a, acct, "r", NULL, "{}", NULL, 0, 1, &rid, &err),
                     BW_OK);
    assert_memory_equal(rid, "AROA", 4);
    assert_int_equal(
        bw_iam_attach(db, acct, "user", "bob", BW_IAM_AWS_POLICY("ReadOnlyAccess"), &err), BW_OK);
    assert_int_equal(
        bw_iam_attach(db, acct, "user", "bob", BW_IAM_AWS_POLICY("ReadOnlyAccess"), &err),
        BW_OK); /* idempotent */
    assert_int_equal(bw_iam_attach(db, acct, "user", "bob", "arn:aws:iam::1:policy/none", &err),
                     BW_E_IAM_NO_SUCH_ENTITY);
    bw_arena_free(a);
    bw_db_close(db);
}

static void test_validation_wording(void **state)
{
    (void)state;
    struct bw_err err;
    bw_err_clear(&err);
    assert_int_equal(bw_iam__check_name("userName", "ok_name+=,.@-", 64, &err), BW_OK);
    assert_int_equal(bw_iam__check_name("userName", "bad name", 64, &err), BW_E_VALIDATION);
    assert_string_equal(err.msg, "1 validation error detected: Value 'bad name' at 'userName' "
                                 "failed to satisfy constraint: Member must satisfy regular "
                                 "expression pattern: [\\w+=,.@-]+");
    assert_int_equal(bw_iam__check_name("roleName", "", 64, &err), BW_E_VALIDATION);
    assert_non_null(strstr(err.msg, "greater than or equal to 1"));
    assert_int_equal(bw_iam__check_path("path", "/a/b/", &err), BW_OK);
    assert_int_equal(bw_iam__check_path("path", "/a", &err), BW_E_VALIDATION);
    assert_int_equal(bw_iam__check_prefix("/a", &err), BW_OK);
    assert_int_equal(bw_iam__check_prefix("a/", &err), BW_E_VALIDATION);
    assert_int_equal(bw_iam__check_arn("arn:aws:iam::123456789012:policy/p", &err), BW_OK);
    assert_int_equal(bw_iam__check_arn("arn:nope", &err), BW_E_IAM_INVALID_INPUT);
    assert_string_equal(err.msg, "ARN arn:nope is not valid.");
}

static void test_urlenc_and_size(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(256);
    assert_string_equal(bw_iam__urlenc(a, "{\"A\": \"b~c-d_e.f/\"}"),
                        "%7B%22A%22%3A%20%22b~c-d_e.f%2F%22%7D");
    assert_int_equal(bw_iam__policy_chars("{ \"a\" :\n\t\"b\" }"), 9);
    assert_int_equal(bw_iam__policy_chars("\"\xc3\xa9\""), 3); /* é is one character */
    bw_arena_free(a);
}

static void test_doc_check(void **state)
{
    (void)state;
    struct bw_err err;
    bw_err_clear(&err);
    const char *ok = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                     "\"Action\":\"s3:*\",\"Resource\":\"*\"}}";
    assert_int_equal(bw_iam__doc_check("policyDocument", ok, BW_POLICY_IDENTITY,
                                       BW_POLICY_LIMIT_MANAGED, "too big", &err),
                     BW_OK);
    assert_int_equal(
        bw_iam__doc_check("policyDocument", ok, BW_POLICY_TRUST, 2048, "too big", &err),
        BW_E_IAM_MALFORMED_POLICY);
    assert_int_equal(
        bw_iam__doc_check("policyDocument", ok, BW_POLICY_IDENTITY, 20, "too big", &err),
        BW_E_IAM_LIMIT_EXCEEDED);
    assert_string_equal(err.msg, "too big");
    assert_int_equal(bw_iam__doc_check("policyDocument", "\x01", BW_POLICY_IDENTITY, 0, "x", &err),
                     BW_E_VALIDATION);
}

static void test_statement_positions(void **state)
{
    (void)state;
    int pos[4];
    const char *doc = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n"
                      "    {\"Effect\": \"Allow\", \"Action\": \"a:b\", \"Resource\": \"*\"},\n"
                      "    {\"Sid\": \"x}\\\"\", \"Effect\": \"Deny\", \"Action\": \"*\","
                      " \"Resource\": \"*\"}\n  ]\n}";
    assert_true(bw_iam__stmt_position(doc, 0, pos));
    assert_int_equal(pos[0], 4);
    assert_int_equal(pos[1], 5);
    assert_int_equal(pos[2], 4);
    assert_true(bw_iam__stmt_position(doc, 1, pos));
    assert_int_equal(pos[0], 5);
    assert_int_equal(pos[1], 5);
    assert_false(bw_iam__stmt_position(doc, 2, pos));
    const char *single = "{\"Statement\": {\"Effect\": \"Allow\"}}";
    assert_true(bw_iam__stmt_position(single, 0, pos));
    assert_int_equal(pos[1], 15);
    assert_false(bw_iam__stmt_position(single, 1, pos));
    assert_false(bw_iam__stmt_position("[1,2]", 0, pos));
    assert_false(bw_iam__stmt_position("{\"Statement\"", 0, pos));
}

static void test_access_key(void **state)
{
    (void)state;
    char dir[] = "/tmp/bw-iam-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/master.key", dir);
    struct bw_secrets *sec;
    struct bw_err err;
    bw_err_clear(&err);
    assert_int_equal(bw_secrets_open(path, true, &sec, &err), BW_OK);
    struct bw_db *db = open_db();
    struct bw_arena *a = bw_arena_new(256);
    const char *akid, *secret;
    assert_int_equal(
        bw_iam_access_key_create(db, sec, a, "123456789012", "bob", 1, &akid, &secret, &err),
        BW_OK);
    assert_int_equal(strlen(akid), 20);
    assert_memory_equal(akid, "AKIA", 4);
    assert_int_equal(strlen(secret), 40);
    bw_arena_free(a);
    bw_db_close(db);
    bw_secrets_free(sec);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_account_user_role_attach),
        cmocka_unit_test(test_validation_wording),
        cmocka_unit_test(test_urlenc_and_size),
        cmocka_unit_test(test_doc_check),
        cmocka_unit_test(test_statement_positions),
        cmocka_unit_test(test_access_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
