# SPDX-License-Identifier: Apache-2.0
"""Requests signed by botocore (the signer of the AWS CLI and boto3) verify with
bw_auth, through tests/unit/auth/sigv4_check; tampered ones fail with AWS's names."""
import json
import os
import subprocess
import time
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CHECK = os.environ["BW_SIGV4_CHECK"]
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CREDS = Credentials("AKIAIOSFODNN7EXAMPLE", SECRET)
SESSION = Credentials("ASIAIOSFODNN7EXAMPLE", SECRET, "FwoGZXIvYXdzE+/token==")


def wire(req):
    """The request as a server sees it: raw path, raw query, headers, body."""
    p = req.prepare()
    u = urlsplit(p.url)
    body = p.body or b""
    if isinstance(body, str):
        body = body.encode()
    return {
        "method": p.method,
        "path": u.path or "/",
        "query": u.query,
        "headers": [[k, v] for k, v in p.headers.items()],
        "body": body.decode("utf-8"),
    }


def run(reqs, secret=SECRET, now=None):
    lines = []
    for r in reqs:
        r = dict(r)
        r.setdefault("secret", secret)
        r.setdefault("now", int(now if now is not None else time.time()))
        lines.append(json.dumps(r))
    out = subprocess.run([CHECK], input="\n".join(lines) + "\n", capture_output=True,
                         text=True, check=True).stdout
    return out.splitlines()


def signed(method, url, service="sts", body=None, headers=None, creds=CREDS, params=None):
    h = {"Host": urlsplit(url).netloc}
    h.update(headers or {})
    req = AWSRequest(method=method, url=url, data=body, headers=h, params=params)
    SigV4Auth(creds, service, "us-east-1").add_auth(req)
    return wire(req)


FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def test_query_protocol_posts_verify():
    reqs = [
        signed("POST", "http://127.0.0.1:4566/", "sts",
               "Action=GetCallerIdentity&Version=2011-06-15", FORM),
        signed("POST", "http://127.0.0.1:4566/", "iam",
               "Action=CreateUser&Version=2010-05-08&UserName=a%2Bb%20c", FORM),
        signed("POST", "http://localhost:4566/", "sts",
               "Action=GetCallerIdentity&Version=2011-06-15", FORM, creds=SESSION),
        signed("POST", "http://127.0.0.1:4566/", "organizations", '{"MaxResults": 5}',
               {"X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts",
                "Content-Type": "application/x-amz-json-1.1"}),
    ]
    assert run(reqs) == ["OK"] * len(reqs)


def test_gets_with_awkward_paths_and_queries_verify():
    reqs = [
        signed("GET", "http://127.0.0.1:4566/?Action=ListUsers&Version=2010-05-08", "iam"),
        signed("GET", "http://127.0.0.1:4566/", "iam",
               params={"Marker": "a b+c/d~e*f", "PathPrefix": "/div/\u00e9/", "Z": "", "A": "1"}),
        signed("GET", "http://127.0.0.1:4566/a%20b/./c/../d//e/", "iam"),
        signed("GET", "http://127.0.0.1:4566/x?b=2&a=1&a=0&empty", "iam"),
    ]
    assert run(reqs) == ["OK"] * len(reqs)


def test_presigned_get_caller_identity_verifies_and_expires():
    url = "http://127.0.0.1:4566/?Action=GetCallerIdentity&Version=2011-06-15"
    req = AWSRequest(method="GET", url=url, headers={"Host": "127.0.0.1:4566"})
    SigV4QueryAuth(SESSION, "sts", "us-east-1", expires=60).add_auth(req)
    w = wire(req)
    assert "X-Amz-Signature=" in w["query"]
    now = int(time.time())
    assert run([w], now=now) == ["OK"]
    assert run([w], now=now + 120)[0].startswith("RequestExpired|")


def test_tampering_fails_with_aws_names():
    good = signed("POST", "http://127.0.0.1:4566/", "sts",
                  "Action=GetCallerIdentity&Version=2011-06-15", FORM)
    body = dict(good, body="Action=GetCallerIdentity&Version=2011-06-16")
    assert run([body])[0].startswith("SignatureDoesNotMatch|The request signature we calculated")
    assert run([good], secret="x" * 40)[0].startswith("SignatureDoesNotMatch|")
    late = run([good], now=int(time.time()) + 3600)[0]
    assert late.startswith("SignatureDoesNotMatch|Signature expired: ")
    assert late.endswith(" - 15 min.)")
    bare = dict(good, headers=[h for h in good["headers"] if h[0] != "Authorization"])
    assert run([bare]) == ["MissingAuthenticationToken|Request is missing Authentication Token"]
    # No secret and no signature ever appear in a message.
    for line in run([body, bare, dict(good, headers=good["headers"] + [["X-Amz-Date", "x"]])]):
        assert SECRET not in line
