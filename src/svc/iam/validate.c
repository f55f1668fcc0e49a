/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IAM input validation with IAM's own wording, resource-ARN builders and
 * Marker/MaxItems paging. Markers are opaque to clients: "m" + hex of the
 * offset, so a forged marker is detected and rejected as a ValidationError.
 */
#include "svc/iam/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum bw_code invalid(struct bw_err *err, const char *field, const char *v,
                            const char *constraint)
{
    return bw_fail(err, BW_E_VALIDATION,
                   "1 validation error detected: Value '%s' at '%s' failed to satisfy "
                   "constraint: %s",
                   v, field, constraint);
}

enum bw_code bw_iam__check_name(const char *field, const char *v, size_t max, struct bw_err *err)
{
    size_t n = strlen(v);
    if (n < 1 || n > max)
        return invalid(err, field, v,
                       max == 64 ? "Member must have length less than or equal to 64"
                                 : "Member must have length less than or equal to 128");
    for (const char *p = v; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_+=,.@-", *p))
            return invalid(err, field, v,
                           "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    return BW_OK;
}

enum bw_code bw_iam__check_path(const char *v, struct bw_err *err)
{
    size_t n = strlen(v);
    bool ok = n >= 1 && n <= 512 && v[0] == '/' && v[n - 1] == '/';
    for (const char *p = v; ok && *p; p++)
        ok = *p >= 0x21 && *p <= 0x7e;
    if (!ok)
        return invalid(err, "path", v,
                       "Member must satisfy regular expression pattern: "
                       "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
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

enum bw_code bw_iam__paging(struct bw_call *c, int64_t *offset, int64_t *max, struct bw_err *err)
{
    const char *m = bw_q_get(c, "Marker");
    const char *mi = bw_q_get(c, "MaxItems");
    *offset = 0;
    *max = 100;
    if (mi) {
        char *end;
        long v = strtol(mi, &end, 10);
        if (!*mi || *end || v < 1 || v > 1000)
            return invalid(err, "maxItems", mi,
                           "Member must have value between 1 and 1000");
        *max = v;
    }
    if (m) {
        char *end;
        long long v = m[0] == 'm' ? strtoll(m + 1, &end, 16) : -1;
        if (v < 0 || m[1] == 0 || *end)
            return invalid(err, "marker", m, "Member must be a marker returned by a previous call");
        *offset = v;
    }
    return BW_OK;
}

void bw_iam__paging_end(struct bw_call *c, bool truncated, int64_t next_offset)
{
    bw_xml_elem_bool(&c->xml, "IsTruncated", truncated);
    if (truncated) {
        char m[32];
        snprintf(m, sizeof m, "m%llx", (unsigned long long)next_offset);
        bw_xml_elem(&c->xml, "Marker", m);
    }
}

const char *bw_iam__user_arn(struct bw_call *c)
{
    const char *name = bw_q_get(c, "UserName");
    const char *path = bw_q_get(c, "Path");
    if (!name)
        return "*";
    return bw_arena_printf(c->arena, "arn:aws:iam::%s:user%s%s", c->principal->account_id,
                           path ? path : "/", name);
}

const char *bw_iam__user_arn_or_self(struct bw_call *c)
{
    const char *name = bw_q_get(c, "UserName");
    if (!name)
        return c->principal->arn;
    const char *path = "/";
    struct bw_err err;
    sqlite3_stmt *st = bw_db_prep(c->db, "SELECT path FROM iam_users WHERE account_id=? AND name=?",
                                  &err, "ss", c->principal->account_id, name);
    bool row;
    if (st && bw_db_step(c->db, st, &row, &err) == BW_OK && row)
        path = bw_db_col_str(c->arena, st, 0);
    return bw_arena_printf(c->arena, "arn:aws:iam::%s:user%s%s", c->principal->account_id, path,
                           name);
}
