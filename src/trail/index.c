/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LookupEvents' index, built off the request path: the writer thread reads the
 * outbox after trail_meta.index_seq and adds one trail_attrs row per lookup
 * attribute of each event (EventId, EventName, ReadOnly, Username, EventSource,
 * AccessKeyId, each ResourceName and ResourceType of its "resources", and "*"
 * for unfiltered lookups), then moves the cursor in the same transaction. A
 * call therefore pays for one outbox row only; lookups read the index plus the
 * short tail of events not yet indexed (lookup.c), so they never miss one.
 */
#include "trail/trail.h"

#include <jansson.h>
#include <string.h>

static const char *const cursor_sql = "SELECT v FROM trail_meta WHERE k = 'index_seq'";
static const char *const rows_sql =
    "SELECT seq, account_id, event_time, event_id, event_name, read_only, username,"
    " event_source, access_key_id, record FROM trail_events WHERE seq > ? ORDER BY seq LIMIT ?";
static const char *const attr_sql =
    "INSERT OR IGNORE INTO trail_attrs (account_id, key, value, event_time, seq)"
    " VALUES (?,?,?,?,?)";
static const char *const move_sql = "UPDATE trail_meta SET v = ? WHERE k = 'index_seq'";

struct row {
    int64_t seq, time;
    const char *account;
};

static enum bw_code attr(struct bw_db *db, const struct row *r, const char *key, const char *v,
                         struct bw_err *err)
{
    if (!v)
        return BW_OK;
    return bw_db_exec(db, err, NULL, attr_sql, "sssii", r->account, key, v, r->time, r->seq);
}

/* Where the record's own "resources" array starts, found without parsing the record
 * (src/proto/events.c writes it right after the top-level "readOnly" member), or NULL
 * when it has none. The top-level `,"readOnly":` is the last one in the text: a JSON
 * string cannot hold `,"` (its quotes are escaped), nested objects that could use the
 * key (requestParameters, responseElements) come before it, and the resources after it
 * only have the keys ARN, accountId and type. */
static const char *resources_at(const char *rec, size_t len)
{
    static const char ro[] = ",\"readOnly\":", res[] = ",\"resources\":";
    const char *last = NULL, *end = rec + len;
    for (const char *p = rec; (p = memmem(p, (size_t)(end - p), ro, sizeof ro - 1)); p++)
        last = p;
    if (!last)
        return NULL;
    last += sizeof ro - 1;
    if (end - last >= 4 && memcmp(last, "true", 4) == 0)
        last += 4;
    else if (end - last >= 5 && memcmp(last, "false", 5) == 0)
        last += 5;
    else
        return NULL;
    if ((size_t)(end - last) < sizeof res - 1 || memcmp(last, res, sizeof res - 1) != 0)
        return NULL;
    return last + sizeof res - 1;
}

static enum bw_code resources(struct bw_db *db, const struct row *r, const char *record, size_t len,
                              struct bw_err *err)
{
    const char *at = resources_at(record, len);
    if (!at)
        return BW_OK; /* most events (reads, failures) name no resource */
    json_error_t je;
    json_t *arr = json_loadb(at, len - (size_t)(at - record), JSON_DISABLE_EOF_CHECK, &je), *res;
    size_t i;
    enum bw_code rc = BW_OK;
    json_array_foreach(arr, i, res)
    {
        if ((rc = attr(db, r, "ResourceName", json_string_value(json_object_get(res, "ARN")),
                       err)) ||
            (rc =
                 attr(db, r, "ResourceType", json_string_value(json_object_get(res, "type")), err)))
            break;
    }
    json_decref(arr);
    return rc;
}

static enum bw_code index_row(struct bw_db *db, sqlite3_stmt *st, struct bw_err *err)
{
    struct row r = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 2),
                    (const char *)sqlite3_column_text(st, 1)};
    const char *ro = sqlite3_column_int(st, 5) ? "true" : "false";
    if (attr(db, &r, "*", "", err) ||
        attr(db, &r, "EventId", (const char *)sqlite3_column_text(st, 3), err) ||
        attr(db, &r, "EventName", (const char *)sqlite3_column_text(st, 4), err) ||
        attr(db, &r, "ReadOnly", ro, err) ||
        attr(db, &r, "Username", (const char *)sqlite3_column_text(st, 6), err) ||
        attr(db, &r, "EventSource", (const char *)sqlite3_column_text(st, 7), err) ||
        attr(db, &r, "AccessKeyId", (const char *)sqlite3_column_text(st, 8), err))
        return err->code;
    const char *record = (const char *)sqlite3_column_text(st, 9);
    return record ? resources(db, &r, record, (size_t)sqlite3_column_bytes(st, 9), err) : BW_OK;
}

enum bw_code bw_trail_index_run(struct bw_db *db, size_t max, size_t *n, struct bw_err *err)
{
    bw_err_clear(err);
    *n = 0;
    if (bw_db_begin(db, true, err))
        return err->code;
    sqlite3_stmt *cur = bw_db_prep(db, cursor_sql, err, "");
    bool row;
    if (!cur || bw_db_step(db, cur, &row, err) || !row)
        goto fail;
    int64_t seq = sqlite3_column_int64(cur, 0), last = seq;
    sqlite3_reset(cur);
    sqlite3_stmt *st = bw_db_prep(db, rows_sql, err, "ii", seq, (int64_t)max);
    if (!st)
        goto fail;
    while (!bw_db_step(db, st, &row, err) && row) {
        if (index_row(db, st, err))
            break;
        last = sqlite3_column_int64(st, 0);
        (*n)++;
    }
    sqlite3_reset(st);
    if (err->code || (last != seq && bw_db_exec(db, err, NULL, move_sql, "i", last)) ||
        bw_db_commit(db, err))
        goto fail;
    return BW_OK;
fail:
    bw_db_rollback(db);
    return err->code ? err->code : bw_fail(err, BW_E_INTERNAL, "trail index cursor missing");
}
