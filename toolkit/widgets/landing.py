"""The landing page: every dashboard with what it answers, in Chinese first.

:data:`DASHBOARDS` lists the notebooks Voila serves from ``notebooks/dashboards``;
:func:`landing` turns it into the page officials open first
(``/voila/render/index.ipynb``). Links are relative, so the page works under any
prefix the server is given.
"""

from __future__ import annotations

import html
from typing import NamedTuple

import ipywidgets as w

from .. import data
from .common import CSS


class Entry(NamedTuple):
    """One dashboard: its notebook and what it answers."""

    notebook: str
    title_zh: str
    title_en: str
    answers_zh: str
    answers_en: str


DASHBOARDS = (
    Entry("overview.ipynb", "总览：各县对照全部目标", "Overview: every county against every target",
          "本地区各县在目标配置的每条规则上是否达标、哪些县离目标最远、2027年有风险的规则。",
          "Which counties meet each rule of the plan, who is furthest behind, and what is at risk by 2027."),
    Entry("special_education.ipynb", "特殊教育：20万人口以上的县有特殊教育学校",
          "Special education: a school in every county of 200,000+",
          "哪些县缺特殊教育学校或特教班，适龄残疾儿童入学率与特教生均公用经费是否达标。",
          "Which counties lack a special school or class; enrolment rate and funding of special education."),
    Entry("kindergartens.ipynb", "公办园占比：公办园在园幼儿占比", "Public kindergartens' share of children",
          "各县公办园在园幼儿占比与目标（60%，济宁80%）的差距、到期限的趋势和需新增的公办学位。",
          "Each county's public-kindergarten share against 60% (济宁 80%), its trend and the public places needed."),
    Entry("teachers.ipynb", "教师交流轮岗", "Teacher exchange and rotation",
          "交流轮岗比例、骨干教师占比、在同一学校任教过久的教师，以及交流的派出与接收学校。",
          "Exchange rate, key-teacher share, teachers too long at one school, sending and receiving schools."),
)  # fmt: skip


def landing(lang: str = "zh", *, demo: bool = True) -> w.HTML:
    """The landing page listing :data:`DASHBOARDS` (with the 示例数据 note when on demo data).

    >>> page = landing()
    >>> "special_education.ipynb" in page.value and "总览" in page.value
    True
    """
    zh = lang != "en"
    items = []
    for e in DASHBOARDS:
        title, answers = (e.title_zh, e.answers_zh) if zh else (e.title_en, e.answers_en)
        items.append(
            f'<li class="kuoyou-entry"><a href="{html.escape(e.notebook)}"><b>{html.escape(title)}</b></a>'
            f'<div class="kuoyou-note">{html.escape(answers)}</div></li>'
        )
    head = "扩优提质监测看板" if zh else "Kuoyou dashboards"
    intro = (
        "对照《新时代基础教育扩优提质行动计划》（教基〔2023〕4号）及各市实施方案，逐县查看目标完成情况。"
        "每个看板都可切换省份、城市、年份和目标配置，上传本局数据，并下载 Excel 与地图。"
        if zh
        else "County-by-county progress against the 2023–2027 action plan and the city plans. "
        "Every dashboard switches area, year and profile, takes your own data and downloads Excel and maps."
    )
    note = (
        f'<div class="kuoyou-banner"><b>{html.escape(data.DEMO_LABEL)}</b>　{html.escape(data.DEMO_NOTE)}</div>'
        if demo
        else ""
    )
    return w.HTML(
        f'{CSS}{note}<div class="kuoyou-title">{head}</div><p class="kuoyou-note">{intro}</p>'
        f'<ul class="kuoyou-landing">{"".join(items)}</ul>'
    )
