/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AWS Organizations (API version 2016-11-28, JSON 1.1, X-Amz-Target prefix
 * AWSOrganizationsV20161128, signing name "organizations"): the operation table
 * and its registration with the dispatcher, together with the authorization hook
 * that applies the SCP/RCP chain to every call of every service (enforce.c).
 * Every operation is authorized as organizations:<Operation> on "*" by IAM
 * (and SCPs); the organization-level rules (management account only, delegated
 * administrators read-only, members may describe their organization) are checked
 * by the handlers.
 */
#include "svc/organizations/internal.h"

#define M BW_OP_MUTATES
#define OP(name, flags, fn)                                                                        \
    {                                                                                              \
#name, "organizations:" #name, flags, NULL, bw_org__##fn                                   \
    }

static const struct bw_op ops[] = {
    OP(AcceptHandshake, M, accept_handshake),
    OP(AttachPolicy, M, attach_policy),
    OP(CancelHandshake, M, cancel_handshake),
    OP(CloseAccount, M, close_account),
    OP(CreateAccount, M, create_account),
    OP(CreateGovCloudAccount, M, create_govcloud_account),
    OP(CreateOrganization, M, create_organization),
    OP(CreateOrganizationalUnit, M, create_ou),
    OP(CreatePolicy, M, create_policy),
    OP(DeclineHandshake, M, decline_handshake),
    OP(DeleteOrganization, M, delete_organization),
    OP(DeleteOrganizationalUnit, M, delete_ou),
    OP(DeletePolicy, M, delete_policy),
    OP(DeleteResourcePolicy, M, delete_resource_policy),
    OP(DeregisterDelegatedAdministrator, M, deregister_delegated_admin),
    OP(DescribeAccount, 0, describe_account),
    OP(DescribeCreateAccountStatus, 0, describe_create_account_status),
    OP(DescribeEffectivePolicy, 0, describe_effective_policy),
    OP(DescribeHandshake, 0, describe_handshake),
    OP(DescribeOrganization, 0, describe_organization),
    OP(DescribeOrganizationalUnit, 0, describe_ou),
    OP(DescribePolicy, 0, describe_policy),
    OP(DescribeResourcePolicy, 0, describe_resource_policy),
    OP(DetachPolicy, M, detach_policy),
    OP(DisableAWSServiceAccess, M, disable_service_access),
    OP(DisablePolicyType, M, disable_policy_type),
    OP(EnableAWSServiceAccess, M, enable_service_access),
    OP(EnableAllFeatures, M, enable_all_features),
    OP(EnablePolicyType, M, enable_policy_type),
    OP(InviteAccountToOrganization, M, invite_account),
    OP(LeaveOrganization, M, leave_organization),
    OP(ListAWSServiceAccessForOrganization, 0, list_service_access),
    OP(ListAccounts, 0, list_accounts),
    OP(ListAccountsForParent, 0, list_accounts_for_parent),
    OP(ListChildren, 0, list_children),
    OP(ListCreateAccountStatus, 0, list_create_account_status),
    OP(ListDelegatedAdministrators, 0, list_delegated_admins),
    OP(ListDelegatedServicesForAccount, 0, list_delegated_services),
    OP(ListHandshakesForAccount, 0, list_handshakes_for_account),
    OP(ListHandshakesForOrganization, 0, list_handshakes_for_org),
    OP(ListOrganizationalUnitsForParent, 0, list_ous_for_parent),
    OP(ListParents, 0, list_parents),
    OP(ListPolicies, 0, list_policies),
    OP(ListPoliciesForTarget, 0, list_policies_for_target),
    OP(ListRoots, 0, list_roots),
    OP(ListTagsForResource, 0, list_tags_for_resource),
    OP(ListTargetsForPolicy, 0, list_targets_for_policy),
    OP(MoveAccount, M, move_account),
    OP(PutResourcePolicy, M, put_resource_policy),
    OP(RegisterDelegatedAdministrator, M, register_delegated_admin),
    OP(RemoveAccountFromOrganization, M, remove_account),
    OP(TagResource, M, tag_resource),
    OP(UntagResource, M, untag_resource),
    OP(UpdateOrganizationalUnit, M, update_ou),
    OP(UpdatePolicy, M, update_policy),
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
