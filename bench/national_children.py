"""What the national benchmarks (``bench/national.py``) run in a fresh interpreter.

``national.fresh(child, …)`` runs ``python bench/national_children.py --child <child> …``;
the child prints one line of JSON (its timings, peak memory) and, with ``--out``, leaves the
tables it computed as Parquet for the runner to compare with the references'. A fresh
interpreter for each run keeps one run's caches, imports and memory out of the next.

Example (the shipped boundaries, about a second)::

    >>> child_read("true")["counties"] > 2800
    True
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import resource
import time
from pathlib import Path

import pandas as pd
from national_pandas import (
    pandas_school_totals,
    pandas_section_stats,
    pandas_teacher_totals,
    read_tables,
)
from national_report import CHECK_PROFILE, YEAR
from results import timed

#: Functions whose cumulative time the profiled check run reports (label → qualified name).
CHECK_PARTS = {
    "school_totals (schools, every year)": "records.py:school_totals",
    "teacher_totals (teachers, every year)": "records.py:teacher_totals",
    "resource_stats (resources, every year)": "balance.py:resource_stats",
    "of which the input checks (_checked)": "balance.py:_checked",
    "special education (12 calls)": "special_education.py:special_education",
    "outlooks (_with_outlook)": "scorecard.py:_with_outlook",
    "profiles read (get_profile, TOML)": "targets.py:get_profile",
    "all DuckDB queries (ibis execute)": "backends/duckdb/__init__.py:execute",
    "all Ibis → SQL compilation": "backends/sql/__init__.py:compile",
}


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux: ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _save(frames: dict[str, pd.DataFrame], out: Path | None) -> None:
    if out is None:
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame = frame.copy()
        frame.attrs = {}
        for c in frame.columns:  # mixed object columns (year: int and None) as text
            if frame[c].dtype == object:
                frame[c] = frame[c].map(lambda v: None if v is None else str(v)).astype("string")
        frame.to_parquet(out / f"{name}.parquet")


def _memo_frames(memo: dict) -> dict[str, pd.DataFrame]:
    """The record aggregations check() kept in its memo."""
    out = {}
    for key, value in memo.items():
        if key[:1] == ("school_totals",):
            out["school_totals"] = value
        elif key[:1] == ("teacher_totals",):
            out["teacher_totals"] = value
        elif key[:1] == ("resource_stats",):
            out["moments"], out["passing"] = value
    return out


def child_check_engine(
    folder: Path, out: Path | None = None, profile: bool = False, plan: str = CHECK_PROFILE
) -> dict:
    """``toolkit.check(engine.open_records(folder), plan, year=2024)``, timed."""
    t = time.perf_counter()
    import duckdb  # noqa: F401 (imported here so that the call's time is the computation)
    import ibis  # noqa: F401

    import toolkit
    import toolkit.indicators  # noqa: F401
    from toolkit import engine

    imports = time.perf_counter() - t
    memo: dict = {}
    prof = cProfile.Profile() if profile else None
    t = time.perf_counter()
    if prof:
        prof.enable()
    card = toolkit.check(engine.open_records(folder), plan, year=YEAR, memo=memo)
    if prof:
        prof.disable()
    seconds = time.perf_counter() - t
    _save({"card": card, **_memo_frames(memo)}, out)
    result = {"imports": imports, "check": seconds, "rows": len(card), "rss_mb": peak_rss_mb()}
    if prof:
        result["parts"] = profile_parts(prof, CHECK_PARTS)
    return result


def child_check_pandas(folder: Path, out: Path | None = None) -> dict:
    """The tables read into pandas (all rows), then ``toolkit.check({...}, CHECK_PROFILE, year=2024)``."""
    t = time.perf_counter()
    import duckdb  # noqa: F401
    import ibis  # noqa: F401

    import toolkit
    import toolkit.indicators  # noqa: F401

    imports = time.perf_counter() - t
    [read], tables = timed(lambda: read_tables(folder), 1)
    [seconds], card = timed(lambda: toolkit.check(tables, CHECK_PROFILE, year=YEAR), 1)
    _save({"card": card}, out)
    return {"imports": imports, "read": read, "check": seconds, "rss_mb": peak_rss_mb()}


def child_groupby_pandas(folder: Path, out: Path | None = None) -> dict:
    """The three record aggregations of check() in plain pandas over all rows."""
    t = time.perf_counter()
    from toolkit.indicators.teachers import rotation_params
    from toolkit.targets import get_profile

    imports = time.perf_counter() - t
    [read], tables = timed(lambda: read_tables(folder), 1)
    t = time.perf_counter()
    frames = {
        "school_totals": pandas_school_totals(tables["schools"]),
        "teacher_totals": pandas_teacher_totals(
            tables["teachers"], rotation_params(get_profile(CHECK_PROFILE))
        ),
    }
    frames["moments"], frames["passing"] = pandas_section_stats(tables["resources"], CHECK_PROFILE)
    seconds = time.perf_counter() - t
    _save(frames, out)
    return {"imports": imports, "read": read, "groupby": seconds, "rss_mb": peak_rss_mb()}


def child_read(simplified: str) -> dict:
    import toolkit.geo as g

    value = {"true": True, "false": False}.get(simplified, simplified)
    t = time.perf_counter()
    df = g.read_counties(simplified=value)
    seconds = time.perf_counter() - t
    assert len(df) > 2800
    return {"read": seconds, "counties": len(df)}


def profile_parts(prof: cProfile.Profile, parts: dict[str, str]) -> dict[str, float]:
    """Cumulative seconds of the named functions (``file.py:function``) in a profile."""
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    out = {}
    for label, name in parts.items():
        file, func = name.split(":")
        out[label] = sum(v[3] for (f, _, fn), v in stats.items()
                         if fn == func and f.endswith(file))  # fmt: skip
    return out


#: The children bench_check runs (in a fresh interpreter, or in-process for the tests).
CHILDREN = {"check-engine": child_check_engine, "check-pandas": child_check_pandas,
            "groupby-pandas": child_groupby_pandas}  # fmt: skip


def child_main(argv: list[str] | None = None) -> None:
    """Run the child ``--child`` names and print its result as one line of JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", required=True, choices=[*CHILDREN, "read"])
    ap.add_argument("--data")
    ap.add_argument("--out")
    ap.add_argument("--profile", default="0")
    ap.add_argument("--plan", default=CHECK_PROFILE)
    ap.add_argument("--simplified", default="true")
    args = ap.parse_args(argv)
    out = Path(args.out) if args.out else None
    if args.child == "check-engine":
        result = child_check_engine(
            Path(args.data), out, profile=args.profile == "1", plan=args.plan
        )
    elif args.child == "check-pandas":
        result = child_check_pandas(Path(args.data), out)
    elif args.child == "groupby-pandas":
        result = child_groupby_pandas(Path(args.data), out)
    else:
        result = child_read(args.simplified)
    print(json.dumps(result))


if __name__ == "__main__":
    child_main()
