"""Text tables (CSV, tab-separated): encoding, delimiter, and the cells of every record.

:func:`decode` tries UTF-16 (by its byte-order mark), UTF-8 (with or without
one) and GB18030 (which reads GBK); a file above :data:`MAX_TEXT_BYTES` is
refused first, with what to do. :func:`cells` returns every record as a row
of Arrow-backed text cells, blanks missing, blank lines kept, so rows are
numbered as Excel shows them (a line break inside a quoted cell does not start
a row). Three parsers give the same cells (tested): Arrow's reads a rectangular
file — a machine export — at ~100 MB/s; pandas' C parser one with short
records; Python's csv module anything, in chunks, naming the line it fails at.

Example
-------
>>> cells("a,b\\n\\n1,\\n", "a,b\\n\\n1,\\n".encode(), "x.csv").fillna("").values.tolist()
[['a', 'b'], ['', ''], ['1', '']]
"""

from __future__ import annotations

import csv
import io
import itertools
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .errors import DataError

#: A CSV (text) file may be at most this large; larger files are refused with what to do.
MAX_TEXT_BYTES = 400_000_000
#: Records the csv module parses per chunk (each chunk becomes Arrow-backed text columns).
CSV_CHUNK = 200_000


def decode(raw: bytes, file: str) -> tuple[str, str]:
    """The text of ``raw`` and the encoding it was read with."""
    if len(raw) > MAX_TEXT_BYTES:
        mb, limit = len(raw) / 1e6, MAX_TEXT_BYTES / 1e6
        raise DataError(
            f"文件过大（{mb:,.0f} MB，上限 {limit:,.0f} MB）", file=file,
            zh="请按地市、县区或年份拆分成多个文件分别读取，或删去不需要的列后重试。",
            en=f"The file is {mb:,.0f} MB, above the {limit:,.0f} MB limit: split it by city, "
               "county or year and read the parts one by one, or drop columns you do not need.",
        )  # fmt: skip
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass  # a BOM-like start of something else: try the others
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise DataError(
        "文件编码无法识别", file=file,
        zh="请另存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx。",
        en="Unknown text encoding: save as UTF-8 or GBK CSV, or as .xlsx.",
    )  # fmt: skip


def dialect_of(sample: str) -> Any:
    """The delimiter and quoting of a text table, from its first characters."""
    try:
        return csv.Sniffer().sniff(sample[:20000], delimiters=",\t;|")
    except csv.Error:
        return csv.excel


def cells(sample: str, utf8: bytes, file: str) -> pd.DataFrame:
    """Every record of ``utf8`` (the file as UTF-8 bytes; ``sample`` its first characters)."""
    dialect = dialect_of(sample)
    width = 0
    try:
        for row in itertools.islice(csv.reader(io.StringIO(sample, newline=""), dialect), 1000):
            width = max(width, len(row))
    except csv.Error:
        width = 0  # the csv module below names the line
    if width:
        try:
            return arrow_cells(utf8, dialect, width)
        except (pa.ArrowInvalid, ValueError):
            pass  # a short or wide record, or a quirk: the next parser reads it
        try:
            return pandas_cells(utf8, dialect, width)
        except (pd.errors.ParserError, ValueError, csv.Error):
            pass  # a wider record further down, or a quirk: the csv module reads it
    return module_cells(utf8.decode("utf-8"), dialect, file)


def arrow_cells(utf8: bytes, dialect: Any, width: int) -> pd.DataFrame:
    """Arrow's parser: every record exactly ``width`` cells (else ``ArrowInvalid``)."""
    from pyarrow import csv as arrow_csv

    names = [str(j) for j in range(width)]
    table = arrow_csv.read_csv(
        io.BytesIO(utf8),
        read_options=arrow_csv.ReadOptions(column_names=names),
        parse_options=arrow_csv.ParseOptions(
            delimiter=dialect.delimiter, quote_char=dialect.quotechar or False,
            double_quote=dialect.doublequote, escape_char=dialect.escapechar or False,
            newlines_in_values=dialect.quotechar is not None and dialect.quotechar.encode() in utf8,
            ignore_empty_lines=False,
        ),
        convert_options=arrow_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True,
            quoted_strings_can_be_null=True, null_values=[""],
        ),
    )  # fmt: skip
    return pd.DataFrame({j: table.column(n).to_pandas().astype("str") for j, n in enumerate(names)})


def pandas_cells(utf8: bytes, dialect: Any, width: int) -> pd.DataFrame:
    """pandas' C parser: records of at most ``width`` cells (else ``ParserError``)."""
    return pd.read_csv(
        io.BytesIO(utf8), encoding="utf-8", sep=dialect.delimiter, quotechar=dialect.quotechar,
        doublequote=dialect.doublequote, escapechar=dialect.escapechar,
        skipinitialspace=dialect.skipinitialspace, header=None, names=range(width),
        index_col=False, dtype="str", keep_default_na=False, na_values=[""],
        skip_blank_lines=False, engine="c",
    )  # fmt: skip


def module_cells(text: str, dialect: Any, file: str) -> pd.DataFrame:
    """Python's csv module, in chunks of :data:`CSV_CHUNK` records: any width, any quirk."""
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    chunks: list[pd.DataFrame] = []
    try:
        while buf := list(itertools.islice(reader, CSV_CHUNK)):
            chunks.append(_text_frame(buf))
    except csv.Error as e:
        raise DataError(f"CSV 格式错误（{e}）", file=file, row=reader.line_num,
                        zh="请在 Excel 中打开并另存为 CSV 或 .xlsx 后重试。",
                        en=f"Malformed CSV ({e}) at line {reader.line_num}: open it in Excel and "
                           "save it again.") from None  # fmt: skip
    if not chunks:
        return pd.DataFrame()
    width = max(len(c.columns) for c in chunks)
    columns = {}
    for j in range(width):
        parts = [c[j] if j in c else pd.Series(np.nan, index=c.index, dtype="str") for c in chunks]
        columns[j] = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return pd.DataFrame(columns)


def _text_frame(rows: list[list[str]]) -> pd.DataFrame:
    frame = pd.DataFrame(padded(rows), dtype=object) if rows else pd.DataFrame()
    frame = frame.replace("", None) if len(frame.columns) else frame  # blanks missing, as above
    return frame.astype("str") if len(frame.columns) else frame


def padded(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows of one width: short rows (ragged CSV lines, short sheet rows) end in blanks."""
    width = max(map(len, rows), default=0)
    if all(len(r) == width for r in rows):
        return rows
    return [r if len(r) == width else [*r, *([None] * (width - len(r)))] for r in rows]
