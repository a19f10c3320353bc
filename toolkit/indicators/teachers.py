"""Teacher exchange and rotation (交流轮岗): rate, key-teacher share, long tenure, period.

Only reform-zone plans and 平顶山 give numbers: 金华 (≥10% of eligible teachers
exchanged a year; key teachers ≥20% of those exchanged), 诸城 (rotate after 9
years, no more than 12 years at one school) and 平顶山 (an exchange lasts
generally ≥3 years). The national, 长治, 平顶山 and 济宁 texts give none, so for those
profiles the zone rules are applied as *benchmarks* and every row says which
plan the number comes from. A profile that adopts such a rule (a bureau's own
file with the same indicator) is judged by its own rule instead.

Eligibility (符合交流条件) is not defined in any text: the ``eligible`` column is
used when the data has it, otherwise a user-chosen default — at least
``min_years`` years at the current school — labelled as such in ``note``.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..targets import Profile, Rule, get_profile
from .common import SHARE_COLUMNS, judge, numeric, rule_for, unit_shares

#: Zone plans whose rotation numbers serve as benchmarks when a profile has none.
BENCHMARKS = {
    "teacher_exchange_rate": "jinhua",
    "key_teacher_share_of_exchanged": "jinhua",
    "teachers_over_max_tenure": "zhucheng",
    "teachers_due_rotation": "zhucheng",
    "exchange_period_years": "pingdingshan",
}
#: User-chosen default for 符合交流条件 when the data has no ``eligible`` column.
DEFAULT_MIN_YEARS = 6
MAX_TENURE_YEARS = 12  # 诸城: 在一所学校任教时间最长不得超过12年
#: Rules whose number is a length in years: the measure is the share of teachers beyond it,
#: which must be 0. (indicator → how the measure reads, zh / en)
YEAR_RULES = {
    "teachers_due_rotation": (
        "本校任教满{n:g}年仍未交流的教师占比应为0",
        "share of teachers with {n:g}+ years at the school who have not rotated; should be 0",
    ),
    "exchange_period_years": (
        "交流期不足{n:g}年的交流教师占比应为0",
        "share of exchanged teachers whose exchange lasts under {n:g} years; should be 0",
    ),
}
MEASURES = tuple(BENCHMARKS)


def _flag(teachers: pd.DataFrame, column: str) -> pd.Series:
    return teachers[column].fillna(False).astype(bool)


def _rule(own: Profile, indicator: str) -> tuple[Rule | None, str]:
    """The profile's rule for ``indicator``, else the benchmark plan's, with a note saying so."""
    rule = rule_for(own, indicator)
    if rule is not None:
        return rule, ""
    plan = get_profile(BENCHMARKS[indicator])
    note = (
        f"参照{plan.name_zh}的规则（非“{own.name_zh}”的要求） / another plan's rule, as a benchmark"
    )
    return rule_for(plan, indicator), note


def _as_share_rule(rule: Rule) -> tuple[Rule, str]:
    """A years rule (9-year cycle, 3-year exchange) as 'share of teachers beyond it ≤ 0'."""
    zh, en = YEAR_RULES[rule.indicator]
    n = float(rule.threshold)
    return replace(
        rule, comparator="<=", threshold=0.0, unit="share"
    ), f"{zh.format(n=n)} / {en.format(n=n)}"


def _parts(teachers: pd.DataFrame, own: Profile, min_years: int) -> dict:
    """indicator → (numerator flags, denominator flags, note) from teacher records."""
    years = pd.to_numeric(teachers["years_at_school"], errors="coerce")
    rotated = _flag(teachers, "rotated")
    if "eligible" in teachers.columns and teachers["eligible"].notna().any():
        eligible, eligibility = _flag(teachers, "eligible"), ""
    else:
        eligible = years >= min_years
        eligibility = (
            f"“符合交流条件”按用户设定参数计：在本校任教≥{min_years}年（原文未定义） / "
            f"eligibility is a user-chosen parameter: ≥{min_years} years at the school"
        )
    due_years = float(_rule(own, "teachers_due_rotation")[0].threshold)
    parts = {
        "teacher_exchange_rate": (rotated & eligible, eligible, eligibility),
        "key_teacher_share_of_exchanged": (rotated & _flag(teachers, "key_teacher"), rotated, ""),
        "teachers_over_max_tenure": (years > MAX_TENURE_YEARS, years.notna(), ""),
        "teachers_due_rotation": ((years >= due_years) & ~rotated, years.notna(), ""),
    }
    if "exchange_years" in teachers.columns and teachers["exchange_years"].notna().any():
        period = pd.to_numeric(teachers["exchange_years"], errors="coerce")
        floor = float(_rule(own, "exchange_period_years")[0].threshold)
        parts["exchange_period_years"] = (rotated & (period < floor), rotated & period.notna(), "")
    else:
        none = pd.Series(False, index=teachers.index)
        parts["exchange_period_years"] = (
            none,
            none,
            "数据中没有交流年限（交流起止时间） / no exchange period in the data",
        )
    return parts


def _aggregate_parts(ind: pd.DataFrame) -> dict:
    """indicator → (numerator, denominator, note) from county totals (``indicators`` table)."""
    num = {c: numeric(ind, c) for c in
           ("teachers_rotated", "teachers_eligible", "key_teachers_rotated")}  # fmt: skip
    return {
        "teacher_exchange_rate": (num["teachers_rotated"], num["teachers_eligible"], ""),
        "key_teacher_share_of_exchanged": (
            num["key_teachers_rotated"],
            num["teachers_rotated"],
            "",
        ),
    }


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
    school ÷ all teachers (诸城: must be 0); ``teachers_due_rotation`` = teachers
    with 9+ years who did not rotate ÷ all (诸城's 9-year cycle, 原则上);
    ``exchange_period_years`` = exchanged teachers whose exchange lasts under 3
    years ÷ exchanged teachers with a period (平顶山; needs ``exchange_years``).
    ``teachers`` is either teacher records or county totals (the ``indicators``
    table: ``teachers_eligible``, ``teachers_rotated``, ``key_teachers_rotated``;
    then only the first two measures). Columns as the other share indicators plus
    ``indicator``; ``note`` says when a rule is another plan's benchmark and when
    eligibility is the user-chosen default.

    >>> t = pd.DataFrame({"adcode": "1", "years_at_school": [7, 8, 13, 2],
    ...                   "rotated": [True, False, False, False],
    ...                   "key_teacher": [True, False, False, False]})
    >>> c = pd.DataFrame({"adcode": ["1"], "name": ["甲"]})
    >>> r = teacher_rotation(t, c).set_index("indicator")
    >>> round(float(r.loc["teacher_exchange_rate", "value"]), 4)  # 1 of the 3 with >= 6 years
    0.3333
    >>> float(r.loc["teachers_due_rotation", "value"])  # the 13-year teacher did not rotate
    0.25
    """
    own = get_profile(profile)
    aggregate = "teachers_rotated" in teachers.columns
    parts = _aggregate_parts(teachers) if aggregate else _parts(teachers, own, min_years)
    base = {"adcode": teachers["adcode"].astype(str)}
    if "year" in teachers.columns:
        base["year"] = teachers["year"]
    out = []
    for indicator, (num, den, note) in parts.items():
        frame = pd.DataFrame(
            base | {"numerator": num.astype(float), "denominator": den.astype(float)}
        )
        shares = unit_shares(frame, counties, by=by, year=year)
        rule, bench = _rule(own, indicator)
        notes = [n for n in (bench, note) if n]
        if indicator in YEAR_RULES:
            rule, reading = _as_share_rule(rule)
            notes.insert(0, reading)
        judged = judge(shares, rule, by, note="；".join(notes))
        out.append(judged.assign(indicator=indicator))
    return pd.concat(out, ignore_index=True)[["indicator", *SHARE_COLUMNS]]
