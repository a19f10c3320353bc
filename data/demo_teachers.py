"""Simulate the demo teachers (示例数据（模拟）): one roster that evolves from 2022 to 2024.

Part of ``data/make_demo.py``; every figure is simulated. A county's roster
starts in 2022 with each school staffed from its enrolment, then moves one year
at a time:

- stayers gain one year of ``years_at_school``;
- a teacher who rotated in year *y* (``rotated`` true, ``school_id`` the sending
  school) is at another compulsory-stage school of the same county in *y* + 1,
  with ``years_at_school`` 0;
- some retire (more likely the longer they have been at the school), schools
  whose enrolment fell lose their surplus, and new hires (``years_at_school`` 0)
  fill every school up to the headcount its enrolment calls for;
- the county's rotation rate and the key-teacher share of the rotated move by a
  per-county trend, anchored at their 2024 values.

``teacher_id`` is stable across years; ``eligible`` is the simulated flag
(compulsory-stage school and at least 6 years at the school).

>>> schools = pd.DataFrame({"school_id": ["1-PS-1", "1-PS-2", "1-KG-1"] * 3,
...                         "level": ["小学", "小学", "幼儿园"] * 3,
...                         "year": [2022] * 3 + [2023] * 3 + [2024] * 3,
...                         "enrolment": [340, 170, 150] * 3})
>>> c = pd.Series({"adcode": "1", "rotation_rate": 0.1, "rotation_trend": 0.0,
...                "key_share_rotated": 0.2, "key_share_trend": 0.0})
>>> t = county_teachers(c, schools, seed=1)
>>> t.groupby("year").size().tolist()
[40, 40, 40]
>>> t.equals(county_teachers(c, schools, seed=1))
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TEACHER_YEARS = (2022, 2023, 2024)
#: Pupils per teacher, by school level (the headcount a school's enrolment calls for).
PUPILS_PER_TEACHER = {
    "幼儿园": 15.0, "小学": 17.0, "初中": 13.5, "九年一贯制": 15.5,
    "十二年一贯制": 14.5, "完全中学": 13.5, "高中": 13.5, "特殊教育学校": 3.0,
}  # fmt: skip
COMPULSORY = ("小学", "初中", "九年一贯制")
MIN_YEARS_ELIGIBLE = 6
TEACHER_COLUMNS = ["teacher_id", "school_id", "adcode", "year", "years_at_school", "rotated",
                   "key_teacher", "eligible"]  # fmt: skip


def rates(c: pd.Series, year: int) -> tuple[float, float]:
    """(rotation rate, key-teacher share of the rotated) of one county in ``year``."""
    t = year - 2024
    rate = np.clip(c["rotation_rate"] + c["rotation_trend"] * t, 0.01, 0.30)
    key = np.clip(c["key_share_rotated"] + c["key_share_trend"] * t, 0.03, 0.60)
    return float(rate), float(key)


def rank_within(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random order 0, 1, 2, ... of the members of each group."""
    order = np.lexsort((rng.random(len(groups)), groups))
    sorted_groups = groups[order]
    first = np.searchsorted(sorted_groups, sorted_groups, side="left")
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = np.arange(len(groups)) - first
    return rank


class Roster:
    """The teachers of one county at the start of a school year (parallel arrays)."""

    def __init__(self, school: np.ndarray, years: np.ndarray, key: np.ndarray) -> None:
        self.school, self.years, self.key = school, years, key
        self.ids = np.arange(1, len(school) + 1)
        self.next_id = len(school) + 1

    def keep(self, mask: np.ndarray) -> None:
        self.school, self.years = self.school[mask], self.years[mask]
        self.key, self.ids = self.key[mask], self.ids[mask]

    def hire(self, school: np.ndarray) -> None:
        n = len(school)
        self.school = np.concatenate([self.school, school])
        self.years = np.concatenate([self.years, np.zeros(n, dtype=np.int64)])
        self.key = np.concatenate([self.key, np.zeros(n, dtype=bool)])
        self.ids = np.concatenate([self.ids, np.arange(self.next_id, self.next_id + n)])
        self.next_id += n


def _rotate(
    roster: Roster, eligible: np.ndarray, rate: float, key_share: float, rng: np.random.Generator
) -> np.ndarray:
    """Pick this year's rotated teachers among the eligible: ``rate`` of them, ``key_share`` key."""
    n_rot = round(rate * eligible.sum())
    pool_key = np.flatnonzero(eligible & roster.key)
    pool_other = np.flatnonzero(eligible & ~roster.key)
    n_key = min(round(key_share * n_rot), len(pool_key))
    n_other = min(n_rot - n_key, len(pool_other))
    rotated = np.zeros(len(eligible), dtype=bool)
    rotated[rng.choice(pool_key, n_key, replace=False)] = True
    rotated[rng.choice(pool_other, n_other, replace=False)] = True
    return rotated


def _receiving_schools(
    sending: np.ndarray, weights: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Another school for each rotated teacher, by the receiving schools' headcount."""
    p = weights / weights.sum()
    to = rng.choice(len(weights), len(sending), p=p)
    for _ in range(100):  # redraw the few that landed on their own school
        same = to == sending
        if not same.any():
            break
        to[same] = rng.choice(len(weights), same.sum(), p=p)
    return to


def _next_year(
    roster: Roster,
    rotated: np.ndarray,
    target: np.ndarray,
    compulsory: np.ndarray,
    key_rate: float,
    rng: np.random.Generator,
) -> None:
    """Move ``roster`` on one year: rotations land, retirements, surplus leaves, hires fill."""
    n_schools = len(target)
    weights = np.where(compulsory, target, 0).astype(float)
    incoming = _receiving_schools(roster.school[rotated], weights, rng)
    roster.school[rotated] = incoming
    retire = rng.random(len(rotated)) < np.clip(0.008 + 0.0035 * roster.years, 0, 0.2)
    stay = ~rotated & ~retire
    roster.years = np.where(rotated, -1, roster.years) + 1  # movers start at 0, stayers +1
    roster.keep(rotated | stay)
    stayer = roster.years > 0
    have = np.bincount(roster.school, minlength=n_schools)
    surplus = np.maximum(have - target, 0)
    rank = rank_within(np.where(stayer, roster.school, n_schools), rng)
    leave = stayer & (rank < surplus[roster.school])
    roster.keep(~leave)
    have = np.bincount(roster.school, minlength=n_schools)
    roster.hire(np.repeat(np.arange(n_schools), np.maximum(target - have, 0)))
    deficit = round(key_rate * len(roster.key)) - int(roster.key.sum())
    candidates = np.flatnonzero(~roster.key & (roster.years >= 5))
    if deficit > 0 and len(candidates):  # promote experienced teachers to 骨干
        roster.key[rng.choice(candidates, min(deficit, len(candidates)), replace=False)] = True


def county_teachers(c: pd.Series, schools: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The teacher records of one county, one row per teacher and year of ``TEACHER_YEARS``."""
    rng = np.random.default_rng([seed, int(c["adcode"]), TEACHER_YEARS[0]])
    s = schools[schools["year"].isin(TEACHER_YEARS)]
    enrol = s.pivot(index="school_id", columns="year", values="enrolment")
    register = s.drop_duplicates("school_id").set_index("school_id").loc[enrol.index, "level"]
    ids = register.index.to_numpy()
    compulsory = register.isin(COMPULSORY).to_numpy()
    staffing = rng.uniform(0.9, 1.1, len(ids)) / register.map(PUPILS_PER_TEACHER).to_numpy()

    def headcount(year: int) -> np.ndarray:
        e = enrol[year].to_numpy()
        return np.where(e > 0, np.maximum(np.rint(e * staffing), 1), 0).astype(np.int64)

    first = headcount(TEACHER_YEARS[0])
    school = np.repeat(np.arange(len(ids)), first)
    years = np.clip(np.floor(rng.gamma(1.5, 6.0, len(school))), 0, 38).astype(np.int64)
    key_rate = rng.uniform(0.10, 0.15)
    roster = Roster(school, years, rng.random(len(school)) < key_rate)
    frames, rotated = [], None
    for year in TEACHER_YEARS:
        if rotated is not None:
            _next_year(roster, rotated, headcount(year), compulsory, key_rate, rng)
        eligible = compulsory[roster.school] & (roster.years >= MIN_YEARS_ELIGIBLE)
        rotated = _rotate(roster, eligible, *rates(c, year), rng)
        frames.append(
            pd.DataFrame(
                {
                    "teacher_id": [f"{c['adcode']}-T{n:05d}" for n in roster.ids],
                    "school_id": ids[roster.school],
                    "adcode": c["adcode"],
                    "year": year,
                    "years_at_school": roster.years.copy(),
                    "rotated": rotated,
                    "key_teacher": roster.key.copy(),
                    "eligible": eligible,
                }
            ).sort_values("teacher_id", kind="stable")
        )
    return pd.concat(frames, ignore_index=True)[TEACHER_COLUMNS]
