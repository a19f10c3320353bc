"""The demo data and the column dictionary.

Populations and the special-education scenario below are typed by hand from
the brief (第七次全国人口普查 figures; data/README.md), not read from the
generator, so a change to either side shows up here.
"""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from toolkit import data

ROOT = Path(__file__).resolve().parent.parent

POPULATION = {
    "140403": ("潞州区", 895280), "140404": ("上党区", 319660), "140405": ("屯留区", 253756),
    "140406": ("潞城区", 219256), "140423": ("襄垣县", 260081), "140425": ("平顺县", 115927),
    "140426": ("黎城县", 134186), "140427": ("壶关县", 240109), "140428": ("长子县", 298690),
    "140429": ("武乡县", 155386), "140430": ("沁县", 138578), "140431": ("沁源县", 149975),
    "410402": ("新华区", 336957), "410403": ("卫东区", 315705), "410404": ("石龙区", 42066),
    "410411": ("湛河区", 345928), "410421": ("宝丰县", 498157), "410422": ("叶县", 702345),
    "410423": ("鲁山县", 788472), "410425": ("郏县", 506377), "410481": ("舞钢市", 294839),
    "410482": ("汝州市", 974541),
    "370811": ("任城区", 1245371), "370812": ("兖州区", 540662), "370826": ("微山县", 613421),
    "370827": ("鱼台县", 420010), "370828": ("金乡县", 634144), "370829": ("嘉祥县", 820036),
    "370830": ("汶上县", 687544), "370831": ("泗水县", 542895), "370832": ("梁山县", 730683),
    "370881": ("曲阜市", 621971), "370883": ("邹城市", 1166559),
}  # fmt: skip

# adcode: (special schools, of which meet the standard, {level: special classes})
SPECIAL = {
    "140403": (1, 1, {}), "140404": (1, 1, {}), "140405": (0, 0, {"小学": 2}),
    "140406": (0, 0, {}), "140423": (1, 0, {}), "140425": (0, 0, {"九年一贯制": 1}),
    "140426": (0, 0, {}), "140427": (1, 1, {}), "140428": (1, 1, {}),
    "140429": (0, 0, {"小学": 1}), "140430": (1, 1, {}), "140431": (0, 0, {}),
    "410402": (1, 1, {}), "410403": (1, 1, {}), "410404": (0, 0, {"小学": 1}),
    "410411": (0, 0, {"初中": 1}), "410421": (1, 1, {}), "410422": (1, 1, {}),
    "410423": (1, 0, {}), "410425": (1, 1, {}), "410481": (0, 0, {}), "410482": (1, 1, {}),
    "370811": (1, 1, {}), "370812": (1, 1, {}), "370826": (1, 1, {}), "370827": (0, 0, {}),
    "370828": (1, 1, {}), "370829": (1, 1, {}), "370830": (1, 1, {}), "370831": (1, 1, {}),
    "370832": (1, 1, {}), "370881": (1, 1, {}), "370883": (1, 1, {}),
}  # fmt: skip
COMPULSORY = ["小学", "初中", "九年一贯制"]


@pytest.fixture(scope="module")
def teachers(demo):
    return demo.teachers.merge(
        demo.schools.loc[demo.schools["year"] == 2024, ["school_id", "level", "adcode"]],
        on="school_id",
        how="left",
        suffixes=("", "_school"),
    )


def _per_county(frame, fn):
    return frame.groupby("adcode").apply(fn, include_groups=False)


# --- counties: real populations -------------------------------------------------
def test_counties_and_populations_exactly(demo):
    c = demo.counties
    assert len(c) == 33
    assert {a: (n, p) for a, n, p in zip(c["adcode"], c["name"], c["population"], strict=True)} == (
        POPULATION
    )
    assert (c["population_source"] == "第七次全国人口普查（2020）常住人口").all()


def test_city_sums(demo):
    c = demo.counties
    sums = c.groupby("city")["population"].sum()
    assert sums["长治市"] == 3_180_884
    assert sums["平顶山市"] == 4_805_387
    assert sums["济宁市"] == 8_023_296
    assert c.groupby("city").size().to_dict() == {"长治市": 12, "平顶山市": 10, "济宁市": 11}
    assert set(
        zip(c["city"], c["city_adcode"], c["province"], c["province_adcode"], strict=True)
    ) == {
        ("长治市", "140400", "山西省", "140000"),
        ("平顶山市", "410400", "河南省", "410000"),
        ("济宁市", "370800", "山东省", "370000"),
    }


# --- special education: the hand-fixed scenario ---------------------------------
@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_special_education_scenario(demo, year):
    s = demo.schools[demo.schools["year"] == year]
    special = s[s["level"] == "特殊教育学校"]
    with_class = s[s["special_classes"] > 0]
    got = {}
    for adcode in POPULATION:
        sp = special[special["adcode"] == adcode]
        cl = with_class[with_class["adcode"] == adcode]
        got[adcode] = (
            len(sp),
            int(sp["meets_standard"].sum()),
            dict(zip(cl["level"], cl["special_classes"], strict=True)),
        )
    assert got == SPECIAL
    # classes sit on one ordinary, public, non-boarding school each; never on a special school
    assert with_class.groupby("adcode").size().max() == 1
    assert not with_class["boarding"].any()
    assert (with_class["level"] != "特殊教育学校").all()
    assert (with_class["ownership"] == "公办").all()
    assert special["enrolment"].between(40, 300).all()
    assert (special["ownership"] == "公办").all()
    assert special["name"].str.contains("特殊教育").all()


def test_real_special_schools_named(demo):
    s = demo.schools[demo.schools["level"] == "特殊教育学校"]
    names = dict(zip(s["adcode"], s["name"], strict=False))
    assert names["140430"] == "沁县特殊教育中心学校"
    assert names["370812"] == "兖州区特殊教育学校"


def test_shilong_class_is_in_a_day_primary_school(demo):
    s = demo.schools[(demo.schools["adcode"] == "410404") & (demo.schools["special_classes"] > 0)]
    assert set(s["level"]) == {"小学"} and not s["boarding"].any()


def test_ordinary_schools_mostly_meet_standard(demo):
    s = demo.schools[demo.schools["level"] != "特殊教育学校"]
    share = s.groupby("year")["meets_standard"].mean()
    assert share.between(0.85, 0.95).all()


# --- schools: identity, sizes, kindergartens ------------------------------------
def test_school_ids_unique_and_stable(demo):
    s = demo.schools
    assert sorted(s["year"].unique()) == [2022, 2023, 2024]
    assert not s.duplicated(["year", "school_id"]).any()
    assert not s.duplicated(["year", "adcode", "name"]).any()
    assert (s["school_id"].str[:6] == s["adcode"]).all()
    per_year = s.groupby("year")["school_id"].apply(frozenset)
    assert per_year.nunique() == 1
    stable = s.groupby("school_id")[["name", "adcode", "level", "ownership", "boarding"]].nunique()
    assert (stable == 1).all().all()


def test_school_counts_and_enrolment_are_realistic(demo):
    s = demo.schools[demo.schools["year"] == 2024]
    pop = demo.counties.set_index("adcode")["population"]
    count = s.pivot_table(index="adcode", columns="level", values="school_id", aggfunc="count")
    enrol = s.pivot_table(index="adcode", columns="level", values="enrolment", aggfunc="sum")
    rural = [a for a, (n, p) in POPULATION.items() if not n.endswith("区") and p >= 400_000]
    per_500k = count.loc[rural].div(pop[rural], axis=0) * 500_000
    assert per_500k["幼儿园"].between(90, 220).all()
    assert per_500k["小学"].between(50, 160).all()
    assert per_500k["初中"].between(15, 50).all()
    assert count["高中"].between(1, 4).all()
    assert (count["九年一贯制"] >= 1).all()
    assert enrol["幼儿园"].div(pop).between(0.025, 0.045).all()
    assert enrol["小学"].div(pop).between(0.055, 0.09).all()
    assert enrol["初中"].div(pop).between(0.025, 0.045).all()
    # districts: fewer, larger primary schools than counties
    mean_size = s[s["level"] == "小学"].groupby("adcode")["enrolment"].mean()
    districts = [a for a, (n, _) in POPULATION.items() if n.endswith("区")]
    counties = [a for a in POPULATION if a not in districts]
    assert mean_size[districts].median() > mean_size[counties].median()


def _public_kg_share(schools, year):
    kg = schools[(schools["level"] == "幼儿园") & (schools["year"] == year)]
    public = kg["enrolment"].where(kg["ownership"] == "公办", 0)
    return public.groupby(kg["adcode"]).sum() / kg.groupby("adcode")["enrolment"].sum()


def test_public_kindergarten_share_spread_and_trend(demo):
    share = _public_kg_share(demo.schools, 2024)
    assert share.min() < 0.40 and share.max() > 0.85
    city = share.index.str[:4]
    assert (share[city == "3708"] > 0.80).sum() >= 2  # 济宁 tends higher
    for prefix in ("1404", "4104", "3708"):
        assert (share[city == prefix] < 0.60).sum() >= 2
    moved = (share - _public_kg_share(demo.schools, 2022)).abs()
    assert (moved > 0.005).mean() > 0.5  # trends exist


def test_inclusive_only_for_kindergartens(demo):
    s = demo.schools
    kg = s["level"] == "幼儿园"
    assert s.loc[~kg, "inclusive"].isna().all()
    assert s.loc[kg, "inclusive"].notna().all()
    assert s.loc[kg & (s["ownership"] == "公办"), "inclusive"].all()
    private = s.loc[kg & (s["ownership"] == "民办"), "inclusive"].astype(bool)
    assert 0.3 < private.mean() < 0.9


# --- teachers -------------------------------------------------------------------
def test_teachers_belong_to_2024_schools(demo, teachers):
    t = teachers
    assert set(t["year"]) == {2024}
    assert t["teacher_id"].is_unique
    assert t["level"].notna().all()
    assert (t["adcode"] == t["adcode_school"]).all()


def test_teacher_counts_per_500k(demo):
    n = demo.teachers.groupby("adcode").size()
    pop = demo.counties.set_index("adcode")["population"]
    assert (n / pop * 500_000).between(3_000, 6_000).all()


def test_eligible_and_rotated_rules(teachers):
    t = teachers
    compulsory = t["level"].isin(COMPULSORY)
    assert (t["eligible"] == (compulsory & (t["years_at_school"] >= 6))).all()
    assert not (t["rotated"] & ~t["eligible"]).any()
    assert (t["years_at_school"] >= 0).all() and (t["years_at_school"] > 12).any()


def test_rotation_and_key_teacher_spread(teachers):
    rate = _per_county(teachers, lambda g: g["rotated"].sum() / g["eligible"].sum())
    assert 0.02 <= rate.min() <= 0.05 and 0.15 <= rate.max() <= 0.20
    assert 0.10 <= teachers["key_teacher"].mean() <= 0.15
    key_among_rotated = _per_county(teachers, lambda g: g.loc[g["rotated"], "key_teacher"].mean())
    assert key_among_rotated.min() <= 0.12 and key_among_rotated.max() >= 0.30


# --- schema and dtypes ----------------------------------------------------------
def test_schema_shape_and_aliases():
    schema = data.read_schema()
    assert list(schema.columns) == [
        "table", "column", "header_zh", "aliases", "dtype", "unit", "allowed", "required",
        "description",
    ]  # fmt: skip
    assert set(schema["table"]) == set(data.TABLES)
    assert set(schema["dtype"]) <= {"string", "int", "bool", "category"}
    assert schema["required"].dtype == bool
    assert (schema["header_zh"] != "").all() and (schema["description"] != "").all()
    for table, rows in schema.groupby("table"):
        names = [n.lower() for r in rows.itertuples() for n in (r.column, r.header_zh, *r.aliases.split("|")) if n]  # fmt: skip
        assert len(names) == len(set(names)), f"{table}: a header maps to two columns"
    with pytest.raises(ValueError, match="Unknown table"):
        data.read_schema("pupils")


@pytest.mark.parametrize("table", data.TABLES)
def test_tables_follow_schema(demo, table):
    frame = getattr(demo, table)
    schema = data.read_schema(table)
    assert list(frame.columns) == schema["column"].tolist()
    for r in schema.itertuples():
        col = frame[r.column]
        if r.required:
            assert col.notna().all(), r.column
        if r.allowed and r.dtype == "category":
            assert set(col.dropna()) <= set(r.allowed.split("|")), r.column
        if r.dtype == "int":
            assert col.dtype == "int64" and (col >= 0).all(), r.column
        if r.dtype == "bool":
            assert col.dtype in (bool, pd.BooleanDtype()), r.column
        if r.dtype in ("string", "category"):
            assert pd.api.types.is_string_dtype(col), r.column


def test_load_demo_dtypes_and_label(demo):
    assert demo.label == data.DEMO_LABEL == "示例数据（模拟）"
    assert demo.is_simulated is True
    assert "模拟" in data.DEMO_NOTE and "simulated" in data.DEMO_NOTE
    for frame in (demo.counties, demo.schools, demo.teachers):
        assert frame["adcode"].str.fullmatch(r"\d{6}").all()
        assert frame["adcode"].map(type).eq(str).all()
    assert demo.schools["boarding"].dtype == bool
    assert demo.schools["inclusive"].dtype == pd.BooleanDtype()
    assert demo.teachers["rotated"].dtype == bool
    assert demo.schools["year"].dtype == "int64"


def test_load_demo_returns_independent_copies():
    first = data.load_demo()
    first.counties.loc[0, "population"] = -1
    assert data.load_demo().counties.loc[0, "population"] == 895_280


def test_missing_demo_dir_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="make_demo.py"):
        data.load_demo(tmp_path)


def test_readme_documents_every_column():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for r in data.read_schema().itertuples():
        assert f"`{r.column}`" in readme and r.header_zh in readme, r.column
    assert "示例数据（模拟）" in readme and "第七次全国人口普查" in readme


# --- the generator ----------------------------------------------------------------
def test_generator_is_deterministic(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "data" / "make_demo.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for table in data.TABLES:
        fresh = (tmp_path / f"{table}.csv").read_bytes()
        assert fresh.startswith(b"\xef\xbb\xbf"), f"{table}.csv lacks the UTF-8 BOM"
        assert fresh == (data.DEMO_DIR / f"{table}.csv").read_bytes(), f"{table}.csv differs"
