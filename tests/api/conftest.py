# SPDX-License-Identifier: Apache-2.0
"""Fixtures for end-to-end tests: a real bulwarkd on a free port, boto3 clients and
the AWS CLI v2 (Debian's /usr/bin/aws) pointed at it.

Each test module gets its own server and data dir (module scope). On teardown the
server is stopped with SIGTERM and must exit 0: under the ASan build that also
checks for leaks and memory errors in the daemon.
"""
import configparser
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import boto3
import botocore.config
import pytest

BIN_DIR = os.environ.get("BW_BIN_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "asan", "src", "cmd")
AWS_CLI = os.environ.get("BW_AWS_CLI", "/usr/bin/aws")
REGION = "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Creds:
    def __init__(self, akid, secret, token=None):
        self.akid, self.secret, self.token = akid, secret, token


class Server:
    """A bulwarkd process with its data dir."""

    def __init__(self, data_dir, extra_args=()):
        self.data_dir = data_dir
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.extra_args = list(extra_args)
        self.proc = None
        self.log_path = os.path.join(os.path.dirname(os.path.abspath(data_dir)), f"bulwarkd-{self.port}.log")
        self.start()
        cfg = configparser.ConfigParser()
        cfg.read(os.path.join(data_dir, "credentials"))
        self.admin = Creds(cfg["bulwark"]["aws_access_key_id"],
                           cfg["bulwark"]["aws_secret_access_key"])
        self.account = self.client("sts").get_caller_identity()["Account"]

    def env(self):
        e = dict(os.environ)
        e.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=23")
        return e

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [os.path.join(BIN_DIR, "bulwarkd"), "--listen", f"127.0.0.1:{self.port}",
             "--data-dir", self.data_dir, "--log-level", "info", *self.extra_args],
            stdout=self.log, stderr=self.log, env=self.env())
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bulwarkd exited: {self.read_log()[-2000:]}")
            try:
                with urllib.request.urlopen(self.endpoint + "/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("bulwarkd did not become healthy")

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        """SIGTERM; returns the exit status."""
        if self.proc is None:
            return 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        self.log.close()
        return rc

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.proc = None
        self.log.close()

    def restart(self):
        assert self.stop() == 0, self.read_log()[-3000:]
        self.start()

    def client(self, service, creds=None, **kw):
        c = creds or self.admin
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=c.akid, aws_secret_access_key=c.secret,
            aws_session_token=c.token,
            config=botocore.config.Config(retries={"max_attempts": 1}), **kw)

    def cli(self, *args, creds=None, check=True):
        """Runs the AWS CLI v2; returns (rc, parsed JSON or text, stderr)."""
        c = creds or self.admin
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=c.akid, AWS_SECRET_ACCESS_KEY=c.secret,
                   AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                   AWS_PAGER="", AWS_MAX_ATTEMPTS="1")
        if c.token:
            env["AWS_SESSION_TOKEN"] = c.token
        p = subprocess.run([AWS_CLI, "--endpoint-url", self.endpoint, "--output", "json", *args],
                           capture_output=True, text=True, env=env, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed: {p.stderr}")
        out = p.stdout
        try:
            out = json.loads(out) if out.strip() else None
        except ValueError:
            pass
        return p.returncode, out, p.stderr

    def new_account(self, name):
        """A standalone account made with `bulwark admin create-account`: its id and the
        Creds of its admin user."""
        p = subprocess.run([os.path.join(BIN_DIR, "bulwark"), "admin", "create-account",
                            "--name", name, "--email", f"{name}@example.com",
                            "--data-dir", self.data_dir], capture_output=True, text=True,
                           env=self.env())
        assert p.returncode == 0, p.stderr
        kv = dict(line.split(" = ", 1) for line in p.stdout.splitlines() if " = " in line)
        return kv["account_id"], Creds(kv["aws_access_key_id"], kv["aws_secret_access_key"])

    def new_user_creds(self, name, policy_arn=None, policy_doc=None):
        """Creates an IAM user with a key (and a policy) through the API; returns Creds."""
        iam = self.client("iam")
        iam.create_user(UserName=name)
        if policy_arn:
            iam.attach_user_policy(UserName=name, PolicyArn=policy_arn)
        if policy_doc:
            iam.put_user_policy(UserName=name, PolicyName="p",
                                PolicyDocument=json.dumps(policy_doc))
        k = iam.create_access_key(UserName=name)["AccessKey"]
        return Creds(k["AccessKeyId"], k["SecretAccessKey"])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    d = tmp_path_factory.mktemp("bulwark")
    s = Server(str(d / "data"))
    yield s
    rc = s.stop()
    assert rc == 0, "bulwarkd did not stop cleanly:\n" + s.read_log()[-4000:]
    shutil.rmtree(str(d), ignore_errors=True)


@pytest.fixture
def fresh_server(tmp_path):
    """A server of the test's own (for restart and crash tests)."""
    s = Server(str(tmp_path / "data"))
    yield s
    if s.proc is not None:
        rc = s.stop()
        assert rc == 0, "bulwarkd did not stop cleanly:\n" + s.read_log()[-4000:]


def error_code(exc):
    return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]
