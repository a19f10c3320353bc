"""Schools and per-school resources of one county for the national benchmark (simulated).

Part of ``bench/make_national.py``; **every figure is simulated**, nothing describes
a real school. One county at a time, from its own numpy streams
(``[seed, adcode, 1]`` plan, ``[seed, adcode, 2]`` register and enrolment,
``[seed, adcode, 4]`` resources), so a county's schools are the same whichever
scale is generated.

- **Register.** The schools of every level (sized in ``national_sizing.py``)
  with a stable ``school_id`` (``adcode-LEVEL-nnnn``, the demo's form), a name
  unique in the county, ownership, boarding and a size weight (lognormal;
  smaller spread in districts). A few close and a few open during the years
  (``national_sizing.CLOSE`` / ``OPEN``: kindergartens close as births fall,
  small rural primary schools merge; the smallest go first; new schools meet
  the building standard): a school has a row only in the years it is open.
- **Enrolment.** Each stage's pupils (anchor-year total × a per-county yearly
  growth: kindergartens −4 to −13 %, primary −2.5 to +1.5 %, junior 0 to +4 %,
  senior +2 to +6 % a year) are shared by the open schools of the levels that
  teach it, by weight × ~5 % yearly noise; 九年一贯制 and 十二年一贯制 keep their
  stages apart (the resources table needs the 小学/初中 sections). Kindergartens
  share two pools, public and private, split by the county's public share
  (35–90 % in 2023, moving −1 to +4 points a year).
- **Flags.** ``inclusive``: public kindergartens, and 55–92 % of private ones in
  2023 (3 points a year fewer before); empty for other levels.
  ``meets_standard``: 86–97 % of ordinary schools in 2023, 2 points a year
  fewer before (a school that meets it keeps meeting it); special-education
  schools 75 % ± 4 points a year. ``special_classes``: in 55 % of the counties
  without a special-education school (25 % of the others) 1–3 public
  compulsory-stage schools run 1–2 classes.
- **Resources** (the seven 优质均衡 resources of 教督〔2017〕6号, one row per open
  小学/初中/九年一贯制 school, year and section with pupils): the demo's model
  (``data/make_resources.py``): a county tier (strong/middle/weak), correlated
  school draws, floor areas and rooms fixed by the school's latest enrolment,
  teachers following each year's pupils, equipment +5 % a year.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data"))
from make_resources import STANDARD, TIERS, WIDE  # noqa: E402
from national_sizing import ANCHOR, CLOSE, OPEN, Calibration, expected_counts

from toolkit.data.schema import allowed_values

#: The schema's school types, in its order (toolkit/schema.csv); CODES follow the same order.
LEVELS = allowed_values("schools", "level")
CODES = ("KG", "PS", "JS", "NS", "TS", "CS", "HS", "SE")
KG, PS, JS, NS, TS, CS, HS, SE = range(8)
STAGES = ("kg", "primary", "junior", "senior")
#: Relative pupils of each stage in a school of each level (by level index).
STAGE_FACTOR = {
    "kg": {KG: 1.0},
    "primary": {PS: 1.0, NS: 1.3, TS: 1.5},
    "junior": {JS: 1.0, NS: 0.45, CS: 1.0, TS: 0.5},
    "senior": {HS: 1.0, CS: 0.6, TS: 0.3},
}
GROWTH = {"kg": (-0.13, -0.04), "primary": (-0.025, 0.015), "junior": (0.0, 0.04),
          "senior": (0.02, 0.06)}  # fmt: skip
PRIVATE = {PS: 0.04, JS: 0.10, NS: 0.12, TS: 0.9, CS: 0.25, HS: 0.25, SE: 0.0}
BOARDING = {KG: 0.0, PS: 0.08, JS: 0.55, NS: 0.45, TS: 1.0, CS: 0.7, HS: 0.85, SE: 0.6}
SIGMA = {PS: 0.8, JS: 0.5, NS: 0.35, TS: 0.35, CS: 0.35, HS: 0.35}
#: Minimum schools by level (a county of at least 20,000 people / smaller).
FLOOR = {"幼儿园": (2, 1), "小学": (2, 1)}

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯董萧程"
SETTLEMENTS = "庄村寨营屯集店堡楼桥岗湾"
PREFIXES = ("", "东", "西", "南", "北", "新", "前", "后")
KG_BRANDS = (
    "小太阳 金色童年 七彩虹 阳光 蓝天 启蒙 育英 博雅 童心 爱心 晨光 春苗 新星 贝贝 快乐 小天使 "
    "星星 向日葵 红苹果 金太阳 童趣 乐乐 未来星 小树苗 明德 惠民 育苗 花蕾 彩虹桥 小百灵 金钥匙"
).split()
SCHOOL_BRANDS = "育英 育才 明德 博文 启明 求实 英才 弘文 致远 崇文 文昌 立德".split()
DIGITS = "零一二三四五六七八九"
PLACES = [f"{p}{s}{t}" for p in PREFIXES for s in SURNAMES for t in SETTLEMENTS]


def chinese_number(n: int) -> str:
    """1..9999 in Chinese numerals: ``chinese_number(1023) == '一千零二十三'``."""
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            if zero and out:
                out += "零"
            out += ("" if d == 1 and unit == "十" and not out else DIGITS[d]) + unit
            zero = False
        elif out:
            zero = True
    return out


class Namer:
    """Unique simulated school names within one county."""

    def __init__(self, county: str, rng: np.random.Generator) -> None:
        self.county, self.used = county, set()
        self.order = rng.permutation(len(PLACES))  # this county's order of the place names
        self.next_place: dict[str, int] = {}
        self.ordinal: dict[str, int] = {}

    def _take(self, name: str) -> bool:
        if name in self.used:
            return False
        self.used.add(name)
        return True

    def ordinal_name(self, kind: str) -> str:
        while True:
            self.ordinal[kind] = n = self.ordinal.get(kind, 0) + 1
            name = f"{self.county}第{chinese_number(n)}{kind}"
            if self._take(name):
                return name

    def place_name(self, kind: str) -> str:
        i = self.next_place.get(kind, 0)
        while i < len(PLACES):
            name = f"{self.county}{PLACES[self.order[i]]}{kind}"
            i += 1
            if self._take(name):
                self.next_place[kind] = i
                return name
        self.next_place[kind] = i
        return self.ordinal_name(kind)

    def brand_name(self, kind: str, brands: list[str]) -> str:
        for b in brands:
            if self._take(name := f"{self.county}{b}{kind}"):
                return name
        return self.place_name(brands[0] + kind)

    def fixed(self, name: str, kind: str) -> str:
        return name if self._take(name) else self.ordinal_name(kind)


def school_name(namer: Namer, level: int, first: bool, private: bool, urban: bool, u: float):
    """One school's name (``u`` a uniform draw choosing ordinal or place names)."""
    if level == SE:
        return namer.fixed(f"{namer.county}特殊教育学校", "特殊教育学校")
    if level == KG:
        if private:
            return namer.brand_name("幼儿园", KG_BRANDS)
        return (
            namer.ordinal_name("幼儿园")
            if u < (0.5 if urban else 0.15)
            else namer.place_name("幼儿园")
        )
    if level == TS or private:
        kind = {PS: "小学", JS: "中学", NS: "学校", TS: "学校"}.get(level, "高级中学")
        return namer.brand_name(kind, SCHOOL_BRANDS)
    if level == HS:
        return namer.ordinal_name("高级中学")
    if level == CS:
        return namer.ordinal_name("中学")
    if first and level in (PS, NS):
        kind = "小学" if level == PS else "学校"
        return namer.fixed(f"{namer.county}实验{kind}", kind)
    if level == NS:
        return namer.place_name("九年一贯制学校")
    if u < (0.6 if urban else 0.1):
        return namer.ordinal_name("小学" if level == PS else "初级中学")
    return namer.place_name("小学" if level == PS else "中学")


@dataclass
class CountySchools:
    """One county's schools: register arrays (n) and yearly arrays (n × years)."""

    adcode: str
    years: tuple[int, ...]
    school_id: list[str]
    name: list[str]
    level: np.ndarray  # int8 index into LEVELS
    private: np.ndarray  # bool
    boarding: np.ndarray  # bool
    special_classes: np.ndarray  # int8
    open: np.ndarray  # bool (n, Y)
    pupils: dict[str, np.ndarray]  # stage → int (n, Y); "special" for 特殊教育学校
    inclusive: np.ndarray  # bool (n, Y); meaningful for kindergartens only
    meets: np.ndarray  # bool (n, Y)
    plan: dict = field(default_factory=dict)

    @property
    def enrolment(self) -> np.ndarray:
        return sum(self.pupils.values())


def county_plan(c: dict, cal: Calibration, prov: dict, expected: dict, seed: int) -> dict:
    """One county's sizing: anchor-year pupils, growth, school counts, shares, rates."""
    rng = np.random.default_rng([seed, int(c["adcode"]), 1])
    pop, urban = float(c["population"]), c["kind"] == "district"
    weights = {"kg": c["child"], "primary": c["child"], "junior": c["child"] ** 0.8,
               "senior": c["child"] ** 0.5}  # fmt: skip
    pupils = {s: pop * cal.pupil_rate[s] * weights[s] * rng.uniform(0.9, 1.1) for s in STAGES}
    growth = {s: rng.uniform(*GROWTH[s]) for s in STAGES}
    counts = {}
    for level in cal.count_k:
        e = cal.count_k[level] * expected[level] * cal.register[level]
        n = int(np.floor(e * rng.lognormal(0, 0.15) / 1.0113 + rng.random()))
        if level in FLOOR:
            n = max(n, FLOOR[level][0] if pop >= 20_000 else FLOOR[level][1])
        counts[level] = n
    if counts["初中"] + counts["九年一贯制"] == 0:
        counts["初中"] = 1
    if not urban and pop >= 30_000 and counts["高中"] + counts["完全中学"] == 0:
        counts["高中"] = 1
    # special-education schools: the 20万 line with realistic gaps
    if pop >= 200_000:
        n_se = int(rng.random() < prov["special_coverage"])
        n_se += int(pop >= 1_200_000 and rng.random() < 0.3)
    else:
        n_se = int(rng.random() < (0.30 if pop >= 50_000 else 0.05))
    counts["特殊教育学校"] = n_se + int(c.get("city_special", False))
    share = float(np.clip(prov["kg_public"] + rng.normal(0, 0.1), 0.35, 0.90))
    rate = rng.uniform(0.03, 0.18)
    return {
        "pupils": pupils,
        "growth": growth,
        "counts": counts,
        "urban": urban,
        "kg_public": share,
        "kg_trend": rng.uniform(-0.01, 0.04),
        "inclusive": rng.uniform(0.55, 0.92),
        "standard": rng.uniform(0.86, 0.97),
        "boarding": prov["boarding"],
        "classes": rng.random() < (0.55 if counts["特殊教育学校"] == 0 else 0.25),
        # teachers (national_teachers.py), anchored at ANCHOR
        "rotation_rate": rate,
        "rotation_trend": min(rng.uniform(-0.02, 0.025), (rate - 0.015) / 4),
        "key_share_rotated": rng.uniform(0.08, 0.35),
        "key_share_trend": rng.uniform(-0.04, 0.04),
        "key_rate": rng.uniform(0.08, 0.20),
        "long_exchange": rng.uniform(0.3, 0.9),
    }


def _events(rates: dict[int, float], n: int, years: tuple[int, ...], rng) -> dict[int, int]:
    """How many schools close (or open) in each year after the first (stochastic rounding)."""
    return {y: int(np.floor(rates.get(y, 0.0) * n + rng.random())) for y in years[1:]}


def county_schools(c: dict, plan: dict, years: tuple[int, ...], seed: int) -> CountySchools:
    """The register and the yearly rows of one county."""
    rng = np.random.default_rng([seed, int(c["adcode"]), 2])
    urban = plan["urban"]
    start, counts = years[0], plan["counts"]
    parts: list[tuple[int, np.ndarray, np.ndarray, int]] = []  # level, private, weight, opened

    def block(level: int, private, sigma, opened: int, mean: float = 0.0) -> None:
        private = np.asarray(private, dtype=bool)
        weight = np.exp(mean + sigma * rng.normal(size=len(private)))
        parts.append((level, private, weight, opened))

    def joined(i: int) -> np.ndarray:
        return np.concatenate([np.broadcast_to(p[i], len(p[1])) for p in parts])

    n_kg = counts["幼儿园"]
    n_pub = int(np.clip(round(n_kg * (0.15 + 0.7 * plan["kg_public"])), 1, max(n_kg - 1, 1)))
    private_kg = np.arange(n_kg) >= n_pub
    block(KG, private_kg, np.where(private_kg, 0.7, 0.5) * (0.7 if urban else 1.0), start)
    for lvl in (PS, JS, NS, TS, CS, HS):
        n = counts[LEVELS[lvl]]
        private = (rng.random(n) < PRIVATE[lvl]) | (lvl == TS)
        private[:1] &= lvl == TS  # the first school of a level is public (实验小学 …)
        block(lvl, private, SIGMA[lvl] * (0.6 if urban else 1.0), start)
    level, private, weight = joined(0).astype(np.int8), joined(1), joined(2)
    first = np.zeros(len(level), dtype=bool)
    first[np.unique(level, return_index=True)[1]] = True
    # closures: the smallest go first (private kindergartens sooner); never the first school
    # of a level and ownership, so every enrolment pool keeps a school
    close = np.full(len(level), 9999)
    keep = np.unique(level.astype(np.int64) * 2 + private, return_index=True)[1]
    for name, rates in CLOSE.items():
        at = level == LEVELS.index(name)
        idx = np.setdiff1d(np.flatnonzero(at), keep)
        score = np.log(weight[idx]) + rng.normal(0, 0.5, len(idx)) - 0.7 * private[idx]
        order, pos = idx[np.argsort(score, kind="stable")], 0
        for y, k in _events(rates, int(at.sum()), years, rng).items():
            close[order[pos : pos + k]] = y
            pos += k
    n_base = len(level)
    for name, rates in OPEN.items():  # new public schools, a little larger than average
        n_level = max(int((level == LEVELS.index(name)).sum()), 1)
        for y, k in _events(rates, n_level, years, rng).items():
            block(LEVELS.index(name), np.zeros(k, bool), 0.3, y, mean=0.3)
    n_se = counts["特殊教育学校"]
    late = rng.random(n_se) < 0.07  # a few opened during the years
    when = rng.integers(start + 1, years[-1] + 1, n_se) if len(years) > 1 else start
    for y in np.where(late, when, start):
        block(SE, [False], 0.0, int(y))
    level, private, weight = joined(0).astype(np.int8), joined(1), joined(2)
    opened = joined(3)
    first = np.concatenate([first, np.zeros(len(level) - n_base, bool)])
    close = np.concatenate([close, np.full(len(level) - n_base, 9999)])
    n = len(level)
    # ids, names and the fixed attributes
    seq = np.zeros(n, dtype=np.int64)
    for lvl in np.unique(level):
        at = np.flatnonzero(level == lvl)
        seq[at] = np.arange(1, len(at) + 1)
    if n and seq.max() >= 10_000:
        raise ValueError(f"{c['adcode']}: more than 9,999 schools of one level")
    ids = [f"{c['adcode']}-{CODES[lv]}-{q:04d}" for lv, q in zip(level, seq, strict=True)]
    namer, u = Namer(c["name"], rng), rng.random(n)
    names = [school_name(namer, int(lv), bool(f), bool(p), urban, float(x))
             for lv, f, p, x in zip(level, first, private, u, strict=True)]  # fmt: skip
    if c.get("city_special", False):
        names[int(np.flatnonzero(level == SE)[-1])] = namer.fixed(
            f"{c['city']}特殊教育学校", "特殊教育学校"
        )
    board = np.array([BOARDING[int(lv)] for lv in range(len(LEVELS))])[level]
    boarding = rng.random(n) < board * plan["boarding"] * (0.4 if urban else 1.0)
    u_std, u_incl = rng.random(n)[:, None], rng.random(n)[:, None]
    Y, yr = len(years), np.array(years)
    is_open = (opened[:, None] <= yr) & (close[:, None] > yr)
    new = opened > start
    # special classes on 1–3 public compulsory schools that stay open
    classes = np.zeros(n, dtype=np.int8)
    hosts = np.flatnonzero(np.isin(level, (PS, JS, NS)) & ~private & is_open.all(axis=1))
    if plan["classes"] and len(hosts):
        k = min(int(rng.integers(1, 4)), len(hosts))
        classes[rng.choice(hosts, k, replace=False)] = rng.integers(1, 3, k)
    # pupils by stage and year
    t = yr - ANCHOR
    share = np.clip(plan["kg_public"] + plan["kg_trend"] * t, 0.2, 0.97)
    pupils = {s: np.zeros((n, Y), dtype=np.int64) for s in (*STAGES, "special")}
    noise = np.exp(rng.normal(0, 0.05, (n, Y)))
    for s in STAGES:
        total = plan["pupils"][s] * (1 + plan["growth"][s]) ** t
        f = np.zeros(n)
        for lvl, x in STAGE_FACTOR[s].items():
            f[level == lvl] = x
        if s == "kg":
            pools = [(~private, total * share), (private, total * (1 - share))]
        else:
            pools = [(np.ones(n, dtype=bool), total)]
        for mask, pool_total in pools:
            w = (f * weight * mask)[:, None] * noise * is_open
            sums = w.sum(axis=0)
            alloc = np.where(sums > 0, pool_total / np.where(sums > 0, sums, 1), 0) * w
            pupils[s] += np.where(w > 0, np.maximum(np.rint(alloc), 3), 0).astype(np.int64)
    se = level == SE
    base = rng.lognormal(np.log(130), 0.5, n)
    g = rng.uniform(-0.02, 0.08, n)
    special = np.clip(np.rint(base[:, None] * (1 + g[:, None]) ** t), 30, 500).astype(np.int64)
    pupils["special"] = np.where(se[:, None] & is_open, special, 0)
    meets = np.where(
        se[:, None], u_std < 0.75 + 0.04 * t, (u_std < plan["standard"] + 0.02 * t) | new[:, None]
    )
    inclusive = ~private[:, None] | (u_incl < plan["inclusive"] + 0.03 * t)
    o = np.argsort(np.array(ids), kind="stable")  # the register in school_id order
    return CountySchools(
        adcode=c["adcode"], years=years, school_id=[ids[i] for i in o],
        name=[names[i] for i in o], level=level[o], private=private[o], boarding=boarding[o],
        special_classes=classes[o], open=is_open[o], pupils={k: v[o] for k, v in pupils.items()},
        inclusive=(inclusive & (level == KG)[:, None])[o], meets=(meets & is_open)[o], plan=plan,
    )  # fmt: skip


# ---------------------------------------------------------------- resources (优质均衡)

#: The demo's resource model (data/make_resources.py): standards, spread, county tiers.
RESOURCE_COLUMNS = ["school_id", "adcode", "year", "section", "enrolment", *STANDARD]


def county_resources(s: CountySchools, seed: int) -> dict[str, np.ndarray]:
    """Resource rows of one county: arrays ``school`` (index), ``year_index``, ``junior``
    (section 初中) and one per column of :data:`STANDARD` plus ``enrolment``."""
    rng = np.random.default_rng([seed, int(s.adcode), 4])
    names = list(TIERS)
    tier = TIERS[names[int(rng.choice(len(names), p=[t[0] for t in TIERS.values()]))]]
    _, (low, high), wide = tier
    n_wide = int(rng.choice(wide))
    keys = list(WIDE)
    spread_on = rng.choice(len(keys), size=n_wide, replace=False, p=list(WIDE.values()))
    base = rng.uniform(low, high)
    level_x = base * rng.uniform(0.9, 1.1, len(STANDARD))
    sd = rng.uniform(0.1, 0.25, len(STANDARD))
    wide_sd = rng.uniform(0.6, 0.9, len(STANDARD))
    on = np.isin(list(STANDARD), [keys[i] for i in spread_on])
    sd = np.where(on, wide_sd, sd)
    n = len(s.level)
    z = 0.6 * rng.normal(size=(n, 1)) + 0.8 * rng.normal(size=(n, len(STANDARD)))
    parts = []
    for junior, stage in ((False, "primary"), (True, "junior")):
        pupils = np.where(np.isin(s.level, (PS, JS, NS))[:, None], s.pupils[stage], 0)
        school, yi = np.nonzero(pupils > 0)
        if not len(school):
            continue
        last = pupils.shape[1] - 1 - np.argmax(pupils[:, ::-1] > 0, axis=1)  # latest year
        built = pupils[np.arange(n), last][school].astype(float)
        p = pupils[school, yi].astype(float)
        cols = {"school": school, "year_index": yi, "junior": np.full(len(school), junior),
                "enrolment": p.astype(np.int64)}  # fmt: skip
        for j, (c, (ps, js, per)) in enumerate(STANDARD.items()):
            std = js if junior else ps
            rate = std * level_x[j] * np.exp(sd[j] * z[school, j] - sd[j] ** 2 / 2) / per
            if c == "equipment_value":
                cols[c] = np.round(p * rate / 1.05 ** (last[school] - yi), -2)
            elif c.endswith("_area"):
                cols[c] = np.round(built * rate)
            elif c == "multimedia_rooms":
                cols[c] = np.maximum(np.round(built * rate), 1).astype(np.int64)
            else:
                cols[c] = np.round(p * rate).astype(np.int64)
        parts.append(cols)
    if not parts:
        return {}
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((out["junior"], out["school"], out["year_index"]))
    return {k: v[order] for k, v in out.items()}


def expected_for(table, seed: int) -> dict[str, dict[str, float]]:
    """adcode → level → expected count factor (see ``national_sizing.expected_counts``)."""
    return expected_counts(table, seed).to_dict(orient="index")
