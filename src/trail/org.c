/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Organization membership, as the trail needs it: which organization an account
 * belongs to, and who manages it. The Organizations service owns those tables;
 * until they exist in the schema (migrations 02NN) every account is in no
 * organization ("none"), and organization trails log their own account only.
 *
 * Tables (as the Organizations branch defines them in 0200_org_core.sql):
 *   org_accounts(account_id, org_id, …)  — one row per member (management included)
 *   org_organizations(id, management_account, …)
 */
#include "trail/trail.h"

static bool has_table(struct bw_db *db, const char *name)
{
    sqlite3_stmt *st = bw_db_prep(db,
                                  "SELECT 1 FROM sqlite_master WHERE type = 'table' AND"
                                  " name = ?",
                                  NULL, "s", name);
    bool row = false;
    if (st && bw_db_step(db, st, &row, NULL) != BW_OK)
        row = false;
    if (st)
        sqlite3_reset(st);
    return row;
}

static const char *one_string(struct bw_db *db, struct bw_arena *a, const char *sql,
                              const char *arg)
{
    struct bw_err err;
    sqlite3_stmt *st = bw_db_prep(db, sql, &err, "s", arg);
    bool row = false;
    if (!st || bw_db_step(db, st, &row, &err) || !row) {
        if (st)
            sqlite3_reset(st);
        return NULL;
    }
    const char *s = bw_db_col_str(a, st, 0);
    sqlite3_reset(st);
    return s;
}

const char *bw_trail_org_of(struct bw_db *db, struct bw_arena *a, const char *account)
{
    if (!has_table(db, "org_accounts"))
        return NULL;
    return one_string(db, a, "SELECT org_id FROM org_accounts WHERE account_id = ?", account);
}

const char *bw_trail_org_management(struct bw_db *db, struct bw_arena *a, const char *org_id)
{
    if (!org_id || !has_table(db, "org_organizations"))
        return NULL;
    return one_string(db, a, "SELECT management_account FROM org_organizations WHERE id = ?",
                      org_id);
}
