"""The scorecard summarised: which rules the data supports, county × rule cells, counts.

:func:`toolkit.check` returns one row per county, rule and (for the 优质均衡
rules) measure. The functions here reduce that table for an overview page:

* :func:`supported_rules` / :func:`unsupported_rules` — the rules the data can
  judge for at least one county, and those it cannot (never dropped silently);
* :func:`rule_cells` — one cell per county and supported rule: the worst status
  over its measures (未达标 > 数据缺失 > 达标 > 不适用), how many measures fail,
  and whether the 2027 outlook is 有风险 or 难以达标;
* :func:`heat_table` — those cells as a county × rule table;
* :func:`status_counts` — 达标 / 未达标 / 有风险 counts per rule or overall;
* :func:`misses_per_county` — how many rules each county misses;
* :func:`furthest_from_target` — counties with the largest relative shortfall.

Example
-------
>>> from toolkit import data, indicators
>>> card = indicators.check(data.load_demo(), "national")
>>> cells = rule_cells(card)
>>> int(status_counts(cells).loc["national:pub_kg_share", MET])
17
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import MET, MISSING, NOT_APPLICABLE, UNMET
from .outlook import AT_RISK, OFF_TRACK

#: How measures of one rule combine into one cell: the first status present wins.
WORST_FIRST = (UNMET, MISSING, MET, NOT_APPLICABLE)
#: Outlooks counted as 有风险 on the overview (at risk, or off track).
RISKY = (AT_RISK, OFF_TRACK)
#: The column :func:`status_counts` uses for the risky outlooks.
RISK = "有风险"
CELL_COLUMNS = [
    "adcode", "name", "rule", "indicator", "title", "unit", "level", "status", "value",
    "target", "measures", "failing", "at_risk", "outlook", "source",
]  # fmt: skip


def _rule_order(card: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(card["rule"]))


def supported_rules(card: pd.DataFrame) -> pd.DataFrame:
    """One row per rule that has a status other than 数据缺失 for at least one county.

    Columns ``rule``, ``indicator``, ``title`` (and ``title_en``), ``unit``, ``level``, ``source``
    and ``measures`` (how many measures the rule has), in the card's order.

    >>> card = pd.DataFrame({"adcode": ["1", "1"], "rule": ["p:a", "p:b"], "indicator": ["a", "b"],
    ...     "title": ["甲", "乙"], "status": ["达标", "数据缺失"]})
    >>> supported_rules(card)["rule"].tolist()
    ['p:a']
    """
    has_data = card.loc[card["status"] != MISSING, "rule"].unique()
    rows = card[card["rule"].isin(has_data)]
    return _describe(rows)


def unsupported_rules(card: pd.DataFrame) -> pd.DataFrame:
    """The rules the data cannot judge for any county (every row 数据缺失), with the reason.

    Columns as :func:`supported_rules` plus ``note`` (why: not computed yet, or
    which tables are missing).

    >>> card = pd.DataFrame({"adcode": ["1", "1"], "rule": ["p:a", "p:b"], "indicator": ["a", "b"],
    ...     "title": ["甲", "乙"], "status": ["达标", "数据缺失"], "note": ["", "缺少数据表"]})
    >>> unsupported_rules(card)[["rule", "note"]].values.tolist()
    [['p:b', '缺少数据表']]
    """
    has_data = set(card.loc[card["status"] != MISSING, "rule"])
    rows = card[~card["rule"].isin(has_data)]
    out = _describe(rows)
    notes = rows.groupby("rule", sort=False)["note"].first() if "note" in rows else None
    return out.assign(note=out["rule"].map(notes) if notes is not None else "")


def _describe(rows: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in ("indicator", "title", "title_en", "unit", "level", "source") if c in rows]
    first = rows.groupby("rule", sort=False)[cols].first()
    measures = (
        rows.assign(measure=rows["measure"].astype(object).fillna(""))
        .groupby("rule", sort=False)["measure"]
        .nunique()
        if "measure" in rows
        else pd.Series(1, index=first.index)
    )
    out = first.assign(measures=measures.clip(lower=1)).reset_index()
    return out.reindex(columns=["rule", *cols, "measures"]).reset_index(drop=True)


def rule_cells(card: pd.DataFrame) -> pd.DataFrame:
    """One row per county and supported rule, its measures summarised.

    ``status`` is the worst status over the rule's measures (see
    :data:`WORST_FIRST`); ``measures`` and ``failing`` count them; ``value`` and
    ``target`` are kept only for single-measure rules; ``at_risk`` is True when
    any measure's outlook is 有风险 or 难以达标 (``outlook`` the worse of them).

    >>> card = pd.DataFrame({"adcode": ["1", "1", "2"], "name": ["甲", "甲", "乙"],
    ...     "rule": ["p:cv"] * 3, "indicator": ["cv"] * 3, "measure": ["x", "y", "x"],
    ...     "value": [0.4, 0.7, 0.3], "target": [0.5] * 3, "status": ["达标", "未达标", "达标"],
    ...     "outlook": ["已达标", "难以达标", "已达标"]})
    >>> rule_cells(card)[["adcode", "status", "measures", "failing", "at_risk"]].values.tolist()
    [['1', '未达标', 2, 1, True], ['2', '达标', 1, 0, False]]
    """
    rows = card[card["rule"].isin(supported_rules(card)["rule"])].copy()
    if rows.empty:
        return pd.DataFrame(columns=CELL_COLUMNS)
    for col in ("measure", "outlook", "value", "target", "title", "unit", "level", "source"):
        if col not in rows:
            rows[col] = np.nan if col in ("outlook", "value", "target") else ""
    rows["measure"] = rows["measure"].astype(object).fillna("")
    rows["adcode"] = rows["adcode"].astype(str)
    # the worst status and outlook as the lowest rank: one vectorised min, no per-group Python
    status_rank = {s: i for i, s in enumerate(WORST_FIRST)}
    outlook_rank = {OFF_TRACK: 0, AT_RISK: 1}
    rows["status_rank"] = rows["status"].map(status_rank).fillna(len(WORST_FIRST))
    rows["outlook_rank"] = rows["outlook"].map(outlook_rank)
    rows["failing"] = (rows["status"] == UNMET).astype(int)
    group = rows.groupby(["adcode", "rule"], sort=False)
    out = group.agg(
        name=("name", "first"), indicator=("indicator", "first"), title=("title", "first"),
        unit=("unit", "first"), level=("level", "first"), source=("source", "first"),
        status_rank=("status_rank", "min"), measures=("measure", "size"),
        failing=("failing", "sum"), outlook_rank=("outlook_rank", "min"),
        value=("value", "first"), target=("target", "first"),
    ).reset_index()  # fmt: skip
    worst = dict(enumerate(WORST_FIRST))
    out["status"] = out.pop("status_rank").astype(int).map(worst).fillna(MISSING)
    out["outlook"] = out.pop("outlook_rank").map({0: OFF_TRACK, 1: AT_RISK})
    single = out["measures"] == 1
    out["value"] = out["value"].where(single)
    out["target"] = out["target"].where(single)
    out["at_risk"] = out["outlook"].isin(RISKY)
    out["measures"] = out["measures"].astype(int)
    out["failing"] = out["failing"].astype(int)
    order = {r: i for i, r in enumerate(_rule_order(rows))}
    out = out.sort_values("rule", key=lambda s: s.map(order), kind="stable")
    return out.reindex(columns=CELL_COLUMNS).reset_index(drop=True)


def heat_table(cells: pd.DataFrame, field: str = "status") -> pd.DataFrame:
    """County × rule table of one cell field (rows in the cells' county order).

    A county the rule does not cover (e.g. the 20万人口 line splits counties
    between two rules) gets 不适用 in the ``status`` table, NaN otherwise.

    >>> cells = pd.DataFrame({"adcode": ["1", "2", "1"], "rule": ["a", "a", "b"],
    ...                       "status": ["达标", "未达标", "达标"]})
    >>> heat_table(cells).values.tolist()
    [['达标', '达标'], ['未达标', '不适用']]
    """
    counties = list(dict.fromkeys(cells["adcode"]))
    rules = list(dict.fromkeys(cells["rule"]))
    table = cells.pivot(index="adcode", columns="rule", values=field).reindex(
        index=counties, columns=rules
    )
    if field == "status":
        table = table.fillna(NOT_APPLICABLE)
    table.columns.name = None
    return table


def status_counts(cells: pd.DataFrame, by: str | None = "rule") -> pd.DataFrame | pd.Series:
    """Counts of 达标, 未达标 and 有风险 (outlook 有风险 or 难以达标) cells.

    ``by="rule"`` gives one row per rule (card order) with the columns 达标,
    未达标, 有风险, 不适用 and ``counties``; ``by=None`` one Series over all
    county × rule cells.

    >>> cells = pd.DataFrame({"adcode": ["1", "2", "1"], "rule": ["a", "a", "b"],
    ...     "status": ["达标", "未达标", "未达标"], "at_risk": [False, True, False]})
    >>> status_counts(cells).values.tolist()
    [[1, 1, 1, 0, 2], [0, 1, 0, 0, 1]]
    >>> status_counts(cells, by=None).to_dict()
    {'达标': 1, '未达标': 2, '有风险': 1, '不适用': 0, 'counties': 2}
    """

    def count(rows: pd.DataFrame) -> pd.Series:
        return pd.Series({
            MET: int((rows["status"] == MET).sum()), UNMET: int((rows["status"] == UNMET).sum()),
            RISK: int(rows["at_risk"].fillna(False).astype(bool).sum()),
            NOT_APPLICABLE: int((rows["status"] == NOT_APPLICABLE).sum()),
            "counties": int(rows["adcode"].nunique()),
        })  # fmt: skip

    if by is None:
        return count(cells)
    order = list(dict.fromkeys(cells[by]))
    out = cells.groupby(by, sort=False)[["adcode", "status", "at_risk"]].apply(count)
    return out.reindex(order).astype(int)


def misses_per_county(cells: pd.DataFrame) -> pd.DataFrame:
    """Per county: rules missed (``misses``), rules judged (``checked``), rules at risk.

    ``checked`` counts rules with status 达标 or 未达标; ``missed_titles`` lists the
    missed rules' titles (joined with “、”).

    >>> cells = pd.DataFrame({"adcode": ["1", "2", "1"], "name": ["甲", "乙", "甲"],
    ...     "rule": ["a", "a", "b"], "title": ["A", "A", "B"],
    ...     "status": ["未达标", "达标", "未达标"], "at_risk": [True, False, False]})
    >>> misses_per_county(cells)[["adcode", "misses", "checked", "at_risk"]].values.tolist()
    [['1', 2, 2, 1], ['2', 0, 1, 0]]
    """
    if cells.empty:
        cols = ["adcode", "name", "misses", "checked", "at_risk", "missed_titles"]
        return pd.DataFrame(columns=cols)
    rows = cells.assign(
        miss=cells["status"] == UNMET,
        judged=cells["status"].isin([MET, UNMET]),
        risk=cells["at_risk"].fillna(False).astype(bool),
        missed=cells["title"].where(cells["status"] == UNMET),
    )
    out = rows.groupby("adcode", sort=False).agg(
        name=("name", "first"), misses=("miss", "sum"), checked=("judged", "sum"),
        at_risk=("risk", "sum"), missed_titles=("missed", lambda s: "、".join(s.dropna())),
    ).reset_index()  # fmt: skip
    return out.astype({"misses": int, "checked": int, "at_risk": int})


def furthest_from_target(card: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` counties furthest from a numeric target: largest |gap| ÷ |target|.

    Only rows with status 未达标 and a numeric, non-zero target count (a rule
    whose target is 0 — “no teacher beyond 9 years” — has no relative
    shortfall). Each county appears once, with its worst rule (and measure).

    >>> card = pd.DataFrame({"adcode": ["1", "1", "2"], "name": ["甲", "甲", "乙"],
    ...     "rule": ["a", "b", "a"], "title": ["A", "B", "A"], "value": [0.3, 500, 0.5],
    ...     "target": [0.6, 600, 0.6], "gap": [-0.3, -100, -0.1], "status": ["未达标"] * 3})
    >>> furthest_from_target(card)[["adcode", "rule", "shortfall"]].round(3).values.tolist()
    [['1', 'a', 0.5], ['2', 'a', 0.167]]
    """
    target = pd.to_numeric(card["target"], errors="coerce")
    gap = pd.to_numeric(card["gap"], errors="coerce")
    ok = (card["status"] == UNMET) & target.notna() & gap.notna() & (target != 0)
    rows = card[ok].assign(shortfall=(gap[ok].abs() / target[ok].abs()))
    rows = rows.assign(adcode=rows["adcode"].astype(str))
    rows = rows.sort_values(["shortfall", "adcode"], ascending=[False, True], kind="stable")
    rows = rows.drop_duplicates("adcode").head(n)
    cols = ["adcode", "name", "rule", "indicator", "title", "measure", "unit", "value",
            "target", "gap", "shortfall", "outlook"]  # fmt: skip
    return rows.reindex(columns=cols).reset_index(drop=True)
