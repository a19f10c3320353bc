"""Cell values as bureaus write them, turned into canonical values — column by column.

Each ``clean_*`` function takes a column of raw cells (strings, numbers or
blanks, as read from CSV or Excel) and returns a :class:`Cleaned`: the clean
values, a mask of cells that could not be read (with the reason per cell) and a
mask of cells that were read but changed in a way worth reporting (a bare ``65``
in a share column read as 65%). Nothing is evaluated: formulas are read as the
values Excel last saved, and text is never executed.

Example
-------
>>> import pandas as pd
>>> clean_int(pd.Series(["１,２３４", "12 345", "-3", "x"])).values.tolist()
[1234.0, 12345.0, nan, nan]
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: Excel date serials read as dates in a year column: 2000-01-01 to 2049-12-31.
SERIALS = (36526, 54788)
SYNONYMS_PATH = Path(__file__).resolve().parent.parent / "synonyms.csv"

TRUE_WORDS = {"是", "true", "t", "yes", "y", "1", "1.0", "√", "✓", "有", "对", "普惠", "普惠性"}
FALSE_WORDS = {
    "否",
    "false",
    "f",
    "no",
    "n",
    "0",
    "0.0",
    "×",
    "✗",
    "无",
    "非普惠",
    "非普惠性",
    "不是",
}
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(\D|$))")


@dataclass
class Cleaned:
    """Clean values plus per-cell problems, aligned with the input's index."""

    values: pd.Series
    bad: pd.Series  # reason (zh / en) where a cell could not be read, else ""
    changed: pd.Series  # note (zh / en) where a readable cell was reinterpreted, else ""


BLANK_WORDS = ["nan", "NaN", "None", "<NA>", "-", "—", "/"]
#: Text NFKC could change: anything but printable ASCII and CJK unified ideographs (literal
#: characters, so pyarrow runs the pattern on whole columns).
_NFKC_NEEDED = "[^\t-~\u4e00-\u9fff]"


def _text(cells: pd.Series) -> pd.Series:
    """Cells as NFKC text without surrounding spaces; blanks become "".

    CSV columns (Arrow-backed text) stay Arrow-backed, so the string work that
    follows runs on whole columns; other columns are converted cell by cell.
    """
    if isinstance(cells.dtype, pd.StringDtype):
        out = cells.fillna("")
        wide = out.str.contains(_NFKC_NEEDED, regex=True).to_numpy(bool)
        if wide.any():
            out = out.copy()
            out[wide] = out[wide].map(lambda v: unicodedata.normalize("NFKC", v))
        out = out.str.strip()
        return out.where(~out.isin(BLANK_WORDS), "")
    out = cells.astype(object).where(cells.notna(), "")
    out = out.map(lambda v: unicodedata.normalize("NFKC", str(v)).strip())
    return out.replace(dict.fromkeys(BLANK_WORDS, ""))


def _none(values: pd.Series) -> pd.Series:
    """Object column with None (not NaN) for missing values."""
    return values.astype(object).where(values.notna(), None)


def _empty(index: pd.Index) -> pd.Series:
    return pd.Series("", index=index, dtype=object)


def _number(text: pd.Series) -> pd.Series:
    """Parse numbers written with full-width digits, spaces or thousands separators."""
    t = text.str.replace(_THOUSANDS, "", regex=True).str.replace(r"\s", "", regex=True)
    return pd.to_numeric(t, errors="coerce")


def clean_int(cells: pd.Series, scale: float = 1) -> Cleaned:
    """Whole non-negative counts (在校生数, 特教班数 …).

    ``1,234``, ``１２３４``, ``1 234`` and ``1234.0`` read as 1234; negatives,
    fractions and text are bad cells. ``scale`` multiplies every value first
    (10000 for a header in 万人).

    >>> c = clean_int(pd.Series(["1,234", "2.5", "-1", ""]))
    >>> c.values.tolist()[0], c.bad.tolist()[1:3]
    (1234.0, ['不是整数 / not a whole number', '不能为负数 / must not be negative'])
    >>> clean_int(pd.Series(["89.528"]), scale=10_000).values.tolist()
    [895280.0]
    """
    return _numeric(cells, whole=True, scale=scale)


def clean_float(cells: pd.Series, scale: float = 1) -> Cleaned:
    """Non-negative amounts (元, ㎡): as :func:`clean_int` but fractions allowed.

    >>> clean_float(pd.Series(["7,000.5", "abc"])).values.tolist()
    [7000.5, nan]
    """
    return _numeric(cells, whole=False, scale=scale)


def _numeric(cells: pd.Series, *, whole: bool, scale: float = 1) -> Cleaned:
    text = _text(cells)
    num = _number(text)
    if scale != 1:
        num = (num * scale).round(6)
    bad = _empty(cells.index)
    bad[(text != "") & num.isna()] = "不是数字 / not a number"
    bad[num.notna() & ~np.isfinite(num.fillna(0))] = "不是有限数字 / not a finite number"
    bad[num < 0] = "不能为负数 / must not be negative"
    bad[(num.abs() > 1e15) & (bad == "")] = "数值过大 / number too large"
    if whole:
        frac = num.notna() & (num != num.round())
        bad[frac & (bad == "")] = "不是整数 / not a whole number"
    values = num.where(bad == "")
    return Cleaned(values.astype("float64"), bad, _empty(cells.index))


def clean_share(cells: pd.Series) -> Cleaned:
    """Shares in [0, 1] from ``65%``, ``0.65`` or ``65`` (read as 65%, reported).

    A column may mix the three. Values above 100% or below 0 are bad cells.

    >>> c = clean_share(pd.Series(["65%", "0.65", "65", "120%"]))
    >>> c.values.round(2).tolist()[:3], bool(c.changed[2]), bool(c.bad[3])
    ([0.65, 0.65, 0.65], True, True)
    """
    text = _text(cells)
    pct = text.str.endswith("%") | text.str.endswith("％")
    num = _number(text.str.rstrip("%％"))
    bad, changed = _empty(cells.index), _empty(cells.index)
    bad[(text != "") & num.isna()] = "不是数字或百分数 / not a number or percentage"
    value = num.where(~pct, num / 100)
    bare = ~pct & (num > 1) & (num <= 100)
    changed[bare] = "大于1的数按百分数读取 / a number above 1 read as a percentage"
    value = value.where(~bare, num / 100)
    bad[(value > 1) & (bad == "")] = "超过100% / above 100%"
    bad[(value < 0) & (bad == "")] = "不能为负数 / must not be negative"
    return Cleaned(value.where(bad == "").astype("float64"), bad, changed)


def clean_bool(cells: pd.Series) -> Cleaned:
    """是/否, true/false, 1/0, √/×, Y/N … as booleans; blanks stay missing.

    >>> clean_bool(pd.Series(["是", "否", "TRUE", "", "也许"])).values.tolist()
    [True, False, True, <NA>, <NA>]
    """
    text = _text(cells).str.lower()
    values = pd.Series(pd.NA, index=cells.index, dtype="boolean")
    values[text.isin(TRUE_WORDS)] = True
    values[text.isin(FALSE_WORDS)] = False
    bad = _empty(cells.index)
    bad[(text != "") & values.isna()] = "应为“是”或“否” / expected 是 (yes) or 否 (no)"
    return Cleaned(values, bad, _empty(cells.index))


def clean_year(cells: pd.Series) -> Cleaned:
    """Years from ``2024``, ``2024年``, ``2024-2025学年`` (the first year) or an Excel date.

    A five-digit number is an Excel date serial whose date format was lost
    (``45536`` is 2024-09-01): read as its year and reported.

    >>> c = clean_year(pd.Series(["2024年", "2023-2024学年", 2022.0, "明年", 45536]))
    >>> c.values.tolist(), bool(c.changed[4])
    ([2024.0, 2023.0, 2022.0, nan, 2024.0], True)
    """
    raw = cells.map(
        lambda v: v.year if hasattr(v, "year") and not isinstance(v, int | float) else v
    )
    text = _text(raw)
    found = text.str.extract(r"^((?:19|20)\d{2})(?:\.0)?(?:\D.*)?$")[0]
    values = pd.to_numeric(found, errors="coerce")
    changed = _empty(cells.index)
    serial = pd.to_numeric(text.where(text.str.fullmatch(r"\d{5}(?:\.0+)?")), errors="coerce")
    dated = values.isna() & serial.between(*SERIALS)  # a date whose format was lost (45536)
    if dated.any():
        days = pd.Timestamp("1899-12-30") + pd.to_timedelta(serial[dated], unit="D")
        values[dated] = days.dt.year
        changed[dated] = [
            f"Excel 日期序列号 {int(n)}（{d:%Y-%m-%d}）读作 {d.year} 年 / Excel date serial {int(n)} "
            f"({d:%Y-%m-%d}) read as {d.year}"
            for n, d in zip(serial[dated], days, strict=True)
        ]
    bad = _empty(cells.index)
    bad[(text != "") & values.isna()] = "不是年份（如 2024）/ not a year (e.g. 2024)"
    return Cleaned(values.astype("float64"), bad, changed)


def clean_code(cells: pd.Series) -> Cleaned:
    """Six-digit administrative codes written as text, numbers or with spaces.

    ``140403``, ``140403.0``, `` 1404 03 `` read as ``140403``; a 12-digit
    statistical code (统计用区划代码, ``140403000000``) is cut to its first six
    digits and reported. Other shapes are bad cells.

    >>> c = clean_code(pd.Series(["140403.0", "1404 03", "140403000000", "14040"]))
    >>> c.values.tolist(), bool(c.changed[2]), bool(c.bad[3])
    (['140403', '140403', '140403', None], True, True)
    """
    text = _text(cells).str.replace(r"\s", "", regex=True).str.replace(r"\.0+$", "", regex=True)
    values = pd.Series(None, index=cells.index, dtype=object)
    six = text.str.fullmatch(r"\d{6}")
    twelve = text.str.fullmatch(r"\d{6}0{6}|\d{12}") & ~six
    values[six] = text[six]
    values[twelve] = text[twelve].str[:6]
    bad, changed = _empty(cells.index), _empty(cells.index)
    bad[(text != "") & values.isna()] = "区划代码应为6位数字 / a county code has 6 digits"
    bad[text.str.fullmatch(r"\d(?:\.\d+)?[eE]\+?\d+")] = (
        "代码被存成了科学计数法（如 1.40403E+11），数字已不完整：请把该列设为文本后重新导出 / "
        "the code was saved in scientific notation and lost digits: format the column as text "
        "and export again"
    )
    changed[twelve] = "12位统计代码取前6位 / 12-digit statistical code cut to 6 digits"
    return Cleaned(_none(values), bad, changed)


def clean_text(cells: pd.Series) -> Cleaned:
    """Free text (names, ids): NFKC, trimmed, inner line breaks removed; numbers lose ``.0``.

    >>> clean_text(pd.Series([" 潞州区 ", 1234.0, None])).values.tolist()
    ['潞州区', '1234', None]
    """
    text = _text(cells)
    for mark, pattern, repl in (("\n", r"[\r\n]+", ""), ("\r", r"\r+", ""),
                                (".0", r"^([0-9]+)\.0$", r"\1")):  # fmt: skip
        has = text.str.contains(mark, regex=False).to_numpy(bool)  # few cells: only those
        if has.any():
            text = text.copy()
            text[has] = text[has].str.replace(pattern, repl, regex=True)  # [0-9]: runs in Arrow
    return Cleaned(_none(text.where(text != "")), _empty(cells.index), _empty(cells.index))


def clean_column(clean: Callable[[pd.Series], Cleaned], cells: pd.Series) -> Cleaned:
    """``clean(cells)``, computed once per distinct text cell and spread back.

    The same answer as ``clean(cells)``; on a long text column with few distinct
    values (codes, 学段, 是/否, counts) it costs a fraction of the time.

    >>> clean_column(clean_int, pd.Series(["1", "x", "1"] * 1000, dtype="str")).bad[:3].tolist()
    ['', '不是数字 / not a number', '']
    """
    if len(cells) < 1000 or not isinstance(cells.dtype, pd.StringDtype):
        return clean(cells)
    if cells.iloc[:10_000].nunique() > 5_000:  # ids, names: (nearly) every cell differs
        return clean(cells)
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    if len(uniques) > len(cells) // 2:
        return clean(cells)
    done = clean(pd.Series(uniques, dtype=cells.dtype))

    def spread(s: pd.Series) -> pd.Series:
        return s.take(codes).set_axis(cells.index)

    def reasons(s: pd.Series) -> pd.Series:  # few distinct reasons: compared as categories
        return spread(s.astype("category"))

    return Cleaned(spread(done.values), reasons(done.bad), reasons(done.changed))


@functools.cache
def synonyms() -> dict[tuple[str, str], dict[str, str]]:
    """(table, column) → {written form (normalised) → canonical value}, from ``synonyms.csv``."""
    table = pd.read_csv(SYNONYMS_PATH, dtype=str, keep_default_na=False, encoding="utf-8")
    out: dict[tuple[str, str], dict[str, str]] = {}
    for row in table.itertuples():
        words = out.setdefault((row.table, row.column), {})
        for word in (row.value, *filter(None, row.synonyms.split("|"))):
            words[unicodedata.normalize("NFKC", word).strip().lower()] = row.value
    return out


def clean_category(cells: pd.Series, allowed: list[str], table: str, column: str) -> Cleaned:
    """One of ``allowed``; common other spellings (公立 → 公办) come from ``synonyms.csv``.

    >>> clean_category(pd.Series(["公立", "民办", "股份制"]), ["公办", "民办"],
    ...                "schools", "ownership").values.tolist()
    ['公办', '民办', None]
    """
    words = {a.lower(): a for a in allowed} | synonyms().get((table, column), {})
    text = _text(cells).str.lower().str.replace(r"\s", "", regex=True)
    values = _none(text.map(words))
    bad = _empty(cells.index)
    listing = "、".join(allowed)
    bad[(text != "") & values.isna()] = f"应为 {listing} 之一 / expected one of {listing}"
    return Cleaned(values, bad, _empty(cells.index))
