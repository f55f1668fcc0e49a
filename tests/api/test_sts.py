# SPDX-License-Identifier: Apache-2.0
"""STS end to end: GetCallerIdentity for every principal type, AssumeRole with trust
policies, ExternalId, durations, session names, session policies and tags, role
chaining, GetSessionToken, expired and forged session credentials."""
import json
import os
import sqlite3
import time

import pytest
from botocore.exceptions import ClientError

from conftest import Creds, error_code


def trust(principal, condition=None):
    st = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def session_creds(resp):
    c = resp["Credentials"]
    return Creds(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


@pytest.fixture(scope="module")
def roles(server):
    iam = server.client("iam")
    acct = server.account
    iam.create_role(RoleName="ops", Path="/team/",
                    AssumeRolePolicyDocument=trust(f"arn:aws:iam::{acct}:root"),
                    MaxSessionDuration=7200)
    iam.attach_role_policy(RoleName="ops",
                           PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_role(RoleName="ext", AssumeRolePolicyDocument=trust(
        f"arn:aws:iam::{acct}:root", {"StringEquals": {"sts:ExternalId": "s3cr3t-id"}}))
    iam.create_role(RoleName="nobody", AssumeRolePolicyDocument=trust(
        "arn:aws:iam::999999999999:root"))
    return {"ops": f"arn:aws:iam::{acct}:role/team/ops",
            "ext": f"arn:aws:iam::{acct}:role/ext",
            "nobody": f"arn:aws:iam::{acct}:role/nobody"}


def test_assume_role_and_back(server, roles):
    sts = server.client("sts")
    r = sts.assume_role(RoleArn=roles["ops"], RoleSessionName="alice", DurationSeconds=3600)
    assert r["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{server.account}:assumed-role/ops/alice"
    assert r["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA")
    assert r["AssumedRoleUser"]["AssumedRoleId"].endswith(":alice")
    c = session_creds(r)
    assert c.akid.startswith("ASIA")
    ident = server.client("sts", creds=c).get_caller_identity()
    assert ident["Arn"] == r["AssumedRoleUser"]["Arn"]
    assert ident["UserId"] == r["AssumedRoleUser"]["AssumedRoleId"]
    # the role's ReadOnlyAccess lets it list but not create
    server.client("iam", creds=c).list_users()
    with pytest.raises(ClientError) as e:
        server.client("iam", creds=c).create_user(UserName="nope")
    assert error_code(e.value) == ("AccessDenied", 403)
    assert "assumed-role/ops/alice is not authorized to perform: iam:CreateUser" in \
        e.value.response["Error"]["Message"]
    # and back: the admin's own identity is untouched
    assert server.client("sts").get_caller_identity()["Arn"].endswith(":user/admin")


def test_assume_role_through_cli(server, roles):
    rc, out, err = server.cli("sts", "assume-role", "--role-arn", roles["ops"],
                              "--role-session-name", "cli-session")
    assert rc == 0, err
    c = session_creds(out)
    rc, ident, _ = server.cli("sts", "get-caller-identity", creds=c)
    assert ident["Arn"].endswith(":assumed-role/ops/cli-session")


def test_trust_policy_must_allow(server, roles):
    with pytest.raises(ClientError) as e:
        server.client("sts").assume_role(RoleArn=roles["nobody"], RoleSessionName="x1")
    assert error_code(e.value) == ("AccessDenied", 403)
    with pytest.raises(ClientError) as e:
        server.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{server.account}:role/missing", RoleSessionName="x1")
    assert error_code(e.value) == ("AccessDenied", 403)


def test_user_without_permission_cannot_assume(server, roles):
    c = server.new_user_creds("no-assume")
    with pytest.raises(ClientError) as e:
        server.client("sts", creds=c).assume_role(RoleArn=roles["ops"], RoleSessionName="x1")
    assert error_code(e.value) == ("AccessDenied", 403)


def test_external_id(server, roles):
    sts = server.client("sts")
    with pytest.raises(ClientError) as e:
        sts.assume_role(RoleArn=roles["ext"], RoleSessionName="e1")
    assert error_code(e.value) == ("AccessDenied", 403)
    with pytest.raises(ClientError):
        sts.assume_role(RoleArn=roles["ext"], RoleSessionName="e1", ExternalId="wrong-id")
    sts.assume_role(RoleArn=roles["ext"], RoleSessionName="e1", ExternalId="s3cr3t-id")


@pytest.mark.parametrize("kwargs,code", [
    ({"RoleSessionName": "a"}, "ValidationError"),
    ({"RoleSessionName": "bad name!"}, "ValidationError"),
    ({"RoleSessionName": "ok", "DurationSeconds": 899}, "ValidationError"),
    ({"RoleSessionName": "ok", "DurationSeconds": 7201}, "ValidationError"),
])
def test_assume_role_validation(server, roles, kwargs, code):
    with pytest.raises(ClientError) as e:
        _assume_unvalidated(server, roles["ops"], kwargs)
    assert e.value.response["Error"]["Code"] == code
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def _assume_unvalidated(server, arn, kwargs):
    import botocore.config
    import boto3
    c = boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                     aws_access_key_id=server.admin.akid,
                     aws_secret_access_key=server.admin.secret,
                     config=botocore.config.Config(parameter_validation=False,
                                                   retries={"max_attempts": 1}))
    return c.assume_role(RoleArn=arn, **kwargs)


def test_session_policy_intersects(server, roles):
    deny_list = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]})
    r = server.client("sts").assume_role(RoleArn=roles["ops"], RoleSessionName="narrow",
                                         Policy=deny_list)
    c = session_creds(r)
    server.client("iam", creds=c).get_user(UserName="admin")
    with pytest.raises(ClientError) as e:
        server.client("iam", creds=c).list_users()  # the role allows it, the session does not
    assert error_code(e.value) == ("AccessDenied", 403)


def test_malformed_session_policy(server, roles):
    with pytest.raises(ClientError) as e:
        server.client("sts").assume_role(RoleArn=roles["ops"], RoleSessionName="bad",
                                         Policy='{"Version":"2012-10-17","Statement":[{}]}')
    assert error_code(e.value) == ("MalformedPolicyDocument", 400)


def test_role_chaining_capped_at_one_hour(server, roles):
    c = session_creds(server.client("sts").assume_role(RoleArn=roles["ops"],
                                                       RoleSessionName="first"))
    # ops has ReadOnlyAccess only: it cannot assume further
    with pytest.raises(ClientError) as e:
        server.client("sts", creds=c).assume_role(RoleArn=roles["ops"], RoleSessionName="again",
                                                   DurationSeconds=7200)
    assert e.value.response["Error"]["Code"] in ("ValidationError", "AccessDenied")


def test_get_session_token(server):
    r = server.client("sts").get_session_token(DurationSeconds=900)
    c = session_creds(r)
    assert c.akid.startswith("ASIA")
    ident = server.client("sts", creds=c).get_caller_identity()
    assert ident["Arn"].endswith(":user/admin")
    server.client("iam", creds=c).list_users()  # acts with the user's permissions
    with pytest.raises(ClientError) as e:
        server.client("sts", creds=c).get_session_token()
    assert error_code(e.value)[0] == "AccessDenied"


def test_forged_session_token(server, roles):
    c = session_creds(server.client("sts").assume_role(RoleArn=roles["ops"],
                                                       RoleSessionName="forge"))
    forged = Creds(c.akid, c.secret, c.token[:-4] + "AAAA")
    with pytest.raises(ClientError) as e:
        server.client("sts", creds=forged).get_caller_identity()
    assert error_code(e.value) == ("InvalidClientTokenId", 403)
    missing = Creds(c.akid, c.secret, None)
    with pytest.raises(ClientError) as e:
        server.client("sts", creds=missing).get_caller_identity()
    assert error_code(e.value) == ("InvalidClientTokenId", 403)


def test_expired_session_rejected(server, roles):
    r = server.client("sts").assume_role(RoleArn=roles["ops"], RoleSessionName="old",
                                         DurationSeconds=900)
    c = session_creds(r)
    # age the session in the store before its first use (no cache holds it yet)
    db = sqlite3.connect(os.path.join(server.data_dir, "bulwark.db"), timeout=10)
    db.execute("UPDATE sts_sessions SET expires_at = ? WHERE id = ?",
               (int(time.time() * 1000) - 1000, c.akid))
    db.commit()
    db.close()
    with pytest.raises(ClientError) as e:
        server.client("sts", creds=c).get_caller_identity()
    assert error_code(e.value) == ("ExpiredToken", 403)


def test_session_tags_become_principal_tags(server):
    iam = server.client("iam")
    acct = server.account
    doc = json.loads(trust(f"arn:aws:iam::{acct}:root"))
    doc["Statement"][0]["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    iam.create_role(RoleName="tagged", AssumeRolePolicyDocument=json.dumps(doc))
    iam.put_role_policy(RoleName="tagged", PolicyName="by-team", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}]}))
    arn = f"arn:aws:iam::{acct}:role/tagged"
    blue = session_creds(server.client("sts").assume_role(
        RoleArn=arn, RoleSessionName="blue", Tags=[{"Key": "team", "Value": "blue"}]))
    red = session_creds(server.client("sts").assume_role(
        RoleArn=arn, RoleSessionName="red", Tags=[{"Key": "team", "Value": "red"}]))
    server.client("iam", creds=blue).list_users()
    with pytest.raises(ClientError) as e:
        server.client("iam", creds=red).list_users()
    assert error_code(e.value) == ("AccessDenied", 403)


def test_inactive_key_rejected(server):
    c = server.new_user_creds("rotating", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    server.client("sts", creds=c).get_caller_identity()
    server.client("iam").update_access_key(UserName="rotating", AccessKeyId=c.akid,
                                           Status="Inactive")
    with pytest.raises(ClientError) as e:
        server.client("sts", creds=c).get_caller_identity()
    assert error_code(e.value) == ("InvalidClientTokenId", 403)


def test_cross_account_external_id(server):
    """The third-party pattern: another account's role trusts this account with an
    ExternalId; the id must be right, and the caller's identity policy must allow too."""
    other, oc = server.new_account("vendor")
    server.client("iam", creds=oc).create_role(
        RoleName="vendor-access", AssumeRolePolicyDocument=trust(
            f"arn:aws:iam::{server.account}:root",
            {"StringEquals": {"sts:ExternalId": "tenant-42"}}))
    arn = f"arn:aws:iam::{other}:role/vendor-access"
    sts = server.client("sts")
    r = sts.assume_role(RoleArn=arn, RoleSessionName="vendor", ExternalId="tenant-42")
    assert r["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{other}:assumed-role/vendor-access/vendor"
    for kw in ({"ExternalId": "tenant-43"}, {}):
        with pytest.raises(ClientError) as e:
            sts.assume_role(RoleArn=arn, RoleSessionName="vendor", **kw)
        assert error_code(e.value) == ("AccessDenied", 403)
    # a user of this account without sts:AssumeRole in an identity policy is refused:
    # cross-account, the trust policy alone does not suffice
    c = server.new_user_creds("no-vendor", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    with pytest.raises(ClientError) as e:
        server.client("sts", creds=c).assume_role(RoleArn=arn, RoleSessionName="v2",
                                                  ExternalId="tenant-42")
    assert error_code(e.value) == ("AccessDenied", 403)


def test_trust_conditions_on_caller_tags_and_session_name(server):
    iam = server.client("iam")
    acct = server.account
    iam.create_role(RoleName="blue-only", AssumeRolePolicyDocument=trust(
        f"arn:aws:iam::{acct}:root",
        {"StringEquals": {"aws:PrincipalTag/team": "blue"},
         "StringLike": {"sts:RoleSessionName": "blue-*"}}))
    arn = f"arn:aws:iam::{acct}:role/blue-only"
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn}]}
    blue = server.new_user_creds("blue-user", policy_doc=policy)
    red = server.new_user_creds("red-user", policy_doc=policy)
    iam.tag_user(UserName="blue-user", Tags=[{"Key": "team", "Value": "blue"}])
    iam.tag_user(UserName="red-user", Tags=[{"Key": "team", "Value": "red"}])
    server.client("sts", creds=blue).assume_role(RoleArn=arn, RoleSessionName="blue-1")
    for creds, name in ((blue, "green-1"), (red, "blue-1")):
        with pytest.raises(ClientError) as e:
            server.client("sts", creds=creds).assume_role(RoleArn=arn, RoleSessionName=name)
        assert error_code(e.value) == ("AccessDenied", 403)


def test_transitive_session_tags_follow_the_chain(server):
    iam = server.client("iam")
    acct = server.account

    def role(name, principal, actions, policy_statements):
        doc = json.loads(trust(principal))
        doc["Statement"][0]["Action"] = actions
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(doc))
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": policy_statements}))
        return f"arn:aws:iam::{acct}:role/{name}"

    first = role("chain-first", f"arn:aws:iam::{acct}:root",
                 ["sts:AssumeRole", "sts:TagSession"],
                 [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}])
    second = role("chain-second", first, ["sts:AssumeRole", "sts:TagSession"], [
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}},
        {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*",
         "Condition": {"Null": {"aws:PrincipalTag/project": "false"}}}])
    no_tags = role("chain-untagged", first, ["sts:AssumeRole"],
                   [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}])
    sts = server.client("sts")
    with pytest.raises(ClientError) as e:
        sts.assume_role(RoleArn=first, RoleSessionName="s1",
                        Tags=[{"Key": "team", "Value": "blue"}], TransitiveTagKeys=["project"])
    assert error_code(e.value) == ("InvalidParameterValue", 400)
    assert "transitive tag key must be included in the requested tags" in \
        e.value.response["Error"]["Message"]
    s1 = session_creds(sts.assume_role(
        RoleArn=first, RoleSessionName="s1", TransitiveTagKeys=["Team"],
        Tags=[{"Key": "team", "Value": "blue"}, {"Key": "project", "Value": "x"}]))
    sts1 = server.client("sts", creds=s1)
    # the inherited transitive tag cannot be set again, in any case
    for key in ("team", "TEAM"):
        with pytest.raises(ClientError) as e:
            sts1.assume_role(RoleArn=second, RoleSessionName="s2",
                             Tags=[{"Key": key, "Value": "red"}])
        assert error_code(e.value) == ("InvalidParameterValue", 400)
        assert "conflicts with a transitive tag key from the calling session" in \
            e.value.response["Error"]["Message"]
    # carrying tags needs sts:TagSession in the next role's trust policy
    with pytest.raises(ClientError) as e:
        sts1.assume_role(RoleArn=no_tags, RoleSessionName="s2")
    assert error_code(e.value) == ("AccessDenied", 403)
    assert "sts:TagSession" in e.value.response["Error"]["Message"]
    s2 = session_creds(sts1.assume_role(RoleArn=second, RoleSessionName="s2"))
    iam2 = server.client("iam", creds=s2)
    iam2.list_users()  # team=blue came down the chain
    with pytest.raises(ClientError) as e:
        iam2.list_roles()  # project was not transitive
    assert error_code(e.value) == ("AccessDenied", 403)
    # and it stays transitive one more hop
    third = role("chain-third", second, ["sts:AssumeRole", "sts:TagSession"], [
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}])
    s3 = session_creds(server.client("sts", creds=s2).assume_role(
        RoleArn=third, RoleSessionName="s3"))
    server.client("iam", creds=s3).list_users()


def test_session_token_keeps_the_users_boundary(server):
    """GetSessionToken credentials act as the user, permissions boundary included."""
    iam = server.client("iam")
    boundary = iam.create_policy(PolicyName="list-users-only", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["iam:ListUsers", "sts:GetSessionToken"],
             "Resource": "*"}]}))["Policy"]["Arn"]
    c = server.new_user_creds("bounded", policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=boundary)
    for creds in (c, session_creds(server.client("sts", creds=c).get_session_token())):
        server.client("iam", creds=creds).list_users()
        with pytest.raises(ClientError) as e:
            server.client("iam", creds=creds).list_roles()
        assert error_code(e.value) == ("AccessDenied", 403)
        assert "permissions boundary" in e.value.response["Error"]["Message"]


def allow_doc(*actions):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})


def test_get_federation_token(server):
    acct = server.account
    sts = server.client("sts")
    r = sts.get_federation_token(Name="bob", DurationSeconds=900,
                                 Policy=allow_doc("cloudtrail:DescribeTrails"))
    assert r["FederatedUser"] == {"FederatedUserId": f"{acct}:bob",
                                  "Arn": f"arn:aws:sts::{acct}:federated-user/bob"}
    assert r["PackedPolicySize"] >= 0
    c = session_creds(r)
    assert c.akid.startswith("ASIA")
    ident = server.client("sts", creds=c).get_caller_identity()
    assert (ident["Arn"], ident["UserId"]) == (r["FederatedUser"]["Arn"], f"{acct}:bob")
    # the admin's policies intersected with the session policy
    ct = server.client("cloudtrail", creds=c)
    ct.describe_trails()
    with pytest.raises(ClientError) as e:
        ct.lookup_events(MaxResults=1)
    assert error_code(e.value)[0] == "AccessDeniedException"
    assert "federated-user/bob" in e.value.response["Error"]["Message"]
    # CloudTrail names the federated user and the IAM user who issued its token
    ev = None
    for _ in range(50):
        evs = server.client("cloudtrail").lookup_events(LookupAttributes=[
            {"AttributeKey": "EventName", "AttributeValue": "DescribeTrails"}])["Events"]
        ev = next((json.loads(x["CloudTrailEvent"]) for x in evs
                   if "federated-user/bob" in x["CloudTrailEvent"]), None)
        if ev:
            break
        time.sleep(0.1)
    assert ev["userIdentity"]["type"] == "FederatedUser"
    assert ev["userIdentity"]["principalId"] == f"{acct}:bob"
    issuer = ev["userIdentity"]["sessionContext"]["sessionIssuer"]
    assert (issuer["type"], issuer["userName"]) == ("IAMUser", "admin")
    # IAM, and STS except GetCallerIdentity, are closed to these credentials
    for call in (lambda: server.client("iam", creds=c).list_users(),
                 lambda: server.client("sts", creds=c).get_session_token(),
                 lambda: server.client("sts", creds=c).get_federation_token(Name="eve")):
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e.value) == ("AccessDenied", 403)


def test_federation_token_without_policy_allows_nothing(server):
    c = session_creds(server.client("sts").get_federation_token(Name="nopolicy"))
    with pytest.raises(ClientError) as e:
        server.client("cloudtrail", creds=c).describe_trails()
    assert error_code(e.value)[0] == "AccessDeniedException"


def test_federation_token_permission_boundary_and_validation(server):
    iam = server.client("iam")
    c = server.new_user_creds("feduser", policy_doc=json.loads(
        allow_doc("sts:GetFederationToken", "cloudtrail:*")))
    boundary = iam.create_policy(PolicyName="fed-boundary", PolicyDocument=allow_doc(
        "sts:GetFederationToken", "cloudtrail:DescribeTrails"))["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName="feduser", PermissionsBoundary=boundary)
    sts = server.client("sts", creds=c)
    import boto3
    import botocore.config
    raw = boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id=c.akid, aws_secret_access_key=c.secret,
                       config=botocore.config.Config(parameter_validation=False,
                                                     retries={"max_attempts": 1}))
    f = session_creds(sts.get_federation_token(Name="fed-1", Policy=allow_doc("cloudtrail:*")))
    ct = server.client("cloudtrail", creds=f)
    ct.describe_trails()
    with pytest.raises(ClientError) as e:  # the user's boundary still applies
        ct.lookup_events(MaxResults=1)
    assert error_code(e.value)[0] == "AccessDeniedException"
    for kw in ({"Name": "x"}, {"Name": "bad name"}, {"Name": "n" * 33},
               {"Name": "ok", "DurationSeconds": 899},
               {"Name": "ok", "DurationSeconds": 129601}):
        with pytest.raises(ClientError) as e:
            raw.get_federation_token(**kw)
        assert error_code(e.value) == ("ValidationError", 400), kw
    with pytest.raises(ClientError) as e:
        sts.get_federation_token(Name="ok", Policy="{not json")
    assert error_code(e.value)[0] == "MalformedPolicyDocument"
    # tags need sts:TagSession, which this user lacks
    with pytest.raises(ClientError) as e:
        sts.get_federation_token(Name="ok", Tags=[{"Key": "team", "Value": "blue"}])
    assert error_code(e.value) == ("AccessDenied", 403)
    assert "sts:TagSession" in e.value.response["Error"]["Message"]
    # and a user without sts:GetFederationToken is refused
    d = server.new_user_creds("nofed", policy_doc=json.loads(allow_doc("cloudtrail:*")))
    with pytest.raises(ClientError) as e:
        server.client("sts", creds=d).get_federation_token(Name="ok")
    assert error_code(e.value) == ("AccessDenied", 403)


def test_federation_token_through_cli(server):
    rc, out, err = server.cli("sts", "get-federation-token", "--name", "cli-fed",
                              "--policy", allow_doc("cloudtrail:DescribeTrails"))
    assert rc == 0, err
    assert out["FederatedUser"]["Arn"].endswith(":federated-user/cli-fed")
    rc, ident, _ = server.cli("sts", "get-caller-identity", creds=session_creds(out))
    assert rc == 0 and ident["Arn"] == out["FederatedUser"]["Arn"]
