"""The dashboard in a real browser: Voila serving, Debian's Chromium driven by Playwright.

The browser may only talk to the local server: every other request is blocked
and recorded, so the test proves the dashboard works offline (no CDN, no tiles).
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
import voila

from conftest import ARTIFACTS
from toolkit import maps, voila_server
from toolkit.testing import MAP_DRAWN, TIMING, seconds_to_map, watch
from toolkit.widgets import preview

pytestmark = pytest.mark.browser


def table_text(page) -> str:
    """The table of counties that fall short."""
    return page.locator(".kuoyou-shortfall .kuoyou-table").inner_text()


def test_special_education_dashboard(server, page):
    t0 = time.monotonic()
    page.goto(server + "/voila/render/special_education.ipynb", wait_until="domcontentloaded",
              timeout=120_000)  # fmt: skip
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)
    first_map = time.monotonic() - t0
    body = page.inner_text("body")
    assert "示例数据（模拟）" in body
    assert "20万人口以上的县有特殊教育学校" in body
    # all three cities: the shortfall table lists counties of each
    shortfalls = table_text(page)
    for name in ("屯留区", "湛河区", "鱼台县"):
        assert name in shortfalls
    assert "import" not in body, "code must not be shown"
    page.screenshot(path=str(ARTIFACTS / "special_education_all.png"), full_page=True)

    page.locator(".widget-dropdown", has_text="城市").locator("select").select_option(
        label="平顶山市"
    )
    page.wait_for_function(MAP_DRAWN, arg=10, timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('.kuoyou-shortfall .kuoyou-table').innerText.includes('石龙区')",
        timeout=30_000,
    )
    locations = page.evaluate("() => document.querySelector('.js-plotly-plot').data[0].locations")
    assert len(locations) == 10 and all(a.startswith("4104") for a in locations)
    shortfalls = table_text(page)
    # 平顶山's own plan: 石龙 (class in a day school), 鲁山 (non-standard school), 湛河, 舞钢
    for name in ("石龙区", "鲁山县", "湛河区", "舞钢市"):
        assert name in shortfalls
    for name in ("屯留区", "鱼台县", "新华区"):
        assert name not in shortfalls
    assert "平顶山市（平教体基〔2024〕35号）" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "special_education_pingdingshan.png"), full_page=True)
    (ARTIFACTS / "browser_timings.txt").write_text(f"first_map_seconds={first_map:.2f}\n")
    (ARTIFACTS / "blocked_requests.txt").write_text("\n".join(page.blocked) + "\n")
    assert not page.blocked, f"the page asked the internet for: {page.blocked}"


def test_landing_page_lists_the_dashboard(server, page):
    page.goto(server + "/", wait_until="domcontentloaded", timeout=60_000)
    page.get_by_text("special_education.ipynb").first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "landing.png"))
    assert not page.blocked, f"the page asked the internet for: {page.blocked}"


def test_index_page_leads_to_every_dashboard(server, page):
    from toolkit.widgets.landing import DASHBOARDS

    page.goto(server + "/voila/render/index.ipynb", wait_until="domcontentloaded", timeout=120_000)
    page.get_by_text("扩优提质监测看板").wait_for(timeout=120_000)
    links = page.locator(".kuoyou-landing a")
    assert links.count() == len(DASHBOARDS) == 4
    assert "示例数据（模拟）" in page.inner_text("body")
    page.get_by_text("特殊教育：20万人口以上的县有特殊教育学校").click()
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)
    assert page.url.endswith("/voila/render/special_education.ipynb")
    assert not page.blocked, f"the page asked the internet for: {page.blocked}"


def test_widget_modules_get_time_to_load_on_a_busy_machine(server, page):
    """anywidget's 2 s limit on loading a widget's module is lengthened; other timeouts are not."""
    page.goto(server + "/voila/render/index.ipynb", wait_until="domcontentloaded", timeout=120_000)
    aborted = page.evaluate("""async () => {
        const anywidgets = AbortSignal.timeout(2000), other = AbortSignal.timeout(300);
        await new Promise((r) => setTimeout(r, 2600));
        return [anywidgets.aborted, other.aborted];
    }""")  # fmt: skip
    assert aborted == [False, True]


def _received(page) -> list[int]:
    """The sizes of the websocket frames the page receives from now on."""
    sizes: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: sizes.append(len(f))))
    return sizes


def test_plotly_loads_with_the_page_not_through_the_kernel(server, page):
    bundles = []
    page.on("requestfinished", lambda r: bundles.append(r.url) if "plotly-geo" in r.url else None)
    sizes = _received(page)
    page.goto(server + "/voila/render/special_education.ipynb", wait_until="domcontentloaded",
              timeout=120_000)  # fmt: skip
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)
    assert len(bundles) == 1 and bundles[0].endswith("/voila/kuoyou/plotly-geo.min.js")
    assert sum(sizes) < 1_000_000  # the 1.4 MB bundle did not come in the widgets' state
    assert page.evaluate("() => typeof window.Plotly.react") == "function"


def test_a_page_whose_plotly_script_fails_gets_the_bundle_from_the_kernel(server, page):
    page.route("**/plotly-geo.min.js*", lambda route: route.abort())
    sizes = _received(page)
    page.goto(server + "/voila/render/special_education.ipynb", wait_until="domcontentloaded",
              timeout=120_000)  # fmt: skip
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)
    assert page.evaluate("() => document.getElementById('kuoyou-plotly').dataset.failed") == "1"
    assert sum(sizes) > 1_300_000  # the bundle came through the kernel instead


#: At DOMContentLoaded (the HTML parsed, before Voila's scripts have made any widget): what the
#: page shows of the picture of its first view, and of plotly's map.
AT_LOAD = """document.addEventListener("DOMContentLoaded", () => {
  const preview = document.getElementById("kuoyou-preview");
  window.atLoad = {
    fills: preview ? [...preview.querySelectorAll("path")].map((p) => [p.getAttribute("fill"),
      (p.getAttribute("d").match(/M/g) || []).length]) : [],
    text: preview ? preview.innerText : "",
    plotly: document.querySelectorAll(".js-plotly-plot").length,
  };
});"""


def test_the_page_paints_a_picture_of_its_first_view_before_the_widgets_then_the_map_replaces_it(
    server, page
):
    page.add_init_script(AT_LOAD + TIMING)
    page.goto(server + "/voila/render/special_education.ipynb", wait_until="commit",
              timeout=120_000)  # fmt: skip
    watch(page, "counties", 33)
    drawn = seconds_to_map(page, since_change=False)
    at_load = page.evaluate("window.atLoad")
    picture = dict(at_load["fills"])  # a path per colour: its rings, each county's at least one
    assert at_load["plotly"] == 0 and sum(picture.values()) >= 33
    assert (
        "示例数据（模拟）" in at_load["text"]
        and "20万人口以上的县有特殊教育学校" in at_load["text"]
    )
    painted = page.evaluate("window.kuoyouPreviewPainted") / 1000
    assert 0 < painted < drawn
    assert page.locator("#kuoyou-preview").count() == 0  # the interactive map replaced it
    # the picture's colours are the map's, with at least as many shapes as counties in each
    fills = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot path.choroplethlocation')]"
        ".map((p) => getComputedStyle(p).fill)"
    )
    counties = Counter(preview._hex(preview._rgb(fill)) for fill in fills)  # plotly: rgb(…)
    assert set(picture) == set(counties) and len(counties) > 1
    assert all(picture[fill] >= n for fill, n in counties.items())
    assert not page.blocked


#: Init script: what had happened when plotly.js ran (it sets window.Plotly), and every address
#: the page's scripts asked for with XMLHttpRequest (Playwright does not report data: URLs).
AT_PLOTLY = """(() => {
  let plotly;
  window.xhrs = [];
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    window.xhrs.push(String(url));
    return open.call(this, method, url, ...rest);
  };
  Object.defineProperty(window, "Plotly", { configurable: true, get: () => plotly, set: (v) => {
    window.atPlotly = window.atPlotly || {
      voila: Object.keys(window).some((k) => k.startsWith("webpackChunk")),
      parsed: document.readyState !== "loading",
    };
    plotly = v;
  } });
})();"""


def test_the_first_map_costs_the_page_no_work_it_can_skip(server, page):
    """What the first map once waited for (each measured in bench/RESULTS.md, all China)."""
    page.add_init_script(AT_PLOTLY)
    page.goto(server + "/voila/render/kindergartens.ipynb", wait_until="domcontentloaded",
              timeout=120_000)  # fmt: skip
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)
    # plotly.js ran once the page was parsed, after Voila's first script had asked for its chunks
    assert page.evaluate("window.atPlotly") == {"voila": True, "parsed": True}
    # no base map asked for (plotly.js would wait for it before drawing)
    assert not [url for url in page.evaluate("window.xhrs") if url.endswith("m.json")]
    # the colour bar fits the map's right margin: plotly.js did not widen it and draw again
    right = page.evaluate("document.querySelector('.js-plotly-plot')._fullLayout._size.r")
    assert right == maps.COLORBAR_MARGIN
    # the province and city lists are in the page's Chinese font, not the browser's Arial
    fonts = page.evaluate(
        "[...document.querySelectorAll('option')].map(o => getComputedStyle(o).fontFamily)"
    )
    assert len(fonts) >= 10 and all(f.startswith('"Noto Sans CJK SC"') for f in fonts)
    # Voila's startup chunks came as one script: none fetched on its own before Voila started
    # (at the load event). A Voila upgrade that fails this: record VOILA_CHUNKS again.
    assert voila.__version__ in voila_server.VOILA_CHUNKS
    alone = page.evaluate(
        """(() => { const load = performance.getEntriesByType('navigation')[0].loadEventStart;
        return performance.getEntriesByType('resource').filter((r) => r.startTime < load)
          .map((r) => r.name).filter((u) => /[/]voila[/]static[/][0-9]+[.]voila[.]js/.test(u)); })()"""
    )
    assert alone == [], f"fetched one by one, not in VOILA_CHUNKS: {alone}"
    one = "performance.getEntriesByName(location.origin + '/voila/kuoyou/voila-chunks.js')"
    assert len(page.evaluate(one)) == 1
    assert not page.blocked
