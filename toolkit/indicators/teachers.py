"""Teacher exchange and rotation (交流轮岗): rate, key-teacher share, long tenure.

Only reform-zone plans give numbers: 金华 (≥10% of eligible teachers exchanged a
year; key teachers ≥20% of those exchanged) and 诸城 (no more than 12 years at
one school). The national, 长治, 平顶山 and 济宁 texts give none, so for those
profiles the zone rules are applied as *benchmarks* and every row says which
plan the number comes from. A profile that adopts such a rule (a bureau's own
file with the same indicator) is judged by its own rule instead.

Eligibility (符合交流条件) is not defined in any text: the ``eligible`` column is
used when the data has it, otherwise a user-chosen default — at least
``min_years`` years at the current school — labelled as such in ``note``.
"""

from __future__ import annotations

import pandas as pd

from ..targets import Profile, get_profile
from .common import SHARE_COLUMNS, judge, rule_for, unit_shares

#: Zone plans whose rotation numbers serve as benchmarks when a profile has none.
BENCHMARKS = {
    "teacher_exchange_rate": "jinhua",
    "key_teacher_share_of_exchanged": "jinhua",
    "teachers_over_max_tenure": "zhucheng",
}
#: User-chosen default for 符合交流条件 when the data has no ``eligible`` column.
DEFAULT_MIN_YEARS = 6
MAX_TENURE_YEARS = 12  # 诸城: 在一所学校任教时间最长不得超过12年


def _flag(teachers: pd.DataFrame, column: str) -> pd.Series:
    return teachers[column].fillna(False).astype(bool)


def teacher_rotation(
    teachers: pd.DataFrame,
    counties: pd.DataFrame,
    profile: str | Profile = "national",
    *,
    by: str = "county",
    year: int | None = None,
    min_years: int = DEFAULT_MIN_YEARS,
) -> pd.DataFrame:
    """Rotation indicators per county (or city/province), one row per unit and measure.

    Measures (column ``indicator``): ``teacher_exchange_rate`` = rotated ÷ eligible;
    ``key_teacher_share_of_exchanged`` = rotated key teachers ÷ rotated;
    ``teachers_over_max_tenure`` = teachers with more than 12 years at their
    school ÷ all teachers. Columns as the other share indicators plus
    ``indicator``; ``note`` says when a rule is another plan's benchmark and
    when eligibility is the user-chosen default.

    >>> t = pd.DataFrame({"adcode": "1", "years_at_school": [7, 8, 13, 2],
    ...                   "rotated": [True, False, False, False],
    ...                   "key_teacher": [True, False, False, False]})
    >>> c = pd.DataFrame({"adcode": ["1"], "name": ["甲"]})
    >>> r = teacher_rotation(t, c).set_index("indicator")
    >>> round(float(r.loc["teacher_exchange_rate", "value"]), 4)  # 1 of the 3 with >= 6 years
    0.3333
    """
    own = get_profile(profile)
    years = pd.to_numeric(teachers["years_at_school"], errors="coerce")
    rotated = _flag(teachers, "rotated")
    if "eligible" in teachers.columns and teachers["eligible"].notna().any():
        eligible = _flag(teachers, "eligible")
        eligibility = ""
    else:
        eligible = years >= min_years
        eligibility = (
            f"“符合交流条件”按用户设定参数计：在本校任教≥{min_years}年（原文未定义） / "
            f"eligibility is a user-chosen parameter: ≥{min_years} years at the school"
        )
    parts = {
        "teacher_exchange_rate": (rotated & eligible, eligible, eligibility),
        "key_teacher_share_of_exchanged": (rotated & _flag(teachers, "key_teacher"), rotated, ""),
        "teachers_over_max_tenure": (years > MAX_TENURE_YEARS, years.notna(), ""),
    }
    base = {"adcode": teachers["adcode"].astype(str)}
    if "year" in teachers.columns:
        base["year"] = teachers["year"]
    out = []
    for indicator, (num, den, note) in parts.items():
        frame = pd.DataFrame(base | {"numerator": num.astype(int), "denominator": den.astype(int)})
        shares = unit_shares(frame, counties, by=by, year=year)
        rule = rule_for(own, indicator)
        notes = [note] if note else []
        if rule is None:
            rule = rule_for(BENCHMARKS[indicator], indicator)
            plan = get_profile(BENCHMARKS[indicator]).name_zh
            notes.insert(
                0,
                f"参照{plan}的规则（非“{own.name_zh}”的要求） / another plan's rule, as a benchmark",
            )
        judged = judge(shares, rule, by, note="；".join(notes))
        out.append(judged.assign(indicator=indicator))
    return pd.concat(out, ignore_index=True)[["indicator", *SHARE_COLUMNS]]
