"""Indicators read from county-level aggregates (``indicators`` table): rates and funding standards.

Some targets are set on figures a bureau reports per county rather than per
school: the disabled-children enrolment rate (适龄残疾儿童义务教育入学率, ≥97%)
and per-student funding standards (生均公用经费: 特殊教育 长治 ≥7,000 元 and
济宁 9,000 元 by 2025; 公办园 ≥600; 小学 720; 初中 940; 普通高中 1,100 …). The
``indicators`` table (see ``schema.csv``) carries them, one row per county and year.

* A rate is a weighted share: cities and provinces add numerators and
  denominators. A county that gives only the rate (no counts) keeps its rate;
  its city's figure is then missing, and ``note`` says why.
* A funding standard is a per-county amount, not a sum: a city's figure is the
  lowest county's standard (the city meets a "≥" target only if every county
  does), and ``note`` says so.
"""

from __future__ import annotations

import pandas as pd

from ..targets import Profile, get_profile
from .common import LEVELS, SHARE_COLUMNS, _units, for_year, judge, numeric, rule_for, unit_shares

#: Funding indicators: the ``indicators`` column holding each (元/生·年).
FUNDING = {
    "sped_funding_per_student": "sped_funding_per_student",
    "kg_funding_per_student": "kg_funding_per_student",
    "private_inclusive_kg_subsidy": "private_inclusive_kg_subsidy",
    "primary_funding_per_student": "primary_funding_per_student",
    "junior_funding_per_student": "junior_funding_per_student",
    "hs_funding_per_student": "hs_funding_per_student",
}


def _base(indicators: pd.DataFrame) -> dict:
    base = {"adcode": indicators["adcode"].astype(str)}
    if "year" in indicators.columns:
        base["year"] = indicators["year"]
    return base


def disabled_enrolment_rate(
    indicators: pd.DataFrame,
    counties: pd.DataFrame,
    profile: str | Profile = "national",
    *,
    by: str = "county",
    year: int | None = None,
) -> pd.DataFrame:
    """适龄残疾儿童义务教育入学率: enrolled disabled children ÷ disabled children of age.

    The columns of the other share indicators (``value``, ``numerator``,
    ``denominator``, ``target`` 97% in the national plan, ``status`` …).

    >>> ind = pd.DataFrame({"adcode": ["1", "2"], "disabled_children": [100, 50],
    ...                     "disabled_enrolled": [98, 45]})
    >>> c = pd.DataFrame({"adcode": ["1", "2"], "name": ["甲", "乙"], "city_adcode": "9",
    ...                   "city": "丙市"})
    >>> disabled_enrolment_rate(ind, c)[["value", "status"]].values.tolist()
    [[0.98, '达标'], [0.9, '未达标']]
    >>> round(float(disabled_enrolment_rate(ind, c, by="city").loc[0, "value"]), 4)  # 143 / 150
    0.9533
    """
    num = numeric(indicators, "disabled_enrolled")
    den = numeric(indicators, "disabled_children")
    frame = pd.DataFrame(_base(indicators) | {"numerator": num, "denominator": den})
    shares = unit_shares(frame, counties, by=by, year=year)
    note = ""
    if "disabled_enrolment_rate" in indicators.columns and by == "county":
        rows, _ = for_year(indicators, shares["year"].iloc[0] if len(shares) else None)
        rate = pd.to_numeric(rows["disabled_enrolment_rate"], errors="coerce")
        given = rate.groupby(rows["adcode"].astype(str)).first()
        fill = shares["value"].isna() & shares["adcode"].map(given).notna()
        if fill.any():
            shares.loc[fill, "value"] = shares.loc[fill, "adcode"].map(given).astype(float)
            note = "部分区县只报了入学率（无人数） / some counties gave the rate only"
    rule = rule_for(profile, "disabled_enrolment_rate")
    return judge(shares, rule, by, note=note).assign(indicator="disabled_enrolment_rate")


def funding_standard(
    indicators: pd.DataFrame,
    counties: pd.DataFrame,
    profile: str | Profile = "national",
    indicator: str = "sped_funding_per_student",
    *,
    by: str = "county",
    year: int | None = None,
) -> pd.DataFrame:
    """A per-student funding standard (元/生·年) against the profile's rule for ``indicator``.

    ``indicator`` is a key of :data:`FUNDING`. A city's or province's value is
    its lowest county's standard. Without a rule in the profile the amount is
    reported with status 不适用.

    >>> ind = pd.DataFrame({"adcode": ["1", "2"], "sped_funding_per_student": [7200, 6500]})
    >>> c = pd.DataFrame({"adcode": ["1", "2"], "name": ["甲", "乙"], "city_adcode": "9",
    ...                   "city": "丙市"})
    >>> funding_standard(ind, c, "长治")[["value", "status"]].values.tolist()
    [[7200.0, '达标'], [6500.0, '未达标']]
    """
    if indicator not in FUNDING:
        raise ValueError(
            f"未知的经费指标“{indicator}”，可用：{'、'.join(FUNDING)} / "
            f"unknown funding indicator {indicator!r}; use one of {list(FUNDING)}"
        )
    column = FUNDING[indicator]
    rows, used_year = for_year(indicators, year)
    values = pd.to_numeric(rows.get(column), errors="coerce").astype("float64")
    per_county = values.groupby(rows["adcode"].astype(str)).min()
    units = _units(counties, by)
    code, name = LEVELS[by]
    units = units.assign(amount=units["adcode"].map(per_county))
    grouped = units.groupby(code, sort=False).agg(value=("amount", "min"), name=(name, "first"))
    shares = grouped.reset_index().rename(columns={code: "adcode"})
    shares["numerator"] = shares["value"]
    shares["denominator"] = float("nan")
    shares["year"] = used_year
    note = (
        "" if by == "county" else "取辖区内最低的区县标准 / the lowest county standard in the area"
    )
    rule = rule_for(get_profile(profile), indicator)
    return judge(shares, rule, by, note=note).assign(indicator=indicator)[
        ["indicator", *SHARE_COLUMNS]
    ]
