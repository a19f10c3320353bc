"""公办园占比 dashboard: public-kindergarten share against the profile's target, county by county.

The map colours each county by 公办园在园幼儿占比 on a diverging scale whose
midpoint is the profile's target (national/长治/平顶山 60%, 济宁 80%, 宜昌 50%;
below warm, above cool; a profile without a number gets the plain scale and
says so). Beside it: the enrolment-weighted city and province figures against
the target, each county's trend as a sparkline table and 普惠性幼儿园覆盖率
(reported, judged only where a profile has a number). Below it: the counties
under the target with the public places they would need and their outlook to
the deadline. Works from kindergarten records or from county totals
(``kg_enrolment``, ``public_kg_enrolment``).

The trend is plain HTML (inline SVG), not a second plotly figure: with two
plotly ``FigureWidget`` on one Voila page, one of them intermittently stopped
applying its updates in the browser, and a sparkline table reads at a glance.

Example
-------
>>> dash = KindergartenDashboard()
>>> dash.city.value = "370800"          # 济宁市: its own plan, target 80%
>>> dash.profile.value, float(dash.figure.data[0].zmid), len(dash.figure.data[0].locations)
('jining', 0.8, 11)
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go

from .. import data, engine, formats, maps, targets
from ..indicators import OUTLOOK_EN, STATUS_EN, UNMET, history, outlook
from ..indicators.common import rule_for
from ..indicators.kindergartens import (
    inclusive_kindergarten_coverage,
    kindergarten_table,
    public_kindergarten_share,
    public_places_needed,
)  # fmt: skip
from ..indicators.outlook import DEFAULT_MARGIN
from .common import cut, html_table, note_div, rows_table, sparkline
from .dataset import DataSet
from .shell import Dashboard

PUBLIC_RULE, INCLUSIVE_RULE = "public_kindergarten_share", "inclusive_kindergarten_coverage"
#: Sparklines: the map's warm end below the target, its cool end at or above it.
BELOW, ABOVE, PLAIN = "#d6604d", "#4393c3", "#868e96"
#: key → (中文, English); ``{name}`` fields filled by ``KindergartenDashboard.s``.
STRINGS = {
    "map_title": ("公办园在园幼儿占比（{year}年，{mid}）", "Share in public kindergartens ({year}, {mid})"),
    "mid": ("色阶中点＝目标{t}", "colour midpoint = target {t}"),
    "no_mid": ("无数值目标，普通色阶", "no numeric target: plain scale"),
    "summary": ("全市与全省加权占比（{year}年）", "City and province, enrolment-weighted ({year})"),
    "summary_provinces": ("各省加权占比（{year}年）", "Provinces, enrolment-weighted ({year})"),
    "sum_cols": ("范围|公办园幼儿|在园幼儿|加权占比|目标|差距(百分点)|状态|需增公办学位",
                 "Area|In public|All children|Weighted share|Target|Gap (pp)|Status|Places needed"),
    "weighted": ("城市和省的占比按在园幼儿数加权：各县公办园在园幼儿之和 ÷ 各县在园幼儿之和（不是各县占比的平均）。省为数据中该省各县合计。",
                 "City and province shares are weighted: sum of public enrolment ÷ sum of all enrolment (not a mean of county shares). A province is the sum of its counties in the data."),
    "benchmark": ("目标针对{j}全域，逐县比较仅作参照（{n}个县中{k}个低于目标）。",
                  "The target is set for {j} as a whole: per county it is a benchmark ({k} of {n} counties below)."),
    "no_target": ("配置“{p}”没有公办园占比的数值目标（{text}）：地图用普通色阶，只报告数值，不判断达标。",
                  "Profile '{p}' sets no number for the public share ({text}): plain colour scale, values reported, not judged."),
    "province_sum": ("{name}（数据中{n}个县合计）", "{name} ({n} counties in the data)"),
    "incl_title": ("普惠性幼儿园覆盖率（{year}年）", "Inclusive-kindergarten coverage ({year})"),
    "incl_cols": ("{unit}|覆盖率（加权）|各县范围|状态", "{unit}|Coverage (weighted)|County range|Status"),
    "incl_none": ("原文无数值目标：只报告数值，不判断达标。", "No number in the text: reported, not judged."),
    "incl_judged": ("按 {t} 判断（全域目标，逐县仅作参照）。", "Judged against {t} (a jurisdiction-wide target)."),
    "incl_norule": ("配置中没有普惠性覆盖率规则：只报告数值。", "The profile has no inclusive-coverage rule: value reported only."),
    "incl_nodata": ("数据中没有普惠性信息（学校表 inclusive 列或县级表 inclusive_kg_enrolment），无法计算。",
                    "The data carry no inclusive flag (schools.inclusive or inclusive_kg_enrolment)."),
    "incl_def": ("口径：（公办 + 普惠性民办）在园幼儿 ÷ 全部在园幼儿（本工具选择的口径）。",
                 "Definition: (public + inclusive private) enrolment ÷ all enrolment (the toolkit's choice)."),
    "below": ("低于目标的县（区）（{k}个，按差距排序；全域目标，逐县比较仅作参照）",
              "Counties below the target ({k}, largest gap first; per county a benchmark)"),
    "below_cols": ("县（区）|所属市|公办园占比|目标|差距（百分点）|需新增公办学位|{d}年研判",
                   "County|City|Share|Target|Gap (pp)|Public places needed|Outlook {d}"),
    "none_below": ("所选范围内没有低于目标的县（区）。", "No county in the selection is below the target."),
    "places_sum": ("各县缺口合计 {s} 个学位；全市加权计算的缺口见上表（达标县的富余抵消部分缺口）。",
                   "County shortfalls add up to {s} places; the city-wide figure is above (counties over the target offset some)."),
    "method": ("需新增公办学位 = ⌈目标 × 在园幼儿总数 − 公办园在园幼儿⌉（在园总数不变，如民办转公办）。"
               "趋势研判为用户设定方法，不是政策规定：对所选年份及之前最多5年的数值作最小二乘直线拟合，外推到期限{d}年；"
               "已达标＝当年已达到，按期可达＝预计期限时达到，有风险＝预计差距不超过{m}个百分点，难以达标＝差距更大。",
               "Public places needed = ⌈target × all children − children in public kindergartens⌉ at current enrolment. "
               "The outlook is a user-chosen method, not policy: a least-squares line through up to five years up to the "
               "selected one, read at the deadline {d}; at risk = projected shortfall up to {m} pp."),
    "horizon": ("原文未给期限，按配置年限{d}年研判。", "The text gives no deadline: the profile's horizon {d} is used."),
    "basis_records": ("数据口径：幼儿园学校记录（{origin}）。", "Computed from kindergarten records ({origin})."),
    "basis_totals": ("数据口径：县级汇总 kg_enrolment / public_kg_enrolment（{origin}）。",
                     "Computed from county totals kg_enrolment / public_kg_enrolment ({origin})."),
    "trend": ("各县（区）公办园占比变化", "Public share by county over the years"),
    "trend_cols": ("县（区）|趋势（虚线＝目标）|{first}年|{year}年|变化（百分点）",
                   "County|Trend (dashed = target)|{first}|{year}|Change (pp)"),
    "target_line": ("目标", "target"),
    "sources": ("规则出处：{doc}", "Where the rules come from: {doc}"),
    "deadline": ("，期限{y}年", ", deadline {y}"), "no_deadline": ("，原文无期限", ", no deadline in the text"),
    "source": ("出处：", "Source: "),
    "hover": ("{name}<br>公办园占比：{v}（目标{t}）<br>需新增公办学位：{p}<br>研判：{o}",
              "{name}<br>Public share: {v} (target {t})<br>Public places needed: {p}<br>Outlook: {o}"),
}  # fmt: skip


def has_kindergarten_rule(profile_id: str) -> bool:
    """Whether a profile has a public-share or inclusive-coverage rule (offered in the selector).

    >>> has_kindergarten_rule("jining"), has_kindergarten_rule("balanced_2017")
    (True, False)
    """
    prof = targets.get_profile(profile_id)
    return bool(prof.rules_for(PUBLIC_RULE) or prof.rules_for(INCLUSIVE_RULE))


class KindergartenDashboard(Dashboard):
    """公办园在园幼儿占比: map around the target, weighted city figure, trend, outlook, places needed."""

    title = (
        "学前教育：公办园在园幼儿占比",
        "Pre-school: share of children in public kindergartens",
    )
    intro = (
        "按目标配置（全国、长治、平顶山60%，济宁80%，宜昌50%）比较各县（区）公办园在园幼儿占比，并给出需新增的公办学位和到期限的趋势研判。切换省份、城市、年份或目标配置，地图与表格随之更新；点击地图上的县查看详情。",
        "Compares each county's share of children in public kindergartens with the profile's target, with the public places needed and the outlook to the deadline. Click a county for its details.",
    )  # fmt: skip
    profile_filter = staticmethod(has_kindergarten_rule)
    strings = STRINGS

    def __init__(self, dataset: DataSet | None = None, **kw) -> None:
        super().__init__(dataset, **kw)
        self._histories: dict[str, pd.DataFrame | None] = {}  # per profile, for _data_of
        self._data_of: DataSet | None = None
        self.summary, self.trend, self.inclusive, self.table, self.method = (
            w.HTML() for _ in range(5)
        )
        self.panels = [self.summary, self.trend, self.inclusive]
        self.below = [self.table, self.method]
        self.build()

    def _s(self, key: str, **fields: object) -> str:
        """One of :data:`STRINGS` in the page's language, HTML-escaped."""
        return html.escape(self.s(key, **fields))

    # -- what the page computes from ---------------------------------------------------------
    def _rule(self, indicator: str = PUBLIC_RULE) -> targets.Rule | None:
        return rule_for(self.profile.value, indicator)

    def _target(self) -> float | None:
        rule = self._rule()
        return None if rule is None or rule.threshold is None else float(rule.threshold)

    def _deadline(self) -> int:
        rule, prof = self._rule(), targets.get_profile(self.profile.value)
        return int((rule.deadline if rule else None) or prof.horizon or 2027)

    def _history(self) -> pd.DataFrame | None:
        """Every year's county shares for the current data and profile (computed once each)."""
        if self._data_of is not self.dataset:  # new data: forget the old histories
            self._histories, self._data_of = {}, self.dataset
        key = self.profile.value
        if key not in self._histories:
            table = self._kg_table()
            self._histories[key] = None if "year" not in table else history(
                public_kindergarten_share, table, self.dataset.counties, self.profile.value
            )  # fmt: skip
        return self._histories[key]

    def _outlook(self, adcodes: pd.Series) -> pd.DataFrame:
        hist = self._history()
        if hist is None:
            return pd.DataFrame(columns=["adcode", "outlook", "projected"])
        hist = hist[hist["adcode"].isin(adcodes)]
        if self.year.value is not None:
            hist = hist[hist["year"] <= self.year.value]
        hist = hist.assign(deadline=hist["deadline"].fillna(self._deadline()))
        return outlook(hist)[["adcode", "outlook", "projected"]]

    def _shares(
        self, counties: pd.DataFrame, by: str, fn=public_kindergarten_share
    ) -> pd.DataFrame:
        return fn(self._kg_table(), counties, self.profile.value, by=by, year=self.year.value)

    def _kg_table(self) -> pd.DataFrame:
        """County totals: counted once per data set from the records, else the bureau's."""
        totals = self.dataset.school_totals
        if totals is not None and totals["kg_enrolment"].notna().any():
            return totals
        return kindergarten_table(self.dataset.tables)

    def _inclusive(self, counties: pd.DataFrame, by: str) -> pd.DataFrame | None:
        schools = getattr(self.dataset.tables, "schools", None)
        records = self.dataset.school_totals is not None
        have = engine.columns(schools) if records else self._kg_table().columns
        if ("inclusive" if records else "inclusive_kg_enrolment") not in have:
            return None
        return self._shares(counties, by, inclusive_kindergarten_coverage)

    # -- the three methods of the shell ----------------------------------------------------------
    def compute(self) -> pd.DataFrame:
        sel = self.selected_counties()
        res = self._shares(sel, "county")
        res["places"] = public_places_needed(res)
        res = res.merge(self._outlook(sel["adcode"]), on="adcode", how="left")
        return res.merge(sel[["adcode", "city", "city_adcode"]], on="adcode", how="left")

    def figure_for(self, geometry, result: pd.DataFrame) -> go.Figure:
        label = data.DEMO_LABEL if self.dataset.is_demo else ""
        return maps.share_map(geometry, result, target=self._target(), label=label, height=560,
                              title=self._map_title())  # fmt: skip

    def paint(self, res: pd.DataFrame) -> None:
        hover = self.kept("hover", lambda: self._hover(res, self._target()))
        maps.restyle_share(self.figure, res, target=self._target(), hover=hover)
        self.figure.layout.title.text = self._map_title()
        self.draw_map()  # the map first: the panels below take longer
        self.show_panels(res)

    def panels_html(self, res: pd.DataFrame) -> dict[str, str]:
        target = self._target()
        return {
            "summary": self._summary_html(res, target), "inclusive": self._inclusive_html(),
            "table": self._below_html(res), "method": self._method_html(),
            "sources": self._sources_html(), "trend": self._trend_html(res, target),
        }  # fmt: skip

    def warm(self) -> None:
        super().warm()
        res = self.kept("result", self.compute)
        self.kept("hover", lambda: self._hover(res, self._target()))

    # -- panels ------------------------------------------------------------------------------------
    @staticmethod
    def _goal(v: object) -> str:
        """A target as the texts write it: 60%, 80%, 50% (one decimal only when needed)."""
        return "—" if v is None or pd.isna(v) else f"{round(100 * float(v), 1):g}%"

    def _map_title(self) -> str:
        t = self._target()
        mid = self._s("mid", t=self._goal(t)) if t is not None else self._s("no_mid")
        return self._s("map_title", year=self.year.value, mid=mid)

    def _look(self, o: object, projected: object) -> str:
        if not isinstance(o, str):
            return "—"
        label = OUTLOOK_EN.get(o, o) if self.lang == "en" else o
        return label if pd.isna(projected) else f"{label}（{formats.format_percent(projected)}）"

    def _hover(self, res: pd.DataFrame, target: float | None) -> list[str]:
        return [
            self._s("hover", name=r.name, v=formats.format_percent(r.value), t=self._goal(target),
                    p=formats.format_int(r.places), o=self._look(r.outlook, r.projected))
            .replace("&lt;br&gt;", "<br>")  # the hover's line breaks, after escaping the fields
            for r in res.itertuples()
        ]  # fmt: skip

    def _title(self, rule: targets.Rule) -> str:
        return rule.title_en if self.lang == "en" and rule.title_en else rule.title_zh

    def _status(self, s: str) -> str:
        return STATUS_EN.get(s, s) if self.lang == "en" else s

    def _summary_html(self, res: pd.DataFrame, target: float | None) -> str:
        sel, all_counties = self.selected_counties(), self.dataset.counties
        provinces = all_counties[all_counties["province_adcode"].astype(str)
                                 .isin(sel["province_adcode"].astype(str))]  # fmt: skip
        size = provinces.groupby(provinces["province_adcode"].astype(str)).size()
        prov = self._shares(provinces, "province")
        prov["name"] = [self._s("province_sum", name=n, n=size[a]) for a, n in zip(prov["adcode"], prov["name"], strict=True)]  # fmt: skip
        several = self.summary_by() == "province"  # all China: the provinces, not 370 cities
        both = prov if several else pd.concat([self._shares(sel, "city"), prov], ignore_index=True)
        view = pd.DataFrame({
            "a": both["name"], "b": both["numerator"].map(formats.format_int),
            "c": both["denominator"].map(formats.format_int), "d": both["value"].map(formats.format_percent),
            "e": both["target"].map(self._goal), "f": both["gap"].map(lambda g: "—" if pd.isna(g) else f"{100 * g:+.1f}"),
            "g": both["status"].map(self._status), "h": public_places_needed(both).map(formats.format_int),
        })  # fmt: skip
        view.columns = self._s("sum_cols").split("|")
        prof, rule, zh = targets.get_profile(self.profile.value), self._rule(), self.lang == "zh"
        if target is None:
            text = rule.target_text if rule else ("无此规则" if zh else "no such rule")
            note = self._s("no_target", p=prof.name_zh if zh else prof.name_en, text=text)
        else:
            unmet = int((res["status"] == UNMET).sum())
            note = self._s("benchmark", j=prof.jurisdiction, n=len(res), k=unmet)
        return (
            f"<h4>{self._s('summary_provinces' if several else 'summary', year=self.year.value)}</h4>"
            + html_table(
                view, numeric=(*view.columns[1:6], view.columns[7]), wrap=(view.columns[0],)
            )
            + f'<div class="kuoyou-note">{self._s("weighted")}<br><b>{note}</b></div>'
        )

    def _inclusive_html(self) -> str:
        sel = self.selected_counties()
        head = f"<h4>{self._s('incl_title', year=self.year.value)}</h4>"
        county = self._inclusive(sel, "county")
        if county is None:
            return head + f'<div class="kuoyou-note">{self._s("incl_nodata")}</div>'
        by = self.summary_by()  # all China: by province
        city = self._inclusive(sel, by).merge(
            sel[["adcode", f"{by}_adcode"]].merge(county[["adcode", "value"]], on="adcode")
            .groupby(f"{by}_adcode")["value"].agg(["min", "max"]),
            left_on="adcode", right_index=True, how="left")  # fmt: skip
        view = pd.DataFrame({
            "a": city["name"], "b": city["value"].map(formats.format_percent),
            "c": [f"{formats.format_percent(lo)}–{formats.format_percent(hi)}" for lo, hi in zip(city["min"], city["max"], strict=True)],
            "d": city["status"].map(self._status),
        })  # fmt: skip
        view.columns = self._s("incl_cols", unit=self.t(by)).split("|")
        rule = self._rule(INCLUSIVE_RULE)
        if rule is None:
            judged = self._s("incl_norule")
        elif rule.threshold is None:
            judged = self._s("incl_none")
        else:
            sign = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}[rule.comparator or ">="]
            judged = self._s("incl_judged", t=f"{sign} {self._goal(rule.threshold)}")
        title = f"{html.escape(self._title(rule))}：" if rule else ""
        return (head + html_table(view, numeric=tuple(view.columns[1:3]))
                + f'<div class="kuoyou-note">{title}{judged}<br>{self._s("incl_def")}</div>')  # fmt: skip

    def _below_html(self, res: pd.DataFrame) -> str:
        low = res[res["status"] == UNMET].sort_values("gap")
        if self._target() is None:
            return ""
        if low.empty:
            return f'<div class="kuoyou-shortfall"><p>{self._s("none_below")}</p></div>'
        shown, more = cut(low, self.lang)
        view = pd.DataFrame({
            "a": shown["name"], "b": shown["city"], "c": shown["value"].map(formats.format_percent),
            "d": shown["target"].map(self._goal), "e": shown["gap"].map(lambda g: f"{100 * g:+.1f}"),
            "f": shown["places"].map(formats.format_int),
            "g": [self._look(o, p) for o, p in zip(shown["outlook"], shown["projected"], strict=True)],
        })  # fmt: skip
        view.columns = self._s("below_cols", d=self._deadline()).split("|")
        total = self._s("places_sum", s=formats.format_int(low["places"].sum()))
        note = "<br>".join(filter(None, [more, total]))
        return (
            f'<div class="kuoyou-shortfall"><h4>{self._s("below", k=len(low))}</h4>'
            + html_table(view, numeric=tuple(view.columns[2:6]))
            + note_div(note)
            + "</div>"
        )

    def _method_html(self) -> str:
        rule = self._rule()
        parts = [self._s("method", d=self._deadline(), m=f"{100 * DEFAULT_MARGIN:g}")]
        if rule is not None and rule.deadline is None:
            parts.append(self._s("horizon", d=self._deadline()))
        basis = (
            "basis_records" if self._kg_table() is self.dataset.school_totals else "basis_totals"
        )
        parts.append(self._s(basis, origin=self.dataset.origin))
        return f'<div class="kuoyou-param">{"<br>".join(parts)}</div>'

    def _sources_html(self) -> str:
        prof = targets.get_profile(self.profile.value)
        items = []
        for r in (*prof.rules_for(PUBLIC_RULE), *prof.rules_for(INCLUSIVE_RULE)):
            level = f"（{self.t('benchmark')}）" if r.is_benchmark else ""
            when = self.s("deadline", y=r.deadline) if r.deadline else self.s("no_deadline")
            note = r.note_en if self.lang == "en" and r.note_en else r.note_zh
            items.append(
                f"<li><b>{html.escape(self._title(r))}</b>（{html.escape(r.target_text or '—')}）{level}{when}"
                f"<br>{self.s('source')}{html.escape(r.source.citation)}"
                + (f"<br>{html.escape(note)}" if note else "") + "</li>"
            )  # fmt: skip
        return f'<div class="kuoyou-note"><h4>{self._s("sources", doc=prof.document)}</h4><ul>{"".join(items)}</ul></div>'

    def _trend_html(self, res: pd.DataFrame, target: float | None) -> str:
        """One sparkline per county across the years, lowest share first (at most
        :data:`~toolkit.widgets.common.ROWS_SHOWN`)."""
        hist = self._history()
        if hist is None or hist.empty:  # no years in the data: no trend to draw
            return ""
        values = hist.pivot(index="adcode", columns="year", values="value").reindex(res["adcode"])
        years = [int(y) for y in values.columns]
        mark = years.index(self.year.value) if self.year.value in years else None
        shown = [v for v in values.to_numpy().ravel().tolist() if pd.notna(v)]
        scale = shown + ([target] if target is not None else []) or [0.0, 1.0]
        lo, hi = min(scale), max(scale)
        order = res.assign(first=values[years[0]].to_numpy()).sort_values("value")
        order, more = cut(order, self.lang)
        rows = []
        for r in order.itertuples():
            line = values.loc[r.adcode].tolist()
            color = PLAIN if target is None else (BELOW if r.status == UNMET else ABOVE)
            svg = sparkline(line, lo=lo, hi=hi, target=target, mark=mark, color=color)
            change = (
                "—" if pd.isna(r.value) or pd.isna(r.first) else f"{100 * (r.value - r.first):+.1f}"
            )
            rows.append(
                f'<tr><td>{html.escape(str(r.name))}</td><td>{svg}</td><td class="num">{formats.format_percent(r.first)}</td>'
                f'<td class="num">{formats.format_percent(r.value)}</td><td class="num">{change}</td></tr>'
            )
        heads = self._s("trend_cols", first=years[0], year=self.year.value).split("|")
        return (
            f"<h4>{self._s('trend')}（{years[0]}–{years[-1]}）</h4>"
            '<div style="max-height:330px;overflow-y:auto">'
            + rows_table(heads, rows, css="kuoyou-table kuoyou-trend")
            + "</div>"
            + note_div(more)
        )
