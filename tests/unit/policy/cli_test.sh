#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `bulwark policy validate` and `bulwark policy evaluate` as a user sees them: exit
# statuses, IAM-style messages with JSON paths, one output line per input line in order,
# error lines that do not stop the stream. Usage: cli_test.sh BULWARK
set -euo pipefail
bw=${1:?usage: cli_test.sh BULWARK}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$tmp/good.json" <<'J'
{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:Get*"],"Resource":"arn:aws:s3:::b/*"}]}
J
cat >"$tmp/bad.json" <<'J'
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
 {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:x":"1"}}}]}
J
cat >"$tmp/bucket.json" <<'J'
{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}
J

out=$("$bw" policy validate "$tmp/good.json") || fail "good policy rejected: $out"
[[ $out == *"OK (identity policy, 1 statements)"* ]] || fail "unexpected: $out"
if out=$("$bw" policy validate "$tmp/good.json" "$tmp/bad.json"); then fail "bad policy accepted"; fi
[[ $out == *"bad.json: MalformedPolicyDocument: Invalid Condition type : StringEqualz. (at \$.Statement[1].Condition.StringEqualz)"* ]] ||
  fail "unexpected: $out"
if out=$("$bw" policy validate "$tmp/bucket.json"); then fail "Principal accepted in an identity policy"; fi
[[ $out == *"should not specify a principal"* ]] || fail "unexpected: $out"
"$bw" policy validate --type resource "$tmp/bucket.json" >/dev/null || fail "resource policy rejected"
if "$bw" policy validate --type bogus "$tmp/good.json" 2>/dev/null; then fail "bogus --type accepted"; fi

P='{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}'
REQ='"request":{"principal":{"arn":"arn:aws:iam::111122223333:user/bob"},"action":"s3:GetObject","resource":{"arn":"arn:aws:s3:::b/k","account":"111122223333"}}'
printf '%s\n' \
  "{\"identity_policies\":[$P],$REQ}" \
  'not json' \
  "{\"identity_policies\":[$P],\"scps\":[[$P],[]],$REQ}" \
  '' \
  "{\"identity_policies\":[],$REQ}" >"$tmp/cases.jsonl"
"$bw" policy evaluate <"$tmp/cases.jsonl" >"$tmp/out.jsonl" || fail "evaluate exited $?"
[ "$(wc -l <"$tmp/out.jsonl")" -eq 4 ] || fail "expected 4 output lines: $(cat "$tmp/out.jsonl")"
sed -n 1p "$tmp/out.jsonl" | grep -q '"decision":"allowed"' || fail "line 1: $(sed -n 1p "$tmp/out.jsonl")"
sed -n 2p "$tmp/out.jsonl" | grep -q '"error":"invalid JSON' || fail "line 2: $(sed -n 2p "$tmp/out.jsonl")"
sed -n 3p "$tmp/out.jsonl" | grep -q '"decision":"implicitDeny".*"denied_by":"service control policy","level":1' ||
  fail "line 3: $(sed -n 3p "$tmp/out.jsonl")"
sed -n 4p "$tmp/out.jsonl" | grep -q 'because no identity-based policy allows the s3:GetObject action' ||
  fail "line 4: $(sed -n 4p "$tmp/out.jsonl")"
# A long stream (its output, over 256 KiB, is written in pieces) with CRLF line ends and no
# final newline: one line out per case, in order; strings that need escaping come out
# escaped (a quote, a backslash, a control character).
for i in $(seq 1 3000); do
  if [ $((i % 3)) -eq 0 ]; then printf 'bad %d\r\n' "$i"; else printf '%s\r\n' "{\"identity_policies\":[$P],$REQ}"; fi
done >"$tmp/many.jsonl"
printf '%s' "{\"request\":{\"principal\":{\"arn\":\"arn:aws:iam::1:user/q\\\"b\\\\s\\u0001\"},\"action\":\"s3:Get\"}}" >>"$tmp/many.jsonl"
"$bw" policy evaluate <"$tmp/many.jsonl" >"$tmp/many.out" || fail "evaluate exited $?"
[ "$(wc -l <"$tmp/many.out")" -eq 3001 ] || fail "expected 3001 lines, got $(wc -l <"$tmp/many.out")"
[ "$(grep -c '"decision":"allowed"' "$tmp/many.out")" -eq 2000 ] || fail "expected 2000 allowed"
sed -n 3000p "$tmp/many.out" | grep -q '"error":"invalid JSON: invalid number at offset 0"' ||
  fail "line 3000: $(sed -n 3000p "$tmp/many.out")"
sed -n 3001p "$tmp/many.out" | grep -qF 'User: arn:aws:iam::1:user/q\"b\\s\u0001 is not authorized' ||
  fail "line 3001: $(sed -n 3001p "$tmp/many.out")"
echo "cli_test: ok"
