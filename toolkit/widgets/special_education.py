"""特殊教育 dashboard: special-education coverage (20万人口线), enrolment rate, funding, outlook.

The map colours each county by the status of the special-education rule of the
chosen profile; beside it the counties that fall short and what each lacks, the
city coverage summary, and — when the data carries them — the disabled-children
enrolment rate and per-student special-education funding with their outlook to
the deadline (2027; 济宁 2025). The population basis (2020 census resident
population, “20万人口以上” including 200,000) is stated on the page.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from .. import data, indicators, maps, targets
from .common import html_table
from .shell import Dashboard, DataSet

SPED_RULES = ("special_education", "sped_school_200k_plus", "disabled_enrolment_rate",
              "sped_funding_per_student")  # fmt: skip


def has_population_rule(profile_id: str) -> bool:
    """Whether a profile has a special-education rule with a population line."""
    rules = targets.get_profile(profile_id).rules_for("special_education")
    return any(r.population is not None for r in rules)


class SpecialEducationDashboard(Dashboard):
    """特殊教育学校覆盖（20万人口线）: map, shortfalls, city coverage, rates and funding."""

    title = (
        "特殊教育：20万人口以上的县有特殊教育学校",
        "Special education: a school in every county of 200,000+",
    )
    intro = (
        "按目标配置检查各县（区）特殊教育学校和特教班设置、适龄残疾儿童入学率和特教生均公用经费。切换省份、城市、年份、目标配置或人口线，地图与表格随之更新；点击地图上的县查看详情。",
        "Checks each county's special-education schools and classes, the disabled-children enrolment rate and special-education funding against the chosen profile. Click a county for its details.",
    )  # fmt: skip
    profile_filter = staticmethod(has_population_rule)

    def __init__(self, dataset: DataSet | None = None, **kw) -> None:
        super().__init__(dataset, **kw)
        self.threshold = w.BoundedIntText(min=0, max=100_000_000, step=10_000,
                                          style={"description_width": "initial"},
                                          layout=w.Layout(width="220px"))  # fmt: skip
        self.param_note = w.HTML()
        self.summary, self.table, self.extra = w.HTML(), w.HTML(), w.HTML()
        self.panels = [self.summary, self.table, self.extra]
        self.extra_controls = [self.threshold]
        self.build()
        self.view.children = (*self.view.children[:4], self.param_note, *self.view.children[4:])
        self.profile.observe(self._safe(self._on_profile_threshold), names="value")
        self.threshold.observe(self._safe(self._refresh), names="value")

    def before_first_paint(self) -> None:
        self.threshold.value = self._profile_threshold()

    def _profile_threshold(self) -> int:
        rules = targets.get_profile(self.profile.value).rules_for("special_education")
        return int(next(r.population.value for r in rules if r.population is not None))

    def _on_profile_threshold(self, change) -> None:
        self._quiet = True
        try:
            self.threshold.value = self._profile_threshold()
        finally:
            self._quiet = False
        self._refresh()

    def _label(self) -> None:
        super()._label()
        if hasattr(self, "threshold"):
            self.threshold.description = "人口线（人）" if self.lang == "zh" else "Population line"

    # -- the three methods of the shell -------------------------------------------------
    def compute(self) -> pd.DataFrame:
        chosen = getattr(self, "threshold", None)
        chosen = chosen.value if chosen is not None and chosen.value else None
        user = None if chosen in (None, self._profile_threshold()) else chosen
        sel = self.selected_counties()
        schools = getattr(self.dataset.tables, "schools", None)
        table = schools if schools is not None else self.dataset.tables.indicators
        res = indicators.special_education(sel, table, self.profile.value, threshold=user,
                                           year=self.year.value)  # fmt: skip
        return res.merge(sel[["adcode", "city", "city_adcode"]], on="adcode", how="left")

    def figure_for(self, geometry, result: pd.DataFrame):
        label = data.DEMO_LABEL if self.dataset.is_demo else ""
        return maps.status_map(geometry, result, label=label, height=560)

    def paint(self, res: pd.DataFrame) -> None:
        maps.restyle_status(self.figure, res)
        self._param_text()
        self.summary.value = self._summary_html(res)
        self.table.value = self._shortfall_html(res)
        self.extra.value = self._rates_html()
        self.sources.value = self._sources_html()

    # -- panels ---------------------------------------------------------------------------------
    def _param_text(self) -> None:
        chosen, base = self.threshold.value, self._profile_threshold()
        if chosen and chosen != base:
            self.param_note.value = (
                f'<span class="kuoyou-param">用户设定参数：{chosen:,}人（政策原文为{base:,}人）'
                " / user-chosen, not the policy figure</span>"
            )
        else:
            self.param_note.value = (
                '<span class="kuoyou-note">“20万人口以上”含20万本身；人口口径为2020年普查常住人口'
                "（原文未说明口径） / includes 200,000 itself; 2020 census resident population</span>"
            )

    def _summary_html(self, res: pd.DataFrame) -> str:
        s = indicators.special_education_summary(res, self.selected_counties())
        view = pd.DataFrame({
            "城市": s["city"], "县数": s["counties"], f"≥{self.threshold.value or 0:,}人": s["counties_above"],
            "有特教学校": s["with_school"], "有达标特教学校": s["with_standard_school"],
            "覆盖率": s["coverage"].map(maps.format_percent), "达标": s[indicators.MET],
            "未达标": s[indicators.UNMET], "不适用": s[indicators.NOT_APPLICABLE], "数据缺失": s[indicators.MISSING],
        })  # fmt: skip
        year = res["year"].iloc[0] if len(res) else None
        when = f"（{int(year)}年数据）" if year is not None and not pd.isna(year) else ""
        return f"<h4>城市覆盖情况{when}</h4>" + html_table(view, numeric=tuple(view.columns[1:]))

    def _shortfall_html(self, res: pd.DataFrame) -> str:
        short = res[res["status"].isin([indicators.UNMET, indicators.MISSING])]
        if short.empty:
            return '<div class="kuoyou-shortfall"><p>所选范围内所有县均达标或不适用。</p></div>'
        view = pd.DataFrame({
            "县（区）": short["name"], "所属市": short["city"],
            "常住人口": short["population"].map(lambda v: maps.format_int(v, "人")),
            "状态": short["status"], "要求": short["requirement"],
            "缺口": short["lacks"].where(short["lacks"] != "", short["note"]),
            "期限": short["deadline"].map(lambda d: "—" if pd.isna(d) else f"{int(d)}年"),
        })  # fmt: skip
        table = html_table(view, numeric=("常住人口",), wrap=("要求", "缺口"))
        return f'<div class="kuoyou-shortfall"><h4>未达标的县（{len(short)}个）</h4>{table}</div>'

    def _rates_html(self) -> str:
        """Enrolment rate and funding, with the outlook, where the data carry them."""
        if getattr(self.dataset.tables, "indicators", None) is None:
            return ""
        prof = targets.get_profile(self.profile.value)
        if not any(prof.rules_for(ind) for ind in SPED_RULES[2:]):
            return ""
        card = self.scorecard(indicators=SPED_RULES[2:])
        sel = set(self.selected_counties()["adcode"])
        rows = card[card["adcode"].isin(sel)]
        rows = rows[rows["status"].isin([indicators.UNMET, indicators.MET])]
        if rows.empty:
            return ""
        worst = rows[rows["status"] == indicators.UNMET].sort_values(["indicator", "gap"])
        view = pd.DataFrame({
            "县（区）": worst["name"], "指标": worst["title"],
            "数值": [maps.format_value(v, u) for v, u in zip(worst["value"], worst["unit"], strict=True)],
            "目标": [maps.format_value(v, u) for v, u in zip(worst["target"], worst["unit"], strict=True)],
            "期限": worst["deadline"].map(lambda d: "—" if pd.isna(d) else f"{int(d)}年"),
            "趋势研判": worst["outlook"].fillna(""),
        })  # fmt: skip
        return f"<h4>入学率与经费未达标（{len(worst)}项）</h4>" + html_table(view, wrap=("指标",))

    def _sources_html(self) -> str:
        prof = targets.get_profile(self.profile.value)
        items = []
        for r in (r for ind in SPED_RULES for r in prof.rules_for(ind)):
            level = "（全域目标，逐县比较仅作参照）" if r.is_benchmark else ""
            when = f"，期限{r.deadline}年" if r.deadline else ""
            items.append(
                f"<li><b>{html.escape(r.title_zh)}</b>{level}{when}<br>出处：{html.escape(r.source.citation)}"
                + (f"<br>{html.escape(r.note_zh)}" if r.note_zh else "") + "</li>"
            )  # fmt: skip
        return f'<div class="kuoyou-note"><h4>规则出处：{html.escape(prof.document)}</h4><ul>{"".join(items)}</ul></div>'
