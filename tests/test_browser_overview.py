"""The 总览 dashboard in a real browser: map, counts from the raw demo rows, heat colours, links.

Every request that leaves the local server is blocked and recorded (see conftest).
"""

from __future__ import annotations

import pytest

from conftest import ARTIFACTS
from toolkit.data import load_demo
from toolkit.testing import MAP_DRAWN

pytestmark = pytest.mark.browser

COUNT = 'tr[data-rule="jining:pub_kg_share"] td[data-count="达标"]'
YANZHOU = 'td[data-adcode="370812"][data-rule="jining:pub_kg_share"]'


def jining_public_share_met() -> int:
    """济宁 counties with public kindergartens ≥ 80% of 2024 enrolment, from the school rows."""
    demo = load_demo()
    codes = set(demo.counties.loc[demo.counties["city"] == "济宁市", "adcode"].astype(str))
    s = demo.schools
    kg = s[(s["level"] == "幼儿园") & (s["year"] == 2024) & s["adcode"].astype(str).isin(codes)]
    public = kg["enrolment"].where(kg["ownership"] == "公办", 0).groupby(kg["adcode"]).sum()
    share = public / kg.groupby("adcode")["enrolment"].sum()
    return int((share >= 0.8).sum())


def test_overview_dashboard(server, page):
    expected = jining_public_share_met()
    page.goto(server + "/voila/render/overview.ipynb", wait_until="domcontentloaded",
              timeout=120_000)  # fmt: skip
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)
    body = page.inner_text("body")
    assert "示例数据（模拟）" in body
    assert "总览：各县逐条对照目标" in body
    assert "数据不能支持的规则：12条" in body  # collapsed, but counted
    assert "import" not in body, "code must not be shown"
    page.screenshot(path=str(ARTIFACTS / "overview_all.png"), full_page=True)

    # by exact label: the profile list holds “诸城市”, so has_text="城市" would match it too
    page.get_by_label("城市", exact=True).select_option(label="济宁市")
    page.wait_for_function(MAP_DRAWN, arg=11, timeout=60_000)
    page.wait_for_selector(COUNT, timeout=60_000)
    assert page.locator(COUNT).inner_text().strip() == str(expected)
    assert "济宁市（济教字〔2024〕29号）" in page.inner_text("body")
    # 兖州区's public share (62.2%) misses 济宁's 80%: a red cell
    color = page.locator(YANZHOU).evaluate("td => getComputedStyle(td).backgroundColor")
    assert color == "rgb(255, 201, 201)"
    assert "62.2%" in page.locator(YANZHOU).inner_text()
    colorbar_top = page.evaluate(
        "() => document.querySelector('.js-plotly-plot')._fullData[0].zmax"
    )
    assert colorbar_top == 7  # the colour scale ends at the rules 济宁's plan can be checked on
    page.screenshot(path=str(ARTIFACTS / "overview_jining.png"), full_page=True)
    page.locator(".kuoyou-heat").screenshot(path=str(ARTIFACTS / "overview_jining_heat.png"))

    # a rule header opens its focus dashboard
    link = page.locator('.kuoyou-heat th a[href="special_education.ipynb"]').first
    assert link.get_attribute("target") == "_blank"
    href = link.evaluate("a => a.href")
    assert href == server + "/voila/render/special_education.ipynb"
    blocked = list(page.blocked)
    response = page.goto(href, wait_until="domcontentloaded", timeout=120_000)
    assert response is not None and response.status == 200
    page.get_by_text("20万人口以上的县有特殊教育学校").first.wait_for(timeout=120_000)
    assert not blocked, f"the page asked the internet for: {blocked}"
    assert not page.blocked, f"the page asked the internet for: {page.blocked}"
