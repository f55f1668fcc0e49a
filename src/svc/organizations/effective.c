/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DescribeEffectivePolicy for the management policy types (tag, backup and AI
 * services opt-out policies): the policies attached to the root, each OU down
 * the path and the account are merged in that order with the inheritance
 * operators of the User Guide ("Policy syntax and inheritance for management
 * policy types"): @@assign replaces, @@append adds values not present, @@remove
 * removes values (or the key), and @@operators_allowed_for_child_policies limits
 * what policies further down may do to a key ("@@none" freezes it). Operators
 * are stripped from the result.
 */
#include "svc/organizations/internal.h"

#include <stdlib.h>
#include <string.h>

static bool op_ok(json_t *locks, const char *path, const char *op)
{
    json_t *allowed = json_object_get(locks, path), *v;
    size_t i;
    if (!allowed)
        return true;
    json_array_foreach(allowed, i, v)
    {
        if (json_is_string(v) && !strcmp(json_string_value(v), op))
            return true;
    }
    return false;
}

static void append(json_t *eff, const char *k, json_t *vals)
{
    json_t *cur = json_object_get(eff, k), *v;
    size_t i, j;
    json_t *arr = json_is_array(cur) ? json_copy(cur) : json_array();
    if (cur && !json_is_array(cur))
        json_array_append(arr, cur);
    json_t *add = json_is_array(vals) ? vals : NULL;
    for (i = 0; add ? i < json_array_size(add) : i < 1; i++) {
        v = add ? json_array_get(add, i) : vals;
        bool seen = false;
        for (j = 0; j < json_array_size(arr); j++)
            seen = seen || json_equal(json_array_get(arr, j), v);
        if (!seen)
            json_array_append(arr, v);
    }
    json_object_set_new(eff, k, arr);
}

static void remove_vals(json_t *eff, const char *k, json_t *vals)
{
    json_t *cur = json_object_get(eff, k);
    if (!json_is_array(cur) || !json_is_array(vals)) {
        json_object_del(eff, k);
        return;
    }
    json_t *arr = json_array();
    size_t i, j;
    for (i = 0; i < json_array_size(cur); i++) {
        bool drop = false;
        for (j = 0; j < json_array_size(vals); j++)
            drop = drop || json_equal(json_array_get(cur, i), json_array_get(vals, j));
        if (!drop)
            json_array_append(arr, json_array_get(cur, i));
    }
    json_object_set_new(eff, k, arr);
}

static void merge(struct bw_arena *a, json_t *eff, json_t *pol, json_t *locks, const char *path,
                  int depth);

static void merge_key(struct bw_arena *a, json_t *eff, const char *k, json_t *v, json_t *locks,
                      const char *p, int depth)
{
    if (!json_is_object(v)) {
        if (op_ok(locks, p, "@@assign"))
            json_object_set(eff, k, v);
        return;
    }
    json_t *as = json_object_get(v, "@@assign"), *ap = json_object_get(v, "@@append");
    json_t *rm = json_object_get(v, "@@remove");
    json_t *ops = json_object_get(v, "@@operators_allowed_for_child_policies");
    if (as && op_ok(locks, p, "@@assign"))
        json_object_set(eff, k, as);
    if (ap && op_ok(locks, p, "@@append"))
        append(eff, k, ap);
    if (rm && op_ok(locks, p, "@@remove"))
        remove_vals(eff, k, rm);
    const char *ck;
    json_t *cv;
    bool plain = false;
    json_object_foreach(v, ck, cv) plain = plain || strncmp(ck, "@@", 2) != 0;
    if (plain && depth < 32) {
        json_t *child = json_object_get(eff, k);
        if (!json_is_object(child)) {
            child = json_object();
            json_object_set_new(eff, k, child);
        }
        merge(a, child, v, locks, p, depth + 1);
    }
    if (ops && !json_object_get(locks, p))
        json_object_set(locks, p, ops);
}

static void merge(struct bw_arena *a, json_t *eff, json_t *pol, json_t *locks, const char *path,
                  int depth)
{
    const char *k;
    json_t *v;
    json_object_foreach(pol, k, v)
    {
        if (!strncmp(k, "@@", 2))
            continue;
        merge_key(a, eff, k, v, locks, bw_arena_printf(a, "%s/%s", path, k), depth);
    }
}

void bw_org__effective_merge(struct bw_arena *a, json_t *eff, json_t *pol, json_t *locks)
{
    if (json_is_object(eff) && json_is_object(pol) && json_is_object(locks))
        merge(a, eff, pol, locks, "", 0);
}

/* The chain of targets root → OUs → account. */
static enum bw_code chain(struct bw_call *c, const struct bw_org *o, const char *acct,
                          const char **ids, size_t *n, struct bw_err *err)
{
    const char *org, *parent, *ous[BW_ORG_HARD_MAX_DEPTH + 1];
    size_t k = 0;
    bool row;
    if (bw_org__account_org(c, acct, &org, &parent, err))
        return err->code;
    if (!org || strcmp(org, o->id))
        return bw_fail(err, BW_E_ORG_TARGET_NOT_FOUND,
                       "We can't find a root, OU, account, or policy with the TargetId that "
                       "you specified.");
    while (strcmp(parent, o->root_id) && k < BW_ORG_HARD_MAX_DEPTH + 1) {
        ous[k++] = parent;
        sqlite3_stmt *st =
            bw_db_prep(c->db, "SELECT parent_id FROM org_ous WHERE id = ?", err, "s", parent);
        if (!st || bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            break;
        parent = bw_db_col_str(c->arena, st, 0);
    }
    *n = 0;
    ids[(*n)++] = o->root_id;
    while (k)
        ids[(*n)++] = ous[--k];
    ids[(*n)++] = acct;
    return BW_OK;
}

static enum bw_code merge_level(struct bw_call *c, const char *target, const char *type,
                                json_t *eff, json_t *locks, int *count, struct bw_err *err)
{
    bool row;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT p.content FROM org_attachments a JOIN org_policies p"
                                  " ON p.id = a.policy_id WHERE a.target_id = ? AND a.type = ?"
                                  " ORDER BY p.created_at, p.id",
                                  err, "ss", target, type);
    while (st) {
        if (bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            return BW_OK;
        json_t *pol = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
        bw_org__effective_merge(c->arena, eff, pol, locks);
        json_decref(pol);
        (*count)++;
    }
    return err->code;
}

BW_ORG_HANDLER(describe_effective_policy)
{
    struct bw_org o;
    const char *type, *target, *ids[BW_ORG_HARD_MAX_DEPTH + 3];
    size_t n = 0;
    if (bw_org__load(c, BW_ORG_ANY_MEMBER, &o, err) ||
        bw_org__str(c, "PolicyType", true, 1, 0, &type, err) ||
        bw_org__str(c, "TargetId", false, 1, 100, &target, err))
        return err->code;
    if (strcmp(type, "TAG_POLICY") && strcmp(type, "BACKUP_POLICY") &&
        strcmp(type, "AISERVICES_OPT_OUT_POLICY"))
        return bw_org__invalid(err, "INVALID_ENUM_POLICY_TYPE",
                               "You specified an invalid value for PolicyType.");
    if (target && !bw_org__id_kind(target, BW_ORG_ID_ACCOUNT))
        return bw_org__invalid(err, "INVALID_PATTERN_TARGET_ID",
                               "You specified a target ID that isn't valid: %s.", target);
    if (!target)
        target = c->principal->account_id;
    else if (strcmp(target, c->principal->account_id) && bw_org__load(c, BW_ORG_READER, &o, err))
        return err->code;
    if (chain(c, &o, target, ids, &n, err))
        return err->code;
    json_t *eff = json_object(), *locks = json_object();
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, eff);
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, locks);
    int count = 0;
    for (size_t i = 0; i < n; i++)
        if (merge_level(c, ids[i], type, eff, locks, &count, err))
            return err->code;
    if (!count || !bw_org__type_enabled(c, o.root_id, type))
        return bw_fail(err, BW_E_ORG_EFFECTIVE_POLICY_NOT_FOUND,
                       "We can't find an effective policy of the specified type for the "
                       "target.");
    char *s = json_dumps(eff, JSON_COMPACT | JSON_SORT_KEYS);
    json_t *ep = json_pack("{s:s,s:o,s:s,s:s}", "PolicyContent", s, "LastUpdatedTimestamp",
                           bw_org__time(c->now_ms), "TargetId", target, "PolicyType", type);
    free(s);
    json_object_set_new(bw_org__out(c), "EffectivePolicy", ep);
    return BW_OK;
}
