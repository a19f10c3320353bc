"""Load test: N concurrent dashboard sessions against a local Voila (loopback only).

Each session is its own browser context in one headless Chromium (Debian's, offline:
every non-local request is blocked and counted as an error). The sessions open the
four dashboards in turn on a ready server (pools filled, kernels idle): all at once,
or with ``--ramp S`` evenly over S seconds, as officials arriving within a minute.
Each waits for its first map (33 counties), then, until ``--seconds`` after the
last session's first map (so every session is driven at the same time for that
long), chooses a city (平顶山市, 长治市, 济宁市, 全部城市: the map
must show that city's counties) and a year (the map's ``layout.meta`` must say
it), again and again. Every finished first map or repaint is a render; a
timeout, an error box, the page's lost-connection notice, a console error or an
uncaught page error is an error. Every 2 s the server's memory is sampled: the
kernels' PSS summed (shared library pages shared out among them) and the server's
RSS. At the end each page is closed as a tab is (``beforeunload``), and each
session's kernel must be gone from the server within 30 s.

Memory bound: each kernel may take 250 MB PSS (``bench/RESULTS.md``'s per-kernel
goal; measured about 215 MB) and the server 500 MB RSS. Voila keeps ``pool_size``
preheated kernels per dashboard and one for the landing page (``4 × pool + 1``, all
running when the run starts), gives each opened page one of them and starts one in
its place, so at most ``kernels at the start + sessions`` are alive:
bound = that × 250 MB + 500 MB.

Usage::

    .venv/bin/python bench/load.py --sessions 20 --seconds 120 --pool 5 --ramp 60 --write
    .venv/bin/python bench/load.py --base http://127.0.0.1:8866 --sessions 3 --seconds 30 --json out.json

Without ``--base`` it serves ``scripts/serve.sh`` itself (``POOL_SIZE=--pool``) on a
free port and stops it afterwards. ``--write`` records the figures in the "Load test"
section of ``bench/RESULTS.md`` (other sections are kept).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path
from urllib.parse import urlparse

from results import loadavg, machine, now, verdict, write_section

from toolkit.testing import CHROMIUM, CHROMIUM_ARGS, MAP_DRAWN, kernel_known, routed, serving
from toolkit.widgets.landing import DASHBOARDS

ROOT = Path(__file__).resolve().parent.parent
SECTION = "load-test"  # its section of RESULTS.md
CITIES = [("平顶山市", 10), ("长治市", 12), ("济宁市", 11), ("全部城市", 33)]
YEARS = [2023, 2022, 2024]
SHOWN_YEAR = "y => (document.querySelector('.js-plotly-plot')?.layout?.meta || {}).year === y"
KERNEL_MB, SERVER_MB = 250, 500
STEP_TIMEOUT = 90_000  # ms for one repaint under load


def server_pid(port: int) -> int:
    """The PID of the dashboard server listening on ``port`` (toolkit.voila_server)."""
    for entry in Path("/proc").iterdir():
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"toolkit.voila_server" in args and f"--port={port}".encode() in args:
            return int(entry.name)
    raise LookupError(f"no toolkit.voila_server on port {port}")


def kernels_of(pid: int) -> list[int]:
    """The ipykernel processes the server ``pid`` started."""
    out = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            args = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"ipykernel_launcher" in args:
            out.append(int(entry.name))
    return out


def memory(pid: int) -> dict:
    """MB: the kernels' PSS summed, the server's RSS; and how many kernels there are."""
    pss, kernels = 0.0, kernels_of(pid)
    for k in kernels:
        try:
            text = Path(f"/proc/{k}/smaps_rollup").read_text()
        except OSError:  # ended meanwhile
            continue
        pss += next(int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:"))
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return {"kernels": len(kernels), "kernel_pss_mb": pss / 1024, "server_rss_mb": rss / 1024}


def settle(pid: int, kernels: int) -> None:
    """Wait until the server runs ``kernels`` kernels and they are idle (the pools are filled:
    the run measures sessions on a ready server, not its start)."""

    def ticks() -> int:
        total = 0
        for k in kernels_of(pid):
            try:
                total += sum(
                    int(x)
                    for x in Path(f"/proc/{k}/stat").read_text().rsplit(")", 1)[1].split()[11:13]
                )
            except OSError:
                continue
        return total

    while len(kernels_of(pid)) < kernels:
        time.sleep(2)
    while True:  # under 5 % of one core over 5 s: the notebooks have run
        t = ticks()
        time.sleep(5)
        if ticks() - t < 0.05 * 5 * os.sysconf("SC_CLK_TCK"):
            return


class Opening:
    """How many sessions have yet to draw their first map (or fail), and then when driving ends."""

    def __init__(self, sessions: int, seconds: float) -> None:
        self.pending, self.seconds, self.until = sessions, seconds, None

    def opened(self) -> None:
        self.pending -= 1
        if self.pending == 0:  # the last first map: every session is driven ``seconds`` more
            self.until = time.monotonic() + self.seconds

    def driving(self) -> bool:
        return self.until is None or time.monotonic() < self.until


async def session(n: int, browser, base: str, delay: float, opening: Opening) -> dict:
    """One official: after ``delay`` s open a dashboard, wait for the map, then change city and
    year until ``opening`` says driving is over."""
    from playwright.async_api import Error

    await asyncio.sleep(delay)

    notebook = DASHBOARDS[n % len(DASHBOARDS)].notebook
    rec = {"notebook": notebook, "first_map": None, "repaints": [], "errors": [], "kernel": None}
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = await ctx.new_page()
    rec["ctx"], rec["page"] = ctx, page

    def console(msg) -> None:
        if msg.type == "error":
            rec["errors"].append(f"console: {msg.text[:200]}")

    async def only_local(route) -> None:
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            await route.continue_()
        elif route.request.url.startswith("data:"):
            await route.continue_()
        else:
            rec["errors"].append(f"asked the internet for {route.request.url[:120]}")
            await route.abort()

    page.on("console", console)
    page.on("pageerror", lambda e: rec["errors"].append(f"page error: {str(e)[:200]}"))
    await page.route(routed, only_local)
    t0 = time.perf_counter()
    try:
        await page.goto(f"{base}/voila/render/{notebook}", wait_until="domcontentloaded",
                        timeout=300_000)  # fmt: skip
        await page.wait_for_function(MAP_DRAWN, arg=33, timeout=300_000)
        rec["first_map"] = time.perf_counter() - t0
        rec["drawn_at"] = time.monotonic()
        opening.opened()
        config = await page.locator("#jupyter-config-data").text_content()
        rec["kernel"] = json.loads(config)["kernelId"]
        step, year = n, 2024
        while opening.driving():
            city, counties = CITIES[step % len(CITIES)]
            year = next(y for y in YEARS[step % 3 :] + YEARS if y != year)
            step += 1
            rec["last"] = f"{city} {year}年 (step {step})"
            t = time.perf_counter()
            await page.get_by_label("城市", exact=True).select_option(label=city)
            await page.wait_for_function(MAP_DRAWN, arg=counties, timeout=STEP_TIMEOUT)
            rec["repaints"].append(time.perf_counter() - t)
            t = time.perf_counter()
            await page.get_by_label("年份", exact=True).select_option(label=f"{year}年")
            await page.wait_for_function(SHOWN_YEAR, arg=year, timeout=STEP_TIMEOUT)
            rec["repaints"].append(time.perf_counter() - t)
            boxes = page.locator(".kuoyou-error, #kuoyou-notice")
            if await boxes.count():
                rec["errors"].append(f"error box: {(await boxes.first.inner_text())[:200]}")
                break
    except Error as e:
        if "drawn_at" not in rec:
            opening.opened()  # failed before its first map: the others do not wait for it
        where = rec.get("last", "first map")
        rec["errors"].append(f"{type(e).__name__} at {where}: {str(e).splitlines()[0][:160]}")
    rec["ended_at"] = time.monotonic()
    return rec


async def sample(pid: int, samples: list, stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append({"t": time.monotonic(), **memory(pid)})
        try:
            await asyncio.wait_for(stop.wait(), timeout=2)
        except TimeoutError:
            pass


async def drive(base: str, sessions: int, seconds: float, pid: int, ramp: float = 0) -> dict:
    from playwright.async_api import async_playwright

    before = memory(pid)
    samples: list = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample(pid, samples, stop))
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        t0 = time.monotonic()
        opening = Opening(sessions, seconds)
        recs = await asyncio.gather(
            *(session(n, browser, base, n * ramp / sessions, opening) for n in range(sessions))
        )
        wall = time.monotonic() - t0
        for rec in recs:  # close as a tab is closed: the page asks for its kernel's shutdown
            closed = asyncio.get_running_loop().create_future()
            rec["page"].once("close", lambda _p, f=closed: f.done() or f.set_result(None))
            await rec["page"].close(run_before_unload=True)
            await asyncio.wait_for(closed, 30)
            del rec["page"]
        end = time.monotonic() + 30  # the browser stays open, as when one tab is closed
        left = [r["kernel"] for r in recs if r["kernel"]]
        while left and time.monotonic() < end:
            left = [k for k in left if kernel_known(base, k)]
            await asyncio.sleep(1)
        for rec in recs:
            await rec.pop("ctx").close()
        await browser.close()
    stop.set()
    await sampler
    for r in recs:
        if r["kernel"] in left:
            r["errors"].append("its kernel outlived the page by 30 s")
    return {"recs": recs, "samples": samples, "before": before, "wall": wall}


def summary(run: dict, sessions: int, seconds: float, pool: int | None, ramp: float = 0) -> dict:
    recs, samples = run["recs"], run["samples"]
    drawn = [r["drawn_at"] for r in recs if "drawn_at" in r]
    # the time every session was being driven (first map drawn, not yet ended) at once
    together = min(r["ended_at"] for r in recs) - max(drawn) if len(drawn) == len(recs) else 0.0
    firsts = sorted(r["first_map"] for r in recs if r["first_map"] is not None)
    repaints = sorted(x for r in recs for x in r["repaints"])
    peak = max(samples, key=lambda s: s["kernel_pss_mb"] + s["server_rss_mb"])
    most = max(s["kernels"] for s in samples)
    allowed = run["before"]["kernels"] + sessions

    def pct(xs: list[float], q: float) -> float | None:
        return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] if xs else None

    return {
        "sessions": sessions, "seconds": seconds, "pool": pool, "wall": run["wall"],
        "ramp": ramp, "together": max(together, 0.0),
        "rendered": len(firsts), "renders": len(firsts) + len(repaints),
        "errors": [f"{r['notebook']}: {e}" for r in recs for e in r["errors"]],
        "sessions_with_errors": sum(bool(r["errors"]) for r in recs),
        "first_map_p50": pct(firsts, 0.5), "first_map_p95": pct(firsts, 0.95),
        "first_map_max": firsts[-1] if firsts else None,
        "repaint_p50": pct(repaints, 0.5), "repaint_p95": pct(repaints, 0.95),
        "kernels_before": run["before"]["kernels"], "kernels_peak": most,
        "kernels_allowed": allowed,
        "peak_kernel_pss_mb": peak["kernel_pss_mb"], "peak_server_rss_mb": peak["server_rss_mb"],
        "peak_total_mb": peak["kernel_pss_mb"] + peak["server_rss_mb"],
        "bound_mb": allowed * KERNEL_MB + SERVER_MB,
        "per_kernel_pss_mb": peak["kernel_pss_mb"] / max(peak["kernels"], 1),
        "per_dashboard": {
            nb: sum(r["notebook"] == nb for r in recs) for nb in sorted({r["notebook"] for r in recs})
        },
    }  # fmt: skip


def section(s: dict, command: str, load_before: str, load_after: str) -> str:
    f = lambda x: "—" if x is None else f"{x:.1f} s"  # noqa: E731
    ramp = s.get("ramp", 0)
    opened = (
        f"opened over {ramp:g} s, one every {ramp / s['sessions']:g} s"
        if ramp
        else "all opened at once"
    )
    lines = [
        "## Load test (`bench/load.py`)", "",
        f"- date: {now()}",
        f"- machine: {machine()}",
        f"- command: `{command}`",
        f"- load average (1, 5, 15 min) before / after: {load_before} / {load_after}",
        "", "| what | measured |", "|---|---|",
        f"| sessions (browser contexts, {opened}) | {s['sessions']} "
        f"({', '.join(f'{k} {v}' for k, v in s['per_dashboard'].items())}), pool {s['pool']} per dashboard |",
        f"| driven for | until {s['seconds']:.0f} s after the last first map (the run took {s['wall']:.0f} s) |",
        f"| all {s['sessions']} sessions driven at once (every first map drawn, none ended) for | "
        f"{s['together']:.0f} s |",
        f"| sessions rendered (first map drawn) | {s['rendered']} of {s['sessions']} |",
        f"| renders (first maps + city/year repaints) | {s['renders']} |",
        f"| errors (timeouts, error boxes, console errors, kernels outliving their page) | "
        f"{len(s['errors'])} in {s['sessions_with_errors']} sessions |",
        f"| time to first map, p50 / p95 / max | {f(s['first_map_p50'])} / {f(s['first_map_p95'])} / "
        f"{f(s['first_map_max'])} |",
        f"| city or year repaint, p50 / p95 | {f(s['repaint_p50'])} / {f(s['repaint_p95'])} |",
        f"| kernels: at the start / peak / allowed (at the start + sessions) | "
        f"{s['kernels_before']} / {s['kernels_peak']} / {s['kernels_allowed']} |",
        f"| memory at its peak: kernels' PSS + server RSS | {s['peak_kernel_pss_mb']:.0f} MB + "
        f"{s['peak_server_rss_mb']:.0f} MB = {s['peak_total_mb']:.0f} MB "
        f"({s['per_kernel_pss_mb']:.0f} MB per kernel) |",
        f"| memory bound (allowed kernels × {KERNEL_MB} MB + {SERVER_MB} MB) | {s['bound_mb']:.0f} MB: "
        f"{verdict(s['peak_total_mb'] <= s['bound_mb'])} |",
        "",
        "The bound: 250 MB PSS is the per-kernel goal above (each kernel holds the demo data and its "
        "dashboard); Voila runs the pool, its refills and one kernel per open page, so the kernel "
        "count is bounded by the configuration, not by the traffic. Voila, the kernels and Chromium "
        "(all sessions) share the machine's cores, and each session clicks again as soon as its map "
        "has repainted (no pause to read it), so the times are those of an overloaded server, "
        "not what one official sees (the dashboards section above).",
    ]  # fmt: skip
    if s["errors"]:
        lines += ["", "Errors:", *(f"- {e}" for e in s["errors"][:20])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--pool", type=int, default=None, help="POOL_SIZE (default: sessions / 4)")
    ap.add_argument("--ramp", type=float, default=0,
                    help="open the sessions over this many seconds, evenly (default: all at once)")  # fmt: skip
    ap.add_argument("--base", help="an already running server (toolkit.voila_server)")
    ap.add_argument("--json", type=Path, help="write the summary here")
    ap.add_argument("--write", action="store_true", help="record it in bench/RESULTS.md")
    args = ap.parse_args(argv)
    pool = args.pool if args.pool is not None else -(-args.sessions // len(DASHBOARDS))
    load_before = loadavg()
    if args.base:
        pid = server_pid(urlparse(args.base).port)
        settle(pid, 0)
        run = asyncio.run(drive(args.base, args.sessions, args.seconds, pid, args.ramp))
        pool = None if args.pool is None else pool
    else:
        (ROOT / "artifacts").mkdir(exist_ok=True)
        with serving(log=ROOT / "artifacts" / "load-voila.log", pool_size=pool) as base:
            pid = server_pid(urlparse(base).port)
            settle(pid, 4 * pool + 1)
            run = asyncio.run(drive(base, args.sessions, args.seconds, pid, args.ramp))
    s = summary(run, args.sessions, args.seconds, pool, args.ramp)
    command = (
        f".venv/bin/python bench/load.py --sessions {args.sessions} --seconds {args.seconds:g}"
    )
    command += f" --pool {pool}" if pool is not None else ""
    command += f" --ramp {args.ramp:g}" if args.ramp else ""
    text = section(s, command, load_before, loadavg())
    print(text)
    if args.json:
        args.json.write_text(json.dumps(s, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.write:
        write_section(SECTION, text)
    return s


if __name__ == "__main__":
    main()
