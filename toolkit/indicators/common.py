"""What every indicator shares: the status vocabulary and the year choice.

Statuses are always one of :data:`STATUSES`: 达标 (meets), 未达标 (falls short),
不适用 (the profile sets no rule, or no number, for this unit) and 数据缺失 (data missing).
"""

from __future__ import annotations

import pandas as pd

from ..targets import COMPARATORS, Profile, Rule, get_profile

MET, UNMET, NOT_APPLICABLE, MISSING = "达标", "未达标", "不适用", "数据缺失"
#: Every status an indicator can report, in display order.
STATUSES = (MET, UNMET, NOT_APPLICABLE, MISSING)
STATUS_EN = {
    MET: "meets",
    UNMET: "falls short",
    NOT_APPLICABLE: "not applicable",
    MISSING: "no data",
}
#: Note added to every county-level comparison with a target set for a whole jurisdiction.
BENCHMARK_NOTE = "全域目标，逐县比较仅作参照 / jurisdiction-wide target: a benchmark per county"


def numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as numbers (NaN where blank or not a number); all NaN if the column is absent.

    >>> numeric(pd.DataFrame({"a": ["1", "2.5"]}), "a").tolist()
    [1.0, 2.5]
    >>> bool(numeric(pd.DataFrame({"a": [1]}), "b").isna().all())
    True
    """
    if column not in frame.columns:
        return pd.Series(float("nan"), index=frame.index)
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def latest_year(table: pd.DataFrame) -> int | None:
    """The most recent year in a table (None if it has no ``year`` column).

    >>> latest_year(pd.DataFrame({"year": [2022, 2024]}))
    2024
    """
    if "year" not in table.columns or table["year"].dropna().empty:
        return None
    return int(table["year"].max())


def for_year(table: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int | None]:
    """Rows of ``year`` (default: the latest year) and the year used."""
    year = latest_year(table) if year is None else year
    if year is not None and "year" in table.columns:
        table = table[table["year"] == year]
    return table, year


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


def unit_shares(
    frame: pd.DataFrame, counties: pd.DataFrame, *, by: str = "county", year: int | None = None
) -> pd.DataFrame:
    """Sum ``numerator`` and ``denominator`` of record rows per county, city or province.

    ``frame`` has ``adcode``, ``numerator``, ``denominator`` and optionally ``year``.
    Every unit of ``counties`` appears; one without records has NaN ``value``.
    Shares of cities and provinces are weighted (sum over sum), never a mean of
    county shares.

    >>> f = pd.DataFrame({"adcode": ["1", "1", "2"], "numerator": [1, 0, 1],
    ...                   "denominator": [1, 1, 1]})
    >>> unit_shares(f, pd.DataFrame({"adcode": ["1", "2"], "name": ["甲", "乙"]}))["value"].tolist()
    [0.5, 1.0]
    """
    units = _units(counties, by)
    code, name = LEVELS[by]
    frame, year = for_year(frame, year)
    # per county first (records → one row each), then onto the units: merging every record
    # row with the units was most of the time of a teacher-roster computation
    per_county = frame.groupby("adcode", sort=False)[["numerator", "denominator"]].sum()
    merged = per_county.reset_index().merge(units, on="adcode", how="inner")
    sums = merged.groupby(code)[["numerator", "denominator"]].sum()
    out = units.drop_duplicates(code)[[code, name]].merge(
        sums, left_on=code, right_index=True, how="left"
    )
    out = out.rename(columns={code: "adcode", name: "name"}).reset_index(drop=True)
    out["value"] = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    out["year"] = year
    return out


def judge(shares: pd.DataFrame, rule: Rule | None, by: str, note: str = "") -> pd.DataFrame:
    """Compare each unit's ``value`` with the rule's threshold; the columns of :data:`SHARE_COLUMNS`.

    Without a rule or a number in it, the value is reported with status 不适用.
    """
    out = shares.copy()
    if rule is None or rule.threshold is None:
        out["target"] = float("nan")
        out["gap"] = float("nan")
        out["status"] = out["value"].map(lambda v: MISSING if pd.isna(v) else NOT_APPLICABLE)
        out["note"] = (
            "配置中无数值目标，仅报告数值 / no numeric target in the profile: value reported only"
            if rule is None
            else f"{rule.note_zh} / {rule.note_en}"
        )
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
    if note:
        out["note"] = [f"{note}；{n}" if n else note for n in out["note"]]
    out.loc[out["value"].isna(), "note"] = "无记录，无法计算 / no records to compute from"
    out["rule"] = f"{rule.profile}:{rule.id}" if rule else ""
    out["deadline"] = rule.deadline if rule else None
    src = rule.source if rule else None
    out["source"] = src.citation if src else ""
    return out[SHARE_COLUMNS]


def borrowed_note(
    own: Profile, plan: Profile, en: str = "another plan's rule, as a benchmark"
) -> str:
    """The note on a value judged by another plan's rule because ``own`` has none.

    >>> borrowed_note(get_profile("national"), get_profile("jinhua")).split(" / ")[0]
    '参照金华市（基础教育综合改革实验区方案）的规则（非“全国（教基〔2023〕4号）”的要求）'
    """
    return f"参照{plan.name_zh}的规则（非“{own.name_zh}”的要求） / {en}"


def rule_for(profile: str | Profile, indicator: str) -> Rule | None:
    """The profile's first rule for ``indicator``, or None."""
    rules = get_profile(profile).rules_for(indicator)
    return rules[0] if rules else None
