# SPDX-License-Identifier: Apache-2.0
"""bench/orgs setup: against a running bulwarkd, builds an ALL-features organization with
500 accounts, an OU chain four deep (root → l1 → l2 → l3 → l4) with a deny-list SCP next
to FullAWSAccess at every level, an invited member account in l4, and a standalone
account outside any organization. Prints shell assignments for run.sh."""
import configparser
import json
import os
import subprocess
import sys

import boto3
import botocore.config

endpoint, data_dir, bin_dir = sys.argv[1:4]
n_accounts = int(os.environ.get("BW_BENCH_ACCOUNTS", "500"))
cfg = configparser.ConfigParser()
cfg.read(os.path.join(data_dir, "credentials"))
admin = (cfg["bulwark"]["aws_access_key_id"], cfg["bulwark"]["aws_secret_access_key"])
bcfg = botocore.config.Config(retries={"max_attempts": 1})


def client(svc, creds=admin):
    return boto3.client(svc, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=creds[0], aws_secret_access_key=creds[1], config=bcfg)


def standalone(name):
    p = subprocess.run([os.path.join(bin_dir, "bulwark"), "admin", "create-account", "--name",
                        name, "--email", f"{name}@bench.example", "--data-dir", data_dir],
                       capture_output=True, text=True, check=True)
    kv = dict(line.split(" = ", 1) for line in p.stdout.splitlines() if " = " in line)
    return kv["account_id"], (kv["aws_access_key_id"], kv["aws_secret_access_key"])


org = client("organizations")
org.create_organization(FeatureSet="ALL")
root = org.list_roots()["Roots"][0]["Id"]
for i in range(n_accounts - 2):
    org.create_account(Email=f"acct{i}@bench.example", AccountName=f"acct{i}")
parent, chain = root, []
for d in range(1, 5):
    parent = org.create_organizational_unit(ParentId=parent, Name=f"l{d}")[
        "OrganizationalUnit"]["Id"]
    chain.append(parent)
    pid = org.create_policy(Name=f"deny-l{d}", Description="", Type="SERVICE_CONTROL_POLICY",
                            Content=json.dumps({"Version": "2012-10-17", "Statement": [
                                {"Effect": "Deny", "Action": [f"ec2:Terminate{d}*", "s3:Delete*"],
                                 "Resource": "*"}]}))["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=pid, TargetId=parent)
member, mcreds = standalone("member")
h = org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": member})["Handshake"]
client("organizations", mcreds).accept_handshake(HandshakeId=h["Id"])
org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=chain[-1])
_, screds = standalone("outsider")
n = len(org.get_paginator("list_accounts").paginate().build_full_result()["Accounts"])
assert n == n_accounts, n
print(f"ROOT={root}")
print(f"MGMT_AKID={admin[0]} MGMT_SECRET={admin[1]}")
print(f"MEMBER_AKID={mcreds[0]} MEMBER_SECRET={mcreds[1]}")
print(f"SOLO_AKID={screds[0]} SOLO_SECRET={screds[1]}")
print(f"ACCOUNTS={n}")
