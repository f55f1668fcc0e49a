/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LookupEvents over the trail_events outbox: one attribute at most (as
 * CloudTrail), a time window, newest first, paged by (event_time, seq) so a page
 * boundary never skips or repeats an event. The index (trail_attrs, primary key
 * account, attribute, value, time, seq) is walked backwards and merged with the
 * events the indexer has not reached yet, which are few and scanned directly.
 */
#include "trail/trail.h"

#include <string.h>

/* Newest first: the index (walked backwards) merged with the not-yet-indexed tail. */
#define LK_MATCH                                                                                   \
    "(?7 = '*' OR (?7 = 'EventId' AND event_id = ?8) OR (?7 = 'EventName' AND event_name = ?8)"    \
    " OR (?7 = 'ReadOnly' AND read_only = (?8 = 'true')) OR (?7 = 'Username' AND username = ?8)"   \
    " OR (?7 = 'EventSource' AND event_source = ?8) OR (?7 = 'AccessKeyId' AND"                    \
    " access_key_id = ?8) OR (?7 = 'ResourceName' AND EXISTS (SELECT 1 FROM"                       \
    " json_each(record, '$.resources') WHERE json_extract(value, '$.ARN') = ?8)) OR"               \
    " (?7 = 'ResourceType' AND EXISTS (SELECT 1 FROM json_each(record, '$.resources') WHERE"       \
    " json_extract(value, '$.type') = ?8)))"
#define LK_PAGE " AND event_time <= ?4 AND (event_time < ?4 OR seq < ?5)"

static const char *const lookup_sql =
    "SELECT e.seq, e.event_id, e.event_name, e.read_only, e.access_key_id, e.event_time,"
    " e.event_source, e.username, e.record FROM (SELECT seq, event_time FROM trail_attrs"
    " WHERE account_id = ?1 AND key = ?7 AND value = ?8 AND event_time BETWEEN ?2 AND ?3" LK_PAGE
    " UNION ALL SELECT seq, event_time FROM trail_events WHERE seq > (SELECT v FROM trail_meta"
    " WHERE k = 'index_seq') AND account_id = ?1 AND event_time BETWEEN ?2 AND ?3" LK_PAGE
    " AND " LK_MATCH " ORDER BY 2 DESC, 1 DESC LIMIT ?6) AS h JOIN trail_events e ON"
    " e.seq = h.seq ORDER BY e.event_time DESC, e.seq DESC";

static bool key_known(const char *key)
{
    static const char *const keys[] = {"EventId",     "EventName",    "ReadOnly",
                                       "Username",    "ResourceType", "ResourceName",
                                       "EventSource", "AccessKeyId"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i], key) == 0)
            return true;
    return false;
}

static json_t *resources_of(json_t *rec)
{
    json_t *out = json_array(), *r;
    size_t i;
    json_array_foreach(json_object_get(rec, "resources"), i, r)
    {
        json_t *o = json_object();
        json_t *type = json_object_get(r, "type"), *arn = json_object_get(r, "ARN");
        if (json_is_string(type))
            json_object_set(o, "ResourceType", type);
        if (json_is_string(arn))
            json_object_set(o, "ResourceName", arn);
        json_array_append_new(out, o);
    }
    return out;
}

static json_t *event_of(sqlite3_stmt *st)
{
    const char *record = (const char *)sqlite3_column_text(st, 8);
    json_t *e = json_object();
    json_object_set_new(e, "EventId", json_string((const char *)sqlite3_column_text(st, 1)));
    json_object_set_new(e, "EventName", json_string((const char *)sqlite3_column_text(st, 2)));
    json_object_set_new(e, "ReadOnly", json_string(sqlite3_column_int(st, 3) ? "true" : "false"));
    if (sqlite3_column_type(st, 4) != SQLITE_NULL)
        json_object_set_new(e, "AccessKeyId",
                            json_string((const char *)sqlite3_column_text(st, 4)));
    json_object_set_new(e, "EventTime", json_real((double)sqlite3_column_int64(st, 5) / 1000.0));
    json_object_set_new(e, "EventSource", json_string((const char *)sqlite3_column_text(st, 6)));
    if (sqlite3_column_type(st, 7) != SQLITE_NULL)
        json_object_set_new(e, "Username", json_string((const char *)sqlite3_column_text(st, 7)));
    json_error_t je;
    json_t *rec = json_loads(record, 0, &je);
    json_object_set_new(e, "Resources", resources_of(rec));
    json_decref(rec);
    json_object_set_new(e, "CloudTrailEvent", json_string(record));
    return e;
}

enum bw_code bw_trail_lookup_run(struct bw_db *db, const struct bw_trail_lookup *q,
                                 struct bw_trail_page *out, struct bw_err *err)
{
    bw_err_clear(err);
    if (q->attr_key && !key_known(q->attr_key))
        return bw_fail(err, BW_E_CT_INVALID_LOOKUP_ATTRIBUTES,
                       "Unsupported lookup attribute key: %s", q->attr_key);
    int64_t before_time = q->before_seq ? q->before_time : INT64_MAX;
    int64_t before_seq = q->before_seq ? q->before_seq : INT64_MAX;
    sqlite3_stmt *st =
        bw_db_prep(db, lookup_sql, err, "siiiiiss", q->account, q->start_ms, q->end_ms, before_time,
                   before_seq, (int64_t)q->max_results + 1, q->attr_key ? q->attr_key : "*",
                   q->attr_key ? q->attr_value : "");
    if (!st)
        return err->code;
    json_t *arr = json_array();
    bool row;
    memset(out, 0, sizeof *out);
    while (!bw_db_step(db, st, &row, err) && row) {
        if ((int)json_array_size(arr) == q->max_results) {
            out->more = true;
            break;
        }
        json_array_append_new(arr, event_of(st));
        out->last_seq = sqlite3_column_int64(st, 0);
        out->last_time = sqlite3_column_int64(st, 5);
    }
    sqlite3_reset(st);
    if (err->code) {
        json_decref(arr);
        return err->code;
    }
    out->events = arr;
    return BW_OK;
}
