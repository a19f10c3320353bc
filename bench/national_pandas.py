"""Plain pandas references the national benchmarks (``bench/national.py``) are timed beside,
and the checks that the engine's numbers equal theirs.

Each ``pandas_*`` function computes what a record aggregation of
:mod:`toolkit.indicators.records` computes, with one pandas groupby over every row; the
benchmark asserts the two equal (:func:`assert_same`, 1e-9 relative) before it reports a
time for either.

Example::

    >>> import pandas as pd
    >>> a = pd.DataFrame({"adcode": ["1", "2"], "n": [1.0, float("nan")]})
    >>> assert_same(a, a.iloc[::-1], ["adcode"], "n")
    2
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: Teacher columns the rotation counts read (the engine reads only these too).
TEACHER_COLUMNS = ["adcode", "year", "years_at_school", "rotated", "key_teacher", "eligible",
                   "exchange_years"]  # fmt: skip


def counties_of(folder: Path) -> pd.DataFrame:
    counties = pd.read_parquet(folder / "counties.parquet")
    return counties.astype({"adcode": str})


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Every table of ``folder`` in pandas, all rows: counties, schools and resources with
    every column, teachers (all years) with the columns the rotation counts read."""
    return {
        "counties": counties_of(folder),
        "schools": pd.read_parquet(folder / "schools.parquet"),
        "teachers": pd.read_parquet(folder / "teachers", columns=TEACHER_COLUMNS),
        "resources": pd.read_parquet(folder / "resources.parquet"),
    }


def _bools(s: pd.Series) -> np.ndarray:
    """A yes/no column as numpy booleans, blank as no (as the engine's ``_flag``)."""
    if s.dtype == bool:
        return s.to_numpy()
    return s.astype("boolean").fillna(False).to_numpy(dtype=bool)


def _keys(df: pd.DataFrame, extra: tuple[str, ...] = ()) -> list[str]:
    return [c for c in ("adcode", "year", *extra) if c in df.columns]


def _tidy(out: pd.DataFrame) -> pd.DataFrame:
    out = out.reset_index()
    out["adcode"] = out["adcode"].astype(str)
    if "year" in out.columns:
        out["year"] = out["year"].astype("Int64")
    return out


def pandas_teacher_totals(t: pd.DataFrame, params: dict) -> pd.DataFrame:
    """:func:`toolkit.indicators.records.teacher_totals` in plain pandas: one groupby."""
    from toolkit.indicators.records import TEACHER_TOTALS

    years = t["years_at_school"].astype("float64")
    rotated = _bools(t["rotated"])
    period = t["exchange_years"].astype("float64") if "exchange_years" in t else np.nan
    given = t["eligible"].notna().any()
    eligible = _bools(t["eligible"]) if given else (years >= params["min_years"]).to_numpy()
    flags = pd.DataFrame({
        "teachers_eligible": eligible,
        "teachers_rotated_eligible": eligible & rotated,
        "teachers_rotated": rotated,
        "key_teachers_rotated": rotated & _bools(t["key_teacher"]),
        "teachers_with_tenure": years.notna().to_numpy(),
        "teachers_over_max_tenure": (years > params["max_tenure"]).to_numpy(),
        "teachers_due_rotation": (years >= params["due_years"]).to_numpy() & ~rotated,
        "teachers_rotated_with_period": rotated & pd.notna(period),
        "teachers_short_exchange": rotated & (period < params["period_floor"]),
    })  # fmt: skip
    keys = _keys(t)
    for k in keys:
        flags[k] = t[k].array  # categorical stays categorical (codes, not strings)
    grouped = flags.groupby(keys, observed=True, sort=True)
    out = grouped.sum().astype("float64")
    out.insert(0, "teachers", grouped.size().astype("float64"))
    out = _tidy(out)
    if out["teachers_rotated_with_period"].sum() == 0:
        out[["teachers_rotated_with_period", "teachers_short_exchange"]] = np.nan
    return out[[*keys, *TEACHER_TOTALS]]


def pandas_school_totals(s: pd.DataFrame) -> pd.DataFrame:
    """:func:`toolkit.indicators.records.school_totals` in plain pandas: one groupby."""
    from toolkit.indicators.records import (
        KINDERGARTEN,
        NINE_YEAR,
        PUBLIC,
        SCHOOL_TOTALS,
        SPECIAL_SCHOOL,
    )

    level = s["level"]
    kg = (level == KINDERGARTEN).to_numpy()
    special = (level == SPECIAL_SCHOOL).to_numpy()
    public = (s["ownership"] == PUBLIC).to_numpy()
    enrol = pd.to_numeric(s["enrolment"], errors="coerce").astype("float64").to_numpy()
    classes = np.where(special, 0.0, s["special_classes"].astype("float64").fillna(0).to_numpy())
    nine = (level == NINE_YEAR).to_numpy() | _bools(s["boarding"])
    inclusive = public | _bools(s["inclusive"])
    frame = pd.DataFrame({
        "school_records": 1.0,
        "kg": kg,
        "kg_enrolment": np.where(kg, enrol, np.nan),
        "public_kg_enrolment": np.where(kg & public, enrol, np.nan),
        "inclusive_kg_enrolment": np.where(kg & inclusive, enrol, np.nan),
        "special_schools": special,
        "standard_special_schools": special & _bools(s["meets_standard"]),
        "special_classes": classes,
        "classes_nine_year_or_boarding": np.where(nine, classes, 0.0),
    })  # fmt: skip
    keys = _keys(s)
    for k in keys:
        frame[k] = s[k].array
    out = frame.groupby(keys, observed=True, sort=True).sum().astype("float64")
    for c in ("kg_enrolment", "public_kg_enrolment", "inclusive_kg_enrolment"):
        out[c] = out[c].where(out["kg"] > 0)  # no kindergarten records: NaN, not 0
    if s["meets_standard"].notna().sum() == 0:
        out["standard_special_schools"] = np.nan
    return _tidy(out)[[*keys, *SCHOOL_TOTALS]]


def pandas_section_stats(
    r: pd.DataFrame, profile: str, year: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`toolkit.indicators.records.section_stats` in plain pandas: each school
    section's seven values against the standards, then per county, year and section the
    weighted moments (two passes, as the engine) and the schools that pass."""
    from toolkit.indicators import balance
    from toolkit.targets import get_profile

    own = get_profile(profile)
    if year is not None and "year" in r.columns:
        r = r[r["year"] == year]
    std = balance.standards(own).set_index(["section", "measure"])["threshold"]
    six = balance._rule(own, balance.SIX_OF_SEVEN)[0].threshold
    rest = balance._rule(own, balance.REST_SHARE)[0].threshold
    keys = _keys(r, ("section",))
    section = r["section"].astype(str).to_numpy()
    students = pd.to_numeric(r["enrolment"], errors="coerce").astype("float64")
    students = students.where(students > 0).to_numpy()
    frame = pd.DataFrame({k: r[k].array for k in keys})
    shares = []
    for c, (_, per) in balance.MEASURES.items():
        value = pd.to_numeric(r[c], errors="coerce").astype("float64").to_numpy() * per / students
        threshold = pd.Series(section).map(std.xs(c, level="measure")).to_numpy(dtype=float)
        shares.append(np.round(value / threshold, 9))
        w = np.where(np.isnan(value), np.nan, students)
        frame[f"w_{c}"], frame[f"x_{c}"] = w, value
        frame[f"wx_{c}"] = w * value
    grouped = frame.groupby(keys, observed=True, sort=True)
    ws, wxs = [f"w_{c}" for c in balance.MEASURES], [f"wx_{c}" for c in balance.MEASURES]
    mean = grouped[wxs].transform("sum").to_numpy() / grouped[ws].transform("sum").to_numpy()
    dev = (
        frame[ws].to_numpy() * (frame[[f"x_{c}" for c in balance.MEASURES]].to_numpy() - mean) ** 2
    )
    parts = pd.DataFrame(dev, columns=[f"ss_{c}" for c in balance.MEASURES], index=frame.index)
    sums = pd.concat([frame[[*keys, *ws, *wxs]], parts], axis=1)
    g = sums.groupby(keys, observed=True, sort=True)
    totals, counts = g.sum(min_count=1), g[ws].count()
    rows = []
    for c in balance.MEASURES:
        sw = totals[f"w_{c}"]
        rows.append(pd.DataFrame({"measure": c, "schools": counts[f"w_{c}"].astype("int64"),
                                  "mean": totals[f"wx_{c}"] / sw,
                                  "std": (totals[f"ss_{c}"] / sw) ** 0.5}))  # fmt: skip
    moments = _tidy(pd.concat(rows)).sort_values([*keys, "measure"], ignore_index=True)
    share = np.column_stack(shares)
    complete = ~np.isnan(share).any(axis=1)
    met = (share >= 1).sum(axis=1)
    lowest = np.nanmin(np.where(np.isnan(share), np.inf, share), axis=1)
    passes = complete & (met >= six) & (lowest >= rest)
    flags = pd.DataFrame({k: r[k].array for k in keys})
    flags["passing"], flags["judged"], flags["rows"] = passes, complete, 1
    passing = _tidy(flags.groupby(keys, observed=True, sort=True).sum().astype("int64"))
    return moments[[*keys, "measure", "schools", "mean", "std"]], passing


def assert_same(got: pd.DataFrame, want: pd.DataFrame, keys: list[str], what: str) -> int:
    """Assert two county tables agree (same rows; numbers equal to 1e-9 relative, NaN = NaN);
    the number of rows compared."""

    def plain(df: pd.DataFrame) -> pd.DataFrame:  # categorical keys sort by their categories
        cats = [k for k in keys if isinstance(df[k].dtype, pd.CategoricalDtype)]
        return df.assign(**{k: df[k].astype(str) for k in cats}).sort_values(
            keys, ignore_index=True
        )

    got, want = plain(got), plain(want)
    assert len(got) == len(want), f"{what}: {len(got)} rows against {len(want)}"
    for k in keys:
        a, b = got[k].astype(str).to_numpy(), want[k].astype(str).to_numpy()
        assert (a == b).all(), f"{what}: keys {k} differ"
    for c in [c for c in want.columns if c not in keys]:
        a = pd.to_numeric(got[c], errors="coerce").astype("float64").to_numpy()
        b = pd.to_numeric(want[c], errors="coerce").astype("float64").to_numpy()
        bad = ~np.isclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True)
        assert not bad.any(), (
            f"{what}: {c} differs in {bad.sum()} rows, e.g. {a[bad][:3]} vs {b[bad][:3]}"
        )
    return len(got)


def assert_same_cards(got: pd.DataFrame, want: pd.DataFrame) -> int:
    """Two scorecards agree: the same rows, statuses and values."""
    keys = ["adcode", "rule", "measure", "year"]

    def norm(card: pd.DataFrame) -> pd.DataFrame:
        card = card.assign(year=pd.to_numeric(card["year"], errors="coerce").astype("Int64"))
        return card.assign(
            **{k: card[k].astype(object).where(card[k].notna(), "").astype(str) for k in keys}
        )

    got, want = norm(got), norm(want)
    n = assert_same(got[[*keys, "value", "target", "gap"]], want[[*keys, "value", "target", "gap"]],
                    keys, "scorecard")  # fmt: skip
    a = got.sort_values(keys, ignore_index=True)["status"].astype(str)
    b = want.sort_values(keys, ignore_index=True)["status"].astype(str)
    assert (a == b).all(), f"scorecard: status differs in {(a != b).sum()} rows"
    return n
