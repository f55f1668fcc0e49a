/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LookupEvents and ListPublicKeys. LookupEvents reads the caller's account's
 * events (the recipient account) of the last 90 days from the store, one lookup
 * attribute at most, newest first, 50 a page; its NextToken is "<time>.<seq>"
 * of the last event returned, so paging is stable while new events arrive.
 */
#include "svc/cloudtrail/internal.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS    86400000LL
#define WINDOW_MS (90 * DAY_MS)

static enum bw_code read_attr(struct bw_call *c, struct bw_trail_lookup *q, struct bw_err *err)
{
    json_t *attrs = json_object_get(c->in, "LookupAttributes");
    if (!attrs || json_is_null(attrs) || json_array_size(attrs) == 0)
        return BW_OK;
    if (!json_is_array(attrs))
        return bw_fail(err, BW_E_SERIALIZATION, "LookupAttributes must be a list.");
    if (json_array_size(attrs) > 1)
        return bw_fail(err, BW_E_CT_INVALID_LOOKUP_ATTRIBUTES,
                       "You can only specify one lookup attribute.");
    json_t *a = json_array_get(attrs, 0);
    const char *k = json_string_value(json_object_get(a, "AttributeKey"));
    const char *v = json_string_value(json_object_get(a, "AttributeValue"));
    if (!k || !v || !v[0] || strlen(v) > 2000)
        return bw_fail(err, BW_E_CT_INVALID_LOOKUP_ATTRIBUTES,
                       "AttributeKey and an AttributeValue of 1 to 2000 characters are required.");
    q->attr_key = k;
    q->attr_value = v;
    return BW_OK;
}

static enum bw_code read_token(struct bw_call *c, struct bw_trail_lookup *q, struct bw_err *err)
{
    const char *tok;
    if (bw_j_str(c, "NextToken", false, &tok, err) || !tok)
        return err->code;
    char tail;
    int64_t t, s;
    if (sscanf(tok, "%" SCNd64 ".%" SCNd64 "%c", &t, &s, &tail) != 2 || t < 0 || s <= 0)
        return bw_fail(err, BW_E_CT_INVALID_NEXT_TOKEN, "Invalid NextToken.");
    q->before_time = t;
    q->before_seq = s;
    return BW_OK;
}

static enum bw_code read_lookup(struct bw_call *c, struct bw_trail_lookup *q, struct bw_err *err)
{
    memset(q, 0, sizeof *q);
    q->account = c->principal->account_id;
    json_t *mr = json_object_get(c->in, "MaxResults");
    q->max_results = 50;
    if (mr && !json_is_null(mr)) {
        if (!json_is_integer(mr) || json_integer_value(mr) < 1 || json_integer_value(mr) > 50)
            return bw_fail(err, BW_E_CT_INVALID_MAX_RESULTS,
                           "MaxResults must be between 1 and 50.");
        q->max_results = (int)json_integer_value(mr);
    }
    if (bw_ct__time(c, "StartTime", &q->start_ms, err) ||
        bw_ct__time(c, "EndTime", &q->end_ms, err) || read_attr(c, q, err) || read_token(c, q, err))
        return err->code;
    if (q->start_ms >= 0 && q->end_ms >= 0 && q->start_ms > q->end_ms)
        return bw_fail(err, BW_E_CT_INVALID_TIME_RANGE,
                       "Start time must be equal to or earlier than end time.");
    if (q->end_ms < 0)
        q->end_ms = c->now_ms + 60000;
    if (q->start_ms < c->now_ms - WINDOW_MS)
        q->start_ms = c->now_ms - WINDOW_MS; /* events are kept for 90 days */
    return BW_OK;
}

enum bw_code bw_ct__lookup_events(struct bw_call *c, struct bw_err *err)
{
    struct bw_trail_lookup q;
    const char *cat;
    if (read_lookup(c, &q, err) || bw_j_str(c, "EventCategory", false, &cat, err))
        return err->code;
    if (cat && strcmp(cat, "insight") != 0)
        return bw_fail(err, BW_E_CT_INVALID_EVENT_CATEGORY, "Invalid EventCategory: %.50s", cat);
    struct bw_trail_page page = {0};
    if (cat) /* no Insights here: there are never insight events */
        page.events = json_array();
    else if (bw_trail_lookup_run(c->db, &q, &page, err))
        return err->code;
    json_t *o = json_pack("{s:o}", "Events", page.events);
    if (page.more)
        json_object_set_new(o, "NextToken",
                            json_sprintf("%" PRId64 ".%" PRId64, page.last_time, page.last_seq));
    bw_ct__set_out(c, o);
    return BW_OK;
}

static const char *const keys_sql =
    "SELECT k.fingerprint, k.public_der, k.valid_from_ms, k.valid_to_ms FROM trail_keys k"
    " WHERE k.id IN (SELECT key_id FROM trails WHERE account_id = ?1 OR (is_org = 1 AND"
    " org_id = ?2)) AND k.valid_from_ms <= ?4 AND (k.valid_to_ms IS NULL OR k.valid_to_ms >= ?3)"
    " ORDER BY k.id";

static json_t *public_key_json(sqlite3_stmt *st)
{
    int len = sqlite3_column_bytes(st, 1);
    unsigned char *b64 = malloc((size_t)(4 * ((len + 2) / 3) + 1));
    if (!b64)
        bw_oom();
    EVP_EncodeBlock(b64, sqlite3_column_blob(st, 1), len);
    json_t *k = json_pack("{s:s,s:s,s:f}", "Fingerprint", (const char *)sqlite3_column_text(st, 0),
                          "Value", (const char *)b64, "ValidityStartTime",
                          (double)sqlite3_column_int64(st, 2) / 1000.0);
    free(b64);
    if (sqlite3_column_type(st, 3) != SQLITE_NULL)
        json_object_set_new(k, "ValidityEndTime",
                            json_real((double)sqlite3_column_int64(st, 3) / 1000.0));
    return k;
}

enum bw_code bw_ct__list_public_keys(struct bw_call *c, struct bw_err *err)
{
    int64_t start, end;
    const char *tok;
    if (bw_ct__time(c, "StartTime", &start, err) || bw_ct__time(c, "EndTime", &end, err) ||
        bw_j_str(c, "NextToken", false, &tok, err))
        return err->code;
    if (tok)
        return bw_fail(err, BW_E_CT_INVALID_TOKEN, "Invalid token.");
    if (end < 0)
        end = c->now_ms;
    if (start < 0)
        start = end - DAY_MS; /* CloudTrail's default: the last 24 hours */
    if (start > end)
        return bw_fail(err, BW_E_CT_INVALID_TIME_RANGE,
                       "Start time must be equal to or earlier than end time.");
    const char *org = bw_trail_org_of(c->db, c->arena, c->principal->account_id);
    sqlite3_stmt *st =
        bw_db_prep(c->db, keys_sql, err, "ssii", c->principal->account_id, org, start, end);
    if (!st)
        return err->code;
    json_t *list = json_array();
    bw_ct__set_out(c, json_pack("{s:o}", "PublicKeyList", list));
    bool row;
    while (!bw_db_step(c->db, st, &row, err) && row)
        json_array_append_new(list, public_key_json(st));
    sqlite3_reset(st);
    return err->code;
}
