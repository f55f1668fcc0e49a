/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The organization itself: CreateOrganization (the caller's account becomes the
 * management account and payer; an ALL-features organization starts with
 * SERVICE_CONTROL_POLICY enabled on its root and FullAWSAccess attached to the
 * root and the management account), DescribeOrganization (any member),
 * DeleteOrganization (only when no member remains), ListRoots, Enable/
 * DisablePolicyType (disabling detaches every policy of the type; enabling
 * attaches only the AWS-managed default, everywhere) and EnableAllFeatures (the
 * ENABLE_ALL_FEATURES handshake, with one APPROVE_ALL_FEATURES handshake to every
 * invited member; accounts that were created approve implicitly).
 */
#include "svc/organizations/internal.h"

#include <string.h>

static enum bw_code set_out_org(struct bw_call *c, const struct bw_org *o, struct bw_err *err)
{
    json_t *j = bw_org__org_json(c, o, err);
    if (!j)
        return err->code;
    json_object_set_new(bw_org__out(c), "Organization", j);
    return BW_OK;
}

static enum bw_code enable_type(struct bw_call *c, const struct bw_org *o, const char *type,
                                struct bw_err *err);

static enum bw_code insert_org(struct bw_call *c, struct bw_org *o, struct bw_err *err)
{
    if (bw_db_exec(c->db, err, NULL,
                   "INSERT INTO org_organizations (id, management_account, feature_set, root_id,"
                   " created_at) VALUES (?,?,?,?,?)",
                   "ssssi", o->id, o->management, o->feature_set, o->root_id, c->now_ms))
        return err->code;
    if (bw_db_exec(c->db, err, NULL,
                   "INSERT INTO org_accounts (account_id, org_id, parent_id, joined_method,"
                   " joined_at) VALUES (?,?,?,'INVITED',?)",
                   "sssi", o->management, o->id, o->root_id, c->now_ms))
        return err->code;
    if (!strcmp(o->feature_set, "ALL"))
        return enable_type(c, o, BW_ORG_SCP, err);
    return BW_OK;
}

BW_ORG_HANDLER(create_organization)
{
    const char *fs, *in_org;
    if (bw_org__str(c, "FeatureSet", false, 0, 0, &fs, err))
        return err->code;
    if (!fs)
        fs = "ALL";
    if (strcmp(fs, "ALL") && strcmp(fs, "CONSOLIDATED_BILLING"))
        return bw_org__invalid(err, "INVALID_ENUM", "You specified an invalid FeatureSet: %s.", fs);
    if (bw_org__account_org(c, c->principal->account_id, &in_org, NULL, err))
        return err->code;
    if (in_org)
        return bw_fail(err, BW_E_ORG_ALREADY_IN_ORGANIZATION,
                       "The provided account is already a member of an organization.");
    struct bw_org o = {.id = bw_org__new_id(c, "o-", 10),
                       .management = c->principal->account_id,
                       .feature_set = fs,
                       .root_id = bw_org__new_id(c, "r-", 4)};
    if (insert_org(c, &o, err))
        return err->code;
    bool found;
    if (bw_org__load_id(c, o.id, &o, &found, err))
        return err->code;
    return set_out_org(c, &o, err);
}

BW_ORG_HANDLER(describe_organization)
{
    struct bw_org o;
    if (bw_org__load(c, BW_ORG_ANY_MEMBER, &o, err))
        return err->code;
    return set_out_org(c, &o, err);
}

static enum bw_code count_members(struct bw_call *c, const struct bw_org *o, int64_t *n,
                                  struct bw_err *err)
{
    bool row;
    sqlite3_stmt *st =
        bw_db_prep(c->db, "SELECT count(*) FROM org_accounts WHERE org_id = ?", err, "s", o->id);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    *n = sqlite3_column_int64(st, 0);
    return BW_OK;
}

BW_ORG_HANDLER(delete_organization)
{
    struct bw_org o;
    int64_t n = 0;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) || count_members(c, &o, &n, err))
        return err->code;
    if (n > 1)
        return bw_fail(err, BW_E_ORG_NOT_EMPTY,
                       "To delete an organization you must first remove all member accounts "
                       "(except the master).");
    static const char *const cleanup[] = {
        "DELETE FROM org_attachments WHERE org_id = ?",
        "DELETE FROM org_tags WHERE org_id = ?",
        "DELETE FROM org_handshakes WHERE org_id = ?",
        "DELETE FROM org_create_status WHERE org_id = ?",
        "DELETE FROM org_accounts WHERE org_id = ?",
        ("DELETE FROM org_policy_types WHERE root_id = (SELECT root_id FROM org_organizations"
         " WHERE id = ?)"),
        "DELETE FROM org_organizations WHERE id = ?",
    };
    for (size_t i = 0; i < sizeof cleanup / sizeof cleanup[0]; i++)
        if (bw_db_exec(c->db, err, NULL, cleanup[i], "s", o.id))
            return err->code;
    return BW_OK;
}

static json_t *root_json(struct bw_call *c, const struct bw_org *o, struct bw_err *err)
{
    json_t *types = bw_org__root_types(c, o->root_id, err);
    if (!types)
        return NULL;
    return json_pack("{s:s,s:s,s:s,s:o}", "Id", o->root_id, "Arn", bw_org__arn_root(c, o), "Name",
                     "Root", "PolicyTypes", types);
}

BW_ORG_HANDLER(list_roots)
{
    struct bw_org o;
    struct bw_org_page pg;
    if (bw_org__load(c, BW_ORG_READER, &o, err) || bw_org__page(c, o.id, &pg, err))
        return err->code;
    json_t *roots = json_array();
    json_object_set_new(bw_org__out(c), "Roots", roots);
    if (pg.offset == 0) {
        json_t *r = root_json(c, &o, err);
        if (!r)
            return err->code;
        json_array_append_new(roots, r);
    }
    return BW_OK;
}

static bool known_type(const char *t)
{
    static const char *const types[] = {BW_ORG_SCP, BW_ORG_RCP, "TAG_POLICY", "BACKUP_POLICY",
                                        "AISERVICES_OPT_OUT_POLICY"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(t, types[i]))
            return true;
    return false;
}

enum bw_code bw_org__policy_type(struct bw_call *c, const char *name, const char **out,
                                 struct bw_err *err)
{
    if (bw_org__str(c, name, true, 1, 0, out, err))
        return err->code;
    if (!known_type(*out))
        return bw_org__invalid(err, "INVALID_ENUM_POLICY_TYPE",
                               "You specified an invalid value for %s.", name);
    return BW_OK;
}

static enum bw_code attach_everywhere(struct bw_call *c, const struct bw_org *o, const char *policy,
                                      const char *type, struct bw_err *err)
{
    if (bw_org__attach_raw(c, o, policy, o->root_id, type, err))
        return err->code;
    return bw_db_exec(c->db, err, NULL,
                      "INSERT OR IGNORE INTO org_attachments (policy_id, target_id, org_id, type)"
                      " SELECT ?1, id, org_id, ?2 FROM org_ous WHERE org_id = ?3"
                      " UNION ALL SELECT ?1, account_id, org_id, ?2 FROM org_accounts"
                      " WHERE org_id = ?3",
                      "sss", policy, type, o->id);
}

static enum bw_code enable_type(struct bw_call *c, const struct bw_org *o, const char *type,
                                struct bw_err *err)
{
    if (bw_db_exec(c->db, err, NULL, "INSERT INTO org_policy_types (root_id, type) VALUES (?,?)",
                   "ss", o->root_id, type))
        return err->code;
    if (!strcmp(type, BW_ORG_SCP))
        return attach_everywhere(c, o, "p-FullAWSAccess", type, err);
    if (!strcmp(type, BW_ORG_RCP))
        return attach_everywhere(c, o, "p-RCPFullAWSAccess", type, err);
    return BW_OK;
}

static enum bw_code type_input(struct bw_call *c, struct bw_org *o, const char **type,
                               struct bw_err *err)
{
    const char *root;
    if (bw_org__load(c, BW_ORG_MANAGER, o, err) ||
        bw_org__id(c, "RootId", BW_ORG_ID_ROOT, &root, NULL, err) ||
        bw_org__policy_type(c, "PolicyType", type, err))
        return err->code;
    if (strcmp(root, o->root_id))
        return bw_fail(err, BW_E_ORG_ROOT_NOT_FOUND,
                       "We can't find a root with the RootId "
                       "that you specified.");
    if (strcmp(o->feature_set, "ALL"))
        return bw_fail(err, BW_E_ORG_POLICY_TYPE_NOT_AVAILABLE,
                       "You can't use a policy type that isn't available in the "
                       "organization's feature set (CONSOLIDATED_BILLING).");
    return BW_OK;
}

static enum bw_code out_root(struct bw_call *c, const struct bw_org *o, struct bw_err *err)
{
    json_t *r = root_json(c, o, err);
    if (!r)
        return err->code;
    json_object_set_new(bw_org__out(c), "Root", r);
    return BW_OK;
}

BW_ORG_HANDLER(enable_policy_type)
{
    struct bw_org o;
    const char *type;
    if (type_input(c, &o, &type, err))
        return err->code;
    if (bw_org__type_enabled(c, o.root_id, type))
        return bw_fail(err, BW_E_ORG_POLICY_TYPE_ALREADY_ENABLED,
                       "The specified policy type is already enabled.");
    if (enable_type(c, &o, type, err))
        return err->code;
    return out_root(c, &o, err);
}

BW_ORG_HANDLER(disable_policy_type)
{
    struct bw_org o;
    const char *type;
    if (type_input(c, &o, &type, err))
        return err->code;
    if (!bw_org__type_enabled(c, o.root_id, type))
        return bw_fail(err, BW_E_ORG_POLICY_TYPE_NOT_ENABLED,
                       "This operation can be performed only for enabled policy types.");
    if (bw_db_exec(c->db, err, NULL, "DELETE FROM org_policy_types WHERE root_id = ? AND type = ?",
                   "ss", o.root_id, type) ||
        bw_db_exec(c->db, err, NULL, "DELETE FROM org_attachments WHERE org_id = ? AND type = ?",
                   "ss", o.id, type))
        return err->code;
    return out_root(c, &o, err);
}

enum bw_code bw_org__finalize_all_features(struct bw_call *c, const struct bw_org *o,
                                           struct bw_err *err)
{
    if (bw_db_exec(c->db, err, NULL,
                   "UPDATE org_organizations SET feature_set = 'ALL', all_features_pending = NULL"
                   " WHERE id = ?",
                   "s", o->id))
        return err->code;
    return enable_type(c, o, BW_ORG_SCP, err);
}

BW_ORG_HANDLER(enable_all_features)
{
    struct bw_org o;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err))
        return err->code;
    if (!strcmp(o.feature_set, "ALL")) {
        bw_fail(err, BW_E_ORG_HANDSHAKE_CONSTRAINT_VIOLATION,
                "The organization already has all features enabled.");
        err->reason = "ORGANIZATION_ALREADY_HAS_ALL_FEATURES";
        return err->code;
    }
    if (o.pending) {
        bw_fail(err, BW_E_ORG_HANDSHAKE_CONSTRAINT_VIOLATION,
                "The organization is already pending the migration to all features.");
        err->reason = "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION";
        return err->code;
    }
    const char *hid;
    if (bw_org__start_all_features(c, &o, &hid, err))
        return err->code;
    json_t *h;
    if (bw_org__handshake_json(c, hid, &h, err))
        return err->code;
    json_object_set_new(bw_org__out(c), "Handshake", h);
    return BW_OK;
}
