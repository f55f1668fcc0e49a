/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The handlers of CloudTrail's trail operations (see trails.c for the rules they
 * share). Every change runs in the dispatcher's write transaction with its own
 * audit event; StopLogging's event is delivered by the trail it stops, because
 * the writer drains a stopped trail up to the StopLogging time.
 */
#include "svc/cloudtrail/internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define MAX_TRAILS 5 /* per account and region (CloudTrail quota) */

struct trail_in {
    const char *name, *bucket, *prefix, *sns, *kms, *cw_group, *cw_role;
    int global, multi, validation, org;
};

static enum bw_code read_in(struct bw_call *c, bool create, struct trail_in *in, struct bw_err *err)
{
    memset(in, 0, sizeof *in);
    if (bw_j_str(c, "Name", true, &in->name, err) ||
        bw_j_str(c, "S3BucketName", create, &in->bucket, err) ||
        bw_j_str(c, "S3KeyPrefix", false, &in->prefix, err) ||
        bw_j_str(c, "SnsTopicName", false, &in->sns, err) ||
        bw_j_str(c, "KmsKeyId", false, &in->kms, err) ||
        bw_j_str(c, "CloudWatchLogsLogGroupArn", false, &in->cw_group, err) ||
        bw_j_str(c, "CloudWatchLogsRoleArn", false, &in->cw_role, err) ||
        bw_ct__bool(c, "IncludeGlobalServiceEvents", &in->global, err) ||
        bw_ct__bool(c, "IsMultiRegionTrail", &in->multi, err) ||
        bw_ct__bool(c, "EnableLogFileValidation", &in->validation, err) ||
        bw_ct__bool(c, "IsOrganizationTrail", &in->org, err))
        return err->code;
    if (in->bucket) {
        size_t n = strlen(in->bucket);
        bool ok = n >= 3 && n <= 63;
        for (size_t i = 0; ok && i < n; i++)
            ok = (in->bucket[i] >= 'a' && in->bucket[i] <= 'z') ||
                 (in->bucket[i] >= '0' && in->bucket[i] <= '9') || in->bucket[i] == '.' ||
                 in->bucket[i] == '-';
        if (!ok)
            return bw_fail(err, BW_E_CT_INVALID_S3_BUCKET_NAME, "Bucket name %.100s is not valid.",
                           in->bucket);
    }
    if (in->prefix &&
        (strlen(in->prefix) > 200 || strstr(in->prefix, "..") || in->prefix[0] == '/'))
        return bw_fail(err, BW_E_CT_INVALID_S3_PREFIX, "Invalid S3 prefix: %.100s", in->prefix);
    return BW_OK;
}

/* Checks that the caller manages an organization; *org gets its id. */
static enum bw_code org_check(struct bw_call *c, const char **org, struct bw_err *err)
{
    *org = bw_trail_org_of(c->db, c->arena, c->principal->account_id);
    if (!*org)
        return bw_fail(err, BW_E_CT_ORGS_NOT_IN_USE,
                       "This account is not a member of an organization.");
    const char *mgmt = bw_trail_org_management(c->db, c->arena, *org);
    if (!mgmt || strcmp(mgmt, c->principal->account_id) != 0)
        return bw_fail(err, BW_E_CT_NOT_ORG_MASTER,
                       "The request was rejected because the current account is not the "
                       "management account of the organization.");
    return BW_OK;
}

static const char *trails_base(struct bw_call *c)
{
    const char *env = getenv("BULWARK_TRAIL_DIR");
    if (env && env[0])
        return env;
    return bw_arena_printf(c->arena, "%s/trails", bw_server_config(c->srv)->data_dir);
}

static void respond_trail(struct bw_call *c, const struct bw_ct_trail *t)
{
    json_t *o = bw_ct__trail_json(t);
    json_object_del(o, "HomeRegion");
    json_object_del(o, "HasCustomEventSelectors");
    json_object_del(o, "HasInsightSelectors");
    bw_ct__set_out(c, o);
    c->trail_response = o;
}

static const char *const count_sql =
    "SELECT COUNT(*) FROM trails WHERE account_id = ? AND home_region = ?";
static const char *const insert_sql =
    "INSERT INTO trails (account_id, name, arn, home_region, s3_bucket, s3_prefix, sns_topic,"
    " include_global, multi_region, validation, is_org, org_id, kms_key_id, cw_group_arn,"
    " cw_role_arn, dir, created_ms, key_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static enum bw_code check_quota(struct bw_call *c, struct bw_err *err)
{
    sqlite3_stmt *st = bw_db_prep(c->db, count_sql, err, "ss", c->principal->account_id, c->region);
    bool row;
    if (!st || bw_db_step(c->db, st, &row, err))
        return err->code;
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (n >= MAX_TRAILS)
        return bw_fail(err, BW_E_CT_MAX_TRAILS_EXCEEDED, "User: %s already has %d trails in %s.",
                       c->principal->account_id, MAX_TRAILS, c->region);
    return BW_OK;
}

static enum bw_code key_for(struct bw_call *c, bool validation, int64_t *key_id, struct bw_err *err)
{
    if (!validation || *key_id)
        return BW_OK;
    return bw_trail_key_create(c->db, bw_server_secrets(c->srv), c->now_ms, key_id, err);
}

static enum bw_code insert_trail(struct bw_call *c, const struct trail_in *in, const char *org,
                                 struct bw_err *err)
{
    const char *acct = c->principal->account_id;
    const char *arn =
        bw_arena_printf(c->arena, "arn:aws:cloudtrail:%s:%s:trail/%s", c->region, acct, in->name);
    const char *dir = bw_arena_printf(c->arena, "%s/%s", trails_base(c), in->name);
    int64_t key_id = 0;
    if (key_for(c, in->validation == 1, &key_id, err))
        return err->code;
    if (bw_db_exec(c->db, err, NULL, insert_sql,
                   "sssssssdddds"
                   "ssss"
                   "i"
                   "n",
                   acct, in->name, arn, c->region, in->bucket, in->prefix, in->sns, in->global != 0,
                   in->multi == 1, in->validation == 1, in->org == 1, org, in->kms, in->cw_group,
                   in->cw_role, dir, c->now_ms) == BW_OK)
        return key_id ? bw_db_exec(c->db, err, NULL,
                                   "UPDATE trails SET key_id = ? WHERE account_id = ? AND name = ?",
                                   "iss", key_id, acct, in->name)
                      : BW_OK;
    if (bw_db_last_was_unique_violation(c->db))
        return bw_fail(err, BW_E_CT_TRAIL_ALREADY_EXISTS,
                       "Trail %s already exists for customer: %s", in->name, acct);
    return err->code;
}

enum bw_code bw_ct__create_trail(struct bw_call *c, struct bw_err *err)
{
    struct trail_in in;
    if (read_in(c, true, &in, err))
        return err->code;
    if (strncmp(in.name, "arn:", 4) == 0)
        return bw_fail(err, BW_E_CT_INVALID_TRAIL_NAME, "Trail name must not be an ARN.");
    struct bw_ct_trail t;
    if (bw_ct__trail_find(c, in.name, &t, err) == BW_OK)
        return bw_fail(err, BW_E_CT_TRAIL_ALREADY_EXISTS,
                       "Trail %s already exists for customer: %s", in.name,
                       c->principal->account_id);
    if (err->code != BW_E_CT_TRAIL_NOT_FOUND)
        return err->code;
    bw_err_clear(err);
    if (in.multi == 1 && in.global == 0)
        return bw_fail(err, BW_E_CT_INVALID_PARAMETER_COMBINATION,
                       "Multi-Region trail must include global service events.");
    const char *org = NULL;
    if ((in.org == 1 && org_check(c, &org, err)) || check_quota(c, err) ||
        insert_trail(c, &in, org, err))
        return err->code;
    if (bw_ct__trail_find_owned(c, in.name, &t, err))
        return err->code;
    respond_trail(c, &t);
    return BW_OK;
}

static const char *const update_sql =
    "UPDATE trails SET s3_bucket = COALESCE(?, s3_bucket), s3_prefix = COALESCE(?, s3_prefix),"
    " sns_topic = COALESCE(?, sns_topic), kms_key_id = COALESCE(?, kms_key_id),"
    " cw_group_arn = COALESCE(?, cw_group_arn), cw_role_arn = COALESCE(?, cw_role_arn),"
    " include_global = CASE WHEN ? < 0 THEN include_global ELSE ? END,"
    " multi_region = CASE WHEN ? < 0 THEN multi_region ELSE ? END,"
    " validation = CASE WHEN ? < 0 THEN validation ELSE ? END,"
    " is_org = CASE WHEN ? < 0 THEN is_org ELSE ? END, org_id = COALESCE(?, org_id),"
    " key_id = ? WHERE id = ?";

enum bw_code bw_ct__update_trail(struct bw_call *c, struct bw_err *err)
{
    struct trail_in in;
    struct bw_ct_trail t;
    if (read_in(c, false, &in, err) || bw_ct__trail_find_owned(c, in.name, &t, err))
        return err->code;
    int global = in.global < 0 ? t.include_global : in.global;
    int multi = in.multi < 0 ? t.multi_region : in.multi;
    if (multi && !global)
        return bw_fail(err, BW_E_CT_INVALID_PARAMETER_COMBINATION,
                       "Multi-Region trail must include global service events.");
    const char *org = NULL;
    if (in.org == 1 && !t.is_org && org_check(c, &org, err))
        return err->code;
    int64_t key_id = t.key_id;
    if (key_for(c, in.validation == 1, &key_id, err) ||
        bw_db_exec(c->db, err, NULL, update_sql,
                   "ssssss"
                   "dddddddd"
                   "s"
                   "ii",
                   in.bucket, in.prefix, in.sns, in.kms, in.cw_group, in.cw_role, in.global,
                   in.global, in.multi, in.multi, in.validation, in.validation, in.org, in.org, org,
                   key_id, t.id) ||
        bw_ct__trail_find_owned(c, t.arn, &t, err))
        return err->code;
    respond_trail(c, &t);
    return BW_OK;
}

enum bw_code bw_ct__delete_trail(struct bw_call *c, struct bw_err *err)
{
    const char *name;
    struct bw_ct_trail t;
    if (bw_j_str(c, "Name", true, &name, err) || bw_ct__trail_find_owned(c, name, &t, err))
        return err->code;
    /* the files stay: they are write-once evidence; only the trail stops existing */
    return bw_db_exec(c->db, err, NULL, "DELETE FROM trails WHERE id = ?", "i", t.id);
}

enum bw_code bw_ct__get_trail(struct bw_call *c, struct bw_err *err)
{
    const char *name;
    struct bw_ct_trail t;
    if (bw_j_str(c, "Name", true, &name, err) || bw_ct__trail_find(c, name, &t, err))
        return err->code;
    json_t *o = json_object();
    json_object_set_new(o, "Trail", bw_ct__trail_json(&t));
    bw_ct__set_out(c, o);
    return BW_OK;
}

static const char *const visible_sql =
    "SELECT id, key_id, account_id, name, arn, home_region, s3_bucket, s3_prefix, sns_topic,"
    " kms_key_id, cw_group_arn, cw_role_arn, org_id, dir, delivery_error, include_global,"
    " multi_region, validation, is_org, logging, created_ms, start_ms, stop_ms,"
    " last_delivery_ms, last_digest_ms FROM trails WHERE account_id = ?1 OR (is_org = 1 AND"
    " org_id = ?2) ORDER BY name, account_id";

/* Every trail the caller can see, as Trail shapes or TrailInfo shapes. */
static enum bw_code visible_trails(struct bw_call *c, bool info, json_t *out, struct bw_err *err)
{
    const char *org = bw_trail_org_of(c->db, c->arena, c->principal->account_id);
    sqlite3_stmt *st = bw_db_prep(c->db, visible_sql, err, "ss", c->principal->account_id, org);
    if (!st)
        return err->code;
    bool row;
    while (!bw_db_step(c->db, st, &row, err) && row) {
        struct bw_ct_trail t;
        bw_ct__trail_row(c->arena, st, &t);
        json_array_append_new(out, info ? json_pack("{s:s,s:s,s:s}", "TrailARN", t.arn, "Name",
                                                    t.name, "HomeRegion", t.home_region)
                                        : bw_ct__trail_json(&t));
    }
    sqlite3_reset(st);
    return err->code;
}

enum bw_code bw_ct__describe_trails(struct bw_call *c, struct bw_err *err)
{
    json_t *names = json_object_get(c->in, "trailNameList");
    json_t *list = json_array();
    json_t *o = json_pack("{s:o}", "trailList", list);
    bw_ct__set_out(c, o);
    if (names && !json_is_array(names))
        return bw_fail(err, BW_E_SERIALIZATION, "trailNameList must be a list.");
    if (json_array_size(names) == 0)
        return visible_trails(c, false, list, err);
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n)
    {
        struct bw_ct_trail t;
        if (!json_is_string(n))
            return bw_fail(err, BW_E_SERIALIZATION, "trailNameList must hold strings.");
        if (bw_ct__trail_find(c, json_string_value(n), &t, err) == BW_OK)
            json_array_append_new(list, bw_ct__trail_json(&t));
        else if (err->code != BW_E_CT_TRAIL_NOT_FOUND)
            return err->code;
        bw_err_clear(err);
    }
    return BW_OK;
}

enum bw_code bw_ct__list_trails(struct bw_call *c, struct bw_err *err)
{
    json_t *list = json_array();
    bw_ct__set_out(c, json_pack("{s:o}", "Trails", list));
    return visible_trails(c, true, list, err);
}

static void set_time(json_t *o, const char *k, int64_t ms)
{
    if (ms)
        json_object_set_new(o, k, json_real((double)ms / 1000.0));
}

enum bw_code bw_ct__get_trail_status(struct bw_call *c, struct bw_err *err)
{
    const char *name;
    struct bw_ct_trail t;
    if (bw_j_str(c, "Name", true, &name, err) || bw_ct__trail_find(c, name, &t, err))
        return err->code;
    json_t *o = json_object();
    json_object_set_new(o, "IsLogging", json_boolean(t.logging));
    set_time(o, "LatestDeliveryTime", t.last_delivery_ms);
    set_time(o, "LatestDigestDeliveryTime", t.last_digest_ms);
    set_time(o, "StartLoggingTime", t.start_ms);
    set_time(o, "StopLoggingTime", t.stop_ms);
    if (t.delivery_error)
        json_object_set_new(o, "LatestDeliveryError", json_string(t.delivery_error));
    char iso[32];
    if (t.start_ms) {
        bw_time_iso8601(t.start_ms / 1000, iso, sizeof iso);
        json_object_set_new(o, "TimeLoggingStarted", json_string(iso));
    }
    if (t.stop_ms) {
        bw_time_iso8601(t.stop_ms / 1000, iso, sizeof iso);
        json_object_set_new(o, "TimeLoggingStopped", json_string(iso));
    }
    bw_ct__set_out(c, o);
    return BW_OK;
}

static const char *const start_sql =
    "UPDATE trails SET logging = 1, start_ms = ?, stop_drained = 1, cursor_seq ="
    " MAX(cursor_seq, (SELECT COALESCE(MAX(seq), 0) FROM trail_events)) WHERE id = ? AND"
    " logging = 0";
static const char *const stop_sql =
    "UPDATE trails SET logging = 0, stop_ms = ?, stop_drained = 0 WHERE id = ? AND logging = 1";

enum bw_code bw_ct__start_logging(struct bw_call *c, struct bw_err *err)
{
    const char *name;
    struct bw_ct_trail t;
    if (bw_j_str(c, "Name", true, &name, err) || bw_ct__trail_find_owned(c, name, &t, err))
        return err->code;
    return bw_db_exec(c->db, err, NULL, start_sql, "ii", c->now_ms, t.id);
}

enum bw_code bw_ct__stop_logging(struct bw_call *c, struct bw_err *err)
{
    const char *name;
    struct bw_ct_trail t;
    if (bw_j_str(c, "Name", true, &name, err) || bw_ct__trail_find_owned(c, name, &t, err))
        return err->code;
    return bw_db_exec(c->db, err, NULL, stop_sql, "ii", c->now_ms, t.id);
}
