"""Outlook: who will miss the deadline at the current pace?

Each unit's yearly values are fitted by ordinary least squares on the last
``window`` years (at least two) and the line is read at the rule's deadline.
Shares are clipped to [0, 1]. The classes:

- 已达标 (met now): the latest value already meets the target;
- 按期可达 (on track): the projection meets the target by the deadline;
- 有风险 (at risk): the projection misses by no more than ``margin``;
- 难以达标 (off track): the projection misses by more than ``margin``.

The trend and ``margin`` (default 5 percentage points) are the toolkit's
choice, not policy: the result labels them as user-chosen parameters.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..targets import COMPARATORS, Profile
from .common import MISSING, NOT_APPLICABLE

MET_NOW, ON_TRACK, AT_RISK, OFF_TRACK = "已达标", "按期可达", "有风险", "难以达标"
OUTLOOKS = (MET_NOW, ON_TRACK, AT_RISK, OFF_TRACK)
#: English for the outlooks (and the statuses an outlook row can carry).
OUTLOOK_EN = {MET_NOW: "met now", ON_TRACK: "on track", AT_RISK: "at risk", OFF_TRACK: "off track",
              NOT_APPLICABLE: "n/a", MISSING: "no data"}  # fmt: skip
#: User-chosen default: a projected shortfall up to this is "at risk", beyond it "off track".
DEFAULT_MARGIN = 0.05
OUTLOOK_COLUMNS = [
    "adcode", "name", "years", "latest_year", "latest_value", "slope", "deadline",
    "projected", "target", "outlook", "note",
]  # fmt: skip


def project(years: np.ndarray, values: np.ndarray, at: float, share: bool = True) -> tuple:
    """Least-squares line through (years, values), read at ``at``: (projected, slope).

    >>> project(np.array([2022, 2023, 2024]), np.array([0.5, 0.55, 0.6]), 2027)
    (0.75, 0.05)
    """
    x, y = years.astype(float), values.astype(float)
    dx = x - x.mean()  # centred years: the closed form stays well conditioned
    slope = float((dx * (y - y.mean())).sum() / (dx * dx).sum())
    value = y.mean() + slope * (at - x.mean())
    if share:
        value = min(max(value, 0.0), 1.0)
    return round(float(value), 12), round(float(slope), 12)


def outlook(
    history: pd.DataFrame,
    *,
    comparator: str = ">=",
    window: int = 5,
    margin: float = DEFAULT_MARGIN,
    share: bool = True,
) -> pd.DataFrame:
    """Classify each unit's trend against its target and deadline.

    ``history`` is an indicator's result for several years stacked
    (``adcode``, ``name``, ``year``, ``value``, ``target``, ``deadline``),
    e.g. from :func:`history`.

    >>> h = pd.DataFrame({"adcode": "1", "name": "甲", "year": [2022, 2023, 2024],
    ...                   "value": [0.5, 0.55, 0.6], "target": 0.8, "deadline": 2027})
    >>> r = outlook(h)
    >>> float(r.loc[0, "projected"]), r.loc[0, "outlook"]
    (0.75, '有风险')
    """
    compare = COMPARATORS[comparator]
    param = f"趋势外推与风险阈值（{margin:.0%}）为用户设定参数 / trend and margin are user-chosen"
    h = history.sort_values("year", kind="stable")
    # plain arrays, one slice per unit: a pandas operation per unit costs ~4 ms each
    keys = list(zip(h["adcode"], h["name"], strict=True))
    year = pd.to_numeric(h["year"], errors="coerce").to_numpy(dtype=float)
    value = pd.to_numeric(h["value"], errors="coerce").to_numpy(dtype=float)
    target_all = pd.to_numeric(h["target"], errors="coerce").to_numpy(dtype=float)
    deadline_all = pd.to_numeric(h["deadline"], errors="coerce").to_numpy(dtype=float)
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        if not (pd.isna(key[0]) or pd.isna(key[1])):  # as groupby: rows without a key are left out
            groups.setdefault(key, []).append(i)
    rows = []
    for (adcode, name), idx in groups.items():
        idx = np.asarray(idx)
        idx = idx[~np.isnan(value[idx])][-window:]  # the latest years with a value
        targets, deadlines = target_all[idx], deadline_all[idx]
        targets = targets[~np.isnan(targets)]
        deadlines = deadlines[~np.isnan(deadlines)]
        target = targets[-1] if len(targets) else np.nan
        deadline = deadlines[-1] if len(deadlines) else np.nan
        row = {"adcode": adcode, "name": name, "years": len(idx), "target": target,
               "deadline": deadline}  # fmt: skip
        if not len(idx):
            rows.append(row | {"outlook": MISSING, "note": "无数据 / no data"})
            continue
        ys, vs = year[idx], value[idx]
        row |= {"latest_year": int(ys[-1]), "latest_value": vs[-1]}
        if np.isnan(target) or np.isnan(deadline):
            rows.append(
                row
                | {"outlook": NOT_APPLICABLE, "note": "无数值目标或期限 / no target or deadline"}
            )
            continue
        if compare(vs[-1], target):
            rows.append(row | {"outlook": MET_NOW, "note": ""})
            continue
        if len(np.unique(ys)) < 2:
            rows.append(
                row | {"outlook": MISSING, "note": "少于两年数据，无法外推 / fewer than two years"}
            )
            continue
        projected, slope = project(ys, vs, deadline, share)
        shortfall = abs(projected - target)
        if compare(projected, target):
            verdict = ON_TRACK
        else:
            verdict = AT_RISK if shortfall <= margin + 1e-12 else OFF_TRACK
        rows.append(
            row | {"projected": projected, "slope": slope, "outlook": verdict, "note": param}
        )
    return pd.DataFrame(rows).reindex(columns=OUTLOOK_COLUMNS)


def history(
    indicator: Callable[..., pd.DataFrame],
    table: pd.DataFrame,
    counties: pd.DataFrame,
    profile: str | Profile = "national",
    *,
    by: str = "county",
) -> pd.DataFrame:
    """An indicator computed for every year in ``table``, stacked.

    >>> from toolkit import data
    >>> from toolkit.indicators import public_kindergarten_share
    >>> demo = data.load_demo()
    >>> h = history(public_kindergarten_share, demo.schools, demo.counties, "济宁")
    >>> sorted(h["year"].unique().tolist())
    [2020, 2021, 2022, 2023, 2024]
    """
    years = sorted(int(y) for y in table["year"].dropna().unique())
    if not years:  # no year in the data: no history, but the indicator's columns
        return indicator(table.iloc[:0], counties.iloc[:0], profile, by=by).iloc[:0]
    return pd.concat(
        [indicator(table, counties, profile, by=by, year=y) for y in years], ignore_index=True
    )
