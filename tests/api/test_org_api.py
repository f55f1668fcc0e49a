# SPDX-License-Identifier: Apache-2.0
"""AWS Organizations through boto3 and the AWS CLI: each operation's happy path and
its documented errors (exact error name, HTTP status, Reason), ids/ARNs in AWS's
formats, pagination, validation done by the server, and that a refused call changes
nothing."""
import json
import os
import sqlite3
import subprocess
import uuid

import boto3
import botocore.config
import botocore.exceptions
import pytest

from conftest import BIN_DIR, REGION, Creds, error_code

SCP = "SERVICE_CONTROL_POLICY"
ALLOW_ALL = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def scp(action, effect="Deny"):
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": effect, "Action": action, "Resource": "*"}]})


def raw_client(server, creds=None):
    """A client without botocore's own parameter checks, to reach the server's."""
    c = creds or server.admin
    return boto3.client("organizations", endpoint_url=server.endpoint, region_name=REGION,
                        aws_access_key_id=c.akid, aws_secret_access_key=c.secret,
                        aws_session_token=c.token,
                        config=botocore.config.Config(parameter_validation=False,
                                                      retries={"max_attempts": 1}))


def raises(code, fn, *a, reason=None, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(*a, **kw)
    got, status = error_code(e.value)
    assert got == code, e.value.response
    if code not in ("AccessDeniedException", "AccessDenied"):
        assert status == 400, e.value.response
    if reason:
        assert e.value.response.get("Reason") == reason, e.value.response
    return e.value.response


def standalone(server, name):
    return server.new_account(name)


@pytest.fixture(scope="module")
def env(server):
    org = server.client("organizations")
    raises("AWSOrganizationsNotInUseException", org.describe_organization)
    raises("AWSOrganizationsNotInUseException", org.list_accounts)
    raises("InvalidInputException", raw_client(server).create_organization, FeatureSet="HALF",
           reason="INVALID_ENUM")
    o = org.create_organization()["Organization"]
    root = org.list_roots()["Roots"][0]
    return {"server": server, "org": org, "o": o, "root": root["Id"]}


def created_account(env, name, **kw):
    org = env["org"]
    st = org.create_account(Email=f"{name}@example.com", AccountName=name, **kw)
    st = org.describe_create_account_status(
        CreateAccountRequestId=st["CreateAccountStatus"]["Id"])["CreateAccountStatus"]
    assert st["State"] == "SUCCEEDED", st
    return st["AccountId"]


def assume(env, acct, role="OrganizationAccountAccessRole"):
    cr = env["server"].client("sts").assume_role(RoleArn=f"arn:aws:iam::{acct}:role/{role}",
                                                 RoleSessionName="test")["Credentials"]
    return Creds(cr["AccessKeyId"], cr["SecretAccessKey"], cr["SessionToken"])


# ---- organization ----

def test_organization_shape(env):
    org, o, server = env["org"], env["o"], env["server"]
    assert o["FeatureSet"] == "ALL"
    assert len(o["Id"]) == 12 and o["Id"].startswith("o-")
    assert o["Arn"] == f"arn:aws:organizations::{server.account}:organization/{o['Id']}"
    assert o["MasterAccountArn"] == \
        f"arn:aws:organizations::{server.account}:account/{o['Id']}/{server.account}"
    r = org.describe_organization()
    assert r["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"
    raises("AlreadyInOrganizationException", org.create_organization)
    root = org.list_roots()["Roots"][0]
    assert root["Arn"] == f"arn:aws:organizations::{server.account}:root/{o['Id']}/{root['Id']}"
    assert root["Name"] == "Root" and root["PolicyTypes"] == [{"Type": SCP, "Status": "ENABLED"}]
    pols = org.list_policies_for_target(TargetId=root["Id"], Filter=SCP)["Policies"]
    assert pols[0]["Arn"] == \
        "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
    assert pols[0]["AwsManaged"] is True


# ---- accounts ----

def test_create_account_statuses(env):
    org = env["org"]
    acct = created_account(env, "alpha", RoleName="Ops", IamUserAccessToBilling="DENY",
                           Tags=[{"Key": "env", "Value": "dev"}])
    a = org.describe_account(AccountId=acct)["Account"]
    assert a["JoinedMethod"] == "CREATED" and a["Name"] == "alpha"
    assert a["Arn"].endswith(f"account/{env['o']['Id']}/{acct}")
    assert org.list_tags_for_resource(ResourceId=acct)["Tags"] == [{"Key": "env", "Value": "dev"}]
    # the custom role exists, trusts the management account and is an administrator
    iam = env["server"].client("iam", creds=assume(env, acct, "Ops"))
    assert iam.create_user(UserName="u")["User"]["UserName"] == "u"
    bad = org.create_account(Email="not-an-email", AccountName="x")["CreateAccountStatus"]
    bad = org.describe_create_account_status(CreateAccountRequestId=bad["Id"])
    assert bad["CreateAccountStatus"]["State"] == "FAILED"
    assert bad["CreateAccountStatus"]["FailureReason"] == "INVALID_EMAIL"
    raises("InvalidInputException", org.create_account, Email="r@example.com", AccountName="r",
           RoleName="AWSServiceRoleForX", reason="INVALID_ROLE_NAME")
    raises("InvalidInputException", raw_client(env["server"]).create_account,
           Email="r@example.com", AccountName="r", IamUserAccessToBilling="MAYBE")
    raises("CreateAccountStatusNotFoundException", org.describe_create_account_status,
           CreateAccountRequestId="car-" + "0" * 32)
    raises("InvalidInputException", org.describe_create_account_status,
           CreateAccountRequestId="nope")
    failed = org.list_create_account_status(States=["FAILED"])["CreateAccountStatuses"]
    assert [s["FailureReason"] for s in failed] == ["INVALID_EMAIL"]
    ok = org.list_create_account_status(States=["SUCCEEDED"])["CreateAccountStatuses"]
    assert acct in [s["AccountId"] for s in ok]


def test_account_errors(env):
    org = env["org"]
    raw = raw_client(env["server"])
    raises("InvalidInputException", raw.describe_account, AccountId="12345")
    raises("AccountNotFoundException", org.describe_account, AccountId="999999999999")
    acct = created_account(env, "beta")
    root = env["root"]
    ou = org.create_organizational_unit(ParentId=root, Name="moves")["OrganizationalUnit"]["Id"]
    missing_ou = "ou-" + root[2:] + "-zzzzzzzz"
    raises("SourceParentNotFoundException", org.move_account, AccountId=acct,
           SourceParentId=missing_ou, DestinationParentId=ou)
    raises("DestinationParentNotFoundException", org.move_account, AccountId=acct,
           SourceParentId=root, DestinationParentId=missing_ou)
    raises("DuplicateAccountException", org.move_account, AccountId=acct, SourceParentId=root,
           DestinationParentId=root)
    raises("AccountNotFoundException", org.move_account, AccountId="999999999999",
           SourceParentId=root, DestinationParentId=ou)
    raises("InvalidInputException", raw.move_account, AccountId=acct, SourceParentId="bogus",
           DestinationParentId=ou)
    org.move_account(AccountId=acct, SourceParentId=root, DestinationParentId=ou)
    assert org.list_parents(ChildId=acct)["Parents"] == [{"Id": ou, "Type": "ORGANIZATIONAL_UNIT"}]
    assert [a["Id"] for a in org.list_accounts_for_parent(ParentId=ou)["Accounts"]] == [acct]
    raises("ChildNotFoundException", org.list_parents, ChildId="999999999999")
    raises("ParentNotFoundException", org.list_accounts_for_parent, ParentId=missing_ou)
    mgmt = env["server"].account
    raises("MasterCannotLeaveOrganizationException", org.remove_account_from_organization,
           AccountId=mgmt)
    raises("MasterCannotLeaveOrganizationException", org.leave_organization)
    raises("ConstraintViolationException", org.close_account, AccountId=mgmt,
           reason="CANNOT_CLOSE_MANAGEMENT_ACCOUNT")
    inside = assume(env, acct)  # a session inside the account, valid until it closes
    env["server"].client("sts", creds=inside).get_caller_identity()
    org.close_account(AccountId=acct)
    assert org.describe_account(AccountId=acct)["Account"]["Status"] == "SUSPENDED"
    with pytest.raises(botocore.exceptions.ClientError) as e:  # a closed account's credentials stop working
        env["server"].client("sts", creds=inside).get_caller_identity()
    assert error_code(e.value) == ("InvalidClientTokenId", 403)
    raises("AccountAlreadyClosedException", org.close_account, AccountId=acct)


def set_quota(server, name, value):
    db = sqlite3.connect(os.path.join(server.data_dir, "bulwark.db"), timeout=30)
    db.execute("UPDATE org_quotas SET value = ? WHERE name = ?", (value, name))
    db.commit()
    db.close()


def test_quotas_are_configuration(env):
    org, server = env["org"], env["server"]
    acct = created_account(env, "young")
    set_quota(server, "created_removal_wait_days", 7)
    try:
        raises("ConstraintViolationException", org.remove_account_from_organization,
               AccountId=acct, reason="WAIT_PERIOD_ACTIVE")
    finally:
        set_quota(server, "created_removal_wait_days", 0)
    set_quota(server, "max_ou_depth", 1)
    try:
        ou = org.create_organizational_unit(ParentId=env["root"], Name="shallow")
        raises("ConstraintViolationException", org.create_organizational_unit,
               ParentId=ou["OrganizationalUnit"]["Id"], Name="deeper",
               reason="OU_DEPTH_LIMIT_EXCEEDED")
    finally:
        set_quota(server, "max_ou_depth", 5)
    org.delete_organizational_unit(OrganizationalUnitId=ou["OrganizationalUnit"]["Id"])
    raises("InvalidInputException", org.create_account, Email="u@example.com",
           AccountName="caf\u00e9", reason="INVALID_PATTERN")


def test_leave_organization(env):
    org = env["org"]
    acct = created_account(env, "leaver")
    morg = env["server"].client("organizations", creds=assume(env, acct))
    assert morg.describe_organization()["Organization"]["Id"] == env["o"]["Id"]
    raises("AccessDeniedException", morg.list_roots)
    raises("AccessDeniedException", morg.create_organizational_unit, ParentId=env["root"],
           Name="x")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        morg.list_accounts()
    assert error_code(e.value) == ("AccessDeniedException", 400)
    morg.leave_organization()
    raises("AWSOrganizationsNotInUseException", morg.describe_organization)
    raises("AccountNotFoundException", org.describe_account, AccountId=acct)


def test_pagination(env):
    org, server = env["org"], env["server"]
    for i in range(22):
        created_account(env, f"page{i:02d}")
    raw = raw_client(server)
    raises("InvalidInputException", raw.list_accounts, MaxResults=21, reason="MAX_VALUE_EXCEEDED")
    raises("InvalidInputException", raw.list_accounts, MaxResults=0, reason="MIN_VALUE_EXCEEDED")
    first = org.list_accounts(MaxResults=20)
    assert len(first["Accounts"]) == 20 and first["NextToken"]
    raises("InvalidInputException", org.list_accounts, NextToken=first["NextToken"] + "x",
           reason="INVALID_NEXT_TOKEN")
    raises("InvalidInputException", org.list_accounts, NextToken="20.0000000000000000",
           reason="INVALID_NEXT_TOKEN")
    # a token from another operation is refused too
    raises("InvalidInputException", org.list_handshakes_for_organization,
           NextToken=first["NextToken"], reason="INVALID_NEXT_TOKEN")
    ids = [a["Id"] for a in first["Accounts"]]
    tok = first["NextToken"]
    while tok:
        r = org.list_accounts(MaxResults=20, NextToken=tok)
        ids += [a["Id"] for a in r["Accounts"]]
        tok = r.get("NextToken")
    assert len(ids) == len(set(ids))
    paged = [a["Id"] for p in org.get_paginator("list_accounts").paginate(
        PaginationConfig={"PageSize": 7}) for a in p["Accounts"]]
    assert paged == ids
    rc, out, err = server.cli("organizations", "list-accounts", "--page-size", "5")
    assert [a["Id"] for a in out["Accounts"]] == ids


# ---- organizational units ----

def test_ou_lifecycle(env):
    org, root, server = env["org"], env["root"], env["server"]
    ou = org.create_organizational_unit(ParentId=root, Name="eng",
                                        Tags=[{"Key": "k", "Value": "v"}])["OrganizationalUnit"]
    assert ou["Arn"] == f"arn:aws:organizations::{server.account}:ou/{env['o']['Id']}/{ou['Id']}"
    raises("DuplicateOrganizationalUnitException", org.create_organizational_unit,
           ParentId=root, Name="eng")
    raises("ParentNotFoundException", org.create_organizational_unit,
           ParentId="ou-" + root[2:] + "-aaaaaaaa", Name="x")
    raises("InvalidInputException", raw_client(server).create_organizational_unit,
           ParentId=root, Name="n" * 129, reason="MAX_LENGTH_EXCEEDED")
    assert org.describe_organizational_unit(OrganizationalUnitId=ou["Id"])[
        "OrganizationalUnit"]["Name"] == "eng"
    upd = org.update_organizational_unit(OrganizationalUnitId=ou["Id"], Name="engineering")
    assert upd["OrganizationalUnit"]["Name"] == "engineering"
    # depth: five levels below the root, not six
    parent, chain = ou["Id"], [ou["Id"]]
    for d in range(4):
        parent = org.create_organizational_unit(ParentId=parent, Name=f"d{d}")[
            "OrganizationalUnit"]["Id"]
        chain.append(parent)
    raises("ConstraintViolationException", org.create_organizational_unit, ParentId=parent,
           Name="too-deep", reason="OU_DEPTH_LIMIT_EXCEEDED")
    assert org.list_parents(ChildId=chain[-1])["Parents"][0]["Id"] == chain[-2]
    assert [c["Id"] for c in org.list_children(ParentId=chain[0],
                                               ChildType="ORGANIZATIONAL_UNIT")["Children"]] == \
        [chain[1]]
    ous = org.list_organizational_units_for_parent(ParentId=chain[1])["OrganizationalUnits"]
    assert [u["Id"] for u in ous] == [chain[2]]
    raises("InvalidInputException", raw_client(server).list_children, ParentId=root,
           ChildType="POLICY")
    raises("OrganizationalUnitNotEmptyException", org.delete_organizational_unit,
           OrganizationalUnitId=chain[0])
    for c in reversed(chain):
        org.delete_organizational_unit(OrganizationalUnitId=c)
    raises("OrganizationalUnitNotFoundException", org.describe_organizational_unit,
           OrganizationalUnitId=chain[0])
    raises("InvalidInputException", org.describe_organizational_unit,
           OrganizationalUnitId="ou-short")


# ---- policies ----

def test_policy_lifecycle(env):
    org, root, server = env["org"], env["root"], env["server"]
    content = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Deny", ' \
              '"Action": "ec2:*", "Resource": "*"}]\n}'
    p = org.create_policy(Name="no-ec2", Description="d", Type=SCP, Content=content,
                          Tags=[{"Key": "a", "Value": "b"}])["Policy"]
    pid = p["PolicySummary"]["Id"]
    assert p["Content"] == content  # byte for byte
    assert p["PolicySummary"]["Arn"] == (f"arn:aws:organizations::{server.account}:policy/"
                                         f"{env['o']['Id']}/service_control_policy/{pid}")
    assert org.describe_policy(PolicyId=pid)["Policy"]["Content"] == content
    raises("DuplicatePolicyException", org.create_policy, Name="no-ec2", Description="",
           Type=SCP, Content=content)
    raises("MalformedPolicyDocumentException", org.create_policy, Name="bad", Description="",
           Type=SCP, Content='{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}')
    raises("MalformedPolicyDocumentException", org.create_policy, Name="bad", Description="",
           Type=SCP, Content=json.dumps({"Version": "2012-10-17", "Statement": [
               {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}))
    big = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": [f"s3:Get{'x' * 40}{i}" for i in range(120)],
         "Resource": "*"}]})
    raises("ConstraintViolationException", org.create_policy, Name="big", Description="",
           Type=SCP, Content=big, reason="POLICY_CONTENT_LIMIT_EXCEEDED")
    raises("InvalidInputException", raw_client(server).create_policy, Name="t", Description="",
           Type="FANCY_POLICY", Content=ALLOW_ALL, reason="INVALID_ENUM_POLICY_TYPE")
    raises("InvalidInputException", raw_client(server).describe_policy, PolicyId="p-1",
           reason="INVALID_SYNTAX_POLICY_ID")
    raises("PolicyNotFoundException", org.describe_policy, PolicyId="p-abcdefgh")
    raises("InvalidInputException", org.update_policy, PolicyId="p-FullAWSAccess",
           Name="mine", reason="IMMUTABLE_POLICY")
    raises("InvalidInputException", org.delete_policy, PolicyId="p-FullAWSAccess")
    upd = org.update_policy(PolicyId=pid, Name="no-ec2-2", Description="d2")["Policy"]
    assert upd["PolicySummary"]["Name"] == "no-ec2-2" and upd["Content"] == content
    names = [x["Name"] for x in org.list_policies(Filter=SCP)["Policies"]]
    assert names[0] == "FullAWSAccess" and "no-ec2-2" in names

    # attach / detach rules
    org.attach_policy(PolicyId=pid, TargetId=root)
    raises("DuplicatePolicyAttachmentException", org.attach_policy, PolicyId=pid, TargetId=root)
    raises("TargetNotFoundException", org.attach_policy, PolicyId=pid, TargetId="999999999999")
    raises("InvalidInputException", raw_client(server).attach_policy, PolicyId=pid,
           TargetId="x-1", reason="INVALID_PATTERN_TARGET_ID")
    targets = org.list_targets_for_policy(PolicyId=pid)["Targets"]
    assert targets == [{"TargetId": root, "Arn": env["org"].list_roots()["Roots"][0]["Arn"],
                        "Name": "Root", "Type": "ROOT"}]
    raises("PolicyInUseException", org.delete_policy, PolicyId=pid)
    extra = [org.create_policy(Name=f"x{i}", Description="", Type=SCP, Content=scp(f"s3:X{i}"))[
        "Policy"]["PolicySummary"]["Id"] for i in range(4)]
    for e in extra[:3]:
        org.attach_policy(PolicyId=e, TargetId=root)
    raises("ConstraintViolationException", org.attach_policy, PolicyId=extra[3], TargetId=root,
           reason="MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    for e in extra[:3] + [pid]:
        org.detach_policy(PolicyId=e, TargetId=root)
    raises("PolicyNotAttachedException", org.detach_policy, PolicyId=pid, TargetId=root)
    raises("ConstraintViolationException", org.detach_policy, PolicyId="p-FullAWSAccess",
           TargetId=root, reason="MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    org.delete_policy(PolicyId=pid)
    raises("PolicyNotFoundException", org.describe_policy, PolicyId=pid)


def test_policy_types(env):
    org, root = env["org"], env["root"]
    raises("RootNotFoundException", org.enable_policy_type, RootId="r-zzzz", PolicyType=SCP)
    raises("PolicyTypeAlreadyEnabledException", org.enable_policy_type, RootId=root,
           PolicyType=SCP)
    tag = org.create_policy(Name="tags", Description="", Type="TAG_POLICY", Content=json.dumps(
        {"tags": {"team": {"tag_key": {"@@assign": "Team"}}}}))["Policy"]["PolicySummary"]["Id"]
    raises("PolicyTypeNotEnabledException", org.attach_policy, PolicyId=tag, TargetId=root)
    for bad in ({"nottags": {}}, {"tags": {"team": {"tag_key": {"@@bogus": "x"}}}},
                {"tags": {"team": {"@@operators_allowed_for_child_policies": ["@@all"]}}}, []):
        raises("MalformedPolicyDocumentException", org.create_policy, Name="bad-tags",
               Description="", Type="TAG_POLICY", Content=json.dumps(bad))
    ai = org.create_policy(Name="ai", Description="", Type="AISERVICES_OPT_OUT_POLICY",
                           Content=json.dumps({"services": {"default": {
                               "opt_out_policy": {"@@assign": "optOut"}}}}))
    org.delete_policy(PolicyId=ai["Policy"]["PolicySummary"]["Id"])
    r = org.enable_policy_type(RootId=root, PolicyType="TAG_POLICY")["Root"]
    assert {"Type": "TAG_POLICY", "Status": "ENABLED"} in r["PolicyTypes"]
    org.attach_policy(PolicyId=tag, TargetId=root)
    # disabling SCPs detaches them; re-enabling attaches only FullAWSAccess
    mine = org.create_policy(Name="pt", Description="", Type=SCP, Content=scp("s3:Y"))[
        "Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=mine, TargetId=root)
    r = org.disable_policy_type(RootId=root, PolicyType=SCP)["Root"]
    assert {"Type": SCP, "Status": "ENABLED"} not in r["PolicyTypes"]
    raises("PolicyTypeNotEnabledException", org.disable_policy_type, RootId=root, PolicyType=SCP)
    assert org.list_targets_for_policy(PolicyId=mine)["Targets"] == []
    org.enable_policy_type(RootId=root, PolicyType=SCP)
    ids = [p["Id"] for p in org.list_policies_for_target(TargetId=root, Filter=SCP)["Policies"]]
    assert ids == ["p-FullAWSAccess"]
    org.delete_policy(PolicyId=mine)


def test_effective_policy(env):
    org, root = env["org"], env["root"]
    if "TAG_POLICY" not in [t["Type"] for t in org.list_roots()["Roots"][0]["PolicyTypes"]]:
        org.enable_policy_type(RootId=root, PolicyType="TAG_POLICY")
    acct = created_account(env, "eff")
    ou = org.create_organizational_unit(ParentId=root, Name="eff")["OrganizationalUnit"]["Id"]
    org.move_account(AccountId=acct, SourceParentId=root, DestinationParentId=ou)
    base = org.create_policy(Name="base", Description="", Type="TAG_POLICY", Content=json.dumps(
        {"tags": {"cost": {"tag_key": {"@@assign": "CostCenter",
                                       "@@operators_allowed_for_child_policies": ["@@none"]},
                           "tag_value": {"@@assign": ["100", "200"]}}}}))
    child = org.create_policy(Name="child", Description="", Type="TAG_POLICY", Content=json.dumps(
        {"tags": {"cost": {"tag_key": {"@@assign": "costcenter"},
                           "tag_value": {"@@append": ["300"]}}}}))
    org.attach_policy(PolicyId=base["Policy"]["PolicySummary"]["Id"], TargetId=root)
    org.attach_policy(PolicyId=child["Policy"]["PolicySummary"]["Id"], TargetId=ou)
    e = org.describe_effective_policy(PolicyType="TAG_POLICY", TargetId=acct)["EffectivePolicy"]
    eff = json.loads(e["PolicyContent"])
    # the root's policy may not be changed (tags.cost.tag_key frozen) ... except by @@append?
    cost = eff["tags"]["cost"]
    assert cost["tag_key"] == "CostCenter" and cost["tag_value"] == ["100", "200", "300"]
    assert e["TargetId"] == acct and e["PolicyType"] == "TAG_POLICY"
    raises("EffectivePolicyNotFoundException", org.describe_effective_policy,
           PolicyType="BACKUP_POLICY", TargetId=acct)
    raises("InvalidInputException", raw_client(env["server"]).describe_effective_policy,
           PolicyType=SCP, TargetId=acct)


RCP = "RESOURCE_CONTROL_POLICY"
NO_ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": ["sts:AssumeRole", "iam:CreateUser"],
     "Resource": "*"}]})


@pytest.fixture
def rcp_member(env):
    org, root = env["org"], env["root"]
    r = org.enable_policy_type(RootId=root, PolicyType=RCP)["Root"]
    assert {"Type": RCP, "Status": "ENABLED"} in r["PolicyTypes"]
    acct = created_account(env, f"rcp-{uuid.uuid4().hex[:8]}")
    ids = [p["Id"] for p in org.list_policies_for_target(TargetId=acct, Filter=RCP)["Policies"]]
    assert ids == ["p-RCPFullAWSAccess"]
    raises("MalformedPolicyDocumentException", org.create_policy, Name="r0", Description="",
           Type=RCP, Content=scp("sts:AssumeRole"))  # an RCP needs Principal "*"
    pid = org.create_policy(Name=f"no-assume-{acct}", Description="", Type=RCP,
                            Content=NO_ASSUME)["Policy"]["PolicySummary"]["Id"]
    creds = assume(env, acct)
    org.attach_policy(PolicyId=pid, TargetId=acct)
    yield acct, creds
    org.detach_policy(PolicyId=pid, TargetId=acct)
    org.disable_policy_type(RootId=root, PolicyType=RCP)
    org.delete_policy(PolicyId=pid)


def test_rcp_governs_only_its_services(env, rcp_member):
    """RCPs govern S3, STS, KMS, SQS and Secrets Manager only (Organizations User Guide,
    resource control policies): the RCP that denies sts:AssumeRole and iam:CreateUser on
    the member's resources leaves its IAM calls alone."""
    acct, creds = rcp_member
    iam = env["server"].client("iam", creds=creds)
    iam.create_user(UserName="not-governed")
    iam.delete_user(UserName="not-governed")


def test_rcp_binds_management_on_member_resources(env, rcp_member):
    """The management account is exempt from SCPs, not from a member's RCPs."""
    acct, _ = rcp_member
    e = raises("AccessDenied", env["server"].client("sts").assume_role,
               RoleArn=f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole",
               RoleSessionName="rcp")
    assert "resource control policy" in e["Error"]["Message"]


def test_govcloud_not_available(env):
    raises("ConstraintViolationException", env["org"].create_gov_cloud_account,
           Email="gov@example.com", AccountName="gov", reason="MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED")


# ---- handshakes ----

def test_handshake_rules(env):
    org, server = env["org"], env["server"]
    acct, creds = standalone(server, "hs")
    morg = server.client("organizations", creds=creds)
    raw = raw_client(server)
    raises("InvalidInputException", raw.invite_account_to_organization,
           Target={"Type": "ORGANIZATION", "Id": "o-abcdefghij"}, reason="INVALID_PARTY_TYPE_TARGET")
    raises("AccountNotFoundException", org.invite_account_to_organization,
           Target={"Type": "ACCOUNT", "Id": "999999999999"})
    raises("DuplicateAccountException", org.invite_account_to_organization,
           Target={"Type": "ACCOUNT", "Id": server.account})
    h = org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": acct},
                                           Notes="n")["Handshake"]
    assert h["Id"].startswith("h-")
    assert {"Type": "ACCOUNT", "Id": acct} in h["Parties"]
    types = {r["Type"] for r in h["Resources"]}
    assert {"ORGANIZATION", "ACCOUNT", "NOTES"} <= types
    # an unrelated account does not see it
    other, ocreds = standalone(server, "hs-other")
    oorg = server.client("organizations", creds=ocreds)
    raises("HandshakeNotFoundException", oorg.describe_handshake, HandshakeId=h["Id"])
    raises("HandshakeNotFoundException", oorg.accept_handshake, HandshakeId=h["Id"])
    raises("AccessDeniedException", morg.cancel_handshake, HandshakeId=h["Id"])
    assert org.cancel_handshake(HandshakeId=h["Id"])["Handshake"]["State"] == "CANCELED"
    raises("HandshakeAlreadyInStateException", org.cancel_handshake, HandshakeId=h["Id"])
    raises("InvalidHandshakeTransitionException", morg.accept_handshake, HandshakeId=h["Id"])
    assert morg.describe_handshake(HandshakeId=h["Id"])["Handshake"]["State"] == "CANCELED"
    invites = org.list_handshakes_for_organization(Filter={"ActionType": "INVITE"})["Handshakes"]
    assert h["Id"] in [x["Id"] for x in invites]
    raises("InvalidInputException", org.describe_handshake, HandshakeId="h-1")
    # an account already in another organization cannot accept
    oorg.create_organization(FeatureSet="ALL")
    h2 = org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": other})["Handshake"]
    raises("HandshakeConstraintViolationException", oorg.accept_handshake, HandshakeId=h2["Id"],
           reason="ALREADY_IN_AN_ORGANIZATION")
    oorg.delete_organization()
    raises("AWSOrganizationsNotInUseException", oorg.describe_organization)
    assert oorg.accept_handshake(HandshakeId=h2["Id"])["Handshake"]["State"] == "ACCEPTED"
    assert org.describe_account(AccountId=other)["Account"]["JoinedMethod"] == "INVITED"
    raises("HandshakeConstraintViolationException", org.enable_all_features,
           reason="ORGANIZATION_ALREADY_HAS_ALL_FEATURES")


def test_handshake_expiry(env):
    """Invitations expire 15 days after they were sent (the clock is moved in the store)."""
    org, server = env["org"], env["server"]
    acct, creds = standalone(server, "expiring")
    h = org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": acct})["Handshake"]
    days = (h["ExpirationTimestamp"] - h["RequestedTimestamp"]).total_seconds() / 86400
    assert round(days) == 15
    db = sqlite3.connect(os.path.join(server.data_dir, "bulwark.db"), timeout=30)
    db.execute("UPDATE org_handshakes SET expires_at = expires_at - 16 * 86400000 WHERE id = ?",
               (h["Id"],))
    db.commit()
    db.close()
    morg = server.client("organizations", creds=creds)
    assert morg.describe_handshake(HandshakeId=h["Id"])["Handshake"]["State"] == "EXPIRED"
    raises("InvalidHandshakeTransitionException", morg.accept_handshake, HandshakeId=h["Id"])
    raises("AWSOrganizationsNotInUseException", morg.describe_organization)
    # an expired invitation is no duplicate
    h2 = org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": acct})["Handshake"]
    assert h2["State"] == "OPEN"
    org.cancel_handshake(HandshakeId=h2["Id"])


# ---- tags, delegated administrators, trusted access, resource policy ----

def test_tags(env):
    org, root = env["org"], env["root"]
    org.tag_resource(ResourceId=root, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    org.untag_resource(ResourceId=root, TagKeys=["a"])
    assert org.list_tags_for_resource(ResourceId=root)["Tags"] == [{"Key": "b", "Value": "2"}]
    raises("TargetNotFoundException", org.tag_resource, ResourceId="999999999999",
           Tags=[{"Key": "a", "Value": "1"}])
    raises("InvalidInputException", org.tag_resource, ResourceId=root,
           Tags=[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}], reason="DUPLICATE_TAG_KEY")
    raises("ConstraintViolationException", org.tag_resource, ResourceId=root,
           Tags=[{"Key": f"k{i}", "Value": ""} for i in range(51)], reason="MAX_TAG_LIMIT_EXCEEDED")
    assert org.list_tags_for_resource(ResourceId=root)["Tags"] == [{"Key": "b", "Value": "2"}]


def test_delegated_administrator(env):
    org, server = env["org"], env["server"]
    acct = created_account(env, "delegate")
    sp = "securityhub.amazonaws.com"
    raises("ConstraintViolationException", org.register_delegated_administrator, AccountId=acct,
           ServicePrincipal=sp, reason="SERVICE_ACCESS_NOT_ENABLED")
    raises("InvalidInputException", org.enable_aws_service_access, ServicePrincipal="bogus",
           reason="UNRECOGNIZED_SERVICE_PRINCIPAL")
    org.enable_aws_service_access(ServicePrincipal=sp)
    sps = org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert [s["ServicePrincipal"] for s in sps] == [sp]
    raises("ConstraintViolationException", org.register_delegated_administrator,
           AccountId=server.account, ServicePrincipal=sp,
           reason="CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR")
    dorg = server.client("organizations", creds=assume(env, acct))
    raises("AccessDeniedException", dorg.list_accounts)
    org.register_delegated_administrator(AccountId=acct, ServicePrincipal=sp)
    raises("AccountAlreadyRegisteredException", org.register_delegated_administrator,
           AccountId=acct, ServicePrincipal=sp)
    admins = org.list_delegated_administrators()["DelegatedAdministrators"]
    assert [a["Id"] for a in admins] == [acct]
    svc = org.list_delegated_services_for_account(AccountId=acct)["DelegatedServices"]
    assert [s["ServicePrincipal"] for s in svc] == [sp]
    # read-only List/Describe for the delegate; still no writes
    seen = dorg.get_paginator("list_accounts").paginate().build_full_result()["Accounts"]
    assert any(a["Id"] == acct for a in seen)
    raises("AccessDeniedException", dorg.create_organizational_unit, ParentId=env["root"],
           Name="nope")
    raises("ConstraintViolationException", org.remove_account_from_organization, AccountId=acct,
           reason="CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
    org.deregister_delegated_administrator(AccountId=acct, ServicePrincipal=sp)
    raises("AccountNotRegisteredException", org.deregister_delegated_administrator,
           AccountId=acct, ServicePrincipal=sp)
    raises("AccountNotRegisteredException", org.list_delegated_services_for_account,
           AccountId=acct)
    raises("AccessDeniedException", dorg.list_accounts)
    org.disable_aws_service_access(ServicePrincipal=sp)
    assert org.list_aws_service_access_for_organization()["EnabledServicePrincipals"] == []


def test_resource_arns_in_policies(env):
    """Organizations actions are authorized on the ARN of the account/OU/policy named:
    an SCP denying DescribeAccount on one account's ARN binds a delegated admin there
    only."""
    org, server, o = env["org"], env["server"], env["o"]
    sp = "config.amazonaws.com"
    org.enable_aws_service_access(ServicePrincipal=sp)
    delegate, other = created_account(env, "arn-delegate"), created_account(env, "arn-other")
    org.register_delegated_administrator(AccountId=delegate, ServicePrincipal=sp)
    arn = f"arn:aws:organizations::{server.account}:account/{o['Id']}/{other}"
    pid = org.create_policy(Name="no-describe-other", Description="", Type=SCP, Content=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
                                                 "Action": "organizations:DescribeAccount",
                                                 "Resource": arn}]}))["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=pid, TargetId=delegate)
    try:
        dorg = server.client("organizations", creds=assume(env, delegate))
        e = raises("AccessDeniedException", dorg.describe_account, AccountId=other)
        assert arn in e["Error"]["Message"]
        assert dorg.describe_account(AccountId=delegate)["Account"]["Id"] == delegate
    finally:
        org.detach_policy(PolicyId=pid, TargetId=delegate)
        org.delete_policy(PolicyId=pid)
        org.deregister_delegated_administrator(AccountId=delegate, ServicePrincipal=sp)
        org.disable_aws_service_access(ServicePrincipal=sp)


def test_resource_policy(env):
    org, server = env["org"], env["server"]
    raises("ResourcePolicyNotFoundException", org.describe_resource_policy)
    raises("ResourcePolicyNotFoundException", org.delete_resource_policy)
    content = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "ro", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{server.account}:root"},
        "Action": "organizations:DescribeOrganization", "Resource": "*"}]})
    rp = org.put_resource_policy(Content=content)["ResourcePolicy"]
    assert rp["ResourcePolicySummary"]["Id"].startswith("rp-") and rp["Content"] == content
    assert org.describe_resource_policy()["ResourcePolicy"]["Content"] == content
    raises("InvalidInputException", org.put_resource_policy, Content="{not json")
    org.delete_resource_policy()
    raises("ResourcePolicyNotFoundException", org.describe_resource_policy)


def test_delegation_policy(env):
    """The organization's resource policy delegates read-only and policy-management
    actions to a member account; nothing else can be delegated."""
    org, server = env["org"], env["server"]
    member = created_account(env, "delegated-by-policy")
    morg = server.client("organizations", creds=assume(env, member))
    raises("AccessDeniedException", morg.list_roots)

    def policy(*actions):
        return json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{member}:root"},
            "Action": list(actions), "Resource": "*"}]})
    raises("InvalidInputException", org.put_resource_policy,
           Content=policy("organizations:CreateOrganizationalUnit"),
           reason="UNSUPPORTED_ACTION_IN_RESOURCE_POLICY")
    org.put_resource_policy(Content=policy("organizations:List*", "organizations:CreatePolicy"))
    try:
        assert morg.list_roots()["Roots"][0]["Id"] == env["root"]
        p = morg.create_policy(Name="by-delegate", Description="", Type=SCP,
                               Content=scp("s3:PutBucketPolicy"))["Policy"]["PolicySummary"]
        raises("AccessDeniedException", morg.delete_policy, PolicyId=p["Id"])
        raises("AccessDeniedException", morg.create_organizational_unit, ParentId=env["root"],
               Name="nope")
        raises("AccessDeniedException", morg.describe_account, AccountId=member)
    finally:
        org.delete_resource_policy()
    raises("AccessDeniedException", morg.list_roots)
    org.delete_policy(PolicyId=p["Id"])


def test_iam_denies_organizations_calls(env):
    """organizations:* actions are authorized by IAM like any other."""
    server = env["server"]
    iam = server.client("iam")
    iam.create_user(UserName="org-nobody")
    k = iam.create_access_key(UserName="org-nobody")["AccessKey"]
    c = server.client("organizations", creds=Creds(k["AccessKeyId"], k["SecretAccessKey"]))
    r = raises("AccessDeniedException", c.create_organizational_unit, ParentId=env["root"],
               Name="x")
    assert "organizations:CreateOrganizationalUnit" in r["Error"]["Message"]
    assert error_code(pytest.raises(botocore.exceptions.ClientError, c.describe_organization)
                      .value)[0] == "AccessDeniedException"


def test_trail_records_calls(env):
    server = env["server"]
    db = sqlite3.connect(os.path.join(server.data_dir, "bulwark.db"))
    rows = db.execute("SELECT event_name, source_ip, record FROM trail_events WHERE"
                      " event_source = 'organizations.amazonaws.com'"
                      " AND event_name = 'CreateOrganizationalUnit'").fetchall()
    db.close()
    assert rows and rows[0][1] == "127.0.0.1"
    rec = json.loads(rows[0][2])
    assert rec["userIdentity"]["arn"].endswith(":user/admin")


def test_attach_policy_needs_the_target_too(env):
    """AttachPolicy is authorized on the policy and on the target: a user allowed on
    policies only is denied, naming the target's ARN."""
    org, server = env["org"], env["server"]
    acct = created_account(env, f"tgt-{uuid.uuid4().hex[:8]}")
    pid = org.create_policy(Name=f"tgt-{acct}", Description="", Type=SCP,
                            Content=scp("s3:*"))["Policy"]["PolicySummary"]["Id"]
    creds = server.new_user_creds(f"policy-only-{acct}", policy_doc={
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "organizations:*",
             "Resource": "arn:aws:organizations::*:policy/*"},
            {"Effect": "Allow", "Action": ["organizations:Describe*", "organizations:List*"],
             "Resource": "*"}]})
    limited = server.client("organizations", creds=creds)
    e = raises("AccessDeniedException", limited.attach_policy, PolicyId=pid, TargetId=acct)
    assert ":account/o-" in e["Error"]["Message"] and e["Error"]["Message"].count(acct)
    assert org.list_policies_for_target(TargetId=acct, Filter=SCP)["Policies"][0]["Id"] \
        == "p-FullAWSAccess"  # nothing was attached
    org.attach_policy(PolicyId=pid, TargetId=acct)  # the admin may
    org.detach_policy(PolicyId=pid, TargetId=acct)
    org.delete_policy(PolicyId=pid)


def test_delete_organization(env):
    """Last: with members the organization stays; once empty it goes."""
    org, server = env["org"], env["server"]
    raises("OrganizationNotEmptyException", org.delete_organization)
    accts = [a["Id"] for a in org.get_paginator("list_accounts").paginate().build_full_result()[
        "Accounts"] if a["Id"] != server.account]
    for a in accts:
        org.remove_account_from_organization(AccountId=a)
    org.delete_organization()
    raises("AWSOrganizationsNotInUseException", org.describe_organization)
    raises("AWSOrganizationsNotInUseException", org.list_roots)

