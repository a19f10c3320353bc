"""Pieces every dashboard uses: the page style, the demo banner, tables, errors, UI strings.

UI strings live in :data:`STRINGS`, Chinese first, with English beside;
:func:`t` picks one language. Numbers and percentages are formatted for Chinese
readers by :mod:`toolkit.maps` (``format_int``, ``format_percent``).
"""

from __future__ import annotations

import ctypes
import html
import logging
import os
import threading
import traceback
from collections.abc import Iterator

import ipywidgets as w
import pandas as pd

from .. import data

log = logging.getLogger(__name__)

CSS = """
<style>
.kuoyou-banner{background:#fff4e6;border-left:6px solid #f76707;padding:8px 12px;margin:4px 0 8px;
  font-size:15px;color:#862e00}
.kuoyou-title{font-size:22px;font-weight:600;margin:4px 0}
.kuoyou-table{border-collapse:collapse;font-size:13px;width:100%}
.kuoyou-table th,.kuoyou-table td{border-bottom:1px solid #dee2e6;padding:4px 6px;text-align:left}
.kuoyou-table td,.kuoyou-table th{white-space:nowrap}
.kuoyou-table td.num{text-align:right;font-variant-numeric:tabular-nums}
.kuoyou-table td.wrap{white-space:normal;min-width:8em}
.kuoyou-param{color:#c92a2a;font-size:13px}
.kuoyou-note{color:#495057;font-size:13px}
.kuoyou-error{background:#fff5f5;border-left:6px solid #c92a2a;padding:8px 12px;color:#862e2e}
.kuoyou-loading{color:#1c7ed6;font-size:13px}
.kuoyou-download{display:inline-block;margin:4px 0;padding:4px 10px;border:1px solid #1c7ed6;
  border-radius:4px;color:#1c7ed6;text-decoration:none}
</style>
"""

#: key → (中文, English). ``{name}`` fields are filled by :func:`t`.
STRINGS = {
    "province": ("省份", "Province"),
    "city": ("城市", "City"),
    "year": ("年份", "Year"),
    "year_label": ("{year}年", "{year}"),
    "profile": ("目标配置", "Target profile"),
    "all_provinces": ("全部省份", "All provinces"),
    "all_cities": ("全部城市", "All cities"),
    "loading": ("计算中…", "Working…"),
    "upload": ("上传数据", "Upload data"),
    "download_excel": ("下载 Excel", "Download Excel"),
    "download_html": ("下载地图（HTML）", "Download map (HTML)"),
    "data_from": ("数据来源：{origin}（用户上传，仅在本次会话中使用）",
                  "Data: {origin} (uploaded; used in this session only)"),
    "unusable": ("上传的数据不能用于本看板：{why}", "This dashboard cannot use the uploaded data: {why}"),
    "kept_previous": ("上传未成功，页面仍显示之前的数据。", "The upload failed; the page still shows the previous data."),
    "report_headers": ("工作表|行|列|值|原因|reason", "sheet|row|column|value|原因|reason"),
    "rule": ("规则", "Rule"),
    "value": ("数值", "Value"),
    "target": ("目标", "Target"),
    "status": ("状态", "Status"),
    "outlook": ("2027年研判", "Outlook"),
    "population": ("常住人口", "population"),
    "schools_list": ("学校名单（{n}所）", "Schools ({n})"),
    "benchmark": ("全域目标，逐县比较仅作参照", "a jurisdiction-wide target: per county a benchmark"),
    "sources": ("规则出处", "Where the rules come from"),
    "click_county": ("点击地图上的县（区）查看详情。", "Click a county on the map for its details."),
    "more": ("表中列出前{n}个（共{total}个）；各县完整结果见“下载Excel”。",
             "The first {n} of {total} are listed; every county is in the Excel download."),
}  # fmt: skip

#: The longest table a dashboard draws (a toolkit setting, not policy): at national scale a
#: table of every county was over 1 MB of HTML per repaint. Every row is in the Excel download.
ROWS_SHOWN = 200


def t(key: str, lang: str = "zh", **fields: object) -> str:
    """The UI string ``key`` in ``lang`` ("zh" or "en").

    >>> t("year_label", "zh", year=2024), t("year_label", "en", year=2024)
    ('2024年', '2024')
    """
    zh, en = STRINGS[key]
    return (en if lang == "en" else zh).format(**fields)


def banner(lang: str = "zh", label: str = data.DEMO_LABEL, note: str = data.DEMO_NOTE) -> w.HTML:
    """The notice shown on every view of demo data (示例数据（模拟）, in both languages)."""
    return w.HTML(
        f'{CSS}<div class="kuoyou-banner"><b>{html.escape(label)}</b>　{html.escape(note)}</div>'
    )


def cut(df: pd.DataFrame, lang: str = "zh") -> tuple[pd.DataFrame, str]:
    """The first :data:`ROWS_SHOWN` rows of ``df`` and the note saying so ("" when all fit).

    >>> rows, note = cut(pd.DataFrame({"a": range(250)}))
    >>> len(rows), note
    (200, '表中列出前200个（共250个）；各县完整结果见“下载Excel”。')
    >>> cut(pd.DataFrame({"a": range(3)}), "en")[1]
    ''
    """
    if len(df) <= ROWS_SHOWN:
        return df, ""
    return df.head(ROWS_SHOWN), t("more", lang, n=ROWS_SHOWN, total=len(df))


def note_div(text: str) -> str:
    """``text`` (HTML) as a note under a table; "" stays "".

    >>> note_div("x"), note_div("")
    ('<div class="kuoyou-note">x</div>', '')
    """
    return f'<div class="kuoyou-note">{text}</div>' if text else ""


def html_table(df: pd.DataFrame, numeric: tuple[str, ...] = (), wrap: tuple[str, ...] = ()) -> str:
    """A small HTML table (escaped): numbers right-aligned, only ``wrap`` columns wrap."""
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for col, v in zip(df.columns, row, strict=True):
            cls = ' class="num"' if col in numeric else (' class="wrap"' if col in wrap else "")
            text = "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return rows_table([str(c) for c in df.columns], body)


def rows_table(
    heads: list[str], rows: list[str], css: str = "kuoyou-table", escape: bool = True
) -> str:
    """A table of ``heads`` (escaped unless ``escape=False``) over ready-made ``<tr>`` ``rows``.

    >>> rows_table(["县"], ["<tr><td>叶县</td></tr>"])
    '<table class="kuoyou-table"><thead><tr><th>县</th></tr></thead><tbody><tr><td>叶县</td></tr></tbody></table>'
    """
    th = "".join(f"<th>{html.escape(h) if escape else h}</th>" for h in heads)
    return (
        f'<table class="{css}"><thead><tr>{th}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def friendly_error(exc: BaseException) -> str:
    """A message for the page instead of a traceback (the traceback goes to the log)."""
    log.error("dashboard error\n%s", "".join(traceback.format_exception(exc)))
    return (
        '<div class="kuoyou-error"><b>出错了 / Something went wrong.</b><br>'
        f"{html.escape(str(exc))}<br>请检查输入后重试；如仍有问题，请把服务器日志发给管理员。"
        " / Check the inputs and try again; if it persists, send the server log to the administrator.</div>"
    )


def sparkline(values: list[float], *, lo: float, hi: float, target: float | None = None,
              mark: int | None = None, color: str = "#868e96", width: int = 110, height: int = 26) -> str:  # fmt: skip
    """An inline SVG sparkline of shares on the scale ``lo``–``hi``: target dashed, ``mark`` dotted.

    Plain HTML, no script and nothing fetched (see :mod:`toolkit.widgets.kindergartens` on why not plotly).

    >>> svg = sparkline([0.5, 0.6], lo=0.4, hi=0.8, target=0.6, mark=1)
    >>> svg.startswith("<svg") and "stroke-dasharray" in svg and "<circle" in svg
    True
    """
    span = (hi - lo) or 1.0
    pad = 3

    def xy(i: int, v: float) -> tuple[float, float]:
        x = pad + i * (width - 2 * pad) / max(len(values) - 1, 1)
        return round(x, 1), round(height - pad - (v - lo) / span * (height - 2 * pad), 1)

    points = " ".join(
        f"{x},{y}" for x, y in (xy(i, v) for i, v in enumerate(values) if pd.notna(v))
    )
    parts = [f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="1.6"/>']
    if target is not None:
        y = xy(0, target)[1]
        parts.insert(0, f'<line x1="0" x2="{width}" y1="{y}" y2="{y}" stroke="#212529" '
                        'stroke-width="0.8" stroke-dasharray="3,2"/>')  # fmt: skip
    if mark is not None and 0 <= mark < len(values) and pd.notna(values[mark]):
        x, y = xy(mark, values[mark])
        parts.append(f'<circle cx="{x}" cy="{y}" r="2.6" fill="{color}"/>')
    return f'<svg width="{width}" height="{height}" role="img">{"".join(parts)}</svg>'


def walk(widget: w.Widget | None) -> Iterator[w.Widget]:
    """A widget and everything inside it."""
    if widget is None:
        return
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from walk(child)


def lowest_priority() -> None:
    """Give the calling thread the lowest CPU priority (nice 19; per thread on Linux, else nothing)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):  # not Linux, or not allowed
        pass


def release_memory() -> None:
    """Give free memory back to the system: Arrow's pool (it keeps what parsing and the
    engine's tables freed, ~30 MB after the demo) and the C heap (glibc only). A kernel per
    visitor adds up."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
