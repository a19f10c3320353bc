"""Record-level tables on an embedded engine: DuckDB by default, any Ibis backend when given.

A national data centre's records (about 500,000 schools and kindergartens, 16
million teachers a year) do not belong in pandas. Every aggregation the toolkit
makes from records — schools and teachers to county figures, per-school
resources to coefficients of variation — is one Ibis expression
(:mod:`toolkit.indicators.records`), run where the data is:

* a pandas DataFrame (a bureau's workbook) becomes an in-memory table of the
  embedded DuckDB, so small inputs work exactly as before;
* a path (a Parquet or CSV file, a folder of Parquet files, or a glob) is read
  by DuckDB directly: streamed, in parallel, spilled to disk when it does not
  fit in memory, never materialised in pandas;
* an Ibis table of another backend (Spark, Trino, BigQuery …) or a PySpark
  DataFrame stays on that engine; only county results come back.

Only the county-level results (a few thousand rows) are returned as pandas.

Example
-------
>>> import pandas as pd
>>> t = table(pd.DataFrame({"adcode": ["1", "1", "2"], "enrolment": [10, 20, 5]}))
>>> to_pandas(t.group_by("adcode").aggregate(n=t.enrolment.sum()).order_by("adcode"))
  adcode   n
0      1  30
1      2   5
"""

from __future__ import annotations

import glob
import os
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")
# ibis 12 asks pandas about an option pandas 3 deprecates, on every conversion: not ours to fix
warnings.filterwarnings("ignore", message=".*future.infer_string", module="ibis")
#: Steps taking longer than this many seconds show a progress bar.
PROGRESS_AFTER = 2.0


@cache
def connection() -> Any:
    """The toolkit's in-process DuckDB (an Ibis backend), created on first use.

    It uses every core and spills to a private folder of the system's temporary
    directory (``kuoyou-duckdb-<user id>``), never to the current folder.

    >>> connection().name
    'duckdb'
    """
    import ibis

    spill = Path(tempfile.gettempdir()) / f"kuoyou-duckdb-{os.getuid()}"
    spill.mkdir(mode=0o700, exist_ok=True)
    con = ibis.duckdb.connect(temp_directory=str(spill))
    # DuckDB prints its own bar to stdout: in a notebook or a dashboard that lands in the page
    con.raw_sql("SET enable_progress_bar = false")
    # and keeps what its queries freed unless its allocator purges in the background: ~30 MB
    # per dashboard kernel on the demo
    con.raw_sql("SET allocator_background_threads = true")
    return con


def is_table(obj: Any) -> bool:
    """Whether ``obj`` is an Ibis table expression.

    >>> is_table(pd.DataFrame()), is_table(table(pd.DataFrame({"a": [1]})))
    (False, True)
    """
    try:
        import ibis.expr.types as ir
    except ImportError:  # pragma: no cover - ibis is a dependency
        return False
    return isinstance(obj, ir.Table)


def is_records_source(obj: Any) -> bool:
    """Whether ``obj`` is something :func:`table` reads other than a pandas DataFrame.

    >>> is_records_source("schools.parquet"), is_records_source(pd.DataFrame())
    (True, False)
    """
    return is_table(obj) or isinstance(obj, str | Path) or _is_spark(obj)


def _is_spark(obj: Any) -> bool:
    return type(obj).__module__.startswith("pyspark.sql") and hasattr(obj, "sparkSession")


def _paths(source: str | Path) -> list[str]:
    path = Path(source)
    if path.is_dir():
        found = sorted(str(p) for p in path.rglob("*") if p.suffix in (".parquet", ".csv"))
    else:
        found = sorted(glob.glob(str(source))) if any(c in str(source) for c in "*?[") else []
        found = found or ([str(path)] if path.is_file() else [])
    if not found:
        raise FileNotFoundError(
            f"找不到数据文件：{source} / no data file found at {source}: give a Parquet or CSV "
            "file, a folder of them, or a glob such as teachers/*.parquet"
        )
    return found


def table(source: Any, *, name: str | None = None) -> Any:
    """An Ibis table for ``source``: a DataFrame, a path or glob, an Ibis table or a PySpark DataFrame.

    Parquet is read lazily (nothing is loaded until a query runs); CSV is read
    by DuckDB's CSV reader with every column as text (the toolkit's readers are
    the place for a bureau's messy CSV: use them first for small files).

    >>> t = table(pd.DataFrame({"adcode": ["140403"], "population": [895280]}))
    >>> t.columns
    ('adcode', 'population')
    """
    if is_table(source):
        return source
    if isinstance(source, pd.DataFrame):
        import ibis
        import pyarrow as pa

        source = source.copy(deep=False)  # no data copied: only to drop attrs (reports)
        source.attrs = {}
        try:
            arrow = pa.Table.from_pandas(source, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column mixing text and numbers
            arrow = pa.Table.from_pandas(_as_text(source), preserve_index=False)
        return ibis.memtable(arrow)
    if _is_spark(source):
        import ibis

        view = name or f"kuoyou_{id(source):x}"
        source.createOrReplaceTempView(view)
        return ibis.pyspark.connect(source.sparkSession).table(view)
    if isinstance(source, str | Path):
        paths = _paths(source)
        con = connection()
        if all(p.endswith(".parquet") for p in paths):
            return con.read_parquet(paths, table_name=name)
        if all(p.endswith(".csv") for p in paths):
            return con.read_csv(paths, table_name=name, all_varchar=True)
        raise ValueError(
            f"{source} 中混有 Parquet 与 CSV 文件，请分开读取 / {source} mixes Parquet and CSV files"
        )
    raise TypeError(
        "需要 DataFrame、文件路径、Ibis 表或 PySpark DataFrame / expected a DataFrame, a path, "
        f"an Ibis table or a PySpark DataFrame, got {type(source).__name__}"
    )


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every object column as text (blanks kept): raw cells such as ``"300"``
    beside ``100`` become one text column, which the aggregations read as numbers."""
    out = frame.copy()
    for c in [c for c in out.columns if out[c].dtype.kind == "O"]:
        out[c] = out[c].map(lambda v: None if pd.isna(v) else str(v)).astype("string")
    return out


def to_pandas(expr: Any) -> pd.DataFrame:
    """Run ``expr`` on its own backend (the embedded DuckDB for in-memory tables) → pandas.

    >>> t = table(pd.DataFrame({"a": [1, 2]}))
    >>> to_pandas(t.aggregate(total=t.a.sum()))["total"].tolist()
    [3]
    """
    from ibis.common.exceptions import IbisError

    try:
        backend = expr._find_backend(use_default=False)
    except IbisError:  # only in-memory tables: the toolkit's DuckDB
        backend = connection()
    return backend.to_pandas(expr)


def columns(source: Any) -> tuple[str, ...]:
    """Column names of anything :func:`table` reads (a DataFrame, an Ibis table, a path …).

    >>> columns(pd.DataFrame({"a": [1]}))
    ('a',)
    """
    if isinstance(source, pd.DataFrame) or is_table(source):
        return tuple(source.columns)
    return tuple(table(source).columns)


def years(source: Any) -> list[int]:
    """The distinct years of a DataFrame or Ibis table (empty without a ``year`` column).

    >>> years(pd.DataFrame({"year": [2024, 2023, 2024, None]}))
    [2023, 2024]
    """
    if "year" not in columns(source):
        return []
    if isinstance(source, pd.DataFrame):
        values = source["year"].dropna().unique()
    else:
        t = table(source)
        values = to_pandas(t.select("year").distinct())["year"].dropna()
    return sorted(int(y) for y in values)


def progress(
    items: Iterable[T], desc: str, *, total: int | None = None, enabled: bool = True
) -> Iterator[T]:
    """``items`` with a progress bar that appears only if the loop runs over :data:`PROGRESS_AFTER` s.

    In a notebook the bar is a widget (``tqdm.auto``), elsewhere a line on
    stderr. ``enabled=False`` shows none: a dashboard's page must not receive a
    bar that is closed afterwards (Voila then shows “model not found”).

    >>> list(progress([1, 2], "steps"))
    [1, 2]
    """
    if not enabled:
        yield from items
        return
    from tqdm.auto import tqdm

    yield from tqdm(items, desc=desc, total=total, delay=PROGRESS_AFTER, leave=False)


@dataclass
class Records:
    """A data set of record-level tables kept on the engine, for :func:`toolkit.check`.

    ``counties`` is a pandas DataFrame (a few thousand rows); ``schools``,
    ``teachers`` and ``resources`` are Ibis tables (or None when absent).
    """

    counties: pd.DataFrame
    schools: Any = None
    teachers: Any = None
    resources: Any = None
    indicators: pd.DataFrame | None = None
    label: str = ""

    def __repr__(self) -> str:
        tables = [n for n in ("schools", "teachers", "resources") if getattr(self, n) is not None]
        return f"Records({len(self.counties)} counties; {', '.join(tables)} on the engine)"


def open_records(folder: str | Path, *, label: str = "") -> Records:
    """The tables of a folder of Parquet files: ``counties.parquet`` and any of ``schools``,
    ``teachers``, ``resources`` (each a ``.parquet`` file or a folder of them).

    ``counties`` is read into pandas; the record tables stay on disk and are
    scanned by DuckDB when a check runs.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     pd.DataFrame({"adcode": ["1"], "name": ["甲"]}).to_parquet(f"{tmp}/counties.parquet")
    ...     open_records(tmp)
    Records(1 counties;  on the engine)
    """
    folder = Path(folder)
    if not (folder / "counties.parquet").is_file():
        raise FileNotFoundError(
            f"{folder} 中没有 counties.parquet / {folder} has no counties.parquet"
        )
    counties = pd.read_parquet(folder / "counties.parquet")
    counties["adcode"] = counties["adcode"].astype(str)
    found = {}
    for name in ("schools", "teachers", "resources"):
        for candidate in (folder / f"{name}.parquet", folder / name):
            if candidate.exists():
                found[name] = table(candidate)
                break
    return Records(counties=counties, label=label, **found)
