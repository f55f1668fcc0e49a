# SPDX-License-Identifier: Apache-2.0
"""The control plane through the real AWS CLI and boto3: first start, identity,
SigV4 failures, protocol errors, health and metrics, restart."""
import datetime
import json
import os
import stat
import urllib.error
import urllib.request

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from botocore.exceptions import ClientError

from conftest import error_code


def raw(server, body, headers=None, path="/", method="POST"):
    req = urllib.request.Request(server.endpoint + path, data=body.encode() if body else None,
                                 method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


def signed(server, body, service="sts", when=None, creds=None, headers=None):
    """A SigV4-signed form POST made with botocore's own signer."""
    c = creds or server.admin
    req = botocore.awsrequest.AWSRequest(
        method="POST", url=server.endpoint + "/", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                 **(headers or {})})
    signer = botocore.auth.SigV4Auth(
        botocore.credentials.Credentials(c.akid, c.secret, c.token), service, "us-east-1")
    if when is not None:
        class Fixed(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return when
        orig = botocore.auth.datetime.datetime
        botocore.auth.datetime.datetime = Fixed
        try:
            signer.add_auth(req)
        finally:
            botocore.auth.datetime.datetime = orig
    else:
        signer.add_auth(req)
    return raw(server, body, dict(req.headers))


def test_first_start_writes_cli_files(server):
    for name in ("credentials", "config"):
        p = os.path.join(server.data_dir, name)
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    key = os.path.join(server.data_dir, "master.key")
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    with open(os.path.join(server.data_dir, "config")) as f:
        assert "[profile bulwark]" in f.read()
    assert len(server.account) == 12 and server.account.isdigit()


def test_cli_get_caller_identity(server):
    rc, out, _ = server.cli("sts", "get-caller-identity")
    assert rc == 0
    assert out["Account"] == server.account
    assert out["Arn"] == f"arn:aws:iam::{server.account}:user/admin"
    assert out["UserId"].startswith("AIDA")


def test_secret_not_stored_in_clear(server):
    with open(os.path.join(server.data_dir, "bulwark.db"), "rb") as f:
        db = f.read()
    assert server.admin.secret.encode() not in db
    assert server.admin.secret not in server.read_log()


def test_missing_authentication(server):
    st, body, _ = raw(server, "Action=GetCallerIdentity&Version=2011-06-15",
                      {"Content-Type": "application/x-www-form-urlencoded"})
    assert st == 403
    assert "<Code>MissingAuthenticationToken</Code>" in body


def test_bad_signature(server):
    from conftest import Creds
    bad = Creds(server.admin.akid, "x" * 40)
    with pytest.raises(ClientError) as e:
        server.client("sts", creds=bad).get_caller_identity()
    assert error_code(e.value) == ("SignatureDoesNotMatch", 403)


def test_unknown_access_key(server):
    from conftest import Creds
    with pytest.raises(ClientError) as e:
        server.client("sts", creds=Creds("AKIAAAAAAAAAAAAAAAAA", "x" * 40)).get_caller_identity()
    assert error_code(e.value) == ("InvalidClientTokenId", 403)


def test_clock_skew_rejected(server):
    when = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
    st, body, _ = signed(server, "Action=GetCallerIdentity&Version=2011-06-15", when=when)
    assert st == 403
    # IAM and STS answer a stale request with SignatureDoesNotMatch "Signature expired: …"
    assert "<Code>SignatureDoesNotMatch</Code>" in body
    assert "Signature expired:" in body and "- 15 min.)" in body


def test_clock_within_window_accepted(server):
    when = datetime.datetime.utcnow() - datetime.timedelta(minutes=10)
    st, body, _ = signed(server, "Action=GetCallerIdentity&Version=2011-06-15", when=when)
    assert st == 200, body
    assert f"<Account>{server.account}</Account>" in body


def test_unknown_action(server):
    st, body, headers = signed(server, "Action=NoSuchThing&Version=2011-06-15")
    assert st == 400
    assert "<Code>InvalidAction</Code>" in body
    assert headers.get("x-amzn-RequestId")


def test_malformed_form(server):
    st, body, _ = signed(server, "Action=GetCallerIdentity&Version=2011-06-15&X=%zz")
    assert st == 400
    assert "MalformedQueryString" in body


def test_json_unknown_target_and_bad_body(server):
    st, body, _ = raw(server, "{}", {"X-Amz-Target": "Nope_2020.Foo",
                                     "Content-Type": "application/x-amz-json-1.1"})
    assert st == 400 and json.loads(body)["__type"] == "UnknownOperationException"


def test_body_too_large(server):
    st, body, _ = raw(server, "Action=GetCallerIdentity&x=" + "a" * (2 << 20),
                      {"Content-Type": "application/x-www-form-urlencoded"})
    assert st == 413


def test_health_and_metrics(server):
    st, body, _ = raw(server, None, method="GET", path="/health")
    assert st == 200 and json.loads(body)["status"] == "ok"
    server.client("sts").get_caller_identity()
    st, body, _ = raw(server, None, method="GET", path="/metrics")
    assert st == 200
    assert 'bulwark_requests_total{service="sts",operation="GetCallerIdentity",status="200"}' in body
    assert "bulwark_request_duration_seconds_bucket" in body


def test_restart_keeps_everything(fresh_server):
    s = fresh_server
    iam = s.client("iam")
    iam.create_user(UserName="persist", Path="/team/")
    s.restart()
    u = s.client("iam").get_user(UserName="persist")["User"]
    assert u["Path"] == "/team/"
    assert s.client("sts").get_caller_identity()["Account"] == s.account


def test_admin_create_account(server):
    import subprocess
    from conftest import BIN_DIR, Creds
    p = subprocess.run([os.path.join(BIN_DIR, "bulwark"), "admin", "create-account",
                        "--name", "team-a", "--email", "team-a@example.com",
                        "--data-dir", server.data_dir], capture_output=True, text=True,
                       env=server.env())
    assert p.returncode == 0, p.stderr
    kv = dict(line.split(" = ", 1) for line in p.stdout.splitlines() if " = " in line)
    creds = Creds(kv["aws_access_key_id"], kv["aws_secret_access_key"])
    ident = server.client("sts", creds=creds).get_caller_identity()
    assert ident["Account"] == kv["account_id"] != server.account
    assert ident["Arn"].endswith(":user/admin")
    # the same email again is refused and creates nothing
    p2 = subprocess.run([os.path.join(BIN_DIR, "bulwark"), "admin", "create-account",
                         "--name", "dup", "--email", "team-a@example.com",
                         "--data-dir", server.data_dir], capture_output=True, text=True,
                        env=server.env())
    assert p2.returncode != 0 and "already exists" in p2.stderr


def test_kill9_during_write_loop_loses_no_acknowledged_write(fresh_server):
    """Writes acknowledged to the client survive kill -9 (WAL, one transaction per call)."""
    import threading
    s = fresh_server
    iam = s.client("iam")
    acked = []
    stop = threading.Event()

    def loop():
        i = 0
        while not stop.is_set():
            try:
                iam.create_user(UserName=f"crash-{i}")
                acked.append(f"crash-{i}")
            except Exception:
                return
            i += 1

    t = threading.Thread(target=loop)
    t.start()
    import time as _t
    deadline = _t.time() + 20
    while len(acked) < 40 and _t.time() < deadline:
        _t.sleep(0.05)
    s.kill9()
    stop.set()
    t.join()
    assert len(acked) >= 40
    s.start()
    names = set()
    p = s.client("iam").get_paginator("list_users")
    for page in p.paginate():
        names.update(u["UserName"] for u in page["Users"])
    missing = [n for n in acked if n not in names]
    assert not missing, f"acknowledged but lost: {missing}"


def test_sigterm_lets_inflight_requests_finish(fresh_server):
    """SIGTERM while clients are busy: every request that got an answer got a whole one,
    and the daemon exits 0."""
    import threading
    s = fresh_server
    errors, done = [], []

    def worker():
        c = s.client("sts")
        for _ in range(200):
            try:
                c.get_caller_identity()
                done.append(1)
            except Exception as e:  # connection refused after shutdown is expected
                if "Could not connect" not in str(e) and "Connection" not in str(e):
                    errors.append(repr(e))
                return

    ts = [threading.Thread(target=worker) for _ in range(4)]
    for t in ts:
        t.start()
    import time as _t
    while len(done) < 50:
        _t.sleep(0.01)
    rc = s.stop()
    for t in ts:
        t.join()
    assert rc == 0
    assert not errors, errors[:3]


def test_tls_listener(tmp_path):
    import subprocess
    from conftest import Server
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)

    class TlsServer(Server):
        def start(self):
            self.endpoint = f"https://127.0.0.1:{self.port}"
            import ssl
            import urllib.request as ur
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            orig = ur.urlopen
            ur.urlopen = lambda *a, **k: orig(*a, context=ctx, **{x: y for x, y in k.items()})
            try:
                super().start()
            finally:
                ur.urlopen = orig

        def client(self, service, creds=None, **kw):
            return super().client(service, creds=creds, verify=False, **kw)

    s = TlsServer(str(tmp_path / "data"), ["--tls-cert", str(cert), "--tls-key", str(key)])
    try:
        assert s.endpoint.startswith("https://")
        assert s.client("sts").get_caller_identity()["Account"] == s.account
    finally:
        assert s.stop() == 0


def test_malformed_json_body_changes_nothing(server):
    """A signed JSON 1.1 call with a broken body: SerializationException, 400, no change."""
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    orgs = server.client("organizations")
    with pytest.raises(ClientError) as e:
        orgs.describe_organization()
    assert e.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"
    for body in ('{"FeatureSet": "ALL"', '["not", "an", "object"]', '{"FeatureSet": 7}'):
        req = botocore.awsrequest.AWSRequest(
            method="POST", url=server.endpoint + "/", data=body,
            headers={"Content-Type": "application/x-amz-json-1.1",
                     "X-Amz-Target": "AWSOrganizationsV20161128.CreateOrganization"})
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(
            server.admin.akid, server.admin.secret), "organizations", "us-east-1").add_auth(req)
        st, text, _ = raw(server, body, dict(req.headers))
        assert st == 400, text
        assert json.loads(text)["__type"] in ("SerializationException", "InvalidInputException")
    with pytest.raises(ClientError) as e:
        orgs.describe_organization()  # still no organization
    assert e.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"
