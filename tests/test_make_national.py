"""The national benchmark generator (bench/make_national.py) at city and small-province scale.

Every figure it writes is simulated; these tests check the properties another
engineer relies on: deterministic bytes, every county of the area, sizes that
follow population, tables the toolkit's readers accept without a rejection,
teacher flows between years, and a city equal to its province's output
filtered to it.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pytest

from toolkit import data, geo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import make_national  # noqa: E402
from national_sizing import county_table  # noqa: E402

YEARS = (2020, 2021, 2022, 2023, 2024)


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every Parquet file and the manifest, by relative path."""
    files = [*folder.rglob("*.parquet"), folder / "manifest.json"]
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def read(folder: Path) -> dict[str, pd.DataFrame]:
    """The four tables with dictionary columns as plain strings (comparable across scales)."""
    out = {
        "counties": pd.read_parquet(folder / "counties.parquet"),
        "schools": pd.read_parquet(folder / "schools.parquet"),
        "resources": pd.read_parquet(folder / "resources.parquet"),
        "teachers": ds.dataset(folder / "teachers", format="parquet").to_table().to_pandas(),
    }
    for df in out.values():
        for col in df.columns:
            if isinstance(df[col].dtype, pd.CategoricalDtype):
                df[col] = df[col].astype(str)
    return out


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """长治市 (the default city), generated in this process."""
    out = tmp_path_factory.mktemp("city")
    make_national.generate(out, "city", "长治市", years=YEARS, quiet=True)
    return out


@pytest.fixture(scope="module")
def tables(city) -> dict[str, pd.DataFrame]:
    return read(city)


def test_the_cli_gives_the_same_bytes(city, tmp_path):
    """Same seed and scale, another process (the command line): identical files."""
    cmd = [sys.executable, str(ROOT / "bench" / "make_national.py"), "--scale", "city",
           "--city", "长治", "--years", "2020-2024", "--out", str(tmp_path), "--quiet"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "teachers" in done.stdout  # the summary
    assert digests(tmp_path) == digests(city)
    assert sorted(p.name for p in (city / "teachers").iterdir()) == [
        f"teachers_{y}.parquet" for y in YEARS
    ]


def test_another_seed_gives_other_data(tmp_path, tables):
    make_national.generate(tmp_path, "city", "长治市", years=(2023,), seed=7, quiet=True)
    other = pd.read_parquet(tmp_path / "schools.parquet")
    mine = tables["schools"][tables["schools"]["year"] == 2023]
    assert len(other) != len(mine) or not other["enrolment"].equals(mine["enrolment"])


def test_every_county_of_the_city_every_year(tables):
    expected = sorted(geo.read_counties(city="长治市")["adcode"])
    c = tables["counties"]
    assert sorted(c["adcode"]) == expected and c["population"].notna().all()
    assert (c["population_source"] == "第七次全国人口普查（2020）常住人口").all()
    assert c.set_index("name").at["沁县", "population"] == 138578  # the census, unchanged
    s = tables["schools"]
    for year, group in s.groupby("year"):
        assert sorted(group["adcode"].unique()) == expected, year
    assert sorted(s["year"].unique()) == list(YEARS)
    assert set(tables["teachers"]["adcode"]) == set(expected)


def test_school_counts_follow_population(tables):
    c = tables["counties"].set_index("adcode")
    n = tables["schools"].query("year == 2023").groupby("adcode").size()
    frame = c.assign(schools=n)
    slope = np.polyfit(np.log(frame["population"].astype(float)), np.log(frame["schools"]), 1)[0]
    assert slope > 0.4
    for districts, group in frame.groupby(frame["name"].str.endswith("区")):
        rho = group["population"].rank().corr(group["schools"].rank())
        assert rho > 0.8, (districts, rho)
    teachers = tables["teachers"].query("year == 2023").groupby("adcode").size()
    per_person = teachers / c["population"]
    assert per_person.between(0.007, 0.016).all()  # ~1.1 % nationally


def test_the_readers_accept_every_row(tables):
    """rows_used == rows_read and nothing rejected, for each table (teachers: a sample)."""
    s, t, r = tables["schools"], tables["teachers"], tables["resources"]
    samples = {
        "schools": (data.read_schools, s[s["year"] == 2023]),
        "teachers": (data.read_teachers, t.sample(2000, random_state=1)),
        "resources": (data.read_resources, r[r["year"] == 2024]),
        "counties": (data.read_counties, tables["counties"]),
    }
    for name, (reader, frame) in samples.items():
        report = reader(frame).attrs["report"]
        assert report.rows_used == report.rows_read == len(frame), name
        assert report.rejected.empty, (name, report.rejected.head())


def test_the_tables_hang_together(tables):
    s, t, r = tables["schools"], tables["teachers"], tables["resources"]
    assert not s.duplicated(["school_id", "year"]).any()
    assert not t.duplicated(["teacher_id", "year"]).any()
    keys = set(zip(s["school_id"], s["year"], strict=True))
    assert set(zip(t["school_id"], t["year"], strict=True)) <= keys
    assert set(zip(r["school_id"], r["year"], strict=True)) <= keys
    assert (r["enrolment"] > 0).all()
    kg = s["level"] == "幼儿园"
    assert s.loc[kg, "inclusive"].notna().all() and s.loc[~kg, "inclusive"].isna().all()
    assert s.loc[kg & (s["ownership"] == "公办"), "inclusive"].all()
    assert t["exchange_years"].notna().eq(t["rotated"]).all()
    # most schools keep their id all five years; a few open or close
    first, last = (set(s.loc[s["year"] == y, "school_id"]) for y in (YEARS[0], YEARS[-1]))
    assert len(first & last) > 0.85 * len(first) and first != last


def test_teachers_flow_between_years(tables):
    t = tables["teachers"]
    for y in YEARS[:-1]:
        now, nxt = t[t["year"] == y], t[t["year"] == y + 1]
        both = now.merge(nxt, on="teacher_id", suffixes=("", "_next"))
        moved = both[both["school_id"] != both["school_id_next"]]
        assert len(moved) > 100, y
        stayed = both[both["school_id"] == both["school_id_next"]]
        assert (stayed["years_at_school_next"] == stayed["years_at_school"] + 1).all()
        assert (moved["years_at_school_next"] == 0).all()
        rotated = both[both["rotated"]]
        assert (rotated["school_id"] != rotated["school_id_next"]).all()
        assert rotated["adcode"].eq(rotated["adcode_next"]).all()  # within the county
        assert len(set(now["teacher_id"]) - set(nxt["teacher_id"])) > 0  # retirements …
        assert len(set(nxt["teacher_id"]) - set(now["teacher_id"])) > 0  # … and hires
    rate = t.groupby(["adcode", "year"]).apply(
        lambda g: g["rotated"].sum() / g["eligible"].sum(), include_groups=False
    )
    assert rate.between(0.005, 0.35).all() and rate.max() - rate.min() > 0.05


def test_a_city_is_its_province_filtered(tmp_path):
    """Per-county streams and national calibration: 银川市 alone = 宁夏's output for 银川."""
    make_national.generate(tmp_path / "p", "province", province="宁夏", years=(2022, 2023),
                           quiet=True)  # fmt: skip
    make_national.generate(tmp_path / "c", "city", city="银川市", years=(2022, 2023), quiet=True)
    province, city = read(tmp_path / "p"), read(tmp_path / "c")
    codes = set(city["counties"]["adcode"])
    assert len(codes) == 6 and len(province["counties"]) == 22
    for name, df in province.items():
        part = df[df["adcode"].isin(codes)].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, city[name].reset_index(drop=True), obj=name)


def test_every_unit_is_listed_and_mainland_ones_have_a_population():
    table = county_table()
    assert len(table) == len(geo.read_counties(simplified="national"))
    inside = table[table["in_scope"]]
    assert inside["population"].notna().all() and (inside["population"] > 0).all()
    outside = table[~table["in_scope"]]
    assert outside["population"].isna().all()
    assert set(outside["province"]) >= {"香港特别行政区", "澳门特别行政区", "台湾省"}
    assert "金门县" in set(outside["name"])
    by = table.set_index("adcode")
    assert by.at["350404", "population"] == 220115 + 187936  # 梅列区 + 三元区
    assert by.at["632825", "population"] == 16287  # the census remainder: 大柴旦
    assert by.at["330113", "population_source"].startswith("估算")
