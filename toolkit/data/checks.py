"""Row checks every reader runs: blank, totals and note rows, county identity, parts, duplicates.

Each check adds to a :class:`Rows` collector: a row is either rejected (with
file, sheet, row, column, value and the reason in Chinese and English) or
kept, and cells changed on the way are listed as repaired. The checks work on
whole columns, so a table of a few million rows costs seconds, not minutes;
only rows with a problem are visited one by one.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from .. import adcodes
from .files import blank_cells

#: Columns that identify one row of each table; later rows with the same key are rejected.
KEYS = {
    "counties": ["adcode", "year"],
    "schools": ["school_id", "year"],
    "teachers": ["teacher_id", "year"],
    "indicators": ["adcode", "year"],
    "resources": ["school_id", "year", "section"],
}
#: (part, whole) pairs in county aggregates: a part larger than its whole is rejected.
PARTS = [
    ("public_kg_enrolment", "kg_enrolment"),
    ("inclusive_kg_enrolment", "kg_enrolment"),
    ("public_kg_enrolment", "inclusive_kg_enrolment"),
    ("disabled_enrolled", "disabled_children"),
    ("teachers_rotated", "teachers_eligible"),
    ("key_teachers_rotated", "teachers_rotated"),
]
#: A totals row names itself in one of its first four cells (spaces removed), case ignored.
TOTAL = (
    r"^(?:合计|小计|总计|总数|全市|全县|全区|全省|共计|其中)"
    r"|^(?:total|subtotal|grandtotal|sum)(?:[:：(（]|$)"
)
#: A note below (or among) the data starts its first cell with a label and a colon.
NOTE = r"^(?:注|说明|备注|填表|制表|审核|负责人|联系人|联系电话|电话|数据来源|填报)[^：:]{0,6}[：:]"
TOTAL_STARTS, NOTE_STARTS = "合小总全共其TtSsGg", "注说备填制审负联电数"
TOTAL_REASON = "合计/小计行，不是一个单位 / a totals row, not a unit"
NOTE_REASON = (
    "说明文字行（注释、填表人等），不是数据 / a note (remarks, who filled it in), not data"
)


class Rows:
    """Collects per-row problems and repairs while a table is cleaned."""

    def __init__(self, file: str, sheet: str | None, numbers: np.ndarray):
        self.file, self.sheet, self.numbers = file, sheet, numbers
        self.rejected: list[dict] = []
        self.repaired: list[dict] = []
        self.merged: set[int] = set()  # used, but added into an earlier row
        self.old_code: dict[int, str] = {}  # row → the old county code it was recoded from
        self._dead: set[int] = set()

    def reject(self, i: int, column: str, reason: str, value: Any = None) -> None:
        zh, _, en = reason.partition(" / ")
        self.rejected.append({"file": self.file, "sheet": self.sheet, "row": int(self.numbers[i]),
                              "column": column, "value": show(value), "reason_zh": zh,
                              "reason_en": en or zh})  # fmt: skip
        self._dead.add(i)

    def repair(self, i: int, column: str, value: Any, new: Any, reason: str) -> None:
        zh, _, en = reason.partition(" / ")
        self.repaired.append({"file": self.file, "sheet": self.sheet, "row": int(self.numbers[i]),
                              "column": column, "value": show(value), "new_value": show(new),
                              "reason_zh": zh, "reason_en": en or zh})  # fmt: skip

    def dead(self) -> set[int]:
        return set(self._dead)


def show(value: Any) -> str:
    """A cell as text for a report ("" for blanks)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _matches(s: pd.Series, pattern: str, starts: str) -> np.ndarray:
    """Where a cell (spaces removed) matches ``pattern``, case ignored; whole columns at once.

    Only cells whose first character is one of ``starts`` (the pattern's first
    characters) are matched, so a column of a few million names costs little.
    """
    text = s.fillna("") if isinstance(s.dtype, pd.StringDtype) else s.map(show).astype("str")
    text = text.str.lstrip()
    out = np.zeros(len(s), bool)
    maybe = np.flatnonzero(text.str.slice(0, 1).isin(list(starts)).to_numpy(bool))
    if len(maybe):
        some = text.iloc[maybe].str.replace("[ \t\u3000]", "", regex=True)  # literal characters:
        out[maybe] = some.str.contains(pattern, case=False, regex=True).to_numpy(bool)  # Arrow
    return out


def blank_total_and_note_rows(
    cells: pd.DataFrame, rows: Rows, blank: np.ndarray | None = None
) -> None:
    """Reject blank rows, totals rows (合计/小计 in one of the first four cells) and notes (注：…).

    ``blank`` is :func:`~toolkit.data.files.blank_cells` of ``cells`` when already known.
    """
    if not len(cells.columns):
        return
    blank = blank_cells(cells).to_numpy(bool) if blank is None else blank
    for i in np.flatnonzero(blank.all(axis=1)):
        rows.reject(int(i), "", "空行 / blank row")
    first = cells.iloc[:, :4]
    totals = np.zeros(len(cells), bool)
    for col in first:
        totals |= _matches(first[col], TOTAL, TOTAL_STARTS)
    for i in np.flatnonzero(totals):
        rows.reject(int(i), "", TOTAL_REASON, next((v for v in first.iloc[i] if show(v)), None))
    lead = ~blank.all(axis=1) & ~totals
    lead_col = blank.argmin(axis=1)  # the first non-blank cell of each row
    for j in np.unique(lead_col[lead]):
        at = lead & (lead_col == j)
        for i in np.flatnonzero(at & _matches(cells[cells.columns[j]], NOTE, NOTE_STARTS)):
            rows.reject(int(i), "", NOTE_REASON, cells.iat[int(i), int(j)])


def identify(clean: pd.DataFrame, table: str, rows: Rows, province, city) -> pd.DataFrame:
    """Today's county code for every row: recode old codes, match names, keep to the scope."""
    if "adcode" not in clean and "name" in clean:  # counties identified by name
        clean["adcode"] = None
    if "adcode" not in clean:
        return clean
    today = adcodes.counties().set_index("adcode")["name"]
    alive = clean.index[~clean.index.isin(list(rows.dead()))]
    if table == "counties" and "name" in clean:
        sub = clean.loc[alive]
        by_name = sub.index[sub["adcode"].isna() & sub["name"].notna()]
        if len(by_name):
            names = clean.loc[by_name, "name"]
            found = adcodes.match_names(names.unique(), province, city).set_index("name")
            found = found[~found.index.duplicated()]
            for i, name in names.items():
                hit = found.loc[re.sub(r"\s+", "", str(name))]
                if hit["adcode"]:
                    clean.at[i, "adcode"] = hit["adcode"]
                    rows.repair(i, "行政区划代码", "", hit["adcode"],
                                "按名称匹配区县代码 / code found from the county name")  # fmt: skip
                    now = today.get(hit["adcode"])
                    if now and now != name:  # 潞州 → 潞州区, 长治县 → 上党区: today's name
                        clean.at[i, "name"] = now
                        rows.repair(i, "县区名称", name, now,
                                    "县区名称改为现行全称 / county name replaced by today's full name")  # fmt: skip
                else:
                    more = f"（可能是 {hit['candidates']}）" if hit["candidates"] else ""
                    rows.reject(i, "县区名称", f"找不到区县“{name}”{more}，请填写6位代码 / unknown county name; enter the 6-digit code", name)  # fmt: skip
    codes = clean.loc[alive, "adcode"].dropna()
    codes = codes[~codes.index.isin(list(rows.dead()))]
    if codes.empty:
        return clean
    result = adcodes.recode(codes.unique()).set_index("code")
    status, new = codes.map(result["status"]), codes.map(result["adcode"])
    for i in status.index[status == "recoded"]:
        code, hit = codes[i], result.loc[codes[i]]
        clean.at[i, "adcode"] = new[i]
        rows.old_code[i] = code
        rows.repair(i, "行政区划代码", code, new[i], f"{hit['reason_zh']} / {hit['reason_en']}")
        if table in ("counties", "indicators") and "name" in clean:
            old, now = clean.at[i, "name"], today.get(new[i])
            if now and old is not None and old != now:  # the row now describes today's unit
                clean.at[i, "name"] = now
                rows.repair(i, "县区名称", old, now, "旧区县名称改为现行名称 / old county name replaced by today's")  # fmt: skip
    for i in status.index[~status.isin(["current", "recoded"])]:
        hit = result.loc[codes[i]]
        rows.reject(i, "行政区划代码", f"{hit['reason_zh']} / {hit['reason_en']}", codes[i])
    if province is not None or city is not None:
        from ..geo import read_counties

        scope = set(read_counties(province, city, simplified="national")["adcode"])
        kept = status.index[status.isin(["current", "recoded"])]
        outside = kept[~clean.loc[kept, "adcode"].isin(scope)]
        area = city or province
        for i in outside:
            rows.reject(i, "行政区划代码",
                        f"不在所选地区（{area}） / outside the chosen area ({area})", codes[i])  # fmt: skip
    return clean


def check_parts(clean: pd.DataFrame, rows: Rows, schema: pd.DataFrame) -> None:
    """Reject rows where a part (公办园在园幼儿数) is larger than its whole (在园幼儿数)."""
    for part, whole in PARTS:
        if part in clean and whole in clean:
            bad = clean[part].astype(float) > clean[whole].astype(float)
            for i in clean.index[bad.fillna(False).to_numpy(bool)]:
                rows.reject(
                    i, schema.at[part, "header_zh"],
                    f"{schema.at[part, 'header_zh']}（{float(clean.at[i, part]):g}）大于"
                    f"{schema.at[whole, 'header_zh']}（{float(clean.at[i, whole]):g}） / "
                    f"{part} is larger than {whole}",
                    clean.at[i, part],
                )  # fmt: skip


def duplicates(clean: pd.DataFrame, table: str, rows: Rows, schema: pd.DataFrame) -> pd.DataFrame:
    """Reject repeated rows; add up the counts of old units merged into one (城区+郊区 → 潞州区).

    Two rows are merged only when both carry old codes, and different ones, that
    lead to the same county today; a current code beside an old one, or the same
    old code twice, is a repeated key (adding them would count the county twice).
    Amounts and shares of merged rows are kept only when the rows agree.
    """
    alive = clean.drop(index=[i for i in rows.dead() if i in clean.index])
    keys = [k for k in KEYS[table] if k in alive]
    if not keys or alive.empty:
        return clean
    repeated = alive[alive.duplicated(keys, keep=False).to_numpy(bool)]
    if repeated.empty:
        return clean
    as_text = repeated.astype(str)
    old = rows.old_code
    for _, group in repeated.groupby(keys, dropna=False, sort=False):
        first, seen = group.index[0], {old.get(group.index[0])}
        row = int(rows.numbers[first])
        for i in group.index[1:]:
            if (as_text.loc[i] == as_text.loc[first]).all():
                rows.reject(i, "", f"与第 {row} 行完全相同 / duplicate of row {row}")
            elif (
                table in ("counties", "indicators")
                and {first, i} <= old.keys()
                and old[i] not in seen
            ):
                seen.add(old[i])
                _merge(clean, first, i, row, rows, schema)
            else:
                key = "、".join(schema.at[k, "header_zh"] for k in keys)
                rows.reject(
                    i, key, f"{key}与第 {row} 行重复 / same key as row {row}", group.at[i, keys[0]]
                )
    return clean


def _merge(clean: pd.DataFrame, first: int, i: int, row: int, rows: Rows, schema) -> None:
    dtypes = schema.loc[[c for c in clean.columns if c in schema.index], "dtype"]
    counts = [c for c, d in dtypes.items() if d == "int" and c != "year"]
    clean.loc[first, counts] = clean.loc[[first, i], counts].astype(float).sum(min_count=1)
    for col in [c for c, d in dtypes.items() if d in ("float", "share")]:
        a, b = clean.at[first, col], clean.at[i, col]
        if pd.isna(a) and pd.isna(b) or pd.notna(a) and pd.notna(b) and float(a) == float(b):
            continue
        clean.at[first, col] = np.nan  # one old unit's amount or share is not the merged unit's
        rows.repair(first, schema.at[col, "header_zh"], show(a), "",
                    f"与第 {int(rows.numbers[i])} 行（{show(b) or '空'}）不同，合并后无法确定，已置空 / "
                    f"differs from row {int(rows.numbers[i])} ({show(b)}): unknown after the merge, left blank")  # fmt: skip
    rows.repair(i, "行政区划代码", rows.old_code[i], clean.at[first, "adcode"],
                f"旧区县并入现行区县，计数与第 {row} 行合计 / old unit merged: counts added to row {row}")  # fmt: skip
    rows.merged.add(i)
