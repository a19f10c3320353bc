"""Kindergarten indicators: public-kindergarten share and inclusive coverage.

Both are enrolment shares computed from kindergarten records (``level`` 幼儿园,
``ownership`` 公办/民办, ``inclusive`` 普惠性, ``enrolment`` 在园幼儿数). City and
province figures are enrolment-weighted — the sum of numerators over the sum of
denominators — never a mean of county shares. The national and city targets are
set for the whole jurisdiction, so a county's status is a benchmark and the
result says so in ``note``.
"""

from __future__ import annotations

import math

import pandas as pd

from ..targets import Profile
from .common import judge, numeric, rule_for, unit_shares
from .records import is_school_records, school_totals

#: County totals (``indicators`` table) that stand in for kindergarten records.
TOTAL = "kg_enrolment"


def totals_share(
    indicators: pd.DataFrame,
    counties: pd.DataFrame,
    part: str,
    *,
    by: str = "county",
    year: int | None = None,
) -> pd.DataFrame:
    """Share from county totals: sum(``part``) / sum(``kg_enrolment``) per unit.

    >>> ind = pd.DataFrame({"adcode": ["1", "2"], "kg_enrolment": [400, 100],
    ...                     "public_kg_enrolment": [300, 90]})
    >>> c = pd.DataFrame({"adcode": ["1", "2"], "name": ["甲", "乙"]})
    >>> totals_share(ind, c, "public_kg_enrolment")["value"].tolist()
    [0.75, 0.9]
    """
    frame = pd.DataFrame(
        {
            "adcode": indicators["adcode"].astype(str),
            "year": indicators["year"] if "year" in indicators else pd.NA,
            "numerator": numeric(indicators, part),
            "denominator": numeric(indicators, TOTAL),
        }
    ).dropna(subset=["numerator", "denominator"])
    return unit_shares(frame, counties, by=by, year=year)


def _kindergarten_share(
    table: pd.DataFrame,
    counties: pd.DataFrame,
    profile: str | Profile,
    indicator: str,
    total_column: str,
    *,
    by: str,
    year: int | None,
) -> pd.DataFrame:
    """A kindergarten enrolment share judged by the profile's ``indicator`` rule.

    From county totals (``total_column`` over ``kg_enrolment``): the
    ``indicators`` table, or school records counted on the engine
    (:func:`toolkit.indicators.records.school_totals`).
    """
    totals = school_totals(table) if is_school_records(table) else table
    shares = totals_share(totals, counties, total_column, by=by, year=year)
    return judge(shares, rule_for(profile, indicator), by)


def public_kindergarten_share(
    schools: pd.DataFrame,
    counties: pd.DataFrame,
    profile: str | Profile = "national",
    *,
    by: str = "county",
    year: int | None = None,
) -> pd.DataFrame:
    """公办园在园幼儿占比: public-kindergarten enrolment / all kindergarten enrolment.

    ``schools`` is kindergarten records, or county totals (the ``indicators``
    table with ``kg_enrolment`` and ``public_kg_enrolment``).

    One row per county (``by="county"``), city or province, with ``value``,
    ``numerator``, ``denominator``, ``target`` (national 60%, 济宁 80%), ``gap``
    (value − target), ``status``, ``rule``, ``deadline``, ``note`` and ``source``.

    >>> from toolkit import data
    >>> demo = data.load_demo()
    >>> r = public_kindergarten_share(demo.schools, demo.counties, "济宁", by="city")
    >>> float(r.set_index("name").loc["济宁市", "target"])
    0.8
    """
    return _kindergarten_share(
        schools, counties, profile, "public_kindergarten_share", "public_kg_enrolment",
        by=by, year=year,
    )  # fmt: skip


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
    (e.g. a reform zone's 85%) is judged against it. ``schools`` may be county
    totals with ``kg_enrolment`` and ``inclusive_kg_enrolment``.

    >>> from toolkit import data
    >>> demo = data.load_demo()
    >>> r = inclusive_kindergarten_coverage(demo.schools, demo.counties)
    >>> set(r["status"])
    {'不适用'}
    """
    return _kindergarten_share(
        schools, counties, profile, "inclusive_kindergarten_coverage", "inclusive_kg_enrolment",
        by=by, year=year,
    )  # fmt: skip


def public_places_needed(shares: pd.DataFrame, target: float | None = None) -> pd.Series:
    """公办学位缺口: public places to add so that the share reaches ``target`` at current enrolment.

    ``places = ceil(target × denominator − numerator)`` where the share is below
    the target, else 0 — the number of children who would have to be in public
    kindergartens instead of private ones, total enrolment unchanged.
    ``shares`` has ``numerator`` (public enrolment) and ``denominator`` (all
    kindergarten enrolment), e.g. the result of :func:`public_kindergarten_share`;
    ``target`` defaults to each row's ``target``. The result is ``<NA>`` where
    there is no enrolment or no target. The product is rounded to 1e-6 before
    the ceiling, so 70% of 1,000 is 700 places, not 701.

    >>> s = pd.DataFrame({"numerator": [550, 600, 700, None], "denominator": [1000, 1000, 1000, None]})
    >>> public_places_needed(s, 0.6).tolist()
    [50, 0, 0, <NA>]
    """
    public = numeric(shares, "numerator")
    total = numeric(shares, "denominator")
    goal = numeric(shares, "target") if target is None else pd.Series(float(target), shares.index)
    need = (goal * total - public).round(6)
    places = need.clip(lower=0).map(math.ceil, na_action="ignore")
    places = places.where(total.gt(0) & public.notna() & goal.notna())
    return places.astype("Int64").rename("places_needed")


def kindergarten_table(tables: object) -> pd.DataFrame:
    """County totals for the kindergarten shares: counted from the school records when they
    hold kindergartens, else the bureau's county totals (``kg_enrolment`` …).

    >>> from toolkit import data
    >>> t = kindergarten_table(data.load_demo())
    >>> len(t), int(t["kg_enrolment"].notna().sum())  # 33 counties × 5 years
    (165, 165)
    """
    schools = getattr(tables, "schools", None)
    if schools is not None and is_school_records(schools):
        totals = school_totals(schools)
        if totals["kg_enrolment"].notna().any():
            return totals
    totals = getattr(tables, "indicators", None)
    if totals is not None and {TOTAL, "public_kg_enrolment"} <= set(totals.columns):
        return totals
    raise ValueError(
        "数据中没有幼儿园记录，也没有县级 kg_enrolment / public_kg_enrolment 列，无法计算公办园占比。"
        " / No kindergarten records and no county kg_enrolment / public_kg_enrolment columns."
    )
