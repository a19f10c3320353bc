#!/usr/bin/env bash
# Install what is needed and serve the Voila dashboards on the bundled demo data.
# Environment: PORT (default 8866), HOST (default 127.0.0.1), POOL_SIZE (preheated kernels
# per dashboard, default 2; 0 starts a kernel only when a page is opened), KERNELS_AT_ONCE (pool
# kernels starting and running their notebook at one time, default: the number of cores).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
port="${PORT:-8866}"
host="${HOST:-127.0.0.1}"
pool="${POOL_SIZE:-2}"
# the landing page (index.ipynb) only lists the dashboards: one preheated kernel is enough
pools="{\"default\": {\"pool_size\": $pool}, \"index.ipynb\": {\"pool_size\": $(( pool > 0 ? 1 : 0 ))}}"
if [ "$pool" -gt 0 ]; then preheat="--preheat_kernel=True --pool_size=$pool"; else preheat="--preheat_kernel=False"; fi
# The toolkit's Voila template (toolkit/voila/templates/kuoyou) fetches nothing from the web.
export JUPYTER_PATH="$PWD/toolkit${JUPYTER_PATH:+:$JUPYTER_PATH}"
# Arrow's own allocator keeps freed Parquet buffers: with the system one each kernel is ~60 MB smaller.
export KUOYOU_PLOTLY_FROM_PAGE=1  # the kuoyou template loads plotly.js: the kernels do not send it
export ARROW_DEFAULT_MEMORY_POOL="${ARROW_DEFAULT_MEMORY_POOL:-system}"
echo
echo "看板首页 / Start here:  http://${host}:${port}/voila/render/index.ipynb"
for nb in notebooks/dashboards/*.ipynb; do
  echo "  http://${host}:${port}/voila/render/$(basename "$nb")"
done
echo "按 Ctrl+C 停止 / Ctrl+C to stop"
# preheat_kernel: each dashboard is computed before anyone asks, so the first map
# appears in seconds; the plotly mime-renderer extension is not loaded because the
# dashboards draw with FigureWidget (it would parse a second copy of plotly.js).
# toolkit.voila_server is voila (same options) with the corrections its docstring lists (a closed
# page's kernel is shut down at once). An upload arrives as one websocket message: Tornado's
# default cap (10 MiB) dropped files under the 20 MB upload limit without a word, so the cap is
# 32 MiB. A URL cannot switch to another template (Voila's own fetch Font Awesome from a CDN).
# Kernels talk over Unix sockets in the user's runtime directory, not TCP ports: when a pool
# starts nine kernels at once, a TCP port chosen free could be taken before the kernel bound
# it ("Address already in use"), and a page was handed the dead kernel. Voila starts every
# refill at once; toolkit.voila_server starts at most KERNELS_AT_ONCE (twenty refills side by
# side starved the web server and the pages' scripts timed out).
exec .venv/bin/python -m toolkit.voila_server notebooks/dashboards --no-browser \
  --Voila.ip="$host" --port="$port" --template=kuoyou \
  --VoilaConfiguration.allow_template_override=NO \
  '--Voila.tornado_settings={"websocket_max_message_size": 33554432}' \
  $preheat "--VoilaKernelManager.kernel_pools_config=$pools" --VoilaKernelManager.fill_delay=10 \
  ${KERNELS_AT_ONCE:+--VoilaKernelManager.at_once="$KERNELS_AT_ONCE"} \
  --KernelManager.transport=ipc \
  --VoilaConfiguration.show_tracebacks=False --VoilaConfiguration.strip_sources=True \
  --VoilaKernelManager.cull_idle_timeout=1800 --VoilaKernelManager.cull_interval=300 \
  "--VoilaConfiguration.file_allowlist=[]" \
  '--VoilaConfiguration.extension_denylist=["jupyterlab-plotly","jupyterlab_pygments"]'
