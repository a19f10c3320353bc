import re

import pytest

from toolkit import targets
from toolkit.targets import Condition, ProfileError, get_profile, load_profile


def _flat(text: str) -> str:
    return re.sub(r"[\s*]", "", text)


def test_shipped_profiles_listed():
    ids = targets.list_profiles()["id"].tolist()
    assert ids[0] == "national"
    assert set(ids) == {"national", "changzhi", "pingdingshan", "jining", "jinhua", "zhucheng"}


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
            text = (shared_dir / "policy" / rule.source.file).read_text(encoding="utf-8")
            lines = text.splitlines()
            # a quote may run over a line break produced by PDF conversion
            window = _flat("".join(lines[rule.source.line - 1 : rule.source.line + 1]))
            assert _flat(rule.source.quote) in window, (pid, rule.id)
            checked += 1
    assert checked >= 8


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
