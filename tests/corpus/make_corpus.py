"""Write the corpus of bad inputs in this folder: ``python tests/corpus/make_corpus.py [folder]``.

Every file is small and written the same way each run (workbooks get fixed
timestamps), so the committed files can be opened and read as they are and
checked against this script. What each file holds and what the readers must
make of it — computed by hand — is in ``EXPECTED.toml``; ``tests/test_corpus.py``
runs every case. Text files are written byte by byte in their encoding;
workbooks with openpyxl, then patched where Excel writes what openpyxl cannot
(saved formula results, a wrong used range) or where a file is meant to be
broken (truncated, a zip bomb).
"""

from __future__ import annotations

import io
import re
import struct
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
SCHOOLS = "学校标识码,学校名称,区县代码,学段,办学性质,在校生数"
STAMP = (2024, 9, 1, 0, 0, 0)
#: The zip bombs: this much XML (60 MB) in a few tens of KB.
BOMB_BYTES = 60_000_000


def _text(out: Path, name: str, text: str, encoding: str = "utf-8") -> None:
    (out / name).write_bytes(text.encode(encoding))


def _csv(out: Path, name: str, header: str, *rows: str, encoding: str = "utf-8") -> None:
    _text(out, name, "\n".join([header, *rows]) + "\n", encoding)


def _fixed_zip(data: bytes, patch: dict[str, bytes] | None = None) -> bytes:
    """The same workbook with fixed timestamps (and members replaced by ``patch``)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = (patch or {}).get(item.filename, src.read(item.filename))
            if item.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-09-01T00:00:00Z", body)
            info = zipfile.ZipInfo(item.filename, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, body)
    return buf.getvalue()


def _save(wb: Workbook, out: Path, name: str, patch=None) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if patch is not None:  # patch(sheet XML of the first sheet) -> new XML
        sheet = "xl/worksheets/sheet1.xml"
        data = _fixed_zip(data, {sheet: patch(zipfile.ZipFile(io.BytesIO(data)).read(sheet))})
    data = _fixed_zip(data)
    (out / name).write_bytes(data)
    return data


def _book(title: str, *rows: list) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    return wb


def encodings(out: Path) -> None:
    _csv(out, "enc_gbk_schools.csv", SCHOOLS, "K1,城关幼儿园,140403,幼儿园,公办,300",
         "P1,实验小学,140404,小学,公办,1200", "J1,第一中学,140405,初中,民办,800",
         encoding="gbk")  # fmt: skip
    # 䶮 (U+4DAE) and 𠀀 (U+20000) are in GB18030 but not in GBK
    _csv(out, "enc_gb18030_schools.csv", SCHOOLS, "P1,䶮湖小学,140403,小学,公办,100",
         "K1,𠀀山幼儿园,140403,幼儿园,民办,50", encoding="gb18030")  # fmt: skip
    _csv(out, "enc_utf8_bom_schools.csv", SCHOOLS, "P1,一小,140403,小学,公办,100",
         "P2,二小,140404,小学,公办,200", encoding="utf-8-sig")  # fmt: skip
    text = (
        SCHOOLS.replace(",", "\t")
        + "\nP1\t一小\t140403\t小学\t公办\t100\n"
        + ("P2\t二小\t140404\t小学\t公办\t200\n")
    )
    _text(out, "enc_utf16_schools.txt", text, "utf-16")  # Excel's "Unicode text": UTF-16 LE, tabs
    _text(out, "enc_utf16be_counties.csv", "\ufeff区县代码,常住人口\n140403,895280\n140430,138578\n",
          "utf-16-be")  # fmt: skip


def sheets(out: Path) -> None:
    wb = _book("学校基本情况", ["长治市2024年学校基本情况统计表"],
               ["学校信息", None, None, None, None, "学生", "特殊教育", None],
               ["学校标识码", "学校名称", "县（市、区）代码", "学校类型", "办学性质", "在校生数",
                "特教班数", "是否达到办学标准"],
               ["SE1", "潞州区特殊教育学校", "140403", "特殊教育学校", "公办", 180, 0, "是"],
               ["P1", "屯留区实验小学", "140405", "小学", "公办", 1200, 2, "是"],
               ["K1", "潞城区第一幼儿园", "140406", "幼儿园", "公办", 300, None, None])  # fmt: skip
    ws = wb.active
    for cells in ("A1:H1", "A2:E2", "G2:H2"):
        ws.merge_cells(cells)
    _save(wb, out, "xlsx_title_merged_header.xlsx")

    wb = _book("学校", ["2024年学校情况"],
               ["学校标识码", "学校名称", "区县代码", "学段", "办学性质", "学生", None, "特殊教育"],
               [None, None, None, None, None, "在校生数", "其中女生", "特教班数"],
               ["P1", "一小", "140403", "小学", "公办", 500, 240, 1],
               ["P2", "二小", "140403", "小学", "公办", 400, 200, 0],
               ["J1", "一中", "140404", "初中", "公办", 900, 450, 2])  # fmt: skip
    ws = wb.active
    for cells in ("A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:G2"):
        ws.merge_cells(cells)
    _save(wb, out, "xlsx_two_row_header.xlsx")

    header = SCHOOLS.split(",")
    wb = _book("Sheet1", ["2024年全市学校统计"], ["填报单位：长治市教育局"], ["单位：人、所"], header,
               ["P1", "一小", "140403", "小学", "公办", 500],
               ["P2", "二小", "140404", "小学", "公办", 400],
               ["P3", "三小", "140405", "小学", "公办", 300])  # fmt: skip
    _save(wb, out, "xlsx_title_rows.xlsx")

    wb = _book("学校", header, ["P1", "一小", "140403", "小学", "公办", 500],
               ["P2", "二小", "140403", "小学", "公办", 400], ["小计", None, None, None, None, 900],
               ["P3", "三小", "140404", "小学", "公办", 300],
               ["其中：公办", None, None, None, None, 1200], ["合 计", None, None, None, None, 1200],
               ["Total", None, None, None, None, 1200],
               ["S9", "Summit Kindergarten", "140404", "幼儿园", "民办", 50])  # fmt: skip
    _save(wb, out, "xlsx_totals.xlsx")

    wb = _book("学校", header, ["P1", "一小", "140403", "小学", "公办", 500],
               ["P2", "二小", "140404", "小学", "公办", 400])  # fmt: skip
    old = wb.create_sheet("旧数据")
    for r in (
        header,
        ["X1", "旧校", "140402", "小学", "公办", 1],
        ["X2", "旧校二", "140402", "小学", "公办", 2],
    ):
        old.append(r)
    old.sheet_state = "hidden"
    wb.create_sheet("备份").sheet_state = "veryHidden"
    wb["备份"].append(header)
    _save(wb, out, "xlsx_hidden_sheet.xlsx")

    wb = _book("说明", ["填表说明：请在“学校”表中填写。"])
    data = wb.create_sheet("学校")
    for r in (header, ["P1", "一小", "140403", "小学", "公办", 500]):
        data.append(r)
    data.sheet_state = "hidden"
    _save(wb, out, "xlsx_only_hidden.xlsx")


def formulas(out: Path) -> None:
    header = [*SCHOOLS.split(","), "男生", "女生"]
    wb = _book("学校", header, ["P1", "一小", "140403", "小学", "公办", "=G2+H2", 140, 160],
               ["P2", "二小", "140403", "小学", "公办", "=G3+H3", 100, 150],
               ["P3", "三小", "140403", "小学", "公办", "=G4/0", 1, 2],
               ["P4", "四小", "140403", "小学", "公办", "=G5+H5", 10, 20],
               ["P5", '="五"&"小"', "140403", "小学", "公办", 90, 40, 50])  # fmt: skip

    def saved_results(xml: bytes) -> bytes:  # what Excel stores: the formula and its last result
        results = {"F2": (b"", b"300"), "F3": (b"", b"250"), "F4": (b' t="e"', b"#DIV/0!"),
                   "B6": (b' t="str"', "五小".encode())}  # fmt: skip
        for ref, (kind, value) in results.items():
            cell = rb'<c r="' + ref.encode() + rb'"[^>]*><f>(.*?)</f><v\s*/></c>'
            formula = re.search(cell, xml).group(1)
            saved = b'<c r="%s"%s><f>%s</f><v>%s</v></c>' % (ref.encode(), kind, formula, value)
            xml, n = re.subn(cell, saved.replace(b"\\", b"\\\\"), xml)
            assert n == 1, ref
        return xml

    _save(wb, out, "xlsx_formulas.xlsx", saved_results)

    wb = _book("县级汇总", ["区县代码", "年份", "在园幼儿数"],
               ["140403", datetime(2024, 9, 1), 100], ["140404", 45536, 100],
               ["140405", "2024-09-01", 100], ["140406", "2024学年", 100],
               ["140423", 45536.5, 100], ["140425", 2024, datetime(2024, 1, 5)])  # fmt: skip
    _save(wb, out, "xlsx_dates.xlsx")

    wb = _book("学校", SCHOOLS.split(","), ["P1", "一小", "140403", "小学", "公办", 500],
               ["P2", "二小", "140404", "小学", "公办", 400],
               ["P3", "三小", "140405", "小学", "公办", 300])  # fmt: skip
    _save(wb, out, "xlsx_wrong_dimension.xlsx",
          lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', xml))  # fmt: skip

    wb = _book("学校", SCHOOLS.split(","), ["P1", "一小", "140403", "小学", "公办", 500],
               ["P2", "二小", None, None, "公办", 400], ["P3", "三小", None, "初中", "公办", 300],
               ["J1", "九年制学校", "140404", "九年一贯制", "公办", 900],
               ["J2", "九年制学校分校", "140404", "九年一贯制", "公办", None])  # fmt: skip
    for cells in ("C2:C4", "D2:D3", "F5:F6"):
        wb.active.merge_cells(cells)
    _save(wb, out, "xlsx_merged_body.xlsx")

    wb = _book("学校", SCHOOLS.split(","), [10001, "一小", 140403, "小学", "公办", 500],
               [10002, "二小", 140404.0, "小学", "公办", 400],
               [10003, "三小", "1404 05", "小学", "公办", 300],
               [10004, "四小", 140406000000, "小学", "公办", 200],
               [10005, "五小", "１４０４２３", "小学", "公办", 100],
               [10006, "六小", "1.40425E+11", "小学", "公办", 100])  # fmt: skip
    _save(wb, out, "xlsx_codes_as_numbers.xlsx")

    wb = _book("学校", SCHOOLS.split(","), ["P1", "一小", "140403", "小学", "公办", 500],
               ["P2", "二小", "140404", "小学", "公办", 400], [],
               ["注：本表数据截至2024年9月1日。"], ["填表人：张三", None, "联系电话：0355-1234567"],
               ["审核人：李四"])  # fmt: skip
    _save(wb, out, "xlsx_notes_below.xlsx")

    wb = _book("学校", ["2024年学校统计表"], ["学校标识码", "学校名称", "区县代码", "学段", "办学性质"],
               ["P1", "一小", "140403", "小学", "公办"])  # fmt: skip
    _save(wb, out, "missing_required.xlsx")

    wb = _book("学校", SCHOOLS.split(","))
    for col in "ABCDEF":  # rows formatted but never filled in: not data
        for row in range(2, 6):
            wb.active[f"{col}{row}"].number_format = "@"
    _save(wb, out, "only_headers.xlsx")


def broken(out: Path) -> None:
    wb = _book("学校", SCHOOLS.split(","), ["P1", "一小", "140403", "小学", "公办", 500])
    whole = _save(wb, out, "not_really_csv.csv")  # a workbook with a .csv name
    (out / "xlsx_truncated.xlsx").write_bytes(whole[: len(whole) * 6 // 10])
    _text(out, "not_really_xlsx.xlsx", f"{SCHOOLS}\nP1,一小,140403,小学,公办,500\nP2,二小,140404,小学,公办,400\n")  # fmt: skip
    (out / "pdf_named.xlsx").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    _text(out, "html_named.xls", "<html><head><meta charset='utf-8'></head><body><table>"
          "<tr><td>学校标识码</td><td>学校名称</td></tr><tr><td>P1</td><td>一小</td></tr>"
          "</table></body></html>\n")  # fmt: skip
    (out / "old_format.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("学校.csv", STAMP)
        z.writestr(info, f"{SCHOOLS}\nP1,一小,140403,小学,公办,500\n".encode())
    (out / "plain_zip.xlsx").write_bytes(buf.getvalue())
    (out / "empty.csv").write_bytes(b"")
    _text(out, "whitespace_only.csv", "\n   \n\t\n")
    _text(out, "only_headers.csv", SCHOOLS + "\n")
    (out / "xlsx_zip_bomb.xlsx").write_bytes(_bomb(lie=False))
    (out / "xlsx_zip_bomb_lying.xlsx").write_bytes(_bomb(lie=True))


def _bomb(*, lie: bool) -> bytes:
    """A workbook whose one sheet inflates to :data:`BOMB_BYTES`; ``lie``: its header says 1 KB."""
    sheet = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData>')  # fmt: skip
    sheet += b" " * (BOMB_BYTES - len(sheet))
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }  # fmt: skip
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, body in parts.items():
            z.writestr(zipfile.ZipInfo(name, STAMP), body, zipfile.ZIP_DEFLATED, 9)
    data = bytearray(buf.getvalue())
    if lie:  # the sheet's declared size (local header and central directory) becomes 1,000 bytes
        name = b"xl/worksheets/sheet1.xml"
        local = data.find(b"PK\x03\x04")
        while local != -1:
            if data[local + 30 : local + 30 + len(name)] == name:
                struct.pack_into("<I", data, local + 22, 1000)
            local = data.find(b"PK\x03\x04", local + 4)
        central = data.find(b"PK\x01\x02")
        while central != -1:
            if data[central + 46 : central + 46 + len(name)] == name:
                struct.pack_into("<I", data, central + 24, 1000)
            central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def values(out: Path) -> None:
    _csv(out, "fullwidth.csv", "学校标识码,学校名称,区县代码,学段,办学性质,在校生数（人）,特教班数（个）",
         "Ｐ１,第一小学,１４０４０３,小学,公办,\"１，２３４\",２", "P2,第二小学,140403,小学,公办,１２３．０,０",
         "P3,第三小学,140403,小学,公办,１２\u3000３４５,0", "P4,第四小学,140403,小学,公办,－５,0",
         "P5,（第五小学）,140403,小学,公办,10,0")  # fmt: skip
    _csv(out, "shares_mixed.csv", "区县代码,年份,适龄残疾儿童义务教育入学率", "140403,2024,65%",
         "140404,2024,0.65", "140405,2024,65", "140406,2024,６５％", "140423,2024,97.5%",
         "140425,2024,1", "140426,2024,0")  # fmt: skip
    _csv(out, "shares_above_100.csv", "区县代码,年份,适龄残疾儿童义务教育入学率,在园幼儿数",
         "140403,2024,101%,100", "140404,2024,150,100", "140405,2024,-5%,100",
         "140406,2024,1.2,100")  # fmt: skip
    _csv(out, "thousands.csv", SCHOOLS, 'P1,一小,140403,小学,公办,"1,234"',
         'P2,二小,140403,小学,公办,"12,345"', "P3,三小,140403,小学,公办,1 234",
         'P4,四小,140403,小学,公办,"1,23"', 'P5,五小,140403,小学,公办,"1,234.0"',
         "P6,六小,140403,小学,公办,1.234")  # fmt: skip
    _text(out, "blank_rows.csv", f"{SCHOOLS}\nP1,一小,140403,小学,公办,10\n\n,,,,,\n  , ,,,,\n"
          "P2,二小,140403,小学,公办,20\n\n,,,,,\n")  # fmt: skip
    year = "学校标识码,学校名称,区县代码,年份,学段,办学性质,在校生数"
    _csv(out, "duplicates.csv", year, "P1,一小,140403,2024,小学,公办,500",
         "P1,一小,140403,2024,小学,公办,500", "P1,一小,140403,2023,小学,公办,480",
         "P1,一小（新）,140403,2024,小学,公办,510", "P2,二小,140403,2024,小学,公办,300",
         " P2 ,二小,140403,2024,小学,公办,300")  # fmt: skip
    _csv(out, "codes_spaces.csv", SCHOOLS, "C1,甲,\" 140403 \",小学,公办,1", "C2,乙,1404 03,小学,公办,1",
         "C3,丙,140403.0,小学,公办,1", "C4,丁,１４０４０３,小学,公办,1", "C5,戊,140403000000,小学,公办,1",
         "C6,己,14040,小学,公办,1", "C7,庚,1404033,小学,公办,1", "C8,辛,14O403,小学,公办,1")  # fmt: skip
    _csv(out, "county_names.csv", "县区名称,常住人口", "城区,895280", "襄垣县,260081",
         "潞城市,219256", "长治县,319660", "沁 县,138578", "北京,100")  # fmt: skip
    _csv(out, "counties_population_units.csv", "区县代码,常住人口（万人）", "140403,89.528",
         "140404,31.966", "140405,25.3756")  # fmt: skip
    _csv(out, "year_variants.csv", "区县代码,年份,在园幼儿数", "140403,2024,1", "140404,2024年,1",
         "140405,2023-2024学年,1", "140406,2024.0,1", "140423,24,1", "140425,二〇二四,1")  # fmt: skip
    _csv(out, "category_synonyms.csv", SCHOOLS, "S1,甲,140403,普通小学,公立,1",
         "S2,乙,140403,初级中学,私立,1", "S3,丙,140403,幼稚园,民办园,1",
         "S4,丁,140403,Kindergarten,public,1", "S5,戊,140403,九年一贯制学校,公办,1",
         "S6,己,140403,特教学校,公办,1", "S7,庚,140403,大学,公办,1")  # fmt: skip
    _csv(out, "ragged_rows.csv", SCHOOLS, "P1,一小,140403,小学,公办,10", "P2,二小,140403,小学,公办,20,",
         "P3,三小,140403,小学,公办", "P4,四小,140403,小学,公办,40,,,多余")  # fmt: skip
    _csv(out, "quoted_newlines.csv", SCHOOLS, 'P1,"一小\n(分校)",140403,小学,公办,10',
         "P2,二小,140403,小学,公办,-1", "P3,三小,140403,小学,公办,30")  # fmt: skip
    _csv(out, "semicolon.csv", SCHOOLS.replace(",", ";"), "P1;一小;140403;小学;公办;10",
         "P2;二小;140404;小学;公办;20")  # fmt: skip
    _csv(out, "placeholders.csv", SCHOOLS, "P1,一小,140403,小学,公办,-", "P2,二小,—,小学,公办,10",
         "P3,三小,140403,/,公办,10", "P4,四小,140403,小学,公办,nan", "P5,五小,140403,小学,公办,10")  # fmt: skip
    _csv(out, "counties_code_or_name.csv", "区县代码,县区名称,常住人口", "140403,潞州区,895280",
         ",沁县,138578", "140404,,319660", ",,100")  # fmt: skip
    _csv(out, "missing_required.csv", "学校标识码,学校名称,区县代码,在校生数", "P1,一小,140403,10")
    _csv(out, "extra_columns.csv", f"序号,{SCHOOLS},备注,联系电话", "1,P1,一小,140403,小学,公办,10,新建,0355-1",
         "2,P2,二小,140404,小学,公办,20,,")  # fmt: skip
    _csv(out, "same_meaning_columns.csv", f"{SCHOOLS},学生数", "P1,一小,140403,小学,公办,10,11",
         "P2,二小,140404,小学,公办,20,21")  # fmt: skip


def codes(out: Path) -> None:
    _csv(out, "old_codes_changzhi.csv", "区县代码,县区名称,年份,在园幼儿数,公办园在园幼儿数,公办园生均公用经费",
         "140402,城区,2017,100,50,800", "140411,郊区,2017,60,30,800", "140421,长治县,2017,70,35,900",
         "140424,屯留县,2017,50,20,700", "140481,潞城市,2017,40,20,650", "140402,城区,2016,90,40,800",
         "140411,郊区,2016,50,20,750")  # fmt: skip
    _csv(out, "old_codes_twice.csv", "区县代码,年份,在园幼儿数", "140402,2017,100", "140402,2017,90",
         "140421,2017,50", "140404,2017,55")  # fmt: skip
    _csv(out, "old_codes_jining.csv", SCHOOLS, "P1,一小,370802,小学,公办,100",
         "P2,二小,370882,小学,公办,200", "P3,三小,370811,小学,公办,300")  # fmt: skip
    _csv(out, "other_province.csv", SCHOOLS, "P1,一小,140403,小学,公办,100",
         "P2,二小,110101,小学,公办,100", "P3,三小,410402,小学,公办,100",
         "P4,四小,370882,小学,公办,100")  # fmt: skip
    _csv(out, "never_existed.csv", SCHOOLS, "P1,一小,999999,小学,公办,1", "P2,二小,140499,小学,公办,1",
         "P3,三小,140400,小学,公办,1", "P4,四小,140000,小学,公办,1", "P5,五小,000000,小学,公办,1",
         "P6,六小,123456,小学,公办,1", "P7,七小,140202,小学,公办,1", "P8,八小,140403,小学,公办,1")  # fmt: skip
    _csv(out, "negative_counts.csv", f"{SCHOOLS},特教班数", "P1,一小,140403,小学,公办,-3,0",
         "P2,二小,140403,小学,公办,100,-1", "P3,三小,140403,小学,公办,100,2")  # fmt: skip
    _csv(out, "parts_above_whole.csv",
         "区县代码,年份,在园幼儿数,公办园在园幼儿数,普惠性幼儿园在园幼儿数,适龄残疾儿童少年数,"
         "已入学适龄残疾儿童少年数,符合交流条件教师数,交流轮岗教师数,交流轮岗骨干教师数",
         "140403,2024,100,120,110,,,,,", "140404,2024,100,60,50,,,,,", "140405,2024,100,50,80,20,21,,,",
         "140406,2024,100,50,80,20,19,100,20,25", "140423,2024,100,50,80,20,19,100,20,5")  # fmt: skip
    _csv(out, "teachers_yes_no.csv", "教师标识,学校标识码,区县代码,是否交流轮岗,骨干教师",
         "T1,S1,140403,是,否", "T2,S1,140403,√,×", "T3,S1,140403,Y,N", "T4,S1,140403,1,0",
         "T5,S1,140403,TRUE,FALSE", "T6,S1,140403,也许,是", "T7,S1,140403,,是", "T8,S1,140403,否,也许")  # fmt: skip
    _csv(out, "resources_sections.csv",
         "学校标识码,区县代码,年份,学段,在校生数,高于规定学历教师数,县级以上骨干教师数,"
         "体育、艺术专任教师数,教学及辅助用房面积,体育运动场馆面积,教学仪器设备值（万元）,网络多媒体教室数",
         "J1,140403,2024,小学,600,30,5,4,3000.5,5000,120.5,20", "J1,140403,2024,初中,400,25,4,3,2000,4000,80,12",
         "J1,140403,2024,初中部,400,25,4,3,2000,4000,80,12", "P1,140403,2024,高中,300,10,2,2,1000,2000,50,5",
         "P2,140404,2024,小学部,300,10,2,2,1000,2000,50,5")  # fmt: skip
    frame = pd.DataFrame({"学校标识码": ["P1", "P2", "P3"], "学校名称": ["一小", "二小", "三小"],
                          "区县代码": [140403, 140404, 140405], "学段": "小学", "办学性质": "公办",
                          "在校生数": [100, -1, 300]})  # fmt: skip
    frame.to_parquet(out / "parquet_schools.parquet", index=False)


def workbooks(out: Path) -> None:
    wb = _book("区县", ["区县代码", "县区名称", "常住人口"], ["140403", "潞州区", 895280],
               ["140404", "上党区", 319660], ["140425", "平顺县", 115927])  # fmt: skip
    schools = wb.create_sheet("学校")
    for r in ([*SCHOOLS.split(","), "年份", "是否普惠", "特教班数"],
              ["SE1", "潞州区特殊教育学校", "140403", "特殊教育学校", "公办", 180, 2024, None, 0],
              ["K1", "潞州区第一幼儿园", "140403", "幼儿园", "公办", 300, 2024, "是", None],
              ["K2", "潞州区阳光幼儿园", "140403", "幼儿园", "民办", 100, 2024, "是", None],
              ["K3", "上党区中心幼儿园", "140404", "幼儿园", "公办", 200, 2024, "是", None],
              ["P1", "平顺县城关小学", "140425", "小学", "公办", 600, 2024, None, 1],
              ["P2", "平顺县某小学", "140425", "小学", "公办", -5, 2024, None, 0]):  # fmt: skip
        schools.append(r)
    teachers = wb.create_sheet("教师")
    for r in (["教师标识", "学校标识码", "区县代码", "年份", "本年度交流轮岗", "骨干教师", "本校任教年限"],
              ["T1", "P1", "140425", 2024, "是", "是", 8], ["T2", "P1", "140425", 2024, "否", "否", 3],
              ["T3", "SE1", "140403", 2024, "否", "是", 12], ["T4", "K1", "140403", 2024, "是", "否", 6]):  # fmt: skip
        teachers.append(r)
    totals = wb.create_sheet("区县汇总")
    for r in (["区县代码", "年份", "在园幼儿数", "公办园在园幼儿数", "适龄残疾儿童少年数", "已入学适龄残疾儿童少年数"],
              ["140403", 2024, 4000, 2400, 100, 97], ["140404", 2024, 2000, 1300, 40, 39],
              ["140425", 2024, 800, 640, 20, 19]):  # fmt: skip
        totals.append(r)
    wb.create_sheet("说明").append(["本工作簿为示例"])
    _save(wb, out, "workbook_full.xlsx")
    _save(_book("说明", ["本表由县区教育局填报"], ["联系人：张三"]), out, "workbook_no_tables.xlsx")


def make(out: Path = HERE) -> list[Path]:
    """Write every corpus file into ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    before = set(out.iterdir())
    for part in (encodings, sheets, formulas, broken, values, codes, workbooks):
        part(out)
    keep = {"EXPECTED.toml", "make_corpus.py", "README.md"}
    return sorted(p for p in set(out.iterdir()) | before if p.name not in keep and p.is_file())


if __name__ == "__main__":
    for path in make(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"{path.stat().st_size:>8,}  {path.name}")
