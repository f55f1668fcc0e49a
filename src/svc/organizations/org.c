/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AWS Organizations (API version 2016-11-28, JSON 1.1, X-Amz-Target prefix
 * AWSOrganizationsV20161128, signing name "organizations"): the operation table
 * and its registration with the dispatcher, together with the authorization hook
 * that applies the SCP/RCP chain to every call of every service (enforce.c).
 * Every operation is authorized as organizations:<Operation> by IAM (and SCPs) on
 * the ARN its input names (resources.c) or "*"; the organization-level rules
 * (management account only, delegated administrators read-only, members may
 * describe their organization) are checked by the handlers.
 */
#include "svc/organizations/internal.h"

#define M BW_OP_MUTATES
/* clang-format off */
#define OP(name, flags, fn) {#name, "organizations:" #name, flags, NULL, bw_org__##fn}
#define OPR(name, flags, res, fn) \
    {#name, "organizations:" #name, flags, bw_org__res_##res, bw_org__##fn}
/* clang-format on */

static const struct bw_op ops[] = {
    OPR(AcceptHandshake, M, handshake, accept_handshake),
    OPR(AttachPolicy, M, policy, attach_policy),
    OPR(CancelHandshake, M, handshake, cancel_handshake),
    OPR(CloseAccount, M, account, close_account),
    OP(CreateAccount, M, create_account),
    OP(CreateGovCloudAccount, M, create_govcloud_account),
    OP(CreateOrganization, M, create_organization),
    OPR(CreateOrganizationalUnit, M, parent, create_ou),
    OP(CreatePolicy, M, create_policy),
    OPR(DeclineHandshake, M, handshake, decline_handshake),
    OP(DeleteOrganization, M, delete_organization),
    OPR(DeleteOrganizationalUnit, M, ou, delete_ou),
    OPR(DeletePolicy, M, policy, delete_policy),
    OP(DeleteResourcePolicy, M, delete_resource_policy),
    OPR(DeregisterDelegatedAdministrator, M, account, deregister_delegated_admin),
    OPR(DescribeAccount, 0, account, describe_account),
    OP(DescribeCreateAccountStatus, 0, describe_create_account_status),
    OP(DescribeEffectivePolicy, 0, describe_effective_policy),
    OPR(DescribeHandshake, 0, handshake, describe_handshake),
    OP(DescribeOrganization, 0, describe_organization),
    OPR(DescribeOrganizationalUnit, 0, ou, describe_ou),
    OPR(DescribePolicy, 0, policy, describe_policy),
    OP(DescribeResourcePolicy, 0, describe_resource_policy),
    OPR(DetachPolicy, M, policy, detach_policy),
    OP(DisableAWSServiceAccess, M, disable_service_access),
    OPR(DisablePolicyType, M, root, disable_policy_type),
    OP(EnableAWSServiceAccess, M, enable_service_access),
    OP(EnableAllFeatures, M, enable_all_features),
    OPR(EnablePolicyType, M, root, enable_policy_type),
    OP(InviteAccountToOrganization, M, invite_account),
    OP(LeaveOrganization, M, leave_organization),
    OP(ListAWSServiceAccessForOrganization, 0, list_service_access),
    OP(ListAccounts, 0, list_accounts),
    OPR(ListAccountsForParent, 0, parent, list_accounts_for_parent),
    OPR(ListChildren, 0, parent, list_children),
    OP(ListCreateAccountStatus, 0, list_create_account_status),
    OP(ListDelegatedAdministrators, 0, list_delegated_admins),
    OPR(ListDelegatedServicesForAccount, 0, account, list_delegated_services),
    OP(ListHandshakesForAccount, 0, list_handshakes_for_account),
    OP(ListHandshakesForOrganization, 0, list_handshakes_for_org),
    OPR(ListOrganizationalUnitsForParent, 0, parent, list_ous_for_parent),
    OPR(ListParents, 0, child, list_parents),
    OP(ListPolicies, 0, list_policies),
    OPR(ListPoliciesForTarget, 0, target, list_policies_for_target),
    OP(ListRoots, 0, list_roots),
    OPR(ListTagsForResource, 0, resource, list_tags_for_resource),
    OPR(ListTargetsForPolicy, 0, policy, list_targets_for_policy),
    OPR(MoveAccount, M, account, move_account),
    OP(PutResourcePolicy, M, put_resource_policy),
    OPR(RegisterDelegatedAdministrator, M, account, register_delegated_admin),
    OPR(RemoveAccountFromOrganization, M, account, remove_account),
    OPR(TagResource, M, resource, tag_resource),
    OPR(UntagResource, M, resource, untag_resource),
    OPR(UpdateOrganizationalUnit, M, ou, update_ou),
    OPR(UpdatePolicy, M, policy, update_policy),
};

static const struct bw_service organizations = {
    .name = "organizations",
    .event_source = "organizations.amazonaws.com",
    .protocol = BW_PROTO_JSON,
    .target_prefix = "AWSOrganizationsV20161128",
    .access_denied = "AccessDeniedException",
    .ops = ops,
    .n_ops = sizeof ops / sizeof ops[0],
};

void bw_svc_organizations_register(struct bw_server *srv);

void bw_svc_organizations_register(struct bw_server *srv)
{
    bw_server_add_service(srv, &organizations);
    bw_server_add_authz_hook(srv, bw_org__authz_hook);
}
