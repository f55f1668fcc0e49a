/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IAM groups and membership: CreateGroup, GetGroup (with its members, paged),
 * UpdateGroup, DeleteGroup (refused while it has members or policies),
 * ListGroups, AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser. A user
 * belongs to at most 10 groups (IAM quotas, "Groups an IAM user can be a
 * member of").
 */
#include "svc/iam/internal.h"

#define GROUPS_PER_USER 10

enum bw_code bw_iam__create_group(struct bw_call *c, struct bw_err *err)
{
    const char *name, *path = bw_q_get(c, "Path");
    if (bw_iam__required(c, "GroupName", &name, err) ||
        bw_iam__check_name("groupName", name, 128, err) ||
        (path && bw_iam__check_path("path", path, err)))
        return err->code;
    char id[22];
    bw_iam_new_id("AGPA", 21, id);
    if (bw_db_exec(c->db, err, NULL,
                   "INSERT INTO iam_groups (account_id, name, path, id, created_at)"
                   " VALUES (?,?,?,?,?)",
                   "ssssi", c->principal->account_id, name, path ? path : "/", id, c->now_ms)) {
        if (bw_db_last_was_unique_violation(c->db))
            return bw_fail(err, BW_E_IAM_ENTITY_ALREADY_EXISTS,
                           "Group with name %s already exists.", name);
        return err->code;
    }
    struct bw_iam__ent e = {0};
    if (bw_iam__ent_get(c, BW_IAM_GROUP, name, &e, err))
        return err->code;
    bw_iam__trail_entity(c, &e);
    return bw_iam__ent_write(c, &e, "Group", false, err);
}

static const char *const members_sql =
    "SELECT u.name, u.path, u.id, u.created_at, u.boundary_arn, NULL, NULL, 0"
    " FROM iam_group_members m JOIN iam_users u ON u.account_id = m.account_id"
    " AND u.name = m.user_name WHERE m.account_id = ? AND m.group_name = ?"
    " ORDER BY u.name LIMIT ? OFFSET ?";

enum bw_code bw_iam__get_group(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__ent g = {0};
    struct bw_iam__page pg;
    if (bw_iam__ent_param(c, BW_IAM_GROUP, &g, err) || bw_iam__paging(c, &pg, err) ||
        bw_iam__ent_write(c, &g, "Group", false, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, members_sql, err, "ssii", c->principal->account_id, g.name,
                                  pg.max + 1, pg.off);
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "Users");
    while (bw_iam__page_step(c, st, &pg, err)) {
        struct bw_iam__ent u = {0};
        bw_iam__ent_from_row(c, BW_IAM_USER, st, &u);
        if (bw_iam__ent_write(c, &u, "member", false, err))
            return err->code;
    }
    if (err->code)
        return err->code;
    bw_xml_close(&c->xml, "Users");
    bw_iam__paging_end(c, &pg);
    return BW_OK;
}

static const char *const rename_sql[] = {
    "UPDATE iam_groups SET name = ?1 WHERE account_id = ?2 AND name = ?3",
    "UPDATE iam_group_members SET group_name = ?1 WHERE account_id = ?2 AND group_name = ?3",
    "UPDATE iam_attachments SET entity = ?1 WHERE account_id = ?2 AND kind = 'group'"
    " AND entity = ?3",
    "UPDATE iam_inline_policies SET entity = ?1 WHERE account_id = ?2 AND kind = 'group'"
    " AND entity = ?3",
};

static enum bw_code rename_group(struct bw_call *c, const char *old, const char *new_name,
                                 struct bw_err *err)
{
    if (strcasecmp(old, new_name) != 0) {
        struct bw_iam__ent other = {0};
        struct bw_err ignored;
        if (bw_iam__ent_get(c, BW_IAM_GROUP, new_name, &other, &ignored) == BW_OK)
            return bw_fail(err, BW_E_IAM_ENTITY_ALREADY_EXISTS,
                           "Group with name %s already exists.", new_name);
    }
    if (bw_db_exec(c->db, err, NULL, "PRAGMA defer_foreign_keys = ON", ""))
        return err->code;
    for (size_t i = 0; i < sizeof rename_sql / sizeof rename_sql[0]; i++)
        if (bw_db_exec(c->db, err, NULL, rename_sql[i], "sss", new_name, c->principal->account_id,
                       old))
            return err->code;
    return BW_OK;
}

enum bw_code bw_iam__update_group(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__ent g = {0};
    const char *new_path = bw_q_get(c, "NewPath"), *new_name = bw_q_get(c, "NewGroupName");
    if (bw_iam__ent_param(c, BW_IAM_GROUP, &g, err) ||
        (new_path && bw_iam__check_path("newPath", new_path, err)) ||
        (new_name && bw_iam__check_name("newGroupName", new_name, 128, err)))
        return err->code;
    if (new_path && bw_db_exec(c->db, err, NULL,
                               "UPDATE iam_groups SET path = ? WHERE account_id = ? AND name = ?",
                               "sss", new_path, c->principal->account_id, g.name))
        return err->code;
    if (new_name && rename_group(c, g.name, new_name, err))
        return err->code;
    return BW_OK;
}

static const char *const group_conflict_sql =
    "SELECT (SELECT count(*) FROM iam_group_members WHERE account_id = ?1 AND group_name = ?2),"
    " (SELECT count(*) FROM iam_inline_policies WHERE account_id = ?1 AND kind = 'group'"
    "  AND entity = ?2),"
    " (SELECT count(*) FROM iam_attachments WHERE account_id = ?1 AND kind = 'group'"
    "  AND entity = ?2)";

enum bw_code bw_iam__delete_group(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__ent g = {0};
    if (bw_iam__ent_param(c, BW_IAM_GROUP, &g, err))
        return err->code;
    sqlite3_stmt *st =
        bw_db_prep(c->db, group_conflict_sql, err, "ss", c->principal->account_id, g.name);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (sqlite3_column_int(st, 0))
        return bw_fail(err, BW_E_IAM_DELETE_CONFLICT,
                       "Cannot delete entity, must remove users from group first.");
    if (sqlite3_column_int(st, 1))
        return bw_fail(err, BW_E_IAM_DELETE_CONFLICT,
                       "Cannot delete entity, must delete policies first.");
    if (sqlite3_column_int(st, 2))
        return bw_fail(err, BW_E_IAM_DELETE_CONFLICT,
                       "Cannot delete entity, must detach all policies first.");
    return bw_db_exec(c->db, err, NULL, "DELETE FROM iam_groups WHERE account_id = ? AND name = ?",
                      "ss", c->principal->account_id, g.name);
}

static const char *const list_sql =
    "SELECT name, path, id, created_at, NULL, NULL, NULL, 0 FROM iam_groups"
    " WHERE account_id = ? AND substr(path, 1, length(?2)) = ?2 ORDER BY name LIMIT ? OFFSET ?";
static const char *const for_user_sql =
    "SELECT g.name, g.path, g.id, g.created_at, NULL, NULL, NULL, 0 FROM iam_group_members m"
    " JOIN iam_groups g ON g.account_id = m.account_id AND g.name = m.group_name"
    " WHERE m.account_id = ? AND m.user_name = ? ORDER BY g.name LIMIT ? OFFSET ?";

static enum bw_code write_groups(struct bw_call *c, sqlite3_stmt *st, struct bw_iam__page *pg,
                                 struct bw_err *err)
{
    if (!st)
        return err->code;
    bw_xml_open(&c->xml, "Groups");
    while (bw_iam__page_step(c, st, pg, err)) {
        struct bw_iam__ent g = {0};
        bw_iam__ent_from_row(c, BW_IAM_GROUP, st, &g);
        if (bw_iam__ent_write(c, &g, "member", false, err))
            return err->code;
    }
    if (err->code)
        return err->code;
    bw_xml_close(&c->xml, "Groups");
    bw_iam__paging_end(c, pg);
    return BW_OK;
}

enum bw_code bw_iam__list_groups(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__page pg;
    const char *prefix = bw_q_get(c, "PathPrefix");
    if (bw_iam__paging(c, &pg, err) || (prefix && bw_iam__check_prefix(prefix, err)))
        return err->code;
    return write_groups(c,
                        bw_db_prep(c->db, list_sql, err, "ssii", c->principal->account_id,
                                   prefix ? prefix : "/", pg.max + 1, pg.off),
                        &pg, err);
}

enum bw_code bw_iam__list_groups_for_user(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__page pg;
    struct bw_iam__ent u = {0};
    if (bw_iam__ent_param(c, BW_IAM_USER, &u, err) || bw_iam__paging(c, &pg, err))
        return err->code;
    return write_groups(c,
                        bw_db_prep(c->db, for_user_sql, err, "ssii", c->principal->account_id,
                                   u.name, pg.max + 1, pg.off),
                        &pg, err);
}

enum bw_code bw_iam__add_user_to_group(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__ent g = {0}, u = {0};
    if (bw_iam__ent_param(c, BW_IAM_GROUP, &g, err) || bw_iam__ent_param(c, BW_IAM_USER, &u, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT count(*), sum(group_name = ?3) FROM iam_group_members"
                                  " WHERE account_id = ?1 AND user_name = ?2",
                                  err, "sss", c->principal->account_id, u.name, g.name);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (sqlite3_column_int(st, 1) > 0)
        return BW_OK; /* already a member: AddUserToGroup is idempotent */
    if (sqlite3_column_int(st, 0) >= GROUPS_PER_USER)
        return bw_fail(err, BW_E_IAM_LIMIT_EXCEEDED, "Cannot exceed quota for GroupsPerUser: %d",
                       GROUPS_PER_USER);
    return bw_db_exec(c->db, err, NULL,
                      "INSERT INTO iam_group_members (account_id, group_name, user_name)"
                      " VALUES (?,?,?)",
                      "sss", c->principal->account_id, g.name, u.name);
}

enum bw_code bw_iam__remove_user_from_group(struct bw_call *c, struct bw_err *err)
{
    struct bw_iam__ent g = {0}, u = {0};
    if (bw_iam__ent_param(c, BW_IAM_GROUP, &g, err) || bw_iam__ent_param(c, BW_IAM_USER, &u, err))
        return err->code;
    int changes = 0;
    if (bw_db_exec(c->db, err, &changes,
                   "DELETE FROM iam_group_members WHERE account_id = ? AND group_name = ?"
                   " AND user_name = ?",
                   "sss", c->principal->account_id, g.name, u.name))
        return err->code;
    if (!changes)
        return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY,
                       "The user with name %s cannot be found in group %s.", u.name, g.name);
    return BW_OK;
}
