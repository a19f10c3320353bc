"""Kindergarten indicators: public-kindergarten share and inclusive coverage.

Both are enrolment shares computed from kindergarten records (``level`` 幼儿园,
``ownership`` 公办/民办, ``inclusive`` 普惠性, ``enrolment`` 在园幼儿数). City and
province figures are enrolment-weighted — the sum of numerators over the sum of
denominators — never a mean of county shares. The national and city targets are
set for the whole jurisdiction, so a county's status is a benchmark and the
result says so in ``note``.
"""

from __future__ import annotations

import pandas as pd

from ..targets import COMPARATORS, Profile, Rule, get_profile
from .common import BENCHMARK_NOTE, MET, MISSING, NOT_APPLICABLE, UNMET, for_year

KINDERGARTEN = "幼儿园"
PUBLIC = "公办"
#: Columns every share indicator returns, in order.
SHARE_COLUMNS = [
    "adcode", "name", "year", "value", "numerator", "denominator", "target", "gap",
    "status", "rule", "deadline", "note", "source",
]  # fmt: skip
LEVELS = {"county": ("adcode", "name"), "city": ("city_adcode", "city"),
          "province": ("province_adcode", "province")}  # fmt: skip


def _units(counties: pd.DataFrame, by: str) -> pd.DataFrame:
    if by not in LEVELS:
        raise ValueError(f"by 应为 {list(LEVELS)} 之一 / by must be one of {list(LEVELS)}: {by!r}")
    code, name = LEVELS[by]
    missing = [c for c in (code, name) if c not in counties.columns]
    if missing:
        raise ValueError(
            f"counties 缺少列 {missing}，无法按“{by}”汇总 / counties lacks {missing} to group by {by!r}"
        )
    cols = list(dict.fromkeys(["adcode", code, name]))
    return counties[cols].astype({"adcode": str, code: str})


def enrolment_share(
    schools: pd.DataFrame,
    counties: pd.DataFrame,
    numerator: pd.Series,
    *,
    by: str = "county",
    year: int | None = None,
) -> pd.DataFrame:
    """Kindergarten enrolment share per unit: sum(numerator) / sum(enrolment).

    ``numerator`` is a boolean Series aligned with ``schools`` choosing the
    kindergartens counted above the line. Every unit of ``counties`` appears;
    one without kindergarten records has NaN value (数据缺失 downstream).

    >>> s = pd.DataFrame({"adcode": ["1", "1", "2"], "level": "幼儿园",
    ...                   "enrolment": [300, 100, 50], "ownership": ["公办", "民办", "公办"]})
    >>> c = pd.DataFrame({"adcode": ["1", "2"], "name": ["甲", "乙"]})
    >>> enrolment_share(s, c, s["ownership"].eq("公办"))["value"].tolist()
    [0.75, 1.0]
    """
    units = _units(counties, by)
    code, name = LEVELS[by]
    kg = schools["level"].eq(KINDERGARTEN)
    frame = pd.DataFrame(
        {
            "adcode": schools["adcode"].astype(str),
            "year": schools["year"] if "year" in schools else pd.NA,
            "numerator": pd.to_numeric(schools["enrolment"], errors="coerce").where(numerator, 0),
            "denominator": pd.to_numeric(schools["enrolment"], errors="coerce"),
        }
    )[kg]
    frame, year = for_year(frame, year)
    merged = frame.merge(units, on="adcode", how="inner")
    sums = merged.groupby(code)[["numerator", "denominator"]].sum()
    out = units.drop_duplicates(code)[[code, name]].merge(
        sums, left_on=code, right_index=True, how="left"
    )
    out = out.rename(columns={code: "adcode", name: "name"}).reset_index(drop=True)
    out["value"] = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    out["year"] = year
    return out


def _judge(shares: pd.DataFrame, rule: Rule | None, by: str) -> pd.DataFrame:
    out = shares.copy()
    if rule is None or rule.threshold is None:
        out["target"] = float("nan")
        out["gap"] = float("nan")
        out["status"] = out["value"].map(lambda v: MISSING if pd.isna(v) else NOT_APPLICABLE)
        note = (
            "配置中无数值目标，仅报告数值 / no numeric target in the profile: value reported only"
        )
        out["note"] = note if rule is None else f"{rule.note_zh} / {rule.note_en}"
    else:
        compare = COMPARATORS[rule.comparator or ">="]
        out["target"] = float(rule.threshold)
        out["gap"] = out["value"] - rule.threshold
        out["status"] = [
            MISSING if pd.isna(v) else (MET if compare(v, rule.threshold) else UNMET)
            for v in out["value"]
        ]
        notes = [rule.note_zh] if rule.note_zh else []
        if rule.is_benchmark and by == "county":
            notes.append(BENCHMARK_NOTE)
        out["note"] = "；".join(notes)
    out.loc[out["value"].isna(), "note"] = (
        "无幼儿园在园幼儿记录 / no kindergarten enrolment records"
    )
    out["rule"] = f"{rule.profile}:{rule.id}" if rule else ""
    out["deadline"] = rule.deadline if rule else None
    src = rule.source if rule else None
    out["source"] = f"{src.file} 第{src.line}行：“{src.quote}”" if src else ""
    return out[SHARE_COLUMNS]


def _rule(profile: str | Profile, indicator: str) -> Rule | None:
    rules = get_profile(profile).rules_for(indicator)
    return rules[0] if rules else None


def public_kindergarten_share(
    schools: pd.DataFrame,
    counties: pd.DataFrame,
    profile: str | Profile = "national",
    *,
    by: str = "county",
    year: int | None = None,
) -> pd.DataFrame:
    """公办园在园幼儿占比: public-kindergarten enrolment / all kindergarten enrolment.

    One row per county (``by="county"``), city or province, with ``value``,
    ``numerator``, ``denominator``, ``target`` (national 60%, 济宁 80%), ``gap``
    (value − target), ``status``, ``rule``, ``deadline``, ``note`` and ``source``.

    >>> from toolkit import data
    >>> demo = data.load_demo()
    >>> r = public_kindergarten_share(demo.schools, demo.counties, "济宁", by="city")
    >>> float(r.set_index("name").loc["济宁市", "target"])
    0.8
    """
    public = schools["ownership"].eq(PUBLIC)
    shares = enrolment_share(schools, counties, public, by=by, year=year)
    return _judge(shares, _rule(profile, "public_kindergarten_share"), by)


def inclusive_kindergarten_coverage(
    schools: pd.DataFrame,
    counties: pd.DataFrame,
    profile: str | Profile = "national",
    *,
    by: str = "county",
    year: int | None = None,
) -> pd.DataFrame:
    """普惠性幼儿园覆盖率: (public + 普惠性民办) enrolment / all kindergarten enrolment.

    The national and city texts give no number, so with their profiles the
    status is 不适用 and only the value is reported; a profile with a threshold
    (e.g. a reform zone's 85%) is judged against it.

    >>> from toolkit import data
    >>> demo = data.load_demo()
    >>> r = inclusive_kindergarten_coverage(demo.schools, demo.counties)
    >>> set(r["status"])
    {'不适用'}
    """
    inclusive = schools["ownership"].eq(PUBLIC) | schools["inclusive"].fillna(False).astype(bool)
    shares = enrolment_share(schools, counties, inclusive, by=by, year=year)
    return _judge(shares, _rule(profile, "inclusive_kindergarten_coverage"), by)
