"""The bureau's own data: ``read_counties``, ``read_schools``, ``read_teachers`` and friends.

Each reader returns the canonical table (columns, types and values as in
``schema.csv``) with a :class:`~toolkit.data.errors.Report` in
``df.attrs["report"]``. Every input row is either used or rejected with its
reason (file, sheet, row, column, in Chinese and English); cells the reader
changed but kept (a 12-digit code cut to 6, an old county code recoded, ``65``
read as 65%) are listed in ``report.repaired``. Data that cannot be used at all
(missing required columns, no usable row, an unreadable file) raises
:class:`~toolkit.data.errors.DataError`.

Example
-------
>>> import io
>>> csv = "区县代码,学校名称,学段,办学性质,在园幼儿数,学校标识码\\n140421,城关幼儿园,幼儿园,公立,120,K1\\n合计,,,,120,\\n"
>>> df = read_schools(io.BytesIO(csv.encode("gbk")), name="学校.csv")
>>> df[["adcode", "ownership", "enrolment"]].values.tolist()
[['140404', '公办', 120]]
>>> r = df.attrs["report"]
>>> r.rows_read, r.rows_used, r.rows_rejected
(2, 1, 1)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any

import pandas as pd

from .. import adcodes
from .errors import REJECTED_COLUMNS, REPAIRED_COLUMNS, DataError, Report
from .files import open_grid
from .schema import read_schema
from .values import (
    Cleaned,
    clean_bool,
    clean_category,
    clean_code,
    clean_float,
    clean_int,
    clean_share,
    clean_text,
    clean_year,
)

Source = str | Path | IO[bytes] | bytes | pd.DataFrame
#: Columns that identify one row of each table; later rows with the same key are rejected.
KEYS = {
    "counties": ["adcode", "year"],
    "schools": ["school_id", "year"],
    "teachers": ["teacher_id", "year"],
    "indicators": ["adcode", "year"],
    "resources": ["school_id", "year", "section"],
}
#: (part, whole) pairs in county aggregates: a part larger than its whole is rejected.
PARTS = [
    ("public_kg_enrolment", "kg_enrolment"),
    ("inclusive_kg_enrolment", "kg_enrolment"),
    ("public_kg_enrolment", "inclusive_kg_enrolment"),
    ("disabled_enrolled", "disabled_children"),
    ("teachers_rotated", "teachers_eligible"),
    ("key_teachers_rotated", "teachers_rotated"),
]
_TOTAL = re.compile(r"^(合计|小计|总计|总数|全市|全县|全区|全省|共计|total|subtotal|sum)", re.I)
_DTYPES = {"int": "Int64", "float": "float64", "share": "float64", "bool": "boolean"}


class _Rows:
    """Collects per-row problems and repairs while a table is cleaned."""

    def __init__(self, file: str, sheet: str | None, numbers: list[int], raw: pd.DataFrame):
        self.file, self.sheet, self.numbers, self.raw = file, sheet, numbers, raw
        self.rejected: list[dict] = []
        self.repaired: list[dict] = []
        self.merged: set[int] = set()  # used, but added into an earlier row

    def reject(self, i: int, column: str, reason: str, value: Any = None) -> None:
        zh, _, en = reason.partition(" / ")
        self.rejected.append({"file": self.file, "sheet": self.sheet, "row": self.numbers[i],
                              "column": column, "value": _show(value), "reason_zh": zh,
                              "reason_en": en or zh, "_i": i})  # fmt: skip

    def repair(self, i: int, column: str, value: Any, new: Any, reason: str) -> None:
        zh, _, en = reason.partition(" / ")
        self.repaired.append({"file": self.file, "sheet": self.sheet, "row": self.numbers[i],
                              "column": column, "value": _show(value), "new_value": _show(new),
                              "reason_zh": zh, "reason_en": en or zh})  # fmt: skip

    def dead(self) -> set[int]:
        return {r["_i"] for r in self.rejected}


def _show(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _cleaner(spec: pd.Series, table: str):
    column, dtype = spec["column"], spec["dtype"]
    if column in ("adcode", "city_adcode", "province_adcode"):
        return clean_code
    if column == "year":
        return clean_year
    if dtype == "category":
        allowed = spec["allowed"].split("|")
        return lambda s: clean_category(s, allowed, table, column)
    return {"int": clean_int, "float": clean_float, "share": clean_share, "bool": clean_bool}.get(
        dtype, clean_text
    )


def read_table(
    source: Source,
    table: str,
    *,
    sheet: str | None = None,
    name: str | None = None,
    province: str | None = None,
    city: str | None = None,
) -> pd.DataFrame:
    """Read one canonical table (``counties``, ``schools``, ``teachers``, ``indicators``, ``resources``).

    ``source`` is a path, bytes or a file object (an upload; give its ``name``)
    or a DataFrame. ``sheet`` picks a worksheet by name (default: the visible
    sheet whose headers fit the table best). ``province``/``city`` limit the
    counties accepted: rows elsewhere are rejected with that reason. See the
    module docstring for the report.
    """
    grid = open_grid(source, table, sheet=sheet, name=name)
    schema = read_schema(table).set_index("column", drop=False)
    raw = pd.DataFrame(
        {c: [r[p] if p < len(r) else None for r in grid.rows] for c, p in grid.positions.items()},
        index=range(len(grid.rows)), dtype=object,
    )  # fmt: skip
    rows = _Rows(grid.file, grid.sheet, grid.row_numbers, raw)
    _blank_and_total_rows(grid.rows, rows)
    skip = rows.dead()  # blank and totals rows: one reason each, not one per empty cell
    clean = pd.DataFrame(index=raw.index)
    for col in raw.columns:
        spec = schema.loc[col]
        done: Cleaned = _cleaner(spec, table)(raw[col])
        for i in done.bad[done.bad != ""].index.difference(list(skip)):
            if spec["required"]:
                rows.reject(i, spec["header_zh"], done.bad[i], raw.at[i, col])
            else:
                rows.repair(
                    i,
                    spec["header_zh"],
                    raw.at[i, col],
                    "",
                    f"{done.bad[i]}；已置空 / {done.bad[i]}; left blank",
                )
        for i in done.changed[done.changed != ""].index:
            rows.repair(i, spec["header_zh"], raw.at[i, col], done.values[i], done.changed[i])
        clean[col] = done.values
    for col in schema.index[schema["required"]].intersection(clean.columns):
        blank = clean[col].isna() & (raw[col].map(_show).str.strip() == "")
        for i in clean.index[blank].difference(list(skip)):
            rows.reject(i, schema.at[col, "header_zh"], "必填项为空 / required value is blank")
    clean = _identify(clean, table, rows, province, city)
    _check_parts(clean, rows, schema)
    clean = _duplicates(clean, table, rows, schema)
    used = clean.drop(index=[i for i in rows.dead() | rows.merged if i in clean.index])
    out = _canonical(used, table, schema, grid.warnings)
    report = Report(
        file=grid.file, sheet=grid.sheet, table=table, rows_read=len(grid.rows),
        rows_used=len(grid.rows) - len(rows.dead()), header_row=grid.header_row,
        rejected=pd.DataFrame([{k: v for k, v in r.items() if k != "_i"} for r in rows.rejected],
                              columns=REJECTED_COLUMNS),
        repaired=pd.DataFrame(rows.repaired, columns=REPAIRED_COLUMNS),
        columns=grid.columns, ignored_columns=grid.ignored, warnings=grid.warnings,
    )  # fmt: skip
    recoded = (
        int((report.repaired["column"] == "行政区划代码").sum()) if len(report.repaired) else 0
    )
    if recoded:
        report.warnings.append(
            f"{recoded} 行使用了旧的或按名称匹配的区县代码，已改为现行代码（见 repaired） / "
            f"{recoded} rows had old or name-matched county codes, recoded (see repaired)"
        )
    if report.rows_used == 0:
        first = report.rejected.head(3)
        why = (
            "；".join(f"第{r.row}行 {r.reason_zh}" for r in first.itertuples())
            or "表头下没有数据行"
        )
        error = DataError(
            "没有可用的数据行", file=grid.file, sheet=grid.sheet,
            zh=f"{why}。请检查数据后重新上传。",
            en="No usable row: every row was rejected or there are none below the header.",
        )  # fmt: skip
        error.report = report
        raise error
    out.attrs["report"] = report
    return out


def _blank_and_total_rows(cells: list[list[Any]], rows: _Rows) -> None:
    for i, row in enumerate(cells):
        texts = [_show(v).strip() for v in row]
        if not any(texts):
            rows.reject(i, "", "空行 / blank row")
        elif any(_TOTAL.match(t.replace(" ", "").replace("\u3000", "")) for t in texts[:4] if t):
            rows.reject(i, "", "合计/小计行，不是一个单位 / a totals row, not a unit", texts[0])


def _identify(clean: pd.DataFrame, table: str, rows: _Rows, province, city) -> pd.DataFrame:
    """Today's county code for every row: recode old codes, match names, keep to the scope."""
    if "adcode" not in clean and "name" in clean:  # counties identified by name
        clean["adcode"] = None
    if "adcode" not in clean:
        return clean
    alive = [i for i in clean.index if i not in rows.dead()]
    if table == "counties" and "name" in clean:
        by_name = [i for i in alive if clean.at[i, "adcode"] is None and clean.at[i, "name"]]
        if by_name:
            found = adcodes.match_names(clean.loc[by_name, "name"], province, city)
            for i, hit in zip(by_name, found.itertuples(), strict=True):
                if hit.adcode:
                    clean.at[i, "adcode"] = hit.adcode
                    rows.repair(
                        i,
                        "行政区划代码",
                        "",
                        hit.adcode,
                        "按名称匹配区县代码 / code found from the county name",
                    )
                else:
                    more = f"（可能是 {hit.candidates}）" if hit.candidates else ""
                    rows.reject(i, "县区名称", f"找不到区县“{hit.name}”{more}，请填写6位代码 / unknown county name; enter the 6-digit code", hit.name)  # fmt: skip
    codes = clean.loc[alive, "adcode"].dropna()
    if codes.empty:
        return clean
    result = adcodes.recode(codes.unique()).set_index("code")
    scope = None
    if province is not None or city is not None:
        from ..geo import read_counties

        scope = set(read_counties(province, city, simplified="national")["adcode"])
    for i, code in codes.items():
        hit = result.loc[code]
        if hit["status"] == "recoded":
            clean.at[i, "adcode"] = hit["adcode"]
            rows.repair(
                i, "行政区划代码", code, hit["adcode"], f"{hit['reason_zh']} / {hit['reason_en']}"
            )
        elif hit["status"] != "current":
            rows.reject(i, "行政区划代码", f"{hit['reason_zh']} / {hit['reason_en']}", code)
            continue
        if scope is not None and clean.at[i, "adcode"] not in scope:
            area = city or province
            rows.reject(
                i,
                "行政区划代码",
                f"不在所选地区（{area}） / outside the chosen area ({area})",
                code,
            )
    return clean


def _check_parts(clean: pd.DataFrame, rows: _Rows, schema: pd.DataFrame) -> None:
    for part, whole in PARTS:
        if part in clean and whole in clean:
            bad = clean[part].astype(float) > clean[whole].astype(float)
            for i in clean.index[bad.fillna(False)]:
                rows.reject(
                    i, schema.at[part, "header_zh"],
                    f"{schema.at[part, 'header_zh']}（{float(clean.at[i, part]):g}）大于"
                    f"{schema.at[whole, 'header_zh']}（{float(clean.at[i, whole]):g}） / "
                    f"{part} is larger than {whole}",
                    clean.at[i, part],
                )  # fmt: skip


def _duplicates(clean: pd.DataFrame, table: str, rows: _Rows, schema: pd.DataFrame) -> pd.DataFrame:
    """Reject repeated rows; sum count columns of old units merged into one (城区+郊区 → 潞州区)."""
    alive = clean.drop(index=[i for i in rows.dead() if i in clean.index])
    keys = [k for k in KEYS[table] if k in alive]
    if not keys or alive.empty:
        return clean
    recoded = {r["row"] for r in rows.repaired if r["column"] == "行政区划代码" and r["value"]}
    as_text = alive.astype(str)
    for _, group in alive.groupby(keys, dropna=False, sort=False):
        if len(group) < 2:
            continue
        first = group.index[0]
        for i in group.index[1:]:
            row = rows.numbers[first]
            if (as_text.loc[i] == as_text.loc[first]).all():
                rows.reject(i, "", f"与第 {row} 行完全相同 / duplicate of row {row}")
            elif (
                table in ("counties", "indicators")
                and {rows.numbers[first], rows.numbers[i]} & recoded
            ):
                counts = [c for c in alive if schema.at[c, "dtype"] == "int" and c != "year"]
                clean.loc[first, counts] = (
                    clean.loc[[first, i], counts].astype(float).sum(min_count=1)
                )
                rows.repair(i, "行政区划代码", "", clean.at[first, "adcode"],
                            f"旧区县并入现行区县，计数与第 {row} 行合计 / old unit merged: counts added to row {row}")  # fmt: skip
                rows.merged.add(i)
            else:
                key = "、".join(schema.at[k, "header_zh"] for k in keys)
                rows.reject(
                    i, key, f"{key}与第 {row} 行重复 / same key as row {row}", group.at[i, keys[0]]
                )
    return clean


def _canonical(
    used: pd.DataFrame, table: str, schema: pd.DataFrame, warnings: list[str]
) -> pd.DataFrame:
    out = pd.DataFrame(index=used.index)
    for col, spec in schema.iterrows():
        values = used[col] if col in used else pd.Series(pd.NA, index=used.index)
        dtype = _DTYPES.get(spec["dtype"], object)
        if dtype in ("Int64", "float64"):
            values = pd.to_numeric(values, errors="coerce").astype("float64")
        out[col] = values.round().astype("Int64") if dtype == "Int64" else values.astype(dtype)
    if table == "counties":
        out = _complete_counties(out, warnings)
    return out.reset_index(drop=True)


def _complete_counties(out: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Fill name, city and province from today's units and population from the 2020 census."""
    ref = adcodes.counties().set_index("adcode")
    for col in ("name", "city", "city_adcode", "province", "province_adcode"):
        out[col] = out[col].where(out[col].notna(), out["adcode"].map(ref[col]))
    missing = out["population"].isna()
    if missing.any():
        from .demo import census_population

        try:
            census = census_population().set_index("adcode")["population"]
        except Exception as e:  # noqa: BLE001 - offline without the census table: say so
            warnings.append(
                f"常住人口缺失且无法读取普查数据（{e}） / population missing, census unavailable"
            )
            return out
        out.loc[missing, "population"] = out.loc[missing, "adcode"].map(census).astype("Int64")
        out["population_source"] = out["population_source"].astype(object)
        out.loc[missing, "population_source"] = "第七次全国人口普查（2020）常住人口（由工具包补充）"
        warnings.append(
            f"{int(missing.sum())} 个区县的常住人口取自 2020 年普查 / "
            f"population of {int(missing.sum())} counties taken from the 2020 census"
        )
    return out


def read_counties(source: Source, **kw) -> pd.DataFrame:
    """Counties with population: code (or name), 常住人口 … — see :func:`read_table`.

    Missing name/city/province are filled from today's units; a missing
    population from the 2020 census (said in ``report.warnings``).

    >>> import io
    >>> df = read_counties(io.BytesIO("县区名称,常住人口\\n沁县,138578\\n".encode()), city="长治市")
    >>> df.loc[0, ["adcode", "city"]].tolist()
    ['140430', '长治市']
    """
    return read_table(source, "counties", **kw)


def read_schools(source: Source, **kw) -> pd.DataFrame:
    """One row per school and year — see :func:`read_table` and the module example."""
    return read_table(source, "schools", **kw)


def read_teachers(source: Source, **kw) -> pd.DataFrame:
    """One row per teacher and year (交流轮岗, 骨干教师, 本校任教年限) — see :func:`read_table`.

    >>> import io
    >>> t = read_teachers(io.BytesIO("教师标识,学校标识码,区县代码,是否交流轮岗\\nT1,S1,140403,是\\n".encode()))
    >>> bool(t.loc[0, "rotated"])
    True
    """
    return read_table(source, "teachers", **kw)


def read_indicators(source: Source, **kw) -> pd.DataFrame:
    """County-level aggregates (在园幼儿数, 公办园在园幼儿数, 生均公用经费 …) — see :func:`read_table`.

    Use it when a bureau has totals per county rather than school records.

    >>> import io
    >>> df = read_indicators(io.BytesIO("区县代码,年份,在园幼儿数,公办园在园幼儿数\\n140403,2024,100,120\\n140404,2024,100,60\\n".encode()))
    >>> df["adcode"].tolist(), df.attrs["report"].rejected["reason_en"].str.contains("larger").tolist()
    (['140404'], [True])
    """
    return read_table(source, "indicators", **kw)


def read_resources(source: Source, **kw) -> pd.DataFrame:
    """Per-school, per-section resources for 优质均衡 (教师、面积、设备) — see :func:`read_table`."""
    return read_table(source, "resources", **kw)
