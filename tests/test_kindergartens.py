"""Kindergarten shares: known answers worked out by hand on small tables."""

import pandas as pd
import pytest

from toolkit.indicators import (
    MET,
    MISSING,
    NOT_APPLICABLE,
    UNMET,
    inclusive_kindergarten_coverage,
    public_kindergarten_share,
)

COUNTIES = pd.DataFrame(
    {
        "adcode": ["900001", "900002", "900003"],
        "name": ["大县", "小县", "无园县"],
        "city_adcode": "900000",
        "city": "测试市",
        "province_adcode": "990000",
        "province": "测试省",
    }
)
#            county    level    ownership inclusive enrolment
ROWS = [
    ("900001", "幼儿园", "公办", True, 500),
    ("900001", "幼儿园", "民办", True, 300),
    ("900001", "幼儿园", "民办", False, 200),
    ("900002", "幼儿园", "公办", True, 90),
    ("900002", "幼儿园", "民办", False, 10),
    ("900002", "小学", "公办", None, 5000),  # not a kindergarten: never counted
]
SCHOOLS = pd.DataFrame(ROWS, columns=["adcode", "level", "ownership", "inclusive", "enrolment"])
SCHOOLS["year"] = 2024


def test_county_shares_by_hand():
    r = public_kindergarten_share(SCHOOLS, COUNTIES).set_index("name")
    assert r.loc["大县", "value"] == pytest.approx(500 / 1000)
    assert (r.loc["大县", "numerator"], r.loc["大县", "denominator"]) == (500, 1000)
    assert r.loc["小县", "value"] == pytest.approx(0.9)
    assert r.loc["大县", "status"] == UNMET and r.loc["小县", "status"] == MET
    assert r.loc["大县", "gap"] == pytest.approx(-0.1)
    assert r.loc["无园县", "status"] == MISSING  # never dropped
    assert "no records" in r.loc["无园县", "note"]
    assert "全域目标" in r.loc["大县", "note"]  # a national target applied to one county


def test_city_share_is_weighted_not_a_mean_of_county_shares():
    r = public_kindergarten_share(SCHOOLS, COUNTIES, by="city")
    assert len(r) == 1
    # (500 + 90) / (1000 + 100) = 0.536..., while the mean of 0.5 and 0.9 would be 0.7
    assert r.loc[0, "value"] == pytest.approx(590 / 1100)
    assert r.loc[0, "status"] == UNMET
    assert "全域目标" not in r.loc[0, "note"]
    prov = public_kindergarten_share(SCHOOLS, COUNTIES, by="province")
    assert prov.loc[0, "adcode"] == "990000" and prov.loc[0, "value"] == pytest.approx(590 / 1100)


def test_jining_target_is_80_percent():
    r = public_kindergarten_share(SCHOOLS, COUNTIES, "济宁").set_index("name")
    assert r.loc["小县", "target"] == 0.8 and r.loc["小县", "status"] == MET
    assert r.loc["小县", "rule"] == "jining:pub_kg_share"
    nat = public_kindergarten_share(SCHOOLS, COUNTIES, "national").set_index("name")
    assert nat.loc["小县", "target"] == 0.6
    assert nat.loc["小县", "source"].startswith("003_2312c144af1f05ee.txt 第7行")


def test_inclusive_coverage_has_no_target_in_the_texts():
    r = inclusive_kindergarten_coverage(SCHOOLS, COUNTIES).set_index("name")
    # public 500 + inclusive private 300 out of 1000
    assert r.loc["大县", "value"] == pytest.approx(0.8)
    assert r.loc["大县", "status"] == NOT_APPLICABLE
    assert r["target"].isna().all()
    assert r.loc["无园县", "status"] == MISSING


def test_latest_year_by_default():
    older = SCHOOLS.assign(year=2023, ownership="公办")
    both = pd.concat([older, SCHOOLS])
    assert public_kindergarten_share(both, COUNTIES).loc[0, "value"] == pytest.approx(0.5)
    assert public_kindergarten_share(both, COUNTIES, year=2023).loc[0, "value"] == 1.0


def test_caller_note_is_kept_when_the_profile_has_no_number():
    from toolkit.indicators.common import judge, unit_shares

    f = pd.DataFrame({"adcode": ["900001"], "numerator": [1], "denominator": [2]})
    shares = unit_shares(f, COUNTIES.iloc[[0]])
    out = judge(shares, None, "county", note="口径说明")
    assert (
        out.loc[0, "note"]
        == "口径说明；配置中无数值目标，仅报告数值 / no numeric target in the profile: value reported only"
    )


def test_bad_grouping_is_explained():
    with pytest.raises(ValueError, match="by must be one of"):
        public_kindergarten_share(SCHOOLS, COUNTIES, by="town")
    with pytest.raises(ValueError, match="lacks"):
        public_kindergarten_share(SCHOOLS, COUNTIES[["adcode", "name"]], by="city")


def test_demo_shares_span_the_target(demo):
    r = public_kindergarten_share(demo.schools, demo.counties, "济宁")
    jn = r[r["adcode"].str.startswith("3708")]
    assert (jn["status"] == UNMET).any() and (jn["status"] == MET).any()
    city = public_kindergarten_share(demo.schools, demo.counties, "济宁", by="city")
    assert set(city["name"]) == {"长治市", "平顶山市", "济宁市"}
    assert city["value"].between(0, 1).all()


def test_public_places_needed_by_hand():
    from toolkit.indicators.kindergartens import public_places_needed

    s = pd.DataFrame(
        {"numerator": [550, 600, 650, 699, 0, None], "denominator": [1000, 1000, 1000, 1000, 0, 5]}
    )
    # 1,000 children, 550 public, 60% → 600 − 550 = 50; at or above the target → 0
    assert public_places_needed(s, 0.6).tolist()[:3] == [50, 0, 0]
    # 70% of 1,000 is 700 in exact arithmetic (0.7 × 1000 = 700.0000000000001 in floats) → 1, not 2
    assert public_places_needed(s, 0.7).tolist()[3] == 1
    # 1,001 children, 600 public at 60%: 600.6 → 1 more place (places are whole)
    assert (
        public_places_needed(pd.DataFrame({"numerator": [600], "denominator": [1001]}), 0.6)[0] == 1
    )
    out = public_places_needed(s, 0.6)
    assert out.isna().tolist()[4:] == [True, True]  # no children, no public count: nothing to say
    assert str(out.dtype) == "Int64"


def test_public_places_needed_uses_each_rows_target():
    from toolkit.indicators.kindergartens import public_places_needed

    r = public_kindergarten_share(SCHOOLS, COUNTIES, "济宁").set_index("name")
    places = public_places_needed(r)
    # 大县 500 of 1,000 at 80% → 300; 小县 90 of 100 meets it → 0; 无园县 has no records
    assert places.tolist()[:2] == [300, 0] and places.isna().tolist()[2]
    none = public_kindergarten_share(SCHOOLS, COUNTIES, "jinhua")  # no public-share rule
    assert public_places_needed(none).isna().all()
