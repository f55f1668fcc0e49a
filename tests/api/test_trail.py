# SPDX-License-Identifier: Apache-2.0
"""The audit trail through boto3, the AWS CLI and `bulwark trail`: event contents for
IAM, STS and CloudTrail calls (succeeded, denied, failed), redaction of secrets,
trails CRUD and their errors, delivered files and their layout, LookupEvents filters,
ordering and paging, ListPublicKeys verifying a digest signature, tail and top."""
import gzip
import json
import os
import re
import stat
import time

import pytest
from botocore.exceptions import ClientError

import trail_helpers as th
from conftest import BIN_DIR, error_code

FIELDS = ["eventVersion", "userIdentity", "eventTime", "eventSource", "eventName",
          "awsRegion", "sourceIPAddress", "userAgent", "requestParameters",
          "responseElements", "requestID", "eventID", "readOnly", "eventType",
          "managementEvent", "eventCategory", "recipientAccountId"]


@pytest.fixture(scope="module")
def trail(server):
    ct = server.client("cloudtrail")
    ct.create_trail(Name="main", S3BucketName="audit-bucket", EnableLogFileValidation=True)
    ct.start_logging(Name="main")
    return ct


def lookup_one(ct, key, value):
    def get():
        ev = ct.lookup_events(LookupAttributes=[{"AttributeKey": key,
                                                 "AttributeValue": value}])["Events"]
        return ev
    ev = th.wait_for(get)
    return json.loads(ev[0]["CloudTrailEvent"]), ev[0]


def test_write_event_contents(server, trail):
    iam = server.client("iam")
    r = iam.create_user(UserName="alice")
    rid = r["ResponseMetadata"]["RequestId"]
    rec, ev = lookup_one(trail, "ResourceName", f"arn:aws:iam::{server.account}:user/alice")
    for f in FIELDS:
        assert f in rec, f
    assert rec["eventVersion"] == "1.08"
    assert rec["eventSource"] == "iam.amazonaws.com" and rec["eventName"] == "CreateUser"
    assert rec["requestID"] == rid
    assert rec["readOnly"] is False and rec["eventType"] == "AwsApiCall"
    assert rec["managementEvent"] is True and rec["eventCategory"] == "Management"
    assert rec["recipientAccountId"] == server.account
    assert rec["awsRegion"] == "us-east-1" and rec["sourceIPAddress"] == "127.0.0.1"
    assert rec["userAgent"].startswith("Boto3/")
    assert rec["requestParameters"] == {"userName": "alice"}
    u = rec["userIdentity"]
    assert u["type"] == "IAMUser" and u["userName"] == "admin"
    assert u["arn"] == f"arn:aws:iam::{server.account}:user/admin"
    assert u["accountId"] == server.account and u["accessKeyId"] == server.admin.akid
    assert u["principalId"].startswith("AIDA")
    assert rec["resources"] == [{"ARN": f"arn:aws:iam::{server.account}:user/alice",
                                 "accountId": server.account, "type": "AWS::IAM::User"}]
    assert ev["ReadOnly"] == "false" and ev["Username"] == "admin"
    assert ev["Resources"] == [{"ResourceType": "AWS::IAM::User",
                                "ResourceName": f"arn:aws:iam::{server.account}:user/alice"}]


def test_read_only_event(server, trail):
    r = server.client("sts").get_caller_identity()
    rec, ev = lookup_one(trail, "EventId", th.wait_for(lambda: [
        e["EventId"] for e in trail.lookup_events(LookupAttributes=[
            {"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"}])["Events"]
        if json.loads(e["CloudTrailEvent"])["requestID"] == r["ResponseMetadata"]["RequestId"]
    ])[0])
    assert rec["eventSource"] == "sts.amazonaws.com" and rec["readOnly"] is True
    assert rec["requestParameters"] is None and "errorCode" not in rec


def test_denied_call_recorded(server, trail):
    creds = server.new_user_creds("nobody")
    with pytest.raises(ClientError) as e:
        server.client("iam", creds=creds).list_users()
    assert error_code(e.value) == ("AccessDenied", 403)
    with pytest.raises(ClientError) as e:
        server.client("cloudtrail", creds=creds).describe_trails()
    assert error_code(e.value)[0] == "AccessDeniedException"
    th.wait_for(lambda: len(trail.lookup_events(LookupAttributes=[
        {"AttributeKey": "Username", "AttributeValue": "nobody"}])["Events"]) == 2)
    rec, _ = lookup_one(trail, "Username", "nobody")
    assert rec["errorCode"] == "AccessDeniedException"
    assert rec["eventSource"] == "cloudtrail.amazonaws.com"
    assert "not authorized" in rec["errorMessage"] or rec["errorMessage"]
    assert rec["userIdentity"]["userName"] == "nobody"
    denied = [json.loads(e["CloudTrailEvent"]) for e in trail.lookup_events(
        LookupAttributes=[{"AttributeKey": "AccessKeyId", "AttributeValue": creds.akid}])["Events"]]
    assert {d["eventName"] for d in denied} == {"ListUsers", "DescribeTrails"}
    assert all(d["errorCode"] in ("AccessDenied", "AccessDeniedException") for d in denied)


def test_failed_call_recorded(server, trail):
    with pytest.raises(ClientError) as e:
        server.client("iam").get_user(UserName="ghost")
    assert error_code(e.value) == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as e:
        trail.get_trail(Name="nope")
    assert error_code(e.value)[0] == "TrailNotFoundException"
    evs = th.wait_for(lambda: [json.loads(x["CloudTrailEvent"]) for x in trail.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetUser"}])["Events"]])
    rec = [r for r in evs if r["requestParameters"] == {"userName": "ghost"}][0]
    assert rec["errorCode"] == "NoSuchEntity" and "ghost" in rec["errorMessage"]
    assert rec["responseElements"] is None
    rec, _ = lookup_one(trail, "EventName", "GetTrail")
    assert rec["errorCode"] == "TrailNotFoundException"
    assert rec["requestParameters"] == {"name": "nope"}


def test_secrets_never_recorded(server, trail):
    iam = server.client("iam")
    iam.create_user(UserName="keyed")
    key = iam.create_access_key(UserName="keyed")["AccessKey"]
    st = server.client("sts").get_session_token()["Credentials"]
    from conftest import Creds
    sess = Creds(st["AccessKeyId"], st["SecretAccessKey"], st["SessionToken"])
    server.client("sts", creds=sess).get_caller_identity()
    rec, _ = lookup_one(trail, "EventName", "CreateAccessKey")
    ak = rec["responseElements"]["accessKey"] if rec["responseElements"] else {}
    assert "secretAccessKey" not in json.dumps(rec)
    if ak:
        assert ak["accessKeyId"] == key["AccessKeyId"]
    srec, _ = lookup_one(trail, "AccessKeyId", st["AccessKeyId"])
    ctx = srec["userIdentity"]["sessionContext"]
    assert ctx["attributes"]["mfaAuthenticated"] == "false"
    assert "creationDate" in ctx["attributes"]
    gst, _ = lookup_one(trail, "EventName", "GetSessionToken")
    th.settle(server, "main")
    with th.db(server) as c:
        blob = "\n".join(r[0] for r in c.execute("SELECT record FROM trail_events"))
    files = "".join(json.dumps(r) for r in th.records(server, "main"))
    for secret in (key["SecretAccessKey"], st["SecretAccessKey"], st["SessionToken"],
                   server.admin.secret):
        assert secret not in blob and secret not in files


def test_trail_crud_and_errors(server, trail):
    ct = trail
    with pytest.raises(ClientError) as e:
        ct.create_trail(Name="main", S3BucketName="audit-bucket")
    assert error_code(e.value) == ("TrailAlreadyExistsException", 400)
    for bad in ("ab", "-abc", "a..b", "my--trail", "10.0.0.1", "x" * 129, "bad name"):
        with pytest.raises(ClientError) as e:
            ct.create_trail(Name=bad, S3BucketName="audit-bucket")
        assert error_code(e.value)[0] == "InvalidTrailNameException", bad
    with pytest.raises(ClientError) as e:
        ct.create_trail(Name="second", S3BucketName="Bad_Bucket")
    assert error_code(e.value)[0] == "InvalidS3BucketNameException"
    with pytest.raises(ClientError) as e:
        ct.create_trail(Name="second", S3BucketName="b-1", IsMultiRegionTrail=True,
                        IncludeGlobalServiceEvents=False)
    assert error_code(e.value)[0] == "InvalidParameterCombinationException"
    with pytest.raises(ClientError) as e:
        ct.create_trail(Name="orgtrail", S3BucketName="b-1", IsOrganizationTrail=True)
    assert error_code(e.value)[0] == "OrganizationsNotInUseException"
    r = ct.create_trail(Name="second", S3BucketName="b-1", S3KeyPrefix="pre")
    arn = f"arn:aws:cloudtrail:us-east-1:{server.account}:trail/second"
    assert r["TrailARN"] == arn and r["LogFileValidationEnabled"] is False
    assert ct.get_trail(Name=arn)["Trail"]["S3KeyPrefix"] == "pre"
    assert ct.get_trail_status(Name="second")["IsLogging"] is False
    u = ct.update_trail(Name="second", EnableLogFileValidation=True, S3BucketName="b-2")
    assert u["LogFileValidationEnabled"] is True and u["S3BucketName"] == "b-2"
    names = {t["Name"] for t in ct.describe_trails()["trailList"]}
    assert {"main", "second"} <= names
    assert [t["Name"] for t in ct.describe_trails(trailNameList=["second", "zzz"])["trailList"]] \
        == ["second"]
    rc, out, _ = server.cli("cloudtrail", "list-trails")
    assert {t["Name"] for t in out["Trails"]} >= {"main", "second"}
    assert all(t["HomeRegion"] == "us-east-1" for t in out["Trails"])
    ct.delete_trail(Name="second")
    with pytest.raises(ClientError) as e:
        ct.get_trail_status(Name="second")
    assert error_code(e.value)[0] == "TrailNotFoundException"
    with pytest.raises(ClientError) as e:
        ct.delete_trail(Name="second")
    assert error_code(e.value)[0] == "TrailNotFoundException"
    for i in range(4):
        ct.create_trail(Name=f"quota{i}", S3BucketName="b-1")
    with pytest.raises(ClientError) as e:
        ct.create_trail(Name="quota9", S3BucketName="b-1")
    assert error_code(e.value)[0] == "MaximumNumberOfTrailsExceededException"
    for i in range(4):
        ct.delete_trail(Name=f"quota{i}")


def test_files_layout_and_contents(server, trail):
    server.client("iam").create_user(UserName="filed")
    th.settle(server, "main")
    logs = th.log_files(server, "main")
    digests = th.digest_files(server, "main")
    assert logs and digests
    acct = server.account
    lre = re.compile(rf".*/trails/main/AWSLogs/{acct}/CloudTrail/us-east-1/\d{{4}}/\d\d/\d\d/"
                     rf"{acct}_CloudTrail_us-east-1_\d{{8}}T\d{{4}}Z_[0-9a-f]{{16}}\.json\.gz$")
    dre = re.compile(rf".*/trails/main/AWSLogs/{acct}/CloudTrail-Digest/us-east-1/\d{{4}}/\d\d/"
                     rf"\d\d/{acct}_CloudTrail-Digest_us-east-1_main_us-east-1_\d{{8}}T\d{{6}}Z"
                     rf"\.json\.gz$")
    for f in logs:
        assert lre.match(f), f
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o444
    for f in digests:
        assert dre.match(f), f
    recs = th.records(server, "main")
    ids = [r["eventID"] for r in recs]
    assert len(ids) == len(set(ids)), "an event was delivered twice"
    assert any(r["eventName"] == "CreateUser" and r["requestParameters"] == {"userName": "filed"}
               for r in recs)
    # every event recorded since logging started is in exactly one file
    with th.db(server) as c:
        start = c.execute("SELECT start_seq FROM trails WHERE name='main'").fetchone()
        want = {r[0] for r in c.execute(
            "SELECT event_id FROM trail_events WHERE account_id = ? AND event_time >= "
            "(SELECT start_ms FROM trails WHERE name='main')", (acct,))}
    assert want <= set(ids)
    with gzip.open(digests[-1]) as g:
        d = json.load(g)
    assert d["awsAccountId"] == acct and d["digestS3Bucket"] == "audit-bucket"
    assert d["digestSignatureAlgorithm"] == "SHA256withRSA"
    assert d["previousDigestSignature"] and d["previousDigestHashAlgorithm"] == "SHA-256"


def test_public_key_verifies_digest(server, trail):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    th.settle(server, "main")
    keys = trail.list_public_keys()["PublicKeyList"]
    assert len(keys) >= 1
    f = th.digest_files(server, "main")[-1]
    raw = open(f, "rb").read()
    d = json.loads(gzip.decompress(raw))
    key = [k for k in keys if k["Fingerprint"] == d["digestPublicKeyFingerprint"]][0]
    pub = serialization.load_der_public_key(
        # PKCS#1 RSAPublicKey, as CloudTrail's: wrap via cryptography's loader
        key["Value"]) if False else None
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers
    from cryptography.hazmat.primitives.serialization import load_der_public_key
    import hashlib
    try:
        pub = serialization.load_der_public_key(key["Value"])
    except ValueError:
        # parse PKCS#1 RSAPublicKey by hand (SEQUENCE { n INTEGER, e INTEGER })
        def der_int(b, i):
            assert b[i] == 2
            ln = b[i + 1]; i += 2
            if ln & 0x80:
                nb = ln & 0x7f; ln = int.from_bytes(b[i:i + nb], "big"); i += nb
            return int.from_bytes(b[i:i + ln], "big"), i + ln
        b = key["Value"]
        i = 2 + (b[1] & 0x7f if b[1] & 0x80 else 0)
        n, i = der_int(b, i)
        e, i = der_int(b, i)
        pub = RSAPublicNumbers(e, n).public_key()
    with th.db(server) as c:
        sig = c.execute("SELECT signature FROM trail_files WHERE key = ?",
                        (d["digestS3Object"],)).fetchone()[0]
    s2s = "%s\n%s/%s\n%s\n%s" % (d["digestEndTime"], d["digestS3Bucket"], d["digestS3Object"],
                                 hashlib.sha256(raw).hexdigest(), d["previousDigestSignature"])
    pub.verify(bytes.fromhex(sig), s2s.encode(), padding.PKCS1v15(), hashes.SHA256())


def test_lookup_filters(server, trail):
    iam = server.client("iam")
    iam.create_user(UserName="bob")
    with pytest.raises(ClientError):
        iam.get_user(UserName="nobob")
    th.wait_for(lambda: trail.lookup_events(LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "GetUser"}])["Events"])
    cases = {
        "EventName": ("CreateUser", lambda e: e["EventName"] == "CreateUser"),
        "ReadOnly": ("true", lambda e: e["ReadOnly"] == "true"),
        "Username": ("admin", lambda e: e["Username"] == "admin"),
        "EventSource": ("sts.amazonaws.com", lambda e: e["EventSource"] == "sts.amazonaws.com"),
        "AccessKeyId": (server.admin.akid, lambda e: e["AccessKeyId"] == server.admin.akid),
        "ResourceType": ("AWS::IAM::User",
                         lambda e: any(r["ResourceType"] == "AWS::IAM::User"
                                       for r in e["Resources"])),
        "ResourceName": (f"arn:aws:iam::{server.account}:user/bob",
                         lambda e: e["EventName"] == "CreateUser"),
    }
    for key, (value, pred) in cases.items():
        ev = trail.lookup_events(LookupAttributes=[{"AttributeKey": key,
                                                    "AttributeValue": value}])["Events"]
        assert ev, key
        assert all(pred(e) for e in ev), key
    ro = trail.lookup_events(LookupAttributes=[{"AttributeKey": "ReadOnly",
                                                "AttributeValue": "false"}])["Events"]
    assert ro and all(e["ReadOnly"] == "false" for e in ro)
    one = trail.lookup_events(MaxResults=1)["Events"][0]
    got = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventId",
                                                 "AttributeValue": one["EventId"]}])["Events"]
    assert [g["EventId"] for g in got] == [one["EventId"]]
    none = trail.lookup_events(LookupAttributes=[{"AttributeKey": "Username",
                                                  "AttributeValue": "nobody-at-all"}])
    assert none["Events"] == [] and "NextToken" not in none


def test_lookup_order_paging_and_time(server, trail):
    iam = server.client("iam")
    time.sleep(1.5)  # botocore may send whole seconds: keep earlier events out of [t0, now]
    t0 = time.time()
    for i in range(7):
        iam.create_user(UserName=f"page{i}")
    allev = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                   "AttributeValue": "CreateUser"}])["Events"]
    times = [e["EventTime"] for e in allev]
    assert times == sorted(times, reverse=True)
    seen, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        r = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                   "AttributeValue": "CreateUser"}],
                                MaxResults=2, **kw)
        assert len(r["Events"]) <= 2
        seen += [e["EventId"] for e in r["Events"]]
        token = r.get("NextToken")
        if not token:
            break
    assert seen == [e["EventId"] for e in allev]
    assert len(seen) == len(set(seen))
    recent = trail.lookup_events(StartTime=t0 - 0.1, LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "CreateUser"}])["Events"]
    names = {json.loads(e["CloudTrailEvent"])["requestParameters"]["userName"] for e in recent}
    assert names == {f"page{i}" for i in range(7)}
    assert trail.lookup_events(EndTime=t0 - 3600)["Events"] == []
    p = server.cli("cloudtrail", "lookup-events", "--max-items", "3")[1]
    assert len(p["Events"]) == 3


def test_lookup_errors(server, trail):
    def code(**kw):
        with pytest.raises(ClientError) as e:
            trail.lookup_events(**kw)
        return error_code(e.value)
    assert code(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "a"},
                                  {"AttributeKey": "Username", "AttributeValue": "b"}]) == \
        ("InvalidLookupAttributesException", 400)
    assert code(LookupAttributes=[{"AttributeKey": "Colour", "AttributeValue": "a"}])[0] == \
        "InvalidLookupAttributesException"
    assert code(StartTime=time.time(), EndTime=time.time() - 100)[0] == \
        "InvalidTimeRangeException"
    assert code(NextToken="garbage")[0] == "InvalidNextTokenException"
    assert code(MaxResults=51)[0] == "InvalidMaxResultsException"
    assert code(EventCategory="other")[0] == "InvalidEventCategoryException"


def test_stop_logging_is_recorded_and_ends_delivery(server, trail):
    ct = trail
    ct.create_trail(Name="short", S3BucketName="b-1")
    ct.start_logging(Name="short")
    server.client("iam").create_user(UserName="during")
    ct.stop_logging(Name="short")
    st = ct.get_trail_status(Name="short")
    assert st["IsLogging"] is False and "StopLoggingTime" in st
    server.client("iam").create_user(UserName="after")
    def names():
        return [(r["eventName"], r["requestParameters"]) for r in th.records(server, "short")]
    th.wait_for(lambda: ("StopLogging", {"name": "short"}) in names())
    time.sleep(1)
    n = names()
    assert ("CreateUser", {"userName": "during"}) in n
    assert ("CreateUser", {"userName": "after"}) not in n
    assert n[-1] == ("StopLogging", {"name": "short"})
    ct.delete_trail(Name="short")


def test_validate_cli_passes(server, trail):
    th.settle(server, "main")
    p = th.bulwark(server, "validate", "--trail", "main", "--start-time", "1h", "--verbose")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Digest chain: intact" in p.stdout
    m = re.search(r"(\d+)/(\d+) digest files valid", p.stdout)
    assert m and m.group(1) == m.group(2) and int(m.group(1)) >= 1
    m = re.search(r"(\d+)/(\d+) log files valid", p.stdout)
    assert m and m.group(1) == m.group(2) and int(m.group(1)) >= 1
    bad = th.bulwark(server, "validate", "--trail", "nosuch", "--start-time", "1h")
    assert bad.returncode == 2 and "Unknown trail" in bad.stderr


def test_tail_and_top(server, trail):
    import subprocess, threading
    exe = os.path.join(BIN_DIR, "bulwark")
    p = subprocess.Popen([exe, "trail", "tail", "--data-dir", server.data_dir, "--filter",
                          "event=CreateUser", "--count", "2", "--timeout", "30", "--json"],
                         stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    server.client("sts").get_caller_identity()
    server.client("iam").create_user(UserName="tailed1")
    server.client("iam").create_user(UserName="tailed2")
    out, _ = p.communicate(timeout=60)
    assert p.returncode == 0
    recs = [json.loads(l) for l in out.splitlines()]
    assert [r["requestParameters"]["userName"] for r in recs] == ["tailed1", "tailed2"]
    top = th.bulwark(server, "top", "--by", "event", "--since", "1h", "--json")
    assert top.returncode == 0
    rows = [json.loads(l) for l in top.stdout.splitlines()]
    by = {r["key"]: r for r in rows}
    assert by["iam.amazonaws.com:CreateUser"]["events"] >= 10
    ip = [json.loads(l) for l in th.bulwark(server, "top", "--by", "source-ip",
                                            "--json").stdout.splitlines()]
    assert ip[0]["key"] == "127.0.0.1"
    pr = [json.loads(l) for l in th.bulwark(server, "top", "--by", "principal",
                                            "--json").stdout.splitlines()]
    assert any(r["key"].endswith(":user/nobody") and r["denied"] >= 2 for r in pr)


def test_hostile_user_agent_recorded_as_valid_json(server, trail):
    import botocore.config
    cfg = botocore.config.Config(user_agent_extra='q"uote back\\slash caf\xe9 {}',
                                 retries={"max_attempts": 1})
    import boto3
    iam = boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id=server.admin.akid,
                       aws_secret_access_key=server.admin.secret, config=cfg)
    iam.create_user(UserName="ua-user")
    rec, _ = lookup_one(trail, "ResourceName", f"arn:aws:iam::{server.account}:user/ua-user")
    assert 'q"uote back\\slash caf' in rec["userAgent"] and rec["userAgent"].endswith(" {}")
    th.settle(server, "main")
    assert any(r["userAgent"] == rec["userAgent"] for r in th.records(server, "main"))


def test_invalid_utf8_user_agent_becomes_replacement_characters(server, trail):
    """User-Agent is not signed (SigV4 leaves it out), so any bytes can arrive; the
    record stays valid JSON with U+FFFD for each invalid byte."""
    import http.client
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    body = "Action=CreateUser&Version=2010-05-08&UserName=bytes-user"
    req = botocore.awsrequest.AWSRequest(
        method="POST", url=server.endpoint + "/", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(server.admin.akid,
                                                             server.admin.secret),
                            "iam", "us-east-1").add_auth(req)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("POST", "/", skip_accept_encoding=True)
    for k, v in req.headers.items():
        conn.putheader(k, v)
    conn.putheader("User-Agent", b"bad\xff\xc3 ua\x7f")
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body.encode())
    assert conn.getresponse().status == 200
    rec, _ = lookup_one(trail, "ResourceName", f"arn:aws:iam::{server.account}:user/bytes-user")
    assert rec["userAgent"] == "bad\ufffd\ufffd ua\x7f"


def test_global_and_region_settings(server, trail):
    """IncludeGlobalServiceEvents=false leaves IAM/STS out; a single-Region trail takes
    only its home Region's regional events, a multi-Region trail every Region's."""
    ct = trail
    ct.create_trail(Name="regional", S3BucketName="b-1", IncludeGlobalServiceEvents=False)
    ct.create_trail(Name="everywhere", S3BucketName="b-1", IsMultiRegionTrail=True)
    ct.start_logging(Name="regional")
    ct.start_logging(Name="everywhere")
    server.client("iam").create_user(UserName="global-user")
    ct.get_trail_status(Name="regional")
    import boto3, botocore.config
    eu = boto3.client("cloudtrail", endpoint_url=server.endpoint, region_name="eu-west-1",
                      aws_access_key_id=server.admin.akid,
                      aws_secret_access_key=server.admin.secret,
                      config=botocore.config.Config(retries={"max_attempts": 1}))
    eu.list_trails()
    ct.stop_logging(Name="regional")
    ct.stop_logging(Name="everywhere")

    def names(t):
        return {(r["eventName"], r["awsRegion"]) for r in th.records(server, t)}
    def drained():
        with th.db(server) as c:
            return all(c.execute("SELECT stop_drained FROM trails WHERE name = ?",
                                 (t,)).fetchone()[0] == 1 for t in ("regional", "everywhere"))
    th.wait_for(drained)
    reg, every = names("regional"), names("everywhere")
    assert ("CreateUser", "us-east-1") not in reg and ("GetTrailStatus", "us-east-1") in reg
    assert ("ListTrails", "eu-west-1") not in reg
    assert ("CreateUser", "us-east-1") in every and ("ListTrails", "eu-west-1") in every
    eu_files = [f for f in th.log_files(server, "everywhere") if "/CloudTrail/eu-west-1/" in f]
    assert eu_files, "events are filed per Region"
    assert ("ListTrails", "eu-west-1") not in names("main")
    ct.delete_trail(Name="regional")
    ct.delete_trail(Name="everywhere")


def test_lookup_cli(server, trail):
    iam = server.client("iam")
    for i in range(35):
        iam.create_user(UserName=f"cli{i}")
    p = th.bulwark(server, "lookup", "--attribute", "EventName=CreateUser", "--max", "60",
                   "--account", server.account)
    assert p.returncode == 0, p.stderr
    recs = [json.loads(l) for l in p.stdout.splitlines()]
    assert len(recs) > 50  # more than one page
    assert all(r["eventName"] == "CreateUser" for r in recs)
    assert len({r["eventID"] for r in recs}) == len(recs)
    times = [r["eventTime"] for r in recs]
    assert times == sorted(times, reverse=True)
    bad = th.bulwark(server, "lookup", "--attribute", "Colour=blue")
    assert bad.returncode == 2 and "Unsupported lookup attribute" in bad.stderr


def test_sts_denied_and_failed_events(server, trail):
    """STS: a session credential calling GetSessionToken is refused and a bad
    DurationSeconds fails validation; both are recorded with their error."""
    from conftest import Creds
    st = server.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    sess = Creds(st["AccessKeyId"], st["SecretAccessKey"], st["SessionToken"])
    with pytest.raises(ClientError) as e:
        server.client("sts", creds=sess).get_session_token()
    code = error_code(e.value)[0]
    rec, _ = lookup_one(trail, "AccessKeyId", st["AccessKeyId"])
    assert rec["eventName"] == "GetSessionToken" and rec["errorCode"] == code
    assert rec["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"
    with pytest.raises(ClientError) as e:
        server.client("sts").get_session_token(DurationSeconds=200000)

    def bad_events():
        out = []
        for x in trail.lookup_events(LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "GetSessionToken"}])["Events"]:
            r = json.loads(x["CloudTrailEvent"])
            if r.get("requestParameters") == {"durationSeconds": "200000"}:
                out.append(r)
        return out
    bad = th.wait_for(bad_events)
    assert bad[0]["errorCode"] == error_code(e.value)[0]
    assert bad[0]["eventSource"] == "sts.amazonaws.com"


def test_failed_authentication_is_recorded(server, trail):
    """A call whose signature fails is recorded once, as an Unknown identity with no
    account (no account's LookupEvents shows it), and its secret never appears."""
    import sqlite3
    from conftest import Creds
    bad = Creds(server.admin.akid, "0" * 40)
    with pytest.raises(ClientError) as e:
        server.client("iam", creds=bad).list_groups()
    assert error_code(e.value) == ("SignatureDoesNotMatch", 403)
    rid = e.value.response["ResponseMetadata"]["RequestId"]
    path = os.path.join(server.data_dir, "bulwark.db")

    def rows():
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            return [json.loads(r[0]) for r in db.execute(
                "SELECT record FROM trail_events WHERE event_name = 'ListGroups'"
                " AND error_code = 'SignatureDoesNotMatch'")]
        finally:
            db.close()
    recs = th.wait_for(lambda: [r for r in rows() if r["requestID"] == rid])
    assert len(recs) == 1
    r = recs[0]
    assert r["userIdentity"]["type"] == "Unknown"
    assert r["eventSource"] == "iam.amazonaws.com" and r["errorCode"] == "SignatureDoesNotMatch"
    assert "0" * 40 not in json.dumps(r) and server.admin.secret not in json.dumps(r)
    evs = trail.lookup_events(LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "ListGroups"}])["Events"]
    assert all(json.loads(x["CloudTrailEvent"])["requestID"] != rid for x in evs)


def test_index_ignores_lookalike_parameters(server, trail):
    """A request parameter that spells out a `readOnly` member and a resources list
    (it lands in requestParameters) indexes nothing: only the event's own resources do."""
    iam = server.client("iam")
    fake = "arn:aws:iam::111111111111:user/fake"

    def inject(request, **kwargs):
        request.data["ReadOnly"] = f'true,"resources":[{{"ARN":"{fake}","type":"X"}}]'
    iam.meta.events.register("before-sign.iam.CreateUser", inject)
    iam.create_user(UserName="lookalike")
    arn = f"arn:aws:iam::{server.account}:user/lookalike"
    rec, ev = lookup_one(trail, "ResourceName", arn)
    assert "readOnly" in rec["requestParameters"]
    assert ev["Resources"] == [{"ResourceType": "AWS::IAM::User", "ResourceName": arn}]

    def indexed():  # the indexer itself, not the lookup's scan of the unindexed tail
        with th.db(server) as c:
            seq = c.execute("SELECT seq FROM trail_events WHERE event_id = ?",
                            (rec["eventID"],)).fetchone()[0]
            done = c.execute("SELECT v FROM trail_meta WHERE k = 'index_seq'").fetchone()[0]
            return int(done) >= seq and sorted(c.execute(
                "SELECT key, value FROM trail_attrs WHERE seq = ? AND key LIKE 'Resource%'",
                (seq,)).fetchall())
    assert th.wait_for(indexed) == [("ResourceName", arn), ("ResourceType", "AWS::IAM::User")]
    assert trail.lookup_events(LookupAttributes=[
        {"AttributeKey": "ResourceName", "AttributeValue": fake}])["Events"] == []
