"""Blank fill-in workbooks (填报模板) for the tables of ``schema.csv``.

:func:`write_template` writes an empty workbook for one table (学校, 教师, 区县 …)
whose Chinese headers the data readers accept unchanged, with drop-down lists,
number checks and a 说明 sheet explaining every column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .data import load_demo, read_schema
from .excel import _clean, _fill, _save, _table, _text_width, sheet_name

#: Template data sheet per schema table; other tables use their own name.
TABLE_NAMES = {"counties": "区县", "schools": "学校", "teachers": "教师", "indicators": "区县汇总",
               "resources": "办学条件"}  # fmt: skip
#: Numeric dtype → (check, operator, bounds, number format, what to enter).
NUMBER_CHECKS = {
    "int": ("whole", "greaterThanOrEqual", ("0",), "General", "不小于0的整数 / whole number ≥ 0"),
    "float": ("decimal", "greaterThanOrEqual", ("0",), "#,##0.00", "不小于0的数 / number ≥ 0"),
    "share": ("decimal", "between", ("0", "1"), "0.0%", "0%–100% 的比例 / share, 0%–100%"),
}
REQUIRED_FILL, OPTIONAL_FILL = "F8CBAD", "E7E6E6"
TEMPLATE_ROWS = 5000  # rows of the template that carry drop-downs and checks


def template_kinds() -> list[str]:
    """The tables a template can be written for: every ``table`` of ``schema.csv``.

    >>> template_kinds()[:3]
    ['counties', 'schools', 'teachers']
    """
    return list(dict.fromkeys(read_schema()["table"]))


def _choices(dtype: str, allowed: str) -> list[str]:
    return ["是", "否"] if dtype == "bool" else [a for a in allowed.split("|") if a]


def _examples(kind: str, columns: pd.DataFrame) -> list[object]:
    """One example per column: the demo's first row, else a value of the right type."""
    try:
        first = getattr(load_demo(), kind).iloc[0].to_dict()
    except (AttributeError, IndexError, OSError, ValueError):
        first = {}
    out = []
    for col, dtype, allowed in columns[["column", "dtype", "allowed"]].itertuples(index=False):
        value = _clean(first.get(col))
        if dtype == "bool":
            value = "" if value is None else ("是" if value else "否")
        out.append(value if value is not None else (_choices(dtype, allowed) or [""])[0])
    return out


HOW_TO = (
    "填写说明",
    "1. 在第一个工作表第2行起逐行填写，每行一条记录；请勿修改、删除或调换第1行的表头。",
    "2. 橙色表头为必填列，灰色为选填列；有下拉箭头的列请从列表中选择，是/否列填“是”或“否”。",
    "3. 代码列（如行政区划代码）为文本格式，请保留前导零；人数、个数等填不小于0的整数。",
    "4. 各列含义、单位和可选值见下表。",
    "How to fill in",
    "1. Fill in the first sheet from row 2, one record per row; do not change the header row.",
    "2. Orange headers are required, grey ones optional; pick drop-down values from the list.",
    "3. Code columns are text: keep leading zeros. Counts are whole numbers ≥ 0.",
    "4. The table below gives each column's meaning, unit and allowed values.",
)


def write_template(kind: str, path: str | Path) -> Path:
    """Write a blank fill-in workbook for one table of ``schema.csv`` (see :func:`template_kinds`).

    The data sheet (学校, 教师, 区县 …) has each column's ``header_zh`` as its
    header row — required columns in orange — with drop-down lists for category
    and 是/否 columns, whole-number ≥ 0 checks for counts and text format for
    text columns such as codes. The 说明 sheet explains every column.

    >>> import tempfile, openpyxl
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     wb = openpyxl.load_workbook(write_template("schools", f"{tmp}/学校.xlsx"))
    ...     wb.sheetnames, wb["学校"]["D1"].value
    (['学校', '说明'], '年份')
    """
    kinds = template_kinds()
    if kind not in kinds:
        raise ValueError(
            f"未知的模板类型“{kind}”，可用：{'、'.join(kinds)}。 / "
            f"Unknown template kind {kind!r}; use one of {kinds}."
        )
    schema = read_schema()
    columns = schema[schema["table"] == kind].reset_index(drop=True)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(TABLE_NAMES.get(kind, kind), {"说明"})
    for j, col in enumerate(columns.itertuples(index=False), 1):
        letter = get_column_letter(j)
        cell = ws.cell(1, j, col.header_zh)
        cell.font = Font(bold=True)
        cell.fill = _fill(REQUIRED_FILL if col.required else OPTIONAL_FILL)
        need = "必填 required" if col.required else "选填 optional"
        cell.comment = Comment(f"{col.column}（{need}）\n{col.description}", "toolkit")
        ws.column_dimensions[letter].width = max(_text_width(col.header_zh) + 4, 12)
        choices, check = _choices(col.dtype, col.allowed), None
        if choices:
            listed = ",".join(choices)
            if len(listed) > 250 or any("," in c for c in choices):  # too long to write inline
                lists = wb["选项"] if "选项" in wb.sheetnames else wb.create_sheet("选项")
                lists.sheet_state = "hidden"
                for i, choice in enumerate(choices, 1):
                    lists.cell(i, j, choice)
                listed = f"选项!${letter}$1:${letter}${len(choices)}"
            else:
                listed = f'"{listed}"'
            check = DataValidation(type="list", formula1=listed, allow_blank=True)
            check.error = f"请从列表中选择：{'、'.join(choices)} / choose a value from the list"
        elif col.dtype in NUMBER_CHECKS:
            kind_, operator, bounds, fmt, what = NUMBER_CHECKS[col.dtype]
            check = DataValidation(type=kind_, operator=operator, formula1=bounds[0],
                                   formula2=bounds[-1] if len(bounds) > 1 else None)  # fmt: skip
            check.error = f"请填写{what}"
            ws.column_dimensions[letter].number_format = fmt
        else:  # text and codes: keep leading zeros
            ws.column_dimensions[letter].number_format = "@"
        if check is not None:
            check.errorTitle, check.showErrorMessage, check.allow_blank = col.header_zh, True, True
            check.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            ws.add_data_validation(check)
    ws.freeze_panes = "A2"

    notes = wb.create_sheet("说明", 1)
    for i, line in enumerate(HOW_TO, 1):
        notes.cell(i, 1, line).font = Font(bold=line in (HOW_TO[0], HOW_TO[5]))
    legend = len(HOW_TO) + 2
    notes.cell(legend, 1, "必填 required").fill = _fill(REQUIRED_FILL)
    notes.cell(legend, 2, "选填 optional").fill = _fill(OPTIONAL_FILL)
    allowed = [_choices(d, a) for d, a in zip(columns["dtype"], columns["allowed"], strict=True)]
    table = pd.DataFrame(
        {
            "中文表头": columns["header_zh"], "列名 column": columns["column"],
            "含义 meaning": columns["description"], "单位 unit": columns["unit"],
            "可选值 allowed": [
                "、".join(a) or NUMBER_CHECKS.get(d, ("",) * 5)[4]
                for a, d in zip(allowed, columns["dtype"], strict=True)
            ],
            "必填 required": ["是" if r else "否" for r in columns["required"]],
            "示例 example": _examples(kind, columns),
        }
    )  # fmt: skip
    _table(notes, table, legend + 2, {})
    for i, required in enumerate(columns["required"], legend + 3):
        notes.cell(i, 1).fill = _fill(REQUIRED_FILL if required else OPTIONAL_FILL)
    return _save(wb.save, path, ".xlsx")
