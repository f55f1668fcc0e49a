/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IAM users: CreateUser, GetUser, UpdateUser, DeleteUser, ListUsers. A user
 * cannot be deleted while it still has access keys, inline or attached
 * policies or group memberships (DeleteUser in the IAM API Reference: "you
 * must delete the items attached to the user manually"). A rename carries
 * every row that names the user along in the same transaction.
 */
#include "svc/iam/internal.h"

enum bw_code bw_iam__create_user(struct bw_call *c, struct bw_err *err)
{
    const char *name, *path = bw_q_get(c, "Path"), *pb = bw_q_get(c, "PermissionsBoundary");
    const char **keys = NULL, **values = NULL;
    int n = 0;
    if (bw_iam__required(c, "UserName", &name, err) ||
        bw_iam__check_name("userName", name, 64, err) ||
        (path && bw_iam__check_path("path", path, err)) ||
        bw_iam__tags_input(c, &keys, &values, &n, err) || bw_iam__boundary_check(c, pb, err))
        return err->code;
    if (bw_iam_user_create(c->db, c->arena, c->principal->account_id, name, path, c->now_ms, NULL,
                           err))
        return err->code;
    if (pb && bw_db_exec(c->db, err, NULL,
                         "UPDATE iam_users SET boundary_arn = ? WHERE account_id = ? AND name = ?",
                         "sss", pb, c->principal->account_id, name))
        return err->code;
    if (bw_iam__tags_put(c, "user", name, keys, values, n, err))
        return err->code;
    struct bw_iam__ent e = {0};
    if (bw_iam__ent_get(c, BW_IAM_USER, name, &e, err))
        return err->code;
    bw_iam__trail_entity(c, &e);
    return bw_iam__ent_write(c, &e, "User", true, err);
}

/* GetUser by the root user: its account id as UserId, the root ARN, the account's
 * creation date (IAM API Reference, GetUser). */
static enum bw_code root_user(struct bw_call *c, struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, "SELECT created_at FROM accounts WHERE id = ?", err, "s",
                                  c->principal->account_id);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    bw_xml_open(&c->xml, "User");
    bw_xml_elem(&c->xml, "UserId", c->principal->account_id);
    bw_xml_elem(&c->xml, "Arn", c->principal->arn);
    bw_xml_elem_time(&c->xml, "CreateDate", row ? sqlite3_column_int64(st, 0) : 0);
    bw_xml_close(&c->xml, "User");
    return BW_OK;
}

enum bw_code bw_iam__get_user(struct bw_call *c, struct bw_err *err)
{
    const char *name = bw_q_get(c, "UserName");
    if (name && bw_iam__check_name("userName", name, 128, err))
        return err->code;
    if (!name && c->principal->type == BW_PRINCIPAL_ROOT)
        return root_user(c, err);
    if (!name)
        name = c->principal->user_name;
    if (!name)
        return bw_fail(err, BW_E_VALIDATION,
                       "Must specify userName when calling with non-User credentials");
    struct bw_iam__ent e = {0};
    if (bw_iam__ent_get(c, BW_IAM_USER, name, &e, err))
        return err->code;
    return bw_iam__ent_write(c, &e, "User", true, err);
}

static const char *const rename_sql[] = {
    "UPDATE iam_users SET name = ?1 WHERE account_id = ?2 AND name = ?3",
    "UPDATE iam_group_members SET user_name = ?1 WHERE account_id = ?2 AND user_name = ?3",
    "UPDATE iam_attachments SET entity = ?1 WHERE account_id = ?2 AND kind = 'user'"
    " AND entity = ?3",
    "UPDATE iam_inline_policies SET entity = ?1 WHERE account_id = ?2 AND kind = 'user'"
    " AND entity = ?3",
    "UPDATE iam_tags SET entity = ?1 WHERE account_id = ?2 AND kind = 'user' AND entity = ?3",
    "UPDATE iam_access_keys SET user_name = ?1 WHERE account_id = ?2 AND user_name = ?3",
    "UPDATE sts_sessions SET user_name = ?1 WHERE account_id = ?2 AND user_name = ?3"
    " AND kind = 'user'",
};

static enum bw_code rename_user(struct bw_call *c, const char *old, const char *new_name,
                                struct bw_err *err)
{
    const char *acct = c->principal->account_id;
    if (strcasecmp(old, new_name) != 0) {
        struct bw_iam__ent other = {0};
        struct bw_err ignored;
        if (bw_iam__ent_get(c, BW_IAM_USER, new_name, &other, &ignored) == BW_OK)
            return bw_fail(err, BW_E_IAM_ENTITY_ALREADY_EXISTS, "User with name %s already exists.",
                           new_name);
    }
    if (bw_db_exec(c->db, err, NULL, "PRAGMA defer_foreign_keys = ON", ""))
        return err->code;
    for (size_t i = 0; i < sizeof rename_sql / sizeof rename_sql[0]; i++)
        if (bw_db_exec(c->db, err, NULL, rename_sql[i], "sss", new_name, acct, old))
            return err->code;
    return BW_OK;
}

enum bw_code bw_iam__update_user(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    const char *new_path = bw_q_get(c, "NewPath"), *new_name = bw_q_get(c, "NewUserName");
    if (bw_iam__ent_param(c, BW_IAM_USER, &e, err) ||
        (new_path && bw_iam__check_path("newPath", new_path, err)) ||
        (new_name && bw_iam__check_name("newUserName", new_name, 64, err)))
        return err->code;
    if (new_path && bw_db_exec(c->db, err, NULL,
                               "UPDATE iam_users SET path = ? WHERE account_id = ? AND name = ?",
                               "sss", new_path, c->principal->account_id, e.name))
        return err->code;
    if (new_name && rename_user(c, e.name, new_name, err))
        return err->code;
    return BW_OK;
}

static const char *const user_conflict_sql =
    "SELECT (SELECT count(*) FROM iam_access_keys WHERE account_id = ?1 AND user_name = ?2),"
    " (SELECT count(*) FROM iam_inline_policies WHERE account_id = ?1 AND kind = 'user'"
    "  AND entity = ?2),"
    " (SELECT count(*) FROM iam_attachments WHERE account_id = ?1 AND kind = 'user'"
    "  AND entity = ?2),"
    " (SELECT count(*) FROM iam_group_members WHERE account_id = ?1 AND user_name = ?2)";

enum bw_code bw_iam__delete_user(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__ent e = {0};
    const char *acct = c->principal->account_id;
    if (bw_iam__ent_param(c, BW_IAM_USER, &e, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, user_conflict_sql, err, "ss", acct, e.name);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (sqlite3_column_int(st, 0))
        return bw_fail(err, BW_E_IAM_DELETE_CONFLICT,
                       "Cannot delete entity, must delete access keys first.");
    if (sqlite3_column_int(st, 1))
        return bw_fail(err, BW_E_IAM_DELETE_CONFLICT,
                       "Cannot delete entity, must delete policies first.");
    if (sqlite3_column_int(st, 2))
        return bw_fail(err, BW_E_IAM_DELETE_CONFLICT,
                       "Cannot delete entity, must detach all policies first.");
    if (sqlite3_column_int(st, 3))
        return bw_fail(err, BW_E_IAM_DELETE_CONFLICT,
                       "Cannot delete entity, must remove users from group first.");
    if (bw_iam__tags_drop(c, "user", e.name, err) ||
        bw_db_exec(c->db, err, NULL, "DELETE FROM iam_users WHERE account_id = ? AND name = ?",
                   "ss", acct, e.name))
        return err->code;
    return BW_OK;
}

static const char *const list_sql =
    "SELECT name, path, id, created_at, boundary_arn, NULL, NULL, 0 FROM iam_users"
    " WHERE account_id = ? AND substr(path, 1, length(?2)) = ?2 ORDER BY name LIMIT ? OFFSET ?";

enum bw_code bw_iam__list_users(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__page pg;
    const char *prefix = bw_q_get(c, "PathPrefix");
    if (bw_iam__paging(c, &pg, err) || (prefix && bw_iam__check_prefix(prefix, err)))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, list_sql, err, "ssii", c->principal->account_id,
                                  prefix ? prefix : "/", pg.max + 1, pg.off);
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "Users");
    while (bw_iam__page_step(c, st, &pg, err)) {
        struct bw_iam__ent e = {0};
        bw_iam__ent_from_row(c, BW_IAM_USER, st, &e);
        e.boundary = NULL; /* ListUsers does not return boundaries or tags */
        if (bw_iam__ent_write(c, &e, "member", false, err))
            return err->code;
    }
    if (err->code)
        return err->code;
    bw_xml_close(&c->xml, "Users");
    bw_iam__paging_end(c, &pg);
    return BW_OK;
}
