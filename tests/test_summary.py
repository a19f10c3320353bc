"""The scorecard summaries: known answers from small hand-made cards and from the demo rows."""

import pandas as pd
import pytest

from toolkit import check
from toolkit.indicators import summary

MET, UNMET, NA, MISSING = "达标", "未达标", "不适用", "数据缺失"


@pytest.fixture
def card() -> pd.DataFrame:
    """Three counties, four rules: a share, a CV rule with two measures, a split rule, no data."""
    rows = [
        # adcode, name, rule, indicator, measure, value, target, gap, status, outlook, level
        ("1", "甲", "p:share", "public_kindergarten_share", "", 0.30, 0.6, -0.30, UNMET, "难以达标", "jurisdiction"),
        ("2", "乙", "p:share", "public_kindergarten_share", "", 0.54, 0.6, -0.06, UNMET, "有风险", "jurisdiction"),
        ("3", "丙", "p:share", "public_kindergarten_share", "", 0.70, 0.6, 0.10, MET, "已达标", "jurisdiction"),
        ("1", "甲", "p:cv", "balanced_cv_primary", "x", 0.40, 0.5, -0.10, MET, "已达标", "county"),
        ("1", "甲", "p:cv", "balanced_cv_primary", "y", 0.80, 0.5, 0.30, UNMET, "按期可达", "county"),
        ("2", "乙", "p:cv", "balanced_cv_primary", "x", 0.45, 0.5, -0.05, MET, "已达标", "county"),
        ("2", "乙", "p:cv", "balanced_cv_primary", "y", 0.20, 0.5, -0.30, MET, "已达标", "county"),
        ("3", "丙", "p:cv", "balanced_cv_primary", "x", None, 0.5, None, MISSING, None, "county"),
        ("3", "丙", "p:cv", "balanced_cv_primary", "y", 0.10, 0.5, -0.40, MET, "已达标", "county"),
        ("1", "甲", "p:big", "special_education", "", 0, None, None, UNMET, None, "county"),
        ("3", "丙", "p:big", "special_education", "", 1, None, None, MET, None, "county"),
        ("2", "乙", "p:small", "special_education", "", 0, None, None, NA, None, "county"),
        ("1", "甲", "p:zero", "teachers_over_max_tenure", "", 0.2, 0.0, 0.2, UNMET, "难以达标", "county"),
        *[(a, n, "p:none", "hs_gross_enrol", None, None, None, None, MISSING, None, "jurisdiction")
          for a, n in (("1", "甲"), ("2", "乙"), ("3", "丙"))],
    ]  # fmt: skip
    cols = ["adcode", "name", "rule", "indicator", "measure", "value", "target", "gap", "status",
            "outlook", "level"]  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    out["title"] = out["rule"].str.upper()
    out["unit"] = ""
    out["note"] = out["rule"].map({"p:none": "本工具尚不能计算此指标"}).fillna("")
    out["source"] = "f.txt 第1行：“…”"
    return out


def test_supported_and_unsupported_rules(card):
    sup = summary.supported_rules(card)
    assert sup["rule"].tolist() == ["p:share", "p:cv", "p:big", "p:small", "p:zero"]
    assert sup.set_index("rule")["measures"].to_dict() == {
        "p:share": 1, "p:cv": 2, "p:big": 1, "p:small": 1, "p:zero": 1,
    }  # fmt: skip
    gone = summary.unsupported_rules(card)
    assert gone[["rule", "note"]].values.tolist() == [["p:none", "本工具尚不能计算此指标"]]


def test_rule_cells_take_the_worst_measure(card):
    cells = summary.rule_cells(card).set_index(["adcode", "rule"])
    # 甲: one CV measure fails → 未达标, 1 of 2 failing; its outlook is 按期可达 → not at risk
    assert cells.loc[("1", "p:cv"), ["status", "measures", "failing", "at_risk"]].tolist() == [
        UNMET, 2, 1, False,
    ]  # fmt: skip
    # 丙: one measure without data, the other met → 数据缺失 beats 达标
    assert cells.loc[("3", "p:cv"), "status"] == MISSING
    assert pd.isna(cells.loc[("3", "p:cv"), "value"])  # no single value for several measures
    assert cells.loc[("2", "p:share"), ["value", "at_risk", "outlook"]].tolist() == [
        0.54, True, "有风险",
    ]  # fmt: skip
    assert "p:none" not in cells.index.get_level_values("rule")
    assert len(cells) == 3 + 3 + 2 + 1 + 1


def test_heat_table_fills_rules_a_county_is_not_under(card):
    table = summary.heat_table(summary.rule_cells(card))
    assert list(table.index) == ["1", "2", "3"]
    assert list(table.columns) == ["p:share", "p:cv", "p:big", "p:small", "p:zero"]
    assert table.loc["2", "p:big"] == NA and table.loc["1", "p:small"] == NA
    assert table.loc["1"].tolist() == [UNMET, UNMET, UNMET, NA, UNMET]


def test_status_counts_per_rule_and_overall(card):
    cells = summary.rule_cells(card)
    per = summary.status_counts(cells)
    assert per.loc["p:share"].to_dict() == {MET: 1, UNMET: 2, "有风险": 2, NA: 0, "counties": 3}
    assert per.loc["p:cv"].to_dict() == {MET: 1, UNMET: 1, "有风险": 0, NA: 0, "counties": 3}
    total = summary.status_counts(cells, by=None)
    # 达标: share 丙, cv 乙, big 丙; 未达标: share 甲乙, cv 甲, big 甲, zero 甲; risk: share 甲乙, zero 甲
    assert total.to_dict() == {MET: 3, UNMET: 5, "有风险": 3, NA: 1, "counties": 3}


def test_misses_per_county(card):
    per = summary.misses_per_county(summary.rule_cells(card)).set_index("adcode")
    assert per["misses"].to_dict() == {"1": 4, "2": 1, "3": 0}
    assert per["checked"].to_dict() == {"1": 4, "2": 2, "3": 2}
    assert per.loc["1", "missed_titles"] == "P:SHARE、P:CV、P:BIG、P:ZERO"


def test_furthest_from_target_skips_zero_targets_and_keeps_one_row_per_county(card):
    far = summary.furthest_from_target(card)
    # 甲: share 0.30/0.6 = 0.5, cv y 0.30/0.5 = 0.6 → cv wins; the zero-target rule is skipped
    # 乙: share 0.06/0.6 = 0.1; 丙 misses nothing numeric
    assert far["adcode"].tolist() == ["1", "2"]
    assert far.loc[0, "rule"] == "p:cv" and far.loc[0, "measure"] == "y"
    assert far["shortfall"].round(6).tolist() == [0.6, 0.1]
    assert summary.furthest_from_target(card, n=1)["adcode"].tolist() == ["1"]


def test_empty_card_gives_empty_summaries(card):
    nothing = card[card["rule"] == "p:none"]
    assert summary.supported_rules(nothing).empty
    cells = summary.rule_cells(nothing)
    assert cells.empty and list(cells.columns) == summary.CELL_COLUMNS
    assert summary.misses_per_county(cells).empty
    assert summary.furthest_from_target(nothing).empty


def test_jining_public_kindergarten_count_matches_the_raw_rows(demo):
    """济宁's plan: public kindergartens ≥ 80% of enrolment; count its counties from the records."""
    jn = set(demo.counties.loc[demo.counties["city"] == "济宁市", "adcode"].astype(str))
    s = demo.schools
    kg = s[(s["level"] == "幼儿园") & (s["year"] == 2024) & s["adcode"].astype(str).isin(jn)]
    public = kg["enrolment"].where(kg["ownership"] == "公办", 0).groupby(kg["adcode"]).sum()
    share = public / kg.groupby("adcode")["enrolment"].sum()
    expected_met = int((share >= 0.8).sum())
    assert expected_met == 3  # 鱼台 82.1%, 汶上 89.5%, 曲阜 85.9%

    card = check(demo, "jining", year=2024)
    cells = summary.rule_cells(card[card["adcode"].isin(jn)])
    counts = summary.status_counts(cells).loc["jining:pub_kg_share"]
    assert counts[MET] == expected_met and counts[UNMET] == len(jn) - expected_met
