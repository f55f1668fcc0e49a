/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AWS JSON 1.1 protocol: POST /, X-Amz-Target: <Prefix>.<Operation>,
 * Content-Type: application/x-amz-json-1.1, a JSON object in and out. Errors:
 *   {"__type":"AccessDeniedException","message":"…"[,"Reason":"…"]}
 * with the error's HTTP status (botocore reads __type and message).
 */
#include "proto/internal.h"

#include <string.h>

static void render(struct bw_arena *a, json_t *obj, int status, struct bw_response *resp)
{
    char *s = json_dumps(obj, JSON_COMPACT);
    if (!s)
        bw_oom();
    bw_arena_defer(a, free, s);
    resp->status = status;
    resp->content_type = "application/x-amz-json-1.1";
    resp->body = s;
    resp->body_len = strlen(s);
}

void bw_proto__json_ok(struct bw_call *c, struct bw_response *resp)
{
    if (!c->out) {
        c->out = json_object();
        bw_arena_defer(c->arena, (bw_arena_fn)json_decref, c->out);
    }
    render(c->arena, c->out, 200, resp);
}

void bw_proto__json_error(struct bw_arena *a, const struct bw_err *err, struct bw_response *resp)
{
    json_t *o = json_object();
    json_object_set_new(o, "__type", json_string(bw_err_name(err)));
    json_object_set_new(o, "message", json_string(err->msg));
    if (err->reason)
        json_object_set_new(o, "Reason", json_string(err->reason));
    render(a, o, bw_code_http_status(err->code), resp);
    json_decref(o);
}

enum bw_code bw_j_str(struct bw_call *c, const char *name, bool required, const char **out,
                      struct bw_err *err)
{
    json_t *v = c->in ? json_object_get(c->in, name) : NULL;
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return bw_fail(err, BW_E_VALIDATION,
                           "1 validation error detected: Value null at '%c%s' failed to satisfy "
                           "constraint: Member must not be null",
                           name[0] >= 'A' && name[0] <= 'Z' ? name[0] + 32 : name[0], name + 1);
        return BW_OK;
    }
    if (!json_is_string(v))
        return bw_fail(err, BW_E_SERIALIZATION, "STRING_VALUE can not be converted to a %s",
                       "String");
    *out = json_string_value(v);
    return BW_OK;
}
