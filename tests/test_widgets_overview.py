"""The 总览 dashboard without a browser: known answers from the demo rows, restyled in place."""

import re

import pytest

from toolkit import widgets
from toolkit.widgets.overview import CELL_COLORS, focus_page


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def kg_shares(demo, city: str, year: int = 2024):
    """Public-kindergarten enrolment share per county of ``city``, straight from the records."""
    codes = set(demo.counties.loc[demo.counties["city"] == city, "adcode"].astype(str))
    s = demo.schools
    kg = s[(s["level"] == "幼儿园") & (s["year"] == year) & s["adcode"].astype(str).isin(codes)]
    public = kg["enrolment"].where(kg["ownership"] == "公办", 0).groupby(kg["adcode"]).sum()
    return public / kg.groupby("adcode")["enrolment"].sum()


def cell(d, adcode: str, rule: str) -> str:
    found = re.search(
        rf'<td [^>]*data-rule="{rule}" data-adcode="{adcode}"[^>]*>([^<]*)</td>', d.heat.value
    )
    assert found, (adcode, rule)
    return found.group(0)


@pytest.fixture(scope="module")
def dash():
    return widgets.OverviewDashboard()


def test_first_view_national_profile(dash, demo):
    d = dash
    assert d.profile.value == "national" and d.year.value == 2024
    assert len(d.figure.data[0].locations) == 33
    assert d.figure.data[0].zmax == 7  # the national plan's rules the demo data supports
    # the first state lives in the figure itself (a restyle before the first draw is lost)
    first = d.figure_for(d.dataset.geometry, d.result).data[0]
    assert first.zmax == 7 and first.colorbar.title.text == "未达标规则数"
    assert "示例数据（模拟）" in d.banner.value
    assert d.figure.layout.annotations[0].text == "示例数据（模拟）"
    # 潞城区 misses three rules: no special school (2 rules) and a public share of 54.1% < 60%
    share = kg_shares(demo, "长治市")["140406"]
    assert 0.54 < share < 0.6
    z = dict(zip(d.figure.data[0].locations, d.figure.data[0].z, strict=True))
    assert z["140406"] == 3
    body = text(d.counts.value)
    assert "7条规则、33个县" in body and "有风险" in body


def test_unsupported_rules_are_listed_not_dropped(dash):
    d = dash
    assert "<details" in d.unsupported.value
    assert "数据不能支持的规则：12条" in d.unsupported.value  # 19 national rules, 7 computed
    assert (
        "高中阶段毛入学率" in d.unsupported.value
        and "本工具尚不能计算此指标" in d.unsupported.value
    )


def test_furthest_from_target_by_hand(dash, demo):
    shares = {c: kg_shares(demo, c) for c in ("长治市", "平顶山市", "济宁市")}
    lowest = min((v, a) for s in shares.values() for a, v in s.items())
    expected = f"{100 * (0.6 - lowest[0]) / 0.6:.1f}%"  # gap ÷ target against the national 60%
    first_row = re.search(r"<tbody><tr>(.*?)</tr>", dash.furthest.value).group(1)
    assert "壶关县" in first_row and expected in first_row
    assert text(dash.furthest.value).count("县（区）") == 1


def test_rule_headers_link_to_focus_dashboards(dash):
    heat = dash.heat.value
    assert 'href="special_education.ipynb"' in heat and 'href="kindergartens.ipynb"' in heat
    assert focus_page("disabled_enrolment_rate") is None
    assert ">残疾儿童入学率†</span>" in heat  # no link; † marks a jurisdiction-wide target
    assert "全域目标，逐县比较仅作参照" in heat


def test_sources_are_collapsible_with_file_line_quote(dash):
    src = dash.sources.value
    assert src.startswith("<details")
    assert "003_2312c144af1f05ee.txt" in src and "行：7" in src
    assert "“公办园在园幼儿占比力争达到60%以上”" in src
    assert "全域目标，逐县比较仅作参照" in src


def test_city_switch_restyles_and_counts_by_hand(demo):
    d = widgets.OverviewDashboard()
    geojson = d.figure.data[0].geojson
    d.city.value = "370800"  # 济宁市 → its own plan (public share ≥ 80%)
    assert d.profile.value == "jining" and not d.message.value
    assert d.figure.data[0].geojson is geojson
    assert len(d.figure.data[0].locations) == 11 and len(d.figure.data[1].text) == 11
    shares = kg_shares(demo, "济宁市")
    met = int((shares >= 0.8).sum())
    row = re.search(r'<tr data-rule="jining:pub_kg_share">(.*?)</tr>', d.counts.value).group(1)
    assert f'data-count="达标">{met}<' in row
    assert f'data-count="未达标">{len(shares) - met}<' in row
    # 兖州区 62.2% < 80%, off track: red with ▲
    yanzhou = cell(d, "370812", "jining:pub_kg_share")
    assert f"background:{CELL_COLORS['未达标'][0]}" in yanzhou
    assert f">{100 * shares['370812']:.1f}%▲<" in yanzhou
    assert f"background:{CELL_COLORS['达标'][0]}" in cell(d, "370830", "jining:pub_kg_share")
    assert "屯留区" not in d.heat.value


def test_several_measures_are_summarised(demo):
    d = widgets.OverviewDashboard()
    d.profile.value = "balanced_2017"
    cells = d.cells.set_index(["adcode", "rule"])
    c = cells.loc[("140403", "balanced_2017:balanced_cv_primary")]
    assert c["measures"] == 7 and c["status"] == "未达标"
    assert f">{c['failing']}/7项未达标" in cell(d, "140403", "balanced_2017:balanced_cv_primary")
    assert ">7项均达标<" in cell(d, "140405", "balanced_2017:balanced_cv_primary")


def test_a_profile_the_data_cannot_support(demo):
    d = widgets.OverviewDashboard()
    d.profile.value = "changzhou"
    assert not d.message.value
    assert "不能支持该目标配置的任何规则" in d.counts.value
    assert set(d.figure.data[0].z) == {0} and d.heat.value == ""
    assert "数据不能支持的规则：6条" in d.unsupported.value


def test_english_switch():
    d = widgets.OverviewDashboard()
    d.language.value = "en"
    assert "Public kindergarten share" in d.heat.value and "By rule" in d.counts.value
    assert d.figure.data[0].colorbar.title.text == "Rules missed"


def test_errors_become_a_friendly_message():
    import pandas as pd

    broken = widgets.overview_dashboard(
        counties=pd.DataFrame({"adcode": ["1"]}), schools=pd.DataFrame()
    )
    assert "出错了" in broken.value and "Traceback" not in broken.value


def test_prepare_computes_each_city_in_every_year_and_leaves_controls():
    d = widgets.OverviewDashboard()
    before = (d.province.value, d.city.value, d.profile.value, d.year.value)
    d.prepare()  # outside a preheated Voila kernel: nothing computed ahead
    assert len(d._cards) == 1
    d.prepare(only_preheated=False)
    assert (d.province.value, d.city.value, d.profile.value, d.year.value) == before
    years = [y for _, y in d.year.options]
    done = {(k[1], k[2]) for k in d._cards}
    for profile in ("national", "changzhi", "pingdingshan", "jining"):
        assert {(profile, y) for y in years} <= done, profile
    # a repaint from the prepared cache shows what a fresh dashboard computes
    d.city.value = "410400"  # 平顶山市 → its own plan
    d.year.value = 2023
    fresh = widgets.OverviewDashboard()
    fresh.city.value = "410400"
    fresh.year.value = 2023
    assert d.profile.value == fresh.profile.value == "pingdingshan"
    assert list(d.figure.data[0].z) == list(fresh.figure.data[0].z)
    assert d.counts.value == fresh.counts.value
