"""Every dashboard in Chromium: page → first map, widget change → repainted map, kernel memory.

Used by ``bench/run_benchmarks.py``. The dashboards are served by the README's
main command (``scripts/serve.sh``, preheated kernels). For each dashboard of
:data:`toolkit.widgets.landing.DASHBOARDS`:

- first map: a new browser context (empty cache) requests the page; the clock
  stops when the map has drawn the demo's 33 counties;
- cold: the same with no preheated kernel (``POOL_SIZE=0``): kernel start,
  imports and the notebook run are on the clock;
- repaints: the province selector is set to 山东省 (stops when 济宁's 11 counties
  are drawn) and back; the city selector is set to 平顶山市 (the clock stops when the map
  shows its 10 counties: the change travels to the kernel, is computed, comes
  back and is drawn), then the year to 2023 (stops when the map's
  ``layout.meta`` says 2023). Choosing a city hits results the preheated
  kernel prepared (:meth:`Dashboard.prepare`); the year change is computed then;
- memory: every kernel process Voila runs, after the visits: PSS (shared
  library pages shared out among the kernels: what each kernel costs the
  server), RSS (counting them in full in every kernel) and USS (private).
"""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

from results import verdict

from toolkit.testing import CHROMIUM, CHROMIUM_ARGS, MAP_DRAWN, serving
from toolkit.widgets.landing import DASHBOARDS

VIEW = {"viewport": {"width": 1500, "height": 1000}}
#: Seconds between visits: the pool refills (fill_delay 10 s + the notebook run).
PAUSE = 20


def kernel_memory_mb() -> dict[str, list[float]]:
    """Memory (MB) of every ipykernel process: resident (RSS), proportional (PSS) and private (USS).

    RSS counts the shared libraries' pages (pandas, Arrow, numpy …) in every kernel;
    PSS shares them out among the processes using them; USS is what one more
    kernel adds. From /proc/<pid>/smaps_rollup.
    """
    out: dict[str, list[float]] = {"rss": [], "pss": [], "uss": []}
    pids = subprocess.run(["pgrep", "-f", "ipykernel_launcher"], capture_output=True, text=True)
    for pid in pids.stdout.split():
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:  # the kernel ended meanwhile
            continue
        kb = {line.split(":")[0]: int(line.split()[1]) for line in text.splitlines()[1:]}
        out["rss"].append(kb["Rss"] / 1024)
        out["pss"].append(kb["Pss"] / 1024)
        out["uss"].append((kb["Private_Clean"] + kb["Private_Dirty"]) / 1024)
    return out


SHOWN = "() => (document.querySelector('.js-plotly-plot')?.layout?.meta || {})"


def visit(browser, url: str, pause: float = PAUSE) -> dict[str, float]:
    """Seconds: page → 33 counties; province → 山东's 11; city → 平顶山's 10; year → 2023."""
    time.sleep(pause)
    ctx = browser.new_context(**VIEW)
    page = ctx.new_page()
    t = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded", timeout=180_000)
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=180_000)
    out = {"first": time.perf_counter() - t}
    province = page.get_by_label("省份", exact=True)
    t = time.perf_counter()
    province.select_option(label="山东省")
    page.wait_for_function(MAP_DRAWN, arg=11, timeout=60_000)
    out["province"] = time.perf_counter() - t
    province.select_option(label="全部省份")
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=60_000)
    t = time.perf_counter()
    page.get_by_label("城市", exact=True).select_option(label="平顶山市")
    page.wait_for_function(MAP_DRAWN, arg=10, timeout=60_000)
    out["city"] = time.perf_counter() - t
    t = time.perf_counter()
    page.get_by_label("年份", exact=True).select_option(label="2023年")
    page.wait_for_function(f"() => ({SHOWN})().year === 2023", timeout=60_000)
    out["year"] = time.perf_counter() - t
    ctx.close()
    return out


def bench_dashboards(runs: int, port: int, log: Path, cold_runs: int = 2) -> dict:
    """Per dashboard: first map (preheated and cold), city and year repaints; kernel memory."""
    from playwright.sync_api import sync_playwright

    out: dict = {"dashboards": {}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with serving(port, log) as base:
            for entry in DASHBOARDS:
                visits = [
                    visit(browser, f"{base}/voila/render/{entry.notebook}") for _ in range(runs)
                ]
                out["dashboards"][entry.notebook] = {
                    "title": entry.title_zh, **{k: [v[k] for v in visits] for k in visits[0]},
                }  # fmt: skip
            out["kernels_mb"] = kernel_memory_mb()
        with serving(port + 1, log.with_suffix(".cold.log"), pool_size=0) as base:
            for entry in DASHBOARDS:
                cold = [visit(browser, f"{base}/voila/render/{entry.notebook}", pause=5)["first"]
                        for _ in range(cold_runs)]  # fmt: skip
                out["dashboards"][entry.notebook]["cold"] = cold
        browser.close()
    return out


def rows(result: dict, med) -> list[str]:
    """Markdown table rows for RESULTS.md."""
    lines = []
    for nb, r in result["dashboards"].items():
        first, city, year = (statistics.median(r[k]) for k in ("first", "city", "year"))
        lines.append(
            f"| {r['title']} (`{nb}`): page → first map, preheated / cold | {med(r['first'])} / "
            f"{med(r['cold'])} | ≤ 3 s preheated: {verdict(first <= 3)} | — |"
        )
        province = statistics.median(r["province"])
        lines.append(
            f"| {r['title']}: repaint after choosing 平顶山市 / 2023年 / 山东省 | {med(r['city'])} / "
            f"{med(r['year'])} / {med(r['province'])} | city ≤ 0.3 s: {verdict(city <= 0.3)}; "
            f"year ≤ 0.3 s: {verdict(year <= 0.3)}; province ≤ 1 s: "
            f"{verdict(province <= 1)} | — |"
        )
    mb = result["kernels_mb"]
    if mb["rss"]:
        m = {k: statistics.median(v) for k, v in mb.items()}
        lines.append(
            f"| memory per dashboard kernel ({len(mb['rss'])} kernels, medians): proportional (PSS) / "
            f"resident (RSS) / private (USS) | {m['pss']:.0f} MB / {m['rss']:.0f} MB (max {max(mb['rss']):.0f}) / "
            f"{m['uss']:.0f} MB | ≤ 250 MB (PSS): {verdict(m['pss'] <= 250)} | — |"
        )
    return lines
