"""check(): every rule of a profile, county by county, nothing skipped silently."""

import toolkit
from toolkit.indicators import MISSING, NOT_APPLICABLE
from toolkit.indicators.scorecard import RUNNERS
from toolkit.targets import load_profile


def test_scorecard_covers_every_county_and_rule(demo):
    card = toolkit.check(demo, "national")
    per = card.groupby("indicator")["adcode"].nunique().to_dict()
    assert {
        "special_education",
        "public_kindergarten_share",
        "inclusive_kindergarten_coverage",
    } <= set(per)
    assert set(per.values()) == {33}  # every rule of the profile, for every county
    not_computed = ~card["indicator"].isin(RUNNERS)
    assert not_computed.any() and set(card.loc[not_computed, "status"]) == {MISSING}
    sped = card[card["indicator"] == "special_education"].set_index("name")
    assert sped.loc["潞城区", "status"] == "未达标"
    assert sped.loc["潞城区", "rule"] == "national:sped_school_200k"
    assert sped.loc["平顺县", "rule"] == "national:sped_provision_under_200k"
    assert set(card.loc[card["indicator"] == "inclusive_kindergarten_coverage", "status"]) == {
        NOT_APPLICABLE
    }
    assert card["source"].str.contains("第").all()  # every row cites its source


def test_zone_profile_adds_rotation(demo):
    card = toolkit.check(demo, "金华")
    rate = card[card["indicator"] == "teacher_exchange_rate"]
    assert len(rate) == 33 and set(rate["rule"]) == {"jinhua:teacher_exchange_rate"}
    assert "teachers_over_max_tenure" not in set(card["indicator"])  # not 金华's rule


def test_unsupported_rules_and_missing_tables_are_listed(demo, tmp_path):
    f = tmp_path / "p.toml"
    f.write_text(
        """
[profile]
id = "p"
name_zh = "测试"
extends = "zhucheng"

[[rules]]
id = "class_size"
indicator = "class_size_limit"
title_zh = "班额不超过45人（本局自定）"
user_chosen = true
[rules.source]
file = "本局文件"
line = 1
quote = "45人"
""",
        encoding="utf-8",
    )
    card = toolkit.check({"counties": demo.counties, "schools": demo.schools}, load_profile(f))
    unsupported = card[card["indicator"] == "class_size_limit"]
    assert len(unsupported) == 33 and set(unsupported["status"]) == {MISSING}
    assert "not computed yet" in unsupported["note"].iloc[0]
    tenure = card[card["indicator"] == "teachers_over_max_tenure"]
    assert len(tenure) == 33 and "missing tables" in tenure["note"].iloc[0]


def test_standard_special_school_rule_by_hand(demo):
    # data/README.md's scenario: 200k+ counties without a school that meets the standard
    card = toolkit.check(demo, "national")
    rows = card[card["indicator"] == "sped_school_200k_plus"].set_index("name")
    assert sorted(rows.index[rows["status"] == "未达标"]) == sorted(
        ["屯留区", "潞城区", "襄垣县", "湛河区", "鲁山县", "舞钢市", "鱼台县"]
    )
    assert rows.loc["平顺县", "status"] == "不适用"  # 115,927 people: the rule does not apply
    assert rows.loc["叶县", "status"] == "达标"
    assert (rows["rule"] == "national:sped_school_200k_plus").all()


def test_outlook_and_units_on_the_demo(demo):
    card = toolkit.check(demo, "济宁")
    kg = card[card["indicator"] == "public_kindergarten_share"]
    assert set(kg["outlook"]) == {"已达标", "按期可达", "有风险", "难以达标"}
    assert (kg["unit"] == "share").all()
    met_now = kg[kg["outlook"] == "已达标"]
    assert (met_now["status"] == "达标").all() and (met_now["value"] >= 0.8).all()
    late = kg[kg["outlook"] == "难以达标"]
    assert (late["projected"] < 0.8 - 0.05).all()  # more than the margin short at 2027


def test_county_totals_give_the_same_answers_as_records(demo):
    records = toolkit.check(demo, "平顶山", with_outlook=False)
    totals = toolkit.check({"counties": demo.counties, "indicators": demo.indicators}, "平顶山",
                           with_outlook=False)  # fmt: skip
    for indicator in ("special_education", "sped_school_200k_plus", "public_kindergarten_share",
                      "teacher_exchange_rate", "key_teacher_share_of_exchanged"):  # fmt: skip
        a = records[records["indicator"] == indicator].set_index("adcode")
        b = totals[totals["indicator"] == indicator].set_index("adcode")
        assert (a["status"] == b.loc[a.index, "status"]).all(), indicator
        assert a["value"].round(9).equals(b.loc[a.index, "value"].round(9)), indicator


def test_every_rule_of_every_profile_is_listed(demo):
    from toolkit import targets

    for pid in targets.list_profiles()["id"]:
        prof = targets.get_profile(pid)
        card = toolkit.check(demo, prof, with_outlook=False)
        wanted = {f"{r.profile}:{r.id}" for r in prof.rules}
        assert wanted <= set(card["rule"]), (pid, sorted(wanted - set(card["rule"]))[:3])
        assert card.groupby("rule")["adcode"].nunique().min() >= 1


def test_outlook_of_a_past_year_uses_no_later_data(demo):
    """平顺县's public share rises 50% → 54% (2021–2023), then falls to 30% in 2024.

    Checked for 2023 the line through 2021–2023 reaches 62% in 2027 (按期可达, target 60%);
    with 2024 in the window it would fall. A memo reused across years gives the same cards.
    """
    import pandas as pd

    counties = demo.counties[demo.counties["adcode"].astype(str) == "140425"]
    shares = {2021: 0.50, 2022: 0.52, 2023: 0.54, 2024: 0.30}
    totals = pd.DataFrame({"adcode": "140425", "year": list(shares), "kg_enrolment": 1000,
                           "public_kg_enrolment": [round(1000 * s) for s in shares.values()]})  # fmt: skip
    data = {"counties": counties, "indicators": totals}
    memo: dict = {}
    for year, (verdict, projected) in {2023: ("按期可达", 0.62), 2024: ("难以达标", None)}.items():
        card = toolkit.check(data, "national", year=year, memo=memo)
        row = card[card["indicator"] == "public_kindergarten_share"].iloc[0]
        assert row["outlook"] == verdict, year
        if projected is not None:
            assert abs(row["projected"] - projected) < 1e-9
        again = toolkit.check(data, "national", year=year)
        pd.testing.assert_frame_equal(card, again)
