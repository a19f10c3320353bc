"""The corpus of bad inputs (tests/corpus): every file read, every answer known in advance.

``tests/corpus/EXPECTED.toml`` says, for each file, what the reader must return
(rows read, used and rejected, which rows and why, a few output values) or which
words its error must hold; the answers were worked out by hand from the rows
``make_corpus.py`` writes. Below the cases: the committed files are the
script's output, a zip bomb costs no memory, and a 200 MB CSV is read with
exact row accounting.
"""

import importlib.util
import io
import json
import math
import resource
import subprocess
import sys
import time
import tomllib
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from toolkit import data
from toolkit.data import DataError, csvfile
from toolkit.data.xlsx import read_sheets

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = tomllib.loads((CORPUS / "EXPECTED.toml").read_text(encoding="utf-8"))["case"]
READERS = {"counties": data.read_counties, "schools": data.read_schools,
           "teachers": data.read_teachers, "indicators": data.read_indicators,
           "resources": data.read_resources}  # fmt: skip


def _read(case: dict):
    path = CORPUS / case["file"]
    kwargs = case.get("kwargs", {})
    if case["reader"] == "workbook":
        book = data.read_workbook(path, **kwargs)
        table = case.get("table")
        return getattr(book, table), book.reports[table]
    frame = READERS[case["reader"]](path, **kwargs)
    return frame, frame.attrs["report"]


def _same(expected, actual) -> bool:
    missing = (
        actual is None or actual is pd.NA or (isinstance(actual, float) and math.isnan(actual))
    )
    if expected == "":
        return missing
    if missing:
        return False
    if isinstance(expected, float):
        return math.isclose(float(actual), expected, abs_tol=1e-9)
    return actual == expected


def _check_report(case: dict, report) -> None:
    assert report.rows_used + report.rows_rejected == report.rows_read  # never a silent drop
    assert (report.rows_read, report.rows_used) == (case["read"], case["used"])
    rejected = report.rejected
    if "rejected_rows" in case:
        assert sorted(rejected["row"].unique().tolist()) == case["rejected_rows"]
    for row, column, fragment in case.get("reasons", []):
        hits = rejected[
            (rejected["row"] == row) & ((rejected["column"] == column) | (column == ""))
        ]
        text = " ".join(hits["reason_zh"] + " " + hits["reason_en"])
        assert fragment in text, f"row {row} {column!r}: {fragment!r} not in {text!r}"
    assert set(rejected["file"]) <= {str(CORPUS / case["file"])}  # every rejection names the file
    repaired = report.repaired
    if "repaired_rows" in case:
        assert sorted(repaired["row"].unique().tolist()) == case["repaired_rows"]
    for row, column, fragment in case.get("repaired", []):
        hits = repaired[(repaired["row"] == row) & (repaired["column"] == column)]
        text = " ".join(hits["reason_zh"] + " " + hits["reason_en"] + " " + hits["value"])
        assert fragment in text, f"row {row} {column!r}: {fragment!r} not in {text!r}"
    for fragment in case.get("warnings", []):
        assert any(fragment in w for w in report.warnings), (fragment, report.warnings)
    if "ignored" in case:
        assert report.ignored_columns == case["ignored"]


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c['file']}:{c.get('table', c['reader'])}" for c in CASES]
)
def test_corpus_file(case):
    if case["outcome"] == "error":
        with pytest.raises(DataError) as caught:
            _read(case)
        message = str(caught.value)
        zh, _, en = message.partition(" / ")
        assert en and any("\u4e00" <= ch <= "\u9fff" for ch in zh), message  # Chinese, then English
        assert case["file"] in zh and case["file"] in en, message
        for word in case["words"]:
            assert word in message, f"{word!r} not in {message!r}"
        if "read" in case:
            _check_report(case, caught.value.report)
        return
    frame, report = _read(case)
    _check_report(case, report)
    assert len(frame) == case.get("out_rows", case["used"])
    for column, expected in case.get("values", {}).items():
        actual = frame[column].tolist()
        assert len(actual) == len(expected), (column, actual)
        assert all(_same(e, a) for e, a in zip(expected, actual, strict=True)), (column, actual)


def test_corpus_has_a_case_for_every_file_and_a_file_for_every_case():
    on_disk = {
        p.name for p in CORPUS.iterdir() if p.name not in ("EXPECTED.toml", "make_corpus.py")
    }
    in_cases = {c["file"] for c in CASES}
    assert on_disk == in_cases
    assert len(on_disk) >= 40
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 2_000_000


def _make_corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _content(path: Path):
    """What a file holds: its bytes, or a workbook's sheets and cells (whatever wrote the zip)."""
    raw = path.read_bytes()
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_dict("list")
    if not raw.startswith(b"PK\x03\x04") or "bomb" in path.name or "truncated" in path.name:
        return raw
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True)
    except Exception:  # noqa: BLE001 - a zip that is not a workbook: compare its bytes
        return raw
    titles = [(ws.title, ws.sheet_state) for ws in book.worksheets]
    book.close()
    sheets = [read_sheets(raw, path.name, title)[0][0] for title, _ in titles]
    return [
        (t, state, s.rows, s.formulas, s.merged)
        for (t, state), s in zip(titles, sheets, strict=True)
    ]


def test_committed_corpus_is_what_make_corpus_writes(tmp_path):
    written = _make_corpus().make(tmp_path)
    assert {p.name for p in written} == {p.name for p in CORPUS.iterdir()} - {
        "EXPECTED.toml",
        "make_corpus.py",
    }
    for path in written:
        assert _content(path) == _content(CORPUS / path.name), (
            f"{path.name} differs from the script's output: run python tests/corpus/make_corpus.py"
        )


def test_zip_bomb_is_refused_before_decompressing():
    raw = (CORPUS / "xlsx_zip_bomb.xlsx").read_bytes()
    assert len(raw) < 100_000  # 60 MB of sheet in under 100 KB
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(DataError, match="解压后过大"):
        data.read_schools(raw, name="bomb.xlsx")
    elapsed, (_, peak) = time.perf_counter() - start, tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2 and peak < 5_000_000  # nothing inflated


def test_zip_bomb_that_lies_about_its_size_stops_at_the_size_it_declares():
    raw = (CORPUS / "xlsx_zip_bomb_lying.xlsx").read_bytes()
    tracemalloc.start()
    with pytest.raises(DataError, match="已损坏"):
        data.read_schools(raw, name="bomb.xlsx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20_000_000  # far below the 60 MB the sheet would inflate to


def test_a_record_wider_than_the_first_thousand_is_read_by_the_csv_module():
    # pandas' C parser would stop at line 1,502 (more cells than the header); the csv module
    # reads on, and the extra cells are ignored like any unnamed cell
    lines = ["学校标识码,学校名称,区县代码,学段,办学性质,在校生数"]
    lines += [f"P{i},校{i},140403,小学,公办,{i}" for i in range(1, 1501)]
    lines += ["W1,宽行学校,140403,小学,公办,7,,,多出的格", "Z1,末校,140403,小学,公办,-1"]
    df = data.read_schools(io.BytesIO("\n".join(lines).encode()), name="wide.csv")
    report = df.attrs["report"]
    assert (report.rows_read, report.rows_used) == (1502, 1501)
    assert report.rejected["row"].tolist() == [1503]
    assert df["school_id"].iloc[-1] == "W1" and df["enrolment"].iloc[-1] == 7


def test_a_csv_above_the_size_limit_is_refused_with_what_to_do(monkeypatch):
    monkeypatch.setattr(csvfile, "MAX_TEXT_BYTES", 1_000)
    text = (
        "学校标识码,学校名称,区县代码,学段,办学性质,在校生数\n"
        + "P1,一小,140403,小学,公办,1\n" * 60
    )
    with pytest.raises(DataError) as caught:
        data.read_schools(io.BytesIO(text.encode()), name="全省学校.csv")
    message = str(caught.value)
    for word in ("全省学校.csv", "文件过大", "上限", "拆分", "limit", "split it"):
        assert word in message


# --- 200 MB of school rows, streamed to tmp_path (never committed) ----------------------------------
BIG_ROWS = 2_300_000  # about 204 MB
#: Excel row → what is wrong with it (the header is row 1, data rows start at row 2)
BIG_BAD = {1_000_002: "不能为负数", 1_500_002: "与第 2 行完全相同", 2_000_002: "区划代码应为6位数字",
           2_200_002: "空行", BIG_ROWS + 2: "合计"}  # fmt: skip
CODES = ["140403", "140404", "140405", "140406", "140423", "140425", "140426", "140427"]
LEVELS = [("幼儿园", "KG", "是"), ("小学", "PS", ""), ("初中", "JS", ""), ("九年一贯制", "NS", "")]


def _big_csv(path: Path) -> int:
    """Realistic school rows with the bad rows of BIG_BAD; returns the file size."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "学校标识码,学校名称,区县代码,年份,学段,办学性质,是否普惠,在校生数,是否寄宿制,特教班数,是否达到办学标准\n"
        )
        first = ""
        for start in range(0, BIG_ROWS, 100_000):
            lines = []
            for n in range(start, min(start + 100_000, BIG_ROWS)):
                code = CODES[n % 8]
                level, short, inclusive = LEVELS[n % 4]
                row = n + 2
                line = (f"{code}-{short}-{n:07d},{code}第{n}{level},{code},2024,{level},"
                        f"{'民办' if n % 5 == 0 else '公办'},{inclusive},{30 + n % 1700},否,{n % 3},是")  # fmt: skip
                if row == 1_000_002:
                    line = line.replace(f",{30 + n % 1700},否", ",-12,否")
                elif row == 1_500_002:
                    line = first
                elif row == 2_000_002:
                    line = line.replace(f",{code},2024", ",14040X,2024")
                elif row == 2_200_002:
                    line = ""
                first = first or line
                lines.append(line)
            out.write("\n".join(lines) + "\n")
        out.write("合计,,,,,,,999999,,,\n")
    return path.stat().st_size


READ_BIG = """
import json, sys, time
from toolkit import data
start = time.perf_counter()
df = data.read_schools(sys.argv[1])
r = df.attrs["report"]
print(json.dumps({"seconds": time.perf_counter() - start, "rows": len(df), "read": r.rows_read,
                  "used": r.rows_used, "rejected": r.rejected[["row", "reason_zh"]].values.tolist(),
                  "enrolment": int(df["enrolment"].sum())}))
"""


def test_200_mb_csv_is_read_with_exact_row_accounting_in_bounded_time_and_memory(tmp_path):
    path = tmp_path / "全省学校.csv"
    assert _big_csv(path) > 200_000_000
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-c", READ_BIG, str(path)], capture_output=True,
                          text=True, timeout=300, check=True)  # fmt: skip
    peak_mb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    got = json.loads(done.stdout.strip().splitlines()[-1])
    total = BIG_ROWS + 1  # every data row and the totals row
    assert got["read"] == total and got["used"] == total - len(BIG_BAD) == got["rows"]
    assert {row: reason for row, reason in got["rejected"]}.keys() == BIG_BAD.keys()
    for row, reason in got["rejected"]:
        assert BIG_BAD[row] in reason
    good = [n for n in range(BIG_ROWS) if n + 2 not in BIG_BAD]
    assert got["enrolment"] == sum(30 + n % 1700 for n in good)
    assert got["seconds"] < 120  # ~20 s on two cores; reading row by row took 15 minutes
    assert peak_mb < 3_000  # about 1.8 GB
