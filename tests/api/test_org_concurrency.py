# SPDX-License-Identifier: Apache-2.0
"""8 clients at once creating OUs, attaching policies and moving accounts: the tree
stays consistent (every account has exactly one parent, every OU is reachable from
the root exactly once) and no update is lost (per-target policy limits hold exactly;
a name taken concurrently is taken once)."""
import json
import random
import threading

import botocore.exceptions

from conftest import error_code

SCP = "SERVICE_CONTROL_POLICY"
N = 8
DOC = json.dumps({"Version": "2012-10-17",
                  "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]})


def run_all(fns):
    errors = []

    def wrap(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))
    ts = [threading.Thread(target=wrap, args=(f,)) for f in fns]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    assert not errors, errors


def walk(org, parent, seen):
    for c in paginate(org, "list_children", "Children", ParentId=parent,
                      ChildType="ORGANIZATIONAL_UNIT"):
        assert c["Id"] not in seen
        seen.add(c["Id"])
        walk(org, c["Id"], seen)


def paginate(org, op, key, **kw):
    out, tok = [], None
    while True:
        r = getattr(org, op)(**kw, **({"NextToken": tok} if tok else {}))
        out += r[key]
        tok = r.get("NextToken")
        if not tok:
            return out


def test_eight_clients(server):
    org = server.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    accounts = []
    for i in range(N):
        st = org.create_account(Email=f"c{i}@example.com", AccountName=f"c{i}")["CreateAccountStatus"]
        accounts.append(org.describe_create_account_status(
            CreateAccountRequestId=st["Id"])["CreateAccountStatus"]["AccountId"])
    shared = org.create_organizational_unit(ParentId=root, Name="shared")["OrganizationalUnit"]["Id"]
    clients = [server.client("organizations") for _ in range(N)]
    results = {"ous": [], "dup_name_ok": 0, "attach_ok": 0, "attach_limit": 0, "moves": 0}
    lock = threading.Lock()

    def worker(i):
        def go():
            c = clients[i]
            rnd = random.Random(i)
            mine = []
            parent = root
            for depth in range(3):
                ou = c.create_organizational_unit(ParentId=parent, Name=f"w{i}-{depth}")
                parent = ou["OrganizationalUnit"]["Id"]
                mine.append(parent)
            try:
                c.create_organizational_unit(ParentId=root, Name="contested")
                with lock:
                    results["dup_name_ok"] += 1
                    results["ous"].append("contested")
            except botocore.exceptions.ClientError as e:
                assert error_code(e)[0] == "DuplicateOrganizationalUnitException"
            pid = c.create_policy(Name=f"p{i}", Description="", Type=SCP,
                                  Content=DOC)["Policy"]["PolicySummary"]["Id"]
            try:
                c.attach_policy(PolicyId=pid, TargetId=shared)
                with lock:
                    results["attach_ok"] += 1
            except botocore.exceptions.ClientError as e:
                assert error_code(e)[0] == "ConstraintViolationException"
                assert e.response["Reason"] == "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
                with lock:
                    results["attach_limit"] += 1
            for _ in range(6):
                acct = rnd.choice(accounts)
                src = c.list_parents(ChildId=acct)["Parents"][0]["Id"]
                dst = rnd.choice(mine + [root, shared])
                try:
                    c.move_account(AccountId=acct, SourceParentId=src, DestinationParentId=dst)
                    with lock:
                        results["moves"] += 1
                except botocore.exceptions.ClientError as e:
                    # another client moved it first, or it is already there
                    assert error_code(e)[0] in ("AccountNotFoundException",
                                                "DuplicateAccountException"), e.response
            with lock:
                results["ous"] += mine
        return go

    run_all([worker(i) for i in range(N)])

    assert results["dup_name_ok"] == 1
    assert results["attach_ok"] == 4 and results["attach_limit"] == 4  # 5 SCPs at most
    pols = org.list_policies_for_target(TargetId=shared, Filter=SCP)["Policies"]
    assert len(pols) == 5
    assert results["moves"] > 0
    seen = set()
    walk(org, root, seen)
    assert len(seen) == 1 + 3 * N + 1  # shared, 3 per worker, contested
    # every account exactly once, under an existing parent
    all_accts = {a["Id"] for a in paginate(org, "list_accounts", "Accounts", MaxResults=5)}
    assert all_accts == set(accounts) | {server.account}
    placed = []
    for parent in seen | {root}:
        placed += [a["Id"] for a in paginate(org, "list_accounts_for_parent", "Accounts",
                                             ParentId=parent)]
    assert sorted(placed) == sorted(all_accts)
    for a in accounts:
        assert org.list_parents(ChildId=a)["Parents"][0]["Id"] in seen | {root}
