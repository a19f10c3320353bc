"""Opening a bureau's file: what it really is, which sheet, which row holds the headers.

:func:`open_grid` turns a CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16),
an .xlsx workbook (:mod:`toolkit.data.xlsx`) or a Parquet file into a
:class:`Grid`: the header row mapped to canonical columns and the data rows
below it as raw cells (one DataFrame column per column of the file), each with
the row number Excel shows for it (a line break inside a quoted CSV cell does
not start a new row). The file type is read from the bytes, not the extension:
a web page saved as ``.xls``, a PDF or an old ``.xls`` is named as such. Text
files are parsed by :mod:`toolkit.data.csvfile` (a national roster of a few
million rows in seconds; above ``csvfile.MAX_TEXT_BYTES`` refused with what to
do), workbooks by :mod:`toolkit.data.xlsx`.

Example
-------
>>> import io
>>> g = open_grid(io.BytesIO("区县代码,常住人口\\n140403,895280\\n".encode("gbk")), "counties",
...               name="人口.csv")
>>> g.columns, g.cells.iloc[0].tolist(), int(g.row_numbers[0]), g.encoding
({'区县代码': 'adcode', '常住人口': 'population'}, ['140403', '895280'], 2, 'gb18030')
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from . import csvfile
from .csvfile import padded
from .errors import DataError
from .schema import match_header, read_schema
from .xlsx import MAX_RATIO, MAX_UNZIPPED, read_sheets  # noqa: F401 (limits documented here too)

#: Rows scanned for the header row (title rows above it are skipped).
HEADER_SCAN = 30


@dataclass
class Grid:
    """A table as found in a file: canonical columns and the raw data rows below the header."""

    file: str
    sheet: str | None
    header_row: int
    columns: dict[str, str]  # header as written → canonical column
    positions: dict[str, int]  # canonical column → position in each row
    cells: pd.DataFrame  # data rows × every column of the file (positions 0, 1, …), raw cells
    row_numbers: np.ndarray  # the row number Excel shows for each data row
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    encoding: str = ""
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, pos) → formula
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # cell → source
    blank: np.ndarray | None = None  # rows × columns: True where a cell is empty


def _kind(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta", b"<head")):
        return "html"
    return "text"


def _read_bytes(source: str | Path | IO[bytes] | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "<上传文件>"
    if hasattr(source, "read"):
        return source.read(), getattr(source, "name", "<上传文件>")
    path = Path(source)
    if not path.is_file():
        raise DataError(f"找不到文件 / file not found: {path}", file=str(path),
                        zh="请检查路径。", en="Check the path.")  # fmt: skip
    return path.read_bytes(), str(path)


def blank_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """True where a cell is empty or only spaces (any cell type)."""
    out = {}
    for col, s in frame.items():
        if isinstance(s.dtype, pd.StringDtype):
            out[col] = s.isna() | s.str.len().eq(0) | s.str.isspace()
        else:
            out[col] = s.map(_is_blank).astype(bool)
    return pd.DataFrame(out, index=frame.index, columns=frame.columns).astype(bool)


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip()


def _fill_right(row: list[Any]) -> list[Any]:
    """Carry a merged header cell's text to the cells it spans (read-only mode leaves them blank)."""
    out, last = [], None
    for v in row:
        last = v if v not in (None, "") else last
        out.append(last)
    return out


def _find_header(rows: list[list[Any]], table: str) -> tuple[int, int, list[Any]]:
    """Best header: (row index, rows it spans (1 or 2), header texts) by canonical columns matched.

    A two-row header (a merged group title above the column titles) is chosen
    only when it names more columns than either of its rows alone.
    """
    head = rows[:HEADER_SCAN]
    one = [len({match_header(v, table) for v in row} - {None}) for row in head]
    best = (-1, 0, 1, [])
    for i, row in enumerate(head):
        if one[i] > best[0]:
            best = (one[i], i, 1, list(row))
        if i + 1 < len(head) and any(b not in (None, "") for b in head[i + 1]):
            below, above = head[i + 1], _fill_right(row)
            texts = []
            for j in range(max(len(row), len(below))):
                a = above[j] if j < len(above) else None
                b = below[j] if j < len(below) else None
                options = [b, f"{a or ''}{b or ''}", a] if b not in (None, "") else [a]
                texts.append(next((o for o in options if match_header(o, table)), options[0]))
            score2 = len({match_header(t, table) for t in texts} - {None})
            if score2 > max(best[0], one[i], one[i + 1]):
                best = (score2, i, 2, texts)
    return best[1], best[2], best[3]


def head_rows(cells: pd.DataFrame) -> list[list[Any]]:
    """The first rows of ``cells`` as lists (None for blanks), for :func:`_find_header`."""
    head = cells.iloc[:HEADER_SCAN].astype(object)
    return [[None if _is_blank(v) else v for v in row] for row in head.values.tolist()]


def _frame_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A DataFrame (or Parquet table) as cells: its column names are the first row."""
    body = frame.set_axis(range(len(frame.columns)), axis=1).astype(object)
    header = pd.DataFrame([list(frame.columns)], columns=body.columns, dtype=object)
    return pd.concat([header, body], ignore_index=True)


def open_grid(
    source: str | Path | IO[bytes] | bytes | pd.DataFrame,
    table: str,
    *,
    sheet: str | None = None,
    name: str | None = None,
) -> Grid:
    """Read ``source`` and find the ``table``'s header row; see the module docstring.

    ``name`` labels bytes or a file object in messages (the uploaded file's name).
    Raises :class:`DataError` when the file cannot be read or lacks required columns.
    """
    if isinstance(source, pd.DataFrame):
        return _grid(name or "<DataFrame>", None, _frame_cells(source), table, [])
    raw, file = _read_bytes(source)
    file = name or file
    if not raw.strip():
        raise DataError("文件是空的", file=file, zh="请选择含数据的文件。", en="The file is empty.")
    kind = _kind(raw[:512])
    suffix = Path(file).suffix.lower()
    notes = []
    expected = {".xlsx": "zip", ".xlsm": "zip", ".parquet": "parquet", ".csv": "text",
                ".txt": "text"}  # fmt: skip
    if suffix in expected and expected[suffix] != kind and kind in ("zip", "parquet", "text"):
        notes.append(
            f"扩展名 {suffix} 与内容不符，按实际内容读取 / extension {suffix} does not match the content; read by content"
        )
    if kind == "xls":
        raise DataError("旧版 .xls 格式不受支持", file=file, zh="请在 Excel 中“另存为” .xlsx 后上传。",
                        en="Old .xls workbooks are not supported: save as .xlsx in Excel.")  # fmt: skip
    if kind == "pdf":
        raise DataError("这是 PDF 文件，不是数据表", file=file, zh="请上传 Excel（.xlsx）或 CSV 文件。",
                        en="This is a PDF, not a table: upload an .xlsx or CSV file.")  # fmt: skip
    if kind == "html":
        raise DataError("这是网页（HTML/XML）文件，不是 Excel 工作簿", file=file,
                        zh="很多系统导出的“.xls”其实是网页：请在 Excel 中打开，“另存为” .xlsx 后上传。",
                        en="This is a web page (HTML/XML) saved with a spreadsheet name: open it in "
                           "Excel and save it as .xlsx.")  # fmt: skip
    if kind == "parquet":
        try:
            frame = pd.read_parquet(io.BytesIO(raw))
        except Exception as e:  # noqa: BLE001 - pyarrow raises several types for damaged files
            raise DataError("Parquet 文件无法读取", file=file, zh=f"文件可能已损坏（{type(e).__name__}）。",
                            en=f"The Parquet file cannot be read ({type(e).__name__}).") from None  # fmt: skip
        return _grid(file, None, _frame_cells(frame), table, notes)
    if kind == "zip":
        sheets, more = read_sheets(raw, file, sheet)
        notes += more
        if not sheets:
            raise DataError("工作簿中没有可见的工作表", file=file, zh="请取消隐藏含数据的工作表，或用 sheet= 指定。",
                            en="No visible sheet: unhide the data sheet or pass sheet=.")  # fmt: skip
        scored = []
        for s in sheets:
            _, _, texts = _find_header(s.rows, table)
            scored.append((len({match_header(t, table) for t in texts} - {None}), s))
        best = max(scored, key=lambda x: x[0])[1]
        cells = pd.DataFrame(padded(best.rows), dtype=object) if best.rows else pd.DataFrame()
        return _grid(file, best.title, cells, table, notes, best.formulas, best.merged)
    text, enc = csvfile.decode(raw, file)
    if "\x00" in text[:1000]:
        raise DataError("这不是文本表格（含二进制内容）", file=file, zh="请上传 Excel（.xlsx）或 CSV 文件。",
                        en="Binary content, not a CSV: upload an .xlsx or CSV file.")  # fmt: skip
    sample = text[:1_000_000]
    utf8 = raw.removeprefix(b"\xef\xbb\xbf") if enc == "utf-8-sig" else text.encode("utf-8")
    del text, raw  # the parser needs the bytes only: half the memory of the decoded text
    cells = csvfile.cells(sample, utf8, file)
    grid = _grid(file, None, cells, table, notes)
    grid.encoding = enc
    return grid


def _grid(file: str, sheet: str | None, cells: pd.DataFrame, table: str, notes: list[str],
          formulas: dict | None = None, merged: list | None = None) -> Grid:  # fmt: skip
    numbers = np.arange(1, len(cells) + 1)  # as Excel numbers them
    at, span, texts = _find_header(head_rows(cells), table)
    columns, positions, ignored = {}, {}, []
    for j, text in enumerate(texts):
        canon = match_header(text, table)
        label = "" if text is None else str(text).strip()
        if canon and canon not in positions:
            columns[label] = canon
            positions[canon] = j
        elif canon:
            first = next(k for k, v in columns.items() if v == canon)
            notes.append(f"列“{label}”与列“{first}”含义相同，只读取“{first}” / column '{label}' "
                         f"means the same as '{first}': only '{first}' is read")  # fmt: skip
            ignored.append(label)
        elif label:
            ignored.append(label)
    schema = read_schema(table)
    required = schema[schema["required"]]
    missing = required[~required["column"].isin(positions)]
    if table == "counties":  # a code or a name identifies a county; population from the census
        either = {"adcode", "name"} if {"adcode", "name"} & set(positions) else set()
        missing = missing[~missing["column"].isin(either | {"population"})]
    if len(missing):
        hidden = [n.split(" / ")[0] for n in notes if "隐藏" in n]
        listing = "；".join(f"{r.header_zh}（{r.column}）" for r in missing.itertuples())
        raise DataError(
            f"缺少必需的列：{listing}", file=file, sheet=sheet,
            row=int(numbers[at]) if len(cells) else None, column="、".join(missing["header_zh"]),
            zh="请按模板（toolkit.data.template）添加这些列，或把表头改为上述名称之一。" + "".join(hidden),
            en=f"Missing required columns {list(missing['column'])}: add them (see toolkit.data.template) "
               "or rename the headers." + "".join(n.split(" / ")[1] for n in notes if "隐藏" in n),
        )  # fmt: skip
    start = at + span
    body = cells.iloc[start:].reset_index(drop=True)
    body_numbers = numbers[start:]
    blank = (
        blank_cells(body).to_numpy(bool, copy=True)
        if len(body.columns)
        else np.ones((len(body), 0), bool)
    )
    for r, c in formulas or {}:  # a formula saved without its result is a cell, not a blank
        if r >= start and c < blank.shape[1]:
            blank[r - start, c] = False
    filled = ~blank.all(axis=1)
    end = int(np.flatnonzero(filled)[-1]) + 1 if filled.any() else 0  # trailing blanks: not rows
    body, body_numbers, blank = body.iloc[:end], body_numbers[:end], blank[:end]
    in_body = {
        (r - start, c): f for (r, c), f in (formulas or {}).items() if start <= r < start + end
    }
    covered = {}
    for r0, c0, r1, c1 in merged or []:
        for r in range(max(r0, start), min(r1, start + end - 1) + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0) and r0 >= start:
                    covered[(r - start, c)] = (r0 - start, c0)
    header = int(numbers[at]) if len(cells) else 0
    return Grid(file, sheet, header, columns, positions, body, body_numbers, ignored, notes,
                formulas=in_body, merged=covered, blank=blank)  # fmt: skip
