#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs @cloud-copilot/iam-simulate into tests/diff/node_modules (never committed) and
# runs the differential test. Usage: run.sh BULWARK_BINARY [N] [SEED]. Fails loudly when
# node/npm or the package cannot be had: a differential test that did not run did not pass.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "FATAL: node not found (scripts/deps.d/policy.txt)" >&2; exit 2; }
command -v npm >/dev/null || { echo "FATAL: npm not found (scripts/deps.d/policy.txt)" >&2; exit 2; }
if [ ! -d "$here/node_modules/@cloud-copilot/iam-simulate" ]; then
  (cd "$here" && npm install --no-audit --no-fund --no-package-lock --loglevel=error >&2) ||
    { echo "FATAL: npm install @cloud-copilot/iam-simulate failed" >&2; exit 2; }
fi
exec node "$here/run.mjs" "$@"
