"""Teacher rotation: known answers by hand on small tables."""

import pandas as pd
import pytest

from toolkit.indicators import MET, MISSING, UNMET, teacher_rotation
from toolkit.indicators.teachers import MEASURES
from toolkit.targets import load_profile

COUNTIES = pd.DataFrame(
    {
        "adcode": ["900001", "900002", "900003"],
        "name": ["十分之一县", "少交流县", "无教师县"],
        "city_adcode": "900100",
        "city": "测试市",
        "province_adcode": "900000",
        "province": "测试省",
    }
)


def teachers(adcode, n, eligible, rotated, key_rotated, over12):
    """n teachers; the first `eligible` are eligible, the first `rotated` of those rotate."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "adcode": adcode,
                "year": 2024,
                "years_at_school": 13 if i >= n - over12 else 7,
                "eligible": i < eligible,
                "rotated": i < rotated,
                "key_teacher": i < key_rotated,
            }
        )
    return rows


# 900001: 100 teachers, 50 eligible, 5 rotated (exactly 10%), 1 of them key (20%), 4 over 12 years
# 900002: 40 teachers, 40 eligible, 2 rotated (5%), no key teacher among them, none over 12 years
TEACHERS = pd.DataFrame(teachers("900001", 100, 50, 5, 1, 4) + teachers("900002", 40, 40, 2, 0, 0))


def by_indicator(result, name):
    return result[result["name"] == name].set_index("indicator")


def test_exactly_ten_percent_meets_jinhua_benchmark():
    r = by_indicator(teacher_rotation(TEACHERS, COUNTIES), "十分之一县")
    rate = r.loc["teacher_exchange_rate"]
    assert (rate["numerator"], rate["denominator"]) == (5, 50)
    assert rate["value"] == pytest.approx(0.10) and rate["status"] == MET
    assert rate["rule"] == "jinhua:teacher_exchange_rate"
    assert "参照金华" in rate["note"]  # another plan's rule, labelled as a benchmark
    key = r.loc["key_teacher_share_of_exchanged"]
    assert key["value"] == pytest.approx(0.20) and key["status"] == MET
    tenure = r.loc["teachers_over_max_tenure"]
    assert tenure["value"] == pytest.approx(0.04) and tenure["status"] == UNMET
    assert tenure["rule"] == "zhucheng:teachers_over_max_tenure"


def test_low_rotation_and_missing_county():
    r = teacher_rotation(TEACHERS, COUNTIES)
    low = by_indicator(r, "少交流县")
    assert low.loc["teacher_exchange_rate", "value"] == pytest.approx(0.05)
    assert low.loc["teacher_exchange_rate", "status"] == UNMET
    assert low.loc["key_teacher_share_of_exchanged", "status"] == UNMET
    assert low.loc["teachers_over_max_tenure", "status"] == MET
    assert set(by_indicator(r, "无教师县")["status"]) == {MISSING}
    assert set(by_indicator(r, "无教师县")["note"]) == {
        "无记录，无法计算 / no records to compute from"
    }
    assert len(r) == 3 * len(MEASURES)  # every county, every measure


def test_city_rate_is_weighted():
    r = teacher_rotation(TEACHERS, COUNTIES, by="city").set_index("indicator")
    assert r.loc["teacher_exchange_rate", "value"] == pytest.approx(7 / 90)  # not (0.10+0.05)/2


def test_default_eligibility_is_labelled_user_chosen():
    t = TEACHERS.drop(columns="eligible")
    r = by_indicator(teacher_rotation(t, COUNTIES), "十分之一县")
    # without the column every teacher with >= 6 years counts: all 100 here
    assert r.loc["teacher_exchange_rate", "denominator"] == 100
    assert "用户设定参数" in r.loc["teacher_exchange_rate", "note"]
    r9 = by_indicator(teacher_rotation(t, COUNTIES, min_years=10), "十分之一县")
    assert r9.loc["teacher_exchange_rate", "denominator"] == 4  # only the 13-year teachers


def test_a_profile_that_adopts_the_rule_is_judged_by_its_own(tmp_path):
    f = tmp_path / "own.toml"
    f.write_text(
        """
[profile]
id = "own"
name_zh = "本局"
extends = "national"

[[rules]]
id = "teacher_exchange_rate"
indicator = "teacher_exchange_rate"
title_zh = "每年交流比例不低于4%（本局自定）"
comparator = ">="
threshold = 0.04
unit = "share"
user_chosen = true
[rules.source]
file = "本局文件"
line = 1
quote = "不低于4%"
""",
        encoding="utf-8",
    )
    r = by_indicator(teacher_rotation(TEACHERS, COUNTIES, load_profile(f)), "少交流县")
    assert r.loc["teacher_exchange_rate", "status"] == MET
    assert r.loc["teacher_exchange_rate", "rule"] == "own:teacher_exchange_rate"
    assert "参照" not in r.loc["teacher_exchange_rate", "note"]


def test_demo_rotation_spans_the_benchmark(demo):
    r = teacher_rotation(demo.teachers, demo.counties)
    rate = r[r["indicator"] == "teacher_exchange_rate"]
    assert rate["value"].between(0.02, 0.20).all()
    assert {MET, UNMET} <= set(rate["status"])


def test_nine_year_cycle_and_twelve_year_cap_by_hand():
    t = pd.DataFrame({"adcode": "1", "years_at_school": [9, 10, 12, 13, 3],
                      "rotated": [True, False, False, False, False], "key_teacher": False})  # fmt: skip
    c = pd.DataFrame({"adcode": ["1"], "name": ["甲"]})
    r = teacher_rotation(t, c, "诸城").set_index("indicator")
    # due: 9+ years and not rotated = the 10-, 12- and 13-year teachers: 3 of 5
    assert r.loc["teachers_due_rotation", "value"] == pytest.approx(0.6)
    assert r.loc["teachers_due_rotation", "status"] == UNMET
    assert "满9年" in r.loc["teachers_due_rotation", "note"]
    # over 12 years: only the 13-year teacher (12 itself is allowed)
    assert r.loc["teachers_over_max_tenure", "value"] == pytest.approx(0.2)


def test_exchange_period_under_three_years_pingdingshan():
    t = pd.DataFrame({"adcode": "1", "years_at_school": 8, "key_teacher": False,
                      "rotated": [True, True, True, False], "exchange_years": [1, 3, 4, None]})  # fmt: skip
    c = pd.DataFrame({"adcode": ["1"], "name": ["甲"]})
    r = teacher_rotation(t, c, "平顶山").set_index("indicator")
    assert r.loc["exchange_period_years", "value"] == pytest.approx(1 / 3)
    assert r.loc["exchange_period_years", "status"] == UNMET
    assert "pingdingshan:" in r.loc["exchange_period_years", "rule"]
    without = teacher_rotation(t.drop(columns="exchange_years"), c, "平顶山").set_index("indicator")
    assert without.loc["exchange_period_years", "status"] == MISSING


def test_county_totals_give_the_same_rates_as_records():
    totals = pd.DataFrame({"adcode": ["1", "2"], "teachers_eligible": [100, 40],
                           "teachers_rotated": [10, 2], "key_teachers_rotated": [2, 1]})  # fmt: skip
    c = pd.DataFrame({"adcode": ["1", "2"], "name": ["甲", "乙"], "city_adcode": "9", "city": "丙"})
    r = teacher_rotation(totals, c, "金华")
    rate = r[r["indicator"] == "teacher_exchange_rate"].set_index("name")
    assert rate.loc["甲", "value"] == pytest.approx(0.10) and rate.loc["甲", "status"] == MET
    city = teacher_rotation(totals, c, "金华", by="city")
    weighted = city[city["indicator"] == "teacher_exchange_rate"]["value"].iloc[0]
    assert weighted == pytest.approx(12 / 140)  # sum over sum, not the mean of 10% and 5%


# --- exchange flows: a tiny roster followed by hand ------------------------------------------
# 2023: a (key) and b leave school A, c leaves B, e leaves C; d stays at B.
# 2024: a is at B, b at C, c at A, d still at B, e is gone (left); a rotates again from B.
ROSTER = pd.DataFrame(
    {
        "teacher_id": ["a", "b", "c", "d", "e", "a", "b", "c", "d"],
        "year": [2023] * 5 + [2024] * 4,
        "school_id": ["A", "A", "B", "B", "C", "B", "C", "A", "B"],
        "adcode": "1",
        "rotated": [True, True, True, False, True, True, False, False, False],
        "key_teacher": [True, False, False, False, False, True, False, False, False],
    }
)


def test_exchange_flows_follow_each_teacher_to_next_year():
    from toolkit.indicators.teachers import exchange_flows

    f = exchange_flows(ROSTER, 2023)
    pairs = {(r.from_school, r.to_school if isinstance(r.to_school, str) else None):
             (r.teachers, r.key_teachers) for r in f.itertuples()}  # fmt: skip
    assert pairs == {
        ("A", "B"): (1, 1),
        ("A", "C"): (1, 0),
        ("B", "A"): (1, 0),
        ("C", None): (1, 0),
    }
    assert set(f["year"]) == {2023}
    # 2024 is the roster's last year: a's destination is unknown
    last = exchange_flows(ROSTER)
    assert last[["from_school", "teachers", "key_teachers"]].values.tolist() == [["B", 1, 1]]
    assert last["to_school"].isna().all()


def test_exchange_by_school_counts_sent_and_received():
    from toolkit.indicators.teachers import exchange_by_school, exchange_flows

    s = exchange_by_school(exchange_flows(ROSTER, 2023)).set_index("school_id")
    cols = ["sent", "key_sent", "received", "key_received", "net"]
    assert s.loc["A", cols].tolist() == [2, 1, 1, 0, -1]
    assert s.loc["B", cols].tolist() == [1, 0, 1, 1, 0]
    assert s.loc["C", cols].tolist() == [1, 0, 1, 0, 0]  # e's destination is unknown
    assert (s["adcode"] == "1").all()


def test_exchange_flows_need_a_roster():
    from toolkit.indicators.teachers import exchange_flows

    with pytest.raises(ValueError, match="teacher_id"):
        exchange_flows(ROSTER.drop(columns="teacher_id"))


def test_demo_flows_stay_in_the_county(demo):
    from toolkit.indicators.teachers import exchange_flows

    f = exchange_flows(demo.teachers, 2023)
    rotated = int((demo.teachers["rotated"] & (demo.teachers["year"] == 2023)).sum())
    assert f["teachers"].sum() == rotated
    assert f["to_school"].notna().all() and (f["from_adcode"] == f["to_adcode"]).all()
    assert (f["from_school"] != f["to_school"]).all()


# --- which rule, and the outlook for borrowed rules ----------------------------------------------
def test_rotation_rules_say_which_are_borrowed():
    from toolkit.indicators.teachers import rotation_rules

    national = rotation_rules("national")
    assert {k: (r.profile, b) for k, (r, b) in national.items()} == {
        "teacher_exchange_rate": ("jinhua", True),
        "key_teacher_share_of_exchanged": ("jinhua", True),
        "teachers_over_max_tenure": ("zhucheng", True),
        "teachers_due_rotation": ("zhucheng", True),
        "exchange_period_years": ("pingdingshan", True),
    }
    own = rotation_rules("平顶山")["exchange_period_years"]
    assert own[0].threshold == 3 and own[1] is False


def test_rotation_trend_by_hand():
    from toolkit.indicators.teachers import rotation_trend

    # 25 eligible teachers a year in one county: 0, 1, 1 rotate → 0%, 4%, 4%
    rows = []
    for year, rotated in ((2022, 0), (2023, 1), (2024, 1)):
        rows += [{"adcode": "1", "year": year, "years_at_school": 8, "key_teacher": False,
                  "rotated": i < rotated, "eligible": True} for i in range(25)]  # fmt: skip
    c = pd.DataFrame({"adcode": ["1"], "name": ["甲"]})
    r = rotation_trend(pd.DataFrame(rows), c, "national", year=2024)
    rate = r[r["indicator"] == "teacher_exchange_rate"].set_index("year")
    assert rate["value"].tolist() == pytest.approx([0.0, 0.04, 0.04])
    # least squares: slope 2 points a year through the mean 0.08/3 at 2023;
    # 2027 reads 0.08/3 + 4 × 0.02 = 0.1067 ≥ 10% → on track (benchmark 金华, horizon 2027)
    assert rate["projected"].iloc[0] == pytest.approx(0.08 / 3 + 0.08)
    assert set(rate["outlook"]) == {"按期可达"} and set(rate["horizon"]) == {2027}
    # as seen in 2023: the 2024 row is not used; 0 → 4% reads 0.04 + 4 × 0.04 = 20% in 2027
    early = rotation_trend(pd.DataFrame(rows), c, "national", year=2023)
    assert sorted(early["year"].unique()) == [2022, 2023]
    e = early[early["indicator"] == "teacher_exchange_rate"]
    assert e["projected"].iloc[0] == pytest.approx(0.20)


def test_rotation_trend_matches_the_scorecard(demo):
    from toolkit.indicators import check
    from toolkit.indicators.teachers import rotation_trend

    tables = {"counties": demo.counties, "teachers": demo.teachers}
    card = check(tables, "金华", year=2024)
    card = card[card["indicator"] == "teacher_exchange_rate"].set_index("adcode")
    trend = rotation_trend(demo.teachers, demo.counties, "金华", year=2024)
    trend = trend[(trend["indicator"] == "teacher_exchange_rate") & (trend["year"] == 2024)]
    trend = trend.set_index("adcode").loc[card.index]
    assert (trend["outlook"] == card["outlook"]).all()
    assert trend["projected"].to_numpy() == pytest.approx(card["projected"].to_numpy(), nan_ok=True)
