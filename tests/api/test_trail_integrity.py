# SPDX-License-Identifier: Apache-2.0
"""Immutability of the trail: one test per kind of tampering (modify, delete, reorder,
insert, replace; log and digest files), each detected by `bulwark trail validate`
and undone afterwards; the crash test (kill -9 during a write loop: every
acknowledged write has exactly one delivered event and validation passes); and
organization trails seen from a member account."""
import glob
import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest
from botocore.exceptions import ClientError

import trail_helpers as th
from conftest import BIN_DIR, Creds, error_code


@pytest.fixture(scope="module")
def sealed(server):
    """A trail with several log files and digests, stopped so nothing changes."""
    ct = server.client("cloudtrail")
    ct.create_trail(Name="sealed", S3BucketName="audit-bucket", EnableLogFileValidation=True)
    ct.start_logging(Name="sealed")
    iam = server.client("iam")
    for wave in range(3):
        for i in range(3):
            iam.create_user(UserName=f"w{wave}u{i}")
        th.settle(server, "sealed")
        time.sleep(0.5)
    ct.stop_logging(Name="sealed")
    th.wait_for(lambda: sqlite3.connect(os.path.join(server.data_dir, "bulwark.db")).execute(
        "SELECT stop_drained FROM trails WHERE name='sealed'").fetchone()[0] == 1)
    th.settle(server, "sealed")
    assert len(th.log_files(server, "sealed")) >= 3
    assert len(th.digest_files(server, "sealed")) >= 3
    return "sealed"


def validate(server, name="sealed"):
    return th.bulwark(server, "validate", "--trail", name, "--start-time", "1h", "--verbose")


@pytest.fixture
def pristine(server, sealed):
    """Snapshots every file of the trail; restores them after the test and checks that
    validation passes again."""
    root = th.trail_dir(server, sealed)
    saved = {}
    for p in glob.glob(os.path.join(root, "**", "*"), recursive=True):
        if os.path.isfile(p):
            with open(p, "rb") as f:
                saved[p] = f.read()
    p = validate(server)
    assert p.returncode == 0, p.stdout + p.stderr
    yield root
    for q in glob.glob(os.path.join(root, "**", "*"), recursive=True):
        if os.path.isfile(q) and q not in saved:
            os.unlink(q)
    for q, data in saved.items():
        if os.path.exists(q):
            os.chmod(q, 0o644)
        with open(q, "wb") as f:
            f.write(data)
        os.chmod(q, 0o444)
    p = validate(server)
    assert p.returncode == 0, p.stdout + p.stderr


def rewrite(path, data):
    os.chmod(path, 0o644)
    with open(path, "wb") as f:
        f.write(data)


def flip_byte(path, at=None):
    data = bytearray(open(path, "rb").read())
    i = len(data) // 2 if at is None else at
    data[i] ^= 0x01
    rewrite(path, bytes(data))


def line_for(out, path):
    rel = path.split("/sealed/", 1)[1]
    return [l for l in out.splitlines() if rel in l]


def test_modified_log_detected(server, pristine):
    log = th.log_files(server, "sealed")[1]
    flip_byte(log)
    p = validate(server)
    assert p.returncode == 1
    assert "INVALID: modified" in line_for(p.stdout, log)[0]
    # even a byte of the gzip header (mtime), which leaves the content intact
    flip_byte(log)
    flip_byte(log, at=5)
    p = validate(server)
    assert p.returncode == 1 and "INVALID: modified" in line_for(p.stdout, log)[0]


def test_modified_digest_detected(server, pristine):
    d = th.digest_files(server, "sealed")[1]
    flip_byte(d)
    p = validate(server)
    assert p.returncode == 1
    assert "INVALID: modified" in line_for(p.stdout, d)[0]
    assert "Digest chain: BROKEN" in p.stdout


def test_deleted_log_detected(server, pristine):
    log = th.log_files(server, "sealed")[0]
    os.unlink(log)
    p = validate(server)
    assert p.returncode == 1
    assert "INVALID: deleted" in line_for(p.stdout, log)[0]


def test_deleted_digest_detected(server, pristine):
    d = th.digest_files(server, "sealed")[1]
    os.unlink(d)
    p = validate(server)
    assert p.returncode == 1
    assert "INVALID: deleted" in line_for(p.stdout, d)[0]
    assert "Digest chain: BROKEN" in p.stdout


def test_reordered_logs_detected(server, pristine):
    a, b = th.log_files(server, "sealed")[:2]
    da, db_ = open(a, "rb").read(), open(b, "rb").read()
    rewrite(a, db_)
    rewrite(b, da)
    p = validate(server)
    assert p.returncode == 1
    assert "INVALID: modified" in line_for(p.stdout, a)[0]
    assert "INVALID: modified" in line_for(p.stdout, b)[0]


def test_reordered_digests_detected(server, pristine):
    a, b = th.digest_files(server, "sealed")[:2]
    da, db_ = open(a, "rb").read(), open(b, "rb").read()
    rewrite(a, db_)
    rewrite(b, da)
    p = validate(server)
    assert p.returncode == 1
    assert "INVALID: modified" in line_for(p.stdout, a)[0]
    assert "Digest chain: BROKEN" in p.stdout


def test_inserted_files_detected(server, pristine):
    log = th.log_files(server, "sealed")[0]
    fake = log.replace(".json.gz", "x.json.gz")
    shutil.copy(log, fake)
    d = th.digest_files(server, "sealed")[-1]
    fake_d = d.replace("Z.json.gz", "9Z.json.gz")
    shutil.copy(d, fake_d)
    p = validate(server)
    assert p.returncode == 1
    assert "INVALID: inserted" in line_for(p.stdout, fake)[0]
    assert "INVALID: inserted" in line_for(p.stdout, fake_d)[0]


def test_replaced_log_detected(server, pristine):
    """A well-formed log file with one record removed (a cover-up) is detected."""
    log = th.log_files(server, "sealed")[1]
    recs = json.loads(gzip.decompress(open(log, "rb").read()))["Records"]
    rewrite(log, gzip.compress(json.dumps({"Records": recs[1:]}).encode()))
    p = validate(server)
    assert p.returncode == 1
    assert "INVALID: modified" in line_for(p.stdout, log)[0]


def test_replaced_digest_detected(server, pristine):
    """A forged digest that drops a log file from the list (signed by no key we know,
    or not at all) is detected, and so is the log it hid."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    d = th.digest_files(server, "sealed")[-1]
    doc = json.loads(gzip.decompress(open(d, "rb").read()))
    doc["logFiles"] = doc["logFiles"][1:]
    rewrite(d, gzip.compress(json.dumps(doc).encode()))
    p = validate(server)
    assert p.returncode == 1
    assert "INVALID: modified" in line_for(p.stdout, d)[0]
    assert "Digest chain: BROKEN" in p.stdout


def test_validate_window_and_account(server, pristine):
    p = th.bulwark(server, "validate", "--trail", "sealed", "--start-time", "1h",
                   "--account", server.account)
    assert p.returncode == 0 and "Digest chain: intact" in p.stdout
    future = th.bulwark(server, "validate", "--trail", "sealed", "--start-time",
                        "2100-01-01T00:00:00Z")
    assert future.returncode == 0 and "0/0 digest files valid" in future.stdout


def test_crash_loses_and_duplicates_nothing(fresh_server):
    s = fresh_server
    ct = s.client("cloudtrail")
    ct.create_trail(Name="crash", S3BucketName="audit-bucket", EnableLogFileValidation=True)
    ct.start_logging(Name="crash")
    acked, stop = [], threading.Event()

    def loop(k):
        iam = s.client("iam")
        i = 0
        while not stop.is_set():
            name = f"c{k}-{i}"
            try:
                iam.create_user(UserName=name)
            except Exception:
                return
            acked.append(name)
            i += 1

    threads = [threading.Thread(target=loop, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    time.sleep(3)
    s.kill9()
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) > 20
    s.start()
    th.settle(s, "crash")
    recs = [r for r in th.records(s, "crash") if r["eventName"] == "CreateUser"]
    ids = [r["eventID"] for r in th.records(s, "crash")]
    assert len(ids) == len(set(ids)), "an event was delivered twice"
    per_user = {}
    for r in recs:
        if "errorCode" not in r:
            n = r["requestParameters"]["userName"]
            per_user[n] = per_user.get(n, 0) + 1
    for n in acked:
        assert per_user.get(n) == 1, (n, per_user.get(n))
    # nothing but committed writes: every delivered CreateUser made a user that exists
    users = set()
    for page in s.client("iam").get_paginator("list_users").paginate():
        users |= {u["UserName"] for u in page["Users"]}
    assert set(per_user) <= users
    assert {u for u in users if u.startswith("c")} == set(per_user)
    p = th.bulwark(s, "validate", "--trail", "crash", "--start-time", "1h")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Digest chain: intact" in p.stdout


def _create_account(server, name):
    p = subprocess.run([os.path.join(BIN_DIR, "bulwark"), "admin", "create-account", "--name",
                        name, "--email", f"{name}@example.com", "--data-dir", server.data_dir],
                       capture_output=True, text=True, env=server.env())
    assert p.returncode == 0, p.stderr
    kv = dict(line.split(" = ", 1) for line in p.stdout.splitlines() if " = " in line)
    return kv["account_id"], Creds(kv["aws_access_key_id"], kv["aws_secret_access_key"])


def test_organization_trail(server):
    """Organization trails with a real organization: the management account's trail
    receives every member's events; members see it but cannot change it; an account
    outside the organization does not see it."""
    member, mcreds = _create_account(server, "member-a")
    outsider, ocreds = _create_account(server, "outsider")
    ct = server.client("cloudtrail")
    with pytest.raises(ClientError) as e:
        ct.create_trail(Name="org", S3BucketName="org-bucket", IsOrganizationTrail=True)
    assert error_code(e.value)[0] == "OrganizationsNotInUseException"
    orgs = server.client("organizations")
    org_id = orgs.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    h = orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": member})
    server.client("organizations", creds=mcreds).accept_handshake(
        HandshakeId=h["Handshake"]["Id"])
    mct = server.client("cloudtrail", creds=mcreds)
    with pytest.raises(ClientError) as e:
        mct.create_trail(Name="mine", S3BucketName="b-1", IsOrganizationTrail=True)
    assert error_code(e.value)[0] == "NotOrganizationMasterAccountException"
    r = ct.create_trail(Name="org", S3BucketName="org-bucket", IsOrganizationTrail=True,
                        EnableLogFileValidation=True)
    assert r["IsOrganizationTrail"] is True
    ct.start_logging(Name="org")
    arn = r["TrailARN"]
    # the member sees it, by ARN, in DescribeTrails and ListTrails, and its status
    seen = mct.describe_trails()["trailList"]
    assert [t["TrailARN"] for t in seen] == [arn]
    assert mct.get_trail(Name=arn)["Trail"]["IsOrganizationTrail"] is True
    assert mct.get_trail_status(Name=arn)["IsLogging"] is True
    assert [t["TrailARN"] for t in mct.list_trails()["Trails"]] == [arn]
    # but cannot change it
    for op in (mct.stop_logging, mct.delete_trail):
        with pytest.raises(ClientError) as e:
            op(Name=arn)
        assert error_code(e.value)[0] == "NotOrganizationMasterAccountException"
    with pytest.raises(ClientError) as e:
        mct.update_trail(Name=arn, S3BucketName="b-2")
    assert error_code(e.value)[0] == "NotOrganizationMasterAccountException"
    # an account outside the organization does not see it
    oct_ = server.client("cloudtrail", creds=ocreds)
    assert oct_.describe_trails()["trailList"] == []
    with pytest.raises(ClientError) as e:
        oct_.get_trail(Name=arn)
    assert error_code(e.value)[0] == "TrailNotFoundException"
    # the member's events land in the management account's trail, under the org id
    server.client("iam", creds=mcreds).create_user(UserName="member-user")
    server.client("iam", creds=ocreds).create_user(UserName="outsider-user")
    def member_files():
        return glob.glob(os.path.join(th.trail_dir(server, "org"), "AWSLogs", org_id,
                                      member, "CloudTrail", "**", "*.json.gz"), recursive=True)
    th.wait_for(member_files)
    th.settle(server, "org")
    recs = th.records(server, "org")
    users = {r["requestParameters"].get("userName") for r in recs
             if r["eventName"] == "CreateUser"}
    assert "member-user" in users and "outsider-user" not in users
    assert {r["recipientAccountId"] for r in recs} == {server.account, member}
    p = th.bulwark(server, "validate", "--trail", arn, "--start-time", "1h", "--account", member)
    assert p.returncode == 0, p.stdout + p.stderr
    # LookupEvents stays per account: the member sees its own events only
    ev = mct.lookup_events()["Events"]
    assert ev and all(json.loads(e["CloudTrailEvent"])["recipientAccountId"] == member
                      for e in ev)
    ct.stop_logging(Name="org")


def test_digest_erased_from_disk_and_store_detected(server, pristine):
    """An attacker who also edits the store to hide the newest digest still breaks the
    chain: the logs it listed point at a digest that no longer exists."""
    d = th.digest_files(server, "sealed")[-1]
    key = d.split("/sealed/", 1)[1]
    c = sqlite3.connect(os.path.join(server.data_dir, "bulwark.db"), timeout=30)
    with c:
        row = c.execute("SELECT * FROM trail_files WHERE key = ?", (key,)).fetchone()
        cols = [x[0] for x in c.execute("SELECT * FROM trail_files LIMIT 0").description]
        c.execute("DELETE FROM trail_files WHERE key = ?", (key,))
    os.unlink(d)
    try:
        p = validate(server)
        assert p.returncode == 1, p.stdout
        assert "erased from disk and store" in p.stdout and "Digest chain: BROKEN" in p.stdout
    finally:
        with c:
            c.execute("INSERT INTO trail_files (%s) VALUES (%s)" % (
                ",".join(cols), ",".join("?" * len(cols))), row)
