/* SPDX-License-Identifier: Apache-2.0 */
/*
 * STS (API version 2011-06-15). Temporary credentials are an ASIA… access key id,
 * a 40-character secret sealed at rest, and an opaque session token of which only
 * the SHA-256 is stored. AssumeRole evaluates the role's trust policy as the
 * resource-based policy of the request (so the engine applies the same-account
 * and cross-account rules of the IAM policy evaluation logic); role chaining is
 * capped at one hour (STS API reference, AssumeRole, DurationSeconds).
 */
#include "svc/sts/sts.h"

#include <ctype.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "svc/iam/iam.h"

#define B64 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

static enum bw_code get_caller_identity(struct bw_call *c, struct bw_err *err)
{
    (void)err;
    const struct bw_principal *p = c->principal;
    bw_xml_elem(&c->xml, "UserId", p->principal_id);
    bw_xml_elem(&c->xml, "Account", p->account_id);
    bw_xml_elem(&c->xml, "Arn", p->arn);
    return BW_OK;
}

static bool valid_chars(const char *s, const char *extra)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && !strchr(extra, *s))
            return false;
    return true;
}

static enum bw_code invalid(struct bw_err *err, const char *field, const char *value,
                            const char *constraint)
{
    return bw_fail(err, BW_E_VALIDATION,
                   "1 validation error detected: Value '%s' at '%s' failed to satisfy "
                   "constraint: %s",
                   value, field, constraint);
}

/* DurationSeconds: an integer ≥ 900; *out = the value, or dflt when absent. */
static enum bw_code duration(const char *s, long dflt, long *out, struct bw_err *err)
{
    *out = dflt;
    if (!s)
        return BW_OK;
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v > 1000000000L)
        return invalid(err, "durationSeconds", s, "Member must be an integer");
    if (v < 900)
        return invalid(err, "durationSeconds", s,
                       "Member must have value greater than or equal to 900");
    *out = v;
    return BW_OK;
}

struct creds {
    char akid[21];
    char secret[41];
    char token[161];
    int64_t expires_ms;
};

static const char *const session_insert =
    "INSERT INTO sts_sessions (id, account_id, secret_enc, token_hash, kind, role_name, role_id,"
    " role_path, user_name, session_name, policy, policy_arns, tags, transitive_keys,"
    " source_identity, mfa, created_at, expires_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

struct session_row {
    const char *kind, *role_name, *role_id, *role_path, *user_name, *session_name;
    const char *policy, *policy_arns, *tags, *transitive, *source_identity;
    int mfa;
};

static enum bw_code issue(struct bw_call *c, const char *account, const struct session_row *r,
                          long seconds, struct creds *out, struct bw_err *err)
{
    bw_iam_new_id("ASIA", 20, out->akid);
    bw_random_chars(out->secret, 40, B64);
    memcpy(out->token, "IQoJb3JpZ2luX2VjE", 17); /* token shape only: opaque to clients */
    bw_random_chars(out->token + 17, sizeof out->token - 18, B64);
    unsigned char th[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)out->token, strlen(out->token), th);
    void *blob;
    size_t blob_len;
    bw_secrets_seal(bw_server_secrets(c->srv), out->akid, out->secret, 40, c->arena, &blob,
                    &blob_len);
    out->expires_ms = c->now_ms + (int64_t)seconds * 1000;
    return bw_db_exec(c->db, err, NULL, session_insert, "ssbbsssssssssssdii", out->akid, account,
                      blob, blob_len, th, sizeof th, r->kind, r->role_name, r->role_id,
                      r->role_path, r->user_name, r->session_name, r->policy, r->policy_arns,
                      r->tags, r->transitive, r->source_identity, r->mfa, c->now_ms,
                      out->expires_ms);
}

static void write_creds(struct bw_call *c, const struct creds *k)
{
    bw_xml_open(&c->xml, "Credentials");
    bw_xml_elem(&c->xml, "AccessKeyId", k->akid);
    bw_xml_elem(&c->xml, "SecretAccessKey", k->secret);
    bw_xml_elem(&c->xml, "SessionToken", k->token);
    bw_xml_elem_time(&c->xml, "Expiration", k->expires_ms);
    bw_xml_close(&c->xml, "Credentials");
    char exp[32];
    bw_time_iso8601(k->expires_ms / 1000, exp, sizeof exp);
    json_t *cr = json_pack("{s:s,s:s}", "accessKeyId", k->akid, "expiration", exp);
    c->trail_response = json_pack("{s:o}", "credentials", cr);
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, c->trail_response);
}

/* PackedPolicySize: how full the packed session policy is, in percent (written when a
 * session policy or tags were passed). */
static void packed_policy_size_out(struct bw_call *c, const struct session_row *r)
{
    if (r->policy || r->policy_arns || r->tags)
        bw_xml_elem_int(&c->xml, "PackedPolicySize",
                        (int64_t)((r->policy ? strlen(r->policy) : 0) * 100 / 2048));
}

/* j as JSON text (json_dumps flags) in the call's arena. */
static const char *dump_arena(struct bw_call *c, json_t *j, size_t flags)
{
    char *s = json_dumps(j, flags);
    const char *out = bw_arena_strdup(c->arena, s);
    free(s);
    return out;
}

/* ---- AssumeRole ---- */

struct role {
    const char *account, *name, *path, *id, *trust;
    int max_session;
};

/* arn:aws:iam::ACCOUNT:role/PATH/NAME → the role row, or AccessDenied as AWS answers. */
static enum bw_code load_role(struct bw_call *c, const char *arn, struct role *r,
                              struct bw_err *err)
{
    const char *pfx = "arn:aws:iam::";
    if (strncmp(arn, pfx, strlen(pfx)) != 0 || strlen(arn) < 20 || strlen(arn) > 2048)
        return invalid(err, "roleArn", arn, "Member must be a valid role ARN");
    const char *acct = arn + strlen(pfx);
    const char *colon = strchr(acct, ':');
    if (!colon || colon - acct != 12 || strncmp(colon + 1, "role/", 5) != 0)
        return invalid(err, "roleArn", arn, "Member must be a valid role ARN");
    const char *name = strrchr(colon, '/') + 1;
    r->account = bw_arena_strndup(c->arena, acct, 12);
    sqlite3_stmt *st = bw_db_prep(c->db,
                                  "SELECT name, path, id, trust_policy, max_session_duration"
                                  " FROM iam_roles WHERE account_id = ? AND name = ?",
                                  err, "ss", r->account, name);
    bool row;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    if (row) {
        r->name = bw_db_col_str(c->arena, st, 0);
        r->path = bw_db_col_str(c->arena, st, 1);
        r->id = bw_db_col_str(c->arena, st, 2);
        r->trust = bw_db_col_str(c->arena, st, 3);
        r->max_session = sqlite3_column_int(st, 4);
        char *canon =
            bw_arena_printf(c->arena, "arn:aws:iam::%s:role%s%s", r->account, r->path, r->name);
        if (strcmp(canon, arn) == 0)
            return BW_OK;
    }
    bw_fail(err, BW_E_ACCESS_DENIED,
            "User: %s is not authorized to perform: sts:AssumeRole on resource: %s",
            c->principal->arn, arn);
    err->name = "AccessDenied";
    return err->code;
}

static enum bw_code session_policy(struct bw_call *c, const char **policy, const char **arns,
                                   struct bw_err *err)
{
    *policy = bw_q_get(c, "Policy");
    *arns = NULL;
    if (*policy) {
        struct bw_policy *tmp;
        struct bw_policy_diag d;
        if (bw_policy_compile(*policy, strlen(*policy), BW_POLICY_SESSION, "session policy",
                              BW_POLICY_LIMIT_SESSION, &tmp, &d, err)) {
            if (d.too_large)
                return bw_fail(err, BW_E_STS_PACKED_POLICY_TOO_LARGE,
                               "Packed policy consumes more than 100 percent of the allotted "
                               "size, policy size exceeds the limit of 2048 characters.");
            return bw_fail(err, BW_E_STS_MALFORMED_POLICY, "%s", d.msg);
        }
        bw_policy_free(tmp);
    }
    int n = bw_q_member_count(c, "PolicyArns", "arn");
    if (n > 10)
        return bw_fail(err, BW_E_VALIDATION,
                       "1 validation error detected: Value at 'policyArns' failed to satisfy "
                       "constraint: Member must have length less than or equal to 10");
    if (n) {
        json_t *a = json_array();
        for (int i = 1; i <= n; i++)
            json_array_append_new(a, json_string(bw_q_member(c, "PolicyArns", i, "arn")));
        *arns = dump_arena(c, a, JSON_COMPACT);
        json_decref(a);
    }
    return BW_OK;
}

/* The key of obj equal to k ignoring case (tag keys are case-insensitive), or NULL. */
static const char *ci_key(json_t *obj, const char *k)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (strcasecmp(key, k) == 0)
            return key;
    }
    return NULL;
}

/* The request's Tags (≤ 50) into t. */
static enum bw_code request_tags(struct bw_call *c, json_t *t, struct bw_err *err)
{
    int n = bw_q_member_count(c, "Tags", "Key");
    if (n > 50)
        return bw_fail(err, BW_E_VALIDATION,
                       "1 validation error detected: Value at 'tags' failed to satisfy "
                       "constraint: Member must have length less than or equal to 50");
    for (int i = 1; i <= n; i++) {
        const char *k = bw_q_member(c, "Tags", i, "Key");
        const char *v = bw_q_member(c, "Tags", i, "Value");
        if (!v || strlen(k) > 128 || strlen(v) > 256 || !*k)
            return bw_fail(err, BW_E_VALIDATION,
                           "Tag %d is invalid: a key of 1-128 and a value "
                           "of 0-256 characters are required",
                           i);
        if (ci_key(t, k))
            return bw_fail(err, BW_E_INVALID_PARAMETER_VALUE,
                           "Duplicate tag keys found. Please note that Tag keys are case "
                           "insensitive.");
        json_object_set_new(t, k, json_string(v));
    }
    return BW_OK;
}

/* TransitiveTagKeys (≤ 50) into tr: each must name one of the request's tags. */
static enum bw_code transitive_keys(struct bw_call *c, json_t *t, json_t *tr, struct bw_err *err)
{
    int m = bw_q_member_count(c, "TransitiveTagKeys", NULL);
    if (m > 50)
        return bw_fail(err, BW_E_VALIDATION,
                       "1 validation error detected: Value at 'transitiveTagKeys' failed to "
                       "satisfy constraint: Member must have length less than or equal to 50");
    for (int i = 1; i <= m; i++) {
        const char *k = ci_key(t, bw_q_member(c, "TransitiveTagKeys", i, NULL));
        if (!k)
            return bw_fail(err, BW_E_INVALID_PARAMETER_VALUE,
                           "The specified transitive tag key must be included in the requested "
                           "tags.");
        json_array_append_new(tr, json_string(k));
    }
    return BW_OK;
}

/* A calling session's transitive tags join the new session, still transitive; the
 * request may not set them again (STS API reference, AssumeRole "Tags"). */
static enum bw_code inherit_tags(struct bw_call *c, json_t *t, json_t *tr, struct bw_err *err)
{
    const struct bw_principal *p = c->principal;
    if (!p->is_session || !p->session_transitive || !p->session_tags)
        return BW_OK;
    json_t *keys = json_loads(p->session_transitive, 0, NULL);
    json_t *prev = json_loads(p->session_tags, 0, NULL);
    enum bw_code rc = BW_OK;
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        const char *key = ci_key(prev, json_string_value(k));
        if (!key)
            continue;
        if (ci_key(t, key)) {
            rc = bw_fail(err, BW_E_INVALID_PARAMETER_VALUE,
                         "One of the specified transitive tag keys can't be set because it "
                         "conflicts with a transitive tag key from the calling session.");
            break;
        }
        json_object_set(t, key, json_object_get(prev, key));
        json_array_append_new(tr, json_string(key));
    }
    json_decref(keys);
    json_decref(prev);
    return rc;
}

/* The new session's tags as a JSON object and their transitive keys as a JSON array
 * (NULL when none): the request's, plus the calling session's transitive ones. */
static enum bw_code session_tags(struct bw_call *c, const char **tags, const char **transitive,
                                 struct bw_err *err)
{
    json_t *t = json_object(), *tr = json_array();
    *tags = *transitive = NULL;
    enum bw_code rc = request_tags(c, t, err);
    if (!rc)
        rc = transitive_keys(c, t, tr, err);
    if (!rc)
        rc = inherit_tags(c, t, tr, err);
    if (!rc && json_object_size(t))
        *tags = dump_arena(c, t, JSON_COMPACT | JSON_SORT_KEYS);
    if (!rc && json_array_size(tr))
        *transitive = dump_arena(c, tr, JSON_COMPACT);
    json_decref(t);
    json_decref(tr);
    return rc;
}

static enum bw_code check_session_name(const char *name, struct bw_err *err)
{
    if (!name)
        return bw_fail(err, BW_E_VALIDATION,
                       "1 validation error detected: Value null at 'roleSessionName' failed to "
                       "satisfy constraint: Member must not be null");
    size_t n = strlen(name);
    if (n < 2 || n > 64)
        return invalid(err, "roleSessionName", name, "Member must have length between 2 and 64");
    if (!valid_chars(name, "+=,.@-"))
        return invalid(err, "roleSessionName", name,
                       "Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    return BW_OK;
}

/* The trust policy alone must allow the caller (and sts:TagSession when session tags are
 * passed): unlike other resource policies, an identity policy never stands in for it (IAM
 * User Guide, "Granting a user permissions to switch roles"). Then the full evaluation, with
 * the trust policy as the resource-based policy, applies the identity side, SCPs and
 * boundaries: same-account principals named in the trust policy need no identity grant,
 * others (the account root, other accounts) do. */
static enum bw_code trust_allows(struct bw_call *c, const struct bw_policy *trust,
                                 const char *action, const char *arn, const struct role *r,
                                 struct bw_err *err)
{
    if (bw_authz_resource_policy_allows(c, action, arn, r->account, trust))
        return BW_OK;
    bw_fail(err, BW_E_ACCESS_DENIED, "User: %s is not authorized to perform: %s on resource: %s",
            c->principal->arn, action, arn);
    err->name = "AccessDenied";
    return err->code;
}

/* The STS keys a trust policy can test (IAM User Guide, "AWS STS condition keys"):
 * every check of this AssumeRole sees them. */
static void sts_context(struct bw_call *c, const char *session_name, const char *src_id)
{
    const char *v[50];
    if ((v[0] = bw_q_get(c, "ExternalId")))
        bw_authz_call_context(c, "sts:ExternalId", v, 1);
    v[0] = session_name;
    bw_authz_call_context(c, "sts:RoleSessionName", v, 1);
    if ((v[0] = src_id))
        bw_authz_call_context(c, "sts:SourceIdentity", v, 1);
    size_t n = 0;
    for (int i = 1; n < 50 && bw_q_member(c, "TransitiveTagKeys", i, NULL); i++)
        v[n++] = bw_q_member(c, "TransitiveTagKeys", i, NULL);
    if (n)
        bw_authz_call_context(c, "sts:TransitiveTagKeys", v, n);
}

static enum bw_code trust_check(struct bw_call *c, const struct role *r, const char *arn, bool tags,
                                struct bw_err *err)
{
    const struct bw_policy *trust;
    if (bw_authz_compile(c, r->trust, BW_POLICY_TRUST, "trust policy", &trust, err) ||
        trust_allows(c, trust, "sts:AssumeRole", arn, r, err) ||
        (tags && trust_allows(c, trust, "sts:TagSession", arn, r, err)))
        return err->code;
    return bw_authz_check_resource(c, "sts:AssumeRole", arn, r->account, trust, err);
}

static enum bw_code assume_role(struct bw_call *c, struct bw_err *err)
{
    const char *arn = bw_q_get(c, "RoleArn");
    const char *name = bw_q_get(c, "RoleSessionName");
    if (!arn)
        return bw_fail(err, BW_E_VALIDATION,
                       "1 validation error detected: Value null at 'roleArn' failed to satisfy "
                       "constraint: Member must not be null");
    if (check_session_name(name, err))
        return err->code;
    const char *ext = bw_q_get(c, "ExternalId");
    if (ext && (strlen(ext) < 2 || strlen(ext) > 1224 || !valid_chars(ext, "+=,.@:/-")))
        return invalid(err, "externalId", ext,
                       "Member must have length between 2 and 1224 and match [\\w+=,.@:/-]*");
    const char *src_id = bw_q_get(c, "SourceIdentity");
    if (src_id && (strlen(src_id) < 2 || strlen(src_id) > 64 || !valid_chars(src_id, "+=,.@-")))
        return invalid(err, "sourceIdentity", src_id,
                       "Member must have length between 2 and 64 and match [\\w+=,.@-]*");
    long secs;
    struct role r = {0};
    if (duration(bw_q_get(c, "DurationSeconds"), 3600, &secs, err) || load_role(c, arn, &r, err))
        return err->code;
    if (c->principal->type == BW_PRINCIPAL_ASSUMED_ROLE && secs > 3600)
        return bw_fail(err, BW_E_VALIDATION,
                       "The requested DurationSeconds exceeds the 1 hour session limit for "
                       "roles assumed by role chaining.");
    if (secs > r.max_session)
        return bw_fail(err, BW_E_VALIDATION,
                       "The requested DurationSeconds exceeds the MaxSessionDuration set for "
                       "this role.");
    if (c->principal->source_identity && src_id &&
        strcmp(c->principal->source_identity, src_id) != 0)
        return bw_fail(err, BW_E_ACCESS_DENIED,
                       "SourceIdentity cannot be changed once set by a previous session.");
    sts_context(c, name, src_id);
    if (!src_id)
        src_id = c->principal->source_identity;
    struct session_row row = {.kind = "role",
                              .role_name = r.name,
                              .role_id = r.id,
                              .role_path = r.path,
                              .session_name = name,
                              .source_identity = src_id,
                              .mfa = c->principal->mfa};
    if (session_policy(c, &row.policy, &row.policy_arns, err) ||
        session_tags(c, &row.tags, &row.transitive, err) ||
        trust_check(c, &r, arn, row.tags != NULL, err))
        return err->code;
    c->target_account = r.account;
    struct creds k;
    if (issue(c, r.account, &row, secs, &k, err))
        return err->code;
    write_creds(c, &k);
    char *assumed_arn =
        bw_arena_printf(c->arena, "arn:aws:sts::%s:assumed-role/%s/%s", r.account, r.name, name);
    char *assumed_id = bw_arena_printf(c->arena, "%s:%s", r.id, name);
    bw_xml_open(&c->xml, "AssumedRoleUser");
    bw_xml_elem(&c->xml, "AssumedRoleId", assumed_id);
    bw_xml_elem(&c->xml, "Arn", assumed_arn);
    bw_xml_close(&c->xml, "AssumedRoleUser");
    packed_policy_size_out(c, &row);
    bw_xml_elem(&c->xml, "SourceIdentity", src_id);
    json_object_set_new(c->trail_response, "assumedRoleUser",
                        json_pack("{s:s,s:s}", "assumedRoleId", assumed_id, "arn", assumed_arn));
    c->trail_resources =
        json_pack("[{s:s,s:s,s:s}]", "ARN", arn, "accountId", r.account, "type", "AWS::IAM::Role");
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, c->trail_resources);
    return BW_OK;
}

static const char *assume_role_resource(struct bw_call *c)
{
    return bw_q_get(c, "RoleArn");
}

/* ---- GetSessionToken, GetFederationToken ---- */

/* DurationSeconds of a user's or the root user's session: 900..129,600, 43,200 by
 * default; the root user's sessions are capped at one hour (STS API reference). */
static enum bw_code user_session_duration(struct bw_call *c, bool root, long *secs,
                                          struct bw_err *err)
{
    if (duration(bw_q_get(c, "DurationSeconds"), root ? 3600 : 43200, secs, err))
        return err->code;
    if (*secs > 129600)
        return invalid(err, "durationSeconds", bw_q_get(c, "DurationSeconds"),
                       "Member must have value less than or equal to 129600");
    if (root && *secs > 3600)
        *secs = 3600;
    return BW_OK;
}

static enum bw_code get_session_token(struct bw_call *c, struct bw_err *err)
{
    const struct bw_principal *p = c->principal;
    bool root = p->type == BW_PRINCIPAL_ROOT;
    long secs;
    if (user_session_duration(c, root, &secs, err))
        return err->code;
    struct session_row row = {.kind = "user",
                              .user_name = root ? NULL : p->user_name,
                              .role_id = root ? NULL : p->principal_id,
                              .role_path = root ? NULL : p->user_path,
                              .mfa = bw_q_get(c, "TokenCode") != NULL};
    struct creds k;
    if (issue(c, p->account_id, &row, secs, &k, err))
        return err->code;
    write_creds(c, &k);
    return BW_OK;
}

static const char *federation_resource(struct bw_call *c)
{
    const char *name = bw_q_get(c, "Name");
    return bw_arena_printf(c->arena, "arn:aws:sts::%s:federated-user/%s", c->principal->account_id,
                           name ? name : "");
}

static enum bw_code check_federated_name(const char *name, struct bw_err *err)
{
    if (!name)
        return bw_fail(err, BW_E_VALIDATION,
                       "1 validation error detected: Value null at 'name' failed to satisfy "
                       "constraint: Member must not be null");
    size_t n = strlen(name);
    if (n < 2 || n > 32)
        return invalid(err, "name", name, "Member must have length between 2 and 32");
    if (!valid_chars(name, "+=,.@-"))
        return invalid(err, "name", name,
                       "Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    return BW_OK;
}

static void federated_user_out(struct bw_call *c, const char *name, const struct session_row *r)
{
    char *id = bw_arena_printf(c->arena, "%s:%s", c->principal->account_id, name);
    const char *arn = federation_resource(c);
    bw_xml_open(&c->xml, "FederatedUser");
    bw_xml_elem(&c->xml, "FederatedUserId", id);
    bw_xml_elem(&c->xml, "Arn", arn);
    bw_xml_close(&c->xml, "FederatedUser");
    packed_policy_size_out(c, r);
    json_object_set_new(c->trail_response, "federatedUser",
                        json_pack("{s:s,s:s}", "federatedUserId", id, "arn", arn));
}

/* Credentials for a federated user named by the caller (an IAM user, or the root user):
 * the caller's identity policies intersected with the session policies passed here;
 * without one the credentials allow nothing a resource policy does not grant them. */
static enum bw_code get_federation_token(struct bw_call *c, struct bw_err *err)
{
    const struct bw_principal *p = c->principal;
    bool root = p->type == BW_PRINCIPAL_ROOT;
    const char *name = bw_q_get(c, "Name");
    long secs;
    if (check_federated_name(name, err) || user_session_duration(c, root, &secs, err))
        return err->code;
    struct session_row row = {.kind = "federated",
                              .user_name = root ? NULL : p->user_name,
                              .role_id = root ? NULL : p->principal_id,
                              .role_path = root ? NULL : p->user_path,
                              .session_name = name};
    if (session_policy(c, &row.policy, &row.policy_arns, err) ||
        session_tags(c, &row.tags, &row.transitive, err) ||
        (row.tags && bw_authz_check(c, "sts:TagSession", federation_resource(c), err)))
        return err->code;
    struct creds k;
    if (issue(c, p->account_id, &row, secs, &k, err))
        return err->code;
    write_creds(c, &k);
    federated_user_out(c, name, &row);
    return BW_OK;
}

static const struct bw_op ops[] = {
    {"GetCallerIdentity", "sts:GetCallerIdentity", BW_OP_NO_AUTHZ | BW_OP_NO_STORE, NULL,
     get_caller_identity},
    {"AssumeRole", "sts:AssumeRole", BW_OP_MUTATES | BW_OP_NO_AUTHZ, assume_role_resource,
     assume_role},
    {"GetFederationToken", "sts:GetFederationToken", BW_OP_MUTATES | BW_OP_NO_SESSION,
     federation_resource, get_federation_token},
    {"GetSessionToken", "sts:GetSessionToken", BW_OP_MUTATES | BW_OP_NO_AUTHZ | BW_OP_NO_SESSION,
     NULL, get_session_token},
};

const struct bw_service bw_svc_sts = {
    .name = "sts",
    .event_source = "sts.amazonaws.com",
    .protocol = BW_PROTO_QUERY,
    .xmlns = "https://sts.amazonaws.com/doc/2011-06-15/",
    .version = "2011-06-15",
    .access_denied = "AccessDenied",
    .ops = ops,
    .n_ops = sizeof ops / sizeof ops[0],
};

void bw_svc_sts_register(struct bw_server *srv);
void bw_svc_sts_register(struct bw_server *srv)
{
    bw_server_add_service(srv, &bw_svc_sts);
}
