# SPDX-License-Identifier: Apache-2.0
"""Authorization of IAM calls (the IAM action on the resource ARN the Service
Authorization Reference names, AWS's AccessDenied wording, explicit deny, group
policies, permissions boundaries, iam:PermissionsBoundary), the policy simulator,
GetAccountAuthorizationDetails and GetAccountSummary."""
import json

from iam_helpers import allow, deny, doc, fails, trust, unchecked


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_no_policy_is_denied_with_aws_message(server):
    creds = server.new_user_creds("nopol")
    me = server.client("iam", creds=creds)
    msg = fails("AccessDenied", 403, me.list_users)
    a = server.account
    assert msg == (f"User: arn:aws:iam::{a}:user/nopol is not authorized to perform: "
                   f"iam:ListUsers on resource: arn:aws:iam::{a}:user/ because no "
                   f"identity-based policy allows the iam:ListUsers action")
    msg = fails("AccessDenied", 403, me.create_user, UserName="x", Path="/team/")
    assert f"iam:CreateUser on resource: arn:aws:iam::{a}:user/team/x because" in msg
    msg = fails("AccessDenied", 403, me.get_policy,
                PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert "on resource: arn:aws:iam::aws:policy/ReadOnlyAccess because" in msg
    # nothing was created by the refused call
    fails("NoSuchEntity", 404, server.client("iam").get_user, UserName="x")
    rc, _, err = server.cli("iam", "list-roles", creds=creds, check=False)
    assert rc != 0 and "AccessDenied" in err and f"arn:aws:iam::{a}:role/" in err


def test_resource_scoped_policy(server):
    a = server.account
    creds = server.new_user_creds("scoped", policy_doc=policy(
        allow(["iam:CreateUser", "iam:GetUser", "iam:DeleteUser", "iam:TagUser"],
              f"arn:aws:iam::{a}:user/team/*"),
        allow("iam:ListUsers", f"arn:aws:iam::{a}:user/team/*")))
    me = server.client("iam", creds=creds)
    me.create_user(UserName="member1", Path="/team/")
    me.tag_user(UserName="member1", Tags=[{"Key": "a", "Value": "b"}])
    assert me.get_user(UserName="member1")["User"]["Path"] == "/team/"
    assert [u["UserName"] for u in me.list_users(PathPrefix="/team/")["Users"]] == ["member1"]
    msg = fails("AccessDenied", 403, me.create_user, UserName="outsider", Path="/other/")
    assert f"arn:aws:iam::{a}:user/other/outsider" in msg
    fails("AccessDenied", 403, me.list_users)  # arn:…:user/ is outside user/team/*
    fails("AccessDenied", 403, me.get_user, UserName="admin")
    fails("NoSuchEntity", 404, server.client("iam").get_user, UserName="outsider")
    me.delete_user(UserName="member1")


def test_explicit_deny_wins(server):
    creds = server.new_user_creds("denied", policy_doc=policy(
        allow("iam:*"), deny("iam:DeleteUser"),
        deny("iam:TagUser", "*", Condition={"StringLike": {"aws:RequestTag/env": "prod*"}})))
    me = server.client("iam", creds=creds)
    me.create_user(UserName="victim")
    msg = fails("AccessDenied", 403, me.delete_user, UserName="victim")
    assert msg.endswith("with an explicit deny in an identity-based policy")
    assert me.get_user(UserName="victim")["User"]["UserName"] == "victim"
    # a condition on the request's tags (aws:RequestTag)
    fails("AccessDenied", 403, me.tag_user, UserName="victim",
          Tags=[{"Key": "env", "Value": "production"}])
    assert me.list_user_tags(UserName="victim")["Tags"] == []
    me.tag_user(UserName="victim", Tags=[{"Key": "env", "Value": "dev"}])
    server.client("iam").delete_user(UserName="victim")


def test_group_policy_grants(server):
    iam = server.client("iam")
    creds = server.new_user_creds("grouped")
    me = server.client("iam", creds=creds)
    fails("AccessDenied", 403, me.list_groups)
    iam.create_group(GroupName="readers")
    iam.attach_group_policy(GroupName="readers",
                            PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.add_user_to_group(GroupName="readers", UserName="grouped")
    assert "readers" in [g["GroupName"] for g in me.list_groups()["Groups"]]
    fails("AccessDenied", 403, me.create_group, GroupName="nope")
    iam.remove_user_from_group(GroupName="readers", UserName="grouped")
    fails("AccessDenied", 403, me.list_groups)
    iam.detach_group_policy(GroupName="readers",
                            PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.delete_group(GroupName="readers")


def test_permissions_boundary_limits(server):
    iam = server.client("iam")
    b = iam.create_policy(PolicyName="only-get",
                          PolicyDocument=doc(allow(["iam:Get*", "iam:ListUsers"])))["Policy"]["Arn"]
    creds = server.new_user_creds("bounded",
                                  policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")
    me = server.client("iam", creds=creds)
    me.list_roles()  # admin without a boundary
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=b)
    me.list_users()
    me.get_user(UserName="admin")
    msg = fails("AccessDenied", 403, me.list_roles)
    assert msg.endswith("because no permissions boundary allows the iam:ListRoles action")
    fails("AccessDenied", 403, me.create_user, UserName="escape")
    # the boundary cannot be removed by the bounded user itself
    fails("AccessDenied", 403, me.delete_user_permissions_boundary, UserName="bounded")
    iam.delete_user_permissions_boundary(UserName="bounded")
    me.list_roles()
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=b)
    fails("AccessDenied", 403, me.list_roles)


def test_permissions_boundary_condition_key(server):
    """iam:PermissionsBoundary lets an admin delegate user management only within a
    boundary; iam:PolicyARN restricts which policies may be attached."""
    iam = server.client("iam")
    a = server.account
    b = iam.create_policy(PolicyName="delegated-bnd",
                          PolicyDocument=doc(allow("s3:*")))["Policy"]["Arn"]
    admin_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    creds = server.new_user_creds("delegate", policy_doc=policy(
        allow(["iam:CreateUser", "iam:AttachUserPolicy",
               "iam:DetachUserPolicy"], f"arn:aws:iam::{a}:user/*",
              Condition={"StringEquals": {"iam:PermissionsBoundary": b}}),
        deny("iam:AttachUserPolicy", "*", Condition={"ArnEquals": {"iam:PolicyARN": admin_arn}})))
    me = server.client("iam", creds=creds)
    fails("AccessDenied", 403, me.create_user, UserName="free")
    u = me.create_user(UserName="fenced", PermissionsBoundary=b)["User"]
    assert u["PermissionsBoundary"]["PermissionsBoundaryArn"] == b
    # the key's value for an existing user is that user's boundary
    me.attach_user_policy(UserName="fenced", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_user(UserName="unfenced")
    fails("AccessDenied", 403, me.attach_user_policy, UserName="unfenced",
          PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    msg = fails("AccessDenied", 403, me.attach_user_policy, UserName="fenced", PolicyArn=admin_arn)
    assert "explicit deny" in msg
    assert len(iam.list_attached_user_policies(UserName="fenced")["AttachedPolicies"]) == 1
    me.detach_user_policy(UserName="fenced", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.delete_user(UserName="fenced")
    iam.delete_user(UserName="unfenced")


def test_role_session_uses_role_policies(server):
    iam = server.client("iam")
    iam.create_role(RoleName="auditor", AssumeRolePolicyDocument=trust(server.account))
    iam.attach_role_policy(RoleName="auditor", PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")
    c = server.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{server.account}:role/auditor", RoleSessionName="s1")["Credentials"]
    from conftest import Creds
    sess = server.client("iam", creds=Creds(c["AccessKeyId"], c["SecretAccessKey"],
                                            c["SessionToken"]))
    assert sess.get_role(RoleName="auditor")["Role"]["RoleName"] == "auditor"
    msg = fails("AccessDenied", 403, sess.create_user, UserName="x")
    assert msg.startswith(f"User: arn:aws:sts::{server.account}:assumed-role/auditor/s1 ")
    fails("ValidationError", 400, sess.list_access_keys)  # no user behind a role session


def test_simulate_principal_policy(server):
    iam = server.client("iam")
    a = server.account
    iam.create_user(UserName="sim")
    iam.put_user_policy(UserName="sim", PolicyName="inline-s3", PolicyDocument=json.dumps(
        policy(allow("s3:GetObject", "arn:aws:s3:::bucket/*"),
               {"Sid": "TagCond", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
                "Condition": {"StringEquals": {"s3:x-amz-acl": "private"}}},
               deny("s3:DeleteObject"))))
    arn = f"arn:aws:iam::{a}:user/sim"
    res = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:GetObject", "s3:DeleteObject", "s3:ListBucket"],
        ResourceArns=["arn:aws:s3:::bucket/key"])["EvaluationResults"]
    by = {r["EvalActionName"]: r for r in res}
    assert by["s3:GetObject"]["EvalDecision"] == "allowed"
    assert by["s3:DeleteObject"]["EvalDecision"] == "explicitDeny"
    assert by["s3:ListBucket"]["EvalDecision"] == "implicitDeny"
    assert by["s3:ListBucket"]["MatchedStatements"] == []
    m = by["s3:GetObject"]["MatchedStatements"]
    assert m[0]["SourcePolicyId"] == "inline-s3" and m[0]["SourcePolicyType"] == "user"
    assert m[0]["StartPosition"]["Line"] == 1 and m[0]["EndPosition"]["Column"] > \
        m[0]["StartPosition"]["Column"]
    assert by["s3:GetObject"]["EvalResourceName"] == "arn:aws:s3:::bucket/key"
    # a condition key nobody supplied is reported missing; supplying it decides
    r = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:PutObject"])
    r = r["EvaluationResults"][0]
    assert r["EvalDecision"] == "implicitDeny" and r["MissingContextValues"] == ["s3:x-amz-acl"]
    r = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:PutObject"],
        ContextEntries=[{"ContextKeyName": "s3:x-amz-acl", "ContextKeyValues": ["private"],
                         "ContextKeyType": "string"}])["EvaluationResults"][0]
    assert r["EvalDecision"] == "allowed" and r["MissingContextValues"] == []
    # group and managed policies count; the boundary is reported
    iam.create_group(GroupName="sim-g")
    iam.attach_group_policy(GroupName="sim-g", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.add_user_to_group(GroupName="sim-g", UserName="sim")
    r = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["iam:ListUsers"])
    r = r["EvaluationResults"][0]
    assert r["EvalDecision"] == "allowed"
    assert r["MatchedStatements"][0]["SourcePolicyType"] == "aws-managed"
    iam.put_user_permissions_boundary(UserName="sim",
                                      PermissionsBoundary="arn:aws:iam::aws:policy/AWSShieldFullAccess")
    r = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["iam:ListUsers"])
    r = r["EvaluationResults"][0]
    assert r["EvalDecision"] == "implicitDeny"
    assert r["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    # paging over results
    page = iam.simulate_principal_policy(PolicySourceArn=arn, MaxItems=2,
                                         ActionNames=["s3:GetObject", "s3:PutObject", "s3:X"])
    assert page["IsTruncated"] and len(page["EvaluationResults"]) == 2
    rest = iam.simulate_principal_policy(PolicySourceArn=arn, Marker=page["Marker"],
                                         ActionNames=["s3:GetObject", "s3:PutObject", "s3:X"])
    assert [x["EvalActionName"] for x in rest["EvaluationResults"]] == ["s3:X"]
    fails("NoSuchEntity", 404, iam.simulate_principal_policy,
          PolicySourceArn=f"arn:aws:iam::{a}:user/ghost", ActionNames=["s3:GetObject"])
    fails("ValidationError", 400, unchecked(server).simulate_principal_policy,
          PolicySourceArn=arn, ActionNames=[])
    iam.delete_user_permissions_boundary(UserName="sim")
    iam.remove_user_from_group(GroupName="sim-g", UserName="sim")
    iam.detach_group_policy(GroupName="sim-g",
                            PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.delete_group(GroupName="sim-g")
    iam.delete_user_policy(UserName="sim", PolicyName="inline-s3")
    iam.delete_user(UserName="sim")


def test_simulate_custom_policy(server):
    iam = server.client("iam")
    p = json.dumps(policy(allow("ec2:*"), deny("ec2:TerminateInstances")), indent=2)
    res = iam.simulate_custom_policy(
        PolicyInputList=[p], ActionNames=["ec2:RunInstances", "ec2:TerminateInstances",
                                          "s3:GetObject"])["EvaluationResults"]
    assert [r["EvalDecision"] for r in res] == ["allowed", "explicitDeny", "implicitDeny"]
    m = res[0]["MatchedStatements"][0]
    assert m["SourcePolicyId"] == "PolicyInputList.1"
    # the first statement of the indented document starts on line 4, column 5
    assert m["StartPosition"] == {"Line": 4, "Column": 5}
    assert m["EndPosition"]["Line"] == 8
    bnd = iam.simulate_custom_policy(PolicyInputList=[p], ActionNames=["ec2:RunInstances"],
                                     PermissionsBoundaryPolicyInputList=[doc(allow("s3:*"))])
    r = bnd["EvaluationResults"][0]
    assert r["EvalDecision"] == "implicitDeny"
    assert r["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"] is False
    cond = doc(allow("s3:GetObject", "*",
                     Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    r = iam.simulate_custom_policy(
        PolicyInputList=[cond], ActionNames=["s3:GetObject"],
        ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"],
                         "ContextKeyType": "ip"}])["EvaluationResults"][0]
    assert r["EvalDecision"] == "allowed"
    r = iam.simulate_custom_policy(PolicyInputList=[cond],
                                   ActionNames=["s3:GetObject"])["EvaluationResults"][0]
    assert r["EvalDecision"] == "implicitDeny" and r["MissingContextValues"] == ["aws:SourceIp"]
    fails("MalformedPolicyDocument", 400, iam.simulate_custom_policy,
          PolicyInputList=["{bad"], ActionNames=["s3:GetObject"])
    rc, out, _ = server.cli("iam", "simulate-custom-policy", "--policy-input-list", p,
                            "--action-names", "ec2:TerminateInstances")
    assert out["EvaluationResults"][0]["EvalDecision"] == "explicitDeny"


def test_account_authorization_details(server):
    iam = server.client("iam")
    a = server.account
    iam.create_user(UserName="aad-u")
    iam.create_group(GroupName="aad-g")
    iam.add_user_to_group(GroupName="aad-g", UserName="aad-u")
    iam.put_user_policy(UserName="aad-u", PolicyName="inl", PolicyDocument=doc(allow("s3:*")))
    iam.create_role(RoleName="aad-r", AssumeRolePolicyDocument=trust(a))
    parn = iam.create_policy(PolicyName="aad-p", PolicyDocument=doc(allow("s3:*")))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="aad-r", PolicyArn=parn)
    d = iam.get_account_authorization_details()
    users = {u["UserName"]: u for u in d["UserDetailList"]}
    assert users["aad-u"]["GroupList"] == ["aad-g"]
    assert users["aad-u"]["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] == "s3:*"
    assert users["admin"]["AttachedManagedPolicies"][0]["PolicyName"] == "AdministratorAccess"
    roles = {r["RoleName"]: r for r in d["RoleDetailList"]}
    assert roles["aad-r"]["AttachedManagedPolicies"] == [{"PolicyName": "aad-p", "PolicyArn": parn}]
    assert roles["aad-r"]["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    pols = {p["PolicyName"]: p for p in d["Policies"]}
    assert pols["aad-p"]["PolicyVersionList"][0]["IsDefaultVersion"] is True
    assert "AdministratorAccess" in pols  # AWS managed, in use by the admin
    assert "PowerUserAccess" not in pols  # AWS managed, unused
    assert "aad-g" in [g["GroupName"] for g in d["GroupDetailList"]]
    only = iam.get_account_authorization_details(Filter=["Role"])
    assert "UserDetailList" not in only and "Policies" not in only
    assert "aad-r" in [r["RoleName"] for r in only["RoleDetailList"]]
    local = iam.get_account_authorization_details(Filter=["LocalManagedPolicy"])
    names = [p["PolicyName"] for p in local["Policies"]]
    assert "aad-p" in names and "AdministratorAccess" not in names
    pag = iam.get_paginator("get_account_authorization_details")
    n_users = sum(len(p["UserDetailList"]) for p in
                  pag.paginate(Filter=["User"], PaginationConfig={"PageSize": 1}))
    assert n_users == len(iam.list_users(MaxItems=1000)["Users"])
    fails("ValidationError", 400, unchecked(server).get_account_authorization_details,
          Filter=["Everything"])
    s = iam.get_account_summary()["SummaryMap"]
    assert s["Users"] == len(iam.list_users(MaxItems=1000)["Users"])
    assert s["Roles"] >= 1 and s["Policies"] >= 1 and s["AccessKeysPerUserQuota"] == 2
    iam.detach_role_policy(RoleName="aad-r", PolicyArn=parn)
    iam.delete_policy(PolicyArn=parn)
    iam.delete_role(RoleName="aad-r")
    iam.delete_user_policy(UserName="aad-u", PolicyName="inl")
    iam.remove_user_from_group(GroupName="aad-g", UserName="aad-u")
    iam.delete_group(GroupName="aad-g")
    iam.delete_user(UserName="aad-u")


def test_accounts_are_isolated(server):
    """Another account's admin sees none of this account's IAM entities or policies."""
    iam = server.client("iam")
    a = server.account
    iam.create_user(UserName="iso-user")
    parn = iam.create_policy(PolicyName="iso-pol", PolicyDocument=doc(allow("s3:*")))[
        "Policy"]["Arn"]
    _, creds = server.new_account("iso")  # the new account's admin user
    other = server.client("iam", creds=creds)
    assert [u["UserName"] for u in other.list_users()["Users"]] == ["admin"]
    assert other.list_policies(Scope="Local")["Policies"] == []
    fails("NoSuchEntity", 404, other.get_user, UserName="iso-user")
    fails("NoSuchEntity", 404, other.get_policy, PolicyArn=parn)
    fails("NoSuchEntity", 404, other.attach_user_policy, UserName="admin", PolicyArn=parn)
    fails("NoSuchEntity", 404, other.put_user_permissions_boundary, UserName="admin",
          PermissionsBoundary=parn)
    fails("NoSuchEntity", 404, other.simulate_principal_policy,
          PolicySourceArn=f"arn:aws:iam::{a}:user/iso-user", ActionNames=["s3:GetObject"])
    other.create_user(UserName="iso-user")  # the same name in another account is fine
    assert iam.get_policy(PolicyArn=parn)["Policy"]["AttachmentCount"] == 0
    other.delete_user(UserName="iso-user")
    iam.delete_user(UserName="iso-user")
    iam.delete_policy(PolicyArn=parn)
