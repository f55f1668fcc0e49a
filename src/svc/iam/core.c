/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IAM domain functions shared with bootstrap, STS and Organizations: accounts,
 * users, roles, attachments, access keys and identifiers. Identifiers follow the
 * IAM User Guide ("IAM identifiers: unique identifiers"): a four-letter prefix
 * naming the kind (AIDA user, AROA role, ANPA policy, AGPA group, AKIA access
 * key, ASIA temporary key) followed by upper-case base32 characters.
 */
#include "svc/iam/iam.h"

#include <string.h>

#include "common/util.h"

#define BASE32 "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

void bw_iam_new_id(const char *prefix, size_t total_len, char *out)
{
    size_t p = strlen(prefix);
    memcpy(out, prefix, p);
    bw_random_chars(out + p, total_len - p, BASE32);
}

enum bw_code bw_iam_account_create(struct bw_db *db, const char *name, const char *email,
                                   int64_t now_ms, char out_id[13], struct bw_err *err)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        bw_random_chars(out_id, 12, BW_ALPHA_DIGITS);
        if (out_id[0] == '0')
            continue;
        if (bw_db_exec(db, err, NULL,
                       "INSERT INTO accounts (id, name, email, created_at) VALUES (?,?,?,?)",
                       "sssi", out_id, name, email, now_ms) == BW_OK)
            return BW_OK;
        if (!bw_db_last_was_unique_violation(db))
            return err->code;
        bool row = false;
        sqlite3_stmt *st =
            bw_db_prep(db, "SELECT 1 FROM accounts WHERE email = ?", err, "s", email);
        if (!st || bw_db_step(db, st, &row, err))
            return err->code;
        if (row)
            return bw_fail(err, BW_E_IAM_ENTITY_ALREADY_EXISTS,
                           "An account with email %s already exists.", email);
    }
    return bw_fail(err, BW_E_INTERNAL, "could not allocate an account id");
}

bool bw_iam_account_exists(struct bw_db *db, const char *account_id)
{
    struct bw_err err;
    bool row = false;
    sqlite3_stmt *st = bw_db_prep(db, "SELECT 1 FROM accounts WHERE id = ?", &err, "s", account_id);
    if (!st || bw_db_step(db, st, &row, &err))
        return false;
    return row;
}

enum bw_code bw_iam_user_create(struct bw_db *db, struct bw_arena *a, const char *account,
                                const char *name, const char *path, int64_t now_ms,
                                const char **out_id, struct bw_err *err)
{
    char id[22];
    bw_iam_new_id("AIDA", 21, id);
    if (bw_db_exec(db, err, NULL,
                   "INSERT INTO iam_users (account_id, name, path, id, created_at)"
                   " VALUES (?,?,?,?,?)",
                   "ssssi", account, name, path ? path : "/", id, now_ms)) {
        if (bw_db_last_was_unique_violation(db))
            return bw_fail(err, BW_E_IAM_ENTITY_ALREADY_EXISTS, "User with name %s already exists.",
                           name);
        return err->code;
    }
    if (out_id)
        *out_id = bw_arena_strdup(a, id);
    return BW_OK;
}

enum bw_code bw_iam_role_create(struct bw_db *db, struct bw_arena *a, const char *account,
                                const char *name, const char *path, const char *trust_policy,
                                const char *description, int max_session, int64_t now_ms,
                                const char **out_id, struct bw_err *err)
{
    char id[22];
    bw_iam_new_id("AROA", 21, id);
    if (bw_db_exec(db, err, NULL,
                   "INSERT INTO iam_roles (account_id, name, path, id, created_at, trust_policy,"
                   " description, max_session_duration) VALUES (?,?,?,?,?,?,?,?)",
                   "ssssissd", account, name, path ? path : "/", id, now_ms, trust_policy,
                   description, max_session ? max_session : 3600)) {
        if (bw_db_last_was_unique_violation(db))
            return bw_fail(err, BW_E_IAM_ENTITY_ALREADY_EXISTS, "Role with name %s already exists.",
                           name);
        return err->code;
    }
    if (out_id)
        *out_id = bw_arena_strdup(a, id);
    return BW_OK;
}

enum bw_code bw_iam_attach(struct bw_db *db, const char *account, const char *kind,
                           const char *entity, const char *policy_arn, struct bw_err *err)
{
    bool row = false;
    sqlite3_stmt *st =
        bw_db_prep(db, "SELECT account_id FROM iam_policies WHERE arn = ?", err, "s", policy_arn);
    if (!st || bw_db_step(db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY,
                       "Policy %s does not exist or is not attachable.", policy_arn);
    const char *owner = (const char *)sqlite3_column_text(st, 0);
    if (strcmp(owner, "aws") != 0 && strcmp(owner, account) != 0)
        return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY,
                       "Policy %s does not exist or is not attachable.", policy_arn);
    return bw_db_exec(db, err, NULL,
                      "INSERT OR IGNORE INTO iam_attachments (account_id, kind, entity, policy_arn)"
                      " VALUES (?,?,?,?)",
                      "ssss", account, kind, entity, policy_arn);
}

enum bw_code bw_iam_access_key_create(struct bw_db *db, const struct bw_secrets *secrets,
                                      struct bw_arena *a, const char *account, const char *user,
                                      int64_t now_ms, const char **akid, const char **secret,
                                      struct bw_err *err)
{
    char id[21], sec[41];
    bw_iam_new_id("AKIA", 20, id);
    bw_random_chars(sec, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    void *blob;
    size_t blob_len;
    bw_secrets_seal(secrets, id, sec, 40, a, &blob, &blob_len);
    if (bw_db_exec(db, err, NULL,
                   "INSERT INTO iam_access_keys (id, account_id, user_name, secret_enc, created_at)"
                   " VALUES (?,?,?,?,?)",
                   "sssbi", id, account, user, blob, blob_len, now_ms))
        return err->code;
    *akid = bw_arena_strdup(a, id);
    *secret = bw_arena_strdup(a, sec);
    return BW_OK;
}
