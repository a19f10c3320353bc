"""Simulate the demo ``resources`` table (示例数据（模拟）) for 优质均衡 checks.

**Every figure here is simulated.** Nothing describes any real school or county.
The table has one row per school, year and section (学段) for the demo's 小学,
初中 and 九年一贯制 schools; a 九年一贯制 school gets a 小学 row and an 初中 row
(its enrolment split about 60/40), as the statistical returns report sections
separately. Columns: ``school_id``, ``adcode``, ``year``, ``section``,
``enrolment`` and the seven resources of 教督〔2017〕6号 第六条 (teachers above the
required degree, county-level key teachers, PE and arts teachers, teaching and
sports floor area in ㎡, equipment value in 元, networked multimedia rooms).

How it varies, on purpose:

- Each county is strong, middle or weak (``TIERS``): resources at 1.7–2.2,
  1.25–1.7 or 1.05–1.35 × the standards (±10% per indicator), with a small
  spread between schools except on 0, 0–1 or 1–2 indicators (sports area most
  often, then teaching area, equipment or multimedia rooms), where the spread is
  wide enough for the 差异系数 to exceed 0.50 (小学) or 0.45 (初中).
- A school's seven resources are correlated (a poorer school is poorer in most),
  so some schools miss two or more standards and fail the 6-of-7 rule.
- Floor areas and rooms are fixed by the buildings (drawn on the school's latest
  enrolment); teachers follow each year's enrolment; equipment grows ~5% a year.

Deterministic: one numpy stream per county (seeded with ``[seed, adcode]``),
so the same schools and seed give the same bytes.

Usage::

    python data/make_resources.py   # reads data/demo/schools.csv, writes data/demo/resources.csv

>>> s = pd.DataFrame({"school_id": ["1-NS-1", "1-PS-1"], "adcode": "140403", "year": 2024,
...                   "level": ["九年一贯制", "小学"], "enrolment": [900, 300]})
>>> r = make_resources(s)
>>> r[["school_id", "section", "enrolment"]].values.tolist()
[['1-NS-1', '小学', 540], ['1-NS-1', '初中', 360], ['1-PS-1', '小学', 300]]
>>> r.equals(make_resources(s))
True
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.indicators import balance
from toolkit.targets import get_profile

SEED = 2027
DEMO = Path(__file__).resolve().parent / "demo"
#: School level → the sections it reports.
SECTIONS = {"小学": ("小学",), "初中": ("初中",), "九年一贯制": ("小学", "初中")}


def _standards(profile: str = "balanced_2017") -> dict[str, tuple[float, float, int]]:
    """Per-school standards of 教督〔2017〕6号, read from its profile
    (``toolkit/profiles/balanced_2017.toml``): column → (小学, 初中, students per unit)."""
    own = balance.standards(get_profile(profile)).set_index(["measure", "section"])["threshold"]
    return {c: (float(own[c, "小学"]), float(own[c, "初中"]), per)
            for c, (_, per) in balance.MEASURES.items()}  # fmt: skip


STANDARD = _standards()
#: Indicators a county with a wide spread gets it on, with their odds.
WIDE = {"sports_area": 0.5, "teaching_area": 0.2, "equipment_value": 0.15, "multimedia_rooms": 0.15}
#: County tiers: odds, resource level range (× standard), how many wide-spread indicators.
TIERS = {
    "strong": (0.3, (1.7, 2.2), [0]),
    "middle": (0.45, (1.25, 1.7), [0, 1]),
    "weak": (0.25, (1.05, 1.35), [1, 2]),
}
COLUMNS = ["school_id", "adcode", "year", "section", "enrolment", *STANDARD]


def _county_plan(rng: np.random.Generator) -> pd.DataFrame:
    """Per indicator: resource level (× standard) and the between-school spread (log sd)."""
    tier = rng.choice(list(TIERS), p=[t[0] for t in TIERS.values()])
    _, (low, high), wide = TIERS[tier]
    wide = int(rng.choice(wide))
    spread_on = rng.choice(list(WIDE), size=wide, replace=False, p=list(WIDE.values()))
    base = rng.uniform(low, high)
    level = base * rng.uniform(0.9, 1.1, size=len(STANDARD))
    sd = rng.uniform(0.1, 0.25, size=len(STANDARD))
    wide_sd = rng.uniform(0.6, 0.9, size=len(STANDARD))
    on = np.isin(list(STANDARD), spread_on)
    return pd.DataFrame({"level": level, "sd": np.where(on, wide_sd, sd)}, index=list(STANDARD))


def _county(schools: pd.DataFrame, seed: int) -> pd.DataFrame:
    adcode = str(schools["adcode"].iloc[0])
    rng = np.random.default_rng([seed, int(adcode)])
    plan = _county_plan(rng)
    latest = schools.sort_values(["school_id", "year"]).groupby("school_id").tail(1)
    n = len(latest)
    # correlated draws: a school poorer in one resource tends to be poorer in the others
    z = 0.6 * rng.normal(size=(n, 1)) + 0.8 * rng.normal(size=(n, len(STANDARD)))
    split = rng.uniform(0.55, 0.65, size=n)
    draws = pd.DataFrame(z, columns=list(STANDARD)).assign(
        school_id=latest["school_id"].to_numpy(),
        level=latest["level"].to_numpy(),
        built=latest["enrolment"].to_numpy(),
        latest=latest["year"].to_numpy(),
        split=split,
    )
    sections = draws.assign(section=draws["level"].map(SECTIONS)).explode("section")
    two = sections["level"].map(lambda x: len(SECTIONS[x]) == 2)
    junior = sections["section"].eq("初中")
    share = np.where(two, np.where(junior, 1 - sections["split"], sections["split"]), 1.0)
    sections = sections.assign(share=share)
    rows = sections.merge(schools[["school_id", "year", "enrolment"]], on="school_id")
    pupils = (rows["enrolment"] * rows["share"]).round()
    built = (rows["built"] * rows["share"]).round()
    out = rows[["school_id", "year", "section"]].assign(adcode=adcode, enrolment=pupils)
    for c, (primary_std, junior_std, per) in STANDARD.items():
        level, sd = plan.loc[c, "level"], plan.loc[c, "sd"]
        std = np.where(rows["section"].eq("初中"), junior_std, primary_std)
        rate = std * level * np.exp(sd * rows[c] - sd**2 / 2) / per
        if c == "equipment_value":
            out[c] = (pupils * rate / 1.05 ** (rows["latest"] - rows["year"])).round(-2)
        elif c.endswith("_area"):
            out[c] = (built * rate).round()
        elif c == "multimedia_rooms":
            out[c] = (built * rate).round().clip(lower=1)
        else:
            out[c] = (pupils * rate).round()
    return out[COLUMNS]


def make_resources(schools: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """Simulated resources of the 小学, 初中 and 九年一贯制 rows of ``schools`` (all years).

    ``schools`` needs ``school_id``, ``adcode``, ``year``, ``level`` and
    ``enrolment``; the result has one row per school, year and section, sorted by
    year, school and section (小学 first).
    """
    compulsory = schools[schools["level"].isin(list(SECTIONS))]
    compulsory = compulsory.assign(adcode=compulsory["adcode"].astype(str))
    parts = [_county(g, seed) for _, g in compulsory.groupby("adcode", sort=True)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    order = out["section"].map({"小学": 0, "初中": 1})
    out = out.assign(_o=order).sort_values(["year", "school_id", "_o"], kind="stable")
    out = out.drop(columns="_o").reset_index(drop=True)
    ints = [c for c in COLUMNS if c not in ("school_id", "adcode", "section")]
    return out.astype(dict.fromkeys(ints, "int64"))


def main(out_dir: Path = DEMO, seed: int = SEED) -> Path:
    """Read ``schools.csv`` in ``out_dir`` and write ``resources.csv`` beside it."""
    schools = pd.read_csv(
        out_dir / "schools.csv", dtype={"school_id": str, "adcode": str}, encoding="utf-8-sig"
    )
    path = out_dir / "resources.csv"
    # UTF-8 with BOM and \n line ends, like the other demo files
    make_resources(schools, seed).to_csv(
        path, index=False, encoding="utf-8-sig", lineterminator="\n"
    )
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description="Simulate data/demo/resources.csv (示例数据（模拟）)."
    )
    parser.add_argument("--out", type=Path, default=DEMO)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    p = main(args.out, args.seed)
    print(f"{p}  {p.stat().st_size:,} bytes")
