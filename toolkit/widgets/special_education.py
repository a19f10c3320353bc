"""特殊教育 dashboard: special-education coverage (20万人口线), enrolment rate, funding, outlook.

The map colours each county by the status of the special-education rule of the
chosen profile; beside it the counties that fall short and what each lacks, the
coverage summary by city (by province when several provinces are shown), and —
when the data carries them — the disabled-children enrolment rate and per-student
special-education funding with their outlook to the deadline (2027; 济宁 2025).
The population basis (2020 census resident population, “20万人口以上” including
200,000) is stated on the page.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from .. import data, formats, indicators, maps, targets
from .common import cut, html_table, note_div
from .dataset import DataSet
from .shell import Dashboard

#: key → (中文, English), read with ``self.s``.
STRINGS = {
    "threshold": ("人口线（人）", "Population line"),
    "param_user": ("用户设定参数：{chosen}人（政策原文为{base}人）", "User-chosen parameter: {chosen} people (the policy text says {base})"),
    "param_base": ("“20万人口以上”含20万本身；人口口径为2020年普查常住人口（原文未说明口径）",
                   "“200,000 and above” includes 200,000 itself; population = 2020 census residents (the text does not say which)"),
    "coverage_city": ("城市覆盖情况{when}", "Coverage by city{when}"),
    "coverage_province": ("各省覆盖情况{when}", "Coverage by province{when}"),
    "when": ("（{year}年数据）", " ({year} data)"),
    "sum_cols": ("县数|≥{line}人|有特教学校|有达标特教学校|覆盖率|达标|未达标|不适用|数据缺失",
                 "Counties|≥ {line}|With a special school|With a standard school|Coverage|Meet|Fall short|N/a|No data"),
    "all_met": ("所选范围内所有县均达标或不适用。", "Every county of the selection meets the rule or it does not apply."),
    "short": ("未达标的县（{n}个）", "Counties falling short ({n})"),
    "short_cols": ("县（区）|所属市|常住人口|状态|要求|缺口|期限", "County|City|Population|Status|Requirement|Lacks|Deadline"),
    "rates": ("入学率与经费未达标（{n}项）", "Enrolment rate and funding short of target ({n})"),
    "rate_cols": ("县（区）|指标|数值|目标|期限|趋势研判", "County|Rule|Value|Target|Deadline|Outlook"),
    "deadline": ("，期限{y}年", ", deadline {y}"),
    "source": ("出处：", "Source: "),
    "sources": ("规则出处：{doc}", "Where the rules come from: {doc}"),
}  # fmt: skip
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
    strings = STRINGS

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
            self.threshold.description = self.s("threshold")

    # -- the three methods of the shell -------------------------------------------------
    def compute(self) -> pd.DataFrame:
        chosen = getattr(self, "threshold", None)
        chosen = chosen.value if chosen is not None and chosen.value else None
        user = None if chosen in (None, self._profile_threshold()) else chosen
        sel = self.selected_counties()
        table = self.dataset.school_totals  # the records counted once per data set
        table = table if table is not None else self.dataset.tables.indicators
        res = indicators.special_education(sel, table, self.profile.value, threshold=user,
                                           year=self.year.value)  # fmt: skip
        return res.merge(sel[["adcode", "city", "city_adcode"]], on="adcode", how="left")

    def _hover(self, res: pd.DataFrame) -> tuple:
        return self.kept("hover", lambda: maps.hover_data(res, lang=self.lang))

    def warm(self) -> None:
        super().warm()
        self._hover(self.kept("result", self.compute))

    def figure_for(self, geometry, result: pd.DataFrame):
        label = data.DEMO_LABEL if self.dataset.is_demo else ""
        return maps.status_map(geometry, result, label=label, height=560, lang=self.lang)

    def paint(self, res: pd.DataFrame) -> None:
        maps.restyle_status(self.figure, res, lang=self.lang, hover=self._hover(res))
        self.draw_map()  # the map first: the panels below take longer
        self.show_panels(res)

    def panels_html(self, res: pd.DataFrame) -> dict[str, str]:
        return {
            "param_note": self._param_html(), "summary": self._summary_html(res),
            "table": self._shortfall_html(res), "extra": self._rates_html(),
            "sources": self._sources_html(),
        }  # fmt: skip

    # -- panels ---------------------------------------------------------------------------------
    def _param_html(self) -> str:
        chosen, base = self.threshold.value, self._profile_threshold()
        if chosen and chosen != base:
            text = self.s("param_user", chosen=f"{chosen:,}", base=f"{base:,}")
            return f'<span class="kuoyou-param">{html.escape(text)}</span>'
        return f'<span class="kuoyou-note">{html.escape(self.s("param_base"))}</span>'

    def _deadline(self, d: object) -> str:
        return "—" if pd.isna(d) else self.t("year_label", year=int(d))

    def _summary_html(self, res: pd.DataFrame) -> str:
        by = self.summary_by()
        s = indicators.special_education_summary(res, self.selected_counties(), by=by)
        cols = [self.t(by)] + self.s("sum_cols", line=f"{self.threshold.value or 0:,}").split("|")
        view = pd.DataFrame(dict(zip(cols, [
            s[by], s["counties"], s["counties_above"], s["with_school"], s["with_standard_school"],
            s["coverage"].map(formats.format_percent), s[indicators.MET], s[indicators.UNMET],
            s[indicators.NOT_APPLICABLE], s[indicators.MISSING],
        ], strict=True)))  # fmt: skip
        year = res["year"].iloc[0] if len(res) else None
        when = "" if year is None or pd.isna(year) else self.s("when", year=int(year))
        return f"<h4>{self.s(f'coverage_{by}', when=when)}</h4>" + html_table(
            view, numeric=tuple(view.columns[1:])
        )

    def _shortfall_html(self, res: pd.DataFrame) -> str:
        short = res[res["status"].isin([indicators.UNMET, indicators.MISSING])]
        if short.empty:
            return f'<div class="kuoyou-shortfall"><p>{self.s("all_met")}</p></div>'
        n, (short, more) = len(short), cut(short, self.lang)
        cols = self.s("short_cols").split("|")
        view = pd.DataFrame(dict(zip(cols, [
            short["name"], short["city"], short["population"].map(lambda v: formats.format_int(v, "人")),
            self.tr(short["status"]), self.tr(short["requirement"]),
            self.tr(short["lacks"].where(short["lacks"] != "", short["note"])),
            short["deadline"].map(self._deadline),
        ], strict=True)))  # fmt: skip
        table = html_table(view, numeric=(cols[2],), wrap=(cols[4], cols[5]))
        return f'<div class="kuoyou-shortfall"><h4>{self.s("short", n=n)}</h4>{table}{note_div(more)}</div>'

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
        n, (worst, more) = len(worst), cut(worst, self.lang)
        cols = self.s("rate_cols").split("|")
        view = pd.DataFrame(dict(zip(cols, [
            worst["name"], worst["title_en" if self.lang == "en" else "title"],
            [formats.format_value(v, u) for v, u in zip(worst["value"], worst["unit"], strict=True)],
            [formats.format_value(v, u) for v, u in zip(worst["target"], worst["unit"], strict=True)],
            worst["deadline"].map(self._deadline), self.tr(worst["outlook"].astype(object).fillna("")),
        ], strict=True)))  # fmt: skip
        return (
            f"<h4>{self.s('rates', n=n)}</h4>" + html_table(view, wrap=(cols[1],)) + note_div(more)
        )

    def _sources_html(self) -> str:
        prof = targets.get_profile(self.profile.value)
        items = []
        for r in (r for ind in SPED_RULES for r in prof.rules_for(ind)):
            level = f"（{self.t('benchmark')}）" if r.is_benchmark else ""
            when = self.s("deadline", y=r.deadline) if r.deadline else ""
            title = r.title_en if self.lang == "en" else r.title_zh
            note = r.note_en if self.lang == "en" and r.note_en else r.note_zh
            items.append(
                f"<li><b>{html.escape(title)}</b>{level}{when}<br>{self.s('source')}{html.escape(r.source.citation)}"
                + (f"<br>{html.escape(note)}" if note else "") + "</li>"
            )  # fmt: skip
        head = self.s("sources", doc=html.escape(prof.document))
        return f'<div class="kuoyou-note"><h4>{head}</h4><ul>{"".join(items)}</ul></div>'
