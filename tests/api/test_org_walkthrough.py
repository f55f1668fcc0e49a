# SPDX-License-Identifier: Apache-2.0
"""The Organizations walkthrough of issue 4, end to end through boto3 against a real
bulwarkd: billing mode → CreateAccount → invite a standalone account → decline →
re-invite → accept → enable all features with the member's approval → a three-level
OU tree for prod and dev → a deny-list SCP under dev and an allow-list SCP under prod.
Then, with the member's own credentials (its admin user and its root user), exactly
what the SCPs deny is denied and what both SCP and IAM allow is allowed; moving the
account between OUs changes that on the very next call; the management account is
unaffected; removal lifts the SCPs at once.
"""
import json
import os
import subprocess

import botocore.exceptions
import pytest

from conftest import BIN_DIR, Creds, error_code

SCP = "SERVICE_CONTROL_POLICY"


def make_standalone(server, name, email):
    p = subprocess.run([os.path.join(BIN_DIR, "bulwark"), "admin", "create-account",
                        "--name", name, "--email", email, "--data-dir", server.data_dir,
                        "--root-key"], capture_output=True, text=True, env=server.env())
    assert p.returncode == 0, p.stderr
    kv = dict(line.split(" = ", 1) for line in p.stdout.splitlines() if " = " in line)
    return (kv["account_id"], Creds(kv["aws_access_key_id"], kv["aws_secret_access_key"]),
            Creds(kv["root_access_key_id"], kv["root_secret_access_key"]))


def raises(code, fn, *a, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(*a, **kw)
    assert error_code(e.value)[0] == code, e.value.response
    return e.value.response


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture(scope="module")
def world(server):
    """Runs the setup part of the walkthrough once; later tests use its results."""
    w = {"server": server, "org": server.client("organizations")}
    return w


def test_walkthrough(world):
    server, org = world["server"], world["org"]
    mgmt = server.account

    # 1. an organization in billing mode
    o = org.create_organization(FeatureSet="CONSOLIDATED_BILLING")["Organization"]
    assert o["FeatureSet"] == "CONSOLIDATED_BILLING" and o["MasterAccountId"] == mgmt
    assert o["Id"].startswith("o-") and o["Arn"].endswith("organization/" + o["Id"])
    root = org.list_roots()["Roots"][0]
    assert root["Id"].startswith("r-") and root["PolicyTypes"] == []
    raises("PolicyTypeNotAvailableForOrganizationException", org.enable_policy_type,
           RootId=root["Id"], PolicyType=SCP)

    # 2. create an account: IN_PROGRESS, then SUCCEEDED; its role is assumable at once
    st = org.create_account(Email="app@example.com", AccountName="app")["CreateAccountStatus"]
    assert st["State"] == "IN_PROGRESS" and st["Id"].startswith("car-")
    st = org.describe_create_account_status(CreateAccountRequestId=st["Id"])["CreateAccountStatus"]
    assert st["State"] == "SUCCEEDED"
    created = st["AccountId"]
    cr = server.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{created}:role/OrganizationAccountAccessRole",
        RoleSessionName="admin")["Credentials"]
    created_creds = Creds(cr["AccessKeyId"], cr["SecretAccessKey"], cr["SessionToken"])
    assert server.client("sts", creds=created_creds).get_caller_identity()["Account"] == created
    dup = org.create_account(Email="app@example.com", AccountName="dup")["CreateAccountStatus"]
    dup = org.describe_create_account_status(CreateAccountRequestId=dup["Id"])["CreateAccountStatus"]
    assert dup["State"] == "FAILED" and dup["FailureReason"] == "EMAIL_ALREADY_EXISTS"

    # 3. invite a standalone account, which declines
    member, admin, rootc = make_standalone(server, "team", "team@example.com")
    morg = server.client("organizations", creds=admin)
    raises("AWSOrganizationsNotInUseException", morg.describe_organization)
    h = org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": member},
                                           Notes="join us")["Handshake"]
    assert h["State"] == "OPEN" and h["Action"] == "INVITE" and "/invite/" in h["Arn"]
    assert h["ExpirationTimestamp"] > h["RequestedTimestamp"]
    mine = morg.list_handshakes_for_account()["Handshakes"]
    assert [x["Id"] for x in mine] == [h["Id"]]
    raises("DuplicateHandshakeException", org.invite_account_to_organization,
           Target={"Type": "ACCOUNT", "Id": member})
    assert morg.decline_handshake(HandshakeId=h["Id"])["Handshake"]["State"] == "DECLINED"
    raises("HandshakeAlreadyInStateException", morg.decline_handshake, HandshakeId=h["Id"])
    raises("InvalidHandshakeTransitionException", morg.accept_handshake, HandshakeId=h["Id"])
    raises("AWSOrganizationsNotInUseException", morg.describe_organization)

    # 4. re-invite (by email this time) and accept
    h2 = org.invite_account_to_organization(
        Target={"Type": "EMAIL", "Id": "team@example.com"})["Handshake"]
    assert h2["State"] == "OPEN"
    assert morg.accept_handshake(HandshakeId=h2["Id"])["Handshake"]["State"] == "ACCEPTED"
    assert morg.describe_organization()["Organization"]["Id"] == o["Id"]
    raises("AccessDeniedException", morg.list_accounts)
    acc = org.describe_account(AccountId=member)["Account"]
    assert acc["JoinedMethod"] == "INVITED" and acc["Status"] == "ACTIVE"
    assert {a["Id"] for a in org.list_accounts()["Accounts"]} == {mgmt, created, member}

    # 5. all features, with the invited member's approval (the created account needs none)
    ef = org.enable_all_features()["Handshake"]
    assert ef["Action"] == "ENABLE_ALL_FEATURES" and ef["State"] == "REQUESTED"
    assert "/enable_all_features/" in ef["Arn"]
    raises("HandshakeConstraintViolationException", org.invite_account_to_organization,
           Target={"Type": "EMAIL", "Id": "nobody@example.com"})
    raises("InvalidHandshakeTransitionException", org.accept_handshake, HandshakeId=ef["Id"])
    approvals = [x for x in morg.list_handshakes_for_account()["Handshakes"]
                 if x["Action"] == "APPROVE_ALL_FEATURES"]
    assert len(approvals) == 1 and approvals[0]["State"] == "OPEN"
    created_org = server.client("organizations", creds=created_creds)
    assert created_org.list_handshakes_for_account()["Handshakes"] == []
    morg.accept_handshake(HandshakeId=approvals[0]["Id"])
    assert org.describe_handshake(HandshakeId=ef["Id"])["Handshake"]["State"] == "OPEN"
    assert org.accept_handshake(HandshakeId=ef["Id"])["Handshake"]["State"] == "ACCEPTED"
    assert org.describe_organization()["Organization"]["FeatureSet"] == "ALL"
    root = org.list_roots()["Roots"][0]
    assert root["PolicyTypes"] == [{"Type": SCP, "Status": "ENABLED"}]

    # 6. a three-level OU tree: workloads/{prod,dev}/app
    def ou(parent, name):
        return org.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]
    wl = ou(root["Id"], "workloads")
    prod, dev = ou(wl, "prod"), ou(wl, "dev")
    prod_app, dev_app = ou(prod, "app"), ou(dev, "app")
    assert prod_app.startswith("ou-" + root["Id"][2:] + "-")
    kids = org.list_children(ParentId=wl, ChildType="ORGANIZATIONAL_UNIT")["Children"]
    assert {k["Id"] for k in kids} == {prod, dev}

    # 7. a deny-list under dev, an allow-list under prod (replacing FullAWSAccess there)
    deny = org.create_policy(Name="dev-deny", Description="deny-list", Type=SCP, Content=doc(
        {"Effect": "Deny", "Action": ["iam:CreateUser", "organizations:LeaveOrganization"],
         "Resource": "*"}))["Policy"]["PolicySummary"]["Id"]
    allow = org.create_policy(Name="prod-allow", Description="allow-list", Type=SCP, Content=doc(
        {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "organizations:Describe*"],
         "Resource": "*"}))["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=deny, TargetId=dev)
    org.attach_policy(PolicyId=allow, TargetId=prod)
    org.detach_policy(PolicyId="p-FullAWSAccess", TargetId=prod)
    world.update(dict(org_id=o["Id"], root=root["Id"], member=member, admin=admin, rootc=rootc,
                      created=created, created_creds=created_creds, wl=wl, prod=prod, dev=dev,
                      prod_app=prod_app, dev_app=dev_app, deny=deny, allow=allow))


def move(world, dst):
    org, member = world["org"], world["member"]
    src = org.list_parents(ChildId=member)["Parents"][0]["Id"]
    if src == dst:
        return
    org.move_account(AccountId=member, SourceParentId=src, DestinationParentId=dst)


def creds_for(world):
    return {"admin": world["admin"], "root": world["rootc"]}


@pytest.mark.parametrize("who", ["admin", "root"])
def test_dev_deny_list(world, who):
    server = world["server"]
    move(world, world["dev_app"])
    iam = server.client("iam", creds=creds_for(world)[who])
    assert iam.list_users()["Users"] is not None          # allowed by IAM and SCPs
    r = raises("AccessDenied", iam.create_user, UserName=f"dev-{who}")
    assert "service control policy" in r["Error"]["Message"]
    assert "explicit deny" in r["Error"]["Message"]
    morg = server.client("organizations", creds=creds_for(world)[who])
    r = raises("AccessDeniedException", morg.leave_organization)
    assert "service control policy" in r["Error"]["Message"]
    assert world["org"].list_parents(ChildId=world["member"])["Parents"][0]["Id"] == world["dev_app"]


@pytest.mark.parametrize("who", ["admin", "root"])
def test_prod_allow_list(world, who):
    server = world["server"]
    move(world, world["prod_app"])
    c = creds_for(world)[who]
    iam = server.client("iam", creds=c)
    assert isinstance(iam.list_users()["Users"], list)
    r = raises("AccessDenied", iam.create_user, UserName=f"prod-{who}")
    assert "service control policy" in r["Error"]["Message"]
    org = server.client("organizations", creds=c)
    assert org.describe_organization()["Organization"]["Id"] == world["org_id"]


def test_move_takes_effect_on_next_call(world):
    server = world["server"]
    iam = server.client("iam", creds=world["admin"])
    move(world, world["dev_app"])
    raises("AccessDenied", iam.create_user, UserName="mover")
    move(world, world["wl"])        # only FullAWSAccess above: allowed on the next call
    assert iam.create_user(UserName="mover")["User"]["UserName"] == "mover"
    move(world, world["prod_app"])
    raises("AccessDenied", iam.create_user, UserName="mover2")


def test_iam_still_applies_inside_scp(world):
    """SCPs only take away: an IAM user without policies stays denied by IAM."""
    server = world["server"]
    move(world, world["wl"])
    iam = server.client("iam", creds=world["admin"])
    iam.create_user(UserName="nopol")
    k = iam.create_access_key(UserName="nopol")["AccessKey"]
    weak = server.client("iam", creds=Creds(k["AccessKeyId"], k["SecretAccessKey"]))
    r = raises("AccessDenied", weak.list_users)
    assert "identity-based policy" in r["Error"]["Message"]


def test_member_cannot_evade(world):
    server = world["server"]
    morg = server.client("organizations", creds=world["admin"])
    raises("AccessDeniedException", morg.detach_policy, PolicyId=world["deny"],
           TargetId=world["dev"])
    raises("AccessDeniedException", morg.update_policy, PolicyId=world["deny"], Content=doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"}))
    raises("AccessDeniedException", morg.move_account, AccountId=world["member"],
           SourceParentId=world["wl"], DestinationParentId=world["root"])
    raises("AccessDeniedException", morg.list_policies, Filter=SCP)


def test_management_unaffected(world):
    server, org = world["server"], world["org"]
    org.attach_policy(PolicyId=world["deny"], TargetId=world["root"])
    try:
        iam = server.client("iam")
        assert iam.create_user(UserName="mgmt-ok")["User"]["UserName"] == "mgmt-ok"
        # the created account, directly under the root, now has the deny-list
        ciam = server.client("iam", creds=world["created_creds"])
        raises("AccessDenied", ciam.create_user, UserName="c1")
    finally:
        org.detach_policy(PolicyId=world["deny"], TargetId=world["root"])
    ciam = server.client("iam", creds=world["created_creds"])
    assert ciam.create_user(UserName="c1")["User"]["UserName"] == "c1"


def test_policy_edit_takes_effect(world):
    server, org = world["server"], world["org"]
    move(world, world["dev_app"])
    iam = server.client("iam", creds=world["admin"])
    assert iam.get_user(UserName="mover")["User"]["UserName"] == "mover"
    org.update_policy(PolicyId=world["deny"], Content=doc(
        {"Effect": "Deny", "Action": ["iam:CreateUser", "iam:GetUser"], "Resource": "*"}))
    raises("AccessDenied", iam.get_user, UserName="mover")
    org.update_policy(PolicyId=world["deny"], Content=doc(
        {"Effect": "Deny", "Action": ["iam:CreateUser", "organizations:LeaveOrganization"],
         "Resource": "*"}))
    assert iam.get_user(UserName="mover")["User"]["UserName"] == "mover"


def test_org_condition_keys(world):
    """aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:ResourceOrgID and
    aws:ResourceOrgPaths reach the engine."""
    server, org = world["server"], world["org"]
    move(world, world["dev_app"])
    p = org.create_policy(Name="paths", Description="", Type=SCP, Content=doc(
        {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*",
         "Condition": {"StringLike": {"aws:PrincipalOrgPaths": f"*/{world['dev_app']}/"},
                       "StringEquals": {"aws:PrincipalOrgID": world["org_id"]}}}))
    pid = p["Policy"]["PolicySummary"]["Id"]
    q = org.create_policy(Name="resource-org", Description="", Type=SCP, Content=doc(
        {"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceOrgID": world["org_id"]},
                       "StringLike": {"aws:ResourceOrgPaths": f"{world['org_id']}/*"}}}))
    qid = q["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=pid, TargetId=world["root"])
    org.attach_policy(PolicyId=qid, TargetId=world["root"])
    try:
        iam = server.client("iam", creds=world["admin"])
        raises("AccessDenied", iam.list_users)
        raises("AccessDenied", iam.get_user, UserName="mover")
        move(world, world["wl"])
        assert isinstance(iam.list_users()["Users"], list)
    finally:
        for p_ in (pid, qid):
            org.detach_policy(PolicyId=p_, TargetId=world["root"])
            org.delete_policy(PolicyId=p_)
    assert iam.get_user(UserName="mover")["User"]["UserName"] == "mover"


def test_removal_lifts_scps(world):
    server, org = world["server"], world["org"]
    move(world, world["dev_app"])
    iam = server.client("iam", creds=world["rootc"])
    raises("AccessDenied", iam.create_user, UserName="free")
    org.tag_resource(ResourceId=world["member"], Tags=[{"Key": "team", "Value": "x"}])
    org.remove_account_from_organization(AccountId=world["member"])
    assert iam.create_user(UserName="free")["User"]["UserName"] == "free"
    morg = server.client("organizations", creds=world["admin"])
    raises("AWSOrganizationsNotInUseException", morg.describe_organization)
    raises("AccountNotFoundException", org.describe_account, AccountId=world["member"])
    # rejoining starts clean: no tags, no OU, only FullAWSAccess
    h = org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": world["member"]})
    morg.accept_handshake(HandshakeId=h["Handshake"]["Id"])
    assert org.list_parents(ChildId=world["member"])["Parents"][0]["Id"] == world["root"]
    assert org.list_tags_for_resource(ResourceId=world["member"])["Tags"] == []
    pols = org.list_policies_for_target(TargetId=world["member"], Filter=SCP)["Policies"]
    assert [p["Id"] for p in pols] == ["p-FullAWSAccess"]


def test_cli_sees_the_tree(world):
    server = world["server"]
    rc, out, err = server.cli("organizations", "list-organizational-units-for-parent",
                              "--parent-id", world["wl"])
    assert {u["Name"] for u in out["OrganizationalUnits"]} == {"prod", "dev"}
    rc, out, err = server.cli("organizations", "describe-organization")
    assert out["Organization"]["FeatureSet"] == "ALL"
    rc, out, err = server.cli("organizations", "describe-policy", "--policy-id", world["allow"])
    assert json.loads(out["Policy"]["Content"])["Statement"][0]["Effect"] == "Allow"
    rc, out, err = server.cli("organizations", "list-policies-for-target", "--target-id",
                              world["prod"], "--filter", SCP)
    assert [p["Id"] for p in out["Policies"]] == [world["allow"]]
    rc, out, err = server.cli("organizations", "move-account", "--account-id", world["member"],
                              "--source-parent-id", world["prod"], "--destination-parent-id",
                              world["dev"], check=False)
    assert rc != 0 and "AccountNotFoundException" in err
