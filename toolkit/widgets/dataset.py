"""The data a dashboard shows: the bundled demo or a bureau's upload, read in memory.

:class:`DataSet` holds the tables (as :func:`toolkit.data.load_demo` or
:func:`toolkit.data.read_workbook` return them), the county boundaries for
them, where they came from and whether they are simulated. Uploads are read
from the bytes the browser sent: nothing is written to disk, so no other user
of the server can read them, and a file over :data:`MAX_UPLOAD_BYTES` is
refused before it is parsed. A file the readers fail on unexpectedly is refused
as unreadable: the page names no exception text, path or traceback (the log does).

Example
-------
>>> ds = DataSet.demo()
>>> ds.is_demo, len(ds.counties), ds.years()[0]
(True, 33, 2024)
"""

from __future__ import annotations

import base64
import html
import json
import logging
import os
import traceback
from functools import cached_property
from pathlib import Path

import ibis
import pandas as pd

from .. import data, engine, geo
from ..data.schema import allowed_values
from ..indicators.records import is_school_records, school_totals
from .common import html_table, t

log = logging.getLogger(__name__)

#: Environment variable naming a folder of Parquet record tables to show instead of the demo.
DATASET_ENV = "KUOYOU_DATASET"
#: A data set with more counties than this is drawn province by province (see geometry_for).
LARGE = 400
#: School types in the order a county's school list shows them: the schema's order.
LEVELS = allowed_values("schools", "level")
#: A county's school list shows at most this many schools.
MAX_LISTED = 300
#: Uploads above this size are refused before they are parsed (the kuoyou Voila template's
#: notices.html.j2 refuses them in the browser too, and must say the same number).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class DataSet:
    """The tables a dashboard shows, where they came from and whether they are simulated."""

    def __init__(self, tables: object, *, origin: str, is_demo: bool, reports: dict | None = None):
        self.tables = tables
        self.origin = origin
        self.is_demo = is_demo
        self.reports = reports or {}
        counties = tables.counties
        self.counties = counties.assign(adcode=counties["adcode"].astype(str))
        adcodes = self.counties["adcode"].tolist()
        #: a data set of more counties than one province's is drawn with the coarse national
        #: layer when all of it is shown, and with one province's own counties when one is chosen
        self.large = len(adcodes) > LARGE
        self.geometry = geo.read_counties(
            adcodes=adcodes, simplified="national" if self.large else True
        )
        self._province_geometry: dict[str, object] = {}
        #: computations kept for this data set (check()'s memo: record counts, each year's rules)
        self.memo: dict = {}

    def geometry_for(self, province: str | None) -> object:
        """The county boundaries a map of ``province`` (an adcode, or None for all) is drawn with.

        A small data set has one geometry for every view; a large one (all of
        China) is drawn with the coarse national layer as a whole and with the
        chosen province's own counties, at full display detail, one at a time.
        """
        if not self.large or province is None:
            return self.geometry
        if province not in self._province_geometry:
            mine = self.counties[self.counties["province_adcode"].astype(str) == province]
            self._province_geometry[province] = geo.read_counties(adcodes=mine["adcode"].tolist())
        return self._province_geometry[province]

    @cached_property
    def school_totals(self) -> pd.DataFrame | None:
        """The school records counted per county and year, once per data set (None without
        records): what the dashboards' indicators read instead of the records."""
        schools = getattr(self.tables, "schools", None)
        if schools is None or not is_school_records(schools):
            return None
        # under check()'s key too: the scorecards of this data set count the records no more
        key = ("school_totals",)
        if key not in self.memo:
            self.memo[key] = school_totals(schools)
        return self.memo[key]

    @classmethod
    def demo(cls) -> DataSet:
        """The bundled demo data (示例数据（模拟））: its record tables stay Parquet on disk
        (:func:`toolkit.data.demo_records`), so a kernel holds counts, not rosters; in memory
        when the user cache cannot be written."""
        records = data.demo_records()
        tables = records if records is not None else data.load_demo()
        return cls(tables, origin=data.DEMO_LABEL, is_demo=True)

    @classmethod
    def default(cls) -> DataSet:
        """What a dashboard opens with: the folder named by ``KUOYOU_DATASET``, else the demo."""
        folder = os.environ.get(DATASET_ENV)
        return cls.folder(folder) if folder else cls.demo()

    @classmethod
    def folder(cls, path: str | Path) -> DataSet:
        """Record tables kept as Parquet in ``path`` (:func:`toolkit.engine.open_records`),
        read by DuckDB as the views need them, e.g. the national benchmark data set.

        A ``manifest.json`` whose ``label`` starts with 示例数据（模拟） marks the data
        as simulated: every view then carries the banner.
        """
        path = Path(path)
        manifest = path / "manifest.json"
        label = json.loads(manifest.read_text(encoding="utf-8")).get("label", "") if (
            manifest.is_file()) else ""  # fmt: skip
        simulated = label.startswith(data.DEMO_LABEL)
        records = engine.open_records(path, label=label)
        return cls(records, origin=data.DEMO_LABEL if simulated else path.name, is_demo=simulated)

    @classmethod
    def upload(cls, content: bytes, name: str) -> DataSet:
        """A bureau's workbook or CSV read in memory (never written to disk)."""
        if len(content) > MAX_UPLOAD_BYTES:
            limit = MAX_UPLOAD_BYTES // (1024 * 1024)
            raise data.DataError(
                f"文件超过 {limit} MB 上限，未读取", file=name,
                zh="请拆分后上传，或由分析人员在笔记本中读取。",
                en=f"The file is over the {limit} MB limit and was not read: split it or read it in a notebook.",
            )  # fmt: skip
        try:
            book = data.read_workbook(content, name=name)
        except data.DataError:
            raise
        except Exception as exc:  # a reader's unexpected failure: in full in the log only
            log.error("upload %r unreadable\n%s", name, "".join(traceback.format_exception(exc)))
            kind = type(exc).__name__
            raise data.DataError(
                "文件无法读取", file=name,
                zh=f"文件可能已损坏或不是数据表（{kind}）；请在 Excel 中重新保存后上传。",
                en=f"The file cannot be read ({kind}): it may be damaged or not a table; save it again in Excel.",
            ) from None  # fmt: skip
        return cls(book, origin=name, is_demo=False, reports=book.reports)

    def years(self) -> list[int]:
        """Every year present in any table, newest first."""
        found = set()
        for name in ("schools", "teachers", "indicators", "resources"):
            table = getattr(self.tables, name, None)
            if table is not None:
                found |= set(engine.years(table))
        return sorted(found, reverse=True)

    def school_names(self, ids: pd.Series) -> pd.Series:
        """school_id → name for ``ids`` (empty without school records).

        >>> DataSet.demo().school_names(pd.Series(["140403-KG-0001"])).to_dict()
        {'140403-KG-0001': '潞州区第一幼儿园'}
        """
        schools = getattr(self.tables, "schools", None)
        if schools is None or not {"school_id", "name"} <= set(engine.columns(schools)):
            return pd.Series(dtype=str)
        t = engine.table(schools)
        t = t.select(school_id=t.school_id.cast("string"), name=t.name)
        # a join with the wanted ids, not isin(): a literal list of thousands compiles slowly
        wanted = ibis.memtable(pd.DataFrame({"school_id": sorted({str(i) for i in ids})}))
        found = engine.to_pandas(t.semi_join(wanted, "school_id").distinct())
        return found.drop_duplicates("school_id").set_index("school_id")["name"]

    def schools_of(self, adcode: str, year: int | None) -> tuple[pd.DataFrame, int] | None:
        """One county's schools for ``year``: the first :data:`MAX_LISTED` (name, level,
        ownership, enrolment) and how many there are; None without school records.

        >>> rows, n = DataSet.demo().schools_of("140425", 2024)
        >>> n == len(rows) > 20, rows["level"].iloc[0]  # in the order of school types
        (True, '幼儿园')
        """
        schools = getattr(self.tables, "schools", None)
        if schools is None or "name" not in engine.columns(schools):
            return None
        t = engine.table(schools)
        rows = t.filter(t.adcode.cast("string") == adcode)
        if "year" in t.columns and year is not None:
            rows = rows.filter(rows.year == year)
        cols = [c for c in ("name", "level", "ownership", "enrolment") if c in t.columns]
        rank = ibis.cases(*((rows.level.cast("string") == v, i) for i, v in enumerate(LEVELS)),
                          else_=len(LEVELS))  # fmt: skip
        listed = engine.to_pandas(
            rows.mutate(_rank=rank).order_by(["_rank", "name"]).select(*cols).limit(MAX_LISTED)
        )
        total = len(listed)
        if total == MAX_LISTED:
            total = int(engine.to_pandas(rows.aggregate(n=rows.count()))["n"][0])
        return listed, total


def download_link(payload: bytes, filename: str, mime: str, label: str) -> str:
    """An <a download> link carrying the file itself: works offline and without a server route.

    >>> download_link(b"a,b", "x.csv", "text/csv", "下载").startswith('<a class="kuoyou-download" download="x.csv"')
    True
    """
    b64 = base64.b64encode(payload).decode("ascii")
    name = html.escape(filename)
    return (
        f'<a class="kuoyou-download" download="{name}" href="data:{mime};base64,{b64}">'
        f"⬇ {html.escape(label)}（{name}）</a>"
    )


def report_html(report, lang: str = "zh", error: str = "") -> str:
    """An upload's validation report for the page: the summary and every rejected row with its reason.

    ``error`` (a failed upload) comes first, with the note that the previous data stay.

    >>> "kuoyou-error" in report_html(None, "zh", error="坏文件")
    True
    """
    parts = []
    if error:
        parts.append(
            f'<div class="kuoyou-error">{html.escape(error)}<br>{t("kept_previous", lang)}</div>'
        )
    if report is None:
        return "".join(parts)
    parts.append(f'<div class="kuoyou-note"><b>{html.escape(report.summary())}</b></div>')
    if len(report.rejected):
        view = report.rejected[["sheet", "row", "column", "value", "reason_zh", "reason_en"]]
        headers = t("report_headers", lang).split("|")
        view = view.rename(columns=dict(zip(view.columns, headers, strict=True)))
        parts.append(
            html_table(view.head(200), numeric=(view.columns[1],), wrap=tuple(view.columns[4:]))
        )
    return "".join(parts)
