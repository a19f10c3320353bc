"""The 公办园占比 dashboard in a real browser (Voila + Debian's Chromium, offline).

Expected numbers are summed from the raw demo kindergarten rows with pandas here,
not taken from the toolkit's functions.
"""

from __future__ import annotations

import math

import pytest

from conftest import ARTIFACTS
from toolkit import data
from toolkit.testing import MAP_DRAWN, MAP_FILLS, hover_text

pytestmark = pytest.mark.browser

URL = "/voila/render/kindergartens.ipynb"


def shares(year: int):
    """Public share per county from the raw demo rows (public and all kindergarten enrolment)."""
    demo = data.load_demo()
    kg = demo.schools[(demo.schools["level"] == "幼儿园") & (demo.schools["year"] == year)]
    kg = kg.assign(public=kg["enrolment"].where(kg["ownership"] == "公办", 0))
    out = kg.groupby("adcode")[["public", "enrolment"]].sum()
    out["share"] = out["public"] / out["enrolment"]
    names = demo.counties.set_index("adcode")["name"]
    return out.assign(name=names.reindex(out.index))


def shortfall_text(page) -> str:
    return page.locator(".kuoyou-shortfall .kuoyou-table").inner_text()


def choose(page, label: str, option: str) -> None:
    page.locator(".widget-dropdown", has_text=label).locator("select").select_option(label=option)


def test_kindergarten_dashboard(server, page):
    page.goto(server + URL, wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)
    body = page.inner_text("body")
    assert "示例数据（模拟）" in body and "公办园在园幼儿占比" in body
    assert "逐县比较仅作参照" in body and "用户设定方法，不是政策规定" in body
    # the county furthest below 60% in 2024, and 叶县 with its places, from the raw rows
    s24 = shares(2024)
    worst = s24.sort_values("share").iloc[0]
    yexian = s24[s24["name"] == "叶县"].iloc[0]
    places = math.ceil(0.6 * yexian["enrolment"] - yexian["public"])  # 3,910
    table = shortfall_text(page)
    assert worst["name"] in table.splitlines()[1]  # first row under the header
    assert f"{100 * yexian['share']:.1f}%" in table and f"{places:,}" in table
    assert page.evaluate("() => document.querySelector('.js-plotly-plot').data[0].zmid") == 0.6
    assert page.locator(".js-plotly-plot").count() == 1  # the trend is an HTML sparkline table
    assert page.locator(".kuoyou-trend svg").count() == 33
    page.screenshot(path=str(ARTIFACTS / "kindergartens_all.png"), full_page=True)

    choose(page, "城市", "济宁市")  # 济宁's own plan: 80%
    page.wait_for_function(MAP_DRAWN, arg=11, timeout=60_000)
    # every panel is repainted in turn: wait for each one asserted on below
    for script in (
        "() => document.body.innerText.includes('目标针对济宁市全域')",
        "() => document.querySelector('.kuoyou-shortfall').innerText.includes('80%')",
        "() => document.querySelectorAll('.kuoyou-trend svg').length === 11",
    ):
        page.wait_for_function(script, timeout=60_000)
    locations = page.evaluate("() => document.querySelector('.js-plotly-plot').data[0].locations")
    assert len(locations) == 11 and all(a.startswith("3708") for a in locations)
    assert page.evaluate("() => document.querySelector('.js-plotly-plot').data[0].zmid") == 0.8
    assert "济宁市（济教字〔2024〕29号）" in page.inner_text("body")
    assert "叶县" not in shortfall_text(page)
    page.screenshot(path=str(ARTIFACTS / "kindergartens_jining.png"), full_page=True)

    choose(page, "年份", "2022年")
    jinxiang = shares(2022).set_index("name").loc["金乡县"]
    expected = f"{100 * jinxiang['share']:.1f}%"  # 46.1% (50.1% in 2024)
    page.wait_for_function(
        "t => document.querySelector('.kuoyou-shortfall .kuoyou-table').innerText.includes(t)",
        arg=expected, timeout=60_000,
    )  # fmt: skip
    assert "金乡县" in shortfall_text(page)
    page.screenshot(path=str(ARTIFACTS / "kindergartens_jining_2022.png"), full_page=True)
    assert not page.blocked, f"the page asked the internet for: {page.blocked}"


def test_a_new_year_repaints_the_values_without_redrawing_the_map(server, page):
    """Choosing another year changes only the counties' values: the map repaints them without
    plotly.js's full redraw (no ``Plotly.react``), and paints what that redraw would have; the
    hover shows the new year's share (summed from the raw rows here). A city then is redrawn."""
    page.goto(server + URL, wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)
    page.evaluate(
        "() => { const react = Plotly.react; window.reacts = 0;"
        " Plotly.react = function (...a) { window.reacts++; return react.apply(this, a); }; }"
    )
    before, _, title = page.evaluate(MAP_FILLS)
    assert "2024年" in title
    choose(page, "年份", "2022年")
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot').layout.meta.year === 2022", timeout=60_000
    )
    fills, redrawn, title = page.evaluate(MAP_FILLS)
    assert page.evaluate("window.reacts") == 0
    assert "2022年" in title and page.locator(".gtitle", has_text="2022年").count() == 1
    assert len(fills) == 33 and fills == redrawn
    assert sum(fills[a] != before[a] for a in fills) >= 10  # the year's values did change
    county = shares(2022).set_index("name").loc["金乡县"]  # 46.1% (50.1% in 2024)
    loc = page.evaluate(
        "() => { const d = document.querySelector('.js-plotly-plot').data[0];"
        " return d.locations[d.text.findIndex((t) => t.includes('金乡县'))]; }"
    )
    text = hover_text(page, loc)
    assert "金乡县" in text and f"{100 * county['share']:.1f}%" in text
    choose(page, "城市", "济宁市")
    page.wait_for_function(MAP_DRAWN, arg=11, timeout=60_000)
    assert page.evaluate("window.reacts") == 1
    fills, redrawn, _ = page.evaluate(MAP_FILLS)
    assert len(fills) == 11 and fills == redrawn
