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

from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from .. import adcodes
from .checks import KEYS, PARTS, Rows, blank_total_and_note_rows, check_parts, duplicates, identify
from .errors import REJECTED_COLUMNS, REPAIRED_COLUMNS, DataError, Report
from .files import Grid, open_grid
from .schema import header_scale, read_schema
from .values import (
    Cleaned,
    clean_bool,
    clean_category,
    clean_code,
    clean_column,
    clean_float,
    clean_int,
    clean_share,
    clean_text,
    clean_year,
)

__all__ = ["KEYS", "PARTS", "read_table", "read_counties", "read_schools", "read_teachers",
           "read_indicators", "read_resources"]  # fmt: skip

Source = str | Path | IO[bytes] | bytes | pd.DataFrame
_DTYPES = {"int": "Int64", "float": "float64", "share": "float64", "bool": "boolean"}
_NUMERIC = ("int", "float", "share")
FORMULA_REASON = (
    "公式没有保存的计算结果（{}）：请在 Excel 中打开该文件、保存后重试 / "
    "formula without a saved result ({}): open the file in Excel, save it and try again"
)


def _cleaner(spec: pd.Series, table: str, scale: int = 1):
    column, dtype = spec["column"], spec["dtype"]
    if column in ("adcode", "city_adcode", "province_adcode"):
        return clean_code
    if column == "year":
        return clean_year
    if dtype == "category":
        allowed = spec["allowed"].split("|")
        return lambda s: clean_category(s, allowed, table, column)
    if dtype in ("int", "float"):
        fn = clean_int if dtype == "int" else clean_float
        return fn if scale == 1 else lambda s: fn(s, scale=scale)
    return {"share": clean_share, "bool": clean_bool}.get(dtype, clean_text)


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
    rows = Rows(grid.file, grid.sheet, grid.row_numbers)
    raw = _raw_columns(grid, schema, rows)
    blank_total_and_note_rows(grid.cells, rows, grid.blank)
    skip = list(rows.dead())  # blank, totals and note rows: one reason each, not one per cell
    clean = pd.DataFrame(index=raw.index)
    bad_cells: dict[str, np.ndarray] = {}
    headers = {canon: written for written, canon in grid.columns.items()}
    for col in raw.columns:
        spec = schema.loc[col]
        scale, unit = header_scale(headers.get(col), spec["unit"])
        if scale != 1:
            grid.warnings.append(
                f"列“{headers[col]}”以{unit}为单位，数值已乘以 {scale:,} / column '{headers[col]}' "
                f"is in {unit}: values multiplied by {scale:,}"
            )
        done: Cleaned = clean_column(_cleaner(spec, table, scale), raw[col])
        bad = _cell_problems(grid, col, spec, done.bad)
        is_bad = bad_cells[col] = (bad != "").to_numpy(bool)
        for i in bad.index[is_bad].difference(skip):
            if spec["required"]:
                rows.reject(i, spec["header_zh"], bad[i], raw.at[i, col])
            else:
                rows.repair(i, spec["header_zh"], raw.at[i, col], "",
                            f"{bad[i]}；已置空 / {bad[i]}; left blank")  # fmt: skip
        for i in done.changed.index[(done.changed != "").to_numpy(bool)]:
            rows.repair(i, spec["header_zh"], raw.at[i, col], done.values[i], done.changed[i])
        clean[col] = done.values.where(~is_bad) if bad is not done.bad else done.values
    for col in schema.index[schema["required"]].intersection(clean.columns):
        if table == "counties" and col in ("adcode", "name"):
            continue  # either identifies a county: checked once both are known (below)
        blank = clean[col].isna().to_numpy(bool) & ~bad_cells[col]  # "", "-", "/", "nan" …
        for i in clean.index[blank].difference(skip):
            rows.reject(i, schema.at[col, "header_zh"], "必填项为空 / required value is blank",
                        raw.at[i, col])  # fmt: skip
    clean = identify(clean, table, rows, province, city)
    if table == "counties":
        unknown = clean["adcode"].isna() & ~clean.index.isin(list(rows.dead()))
        for i in clean.index[unknown.to_numpy(bool)]:
            rows.reject(
                i, "行政区划代码", "区划代码和县区名称都为空 / neither a county code nor a name"
            )
    check_parts(clean, rows, schema)
    clean = duplicates(clean, table, rows, schema)
    dead = rows.dead()
    used = clean[~clean.index.isin(list(dead | rows.merged))]
    out = _canonical(used, table, schema, grid.warnings)
    report = Report(
        file=grid.file, sheet=grid.sheet, table=table, rows_read=len(grid.cells),
        rows_used=len(grid.cells) - len(dead), header_row=grid.header_row,
        rejected=pd.DataFrame(rows.rejected, columns=REJECTED_COLUMNS),
        repaired=pd.DataFrame(rows.repaired, columns=REPAIRED_COLUMNS),
        columns=grid.columns, ignored_columns=grid.ignored, warnings=grid.warnings,
    )  # fmt: skip
    recoded = len(rows.old_code) + int(
        (report.repaired["reason_en"] == "code found from the county name").sum()
    )
    if recoded:
        report.warnings.append(
            f"{recoded} 行使用了旧的或按名称匹配的区县代码，已改为现行代码（见 repaired） / "
            f"{recoded} rows had old or name-matched county codes, recoded (see repaired)"
        )
    if report.rows_used == 0:
        first = report.rejected.drop_duplicates("row").head(3)
        why = (
            "；".join(f"第{r.row}行 {r.reason_zh}" for r in first.itertuples())
            or "表头下没有数据行"
        )
        error = DataError(
            "没有可用的数据行", file=grid.file, sheet=grid.sheet,
            zh=f"{why}。请检查数据后重新上传。",
            en="No usable row: every row was rejected or there are none below the header "
               "(see the report's rejected rows).",
        )  # fmt: skip
        error.report = report
        raise error
    out.attrs["report"] = report
    return out


def _cell_problems(grid: Grid, col: str, spec: pd.Series, bad: pd.Series) -> pd.Series:
    """``bad`` plus what the workbook showed: formulas without a result, numbers in merged cells."""
    pos = grid.positions[col]
    formulas = {i: f for (i, j), f in grid.formulas.items() if j == pos}
    merged = {}
    if spec["dtype"] in _NUMERIC:
        merged = {i: si for (i, j), (si, _) in grid.merged.items() if j == pos}
    if not formulas and not merged:
        return bad
    bad = bad.astype(object).copy()
    for i, formula in formulas.items():
        bad[i] = FORMULA_REASON.format(formula, formula)
    for i, si in merged.items():
        row = int(grid.row_numbers[si])
        bad[i] = (
            f"合并单元格：数值只在第 {row} 行，无法分到本行 / merged cell: the number is on row {row} only"
        )
    return bad


def _raw_columns(grid: Grid, schema: pd.DataFrame, rows: Rows) -> pd.DataFrame:
    """The mapped columns' raw cells; a merged cell's text is carried into the cells it covers."""
    cells = grid.cells
    raw = pd.DataFrame(
        {c: cells[p] if p in cells else pd.Series(None, index=cells.index, dtype=object)
         for c, p in grid.positions.items()}, index=cells.index,
    )  # fmt: skip
    by_pos = {p: c for c, p in grid.positions.items()}
    for (i, j), (si, sj) in sorted(grid.merged.items()):
        col = by_pos.get(j)
        if col is None or schema.at[col, "dtype"] in _NUMERIC:
            continue  # a number is not copied into every row it covers (see read_table)
        value = cells.iat[si, sj] if sj < len(cells.columns) else None
        if raw[col].dtype != object:
            raw[col] = raw[col].astype(object)
        raw.at[i, col] = value
        rows.repair(i, schema.at[col, "header_zh"], "", value,
                    f"合并单元格，取第 {int(grid.row_numbers[si])} 行的值 / merged cell: value of row "
                    f"{int(grid.row_numbers[si])}")  # fmt: skip
    return raw


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
