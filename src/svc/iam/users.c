/* SPDX-License-Identifier: Apache-2.0 */
/* IAM users: CreateUser, GetUser, ListUsers. */
#include "svc/iam/internal.h"

#include <string.h>

static void write_user(struct bw_call *c, sqlite3_stmt *st, const char *tag)
{
    /* columns: name, path, id, created_at */
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *path = (const char *)sqlite3_column_text(st, 1);
    bw_xml_open(&c->xml, tag);
    bw_xml_elem(&c->xml, "Path", path);
    bw_xml_elem(&c->xml, "UserName", name);
    bw_xml_elem(&c->xml, "UserId", (const char *)sqlite3_column_text(st, 2));
    bw_xml_elem(&c->xml, "Arn",
                bw_arena_printf(c->arena, "arn:aws:iam::%s:user%s%s", c->principal->account_id,
                                path, name));
    bw_xml_elem_time(&c->xml, "CreateDate", sqlite3_column_int64(st, 3));
    bw_xml_close(&c->xml, tag);
}

static const char *const get_sql =
    "SELECT name, path, id, created_at FROM iam_users WHERE account_id = ? AND name = ?";

enum bw_code bw_iam__create_user(struct bw_call *c, struct bw_err *err)
{
    const char *name, *path = bw_q_get(c, "Path");
    if (bw_iam__required(c, "UserName", &name, err) ||
        bw_iam__check_name("userName", name, 64, err) || (path && bw_iam__check_path(path, err)))
        return err->code;
    if (bw_iam_user_create(c->db, c->arena, c->principal->account_id, name, path, c->now_ms, NULL,
                           err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, get_sql, err, "ss", c->principal->account_id, name);
    bool row;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    write_user(c, st, "User");
    return BW_OK;
}

enum bw_code bw_iam__get_user(struct bw_call *c, struct bw_err *err)
{
    const char *name = bw_q_get(c, "UserName");
    if (!name)
        name = c->principal->user_name;
    if (!name)
        return bw_fail(err, BW_E_VALIDATION,
                       "Must specify userName when calling with non-User credentials");
    sqlite3_stmt *st = bw_db_prep(c->db, get_sql, err, "ss", c->principal->account_id, name);
    bool row;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY, "The user with name %s cannot be found.",
                       name);
    write_user(c, st, "User");
    return BW_OK;
}

enum bw_code bw_iam__list_users(struct bw_call *c, struct bw_err *err)
{
    int64_t off, max;
    const char *prefix = bw_q_get(c, "PathPrefix");
    if (bw_iam__paging(c, &off, &max, err) || (prefix && bw_iam__check_path(prefix, err)))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT name, path, id, created_at FROM iam_users"
                                  " WHERE account_id = ? AND substr(path, 1, length(?)) = ?"
                                  " ORDER BY name LIMIT ? OFFSET ?",
                                  err, "sssii", c->principal->account_id, prefix ? prefix : "/",
                                  prefix ? prefix : "/", max + 1, off);
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "Users");
    int64_t n = 0;
    bool row;
    while (bw_db_step(c->db, st, &row, err) == BW_OK && row) {
        if (n++ == max)
            break;
        write_user(c, st, "member");
    }
    if (err->code)
        return err->code;
    bw_xml_close(&c->xml, "Users");
    bw_iam__paging_end(c, n > max, off + max);
    return BW_OK;
}
