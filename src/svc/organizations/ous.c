/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Organizational units: the tree under the root (User Guide, "Managing
 * organizational units"). OU ids embed the root's suffix
 * (ou-<root suffix>-<8 characters>); names are unique under a parent; nesting is
 * limited to five levels below the root (OU_DEPTH_LIMIT_EXCEEDED); a non-empty OU
 * cannot be deleted. ListChildren, ListParents and ListOrganizationalUnitsForParent
 * page with MaxResults/NextToken.
 */
#include "svc/organizations/internal.h"

#include <string.h>

static enum bw_code parent_depth(struct bw_call *c, const struct bw_org *o, const char *parent,
                                 int64_t *depth, struct bw_err *err)
{
    bool row;
    if (!strcmp(parent, o->root_id)) {
        *depth = 0;
        return BW_OK;
    }
    sqlite3_stmt *st = bw_db_prep(c->db, "SELECT depth FROM org_ous WHERE id = ? AND org_id = ?",
                                  err, "ss", parent, o->id);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_ORG_PARENT_NOT_FOUND,
                       "We can't find a root or OU with the ParentId that you specified.");
    *depth = sqlite3_column_int64(st, 0);
    return BW_OK;
}

static enum bw_code name_free(struct bw_call *c, const char *parent, const char *name,
                              const char *except, struct bw_err *err)
{
    bool row;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT 1 FROM org_ous WHERE parent_id = ? AND name = ?"
                                  " AND id != ?",
                                  err, "sss", parent, name, except ? except : "");
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (row)
        return bw_fail(err, BW_E_ORG_DUPLICATE_OU, "An OU with the same name already exists.");
    return BW_OK;
}

static enum bw_code ou_count(struct bw_call *c, const struct bw_org *o, struct bw_err *err)
{
    bool row;
    sqlite3_stmt *st =
        bw_db_prep(c->db, "SELECT count(*) FROM org_ous WHERE org_id = ?", err, "s", o->id);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (sqlite3_column_int64(st, 0) >= bw_org__quota(c, "max_ous", BW_ORG_MAX_OUS))
        return bw_org__constraint(err, "OU_NUMBER_LIMIT_EXCEEDED",
                                  "You have reached the limit on the number of OUs.");
    return BW_OK;
}

static json_t *ou_json(struct bw_call *c, const struct bw_org *o, const char *id, const char *name)
{
    return json_pack("{s:s,s:s,s:s}", "Id", id, "Arn", bw_org__arn_ou(c, o, id), "Name", name);
}

BW_ORG_HANDLER(create_ou)
{
    struct bw_org o;
    const char *parent, *name = NULL;
    int64_t depth = 0;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) ||
        bw_org__id(c, "ParentId", BW_ORG_ID_ROOT | BW_ORG_ID_OU, &parent, NULL, err) ||
        bw_org__str(c, "Name", true, 1, 128, &name, err) ||
        parent_depth(c, &o, parent, &depth, err))
        return err->code;
    int64_t max_depth = bw_org__quota(c, "max_ou_depth", BW_ORG_MAX_OU_DEPTH);
    if (max_depth > BW_ORG_HARD_MAX_DEPTH)
        max_depth = BW_ORG_HARD_MAX_DEPTH;
    if (depth + 1 > max_depth)
        return bw_org__constraint(err, "OU_DEPTH_LIMIT_EXCEEDED",
                                  "You attempted to create an OU tree that is too many levels "
                                  "deep.");
    if (name_free(c, parent, name, NULL, err) || ou_count(c, &o, err))
        return err->code;
    const char *id = bw_arena_printf(c->arena, "ou-%s%s", o.root_id + 2, bw_org__new_id(c, "-", 8));
    if (bw_db_exec(c->db, err, NULL,
                   "INSERT INTO org_ous (id, org_id, parent_id, name, depth, created_at)"
                   " VALUES (?,?,?,?,?,?)",
                   "ssssii", id, o.id, parent, name, depth + 1, c->now_ms) ||
        bw_org__attach_defaults(c, &o, id, err) ||
        bw_org__tags_put(c, &o, id, json_object_get(c->in, "Tags"), err))
        return err->code;
    json_object_set_new(bw_org__out(c), "OrganizationalUnit", ou_json(c, &o, id, name));
    return BW_OK;
}

static enum bw_code ou_load(struct bw_call *c, const struct bw_org *o, const char *id,
                            const char **name, const char **parent, struct bw_err *err)
{
    bool row;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT name, parent_id FROM org_ous WHERE id = ?"
                                  " AND org_id = ?",
                                  err, "ss", id, o->id);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_ORG_OU_NOT_FOUND,
                       "We can't find an OU with the OrganizationalUnitId that you specified.");
    *name = bw_db_col_str(c->arena, st, 0);
    if (parent)
        *parent = bw_db_col_str(c->arena, st, 1);
    return BW_OK;
}

BW_ORG_HANDLER(describe_ou)
{
    struct bw_org o;
    const char *id, *name = NULL;
    if (bw_org__load(c, BW_ORG_READER, &o, err) ||
        bw_org__id(c, "OrganizationalUnitId", BW_ORG_ID_OU, &id, NULL, err) ||
        ou_load(c, &o, id, &name, NULL, err))
        return err->code;
    json_object_set_new(bw_org__out(c), "OrganizationalUnit", ou_json(c, &o, id, name));
    return BW_OK;
}

BW_ORG_HANDLER(update_ou)
{
    struct bw_org o;
    const char *id, *name = NULL, *parent = NULL, *nname;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) ||
        bw_org__id(c, "OrganizationalUnitId", BW_ORG_ID_OU, &id, NULL, err) ||
        bw_org__str(c, "Name", false, 1, 128, &nname, err) ||
        ou_load(c, &o, id, &name, &parent, err))
        return err->code;
    if (nname) {
        if (name_free(c, parent, nname, id, err) ||
            bw_db_exec(c->db, err, NULL, "UPDATE org_ous SET name = ? WHERE id = ?", "ss", nname,
                       id))
            return err->code;
        name = nname;
    }
    json_object_set_new(bw_org__out(c), "OrganizationalUnit", ou_json(c, &o, id, name));
    return BW_OK;
}

BW_ORG_HANDLER(delete_ou)
{
    struct bw_org o;
    const char *id, *name = NULL;
    bool row;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) ||
        bw_org__id(c, "OrganizationalUnitId", BW_ORG_ID_OU, &id, NULL, err) ||
        ou_load(c, &o, id, &name, NULL, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT 1 FROM org_ous WHERE parent_id = ?1 UNION ALL"
                                  " SELECT 1 FROM org_accounts WHERE parent_id = ?1 LIMIT 1",
                                  err, "s", id);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (row)
        return bw_fail(err, BW_E_ORG_OU_NOT_EMPTY,
                       "You can't delete an OU that contains accounts or other OUs.");
    if (bw_db_exec(c->db, err, NULL, "DELETE FROM org_attachments WHERE target_id = ?", "s", id) ||
        bw_db_exec(c->db, err, NULL, "DELETE FROM org_tags WHERE target_id = ?", "s", id))
        return err->code;
    return bw_db_exec(c->db, err, NULL, "DELETE FROM org_ous WHERE id = ?", "s", id);
}

static enum bw_code parent_in(struct bw_call *c, struct bw_org *o, const char **parent,
                              struct bw_err *err)
{
    if (bw_org__load(c, BW_ORG_READER, o, err) ||
        bw_org__id(c, "ParentId", BW_ORG_ID_ROOT | BW_ORG_ID_OU, parent, NULL, err))
        return err->code;
    if (!bw_org__parent_exists(c, o, *parent))
        return bw_fail(err, BW_E_ORG_PARENT_NOT_FOUND,
                       "We can't find a root or OU with the ParentId that you specified.");
    return BW_OK;
}

BW_ORG_HANDLER(list_ous_for_parent)
{
    struct bw_org o;
    struct bw_org_page pg;
    const char *parent;
    if (parent_in(c, &o, &parent, err) || bw_org__page(c, parent, &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT id, name FROM org_ous WHERE parent_id = ?"
                                  " ORDER BY created_at, id LIMIT ? OFFSET ?",
                                  err, "sii", parent, pg.max + 1, pg.offset);
    json_t *out = bw_org__out(c), *a = json_array();
    json_object_set_new(out, "OrganizationalUnits", a);
    int n = 0;
    while (bw_org__page_next(c, st, &pg, &n, err))
        json_array_append_new(
            a, ou_json(c, &o, bw_db_col_str(c->arena, st, 0), bw_db_col_str(c->arena, st, 1)));
    if (err->code)
        return err->code;
    bw_org__page_end(c, &pg, n > pg.max, out);
    return BW_OK;
}

BW_ORG_HANDLER(list_children)
{
    struct bw_org o;
    struct bw_org_page pg;
    const char *parent, *type;
    if (parent_in(c, &o, &parent, err) || bw_org__str(c, "ChildType", true, 1, 0, &type, err))
        return err->code;
    bool ou = !strcmp(type, "ORGANIZATIONAL_UNIT");
    if (!ou && strcmp(type, "ACCOUNT"))
        return bw_org__invalid(err, "INVALID_ENUM", "You specified an invalid ChildType.");
    if (bw_org__page(c, bw_arena_printf(c->arena, "%s/%s", parent, type), &pg, err))
        return err->code;
    sqlite3_stmt *st =
        ou ? bw_db_prep(c->db,
                        "SELECT id FROM org_ous WHERE parent_id = ? ORDER BY created_at, id"
                        " LIMIT ? OFFSET ?",
                        err, "sii", parent, pg.max + 1, pg.offset)
           : bw_db_prep(c->db,
                        "SELECT account_id FROM org_accounts WHERE parent_id = ?"
                        " ORDER BY joined_at, account_id LIMIT ? OFFSET ?",
                        err, "sii", parent, pg.max + 1, pg.offset);
    json_t *out = bw_org__out(c), *a = json_array();
    json_object_set_new(out, "Children", a);
    int n = 0;
    while (bw_org__page_next(c, st, &pg, &n, err))
        json_array_append_new(
            a, json_pack("{s:s,s:s}", "Id", sqlite3_column_text(st, 0), "Type", type));
    if (err->code)
        return err->code;
    bw_org__page_end(c, &pg, n > pg.max, out);
    return BW_OK;
}

BW_ORG_HANDLER(list_parents)
{
    struct bw_org o;
    struct bw_org_page pg;
    const char *child, *parent = NULL, *name, *org = NULL;
    unsigned kind;
    if (bw_org__load(c, BW_ORG_READER, &o, err) ||
        bw_org__id(c, "ChildId", BW_ORG_ID_ACCOUNT | BW_ORG_ID_OU, &child, &kind, err) ||
        bw_org__page(c, child, &pg, err))
        return err->code;
    if (kind == BW_ORG_ID_ACCOUNT) {
        if (bw_org__account_org(c, child, &org, &parent, err))
            return err->code;
        if (!org || strcmp(org, o.id))
            parent = NULL;
    } else {
        enum bw_code rc = ou_load(c, &o, child, &name, &parent, err);
        if (rc && rc != BW_E_ORG_OU_NOT_FOUND)
            return rc;
    }
    if (!parent)
        return bw_fail(err, BW_E_ORG_CHILD_NOT_FOUND,
                       "We can't find an organizational unit (OU) or AWS account with the "
                       "ChildId that you specified.");
    json_t *a = json_array();
    json_object_set_new(bw_org__out(c), "Parents", a);
    if (pg.offset == 0)
        json_array_append_new(a,
                              json_pack("{s:s,s:s}", "Id", parent, "Type",
                                        strncmp(parent, "r-", 2) ? "ORGANIZATIONAL_UNIT" : "ROOT"));
    return BW_OK;
}
