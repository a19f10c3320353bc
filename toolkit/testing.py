"""Helpers for checking the dashboards in a real browser (tests and benchmarks).

:func:`serving` runs the README's main command (``scripts/serve.sh``) on a free
local port and stops it by its process group; the constants launch Debian's
Chromium so that it never reaches for the internet.

Example::

    from playwright.sync_api import sync_playwright
    from toolkit import testing

    with testing.serving() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=testing.CHROMIUM, args=testing.CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(base + "/voila/render/special_education.ipynb")
        page.wait_for_function(testing.MAP_DRAWN, arg=33, timeout=120_000)
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
#: Flags for headless Debian Chromium on a machine without internet: without the
#: background-networking ones it keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: JavaScript for ``page.wait_for_function(MAP_DRAWN, arg=n)``: the first plotly
#: map on the page has drawn exactly ``n`` county shapes, and the tables have followed it
#: (a dashboard's loading note is gone: it clears once they are sent).
MAP_DRAWN = """n => {
  const gd = document.querySelector('.js-plotly-plot');
  return !!gd && gd.querySelectorAll('path.choroplethlocation').length === n
    && !document.querySelector('.kuoyou-loading');
}"""


#: JavaScript for ``page.evaluate(MAP_FILLS)``: ``[fills, redrawn, title]`` of the first plotly map
#: on the page: each county's fill (by location), the same on a map plotly.js draws afresh from
#: its figure (``Plotly.newPlot``, then removed), and its title. A repaint done any other way
#: than plotly.js's own full redraw should give ``fills == redrawn``.
MAP_FILLS = """async () => {
  const gd = document.querySelector('.js-plotly-plot');
  const fills = (g) => Object.fromEntries([...g.querySelectorAll('path.choroplethlocation')]
    .map((p) => [p.__data__.loc, p.getAttribute('fill')]));
  const div = document.createElement('div');
  div.style.width = '900px';
  document.body.appendChild(div);
  await Plotly.newPlot(div, gd.data.map((t) => ({ ...t })), JSON.parse(JSON.stringify(gd.layout)));
  const out = [fills(gd), fills(div), gd.layout.title.text];
  Plotly.purge(div);
  div.remove();
  return out;
}"""

#: a point on screen inside the path of county ``loc`` (searched on a grid over its box)
_INSIDE = """loc => {
  const path = [...document.querySelectorAll('path.choroplethlocation')]
    .find((p) => p.__data__.loc === loc);
  const box = path.getBoundingClientRect();
  for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
    const x = box.left + (box.width * i) / 20, y = box.top + (box.height * j) / 20;
    const local = new DOMPoint(x, y).matrixTransform(path.getScreenCTM().inverse());
    if (path.isPointInFill(local)) return [x, y];
  }
  return null;
}"""


def hover_text(page, loc: str) -> str:
    """The text of the map's hover label once the mouse is over county ``loc`` (its adcode)."""
    page.mouse.move(0, 0)
    x, y = page.evaluate(_INSIDE, loc)
    page.mouse.move(x, y)
    label = page.locator(".hoverlayer .hovertext")
    label.wait_for(timeout=10_000)
    return label.text_content()


#: Init script for timing in the page what an official sees (``context.add_init_script(TIMING)``,
#: then :func:`watch` and :func:`seconds_to_map`): a condition on the map is checked at every
#: animation frame, and the time noted is the first one after the frame that painted it. A
#: repaint is timed from the ``change`` event of the control the user changed (the browser's
#: own timestamp); the first map from the navigation's start (the page's time origin). Timed
#: from the test's own side, a repaint also counts Playwright's work before and after it
#: (finding the control, checking it can be used, polling the page): 0.1-0.2 s on 2 cores.
TIMING = """
(() => {
  const plot = () => document.querySelector(".js-plotly-plot");
  const conditions = {
    counties: (n) => !!plot() && plot().querySelectorAll("path.choroplethlocation").length === n,
    year: (y) => ((plot() && plot().layout && plot().layout.meta) || {}).year === y,
  };
  const timing = (window.kuoyouTiming = { change: null, done: null });
  document.addEventListener("change", (e) => { timing.change = e.timeStamp; }, true);
  timing.watch = (name, arg) => {
    timing.done = null;
    const tick = () => {
      if (conditions[name](arg)) setTimeout(() => { timing.done = performance.now(); });
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
})();
"""


def watch(page, condition: str, arg: int) -> None:
    """Start timing until the map shows ``condition``: ``"counties"`` (``arg`` county shapes
    drawn) or ``"year"`` (the map's ``layout.meta.year`` is ``arg``). Needs :data:`TIMING`."""
    page.evaluate("([name, arg]) => window.kuoyouTiming.watch(name, arg)", [condition, arg])


def seconds_to_map(page, since_change: bool, timeout: float = 120_000) -> float:
    """Seconds from the navigation's start (or, ``since_change``, from the last ``change``
    event) until the map painted what :func:`watch` waits for."""
    page.wait_for_function("() => window.kuoyouTiming.done !== null", timeout=timeout)
    done, change = page.evaluate("() => [window.kuoyouTiming.done, window.kuoyouTiming.change]")
    if since_change and change is None:
        raise RuntimeError("no change event was seen: the control was not changed")
    return (done - (change if since_change else 0.0)) / 1000


def routed(url: str) -> bool:
    """Whether a test page's request goes through its offline check (``page.route(routed, …)``).

    The shutdown beacon a closing Voila page sends to the local server is left out: a
    routed request waits on the test's handler, and a page that closes meanwhile drops it,
    so its kernel lives on. Every other request, and any to another host, is routed.

    >>> routed("http://127.0.0.1:8866/voila/render/index.ipynb")
    True
    >>> routed("http://127.0.0.1:8866/voila/api/shutdown/abc")
    False
    >>> routed("https://example.com/voila/api/shutdown/abc")
    True
    """
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost")
    return not (local and parts.path.startswith("/voila/api/shutdown/"))


def kernel_known(server: str, kernel: str) -> bool:
    """Whether the server still has a kernel with this id (``GET /api/kernels/<id>``: 404 when
    not); any other error is raised."""
    try:
        urllib.request.urlopen(f"{server}/api/kernels/{kernel}", timeout=30)
        return True
    except urllib.error.HTTPError as e:
        if e.code != 404:
            raise
        return False


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    """Wait until ``url`` answers; fail at once if the server dies or answers an error."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}; see its log")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError as e:  # up, but broken: fail now, not at the timeout
            raise RuntimeError(f"the server answered {e.code} at {url}; see its log") from e
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"no answer at {url} within {timeout} s")


@contextlib.contextmanager
def serving(
    port: int | None = None, log: Path | None = None, pool_size: int | None = None
) -> Iterator[str]:
    """Run ``scripts/serve.sh`` on 127.0.0.1 and yield its base URL; stop it afterwards.

    ``pool_size`` sets its ``POOL_SIZE`` (preheated kernels per dashboard; 0: none).
    """
    port = port or free_port()
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        ["bash", "scripts/serve.sh"],
        cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "PORT": str(port), "HOST": "127.0.0.1",
             **({} if pool_size is None else {"POOL_SIZE": str(pool_size)})},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/", proc)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if log:
            out.close()
