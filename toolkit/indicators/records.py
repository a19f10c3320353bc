"""From records to county figures: every aggregation over school and teacher records, in Ibis.

These expressions are the only place the toolkit reads record-level data. They
run on the embedded DuckDB for a DataFrame or a Parquet/CSV path, and on the
records' own engine for an Ibis table of another backend (Spark, Trino …) — see
:mod:`toolkit.engine`. What comes back is small: one row per county and year.

* :func:`school_totals` — school records → the county totals of the
  ``indicators`` table (kindergarten enrolment, public and 普惠 enrolment,
  special-education schools and classes);
* :func:`teacher_totals` — teacher records → per county and year the counts
  behind every rotation measure (eligible, rotated, key teachers, long tenure,
  exchange period);
* :func:`school_measures`, :func:`school_passes`, :func:`section_stats` —
  per-school resource rows → each school's seven 优质均衡 indicators against
  their standards → per county, year and section the weighted moments (for the
  差异系数) and the count of schools meeting the standards.

Teachers followed from school to school are in :mod:`toolkit.indicators.flows`.

Example
-------
>>> import pandas as pd
>>> s = pd.DataFrame({"adcode": ["1", "1", "1"], "year": 2024, "level": ["幼儿园", "幼儿园", "小学"],
...                   "ownership": ["公办", "民办", "公办"], "enrolment": [300, 100, 500]})
>>> school_totals(s)[["adcode", "kg_enrolment", "public_kg_enrolment"]].values.tolist()
[['1', 400.0, 300.0]]
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import engine

KINDERGARTEN, PUBLIC = "幼儿园", "公办"
SPECIAL_SCHOOL, NINE_YEAR = "特殊教育学校", "九年一贯制"
#: Columns of :func:`school_totals` (besides ``adcode`` and ``year``).
SCHOOL_TOTALS = (
    "school_records", "kg_enrolment", "public_kg_enrolment", "inclusive_kg_enrolment",
    "special_schools", "standard_special_schools", "special_classes",
    "classes_nine_year_or_boarding",
)  # fmt: skip
#: Columns of :func:`teacher_totals` (besides ``adcode`` and ``year``).
TEACHER_TOTALS = (
    "teachers", "teachers_eligible", "teachers_rotated_eligible", "teachers_rotated",
    "key_teachers_rotated", "teachers_with_tenure", "teachers_over_max_tenure",
    "teachers_due_rotation", "teachers_rotated_with_period", "teachers_short_exchange",
)  # fmt: skip


def _records(source: Any, **optional: str) -> Any:
    """``source`` as an Ibis table with ``adcode`` as text and every ``optional`` column
    (name → type) present: a column the records lack is all NULL, i.e. blank."""
    import ibis

    t = engine.table(source)
    if "adcode" not in t.columns:
        raise ValueError("记录缺少 adcode 列 / the records have no adcode column")
    missing = {c: ibis.null(kind) for c, kind in optional.items() if c not in t.columns}
    return t.mutate(adcode=t.adcode.cast("string"), **missing)


def _num(t: Any, column: str) -> Any:
    """A column as float64 (NULL where blank or not a number)."""
    col = t[column]
    if col.type().is_string():
        return col.strip().try_cast("float64")
    return col.cast("float64")


def _flag(t: Any, column: str) -> Any:
    """A yes/no column as a boolean that is never NULL (blank counts as no)."""
    col = t[column]
    kind = col.type()
    if kind.is_numeric():
        return (col != 0).fill_null(False)
    if kind.is_string():
        return col.strip().lower().isin(["true", "1", "是", "yes", "y"]).fill_null(False)
    return col.cast("boolean").fill_null(False)


def _text(t: Any, column: str) -> Any:
    return t[column].cast("string")


def _keys(t: Any) -> list[str]:
    return ["adcode", "year"] if "year" in t.columns else ["adcode"]


def _count(cond: Any) -> Any:
    return cond.cast("int64").sum()


def _grouped(t: Any, **metrics: Any) -> pd.DataFrame:
    """Aggregate ``t`` per county (and year), run it and return float columns, sorted."""
    keys = _keys(t)
    expr = t.group_by(keys).aggregate(**metrics)
    out = engine.to_pandas(expr.order_by(keys))
    for column in metrics:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    out["adcode"] = out["adcode"].astype(str)
    if "year" in out.columns:
        out["year"] = pd.to_numeric(out["year"], errors="coerce").astype("Int64")
    return out.reset_index(drop=True)


def is_school_records(table: Any) -> bool:
    """Whether ``table`` holds school records (a ``level`` column) rather than county totals.

    >>> is_school_records(pd.DataFrame({"adcode": ["1"], "level": ["小学"]}))
    True
    >>> is_school_records(pd.DataFrame({"adcode": ["1"], "kg_enrolment": [10]}))
    False
    """
    return "level" in engine.columns(table)


def school_totals(schools: Any) -> pd.DataFrame:
    """County totals from school records: one row per county (and year).

    Columns: ``adcode``, ``year`` (if the records have it) and
    :data:`SCHOOL_TOTALS` — ``school_records`` (rows), ``kg_enrolment``
    (children in kindergartens; NaN for a county without kindergarten records),
    ``public_kg_enrolment`` (公办), ``inclusive_kg_enrolment`` (公办 or
    普惠性), ``special_schools`` (特殊教育学校), ``standard_special_schools``
    (of them meeting the standard; NaN for every county when the records have no
    ``meets_standard``), ``special_classes`` (特教班 in ordinary schools) and
    ``classes_nine_year_or_boarding`` (those in a 九年一贯制 or boarding school).
    A blank or non-numeric enrolment counts in neither numerator nor total.

    >>> s = pd.DataFrame({"adcode": ["1", "1"], "level": ["特殊教育学校", "九年一贯制"],
    ...                   "special_classes": [0, 2], "ownership": "公办", "enrolment": [80, 900]})
    >>> school_totals(s).loc[0, ["special_schools", "special_classes",
    ...                          "classes_nine_year_or_boarding"]].tolist()
    [1.0, 2.0, 2.0]
    """
    import ibis

    t = _records(schools, level="string", ownership="string", enrolment="float64",
                 special_classes="float64", boarding="boolean", inclusive="boolean",
                 meets_standard="boolean")  # fmt: skip
    level = _text(t, "level")
    kg = (level == KINDERGARTEN).fill_null(False)
    special = (level == SPECIAL_SCHOOL).fill_null(False)
    public = (_text(t, "ownership") == PUBLIC).fill_null(False)
    enrol = _num(t, "enrolment")
    classes = ibis.ifelse(special, 0.0, _num(t, "special_classes").fill_null(0.0))
    nine = (level == NINE_YEAR).fill_null(False) | _flag(t, "boarding")
    has_kg = _count(kg) > 0
    out = _grouped(
        t,
        school_records=t.count(),
        kg_enrolment=ibis.ifelse(has_kg, ibis.ifelse(kg, enrol, None).sum().fill_null(0), None),
        public_kg_enrolment=ibis.ifelse(
            has_kg, ibis.ifelse(kg, ibis.ifelse(public, enrol, 0.0), None).sum().fill_null(0), None
        ),
        inclusive_kg_enrolment=ibis.ifelse(
            has_kg,
            ibis.ifelse(kg, ibis.ifelse(public | _flag(t, "inclusive"), enrol, 0.0), None)
            .sum()
            .fill_null(0),
            None,
        ),
        special_schools=_count(special),
        standard_special_schools=_count(special & _flag(t, "meets_standard")),
        standard_known=t.meets_standard.count(),
        special_classes=classes.sum(),
        classes_nine_year_or_boarding=ibis.ifelse(nine, classes, 0.0).sum(),
    )
    if out["standard_known"].sum() == 0:  # no meets_standard anywhere: count every school
        out["standard_special_schools"] = float("nan")
    return out.drop(columns="standard_known")


def teacher_totals(
    teachers: Any,
    *,
    min_years: int,
    due_years: float,
    period_floor: float,
    max_tenure: float,
) -> pd.DataFrame:
    """Per county (and year) the teacher counts behind every rotation measure.

    Columns: ``adcode``, ``year`` and :data:`TEACHER_TOTALS` — ``teachers``;
    ``teachers_eligible`` (符合交流条件: the ``eligible`` column when the records
    fill it anywhere, else at least ``min_years`` years at the school, a
    user-chosen default); ``teachers_rotated_eligible``; ``teachers_rotated``;
    ``key_teachers_rotated``; ``teachers_with_tenure`` (a known
    ``years_at_school``); ``teachers_over_max_tenure`` (more than
    ``max_tenure`` years); ``teachers_due_rotation`` (``due_years`` or more and
    not rotated); ``teachers_rotated_with_period`` and
    ``teachers_short_exchange`` (rotated with an ``exchange_years`` under
    ``period_floor``; both NaN when the records have no exchange period).
    ``attrs["eligibility"]`` says ``"data"`` or ``"years"`` and
    ``attrs["params"]`` holds the four numbers.

    >>> t = pd.DataFrame({"adcode": "1", "years_at_school": [7, 8, 13, 2],
    ...                   "rotated": [True, False, False, False]})
    >>> r = teacher_totals(t, min_years=6, due_years=9, period_floor=3, max_tenure=12)
    >>> r.loc[0, ["teachers_eligible", "teachers_rotated_eligible", "teachers_due_rotation"]].tolist()
    [3.0, 1.0, 1.0]
    """
    t = _records(teachers, years_at_school="float64", rotated="boolean", eligible="boolean",
                 key_teacher="boolean", exchange_years="float64")  # fmt: skip
    years = _num(t, "years_at_school")
    rotated = _flag(t, "rotated")
    by_years = (years >= min_years).fill_null(False)
    given = _flag(t, "eligible")
    period = _num(t, "exchange_years")
    out = _grouped(
        t,
        teachers=t.count(),
        eligible_known=t.eligible.count(),
        by_data=_count(given),
        by_data_rotated=_count(given & rotated),
        by_years=_count(by_years),
        by_years_rotated=_count(by_years & rotated),
        teachers_rotated=_count(rotated),
        key_teachers_rotated=_count(rotated & _flag(t, "key_teacher")),
        teachers_with_tenure=years.count(),
        teachers_over_max_tenure=_count((years > max_tenure).fill_null(False)),
        teachers_due_rotation=_count((years >= due_years).fill_null(False) & ~rotated),
        teachers_rotated_with_period=_count(rotated & period.notnull()),
        teachers_short_exchange=_count(rotated & (period < period_floor).fill_null(False)),
    )
    from_data = out["eligible_known"].sum() > 0
    pick = "by_data" if from_data else "by_years"
    out["teachers_eligible"] = out[pick]
    out["teachers_rotated_eligible"] = out[f"{pick}_rotated"]
    if out["teachers_rotated_with_period"].sum() == 0:  # no exchange period in the records
        out[["teachers_rotated_with_period", "teachers_short_exchange"]] = float("nan")
    keys = [c for c in ("adcode", "year") if c in out.columns]
    out = out[[*keys, *TEACHER_TOTALS]]
    out.attrs["eligibility"] = "data" if from_data else "years"
    out.attrs["params"] = {"min_years": min_years, "due_years": due_years,
                           "period_floor": period_floor, "max_tenure": max_tenure}  # fmt: skip
    return out


def school_measures(
    resources: Any,
    measures: dict[str, int],
    standards: dict[tuple[str, str], float],
    *,
    year: int | None = None,
) -> Any:
    """Per school section and resource, in long form: the value per student (or per 100)
    and its share of the section's standard.

    ``measures`` maps a resource column to its students-per-unit (1 or 100),
    ``standards`` maps (section, column) to the standard. Returns an Ibis table
    with ``school_id``, ``adcode``, ``year`` (if any), ``section``,
    ``enrolment``, ``students`` (NULL unless > 0), ``measure``, ``value``
    (NULL without students or a figure), ``standard`` and ``share`` (value ÷
    standard, rounded to 1e-9 so that 21 of 500 meets 4.2 per 100).
    """
    import ibis

    t = _records(resources)
    if year is not None and "year" in t.columns:
        t = t.filter(t.year == year)
    keys = [c for c in ("school_id", "adcode", "year", "section") if c in t.columns]
    students = _num(t, "enrolment")
    wide = t.select(
        *keys,
        section_=t.section.cast("string"),
        enrolment=t.enrolment,
        students=ibis.ifelse(students > 0, students, None),
        **{f"m_{c}": _num(t, c) for c in measures},
    )
    long = wide.pivot_longer(
        [f"m_{c}" for c in measures], names_to="measure", values_to="raw",
        names_transform=lambda n: n[2:],
    )  # fmt: skip
    per = ibis.cases(*((long.measure == c, float(k)) for c, k in measures.items()), else_=None)
    std = ibis.cases(
        *(
            ((long.section_ == s) & (long.measure == c), float(v))
            for (s, c), v in standards.items()
        ),
        else_=None,
    )
    value = long.raw * per / long.students
    return long.select(
        *keys, "enrolment", "students", "measure", value=value, standard=std,
        share=(value / std).round(9),
    )  # fmt: skip


def school_passes(measures: Any, *, six: float, rest: float) -> Any:
    """Per school section, from :func:`school_measures`: ``met_count`` (standards met),
    ``lowest_share`` and ``passes`` (at least ``six`` met and none below ``rest``);
    both NULL when any figure is missing."""
    import ibis

    keys = [c for c in ("school_id", "adcode", "year", "section") if c in measures.columns]
    m = measures
    per_school = m.group_by(keys).aggregate(
        met_count=_count((m.share >= 1).fill_null(False)),
        lowest=m.share.min(),
        missing=_count(m.share.isnull()),
    )
    complete = per_school.missing == 0
    return per_school.select(
        *keys,
        "met_count",
        lowest_share=ibis.ifelse(complete, per_school.lowest, None),
        passes=ibis.ifelse(
            complete, (per_school.met_count >= six) & (per_school.lowest >= rest), None
        ),
    )


def section_stats(measures: Any, passes: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per county, year, section (and measure): weighted moments and the schools that pass.

    From :func:`school_measures` and :func:`school_passes`. The first frame has,
    per measure, ``schools`` (with a value and students), ``mean`` (X̄ = Σ Pᵢ·Xᵢ / Σ Pᵢ)
    and ``std`` (S = √(Σ Pᵢ (Xᵢ − X̄)² / Σ Pᵢ), Pᵢ the school's students),
    computed in two passes for accuracy; the second ``passing`` (schools that
    pass), ``judged`` (schools with every figure) and ``rows``.
    """
    import ibis

    keys = [c for c in ("adcode", "year", "section") if c in measures.columns]
    m = measures
    w = ibis.ifelse(m.value.notnull(), m.students, None)
    group = [*keys, "measure"]
    mean = (w * m.value).sum().over(group_by=group) / w.sum().over(group_by=group)
    dev = m.mutate(w=w, dev2=w * (m.value - mean) ** 2)
    moments = dev.group_by(group).aggregate(
        schools=dev.w.count(), sw=dev.w.sum(), swx=(dev.w * dev.value).sum(), ss=dev.dev2.sum()
    )
    out = engine.to_pandas(moments.order_by(group))
    sw = out["sw"].astype("float64")
    out["mean"] = out["swx"].astype("float64") / sw
    out["std"] = (out["ss"].astype("float64") / sw) ** 0.5
    out["schools"] = out["schools"].astype("int64")
    out["adcode"] = out["adcode"].astype(str)
    p = passes
    counts = p.group_by(keys).aggregate(
        passing=_count(p.passes.fill_null(False)), judged=p.passes.count(), rows=p.count()
    )
    passing = engine.to_pandas(counts.order_by(keys))
    passing["adcode"] = passing["adcode"].astype(str)
    return out[[*group, "schools", "mean", "std"]], passing
