"""ipywidgets dashboards: a thin layer over ``indicators`` and ``maps``.

Each dashboard computes with the pure functions of the package, shows a plotly
``FigureWidget`` (never a figure inside an ``Output``: that hangs Voila) and
updates colours and text in place when a control changes.

Example
-------
>>> from toolkit import widgets
>>> dash = widgets.SpecialEducationDashboard()
>>> dash.city.value = "410400"          # 平顶山市
>>> sorted(dash.figure.data[0].locations)[:2]
['410402', '410403']
"""

from __future__ import annotations

import html
import logging
import traceback
from collections.abc import Callable

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go

from . import data, geo, indicators, maps, targets

log = logging.getLogger(__name__)

ALL = "全部"
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
</style>
"""


def banner(label: str = data.DEMO_LABEL, note: str = data.DEMO_NOTE) -> w.HTML:
    """The notice shown on every view of demo data."""
    return w.HTML(
        f'{CSS}<div class="kuoyou-banner"><b>{html.escape(label)}</b>　{html.escape(note)}</div>'
    )


def html_table(df: pd.DataFrame, numeric: tuple[str, ...] = (), wrap: tuple[str, ...] = ()) -> str:
    """A small HTML table (escaped): numbers right-aligned, only ``wrap`` columns wrap."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for col, v in zip(df.columns, row, strict=True):
            cls = ' class="num"' if col in numeric else (' class="wrap"' if col in wrap else "")
            cells.append(f"<td{cls}>{html.escape('' if v is None else str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="kuoyou-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def friendly_error(exc: BaseException) -> str:
    """A message for the page instead of a traceback (the traceback goes to the log)."""
    log.error("dashboard error\n%s", "".join(traceback.format_exception(exc)))
    return (
        '<div class="kuoyou-error"><b>出错了 / Something went wrong.</b><br>'
        f"{html.escape(str(exc))}<br>请检查输入后重试；如仍有问题，请把服务器日志发给管理员。"
        " / Check the inputs and try again; if it persists, send the server log to the administrator.</div>"
    )


class SpecialEducationDashboard:
    """特殊教育学校覆盖（20万人口线）: map, shortfalls and city coverage.

    Parameters
    ----------
    counties, schools:
        County table (``adcode``, ``name``, ``city``, ``city_adcode``,
        ``population``) and school records. Default: the demo data.
    is_demo:
        Show the 示例数据（模拟） banner. Default: True when the demo is used.
    """

    def __init__(
        self,
        counties: pd.DataFrame | None = None,
        schools: pd.DataFrame | None = None,
        *,
        is_demo: bool | None = None,
    ) -> None:
        if counties is None or schools is None:
            demo = data.load_demo()
            counties, schools = demo.counties, demo.schools
            is_demo = True if is_demo is None else is_demo
        self.counties = counties.assign(adcode=counties["adcode"].astype(str))
        self.schools = schools
        self.is_demo = bool(is_demo)
        self.geometry = geo.read_counties(adcodes=self.counties["adcode"].tolist())

        cities = self.counties.drop_duplicates("city_adcode")[["city", "city_adcode"]]
        self.city = w.Dropdown(
            options=[(ALL, ALL), *[(c.city, str(c.city_adcode)) for c in cities.itertuples()]],
            value=ALL,
            description="城市",
        )
        profiles = targets.list_profiles()
        # only plans with a population rule for special education belong in this dashboard
        profiles = profiles[profiles["id"].map(_has_population_rule)]
        self._own_profile = {}
        for r in profiles.itertuples():  # a city's own plan: the first profile for it
            self._own_profile.setdefault(r.jurisdiction, r.id)
        self.profile = w.Dropdown(
            options=[(r.name_zh, r.id) for r in profiles.itertuples()],
            value="national",
            description="目标配置",
            layout=w.Layout(width="360px"),
            style={"description_width": "initial"},
        )
        self.threshold = w.BoundedIntText(
            value=self._profile_threshold(),
            min=0,
            max=100_000_000,
            step=10_000,
            description="人口线（人）",
            style={"description_width": "initial"},
            layout=w.Layout(width="220px"),
        )
        self.param_note = w.HTML()
        self.summary = w.HTML()
        self.table = w.HTML()
        self.sources = w.HTML()
        self.message = w.HTML()
        self.result = pd.DataFrame()
        self._quiet = False

        fig = maps.status_map(
            self.geometry,
            self._compute(),
            label=data.DEMO_LABEL if self.is_demo else "",
            height=560,
        )
        self.figure = go.FigureWidget(fig)
        self.figure._config = maps.PLOT_CONFIG
        self._refresh_text()

        self.city.observe(self._safe(self._on_city), names="value")
        self.profile.observe(self._safe(self._on_profile), names="value")
        self.threshold.observe(self._safe(self._update), names="value")

        header = [
            w.HTML(
                f'{CSS}<div class="kuoyou-title">特殊教育学校覆盖（20万人口线）</div>'
                '<div class="kuoyou-note">按目标配置检查各县（区）特殊教育学校和特教班设置情况。'
                "切换城市、目标配置或人口线，地图与表格随之更新。</div>"
            )
        ]
        if self.is_demo:
            header.insert(0, banner())
        controls = w.HBox([self.city, self.profile, self.threshold, self.param_note])
        right = w.VBox(
            [self.summary, self.table],
            layout=w.Layout(width="48%", padding="0 0 0 12px", overflow="auto"),
        )
        self.figure.layout.width = None
        body = w.HBox([w.Box([self.figure], layout=w.Layout(width="52%")), right])
        self.view = w.VBox([*header, controls, self.message, body, self.sources])

    # -- computing -------------------------------------------------------
    def _profile_threshold(self) -> int:
        rules = targets.get_profile(self.profile.value).rules_for("special_education")
        return int(next(r.population.value for r in rules if r.population is not None))

    def _selected_counties(self) -> pd.DataFrame:
        if self.city.value == ALL:
            return self.counties
        return self.counties[self.counties["city_adcode"].astype(str) == self.city.value]

    def _compute(self) -> pd.DataFrame:
        chosen = self.threshold.value
        user = None if chosen == self._profile_threshold() else chosen
        sel = self._selected_counties()
        res = indicators.special_education(sel, self.schools, self.profile.value, threshold=user)
        self.result = res.merge(sel[["adcode", "city"]], on="adcode", how="left")
        return self.result

    # -- events ----------------------------------------------------------
    def _safe(self, fn: Callable) -> Callable:
        def run(change: dict) -> None:
            try:
                self.message.value = ""
                fn(change)
            except Exception as exc:  # shown to the user, logged in full
                self.message.value = friendly_error(exc)

        return run

    def _on_city(self, change: dict) -> None:
        # an official looking at one city starts from the plan of that jurisdiction
        sel = self._selected_counties()
        city = sel["city"].iloc[0] if self.city.value != ALL and len(sel) else None
        wanted = self._own_profile.get(city, "national")
        if self.profile.value != wanted:
            self.profile.value = wanted  # triggers _on_profile → _update
        else:
            self._update(change)

    def _on_profile(self, change: dict) -> None:
        self._quiet = True  # the threshold follows the profile; update once, below
        try:
            self.threshold.value = self._profile_threshold()
        finally:
            self._quiet = False
        self._update(change)

    def _update(self, change: dict | None = None) -> None:
        if self._quiet:
            return
        res = self._compute()
        maps.restyle_status(self.figure, res)
        self._refresh_text()

    # -- text ------------------------------------------------------------
    def _refresh_text(self) -> None:
        res = self.result
        chosen, base = self.threshold.value, self._profile_threshold()
        self.param_note.value = (
            f'<span class="kuoyou-param">用户设定参数：{chosen:,}人（政策原文为{base:,}人）'
            " / user-chosen, not the policy figure</span>"
            if chosen != base
            else '<span class="kuoyou-note">“20万人口以上”含20万本身；人口口径为2020年普查常住人口（原文未说明口径）</span>'
        )
        self.summary.value = self._summary_html(res)
        short = res[res["status"].isin([indicators.UNMET, indicators.MISSING])]
        if short.empty:
            self.table.value = "<p>所选范围内所有县均达标或不适用。</p>"
        else:
            view = pd.DataFrame(
                {
                    "县（区）": short["name"],
                    "所属市": short["city"],
                    "常住人口": short["population"].map(lambda v: maps.format_int(v, "人")),
                    "状态": short["status"],
                    "要求": short["requirement"],
                    "缺口": short["lacks"].where(short["lacks"] != "", short["note"]),
                    "期限": short["deadline"].map(lambda d: "—" if pd.isna(d) else f"{int(d)}年"),
                }
            )
            self.table.value = f"<h4>未达标的县（{len(short)}个）</h4>" + html_table(
                view, numeric=("常住人口",), wrap=("要求", "缺口")
            )
        self.sources.value = self._sources_html()

    def _summary_html(self, res: pd.DataFrame) -> str:
        sel = self._selected_counties()
        s = indicators.special_education_summary(res, sel)
        view = pd.DataFrame(
            {
                "城市": s["city"],
                "县数": s["counties"],
                f"≥{self.threshold.value:,}人": s["counties_above"],
                "有特教学校": s["with_school"],
                "有达标特教学校": s["with_standard_school"],
                "覆盖率": s["coverage"].map(maps.format_percent),
                "达标": s[indicators.MET],
                "未达标": s[indicators.UNMET],
                "不适用": s[indicators.NOT_APPLICABLE],
                "数据缺失": s[indicators.MISSING],
            }
        )
        year = res["year"].iloc[0] if len(res) else None
        when = f"（{int(year)}年数据）" if year is not None and not pd.isna(year) else ""
        return f"<h4>城市覆盖情况{when}</h4>" + html_table(view, numeric=tuple(view.columns[1:]))

    def _sources_html(self) -> str:
        prof = targets.get_profile(self.profile.value)
        items = []
        for r in prof.rules_for("special_education"):
            level = "" if not r.is_benchmark else "（全域目标，逐县比较仅作参照）"
            when = f"，期限{r.deadline}年" if r.deadline else ""
            items.append(
                f"<li><b>{html.escape(r.title_zh)}</b>{level}{when}"
                f"<br>出处：{html.escape(r.source.citation)}"
                + (f"<br>{html.escape(r.note_zh)}" if r.note_zh else "")
                + "</li>"
            )
        return (
            f'<div class="kuoyou-note"><h4>规则出处：{html.escape(prof.document)}</h4>'
            f"<ul>{''.join(items)}</ul></div>"
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.view)


def _has_population_rule(profile_id: str) -> bool:
    rules = targets.get_profile(profile_id).rules_for("special_education")
    return any(r.population is not None for r in rules)


def special_education_dashboard(**kwargs) -> w.Widget:
    """The special-education dashboard as a widget, or a friendly error box.

    >>> view = special_education_dashboard()
    >>> type(view).__name__
    'VBox'
    """
    try:
        return SpecialEducationDashboard(**kwargs).view
    except Exception as exc:  # a dashboard never shows a traceback
        return w.HTML(CSS + friendly_error(exc))
