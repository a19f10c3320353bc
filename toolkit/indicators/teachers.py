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

import pandas as pd

from ..targets import Profile, Rule, get_profile
from .common import SHARE_COLUMNS, borrowed_note, judge, numeric, rule_for, unit_shares
from .outlook import outlook

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
    return rule_for(plan, indicator), borrowed_note(own, plan)


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
    keys = ["adcode", "year"] if "year" in teachers.columns else ["adcode"]
    columns = {"adcode": teachers["adcode"].astype(str)} | {k: teachers[k] for k in keys[1:]}
    for indicator, (num, den, _) in parts.items():
        columns[(indicator, "numerator")] = num.astype(float)
        columns[(indicator, "denominator")] = den.astype(float)
    # every measure summed per county (and year) in one pass over the records
    summed = pd.DataFrame(columns).groupby(keys, sort=False, dropna=False).sum().reset_index()
    out = []
    for indicator, (_, _, note) in parts.items():
        frame = summed[keys].assign(
            numerator=summed[(indicator, "numerator")],
            denominator=summed[(indicator, "denominator")],
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
    teachers: pd.DataFrame,
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
    if "year" in teachers.columns:
        years = sorted(int(y) for y in teachers["year"].dropna().unique())
        years = [y for y in years if year is None or y <= year] or [year]
    else:
        years = [None]

    def one_year(y: int | None) -> pd.DataFrame:  # one year's rows: a third of the table
        rows = teachers if y is None else teachers[teachers["year"] == y]
        return teacher_rotation(rows, counties, own, year=y, min_years=min_years)

    memo = {} if memo is None else memo
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


FLOW_COLUMNS = ["year", "from_school", "from_adcode", "to_school", "to_adcode", "teachers",
                "key_teachers"]  # fmt: skip


def exchange_flows(teachers: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Where the teachers who rotated in ``year`` went: one row per sending and receiving school.

    A record with ``rotated`` true in year *y* is at its **sending** school
    (``school_id``); the same ``teacher_id`` in the roster of *y* + 1 is at the
    **receiving** school. ``to_school`` is empty when the teacher is not in the
    next year's roster (left, or the roster ends with *y*). ``year`` defaults to
    the latest year. Columns: :data:`FLOW_COLUMNS` (``teachers`` rotated,
    ``key_teachers`` of them key teachers in *y*).

    >>> t = pd.DataFrame({"teacher_id": ["a", "b", "a", "b"], "year": [2023, 2023, 2024, 2024],
    ...                   "school_id": ["S1", "S1", "S2", "S1"], "adcode": "1",
    ...                   "rotated": [True, False, False, False]})
    >>> exchange_flows(t, 2023)[["from_school", "to_school", "teachers"]].values.tolist()
    [['S1', 'S2', 1]]
    """
    need = [
        c for c in ("teacher_id", "school_id", "adcode", "rotated") if c not in teachers.columns
    ]
    if need:
        raise ValueError(
            f"教师名册缺少列 {need}，无法追踪交流去向 / the teacher roster lacks {need}: "
            "flows need teacher_id, school_id, adcode and rotated"
        )
    if "year" in teachers.columns:
        year = int(teachers["year"].max()) if year is None else int(year)
        this = teachers[teachers["year"] == year]
        following = teachers[teachers["year"] == year + 1]
    else:
        this, following = teachers, teachers.iloc[0:0]
    rot = this[_flag(this, "rotated")]
    key = _flag(rot, "key_teacher") if "key_teacher" in rot.columns else False
    moved = pd.DataFrame({"teacher_id": rot["teacher_id"].astype(str),
                          "from_school": rot["school_id"].astype(str),
                          "from_adcode": rot["adcode"].astype(str), "key": key})  # fmt: skip
    dest = following.drop_duplicates("teacher_id")
    dest = pd.DataFrame({"teacher_id": dest["teacher_id"].astype(str),
                         "to_school": dest["school_id"].astype(str),
                         "to_adcode": dest["adcode"].astype(str)})  # fmt: skip
    merged = moved.merge(dest, on="teacher_id", how="left")
    out = (
        merged.groupby(["from_school", "from_adcode", "to_school", "to_adcode"], dropna=False)
        .agg(teachers=("teacher_id", "size"), key_teachers=("key", "sum"))
        .reset_index()
        .astype({"teachers": "int64", "key_teachers": "int64"})
    )
    return out.assign(year=year)[FLOW_COLUMNS]


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
