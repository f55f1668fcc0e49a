# SPDX-License-Identifier: Apache-2.0
"""Shared helpers for the IAM API tests."""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import error_code

ALLOW_ALL = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra):
    return dict({"Effect": "Allow", "Action": action, "Resource": resource}, **extra)


def deny(action, resource="*", **extra):
    return dict({"Effect": "Deny", "Action": action, "Resource": resource}, **extra)


def trust(account):
    return doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "sts:AssumeRole"})


def fails(code, status, fn, *args, **kw):
    """Calls fn, asserts it fails with (code, status); returns the error message."""
    with pytest.raises(ClientError) as e:
        fn(*args, **kw)
    assert error_code(e.value) == (code, status), e.value.response["Error"]
    return e.value.response["Error"]["Message"]


def strip_meta(resp):
    resp = dict(resp)
    resp.pop("ResponseMetadata", None)
    return resp


def unchecked(server, service="iam", creds=None):
    """A client that skips botocore's own parameter validation, so the server's is tested."""
    import boto3
    import botocore.config
    c = creds or server.admin
    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=c.akid, aws_secret_access_key=c.secret,
                        aws_session_token=c.token,
                        config=botocore.config.Config(retries={"max_attempts": 1},
                                                      parameter_validation=False))
