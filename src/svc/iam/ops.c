/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IAM Query operations (API version 2010-05-08): the dispatch table. Each row
 * names the operation, its IAM action (Service Authorization Reference), flags,
 * the resource-ARN function and the handler.
 */
#include "svc/iam/internal.h"

static const struct bw_op ops[] = {
    {"CreateUser", "iam:CreateUser", BW_OP_MUTATES, bw_iam__user_arn, bw_iam__create_user},
    {"GetUser", "iam:GetUser", 0, bw_iam__user_arn_or_self, bw_iam__get_user},
    {"ListUsers", "iam:ListUsers", 0, NULL, bw_iam__list_users},
    {"CreateAccessKey", "iam:CreateAccessKey", BW_OP_MUTATES, bw_iam__user_arn_or_self,
     bw_iam__create_access_key},
};

const struct bw_service bw_svc_iam = {
    .name = "iam",
    .event_source = "iam.amazonaws.com",
    .protocol = BW_PROTO_QUERY,
    .xmlns = "https://iam.amazonaws.com/doc/2010-05-08/",
    .version = "2010-05-08",
    .access_denied = "AccessDenied",
    .ops = ops,
    .n_ops = sizeof ops / sizeof ops[0],
};

void bw_svc_iam_register(struct bw_server *srv);
void bw_svc_iam_register(struct bw_server *srv)
{
    bw_server_add_service(srv, &bw_svc_iam);
}
