"""A bureau's whole workbook (or folder of files) read at once, ready for :func:`toolkit.check`.

:func:`read_workbook` finds each canonical table (区县 counties, 学校 schools,
教师 teachers, 县级汇总 indicators, 办学条件 resources) on the sheet whose
headers fit it, reads it with the table's reader and keeps every sheet's
validation report. Without a counties sheet, the counties are those the other
tables name, with populations from the 2020 census.

Example
-------
>>> import tempfile, pathlib, pandas as pd
>>> path = pathlib.Path(tempfile.mkdtemp()) / "局报表.xlsx"
>>> with pd.ExcelWriter(path) as w:
...     pd.DataFrame({"学校标识码": ["K1", "K2"], "学校名称": ["城关幼儿园", "东关幼儿园"],
...                   "区县代码": ["140421", "140403"], "学段": "幼儿园", "办学性质": ["公办", "民办"],
...                   "在园幼儿数": [120, 80]}).to_excel(w, sheet_name="学校", index=False)
>>> book = read_workbook(path)
>>> book.tables, book.counties["name"].tolist()
(['counties', 'schools'], ['潞州区', '上党区'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pandas as pd

from .. import adcodes
from .errors import DataError, Report
from .files import _find_header, _kind, _read_bytes, open_grid
from .readers import _complete_counties, read_table
from .schema import match_header, read_schema, tables
from .xlsx import read_sheets

#: How many required columns a sheet must show for a table to be looked for on it.
_MIN_MATCH = 2


@dataclass(eq=False)
class BureauData:
    """The tables read from a bureau's files, with one :class:`Report` per table."""

    counties: pd.DataFrame = field(repr=False)
    schools: pd.DataFrame | None = field(default=None, repr=False)
    teachers: pd.DataFrame | None = field(default=None, repr=False)
    indicators: pd.DataFrame | None = field(default=None, repr=False)
    resources: pd.DataFrame | None = field(default=None, repr=False)
    reports: dict[str, Report] = field(default_factory=dict, repr=False)
    warnings: list[str] = field(default_factory=list)
    label: str = ""
    is_simulated: bool = False

    @property
    def tables(self) -> list[str]:
        """The tables present, in canonical order."""
        return [t for t in tables() if getattr(self, t, None) is not None]

    def report_frame(self) -> pd.DataFrame:
        """Every rejected row of every table, one row per problem, with the table name."""
        frames = [r.rejected.assign(table=t) for t, r in self.reports.items() if len(r.rejected)]
        cols = ["table", *Report("", None, "").rejected.columns]
        return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def _sheet_scores(raw: bytes, file: str) -> tuple[dict[str, dict[str, int]], list[str]]:
    """sheet → table → number of that table's columns found in the sheet's header row; notes."""
    sheets, notes = read_sheets(raw, file, None)
    out: dict[str, dict[str, int]] = {}
    for sheet in sheets:
        out[sheet.title] = {}
        for table in tables():
            _, _, texts = _find_header(sheet.rows, table)
            out[sheet.title][table] = len({match_header(t, table) for t in texts} - {None})
    return out, notes


def _assign(scores: dict[str, dict[str, int]]) -> dict[str, str]:
    """table → sheet: each sheet serves the table whose columns it shows best."""
    wanted: dict[str, tuple[int, str]] = {}
    for sheet, by_table in scores.items():
        best = max(by_table, key=lambda t: (by_table[t], -tables().index(t)))
        need = read_schema(best)["required"].sum()
        if (
            by_table[best] >= min(_MIN_MATCH, need)
            and by_table[best] > wanted.get(best, (0, ""))[0]
        ):
            wanted[best] = (by_table[best], sheet)
    return {t: s for t, (_, s) in wanted.items()}


def _single_table_scores(raw: bytes, file: str) -> dict[str, int]:
    """table → columns found, for the tables a single-table file can be read as (all required there)."""
    scores, last = {}, None
    for table in tables():
        try:
            scores[table] = len(open_grid(raw, table, name=file).columns)
        except DataError as e:
            last = e
    if not scores and last is not None and "缺少必需的列" not in last.problem:
        raise last  # not a table at all: the file-level reason (PDF, .xls, empty …)
    return scores


def counties_for(codes: pd.Series | list[str]) -> pd.DataFrame:
    """A counties table for today's codes: names, city, province and the 2020 census population.

    >>> counties_for(["140430"])[["name", "population"]].values.tolist()
    [['沁县', 138578]]
    """
    codes = sorted({str(c) for c in codes if c})
    ref = adcodes.counties().set_index("adcode")
    cols = read_schema("counties")["column"].tolist()
    frame = pd.DataFrame({"adcode": codes}).reindex(columns=cols).astype(object)
    frame["name"] = frame["adcode"].map(ref["name"])
    frame["population"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    return _complete_counties(frame, [])


def read_workbook(
    source: str | Path | IO[bytes] | bytes,
    *,
    name: str | None = None,
    province: str | None = None,
    city: str | None = None,
) -> BureauData:
    """Read every canonical table found in one .xlsx workbook; see the module docstring.

    A CSV or Parquet file holds one table: the one whose headers it fits best.
    Raises :class:`DataError` if no sheet looks like any table, or if the file
    is not a table at all (a PDF, an old .xls, an empty file …).
    """
    raw, file = _read_bytes(source)  # a missing path is a DataError too
    file = name or file
    notes: list[str] = []
    if _kind(raw[:512]) != "zip":  # one table: CSV or Parquet (or not a table: open_grid says why)
        scores = _single_table_scores(raw, file)
        chosen = {max(scores, key=scores.get): None} if scores else {}
    else:
        scores, notes = _sheet_scores(raw, file)
        chosen = _assign(scores)
    if not chosen:
        hidden = [n.partition(" / ") for n in notes]
        raise DataError(
            "工作簿中没有可识别的数据表", file=file,
            zh="表头应包含如“行政区划代码”“学校名称”“学段”等列；可用 toolkit.data.template 生成模板。"
               + "".join(zh for zh, _, _ in hidden),
            en="No sheet has recognisable headers (区县代码, 学校名称, 学段 …): start from "
               "toolkit.data.template." + "".join(f" {en}" for _, _, en in hidden),
        )  # fmt: skip
    found: dict[str, pd.DataFrame] = {}
    reports: dict[str, Report] = {}
    for table, sheet in chosen.items():
        frame = read_table(raw, table, sheet=sheet, name=file, province=province, city=city)
        found[table] = frame
        reports[table] = frame.attrs["report"]
    warnings = []
    if "counties" not in found:
        codes = pd.concat([f["adcode"] for f in found.values() if "adcode" in f])
        found["counties"] = counties_for(codes)
        warnings.append(
            "工作簿中没有区县表：区县取自其他表的代码，人口取自2020年普查 / "
            "no counties sheet: counties from the other tables' codes, population from the 2020 census"
        )
    return BureauData(**found, reports=reports, warnings=warnings)
