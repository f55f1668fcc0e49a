/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CloudTrail trail operations: CreateTrail, UpdateTrail, DeleteTrail, GetTrail,
 * DescribeTrails, ListTrails, GetTrailStatus, StartLogging, StopLogging.
 * Shapes: botocore cloudtrail 2013-11-01. A trail writes its files under
 * <trails-dir>/<name>/ (trails-dir = $BULWARK_TRAIL_DIR or <data-dir>/trails);
 * S3BucketName is kept as a label and written into digests as the bucket, there
 * is no S3 here. A trail is created not logging, as CloudTrail's API does.
 * Organization trails belong to the management account; members see them in
 * DescribeTrails/GetTrail/GetTrailStatus but cannot change them.
 */
#include "svc/cloudtrail/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void bw_ct__trail_row(struct bw_arena *a, sqlite3_stmt *st, struct bw_ct_trail *t)
{
    t->id = sqlite3_column_int64(st, 0);
    t->key_id = sqlite3_column_int64(st, 1);
    const char **s[] = {&t->account, &t->name, &t->arn,           &t->home_region, &t->bucket,
                        &t->prefix,  &t->sns,  &t->kms,           &t->cw_group,    &t->cw_role,
                        &t->org_id,  &t->dir,  &t->delivery_error};
    for (int i = 0; i < 13; i++)
        *s[i] = bw_db_col_str(a, st, 2 + i);
    t->include_global = sqlite3_column_int(st, 15);
    t->multi_region = sqlite3_column_int(st, 16);
    t->validation = sqlite3_column_int(st, 17);
    t->is_org = sqlite3_column_int(st, 18);
    t->logging = sqlite3_column_int(st, 19);
    int64_t *m[] = {&t->created_ms, &t->start_ms, &t->stop_ms, &t->last_delivery_ms,
                    &t->last_digest_ms};
    for (int i = 0; i < 5; i++)
        *m[i] =
            sqlite3_column_type(st, 20 + i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 20 + i);
}

static bool name_valid(const char *n)
{
    size_t len = strlen(n);
    if (len < 3 || len > 128 || !isalnum((unsigned char)n[0]) ||
        !isalnum((unsigned char)n[len - 1]))
        return false;
    int dots = 0;
    bool digits_dots = true;
    for (size_t i = 0; i < len; i++) {
        char ch = n[i];
        bool punct = ch == '.' || ch == '_' || ch == '-';
        if (!isalnum((unsigned char)ch) && !punct)
            return false;
        if (punct && i > 0 && (n[i - 1] == '.' || n[i - 1] == '_' || n[i - 1] == '-'))
            return false;
        dots += ch == '.';
        digits_dots &= isdigit((unsigned char)ch) || ch == '.';
    }
    return !(digits_dots && dots == 3); /* not an IP address */
}

static enum bw_code name_fail(struct bw_err *err, const char *n)
{
    return bw_fail(err, BW_E_CT_INVALID_TRAIL_NAME,
                   "Trail name or ARN can only contain uppercase letters, lowercase letters, "
                   "numbers, periods (.), hyphens (-), and underscores (_): %.200s",
                   n);
}

static const char *const by_account_sql =
    "SELECT id, key_id, account_id, name, arn, home_region, s3_bucket, s3_prefix, sns_topic,"
    " kms_key_id, cw_group_arn, cw_role_arn, org_id, dir, delivery_error, include_global,"
    " multi_region, validation, is_org, logging, created_ms, start_ms, stop_ms,"
    " last_delivery_ms, last_digest_ms FROM trails WHERE account_id = ? AND name = ?";

static bool load(struct bw_call *c, const char *account, const char *name, struct bw_ct_trail *t)
{
    sqlite3_stmt *st = bw_db_prep(c->db, by_account_sql, NULL, "ss", account, name);
    bool row = false;
    if (st && !bw_db_step(c->db, st, &row, NULL) && row)
        bw_ct__trail_row(c->arena, st, t);
    if (st)
        sqlite3_reset(st);
    return row;
}

/* True when the caller may see t: its own trail or its organization's trail. */
static bool visible(struct bw_call *c, const struct bw_ct_trail *t)
{
    if (strcmp(t->account, c->principal->account_id) == 0)
        return true;
    const char *org = t->is_org ? bw_trail_org_of(c->db, c->arena, c->principal->account_id) : NULL;
    return org && t->org_id && strcmp(org, t->org_id) == 0;
}

enum bw_code bw_ct__trail_find(struct bw_call *c, const char *name, struct bw_ct_trail *out,
                               struct bw_err *err)
{
    if (!name || !name[0])
        return bw_fail(err, BW_E_CT_INVALID_TRAIL_NAME, "Trail name or ARN must be specified.");
    const char *account = c->principal->account_id, *n = name;
    if (strncmp(name, "arn:", 4) == 0) {
        /* arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME */
        const char *p = name;
        for (int i = 0; i < 4 && p; i++)
            p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
        const char *slash = p ? strstr(p, ":trail/") : NULL;
        if (!slash || slash - p != 12)
            return name_fail(err, name);
        account = bw_arena_strndup(c->arena, p, 12);
        n = slash + 7;
    }
    if (!name_valid(n))
        return name_fail(err, n);
    memset(out, 0, sizeof *out);
    if (load(c, account, n, out) && visible(c, out))
        return BW_OK;
    return bw_fail(err, BW_E_CT_TRAIL_NOT_FOUND, "Unknown trail: %s for the user: %s", name,
                   c->principal->account_id);
}

enum bw_code bw_ct__trail_find_owned(struct bw_call *c, const char *name, struct bw_ct_trail *out,
                                     struct bw_err *err)
{
    if (bw_ct__trail_find(c, name, out, err))
        return err->code;
    if (strcmp(out->account, c->principal->account_id) != 0)
        return bw_fail(err, BW_E_CT_NOT_ORG_MASTER,
                       "The request was rejected because the current account is not the "
                       "management account of the organization that owns trail %s.",
                       out->arn);
    c->trail_resources = json_pack("[{s:s,s:s,s:s}]", "ARN", out->arn, "accountId", out->account,
                                   "type", "AWS::CloudTrail::Trail");
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, c->trail_resources);
    return BW_OK;
}

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v)
        json_object_set_new(o, k, json_string(v));
}

json_t *bw_ct__trail_json(const struct bw_ct_trail *t)
{
    json_t *o = json_object();
    set_str(o, "Name", t->name);
    set_str(o, "S3BucketName", t->bucket);
    set_str(o, "S3KeyPrefix", t->prefix);
    set_str(o, "SnsTopicName", t->sns);
    if (t->sns)
        json_object_set_new(
            o, "SnsTopicARN",
            json_sprintf("arn:aws:sns:%s:%s:%s", t->home_region, t->account, t->sns));
    json_object_set_new(o, "IncludeGlobalServiceEvents", json_boolean(t->include_global));
    json_object_set_new(o, "IsMultiRegionTrail", json_boolean(t->multi_region));
    set_str(o, "HomeRegion", t->home_region);
    set_str(o, "TrailARN", t->arn);
    json_object_set_new(o, "LogFileValidationEnabled", json_boolean(t->validation));
    set_str(o, "CloudWatchLogsLogGroupArn", t->cw_group);
    set_str(o, "CloudWatchLogsRoleArn", t->cw_role);
    set_str(o, "KmsKeyId", t->kms);
    json_object_set_new(o, "HasCustomEventSelectors", json_false());
    json_object_set_new(o, "HasInsightSelectors", json_false());
    json_object_set_new(o, "IsOrganizationTrail", json_boolean(t->is_org));
    return o;
}

void bw_ct__set_out(struct bw_call *c, json_t *out)
{
    c->out = out;
    bw_arena_defer(c->arena, (bw_arena_fn)json_decref, out);
}

enum bw_code bw_ct__bool(struct bw_call *c, const char *name, int *out, struct bw_err *err)
{
    json_t *v = json_object_get(c->in, name);
    *out = -1;
    if (!v || json_is_null(v))
        return BW_OK;
    if (!json_is_boolean(v))
        return bw_fail(err, BW_E_SERIALIZATION, "Unexpected value for %s: expected a boolean",
                       name);
    *out = json_is_true(v);
    return BW_OK;
}

enum bw_code bw_ct__time(struct bw_call *c, const char *name, int64_t *out, struct bw_err *err)
{
    json_t *v = json_object_get(c->in, name);
    *out = -1;
    if (!v || json_is_null(v))
        return BW_OK;
    if (json_is_number(v)) {
        double d = json_number_value(v);
        if (d < 0 || d > 1e11)
            return bw_fail(err, BW_E_CT_INVALID_TIME_RANGE, "%s is out of range.", name);
        *out = (int64_t)(d * 1000);
        return BW_OK;
    }
    int64_t s;
    if (json_is_string(v) && bw_time_parse(json_string_value(v), json_string_length(v), &s)) {
        *out = s * 1000;
        return BW_OK;
    }
    return bw_fail(err, BW_E_SERIALIZATION, "Unexpected value for %s: expected a timestamp", name);
}

const char *bw_ct__name_arn(struct bw_call *c)
{
    const char *n = json_string_value(json_object_get(c->in, "Name"));
    if (!n)
        return "*";
    if (strncmp(n, "arn:", 4) == 0)
        return n;
    return bw_arena_printf(c->arena, "arn:aws:cloudtrail:%s:%s:trail/%s", c->region,
                           c->principal->account_id, n);
}
