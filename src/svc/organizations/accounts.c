/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Member accounts: CreateAccount (asynchronous in AWS: the call answers a
 * CreateAccountStatus IN_PROGRESS and the outcome, SUCCEEDED or FAILED with a
 * FailureReason such as EMAIL_ALREADY_EXISTS, is read with
 * DescribeCreateAccountStatus; here the work completes inside the request's
 * transaction, so the first describe already reads the outcome), with the role
 * named by RoleName (default OrganizationAccountAccessRole) trusting the
 * management account and holding AdministratorAccess; DescribeAccount,
 * ListAccounts, ListAccountsForParent, MoveAccount, RemoveAccountFromOrganization,
 * LeaveOrganization and CloseAccount with their preconditions (API reference).
 */
#include "svc/organizations/internal.h"

#include <string.h>

#include "svc/iam/iam.h"

static bool valid_email(const char *e)
{
    const char *at = strchr(e, '@');
    if (!at || at == e || strchr(at + 1, '@'))
        return false;
    const char *dot = strrchr(at, '.');
    if (!dot || dot == at + 1 || !dot[1])
        return false;
    for (const char *p = e; *p; p++)
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            return false;
    return true;
}

static bool valid_role_name(const char *r)
{
    size_t n = strlen(r);
    if (n < 1 || n > 64)
        return false;
    return strspn(r, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-") == n;
}

struct create_in {
    const char *email, *name, *role, *billing;
    json_t *tags;
};

static enum bw_code create_input(struct bw_call *c, struct create_in *in, struct bw_err *err)
{
    if (bw_org__str(c, "Email", true, 6, 64, &in->email, err) ||
        bw_org__str(c, "AccountName", true, 1, 50, &in->name, err) ||
        bw_org__str(c, "RoleName", false, 0, 64, &in->role, err) ||
        bw_org__str(c, "IamUserAccessToBilling", false, 0, 0, &in->billing, err))
        return err->code;
    for (const char *p = in->name; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return bw_org__invalid(err, "INVALID_PATTERN",
                                   "AccountName must be printable ASCII characters.");
    if (!in->role)
        in->role = "OrganizationAccountAccessRole";
    if (!valid_role_name(in->role) || !strncmp(in->role, "AWSServiceRoleFor", 17))
        return bw_org__invalid(err, "INVALID_ROLE_NAME",
                               "You provided a role name that isn't valid.");
    if (!in->billing)
        in->billing = "ALLOW";
    if (strcmp(in->billing, "ALLOW") && strcmp(in->billing, "DENY"))
        return bw_org__invalid(err, "INVALID_ENUM",
                               "IamUserAccessToBilling must be ALLOW or DENY.");
    in->tags = json_object_get(c->in, "Tags");
    return BW_OK;
}

/* The outcome as AWS reports it: NULL on success, else a FailureReason. */
static const char *precheck(struct bw_call *c, const struct bw_org *o, const struct create_in *in,
                            struct bw_err *err)
{
    bool row;
    if (!valid_email(in->email))
        return "INVALID_EMAIL";
    sqlite3_stmt *st =
        bw_db_prep(c->db, "SELECT 1 FROM accounts WHERE email = ?", err, "s", in->email);
    if (!st || bw_db_step(c->db, st, &row, err))
        return "INTERNAL_FAILURE";
    if (row)
        return "EMAIL_ALREADY_EXISTS";
    st = bw_db_prep(c->db, "SELECT count(*) FROM org_accounts WHERE org_id = ?", err, "s", o->id);
    if (!st || bw_db_step(c->db, st, &row, err))
        return "INTERNAL_FAILURE";
    if (sqlite3_column_int64(st, 0) >= bw_org__quota(c, "max_accounts", BW_ORG_MAX_ACCOUNTS))
        return "ACCOUNT_LIMIT_EXCEEDED";
    return NULL;
}

static enum bw_code make_account(struct bw_call *c, const struct bw_org *o,
                                 const struct create_in *in, char id[13], struct bw_err *err)
{
    const char *role_id;
    const char *trust = bw_arena_printf(
        c->arena,
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
        "{\"AWS\":\"arn:aws:iam::%s:root\"},\"Action\":\"sts:AssumeRole\"}]}",
        o->management);
    if (bw_iam_account_create(c->db, in->name, in->email, c->now_ms, id, err) ||
        bw_iam_role_create(c->db, c->arena, id, in->role, "/", trust, NULL, 3600, c->now_ms,
                           &role_id, err) ||
        bw_iam_attach(c->db, id, "role", in->role, BW_IAM_AWS_POLICY("AdministratorAccess"), err) ||
        bw_org__join(c, o, id, "CREATED", err) ||
        bw_db_exec(c->db, err, NULL,
                   "UPDATE org_accounts SET billing_access = ? WHERE account_id = ?", "ss",
                   in->billing, id))
        return err->code;
    return bw_org__tags_put(c, o, id, in->tags, err);
}

static json_t *status_json(struct bw_call *c, sqlite3_stmt *st)
{
    json_t *j = json_pack("{s:s,s:s,s:s,s:o}", "Id", sqlite3_column_text(st, 0), "AccountName",
                          sqlite3_column_text(st, 1), "State", sqlite3_column_text(st, 2),
                          "RequestedTimestamp", bw_org__time(sqlite3_column_int64(st, 3)));
    if (sqlite3_column_type(st, 4) != SQLITE_NULL)
        json_object_set_new(j, "CompletedTimestamp", bw_org__time(sqlite3_column_int64(st, 4)));
    if (sqlite3_column_type(st, 5) != SQLITE_NULL)
        json_object_set_new(j, "AccountId", json_string(bw_db_col_str(c->arena, st, 5)));
    if (sqlite3_column_type(st, 6) != SQLITE_NULL)
        json_object_set_new(j, "FailureReason", json_string(bw_db_col_str(c->arena, st, 6)));
    return j;
}

BW_ORG_HANDLER(create_account)
{
    struct bw_org o;
    struct create_in in;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) || create_input(c, &in, err))
        return err->code;
    /* Tags are validated up front: a bad tag is an API error, not a FAILED status. */
    if (in.tags && !json_is_null(in.tags) && bw_org__tags_check(in.tags, err))
        return err->code;
    const char *car = bw_org__new_id(c, "car-", 32);
    char id[13] = "";
    const char *failure = precheck(c, &o, &in, err);
    if (!failure && make_account(c, &o, &in, id, err)) {
        if (err->code != BW_E_IAM_ENTITY_ALREADY_EXISTS)
            return err->code;
        failure = "EMAIL_ALREADY_EXISTS";
    }
    if (bw_db_exec(c->db, err, NULL,
                   "INSERT INTO org_create_status (id, org_id, account_name, state, requested_at,"
                   " completed_at, account_id, failure_reason) VALUES (?,?,?,?,?,?,?,?)",
                   "ssssiiss", car, o.id, in.name, failure ? "FAILED" : "SUCCEEDED", c->now_ms,
                   c->now_ms, failure ? NULL : id, failure))
        return err->code;
    json_t *s = json_pack("{s:s,s:s,s:s,s:o}", "Id", car, "AccountName", in.name, "State",
                          "IN_PROGRESS", "RequestedTimestamp", bw_org__time(c->now_ms));
    json_object_set_new(bw_org__out(c), "CreateAccountStatus", s);
    c->trail_response = json_pack("{s:O}", "createAccountStatus", s);
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, c->trail_response);
    return BW_OK;
}

/* There is no AWS GovCloud (US) partition on a self-hosted server, so no management
 * account is GovCloud-enabled: AWS answers such an organization with
 * ConstraintViolationException MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED (API reference,
 * CreateGovCloudAccount). Input is validated first, as for CreateAccount. */
BW_ORG_HANDLER(create_govcloud_account)
{
    struct bw_org o;
    struct create_in in;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) || create_input(c, &in, err))
        return err->code;
    return bw_org__constraint(err, "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED",
                              "The management account of this organization is not enabled for "
                              "AWS GovCloud (US).");
}

static const char *const status_cols =
    "SELECT id, account_name, state, requested_at, completed_at, account_id, failure_reason"
    " FROM org_create_status WHERE id = ? AND org_id = ?";

BW_ORG_HANDLER(describe_create_account_status)
{
    struct bw_org o;
    const char *id;
    bool row;
    if (bw_org__load(c, BW_ORG_READER, &o, err) ||
        bw_org__id(c, "CreateAccountRequestId", BW_ORG_ID_CAR, &id, NULL, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, status_cols, err, "ss", id, o.id);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (!row)
        return bw_fail(err, BW_E_ORG_CREATE_ACCOUNT_STATUS_NOT_FOUND,
                       "We can't find a create account request with the CreateAccountRequestId "
                       "that you specified.");
    json_object_set_new(bw_org__out(c), "CreateAccountStatus", status_json(c, st));
    return BW_OK;
}

/* States: a list of IN_PROGRESS | SUCCEEDED | FAILED → a mask. */
static enum bw_code states_mask(struct bw_call *c, int *mask, struct bw_err *err)
{
    static const char *const names[] = {"IN_PROGRESS", "SUCCEEDED", "FAILED"};
    json_t *a = json_object_get(c->in, "States"), *v;
    size_t i;
    *mask = (a && !json_is_null(a)) ? 0 : 7;
    json_array_foreach(a, i, v)
    {
        int bit = 0;
        for (int k = 0; k < 3; k++)
            if (json_is_string(v) && !strcmp(json_string_value(v), names[k]))
                bit = 1 << k;
        if (!bit)
            return bw_org__invalid(err, "INVALID_ENUM", "You specified an invalid state.");
        *mask |= bit;
    }
    return BW_OK;
}

BW_ORG_HANDLER(list_create_account_status)
{
    struct bw_org o;
    struct bw_org_page pg;
    int mask;
    if (bw_org__load(c, BW_ORG_READER, &o, err) || states_mask(c, &mask, err) ||
        bw_org__page(c, o.id, &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(
        c->db,
        "SELECT id, account_name, state, requested_at, completed_at, account_id, failure_reason"
        " FROM org_create_status WHERE org_id = ? AND ((?2 & 1 AND state = 'IN_PROGRESS') OR"
        " (?2 & 2 AND state = 'SUCCEEDED') OR (?2 & 4 AND state = 'FAILED'))"
        " ORDER BY requested_at, id LIMIT ? OFFSET ?",
        err, "sdii", o.id, mask, pg.max + 1, pg.offset);
    json_t *out = bw_org__out(c), *a = json_array();
    json_object_set_new(out, "CreateAccountStatuses", a);
    int n = 0;
    while (bw_org__page_next(c, st, &pg, &n, err))
        json_array_append_new(a, status_json(c, st));
    if (err->code)
        return err->code;
    bw_org__page_end(c, &pg, n > pg.max, out);
    return BW_OK;
}

BW_ORG_HANDLER(describe_account)
{
    struct bw_org o;
    const char *id;
    json_t *j;
    if (bw_org__load(c, BW_ORG_READER, &o, err) ||
        bw_org__id(c, "AccountId", BW_ORG_ID_ACCOUNT, &id, NULL, err) ||
        bw_org__account_json(c, &o, id, &j, err))
        return err->code;
    json_object_set_new(bw_org__out(c), "Account", j);
    return BW_OK;
}

/* Lists accounts of the organization, optionally under one parent. */
static enum bw_code list_accounts(struct bw_call *c, const struct bw_org *o, const char *parent,
                                  struct bw_err *err)
{
    struct bw_org_page pg;
    if (bw_org__page(c, parent ? parent : o->id, &pg, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(
        c->db,
        "SELECT a.id, a.email, a.name, a.status, m.joined_method, m.joined_at FROM org_accounts m"
        " JOIN accounts a ON a.id = m.account_id WHERE m.org_id = ?"
        " AND (?2 IS NULL OR m.parent_id = ?2) ORDER BY m.joined_at, m.account_id"
        " LIMIT ? OFFSET ?",
        err, "ssii", o->id, parent, pg.max + 1, pg.offset);
    json_t *out = bw_org__out(c), *a = json_array();
    json_object_set_new(out, "Accounts", a);
    int n = 0;
    bool row;
    while (st) {
        if (bw_db_step(c->db, st, &row, err))
            return err->code;
        if (!row)
            break;
        if (n++ < pg.max)
            json_array_append_new(a, bw_org__account_row_json(c, o, st));
    }
    if (!st)
        return err->code;
    bw_org__page_end(c, &pg, n > pg.max, out);
    return BW_OK;
}

BW_ORG_HANDLER(list_accounts)
{
    struct bw_org o;
    if (bw_org__load(c, BW_ORG_READER, &o, err))
        return err->code;
    return list_accounts(c, &o, NULL, err);
}

BW_ORG_HANDLER(list_accounts_for_parent)
{
    struct bw_org o;
    const char *parent;
    if (bw_org__load(c, BW_ORG_READER, &o, err) ||
        bw_org__id(c, "ParentId", BW_ORG_ID_ROOT | BW_ORG_ID_OU, &parent, NULL, err))
        return err->code;
    if (!bw_org__parent_exists(c, &o, parent))
        return bw_fail(err, BW_E_ORG_PARENT_NOT_FOUND,
                       "We can't find a root or OU with the ParentId that you specified.");
    return list_accounts(c, &o, parent, err);
}

/* The account's current parent in o (NULL when not a member of o). */
static enum bw_code member_parent(struct bw_call *c, const struct bw_org *o, const char *acct,
                                  const char **parent, struct bw_err *err)
{
    const char *org;
    if (bw_org__account_org(c, acct, &org, parent, err))
        return err->code;
    if (!org || strcmp(org, o->id))
        return bw_fail(err, BW_E_ORG_ACCOUNT_NOT_FOUND,
                       "You specified an account that doesn't exist.");
    return BW_OK;
}

BW_ORG_HANDLER(move_account)
{
    struct bw_org o;
    const char *acct, *src, *dst, *cur;
    unsigned pk = BW_ORG_ID_ROOT | BW_ORG_ID_OU;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) ||
        bw_org__id(c, "AccountId", BW_ORG_ID_ACCOUNT, &acct, NULL, err) ||
        bw_org__id(c, "SourceParentId", pk, &src, NULL, err) ||
        bw_org__id(c, "DestinationParentId", pk, &dst, NULL, err))
        return err->code;
    if (!bw_org__parent_exists(c, &o, src))
        return bw_fail(err, BW_E_ORG_SOURCE_PARENT_NOT_FOUND,
                       "We can't find a source root or OU with the ParentId that you "
                       "specified.");
    if (!bw_org__parent_exists(c, &o, dst))
        return bw_fail(err, BW_E_ORG_DESTINATION_PARENT_NOT_FOUND,
                       "We can't find a destination root or OU with the ParentId that you "
                       "specified.");
    if (member_parent(c, &o, acct, &cur, err))
        return err->code;
    if (strcmp(cur, src))
        return bw_fail(err, BW_E_ORG_ACCOUNT_NOT_FOUND,
                       "You specified an account that doesn't exist in the source parent.");
    if (!strcmp(cur, dst))
        return bw_fail(err, BW_E_ORG_DUPLICATE_ACCOUNT,
                       "That account is already present in the specified destination.");
    c->target_account = acct;
    return bw_db_exec(c->db, err, NULL,
                      "UPDATE org_accounts SET parent_id = ? WHERE account_id = ?", "ss", dst,
                      acct);
}

static enum bw_code removable(struct bw_call *c, const struct bw_org *o, const char *acct,
                              struct bw_err *err)
{
    bool row;
    if (!strcmp(acct, o->management))
        return bw_fail(err, BW_E_ORG_MASTER_CANNOT_LEAVE,
                       "You can't remove the management account from an organization.");
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT 1 FROM org_delegated_admins WHERE org_id = ? AND"
                                  " account_id = ?",
                                  err, "ss", o->id, acct);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (row)
        return bw_org__constraint(err, "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
                                  "You must deregister the account as a delegated administrator "
                                  "before you remove it.");
    return BW_OK;
}

/* AWS makes a created account wait (7 days) before it can be removed; the wait is the
 * created_removal_wait_days quota, 0 by default here. */
static enum bw_code wait_over(struct bw_call *c, const char *acct, struct bw_err *err)
{
    int64_t days = bw_org__quota(c, "created_removal_wait_days", 0);
    bool row;
    if (days <= 0)
        return BW_OK;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT 1 FROM org_accounts WHERE account_id = ? AND"
                                  " joined_method = 'CREATED' AND joined_at > ?",
                                  err, "si", acct, c->now_ms - days * 86400000LL);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (row)
        return bw_org__constraint(err, "WAIT_PERIOD_ACTIVE",
                                  "The account was created too recently to be removed.");
    return BW_OK;
}

static enum bw_code leave(struct bw_call *c, const struct bw_org *o, const char *acct,
                          struct bw_err *err)
{
    /* an outstanding approval of the all-features request no longer counts */
    if (bw_db_exec(c->db, err, NULL,
                   "UPDATE org_handshakes SET state = 'CANCELED' WHERE org_id = ? AND"
                   " target_account = ? AND action = 'APPROVE_ALL_FEATURES' AND state = 'OPEN'",
                   "ss", o->id, acct) ||
        bw_org__detach_account(c, o->id, acct, err))
        return err->code;
    if (!o->pending)
        return BW_OK;
    return bw_db_exec(c->db, err, NULL,
                      "UPDATE org_handshakes SET state = 'OPEN' WHERE id = ?1 AND state ="
                      " 'REQUESTED' AND NOT EXISTS (SELECT 1 FROM org_handshakes WHERE"
                      " parent_handshake = ?1 AND state = 'OPEN')",
                      "s", o->pending);
}

BW_ORG_HANDLER(remove_account)
{
    struct bw_org o;
    const char *acct, *cur;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) ||
        bw_org__id(c, "AccountId", BW_ORG_ID_ACCOUNT, &acct, NULL, err) ||
        member_parent(c, &o, acct, &cur, err) || removable(c, &o, acct, err) ||
        wait_over(c, acct, err))
        return err->code;
    c->target_account = acct;
    return leave(c, &o, acct, err);
}

BW_ORG_HANDLER(leave_organization)
{
    struct bw_org o;
    const char *me = c->principal->account_id;
    if (bw_org__load(c, BW_ORG_ANY_MEMBER, &o, err) || removable(c, &o, me, err) ||
        wait_over(c, me, err))
        return err->code;
    return leave(c, &o, me, err);
}

BW_ORG_HANDLER(close_account)
{
    struct bw_org o;
    const char *acct, *cur;
    if (bw_org__load(c, BW_ORG_MANAGER, &o, err) ||
        bw_org__id(c, "AccountId", BW_ORG_ID_ACCOUNT, &acct, NULL, err) ||
        member_parent(c, &o, acct, &cur, err))
        return err->code;
    if (!strcmp(acct, o.management))
        return bw_org__constraint(err, "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
                                  "You can't close the management account.");
    int changes = 0;
    if (bw_db_exec(c->db, err, &changes,
                   "UPDATE accounts SET status = 'SUSPENDED' WHERE id = ? AND status = 'ACTIVE'",
                   "s", acct))
        return err->code;
    if (!changes)
        return bw_fail(err, BW_E_ORG_ACCOUNT_ALREADY_CLOSED,
                       "You attempted to close an account that is already closed.");
    c->target_account = acct;
    return BW_OK;
}
