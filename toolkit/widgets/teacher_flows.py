"""The schools that send and receive teachers: the flow panels of the 教师交流轮岗 dashboard.

A teacher marked ``rotated`` in year *y* is found again in the roster of *y + 1*
at another school (:func:`toolkit.indicators.teachers.exchange_flows`); the
panels list the schools that send and receive the most, for the selection or
one county. :class:`FlowPanels` is mixed into
:class:`~toolkit.widgets.teachers.TeachersDashboard`, which provides the data
(``_records``), the language (``_l``, ``_cols``) and the selected year.

Example
-------
>>> from toolkit.widgets import TeachersDashboard
>>> d = TeachersDashboard()
>>> html = d._flows_html({"370811"})        # 任城区
>>> "派出最多的学校" in html and "接收最多的学校" in html
True
"""

from __future__ import annotations

import pandas as pd

from .. import engine, formats
from ..indicators.teachers import exchange_by_school, exchange_flows
from .common import html_table

#: How many sending and receiving schools the flow tables list.
TOP = 10


class FlowPanels:
    """Flow tables for a dashboard holding teacher records (see the module docstring)."""

    #: exchange_flows per (data set, year), set by the dashboard's __init__
    _flow_cache: dict[tuple, pd.DataFrame]

    def _flow_year(self) -> tuple[int | None, str]:
        """The exchange year whose destinations the roster shows, and a note when it is not the chosen one."""
        t = self._records()
        if t is None or not {"teacher_id", "year"} <= set(engine.columns(t)):
            return None, self._l(
                "数据缺失：需要含教师编号的教师名册才能追踪派出和接收学校。|No data: flows need a teacher roster with teacher_id."
            )
        years, y = set(engine.years(t)), int(self.year.value)
        if y + 1 in years:
            return y, ""
        if y - 1 in years:
            return y - 1, self._l("名册中没有{n}年的记录，{y}年交流教师的去向无法追踪；下表为{p}年交流（{y}年到岗）的学校。|The roster has no {n}: where {y}'s rotated teachers went is unknown; shown: the {p} exchange (arriving {y}).",
                                  n=y + 1, y=y, p=y - 1)  # fmt: skip
        return None, self._l(
            "名册只有一年，无法追踪交流去向。|The roster has one year only: destinations cannot be followed."
        )

    def _school_flows(self, adcodes: set[str]) -> tuple[pd.DataFrame, int | None, str]:
        year, note = self._flow_year()
        if year is None:
            return pd.DataFrame(), None, note
        # a national roster is followed for the chosen counties only; a city's all at once
        only = frozenset(adcodes) if self.dataset.large else None
        key = (id(self.dataset), year, only)
        if key not in self._flow_cache:
            self._flow_cache[key] = exchange_flows(self._records(), year, adcodes=only)
        by = exchange_by_school(self._flow_cache[key])
        by = by[by["adcode"].isin(adcodes)]
        names = self.dataset.school_names(by["school_id"])
        county = self.dataset.counties.set_index("adcode")["name"]
        by = by.assign(school=by["school_id"].map(names).fillna(by["school_id"]),
                       county=by["adcode"].map(county))  # fmt: skip
        return by, year, note

    def _flow_tables(self, by: pd.DataFrame, top: int) -> str:
        cols = self._cols("学校|县（区）|派出|派出骨干|接收|接收骨干|净流入",
                          "School|County|Sent|Key sent|Received|Key received|Net")  # fmt: skip
        src = ["school", "county", "sent", "key_sent", "received", "key_received", "net"]
        out = []
        for head, sort in (
            ("派出最多的学校|Top senders", ["sent", "key_sent"]),
            ("接收最多的学校|Top receivers", ["received", "key_received"]),
        ):
            rows = by.sort_values([*sort, "school_id"], ascending=[False, False, True]).head(top)
            rows = rows[rows[sort[0]] > 0][src].set_axis(cols, axis=1)
            out.append(
                f'<div style="flex:1;min-width:420px"><b>{self._l(head)}</b>{html_table(rows, numeric=tuple(cols[2:]))}</div>'
            )
        return f'<div style="display:flex;gap:16px;flex-wrap:wrap">{"".join(out)}</div>'  # fmt: skip

    def _flows_html(self, adcodes: set[str], top: int = TOP) -> str:
        by, year, note = self._school_flows(adcodes)
        head = self._l("派出与接收学校|Schools that send and receive")
        if year is None:
            return f'<div class="kuoyou-flows"><h4>{head}</h4><p>{note}</p></div>'
        sent, received = int(by["sent"].sum()), int(by["received"].sum())
        line = self._l("{y}年交流：{a}所学校派出{s}人，{b}所学校接收{r}人（{n}年名册中的去向）。|{y} exchange: {s} teachers sent by {a} schools, {r} received by {b} schools (where the {n} roster finds them).",
                       y=year, a=int((by["sent"] > 0).sum()), s=formats.format_int(sent), b=int((by["received"] > 0).sum()),
                       r=formats.format_int(received), n=year + 1)  # fmt: skip
        note = f'<p class="kuoyou-note">{note}</p>' if note else ""
        return f'<div class="kuoyou-flows"><h4>{head}</h4>{note}<p>{line}</p>{self._flow_tables(by, top)}</div>'
