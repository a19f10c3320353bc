"""Special-education coverage: the 20万人口 rule and its city variants.

No county is ever dropped: a county without population or school records is
reported as 数据缺失 with the reason in ``note``.

Example
-------
>>> from toolkit import data, indicators
>>> demo = data.load_demo()
>>> r = indicators.special_education(demo.counties, demo.schools, profile="national")
>>> r.set_index("name").loc["平顺县", "status"]
'达标'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from ..targets import Profile, ProfileError, Rule, get_profile
from .common import MET, MISSING, NOT_APPLICABLE, STATUSES, UNMET, for_year, numeric
from .records import is_school_records, school_totals


@dataclass(frozen=True)
class Provision:
    """What one county has: special-education schools and classes."""

    special_schools: int
    standard_special_schools: int | None  # None when meets_standard is not in the data
    special_classes: int
    classes_nine_year_or_boarding: int


@dataclass(frozen=True)
class Verdict:
    met: bool | None  # None: the rule does not apply
    requirement: str
    lacks: str = ""
    note: str = ""


def _special_school(p: Provision) -> Verdict:
    req = "需有特殊教育学校"
    if p.special_schools >= 1:
        return Verdict(True, req)
    return Verdict(False, req, "缺特殊教育学校")


def _standard_special_school(p: Provision) -> Verdict:
    req = "需有达到标准的特殊教育学校"
    if p.standard_special_schools is None:
        note = "数据未提供“达到办学标准”，所有特殊教育学校均计入"
        if p.special_schools >= 1:
            return Verdict(True, req, note=note)
        return Verdict(False, req, "缺特殊教育学校", note)
    if p.standard_special_schools >= 1:
        return Verdict(True, req)
    if p.special_schools >= 1:
        return Verdict(False, req, "现有特殊教育学校未达到办学标准")
    return Verdict(False, req, "缺达到标准的特殊教育学校")


def _school_or_class(p: Provision) -> Verdict:
    req = "需有特殊教育学校或特教班"
    if p.special_schools >= 1 or p.special_classes >= 1:
        return Verdict(True, req)
    return Verdict(False, req, "既无特殊教育学校也无特教班")


def _school_or_class_nine_year_or_boarding(p: Provision) -> Verdict:
    req = "需有特殊教育学校，或在九年一贯制/寄宿制学校设特教班"
    if p.special_schools >= 1 or p.classes_nine_year_or_boarding >= 1:
        return Verdict(True, req)
    if p.special_classes >= 1:
        return Verdict(False, req, "特教班不在九年一贯制或寄宿制学校")
    return Verdict(False, req, "既无特殊教育学校也无合规特教班")


def _not_applicable(p: Provision) -> Verdict:
    return Verdict(None, "本配置无要求")


#: English for the requirement and shortfall texts above (the UI's English side).
PROVISION_EN = {
    "需有特殊教育学校": "needs a special-education school",
    "需有达到标准的特殊教育学校": "needs a special-education school meeting the standard",
    "需有特殊教育学校或特教班": "needs a special-education school or class",
    "需有特殊教育学校，或在九年一贯制/寄宿制学校设特教班": "needs a special school, or a class in a 9-year or boarding school",
    "本配置无要求": "no requirement in this profile",
    "缺特殊教育学校": "no special-education school",
    "现有特殊教育学校未达到办学标准": "its special school does not meet the standard",
    "缺达到标准的特殊教育学校": "no special school meeting the standard",
    "既无特殊教育学校也无特教班": "neither a special school nor a class",
    "特教班不在九年一贯制或寄宿制学校": "its classes are not in a 9-year or boarding school",
    "既无特殊教育学校也无合规特教班": "neither a special school nor a qualifying class",
}  # fmt: skip
#: The special-education requirements a profile rule can name in ``requires``.
REQUIREMENTS: dict[str, Callable[[Provision], Verdict]] = {
    "special_school": _special_school,
    "standard_special_school": _standard_special_school,
    "school_or_class": _school_or_class,
    "school_or_class_in_nine_year_or_boarding": _school_or_class_nine_year_or_boarding,
    "not_applicable": _not_applicable,
}


def special_provision(schools: Any) -> pd.DataFrame:
    """Per-county counts of special-education schools and classes.

    ``schools`` is school records (a DataFrame, a Parquet path or an Ibis
    table: counted by :func:`toolkit.indicators.records.school_totals` on the
    engine), or county totals (the ``indicators`` table with
    ``special_schools`` …; a class whose school type is not given counts as
    being in a 九年一贯制 or boarding school). Records of several years are
    counted for their latest year.

    Returns one row per ``adcode`` present in ``schools`` with ``school_records``,
    ``special_schools``, ``standard_special_schools`` (NaN when ``meets_standard``
    is absent), ``special_classes`` and ``classes_nine_year_or_boarding``.

    >>> s = pd.DataFrame({"adcode": ["1", "1"], "level": ["特殊教育学校", "小学"],
    ...                   "special_classes": [0, 2], "boarding": [False, False]})
    >>> special_provision(s).loc[0, ["special_schools", "special_classes"]].tolist()
    [1, 2]
    """
    totals = school_totals(schools) if is_school_records(schools) else schools
    return _provision_from_totals(for_year(totals, None)[0])


def _provision_from_totals(totals: pd.DataFrame) -> pd.DataFrame:
    """special_provision's table from county totals; classes whose school type is unknown count."""
    num = {c: numeric(totals, c) for c in (
        "special_schools", "standard_special_schools", "special_classes",
        "classes_nine_year_or_boarding")}  # fmt: skip
    records = numeric(totals, "school_records").fillna(1)
    out = pd.DataFrame({"adcode": totals["adcode"].astype(str), "school_records": records,
                        "special_schools": num["special_schools"],
                        "special_classes": num["special_classes"].fillna(0),
                        "classes_nine_year_or_boarding": num["classes_nine_year_or_boarding"]
                        .fillna(num["special_classes"]).fillna(0),
                        "standard_special_schools": num["standard_special_schools"]})  # fmt: skip
    out = out.dropna(subset=["special_schools"]).drop_duplicates("adcode", keep="last")
    return out.astype({"school_records": int, "special_schools": int, "special_classes": int,
                       "classes_nine_year_or_boarding": int}).reset_index(drop=True)  # fmt: skip


def _rule_by_population(rules: tuple[Rule, ...], population: float) -> Rule | None:
    for r in rules:
        if r.population is None or r.population.holds(population):
            return r
    return None


def special_education(
    counties: pd.DataFrame,
    schools: pd.DataFrame,
    profile: str | Profile = "national",
    threshold: float | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """Special-education coverage per county against a target profile.

    ``counties`` needs ``adcode``, ``name`` and ``population``; ``schools`` the
    canonical school columns (``adcode``, ``level``, ``special_classes``, and
    where available ``boarding``, ``meets_standard``, ``year``). The population
    cut-off comes from the profile (“20万人口以上”, which includes 200,000 itself);
    pass ``threshold`` to try another cut-off — the result then says the number
    is user-chosen. ``year`` defaults to the latest year in ``schools``.

    Returns one row per county, in the input order, with ``adcode``, ``name``,
    ``population``, ``special_schools``, ``standard_special_schools``,
    ``special_classes``, ``requirement``, ``status``, ``lacks``, ``note``,
    ``rule``, ``deadline``, ``threshold``, ``threshold_user_chosen``,
    ``source`` and ``year``.

    >>> from toolkit import data
    >>> demo = data.load_demo()
    >>> r = special_education(demo.counties, demo.schools, profile="平顶山")
    >>> r.set_index("name").loc["石龙区", ["status", "lacks"]].tolist()
    ['未达标', '特教班不在九年一贯制或寄宿制学校']
    """
    prof = get_profile(profile)
    rules = prof.rules_for("special_education")
    if not rules:
        raise ValueError(
            f"配置“{prof.id}”没有特殊教育规则。 / Profile '{prof.id}' has no special-education rules."
        )
    if threshold is not None:
        rules = tuple(r if r.population is None else _with_threshold(r, threshold) for r in rules)
    totals = school_totals(schools) if is_school_records(schools) else schools
    totals, year = for_year(totals, year)
    prov = _provisions(_provision_from_totals(totals))

    rows = []
    for c in counties.itertuples(index=False):
        adcode = str(c.adcode)
        pop = getattr(c, "population", None)
        base = {"adcode": adcode, "name": c.name, "population": pop}
        if pd.isna(pop):
            rows.append(base | _missing("缺少人口数据，无法判断适用哪条规则"))
            continue
        rule = _rule_by_population(rules, float(pop))
        if rule is None:
            rows.append(base | _missing("配置中没有适用于该人口规模的规则", status=NOT_APPLICABLE))
            continue
        if rule.requires not in REQUIREMENTS:
            raise ProfileError(
                f"规则“{rule.id}”的 requires=“{rule.requires}”无效，可用：{list(REQUIREMENTS)} / "
                f"Rule '{rule.id}' has an unknown requires '{rule.requires}'."
            )
        if adcode not in prov and rule.requires != "not_applicable":
            rows.append(base | _missing("该县没有学校记录") | _rule_fields(rule, threshold))
            continue
        provision = prov.get(adcode, Provision(0, None, 0, 0))
        v = REQUIREMENTS[rule.requires](provision)
        status = NOT_APPLICABLE if v.met is None else (MET if v.met else UNMET)
        note = "；".join(x for x in (v.note, rule.note_zh) if x)
        rows.append(
            base
            | {
                "special_schools": provision.special_schools,
                "standard_special_schools": provision.standard_special_schools,
                "special_classes": provision.special_classes,
                "requirement": v.requirement,
                "status": status,
                "lacks": v.lacks,
                "note": note,
            }
            | _rule_fields(rule, threshold)
        )
    out = pd.DataFrame(rows, columns=_SPED_COLUMNS)
    out["year"] = year
    for col in ("special_schools", "special_classes"):
        out[col] = out[col].astype("Int64")
    out["standard_special_schools"] = out["standard_special_schools"].astype("Int64")
    return out


_SPED_COLUMNS = [
    "adcode", "name", "population", "special_schools", "standard_special_schools",
    "special_classes", "requirement", "status", "lacks", "note", "rule", "deadline",
    "threshold", "threshold_user_chosen", "source",
]  # fmt: skip


def _provisions(prov: pd.DataFrame) -> dict[str, Provision]:
    """adcode → its :class:`Provision`, from :func:`special_provision`'s table."""
    return {
        str(r.adcode): Provision(
            int(r.special_schools),
            None if pd.isna(r.standard_special_schools) else int(r.standard_special_schools),
            int(r.special_classes),
            int(r.classes_nine_year_or_boarding),
        )
        for r in prov.itertuples(index=False)
    }


def _with_threshold(rule: Rule, threshold: float) -> Rule:
    return replace(rule, population=rule.population.with_value(threshold))


def _missing(reason: str, status: str = MISSING) -> dict:
    return {"status": status, "note": reason, "requirement": "", "lacks": ""}


def _rule_fields(rule: Rule, threshold: float | None) -> dict:
    src = rule.source
    return {
        "rule": f"{rule.profile}:{rule.id}",
        "deadline": rule.deadline,
        "threshold": rule.population.value if rule.population else None,
        "threshold_user_chosen": threshold is not None,
        "source": src.citation,
    }


def special_education_summary(
    result: pd.DataFrame, counties: pd.DataFrame, by: str = "city"
) -> pd.DataFrame:
    """City (or province) summary of :func:`special_education` results.

    For each unit: counties, counties at or above the cut-off, how many of those
    have a special-education school (and a standard one), the coverage share,
    and counts per status.

    >>> from toolkit import data
    >>> demo = data.load_demo()
    >>> r = special_education(demo.counties, demo.schools)
    >>> s = special_education_summary(r, demo.counties)
    >>> round(float(s.set_index("city").loc["济宁市", "coverage"]), 3)
    0.909
    """
    if by not in counties.columns:
        raise ValueError(f"counties 缺少列“{by}” / counties has no column '{by}'")
    df = result.drop(columns=[by], errors="ignore").merge(
        counties[["adcode", by]], on="adcode", how="left"
    )
    big = df["threshold"].notna() & (df["population"] >= df["threshold"])
    df = df.assign(
        big=big,
        big_with_school=big & (df["special_schools"].fillna(0) >= 1),
        big_with_standard=big & (df["standard_special_schools"].fillna(0) >= 1),
    )
    g = df.groupby(by, sort=False)
    out = pd.DataFrame(
        {
            "counties": g.size(),
            "counties_above": g["big"].sum(),
            "with_school": g["big_with_school"].sum(),
            "with_standard_school": g["big_with_standard"].sum(),
        }
    )
    out["coverage"] = out["with_school"] / out["counties_above"].where(out["counties_above"] > 0)
    counts = pd.crosstab(df[by], df["status"]).reindex(index=out.index, columns=list(STATUSES))
    for s in STATUSES:
        out[s] = counts[s].fillna(0).astype(int)
    return out.reset_index()
