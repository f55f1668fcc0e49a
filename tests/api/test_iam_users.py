# SPDX-License-Identifier: Apache-2.0
"""IAM users, groups and membership, access keys and paging, through boto3 and the
AWS CLI v2: happy paths, AWS's validation and error codes, and no change after a
failed call."""
import json

import pytest
from botocore.exceptions import ClientError

from iam_helpers import doc, allow, fails, unchecked


def users(iam, **kw):
    return [u["UserName"] for u in iam.list_users(**kw)["Users"]]


def test_user_lifecycle(server):
    iam = server.client("iam")
    u = iam.create_user(UserName="alice", Path="/eng/",
                        Tags=[{"Key": "team", "Value": "core"}])["User"]
    assert u["UserId"].startswith("AIDA") and len(u["UserId"]) == 21
    assert u["Arn"] == f"arn:aws:iam::{server.account}:user/eng/alice"
    assert u["Path"] == "/eng/" and u["Tags"] == [{"Key": "team", "Value": "core"}]
    got = iam.get_user(UserName="ALICE")["User"]  # names are case-insensitive
    assert got["UserId"] == u["UserId"] and got["UserName"] == "alice"
    assert "alice" in users(iam, PathPrefix="/eng/")
    assert "alice" not in users(iam, PathPrefix="/ops/")
    iam.update_user(UserName="alice", NewPath="/ops/", NewUserName="alice2")
    fails("NoSuchEntity", 404, iam.get_user, UserName="alice")
    got = iam.get_user(UserName="alice2")["User"]
    assert got["Path"] == "/ops/" and got["UserId"] == u["UserId"]
    assert got["Tags"] == [{"Key": "team", "Value": "core"}]  # tags follow a rename
    iam.delete_user(UserName="alice2")
    fails("NoSuchEntity", 404, iam.get_user, UserName="alice2")


def test_get_user_without_name_is_caller(server):
    u = server.client("iam").get_user()["User"]
    assert u["UserName"] == "admin"


def test_create_user_errors_change_nothing(server):
    iam = server.client("iam")
    iam.create_user(UserName="dup")
    before = users(iam)
    msg = fails("EntityAlreadyExists", 409, iam.create_user, UserName="DUP")
    assert msg == "User with name DUP already exists."
    msg = fails("ValidationError", 400, iam.create_user, UserName="bad name!")
    assert "failed to satisfy constraint: Member must satisfy regular expression pattern" in msg
    fails("ValidationError", 400, iam.create_user, UserName="x" * 65)
    fails("ValidationError", 400, iam.create_user, UserName="p", Path="no-slash")
    fails("NoSuchEntity", 404, iam.create_user, UserName="nb",
          PermissionsBoundary=f"arn:aws:iam::{server.account}:policy/none")
    fails("InvalidInput", 400, iam.create_user, UserName="tg",
          Tags=[{"Key": "aws:x", "Value": "1"}])
    fails("InvalidInput", 400, iam.create_user, UserName="tg",
          Tags=[{"Key": "k", "Value": "1"}, {"Key": "K", "Value": "2"}])
    assert users(iam) == before
    iam.delete_user(UserName="dup")


def test_update_user_errors(server):
    iam = server.client("iam")
    iam.create_user(UserName="u1")
    iam.create_user(UserName="u2")
    fails("EntityAlreadyExists", 409, iam.update_user, UserName="u1", NewUserName="U2")
    fails("NoSuchEntity", 404, iam.update_user, UserName="nobody", NewPath="/x/")
    assert iam.get_user(UserName="u1")["User"]["Path"] == "/"
    iam.update_user(UserName="u1", NewUserName="U1")  # case-only rename of itself
    assert iam.get_user(UserName="u1")["User"]["UserName"] == "U1"
    iam.delete_user(UserName="u1")
    iam.delete_user(UserName="u2")


def test_delete_user_conflicts(server):
    iam = server.client("iam")
    iam.create_user(UserName="busy")
    key = iam.create_access_key(UserName="busy")["AccessKey"]
    msg = fails("DeleteConflict", 409, iam.delete_user, UserName="busy")
    assert msg == "Cannot delete entity, must delete access keys first."
    iam.delete_access_key(UserName="busy", AccessKeyId=key["AccessKeyId"])
    iam.put_user_policy(UserName="busy", PolicyName="p", PolicyDocument=doc(allow("s3:*")))
    assert "policies" in fails("DeleteConflict", 409, iam.delete_user, UserName="busy")
    iam.delete_user_policy(UserName="busy", PolicyName="p")
    iam.attach_user_policy(UserName="busy", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert "detach" in fails("DeleteConflict", 409, iam.delete_user, UserName="busy")
    iam.detach_user_policy(UserName="busy", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_group(GroupName="g-busy")
    iam.add_user_to_group(GroupName="g-busy", UserName="busy")
    fails("DeleteConflict", 409, iam.delete_user, UserName="busy")
    assert iam.get_user(UserName="busy")["User"]["UserName"] == "busy"
    iam.remove_user_from_group(GroupName="g-busy", UserName="busy")
    iam.delete_user(UserName="busy")
    iam.delete_group(GroupName="g-busy")


def test_groups_and_membership(server):
    iam = server.client("iam")
    g = iam.create_group(GroupName="devs", Path="/teams/")["Group"]
    assert g["GroupId"].startswith("AGPA")
    assert g["Arn"] == f"arn:aws:iam::{server.account}:group/teams/devs"
    fails("EntityAlreadyExists", 409, iam.create_group, GroupName="DEVS")
    for n in ("m1", "m2", "m3"):
        iam.create_user(UserName=n)
        iam.add_user_to_group(GroupName="devs", UserName=n)
    iam.add_user_to_group(GroupName="devs", UserName="m1")  # idempotent
    got = iam.get_group(GroupName="devs")
    assert [u["UserName"] for u in got["Users"]] == ["m1", "m2", "m3"]
    page = iam.get_group(GroupName="devs", MaxItems=2)
    assert page["IsTruncated"] and len(page["Users"]) == 2
    rest = iam.get_group(GroupName="devs", Marker=page["Marker"])
    assert [u["UserName"] for u in rest["Users"]] == ["m3"] and not rest["IsTruncated"]
    assert [x["GroupName"] for x in iam.list_groups_for_user(UserName="m2")["Groups"]] == ["devs"]
    assert "devs" in [x["GroupName"] for x in iam.list_groups(PathPrefix="/teams/")["Groups"]]
    fails("NoSuchEntity", 404, iam.add_user_to_group, GroupName="devs", UserName="ghost")
    fails("NoSuchEntity", 404, iam.add_user_to_group, GroupName="ghosts", UserName="m1")
    msg = fails("DeleteConflict", 409, iam.delete_group, GroupName="devs")
    assert msg == "Cannot delete entity, must remove users from group first."
    iam.update_group(GroupName="devs", NewGroupName="developers", NewPath="/t2/")
    got = iam.get_group(GroupName="developers")
    assert got["Group"]["Path"] == "/t2/" and len(got["Users"]) == 3
    for n in ("m1", "m2", "m3"):
        iam.remove_user_from_group(GroupName="developers", UserName=n)
        iam.delete_user(UserName=n)
    fails("NoSuchEntity", 404, iam.get_group, GroupName="devs")
    iam.delete_group(GroupName="developers")
    fails("NoSuchEntity", 404, iam.delete_group, GroupName="developers")


def test_groups_per_user_limit(server):
    iam = server.client("iam")
    iam.create_user(UserName="joiner")
    for i in range(11):
        iam.create_group(GroupName=f"lg{i}")
    for i in range(10):
        iam.add_user_to_group(GroupName=f"lg{i}", UserName="joiner")
    msg = fails("LimitExceeded", 409, iam.add_user_to_group, GroupName="lg10", UserName="joiner")
    assert msg == "Cannot exceed quota for GroupsPerUser: 10"
    assert len(iam.list_groups_for_user(UserName="joiner")["Groups"]) == 10
    for i in range(10):
        iam.remove_user_from_group(GroupName=f"lg{i}", UserName="joiner")
    for i in range(11):
        iam.delete_group(GroupName=f"lg{i}")
    iam.delete_user(UserName="joiner")


def test_access_keys(server):
    iam = server.client("iam")
    iam.create_user(UserName="keyed")
    k1 = iam.create_access_key(UserName="keyed")["AccessKey"]
    assert k1["AccessKeyId"].startswith("AKIA") and len(k1["AccessKeyId"]) == 20
    assert len(k1["SecretAccessKey"]) == 40 and k1["Status"] == "Active"
    k2 = iam.create_access_key(UserName="keyed")["AccessKey"]
    msg = fails("LimitExceeded", 409, iam.create_access_key, UserName="keyed")
    assert msg == "Cannot exceed quota for AccessKeysPerUser: 2"
    meta = iam.list_access_keys(UserName="keyed")["AccessKeyMetadata"]
    assert sorted(m["AccessKeyId"] for m in meta) == sorted([k1["AccessKeyId"], k2["AccessKeyId"]])
    assert all("SecretAccessKey" not in m for m in meta)
    iam.update_access_key(UserName="keyed", AccessKeyId=k1["AccessKeyId"], Status="Inactive")
    st = {m["AccessKeyId"]: m["Status"]
          for m in iam.list_access_keys(UserName="keyed")["AccessKeyMetadata"]}
    assert st[k1["AccessKeyId"]] == "Inactive" and st[k2["AccessKeyId"]] == "Active"
    msg = fails("ValidationError", 400, iam.update_access_key, UserName="keyed",
                AccessKeyId=k1["AccessKeyId"], Status="Paused")
    assert "Member must satisfy enum value set: [Active, Inactive]" in msg
    fails("NoSuchEntity", 404, iam.update_access_key, UserName="keyed",
          AccessKeyId="AKIAAAAAAAAAAAAAAAAA", Status="Active")
    fails("NoSuchEntity", 404, iam.list_access_keys, UserName="ghost")
    last = iam.get_access_key_last_used(AccessKeyId=k2["AccessKeyId"])
    assert last["UserName"] == "keyed"
    assert last["AccessKeyLastUsed"]["ServiceName"] == "N/A"
    assert last["AccessKeyLastUsed"]["Region"] == "N/A"
    assert "LastUsedDate" not in last["AccessKeyLastUsed"]
    fails("NoSuchEntity", 404, iam.get_access_key_last_used, AccessKeyId="AKIAAAAAAAAAAAAAAAAA")
    for k in (k1, k2):
        iam.delete_access_key(UserName="keyed", AccessKeyId=k["AccessKeyId"])
    fails("NoSuchEntity", 404, iam.delete_access_key, UserName="keyed",
          AccessKeyId=k1["AccessKeyId"])
    assert iam.list_access_keys(UserName="keyed")["AccessKeyMetadata"] == []
    iam.delete_user(UserName="keyed")


def test_own_keys_without_user_name(server):
    creds = server.new_user_creds("selfkeys", policy_doc={
        "Version": "2012-10-17",
        "Statement": [allow("iam:*AccessKey*",
                            f"arn:aws:iam::{server.account}:user/selfkeys")]})
    me = server.client("iam", creds=creds)
    meta = me.list_access_keys()["AccessKeyMetadata"]
    assert [m["UserName"] for m in meta] == ["selfkeys"]
    k = me.create_access_key()["AccessKey"]
    assert k["UserName"] == "selfkeys"
    me.delete_access_key(AccessKeyId=k["AccessKeyId"])
    # another user's keys are out of the policy's resource
    fails("AccessDenied", 403, me.list_access_keys, UserName="admin")


def test_deactivated_key_is_rejected(server):
    from conftest import Creds
    iam = server.client("iam")
    creds = server.new_user_creds("flipper", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    mine = server.client("iam", creds=creds)
    assert mine.get_user()["User"]["UserName"] == "flipper"
    iam.update_access_key(UserName="flipper", AccessKeyId=creds.akid, Status="Inactive")
    fails("InvalidClientTokenId", 403, mine.get_user)
    fails("InvalidClientTokenId", 403, server.client("sts", creds=creds).get_caller_identity)
    iam.update_access_key(UserName="flipper", AccessKeyId=creds.akid, Status="Active")
    assert mine.get_user()["User"]["UserName"] == "flipper"
    iam.delete_access_key(UserName="flipper", AccessKeyId=creds.akid)
    fails("InvalidClientTokenId", 403, mine.get_user)
    assert isinstance(creds, Creds)


def test_paging_over_many_users(server):
    iam = server.client("iam")
    names = [f"page{i:03d}" for i in range(120)]
    for n in names:
        iam.create_user(UserName=n, Path="/paged/")
    first = iam.list_users(PathPrefix="/paged/")
    assert len(first["Users"]) == 100 and first["IsTruncated"]  # default MaxItems is 100
    seen, marker = [], None
    while True:
        kw = {"PathPrefix": "/paged/", "MaxItems": 7}
        if marker:
            kw["Marker"] = marker
        page = iam.list_users(**kw)
        seen += [u["UserName"] for u in page["Users"]]
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    assert seen == names
    pag = iam.get_paginator("list_users")
    got = [u["UserName"] for p in pag.paginate(PathPrefix="/paged/",
                                                PaginationConfig={"PageSize": 50})
           for u in p["Users"]]
    assert got == names
    raw = unchecked(server)
    msg = fails("ValidationError", 400, raw.list_users, MaxItems=0)
    assert "Member must have value greater than or equal to 1" in msg
    fails("ValidationError", 400, raw.list_users, MaxItems=1001)
    fails("ValidationError", 400, raw.list_users, Marker="bogus")
    fails("ValidationError", 400, raw.list_users, Marker="m" + "f" * 17)
    fails("ValidationError", 400, raw.list_users, MaxItems="99999999999999999999999")
    assert raw.list_users(Marker="m" + "f" * 10)["Users"] == []  # past the end
    rc, out, _ = server.cli("iam", "list-users", "--path-prefix", "/paged/")
    assert rc == 0 and [u["UserName"] for u in out["Users"]] == names  # CLI pages itself
    for n in names:
        iam.delete_user(UserName=n)


def test_cli_user_flow(server):
    """The AWS CLI v2 (slow to start, so few calls): create, an error, and the
    CLI's own paging in test_paging_over_many_users."""
    iam = server.client("iam")
    rc, out, _ = server.cli("iam", "create-user", "--user-name", "cli-user", "--path", "/cli/")
    assert out["User"]["Arn"] == f"arn:aws:iam::{server.account}:user/cli/cli-user"
    iam.create_access_key(UserName="cli-user")
    rc, _, err = server.cli("iam", "delete-user", "--user-name", "cli-user", check=False)
    assert rc != 0 and "DeleteConflict" in err and "must delete access keys first" in err
    for k in iam.list_access_keys(UserName="cli-user")["AccessKeyMetadata"]:
        iam.delete_access_key(UserName="cli-user", AccessKeyId=k["AccessKeyId"])
    iam.delete_user(UserName="cli-user")


def test_rename_carries_everything(server):
    iam = server.client("iam")
    creds = server.new_user_creds("before", policy_arn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.create_group(GroupName="rn-g")
    iam.add_user_to_group(GroupName="rn-g", UserName="before")
    iam.put_user_policy(UserName="before", PolicyName="x", PolicyDocument=doc(allow("s3:*")))
    iam.update_user(UserName="before", NewUserName="after")
    me = server.client("iam", creds=creds)
    assert me.get_user()["User"]["Arn"] == f"arn:aws:iam::{server.account}:user/after"
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="after")["Groups"]] == \
        ["rn-g"]
    assert iam.list_user_policies(UserName="after")["PolicyNames"] == ["x"]
    assert len(iam.list_attached_user_policies(UserName="after")["AttachedPolicies"]) == 1
    assert [k["AccessKeyId"] for k in
            iam.list_access_keys(UserName="after")["AccessKeyMetadata"]] == [creds.akid]
    fails("NoSuchEntity", 404, iam.list_groups_for_user, UserName="before")
    iam.remove_user_from_group(GroupName="rn-g", UserName="after")
    iam.delete_group(GroupName="rn-g")
    iam.delete_user_policy(UserName="after", PolicyName="x")
    iam.detach_user_policy(UserName="after",
                           PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.delete_access_key(UserName="after", AccessKeyId=creds.akid)
    iam.delete_user(UserName="after")


def test_create_user_is_audited(server):
    """The audit event of a write is committed with it and names the created user."""
    import os
    import sqlite3
    iam = server.client("iam")
    u = iam.create_user(UserName="audited")["User"]
    db = sqlite3.connect(f"file:{os.path.join(server.data_dir, 'bulwark.db')}?mode=ro", uri=True)
    rows = db.execute("SELECT record FROM trail_events WHERE event_name = 'CreateUser'"
                      " AND error_code IS NULL ORDER BY seq DESC LIMIT 1").fetchall()
    db.close()
    ok = json.loads(rows[0][0])
    assert ok["responseElements"]["user"]["arn"] == u["Arn"]
    assert ok["responseElements"]["user"]["userId"] == u["UserId"]
    assert ok["resources"] == [{"ARN": u["Arn"], "accountId": server.account,
                                "type": "AWS::IAM::User"}]
    assert ok["requestParameters"]["userName"] == "audited"
    iam.delete_user(UserName="audited")


def test_access_key_last_used_is_recorded(server):
    """A key's last use (time, service, region) appears shortly after a call it signed,
    allowed or denied; a failed signature is not a use."""
    import datetime
    import time
    from conftest import Creds
    iam = server.client("iam")
    c = server.new_user_creds("user-of-key")
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=2)

    def last_used(service):
        for _ in range(100):
            u = iam.get_access_key_last_used(AccessKeyId=c.akid)["AccessKeyLastUsed"]
            if u["ServiceName"] == service:
                return u
            time.sleep(0.05)
        raise AssertionError(f"last use never showed {service}: {u}")

    bad = Creds(c.akid, "x" * 40)
    with pytest.raises(ClientError):
        server.client("sts", creds=bad).get_caller_identity()
    time.sleep(0.3)
    assert iam.get_access_key_last_used(AccessKeyId=c.akid)["AccessKeyLastUsed"][
        "ServiceName"] == "N/A"
    server.client("sts", creds=c).get_caller_identity()
    u = last_used("sts")
    assert u["Region"] == "us-east-1" and u["LastUsedDate"] >= before
    with pytest.raises(ClientError):  # denied: still a use of the key
        server.client("iam", creds=c).create_user(UserName="not-allowed")
    u2 = last_used("iam")
    assert u2["LastUsedDate"] >= u["LastUsedDate"]

