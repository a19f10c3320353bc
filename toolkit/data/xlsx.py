"""Opening an .xlsx workbook safely, with what read-only mode alone does not see.

:func:`read_sheets` refuses a workbook whose decompressed size is out of
proportion (a zip bomb) before anything is decompressed, opens it read-only
with the values Excel last saved (formulas are never evaluated) and returns
each sheet's rows as :class:`Sheet`. It also reports what a plain read-only
pass hides: a formula saved without its result (a file written by a script and
never opened in Excel), merged cells (a county code merged over its schools)
and the true extent of a sheet whose stored used range (``<dimension>``) is
wrong — some programs write ``A1`` for any sheet, and read-only mode would then
return the first cell of each row only.

Example
-------
>>> import io
>>> from openpyxl import Workbook
>>> wb = Workbook(); ws = wb.active; ws.append(["区县代码", "在校生数"]); ws.append([140403, "=1+1"])
>>> buf = io.BytesIO(); wb.save(buf)
>>> sheet = read_sheets(buf.getvalue(), "学校.xlsx")[0][0]
>>> sheet.rows, sheet.formulas
([['区县代码', '在校生数'], [140403, None]], {(1, 1): '=1+1'})
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from .errors import DataError

#: A workbook may decompress to at most this many bytes, and at most RATIO times its size.
MAX_UNZIPPED = 1_000_000_000
MAX_RATIO = 200
#: A sheet may span at most this many cells (rows × their width), whatever its compressed size.
MAX_CELLS = 60_000_000


@dataclass
class Sheet:
    """One worksheet's rows (0-based lists of values) and the cells read-only mode hides."""

    title: str
    rows: list[list[Any]]
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # no saved result
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r0, c0, r1, c1


def check_zip(raw: bytes, file: str) -> None:
    """Refuse a damaged workbook, a plain zip archive or a zip bomb, from the zip directory alone.

    The sizes are those the archive declares; Python's zip reader never
    decompresses a member past its declared size, so a bomb that lies about
    its size stops there (and fails its checksum) instead of filling memory.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        names = zf.namelist()
        total = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise DataError("文件已损坏（不完整的 .xlsx）", file=file,
                        zh="请在 Excel 中重新保存后再上传。",
                        en="The workbook is damaged or truncated: save it again in Excel.") from None  # fmt: skip
    if "xl/workbook.bin" in names:
        raise DataError("这是 .xlsb 二进制工作簿", file=file, zh="请在 Excel 中“另存为” .xlsx 后上传。",
                        en="This is a binary .xlsb workbook: save it as .xlsx in Excel.")  # fmt: skip
    if "content.xml" in names and "mimetype" in names:
        raise DataError("这是 .ods（WPS/LibreOffice）表格", file=file, zh="请“另存为” .xlsx 后上传。",
                        en="This is an .ods spreadsheet: save it as .xlsx.")  # fmt: skip
    if "xl/workbook.xml" not in names:
        raise DataError("这是一个 zip 压缩包，不是 Excel 工作簿", file=file,
                        zh="请解压后上传其中的 .xlsx 或 .csv 文件。",
                        en="This is a zip archive, not an .xlsx workbook: extract it first.")  # fmt: skip
    if total > MAX_UNZIPPED or total > MAX_RATIO * max(len(raw), 1):
        raise DataError("工作簿解压后过大，已拒绝读取", file=file,
                        zh=f"解压后 {total / 1e6:,.0f} MB（文件本身 {len(raw) / 1e6:,.1f} MB），"
                           "可能是恶意文件；请检查来源，或把数据另存为 CSV 后上传。",
                        en=f"It decompresses to {total / 1e6:,.0f} MB from {len(raw) / 1e6:,.1f} MB, "
                           "refused (possible zip bomb): check where it came from, or save the data "
                           "as CSV.")  # fmt: skip


def read_sheets(raw: bytes, file: str, sheet: str | None = None) -> tuple[list[Sheet], list[str]]:
    """The workbook's visible sheets (or the one named ``sheet``) and notes on the skipped ones."""
    from openpyxl import load_workbook

    check_zip(raw, file)
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for damaged parts
        raise DataError("工作簿无法打开", file=file, zh=f"文件可能已损坏（{type(e).__name__}）；请在 Excel 中重新保存。",
                        en=f"The workbook cannot be opened ({type(e).__name__}): save it again in Excel.") from None  # fmt: skip
    notes, chosen = [], []
    try:
        for ws in wb.worksheets:
            if sheet is not None and ws.title != sheet:
                continue
            if sheet is None and ws.sheet_state != "visible":
                notes.append(
                    f"已跳过隐藏工作表“{ws.title}”（如数据在其中，请取消隐藏或用 sheet= 指定） / "
                    f"hidden sheet '{ws.title}' skipped (unhide it or pass sheet= if it holds the data)"
                )
                continue
            chosen.append(_read(wb, ws, file))
    except DataError:
        raise
    except Exception as e:  # a damaged sheet part (bad XML, failed checksum …)
        raise DataError("工作簿无法读取", file=file, zh=f"文件可能已损坏（{type(e).__name__}）；请在 Excel 中重新保存。",
                        en=f"The workbook cannot be read ({type(e).__name__}): save it again in Excel.") from None  # fmt: skip
    finally:
        names = [ws.title for ws in wb.worksheets]
        wb.close()
    if sheet is not None and not chosen:
        raise DataError(f"没有名为“{sheet}”的工作表", file=file, sheet=sheet,
                        zh=f"可用工作表：{'、'.join(names)}。", en=f"Sheets in the workbook: {', '.join(names)}.")  # fmt: skip
    return chosen, notes


def _read(wb, ws, file: str) -> Sheet:
    """Every row of ``ws`` as stored (not as its ``<dimension>`` claims), formulas and merges."""
    try:
        from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

        source = wb._archive.open(ws._worksheet_path)  # what ReadOnlyWorksheet itself reads
        strings, epoch = ws._shared_strings, wb.epoch
        dates, spans = wb._date_formats, wb._timedelta_formats
    except (ImportError, AttributeError):  # another openpyxl: values only, past a wrong dimension
        ws.reset_dimensions()
        return Sheet(ws.title, [list(r) for r in ws.iter_rows(values_only=True)])
    formulas: dict[tuple[int, int], str] = {}

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None:
                f = element.find(FORMULA_TAG)
                if f is not None:
                    formulas[(cell["row"] - 1, cell["column"] - 1)] = f"={f.text or ''}"
            return cell

    rows: list[list[Any]] = []
    size = 0
    with source:
        parser = Parser(source, strings, data_only=True, epoch=epoch, date_formats=dates,
                        timedelta_formats=spans)  # fmt: skip
        for number, cells in parser.parse():
            while len(rows) < number - 1:  # rows the file leaves out are blank
                rows.append([])
            r = number - 1  # styled empty cells hold nothing: they do not widen the row
            cells = [c for c in cells if c["value"] is not None or (r, c["column"] - 1) in formulas]
            row: list[Any] = [None] * max((c["column"] for c in cells), default=0)
            for c in cells:
                row[c["column"] - 1] = c["value"]
            rows.append(row)
            size += len(row) + 1
            if size > MAX_CELLS:
                raise DataError(
                    f"工作表过大（超过 {MAX_CELLS:,} 个单元格）", file=file, sheet=ws.title,
                    zh="请删去无关的行列，或按县区拆分后分别上传。",
                    en=f"Sheet '{ws.title}' has more than {MAX_CELLS:,} cells: remove unused rows "
                       "and columns, or split it by county.",
                )  # fmt: skip
    merged = []
    for ref in getattr(parser.merged_cells, "mergeCell", None) or []:
        from openpyxl.utils.cell import range_boundaries

        c0, r0, c1, r1 = range_boundaries(ref.ref)
        merged.append((r0 - 1, c0 - 1, r1 - 1, c1 - 1))
    return Sheet(ws.title, rows, formulas, merged)
