/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IAM Query operations (API version 2010-05-08): the dispatch table. Each row
 * names the operation, its IAM action and resource (Service Authorization
 * Reference, "Actions defined by AWS Identity and Access Management"), flags
 * and handler. The authorization hook adds IAM's service condition keys
 * (iam:PermissionsBoundary, iam:PolicyARN) for the operations that define them.
 */
#include "svc/iam/internal.h"

#define W BW_OP_MUTATES
#define OP(name, flags, res, fn)                                                                   \
    {                                                                                              \
#name, "iam:" #name, flags, bw_iam__res_##res, bw_iam__##fn                                \
    }

static const struct bw_op ops[] = {
    /* users */
    OP(CreateUser, W, user, create_user),
    OP(GetUser, 0, user_or_self, get_user),
    OP(UpdateUser, W, user, update_user),
    OP(DeleteUser, W, user, delete_user),
    OP(ListUsers, 0, users, list_users),
    /* groups */
    OP(CreateGroup, W, group, create_group),
    OP(GetGroup, 0, group, get_group),
    OP(UpdateGroup, W, group, update_group),
    OP(DeleteGroup, W, group, delete_group),
    OP(ListGroups, 0, groups, list_groups),
    OP(AddUserToGroup, W, group, add_user_to_group),
    OP(RemoveUserFromGroup, W, group, remove_user_from_group),
    OP(ListGroupsForUser, 0, user, list_groups_for_user),
    /* roles */
    OP(CreateRole, W, role, create_role),
    OP(GetRole, 0, role, get_role),
    OP(UpdateRole, W, role, update_role),
    OP(UpdateRoleDescription, W, role, update_role_description),
    OP(UpdateAssumeRolePolicy, W, role, update_assume_role_policy),
    OP(DeleteRole, W, role, delete_role),
    OP(ListRoles, 0, roles, list_roles),
    /* managed policies */
    OP(CreatePolicy, W, new_policy, create_policy),
    OP(GetPolicy, 0, policy, get_policy),
    OP(DeletePolicy, W, policy, delete_policy),
    OP(ListPolicies, 0, policies, list_policies),
    OP(CreatePolicyVersion, W, policy, create_policy_version),
    OP(GetPolicyVersion, 0, policy, get_policy_version),
    OP(ListPolicyVersions, 0, policy, list_policy_versions),
    OP(DeletePolicyVersion, W, policy, delete_policy_version),
    OP(SetDefaultPolicyVersion, W, policy, set_default_policy_version),
    OP(ListEntitiesForPolicy, 0, policy, list_entities_for_policy),
    /* attachments */
    OP(AttachUserPolicy, W, user, attach_user_policy),
    OP(AttachGroupPolicy, W, group, attach_group_policy),
    OP(AttachRolePolicy, W, role, attach_role_policy),
    OP(DetachUserPolicy, W, user, detach_user_policy),
    OP(DetachGroupPolicy, W, group, detach_group_policy),
    OP(DetachRolePolicy, W, role, detach_role_policy),
    OP(ListAttachedUserPolicies, 0, user, list_attached_user_policies),
    OP(ListAttachedGroupPolicies, 0, group, list_attached_group_policies),
    OP(ListAttachedRolePolicies, 0, role, list_attached_role_policies),
    /* inline policies */
    OP(PutUserPolicy, W, user, put_user_policy),
    OP(PutGroupPolicy, W, group, put_group_policy),
    OP(PutRolePolicy, W, role, put_role_policy),
    OP(GetUserPolicy, 0, user, get_user_policy),
    OP(GetGroupPolicy, 0, group, get_group_policy),
    OP(GetRolePolicy, 0, role, get_role_policy),
    OP(DeleteUserPolicy, W, user, delete_user_policy),
    OP(DeleteGroupPolicy, W, group, delete_group_policy),
    OP(DeleteRolePolicy, W, role, delete_role_policy),
    OP(ListUserPolicies, 0, user, list_user_policies),
    OP(ListGroupPolicies, 0, group, list_group_policies),
    OP(ListRolePolicies, 0, role, list_role_policies),
    /* access keys */
    OP(CreateAccessKey, W, user_or_self, create_access_key),
    OP(ListAccessKeys, 0, user_or_self, list_access_keys),
    OP(UpdateAccessKey, W, user_or_self, update_access_key),
    OP(DeleteAccessKey, W, user_or_self, delete_access_key),
    OP(GetAccessKeyLastUsed, 0, key_user, get_access_key_last_used),
    /* permissions boundaries */
    OP(PutUserPermissionsBoundary, W, user, put_user_permissions_boundary),
    OP(DeleteUserPermissionsBoundary, W, user, delete_user_permissions_boundary),
    OP(PutRolePermissionsBoundary, W, role, put_role_permissions_boundary),
    OP(DeleteRolePermissionsBoundary, W, role, delete_role_permissions_boundary),
    /* tags */
    OP(TagUser, W, user, tag_user),
    OP(UntagUser, W, user, untag_user),
    OP(ListUserTags, 0, user, list_user_tags),
    OP(TagRole, W, role, tag_role),
    OP(UntagRole, W, role, untag_role),
    OP(ListRoleTags, 0, role, list_role_tags),
    OP(TagPolicy, W, policy, tag_policy),
    OP(UntagPolicy, W, policy, untag_policy),
    OP(ListPolicyTags, 0, policy, list_policy_tags),
    /* account-wide */
    OP(GetAccountAuthorizationDetails, 0, any, get_account_authorization_details),
    OP(GetAccountSummary, 0, any, get_account_summary),
    OP(SimulatePrincipalPolicy, 0, source, simulate_principal_policy),
    OP(SimulateCustomPolicy, 0, any, simulate_custom_policy),
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

/* Operations that define iam:PermissionsBoundary / iam:PolicyARN (Service
 * Authorization Reference, condition keys column). */
static bool op_in(const char *name, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

/* The boundary the request sets, or else the one the named user or role already has
 * (the key's value for operations on an entity with a boundary). */
static const char *boundary_of(struct bw_call *c)
{
    const char *pb = bw_q_get(c, "PermissionsBoundary");
    if (pb)
        return pb;
    const char *user = bw_q_get(c, "UserName"), *role = bw_q_get(c, "RoleName");
    struct bw_err err;
    bool row = false;
    sqlite3_stmt *st = NULL;
    if (user)
        st = bw_db_prep(c->db,
                        "SELECT boundary_arn FROM iam_users WHERE account_id = ? AND name = ?",
                        &err, "ss", c->principal->account_id, user);
    else if (role)
        st = bw_db_prep(c->db,
                        "SELECT boundary_arn FROM iam_roles WHERE account_id = ? AND name = ?",
                        &err, "ss", c->principal->account_id, role);
    if (!st || bw_db_step(c->db, st, &row, &err) || !row)
        return NULL;
    return bw_db_col_str(c->arena, st, 0);
}

static enum bw_code iam_context(struct bw_call *c, struct bw_authz_set *set, struct bw_err *err)
{
    static const char *const boundary_ops[] = {"CreateUser",
                                               "CreateRole",
                                               "PutUserPermissionsBoundary",
                                               "PutRolePermissionsBoundary",
                                               "AttachUserPolicy",
                                               "AttachRolePolicy",
                                               "DetachUserPolicy",
                                               "DetachRolePolicy",
                                               "PutUserPolicy",
                                               "PutRolePolicy",
                                               "DeleteUserPolicy",
                                               "DeleteRolePolicy",
                                               "DeleteUserPermissionsBoundary",
                                               "DeleteRolePermissionsBoundary",
                                               NULL};
    static const char *const arn_ops[] = {"AttachUserPolicy",
                                          "AttachGroupPolicy",
                                          "AttachRolePolicy",
                                          "DetachUserPolicy",
                                          "DetachGroupPolicy",
                                          "DetachRolePolicy",
                                          NULL};
    (void)err;
    if (c->svc != &bw_svc_iam || !c->op)
        return BW_OK;
    const char *pb = op_in(c->op->name, boundary_ops) ? boundary_of(c) : NULL;
    if (pb)
        bw_authz_add_context(c, set, "iam:PermissionsBoundary", &pb, 1);
    const char *arn = bw_q_get(c, "PolicyArn");
    if (arn && op_in(c->op->name, arn_ops))
        bw_authz_add_context(c, set, "iam:PolicyARN", &arn, 1);
    return BW_OK;
}

void bw_svc_iam_register(struct bw_server *srv);
void bw_svc_iam_register(struct bw_server *srv)
{
    bw_server_add_service(srv, &bw_svc_iam);
    bw_server_add_authz_hook(srv, iam_context);
}
