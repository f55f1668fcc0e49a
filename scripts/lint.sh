#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bans the C library calls the house style forbids.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(grep -rnE '\b(strcpy|strcat|sprintf|gets|atoi|strtok)\s*\(' src tests bench --include='*.c' --include='*.h' \
      | grep -vE 'snprintf|vsprintf|strtok_r' || true)
if [ -n "$bad" ]; then
  echo "lint: banned calls:" >&2
  echo "$bad" >&2
  exit 1
fi
