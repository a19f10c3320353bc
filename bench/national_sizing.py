"""Sizing of the national benchmark (``bench/make_national.py``): counties, populations, targets.

**Every education figure is simulated**; county codes, names and 2020 census
populations are real. This module decides *how big* each county's school system
is; ``national_schools.py`` and ``national_teachers.py`` fill it in.

National targets (anchor year :data:`ANCHOR` = 2023, from memory of 教育部
《2023年全国教育事业发展统计公报》, rounded; the generator is calibrated so the
mainland total of the anchor year lands near them):

============  =========  ==========================  ===================
stage         schools    pupils                      full-time teachers
============  =========  ==========================  ===================
幼儿园         274,400    40.9 M (在园幼儿)            3.07 M
小学           143,500    108.4 M                     6.66 M
初中阶段        52,500    52.4 M                      4.03 M
普通高中        15,400    28.0 M                      2.22 M
特殊教育学校     2,345    ~0.33 M in the schools      0.077 M
============  =========  ==========================  ===================

That is ~488,000 schools and ~16.05 M basic-education teachers (the often-quoted
1,891.78万 专任教师 counts every level, higher education included). The junior
and senior stages are split over the canonical levels (an assumption, the
bulletin does not give it): 初中 30,000 + 九年一贯制 15,500 + 十二年一贯制 2,000
+ 完全中学 5,000 = 52,500 junior-stage schools; 高中 8,400 + 完全中学 + 十二年一贯制
= 15,400 senior-stage schools (:data:`SCHOOL_TARGETS`).

How a county is sized (all per-county draws come from ``default_rng([seed,
adcode, stream])``, all per-province ones from ``[seed, province_adcode, 0]``,
so a county's figures do not depend on which other counties are generated):

- pupils of each stage = population × national rate × the province's child
  multiplier (:data:`CHILD`: few children in 东北/上海, many in 贵州/广西/河南 …;
  rough, for realism) × U(0.9, 1.1);
- schools of each level = k × population^b × kind factor (市辖区 0.55, 县级市
  0.85, 县/旗 1: districts have fewer, larger schools) × the child multiplier ×
  a province factor lognormal(0, 0.15) × a county factor lognormal(0, 0.15);
  k is calibrated over the whole mainland (expected values, no county noise)
  so the anchor-year total meets the target, whatever ``--scale`` is run;
- special-education schools: a county of ≥ 200,000 people has one with the
  province's coverage U(0.84, 0.98) (so some lack one: realistic gaps),
  ≥ 1.2 M people sometimes two, 50–200k 30 %, smaller 5 %; 60 % of prefecture
  cities also run a city school in one of their districts.

Counties (:func:`county_table`): every unit of ``toolkit.geo.read_counties()``
(2,875). 香港 (18), 澳门 (8), 台湾 (1) and 金门县 (350527, administered by
Taiwan) are listed with no population and no schools: mainland education
statistics and the census do not cover them. Population is the 2020 census
(``toolkit.data.census_population()``); for the 13 mainland units the census
lacks (codes changed after 2020), in this order:

1. ``predecessor``: the sum of the census units whose old codes the toolkit's
   code history recodes to the unit (三元区 = 梅列区 + 三元区, 孟津区 = 孟津县 +
   吉利区, 偃师区, 沙县区, 长泰区, 黔西市);
2. ``remainder``: the part of the census prefecture total not tabulated under
   any of today's units (nor a development zone), shared equally by the city's
   units still lacking a figure (临平区/钱塘区, 龙海区, 加格达奇区, 海西州直辖,
   三沙's two districts);
3. ``median``: the median census population of the city's units (else the
   province's).

``population_source`` says which, in words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ANCHOR = 2023
CENSUS_SOURCE = "第七次全国人口普查（2020）常住人口"
#: Units outside mainland education statistics: listed, no population, no schools.
OUT_OF_SCOPE_PROVINCES = ("710000", "810000", "820000")
OUT_OF_SCOPE_COUNTIES = {"350527": "金门县由台湾地区管辖"}

#: Schools open in the anchor year, mainland total (see the module docstring).
SCHOOL_TARGETS = {
    "幼儿园": 274_400, "小学": 143_500, "初中": 30_000, "九年一贯制": 15_500,
    "十二年一贯制": 2_000, "完全中学": 5_000, "高中": 8_400,
}  # fmt: skip
#: Pupils of the anchor year by stage, mainland total.
PUPIL_TARGETS = {"kg": 40.93e6, "primary": 108.36e6, "junior": 52.44e6, "senior": 28.04e6}
#: Pupils per full-time teacher by stage (national 2023 pupils ÷ teachers; the special
#: schools' figure assumes ~0.33 M pupils in them).
PUPILS_PER_TEACHER = {"kg": 13.3, "primary": 16.3, "junior": 13.0, "senior": 12.6, "special": 4.3}
#: Exponent b of population in the school count (below 1: big counties, bigger schools).
COUNT_EXPONENT = {"幼儿园": 0.85, "小学": 0.8, "初中": 0.9, "九年一贯制": 0.8,
                  "十二年一贯制": 1.0, "完全中学": 0.9, "高中": 0.9}  # fmt: skip
#: School-count factor by kind of unit: urban districts have fewer, larger schools.
KIND_FACTOR = {"district": 0.55, "city": 0.85, "county": 1.0}
#: Share of the register closed (by the start of) each year / opened that year, by level.
#: Kindergartens shrink with the births (29.2万 in 2020 → 27.4万 in 2023), small rural
#: primary schools are merged; a few schools open, most in the secondary stages.
CLOSE = {
    "幼儿园": {2021: 0.005, 2022: 0.02, 2023: 0.045, 2024: 0.07},
    "小学": {2021: 0.025, 2022: 0.025, 2023: 0.025, 2024: 0.025},
    "初中": {2021: 0.008, 2022: 0.008, 2023: 0.008, 2024: 0.01},
}
OPEN = {
    "幼儿园": {2021: 0.012, 2022: 0.006},
    "初中": {2021: 0.004, 2022: 0.004, 2023: 0.004, 2024: 0.004},
    "九年一贯制": {2021: 0.01, 2022: 0.01, 2023: 0.01, 2024: 0.01},
    "高中": {2021: 0.015, 2022: 0.015, 2023: 0.015, 2024: 0.012},
}

#: Province child multiplier (pupils per person relative to the national rate), rough.
CHILD = {
    "11": 0.65, "12": 0.75, "13": 1.15, "14": 0.95, "15": 0.8, "21": 0.6, "22": 0.6,
    "23": 0.5, "31": 0.5, "32": 0.85, "33": 0.85, "34": 1.05, "35": 1.05, "36": 1.2,
    "37": 1.05, "41": 1.3, "42": 0.95, "43": 1.1, "44": 1.05, "45": 1.3, "46": 1.15,
    "50": 0.85, "51": 0.9, "52": 1.35, "53": 1.1, "54": 1.3, "61": 0.95, "62": 1.05,
    "63": 1.15, "64": 1.2, "65": 1.25,
}  # fmt: skip
COUNTY_COLUMNS = ["adcode", "name", "city", "city_adcode", "province", "province_adcode",
                  "population", "population_source"]  # fmt: skip


def kind_of(name: str) -> str:
    """``district`` (市辖区), ``city`` (县级市) or ``county`` (县、旗、林区、特区 …)."""
    if name.endswith("区") and not name.endswith(("林区", "特区")):
        return "district"
    return "city" if name.endswith("市") else "county"


def _census_lookup(census: pd.DataFrame, current: set[str]) -> tuple[dict, dict]:
    """(adcode → population) of today's units, (adcode → [(old code, name, pop)]) recoded."""
    from toolkit import adcodes

    units = census[census["level"] == "county"]
    direct = dict(zip(units["adcode"], units["population"].astype(int), strict=True))
    old = units[~units["adcode"].isin(current)]
    recoded: dict[str, list] = {}
    if len(old):
        hits = adcodes.recode(old["adcode"]).set_index("code")
        for code, name, pop in old[["adcode", "name", "population"]].itertuples(index=False):
            if hits.at[code, "status"] == "recoded":
                recoded.setdefault(hits.at[code, "adcode"], []).append((code, name, int(pop)))
    return direct, recoded


def county_table(counties: pd.DataFrame | None = None, census: pd.DataFrame | None = None):
    """Every county-level unit with its population, its source and whether it gets schools.

    Returns ``COUNTY_COLUMNS`` plus ``in_scope`` (mainland: gets schools) and ``kind``,
    sorted by adcode; ``population`` is nullable (empty outside the scope).
    """
    if counties is None:
        from toolkit.geo import read_counties

        counties = pd.DataFrame(read_counties(simplified="national").drop(columns="geometry"))
    if census is None:
        from toolkit.data import census_population

        census = census_population()
    out = counties[COUNTY_COLUMNS[:6]].sort_values("adcode", ignore_index=True).copy()
    out["in_scope"] = ~out["province_adcode"].isin(OUT_OF_SCOPE_PROVINCES) & ~out["adcode"].isin(
        list(OUT_OF_SCOPE_COUNTIES)
    )
    direct, recoded = _census_lookup(census, set(out["adcode"]))
    pop, source = {}, {}
    for a in out.loc[out["in_scope"], "adcode"]:
        if a in direct:
            pop[a], source[a] = direct[a], CENSUS_SOURCE
        elif a in recoded:
            parts = recoded[a]
            pop[a] = sum(p for *_, p in parts)
            names = "、".join(f"{c} {n}" for c, n, _ in parts)
            source[a] = f"{CENSUS_SOURCE}：由旧区划 {names} 合计（普查后区划调整）"
    # remainder of the prefecture total, shared by the city's units still lacking a figure
    totals = census[census["level"] == "prefecture"].set_index("adcode")["population"]
    zones = census[census["level"] == "zone"]
    lacking = out[out["in_scope"] & ~out["adcode"].isin(list(pop))]
    for city, group in lacking.groupby("city_adcode"):
        if city not in totals.index:
            continue
        members = out.loc[out["city_adcode"] == city, "adcode"]
        known = sum(pop.get(a, 0) for a in members)
        in_zones = int(zones.loc[zones["adcode"].str[:4] == city[:4], "population"].sum())
        rest = int(totals[city]) - known - in_zones
        if rest >= 1_000 * len(group):
            share = rest // len(group)
            for a in group["adcode"]:
                pop[a] = share
                source[a] = (
                    f"估算：{CENSUS_SOURCE}地市合计中未计入现行区县的部分"
                    f"（{rest:,} 人，由 {len(group)} 个缺普查数的单位平分）"
                )
    for a, city, prov in out.loc[
        out["in_scope"] & ~out["adcode"].isin(list(pop)), ["adcode", "city_adcode", "province"]
    ].itertuples(index=False):
        same = [pop[b] for b in out.loc[out["city_adcode"] == city, "adcode"] if b in direct]
        where = "同地市"
        if not same:
            same = [pop[b] for b in out.loc[out["province"] == prov, "adcode"] if b in direct]
            where = "同省"
        pop[a] = int(np.median(same))
        source[a] = f"估算：{where}有普查数区县常住人口的中位数"
    out["population"] = out["adcode"].map(pop).astype("Int64")
    outside = out.loc[~out["in_scope"], ["adcode", "province"]]
    out["population_source"] = out["adcode"].map(source)
    out.loc[outside.index, "population_source"] = [
        f"不在本数据集范围：{OUT_OF_SCOPE_COUNTIES.get(a, p)}（不含于第七次全国人口普查及内地教育统计），无学校数据"
        for a, p in outside.itertuples(index=False)
    ]
    out["kind"] = out["name"].map(kind_of)
    return out


def province_factors(province_adcode: str, seed: int) -> dict:
    """A province's parameters (stream ``[seed, province_adcode, 0]``)."""
    rng = np.random.default_rng([seed, int(province_adcode), 0])
    return {
        "density": dict(
            zip(SCHOOL_TARGETS, rng.lognormal(0, 0.15, len(SCHOOL_TARGETS)), strict=True)
        ),
        "kg_public": rng.uniform(0.42, 0.74),  # centre of the counties' public KG share
        "special_coverage": rng.uniform(0.84, 0.98),  # ≥200k counties with a school
        "boarding": rng.uniform(0.6, 1.6),
        "nine_year": rng.lognormal(0, 0.35),  # preference for 九年一贯制
    }


def _survival(level: str, years: range) -> float:
    """Schools open in the anchor year per register school at the start (closures, openings)."""
    closed = sum(CLOSE.get(level, {}).get(y, 0.0) for y in years if years[0] < y <= ANCHOR)
    opened = sum(OPEN.get(level, {}).get(y, 0.0) for y in years if years[0] < y <= ANCHOR)
    return 1.0 - closed + opened


@dataclass(frozen=True)
class Calibration:
    """National constants that make the mainland total of the anchor year meet the targets."""

    count_k: dict[str, float]  # level → k in k × pop^b × factors
    pupil_rate: dict[str, float]  # stage → pupils per person (before the child multiplier)
    register: dict[str, float]  # level → register schools per anchor-year school


def expected_counts(table: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Per in-scope county and level: pop^b × kind × child × province density (no k, no noise)."""
    scope = table[table["in_scope"]]
    pop = scope["population"].astype(float).to_numpy()
    child = scope["province_adcode"].str[:2].map(CHILD).to_numpy()
    prov = {p: province_factors(p, seed) for p in scope["province_adcode"].unique()}
    out = {}
    for level, b in COUNT_EXPONENT.items():
        kind = scope["kind"].map(KIND_FACTOR).to_numpy()
        if level in ("高中", "完全中学"):  # city-run senior schools sit in districts
            kind = np.where(scope["kind"] == "district", 0.8, kind)
        dens = scope["province_adcode"].map(lambda p, lv=level: prov[p]["density"][lv])
        if level == "九年一贯制":
            dens = dens * scope["province_adcode"].map(lambda p: prov[p]["nine_year"])
        out[level] = pop**b * kind * child**0.7 * dens.to_numpy()
    return pd.DataFrame(out, index=scope["adcode"].to_numpy())


def calibrate(table: pd.DataFrame, seed: int, years: range) -> Calibration:
    """The national constants from every in-scope county (cheap; the same at every scale)."""
    scope = table[table["in_scope"]]
    pop = scope["population"].astype(float).to_numpy()
    child = scope["province_adcode"].str[:2].map(CHILD).to_numpy()
    exp = expected_counts(table, seed)
    count_k = {lv: SCHOOL_TARGETS[lv] / exp[lv].sum() for lv in SCHOOL_TARGETS}
    weight = {"kg": child, "primary": child, "junior": child**0.8, "senior": child**0.5}
    rate = {s: PUPIL_TARGETS[s] / float((pop * weight[s]).sum()) for s in PUPIL_TARGETS}
    register = {lv: 1.0 / _survival(lv, years) for lv in SCHOOL_TARGETS}
    return Calibration(count_k, rate, register)


def stage_weights(province_adcode: str) -> dict[str, float]:
    """The child multiplier of each stage in a province (as :func:`calibrate` uses it)."""
    c = CHILD[province_adcode[:2]]
    return {"kg": c, "primary": c, "junior": c**0.8, "senior": c**0.5}
