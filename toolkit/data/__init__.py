"""Data in: the bureau's own files, the bundled demo data, and the census population.

* :func:`read_counties`, :func:`read_schools`, :func:`read_teachers`,
  :func:`read_indicators`, :func:`read_resources` read CSV (UTF-8, UTF-8 with
  BOM, GBK/GB18030, UTF-16), Excel (.xlsx) and Parquet with Chinese or English
  headers, and return the canonical table with its validation report in
  ``df.attrs["report"]``: every input row is used or listed as rejected.
* :func:`read_workbook` reads every table found in one workbook, for :func:`toolkit.check`.
* :func:`load_demo` — the bundled demo (示例数据（模拟）); :func:`demo_records` the same with
  its record tables left on disk for the engine (what the dashboards open).
* :func:`census_population` — the 2020 census population of every county.
* :func:`read_schema` — the column dictionary every reader and template follows.

Example
-------
>>> from toolkit import data
>>> data.load_demo().label
'示例数据（模拟）'
"""

from pathlib import Path

from .demo import (
    DEMO_DIR,
    DEMO_LABEL,
    DEMO_NOTE,
    DEMO_TABLES,
    DemoData,
    census_population,
    demo_records,
    load_demo,
)
from .errors import DataError, Report
from .readers import (
    read_counties,
    read_indicators,
    read_resources,
    read_schools,
    read_table,
    read_teachers,
)
from .schema import SCHEMA_PATH, match_header, normalise_header, read_schema, tables
from .workbook import BureauData, counties_for, read_workbook

TABLES = tables()


def template(kind: str, path: str | Path) -> Path:
    """Write a blank fill-in workbook for ``kind`` (schools, teachers, counties …) to ``path``.

    The readers accept the filled-in workbook unchanged; see
    :func:`toolkit.templates.write_template` for what it holds.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     template("teachers", f"{tmp}/教师.xlsx").name
    '教师.xlsx'
    """
    from ..templates import write_template

    return write_template(kind, path)


__all__ = [
    "DEMO_DIR", "DEMO_LABEL", "DEMO_NOTE", "DEMO_TABLES", "BureauData", "DataError", "DemoData",
    "Report", "SCHEMA_PATH", "TABLES", "census_population", "counties_for", "demo_records",
    "load_demo",
    "match_header", "normalise_header", "read_counties", "read_indicators", "read_resources",
    "read_schema", "read_schools", "read_table", "read_teachers", "read_workbook", "tables",
    "template",
]  # fmt: skip
