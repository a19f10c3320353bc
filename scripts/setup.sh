#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install the toolkit into it.
# Usage: scripts/setup.sh [extra]   e.g. scripts/setup.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "需要管理员权限安装系统软件包 / need root to install: $*" >&2; return 1; fi; }

py=""
for c in python3.13 python3.12 python3.11 python3; do
  if command -v "$c" >/dev/null && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then py="$c"; break; fi
done
[ -n "$py" ] || { echo "需要 Python 3.11 或更高版本 / Python 3.11+ is required" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  if ! "$py" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    echo "安装 python3-venv … / installing python3-venv …"
    as_root apt-get update -qq
    as_root apt-get install -y -qq python3-venv "$(basename "$py")-venv" >/dev/null || as_root apt-get install -y -qq python3-venv >/dev/null
    "$py" -m venv .venv
  fi
  .venv/bin/python -m pip install -q --upgrade pip
fi
spec="."
[ -n "$extra" ] && spec=".[$extra]"
.venv/bin/python -m pip install -q -e "$spec"
