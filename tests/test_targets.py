import csv
import re
import tomllib
from collections import Counter

import pytest

from toolkit import targets
from toolkit.targets import LEVELS, Condition, ProfileError, get_profile, load_profile

#: research-id prefix → the profile that encodes that document (policy_targets.md §0)
CODES = {
    "nat": "national", "cz": "changzhi", "pds": "pingdingshan", "jn": "jining",
    "sh": "shanghai", "sz": "shenzhen", "cd": "chengdu", "lf": "langfang",
    "czx": "changzhi_zone", "chz": "changzhou", "jh": "jinhua", "sm": "sanming",
    "yc": "yichang", "xa": "xian_gaoxin", "tl": "tongling", "zc": "zhucheng",
}  # fmt: skip
CITIES = {"changzhi", "pingdingshan", "jining"}
ZONES = set(CODES.values()) - CITIES - {"national"}
#: "≥ 60 (力争 strive)", "= 100", "< 0.30", "≈ 151 (约)": one comparator and one number
PLAIN = re.compile(r"^(≥|≤|<|>|=|≈)\s*([\d.,]+)\s*%?\s*(\([^)]*\))?$")
#: Research rows encoded on purpose with another number (the profile's note says why).
ENCODED_OTHERWISE = {"zc_max_tenure_one_school": (0.0, "<=")}  # share over 12 years must be 0


def _flat(text: str) -> str:
    return re.sub(r"[\s*]", "", text)


@pytest.fixture(scope="module")
def research(shared_dir) -> dict[str, dict]:
    path = shared_dir / "research" / "policy_targets.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def _own_rules():
    """(profile id, rule) for every rule our shipped profiles set themselves."""
    return [(pid, r) for pid in CODES.values() for r in get_profile(pid).own_rules]


def _expected(row: dict) -> tuple[float, str] | None:
    """The research table's number and comparator, when it states exactly one."""
    m = PLAIN.match(row["comparator_threshold"])
    if not m:
        return None
    sym, value = m.group(1), float(m.group(2).replace(",", ""))
    value = value / 100 if row["unit"].startswith("%") else value
    # "= X" (达到 X) is checked as ≥ X, "= 0" (消除) as ≤ 0; "≈" (左右, 约) as ≥
    cmp = {"≥": ">=", "≤": "<=", "<": "<", ">": ">", "≈": ">=", "=": ">="}[sym]
    return value, "<=" if sym == "=" and value == 0 else cmp


def _numbers(row: dict) -> list[float]:
    """Every number in the research text, scaled for %, and fractions such as 1/3."""
    text = row["comparator_threshold"].replace(",", "")
    found = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]
    found = [x / 100 for x in found] if row["unit"].startswith("%") else found
    return found + [float(a) / float(b) for a, b in re.findall(r"(\d+)/(\d+)", text)]


def test_shipped_profiles_listed():
    ids = targets.list_profiles()["id"].tolist()
    assert ids[0] == "national"
    assert set(CODES.values()) <= set(ids)  # others (e.g. balanced_2017) may ship beside them


def test_profile_names_and_rule_ids_are_unique():
    seen: dict[str, str] = {}
    for f in sorted(targets.PROFILE_DIR.glob("*.toml")):
        raw = tomllib.loads(f.read_text(encoding="utf-8"))
        head = raw["profile"]
        for key in {head["id"], head.get("name_zh", ""), *head.get("aliases", ())} - {""}:
            assert key not in seen, f"{key!r} names both {seen[key]} and {f.name}"
            seen[key] = f.name
        ids = Counter(r["id"] for r in raw.get("rules", []))  # in the file, before inheriting
        assert max(ids.values(), default=1) == 1, (f.name, ids.most_common(2))
    for pid in targets.list_profiles()["id"]:
        ids = [r.id for r in get_profile(pid).rules]
        assert len(ids) == len(set(ids)), pid


def test_every_research_row_is_exactly_one_rule(research):
    assert len(research) == 312
    own = _own_rules()
    refs = Counter(r.source.ref for _, r in own if r.source.ref)
    assert set(refs) == set(research)
    assert set(refs.values()) == {1}
    assert sum(refs.values()) == 312
    # the one rule with no research row: 济宁 sets nothing for counties under 20万
    assert [(pid, r.id) for pid, r in own if not r.source.ref] == [
        ("jining", "sped_provision_under_200k")
    ]
    for pid, r in own:  # each row sits in its own document's profile, at its place
        if r.source.ref:
            row = research[r.source.ref]
            assert CODES[r.source.ref.split("_")[0]] == pid, r.source.ref
            assert (r.source.file, r.source.line) == (row["source_file"], int(row["source_line"]))
            q, rq = _flat(r.source.quote), _flat(row["quote"])
            assert rq in q or q in rq, r.source.ref
    # no other shipped profile claims a research row
    others = set(targets.list_profiles()["id"]) - set(CODES.values())
    assert not {r.source.ref for pid in others for r in get_profile(pid).rules} & set(research)


def test_thresholds_and_deadlines_match_the_research_table(research):
    plain = 0
    for _, rule in _own_rules():
        if not rule.source.ref:
            continue
        row = research[rule.source.ref]
        expected = ENCODED_OTHERWISE.get(rule.source.ref) or _expected(row)
        if expected is not None:  # the known answer: number and comparator as the research reads
            assert (rule.threshold, rule.comparator) == (pytest.approx(expected[0]), expected[1]), (
                rule.source.ref
            )
            if rule.source.ref not in ENCODED_OTHERWISE:
                assert (rule.unit == "share") == row["unit"].startswith("%"), rule.source.ref
            plain += 1
        elif rule.threshold is not None:  # a number chosen from the research text, never invented
            assert any(rule.threshold == pytest.approx(x, rel=1e-5) for x in _numbers(row)), (
                rule.source.ref
            )
            assert not rule.user_chosen
        deadline = row["deadline"]
        if deadline == "—":
            assert (rule.deadline, rule.deadline_text) == (None, ""), rule.source.ref
        elif deadline.isdigit():
            assert (rule.deadline, rule.deadline_text) == (int(deadline), ""), rule.source.ref
        else:  # "2025 (前)", "3–5 yrs", "2023-10": the text kept, the last year as the deadline
            years = re.findall(r"\d{4}", deadline)
            assert rule.deadline_text == deadline, rule.source.ref
            assert rule.deadline == (int(years[-1]) if years else None), rule.source.ref
        assert rule.target_text, rule.source.ref
        if rule.threshold is None and rule.population is None:
            assert rule.comparator == "", rule.source.ref
    assert plain == 121


def test_direction_only_targets_have_no_threshold(research):
    for _, rule in _own_rules():
        if rule.source.ref and research[rule.source.ref]["comparator_threshold"].startswith("↑"):
            assert rule.threshold is None and "原文无数值" in rule.target_text, rule.source.ref


@pytest.mark.parametrize(
    "name", ["national", "全国", "changzhi", "长治", "长治市", "平顶山", "济宁"]
)
def test_get_profile_by_id_or_chinese_name(name):
    assert get_profile(name).rules


def test_unknown_profile_error_lists_available():
    with pytest.raises(ProfileError) as e:
        get_profile("石家庄")
    assert "national" in str(e.value) and "未知" in str(e.value) and "Unknown" in str(e.value)


def test_every_quote_is_in_its_policy_text_at_its_line(shared_dir):
    checked = 0
    for pid in targets.list_profiles()["id"]:
        for rule in get_profile(pid).rules:
            # policy texts by file name; other sources (research/facts.md) relative to shared/
            path = shared_dir / "policy" / rule.source.file
            if not path.exists():
                path = shared_dir / rule.source.file
            lines = path.read_text(encoding="utf-8").splitlines()
            here = _flat(lines[rule.source.line - 1])
            # a quote may run over a line break produced by PDF conversion, which in files 000
            # and 004 also leaves a blank line: the window is the line and the next non-blank one
            after = next((_flat(x) for x in lines[rule.source.line :] if x.strip()), "")
            at = (here + after).find(_flat(rule.source.quote))
            assert 0 <= at < len(here), (pid, rule.id, rule.source.line)  # starts on its line
            checked += 1
    assert checked >= 312


def test_city_numbers_differ_where_the_texts_do():
    nat, cz, pds, jn = (get_profile(p) for p in ("national", "长治", "平顶山", "济宁"))
    assert [p.rule("pub_kg_share").threshold for p in (nat, cz, pds, jn)] == [0.6, 0.6, 0.6, 0.8]
    assert jn.rule("pub_kg_share").modal == "" and nat.rule("pub_kg_share").modal == "力争"
    assert jn.rule("sped_school_200k").deadline == 2025
    sped_funding = [p.rules_for("sped_funding_per_student") for p in (nat, cz, jn)]
    assert sped_funding[0] == ()  # the national text gives no number
    assert [(r.threshold, r.deadline, r.unit) for (r,) in sped_funding[1:]] == [
        (7000, 2025, "元/生·年"),
        (9000, 2025, "元/生·年"),
    ]
    # a city rule with the national id replaces it; the other national rules are inherited
    assert pds.rule("hs_gross_enrol").threshold == 0.96
    assert nat.rule("hs_gross_enrol").threshold is None
    kg = pds.rule("pub_kg_operating_funding")
    assert (kg.profile, kg.deadline, kg.deadline_text) == ("pingdingshan", 2025, "2025 (前)")
    assert cz.rule("prov_plan_deadline").profile == "national"


def test_indicator_keys_name_the_computation():
    pub = {p: [r.threshold for r in get_profile(p).rules_for("public_kindergarten_share")]
           for p in ("national", "changzhi", "pingdingshan", "jining", "yichang", "tongling")}  # fmt: skip
    assert pub == {"national": [0.6], "changzhi": [0.6], "pingdingshan": [0.6],
                   "jining": [0.8], "yichang": [0.5], "tongling": [None]}  # fmt: skip
    # other denominators are other indicators
    assert get_profile("三明").rule("pub_kg_share").indicator == "public_kg_share_of_age_group"
    assert get_profile("金华").rules_for("public_kg_intake_share")[0].threshold == 0.6
    inclusive = get_profile("金华").rules_for("inclusive_kindergarten_coverage")[0]
    assert (inclusive.threshold, inclusive.modal) == (0.9, "保持、左右")
    disabled = {p: get_profile(p).rules_for("disabled_enrolment_rate")[0].threshold
                for p in ("national", "changzhi", "pingdingshan", "tongling", "yichang")}  # fmt: skip
    assert disabled == {"national": 0.97, "changzhi": 0.97, "pingdingshan": 0.97,
                        "tongling": 0.98, "yichang": 1.0}  # fmt: skip
    assert "具备学习能力" in get_profile("宜昌").rules_for("disabled_enrolment_rate")[0].note_zh
    assert get_profile("济宁").rules_for("disabled_enrolment_rate")[0].profile == "national"
    zc = get_profile("诸城")
    assert zc.rule("teachers_over_max_tenure").threshold == 0.0  # share over 12 years
    rotation = zc.rules_for("teachers_due_rotation")[0]
    assert (rotation.id, rotation.threshold, rotation.unit) == ("rotation_cycle", 9, "年")
    assert get_profile("平顶山").rules_for("exchange_period_years")[0].threshold == 3
    cv = get_profile("金华").rules_for("balanced_cv_junior")[0]
    assert (cv.comparator, cv.threshold, cv.unit, cv.level) == ("<", 0.3, "coefficient", "county")
    cz = get_profile("长治")
    assert cz.rules_for("hs_funding_per_student")[0].level == "county"
    assert cz.rules_for("hs_funding_per_student_provincial")[0].threshold == 1500


def test_zone_profiles_stand_alone():
    for pid in ZONES:
        p = get_profile(pid)
        assert not p.extends and p.rules == p.own_rules, pid
        assert p.source_file.startswith("004_"), pid
    assert not get_profile("金华").rules_for("special_education")
    assert get_profile("诸城").rule("teachers_over_max_tenure").profile == "zhucheng"


def test_changzhi_names_the_2024_plan_and_the_zone_plan_apart():
    assert get_profile("长治").id == get_profile("长治市").id == get_profile("cz").id == "changzhi"
    zone = get_profile("长治市（实验区方案）")
    assert zone.id == get_profile("czx").id == "changzhi_zone"
    assert zone.jurisdiction != get_profile("长治").jurisdiction  # the dashboard maps city → plan


def test_to_frame_shows_target_text_and_deadline_text():
    t = get_profile("平顶山").to_frame().set_index("规则 rule")
    assert t.loc["hs_gross_enrol", ["目标 target text", "阈值 threshold"]].tolist() == ["≥ 96%"] * 2
    assert t.loc["pub_kg_operating_funding", "期限 deadline"] == "2025 (前)"
    assert t.loc["pub_kg_operating_funding", "阈值 threshold"] == "≥ 600 元/生·年"
    assert t.loc["inclusive_kg_coverage", "阈值 threshold"] == "—"
    assert "原文无数值" in t.loc["inclusive_kg_coverage", "目标 target text"]
    assert t.loc["township_public_central_kg", "层级 level"] == LEVELS["township"]


def test_city_profiles_override_national():
    nat = get_profile("national").rule("sped_school_200k")
    jn = get_profile("济宁").rule("sped_school_200k")
    cz = get_profile("长治").rule("sped_school_200k")
    assert nat.deadline == 2027 and jn.deadline == 2025
    assert nat.requires == "special_school" and cz.requires == "standard_special_school"
    assert get_profile("济宁").rule("sped_provision_under_200k").requires == "not_applicable"
    assert cz.profile == "changzhi" and nat.profile == "national"


def test_yishang_includes_the_number():
    cond = get_profile("national").rule("sped_school_200k").population
    assert cond.holds(200_000) and not cond.holds(199_999)
    below = get_profile("national").rule("sped_provision_under_200k").population
    assert below.holds(199_999) and not below.holds(200_000)


def test_condition_parse_errors():
    assert Condition.parse("< 5") == Condition("<", 5.0)
    with pytest.raises(ProfileError):
        Condition.parse("about 200000")


def test_user_profile_file_extends_and_overrides(tmp_path):
    f = tmp_path / "my_county.toml"
    f.write_text(
        """
[profile]
id = "my_county"
name_zh = "某县自定"
extends = "national"

[[rules]]
id = "sped_school_200k"
indicator = "special_education"
title_zh = "15万人口以上的县有特殊教育学校（本局自定）"
population = ">= 150000"
requires = "special_school"
user_chosen = true
[rules.source]
file = "本局文件"
line = 1
quote = "15万人口以上"
""",
        encoding="utf-8",
    )
    p = load_profile(f)
    ids = [r.id for r in p.rules]
    assert ids[:2] == ["sped_school_200k", "sped_provision_under_200k"]
    assert "pub_kg_share" in ids  # inherited unchanged
    assert p.rule("sped_school_200k").population.value == 150_000
    assert p.rule("sped_school_200k").user_chosen
    assert p.rule("sped_provision_under_200k").profile == "national"
    table = p.to_frame()
    assert table.loc[0, "用户设定 user-chosen"] == "是"
    assert table.loc[1, "出处 source"].startswith("003_")


def test_malformed_profile_names_file_and_field(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text(
        '[profile]\nid = "bad"\n[[rules]]\nid = "x"\nindicator = "special_education"\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as e:
        load_profile(f)
    assert "bad.toml" in str(e.value) and "title_zh" in str(e.value)
    g = tmp_path / "broken.toml"
    g.write_text("[profile\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="broken.toml"):
        load_profile(g)
    h = tmp_path / "values.toml"
    h.write_text(
        '[profile]\nid = "v"\n[[rules]]\nid = "x"\nindicator = "i"\ntitle_zh = "甲"\n'
        'comparator = "=="\nthreshold = "60%"\nlevel = "village"\n'
        '[rules.source]\nfile = "f"\nline = 1\nquote = "q"\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as e:
        load_profile(h)
    assert all(
        w in str(e.value) for w in ("values.toml", "comparator", "threshold", "level", "取值")
    )
