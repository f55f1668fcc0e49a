/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tagging of roots, OUs, accounts and policies; trusted access for AWS services
 * (Enable/DisableAWSServiceAccess, ListAWSServiceAccessForOrganization); delegated
 * administrators (a member registered for a service principal gets read-only
 * List/Describe access to the organization); and the organization's resource
 * policy (Put/Describe/DeleteResourcePolicy), validated as a resource-based
 * policy by the policy engine.
 */
#include "svc/organizations/internal.h"

#include <string.h>

#include "policy/policy.h"

static const unsigned taggable =
    BW_ORG_ID_ROOT | BW_ORG_ID_OU | BW_ORG_ID_ACCOUNT | BW_ORG_ID_POLICY | BW_ORG_ID_RP;

/* A taggable resource of the organization; TargetNotFoundException when absent. */
static enum bw_code tag_target(struct bw_call *c, enum bw_org_access acc, struct bw_org *o,
                               const char **id, struct bw_err *err)
{
    unsigned kind;
    bool row = false;
    if (bw_org__load(c, acc, o, err) || bw_org__id(c, "ResourceId", taggable, id, &kind, err))
        return err->code;
    sqlite3_stmt *st = NULL;
    if (kind == BW_ORG_ID_ROOT)
        row = !strcmp(*id, o->root_id);
    else if (kind == BW_ORG_ID_OU)
        st = bw_db_prep(c->db, "SELECT 1 FROM org_ous WHERE id = ? AND org_id = ?", err, "ss", *id,
                        o->id);
    else if (kind == BW_ORG_ID_ACCOUNT)
        st = bw_db_prep(c->db, "SELECT 1 FROM org_accounts WHERE account_id = ? AND org_id = ?",
                        err, "ss", *id, o->id);
    else if (kind == BW_ORG_ID_POLICY)
        st = bw_db_prep(c->db, "SELECT 1 FROM org_policies WHERE id = ? AND org_id = ?", err, "ss",
                        *id, o->id);
    else
        st = bw_db_prep(c->db, "SELECT 1 FROM org_resource_policies WHERE id = ? AND org_id = ?",
                        err, "ss", *id, o->id);
    if (kind != BW_ORG_ID_ROOT && (!st || bw_db_step(c->db, st, &row, err)))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_ORG_TARGET_NOT_FOUND,
                       "We can't find a root, OU, account, or policy with the TargetId that "
                       "you specified.");
    if (kind == BW_ORG_ID_ACCOUNT)
        c->target_account = *id;
    return BW_OK;
}

BW_ORG_HANDLER(tag_resource)
{
    struct bw_org o;
    const char *id;
    json_t *tags = json_object_get(c->in, "Tags");
    if (tag_target(c, BW_ORG_MANAGER, &o, &id, err))
        return err->code;
    if (!tags || json_is_null(tags))
        return bw_org__invalid(err, "INPUT_REQUIRED", "You must specify a value for Tags.");
    return bw_org__tags_put(c, &o, id, tags, err);
}

BW_ORG_HANDLER(untag_resource)
{
    struct bw_org o;
    const char *id;
    json_t *keys = json_object_get(c->in, "TagKeys"), *k;
    size_t i;
    if (tag_target(c, BW_ORG_MANAGER, &o, &id, err))
        return err->code;
    if (!json_is_array(keys))
        return bw_org__invalid(err, "INPUT_REQUIRED", "You must specify a value for TagKeys.");
    json_array_foreach(keys, i, k)
    {
        if (!json_is_string(k) || json_string_length(k) < 1 || json_string_length(k) > 128)
            return bw_org__invalid(err, "INVALID_LIST_MEMBER", "A tag key is not valid.");
        if (bw_db_exec(c->db, err, NULL, "DELETE FROM org_tags WHERE target_id = ? AND key = ?",
                       "ss", id, json_string_value(k)))
            return err->code;
    }
    return BW_OK;
}

BW_ORG_HANDLER(list_tags_for_resource)
{
    struct bw_org o;
    struct bw_org_page pg;
    const char *id;
    if (tag_target(c, BW_ORG_READER, &o, &id, err) || bw_org__page(c, id, &pg, err))
        return err->code;
    pg.max = 20;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT key, value FROM org_tags WHERE target_id = ?"
                                  " ORDER BY key LIMIT ? OFFSET ?",
                                  err, "sii", id, pg.max + 1, pg.offset);
    json_t *out = bw_org__out(c), *a = json_array();
    json_object_set_new(out, "Tags", a);
    int n = 0;
    while (bw_org__page_next(c, st, &pg, &n, err))
        json_array_append_new(a, json_pack("{s:s,s:s}", "Key", sqlite3_column_text(st, 0), "Value",
                                           sqlite3_column_text(st, 1)));
    if (err->code)
        return err->code;
    bw_org__page_end(c, &pg, n > pg.max, out);
    return BW_OK;
}

static enum bw_code principal_in(struct bw_call *c, const char **sp, struct bw_err *err)
{
    if (bw_org__str(c, "ServicePrincipal", true, 1, 128, sp, err))
        return err->code;
    size_t n = strlen(*sp), sfx = strlen(".amazonaws.com");
    if (strspn(*sp, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-") != n ||
        n <= sfx || strcmp(*sp + n - sfx, ".amazonaws.com"))
        return bw_org__invalid(err, "UNRECOGNIZED_SERVICE_PRINCIPAL",
                               "You specified an unrecognized service principal.");
    return BW_OK;
}

BW_ORG_HANDLER(enable_service_access)
{
    struct bw_org o;
    const char *sp;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) || principal_in(c, &sp, err))
        return err->code;
    if (strcmp(o.feature_set, "ALL"))
        return bw_org__constraint(err, "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
                                  "Trusted access requires all features.");
    return bw_db_exec(c->db, err, NULL,
                      "INSERT OR IGNORE INTO org_service_access (org_id, principal, enabled_at)"
                      " VALUES (?,?,?)",
                      "ssi", o.id, sp, c->now_ms);
}

BW_ORG_HANDLER(disable_service_access)
{
    struct bw_org o;
    const char *sp;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) || principal_in(c, &sp, err))
        return err->code;
    return bw_db_exec(c->db, err, NULL,
                      "DELETE FROM org_service_access WHERE org_id = ? AND principal = ?", "ss",
                      o.id, sp);
}

BW_ORG_HANDLER(list_service_access)
{
    struct bw_org o;
    struct bw_org_page pg;
    if (bw_org__load(c, BW_ORG_READER, &o, err) || bw_org__page(c, o.id, &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT principal, enabled_at FROM org_service_access WHERE"
                                  " org_id = ? ORDER BY principal LIMIT ? OFFSET ?",
                                  err, "sii", o.id, pg.max + 1, pg.offset);
    json_t *out = bw_org__out(c), *a = json_array();
    json_object_set_new(out, "EnabledServicePrincipals", a);
    int n = 0;
    while (bw_org__page_next(c, st, &pg, &n, err))
        json_array_append_new(a,
                              json_pack("{s:s,s:o}", "ServicePrincipal", sqlite3_column_text(st, 0),
                                        "DateEnabled", bw_org__time(sqlite3_column_int64(st, 1))));
    if (err->code)
        return err->code;
    bw_org__page_end(c, &pg, n > pg.max, out);
    return BW_OK;
}

static enum bw_code delegation_in(struct bw_call *c, struct bw_org *o, const char **acct,
                                  const char **sp, bool *registered, struct bw_err *err)
{
    const char *org;
    bool row;
    if (bw_org__load(c, BW_ORG_MANAGER, o, err) ||
        bw_org__id(c, "AccountId", BW_ORG_ID_ACCOUNT, acct, NULL, err) ||
        principal_in(c, sp, err) || bw_org__account_org(c, *acct, &org, NULL, err))
        return err->code;
    if (!org || strcmp(org, o->id))
        return bw_fail(err, BW_E_ORG_ACCOUNT_NOT_FOUND,
                       "You specified an account that doesn't exist.");
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT 1 FROM org_delegated_admins WHERE org_id = ? AND"
                                  " account_id = ? AND principal = ?",
                                  err, "sss", o->id, *acct, *sp);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    *registered = row;
    c->target_account = *acct;
    return BW_OK;
}

BW_ORG_HANDLER(register_delegated_admin)
{
    struct bw_org o;
    const char *acct, *sp;
    bool reg = false, row;
    if (delegation_in(c, &o, &acct, &sp, &reg, err))
        return err->code;
    if (!strcmp(acct, o.management))
        return bw_org__constraint(err, "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
                                  "You can't register the management account as a delegated "
                                  "administrator.");
    if (reg)
        return bw_fail(err, BW_E_ORG_ACCOUNT_ALREADY_REGISTERED,
                       "The provided account is already a delegated administrator for your "
                       "organization.");
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT 1 FROM org_service_access WHERE org_id = ? AND"
                                  " principal = ?",
                                  err, "ss", o.id, sp);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return bw_org__constraint(err, "SERVICE_ACCESS_NOT_ENABLED",
                                  "You must enable trusted access for the service first.");
    return bw_db_exec(c->db, err, NULL,
                      "INSERT INTO org_delegated_admins (org_id, account_id, principal,"
                      " delegated_at) VALUES (?,?,?,?)",
                      "sssi", o.id, acct, sp, c->now_ms);
}

BW_ORG_HANDLER(deregister_delegated_admin)
{
    struct bw_org o;
    const char *acct, *sp;
    bool reg = false;
    if (delegation_in(c, &o, &acct, &sp, &reg, err))
        return err->code;
    if (!reg)
        return bw_fail(err, BW_E_ORG_ACCOUNT_NOT_REGISTERED,
                       "The provided account is not a registered delegated administrator for "
                       "your organization.");
    return bw_db_exec(c->db, err, NULL,
                      "DELETE FROM org_delegated_admins WHERE org_id = ? AND account_id = ? AND"
                      " principal = ?",
                      "sss", o.id, acct, sp);
}

BW_ORG_HANDLER(list_delegated_admins)
{
    struct bw_org o;
    struct bw_org_page pg;
    const char *sp = NULL;
    if (bw_org__load(c, BW_ORG_READER, &o, err) ||
        (json_object_get(c->in, "ServicePrincipal") && principal_in(c, &sp, err)) ||
        bw_org__page(c, bw_arena_printf(c->arena, "%s/%s", o.id, sp ? sp : ""), &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT account_id, min(delegated_at) FROM org_delegated_admins"
                                  " WHERE org_id = ? AND (?2 IS NULL OR principal = ?2)"
                                  " GROUP BY account_id ORDER BY account_id LIMIT ? OFFSET ?",
                                  err, "ssii", o.id, sp, pg.max + 1, pg.offset);
    const char *ids[21];
    int64_t at[21];
    int n = 0;
    bool row;
    while (st) {
        if (bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            break;
        at[n] = sqlite3_column_int64(st, 1);
        ids[n++] = bw_db_col_str(c->arena, st, 0);
    }
    if (!st)
        return err->code;
    json_t *out = bw_org__out(c), *a = json_array();
    json_object_set_new(out, "DelegatedAdministrators", a);
    for (int i = 0; i < n && i < pg.max; i++) {
        json_t *j;
        if (bw_org__account_json(c, &o, ids[i], &j, err))
            return err->code;
        json_object_del(j, "State");
        json_object_set_new(j, "DelegationEnabledDate", bw_org__time(at[i]));
        json_array_append_new(a, j);
    }
    bw_org__page_end(c, &pg, n > pg.max, out);
    return BW_OK;
}

BW_ORG_HANDLER(list_delegated_services)
{
    struct bw_org o;
    struct bw_org_page pg;
    const char *acct;
    bool row;
    if (bw_org__load(c, BW_ORG_READER, &o, err) ||
        bw_org__id(c, "AccountId", BW_ORG_ID_ACCOUNT, &acct, NULL, err) ||
        bw_org__page(c, acct, &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT principal, delegated_at FROM org_delegated_admins"
                                  " WHERE org_id = ? AND account_id = ? ORDER BY principal"
                                  " LIMIT ? OFFSET ?",
                                  err, "ssii", o.id, acct, pg.max + 1, pg.offset);
    json_t *out = bw_org__out(c), *a = json_array();
    json_object_set_new(out, "DelegatedServices", a);
    int n = 0;
    while (st) {
        if (bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            break;
        if (n++ < pg.max)
            json_array_append_new(a, json_pack("{s:s,s:o}", "ServicePrincipal",
                                               sqlite3_column_text(st, 0), "DelegationEnabledDate",
                                               bw_org__time(sqlite3_column_int64(st, 1))));
    }
    if (!st)
        return err->code;
    if (n == 0 && pg.offset == 0)
        return bw_fail(err, BW_E_ORG_ACCOUNT_NOT_REGISTERED,
                       "The provided account is not a registered delegated administrator for "
                       "your organization.");
    bw_org__page_end(c, &pg, n > pg.max, out);
    return BW_OK;
}

static void out_rp(struct bw_call *c, const struct bw_org *o, const char *id, const char *doc)
{
    json_t *sum =
        json_pack("{s:s,s:s}", "Id", id, "Arn",
                  bw_arena_printf(c->arena, "arn:aws:organizations::%s:resourcepolicy/%s/%s",
                                  o->management, o->id, id));
    json_object_set_new(bw_org__out(c), "ResourcePolicy",
                        json_pack("{s:o,s:s}", "ResourcePolicySummary", sum, "Content", doc));
}

BW_ORG_HANDLER(put_resource_policy)
{
    struct bw_org o;
    const char *doc, *id;
    bool row;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) ||
        bw_org__str(c, "Content", true, 1, 40000, &doc, err))
        return err->code;
    struct bw_policy *p;
    if (bw_policy_compile(doc, strlen(doc), BW_POLICY_RESOURCE, NULL, 0, &p, NULL, err))
        return bw_org__invalid(err, "INVALID_RESOURCE_POLICY_JSON",
                               "The provided resource policy isn't valid.");
    bw_policy_free(p);
    if (bw_org__delegation_check(doc, err))
        return err->code;
    sqlite3_stmt *st =
        bw_db_prep(c->db, "SELECT id FROM org_resource_policies WHERE org_id = ?", err, "s", o.id);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    id = row ? bw_db_col_str(c->arena, st, 0) : bw_org__new_id(c, "rp-", 8);
    if (bw_db_exec(c->db, err, NULL,
                   "INSERT INTO org_resource_policies (org_id, id, content) VALUES (?,?,?)"
                   " ON CONFLICT (org_id) DO UPDATE SET content = excluded.content",
                   "sss", o.id, id, doc) ||
        bw_org__tags_put(c, &o, id, json_object_get(c->in, "Tags"), err))
        return err->code;
    out_rp(c, &o, id, doc);
    return BW_OK;
}

BW_ORG_HANDLER(describe_resource_policy)
{
    struct bw_org o;
    bool row;
    if (bw_org__load(c, BW_ORG_READER, &o, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(
        c->db, "SELECT id, content FROM org_resource_policies WHERE org_id = ?", err, "s", o.id);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_ORG_RESOURCE_POLICY_NOT_FOUND,
                       "We can't find a resource policy request with the parameter that you "
                       "specified.");
    out_rp(c, &o, bw_db_col_str(c->arena, st, 0), bw_db_col_str(c->arena, st, 1));
    return BW_OK;
}

BW_ORG_HANDLER(delete_resource_policy)
{
    struct bw_org o;
    int changes = 0;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) ||
        bw_db_exec(c->db, err, &changes, "DELETE FROM org_resource_policies WHERE org_id = ?", "s",
                   o.id))
        return err->code;
    if (!changes)
        return bw_fail(err, BW_E_ORG_RESOURCE_POLICY_NOT_FOUND,
                       "We can't find a resource policy request with the parameter that you "
                       "specified.");
    return BW_OK;
}
