"""`wangge import persons FILE` against real xlsx and CSV files: the traps, atomicity,
idempotence and the history of what changed."""

import json
from pathlib import Path

import pytest
import xlsxwriter
from django.core.management import call_command
from openpyxl import load_workbook

from tests.factories import GRID_A, GRID_C, make_person, make_user, resident_id
from wangge.foundation.permissions import Role
from wangge.people.models import Household, Person, Relationship
from wangge.spreadsheets import workbooks

ID_1 = "420102198001011231"
ID_2 = "42010219900202002X"
HEADER = ["姓名", "身份证号", "手机号", "网格编码", "人口类型"]


def good_rows() -> list[list]:
    return [["张伟", ID_1, "138 0013 8000", GRID_A, "户籍"],
            ["李娜", ID_2.lower(), "+86 13900139000", GRID_A, "流动人口"]]


def write_xlsx(path: Path, rows: list[list], header: list[str] = HEADER) -> Path:
    workbook = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    sheet = workbook.add_worksheet("名单")
    sheet.merge_range(0, 0, 0, len(header) - 1, "民意社区居民信息表")
    sheet.write_row(1, 0, header)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row):
            sheet.write(number, column, value)
    workbook.close()
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8",
              header: list[str] = HEADER) -> Path:
    lines = [",".join(str(cell) for cell in row) for row in [header, *rows]]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def run_import(path: Path, *options: str, capsys) -> tuple[int, dict, str]:
    """Run the command; return its exit code, its JSON summary and what it printed."""
    code = 0
    try:
        call_command("import", "persons", str(path), "--json", *options)
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    # Chinese messages may set numbers off with spaces ("第 2 行"); compare without them.
    return code, json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}, (
        err.replace(" ", ""))


@pytest.fixture
def grid_a(world):
    return GRID_A


def test_xlsx_imports_normalised_and_adds_up(tmp_path, grid_a, capsys):
    code, summary, _ = run_import(write_xlsx(tmp_path / "a.xlsx", good_rows()), capsys=capsys)
    assert code == 0
    assert summary == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0,
                       "rejected": 0, "queued": 0, "warned": 0}
    li = Person.objects.matching(id_number=ID_2).get()
    assert (li.phone, li.residence_type, li.sex, str(li.birth_date)) == (
        "13900139000", "floating", "F", "1990-02-02")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_import_without_mojibake(tmp_path, grid_a, capsys, encoding):
    code, summary, _ = run_import(write_csv(tmp_path / "a.csv", good_rows(), encoding),
                                  capsys=capsys)
    assert code == 0
    assert summary["created"] == 2
    assert set(Person.objects.values_list("name", flat=True)) == {"张伟", "李娜"}


def test_second_import_changes_nothing(tmp_path, grid_a, capsys):
    path = write_xlsx(tmp_path / "a.xlsx", good_rows())
    run_import(path, capsys=capsys)
    history = Person.history.count()
    code, summary, _ = run_import(path, capsys=capsys)
    assert (code, summary["unchanged"], summary["created"], summary["updated"]) == (0, 2, 0, 0)
    assert Person.history.count() == history


def test_updated_file_updates_changed_fields_with_source_in_history(tmp_path, grid_a, capsys):
    run_import(write_xlsx(tmp_path / "a.xlsx", good_rows()), capsys=capsys)
    rows = good_rows()
    rows[1][2] = "13700137000"
    code, summary, _ = run_import(write_xlsx(tmp_path / "b.xlsx", rows), "--department",
                                  "民政局", capsys=capsys)
    assert (code, summary["updated"], summary["unchanged"]) == (0, 1, 1)
    latest = Person.objects.matching(id_number=ID_2).get().history.first()
    assert latest.phone == "13700137000"
    assert "b.xlsx" in latest.history_change_reason
    assert "名单" in latest.history_change_reason
    assert "民政局" in latest.history_change_reason
    assert "4" in latest.history_change_reason  # the row in the file


def test_existing_record_found_by_normalised_id(tmp_path, grid_a, capsys):
    person = make_person(GRID_A, id_number=resident_id(), phone="13800000001")
    rows = [[person.name, " " + person.id_number.replace("X", "x") + " ", "13800000002", GRID_A,
             "户籍"]]
    code, summary, _ = run_import(write_csv(tmp_path / "a.csv", rows), capsys=capsys)
    assert (code, summary["updated"], summary["created"]) == (0, 1, 0)
    person.refresh_from_db()
    assert person.phone == "13800000002"


def reject_lines(path: Path, capsys, *options: str) -> tuple[int, dict, str]:
    code, summary, err = run_import(path, *options, capsys=capsys)
    assert Person.objects.count() == 0, "a rejected file must write nothing"
    return code, summary, err


def test_id_turned_into_scientific_notation_rejected_and_nothing_written(
        tmp_path, grid_a, capsys):
    rows = good_rows()
    rows[1][1] = 4.20102199002020e17
    code, summary, err = reject_lines(write_xlsx(tmp_path / "a.xlsx", rows), capsys)
    assert code == 1
    assert summary == {"rows": 2, "created": 0, "updated": 0, "unchanged": 0,
                       "rejected": 1, "queued": 0, "warned": 0}
    assert "第4行" in err
    assert "身份证号" in err
    assert "文本" in err or "text" in err  # says how to fix the column


def test_scientific_notation_typed_in_csv_rejected(tmp_path, grid_a, capsys):
    rows = good_rows()
    rows[0][1] = "4.20102E+17"
    code, _, err = reject_lines(write_csv(tmp_path / "a.csv", rows), capsys, "--lang", "en")
    assert code == 1
    assert "row2,column身份证号" in err
    assert "formatthecolumnastext" in err


@pytest.mark.parametrize(("column", "value", "field_header"), [
    (1, "420102198001011235", "身份证号"),  # checksum
    (2, "12345", "手机号"),  # not a phone
    (4, "外星人", "人口类型"),  # not a residence type
    (3, GRID_C + "9", "网格编码"),  # not a grid
])
def test_bad_cell_names_row_column_and_rule(tmp_path, grid_a, capsys, column, value,
                                            field_header):
    rows = good_rows()
    rows[0][column] = value
    code, summary, err = reject_lines(write_csv(tmp_path / "a.csv", rows), capsys)
    assert (code, summary["rejected"]) == (1, 1)
    assert f"第2行，{field_header}列" in err


def test_birth_date_and_sex_contradicting_the_id(tmp_path, grid_a, capsys):
    header = [*HEADER, "出生日期", "性别"]
    rows = [[*good_rows()[0], "1981-01-01", "女"]]
    code, _, err = reject_lines(write_csv(tmp_path / "a.csv", rows, header=header), capsys)
    assert code == 1
    assert "出生日期" in err
    assert "性别" in err


def test_excel_date_serial_accepted(tmp_path, grid_a, capsys):
    header = [*HEADER, "出生日期"]
    rows = [[*good_rows()[0], 29221]]  # 1980-01-01 as Excel counts days
    code, summary, _ = run_import(write_xlsx(tmp_path / "a.xlsx", rows, header), capsys=capsys)
    assert (code, summary["created"]) == (0, 1)


def test_duplicate_ids_inside_one_file(tmp_path, grid_a, capsys):
    rows = [*good_rows(), ["张伟伟", ID_1[:-1] + "１", "13800138001", GRID_A, "户籍"]]
    code, _, err = reject_lines(write_csv(tmp_path / "a.csv", rows), capsys)
    assert code == 1
    assert "第4行" in err
    assert "第2行" in err


def test_partial_writes_valid_rows_and_rejects_workbook_lists_the_rest(tmp_path, grid_a,
                                                                        capsys):
    rows = [*good_rows(), ["王芳", "420102198001011235", "=cmd|' /C calc'!A0", GRID_A, "户籍"]]
    out = tmp_path / "rejects.xlsx"
    code, summary, _ = run_import(write_csv(tmp_path / "a.csv", rows), "--partial",
                                  "--rejects", str(out), capsys=capsys)
    assert code == 0
    assert summary == {"rows": 3, "created": 2, "updated": 0, "unchanged": 0,
                       "rejected": 1, "queued": 0, "warned": 0}
    sheet = load_workbook(out).active
    values = list(sheet.values)
    assert values[0] == ("文件中的行号", *HEADER, "原因")
    assert values[1][:3] == (4, "王芳", "420102198001011235")
    assert values[1][3] == "=cmd|' /C calc'!A0"  # kept as text, not a formula
    assert sheet.cell(2, 4).data_type == "s"
    assert "校验" in values[1][-1]


def test_formula_like_cells_stored_as_text(tmp_path, grid_a, capsys):
    header = [*HEADER, "职业"]
    rows = [[*good_rows()[0], "=1+1"]]
    run_import(write_csv(tmp_path / "a.csv", rows, header=header), capsys=capsys)
    assert Person.objects.get().occupation == "=1+1"


def test_corrupt_file_exits_2_with_one_line(tmp_path, grid_a, capsys):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK\x03\x04garbage")
    code, _, err = run_import(path, capsys=capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert Person.objects.count() == 0


def test_map_override_and_unknown_field(tmp_path, grid_a, capsys):
    header = ["居民", "身份证号", "网格编码"]
    rows = [["张伟", ID_1, GRID_A]]
    path = write_csv(tmp_path / "a.csv", rows, header=header)
    code, summary, _ = run_import(path, "--map", "居民=name", capsys=capsys)
    assert (code, summary["created"]) == (0, 1)
    code, _, err = run_import(path, "--map", "居民=nickname", capsys=capsys)
    assert code == 2
    assert "nickname" in err


def test_households_created_with_head_and_relationships(tmp_path, grid_a, capsys):
    header = [*HEADER, "户号", "与户主关系"]
    rows = [[*good_rows()[0], "H001", "户主"], [*good_rows()[1], "H001", "配偶"]]
    code, _, _ = run_import(write_csv(tmp_path / "a.csv", rows, header=header), capsys=capsys)
    assert code == 0
    household = Household.objects.get(number="H001")
    assert household.head.id_number == ID_1
    assert "a.csv" in household.history.first().history_change_reason
    assert Person.objects.matching(id_number=ID_2).get().relationship == Relationship.SPOUSE


def test_user_imports_only_into_their_jurisdiction(tmp_path, grid_a, capsys):
    make_user(Role.GRID_WORKER, GRID_A, username="worker")
    rows = good_rows()
    rows[1][3] = GRID_C
    code, _, err = reject_lines(write_csv(tmp_path / "a.csv", rows), capsys, "--user", "worker")
    assert code == 1
    assert GRID_C in err


@pytest.mark.parametrize("streamed", [False, True], ids=["calamine", "streamed"])
def test_large_file_reader_imports_the_same(tmp_path, grid_a, capsys, monkeypatch, streamed):
    """A large xlsx is streamed through openpyxl (spreadsheets/workbooks.py); with every file
    streamed, the traps come out as they do from calamine."""
    if streamed:
        monkeypatch.setattr(workbooks, "STREAM_ABOVE_BYTES", -1)
    header = [*HEADER, "职业", "出生日期"]
    rows = [[*good_rows()[0], "@SUM(A1)", 29221],
            [*good_rows()[1], "", ""],
            ["王芳", 420102198001011235, "13800138002", GRID_A, "户籍", "", ""],
            ["张伟伟", ID_1, "13800138001", GRID_A, "户籍", "", ""]]
    out = tmp_path / "rejects.xlsx"
    code, summary, err = run_import(write_xlsx(tmp_path / "a.xlsx", rows, header), "--partial",
                                    "--rejects", str(out), "--lang", "en", capsys=capsys)
    assert code == 0
    assert summary == {"rows": 4, "created": 2, "updated": 0, "unchanged": 0,
                       "rejected": 2, "queued": 0, "warned": 0}
    assert "row5,column身份证号:TheIDnumber4.201021980010113E+17wasturned" in err
    assert "row6,column身份证号:Thesamepersonasrow3" in err
    zhang = Person.objects.matching(id_number=ID_1).get()
    assert (zhang.occupation, zhang.birth_date.isoformat()) == ("@SUM(A1)", "1980-01-01")
    assert [row[:3] for row in list(load_workbook(out).active.values)[1:]] == [
        (5, "王芳", 4.201021980010113e17), (6, "张伟伟", ID_1)]


def test_rows_land_on_the_record_a_merged_one_was_merged_into(tmp_path, grid_a, capsys):
    """Record linkage hides a merged record, which may keep its passport's number: a row
    with that passport, or with the name, grid and phone of a merged record without a
    document, updates the kept record; nothing is written on the merged ones."""
    kept = make_person(GRID_A, phone="13800000011")
    by_passport = make_person(GRID_A, document_type="passport", id_number="E12345678",
                              phone="13800000012")
    without_id = make_person(GRID_A, id_number="", phone="13800000013")
    Person.objects.filter(pk__in=[by_passport.pk, without_id.pk]).update(merged_into=kept)
    header = ["姓名", "证件类型", "证件号码", "手机号", "网格编码", "职业", "民族"]
    rows = [[kept.name, "护照", "E12345678", "13800000012", GRID_A, "教师", ""],
            [kept.name, "", "", "13800000013", GRID_A, "", "回族"]]
    code, summary, _ = run_import(write_csv(tmp_path / "a.csv", rows, header=header),
                                  capsys=capsys)
    assert (code, summary["created"], summary["updated"]) == (0, 0, 2)
    assert Person.objects.count() == 3
    kept.refresh_from_db()
    assert (kept.occupation, kept.ethnicity) == ("教师", "回族")
    for merged in (by_passport, without_id):
        merged.refresh_from_db()
        assert (merged.occupation, merged.ethnicity) == ("", "")


def test_a_spreadsheet_bomb_is_refused_by_the_command(tmp_path, grid_a, capsys):
    """Issue 10: 2 GiB of spaces in 2 MB read for 42 s at 4.3 GB; now refused unread."""
    from tests.spreadsheets.test_limits import whitespace_bomb

    code, summary, err = run_import(whitespace_bomb(tmp_path / "bomb.xlsx", 64), "--lang", "en",
                                    capsys=capsys)
    assert code == 2
    assert summary == {}
    assert "possibledecompressionbomb" in err
    assert "Traceback" not in err
    assert not Person.objects.exists()


def test_rows_beyond_the_bound_are_refused_by_the_command_and_nothing_written(
        tmp_path, grid_a, capsys, settings):
    settings.WANGGE_SHEET_MAX_ROWS = 2
    code, _, err = run_import(write_csv(tmp_path / "a.csv", good_rows()), "--lang", "en",
                              capsys=capsys)
    assert code == 2
    assert "a.csvhasmorethan2rows;splititintosmallerfiles." in err
    assert not Person.objects.exists()
