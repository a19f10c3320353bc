"""The record-level aggregations run once, in Ibis: on DuckDB (DataFrame, Parquet path) and on
Spark, with the same county results."""

from pathlib import Path

import pandas as pd
import pytest

import toolkit
from toolkit import engine
from toolkit.indicators import records
from toolkit.indicators.teachers import exchange_flows, rotation_params, teacher_rotation
from toolkit.targets import get_profile

PARAMS = rotation_params(get_profile("national"))


@pytest.fixture(scope="module")
def parquet_dir(demo, tmp_path_factory) -> Path:
    """The demo's tables as Parquet files, as a data centre would hold them."""
    folder = tmp_path_factory.mktemp("records")
    demo.counties.to_parquet(folder / "counties.parquet")
    for name in ("schools", "resources"):
        getattr(demo, name).to_parquet(folder / f"{name}.parquet")
    (folder / "teachers").mkdir()
    for year, rows in demo.teachers.groupby("year"):  # one file per year, as exported yearly
        rows.to_parquet(folder / "teachers" / f"{year}.parquet")
    return folder


@pytest.fixture(scope="module")
def spark(parquet_dir):
    """A local Spark session (Debian's Java), stopped after the module."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("kuoyou-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> None:
    a = a.sort_values(keys, ignore_index=True)
    b = b.sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-12)


def test_teacher_rotation_on_spark_equals_duckdb(demo, parquet_dir, spark):
    frame = spark.read.parquet(str(parquet_dir / "teachers"))
    assert type(frame).__module__.startswith("pyspark")
    on_spark = teacher_rotation(frame, demo.counties, "national")
    on_duckdb = teacher_rotation(demo.teachers, demo.counties, "national")
    assert len(on_duckdb) == 33 * 5  # every county, five measures
    _same(on_spark, on_duckdb, ["indicator", "adcode"])
    # and the counts behind them, every year
    counts_spark = records.teacher_totals(frame, **PARAMS)
    counts_duckdb = records.teacher_totals(demo.teachers, **PARAMS)
    assert counts_duckdb["teachers"].sum() == len(demo.teachers)
    _same(counts_spark, counts_duckdb, ["adcode", "year"])


def test_an_ibis_table_of_spark_stays_on_spark(demo, parquet_dir, spark):
    import ibis

    con = ibis.pyspark.connect(spark)
    t = con.read_parquet(str(parquet_dir / "teachers"))
    assert t._find_backend().name == "pyspark"
    totals = records.teacher_totals(t, **PARAMS)
    assert totals.attrs["eligibility"] == "data"
    _same(totals, records.teacher_totals(demo.teachers, **PARAMS), ["adcode", "year"])


def test_school_totals_and_balance_on_spark_equal_duckdb(demo, parquet_dir, spark):
    schools = spark.read.parquet(str(parquet_dir / "schools.parquet"))
    _same(records.school_totals(schools), records.school_totals(demo.schools), ["adcode", "year"])
    resources = spark.read.parquet(str(parquet_dir / "resources.parquet"))
    from toolkit.indicators import balanced_development

    got = balanced_development(resources, demo.counties)
    want = balanced_development(demo.resources, demo.counties)
    _same(got, want, ["indicator", "section", "measure", "adcode"])


def test_parquet_paths_give_the_dataframe_results(demo, parquet_dir):
    by_path = teacher_rotation(str(parquet_dir / "teachers" / "*.parquet"), demo.counties)
    _same(by_path, teacher_rotation(demo.teachers, demo.counties), ["indicator", "adcode"])
    flows = exchange_flows(parquet_dir / "teachers", 2023)
    want = exchange_flows(demo.teachers, 2023)
    assert flows["teachers"].sum() == want["teachers"].sum() > 0
    _same(flows, want, ["from_school", "to_school"])


def test_check_on_records_kept_on_disk_equals_check_on_the_demo(demo, parquet_dir):
    data = engine.open_records(parquet_dir)
    assert engine.is_table(data.teachers) and isinstance(data.counties, pd.DataFrame)
    for profile in ("national", "平顶山"):
        on_disk = toolkit.check(data, profile)
        in_memory = toolkit.check(
            {n: getattr(demo, n) for n in ("counties", "schools", "teachers", "resources")},
            profile,
        )
        assert len(on_disk) == len(in_memory) > 33
        _same(on_disk, in_memory, ["rule", "measure", "adcode"])


def test_school_totals_by_hand():
    s = pd.DataFrame(
        {
            "adcode": ["1", "1", "1", "1", "2", "2"],
            "level": ["幼儿园", "幼儿园", "幼儿园", "特殊教育学校", "小学", "九年一贯制"],
            "ownership": ["公办", "民办", "民办", "公办", "公办", "公办"],
            "inclusive": [None, True, False, None, None, None],
            "enrolment": ["300", 100, None, 80, 500, 900],  # text, number and blank in one column
            "special_classes": [0, 0, 0, 3, 1, 2],
            "boarding": [False, False, False, False, True, False],
        }
    )
    t = records.school_totals(s).set_index("adcode")
    assert t.loc["1", "kg_enrolment"] == 400  # the blank one counts in neither
    assert t.loc["1", "public_kg_enrolment"] == 300
    assert t.loc["1", "inclusive_kg_enrolment"] == 400
    assert t.loc["1", "special_schools"] == 1
    assert t.loc["1", "special_classes"] == 0  # a special school's classes are not "attached"
    assert pd.isna(t.loc["2", "kg_enrolment"])  # no kindergarten records: no figure, not 0
    assert t.loc["2", "special_classes"] == 3
    assert t.loc["2", "classes_nine_year_or_boarding"] == 3  # boarding 小学 + 九年一贯制
    assert t["standard_special_schools"].isna().all()  # no meets_standard column
    assert t.loc["1", "school_records"] == 4


def test_teacher_totals_by_hand():
    t = pd.DataFrame(
        {
            "adcode": "1",
            "year": [2024] * 5,
            "years_at_school": [7, 8, 13, 2, None],
            "rotated": [True, False, False, True, None],
            "key_teacher": [True, False, False, True, False],
            "exchange_years": [1, None, None, 3, None],
        }
    )
    r = records.teacher_totals(t, **PARAMS).iloc[0]
    assert r["teachers"] == 5
    assert r["teachers_eligible"] == 3 and r["teachers_rotated_eligible"] == 1  # >= 6 years
    assert r["teachers_rotated"] == 2 and r["key_teachers_rotated"] == 2
    assert r["teachers_with_tenure"] == 4  # one blank
    assert r["teachers_over_max_tenure"] == 1  # 13 > 12
    assert r["teachers_due_rotation"] == 1  # 13 >= 9 and not rotated
    assert r["teachers_rotated_with_period"] == 2 and r["teachers_short_exchange"] == 1  # 1 < 3


def test_table_refuses_what_it_cannot_read(tmp_path):
    with pytest.raises(FileNotFoundError, match="找不到数据文件"):
        engine.table(tmp_path / "none.parquet")
    with pytest.raises(TypeError, match="DataFrame"):
        engine.table(42)


def test_progress_shows_only_slow_loops(capsys):
    assert list(engine.progress(range(3), "快")) == [0, 1, 2]
    assert "快" not in capsys.readouterr().err  # under two seconds: no bar at all
