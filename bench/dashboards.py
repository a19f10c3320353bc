"""Every dashboard in Chromium: page → first map, widget change → repainted map, kernel memory.

Used by ``bench/run_benchmarks.py``. The dashboards are served by the README's
main command (``scripts/serve.sh``, preheated kernels). For each dashboard of
:data:`toolkit.widgets.landing.DASHBOARDS`:

- first map: a new browser context (empty cache) requests the page; the clock
  stops when the map has drawn the demo's 33 counties;
- repaint: the city selector is set to 平顶山市; the clock stops when the map
  shows its 10 counties (the change travels to the kernel, is computed, and the
  restyle comes back and is drawn);
- memory: resident memory of every kernel process Voila runs, after the visits.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

from toolkit.testing import CHROMIUM, CHROMIUM_ARGS, MAP_DRAWN, serving
from toolkit.widgets.landing import DASHBOARDS

VIEW = {"viewport": {"width": 1500, "height": 1000}}
#: Seconds between visits: the pool refills (fill_delay 10 s + the notebook run).
PAUSE = 20


def kernel_rss_mb() -> list[float]:
    """Resident memory (MB) of every ipykernel process on the machine."""
    out = subprocess.run(["ps", "-eo", "rss=,args="], capture_output=True, text=True).stdout
    return [int(line.split(None, 1)[0]) / 1024 for line in out.splitlines()
            if "ipykernel_launcher" in line]  # fmt: skip


def visit(browser, url: str) -> tuple[float, float]:
    """(page → 33 counties drawn, city change → 10 counties drawn), seconds."""
    time.sleep(PAUSE)
    ctx = browser.new_context(**VIEW)
    page = ctx.new_page()
    t = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)
    first = time.perf_counter() - t
    city = page.get_by_label("城市", exact=True)
    t = time.perf_counter()
    city.select_option(label="平顶山市")
    page.wait_for_function(MAP_DRAWN, arg=10, timeout=60_000)
    repaint = time.perf_counter() - t
    ctx.close()
    return first, repaint


def bench_dashboards(runs: int, port: int, log: Path) -> dict:
    """Per dashboard: first-map and repaint times over ``runs`` visits; kernel memory."""
    from playwright.sync_api import sync_playwright

    out: dict = {"dashboards": {}}
    with serving(port, log) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for entry in DASHBOARDS:
            times = [visit(browser, f"{base}/voila/render/{entry.notebook}") for _ in range(runs)]
            out["dashboards"][entry.notebook] = {
                "title": entry.title_zh,
                "first": [a for a, _ in times],
                "repaint": [b for _, b in times],
            }
        out["kernels_mb"] = kernel_rss_mb()
        browser.close()
    return out


def rows(result: dict, med) -> list[str]:
    """Markdown table rows for RESULTS.md."""
    lines = []
    for nb, r in result["dashboards"].items():
        first, repaint = statistics.median(r["first"]), statistics.median(r["repaint"])
        lines.append(
            f"| {r['title']} (`{nb}`): first map, preheated / city repaint | {med(r['first'])} / "
            f"{med(r['repaint'])} | ≤ 3 s: {'met' if first <= 3 else '**not met**'} / ≤ 0.3 s: "
            f"{'met' if repaint <= 0.3 else '**not met**'} | — |"
        )
    mb = result["kernels_mb"]
    if mb:
        lines.append(
            f"| memory per dashboard kernel (RSS, {len(mb)} kernels) | median {statistics.median(mb):.0f} MB, "
            f"max {max(mb):.0f} MB | ≤ 250 MB: {'met' if statistics.median(mb) <= 250 else '**not met**'} | — |"
        )
    return lines
