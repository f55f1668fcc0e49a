# SPDX-License-Identifier: Apache-2.0
"""IAM roles (trust policies checked by the policy engine), managed policies and
versions, attachments, inline policies, tags and permissions boundaries: happy paths,
AWS's errors and statuses, and no change after a failed call."""
import json
import urllib.parse

from iam_helpers import allow, deny, doc, fails, trust, unchecked

S3 = doc(allow("s3:*"))
AWS_RO = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def pol_arn(server, name, path="/"):
    return f"arn:aws:iam::{server.account}:policy{path}{name}"


def test_role_lifecycle(server):
    iam = server.client("iam")
    r = iam.create_role(RoleName="app", Path="/svc/", AssumeRolePolicyDocument=trust(server.account),
                        Description="the app", MaxSessionDuration=7200,
                        Tags=[{"Key": "env", "Value": "prod"}])["Role"]
    assert r["RoleId"].startswith("AROA") and len(r["RoleId"]) == 21
    assert r["Arn"] == f"arn:aws:iam::{server.account}:role/svc/app"
    assert r["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    got = iam.get_role(RoleName="APP")["Role"]
    assert got["Description"] == "the app" and got["MaxSessionDuration"] == 7200
    assert got["Tags"] == [{"Key": "env", "Value": "prod"}]
    iam.update_role(RoleName="app", Description="new", MaxSessionDuration=43200)
    got = iam.get_role(RoleName="app")["Role"]
    assert got["Description"] == "new" and got["MaxSessionDuration"] == 43200
    got = iam.update_role_description(RoleName="app", Description="third")["Role"]
    assert got["Description"] == "third"
    new_trust = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                     "Action": "sts:AssumeRole"})
    iam.update_assume_role_policy(RoleName="app", PolicyDocument=new_trust)
    got = iam.get_role(RoleName="app")["Role"]
    assert got["AssumeRolePolicyDocument"] == json.loads(new_trust)
    assert "app" in [x["RoleName"] for x in iam.list_roles(PathPrefix="/svc/")["Roles"]]
    assert "app" not in [x["RoleName"] for x in iam.list_roles(PathPrefix="/other/")["Roles"]]
    iam.delete_role(RoleName="app")
    fails("NoSuchEntity", 404, iam.get_role, RoleName="app")


def test_role_errors_change_nothing(server):
    iam = server.client("iam")
    raw = unchecked(server)
    iam.create_role(RoleName="fixed", AssumeRolePolicyDocument=trust(server.account))
    before = iam.list_roles()["Roles"]
    assert fails("EntityAlreadyExists", 409, iam.create_role, RoleName="FIXED",
                 AssumeRolePolicyDocument=trust(server.account)) == \
        "Role with name FIXED already exists."
    # a trust policy needs a Principal; an identity policy is not a trust policy
    fails("MalformedPolicyDocument", 400, iam.create_role, RoleName="r2",
          AssumeRolePolicyDocument=S3)
    fails("MalformedPolicyDocument", 400, iam.create_role, RoleName="r2",
          AssumeRolePolicyDocument="{not json")
    big = doc(*[{"Sid": f"S{i}", "Effect": "Allow",
                 "Principal": {"AWS": f"arn:aws:iam::{server.account}:root"},
                 "Action": "sts:AssumeRole"} for i in range(40)])
    assert fails("LimitExceeded", 409, iam.create_role, RoleName="r2",
                 AssumeRolePolicyDocument=big) == "Cannot exceed quota for ACLSizePerRole: 2048"
    msg = fails("ValidationError", 400, raw.create_role, RoleName="r2",
                AssumeRolePolicyDocument=trust(server.account), MaxSessionDuration=100)
    assert "Member must have value greater than or equal to 3600" in msg
    fails("ValidationError", 400, raw.create_role, RoleName="r2",
          AssumeRolePolicyDocument=trust(server.account), MaxSessionDuration=43201)
    fails("ValidationError", 400, raw.create_role, RoleName="r" * 65,
          AssumeRolePolicyDocument=trust(server.account))
    fails("ValidationError", 400, raw.create_role, RoleName="r2")
    assert iam.list_roles()["Roles"] == before
    fails("ValidationError", 400, raw.update_role, RoleName="fixed", MaxSessionDuration=50000)
    fails("MalformedPolicyDocument", 400, iam.update_assume_role_policy, RoleName="fixed",
          PolicyDocument=S3)
    fails("NoSuchEntity", 404, iam.update_role, RoleName="ghost", Description="x")
    assert iam.get_role(RoleName="fixed")["Role"]["MaxSessionDuration"] == 3600
    iam.put_role_policy(RoleName="fixed", PolicyName="inl", PolicyDocument=S3)
    assert fails("DeleteConflict", 409, iam.delete_role, RoleName="fixed") == \
        "Cannot delete entity, must delete policies first."
    iam.delete_role_policy(RoleName="fixed", PolicyName="inl")
    iam.attach_role_policy(RoleName="fixed", PolicyArn=AWS_RO)
    fails("DeleteConflict", 409, iam.delete_role, RoleName="fixed")
    iam.detach_role_policy(RoleName="fixed", PolicyArn=AWS_RO)
    iam.delete_role(RoleName="fixed")


def test_managed_policy_versions(server):
    iam = server.client("iam")
    p = iam.create_policy(PolicyName="ver", Path="/team/", PolicyDocument=S3,
                          Description="versions", Tags=[{"Key": "k", "Value": "v"}])["Policy"]
    arn = pol_arn(server, "ver", "/team/")
    assert p["Arn"] == arn and p["PolicyId"].startswith("ANPA")
    assert p["DefaultVersionId"] == "v1" and p["AttachmentCount"] == 0
    assert p["Tags"] == [{"Key": "k", "Value": "v"}]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Description"] == "versions"
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("s3:Get*")))
    assert v2["PolicyVersion"]["VersionId"] == "v2"
    assert not v2["PolicyVersion"]["IsDefaultVersion"]
    v3 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("s3:List*")),
                                   SetAsDefault=True)["PolicyVersion"]
    assert v3["VersionId"] == "v3" and v3["IsDefaultVersion"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert got["Document"] == json.loads(doc(allow("s3:Get*"))) and not got["IsDefaultVersion"]
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v3", "v2", "v1"]
    assert [v["IsDefaultVersion"] for v in versions] == [True, False, False]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=S3)
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=S3)
    msg = fails("LimitExceeded", 409, iam.create_policy_version, PolicyArn=arn, PolicyDocument=S3)
    assert "up to 5 versions" in msg
    assert len(iam.list_policy_versions(PolicyArn=arn)["Versions"]) == 5
    assert fails("DeleteConflict", 409, iam.delete_policy_version, PolicyArn=arn,
                 VersionId="v3") == "Cannot delete the default version of a policy."
    fails("NoSuchEntity", 404, iam.get_policy_version, PolicyArn=arn, VersionId="v9")
    fails("NoSuchEntity", 404, iam.set_default_policy_version, PolicyArn=arn, VersionId="v9")
    fails("MalformedPolicyDocument", 400, iam.create_policy_version, PolicyArn=arn,
          PolicyDocument=doc({"Effect": "Allow", "Action": "s3:*"}))
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"
    msg = fails("DeleteConflict", 409, iam.delete_policy, PolicyArn=arn)
    assert "more than one version" in msg
    for v in ("v2", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=v)
    v6 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=S3)["PolicyVersion"]
    assert v6["VersionId"] == "v6"  # version numbers are never reused
    iam.delete_policy_version(PolicyArn=arn, VersionId="v6")
    iam.delete_policy(PolicyArn=arn)
    fails("NoSuchEntity", 404, iam.get_policy, PolicyArn=arn)


def test_policy_document_url_encoded_on_the_wire(server):
    """GetPolicyVersion returns the document URL-encoded, as IAM does (botocore decodes it)."""
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    import urllib.request
    iam = server.client("iam")
    arn = iam.create_policy(PolicyName="enc", PolicyDocument=S3)["Policy"]["Arn"]
    body = urllib.parse.urlencode({"Action": "GetPolicyVersion", "Version": "2010-05-08",
                                   "PolicyArn": arn, "VersionId": "v1"})
    req = botocore.awsrequest.AWSRequest(
        method="POST", url=server.endpoint + "/", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(server.admin.akid,
                                                             server.admin.secret),
                            "iam", "us-east-1").add_auth(req)
    r = urllib.request.urlopen(urllib.request.Request(server.endpoint + "/", data=body.encode(),
                                                      headers=dict(req.headers)))
    xml = r.read().decode()
    assert "<Document>" + urllib.parse.quote(S3, safe="-_.~") + "</Document>" in xml
    iam.delete_policy(PolicyArn=arn)


def test_create_policy_errors_change_nothing(server):
    iam = server.client("iam")
    raw = unchecked(server)
    iam.create_policy(PolicyName="once", PolicyDocument=S3)
    before = iam.list_policies(Scope="Local")["Policies"]
    assert fails("EntityAlreadyExists", 409, iam.create_policy, PolicyName="once",
                 PolicyDocument=S3) == \
        "A policy called once already exists. Duplicate names are not allowed."
    fails("MalformedPolicyDocument", 400, iam.create_policy, PolicyName="p2",
          PolicyDocument=doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                              "Principal": "*"}))
    fails("MalformedPolicyDocument", 400, iam.create_policy, PolicyName="p2",
          PolicyDocument="[]")
    big = doc(*[allow(f"s3:GetObject{i:04d}", f"arn:aws:s3:::bucket-{i:04d}/*")
                for i in range(120)])
    assert fails("LimitExceeded", 409, iam.create_policy, PolicyName="p2",
                 PolicyDocument=big) == "Cannot exceed quota for PolicySize: 6144"
    fails("ValidationError", 400, raw.create_policy, PolicyName="bad name", PolicyDocument=S3)
    fails("ValidationError", 400, raw.create_policy, PolicyName="p2")
    fails("InvalidInput", 400, iam.get_policy, PolicyArn="not-an-arn-at-all-really")
    fails("NoSuchEntity", 404, iam.get_policy, PolicyArn=pol_arn(server, "never"))
    assert iam.list_policies(Scope="Local")["Policies"] == before
    iam.delete_policy(PolicyArn=pol_arn(server, "once"))


def test_aws_managed_policies_are_read_only(server):
    iam = server.client("iam")
    names = {p["PolicyName"] for p in iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]}
    assert {"AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "IAMFullAccess",
            "SecurityAudit", "AWSOrganizationsFullAccess", "AWSShieldFullAccess",
            "AWSWAFFullAccess", "AWSCloudTrail_FullAccess"} <= names
    admin = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")["Policy"]
    assert admin["AttachmentCount"] >= 1  # the bootstrap admin
    v = iam.get_policy_version(PolicyArn=admin["Arn"], VersionId="v1")["PolicyVersion"]
    assert v["Document"]["Statement"][0]["Action"] == "*"
    for call, kw in ((iam.delete_policy, {}),
                     (iam.create_policy_version, {"PolicyDocument": S3}),
                     (iam.set_default_policy_version, {"VersionId": "v1"}),
                     (iam.delete_policy_version, {"VersionId": "v1"}),
                     (iam.tag_policy, {"Tags": [{"Key": "a", "Value": "b"}]})):
        fails("AccessDenied", 403, call, PolicyArn=admin["Arn"], **kw)
    assert iam.get_policy(PolicyArn=admin["Arn"])["Policy"]["DefaultVersionId"] == "v1"
    assert len(iam.list_policy_versions(PolicyArn=admin["Arn"])["Versions"]) == 1


def test_list_policies_filters(server):
    iam = server.client("iam")
    a = iam.create_policy(PolicyName="lp-a", Path="/lp/", PolicyDocument=S3)["Policy"]["Arn"]
    b = iam.create_policy(PolicyName="lp-b", Path="/lp/", PolicyDocument=S3)["Policy"]["Arn"]
    iam.create_user(UserName="lp-user")
    iam.attach_user_policy(UserName="lp-user", PolicyArn=a)
    local = [p["PolicyName"] for p in iam.list_policies(Scope="Local", PathPrefix="/lp/")["Policies"]]
    assert local == ["lp-a", "lp-b"]
    attached = iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    assert [p["PolicyName"] for p in attached] == ["lp-a"] and attached[0]["AttachmentCount"] == 1
    aws_only = iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in aws_only)
    everything = iam.list_policies(MaxItems=1000)["Policies"]
    assert len(everything) == len(aws_only) + len(iam.list_policies(Scope="Local")["Policies"])
    iam.put_user_permissions_boundary(UserName="lp-user", PermissionsBoundary=b)
    bnd = iam.list_policies(Scope="Local", OnlyAttached=True,
                            PolicyUsageFilter="PermissionsBoundary")["Policies"]
    assert [p["PolicyName"] for p in bnd] == ["lp-b"]
    assert bnd[0]["PermissionsBoundaryUsageCount"] == 1
    page = iam.list_policies(Scope="Local", PathPrefix="/lp/", MaxItems=1)
    assert page["IsTruncated"] and len(page["Policies"]) == 1
    rest = iam.list_policies(Scope="Local", PathPrefix="/lp/", Marker=page["Marker"])
    assert [p["PolicyName"] for p in rest["Policies"]] == ["lp-b"]
    raw = unchecked(server)
    assert "enum value set: [All, AWS, Local]" in fails("ValidationError", 400,
                                                         raw.list_policies, Scope="Mine")
    # a policy used as a boundary or attached cannot be deleted
    assert fails("DeleteConflict", 409, iam.delete_policy, PolicyArn=b) == \
        "Cannot delete a policy attached to entities."
    fails("DeleteConflict", 409, iam.delete_policy, PolicyArn=a)
    iam.delete_user_permissions_boundary(UserName="lp-user")
    iam.detach_user_policy(UserName="lp-user", PolicyArn=a)
    iam.delete_user(UserName="lp-user")
    iam.delete_policy(PolicyArn=a)
    iam.delete_policy(PolicyArn=b)


def test_attachments_and_entities(server):
    iam = server.client("iam")
    arn = iam.create_policy(PolicyName="att", PolicyDocument=S3)["Policy"]["Arn"]
    iam.create_user(UserName="att-u")
    iam.create_group(GroupName="att-g")
    iam.create_role(RoleName="att-r", AssumeRolePolicyDocument=trust(server.account))
    iam.attach_user_policy(UserName="att-u", PolicyArn=arn)
    iam.attach_user_policy(UserName="att-u", PolicyArn=arn)  # idempotent
    iam.attach_group_policy(GroupName="att-g", PolicyArn=arn)
    iam.attach_role_policy(RoleName="att-r", PolicyArn=arn)
    iam.attach_role_policy(RoleName="att-r", PolicyArn=AWS_RO)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    assert iam.list_attached_user_policies(UserName="att-u")["AttachedPolicies"] == \
        [{"PolicyName": "att", "PolicyArn": arn}]
    assert len(iam.list_attached_group_policies(GroupName="att-g")["AttachedPolicies"]) == 1
    rp = iam.list_attached_role_policies(RoleName="att-r")["AttachedPolicies"]
    assert sorted(p["PolicyName"] for p in rp) == ["ReadOnlyAccess", "att"]
    ents = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in ents["PolicyUsers"]] == ["att-u"]
    assert [g["GroupName"] for g in ents["PolicyGroups"]] == ["att-g"]
    assert [r["RoleName"] for r in ents["PolicyRoles"]] == ["att-r"]
    assert ents["PolicyUsers"][0]["UserId"].startswith("AIDA")
    only_roles = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert only_roles["PolicyUsers"] == [] and len(only_roles["PolicyRoles"]) == 1
    assert fails("NoSuchEntity", 404, iam.attach_user_policy, UserName="att-u",
                 PolicyArn=pol_arn(server, "nope")) == \
        f"Policy {pol_arn(server, 'nope')} does not exist or is not attachable."
    fails("NoSuchEntity", 404, iam.attach_user_policy, UserName="ghost", PolicyArn=arn)
    fails("InvalidInput", 400, unchecked(server).attach_user_policy, UserName="att-u",
          PolicyArn="arn:bad")
    fails("NoSuchEntity", 404, iam.detach_group_policy, GroupName="att-g", PolicyArn=AWS_RO)
    # attachment quota: 10 managed policies per entity
    extra = [iam.create_policy(PolicyName=f"q{i}", PolicyDocument=S3)["Policy"]["Arn"]
             for i in range(10)]
    for e in extra[:9]:
        iam.attach_user_policy(UserName="att-u", PolicyArn=e)
    assert fails("LimitExceeded", 409, iam.attach_user_policy, UserName="att-u",
                 PolicyArn=extra[9]) == "Cannot exceed quota for PoliciesPerUser: 10"
    assert len(iam.list_attached_user_policies(UserName="att-u")["AttachedPolicies"]) == 10
    for e in extra[:9]:
        iam.detach_user_policy(UserName="att-u", PolicyArn=e)
    for e in extra:
        iam.delete_policy(PolicyArn=e)
    iam.detach_user_policy(UserName="att-u", PolicyArn=arn)
    iam.detach_group_policy(GroupName="att-g", PolicyArn=arn)
    iam.detach_role_policy(RoleName="att-r", PolicyArn=arn)
    iam.detach_role_policy(RoleName="att-r", PolicyArn=AWS_RO)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0
    iam.delete_policy(PolicyArn=arn)
    iam.delete_user(UserName="att-u")
    iam.delete_group(GroupName="att-g")
    iam.delete_role(RoleName="att-r")


def test_inline_policies(server):
    iam = server.client("iam")
    iam.create_user(UserName="inl-u")
    iam.create_group(GroupName="inl-g")
    iam.create_role(RoleName="inl-r", AssumeRolePolicyDocument=trust(server.account))
    for kind, put, get, lst, dele, key in (
            ("User", iam.put_user_policy, iam.get_user_policy, iam.list_user_policies,
             iam.delete_user_policy, {"UserName": "inl-u"}),
            ("Group", iam.put_group_policy, iam.get_group_policy, iam.list_group_policies,
             iam.delete_group_policy, {"GroupName": "inl-g"}),
            ("Role", iam.put_role_policy, iam.get_role_policy, iam.list_role_policies,
             iam.delete_role_policy, {"RoleName": "inl-r"})):
        put(PolicyName="b", PolicyDocument=S3, **key)
        put(PolicyName="a", PolicyDocument=S3, **key)
        put(PolicyName="a", PolicyDocument=doc(deny("s3:*")), **key)  # replaces
        assert lst(**key)["PolicyNames"] == ["a", "b"]
        got = get(PolicyName="a", **key)
        assert got["PolicyName"] == "a" and got["PolicyDocument"]["Statement"][0]["Effect"] == "Deny"
        assert got[f"{kind}Name"] == list(key.values())[0]
        page = lst(MaxItems=1, **key)
        assert page["IsTruncated"] and page["PolicyNames"] == ["a"]
        msg = fails("NoSuchEntity", 404, get, PolicyName="zz", **key)
        assert msg == f"The {kind.lower()} policy with name zz cannot be found."
        fails("MalformedPolicyDocument", 400, put, PolicyName="c", PolicyDocument="{}", **key)
        fails("NoSuchEntity", 404, dele, PolicyName="zz", **key)
        dele(PolicyName="a", **key)
        dele(PolicyName="b", **key)
        assert lst(**key)["PolicyNames"] == []
    # aggregate size quotas: 2,048 (user), 5,120 (group), 10,240 (role) without whitespace
    chunk = doc(*[allow(f"s3:GetObject{i:03d}") for i in range(15)])  # ~900 chars
    iam.put_user_policy(UserName="inl-u", PolicyName="c1", PolicyDocument=chunk)
    iam.put_user_policy(UserName="inl-u", PolicyName="c2", PolicyDocument=chunk)
    assert fails("LimitExceeded", 409, iam.put_user_policy, UserName="inl-u", PolicyName="c3",
                 PolicyDocument=chunk) == "Maximum policy size of 2048 bytes exceeded for user inl-u"
    assert iam.list_user_policies(UserName="inl-u")["PolicyNames"] == ["c1", "c2"]
    for i in range(4):
        iam.put_group_policy(GroupName="inl-g", PolicyName=f"c{i}", PolicyDocument=chunk)
    iam.put_role_policy(RoleName="inl-r", PolicyName="c1", PolicyDocument=chunk)
    fails("NoSuchEntity", 404, iam.put_user_policy, UserName="ghost", PolicyName="p",
          PolicyDocument=S3)
    iam.delete_user_policy(UserName="inl-u", PolicyName="c1")
    iam.delete_user_policy(UserName="inl-u", PolicyName="c2")
    for i in range(4):
        iam.delete_group_policy(GroupName="inl-g", PolicyName=f"c{i}")
    iam.delete_role_policy(RoleName="inl-r", PolicyName="c1")
    iam.delete_user(UserName="inl-u")
    iam.delete_group(GroupName="inl-g")
    iam.delete_role(RoleName="inl-r")


def test_tags(server):
    iam = server.client("iam")
    iam.create_user(UserName="tagged")
    iam.create_role(RoleName="tagged-r", AssumeRolePolicyDocument=trust(server.account))
    parn = iam.create_policy(PolicyName="tagged-p", PolicyDocument=S3)["Policy"]["Arn"]
    for tag, untag, lst, key in (
            (iam.tag_user, iam.untag_user, iam.list_user_tags, {"UserName": "tagged"}),
            (iam.tag_role, iam.untag_role, iam.list_role_tags, {"RoleName": "tagged-r"}),
            (iam.tag_policy, iam.untag_policy, iam.list_policy_tags, {"PolicyArn": parn})):
        tag(Tags=[{"Key": "team", "Value": "a"}, {"Key": "cost", "Value": "1"}], **key)
        tag(Tags=[{"Key": "TEAM", "Value": "b"}], **key)  # keys are case-insensitive
        got = lst(**key)["Tags"]
        assert sorted((t["Key"], t["Value"]) for t in got) == [("TEAM", "b"), ("cost", "1")]
        fails("InvalidInput", 400, tag, Tags=[{"Key": "aws:reserved", "Value": "x"}], **key)
        many = [{"Key": f"k{i}", "Value": "v"} for i in range(49)]
        msg = fails("LimitExceeded", 409, tag, Tags=many, **key)
        assert "maximum" in msg
        assert len(lst(**key)["Tags"]) == 2  # nothing changed
        page = lst(MaxItems=1, **key)
        assert page["IsTruncated"] and len(page["Tags"]) == 1
        untag(TagKeys=["team", "nope"], **key)
        assert lst(**key)["Tags"] == [{"Key": "cost", "Value": "1"}]
    fails("NoSuchEntity", 404, iam.tag_user, UserName="ghost", Tags=[{"Key": "a", "Value": "b"}])
    fails("NoSuchEntity", 404, iam.list_role_tags, RoleName="ghost")
    assert iam.get_user(UserName="tagged")["User"]["Tags"] == [{"Key": "cost", "Value": "1"}]
    raw = unchecked(server)
    fails("ValidationError", 400, raw.tag_user, UserName="tagged",
          Tags=[{"Key": "k" * 129, "Value": "v"}])
    fails("ValidationError", 400, raw.tag_user, UserName="tagged",
          Tags=[{"Key": "bad*key", "Value": "v"}])
    iam.delete_user(UserName="tagged")
    iam.create_user(UserName="tagged")  # tags do not survive their user
    assert iam.list_user_tags(UserName="tagged")["Tags"] == []
    iam.delete_user(UserName="tagged")
    iam.delete_role(RoleName="tagged-r")
    iam.delete_policy(PolicyArn=parn)


def test_permissions_boundaries_crud(server):
    iam = server.client("iam")
    b = iam.create_policy(PolicyName="bnd", PolicyDocument=S3)["Policy"]["Arn"]
    u = iam.create_user(UserName="bnd-u", PermissionsBoundary=b)["User"]
    assert u["PermissionsBoundary"] == {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                        "PermissionsBoundaryArn": b}
    r = iam.create_role(RoleName="bnd-r", AssumeRolePolicyDocument=trust(server.account),
                        PermissionsBoundary=AWS_RO)["Role"]
    assert r["PermissionsBoundary"]["PermissionsBoundaryArn"] == AWS_RO
    ents = iam.list_entities_for_policy(PolicyArn=b, PolicyUsageFilter="PermissionsBoundary")
    assert [x["UserName"] for x in ents["PolicyUsers"]] == ["bnd-u"]
    iam.delete_user_permissions_boundary(UserName="bnd-u")
    assert "PermissionsBoundary" not in iam.get_user(UserName="bnd-u")["User"]
    iam.put_user_permissions_boundary(UserName="bnd-u", PermissionsBoundary=AWS_RO)
    assert iam.get_user(UserName="bnd-u")["User"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"] == AWS_RO
    iam.put_role_permissions_boundary(RoleName="bnd-r", PermissionsBoundary=b)
    assert iam.get_role(RoleName="bnd-r")["Role"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"] == b
    msg = fails("NoSuchEntity", 404, iam.put_role_permissions_boundary, RoleName="bnd-r",
                PermissionsBoundary=pol_arn(server, "absent"))
    assert msg == f"Scope ARN: {pol_arn(server, 'absent')} does not exist or is not attachable."
    assert iam.get_role(RoleName="bnd-r")["Role"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"] == b
    fails("NoSuchEntity", 404, iam.put_user_permissions_boundary, UserName="ghost",
          PermissionsBoundary=b)
    iam.delete_role_permissions_boundary(RoleName="bnd-r")
    iam.delete_user(UserName="bnd-u")
    iam.delete_role(RoleName="bnd-r")
    iam.delete_policy(PolicyArn=b)


def test_cli_policy_flow(server):
    rc, out, _ = server.cli("iam", "create-policy", "--policy-name", "cli-pol",
                            "--policy-document", S3)
    arn = out["Policy"]["Arn"]
    rc, out, _ = server.cli("iam", "get-policy-version", "--policy-arn", arn,
                            "--version-id", "v1")
    assert out["PolicyVersion"]["Document"] == json.loads(S3)
    rc, _, err = server.cli("iam", "create-role", "--role-name", "cli-role",
                            "--assume-role-policy-document", S3, check=False)
    assert rc != 0 and "MalformedPolicyDocument" in err
    server.client("iam").delete_policy(PolicyArn=arn)
