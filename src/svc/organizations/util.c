/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the Organizations service: who the caller is in which organization
 * (AWS answers AWSOrganizationsNotInUseException to an account outside any
 * organization, and AccessDeniedException to a member calling a management
 * operation), ids and ARNs in the formats of the Organizations API reference
 * ("ARN formats", id patterns of each shape), input checks with
 * InvalidInputException's Reason values, and MaxResults/NextToken paging. A
 * NextToken is "<offset>.<16 hex of SHA-256(org, operation, offset)>": a token
 * altered or carried to another operation fails INVALID_NEXT_TOKEN.
 */
#include "svc/organizations/internal.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

int64_t bw_org__quota(struct bw_call *c, const char *name, int64_t dflt)
{
    struct bw_err e;
    bool row = false;
    sqlite3_stmt *st =
        bw_db_prep(c->db, "SELECT value FROM org_quotas WHERE name = ?", &e, "s", name);
    if (!st || bw_db_step(c->db, st, &row, &e) || !row)
        return dflt;
    return sqlite3_column_int64(st, 0);
}

static const char *const org_sql =
    "SELECT o.id, o.management_account, a.email, o.feature_set, o.root_id,"
    " o.all_features_pending, o.created_at FROM org_organizations o"
    " JOIN accounts a ON a.id = o.management_account WHERE o.id = ?";

enum bw_code bw_org__load_id(struct bw_call *c, const char *id, struct bw_org *o, bool *found,
                             struct bw_err *err)
{
    memset(o, 0, sizeof *o);
    sqlite3_stmt *st = bw_db_prep(c->db, org_sql, err, "s", id);
    if (!st || bw_db_step(c->db, st, found, err))
        return err->code;
    if (!*found)
        return BW_OK;
    o->id = bw_db_col_str(c->arena, st, 0);
    o->management = bw_db_col_str(c->arena, st, 1);
    o->mgmt_email = bw_db_col_str(c->arena, st, 2);
    o->feature_set = bw_db_col_str(c->arena, st, 3);
    o->root_id = bw_db_col_str(c->arena, st, 4);
    o->pending = bw_db_col_str(c->arena, st, 5);
    o->created_at = sqlite3_column_int64(st, 6);
    o->is_management = c->principal && !strcmp(o->management, c->principal->account_id);
    return BW_OK;
}

enum bw_code bw_org__account_org(struct bw_call *c, const char *account, const char **org_id,
                                 const char **parent, struct bw_err *err)
{
    bool row;
    sqlite3_stmt *st =
        bw_db_prep(c->db, "SELECT org_id, parent_id FROM org_accounts WHERE account_id = ?", err,
                   "s", account);
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    *org_id = row ? bw_db_col_str(c->arena, st, 0) : NULL;
    if (parent)
        *parent = row ? bw_db_col_str(c->arena, st, 1) : NULL;
    return BW_OK;
}

static bool is_delegated(struct bw_call *c, const struct bw_org *o)
{
    struct bw_err e;
    bool row = false;
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT 1 FROM org_delegated_admins WHERE org_id = ?"
                                  " AND account_id = ? LIMIT 1",
                                  &e, "ss", o->id, c->principal->account_id);
    if (!st || bw_db_step(c->db, st, &row, &e))
        return false;
    return row;
}

enum bw_code bw_org__load(struct bw_call *c, enum bw_org_access access, struct bw_org *o,
                          struct bw_err *err)
{
    const char *org_id = NULL;
    bool found = false;
    if (bw_org__account_org(c, c->principal->account_id, &org_id, NULL, err))
        return err->code;
    if (org_id && bw_org__load_id(c, org_id, o, &found, err))
        return err->code;
    if (!found)
        return bw_fail(err, BW_E_ORG_NOT_IN_USE,
                       "Your account is not a member of an organization.");
    if (access == BW_ORG_ANY_MEMBER || o->is_management)
        return BW_OK;
    o->is_delegated = is_delegated(c, o);
    if (access == BW_ORG_READER && o->is_delegated)
        return BW_OK;
    if (bw_org__delegated_by_policy(c, o))
        return BW_OK;
    return bw_org__denied(err);
}

enum bw_code bw_org__denied(struct bw_err *err)
{
    /* HTTP 400, as the Organizations API reference (Common Errors) documents. */
    return bw_fail(err, BW_E_ACCESS_DENIED_EXCEPTION,
                   "You don't have permissions to access this resource.");
}

enum bw_code bw_org__invalid(struct bw_err *err, const char *reason, const char *fmt, ...)
{
    va_list ap;
    char msg[sizeof err->msg];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bw_fail(err, BW_E_ORG_INVALID_INPUT, "%s", msg);
    err->reason = reason;
    return err->code;
}

enum bw_code bw_org__constraint(struct bw_err *err, const char *reason, const char *fmt, ...)
{
    va_list ap;
    char msg[sizeof err->msg];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bw_fail(err, BW_E_ORG_CONSTRAINT_VIOLATION, "%s", msg);
    err->reason = reason;
    return err->code;
}

enum bw_code bw_org__str(struct bw_call *c, const char *name, bool required, size_t min, size_t max,
                         const char **out, struct bw_err *err)
{
    json_t *v = json_object_get(c->in, name);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return bw_org__invalid(err, "INPUT_REQUIRED", "You must specify a value for %s.", name);
        return BW_OK;
    }
    if (!json_is_string(v))
        return bw_fail(err, BW_E_SERIALIZATION, "STRING_VALUE can not be converted to a %s",
                       "String");
    size_t len = json_string_length(v);
    if (len < min)
        return bw_org__invalid(err, "MIN_LENGTH_EXCEEDED",
                               "You provided a value for %s that is too short.", name);
    if (max && len > max)
        return bw_org__invalid(err, "MAX_LENGTH_EXCEEDED",
                               "You provided a value for %s that is too long.", name);
    *out = json_string_value(v);
    if (strlen(*out) != len)
        return bw_org__invalid(err, "INVALID_PATTERN", "%s contains a NUL character.", name);
    return BW_OK;
}

static bool span(const char *s, size_t min, size_t max, const char *set, const char **end)
{
    size_t n = strspn(s, set);
    *end = s + n;
    return n >= min && n <= max;
}

#define LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"
#define POLICY_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

static bool match_prefixed(const char *id, const char *pfx, size_t min, size_t max, const char *set)
{
    size_t pl = strlen(pfx);
    const char *end;
    return !strncmp(id, pfx, pl) && span(id + pl, min, max, set, &end) && !*end;
}

static bool match_ou(const char *id)
{
    const char *end;
    if (strncmp(id, "ou-", 3) || !span(id + 3, 4, 32, LOWER_DIGITS, &end) || *end != '-')
        return false;
    return span(end + 1, 8, 32, LOWER_DIGITS, &end) && !*end;
}

unsigned bw_org__id_kind(const char *id, unsigned kinds)
{
    const char *end;
    if ((kinds & BW_ORG_ID_ACCOUNT) && span(id, 12, 12, "0123456789", &end) && !*end)
        return BW_ORG_ID_ACCOUNT;
    if ((kinds & BW_ORG_ID_ROOT) && match_prefixed(id, "r-", 4, 32, LOWER_DIGITS))
        return BW_ORG_ID_ROOT;
    if ((kinds & BW_ORG_ID_OU) && match_ou(id))
        return BW_ORG_ID_OU;
    if ((kinds & BW_ORG_ID_POLICY) && match_prefixed(id, "p-", 8, 128, POLICY_CHARS))
        return BW_ORG_ID_POLICY;
    if ((kinds & BW_ORG_ID_HANDSHAKE) && match_prefixed(id, "h-", 8, 32, LOWER_DIGITS))
        return BW_ORG_ID_HANDSHAKE;
    if ((kinds & BW_ORG_ID_CAR) && match_prefixed(id, "car-", 8, 32, LOWER_DIGITS))
        return BW_ORG_ID_CAR;
    if ((kinds & BW_ORG_ID_RP) && match_prefixed(id, "rp-", 4, 128, POLICY_CHARS))
        return BW_ORG_ID_RP;
    return 0;
}

enum bw_code bw_org__id(struct bw_call *c, const char *name, unsigned kinds, const char **out,
                        unsigned *kind, struct bw_err *err)
{
    if (bw_org__str(c, name, true, 1, 130, out, err))
        return err->code;
    unsigned k = bw_org__id_kind(*out, kinds);
    if (kind)
        *kind = k;
    if (k)
        return BW_OK;
    if (kinds == BW_ORG_ID_POLICY)
        return bw_org__invalid(err, "INVALID_SYNTAX_POLICY_ID",
                               "You specified an invalid policy ID: %s.", *out);
    if (kinds & (BW_ORG_ID_ROOT | BW_ORG_ID_OU) && kinds & BW_ORG_ID_ACCOUNT)
        return bw_org__invalid(err, "INVALID_PATTERN_TARGET_ID",
                               "You specified a target ID that isn't valid: %s.", *out);
    return bw_org__invalid(err, "INVALID_PATTERN",
                           "You specified a value for %s that doesn't match the required "
                           "pattern.",
                           name);
}

char *bw_org__new_id(struct bw_call *c, const char *prefix, size_t n)
{
    size_t pl = strlen(prefix);
    char *s = bw_arena_alloc(c->arena, pl + n + 1);
    memcpy(s, prefix, pl);
    bw_random_chars(s + pl, n, BW_ALPHA_LOWER_DIGITS);
    s[pl + n] = 0;
    return s;
}

const char *bw_org__arn_org(struct bw_call *c, const struct bw_org *o)
{
    return bw_arena_printf(c->arena, "arn:aws:organizations::%s:organization/%s", o->management,
                           o->id);
}

const char *bw_org__arn_root(struct bw_call *c, const struct bw_org *o)
{
    return bw_arena_printf(c->arena, "arn:aws:organizations::%s:root/%s/%s", o->management, o->id,
                           o->root_id);
}

const char *bw_org__arn_ou(struct bw_call *c, const struct bw_org *o, const char *ou)
{
    return bw_arena_printf(c->arena, "arn:aws:organizations::%s:ou/%s/%s", o->management, o->id,
                           ou);
}

const char *bw_org__arn_account(struct bw_call *c, const struct bw_org *o, const char *acct)
{
    return bw_arena_printf(c->arena, "arn:aws:organizations::%s:account/%s/%s", o->management,
                           o->id, acct);
}

const char *bw_org__lower(struct bw_call *c, const char *s)
{
    char *r = bw_arena_strdup(c->arena, s);
    for (char *p = r; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return r;
}

const char *bw_org__arn_policy(struct bw_call *c, const struct bw_org *o, const char *type,
                               const char *id)
{
    if (!strcmp(id, "p-FullAWSAccess") || !strcmp(id, "p-RCPFullAWSAccess"))
        return bw_arena_printf(c->arena, "arn:aws:organizations::aws:policy/%s/%s",
                               bw_org__lower(c, type), id);
    return bw_arena_printf(c->arena, "arn:aws:organizations::%s:policy/%s/%s/%s", o->management,
                           o->id, bw_org__lower(c, type), id);
}

const char *bw_org__arn_handshake(struct bw_call *c, const struct bw_org *o, const char *action,
                                  const char *id)
{
    return bw_arena_printf(c->arena, "arn:aws:organizations::%s:handshake/%s/%s/%s", o->management,
                           o->id, bw_org__lower(c, action), id);
}

static void token_mac(const char *salt, const char *op, int64_t offset, char out[17])
{
    unsigned char h[SHA256_DIGEST_LENGTH];
    char m[512];
    int n = snprintf(m, sizeof m, "%s\n%s\n%lld", salt ? salt : "", op, (long long)offset);
    SHA256((const unsigned char *)m,
           n < 0                   ? 0
           : (size_t)n >= sizeof m ? sizeof m - 1
                                   : (size_t)n,
           h);
    bw_hex_encode(h, 8, out);
    out[16] = 0;
}

void bw_org__token_make(const char *salt, const char *op, int64_t offset, char out[40])
{
    char mac[17];
    token_mac(salt, op, offset, mac);
    snprintf(out, 40, "%lld.%s", (long long)offset, mac);
}

bool bw_org__token_parse(const char *salt, const char *op, const char *tok, int64_t *offset)
{
    char *end;
    char mac[17];
    if (!isdigit((unsigned char)tok[0]))
        return false;
    long long off = strtoll(tok, &end, 10);
    if (*end != '.' || off <= 0 || off > 100000000)
        return false;
    token_mac(salt, op, off, mac);
    if (strlen(end + 1) != 16 || CRYPTO_memcmp(end + 1, mac, 16) != 0)
        return false;
    *offset = off;
    return true;
}

static enum bw_code parse_token(struct bw_call *c, const char *tok, struct bw_org_page *pg,
                                struct bw_err *err)
{
    if (bw_org__token_parse(pg->salt, c->op->name, tok, &pg->offset))
        return BW_OK;
    return bw_org__invalid(err, "INVALID_NEXT_TOKEN", "The provided NextToken value isn't valid.");
}

enum bw_code bw_org__page(struct bw_call *c, const char *salt, struct bw_org_page *pg,
                          struct bw_err *err)
{
    pg->offset = 0;
    pg->max = 20;
    pg->salt = salt;
    json_t *m = json_object_get(c->in, "MaxResults");
    if (m && !json_is_null(m)) {
        if (!json_is_integer(m))
            return bw_fail(err, BW_E_SERIALIZATION, "MaxResults must be an integer");
        json_int_t v = json_integer_value(m);
        if (v < 1)
            return bw_org__invalid(err, "MIN_VALUE_EXCEEDED", "MaxResults must be at least 1.");
        if (v > 20)
            return bw_org__invalid(err, "MAX_VALUE_EXCEEDED", "MaxResults must be at most 20.");
        pg->max = v;
    }
    const char *tok;
    if (bw_org__str(c, "NextToken", false, 0, 100000, &tok, err))
        return err->code;
    return tok ? parse_token(c, tok, pg, err) : BW_OK;
}

bool bw_org__page_next(struct bw_call *c, sqlite3_stmt *st, const struct bw_org_page *pg, int *n,
                       struct bw_err *err)
{
    bool row;
    while (st && bw_db_step(c->db, st, &row, err) == BW_OK && row)
        if ((*n)++ < pg->max)
            return true;
    return false;
}

void bw_org__page_end(struct bw_call *c, const struct bw_org_page *pg, bool more, json_t *out)
{
    if (!more)
        return;
    char tok[40];
    bw_org__token_make(pg->salt, c->op->name, pg->offset + pg->max, tok);
    json_object_set_new(out, "NextToken", json_string(tok));
}

json_t *bw_org__out(struct bw_call *c)
{
    c->out = json_object();
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, c->out);
    return c->out;
}

json_t *bw_org__time(int64_t ms)
{
    return json_real((double)ms / 1000.0);
}
