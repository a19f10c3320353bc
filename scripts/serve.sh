#!/usr/bin/env bash
# Install what is needed and serve the Voila dashboards on the bundled demo data.
# Environment: PORT (default 8866), HOST (default 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
port="${PORT:-8866}"
host="${HOST:-127.0.0.1}"
echo
echo "看板地址 / Dashboards:  http://${host}:${port}/"
echo "特殊教育 / Special education:  http://${host}:${port}/voila/render/special_education.ipynb"
echo "按 Ctrl+C 停止 / Ctrl+C to stop"
exec .venv/bin/voila notebooks --no-browser --Voila.ip="$host" --port="$port" \
  --VoilaConfiguration.show_tracebacks=False --VoilaConfiguration.strip_sources=True
