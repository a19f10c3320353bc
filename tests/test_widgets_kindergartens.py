"""The 公办园占比 dashboard without a browser: known answers from the raw demo rows.

Expected shares are summed here from the demo's kindergarten records with plain
pandas, and outlooks fitted with numpy — not with the toolkit's own functions.
"""

import math
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from toolkit import data, widgets
from toolkit.widgets.dataset import DataSet

JINING, YEXIAN = "370800", "410422"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def raw():
    """Public and total kindergarten enrolment per county and year, from the raw demo rows."""
    demo = data.load_demo()
    kg = demo.schools[demo.schools["level"] == "幼儿园"]
    total = kg.groupby(["adcode", "year"])["enrolment"].sum()
    public = kg[kg["ownership"] == "公办"].groupby(["adcode", "year"])["enrolment"].sum()
    out = pd.DataFrame({"public": public, "total": total}).fillna(0).reset_index()
    out["share"] = out["public"] / out["total"]
    return out.merge(demo.counties[["adcode", "name", "city", "city_adcode"]], on="adcode")


@pytest.fixture(scope="module")
def dash():
    return widgets.KindergartenDashboard()


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def projected(raw, adcode, until, at=2027):
    """Least-squares line through the county's shares up to ``until``, read at ``at``."""
    r = raw[(raw["adcode"] == adcode) & (raw["year"] <= until)]
    slope, intercept = np.polyfit(r["year"], r["share"], 1)
    return min(max(slope * at + intercept, 0.0), 1.0)


def test_map_is_centred_on_the_target_and_city_switch_restyles(raw):
    d = widgets.KindergartenDashboard()
    trace, geojson = d.figure.data[0], d.figure.data[0].geojson
    assert d.profile.value == "national" and trace.zmid == 0.6 and len(trace.locations) == 33
    z = dict(zip(trace.locations, trace.z, strict=True))
    r24 = raw[raw["year"] == 2024].set_index("adcode")
    assert z[YEXIAN] == pytest.approx(r24.loc[YEXIAN, "share"])
    assert "色阶中点＝目标60%" in d.figure.layout.title.text
    d.city.value = JINING
    assert d.profile.value == "jining"  # the city's own plan
    trace = d.figure.data[0]
    assert (
        trace.zmid == 0.8 and trace.zmin == pytest.approx(0.6) and trace.zmax == pytest.approx(1.0)
    )  # white at 80%
    assert sorted(trace.locations) == sorted(
        raw.loc[raw["city_adcode"] == JINING, "adcode"].unique()
    )
    assert len(trace.locations) == 11 and trace.geojson is geojson  # restyled, not rebuilt
    assert "目标80%" in d.figure.layout.title.text and len(d.figure.data[1].text) == 11
    # the trend: one sparkline per county of 济宁, lowest share first, 金乡县 (50.1% < 80%) warm
    trend = d.trend.value
    assert trend.count("<svg") == 11 and trend.count("stroke-dasharray") == 11  # target line
    rows = re.findall(r"<tr><td>(\S+?)</td><td><svg.*?<polyline [^>]*stroke=\"(#\w+)\"", trend)
    r24 = raw[(raw["year"] == 2024) & (raw["city_adcode"] == JINING)].sort_values("share")
    assert [n for n, _ in rows] == r24["name"].tolist()
    assert rows[0] == ("金乡县", "#d6604d") and dict(rows)["曲阜市"] == "#4393c3"
    first = raw[(raw["adcode"] == "370828") & (raw["year"] == 2020)]["share"].iloc[0]
    assert f'{pct(first)}</td><td class="num">{pct(r24["share"].iloc[0])}' in trend


def _weighted_rows(rows: pd.DataFrame, name: str) -> tuple[str, str]:
    """The summary's start of a row for ``rows`` (weighted, not a mean of shares), its places."""
    share = rows["public"].sum() / rows["total"].sum()
    places = max(0, math.ceil(0.6 * rows["total"].sum() - rows["public"].sum()))
    return (
        f"{name} {rows['public'].sum():,} {rows['total'].sum():,} {pct(share)} 60%",
        f"{places:,}",
    )


def test_city_and_province_figures_are_weighted(raw):
    dash = widgets.KindergartenDashboard()
    r24 = raw[raw["year"] == 2024]
    province = {"长治市": "山西省", "平顶山市": "河南省", "济宁市": "山东省"}
    # several provinces (all of them): one row per province, no city rows
    summary = text(dash.summary.value)
    assert summary.startswith(" 各省加权占比（2024年）")
    for city, rows in r24.groupby("city"):
        row, places = _weighted_rows(rows, f"{province[city]}（数据中{len(rows)}个县合计）")
        assert row in summary and places in summary and f" {city} " not in summary
    assert "河南省（数据中10个县合计） 85,055 153,887 55.3% 60% -4.7 未达标 7,278" in summary
    assert "各县公办园在园幼儿之和 ÷ 各县在园幼儿之和" in summary
    assert "目标针对全国全域，逐县比较仅作参照" in summary
    # one province: its cities, then the province
    for city, rows in r24.groupby("city"):
        dash.province.value = {"山西省": "140000", "河南省": "410000", "山东省": "370000"}[
            province[city]
        ]
        summary = text(dash.summary.value)
        row, places = _weighted_rows(rows, city)
        assert summary.startswith(" 全市与全省加权占比（2024年）") and row in summary
        assert places in summary and f"{province[city]}（数据中{len(rows)}个县合计）" in summary
    dash.province.value = "410000"
    assert "平顶山市 85,055 153,887 55.3% 60% -4.7 未达标 7,278" in text(dash.summary.value)


def test_counties_below_target_sorted_by_gap_with_places_and_outlook(dash, raw):
    table = text(dash.table.value)
    r24 = raw[raw["year"] == 2024]
    below = r24[r24["share"] < 0.6].sort_values("share")
    assert f"（{len(below)}个，按差距排序" in table
    names = re.findall(r"(\S+) (?:长治市|平顶山市|济宁市) \d", table)
    assert names == below["name"].tolist()  # largest gap first
    y = r24.set_index("adcode").loc[YEXIAN]
    places = math.ceil(0.6 * y["total"] - y["public"])  # 0.6 × 20,856 − 8,604 = 3,909.6
    assert places == 3910
    proj = projected(raw, YEXIAN, 2024)
    assert proj < 0.55  # more than 5 points short at 2027
    assert (
        f"叶县 平顶山市 {pct(y['share'])} 60% {100 * (y['share'] - 0.6):+.1f} 3,910 难以达标（{pct(proj)}）"
        in table
    )
    assert "2027年研判" in table and names[0] == "壶关县"  # 34.6%, the lowest
    method = text(dash.method.value)
    assert "用户设定方法，不是政策规定" in method and "最小二乘" in method
    assert "幼儿园学校记录" in method


def test_year_change_recomputes_shares_and_outlook(raw):
    d = widgets.KindergartenDashboard()
    d.year.value = 2022
    r22 = raw[raw["year"] == 2022].set_index("adcode")
    z = dict(zip(d.figure.data[0].locations, d.figure.data[0].z, strict=True))
    assert z[YEXIAN] == pytest.approx(r22.loc[YEXIAN, "share"])
    proj = projected(raw, YEXIAN, 2022)  # only 2020–2022 are known in 2022
    assert f"叶县 平顶山市 {pct(r22.loc[YEXIAN, 'share'])}" in text(d.table.value)
    assert f"（{pct(proj)}）" in text(d.table.value)
    assert "2022年" in d.figure.layout.title.text
    assert "2022年</th>" in d.trend.value  # the sparklines mark the chosen year


def test_inclusive_coverage_is_reported_not_judged(dash, raw):
    demo = data.load_demo()
    kg = demo.schools[(demo.schools["level"] == "幼儿园") & (demo.schools["year"] == 2024)]
    kg = kg.merge(demo.counties[["adcode", "city"]], on="adcode")
    counted = kg["ownership"].eq("公办") | kg["inclusive"].fillna(False).astype(bool)
    jn = kg[kg["city"] == "济宁市"]
    share = jn.loc[counted[jn.index], "enrolment"].sum() / jn["enrolment"].sum()
    incl = text(dash.inclusive.value)  # all provinces: by province (济宁 is 山东's only city)
    assert "省份 覆盖率（加权）" in incl and f"山东省 {pct(share)}" in incl and "不适用" in incl
    assert "原文无数值目标：只报告数值，不判断达标" in incl
    one = widgets.KindergartenDashboard()
    one.province.value = "370000"
    incl = text(one.inclusive.value)
    assert "城市 覆盖率（加权）" in incl and f"济宁市 {pct(share)}" in incl


def test_profiles_without_a_number_and_with_another_deadline():
    d = widgets.KindergartenDashboard()
    d.profile.value = "tongling"  # 不断提高公办园在园幼儿占比: no number
    trace = d.figure.data[0]
    assert trace.zmid is None and trace.colorscale[0][1] != "#b2182b"  # plain scale
    assert "没有公办园占比的数值目标" in text(d.summary.value)
    assert "无数值目标，普通色阶" in d.figure.layout.title.text
    assert d.table.value == "" and "stroke-dasharray" not in d.trend.value  # no target line
    assert "≥ 85%" in text(d.inclusive.value)  # 铜陵 does set the inclusive share: judged
    d.profile.value = "yichang"  # 确保 ≥ 50%, no deadline in the text
    assert d.figure.data[0].zmid == 0.5
    assert "2025年研判" in text(d.table.value)
    assert "原文未给期限，按配置年限2025年研判" in text(d.method.value)
    assert "004_0e6a438a1964c2be.txt 第813行" in d.sources.value


def test_sources_banner_and_benchmark_label(dash):
    assert "示例数据（模拟）" in dash.banner.value
    assert dash.figure.layout.annotations[0].text == "示例数据（模拟）"
    src = dash.sources.value
    assert "003_2312c144af1f05ee.txt 第7行：“公办园在园幼儿占比力争达到60%以上”" in src
    assert "全域目标，逐县比较仅作参照" in src
    hover = dash.figure.data[0].text[list(dash.figure.data[0].locations).index(YEXIAN)]
    assert "需新增公办学位：3,910" in hover and "难以达标" in hover


def test_works_from_county_totals():
    demo = data.load_demo()
    totals = DataSet(SimpleNamespace(counties=demo.counties, indicators=demo.indicators),
                     origin="县级汇总.xlsx", is_demo=False)  # fmt: skip
    d = widgets.KindergartenDashboard(totals)
    summary = text(d.summary.value)
    assert "河南省（数据中10个县合计） 85,055 153,887 55.3% 60% -4.7 未达标 7,278" in summary
    assert "县级汇总" in text(d.method.value) and "示例数据" not in d.banner.value
    assert "叶县" in text(d.table.value) and len(d.figure.data[0].locations) == 33


def test_english_and_errors():
    d = widgets.KindergartenDashboard()
    d.language.value = "en"
    assert "enrolment-weighted" in d.summary.value and "Outlook 2027" in d.table.value
    assert "Public share by county" in d.trend.value
    broken = widgets.kindergartens_dashboard(counties=pd.DataFrame({"adcode": ["1"]}))
    assert "出错了" in broken.value and "Traceback" not in broken.value
    demo = data.load_demo()
    no_kg = DataSet(SimpleNamespace(counties=demo.counties, schools=demo.schools.iloc[:0]),
                    origin="x.csv", is_demo=False)  # fmt: skip
    box = widgets.kindergartens_dashboard(dataset=no_kg)
    assert "kg_enrolment" in box.value and "出错了" in box.value


def test_long_tables_are_cut_with_a_note_and_totals_from_every_county(raw, monkeypatch):
    from toolkit.widgets import common

    monkeypatch.setattr(common, "ROWS_SHOWN", 3)  # as a national view: more rows than shown
    d = widgets.KindergartenDashboard()
    r24 = raw[raw["year"] == 2024]
    below = r24[r24["share"] < 0.6].sort_values("share")
    assert len(below) > 3
    table = text(d.table.value)
    names = re.findall(r"(\S+) (?:长治市|平顶山市|济宁市) \d", table)
    assert names == below["name"].head(3).tolist()  # the three largest gaps
    assert f"（{len(below)}个，按差距排序" in table and f"前3个（共{len(below)}个）" in table
    places = sum(
        math.ceil(0.6 * t - p) for t, p in zip(below["total"], below["public"], strict=True)
    )
    assert f"缺口合计 {places:,} 个学位" in table  # summed over every county below, not the three
    trend = d.trend.value
    assert trend.count("<svg") == 3 and "前3个（共33个）" in text(trend)
    lowest = r24.sort_values("share")["name"].head(3).tolist()
    assert re.findall(r"<tr><td>([^<]+)</td><td><svg", trend) == lowest
