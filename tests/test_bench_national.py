"""bench/national.py at city scale: the runner's functions still run, give every figure the
section needs, and their plain pandas references equal the engine's numbers (asserted inside
the runner; a mismatch raises). Timings are not tested: benchmarks are not tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import make_national  # noqa: E402
import national  # noqa: E402
import results as results_module  # noqa: E402


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """长治市, five years, generated in this process (~3 s)."""
    out = tmp_path_factory.mktemp("city")
    make_national.generate(out, "city", "长治市", quiet=True)
    return out


def test_check_rotation_and_cv_match_their_pandas_references(city):
    ck = national.bench_check(city, runs=1, ref_runs=1, in_process=True)
    assert set(ck) == {"engine", "national", "pandas_check", "groupby", "parts", "compared"}
    assert {"imports", "check", "rss_mb", "wall"} <= set(ck["engine"][0])
    assert {"read", "check", "rss_mb"} <= set(ck["pandas_check"][0])
    assert {"read", "groupby", "rss_mb"} <= set(ck["groupby"][0])
    assert set(ck["parts"]) == set(national.CHECK_PARTS)
    # every aggregation was compared, row for row, with something in it
    assert set(ck["compared"]) == {"scorecard", "school_totals", "teacher_totals", "moments",
                                   "passing"}  # fmt: skip
    assert min(ck["compared"].values()) > 0
    assert ck["compared"]["school_totals"] == 12 * 5  # 12 counties × 5 years

    ro = national.bench_rotation(city, runs=1)
    assert {"rotation", "totals", "read", "groupby", "pandas"} <= set(ro)
    assert ro["counties_compared"] == 12 and ro["rows"] > 10_000

    cv = national.bench_cv(city, runs=1)
    assert {"balanced", "stats", "toolkit_pandas", "groupby", "parts"} <= set(cv)
    assert cv["cv_rows_compared"] > 0

    meta = {"date": "d", "machine": "m", "command": "c", "versions": national.versions(),
            "load_start": "0", "load_end": "0", "data": str(city),
            "size": national.dataset_size(city)}  # fmt: skip
    text = national.section({"check": ck, "rotation": ro, "cv": cv}, meta)
    assert text.startswith("## National scale (issue 5)")
    assert text.count("\n| ") == 4  # header and three rows
    assert national.unused_tables(national.CHECK_PROFILE) == []  # every record table is read
    assert national.unused_tables(national.PROFILE) == ["teachers", "resources"]
    assert (
        f'"{national.CHECK_PROFILE}", year=2024' in text
        and "its rules read the schools only" in text
    )


def test_fresh_process_child_and_section_replacement(tmp_path):
    """A child in a new interpreter (the path every national figure takes), and the section
    replaced in place with every other section of the file kept."""
    got = national.fresh("read", simplified="true")
    assert got["counties"] > 2800 and got["read"] > 0 and got["wall"] >= got["read"]
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\nabove\n\n<!-- other -->\nbelow\n", encoding="utf-8")
    for n in (1, 2):
        results_module.write_section(national.SECTION, f"run {n}", results)
    text = results.read_text(encoding="utf-8")
    begin, end = results_module.markers(national.SECTION)
    assert text.count(begin) == 1 and text.count(end) == 1
    assert "run 2" in text and "run 1" not in text
    assert text.startswith("# Benchmark results\n\nabove\n\n<!-- other -->\nbelow\n")
