/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Handshakes (Organizations API reference, Handshake; User Guide, "Inviting an
 * AWS account to join your organization" and "Enabling all features"): an
 * INVITE is OPEN for 15 days until the invited account accepts or declines it or
 * the management account cancels it; ENABLE_ALL_FEATURES stays REQUESTED until
 * every invited member accepts its APPROVE_ALL_FEATURES child, then is OPEN for
 * the management account to finalize. ACCEPTED, DECLINED, CANCELED and EXPIRED
 * are final: repeating a transition is HandshakeAlreadyInStateException, leaving
 * a final state InvalidHandshakeTransitionException. Expiry is applied when a
 * handshake is read. Only the parties see a handshake.
 */
#include "svc/organizations/internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

struct hs {
    const char *id, *org, *action, *state, *master, *ttype, *target, *target_account;
    const char *notes, *parent, *tags;
    int64_t requested, expires;
};

static const char *const hs_sql =
    "SELECT id, org_id, action, state, master_account, target_type, target, target_account,"
    " notes, parent_handshake, tags, requested_at, expires_at FROM org_handshakes WHERE id = ?";

static void hs_read(struct bw_call *c, sqlite3_stmt *st, struct hs *h)
{
    const char **f[] = {&h->id,     &h->org,    &h->action, &h->state,
                        &h->master, &h->ttype,  &h->target, &h->target_account,
                        &h->notes,  &h->parent, &h->tags};
    for (int i = 0; i < 11; i++)
        *f[i] = bw_db_col_str(c->arena, st, i);
    h->requested = sqlite3_column_int64(st, 11);
    h->expires = sqlite3_column_int64(st, 12);
}

static bool is_live(const char *state)
{
    return !strcmp(state, "OPEN") || !strcmp(state, "REQUESTED");
}

static enum bw_code hs_load(struct bw_call *c, const char *id, struct hs *h, bool *found,
                            struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, hs_sql, err, "s", id);
    if (!st || bw_db_step(c->db, st, found, err))
        return err->code;
    if (!*found)
        return BW_OK;
    hs_read(c, st, h);
    if (is_live(h->state) && c->now_ms > h->expires) {
        h->state = "EXPIRED";
        if (c->op->flags & BW_OP_MUTATES)
            return bw_db_exec(c->db, err, NULL,
                              "UPDATE org_handshakes SET state = 'EXPIRED' WHERE id = ?", "s", id);
    }
    return BW_OK;
}

static json_t *res(const char *type, const char *value)
{
    return json_pack("{s:s,s:s}", "Type", type, "Value", value ? value : "");
}

static json_t *resources(struct bw_call *c, const struct hs *h, const struct bw_org *o)
{
    json_t *a = json_array();
    json_t *org = res("ORGANIZATION", o->id);
    if (!strcmp(h->action, "INVITE")) {
        const char *name = "";
        struct bw_err e;
        bool row;
        sqlite3_stmt *st =
            bw_db_prep(c->db, "SELECT name FROM accounts WHERE id = ?", &e, "s", o->management);
        if (st && !bw_db_step(c->db, st, &row, &e) && row)
            name = bw_db_col_str(c->arena, st, 0);
        json_object_set_new(
            org, "Resources",
            json_pack("[o,o,o]", res("MASTER_EMAIL", o->mgmt_email), res("MASTER_NAME", name),
                      res("ORGANIZATION_FEATURE_SET",
                          strcmp(o->feature_set, "ALL") ? o->feature_set : "FULL")));
    }
    json_array_append_new(a, org);
    if (!strcmp(h->action, "INVITE"))
        json_array_append_new(a, res(h->ttype, h->target));
    if (h->notes)
        json_array_append_new(a, res("NOTES", h->notes));
    if (h->parent)
        json_array_append_new(a, res("PARENT_HANDSHAKE", h->parent));
    return a;
}

static json_t *hs_json(struct bw_call *c, const struct hs *h, const struct bw_org *o)
{
    json_t *parties = json_pack("[{s:s,s:s}]", "Id", o->id, "Type", "ORGANIZATION");
    if (strcmp(h->action, "ENABLE_ALL_FEATURES"))
        json_array_append_new(parties, json_pack("{s:s,s:s}", "Id", h->target, "Type", h->ttype));
    return json_pack("{s:s,s:s,s:o,s:s,s:o,s:o,s:s,s:o}", "Id", h->id, "Arn",
                     bw_org__arn_handshake(c, o, h->action, h->id), "Parties", parties, "State",
                     h->state, "RequestedTimestamp", bw_org__time(h->requested),
                     "ExpirationTimestamp", bw_org__time(h->expires), "Action", h->action,
                     "Resources", resources(c, h, o));
}

static enum bw_code hs_to_json(struct bw_call *c, const struct hs *h, json_t **out,
                               struct bw_err *err)
{
    struct bw_org o;
    bool found;
    if (bw_org__load_id(c, h->org, &o, &found, err))
        return err->code;
    if (!found) /* the organization was deleted: its id still names the party */
        o = (struct bw_org){
            .id = h->org, .management = h->master, .mgmt_email = "", .feature_set = "ALL"};
    *out = hs_json(c, h, &o);
    return BW_OK;
}

enum bw_code bw_org__handshake_json(struct bw_call *c, const char *id, json_t **out,
                                    struct bw_err *err)
{
    struct hs h;
    bool found;
    if (hs_load(c, id, &h, &found, err))
        return err->code;
    if (!found)
        return bw_fail(err, BW_E_ORG_HANDSHAKE_NOT_FOUND, "Handshake %s not found.", id);
    return hs_to_json(c, &h, out, err);
}

static enum bw_code set_out(struct bw_call *c, const char *id, struct bw_err *err)
{
    json_t *h;
    if (bw_org__handshake_json(c, id, &h, err))
        return err->code;
    json_object_set_new(bw_org__out(c), "Handshake", h);
    c->trail_response = json_pack("{s:O}", "handshake", h);
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, c->trail_response);
    return BW_OK;
}

static enum bw_code hs_insert(struct bw_call *c, const struct hs *h, struct bw_err *err)
{
    return bw_db_exec(c->db, err, NULL,
                      "INSERT INTO org_handshakes (id, org_id, action, state, master_account,"
                      " target_type, target, target_account, notes, parent_handshake, tags,"
                      " requested_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      "sssssssssssii", h->id, h->org, h->action, h->state, h->master, h->ttype,
                      h->target, h->target_account, h->notes, h->parent, h->tags, h->requested,
                      h->expires);
}

static enum bw_code hs_constraint(struct bw_err *err, const char *reason, const char *msg)
{
    bw_fail(err, BW_E_ORG_HANDSHAKE_CONSTRAINT_VIOLATION, "%s", msg);
    err->reason = reason;
    return err->code;
}

/* Target {Type, Id} → the account it names. */
static enum bw_code invite_target(struct bw_call *c, struct hs *h, struct bw_err *err)
{
    json_t *t = json_object_get(c->in, "Target");
    if (!json_is_object(t))
        return bw_org__invalid(err, "INPUT_REQUIRED", "You must specify a value for Target.");
    h->ttype = json_string_value(json_object_get(t, "Type"));
    h->target = json_string_value(json_object_get(t, "Id"));
    if (!h->ttype || !h->target)
        return bw_org__invalid(err, "INPUT_REQUIRED", "Target requires a Type and an Id.");
    if (strlen(h->target) > 64)
        return bw_org__invalid(err, "MAX_LENGTH_EXCEEDED", "Target Id is too long.");
    const char *sql;
    if (!strcmp(h->ttype, "ACCOUNT")) {
        if (!bw_org__id_kind(h->target, BW_ORG_ID_ACCOUNT))
            return bw_org__invalid(err, "INVALID_PATTERN", "Target Id is not an account id.");
        sql = "SELECT id FROM accounts WHERE id = ?";
    } else if (!strcmp(h->ttype, "EMAIL")) {
        if (!strchr(h->target, '@'))
            return bw_org__invalid(err, "INVALID_EMAIL_ADDRESS_TARGET",
                                   "You specified an invalid email address for the target.");
        sql = "SELECT id FROM accounts WHERE email = ?";
    } else if (!strcmp(h->ttype, "ORGANIZATION")) {
        return bw_org__invalid(err, "INVALID_PARTY_TYPE_TARGET",
                               "You can't invite an organization.");
    } else {
        return bw_org__invalid(err, "INVALID_ENUM", "Target Type must be ACCOUNT or EMAIL.");
    }
    bool row;
    sqlite3_stmt *st = bw_db_prep(c->db, sql, err, "s", h->target);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_ORG_ACCOUNT_NOT_FOUND,
                       "You specified an account that doesn't exist.");
    h->target_account = bw_db_col_str(c->arena, st, 0);
    return BW_OK;
}

static enum bw_code invite_checks(struct bw_call *c, const struct bw_org *o, const struct hs *h,
                                  struct bw_err *err)
{
    const char *in_org;
    bool row;
    if (bw_org__account_org(c, h->target_account, &in_org, NULL, err))
        return err->code;
    if (in_org && !strcmp(in_org, o->id))
        return bw_fail(err, BW_E_ORG_DUPLICATE_ACCOUNT,
                       "That account is already present in the specified destination.");
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT 1 FROM org_handshakes WHERE org_id = ? AND action ="
                                  " 'INVITE' AND target_account = ? AND state = 'OPEN'"
                                  " AND expires_at >= ?",
                                  err, "ssi", o->id, h->target_account, c->now_ms);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (row)
        return bw_fail(err, BW_E_ORG_DUPLICATE_HANDSHAKE,
                       "A handshake with the same action and target already exists.");
    st = bw_db_prep(c->db, "SELECT count(*) FROM org_accounts WHERE org_id = ?", err, "s", o->id);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (sqlite3_column_int64(st, 0) >= bw_org__quota(c, "max_accounts", BW_ORG_MAX_ACCOUNTS))
        return hs_constraint(err, "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
                             "You have reached the limit on the number of accounts.");
    return BW_OK;
}

BW_ORG_HANDLER(invite_account)
{
    struct bw_org o;
    struct hs h = {0};
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err))
        return err->code;
    if (o.pending)
        return hs_constraint(err, "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES",
                             "You can't invite accounts while enabling all features.");
    if (invite_target(c, &h, err) || bw_org__str(c, "Notes", false, 0, 1024, &h.notes, err) ||
        invite_checks(c, &o, &h, err))
        return err->code;
    json_t *tags = json_object_get(c->in, "Tags");
    if (tags && !json_is_null(tags)) {
        if (bw_org__tags_check(tags, err))
            return err->code;
        char *s = json_dumps(tags, JSON_COMPACT);
        h.tags = bw_arena_strdup(c->arena, s);
        free(s);
    }
    h.id = bw_org__new_id(c, "h-", 10);
    h.org = o.id;
    h.action = "INVITE";
    h.state = "OPEN";
    h.master = o.management;
    h.requested = c->now_ms;
    h.expires = c->now_ms + BW_ORG_HANDSHAKE_MS;
    if (hs_insert(c, &h, err))
        return err->code;
    c->target_account = h.target_account;
    return set_out(c, h.id, err);
}

enum bw_code bw_org__start_all_features(struct bw_call *c, const struct bw_org *o, const char **hid,
                                        struct bw_err *err)
{
    struct hs p = {.id = bw_org__new_id(c, "h-", 10),
                   .org = o->id,
                   .action = "ENABLE_ALL_FEATURES",
                   .state = "REQUESTED",
                   .master = o->management,
                   .ttype = "ORGANIZATION",
                   .target = o->id,
                   .requested = c->now_ms,
                   .expires = c->now_ms + BW_ORG_ALLFEAT_MS};
    /* Approvals go to invited members only; created accounts approve implicitly. */
    int changes = 0;
    if (bw_db_exec(c->db, err, &changes,
                   "INSERT INTO org_handshakes (id, org_id, action, state, master_account,"
                   " target_type, target, target_account, parent_handshake, requested_at,"
                   " expires_at) SELECT 'h-' || lower(hex(randomblob(5))), ?1,"
                   " 'APPROVE_ALL_FEATURES', 'OPEN', ?2, 'ACCOUNT', account_id, account_id, ?3,"
                   " ?4, ?5 FROM org_accounts WHERE org_id = ?1 AND account_id != ?2"
                   " AND joined_method = 'INVITED'",
                   "sssii", o->id, o->management, p.id, c->now_ms, c->now_ms + BW_ORG_HANDSHAKE_MS))
        return err->code;
    if (changes == 0)
        p.state = "OPEN";
    *hid = p.id;
    if (hs_insert(c, &p, err))
        return err->code;
    return bw_db_exec(c->db, err, NULL,
                      "UPDATE org_organizations SET all_features_pending = ? WHERE id = ?", "ss",
                      p.id, o->id);
}

/* Loads a handshake the caller may act on (or see). */
static enum bw_code hs_for_caller(struct bw_call *c, struct hs *h, struct bw_err *err)
{
    const char *id;
    bool found;
    if (bw_org__id(c, "HandshakeId", BW_ORG_ID_HANDSHAKE, &id, NULL, err) ||
        hs_load(c, id, h, &found, err))
        return err->code;
    const char *me = c->principal->account_id;
    bool party =
        found && ((h->target_account && !strcmp(h->target_account, me)) || !strcmp(h->master, me));
    if (!party)
        return bw_fail(err, BW_E_ORG_HANDSHAKE_NOT_FOUND,
                       "We can't find a handshake with the HandshakeId that you specified.");
    return BW_OK;
}

static enum bw_code transition(struct bw_call *c, const struct hs *h, const char *to,
                               struct bw_err *err)
{
    if (!strcmp(h->state, to))
        return bw_fail(err, BW_E_ORG_HANDSHAKE_ALREADY_IN_STATE,
                       "The specified handshake is already in the requested state.");
    if (!is_live(h->state))
        return bw_fail(err, BW_E_ORG_INVALID_HANDSHAKE_TRANSITION,
                       "You can't perform the operation on the handshake in its current "
                       "state (%s).",
                       h->state);
    return bw_db_exec(c->db, err, NULL, "UPDATE org_handshakes SET state = ? WHERE id = ?", "ss",
                      to, h->id);
}

static enum bw_code accept_invite(struct bw_call *c, const struct hs *h, struct bw_err *err)
{
    const char *in_org;
    struct bw_org o;
    bool found;
    if (bw_org__account_org(c, c->principal->account_id, &in_org, NULL, err))
        return err->code;
    if (in_org)
        return hs_constraint(err, "ALREADY_IN_AN_ORGANIZATION",
                             "The account is already a member of an organization.");
    if (bw_org__load_id(c, h->org, &o, &found, err))
        return err->code;
    if (!found)
        return bw_fail(err, BW_E_ORG_INVALID_HANDSHAKE_TRANSITION,
                       "The organization no longer exists.");
    if (bw_org__join(c, &o, c->principal->account_id, "INVITED", err))
        return err->code;
    json_t *tags = h->tags ? json_loads(h->tags, 0, NULL) : NULL;
    enum bw_code rc = bw_org__tags_put(c, &o, c->principal->account_id, tags, err);
    json_decref(tags);
    return rc;
}

/* After an approval: the parent becomes OPEN when no approval is outstanding. */
static enum bw_code approve(struct bw_call *c, const struct hs *h, struct bw_err *err)
{
    bool row;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT 1 FROM org_handshakes WHERE parent_handshake = ?"
                                  " AND state != 'ACCEPTED' AND target_account IN"
                                  " (SELECT account_id FROM org_accounts WHERE org_id = ?)",
                                  err, "ss", h->parent, h->org);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (row)
        return BW_OK;
    return bw_db_exec(c->db, err, NULL,
                      "UPDATE org_handshakes SET state = 'OPEN' WHERE id = ? AND state ="
                      " 'REQUESTED'",
                      "s", h->parent);
}

BW_ORG_HANDLER(accept_handshake)
{
    struct hs h;
    if (hs_for_caller(c, &h, err))
        return err->code;
    bool mine = h.target_account && !strcmp(h.target_account, c->principal->account_id);
    bool finalize = !strcmp(h.action, "ENABLE_ALL_FEATURES");
    if (finalize != !mine)
        return bw_org__denied(err);
    if (!strcmp(h.state, "REQUESTED") && finalize)
        return bw_fail(err, BW_E_ORG_INVALID_HANDSHAKE_TRANSITION,
                       "Not every member account has approved the request yet.");
    if (transition(c, &h, "ACCEPTED", err))
        return err->code;
    enum bw_code rc = BW_OK;
    if (!strcmp(h.action, "INVITE"))
        rc = accept_invite(c, &h, err);
    else if (!strcmp(h.action, "APPROVE_ALL_FEATURES"))
        rc = approve(c, &h, err);
    else {
        struct bw_org o;
        bool found;
        rc = bw_org__load_id(c, h.org, &o, &found, err);
        if (!rc)
            rc = bw_org__finalize_all_features(c, &o, err);
    }
    return rc ? rc : set_out(c, h.id, err);
}

BW_ORG_HANDLER(decline_handshake)
{
    struct hs h;
    if (hs_for_caller(c, &h, err))
        return err->code;
    if (!h.target_account || strcmp(h.target_account, c->principal->account_id))
        return bw_org__denied(err);
    if (transition(c, &h, "DECLINED", err))
        return err->code;
    return set_out(c, h.id, err);
}

BW_ORG_HANDLER(cancel_handshake)
{
    struct hs h;
    if (hs_for_caller(c, &h, err))
        return err->code;
    if (strcmp(h.master, c->principal->account_id))
        return bw_org__denied(err);
    if (transition(c, &h, "CANCELED", err))
        return err->code;
    if (!strcmp(h.action, "ENABLE_ALL_FEATURES") &&
        (bw_db_exec(c->db, err, NULL,
                    "UPDATE org_handshakes SET state = 'CANCELED' WHERE parent_handshake = ?"
                    " AND state IN ('OPEN','REQUESTED')",
                    "s", h.id) ||
         bw_db_exec(c->db, err, NULL,
                    "UPDATE org_organizations SET all_features_pending = NULL WHERE id = ?", "s",
                    h.org)))
        return err->code;
    return set_out(c, h.id, err);
}

BW_ORG_HANDLER(describe_handshake)
{
    struct hs h;
    if (hs_for_caller(c, &h, err))
        return err->code;
    json_t *j;
    if (hs_to_json(c, &h, &j, err))
        return err->code;
    json_object_set_new(bw_org__out(c), "Handshake", j);
    return BW_OK;
}

/* Filter {ActionType | ParentHandshakeId} → SQL parameters. */
static enum bw_code filter(struct bw_call *c, const char **action, const char **parent,
                           struct bw_err *err)
{
    json_t *f = json_object_get(c->in, "Filter");
    *action = *parent = NULL;
    if (!f || json_is_null(f))
        return BW_OK;
    *action = json_string_value(json_object_get(f, "ActionType"));
    *parent = json_string_value(json_object_get(f, "ParentHandshakeId"));
    if (*action && *parent)
        return bw_org__invalid(err, "MAX_LIMIT_EXCEEDED_FILTER",
                               "You can specify only one filter parameter.");
    return BW_OK;
}

static const char *const list_sql =
    "SELECT id, org_id, action, state, master_account, target_type, target, target_account,"
    " notes, parent_handshake, tags, requested_at, expires_at FROM org_handshakes"
    " WHERE (?1 IS NULL OR org_id = ?1) AND (?2 IS NULL OR target_account = ?2)"
    " AND (?3 IS NULL OR action = ?3) AND (?4 IS NULL OR parent_handshake = ?4)"
    " ORDER BY requested_at, id LIMIT ?5 OFFSET ?6";

static enum bw_code list(struct bw_call *c, const char *org, const char *acct, const char *salt,
                         struct bw_err *err)
{
    const char *action, *parent;
    struct bw_org_page pg;
    if (filter(c, &action, &parent, err) || bw_org__page(c, salt, &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, list_sql, err, "ssssii", org, acct, action, parent,
                                  pg.max + 1, pg.offset);
    json_t *out = bw_org__out(c), *a = json_array();
    json_object_set_new(out, "Handshakes", a);
    struct hs rows[21];
    int n = 0;
    bool row;
    for (; st;) {
        if (bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            break;
        hs_read(c, st, &rows[n]);
        if (is_live(rows[n].state) && c->now_ms > rows[n].expires)
            rows[n].state = "EXPIRED";
        n++;
    }
    if (!st)
        return err->code;
    for (int i = 0; i < n && i < pg.max; i++) {
        json_t *j;
        if (hs_to_json(c, &rows[i], &j, err))
            return err->code;
        json_array_append_new(a, j);
    }
    bw_org__page_end(c, &pg, n > pg.max, out);
    return BW_OK;
}

BW_ORG_HANDLER(list_handshakes_for_org)
{
    struct bw_org o;
    if (bw_org__load(c, BW_ORG_READER, &o, err))
        return err->code;
    return list(c, o.id, NULL, o.id, err);
}

BW_ORG_HANDLER(list_handshakes_for_account)
{
    return list(c, NULL, c->principal->account_id, c->principal->account_id, err);
}
