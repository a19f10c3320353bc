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
from toolkit.indicators import history, outlook, public_kindergarten_share

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
YEARS, TEACHER_YEARS = [2020, 2021, 2022, 2023, 2024], [2022, 2023, 2024]
# Tables data/make_demo.py writes (resources.csv comes from data/make_resources.py).
GENERATED = ["counties", "schools", "teachers", "indicators", "resources"]


@pytest.fixture(scope="module")
def teachers(demo):
    return demo.teachers.merge(
        demo.schools[["school_id", "year", "level", "adcode"]],
        on=["school_id", "year"],
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
@pytest.mark.parametrize("year", YEARS)
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
    assert 0.85 <= share[2024] <= 0.95 and share.min() > 0.75
    assert share.is_monotonic_increasing  # 2 points a year, a school once up to standard stays


# --- schools: identity, sizes, kindergartens ------------------------------------
def test_school_ids_unique_and_stable(demo):
    s = demo.schools
    assert sorted(s["year"].unique()) == YEARS
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
    moved = share - _public_kg_share(demo.schools, 2020)
    assert (moved.abs() > 0.02).mean() > 0.5 and (moved < -0.01).sum() >= 3  # some fall


# The outlook to 2027 (five-year linear trend, 5-point margin), read off the scenario.
OUTLOOK = {
    "济宁": {"已达标": {"鱼台县", "汶上县", "曲阜市"},
             "按期可达": {"屯留区", "新华区", "湛河区", "任城区", "邹城市"},
             "有风险": {"长子县", "泗水县"}},
    "national": {"按期可达": {"潞城区", "平顺县", "武乡县", "卫东区", "石龙区", "微山县", "梁山县"},
                 "有风险": {"宝丰县", "金乡县"},
                 "难以达标": {"上党区", "壶关县", "沁县", "沁源县", "叶县", "舞钢市", "汝州市"}},
}  # fmt: skip


@pytest.mark.parametrize("profile", OUTLOOK)
def test_public_kindergarten_outlook_scenario(demo, profile):
    h = history(public_kindergarten_share, demo.schools, demo.counties, profile)
    r = outlook(h)
    assert set(r["outlook"]) == {"已达标", "按期可达", "有风险", "难以达标"}
    got = r.groupby("outlook")["name"].apply(set)
    for verdict, names in OUTLOOK[profile].items():
        assert got[verdict] == names, verdict


def test_inclusive_only_for_kindergartens(demo):
    s = demo.schools
    kg = s["level"] == "幼儿园"
    assert s.loc[~kg, "inclusive"].isna().all()
    assert s.loc[kg, "inclusive"].notna().all()
    assert s.loc[kg & (s["ownership"] == "公办"), "inclusive"].all()
    private = s.loc[kg & (s["ownership"] == "民办"), "inclusive"].astype(bool)
    assert 0.3 < private.mean() < 0.9


# --- teachers -------------------------------------------------------------------
def test_teachers_belong_to_that_years_schools(teachers):
    t = teachers
    assert sorted(t["year"].unique()) == TEACHER_YEARS
    assert not t.duplicated(["year", "teacher_id"]).any()
    assert t["level"].notna().all()
    assert (t["adcode"] == t["adcode_school"]).all()
    assert (t["teacher_id"].str[:6] == t["adcode"]).all()


def test_teacher_counts_per_500k(demo):
    n = demo.teachers.groupby(["year", "adcode"]).size().unstack("year")
    pop = demo.counties.set_index("adcode")["population"]
    assert (n.div(pop, axis=0) * 500_000).stack().between(3_000, 6_000).all()


def _pair(t, year):
    """Teachers of ``year`` joined with their own row of the next year (inner)."""
    now, then = (t[t["year"] == y].set_index("teacher_id") for y in (year, year + 1))
    return now.merge(then, left_index=True, right_index=True, suffixes=("", "_next")), now, then


@pytest.mark.parametrize("year", TEACHER_YEARS[:-1])
def test_roster_continuity(teachers, year):
    pair, now, then = _pair(teachers, year)
    moved, stayed = pair[pair["rotated"]], pair[~pair["rotated"]]
    # every teacher who rotated is at another school of the same county, with 0 years
    assert len(moved) == now["rotated"].sum() > 0
    assert (moved["school_id_next"] != moved["school_id"]).all()
    assert (moved["adcode_next"] == moved["adcode"]).all()
    assert (moved["years_at_school_next"] == 0).all()
    assert moved["level_next"].isin(COMPULSORY).all()
    # stayers: same school, one year more; key teachers stay key
    assert (stayed["school_id_next"] == stayed["school_id"]).all()
    assert (stayed["years_at_school_next"] == stayed["years_at_school"] + 1).all()
    assert (pair["key_teacher_next"] >= pair["key_teacher"]).all()
    # some leave (the long-serving more often), new hires start at 0 years
    left = now[~now.index.isin(then.index)]
    hired = then[~then.index.isin(now.index)]
    assert 0.02 < len(left) / len(now) < 0.15
    assert left["years_at_school"].mean() > now["years_at_school"].mean()
    assert len(hired) > 0 and (hired["years_at_school"] == 0).all()


def test_eligible_and_rotated_rules(teachers):
    t = teachers
    compulsory = t["level"].isin(COMPULSORY)
    assert (t["eligible"] == (compulsory & (t["years_at_school"] >= 6))).all()
    assert not (t["rotated"] & ~t["eligible"]).any()
    assert (t["years_at_school"] >= 0).all() and (t["years_at_school"] > 12).any()


def test_rotation_and_key_teacher_spread(teachers):
    t = teachers[teachers["year"] == 2024]
    rate = _per_county(t, lambda g: g["rotated"].sum() / g["eligible"].sum())
    assert 0.02 <= rate.min() <= 0.05 and 0.15 <= rate.max() <= 0.20
    assert teachers.groupby("year")["key_teacher"].mean().between(0.10, 0.15).all()
    key_among_rotated = _per_county(t, lambda g: g.loc[g["rotated"], "key_teacher"].mean())
    assert key_among_rotated.min() <= 0.12 and key_among_rotated.max() >= 0.30


def test_rotation_trends(demo):
    i = demo.indicators[demo.indicators["year"] >= 2022].set_index(["year", "adcode"])
    rate = (i["teachers_rotated"] / i["teachers_eligible"]).unstack("year").astype(float)
    key = (i["key_teachers_rotated"] / i["teachers_rotated"]).unstack("year").astype(float)
    first, last = rate[2022], rate[2024]
    assert ((first < 0.10) & (last >= 0.10)).sum() >= 2  # reach 金华's 10%
    assert ((first < 0.10) & (last > first + 0.02)).sum() >= 3  # heading for it
    assert ((first >= 0.10) & (last < 0.10)).sum() >= 2  # fall away from it
    assert ((first < 0.10) & (last < first - 0.01)).sum() >= 2
    assert (key[2024] - key[2022]).abs().gt(0.03).sum() >= 10


# --- indicators: county aggregates ---------------------------------------------
def test_indicators_agree_with_records(demo, teachers):
    i = demo.indicators.set_index(["adcode", "year"]).sort_index()
    assert i.index.is_unique and sorted(i.index.unique("year")) == YEARS and len(i) == 33 * 5
    assert (
        i["name"] == i.index.get_level_values(0).map({a: n for a, (n, _) in POPULATION.items()})
    ).all()
    kg, t = demo.schools[demo.schools["level"] == "幼儿园"], teachers
    e = kg["enrolment"]
    kg_sums = pd.DataFrame(
        {"kg_enrolment": e, "public_kg_enrolment": e.where(kg["ownership"] == "公办", 0),
         "inclusive_kg_enrolment": e.where(kg["inclusive"].astype(bool), 0)}
    ).groupby([kg["adcode"], kg["year"]]).sum()  # fmt: skip
    teacher_sums = pd.DataFrame(
        {"teachers_eligible": t["eligible"], "teachers_rotated": t["rotated"],
         "key_teachers_rotated": t["rotated"] & t["key_teacher"]}
    ).groupby([t["adcode"], t["year"]]).sum()  # fmt: skip
    sums = kg_sums.join(teacher_sums)  # no teacher records, so blank counts, before 2022
    assert sums[teacher_sums.columns].isna().sum().eq(33 * 2).all()
    pd.testing.assert_frame_equal(sums, i[sums.columns], check_dtype=False, check_names=False)


def test_indicators_simulated_scenario(demo):
    i = demo.indicators
    assert i["disabled_enrolment_rate"].isna().all()  # counts are given instead
    rate = i["disabled_enrolled"] / i["disabled_children"]
    assert rate.between(0.85, 1.0).all() and (i["disabled_children"] > 0).all()
    now = i[i["year"] == 2024].assign(rate=rate, city=i["adcode"].str[:4])
    assert 5 <= (now["rate"] < 0.97).sum() <= 20 and (now["rate"] >= 0.97).sum() >= 10
    assert now["rate"].between(0.92, 1.0).all()
    funding = now.groupby("city")
    sped = funding["sped_funding_per_student"]
    assert sped.apply(lambda v: (v < 7000).sum())["1404"] >= 2 and sped.max()["1404"] > 7000
    assert sped.apply(lambda v: (v < 9000).sum())["3708"] >= 2 and sped.max()["3708"] > 9000
    assert sped.min()["4104"] >= 6000 and sped.max()["4104"] <= 8000
    assert 1 <= (now["kg_funding_per_student"] < 600).sum() <= 8
    changzhi = now[now["city"] == "1404"]
    for col, target in (("primary_funding_per_student", 720), ("junior_funding_per_student", 940)):
        assert (changzhi[col] < target).any() and (changzhi[col] >= target).any(), col
    assert i["primary_funding_per_student"].between(650, 900).all()
    assert i["junior_funding_per_student"].between(850, 1150).all()
    assert i["hs_funding_per_student"].between(900, 1600).all()
    # funding standards never fall from one year to the next
    for col in [c for c in i.columns if c.endswith(("_per_student", "_subsidy"))]:
        assert (i.sort_values("year").groupby("adcode")[col].diff().dropna() >= 0).all(), col


# --- schema and dtypes ----------------------------------------------------------
def test_schema_shape_and_aliases():
    schema = data.read_schema()
    assert list(schema.columns) == [
        "table", "column", "header_zh", "aliases", "dtype", "unit", "allowed", "required",
        "description",
    ]  # fmt: skip
    assert set(schema["table"]) == set(data.TABLES)
    assert set(schema["dtype"]) <= {"string", "int", "float", "share", "bool", "category"}
    assert schema["required"].dtype == bool
    assert (schema["header_zh"] != "").all() and (schema["description"] != "").all()
    for table, rows in schema.groupby("table"):
        names = [n.lower() for r in rows.itertuples() for n in (r.column, r.header_zh, *r.aliases.split("|")) if n]  # fmt: skip
        assert len(names) == len(set(names)), f"{table}: a header maps to two columns"
    with pytest.raises(ValueError, match="Unknown table"):
        data.read_schema("pupils")


@pytest.mark.parametrize("table", data.DEMO_TABLES)
def test_tables_follow_schema(demo, table):
    frame = getattr(demo, table)
    assert frame is not None, f"the bundled demo lacks {table}.csv (optional for users, not for it)"
    schema = data.read_schema(table)
    assert list(frame.columns) == schema["column"].tolist()
    for r in schema.itertuples():
        col = frame[r.column]
        if r.required:
            assert col.notna().all(), r.column
        if r.allowed and r.dtype == "category":
            assert set(col.dropna()) <= set(r.allowed.split("|")), r.column
        if r.dtype == "int":  # plain int64 unless the column has blanks
            assert col.dtype == ("Int64" if col.isna().any() else "int64"), r.column
            assert (col.dropna() >= 0).all(), r.column
        if r.dtype in ("float", "share"):
            assert col.dtype == "float64", r.column
        if r.dtype == "share":
            assert col.dropna().between(0, 1).all(), r.column
        if r.dtype == "bool":
            assert col.dtype in (bool, pd.BooleanDtype()), r.column
        if r.dtype in ("string", "category"):
            assert pd.api.types.is_string_dtype(col), r.column


def test_load_demo_dtypes_and_label(demo):
    assert demo.label == data.DEMO_LABEL == "示例数据（模拟）"
    assert demo.is_simulated is True
    assert "模拟" in data.DEMO_NOTE and "simulated" in data.DEMO_NOTE
    for frame in (demo.counties, demo.schools, demo.teachers, demo.indicators):
        assert frame["adcode"].str.fullmatch(r"\d{6}").all()
        assert frame["adcode"].map(type).eq(str).all()
    assert demo.schools["boarding"].dtype == bool
    assert demo.schools["inclusive"].dtype == pd.BooleanDtype()
    assert demo.teachers["rotated"].dtype == bool
    assert demo.schools["year"].dtype == "int64"
    assert demo.indicators["kg_enrolment"].dtype == "int64"  # no blanks
    assert demo.indicators["teachers_rotated"].dtype == pd.Int64Dtype()  # blank before 2022
    assert demo.indicators["sped_funding_per_student"].dtype == "float64"


def test_optional_resources_table(tmp_path):
    for folder, tables in (("all", GENERATED[:4]), ("old", GENERATED[:3])):
        (tmp_path / folder).mkdir()
        for table in tables:  # the first rows of each demo table are enough
            head = (data.DEMO_DIR / f"{table}.csv").read_bytes().split(b"\n")[:40]
            (tmp_path / folder / f"{table}.csv").write_bytes(b"\n".join(head) + b"\n")
    assert data.load_demo(tmp_path / "all").resources is None  # no resources.csv: no error
    # a demo written before indicators.csv existed
    with pytest.raises(FileNotFoundError, match="indicators"):
        data.load_demo(tmp_path / "old")


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
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.csv" for t in GENERATED)
    for table in GENERATED:
        fresh = (tmp_path / f"{table}.csv").read_bytes()
        assert fresh.startswith(b"\xef\xbb\xbf"), f"{table}.csv lacks the UTF-8 BOM"
        assert fresh == (data.DEMO_DIR / f"{table}.csv").read_bytes(), f"{table}.csv differs"


def test_load_demo_results_are_independent():
    """Changing one load_demo() result (a cell, a new column, a whole column) leaves the next intact."""
    first = data.load_demo()
    original = int(first.teachers.loc[0, "years_at_school"])
    first.teachers.loc[0, "years_at_school"] = original + 99
    first.teachers["extra"] = 1
    first.schools["enrolment"] *= 0
    again = data.load_demo()
    assert int(again.teachers.loc[0, "years_at_school"]) == original
    assert "extra" not in again.teachers.columns
    assert again.schools["enrolment"].sum() > 0 == first.schools["enrolment"].sum()


def test_demo_records_leave_the_rosters_on_disk_and_give_the_same_scorecard(demo):
    """What the dashboards open: the record tables on the engine, the same check() result."""
    import toolkit
    from toolkit import engine

    rec = data.demo_records()
    assert all(engine.is_table(getattr(rec, t)) for t in ("schools", "teachers", "resources"))
    assert rec.label == data.DEMO_LABEL
    pd.testing.assert_frame_equal(rec.counties, demo.counties)
    keys = ["adcode", "rule", "measure", "year"]
    for profile in ("pingdingshan", "jinhua"):  # rules on schools, teachers and resources
        got = toolkit.check(rec, profile, progress=False).sort_values(keys, ignore_index=True)
        want = toolkit.check(demo, profile, progress=False).sort_values(keys, ignore_index=True)
        assert len(got) > 100
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
