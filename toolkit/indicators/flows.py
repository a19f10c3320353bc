"""Teacher exchange flows: rotated teachers from the school that sends them to the school
where next year's roster finds them, counted per pair of schools on the engine.

Like :mod:`toolkit.indicators.records`, this reads record-level rosters (a
DataFrame, a Parquet/CSV path or an Ibis table of any backend) and returns a
small table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import engine
from .records import _flag, _records

FLOW_COLUMNS = ["year", "from_school", "from_adcode", "to_school", "to_adcode", "teachers",
                "key_teachers"]  # fmt: skip


def exchange_flows(
    teachers: Any, year: int | None = None, *, adcodes: set[str] | None = None
) -> pd.DataFrame:
    """Where the teachers who rotated in ``year`` went: one row per sending and receiving school.

    A record with ``rotated`` true in year *y* is at its **sending** school
    (``school_id``); the same ``teacher_id`` in the roster of *y* + 1 is at the
    **receiving** school (the first by school id if the roster lists the teacher
    twice). ``to_school`` is empty when the teacher is not in the next year's
    roster (left, or the roster ends with *y*). ``year`` defaults to the latest
    year. With ``adcodes``, only the flows sent from or received into those
    counties (a national roster is then joined on the selection only).
    Columns: :data:`FLOW_COLUMNS` (``teachers`` rotated, ``key_teachers`` of
    them key teachers in *y*).

    >>> t = pd.DataFrame({"teacher_id": ["a", "b", "a", "b"], "year": [2023, 2023, 2024, 2024],
    ...                   "school_id": ["S1", "S1", "S2", "S1"], "adcode": "1",
    ...                   "rotated": [True, False, False, False]})
    >>> exchange_flows(t, 2023)[["from_school", "to_school", "teachers"]].values.tolist()
    [['S1', 'S2', 1]]
    """
    import ibis

    t = engine.table(teachers)
    need = [c for c in ("teacher_id", "school_id", "adcode", "rotated") if c not in t.columns]
    if need:
        raise ValueError(
            f"教师名册缺少列 {need}，无法追踪交流去向 / the teacher roster lacks {need}: "
            "flows need teacher_id, school_id, adcode and rotated"
        )
    t = _records(t, key_teacher="boolean")
    if "year" in t.columns:
        year = int(engine.to_pandas(t.aggregate(y=t.year.max()))["y"][0]) if year is None else year
        this, following = t.filter(t.year == year), t.filter(t.year == year + 1)
    else:
        this, following = t, t.filter(ibis.literal(False))
    moved = this.filter(_flag(this, "rotated")).select(
        teacher_id=this.teacher_id.cast("string"),
        from_school=this.school_id.cast("string"),
        from_adcode=this.adcode,
        key=_flag(this, "key_teacher").cast("int64"),
    )
    dest = following.select(
        teacher_id=following.teacher_id.cast("string"),
        to_school=following.school_id.cast("string"),
        to_adcode=following.adcode,
    )
    if adcodes is not None:
        chosen = sorted(str(a) for a in adcodes)
        sent = _flows(moved.filter(moved.from_adcode.isin(chosen)), dest)
        came = _flows(moved, dest.filter(dest.to_adcode.isin(chosen)), how="inner")
        flows = sent.union(came.filter(~came.from_adcode.isin(chosen).fill_null(False)))
    else:
        flows = _flows(moved, dest)
    keys = ["from_school", "from_adcode", "to_school", "to_adcode"]
    out = engine.to_pandas(flows.order_by(keys))
    out = out.astype({"teachers": "int64", "key_teachers": "int64"})
    for c in keys:
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out.assign(year=year)[FLOW_COLUMNS]


def _flows(moved: Any, dest: Any, how: str = "left") -> Any:
    """Rotated teachers joined to their next-year school (``how="left"``: also those without
    one), counted per school pair. The join comes first, so a national roster is only probed
    for the rotated teachers, never grouped as a whole."""
    joined = moved.join(dest, "teacher_id", how=how)
    per_teacher = joined.group_by(["teacher_id", "from_school", "from_adcode", "key"]).aggregate(
        to_school=lambda d: d.to_school.min(),
        to_adcode=lambda d: d.to_adcode.argmin(d.to_school),
    )
    p = per_teacher
    return p.group_by(["from_school", "from_adcode", "to_school", "to_adcode"]).aggregate(
        teachers=p.count(), key_teachers=p.key.sum()
    )
