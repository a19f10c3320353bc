"""The column dictionary (``toolkit/schema.csv``): canonical columns, Chinese headers, aliases.

Every table the toolkit reads — ``counties``, ``schools``, ``teachers``,
``indicators`` (county-level aggregates) and ``resources`` (per-school resources
for 优质均衡) — is described row by row in ``schema.csv``: the canonical name,
the Chinese header bureaus use, other accepted headers, type, unit, allowed
values and whether the column is required. Readers map headers through it, the
Excel templates are written from it, and ``data/README.md`` documents it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

import pandas as pd

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema.csv"


@functools.cache
def _schema() -> pd.DataFrame:
    if not SCHEMA_PATH.is_file():
        raise FileNotFoundError(
            f"找不到列定义文件 {SCHEMA_PATH}，请重新安装本工具包。 / "
            f"Column dictionary {SCHEMA_PATH} is missing: reinstall the toolkit."
        )
    schema = pd.read_csv(SCHEMA_PATH, dtype=str, keep_default_na=False, encoding="utf-8")
    schema["required"] = schema["required"].str.lower().eq("true")
    return schema


def tables() -> tuple[str, ...]:
    """Every table named in ``schema.csv``, in file order.

    >>> tables()[:3]
    ('counties', 'schools', 'teachers')
    """
    return tuple(dict.fromkeys(_schema()["table"]))


def read_schema(table: str | None = None) -> pd.DataFrame:
    """The canonical column dictionary, one row per (table, column).

    Columns: ``table``, ``column``, ``header_zh`` (the Chinese header),
    ``aliases`` (other accepted headers, ``|``-separated), ``dtype``
    (string/int/float/share/bool/category), ``unit``, ``allowed``
    (``|``-separated, empty if free), ``required`` (bool) and ``description``.
    Pass ``table`` to get one table's rows only.

    >>> s = read_schema("schools").set_index("column")
    >>> s.loc["level", "header_zh"], s.loc["enrolment", "unit"]
    ('学段', '人')
    """
    schema = _schema()
    if table is None:
        return schema.copy()
    if table not in tables():
        raise ValueError(
            f"未知的表“{table}”，可用：{', '.join(tables())}。 / "
            f"Unknown table '{table}'; use one of {tables()}."
        )
    return schema[schema["table"] == table].reset_index(drop=True)


def allowed_values(table: str, column: str) -> tuple[str, ...]:
    """The values a category column accepts, in the schema's order (empty if free).

    >>> allowed_values("schools", "level")[:3]
    ('幼儿园', '小学', '初中')
    """
    row = read_schema(table).set_index("column").loc[column]
    return tuple(v for v in str(row["allowed"] or "").split("|") if v)


def normalise_header(text: object) -> str:
    """A header as compared with the aliases: NFKC, no spaces or line breaks, lower case.

    Full-width letters and brackets become half-width, so ``在园幼儿数（人）``
    and ``在园幼儿数(人)`` compare equal.

    >>> normalise_header(" 区县\\n代码 ")
    '区县代码'
    >>> normalise_header("ＡＤＣＯＤＥ")
    'adcode'
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


_UNIT_SUFFIX = re.compile(r"\((?:人|个|所|元|年|间|平方米|㎡|m2|%|万人|万元|元/生|元/人)\)$")
#: A header's unit in brackets → (the column's unit in schema.csv, factor to that unit).
SCALED_UNITS = {"万人": ("人", 10_000), "万元": ("元", 10_000)}


@functools.cache
def header_map(table: str) -> dict[str, str]:
    """Normalised header → canonical column for one table (canonical names included).

    >>> header_map("schools")["在园幼儿数"]
    'enrolment'
    """
    out: dict[str, str] = {}
    for row in read_schema(table).itertuples():
        for name in (row.column, row.header_zh, *filter(None, row.aliases.split("|"))):
            out.setdefault(normalise_header(name), row.column)
    return out


def match_header(header: object, table: str) -> str | None:
    """The canonical column a header stands for, or None.

    A trailing unit in brackets is ignored when the bare header is known.

    >>> match_header("常住人口（人）", "counties"), match_header("备注", "counties")
    ('population', None)
    """
    key = normalise_header(header)
    mapping = header_map(table)
    if key in mapping:
        return mapping[key]
    bare = _UNIT_SUFFIX.sub("", key)
    return mapping.get(bare)


def header_scale(header: object, unit: str) -> tuple[int, str]:
    """The factor a column's values need when its header names a larger unit, and that unit.

    >>> header_scale("常住人口（万人）", "人"), header_scale("常住人口", "人")
    ((10000, '万人'), (1, ''))
    """
    match = re.search(r"\(([^()]*)\)$", normalise_header(header))
    written = match.group(1) if match else ""
    target, factor = SCALED_UNITS.get(written, ("", 1))
    return (factor, written) if target and target == unit else (1, "")
