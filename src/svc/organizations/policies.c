/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policies (User Guide, "Managing organization policies"): Create/Update/Delete/
 * DescribePolicy, ListPolicies, ListPoliciesForTarget, ListTargetsForPolicy,
 * Attach/DetachPolicy. SCP and RCP content is validated by the policy engine with
 * its kind's grammar and the 5,120-character quota (POLICY_CONTENT_LIMIT_EXCEEDED);
 * management policy types (tag, backup, AI opt-out) must be JSON objects under their
 * type's top-level key using only the documented inheritance operators. Content is
 * stored and returned byte for byte. The AWS-managed FullAWSAccess and
 * RCPFullAWSAccess are immutable; a target keeps at least one and at most five
 * policies of an authorization type.
 */
#include "svc/organizations/internal.h"

#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

struct pol {
    const char *id, *org, *type, *name, *desc, *content;
};

static enum bw_code pol_load(struct bw_call *c, const struct bw_org *o, const char *id,
                             struct pol *p, struct bw_err *err)
{
    bool row;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT id, org_id, type, name, description, content FROM"
                                  " org_policies WHERE id = ? AND (org_id IS NULL OR org_id = ?)",
                                  err, "ss", id, o->id);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_ORG_POLICY_NOT_FOUND,
                       "We can't find a policy with the PolicyId that you specified.");
    const char **f[] = {&p->id, &p->org, &p->type, &p->name, &p->desc, &p->content};
    for (int i = 0; i < 6; i++)
        *f[i] = bw_db_col_str(c->arena, st, i);
    return BW_OK;
}

static json_t *summary(struct bw_call *c, const struct bw_org *o, const struct pol *p)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "Id", p->id, "Arn",
                     bw_org__arn_policy(c, o, p->type, p->id), "Name", p->name, "Description",
                     p->desc, "Type", p->type, "AwsManaged", p->org == NULL);
}

static void out_policy(struct bw_call *c, const struct bw_org *o, const struct pol *p)
{
    json_object_set_new(
        bw_org__out(c), "Policy",
        json_pack("{s:o,s:s}", "PolicySummary", summary(c, o, p), "Content", p->content));
}

/* The inheritance operators a management policy may use, and what they hold. */
static bool mgmt_node_ok(json_t *v, int depth)
{
    const char *k;
    json_t *cv;
    if (!json_is_object(v))
        return true;
    if (depth > 32)
        return false;
    json_object_foreach(v, k, cv)
    {
        if (!strncmp(k, "@@", 2)) {
            bool ops = !strcmp(k, "@@operators_allowed_for_child_policies");
            if (!ops && strcmp(k, "@@assign") && strcmp(k, "@@append") && strcmp(k, "@@remove"))
                return false;
            size_t i;
            json_t *o;
            if (ops && !json_is_array(cv))
                return false;
            json_array_foreach(ops ? cv : NULL, i, o)
            {
                const char *op = json_string_value(o);
                if (!op || (strcmp(op, "@@assign") && strcmp(op, "@@append") &&
                            strcmp(op, "@@remove") && strcmp(op, "@@none")))
                    return false;
            }
        } else if (!mgmt_node_ok(cv, depth + 1)) {
            return false;
        }
    }
    return true;
}

/* Management policy types (User Guide, "Management policy syntax"): a JSON object whose
 * top-level key is the type's ("tags", "plans", "services"), with only the documented
 * inheritance operators. */
static bool mgmt_ok(const char *type, json_t *j)
{
    const char *top = !strcmp(type, "TAG_POLICY")      ? "tags"
                      : !strcmp(type, "BACKUP_POLICY") ? "plans"
                                                       : "services";
    const char *k;
    json_t *v;
    if (!json_is_object(j))
        return false;
    json_object_foreach(j, k, v)
    {
        if (strcmp(k, top) || !json_is_object(v) || !mgmt_node_ok(v, 0))
            return false;
    }
    return true;
}

static enum bw_code check_content(const char *type, const char *content, struct bw_err *err)
{
    bool scp = !strcmp(type, BW_ORG_SCP), rcp = !strcmp(type, BW_ORG_RCP);
    if (scp || rcp) {
        struct bw_policy *p;
        struct bw_policy_diag diag = {0};
        size_t limit = scp ? BW_POLICY_LIMIT_SCP : BW_POLICY_LIMIT_RCP;
        if (bw_policy_compile(content, strlen(content), scp ? BW_POLICY_SCP : BW_POLICY_RCP, NULL,
                              limit, &p, &diag, err) == BW_OK) {
            bw_policy_free(p);
            return BW_OK;
        }
        if (diag.too_large)
            return bw_org__constraint(err, "POLICY_CONTENT_LIMIT_EXCEEDED",
                                      "The provided policy document exceeds the maximum size.");
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return bw_fail(err, BW_E_ORG_MALFORMED_POLICY, "%s", msg);
    }
    size_t limit = !strcmp(type, "AISERVICES_OPT_OUT_POLICY") ? 2500 : 10000;
    if (strlen(content) > limit)
        return bw_org__constraint(err, "POLICY_CONTENT_LIMIT_EXCEEDED",
                                  "The provided policy document exceeds the maximum size.");
    json_t *j = json_loads(content, JSON_REJECT_DUPLICATES, NULL);
    bool ok = mgmt_ok(type, j);
    json_decref(j);
    if (!ok)
        return bw_fail(err, BW_E_ORG_MALFORMED_POLICY,
                       "The provided policy document doesn't meet the requirements of the "
                       "specified policy type.");
    return BW_OK;
}

static enum bw_code name_free(struct bw_call *c, const struct bw_org *o, const char *type,
                              const char *name, const char *except, struct bw_err *err)
{
    bool row;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT 1 FROM org_policies WHERE (org_id = ? OR org_id IS"
                                  " NULL) AND type = ? AND name = ? AND id != ?",
                                  err, "ssss", o->id, type, name, except ? except : "");
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (row)
        return bw_fail(err, BW_E_ORG_DUPLICATE_POLICY,
                       "A policy with the same name already exists.");
    st = bw_db_prep(c->db, "SELECT count(*) FROM org_policies WHERE org_id = ?", err, "s", o->id);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!except && sqlite3_column_int64(st, 0) >= bw_org__quota(c, "max_policies", 1000))
        return bw_org__constraint(err, "POLICY_NUMBER_LIMIT_EXCEEDED",
                                  "You have reached the limit on the number of policies.");
    return BW_OK;
}

static enum bw_code needs_all(const struct bw_org *o, struct bw_err *err)
{
    if (strcmp(o->feature_set, "ALL"))
        return bw_fail(err, BW_E_ORG_POLICY_TYPE_NOT_AVAILABLE,
                       "You can't use a policy type that isn't available in the "
                       "organization's feature set (CONSOLIDATED_BILLING).");
    return BW_OK;
}

BW_ORG_HANDLER(create_policy)
{
    struct bw_org o;
    struct pol p = {0};
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) || needs_all(&o, err) ||
        bw_org__str(c, "Content", true, 1, 1000000, &p.content, err) ||
        bw_org__str(c, "Description", true, 0, 512, &p.desc, err) ||
        bw_org__str(c, "Name", true, 1, 128, &p.name, err) ||
        bw_org__policy_type(c, "Type", &p.type, err) || check_content(p.type, p.content, err) ||
        name_free(c, &o, p.type, p.name, NULL, err))
        return err->code;
    p.id = bw_org__new_id(c, "p-", 8);
    p.org = o.id;
    if (bw_db_exec(c->db, err, NULL,
                   "INSERT INTO org_policies (id, org_id, type, name, description, content,"
                   " created_at) VALUES (?,?,?,?,?,?,?)",
                   "ssssssi", p.id, o.id, p.type, p.name, p.desc, p.content, c->now_ms) ||
        bw_org__tags_put(c, &o, p.id, json_object_get(c->in, "Tags"), err))
        return err->code;
    out_policy(c, &o, &p);
    return BW_OK;
}

static enum bw_code mutable_policy(struct bw_call *c, struct bw_org *o, struct pol *p,
                                   struct bw_err *err)
{
    const char *id;
    if (bw_org__load(c, BW_ORG_MANAGER, o, err) ||
        bw_org__id(c, "PolicyId", BW_ORG_ID_POLICY, &id, NULL, err) || pol_load(c, o, id, p, err))
        return err->code;
    if (!p->org)
        return bw_org__invalid(err, "IMMUTABLE_POLICY",
                               "You specified a policy that is managed by AWS and can't be "
                               "modified.");
    return BW_OK;
}

BW_ORG_HANDLER(update_policy)
{
    struct bw_org o;
    struct pol p;
    const char *name, *desc, *content;
    if (mutable_policy(c, &o, &p, err) || bw_org__str(c, "Name", false, 1, 128, &name, err) ||
        bw_org__str(c, "Description", false, 0, 512, &desc, err) ||
        bw_org__str(c, "Content", false, 1, 1000000, &content, err))
        return err->code;
    if ((name && name_free(c, &o, p.type, name, p.id, err)) ||
        (content && check_content(p.type, content, err)))
        return err->code;
    p.name = name ? name : p.name;
    p.desc = desc ? desc : p.desc;
    p.content = content ? content : p.content;
    if (bw_db_exec(c->db, err, NULL,
                   "UPDATE org_policies SET name = ?, description = ?, content = ? WHERE id = ?",
                   "ssss", p.name, p.desc, p.content, p.id))
        return err->code;
    out_policy(c, &o, &p);
    return BW_OK;
}

BW_ORG_HANDLER(delete_policy)
{
    struct bw_org o;
    struct pol p;
    bool row;
    if (mutable_policy(c, &o, &p, err))
        return err->code;
    sqlite3_stmt *st =
        bw_db_prep(c->db, "SELECT 1 FROM org_attachments WHERE policy_id = ?", err, "s", p.id);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (row)
        return bw_fail(err, BW_E_ORG_POLICY_IN_USE,
                       "The policy is attached to one or more entities. You must detach it "
                       "from all roots, OUs, and accounts before performing this operation.");
    if (bw_db_exec(c->db, err, NULL, "DELETE FROM org_tags WHERE target_id = ?", "s", p.id))
        return err->code;
    return bw_db_exec(c->db, err, NULL, "DELETE FROM org_policies WHERE id = ?", "s", p.id);
}

BW_ORG_HANDLER(describe_policy)
{
    struct bw_org o;
    struct pol p;
    const char *id;
    if (bw_org__load(c, BW_ORG_READER, &o, err) ||
        bw_org__id(c, "PolicyId", BW_ORG_ID_POLICY, &id, NULL, err) || pol_load(c, &o, id, &p, err))
        return err->code;
    out_policy(c, &o, &p);
    return BW_OK;
}

/* Runs a policy listing query (columns as pol_load) into "Policies". */
static enum bw_code list_rows(struct bw_call *c, const struct bw_org *o, sqlite3_stmt *st,
                              const struct bw_org_page *pg, struct bw_err *err)
{
    json_t *out = bw_org__out(c), *a = json_array();
    json_object_set_new(out, "Policies", a);
    bool row;
    int n = 0;
    while (st) {
        if (bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            break;
        struct pol p;
        const char **f[] = {&p.id, &p.org, &p.type, &p.name, &p.desc, &p.content};
        for (int i = 0; i < 6; i++)
            *f[i] = bw_db_col_str(c->arena, st, i);
        if (n++ < pg->max)
            json_array_append_new(a, summary(c, o, &p));
    }
    if (!st)
        return err->code;
    bw_org__page_end(c, pg, n > pg->max, out);
    return BW_OK;
}

BW_ORG_HANDLER(list_policies)
{
    struct bw_org o;
    struct bw_org_page pg;
    const char *type;
    if (bw_org__load(c, BW_ORG_READER, &o, err) || bw_org__policy_type(c, "Filter", &type, err) ||
        bw_org__page(c, bw_arena_printf(c->arena, "%s/%s", o.id, type), &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT id, org_id, type, name, description, content FROM"
                                  " org_policies WHERE (org_id IS NULL OR org_id = ?) AND type = ?"
                                  " ORDER BY org_id IS NOT NULL, created_at, id LIMIT ? OFFSET ?",
                                  err, "ssii", o.id, type, pg.max + 1, pg.offset);
    return list_rows(c, &o, st, &pg, err);
}

/* The type, name and ARN of a policy target; TargetNotFoundException when absent. */
static enum bw_code target_info(struct bw_call *c, const struct bw_org *o, const char *id,
                                unsigned kind, const char **type, const char **name,
                                const char **arn, struct bw_err *err)
{
    bool row = false;
    sqlite3_stmt *st = NULL;
    if (kind == BW_ORG_ID_ROOT) {
        row = !strcmp(id, o->root_id);
        *type = "ROOT";
        *name = "Root";
        *arn = bw_org__arn_root(c, o);
    } else if (kind == BW_ORG_ID_OU) {
        st = bw_db_prep(c->db, "SELECT name FROM org_ous WHERE id = ? AND org_id = ?", err, "ss",
                        id, o->id);
        *type = "ORGANIZATIONAL_UNIT";
        *arn = bw_org__arn_ou(c, o, id);
    } else {
        st = bw_db_prep(c->db,
                        "SELECT a.name FROM org_accounts m JOIN accounts a ON a.id ="
                        " m.account_id WHERE m.account_id = ? AND m.org_id = ?",
                        err, "ss", id, o->id);
        *type = "ACCOUNT";
        *arn = bw_org__arn_account(c, o, id);
    }
    if (kind != BW_ORG_ID_ROOT && (!st || bw_db_step(c->db, st, &row, err)))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_ORG_TARGET_NOT_FOUND,
                       "We can't find a root, OU, account, or policy with the TargetId that "
                       "you specified.");
    if (st)
        *name = bw_db_col_str(c->arena, st, 0);
    return BW_OK;
}

static const unsigned target_kinds = BW_ORG_ID_ROOT | BW_ORG_ID_OU | BW_ORG_ID_ACCOUNT;

BW_ORG_HANDLER(list_policies_for_target)
{
    struct bw_org o;
    struct bw_org_page pg;
    const char *target, *type, *ttype, *name, *arn;
    unsigned kind;
    if (bw_org__load(c, BW_ORG_READER, &o, err) ||
        bw_org__id(c, "TargetId", target_kinds, &target, &kind, err) ||
        bw_org__policy_type(c, "Filter", &type, err) ||
        target_info(c, &o, target, kind, &ttype, &name, &arn, err) ||
        bw_org__page(c, bw_arena_printf(c->arena, "%s/%s", target, type), &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT p.id, p.org_id, p.type, p.name, p.description,"
                                  " p.content FROM org_attachments a JOIN org_policies p"
                                  " ON p.id = a.policy_id WHERE a.target_id = ? AND p.type = ?"
                                  " ORDER BY p.org_id IS NOT NULL, p.created_at, p.id"
                                  " LIMIT ? OFFSET ?",
                                  err, "ssii", target, type, pg.max + 1, pg.offset);
    return list_rows(c, &o, st, &pg, err);
}

BW_ORG_HANDLER(list_targets_for_policy)
{
    struct bw_org o;
    struct bw_org_page pg;
    struct pol p;
    const char *id;
    if (bw_org__load(c, BW_ORG_READER, &o, err) ||
        bw_org__id(c, "PolicyId", BW_ORG_ID_POLICY, &id, NULL, err) ||
        pol_load(c, &o, id, &p, err) || bw_org__page(c, id, &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT target_id FROM org_attachments WHERE policy_id = ?"
                                  " AND org_id = ? ORDER BY target_id LIMIT ? OFFSET ?",
                                  err, "ssii", id, o.id, pg.max + 1, pg.offset);
    const char *ids[21];
    int n = 0;
    bool row;
    while (st) {
        if (bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            break;
        ids[n++] = bw_db_col_str(c->arena, st, 0);
    }
    if (!st)
        return err->code;
    json_t *out = bw_org__out(c), *a = json_array();
    json_object_set_new(out, "Targets", a);
    for (int i = 0; i < n && i < pg.max; i++) {
        const char *type, *name, *arn;
        if (target_info(c, &o, ids[i], bw_org__id_kind(ids[i], target_kinds), &type, &name, &arn,
                        err))
            return err->code;
        json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s}", "TargetId", ids[i], "Arn", arn,
                                           "Name", name, "Type", type));
    }
    bw_org__page_end(c, &pg, n > pg.max, out);
    return BW_OK;
}

struct attach_in {
    struct bw_org o;
    struct pol p;
    const char *target;
    int64_t count; /* policies of the type attached to the target */
    bool attached; /* this policy is attached */
};

static enum bw_code attach_input(struct bw_call *c, struct attach_in *in, struct bw_err *err)
{
    const char *id, *ttype, *name, *arn;
    unsigned kind;
    bool row;
    if (bw_org__load(c, BW_ORG_MANAGER, &in->o, err) ||
        bw_org__id(c, "PolicyId", BW_ORG_ID_POLICY, &id, NULL, err) ||
        bw_org__id(c, "TargetId", target_kinds, &in->target, &kind, err) ||
        pol_load(c, &in->o, id, &in->p, err) ||
        target_info(c, &in->o, in->target, kind, &ttype, &name, &arn, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT count(*), sum(policy_id = ?) FROM org_attachments"
                                  " WHERE target_id = ? AND type = ?",
                                  err, "sss", id, in->target, in->p.type);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    in->count = sqlite3_column_int64(st, 0);
    in->attached = sqlite3_column_int64(st, 1) > 0;
    /* Attach/DetachPolicy act on two resources, the policy (checked by the dispatcher) and
     * the target (Service Authorization Reference, AWS Organizations: both are listed). */
    const char *tarn = kind == BW_ORG_ID_ACCOUNT ? bw_org__arn_account(c, &in->o, in->target)
                       : kind == BW_ORG_ID_ROOT  ? bw_org__arn_root(c, &in->o)
                                                 : bw_org__arn_ou(c, &in->o, in->target);
    if (bw_authz_check(c, c->op->action, tarn, err))
        return err->code;
    if (kind == BW_ORG_ID_ACCOUNT)
        c->target_account = in->target;
    return BW_OK;
}

BW_ORG_HANDLER(attach_policy)
{
    struct attach_in in;
    if (attach_input(c, &in, err))
        return err->code;
    if (!bw_org__type_enabled(c, in.o.root_id, in.p.type))
        return bw_fail(err, BW_E_ORG_POLICY_TYPE_NOT_ENABLED,
                       "This operation can be performed only for enabled policy types.");
    if (in.attached)
        return bw_fail(err, BW_E_ORG_DUPLICATE_POLICY_ATTACHMENT,
                       "The selected policy is already attached to the specified target.");
    if (in.count >= bw_org__quota(c, "max_policies_per_target", BW_ORG_MAX_POLICIES_PER))
        return bw_org__constraint(err, "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                                  "You attempted to exceed the number of policies of a certain "
                                  "type that can be attached to an entity at one time.");
    return bw_org__attach_raw(c, &in.o, in.p.id, in.target, in.p.type, err);
}

BW_ORG_HANDLER(detach_policy)
{
    struct attach_in in;
    if (attach_input(c, &in, err))
        return err->code;
    if (!in.attached)
        return bw_fail(err, BW_E_ORG_POLICY_NOT_ATTACHED,
                       "The policy isn't attached to the specified target in the specified "
                       "root.");
    bool authz = !strcmp(in.p.type, BW_ORG_SCP) || !strcmp(in.p.type, BW_ORG_RCP);
    if (authz && in.count <= 1)
        return bw_org__constraint(err, "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                                  "You attempted to detach a policy from an entity that would "
                                  "cause the entity to have fewer than the minimum number of "
                                  "policies of a certain type required.");
    return bw_db_exec(c->db, err, NULL,
                      "DELETE FROM org_attachments WHERE target_id = ? AND policy_id = ?", "ss",
                      in.target, in.p.id);
}
