/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LookupEvents over the trail_events outbox: one attribute at most (as
 * CloudTrail), a time window, newest first, paged by (event_time, seq) so a page
 * boundary never skips or repeats an event. Each attribute has its own statement
 * so SQLite uses the matching index of migration 0300 (account, attribute, time).
 */
#include "trail/trail.h"

#include <string.h>

#define LK_COLS                                                                                    \
    "SELECT seq, event_id, event_name, read_only, access_key_id, event_time, event_source,"     \
    " username, record FROM trail_events"
#define LK_WHERE                                                                                   \
    " WHERE account_id = ?1 AND event_time BETWEEN ?2 AND ?3 AND (event_time < ?4 OR"           \
    " (event_time = ?4 AND seq < ?5))"
#define LK_ORDER " ORDER BY event_time DESC, seq DESC LIMIT ?6"

static const char *const sql_none = LK_COLS LK_WHERE LK_ORDER;
static const char *const sql_id = LK_COLS LK_WHERE " AND event_id = ?7" LK_ORDER;
static const char *const sql_name = LK_COLS LK_WHERE " AND event_name = ?7" LK_ORDER;
static const char *const sql_ro = LK_COLS LK_WHERE " AND read_only = (?7 = 'true')" LK_ORDER;
static const char *const sql_user = LK_COLS LK_WHERE " AND username = ?7" LK_ORDER;
static const char *const sql_source = LK_COLS LK_WHERE " AND event_source = ?7" LK_ORDER;
static const char *const sql_akid = LK_COLS LK_WHERE " AND access_key_id = ?7" LK_ORDER;
static const char *const sql_rtype =
    LK_COLS LK_WHERE " AND seq IN (SELECT seq FROM trail_event_resources WHERE account_id = ?1"
                     " AND type = ?7)" LK_ORDER;
static const char *const sql_rname =
    LK_COLS LK_WHERE " AND seq IN (SELECT seq FROM trail_event_resources WHERE account_id = ?1"
                     " AND name = ?7)" LK_ORDER;

static const char *sql_for(const char *key)
{
    static const struct {
        const char *key;
        const char *const *sql;
    } map[] = {{"EventId", &sql_id},         {"EventName", &sql_name},
               {"ReadOnly", &sql_ro},        {"Username", &sql_user},
               {"EventSource", &sql_source}, {"AccessKeyId", &sql_akid},
               {"ResourceType", &sql_rtype}, {"ResourceName", &sql_rname}};
    if (!key)
        return sql_none;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].key, key) == 0)
            return *map[i].sql;
    return NULL;
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
    const char *sql = sql_for(q->attr_key);
    if (!sql)
        return bw_fail(err, BW_E_CT_INVALID_LOOKUP_ATTRIBUTES,
                       "Unsupported lookup attribute key: %s", q->attr_key);
    int64_t before_time = q->before_seq ? q->before_time : INT64_MAX;
    int64_t before_seq = q->before_seq ? q->before_seq : INT64_MAX;
    sqlite3_stmt *st = bw_db_prep(db, sql, err, q->attr_key ? "siiiiis" : "siiiii", q->account,
                                  q->start_ms, q->end_ms, before_time, before_seq,
                                  (int64_t)q->max_results + 1, q->attr_value);
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
