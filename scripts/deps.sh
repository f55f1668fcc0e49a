#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages Bulwark needs, and only those that are missing:
# quiet when nothing is. The lists live in scripts/deps.d/*.txt (one package a
# line, # comments); bench-*.txt only with BW_DEPS_BENCH=1 (make bench).
# Needs root (or sudo) only when something has to be installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

want=()
for f in "$here"/deps.d/*.txt; do
  case "$(basename "$f")" in
    bench-*) [ "${BW_DEPS_BENCH:-0}" = 1 ] || continue ;;
  esac
  while read -r p _; do
    case "$p" in ''|'#'*) continue ;; esac
    want+=("$p")
  done <"$f"
done

missing=()
for p in "${want[@]}"; do
  # node/npm may come from outside Debian (as on the build machines): a
  # working command stands in for the package.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "deps: need root to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
