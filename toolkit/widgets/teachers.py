"""教师交流轮岗 dashboard: rotation rate around its benchmark, key teachers, tenure, flows, outlook.

The map shows each county's rotation rate (交流轮岗比例 = rotated ÷ eligible)
on a scale diverging at the benchmark (金华's 10% unless the chosen profile sets
its own rule); a control switches it to the key-teacher share of those rotated
(金华's 20%) by restyling the same map. Beside it the counties below the
benchmark, sorted by gap; below it the 2022–2024 trend with each county's
outlook, the teachers beyond 12 years at one school and those due after 9 years
(诸城), the exchange-period rule (平顶山 ≥ 3 years), the schools that send and
receive teachers, and every rule with its source. Rules of other jurisdictions
are labelled as benchmarks; eligibility without an ``eligible`` column is a
user-chosen parameter, labelled as such.

Example
-------
>>> from toolkit.widgets import TeachersDashboard
>>> d = TeachersDashboard()                     # the demo data, all three cities
>>> d.figure.layout.title.text
'交流轮岗比例（2024年）· 参照金华市 ≥10%'
>>> d.measure.value = "key_teacher_share_of_exchanged"   # the same map, restyled
>>> d.figure.layout.title.text
'骨干教师占交流教师比例（2024年）· 参照金华市 ≥20%'
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from .. import data, engine, formats, maps, targets
from ..indicators import OUTLOOK_EN, STATUS_EN, UNMET
from ..indicators.outlook import DEFAULT_MARGIN
from ..indicators.teachers import (
    DEFAULT_MIN_YEARS,
    MAX_TENURE_YEARS,
    MEASURES,
    rotation_rules,
    rotation_totals,
    rotation_trend,
)
from .common import cut, html_table, note_div
from .dataset import DataSet
from .shell import Dashboard
from .teacher_flows import FlowPanels

RATE, KEY = "teacher_exchange_rate", "key_teacher_share_of_exchanged"
OVER, DUE, PERIOD = "teachers_over_max_tenure", "teachers_due_rotation", "exchange_period_years"
#: What the map can show: indicator → "中文|English".
MAP_MEASURES = {RATE: "交流轮岗比例|Rotation rate",
                KEY: "骨干教师占交流教师比例|Key teachers among those rotated"}  # fmt: skip


def _span(target: float) -> float:
    """A colour range symmetric around ``target`` inside [0, 1] (white sits at the target)."""
    return max(min(target, 1 - target, 0.3), 0.05)


class TeachersDashboard(FlowPanels, Dashboard):
    """教师交流轮岗: rotation rate and key-teacher share, tenure, exchange flows, outlook."""

    title = (
        "教师交流轮岗：交流比例、骨干教师与任教年限",
        "Teacher rotation: rate, key teachers and tenure",
    )
    intro = (
        "按目标配置检查各县（区）教师交流轮岗比例（交流人数÷符合交流条件人数）、骨干教师占交流教师比例、本校任教年限和交流期，并列出派出和接收教师的学校。金华、诸城、平顶山的数值规则在所选配置未作规定时仅作参照。点击地图上的县查看详情。",
        "Checks each county's teacher rotation rate (rotated ÷ eligible), the key-teacher share of those rotated, years at one school and the exchange period, and lists the schools that send and receive teachers. The numbers of 金华, 诸城 and 平顶山 are benchmarks unless the chosen profile sets its own. Click a county for its details.",
    )  # fmt: skip

    def __init__(self, dataset: DataSet | None = None, **kw) -> None:
        super().__init__(dataset, **kw)
        self.measure = w.Dropdown(options=[(v.split("|")[0], k) for k, v in MAP_MEASURES.items()],
                                  value=RATE, layout=w.Layout(width="330px"))  # fmt: skip
        self.min_years = w.BoundedIntText(value=DEFAULT_MIN_YEARS, min=1, max=40,
                                          style={"description_width": "initial"},
                                          layout=w.Layout(width="250px"))  # fmt: skip
        self.param_note = w.HTML()
        self.summary, self.below_table = w.HTML(), w.HTML()
        self.trend, self.tenure, self.flows = w.HTML(), w.HTML(), w.HTML()
        self.panels = [self.summary]  # the county detail (click) follows, beside the map
        self.below = [self.below_table, self.trend, self.tenure, self.flows]
        self.extra_controls = [self.measure, self.min_years]
        self._trends: dict[tuple, pd.DataFrame] = {}
        self._flow_cache: dict[tuple, pd.DataFrame] = {}
        self.build()
        self.view.children = (*self.view.children[:4], self.param_note, *self.view.children[4:])
        self.measure.observe(self._safe(lambda _: self.paint(self.result)), names="value")
        self.min_years.observe(self._safe(self._refresh), names="value")

    # -- strings and data -------------------------------------------------------------------
    def _l(self, text: str, **kw: object) -> str:
        """One side of a "中文|English" string, filled with ``kw``."""
        zh, _, en = text.partition("|")
        return (en if self.lang == "en" and en else zh).format(**kw)

    def _cols(self, zh: str, en: str, **kw: object) -> list[str]:
        """Column headers in the current language ("a|b|c" each side)."""
        return (en if self.lang == "en" else zh).format(**kw).split("|")

    def _records(self) -> object | None:
        """Teacher records (a DataFrame or a table on the engine), if the data has them."""
        t = getattr(self.dataset.tables, "teachers", None)
        if t is None or (isinstance(t, pd.DataFrame) and t.empty):
            return None
        return t

    def _totals(self) -> pd.DataFrame:
        """The rotation counts per county and year (counted once per data set and profile)."""
        own = targets.get_profile(self.profile.value)
        min_years = self.min_years.value if hasattr(self, "min_years") else DEFAULT_MIN_YEARS
        memo = self.dataset.memo.setdefault("rotation", {})
        key = ("totals", own.id, min_years)  # the key rotation_trend keeps them under
        if key not in memo:
            memo[key] = rotation_totals(self._source_table(), own, min_years)
        return memo[key]

    def _source_table(self) -> pd.DataFrame:
        """Teacher records, else county totals (``indicators`` with ``teachers_rotated``)."""
        if (t := self._records()) is not None:
            return t
        ind = getattr(self.dataset.tables, "indicators", None)
        if ind is not None and "teachers_rotated" in ind.columns:
            return ind[ind["teachers_rotated"].notna()]
        raise ValueError(
            "数据中没有教师记录（teachers 表）或县级交流人数（indicators 表的 teachers_rotated），"
            "无法计算交流轮岗。 / The data has neither teacher records nor county rotation counts."
        )

    def _has_eligible(self) -> bool:
        return self._records() is None or self._totals().attrs.get("eligibility") == "data"

    def _fill_years(self) -> None:  # only the years with teacher data
        try:
            years = sorted(engine.years(self._source_table()), reverse=True)
        except ValueError:
            return super()._fill_years()
        self.year.options = [(self.t("year_label", year=y), y) for y in years] or [("—", None)]
        self.year.value = years[0] if years else None

    def _label(self) -> None:
        super()._label()
        if not hasattr(self, "measure"):
            return
        quiet, self._quiet = self._quiet, True
        try:
            value = self.measure.value
            self.measure.options = [(self._l(v), k) for k, v in MAP_MEASURES.items()]
            self.measure.value = value
        finally:
            self._quiet = quiet
        self.measure.description = self._l("地图指标|Map shows")
        self.min_years.description = self._l(
            "符合交流条件：本校任教≥（年）|Eligible: years at school ≥"
        )

    # -- the three methods of the shell -------------------------------------------------------
    def compute(self) -> pd.DataFrame:
        """Every rotation measure for the selected counties, each year up to the chosen one."""
        min_years = self.min_years.value if hasattr(self, "min_years") else DEFAULT_MIN_YEARS
        key = (id(self.dataset), self.profile.value, self.year.value, min_years)
        if key not in self._trends:
            self._trends[key] = rotation_trend(self._source_table(), self.dataset.counties,
                                               self.profile.value, year=self.year.value,
                                               min_years=min_years,
                                               memo=self.dataset.memo.setdefault("rotation", {}))  # fmt: skip
        sel = self.selected_counties()[["adcode", "city"]]
        return self._trends[key].merge(sel, on="adcode", how="inner")

    def _now(self, res: pd.DataFrame, indicator: str) -> pd.DataFrame:
        return res[(res["indicator"] == indicator) & (res["year"] == self.year.value)]

    def _rule(self, indicator: str):
        return rotation_rules(self.profile.value)[indicator]

    def _map_title(self) -> str:
        rule, borrowed = self._rule(self.measure.value)
        plan = targets.get_profile(rule.profile).jurisdiction
        bench = self._l("参照{plan}|benchmark {plan}", plan=plan) if borrowed else plan
        return self._l("{m}（{y}年）· {b} ≥{t}|{m} ({y}) · {b} ≥ {t}", m=self._l(MAP_MEASURES[self.measure.value]),
                       y=self.year.value, b=bench, t=formats.format_percent(rule.threshold, 0))  # fmt: skip

    def _target(self) -> dict:
        target = float(self._rule(self.measure.value)[0].threshold)
        return {"target": target, "span": _span(target)}

    def figure_for(self, geometry, result: pd.DataFrame):
        label = data.DEMO_LABEL if self.dataset.is_demo else ""
        return maps.share_map(geometry, self._now(result, self.measure.value), label=label,
                              title=self._map_title(), **self._target())  # fmt: skip

    def paint(self, res: pd.DataFrame) -> None:
        maps.restyle_share(self.figure, self._now(res, self.measure.value), **self._target())
        self.figure.layout.title.text = self._map_title()
        self.draw_map()  # the map first: the panels below take longer
        self.min_years.disabled = self._has_eligible()
        self.show_panels(res)

    def panels_html(self, res: pd.DataFrame) -> dict[str, str]:
        return {
            "param_note": self._eligibility_html(), "summary": self._summary_html(res),
            "below_table": self._below_html(res), "trend": self._trend_html(res),
            "tenure": self._tenure_html(res), "flows": self._flows_html(set(res["adcode"])),
            "sources": self._sources_html(),
        }  # fmt: skip

    # -- panels -------------------------------------------------------------------------------
    def _eligibility_html(self) -> str:
        if not self._has_eligible():
            return '<span class="kuoyou-param">' + self._l(
                "用户设定参数：“符合交流条件”按在本校任教≥{n}年计（数据中没有 eligible 列；政策原文未定义此条件）|"
                "User-chosen parameter: eligible = at least {n} years at the school (the data has no eligible column; no text defines it)",
                n=self.min_years.value) + "</span>"  # fmt: skip
        demo = self._l(
            "示例数据中为模拟标记：小学、初中、九年一贯制且本校任教≥6年。|In the demo a simulated flag: compulsory-stage teachers with ≥ 6 years at the school."
        )
        return '<span class="kuoyou-note">' + self._l(
            "“符合交流条件”取自数据中的 eligible 列（政策原文未定义此条件）。|Eligibility is the data's own eligible column (no text defines it). "
        ) + (demo if self.dataset.is_demo else "") + "</span>"  # fmt: skip

    def _rule_label(self, indicator: str) -> str:
        """'≥10%（金华市…：quote）— 其他地区规则，作参照' for the rule a measure uses."""
        rule, borrowed = self._rule(indicator)
        plan = targets.get_profile(rule.profile).name_zh
        own = targets.get_profile(self.profile.value).name_zh
        tag = (self._l("其他地区规则，作参照；非“{own}”的要求|another jurisdiction's rule, a benchmark; not a requirement of {own}", own=own)
               if borrowed else self._l("所选目标配置的规则|the chosen profile's own rule"))  # fmt: skip
        return f"{html.escape(rule.target_text)}（{html.escape(plan)}）— {html.escape(tag)}"

    def _summary_html(self, res: pd.DataFrame) -> str:
        parts = []
        for ind in (RATE, KEY):
            now = self._now(res, ind)
            num, den = now["numerator"].sum(), now["denominator"].sum()
            share = formats.format_percent(num / den if den else None)
            below = int((now["status"] == UNMET).sum())
            parts.append(
                f"<li><b>{self._l(MAP_MEASURES[ind])}</b>：{share}（{formats.format_int(num)}/{formats.format_int(den)}）"
                + self._l("，{b}个县低于参照|, {b} counties below", b=below)
                + f'<br><span class="kuoyou-note">{self._l("参照标准|Benchmark")}：{self._rule_label(ind)}</span></li>'
            )  # fmt: skip
        head = self._l("所选范围合计（{y}年）|Selected area ({y})", y=self.year.value)
        click = f'<p class="kuoyou-note">{self.t("click_county")}</p>'
        return f'<div class="kuoyou-benchmark"><h4>{head}</h4><ul>{"".join(parts)}</ul>{click}</div>'  # fmt: skip

    def _fmt_outlook(self, v: object) -> str:
        text = "" if not isinstance(v, str) else v
        return OUTLOOK_EN.get(text, text) if self.lang == "en" else text

    def _below_html(self, res: pd.DataFrame) -> str:
        ind = self.measure.value
        now = self._now(res, ind)
        low = now[now["status"] == UNMET].sort_values("gap")
        title = self._l("低于参照标准的县（{n}个，{m}，按差距排序）|Counties below the benchmark ({n}, {m}, by gap)",
                        n=len(low), m=self._l(MAP_MEASURES[ind]))  # fmt: skip
        if low.empty:
            return f'<div class="kuoyou-below"><h4>{title}</h4><p>{self._l("所选范围内没有低于参照标准的县。|No county of the selection is below the benchmark.")}</p></div>'
        low, more = cut(low, self.lang)
        h = self._cols("县（区）|所属市|数值|参照|差距（百分点）|人数|研判",
                       "County|City|Value|Benchmark|Gap (points)|Count|Outlook")  # fmt: skip
        view = pd.DataFrame({
            h[0]: low["name"], h[1]: low["city"], h[2]: low["value"].map(formats.format_percent),
            h[3]: low["target"].map(lambda t: formats.format_percent(t, 0)), h[4]: low["gap"].map(lambda g: f"{100 * g:+.1f}"),
            h[5]: [f"{formats.format_int(a)}/{formats.format_int(b)}" for a, b in zip(low["numerator"], low["denominator"], strict=True)],
            h[6]: low["outlook"].map(self._fmt_outlook),
        })  # fmt: skip
        return f'<div class="kuoyou-below"><h4>{title}</h4>{html_table(view, numeric=tuple(h[2:6]))}{note_div(more)}</div>'

    def _trend_html(self, res: pd.DataFrame) -> str:
        ind = self.measure.value
        rows = res[res["indicator"] == ind]
        if rows.empty:
            return ""
        wide = rows.pivot_table(index=["adcode", "name", "city"], columns="year", values="value",
                                aggfunc="first")  # fmt: skip
        wide, more = cut(wide, self.lang)
        now = self._now(res, ind).set_index("adcode")
        horizon = int(rows["horizon"].iloc[0])
        cols = self._cols("县（区）|所属市|状态|研判|预计{h}年", "County|City|Status|Outlook|Projected {h}",
                          h=horizon)  # fmt: skip
        view = pd.DataFrame({cols[0]: wide.index.get_level_values("name"),
                             cols[1]: wide.index.get_level_values("city")})  # fmt: skip
        for y in wide.columns:
            view[self.t("year_label", year=int(y))] = wide[y].map(formats.format_percent).to_numpy()
        ad = wide.index.get_level_values("adcode")
        status = now["status"].reindex(ad)
        view[cols[2]] = (status.map(STATUS_EN) if self.lang == "en" else status).to_numpy()
        view[cols[3]] = now["outlook"].reindex(ad).map(self._fmt_outlook).to_numpy()
        view[cols[4]] = now["projected"].reindex(ad).map(formats.format_percent).to_numpy()
        years = f"{int(min(wide.columns))}–{int(max(wide.columns))}"
        title = self._l("{m}：{y}年趋势与{h}年研判|{m}: trend {y} and outlook to {h}",
                        m=self._l(MAP_MEASURES[ind]), y=years, h=horizon)  # fmt: skip
        note = self._l("趋势为最小二乘外推，风险阈值{p}为用户设定参数（非政策规定）。|The trend is a least-squares line; the {p} margin is user-chosen, not policy.",
                       p=formats.format_percent(DEFAULT_MARGIN, 0))  # fmt: skip
        return (f'<div class="kuoyou-trend"><h4>{title}</h4>{html_table(view, numeric=tuple(view.columns[2:-3]) + (cols[4],))}'
                f'{note_div(more)}<span class="kuoyou-note">{note}</span></div>')  # fmt: skip

    def _tenure_html(self, res: pd.DataFrame) -> str:
        over, due = self._now(res, OVER), self._now(res, DUE).set_index("adcode")
        due_years = float(self._rule(DUE)[0].threshold)
        head = self._l("本校任教年限（{y}年）|Years at one school ({y})", y=self.year.value)
        if over.empty:
            return f'<div class="kuoyou-tenure"><h4>{head}</h4><p>{self._l("需要教师名册（本校任教年限）。|Needs teacher records (years at the school).")}</p></div>'
        over, more = cut(over.sort_values("numerator", ascending=False), self.lang)
        cols = self._cols("县（区）|所属市|教师数|超过{a}年|超过{a}年占比|满{b:g}年未交流|满{b:g}年未交流占比",
                          "County|City|Teachers|Over {a} yrs|Share over {a}|{b:g}+ yrs, not rotated|Share {b:g}+ not rotated",
                          a=MAX_TENURE_YEARS, b=due_years)  # fmt: skip
        d = due.reindex(over["adcode"])
        view = pd.DataFrame({
            cols[0]: over["name"], cols[1]: over["city"], cols[2]: over["denominator"].map(formats.format_int),
            cols[3]: over["numerator"].map(formats.format_int), cols[4]: over["value"].map(formats.format_percent),
            cols[5]: d["numerator"].map(formats.format_int).to_numpy(), cols[6]: d["value"].map(formats.format_percent).to_numpy(),
        })  # fmt: skip
        rules = f"<li>{self._rule_label(OVER)}</li><li>{self._rule_label(DUE)}</li>"
        return (f'<div class="kuoyou-tenure"><h4>{head}</h4><ul class="kuoyou-note">{rules}</ul>'
                f"{self._period_html(res)}{html_table(view, numeric=tuple(cols[2:]))}{note_div(more)}</div>")  # fmt: skip

    def _period_html(self, res: pd.DataFrame) -> str:
        rule = self._rule(PERIOD)[0]
        label = self._rule_label(PERIOD)
        totals = self._totals() if self._records() is not None else None
        if totals is None or totals["teachers_rotated_with_period"].isna().all():
            why = self._l("数据缺失：数据中没有交流年限（交流起止时间，列 exchange_years），无法检查“{q}”。|No data: the data has no exchange period (column exchange_years), so “{q}” cannot be checked.",
                          q=html.escape(rule.source.quote))  # fmt: skip
            return f'<p class="kuoyou-period"><b>{self._l("交流期|Exchange period")}</b>（{label}）：{why}</p>'
        now = self._now(res, PERIOD)
        short = int(now["numerator"].sum())
        return (f'<p class="kuoyou-period"><b>{self._l("交流期|Exchange period")}</b>（{label}）：'
                + self._l("交流期不足{n:g}年的交流教师 {s} 人|{s} exchanged teachers with an exchange under {n:g} years",
                          n=float(rule.threshold), s=formats.format_int(short)) + "</p>")  # fmt: skip

    # -- county detail and sources --------------------------------------------------------------
    def detail_html(self, adcode: str) -> str:
        """One county: every rotation measure with its rule and outlook, and its senders/receivers."""
        county = self.dataset.counties.set_index("adcode").loc[adcode]
        rows = self.result[
            (self.result["adcode"] == adcode) & (self.result["year"] == self.year.value)
        ]
        cols = self._cols(
            "指标|数值|人数|参照|状态|研判", "Measure|Value|Count|Benchmark|Status|Outlook"
        )
        names = {RATE: MAP_MEASURES[RATE], KEY: MAP_MEASURES[KEY], OVER: f"超过{MAX_TENURE_YEARS}年的教师占比|Share over {MAX_TENURE_YEARS} years",
                 DUE: "满期未交流的教师占比|Share due but not rotated", PERIOD: "交流期不足的交流教师占比|Share with too short an exchange"}  # fmt: skip
        view = pd.DataFrame({
            cols[0]: rows["indicator"].map(lambda i: self._l(names[i])), cols[1]: rows["value"].map(formats.format_percent),
            cols[2]: [f"{formats.format_int(a)}/{formats.format_int(b)}" if b else "—" for a, b in zip(rows["numerator"], rows["denominator"], strict=True)],
            cols[3]: [self._rule(i)[0].target_text for i in rows["indicator"]],
            cols[4]: rows["status"].map(STATUS_EN) if self.lang == "en" else rows["status"],
            cols[5]: rows["outlook"].map(self._fmt_outlook),
        })  # fmt: skip
        return (f"<h4 class='kuoyou-detail'>{html.escape(str(county['name']))}（{html.escape(str(county.get('city', '')))}，{self.year.value}）</h4>"
                + html_table(view, wrap=(cols[0], cols[3])) + self._flows_html({adcode}, top=5))  # fmt: skip

    def _sources_html(self) -> str:
        prof = targets.get_profile(self.profile.value)
        items = []
        for ind in MEASURES:
            rule, borrowed = self._rule(ind)
            plan = targets.get_profile(rule.profile).name_zh
            tags = [
                self._l(
                    "其他地区规则（{p}），作参照|another jurisdiction's rule ({p}), a benchmark",
                    p=plan,
                )
                if borrowed
                else ""
            ]
            tags.append(self.t("benchmark") if rule.is_benchmark else "")
            tags.append(rule.modal)
            tag = "；".join(x for x in tags if x)
            title = rule.title_en if self.lang == "en" and rule.title_en else rule.title_zh
            items.append(f"<li><b>{html.escape(title)}</b>（{html.escape(rule.target_text)}）"
                         + (f"<i>（{html.escape(tag)}）</i>" if tag else "")
                         + f"<br>{self._l('出处|Source')}：{html.escape(rule.source.citation)}</li>")  # fmt: skip
        items.append("<li>" + html.escape(self._l(
            "“符合交流条件”政策原文未定义：有 eligible 列时用之，否则为用户设定参数（默认在本校任教≥{n}年）。|No text defines eligibility: the eligible column when present, else a user-chosen parameter (default ≥ {n} years at the school).",
            n=DEFAULT_MIN_YEARS)) + "</li>")  # fmt: skip
        head = self._l(
            "规则出处（所选配置：{d}）|Where the rules come from (profile: {d})",
            d=html.escape(prof.name_zh),
        )
        return f'<div class="kuoyou-note kuoyou-sources"><h4>{head}</h4><ul>{"".join(items)}</ul></div>'
