"""The teacher roster of one county for the national benchmark (simulated), year by year.

Part of ``bench/make_national.py``; **every figure is simulated**. The model is
the demo's (``data/demo_teachers.py``), vectorised and extended with school
openings and closures and the exchange period; one numpy stream per county
(``[seed, adcode, 3]``).

- In the first year each open school gets pupils ÷ pupils-per-teacher of each of
  its stages (``national_sizing.PUPILS_PER_TEACHER``, ±10 % per school) teachers,
  at least 2 (kindergarten), 4 (小学), 8 (初中, 九年一贯制), 10 (others), 5
  (特殊教育学校). ``years_at_school`` is a gamma draw (mean ≈ 9); 8–20 % of the
  teachers with ≥ 3 years are key teachers (county by county).
- ``teacher_id`` (``adcode-Tnnnnnnn``) stays with the teacher. Each next year:
  stayers gain a year; a teacher with ``rotated`` true in year *y* (``school_id``
  = the sending school) is at another open 小学/初中/九年一贯制 of the county in
  *y* + 1 with ``years_at_school`` 0; 0.8 % + 0.35 % per year at the school
  retire; the teachers of a school that closed move to an open school of the
  same stage (70 %, ``years_at_school`` 0, not a rotation) or leave; a school
  whose pupils fell loses its surplus; new hires (0 years, not key) fill each
  school to its headcount; experienced teachers (≥ 5 years) are promoted to keep
  the county's key-teacher share.
- ``eligible`` (simulated, as in the demo): 小学/初中/九年一贯制 teachers with ≥ 6
  years at the school. Each year a county rotates 3–18 % of them (in 2023; a
  per-county trend of −2 to +2.5 points a year), 8–35 % of the rotated being
  key teachers (trend ±4 points).
- ``exchange_years`` (the agreed exchange period, for rotated teachers only,
  else empty): 3 years for a county share of 30–90 % of them (4–5 years for a
  few), else 1 or 2. The roster does not send anyone back: a rotated teacher
  stays at the receiving school.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from national_schools import JS, KG, NS, PS, SE, CountySchools
from national_sizing import ANCHOR, PUPILS_PER_TEACHER

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data"))
# the demo's roster and its rules: one model of a county's teachers
from demo_teachers import MIN_YEARS_ELIGIBLE, Roster, rank_within  # noqa: E402

COMPULSORY = (PS, JS, NS)
#: Minimum teachers of an open school, by level index (KG, PS, JS, NS, TS, CS, HS, SE).
MIN_STAFF = np.array([2, 4, 8, 8, 10, 10, 10, 5])


def headcounts(s: CountySchools, rng: np.random.Generator) -> np.ndarray:
    """Teachers each school's pupils call for, per year (n × Y); 0 when closed."""
    staffing = rng.uniform(0.9, 1.1, len(s.level))[:, None]
    need = sum(s.pupils[k] / PUPILS_PER_TEACHER[k] for k in s.pupils) * staffing
    need = np.maximum(np.rint(need), MIN_STAFF[s.level][:, None])
    return np.where(s.open, need, 0).astype(np.int64)


def _pick(weights: np.ndarray, k: int, avoid: np.ndarray | None, rng) -> np.ndarray:
    """``k`` schools drawn by ``weights``; where ``avoid`` is given, redraw landings on it."""
    p = weights / weights.sum()
    to = rng.choice(len(weights), k, p=p)
    if avoid is not None:
        for _ in range(50):
            same = to == avoid
            if not same.any():
                break
            to[same] = rng.choice(len(weights), int(same.sum()), p=p)
    return to


def rates(plan: dict, year: int) -> tuple[float, float]:
    """(rotation rate, key-teacher share of the rotated) of one county in ``year``."""
    t = year - ANCHOR
    rate = np.clip(plan["rotation_rate"] + plan["rotation_trend"] * t, 0.01, 0.30)
    key = np.clip(plan["key_share_rotated"] + plan["key_share_trend"] * t, 0.03, 0.60)
    return float(rate), float(key)


def _rotate(roster: Roster, eligible: np.ndarray, rate: float, key_share: float, rng):
    n_rot = round(rate * int(eligible.sum()))
    pool_key = np.flatnonzero(eligible & roster.key)
    pool_other = np.flatnonzero(eligible & ~roster.key)
    n_key = min(round(key_share * n_rot), len(pool_key))
    n_other = min(n_rot - n_key, len(pool_other))
    rotated = np.zeros(len(eligible), dtype=bool)
    rotated[rng.choice(pool_key, n_key, replace=False)] = True
    rotated[rng.choice(pool_other, n_other, replace=False)] = True
    return rotated


def _stage_group(level: np.ndarray) -> np.ndarray:
    """0 kindergarten, 1 compulsory, 2 special, 3 schools with a senior stage."""
    return np.select([level == KG, np.isin(level, COMPULSORY), level == SE], [0, 1, 2], 3)


def _next_year(roster: Roster, rotated, target, compulsory, group, key_rate, rng) -> None:
    """Move ``roster`` on one year (``target``: next year's headcounts)."""
    n_schools = len(target)
    weights = np.where(compulsory, target, 0).astype(float)
    moving = rotated.copy()
    if weights.sum() > 0 and (weights > 0).sum() >= 2:
        roster.school[rotated] = _pick(weights, int(rotated.sum()), roster.school[rotated], rng)
    else:  # nowhere to go: the exchange does not happen
        moving[:] = False
    retire = rng.random(len(rotated)) < np.clip(0.008 + 0.0035 * roster.years, 0, 0.2)
    closed = (target[roster.school] == 0) & ~moving
    stay = ~moving & ~retire & ~closed
    # a closed school's teachers: 70 % to an open school of the same stage group
    move = closed & ~retire & (rng.random(len(rotated)) < 0.7)
    for g in np.unique(group[roster.school[move]]):
        who = np.flatnonzero(move & (group[roster.school] == g))
        w = np.where(group == g, target, 0).astype(float)
        if w.sum() == 0:
            move[who] = False
            continue
        roster.school[who] = _pick(w, len(who), None, rng)
    roster.years = np.where(moving | move, -1, roster.years) + 1  # movers start at 0
    roster.keep(moving | move | stay)
    have = np.bincount(roster.school, minlength=n_schools)
    surplus = np.maximum(have - target, 0)
    over = np.flatnonzero((roster.years > 0) & (surplus[roster.school] > 0))  # stayers
    if len(over):
        rank = rank_within(roster.school[over], rng)
        leave = np.zeros(len(roster.school), dtype=bool)
        leave[over[rank < surplus[roster.school[over]]]] = True
        roster.keep(~leave)
    have = np.bincount(roster.school, minlength=n_schools)
    roster.hire(np.repeat(np.arange(n_schools), np.maximum(target - have, 0)))
    deficit = round(key_rate * len(roster.key)) - int(roster.key.sum())
    candidates = np.flatnonzero(~roster.key & (roster.years >= 5))
    if deficit > 0 and len(candidates):
        roster.key[rng.choice(candidates, min(deficit, len(candidates)), replace=False)] = True


def county_teachers(s: CountySchools, seed: int) -> list[dict[str, np.ndarray]]:
    """One dict of arrays per year: ``number`` (the n of ``adcode-Tnnnnnnn``), ``school``
    (index into the county's register), ``years_at_school``, ``rotated``, ``key_teacher``,
    ``eligible``, ``exchange_years`` (-1 = empty); rows sorted by ``number``."""
    rng = np.random.default_rng([seed, int(s.adcode), 3])
    plan = s.plan
    target = headcounts(s, rng)
    compulsory = np.isin(s.level, COMPULSORY)
    group = _stage_group(s.level)
    first = target[:, 0]
    school = np.repeat(np.arange(len(first)), first)
    years = np.clip(np.floor(rng.gamma(1.5, 6.0, len(school))), 0, 38).astype(np.int64)
    key_rate = plan["key_rate"]
    senior = years >= 3
    p_key = key_rate * len(years) / max(int(senior.sum()), 1)
    roster = Roster(school, years, senior & (rng.random(len(school)) < p_key))
    out, rotated = [], None
    for j, year in enumerate(s.years):
        if rotated is not None:
            _next_year(roster, rotated, target[:, j], compulsory, group, key_rate, rng)
        eligible = compulsory[roster.school] & (roster.years >= MIN_YEARS_ELIGIBLE)
        rotated = _rotate(roster, eligible, *rates(plan, year), rng)
        u = rng.random(len(rotated))
        long = plan["long_exchange"]
        period = np.where(u < long * 0.85, 3, np.where(u < long, rng.integers(4, 6, len(u)),
                                                       rng.integers(1, 3, len(u))))  # fmt: skip
        out.append({
            "number": roster.ids.copy(),
            "school": roster.school.copy(),
            "years_at_school": roster.years.astype(np.int8),
            "rotated": rotated,
            "key_teacher": roster.key.copy(),
            "eligible": eligible,
            "exchange_years": np.where(rotated, period, -1).astype(np.int8),
        })  # fmt: skip
    return out
