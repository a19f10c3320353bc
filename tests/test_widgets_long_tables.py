"""Long tables are cut at ROWS_SHOWN rows in every dashboard, with a note naming how many there are.

At national scale a table of every county was over a megabyte of HTML per repaint; the demo's
33 counties stand in for it with ``ROWS_SHOWN`` set to 3.
"""

import re

import pytest

from toolkit import indicators, widgets
from toolkit.widgets import common

SHOWN = 3


@pytest.fixture(autouse=True)
def few_rows(monkeypatch):
    monkeypatch.setattr(common, "ROWS_SHOWN", SHOWN)


def body_rows(html: str) -> int:
    """Rows in the body of the (first) table of ``html``."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body, html[:200]
    return len(re.findall(r"<tr[ >]", body.group(1)))


def note(total: int) -> str:
    return f"表中列出前{SHOWN}个（共{total}个）；各县完整结果见“下载Excel”。"


def test_cut_keeps_the_first_rows_and_says_how_many():
    import pandas as pd

    rows, text = common.cut(pd.DataFrame({"a": range(10)}))
    assert rows["a"].tolist() == [0, 1, 2] and text == note(10)
    rows, text = common.cut(pd.DataFrame({"a": range(SHOWN)}), "en")
    assert len(rows) == SHOWN and text == ""
    assert "first 3 of 10" in common.cut(pd.DataFrame({"a": range(10)}), "en")[1]


def test_overview_heat_table(demo):
    d = widgets.OverviewDashboard()
    assert body_rows(d.heat.value) == SHOWN
    assert note(len(demo.counties)) in d.heat.value


def test_special_education_shortfall(demo):
    d = widgets.SpecialEducationDashboard()
    res = d.result  # the dashboard's own per-county result, checked against a recount below
    short = res[res["status"].isin([indicators.UNMET, indicators.MISSING])]
    assert len(short) > SHOWN
    assert f"未达标的县（{len(short)}个）" in d.table.value
    assert body_rows(d.table.value) == SHOWN and note(len(short)) in d.table.value
    rates = int(re.search(r"入学率与经费未达标（(\d+)项）", d.extra.value).group(1))
    assert rates > SHOWN
    assert body_rows(d.extra.value) == SHOWN and note(rates) in d.extra.value


def test_teachers_tables(demo):
    d = widgets.TeachersDashboard()
    heading = re.search(r"低于参照标准的县（(\d+)个", d.below_table.value)
    below = int(heading.group(1))
    assert below > SHOWN
    assert body_rows(d.below_table.value) == SHOWN and note(below) in d.below_table.value
    counties = len(demo.counties)
    for panel in (d.trend, d.tenure):
        assert body_rows(panel.value) == SHOWN and note(counties) in panel.value
