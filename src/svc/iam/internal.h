/* SPDX-License-Identifier: Apache-2.0 */
/* Shared inside src/svc/iam: handlers, resource-ARN functions, validation helpers. */
#ifndef BW_SVC_IAM_INTERNAL_H
#define BW_SVC_IAM_INTERNAL_H

#include "svc/iam/iam.h"

/* Resource ARNs (Service Authorization Reference, IAM resource types). */
const char *bw_iam__user_arn(struct bw_call *c);
const char *bw_iam__user_arn_or_self(struct bw_call *c);

/* Validation in IAM's words: "1 validation error detected: Value 'x' at 'userName' …". */
enum bw_code bw_iam__check_name(const char *field, const char *v, size_t max, struct bw_err *err);
enum bw_code bw_iam__check_path(const char *v, struct bw_err *err);
enum bw_code bw_iam__required(struct bw_call *c, const char *param, const char **out,
                              struct bw_err *err);
/* Marker/MaxItems paging: *offset from Marker, *max from MaxItems (1..1000, default 100). */
enum bw_code bw_iam__paging(struct bw_call *c, int64_t *offset, int64_t *max, struct bw_err *err);
void bw_iam__paging_end(struct bw_call *c, bool truncated, int64_t next_offset);

/* users.c */
enum bw_code bw_iam__create_user(struct bw_call *c, struct bw_err *err);
enum bw_code bw_iam__get_user(struct bw_call *c, struct bw_err *err);
enum bw_code bw_iam__list_users(struct bw_call *c, struct bw_err *err);
/* keys.c */
enum bw_code bw_iam__create_access_key(struct bw_call *c, struct bw_err *err);

#endif
