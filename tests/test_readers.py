"""Readers of the bureau's own files: encodings, headers, values, county codes, row accounting."""

import io

import pandas as pd
import pytest

import toolkit
from conftest import bureau_workbook
from toolkit import data, excel
from toolkit.data import DataError


def _csv(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


SCHOOLS_CSV = (
    "学校标识码,学校名称,区县代码,学段,办学性质,是否普惠,在园幼儿数\n"
    "K1,城关幼儿园,140403,幼儿园,公办,是,300\n"
    "K2,阳光幼儿园,140403,幼儿园,民办,否,100\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings_read_the_same(encoding):
    df = data.read_schools(_csv(SCHOOLS_CSV, encoding), name="学校.csv")
    assert df["name"].tolist() == ["城关幼儿园", "阳光幼儿园"]
    assert df["enrolment"].tolist() == [300, 100]
    assert df["inclusive"].tolist() == [True, False]


def test_headers_in_english_and_canonical_order():
    text = "school_id,name,adcode,level,ownership,enrolment,extra\nP1,一小,140403,primary,public,500,x\n"
    df = data.read_schools(_csv(text))
    assert list(df.columns) == data.read_schema("schools")["column"].tolist()
    assert df.loc[0, ["level", "ownership"]].tolist() == ["小学", "公办"]
    assert df.attrs["report"].ignored_columns == ["extra"]


def test_every_row_used_or_rejected_with_file_row_and_column():
    text = (
        "学校标识码,学校名称,区县代码,学段,办学性质,在校生数\n"  # line 1
        'P1,一小,140403,小学,公办,"1,234"\n'  # 2: thousands separator
        "P2,二小,140403,小学,公办,-5\n"  # 3: negative
        "P3,三小,140403,大学,公办,10\n"  # 4: unknown level
        ",,,,,\n"  # 5: blank
        'P1,一小,140403,小学,公办,"1,234"\n'  # 6: duplicate of 2
        "P4,四小,999999,小学,公办,10\n"  # 7: code that never existed
        "P5,五小,１４０４０３,小学,公办,１２０\n"  # 8: full-width digits
        "合计,,,,,1363\n"  # 9: totals row
    )
    df = data.read_schools(_csv(text, "gbk"), name="学校.csv")
    report = df.attrs["report"]
    assert df["school_id"].tolist() == ["P1", "P5"]
    assert df["enrolment"].tolist() == [1234, 120]
    assert report.rows_read == 8
    assert report.rows_used + report.rows_rejected == report.rows_read == 8
    rejected = report.rejected.set_index("row")
    assert sorted(rejected.index.unique()) == [3, 4, 5, 6, 7, 9]
    assert rejected.loc[3, "column"] == "在校生数" and "负" in rejected.loc[3, "reason_zh"]
    assert "negative" in rejected.loc[3, "reason_en"]
    assert rejected.loc[4, "column"] == "学段"
    assert "第 2 行" in rejected.loc[6, "reason_zh"]
    assert rejected.loc[7, "value"] == "999999"
    assert (report.rejected["file"] == "学校.csv").all()


def test_old_changzhi_and_jining_codes_are_recoded_and_reported():
    text = (
        "学校标识码,学校名称,区县代码,学段,办学性质,在校生数\n"
        "A,甲小,140421,小学,公办,10\nB,乙小,140402,小学,公办,10\nC,丙小,370882,小学,公办,10\n"
        "D,丁小,140202,小学,公办,10\n"  # 大同 城区: split between two districts
    )
    df = data.read_schools(_csv(text))
    assert df["adcode"].tolist() == ["140404", "140403", "370812"]
    fixed = df.attrs["report"].repaired.set_index("row")
    assert fixed.loc[2, "new_value"] == "140404" and "长治县" in fixed.loc[2, "reason_zh"]
    assert "140213" in df.attrs["report"].rejected.set_index("row").loc[5, "reason_zh"]


def test_scope_rejects_other_provinces():
    text = "学校标识码,学校名称,区县代码,学段,办学性质,在校生数\nA,甲,140403,小学,公办,1\nB,乙,110101,小学,公办,1\n"
    df = data.read_schools(_csv(text), city="长治市")
    assert df["adcode"].tolist() == ["140403"]
    assert "长治市" in df.attrs["report"].rejected.iloc[0]["reason_zh"]


def test_shares_mixed_percent_and_fraction():
    text = "区县代码,年份,适龄残疾儿童义务教育入学率\n140403,2024,97%\n140404,2024,0.95\n140405,2024,96.5\n140406,2024,130%\n"
    df = data.read_indicators(_csv(text))
    assert df["disabled_enrolment_rate"].round(4).tolist()[:3] == [0.97, 0.95, 0.965]
    assert pd.isna(df["disabled_enrolment_rate"].iloc[3])  # an optional value left blank …
    fixed = df.attrs["report"].repaired.set_index("row")
    assert "百分数" in fixed.loc[4, "reason_zh"]  # 96.5 read as a percentage, and said so
    assert (
        "100%" in fixed.loc[5, "reason_zh"] and "blank" in fixed.loc[5, "reason_en"]
    )  # … and said


def test_numerator_above_denominator_is_rejected():
    text = "区县代码,在园幼儿数,公办园在园幼儿数\n140403,100,120\n"
    with pytest.raises(DataError) as e:
        data.read_indicators(_csv(text), name="汇总.csv")
    assert "没有可用的数据行" in str(e.value) and "汇总.csv" in str(e.value)
    assert e.value.report.rejected.iloc[0]["column"] == "公办园在园幼儿数"


def test_missing_required_columns_name_them_in_both_languages():
    with pytest.raises(DataError) as e:
        data.read_schools(_csv("学校名称,在校生数\n一小,5\n"), name="x.csv")
    msg = str(e.value)
    assert "x.csv" in msg and "学段" in msg and "level" in msg and "template" in msg


@pytest.mark.parametrize(
    ("payload", "needle"),
    [(b"", "空"), (b"%PDF-1.4 ...", "PDF"), (b"PK\x03\x04broken", "损坏"),
     (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".xls")],
)  # fmt: skip
def test_unreadable_files_get_a_clear_error(payload, needle):
    with pytest.raises(DataError, match=needle):
        data.read_schools(io.BytesIO(payload), name="上传.xlsx")


def test_only_headers_is_an_error_not_an_empty_table():
    with pytest.raises(DataError, match="没有可用的数据行"):
        data.read_schools(_csv("学校标识码,学校名称,区县代码,学段,办学性质,在校生数\n"))


def test_counties_by_name_without_suffix_and_population_from_census():
    df = data.read_counties(_csv("县区名称\n潞州\n沁县\n长治县\n"), city="长治")
    assert df["adcode"].tolist() == ["140403", "140430", "140404"]
    assert df["population"].tolist() == [895280, 138578, 319660]
    assert any("普查" in w for w in df.attrs["report"].warnings)


def test_merged_old_units_add_their_counts():
    text = "区县代码,年份,在园幼儿数,公办园在园幼儿数\n140402,2017,100,50\n140411,2017,60,30\n"
    df = data.read_indicators(_csv(text))
    assert df[["adcode", "kg_enrolment", "public_kg_enrolment"]].values.tolist() == [
        ["140403", 160, 80]
    ]
    assert df.attrs["report"].rows_used == 2  # both input rows are used, as one county


def test_dataframe_and_parquet_inputs(tmp_path):
    frame = pd.DataFrame({"区县代码": [140403], "学校标识码": ["K"], "学校名称": ["园"],
                          "学段": ["幼儿园"], "办学性质": ["公办"], "在园幼儿数": [5.0]})  # fmt: skip
    assert data.read_schools(frame).loc[0, "adcode"] == "140403"
    path = tmp_path / "s.parquet"
    frame.to_parquet(path)
    assert data.read_schools(path).loc[0, "enrolment"] == 5


# --- a bureau's workbook, end to end ---------------------------------------------------
def test_bureau_workbook_to_scorecard_and_excel(tmp_path):
    book = data.read_workbook(bureau_workbook(tmp_path / "长治市教育局.xlsx"), city="长治市")
    report = book.reports["schools"]
    assert report.sheet == "学校基本情况" and report.header_row == 3
    assert report.rows_read == 9 and report.rows_used == 5
    assert sorted(report.rejected["row"].unique()) == [9, 10, 11, 12]
    assert book.schools.set_index("school_id").loc["SE2", "adcode"] == "140404"
    # no counties sheet: the counties come from the codes, with census populations
    assert book.counties.set_index("adcode").loc["140404", "population"] == 319660
    card = toolkit.check(book, "长治")
    sped = card[card["rule"] == "changzhi:sped_school_200k"].set_index("adcode")
    below = card[card["rule"] == "changzhi:sped_provision_under_200k"]
    assert set(below["status"]) == {"不适用"}  # every county in the workbook is 200k+
    assert sped.loc["140404", "status"] == "达标"  # 上党区 (old code 140421) has its school
    assert sped.loc["140405", "status"] == "未达标"  # 屯留区 253,756: classes but no school
    kg = card[card["indicator"] == "public_kindergarten_share"].set_index("adcode")
    assert kg.loc["140406", "value"] == pytest.approx(0.6)  # 300 / (300 + 200)
    assert kg.loc["140406", "status"] == "达标"
    out = excel.write_scorecard(card, tmp_path / "记分卡.xlsx", counties=book.counties,
                                        profile="长治")  # fmt: skip
    back = pd.read_excel(out, sheet_name=None)
    assert "规则出处" in back and any("长治" in name for name in back)


def test_numbers_too_large_for_a_count_are_rejected_not_crashing():
    text = "区县代码,年份,在园幼儿数\n140403,2024,1e19\n140404,2024,120\n"
    df = data.read_indicators(_csv(text))
    assert df["kg_enrolment"].tolist()[1] == 120 and pd.isna(df["kg_enrolment"].iloc[0])
    assert "过大" in df.attrs["report"].repaired.iloc[0]["reason_zh"]
