"""县域义务教育优质均衡: school resource standards and inter-school 差异系数 (教督〔2017〕6号).

The 2017 督导评估办法 (第六条) sets seven resource indicators per school, with a
standard for primary (小学) and junior (初中) sections. A county passes when every
school meets at least 6 of the 7 and reaches 85% of the standard on the rest, and
when each indicator's inter-school coefficient of variation (差异系数) is at most
0.50 among primary and 0.45 among junior schools. The numbers live in the
``balanced_2017`` profile; research/facts.md §3a confirms them through secondary
sources only.

Input is the ``resources`` table: one row per school, year and section (a
九年一贯制 school has a 小学 row and an 初中 row, as 基础基312/313 report them).
A profile without these rules (e.g. ``national``) gets the 2017 rules as a
labelled benchmark; a profile with its own rule (same id, or for the CVs the same
indicator) is judged by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import ibis
import numpy as np
import pandas as pd

from .. import engine
from ..targets import Profile, Rule, get_profile
from .common import NOT_APPLICABLE, SHARE_COLUMNS, borrowed_note, judge
from .records import school_measures, school_passes, section_stats

#: The profile whose rules are applied when another profile has none.
BENCHMARK = "balanced_2017"
#: Section (学段) → code used in rule ids and indicators.
SECTIONS = {"小学": "primary", "初中": "junior"}
#: Resource column → (indicator name, students per unit of the derived value).
MEASURES = {
    "teachers_above_degree": ("每百名学生拥有高于规定学历教师数", 100),
    "key_teachers": ("每百名学生拥有县级以上骨干教师数", 100),
    "pe_arts_teachers": ("每百名学生拥有体育、艺术（美术、音乐）专任教师数", 100),
    "teaching_area": ("生均教学及辅助用房面积", 1),
    "sports_area": ("生均体育运动场馆面积", 1),
    "equipment_value": ("生均教学仪器设备值", 1),
    "multimedia_rooms": ("每百名学生拥有网络多媒体教室数", 100),
}
#: Columns the ``resources`` table must have (``year`` is optional).
REQUIRED = ["school_id", "adcode", "section", "enrolment", *MEASURES]
STANDARDS = "balanced_school_standards"
SIX_OF_SEVEN, REST_SHARE = "bal_six_of_seven", "bal_rest_85pct"


def value_column(column: str) -> str:
    """Name of the derived column: ``sports_area`` → ``sports_area_per_student``.

    >>> value_column("key_teachers")
    'key_teachers_per100'
    """
    return f"{column}_per100" if MEASURES[column][1] == 100 else f"{column}_per_student"


def _borrowed(own: Profile) -> str:
    en = "the 2017 balanced-development rule, as a benchmark"
    return borrowed_note(own, get_profile(BENCHMARK), en)


def _rule(own: Profile, rule_id: str = "", indicator: str = "") -> tuple[Rule, str]:
    """The profile's rule (by indicator, else by id), else the benchmark's, with a note."""
    mine = own.rules_for(indicator) if indicator else [r for r in own.rules if r.id == rule_id]
    if mine:
        return mine[0], ""
    bench = get_profile(BENCHMARK)
    rule = bench.rules_for(indicator)[0] if indicator else bench.rule(rule_id)
    return rule, _borrowed(own)


def standards(profile: str | Profile = BENCHMARK) -> pd.DataFrame:
    """The per-school standards a profile applies: one row per section and resource column.

    >>> s = standards().set_index(["section", "measure"])
    >>> float(s.loc[("初中", "sports_area"), "threshold"])
    10.2
    """
    own = get_profile(profile)
    rows = []
    for section, code in SECTIONS.items():
        for column, (name, _) in MEASURES.items():
            rule, note = _rule(own, f"bal_{column}_{code}")
            rows.append(
                {"section": section, "measure": column, "name_zh": name,
                 "threshold": float(rule.threshold), "unit": rule.unit,
                 "rule": f"{rule.profile}:{rule.id}", "benchmark": bool(note)}
            )  # fmt: skip
    return pd.DataFrame(rows)


def _checked(resources: Any) -> Any:
    """The resources table on the engine, after the checks every computation needs."""
    have = engine.columns(resources)
    missing = [c for c in REQUIRED if c not in have]
    if missing:
        raise ValueError(
            f"resources 表缺少列 {missing}；列定义见 toolkit/schema.csv（表 resources）。 / "
            f"The resources table lacks {missing}; see toolkit/schema.csv (table resources)."
        )
    t = engine.table(resources)
    section = t.section.cast("string")
    odd = engine.to_pandas(
        t.filter(section.isnull() | ~section.isin(list(SECTIONS))).aggregate(
            n=lambda x: x.count(), found=section.collect(distinct=True)
        )
    )
    if int(odd["n"][0]):
        bad = sorted(x for x in odd["found"][0] if x is not None) or "空值"
        raise ValueError(
            f"section（学段）只能是“小学”或“初中”，发现 {bad}；九年一贯制学校请分两行填写。 / "
            f"section must be 小学 or 初中, found {bad}; "
            "give a 九年一贯制 school one row per section."
        )
    keys = [c for c in ("school_id", "year", "section") if c in have]
    dup = engine.to_pandas(
        t.group_by(keys).aggregate(n=t.count()).filter(lambda x: x.n > 1).limit(1)
    )
    if len(dup):
        first = dup[keys].iloc[0].tolist()
        raise ValueError(
            f"同一学校、年份、学段有多行（如 {first}），请合并。 / "
            f"Several rows for one school, year and section (e.g. {first}): merge them."
        )
    return t


def _measures(table: Any, own: Profile, year: int | None = None) -> tuple[Any, Any]:
    """:func:`~toolkit.indicators.records.school_measures` and ``school_passes`` with
    ``own``'s standards."""
    std = standards(own).set_index(["section", "measure"])["threshold"].to_dict()
    per = {c: p for c, (_, p) in MEASURES.items()}
    long = school_measures(table, per, std, year=year)
    six = _rule(own, SIX_OF_SEVEN)[0].threshold
    rest = _rule(own, REST_SHARE)[0].threshold
    return long, school_passes(long, six=six, rest=rest)


def school_resource_indicators(resources: Any, profile: str | Profile = BENCHMARK) -> pd.DataFrame:
    """The seven resource indicators of each school section, its standards and whether it passes.

    For each resource column ``c`` of :data:`MEASURES` the result has the derived
    value (``value_column(c)``: per 100 students or per student), ``c_standard``
    (the section's standard) and ``c_met``. ``met_count`` counts the standards
    met, ``lowest_share`` is the lowest value ÷ standard, and ``passes`` is True
    when at least 6 are met and none is below 85% of its standard (the numbers
    come from the profile's ``bal_six_of_seven`` and ``bal_rest_85pct`` rules).
    A section with no students or a missing figure gets NA flags and ``passes``.
    ``resources`` may be a DataFrame, a Parquet path or an Ibis table; the
    values are computed on the engine (:mod:`toolkit.indicators.records`).

    >>> r = pd.DataFrame({"school_id": "a", "adcode": "1", "section": "小学",
    ...     "enrolment": [100], "teachers_above_degree": [5], "key_teachers": [1],
    ...     "pe_arts_teachers": [1], "teaching_area": [450], "sports_area": [700],
    ...     "equipment_value": [200_000], "multimedia_rooms": [3]})
    >>> row = school_resource_indicators(r).iloc[0]
    >>> float(row["sports_area_per_student"]), bool(row["sports_area_met"])
    (7.0, False)
    >>> int(row["met_count"]), bool(row["passes"])  # 7.0 is 93% of 7.5: passes
    (6, True)
    """
    own = get_profile(profile)
    table = _checked(resources)
    long, passes = _measures(table, own)
    keys = [c for c in ("school_id", "adcode", "year", "section") if c in engine.columns(table)]
    order = engine.to_pandas(table.select(*keys, "enrolment").mutate(
        adcode=table.adcode.cast("string"), _row=ibis.row_number()))  # fmt: skip
    got = engine.to_pandas(long.select(*keys, "measure", "value", "standard", "share"))
    wide = got.pivot(index=keys, columns="measure")
    out = order.merge(engine.to_pandas(passes), on=keys, how="left").sort_values("_row")
    out = out.set_index(keys)
    for column in MEASURES:
        share = wide[("share", column)].astype("float64")
        out[value_column(column)] = wide[("value", column)].astype("float64")
        out[f"{column}_standard"] = wide[("standard", column)].astype("float64")
        out[f"{column}_met"] = (share >= 1).astype("boolean").mask(share.isna())
    out["met_count"] = out.pop("met_count").astype("int64")
    out["lowest_share"] = out.pop("lowest_share").astype("float64")
    out["passes"] = out.pop("passes").astype("boolean")
    return out.reset_index().drop(columns="_row").reset_index(drop=True)


def coefficient_of_variation(
    values: Sequence[float] | np.ndarray | pd.Series,
    weights: Sequence[float] | np.ndarray | pd.Series | None = None,
) -> float:
    """差异系数 CV = S / X̄ of school values, weighted by ``weights`` (e.g. each school's students).

    The 县域义务教育均衡 method weights school *i* by its students Pᵢ (P = Σ Pᵢ):
    X̄ = Σ Pᵢ·Xᵢ / P (= the county total ÷ the county's students) and
    S = √(Σ (Pᵢ/P)·(Xᵢ − X̄)²). :func:`county_cv` uses this official weighting by
    default; here ``weights=None`` gives the unweighted CV (every school weight 1,
    i.e. the population standard deviation over the mean).

    NaN values (and their weights) and zero-weight entries are left out. The
    result is **NaN**, not an error, when fewer than 2 schools remain (one
    school's S is always 0, which would read as perfect balance; the 办法 compares
    schools) or when X̄ is 0 (S / 0 is undefined: no school has the resource).
    Callers report those as 不适用. Negative values or weights raise ValueError.

    A published worked example: 5 primary schools, 45, 37, 89, 76 and 55 pupils,
    279, 137, 935, 160 and 402 library books; the county has 1913 / 302 = 6.33
    books per pupil and a CV of 0.52 (rounded).

    >>> round(coefficient_of_variation([279/45, 137/37, 935/89, 160/76, 402/55],
    ...                                [45, 37, 89, 76, 55]), 4)
    0.5153
    >>> coefficient_of_variation([1.0, 3.0])  # unweighted: S = 1, X̄ = 2
    0.5
    """
    n, mean, std = _stats(values, weights)
    return std / mean if n >= 2 and mean != 0 else float("nan")


def _stats(values, weights) -> tuple[int, float, float]:
    """Number of schools counted, weighted mean X̄ and weighted S (NaN when none)."""
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if x.shape != w.shape:
        raise ValueError(
            f"values 与 weights 长度不同（{x.shape} 与 {w.shape}） / "
            f"values and weights differ in length ({x.shape} vs {w.shape})"
        )
    if np.isnan(w).any() or (w < 0).any() or (x < 0).any():
        raise ValueError(
            "差异系数要求数值和权重（学生数）均为非负数，权重不能为空。 / "
            "values and weights (students) must be non-negative, and no weight may be empty."
        )
    keep = ~np.isnan(x) & (w > 0)
    x, w = x[keep], w[keep]
    if len(x) == 0:
        return 0, float("nan"), float("nan")
    p = w / w.sum()
    mean = float((p * x).sum())
    return len(x), mean, float(np.sqrt((p * (x - mean) ** 2).sum()))


def county_cv(schools: pd.DataFrame, *, weights: str | None = "enrolment") -> pd.DataFrame:
    """Inter-school CV of each indicator per county, year and section (long form).

    ``schools`` is :func:`school_resource_indicators`' result. By default schools
    are weighted by ``enrolment`` (the official method); ``weights=None`` gives the
    unweighted CV. Columns: ``adcode``, ``year`` (if present), ``section``,
    ``measure``, ``schools`` (with a value), ``mean`` (X̄), ``std`` (S) and ``cv``.

    >>> r = pd.DataFrame({"school_id": ["a", "b"], "adcode": "1", "section": "初中",
    ...     "enrolment": [100, 300], **{c: [100, 100] for c in MEASURES}})
    >>> cv = county_cv(school_resource_indicators(r)).set_index("measure")
    >>> round(float(cv.loc["sports_area", "cv"]), 4)  # 1 and 1/3 ㎡ per student
    0.5774
    """
    keys = [c for c in ("adcode", "year", "section") if c in schools.columns]
    rows = []
    for key, group in schools.groupby(keys, sort=True):
        w = None if weights is None else pd.to_numeric(group[weights], errors="coerce").fillna(0)
        for column in MEASURES:
            n, mean, std = _stats(group[value_column(column)], w)
            cv = std / mean if n >= 2 and mean != 0 else float("nan")
            rows.append(dict(zip(keys, key, strict=True)) | {
                "measure": column, "schools": n, "mean": mean, "std": std, "cv": cv})  # fmt: skip
    return pd.DataFrame(rows, columns=[*keys, "measure", "schools", "mean", "std", "cv"])


def balanced_development(
    resources: pd.DataFrame,
    counties: pd.DataFrame,
    profile: str | Profile = BENCHMARK,
    *,
    year: int | None = None,
) -> pd.DataFrame:
    """优质均衡 resource checks per county: 7 CVs and the share of passing schools, per section.

    One row per county × section × check, columns ``indicator``, ``section``,
    ``measure`` and those of the other indicators. CV rows (``indicator``
    ``balanced_cv_primary`` / ``balanced_cv_junior``, ``measure`` the resource
    column) have ``value`` = CV, ``numerator`` = S, ``denominator`` = X̄ and
    ``target`` 0.50 / 0.45. The ``balanced_school_standards`` row (``measure``
    ``schools_passing``) has the share of schools meeting ≥6 of 7 standards with
    the rest ≥85%, against a target of 1.0 (every school). A county without rows
    is 数据缺失; a section with one school is 不适用 for its CVs (no inter-school
    spread). A profile without these rules is judged by the ``balanced_2017``
    rules, and ``note`` says so.

    >>> r = pd.DataFrame({"school_id": ["a", "b"], "adcode": "1", "section": "小学",
    ...     "enrolment": [100, 200], "teachers_above_degree": [5, 10], "key_teachers": [1, 2],
    ...     "pe_arts_teachers": [1, 2], "teaching_area": [500, 1000], "sports_area": [800, 1600],
    ...     "equipment_value": [250_000, 500_000], "multimedia_rooms": [3, 6]})
    >>> c = pd.DataFrame({"adcode": ["1", "2"], "name": ["甲", "乙"]})
    >>> out = balanced_development(r, c).query("section == '小学'")
    >>> out.groupby("name")["status"].unique().map(list).to_dict()
    {'乙': ['数据缺失'], '甲': ['达标']}
    >>> out.query("name == '甲'")["value"].tolist()  # 7 CVs of 0 and every school passing
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    """
    own = get_profile(profile)
    table = _checked(resources)
    if year is None and engine.years(table):
        year = engine.years(table)[-1]
    return balance_from_stats(resource_stats(table, own, year=year), counties, own, year=year)


def resource_stats(
    resources: Any, profile: str | Profile, *, year: int | None = None
) -> pd.DataFrame:
    """Per county, year and section: the weighted moments of the seven indicators and the
    schools meeting the standards (one pass on the engine; every year unless ``year``).

    The input of :func:`balance_from_stats`; see
    :func:`~toolkit.indicators.records.section_stats` for the columns.
    """
    own = get_profile(profile)
    return section_stats(*_measures(_checked(resources), own, year))


def balance_from_stats(
    stats: tuple[pd.DataFrame, pd.DataFrame],
    counties: pd.DataFrame,
    profile: str | Profile,
    *,
    year: int | None,
) -> pd.DataFrame:
    """:func:`balanced_development`'s rows for ``year`` from :func:`resource_stats`."""
    own = get_profile(profile)
    moments, passing = stats
    if year is not None and "year" in moments.columns:
        moments = moments[moments["year"] == year]
        passing = passing[passing["year"] == year]
    moments = moments.drop(columns="year", errors="ignore")
    passing = passing.drop(columns="year", errors="ignore")
    n = moments["schools"]
    cvs = moments.assign(
        cv=(moments["std"] / moments["mean"]).where((n >= 2) & (moments["mean"] != 0))
    )
    units = counties[["adcode", "name"]].astype({"adcode": str}).drop_duplicates("adcode")
    units = units.assign(year=year)
    frames = []
    for section, code in SECTIONS.items():
        rule, borrowed = _rule(own, indicator=f"balanced_cv_{code}")
        frames.append(_cv_rows(units, cvs[cvs["section"] == section], rule, borrowed, section))
        frames.append(_passing_rows(units, passing[passing["section"] == section], own, section))
    out = pd.concat(frames, ignore_index=True)
    return out[["indicator", "section", "measure", *SHARE_COLUMNS]]


def _joined(labels: list[str], notes: pd.Series) -> list[str]:
    return [f"{a}；{b}" if b else a for a, b in zip(labels, notes, strict=True)]


def _cv_rows(
    units: pd.DataFrame, cvs: pd.DataFrame, rule: Rule, borrowed: str, section: str
) -> pd.DataFrame:
    """One row per county and indicator; 不适用 with one school or a zero mean."""
    grid = units.merge(pd.DataFrame({"measure": list(MEASURES)}), how="cross")
    got = grid.merge(cvs.drop(columns="section"), on=["adcode", "measure"], how="left")
    got = got.assign(value=got["cv"], numerator=got["std"], denominator=got["mean"])
    out = judge(got, rule, "county", note=borrowed)
    n = got["schools"].fillna(0).astype(int).to_numpy()
    few = (n == 1) | ((n >= 2) & got["cv"].isna().to_numpy())
    out.loc[few, "status"] = NOT_APPLICABLE
    out.loc[few, "note"] = [
        "；".join(filter(None, [why, borrowed]))
        for why in np.where(
            n[few] == 1,
            "仅1所学校，无校际差异可计算 / one school only: no inter-school spread",
            "各校该项均为0，差异系数无定义 / every school has none: CV undefined",
        )
    ]
    labels = [
        f"{MEASURES[m][0]}（{section}，{k}所学校）" if k else f"{MEASURES[m][0]}（{section}）"
        for m, k in zip(got["measure"], n, strict=True)
    ]
    out["note"] = _joined(labels, out["note"])
    code = SECTIONS[section]
    return out.assign(indicator=f"balanced_cv_{code}", section=section, measure=got["measure"])


def _passing_rows(
    units: pd.DataFrame, stats: pd.DataFrame, own: Profile, section: str
) -> pd.DataFrame:
    """Share of a section's schools that pass, judged against 1.0 (“每所学校”)."""
    (six, six_note), rest = _rule(own, SIX_OF_SEVEN), _rule(own, REST_SHARE)[0].threshold
    borrowed = six_note or (_borrowed(own) if standards(own)["benchmark"].any() else "")
    counts = stats.groupby("adcode")[["passing", "judged", "rows"]].sum()
    counts.columns = ["numerator", "denominator", "rows"]
    got = units.merge(counts, left_on="adcode", right_index=True, how="left")
    got = got.assign(value=got["numerator"] / got["denominator"].where(got["denominator"] > 0))
    every = replace(six, threshold=1.0, comparator=">=", unit="share")
    out = judge(got, every, "county", note=borrowed)
    labels = []
    for a, b, r in zip(
        *(got[c].fillna(0) for c in ("numerator", "denominator", "rows")), strict=True
    ):
        if b > 0:
            text = f"{section}：{a:.0f}/{b:.0f}所学校至少{six.threshold:g}项达到要求且余项不低于{rest:.0%}"
            labels.append(text + (f"（另{r - b:.0f}所数据不全，未计入）" if r > b else ""))
        else:
            labels.append(f"{section}：{r:.0f}所学校数据不全" if r else section)
    out["note"] = _joined(labels, out["note"])
    return out.assign(indicator=STANDARDS, section=section, measure="schools_passing")
