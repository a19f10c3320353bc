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
import logging
import traceback
from functools import cached_property

import pandas as pd

from .. import data, geo
from ..indicators.records import is_school_records, school_totals
from .common import html_table, t

log = logging.getLogger(__name__)

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
        self.geometry = geo.read_counties(adcodes=self.counties["adcode"].tolist())

    @cached_property
    def school_totals(self) -> pd.DataFrame | None:
        """The school records counted per county and year, once per data set (None without
        records): what the dashboards' indicators read instead of the records."""
        schools = getattr(self.tables, "schools", None)
        if schools is None or not is_school_records(schools):
            return None
        return school_totals(schools)

    @classmethod
    def demo(cls) -> DataSet:
        """The bundled demo data (示例数据（模拟））."""
        return cls(data.load_demo(), origin=data.DEMO_LABEL, is_demo=True)

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
            if table is not None and "year" in table:
                found |= {int(y) for y in table["year"].dropna().unique()}
        return sorted(found, reverse=True)


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
