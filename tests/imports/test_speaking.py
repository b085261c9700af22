"""Imports that speak the user's language: messages name the file's own headers, each kind
has a template that imports once filled in, implausible rows are written with warnings,
and the progress counts rows as the summary does."""

import datetime
import io
from pathlib import Path

import pytest
import xlsxwriter
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from tests.factories import GRID_A, make_dwelling, make_person, resident_id
from wangge.foundation.actors import system_actor
from wangge.imports.rejects import write_rejects
from wangge.imports.services import KINDS, ImportSummary, import_file
from wangge.imports.templates import import_template
from wangge.people.models import Household, Person
from wangge.spreadsheets import UnreadableFileError

SYSTEM = system_actor("tests")


def write_xlsx(path: Path, header: list[str], rows: list[list], title: str = "") -> Path:
    workbook = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    sheet = workbook.add_worksheet()
    first = 0
    if title:
        sheet.write(0, 0, title)
        first = 1
    for number, row in enumerate([header, *rows], start=first):
        sheet.write_row(number, 0, row)
    workbook.close()
    return path


def run(kind: str, path: Path, **options) -> ImportSummary:
    with translation.override("zh-hans"):
        return import_file(kind=kind, path=path, by=SYSTEM, **options)


# --- messages name the file's own columns ----------------------------------------------


def test_a_rejection_names_the_header_as_written_and_no_command(world, tmp_path):
    path = write_xlsx(tmp_path / "d.xlsx", ["楼栋号", "单元号", "房号", "网格编码"],
                      [["99栋", 1, "101", GRID_A]])
    summary = run("dwellings", path)
    [rejection] = summary.rejections
    assert rejection.column == "楼栋号"
    assert "99栋" in rejection.reason
    assert "wangge import" not in rejection.reason
    assert "building 列" not in rejection.line()


def test_a_dwelling_read_from_the_address_is_the_address_column_s_fault(world, tmp_path):
    make_dwelling(GRID_A, room="101")
    path = write_xlsx(tmp_path / "p.xlsx", ["居民姓名", "现住址"],
                      [["张伟", "101栋1单元909室"], ["李娜", "88栋1单元101室"]])
    summary = run("persons", path)
    assert {rejection.column for rejection in summary.rejections} == {"现住址"}
    assert all("wangge" not in rejection.reason for rejection in summary.rejections)


def test_a_column_the_file_lacks_is_named_by_its_usual_header(world, tmp_path):
    summary = run("persons", write_xlsx(tmp_path / "p.xlsx", ["姓名"], [["张伟"]]))
    [rejection] = summary.rejections
    assert rejection.column == "网格编码"
    with translation.override("en"):
        summary = import_file(kind="persons", path=tmp_path / "p.xlsx", by=SYSTEM)
    assert summary.rejections[0].column == "Grid code"
    with pytest.raises(UnreadableFileError) as refused:
        run("persons", write_xlsx(tmp_path / "q.xlsx", ["身份证号", "手机号"], [["1", "2"]]))
    assert "姓名" in str(refused.value)
    assert "name" not in str(refused.value)


# --- templates -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_template_is_read_back_and_its_example_row_refused(world, tmp_path, kind,
                                                                 language):
    with translation.override(language):
        path = tmp_path / "t.xlsx"
        path.write_bytes(import_template(kind))
    book = load_workbook(path)
    assert book.sheetnames[0] != book.sheetnames[-1]  # the rows, then the notes
    assert book.worksheets[0].data_validations.dataValidation or kind in (
        "buildings", "dwellings", "depots", "stocks")
    summary = run(kind, path)
    assert (summary.rows, summary.rejected, summary.written) == (1, 1, False)
    [rejection] = summary.rejections
    assert rejection.row == 2
    assert "example" in rejection.reason or "示例" in rejection.reason


def test_a_filled_template_imports(world, tmp_path):
    make_dwelling(GRID_A, room="101")
    with translation.override("en"):  # filled in English, imported in Chinese
        template = load_workbook(io.BytesIO(import_template("persons")))
    sheet = template.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    born = datetime.date(1975, 3, 4)
    filled = {"Name": "王芳", "ID number": resident_id(born, male=False), "Sex": "Female",
              "Residence type": "Floating", "Building": "101栋", "Unit": "1", "Room": "101",
              "Health status": "Chronic illness",
              "Vulnerable groups": "Low income、Disabled"}
    for column, header in enumerate(headers, start=1):
        sheet.cell(3, column, filled.get(header, ""))
    path = tmp_path / "filled.xlsx"
    template.save(path)
    summary = run("persons", path, partial=True)
    assert (summary.created, summary.rejected) == (1, 1)  # the example row, refused
    person = Person.objects.get(name="王芳")
    assert (person.sex, person.residence_type, person.health_status, person.grid_code) == (
        "F", "floating", "chronic", GRID_A)
    assert person.vulnerable_tags == ["disabled", "low_income"]
    sheet.delete_rows(2)
    template.save(path)
    assert run("persons", path).counts() == {"rows": 1, "created": 0, "updated": 0,
                                             "unchanged": 1, "rejected": 0, "queued": 0,
                                             "warned": 0}


def test_the_template_command_writes_the_workbook(world, tmp_path):
    out = tmp_path / "o.xlsx"
    call_command("import-template", "organizations", "--out", str(out), "--lang", "en")
    book = load_workbook(out)
    assert [cell.value for cell in book.worksheets[0][1]][:2] == ["Name", "Kind"]


# --- plausibility ----------------------------------------------------------------------


PERSON_HEADER = ["姓名", "身份证号", "特殊群体", "楼栋", "单元", "房号"]


def test_implausible_rows_are_written_with_warnings(world, tmp_path, settings):
    settings.WANGGE_DWELLING_MAX_OCCUPANTS = 2
    make_dwelling(GRID_A, room="101")
    young = resident_id(datetime.date(1997, 6, 1))
    rows = [["张伟", young, "独居老人", "101栋", 1, "101"],
            ["李娜", resident_id(), "", "101栋", 1, "101"],
            ["王芳", resident_id(male=False), "", "101栋", 1, "101"]]
    summary = run("persons", write_xlsx(tmp_path / "p.xlsx", PERSON_HEADER, rows))
    assert (summary.created, summary.rejected, summary.warned, summary.written) == (
        3, 0, 2, True)
    by_row = {warning.row: warning for warning in summary.warnings}
    assert by_row[2].column == "特殊群体"
    assert "独居老人" in by_row[2].reason
    assert by_row[4].column == "房号"
    assert "3" in by_row[4].reason
    out = tmp_path / "rejects.xlsx"
    write_rejects(summary, out)
    warnings = load_workbook(out).worksheets[-1]
    assert [row[0] for row in warnings.iter_rows(min_row=2, values_only=True)] == [2, 4]


def test_a_move_that_empties_a_household_is_warned(world, tmp_path):
    person = make_person(GRID_A, name="赵磊")
    alone = Household.objects.create(number="H1", grid_code=GRID_A)
    Person.objects.filter(pk=person.pk).update(household=alone)
    path = write_xlsx(tmp_path / "p.xlsx", ["姓名", "身份证号", "网格编码", "户号"],
                      [["赵磊", person.id_number, GRID_A, "H2"]])
    summary = run("persons", path)
    [warning] = summary.warnings
    assert (warning.row, warning.column, summary.written) == (2, "户号", True)
    assert "H1" in warning.reason


def test_a_birth_date_in_the_future_is_refused(world, tmp_path):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    path = write_xlsx(tmp_path / "p.xlsx", ["姓名", "证件类型", "证件号码", "出生日期", "网格编码"],
                      [["John Smith", "护照", "E12345678", tomorrow.isoformat(), GRID_A]])
    summary = run("persons", path)
    [rejection] = summary.rejections
    assert rejection.column == "出生日期"


# --- progress --------------------------------------------------------------------------


def test_progress_counts_rows_as_the_summary_does(world, tmp_path, monkeypatch):
    monkeypatch.setattr("wangge.imports.services.CHUNK_ROWS", 2)
    rows = [[f"居民{number}", "", "", "", "", ""] for number in range(5)]
    path = write_xlsx(tmp_path / "p.xlsx", PERSON_HEADER, rows, title="民意社区居民信息表")
    seen = []
    summary = run("persons", path, progress=lambda running: seen.append(running.rows))
    assert seen == [2, 4, 5]
    assert seen[-1] == summary.rows == 5  # the title and header rows are not rows
    assert summary.header_row == 2
