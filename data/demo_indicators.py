"""The demo ``indicators`` table (示例数据（模拟）): county-level aggregates, 2020–2024.

Part of ``data/make_demo.py``; every figure is simulated. Two kinds of column:

- **summed from the demo records**, so they agree with them exactly:
  ``kg_enrolment``, ``public_kg_enrolment`` and ``inclusive_kg_enrolment`` from
  the schools (every year), the special-education school and class counts
  (``special_schools`` …) from the schools, ``teachers_eligible``, ``teachers_rotated`` and
  ``key_teachers_rotated`` from the teachers (2022–2024; blank before);
- **simulated county by county**: the disabled children of compulsory-school
  age and how many are enrolled (``disabled_enrolment_rate`` is left blank
  because the counts are given), and six per-pupil funding standards.

The funding figures are spread on purpose around the targets the plans set
(``FUNDING``): some 长治 counties below 7,000 元 for special education, 720 for
primary and 940 for junior pupils; some 济宁 counties below 9,000 for special
education; a few counties below 600 for public kindergartens.

>>> funding_path(1000.0, 0.05, [2022, 2023, 2024])
[910.0, 950.0, 1000.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

INDICATOR_COLUMNS = [
    "adcode", "name", "year", "kg_enrolment", "public_kg_enrolment", "inclusive_kg_enrolment",
    "special_schools", "standard_special_schools", "special_classes",
    "classes_nine_year_or_boarding", "disabled_children", "disabled_enrolled", "disabled_enrolment_rate",
    "sped_funding_per_student", "kg_funding_per_student", "private_inclusive_kg_subsidy",
    "primary_funding_per_student", "junior_funding_per_student", "hs_funding_per_student",
    "teachers_eligible", "teachers_rotated", "key_teachers_rotated",
]  # fmt: skip
TEACHER_COUNTS = ["teachers_eligible", "teachers_rotated", "key_teachers_rotated"]
SPED_COUNTS = ["special_schools", "standard_special_schools", "special_classes",
               "classes_nine_year_or_boarding"]  # fmt: skip

#: column: (2024 range by city prefix — 长治 1404, 平顶山 4104, 济宁 3708 — or for all
#: counties, yearly growth range, floor). 2024 values are spread evenly over the range
#: within each group, in a random order; earlier years fall back by the growth.
FUNDING = {
    "sped_funding_per_student":
        ({"1404": (6200, 8200), "4104": (6000, 8000), "3708": (8000, 10500)}, (0.02, 0.06), 5000),
    "kg_funding_per_student": ({"": (500, 1200)}, (0.02, 0.08), 300),
    "private_inclusive_kg_subsidy": ({"": (200, 800)}, (0.0, 0.08), 100),
    "primary_funding_per_student":
        ({"1404": (680, 800), "4104": (700, 880), "3708": (720, 900)}, (0.0, 0.04), 650),
    "junior_funding_per_student":
        ({"1404": (880, 1040), "4104": (920, 1120), "3708": (940, 1150)}, (0.0, 0.04), 850),
    "hs_funding_per_student": ({"": (1150, 1600)}, (0.01, 0.04), 900),
}  # fmt: skip
#: Disabled children of compulsory-school age per resident, and the 2024 enrolment rate
#: as 0.995 − 0.065 u² for u evenly spread over the counties (about a third below 97%).
DISABLED_PER_RESIDENT = (0.00045, 0.00075)
DISABLED_RATE_TREND = (-0.004, 0.012)  # yearly change of the enrolment rate


def funding_path(value_2024: float, growth: float, years: list[int], floor: float = 0) -> list:
    """A funding standard that grew by ``growth`` a year to ``value_2024``, in whole 10 元."""
    return [max(floor, round(value_2024 / (1 + growth) ** (2024 - y), -1)) for y in years]


def _spread(adcodes: pd.Series, ranges: dict, rng: np.random.Generator) -> pd.Series:
    """2024 values spread evenly over each group's range, in a random order."""
    out = pd.Series(np.nan, index=adcodes.index)
    for prefix, (lo, hi) in ranges.items():
        idx = adcodes.index[adcodes.str.startswith(prefix)]
        out[idx] = np.linspace(lo, hi, len(idx))[rng.permutation(len(idx))]
    return out


def county_parameters(params: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Per-county 2024 funding levels, growth rates and the disabled-children scenario."""
    rng = np.random.default_rng([seed, 2])
    n, out = len(params), params[["adcode", "name", "population"]].copy()
    for col, (ranges, (g_lo, g_hi), _) in FUNDING.items():
        out[col] = _spread(params["adcode"], ranges, rng)
        out[f"{col}_growth"] = rng.uniform(g_lo, g_hi, n)
    out["disabled_per_resident"] = rng.uniform(*DISABLED_PER_RESIDENT, n)
    u = np.linspace(0, 1, n)[rng.permutation(n)]
    out["disabled_rate_2024"] = 0.995 - 0.065 * u**2
    out["disabled_rate_trend"] = rng.uniform(*DISABLED_RATE_TREND, n)
    return out


def _from_records(schools: pd.DataFrame, teachers: pd.DataFrame) -> pd.DataFrame:
    """The columns summed from the school and teacher records, per county and year."""
    kg = schools[schools["level"] == "幼儿园"]
    counts = kg.assign(
        kg_enrolment=kg["enrolment"],
        public_kg_enrolment=kg["enrolment"].where(kg["ownership"] == "公办", 0),
        inclusive_kg_enrolment=kg["enrolment"].where(kg["inclusive"].fillna(False).astype(bool), 0),
    ).groupby(["adcode", "year"])[["kg_enrolment", "public_kg_enrolment", "inclusive_kg_enrolment"]]
    t = teachers.assign(
        teachers_eligible=teachers["eligible"],
        teachers_rotated=teachers["rotated"],
        key_teachers_rotated=teachers["rotated"] & teachers["key_teacher"],
    ).groupby(["adcode", "year"])[TEACHER_COUNTS]
    special = schools["level"] == "特殊教育学校"
    classes = schools["special_classes"].where(~special, 0)
    sped = schools.assign(
        special_schools=special.astype(int),
        standard_special_schools=(special & schools["meets_standard"].astype(bool)).astype(int),
        special_classes=classes,
        classes_nine_year_or_boarding=classes.where(
            (schools["level"] == "九年一贯制") | schools["boarding"].astype(bool), 0
        ),
    ).groupby(["adcode", "year"])[SPED_COUNTS]
    out = counts.sum().join(sped.sum(), how="left").join(t.sum().astype("Int64"), how="left")
    return out.reset_index()


def build_indicators(
    params: pd.DataFrame, schools: pd.DataFrame, teachers: pd.DataFrame, seed: int
) -> pd.DataFrame:
    """The ``indicators`` table: one row per county and school year, sorted by year and adcode."""
    c = county_parameters(params, seed)
    years = sorted(int(y) for y in schools["year"].unique())
    rows = _from_records(schools, teachers)
    rng = np.random.default_rng([seed, 3])
    sim = []
    for _, p in c.iterrows():
        t = np.array(years) - 2024
        noise = np.exp(rng.normal(0, 0.02, len(years)))
        children = np.rint(p["population"] * p["disabled_per_resident"] * noise).astype(np.int64)
        rate = np.clip(p["disabled_rate_2024"] + p["disabled_rate_trend"] * t, 0.85, 0.998)
        frame = {"adcode": p["adcode"], "name": p["name"], "year": years,
                 "disabled_children": children,
                 "disabled_enrolled": np.rint(children * rate).astype(np.int64)}  # fmt: skip
        for col, (*_, floor) in FUNDING.items():
            frame[col] = funding_path(p[col], p[f"{col}_growth"], years, floor)
        sim.append(pd.DataFrame(frame))
    out = pd.concat(sim, ignore_index=True).merge(rows, on=["adcode", "year"], how="left")
    out["disabled_enrolment_rate"] = np.nan  # counts are given
    out = out.sort_values(["year", "adcode"], kind="stable").reset_index(drop=True)
    for col in TEACHER_COUNTS:
        out[col] = out[col].astype("Int64")
    for col in FUNDING:  # whole 10 元: written without a decimal point
        out[col] = out[col].astype(np.int64)
    return out[INDICATOR_COLUMNS]
