"""What a reader says about its input: :class:`DataError` and the validation :class:`Report`.

Both name the file, sheet, row and column, in Chinese and English, and say what
to do. A :class:`Report` accounts for every input row: ``rows_used +
rows_rejected == rows_read``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

REJECTED_COLUMNS = ["file", "sheet", "row", "column", "value", "reason_zh", "reason_en"]
REPAIRED_COLUMNS = [
    "file",
    "sheet",
    "row",
    "column",
    "value",
    "new_value",
    "reason_zh",
    "reason_en",
]


def where(file: str | None, sheet: str | None = None, row: int | None = None,
          column: str | None = None) -> tuple[str, str]:  # fmt: skip
    """A location in Chinese and English, e.g. ``文件 a.xlsx，工作表 学校，第 5 行，列 在校生数``.

    >>> where("a.xlsx", "学校", 5, "在校生数")[1]
    'file a.xlsx, sheet 学校, row 5, column 在校生数'
    """
    zh, en = [], []
    if file:
        zh.append(f"文件 {file}")
        en.append(f"file {file}")
    if sheet:
        zh.append(f"工作表 {sheet}")
        en.append(f"sheet {sheet}")
    if row is not None:
        zh.append(f"第 {row} 行")
        en.append(f"row {row}")
    if column:
        zh.append(f"列 {column}")
        en.append(f"column {column}")
    return "，".join(zh), ", ".join(en)


class DataError(ValueError):
    """The data cannot be used. The message names file, sheet, row, column and what to do.

    >>> e = DataError("缺少必需的列：学段", file="学校.xlsx", sheet="Sheet1", row=1,
    ...               zh="请添加该列。", en="Add the column.")
    >>> str(e).startswith("文件 学校.xlsx，工作表 Sheet1，第 1 行：缺少必需的列：学段。请添加该列。")
    True
    """

    def __init__(self, problem: str, *, file: str | None = None, sheet: str | None = None,
                 row: int | None = None, column: str | None = None, zh: str = "",
                 en: str = "") -> None:  # fmt: skip
        self.problem, self.file, self.sheet, self.row, self.column = (
            problem,
            file,
            sheet,
            row,
            column,
        )
        self.zh, self.en = zh, en
        loc_zh, loc_en = where(file, sheet, row, column)
        head_zh = f"{loc_zh}：" if loc_zh else ""
        head_en = f"{loc_en}: " if loc_en else ""
        super().__init__(f"{head_zh}{problem}。{zh} / {head_en}{en}")


@dataclass(eq=False)
class Report:
    """How a file was read: counts, rejected rows, repaired cells, ignored columns.

    Attribute and key access both work (``report.rows_read`` or ``report["rows_read"]``).
    ``rejected`` has one row per problem (a row can have several); ``rows_rejected``
    counts rows. ``repaired`` lists cells the reader changed and kept.

    A report is a record of one reading, shared by every frame derived from the
    table (pandas copies ``attrs`` on each operation and compares them when
    concatenating): it is not copied, and it equals only itself.

    >>> import copy
    >>> r = Report("a.csv", None, "schools")
    >>> copy.deepcopy(r) is r, r == Report("a.csv", None, "schools")
    (True, False)
    """

    def __deepcopy__(self, memo: dict) -> Report:
        return self

    file: str
    sheet: str | None
    table: str
    rows_read: int = 0
    rows_used: int = 0
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECTED_COLUMNS))
    repaired: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REPAIRED_COLUMNS))
    header_row: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __getitem__(self, key: str):
        return getattr(self, key)

    @property
    def rows_rejected(self) -> int:
        """Input rows not used (each listed in :attr:`rejected` with its reasons)."""
        return int(self.rejected["row"].nunique()) if len(self.rejected) else 0

    def summary(self) -> str:
        """One bilingual line, e.g. ``读取 12 行：使用 10 行，拒绝 2 行，修正 3 处``.

        >>> Report("a.csv", None, "counties", rows_read=3, rows_used=3).summary()
        'a.csv：读取 3 行，使用 3 行，拒绝 0 行，修正 0 处 / read 3 rows: 3 used, 0 rejected, 0 cells repaired'
        """
        name = f"{self.file}（{self.sheet}）" if self.sheet else self.file
        n_fix = len(self.repaired)
        return (
            f"{name}：读取 {self.rows_read} 行，使用 {self.rows_used} 行，拒绝 "
            f"{self.rows_rejected} 行，修正 {n_fix} 处 / read {self.rows_read} rows: "
            f"{self.rows_used} used, {self.rows_rejected} rejected, {n_fix} cells repaired"
        )
