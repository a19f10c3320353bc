"""Hypothesis strategies for bureau files: random tables with the headers bureaus write.

Headers are drawn from each column's accepted spellings in ``toolkit/schema.csv``;
cells from what bureaus type — valid values more often than not, in their usual
variants (full-width digits, thousands separators, 65% / 0.65 / 65, 是/否/√),
and garbage, blanks, totals and notes among them. :func:`table_file` writes one
table as CSV (UTF-8 or GBK) or .xlsx and says how many data rows the reader
must report; :func:`workbook` writes several tables as one workbook.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from hypothesis import strategies as st
from openpyxl import Workbook

from toolkit.data import match_header, read_schema

SCHEMA = read_schema()
FULL_WIDTH = str.maketrans("0123456789,.-%", "０１２３４５６７８９，．－％")
CODES = ["140403", "140404", "140405", "140406", "140425", "140430", "140421", "140402",
         "140411", "370882", "370811", "410402", "110101"]  # fmt: skip
BAD_CODES = ["999999", "140400", "140202", "1404 03", "140403.0", "１４０４０３", "140403000000",
             "14O403", "1.40403E+11", "14040"]  # fmt: skip
GARBAGE = st.one_of(
    st.sampled_from(["", " ", "\u3000", "-", "—", "/", "nan", "None", "合计", "小计", "其中：公办",
                     "注：本表数据截至9月", "=1+1", "#DIV/0!", "也许", "abc", "１２３", "1,23"]),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=6),
)  # fmt: skip
NAMES = ["潞州区", "潞州", "沁县", "长治县", "城区", "襄垣", "潞城市", "北京", "上党区", "平顺县"]
IDS = ["P1", "P2", "K1", "K2", "J1", "T1", "T2", " P1 ", "Ｐ１"]


def _mostly(valid: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(valid, valid, valid, GARBAGE)


def _count(low: int, high: int) -> st.SearchStrategy:
    def spell(n: int) -> st.SearchStrategy:
        return st.sampled_from([str(n), f"{n:,}", str(n).translate(FULL_WIDTH), f"{n}.0", f" {n} "])

    return st.integers(low, high).flatmap(spell)


SHARES = st.one_of(
    st.integers(-5, 130).map(lambda n: f"{n}%"), st.integers(0, 120).map(str),
    st.floats(-0.1, 1.3, allow_nan=False).map(lambda x: f"{x:.3f}"),
    st.sampled_from(["６５％", "0.65", "65", "100%", "1"]),
)  # fmt: skip
YEARS = st.sampled_from(["2021", "2022", "2023", "2024", "2024年", "2023-2024学年", "2024.0",
                         "45536", "二〇二四", "24", ""])  # fmt: skip
YES_NO = st.sampled_from(
    ["是", "否", "√", "×", "Y", "N", "1", "0", "TRUE", "false", "有", "无", ""]
)
SYNONYMS = {"level": ["普通小学", "初级中学", "幼稚园", "九年一贯制学校", "特教学校"],
            "ownership": ["公立", "私立", "public"], "section": ["小学部", "初中部"]}  # fmt: skip


def cell(table: str, column: str) -> st.SearchStrategy[str]:
    """What a bureau writes in one cell of ``table.column``."""
    spec = SCHEMA[(SCHEMA["table"] == table) & (SCHEMA["column"] == column)].iloc[0]
    if column in ("adcode", "city_adcode", "province_adcode"):
        return _mostly(st.sampled_from(CODES)) | st.sampled_from(BAD_CODES)
    if column == "year":
        return YEARS
    if column in ("school_id", "teacher_id"):
        return _mostly(st.sampled_from(IDS))
    if column == "name":
        return _mostly(st.sampled_from(NAMES if table in ("counties", "indicators") else IDS))
    kind = spec["dtype"]
    if kind == "category":
        allowed = [a for a in spec["allowed"].split("|") if a]
        return _mostly(st.sampled_from(allowed + SYNONYMS.get(column, [])))
    if kind == "bool":
        return _mostly(YES_NO)
    if kind == "share":
        return _mostly(SHARES)
    if kind in ("int", "float"):
        big = 2_000_000 if column == "population" else 3_000
        return _mostly(_count(-5, big))
    return _mostly(
        st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=8)
    )


def headers(table: str, column: str) -> list[str]:
    """Every accepted spelling of ``column``'s header that the readers map to it."""
    spec = SCHEMA[(SCHEMA["table"] == table) & (SCHEMA["column"] == column)].iloc[0]
    names = [spec["column"], spec["header_zh"], *filter(None, spec["aliases"].split("|"))]
    return [n for n in names if match_header(n, table) == column]


@dataclass
class TableFile:
    """A written table: its bytes, name, columns and what the reader must count."""

    table: str
    name: str
    content: bytes
    columns: list[str]
    rows: list[list[str]]
    first_row: int  # the row number of the first data row
    has_required: bool

    @property
    def rows_read(self) -> int:
        """Data rows down to the last one with any text (blank rows after it are not rows)."""
        filled = [i for i, r in enumerate(self.rows) if any(c.strip() for c in r)]
        return filled[-1] + 1 if filled else 0


@st.composite
def table_rows(draw, table: str) -> tuple[list[str], list[str], list[list[str]], bool]:
    """(columns, headers as written, rows) of one random table, and whether it has its required columns."""
    spec = SCHEMA[SCHEMA["table"] == table]
    required = [c for c, r in zip(spec["column"], spec["required"], strict=True) if r]
    optional = [c for c, r in zip(spec["column"], spec["required"], strict=True) if not r]
    if table == "counties":  # a code or a name is enough
        required = draw(st.sampled_from([["adcode"], ["name"], ["adcode", "name"]]))
    keep = draw(st.sampled_from([True] * 9 + [False]))  # now and then a required column is missing
    columns = required if keep else draw(st.lists(st.sampled_from(required), unique=True))
    columns = columns + draw(st.lists(st.sampled_from(optional), unique=True, max_size=4))
    columns = draw(st.permutations(columns or required[:1]))
    written = [draw(st.sampled_from(headers(table, c))) for c in columns]
    n = draw(st.integers(0, 10))
    rows = [[draw(cell(table, c)) for c in columns] for _ in range(n)]
    return columns, written, rows, set(required) <= set(columns)


@st.composite
def table_file(draw, table: str | None = None) -> TableFile:
    """One table written as CSV (UTF-8 or GBK, comma or tab) or .xlsx, maybe under a title row."""
    table = table or draw(st.sampled_from(sorted(set(SCHEMA["table"]))))
    columns, written, rows, keep = draw(table_rows(table))
    kind = draw(st.sampled_from(["utf-8", "gbk", "tab", "xlsx"]))
    title = kind == "xlsx" and draw(st.booleans())
    if kind == "xlsx":
        wb = Workbook()
        ws = wb.active
        if title:
            ws.append(["2024年随机报表"])
        for r in [written, *rows]:
            ws.append(r)
        buf = io.BytesIO()
        wb.save(buf)
        content, name = buf.getvalue(), f"{table}.xlsx"
    else:
        buf = io.StringIO()
        csv.writer(buf, delimiter="\t" if kind == "tab" else ",").writerows([written, *rows])
        text = buf.getvalue()
        try:
            content = text.encode("gbk" if kind == "gbk" else "utf-8")
        except UnicodeEncodeError:
            content = text.encode("utf-8")
        name = f"{table}.csv"
    return TableFile(table, name, content, columns, rows, 3 if title else 2, keep)


SHEETS = {"counties": "区县", "schools": "学校", "teachers": "教师", "indicators": "区县汇总",
          "resources": "办学条件"}  # fmt: skip


@st.composite
def workbook(draw) -> bytes:
    """A workbook of one to three random tables, each on its own sheet."""
    tables = draw(st.lists(st.sampled_from(sorted(SHEETS)), min_size=1, max_size=3, unique=True))
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        columns, written, rows, _ = draw(table_rows(table))
        ws = wb.create_sheet(SHEETS[table])
        for r in [written, *rows]:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
