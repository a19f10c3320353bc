"""What every dashboard must do in Chromium: county detail, downloads, English, upload.

For each dashboard of the landing page (Voila + Debian's Chromium, offline):

- a click on a county opens its detail panel (known answer: the county's 2020
  census population, or for the teachers page its rotation figures);
- 下载 Excel gives a workbook that opens and lists the counties shown, with the
  示例数据（模拟） note; 下载地图（HTML） gives a file that draws the map in a
  browser with no network at all;
- the English switch turns the controls and tables into English;
- uploading 长治's county totals (one bad row) shows the rejection with its row
  and reason, and the map then shows 长治's 12 counties from the uploaded numbers.
"""

from __future__ import annotations

import openpyxl
import pytest

from conftest import ARTIFACTS, CHANGZHI_TOTALS, county_totals_workbook
from toolkit import data
from toolkit.testing import MAP_DRAWN
from toolkit.widgets import (
    KindergartenDashboard,
    OverviewDashboard,
    SpecialEducationDashboard,
    TeachersDashboard,
)
from toolkit.widgets.landing import DASHBOARDS

pytestmark = pytest.mark.browser

PAGES = [e.notebook for e in DASHBOARDS]
TITLES = {"overview.ipynb": OverviewDashboard, "special_education.ipynb": SpecialEducationDashboard,
          "kindergartens.ipynb": KindergartenDashboard, "teachers.ipynb": TeachersDashboard}  # fmt: skip
LOCATIONS = "() => Array.from(document.querySelector('.js-plotly-plot').data[0].locations)"
Z = "() => Array.from(document.querySelector('.js-plotly-plot').data[0].z, Number)"


def open_page(server, page, notebook: str) -> None:
    page.goto(f"{server}/voila/render/{notebook}", wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)


def click_button(page, label: str) -> None:
    page.locator("button", has_text=label).first.click()


@pytest.mark.parametrize("notebook", PAGES)
def test_county_detail_and_downloads(server, page, browser, notebook, tmp_path):
    open_page(server, page, notebook)
    counties = data.load_demo().counties.assign(adcode=lambda c: c["adcode"].astype(str))
    names = counties.set_index("adcode")["name"]

    # the county under the mouse opens its detail panel
    page.locator("path.choroplethlocation").nth(3).click(force=True)
    page.wait_for_selector(".kuoyou-county-detail", timeout=60_000)
    adcode = page.locator(".kuoyou-county-detail").get_attribute("data-adcode")
    detail = page.locator(".kuoyou-county-detail").inner_text()
    assert names[adcode] in detail
    if notebook == "teachers.ipynb":
        assert "交流轮岗比例" in detail and "派出最多的学校" in detail
    else:  # the census population, as the census table has it
        population = int(counties.set_index("adcode").loc[adcode, "population"])
        assert f"{population:,}人" in detail

    # Excel: a workbook that opens, with the counties shown and the demo note
    click_button(page, "下载 Excel")
    link = page.locator("a.kuoyou-download", has_text="下载 Excel")
    link.wait_for(timeout=60_000)
    with page.expect_download() as download:
        link.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"
    book = openpyxl.load_workbook(path, read_only=True)
    cells = {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
             for v in row if v is not None}  # fmt: skip
    assert {"潞州区", "叶县", "任城区"} <= cells
    assert any("示例数据（模拟）" in c for c in cells)

    # standalone HTML: the map draws from the file alone, with the network switched off
    click_button(page, "下载地图（HTML）")
    link = page.locator("a.kuoyou-download", has_text="下载地图")
    link.wait_for(timeout=60_000)
    with page.expect_download() as download:
        link.click()
    html = tmp_path / "map.html"
    download.value.save_as(html)
    offline = browser.new_context(offline=True)
    try:
        alone = offline.new_page()
        alone.goto(html.as_uri())
        alone.wait_for_function(MAP_DRAWN, arg=33, timeout=60_000)
    finally:
        offline.close()
    assert not page.blocked, f"the page asked the internet for: {page.blocked}"


@pytest.mark.parametrize("notebook", PAGES)
def test_english_switch(server, page, notebook):
    open_page(server, page, notebook)
    page.get_by_role("button", name="English").click()
    page.get_by_label("City", exact=True).wait_for(timeout=60_000)
    title = TITLES[notebook].title[1]
    page.wait_for_function(  # the panels arrive together after the map, in no fixed order
        "t => ['Where the rules come from', t].every(x => document.body.innerText.includes(x))",
        arg=title, timeout=60_000,
    )  # fmt: skip
    body = page.inner_text("body")
    assert "Year" in body and "Target profile" in body and "Download Excel" in body
    assert "County" in body and "出处" not in body  # tables and sources in English
    assert "示例数据（模拟）" in body and "simulated" in body  # the banner stays, in both languages
    assert title in body
    page.screenshot(path=str(ARTIFACTS / f"english-{notebook}.png"), full_page=True)


#: When each page's table of shortfalls shows the uploaded workbook (长治's counties only).
PANEL_READY = {
    "special_education.ipynb": "() => { const t = document.querySelector('.kuoyou-shortfall')"
    "?.innerText || ''; return t.includes('黎城县') && !t.includes('鲁山县'); }",
    "kindergartens.ipynb": "() => [...document.querySelectorAll('.kuoyou-shortfall tr')]"
    ".some(tr => tr.innerText.startsWith('襄垣县') && tr.innerText.includes('610'))",
    "teachers.ipynb": "() => [...document.querySelectorAll('.kuoyou-below tr')]"
    ".some(tr => tr.innerText.startsWith('潞城区') && tr.innerText.includes('35/700'))",
}


def expected(notebook: str) -> dict[str, float] | None:
    """Map values the uploaded 2024 totals must give, computed here from the rows themselves."""
    if notebook == "kindergartens.ipynb":
        return {code: public / kg for code, _, kg, public, *_ in CHANGZHI_TOTALS}
    if notebook == "teachers.ipynb":
        return {code: rotated / eligible for code, *_, eligible, rotated, _ in CHANGZHI_TOTALS}
    return None


@pytest.mark.parametrize("notebook", PAGES)
def test_upload_with_one_bad_row(server, page, notebook, tmp_path):
    open_page(server, page, notebook)
    book = county_totals_workbook(tmp_path / "长治市汇总.xlsx")
    with page.expect_file_chooser() as chooser:
        page.locator("button.widget-upload").click()
    chooser.value.set_files(str(book))
    page.get_by_text("读取 25 行，使用 24 行，拒绝 1 行").wait_for(timeout=60_000)
    report = page.locator(".kuoyou-table", has_text="140499").inner_text()
    assert "县级汇总\t27\t" in report and "不存在的行政区划代码" in report
    page.wait_for_function(MAP_DRAWN, arg=12, timeout=60_000)
    page.wait_for_function(  # the panels follow the map
        "() => !document.querySelector('.kuoyou-banner')?.innerText.includes('示例数据')",
        timeout=60_000,
    )
    locations = page.evaluate(LOCATIONS)
    assert sorted(locations) == sorted(code for code, *_ in CHANGZHI_TOTALS)
    assert "示例数据（模拟）" not in " ".join(page.locator(".kuoyou-banner").all_inner_texts())
    assert "长治市汇总.xlsx" in page.inner_text("body")
    want = expected(notebook)
    if want is not None:  # the map's values are the uploaded numbers
        z = dict(zip(locations, page.evaluate(Z), strict=True))
        assert z == pytest.approx(want, abs=1e-9)
    # which counties miss the target and by how much, from the uploaded numbers
    if notebook in PANEL_READY:  # the table of who misses, once it holds the uploaded rows
        page.wait_for_function(PANEL_READY[notebook], timeout=60_000)
    if notebook == "special_education.ipynb":  # 黎城县 (134,186): neither school nor class
        shortfall = page.locator(".kuoyou-shortfall").inner_text()
        assert "黎城县" in shortfall and "潞州区" not in shortfall
        assert "屯留区" in shortfall  # 253,756 people and no special school
    if notebook == "kindergartens.ipynb":  # national 60%: 50% in 襄垣县, ⌈0.6 × 6,100 − 3,050⌉
        below = page.locator(".kuoyou-shortfall").inner_text()
        row = next(line for line in below.splitlines() if line.startswith("襄垣县"))
        assert "50.0%" in row and "-10.0" in row and "610" in row
        assert "屯留区" not in below  # exactly 60%: 以上 includes the target itself
    if notebook == "teachers.ipynb":  # 金华's 10% as a benchmark: 潞城区 35 of 700 = 5.0%
        below = page.locator(".kuoyou-below").inner_text()
        row = next(line for line in below.splitlines() if line.startswith("潞城区"))
        assert "5.0%" in row and "-5.0" in row and "35/700" in row
        assert "沁县" not in below  # 38 of 380 = 10%, not below
    page.screenshot(path=str(ARTIFACTS / f"upload-{notebook}.png"), full_page=True)
    assert not page.blocked, f"the page asked the internet for: {page.blocked}"
