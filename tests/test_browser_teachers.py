"""The 教师交流轮岗 dashboard in a real browser (Voila + Debian's Chromium, offline).

The expected rate is computed here from the raw demo teacher rows with pandas,
not with the toolkit's functions.
"""

from __future__ import annotations

import pytest

from conftest import ARTIFACTS
from toolkit import data
from toolkit.testing import MAP_DRAWN

pytestmark = pytest.mark.browser

URL = "/voila/render/teachers.ipynb"
Z = "() => Array.from(document.querySelector('.js-plotly-plot').data[0].z, Number)"
LOCATIONS = "() => Array.from(document.querySelector('.js-plotly-plot').data[0].locations)"


def rates_2024():
    """Rotated & eligible ÷ eligible per county, 2024, straight from the demo rows."""
    demo = data.load_demo()
    t = demo.teachers[demo.teachers["year"] == 2024]
    rotated = (t["rotated"] & t["eligible"]).groupby(t["adcode"]).sum()
    rate = rotated / t["eligible"].groupby(t["adcode"]).sum()
    return rate, demo.counties.set_index("adcode")["name"]


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the dropdown labelled ``label`` (by its label: the profile options
    include 诸城市…, which contains 城市)."""
    page.get_by_label(label, exact=True).select_option(label=option)


def test_teachers_dashboard(server, page):
    page.goto(server + URL, wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)
    body = page.inner_text("body")
    assert "示例数据（模拟）" in body and "教师交流轮岗" in body
    summary = page.locator(".kuoyou-benchmark").inner_text()
    assert "金华市" in summary and "≥ 10%" in summary and "其他地区规则，作参照" in summary
    assert "交流期" in body and "数据缺失" in body and "exchange_years" in body
    assert "import" not in body, "code must not be shown"

    # 沁县's rate from the raw rows: on the map (z) and in the trend table
    rate, names = rates_2024()
    adcode = names[names == "沁县"].index[0]
    z = dict(zip(page.evaluate(LOCATIONS), page.evaluate(Z), strict=True))
    assert z[adcode] == pytest.approx(float(rate[adcode]))
    row = page.locator(".kuoyou-trend tr", has_text="沁县").inner_text()
    assert f"{100 * rate[adcode]:.1f}%" in row
    # the worst county heads the table of counties below 10%
    worst = names[rate.idxmin()]
    below = page.locator(".kuoyou-below .kuoyou-table").inner_text()
    assert worst in below.splitlines()[1]
    page.screenshot(path=str(ARTIFACTS / "teachers_all.png"), full_page=True)

    # a click on the map opens the county's detail beside it, with its own senders and receivers
    page.locator("path.choroplethlocation").nth(5).click(force=True)
    detail = "() => document.querySelector('.kuoyou-detail')?.parentElement.innerText || ''"
    page.wait_for_function(f"() => ({detail})().includes('派出最多的学校')", timeout=60_000)
    county = page.locator(".kuoyou-detail").inner_text().split("（")[0]
    assert county in set(names)
    page.screenshot(path=str(ARTIFACTS / "teachers_county_detail.png"))

    before = page.evaluate(Z)
    choose(page, "地图指标", "骨干教师占交流教师比例")
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot').layout.title.text.includes('骨干')",
        timeout=60_000,
    )
    after = page.evaluate(Z)
    assert len(after) == 33 and after != before
    assert "≥20%" in page.evaluate(
        "() => document.querySelector('.js-plotly-plot').layout.title.text"
    )

    choose(page, "城市", "平顶山市")
    page.wait_for_function(MAP_DRAWN, arg=10, timeout=60_000)
    # 平顶山's own plan is chosen: its 3-year exchange period is now its own rule, not a benchmark
    page.wait_for_function(
        "() => document.querySelector('.kuoyou-tenure').innerText.includes('所选目标配置的规则')",
        timeout=60_000,
    )
    locations = page.evaluate(LOCATIONS)
    assert len(locations) == 10 and all(a.startswith("4104") for a in locations)
    selected = page.get_by_label("目标配置", exact=True).evaluate("s => s.selectedOptions[0].text")
    assert selected == "平顶山市（平教体基〔2024〕35号）"
    page.wait_for_function("() => !document.body.innerText.includes('计算中')", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "teachers_pingdingshan.png"), full_page=True)
    assert not page.blocked, f"the page asked the internet for: {page.blocked}"
