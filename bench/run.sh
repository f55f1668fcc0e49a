#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every benchmark (bench/<x>/run.sh BUILD_DIR), each side by side with its peer.
set -euo pipefail
build=${1:-build/release}
cd "$(dirname "$0")/.."
for r in bench/*/run.sh; do
  echo "=== ${r%/run.sh}"
  bash "$r" "$build"
done
