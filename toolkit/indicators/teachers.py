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

Beyond the rates: :func:`rotation_rules` says which rule (own or borrowed)
each measure uses, :func:`rotation_trend` stacks the years with each county's
outlook at the deadline (the scorecard's outlook, also for profiles that only
borrow the rules), and :func:`exchange_flows` / :func:`exchange_by_school`
follow the rotated teachers from their sending school to the school where the
roster finds them the next year.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from .. import engine
from ..targets import Profile, Rule, get_profile
from .common import SHARE_COLUMNS, borrowed_note, judge, numeric, rule_for, unit_shares
from .flows import FLOW_COLUMNS, exchange_flows
from .outlook import outlook
from .records import TEACHER_TOTALS, teacher_totals

__all__ = [
    "BENCHMARKS", "FLOW_COLUMNS", "MEASURES", "YEAR_RULES", "exchange_by_school",
    "exchange_flows", "rotation_params", "rotation_rules", "rotation_totals", "rotation_trend",
    "teacher_rotation",
]  # fmt: skip

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


def _rule(own: Profile, indicator: str) -> tuple[Rule | None, str]:
    """The profile's rule for ``indicator``, else the benchmark plan's, with a note saying so."""
    rule = rule_for(own, indicator)
    if rule is not None:
        return rule, ""
    plan = get_profile(BENCHMARKS[indicator])
    return rule_for(plan, indicator), borrowed_note(own, plan)


def _as_share_rule(rule: Rule) -> tuple[Rule, str]:
    """A years rule (9-year cycle, 3-year exchange) as 'share of teachers beyond it ≤ 0'."""
    zh, en = YEAR_RULES[rule.indicator]
    n = float(rule.threshold)
    return replace(
        rule, comparator="<=", threshold=0.0, unit="share"
    ), f"{zh.format(n=n)} / {en.format(n=n)}"


def rotation_params(own: Profile, min_years: int = DEFAULT_MIN_YEARS) -> dict:
    """The numbers :func:`~toolkit.indicators.records.teacher_totals` counts with, for ``own``.

    >>> rotation_params(get_profile("national"))
    {'min_years': 6, 'due_years': 9.0, 'period_floor': 3.0, 'max_tenure': 12}
    """
    return {
        "min_years": min_years,
        "due_years": float(_rule(own, "teachers_due_rotation")[0].threshold),
        "period_floor": float(_rule(own, "exchange_period_years")[0].threshold),
        "max_tenure": MAX_TENURE_YEARS,
    }


def rotation_totals(teachers: Any, own: Profile, min_years: int = DEFAULT_MIN_YEARS) -> Any:
    """County totals for the rotation measures: ``teachers`` itself when it already holds them,
    else teacher records counted on the engine with ``own``'s numbers."""
    if "teachers_rotated" in engine.columns(teachers):
        return teachers
    return teacher_totals(teachers, **rotation_params(own, min_years))


_NO_PERIOD = "数据中没有交流年限（交流起止时间） / no exchange period in the data"


def _parts(totals: pd.DataFrame, own: Profile, min_years: int) -> dict:
    """indicator → (numerator, denominator, note) from county totals.

    Totals counted from records (:func:`~toolkit.indicators.records.teacher_totals`)
    give every measure; a bureau's ``indicators`` table gives the exchange rate
    (``teachers_rotated`` ÷ ``teachers_eligible``) and the key-teacher share.
    """
    num = {c: numeric(totals, c) for c in TEACHER_TOTALS if c != "teachers"}
    if "teachers_with_tenure" not in totals.columns:  # a bureau's county totals
        return {
            "teacher_exchange_rate": (num["teachers_rotated"], num["teachers_eligible"], ""),
            "key_teacher_share_of_exchanged": (
                num["key_teachers_rotated"], num["teachers_rotated"], ""),
        }  # fmt: skip
    params = totals.attrs.get("params", {})
    expected = rotation_params(own, min_years)
    if params and params != expected:
        raise ValueError(
            f"教师汇总按 {params} 计数，与配置“{own.id}”的 {expected} 不符，请用教师记录重算 / "
            f"teacher totals were counted with {params}, profile '{own.id}' needs {expected}"
        )
    eligibility = ""
    if totals.attrs.get("eligibility") == "years":
        eligibility = (
            f"“符合交流条件”按用户设定参数计：在本校任教≥{min_years}年（原文未定义） / "
            f"eligibility is a user-chosen parameter: ≥{min_years} years at the school"
        )
    period = num["teachers_rotated_with_period"]
    no_period = period.isna().all()
    return {
        "teacher_exchange_rate": (
            num["teachers_rotated_eligible"], num["teachers_eligible"], eligibility),
        "key_teacher_share_of_exchanged": (
            num["key_teachers_rotated"], num["teachers_rotated"], ""),
        "teachers_over_max_tenure": (
            num["teachers_over_max_tenure"], num["teachers_with_tenure"], ""),
        "teachers_due_rotation": (num["teachers_due_rotation"], num["teachers_with_tenure"], ""),
        "exchange_period_years": (
            num["teachers_short_exchange"].fillna(0), period.fillna(0),
            _NO_PERIOD if no_period else ""),
    }  # fmt: skip


def teacher_rotation(
    teachers: Any,
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
    ``teachers`` is teacher records (a DataFrame, a Parquet path or an Ibis
    table, counted on the engine by :func:`~toolkit.indicators.records.teacher_totals`),
    those counts, or a bureau's county totals (the ``indicators`` table:
    ``teachers_eligible``, ``teachers_rotated``, ``key_teachers_rotated``; then
    only the first two measures). Columns as the other share indicators plus
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
    totals = rotation_totals(teachers, own, min_years)
    parts = _parts(totals, own, min_years)
    keys = ["adcode", "year"] if "year" in totals.columns else ["adcode"]
    out = []
    for indicator, (num, den, note) in parts.items():
        frame = totals[keys].assign(numerator=num, denominator=den)
        shares = unit_shares(frame, counties, by=by, year=year)
        rule, bench = _rule(own, indicator)
        notes = [n for n in (bench, note) if n]
        if indicator in YEAR_RULES:
            rule, reading = _as_share_rule(rule)
            notes.insert(0, reading)
        judged = judge(shares, rule, by, note="；".join(notes))
        out.append(judged.assign(indicator=indicator))
    return pd.concat(out, ignore_index=True)[["indicator", *SHARE_COLUMNS]]


def rotation_rules(profile: str | Profile = "national") -> dict[str, tuple[Rule | None, bool]]:
    """indicator → (the rule applied, whether it is borrowed from another plan as a benchmark).

    >>> rules = rotation_rules("national")
    >>> rule, borrowed = rules["teacher_exchange_rate"]
    >>> rule.profile, rule.threshold, borrowed
    ('jinhua', 0.1, True)
    >>> rotation_rules("金华")["teacher_exchange_rate"][1]
    False
    """
    own = get_profile(profile)
    out = {}
    for indicator in MEASURES:
        rule, note = _rule(own, indicator)
        out[indicator] = (rule, bool(note))
    return out


def rotation_trend(
    teachers: Any,
    counties: pd.DataFrame,
    profile: str | Profile = "national",
    *,
    year: int | None = None,
    min_years: int = DEFAULT_MIN_YEARS,
    memo: dict | None = None,
) -> pd.DataFrame:
    """:func:`teacher_rotation` for every year up to ``year``, stacked, with each county's outlook.

    Every row also carries ``outlook`` and ``projected`` of its county and
    measure (the same on every year) and ``horizon``, the year the trend is read
    at: the rule's deadline, else the profile's horizon, else 2027 — as
    :func:`toolkit.indicators.check` does for the rules a profile sets itself;
    here also for the rules borrowed as benchmarks. Years rules (9-year cycle,
    3-year exchange) are shares that should fall to 0. ``memo`` (a dict kept by
    the caller for the same ``teachers``) keeps each year's computation, so
    another chosen year reuses them.

    >>> t = pd.DataFrame({"adcode": "1", "year": [2023] * 10 + [2024] * 10,
    ...                   "years_at_school": 8, "key_teacher": False,
    ...                   "rotated": [True] * 1 + [False] * 9 + [True] * 2 + [False] * 8})
    >>> c = pd.DataFrame({"adcode": ["1"], "name": ["甲"]})
    >>> r = rotation_trend(t, c).query("indicator == 'teacher_exchange_rate'")
    >>> r[["year", "value", "outlook"]].values.tolist()  # 10% then 20%: meets 金华's 10% now
    [[2023, 0.1, '已达标'], [2024, 0.2, '已达标']]
    """
    own = get_profile(profile)
    memo = {} if memo is None else memo
    key = ("totals", own.id, min_years)
    if key not in memo:  # every year counted in one pass over the records
        memo[key] = rotation_totals(teachers, own, min_years)
    totals = memo[key]
    if "year" in totals.columns:
        years = sorted(int(y) for y in totals["year"].dropna().unique())
        years = [y for y in years if year is None or y <= year] or [year]
    else:
        years = [None]

    def one_year(y: int | None) -> pd.DataFrame:
        return teacher_rotation(totals, counties, own, year=y, min_years=min_years)

    for y in years:
        if (own.id, y, min_years) not in memo:
            memo[(own.id, y, min_years)] = one_year(y)
    hist = pd.concat([memo[(own.id, y, min_years)] for y in years], ignore_index=True)
    pieces = []
    for indicator, rows in hist.groupby("indicator", sort=False):
        rule = _rule(own, indicator)[0]
        horizon = (rule.deadline if rule else None) or own.horizon or 2027
        rows = rows.assign(horizon=horizon)
        if rule is None or rule.threshold is None or rows["year"].isna().all():
            pieces.append(rows.assign(outlook=float("nan"), projected=float("nan")))
            continue
        comparator = "<=" if indicator in YEAR_RULES else (rule.comparator or ">=")
        view = outlook(rows.assign(deadline=horizon), comparator=comparator, share=True)
        pieces.append(rows.merge(view[["adcode", "outlook", "projected"]], on="adcode", how="left"))
    return pd.concat(pieces, ignore_index=True)


def exchange_by_school(flows: pd.DataFrame) -> pd.DataFrame:
    """Per school: teachers sent and received (and key teachers among them) in the flows.

    ``sent`` counts every rotated teacher of the school, ``received`` only those
    whose receiving school is known; ``net`` = received − sent.

    >>> f = pd.DataFrame({"from_school": ["S1", "S1"], "from_adcode": "1",
    ...                   "to_school": ["S2", None], "to_adcode": ["1", None],
    ...                   "teachers": [2, 1], "key_teachers": [1, 0]})
    >>> exchange_by_school(f)[["school_id", "sent", "received", "net"]].values.tolist()
    [['S1', 3, 0, -3], ['S2', 0, 2, 2]]
    """
    sent = flows.groupby("from_school").agg(
        adcode=("from_adcode", "first"), sent=("teachers", "sum"), key_sent=("key_teachers", "sum")
    )
    known = flows.dropna(subset=["to_school"])
    received = known.groupby("to_school").agg(
        adcode=("to_adcode", "first"), received=("teachers", "sum"),
        key_received=("key_teachers", "sum"),
    )  # fmt: skip
    out = sent.join(received.rename(columns={"adcode": "adcode_to"}), how="outer")
    out["adcode"] = out["adcode"].fillna(out["adcode_to"])
    counts = ["sent", "key_sent", "received", "key_received"]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["net"] = out["received"] - out["sent"]
    out = out.rename_axis("school_id").reset_index()
    return out[["school_id", "adcode", *counts, "net"]].sort_values("school_id", ignore_index=True)
