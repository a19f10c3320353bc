"""The teacher-rotation dashboard without a browser: known answers from a hand-made roster and the demo."""

import re
from types import SimpleNamespace

import pandas as pd
import pytest

from toolkit import widgets
from toolkit.widgets.dataset import DataSet
from toolkit.widgets.teachers import KEY, RATE


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def z_by_county(d) -> dict:
    trace = d.figure.data[0]
    return dict(zip(trace.locations, (float(v) for v in trace.z), strict=True))


# Two counties of 长治, four schools, six teachers followed from 2023 to 2024 (no eligible column):
#   a: A 8 yrs, key, rotates in 2023 → B in 2024 (0 yrs)     b: A 7 → 8, rotates in 2024
#   c: A 13 → 14                                             d: B 10 → 11
#   e: C 6, rotates in 2023 → D in 2024 (0 yrs)              f: C 9 → 10
ROWS = [  # teacher, year, school, adcode, years_at_school, rotated, key
    ("a", 2023, "A", "140403", 8, True, True), ("b", 2023, "A", "140403", 7, False, False),
    ("c", 2023, "A", "140403", 13, False, False), ("d", 2023, "B", "140403", 10, False, False),
    ("e", 2023, "C", "140404", 6, True, False), ("f", 2023, "C", "140404", 9, False, False),
    ("a", 2024, "B", "140403", 0, False, True), ("b", 2024, "A", "140403", 8, True, False),
    ("c", 2024, "A", "140403", 14, False, False), ("d", 2024, "B", "140403", 11, False, False),
    ("e", 2024, "D", "140404", 0, False, False), ("f", 2024, "C", "140404", 10, False, False),
]  # fmt: skip


def hand_made() -> DataSet:
    teachers = pd.DataFrame(ROWS, columns=["teacher_id", "year", "school_id", "adcode",
                                           "years_at_school", "rotated", "key_teacher"])  # fmt: skip
    counties = pd.DataFrame({"adcode": ["140403", "140404"], "name": ["潞州区", "上党区"],
                             "city": "长治市", "city_adcode": "140400", "province": "山西省",
                             "province_adcode": "140000", "population": [1_000, 2_000]})  # fmt: skip
    schools = pd.DataFrame({"school_id": list("ABCD"), "name": ["甲小学", "乙小学", "丙中学", "丁中学"],
                            "adcode": ["140403", "140403", "140404", "140404"], "year": 2024})  # fmt: skip
    tables = SimpleNamespace(counties=counties, schools=schools, teachers=teachers)
    return DataSet(tables, origin="手工名册", is_demo=False)


def test_hand_made_roster_by_hand():
    d = widgets.TeachersDashboard(hand_made())
    assert d.message.value == ""
    assert [y for _, y in d.year.options] == [2024, 2023]  # teacher years only
    # 2024, eligible = ≥ 6 years (user-chosen): 潞州区 b, c, d eligible, b rotated → 1/3; 上党区 f → 0/1
    z = z_by_county(d)
    assert z["140403"] == pytest.approx(1 / 3) and z["140404"] == 0.0
    assert "用户设定参数" in d.param_note.value and "≥6年" in d.param_note.value
    assert not d.min_years.disabled
    # the map diverges at 金华's 10%: white at the target, colour range 0–20%
    trace = d.figure.data[0]
    assert (trace.zmin, trace.zmax) == (0.0, 0.2)
    assert "参照金华市 ≥10%" in d.figure.layout.title.text
    assert "交流轮岗比例 ：25.0%（1/4）" in text(d.summary.value)  # area: (1+0)/(3+1)
    below = text(d.below_table.value)
    assert "上党区" in below and "-10.0" in below and "潞州区" not in below
    # tenure 2024: 潞州区 c (14) over 12; c and d (≥ 9, not rotated) due; 上党区 f due
    tenure = text(d.tenure.value)
    assert "潞州区 长治市 4 1 25.0% 2 50.0%" in tenure
    assert "上党区 长治市 2 0 0.0% 1 50.0%" in tenure
    assert "数据缺失" in tenure and "exchange_years" in tenure
    # trend: 潞州区 2023 a of a, b, c, d (25%), 2024 33.3%
    assert "潞州区 长治市 25.0% 33.3%" in text(d.trend.value)
    # flows: no 2025 roster → the 2023 exchange: A sent a (key) to B, C sent e to D
    flows = text(d.flows.value)
    assert "名册中没有2025年的记录" in flows
    assert "甲小学 潞州区 1 1 0 0 -1" in flows and "丙中学 上党区 1 0 0 0 -1" in flows
    assert "乙小学 潞州区 0 0 1 1 1" in flows and "丁中学 上党区 0 0 1 0 1" in flows


def test_controls_restyle_the_same_map():
    d = widgets.TeachersDashboard(hand_made())
    geojson = d.figure.data[0].geojson
    d.measure.value = KEY  # key teachers among those rotated in 2024: 潞州区 b is not one
    z = z_by_county(d)
    assert z["140403"] == 0.0 and pd.isna(z["140404"])  # 上党区 rotated nobody
    assert (
        "骨干教师占交流教师比例" in d.figure.layout.title.text
        and "≥20%" in d.figure.layout.title.text
    )
    assert (d.figure.data[0].zmin, d.figure.data[0].zmax) == (0.0, 0.4)
    d.measure.value = RATE
    d.min_years.value = 10  # eligible now: c (14), d (11) in 潞州区, f (10) in 上党区; none rotated
    assert z_by_county(d) == {"140403": 0.0, "140404": 0.0}
    assert "≥10年" in d.param_note.value
    d.min_years.value = 6
    d.year.value = 2023  # 潞州区 a of 4 eligible; 上党区 e of e, f
    assert z_by_county(d) == pytest.approx({"140403": 0.25, "140404": 0.5})
    flows = text(d.flows.value)
    assert "名册中没有" not in flows and "2023年交流：2所学校派出2人" in flows
    assert d.figure.data[0].geojson is geojson and d.message.value == ""


def test_county_detail_lists_its_own_schools():
    d = widgets.TeachersDashboard(hand_made())
    detail = text(d.detail_html("140404"))
    assert "上党区（长治市，2024）" in detail
    assert "丙中学" in detail and "甲小学" not in detail
    assert "交流轮岗比例 0.0% 0/1" in detail


def test_map_click_opens_the_county_detail():
    d = widgets.TeachersDashboard(hand_made())
    # the message the map widget's JavaScript sends when 上党区 is clicked
    d.map._handle_message(d.map, {"event": "click", "location": "140404", "curve": 0}, [])
    assert d.message.value == ""
    assert "上党区（长治市，2024）" in text(d.detail.value)


def test_demo_page(demo):
    d = widgets.TeachersDashboard()
    assert d.message.value == "" and "示例数据（模拟）" in d.banner.value
    assert d.figure.layout.annotations[0].text == "示例数据（模拟）"
    assert d.min_years.disabled and "eligible 列" in d.param_note.value
    # each county's rate straight from the raw rows: rotated & eligible ÷ eligible, 2024
    t = demo.teachers[demo.teachers["year"] == 2024]
    by = t.groupby("adcode")
    rate = (t["rotated"] & t["eligible"]).groupby(t["adcode"]).sum() / by["eligible"].sum()
    z = z_by_county(d)
    assert len(z) == 33
    assert pd.Series(z).sort_index().to_numpy() == pytest.approx(rate.sort_index().to_numpy())
    # below the benchmark: exactly the counties under 10%, worst first
    below = rate[rate < 0.10].sort_values()
    names = demo.counties.set_index("adcode")["name"]
    table = text(d.below_table.value)
    assert f"（{len(below)}个" in table
    positions = [table.index(f" {names[a]} ") for a in below.index]
    assert positions == sorted(positions)
    assert "金华市" in text(d.summary.value) and "其他地区规则，作参照" in text(d.summary.value)
    sources = text(d.sources.value)
    assert "004_0e6a438a1964c2be.txt 第623行" in sources  # 金华 10% / 20%
    assert "004_0e6a438a1964c2be.txt 第1259行" in sources  # 诸城 9 / 12 years
    assert "001_30c7ead1cea38f01.txt 第48行" in sources  # 平顶山 3 years
    assert "数据缺失" in text(d.tenure.value)


def test_demo_city_switch_and_english():
    d = widgets.TeachersDashboard()
    geojson = d.figure.data[0].geojson
    d.city.value = "410400"  # 平顶山市: its own plan sets the exchange period
    assert d.profile.value == "pingdingshan" and d.message.value == ""
    assert len(d.figure.data[0].locations) == 10 and d.figure.data[0].geojson is geojson
    assert "所选目标配置的规则" in d.tenure.value  # 3 years is 平顶山's own rule here
    assert "其他地区规则" in d.summary.value  # 金华's 10% is still a benchmark
    d.language.value = "en"
    assert d.measure.options[0][0] == "Rotation rate" and d.measure.value == RATE
    assert "Counties below the benchmark" in d.below_table.value


def test_errors_become_a_friendly_message():
    counties = pd.DataFrame({"adcode": ["140403"], "name": ["潞州区"], "city": "长治市",
                             "city_adcode": "140400", "province": "山西省",
                             "province_adcode": "140000"})  # fmt: skip
    data = DataSet(SimpleNamespace(counties=counties), origin="x", is_demo=False)
    broken = widgets.teachers_dashboard(dataset=data)
    assert "出错了" in broken.value and "teachers" in broken.value
