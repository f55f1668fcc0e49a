/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IAM input validation with IAM's own wording ("1 validation error detected:
 * Value 'x' at 'userName' failed to satisfy constraint: …", the constraints of
 * the 2010-05-08 API model), Marker/MaxItems paging, the percent-encoding of
 * policy documents in responses, and policy document checks through the policy
 * engine. Markers are opaque to clients: "m" + hex of the offset; a forged
 * marker is rejected as a ValidationError.
 */
#include "svc/iam/internal.h"

#include <ctype.h>
#include <stdlib.h>

enum bw_code bw_iam__invalid(struct bw_err *err, const char *field, const char *v,
                             const char *constraint)
{
    return bw_fail(err, BW_E_VALIDATION,
                   "1 validation error detected: Value '%s' at '%s' failed to satisfy "
                   "constraint: %s",
                   v, field, constraint);
}

enum bw_code bw_iam__check_len(const char *field, const char *v, size_t min, size_t max,
                               struct bw_err *err)
{
    size_t n = strlen(v);
    char msg[96];
    if (n < min)
        snprintf(msg, sizeof msg, "Member must have length greater than or equal to %zu", min);
    else if (n > max)
        snprintf(msg, sizeof msg, "Member must have length less than or equal to %zu", max);
    else
        return BW_OK;
    return bw_iam__invalid(err, field, v, msg);
}

enum bw_code bw_iam__check_name(const char *field, const char *v, size_t max, struct bw_err *err)
{
    if (bw_iam__check_len(field, v, 1, max, err))
        return err->code;
    for (const char *p = v; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_+=,.@-", *p))
            return bw_iam__invalid(err, field, v,
                                   "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    return BW_OK;
}

enum bw_code bw_iam__check_path(const char *field, const char *v, struct bw_err *err)
{
    size_t n = strlen(v);
    if (bw_iam__check_len(field, v, 1, 512, err))
        return err->code;
    bool ok = v[0] == '/' && v[n - 1] == '/';
    for (const char *p = v; ok && *p; p++)
        ok = *p >= 0x21 && *p <= 0x7e;
    if (!ok)
        return bw_iam__invalid(err, field, v,
                               "Member must satisfy regular expression pattern: "
                               "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
    return BW_OK;
}

enum bw_code bw_iam__check_prefix(const char *v, struct bw_err *err)
{
    if (bw_iam__check_len("pathPrefix", v, 1, 512, err))
        return err->code;
    bool ok = v[0] == '/';
    for (const char *p = v; ok && *p; p++)
        ok = (unsigned char)*p >= 0x21 && (unsigned char)*p <= 0x7f;
    if (!ok)
        return bw_iam__invalid(err, "pathPrefix", v,
                               "Member must satisfy regular expression pattern: "
                               "\\u002F[\\u0021-\\u007F]*");
    return BW_OK;
}

enum bw_code bw_iam__check_enum(const char *field, const char *v, const char *const *allowed,
                                const char *set_text, struct bw_err *err)
{
    for (size_t i = 0; allowed[i]; i++)
        if (strcmp(v, allowed[i]) == 0)
            return BW_OK;
    char msg[256];
    snprintf(msg, sizeof msg, "Member must satisfy enum value set: [%s]", set_text);
    return bw_iam__invalid(err, field, v, msg);
}

enum bw_code bw_iam__check_arn(const char *v, struct bw_err *err)
{
    size_t n = strlen(v);
    if (n < 20 || n > 2048 || strncmp(v, "arn:", 4) != 0)
        return bw_fail(err, BW_E_IAM_INVALID_INPUT, "ARN %s is not valid.", v);
    int colons = 0;
    for (const char *p = v; *p; p++)
        colons += *p == ':';
    if (colons < 5)
        return bw_fail(err, BW_E_IAM_INVALID_INPUT, "ARN %s is not valid.", v);
    return BW_OK;
}

enum bw_code bw_iam__required(struct bw_call *c, const char *param, const char **out,
                              struct bw_err *err)
{
    *out = bw_q_get(c, param);
    if (*out)
        return BW_OK;
    char field[64];
    snprintf(field, sizeof field, "%s", param);
    field[0] = (char)tolower((unsigned char)field[0]);
    return bw_fail(err, BW_E_VALIDATION,
                   "1 validation error detected: Value null at '%s' failed to satisfy "
                   "constraint: Member must not be null",
                   field);
}

enum bw_code bw_iam__bool_param(struct bw_call *c, const char *param, bool *out, struct bw_err *err)
{
    const char *v = bw_q_get(c, param);
    if (!v)
        return BW_OK;
    if (strcasecmp(v, "true") == 0)
        *out = true;
    else if (strcasecmp(v, "false") == 0)
        *out = false;
    else
        return bw_fail(err, BW_E_VALIDATION, "Invalid boolean value '%s' for %s", v, param);
    return BW_OK;
}

enum bw_code bw_iam__int_param(struct bw_call *c, const char *param, const char *field, int lo,
                               int hi, int *out, bool *present, struct bw_err *err)
{
    const char *v = bw_q_get(c, param);
    if (present)
        *present = v != NULL;
    if (!v)
        return BW_OK;
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end)
        return bw_fail(err, BW_E_VALIDATION, "Invalid integer value '%s' for %s", v, param);
    char msg[96];
    if (x < lo)
        snprintf(msg, sizeof msg, "Member must have value greater than or equal to %d", lo);
    else if (x > hi)
        snprintf(msg, sizeof msg, "Member must have value less than or equal to %d", hi);
    else {
        *out = (int)x;
        return BW_OK;
    }
    return bw_iam__invalid(err, field, v, msg);
}

enum bw_code bw_iam__paging(struct bw_call *c, struct bw_iam__page *pg, struct bw_err *err)
{
    memset(pg, 0, sizeof *pg);
    int max = 100;
    if (bw_iam__int_param(c, "MaxItems", "maxItems", 1, 1000, &max, NULL, err))
        return err->code;
    pg->max = max;
    const char *m = bw_q_get(c, "Marker");
    if (m) {
        char *end = NULL;
        long long v = m[0] == 'm' && m[1] ? strtoll(m + 1, &end, 16) : -1;
        /* bounded so that offset + MaxItems can never overflow */
        if (v < 0 || v > (1LL << 40) || !end || *end)
            return bw_iam__invalid(err, "marker", m,
                                   "Member must be a marker returned by a previous call");
        pg->off = v;
    }
    return BW_OK;
}

bool bw_iam__page_step(struct bw_call *c, sqlite3_stmt *st, struct bw_iam__page *pg,
                       struct bw_err *err)
{
    bool row = false;
    if (bw_db_step(c->db, st, &row, err) || !row)
        return false;
    if (pg->n == pg->max) {
        pg->truncated = true;
        return false;
    }
    pg->n++;
    return true;
}

void bw_iam__paging_end(struct bw_call *c, const struct bw_iam__page *pg)
{
    bw_xml_elem_bool(&c->xml, "IsTruncated", pg->truncated);
    if (pg->truncated) {
        char m[32];
        snprintf(m, sizeof m, "m%llx", (unsigned long long)(pg->off + pg->max));
        bw_xml_elem(&c->xml, "Marker", m);
    }
}

const char *bw_iam__urlenc(struct bw_arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *o = bw_arena_alloc(a, n * 3 + 1), *q = o;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            *q++ = (char)*p;
        } else {
            *q++ = '%';
            *q++ = hex[*p >> 4];
            *q++ = hex[*p & 15];
        }
    }
    *q = 0;
    return o;
}

size_t bw_iam__policy_chars(const char *doc)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)doc; *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && (*p & 0xC0) != 0x80)
            n++;
    return n;
}

enum bw_code bw_iam__doc_check(const char *field, const char *doc, enum bw_policy_kind kind,
                               size_t max_chars, const char *limit_msg, struct bw_err *err)
{
    if (bw_iam__check_len(field, doc, 1, 131072, err))
        return err->code;
    for (const unsigned char *p = (const unsigned char *)doc; *p; p++)
        if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
            return bw_iam__invalid(err, field, doc,
                                   "Member must satisfy regular expression pattern: "
                                   "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
    struct bw_policy *p;
    struct bw_policy_diag diag;
    struct bw_err perr;
    bw_err_clear(&perr);
    if (bw_policy_compile(doc, strlen(doc), kind, NULL, max_chars, &p, &diag, &perr)) {
        if (diag.too_large)
            return bw_fail(err, BW_E_IAM_LIMIT_EXCEEDED, "%s", limit_msg);
        if (perr.code != BW_E_IAM_MALFORMED_POLICY)
            return bw_fail(err, perr.code, "%s", perr.msg);
        return bw_fail(err, BW_E_IAM_MALFORMED_POLICY, "%s", diag.msg);
    }
    bw_policy_free(p);
    return BW_OK;
}

bool bw_iam__is_aws_policy(const char *arn)
{
    return strncmp(arn, "arn:aws:iam::aws:policy/", 24) == 0;
}

enum bw_code bw_iam__aws_policy_denied(struct bw_call *c, const char *arn, struct bw_err *err)
{
    bw_fail(err, BW_E_ACCESS_DENIED,
            "User: %s is not authorized to perform: %s on resource: policy %s because no "
            "resource-based policy allows the %s action",
            c->principal->arn, c->op->action, arn, c->op->action);
    err->name = "AccessDenied";
    return err->code;
}

static const char *const visible_sql = "SELECT account_id FROM iam_policies WHERE arn = ?";

enum bw_code bw_iam__policy_visible(struct bw_call *c, const char *arn, bool boundary,
                                    struct bw_err *err)
{
    if (bw_iam__check_arn(arn, err))
        return err->code;
    sqlite3_stmt *st = bw_db_prep(c->db, visible_sql, err, "s", arn);
    bool row = false;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    const char *owner = row ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (!owner || (strcmp(owner, "aws") != 0 && strcmp(owner, c->principal->account_id) != 0))
        return boundary ? bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY,
                                  "Scope ARN: %s does not exist or is not attachable.", arn)
                        : bw_fail(err, BW_E_IAM_NO_SUCH_ENTITY,
                                  "Policy %s does not exist or is not attachable.", arn);
    return BW_OK;
}
