"""Excel export: every row exported once, numbers stay numbers, templates match schema.csv."""

from __future__ import annotations

from datetime import date

import openpyxl
import pandas as pd
import pytest

import toolkit
from toolkit import excel
from toolkit.data import DEMO_LABEL, load_demo

AREA_SHEETS = ["长治市", "平顶山市", "济宁市"]


@pytest.fixture(scope="module")
def demo():
    return load_demo()


@pytest.fixture(scope="module")
def card(demo):
    return toolkit.check(demo, "济宁")


@pytest.fixture(scope="module")
def book(tmp_path_factory, card, demo):
    path = tmp_path_factory.mktemp("xlsx") / "济宁.xlsx"
    excel.write_scorecard(card, path, counties=demo.counties, profile="济宁", demo=True)
    return openpyxl.load_workbook(path)


def rows(ws, header_row=3):
    """The data rows under the header, as dicts keyed by the Chinese header."""
    header = [c.value for c in ws[header_row]]
    return [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=header_row + 1)]


def test_sheets_one_per_city_plus_overview_and_sources(book):
    assert book.sheetnames == ["总览", *AREA_SHEETS, "规则出处"]


def test_every_card_row_on_exactly_one_area_sheet(book, card):
    per_sheet = {name: rows(book[name]) for name in AREA_SHEETS}
    per_county = card.groupby("adcode").size()
    assert per_county.nunique() == 1 and len(per_county) == 33  # every county, every rule
    k = int(per_county.iloc[0])
    assert sum(len(r) for r in per_sheet.values()) == len(card) == 33 * k
    exported = sorted(
        (r["行政区划代码"].value, r["规则"].value) for v in per_sheet.values() for r in v
    )
    assert exported == sorted(zip(card["adcode"], card["rule"], strict=True))
    jining = per_sheet["济宁市"]
    assert len({r["行政区划代码"].value for r in jining}) == 11
    assert len(jining) == 11 * k
    assert all(r["行政区划代码"].value.startswith("3708") for r in jining)


def test_headers_chinese_with_english_comment_frozen_and_filtered(book):
    ws = book["济宁市"]
    header = [c.value for c in ws[3]]
    assert header[:3] == ["行政区划代码", "县区名称", "指标"]
    assert "状态" in header and "出处" in header
    assert ws["A3"].comment.text == "adcode"
    assert ws.freeze_panes == "C4"
    last = openpyxl.utils.get_column_letter(len(header))
    assert ws.auto_filter.ref == f"A3:{last}{ws.max_row}"


def test_title_row_names_profile_and_date(book):
    today = date.today()
    title = book["济宁市"]["A1"].value
    assert "济宁市（济教字〔2024〕29号）" in title
    assert f"{today.year}年{today.month}月{today.day}日" in title


def test_demo_banner_on_every_sheet(book, tmp_path, card):
    for ws in book:
        assert DEMO_LABEL in ws["A2"].value, ws.title
    plain = openpyxl.load_workbook(excel.write_scorecard(card, tmp_path / "c.xlsx"))
    assert all(ws["A2"].value is None for ws in plain)


def test_shares_are_numbers_with_percent_format(book, card):
    row = next(r for r in rows(book["济宁市"]) if r["规则"].value == "jining:pub_kg_share")
    expected = card.loc[
        (card["adcode"] == row["行政区划代码"].value) & (card["rule"] == "jining:pub_kg_share")
    ].iloc[0]
    assert isinstance(row["数值"].value, float)
    assert row["数值"].value == pytest.approx(expected["value"])
    assert row["数值"].number_format == row["目标值"].number_format == "0.0%"
    assert row["目标值"].value == 0.8
    assert row["差距"].number_format.startswith("+0.0%")
    assert row["期限（年）"].value == 2027 and row["期限（年）"].number_format == "General"
    sped = next(r for r in rows(book["济宁市"]) if r["指标"].value == "special_education")
    assert sped["数值"].number_format == "#,##0"


def test_unmet_row_filled_red_and_met_green(book):
    statuses = {r["状态"].value: r["状态"] for r in rows(book["济宁市"])}
    assert statuses["未达标"].fill.fgColor.rgb.endswith(excel.COLOURS["未达标"])
    assert statuses["达标"].fill.fgColor.rgb.endswith(excel.COLOURS["达标"])
    assert statuses["不适用"].fill.fgColor.rgb.endswith(excel.COLOURS["不适用"])


def test_benchmark_note_and_chinese_level_kept(book):
    row = next(r for r in rows(book["济宁市"]) if r["规则"].value == "jining:pub_kg_share")
    assert "全域目标，逐县比较仅作参照" in row["说明"].value
    assert row["层级"].value == "全域（逐县比较为参照）"


def test_overview_counts_per_rule_and_county(book, card):
    ws = book["总览"]
    assert [c.value for c in ws[4]][:7] == [
        "规则",
        "要求",
        "达标",
        "未达标",
        "不适用",
        "数据缺失",
        "合计",
    ]
    per_rule = {r[0]: r[2:7] for r in ws.iter_rows(min_row=5, max_row=8, values_only=True)}
    want = card[card["rule"] == "jining:pub_kg_share"]["status"].value_counts()
    assert per_rule["jining:pub_kg_share"][:2] == (want.get("达标", 0), want.get("未达标", 0))
    assert per_rule["jining:pub_kg_share"][4] == 33
    top = next(c.row for c in ws["A"] if c.value == "地市")
    counties = rows(ws, top)
    assert len(counties) == 33
    assert sum(r["合计"].value for r in counties) == len(card)
    assert {r["地市"].value for r in counties} == set(AREA_SHEETS)


def test_rule_sources_list_every_rule_with_quote(book):
    table = {r["规则"].value: r for r in rows(book["规则出处"])}
    profile = toolkit.targets.get_profile("济宁")
    assert list(table) == [f"{r.profile}:{r.id}" for r in profile.rules]
    for rule in profile.rules:
        row = table[f"{rule.profile}:{rule.id}"]
        assert row["原文"].value == rule.source.quote
        assert row["出处文件"].value == rule.source.file and row["行"].value == rule.source.line
    assert table["jining:pub_kg_share"]["阈值"].value == "≥ 80%"


def test_rule_sources_without_profile_parsed_from_card(tmp_path, card):
    wb = openpyxl.load_workbook(excel.write_scorecard(card, tmp_path / "c.xlsx"))
    table = {r["规则"].value: r for r in rows(wb["规则出处"])}
    assert table["jining:pub_kg_share"]["原文"].value == "公办幼儿园在园幼儿占比达到80%以上"
    assert table["jining:pub_kg_share"]["行"].value == 25
    assert table["jining:pub_kg_share"]["阈值"].value == "80%"
    assert len(rows(wb["达标情况"])) == len(card)


def test_outlook_column_coloured(tmp_path, card):
    with_outlook = card.assign(outlook="有风险")
    wb = openpyxl.load_workbook(excel.write_scorecard(with_outlook, tmp_path / "o.xlsx"))
    cell = rows(wb["达标情况"])[0]["趋势研判"]
    assert cell.value == "有风险"
    assert cell.fill.fgColor.rgb.endswith(excel.COLOURS["有风险"])


def test_unknown_county_goes_to_other_sheet_and_bad_city_names_are_safe(tmp_path, card):
    counties = pd.DataFrame({"adcode": card["adcode"].unique()})
    counties["city"] = [
        "济宁/市:[测试]?" if a.startswith("37") else "长" * 40 for a in counties.adcode
    ]
    counties = counties[~counties["adcode"].str.startswith("41")]  # 平顶山 unknown
    wb = openpyxl.load_workbook(excel.write_scorecard(card, tmp_path / "x.xlsx", counties=counties))
    names = wb.sheetnames[1:-1]
    assert names == ["长" * 31, "济宁_市__测试__", "其他地区"]
    assert sum(len(rows(wb[n])) for n in names) == len(card)
    assert len(rows(wb["其他地区"])) == 10 * len(card) // 33  # 平顶山's 10 counties


def test_formula_injection_stays_text(tmp_path, card):
    evil = card.head(2).copy()
    evil["name"] = ['=HYPERLINK("http://x","点我")', "+1+1"]
    evil["note"] = ["@SUM(A1)", "-2+3"]
    wb = openpyxl.load_workbook(excel.write_scorecard(evil, tmp_path / "e.xlsx"))
    first, second = rows(wb["达标情况"])
    for cell, text in ((first["县区名称"], evil["name"][0]), (second["说明"], "-2+3")):
        assert cell.data_type == "s" and cell.value == text
    back = pd.read_csv(excel.write_scorecard_csv(evil, tmp_path / "e.csv"), encoding="utf-8-sig")
    assert back["县区名称"].tolist() == ['\'=HYPERLINK("http://x","点我")', "'+1+1"]


def test_csv_round_trip(tmp_path, card):
    path = excel.write_scorecard_csv(card, tmp_path / "card.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"行政区划代码": str})
    assert len(back) == len(card)
    assert back["状态"].tolist() == card["status"].tolist()
    assert back["行政区划代码"].tolist() == card["adcode"].tolist()
    assert list(back.columns[:3]) == ["行政区划代码", "县区名称", "指标"]


def test_unwritable_path_and_bad_card_raise_bilingual_errors(tmp_path, card):
    with pytest.raises(OSError, match="无法写入.*Cannot write"):
        excel.write_scorecard(card, tmp_path / "no" / "such" / "dir.xlsx")
    with pytest.raises(ValueError, match="缺少列.*lacks"):
        excel.write_scorecard_csv(card.drop(columns="status"), tmp_path / "c.csv")


def test_sheet_name_rules():
    taken: set[str] = set()
    assert excel.sheet_name("a*b?c", taken) == "a_b_c"
    assert len(excel.sheet_name("x" * 40, taken)) == 31
    assert excel.sheet_name("A_B_C", taken) == "A_B_C_2"  # Excel names ignore case
