"""National maps in Chromium: the county map alone, and the dashboards on all of China.

Two measurements, written to the "National maps (issue 5)" section of
``bench/RESULTS.md`` (the machine, the date, the command, medians of the runs):

1. **The map alone** — a page served on loopback that loads the vendored
   plotly.js geo bundle and the national county figure
   (:func:`toolkit.maps.value_map` on the ``simplified="national"`` layer,
   2,875 counties): navigation → every county drawn (first paint), then a
   restyle of every county's value → redrawn, timed in the page. The payload
   is the figure's JSON.
2. **The dashboards** — ``scripts/serve.sh`` with ``KUOYOU_DATASET`` pointing
   at the national benchmark data set (``bench/make_national.py --scale
   national``; records stay Parquet, read by DuckDB): page → the national map
   drawn (preheated kernel), then repaints: the year on the national view,
   a province (山西省: its own 117 counties, a new geometry), a city in it
   (长治市: restyle), and back to all China. Also the bytes of the first map's
   widget messages (geometry packed, trace data).

Run: ``.venv/bin/python bench/national_dashboards.py [--runs 5] [--data bench/out/national]``.
Voila, its kernels and Chromium share the machine's cores.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
from results import loadavg, machine, med, now, verdict, wait_idle, write_section

from toolkit import geo, maps
from toolkit.testing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MAP_DRAWN,
    TIMING,
    seconds_to_map,
    serving,
    watch,
)
from toolkit.widgets.mapwidget import BUNDLE

ROOT = Path(__file__).resolve().parent.parent
SECTION = "national-maps"
DASHBOARDS = ("special_education.ipynb", "kindergartens.ipynb")
VIEW = {"viewport": {"width": 1500, "height": 1000}}
SHOWN = "() => (document.querySelector('.js-plotly-plot')?.layout?.meta || {})"

PAGE = """<!doctype html><meta charset="utf-8"><div id="map" style="width:1400px"></div>
<script src="plotly-geo.min.js"></script>
<script>
// after the frame that paints what was drawn
const painted = () => new Promise(r => requestAnimationFrame(() => setTimeout(r)));
fetch("figure.json").then(r => r.json()).then(async fig => {
  const gd = document.getElementById("map");
  await Plotly.newPlot(gd, fig.data, fig.layout, fig.config);
  await painted();
  window.drawn = performance.now();
  const z = Array.from(gd.data[0].locations, (v, i) => (i % 7) / 7);
  const t = performance.now();
  await Plotly.restyle(gd, {z: [z]});
  await painted();
  window.restyled = performance.now() - t;
});
</script>"""


def map_alone(browser, runs: int) -> dict:
    """Navigation → 2,875 counties drawn, and a restyle of every value, for the figure alone."""
    g = geo.read_counties(simplified="national")
    values = pd.Series(g["adcode"].str[:2].astype(float).to_numpy(), index=g["adcode"])
    t = time.perf_counter()
    fig = maps.value_map(g, values, title="全国县级示意（数值为代码前两位）")
    build = time.perf_counter() - t
    spec = json.loads(fig.to_json()) | {"config": maps.PLOT_CONFIG}
    payload = json.dumps(spec, separators=(",", ":"))
    folder = Path(tempfile.mkdtemp(prefix="kuoyou-map-"))
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    (folder / "figure.json").write_text(payload, encoding="utf-8")
    (folder / "plotly-geo.min.js").write_bytes(BUNDLE.read_bytes())

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # no line per request
            pass

    handler = lambda *a: Quiet(*a, directory=str(folder))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    first, restyle = [], []
    try:
        for _ in range(runs):
            ctx = browser.new_context(**VIEW)
            page = ctx.new_page()
            page.goto(url, wait_until="domcontentloaded")
            page.wait_for_function("() => window.restyled !== undefined", timeout=60_000)
            assert page.evaluate(MAP_DRAWN, len(g))
            first.append(page.evaluate("window.drawn") / 1000)  # since navigation start
            restyle.append(page.evaluate("window.restyled") / 1000)
            ctx.close()
    finally:
        server.shutdown()
    return {"counties": len(g), "mb": len(payload) / 1e6, "build": build, "first": first,
            "restyle": restyle}  # fmt: skip


def _repaint(page, label: str, option: str, condition: str, arg: int) -> tuple[float, float]:
    """Choose ``option`` in the control ``label``; seconds until the map shows ``condition``,
    timed in the page from the change event, and timed from here (Playwright's own work too)."""
    watch(page, condition, arg)
    t = time.perf_counter()
    page.get_by_label(label, exact=True).select_option(label=option)
    in_page = seconds_to_map(page, since_change=True)
    return in_page, time.perf_counter() - t


def dashboard_visit(browser, url: str, n_all: int, n_province: int) -> dict:
    """One visit: first map, then year, province, city and back to all China (seconds, timed
    in the page: :data:`toolkit.testing.TIMING`; ``*_outside``: the same timed from here)."""
    ctx = browser.new_context(**VIEW)
    ctx.add_init_script(TIMING)
    page = ctx.new_page()
    sizes: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: sizes.append(len(f))))
    out = {}
    t = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded", timeout=600_000)
    watch(page, "counties", n_all)
    out["first"] = seconds_to_map(page, since_change=False, timeout=600_000)
    out["first_outside"] = time.perf_counter() - t
    # the picture of the first view served with the page (toolkit/widgets/preview.py), painted
    seen = page.evaluate("window.kuoyouPreviewPainted")
    if seen is None:
        raise RuntimeError("the page was served without its first view's picture")
    out["seen"] = seen / 1000
    out["received_mb"] = sum(sizes) / 1e6
    year = page.evaluate(f"({SHOWN})().year")
    other = page.evaluate(
        "y => [...document.querySelectorAll('select')].flatMap(s => [...s.options])"
        ".map(o => o.textContent).find(t => /^\\d{4}年$/.test(t) && t !== `${y}年`)",
        year,
    )
    steps = {
        "national": ("年份", other, "year", int(other[:4])),
        "province": ("省份", "山西省", "counties", n_province),
        "city": ("城市", "长治市", "counties", 12),
        "back": ("省份", "全部省份", "counties", n_all),
    }
    for key, (label, option, condition, arg) in steps.items():
        page.wait_for_timeout(1000)  # the panels below the map have come in too
        out[key], out[f"{key}_outside"] = _repaint(page, label, option, condition, arg)
    # closed as a tab is closed: the page asks Voila to shut its kernel down (a context closed
    # at once sends nothing, and every visit's kernel lived on until the server stopped)
    with page.expect_event("close", timeout=30_000):
        page.close(run_before_unload=True)
    ctx.close()
    return out


def dashboards(browser, data: Path, runs: int, pause: float) -> dict:
    import pandas as pd

    counties = pd.read_parquet(data / "counties.parquet")
    drawn = geo.read_counties(
        adcodes=counties["adcode"].astype(str).tolist(), simplified="national"
    )
    n_all = len(drawn)
    n_province = int((counties["province"] == "山西省").sum())
    os.environ["KUOYOU_DATASET"] = str(data.resolve())
    out = {}
    log = ROOT / "bench" / "voila-national.log"
    with serving(log=log, pool_size=1) as base:
        for nb in DASHBOARDS:
            visits = []
            for _ in range(runs):
                # the pool refills (fill_delay, then the notebook run, about a minute of a core)
                wait_idle(least=pause)
                visits.append(
                    dashboard_visit(browser, f"{base}/voila/render/{nb}", n_all, n_province)
                )
            out[nb] = {k: [v[k] for v in visits] for k in visits[0]}
    return out | {"n_all": n_all, "n_province": n_province}


#: Why a dashboard goal can be missed, and the next step: from profiled visits of each kind
#: (2026-12-07, Chromium's timeline and CPU profiler on the unminified plotly.js 4.1.1 bundle)
#: and the variants tried, each timed on the same server as the code it was compared with.
WHY = {
    "seen": (
        "the picture is painted with the page's HTML: see the first map's interactive draw, and "
        "there the compile hint, which makes the picture ≈0.3 s later on two cores."
    ),
    "first": (
        "interactive map (what the official sees first is the picture, in the row above): the page's "
        "main thread, on two cores shared with Voila and the kernel, is busy nearly throughout "
        "(公办园, Chromium's timeline, 2026-12-07 afternoon). It parses the page and paints the "
        "picture, evaluates plotly.js (≈0.45 s), then Voila's JupyterLab-based front end (≈0.35 s "
        "for its first script, ≈0.3 s for its main chunk, some 60 chunks and the widget "
        "extensions), which opens the kernel's websocket at ≈2.0-2.3 s; the widget state (1.3-1.5 MB) "
        "arrives ≈0.25 s later. The server and the kernel answer each of the page's first two "
        "messages (kernel_info, then the widgets' state) within ≈10 ms (timestamps in the server, "
        "same clock as the page's), but the page reads the answer 0.06-0.1 s after it arrives: "
        "its main thread is still running Voila's chunks (long-animation-frame entries of "
        "50-110 ms); making the widgets takes ≈0.15 s and plotly's first draw of 2,875 county "
        "paths ≈0.75 s (their projection, hover polygons and styles, then ≈0.07 s of style for "
        "2,883 new elements and the paint). Found and removed on 2026-12-07 afternoon: plotly.js "
        "ran as soon as it arrived (async), before Voila's first script and before the picture "
        "painted; deferred, it runs once the page is parsed, while Voila's chunks arrive (3.20 s "
        "against 3.37 s, the picture 0.48 s against 1.03 s: four visits each, two servers, "
        "interleaved); the province and city lists were in the browser's Arial, which has no "
        "Chinese: 1,602 font look-ups, ≈0.11 s of the widgets' first layout; plotly.js widened the "
        "map's right margin for the colour bar and drew the map again (≈0.07 s in the map alone); "
        "and it fetched an empty base map before drawing. The four together, against this "
        "morning's code (6c4f478) on a second server, interleaved, four visits each at 15:10: "
        "3.14 s against 3.40 s, the picture 0.58 s against 0.87 s, the year repaint unchanged "
        "(0.519 s against 0.516 s). Then (2026-12-07, 17:00-17:45) every script is served with "
        "V8's compile hint (toolkit/voila_server.py), so Chromium compiles it while it downloads, "
        "on another thread, not function by function on the main thread: plotly.js alone ran "
        "0.35 s → 0.08 s on the main thread. Same server pairs, interleaved, five visits each: "
        "公办园 3.18 / 3.06 / 3.00 s against 3.35 / 3.48 / 3.24 s, 特殊教育 3.30 s against 3.43 s; "
        "the hint on plotly.js alone gained nothing (3.38 s against 3.35 s). The picture is "
        "painted ≈0.3 s later (its text, as the browser's element timing sees it: 1.20 s against "
        "0.87 s, while the interactive map came at 2.95 s against 3.12 s in the same visits): the "
        "compiling threads take cores its paint needs. The bench run of 17:33 (this "
        "table) has both dashboards at 3.04 s, against 3.30 / 3.32 s at 14:43 on a machine as fast "
        "(the map alone's first paint 1.58 s against 1.60 s). Tried and not kept earlier: running "
        "plotly.js only once Voila opens the websocket (3.43 s against 3.42 s); sending the first "
        "view's figure with the page and drawing it while Voila starts (3.77 s against ≈3.3 s: "
        "plotly's draw pushed Voila's start back); no picture (3.21 s against ≈3.3 s). Tried on 2026-12-07 evening and not kept: a county of "
        "one polygon sent as a Polygon, not a MultiPolygon (plotly.js's centroid then skips an area "
        "per polygon; the map alone's first draw 0.652 s against 0.656 s, ten each); plotly.js "
        "added to the page only at the window's load event, where Voila's front end starts, with "
        "and without a preload (3.18 / 3.08 s against 3.09 s, seven visits each); Voila's 56 "
        "startup chunks preloaded from the page's head (they took the browser's six connections "
        "ahead of the page's own scripts: the page was parsed at 1.68 s against 0.68 s); plotly.js "
        "served without the compile hint (3.07 s against 3.04 s, eight each). Found then: Voila's "
        "front end starts at the window's load event, which waits for those 56 chunks; the "
        "server, which sends one in ≈2 ms on an idle machine, took 30-330 ms each during the "
        "page's load, its CPU taken by the browser's main thread and compiling threads. Next step, "
        "outside the toolkit: a front end that makes the widgets from their state without "
        "starting a JupyterLab application. Measured here, the browser also shares the two cores "
        "with the server and the kernel, as an official's browser on their own computer does not."
    ),
    "national": (
        "year repaint: since 2026-12-07 evening the map repaints a new year in place "
        "(toolkit/widgets/mapwidget.js, repaintValues): when a figure differs from the one drawn "
        "only in its counties' values and hover rows, plotly.js's own calc gives each county its "
        "value and its style step colours the paths, but the counties' features, hover polygons "
        "and projected paths stay. Before, `Plotly.react` recomputed all of them for a new `z` "
        "(0.517 / 0.540 s at 14:43; 0.206 / 0.280 s now). The kernel's part is ≈25 ms in process, "
        "≈55 ms from the change to the map's message arriving; then the browser lays out and "
        "paints 2,875 recoloured paths."
    ),
    "province": (
        "province zoom: the kernel repaints from the province's map `Dashboard.prepare` made "
        "ahead, but the bench zooms after choosing another year, whose province views are "
        "computed on demand (公办园: ≈35 ms for the shares and outlook of 117 counties, then the "
        "hover text and the map's message: the message arrives 60-85 ms after the change); the "
        "page then unpacks the province's geometry and draws it with Plotly.react. Profiled on "
        "2026-12-07 night: the tables of such a view (≈0.15 s of the kernel's) were made while the "
        "browser drew the map, on the same two cores; since then (toolkit.widgets.views, "
        "show_panels) they are made once the page has painted the map, and the zoom took 0.123 s "
        "against 0.159 s (interleaved on two servers, five visits each; the tables arrived as "
        "soon as before, ≈0.34 s, in a second set of four each). Earlier runs on a slower "
        "machine, before that change: 0.289 s at 17:33, 0.317 s at 21:00, 0.321 s at 21:49. "
        "Next step: fewer share computations per view (each call costs ≈12 ms of pandas "
        "overhead whatever its rows: a year's slice of the totals was no faster; a view makes "
        "five: the counties', then the city's, the province's and the inclusive coverage for "
        "its tables), and the province drawn with fewer points."
    ),
    "city": "city: a restyle of the province's counties (see the year repaint).",
}


def section(alone: dict, dash: dict, meta: dict) -> str:
    ok = lambda x, goal: verdict(statistics.median(x) <= goal)  # noqa: E731
    goals = {"seen": 3, "first": 3, "national": 0.5, "province": 0.3, "city": 0.3}
    missed = {}  # kind → the dashboards that missed it, with the median
    lines = [
        "## National maps (issue 5)",
        "",
        f"- date: {meta['date']}; machine: {meta['machine']}",
        f"- command: `{meta['command']}`; load average before / after: {meta['load_before']} / {meta['load_after']}",
        f"- data: `{meta['data']}` (bench/make_national.py --scale national: simulated records, real boundaries and 2020 census)",
        "- timed in the page (`toolkit.testing.TIMING`): a first map from the navigation's start, a repaint "
        "from the `change` event of the control chosen, each until the frame that painted the map is past",
        "- goals, as read here: issue 5's row \"first map / repaint (city, province, national): ≤ 3 s / "
        '≤ 300 ms / ≤ 500 ms" gives the first map ≤ 3 s, a repaint ≤ 0.3 s for a city and for a '
        "province, and ≤ 0.5 s for all China (issue 4 allowed a province 1 s; the stricter goal is "
        "the one checked)",
        "",
        "| what | measured | goal |",
        "|---|---|---|",
        f"| national county map alone ({alone['counties']} counties, `maps.value_map`, national layer): figure JSON / build | {alone['mb']:.2f} MB / {alone['build']:.3f} s | ≤ 2.5 MB: {verdict(alone['mb'] <= 2.5)} |",
        f"| … first paint in Chromium (navigation → every county painted, plotly.js geo bundle from loopback) | {med(alone['first'])} | ≤ 2 s: {ok(alone['first'], 2)} |",
        f"| … restyle of every county's value (in the page, until painted) | {med(alone['restyle'])} | ≤ 0.5 s: {ok(alone['restyle'], 0.5)} |",
    ]
    outside = []
    for nb, r in dash.items():
        if not isinstance(r, dict):
            continue
        lines += [
            f"| dashboard `{nb}` on all China ({dash['n_all']} counties), preheated: page → national map seen (the static picture served with the page) | {med(r['seen'])} | ≤ {goals['seen']} s: {ok(r['seen'], goals['seen'])} |",
            f"| … page → interactive national map (plotly.js has drawn it, replacing the picture) | {med(r['first'])} | ≤ {goals['first']} s: {ok(r['first'], goals['first'])} |",
            f"| … widget messages received until the map is drawn | {statistics.median(r['received_mb']):.2f} MB | ≤ 2.5 MB map payload |",
            f"| … repaint: another year, national view | {med(r['national'])} | ≤ {goals['national']} s: {ok(r['national'], goals['national'])} |",
            f"| … zoom to a province (山西省: its own {dash['n_province']} counties, new geometry) | {med(r['province'])} | ≤ {goals['province']} s: {ok(r['province'], goals['province'])} |",
            f"| … a city in it (长治市, restyle) | {med(r['city'])} | ≤ {goals['city']} s: {ok(r['city'], goals['city'])} |",
            f"| … back to all China (geometry sent again) | {med(r['back'])} | — |",
        ]
        for kind, goal in goals.items():
            if statistics.median(r[kind]) > goal:
                missed.setdefault(kind, []).append(f"`{nb}` {med(r[kind])}")
        outside.append(
            f"`{nb}` first map {statistics.median(r['first_outside']):.3f} s, year "
            f"{statistics.median(r['national_outside']):.3f} s, province "
            f"{statistics.median(r['province_outside']):.3f} s, city "
            f"{statistics.median(r['city_outside']):.3f} s, back {statistics.median(r['back_outside']):.3f} s"
        )
    lines += [
        "",
        "Notes: the dashboards draw with `toolkit.widgets.mapwidget.MapWidget`: geometry packed as int32 "
        "buffers, trace data as JSON, both in one message; the tables below the map are sent once the "
        "page reports the map painted (`MapWidget.after_drawn`), the first view's too; the page Voila serves "
        "carries a picture of the first view (`toolkit/widgets/preview.py`: banner, heading, the map as SVG in "
        "plotly's projection and colours), removed once the interactive map is painted; the view (the box the map zooms to) is computed "
        "in Python (`toolkit.mapview`), not by plotly's `fitbounds` in the browser; a province's view is built "
        "once per kernel and restyled when shown again. plotly.js (1.4 MB) loads with the page from the "
        "server (a deferred script: it runs once the page is parsed), not in the widgets' state. "
        "Voila's 56 startup chunks come as one script (`/voila/kuoyou/voila-chunks.js`, "
        "`toolkit.voila_server.VoilaChunks`, run just before Voila's first script), not one by "
        "one, and every script carries V8's compile hint. "
        "The preheated kernel has made the national view of every year ahead (`Dashboard.prepare`), "
        "so the year repaint is a restyle from its cache; each province's view and map are made ahead too (its zoom is the likely first click), the rest on demand. "
        "Each visit waits until the machine is idle (the pool's refill has preheated) and pauses 1 s "
        "between steps, and closes its page as a tab is closed (Voila then shuts its kernel down). "
        "Voila, the kernel and Chromium share the machine's two cores. The map alone, measured in "
        "the same run, shows how fast the machine was: on 2026-12-07 until 22:00 its restyle took "
        "0.37-0.45 s and its first paint 1.26-1.58 s from run to run (a virtual machine on a "
        "shared host), and the dashboards' figures move with it: at 11:20, before the first-map "
        "changes above (deferred plotly.js, the lists' font, the colour bar's margin), the map "
        "alone's first paint took 1.255 s and its restyle 0.373 s, and the dashboards gave first "
        "maps of 2.97 / 3.15 s, year repaints of 0.44 / 0.46 s and cities of 0.117 / 0.120 s. "
        "The two runs on that machine with Voila's chunks as one script (21:00 and 21:49) "
        "gave first maps of 2.76-2.93 s, year repaints of 0.22-0.30 s, cities of 0.14-0.17 s and "
        "province zooms of 0.247 s (特殊教育) and 0.317 / 0.321 s (公办园: over its goal). Since "
        "then a view's tables not made yet are made once the page has painted its map (they took "
        "the cores from the browser drawing it): 公办园's zoom to 山西省 after another year, "
        "interleaved on two servers at 23:30, five visits each, took 0.123 s against 0.159 s. "
        "The machine of the run of 2026-12-07 23:07 (and of that A/B) was about 1.6 times as fast "
        "(the map alone's first paint 0.90 s, its restyle 0.20 s), which gives most of the "
        "difference from the runs before it.",
        "",
        "Medians timed from the benchmark's side instead (Playwright: from `goto` or before "
        "`select_option` until its polling saw the map), for comparison with runs before 2026-12-07: "
        + "; ".join(outside)
        + ".",
    ]
    if missed:
        lines += ["", "Goals not met in this run, why, and the next step:", ""]
        lines += [
            f"- {', '.join(who)} (goal ≤ {goals[kind]} s) — {WHY[kind]}"
            for kind, who in missed.items()
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--data", type=Path, default=ROOT / "bench" / "out" / "national")
    ap.add_argument(
        "--pause",
        type=float,
        default=75.0,
        help="seconds between dashboard visits (the pool refills: a national kernel takes about a minute to preheat)",
    )
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    if not (args.data / "counties.parquet").is_file():
        sys.exit(f"{args.data} has no data set: run bench/make_national.py --scale national first")
    from playwright.sync_api import sync_playwright

    meta = {"date": now(), "machine": machine(), "load_before": loadavg(), "data": args.data,
            "command": "python bench/national_dashboards.py " + " ".join(argv or sys.argv[1:])}  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        alone = map_alone(browser, args.runs)
        print(json.dumps(alone), flush=True)
        dash = dashboards(browser, args.data, args.runs, args.pause)
        print(json.dumps(dash), flush=True)
        browser.close()
    meta["load_after"] = loadavg()
    text = section(alone, dash, meta)
    print(text)
    if not args.no_write:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
