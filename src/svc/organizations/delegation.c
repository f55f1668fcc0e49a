/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The organization's resource-based delegation policy (User Guide, "Delegated
 * administrator for AWS Organizations"): the management account may let member
 * accounts call Organizations' read-only actions and its policy-management actions
 * (Create/Update/Delete/Attach/DetachPolicy, Enable/DisablePolicyType, Tag/
 * UntagResource). A member's call is allowed when the delegation policy allows it on
 * the operation's resource *and* the caller's own IAM policies (and SCPs) do — the
 * engine's cross-account rule, with the management account owning the resource.
 * Other actions in a delegation policy are refused when it is put
 * (UNSUPPORTED_ACTION_IN_RESOURCE_POLICY).
 */
#include "svc/organizations/internal.h"

#include <string.h>
#include <strings.h>

#include "policy/policy.h"

static const char *const writes[] = {
    "AttachPolicy",     "CreatePolicy", "DeletePolicy",  "DetachPolicy", "DisablePolicyType",
    "EnablePolicyType", "TagResource",  "UntagResource", "UpdatePolicy",
};

/* An action ("organizations:X", maybe with wildcards) a delegation policy may grant. */
static bool delegable(const char *action)
{
    const char *pfx = "organizations:";
    size_t pl = strlen(pfx);
    if (strncasecmp(action, pfx, pl) != 0)
        return false;
    const char *op = action + pl;
    if (!strncmp(op, "Describe", 8) || !strncmp(op, "List", 4))
        return true;
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++)
        if (!strcmp(op, writes[i]))
            return true;
    return false;
}

static bool actions_ok(json_t *a)
{
    size_t i;
    json_t *v;
    if (json_is_string(a))
        return delegable(json_string_value(a));
    if (!json_is_array(a))
        return a == NULL;
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v) || !delegable(json_string_value(v)))
            return false;
    }
    return true;
}

enum bw_code bw_org__delegation_check(const char *doc, struct bw_err *err)
{
    json_t *j = json_loads(doc, 0, NULL), *st = json_object_get(j, "Statement"), *s;
    bool ok = true;
    size_t i;
    if (json_is_object(st))
        ok = actions_ok(json_object_get(st, "Action")) && !json_object_get(st, "NotAction");
    json_array_foreach(st, i, s)
    {
        ok = ok && actions_ok(json_object_get(s, "Action")) && !json_object_get(s, "NotAction");
    }
    json_decref(j);
    if (ok)
        return BW_OK;
    return bw_org__invalid(err, "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY",
                           "The resource policy contains an action that can't be delegated.");
}

bool bw_org__delegated_by_policy(struct bw_call *c, const struct bw_org *o)
{
    struct bw_err e;
    bool row = false;
    const struct bw_policy *p;
    if (!delegable(c->op->action))
        return false;
    sqlite3_stmt *st = bw_db_prep(
        c->db, "SELECT content FROM org_resource_policies WHERE org_id = ?", &e, "s", o->id);
    if (!st || bw_db_step(c->db, st, &row, &e) || !row)
        return false;
    const char *doc = bw_db_col_str(c->arena, st, 0);
    if (bw_authz_compile(c, doc, BW_POLICY_RESOURCE, "organization resource policy", &p, &e))
        return false;
    const char *res = c->op->resource ? c->op->resource(c) : "*";
    return bw_authz_check_resource(c, c->op->action, res, o->management, p, &e) == BW_OK;
}
