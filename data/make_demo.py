"""Generate the demo data set (示例数据（模拟）) in ``data/demo/``.

Boundaries and populations are real (第七次全国人口普查, 2020); every education
figure is simulated. The special-education scenario is fixed by hand (see
``SPECIAL`` and data/README.md) because tests check it county by county.
Output is deterministic byte for byte for a given seed.

Tables: ``counties``; ``schools`` (2020–2024, this module); ``teachers``
(2022–2024, an evolving roster: ``demo_teachers.py``); ``indicators`` (county
aggregates 2020–2024: ``demo_indicators.py``).

Usage::

    python data/make_demo.py                 # writes data/demo/*.csv
    python data/make_demo.py --out /tmp/demo # anywhere else

>>> import tempfile, pathlib
>>> paths = main(pathlib.Path(tempfile.mkdtemp()))
>>> sorted(p.name for p in paths)
['counties.csv', 'indicators.csv', 'resources.csv', 'schools.csv', 'teachers.csv']
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from demo_indicators import build_indicators
from demo_teachers import county_teachers

SEED = 20230601
YEARS = (2020, 2021, 2022, 2023, 2024)
#: The order the years' enrolment noise is drawn in: 2022–2024 first, so their figures
#: are those of the earlier three-year demo; 2021 and 2020 were added after.
DRAW_ORDER = (2022, 2023, 2024, 2021, 2020)
POPULATION_SOURCE = "第七次全国人口普查（2020）常住人口"

# city_adcode: (city, province, province_adcode, public-kindergarten share range in 2024)
CITIES = {
    "140400": ("长治市", "山西省", "140000", (0.35, 0.78)),
    "410400": ("平顶山市", "河南省", "410000", (0.37, 0.75)),
    "370800": ("济宁市", "山东省", "370000", (0.50, 0.90)),
}
# Real 2020 census resident population (NBS county tabulation, see data/README.md).
COUNTIES = [
    ("140403", "潞州区", 895280), ("140404", "上党区", 319660), ("140405", "屯留区", 253756),
    ("140406", "潞城区", 219256), ("140423", "襄垣县", 260081), ("140425", "平顺县", 115927),
    ("140426", "黎城县", 134186), ("140427", "壶关县", 240109), ("140428", "长子县", 298690),
    ("140429", "武乡县", 155386), ("140430", "沁县", 138578), ("140431", "沁源县", 149975),
    ("410402", "新华区", 336957), ("410403", "卫东区", 315705), ("410404", "石龙区", 42066),
    ("410411", "湛河区", 345928), ("410421", "宝丰县", 498157), ("410422", "叶县", 702345),
    ("410423", "鲁山县", 788472), ("410425", "郏县", 506377), ("410481", "舞钢市", 294839),
    ("410482", "汝州市", 974541),
    ("370811", "任城区", 1245371), ("370812", "兖州区", 540662), ("370826", "微山县", 613421),
    ("370827", "鱼台县", 420010), ("370828", "金乡县", 634144), ("370829", "嘉祥县", 820036),
    ("370830", "汶上县", 687544), ("370831", "泗水县", 542895), ("370832", "梁山县", 730683),
    ("370881", "曲阜市", 621971), ("370883", "邹城市", 1166559),
]  # fmt: skip

# Special education, the same in every year: ("school", meets_standard),
# ("class", level, number of classes) on one non-boarding school, or ("none",).
SCHOOL, SUBSTANDARD, NONE = ("school", True), ("school", False), ("none",)
SPECIAL = {
    "140403": SCHOOL, "140404": SCHOOL, "140405": ("class", "小学", 2), "140406": NONE,
    "140423": SUBSTANDARD, "140425": ("class", "九年一贯制", 1), "140426": NONE,
    "140427": SCHOOL, "140428": SCHOOL, "140429": ("class", "小学", 1), "140430": SCHOOL,
    "140431": NONE,
    "410402": SCHOOL, "410403": SCHOOL, "410404": ("class", "小学", 1),
    "410411": ("class", "初中", 1), "410421": SCHOOL, "410422": SCHOOL, "410423": SUBSTANDARD,
    "410425": SCHOOL, "410481": NONE, "410482": SCHOOL,
    **{a: SCHOOL for a, _, _ in COUNTIES if a.startswith("3708")},
    "370827": NONE,
}  # fmt: skip
# Public-kindergarten share: the yearly change is drawn (-1 to +5 points) except here,
# fixed by hand so that two counties are 有风险 (at most 5 points short in 2027) for
# 济宁's 80% (泗水县) and the national 60% (金乡县, 宝丰县 flat).
KG_TREND = {"370831": 0.025, "370828": 0.02, "410421": 0.0}
SPECIAL_NAMES = {"140430": "沁县特殊教育中心学校", "370812": "兖州区特殊教育学校"}  # real schools

# level: id code, boarding probability (rural; urban x0.4)
LEVELS = {
    "幼儿园": ("KG", 0.0),
    "小学": ("PS", 0.08),
    "初中": ("JS", 0.55),
    "九年一贯制": ("NS", 0.45),
    "十二年一贯制": ("TS", 1.0),
    "完全中学": ("CS", 0.7),
    "高中": ("HS", 0.85),
    "特殊教育学校": ("SE", 0.6),
}
SCHOOL_COLUMNS = ["school_id", "name", "adcode", "year", "level", "ownership", "inclusive",
                  "enrolment", "boarding", "special_classes", "meets_standard"]  # fmt: skip

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯董"
SETTLEMENTS = "庄村寨营屯集店堡楼桥岗湾"
KG_BRANDS = (
    "小太阳 金色童年 七彩虹 阳光 蓝天 启蒙 育英 博雅 童心 爱心 晨光 春苗 新星 贝贝 快乐 小天使 "
    "星星 向日葵 红苹果 金太阳 童趣 乐乐 未来星 小树苗 明德 惠民 育苗 花蕾 彩虹桥 小百灵 金钥匙 "
    "小海燕 小白鸽 朝阳 新苗 嘉禾 佳佳 小雨点"
).split()
SCHOOL_BRANDS = "育英 育才 明德 博文 启明 求实 英才 弘文 致远 崇文 文昌 立德".split()
DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..999 in Chinese numerals: ``chinese_number(23) == '二十三'``."""
    h, t, u = n // 100, n // 10 % 10, n % 10
    s = f"{DIGITS[h]}百" if h else ""
    if t:
        s += ("" if t == 1 and not h else DIGITS[t]) + "十"
    elif h and u:
        s += "零"
    return s + (DIGITS[u] if u else "")


class Namer:
    """Unique simulated school names within one county."""

    def __init__(self, county: str, rng: np.random.Generator) -> None:
        self.county, self.used = county, set()
        places = [s + p for s in SURNAMES for p in SETTLEMENTS]
        self.places = [places[i] for i in rng.permutation(len(places))]
        self.ordinal: dict[str, int] = {}

    def _take(self, name: str) -> str | None:
        if name in self.used:
            return None
        self.used.add(name)
        return name

    def ordinal_name(self, kind: str, key: str | None = None) -> str:
        key = key or kind
        while True:
            self.ordinal[key] = self.ordinal.get(key, 0) + 1
            name = self._take(f"{self.county}第{chinese_number(self.ordinal[key])}{kind}")
            if name:
                return name

    def place_name(self, kind: str) -> str:
        for p in self.places:
            if name := self._take(f"{self.county}{p}{kind}"):
                return name
        return self.ordinal_name(kind)

    def brand_name(self, kind: str, brands: list[str]) -> str:
        for b in brands:
            if name := self._take(f"{self.county}{b}{kind}"):
                return name
        for p in self.places:
            for b in brands:
                if name := self._take(f"{self.county}{p}{b}{kind}"):
                    return name
        return self.ordinal_name(kind)

    def fixed(self, name: str) -> str:
        return self._take(name) or self.ordinal_name(name.removeprefix(self.county))


def county_parameters(seed: int) -> pd.DataFrame:
    """Per-county simulation parameters, spread deliberately across their ranges."""
    rng = np.random.default_rng(seed)
    rows = pd.DataFrame(COUNTIES, columns=["adcode", "name", "population"])
    rows["city_adcode"] = rows["adcode"].str[:4] + "00"
    share = pd.Series(0.0, index=rows.index)
    for city, (*_, (lo, hi)) in CITIES.items():
        idx = rows.index[rows["city_adcode"] == city]
        spread = np.linspace(lo, hi, len(idx))[rng.permutation(len(idx))]
        share[idx] = spread + rng.normal(0, 0.004, len(idx))
    rows["kg_public_2024"] = share
    n = len(rows)
    rows["rotation_rate"] = np.linspace(0.031, 0.178, n)[rng.permutation(n)]
    rows["key_share_rotated"] = np.linspace(0.08, 0.35, n)[rng.permutation(n)]
    rows["urban"] = rows["name"].str.endswith("区")  # 市辖区
    # yearly change of the rotation rate (capped so 2022 stays at 1.5% or more) and of
    # the key-teacher share of the rotated; both are anchored at their 2024 values
    trend = np.linspace(-0.02, 0.025, n)[rng.permutation(n)]
    rows["rotation_trend"] = np.minimum(trend, (rows["rotation_rate"] - 0.015) / 2)
    rows["key_share_trend"] = np.linspace(-0.04, 0.04, n)[rng.permutation(n)]
    return rows


def _allocate(total: float, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split ``total`` pupils over schools by weight, with year-to-year noise."""
    if len(weights) == 0:
        return np.zeros(0, dtype=np.int64)
    w = weights * np.exp(rng.normal(0, 0.05, len(weights)))
    return np.rint(total * w / w.sum()).astype(np.int64)


def county_plan(c: pd.Series, rng: np.random.Generator) -> dict:
    """How big one county's school system is: 2024 totals, growth and school counts."""
    p, pop = c.population / 500_000, c.population
    size = 0.55 if c.urban else 1.0  # districts: fewer, larger schools
    kg, pri, jun, sen = (
        pop * rng.uniform(lo, hi)
        for lo, hi in ((0.029, 0.035), (0.070, 0.080), (0.034, 0.040), (0.015, 0.020))
    )
    g_kg, g_pri = rng.uniform(-0.13, -0.05), rng.uniform(-0.03, 0.01)
    g_jun, g_sen = rng.uniform(0.0, 0.04), rng.uniform(0.02, 0.06)
    nine = rng.uniform(0.04, 0.10)
    twelve = 0.01 if pop > 400_000 and rng.random() < 0.5 else 0.0
    complete = rng.random() < 0.4
    cs_jun, cs_sen = (0.06 * jun, 0.12 * sen) if complete else (0.0, 0.0)
    return {
        "kg": (kg, g_kg),
        "totals": {  # level: (2024 enrolment, yearly growth)
            "小学": (pri * (1 - nine) * (1 - twelve), g_pri),
            "初中": (jun * (1 - nine) * (1 - twelve) - cs_jun, g_jun),
            "九年一贯制": (nine * (pri + jun), (g_pri + g_jun) / 2),
            "十二年一贯制": (twelve * (pri + jun + sen), (g_pri + g_sen) / 2),
            "完全中学": (cs_jun + cs_sen, (g_jun + g_sen) / 2),
            "高中": (sen * (1 - twelve) - cs_sen, g_sen),
        },
        "counts": {
            "幼儿园": max(4, round(150 * p * size * rng.uniform(0.8, 1.2))),
            "小学": max(2, round(100 * p * size * rng.uniform(0.75, 1.25))),
            "初中": max(1, round(28 * p * size * rng.uniform(0.8, 1.2))),
            "九年一贯制": int(np.clip(round((2 + 3 * p) * rng.uniform(0.7, 1.3)), 1, 8)),
            "十二年一贯制": int(twelve > 0),
            "完全中学": int(complete),
            "高中": int(np.clip(round(1 + 1.5 * p), 1, 4)),
        },
        "standard": rng.uniform(0.88, 0.95),  # share meeting the standard in 2024
        "inclusive": rng.uniform(0.40, 0.80),  # private kindergartens that are 普惠 in 2024
        "kg_trend": rng.uniform(-0.01, 0.05),  # yearly change of the public share
    }


def _school_name(
    namer: Namer, level: str, i: int, private: bool, urban: bool, rng: np.random.Generator
) -> str:
    if level == "十二年一贯制":
        return namer.brand_name("学校", SCHOOL_BRANDS)
    if private:
        kind = {"小学": "小学", "初中": "中学", "九年一贯制": "学校"}.get(level, "高级中学")
        return namer.brand_name(kind, SCHOOL_BRANDS)
    if level in ("高中", "完全中学"):
        return namer.ordinal_name("中学")
    if i == 0 and level in ("小学", "九年一贯制"):
        return namer.fixed(f"{namer.county}实验{'小学' if level == '小学' else '学校'}")
    if level == "九年一贯制":
        return namer.place_name("九年一贯制学校")
    if rng.random() < (0.6 if urban else 0.1):
        return namer.ordinal_name("小学" if level == "小学" else "初级中学")
    return namer.place_name("小学" if level == "小学" else "中学")


def school_register(c: pd.Series, plan: dict, rng: np.random.Generator) -> list[dict]:
    """The schools of one county with their stable attributes (the same every year)."""
    namer, schools = Namer(c["name"], rng), []

    def add(level: str, name: str, ownership: str, weight: float, **extra) -> None:
        code, board = LEVELS[level]
        seq = sum(s["level"] == level for s in schools) + 1
        boarding = extra.pop("boarding", rng.random() < board * (0.4 if c.urban else 1.0))
        schools.append(
            {"school_id": f"{c.adcode}-{code}-{seq:04d}", "name": name, "level": level,
             "ownership": ownership, "boarding": bool(boarding), "weight": weight,
             "special_classes": 0, "u_standard": rng.random(), **extra}
        )  # fmt: skip

    # kindergartens: public ones fewer but larger; private ones 普惠 or not
    n_kg = plan["counts"]["幼儿园"]
    n_pub = int(np.clip(round(n_kg * (0.2 + 0.65 * c.kg_public_2024)), 1, n_kg - 1))
    for i in range(n_kg):
        if i < n_pub:
            ordinal = rng.random() < (0.5 if c.urban else 0.15)
            name = namer.ordinal_name("幼儿园") if ordinal else namer.place_name("幼儿园")
            add("幼儿园", name, "公办", rng.lognormal(0, 0.5), boarding=False)
        else:
            name = namer.brand_name("幼儿园", KG_BRANDS)
            add("幼儿园", name, "民办", rng.lognormal(0, 0.7), boarding=False, u_incl=rng.random())
    for level in ("小学", "初中", "九年一贯制", "高中", "完全中学", "十二年一贯制"):
        sigma = {"小学": 0.8, "初中": 0.5}.get(level, 0.35) * (0.6 if c.urban else 1.0)
        for i in range(plan["counts"][level]):
            private = level == "十二年一贯制" or (i > 0 and rng.random() < 0.05)
            name = _school_name(namer, level, i, private, c.urban, rng)
            add(level, name, "民办" if private else "公办", rng.lognormal(0, sigma))

    spec = SPECIAL[c.adcode]
    if spec[0] == "school":
        name = namer.fixed(SPECIAL_NAMES.get(c.adcode, f"{c['name']}特殊教育学校"))
        base = 60 if c.adcode == "140430" else rng.uniform(50, 280)
        growth = rng.uniform(-0.04, 0.08)
        add("特殊教育学校", name, "公办", 1.0, meets=spec[1], base=base, growth=growth)
    elif spec[0] == "class":
        host = [s for s in schools if s["level"] == spec[1] and s["ownership"] == "公办"]
        host[rng.integers(len(host))].update(boarding=False, special_classes=spec[2])
    return schools


def _pool(s: dict) -> str:
    """Schools sharing one enrolment total: kindergartens by ownership, others by level."""
    return s["level"] + s["ownership"] if s["level"] == "幼儿园" else s["level"]


def county_schools(c: pd.Series, seed: int) -> pd.DataFrame:
    """All school-year rows of one county."""
    rng = np.random.default_rng([seed, int(c.adcode)])
    plan = county_plan(c, rng)
    schools = school_register(c, plan, rng)
    pools: dict[str, list[int]] = {}  # pool -> positions in ``schools``
    for i, s in enumerate(schools):
        pools.setdefault(_pool(s), []).append(i)
    rows = []
    for year in DRAW_ORDER:
        t = year - 2024
        kg, g_kg = plan["kg"]
        trend = KG_TREND.get(c.adcode, plan["kg_trend"])
        share = np.clip(c.kg_public_2024 + trend * t, 0.2, 0.97)
        totals = {"幼儿园公办": kg * share, "幼儿园民办": kg * (1 - share)}
        totals = {k: v * (1 + g_kg) ** t for k, v in totals.items()}
        totals |= {k: v * (1 + g) ** t for k, (v, g) in plan["totals"].items()}
        enrol = {}
        for pool, total in totals.items():
            idx = pools.get(pool, [])
            w = np.array([schools[i]["weight"] for i in idx])
            enrol.update(zip(idx, _allocate(total, w, rng), strict=True))
        for i, s in enumerate(schools):
            row = {k: s[k] for k in ("school_id", "name", "level", "ownership", "boarding")}
            if s["level"] == "特殊教育学校":
                n = int(np.clip(round(s["base"] * (1 + s["growth"]) ** t), 40, 300))
                meets = s["meets"]
            else:
                n = int(enrol[i])
                meets = bool(s["u_standard"] < plan["standard"] + 0.02 * t)
            inclusive = None
            if s["level"] == "幼儿园":
                private_inclusive = s.get("u_incl", 1.0) < plan["inclusive"] + 0.03 * t
                inclusive = s["ownership"] == "公办" or bool(private_inclusive)
            row |= {"adcode": c.adcode, "year": year, "inclusive": inclusive,
                    "enrolment": max(n, 0), "special_classes": s["special_classes"],
                    "meets_standard": meets}  # fmt: skip
            rows.append(row)
    return pd.DataFrame(rows)[SCHOOL_COLUMNS]


def build(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The four demo tables as DataFrames."""
    params = county_parameters(seed)
    counties = params[["adcode", "name", "city_adcode", "population"]].copy()
    counties["city"] = counties["city_adcode"].map(lambda a: CITIES[a][0])
    counties["province"] = counties["city_adcode"].map(lambda a: CITIES[a][1])
    counties["province_adcode"] = counties["city_adcode"].map(lambda a: CITIES[a][2])
    counties["population_source"] = POPULATION_SOURCE
    counties = counties[["adcode", "name", "city", "city_adcode", "province",
                         "province_adcode", "population", "population_source"]]  # fmt: skip
    schools, teachers = [], []
    for _, c in params.iterrows():
        s = county_schools(c, seed)
        schools.append(s)
        teachers.append(county_teachers(c, s, seed))
    by_year = ["year", "school_id"]
    tables = {
        "counties": counties,
        "schools": pd.concat(schools).sort_values(by_year, kind="stable"),
        "teachers": pd.concat(teachers).sort_values(["year", "teacher_id"], kind="stable"),
    }
    tables["indicators"] = build_indicators(params, tables["schools"], tables["teachers"], seed)
    return tables


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM (Excel reads the Chinese), ``\\n`` line ends, bools as true/false."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == bool or col == "inclusive":
            out[col] = out[col].map({True: "true", False: "false"}).fillna("")
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def main(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write counties, schools, teachers, indicators and resources (.csv) into ``out_dir``."""
    from make_resources import main as write_resources  # data/make_resources.py, beside this file

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for table, df in build(seed).items():
        path = out_dir / f"{table}.csv"
        write_csv(df, path)
        paths.append(path)
    return [*paths, write_resources(out_dir)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Generate the demo data (示例数据（模拟）).")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "demo")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for p in main(args.out, args.seed):
        print(f"{p}  {p.stat().st_size:,} bytes")
