"""National benchmark data set (示例数据（模拟）): schools, teachers and resources of every county.

**Every education figure is simulated**; county codes, names and 2020 census
populations are real. A deterministic, seeded generator of Parquet files in the
toolkit's canonical columns (``toolkit/schema.csv``) for one city, one province
or every county-level unit of ``toolkit.geo.read_counties()``, five years by
default, at national scale ~481,000 schools and kindergartens (2023) and ~16 M teacher
rows a year. Sizing, targets and county populations: ``national_sizing.py``;
schools and resources: ``national_schools.py``; teachers: ``national_teachers.py``;
how to run it and the measured figures: ``bench/README.md``.

Usage (``KUOYOU_DATA_DIR`` must point at the census files, see the README)::

    python bench/make_national.py --scale city                  # 长治市 → bench/out/city
    python bench/make_national.py --scale province --province 宁夏
    python bench/make_national.py --scale national --years 2020-2024 --seed 20240901

Output in ``--out`` (default ``bench/out/<scale>``)::

    counties.parquet             one row per county-level unit of the area
    schools.parquet              one row per open school and year
    resources.parquet            one row per open 小学/初中/九年一贯制 school, year and section
    teachers/teachers_<year>.parquet   one file per year, one row per teacher
    manifest.json                parameters, row counts, counts by level, file sizes

Determinism: every county draws from its own numpy streams (``[seed, adcode,
k]``), every province and city from theirs, and the national constants are
calibrated over all counties at every scale, so the same seed and scale give
byte-identical files and ``--scale city`` holds exactly the rows of the
national (or province) output for that city.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from national_schools import LEVELS, county_plan, county_resources, county_schools  # noqa: E402
from national_sizing import (  # noqa: E402
    ANCHOR,
    CHILD,
    COUNTY_COLUMNS,
    calibrate,
    county_table,
    expected_counts,
    province_factors,
)
from national_tables import (  # noqa: E402
    COUNTY_SCHEMA,
    RESOURCE_SCHEMA,
    ROW_GROUP,
    SCHOOL_SCHEMA,
    TEACHER_SCHEMA,
    Chunk,
    writer_options,
)
from national_teachers import county_teachers  # noqa: E402

SEED = 20240901
ROOT = Path(__file__).resolve().parent
MUNICIPALITIES = ("110000", "120000", "310000", "500000")


def parse_years(text: str) -> tuple[int, ...]:
    """``"2020-2024"`` → (2020, …, 2024); a single year is allowed."""
    lo, _, hi = text.partition("-")
    years = tuple(range(int(lo), int(hi or lo) + 1))
    if not years or years[0] < 2000 or years[-1] > 2040:
        raise argparse.ArgumentTypeError(f"years out of range: {text}")
    return years


def select(table: pd.DataFrame, scale: str, city: str, province: str) -> pd.DataFrame:
    """The units of the area (``read_counties`` resolves full or short names and codes)."""
    if scale == "national":
        return table
    from toolkit.geo import read_counties

    area = read_counties(city=city) if scale == "city" else read_counties(province=province)
    return table[table["adcode"].isin(set(area["adcode"]))]


def city_schools(table: pd.DataFrame, seed: int) -> set[str]:
    """The districts that also host their prefecture city's special-education school.

    60 % of the prefecture cities with districts (not the municipalities) run one,
    in a district drawn by the city's stream ``[seed, city_adcode, 5]``.
    """
    out, districts_of = set(), defaultdict(list)
    scope = table[table["in_scope"] & ~table["province_adcode"].isin(MUNICIPALITIES)]
    for a, city, kind in scope[["adcode", "city_adcode", "kind"]].itertuples(index=False):
        districts_of[city] += [a] if kind == "district" else []
    for city in sorted(districts_of):
        districts = sorted(districts_of[city])
        rng = np.random.default_rng([seed, int(city), 5])
        if districts and rng.random() < 0.6:
            out.add(districts[int(rng.integers(len(districts)))])
    return out


def _progress(total: int, quiet: bool):
    """A tqdm bar over counties if tqdm is installed, else plain lines per province."""
    if quiet:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="county", file=sys.stderr, mininterval=2)


def county_rows(table: pd.DataFrame, seed: int) -> list[dict]:
    """The in-scope counties as dicts with their child multiplier and city-school flag."""
    hosts = city_schools(table, seed)
    out = []
    for row in table[table["in_scope"]].to_dict(orient="records"):
        row["child"] = CHILD[row["province_adcode"][:2]]
        row["city_special"] = row["adcode"] in hosts
        out.append(row)
    return out


def write_counties(area: pd.DataFrame, path: Path) -> None:
    t = pa.Table.from_pandas(area[COUNTY_COLUMNS], preserve_index=False)
    t = t.replace_schema_metadata(None).cast(COUNTY_SCHEMA)
    pq.write_table(t, path, **writer_options(COUNTY_SCHEMA))


def _sort_dictionary(t: pa.Table) -> pa.Table:
    """Unify a concatenated table's per-chunk dictionaries (one dictionary per column)."""
    return t.unify_dictionaries().combine_chunks()


def generate(
    out: Path,
    scale: str = "city",
    city: str = "长治市",
    province: str = "山西省",
    years: tuple[int, ...] = (2020, 2021, 2022, 2023, 2024),
    seed: int = SEED,
    quiet: bool = False,
) -> dict:
    """Write the data set into ``out``; return the manifest (also written as manifest.json)."""
    t0 = time.perf_counter()
    table = county_table()
    cal = calibrate(table, seed, range(years[0], years[-1] + 1))
    expected = expected_counts(table, seed).to_dict(orient="index")
    area = select(table, scale, city, province)
    city, province = str(area["city"].iloc[0]), str(area["province"].iloc[0])  # full names
    wanted = set(area["adcode"])
    rows = [r for r in county_rows(table, seed) if r["adcode"] in wanted]
    provinces = {p: province_factors(p, seed) for p in {r["province_adcode"] for r in rows}}
    out.mkdir(parents=True, exist_ok=True)
    (out / "teachers").mkdir(exist_ok=True)
    for old in (out / "teachers").glob("*.parquet"):
        old.unlink()
    write_counties(area, out / "counties.parquet")
    writers = {
        y: pq.ParquetWriter(out / "teachers" / f"teachers_{y}.parquet", TEACHER_SCHEMA,
                            **writer_options(TEACHER_SCHEMA, ("teacher_id",)))
        for y in years
    }  # fmt: skip
    schools_by_year: dict[int, list[pa.Table]] = defaultdict(list)
    resources_by_year: dict[int, list[pa.Table]] = defaultdict(list)
    teachers_per_year = dict.fromkeys(years, 0)
    flows = dict.fromkeys(years[1:], 0)
    bar = _progress(len(rows), quiet)
    by_province: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_province[r["province_adcode"]].append(r)
    for prov in sorted(by_province):
        counties, teachers, resources = [], [], []
        for c in by_province[prov]:
            plan = county_plan(c, cal, provinces[prov], expected[c["adcode"]], seed)
            s = county_schools(c, plan, years, seed)
            counties.append(s)
            teachers.append(county_teachers(s, seed))
            resources.append(county_resources(s, seed))
            if bar is not None:
                bar.update()
        chunk = Chunk(counties, teachers, resources)
        for j, y in enumerate(years):
            schools_by_year[y].append(chunk.schools(j, y))
            resources_by_year[y].append(chunk.resource_table(j, y))
            t = chunk.teacher_table(j, y)
            writers[y].write_table(t, row_group_size=ROW_GROUP)
            teachers_per_year[y] += t.num_rows
        for j, y in enumerate(years[1:], start=1):
            flows[y] += sum(_moved(ts[j - 1], ts[j]) for ts in teachers)
        if bar is None and not quiet:
            name = by_province[prov][0]["province"]
            print(f"  {name}: {len(counties)} counties, {time.perf_counter() - t0:.0f} s",
                  flush=True)  # fmt: skip
        del chunk, counties, teachers, resources
    if bar is not None:
        bar.close()
    for w in writers.values():
        w.close()
    counts = _write_year_major(schools_by_year, SCHOOL_SCHEMA, out / "schools.parquet")
    _write_year_major(resources_by_year, RESOURCE_SCHEMA, out / "resources.parquet")
    manifest = _manifest(out, scale, city, province, years, seed, area, counts,
                         teachers_per_year, flows)  # fmt: skip
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    manifest["seconds"] = round(time.perf_counter() - t0, 1)
    manifest["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return manifest


def _moved(before: dict, after: dict) -> int:
    """Teachers present in both years at a different school (a flow)."""
    common, i, k = np.intersect1d(before["number"], after["number"], return_indices=True)
    return int((before["school"][i] != after["school"][k]).sum())


def _write_year_major(parts: dict[int, list[pa.Table]], schema: pa.Schema, path: Path) -> dict:
    """One file, year by year (each year sorted by school_id); returns level counts by year."""
    counts = {}
    delta = tuple(c for c in ("school_id", "name") if c in schema.names)
    with pq.ParquetWriter(path, schema, **writer_options(schema, delta)) as w:
        for y in sorted(parts):
            t = _sort_dictionary(pa.concat_tables(parts[y]))
            w.write_table(t, row_group_size=ROW_GROUP)
            if "level" in schema.names:
                vc = t.column("level").value_counts().to_pylist()
                counts[y] = {d["values"]: d["counts"] for d in vc}
            else:
                counts[y] = t.num_rows
            parts[y] = []
    return counts


def _manifest(out, scale, city, province, years, seed, area, counts, teachers, flows) -> dict:
    files = sorted(p for p in out.rglob("*.parquet"))
    return {
        "label": "示例数据（模拟）: education figures simulated; codes, names, 2020 census real",
        "scale": scale,
        "area": {"city": city} if scale == "city" else
                {"province": province} if scale == "province" else "national",
        "seed": seed,
        "years": list(years),
        "anchor_year": ANCHOR,
        "counties": int(len(area)),
        "counties_with_schools": int(area["in_scope"].sum()),
        "schools_by_level": {str(y): {lv: int(c.get(lv, 0)) for lv in LEVELS}
                             for y, c in counts.items()},
        "schools_per_year": {str(y): int(sum(c.values())) for y, c in counts.items()},
        "teachers_per_year": {str(y): int(n) for y, n in teachers.items()},
        "teacher_flows": {f"{y - 1}->{y}": int(n) for y, n in flows.items()},
        "files": {str(p.relative_to(out)): p.stat().st_size for p in files},
    }  # fmt: skip


def summary(m: dict) -> str:
    """A few lines for the terminal."""
    lines = [f"{m['scale']}: {m['counties']} counties ({m['counties_with_schools']} with schools), "
             f"years {m['years'][0]}–{m['years'][-1]}, seed {m['seed']}"]  # fmt: skip
    for y, n in m["schools_per_year"].items():
        lines.append(f"  {y}: {n:,} schools, {m['teachers_per_year'][y]:,} teachers")
    a = str(m["anchor_year"]) if str(m["anchor_year"]) in m["schools_by_level"] else m["years"][-1]
    by = m["schools_by_level"][str(a)]
    lines.append(f"  {a} by level: " + ", ".join(f"{k} {v:,}" for k, v in by.items()))
    lines.append("  flows: " + ", ".join(f"{k} {v:,}" for k, v in m["teacher_flows"].items()))
    total = sum(m["files"].values())
    for f, size in m["files"].items():
        lines.append(f"  {f}: {size / 1e6:,.1f} MB")
    lines.append(f"  total {total / 1e6:,.1f} MB; {m.get('seconds', 0)} s; "
                 f"peak RSS {m.get('peak_rss_mb', 0):,} MB")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", choices=("city", "province", "national"), default="city")
    ap.add_argument("--city", default="长治市", help="with --scale city (name, short name or code)")
    ap.add_argument("--province", default="山西省", help="with --scale province")
    ap.add_argument("--years", type=parse_years, default=parse_years("2020-2024"))
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path, help="default bench/out/<scale>")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    args = ap.parse_args(argv)
    if not os.environ.get("KUOYOU_DATA_DIR"):
        print("note: KUOYOU_DATA_DIR is not set; the census is read from the user cache or "
              "downloaded", file=sys.stderr)  # fmt: skip
    out = args.out or ROOT / "out" / args.scale
    m = generate(out, args.scale, args.city, args.province, args.years, args.seed, args.quiet)
    print(summary(m))
    return m


if __name__ == "__main__":
    main()
