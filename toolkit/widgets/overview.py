"""总览 dashboard: every rule the data supports, county by county, in one scorecard.

For the chosen area, year and profile the page shows, from
:meth:`Dashboard.scorecard` (:func:`toolkit.check`) summarised by
:mod:`toolkit.indicators.summary`:

* a map of how many rules each county misses;
* counts of 达标 / 未达标 / 有风险 (outlook 有风险 or 难以达标), overall and per rule;
* the ten counties furthest from a numeric target (gap ÷ target);
* a county × rule heat table coloured by status, with the value and a marker
  for a worrying outlook; each rule's header links to its focus dashboard;
* the profile's rules the data cannot support (collapsible, with the reason);
* the source of every rule (file, line, quote), jurisdiction-wide targets
  labelled 全域目标，逐县比较仅作参照.
"""

from __future__ import annotations

import html
from contextlib import nullcontext

import ipywidgets as w
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import data, formats, maps, targets
from ..indicators import MET, MISSING, NOT_APPLICABLE, UNMET, summary
from ..indicators.outlook import AT_RISK, OFF_TRACK
from .common import cut, note_div, rows_table
from .dataset import DataSet
from .shell import Dashboard

#: Focus dashboards (notebooks beside this one) by indicator name or prefix.
FOCUS = (
    ("special_education", "special_education.ipynb"),
    ("public_kindergarten_share", "kindergartens.ipynb"),
    ("inclusive_kindergarten_coverage", "kindergartens.ipynb"),
    ("exchange_period_years", "teachers.ipynb"),
    ("key_teacher_", "teachers.ipynb"),
    ("teacher", "teachers.ipynb"),
)
#: Short column titles by indicator (中文, English); other rules show their own title.
SHORT = {
    "special_education": ("特教学校", "Special school"),
    "sped_school_200k_plus": ("达标特教学校", "Standard special school"),
    "public_kindergarten_share": ("公办园占比", "Public kindergarten share"),
    "inclusive_kindergarten_coverage": ("普惠园覆盖率", "Inclusive coverage"),
    "disabled_enrolment_rate": ("残疾儿童入学率", "Disabled enrolment rate"),
    "kg_funding_per_student": ("公办园生均经费", "Kindergarten funding"),
    "private_inclusive_kg_subsidy": ("普惠民办园补助", "Private inclusive subsidy"),
    "primary_funding_per_student": ("小学生均经费", "Primary funding"),
    "junior_funding_per_student": ("初中生均经费", "Junior funding"),
    "hs_funding_per_student": ("高中生均经费", "Senior-high funding"),
    "sped_funding_per_student": ("特教生均经费", "Special-education funding"),
    "teacher_exchange_rate": ("教师交流比例", "Teacher exchange rate"),
    "key_teacher_share_of_exchanged": ("骨干教师交流占比", "Key teachers exchanged"),
    "teachers_over_max_tenure": ("超期任教教师", "Over maximum tenure"),
    "teachers_due_rotation": ("应交流未交流", "Due for rotation"),
    "exchange_period_years": ("交流期", "Exchange period"),
    "balanced_cv_primary": ("小学差异系数", "Primary variation"),
    "balanced_cv_junior": ("初中差异系数", "Junior variation"),
    "balanced_school_standards": ("学校配置达标", "Schools meeting 6 of 7"),
}
#: Heat-table cell colours (background, text): 达标 green, 未达标 red, 不适用 grey, 数据缺失 yellow.
CELL_COLORS = {
    MET: ("#d3f9d8", "#2b8a3e"),
    UNMET: ("#ffc9c9", "#c92a2a"),
    NOT_APPLICABLE: ("#e9ecef", "#495057"),
    MISSING: ("#fff3bf", "#7c5e00"),
}
OUTLOOK_MARK = {AT_RISK: "△", OFF_TRACK: "▲"}
SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
#: The count map: light for none missed, dark red for many.
COUNT_SCALE = [[0.0, "#f8f9fa"], [0.5, "#ff8787"], [1.0, "#a61e1e"]]
STRINGS = {
    "map_title": ("未达标规则数", "Rules missed"),
    "overall": ("{n}条规则、{c}个县：逐县逐条判断结果", "{n} rules × {c} counties: the checks"),
    "met": ("达标", "met"), "unmet": ("未达标", "missed"), "risk": ("有风险", "at risk"),
    "na": ("不适用", "n/a"), "missing": ("数据缺失", "no data"),
    "risk_note": ("有风险：2027年研判为“有风险”或“难以达标”", "at risk: the 2027 outlook is at risk or off track"),
    "counties_missing": ("至少一条未达标的县：{k}个（共{c}个）", "Counties missing at least one rule: {k} of {c}"),
    "per_rule": ("各规则情况", "By rule"), "rule": ("规则", "Rule"),
    "furthest": ("离目标最远的县（缺口÷目标，前{n}名）", "Furthest from target (gap ÷ target, top {n})"),
    "county": ("县（区）", "County"), "city": ("所属市", "City"), "value": ("数值", "Value"),
    "target": ("目标", "Target"), "shortfall": ("相对缺口", "Shortfall"), "outlook": ("2027年研判", "Outlook"),
    "none_far": ("没有未达标的数值目标。", "No numeric target is missed."),
    "heat": ("逐县逐条（点击列标题打开专题看板）", "County × rule (click a header for its dashboard)"),
    "legend": ("△ 有风险　▲ 难以达标　† 全域目标，逐县比较仅作参照",
               "△ at risk  ▲ off track  † jurisdiction-wide target: a benchmark per county"),
    "measures": ("{f}/{m}项未达标", "{f} of {m} measures missed"),
    "all_met": ("{m}项均达标", "all {m} measures met"),
    "no_rules": ("所选数据不能支持该目标配置的任何规则。", "The data supports none of this profile's rules."),
    "unsupported": ("数据不能支持的规则：{n}条（点击展开）", "Rules the data cannot support: {n} (click to open)"),
    "reason": ("原因", "Reason"), "source": ("出处", "Source"),
    "sources": ("规则出处：{doc}（{n}条，点击展开）", "Where the rules come from: {doc} ({n}, click to open)"),
    "file": ("文件", "File"), "line": ("行", "Line"), "quote": ("原文", "Quote"),
    "deadline": ("期限{y}年", "deadline {y}"), "hover_missed": ("未达标", "Missed"),
    "hover_checked": ("已判断", "Judged"), "unit_rules": ("条", ""),
}  # fmt: skip
STYLE = """<style>
.kuoyou-heat{overflow-x:auto;max-width:100%}
.kuoyou-heat table{border-collapse:collapse;font-size:12px}
.kuoyou-heat th{font-weight:600;padding:4px 6px;border-bottom:2px solid #adb5bd;vertical-align:bottom;
  max-width:7.5em;white-space:normal;text-align:center}
.kuoyou-heat td{padding:3px 6px;border:1px solid #fff;white-space:nowrap;text-align:right;
  font-variant-numeric:tabular-nums}
.kuoyou-heat td.county{text-align:left;background:#fff}
.kuoyou-stats span{display:inline-block;margin:2px 10px 2px 0;padding:4px 10px;border-radius:4px;font-size:14px}
</style>"""


def focus_page(indicator: str) -> str | None:
    """The focus dashboard for an indicator (a notebook beside this one), or None.

    >>> focus_page("teacher_exchange_rate"), focus_page("public_kindergarten_share")
    ('teachers.ipynb', 'kindergartens.ipynb')
    >>> focus_page("disabled_enrolment_rate") is None
    True
    """
    return next((page for key, page in FOCUS if indicator.startswith(key)), None)


def count_map(
    gdf, result: pd.DataFrame, *, top: int | None = None, title: str = STRINGS["map_title"][0],
    label: str = "", height: int = 560,
) -> go.Figure:  # fmt: skip
    """A county map of how many rules each county misses (``result``: adcode, misses …).

    Same conventions as :func:`toolkit.maps.status_map`: geometry sent once,
    county names when few are shown, offline with :data:`toolkit.maps.PLOT_CONFIG`.
    ``top`` ends the colour scale (the number of rules; default the largest count).
    The first state must be complete here: a restyle sent before the browser has
    drawn the widget is lost.

    >>> from toolkit import geo
    >>> g = geo.read_counties(city="长治")
    >>> r = pd.DataFrame({"adcode": ["140403"], "name": ["潞州区"], "misses": [2]})
    >>> [int(z) for z in count_map(g, r).data[0].z]
    [2]
    """
    trace = go.Choropleth(
        featureidkey="properties.adcode", locations=[], z=[],
        zmin=0, zmax=1, colorscale=COUNT_SCALE, marker_line_color="#495057", marker_line_width=0.6,
        colorbar=dict(dtick=1, len=0.6, thickness=16, title=dict(text=STRINGS["map_title"][0])),
        name="misses",
    )  # fmt: skip
    fig = maps.with_geometry(go.Figure(trace), gdf)
    fig.add_trace(maps.name_labels(gdf))
    fig.update_geos(visible=False, projection_type="mercator")
    fig.update_layout(height=height, margin=dict(l=0, r=0, t=8, b=0), font=dict(family=maps.FONT),
                      paper_bgcolor="white")  # fmt: skip
    if label:
        fig.add_annotation(text=label, x=0.01, y=0.01, xref="paper", yref="paper", showarrow=False,
                           font=dict(color="#c92a2a", size=13), bgcolor="rgba(255,255,255,0.8)")  # fmt: skip
    restyle_count(fig, result, top=top, title=title)
    return fig


def restyle_count(fig: go.Figure, result: pd.DataFrame, *, top: int | None = None,
                  title: str = STRINGS["map_title"][0]) -> None:  # fmt: skip
    """Recolour a :func:`count_map` in place (no new geometry); ``top`` fixes the scale's end."""
    adcodes = result["adcode"].astype(str).tolist()
    z = pd.to_numeric(result["misses"], errors="coerce").fillna(0).astype(int).to_numpy()
    text = result["hover"] if "hover" in result else result.get("name", pd.Series(adcodes))
    top = max(1, int(top if top is not None else (z.max() if len(z) else 1)))
    with fig.batch_update() if isinstance(fig, go.FigureWidget) else nullcontext():
        fig.data[0].update(locations=np.asarray(adcodes, dtype=object), z=z, zmax=top,
                           text=np.asarray(text, dtype=object),
                           hovertemplate="%{text}<extra></extra>")  # fmt: skip
        fig.data[0].colorbar.title.text = title
        maps.show_area(fig, adcodes)


def _rule(key: str) -> targets.Rule | None:
    """A scorecard ``rule`` key (“profile:id”) back to its Rule."""
    profile, _, rid = key.partition(":")
    try:
        return next((r for r in targets.get_profile(profile).rules if r.id == rid), None)
    except targets.ProfileError:
        return None


class OverviewDashboard(Dashboard):
    """总览: the whole scorecard for the chosen area, year and profile."""

    title = ("总览：各县逐条对照目标", "Overview: every county against every rule")
    intro = (
        "按目标配置把各县（区）的数据逐条对照：地图显示每个县未达标的规则数，表格列出各规则的达标情况、离目标最远的县和逐县逐条结果。点击列标题打开该指标的专题看板，点击地图上的县查看详情。",
        "Every county against every rule of the chosen profile: the map counts the rules each county misses; the tables give each rule's counts, the counties furthest from target and the county × rule grid. Click a header for its dashboard, a county for its details.",
    )  # fmt: skip

    strings = STRINGS

    def __init__(self, dataset: DataSet | None = None, **kw) -> None:
        super().__init__(dataset, **kw)
        self.counts, self.furthest = w.HTML(), w.HTML()
        self.heat, self.unsupported = w.HTML(), w.HTML()
        self.panels = [self.counts, self.furthest]
        self.below = [self.heat, self.unsupported]
        self.build()

    @property
    def card(self) -> pd.DataFrame:
        """The scorecard of the selected counties (made once per view)."""

        def make() -> pd.DataFrame:
            card, sel = self.scorecard(), self.selected_counties()
            return card[card["adcode"].astype(str).isin(set(sel["adcode"]))]

        return self.kept("card", make)

    @property
    def cells(self) -> pd.DataFrame:
        """One cell per county and rule of :attr:`card` (made once per view)."""
        return self.kept("cells", lambda: summary.rule_cells(self.card))

    # -- the three methods of the shell -------------------------------------------------
    def compute(self) -> pd.DataFrame:
        sel = self.selected_counties()
        per = summary.misses_per_county(self.cells).drop(columns="name")
        res = sel[["adcode", "name", "city"]].merge(per, on="adcode", how="left")
        res = res.fillna({"misses": 0, "checked": 0, "at_risk": 0, "missed_titles": ""})
        return res.astype({"misses": int, "checked": int, "at_risk": int})

    def figure_for(self, geometry, result: pd.DataFrame) -> go.Figure:
        label = data.DEMO_LABEL if self.dataset.is_demo else ""
        top = len(summary.supported_rules(self.card))
        return count_map(
            geometry, self._hover(result), top=top, title=self.s("map_title"), label=label
        )

    def paint(self, res: pd.DataFrame) -> None:
        rules = summary.supported_rules(self.card)
        restyle_count(self.figure, self._hover(res), top=len(rules), title=self.s("map_title"))
        self.draw_map()  # the map first: the panels below take longer
        self.show_panels(res)

    def panels_html(self, res: pd.DataFrame) -> dict[str, str]:
        rules = summary.supported_rules(self.card)
        return {
            "counts": STYLE + self._counts_html(res, rules), "furthest": self._furthest_html(),
            "heat": self._heat_html(res, rules), "unsupported": self._unsupported_html(),
            "sources": self._sources_html(rules),
        }  # fmt: skip

    # -- pieces ------------------------------------------------------------------------------
    def _short(self, row) -> str:
        """A rule's column title: short name (with the population line when it splits counties)."""
        rule = _rule(row.rule)
        zh = self.lang != "en"
        if row.indicator not in SHORT:
            return (rule.title_en if rule is not None and not zh else row.title) or row.rule
        text = SHORT[row.indicator][0 if zh else 1]
        if row.indicator == "special_education" and rule is not None and rule.population:
            cmp = SIGNS.get(rule.population.comparator, rule.population.comparator)
            line = f"{cmp}{rule.population.value / 10_000:g}万"
            text += f"（{line}）" if zh else f" ({line})"
        return text

    def _title(self, row) -> str:
        """A scorecard row's rule title in the page's language."""
        en = getattr(row, "title_en", "")
        return str(en if self.lang == "en" and isinstance(en, str) and en else row.title)

    def _head(self, row) -> str:
        mark = "†" if row.level == "jurisdiction" else ""
        text = html.escape(self._short(row)) + mark
        page = focus_page(row.indicator)
        tip = html.escape(self._title(row))
        if page:
            text = f'<a href="{page}" target="_blank" rel="noopener" data-rule="{html.escape(row.rule)}">{text}</a>'
        return f'<span title="{tip}">{text}</span>'

    def _hover(self, res: pd.DataFrame) -> pd.DataFrame:
        lines = [
            f"<b>{html.escape(str(r.name))}</b><br>{self.s('hover_missed')}：{r.misses}"
            f"　{self.s('hover_checked')}：{r.checked}　{self.s('risk')}：{r.at_risk}"
            + (f"<br>{html.escape(r.missed_titles)}" if r.missed_titles else "")
            for r in res.itertuples()
        ]
        return res.assign(hover=lines)

    def _counts_html(self, res: pd.DataFrame, rules: pd.DataFrame) -> str:
        if rules.empty:
            return f'<div class="kuoyou-note"><b>{self.s("no_rules")}</b></div>'
        total = summary.status_counts(self.cells, by=None)
        per = summary.status_counts(self.cells)
        stats = (
            f'<div class="kuoyou-stats">'
            f'<span style="background:{CELL_COLORS[MET][0]}" data-count="overall-met">{self.s("met")} {total[MET]}</span>'
            f'<span style="background:{CELL_COLORS[UNMET][0]}" data-count="overall-unmet">{self.s("unmet")} {total[UNMET]}</span>'
            f'<span style="background:#ffe8cc" data-count="overall-risk">{self.s("risk")} {total[summary.RISK]}</span></div>'
        )  # fmt: skip
        heads = [self.s(k) for k in ("rule", "met", "unmet", "risk", "na")]
        rows = []
        for r in rules.itertuples():
            c = per.loc[r.rule]
            nums = "".join(f'<td class="num" data-count="{k}">{c[k]}</td>'
                           for k in (MET, UNMET, summary.RISK, NOT_APPLICABLE))  # fmt: skip
            rows.append(
                f'<tr data-rule="{html.escape(r.rule)}"><td class="wrap">{self._head(r)}</td>{nums}</tr>'
            )
        k = int((res["misses"] > 0).sum())
        return (
            f"<h4>{self.s('overall', n=len(rules), c=len(res))}</h4>{stats}"
            f'<div class="kuoyou-note">{self.s("counties_missing", k=k, c=len(res))}；{self.s("risk_note")}</div>'
            f"<h4>{self.s('per_rule')}</h4>" + rows_table(heads, rows, css="kuoyou-table kuoyou-rule-counts")
        )  # fmt: skip

    def _furthest_html(self, n: int = 10) -> str:
        far = summary.furthest_from_target(self.card, n=n)
        title = f"<h4>{self.s('furthest', n=n)}</h4>"
        if far.empty:
            return title + f'<div class="kuoyou-note">{self.s("none_far")}</div>'
        cities = self.dataset.counties.set_index("adcode")["city"]
        heads = [
            self.s(k) for k in ("county", "city", "rule", "value", "target", "shortfall", "outlook")
        ]
        rows = []
        for r in far.itertuples():
            rule = self._short(r) + (
                f"·{r.measure}" if isinstance(r.measure, str) and r.measure else ""
            )
            cells = [html.escape(str(r.name)), html.escape(str(cities.get(r.adcode, ""))), html.escape(rule),
                     formats.format_value(r.value, r.unit), formats.format_value(r.target, r.unit),
                     formats.format_percent(r.shortfall), html.escape(formats.in_language(r.outlook, self.lang) if isinstance(r.outlook, str) else "")]  # fmt: skip
            rows.append(
                "<tr>" + "".join(f'<td{" class=num" if i in (3, 4, 5) else ""}>{c}</td>' for i, c in enumerate(cells))
                + "</tr>"
            )  # fmt: skip
        return title + rows_table(heads, rows, css="kuoyou-table kuoyou-furthest")

    def _cell(self, cell, county: str, title: str) -> str:
        status = cell.status if cell is not None else NOT_APPLICABLE
        bg, fg = CELL_COLORS.get(status, CELL_COLORS[MISSING])
        if cell is None:
            text = "·"
        elif cell.measures > 1 and cell.failing:
            text = self.s("measures", f=cell.failing, m=cell.measures)
        elif cell.measures > 1:
            text = self.s("all_met", m=cell.measures)
        elif pd.isna(cell.value):
            text = formats.in_language(status, self.lang)
        elif cell.unit == "" and float(cell.value).is_integer():
            text = f"{int(cell.value):,}"  # a count without a unit (e.g. special schools)
        else:
            text = formats.format_value(cell.value, cell.unit)
        mark = OUTLOOK_MARK.get(cell.outlook, "") if cell is not None else ""
        label = formats.in_language
        tip = f"{county} · {title}：{label(status, self.lang)}" + (
            f"；{label(cell.outlook, self.lang)}" if mark else ""
        )
        data_attrs = (
            f' data-rule="{html.escape(cell.rule)}" data-adcode="{cell.adcode}" data-status="{status}"'
            if cell is not None
            else ""
        )
        return f'<td style="background:{bg};color:{fg}" title="{html.escape(tip)}"{data_attrs}>{html.escape(text)}{mark}</td>'  # fmt: skip

    def _heat_html(self, res: pd.DataFrame, rules: pd.DataFrame) -> str:
        if rules.empty:
            return ""
        by = {(c.adcode, c.rule): c for c in self.cells.itertuples()}
        heads = [self.s("county"), self.s("city"), *(self._head(r) for r in rules.itertuples())]
        shown, more = cut(res, self.lang)
        rows = []
        for c in shown.itertuples():
            tds = "".join(self._cell(by.get((c.adcode, r.rule)), str(c.name), self._title(r))
                          for r in rules.itertuples())  # fmt: skip
            rows.append(f'<tr data-adcode="{c.adcode}"><td class="county">{html.escape(str(c.name))}</td>'
                        f'<td class="county">{html.escape(str(c.city))}</td>{tds}</tr>')  # fmt: skip
        legend = " ".join(f'<span style="background:{bg};color:{fg};padding:1px 6px">{self.s(k)}</span>'
                          for k, (bg, fg) in zip(("met", "unmet", "na", "missing"), CELL_COLORS.values(), strict=True))  # fmt: skip
        return (
            f"<h4>{self.s('heat')}</h4><div class='kuoyou-note'>{legend}　{self.s('legend')}</div>"
            f'<div class="kuoyou-heat">{rows_table(heads, rows, escape=False)}</div>{note_div(more)}'
        )

    def _unsupported_html(self) -> str:
        gone = summary.unsupported_rules(self.card)
        if gone.empty:
            return ""
        heads = [self.s(k) for k in ("rule", "reason", "source")]
        rows = [
            f'<tr><td class="wrap">{html.escape(self._title(r))}</td><td class="wrap">{html.escape(str(r.note))}</td>'
            f'<td class="wrap">{html.escape(str(r.source))}</td></tr>'
            for r in gone.itertuples()
        ]  # fmt: skip
        return (f'<details class="kuoyou-unsupported"><summary>{self.s("unsupported", n=len(gone))}</summary>'
                + rows_table(heads, rows) + "</details>")  # fmt: skip

    def _sources_html(self, rules: pd.DataFrame) -> str:
        prof = targets.get_profile(self.profile.value)
        items = []
        for r in rules.itertuples():
            rule = _rule(r.rule)
            if rule is None:
                continue
            bench = f"（{self.t('benchmark')}）" if rule.is_benchmark else ""
            when = f"，{self.s('deadline', y=rule.deadline)}" if rule.deadline else ""
            src = rule.source
            items.append(
                f"<li><b>{html.escape(rule.title_en if self.lang == 'en' else rule.title_zh)}</b>{bench}{when}<br>{self.s('file')}：{html.escape(src.file)}"
                f"　{self.s('line')}：{src.line}　{self.s('quote')}：“{html.escape(src.quote)}”</li>"
            )  # fmt: skip
        return (f'<details class="kuoyou-note kuoyou-sources"><summary>{self.s("sources", doc=html.escape(prof.document), n=len(items))}'
                f"</summary><ul>{''.join(items)}</ul></details>")  # fmt: skip


__all__ = ["OverviewDashboard", "count_map", "focus_page", "restyle_count"]
