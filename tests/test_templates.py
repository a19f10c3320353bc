"""Blank fill-in templates: headers from schema.csv, drop-downs, checks, read back by the readers."""

from __future__ import annotations

import openpyxl
import pytest

from toolkit import data, templates
from toolkit.data import read_schema


def test_template_kinds_come_from_schema():
    kinds = templates.template_kinds()
    assert kinds[:3] == ["counties", "schools", "teachers"]
    assert set(kinds) == set(read_schema()["table"])


@pytest.mark.parametrize("kind", templates.template_kinds())
def test_template_headers_match_schema(tmp_path, kind):
    wb = openpyxl.load_workbook(templates.write_template(kind, tmp_path / f"{kind}.xlsx"))
    assert wb.sheetnames[:2] == [templates.TABLE_NAMES.get(kind, kind)[:31], "说明"]
    ws = wb.worksheets[0]
    schema = read_schema()
    schema = schema[schema["table"] == kind]
    assert [c.value for c in ws[1]] == schema["header_zh"].tolist()
    notes = wb["说明"]
    top = next(c.row for c in notes["A"] if c.value == "中文表头")
    described = [r[0] for r in notes.iter_rows(min_row=top + 1, values_only=True)]
    assert described == schema["header_zh"].tolist()  # one row per column
    assert notes["A1"].value == "填写说明" and "How to fill in" in [c.value for c in notes["A"]]
    for cell, required in zip(ws[1], schema["required"], strict=True):
        want = templates.REQUIRED_FILL if required else templates.OPTIONAL_FILL
        assert cell.fill.fgColor.rgb.endswith(want)


def _validation(ws, header):
    letter = next(c.column_letter for c in ws[1] if c.value == header)
    return next(
        dv for dv in ws.data_validations.dataValidation if f"{letter}2:{letter}" in str(dv.sqref)
    ), letter


def test_template_dropdowns_numbers_and_text_codes(tmp_path):
    wb = openpyxl.load_workbook(templates.write_template("schools", tmp_path / "s.xlsx"))
    ws = wb["学校"]
    ownership, _ = _validation(ws, "办学性质")
    assert ownership.type == "list" and ownership.formula1 == '"公办,民办"'
    boarding, _ = _validation(ws, "寄宿制")
    assert boarding.formula1 == '"是,否"'
    enrolment, _ = _validation(ws, "在校生数")
    assert (enrolment.type, enrolment.operator, enrolment.formula1) == (
        "whole",
        "greaterThanOrEqual",
        "0",
    )
    adcode = next(c.column_letter for c in ws[1] if c.value == "行政区划代码")
    assert ws.column_dimensions[adcode].number_format == "@"
    notes = {r[1]: r for r in wb["说明"].iter_rows(values_only=True) if r[1]}
    assert notes["ownership"][4] == "公办、民办" and notes["ownership"][5] == "是"
    assert notes["enrolment"][3] == "人"


def test_unknown_template_kind_lists_valid_kinds(tmp_path):
    with pytest.raises(
        ValueError, match="可用：counties、schools、teachers.*Unknown template kind"
    ):
        templates.write_template("pupils", tmp_path / "p.xlsx")


def test_filled_template_is_accepted_by_the_reader(tmp_path):
    wb = openpyxl.load_workbook(templates.write_template("schools", tmp_path / "s.xlsx"))
    wb["学校"].append(
        ["140403-KG-0001", "某幼儿园", "140403", 2024, "幼儿园", "公办", "是", 120, "否", 0, "是"]
    )
    wb.save(tmp_path / "filled.xlsx")
    schools = data.read_schools(tmp_path / "filled.xlsx")
    assert schools.loc[0, ["adcode", "ownership", "enrolment"]].tolist() == ["140403", "公办", 120]
    assert bool(schools.loc[0, "inclusive"]) is True


def test_unwritable_template_path_is_a_bilingual_error(tmp_path):
    with pytest.raises(OSError, match="Cannot write"):
        templates.write_template("schools", tmp_path / "missing" / "t.xlsx")


def test_template_is_reachable_from_data(tmp_path):
    wb = openpyxl.load_workbook(data.template("counties", tmp_path / "c.xlsx"))
    assert wb.sheetnames[:2] == ["区县", "说明"]
