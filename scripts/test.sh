#!/usr/bin/env bash
# Install what is needed (Debian packages chromium, fonts-noto-cjk and Java, the Python
# packages) and run the whole test suite: unit, notebook and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
# Java for the local Spark session of the engine tests (tests/test_engine.py)
command -v java >/dev/null || need+=(default-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  echo "安装系统软件包 / installing Debian packages: ${need[*]}"
  as_root apt-get update -qq
  as_root apt-get install -y -qq "${need[@]}" >/dev/null
fi

scripts/setup.sh test
# Shared research material (policy texts) beside the clone, when present.
if [ -z "${KUOYOU_SHARED:-}" ] && [ -d ../shared ]; then export KUOYOU_SHARED="$(cd ../shared && pwd)"; fi
# Public data files (census, code history) are read from the data directory, never committed.
if [ -z "${KUOYOU_DATA_DIR:-}" ] && [ -n "${KUOYOU_SHARED:-}" ]; then export KUOYOU_DATA_DIR="$KUOYOU_SHARED/data-sources"; fi
.venv/bin/ruff check toolkit tests geo data bench conftest.py
.venv/bin/ruff format --check toolkit tests geo data bench conftest.py
exec .venv/bin/python -m pytest "$@"
