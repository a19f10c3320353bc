"""What every indicator shares: the status vocabulary and the year choice.

Statuses are always one of :data:`STATUSES`: 达标 (meets), 未达标 (falls short),
不适用 (the profile sets no rule, or no number, for this unit) and 数据缺失 (data missing).
"""

from __future__ import annotations

import pandas as pd

MET, UNMET, NOT_APPLICABLE, MISSING = "达标", "未达标", "不适用", "数据缺失"
#: Every status an indicator can report, in display order.
STATUSES = (MET, UNMET, NOT_APPLICABLE, MISSING)
STATUS_EN = {
    MET: "meets",
    UNMET: "falls short",
    NOT_APPLICABLE: "not applicable",
    MISSING: "no data",
}
#: Note added to every county-level comparison with a target set for a whole jurisdiction.
BENCHMARK_NOTE = "全域目标，逐县比较仅作参照 / jurisdiction-wide target: a benchmark per county"


def latest_year(table: pd.DataFrame) -> int | None:
    """The most recent year in a table (None if it has no ``year`` column).

    >>> latest_year(pd.DataFrame({"year": [2022, 2024]}))
    2024
    """
    if "year" not in table.columns or table["year"].dropna().empty:
        return None
    return int(table["year"].max())


def for_year(table: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int | None]:
    """Rows of ``year`` (default: the latest year) and the year used."""
    year = latest_year(table) if year is None else year
    if year is not None and "year" in table.columns:
        table = table[table["year"] == year]
    return table, year
