"""Bring your own data in the page: upload a bureau workbook, see the report, the views switch.

The workbook is 长治's (tests/conftest.py ``bureau_workbook``): a title row, a
merged two-row header, an old county code and four bad rows. A failed upload
(a PDF) must leave the previous data on screen and say why.
"""

from __future__ import annotations

import pytest

from conftest import ARTIFACTS, bureau_workbook
from toolkit.testing import MAP_DRAWN

pytestmark = pytest.mark.browser


def test_upload_switches_the_dashboard_to_the_bureau_data(server, page, tmp_path):
    page.goto(server + "/voila/render/special_education.ipynb", wait_until="domcontentloaded",
              timeout=120_000)  # fmt: skip
    page.wait_for_function(MAP_DRAWN, arg=33, timeout=120_000)

    def upload(path) -> None:  # the widget's <input type=file> is detached: go through the chooser
        with page.expect_file_chooser() as chooser:
            page.locator("button.widget-upload").click()
        chooser.value.set_files(str(path))

    # a file that is not a table: refused, the demo stays
    bad = tmp_path / "报表.pdf"
    bad.write_bytes(b"%PDF-1.4 not a table")
    upload(bad)
    page.get_by_text("上传未成功").wait_for(timeout=60_000)
    assert "PDF" in page.inner_text("body")
    assert page.evaluate("() => document.querySelectorAll('path.choroplethlocation').length") == 33
    assert "示例数据（模拟）" in page.inner_text("body")

    # the bureau's workbook: 9 rows read, 5 used, 4 rejected and listed
    book = bureau_workbook(tmp_path / "长治市教育局.xlsx")
    upload(book)
    page.get_by_text("读取 9 行，使用 5 行，拒绝 4 行").wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert "不能为负数" in body  # 平顺县城关小学, enrolment −3 (row 9)
    assert "长治市教育局.xlsx" in body
    # the counties are those of the rows used (old code 140421 read as 上党区 140404;
    # 平顺县's only row was rejected, so 平顺县 is not shown)
    page.wait_for_function(MAP_DRAWN, arg=4, timeout=60_000)
    locations = page.evaluate("() => document.querySelector('.js-plotly-plot').data[0].locations")
    assert sorted(locations) == ["140403", "140404", "140405", "140406"]
    report = page.locator(".kuoyou-table", has_text="合计").inner_text()
    assert report.count("学校基本情况\t12\t") == 1  # the totals row: one reason, not one per cell
    assert "示例数据（模拟）" not in page.locator(".kuoyou-banner").all_inner_texts()
    page.wait_for_function(  # the panels follow the map
        "() => document.querySelector('.kuoyou-shortfall')?.innerText.includes('屯留区')",
        timeout=60_000,
    )
    shortfalls = page.locator(".kuoyou-shortfall").inner_text()
    assert "屯留区" in shortfalls and "上党区" not in shortfalls  # 上党区 has its school
    page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)
    assert not page.blocked, f"the page asked the internet for: {page.blocked}"
