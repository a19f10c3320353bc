"""Special-education coverage: known answers worked out by hand.

The demo scenario (data/README.md) fixes which county has which special
school or class; the expected statuses below were written down from the
policy texts, not computed by the toolkit.
"""

import pandas as pd
import pytest

from toolkit.indicators import (
    MET,
    MISSING,
    NOT_APPLICABLE,
    UNMET,
    special_education,
    special_education_summary,
    special_provision,
)


def _schools(*rows):
    cols = ["adcode", "level", "special_classes", "boarding", "meets_standard", "year"]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows])


COUNTIES = pd.DataFrame(
    {
        "adcode": ["900001", "900002", "900003", "900004", "900005", "900006"],
        "name": ["恰好二十万县", "差一人县", "无人口县", "无学校记录县", "寄宿班县", "普通班县"],
        "city": "测试市",
        "population": [200_000, 199_999, None, 500_000, 150_000, 150_000],
    }
)
SCHOOLS = _schools(
    ("900001", "小学", 2, False, True, 2024),  # 200,000 exactly: a class is not enough
    ("900002", "小学", 1, False, True, 2024),  # 199,999: a class is enough (national)
    ("900003", "小学", 0, False, True, 2024),
    ("900005", "初中", 1, True, True, 2024),  # class in a boarding school
    ("900006", "小学", 1, False, True, 2024),  # class in an ordinary day school
)


def _status(result, name):
    return result.set_index("name").loc[name, "status"]


def test_exactly_200000_needs_a_school():
    r = special_education(COUNTIES, SCHOOLS, profile="national")
    assert _status(r, "恰好二十万县") == UNMET
    assert r.set_index("name").loc["恰好二十万县", "lacks"] == "缺特殊教育学校"
    assert _status(r, "差一人县") == MET


def test_no_county_dropped_and_missing_data_is_reported():
    r = special_education(COUNTIES, SCHOOLS, profile="national")
    assert r["adcode"].tolist() == COUNTIES["adcode"].tolist()
    assert _status(r, "无人口县") == MISSING
    assert "人口" in r.set_index("name").loc["无人口县", "note"]
    assert _status(r, "无学校记录县") == MISSING
    assert "学校记录" in r.set_index("name").loc["无学校记录县", "note"]


def test_pingdingshan_wants_the_class_in_a_nine_year_or_boarding_school():
    r = special_education(COUNTIES, SCHOOLS, profile="平顶山")
    assert _status(r, "寄宿班县") == MET
    assert _status(r, "普通班县") == UNMET
    assert r.set_index("name").loc["普通班县", "lacks"] == "特教班不在九年一贯制或寄宿制学校"
    nat = special_education(COUNTIES, SCHOOLS, profile="national")
    assert _status(nat, "普通班县") == MET


def test_jining_has_no_rule_below_200k():
    r = special_education(COUNTIES, SCHOOLS, profile="济宁")
    assert _status(r, "普通班县") == NOT_APPLICABLE
    assert _status(r, "差一人县") == NOT_APPLICABLE
    assert _status(r, "恰好二十万县") == UNMET
    assert r.set_index("name").loc["恰好二十万县", "deadline"] == 2025


def test_user_threshold_moves_the_line_and_is_labelled():
    r = special_education(COUNTIES, SCHOOLS, profile="national", threshold=100_000)
    assert _status(r, "普通班县") == UNMET  # 150,000 is now above the line
    assert r["threshold_user_chosen"].all()
    assert (r["threshold"].dropna() == 100_000).all()
    base = special_education(COUNTIES, SCHOOLS, profile="national")
    assert not base["threshold_user_chosen"].any()


def test_standard_rule_without_meets_standard_counts_all_and_says_so():
    schools = _schools(("900004", "特殊教育学校", 0, False, None, 2024)).drop(
        columns="meets_standard"
    )
    r = special_education(COUNTIES.iloc[[3]], schools, profile="长治")
    assert _status(r, "无学校记录县") == MET
    assert "所有特殊教育学校均计入" in r.loc[0, "note"]


def test_standard_rule_with_meets_standard_false():
    schools = _schools(("900004", "特殊教育学校", 0, False, False, 2024))
    r = special_education(COUNTIES.iloc[[3]], schools, profile="长治")
    assert r.loc[0, "status"] == UNMET
    assert r.loc[0, "lacks"] == "现有特殊教育学校未达到办学标准"
    assert special_education(COUNTIES.iloc[[3]], schools).loc[0, "status"] == MET


def test_latest_year_is_used_by_default():
    schools = _schools(
        ("900004", "特殊教育学校", 0, False, True, 2023),
        ("900004", "小学", 0, False, True, 2024),
    )
    r = special_education(COUNTIES.iloc[[3]], schools)
    assert r.loc[0, "status"] == UNMET and r.loc[0, "year"] == 2024
    r23 = special_education(COUNTIES.iloc[[3]], schools, year=2023)
    assert r23.loc[0, "status"] == MET


def test_special_provision_counts_by_hand():
    p = special_provision(SCHOOLS).set_index("adcode")
    assert p.loc["900001", "special_classes"] == 2
    assert p.loc["900005", "classes_nine_year_or_boarding"] == 1
    assert p.loc["900006", "classes_nine_year_or_boarding"] == 0
    assert p["special_schools"].sum() == 0


# --- the demo data: statuses written down from the scenario by hand -------------
NATIONAL = {
    "潞州区": MET, "上党区": MET, "屯留区": UNMET, "潞城区": UNMET, "襄垣县": MET,
    "平顺县": MET, "黎城县": UNMET, "壶关县": MET, "长子县": MET, "武乡县": MET,
    "沁县": MET, "沁源县": UNMET,
    "新华区": MET, "卫东区": MET, "石龙区": MET, "湛河区": UNMET, "宝丰县": MET,
    "叶县": MET, "鲁山县": MET, "郏县": MET, "舞钢市": UNMET, "汝州市": MET,
    "任城区": MET, "兖州区": MET, "微山县": MET, "鱼台县": UNMET, "金乡县": MET,
    "嘉祥县": MET, "汶上县": MET, "泗水县": MET, "梁山县": MET, "曲阜市": MET, "邹城市": MET,
}  # fmt: skip
CITY_DIFFERENCES = {
    # standard schools only: 襄垣's and 鲁山's schools do not meet the standard
    "长治": {"襄垣县": UNMET, "鲁山县": UNMET},
    # also: below 200k a class must be in a nine-year or boarding school (石龙, 武乡: day 小学)
    "平顶山": {"石龙区": UNMET, "鲁山县": UNMET, "襄垣县": UNMET, "武乡县": UNMET},
    "济宁": {"平顺县": NOT_APPLICABLE, "黎城县": NOT_APPLICABLE, "武乡县": NOT_APPLICABLE,
             "沁县": NOT_APPLICABLE, "沁源县": NOT_APPLICABLE, "石龙区": NOT_APPLICABLE},
}  # fmt: skip


def test_demo_national_statuses(demo):
    r = special_education(demo.counties, demo.schools, profile="national")
    assert dict(zip(r["name"], r["status"], strict=True)) == NATIONAL


@pytest.mark.parametrize("profile", ["长治", "平顶山", "济宁"])
def test_demo_city_profiles(demo, profile):
    r = special_education(demo.counties, demo.schools, profile=profile)
    assert dict(zip(r["name"], r["status"], strict=True)) == NATIONAL | CITY_DIFFERENCES[profile]


def test_demo_known_counties(demo):
    r = special_education(demo.counties, demo.schools).set_index("name")
    assert r.loc["平顺县", "population"] == 115_927
    assert r.loc["平顺县", "requirement"] == "需有特殊教育学校或特教班"
    assert r.loc["潞城区", "population"] == 219_256
    assert r.loc["潞城区", "requirement"] == "需有特殊教育学校"
    assert r.loc["潞城区", "status"] == UNMET


def test_city_summary_known_answers(demo):
    r = special_education(demo.counties, demo.schools)
    s = special_education_summary(r, demo.counties).set_index("city")
    # 长治: 潞州 上党 屯留 潞城 襄垣 壶关 长子 are >= 200k; 屯留 and 潞城 lack a school
    assert s.loc["长治市", "counties_above"] == 7
    assert s.loc["长治市", "with_school"] == 5
    assert s.loc["长治市", "with_standard_school"] == 4
    # 平顶山: all but 石龙 are >= 200k; 湛河 and 舞钢 lack a school
    assert s.loc["平顶山市", "counties_above"] == 9
    assert s.loc["平顶山市", "with_school"] == 7
    assert s.loc["济宁市", "coverage"] == pytest.approx(10 / 11)
    assert s.loc["济宁市", UNMET] == 1
    assert s[[MET, UNMET, NOT_APPLICABLE, MISSING]].sum().sum() == 33


def test_special_education_from_county_totals():
    totals = pd.DataFrame({"adcode": ["900001", "900002", "900003"], "special_schools": [1, 0, 0],
                           "special_classes": [0, 2, 0]})  # fmt: skip
    counties = pd.DataFrame({"adcode": ["900001", "900002", "900003"], "name": ["甲", "乙", "丙"],
                             "population": [250_000, 150_000, 150_000]})  # fmt: skip
    r = special_education(counties, totals).set_index("name")
    assert r["status"].tolist() == ["达标", "达标", "未达标"]  # school; class under 200k; nothing
    assert int(r.loc["乙", "special_classes"]) == 2
