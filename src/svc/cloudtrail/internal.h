/* SPDX-License-Identifier: Apache-2.0 */
/* Shared inside src/svc/cloudtrail: trail rows, input helpers, handlers. */
#ifndef BW_SVC_CLOUDTRAIL_INTERNAL_H
#define BW_SVC_CLOUDTRAIL_INTERNAL_H

#include "proto/proto.h"
#include "trail/trail.h"

/* A trail as the API sees it (arena strings). */
struct bw_ct_trail {
    int64_t id, key_id;
    const char *account, *name, *arn, *home_region, *bucket, *prefix, *sns, *kms, *cw_group,
        *cw_role, *org_id, *dir, *delivery_error;
    bool include_global, multi_region, validation, is_org, logging;
    int64_t created_ms, start_ms, stop_ms, last_delivery_ms, last_digest_ms;
};

/* The trail named by `name` (a name or an ARN) that the caller can see: its own, or
 * its organization's trail. TrailNotFoundException / InvalidTrailNameException. */
enum bw_code bw_ct__trail_find(struct bw_call *c, const char *name, struct bw_ct_trail *out,
                               struct bw_err *err);
/* As bw_ct__trail_find, and the caller must own the trail (members cannot change their
 * organization's trail: NotOrganizationMasterAccountException). */
enum bw_code bw_ct__trail_find_owned(struct bw_call *c, const char *name, struct bw_ct_trail *out,
                                     struct bw_err *err);
/* Reads a trail from a row of the trails columns in trails.c's order. */
void bw_ct__trail_row(struct bw_arena *a, sqlite3_stmt *st, struct bw_ct_trail *t);
/* The Trail shape. */
json_t *bw_ct__trail_json(const struct bw_ct_trail *t);
/* Sets c->out (deferred decref). */
void bw_ct__set_out(struct bw_call *c, json_t *out);
/* An optional boolean member; SerializationException when not a boolean. */
enum bw_code bw_ct__bool(struct bw_call *c, const char *name, int *out /* -1 absent */,
                         struct bw_err *err);
/* An optional timestamp member (epoch seconds, number) in ms; -1 when absent. */
enum bw_code bw_ct__time(struct bw_call *c, const char *name, int64_t *out, struct bw_err *err);
/* The resource ARN of the trail named in the input's "Name" (or "*"). */
const char *bw_ct__name_arn(struct bw_call *c);

enum bw_code bw_ct__create_trail(struct bw_call *c, struct bw_err *err);
enum bw_code bw_ct__update_trail(struct bw_call *c, struct bw_err *err);
enum bw_code bw_ct__delete_trail(struct bw_call *c, struct bw_err *err);
enum bw_code bw_ct__get_trail(struct bw_call *c, struct bw_err *err);
enum bw_code bw_ct__describe_trails(struct bw_call *c, struct bw_err *err);
enum bw_code bw_ct__list_trails(struct bw_call *c, struct bw_err *err);
enum bw_code bw_ct__get_trail_status(struct bw_call *c, struct bw_err *err);
enum bw_code bw_ct__start_logging(struct bw_call *c, struct bw_err *err);
enum bw_code bw_ct__stop_logging(struct bw_call *c, struct bw_err *err);
enum bw_code bw_ct__lookup_events(struct bw_call *c, struct bw_err *err);
enum bw_code bw_ct__list_public_keys(struct bw_call *c, struct bw_err *err);

#endif
