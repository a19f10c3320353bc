"""优质均衡 (教督〔2017〕6号): known answers by hand, the profile's quotes, invariants."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.indicators.balance import (
    MEASURES,
    balanced_development,
    coefficient_of_variation,
    county_cv,
    school_resource_indicators,
    standards,
)
from toolkit.indicators.common import MET, MISSING, NOT_APPLICABLE, UNMET
from toolkit.targets import get_profile, load_profile

ROOT = Path(__file__).resolve().parent.parent
COUNTIES = pd.DataFrame({"adcode": ["900001", "900002"], "name": ["手算县", "无数据县"]})


def school(sid, section="小学", n=100, adcode="900001", **given):
    """A school section meeting every 小学 standard comfortably, per 100 pupils, unless ``given``."""
    per100 = {"teachers_above_degree": 5, "key_teachers": 2, "pe_arts_teachers": 1,
              "teaching_area": 500, "sports_area": 800, "equipment_value": 250_000,
              "multimedia_rooms": 3}  # fmt: skip
    row = {c: v * n / 100 for c, v in per100.items()} | given
    return {"school_id": sid, "adcode": adcode, "year": 2024, "section": section,
            "enrolment": n} | row  # fmt: skip


# 900001, 小学: five schools, judged by hand
#   p1 meets all 7                                    -> passes
#   p2 sports 7.0 ㎡ = 93% of 7.5: 6 met, rest >= 85%   -> passes
#   p3 sports 6.0 ㎡ = 80% of 7.5: 6 met, rest < 85%    -> fails
#   p4 no key teacher, no PE/arts teacher: 5 met      -> fails
#   p5 1000 pupils exactly at every standard: 7 met   -> passes
# 初中: one school, j1, 200 pupils: 5.5 teachers, 6.0 ㎡ and 10.5 ㎡ per pupil meet 5.3, 5.8 and
#   10.2; equipment 2250 元 = 90% of 2500: 6 met, passes. Its CVs are 不适用.
# 900002 has no rows (数据缺失).
EXACT = {"teachers_above_degree": 42, "key_teachers": 10, "pe_arts_teachers": 9,
         "teaching_area": 4500, "sports_area": 7500, "equipment_value": 2_000_000,
         "multimedia_rooms": 23}  # fmt: skip
RESOURCES = pd.DataFrame(
    [
        school("p1"),
        school("p2", sports_area=700),
        school("p3", sports_area=600),
        school("p4", key_teachers=0, pe_arts_teachers=0),
        school("p5", n=1000, **EXACT),
        school(
            "j1",
            "初中",
            n=200,
            sports_area=2100,
            teachers_above_degree=11,
            teaching_area=1200,
            equipment_value=450_000,
            multimedia_rooms=5,
        ),
    ]  # fmt: skip
)


def test_profile_has_the_eighteen_rules():
    p = get_profile("优质均衡")
    assert p.id == "balanced_2017" and p.name_zh == "县域义务教育优质均衡（教督〔2017〕6号）"
    ids = [r.id for r in p.rules]
    assert len(ids) == 18 == len(set(ids))
    assert {
        "bal_six_of_seven",
        "bal_rest_85pct",
        "balanced_cv_primary",
        "balanced_cv_junior",
    } < set(ids)
    assert len(p.rules_for("balanced_school_standards")) == 16
    assert p.rule("balanced_cv_primary").threshold == 0.5
    assert p.rule("balanced_cv_junior").threshold == 0.45
    assert p.rule("bal_sports_area_junior").threshold == 10.2
    assert p.rule("bal_rest_85pct").threshold == 0.85
    assert all("教督〔2017〕6号" in r.source.ref and "CONFIRMED" in r.note_zh for r in p.rules)


def test_every_quote_is_verbatim_in_facts_at_its_line(shared_dir):
    lines = (shared_dir / "research" / "facts.md").read_text(encoding="utf-8").splitlines()
    for rule in get_profile("balanced_2017").rules:
        assert rule.source.file == "research/facts.md"
        assert rule.source.quote in lines[rule.source.line - 1], rule.id


def test_standards_match_the_table_in_facts(shared_dir):
    lines = (shared_dir / "research" / "facts.md").read_text(encoding="utf-8").splitlines()
    table = standards().set_index(["section", "measure"])
    for column, (name, _) in MEASURES.items():
        row = next(line for line in lines if line.startswith("| ") and f"| {name} |" in line)
        primary, junior = (float(cell.strip("≥人㎡元间 ")) for cell in row.split("|")[3:5])
        assert table.loc[("小学", column), "threshold"] == primary
        assert table.loc[("初中", column), "threshold"] == junior


def test_worked_example_cv():
    # m.777doc.com/doc-2019910.html: 5 primary schools, pupils and library books
    pupils = [45, 37, 89, 76, 55]
    books = [279, 137, 935, 160, 402]
    mean = 1913 / 302  # county books / county pupils
    spread = (
        45 / 302 * (279 / 45 - mean) ** 2
        + 37 / 302 * (137 / 37 - mean) ** 2
        + 89 / 302 * (935 / 89 - mean) ** 2
        + 76 / 302 * (160 / 76 - mean) ** 2
        + 55 / 302 * (402 / 55 - mean) ** 2
    )
    by_hand = math.sqrt(spread) / mean
    cv = coefficient_of_variation([b / p for b, p in zip(books, pupils, strict=True)], pupils)
    assert round(mean, 2) == 6.33 and round(spread, 2) == 10.65  # the page's 10.65
    assert round(cv, 3) == round(by_hand, 3) == 0.515
    assert round(cv, 2) == 0.52  # as the page reports it


def test_four_schools_by_hand():
    # values 2, 4, 3, 5 with pupils 1, 1, 2, 4: X̄ = 32/8 = 4, S² = (4 + 0 + 2 + 4)/8 = 1.25
    assert coefficient_of_variation([2, 4, 3, 5], [1, 1, 2, 4]) == pytest.approx(
        math.sqrt(1.25) / 4
    )
    # unweighted: X̄ = 3.5, S² = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25
    assert coefficient_of_variation([2, 4, 3, 5]) == pytest.approx(math.sqrt(1.25) / 3.5)


def test_cv_edge_cases():
    assert coefficient_of_variation([3.0, 3.0, 3.0], [10, 20, 30]) == 0
    assert math.isnan(coefficient_of_variation([5.0], [100]))  # one school: no spread to measure
    assert math.isnan(coefficient_of_variation([0.0, 0.0], [10, 20]))  # zero mean
    assert math.isnan(coefficient_of_variation([]))
    assert coefficient_of_variation([2.0, np.nan, 4.0]) == pytest.approx(1 / 3)  # NaN left out
    with pytest.raises(ValueError, match="长度"):
        coefficient_of_variation([1.0, 2.0], [1])
    with pytest.raises(ValueError, match="non-negative"):
        coefficient_of_variation([1.0, -2.0])


values = st.lists(st.floats(0.01, 1e6), min_size=2, max_size=30)


@settings(max_examples=60, deadline=None)
@given(values, st.floats(1e-3, 1e3), st.data())
def test_cv_is_scale_invariant_and_non_negative(xs, c, data):
    w = data.draw(st.lists(st.integers(1, 3000), min_size=len(xs), max_size=len(xs)))
    cv = coefficient_of_variation(xs, w)
    assert cv >= 0
    assert coefficient_of_variation([x * c for x in xs], w) == pytest.approx(cv, abs=1e-9)
    assert coefficient_of_variation(xs, [k * 7 for k in w]) == pytest.approx(cv, abs=1e-9)
    assert coefficient_of_variation([x * c for x in xs]) == pytest.approx(
        coefficient_of_variation(xs), abs=1e-9
    )


def test_schools_pass_six_of_seven_and_85_percent_by_hand():
    r = school_resource_indicators(RESOURCES).set_index("school_id")
    assert r.loc["p2", "sports_area_per_student"] == 7.0
    assert r["met_count"].to_dict() == {"p1": 7, "p2": 6, "p3": 6, "p4": 5, "p5": 7, "j1": 6}
    assert r["passes"].astype(bool).to_dict() == {
        "p1": True, "p2": True, "p3": False, "p4": False, "p5": True,
        "j1": True,
    }  # fmt: skip
    assert r.loc["p3", "lowest_share"] == pytest.approx(0.8)
    assert r.loc["p5", "teachers_above_degree_per100"] == 4.2  # exactly at the standard: met
    assert r.loc["j1", "teachers_above_degree_standard"] == 5.3
    assert not r.loc["j1", "equipment_value_met"] and r.loc["j1", "multimedia_rooms_met"]
    assert r.loc["j1", "lowest_share"] == pytest.approx(0.9)


def test_county_checks_by_hand():
    out = balanced_development(RESOURCES, COUNTIES)
    assert len(out) == 2 * 2 * 8  # county × section × (7 CVs + pass share)
    a = out[out["adcode"] == "900001"].set_index(["section", "measure"])
    share = a.loc[("小学", "schools_passing")]
    assert (share["numerator"], share["denominator"], share["value"]) == (3, 5, 0.6)
    assert share["status"] == UNMET and share["target"] == 1.0
    assert share["rule"] == "balanced_2017:bal_six_of_seven"
    # sports area per pupil 8, 7, 6, 8 (100 pupils each) and 7.5 (1000 pupils): P = 1400
    mean = (800 + 700 + 600 + 800 + 7500) / 1400
    s2 = (100 * ((8 - mean) ** 2 + (7 - mean) ** 2 + (6 - mean) ** 2 + (8 - mean) ** 2)
          + 1000 * (7.5 - mean) ** 2) / 1400  # fmt: skip
    sports = a.loc[("小学", "sports_area")]
    assert sports["value"] == pytest.approx(math.sqrt(s2) / mean)
    assert sports["denominator"] == pytest.approx(mean)
    assert sports["status"] == MET and sports["target"] == 0.5
    assert "生均体育运动场馆面积（小学，5所学校）" in sports["note"]
    junior = a.loc["初中"]
    assert set(junior.drop("schools_passing")["status"]) == {NOT_APPLICABLE}
    assert junior.loc["schools_passing", "value"] == 1.0
    assert set(out.loc[out["adcode"] == "900002", "status"]) == {MISSING}
    assert out["source"].str.startswith("research/facts.md 第").all()


def test_national_profile_gets_the_2017_rules_as_benchmark():
    out = balanced_development(RESOURCES, COUNTIES, "national")
    assert out["rule"].str.startswith("balanced_2017:").all()
    a = out[out["adcode"] == "900001"]
    assert len(a) == 16 and a["note"].str.contains("参照县域义务教育优质均衡").all()


def test_a_profile_with_its_own_junior_cv_rule(tmp_path):
    f = tmp_path / "city.toml"
    f.write_text(
        """
[profile]
id = "city"
name_zh = "某市"
extends = "national"

[[rules]]
id = "balanced_cv_junior"
indicator = "balanced_cv_junior"
title_zh = "初中校际差异系数小于0.30"
comparator = "<"
threshold = 0.30
[rules.source]
file = "本市文件"
line = 1
quote = "小于0.30"
""",
        encoding="utf-8",
    )
    # two junior schools of 100 pupils, sports 13 and 7 ㎡ per pupil: X̄ = 10, S = 3, CV = 0.3
    two = pd.DataFrame(
        [school("a", "初中", sports_area=1300), school("b", "初中", sports_area=700)]
    )
    mine = balanced_development(two, COUNTIES, load_profile(f))
    cv = mine.set_index(["adcode", "measure", "section"]).loc[("900001", "sports_area", "初中")]
    assert cv["value"] == pytest.approx(0.3) and cv["target"] == 0.3
    assert cv["rule"] == "city:balanced_cv_junior" and cv["status"] == UNMET  # 0.3 is not < 0.3
    assert "参照" not in cv["note"]
    bench = balanced_development(two, COUNTIES).set_index(["adcode", "measure", "section"])
    assert bench.loc[("900001", "sports_area", "初中"), "status"] == MET  # ≤ 0.45
    primary = mine[(mine["section"] == "小学")]
    assert primary["rule"].str.startswith("balanced_2017:").all()


def test_zero_resources_everywhere_is_not_applicable_not_a_crash():
    two = pd.DataFrame([school("a", multimedia_rooms=0), school("b", multimedia_rooms=0)])
    out = balanced_development(two, COUNTIES).set_index(["adcode", "section", "measure"])
    row = out.loc[("900001", "小学", "multimedia_rooms")]
    assert row["status"] == NOT_APPLICABLE and "CV undefined" in row["note"]


def test_incomplete_school_is_left_out_of_the_share_and_said_so():
    rows = pd.DataFrame([school("a"), school("b", sports_area=np.nan)])
    r = school_resource_indicators(rows).set_index("school_id")
    assert r.loc["a", "passes"] and pd.isna(r.loc["b", "passes"])
    out = balanced_development(rows, COUNTIES).set_index(["adcode", "section", "measure"])
    share = out.loc[("900001", "小学", "schools_passing")]
    assert (share["numerator"], share["denominator"]) == (1, 1)
    assert "另1所数据不全" in share["note"]


def test_latest_year_by_default():
    old = RESOURCES.assign(year=2023, sports_area=RESOURCES["sports_area"] / 10)
    both = pd.concat([old, RESOURCES])
    out = balanced_development(both, COUNTIES)
    assert set(out["year"]) == {2024}
    earlier = balanced_development(both, COUNTIES, year=2023).set_index(["adcode", "measure"])
    assert earlier.loc[("900001", "schools_passing"), "value"].min() == 0


def test_bad_input_says_what_to_fix():
    with pytest.raises(ValueError, match="sports_area"):
        balanced_development(RESOURCES.drop(columns="sports_area"), COUNTIES)
    with pytest.raises(ValueError, match="九年一贯制"):
        school_resource_indicators(RESOURCES.assign(section="九年一贯制"))
    with pytest.raises(ValueError, match="merge"):
        school_resource_indicators(pd.concat([RESOURCES, RESOURCES.head(1)]))


resource_tables = st.lists(
    st.fixed_dictionaries(
        {"adcode": st.sampled_from(["900001", "900002"]), "section": st.sampled_from(["小学", "初中"]),
         "enrolment": st.integers(0, 3000)}
        | {c: st.integers(0, 50_000) for c in MEASURES}
    ),
    min_size=1,
    max_size=25,
)  # fmt: skip


@settings(max_examples=20, deadline=None)
@given(resource_tables)
def test_shares_in_unit_interval_and_cvs_non_negative(rows):
    table = pd.DataFrame(rows).assign(school_id=[f"s{i}" for i in range(len(rows))])
    out = balanced_development(table, COUNTIES)
    values = out["value"].dropna()
    share = out["measure"].eq("schools_passing")
    assert values[share[values.index]].between(0, 1).all()
    assert (values >= 0).all()
    cvs = county_cv(school_resource_indicators(table), weights=None)
    assert (cvs["cv"].dropna() >= 0).all()


def _make_resources():
    spec = importlib.util.spec_from_file_location("make_resources", ROOT / "data/make_resources.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def simulated():
    schools = pd.read_csv(
        ROOT / "data/demo/schools.csv",
        dtype={"school_id": str, "adcode": str},
        encoding="utf-8-sig",
    )
    counties = pd.read_csv(
        ROOT / "data/demo/counties.csv", dtype={"adcode": str}, encoding="utf-8-sig"
    )
    make = _make_resources()
    return schools, counties, make, make.make_resources(schools)


def test_simulated_resources_are_deterministic_and_shaped(simulated, tmp_path):
    _, _, make, res = simulated
    (tmp_path / "schools.csv").write_bytes((ROOT / "data/demo/schools.csv").read_bytes())
    written = make.main(tmp_path)  # a second, independent run
    again = pd.read_csv(written, dtype={"school_id": str, "adcode": str}, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(again, res, check_dtype=False)
    shipped = ROOT / "data/demo/resources.csv"
    if shipped.exists():
        assert written.read_bytes() == shipped.read_bytes()
    nine = res["school_id"].str.contains("-NS-") & res["year"].eq(2024)
    sections = res[nine].groupby("school_id")["section"].agg(lambda x: "".join(sorted(x)))
    assert len(sections) > 0 and (sections == "初中小学").all()
    assert res.groupby(["school_id", "year", "section"]).size().max() == 1
    assert set(res["section"]) == {"小学", "初中"}


def test_simulated_counties_vary(simulated):
    _, counties, _, res = simulated
    out = balanced_development(res, counties)
    cv = out[out["measure"] != "schools_passing"]
    failed = cv[cv["status"] == UNMET].groupby("adcode")["measure"].nunique()
    failed = failed.reindex(counties["adcode"], fill_value=0)
    assert (failed == 0).sum() >= 5  # some counties pass every CV
    assert failed.between(1, 2).sum() >= 5  # some fail on one or two indicators
    assert "sports_area" in set(cv.loc[cv["status"] == UNMET, "measure"])
    passing = out.loc[out["measure"] == "schools_passing", "value"]
    assert (passing == 1).any() and (passing < 0.8).any()
