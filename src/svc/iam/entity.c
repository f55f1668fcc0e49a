/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Users, groups and roles as one "entity" abstraction: lookup by name (names
 * compare case-insensitively, as IAM's do), ARNs with paths, and the User,
 * Group and Role output shapes of the 2010-05-08 API.
 */
#include "svc/iam/internal.h"

#include "common/util.h"

static const char *const kind_names[] = {"user", "group", "role"};
static const char *const kind_titles[] = {"User", "Group", "Role"};

static const char *const get_sql[] = {
    "SELECT name, path, id, created_at, boundary_arn, NULL, NULL, 0 FROM iam_users"
    " WHERE account_id = ? AND name = ?",
    "SELECT name, path, id, created_at, NULL, NULL, NULL, 0 FROM iam_groups"
    " WHERE account_id = ? AND name = ?",
    "SELECT name, path, id, created_at, boundary_arn, trust_policy, description,"
    " max_session_duration FROM iam_roles WHERE account_id = ? AND name = ?",
};

const char *bw_iam__kind_name(enum bw_iam_kind k)
{
    return kind_names[k];
}

const char *bw_iam__kind_title(enum bw_iam_kind k)
{
    return kind_titles[k];
}

const char *bw_iam__arn(struct bw_call *c, const char *kind, const char *path, const char *name)
{
    return bw_arena_printf(c->arena, "arn:aws:iam::%s:%s%s%s", c->principal->account_id, kind,
                           path ? path : "/", name);
}

void bw_iam__ent_from_row(struct bw_call *c, enum bw_iam_kind k, sqlite3_stmt *st,
                          struct bw_iam__ent *out)
{
    memset(out, 0, sizeof *out);
    out->kind = k;
    out->name = bw_db_col_str(c->arena, st, 0);
    out->path = bw_db_col_str(c->arena, st, 1);
    out->id = bw_db_col_str(c->arena, st, 2);
    out->created = sqlite3_column_int64(st, 3);
    out->boundary = bw_db_col_str(c->arena, st, 4);
    out->arn = bw_iam__arn(c, kind_names[k], out->path, out->name);
    if (k == BW_IAM_ROLE) {
        out->trust = bw_db_col_str(c->arena, st, 5);
        out->description = bw_db_col_str(c->arena, st, 6);
        out->max_session = sqlite3_column_int(st, 7);
    }
}

enum bw_code bw_iam__ent_get(struct bw_call *c, enum bw_iam_kind k, const char *name,
                             struct bw_iam__ent *out, struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, get_sql[k], err, "ss", c->principal->account_id, name);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY, "The %s with name %s cannot be found.",
                       kind_names[k], name);
    bw_iam__ent_from_row(c, k, st, out);
    return BW_OK;
}

enum bw_code bw_iam__ent_param(struct bw_call *c, enum bw_iam_kind k, struct bw_iam__ent *out,
                               struct bw_err *err)
{
    char param[16], field[16];
    snprintf(param, sizeof param, "%sName", kind_titles[k]);
    snprintf(field, sizeof field, "%sName", kind_names[k]);
    const char *name = NULL;
    if (bw_iam__required(c, param, &name, err) ||
        bw_iam__check_name(field, name, k == BW_IAM_ROLE ? 64 : 128, err))
        return err->code;
    return bw_iam__ent_get(c, k, name, out, err);
}

void bw_iam__boundary_write(struct bw_call *c, const char *arn)
{
    if (!arn)
        return;
    bw_xml_open(&c->xml, "PermissionsBoundary");
    bw_xml_elem(&c->xml, "PermissionsBoundaryType", "PermissionsBoundaryPolicy");
    bw_xml_elem(&c->xml, "PermissionsBoundaryArn", arn);
    bw_xml_close(&c->xml, "PermissionsBoundary");
}

static void role_fields(struct bw_call *c, const struct bw_iam__ent *e)
{
    bw_xml_elem(&c->xml, "AssumeRolePolicyDocument", bw_iam__urlenc(c->arena, e->trust));
    bw_xml_elem(&c->xml, "Description", e->description);
    bw_xml_elem_int(&c->xml, "MaxSessionDuration", e->max_session);
}

enum bw_code bw_iam__ent_write(struct bw_call *c, const struct bw_iam__ent *e, const char *tag,
                               bool with_extra, struct bw_err *err)
{
    char name_tag[16], id_tag[16];
    snprintf(name_tag, sizeof name_tag, "%sName", kind_titles[e->kind]);
    snprintf(id_tag, sizeof id_tag, "%sId", kind_titles[e->kind]);
    bw_xml_open(&c->xml, tag);
    bw_xml_elem(&c->xml, "Path", e->path);
    bw_xml_elem(&c->xml, name_tag, e->name);
    bw_xml_elem(&c->xml, id_tag, e->id);
    bw_xml_elem(&c->xml, "Arn", e->arn);
    bw_xml_elem_time(&c->xml, "CreateDate", e->created);
    if (e->kind == BW_IAM_ROLE)
        role_fields(c, e);
    if (with_extra && e->kind != BW_IAM_GROUP) {
        bw_iam__boundary_write(c, e->boundary);
        if (bw_iam__tags_write(c, kind_names[e->kind], e->name, err))
            return err->code;
        if (e->kind == BW_IAM_ROLE)
            bw_xml_elem(&c->xml, "RoleLastUsed", "");
    }
    bw_xml_close(&c->xml, tag);
    return BW_OK;
}

void bw_iam__trail_entity(struct bw_call *c, const struct bw_iam__ent *e)
{
    static const char *const keys[] = {"user", "group", "role"};
    static const char *const names[] = {"userName", "groupName", "roleName"};
    static const char *const ids[] = {"userId", "groupId", "roleId"};
    char when[32];
    bw_time_iso8601(e->created / 1000, when, sizeof when);
    c->trail_response =
        json_pack("{s:{s:s,s:s,s:s,s:s,s:s}}", keys[e->kind], "path", e->path, names[e->kind],
                  e->name, ids[e->kind], e->id, "arn", e->arn, "createDate", when);
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, c->trail_response);
    c->trail_resources =
        json_pack("[{s:s,s:s,s:s}]", "ARN", e->arn, "accountId", c->principal->account_id, "type",
                  e->kind == BW_IAM_USER    ? "AWS::IAM::User"
                  : e->kind == BW_IAM_GROUP ? "AWS::IAM::Group"
                                            : "AWS::IAM::Role");
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, c->trail_resources);
}
