"""Invariants, on random data (hypothesis): share indicators on random kindergarten tables;
every reader and ``toolkit.check()`` on random bureau files (tests/strategies.py)."""

import csv as _csv
import io as _io

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import SCHEMA, TableFile, table_file, workbook

import toolkit
from toolkit import adcodes, data
from toolkit.data import DataError, csvfile
from toolkit.indicators import public_kindergarten_share, special_education

CODES = ["900001", "900002", "900003", "900004"]
COUNTIES = pd.DataFrame(
    {
        "adcode": CODES,
        "name": ["甲", "乙", "丙", "丁"],
        "city_adcode": ["900100", "900100", "900200", "900200"],
        "city": ["一市", "一市", "二市", "二市"],
        "province_adcode": "900000",
        "province": "测试省",
        "population": [250_000, 200_000, 199_999, 50_000],
    }
)

kindergarten = st.tuples(
    st.sampled_from(CODES),
    st.sampled_from(["公办", "民办"]),
    st.integers(min_value=0, max_value=2_000),
)


def table(rows):
    df = pd.DataFrame(rows, columns=["adcode", "ownership", "enrolment"])
    return df.assign(level="幼儿园", inclusive=False, year=2024)


@settings(max_examples=60, deadline=None)
@given(st.lists(kindergarten, min_size=1, max_size=40))
def test_shares_are_in_unit_interval_and_every_county_is_reported(rows):
    r = public_kindergarten_share(table(rows), COUNTIES)
    assert r["adcode"].tolist() == CODES  # no county dropped, input order kept
    known = r["value"].dropna()
    assert ((known >= 0) & (known <= 1)).all()
    assert (r["numerator"].dropna() <= r["denominator"].dropna()).all()
    assert set(r.loc[r["value"].isna(), "status"]) <= {"数据缺失"}


@settings(max_examples=60, deadline=None)
@given(st.lists(kindergarten, min_size=1, max_size=40))
def test_city_share_lies_between_its_county_shares(rows):
    schools = table(rows)
    county = public_kindergarten_share(schools, COUNTIES).merge(COUNTIES[["adcode", "city"]])
    city = public_kindergarten_share(schools, COUNTIES, by="city").set_index("name")
    for name, group in county.groupby("city"):
        shares = group["value"].dropna()
        if shares.empty:
            continue
        value = city.loc[name, "value"]
        assert shares.min() - 1e-12 <= value <= shares.max() + 1e-12
        # weighted: total public enrolment over total enrolment
        assert city.loc[name, "numerator"] == group["numerator"].sum()


@settings(max_examples=30, deadline=None)
@given(st.lists(kindergarten, min_size=1, max_size=40), st.integers(1, 50))
def test_share_does_not_change_when_every_enrolment_is_scaled(rows, k):
    schools = table(rows)
    scaled = schools.assign(enrolment=schools["enrolment"] * k)
    a = public_kindergarten_share(schools, COUNTIES)["value"]
    b = public_kindergarten_share(scaled, COUNTIES)["value"]
    pd.testing.assert_series_equal(a, b, check_exact=False, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 3), st.integers(0, 1_000_000))
def test_special_education_rule_follows_the_population_line(i, population):
    counties = COUNTIES.iloc[[i]].assign(population=population)
    schools = pd.DataFrame(
        {"adcode": [CODES[i]], "level": ["小学"], "special_classes": [1], "boarding": [False]}
    )
    r = special_education(counties, schools).iloc[0]
    # a class satisfies the national rule below 200,000 and never at or above it
    assert r["status"] == ("达标" if population < 200_000 else "未达标")


# --- readers: every row used or rejected, whatever the cells hold -----------------------
CELL = st.one_of(
    st.sampled_from(["", " ", "合计", "小计", "140403", "140421", "999999", "1404 03", "140403.0",
                     "幼儿园", "小学", "大学", "公办", "民办", "公立", "是", "否", "也许",
                     "1,200", "１２０", "-5", "2.5", "65%", "0.65", "130%", "=1+1"]),
    st.text(max_size=6),
    st.integers(min_value=-10, max_value=10_000).map(str),
)  # fmt: skip
HEADER = ["学校标识码", "学校名称", "区县代码", "学段", "办学性质", "在校生数", "是否普惠"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(CELL, min_size=7, max_size=7), min_size=0, max_size=25))
def test_reader_accounts_for_every_row(rows):
    import csv
    import io

    from toolkit.data import DataError, read_schools

    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    nonblank = [i for i, r in enumerate(rows) if any(c.strip() for c in r)]
    expected = nonblank[-1] + 1 if nonblank else 0
    try:
        df = read_schools(io.BytesIO(buf.getvalue().encode("utf-8")), name="r.csv")
    except DataError as e:
        report = getattr(e, "report", None)
        if report is None:  # a file-level error (no data rows, binary content) names the file
            assert "r.csv" in str(e) and " / " in str(e)
            return
        assert report.rows_used == 0
    else:
        report = df.attrs["report"]
        assert len(df) == report.rows_used > 0
        assert df["adcode"].str.fullmatch(r"\d{6}").all()
        assert (df["enrolment"] >= 0).all()
    assert report.rows_read == expected
    assert report.rows_used + report.rows_rejected == report.rows_read


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["140403", "140404"]), CELL, CELL), min_size=1, max_size=15)
)
def test_shares_read_in_unit_interval(rows):
    import io

    from toolkit.data import DataError, read_indicators

    text = "区县代码,年份,适龄残疾儿童义务教育入学率,在园幼儿数\n" + "\n".join(
        f"{a},{2000 + i},{r.replace(',', '')},{k.replace(',', '')}"
        for i, (a, r, k) in enumerate(rows)
    )
    try:
        df = read_indicators(io.BytesIO(text.encode()))
    except DataError:
        return
    rate = df["disabled_enrolment_rate"].dropna()
    assert ((rate >= 0) & (rate <= 1)).all()
    assert (df["kg_enrolment"].dropna() >= 0).all()


# --- every reader and check(), on random tables with the headers bureaus write -------------------
def _values_are_canonical(table: str, df: pd.DataFrame) -> None:
    """What any table a reader returns holds, whatever the input."""
    spec = SCHEMA[SCHEMA["table"] == table].set_index("column")
    for column, s in spec.iterrows():
        values = df[column].dropna()
        if s["dtype"] == "share":
            assert ((values >= 0) & (values <= 1)).all(), column
        elif s["dtype"] in ("int", "float"):
            assert (values >= 0).all(), column
        elif s["dtype"] == "category":
            assert set(values) <= set(s["allowed"].split("|")), column
        if s["required"] and not (table == "counties" and column in ("name", "population")):
            assert df[column].notna().all(), column
    if len(df):
        assert (adcodes.recode(df["adcode"])["status"] == "current").all()
    if "year" in df:
        assert df["year"].dropna().between(1900, 2099).all()


@settings(max_examples=120, deadline=None)
@given(table_file())
def test_every_reader_accounts_for_every_row_of_any_file(f: TableFile):
    try:
        df = data.read_table(f.content, f.table, name=f.name)
    except DataError as e:
        message = str(e)
        zh, _, en = message.partition(" / ")
        assert f.name in zh and f.name in en  # which file, in both languages
        report = getattr(e, "report", None)
        if report is None:  # only a missing required column fails a file as a whole
            assert not f.has_required and "缺少必需的列" in message
            return
        assert report.rows_used == 0
    else:
        report = df.attrs["report"]
        assert 0 < len(df) <= report.rows_used
        _values_are_canonical(f.table, df)
    assert report.rows_read == f.rows_read
    assert report.rows_used + report.rows_rejected == report.rows_read
    rows = set(range(f.first_row, f.first_row + f.rows_read))
    assert set(report.rejected["row"]) <= rows and set(report.repaired["row"]) <= rows


PROFILES = ["national", "长治", "平顶山", "济宁"]


@settings(max_examples=12, deadline=None)
@given(workbook(), st.sampled_from(PROFILES))
def test_check_runs_on_every_workbook_the_readers_accept(raw, profile):
    try:
        book = data.read_workbook(raw, name="随机.xlsx")
    except DataError as e:
        assert "随机.xlsx" in str(e)
        return
    for report in book.reports.values():
        assert report.rows_used + report.rows_rejected == report.rows_read
    card = toolkit.check(book, profile)
    assert set(card["adcode"]) <= set(book.counties["adcode"])
    shares = card.loc[card["unit"] == "share", "value"].dropna()
    assert ((shares >= 0) & (shares <= 1)).all()
    assert card["status"].notna().all()


CSV_TEXT = st.text(st.sampled_from(list('ab1 ,"\n\r合\t;')), max_size=5)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(CSV_TEXT, min_size=1, max_size=4), min_size=1, max_size=8))
def test_the_three_csv_parsers_read_the_same_cells(rows):
    buf = _io.StringIO()
    _csv.writer(buf).writerows(rows)
    text = buf.getvalue()
    dialect = _csv.excel
    reference = csvfile.module_cells(text, dialect, "t.csv")  # the csv module: reads anything
    width = len(reference.columns)
    for parse in (csvfile.arrow_cells, csvfile.pandas_cells):
        try:
            got = parse(text.encode(), dialect, width)
        except Exception:  # noqa: BLE001 - a parser may refuse; then the next one reads
            continue
        assert got.shape == reference.shape, parse.__name__
        same = got.fillna("").to_numpy() == reference.fillna("").to_numpy()
        assert np.all(same), (parse.__name__, got, reference)
