"""Nothing in an upload can run code, and an upload over the limit is never parsed.

- the toolkit's source has no eval/exec/compile, no pickle, marshal or shelve, no
  yaml.load, no pandas eval/query and no workbook opened with its formulas or macros
  (a static check of every module; the check itself is shown to catch each one);
- a workbook with a VBA macro part (.xlsm) is read as its cell values;
- formulas (=1+1, =HYPERLINK(…), a DDE =cmd|…) are read as the values the
  workbook stored, never evaluated, and no formula text reaches the tables;
- a Parquet file whose metadata carries a pickle is read without unpickling it;
- an external XML entity in a sheet does not pull a local file into the data;
- an upload over MAX_UPLOAD_BYTES is refused before any reader sees it, and a
  reader's unexpected failure reaches the page as a message without its internals.

The files are generated here (tests/corpus is another test suite's).
"""

from __future__ import annotations

import ast
import io
import math
import pickle
import re
import zipfile
from datetime import UTC, datetime

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ROOT
from toolkit import data
from toolkit.widgets import SpecialEducationDashboard
from toolkit.widgets.dataset import MAX_UPLOAD_BYTES, DataSet

CALLS = {"eval", "exec", "compile", "__import__", "breakpoint"}
MODULES = {"pickle", "_pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle", "joblib"}
METHODS = {"read_pickle", "to_pickle", "unsafe_load", "full_load", "eval", "query", "read_xml"}


def unsafe_uses(source: str) -> list[str]:
    """Each construct of ``source`` that could run code or objects found in data."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            found += [f"{line}: import {n}" for n in names if n and n.split(".")[0] in MODULES]
        if not isinstance(node, ast.Call):
            continue
        func, kw = node.func, {k.arg: k.value for k in node.keywords}
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if isinstance(func, ast.Name) and name in CALLS:
            found.append(f"{line}: {name}()")
        if isinstance(func, ast.Attribute) and name in METHODS:
            found.append(f"{line}: .{name}()")
        if (
            name == "load"
            and isinstance(func, ast.Attribute)
            and getattr(func.value, "id", "") == "yaml"
        ):
            found.append(f"{line}: yaml.load()")
        for key in ("keep_vba", "allow_pickle"):
            if isinstance(kw.get(key), ast.Constant) and kw[key].value is True:
                found.append(f"{line}: {key}=True")
        only = kw.get("data_only")
        if name == "load_workbook" and not (isinstance(only, ast.Constant) and only.value is True):
            found.append(f"{line}: load_workbook without data_only=True")  # formulas, not values
        if isinstance(only, ast.Constant) and only.value is False:
            found.append(f"{line}: data_only=False")
    return found


def test_the_static_check_catches_each_construct():
    bad = """
import pickle
from marshal import loads
import yaml
eval(x); exec(x); compile(x, "f", "exec"); __import__(x)
pd.read_pickle(p); df.query(q); df.eval(q); yaml.load(s)
np.load(p, allow_pickle=True); openpyxl.load_workbook(p, keep_vba=True, data_only=True)
openpyxl.load_workbook(p)
Parser(s, data_only=False)
re.compile(r"x"); yaml.safe_load(s); df.loc[0]
"""
    found = unsafe_uses(bad)
    assert len(found) == 14, found
    assert not any(f.startswith("11:") for f in found)  # re.compile, yaml.safe_load, .loc


def test_toolkit_source_runs_nothing_from_data():
    modules = sorted((ROOT / "toolkit").rglob("*.py"))
    assert len(modules) > 30
    found = {
        str(m.relative_to(ROOT)): uses
        for m in modules
        if (uses := unsafe_uses(m.read_text(encoding="utf-8")))
    }
    assert found == {}


# --- workbooks built here ---------------------------------------------------------------------
HEADER = ["学校标识码", "学校名称", "区县代码", "学段", "办学性质", "在园幼儿数"]


def book(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "学校"
    for row in [HEADER, *rows]:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_parts(raw: bytes, edit) -> bytes:
    """The workbook ``raw`` with its parts rewritten: ``edit(parts)`` changes the dict."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    edit(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)
    return out.getvalue()


def strings(tables) -> list[str]:
    """Every text value in every table read."""
    out = []
    for name in ("counties", "schools", "teachers", "indicators", "resources"):
        frame = getattr(tables, name, None)
        if frame is not None:
            out += [v for v in frame.astype(object).to_numpy().ravel() if isinstance(v, str)]
    return out


ROWS = [["K1", "城关幼儿园", "140403", "幼儿园", "公办", 120],
        ["K2", "东关幼儿园", "140404", "幼儿园", "民办", 80]]  # fmt: skip


def test_xlsm_macro_part_is_ignored():
    macro = b'\xd0\xcf\x11\xe0Attribute VB_Name = "Module1"\nSub Auto_Open()\nShell "calc"\nEnd Sub'

    def add_macro(parts: dict) -> None:
        parts["xl/vbaProject.bin"] = macro
        types = parts["[Content_Types].xml"].decode()
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
        assert xlsx in types
        types = types.replace(xlsx, "application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
            "<Default ", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ', 1)  # fmt: skip
        parts["[Content_Types].xml"] = types.encode()
        rels = parts["xl/_rels/workbook.xml.rels"].decode().replace("</Relationships>", (
            '<Relationship Id="rIdVBA" Target="vbaProject.bin" '
            'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"/></Relationships>'))  # fmt: skip
        parts["xl/_rels/workbook.xml.rels"] = rels.encode()

    raw = with_parts(book(ROWS), add_macro)
    assert b"vbaProject" in zipfile.ZipFile(io.BytesIO(raw)).read("[Content_Types].xml")
    ds = DataSet.upload(raw, "局报表.xlsm")
    schools = ds.tables.schools.sort_values("school_id")
    assert schools["name"].tolist() == ["城关幼儿园", "东关幼儿园"]
    assert schools["enrolment"].tolist() == [120, 80]
    assert not any("Sub " in s or "Shell" in s for s in strings(ds.tables))


def cell(ref: str, formula: str, cached: str | None, kind: str = "") -> str:
    t = f' t="{kind}"' if kind else ""
    v = f"<v>{cached}</v>" if cached is not None else ""
    return f'<c r="{ref}"{t}><f>{formula}</f>{v}</c>'


def test_formulas_are_read_as_stored_values_never_evaluated():
    def formulas(parts: dict) -> None:
        sheet = parts["xl/worksheets/sheet1.xml"].decode()
        # K1's enrolment: =1+1 stored as 7 (evaluating it would give 2)
        sheet = sheet.replace(sheet[sheet.index('<c r="F2"'):sheet.index("</c>", sheet.index('<c r="F2"')) + 4],
                              cell("F2", "1+1", "7"))  # fmt: skip
        # K2's name: a HYPERLINK stored as its text; K2's enrolment: a formula with no stored value
        start = sheet.index('<c r="B3"')
        sheet = sheet.replace(sheet[start:sheet.index("</c>", start) + 4], cell(
            "B3", 'HYPERLINK("http://evil.example/x","东关幼儿园")', "东关幼儿园", "str"))  # fmt: skip
        start = sheet.index('<c r="F3"')
        sheet = sheet.replace(
            sheet[start : sheet.index("</c>", start) + 4], cell("F3", "SUM(40,40)", None)
        )
        # a third school named by a DDE formula (Excel shows #N/A until it runs cmd)
        row = ('<row r="4"><c r="A4" t="inlineStr"><is><t>K3</t></is></c>'
               + cell("B4", "cmd|' /C calc'!A0", "#N/A", "e")
               + '<c r="C4" t="inlineStr"><is><t>140403</t></is></c>'
               '<c r="D4" t="inlineStr"><is><t>幼儿园</t></is></c>'
               '<c r="E4" t="inlineStr"><is><t>公办</t></is></c><c r="F4"><v>50</v></c></row>')  # fmt: skip
        parts["xl/worksheets/sheet1.xml"] = sheet.replace(
            "</sheetData>", row + "</sheetData>"
        ).encode()

    raw = with_parts(book(ROWS), formulas)
    assert b"<f>1+1</f><v>7</v>" in zipfile.ZipFile(io.BytesIO(raw)).read(
        "xl/worksheets/sheet1.xml"
    )
    ds = DataSet.upload(raw, "局报表.xlsx")
    schools = ds.tables.schools.set_index("school_id")
    assert schools.loc["K1", "enrolment"] == 7  # the stored value, not 1+1
    assert "K2" not in schools.index or pd.isna(schools.loc["K2", "enrolment"])  # not 80
    texts = strings(ds.tables)
    assert not any(s.startswith("=") or "cmd|" in s or "HYPERLINK" in s or "http" in s
                   for s in texts)  # fmt: skip
    report = ds.reports["schools"].rejected.astype(str).to_numpy().ravel().tolist()
    assert not any("cmd|" in s or "HYPERLINK" in s for s in report)


@pytest.mark.parametrize(
    "rows, rejected", [([["=1+1"]], [2]), ([[140403], ["=1+1"], [140404]], [3])]
)
def test_a_row_holding_only_a_formula_without_its_result_is_rejected_not_dropped(rows, rejected):
    # found by Hypothesis: such a row (last in the sheet) was taken for a trailing blank row
    wb = openpyxl.Workbook()
    for row in [["adcode"], *rows]:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    try:
        report = data.read_table(buf.getvalue(), "indicators", name="指标.xlsx").attrs["report"]
    except data.DataError as e:
        report = e.report
    assert report.rows_read == len(rows)
    assert report.rejected["row"].tolist() == rejected
    reasons = report.rejected["reason_en"]
    assert reasons.str.contains("formula without a saved result (=1+1)", regex=False).all()


def test_parquet_metadata_is_never_unpickled(tmp_path):
    flag = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(flag), "w"))

    blob = pickle.dumps(Payload())
    pickle.loads(blob).close()  # the payload works: unpickling it creates the flag
    assert flag.exists()
    flag.unlink()
    field = pa.field("区县代码", pa.string(), metadata={
        b"ARROW:extension:name": b"arrow.py_extension_type", b"ARROW:extension:metadata": blob})  # fmt: skip
    table = pa.table({"区县代码": ["140403"], "年份": [2024], "在园幼儿数": [100],
                      "公办园在园幼儿数": [60]}).cast(pa.schema([field, pa.field("年份", pa.int64()),
                      pa.field("在园幼儿数", pa.int64()), pa.field("公办园在园幼儿数", pa.int64())],
                      metadata={b"pickled": blob}))  # fmt: skip
    out = io.BytesIO()
    pq.write_table(table, out)
    try:
        DataSet.upload(out.getvalue(), "汇总.parquet")
    except data.DataError:
        pass  # refused is fine; running the pickle is not
    assert not flag.exists()


def test_external_entity_does_not_read_local_files(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("KUOYOU-SECRET-4711")

    def entity(parts: dict) -> None:
        sheet = parts["xl/worksheets/sheet1.xml"].decode()
        start = sheet.index('<c r="B2"')
        sheet = sheet.replace(sheet[start:sheet.index("</c>", start) + 4],
                              '<c r="B2" t="inlineStr"><is><t>&xxe;</t></is></c>')  # fmt: skip
        doctype = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        parts["xl/worksheets/sheet1.xml"] = (doctype + sheet).encode()

    raw = with_parts(book(ROWS), entity)
    try:
        ds = DataSet.upload(raw, "局报表.xlsx")
        seen = (
            strings(ds.tables)
            + ds.reports["schools"].rejected.astype(str).to_numpy().ravel().tolist()
        )
    except data.DataError as e:
        seen = [str(e)]
    assert not any("KUOYOU-SECRET" in s for s in seen)


# --- the upload path: the limit and unexpected failures -------------------------------------------
@pytest.fixture
def readers_watched(monkeypatch):
    """Every call of the readers an upload goes through, recorded."""
    from toolkit.data import files, readers, workbook

    calls = []
    for module in (data, workbook, files, readers):
        for name in ("read_workbook", "read_table", "open_grid"):
            if hasattr(module, name):
                real = getattr(module, name)
                spy = lambda *a, _r=real, _n=name, **k: calls.append(_n) or _r(*a, **k)  # noqa: E731
                monkeypatch.setattr(module, name, spy)
    return calls


def file_value(name: str, content: bytes) -> tuple[dict]:
    """What ipywidgets' FileUpload holds after the browser sent a file."""
    return ({"name": name, "type": "", "size": len(content), "content": memoryview(content),
             "last_modified": datetime.now(UTC)},)  # fmt: skip


def test_oversize_upload_is_never_parsed(readers_watched):
    DataSet.upload(book(ROWS), "ok.xlsx")
    assert "read_workbook" in readers_watched and "read_table" in readers_watched  # it sees them
    readers_watched.clear()
    big = book(ROWS) + b"\0" * MAX_UPLOAD_BYTES  # a real workbook, one limit's worth too long
    with pytest.raises(data.DataError, match="20 MB"):
        DataSet.upload(big, "big.xlsx")
    dash = SpecialEducationDashboard()
    dash.upload.value = file_value("big.xlsx", big)
    assert "20 MB" in dash.upload_report.value and "上传未成功" in dash.upload_report.value
    assert readers_watched == []
    assert dash.dataset.is_demo


def test_unexpected_reader_failure_shows_no_internals(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError(f"boom in {ROOT}/toolkit/data/files.py, line 3")

    monkeypatch.setattr(data, "read_workbook", broken)
    dash = SpecialEducationDashboard()
    dash.upload.value = file_value("报表.xlsx", book(ROWS))
    shown = dash.upload_report.value + dash.message.value
    assert "上传未成功" in shown and "报表.xlsx" in shown and "RuntimeError" in shown
    assert str(ROOT) not in shown and "boom" not in shown and "Traceback" not in shown
    assert dash.dataset.is_demo


def test_every_upload_limit_agrees():
    """The page's check, the kernel's and the server's websocket cap say the same 20 MB."""
    notices = (ROOT / "toolkit/voila/templates/kuoyou/notices.html.j2").read_text(encoding="utf-8")
    factors = re.search(r"const LIMIT = ([\d\s*]+);", notices).group(1).split("*")
    assert math.prod(int(f) for f in factors) == MAX_UPLOAD_BYTES
    mb = MAX_UPLOAD_BYTES // 2**20
    assert notices.count(f"{mb} MB") == 2  # the Chinese and English notice
    serve = (ROOT / "scripts/serve.sh").read_text(encoding="utf-8")
    cap = int(re.search(r'"websocket_max_message_size": (\d+)', serve).group(1))
    assert cap >= MAX_UPLOAD_BYTES + 2**20  # a file at the limit, and its message around it
