"""The 20万人口 line: known answers by hand, the demo's real populations, the 2020 census.

以上 includes the threshold itself: a county of exactly 200,000 is at or above the line.
"""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.indicators.population import (
    MATCHES,
    ON_MAP,
    band_labels,
    census_recoding,
    population_line,
)

# a census by hand: 子省 has 3 counties (200,000 exactly, 199,999, 450,000), a development
# zone and the province's own total row; 丑省 one county of 80,000
CENSUS = pd.DataFrame(
    {
        "adcode": ["100000", "100001", "100002", "100003", "100071", "200001"],
        "name": ["子省", "甲县", "乙县", "丙县", "高新区", "丁县"],
        "province": ["子省"] * 5 + ["丑省"],
        "level": ["province", "county", "county", "county", "zone", "county"],
        "population": [1_000_000, 200_000, 199_999, 450_000, 150_001, 80_000],
    }
)


def test_threshold_itself_is_above():
    line = population_line(CENSUS)
    rows = line.counties.set_index("adcode")
    assert rows.loc["100001", "above"]  # exactly 200,000
    assert not rows.loc["100002", "above"]  # 199,999
    assert rows.loc["100003", "band"] == "20万人及以上"
    assert rows.loc["100002", "band"] == "不足20万人"


def test_summary_by_hand():
    s = population_line(CENSUS).summary.set_index("province")
    # the province total row is not a county; the zone is listed, not counted
    assert s.loc["子省", ["counties", "with_population", "above", "not_on_map"]].tolist() == [
        3,
        3,
        2,
        1,
    ]
    assert s.loc["子省", "share"] == pytest.approx(2 / 3)
    assert s.loc["丑省", ["counties", "above"]].tolist() == [1, 0]
    assert s.loc["合计", ["counties", "above", "not_on_map"]].tolist() == [4, 2, 1]
    zone = population_line(CENSUS).counties.set_index("adcode").loc["100071"]
    assert zone["match"] == "zone" and "开发区" in zone["note"]


def test_another_threshold():
    line = population_line(CENSUS, threshold=150_000)
    assert line.summary.set_index("province").loc["子省", "above"] == 3
    assert line.bands == band_labels(150_000) == ("15万人及以上", "不足15万人", "无普查人口")
    # with 199,999 as the line, 199,999 itself is above
    assert (
        population_line(CENSUS, threshold=199_999)
        .counties.set_index("adcode")
        .loc["100002", "above"]
    )


def test_map_and_census_disagree_nothing_dropped():
    """Merged, split, renamed and missing units, matched by hand."""
    census = pd.DataFrame(
        {
            "adcode": ["1", "2", "3", "4", "5", "6", "9"],
            "name": ["甲县", "乙县", "丙县", "丁县", "戊区", "己市", "庚区"],
            "province": "子省",
            "level": ["county"] * 6 + ["prefecture"],
            "population": [150_000, 60_000, 500_000, 90_000, 120_000, 70_000, 330_000],
        }
    )
    today = pd.DataFrame(
        {
            "adcode": ["1", "31", "32", "50", "9", "7"],
            "name": ["甲县", "丙东区", "丙西区", "戊区", "庚区", "新区"],
            "province": "子省",
        }
    )
    # 2 merged into 1; 3 split into 31 and 32; 5 renumbered as 50 (found by name);
    # 9 a city without districts (a prefecture row in the census); 7 new; 4 and 6 gone
    line = population_line(census, today, recode={"2": "1", "3": ("31", "32")})
    rows = line.counties.set_index("adcode")
    assert rows.loc["1", ["population", "match", "census_codes"]].tolist() == [
        210_000,
        "recoded",
        "1；2",
    ]
    assert rows.loc["1", "above"]  # 150,000 + 60,000
    assert rows.loc["31", "match"] == "no_census" and "拆分" in rows.loc["31", "note"]
    assert rows.loc["3", "match"] == "not_on_map" and "31、32" in rows.loc["3", "note"]
    assert rows.loc["50", ["population", "match"]].tolist() == [120_000, "by_name"]
    assert rows.loc["9", ["population", "match"]].tolist() == [330_000, "matched"]
    assert "地级" in rows.loc["9", "note"]
    assert rows.loc["7", "match"] == "no_census" and pd.isna(rows.loc["7", "population"])
    assert set(line.unmatched["adcode"]) == {"31", "32", "7", "3", "4", "6"}
    total = line.summary.set_index("province").loc["合计"]
    assert total[["counties", "with_population", "above", "no_census", "not_on_map"]].tolist() == [
        6, 3, 2, 3, 3,
    ]  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    pops=st.lists(st.integers(0, 1_000_000), min_size=1, max_size=12),
    on_map=st.lists(st.booleans(), min_size=12, max_size=12),
    extra=st.integers(0, 3),
)
def test_every_unit_appears_once(pops, on_map, extra):
    """Every map unit is one row; every census row is used exactly once."""
    census = pd.DataFrame({"adcode": [f"c{i}" for i in range(len(pops))], "name": "",
                           "province": "子省", "population": pops})  # fmt: skip
    codes = [c for c, keep in zip(census["adcode"], on_map, strict=False) if keep]
    codes += [f"new{i}" for i in range(extra)]
    today = pd.DataFrame({"adcode": codes, "province": "子省"})
    line = population_line(census, today)
    rows = line.counties
    assert rows["adcode"].is_unique
    assert rows["match"].isin(list(MATCHES)).all()
    assert (rows["match"].isin(ON_MAP)).sum() == len(today)
    used = [c for cs in rows["census_codes"] for c in cs.split("；") if c]
    assert sorted(used) == sorted(census["adcode"])
    total = line.summary.iloc[-1]
    assert total["above"] == sum(
        p >= 200_000 for p, keep in zip(pops, on_map, strict=False) if keep
    )


def test_bad_input_says_what_to_do():
    with pytest.raises(ValueError, match="population"):
        population_line(pd.DataFrame({"adcode": ["1"]}))
    with pytest.raises(ValueError, match="threshold"):
        population_line(CENSUS, threshold=0)
    with pytest.raises(ValueError, match="city"):
        population_line(CENSUS, by="city")


def test_demo_counties_real_populations(demo):
    """The 33 demo counties carry their 2020 census populations (typed in tests/test_data.py)."""
    line = population_line(demo.counties, by="city")
    rows = line.counties.set_index("name")
    assert rows.loc["叶县", ["population", "above"]].tolist() == [702_345, True]
    assert rows.loc["平顺县", ["population", "above"]].tolist() == [115_927, False]
    assert rows.loc["石龙区", "above"] == False  # noqa: E712 (42,066)
    s = line.summary.set_index("city")
    # 长治: 平顺 黎城 武乡 沁县 沁源 below; 平顶山: 石龙区 below; 济宁: all above
    assert s.loc[["长治市", "平顶山市", "济宁市"], "above"].tolist() == [7, 9, 11]
    assert s.loc["合计", ["counties", "above"]].tolist() == [33, 27]
    # at 150,000 only 平顺 (115,927), 黎城 (134,186), 沁县 (138,578) and 沁源 (149,975) stay below in 长治
    assert (
        population_line(demo.counties, threshold=150_000, by="city")
        .summary.set_index("city")
        .loc["长治市", "above"]
        == 8
    )


@pytest.fixture(scope="module")
def national():
    from toolkit import data, geo

    census = data.census_population()
    counties = geo.read_counties(simplified="national")
    return census, counties, census_recoding(census, counties)


def test_census_recoding(national):
    census, counties, recoding = national
    assert recoding["350427"] == "350405"  # 沙县 → 沙县区 (2021)
    assert recoding["410306"] == recoding["410322"] == "410308"  # 吉利区 + 孟津县 → 孟津区
    assert recoding["330104"] == ("330102", "330114")  # 江干区 split (2021)


def test_national_known_answers(national):
    census, counties, recoding = national
    line = population_line(census, counties, recode=recoding)
    rows = line.counties.set_index("adcode")
    assert rows.loc["410422", ["name", "population", "above"]].tolist() == ["叶县", 702_345, True]
    assert rows.loc["140425", ["population", "above"]].tolist() == [115_927, False]  # 平顺县
    assert rows.loc["441900", "population"] == 10_466_625  # 东莞: a prefecture row in the census
    assert rows.loc["410308", "population"] == 416_845 + 69_142  # 孟津县 + 吉利区
    assert rows.loc["810001", "match"] == "no_census"  # 香港 中西区
    assert rows.loc["232718", "match"] == "by_name"  # 加格达奇区: NBS 232761
    on_map = rows[rows["match"].isin(ON_MAP)]
    assert len(on_map) == len(counties) == 2875
    # nothing dropped: every county and zone row of the census is used once
    wanted = census[census["level"].isin(["county", "zone"])]["adcode"]
    used = {c for cs in rows["census_codes"] for c in cs.split("；") if c}
    assert set(wanted) <= used
    total = line.summary.iloc[-1]
    assert total["counties"] == 2875 and total["above"] == on_map["above"].fillna(False).sum()
    assert (rows["match"] == "zone").sum() == 95
