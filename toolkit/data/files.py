"""Opening a bureau's file: what it really is, which sheet, which row holds the headers.

:func:`open_grid` turns a CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16),
an .xlsx workbook or a Parquet file into a :class:`Grid`: the header row mapped
to canonical columns and the data rows below it as raw cells, each with the row
number the user sees in Excel or in a text editor. The file type is read from
the bytes, not the extension. Workbooks are opened read-only with the values
Excel last saved (formulas are never evaluated), and a workbook whose
decompressed size is out of proportion (a zip bomb) is refused before parsing.

Example
-------
>>> import io
>>> g = open_grid(io.BytesIO("区县代码,常住人口\\n140403,895280\\n".encode("gbk")), "counties",
...               name="人口.csv")
>>> g.columns, g.rows[0], g.row_numbers[0], g.encoding
({'区县代码': 'adcode', '常住人口': 'population'}, ['140403', '895280'], 2, 'gb18030')
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from .errors import DataError
from .schema import match_header, read_schema

#: A workbook may decompress to at most this many bytes, and at most RATIO times its size.
MAX_UNZIPPED = 1_000_000_000
MAX_RATIO = 200
#: Rows scanned for the header row (title rows above it are skipped).
HEADER_SCAN = 30


@dataclass
class Grid:
    """A table as found in a file: canonical columns and raw data rows."""

    file: str
    sheet: str | None
    header_row: int
    columns: dict[str, str]  # header as written → canonical column
    positions: dict[str, int]  # canonical column → position in each row
    rows: list[list[Any]]
    row_numbers: list[int]
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    encoding: str = ""


def _kind(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
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


def _decode(raw: bytes, file: str) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise DataError(  # unreachable for gb18030 on most inputs, kept for safety
        "文件编码无法识别", file=file,
        zh="请另存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx。",
        en="Unknown text encoding: save as UTF-8 or GBK CSV, or as .xlsx.",
    )  # fmt: skip


def _csv_rows(text: str, file: str) -> tuple[list[list[str]], list[int]]:
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows, numbers = [], []
    try:
        for row in reader:
            rows.append(row)
            numbers.append(reader.line_num)
    except csv.Error as e:
        raise DataError(f"CSV 格式错误（{e}）", file=file, row=reader.line_num,
                        zh="请在 Excel 中打开并另存为 CSV 或 .xlsx 后重试。",
                        en=f"Malformed CSV ({e}): open it in Excel and save it again.") from None  # fmt: skip
    return rows, numbers


def _check_zip(raw: bytes, file: str) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        names = zf.namelist()
        total = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        raise DataError("文件已损坏（不完整的 .xlsx）", file=file,
                        zh="请在 Excel 中重新保存后再上传。",
                        en="The workbook is damaged or truncated: save it again in Excel.") from None  # fmt: skip
    if "xl/workbook.xml" not in names:
        raise DataError("这是一个 zip 压缩包，不是 Excel 工作簿", file=file,
                        zh="请解压后上传其中的 .xlsx 或 .csv 文件。",
                        en="This is a zip archive, not an .xlsx workbook: extract it first.")  # fmt: skip
    if total > MAX_UNZIPPED or total > MAX_RATIO * max(len(raw), 1):
        raise DataError("工作簿解压后过大，已拒绝读取", file=file,
                        zh=f"解压后 {total / 1e6:,.0f} MB；请检查文件或拆分后上传。",
                        en=f"It decompresses to {total / 1e6:,.0f} MB, refused (possible zip bomb).")  # fmt: skip


def _xlsx_sheets(
    raw: bytes, file: str, sheet: str | None
) -> tuple[list[tuple[str, list]], list[str]]:
    from openpyxl import load_workbook

    _check_zip(raw, file)
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for damaged parts
        raise DataError("工作簿无法打开", file=file, zh=f"文件可能已损坏（{type(e).__name__}）；请在 Excel 中重新保存。",
                        en=f"The workbook cannot be opened ({type(e).__name__}): save it again in Excel.") from None  # fmt: skip
    notes, chosen = [], []
    for ws in wb.worksheets:
        if sheet is not None and ws.title != sheet:
            continue
        if sheet is None and ws.sheet_state != "visible":
            notes.append(f"已跳过隐藏工作表“{ws.title}” / hidden sheet '{ws.title}' skipped")
            continue
        chosen.append((ws.title, [list(r) for r in ws.iter_rows(values_only=True)]))
    names = [ws.title for ws in wb.worksheets]
    wb.close()
    if sheet is not None and not chosen:
        raise DataError(f"没有名为“{sheet}”的工作表", file=file, sheet=sheet,
                        zh=f"可用工作表：{'、'.join(names)}。", en=f"Sheets in the workbook: {', '.join(names)}.")  # fmt: skip
    return chosen, notes


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
        raw_rows = [list(source.columns)] + source.astype(object).values.tolist()
        return _grid(
            name or "<DataFrame>", None, raw_rows, list(range(1, len(raw_rows) + 1)), table, []
        )
    raw, file = _read_bytes(source)
    file = name or file
    if not raw.strip():
        raise DataError("文件是空的", file=file, zh="请选择含数据的文件。", en="The file is empty.")
    kind = _kind(raw[:8])
    suffix = Path(file).suffix.lower()
    notes = []
    expected = {
        ".xlsx": "zip",
        ".xlsm": "zip",
        ".parquet": "parquet",
        ".csv": "text",
        ".txt": "text",
    }
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
    if kind == "parquet":
        frame = pd.read_parquet(io.BytesIO(raw))
        rows = [list(frame.columns)] + frame.astype(object).values.tolist()
        return _grid(file, None, rows, list(range(1, len(rows) + 1)), table, notes)
    if kind == "zip":
        sheets, more = _xlsx_sheets(raw, file, sheet)
        notes += more
        if not sheets:
            raise DataError("工作簿中没有可见的工作表", file=file, zh="请取消隐藏含数据的工作表，或用 sheet= 指定。",
                            en="No visible sheet: unhide the data sheet or pass sheet=.")  # fmt: skip
        scored = []
        for title, rows in sheets:
            at, span, texts = _find_header(rows, table)
            scored.append((len({match_header(t, table) for t in texts} - {None}), title, rows))
        _, title, rows = max(scored, key=lambda s: s[0])
        return _grid(file, title, rows, list(range(1, len(rows) + 1)), table, notes)
    text, enc = _decode(raw, file)
    if "\x00" in text[:1000]:
        raise DataError("这不是文本表格（含二进制内容）", file=file, zh="请上传 Excel（.xlsx）或 CSV 文件。",
                        en="Binary content, not a CSV: upload an .xlsx or CSV file.")  # fmt: skip
    rows, numbers = _csv_rows(text, file)
    grid = _grid(file, None, rows, numbers, table, notes)
    grid.encoding = enc
    return grid


def _grid(file: str, sheet: str | None, rows: list[list[Any]], numbers: list[int], table: str,
          notes: list[str]) -> Grid:  # fmt: skip
    at, span, texts = _find_header(rows, table)
    columns, positions, ignored = {}, {}, []
    for j, text in enumerate(texts):
        canon = match_header(text, table)
        label = "" if text is None else str(text).strip()
        if canon and canon not in positions:
            columns[label] = canon
            positions[canon] = j
        elif label:
            ignored.append(label)
    schema = read_schema(table)
    required = schema[schema["required"]]
    missing = required[~required["column"].isin(positions)]
    if (
        table == "counties"
    ):  # a code or a name identifies a county; population comes from the census
        either = {"adcode", "name"} if {"adcode", "name"} & set(positions) else set()
        missing = missing[~missing["column"].isin(either | {"population"})]
    if len(missing):
        listing = "；".join(f"{r.header_zh}（{r.column}）" for r in missing.itertuples())
        raise DataError(
            f"缺少必需的列：{listing}", file=file, sheet=sheet,
            row=numbers[at] if rows else None, column="、".join(missing["header_zh"]),
            zh="请按模板（toolkit.data.template）添加这些列，或把表头改为上述名称之一。",
            en=f"Missing required columns {list(missing['column'])}: add them (see toolkit.data.template) "
               "or rename the headers.",
        )  # fmt: skip
    body = rows[at + span :]
    body_numbers = numbers[at + span :]
    while body and all(
        v is None or not str(v).strip() for v in body[-1]
    ):  # trailing blanks: not rows
        body.pop()
        body_numbers.pop()
    return Grid(file, sheet, numbers[at] if rows else 0, columns, positions, body, body_numbers,
                ignored, notes)  # fmt: skip
