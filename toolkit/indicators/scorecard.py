"""The scorecard: every rule of a profile that the data supports, county by county.

:func:`check` runs each rule of the profile through its indicator and returns
one tidy table, county × rule, with the rule's source. Where the data has
several years, each rule with a number and a deadline also gets its outlook
(已达标 / 按期可达 / 有风险 / 难以达标, see :mod:`toolkit.indicators.outlook`).
A rule whose indicator the toolkit cannot compute, or whose input table is
missing, is listed for every county with status 数据缺失 and the reason —
never skipped silently.

Indicators come from record-level tables (``schools``, ``teachers``,
``resources``) when present, else from county totals (``indicators``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

import pandas as pd

from .. import engine
from ..targets import Condition, Profile, Rule, get_profile
from .aggregates import FUNDING, disabled_enrolment_rate, funding_standard
from .balance import BENCHMARK as BALANCE_PROFILE
from .balance import balance_from_stats, resource_stats
from .common import MISSING, NOT_APPLICABLE
from .kindergartens import TOTAL, inclusive_kindergarten_coverage, public_kindergarten_share
from .outlook import outlook
from .records import is_school_records, school_totals
from .special_education import special_education
from .teachers import BENCHMARKS, YEAR_RULES, rotation_params, rotation_totals, teacher_rotation

SCORECARD_COLUMNS = [
    "adcode", "name", "indicator", "rule", "measure", "title", "title_en", "year", "value", "unit", "target", "gap",
    "status", "deadline", "level", "outlook", "projected", "note", "source",
]  # fmt: skip
TABLES = ("counties", "schools", "teachers", "indicators", "resources")
#: The tables after :func:`_summarised`, whose years make an outlook's history.
TABLES_COUNTED = ("schools", "teachers", "indicators", "resource_stats")


def _tables(data: Any) -> dict[str, pd.DataFrame]:
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if v is not None}
    return {k: getattr(data, k) for k in TABLES if getattr(data, k, None) is not None}


def _special(t: dict, prof: Profile, by: str, year: int | None) -> pd.DataFrame:
    table = t["schools"] if "schools" in t else t["indicators"]
    r = special_education(t["counties"], table, prof, year=year)
    lacks = r["lacks"].fillna("")
    return r.assign(
        indicator="special_education",
        value=r["special_schools"].astype("float"),
        target=float("nan"),
        gap=float("nan"),
        note=[
            "；".join(x for x in (req, lack, note) if isinstance(x, str) and x)
            for req, lack, note in zip(r["requirement"], lacks, r["note"], strict=True)
        ],
    )


def _sped_standard(t: dict, prof: Profile, by: str, year: int | None) -> pd.DataFrame:
    """'办好一所达到标准的特殊教育学校': the standard-school test for the counties the rule covers."""
    rule = prof.rules_for("sped_school_200k_plus")[0]
    need = replace(rule, indicator="special_education", requires="standard_special_school")
    below = Condition("<" if rule.population.comparator == ">=" else "<=", rule.population.value)
    rest = replace(need, id=f"{rule.id}_rest", requires="not_applicable", population=below)
    out = _special(t, replace(prof, rules=(need, rest)), by, year)
    return out.assign(indicator=rule.indicator, rule=f"{rule.profile}:{rule.id}")


def _kindergarten(fn: Callable) -> Callable:
    def run(t: dict, prof: Profile, by: str, year: int | None) -> pd.DataFrame:
        table = t["schools"] if "schools" in t else t["indicators"]
        return fn(table, t["counties"], prof, by=by, year=year).assign(indicator=fn.__name__)

    return run


def _rotation(t: dict, prof: Profile, by: str, year: int | None) -> pd.DataFrame:
    table = t["teachers"] if "teachers" in t else t["indicators"]
    return teacher_rotation(table, t["counties"], prof, by=by, year=year)


def _disabled(t: dict, prof: Profile, by: str, year: int | None) -> pd.DataFrame:
    return disabled_enrolment_rate(t["indicators"], t["counties"], prof, by=by, year=year)


def _funding(indicator: str, t: dict, prof: Profile, by: str, year: int | None) -> pd.DataFrame:
    return funding_standard(t["indicators"], t["counties"], prof, indicator, by=by, year=year)


def _balance(t: dict, prof: Profile, by: str, year: int | None) -> pd.DataFrame:
    stats = t["resource_stats"]
    moments = stats[0]
    if year is None and "year" in moments.columns and moments["year"].notna().any():
        year = int(moments["year"].max())
    out = balance_from_stats(stats, t["counties"], prof, year=year)
    return out.assign(measure=out["section"] + "·" + out["measure"]).drop(columns="section")


def _summarised(tables: dict, prof: Profile, memo: dict | None, progress: bool = True) -> dict:
    """The tables with every record table counted per county and year, once, on the engine.

    School records become their county totals, teacher records the rotation
    counts for ``prof``'s numbers, per-school resources their per-section
    moments; ``memo`` keeps them for the same data.
    """
    memo = {} if memo is None else memo
    # only the tables some rule of the profile reads: a national roster is not counted for
    # a profile without a teacher rule
    wanted = {name for r in prof.rules if r.indicator in RUNNERS
              for option in RUNNERS[r.indicator][0] for name in option}  # fmt: skip
    tables = {k: v for k, v in tables.items() if k in wanted or k == "counties"}
    out = dict(tables)
    steps = []
    if "schools" in tables and is_school_records(tables["schools"]):
        steps.append((("school_totals",), "schools", lambda: school_totals(tables["schools"])))
    if "teachers" in tables:
        params = rotation_params(prof)
        steps.append((("teacher_totals", *params.values()), "teachers",
                      lambda: rotation_totals(tables["teachers"], prof)))  # fmt: skip
    if "resources" in tables:
        steps.append((("resource_stats", prof.id), "resource_stats",
                      lambda: resource_stats(tables["resources"], prof)))  # fmt: skip
    for key, name, compute in engine.progress(
        steps, "汇总记录 / counting records", enabled=progress
    ):
        if key not in memo:
            memo[key] = compute()
        out[name] = memo[key]
    return out


#: indicator → (alternative sets of tables it can be computed from, function returning its rows).
RUNNERS: dict[str, tuple[tuple[tuple[str, ...], ...], Callable]] = {
    "special_education": ((("counties", "schools"), ("counties", "indicators")), _special),
    "sped_school_200k_plus": (
        (("counties", "schools"), ("counties", "indicators")),
        _sped_standard,
    ),
    "public_kindergarten_share": (
        (("counties", "schools"), ("counties", "indicators")),
        _kindergarten(public_kindergarten_share),
    ),
    "inclusive_kindergarten_coverage": (
        (("counties", "schools"), ("counties", "indicators")),
        _kindergarten(inclusive_kindergarten_coverage),
    ),
    **{
        name: ((("counties", "teachers"), ("counties", "indicators")), _rotation)
        for name in ("teacher_exchange_rate", "key_teacher_share_of_exchanged")
    },
    **{
        name: ((("counties", "teachers"),), _rotation)
        for name in BENCHMARKS
        if name not in ("teacher_exchange_rate", "key_teacher_share_of_exchanged")
    },
    "disabled_enrolment_rate": ((("counties", "indicators"),), _disabled),
    **{name: ((("counties", "indicators"),), partial(_funding, name)) for name in FUNDING},
    **{
        name: ((("counties", "resources"),), _balance)
        for name in ("balanced_cv_primary", "balanced_cv_junior", "balanced_school_standards")
    },
}
#: Columns of the ``indicators`` table that let it stand in for records (any one of them).
_TOTALS_NEED: dict[str, tuple[str, ...]] = {
    "special_education": ("special_schools",),
    "sped_school_200k_plus": ("standard_special_schools",),
    "public_kindergarten_share": (TOTAL,),
    "inclusive_kindergarten_coverage": (TOTAL,),
    "teacher_exchange_rate": ("teachers_rotated",),
    "key_teacher_share_of_exchanged": ("teachers_rotated",),
    **{name: (name,) for name in FUNDING},
    "disabled_enrolment_rate": ("disabled_children", "disabled_enrolment_rate"),
}


def _source(indicator: str, tables: dict) -> tuple[str, ...] | None:
    """The first table set that can compute ``indicator``, or None."""
    for option in RUNNERS[indicator][0]:
        if not all(n in tables for n in option):
            continue
        need = _TOTALS_NEED.get(indicator, ())
        if "indicators" in option and need and not set(need) & set(tables["indicators"].columns):
            continue
        return option
    return None


def check(
    data: Any,
    profile: str | Profile = "national",
    *,
    by: str = "county",
    year: int | None = None,
    with_outlook: bool = True,
    memo: dict | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Check every rule of ``profile`` against ``data``; one row per county and rule.

    ``data`` is anything with ``.counties`` and some of ``.schools``,
    ``.teachers``, ``.indicators`` and ``.resources`` (such as
    :func:`toolkit.data.load_demo` or :func:`toolkit.data.read_workbook`), or a
    dict of those tables. ``year`` defaults to the latest year of each table.
    With ``with_outlook`` (default) and several years of data, rules with a
    number and a deadline get ``outlook`` and ``projected`` (value at the deadline),
    from the years up to ``year``. ``memo`` (a dict kept by the caller for the
    same ``data``) keeps each year's computations, so checking another year or
    the same profile again reuses them. A step over two seconds (counting a
    national roster) shows a progress bar unless ``progress=False``.

    >>> from toolkit import data
    >>> card = check(data.load_demo(), "济宁")
    >>> card.groupby("indicator").size().to_dict()["public_kindergarten_share"]
    33
    """
    prof = get_profile(profile)
    tables = _tables(data)
    counties = tables.get("counties")
    if counties is None:
        raise ValueError("data 需要 counties 表 / data needs a counties table")
    tables = _summarised(tables, prof, memo, progress)
    frames, done = [], {}
    wanted = {r.indicator for r in prof.rules}
    rules = _rules_by_key(prof)
    for rule in prof.rules:
        if rule.indicator not in RUNNERS:
            frames.append(_unsupported(counties, rule, "本工具尚不能计算此指标 / not computed yet"))
            continue
        option = _source(rule.indicator, tables)
        if option is None:
            needs = " 或 ".join("+".join(o) for o in RUNNERS[rule.indicator][0])
            frames.append(
                _unsupported(counties, rule, f"缺少数据表（需要 {needs}） / missing tables")
            )
            continue
        run = RUNNERS[rule.indicator][1]
        if run in done:  # one indicator function covers several rules
            continue
        done[run] = True
        keys = tuple(f"{r.profile}:{r.id}" for r in prof.rules)

        def once(y: int | None, run=run, keys=keys) -> pd.DataFrame:
            if memo is None:
                return run(tables, prof, by, y)
            key = (run, prof.id, keys, by, y)
            if key not in memo:
                memo[key] = run(tables, prof, by, y)
            return memo[key].copy(deep=False)  # copy-on-write: the memo stays as computed

        out = once(year)
        out = out[out["indicator"].isin(wanted)]
        if with_outlook and by == "county":
            out = _with_outlook(out, once, tables, prof, year, rules)
        frames.append(out)
    shown = {k for f in frames for k in f["rule"].unique()}
    for rule in prof.rules:  # a rule no computation produced rows for is listed, not dropped
        if f"{rule.profile}:{rule.id}" not in shown:
            if rule.population is not None:  # e.g. a <200k rule when every county is larger
                frames.append(
                    _unsupported(counties, rule, _NO_COUNTY).assign(status=NOT_APPLICABLE)
                )
                continue
            why = _PER_SCHOOL if rule.indicator == "balanced_school_standards" else _NOT_ALONE
            frames.append(_unsupported(counties, rule, why))
    card = pd.concat(frames, ignore_index=True)
    card["title"] = card["rule"].map(lambda x: rules[x].title_zh if x in rules else "")
    card["title_en"] = card["rule"].map(lambda x: rules[x].title_en if x in rules else "")
    card["level"] = card["rule"].map(lambda x: rules[x].level if x in rules else "")
    card["unit"] = card["rule"].map(lambda x: _unit(rules.get(x), x))
    return card.reindex(columns=SCORECARD_COLUMNS).reset_index(drop=True)


_PER_SCHOOL = (
    "逐校标准，在“每所学校至少6项达到要求”中合并判断 / "
    "a per-school standard, judged within the six-of-seven rule"
)
_NOT_ALONE = "此规则未单独计算 / this rule is not computed on its own"
_NO_COUNTY = (
    "数据中没有符合该规则人口条件的县 / no county in the data meets the rule's population condition"
)


def _unit(rule: Rule | None, key: str) -> str:
    if rule is None:
        return ""
    if rule.indicator == "balanced_school_standards":
        return "share"  # the share of schools meeting the standards (the rule's 项 is per school)
    if rule.indicator in YEAR_RULES:
        return "share"  # years rules are judged as the share of teachers beyond them
    return rule.unit or (
        "share" if "share" in rule.indicator or "coverage" in rule.indicator else ""
    )


def _rules_by_key(prof: Profile) -> dict[str, Rule]:
    out = {f"{r.profile}:{r.id}": r for r in prof.rules}
    for name in {*BENCHMARKS.values(), BALANCE_PROFILE}:
        out |= {f"{r.profile}:{r.id}": r for r in get_profile(name).rules}
    return out


def _with_outlook(out, once, tables, prof, year, rules) -> pd.DataFrame:
    """Add each county's outlook (from the years up to ``year``) to the rules with a number
    and a deadline; ``once(y)`` is the rule's computation for year ``y``."""
    counted = [t[0] if name == "resource_stats" else t  # (moments, passing)
               for name, t in tables.items() if name in TABLES_COUNTED]  # fmt: skip
    years = sorted({y for t in counted for y in engine.years(t)})
    years = [y for y in years if year is None or y <= year]  # no later year's data in a trend
    if len(years) < 2 or "year" not in out.columns:
        return out
    history = pd.concat([once(y) for y in years], ignore_index=True)
    if "measure" not in out.columns:  # one row per county and rule, except balance's 7 measures
        out, history = out.assign(measure=""), history.assign(measure="")
    out["measure"] = out["measure"].fillna("")
    history["measure"] = history["measure"].fillna("")
    pieces = []
    for (key, measure), rows in out.groupby(["rule", "measure"], sort=False):
        rule = rules.get(key)
        hist = history[(history["rule"] == key) & (history["measure"] == measure)]
        if rule is None or rule.threshold is None or hist["target"].isna().all():
            pieces.append(rows)
            continue
        comparator = "<=" if rule.indicator in YEAR_RULES else (rule.comparator or ">=")
        share = _unit(rule, key) == "share"
        hist = hist.assign(deadline=hist["deadline"].fillna(prof.horizon or 2027))
        view = outlook(hist, comparator=comparator, share=share)[["adcode", "outlook", "projected"]]
        rows = rows.drop(columns=["outlook", "projected"], errors="ignore")
        pieces.append(rows.merge(view, on="adcode", how="left"))
    return pd.concat(pieces, ignore_index=True)


def _unsupported(counties: pd.DataFrame, rule: Rule, reason: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "adcode": counties["adcode"].astype(str),
            "name": counties["name"],
            "indicator": rule.indicator,
            "rule": f"{rule.profile}:{rule.id}",
            "status": MISSING,
            "deadline": rule.deadline,
            "note": reason,
            "source": rule.source.citation,
        }
    )
